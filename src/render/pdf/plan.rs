//! `improvement-plan.pdf`: progress against each of the inspection's
//! recommendations, with overdue actions and recommendations without an
//! action flagged, and the summary at the top.

use std::path::PathBuf;

use super::kit::{keep_with_next, Alignment, Cell, Color, KitError, Rich, Spacer, Table};
use super::{
    long_date, numbered, para, rgb, section_heading, write_pdf, GREY_TEXT, SHADE, WARNING,
};
use crate::render::excel::status_colours;
use crate::render::{RenderContext, Renderer};

/// Dark red for "OVERDUE", readable (4.5:1 or better) on every status fill.
pub(crate) const OVERDUE_TEXT: u32 = 0x9C0006;

/// The improvement plan as a PDF.
pub struct ImprovementPlanPdf;

impl Renderer for ImprovementPlanPdf {
    fn name(&self) -> &'static str {
        "improvement plan (PDF)"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let title = format!(
            "Improvement plan progress, {}",
            ctx.scorecard.period.label()
        );
        let subject = format!(
            "Progress against the recommendations of the {} {}",
            ctx.templates.plan.inspection.body, ctx.templates.plan.inspection.title
        );
        let path = write_pdf(ctx, "improvement-plan.pdf", &title, &subject, &|doc| {
            build(doc, ctx)
        })?;
        Ok(vec![path])
    }
}

fn build(doc: &mut genpdf::Document, ctx: &RenderContext) -> Result<(), KitError> {
    let plan = ctx.plan;
    let inspection = &ctx.templates.plan.inspection;
    let published = ctx.templates.plan.published();
    doc.push(section_heading(&format!(
        "Improvement plan progress, {}",
        plan.period.label()
    )));
    doc.push(para(format!(
        "{} {} of {}, carried out from {} to {} and published on {}. Each recommendation is due immediately, three months or six months after publication.",
        inspection.body,
        inspection.title.to_lowercase(),
        ctx.templates.organisation.name,
        date_text(&inspection.inspected_from),
        date_text(&inspection.inspected_to),
        long_date(published),
    )));
    // The plan's summary is the first paragraph of the report's passage.
    doc.push(keep_with_next(
        numbered("1", "Summary"),
        para(
            ctx.narrative
                .improvement
                .first()
                .cloned()
                .unwrap_or_default(),
        ),
    ));
    let s = &plan.summary;
    let mut counts = Table::new(&[1.0; 6])
        .font_size(9)
        .header_fill(SHADE)
        .with_header(
            [
                "Complete",
                "On track",
                "At risk",
                "Off track",
                "Not started",
                "Overdue",
            ]
            .iter()
            .map(|h| Cell::new(*h).bold().align(Alignment::Center))
            .collect(),
        )?;
    let status_cell = |n: usize, status| {
        let (fill, text) = status_colours(status);
        Cell::new(n.to_string())
            .fill(rgb(fill))
            .color(rgb(text))
            .bold()
            .align(Alignment::Center)
    };
    use crate::validate::ActionStatus::*;
    counts.push_row(vec![
        status_cell(s.complete, Complete),
        status_cell(s.on_track, OnTrack),
        status_cell(s.at_risk, AtRisk),
        status_cell(s.off_track, OffTrack),
        status_cell(s.not_started, NotStarted),
        Cell::new(s.overdue.to_string())
            .color(WARNING)
            .bold()
            .align(Alignment::Center),
    ])?;
    doc.push(counts);
    doc.push(Spacer::new(3.0));

    let mut areas: Vec<&str> = Vec::new();
    for rp in &plan.recommendations {
        if !areas.contains(&rp.recommendation.area.as_str()) {
            areas.push(&rp.recommendation.area);
        }
    }
    for (i, area) in areas.iter().enumerate() {
        let mut table = Table::new(&[1.3, 4.9, 2.0, 4.8, 2.6, 2.0, 1.9])
            .font_size(8)
            .padding(0.8)
            .header_fill(SHADE)
            .group_fill(Color::Rgb(0xEE, 0xF2, 0xF8))
            .with_header(
                [
                    "Ref",
                    "Recommendation",
                    "Due",
                    "Action",
                    "Lead officer",
                    "Action due",
                    "Status",
                ]
                .iter()
                .map(|h| Cell::new(*h).bold())
                .collect(),
            )?;
        for rp in plan
            .recommendations
            .iter()
            .filter(|rp| rp.recommendation.area == *area)
        {
            let r = &rp.recommendation;
            let rec = Cell::rich(
                Rich::new()
                    .plain(r.text.clone())
                    .italic(format!(" ({})", r.timescale.label().to_lowercase())),
            );
            let due = Cell::new(rp.due.format("%d/%m/%Y").to_string());
            if rp.actions.is_empty() {
                table.push_row(vec![
                    Cell::new(r.reference.clone()).bold(),
                    rec,
                    due,
                    Cell::new("No action reported").bold().color(WARNING),
                    Cell::new("–"),
                    Cell::new("–"),
                    Cell::new("No action").bold().color(WARNING),
                ])?;
                continue;
            }
            for (j, a) in rp.actions.iter().enumerate() {
                let (fill, text) = status_colours(a.action.status);
                let mut action = Rich::new().plain(a.action.action.clone());
                if let Some(u) = &a.action.update {
                    action = action.italic(format!("\nUpdate: {u}"));
                }
                action = action.italic(format!("\n({})", a.service));
                let status = if a.overdue {
                    Cell::rich(
                        Rich::new()
                            .bold(a.action.status.label())
                            .colored("\nOVERDUE", rgb(OVERDUE_TEXT)),
                    )
                    .fill(rgb(fill))
                } else {
                    Cell::new(a.action.status.label())
                        .bold()
                        .fill(rgb(fill))
                        .color(rgb(text))
                };
                table.push_row(vec![
                    if j == 0 {
                        Cell::new(r.reference.clone()).bold()
                    } else {
                        Cell::new("")
                    },
                    if j == 0 { rec.clone() } else { Cell::new("") },
                    if j == 0 { due.clone() } else { Cell::new("") },
                    Cell::rich(action),
                    Cell::new(a.action.lead.clone()),
                    Cell::new(a.action.due.format("%d/%m/%Y").to_string()),
                    status,
                ])?;
            }
        }
        doc.push(keep_with_next(numbered(&(i + 2).to_string(), area), table));
        doc.push(Spacer::new(3.0));
    }
    doc.push(
        Rich::text(format!(
            "Overdue: the action was due on or before {} and is not complete. Status colours: green complete or on track, amber at risk, red off track, grey not started; the status is always written in words.",
            long_date(plan.as_at)
        ))
        .font_size(8)
        .color(GREY_TEXT),
    );
    Ok(())
}

/// "2012-05-08" → "8 May 2012"; text that is not a date is shown as it is.
fn date_text(text: &str) -> String {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(long_date)
        .unwrap_or_else(|_| text.to_string())
}
