//! Re-checking: reading again the returns and extracts that changed.
//!
//! Each settled change is decided by the same code as `run`: a changed
//! return is read and validated on its own ([`pipeline::check_one`]), in
//! parallel with the others, and the rules across returns are applied over
//! every return in inputs/ ([`pipeline::cross_check`]), the unchanged ones
//! from the cache. So a resubmission supersedes an earlier return here
//! exactly as it will in the run. A file read while still being copied is
//! not judged ([`settle`] decides which): its last whole reading stands.
//!
//! The extracts of children's records (every source in
//! [`records::registry`]) are read at the bottom of this file and nowhere
//! else in `watch`, through four calls into [`records`]: `group_all`,
//! `load_all`, `resolve` and `compare::tell_services`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use rayon::prelude::*;

use super::outputs;
use super::settle::{self, stamp, Arrival, Arriving, Stamp};
use super::{Change, Rechecked, Watch};
use crate::aggregate::period_of;
use crate::config::Templates;
use crate::model::returns::CheckedReturn;
use crate::pipeline;
use crate::records::{self, Extract, ExtractSource};

/// A return as read: its path, its stamps before and after the read, and
/// its checks on their own.
type ReturnReading = (PathBuf, Option<Stamp>, Option<Stamp>, CheckedReturn);

/// An extract as read: its files' stamps before the read, the extract
/// (`None`: nothing to read), its files' stamps after.
type ExtractReading = (Vec<Option<Stamp>>, Option<Extract>, Vec<Option<Stamp>>);

impl Watch {
    /// Decides every return and extract again after `changes`: the changed
    /// ones read afresh, the rest from what was read before.
    pub(super) fn recheck(&mut self, changes: &[Change]) -> Rechecked {
        let was_arriving = self.note_changes(changes);
        let mut arrived = self.recheck_returns(changes, &was_arriving);
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
        let extracts = self.reread_extracts(changes, &was_arriving, &mut arrived);
        self.compare_with_extracts(&mut returns);
        Rechecked {
            returns,
            before,
            arrived,
            extracts,
        }
    }

    /// Notes each change's new stamp (forgetting a file taken away), and
    /// takes the changed files out of those still arriving, returning them
    /// as they were: a file still arriving that changed again, or whose
    /// window has passed, is read again and decided afresh.
    fn note_changes(&mut self, changes: &[Change]) -> BTreeMap<PathBuf, Arriving> {
        let was_arriving = changes
            .iter()
            .filter_map(|c| self.arriving.remove_entry(&c.path))
            .collect();
        for c in changes {
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
        was_arriving
    }

    /// Reads and validates the returns that changed, each judged or found
    /// still arriving; returns a log line for each file newly found still
    /// arriving.
    fn recheck_returns(
        &mut self,
        changes: &[Change],
        was_arriving: &BTreeMap<PathBuf, Arriving>,
    ) -> Vec<String> {
        let fresh = self.read_stale_returns();
        let (now, wall_now) = (Instant::now(), SystemTime::now());
        let mut arrived: Vec<String> = Vec::new();
        for (path, at, after, checked) in fresh {
            // Gone meanwhile: the next look says so.
            let Some(at) = at else { continue };
            self.known.insert(path.clone(), at);
            let cut_short = settle::return_cut_short(&checked);
            let arrival =
                settle::arrival_of(&path, Some(at), after, cut_short, changes, now, wall_now);
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
                    let name = checked.file.name.clone();
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
        }
        arrived
    }

    /// Reads and validates, in parallel, the returns whose stamp differs
    /// from the one they were last read at. A file not yet known is still
    /// settling: it is left out until it has, never read half-written. A
    /// file still arriving waits for its next change or the end of its
    /// window.
    fn read_stale_returns(&self) -> Vec<ReturnReading> {
        let stale: Vec<_> = self
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
        let templates = &self.templates;
        stale
            .par_iter()
            .map(|f| {
                // Stamped before and after reading: a file that changed
                // meanwhile is still being written, and what was read is
                // not the file.
                let at = stamp(&f.path);
                let checked = pipeline::check_one(templates, f);
                (f.path.clone(), at, stamp(&f.path), checked)
            })
            .collect()
    }

    /// Loads the templates again after one changed and checks every return
    /// against them; a template that cannot be used leaves the previous
    /// ones in force, and says why.
    pub(super) fn reload_templates(&mut self) {
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
}

// The extracts of children's records: the one place `watch` reads them,
// through `records::{group_all, load_all, resolve}`, and compares the
// services' figures with them, through `records::compare::tell_services`.
impl Watch {
    /// Reads the extracts of children's records again, from their settled files, when one
    /// of their files changed (or at the first look); returns a log line
    /// for each extract whose outcome changed, and adds one to `arrived`
    /// for each file newly found still arriving.
    ///
    /// An extract is used whole or not at all, so one with a file still
    /// arriving is not read with that file half there: it keeps its last
    /// reading from whole files (or stays absent) until the file is whole,
    /// or its window has passed and it is judged as `run` would judge it.
    fn reread_extracts(
        &mut self,
        changes: &[Change],
        was_arriving: &BTreeMap<PathBuf, Arriving>,
        arrived: &mut Vec<String>,
    ) -> Vec<String> {
        let touched = changes.iter().any(|c| settle::is_extract_file(&c.path));
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
        self.hold(&held, changes, was_arriving);
        let readings = read_extracts(&to_read, &self.templates);
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
            } else {
                self.note_extract_arriving(source, still, was_arriving, arrived);
            }
        }
        self.extracts_read
            .retain(|name, _| sources.iter().any(|s| &s.name == name));
        let mut extracts: Vec<Extract> = sources
            .iter()
            .filter_map(|s| self.extracts_read.get(&s.name).cloned())
            .collect();
        records::resolve(&mut extracts);
        let lines = outputs::extract_lines(&self.extracts, &extracts);
        self.extracts = extracts;
        crate::memory::give_back();
        lines
    }

    /// Keeps the extracts with a file still arriving from being read. A
    /// file of theirs that was arriving and changed again stays arriving,
    /// from its latest change.
    fn hold(
        &mut self,
        held: &[&ExtractSource],
        changes: &[Change],
        was_arriving: &BTreeMap<PathBuf, Arriving>,
    ) {
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
    }

    /// Notes the files of an extract just read that are still arriving
    /// (`still`: path, name, last change), with a log line in `arrived`
    /// for each not already known to be.
    fn note_extract_arriving(
        &mut self,
        source: &ExtractSource,
        still: Vec<(PathBuf, String, Instant)>,
        was_arriving: &BTreeMap<PathBuf, Arriving>,
        arrived: &mut Vec<String>,
    ) {
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

    /// Compares each service's figures with the extracts', as `run` does.
    fn compare_with_extracts(&self, returns: &mut [CheckedReturn]) {
        records::compare::tell_services(returns, &self.extracts, &self.templates);
    }
}

/// Reads each extract in `sources`, in parallel, stamping its files before
/// and after: a file that changed meanwhile was still being written.
fn read_extracts(sources: &[&ExtractSource], templates: &Templates) -> Vec<ExtractReading> {
    let (holidays, rules) = (
        &templates.bank_holidays,
        templates.organisation.child_records,
    );
    sources
        .par_iter()
        .map(|s| {
            let stamps = || s.files.iter().map(|(p, _)| stamp(p)).collect::<Vec<_>>();
            let at = stamps();
            // One extract at a time: the rule between two extracts for one
            // quarter is applied after, over the held ones too.
            let extract = records::load_all(std::slice::from_ref(*s), holidays, rules).pop();
            (at, extract, stamps())
        })
        .collect()
}
