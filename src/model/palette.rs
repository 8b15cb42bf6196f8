//! The palette: every colour the documents print and every colour class a
//! table cell or a web page's text carries, in one place.
//!
//! A rating, a grade or an action's status must look the same wherever it
//! appears: in the PDFs (whose layouts colour a cell by its class, from
//! [`cell_classes`]), on the web pages (whose shared stylesheet is written
//! from [`report_page_text`] and [`returns_page_text`]), in the workbooks
//! and in the charts. The palette sits below every stage that shows a
//! colour, so that no renderer defines what another draws with, and the
//! contrast of every text colour on its background is measured here, in
//! one test: at least 4.5:1 (WCAG 2.2, level AA). Each rating and state
//! also has a shape, so that none is told by colour alone.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::judge::Rag;
use crate::text::slug;
// Where an action stands is a return's vocabulary; it is named here only
// to give each status its colours.
use crate::model::returns::ActionStatus;

/// Body text on the web pages.
pub const INK: u32 = 0x0B0C0C;
/// The page, and the background of charts.
pub const PAPER: u32 = 0xFFFFFF;
/// Headings, links and the masthead; the header row of every workbook;
/// an indicator's own line in its charts.
pub const NAVY: u32 = 0x1F3864;
/// Table header cells on the web pages, as in the PDF.
pub const SHADE: u32 = 0xD9E1F2;
/// Theme and section rows in the web page's tables, as in the PDF.
pub const GROUP: u32 = 0xEEF2F8;
/// Secondary text: commentary, the key, "No data".
pub const GREY: u32 = 0x595959;
/// The sample-data notice, and flags in the workbooks ("No action").
pub const WARNING: u32 = 0xC00000;
/// Keyboard focus: dark text on yellow, whatever it sits on.
pub const FOCUS: u32 = 0xFFDD00;
/// Table rules and figure frames on the web pages (not text).
pub const RULE: u32 = 0x8A96A8;

/// Cell borders in the workbooks.
pub const CELL_BORDER: u32 = 0xA6A6A6;
/// The cells an officer types in on a blank return; warnings in feedback.
pub const INPUT_FILL: u32 = 0xFFF2CC;
/// Cells of a blank return that a measure does not use.
pub const UNUSED_FILL: u32 = 0xD9D9D9;
/// Errors in the feedback workbooks.
pub const ERROR_FILL: u32 = 0xF4CCCC;
/// The border of a warning in the feedback workbooks.
pub const WARNING_BORDER: u32 = 0xBF8F00;

/// The words of a chart's key.
pub const CHART_INK: u32 = 0x000000;
/// The light grid lines a chart's values are read against.
pub const GRIDLINE: u32 = 0xEEEEEE;
/// A target, drawn in red dashes: the key calls it that.
pub const TARGET_LINE: u32 = WARNING;
/// The statistical neighbours' figure, drawn in grey dots.
pub const NEIGHBOURS_LINE: u32 = GREY;

/// Dark red for "OVERDUE", readable (4.5:1 or better) on every status fill.
pub const OVERDUE_TEXT: u32 = 0x9C0006;

/// `#RRGGBB`, as stylesheets and layout templates write a colour.
pub fn hex(colour: u32) -> String {
    format!("#{colour:06X}")
}

/// Fill and text colours for a rating. Each text colour has a contrast
/// ratio of at least 4.5:1 on its fill.
pub fn rag_colours(rag: Rag) -> (u32, u32) {
    match rag {
        Rag::Green => (0xC6EFCE, 0x006100),
        Rag::Amber => (0xFFEB9C, 0x7A4500),
        Rag::Red => (0xFFC7CE, 0x9C0006),
    }
}

/// Fill and text colours for an action's status: the rating it amounts to.
pub fn status_colours(status: ActionStatus) -> (u32, u32) {
    match status {
        ActionStatus::Complete | ActionStatus::OnTrack => rag_colours(Rag::Green),
        ActionStatus::AtRisk => rag_colours(Rag::Amber),
        ActionStatus::OffTrack => rag_colours(Rag::Red),
        ActionStatus::NotStarted => (0xE7E6E6, 0x3A3A3A),
    }
}

/// Fill and text colours for an inspection grade.
pub fn grade_colours(grade: &str) -> (u32, u32) {
    match grade {
        "Outstanding" => (0xC6E0B4, 0x1E4620),
        "Good" => (0xC6EFCE, 0x006100),
        "Adequate" => (0xFFEB9C, 0x7A4500),
        _ => (0xFFC7CE, 0x9C0006),
    }
}

/// A shape printed before each rating, so that no rating is told by colour
/// alone (printing in black and white, high-contrast modes); the word
/// follows it.
pub fn rag_symbol(rag: Rag) -> &'static str {
    match rag {
        Rag::Green => "●",
        Rag::Amber => "◆",
        Rag::Red => "■",
    }
}

pub fn rag_class(rag: Rag) -> &'static str {
    match rag {
        Rag::Green => "rag-green",
        Rag::Amber => "rag-amber",
        Rag::Red => "rag-red",
    }
}

pub fn grade_class(grade: &str) -> String {
    format!("grade-{}", slug(grade))
}

pub fn status_class(status: ActionStatus) -> String {
    format!("status-{}", slug(status.label()))
}

/// A fill and a text colour, `#RRGGBB`, with at least 4.5:1 contrast.
#[derive(Debug, Clone, Serialize)]
pub struct Colours {
    pub fill: String,
    pub text: String,
}

/// Every colour class a table cell may carry, with its colours: what the
/// print layouts colour a cell by.
pub fn cell_classes() -> BTreeMap<String, Colours> {
    let mut classes = BTreeMap::new();
    let mut add = |class: String, (fill, text): (u32, u32)| {
        classes.insert(
            class,
            Colours {
                fill: hex(fill),
                text: hex(text),
            },
        );
    };
    for rag in [Rag::Green, Rag::Amber, Rag::Red] {
        add(rag_class(rag).to_string(), rag_colours(rag));
    }
    for grade in crate::config::GRADES {
        add(grade_class(grade), grade_colours(grade));
    }
    for status in ActionStatus::ALL {
        add(status_class(status), status_colours(status));
    }
    add("overdue".into(), (PAPER, OVERDUE_TEXT));
    classes
}

/// How the status page shows a state: a class for its colours and a shape
/// before its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// Accepted, used.
    Good,
    /// Accepted with warnings; used with children left out.
    Warn,
    /// Rejected, refused, overdue.
    Bad,
    /// Superseded, arriving, nothing yet.
    Quiet,
}

impl Look {
    pub const ALL: [Look; 4] = [Look::Good, Look::Warn, Look::Bad, Look::Quiet];

    pub fn class(self) -> &'static str {
        match self {
            Look::Good => "st-good",
            Look::Warn => "st-warn",
            Look::Bad => "st-bad",
            Look::Quiet => "st-quiet",
        }
    }

    pub fn shape(self) -> &'static str {
        match self {
            Look::Good => "●",
            Look::Warn => "◆",
            Look::Bad => "■",
            Look::Quiet => "○",
        }
    }

    /// Fill and text colours: those of the rating each state amounts to.
    pub fn colours(self) -> (u32, u32) {
        match self {
            Look::Good => rag_colours(Rag::Green),
            Look::Warn => rag_colours(Rag::Amber),
            Look::Bad => rag_colours(Rag::Red),
            Look::Quiet => (PAPER, GREY),
        }
    }
}

/// Every rule of the committee report's web page that colours text: its
/// selector, the text colour and the background the text sits on. The
/// shared stylesheet sets `color` and `background-color` only through
/// these pairs, each in one rule, so the contrast of every piece of text
/// on the page is measured (here, and over the stylesheet in
/// `tests/it/html.rs`).
pub fn report_page_text() -> Vec<(String, u32, u32)> {
    let mut pairs: Vec<(String, u32, u32)> = vec![
        ("body".into(), INK, PAPER),
        ("h1, h2, h3".into(), NAVY, PAPER),
        ("a".into(), NAVY, PAPER),
        ("a:focus".into(), INK, FOCUS),
        (".skip:focus".into(), INK, FOCUS),
        (".masthead".into(), PAPER, NAVY),
        (".sample-banner".into(), PAPER, WARNING),
        (".sample-notice".into(), WARNING, PAPER),
        (
            ".secondary, .commentary, .key, .words, .no-data".into(),
            GREY,
            PAPER,
        ),
        ("thead th".into(), INK, SHADE),
        ("tbody th.group".into(), INK, GROUP),
        ("footer".into(), INK, PAPER),
    ];
    for rag in [Rag::Green, Rag::Amber, Rag::Red] {
        let (fill, text) = rag_colours(rag);
        pairs.push((format!(".{}", rag_class(rag)), text, fill));
    }
    for grade in crate::config::GRADES {
        let (fill, text) = grade_colours(grade);
        pairs.push((format!(".{}", grade_class(grade)), text, fill));
    }
    pairs
}

/// Every rule of the status page (`returns.html`) that colours text, as
/// [`report_page_text`] gives the committee report's.
pub fn returns_page_text() -> Vec<(String, u32, u32)> {
    let mut pairs: Vec<(String, u32, u32)> = vec![
        ("body".into(), INK, PAPER),
        ("h1,h2".into(), NAVY, PAPER),
        ("a".into(), NAVY, PAPER),
        ("a:focus,.skip:focus".into(), INK, FOCUS),
        (".masthead".into(), PAPER, NAVY),
        (".sample-banner".into(), PAPER, WARNING),
        (".secondary".into(), GREY, PAPER),
        (".overdue".into(), WARNING, PAPER),
        ("thead th".into(), INK, SHADE),
    ];
    for look in Look::ALL {
        let (fill, text) = look.colours();
        pairs.push((format!(".{}", look.class()), text, fill));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG 2.2's contrast ratio of two colours.
    fn contrast(a: u32, b: u32) -> f64 {
        fn luminance(c: u32) -> f64 {
            let channel = |shift: u32| {
                let v = f64::from((c >> shift) & 0xFF) / 255.0;
                if v <= 0.03928 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
        }
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn every_text_colour_has_a_contrast_of_at_least_4_5() {
        assert!((contrast(0x000000, 0xFFFFFF) - 21.0).abs() < 0.01);
        for (selector, text, background) in
            report_page_text().into_iter().chain(returns_page_text())
        {
            let ratio = contrast(text, background);
            assert!(ratio >= 4.5, "{selector}: {ratio:.2}:1");
        }
        for status in ActionStatus::ALL {
            let (fill, text) = status_colours(status);
            assert!(contrast(text, fill) >= 4.5, "{status:?}");
            assert!(contrast(OVERDUE_TEXT, fill) >= 4.5, "OVERDUE on {status:?}");
        }
    }

    #[test]
    fn classes_are_slugs() {
        assert_eq!(status_class(ActionStatus::OnTrack), "status-on-track");
        assert_eq!(grade_class("Outstanding"), "grade-outstanding");
        let classes = cell_classes();
        assert!(classes.contains_key("rag-amber") && classes.contains_key("status-not-started"));
    }

    #[test]
    fn every_grade_has_its_own_class() {
        let classes: std::collections::BTreeSet<String> = crate::config::GRADES
            .iter()
            .map(|g| grade_class(g))
            .collect();
        assert_eq!(classes.len(), crate::config::GRADES.len());
    }
}
