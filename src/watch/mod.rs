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
//!
//! This file keeps the loop: what wakes it, the look over inputs/, and the
//! order of an update. When a file is ready to read is `settle.rs`'s to
//! say; reading and deciding it again, `recheck.rs`'s (the only place the
//! SSDA903 extracts are read); what is written and logged, `outputs.rs`'s.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::config::Templates;
use crate::discover::{self, Discovery};
use crate::model::returns::CheckedReturn;
use crate::model::workbook::{InputFile, SkippedFile};
use crate::period::Period;
use crate::records::Extract;

mod lock;
mod outputs;
mod recheck;
mod settle;

use lock::{InputsLock, NotTaken};
use settle::{Arriving, Settling, Stamp};
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

/// What re-checking a set of changes decided (`recheck.rs`), handed to the
/// writing of feedback, pages and log lines (`outputs.rs`).
struct Rechecked {
    /// Every return after the rules across returns and the comparison with
    /// the extracts.
    returns: Vec<CheckedReturn>,
    /// Every return as it was decided before, by path: what a change
    /// altered, and which feedback a return taken away had.
    before: HashMap<PathBuf, CheckedReturn>,
    /// A log line for each file newly found still arriving.
    arrived: Vec<String>,
    /// A log line for each extract whose outcome changed.
    extracts: Vec<String>,
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
    /// Files seen changing, waiting to settle.
    settling: Settling,
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
            settling: Settling::default(),
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

    /// Runs until `Wake::Stop` arrives (or every sender is gone). Returns
    /// once everything being written is in place.
    pub fn run(&mut self, wake: Sender<Wake>, wakes: Receiver<Wake>) -> anyhow::Result<()> {
        let _watchers = self.start_watching(wake)?;
        self.scan();
        let everything = self.settling.take_all(Instant::now());
        self.update(everything, true);
        loop {
            let mut timeout = if self.settling.is_empty() && self.templates_changed.is_none() {
                RESCAN
            } else {
                TICK
            };
            // Woken when the first file still arriving is due to be judged.
            if let Some(due) = self.next_due() {
                timeout = timeout.min(due.saturating_duration_since(Instant::now()));
            }
            if self.wait(&wakes, timeout) {
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
            let now = Instant::now();
            let mut settled = self.take_overdue(now);
            settled.extend(self.take_settled(now));
            if !settled.is_empty() {
                self.update(settled, false);
            }
        }
        self.log("stopped; every file written is complete");
        Ok(())
    }

    /// Waits up to `timeout` for something to wake the loop, then takes
    /// every wake that came with it: many events arrive together, and one
    /// look does for them all. Whether to stop.
    fn wait(&mut self, wakes: &Receiver<Wake>, timeout: Duration) -> bool {
        match wakes.recv_timeout(timeout) {
            Ok(Wake::Stop) | Err(RecvTimeoutError::Disconnected) => return true,
            Ok(Wake::Templates) => self.templates_changed = Some(Instant::now()),
            Ok(Wake::Inputs) | Err(RecvTimeoutError::Timeout) => {}
        }
        let mut stop = false;
        while let Ok(w) = wakes.try_recv() {
            match w {
                Wake::Stop => stop = true,
                Wake::Templates => self.templates_changed = Some(Instant::now()),
                Wake::Inputs => {}
            }
        }
        stop
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
        let (mut watchers, how) = self.watchers(wake_on(templates.clone(), wake), &inputs)?;
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

    /// The watcher for `inputs` (the canonical folder), and how it watches,
    /// for the log: by events, or by looking every so often when asked, on
    /// a network share, or where events are not to be had.
    fn watchers<F>(
        &self,
        handler: F,
        inputs: &Path,
    ) -> anyhow::Result<(Vec<Box<dyn notify::Watcher>>, String)>
    where
        F: notify::EventHandler + Clone,
    {
        let share = network_filesystem(inputs);
        let poll = self
            .options
            .poll
            .or_else(|| share.as_ref().map(|_| self.options.poll_interval));
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
        Ok((watchers, how))
    }

    /// Looks over inputs/ and notes every file that is new, changed or
    /// gone since it was last acted on.
    fn scan(&mut self) {
        let Some(found) = self.look_in_inputs() else {
            return;
        };
        let paths = found
            .returns
            .iter()
            .map(|f| &f.path)
            .chain(found.extract_files.iter().map(|(p, _)| p));
        self.settling.look(paths, &self.known, Instant::now());
        let skipped_changed = self.note_skipped(found.skipped);
        self.files = found.returns;
        self.extract_files = found.extract_files;
        if skipped_changed && self.settling.is_empty() && self.served.is_some() {
            // Only the list of other files changed: the pages show it.
            self.update(Vec::new(), false);
        }
    }

    /// What is in inputs/ now; `None` while it cannot be listed, said once
    /// when that starts and once when it ends, not at every look.
    fn look_in_inputs(&mut self) -> Option<Discovery> {
        match discover::discover(&self.options.inputs) {
            Ok(found) => {
                if std::mem::take(&mut self.inputs_unreadable) {
                    self.log("the inputs folder can be read again");
                }
                Some(found)
            }
            Err(e) => {
                if !std::mem::replace(&mut self.inputs_unreadable, true) {
                    self.log(&format!(
                        "cannot look in the inputs folder ({e:#}); the feedback and pages stay as they were until it can be read"
                    ));
                }
                None
            }
        }
    }

    /// Acts on settled changes: checks the changed returns and extracts,
    /// applies the rules across all returns, and brings feedback and status
    /// pages up to date. `quietly`: the first look, logged as one summary.
    fn update(&mut self, changes: Vec<Change>, quietly: bool) {
        let started = Instant::now();
        let earliest = changes.iter().map(|c| c.settled).min();
        let rechecked = self.recheck(&changes);
        // The changes judged now; the rest are still arriving.
        let changes: Vec<Change> = changes
            .into_iter()
            .filter(|c| !self.arriving.contains_key(&c.path))
            .collect();
        self.serve(&rechecked.returns);
        // The first look keeps only the quarter served; after that, each
        // quarter a change touches is kept too.
        if !quietly {
            self.keep_quarters_of(&changes, &rechecked);
        }
        let written = self.write_quarters(&rechecked.returns);
        let took = earliest.map(|t| t.elapsed()).unwrap_or(started.elapsed());
        if quietly {
            self.log_first_look(&rechecked, started);
        } else {
            self.log_changes(&changes, &rechecked, &written, started);
        }
        self.log_pages(&changes, &rechecked, &written, took, quietly);
        self.returns = rechecked.returns;
    }
}

/// What the watcher does with an event: wakes the loop, saying whether a
/// template changed.
fn wake_on(
    templates: PathBuf,
    wake: Sender<Wake>,
) -> impl FnMut(notify::Result<notify::Event>) + Clone + Send + 'static {
    move |event: notify::Result<notify::Event>| {
        let message = match event {
            // Opening and reading change nothing, and watch's own looks
            // (listing a folder is opening it) would otherwise wake it
            // again without end.
            Ok(e) if e.kind.is_access() => return,
            Ok(e) if e.paths.iter().any(|p| p.starts_with(&templates)) => Wake::Templates,
            _ => Wake::Inputs,
        };
        let _ = wake.send(message);
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
