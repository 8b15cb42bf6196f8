//! Settling: when a file in inputs/ has stopped changing and may be read.
//!
//! A return or an extract's list is copied into inputs/ over seconds, in
//! blocks, and `watch` sees every block land. A file is read only once its
//! size and modified time have stayed put for [`SETTLE`] and it can be read
//! to its end, so that an officer's copy is judged whole, not half-written.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

/// How long a file's size and modified time must stay the same before it
/// is read: a return still being copied is never read half-written.
pub const SETTLE: Duration = Duration::from_millis(500);

/// A file's size and modified time: when both stay put, the file has
/// stopped changing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) len: u64,
    pub(super) modified: Option<SystemTime>,
}

pub(super) fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// A file seen changing, waiting to settle.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) stamp: Option<Stamp>,
    pub(super) since: Instant,
}

/// Whether the file can be opened and read to its end, at the length its
/// size says: a file still held open for writing on some systems, or
/// locked, cannot.
pub(super) fn readable_to_the_end(path: &Path, len: u64) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        // Not even readable: let the read say why, rather than wait.
        return std::fs::metadata(path).is_ok();
    };
    let mut sink = [0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        match file.read(&mut sink) {
            Ok(0) => break,
            Ok(n) => total += n as u64,
            Err(_) => return false,
        }
    }
    total == len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_readable_to_the_end_only_at_its_full_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.xlsx");
        std::fs::write(&path, b"0123456789").unwrap();
        assert!(readable_to_the_end(&path, 10));
        assert!(!readable_to_the_end(&path, 12), "still growing");
    }
}
