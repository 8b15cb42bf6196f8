//! `scorecard watch`: checks each return as it arrives in `inputs/`.
//!
//! Officers drop their returns in the fortnight before the deadline. This
//! keeps, for as long as it runs, each return's feedback and the quarter's
//! status page (`returns.html`) up to date, so that an officer learns at
//! once what is wrong with a return and the performance officer sees who
//! has sent what. It never writes the committee documents: that stays the
//! quarterly `run`.
//!
//! ```text
//!  notify (inotify, or polling on a network share)
//!        │ "something changed"
//!        ▼
//!  rescan inputs/ ──► pending (size + modified time per file)
//!                        │ unchanged for the settle time, and readable to the end
//!                        ▼
//!  read ∥ validate the changed files (the rest from the cache)
//!        │ cut short and changed less than a minute ago, or changed while read:
//!        │ still arriving (settle.rs): not judged, its last whole reading
//!        │ stands; read again when it settles again or the minute has passed
//!        ▼
//!  pipeline::cross_check over all (resubmissions, previous quarter)
//!        ──► SSDA903 extracts read again when one of their files changed
//!            (one with a file still arriving keeps its last reading),
//!            and each service's figure compared with the extract's
//!        ──► feedback written or removed, status page rewritten with the
//!            files still arriving, one log line each
//! ```
//!
//! Every return is decided by the same code as `run` (the read, validate
//! and cross-return rules of [`pipeline`]), over every return in `inputs/`,
//! so a resubmission supersedes an earlier return here exactly as it will in
//! the run. Only files that changed are read again. A copy over a loaded
//! share stalls between its blocks for longer than the settle time, so a
//! file that reads as cut short just after it changed is taken to be still
//! arriving, not damaged (`settle.rs`). Only one watch runs on an inputs
//! folder: a second is refused when it starts (`lock.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use rayon::prelude::*;

use crate::aggregate::{period_of, periods_found_with};
use crate::config::Templates;
use crate::discover;
use crate::model::returns::{CheckedReturn, ReturnStatus};
use crate::model::workbook::{InputFile, SkippedFile};
use crate::period::Period;
use crate::pipeline;
use crate::records::{self, Extract, ExtractSource, ExtractStatus};
use crate::render::{feedback, status as status_page};
use crate::status::{is_temporary, ReturnsStatus, ServiceState};

mod lock;
mod settle;

use lock::{InputsLock, NotTaken};
use settle::{stamp, Arrival, Arriving, Pending, Stamp};
pub use settle::{ARRIVAL_WINDOW, SETTLE};

/// How often pending files are looked at again while they settle.
const TICK: Duration = Duration::from_millis(100);
/// How often inputs/ is looked over with no event at all, in case an event
/// was lost (an overflowing inotify queue, a folder made and filled before
/// its watch was added, a share that sends none). A look is a walk of the
/// folder and a stat of each file: a millisecond or two.
const RESCAN: Duration = Duration::from_secs(2);

/// What `watch` watches and where it writes.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub inputs: PathBuf,
    pub templates: PathBuf,
    pub output: PathBuf,
    /// The quarter whose status page is kept; the latest in inputs/ when
    /// `None`.
    pub period: Option<Period>,
    /// Poll every so often instead of waiting for events; chosen by itself
    /// for a network share.
    pub poll: Option<Duration>,
    /// Poll interval when polling is chosen for a network share.
    pub poll_interval: Duration,
}

/// What wakes the loop.
#[derive(Debug)]
pub enum Wake {
    /// Something changed under inputs/ (or may have).
    Inputs,
    /// A template file changed.
    Templates,
    /// Ctrl-C, SIGTERM or SIGHUP: finish what is being written and stop.
    Stop,
}

/// A change ready to act on.
#[derive(Debug)]
struct Change {
    path: PathBuf,
    /// `None`: the file was removed.
    stamp: Option<Stamp>,
    /// When it was found settled.
    settled: Instant,
    /// When `watch` last saw it change; `None` for a file already there
    /// when it started.
    changed: Option<Instant>,
}

/// The state kept between changes.
pub struct Watch {
    options: WatchOptions,
    templates: Templates,
    /// Each return's checks on its own (before the rules across returns),
    /// by path, with the stamp it was read at.
    cache: HashMap<PathBuf, (Stamp, CheckedReturn)>,
    /// Files as last acted on.
    known: BTreeMap<PathBuf, Stamp>,
    pending: BTreeMap<PathBuf, Pending>,
    /// Files read while still being copied: not judged, and nothing written
    /// or removed for them, until they settle again or their window passes.
    arriving: BTreeMap<PathBuf, Arriving>,
    files: Vec<InputFile>,
    skipped: Vec<SkippedFile>,
    /// The CSV and XML files in inputs/, `(path, name)`: SSDA903 lists.
    extract_files: Vec<(PathBuf, String)>,
    /// The extracts as last read, from the settled extract files.
    extracts: Vec<Extract>,
    /// Each extract's last reading from whole files, by name, before the
    /// rule between two extracts for one quarter: an extract with a file
    /// still arriving keeps it.
    extracts_read: BTreeMap<String, Extract>,
    /// The extracts have not been read since the session started.
    extracts_unread: bool,
    /// Every return after the rules across returns, as last decided.
    returns: Vec<CheckedReturn>,
    /// Quarters whose feedback and status page this session keeps.
    quarters: BTreeSet<Period>,
    served: Option<Period>,
    /// What each feedback workbook written shows, so that an unchanged one
    /// is not rewritten (an officer may have it open).
    feedback_written: HashMap<PathBuf, String>,
    templates_changed: Option<Instant>,
    /// The inputs folder could not be listed at the last look.
    inputs_unreadable: bool,
    /// Keeps a second watch off the same inputs folder while this lives;
    /// `Err`: why it cannot here, said when watching starts.
    lock: Result<InputsLock, String>,
    out: Box<dyn std::io::Write + Send>,
}

impl Watch {
    /// Loads the templates and looks at inputs/ for the first time.
    pub fn new(options: WatchOptions) -> anyhow::Result<Watch> {
        let templates = Templates::load(&options.templates)?;
        if !options.inputs.is_dir() {
            anyhow::bail!(
                "the inputs folder {} does not exist; create it (officers drop their returns there), or name another with --inputs",
                options.inputs.display()
            );
        }
        let absolute = |p: &Path| {
            std::path::absolute(p)
                .map(|a| a.components().collect::<PathBuf>())
                .unwrap_or_else(|_| p.to_path_buf())
        };
        if absolute(&options.output).starts_with(absolute(&options.inputs)) {
            anyhow::bail!(
                "the output folder {} is inside the inputs folder {}: the feedback written would be read as returns. Name an output folder outside it with --output",
                options.output.display(),
                options.inputs.display()
            );
        }
        let canonical = options
            .inputs
            .canonicalize()
            .with_context(|| format!("cannot look in {}", options.inputs.display()))?;
        let lock = match InputsLock::take(&canonical) {
            Ok(lock) => Ok(lock),
            Err(NotTaken::Watched { pid }) => {
                let who = pid.map_or_else(
                    || "another scorecard watch".to_string(),
                    |pid| format!("another scorecard watch (process {pid})"),
                );
                anyhow::bail!(
                    "{who} is already watching the inputs folder {}: two would write the same feedback and status pages. Stop it first, or use that one",
                    options.inputs.display()
                );
            }
            Err(NotTaken::Unavailable(why)) => Err(why),
        };
        Ok(Watch {
            options,
            templates,
            cache: HashMap::new(),
            known: BTreeMap::new(),
            pending: BTreeMap::new(),
            arriving: BTreeMap::new(),
            files: Vec::new(),
            skipped: Vec::new(),
            extract_files: Vec::new(),
            extracts: Vec::new(),
            extracts_read: BTreeMap::new(),
            extracts_unread: true,
            returns: Vec::new(),
            quarters: BTreeSet::new(),
            served: None,
            feedback_written: HashMap::new(),
            templates_changed: None,
            inputs_unreadable: false,
            lock,
            out: Box::new(std::io::stdout()),
        })
    }

    /// Prints one line of the log, with the time.
    fn log(&mut self, line: &str) {
        let now = chrono::Local::now().format("%H:%M:%S");
        let _ = writeln!(self.out, "[{now}] {line}");
        let _ = self.out.flush();
    }

    /// Runs until `Wake::Stop` arrives (or every sender is gone). Returns
    /// once everything being written is in place.
    pub fn run(&mut self, wake: Sender<Wake>, wakes: Receiver<Wake>) -> anyhow::Result<()> {
        let _watchers = self.start_watching(wake)?;
        self.scan();
        let everything: Vec<Change> = self
            .pending
            .keys()
            .map(|p| Change {
                path: p.clone(),
                stamp: stamp(p),
                settled: Instant::now(),
                changed: None,
            })
            .collect();
        self.pending.clear();
        self.update(everything, true);
        loop {
            let mut timeout = if self.pending.is_empty() && self.templates_changed.is_none() {
                RESCAN
            } else {
                TICK
            };
            // Woken when the first file still arriving is due to be judged.
            if let Some(due) = self.next_due() {
                timeout = timeout.min(due.saturating_duration_since(Instant::now()));
            }
            match wakes.recv_timeout(timeout) {
                Ok(Wake::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(Wake::Templates) => {
                    self.templates_changed = Some(Instant::now());
                }
                Ok(Wake::Inputs) | Err(RecvTimeoutError::Timeout) => {}
            }
            // Many events arrive together: take them all, then look once.
            let mut stop = false;
            while let Ok(w) = wakes.try_recv() {
                match w {
                    Wake::Stop => stop = true,
                    Wake::Templates => self.templates_changed = Some(Instant::now()),
                    Wake::Inputs => {}
                }
            }
            if stop {
                break;
            }
            if self
                .templates_changed
                .is_some_and(|t| t.elapsed() >= SETTLE)
            {
                self.templates_changed = None;
                self.reload_templates();
            }
            self.scan();
            let mut settled = self.take_overdue();
            settled.extend(self.take_settled());
            if !settled.is_empty() {
                self.update(settled, false);
            }
        }
        self.log("stopped; every file written is complete");
        Ok(())
    }

    /// Starts the watcher on inputs/ (with sub-folders) and templates/:
    /// events where the system gives them, polling on a network share or
    /// when asked.
    fn start_watching(
        &mut self,
        wake: Sender<Wake>,
    ) -> anyhow::Result<Vec<Box<dyn notify::Watcher>>> {
        let inputs = self
            .options
            .inputs
            .canonicalize()
            .unwrap_or_else(|_| self.options.inputs.clone());
        let templates = self
            .options
            .templates
            .canonicalize()
            .unwrap_or_else(|_| self.options.templates.clone());
        let share = network_filesystem(&inputs);
        let poll = self
            .options
            .poll
            .or_else(|| share.as_ref().map(|_| self.options.poll_interval));
        let handler = {
            let templates = templates.clone();
            move |event: notify::Result<notify::Event>| {
                let message = match event {
                    // Opening and reading change nothing, and watch's own
                    // looks (listing a folder is opening it) would otherwise
                    // wake it again without end.
                    Ok(e) if e.kind.is_access() => return,
                    Ok(e) if e.paths.iter().any(|p| p.starts_with(&templates)) => Wake::Templates,
                    _ => Wake::Inputs,
                };
                let _ = wake.send(message);
            }
        };
        let mut watchers: Vec<Box<dyn notify::Watcher>> = Vec::new();
        let how = match poll {
            None => match notify::recommended_watcher(handler.clone()) {
                Ok(w) => {
                    watchers.push(Box::new(w));
                    "as files change".to_string()
                }
                Err(e) => {
                    let every = self.options.poll_interval;
                    watchers.push(Box::new(poll_watcher(handler, every)?));
                    format!(
                        "by looking every {}s (file events are not available here: {e})",
                        every.as_secs_f64()
                    )
                }
            },
            Some(every) => {
                watchers.push(Box::new(poll_watcher(handler, every)?));
                match &share {
                    Some(kind) if self.options.poll.is_none() => format!(
                        "by looking every {}s, as {} is on a network share ({kind})",
                        every.as_secs_f64(),
                        self.options.inputs.display()
                    ),
                    _ => format!("by looking every {}s", every.as_secs_f64()),
                }
            }
        };
        for w in &mut watchers {
            w.watch(&inputs, notify::RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", inputs.display()))?;
            if let Err(e) = w.watch(&templates, notify::RecursiveMode::NonRecursive) {
                self.log(&format!(
                    "cannot watch {} ({e}); restart watch after changing the templates",
                    templates.display()
                ));
            }
        }
        self.log(&format!(
            "watching {} and its sub-folders {how}; Ctrl-C stops",
            self.options.inputs.display()
        ));
        if let Err(why) = &self.lock {
            let line = format!(
                "a second watch on this folder cannot be kept off here ({why}); start only one"
            );
            self.log(&line);
        }
        Ok(watchers)
    }

    /// Looks over inputs/ and notes every return that is new, changed or
    /// gone since it was last acted on.
    fn scan(&mut self) {
        let found = match discover::discover(&self.options.inputs) {
            Ok(found) => {
                if std::mem::take(&mut self.inputs_unreadable) {
                    self.log("the inputs folder can be read again");
                }
                found
            }
            Err(e) => {
                // Said once, not at every look, until it can be read again.
                if !std::mem::replace(&mut self.inputs_unreadable, true) {
                    self.log(&format!(
                        "cannot look in the inputs folder ({e:#}); the feedback and pages stay as they were until it can be read"
                    ));
                }
                return;
            }
        };
        let now = Instant::now();
        let mut seen = BTreeSet::new();
        let paths = found
            .returns
            .iter()
            .map(|f| &f.path)
            .chain(found.extract_files.iter().map(|(p, _)| p));
        for path in paths {
            seen.insert(path.clone());
            let now_stamp = stamp(path);
            if now_stamp.is_some() && self.known.get(path).copied() == now_stamp {
                self.pending.remove(path);
                continue;
            }
            match self.pending.get_mut(path) {
                Some(p) if p.stamp == now_stamp => {}
                Some(p) => {
                    p.stamp = now_stamp;
                    p.since = now;
                }
                None => {
                    self.pending.insert(
                        path.clone(),
                        Pending {
                            stamp: now_stamp,
                            since: now,
                        },
                    );
                }
            }
        }
        // A return taken away needs no settling.
        let gone: Vec<PathBuf> = self
            .known
            .keys()
            .filter(|p| !seen.contains(*p))
            .cloned()
            .collect();
        for path in gone {
            self.pending.entry(path).or_insert(Pending {
                stamp: None,
                since: now.checked_sub(SETTLE).unwrap_or(now),
            });
        }
        self.pending
            .retain(|p, pending| seen.contains(p) || pending.stamp.is_none());
        let shown = |s: &[SkippedFile]| -> BTreeSet<String> {
            s.iter()
                .filter(|f| !is_temporary(&f.name))
                .map(|f| format!("{}: {}", f.name, f.reason))
                .collect()
        };
        let before = shown(&self.skipped);
        let after = shown(&found.skipped);
        let new_skipped: Vec<String> = after.difference(&before).cloned().collect();
        for line in &new_skipped {
            self.log(&format!("{line} (not read)"));
        }
        self.files = found.returns;
        self.extract_files = found.extract_files;
        let skipped_changed = before != after;
        self.skipped = found.skipped;
        if skipped_changed && self.pending.is_empty() && self.served.is_some() {
            // Only the list of other files changed: the pages show it.
            self.update(Vec::new(), false);
        }
    }

    fn reload_templates(&mut self) {
        match Templates::load(&self.options.templates) {
            Ok(t) => {
                self.templates = t;
                // A file still arriving keeps its last whole reading until
                // it is whole again.
                let arriving = &self.arriving;
                self.cache.retain(|p, _| arriving.contains_key(p));
                self.feedback_written.clear();
                self.log("the templates changed: every return checked again");
                // Everything already acted on; files still settling wait.
                let all: Vec<Change> = self
                    .files
                    .iter()
                    .filter(|f| self.known.contains_key(&f.path))
                    .map(|f| Change {
                        path: f.path.clone(),
                        stamp: stamp(&f.path),
                        settled: Instant::now(),
                        changed: self.arriving.get(&f.path).map(|a| a.since),
                    })
                    .collect();
                self.update(all, true);
            }
            Err(e) => self.log(&format!(
                "the templates changed but cannot be used, so the previous ones still apply: {e}"
            )),
        }
    }

    /// Acts on settled changes: checks the changed returns, applies the
    /// rules across all returns, and brings feedback and status pages up
    /// to date. `quietly`: the first look, logged as one summary.
    fn update(&mut self, changes: Vec<Change>, quietly: bool) {
        let started = Instant::now();
        let earliest = changes.iter().map(|c| c.settled).min();
        // A file still arriving that changed again, or whose window has
        // passed, is read again below and decided afresh.
        let was_arriving: BTreeMap<PathBuf, Arriving> = changes
            .iter()
            .filter_map(|c| self.arriving.remove_entry(&c.path))
            .collect();
        for c in &changes {
            match c.stamp {
                Some(s) => {
                    self.known.insert(c.path.clone(), s);
                }
                None => {
                    self.known.remove(&c.path);
                    self.cache.remove(&c.path);
                }
            }
        }
        // Read and validate what changed, in parallel; the rest is cached.
        // A file not yet known is still settling: it is left out until it
        // has, never read half-written. A file still arriving waits for its
        // next change or the end of its window.
        let stale: Vec<&InputFile> = self
            .files
            .iter()
            .filter(|f| !self.arriving.contains_key(&f.path))
            .filter(
                |f| match (self.cache.get(&f.path), self.known.get(&f.path)) {
                    (Some((cached, _)), Some(known)) => cached != known,
                    (None, Some(_)) => true,
                    (_, None) => false,
                },
            )
            .collect();
        type Fresh = (PathBuf, Option<Stamp>, Option<Stamp>, CheckedReturn);
        let fresh: Vec<Fresh> = stale
            .par_iter()
            .map(|f| {
                // Stamped before and after reading: a file that changed
                // meanwhile is still being written, and what was read is
                // not the file.
                let at = stamp(&f.path);
                let checked = pipeline::check_one(&self.templates, f);
                (f.path.clone(), at, stamp(&f.path), checked)
            })
            .collect();
        let (now, wall_now) = (Instant::now(), SystemTime::now());
        let mut arrived: Vec<String> = Vec::new();
        for (path, at, after, checked) in fresh {
            // Gone meanwhile: the next look says so.
            let Some(at) = at else { continue };
            self.known.insert(path.clone(), at);
            let cut_short = settle::return_cut_short(&checked);
            let arrival =
                settle::arrival_of(&path, Some(at), after, cut_short, &changes, now, wall_now);
            match arrival {
                Arrival::Judge => {
                    self.cache.insert(path, (at, checked));
                }
                Arrival::StillArriving { since } => {
                    // Its last whole reading, if any, stands meanwhile:
                    // its feedback is neither written nor removed.
                    if !was_arriving.contains_key(&path) {
                        arrived.push(format!(
                            "{}: still arriving (not whole yet); checked again when the copy has finished",
                            checked.file.name
                        ));
                    }
                    let period = self.cache.get(&path).and_then(|(_, r)| period_of(r));
                    self.arriving.insert(
                        path,
                        Arriving {
                            name: checked.file.name.clone(),
                            since,
                            period,
                        },
                    );
                }
            }
        }
        let before: HashMap<PathBuf, CheckedReturn> = self
            .returns
            .drain(..)
            .map(|r| (r.file.path.clone(), r))
            .collect();
        let mut returns: Vec<CheckedReturn> = self
            .files
            .iter()
            .filter(|f| self.known.contains_key(&f.path))
            .filter_map(|f| self.cache.get(&f.path).map(|(_, r)| r.clone()))
            .collect();
        pipeline::cross_check(&mut returns, &self.templates);
        let extracts_changed = self.read_extracts_if_changed(&changes, &was_arriving, &mut arrived);
        // The changes judged now; the rest are still arriving.
        let changes: Vec<Change> = changes
            .into_iter()
            .filter(|c| !self.arriving.contains_key(&c.path))
            .collect();
        records::compare::tell_services(&mut returns, &self.extracts, &self.templates);

        // The quarter served follows the latest in inputs/, as `run` would report.
        let served = self.options.period.unwrap_or_else(|| {
            periods_found_with(&returns, &self.extracts)
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
        // The first look keeps only the quarter served; after that, each
        // quarter a change touches is kept too.
        for c in changes.iter().filter(|_| !quietly) {
            let now = returns.iter().find(|r| r.file.path == c.path);
            for r in now.into_iter().chain(before.get(&c.path)) {
                if let Some(p) = period_of(r) {
                    self.quarters.insert(p);
                }
            }
        }

        // Feedback and pages, quarter by quarter.
        let mut feedback_of: HashMap<PathBuf, PathBuf> = HashMap::new();
        let mut removed: Vec<PathBuf> = Vec::new();
        let mut pages: Vec<(Period, PathBuf, ReturnsStatus)> = Vec::new();
        let quarters: Vec<Period> = self.quarters.iter().copied().collect();
        for q in quarters {
            let out_dir = self.options.output.join(q.id());
            match self.sync_quarter(q, &out_dir, &returns) {
                Ok((written, gone, page, status)) => {
                    for (path, fb) in written {
                        feedback_of.insert(path, fb);
                    }
                    removed.extend(gone);
                    pages.push((q, page, status));
                }
                Err(e) => self.log(&format!(
                    "{}: could not bring the feedback and status page up to date: {e:#}",
                    q.label()
                )),
            }
        }
        let took = earliest.map(|t| t.elapsed()).unwrap_or(started.elapsed());

        if quietly {
            self.log(&format!(
                "{} returns in {} checked in {:.2}s",
                returns.len(),
                self.options.inputs.display(),
                started.elapsed().as_secs_f64()
            ));
            for line in &arrived {
                self.log(line);
            }
        } else {
            for line in extracts_changed.iter().chain(&arrived) {
                self.log(line);
            }
            for c in changes.iter().filter(|c| !Self::is_extract_file(&c.path)) {
                let line = self.describe(c, &returns, &before, &feedback_of, &removed);
                self.log(&line);
                // -v: each problem as well, as `check` prints them.
                for r in returns.iter().filter(|r| r.file.path == c.path) {
                    for d in &r.diagnostics {
                        tracing::info!("  {}: {d}", r.file.name);
                    }
                }
            }
            // Returns whose outcome a change decided too: the one a
            // resubmission supersedes, or brings back.
            let knock_on: Vec<Change> = returns
                .iter()
                .filter(|r| !changes.iter().any(|c| c.path == r.file.path))
                .filter(|r| {
                    before.get(&r.file.path).is_some_and(|b| {
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
                let line = self.describe(c, &returns, &before, &feedback_of, &removed);
                self.log(&format!("{line} (as a result)"));
            }
        }
        for (q, page, status) in &pages {
            if !quietly && changes.is_empty() {
                continue;
            }
            if *q != served
                && !changes.iter().any(|c| {
                    returns
                        .iter()
                        .chain(before.values())
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
        self.returns = returns;
    }

    /// Writes the feedback `run` would write for quarter `q` (rewriting only
    /// what changed), removes feedback no return needs any more, and
    /// rewrites the status page. Holds the quarter's output lock meanwhile,
    /// so a `run` at the same moment waits.
    #[allow(clippy::type_complexity)]
    fn sync_quarter(
        &mut self,
        q: Period,
        out_dir: &Path,
        returns: &[CheckedReturn],
    ) -> anyhow::Result<(
        Vec<(PathBuf, PathBuf)>,
        Vec<PathBuf>,
        PathBuf,
        ReturnsStatus,
    )> {
        let _lock = pipeline::lock_output(out_dir)?;
        let mut keep = Vec::new();
        let mut written = Vec::new();
        for r in returns
            .iter()
            .filter(|r| period_of(r).is_none_or(|p| p == q))
            .filter(|r| feedback::needs_feedback(r))
        {
            let path = out_dir.join(feedback::FOLDER).join(feedback::file_name(r));
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
            written.push((r.file.path.clone(), path.clone()));
            keep.push(path);
        }
        let mut gone = feedback::remove_stale(&out_dir.join(feedback::FOLDER), &keep)?;
        // The extracts' feedback shows values from children's records: it
        // goes to restricted/, rewritten only when the extract changed.
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
            .join(feedback::FOLDER);
        gone.extend(feedback::remove_stale(&folder, &restricted)?);
        for g in &gone {
            self.feedback_written.remove(g);
        }
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
        let page = status_page::write(&status, &self.templates, out_dir)?;
        Ok((written, gone, page, status))
    }

    /// A CSV or XML file: a list of an SSDA903 extract, there or taken away.
    fn is_extract_file(path: &Path) -> bool {
        path.extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .is_some_and(|e| discover::EXTRACT_EXTENSIONS.contains(&e.as_str()))
    }

    /// Reads the SSDA903 extracts again, from their settled files, when one
    /// of their files changed (or at the first look); returns a log line
    /// for each extract whose outcome changed, and adds one to `arrived`
    /// for each file newly found still arriving.
    ///
    /// An extract is used whole or not at all, so one with a file still
    /// arriving is not read with that file half there: it keeps its last
    /// reading from whole files (or stays absent) until the file is whole,
    /// or its window has passed and it is judged as `run` would judge it.
    fn read_extracts_if_changed(
        &mut self,
        changes: &[Change],
        was_arriving: &BTreeMap<PathBuf, Arriving>,
        arrived: &mut Vec<String>,
    ) -> Vec<String> {
        let touched = changes.iter().any(|c| Self::is_extract_file(&c.path));
        if !touched && !std::mem::take(&mut self.extracts_unread) {
            return Vec::new();
        }
        let settled: Vec<(PathBuf, String)> = self
            .extract_files
            .iter()
            .filter(|(p, _)| self.known.contains_key(p))
            .cloned()
            .collect();
        let sources = records::group_all(&self.options.inputs, &settled);
        let (held, to_read): (Vec<&ExtractSource>, Vec<&ExtractSource>) = sources
            .iter()
            .partition(|s| s.files.iter().any(|(p, _)| self.arriving.contains_key(p)));
        // A file of a held extract that was arriving and changed again is
        // not read yet either: it stays arriving, from its latest change.
        for (path, _) in held.iter().flat_map(|s| &s.files) {
            if let Some(was) = was_arriving.get(path) {
                let since = changes
                    .iter()
                    .find(|c| &c.path == path)
                    .and_then(|c| c.changed)
                    .unwrap_or(was.since);
                self.arriving.insert(
                    path.clone(),
                    Arriving {
                        since,
                        ..was.clone()
                    },
                );
            }
        }
        let (holidays, rules) = (
            &self.templates.bank_holidays,
            self.templates.organisation.child_records,
        );
        // An extract as read, with its files' stamps before and after.
        type Read = (Vec<Option<Stamp>>, Option<Extract>, Vec<Option<Stamp>>);
        let readings: Vec<Read> = to_read
            .par_iter()
            .map(|s| {
                let stamps = || s.files.iter().map(|(p, _)| stamp(p)).collect::<Vec<_>>();
                let at = stamps();
                // One extract at a time: the rule between two extracts for
                // one quarter is applied below, over the held ones too.
                let extract = records::load_all(std::slice::from_ref(*s), holidays, rules).pop();
                (at, extract, stamps())
            })
            .collect();
        let (now, wall_now) = (Instant::now(), SystemTime::now());
        for (source, (at, extract, after)) in to_read.iter().zip(readings) {
            let Some(mut extract) = extract else {
                continue;
            };
            let still = settle::extract_still_arriving(
                source, &extract, &at, &after, changes, now, wall_now,
            );
            if still.is_empty() {
                // Between changes only the figures, counts and problems are
                // kept, not every child behind them.
                extract.forget_children();
                self.extracts_read.insert(source.name.clone(), extract);
                continue;
            }
            for (path, name, since) in still {
                if !was_arriving.contains_key(&path) {
                    arrived.push(format!(
                        "{name}: still arriving (not whole yet); the extract {} stays as it was until the copy has finished",
                        source.name
                    ));
                }
                let period = source.period;
                self.arriving.insert(
                    path,
                    Arriving {
                        name,
                        since,
                        period,
                    },
                );
            }
        }
        self.extracts_read
            .retain(|name, _| sources.iter().any(|s| &s.name == name));
        let mut extracts: Vec<Extract> = sources
            .iter()
            .filter_map(|s| self.extracts_read.get(&s.name).cloned())
            .collect();
        records::resolve(&mut extracts);
        let said = |e: &Extract| -> String {
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
                    "{}: SSDA903 extract for {period}, {}, {} left out, {} problem(s)",
                    e.name,
                    crate::text::count_of(e.children, "child", "children"),
                    e.left_out.len(),
                    e.all_problems().len()
                ),
                ExtractStatus::Superseded { by } => {
                    format!(
                        "{}: SSDA903 extract for {period}, superseded by {by}",
                        e.name
                    )
                }
                ExtractStatus::Refused { because } => format!(
                    "{}: SSDA903 extract for {period} REFUSED, so its figures come from the services' returns: {because}; {} problem(s) in its feedback in restricted/",
                    e.name,
                    e.all_problems().len()
                ),
            }
        };
        let before: BTreeSet<String> = self.extracts.iter().map(said).collect();
        let lines = extracts
            .iter()
            .map(said)
            .filter(|l| !before.contains(l))
            .collect();
        self.extracts = extracts;
        crate::memory::give_back();
        lines
    }

    /// The log line for one change.
    fn describe(
        &self,
        c: &Change,
        returns: &[CheckedReturn],
        before: &HashMap<PathBuf, CheckedReturn>,
        feedback_of: &HashMap<PathBuf, PathBuf>,
        removed: &[PathBuf],
    ) -> String {
        let Some(r) = returns.iter().find(|r| r.file.path == c.path) else {
            let name = before
                .get(&c.path)
                .map(|r| r.file.name.clone())
                .unwrap_or_else(|| {
                    let below = c.path.strip_prefix(&self.options.inputs).unwrap_or(&c.path);
                    below.to_string_lossy().replace('\\', "/")
                });
            let gone = before.get(&c.path).map(feedback::file_name).filter(|f| {
                removed
                    .iter()
                    .any(|p| p.file_name().is_some_and(|n| n == f.as_str()))
            });
            return match gone {
                Some(f) => {
                    format!("{name}: taken out of the inputs folder; its feedback {f} removed")
                }
                None => format!("{name}: taken out of the inputs folder"),
            };
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
        let fb = match feedback_of.get(&c.path) {
            Some(path) => format!("feedback in {}", path.display()),
            None => {
                let had = before.get(&c.path).map(feedback::file_name);
                match had.filter(|f| {
                    removed
                        .iter()
                        .any(|p| p.file_name().is_some_and(|n| n == f.as_str()))
                }) {
                    Some(f) => format!("no feedback needed; the old feedback {f} removed"),
                    None => "no feedback needed".to_string(),
                }
            }
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
}

fn poll_watcher<F: notify::EventHandler>(
    handler: F,
    every: Duration,
) -> anyhow::Result<notify::PollWatcher> {
    notify::PollWatcher::new(handler, notify::Config::default().with_poll_interval(every))
        .context("cannot start looking for changes")
}

/// The kind of network file system `path` is on, when it is one: events
/// from other machines do not arrive there, so it must be polled.
pub fn network_filesystem(path: &Path) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    network_kind(&mounts, path)
}

/// The network file system `path` is on, from a mount table in the form of
/// `/proc/self/mounts`: the kind of its longest mount point.
fn network_kind(mounts: &str, path: &Path) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for line in mounts.lines() {
        let mut parts = line.split_whitespace();
        let (Some(_), Some(point), Some(kind)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let point = point.replace("\\040", " ");
        if path.starts_with(&point) && best.as_ref().is_none_or(|(n, _)| point.len() > *n) {
            best = Some((point.len(), kind.to_string()));
        }
    }
    let kind = best?.1;
    const NETWORK: [&str; 12] = [
        "cifs",
        "smb3",
        "smbfs",
        "nfs",
        "nfs4",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "davfs",
        "fuse.sshfs",
        "fuse.rclone",
    ];
    NETWORK.contains(&kind.as_str()).then_some(kind)
}

/// The `Wake` channel for [`Watch::run`].
pub fn channel() -> (Sender<Wake>, Receiver<Wake>) {
    std::sync::mpsc::channel()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_share_is_found_by_its_mount() {
        let mounts = "/dev/sda1 / ext4 rw 0 0\n//filer/returns /mnt/shared\\040drive cifs rw 0 0\nfiler:/x /srv/nfs nfs4 rw 0 0\n/dev/sdb1 /mnt/shared\\040drive/local ext4 rw 0 0\n";
        let kind = |p: &str| network_kind(mounts, Path::new(p));
        assert_eq!(kind("/mnt/shared drive/inputs").as_deref(), Some("cifs"));
        assert_eq!(kind("/srv/nfs/inputs").as_deref(), Some("nfs4"));
        assert_eq!(kind("/home/officer/inputs"), None);
        assert_eq!(
            kind("/mnt/shared drive/local/inputs"),
            None,
            "the longest mount wins"
        );
    }
}
