//! The layout of a return workbook: its sheets and the labels and headings
//! on them, as the blank return writes them and the reader finds them.
//! One place, so the blank return, the sample returns and the checks
//! cannot drift apart.

/// The cover sheet: who sends what, for which quarter.
pub const COVER_SHEET: &str = "Return";
/// The indicators sheet: one row per indicator.
pub const INDICATORS_SHEET: &str = "Indicators";
/// The actions sheet: progress on the improvement plan.
pub const ACTIONS_SHEET: &str = "Actions";

/// The cover's labels as the reader finds them (see [`normalise_label`]).
pub const COVER_LABELS: [&str; 6] = [
    "service",
    "period",
    "prepared by",
    "email",
    "submitted",
    "template version",
];

/// A label or heading as typed, for matching: trimmed, without a trailing
/// colon, inner spaces single, lower case.
pub fn normalise_label(text: &str) -> String {
    text.trim()
        .trim_end_matches(':')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
