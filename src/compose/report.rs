//! The committee report as data: its heading block, its sections in the
//! outline's order, and every table and chart its parts show.

use rayon::prelude::*;

use super::chart::{charted, rag_svg, trend_svg, RagChart, TrendChart, CHART_SIZE};
use super::chart_labels;
use super::paper::{
    column, Cell, ContactBlock, Exhibits, Field, Figure, HeadingBlock, Paper, Part, RowGroup,
    Section, Table,
};
use super::{document_info, Sources};
use crate::aggregate::Scorecard;
use crate::config::Templates;
use crate::judge::{Direction, Rag};
use crate::model::palette::{cell_classes, grade_class, rag_class};
use crate::narrative::Narrative;
use crate::text::{long_date, slug};

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
                        new_page: p.new_page,
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
    let figure = |number: usize, caption: String, alt: String, words: String, svg: String| {
        let (unlabelled, labels) = chart_labels::lift(&svg);
        Figure {
            number,
            id: format!("figure-{number}"),
            caption,
            alt,
            words,
            file: format!("/charts/figure-{number}.svg"),
            unlabelled_file: format!("/charts/figure-{number}-unlabelled.svg"),
            width: w,
            height: h,
            labels,
            unlabelled,
            svg,
        }
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
