//! Problems found in an input, as data: one type for every input.
//!
//! A problem is never a panic or a log line alone: it is a [`Diagnostic`]
//! with the rule broken, how serious it is, where it is and a sentence the
//! officer can act on. Where is a [`Location`]: a cell of a return's sheet
//! (`Indicators!D7`, in Excel's own letters and row numbers), a row and
//! column of an extract's list (`episodes.csv, row 7, column DECOM`), or an
//! element of an XML extract (`extract.xml, CHILD 12, EPISODE 2, DECOM`).
//! Feedback files, the run record, the status page and the console all
//! print these.
//!
//! A problem in a child's record never quotes the record: the value at
//! fault and the child travel beside the message ([`Diagnostic::value`],
//! [`Diagnostic::child`]), are never serialised, and are shown only in the
//! restricted workbooks.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::Serialize;

/// Errors reject the return (or leave a child out); warnings are reported
/// but the input is used.
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

/// Where a problem is, within its file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Location {
    /// The whole file.
    #[default]
    File,
    /// A sheet of a workbook, or a cell on it (`D7`).
    Cell {
        sheet: Box<str>,
        cell: Option<Box<str>>,
    },
    /// A row of a list, as the file numbers it (header row 1), and its
    /// column.
    Record { row: u32, column: Option<Box<str>> },
    /// An element of an XML file (`CHILD 12, EPISODE 2`), the value
    /// inside it, and the line the file has it on (0: not known).
    Element {
        element: Box<str>,
        column: Option<Box<str>>,
        line: u32,
    },
    /// A child as a whole, with no one row to point at (a child with no
    /// oc2 row): the child is named only in the restricted workbook.
    Child,
}

/// One problem in one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// A stable id for the rule, e.g. `number-not-number`.
    pub rule: &'static str,
    pub severity: Severity,
    /// The file, for an input of several files (an extract); a return's
    /// problems leave it out, the return being the file.
    pub file: Option<Box<str>>,
    pub location: Location,
    /// What is wrong and what to do, in plain words. For a child's record,
    /// never a value from it.
    pub message: String,
    /// The child and the value at fault, for the restricted files only.
    personal: Option<Box<Personal>>,
}

/// What a problem in a child's record keeps for the restricted files.
#[derive(Debug, Clone, PartialEq, Default)]
struct Personal {
    child: Option<String>,
    value: Option<String>,
}

impl Diagnostic {
    pub fn error(rule: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: Severity::Error,
            file: None,
            location: Location::File,
            message: message.into(),
            personal: None,
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
        self.location = Location::Cell {
            sheet: sheet.into(),
            cell: None,
        };
        self
    }

    /// Places the problem in a cell; `row` and `col` count from 0.
    pub fn at(mut self, sheet: &str, row: u32, col: u32) -> Diagnostic {
        self.location = Location::Cell {
            sheet: sheet.into(),
            cell: Some(cell_ref(row, col).into()),
        };
        self
    }

    /// Names the file of a set (an extract's list).
    pub fn in_file(mut self, file: &str) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    /// Places the problem at a row of a list (header row 1), and a column.
    pub fn at_row(mut self, row: u32, column: Option<String>) -> Diagnostic {
        self.location = Location::Record {
            row,
            column: column.map(Into::into),
        };
        self
    }

    /// Places the problem at an XML element, and a value in it.
    pub fn at_element(mut self, element: String, column: Option<String>) -> Diagnostic {
        self.location = Location::Element {
            element: element.into(),
            column: column.map(Into::into),
            line: 0,
        };
        self
    }

    /// The line the file has the problem's XML element on, as an editor
    /// numbers it; only for a problem placed at an element.
    pub fn on_line(mut self, line: u32) -> Diagnostic {
        if let Location::Element { line: at, .. } = &mut self.location {
            *at = line;
        }
        self
    }

    /// A problem with a child as a whole.
    pub fn about_a_child(mut self) -> Diagnostic {
        self.location = Location::Child;
        self
    }

    /// The child, kept for the restricted workbook.
    pub fn for_child(mut self, child: &str) -> Diagnostic {
        self.personal.get_or_insert_default().child =
            Some(child.to_string()).filter(|c| !c.is_empty());
        self
    }

    /// The value at fault, kept for the restricted feedback.
    pub fn with_value(mut self, value: &str) -> Diagnostic {
        self.personal.get_or_insert_default().value = Some(value.to_string());
        self
    }

    /// The child the problem concerns: for the restricted files only.
    pub fn child(&self) -> Option<&str> {
        self.personal.as_ref()?.child.as_deref()
    }

    /// The value at fault: for the restricted files only.
    pub fn value(&self) -> Option<&str> {
        self.personal.as_ref()?.value.as_deref()
    }

    /// The file's name, or "" for a return's own problems.
    pub fn file_name(&self) -> &str {
        self.file.as_deref().unwrap_or("")
    }

    /// The row of a list, when the problem is in one.
    pub fn row(&self) -> Option<u32> {
        match self.location {
            Location::Record { row, .. } => Some(row),
            _ => None,
        }
    }

    /// The XML element, when the problem is in one.
    pub fn element(&self) -> Option<&str> {
        match &self.location {
            Location::Element { element, .. } => Some(&**element),
            _ => None,
        }
    }

    /// The line of an XML element, when the problem is at one and its
    /// line is known.
    pub fn line(&self) -> Option<u32> {
        match self.location {
            Location::Element { line, .. } if line > 0 => Some(line),
            _ => None,
        }
    }

    /// The column of a list (or the value of an element).
    pub fn column(&self) -> Option<&str> {
        match &self.location {
            Location::Record { column, .. } | Location::Element { column, .. } => column.as_deref(),
            _ => None,
        }
    }

    /// The sheet and cell of a return, when the problem is in one.
    pub fn cell(&self) -> (Option<&str>, Option<&str>) {
        match &self.location {
            Location::Cell { sheet, cell } => (Some(&**sheet), cell.as_deref()),
            _ => (None, None),
        }
    }

    /// Where, in words: `Indicators!D7`, `Indicators`, `whole file`;
    /// `episodes.csv, row 7, column DECOM`; `e.xml, CHILD 12, EPISODE 2,
    /// DECOM`; `cin.xml, line 40, Child 3, CINdetails 1, CINreferralDate`;
    /// `the child's records`.
    pub fn location(&self) -> String {
        let in_file = |place: Vec<String>| {
            std::iter::once(self.file_name().to_string())
                .chain(place)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.location {
            Location::Cell {
                sheet,
                cell: Some(c),
            } => format!("{sheet}!{c}"),
            Location::Cell { sheet, cell: None } => sheet.to_string(),
            Location::File if self.file.is_none() => "whole file".to_string(),
            Location::File => self.file_name().to_string(),
            Location::Child => "the child's records".to_string(),
            Location::Record { row, column } => in_file(
                std::iter::once(format!("row {row}"))
                    .chain(column.iter().map(|c| format!("column {c}")))
                    .collect(),
            ),
            Location::Element {
                element,
                column,
                line,
            } => in_file(
                (*line > 0)
                    .then(|| format!("line {line}"))
                    .into_iter()
                    .chain(std::iter::once(element.to_string()))
                    .chain(column.iter().map(|c| c.to_string()))
                    .collect(),
            ),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A problem of a set of files (an extract) rather than of a return.
    fn of_a_set(&self) -> bool {
        self.file.is_some()
            || matches!(
                self.location,
                Location::Record { .. } | Location::Element { .. } | Location::Child
            )
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

/// As the run record shows it: a return's problem by sheet and cell, an
/// extract's by file, row, element and column. Never the value or the
/// child.
impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.of_a_set() {
            let fields = 7 + usize::from(self.line().is_some());
            let mut st = s.serialize_struct("Diagnostic", fields)?;
            st.serialize_field("rule", self.rule)?;
            st.serialize_field("severity", &self.severity)?;
            st.serialize_field("file", self.file_name())?;
            st.serialize_field("row", &self.row())?;
            match self.line() {
                Some(line) => st.serialize_field("line", &line)?,
                None => st.skip_field("line")?,
            }
            st.serialize_field("element", &self.element())?;
            st.serialize_field("column", &self.column())?;
            st.serialize_field("message", &self.message)?;
            st.end()
        } else {
            let (sheet, cell) = self.cell();
            let mut st = s.serialize_struct("Diagnostic", 5)?;
            st.serialize_field("rule", self.rule)?;
            st.serialize_field("severity", &self.severity)?;
            st.serialize_field("sheet", &sheet)?;
            st.serialize_field("cell", &cell)?;
            st.serialize_field("message", &self.message)?;
            st.end()
        }
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

    #[test]
    fn locations_name_file_row_and_column() {
        let p = Diagnostic::error("ssda903-date", "m")
            .in_file("episodes.csv")
            .at_row(7, Some("DECOM".into()));
        assert_eq!(p.location(), "episodes.csv, row 7, column DECOM");
        let p = Diagnostic::error("ssda903-date", "m")
            .in_file("e.xml")
            .at_element("CHILD 12, EPISODE 2".into(), Some("DECOM".into()));
        assert_eq!(p.location(), "e.xml, CHILD 12, EPISODE 2, DECOM");
        let p = p.on_line(40);
        assert_eq!(p.location(), "e.xml, line 40, CHILD 12, EPISODE 2, DECOM");
        assert_eq!(p.line(), Some(40));
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains(r#""row":null,"line":40,"element""#), "{json}");
        let p = Diagnostic::warning("ssda903-oc2-missing", "m").about_a_child();
        assert_eq!(p.location(), "the child's records");
    }

    #[test]
    fn the_record_shows_neither_value_nor_child() {
        let p = Diagnostic::error("ssda903-date", "DOB is not a real date.")
            .in_file("header.csv")
            .at_row(3, Some("DOB".into()))
            .for_child("CH1")
            .with_value("31/02/2005");
        let json = serde_json::to_string(&p).unwrap();
        assert!(!json.contains("CH1") && !json.contains("31/02"), "{json}");
        assert!(json.contains(r#""file":"header.csv","row":3"#), "{json}");
        let d = Diagnostic::error("x", "m").at("Indicators", 6, 3);
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"rule":"x","severity":"error","sheet":"Indicators","cell":"D7","message":"m"}"#
        );
    }
}
