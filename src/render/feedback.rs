//! `feedback/<return>.xlsx`: for each return with problems, what to fix
//! and where, in a workbook the officer can open beside their own.

use std::path::PathBuf;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};

use super::{RenderContext, Renderer};
use crate::diagnostic::Severity;
use crate::output::write_atomic;
use crate::validate::{CheckedReturn, ReturnStatus};

/// Feedback workbooks, one per return with errors or warnings.
pub struct Feedback;

/// The feedback file's name for a return: its own, as an `.xlsx`.
pub fn file_name(r: &CheckedReturn) -> String {
    let stem = r
        .file
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "return".to_string());
    format!("{stem}.xlsx")
}

/// What the officer should do next, in one sentence.
pub fn verdict(r: &CheckedReturn) -> String {
    match &r.status {
        ReturnStatus::Accepted => format!(
            "Accepted with {} warning(s). The figures are used; please check each warning below and correct your records if needed.",
            r.warnings()
        ),
        ReturnStatus::Rejected => format!(
            "Rejected: {} error(s) must be corrected before these figures can be used. Fix each one below in your return, save it, and send it again.",
            r.errors()
        ),
        ReturnStatus::Superseded { by } => format!(
            "Superseded by {by}, which was submitted later; this file's figures are not used."
        ),
    }
}

fn write_one(r: &CheckedReturn, ctx: &RenderContext) -> anyhow::Result<PathBuf> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x1F3864))
        .set_font_color(Color::White)
        .set_border(FormatBorder::Thin);
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let error = wrap
        .clone()
        .set_background_color(Color::RGB(0xF4CCCC))
        .set_bold();
    let warning = wrap.clone().set_background_color(Color::RGB(0xFFF2CC));

    let sheet = book.add_worksheet();
    sheet.set_name("Problems")?;
    sheet.write_string_with_format(0, 0, "Feedback on your quarterly return", &title)?;
    let facts = [
        ("File", r.file.name.clone()),
        (
            "Service",
            r.service.clone().unwrap_or_else(|| "not recognised".into()),
        ),
        (
            "Period",
            r.period
                .map(|p| p.label())
                .unwrap_or_else(|| "not recognised".into()),
        ),
        ("Outcome", verdict(r)),
        (
            "Run",
            format!(
                "{} scorecard for {}",
                ctx.templates.organisation.name,
                ctx.scorecard.period.label()
            ),
        ),
    ];
    for (i, (k, v)) in facts.iter().enumerate() {
        let row = 2 + i as u32;
        sheet.write_string_with_format(row, 0, *k, &bold)?;
        sheet.write_string(row, 1, v)?;
    }
    let top = 8;
    for (c, h) in ["Location", "Severity", "Rule", "What to do"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(top, c as u16, *h, &header)?;
    }
    for (i, d) in r.diagnostics.iter().enumerate() {
        let row = top + 1 + i as u32;
        let sev = if d.severity == Severity::Error {
            &error
        } else {
            &warning
        };
        sheet.write_string_with_format(row, 0, d.location(), &wrap)?;
        sheet.write_string_with_format(row, 1, d.severity.label(), sev)?;
        sheet.write_string_with_format(row, 2, d.rule, &wrap)?;
        sheet.write_string_with_format(row, 3, &d.message, &wrap)?;
    }
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 10)?;
    sheet.set_column_width(2, 26)?;
    sheet.set_column_width(3, 90)?;
    sheet.set_freeze_panes(top + 1, 0)?;
    sheet.autofilter(top, 0, top + r.diagnostics.len().max(1) as u32, 3)?;
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0);
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!("Feedback on {}", r.file.name))
            .set_author(&ctx.templates.organisation.name),
    );
    let path = ctx.out_dir.join("feedback").join(file_name(r));
    write_atomic(&path, &book.save_to_buffer()?)?;
    Ok(path)
}

impl Renderer for Feedback {
    fn name(&self) -> &'static str {
        "feedback"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for r in ctx.returns_for_period() {
            let superseded = matches!(r.status, ReturnStatus::Superseded { .. });
            if r.diagnostics.is_empty() && !superseded {
                continue;
            }
            written.push(write_one(r, ctx)?);
        }
        Ok(written)
    }
}
