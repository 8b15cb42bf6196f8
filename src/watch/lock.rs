//! One `watch` for one inputs folder.
//!
//! Two watches on the same folder would each write the same feedback and
//! status pages, overwriting each other, and each log every verdict. So a
//! second one is refused when it starts, naming the first. The first holds
//! an advisory lock ([`std::fs::File::try_lock`]) on a file named after the
//! inputs folder in the system's temporary folder (never in inputs/, which
//! is only ever read), with its process id written in it for that message.
//! The system lets go of the lock when the process ends, however it ends;
//! the file itself stays, as removing it could pull it from under a watch
//! that is just starting.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock on an inputs folder, held while this lives.
#[derive(Debug)]
pub struct InputsLock {
    _file: File,
}

/// Why the lock was not taken.
#[derive(Debug)]
pub enum NotTaken {
    /// Another watch holds it: its process id, when it could be read.
    Watched { pid: Option<u32> },
    /// Locking cannot be done here (the temporary folder cannot be
    /// written, or its file system has no locks), with why.
    Unavailable(String),
}

impl InputsLock {
    /// Takes the lock for the inputs folder `inputs`, as found by
    /// [`Path::canonicalize`] so that two spellings of one folder meet.
    pub fn take(inputs: &Path) -> Result<InputsLock, NotTaken> {
        InputsLock::take_in(&std::env::temp_dir(), inputs)
    }

    /// Takes the lock with its file in `dir`.
    fn take_in(dir: &Path, inputs: &Path) -> Result<InputsLock, NotTaken> {
        let path = lock_path(dir, inputs);
        let opened = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path);
        // Made by another user, the file may be readable only; it can still
        // be locked on Unix.
        let (mut file, writable) = match opened {
            Ok(f) => (f, true),
            Err(e) => match File::open(&path) {
                Ok(f) => (f, false),
                Err(_) => {
                    return Err(NotTaken::Unavailable(format!(
                        "cannot make {}: {e}",
                        path.display()
                    )))
                }
            },
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let pid = file
                    .read_to_string(&mut text)
                    .ok()
                    .and_then(|_| text.lines().next()?.trim().parse().ok());
                return Err(NotTaken::Watched { pid });
            }
            Err(TryLockError::Error(e)) => {
                return Err(NotTaken::Unavailable(format!(
                    "cannot lock {}: {e}",
                    path.display()
                )))
            }
        }
        if writable {
            // For the message a second watch gives; the lock is what counts.
            let _ = file.set_len(0).and_then(|_| file.rewind()).and_then(|_| {
                writeln!(file, "{}\n{}", std::process::id(), inputs.display())?;
                file.flush()
            });
        }
        Ok(InputsLock { _file: file })
    }
}

/// The lock file for an inputs folder in `dir`, named by a hash of the
/// folder's path.
fn lock_path(dir: &Path, inputs: &Path) -> PathBuf {
    let hex = crate::read::sha256_hex(inputs.to_string_lossy().as_bytes());
    dir.join(format!("scorecard-watch-{}.lock", &hex[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_folder_is_refused_and_names_the_first() {
        let temp = tempfile::tempdir().unwrap();
        let take = |inputs: &str| InputsLock::take_in(temp.path(), Path::new(inputs));
        let first = take("/srv/returns/inputs").unwrap();
        match take("/srv/returns/inputs") {
            Err(NotTaken::Watched { pid }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("a second lock was not refused: {other:?}"),
        }
        assert!(
            take("/srv/other/inputs").is_ok(),
            "another folder, another lock"
        );
        drop(first);
        assert!(take("/srv/returns/inputs").is_ok(), "let go when dropped");
    }
}
