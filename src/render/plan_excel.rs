//! `improvement-plan.xlsx`: one row per action (and per recommendation with
//! none), to sort and filter, with the summary at the top.

use std::path::PathBuf;

use rust_xlsxwriter::{
    Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::{RenderContext, Renderer};
use crate::improvement::{ActionProgress, RecommendationProgress};
use crate::model::palette::{status_colours, CELL_BORDER, NAVY, PAPER, WARNING};
use crate::output::write_atomic;

/// The improvement plan as a workbook.
pub struct ImprovementPlanExcel;

/// Row (from 0) of the header.
pub const HEADER_ROW: u32 = 3;

/// The formats the sheet's cells share.
struct PlanFormats {
    base: Format,
    header: Format,
    bold: Format,
    /// "No action reported", "Overdue": bold, in the warning colour.
    flag: Format,
}

impl PlanFormats {
    fn new() -> PlanFormats {
        let base = Format::new()
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(CELL_BORDER))
            .set_align(FormatAlign::Top)
            .set_text_wrap();
        PlanFormats {
            header: base
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(NAVY))
                .set_font_color(Color::RGB(PAPER)),
            bold: base.clone().set_bold(),
            flag: base.clone().set_bold().set_font_color(Color::RGB(WARNING)),
            base,
        }
    }
}

impl Renderer for ImprovementPlanExcel {
    fn name(&self) -> &'static str {
        "improvement plan (Excel)"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let plan = ctx.plan;
        let mut book = Workbook::new();
        book.set_properties(
            &DocProperties::new()
                .set_title(format!(
                    "Improvement plan progress, {}",
                    plan.period.label()
                ))
                .set_author(&ctx.templates.organisation.name),
        );
        let sheet = book.add_worksheet();
        let f = PlanFormats::new();
        plan_heading(sheet, ctx, &f)?;
        let mut row = HEADER_ROW + 1;
        for rp in &plan.recommendations {
            if rp.actions.is_empty() {
                unanswered_row(sheet, row, rp, &f)?;
                row += 1;
            }
            for a in &rp.actions {
                action_row(sheet, row, rp, a, &f)?;
                row += 1;
            }
        }
        plan_layout(sheet, row)?;
        let path = ctx.out_dir.join("improvement-plan.xlsx");
        write_atomic(&path, &book.save_to_buffer()?)?;
        Ok(vec![path])
    }
}

/// The sheet's name, title, the summary sentence and the header row.
fn plan_heading(
    sheet: &mut Worksheet,
    ctx: &RenderContext,
    f: &PlanFormats,
) -> Result<(), XlsxError> {
    sheet.set_name("Improvement plan")?;
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "{} – improvement plan progress, {}",
            ctx.templates.organisation.name,
            ctx.plan.period.label()
        ),
        &Format::new().set_bold().set_font_size(14),
    )?;
    sheet.write_string(
        1,
        0,
        ctx.narrative
            .passage("improvement")
            .first()
            .map_or("", String::as_str),
    )?;
    let heads = [
        "Ref",
        "Area",
        "Recommendation",
        "Timescale",
        "Due",
        "Service",
        "Action",
        "Lead officer",
        "Action due",
        "Status",
        "Overdue",
        "Update",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, *h, &f.header)?;
    }
    Ok(())
}

/// The recommendation's own cells, repeated on each of its rows so that a
/// row still says what it answers when the sheet is sorted or filtered.
fn recommendation_cells(
    sheet: &mut Worksheet,
    row: u32,
    rp: &RecommendationProgress,
    f: &PlanFormats,
) -> Result<(), XlsxError> {
    let r = &rp.recommendation;
    sheet.write_string_with_format(row, 0, &r.reference, &f.bold)?;
    sheet.write_string_with_format(row, 1, &r.area, &f.base)?;
    sheet.write_string_with_format(row, 2, &r.text, &f.base)?;
    sheet.write_string_with_format(row, 3, r.timescale.label(), &f.base)?;
    sheet.write_string_with_format(row, 4, rp.due.format("%d/%m/%Y").to_string(), &f.base)?;
    Ok(())
}

/// A recommendation no service has reported an action against.
fn unanswered_row(
    sheet: &mut Worksheet,
    row: u32,
    rp: &RecommendationProgress,
    f: &PlanFormats,
) -> Result<(), XlsxError> {
    recommendation_cells(sheet, row, rp, f)?;
    sheet.write_string_with_format(row, 6, "No action reported", &f.flag)?;
    sheet.write_string_with_format(row, 9, "No action", &f.flag)?;
    for c in [5, 7, 8, 10, 11] {
        sheet.write_blank(row, c, &f.base)?;
    }
    Ok(())
}

/// One action, its status in the status's colours.
fn action_row(
    sheet: &mut Worksheet,
    row: u32,
    rp: &RecommendationProgress,
    a: &ActionProgress,
    f: &PlanFormats,
) -> Result<(), XlsxError> {
    recommendation_cells(sheet, row, rp, f)?;
    let (fill, text) = status_colours(a.action.status);
    let status = f
        .bold
        .clone()
        .set_background_color(Color::RGB(fill))
        .set_font_color(Color::RGB(text));
    sheet.write_string_with_format(row, 5, &a.service, &f.base)?;
    sheet.write_string_with_format(row, 6, &a.action.action, &f.base)?;
    sheet.write_string_with_format(row, 7, &a.action.lead, &f.base)?;
    sheet.write_string_with_format(row, 8, a.action.due.format("%d/%m/%Y").to_string(), &f.base)?;
    sheet.write_string_with_format(row, 9, a.action.status.label(), &status)?;
    if a.overdue {
        sheet.write_string_with_format(row, 10, "Overdue", &f.flag)?;
    } else {
        sheet.write_blank(row, 10, &f.base)?;
    }
    sheet.write_string_with_format(row, 11, a.action.update.as_deref().unwrap_or(""), &f.base)?;
    Ok(())
}

/// Column widths, frozen headings, a filter and printing on A4, for a sheet
/// whose rows end before `next_row`.
fn plan_layout(sheet: &mut Worksheet, next_row: u32) -> Result<(), XlsxError> {
    let widths = [
        8.0, 16.0, 50.0, 12.0, 11.0, 22.0, 45.0, 24.0, 11.0, 11.0, 9.0, 40.0,
    ];
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 1)?;
    sheet.autofilter(
        HEADER_ROW,
        0,
        next_row.saturating_sub(1).max(HEADER_ROW + 1),
        11,
    )?;
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0)
        .set_repeat_rows(HEADER_ROW, HEADER_ROW)?
        .set_footer("&LImprovement plan&RPage &P of &N");
    Ok(())
}
