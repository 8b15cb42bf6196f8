//! `returns.html`: the status page of a quarter's returns — every expected
//! service, what it has sent, when, how many problems, and a link to its
//! feedback — for the performance officer chasing returns before the
//! deadline and for officers checking that theirs arrived.
//!
//! `run` writes it with the other documents; `watch` rewrites it each time
//! a return arrives or changes. It formats a [`ReturnsStatus`] and works out
//! nothing itself. Like `committee-report.html` it is one self-contained
//! file (no scripts, no outside requests) built to be accessible: `lang`, a
//! title, landmarks, one `h1`, a table with a caption and scoped header
//! cells, each status written as words after a shape as well as coloured,
//! and text colours with a contrast of at least 4.5:1 (measured with the
//! palette's; `scripts/a11y/check.mjs` runs axe-core over it).
//!
//! Its colours and the look of each state come from the palette; its own
//! layout and escaping are written here, as it is not laid out from a
//! template.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{RenderContext, Renderer};
use crate::config::Templates;
use crate::model::palette::{returns_page_text, Look, RULE};
use crate::output::write_atomic;
use crate::status::{ExtractLook, FileState, ReturnsStatus, SentFile, ServiceState};
use crate::text::long_date;

/// The page, in each quarter's output folder.
pub const FILE_NAME: &str = "returns.html";

/// The status page as a renderer of the run.
pub struct StatusPage;

impl Renderer for StatusPage {
    fn name(&self) -> &'static str {
        "returns status page"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let status = ReturnsStatus::build(
            ctx.templates,
            ctx.returns,
            ctx.extracts,
            ctx.skipped,
            ctx.scorecard.period,
            chrono::Local::now(),
        );
        Ok(vec![write(&status, ctx.templates, ctx.out_dir)?])
    }
}

/// Writes `out_dir/returns.html`.
pub fn write(
    status: &ReturnsStatus,
    templates: &Templates,
    out_dir: &Path,
) -> anyhow::Result<PathBuf> {
    let path = out_dir.join(FILE_NAME);
    write_atomic(&path, page(status, templates).as_bytes())?;
    Ok(path)
}

fn stylesheet() -> String {
    let mut css = String::from(
        "*,*::before,*::after{box-sizing:border-box}\
         body{margin:0;font-family:Arial,\"Liberation Sans\",Helvetica,sans-serif;font-size:1rem;line-height:1.5}\
         .wrap{max-width:72rem;margin:0 auto;padding:0 1rem}\
         .skip{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}\
         .skip:focus{position:static;width:auto;height:auto;display:inline-block;margin:.5rem 1rem;padding:.25rem .5rem}\
         .masthead{padding:.75rem 0}.masthead p{margin:0}.masthead .org{font-weight:bold;font-size:1.125rem}\
         .sample-banner{margin:0;max-width:none;padding:.5rem 1rem;font-weight:bold;text-align:center}\
         main{display:block;padding-bottom:2rem;min-height:32rem}\
         h1{font-size:1.75rem;line-height:1.25;margin:1.5rem 0 1rem}\
         h2{font-size:1.3rem;margin:2rem 0 .75rem}\
         p{margin:0 0 .75rem;max-width:48rem}\
         ul{max-width:48rem}\
         a{text-decoration:underline;text-underline-offset:.15em}\
         a:focus,.skip:focus{outline:3px solid transparent;text-decoration:none;box-shadow:0 4px 0 #0B0C0C}\
         .table-wrap{overflow-x:auto;margin:0 0 1rem}\
         .table-wrap:focus{outline:3px solid #0B0C0C;outline-offset:2px}\
         table{border-collapse:collapse;width:100%;font-size:.95rem;line-height:1.35}\
         caption{caption-side:top;text-align:left;font-weight:bold;padding:0 0 .4rem}\
         caption span{display:block;position:sticky;left:0;max-width:min(calc(100vw - 2rem),70rem)}\
         th,td{padding:.35rem .5rem;vertical-align:top;text-align:left}\
         thead th{vertical-align:bottom}\
         th[scope=row]{font-weight:bold}\
         .num{text-align:right;font-variant-numeric:tabular-nums}\
         .nowrap{white-space:nowrap}\
         .state{font-weight:bold;white-space:nowrap}\
         .overdue{font-weight:bold}\
         .counts{font-size:1.05rem}\
         footer{padding:1rem 0 2rem;font-size:.9rem}\n",
    );
    let _ = writeln!(
        css,
        "th,td{{border:1px solid #{RULE:06X}}}footer{{border-top:1px solid #{RULE:06X}}}"
    );
    for (selector, text, background) in returns_page_text() {
        let _ = writeln!(
            css,
            "{selector}{{color:#{text:06X};background-color:#{background:06X}}}"
        );
    }
    css
}

/// Escapes text for element content and attribute values.
fn esc(text: &str) -> String {
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

/// A link's address: the relative path with each part percent-encoded,
/// so a file name with spaces or `#` still opens.
fn href(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn badge(look_as: Look, words: &str) -> String {
    let (class, shape) = (look_as.class(), look_as.shape());
    format!(
        "<span class=\"state {class}\"><span aria-hidden=\"true\">{shape}</span> {}</span>",
        esc(words)
    )
}

fn file_badge(state: &FileState) -> String {
    match state {
        FileState::Accepted => badge(Look::Good, state.label()),
        FileState::AcceptedWithWarnings => badge(Look::Warn, state.label()),
        FileState::Rejected => badge(Look::Bad, state.label()),
        FileState::Superseded { by } => format!(
            "{}<br><span class=\"secondary\">by {}</span>",
            badge(Look::Quiet, state.label()),
            esc(by)
        ),
    }
}

fn problems(f: &SentFile) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    match (f.errors, f.warnings) {
        (0, 0) => "None".into(),
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// The cells after the service's name for one file it sent.
fn file_cells(out: &mut String, f: &SentFile, with_name: bool) {
    let submitted = f
        .submitted
        .map(|s| {
            let mut text = esc(&s.format("%-d %b %Y %H:%M").to_string());
            if f.late {
                text.push_str("<br><span class=\"overdue\">after the deadline</span>");
            }
            text
        })
        .unwrap_or_else(|| "<span class=\"secondary\">not given</span>".into());
    let changed = f
        .changed
        .map(|c| c.format("%-d %b %Y %H:%M").to_string())
        .unwrap_or_default();
    let feedback = match &f.feedback {
        Some(link) => format!(
            "<a href=\"{}\">Feedback on {}</a>",
            esc(&href(link)),
            esc(&f.name)
        ),
        None => "<span class=\"secondary\">None needed</span>".into(),
    };
    let _ = write!(out, "<td>{}</td>", file_badge(&f.state));
    if with_name {
        let _ = write!(out, "<td>{}</td>", esc(&f.name));
    }
    let _ = write!(
        out,
        "<td class=\"nowrap\">{submitted}</td><td class=\"nowrap\">{}</td><td>{}</td><td>{feedback}</td>",
        esc(&changed),
        problems(f),
    );
}

/// The quarter's extracts of children's records: what became of each, in
/// counts and reasons only.
fn extract_table(out: &mut String, status: &ReturnsStatus) {
    if status.extracts.is_empty() {
        return;
    }
    out.push_str("<h2 id=\"extracts\">Children's records</h2>\n");
    out.push_str("<p>An extract of the children's own records (the SSDA903) gives some figures in place of the services' counts. It is used whole or not at all: an extract that cannot be read whole, or with too many children's records in error, is refused and those figures come from the services' returns. Its problems, with the values to correct, are in the quarter's <code>restricted/feedback/</code> folder, for the performance team only.</p>\n");
    out.push_str("<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"extracts-caption\" tabindex=\"0\">\n");
    let _ = writeln!(
        out,
        "<table id=\"extract-list\">\n<caption id=\"extracts-caption\"><span>Extracts of children's records for {}</span></caption>",
        esc(&status.period.label())
    );
    out.push_str("<thead><tr><th scope=\"col\">Extract</th><th scope=\"col\">Status</th><th scope=\"col\">What became of it</th><th scope=\"col\">Problems</th></tr></thead>\n<tbody>\n");
    for e in &status.extracts {
        let look_as = match e.state {
            ExtractLook::Used => Look::Good,
            ExtractLook::UsedWithProblems => Look::Warn,
            ExtractLook::Refused => Look::Bad,
            ExtractLook::Superseded => Look::Quiet,
        };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&e.name),
            badge(look_as, e.state.label()),
            esc(&e.detail),
            crate::text::count(e.problems)
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// The whole page.
pub fn page(status: &ReturnsStatus, templates: &Templates) -> String {
    let org = &templates.organisation;
    let label = status.period.label();
    let title = format!("Returns for {label}");
    let mut out = String::with_capacity(32 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>{} – {}</title>\n<meta name=\"generator\" content=\"scorecard {}\">\n<style>\n{}</style>\n</head>\n<body>",
        esc(&title),
        esc(&org.name),
        env!("CARGO_PKG_VERSION"),
        stylesheet()
    );
    out.push_str("<a class=\"skip\" href=\"#content\">Skip to the returns</a>\n");
    let _ = writeln!(
        out,
        "<header>\n<div class=\"masthead\">\n<div class=\"wrap\">\n<p class=\"org\">{}</p>\n<p>{} – quarterly returns</p>\n</div>\n</div>",
        esc(&org.name),
        esc(&org.directorate)
    );
    if org.sample_data {
        out.push_str("<p class=\"sample-banner\">SAMPLE DATA – these returns are invented for demonstration</p>\n");
    }
    out.push_str("</header>\n<main id=\"content\" class=\"wrap\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", esc(&title));

    // The summary: the deadline and the counts, in words.
    let total = status.services.len();
    let accepted =
        status.count(ServiceState::Accepted) + status.count(ServiceState::AcceptedWithWarnings);
    let with_warnings = status.count(ServiceState::AcceptedWithWarnings);
    let rejected = status.count(ServiceState::Rejected);
    let nothing = status.count(ServiceState::NothingYet);
    if let Some(due) = status.due {
        let overdue = status.services.iter().filter(|s| s.overdue).count();
        let passed = if status.as_of.date_naive() > due {
            format!(
                " That date has passed{}",
                if overdue > 0 {
                    format!(": {overdue} service(s) have no accepted return.")
                } else {
                    ": every service has an accepted return.".into()
                }
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<p class=\"counts\">Returns for {} are due by <strong>{}</strong>.{}</p>",
            esc(&label),
            esc(&long_date(due)),
            esc(&passed)
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"counts\">Of {total} services, {accepted} have a return accepted ({with_warnings} with warnings), {rejected} have only rejected returns, and {nothing} have sent nothing yet.</p>"
    );
    out.push_str("<p>A rejected return is not used until it is corrected and sent again with a later Submitted date and time; its feedback says what to fix, and in which cell. A warning does not stop a return being used, but should be checked.</p>\n");

    // The table: one row per file sent, or one for a service with none.
    out.push_str("<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"returns-caption\" tabindex=\"0\">\n");
    let _ = writeln!(
        out,
        "<table id=\"returns\">\n<caption id=\"returns-caption\"><span>Each service's returns for {}: what became of each file, when it was submitted and last changed, its problems and its feedback</span></caption>",
        esc(&label)
    );
    out.push_str("<thead><tr><th scope=\"col\">Service</th><th scope=\"col\">Status</th><th scope=\"col\">File</th><th scope=\"col\">Submitted</th><th scope=\"col\">Last changed</th><th scope=\"col\">Problems</th><th scope=\"col\">Feedback</th></tr></thead>\n<tbody>\n");
    for s in &status.services {
        if s.files.is_empty() {
            let words = if s.overdue {
                badge(Look::Bad, "Nothing yet – overdue")
            } else {
                badge(Look::Quiet, ServiceState::NothingYet.label())
            };
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{words}</td><td colspan=\"5\" class=\"secondary\">No return received</td></tr>",
                esc(&s.service)
            );
            continue;
        }
        for f in &s.files {
            let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(&s.service));
            file_cells(&mut out, f, true);
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody>\n</table>\n</div>\n");

    if !status.arriving.is_empty() {
        out.push_str("<h2 id=\"arriving\">Still arriving</h2>\n");
        out.push_str("<p>These files are still being copied into the inputs folder (they are not whole yet). Each is checked as soon as it is complete.</p>\n<ul>\n");
        for name in &status.arriving {
            let _ = writeln!(
                out,
                "<li>{} {}</li>",
                badge(Look::Quiet, "Arriving"),
                esc(name)
            );
        }
        out.push_str("</ul>\n");
    }
    extract_table(&mut out, status);
    if !status.unmatched.is_empty() {
        out.push_str("<h2 id=\"unmatched\">Returns that name no service</h2>\n");
        out.push_str("<p>These files could not be matched to a service: the workbook could not be read, or its Service cell is empty or not a service in the list. Their feedback says what to correct.</p>\n");
        out.push_str("<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"unmatched-caption\" tabindex=\"0\">\n");
        out.push_str("<table id=\"unmatched-returns\">\n<caption id=\"unmatched-caption\"><span>Returns not matched to a service</span></caption>\n");
        out.push_str("<thead><tr><th scope=\"col\">File</th><th scope=\"col\">Status</th><th scope=\"col\">Submitted</th><th scope=\"col\">Last changed</th><th scope=\"col\">Problems</th><th scope=\"col\">Feedback</th></tr></thead>\n<tbody>\n");
        for f in &status.unmatched {
            let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(&f.name));
            file_cells(&mut out, f, false);
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n</div>\n");
    }
    if !status.other_files.is_empty() {
        out.push_str("<h2 id=\"other-files\">Other files in the inputs folder</h2>\n");
        out.push_str("<p>These are not read as returns. A return must be an Excel or LibreOffice workbook (.xlsx, .xlsm, .xls or .ods).</p>\n<ul>\n");
        for f in &status.other_files {
            let _ = writeln!(out, "<li>{}: {}</li>", esc(&f.name), esc(&f.reason));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</main>\n<footer>\n<div class=\"wrap\">\n");
    let _ = writeln!(
        out,
        "<p>Brought up to date at {} on {}. Reload the page to see returns received since.</p>\n<p>{} – {}. The committee documents are made by the quarterly run, not by this page.</p>",
        status.as_of.format("%H:%M:%S"),
        esc(&long_date(status.as_of.date_naive())),
        esc(&org.name),
        esc(&title)
    );
    out.push_str("</div>\n</footer>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_survive_awkward_file_names() {
        assert_eq!(
            href("feedback/LC return #2 (v3).xlsx"),
            "feedback/LC%20return%20%232%20%28v3%29.xlsx"
        );
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
