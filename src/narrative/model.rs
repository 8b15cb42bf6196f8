//! The text model: everything `templates/report.j2` can name, every figure
//! already rounded and formatted as the documents print it, worked out
//! from the [`Scorecard`] and the plan's progress. The wording is the
//! template's; what it words is here, so a passage cannot print a figure
//! the tables do not.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::aggregate::{Gap, IndicatorRow, Outcome, Scorecard};
use crate::config::{Source, Templates};
use crate::improvement::PlanProgress;
use crate::judge::{Direction, Polarity, Rag};
use crate::model::returns::ReturnStatus;

/// Everything the report template can use.
#[derive(Debug, Clone, Serialize)]
pub struct TextModel {
    pub period: String,
    pub previous_period: String,
    pub organisation: String,
    pub directorate: String,
    pub committee: String,
    pub meeting_date: String,
    pub counts: crate::aggregate::Summary,
    /// Indicators with figures this quarter.
    pub with_data: usize,
    pub quarters_shown: usize,
    /// Every indicator by ref, e.g. `indicators.TS3.value`.
    pub indicators: BTreeMap<String, IndicatorText>,
    /// Every indicator in scorecard order.
    pub scorecard: Vec<IndicatorText>,
    pub strengths: Vec<IndicatorText>,
    pub weaknesses: Vec<IndicatorText>,
    pub returns: ReturnsText,
    pub plan: crate::improvement::PlanSummary,
    /// The last day of the quarter, e.g. `30 September 2014`.
    pub quarter_end: String,
    pub inspection: InspectionText,
    /// The SSDA903 extract behind some figures, in counts.
    pub ssda903: ExtractText,
    /// The quarter's children in need census, as for `ssda903`.
    pub cin: ExtractText,
}

/// The inspection behind the improvement plan, dates written out.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionText {
    /// "Ofsted".
    pub body: String,
    /// "Inspection of safeguarding and looked after children services".
    pub title: String,
    /// "27 June 2012".
    pub published: String,
    /// "2012".
    pub year: String,
    pub inspected_from: String,
    pub inspected_to: String,
}

/// "2012-05-08" → "8 May 2012"; text that is not a date is kept as it is.
fn date_text(text: &str) -> String {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|_| text.to_string())
}

/// An indicator as the template sees it: figures formatted as printed.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorText {
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub theme: String,
    /// The figure as printed, e.g. `79.9%`, or `No data`.
    pub value: String,
    pub has_data: bool,
    /// The indicator's statement with the figure in it.
    pub statement: String,
    /// e.g. `75%`; empty when there is no target.
    pub target: String,
    /// `Green`, `Amber`, `Red` or empty.
    pub rag: String,
    /// `improved`, `worsened`, `unchanged`, `up`, `down` or empty.
    pub direction: String,
    /// `above`, `below` or `meets` the target; empty without a target.
    pub standing: String,
    /// Rated Green.
    pub on_target: bool,
    /// The quarter before, as printed; empty when there is none.
    pub previous_value: String,
    pub previous_period: String,
    /// The change as printed, without sign: `6.0 points`.
    pub change: String,
    /// `up`, `down` or `unchanged`; empty without a previous figure.
    pub change_word: String,
    /// The change went the better way.
    pub moved_well: bool,
    pub statistical_neighbours: String,
    pub england: String,
    pub commentary: Vec<CommentaryText>,
    /// Why figures are missing, e.g. "no return from Leaving Care".
    pub gaps: Vec<String>,
    /// Services whose figures make up the value.
    pub contributors: Vec<String>,
}

/// A service's commentary.
#[derive(Debug, Clone, Serialize)]
pub struct CommentaryText {
    pub service: String,
    pub text: String,
}

/// A rejected or missing service, and the refs it provides.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceText {
    pub service: String,
    pub refs: Vec<String>,
    pub files: Vec<String>,
    pub errors: usize,
}

/// The returns behind the quarter.
#[derive(Debug, Clone, Serialize)]
pub struct ReturnsText {
    pub expected: usize,
    pub accepted: usize,
    pub rejected: Vec<ServiceText>,
    pub missing: Vec<ServiceText>,
    pub unidentified: Vec<String>,
    pub superseded: usize,
    pub accepted_with_warnings: usize,
}

/// The quarter's SSDA903 extract, for the data-quality statement: counts
/// only, never a child.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExtractText {
    /// The quarter has an extract that was used.
    pub used: bool,
    /// The quarter's extract was refused, so its figures came from the
    /// returns.
    pub refused: bool,
    /// Why, in words: "episodes.csv was cut short".
    pub refused_because: String,
    /// How the extract is named: its folder, or its XML file.
    pub name: String,
    /// Refs whose borough figure came from it.
    pub refs: Vec<String>,
    /// Refs meant to come from it that came from the returns instead
    /// (`.ref`, `.why`).
    pub fallbacks: Vec<FallbackText>,
    /// Children in the extract.
    pub children: usize,
    /// Children whose records were used.
    pub included: usize,
    /// Children left out of every figure.
    pub left_out: usize,
    /// Why, each child counted once: `.reason` in words and `.children`.
    pub reasons: Vec<ReasonText>,
    /// Rows not used, and other warnings.
    pub warnings: usize,
}

/// A figure meant to come from the extract that came from the returns.
#[derive(Debug, Clone, Serialize)]
pub struct FallbackText {
    #[serde(rename = "ref")]
    pub reference: String,
    pub why: String,
}

/// One reason children were left out, and how many.
#[derive(Debug, Clone, Serialize)]
pub struct ReasonText {
    pub reason: String,
    pub children: usize,
}

fn extract_text(sc: &Scorecard, source: Source) -> ExtractText {
    let Some(e) = sc.records_of(source) else {
        return ExtractText::default();
    };
    ExtractText {
        used: e.refused.is_none(),
        refused: e.refused.is_some(),
        refused_because: e.refused.clone().unwrap_or_default(),
        name: e.name.clone(),
        refs: e.refs.clone(),
        fallbacks: e
            .fallbacks
            .iter()
            .map(|(reference, why)| FallbackText {
                reference: reference.clone(),
                why: why.clone(),
            })
            .collect(),
        children: e.children,
        included: e.used,
        left_out: e.left_out,
        reasons: e
            .reasons
            .iter()
            .map(|(reason, children)| ReasonText {
                reason: reason.clone(),
                children: *children,
            })
            .collect(),
        warnings: e.warnings,
    }
}

fn indicator_text(row: &IndicatorRow, o: Option<&Outcome>, previous_period: &str) -> IndicatorText {
    let ind = &row.indicator;
    let m = ind.measure;
    let display = o.map_or_else(|| "No data".to_string(), |o| o.display.clone());
    let statement = match &ind.statement {
        Some(s) => s.replace("{value}", &display),
        None => format!("{}: {display}", ind.title),
    };
    let standing = match (o.and_then(|o| o.rounded), ind.target, ind.polarity) {
        (Some(v), Some(t), Polarity::Higher | Polarity::Lower) => {
            if (v - t).abs() < 1e-9 {
                "meets"
            } else if v > t {
                "above"
            } else {
                "below"
            }
        }
        _ => "",
    };
    let change = o.and_then(|o| o.change);
    let change_word = match change {
        None => "",
        Some(c) if c.abs() < 1e-9 => "unchanged",
        Some(c) if c > 0.0 => "up",
        Some(_) => "down",
    };
    IndicatorText {
        reference: ind.reference.clone(),
        title: ind.title.clone(),
        theme: ind.theme.clone(),
        value: display,
        has_data: o.is_some_and(Outcome::has_data),
        statement,
        target: ind.target.map(|t| m.display_target(t)).unwrap_or_default(),
        rag: o
            .and_then(|o| o.rag)
            .map(|r| r.label().to_string())
            .unwrap_or_default(),
        direction: o
            .and_then(|o| o.direction)
            .map(|d| d.label().to_string())
            .unwrap_or_default(),
        standing: standing.to_string(),
        on_target: o.and_then(|o| o.rag) == Some(Rag::Green),
        previous_value: o
            .and_then(|o| o.previous)
            .map(|p| m.display(p))
            .unwrap_or_default(),
        previous_period: previous_period.to_string(),
        change: change.map(|c| m.display_change(c)).unwrap_or_default(),
        change_word: change_word.to_string(),
        moved_well: o.and_then(|o| o.direction) == Some(Direction::Improved),
        statistical_neighbours: ind
            .statistical_neighbours
            .map(|v| m.display(v))
            .unwrap_or_default(),
        england: ind.england.map(|v| m.display(v)).unwrap_or_default(),
        commentary: o
            .map(|o| {
                o.commentary
                    .iter()
                    .map(|c| CommentaryText {
                        service: c.service.clone(),
                        text: c.text.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        gaps: o
            .map(|o| o.gaps.iter().map(Gap::describe).collect())
            .unwrap_or_default(),
        contributors: o.map(|o| o.contributors.clone()).unwrap_or_default(),
    }
}

/// Builds what the template sees.
pub fn text_model(templates: &Templates, sc: &Scorecard, plan: &PlanProgress) -> TextModel {
    let period = sc.period;
    let previous = period.previous().label();
    let indicators = indicator_texts(sc, &previous);
    TextModel {
        period: period.label(),
        previous_period: previous,
        organisation: templates.organisation.name.clone(),
        directorate: templates.organisation.directorate.clone(),
        committee: templates.meeting.committee.clone(),
        meeting_date: templates
            .meeting_date()
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        counts: sc.summary.clone(),
        with_data: sc.summary.indicators - sc.summary.no_data,
        quarters_shown: sc.shown.len(),
        indicators: indicators.by_ref,
        scorecard: indicators.in_order,
        strengths: indicators.strengths,
        weaknesses: indicators.weaknesses,
        returns: returns_text(templates, sc),
        plan: plan.summary.clone(),
        quarter_end: plan.as_at.format("%-d %B %Y").to_string(),
        inspection: inspection_text(templates),
        ssda903: extract_text(sc, Source::Ssda903),
        cin: extract_text(sc, Source::Cin),
    }
}

/// Every indicator's words, by ref and in scorecard order, and those that
/// are the quarter's strengths and weaknesses.
struct IndicatorTexts {
    by_ref: BTreeMap<String, IndicatorText>,
    in_order: Vec<IndicatorText>,
    strengths: Vec<IndicatorText>,
    weaknesses: Vec<IndicatorText>,
}

/// A strength is rated Green; a weakness Red, or Amber and worse than last
/// quarter (Reds first, then those Ambers; catalogue order within each).
fn indicator_texts(sc: &Scorecard, previous: &str) -> IndicatorTexts {
    let mut by_ref = BTreeMap::new();
    let mut in_order = Vec::new();
    let mut strengths = Vec::new();
    let mut weaknesses = Vec::new();
    for row in &sc.rows {
        let o = row.at(sc.period);
        let text = indicator_text(row, o, previous);
        if let Some(o) = o.filter(|o| o.has_data()) {
            match (o.rag, o.direction) {
                (Some(Rag::Green), _) => strengths.push(text.clone()),
                (Some(Rag::Red), _) => weaknesses.push((0, text.clone())),
                (Some(Rag::Amber), Some(Direction::Worsened)) => weaknesses.push((1, text.clone())),
                _ => {}
            }
        }
        in_order.push(text.clone());
        by_ref.insert(row.indicator.reference.clone(), text);
    }
    weaknesses.sort_by_key(|(rank, _)| *rank);
    IndicatorTexts {
        by_ref,
        in_order,
        strengths,
        weaknesses: weaknesses.into_iter().map(|(_, t)| t).collect(),
    }
}

/// The returns behind the quarter: how many, and which services' were
/// rejected or are missing, with the refs that depend on them.
fn returns_text(templates: &Templates, sc: &Scorecard) -> ReturnsText {
    let r = &sc.returns;
    // A figure taken from an extract of children's records does not
    // depend on the service's return.
    let from_extract: Vec<String> = sc.records.iter().flat_map(|e| e.refs.clone()).collect();
    let refs_of = |service: &str| -> Vec<String> {
        templates
            .indicators_for(service)
            .iter()
            .map(|i| i.reference.clone())
            .filter(|r| !from_extract.contains(r))
            .collect()
    };
    let rejected = r
        .rejected
        .iter()
        .map(|service| {
            let lines: Vec<_> = r
                .received
                .iter()
                .filter(|l| {
                    l.service.as_deref() == Some(service) && l.status == ReturnStatus::Rejected
                })
                .collect();
            ServiceText {
                service: service.clone(),
                refs: refs_of(service),
                files: lines.iter().map(|l| l.file.clone()).collect(),
                errors: lines.iter().map(|l| l.errors).sum(),
            }
        })
        .collect();
    let missing = r
        .missing
        .iter()
        .map(|service| ServiceText {
            service: service.clone(),
            refs: refs_of(service),
            files: Vec::new(),
            errors: 0,
        })
        .collect();
    ReturnsText {
        expected: r.expected.len(),
        accepted: r.accepted.len(),
        rejected,
        missing,
        unidentified: r
            .received
            .iter()
            .filter(|l| l.service.is_none())
            .map(|l| l.file.clone())
            .collect(),
        superseded: r
            .received
            .iter()
            .filter(|l| matches!(l.status, ReturnStatus::Superseded { .. }))
            .count(),
        accepted_with_warnings: r
            .received
            .iter()
            .filter(|l| l.status == ReturnStatus::Accepted && l.warnings > 0)
            .count(),
    }
}

fn inspection_text(templates: &Templates) -> InspectionText {
    let i = &templates.plan.inspection;
    InspectionText {
        body: i.body.clone(),
        title: i.title.clone(),
        published: date_text(&i.published),
        year: templates.plan.published().format("%Y").to_string(),
        inspected_from: date_text(&i.inspected_from),
        inspected_to: date_text(&i.inspected_to),
    }
}
