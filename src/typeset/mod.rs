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

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
    // Set once the report is typeset (or has failed): from then on,
    // decoding its charts ahead of it, or waiting for its pages, would be
    // for nothing.
    let report_done = AtomicBool::new(false);
    // The pool thread typesetting the report, once it has begun.
    let report_thread = AtomicUsize::new(usize::MAX);
    let report_job = || {
        let _done = RaisedOnDrop(&report_done);
        if let Some(index) = rayon::current_thread_index() {
            report_thread.store(index, Ordering::Relaxed);
        }
        timed(&|| {
            pdf::typeset(pdf::PdfJob {
                dir: &templates.dir,
                template: REPORT_LAYOUT,
                source: &templates.layouts.report,
                data: to_json(report),
                files: charts_of(report),
                date,
                ident: format!("committee-report {period_id}"),
            })
        })
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
    // `report-outline.toml`) in parallel: the second core takes the runs
    // set aside for it, then typesets the plan and lays out the web page
    // while the first finishes its runs and writes the report's PDF. On
    // one thread, or with every core busy with other quarters, the report
    // may come first.
    let (report_pdf, (plan_pdf, report_html)) = rayon::join(report_job, || {
        if !report_done.load(Ordering::Relaxed) {
            pdf::decode_pictures(
                &templates.dir,
                to_json(&report.document),
                unlabelled_charts_of(report),
                date,
            );
            if report.breaks_pages() && beside(&report_thread) {
                lay_out_runs_of(&report_done);
            }
        }
        rayon::join(plan_job, html_job)
    });
    gather(engine, report_pdf, plan_pdf, report_html)
}

/// Whether this is a thread of the pool other than the report's (once the
/// report has begun). Never wait for the report on its own thread, which
/// may come to this work while it waits inside the report: the report
/// could not go on.
fn beside(report_thread: &AtomicUsize) -> bool {
    let report = report_thread.load(Ordering::Relaxed);
    report != usize::MAX && rayon::current_thread_index().is_some_and(|i| i != report)
}

/// Raises its flag when dropped: when a job ends, even by a panic.
struct RaisedOnDrop<'a>(&'a AtomicBool);

impl Drop for RaisedOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// How long [`lay_out_runs_of`] waits for the report's first runs of
/// pages: evaluating a report takes 5-15 ms. A bound, so that no order of
/// work among the pool's threads can leave this waiting for ever.
const WAIT_FOR_RUNS: std::time::Duration = std::time::Duration::from_millis(100);

/// Lays out runs of the report's pages beside the core typesetting it.
/// While the report is still being evaluated there is nothing to take, so
/// this gives way and looks again; once its core sets runs of pages aside
/// for others, this lays them out, and returns when none is left (or the
/// report is done, or this is not a thread of the pool, or nothing came in
/// [`WAIT_FOR_RUNS`]). The plan it delays would otherwise finish long
/// before the report.
fn lay_out_runs_of(report_done: &AtomicBool) {
    let waiting = Instant::now();
    let mut helped = false;
    while !report_done.load(Ordering::Relaxed) {
        match rayon::yield_now() {
            Some(rayon::Yield::Executed) => helped = true,
            Some(rayon::Yield::Idle) if !helped && waiting.elapsed() < WAIT_FOR_RUNS => {
                std::thread::yield_now()
            }
            _ => return,
        }
    }
}

/// The report's charts as the files its layout may read: each whole, and
/// without its labels (which the shipped layout sets over the picture; a
/// layout written before that still finds the whole picture at `file`).
fn charts_of(report: &Paper) -> Vec<(String, Vec<u8>)> {
    let whole = report.exhibits.figures.iter();
    whole
        .map(|f| (f.file.clone(), f.svg.clone().into_bytes()))
        .chain(unlabelled_charts_of(report))
        .collect()
}

/// The pictures the shipped layout places, to decode ahead of it.
fn unlabelled_charts_of(report: &Paper) -> Vec<(String, Vec<u8>)> {
    report
        .exhibits
        .figures
        .iter()
        .map(|f| (f.unlabelled_file.clone(), f.unlabelled.clone().into_bytes()))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Waiting for the report's runs of pages ends by itself: outside the
    /// pool, when the report is done, and when no runs come.
    #[test]
    fn waiting_for_runs_of_pages_always_ends() {
        let done = AtomicBool::new(false);
        lay_out_runs_of(&done);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a pool of one thread");
        pool.install(|| lay_out_runs_of(&done));
        done.store(true, Ordering::Relaxed);
        pool.install(|| lay_out_runs_of(&done));
    }
}
