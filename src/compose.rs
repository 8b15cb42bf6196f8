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

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use crate::aggregate::Scorecard;
use crate::config::Templates;
use crate::improvement::PlanProgress;
use crate::judge::{Direction, Rag};
use crate::model::palette::{
    cell_classes, grade_class, rag_class, rag_symbol, status_class, Colours,
};
use crate::narrative::{Bullet, Narrative};
use crate::render::chart::{charted, rag_svg, trend_svg, RagChart, TrendChart};
use crate::text::{long_date, slug};
use crate::validate::ActionStatus;

/// Charts are drawn at this size (pixels, or SVG user units) and scaled to
/// the page's width.
pub const CHART_SIZE: (u32, u32) = (1400, 420);

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
    fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    fn strong(mut self) -> Cell {
        self.strong = true;
        self
    }

    fn style(mut self, style: impl Into<String>) -> Cell {
        self.style = Some(style.into());
        self
    }

    fn rating(rag: Rag, text: String) -> Cell {
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

fn column(heading: impl Into<String>, align: &'static str, width: f64) -> Column {
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
    /// Where the picture is found by a layout template: `/charts/figure-1.svg`.
    pub file: String,
    pub width: u32,
    pub height: u32,
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

/// Everything a part can show besides its passage.
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

/// The names a part may `show`.
pub const EXHIBITS: [&str; 9] = [
    "glance",
    "strengths",
    "weaknesses",
    "scorecard",
    "figures",
    "clearance",
    "contact",
    "background_papers",
    "findings",
];

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

/// Composes the committee report, drawing its charts in parallel.
pub fn compose_report(s: &Sources) -> anyhow::Result<Paper> {
    let t = s.templates;
    let n = s.narrative;
    let title = format!("{}, {}", n.title, s.scorecard.period.label());
    let document = document_info(s, title, n.subject.clone());
    let heading = HeadingBlock {
        report_for: format!("Report for: {}", t.meeting.committee),
        committee: t.meeting.committee.clone(),
        fields: heading_fields(s),
        sample_notice: if t.organisation.sample_data {
            n.passage("sample_notice").to_vec()
        } else {
            Vec::new()
        },
    };
    let sections = sections(n);
    Ok(Paper {
        document,
        heading,
        sections,
        exhibits: Exhibits {
            glance: glance_table(s.scorecard),
            strengths: n.strengths.clone(),
            weaknesses: n.weaknesses.clone(),
            scorecard: scorecard_table(s),
            figures: figures(s)?,
            clearance: clearance_table(t),
            contact: ContactBlock {
                name: t.meeting.contact.name.clone(),
                title: t.meeting.contact.title.clone(),
                telephone: t.meeting.contact.telephone.clone(),
                email: t.meeting.contact.email.clone(),
            },
            background_papers: t.meeting.background_papers.clone(),
            findings: findings_table(t),
        },
        palette: cell_classes(),
    })
}

/// The sections of the outline, numbered: a numbered section's parts with
/// headings are 2.1, 2.2, …, and appendices are numbered apart.
fn sections(n: &Narrative) -> Vec<Section> {
    n.outline
        .iter()
        .enumerate()
        .map(|(i, section)| {
            let number = i + 1;
            let id = if section.appendix {
                format!(
                    "appendix-{}",
                    number - n.outline.iter().filter(|s| !s.appendix).count()
                )
            } else {
                format!("section-{number}")
            };
            let mut numbered = 0;
            let parts = section
                .parts
                .iter()
                .map(|p| {
                    let number = if section.numbered && p.heading.is_some() {
                        numbered += 1;
                        Some(format!("{number}.{numbered}"))
                    } else {
                        None
                    };
                    Part {
                        id: match &number {
                            Some(n) => format!("s{}", n.replace('.', "-")),
                            None => {
                                format!("{id}-{}", slug(p.heading.as_deref().unwrap_or("part")))
                            }
                        },
                        number,
                        heading: p.heading.clone(),
                        paragraphs: p.paragraphs.clone(),
                        show: p.show.clone(),
                        note: p.note.clone(),
                    }
                })
                .collect();
            Section {
                id,
                heading: section.heading.clone(),
                appendix: section.appendix,
                parts,
            }
        })
        .collect()
}

/// The rows of the heading block, in the order council papers give them.
fn heading_fields(s: &Sources) -> Vec<Field> {
    let t = s.templates;
    let field = |label: &str, value: String| Field {
        label: label.to_string(),
        value,
    };
    let mut fields = vec![
        field(
            "Date of Meeting:",
            t.meeting_date().map(long_date).unwrap_or_default(),
        ),
        field("Subject:", s.narrative.subject.clone()),
        field(
            "Responsible Officer:",
            t.meeting.responsible_officer.clone(),
        ),
        field("Portfolio Holder:", t.meeting.portfolio_holder.clone()),
        field("Exempt:", t.meeting.exempt.clone()),
    ];
    if let Some(w) = &t.meeting.wards {
        fields.push(field("Wards affected:", w.clone()));
    }
    fields.push(field(
        "Enclosures:",
        s.narrative.passage("enclosures").join(" "),
    ));
    fields
}

/// 2.2: the counts of the quarter at a glance.
fn glance_table(sc: &Scorecard) -> Table {
    let s = &sc.summary;
    let rated = |rag: Rag, n: usize| Cell::rating(rag, format!("{n} {}", rag.label()));
    Table {
        id: "at-a-glance".into(),
        caption: format!(
            "Indicators by rating, and how many improved or worsened, {}",
            sc.period.label()
        ),
        columns: [
            "Green",
            "Amber",
            "Red",
            "Context only",
            "No data",
            "Improved / worsened",
        ]
        .iter()
        .map(|h| column(*h, "center", 1.0))
        .collect(),
        row_headers: 0,
        groups: vec![RowGroup {
            heading: None,
            rows: vec![vec![
                rated(Rag::Green, s.green),
                rated(Rag::Amber, s.amber),
                rated(Rag::Red, s.red),
                Cell::new(s.not_rated.to_string()),
                Cell::new(s.no_data.to_string()),
                Cell::new(format!("{} / {}", s.improved, s.worsened)),
            ]],
        }],
        // Six columns are wider than a phone.
        wide: true,
    }
}

/// 2.5: every indicator by theme, the quarters shown, target, rating,
/// direction and benchmarks.
fn scorecard_table(s: &Sources) -> Table {
    let sc = s.scorecard;
    // Widths in millimetres of a 170 mm text column, measured so that
    // "100.0%", "2013-14", "England", "● Amber" and "► unchanged" fit on
    // one line at 8 point bold; the indicator's title takes what is left.
    let quarters = sc.shown.len() as f64;
    let fixed = 8.5 + 11.8 * quarters + 10.5 + 13.0 + 19.5 + 11.0 + 12.5;
    let mut columns = vec![
        column("Ref", "left", 8.5),
        column("Indicator", "left", (170.0 - fixed).max(30.0)),
    ];
    columns.extend(sc.shown.iter().map(|p| {
        column(
            format!("{} Q{}", p.year_label(), p.quarter()),
            "right",
            11.8,
        )
    }));
    columns.extend([
        column("Target", "center", 10.5),
        column("RAG", "center", 13.0),
        column("Direction", "center", 19.5),
        column("SN", "center", 11.0),
        column("England", "center", 12.5),
    ]);
    let groups = s
        .templates
        .themes
        .iter()
        .filter_map(|theme| {
            let rows: Vec<Vec<Cell>> = sc
                .rows
                .iter()
                .filter(|r| r.indicator.theme == theme.id)
                .map(|r| scorecard_row(sc, r))
                .collect();
            (!rows.is_empty()).then(|| RowGroup {
                heading: Some(theme.title.clone()),
                rows,
            })
        })
        .collect();
    Table {
        id: "scorecard".into(),
        caption: format!(
            "The scorecard, {}, by theme: each indicator's figure for the last {} quarters, its target, its rating (RAG: Red, Amber or Green), its direction since the previous quarter, and the statistical neighbours' (SN) and England figures",
            sc.period.label(),
            sc.shown.len()
        ),
        columns,
        row_headers: 2,
        groups,
        wide: true,
    }
}

fn scorecard_row(sc: &Scorecard, r: &crate::aggregate::IndicatorRow) -> Vec<Cell> {
    let ind = &r.indicator;
    let dash = || Cell::new("–");
    let mut cells = vec![
        Cell::new(ind.reference.clone()).strong(),
        Cell::new(ind.title.clone()),
    ];
    for p in &sc.shown {
        cells.push(match r.at(*p) {
            Some(o) if o.has_data() => match (o.rag, *p == sc.period) {
                (Some(rag), true) => Cell::new(o.display.clone()).style(rag_class(rag)).strong(),
                _ => Cell::new(o.display.clone()),
            },
            _ => Cell::new("No data").style("no-data"),
        });
    }
    let now = r.at(sc.period);
    cells.push(
        ind.target
            .map(|v| Cell::new(ind.measure.display_target(v)))
            .unwrap_or_else(dash),
    );
    cells.push(
        now.and_then(|o| o.rag)
            .map(|rag| Cell::rating(rag, rag.label().to_string()))
            .unwrap_or_else(dash),
    );
    cells.push(
        now.and_then(|o| o.direction)
            .map(direction_cell)
            .unwrap_or_else(dash),
    );
    for bench in [ind.statistical_neighbours, ind.england] {
        cells.push(
            bench
                .map(|v| Cell::new(ind.measure.display(v)))
                .unwrap_or_else(dash),
        );
    }
    cells
}

fn direction_cell(d: Direction) -> Cell {
    Cell {
        text: d.label().to_string(),
        symbol: Some(d.arrow().to_string()),
        ..Cell::default()
    }
}

/// 2.6: the Green/Amber/Red counts by quarter, then a trend for each Red
/// indicator and each one the templates name; drawn in parallel.
fn figures(s: &Sources) -> anyhow::Result<Vec<Figure>> {
    let sc = s.scorecard;
    let (w, h) = CHART_SIZE;
    let figure = |number: usize, caption: String, alt: String, words: String, svg: String| Figure {
        number,
        id: format!("figure-{number}"),
        caption,
        alt,
        words,
        file: format!("/charts/figure-{number}.svg"),
        width: w,
        height: h,
        svg,
    };
    let rag = RagChart::from_scorecard(sc);
    let caption = rag.caption();
    let first = figure(
        1,
        caption.clone(),
        format!(
            "Stacked bar chart: {caption}. Each bar is labelled with its counts, which are also given in words below the chart."
        ),
        rag.text_equivalent(),
        rag_svg(&rag, w, h)?,
    );
    let trends = charted(sc, &s.templates.organisation.charts)
        .par_iter()
        .enumerate()
        .map(|(i, row)| {
            let chart = TrendChart::from_row(row, &sc.shown);
            let caption = chart.caption();
            let mut lines = vec![format!("the {} figures", chart.reference)];
            if chart.target.is_some() {
                lines.push("the target (red dashes)".into());
            }
            if chart.neighbours.is_some() {
                lines.push("the statistical neighbours' figure (grey dots)".into());
            }
            let alt = format!(
                "Line chart: {caption}, showing {}. Every value is given in words below the chart.",
                crate::text::join_and(&lines)
            );
            Ok(figure(
                i + 2,
                caption,
                alt,
                chart.text_equivalent(),
                trend_svg(&chart, w, h)?,
            ))
        })
        .collect::<anyhow::Result<Vec<Figure>>>()?;
    Ok(std::iter::once(first).chain(trends).collect())
}

/// Section 3: who cleared the report.
fn clearance_table(t: &Templates) -> Table {
    Table {
        id: "clearance".into(),
        caption: "Officers who cleared this report, on behalf of whom, and when".into(),
        columns: vec![
            column("Name", "left", 1.4),
            column("Cleared", "left", 2.2),
            column("Date", "left", 1.2),
        ],
        // Two columns of a few rows: the column headings say it all.
        row_headers: 0,
        groups: vec![RowGroup {
            heading: None,
            rows: t
                .meeting
                .clearance
                .iter()
                .map(|c| {
                    vec![
                        Cell::new(c.name.clone()),
                        Cell::new(c.role.clone()),
                        Cell::new(c.date.clone()),
                    ]
                })
                .collect(),
        }],
        wide: false,
    }
}

/// Appendix 1: the inspection's judgements, each grade coloured and
/// written out.
fn findings_table(t: &Templates) -> Option<Table> {
    let judgements = &t.plan.judgements;
    if judgements.is_empty() {
        return None;
    }
    let mut groups: Vec<RowGroup> = Vec::new();
    for j in judgements {
        if groups.last().and_then(|g| g.heading.as_deref()) != Some(j.section.as_str()) {
            groups.push(RowGroup {
                heading: Some(j.section.clone()),
                rows: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            group.rows.push(vec![
                Cell::new(j.judgement.clone()),
                Cell::new(j.grade.clone())
                    .style(grade_class(&j.grade))
                    .strong(),
            ]);
        }
    }
    Some(Table {
        id: "findings".into(),
        caption: "The inspection's judgements and their grades, by section".into(),
        columns: vec![
            column("Judgement", "left", 5.0),
            column("Grade", "center", 1.4),
        ],
        row_headers: 0,
        groups,
        wide: false,
    })
}

/// Composes the improvement plan.
pub fn compose_plan(s: &Sources) -> PlanPaper {
    let n = s.narrative;
    let plan = s.plan;
    let heading = n.passage("plan_title").join(" ");
    let subject = n.passage("plan_subject").join(" ");
    let document = document_info(s, heading.clone(), subject);
    let sm = &plan.summary;
    let counted = |n: usize, status: ActionStatus| {
        Cell::new(n.to_string())
            .style(status_class(status))
            .strong()
    };
    let counts = Table {
        id: "plan-counts".into(),
        caption: format!("Actions by status at the end of {}", plan.period.label()),
        columns: [
            "Complete",
            "On track",
            "At risk",
            "Off track",
            "Not started",
            "Overdue",
        ]
        .iter()
        .map(|h| column(*h, "center", 1.0))
        .collect(),
        row_headers: 0,
        groups: vec![RowGroup {
            heading: None,
            rows: vec![vec![
                counted(sm.complete, ActionStatus::Complete),
                counted(sm.on_track, ActionStatus::OnTrack),
                counted(sm.at_risk, ActionStatus::AtRisk),
                counted(sm.off_track, ActionStatus::OffTrack),
                counted(sm.not_started, ActionStatus::NotStarted),
                Cell::new(sm.overdue.to_string()).style("overdue").strong(),
            ]],
        }],
        wide: false,
    };
    let mut area_names: Vec<&str> = Vec::new();
    for rp in &plan.recommendations {
        if !area_names.contains(&rp.recommendation.area.as_str()) {
            area_names.push(&rp.recommendation.area);
        }
    }
    let areas = area_names
        .iter()
        .enumerate()
        .map(|(i, area)| PlanArea {
            id: format!("area-{}", i + 2),
            number: (i + 2).to_string(),
            heading: area.to_string(),
            table: area_table(plan, area, i + 2),
        })
        .collect();
    PlanPaper {
        document,
        heading,
        intro: n.passage("plan_intro").to_vec(),
        summary_heading: "Summary".into(),
        summary: n
            .passage("improvement")
            .first()
            .cloned()
            .into_iter()
            .collect(),
        counts,
        areas,
        key: n.passage("plan_key").to_vec(),
        palette: cell_classes(),
    }
}

fn area_table(plan: &PlanProgress, area: &str, number: usize) -> Table {
    let mut rows = Vec::new();
    for rp in plan
        .recommendations
        .iter()
        .filter(|rp| rp.recommendation.area == area)
    {
        let r = &rp.recommendation;
        let reference = Cell::new(r.reference.clone()).strong();
        let recommendation = Cell {
            text: r.text.clone(),
            more: vec![format!("({})", r.timescale.label().to_lowercase())],
            ..Cell::default()
        };
        let due = Cell::new(rp.due.format("%d/%m/%Y").to_string());
        if rp.actions.is_empty() {
            rows.push(vec![
                reference,
                recommendation,
                due,
                Cell::new("No action reported").style("overdue").strong(),
                Cell::new("–"),
                Cell::new("–"),
                Cell::new("No action").style("overdue").strong(),
            ]);
            continue;
        }
        for (j, a) in rp.actions.iter().enumerate() {
            let mut more = Vec::new();
            if let Some(u) = &a.action.update {
                more.push(format!("Update: {u}"));
            }
            more.push(format!("({})", a.service));
            let first = j == 0;
            let blank = Cell::default;
            rows.push(vec![
                if first { reference.clone() } else { blank() },
                if first {
                    recommendation.clone()
                } else {
                    blank()
                },
                if first { due.clone() } else { blank() },
                Cell {
                    text: a.action.action.clone(),
                    more,
                    ..Cell::default()
                },
                Cell::new(a.action.lead.clone()),
                Cell::new(a.action.due.format("%d/%m/%Y").to_string()),
                Cell {
                    alert: a.overdue.then(|| "OVERDUE".to_string()),
                    ..Cell::new(a.action.status.label())
                        .style(status_class(a.action.status))
                        .strong()
                },
            ]);
        }
    }
    Table {
        id: format!("plan-area-{number}"),
        caption: format!(
            "{area}: each recommendation, when it was due, and the actions reported against it"
        ),
        columns: vec![
            column("Ref", "left", 1.3),
            column("Recommendation", "left", 4.9),
            column("Due", "left", 2.0),
            column("Action", "left", 4.8),
            column("Lead officer", "left", 2.6),
            column("Action due", "left", 2.0),
            column("Status", "left", 1.9),
        ],
        row_headers: 0,
        groups: vec![RowGroup {
            heading: None,
            rows,
        }],
        wide: true,
    }
}
