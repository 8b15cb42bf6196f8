//! Who has sent what: the picture behind the status page
//! (`output/<quarter>/returns.html`), written by `run` and kept up to date
//! by `watch` while the returns come in.
//!
//! It is made from the same checked returns as everything else, after the
//! resubmission rule has been applied, and classifies each expected service
//! as the committee report's data-quality statement does
//! ([`aggregate::aggregate`]'s picture): accepted when one of its returns
//! was, rejected when it sent returns but none was accepted, nothing yet
//! otherwise. Feedback is linked wherever the feedback renderer writes it.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime};

use crate::aggregate::period_of;
use crate::config::Templates;
use crate::model::returns::{CheckedReturn, ReturnStatus};
use crate::model::workbook::SkippedFile;
use crate::output::{feedback_file_name, FEEDBACK_FOLDER};
use crate::period::Period;
use crate::records::{Extract, ExtractStatus};

/// What became of one file, as the status page says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    Accepted,
    AcceptedWithWarnings,
    Rejected,
    /// Replaced by a later return for the same service and quarter.
    Superseded {
        by: String,
    },
}

impl FileState {
    pub fn of(r: &CheckedReturn) -> FileState {
        match &r.status {
            ReturnStatus::Accepted if r.warnings() > 0 => FileState::AcceptedWithWarnings,
            ReturnStatus::Accepted => FileState::Accepted,
            ReturnStatus::Rejected => FileState::Rejected,
            ReturnStatus::Superseded { by } => FileState::Superseded { by: by.clone() },
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            FileState::Accepted => "Accepted",
            FileState::AcceptedWithWarnings => "Accepted with warnings",
            FileState::Rejected => "Rejected",
            FileState::Superseded { .. } => "Superseded",
        }
    }
}

/// Where a service stands for the quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceState {
    Accepted,
    AcceptedWithWarnings,
    Rejected,
    NothingYet,
}

impl ServiceState {
    pub fn label(self) -> &'static str {
        match self {
            ServiceState::Accepted => "Accepted",
            ServiceState::AcceptedWithWarnings => "Accepted with warnings",
            ServiceState::Rejected => "Rejected",
            ServiceState::NothingYet => "Nothing yet",
        }
    }
}

/// One file a service sent.
#[derive(Debug, Clone)]
pub struct SentFile {
    /// Its name below `inputs/`.
    pub name: String,
    pub state: FileState,
    /// The Submitted date on its cover.
    pub submitted: Option<NaiveDateTime>,
    /// When the file was last changed on disk.
    pub changed: Option<DateTime<Local>>,
    pub errors: usize,
    pub warnings: usize,
    /// The feedback workbook, relative to the quarter's folder.
    pub feedback: Option<String>,
    /// Submitted after the deadline.
    pub late: bool,
}

/// One expected service and what it has sent.
#[derive(Debug, Clone)]
pub struct ServiceStatus {
    pub service: String,
    pub state: ServiceState,
    /// Newest first.
    pub files: Vec<SentFile>,
    /// Nothing accepted and the deadline has passed.
    pub overdue: bool,
}

/// The status of a quarter's returns.
#[derive(Debug, Clone)]
pub struct ReturnsStatus {
    pub period: Period,
    /// When the quarter's returns are due, if the templates say.
    pub due: Option<NaiveDate>,
    pub services: Vec<ServiceStatus>,
    /// Returns for the quarter that name no service in the catalogue (or
    /// could not be read at all).
    pub unmatched: Vec<SentFile>,
    /// Files in `inputs/` that are not returns.
    pub other_files: Vec<SkippedFile>,
    /// The quarter's extracts of children's records.
    pub extracts: Vec<ExtractState>,
    /// Files `watch` has seen arriving but that are not whole yet (a copy
    /// still going on): checked once they are.
    pub arriving: Vec<String>,
    /// When this picture was made.
    pub as_of: DateTime<Local>,
}

/// What became of an extract, as the status page says it: counts and
/// reasons only, nothing from a child's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractState {
    pub name: String,
    pub state: ExtractLook,
    /// "1,303 children, 3 left out"; "refused: episodes.csv was cut short".
    pub detail: String,
    pub problems: usize,
}

/// The state of an extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtractLook {
    Used,
    UsedWithProblems,
    Refused,
    Superseded,
}

impl ExtractLook {
    pub fn label(self) -> &'static str {
        match self {
            ExtractLook::Used => "Used",
            ExtractLook::UsedWithProblems => "Used, some children left out",
            ExtractLook::Refused => "Refused",
            ExtractLook::Superseded => "Superseded",
        }
    }
}

impl ExtractState {
    pub fn of(e: &Extract) -> ExtractState {
        use crate::text::count_of;
        let problems = e.all_problems().len();
        let (state, detail) = match &e.status {
            ExtractStatus::Used => {
                let left = e.left_out.len();
                (
                    if left > 0 {
                        ExtractLook::UsedWithProblems
                    } else {
                        ExtractLook::Used
                    },
                    format!(
                        "{}, {} left out of the figures",
                        count_of(e.children, "child", "children"),
                        crate::text::count(left)
                    ),
                )
            }
            ExtractStatus::Refused { because } => (
                ExtractLook::Refused,
                format!("Not used, so its figures come from the services' returns: {because}."),
            ),
            ExtractStatus::Superseded { by } => (
                ExtractLook::Superseded,
                format!("Replaced by {by}, which was changed more recently."),
            ),
        };
        ExtractState {
            name: e.name.clone(),
            state,
            detail,
            problems,
        }
    }
}

impl ReturnsStatus {
    /// The picture of `period` from every checked return (resubmissions
    /// already resolved), on `today`.
    pub fn build(
        templates: &Templates,
        returns: &[CheckedReturn],
        extracts: &[Extract],
        skipped: &[SkippedFile],
        period: Period,
        as_of: DateTime<Local>,
    ) -> ReturnsStatus {
        let due = templates.organisation.returns_due.due(period);
        let today = as_of.date_naive();
        let mine: Vec<&CheckedReturn> = returns
            .iter()
            .filter(|r| period_of(r).is_none_or(|p| p == period))
            .collect();
        let services = service_names(templates, &mine)
            .into_iter()
            .map(|service| ServiceStatus::of(service, &mine, due, today))
            .collect();
        let unmatched = mine
            .iter()
            .filter(|r| r.service.is_none())
            .map(|r| SentFile::of(r, due))
            .collect();
        ReturnsStatus {
            period,
            due,
            services,
            unmatched,
            other_files: skipped
                .iter()
                .filter(|s| !is_temporary(&s.name))
                .cloned()
                .collect(),
            extracts: extracts
                .iter()
                .filter(|e| e.is_extract() && e.period.is_none_or(|p| p == period))
                .map(ExtractState::of)
                .collect(),
            arriving: Vec::new(),
            as_of,
        }
    }

    /// How many services are in each state.
    pub fn count(&self, state: ServiceState) -> usize {
        self.services.iter().filter(|s| s.state == state).count()
    }

    /// The state of one service, by name.
    pub fn service(&self, name: &str) -> Option<&ServiceStatus> {
        self.services.iter().find(|s| s.service == name)
    }
}

/// The services the page lists: every service that returns indicators, and
/// any other known service that sent something this quarter.
fn service_names(templates: &Templates, mine: &[&CheckedReturn]) -> Vec<String> {
    let mut names: Vec<String> = templates
        .services
        .iter()
        .filter(|s| !templates.indicators_for(&s.name).is_empty())
        .map(|s| s.name.clone())
        .collect();
    // A known service that returns no indicators but sent something
    // (improvement-plan actions only) is shown too.
    for s in &templates.services {
        if !names.contains(&s.name) && mine.iter().any(|r| r.service.as_ref() == Some(&s.name)) {
            names.push(s.name.clone());
        }
    }
    names
}

impl ServiceStatus {
    /// What `service` has sent among the quarter's returns (`mine`), the
    /// accepted one first, then newest first; overdue once `today` is past
    /// `due` with nothing accepted.
    fn of(
        service: String,
        mine: &[&CheckedReturn],
        due: Option<NaiveDate>,
        today: NaiveDate,
    ) -> ServiceStatus {
        let mut files: Vec<&&CheckedReturn> = mine
            .iter()
            .filter(|r| r.service.as_deref() == Some(service.as_str()))
            .collect();
        files.sort_by(|a, b| {
            (b.status == ReturnStatus::Accepted)
                .cmp(&(a.status == ReturnStatus::Accepted))
                .then(b.submitted.cmp(&a.submitted))
                .then(a.file.name.cmp(&b.file.name))
        });
        let accepted = files.iter().find(|r| r.status == ReturnStatus::Accepted);
        let state = match accepted {
            Some(r) if r.warnings() > 0 => ServiceState::AcceptedWithWarnings,
            Some(_) => ServiceState::Accepted,
            None if files.is_empty() => ServiceState::NothingYet,
            None => ServiceState::Rejected,
        };
        ServiceStatus {
            overdue: accepted.is_none() && due.is_some_and(|d| today > d),
            files: files.into_iter().map(|r| SentFile::of(r, due)).collect(),
            service,
            state,
        }
    }
}

impl SentFile {
    /// A file as the page lists it; late when submitted after `due`.
    fn of(r: &CheckedReturn, due: Option<NaiveDate>) -> SentFile {
        SentFile {
            name: r.file.name.clone(),
            state: FileState::of(r),
            submitted: r.submitted,
            changed: std::fs::metadata(&r.file.path)
                .and_then(|m| m.modified())
                .ok()
                .map(DateTime::<Local>::from),
            errors: r.errors(),
            warnings: r.warnings(),
            feedback: r
                .needs_feedback()
                .then(|| format!("{FEEDBACK_FOLDER}/{}", feedback_file_name(&r.file.path))),
            late: matches!((r.submitted, due), (Some(s), Some(d)) if s.date() > d),
        }
    }
}

/// Files that programs leave while saving or copying (`report.xlsx.part`,
/// `~WRL0001.tmp`, `.~lock.report.xlsx#`): never anyone's return, and gone
/// a moment later, so not worth listing or reporting.
pub fn is_temporary(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_lowercase();
    base.starts_with('~')
        || base.starts_with('.')
        || base.ends_with('#')
        || [
            ".tmp",
            ".part",
            ".partial",
            ".crdownload",
            ".download",
            ".swp",
            ".temp",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_files_are_known() {
        for name in [
            "~WRL0001.tmp",
            "q2/LC return.xlsx.part",
            ".~lock.LC.xlsx#",
            "~$LC.xlsx",
            "LC.xlsx.crdownload",
        ] {
            assert!(is_temporary(name), "{name}");
        }
        for name in ["LC return.xlsx", "notes.docx", "2014-15-Q2/YOS.csv"] {
            assert!(!is_temporary(name), "{name}");
        }
    }
}
