//! `committee-report.html`: the committee report as one web page, for
//! everyone who reads on screen, with a screen reader, magnified or on a
//! phone — the accessible twin of `committee-report.pdf`.
//!
//! It holds the same content in the same order as the PDF (the heading
//! block, Sections 1 to 4 and Appendix 1), drawn from the same
//! [`Scorecard`](crate::aggregate::Scorecard) and
//! [`Narrative`](crate::narrative::Narrative): this module formats and never
//! works out a figure. The page is one self-contained file — styles inline,
//! charts embedded as PNG `data:` URIs — so it can be emailed, published or
//! opened offline and never fetches anything.
//!
//! Accessibility is built in rather than checked afterwards: `lang`, a
//! `<title>`, landmarks, one `h1` then `h2`/`h3` in order, tables with
//! captions and `scope`d header cells, ratings written as words (with a
//! shape) as well as coloured, every chart with alt text, a caption and its
//! figures in words, and only colour pairs with a contrast of at least 4.5:1
//! (see [`text_colours`]; `tests/html.rs` measures every pair in the
//! stylesheet). `scripts/a11y/check.mjs` runs axe-core over the page in a
//! real browser.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::chart::{charted, rag_svg, trend_svg, RagChart, TrendChart};
use super::excel::rag_colours;
use super::pdf::{grade_colours, long_date};
use super::{RenderContext, Renderer};
use crate::judge::Rag;
use crate::narrative::Bullet;
use crate::output::write_atomic;

/// The committee report as a web page.
pub struct HtmlReport;

/// The file written beside the PDF.
pub const FILE_NAME: &str = "committee-report.html";

/// Body text.
pub const INK: u32 = 0x0B0C0C;
/// The page.
pub const PAPER: u32 = 0xFFFFFF;
/// Headings, links and the masthead, as in the PDF.
pub const NAVY: u32 = 0x1F3864;
/// Table header cells, as in the PDF.
pub const SHADE: u32 = 0xD9E1F2;
/// Theme and section rows in tables, as in the PDF.
pub const GROUP: u32 = 0xEEF2F8;
/// Secondary text: commentary, the key, "No data".
pub const GREY: u32 = 0x595959;
/// The sample-data notice.
pub const WARNING: u32 = 0xC00000;
/// Keyboard focus: dark text on yellow, whatever it sits on.
pub const FOCUS: u32 = 0xFFDD00;
/// Table rules and figure frames (not text).
const RULE: u32 = 0x8A96A8;

/// A shape printed before each rating, so that no rating is told by colour
/// alone even where colours are not shown (printing in black and white,
/// Windows high-contrast mode); the word follows it.
pub fn rag_symbol(rag: Rag) -> &'static str {
    match rag {
        Rag::Green => "●",
        Rag::Amber => "◆",
        Rag::Red => "■",
    }
}

fn rag_class(rag: Rag) -> &'static str {
    match rag {
        Rag::Green => "rag-green",
        Rag::Amber => "rag-amber",
        Rag::Red => "rag-red",
    }
}

fn grade_class(grade: &str) -> String {
    format!(
        "grade-{}",
        grade
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    )
}

/// Every rule of the stylesheet that colours text: its selector, the text
/// colour and the background the text sits on. The stylesheet sets `color`
/// and `background-color` only through these pairs, each in one rule, so
/// the contrast of every piece of text on the page can be measured here.
pub fn text_colours() -> Vec<(String, u32, u32)> {
    let mut pairs: Vec<(String, u32, u32)> = vec![
        ("body".into(), INK, PAPER),
        ("h1, h2, h3".into(), NAVY, PAPER),
        ("a".into(), NAVY, PAPER),
        ("a:focus".into(), INK, FOCUS),
        (".skip:focus".into(), INK, FOCUS),
        (".masthead".into(), PAPER, NAVY),
        (".sample-banner".into(), PAPER, WARNING),
        (".sample-notice".into(), WARNING, PAPER),
        (
            ".secondary, .commentary, .key, .words, .no-data".into(),
            GREY,
            PAPER,
        ),
        ("thead th".into(), INK, SHADE),
        ("tbody th.group".into(), INK, GROUP),
        ("footer".into(), INK, PAPER),
    ];
    for rag in [Rag::Green, Rag::Amber, Rag::Red] {
        let (fill, text) = rag_colours(rag);
        pairs.push((format!(".{}", rag_class(rag)), text, fill));
    }
    for grade in crate::templates::GRADES {
        let (fill, text) = grade_colours(grade);
        pairs.push((format!(".{}", grade_class(grade)), text, fill));
    }
    pairs
}

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
         table{border-collapse:collapse;width:100%;font-size:.9rem;line-height:1.35}\
         caption{caption-side:top;text-align:left;font-weight:bold;padding:0 0 .4rem}\
         caption span{display:block;position:sticky;left:0;max-width:min(calc(100vw - 2rem),62rem)}\
         table.glance{width:auto;min-width:min(100%,32rem)}\
         .glance tbody th{font-weight:bold}\
         th,td{padding:.3rem .45rem;vertical-align:top;text-align:left}\
         thead th{vertical-align:bottom}\
         .num{text-align:right;font-variant-numeric:tabular-nums}\
         .centre{text-align:center}\
         .nowrap{white-space:nowrap}\
         th.ref{white-space:nowrap}\
         .scorecard tbody th:not(.ref):not(.group){min-width:12rem}\
         th[scope=row]{font-weight:normal}\
         th.ref[scope=row]{font-weight:bold}\
         .rating{font-weight:bold;white-space:nowrap}\
         .now{font-weight:bold}\
         .glance td{text-align:center}\
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
    for (selector, text, background) in text_colours() {
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

/// Escapes text for HTML element content and attribute values.
pub fn esc(text: &str) -> String {
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

/// Standard base64 (RFC 4648) with padding, for `data:` URIs.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A chart drawn as SVG, as a `data:` URI.
fn svg_data_uri(svg: &str) -> String {
    format!("data:image/svg+xml;base64,{}", base64(svg.as_bytes()))
}

/// The page being written.
struct Page {
    out: String,
}

impl Page {
    fn raw(&mut self, html: &str) {
        self.out.push_str(html);
    }

    fn line(&mut self, html: &str) {
        self.out.push_str(html);
        self.out.push('\n');
    }

    /// `<tag attrs>text</tag>` with the text escaped.
    fn text(&mut self, tag: &str, attrs: &str, text: &str) {
        let _ = writeln!(self.out, "<{tag}{attrs}>{}</{tag}>", esc(text));
    }

    fn paragraphs(&mut self, paragraphs: &[String]) {
        for p in paragraphs {
            self.text("p", "", p);
        }
    }

    fn heading(&mut self, level: u8, id: &str, text: &str) {
        let _ = writeln!(self.out, "<h{level} id=\"{id}\">{}</h{level}>", esc(text));
    }

    /// A numbered heading of Section 2 ("2.3 Strengths") and its passage.
    fn numbered(&mut self, number: &str, title: &str, paragraphs: &[String]) {
        let id = format!("s{}", number.replace('.', "-"));
        self.heading(3, &id, &format!("{number} {title}"));
        self.paragraphs(paragraphs);
    }

    /// Opens a table. A wide one sits in a region of its own that scrolls
    /// sideways on a small screen, so the page itself never does; the
    /// region is named by the table's caption and can be scrolled from the
    /// keyboard. The caption's text stays in view as the table scrolls.
    fn open_table(&mut self, id: &str, class: &str, caption: &str, wide: bool) {
        if wide {
            let _ = writeln!(
                self.out,
                "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"{id}-caption\" tabindex=\"0\">"
            );
        }
        let _ = writeln!(
            self.out,
            "<table id=\"{id}\" class=\"{class}\">\n<caption id=\"{id}-caption\"><span>{}</span></caption>",
            esc(caption)
        );
    }

    fn close_table(&mut self, wide: bool) {
        self.line("</table>");
        if wide {
            self.line("</div>");
        }
    }

    fn head_row(&mut self, cells: &[(&str, &str)]) {
        self.raw("<thead><tr>");
        for (class, text) in cells {
            let class_attr = if class.is_empty() {
                String::new()
            } else {
                format!(" class=\"{class}\"")
            };
            let _ = write!(self.out, "<th scope=\"col\"{class_attr}>{text}</th>");
        }
        self.line("</tr></thead>");
    }
}

/// A rating as shape and word, coloured: `● Green`.
fn rating(rag: Rag, before: &str) -> String {
    format!(
        "<span class=\"rating {}\"><span aria-hidden=\"true\">{}</span> {before}{}</span>",
        rag_class(rag),
        rag_symbol(rag),
        rag.label()
    )
}

impl Renderer for HtmlReport {
    fn name(&self) -> &'static str {
        "committee report (HTML)"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let html = page(ctx)?;
        let path = ctx.out_dir.join(FILE_NAME);
        write_atomic(&path, html.as_bytes())?;
        Ok(vec![path])
    }
}

/// The whole page.
pub fn page(ctx: &RenderContext) -> anyhow::Result<String> {
    let t = ctx.templates;
    let period = ctx.scorecard.period;
    let title = format!("{}, {}", ctx.title(), period.label());
    let meeting_date = t.meeting_date().map(long_date).unwrap_or_default();
    let mut p = Page {
        out: String::with_capacity(1 << 20),
    };
    p.line("<!DOCTYPE html>");
    p.line("<html lang=\"en-GB\">");
    p.line("<head>");
    p.line("<meta charset=\"utf-8\">");
    p.line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    p.text(
        "title",
        "",
        &format!(
            "{title} – {} – {}",
            t.meeting.committee, t.organisation.name
        ),
    );
    let _ = writeln!(
        p.out,
        "<meta name=\"description\" content=\"{}\">\n<meta name=\"author\" content=\"{}\">\n<meta name=\"generator\" content=\"scorecard {}\">",
        esc(&ctx.narrative.subject),
        esc(&t.organisation.name),
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(p.out, "<style>\n{}</style>", stylesheet());
    p.line("</head>");
    p.line("<body>");
    p.line("<a class=\"skip\" href=\"#content\">Skip to the report</a>");
    p.line("<header>\n<div class=\"masthead\">\n<div class=\"wrap\">");
    p.text("p", " class=\"org\"", &t.organisation.name);
    p.text("p", "", &title);
    p.line("</div>\n</div>");
    if t.organisation.sample_data {
        p.text(
            "p",
            " class=\"sample-banner\"",
            "SAMPLE DATA – the figures in this report are invented for demonstration",
        );
    }
    p.line("</header>");
    p.line("<main id=\"content\" class=\"wrap\">");
    heading_block(&mut p, ctx);
    section_one(&mut p, ctx);
    section_two(&mut p, ctx)?;
    section_three_and_four(&mut p, ctx);
    appendix_findings(&mut p, ctx);
    p.line("</main>");
    p.line("<footer>\n<div class=\"wrap\">");
    p.text("p", "", &format!("{}, {meeting_date}", t.meeting.committee));
    p.text(
        "p",
        "",
        &format!(
            "{} – {title}. The same report is published as committee-report.pdf.",
            t.organisation.name
        ),
    );
    p.line("</div>\n</footer>");
    p.line("</body>");
    p.line("</html>");
    Ok(p.out)
}

fn heading_block(p: &mut Page, ctx: &RenderContext) {
    let t = ctx.templates;
    p.heading(
        1,
        "report-for",
        &format!("Report for: {}", t.meeting.committee),
    );
    let rows = ctx.heading_block();
    p.line("<dl class=\"meeting\">");
    for (k, v) in rows {
        p.text("dt", "", k);
        p.text("dd", "", &v);
    }
    p.line("</dl>");
    if t.organisation.sample_data {
        p.text(
            "p",
            " class=\"sample-notice\"",
            "Sample data: every figure in this report is invented, to show how the report works. It does not describe any real council's services.",
        );
    }
}

fn section_one(p: &mut Page, ctx: &RenderContext) {
    let n = ctx.narrative;
    p.line("<section aria-labelledby=\"section-1\">");
    p.heading(2, "section-1", "Section 1 – Summary and Recommendations");
    p.paragraphs(&n.sets_out);
    p.paragraphs(&n.summary);
    p.heading(3, "recommendations", "Recommendations:");
    p.paragraphs(&n.recommendation);
    p.heading(3, "reason", "Reason: (for recommendation)");
    p.paragraphs(&n.reason);
    p.line("</section>");
}

fn bullets(p: &mut Page, list: &[Bullet]) {
    if list.is_empty() {
        return;
    }
    p.line("<ul class=\"bullets\">");
    for b in list {
        p.raw("<li>");
        p.text("p", "", &b.text);
        for (service, text) in &b.commentary {
            let _ = writeln!(
                p.out,
                "<p class=\"commentary\"><span class=\"service\">{}:</span> {}</p>",
                esc(service),
                esc(text)
            );
        }
        p.line("</li>");
    }
    p.line("</ul>");
}

fn section_two(p: &mut Page, ctx: &RenderContext) -> anyhow::Result<()> {
    let n = ctx.narrative;
    p.line("<section aria-labelledby=\"section-2\">");
    p.heading(2, "section-2", "Section 2 – Report");
    p.numbered("2.1", "Introduction", &n.introduction);
    p.numbered("2.2", "Performance at a glance", &[]);
    summary_table(p, ctx);
    p.numbered("2.3", "Strengths", &n.strengths_intro);
    bullets(p, &n.strengths);
    p.numbered("2.4", "Weaknesses", &n.weaknesses_intro);
    bullets(p, &n.weaknesses);
    p.numbered("2.5", "The scorecard", &n.scorecard_intro);
    scorecard_table(p, ctx);
    for k in &n.scorecard_key {
        p.text("p", " class=\"key\"", k);
    }
    trends(p, ctx)?;
    p.numbered("2.7", "Data quality", &n.data_quality);
    p.numbered("2.8", "Improvement plan", &n.improvement);
    p.numbered("2.9", "Financial Implications", &n.financial_implications);
    p.numbered("2.10", "Performance Issues", &n.performance_issues);
    p.numbered("2.11", "Risk Management Implications", &n.risk_management);
    p.numbered("2.12", "Equalities Implications", &n.equalities);
    p.line("</section>");
    Ok(())
}

fn summary_table(p: &mut Page, ctx: &RenderContext) {
    let sc = ctx.scorecard;
    let s = &sc.summary;
    let period = esc(&sc.period.label());
    // One column of counts rather than the PDF's one row, so that it fits
    // a phone without scrolling; the same counts in the same order.
    p.open_table(
        "at-a-glance",
        "glance",
        &format!(
            "Indicators by rating, and how many improved or worsened, {}",
            sc.period.label()
        ),
        false,
    );
    p.head_row(&[("", "Indicators"), ("centre", &period)]);
    p.line("<tbody>");
    for (rag, count) in [
        (Rag::Green, s.green),
        (Rag::Amber, s.amber),
        (Rag::Red, s.red),
    ] {
        let _ = writeln!(
            p.out,
            "<tr><th scope=\"row\">{}</th><td class=\"{}\">{}</td></tr>",
            rag.label(),
            rag_class(rag),
            rating(rag, &format!("{count} "))
        );
    }
    let _ = writeln!(
        p.out,
        "<tr><th scope=\"row\">Context only</th><td>{}</td></tr>\n<tr><th scope=\"row\">No data</th><td>{}</td></tr>\n<tr><th scope=\"row\">Improved / worsened</th><td>{} / {}</td></tr>",
        s.not_rated, s.no_data, s.improved, s.worsened
    );
    p.line("</tbody>");
    p.close_table(false);
}

fn scorecard_table(p: &mut Page, ctx: &RenderContext) {
    let sc = ctx.scorecard;
    let t = ctx.templates;
    let columns = 2 + sc.shown.len() + 5;
    p.open_table(
        "scorecard",
        "scorecard",
        &format!(
            "The scorecard, {}, by theme: each indicator's figure for the last {} quarters, its target, its rating (RAG: Red, Amber or Green), its direction since the previous quarter, and the statistical neighbours' (SN) and England figures",
            sc.period.label(),
            sc.shown.len()
        ),
        true,
    );
    let quarters: Vec<String> = sc
        .shown
        .iter()
        .map(|q| {
            format!(
                "<span class=\"nowrap\">{}</span> Q{}",
                esc(&q.year_label()),
                q.quarter()
            )
        })
        .collect();
    let mut head: Vec<(&str, &str)> = vec![("", "Ref"), ("", "Indicator")];
    head.extend(quarters.iter().map(|q| ("num", q.as_str())));
    head.extend([
        ("centre", "Target"),
        ("centre", "RAG"),
        ("centre", "Direction"),
        ("centre", "<abbr title=\"statistical neighbours\">SN</abbr>"),
        ("centre", "England"),
    ]);
    p.head_row(&head);
    for theme in &t.themes {
        let rows: Vec<_> = sc
            .rows
            .iter()
            .filter(|r| r.indicator.theme == theme.id)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            p.out,
            "<tbody>\n<tr><th scope=\"rowgroup\" colspan=\"{columns}\" class=\"group\">{}</th></tr>",
            esc(&theme.title)
        );
        for r in rows {
            let ind = &r.indicator;
            let _ = write!(
                p.out,
                "<tr><th scope=\"row\" class=\"ref\">{}</th><th scope=\"row\">{}</th>",
                esc(&ind.reference),
                esc(&ind.title)
            );
            for q in &sc.shown {
                match r.at(*q) {
                    Some(o) if o.has_data() => match (o.rag, *q == sc.period) {
                        (Some(rag), true) => {
                            let _ = write!(
                                p.out,
                                "<td class=\"num nowrap now {}\">{}</td>",
                                rag_class(rag),
                                esc(&o.display)
                            );
                        }
                        _ => {
                            let _ =
                                write!(p.out, "<td class=\"num nowrap\">{}</td>", esc(&o.display));
                        }
                    },
                    _ => p.raw("<td class=\"num no-data\">No data</td>"),
                }
            }
            let now = r.at(sc.period);
            let target = ind
                .target
                .map(|v| ind.measure.display_target(v))
                .unwrap_or_else(|| "–".into());
            let _ = write!(p.out, "<td class=\"centre nowrap\">{}</td>", esc(&target));
            match now.and_then(|o| o.rag) {
                Some(rag) => {
                    let _ = write!(
                        p.out,
                        "<td class=\"centre {}\">{}</td>",
                        rag_class(rag),
                        rating(rag, "")
                    );
                }
                None => p.raw("<td class=\"centre\">–</td>"),
            }
            match now.and_then(|o| o.direction) {
                Some(d) => {
                    let _ = write!(
                        p.out,
                        "<td class=\"centre nowrap\"><span aria-hidden=\"true\">{}</span> {}</td>",
                        d.arrow(),
                        d.label()
                    );
                }
                None => p.raw("<td class=\"centre\">–</td>"),
            }
            for bench in [ind.statistical_neighbours, ind.england] {
                let text = bench
                    .map(|v| ind.measure.display(v))
                    .unwrap_or_else(|| "–".into());
                let _ = write!(p.out, "<td class=\"centre nowrap\">{}</td>", esc(&text));
            }
            p.line("</tr>");
        }
        p.line("</tbody>");
    }
    p.close_table(true);
}

/// One chart: its caption, the picture, and the chart in words.
fn figure(p: &mut Page, number: usize, caption: &str, alt: &str, src: &str, words: &str) {
    let _ = writeln!(
        p.out,
        "<figure id=\"figure-{number}\">\n<figcaption>Figure {number}: {}</figcaption>\n<img src=\"{src}\" width=\"1400\" height=\"420\" alt=\"{}\">\n<p class=\"words\">{}</p>\n</figure>",
        esc(caption),
        esc(alt),
        esc(words)
    );
}

/// 2.6: the Green/Amber/Red counts over time, then a trend chart for each
/// Red indicator and each one the templates name, as in the PDF.
fn trends(p: &mut Page, ctx: &RenderContext) -> anyhow::Result<()> {
    let sc = ctx.scorecard;
    p.numbered("2.6", "Trends", &ctx.narrative.trends_intro);
    let rag = RagChart::from_scorecard(sc);
    let caption = rag.caption();
    figure(
        p,
        1,
        &caption,
        &format!(
            "Stacked bar chart: {caption}. Each bar is labelled with its counts, which are also given in words below the chart."
        ),
        &svg_data_uri(&rag_svg(&rag, 1400, 420)?),
        &rag.text_equivalent(),
    );
    for (i, row) in charted(sc, &ctx.templates.organisation.charts)
        .iter()
        .enumerate()
    {
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
            crate::narrative::join_and(&lines)
        );
        figure(
            p,
            i + 2,
            &caption,
            &alt,
            &svg_data_uri(&trend_svg(&chart, 1400, 420)?),
            &chart.text_equivalent(),
        );
    }
    Ok(())
}

fn section_three_and_four(p: &mut Page, ctx: &RenderContext) {
    let m = &ctx.templates.meeting;
    p.line("<section aria-labelledby=\"section-3\">");
    p.heading(2, "section-3", "Section 3 – Statutory Officer Clearance");
    p.open_table(
        "clearance",
        "clearance",
        "Officers who cleared this report, on behalf of whom, and when",
        false,
    );
    p.head_row(&[("", "Name"), ("", "Cleared"), ("", "Date")]);
    p.line("<tbody>");
    for c in &m.clearance {
        let _ = writeln!(
            p.out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"nowrap\">{}</td></tr>",
            esc(&c.name),
            esc(&c.role),
            esc(&c.date)
        );
    }
    p.line("</tbody>");
    p.close_table(false);
    p.line("</section>");

    p.line("<section aria-labelledby=\"section-4\">");
    p.heading(
        2,
        "section-4",
        "Section 4 – Contact Details and Background Papers",
    );
    let c = &m.contact;
    let _ = writeln!(
        p.out,
        "<p><strong>Contact:</strong> {}, {}. Telephone {}. Email <a href=\"mailto:{}\">{}</a></p>",
        esc(&c.name),
        esc(&c.title),
        esc(&c.telephone),
        esc(&c.email),
        esc(&c.email)
    );
    p.heading(3, "background-papers", "Background Papers:");
    if m.background_papers.is_empty() {
        p.text("p", "", "None.");
    } else {
        p.line("<ul>");
        for paper in &m.background_papers {
            p.text("li", "", paper);
        }
        p.line("</ul>");
    }
    p.line("</section>");
}

/// Appendix 1: the inspection's record of main findings, each grade
/// coloured and written out.
fn appendix_findings(p: &mut Page, ctx: &RenderContext) {
    let plan = &ctx.templates.plan;
    if plan.judgements.is_empty() {
        return;
    }
    let heading = format!(
        "Appendix 1 – {} {}: record of main findings",
        plan.inspection.body,
        plan.published().format("%Y")
    );
    p.line("<section class=\"appendix\" aria-labelledby=\"appendix-1\">");
    p.heading(2, "appendix-1", &heading);
    p.text(
        "p",
        "",
        &format!(
            "The {} {} published on {} graded each aspect on the four-point scale Outstanding, Good, Adequate, Inadequate.",
            plan.inspection.body,
            plan.inspection.title.to_lowercase(),
            long_date(plan.published())
        ),
    );
    p.open_table(
        "findings",
        "findings",
        "The inspection's judgements and their grades, by section",
        false,
    );
    p.head_row(&[("", "Judgement"), ("centre", "Grade")]);
    let mut section: Option<&str> = None;
    for j in &plan.judgements {
        if section != Some(j.section.as_str()) {
            if section.is_some() {
                p.line("</tbody>");
            }
            section = Some(&j.section);
            let _ = writeln!(
                p.out,
                "<tbody>\n<tr><th scope=\"rowgroup\" colspan=\"2\" class=\"group\">{}</th></tr>",
                esc(&j.section)
            );
        }
        let _ = writeln!(
            p.out,
            "<tr><th scope=\"row\">{}</th><td class=\"centre rating {}\">{}</td></tr>",
            esc(&j.judgement),
            grade_class(&j.grade),
            esc(&j.grade)
        );
    }
    if section.is_some() {
        p.line("</tbody>");
    }
    p.close_table(false);
    p.line("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<b>\"Tom\" & 'Jerry'</b>"),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn base64_matches_rfc_4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(base64(&[0xFF, 0xEF, 0xBE]), "/+++");
    }

    #[test]
    fn every_grade_has_its_own_class() {
        let classes: std::collections::BTreeSet<String> = crate::templates::GRADES
            .iter()
            .map(|g| grade_class(g))
            .collect();
        assert_eq!(classes.len(), crate::templates::GRADES.len());
    }
}
