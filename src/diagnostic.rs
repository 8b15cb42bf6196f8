//! Problems found in a return, as data.
//!
//! A problem is never a panic or a log line alone: it is a [`Diagnostic`]
//! with the rule broken, how serious it is, where it is (sheet and cell, in
//! Excel's own letters and row numbers) and a sentence the officer can act
//! on. Feedback files, the run record and the console all print these.

use std::fmt;

use serde::Serialize;

/// Errors reject the return; warnings are reported but the return is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        }
    }
}

/// One problem in one return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// A stable id for the rule, e.g. `number-not-number`.
    pub rule: &'static str,
    pub severity: Severity,
    /// The sheet as named in the workbook, when the problem is in one.
    pub sheet: Option<String>,
    /// The cell, e.g. `D7`, when the problem is in one.
    pub cell: Option<String>,
    /// What is wrong and what to do, in plain words.
    pub message: String,
}

impl Diagnostic {
    pub fn error(rule: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: Severity::Error,
            sheet: None,
            cell: None,
            message: message.into(),
        }
    }

    pub fn warning(rule: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(rule, message)
        }
    }

    /// Places the problem on a sheet.
    pub fn on_sheet(mut self, sheet: &str) -> Diagnostic {
        self.sheet = Some(sheet.to_string());
        self
    }

    /// Places the problem in a cell; `row` and `col` count from 0.
    pub fn at(mut self, sheet: &str, row: u32, col: u32) -> Diagnostic {
        self.sheet = Some(sheet.to_string());
        self.cell = Some(cell_ref(row, col));
        self
    }

    /// `Indicators!D7`, `Indicators`, or `whole file`.
    pub fn location(&self) -> String {
        match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => format!("{s}!{c}"),
            (Some(s), None) => s.clone(),
            _ => "whole file".to_string(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} [{}]: {}",
            self.location(),
            self.severity.label().to_lowercase(),
            self.rule,
            self.message
        )
    }
}

/// Excel's column letters for a 0-based column: 0 → `A`, 27 → `AB`.
pub fn column_letters(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Excel's address for a 0-based row and column: (6, 3) → `D7`.
pub fn cell_ref(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_match_excel() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(6, 3), "D7");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        let d = Diagnostic::error("x", "m").at("Indicators", 6, 3);
        assert_eq!(d.location(), "Indicators!D7");
    }
}
