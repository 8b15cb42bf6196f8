//! Settling and arriving: when a file in inputs/ is whole enough to judge.
//!
//! A return or an extract's list is copied into inputs/ over seconds, in
//! blocks, and `watch` sees every block land. A file is read only once its
//! size and modified time have stayed put for [`SETTLE`] and it can be read
//! to its end. That is not always enough: a copy over a loaded network
//! share stalls for seconds between blocks, longer than any settle time
//! short enough to keep the feedback prompt. So a settled file whose read
//! says it was cut short, while it changed only a moment ago, is *still
//! arriving* ([`decide`]): nothing is judged, written or removed for it
//! until it settles again, or until [`ARRIVAL_WINDOW`] has passed since its
//! last change and it is judged as `run` would judge it.
//!
//! ```text
//!  settled ──► read ──► whole? ─────────────────────────────► judged
//!                │ cut short, changed less than the window ago
//!                │ or changed while it was read
//!                ▼
//!            still arriving ──► its stamp changes and settles ──► read again
//!                           └─► the window passes unchanged ────► read again, judged
//! ```
//!
//! Every decision here is taken at a time it is handed, never one it reads
//! from the clock itself, so that its tests can run on a made-up clock.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::{Change, Watch};
use crate::discover;
use crate::model::returns::CheckedReturn;
use crate::period::Period;
use crate::records::{Extract, ExtractSource};

/// How long a file's size and modified time must stay the same before it
/// is read: a return still being copied is never read half-written.
pub const SETTLE: Duration = Duration::from_millis(500);

/// How long an extract's list must stay unchanged before it is read. A
/// CSV list cut at the very end of a row reads as whole, so for lists the
/// settle time itself must outlast a stalled copy: longer than the three
/// seconds a loaded share stalls between blocks. Extracts are exported
/// once a quarter, so the wait costs nobody anything.
pub const EXTRACT_SETTLE: Duration = Duration::from_secs(5);

/// How long after its last change a file that reads as cut short is taken
/// to be still arriving rather than damaged. Copies over a loaded share
/// stall for up to three seconds between blocks; a minute is twenty times
/// that, and an officer who sent a truly damaged file still learns so
/// within a minute or so.
pub const ARRIVAL_WINDOW: Duration = Duration::from_secs(60);

/// A file's size and modified time: when both stay put, the file has
/// stopped changing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) len: u64,
    pub(super) modified: Option<SystemTime>,
}

pub(super) fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// A CSV or XML file: a list of an SSDA903 extract, there or taken away.
pub(super) fn is_extract_file(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| discover::EXTRACT_EXTENSIONS.contains(&e.as_str()))
}

/// How long `path` must stay unchanged before it is read: an extract's
/// list waits longer than a return (see [`EXTRACT_SETTLE`]).
pub(super) fn settle_time(path: &Path) -> Duration {
    if is_extract_file(path) {
        EXTRACT_SETTLE
    } else {
        SETTLE
    }
}

/// A file read but not whole yet: a copy still going on.
#[derive(Debug, Clone)]
pub(super) struct Arriving {
    /// Its name below inputs/.
    pub(super) name: String,
    /// Its last change: it is judged as it is once [`ARRIVAL_WINDOW`] has
    /// passed from here.
    pub(super) since: Instant,
    /// Its quarter when it is known (its last whole reading, its
    /// extract's folder): the status page that lists it.
    pub(super) period: Option<Period>,
}

/// A file seen changing, waiting to settle.
#[derive(Debug)]
struct Pending {
    /// `None`: gone.
    stamp: Option<Stamp>,
    /// When it was last seen changing: it settles its settle time after.
    since: Instant,
}

/// The files in inputs/ seen changing since they were last acted on, each
/// waiting to settle.
#[derive(Debug, Default)]
pub(super) struct Settling {
    pending: BTreeMap<PathBuf, Pending>,
}

impl Settling {
    /// Notes what a look over inputs/ found at `now`. A file new, or
    /// changed since it was last acted on (`known`), waits to settle, from
    /// `now` again whenever its stamp has moved. A file acted on that is
    /// no longer there waits as gone, ready at once: a removal needs no
    /// settling. A file pending that has gone without ever being acted on
    /// is forgotten.
    pub(super) fn look<'a>(
        &mut self,
        found: impl IntoIterator<Item = &'a PathBuf>,
        known: &BTreeMap<PathBuf, Stamp>,
        now: Instant,
    ) {
        let mut seen = BTreeSet::new();
        for path in found {
            seen.insert(path.clone());
            let now_stamp = stamp(path);
            if now_stamp.is_some() && known.get(path).copied() == now_stamp {
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
        for path in known.keys().filter(|p| !seen.contains(*p)) {
            self.pending.entry(path.clone()).or_insert(Pending {
                stamp: None,
                since: now.checked_sub(SETTLE).unwrap_or(now),
            });
        }
        self.pending
            .retain(|p, pending| seen.contains(p) || pending.stamp.is_none());
    }

    /// The pending files that at `now` have stopped changing for their
    /// settle time and can be read to the end, or that are gone; taken out
    /// as changes. One that changed again meanwhile, or cannot be read to
    /// its end yet, settles again from `now`.
    pub(super) fn take_settled(&mut self, now: Instant) -> Vec<Change> {
        let mut settled = Vec::new();
        let mut retry = Vec::new();
        for (path, p) in &self.pending {
            if now.saturating_duration_since(p.since) < settle_time(path) {
                continue;
            }
            let Some(before) = p.stamp else {
                if stamp(path).is_some() {
                    // Back again: it settles like any other change.
                    retry.push(path.clone());
                } else {
                    settled.push(path.clone());
                }
                continue;
            };
            if stamp(path) != Some(before) || !readable_to_the_end(path, before.len) {
                retry.push(path.clone());
                continue;
            }
            settled.push(path.clone());
        }
        for path in retry {
            let s = stamp(&path);
            if let Some(p) = self.pending.get_mut(&path) {
                p.stamp = s;
                p.since = now;
            }
        }
        settled
            .into_iter()
            .filter_map(|path| {
                let p = self.pending.remove(&path)?;
                Some(Change {
                    path,
                    stamp: p.stamp,
                    settled: now,
                    changed: Some(p.since),
                })
            })
            .collect()
    }

    /// Every pending file, settled or not, as it is at `now`: the first
    /// look judges what is already there without waiting, and tells a file
    /// still being copied by how it reads.
    pub(super) fn take_all(&mut self, now: Instant) -> Vec<Change> {
        std::mem::take(&mut self.pending)
            .into_keys()
            .map(|path| Change {
                stamp: stamp(&path),
                path,
                settled: now,
                changed: None,
            })
            .collect()
    }

    /// No file is waiting to settle.
    pub(super) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The files still arriving that may be judged when their window has
    /// passed: not one changing again, which settles first.
    fn waiting<'a>(
        &'a self,
        arriving: &'a BTreeMap<PathBuf, Arriving>,
    ) -> impl Iterator<Item = (&'a PathBuf, &'a Arriving)> {
        arriving
            .iter()
            .filter(|(p, _)| !self.pending.contains_key(*p))
    }

    /// When the first file still arriving is due to be judged.
    pub(super) fn next_due(&self, arriving: &BTreeMap<PathBuf, Arriving>) -> Option<Instant> {
        self.waiting(arriving)
            .map(|(_, a)| a.since + ARRIVAL_WINDOW)
            .min()
    }

    /// The files still arriving whose window has passed at `now` with no
    /// change since: read again and judged as they are (a copy that never
    /// finished, a file damaged before it was sent).
    pub(super) fn overdue(
        &self,
        arriving: &BTreeMap<PathBuf, Arriving>,
        now: Instant,
    ) -> Vec<Change> {
        self.waiting(arriving)
            .filter(|(_, a)| window_passed(a.since, now))
            .map(|(p, a)| Change {
                path: p.clone(),
                stamp: stamp(p),
                settled: now,
                changed: Some(a.since),
            })
            .collect()
    }
}

impl Watch {
    /// The files settled at `now`. While inputs/ cannot be listed, a file
    /// that seems gone may only be out of reach: nothing is decided until
    /// it can be.
    pub(super) fn take_settled(&mut self, now: Instant) -> Vec<Change> {
        if self.inputs_unreadable {
            return Vec::new();
        }
        self.settling.take_settled(now)
    }

    /// When the first file still arriving is due to be judged; none while
    /// inputs/ cannot be looked in.
    pub(super) fn next_due(&self) -> Option<Instant> {
        if self.inputs_unreadable {
            return None;
        }
        self.settling.next_due(&self.arriving)
    }

    /// The files still arriving to be judged at `now` as they are; none
    /// while inputs/ cannot be looked in.
    pub(super) fn take_overdue(&self, now: Instant) -> Vec<Change> {
        if self.inputs_unreadable {
            return Vec::new();
        }
        self.settling.overdue(&self.arriving, now)
    }
}

/// Whether the file can be opened and read to its end, at the length its
/// size says: a file still held open for writing on some systems, or
/// locked, cannot.
fn readable_to_the_end(path: &Path, len: u64) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        // Not even readable: let the read say why, rather than wait.
        return std::fs::metadata(path).is_ok();
    };
    let mut sink = [0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        match file.read(&mut sink) {
            Ok(0) => break,
            Ok(n) => total += n as u64,
            Err(_) => return false,
        }
    }
    total == len
}

/// What reading a settled file showed about whether it is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// The read went to the end, whatever it found there.
    Whole,
    /// The read found the file damaged as a copy cut short leaves it.
    CutShort,
    /// Its size or modified time was different after the read.
    ChangedWhileRead,
}

/// What becomes of a file after it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arrival {
    /// It is judged as `run` would judge it.
    Judge,
    /// It is still being copied: not judged. `since` is its last change.
    StillArriving { since: Instant },
}

/// Whether a file just read is judged or still arriving, from what the
/// read showed, when `watch` last saw the file change (`None`: before it
/// could tell, see [`last_change`]), and the time now.
pub(super) fn decide(reading: Reading, last_change: Option<Instant>, now: Instant) -> Arrival {
    match (reading, last_change) {
        // Something is still writing it: what was read is not the file.
        (Reading::ChangedWhileRead, _) => Arrival::StillArriving { since: now },
        (Reading::CutShort, Some(since))
            if now.saturating_duration_since(since) < ARRIVAL_WINDOW =>
        {
            Arrival::StillArriving { since }
        }
        _ => Arrival::Judge,
    }
}

/// Whether a file still arriving since `since` has waited long enough to
/// be judged as it is.
pub(super) fn window_passed(since: Instant, now: Instant) -> bool {
    now.saturating_duration_since(since) >= ARRIVAL_WINDOW
}

/// When a file last changed, as far as `watch` can tell: when it saw the
/// change itself (`observed`), or, for a file already there when it
/// started, from its modified time (`None` when that is before the clock
/// began: long ago). The file's own time is not used once `watch` has seen
/// it change, as a Windows copy gives the copy the source's old modified
/// time at its end, and a clock on a share may be ahead of this one.
pub(super) fn last_change(
    observed: Option<Instant>,
    modified: Option<SystemTime>,
    now: Instant,
    wall_now: SystemTime,
) -> Option<Instant> {
    observed.or_else(|| {
        // A time ahead of this clock is taken as now.
        let age = wall_now.duration_since(modified?).unwrap_or(Duration::ZERO);
        now.checked_sub(age)
    })
}

/// Whether a return could not be opened as a copy cut short leaves it: a
/// zip without its end record, a truncated .xls, no bytes at all.
pub(super) fn return_cut_short(checked: &CheckedReturn) -> bool {
    checked
        .diagnostics
        .iter()
        .any(|d| matches!(d.rule, "file-corrupt" | "file-empty"))
}

/// Whether a file just read (stamped `at` before and `after` after) is
/// judged or still arriving: [`decide`], from when `watch` saw it change
/// (in `changes`) or else its modified time.
pub(super) fn arrival_of(
    path: &Path,
    at: Option<Stamp>,
    after: Option<Stamp>,
    cut_short: bool,
    changes: &[Change],
    now: Instant,
    wall_now: SystemTime,
) -> Arrival {
    let reading = if at.is_none() || after != at {
        Reading::ChangedWhileRead
    } else if cut_short {
        Reading::CutShort
    } else {
        Reading::Whole
    };
    let observed = changes
        .iter()
        .find(|c| c.path == path)
        .and_then(|c| c.changed);
    let modified = at.and_then(|s| s.modified);
    decide(reading, last_change(observed, modified, now, wall_now), now)
}

/// The files of an extract just read that are still arriving, with their
/// last change: while there is one, the extract is not used as read.
/// `at` and `after` are its files' stamps before and after the read.
pub(super) fn extract_still_arriving(
    source: &ExtractSource,
    extract: &Extract,
    at: &[Option<Stamp>],
    after: &[Option<Stamp>],
    changes: &[Change],
    now: Instant,
    wall_now: SystemTime,
) -> Vec<(PathBuf, String, Instant)> {
    let cut_short = extract_files_cut_short(extract);
    source
        .files
        .iter()
        .enumerate()
        .filter_map(|(i, (path, name))| {
            let (at, after) = (
                at.get(i).copied().flatten(),
                after.get(i).copied().flatten(),
            );
            let cut = cut_short.contains(&name.as_str());
            match arrival_of(path, at, after, cut, changes, now, wall_now) {
                Arrival::StillArriving { since } => Some((path.clone(), name.clone(), since)),
                Arrival::Judge => None,
            }
        })
        .collect()
}

/// The files of an extract that could not be read whole (damaged, cut
/// short, empty), when that is why it was refused or found no extract at
/// all; not when it was refused for its children's errors. By name below
/// inputs/.
pub(super) fn extract_files_cut_short(extract: &Extract) -> Vec<&str> {
    if !extract.status.is_refused() && extract.is_extract() {
        return Vec::new();
    }
    let file_rule = crate::records::registry::of(extract.source).map(|s| s.file_rule());
    extract
        .problems
        .iter()
        .filter(|p| Some(p.rule) == file_rule && p.is_error() && !p.file_name().is_empty())
        .map(|p| p.file_name())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_readable_to_the_end_only_at_its_full_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.xlsx");
        std::fs::write(&path, b"0123456789").unwrap();
        assert!(readable_to_the_end(&path, 10));
        assert!(!readable_to_the_end(&path, 12), "still growing");
    }

    /// A fake clock: a fixed start and the moments after it.
    fn clock() -> (Instant, impl Fn(u64) -> Instant) {
        let start = Instant::now();
        (start, move |secs| start + Duration::from_secs(secs))
    }

    #[test]
    fn a_file_cut_short_a_moment_after_its_last_change_is_still_arriving() {
        let (start, at) = clock();
        assert_eq!(
            decide(Reading::CutShort, Some(start), at(2)),
            Arrival::StillArriving { since: start }
        );
        assert_eq!(
            decide(Reading::CutShort, Some(start), at(59)),
            Arrival::StillArriving { since: start }
        );
    }

    #[test]
    fn a_file_cut_short_long_after_its_last_change_is_judged() {
        let (start, at) = clock();
        assert_eq!(
            decide(Reading::CutShort, Some(start), at(60)),
            Arrival::Judge
        );
        assert_eq!(
            decide(Reading::CutShort, None, at(0)),
            Arrival::Judge,
            "changed before watch could tell"
        );
    }

    #[test]
    fn a_whole_file_is_judged_at_once() {
        let (start, at) = clock();
        assert_eq!(decide(Reading::Whole, Some(start), at(1)), Arrival::Judge);
        assert_eq!(decide(Reading::Whole, None, at(1)), Arrival::Judge);
    }

    #[test]
    fn a_file_that_changed_while_it_was_read_is_still_arriving_however_old() {
        let (start, at) = clock();
        assert_eq!(
            decide(Reading::ChangedWhileRead, Some(start), at(600)),
            Arrival::StillArriving { since: at(600) }
        );
        assert_eq!(
            decide(Reading::ChangedWhileRead, None, at(3)),
            Arrival::StillArriving { since: at(3) }
        );
    }

    #[test]
    fn the_window_passes_a_minute_after_the_last_change() {
        let (start, at) = clock();
        assert!(!window_passed(start, at(59)));
        assert!(window_passed(start, at(60)));
        assert!(
            !window_passed(at(5), at(3)),
            "a clock read before the change"
        );
    }

    #[test]
    fn the_last_change_is_what_watch_saw_else_the_modified_time() {
        let (start, at) = clock();
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let hour = Duration::from_secs(3600);
        // Seen changing: the file's own time (a copy restoring the source's
        // time from a year ago) does not make it old.
        let a_year_ago = wall - 365 * 24 * hour;
        assert_eq!(
            last_change(Some(start), Some(a_year_ago), at(10), wall),
            Some(start)
        );
        // There at the start, changed an hour ago: judged at once.
        let then = last_change(None, Some(wall - hour), at(7200), wall);
        assert_eq!(then, Some(at(3600)));
        assert_eq!(decide(Reading::CutShort, then, at(7200)), Arrival::Judge);
        // There at the start, changed two seconds ago: a copy under way.
        let then = last_change(None, Some(wall - Duration::from_secs(2)), at(10), wall);
        assert_eq!(then, Some(at(8)));
        assert_eq!(
            decide(Reading::CutShort, then, at(10)),
            Arrival::StillArriving { since: at(8) }
        );
        // A modified time ahead of this clock is taken as now.
        let ahead = last_change(None, Some(wall + hour), at(10), wall);
        assert_eq!(ahead, Some(at(10)));
        // No modified time and not seen changing: nothing says it is new.
        assert_eq!(last_change(None, None, at(10), wall), None);
    }

    /// Writes `len` bytes to `name` in `dir`.
    fn file(dir: &Path, name: &str, len: usize) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, vec![b'x'; len]).unwrap();
        path
    }

    /// Adds `len` bytes to the end of `path`, as the next block of a copy.
    fn grow(path: &Path, len: usize) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        f.write_all(&vec![b'y'; len]).unwrap();
    }

    /// Moments after a start, in milliseconds.
    fn millis() -> (Instant, impl Fn(u64) -> Instant) {
        let start = Instant::now();
        (start, move |ms| start + Duration::from_millis(ms))
    }

    fn nothing_known() -> BTreeMap<PathBuf, Stamp> {
        BTreeMap::new()
    }

    #[test]
    fn a_new_file_is_ready_once_unchanged_for_the_settle_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "LC.xlsx", 10);
        let (start, ms) = millis();
        let mut settling = Settling::default();
        settling.look([&path], &nothing_known(), start);
        assert!(settling.take_settled(ms(499)).is_empty());
        let ready = settling.take_settled(ms(500));
        assert_eq!(ready.len(), 1);
        assert_eq!(ready[0].path, path);
        assert_eq!(ready[0].stamp.map(|s| s.len), Some(10));
        assert_eq!(ready[0].settled, ms(500));
        assert_eq!(ready[0].changed, Some(start));
        assert!(settling.is_empty(), "taken out once ready");
    }

    #[test]
    fn a_file_still_growing_is_not_ready_until_it_stops() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "LC.xlsx", 10);
        let (start, ms) = millis();
        let mut settling = Settling::default();
        settling.look([&path], &nothing_known(), start);
        // The next look sees it longer: it settles from then.
        grow(&path, 10);
        settling.look([&path], &nothing_known(), ms(300));
        assert!(settling.take_settled(ms(500)).is_empty());
        assert!(settling.take_settled(ms(799)).is_empty());
        // Longer again, with no look between (an event lost): found when
        // it is about to be taken, and it settles again from then.
        grow(&path, 10);
        assert!(settling.take_settled(ms(800)).is_empty());
        assert!(settling.take_settled(ms(1299)).is_empty());
        let ready = settling.take_settled(ms(1300));
        assert_eq!(ready.len(), 1);
        assert_eq!(ready[0].stamp.map(|s| s.len), Some(30));
        assert_eq!(ready[0].changed, Some(ms(800)));
    }

    #[test]
    fn a_file_whose_modified_time_alone_moves_is_not_ready() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "LC.xlsx", 10);
        let touch = |t: SystemTime| {
            let f = std::fs::File::options().write(true).open(&path).unwrap();
            f.set_modified(t).unwrap();
        };
        let hour_ago = SystemTime::now() - Duration::from_secs(3600);
        touch(hour_ago);
        let (start, ms) = millis();
        let mut settling = Settling::default();
        settling.look([&path], &nothing_known(), start);
        touch(hour_ago + Duration::from_secs(60));
        assert!(settling.take_settled(ms(500)).is_empty());
        let ready = settling.take_settled(ms(1000));
        assert_eq!(ready.len(), 1);
        assert_eq!(
            ready[0].stamp.and_then(|s| s.modified),
            Some(hour_ago + Duration::from_secs(60))
        );
    }

    #[test]
    fn an_extract_list_waits_for_its_longer_settle() {
        let dir = tempfile::tempdir().unwrap();
        let ret = file(dir.path(), "LC.xlsx", 10);
        let list = file(dir.path(), "episodes.csv", 10);
        let xml = file(dir.path(), "Header.XML", 10);
        assert_eq!(settle_time(&ret), SETTLE);
        assert_eq!(settle_time(&list), EXTRACT_SETTLE);
        assert_eq!(settle_time(&xml), EXTRACT_SETTLE, "whatever its case");
        let (start, ms) = millis();
        let mut settling = Settling::default();
        settling.look([&ret, &list, &xml], &nothing_known(), start);
        let ready = settling.take_settled(ms(500));
        assert_eq!(
            ready.iter().map(|c| &c.path).collect::<Vec<_>>(),
            vec![&ret]
        );
        assert!(settling.take_settled(ms(4999)).is_empty());
        let ready = settling.take_settled(ms(5000));
        assert_eq!(
            ready.iter().map(|c| &c.path).collect::<Vec<_>>(),
            vec![&xml, &list]
        );
    }

    #[test]
    fn a_file_already_acted_on_and_unchanged_does_not_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "LC.xlsx", 10);
        let known = BTreeMap::from([(path.clone(), stamp(&path).unwrap())]);
        let (start, ms) = millis();
        let mut settling = Settling::default();
        settling.look([&path], &known, start);
        assert!(settling.is_empty());
        // Changed since: it waits like a new one.
        grow(&path, 1);
        settling.look([&path], &known, ms(100));
        assert!(!settling.is_empty());
        assert_eq!(settling.take_settled(ms(600)).len(), 1);
    }

    #[test]
    fn a_file_that_vanishes_before_it_settles_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "LC.xlsx", 10);
        let (start, ms) = millis();
        let mut settling = Settling::default();
        settling.look([&path], &nothing_known(), start);
        std::fs::remove_file(&path).unwrap();
        // Gone at the next look: it was never acted on, so nothing to undo.
        settling.look([], &nothing_known(), ms(200));
        assert!(settling.is_empty());
        assert!(settling.take_settled(ms(10_000)).is_empty());
    }

    #[test]
    fn a_file_that_vanishes_between_a_look_and_its_taking_settles_as_gone() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "LC.xlsx", 10);
        let (start, ms) = millis();
        let mut settling = Settling::default();
        settling.look([&path], &nothing_known(), start);
        std::fs::remove_file(&path).unwrap();
        assert!(settling.take_settled(ms(500)).is_empty(), "just gone");
        assert!(settling.take_settled(ms(999)).is_empty());
        let gone = settling.take_settled(ms(1000));
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].stamp, None);
    }

    #[test]
    fn a_file_acted_on_and_taken_away_is_gone_at_once_unless_it_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "LC.xlsx", 10);
        let known = BTreeMap::from([(path.clone(), stamp(&path).unwrap())]);
        let (start, ms) = millis();
        let mut settling = Settling::default();
        std::fs::remove_file(&path).unwrap();
        settling.look([], &known, start);
        let gone = settling.take_settled(start);
        assert_eq!(gone.len(), 1, "a removal needs no settling");
        assert_eq!(gone[0].stamp, None);

        // Taken away and put back before it was acted on: it settles like
        // any other change, from when it was found back.
        settling.look([], &known, ms(1000));
        file(dir.path(), "LC.xlsx", 12);
        assert!(settling.take_settled(ms(1000)).is_empty());
        assert!(settling.take_settled(ms(1499)).is_empty());
        let back = settling.take_settled(ms(1500));
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].stamp.map(|s| s.len), Some(12));
    }

    #[test]
    fn the_first_look_takes_every_file_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let ret = file(dir.path(), "LC.xlsx", 10);
        let list = file(dir.path(), "episodes.csv", 10);
        let (start, _) = millis();
        let mut settling = Settling::default();
        settling.look([&ret, &list], &nothing_known(), start);
        let all = settling.take_all(start);
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(|c| c.changed.is_none() && c.stamp.is_some()));
        assert!(settling.is_empty());
    }

    #[test]
    fn a_file_still_arriving_is_due_a_minute_after_its_last_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "LC.xlsx", 10);
        let (start, at) = clock();
        let arriving = BTreeMap::from([(
            path.clone(),
            Arriving {
                name: "LC.xlsx".to_string(),
                since: start,
                period: None,
            },
        )]);
        let mut settling = Settling::default();
        assert_eq!(settling.next_due(&arriving), Some(at(60)));
        assert!(settling.overdue(&arriving, at(59)).is_empty());
        let due = settling.overdue(&arriving, at(60));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].changed, Some(start));
        assert_eq!(due[0].settled, at(60));

        // Changing again: it settles first, and is not due meanwhile.
        let known = BTreeMap::from([(path.clone(), stamp(&path).unwrap())]);
        grow(&path, 10);
        settling.look([&path], &known, at(30));
        assert_eq!(settling.next_due(&arriving), None);
        assert!(settling.overdue(&arriving, at(600)).is_empty());
    }

    /// A folder of `inputs/` holding the sample extract of 2014-15 Q2,
    /// its episodes list cut to `episodes` bytes.
    fn sample_extract(episodes: Option<usize>, rules: crate::ssda903::Rules) -> Extract {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/2014-15-Q2/ssda903");
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("2014-15-Q2/ssda903");
        std::fs::create_dir_all(&folder).unwrap();
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&from).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let mut bytes = std::fs::read(entry.path()).unwrap();
            if name == "episodes.csv" {
                bytes.truncate(episodes.unwrap_or(bytes.len()));
            }
            std::fs::write(folder.join(&name), bytes).unwrap();
            files.push((folder.join(&name), format!("2014-15-Q2/ssda903/{name}")));
        }
        files.sort();
        let sources = crate::records::group_all(dir.path(), &files);
        let holidays = crate::calendar::BankHolidays::from_days([]);
        crate::records::load_all(&sources, &holidays, rules).remove(0)
    }

    #[test]
    fn an_extract_list_cut_short_is_named_and_one_refused_for_its_children_is_not() {
        let rules = crate::ssda903::Rules::default();
        let whole = sample_extract(None, rules);
        assert!(!whole.status.is_refused(), "{:?}", whole.status);
        assert!(extract_files_cut_short(&whole).is_empty());
        // Part-way through a row, as a copy in blocks leaves it.
        let cut = sample_extract(Some(40_003), rules);
        assert!(cut.status.is_refused());
        assert_eq!(
            extract_files_cut_short(&cut),
            vec!["2014-15-Q2/ssda903/episodes.csv"]
        );
        let empty = sample_extract(Some(0), rules);
        assert_eq!(
            extract_files_cut_short(&empty),
            vec!["2014-15-Q2/ssda903/episodes.csv"]
        );
        // Refused because too many children have errors: whole files.
        let strict = sample_extract(
            None,
            crate::ssda903::Rules {
                left_out_limit: 0.0,
            },
        );
        assert!(strict.status.is_refused(), "{:?}", strict.status);
        assert!(extract_files_cut_short(&strict).is_empty());
    }

    #[test]
    fn a_return_cut_short_is_told_from_one_that_is_no_workbook() {
        let templates = crate::config::Templates::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        )
        .unwrap();
        let sample = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs/2014-15-Q2/LC-2014-15-Q2.xlsx"),
        )
        .unwrap();
        let checked = |bytes: &[u8]| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("LC.xlsx"), bytes).unwrap();
            let found = crate::discover::discover(dir.path()).unwrap();
            crate::pipeline::check_one(&templates, &found.returns[0])
        };
        assert!(!return_cut_short(&checked(&sample)));
        assert!(return_cut_short(&checked(&sample[..sample.len() / 3])));
        assert!(return_cut_short(&checked(&[])));
        assert!(!return_cut_short(&checked(
            b"Service,Period\nLC,2014-15 Q2\n"
        )));
    }
}
