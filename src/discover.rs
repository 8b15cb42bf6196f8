//! Stage 1: find the returns in `inputs/`.
//!
//! Officers drop files where they like: at the top of `inputs/` or in a
//! folder per quarter (`inputs/2014-15-Q2/`). Every workbook found is a
//! return; lock files and hidden files are ignored silently, as the contract
//! says; anything else is listed as skipped so that nothing goes unnoticed.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use crate::model::workbook::{InputFile, SkippedFile};
use crate::period::Period;

/// Extensions read as returns.
pub const WORKBOOK_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// What was found.
#[derive(Debug, Default, Serialize)]
pub struct Discovery {
    pub returns: Vec<InputFile>,
    pub skipped: Vec<SkippedFile>,
    /// CSV and XML files: the lists of SSDA903 extracts, `(path, name)`.
    pub extract_files: Vec<(PathBuf, String)>,
}

/// Extensions read as SSDA903 lists.
pub const EXTRACT_EXTENSIONS: [&str; 2] = ["csv", "xml"];

/// Walks `dir` (sub-folders included) in name order, so runs are repeatable.
pub fn discover(dir: &Path) -> anyhow::Result<Discovery> {
    let mut found = Discovery::default();
    if !dir.is_dir() {
        anyhow::bail!(
            "the inputs folder {} does not exist; create it and put the returns in it, or name another with --inputs",
            dir.display()
        );
    }
    walk(dir, dir, &mut found)?;
    found.returns.sort_by(|a, b| a.name.cmp(&b.name));
    found.skipped.sort_by(|a, b| a.name.cmp(&b.name));
    found.extract_files.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(found)
}

/// Looks through `dir` and the folders in it, sorting each entry into
/// returns, lists of an extract and files skipped with the reason.
fn walk(root: &Path, dir: &Path, found: &mut Discovery) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list the folder {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list the folder {}", dir.display()))?;
        let path = entry.path();
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.starts_with('.') || file_name.starts_with("~$") {
            continue;
        }
        let name = relative_name(root, &path);
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(e) => {
                found.skipped.push(SkippedFile {
                    name,
                    reason: format!("cannot be examined ({e})"),
                });
                continue;
            }
        };
        if file_type.is_dir() {
            walk(root, &path, found)?;
            continue;
        }
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if let Some(reason) = not_a_file(file_type, &path) {
            found.skipped.push(SkippedFile { name, reason });
            continue;
        }
        if EXTRACT_EXTENSIONS.contains(&extension.as_str()) {
            found.extract_files.push((path, name));
            continue;
        }
        if !WORKBOOK_EXTENSIONS.contains(&extension.as_str()) {
            found.skipped.push(SkippedFile {
                name,
                reason: "not a workbook (returns are .xlsx, .xlsm, .xls or .ods files) nor a list of an SSDA903 extract (.csv or .xml)".into(),
            });
            continue;
        }
        let folder_period = path
            .parent()
            .filter(|p| *p != root)
            .and_then(|p| p.file_name())
            .and_then(|n| Period::parse(&n.to_string_lossy()).ok());
        found.returns.push(InputFile {
            path,
            name,
            extension,
            folder_period,
        });
    }
    Ok(())
}

/// A file's name below the inputs folder, with `/` between folders on
/// every system, as messages and the run record give it.
fn relative_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Why an entry that is not a folder cannot be read as a file, if so. A
/// named pipe, socket or device would make reading wait for ever; a link
/// is followed to what it points at.
fn not_a_file(file_type: std::fs::FileType, path: &Path) -> Option<String> {
    let target = if file_type.is_symlink() {
        std::fs::metadata(path).map(|m| m.file_type())
    } else {
        Ok(file_type)
    };
    if target.as_ref().is_ok_and(|t| t.is_file()) {
        return None;
    }
    Some(match target {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "a link to a file that no longer exists".to_string()
        }
        Err(e) => format!(
            "a link that cannot be followed ({e}): it may lead round in a circle of links back to itself. Put the return itself in the folder"
        ),
        Ok(t) if t.is_dir() => {
            "a link to a folder, which is not followed: put the returns in a real folder".into()
        }
        Ok(_) => "not an ordinary file (a pipe or device), so it cannot be a return".into(),
    })
}
