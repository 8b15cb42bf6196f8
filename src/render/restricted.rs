//! `restricted/ssda903-children.xlsx` (one per source of children's
//! records): the children behind each figure worked out from an extract,
//! for the performance team only.
//!
//! This is the one output that names children. It lists, for each
//! indicator whose borough figure came from the extract, every child (for
//! TS7, every review) in its denominator, whether it counts in the
//! numerator and the dates that decided it; then the children left out of
//! every figure with their problems, and the warnings. It is written to
//! its own folder so that nothing made for publication sits beside it.
//!
//! An extract for a whole country puts hundreds of thousands of rows on a
//! sheet, so the sheets are written row by row in constant memory (their
//! rows spooled to temporary files in the same restricted folder, never
//! the system's), and a sheet that would pass Excel's limit of 1,048,576
//! rows goes on in a second sheet, "TS7 (2)", under the same headings.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{RenderContext, Renderer};
use crate::diagnostic::Diagnostic;
use crate::output::write_atomic;
use crate::records::figure::{Computed, Detail, Member};
use crate::records::Extract;

/// The restricted workbook, written when the quarter has an extract.
pub struct RestrictedWorkbook;

/// The folder under the quarter's output that holds personal data.
pub const RESTRICTED_DIR: &str = "restricted";
/// The workbook's file name for an extract of `source`:
/// `ssda903-children.xlsx`.
pub fn file_name(source: crate::config::Source) -> String {
    format!("{}-children.xlsx", source.name())
}

/// Rows a sheet holds under its heading row: Excel's limit, less one.
pub const ROWS_PER_SHEET: usize = 1_048_575;

impl Renderer for RestrictedWorkbook {
    fn name(&self) -> &'static str {
        "restricted workbook"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for extract in &ctx.records {
            let refs: Vec<String> = ctx
                .scorecard
                .records_of(extract.source)
                .map(|s| s.refs.clone())
                .unwrap_or_default();
            let folder = ctx.out_dir.join(RESTRICTED_DIR);
            std::fs::create_dir_all(&folder)?;
            let bytes = workbook(ctx, extract, &refs, &folder, ROWS_PER_SHEET)?;
            let path = folder.join(file_name(extract.source));
            write_atomic(&path, &bytes)?;
            written.push(path);
        }
        Ok(written)
    }
}

struct Styles {
    header: Format,
    title: Format,
    bold: Format,
    date: Format,
}

fn styles() -> Styles {
    Styles {
        header: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0x1F3864))
            .set_font_color(Color::White)
            .set_border(FormatBorder::Thin),
        title: Format::new().set_bold().set_font_size(14),
        bold: Format::new().set_bold(),
        date: Format::new().set_num_format("dd/mm/yyyy"),
    }
}

fn workbook(
    ctx: &RenderContext,
    extract: &Extract,
    refs: &[String],
    spool: &Path,
    per_sheet: usize,
) -> Result<Vec<u8>, XlsxError> {
    use rayon::prelude::*;
    let s = styles();
    let mut book = Workbook::new();
    // The rows are personal data: spooled beside the workbook, not in the
    // system's temporary folder. Level 1 compresses a country's worth in
    // a fraction of the time, for a file a little larger.
    book.set_tempdir(spool)?;
    book.set_zip_compression_level(1);
    read_me(book.add_worksheet(), ctx, extract, refs, &s)?;
    let left: Vec<&Diagnostic> = extract.left_out.iter().flat_map(|l| &l.problems).collect();
    let warnings: Vec<&Diagnostic> = extract
        .warnings
        .iter()
        .chain(&extract.figure_warnings)
        .chain(extract.problems.iter())
        .collect();
    let mut sheets: Vec<Sheet> = refs
        .iter()
        .filter_map(|r| extract.figure(r))
        .flat_map(|f| Sheet::of_figure(f, per_sheet))
        .collect();
    sheets.extend(Sheet::of_problems("Left out", &left, per_sheet));
    sheets.extend(Sheet::of_problems("Warnings", &warnings, per_sheet));
    // Every sheet is added (in order) before any is filled; then they are
    // filled side by side, each streaming to its own spool file.
    for sheet in &sheets {
        book.add_worksheet_with_constant_memory()?
            .set_name(&sheet.name)?;
    }
    book.worksheets_mut()[1..]
        .par_iter_mut()
        .zip(&sheets)
        .try_for_each(|(worksheet, sheet)| sheet.write(worksheet, &s))?;
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!(
                "Children behind the {} figures, {} (personal data, not for publication)",
                extract.source.label(),
                ctx.scorecard.period.label()
            ))
            .set_author(&ctx.templates.organisation.name),
    );
    book.save_to_buffer()
}

/// One sheet of the workbook, before it is written: a figure's members or
/// a list of problems, or a part of one that a single sheet cannot hold.
struct Sheet<'a> {
    name: String,
    rows: Rows<'a>,
}

enum Rows<'a> {
    Members(&'a Computed, &'a [Member]),
    Problems(&'a [&'a Diagnostic]),
}

impl<'a> Sheet<'a> {
    fn of_figure(figure: &'a Computed, per_sheet: usize) -> Vec<Sheet<'a>> {
        parts(&figure.members, per_sheet)
            .into_iter()
            .enumerate()
            .map(|(n, members)| Sheet {
                name: sheet_name(figure.reference, n),
                rows: Rows::Members(figure, members),
            })
            .collect()
    }

    fn of_problems(name: &str, problems: &'a [&'a Diagnostic], per_sheet: usize) -> Vec<Sheet<'a>> {
        parts(problems, per_sheet)
            .into_iter()
            .enumerate()
            .map(|(n, chunk)| Sheet {
                name: sheet_name(name, n),
                rows: Rows::Problems(chunk),
            })
            .collect()
    }

    fn write(&self, sheet: &mut Worksheet, s: &Styles) -> Result<(), XlsxError> {
        match self.rows {
            Rows::Members(figure, members) => member_rows(sheet, figure, members, s),
            Rows::Problems(problems) => problem_rows(sheet, problems, s),
        }
    }
}

/// A list in parts of at most `per_sheet` rows; one empty part when the
/// list is empty, so that its sheet still shows its headings.
fn parts<T>(list: &[T], per_sheet: usize) -> Vec<&[T]> {
    if list.is_empty() {
        vec![list]
    } else {
        list.chunks(per_sheet).collect()
    }
}

/// The name of the `n`-th sheet (from 0) of a list: "TS7", "TS7 (2)".
fn sheet_name(name: &str, n: usize) -> String {
    if n == 0 {
        name.to_string()
    } else {
        format!("{name} ({})", n + 1)
    }
}

/// A figure's members: the child, whether it counts, and what decided it.
fn member_rows(
    sheet: &mut Worksheet,
    figure: &Computed,
    members: &[Member],
    s: &Styles,
) -> Result<(), XlsxError> {
    let mut headers = vec!["CHILD", "In the numerator"];
    headers.extend(figure.columns.iter().copied());
    table_header(sheet, &headers, s)?;
    for (i, m) in members.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write_string(row, 0, &*m.child)?;
        sheet.write_string(row, 1, if m.counted { "Yes" } else { "No" })?;
        for (c, d) in m.details.iter().enumerate() {
            write_detail(sheet, row, 2 + c as u16, d, s)?;
        }
    }
    finish_table(sheet, headers.len(), members.len())
}

/// A date as an Excel date (so it sorts and filters as one), a number as a
/// number, anything else as text.
fn write_detail(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    detail: &Detail,
    s: &Styles,
) -> Result<(), XlsxError> {
    match detail {
        Detail::Date(Some(d)) => {
            use chrono::Datelike;
            let day = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
            sheet.write_datetime_with_format(row, col, day, &s.date)?;
        }
        Detail::Date(None) => {}
        Detail::Number(n) => {
            sheet.write_number(row, col, *n as f64)?;
        }
        Detail::Code(c) => {
            sheet.write_string(row, col, *c)?;
        }
        Detail::Text(t) => {
            sheet.write_string(row, col, t)?;
        }
        Detail::Dates(_) => {
            sheet.write_string(row, col, detail.to_string())?;
        }
    }
    Ok(())
}

fn read_me(
    sheet: &mut Worksheet,
    ctx: &RenderContext,
    extract: &Extract,
    refs: &[String],
    s: &Styles,
) -> Result<(), XlsxError> {
    sheet.set_name("Read me")?;
    sheet.write_string_with_format(0, 0, "PERSONAL DATA: NOT FOR PUBLICATION", &s.title)?;
    let lines = [
        format!(
            "This workbook names the children behind the figures {} worked out from the {} extract for {}.",
            ctx.templates.organisation.name,
            extract.source.label(),
            ctx.scorecard.period.label()
        ),
        "It is for the performance team: keep it where the council keeps case records, never attach it to a committee paper, and delete it when the quarter's figures are settled.".to_string(),
        format!("Extract: {}", extract.name),
        format!("Children in the extract: {}", extract.children),
        format!("Children left out of every figure: {} (sheet Left out)", extract.left_out.len()),
        format!("Figures from the extract: {}", if refs.is_empty() { "none".to_string() } else { refs.join(", ") }),
        "Each indicator's sheet lists every child in its denominator (for TS7, every review), whether it counts in the numerator, and the dates that decided it. A list longer than a sheet can hold goes on in a sheet of the same name numbered (2), (3)…".to_string(),
    ];
    for (i, line) in lines.iter().enumerate() {
        sheet.write_string(2 + i as u32, 0, line)?;
    }
    sheet.write_string_with_format(2, 0, &lines[0], &s.bold)?;
    sheet.set_column_width(0, 120)?;
    Ok(())
}

fn table_header(sheet: &mut Worksheet, headers: &[&str], s: &Styles) -> Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        sheet.set_column_width(c as u16, if c == 0 { 14.0 } else { 22.0 })?;
        sheet.write_string_with_format(0, c as u16, *h, &s.header)?;
    }
    Ok(())
}

fn finish_table(sheet: &mut Worksheet, columns: usize, rows: usize) -> Result<(), XlsxError> {
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.max(1) as u32, columns.saturating_sub(1) as u16)?;
    Ok(())
}

/// Problems, with the child and the value at fault.
fn problem_rows(
    sheet: &mut Worksheet,
    problems: &[&Diagnostic],
    s: &Styles,
) -> Result<(), XlsxError> {
    let headers = ["CHILD", "Where", "Severity", "Rule", "What to do", "Value"];
    table_header(sheet, &headers, s)?;
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(4, 100)?;
    for (i, p) in problems.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write_string(row, 0, p.child().unwrap_or(""))?;
        sheet.write_string(row, 1, p.location())?;
        sheet.write_string(row, 2, p.severity.label())?;
        sheet.write_string(row, 3, p.rule)?;
        sheet.write_string(row, 4, &p.message)?;
        if let Some(v) = p.value() {
            sheet.write_string(row, 5, v)?;
        }
    }
    finish_table(sheet, headers.len(), problems.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_longer_than_a_sheet_goes_on_in_another() {
        let member = |i: usize| Member {
            child: format!("C{i}").into(),
            counted: i.is_multiple_of(2),
            details: vec![Detail::Number(i as i64)],
        };
        let figure = Computed {
            reference: "TS7",
            numerator: 3.0,
            denominator: Some(5.0),
            columns: &["n"],
            members: (0..5).map(member).collect(),
        };
        let dir = tempfile::tempdir().unwrap();
        let mut book = Workbook::new();
        book.set_tempdir(dir.path()).unwrap();
        for sheet in Sheet::of_figure(&figure, 2) {
            let worksheet = book.add_worksheet_with_constant_memory().unwrap();
            worksheet.set_name(&sheet.name).unwrap();
            sheet.write(worksheet, &styles()).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let path = dir.path().join("t.xlsx");
        std::fs::write(&path, bytes).unwrap();
        use calamine::Reader;
        let mut read = calamine::open_workbook_auto(&path).unwrap();
        assert_eq!(read.sheet_names(), ["TS7", "TS7 (2)", "TS7 (3)"]);
        let third = read.worksheet_range("TS7 (3)").unwrap();
        let rows: Vec<String> = third.rows().map(|r| r[0].to_string()).collect();
        assert_eq!(rows, ["CHILD", "C4"]);
    }
}
