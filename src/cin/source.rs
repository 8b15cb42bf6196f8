//! The children in need census as a child-level source: found as one XML
//! file whose root is `Message`, tied to its quarter by folder or name,
//! and given to the rest of the run as a [`records::Extract`].

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::calendar::BankHolidays;
use crate::config::{ChildRecords, Source};
use crate::records::{find, ChildLevelSource, Extract, ExtractSource, ExtractStatus, LeftOut};

use super::{indicators, load, Status};

/// The children in need census.
pub struct Cin;

impl ChildLevelSource for Cin {
    fn source(&self) -> Source {
        Source::Cin
    }

    fn refs(&self) -> &'static [&'static str] {
        &indicators::REFS
    }

    fn file_rule(&self) -> &'static str {
        "cin-file"
    }

    fn differs_rule(&self) -> &'static str {
        "cin-differs"
    }

    fn recognises(&self, path: &Path) -> bool {
        is_census(path)
    }

    fn by_content(&self) -> bool {
        true
    }

    fn group(&self, root: &Path, files: &[(PathBuf, String)]) -> Vec<ExtractSource> {
        files
            .iter()
            .map(|(path, name)| {
                let own = path
                    .file_name()
                    .and_then(|n| find::period_in_name(&n.to_string_lossy()));
                ExtractSource {
                    source: Source::Cin,
                    name: name.clone(),
                    xml: true,
                    files: vec![(path.clone(), name.clone())],
                    period: find::folder_period(root, path).or(own),
                }
            })
            .collect()
    }

    fn load(&self, found: &ExtractSource, holidays: &BankHolidays, rules: ChildRecords) -> Extract {
        let mut extract = Extract::new(Source::Cin, found);
        let Some((path, name)) = found.files.first() else {
            return extract;
        };
        let census = load(path, name, found.period, holidays, rules);
        extract.status = match &census.status {
            Status::NotACensus => return extract,
            Status::Used => ExtractStatus::Used,
            Status::Refused { because } => ExtractStatus::Refused {
                because: because.clone(),
            },
        };
        extract.parts = vec!["census"];
        extract.files = census.file.into_iter().collect();
        extract.problems = census.problems;
        extract.children = census.checked.children_in_extract;
        extract.children_used = census.checked.children.len();
        extract.warnings = census.checked.warnings;
        extract.left_out = census
            .checked
            .left_out
            .into_iter()
            .map(|l| {
                let reason = l.main_reason();
                LeftOut {
                    child: l.id,
                    reason: (reason as u8, reason.describe()),
                    problems: l.problems,
                }
            })
            .collect();
        extract.figures = census.figures;
        extract
    }
}

/// Whether an XML file is a census: its first element is `Message` (with
/// or without a namespace prefix). Only the file's start is read.
pub fn is_census(path: &Path) -> bool {
    let is_xml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    if !is_xml {
        return false;
    }
    let mut head = Vec::with_capacity(4096);
    let read = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    first_element(&text_of(&head)).is_some_and(|n| n == "Message")
}

/// The start of a file as text: UTF-16 when it says so, else UTF-8 (what
/// cannot be read is only replaced, since only a name is looked for).
fn text_of(head: &[u8]) -> String {
    let utf16 = |le: bool| {
        let units: Vec<u16> = head[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match head {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        _ => String::from_utf8_lossy(head).into_owned(),
    }
}

/// The local name of the first element, past the declaration, comments
/// and processing instructions.
fn first_element(text: &str) -> Option<&str> {
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if let Some(r) = rest.strip_prefix('<') {
            let name: &str = r
                .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .next()?;
            return Some(name.rsplit(':').next().unwrap_or(name));
        } else {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_census_is_told_by_its_first_element() {
        assert_eq!(
            first_element("<?xml version=\"1.0\"?>\n<!-- x --><Message xmlns=\"a\">"),
            Some("Message")
        );
        assert_eq!(first_element("<cin:Message>"), Some("Message"));
        assert_eq!(first_element("<EXPSSDA903>"), Some("EXPSSDA903"));
        assert_eq!(first_element("CHILD,DOB"), None);
    }
}
