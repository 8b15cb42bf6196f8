//! The orchestrator: runs the stages in order.
//!
//! `templates → discover → read ∥ validate ∥ records → resolve
//! resubmissions → (for each quarter reported, in parallel) aggregate →
//! narrate → compose → typeset → render`. Reading and validating run in parallel,
//! one file per task; everything a file can get wrong is caught as a
//! diagnostic on that file, so the run always reaches its documents.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use tracing::{info, warn};

use crate::aggregate::{self, Scorecard};
use crate::compose::{self, Paper, PlanPaper};
use crate::config::Templates;
use crate::discover;
use crate::improvement::{self, PlanProgress};
use crate::model::returns::{CheckedReturn, ReturnStatus};
use crate::model::workbook::{InputFile, SkippedFile};
use crate::narrative::{self, Narrative};
use crate::period::Period;
use crate::read;
use crate::records::{self, Extract, ExtractStatus};
use crate::render::{self, RenderContext, Renderer};
use crate::typeset::{self, Typeset};
use crate::validate;

/// Where a run reads and writes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub inputs: PathBuf,
    pub templates: PathBuf,
    pub output: PathBuf,
    /// The quarter to report; the latest found when `None`.
    pub period: Option<Period>,
    /// Report every quarter found, each in its own folder (to regenerate
    /// history after a definition changes).
    pub all_periods: bool,
}

/// What a run did, for the summary line and the exit status.
#[derive(Debug)]
pub struct RunReport {
    /// The latest quarter reported.
    pub period: Period,
    /// How many quarters were reported.
    pub periods: usize,
    pub out_dir: PathBuf,
    pub read: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub superseded: usize,
    pub skipped: usize,
    /// Rejected returns for the reported quarter or the history before it:
    /// the ones that leave a gap in the figures reported.
    pub rejected_in_scope: usize,
    /// Services with no accepted return for the reported quarter.
    pub services_missing: Vec<String>,
    pub services_rejected: Vec<String>,
    pub written: Vec<PathBuf>,
    pub seconds: f64,
    /// The reported quarter's extracts in use, in counts: the source
    /// ("SSDA903"), the extract's name, the children in it and the
    /// children left out.
    pub extracts: Vec<(&'static str, String, usize, usize)>,
    /// Extracts refused for the reported quarter or the history before it:
    /// `(source, name, why)`.
    pub refused_extracts: Vec<(&'static str, String, String)>,
}

impl RunReport {
    /// Whether every return was accepted and every service reported.
    pub fn clean(&self) -> bool {
        self.rejected_in_scope == 0
            && self.refused_extracts.is_empty()
            && self.services_missing.is_empty()
            && self.services_rejected.is_empty()
    }
}

/// Returns at or above which a progress bar is shown on a terminal.
const PROGRESS_FROM: usize = 200;

/// Reads and validates returns in parallel, then applies the rules that
/// look across returns: resubmissions, and comparison with the previous
/// quarter. A long run on a terminal shows a progress bar.
pub fn check_returns(templates: &Templates, files: &[InputFile]) -> Vec<CheckedReturn> {
    use indicatif::{ParallelProgressIterator, ProgressBar, ProgressStyle};
    use std::io::IsTerminal;
    let bar = if files.len() >= PROGRESS_FROM && std::io::stderr().is_terminal() {
        ProgressBar::new(files.len() as u64).with_style(
            ProgressStyle::with_template("reading returns {bar:40} {pos}/{len} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    } else {
        ProgressBar::hidden()
    };
    let mut checked: Vec<CheckedReturn> = files
        .par_iter()
        .progress_with(bar.clone())
        .map(|f| check_one(templates, f))
        .collect();
    bar.finish_and_clear();
    cross_check(&mut checked, templates);
    checked
}

/// Reads and validates one file on its own, before the rules that look
/// across returns ([`cross_check`]). `watch` keeps these per file and
/// checks again only the files that change.
pub fn check_one(templates: &Templates, file: &InputFile) -> CheckedReturn {
    validate::validate(read::read_return(file), templates)
}

/// The rules that look across returns, applied to every validated return
/// together: a later resubmission supersedes an earlier one, and figures
/// are compared with the service's previous quarter. `run`, `check` and
/// `watch` all decide through here, so they cannot disagree.
pub fn cross_check(checked: &mut [CheckedReturn], templates: &Templates) {
    validate::resolve_resubmissions(checked);
    validate::compare_with_previous(checked, templates);
}

/// Runs the whole pipeline.
pub fn run(options: &RunOptions) -> anyhow::Result<RunReport> {
    let started = Instant::now();
    let mut clock = Clock::start();
    let templates = Templates::load(&options.templates)?;
    clock.lap("templates");
    let inputs = read_inputs(&templates, &options.inputs, &mut clock)?;
    let periods = periods_to_report(options, &inputs)?;
    let Some(&period) = periods.last() else {
        anyhow::bail!(
            "no return in {} names a quarter, so there is nothing to report. Put the returns in that folder, or name the quarter with --period 2014-15-Q2",
            options.inputs.display()
        );
    };
    // Only the extracts of the quarters reported, and the history before
    // them, are spoken of.
    log_extracts(inputs.extracts.iter().filter(|e| in_scope(e, period)));
    // Every quarter's figures, wording and documents are made before
    // anything is written, so a mistake in report.j2 or a layout stops
    // the run with the previous reports whole.
    let quarters = periods
        .par_iter()
        .map(|&p| Quarter::make(&templates, &inputs, p))
        .collect::<anyhow::Result<Vec<Quarter>>>()?;
    // Quarters are written in parallel, each to its own folder.
    let written = quarters
        .par_iter()
        .map(|q| write_quarter(&templates, &inputs, q, &options.output, &clock.laps))
        .collect::<anyhow::Result<Vec<Vec<PathBuf>>>>()?
        .concat();
    let out_dir = if periods.len() == 1 {
        options.output.join(period.id())
    } else {
        options.output.clone()
    };
    let latest = &quarters[quarters.len() - 1].scorecard;
    let mut report = run_report(&inputs, latest, out_dir, written);
    report.periods = periods.len();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Seconds spent in each stage, in the order they ran.
struct Clock {
    lap: Instant,
    laps: Vec<(String, f64)>,
}

impl Clock {
    fn start() -> Clock {
        Clock {
            lap: Instant::now(),
            laps: Vec::new(),
        }
    }

    /// Ends the stage `name`, which began when the last one ended.
    fn lap(&mut self, name: &str) {
        self.laps
            .push((name.to_string(), self.lap.elapsed().as_secs_f64()));
        self.lap = Instant::now();
    }
}

/// Everything found in `inputs/`, read and checked: the returns, the
/// extracts of children's records, and the files that were neither.
pub struct Inputs {
    pub returns: Vec<CheckedReturn>,
    pub extracts: Vec<Extract>,
    pub skipped: Vec<SkippedFile>,
}

/// Finds, reads and checks every return and extract in `dir`, the
/// extracts beside the returns.
fn read_inputs(templates: &Templates, dir: &Path, clock: &mut Clock) -> anyhow::Result<Inputs> {
    let discovery = discover::discover(dir)?;
    info!(
        returns = discovery.returns.len(),
        skipped = discovery.skipped.len(),
        "found the returns in {}",
        dir.display()
    );
    for s in &discovery.skipped {
        warn!("skipped {}: {}", s.name, s.reason);
    }
    clock.lap("discover");
    let sources = records::group_all(dir, &discovery.extract_files);
    let (mut returns, extracts) = rayon::join(
        || check_returns(templates, &discovery.returns),
        || {
            records::load_all(
                &sources,
                &templates.bank_holidays,
                templates.organisation.child_records,
            )
        },
    );
    records::compare::tell_services(&mut returns, &extracts, templates);
    clock.lap("read and validate");
    log_returns(&returns);
    let mut skipped = discovery.skipped;
    for s in not_extracts(&extracts) {
        warn!("skipped {}: {}", s.name, s.reason);
        skipped.push(s);
    }
    skipped.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Inputs {
        returns,
        extracts,
        skipped,
    })
}

/// The quarters to report: the one asked for, every one found, or the
/// latest found.
fn periods_to_report(options: &RunOptions, inputs: &Inputs) -> anyhow::Result<Vec<Period>> {
    let found = aggregate::periods_found_with(&inputs.returns, &inputs.extracts);
    Ok(match (options.period, options.all_periods) {
        (Some(p), _) => vec![p],
        (None, true) => found,
        (None, false) => found.last().copied().into_iter().collect(),
    })
}

/// Whether an extract belongs to the quarter reported or its history.
fn in_scope(e: &Extract, period: Period) -> bool {
    e.period.is_none_or(|p| p <= period)
}

/// One quarter: its figures and plan progress, and its documents, worded,
/// composed and typeset, before anything is written.
pub struct Quarter {
    pub scorecard: Scorecard,
    pub plan: PlanProgress,
    pub documents: Documents,
    /// Seconds each of its stages took.
    pub laps: Vec<(String, f64)>,
}

impl Quarter {
    fn make(templates: &Templates, inputs: &Inputs, period: Period) -> anyhow::Result<Quarter> {
        let mut clock = Clock::start();
        let scorecard =
            aggregate::aggregate_with(templates, &inputs.returns, &inputs.extracts, period);
        let plan = improvement::progress(templates, &inputs.returns, period);
        clock.lap("aggregate");
        let documents = Documents::make(templates, &scorecard, &plan, &mut clock)?;
        Ok(Quarter {
            scorecard,
            plan,
            documents,
            laps: clock.laps,
        })
    }
}

/// A quarter's documents, before they are written: what `run` writes and
/// what `check` lays out to find a mistake in the templates.
pub struct Documents {
    pub narrative: Narrative,
    pub paper: Paper,
    pub plan_paper: PlanPaper,
    pub typeset: Typeset,
}

impl Documents {
    /// Words, composes and typesets the quarter's documents.
    fn make(
        templates: &Templates,
        scorecard: &Scorecard,
        plan: &PlanProgress,
        clock: &mut Clock,
    ) -> anyhow::Result<Documents> {
        let narrative = narrative::narrate(templates, scorecard, plan)?;
        clock.lap("narrate");
        let sources = compose::Sources {
            templates,
            scorecard,
            plan,
            narrative: &narrative,
        };
        let paper = compose::compose_report(&sources)?;
        let plan_paper = compose::compose_plan(&sources);
        clock.lap("compose");
        let typeset = typeset::typeset(
            templates,
            &paper,
            &plan_paper,
            &scorecard.period.id(),
            compose::document_date(templates, scorecard),
        )?;
        clock.lap("typeset");
        Ok(Documents {
            narrative,
            paper,
            plan_paper,
            typeset,
        })
    }

    /// Lays out every document for a quarter, writing nothing: how
    /// `check` finds a mistake in report.j2 or a layout.
    pub fn lay_out(
        templates: &Templates,
        scorecard: &Scorecard,
        plan: &PlanProgress,
    ) -> anyhow::Result<Documents> {
        Documents::make(templates, scorecard, plan, &mut Clock::start())
    }
}

/// Writes a quarter's folder. One run at a time writes a quarter's
/// folder: a second run waits, so two runs together cannot mix their
/// files.
fn write_quarter(
    templates: &Templates,
    inputs: &Inputs,
    quarter: &Quarter,
    output: &Path,
    laps: &[(String, f64)],
) -> anyhow::Result<Vec<PathBuf>> {
    let out_dir = output.join(quarter.scorecard.period.id());
    let _lock = lock_output(&out_dir)?;
    let mut timings = laps.to_vec();
    timings.extend(quarter.laps.iter().cloned());
    timings.extend(quarter.documents.typeset.timings.iter().cloned());
    render_all(
        &Model {
            templates,
            quarter,
            inputs,
        },
        &out_dir,
        &mut timings,
    )
}

/// What the run did, for the console: counts over every return read, and
/// the latest quarter's picture.
fn run_report(
    inputs: &Inputs,
    latest: &Scorecard,
    out_dir: PathBuf,
    written: Vec<PathBuf>,
) -> RunReport {
    let (returns, extracts, period) = (&inputs.returns, &inputs.extracts, latest.period);
    let count = |f: &dyn Fn(&ReturnStatus) -> bool| returns.iter().filter(|r| f(&r.status)).count();
    RunReport {
        period,
        periods: 1,
        out_dir,
        read: returns.len(),
        accepted: count(&|s| *s == ReturnStatus::Accepted),
        rejected: count(&|s| *s == ReturnStatus::Rejected),
        superseded: count(&|s| matches!(s, ReturnStatus::Superseded { .. })),
        rejected_in_scope: returns
            .iter()
            .filter(|r| r.status == ReturnStatus::Rejected)
            .filter(|r| aggregate::period_of(r).is_none_or(|p| p <= period))
            .count(),
        skipped: inputs.skipped.len(),
        services_missing: latest.returns.missing.clone(),
        services_rejected: latest.returns.rejected.clone(),
        written,
        seconds: 0.0,
        extracts: extracts
            .iter()
            .filter(|e| e.period == Some(period) && e.status == ExtractStatus::Used)
            .map(|e| {
                (
                    e.source.label(),
                    e.name.clone(),
                    e.children,
                    e.left_out.len(),
                )
            })
            .collect(),
        refused_extracts: extracts
            .iter()
            .filter(|e| in_scope(e, period))
            .filter_map(|e| match &e.status {
                ExtractStatus::Refused { because } if e.is_extract() => {
                    Some((e.source.label(), e.name.clone(), because.clone()))
                }
                _ => None,
            })
            .collect(),
    }
}

/// Takes the output folder's lock, waiting for another run to finish with
/// it. Released when the returned file is dropped.
pub fn lock_output(out_dir: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create the output folder {}", out_dir.display()))?;
    let path = out_dir.join(".scorecard.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    if file.try_lock().is_err() {
        warn!(
            "another run is writing {}; waiting for it to finish",
            out_dir.display()
        );
        file.lock()
            .with_context(|| format!("cannot lock {}", path.display()))?;
    }
    Ok(file)
}

/// What the renderers draw from for one quarter.
struct Model<'a> {
    templates: &'a Templates,
    quarter: &'a Quarter,
    inputs: &'a Inputs,
}

fn render_all(
    model: &Model,
    out_dir: &Path,
    timings: &mut Vec<(String, f64)>,
) -> anyhow::Result<Vec<PathBuf>> {
    let (quarter, inputs) = (model.quarter, model.inputs);
    let period = quarter.scorecard.period;
    let context = |timings| RenderContext {
        templates: model.templates,
        scorecard: &quarter.scorecard,
        plan: &quarter.plan,
        narrative: &quarter.documents.narrative,
        paper: &quarter.documents.paper,
        typeset: &quarter.documents.typeset,
        returns: &inputs.returns,
        skipped: &inputs.skipped,
        extracts: &inputs.extracts,
        records: inputs
            .extracts
            .iter()
            .filter(|e| e.period == Some(period) && e.status == ExtractStatus::Used)
            .collect(),
        out_dir,
        timings,
    };
    // Each output is its own set of files: they are written in parallel,
    // then the run record, which lists how long each took.
    let before = timings.clone();
    let outcomes: Vec<(&'static str, f64, anyhow::Result<Vec<PathBuf>>)> = render::all()
        .par_iter()
        .map(|r| {
            let lap = Instant::now();
            let outcome = r.render(&context(&before));
            (r.name(), lap.elapsed().as_secs_f64(), outcome)
        })
        .collect();
    let mut written = Vec::new();
    let mut failures = Vec::new();
    let mut record = |name: &str,
                      seconds: f64,
                      outcome: anyhow::Result<Vec<PathBuf>>,
                      timings: &mut Vec<(String, f64)>| {
        match outcome {
            Ok(files) => {
                for f in &files {
                    info!("wrote {}", f.display());
                }
                written.extend(files);
            }
            Err(e) => failures.push(format!("{name}: {e:#}")),
        }
        timings.push((format!("render {name}"), seconds));
    };
    for (name, seconds, outcome) in outcomes {
        record(name, seconds, outcome, timings);
    }
    let lap = Instant::now();
    let run_record = render::record::RunRecord;
    let outcome = run_record.render(&context(timings));
    record(
        run_record.name(),
        lap.elapsed().as_secs_f64(),
        outcome,
        timings,
    );
    if !failures.is_empty() {
        anyhow::bail!(
            "some outputs could not be written:\n  {}",
            failures.join("\n  ")
        );
    }
    Ok(written)
}

pub fn log_returns(returns: &[CheckedReturn]) {
    for r in returns {
        match &r.status {
            ReturnStatus::Accepted if r.diagnostics.is_empty() => {
                info!("{}: accepted", r.file.name)
            }
            ReturnStatus::Accepted => {
                warn!("{}: accepted with {} warning(s)", r.file.name, r.warnings())
            }
            ReturnStatus::Rejected => warn!(
                "{}: REJECTED with {} error(s) and {} warning(s)",
                r.file.name,
                r.errors(),
                r.warnings()
            ),
            ReturnStatus::Superseded { by } => info!("{}: superseded by {by}", r.file.name),
        }
        for d in &r.diagnostics {
            warn!("  {}: {d}", r.file.name);
        }
    }
}

/// Problems of one extract printed on the console.
const CONSOLE_PROBLEMS: usize = 10;

/// Prints what became of each extract and its problems. The messages
/// never name a child nor quote a value.
fn log_extracts<'a>(extracts: impl Iterator<Item = &'a Extract>) {
    for e in extracts.filter(|e| e.is_extract()) {
        let period = e.period.map(|p| p.label()).unwrap_or_default();
        match &e.status {
            ExtractStatus::Used => info!(
                "{}: {} extract for {period}, {}, {} left out",
                e.name,
                e.source.label(),
                crate::text::count_of(e.children, "child", "children"),
                e.left_out.len()
            ),
            ExtractStatus::Superseded { by } => info!("{}: superseded by {by}", e.name),
            ExtractStatus::Refused { because } => warn!(
                "{}: {} extract REFUSED, so its figures come from the services' returns: {because}",
                e.name,
                e.source.label()
            ),
        }
        // A messy extract can have thousands of problems: the console shows
        // the first few, the feedback file has them all.
        let errors: Vec<_> = e
            .all_problems()
            .into_iter()
            .filter(|p| p.is_error())
            .collect();
        for line in records::summary::problem_lines(&errors)
            .iter()
            .take(CONSOLE_PROBLEMS)
        {
            warn!("  {line}");
        }
        if errors.len() > CONSOLE_PROBLEMS {
            warn!(
                "  … and {} more errors; every problem is listed in the extract's feedback in the quarter's restricted/ folder",
                errors.len() - CONSOLE_PROBLEMS
            );
        }
    }
}

/// CSV and XML files that turned out to hold none of the 903's lists:
/// reported as skipped, like any other file that is not an input.
pub fn not_extracts(extracts: &[Extract]) -> Vec<SkippedFile> {
    extracts
        .iter()
        .filter(|e| !e.is_extract())
        .flat_map(|e| {
            let reason = |name: &str| {
                e.problems
                    .iter()
                    .find(|p| p.file_name() == name)
                    .map_or_else(
                        || "not a list of an SSDA903 extract".to_string(),
                        |p| p.message.clone(),
                    )
            };
            let names: Vec<String> = if e.files.is_empty() {
                vec![e.name.clone()]
            } else {
                e.files.iter().map(|f| f.name.clone()).collect()
            };
            names
                .into_iter()
                .map(move |name| SkippedFile {
                    reason: reason(&name),
                    name,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Makes an [`InputFile`] for a path named on the command line.
pub fn input_file(path: &Path) -> InputFile {
    let name = path.display().to_string();
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let folder_period = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| Period::parse(&n.to_string_lossy()).ok());
    InputFile {
        path: path.to_path_buf(),
        name,
        extension,
        folder_period,
    }
}
