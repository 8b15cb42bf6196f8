//! Stage 6: compose the documents as data.
//!
//! The committee report and the improvement plan are built here once, as a
//! [`Paper`] and a [`PlanPaper`]: the heading block, the sections and their
//! numbered parts in the order `templates/report-outline.toml` gives, the
//! passages [`narrate`](crate::narrative) wrote, and every table (header
//! cells, row-header cells, each rating as a word and a colour), chart
//! (caption, alt text, its figures in words, the picture as SVG) and list.
//! The layout templates (`report.typ` for print, `report.html.j2` for the
//! web page, `improvement-plan.typ`) only arrange what is here: no template
//! and no renderer works out a figure, numbers a section or words a
//! passage of its own.
//!
//! - [`paper`]: the types both documents are made of (tables, cells,
//!   figures, sections);
//! - [`report`]: the committee report, from the narrative and the scorecard;
//! - [`plan`]: the improvement plan, from the plan's progress;
//! - [`chart`]: the charts as data, and their pictures as SVG;
//! - [`chart_labels`]: a chart's labels, taken out of its SVG for the PDF
//!   to set as text;
//! - [`returns_page`]: the status page of a quarter's returns, from
//!   [`status`](crate::status).

pub mod chart;
pub mod chart_labels;
pub mod paper;
pub mod plan;
pub mod report;
pub mod returns_page;

use chrono::NaiveDate;

use crate::aggregate::Scorecard;
use crate::config::Templates;
use crate::improvement::PlanProgress;
use crate::narrative::Narrative;
use crate::text::long_date;

pub use paper::{
    Cell, Column, ContactBlock, DocumentInfo, Exhibits, Field, Figure, HeadingBlock, Paper, Part,
    PlanArea, PlanPaper, RowGroup, Section, Table,
};
pub use plan::compose_plan;
pub use report::compose_report;
pub use returns_page::{compose_returns_page, ReturnsPage};

/// The report's date: the meeting's, or the end of the quarter without one.
pub fn document_date(templates: &Templates, scorecard: &Scorecard) -> NaiveDate {
    templates
        .meeting_date()
        .unwrap_or_else(|| scorecard.period.last_day())
}

/// The parts of a run a document is composed from.
pub struct Sources<'a> {
    pub templates: &'a Templates,
    pub scorecard: &'a Scorecard,
    pub plan: &'a PlanProgress,
    pub narrative: &'a Narrative,
}

fn document_info(s: &Sources, title: String, subject: String) -> DocumentInfo {
    let t = s.templates;
    let meeting_date = t.meeting_date().map(long_date).unwrap_or_default();
    DocumentInfo {
        header: format!("{} – {title}", t.organisation.name),
        footer: format!("{}, {meeting_date}", t.meeting.committee),
        title,
        subject,
        author: t.organisation.name.clone(),
        keywords: vec![
            t.organisation.directorate.clone(),
            "performance scorecard".into(),
            s.scorecard.period.label(),
        ],
        lang: "en".into(),
        region: "GB".into(),
        organisation: t.organisation.name.clone(),
        committee: t.meeting.committee.clone(),
        meeting_date,
        date: document_date(t, s.scorecard).format("%Y-%m-%d").to_string(),
        banner: t
            .organisation
            .sample_data
            .then(|| s.narrative.passage("sample_banner").join(" ")),
        generator: format!("scorecard {}", env!("CARGO_PKG_VERSION")),
    }
}
