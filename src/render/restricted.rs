//! `restricted/ssda903-children.xlsx`: the children behind each figure
//! worked out from the SSDA903 extract, for the performance team only.
//!
//! This is the one output that names children. It lists, for each
//! indicator whose borough figure came from the extract, every child (for
//! TS7, every review) in its denominator, whether it counts in the
//! numerator and the dates that decided it; then the children left out of
//! every figure with their problems, and the warnings. It is written to
//! its own folder so that nothing made for publication sits beside it.

use std::path::PathBuf;

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{RenderContext, Renderer};
use crate::output::write_atomic;
use crate::ssda903::{Extract, Problem};

/// The restricted workbook, written when the quarter has an extract.
pub struct RestrictedWorkbook;

/// The folder under the quarter's output that holds personal data.
pub const RESTRICTED_DIR: &str = "restricted";
/// The workbook's file name.
pub const FILE_NAME: &str = "ssda903-children.xlsx";

impl Renderer for RestrictedWorkbook {
    fn name(&self) -> &'static str {
        "restricted workbook"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let Some(extract) = ctx.ssda903 else {
            return Ok(Vec::new());
        };
        let refs: Vec<String> = ctx
            .scorecard
            .ssda903
            .as_ref()
            .map(|s| s.refs.clone())
            .unwrap_or_default();
        let bytes = workbook(ctx, extract, &refs)?;
        let path = ctx.out_dir.join(RESTRICTED_DIR).join(FILE_NAME);
        write_atomic(&path, &bytes)?;
        Ok(vec![path])
    }
}

struct Styles {
    header: Format,
    title: Format,
    bold: Format,
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
    }
}

fn workbook(ctx: &RenderContext, extract: &Extract, refs: &[String]) -> Result<Vec<u8>, XlsxError> {
    let s = styles();
    let mut book = Workbook::new();
    read_me(book.add_worksheet(), ctx, extract, refs, &s)?;
    for reference in refs {
        let Some(figure) = extract.figure(reference) else {
            continue;
        };
        let sheet = book.add_worksheet();
        sheet.set_name(reference)?;
        let mut headers = vec!["CHILD", "In the numerator"];
        headers.extend(figure.columns.iter().copied());
        table_header(sheet, &headers, &s)?;
        for (i, m) in figure.members.iter().enumerate() {
            let row = 1 + i as u32;
            sheet.write_string(row, 0, &*m.child)?;
            sheet.write_string(row, 1, if m.counted { "Yes" } else { "No" })?;
            for (c, d) in m.details.iter().enumerate() {
                sheet.write_string(row, 2 + c as u16, d.to_string())?;
            }
        }
        finish_table(sheet, headers.len(), figure.members.len())?;
    }
    let left = book.add_worksheet();
    left.set_name("Left out")?;
    let problems: Vec<&Problem> = extract
        .checked
        .left_out
        .iter()
        .flat_map(|l| &l.problems)
        .collect();
    problem_table(left, &problems, &s)?;
    let warnings = book.add_worksheet();
    warnings.set_name("Warnings")?;
    let list: Vec<&Problem> = extract
        .checked
        .warnings
        .iter()
        .chain(&extract.figure_warnings)
        .chain(extract.problems.iter())
        .collect();
    problem_table(warnings, &list, &s)?;
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!(
                "Children behind the SSDA903 figures, {} (personal data, not for publication)",
                ctx.scorecard.period.label()
            ))
            .set_author(&ctx.templates.organisation.name),
    );
    book.save_to_buffer()
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
            "This workbook names the children behind the figures {} worked out from the SSDA903 extract for {}.",
            ctx.templates.organisation.name,
            ctx.scorecard.period.label()
        ),
        "It is for the performance team: keep it where the council keeps case records, never attach it to a committee paper, and delete it when the quarter's figures are settled.".to_string(),
        format!("Extract: {}", extract.name),
        format!("Children in the extract: {}", extract.checked.children_in_extract),
        format!("Children left out of every figure: {} (sheet Left out)", extract.checked.left_out.len()),
        format!("Figures from the extract: {}", if refs.is_empty() { "none".to_string() } else { refs.join(", ") }),
        "Each indicator's sheet lists every child in its denominator (for TS7, every review), whether it counts in the numerator, and the dates that decided it.".to_string(),
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
        sheet.write_string_with_format(0, c as u16, *h, &s.header)?;
        sheet.set_column_width(c as u16, if c == 0 { 14.0 } else { 22.0 })?;
    }
    Ok(())
}

fn finish_table(sheet: &mut Worksheet, columns: usize, rows: usize) -> Result<(), XlsxError> {
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.max(1) as u32, columns.saturating_sub(1) as u16)?;
    Ok(())
}

fn problem_table(
    sheet: &mut Worksheet,
    problems: &[&Problem],
    s: &Styles,
) -> Result<(), XlsxError> {
    let headers = ["CHILD", "Where", "Severity", "Rule", "What to do"];
    table_header(sheet, &headers, s)?;
    for (i, p) in problems.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write_string(row, 0, p.child.as_deref().unwrap_or(""))?;
        sheet.write_string(row, 1, p.location())?;
        sheet.write_string(row, 2, p.severity.label())?;
        sheet.write_string(row, 3, p.rule)?;
        sheet.write_string(row, 4, &p.message)?;
    }
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(4, 100)?;
    finish_table(sheet, headers.len(), problems.len())
}
