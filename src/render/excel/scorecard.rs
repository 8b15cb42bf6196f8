//! The Scorecard sheet: every indicator by theme, its figure for each
//! quarter shown (the reported one filled with its rating's colours) and a
//! sparkline of them, its target, rating, direction and benchmarks, and the
//! services' commentary; filterable, with its headings frozen, printed on
//! A4 one page wide.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Sparkline, Worksheet, XlsxError};

use super::number_format;
use crate::aggregate::{IndicatorRow, Outcome};
use crate::judge::Measure;
use crate::model::palette::{rag_colours, CELL_BORDER, GREY, NAVY, PAPER};
use crate::render::RenderContext;

/// Row (from 0) of the Scorecard sheet's header row.
pub const HEADER_ROW: u32 = 3;

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

/// The formats the Scorecard sheet's cells share.
struct ScorecardFormats {
    base: Format,
    header: Format,
    wrap: Format,
    centre: Format,
    no_data: Format,
}

impl ScorecardFormats {
    fn new() -> ScorecardFormats {
        let base = Format::new()
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(CELL_BORDER))
            .set_align(FormatAlign::Top);
        ScorecardFormats {
            header: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(NAVY))
                .set_font_color(Color::RGB(PAPER)),
            wrap: base.clone().set_text_wrap(),
            centre: base.clone().set_align(FormatAlign::Center),
            no_data: base
                .clone()
                .set_italic()
                .set_font_color(Color::RGB(GREY))
                .set_align(FormatAlign::Right),
            base,
        }
    }
}

/// Where the Scorecard sheet's columns are: the quarters shown come after
/// the ref, title and theme, and everything else after them.
struct ScorecardColumns {
    first_period: u16,
    trend: u16,
    target: u16,
    rag: u16,
    direction: u16,
    neighbours: u16,
    england: u16,
    commentary: u16,
}

impl ScorecardColumns {
    fn new(quarters: usize) -> ScorecardColumns {
        let first_period: u16 = 3;
        let trend = first_period + quarters as u16;
        let target = trend + 1;
        ScorecardColumns {
            first_period,
            trend,
            target,
            rag: target + 1,
            direction: target + 2,
            neighbours: target + 3,
            england: target + 4,
            commentary: target + 5,
        }
    }
}

pub(super) fn scorecard_sheet(
    sheet: &mut Worksheet,
    ctx: &RenderContext,
    title: &str,
) -> Result<(), XlsxError> {
    let sc = ctx.scorecard;
    sheet.set_name("Scorecard")?;
    let f = ScorecardFormats::new();
    let columns = ScorecardColumns::new(sc.shown.len());
    scorecard_title(sheet, ctx, title, &f)?;
    let mut row = HEADER_ROW + 1;
    for theme in &ctx.templates.themes {
        for r in sc.rows.iter().filter(|r| r.indicator.theme == theme.id) {
            indicator_row(sheet, ctx, (row, r), &theme.title, &columns, &f)?;
            row += 1;
        }
    }
    scorecard_layout(sheet, ctx, &columns, row)
}

/// The title, the note under it, and the header row.
fn scorecard_title(
    sheet: &mut Worksheet,
    ctx: &RenderContext,
    title: &str,
    f: &ScorecardFormats,
) -> Result<(), XlsxError> {
    let sc = ctx.scorecard;
    let t = ctx.templates;
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
        sheet.write_string_with_format(HEADER_ROW, c as u16, h, &f.header)?;
    }
    Ok(())
}

/// One indicator's row: its figures, its judgement and the services'
/// commentary, as high as its longest cell.
fn indicator_row(
    sheet: &mut Worksheet,
    ctx: &RenderContext,
    (row, r): (u32, &IndicatorRow),
    theme: &str,
    columns: &ScorecardColumns,
    f: &ScorecardFormats,
) -> Result<(), XlsxError> {
    let ind = &r.indicator;
    let numbers = f
        .base
        .clone()
        .set_num_format(number_format(ind.measure))
        .set_align(FormatAlign::Right);
    sheet.write_string_with_format(row, 0, &ind.reference, &f.base)?;
    sheet.write_string_with_format(row, 1, &ind.title, &f.wrap)?;
    sheet.write_string_with_format(row, 2, theme, &f.wrap)?;
    quarter_cells(sheet, ctx, (row, r), columns, f, &numbers)?;
    judgement_cells(sheet, ctx, (row, r), columns, f, &numbers)?;
    let comment = commentary(r.at(ctx.scorecard.period));
    // write_string never makes a formula, so commentary that starts
    // with "=" stays text.
    sheet.write_string_with_format(row, columns.commentary, &comment, &f.wrap)?;
    // Spreadsheet programs do not grow rows for wrapped text written
    // by a library, so set the height from the longest cell.
    let lines = [
        wrapped_lines(&ind.title, INDICATOR_WIDTH),
        wrapped_lines(theme, THEME_WIDTH),
        wrapped_lines(&comment, COMMENTARY_WIDTH),
    ]
    .into_iter()
    .max()
    .unwrap_or(1);
    sheet.set_row_height(row, 15.0 * lines as f64)?;
    Ok(())
}

/// The figure of each quarter shown (the reported one filled with its
/// rating's colours), then a sparkline of them.
fn quarter_cells(
    sheet: &mut Worksheet,
    ctx: &RenderContext,
    (row, r): (u32, &IndicatorRow),
    columns: &ScorecardColumns,
    f: &ScorecardFormats,
    numbers: &Format,
) -> Result<(), XlsxError> {
    let sc = ctx.scorecard;
    for (i, p) in sc.shown.iter().enumerate() {
        let col = columns.first_period + i as u16;
        match r.at(*p).and_then(|o| o.rounded.map(|v| (o, v))) {
            Some((o, v)) => {
                let format = match (o.rag, *p == sc.period) {
                    (Some(rag), true) => {
                        let (fill, text) = rag_colours(rag);
                        numbers
                            .clone()
                            .set_background_color(Color::RGB(fill))
                            .set_font_color(Color::RGB(text))
                    }
                    _ => numbers.clone(),
                };
                sheet.write_number_with_format(row, col, v, &format)?
            }
            None => sheet.write_string_with_format(row, col, "No data", &f.no_data)?,
        };
    }
    let last_period = columns.trend - 1;
    sheet.write_blank(row, columns.trend, &f.base)?;
    sheet.add_sparkline(
        row,
        columns.trend,
        &Sparkline::new()
            .set_range(("Scorecard", row, columns.first_period, row, last_period))
            .show_markers(true)
            .show_last_point(true)
            .set_sparkline_color(Color::RGB(NAVY)),
    )?;
    Ok(())
}

/// The target, the reported quarter's rating and direction, and the
/// benchmarks.
fn judgement_cells(
    sheet: &mut Worksheet,
    ctx: &RenderContext,
    (row, r): (u32, &IndicatorRow),
    columns: &ScorecardColumns,
    f: &ScorecardFormats,
    numbers: &Format,
) -> Result<(), XlsxError> {
    let ind = &r.indicator;
    // Targets print as typed: 85%, not 85.0%.
    let target_format = f.base.clone().set_align(FormatAlign::Right).set_num_format(
        if ind.measure == Measure::Percent {
            "General\"%\""
        } else {
            "General"
        },
    );
    match ind.target {
        Some(v) => sheet.write_number_with_format(row, columns.target, v, &target_format)?,
        None => sheet.write_blank(row, columns.target, &f.base)?,
    };
    let now = r.at(ctx.scorecard.period);
    match now.and_then(|o| o.rag) {
        Some(rag) => {
            let (fill, text) = rag_colours(rag);
            let rated = f
                .centre
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(fill))
                .set_font_color(Color::RGB(text));
            sheet.write_string_with_format(row, columns.rag, rag.label(), &rated)?
        }
        None => sheet.write_blank(row, columns.rag, &f.base)?,
    };
    match now.and_then(|o| o.direction) {
        Some(d) => sheet.write_string_with_format(
            row,
            columns.direction,
            format!("{} {}", d.arrow(), d.label()),
            &f.base,
        )?,
        None => sheet.write_blank(row, columns.direction, &f.base)?,
    };
    for (col, v) in [
        (columns.neighbours, ind.statistical_neighbours),
        (columns.england, ind.england),
    ] {
        match v {
            Some(v) => sheet.write_number_with_format(row, col, v, numbers)?,
            None => sheet.write_blank(row, col, &f.base)?,
        };
    }
    Ok(())
}

/// The services' commentary on the reported quarter's figure, and why any
/// figures are missing from it, a line each.
fn commentary(now: Option<&Outcome>) -> String {
    let mut lines: Vec<String> = now
        .map(|o| {
            o.commentary
                .iter()
                .map(|c| format!("{}: {}", c.service, c.text))
                .collect()
        })
        .unwrap_or_default();
    if let Some(gap) = now.and_then(|o| o.gap_note()) {
        lines.push(format!("Data note: {gap}."));
    }
    lines.join("\n")
}

/// Filters, frozen headings, column widths and printing on A4.
fn scorecard_layout(
    sheet: &mut Worksheet,
    ctx: &RenderContext,
    columns: &ScorecardColumns,
    next_row: u32,
) -> Result<(), XlsxError> {
    let sc = ctx.scorecard;
    let last = next_row.saturating_sub(1).max(HEADER_ROW + 1);
    sheet.set_freeze_panes(HEADER_ROW + 1, 2)?;
    sheet.autofilter(HEADER_ROW, 0, last, columns.commentary)?;
    sheet.set_column_width(0, 6)?;
    sheet.set_column_width(1, INDICATOR_WIDTH)?;
    sheet.set_column_width(2, THEME_WIDTH)?;
    for i in 0..sc.shown.len() as u16 {
        sheet.set_column_width(columns.first_period + i, 10)?;
    }
    sheet.set_column_width(columns.trend, 14)?;
    sheet.set_column_width(columns.target, 8)?;
    sheet.set_column_width(columns.rag, 8)?;
    sheet.set_column_width(columns.direction, 13)?;
    sheet.set_column_width(columns.neighbours, 12)?;
    sheet.set_column_width(columns.england, 9)?;
    sheet.set_column_width(columns.commentary, COMMENTARY_WIDTH)?;
    sheet.set_row_height(HEADER_ROW, 30)?;
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0)
        .set_repeat_rows(HEADER_ROW, HEADER_ROW)?
        .set_header(format!(
            "&L{}&R{}",
            ctx.templates.organisation.name,
            sc.period.label()
        ))
        .set_footer("&L&A&RPage &P of &N");
    sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
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
