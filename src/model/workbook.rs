//! What the inputs are, before any judgement: a file found in `inputs/`,
//! what is known of its bytes, and a workbook's sheets with their cells as
//! the officer typed them (the quirks of each file format smoothed away).

use std::collections::BTreeMap;
use std::path::PathBuf;

use calamine::Data;
use chrono::NaiveDateTime;
use serde::Serialize;

use crate::diagnostic::cell_ref;
use crate::period::Period;

/// A return file found in the inputs folder.
#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    /// Where it is on disk.
    pub path: PathBuf,
    /// How it is named to people: the path below `inputs/`, with `/`.
    pub name: String,
    /// Lower-case extension, one of [`WORKBOOK_EXTENSIONS`].
    pub extension: String,
    /// The period of the folder it sits in, when that folder is named like one.
    pub folder_period: Option<Period>,
}

/// A file in the inputs folder that is not a return.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedFile {
    pub name: String,
    pub reason: String,
}

/// A cell's content, with the quirks of each file format smoothed away.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Number(f64),
    Text(String),
    Bool(bool),
    /// A spreadsheet error such as `#DIV/0!` or LibreOffice's `Err:502`.
    Error(String),
    Date(NaiveDateTime),
}

impl Cell {
    fn from_data(data: &Data) -> Cell {
        match data {
            Data::Empty => Cell::Empty,
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Float(f) => Cell::Number(*f),
            Data::Bool(b) => Cell::Bool(*b),
            Data::Error(e) => Cell::Error(e.to_string()),
            Data::String(s) => {
                if s.trim().is_empty() {
                    Cell::Empty
                } else if is_error_text(s) {
                    // ODS files carry error cells as their text.
                    Cell::Error(s.trim().to_string())
                } else {
                    Cell::Text(s.clone())
                }
            }
            Data::DateTime(dt) => {
                if dt.is_duration() {
                    Cell::Number(dt.as_f64())
                } else {
                    dt.as_datetime()
                        .map_or(Cell::Number(dt.as_f64()), Cell::Date)
                }
            }
            Data::DateTimeIso(s) => parse_iso(s).map_or_else(|| Cell::Text(s.clone()), Cell::Date),
            Data::DurationIso(s) => Cell::Text(s.clone()),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The cell as an officer would read it, for quoting in messages.
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Number(n) => format!("{n}"),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => e.clone(),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
        }
    }
}

fn parse_iso(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
}

/// Whether text is a spreadsheet error value as Excel or LibreOffice show it.
pub fn is_error_text(s: &str) -> bool {
    let s = s.trim();
    const EXCEL: [&str; 9] = [
        "#DIV/0!",
        "#N/A",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#REF!",
        "#VALUE!",
        "#GETTING_DATA",
        "#SPILL!",
    ];
    EXCEL.iter().any(|e| e.eq_ignore_ascii_case(s))
        || s.strip_prefix("Err:")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// One sheet's cells, addressed by Excel row and column (from 0). Only the
/// filled cells are held, and none beyond the rows and columns a return
/// can use (the reader refuses a sheet that goes further).
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The name as written in the workbook (e.g. ` indicators `).
    pub name: String,
    cells: BTreeMap<(u32, u32), Data>,
    bounds: Option<((u32, u32), (u32, u32))>,
}

impl Sheet {
    /// A sheet from its filled cells and the rows and columns they span.
    pub fn from_parts(
        name: &str,
        cells: BTreeMap<(u32, u32), Data>,
        bounds: Option<((u32, u32), (u32, u32))>,
    ) -> Sheet {
        Sheet {
            name: name.to_string(),
            cells,
            bounds,
        }
    }

    /// The cell at an absolute position; `Empty` where nothing is filled.
    pub fn cell(&self, row: u32, col: u32) -> Cell {
        self.cells
            .get(&(row, col))
            .map_or(Cell::Empty, Cell::from_data)
    }

    /// The rows and columns in use, as absolute (first, last) pairs.
    pub fn bounds(&self) -> Option<((u32, u32), (u32, u32))> {
        self.bounds
    }

    /// `Indicators!D7`.
    pub fn address(&self, row: u32, col: u32) -> String {
        format!("{}!{}", self.name, cell_ref(row, col))
    }
}

/// The file format, by content rather than by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

/// What the run knows of a file before it is parsed: its size and checksum.
#[derive(Debug, Clone, Serialize)]
pub struct FileFacts {
    pub bytes: u64,
    pub sha256: String,
}

/// The sheets of a return that the contract uses.
#[derive(Debug, Clone)]
pub struct Workbook {
    pub format: Format,
    /// Every sheet's name, in workbook order, for messages.
    pub sheet_names: Vec<String>,
    /// Names of the sheets hidden in the workbook (hidden or very hidden).
    pub hidden_sheets: Vec<String>,
    pub cover: Option<Sheet>,
    pub indicators: Option<Sheet>,
    pub actions: Option<Sheet>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_text_matches_excel_and_libreoffice() {
        for s in ["#DIV/0!", "#n/a", " #VALUE! ", "Err:502"] {
            assert!(is_error_text(s), "{s}");
        }
        for s in ["n/a", "Err:", "Error", "12"] {
            assert!(!is_error_text(s), "{s}");
        }
    }
}
