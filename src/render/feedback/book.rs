//! The one feedback workbook, whatever it is about: a Problems sheet (a
//! heading, the facts of the file and what became of it, then a table of
//! problems with each severity filled red or yellow), and for a return, a
//! copy of each of the officer's sheets with the problem cells marked.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Url, Workbook, XlsxError};

use super::copy;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::palette::{ERROR_FILL, INPUT_FILL, NAVY, PAPER};
use crate::model::workbook::Sheet;

/// A problem's cells, its severity (which fills the severity cell) and
/// the link its first cell carries, if any.
pub type ProblemRow = (Severity, Vec<String>, Option<Url>);

/// What a feedback workbook shows.
pub struct FeedbackBook<'a> {
    /// The Problems sheet's first line.
    pub heading: String,
    /// `(label, value)` lines under it.
    pub facts: Vec<(&'static str, String)>,
    /// The problem table's headings and column widths.
    pub columns: &'static [(&'static str, f64)],
    /// Which column holds the severity.
    pub severity_column: u16,
    pub rows: Vec<ProblemRow>,
    /// The officer's sheets, copied with the problems marked.
    pub copies: &'a [Sheet],
    /// The problems the copies mark.
    pub diagnostics: &'a [Diagnostic],
    /// The workbook's title, in its properties.
    pub title: String,
}

/// The formats of the Problems sheet.
struct Formats {
    title: Format,
    bold: Format,
    header: Format,
    wrap: Format,
    error: Format,
    warning: Format,
}

impl Formats {
    fn new() -> Formats {
        let wrap = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(NAVY))
                .set_font_color(Color::RGB(PAPER))
                .set_border(FormatBorder::Thin),
            error: wrap
                .clone()
                .set_background_color(Color::RGB(ERROR_FILL))
                .set_bold(),
            warning: wrap.clone().set_background_color(Color::RGB(INPUT_FILL)),
            wrap,
        }
    }
}

impl FeedbackBook<'_> {
    /// The workbook's bytes.
    pub fn write(&self, author: &str) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        self.problems_sheet(book.add_worksheet())?;
        for sheet in self.copies {
            copy::write_copy(book.add_worksheet(), sheet, self.diagnostics)?;
        }
        book.set_properties(
            &rust_xlsxwriter::DocProperties::new()
                .set_title(&self.title)
                .set_author(author),
        );
        book.save_to_buffer()
    }

    fn problems_sheet(&self, sheet: &mut rust_xlsxwriter::Worksheet) -> Result<(), XlsxError> {
        let f = Formats::new();
        sheet.set_name("Problems")?;
        sheet.write_string_with_format(0, 0, &self.heading, &f.title)?;
        for (i, (k, v)) in self.facts.iter().enumerate() {
            let row = 2 + i as u32;
            sheet.write_string_with_format(row, 0, *k, &f.bold)?;
            sheet.write_string(row, 1, v)?;
        }
        let top = 3 + self.facts.len() as u32;
        for (c, (heading, width)) in self.columns.iter().enumerate() {
            sheet.write_string_with_format(top, c as u16, *heading, &f.header)?;
            sheet.set_column_width(c as u16, *width)?;
        }
        for (i, (severity, cells, link)) in self.rows.iter().enumerate() {
            let row = top + 1 + i as u32;
            for (c, text) in cells.iter().enumerate() {
                let c = c as u16;
                let format = match severity {
                    _ if c != self.severity_column => &f.wrap,
                    Severity::Error => &f.error,
                    Severity::Warning => &f.warning,
                };
                sheet.write_string_with_format(row, c, text, format)?;
            }
            if let Some(link) = link {
                sheet.write_url_with_format(row, 0, link.clone(), &f.wrap)?;
            }
        }
        let last = self.columns.len().saturating_sub(1) as u16;
        sheet.set_freeze_panes(top + 1, 0)?;
        sheet.autofilter(top, 0, top + self.rows.len().max(1) as u32, last)?;
        sheet
            .set_landscape()
            .set_paper_size(9)
            .set_print_fit_to_pages(1, 0);
        Ok(())
    }
}
