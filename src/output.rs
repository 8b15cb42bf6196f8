//! Writing output files safely, and what the feedback files are called.
//!
//! Every file is written to a temporary file in the same folder and renamed
//! into place, so a run killed half way leaves the previous version whole,
//! and a clerk never collects half a PDF.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// The folder, under a quarter's, that holds the services' feedback.
pub const FEEDBACK_FOLDER: &str = "feedback";

/// A return's feedback file name: its own, as an `.xlsx`
/// (`CPR-2014-15-Q2.xlsm` → `CPR-2014-15-Q2.xlsx`).
pub fn feedback_file_name(input: &Path) -> String {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "return".to_string());
    format!("{stem}.xlsx")
}

/// Writes `bytes` to `path` atomically, creating the folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".scorecard-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in the output folder {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    // Temporary files are private (0600); outputs are for clerks to collect.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot put {} in place", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.txt");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers = std::fs::read_dir(dir.path().join("a")).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary files left behind");
    }
}
