//! Finding an extract's files and its quarter: a folder named after the
//! quarter (`inputs/2014-15-Q2/ssda903/`, `inputs/903 2014-15 Q2/`) or an
//! XML file's own name (`ssda903 2014-15-Q2.xml`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Source;
use crate::period::Period;

/// The files of one extract, as found in `inputs/`.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractSource {
    /// Which kind of extract it is.
    #[serde(skip)]
    pub source: Source,
    /// How it is named to people: the folder of CSV lists, or the XML file.
    pub name: String,
    pub xml: bool,
    /// `(path, name below inputs/)`.
    #[serde(skip)]
    pub files: Vec<(PathBuf, String)>,
    pub period: Option<Period>,
}

/// Finds a quarter written anywhere in a file or folder name:
/// `903 2014-15 Q2`, `ssda903_2014-15-Q2.xml`.
pub fn period_in_name(name: &str) -> Option<Period> {
    let stem = name
        .strip_suffix(".xml")
        .or_else(|| name.strip_suffix(".XML"))
        .unwrap_or(name);
    let words: Vec<&str> = stem
        .split(|c: char| c.is_whitespace() || c == '_' || c == '.' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    for width in (1..=3).rev() {
        for window in words.windows(width) {
            if let Ok(p) = Period::parse(&window.join(" ")) {
                return Some(p);
            }
        }
    }
    // `ssda903-2014-15-Q2`: a quarter id at the end of a hyphenated word.
    words.iter().find_map(|w| {
        let n = w.len();
        (n >= 10)
            .then(|| w.get(n - 10..))
            .flatten()
            .and_then(|tail| Period::parse(tail).ok())
    })
}

/// Groups CSV and XML files into extracts: the CSV files of one folder
/// make one extract, each XML file is one. Each is tied
/// to the quarter its folder (or a folder above it, or the XML's own name)
/// names.
pub fn by_folder(source: Source, root: &Path, files: &[(PathBuf, String)]) -> Vec<ExtractSource> {
    let mut folders: BTreeMap<PathBuf, Vec<(PathBuf, String)>> = BTreeMap::new();
    let mut out = Vec::new();
    for (path, name) in files {
        let is_xml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
        if is_xml {
            let own = path
                .file_name()
                .and_then(|n| period_in_name(&n.to_string_lossy()));
            out.push(ExtractSource {
                source,
                name: name.clone(),
                xml: true,
                files: vec![(path.clone(), name.clone())],
                period: folder_period(root, path).or(own),
            });
        } else {
            let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
            folders
                .entry(folder)
                .or_default()
                .push((path.clone(), name.clone()));
        }
    }
    for (folder, files) in folders {
        let name = folder
            .strip_prefix(root)
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ".".into());
        out.push(ExtractSource {
            source,
            period: files.first().and_then(|(p, _)| folder_period(root, p)),
            name: format!("{name}/"),
            xml: false,
            files,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The quarter named by the nearest folder above `path`, up to and
/// including `root` itself (`scorecard check inputs/2014-15-Q2`).
pub fn folder_period(root: &Path, path: &Path) -> Option<Period> {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if !d.starts_with(root) {
            return None;
        }
        if let Some(p) = d
            .file_name()
            .and_then(|n| period_in_name(&n.to_string_lossy()))
        {
            return Some(p);
        }
        if d == root {
            return None;
        }
        dir = d.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_are_found_inside_names() {
        let q2 = Period::parse("2014-15-Q2").ok();
        assert_eq!(period_in_name("2014-15-Q2"), q2);
        assert_eq!(period_in_name("903 2014-15 Q2"), q2);
        assert_eq!(period_in_name("ssda903_2014-15_Q2.xml"), q2);
        assert_eq!(period_in_name("ssda903-2014-15-Q2.xml"), q2);
        assert_eq!(period_in_name("SSDA903 Q2 2014-15"), q2);
        assert_eq!(period_in_name("ssda903"), None);
    }
}
