//! `committee-report.pdf`: the report to committee, laid out like the
//! council papers it sits among: the heading block, Section 1 (summary and
//! recommendations), Section 2 (the report, with the scorecard table),
//! Section 3 (statutory officer clearance) and Section 4 (contacts and
//! background papers). Every figure and sentence comes from the
//! [`Scorecard`](crate::aggregate::Scorecard) and
//! [`Narrative`](crate::narrative::Narrative); this module only lays out.

pub mod kit;
pub mod plan;

use std::path::PathBuf;

use chrono::NaiveDate;

use self::kit::{
    heading, keep_with_next, load_fonts, new_document, render_two_pass, Alignment, Cell, Color,
    FontBytes, Keep, KitError, PageSetup, PdfMeta, Picture, Rich, Spacer, Table,
};
use super::excel::rag_colours;
use super::{RenderContext, Renderer};
use crate::narrative::Bullet;
use crate::output::write_atomic;

/// The committee report.
pub struct CommitteeReport;

/// Liberation Sans (SIL Open Font License; see `assets/fonts/`), built in so
/// the PDF looks the same on every machine and needs no system fonts.
pub const FONTS: FontBytes<'static> = FontBytes {
    regular: include_bytes!("../../../assets/fonts/LiberationSans-Regular.ttf"),
    bold: include_bytes!("../../../assets/fonts/LiberationSans-Bold.ttf"),
    italic: include_bytes!("../../../assets/fonts/LiberationSans-Italic.ttf"),
    bold_italic: include_bytes!("../../../assets/fonts/LiberationSans-BoldItalic.ttf"),
};

pub(crate) const NAVY: Color = Color::Rgb(0x1F, 0x38, 0x64);
pub(crate) const SHADE: Color = Color::Rgb(0xD9, 0xE1, 0xF2);
pub(crate) const GREY_TEXT: Color = Color::Rgb(0x59, 0x59, 0x59);
pub(crate) const WARNING: Color = Color::Rgb(0xC0, 0x00, 0x00);

pub(crate) fn rgb(hex: u32) -> Color {
    Color::Rgb((hex >> 16) as u8, (hex >> 8) as u8, hex as u8)
}

/// "25 November 2014".
pub(crate) fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

impl Renderer for CommitteeReport {
    fn name(&self) -> &'static str {
        "committee report"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let title = format!("{}, {}", ctx.title(), ctx.scorecard.period.label());
        // Charts are drawn once, in parallel, not on every layout pass.
        let figures = chart_figures(ctx)?;
        let path = write_pdf(
            ctx,
            "committee-report.pdf",
            &title,
            &ctx.narrative.subject,
            &|doc| build(doc, ctx, &figures),
        )?;
        Ok(vec![path])
    }
}

/// Renders a council paper with the house page frame (running header,
/// sample-data banner, footer with the meeting and "Page N of M") and the
/// metadata set, and writes it to `out_dir/file_name`.
pub(crate) fn write_pdf(
    ctx: &RenderContext,
    file_name: &str,
    title: &str,
    subject: &str,
    build: &dyn Fn(&mut genpdf::Document) -> Result<(), KitError>,
) -> anyhow::Result<PathBuf> {
    let t = ctx.templates;
    let period = ctx.scorecard.period;
    let mut setup = PageSetup::new(title.to_string())
        .header(format!("{} – {title}", t.organisation.name))
        .footer(format!(
            "{}, {}",
            t.meeting.committee,
            t.meeting_date().map(long_date).unwrap_or_default()
        ));
    if t.organisation.sample_data {
        setup = setup.banner(
            "SAMPLE DATA – the figures in this report are invented for demonstration",
            WARNING,
        );
    }
    let meta = PdfMeta::new(title.to_string())
        .author(t.organisation.name.clone())
        .subject(subject.to_string())
        .keywords(format!(
            "{}, performance scorecard, {}",
            t.organisation.directorate,
            period.label()
        ))
        .creator(format!("scorecard {}", env!("CARGO_PKG_VERSION")));
    let bytes = render_two_pass(&meta, |total| -> Result<genpdf::Document, KitError> {
        let mut doc = new_document(load_fonts(&FONTS)?, &setup, total);
        build(&mut doc)?;
        Ok(doc)
    })?;
    let path = ctx.out_dir.join(file_name);
    write_atomic(&path, &bytes)?;
    Ok(path)
}

/// Lays out the whole report.
fn build(
    doc: &mut genpdf::Document,
    ctx: &RenderContext,
    figures: &[ChartFigure],
) -> Result<(), KitError> {
    heading_block(doc, ctx)?;
    section_one(doc, ctx);
    section_two(doc, ctx, figures)?;
    section_three_and_four(doc, ctx)?;
    appendix_findings(doc, ctx)?;
    Ok(())
}

/// Fill and text colours for an inspection grade.
pub(crate) fn grade_colours(grade: &str) -> (u32, u32) {
    match grade {
        "Outstanding" => (0xC6E0B4, 0x1E4620),
        "Good" => (0xC6EFCE, 0x006100),
        "Adequate" => (0xFFEB9C, 0x7A4500),
        _ => (0xFFC7CE, 0x9C0006),
    }
}

/// Appendix 1: the inspection's record of main findings, each grade
/// coloured and written out.
fn appendix_findings(doc: &mut genpdf::Document, ctx: &RenderContext) -> Result<(), KitError> {
    let plan = &ctx.templates.plan;
    if plan.judgements.is_empty() {
        return Ok(());
    }
    doc.push(genpdf::elements::PageBreak::new());
    let mut table = Table::new(&[5.0, 1.4])
        .font_size(9)
        .padding(1.2)
        .header_fill(SHADE)
        .group_fill(Color::Rgb(0xEE, 0xF2, 0xF8))
        .with_header(vec![
            Cell::new("Judgement").bold(),
            Cell::new("Grade").bold(),
        ])?;
    let mut section = "";
    for j in &plan.judgements {
        if j.section != section {
            section = &j.section;
            table.push_group(Cell::new(section.to_string()).bold());
        }
        let (fill, text) = grade_colours(&j.grade);
        table.push_row(vec![
            Cell::new(j.judgement.clone()),
            Cell::new(j.grade.clone())
                .bold()
                .fill(rgb(fill))
                .color(rgb(text))
                .align(Alignment::Center),
        ])?;
    }
    doc.push(keep_with_next(
        section_heading(&format!(
            "Appendix 1 – {} {}: record of main findings",
            plan.inspection.body,
            plan.published().format("%Y")
        )),
        keep_with_next(
            para(format!(
                "The {} {} published on {} graded each aspect on the four-point scale Outstanding, Good, Adequate, Inadequate.",
                plan.inspection.body,
                plan.inspection.title.to_lowercase(),
                long_date(plan.published())
            )),
            table,
        ),
    ));
    Ok(())
}

pub(crate) fn para(text: impl Into<String>) -> Rich {
    Rich::text(text).space_after(2.5)
}

fn heading_block(doc: &mut genpdf::Document, ctx: &RenderContext) -> Result<(), KitError> {
    let t = ctx.templates;
    doc.push(
        Rich::new()
            .bold("REPORT FOR: ")
            .bold(t.meeting.committee.to_uppercase())
            .size_delta(3)
            .space_after(4.0),
    );
    let mut block = Table::new(&[1.0, 2.6]).font_size(10).padding(1.8);
    for (k, v) in ctx.heading_block() {
        block.push_row(vec![Cell::new(k).bold(), Cell::new(v)])?;
    }
    doc.push(block);
    if t.organisation.sample_data {
        doc.push(Spacer::new(3.0));
        doc.push(
            Rich::new()
                .colored(
                    "Sample data: every figure in this report is invented, to show how the report works. It does not describe any real council's services.",
                    WARNING,
                )
                .strong()
                .space_after(2.0),
        );
    }
    Ok(())
}

pub(crate) fn section_heading(text: &str) -> Rich {
    heading(1, text).color(NAVY)
}

/// A heading kept with the first paragraph of its passage, then the rest.
fn passage(doc: &mut genpdf::Document, heading: Rich, paragraphs: &[String]) {
    let first = paragraphs.first().cloned().unwrap_or_default();
    doc.push(keep_with_next(heading, para(first)));
    for p in paragraphs.iter().skip(1) {
        doc.push(para(p.clone()));
    }
}

fn section_one(doc: &mut genpdf::Document, ctx: &RenderContext) {
    let n = ctx.narrative;
    passage(
        doc,
        section_heading("Section 1 – Summary and Recommendations"),
        &n.sets_out,
    );
    for s in &n.summary {
        doc.push(para(s.clone()));
    }
    passage(
        doc,
        Rich::text("Recommendations:")
            .strong()
            .space_before(2.0)
            .space_after(1.5),
        &n.recommendation,
    );
    passage(
        doc,
        Rich::text("Reason: (for recommendation)")
            .strong()
            .space_after(1.5),
        &n.reason,
    );
}

pub(crate) fn numbered(number: &str, title: &str) -> Rich {
    heading(2, format!("{number}  {title}")).color(NAVY)
}

fn bullets(doc: &mut genpdf::Document, list: &[Bullet]) {
    for b in list {
        // A bullet and its services' commentary stay on one page.
        let mut item = Keep::new().with(Rich::bullet().plain(b.text.clone()).space_after(1.2));
        for (service, text) in &b.commentary {
            item.push(
                Rich::new()
                    .italic(format!("{service}: "))
                    .italic(text.clone())
                    .color(GREY_TEXT)
                    .indent(5.0)
                    .space_after(1.8),
            );
        }
        doc.push(item);
    }
}

fn section_two(
    doc: &mut genpdf::Document,
    ctx: &RenderContext,
    figures: &[ChartFigure],
) -> Result<(), KitError> {
    let n = ctx.narrative;
    doc.push(keep_with_next(
        section_heading("Section 2 – Report"),
        keep_with_next(
            numbered("2.1", "Introduction"),
            para(n.introduction.first().cloned().unwrap_or_default()),
        ),
    ));
    for p in n.introduction.iter().skip(1) {
        doc.push(para(p.clone()));
    }

    doc.push(keep_with_next(
        numbered("2.2", "Performance at a glance"),
        summary_table(ctx)?,
    ));
    doc.push(Spacer::new(2.0));

    passage(doc, numbered("2.3", "Strengths"), &n.strengths_intro);
    bullets(doc, &n.strengths);
    passage(doc, numbered("2.4", "Weaknesses"), &n.weaknesses_intro);
    bullets(doc, &n.weaknesses);

    passage(doc, numbered("2.5", "The scorecard"), &n.scorecard_intro);
    doc.push(scorecard_table(ctx)?);
    for p in &n.scorecard_key {
        doc.push(
            Rich::text(p.clone())
                .font_size(8)
                .color(GREY_TEXT)
                .space_before(1.5)
                .space_after(3.0),
        );
    }

    trends(doc, ctx, figures)?;

    passage(doc, numbered("2.7", "Data quality"), &n.data_quality);
    passage(doc, numbered("2.8", "Improvement plan"), &n.improvement);
    passage(
        doc,
        numbered("2.9", "Financial Implications"),
        &n.financial_implications,
    );
    passage(
        doc,
        numbered("2.10", "Performance Issues"),
        &n.performance_issues,
    );
    passage(
        doc,
        numbered("2.11", "Risk Management Implications"),
        &n.risk_management,
    );
    passage(
        doc,
        numbered("2.12", "Equalities Implications"),
        &n.equalities,
    );
    Ok(())
}

/// One chart with its caption above and its text equivalent below, kept
/// together on a page.
fn figure(number: usize, caption: &str, picture: Picture, words: &str) -> Keep {
    Keep::new()
        .with(
            Rich::text(format!("Figure {number}: {caption}"))
                .strong()
                .font_size(9)
                .space_before(2.0)
                .space_after(1.0),
        )
        .with(picture)
        .with(
            Rich::text(words.to_string())
                .font_size(8)
                .color(GREY_TEXT)
                .space_after(3.0),
        )
}

/// A chart drawn for the report: caption, picture and its words.
pub(crate) struct ChartFigure {
    caption: String,
    image: std::sync::Arc<image::RgbImage>,
    words: String,
}

/// Draws the report's charts: the Green/Amber/Red counts over time, then a
/// trend for each Red indicator and each one the templates name.
fn chart_figures(ctx: &RenderContext) -> anyhow::Result<Vec<ChartFigure>> {
    use crate::render::chart::{charted, draw_rag, draw_trend, RagChart, TrendChart};
    use rayon::prelude::*;
    let sc = ctx.scorecard;
    let rag = RagChart::from_scorecard(sc);
    let mut figures = vec![ChartFigure {
        caption: rag.caption(),
        image: draw_rag(&rag, 1400, 420)?.into(),
        words: rag.text_equivalent(),
    }];
    let trends: anyhow::Result<Vec<ChartFigure>> = charted(sc, &ctx.templates.organisation.charts)
        .par_iter()
        .map(|row| {
            let chart = TrendChart::from_row(row, &sc.shown);
            Ok(ChartFigure {
                caption: chart.caption(),
                image: draw_trend(&chart, 1400, 420)?.into(),
                words: chart.text_equivalent(),
            })
        })
        .collect();
    figures.extend(trends?);
    Ok(figures)
}

/// 2.6: the charts, each captioned and followed by its words.
fn trends(
    doc: &mut genpdf::Document,
    ctx: &RenderContext,
    figures: &[ChartFigure],
) -> Result<(), KitError> {
    passage(doc, numbered("2.6", "Trends"), &ctx.narrative.trends_intro);
    for (i, f) in figures.iter().enumerate() {
        let picture = Picture::new(std::sync::Arc::clone(&f.image), 150.0)?;
        doc.push(figure(i + 1, &f.caption, picture, &f.words));
    }
    Ok(())
}

fn summary_table(ctx: &RenderContext) -> Result<Table, KitError> {
    use crate::judge::Rag;
    let s = &ctx.scorecard.summary;
    let mut table = Table::new(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
        .font_size(9)
        .header_fill(SHADE)
        .with_header(
            [
                "Green",
                "Amber",
                "Red",
                "Context only",
                "No data",
                "Improved / worsened",
            ]
            .iter()
            .map(|h| Cell::new(*h).bold().align(Alignment::Center))
            .collect(),
        )?;
    let rag_cell = |rag: Rag, n: usize| {
        let (fill, text) = rag_colours(rag);
        Cell::new(format!("{n} {}", rag.label()))
            .fill(rgb(fill))
            .color(rgb(text))
            .bold()
            .align(Alignment::Center)
    };
    table.push_row(vec![
        rag_cell(Rag::Green, s.green),
        rag_cell(Rag::Amber, s.amber),
        rag_cell(Rag::Red, s.red),
        Cell::new(s.not_rated.to_string()).align(Alignment::Center),
        Cell::new(s.no_data.to_string()).align(Alignment::Center),
        Cell::new(format!("{} / {}", s.improved, s.worsened)).align(Alignment::Center),
    ])?;
    Ok(table)
}

fn scorecard_table(ctx: &RenderContext) -> Result<Table, KitError> {
    let sc = ctx.scorecard;
    let t = ctx.templates;
    // Widths in millimetres (of 170), measured so that "100.0%", "2013-14",
    // "England" and "unchanged" fit at 8 point bold without being broken;
    // the indicator title takes what is left.
    let mut weights = vec![8.5, 0.0];
    weights.extend(sc.shown.iter().map(|_| 11.8));
    weights.extend([10.5, 10.5, 16.0, 11.0, 12.5]);
    weights[1] = (170.0 - weights.iter().sum::<f64>()).max(30.0);
    let mut header = vec![Cell::new("Ref"), Cell::new("Indicator")];
    header.extend(sc.shown.iter().map(|p| {
        Cell::new(format!("{}\nQ{}", p.year_label(), p.quarter())).align(Alignment::Right)
    }));
    header.extend(
        ["Target", "RAG", "Direction", "SN", "England"]
            .iter()
            .map(|h| Cell::new(*h).align(Alignment::Center)),
    );
    let mut table = Table::new(&weights)
        .font_size(8)
        .padding(0.6)
        .header_fill(SHADE)
        .group_fill(Color::Rgb(0xEE, 0xF2, 0xF8))
        .with_header(header.into_iter().map(Cell::bold).collect())?;
    for theme in &t.themes {
        let rows: Vec<_> = sc
            .rows
            .iter()
            .filter(|r| r.indicator.theme == theme.id)
            .collect();
        if rows.is_empty() {
            continue;
        }
        table.push_group(Cell::new(theme.title.clone()).bold());
        for r in rows {
            let ind = &r.indicator;
            let mut cells = vec![
                Cell::new(ind.reference.clone()).bold(),
                Cell::new(ind.title.clone()),
            ];
            for p in &sc.shown {
                let cell = match r.at(*p) {
                    Some(o) if o.has_data() => {
                        let c = Cell::new(o.display.clone()).align(Alignment::Right);
                        match (o.rag, *p == sc.period) {
                            (Some(rag), true) => {
                                let (fill, text) = rag_colours(rag);
                                c.fill(rgb(fill)).color(rgb(text)).bold()
                            }
                            _ => c,
                        }
                    }
                    _ => Cell::new("No data")
                        .color(GREY_TEXT)
                        .align(Alignment::Right),
                };
                cells.push(cell);
            }
            let now = r.at(sc.period);
            cells.push(
                Cell::new(
                    ind.target
                        .map(|v| ind.measure.display_target(v))
                        .unwrap_or_else(|| "–".into()),
                )
                .align(Alignment::Center),
            );
            cells.push(match now.and_then(|o| o.rag) {
                Some(rag) => {
                    let (fill, text) = rag_colours(rag);
                    Cell::new(rag.label())
                        .fill(rgb(fill))
                        .color(rgb(text))
                        .bold()
                        .align(Alignment::Center)
                }
                None => Cell::new("–").align(Alignment::Center),
            });
            cells.push(
                Cell::new(
                    now.and_then(|o| o.direction)
                        .map(|d| format!("{} {}", d.arrow(), d.label()))
                        .unwrap_or_else(|| "–".into()),
                )
                .align(Alignment::Center),
            );
            for bench in [ind.statistical_neighbours, ind.england] {
                cells.push(
                    Cell::new(
                        bench
                            .map(|v| ind.measure.display(v))
                            .unwrap_or_else(|| "–".into()),
                    )
                    .align(Alignment::Center),
                );
            }
            table.push_row(cells)?;
        }
    }
    Ok(table)
}

fn section_three_and_four(doc: &mut genpdf::Document, ctx: &RenderContext) -> Result<(), KitError> {
    let m = &ctx.templates.meeting;
    let mut clearance = Table::new(&[1.4, 2.2, 1.2])
        .font_size(10)
        .padding(1.6)
        .header_fill(SHADE)
        .with_header(vec![
            Cell::new("Name").bold(),
            Cell::new("Cleared").bold(),
            Cell::new("Date").bold(),
        ])?;
    for c in &m.clearance {
        clearance.push_row(vec![
            Cell::new(c.name.clone()),
            Cell::new(c.role.clone()),
            Cell::new(c.date.clone()),
        ])?;
    }
    doc.push(Spacer::new(3.0));
    doc.push(keep_with_next(
        section_heading("Section 3 – Statutory Officer Clearance"),
        clearance,
    ));
    doc.push(Spacer::new(3.0));
    doc.push(keep_with_next(
        section_heading("Section 4 – Contact Details and Background Papers"),
        Rich::new()
            .bold("Contact: ")
            .plain(format!(
                "{}, {}. Telephone {}. Email {}",
                m.contact.name, m.contact.title, m.contact.telephone, m.contact.email
            ))
            .space_after(2.5),
    ));
    doc.push(Rich::text("Background Papers:").strong().space_after(1.5));
    if m.background_papers.is_empty() {
        doc.push(para("None."));
    }
    for p in &m.background_papers {
        doc.push(Rich::bullet().plain(p.clone()).space_after(1.0));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::Rag;
    use crate::render::excel::{rag_colours, status_colours};
    use crate::validate::ActionStatus;

    /// WCAG relative luminance of an sRGB colour.
    fn luminance(hex: u32) -> f64 {
        let channel = |c: u32| {
            let c = f64::from(c & 0xFF) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(hex >> 16) + 0.7152 * channel(hex >> 8) + 0.0722 * channel(hex)
    }

    fn contrast(a: u32, b: u32) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    fn hex(c: Color) -> u32 {
        match c {
            Color::Rgb(r, g, b) => (u32::from(r) << 16) | (u32::from(g) << 8) | u32::from(b),
            _ => 0,
        }
    }

    #[test]
    fn every_text_colour_has_at_least_4_5_to_1_contrast() {
        let mut pairs = vec![
            ("navy headings", hex(NAVY), 0xFFFFFF),
            ("grey notes", hex(GREY_TEXT), 0xFFFFFF),
            ("warnings", hex(WARNING), 0xFFFFFF),
            ("black on header shade", 0x000000, hex(SHADE)),
            ("white on navy header", 0xFFFFFF, 0x1F3864),
        ];
        for rag in [Rag::Green, Rag::Amber, Rag::Red] {
            let (fill, text) = rag_colours(rag);
            pairs.push((rag.label(), text, fill));
        }
        for status in ActionStatus::ALL {
            let (fill, text) = status_colours(status);
            pairs.push((status.label(), text, fill));
            pairs.push(("overdue", plan::OVERDUE_TEXT, fill));
        }
        for grade in crate::templates::GRADES {
            let (fill, text) = grade_colours(grade);
            pairs.push((grade, text, fill));
        }
        for (what, text, background) in pairs {
            let ratio = contrast(text, background);
            assert!(ratio >= 4.5, "{what}: {ratio:.2}:1");
        }
        assert!((contrast(0x000000, 0xFFFFFF) - 21.0).abs() < 1e-9);
    }
}
