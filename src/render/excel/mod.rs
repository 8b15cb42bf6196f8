//! `scorecard.xlsx`: the scorecard as officers and analysts use it: sortable,
//! filterable, printable on one page width, RAG shown as a word and a fill.
//!
//! Three sheets, a file each beside this one: [`scorecard`] (every
//! indicator by theme, the quarters shown, its judgement and commentary),
//! [`trends`] (each chart's figures as a table, with a native chart) and
//! the Returns sheet here (what became of each return).

mod scorecard;
mod trends;

use std::path::PathBuf;

use rust_xlsxwriter::{Color, DocProperties, Format, Workbook, Worksheet, XlsxError};

use super::{RenderContext, Renderer};
use crate::judge::Measure;
use crate::model::palette::{NAVY, PAPER};
use crate::model::returns::{CheckedReturn, ReturnStatus};
use crate::output::write_atomic;

pub use scorecard::HEADER_ROW;

/// The Excel scorecard.
pub struct ExcelScorecard;

/// The Excel number format for a measure's displayed value.
pub fn number_format(measure: Measure) -> &'static str {
    match measure {
        Measure::Percent => "0.0\"%\"",
        Measure::Count => "#,##0",
        Measure::Rate10k | Measure::Average => "#,##0.0",
    }
}

impl Renderer for ExcelScorecard {
    fn name(&self) -> &'static str {
        "excel"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let mut book = Workbook::new();
        let title = ctx.narrative.title.clone();
        book.set_properties(
            &DocProperties::new()
                .set_title(format!("{title}, {}", ctx.scorecard.period.label()))
                .set_author(&ctx.templates.organisation.name)
                .set_subject(format!(
                    "{} performance scorecard",
                    ctx.templates.organisation.directorate
                ))
                .set_company(&ctx.templates.organisation.name),
        );
        scorecard::scorecard_sheet(book.add_worksheet(), ctx, &title)?;
        trends::trends_sheet(book.add_worksheet(), ctx)?;
        returns_sheet(book.add_worksheet(), ctx)?;
        let path = ctx.out_dir.join("scorecard.xlsx");
        write_atomic(&path, &book.save_to_buffer()?)?;
        Ok(vec![path])
    }
}

/// The Returns sheet: every return for the quarter, what became of it and
/// where its feedback is, then the services that sent nothing.
fn returns_sheet(sheet: &mut Worksheet, ctx: &RenderContext) -> Result<(), XlsxError> {
    sheet.set_name("Returns")?;
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(NAVY))
        .set_font_color(Color::RGB(PAPER));
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(
        0,
        0,
        format!("Returns for {}", ctx.scorecard.period.label()),
        &Format::new().set_bold().set_font_size(14),
    )?;
    sheet.write_string(1, 0, returns_summary(ctx))?;
    let heads = [
        "Service",
        "File",
        "Status",
        "Submitted",
        "Errors",
        "Warnings",
        "Notes",
        "SHA-256",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &header)?;
    }
    let mut row = 3;
    for r in ctx.returns_for_period() {
        return_row(sheet, row, r, &bold)?;
        row += 1;
    }
    for service in &ctx.scorecard.returns.missing {
        sheet.write_string(row, 0, service)?;
        sheet.write_string_with_format(row, 2, "Missing", &bold)?;
        sheet.write_string(row, 6, "No return received")?;
        row += 1;
    }
    let widths = [30.0, 40.0, 12.0, 17.0, 8.0, 9.0, 40.0, 66.0];
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_freeze_panes(3, 0)?;
    sheet.autofilter(2, 0, row.saturating_sub(1).max(3), 7)?;
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0);
    Ok(())
}

/// "Received 12: 10 accepted, 1 rejected, 1 superseded. Missing: none."
fn returns_summary(ctx: &RenderContext) -> String {
    let lines: Vec<_> = ctx.returns_for_period().collect();
    let count = |label: &str| lines.iter().filter(|r| r.status.label() == label).count();
    format!(
        "Received {}: {} accepted, {} rejected, {} superseded. Missing: {}.",
        lines.len(),
        count("Accepted"),
        count("Rejected"),
        count("Superseded"),
        if ctx.scorecard.returns.missing.is_empty() {
            "none".to_string()
        } else {
            ctx.scorecard.returns.missing.join(", ")
        }
    )
}

/// One return's row of the Returns sheet.
fn return_row(
    sheet: &mut Worksheet,
    row: u32,
    r: &CheckedReturn,
    bold: &Format,
) -> Result<(), XlsxError> {
    sheet.write_string(row, 0, r.service.as_deref().unwrap_or("(not recognised)"))?;
    sheet.write_string(row, 1, &r.file.name)?;
    sheet.write_string_with_format(row, 2, r.status.label(), bold)?;
    if let Some(s) = r.submitted {
        sheet.write_string(row, 3, s.format("%d/%m/%Y %H:%M").to_string())?;
    }
    sheet.write_number(row, 4, r.errors() as f64)?;
    sheet.write_number(row, 5, r.warnings() as f64)?;
    let note = match &r.status {
        ReturnStatus::Superseded { by } => format!("Replaced by {by}"),
        _ if !r.diagnostics.is_empty() => {
            format!("See feedback/{}", r.feedback_file_name())
        }
        _ => String::new(),
    };
    sheet.write_string(row, 6, &note)?;
    if let Some(f) = &r.facts {
        sheet.write_string(row, 7, &f.sha256)?;
    }
    Ok(())
}
