//! Stage 7: typeset the composed documents, before anything is written.
//!
//! The committee report and the improvement plan are typeset as tagged
//! PDF/UA-1 documents by Typst, embedded as a library, from the layout
//! templates `report.typ` and `improvement-plan.typ` over the
//! [`Paper`](crate::compose::Paper) and [`PlanPaper`](crate::compose::PlanPaper)
//! (served to them as `/data.json`, the charts as `/charts/*.svg`); the web
//! page is laid out from `report.html.j2` over the same `Paper`. A mistake
//! in any layout template is found here, named by file and line, and stops
//! the run before a file is written.

pub mod html;
pub mod pdf;
pub mod world;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::compose::{Paper, PlanPaper};
use crate::config::{TemplateErrors, Templates, PLAN_LAYOUT, REPORT_LAYOUT};

/// The documents, typeset and ready to write.
pub struct Typeset {
    pub report_pdf: Vec<u8>,
    pub plan_pdf: Vec<u8>,
    pub report_html: String,
    /// Seconds each document took, for the run record.
    pub timings: Vec<(String, f64)>,
}

/// Typesets the three documents of a quarter, in parallel.
pub fn typeset(
    templates: &Templates,
    report: &Paper,
    plan: &PlanPaper,
    period_id: &str,
    date: chrono::NaiveDate,
) -> Result<Typeset, TemplateErrors> {
    let start = Instant::now();
    world::warm_up(&templates.dir);
    let engine = start.elapsed().as_secs_f64();
    let timed = |f: &dyn Fn() -> Result<Vec<u8>, TemplateErrors>| {
        let start = Instant::now();
        f().map(|bytes| (bytes, start.elapsed().as_secs_f64()))
    };
    let charts = || charts_of(report);
    // Set once the report is typeset: from then on, decoding its charts
    // ahead of it would be work for nothing.
    let report_done = AtomicBool::new(false);
    let report_job = || {
        let typeset = timed(&|| {
            pdf::typeset(pdf::PdfJob {
                dir: &templates.dir,
                template: REPORT_LAYOUT,
                source: &templates.layouts.report,
                data: to_json(report),
                files: charts(),
                date,
                ident: format!("committee-report {period_id}"),
            })
        });
        report_done.store(true, Ordering::Relaxed);
        typeset
    };
    let plan_job = || {
        timed(&|| {
            pdf::typeset(pdf::PdfJob {
                dir: &templates.dir,
                template: PLAN_LAYOUT,
                source: &templates.layouts.plan,
                data: to_json(plan),
                files: Vec::new(),
                date,
                ident: format!("improvement-plan {period_id}"),
            })
        })
    };
    let html_job = || timed(&|| html::lay_out(templates, report).map(String::into_bytes));
    // The report is the longest. While one core evaluates it, the other
    // decodes its charts (see `pdf::decode_pictures`). Typst then lays out
    // the report's runs of pages (between the page breaks of
    // `report-outline.toml`) in parallel, so the second core lays out some
    // of them before it typesets the plan and lays out the web page,
    // while the first writes the report's PDF. On one thread, or with
    // every core busy with other quarters, the report may come first.
    let (report_pdf, (plan_pdf, report_html)) = rayon::join(report_job, || {
        if !report_done.load(Ordering::Relaxed) {
            pdf::decode_pictures(&templates.dir, to_json(&report.document), charts(), date);
            help_with_waiting_work();
        }
        rayon::join(plan_job, html_job)
    });
    gather(engine, report_pdf, plan_pdf, report_html)
}

/// Runs the work other threads of the pool have set aside for anyone free
/// (the report's runs of pages, waiting to be laid out), until there is
/// none.
fn help_with_waiting_work() {
    while let Some(rayon::Yield::Executed) = rayon::yield_now() {}
}

/// The report's charts as the files its layout reads: the pictures
/// without their labels, which the layout sets over them.
fn charts_of(report: &Paper) -> Vec<(String, Vec<u8>)> {
    report
        .exhibits
        .figures
        .iter()
        .map(|f| (f.file.clone(), f.picture.clone().into_bytes()))
        .collect()
}

/// A document typeset, with the seconds it took, or the mistakes in its
/// layout.
type Done = Result<(Vec<u8>, f64), TemplateErrors>;

/// The three documents, or every mistake any of their layouts holds.
fn gather(
    engine: f64,
    report_pdf: Done,
    plan_pdf: Done,
    report_html: Done,
) -> Result<Typeset, TemplateErrors> {
    let mut errors = Vec::new();
    let mut take = |r: Done| match r {
        Ok(done) => Some(done),
        Err(e) => {
            errors.extend(e.0);
            None
        }
    };
    let (report_pdf, plan_pdf, report_html) = (take(report_pdf), take(plan_pdf), take(report_html));
    match (report_pdf, plan_pdf, report_html) {
        (Some(r), Some(p), Some(h)) if errors.is_empty() => Ok(Typeset {
            timings: vec![
                ("load the fonts and Typst's library".into(), engine),
                ("typeset committee report".into(), r.1),
                ("typeset improvement plan".into(), p.1),
                ("lay out committee report (HTML)".into(), h.1),
            ],
            report_pdf: r.0,
            plan_pdf: p.0,
            report_html: String::from_utf8(h.0).unwrap_or_default(),
        }),
        _ => Err(TemplateErrors(errors)),
    }
}

/// Forgets every layout Typst keeps for reuse, so that the next documents
/// are laid out from nothing, as in a new process (for benchmarks that run
/// the pipeline repeatedly in one).
pub fn forget_layouts() {
    typst::comemo::evict(0);
}

fn to_json(model: &impl serde::Serialize) -> Vec<u8> {
    // A model of strings, numbers and lists always serialises.
    serde_json::to_vec(model).unwrap_or_default()
}
