//! A chart's labels (the words and figures of its axes, its legend and
//! its values), taken out of its SVG so that the PDF's layout sets them as
//! text over the picture.
//!
//! Typst's SVG reader lays out every `<text>` of a picture with a font it
//! parses afresh for each one and draws the result glyph by glyph: about
//! a sixth of typesetting a report of many charts. Set by Typst, in the
//! house typeface it already has ready, the same words cost a fraction of
//! that and are ordinary text in the PDF. The web page keeps the whole
//! SVG, words and all.

use serde::Serialize;

/// One label of a chart, where the chart drew it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartLabel {
    pub text: String,
    /// Its anchor, in the picture's units from the top left.
    pub x: f64,
    pub y: f64,
    /// Which point of the text is at `x`: `start`, `middle` or `end`.
    pub anchor: String,
    /// How far its baseline lies below `y`, in ems (above when negative).
    pub shift: f64,
    /// Its size, in the picture's units.
    pub size: f64,
    /// Its colour, `#RRGGBB`.
    pub fill: String,
}

/// The attributes a lifted `<text>` may have; one with any other (a
/// rotation, a weight) stays in the picture, drawn as before.
const KNOWN: [&str; 8] = [
    "x",
    "y",
    "dy",
    "text-anchor",
    "font-family",
    "font-size",
    "opacity",
    "fill",
];

/// The picture without the labels that can be set over it, and those
/// labels in the order the chart drew them.
pub fn lift(svg: &str) -> (String, Vec<ChartLabel>) {
    let mut picture = String::with_capacity(svg.len());
    let mut words = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let Some(end) = rest[start..]
            .find("</text>")
            .map(|e| start + e + "</text>".len())
        else {
            break;
        };
        picture.push_str(&rest[..start]);
        let element = &rest[start..end];
        match word(element) {
            Some(w) => {
                words.push(w);
                // The line the element stood on goes with it.
                if rest[end..].starts_with('\n') && picture.ends_with('\n') {
                    rest = &rest[end + 1..];
                    continue;
                }
            }
            None => picture.push_str(element),
        }
        rest = &rest[end..];
    }
    picture.push_str(rest);
    (picture, words)
}

/// A `<text …>words</text>` element as a label to set, if it is plain
/// enough: known attributes only, fully opaque, and no markup inside (its
/// character references are resolved by quick-xml).
fn word(element: &str) -> Option<ChartLabel> {
    let open = element.find('>')?;
    let tag = element[..open].strip_prefix("<text")?;
    let body = element[open + 1..].strip_suffix("</text>")?;
    if body.contains('<') {
        return None;
    }
    let attributes = attributes(tag)?;
    if attributes.iter().any(|(name, _)| !KNOWN.contains(name)) {
        return None;
    }
    let get = |name: &str| {
        attributes
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| *value)
    };
    if get("opacity").is_some_and(|o| o.parse::<f64>().ok() != Some(1.0)) {
        return None;
    }
    let size: f64 = get("font-size")?.parse().ok()?;
    let fill = get("fill").unwrap_or("#000000");
    if !(fill.len() == 7 && fill.starts_with('#')) {
        return None;
    }
    Some(ChartLabel {
        text: quick_xml::escape::unescape(body.trim()).ok()?.into_owned(),
        x: get("x")?.parse().ok()?,
        y: get("y")?.parse().ok()?,
        anchor: match get("text-anchor").unwrap_or("start") {
            a @ ("start" | "middle" | "end") => a.to_string(),
            _ => return None,
        },
        shift: get("dy").map_or(Some(0.0), |dy| shift(dy, size))?,
        size,
        fill: fill.to_string(),
    })
}

/// The `name="value"` pairs of a start tag; `None` if it is not only those.
fn attributes(tag: &str) -> Option<Vec<(&str, &str)>> {
    let mut pairs = Vec::new();
    let mut rest = tag.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"")?;
        let (value, after) = after.split_once('"')?;
        pairs.push((name.trim(), value));
        rest = after.trim_start();
    }
    Some(pairs)
}

/// A `dy` in ems. An `ex` is half an em, as the SVG reader takes it.
fn shift(dy: &str, size: f64) -> Option<f64> {
    if let Some(ex) = dy.strip_suffix("ex") {
        ex.parse::<f64>().ok().map(|n| n / 2.0)
    } else if let Some(em) = dy.strip_suffix("em") {
        em.parse().ok()
    } else {
        let units: f64 = dy.strip_suffix("px").unwrap_or(dy).parse().ok()?;
        (size > 0.0).then(|| units / size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AXIS: &str = "<text x=\"66\" y=\"363\" dy=\"0.5ex\" text-anchor=\"end\" \
        font-family=\"Liberation Sans, Arial, Helvetica, sans-serif\" \
        font-size=\"16.129\" opacity=\"1\" fill=\"#000000\">\n70.0%\n</text>";

    #[test]
    fn labels_are_lifted_and_the_rest_of_the_picture_kept() {
        let svg = format!(
            "<svg>\n<rect x=\"0\"/>\n{AXIS}\n<path d=\"M1,2\"/>\n\
             <text x=\"192\" y=\"382\" dy=\"0.76em\" text-anchor=\"middle\" font-size=\"16\" \
             fill=\"#9C0006\">\n13 Red &amp; rising\n</text>\n</svg>\n"
        );
        let (picture, words) = lift(&svg);
        assert_eq!(
            picture,
            "<svg>\n<rect x=\"0\"/>\n<path d=\"M1,2\"/>\n</svg>\n"
        );
        assert_eq!(
            words,
            [
                ChartLabel {
                    text: "70.0%".into(),
                    x: 66.0,
                    y: 363.0,
                    anchor: "end".into(),
                    shift: 0.25,
                    size: 16.129,
                    fill: "#000000".into(),
                },
                ChartLabel {
                    text: "13 Red & rising".into(),
                    x: 192.0,
                    y: 382.0,
                    anchor: "middle".into(),
                    shift: 0.76,
                    size: 16.0,
                    fill: "#9C0006".into(),
                },
            ]
        );
    }

    #[test]
    fn labels_drawn_otherwise_stay_in_the_picture() {
        for unusual in [
            "<text x=\"1\" y=\"2\" font-size=\"16\" transform=\"rotate(90)\">Up</text>",
            "<text x=\"1\" y=\"2\" font-size=\"16\" opacity=\"0.5\">Faint</text>",
            "<text x=\"1\" y=\"2\" font-size=\"16\"><tspan>Two</tspan></text>",
            "<text x=\"1\" y=\"2\" font-size=\"16\" fill=\"red\">Named</text>",
        ] {
            let svg = format!("<svg>\n{unusual}\n</svg>");
            let (picture, words) = lift(&svg);
            assert!(words.is_empty(), "{unusual}");
            assert_eq!(picture, svg);
        }
    }

    #[test]
    fn a_shift_is_in_ems() {
        assert_eq!(shift("-0.5ex", 16.0), Some(-0.25));
        assert_eq!(shift("0.76em", 16.0), Some(0.76));
        assert_eq!(shift("8", 16.0), Some(0.5));
        assert_eq!(shift("8px", 16.0), Some(0.5));
        assert_eq!(shift("a lot", 16.0), None);
    }
}
