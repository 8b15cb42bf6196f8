//! Lays out the web pages from their Jinja templates: the committee report
//! from `templates/report.html.j2` over the same [`Paper`] the PDF is
//! typeset from (the accessible twin of `committee-report.pdf`), and the
//! status page of a quarter's returns from `templates/returns.html.j2` over
//! a [`ReturnsPage`]. Both include one stylesheet,
//! `templates/web-style.css.j2`, given the palette's colours.
//!
//! Each page is one self-contained file — styles inline, charts embedded as
//! SVG `data:` URIs — so it can be emailed, published or opened offline
//! and never fetches anything. Accessibility is built in: `lang`, a
//! `<title>`, landmarks, one `h1` then `h2`/`h3` in order, tables with
//! captions and `scope`d header cells, ratings and states written as words
//! (with a shape) as well as coloured, every chart with alt text, a caption
//! and its figures in words, and only colour pairs with a contrast of at
//! least 4.5:1 (see [`report_page_text`] and [`returns_page_text`];
//! `tests/it/html.rs` measures every pair in the stylesheet).
//! `scripts/a11y/check.mjs` runs axe-core over the pages in a real browser.
//!
//! The three templates are compiled together whenever the report's page is
//! laid out, so a mistake in any of them is found, named by file and line,
//! before a run writes anything.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use minijinja::{
    context, escape_formatter, AutoEscape, Environment, Output, State, UndefinedBehavior, Value,
};
use serde::Serialize;

use crate::compose::{Paper, ReturnsPage};
use crate::config::{
    TemplateError, TemplateErrors, Templates, HTML_LAYOUT, STATUS_LAYOUT, WEB_STYLESHEET,
};
use crate::model::palette::{hex, report_page_text, returns_page_text, INK, PAPER, RULE};

/// The two web pages, which share a stylesheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebPage {
    /// `committee-report.html`.
    Report,
    /// `returns.html`, the status page.
    Returns,
}

/// What the shared stylesheet is given: which page it styles, and the
/// palette's colours for it.
#[derive(Debug, Clone, Serialize)]
struct Style {
    /// `report` or `returns`.
    page: &'static str,
    /// Every rule that colours text, with its background.
    text: Vec<TextRule>,
    ink: String,
    paper: String,
    rule: String,
}

#[derive(Debug, Clone, Serialize)]
struct TextRule {
    selector: String,
    text: String,
    background: String,
}

impl Style {
    fn of(page: WebPage) -> Style {
        let (name, pairs) = match page {
            WebPage::Report => ("report", report_page_text()),
            WebPage::Returns => ("returns", returns_page_text()),
        };
        Style {
            page: name,
            text: pairs
                .into_iter()
                .map(|(selector, text, background)| TextRule {
                    selector,
                    text: hex(text),
                    background: hex(background),
                })
                .collect(),
            ink: hex(INK),
            paper: hex(PAPER),
            rule: hex(RULE),
        }
    }
}

/// The status page escapes text as it did when it was written by hand: the
/// five characters HTML needs (`'` as `&#39;`), leaving `/` as it is, so a
/// path in a file's name or a link's address reads as typed. The report's
/// page keeps minijinja's own escaping.
const STATUS_ESCAPE: AutoEscape = AutoEscape::Custom("status-html");

/// Writes a value into a page, escaped as its template asks.
fn format_value(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    match state.auto_escape() {
        STATUS_ESCAPE if !value.is_safe() => {
            out.write_str(&escape_text(&value.to_string()))?;
            Ok(())
        }
        STATUS_ESCAPE => out.write_str(&value.to_string()).map_err(Into::into),
        _ => escape_formatter(out, state, value),
    }
}

/// Escapes text for element content and attribute values.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Joins a block's lines, each trimmed, into one line: the stylesheet is
/// written a rule to a line and sent as one.
fn one_line(text: String) -> String {
    let mut line: String = text.lines().map(str::trim).collect();
    line.push('\n');
    line
}

/// Where a template went wrong: its file and line. A mistake in the
/// stylesheet comes wrapped in the error of the page that includes it, so
/// the innermost template named in the chain is the one to fix.
fn located(templates: &Templates, e: &minijinja::Error) -> TemplateError {
    let mut at = e;
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if let Some(inner) = inner.downcast_ref::<minijinja::Error>() {
            if inner.name().is_some() && inner.line().is_some() {
                at = inner;
            }
        }
        source = inner.source();
    }
    let mut message = match at.detail() {
        Some(d) => format!("{}: {d}", at.kind()),
        None => at.kind().to_string(),
    };
    let mut source = std::error::Error::source(at);
    while let Some(inner) = source {
        message.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    TemplateError {
        file: templates.dir.join(at.name().unwrap_or(HTML_LAYOUT)),
        line: at.line(),
        message,
    }
}

/// Both pages' templates and their stylesheet, compiled; every mistake in
/// them is reported at once.
fn environment(templates: &Templates) -> Result<Environment<'static>, TemplateErrors> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_auto_escape_callback(|name| match name {
        STATUS_LAYOUT => STATUS_ESCAPE,
        WEB_STYLESHEET => AutoEscape::None,
        _ => AutoEscape::Html,
    });
    env.set_formatter(format_value);
    env.add_filter("one_line", one_line);
    let layouts = &templates.layouts;
    let mut errors = Vec::new();
    for (name, source) in [
        (WEB_STYLESHEET, &layouts.stylesheet),
        (HTML_LAYOUT, &layouts.html),
        (STATUS_LAYOUT, &layouts.status),
    ] {
        if let Err(e) = env.add_template_owned(name, source.clone()) {
            errors.push(located(templates, &e));
        }
    }
    if errors.is_empty() {
        Ok(env)
    } else {
        Err(TemplateErrors(errors))
    }
}

/// Renders one of the templates, or says where it went wrong.
fn render(
    templates: &Templates,
    env: &Environment<'static>,
    name: &str,
    context: Value,
) -> Result<String, TemplateErrors> {
    env.get_template(name)
        .and_then(|template| template.render(context))
        .map_err(|e| TemplateErrors(vec![located(templates, &e)]))
}

/// The stylesheet as a page includes it, for measuring its colours.
pub fn stylesheet(templates: &Templates, page: WebPage) -> Result<String, TemplateErrors> {
    let env = environment(templates)?;
    render(
        templates,
        &env,
        WEB_STYLESHEET,
        context! { style => Style::of(page) },
    )
}

/// Lays out the committee report's web page, or says where its templates
/// went wrong.
pub fn lay_out(templates: &Templates, paper: &Paper) -> Result<String, TemplateErrors> {
    let env = environment(templates)?;
    // Base64 holds no character HTML needs escaped.
    let images: BTreeMap<String, Value> = paper
        .exhibits
        .figures
        .iter()
        .map(|f| {
            (
                f.id.clone(),
                Value::from_safe_string(format!(
                    "data:image/svg+xml;base64,{}",
                    BASE64.encode(f.svg.as_bytes())
                )),
            )
        })
        .collect();
    render(
        templates,
        &env,
        HTML_LAYOUT,
        context! {
            document => &paper.document,
            heading => &paper.heading,
            sections => &paper.sections,
            exhibits => &paper.exhibits,
            images => images,
            style => Style::of(WebPage::Report),
        },
    )
}

/// Lays out the status page of a quarter's returns, or says where its
/// templates went wrong.
pub fn lay_out_returns(
    templates: &Templates,
    page: &ReturnsPage,
) -> Result<String, TemplateErrors> {
    let env = environment(templates)?;
    let mut html = render(
        templates,
        &env,
        STATUS_LAYOUT,
        context! { style => Style::of(WebPage::Returns), ..Value::from_serialize(page) },
    )?;
    // minijinja drops a template's last line break; this page has always
    // ended with one.
    html.push('\n');
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text_is_escaped_as_it_always_was() {
        assert_eq!(
            escape_text("<a href=\"x/y\">'&'</a>"),
            "&lt;a href=&quot;x/y&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn a_stylesheet_block_becomes_one_line() {
        assert_eq!(
            one_line("a{b}\n  @media x{\n  c{d}\n}\n".into()),
            "a{b}@media x{c{d}}\n"
        );
    }
}
