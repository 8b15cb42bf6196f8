//! Stage 5: put the figures into words, from the officers' own wording.
//!
//! Every sentence of the committee report that is not a table is written by
//! `templates/report.j2`, a Jinja template the performance officer edits:
//! each `{% block %}` is one passage (the summary, the recommendation, the
//! data-quality statement…) and the `bullet` macro phrases each strength and
//! weakness. [`model`] builds the [`TextModel`] the template sees — every
//! figure by name, already rounded and formatted, from the
//! [`Scorecard`]; this module renders each passage once, and hands the PDF
//! and HTML the same [`Narrative`]. A mistake in the template (an unknown variable, an
//! unclosed tag, a ref not in the catalogue) is reported with the file and
//! line before anything is written.

pub mod model;

use std::collections::BTreeMap;

use minijinja::{Environment, ErrorKind, UndefinedBehavior, Value};
use serde::Serialize;

use crate::aggregate::Scorecard;
use crate::config::names::block_names;
use crate::config::{TemplateError, TemplateErrors, Templates, OUTLINE_FILE, REPORT_TEMPLATE};
use crate::improvement::PlanProgress;
use crate::text::join_and;

pub use model::{text_model, IndicatorText, TextModel};

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
    pub new_page: bool,
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
    let stop = |e: minijinja::Error| TemplateErrors(vec![located(&e, templates)]);
    env.add_template_owned(REPORT_TEMPLATE, templates.report_source.clone())
        .map_err(stop)?;
    let template = env.get_template(REPORT_TEMPLATE).map_err(stop)?;
    // Rendering the whole template once checks every passage; the state it
    // leaves gives each block and the bullet macro on their own.
    let mut captured = template.render_captured(&model).map_err(stop)?;
    let mut errors = Vec::new();
    let names = block_names(&templates.report_source);
    let (passages, strengths, weaknesses) = captured.with_state_mut(|state| {
        let passages = render_passages(state, &names, templates, &mut errors);
        let strengths = render_bullets(state, &model.strengths, templates, &mut errors);
        let weaknesses = render_bullets(state, &model.weaknesses, templates, &mut errors);
        (passages, strengths, weaknesses)
    });
    errors.extend(missing_blocks(&passages, templates));
    let mut headings = Headings {
        env: &env,
        model: &model,
        templates,
        errors: &mut errors,
    };
    let subject = headings.write("meeting.toml", &templates.meeting.subject);
    let outline = narrated_outline(templates, &passages, &mut headings);
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

/// Every block of the template, as paragraphs, by name.
fn render_passages(
    state: &mut minijinja::State,
    names: &[String],
    templates: &Templates,
    errors: &mut Vec<TemplateError>,
) -> BTreeMap<String, Vec<String>> {
    let mut passages = BTreeMap::new();
    for block in names {
        match state.render_block(block) {
            Ok(text) => {
                passages.insert(block.clone(), paragraphs(&text));
            }
            Err(e) => errors.push(located(&e, templates)),
        }
    }
    passages
}

/// Each indicator in `list` phrased by the template's `bullet` macro, with
/// the services' commentary.
fn render_bullets(
    state: &minijinja::State,
    list: &[IndicatorText],
    templates: &Templates,
    errors: &mut Vec<TemplateError>,
) -> Vec<Bullet> {
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
}

/// A mistake for each block the documents need that the template lacks.
fn missing_blocks(
    passages: &BTreeMap<String, Vec<String>>,
    templates: &Templates,
) -> Vec<TemplateError> {
    BLOCKS
        .iter()
        .filter(|block| !passages.contains_key(**block))
        .map(|block| TemplateError {
            file: templates.dir.join(REPORT_TEMPLATE),
            line: None,
            message: format!(
                "there is no {{% block {block} %}}; the documents need these blocks: {}",
                BLOCKS.join(", ")
            ),
        })
        .collect()
}

/// Writes headings, which may name the quarter or the inspection
/// (`{{ period }}`), noting any mistake against the file they are in.
struct Headings<'a> {
    env: &'a Environment<'static>,
    model: &'a TextModel,
    templates: &'a Templates,
    errors: &'a mut Vec<TemplateError>,
}

impl Headings<'_> {
    fn write(&mut self, file: &str, text: &str) -> String {
        self.env.render_str(text, self.model).unwrap_or_else(|e| {
            self.errors.push(TemplateError {
                file: self.templates.dir.join(file),
                line: None,
                message: format!("{text:?}: {}", located(&e, self.templates).message),
            });
            String::new()
        })
    }
}

/// The outline's sections with their headings written and each part's
/// passage and note filled in.
fn narrated_outline(
    templates: &Templates,
    passages: &BTreeMap<String, Vec<String>>,
    headings: &mut Headings,
) -> Vec<NarratedSection> {
    let passage = |name: &Option<String>| {
        name.as_ref()
            .and_then(|name| passages.get(name).cloned())
            .unwrap_or_default()
    };
    templates
        .outline
        .sections
        .iter()
        .map(|section| NarratedSection {
            heading: headings.write(OUTLINE_FILE, &section.heading),
            numbered: section.numbered,
            appendix: section.appendix,
            parts: section
                .parts
                .iter()
                .map(|p| NarratedPart {
                    heading: p.heading.as_ref().map(|h| headings.write(OUTLINE_FILE, h)),
                    paragraphs: passage(&p.passage),
                    show: p.show.clone(),
                    note: passage(&p.note),
                    new_page: p.new_page,
                })
                .collect(),
        })
        .collect()
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
