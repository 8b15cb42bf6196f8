//! Stage 5: put the figures into words.
//!
//! The summary, the strengths and weaknesses, and the data-quality statement
//! are written here once, from the [`Scorecard`], so every document that
//! carries them says the same thing. Sentences follow the council's manner:
//! the figure, the scorecard ref in brackets, then how it stands against
//! target and against last quarter.

use serde::Serialize;

use crate::aggregate::{Gap, IndicatorRow, Outcome, Scorecard};
use crate::improvement::PlanProgress;
use crate::judge::{Polarity, Rag};
use crate::templates::Templates;
use crate::validate::ReturnStatus;

/// One strength or weakness.
#[derive(Debug, Clone, Serialize)]
pub struct Bullet {
    #[serde(rename = "ref")]
    pub reference: String,
    pub text: String,
    /// The services' own commentary, `(service, text)`.
    pub commentary: Vec<(String, String)>,
}

/// The report's words about the figures.
#[derive(Debug, Clone, Serialize)]
pub struct Narrative {
    pub summary: Vec<String>,
    pub strengths: Vec<Bullet>,
    pub weaknesses: Vec<Bullet>,
    pub data_quality: Vec<String>,
    /// One paragraph on the improvement plan.
    pub improvement: String,
}

/// Writes the narrative for a scorecard.
pub fn narrate(templates: &Templates, scorecard: &Scorecard, plan: &PlanProgress) -> Narrative {
    let period = scorecard.period;
    let mut strengths = Vec::new();
    let mut weaknesses = Vec::new();
    for row in &scorecard.rows {
        let Some(outcome) = row.at(period).filter(|o| o.has_data()) else {
            continue;
        };
        let bullet = || Bullet {
            reference: row.indicator.reference.clone(),
            text: sentence(row, outcome, period.previous().label()),
            commentary: outcome
                .commentary
                .iter()
                .map(|c| (c.service.clone(), c.text.clone()))
                .collect(),
        };
        match (outcome.rag, outcome.direction) {
            (Some(Rag::Green), _) => strengths.push(bullet()),
            (Some(Rag::Red), _) => weaknesses.push((0, bullet())),
            (Some(Rag::Amber), Some(crate::judge::Direction::Worsened)) => {
                weaknesses.push((1, bullet()))
            }
            _ => {}
        }
    }
    // Reds first, then Ambers that are slipping; catalogue order within each.
    weaknesses.sort_by_key(|(rank, _)| *rank);
    Narrative {
        summary: summary(scorecard),
        strengths,
        weaknesses: weaknesses.into_iter().map(|(_, b)| b).collect(),
        data_quality: data_quality(templates, scorecard),
        improvement: crate::improvement::summary_sentence(plan),
    }
}

/// "79.9% of initial child protection conferences were held within 15
/// working days of the strategy discussion (TS3). Although still above the
/// 75% target, this is down 6.0 points from 85.9% in 2014-15 Q1."
pub fn sentence(row: &IndicatorRow, outcome: &Outcome, previous_label: String) -> String {
    let ind = &row.indicator;
    let measure = ind.measure;
    let statement = match &ind.statement {
        Some(s) => s.replace("{value}", &outcome.display),
        None => format!("{}: {}", ind.title, outcome.display),
    };
    let mut text = format!("{statement} ({}).", ind.reference);
    let target_text = ind.target.map(|t| measure.display_target(t));
    let standing = match (outcome.rounded, ind.target, ind.polarity) {
        (Some(v), Some(t), Polarity::Higher | Polarity::Lower) => Some(if (v - t).abs() < 1e-9 {
            "meets"
        } else if v > t {
            "above"
        } else {
            "below"
        }),
        _ => None,
    };
    let movement = match (outcome.change, outcome.previous) {
        (Some(change), Some(prev)) => {
            let from = format!("{} in {previous_label}", measure.display(prev));
            Some(if change.abs() < 1e-9 {
                (0, format!("the same as in {previous_label}"))
            } else if change > 0.0 {
                (
                    1,
                    format!("up {} from {from}", measure.display_change(change)),
                )
            } else {
                (
                    -1,
                    format!("down {} from {from}", measure.display_change(change)),
                )
            })
        }
        _ => None,
    };
    let good_move = |sign: i32| match ind.polarity {
        Polarity::Higher => sign > 0,
        Polarity::Lower => sign < 0,
        Polarity::None => false,
    };
    let on_target = outcome.rag == Some(Rag::Green);
    let judgement = match (standing, target_text, movement) {
        (Some("meets"), Some(t), None) => format!("This meets the {t} target."),
        (Some("meets"), Some(t), Some((_, m))) => format!("This meets the {t} target, {m}."),
        (Some(side), Some(t), None) => format!("This is {side} the {t} target."),
        (Some(side), Some(t), Some((0, m))) => format!("This is {side} the {t} target, {m}."),
        (Some(side), Some(t), Some((sign, m))) => {
            if on_target == good_move(sign) {
                // Both point the same way: on target and getting better, or
                // off target and getting worse.
                format!("This is {side} the {t} target and {m}.")
            } else if on_target {
                format!("Although still {side} the {t} target, this is {m}.")
            } else {
                let mut m = m;
                m[..1].make_ascii_uppercase();
                format!("{m}, but still {side} the {t} target.")
            }
        }
        (_, _, Some((0, m))) => {
            let mut m = m;
            m[..1].make_ascii_uppercase();
            format!("{m}.")
        }
        (_, _, Some((_, m))) => format!("This is {m}."),
        _ => String::new(),
    };
    if !judgement.is_empty() {
        text.push(' ');
        text.push_str(&judgement);
    }
    let bench: Vec<String> = [
        ("statistical neighbours", ind.statistical_neighbours),
        ("England", ind.england),
    ]
    .iter()
    .filter_map(|(who, v)| v.map(|v| format!("{} for {who}", measure.display(v))))
    .collect();
    if !bench.is_empty() {
        text.push_str(&format!(" The comparison is {}.", bench.join(" and ")));
    }
    text
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

fn summary(scorecard: &Scorecard) -> Vec<String> {
    let s = &scorecard.summary;
    let period = scorecard.period.label();
    let with_data = s.indicators - s.no_data;
    let mut first = format!(
        "Of the {} indicators on the scorecard, {} {} figures for {period}: {} Green, {} Amber and {} Red",
        s.indicators,
        with_data,
        if with_data == 1 { "has" } else { "have" },
        s.green,
        s.amber,
        s.red
    );
    if s.not_rated > 0 {
        first.push_str(&format!(
            ", with {} shown for context without a target",
            s.not_rated
        ));
    }
    first.push('.');
    if s.no_data > 0 {
        first.push_str(&format!(
            " {} no data this quarter.",
            plural(s.no_data, "indicator has", "indicators have")
        ));
    }
    let mut second = format!(
        "Compared with {}, {} improved, {} worsened and {} {} unchanged.",
        scorecard.period.previous().label(),
        s.improved,
        s.worsened,
        s.unchanged,
        if s.unchanged == 1 { "was" } else { "were" }
    );
    if s.no_comparison > 0 {
        second.push_str(&format!(
            " {} no figure for the previous quarter to compare with.",
            plural(s.no_comparison, "indicator has", "indicators have")
        ));
    }
    vec![first, second]
}

fn refs_of(templates: &Templates, service: &str) -> String {
    templates
        .indicators_for(service)
        .iter()
        .map(|i| i.reference.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn data_quality(templates: &Templates, scorecard: &Scorecard) -> Vec<String> {
    let r = &scorecard.returns;
    let period = scorecard.period.label();
    let mut out = vec![format!(
        "Returns were expected from {} services for {period}. {} received and accepted.",
        r.expected.len(),
        if r.accepted.len() == r.expected.len() {
            "All were".to_string()
        } else {
            format!("{} of them were", r.accepted.len())
        }
    )];
    for service in &r.rejected {
        let lines: Vec<_> = r
            .received
            .iter()
            .filter(|l| l.service.as_deref() == Some(service) && l.status == ReturnStatus::Rejected)
            .collect();
        let files: Vec<String> = lines.iter().map(|l| l.file.clone()).collect();
        let errors: usize = lines.iter().map(|l| l.errors).sum();
        out.push(format!(
            "The return from {service} ({}) was rejected with {}, so the figures it provides ({}) are not included. Feedback saying what to correct has been prepared for the service.",
            files.join(", "),
            plural(errors, "error", "errors"),
            refs_of(templates, service)
        ));
    }
    for service in &r.missing {
        out.push(format!(
            "No return was received from {service}, so the figures it provides ({}) are not included.",
            refs_of(templates, service)
        ));
    }
    let unidentified: Vec<&str> = r
        .received
        .iter()
        .filter(|l| l.service.is_none())
        .map(|l| l.file.as_str())
        .collect();
    if !unidentified.is_empty() {
        out.push(format!(
            "{} could not be matched to a service and {} not used: {}.",
            plural(unidentified.len(), "file", "files"),
            if unidentified.len() == 1 {
                "was"
            } else {
                "were"
            },
            unidentified.join(", ")
        ));
    }
    let superseded = r
        .received
        .iter()
        .filter(|l| matches!(l.status, ReturnStatus::Superseded { .. }))
        .count();
    if superseded > 0 {
        out.push(format!(
            "{} replaced by a later resubmission and not counted.",
            plural(superseded, "return was", "returns were")
        ));
    }
    let mut affected = Vec::new();
    for row in &scorecard.rows {
        let Some(o) = row.at(scorecard.period) else {
            continue;
        };
        if o.gaps.is_empty() {
            continue;
        }
        let reasons = o
            .gaps
            .iter()
            .map(Gap::describe)
            .collect::<Vec<_>>()
            .join("; ");
        if o.has_data() {
            affected.push(format!(
                "{} is based on {} only ({reasons})",
                row.indicator.reference,
                o.contributors.join(" and ")
            ));
        } else {
            affected.push(format!(
                "{} has no data ({reasons})",
                row.indicator.reference
            ));
        }
    }
    if affected.is_empty() {
        out.push("Every figure in this report is complete: all the services that contribute to each indicator sent accepted figures.".into());
    } else {
        out.push(format!(
            "As a result: {}. These gaps are shown in the scorecard as No data or noted against the figure.",
            affected.join("; ")
        ));
    }
    let warned = r
        .received
        .iter()
        .filter(|l| l.status == ReturnStatus::Accepted && l.warnings > 0)
        .count();
    if warned > 0 {
        out.push(format!(
            "{} accepted with warnings; feedback with the details to check has been prepared for the services.",
            plural(warned, "return was", "returns were")
        ));
    }
    out
}
