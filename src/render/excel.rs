//! `scorecard.xlsx`: the scorecard as officers and analysts use it: sortable,
//! filterable, printable on one page width, RAG shown as a word and a fill.

use std::path::PathBuf;

use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartDataLabelPosition, ChartFont, ChartFormat, ChartLegendPosition,
    ChartLine, ChartLineDashType, ChartMarker, ChartSolidFill, ChartType, Color, DocProperties,
    Format, FormatAlign, FormatBorder, Sparkline, Workbook, Worksheet, XlsxError,
};

use super::{RenderContext, Renderer};
use crate::judge::{Measure, Rag};
use crate::model::palette::{
    rag_colours, CELL_BORDER, GREY, NAVY, NEIGHBOURS_LINE, PAPER, TARGET_LINE,
};
use crate::output::write_atomic;
use crate::validate::ReturnStatus;

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

const INDICATOR_WIDTH: f64 = 48.0;
const THEME_WIDTH: f64 = 22.0;
const COMMENTARY_WIDTH: f64 = 60.0;

/// Roughly how many lines `text` takes wrapped in a column `width`
/// characters wide (Excel's unit), for setting row heights.
fn wrapped_lines(text: &str, width: f64) -> usize {
    let per_line = (width * 1.1).max(1.0) as usize;
    let mut lines = 0;
    for para in text.split('\n') {
        lines += 1;
        let mut used = 0;
        for word in para.split_whitespace() {
            let len = word.chars().count();
            if used > 0 && used + 1 + len > per_line {
                lines += 1;
                used = 0;
            }
            // A word longer than a line wraps by itself.
            lines += len / per_line;
            used += len % per_line + usize::from(used > 0);
        }
    }
    lines.max(1)
}

/// Row (from 0) of the Scorecard sheet's header row.
pub const HEADER_ROW: u32 = 3;

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
        scorecard_sheet(book.add_worksheet(), ctx, &title)?;
        trends_sheet(book.add_worksheet(), ctx)?;
        returns_sheet(book.add_worksheet(), ctx)?;
        let path = ctx.out_dir.join("scorecard.xlsx");
        write_atomic(&path, &book.save_to_buffer()?)?;
        Ok(vec![path])
    }
}

fn scorecard_sheet(
    sheet: &mut Worksheet,
    ctx: &RenderContext,
    title: &str,
) -> Result<(), XlsxError> {
    let sc = ctx.scorecard;
    let t = ctx.templates;
    sheet.set_name("Scorecard")?;
    let base = Format::new()
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(CELL_BORDER))
        .set_align(FormatAlign::Top);
    let header = base
        .clone()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(NAVY))
        .set_font_color(Color::RGB(PAPER));
    let wrap = base.clone().set_text_wrap();
    let centre = base.clone().set_align(FormatAlign::Center);
    let no_data = base
        .clone()
        .set_italic()
        .set_font_color(Color::RGB(GREY))
        .set_align(FormatAlign::Right);

    sheet.write_string_with_format(
        0,
        0,
        format!("{} – {title}, {}", t.organisation.name, sc.period.label()),
        &Format::new().set_bold().set_font_size(14),
    )?;
    let mut note = format!(
        "Figures for {} with the {} quarters before it. RAG compares the figure as printed with its target; direction compares with the previous quarter.",
        sc.period.label(),
        sc.shown.len() - 1
    );
    if t.organisation.sample_data {
        note.push_str(" SAMPLE DATA: these figures are invented for demonstration.");
    }
    sheet.write_string(1, 0, &note)?;

    let mut headings: Vec<String> = vec!["Ref".into(), "Indicator".into(), "Theme".into()];
    headings.extend(sc.shown.iter().map(|p| p.label()));
    headings.extend(
        [
            "Trend",
            "Target",
            "RAG",
            "Direction",
            "Statistical neighbours",
            "England",
            "Commentary",
        ]
        .map(String::from),
    );
    for (c, h) in headings.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, h, &header)?;
    }
    let first_period_col: u16 = 3;
    let trend_col = first_period_col + sc.shown.len() as u16;
    let target_col = trend_col + 1;
    let (rag_col, dir_col, sn_col, eng_col, comm_col) = (
        target_col + 1,
        target_col + 2,
        target_col + 3,
        target_col + 4,
        target_col + 5,
    );

    let mut row = HEADER_ROW + 1;
    for theme in &t.themes {
        for r in sc.rows.iter().filter(|r| r.indicator.theme == theme.id) {
            let ind = &r.indicator;
            let numbers = base
                .clone()
                .set_num_format(number_format(ind.measure))
                .set_align(FormatAlign::Right);
            // Targets print as typed: 85%, not 85.0%.
            let target_format = base.clone().set_align(FormatAlign::Right).set_num_format(
                if ind.measure == Measure::Percent {
                    "General\"%\""
                } else {
                    "General"
                },
            );
            sheet.write_string_with_format(row, 0, &ind.reference, &base)?;
            sheet.write_string_with_format(row, 1, &ind.title, &wrap)?;
            sheet.write_string_with_format(row, 2, &theme.title, &wrap)?;
            for (i, p) in sc.shown.iter().enumerate() {
                let col = first_period_col + i as u16;
                match r.at(*p).and_then(|o| o.rounded.map(|v| (o, v))) {
                    Some((o, v)) => {
                        let f = match (o.rag, *p == sc.period) {
                            (Some(rag), true) => {
                                let (fill, text) = rag_colours(rag);
                                numbers
                                    .clone()
                                    .set_background_color(Color::RGB(fill))
                                    .set_font_color(Color::RGB(text))
                            }
                            _ => numbers.clone(),
                        };
                        sheet.write_number_with_format(row, col, v, &f)?
                    }
                    None => sheet.write_string_with_format(row, col, "No data", &no_data)?,
                };
            }
            // A sparkline of the quarters shown, beside them.
            let last_period_col = trend_col - 1;
            sheet.write_blank(row, trend_col, &base)?;
            sheet.add_sparkline(
                row,
                trend_col,
                &Sparkline::new()
                    .set_range(("Scorecard", row, first_period_col, row, last_period_col))
                    .show_markers(true)
                    .show_last_point(true)
                    .set_sparkline_color(Color::RGB(NAVY)),
            )?;
            match ind.target {
                Some(v) => sheet.write_number_with_format(row, target_col, v, &target_format)?,
                None => sheet.write_blank(row, target_col, &base)?,
            };
            let now = r.at(sc.period);
            match now.and_then(|o| o.rag) {
                Some(rag) => {
                    let (fill, text) = rag_colours(rag);
                    let f = centre
                        .clone()
                        .set_bold()
                        .set_background_color(Color::RGB(fill))
                        .set_font_color(Color::RGB(text));
                    sheet.write_string_with_format(row, rag_col, rag.label(), &f)?
                }
                None => sheet.write_blank(row, rag_col, &base)?,
            };
            match now.and_then(|o| o.direction) {
                Some(d) => sheet.write_string_with_format(
                    row,
                    dir_col,
                    format!("{} {}", d.arrow(), d.label()),
                    &base,
                )?,
                None => sheet.write_blank(row, dir_col, &base)?,
            };
            for (col, v) in [(sn_col, ind.statistical_neighbours), (eng_col, ind.england)] {
                match v {
                    Some(v) => sheet.write_number_with_format(row, col, v, &numbers)?,
                    None => sheet.write_blank(row, col, &base)?,
                };
            }
            let mut comment: Vec<String> = now
                .map(|o| {
                    o.commentary
                        .iter()
                        .map(|c| format!("{}: {}", c.service, c.text))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(gap) = now.and_then(|o| o.gap_note()) {
                comment.push(format!("Data note: {gap}."));
            }
            // write_string never makes a formula, so commentary that starts
            // with "=" stays text.
            let comment = comment.join("\n");
            sheet.write_string_with_format(row, comm_col, &comment, &wrap)?;
            // Spreadsheet programs do not grow rows for wrapped text written
            // by a library, so set the height from the longest cell.
            let lines = [
                wrapped_lines(&ind.title, INDICATOR_WIDTH),
                wrapped_lines(&theme.title, THEME_WIDTH),
                wrapped_lines(&comment, COMMENTARY_WIDTH),
            ]
            .into_iter()
            .max()
            .unwrap_or(1);
            sheet.set_row_height(row, 15.0 * lines as f64)?;
            row += 1;
        }
    }
    let last = row.saturating_sub(1).max(HEADER_ROW + 1);
    sheet.set_freeze_panes(HEADER_ROW + 1, 2)?;
    sheet.autofilter(HEADER_ROW, 0, last, comm_col)?;
    sheet.set_column_width(0, 6)?;
    sheet.set_column_width(1, INDICATOR_WIDTH)?;
    sheet.set_column_width(2, THEME_WIDTH)?;
    for i in 0..sc.shown.len() as u16 {
        sheet.set_column_width(first_period_col + i, 10)?;
    }
    sheet.set_column_width(trend_col, 14)?;
    sheet.set_column_width(target_col, 8)?;
    sheet.set_column_width(rag_col, 8)?;
    sheet.set_column_width(dir_col, 13)?;
    sheet.set_column_width(sn_col, 12)?;
    sheet.set_column_width(eng_col, 9)?;
    sheet.set_column_width(comm_col, COMMENTARY_WIDTH)?;
    sheet.set_row_height(HEADER_ROW, 30)?;
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0)
        .set_repeat_rows(HEADER_ROW, HEADER_ROW)?
        .set_header(format!("&L{}&R{}", t.organisation.name, sc.period.label()))
        .set_footer("&L&A&RPage &P of &N");
    sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    Ok(())
}

/// Rows each chart block takes on the Trends sheet.
const TREND_BLOCK_ROWS: u32 = 20;

/// The Trends sheet: for each chart, its data as a table (the text
/// equivalent) with a native Excel chart beside it drawn from that table.
fn trends_sheet(sheet: &mut Worksheet, ctx: &RenderContext) -> Result<(), XlsxError> {
    use crate::compose::chart::{charted, RagChart, TrendChart};
    let sc = ctx.scorecard;
    sheet.set_name("Trends")?;
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(NAVY))
        .set_font_color(Color::RGB(PAPER));
    let note = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    sheet.write_string_with_format(
        0,
        0,
        format!("Trends to {}", sc.period.label()),
        &Format::new().set_bold().set_font_size(14),
    )?;

    // Block 1: Green, Amber and Red counts per quarter.
    let rag = RagChart::from_scorecard(sc);
    let top = 2;
    sheet.write_string_with_format(top, 0, format!("Figure 1: {}", rag.caption()), &bold)?;
    for (c, h) in ["Quarter", "Green", "Amber", "Red"].iter().enumerate() {
        sheet.write_string_with_format(top + 1, c as u16, *h, &header)?;
    }
    for (i, (p, g, a, r)) in rag.points.iter().enumerate() {
        let row = top + 2 + i as u32;
        sheet.write_string(row, 0, p.label())?;
        sheet.write_number(row, 1, *g as f64)?;
        sheet.write_number(row, 2, *a as f64)?;
        sheet.write_number(row, 3, *r as f64)?;
    }
    let last = top + 1 + rag.points.len() as u32;
    sheet.merge_range(last + 2, 0, last + 6, 4, &rag.text_equivalent(), &note)?;
    let mut chart = Chart::new(ChartType::ColumnStacked);
    for (col, r) in [(1u16, Rag::Green), (2, Rag::Amber), (3, Rag::Red)] {
        let (fill, line) = rag_colours(r);
        chart
            .add_series()
            .set_name(("Trends", top + 1, col))
            .set_categories(("Trends", top + 2, 0, last, 0))
            .set_values(("Trends", top + 2, col, last, col))
            .set_format(
                ChartFormat::new()
                    .set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(fill)))
                    .set_border(ChartLine::new().set_color(Color::RGB(line))),
            )
            .set_data_label(ChartDataLabel::new().show_value());
    }
    chart
        .title()
        .set_name(&rag.caption())
        .set_font(ChartFont::new().set_size(11).set_bold());
    chart.set_alt_text(rag.text_equivalent());
    sheet.insert_chart(top, 6, &chart)?;

    // One block per charted indicator.
    for (i, row) in charted(sc, &ctx.templates.organisation.charts)
        .iter()
        .enumerate()
    {
        let t = TrendChart::from_row(row, &sc.shown);
        let top = 2 + TREND_BLOCK_ROWS * (i as u32 + 1);
        let numbers = Format::new().set_num_format(number_format(t.measure));
        sheet.write_string_with_format(
            top,
            0,
            format!("Figure {}: {}", i + 2, t.caption()),
            &bold,
        )?;
        for (c, h) in ["Quarter", &t.reference, "Target", "Statistical neighbours"]
            .iter()
            .enumerate()
        {
            sheet.write_string_with_format(top + 1, c as u16, *h, &header)?;
        }
        for (j, (p, v)) in t.points.iter().enumerate() {
            let r = top + 2 + j as u32;
            sheet.write_string(r, 0, p.label())?;
            match v {
                Some(v) => sheet.write_number_with_format(r, 1, *v, &numbers)?,
                None => sheet.write_string(r, 1, "No data")?,
            };
            if let Some(target) = t.target {
                sheet.write_number_with_format(r, 2, target, &numbers)?;
            }
            if let Some(n) = t.neighbours {
                sheet.write_number_with_format(r, 3, n, &numbers)?;
            }
        }
        let last = top + 1 + t.points.len() as u32;
        sheet.merge_range(last + 2, 0, last + 6, 4, &t.text_equivalent(), &note)?;
        let mut chart = Chart::new(ChartType::Line);
        chart
            .add_series()
            .set_name(("Trends", top + 1, 1))
            .set_categories(("Trends", top + 2, 0, last, 0))
            .set_values(("Trends", top + 2, 1, last, 1))
            .set_format(ChartLine::new().set_color(Color::RGB(NAVY)).set_width(2.25))
            .set_marker(ChartMarker::new().set_automatic())
            .set_data_label(
                ChartDataLabel::new()
                    .show_value()
                    .set_position(ChartDataLabelPosition::Above),
            );
        if t.target.is_some() {
            chart
                .add_series()
                .set_name(("Trends", top + 1, 2))
                .set_categories(("Trends", top + 2, 0, last, 0))
                .set_values(("Trends", top + 2, 2, last, 2))
                .set_format(
                    ChartLine::new()
                        .set_color(Color::RGB(TARGET_LINE))
                        .set_dash_type(ChartLineDashType::Dash),
                )
                .set_marker(ChartMarker::new().set_none());
        }
        if t.neighbours.is_some() {
            chart
                .add_series()
                .set_name(("Trends", top + 1, 3))
                .set_categories(("Trends", top + 2, 0, last, 0))
                .set_values(("Trends", top + 2, 3, last, 3))
                .set_format(
                    ChartLine::new()
                        .set_color(Color::RGB(NEIGHBOURS_LINE))
                        .set_dash_type(ChartLineDashType::RoundDot),
                )
                .set_marker(ChartMarker::new().set_none());
        }
        chart
            .title()
            .set_name(&t.caption())
            .set_font(ChartFont::new().set_size(11).set_bold());
        chart.set_alt_text(t.text_equivalent());
        chart.legend().set_position(ChartLegendPosition::Top);
        sheet.insert_chart(top, 6, &chart)?;
    }
    sheet.set_column_width(0, 14)?;
    for c in 1..=4 {
        sheet.set_column_width(c, 13)?;
    }
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0);
    Ok(())
}

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
    let lines: Vec<_> = ctx.returns_for_period().collect();
    let count = |label: &str| lines.iter().filter(|r| r.status.label() == label).count();
    sheet.write_string(
        1,
        0,
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
        ),
    )?;
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
        sheet.write_string(row, 0, r.service.as_deref().unwrap_or("(not recognised)"))?;
        sheet.write_string(row, 1, &r.file.name)?;
        sheet.write_string_with_format(row, 2, r.status.label(), &bold)?;
        if let Some(s) = r.submitted {
            sheet.write_string(row, 3, s.format("%d/%m/%Y %H:%M").to_string())?;
        }
        sheet.write_number(row, 4, r.errors() as f64)?;
        sheet.write_number(row, 5, r.warnings() as f64)?;
        let note = match &r.status {
            ReturnStatus::Superseded { by } => format!("Replaced by {by}"),
            _ if !r.diagnostics.is_empty() => {
                format!("See feedback/{}", crate::render::feedback::file_name(r))
            }
            _ => String::new(),
        };
        sheet.write_string(row, 6, &note)?;
        if let Some(f) = &r.facts {
            sheet.write_string(row, 7, &f.sha256)?;
        }
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

#[cfg(test)]
mod tests {
    use super::wrapped_lines;

    #[test]
    fn estimates_wrapped_lines() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("short", 10.0), 1);
        assert_eq!(wrapped_lines("aaaa bbbb cccc dddd", 10.0), 2);
        assert_eq!(wrapped_lines("one\ntwo", 10.0), 2);
        assert_eq!(wrapped_lines(&"x".repeat(25), 10.0), 3);
    }
}
