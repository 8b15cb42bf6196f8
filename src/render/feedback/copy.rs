//! The copy of an officer's sheet in a return's feedback: each problem
//! cell filled (red for errors, yellow for warnings) and carrying a note
//! saying what to fix.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Note, XlsxError};

use crate::diagnostic::Diagnostic;
use crate::model::palette::{ERROR_FILL, INPUT_FILL, WARNING, WARNING_BORDER};
use crate::model::workbook::{Cell, Sheet};

/// The name of the copy of an officer's sheet: "Your Indicators".
pub(super) fn copy_name(sheet: &str) -> String {
    let name: String = format!("Your {}", sheet.trim())
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .take(31)
        .collect();
    name
}

/// Most rows of an officer's sheet copied into feedback: returns are a few
/// dozen rows; anything longer is pasted data and is not needed to show the
/// problems.
const COPY_ROWS: u32 = 2_000;
const COPY_COLS: u32 = 60;

/// Copies one of the officer's sheets with each problem cell filled (red for
/// errors, yellow for warnings) and carrying a note saying what to fix.
pub(super) fn write_copy(
    sheet: &mut rust_xlsxwriter::Worksheet,
    copy: &Sheet,
    diagnostics: &[Diagnostic],
) -> Result<(), XlsxError> {
    sheet.set_name(copy_name(&copy.name))?;
    let date = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let error = Format::new()
        .set_background_color(Color::RGB(ERROR_FILL))
        .set_border(FormatBorder::Medium)
        .set_border_color(Color::RGB(WARNING));
    let warning = Format::new()
        .set_background_color(Color::RGB(INPUT_FILL))
        .set_border(FormatBorder::Medium)
        .set_border_color(Color::RGB(WARNING_BORDER));
    let plain = Format::new();
    let mut problems: BTreeMap<(u32, u32), Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics
        .iter()
        .filter(|d| d.cell().0 == Some(copy.name.as_str()))
    {
        if let Some((row, col)) = d.cell().1.and_then(parse_cell_ref) {
            problems.entry((row, col)).or_default().push(d);
        }
    }
    let formats = CopyFormats {
        error: &error,
        warning: &warning,
        plain: &plain,
        date: &date,
    };
    copy_cells(sheet, copy, &problems, &formats)?;
    note_problems(sheet, copy, &problems, &formats)?;
    sheet.set_column_width(0, 18)?;
    for c in 1..8 {
        sheet.set_column_width(c, 16)?;
    }
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0);
    Ok(())
}

/// The fills a copied cell may have.
struct CopyFormats<'a> {
    error: &'a Format,
    warning: &'a Format,
    plain: &'a Format,
    date: &'a Format,
}

impl CopyFormats<'_> {
    /// Red for a cell with an error, yellow for one with warnings only.
    fn of(&self, problems: Option<&Vec<&Diagnostic>>) -> &Format {
        match problems {
            Some(list) if list.iter().any(|d| d.is_error()) => self.error,
            Some(_) => self.warning,
            None => self.plain,
        }
    }
}

/// Copies the officer's cells as they were, filled where a problem is.
fn copy_cells(
    sheet: &mut rust_xlsxwriter::Worksheet,
    copy: &Sheet,
    problems: &BTreeMap<(u32, u32), Vec<&Diagnostic>>,
    formats: &CopyFormats,
) -> Result<(), XlsxError> {
    let (plain, date) = (formats.plain, formats.date);
    if let Some(((r0, c0), (r1, c1))) = copy.bounds() {
        for row in r0..=r1.min(r0 + COPY_ROWS) {
            for col in c0..=c1.min(c0 + COPY_COLS) {
                let format = formats.of(problems.get(&(row, col)));
                let col16 = col as u16;
                match copy.cell(row, col) {
                    Cell::Empty if problems.contains_key(&(row, col)) => {
                        sheet.write_blank(row, col16, format)?;
                    }
                    Cell::Empty => {}
                    Cell::Number(n) => {
                        sheet.write_number_with_format(row, col16, n, format)?;
                    }
                    // Text is written as text, never as a formula, whatever
                    // it starts with.
                    Cell::Text(t) => {
                        sheet.write_string_with_format(row, col16, t, format)?;
                    }
                    Cell::Bool(b) => {
                        sheet.write_boolean_with_format(row, col16, b, format)?;
                    }
                    Cell::Error(e) => {
                        sheet.write_string_with_format(row, col16, e, format)?;
                    }
                    Cell::Date(d) => {
                        let when = ExcelDateTime::parse_from_str(
                            &d.format("%Y-%m-%dT%H:%M:%S").to_string(),
                        )?;
                        let f = if format == plain { date } else { format };
                        sheet.write_datetime_with_format(row, col16, &when, f)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Puts each problem's note on its cell. Problems in cells beyond the
/// copied area (a missing column's heading, say) still get their
/// highlight and note.
fn note_problems(
    sheet: &mut rust_xlsxwriter::Worksheet,
    copy: &Sheet,
    problems: &BTreeMap<(u32, u32), Vec<&Diagnostic>>,
    formats: &CopyFormats,
) -> Result<(), XlsxError> {
    for (&(row, col), list) in problems {
        let format = formats.of(Some(list));
        if copy.cell(row, col).is_empty() {
            sheet.write_blank(row, col as u16, format)?;
        }
        let text: Vec<String> = list
            .iter()
            .map(|d| format!("{}: {}", d.severity.label(), d.message))
            .collect();
        let note = Note::new(text.join("\n\n"))
            .set_author("scorecard")
            .add_author_prefix(false)
            .set_width(420)
            .set_height(160);
        sheet.insert_note(row, col as u16, &note)?;
    }
    Ok(())
}

/// `D7` → (6, 3).
fn parse_cell_ref(cell: &str) -> Option<(u32, u32)> {
    let letters: String = cell
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let digits = &cell[letters.len()..];
    if letters.is_empty() || digits.is_empty() {
        return None;
    }
    let col = letters
        .chars()
        .try_fold(0u32, |acc, c| {
            acc.checked_mul(26)?
                .checked_add(c.to_ascii_uppercase() as u32 - 'A' as u32 + 1)
        })?
        .checked_sub(1)?;
    let row = digits.parse::<u32>().ok()?.checked_sub(1)?;
    Some((row, col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_round_trip() {
        for (row, col) in [(0, 0), (6, 3), (99, 26), (1_048_575, 16_383)] {
            let text = crate::diagnostic::cell_ref(row, col);
            assert_eq!(parse_cell_ref(&text), Some((row, col)), "{text}");
        }
        assert_eq!(parse_cell_ref("7"), None);
        assert_eq!(parse_cell_ref("D"), None);
        assert_eq!(parse_cell_ref("D0"), None);
        assert_eq!(copy_name("Indicators"), "Your Indicators");
        assert_eq!(copy_name(" a/b:c "), "Your abc");
    }
}
