//! Stage 5: put the figures into words, from the officers' own wording.
//!
//! Every sentence of the committee report that is not a table is written by
//! `templates/report.j2`, a Jinja template the performance officer edits:
//! each `{% block %}` is one passage (the summary, the recommendation, the
//! data-quality statement…) and the `bullet` macro phrases each strength and
//! weakness. This module builds the [`TextModel`] the template sees — every
//! figure by name, already rounded and formatted, from the
//! [`Scorecard`] — renders each passage once, and hands the PDF and HTML the
//! same [`Narrative`]. A mistake in the template (an unknown variable, an
//! unclosed tag, a ref not in the catalogue) is reported with the file and
//! line before anything is written.

use std::collections::BTreeMap;

use minijinja::{Environment, ErrorKind, UndefinedBehavior, Value};
use serde::Serialize;

use crate::aggregate::{Gap, IndicatorRow, Outcome, Scorecard};
use crate::config::{TemplateError, TemplateErrors, Templates, OUTLINE_FILE, REPORT_TEMPLATE};
use crate::improvement::PlanProgress;
use crate::judge::{Direction, Polarity, Rag};
use crate::model::returns::ReturnStatus;
use crate::text::join_and;

/// One strength or weakness.
#[derive(Debug, Clone, Serialize)]
pub struct Bullet {
    #[serde(rename = "ref")]
    pub reference: String,
    pub text: String,
    /// The services' own commentary, `(service, text)`.
    pub commentary: Vec<(String, String)>,
}

/// The report's words: every passage of `report.j2` as paragraphs, the
/// strengths and weaknesses, and the outline with its headings filled in.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Narrative {
    pub title: String,
    pub subject: String,
    /// Every `{% block %}` of `report.j2`, by name.
    pub passages: BTreeMap<String, Vec<String>>,
    pub strengths: Vec<Bullet>,
    pub weaknesses: Vec<Bullet>,
    /// The report's sections, from `report-outline.toml`.
    pub outline: Vec<NarratedSection>,
}

impl Narrative {
    /// A passage's paragraphs; empty when `report.j2` has no such block
    /// (every block a document uses is checked for when narrating).
    pub fn passage(&self, name: &str) -> &[String] {
        self.passages.get(name).map_or(&[], Vec::as_slice)
    }
}

/// A section of the outline, its heading written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NarratedSection {
    pub heading: String,
    pub numbered: bool,
    pub appendix: bool,
    pub parts: Vec<NarratedPart>,
}

/// A part of a section: heading, passage, what it shows and its note.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NarratedPart {
    pub heading: Option<String>,
    pub paragraphs: Vec<String>,
    pub show: Option<String>,
    pub note: Vec<String>,
}

/// The passages the documents use whatever the outline says: the title,
/// the heading block's enclosures, the sample-data notices and the
/// improvement plan's wording.
pub const BLOCKS: [&str; 9] = [
    "title",
    "enclosures",
    "sample_banner",
    "sample_notice",
    "improvement",
    "plan_title",
    "plan_subject",
    "plan_intro",
    "plan_key",
];

/// The names of the `{% block %}`s in a template's source, in order.
pub fn block_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("{%") {
        rest = &rest[at + 2..];
        let tag = rest.trim_start_matches(['-', '+']).trim_start();
        if let Some(after) = tag.strip_prefix("block") {
            if after.starts_with(char::is_whitespace) {
                let name: String = after
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names
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

fn extract_text(sc: &Scorecard) -> ExtractText {
    let Some(e) = &sc.ssda903 else {
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
    let mut indicators = BTreeMap::new();
    let mut in_order = Vec::new();
    let mut strengths = Vec::new();
    let mut weaknesses = Vec::new();
    for row in &sc.rows {
        let o = row.at(period);
        let text = indicator_text(row, o, &previous);
        if let Some(o) = o.filter(|o| o.has_data()) {
            match (o.rag, o.direction) {
                (Some(Rag::Green), _) => strengths.push(text.clone()),
                (Some(Rag::Red), _) => weaknesses.push((0, text.clone())),
                (Some(Rag::Amber), Some(Direction::Worsened)) => weaknesses.push((1, text.clone())),
                _ => {}
            }
        }
        in_order.push(text.clone());
        indicators.insert(row.indicator.reference.clone(), text);
    }
    // Reds first, then Ambers that are slipping; catalogue order within each.
    weaknesses.sort_by_key(|(rank, _)| *rank);
    let r = &sc.returns;
    // A figure taken from the SSDA903 extract does not depend on the
    // service's return.
    let from_extract = sc
        .ssda903
        .as_ref()
        .map(|e| e.refs.clone())
        .unwrap_or_default();
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
        indicators,
        scorecard: in_order,
        strengths,
        weaknesses: weaknesses.into_iter().map(|(_, t)| t).collect(),
        returns: ReturnsText {
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
        },
        plan: plan.summary.clone(),
        quarter_end: plan.as_at.format("%-d %B %Y").to_string(),
        inspection: {
            let i = &templates.plan.inspection;
            InspectionText {
                body: i.body.clone(),
                title: i.title.clone(),
                published: date_text(&i.published),
                year: templates.plan.published().format("%Y").to_string(),
                inspected_from: date_text(&i.inspected_from),
                inspected_to: date_text(&i.inspected_to),
            }
        },
        ssda903: extract_text(sc),
    }
}

/// The template environment: strict about undefined names, with the
/// helpers the wording needs.
pub fn environment(templates: &Templates) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    let refs: Vec<String> = templates
        .indicators
        .iter()
        .map(|i| i.reference.clone())
        .collect();
    env.add_function(
        "indicator",
        move |state: &minijinja::State, reference: String| -> Result<Value, minijinja::Error> {
            let wanted = crate::config::normalise_ref(&reference);
            if !refs.contains(&wanted) {
                return Err(minijinja::Error::new(
                    ErrorKind::InvalidOperation,
                    format!("indicator(\"{reference}\"): there is no indicator {wanted} in indicators.toml"),
                ));
            }
            let all = state.lookup("indicators").unwrap_or_default();
            all.get_attr(&wanted)
        },
    );
    // Counts are printed as figures are: "1,303 children".
    env.add_filter("plural", |n: usize, one: String, many: String| {
        let figure = crate::text::count(n);
        if n == 1 {
            format!("{figure} {one}")
        } else {
            format!("{figure} {many}")
        }
    });
    env.add_filter("capfirst", |s: String| {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
            None => s,
        }
    });
    env.add_filter("join_and", |items: Vec<String>| join_and(&items));
    env
}

/// Splits rendered text into paragraphs at blank lines, joining the lines
/// of each paragraph with single spaces.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

fn located(e: &minijinja::Error, templates: &Templates) -> TemplateError {
    let mut message = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    if e.kind() == ErrorKind::UndefinedError {
        message.push_str(" (a name the template uses is not one the report provides; check its spelling against the list at the top of report.j2)");
    }
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        message.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    TemplateError {
        file: templates.dir.join(REPORT_TEMPLATE),
        line: e.line(),
        message,
    }
}

/// Writes the narrative: every passage of `report.j2` with the figures in.
pub fn narrate(
    templates: &Templates,
    scorecard: &Scorecard,
    plan: &PlanProgress,
) -> Result<Narrative, TemplateErrors> {
    let model = text_model(templates, scorecard, plan);
    let mut env = environment(templates);
    env.add_template_owned(REPORT_TEMPLATE, templates.report_source.clone())
        .map_err(|e| TemplateErrors(vec![located(&e, templates)]))?;
    let template = env
        .get_template(REPORT_TEMPLATE)
        .map_err(|e| TemplateErrors(vec![located(&e, templates)]))?;
    // Rendering the whole template once checks every passage; the state it
    // leaves gives each block and the bullet macro on their own.
    let mut captured = template
        .render_captured(&model)
        .map_err(|e| TemplateErrors(vec![located(&e, templates)]))?;
    let mut errors = Vec::new();
    let mut passages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let names = block_names(&templates.report_source);
    let (strengths, weaknesses) = captured.with_state_mut(|state| {
        for block in &names {
            match state.render_block(block) {
                Ok(text) => {
                    passages.insert(block.clone(), paragraphs(&text));
                }
                Err(e) => errors.push(located(&e, templates)),
            }
        }
        let mut bullets = |list: &[IndicatorText]| -> Vec<Bullet> {
            list.iter()
                .filter_map(|i| {
                    let value = Value::from_serialize(i);
                    match state.call_macro("bullet", &[value]) {
                        Ok(text) => Some(Bullet {
                            reference: i.reference.clone(),
                            text: paragraphs(&text).join(" "),
                            commentary: i
                                .commentary
                                .iter()
                                .map(|c| (c.service.clone(), c.text.clone()))
                                .collect(),
                        }),
                        Err(e) => {
                            errors.push(located(&e, templates));
                            None
                        }
                    }
                })
                .collect()
        };
        let strengths = bullets(&model.strengths);
        let weaknesses = bullets(&model.weaknesses);
        (strengths, weaknesses)
    });
    for block in BLOCKS {
        if !passages.contains_key(block) {
            errors.push(TemplateError {
                file: templates.dir.join(REPORT_TEMPLATE),
                line: None,
                message: format!(
                    "there is no {{% block {block} %}}; the documents need these blocks: {}",
                    BLOCKS.join(", ")
                ),
            });
        }
    }
    // Headings may name the quarter or the inspection: {{ period }}.
    let mut heading = |file: &str, text: &str| -> String {
        env.render_str(text, &model).unwrap_or_else(|e| {
            errors.push(TemplateError {
                file: templates.dir.join(file),
                line: None,
                message: format!("{text:?}: {}", located(&e, templates).message),
            });
            String::new()
        })
    };
    let subject = heading("meeting.toml", &templates.meeting.subject);
    let outline = templates
        .outline
        .sections
        .iter()
        .map(|section| NarratedSection {
            heading: heading(OUTLINE_FILE, &section.heading),
            numbered: section.numbered,
            appendix: section.appendix,
            parts: section
                .parts
                .iter()
                .map(|p| NarratedPart {
                    heading: p.heading.as_ref().map(|h| heading(OUTLINE_FILE, h)),
                    paragraphs: p
                        .passage
                        .as_ref()
                        .and_then(|name| passages.get(name).cloned())
                        .unwrap_or_default(),
                    show: p.show.clone(),
                    note: p
                        .note
                        .as_ref()
                        .and_then(|name| passages.get(name).cloned())
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    errors.dedup();
    if !errors.is_empty() {
        return Err(TemplateErrors(errors));
    }
    Ok(Narrative {
        title: passages
            .get("title")
            .map(|p| p.join(" "))
            .unwrap_or_default(),
        subject,
        passages,
        strengths,
        weaknesses,
        outline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_at_blank_lines() {
        assert_eq!(
            paragraphs("one\ntwo\n\n  three  \n\n\n"),
            vec!["one two".to_string(), "three".to_string()]
        );
        assert_eq!(
            join_and(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
        assert_eq!(join_and(&["a".into()]), "a");
    }
}
