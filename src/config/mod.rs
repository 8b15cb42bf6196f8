//! The editable templates: what a performance officer may change without
//! touching code, loaded and checked before anything else is done.
//!
//! Everything that changes from meeting to meeting lives in `templates/`:
//! the organisation, the indicator catalogue (targets, tolerances,
//! benchmarks, who returns what), the services, the committee meeting, the
//! report's wording and layouts, the improvement plan and the bank
//! holidays. Each TOML file is read with `deny_unknown_fields`, so a
//! misspelt key is an error rather than a silent default ([`schema`]), then
//! checked for what serde cannot express ([`check`]): a theme that does not
//! exist, a duplicate ref. Every error names the file and line ([`place`]).
//! This floor stands on the base alone: the names the templates may use
//! ([`names`]) live here, not in the stages that use them.
//!
//! ```text
//!  templates/*.toml, *.j2, *.typ, bank-holidays.csv
//!        │ load: read each file, parse (serde, minijinja syntax)
//!        ▼
//!  schema types ──► check: cross-file rules, each mistake by file and line
//!        ▼
//!  Templates
//! ```

mod check;
pub mod deadline;
mod load;
pub mod names;
mod place;
mod schema;

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::BankHolidays;

pub use schema::*;

/// A mistake in a template file, located by file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", .file.display(), .line.map(|l| format!(", line {l}")).unwrap_or_default())]
pub struct TemplateError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

/// All problems found in the templates, reported together so an officer can
/// fix them in one go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the templates have {} problem(s):\n{}Fix these in the files named, then run again.", .0.len(), listed(.0))]
pub struct TemplateErrors(pub Vec<TemplateError>);

/// Each mistake on a line of its own, indented.
fn listed(errors: &[TemplateError]) -> String {
    errors.iter().map(|e| format!("  {e}\n")).collect()
}

/// Everything loaded from `templates/`, checked and ready to use.
#[derive(Debug, Clone, Serialize)]
pub struct Templates {
    pub dir: PathBuf,
    pub organisation: Organisation,
    pub themes: Vec<Theme>,
    pub indicators: Vec<Indicator>,
    pub services: Vec<Service>,
    pub meeting: Meeting,
    /// The text of `report.j2`, checked for syntax at load.
    pub report_source: String,
    pub plan: ImprovementPlan,
    pub outline: Outline,
    pub layouts: Layouts,
    /// Bank holidays, for counting working days (`bank-holidays.csv`).
    pub bank_holidays: BankHolidays,
}

impl Templates {
    /// The catalogue entry for a normalised ref.
    pub fn indicator(&self, reference: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.reference == reference)
    }

    /// The service a return names, matched case-insensitively on name or code.
    pub fn service(&self, name: &str) -> Option<&Service> {
        let wanted = name.trim().to_lowercase();
        self.services
            .iter()
            .find(|s| s.name.to_lowercase() == wanted || s.code.to_lowercase() == wanted)
    }

    /// The indicators a service returns, in catalogue order.
    pub fn indicators_for(&self, service: &str) -> Vec<&Indicator> {
        self.indicators
            .iter()
            .filter(|i| i.services.iter().any(|s| s == service))
            .collect()
    }

    pub fn theme_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.themes
            .iter()
            .find(|t| t.id == id)
            .map_or(id, |t| t.title.as_str())
    }

    /// The meeting date, already checked at load.
    pub fn meeting_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.meeting.date_of_meeting, "%Y-%m-%d").ok()
    }
}

/// `ts 3` → `TS3`: refs ignore case and inner spaces.
pub fn normalise_ref(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}
