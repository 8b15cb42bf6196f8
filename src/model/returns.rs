//! A return as the stages above reading see it: its figures and actions,
//! and what became of the file (accepted, rejected, superseded) with its
//! problems.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::layout::normalise_label;
use super::workbook::{FileFacts, InputFile, Sheet};
use crate::diagnostic::Diagnostic;
use crate::period::Period;

/// One indicator's figures from one return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    #[serde(rename = "ref")]
    pub reference: String,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    pub commentary: Option<String>,
    /// Excel row number (from 1), for feedback.
    pub row: u32,
    /// Where the figures were, e.g. `Indicators` and `D7`, for warnings
    /// raised after the return was read.
    #[serde(skip)]
    pub cells: FigureCells,
}

/// The cells a figure was read from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FigureCells {
    pub sheet: String,
    /// (row, column) from 0 of Numerator, Denominator and Value.
    pub numerator: Option<(u32, u32)>,
    pub denominator: Option<(u32, u32)>,
    pub value: Option<(u32, u32)>,
}

/// Progress on an improvement-plan action, from the Actions sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// The recommendation it answers, as the plan spells it.
    #[serde(rename = "ref")]
    pub reference: String,
    pub action: String,
    pub lead: String,
    pub due: NaiveDate,
    pub status: ActionStatus,
    pub update: Option<String>,
    /// Excel row number (from 1).
    pub row: u32,
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ActionStatus {
    #[serde(rename = "Not started")]
    NotStarted,
    #[serde(rename = "On track")]
    OnTrack,
    #[serde(rename = "At risk")]
    AtRisk,
    #[serde(rename = "Off track")]
    OffTrack,
    Complete,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 5] = [
        ActionStatus::NotStarted,
        ActionStatus::OnTrack,
        ActionStatus::AtRisk,
        ActionStatus::OffTrack,
        ActionStatus::Complete,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::NotStarted => "Not started",
            ActionStatus::OnTrack => "On track",
            ActionStatus::AtRisk => "At risk",
            ActionStatus::OffTrack => "Off track",
            ActionStatus::Complete => "Complete",
        }
    }

    /// A status as typed, ignoring case and spacing.
    pub fn parse(text: &str) -> Option<ActionStatus> {
        let norm = normalise_label(text);
        ActionStatus::ALL
            .into_iter()
            .find(|s| s.label().to_lowercase() == norm)
    }
}

impl Figure {
    /// A row with a ref and commentary but no figures: "no data this quarter".
    pub fn is_no_data(&self) -> bool {
        self.numerator.is_none() && self.denominator.is_none() && self.value.is_none()
    }
}

/// A return that passed validation.
#[derive(Debug, Clone, Serialize)]
pub struct Return {
    /// The service's name as the catalogue spells it.
    pub service: String,
    pub period: Period,
    pub prepared_by: String,
    pub email: Option<String>,
    pub submitted: NaiveDateTime,
    pub template_version: Option<String>,
    pub figures: Vec<Figure>,
    pub actions: Vec<Action>,
}

/// What became of a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum ReturnStatus {
    Accepted,
    Rejected,
    /// A later return for the same service and period replaced it.
    Superseded {
        by: String,
    },
}

impl ReturnStatus {
    pub fn label(&self) -> &'static str {
        match self {
            ReturnStatus::Accepted => "Accepted",
            ReturnStatus::Rejected => "Rejected",
            ReturnStatus::Superseded { .. } => "Superseded",
        }
    }
}

/// A file after validation: its status, problems and, when accepted, its
/// content.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedReturn {
    pub file: InputFile,
    pub facts: Option<FileFacts>,
    pub status: ReturnStatus,
    /// The service, when the cover named a known one.
    pub service: Option<String>,
    /// The period, when the cover gave a readable one.
    pub period: Option<Period>,
    /// When the cover gave a readable submission date.
    pub submitted: Option<NaiveDateTime>,
    pub diagnostics: Vec<Diagnostic>,
    /// Present unless the return was rejected.
    #[serde(skip)]
    pub content: Option<Return>,
    /// The contract's sheets as the officer sent them, so feedback can show
    /// each problem in place.
    #[serde(skip)]
    pub sheets: Vec<Sheet>,
}

impl CheckedReturn {
    /// Whether the return gets a feedback workbook: it has problems, or a
    /// later return replaced it.
    pub fn needs_feedback(&self) -> bool {
        !self.diagnostics.is_empty() || matches!(self.status, ReturnStatus::Superseded { .. })
    }

    /// Its feedback workbook's name: the return's own, as an `.xlsx`.
    pub fn feedback_file_name(&self) -> String {
        crate::output::feedback_file_name(&self.file.path)
    }

    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// The accepted content, when this return counts.
    pub fn accepted(&self) -> Option<&Return> {
        match self.status {
            ReturnStatus::Accepted => self.content.as_ref(),
            _ => None,
        }
    }
}
