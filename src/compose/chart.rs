//! Charts, drawn from the scorecard's own figures.
//!
//! A [`TrendChart`] is one indicator's printed value per quarter with its
//! target and statistical-neighbour lines; a [`RagChart`] is the count of
//! Green, Amber and Red indicators per quarter. Both are built from the
//! [`Scorecard`] (no figure is worked out here) and come with a caption and
//! a text equivalent, so a reader who cannot see the picture loses nothing.
//! A chart is part of the composed document: its picture is drawn here, as
//! SVG, once, for the PDF and the web page alike (the Excel scorecard
//! draws its own, natively, from the same data). Pictures are drawn with
//! plotters using the embedded Liberation Sans, so no system fonts are
//! needed.

use std::sync::OnceLock;

use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::aggregate::{IndicatorRow, Scorecard};
use crate::judge::{Measure, Rag};
use crate::model::palette::{
    rag_colours, CHART_INK, GRIDLINE, NAVY, NEIGHBOURS_LINE, PAPER, TARGET_LINE,
};
use crate::period::Period;

/// Charts are drawn at this size (pixels, or SVG user units) and scaled to
/// the page's width.
pub const CHART_SIZE: (u32, u32) = (1400, 420);

/// The font family name charts use, registered once from the embedded bytes.
const FAMILY: &str = "scorecard-sans";

fn register_fonts() -> bool {
    static DONE: OnceLock<bool> = OnceLock::new();
    *DONE.get_or_init(|| {
        let [regular, bold, ..] = crate::fonts::BUILT_IN;
        plotters::style::register_font(FAMILY, FontStyle::Normal, regular).is_ok()
            && plotters::style::register_font(FAMILY, FontStyle::Bold, bold).is_ok()
    })
}

/// One indicator over the quarters shown.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendChart {
    pub reference: String,
    pub title: String,
    pub measure: Measure,
    /// Quarter and its printed (rounded) value, oldest first.
    pub points: Vec<(Period, Option<f64>)>,
    pub target: Option<f64>,
    pub neighbours: Option<f64>,
    /// The rating in the reported quarter.
    pub rag: Option<Rag>,
}

impl TrendChart {
    /// The chart for a scorecard row.
    pub fn from_row(row: &IndicatorRow, shown: &[Period]) -> TrendChart {
        let ind = &row.indicator;
        let last = shown.last().copied();
        TrendChart {
            reference: ind.reference.clone(),
            title: ind.title.clone(),
            measure: ind.measure,
            points: shown
                .iter()
                .map(|p| (*p, row.at(*p).and_then(|o| o.rounded)))
                .collect(),
            target: ind.target,
            neighbours: ind.statistical_neighbours,
            rag: last.and_then(|p| row.at(p)).and_then(|o| o.rag),
        }
    }

    /// "Figure: TS5 Child protection plans ending … by quarter".
    pub fn caption(&self) -> String {
        format!("{} {}, by quarter", self.reference, self.title)
    }

    /// The chart in words: every value, the target and the benchmark.
    pub fn text_equivalent(&self) -> String {
        let values: Vec<String> = self
            .points
            .iter()
            .map(|(p, v)| {
                format!(
                    "{} {}",
                    p.label(),
                    v.map_or_else(|| "no data".to_string(), |v| self.measure.display(v))
                )
            })
            .collect();
        let mut text = format!("{} by quarter: {}.", self.reference, values.join("; "));
        if let Some(t) = self.target {
            text.push_str(&format!(" Target {}.", self.measure.display_target(t)));
        }
        if let Some(n) = self.neighbours {
            text.push_str(&format!(
                " Statistical neighbours {}.",
                self.measure.display(n)
            ));
        }
        text
    }
}

/// Green, Amber and Red counts per quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct RagChart {
    pub points: Vec<(Period, usize, usize, usize)>,
}

impl RagChart {
    pub fn from_scorecard(sc: &Scorecard) -> RagChart {
        RagChart {
            points: sc
                .trend
                .iter()
                .map(|(p, s)| (*p, s.green, s.amber, s.red))
                .collect(),
        }
    }

    pub fn caption(&self) -> String {
        "Indicators rated Green, Amber and Red, by quarter".to_string()
    }

    pub fn text_equivalent(&self) -> String {
        let parts: Vec<String> = self
            .points
            .iter()
            .map(|(p, g, a, r)| format!("{}: {g} Green, {a} Amber, {r} Red", p.label()))
            .collect();
        format!("{}.", parts.join("; "))
    }
}

/// The indicators the report charts: every Red one, then those named in
/// the templates, in scorecard order.
pub fn charted<'a>(sc: &'a Scorecard, named: &[String]) -> Vec<&'a IndicatorRow> {
    sc.rows
        .iter()
        .filter(|r| {
            r.at(sc.period).and_then(|o| o.rag) == Some(Rag::Red)
                || named
                    .iter()
                    .any(|n| crate::config::normalise_ref(n) == r.indicator.reference)
        })
        .collect()
}

fn rgb(hex: u32) -> RGBColor {
    RGBColor((hex >> 16) as u8, (hex >> 8) as u8, hex as u8)
}

/// The colour of a chart's grid lines. plotters drew a light line and,
/// over it, black at a fifth of its strength (its default for labelled
/// lines); this is the grey the two made together, drawn once and solid,
/// so the picture is the same. A line drawn see-through becomes two
/// transparency groups of the PDF, each a compressed stream of its own,
/// and there are four to six in every chart.
fn grid_line() -> RGBColor {
    let seen = |channel: u32| ((channel & 0xFF) * 4 / 5) as u8;
    RGBColor(seen(GRIDLINE >> 16), seen(GRIDLINE >> 8), seen(GRIDLINE))
}

fn draw_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing a chart failed: {e:?}")
}

/// Draws a trend chart as SVG (for the PDF and the web page): crisp at any
/// zoom, and its words are text.
pub fn trend_svg(chart: &TrendChart, width: u32, height: u32) -> anyhow::Result<String> {
    as_svg(width, height, |root| trend_on(root, chart))
}

fn fonts_ready() -> anyhow::Result<()> {
    if register_fonts() {
        Ok(())
    } else {
        anyhow::bail!("the embedded chart font could not be loaded")
    }
}

/// Draws on an SVG canvas of the given size. Text names Liberation Sans,
/// which the PDF embeds, then the fonts a reader's browser has that share
/// its metrics.
fn as_svg(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> anyhow::Result<()>,
) -> anyhow::Result<String> {
    fonts_ready()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(draw_error)?;
    }
    let svg = svg.replace(
        &format!("font-family=\"{FAMILY}\""),
        "font-family=\"Liberation Sans, Arial, Helvetica, sans-serif\"",
    );
    Ok(merge_polylines(&svg))
}

/// Joins runs of `<polyline>`s drawn alike into one `<path>`. plotters
/// draws a dashed or dotted line as one polyline per dash, hundreds to a
/// chart; as one path each line is a single element, which is the same
/// picture, a smaller page and a faster PDF.
fn merge_polylines(svg: &str) -> String {
    /// `(attributes before points, points)` of a polyline on its own line.
    fn polyline(line: &str) -> Option<(&str, &str)> {
        let rest = line.trim().strip_prefix("<polyline ")?.strip_suffix("/>")?;
        let at = rest.find("points=\"")?;
        let points = rest[at + 8..].trim_end().strip_suffix('"')?;
        Some((rest[..at].trim_end(), points))
    }
    let mut out = String::with_capacity(svg.len());
    // The attributes of the run, and each of its polylines' points.
    let mut run: Option<(&str, Vec<&str>)> = None;
    let flush = |run: &mut Option<(&str, Vec<&str>)>, out: &mut String| {
        if let Some((attributes, lines)) = run.take() {
            out.push_str(&one_path(attributes, &lines));
        }
    };
    for line in svg.lines() {
        match polyline(line) {
            Some((attributes, points)) => {
                if run.as_ref().is_some_and(|(a, _)| *a != attributes) {
                    flush(&mut run, &mut out);
                }
                run.get_or_insert_with(|| (attributes, Vec::new()))
                    .1
                    .push(points);
            }
            None => {
                flush(&mut run, &mut out);
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The `<path>` of a run of polylines drawn alike. A dashed line becomes
/// one line with its dash pattern, which a reader of the SVG or the PDF
/// draws as the same dashes: a few bytes, where a dash each took a move
/// and a line, for the PDF's page to carry and compress.
fn one_path(attributes: &str, lines: &[&str]) -> String {
    if let Some(line) = DashedLine::of(lines) {
        return format!(
            "<path {attributes} stroke-dasharray=\"{} {}\" d=\"M{},{} L{},{}\"/>\n",
            line.dash, line.gap, line.from, line.y, line.to, line.y
        );
    }
    let mut d = String::new();
    for points in lines {
        for (i, point) in points.split_whitespace().enumerate() {
            d.push_str(if i == 0 { "M" } else { "L" });
            d.push_str(point);
            d.push(' ');
        }
    }
    format!("<path {attributes} d=\"{}\"/>\n", d.trim_end())
}

/// A level line drawn in dashes: from `from` to `to` across at height
/// `y`, dashes `dash` long with `gap` between them, starting with a dash.
#[derive(Debug, PartialEq)]
struct DashedLine {
    y: i64,
    from: i64,
    to: i64,
    dash: i64,
    gap: i64,
}

impl DashedLine {
    /// The line, if `lines` (each polyline's points) are dashes of one
    /// level line: two or more segments across at one height, left to
    /// right, all `dash` long and `gap` apart, but the last, which the
    /// line's end may cut short. Anything else is left as it is drawn.
    fn of(lines: &[&str]) -> Option<DashedLine> {
        let segments: Vec<((i64, i64), (i64, i64))> = lines
            .iter()
            .map(|points| {
                let mut ends = points.split_whitespace().map(|p| {
                    let (x, y) = p.split_once(',')?;
                    Some((x.parse::<i64>().ok()?, y.parse::<i64>().ok()?))
                });
                match (ends.next(), ends.next(), ends.next()) {
                    (Some(Some(a)), Some(Some(b)), None) => Some((a, b)),
                    _ => None,
                }
            })
            .collect::<Option<_>>()?;
        let (&((from, y), (first_end, _)), rest) = segments.split_first()?;
        let ((_, _), (to, _)) = *segments.last()?;
        let (dash, gap) = (first_end - from, rest.first()?.0 .0 - first_end);
        if dash <= 0 || gap <= 0 {
            return None;
        }
        let evenly = segments.iter().enumerate().all(|(i, &((a, ay), (b, by)))| {
            let length_fits = if i + 1 == segments.len() {
                b - a > 0 && b - a <= dash
            } else {
                b - a == dash
            };
            ay == y && by == y && a == from + i as i64 * (dash + gap) && length_fits
        });
        evenly.then_some(DashedLine {
            y,
            from,
            to,
            dash,
            gap,
        })
    }
}

/// A trend chart's plotting area: quarters across, values up.
type TrendPlot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn trend_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &TrendChart,
) -> anyhow::Result<()> {
    root.fill(&rgb(PAPER)).map_err(draw_error)?;
    // The key sits in a strip above the plot, where it never hides a point.
    let (key_area, plot) = root.split_vertically(44);
    draw_key(&key_area, &trend_key(chart))?;
    let (y0, y1) = value_range(chart);
    let n = chart.points.len().max(1);
    let mut ctx = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y0..y1)
        .map_err(draw_error)?;
    let labels: Vec<String> = chart.points.iter().map(|(p, _)| p.label()).collect();
    let measure = chart.measure;
    ctx.configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| quarter_label(&labels, *x))
        .y_label_formatter(&|y| measure.display(*y))
        // Six labelled lines are enough to read a value against; every
        // value is printed on its point as well.
        .y_labels(6)
        .label_style((FAMILY, 20.0).into_font())
        .bold_line_style(grid_line())
        .max_light_lines(0)
        .draw()
        .map_err(draw_error)?;
    if let Some(t) = chart.target {
        draw_level(&mut ctx, n, t, (12, 8), TARGET_LINE)?;
    }
    if let Some(sn) = chart.neighbours {
        draw_level(&mut ctx, n, sn, (4, 6), NEIGHBOURS_LINE)?;
    }
    draw_values(&mut ctx, chart)
}

/// The key's entries: the indicator's line, then its target and the
/// statistical neighbours' figure with their values, when it has them.
fn trend_key(chart: &TrendChart) -> Vec<(String, RGBColor, &'static [u32])> {
    let mut key: Vec<(String, RGBColor, &'static [u32])> =
        vec![(chart.reference.clone(), rgb(NAVY), &[])];
    if let Some(t) = chart.target {
        key.push((
            format!("Target {}", chart.measure.display_target(t)),
            rgb(TARGET_LINE),
            &[12, 8],
        ));
    }
    if let Some(n) = chart.neighbours {
        key.push((
            format!("Statistical neighbours {}", chart.measure.display(n)),
            rgb(NEIGHBOURS_LINE),
            &[4, 6],
        ));
    }
    key
}

/// The values the axis runs between: every figure, the target and the
/// benchmark, with room above and below, never below nothing when nothing
/// is below it, nor far past 100 for a percentage.
fn value_range(chart: &TrendChart) -> (f64, f64) {
    let mut all: Vec<f64> = chart.points.iter().filter_map(|(_, v)| *v).collect();
    all.extend(chart.target);
    all.extend(chart.neighbours);
    let (lo, hi) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let (lo, hi) = if lo > hi { (0.0, 1.0) } else { (lo, hi) };
    let pad = ((hi - lo) * 0.15).max(hi.abs() * 0.02).max(0.5);
    let y0 = if lo >= 0.0 {
        (lo - pad).max(0.0)
    } else {
        lo - pad
    };
    let y1 = match chart.measure {
        Measure::Percent => (hi + pad).min(100.0_f64.max(hi)),
        _ => hi + pad,
    };
    (y0, y1)
}

/// A level across the whole chart (a target, a benchmark), dashed with
/// the `(dash, gap)` lengths its key shows.
fn draw_level<DB: DrawingBackend>(
    ctx: &mut TrendPlot<'_, DB>,
    quarters: usize,
    value: f64,
    (dash, gap): (u32, u32),
    colour: u32,
) -> anyhow::Result<()> {
    ctx.draw_series(DashedLineSeries::new(
        [(-0.5, value), (quarters as f64 - 0.5, value)],
        dash,
        gap,
        rgb(colour).stroke_width(3),
    ))
    .map_err(draw_error)?;
    Ok(())
}

/// The indicator's figures: a line through each unbroken run of quarters
/// with data, a marker on each, and each value printed above its marker.
fn draw_values<DB: DrawingBackend>(
    ctx: &mut TrendPlot<'_, DB>,
    chart: &TrendChart,
) -> anyhow::Result<()> {
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, (_, v)) in chart.points.iter().enumerate() {
        match v {
            Some(v) => runs
                .last_mut()
                .map(|r| r.push((i as f64, *v)))
                .unwrap_or(()),
            None => runs.push(Vec::new()),
        }
    }
    let measure = chart.measure;
    for run in runs.into_iter().filter(|r| !r.is_empty()) {
        ctx.draw_series(LineSeries::new(run.clone(), rgb(NAVY).stroke_width(4)))
            .map_err(draw_error)?;
        ctx.draw_series(run.iter().map(|p| Circle::new(*p, 7, rgb(NAVY).filled())))
            .map_err(draw_error)?;
        // Each value sits just above its point, clear of the marker.
        ctx.draw_series(run.iter().map(|(x, y)| {
            EmptyElement::at((*x, *y))
                + Text::new(
                    measure.display(*y),
                    (0, -10),
                    (FAMILY, 20.0).into_font().color(&rgb(NAVY)).pos(
                        plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Center,
                            plotters::style::text_anchor::VPos::Bottom,
                        ),
                    ),
                )
        }))
        .map_err(draw_error)?;
    }
    Ok(())
}

/// The quarter printed under the x axis at position `x` (quarters sit at
/// whole numbers; nothing is printed between them).
fn quarter_label(labels: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-6 && i >= 0.0 {
        labels.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

/// Draws a key: for each entry a short line (dashed when `dashes` gives
/// dash and gap lengths) and its label, left to right.
fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(String, RGBColor, &[u32])],
) -> anyhow::Result<()> {
    let mut x = 90i32;
    let y = 22i32;
    for (label, colour, dashes) in entries {
        let style = colour.stroke_width(4);
        match dashes {
            [dash, gap, ..] => {
                let mut at = x;
                while at < x + 40 {
                    let end = (at + *dash as i32).min(x + 40);
                    area.draw(&PathElement::new([(at, y), (end, y)], style))
                        .map_err(draw_error)?;
                    at = end + *gap as i32;
                }
            }
            _ => {
                area.draw(&PathElement::new([(x, y), (x + 40, y)], style))
                    .map_err(draw_error)?;
                area.draw(&Circle::new((x + 20, y), 7, colour.filled()))
                    .map_err(draw_error)?;
            }
        }
        let text_style = (FAMILY, 22.0).into_font().color(&rgb(CHART_INK)).pos(
            plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            ),
        );
        area.draw(&Text::new(label.clone(), (x + 50, y), text_style))
            .map_err(draw_error)?;
        let (w, _) = area
            .estimate_text_size(label, &(FAMILY, 22.0).into_font().into())
            .map_err(draw_error)?;
        x += 50 + w as i32 + 40;
    }
    Ok(())
}

/// Draws the Green/Amber/Red counts as stacked bars, each segment labelled
/// with its count and colour name, as SVG.
pub fn rag_svg(chart: &RagChart, width: u32, height: u32) -> anyhow::Result<String> {
    as_svg(width, height, |root| rag_on(root, chart))
}

fn rag_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &RagChart,
) -> anyhow::Result<()> {
    root.fill(&rgb(PAPER)).map_err(draw_error)?;
    let n = chart.points.len().max(1);
    let top = chart
        .points
        .iter()
        .map(|(_, g, a, r)| g + a + r)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let font = |size: f64| (FAMILY, size).into_font();
    let mut ctx = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top * 1.08)
        .map_err(draw_error)?;
    let labels: Vec<String> = chart.points.iter().map(|(p, ..)| p.label()).collect();
    ctx.configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| quarter_label(&labels, *x))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(font(20.0))
        .bold_line_style(grid_line())
        .max_light_lines(0)
        .draw()
        .map_err(draw_error)?;
    for (i, (_, g, a, r)) in chart.points.iter().enumerate() {
        let x = i as f64;
        let mut base = 0.0;
        for (count, rag) in [(*g, Rag::Green), (*a, Rag::Amber), (*r, Rag::Red)] {
            if count == 0 {
                continue;
            }
            let (fill, text) = rag_colours(rag);
            let top = base + count as f64;
            ctx.draw_series([Rectangle::new(
                [(x - 0.3, base), (x + 0.3, top)],
                rgb(fill).filled(),
            )])
            .map_err(draw_error)?;
            ctx.draw_series([Rectangle::new(
                [(x - 0.3, base), (x + 0.3, top)],
                rgb(text).stroke_width(2),
            )])
            .map_err(draw_error)?;
            ctx.draw_series([Text::new(
                format!("{count} {}", rag.label()),
                (x, (base + top) / 2.0),
                font(20.0)
                    .color(&rgb(text))
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    )),
            )])
            .map_err(draw_error)?;
            base = top;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_drawn_alike_become_one_path_in_their_place() {
        let svg = "<svg>\n<rect/>\n\
            <polyline fill=\"none\" stroke=\"#C00000\" points=\"1,2 3,4 \"/>\n\
            <polyline fill=\"none\" stroke=\"#C00000\" points=\"5,6 7,8 \"/>\n\
            <polyline fill=\"none\" stroke=\"#595959\" points=\"9,9 \"/>\n\
            <text>a</text>\n</svg>";
        assert_eq!(
            merge_polylines(svg),
            "<svg>\n<rect/>\n\
             <path fill=\"none\" stroke=\"#C00000\" d=\"M1,2 L3,4 M5,6 L7,8\"/>\n\
             <path fill=\"none\" stroke=\"#595959\" d=\"M9,9\"/>\n\
             <text>a</text>\n</svg>\n"
        );
    }

    #[test]
    fn a_dashed_level_line_becomes_one_line_with_its_dash_pattern() {
        let dash = |a: i32, b: i32| {
            format!("<polyline fill=\"none\" stroke=\"#C00000\" points=\"{a},335 {b},335 \"/>\n")
        };
        // 12 long, 8 apart; the line's end cuts the last dash to 5.
        let svg = format!(
            "<svg>\n{}{}{}</svg>",
            dash(76, 88),
            dash(96, 108),
            dash(116, 121)
        );
        assert_eq!(
            merge_polylines(&svg),
            "<svg>\n<path fill=\"none\" stroke=\"#C00000\" stroke-dasharray=\"12 8\" d=\"M76,335 L121,335\"/>\n</svg>\n"
        );
        // Dashes that are not evenly spaced are drawn as they are.
        let uneven = format!(
            "<svg>\n{}{}{}</svg>",
            dash(76, 88),
            dash(96, 108),
            dash(117, 129)
        );
        assert!(merge_polylines(&uneven)
            .contains("d=\"M76,335 L88,335 M96,335 L108,335 M117,335 L129,335\""));
    }

    #[test]
    fn grid_lines_are_drawn_solid_in_the_grey_they_looked() {
        let svg = trend_svg(
            &TrendChart {
                reference: "TS1".into(),
                title: "Social worker posts filled by agency staff".into(),
                measure: Measure::Percent,
                points: Period::parse("2014-15 Q2")
                    .expect("a quarter")
                    .trailing(5)
                    .into_iter()
                    .zip([Some(67.0), Some(73.9), None, Some(62.9), Some(75.0)])
                    .collect(),
                target: Some(20.0),
                neighbours: Some(22.0),
                rag: Some(Rag::Red),
            },
            CHART_SIZE.0,
            CHART_SIZE.1,
        )
        .expect("the chart is drawn");
        // A see-through line would become transparency groups in the PDF.
        assert!(!svg.contains("opacity=\"0."), "{svg}");
        assert!(svg.contains("stroke=\"#BEBEBE\""), "{svg}");
        assert_eq!(svg.matches("stroke-dasharray").count(), 4, "{svg}");
    }
}
