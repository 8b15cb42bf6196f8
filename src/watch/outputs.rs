//! Outputs: the feedback files, the status pages and the log.
//!
//! After each change `watch` writes what `run` would write for the returns
//! (their feedback, the extracts' feedback in restricted/), removes the
//! feedback no return needs any more, rewrites each kept quarter's status
//! page, and says in one log line per file what became of it. A feedback
//! workbook is rewritten only when what it shows changed, as an officer
//! may have it open. The committee documents are never written here.

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::settle::is_extract_file;
use super::{Change, Rechecked, Watch};
use crate::aggregate::{period_of, periods_found_with};
use crate::model::returns::{CheckedReturn, ReturnStatus};
use crate::model::workbook::SkippedFile;
use crate::output::FEEDBACK_FOLDER;
use crate::period::Period;
use crate::pipeline;
use crate::records::{Extract, ExtractStatus};
use crate::render::{feedback, status as status_page};
use crate::status::{is_temporary, ReturnsStatus, ServiceState};

/// What bringing the kept quarters up to date wrote and removed.
pub(super) struct Written {
    /// Each return's feedback written (or kept), by the return's path.
    feedback_of: HashMap<PathBuf, PathBuf>,
    /// Feedback removed, as no return needs it any more.
    removed: Vec<PathBuf>,
    /// Each quarter's status page, and what it shows.
    pages: Vec<(Period, PathBuf, ReturnsStatus)>,
}

/// What bringing one quarter up to date wrote and removed.
struct Synced {
    /// `(return's path, its feedback)` for every return with feedback.
    written: Vec<(PathBuf, PathBuf)>,
    /// Feedback removed.
    gone: Vec<PathBuf>,
    /// The status page.
    page: PathBuf,
    status: ReturnsStatus,
}

impl Watch {
    /// Prints one line of the log, with the time.
    pub(super) fn log(&mut self, line: &str) {
        let now = chrono::Local::now().format("%H:%M:%S");
        let _ = writeln!(self.out, "[{now}] {line}");
        let _ = self.out.flush();
    }

    /// Chooses the quarter served: the one asked for, else the latest in
    /// inputs/, as `run` would report. Said when it moves on.
    pub(super) fn serve(&mut self, returns: &[CheckedReturn]) {
        let served = self.options.period.unwrap_or_else(|| {
            periods_found_with(returns, &self.extracts)
                .last()
                .copied()
                .unwrap_or_else(|| Period::containing(chrono::Local::now().date_naive()).previous())
        });
        if self.served != Some(served) {
            if self.served.is_some() {
                self.log(&format!(
                    "now keeping {}, the latest quarter in {}",
                    served.label(),
                    self.options.inputs.display()
                ));
            }
            self.served = Some(served);
        }
        self.quarters.insert(served);
    }

    /// Keeps, from now on, the quarter of each return a change touched, as
    /// it is now and as it was.
    pub(super) fn keep_quarters_of(&mut self, changes: &[Change], rechecked: &Rechecked) {
        for c in changes {
            let now = rechecked.returns.iter().find(|r| r.file.path == c.path);
            for r in now.into_iter().chain(rechecked.before.get(&c.path)) {
                if let Some(p) = period_of(r) {
                    self.quarters.insert(p);
                }
            }
        }
    }

    /// Brings every kept quarter's feedback and status page up to date; a
    /// quarter that cannot be written is said and the others go on.
    pub(super) fn write_quarters(&mut self, returns: &[CheckedReturn]) -> Written {
        let mut written = Written {
            feedback_of: HashMap::new(),
            removed: Vec::new(),
            pages: Vec::new(),
        };
        let quarters: Vec<Period> = self.quarters.iter().copied().collect();
        for q in quarters {
            let out_dir = self.options.output.join(q.id());
            match self.sync_quarter(q, &out_dir, returns) {
                Ok(synced) => {
                    written.feedback_of.extend(synced.written);
                    written.removed.extend(synced.gone);
                    written.pages.push((q, synced.page, synced.status));
                }
                Err(e) => self.log(&format!(
                    "{}: could not bring the feedback and status page up to date: {e:#}",
                    q.label()
                )),
            }
        }
        written
    }

    /// Writes the feedback `run` would write for quarter `q` (rewriting only
    /// what changed), removes feedback no return needs any more, and
    /// rewrites the status page. Holds the quarter's output lock meanwhile,
    /// so a `run` at the same moment waits.
    fn sync_quarter(
        &mut self,
        q: Period,
        out_dir: &Path,
        returns: &[CheckedReturn],
    ) -> anyhow::Result<Synced> {
        let _lock = pipeline::lock_output(out_dir)?;
        let written = self.write_return_feedback(q, out_dir, returns)?;
        let keep: Vec<PathBuf> = written.iter().map(|(_, fb)| fb.clone()).collect();
        let mut gone = feedback::remove_stale(&out_dir.join(FEEDBACK_FOLDER), &keep)?;
        gone.extend(self.write_extract_feedback(q, out_dir)?);
        for g in &gone {
            self.feedback_written.remove(g);
        }
        let status = self.status_of(q, returns);
        let page = status_page::write(&status, &self.templates, out_dir)?;
        Ok(Synced {
            written,
            gone,
            page,
            status,
        })
    }

    /// Writes the feedback of each return for quarter `q` (or for no
    /// quarter it can tell) that needs it, unless it already shows the
    /// same; `(return's path, its feedback)` for each.
    fn write_return_feedback(
        &mut self,
        q: Period,
        out_dir: &Path,
        returns: &[CheckedReturn],
    ) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
        let mut written = Vec::new();
        for r in returns
            .iter()
            .filter(|r| period_of(r).is_none_or(|p| p == q))
            .filter(|r| r.needs_feedback())
        {
            let path = out_dir.join(FEEDBACK_FOLDER).join(r.feedback_file_name());
            let shows = format!(
                "{:?}|{:?}|{:?}|{}",
                r.status,
                r.diagnostics,
                r.facts.as_ref().map(|f| &f.sha256),
                q.id()
            );
            if self.feedback_written.get(&path) != Some(&shows) || !path.is_file() {
                feedback::write_one(r, &self.templates, q, out_dir)?;
                self.feedback_written.insert(path.clone(), shows);
            }
            written.push((r.file.path.clone(), path));
        }
        Ok(written)
    }

    /// Writes the extracts' feedback for quarter `q` and removes what no
    /// extract needs any more; the feedback removed. It shows values from
    /// children's records, so it goes to restricted/, and is rewritten only
    /// when the extract changed.
    fn write_extract_feedback(
        &mut self,
        q: Period,
        out_dir: &Path,
    ) -> anyhow::Result<Vec<PathBuf>> {
        let mut restricted = Vec::new();
        for e in self
            .extracts
            .iter()
            .filter(|e| e.period.is_none_or(|p| p == q))
            .filter(|e| feedback::extract_needs_feedback(e))
        {
            let path = feedback::extract_feedback_path(out_dir, e);
            let files: Vec<&str> = e.files.iter().map(|f| f.sha256.as_str()).collect();
            let shows = format!("{:?}|{}|{}", e.status, files.join(","), q.id());
            if self.feedback_written.get(&path) != Some(&shows) || !path.is_file() {
                feedback::write_extract(e, &self.templates, out_dir)?;
                self.feedback_written.insert(path.clone(), shows);
            }
            restricted.push(path);
        }
        let folder = out_dir
            .join(crate::render::restricted::RESTRICTED_DIR)
            .join(FEEDBACK_FOLDER);
        feedback::remove_stale(&folder, &restricted)
    }

    /// What quarter `q`'s status page shows.
    fn status_of(&self, q: Period, returns: &[CheckedReturn]) -> ReturnsStatus {
        let mut skipped = self.skipped.clone();
        skipped.extend(pipeline::not_extracts(&self.extracts));
        skipped.sort_by(|a, b| a.name.cmp(&b.name));
        let mut status = ReturnsStatus::build(
            &self.templates,
            returns,
            &self.extracts,
            &skipped,
            q,
            chrono::Local::now(),
        );
        // A file still arriving is listed on its quarter's page, or, when
        // its quarter cannot be told yet, on the page of the quarter served.
        status.arriving = self
            .arriving
            .values()
            .filter(|a| match a.period {
                Some(p) if self.quarters.contains(&p) => p == q,
                _ => self.served == Some(q),
            })
            .map(|a| a.name.clone())
            .collect();
        status
    }

    /// Notes the files in inputs/ that are neither returns nor extracts,
    /// saying each one newly found (not the temporary files of an open
    /// workbook or a copy); whether the list the pages show changed.
    pub(super) fn note_skipped(&mut self, skipped: Vec<SkippedFile>) -> bool {
        let shown = |s: &[SkippedFile]| -> BTreeSet<String> {
            s.iter()
                .filter(|f| !is_temporary(&f.name))
                .map(|f| format!("{}: {}", f.name, f.reason))
                .collect()
        };
        let before = shown(&self.skipped);
        let after = shown(&skipped);
        for line in after.difference(&before) {
            self.log(&format!("{line} (not read)"));
        }
        self.skipped = skipped;
        before != after
    }

    /// The first look, in one line, and the files found still arriving.
    pub(super) fn log_first_look(&mut self, rechecked: &Rechecked, started: Instant) {
        self.log(&format!(
            "{} returns in {} checked in {:.2}s",
            rechecked.returns.len(),
            self.options.inputs.display(),
            started.elapsed().as_secs_f64()
        ));
        for line in &rechecked.arrived {
            self.log(line);
        }
    }

    /// A line for each extract whose outcome changed, each file found still
    /// arriving, each change judged, and each return whose outcome a change
    /// decided too: the one a resubmission supersedes, or brings back.
    pub(super) fn log_changes(
        &mut self,
        changes: &[Change],
        rechecked: &Rechecked,
        written: &Written,
        started: Instant,
    ) {
        for line in rechecked.extracts.iter().chain(&rechecked.arrived) {
            self.log(line);
        }
        for c in changes.iter().filter(|c| !is_extract_file(&c.path)) {
            let line = self.describe(c, rechecked, written);
            self.log(&line);
            // -v: each problem as well, as `check` prints them.
            for r in rechecked.returns.iter().filter(|r| r.file.path == c.path) {
                for d in &r.diagnostics {
                    tracing::info!("  {}: {d}", r.file.name);
                }
            }
        }
        let knock_on: Vec<Change> = rechecked
            .returns
            .iter()
            .filter(|r| !changes.iter().any(|c| c.path == r.file.path))
            .filter(|r| {
                rechecked.before.get(&r.file.path).is_some_and(|b| {
                    b.status != r.status || b.diagnostics.len() != r.diagnostics.len()
                })
            })
            .map(|r| Change {
                path: r.file.path.clone(),
                stamp: None,
                settled: started,
                changed: None,
            })
            .collect();
        for c in &knock_on {
            let line = self.describe(c, rechecked, written);
            self.log(&format!("{line} (as a result)"));
        }
    }

    /// A line for each status page the changes touched, with its counts:
    /// the quarter served's, and any other quarter a change belongs to.
    /// After the first look, nothing when no file changed; `took` since the
    /// first file settled.
    pub(super) fn log_pages(
        &mut self,
        changes: &[Change],
        rechecked: &Rechecked,
        written: &Written,
        took: Duration,
        quietly: bool,
    ) {
        if !quietly && changes.is_empty() {
            return;
        }
        for (q, page, status) in &written.pages {
            if self.served != Some(*q)
                && !changes.iter().any(|c| {
                    rechecked
                        .returns
                        .iter()
                        .chain(rechecked.before.values())
                        .any(|r| r.file.path == c.path && period_of(r) == Some(*q))
                })
            {
                continue;
            }
            let after = if quietly {
                String::new()
            } else {
                format!(" ({:.3}s after the file settled)", took.as_secs_f64())
            };
            let line = format!(
                "{}: {} of {} services accepted ({} with warnings), {} rejected, {} nothing yet; {}{after}",
                q.label(),
                status.count(ServiceState::Accepted) + status.count(ServiceState::AcceptedWithWarnings),
                status.services.len(),
                status.count(ServiceState::AcceptedWithWarnings),
                status.count(ServiceState::Rejected),
                status.count(ServiceState::NothingYet),
                page.display(),
            );
            self.log(&line);
        }
    }

    /// The log line for one change.
    fn describe(&self, c: &Change, rechecked: &Rechecked, written: &Written) -> String {
        let before = &rechecked.before;
        let Some(r) = rechecked.returns.iter().find(|r| r.file.path == c.path) else {
            return self.describe_removal(c, before, &written.removed);
        };
        let what = match &r.status {
            ReturnStatus::Accepted if r.diagnostics.is_empty() => "accepted".to_string(),
            ReturnStatus::Accepted => format!("accepted with {} warning(s)", r.warnings()),
            ReturnStatus::Rejected => format!(
                "REJECTED with {} error(s) and {} warning(s)",
                r.errors(),
                r.warnings()
            ),
            ReturnStatus::Superseded { by } => format!("superseded by {by}"),
        };
        let whose = match (&r.service, period_of(r)) {
            (Some(s), Some(p)) => format!(" ({s}, {})", p.label()),
            (Some(s), None) => format!(" ({s})"),
            (None, Some(p)) => format!(" ({})", p.label()),
            (None, None) => String::new(),
        };
        let fb = match written.feedback_of.get(&c.path) {
            Some(path) => format!("feedback in {}", path.display()),
            None => match removed_feedback(before.get(&c.path), &written.removed) {
                Some(f) => format!("no feedback needed; the old feedback {f} removed"),
                None => "no feedback needed".to_string(),
            },
        };
        let mut line = format!("{}: {what}{whose}; {fb}", r.file.name);
        if let (Some(p), Some(served)) = (period_of(r), self.served) {
            if p != served {
                line.push_str(&format!(
                    " (a return for {}, not {}: its status page is output/{}/returns.html)",
                    p.label(),
                    served.label(),
                    p.id()
                ));
            }
        }
        line
    }

    /// The log line for a file taken out of inputs/, naming the feedback
    /// removed with it.
    fn describe_removal(
        &self,
        c: &Change,
        before: &HashMap<PathBuf, CheckedReturn>,
        removed: &[PathBuf],
    ) -> String {
        let name = before
            .get(&c.path)
            .map(|r| r.file.name.clone())
            .unwrap_or_else(|| {
                let below = c.path.strip_prefix(&self.options.inputs).unwrap_or(&c.path);
                below.to_string_lossy().replace('\\', "/")
            });
        match removed_feedback(before.get(&c.path), removed) {
            Some(f) => format!("{name}: taken out of the inputs folder; its feedback {f} removed"),
            None => format!("{name}: taken out of the inputs folder"),
        }
    }
}

/// The name of the feedback a return had, when it was removed just now.
fn removed_feedback(had: Option<&CheckedReturn>, removed: &[PathBuf]) -> Option<String> {
    had.map(CheckedReturn::feedback_file_name).filter(|f| {
        removed
            .iter()
            .any(|p| p.file_name().is_some_and(|n| n == f.as_str()))
    })
}

/// A log line for each extract in `after` whose outcome is not as it was
/// in `before`.
pub(super) fn extract_lines(before: &[Extract], after: &[Extract]) -> Vec<String> {
    let before: BTreeSet<String> = before.iter().map(extract_line).collect();
    after
        .iter()
        .map(extract_line)
        .filter(|l| !before.contains(l))
        .collect()
}

/// What became of an extract, in one line: used with its counts,
/// superseded, refused and why, or not an extract at all.
fn extract_line(e: &Extract) -> String {
    let period = e
        .period
        .map_or_else(|| "no quarter".to_string(), |p| p.label());
    match &e.status {
        _ if !e.is_extract() => pipeline::not_extracts(std::slice::from_ref(e))
            .iter()
            .map(|f| format!("{}: {} (not read)", f.name, f.reason))
            .collect::<Vec<_>>()
            .join("; "),
        ExtractStatus::Used => format!(
            "{}: {} extract for {period}, {}, {} left out, {} problem(s)",
            e.name,
            e.source.label(),
            crate::text::count_of(e.children, "child", "children"),
            e.left_out.len(),
            e.all_problems().len()
        ),
        ExtractStatus::Superseded { by } => {
            format!(
                "{}: {} extract for {period}, superseded by {by}",
                e.name,
                e.source.label()
            )
        }
        ExtractStatus::Refused { because } => format!(
            "{}: {} extract for {period} REFUSED, so its figures come from the services' returns: {because}; {} problem(s) in its feedback in restricted/",
            e.name,
            e.source.label(),
            e.all_problems().len()
        ),
    }
}
