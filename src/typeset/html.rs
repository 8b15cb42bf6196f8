//! Lays out the committee report as one web page, from
//! `templates/report.html.j2` over the same [`Paper`] the PDF is
//! typeset from: the accessible twin of `committee-report.pdf`.
//!
//! The page is one self-contained file — styles inline, charts embedded as
//! SVG `data:` URIs — so it can be emailed, published or opened offline
//! and never fetches anything. Accessibility is built in: `lang`, a
//! `<title>`, landmarks, one `h1` then `h2`/`h3` in order, tables with
//! captions and `scope`d header cells, ratings written as words (with a
//! shape) as well as coloured, every chart with alt text, a caption and its
//! figures in words, and only colour pairs with a contrast of at least
//! 4.5:1 (see [`report_page_text`]; `tests/html.rs` measures every pair in
//! the stylesheet). `scripts/a11y/check.mjs` runs axe-core over the page in a
//! real browser.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use minijinja::{context, AutoEscape, Environment, UndefinedBehavior, Value};

use crate::compose::Paper;
use crate::config::{TemplateError, TemplateErrors, Templates, HTML_LAYOUT};
use crate::model::palette::{report_page_text, INK, PAPER, RULE};

/// The page's stylesheet: screen, small screens and print.
pub fn stylesheet() -> String {
    let mut css = String::new();
    css.push_str(
        "*,*::before,*::after{box-sizing:border-box}\
         html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\
         body{margin:0;font-family:Arial,\"Liberation Sans\",Helvetica,sans-serif;font-size:1rem;line-height:1.5}\
         .wrap{max-width:64rem;margin:0 auto;padding:0 1rem}\
         .skip{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}\
         .skip:focus{position:static;width:auto;height:auto;display:inline-block;margin:.5rem 1rem;padding:.25rem .5rem}\
         .masthead{padding:.75rem 0}\
         .masthead p{margin:0}\
         .masthead .org{font-weight:bold;font-size:1.125rem}\
         .sample-banner{margin:0;max-width:none;padding:.5rem 1rem;font-weight:bold;text-align:center}\
         main{display:block;padding-bottom:2rem}\
         h1{font-size:1.75rem;line-height:1.25;margin:1.5rem 0 1rem;text-transform:uppercase;letter-spacing:.01em}\
         h2{font-size:1.4rem;line-height:1.3;margin:2.25rem 0 .75rem;padding-bottom:.25rem;border-bottom:2px solid currentColor}\
         h3{font-size:1.15rem;line-height:1.3;margin:1.75rem 0 .5rem}\
         p{margin:0 0 .75rem;max-width:48rem}\
         a{text-decoration:underline;text-underline-offset:.15em}\
         a:focus,.skip:focus{outline:3px solid transparent;text-decoration:none;box-shadow:0 4px 0 #0B0C0C}\
         .meeting{display:grid;grid-template-columns:minmax(10rem,13rem) 1fr;gap:.4rem 1rem;margin:0 0 1rem}\
         .meeting dt{font-weight:bold}\
         .meeting dd{margin:0}\
         .sample-notice{font-weight:bold;border-left:.35rem solid currentColor;padding:.25rem 0 .25rem .75rem}\
         ul{padding-left:1.5rem;max-width:48rem}\
         .bullets>li{margin-bottom:.75rem}\
         .bullets p{margin:0 0 .25rem}\
         .commentary{font-style:italic;margin-left:.5rem}\
         .service{font-weight:bold}\
         .key,.words{font-size:.9rem}\
         .table-wrap{overflow-x:auto;margin:0 0 1rem}\
         .table-wrap:focus{outline:3px solid #0B0C0C;outline-offset:2px}\
         table{border-collapse:collapse;width:100%;font-size:.9rem;line-height:1.35;margin:0 0 1rem}\
         caption{caption-side:top;text-align:left;font-weight:bold;padding:0 0 .4rem}\
         caption span{display:block;position:sticky;left:0;max-width:min(calc(100vw - 2rem),62rem)}\
         th,td{padding:.3rem .45rem;vertical-align:top;text-align:left}\
         thead th{vertical-align:bottom}\
         .right{text-align:right;font-variant-numeric:tabular-nums}\
         .center{text-align:center}\
         .nowrap{white-space:nowrap}\
         th[scope=row]{font-weight:normal}\
         th[scope=row]:not(:first-child){min-width:12rem}\
         th[scope=row].strong,td.strong{font-weight:bold}\
         .more{display:block;font-style:italic}\
         .alert{display:block;font-weight:bold}\
         figure{margin:1.5rem 0;max-width:56rem}\
         figcaption{font-weight:bold;margin-bottom:.4rem}\
         figure img{display:block;width:100%;height:auto}\
         .words{margin:.4rem 0 0}\
         footer{padding:1rem 0 2rem;font-size:.9rem}\
         footer p{margin:0 0 .25rem}\
         @media (max-width:40rem){\
         h1{font-size:1.4rem}\
         .meeting{grid-template-columns:1fr;gap:0}\
         .meeting dd{margin-bottom:.5rem}\
         }\
         @media print{\
         body{font-size:10pt}\
         *{-webkit-print-color-adjust:exact;print-color-adjust:exact}\
         .skip{display:none}\
         .masthead{padding:0 0 .5rem}\
         .wrap{max-width:none;padding:0}\
         .table-wrap{overflow:visible}\
         table{font-size:8pt}\
         thead{display:table-header-group}\
         tr,figure,.bullets>li{break-inside:avoid}\
         h2,h3,caption,figcaption{break-after:avoid}\
         .appendix{break-before:page}\
         a{text-decoration:none}\
         }\
         @page{size:A4;margin:15mm}\n",
    );
    let _ = writeln!(
        css,
        "th,td{{border:1px solid #{RULE:06X}}}figure img{{border:1px solid #{RULE:06X}}}footer{{border-top:1px solid #{RULE:06X}}}"
    );
    for (selector, text, background) in report_page_text() {
        let _ = writeln!(
            css,
            "{selector}{{color:#{text:06X};background-color:#{background:06X}}}"
        );
    }
    // The masthead prints as plain text, not a dark band.
    let _ = writeln!(
        css,
        "@media print{{.masthead{{color:#{INK:06X};background-color:#{PAPER:06X}}}}}"
    );
    css
}

/// Lays out the web page, or says where `report.html.j2` went wrong.
pub fn lay_out(templates: &Templates, paper: &Paper) -> Result<String, TemplateErrors> {
    let file = templates.dir.join(HTML_LAYOUT);
    let located = |e: minijinja::Error| {
        let mut message = match e.detail() {
            Some(d) => format!("{}: {d}", e.kind()),
            None => e.kind().to_string(),
        };
        let mut source = std::error::Error::source(&e);
        while let Some(inner) = source {
            message.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        TemplateErrors(vec![TemplateError {
            file: file.clone(),
            line: e.line(),
            message,
        }])
    };
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template_owned(HTML_LAYOUT, templates.layouts.html.clone())
        .map_err(located)?;
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
    let template = env.get_template(HTML_LAYOUT).map_err(located)?;
    template
        .render(context! {
            document => &paper.document,
            heading => &paper.heading,
            sections => &paper.sections,
            exhibits => &paper.exhibits,
            images => images,
            stylesheet => stylesheet(),
        })
        .map_err(located)
}
