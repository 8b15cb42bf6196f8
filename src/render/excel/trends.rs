//! The Trends sheet: for each chart of the committee report, its figures
//! as a table (the text equivalent) with a native Excel chart beside it,
//! drawn from that table in the palette's colours.

use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartDataLabelPosition, ChartFont, ChartFormat, ChartLegendPosition,
    ChartLine, ChartLineDashType, ChartMarker, ChartSolidFill, ChartType, Color, Format,
    FormatAlign, Worksheet, XlsxError,
};

use super::number_format;
use crate::compose::chart::{charted, RagChart, TrendChart};
use crate::judge::Rag;
use crate::model::palette::{rag_colours, NAVY, NEIGHBOURS_LINE, PAPER, TARGET_LINE};
use crate::render::RenderContext;

/// Rows each chart block takes on the Trends sheet.
const TREND_BLOCK_ROWS: u32 = 20;

/// The formats of the Trends sheet's tables.
struct TrendFormats {
    bold: Format,
    header: Format,
    note: Format,
}

/// The Trends sheet: for each chart, its data as a table (the text
/// equivalent) with a native Excel chart beside it drawn from that table.
pub(super) fn trends_sheet(sheet: &mut Worksheet, ctx: &RenderContext) -> Result<(), XlsxError> {
    let sc = ctx.scorecard;
    sheet.set_name("Trends")?;
    let f = TrendFormats {
        bold: Format::new().set_bold(),
        header: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(NAVY))
            .set_font_color(Color::RGB(PAPER)),
        note: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    };
    sheet.write_string_with_format(
        0,
        0,
        format!("Trends to {}", sc.period.label()),
        &Format::new().set_bold().set_font_size(14),
    )?;
    rag_block(sheet, &RagChart::from_scorecard(sc), &f)?;
    for (i, row) in charted(sc, &ctx.templates.organisation.charts)
        .iter()
        .enumerate()
    {
        let chart = TrendChart::from_row(row, &sc.shown);
        trend_block(sheet, i + 2, &chart, &f)?;
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

/// Figure 1: the Green, Amber and Red counts per quarter, as a table and
/// as stacked columns in the ratings' colours.
fn rag_block(sheet: &mut Worksheet, rag: &RagChart, f: &TrendFormats) -> Result<(), XlsxError> {
    let top = 2;
    sheet.write_string_with_format(top, 0, format!("Figure 1: {}", rag.caption()), &f.bold)?;
    for (c, h) in ["Quarter", "Green", "Amber", "Red"].iter().enumerate() {
        sheet.write_string_with_format(top + 1, c as u16, *h, &f.header)?;
    }
    for (i, (p, g, a, r)) in rag.points.iter().enumerate() {
        let row = top + 2 + i as u32;
        sheet.write_string(row, 0, p.label())?;
        sheet.write_number(row, 1, *g as f64)?;
        sheet.write_number(row, 2, *a as f64)?;
        sheet.write_number(row, 3, *r as f64)?;
    }
    let last = top + 1 + rag.points.len() as u32;
    sheet.merge_range(last + 2, 0, last + 6, 4, &rag.text_equivalent(), &f.note)?;
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
    Ok(())
}

/// Figure `number`: one indicator's quarters, with its target and the
/// statistical neighbours' figure, as a table and as a line chart.
fn trend_block(
    sheet: &mut Worksheet,
    number: usize,
    t: &TrendChart,
    f: &TrendFormats,
) -> Result<(), XlsxError> {
    let top = 2 + TREND_BLOCK_ROWS * (number as u32 - 1);
    let numbers = Format::new().set_num_format(number_format(t.measure));
    sheet.write_string_with_format(top, 0, format!("Figure {number}: {}", t.caption()), &f.bold)?;
    for (c, h) in ["Quarter", &t.reference, "Target", "Statistical neighbours"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(top + 1, c as u16, *h, &f.header)?;
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
    sheet.merge_range(last + 2, 0, last + 6, 4, &t.text_equivalent(), &f.note)?;
    sheet.insert_chart(top, 6, &trend_chart(t, top, last))?;
    Ok(())
}

/// The line chart of a trend block whose table runs from row `top` to
/// `last`: the figures labelled, the target dashed, the neighbours dotted.
fn trend_chart(t: &TrendChart, top: u32, last: u32) -> Chart {
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
    let lines = [
        (t.target.is_some(), 2, TARGET_LINE, ChartLineDashType::Dash),
        (
            t.neighbours.is_some(),
            3,
            NEIGHBOURS_LINE,
            ChartLineDashType::RoundDot,
        ),
    ];
    for (shown, col, colour, dash) in lines {
        if shown {
            chart
                .add_series()
                .set_name(("Trends", top + 1, col))
                .set_categories(("Trends", top + 2, 0, last, 0))
                .set_values(("Trends", top + 2, col, last, col))
                .set_format(
                    ChartLine::new()
                        .set_color(Color::RGB(colour))
                        .set_dash_type(dash),
                )
                .set_marker(ChartMarker::new().set_none());
        }
    }
    chart
        .title()
        .set_name(&t.caption())
        .set_font(ChartFont::new().set_size(11).set_bold());
    chart.set_alt_text(t.text_equivalent());
    chart.legend().set_position(ChartLegendPosition::Top);
    chart
}
