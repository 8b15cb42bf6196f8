//! The status page (`returns.html`) as data: a [`ReturnsStatus`] counted
//! and worded, for `templates/returns.html.j2` to lay out.
//!
//! Every count is made and every phrase that depends on the returns is
//! worded here ("2 errors, 1 warning", "Nothing yet – overdue", when a file
//! was submitted, the address of its feedback), and each state gets its
//! look from the palette, so the template only arranges them, as the
//! committee report's layouts arrange a [`Paper`](super::Paper).

use serde::Serialize;

use crate::config::Templates;
use crate::model::palette::Look;
use crate::status::{ExtractLook, FileState, ReturnsStatus, SentFile, ServiceState};
use crate::text::{count, long_date};

/// When a file was submitted or changed: "20 Oct 2014 09:05", short
/// enough for a table cell.
const WHEN: &str = "%-d %b %Y %H:%M";

/// The status page of a quarter's returns.
#[derive(Debug, Clone, Serialize)]
pub struct ReturnsPage {
    /// "Returns for 2014-15 Q2".
    pub title: String,
    /// "2014-15 Q2".
    pub period: String,
    pub organisation: String,
    pub directorate: String,
    /// The returns are invented: the page says so.
    pub sample_data: bool,
    /// "scorecard 0.1.0".
    pub generator: String,
    /// When the returns are due, if the templates say.
    pub due: Option<Deadline>,
    pub counts: Counts,
    /// One row per file a service sent, or one for a service with none.
    pub services: Vec<ServiceRow>,
    /// Files still being copied into `inputs/`.
    pub arriving: Vec<Arriving>,
    /// The quarter's extracts of children's records.
    pub extracts: Vec<ExtractRow>,
    /// Returns that name no service.
    pub unmatched: Vec<FileRow>,
    /// Files in `inputs/` that are not returns.
    pub other_files: Vec<crate::model::workbook::SkippedFile>,
    pub updated: Updated,
}

/// The quarter's deadline.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    /// "14 October 2014".
    pub date: String,
    /// Once the date has passed: how many services are still without an
    /// accepted return, in a sentence.
    pub passed: Option<String>,
}

/// How many services are in each state.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    pub services: usize,
    /// With a return accepted, with or without warnings.
    pub accepted: usize,
    pub with_warnings: usize,
    pub rejected: usize,
    pub nothing_yet: usize,
}

/// A state as the page shows it: a shape, then words, coloured.
#[derive(Debug, Clone, Serialize)]
pub struct Badge {
    /// The palette's class for the state's colours: `st-good`.
    pub class: &'static str,
    /// Repeats the words (so it is hidden from screen readers): `●`.
    pub shape: &'static str,
    pub words: String,
}

impl Badge {
    fn new(look: Look, words: impl Into<String>) -> Badge {
        Badge {
            class: look.class(),
            shape: look.shape(),
            words: words.into(),
        }
    }
}

/// A row of the returns table: a file the service sent, or the service
/// with nothing sent.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRow {
    pub service: String,
    pub file: Option<FileRow>,
    /// "Nothing yet", or "Nothing yet – overdue", when no file was sent.
    pub no_return: Option<Badge>,
}

/// One file sent, as its cells say it.
#[derive(Debug, Clone, Serialize)]
pub struct FileRow {
    /// Its name below `inputs/`.
    pub name: String,
    pub badge: Badge,
    /// The return that replaced it.
    pub superseded_by: Option<String>,
    /// "20 Oct 2014 09:05", as its cover says; none when it says nothing.
    pub submitted: Option<String>,
    /// Submitted after the deadline.
    pub late: bool,
    /// When the file was last changed on disk, or empty.
    pub changed: String,
    /// "None", "1 error", "2 errors, 3 warnings".
    pub problems: String,
    /// The address of its feedback workbook, relative to the page.
    pub feedback: Option<String>,
}

/// A file still being copied.
#[derive(Debug, Clone, Serialize)]
pub struct Arriving {
    pub badge: Badge,
    pub name: String,
}

/// What became of an extract of children's records: counts and reasons
/// only.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractRow {
    pub name: String,
    pub badge: Badge,
    pub detail: String,
    /// "1,234".
    pub problems: String,
}

/// When the page was made.
#[derive(Debug, Clone, Serialize)]
pub struct Updated {
    /// "08:04:05".
    pub time: String,
    /// "3 November 2014".
    pub date: String,
}

/// Words the status of a quarter's returns for its page.
pub fn compose_returns_page(status: &ReturnsStatus, templates: &Templates) -> ReturnsPage {
    let org = &templates.organisation;
    let period = status.period.label();
    ReturnsPage {
        title: format!("Returns for {period}"),
        period,
        organisation: org.name.clone(),
        directorate: org.directorate.clone(),
        sample_data: org.sample_data,
        generator: format!("scorecard {}", env!("CARGO_PKG_VERSION")),
        due: deadline(status),
        counts: Counts {
            services: status.services.len(),
            accepted: status.count(ServiceState::Accepted)
                + status.count(ServiceState::AcceptedWithWarnings),
            with_warnings: status.count(ServiceState::AcceptedWithWarnings),
            rejected: status.count(ServiceState::Rejected),
            nothing_yet: status.count(ServiceState::NothingYet),
        },
        services: service_rows(status),
        arriving: status
            .arriving
            .iter()
            .map(|name| Arriving {
                badge: Badge::new(Look::Quiet, "Arriving"),
                name: name.clone(),
            })
            .collect(),
        extracts: status
            .extracts
            .iter()
            .map(|e| ExtractRow {
                name: e.name.clone(),
                badge: Badge::new(extract_look(e.state), e.state.label()),
                detail: e.detail.clone(),
                problems: count(e.problems),
            })
            .collect(),
        unmatched: status.unmatched.iter().map(file_row).collect(),
        other_files: status.other_files.clone(),
        updated: Updated {
            time: status.as_of.format("%H:%M:%S").to_string(),
            date: long_date(status.as_of.date_naive()),
        },
    }
}

/// The deadline, and once it has passed, who is still without a return.
fn deadline(status: &ReturnsStatus) -> Option<Deadline> {
    let due = status.due?;
    let passed = (status.as_of.date_naive() > due).then(|| {
        let overdue = status.services.iter().filter(|s| s.overdue).count();
        if overdue > 0 {
            format!("That date has passed: {overdue} service(s) have no accepted return.")
        } else {
            "That date has passed: every service has an accepted return.".into()
        }
    });
    Some(Deadline {
        date: long_date(due),
        passed,
    })
}

/// One row per file each service sent, or one for a service with none.
fn service_rows(status: &ReturnsStatus) -> Vec<ServiceRow> {
    let mut rows = Vec::new();
    for s in &status.services {
        if s.files.is_empty() {
            let no_return = if s.overdue {
                Badge::new(Look::Bad, "Nothing yet – overdue")
            } else {
                Badge::new(Look::Quiet, ServiceState::NothingYet.label())
            };
            rows.push(ServiceRow {
                service: s.service.clone(),
                file: None,
                no_return: Some(no_return),
            });
            continue;
        }
        rows.extend(s.files.iter().map(|f| ServiceRow {
            service: s.service.clone(),
            file: Some(file_row(f)),
            no_return: None,
        }));
    }
    rows
}

fn file_row(f: &SentFile) -> FileRow {
    let (look, superseded_by) = match &f.state {
        FileState::Accepted => (Look::Good, None),
        FileState::AcceptedWithWarnings => (Look::Warn, None),
        FileState::Rejected => (Look::Bad, None),
        FileState::Superseded { by } => (Look::Quiet, Some(by.clone())),
    };
    FileRow {
        name: f.name.clone(),
        badge: Badge::new(look, f.state.label()),
        superseded_by,
        submitted: f.submitted.map(|s| s.format(WHEN).to_string()),
        late: f.late,
        changed: f
            .changed
            .map(|c| c.format(WHEN).to_string())
            .unwrap_or_default(),
        problems: problems(f.errors, f.warnings),
        feedback: f.feedback.as_deref().map(href),
    }
}

fn extract_look(state: ExtractLook) -> Look {
    match state {
        ExtractLook::Used => Look::Good,
        ExtractLook::UsedWithProblems => Look::Warn,
        ExtractLook::Refused => Look::Bad,
        ExtractLook::Superseded => Look::Quiet,
    }
}

/// "None", "1 error", "2 errors, 3 warnings".
fn problems(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    match (errors, warnings) {
        (0, 0) => "None".into(),
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// A link's address: the relative path with each part percent-encoded,
/// so a file name with spaces or `#` still opens.
fn href(path: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_survive_awkward_file_names() {
        assert_eq!(
            href("feedback/LC return #2 (v3).xlsx"),
            "feedback/LC%20return%20%232%20%28v3%29.xlsx"
        );
    }

    #[test]
    fn problems_are_counted_in_words() {
        assert_eq!(problems(0, 0), "None");
        assert_eq!(problems(1, 0), "1 error");
        assert_eq!(problems(0, 2), "2 warnings");
        assert_eq!(problems(2, 1), "2 errors, 1 warning");
    }
}
