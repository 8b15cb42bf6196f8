//! The documents' parts as data: what a layout template arranges.
//!
//! A [`Paper`] (the committee report) and a [`PlanPaper`] (the improvement
//! plan) are made of the same pieces: tables of [`Cell`]s that carry their
//! words, a shape and a colour class from the palette, figures with their
//! words, and numbered sections. They serialise to the `/data.json` the
//! print layouts read and to the context of the web page's template, so
//! both show the same thing.

use std::collections::BTreeMap;

use serde::Serialize;

use super::chart_labels::ChartLabel;
use crate::judge::Rag;
use crate::model::palette::{rag_class, rag_symbol, Colours};
use crate::narrative::Bullet;

/// What every document says about itself.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentInfo {
    /// "Children and Families Performance Scorecard, 2014-15 Q2".
    pub title: String,
    pub subject: String,
    pub author: String,
    pub keywords: Vec<String>,
    /// ISO 639 language and ISO 3166 region: `en`, `GB`.
    pub lang: String,
    pub region: String,
    pub organisation: String,
    pub committee: String,
    /// "25 November 2014", or empty.
    pub meeting_date: String,
    /// `2014-11-25`: the document's date.
    pub date: String,
    /// The running header: "Example Borough Council – <title>".
    pub header: String,
    /// The running footer: "<committee>, <meeting date>".
    pub footer: String,
    /// The sample-data banner on every page, when the figures are invented.
    pub banner: Option<String>,
    /// "scorecard 0.1.0".
    pub generator: String,
}

/// A label and its value in the heading block.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

/// The block at the top of a council paper.
#[derive(Debug, Clone, Serialize)]
pub struct HeadingBlock {
    /// "Report for: Children and Young People Scrutiny Committee".
    pub report_for: String,
    pub committee: String,
    pub fields: Vec<Field>,
    /// Said under the block when the figures are invented.
    pub sample_notice: Vec<String>,
}

/// One section of the report ("Section 2 – Report", "Appendix 1 – …").
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// An anchor: `section-2`, `appendix-1`.
    pub id: String,
    pub heading: String,
    /// An appendix starts on a new page.
    pub appendix: bool,
    pub parts: Vec<Part>,
}

/// One part of a section: an optional heading, a passage, then what it
/// shows, then a note in small print.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub id: String,
    /// `2.5` in a numbered section.
    pub number: Option<String>,
    pub heading: Option<String>,
    pub paragraphs: Vec<String>,
    /// The name of an exhibit: `glance`, `strengths`, `weaknesses`,
    /// `scorecard`, `figures`, `clearance`, `contact`,
    /// `background_papers`, `findings`.
    pub show: Option<String>,
    pub note: Vec<String>,
    /// Starts a new page when printed.
    pub new_page: bool,
}

/// What a table cell says, and how it is marked.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Cell {
    pub text: String,
    /// Lines under the text, in italics: an update, who reported it.
    pub more: Vec<String>,
    /// A warning under the text, e.g. `OVERDUE`.
    pub alert: Option<String>,
    /// A shape or arrow shown before the text, which repeats what the text
    /// says (so it is hidden from screen readers): `●`, `▲`.
    pub symbol: Option<String>,
    /// A colour class from the palette: `rag-green`, `grade-good`,
    /// `status-at-risk`; or `no-data` for secondary text.
    pub style: Option<String>,
    pub strong: bool,
}

impl Cell {
    pub(super) fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    pub(super) fn strong(mut self) -> Cell {
        self.strong = true;
        self
    }

    pub(super) fn style(mut self, style: impl Into<String>) -> Cell {
        self.style = Some(style.into());
        self
    }

    pub(super) fn rating(rag: Rag, text: String) -> Cell {
        Cell {
            text,
            symbol: Some(rag_symbol(rag).to_string()),
            style: Some(rag_class(rag).to_string()),
            strong: true,
            ..Cell::default()
        }
    }
}

/// A column of a table.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub heading: String,
    /// `left`, `right` or `center`.
    pub align: &'static str,
    /// The column's share of the width, relative to the others.
    pub width: f64,
}

pub(super) fn column(heading: impl Into<String>, align: &'static str, width: f64) -> Column {
    Column {
        heading: heading.into(),
        align,
        width,
    }
}

/// Rows under a group heading (a theme, a section of the findings).
#[derive(Debug, Clone, Serialize)]
pub struct RowGroup {
    pub heading: Option<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A table with its header row, row headers and groups of rows.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub id: String,
    /// What the table shows, for screen readers and the web page.
    pub caption: String,
    pub columns: Vec<Column>,
    /// How many leading cells of each row head it (the ref, the title).
    pub row_headers: usize,
    pub groups: Vec<RowGroup>,
    /// Too wide for a phone: the web page lets it scroll sideways.
    pub wide: bool,
}

/// A chart: its caption, the picture, and the picture in words.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub number: usize,
    pub id: String,
    pub caption: String,
    /// What the picture is, for a reader who cannot see it.
    pub alt: String,
    /// Every value the chart shows, in words, printed under it.
    pub words: String,
    /// Where a layout template finds the whole picture, labels and all:
    /// `/charts/figure-1.svg`.
    pub file: String,
    /// Where it finds the picture without its labels, to set `labels`
    /// over it: `/charts/figure-1-unlabelled.svg`.
    pub unlabelled_file: String,
    pub width: u32,
    pub height: u32,
    /// The chart's labels, where the chart drew them.
    pub labels: Vec<ChartLabel>,
    /// The picture without its labels, served as `unlabelled_file`.
    #[serde(skip)]
    pub unlabelled: String,
    /// The whole picture, served as `file` and shown by the web page.
    #[serde(skip)]
    pub svg: String,
}

/// The report's contact.
#[derive(Debug, Clone, Serialize)]
pub struct ContactBlock {
    pub name: String,
    pub title: String,
    pub telephone: String,
    pub email: String,
}

/// Everything a part can show besides its passage, one field for each
/// name in [`crate::config::names::EXHIBITS`].
#[derive(Debug, Clone, Serialize)]
pub struct Exhibits {
    pub glance: Table,
    pub strengths: Vec<Bullet>,
    pub weaknesses: Vec<Bullet>,
    pub scorecard: Table,
    pub figures: Vec<Figure>,
    pub clearance: Table,
    pub contact: ContactBlock,
    pub background_papers: Vec<String>,
    pub findings: Option<Table>,
}

/// The committee report.
#[derive(Debug, Clone, Serialize)]
pub struct Paper {
    pub document: DocumentInfo,
    pub heading: HeadingBlock,
    pub sections: Vec<Section>,
    pub exhibits: Exhibits,
    /// The colours of ratings, grades and statuses, by class.
    pub palette: BTreeMap<String, Colours>,
}

impl Paper {
    /// Whether the printed report breaks its pages anywhere by design (an
    /// appendix, or a part with `new_page`), which makes it more than one
    /// run of pages for Typst to lay out, each on a core of its own.
    pub fn breaks_pages(&self) -> bool {
        self.sections
            .iter()
            .any(|s| s.appendix || s.parts.iter().any(|p| p.new_page))
    }
}

/// The improvement plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanPaper {
    pub document: DocumentInfo,
    pub heading: String,
    pub intro: Vec<String>,
    pub summary_heading: String,
    pub summary: Vec<String>,
    pub counts: Table,
    /// One numbered part per area of the recommendations.
    pub areas: Vec<PlanArea>,
    pub key: Vec<String>,
    pub palette: BTreeMap<String, Colours>,
}

/// The recommendations of one area, and their actions.
#[derive(Debug, Clone, Serialize)]
pub struct PlanArea {
    pub id: String,
    pub number: String,
    pub heading: String,
    pub table: Table,
}
