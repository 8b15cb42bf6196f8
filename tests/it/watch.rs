//! `scorecard watch` end to end: the binary is started on a case folder,
//! returns are copied in as an officer's computer would (in pieces), and
//! the feedback and status page are looked for. Nothing here is timed: each
//! wait is for an outcome, up to a generous bound; watch's own log states
//! how long each took.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::common::*;

/// How long to wait for any one outcome before calling it missing.
const BOUND: Duration = Duration::from_secs(20);

/// `scorecard watch` in a case folder. Its lock file (kept in the
/// temporary folder) goes in the case folder, which is removed after.
fn watch_command(case: &Case) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_scorecard"));
    command
        .arg("watch")
        .current_dir(case.path())
        .env("TMPDIR", case.path());
    command
}

/// A running `scorecard watch` whose log is collected as it is written.
/// Each one started must be stopped with [`Watching::stop`], which gives
/// its exit status to check; one dropped otherwise fails the test.
struct Watching {
    child: Child,
    log: Arc<Mutex<String>>,
    /// The threads copying its stdout and stderr into `log`: they end when
    /// watch has ended and its last line is in.
    readers: Vec<JoinHandle<()>>,
    stopped: bool,
}

impl Watching {
    fn start(case: &Case, extra: &[&str]) -> Watching {
        let mut child = watch_command(case)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start scorecard watch");
        let log = Arc::new(Mutex::new(String::new()));
        let mut readers = Vec::new();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let log = Arc::clone(&log);
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut l = log.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            }));
        }
        let mut w = Watching {
            child,
            log,
            readers,
            stopped: false,
        };
        w.wait_for("the first look", |log, _| log.contains("checked in"));
        w
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until `done` holds of the log (and anything else it looks at).
    /// Fails at once, with its exit status, if watch stops meanwhile.
    fn wait_for(&mut self, what: &str, done: impl Fn(&str, Duration) -> bool) {
        let start = Instant::now();
        loop {
            let log = self.log();
            if done(&log, start.elapsed()) {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                self.stopped = true;
                self.join_readers();
                panic!(
                    "watch ended ({status}) before {what}; it said:\n{}",
                    self.log()
                );
            }
            assert!(
                start.elapsed() < BOUND,
                "no sign of {what} after {}s; watch said:\n{log}",
                BOUND.as_secs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the threads reading watch's output, which end once it
    /// has ended and they have taken its last lines.
    fn join_readers(&mut self) {
        for reader in self.readers.drain(..) {
            reader.join().expect("a reader of watch's output");
        }
    }

    /// Sends a signal and waits for watch to stop, returning its status
    /// and the whole of its log.
    fn stop(mut self, signal: &str) -> (Option<i32>, String) {
        let ok = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill -{signal}");
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.stopped = true;
                self.join_readers();
                return (status.code(), self.log());
            }
            if start.elapsed() > BOUND {
                let _ = self.child.kill();
                panic!("watch did not stop on SIG{signal}:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.join_readers();
        // A test already failing says why itself.
        if !self.stopped && !std::thread::panicking() {
            panic!(
                "a watch was left running: stop it and check its exit status\n{}",
                self.log()
            );
        }
    }
}

/// Writes `bytes` to `path` in two writes with a pause between, as a copy
/// over the network arrives: the first half must never be read as a return.
fn copy_in_two_writes(bytes: &[u8], path: &Path) {
    let mut f = std::fs::File::create(path).unwrap();
    let half = bytes.len() / 2;
    f.write_all(&bytes[..half]).unwrap();
    f.flush().unwrap();
    std::thread::sleep(Duration::from_millis(150));
    f.write_all(&bytes[half..]).unwrap();
    f.flush().unwrap();
}

/// The status page's row for a service, as text.
fn row_of(page: &str, service: &str) -> Option<String> {
    let needle = format!("<th scope=\"row\">{service}</th>");
    page.lines()
        .find(|l| l.contains(&needle))
        .map(str::to_string)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Files a write left behind: temporary files of the atomic writes.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            found.extend(leftovers(&path));
        } else {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") || name.starts_with(".scorecard-") {
                found.push(path);
            }
        }
    }
    found
}

fn bad_leaving_care() -> ReturnBuilder {
    ReturnBuilder::new("Leaving Care", "2014-15 Q2")
        .row("TS10", V::T("n/a"), V::N(60.0), V::Blank, V::Blank)
        .pct("TS11", 40.0, 60.0)
        .pct("TS24", 9.0, 10.0)
}

fn good_leaving_care() -> ReturnBuilder {
    ReturnBuilder::new("Leaving Care", "2014-15 Q2")
        .set_cover("Submitted", V::T("2014-10-12 10:00"))
        .pct("TS10", 50.0, 60.0)
        .pct("TS11", 40.0, 60.0)
        .pct("TS24", 9.0, 10.0)
}

fn bytes_of(builder: &ReturnBuilder) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = builder.write(&dir.path().join("r.xlsx"));
    std::fs::read(path).unwrap()
}

#[test]
fn a_return_dropped_in_gets_feedback_and_the_status_page_at_once() {
    let case = Case::new();
    // Another service's return is already there, so the quarter watched is
    // 2014-15 Q2, the latest in inputs/.
    std::fs::copy(
        root().join("inputs/2014-15-Q2/ADP-2014-15-Q2.xlsx"),
        case.inputs().join("ADP-2014-15-Q2.xlsx"),
    )
    .unwrap();
    let mut watching = Watching::start(&case, &[]);
    let quarter = case.period_dir("2014-15-Q2");
    let page = quarter.join("returns.html");
    let feedback = quarter.join("feedback/LC return.xlsx");
    assert!(
        page.is_file(),
        "the first look writes the page:\n{}",
        watching.log()
    );
    let first = read(&page);
    assert!(
        row_of(&first, "Leaving Care").is_some_and(|r| r.contains("Nothing yet")),
        "{first}"
    );
    assert!(row_of(&first, "Adoption and Permanency").is_some_and(|r| r.contains("Accepted")));

    // A bad return, copied in two writes.
    let target = case.inputs().join("LC return.xlsx");
    copy_in_two_writes(&bytes_of(&bad_leaving_care()), &target);
    watching.wait_for("the rejection", |_, _| {
        feedback.is_file()
            && row_of(&read(&page), "Leaving Care").is_some_and(|r| r.contains("Rejected"))
    });
    let row = row_of(&read(&page), "Leaving Care").unwrap();
    assert!(row.contains("1 error"), "{row}");
    assert!(row.contains("href=\"feedback/LC%20return.xlsx\""), "{row}");
    let problems = read_sheet(&feedback, "Problems");
    assert!(
        problems
            .iter()
            .flatten()
            .any(|c| c.contains("number-not-number")),
        "the feedback names the real mistake: {problems:?}"
    );
    // The half-written file was never read: one verdict on it, the right one.
    watching.wait_for("the log line", |log, _| {
        log.contains("LC return.xlsx: REJECTED")
    });
    let log = watching.log();
    let verdicts: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("] LC return.xlsx:"))
        .collect();
    assert_eq!(verdicts.len(), 1, "{log}");
    assert!(
        verdicts[0].contains("REJECTED with 1 error(s) and 0 warning(s)"),
        "{log}"
    );
    assert!(verdicts[0].contains("feedback in"), "{log}");
    assert!(log.contains("s after the file settled"), "{log}");

    // The corrected return replaces it: accepted, and its feedback removed.
    copy_in_two_writes(&bytes_of(&good_leaving_care()), &target);
    watching.wait_for("the acceptance", |_, _| {
        !feedback.exists()
            && row_of(&read(&page), "Leaving Care").is_some_and(|r| r.contains("Accepted"))
    });
    watching.wait_for("the log line", |log, _| {
        log.contains("LC return.xlsx: accepted")
    });

    // Ctrl-C: a clean stop, status 0, nothing half-written.
    let (code, log) = watching.stop("INT");
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("stopped"), "{log}");
    assert_eq!(leftovers(case.path()), Vec::<PathBuf>::new());
    assert!(read(&page).ends_with("</html>\n"));
    // The committee documents are the run's, never watch's.
    assert!(!quarter.join("committee-report.pdf").exists());
}

#[test]
fn a_resubmission_supersedes_as_in_the_run_and_a_removed_return_is_forgotten() {
    let case = Case::new();
    let folder = case.inputs().join("2014-15-Q2");
    std::fs::create_dir_all(&folder).unwrap();
    good_leaving_care()
        .set_cover("Submitted", V::T("2014-10-09 09:00"))
        .write(&folder.join("LC first.xlsx"));
    let mut watching = Watching::start(&case, &["--period", "2014-15-Q2"]);
    let quarter = case.period_dir("2014-15-Q2");
    let page = quarter.join("returns.html");
    // A later return for the same service and quarter, in a sub-folder.
    std::fs::write(
        folder.join("LC second.xlsx"),
        bytes_of(&good_leaving_care()),
    )
    .unwrap();
    watching.wait_for("the supersession", |_, _| {
        read(&page).contains("Superseded") && quarter.join("feedback/LC first.xlsx").is_file()
    });
    let page_text = read(&page);
    assert!(
        page_text.contains("by 2014-15-Q2/LC second.xlsx"),
        "{page_text}"
    );
    // The earlier return's new outcome is logged as well as the new one's.
    watching.wait_for("the knock-on log line", |log, _| {
        log.contains("LC first.xlsx: superseded by 2014-15-Q2/LC second.xlsx")
            && log.contains("(as a result)")
    });

    // The same decision as the run's.
    let (code, _) = watching.stop("TERM");
    assert_eq!(code, Some(0));
    let run = case.run(&["run", "--period", "2014-15-Q2"]);
    assert!(
        run.status.code().is_some_and(|c| c == 0 || c == 3),
        "{}",
        stderr(&run)
    );
    let record = read(&quarter.join("run-record.json"));
    assert!(
        record.contains("\"superseded_by\": \"2014-15-Q2/LC second.xlsx\""),
        "{record}"
    );
    let run_page = read(&page);
    assert!(
        run_page.contains("Superseded"),
        "the run writes the page too"
    );

    // Removing the later return brings the first back, and its feedback goes.
    let mut watching = Watching::start(&case, &["--period", "2014-15-Q2"]);
    std::fs::remove_file(folder.join("LC second.xlsx")).unwrap();
    watching.wait_for("the removal", |log, _| {
        log.contains("LC second.xlsx: taken out of the inputs folder")
            && !quarter.join("feedback/LC first.xlsx").exists()
            && !read(&page).contains("Superseded")
    });
    let (code, log) = watching.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn temporary_and_lock_files_are_not_returns() {
    let case = Case::new();
    let mut watching = Watching::start(&case, &["--period", "2014-15-Q2"]);
    let page = case.period_dir("2014-15-Q2").join("returns.html");
    std::fs::write(case.inputs().join("~$LC return.xlsx"), b"lock").unwrap();
    std::fs::write(case.inputs().join("LC return.xlsx.part"), b"half").unwrap();
    std::fs::write(case.inputs().join("notes.csv"), b"a,b\n").unwrap();
    watching.wait_for("the other file", |log, _| log.contains("notes.csv"));
    watching.wait_for("the page listing it", |_, _| {
        read(&page).contains("notes.csv")
    });
    let text = read(&page);
    assert!(!text.contains(".part") && !text.contains("~$"), "{text}");
    let (code, log) = watching.stop("INT");
    assert_eq!(code, Some(0));
    assert!(!log.contains("~$") && !log.contains(".part"), "{log}");
}

#[test]
fn templates_changed_while_watching_are_picked_up_and_a_broken_one_is_not() {
    let case = Case::new();
    let mut watching = Watching::start(&case, &["--period", "2014-15-Q2"]);
    let page = case.period_dir("2014-15-Q2").join("returns.html");
    assert!(read(&page).contains("14 October 2014"));
    case.edit_template(
        "scorecard.toml",
        "days_after_quarter_end = 14",
        "days_after_quarter_end = 21",
    );
    watching.wait_for("the new deadline", |_, _| {
        read(&page).contains("21 October 2014")
    });
    case.edit_template(
        "scorecard.toml",
        "days_after_quarter_end = 21",
        "days_after_quarter_end = 210",
    );
    watching.wait_for("the template mistake", |log, _| {
        log.contains("cannot be used") && log.contains("days_after_quarter_end is 210")
    });
    assert!(read(&page).contains("21 October 2014"), "the page is kept");
    let (code, log) = watching.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn an_ssda903_extract_dropped_in_is_read_and_gets_its_feedback() {
    let case = Case::new();
    let mut watching = Watching::start(&case, &["--period", "2014-15-Q2"]);
    let folder = case.inputs().join("2014-15-Q2").join("ssda903");
    std::fs::create_dir_all(&folder).unwrap();
    for entry in std::fs::read_dir(root().join("inputs/2014-15-Q2/ssda903")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), folder.join(entry.file_name())).unwrap();
    }
    // The sample extract has three children with errors on purpose.
    watching.wait_for("the extract", |log, _| {
        log.contains("2014-15-Q2/ssda903/: SSDA903 extract for 2014-15 Q2")
            && log.contains("3 left out")
    });
    // Its feedback shows the values at fault: in restricted/ only.
    let feedback = case
        .period_dir("2014-15-Q2")
        .join("restricted/feedback/ssda903 2014-15-Q2-ssda903.xlsx");
    watching.wait_for("its feedback", |_, _| feedback.is_file());
    assert!(!case
        .period_dir("2014-15-Q2")
        .join("feedback/ssda903 2014-15-Q2-ssda903.xlsx")
        .exists());
    // Taking it away removes its feedback.
    std::fs::remove_dir_all(&folder).unwrap();
    watching.wait_for("its feedback removed", |_, _| !feedback.exists());
    let (code, log) = watching.stop("INT");
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn a_census_dropped_in_is_read_and_gets_its_feedback_and_no_child_is_printed() {
    let case = Case::new();
    let mut watching = Watching::start(&case, &["--period", "2014-15-Q2"]);
    let folder = case.inputs().join("2014-15-Q2").join("cin");
    std::fs::create_dir_all(&folder).unwrap();
    let name = "CIN census 2014-15-Q2.xml";
    let xml = std::fs::read_to_string(root().join("inputs/2014-15-Q2/cin").join(name)).unwrap();
    std::fs::write(folder.join(name), &xml).unwrap();
    // The sample census has six children with errors on purpose.
    watching.wait_for("the census", |log, _| {
        log.contains("2014-15-Q2/cin/CIN census 2014-15-Q2.xml") && log.contains("6 left out")
    });
    // Its feedback shows the values at fault: in restricted/ only.
    let feedback = case
        .period_dir("2014-15-Q2")
        .join("restricted/feedback/cin 2014-15-Q2-cin-CIN census 2014-15-Q2.xlsx");
    watching.wait_for("its feedback", |_, _| feedback.is_file());
    assert!(!case
        .period_dir("2014-15-Q2")
        .join("feedback")
        .join(feedback.file_name().unwrap())
        .exists());
    // Taking it away removes its feedback.
    std::fs::remove_file(folder.join(name)).unwrap();
    watching.wait_for("its feedback removed", |_, _| !feedback.exists());
    let (code, log) = watching.stop("INT");
    assert_eq!(code, Some(0), "{log}");
    let ids: Vec<&str> = xml
        .split("<LAchildID>")
        .skip(1)
        .filter_map(|s| s.split("</LAchildID>").next())
        .map(str::trim)
        .filter(|s| s.len() > 3)
        .collect();
    assert!(ids.len() > 100, "{}", ids.len());
    for id in ids {
        assert!(!log.contains(id), "{id} was printed:\n{log}");
    }
}

/// Writes `bytes` to `path` as a copy over a loaded network share arrives:
/// in blocks ending at `cuts`, stalling between them for `stalls`, each
/// longer than watch's settle time. Through each stall `look(block)` is
/// called again and again; the stall lasts until it returns true as well.
fn copy_slowly(
    bytes: &[u8],
    path: &Path,
    cuts: &[usize],
    stalls: &[Duration],
    mut look: impl FnMut(usize) -> bool,
) {
    assert_eq!(cuts.len(), stalls.len());
    let mut file = std::fs::File::create(path).unwrap();
    let mut from = 0;
    for (block, &to) in cuts.iter().chain([&bytes.len()]).enumerate() {
        file.write_all(&bytes[from..to]).unwrap();
        file.flush().unwrap();
        from = to;
        let Some(stall) = stalls.get(block) else {
            break;
        };
        let start = Instant::now();
        loop {
            let done = look(block);
            if done && start.elapsed() >= *stall {
                break;
            }
            assert!(
                start.elapsed() < BOUND,
                "no end to the stall after block {block}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Stalls of 1.2 to 3 seconds, as seen between the blocks of a copy over
/// a loaded share.
const STALLS: [Duration; 4] = [
    Duration::from_millis(1500),
    Duration::from_millis(2500),
    Duration::from_millis(1200),
    Duration::from_millis(3000),
];

/// Whether the status page lists `name` as still arriving.
fn shown_arriving(page: &str, name: &str) -> bool {
    page.split_once("id=\"arriving\"")
        .and_then(|(_, rest)| rest.split_once("</ul>"))
        .is_some_and(|(list, _)| list.contains(name))
}

#[test]
fn a_return_copied_slowly_is_shown_arriving_and_judged_once_whole() {
    let case = Case::new();
    let mut watching = Watching::start(&case, &["--period", "2014-15-Q2"]);
    let quarter = case.period_dir("2014-15-Q2");
    let page = quarter.join("returns.html");
    let feedback = quarter.join("feedback/LC return.xlsx");
    let bytes = bytes_of(&good_leaving_care());
    let cuts: Vec<usize> = (1..=4).map(|k| bytes.len() * k / 5).collect();
    let mut seen_arriving = false;
    copy_slowly(
        &bytes,
        &case.inputs().join("LC return.xlsx"),
        &cuts,
        &STALLS,
        |block| {
            let log = watching.log();
            assert!(
                !log.contains("LC return.xlsx: REJECTED")
                    && !log.contains("LC return.xlsx: accepted"),
                "judged after block {block} of 5:\n{log}"
            );
            assert!(
                !feedback.exists(),
                "feedback written after block {block} of 5:\n{log}"
            );
            seen_arriving |= shown_arriving(&read(&page), "LC return.xlsx");
            // The first stall lasts until the page says so.
            block > 0 || seen_arriving
        },
    );
    assert!(seen_arriving, "{}", read(&page));
    watching.wait_for("the acceptance", |log, _| {
        log.contains("LC return.xlsx: accepted")
    });
    watching.wait_for("the page", |_, _| {
        let text = read(&page);
        row_of(&text, "Leaving Care").is_some_and(|r| r.contains("Accepted"))
            && !shown_arriving(&text, "LC return.xlsx")
    });
    let (code, log) = watching.stop("INT");
    assert_eq!(code, Some(0), "{log}");
    // Said once when it was first seen arriving, not at every look.
    let arriving: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("] LC return.xlsx: still arriving (not whole yet)"))
        .collect();
    assert_eq!(arriving.len(), 1, "{log}");
    let verdicts = log
        .lines()
        .filter(|l| l.contains("] LC return.xlsx: ") && !l.contains("still arriving"))
        .count();
    assert_eq!(verdicts, 1, "{log}");
    assert!(!feedback.exists(), "an accepted return needs no feedback");
}

#[test]
fn an_extract_list_copied_slowly_is_not_used_part_way() {
    let case = Case::new();
    // Every list of the sample extract but its episodes, already there.
    let from = root().join("inputs/2014-15-Q2/ssda903");
    let folder = case.inputs().join("2014-15-Q2/ssda903");
    std::fs::create_dir_all(&folder).unwrap();
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "episodes.csv" {
            std::fs::copy(entry.path(), folder.join(entry.file_name())).unwrap();
        }
    }
    let mut watching = Watching::start(&case, &["--period", "2014-15-Q2"]);
    let page = case.period_dir("2014-15-Q2").join("returns.html");
    let bytes = std::fs::read(from.join("episodes.csv")).unwrap();
    // Blocks end part-way through a row, as a copy's blocks do, each after
    // the header row.
    let cuts: Vec<usize> = (1..=4)
        .map(|k| {
            let near = bytes.len() * k / 5;
            let line = bytes[near..].iter().position(|b| *b == b'\n').unwrap();
            near + line + 4
        })
        .collect();
    let name = "2014-15-Q2/ssda903/episodes.csv";
    let mut seen_arriving = false;
    copy_slowly(
        &bytes,
        &folder.join("episodes.csv"),
        &cuts,
        &STALLS,
        |block| {
            let log = watching.log();
            assert!(
                !log.contains("SSDA903 extract for") && !log.contains("REFUSED"),
                "the extract was judged after block {block} of 5:\n{log}"
            );
            seen_arriving |= shown_arriving(&read(&page), name);
            block > 0 || seen_arriving
        },
    );
    assert!(seen_arriving, "{}", read(&page));
    watching.wait_for("the extract", |log, _| {
        log.contains("2014-15-Q2/ssda903/: SSDA903 extract for 2014-15 Q2, 1,303 children")
    });
    watching.wait_for("the page", |_, _| {
        let text = read(&page);
        text.contains("1,303 children") && !shown_arriving(&text, name)
    });
    let (code, log) = watching.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("SSDA903 extract for"))
            .count(),
        1,
        "used once, whole:\n{log}"
    );
    assert!(!log.contains("REFUSED"), "{log}");
    assert_eq!(
        log.lines()
            .filter(|l| l.contains(&format!("] {name}: still arriving")))
            .count(),
        1,
        "{log}"
    );
}

#[test]
fn a_damaged_return_there_before_watch_started_is_rejected_at_once() {
    let case = Case::new();
    let path = case.inputs().join("LC return.xlsx");
    // A zip's first bytes and then nothing a zip should hold, last changed
    // an hour ago: damaged, not still arriving.
    let mut garbage = b"PK\x03\x04".to_vec();
    garbage.extend((0..4000u32).map(|i| (i * 7919 % 251) as u8));
    std::fs::write(&path, &garbage).unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    drop(file);
    let watching = Watching::start(&case, &["--period", "2014-15-Q2"]);
    let quarter = case.period_dir("2014-15-Q2");
    // The first look decided it: its feedback and the page are there.
    let feedback = quarter.join("feedback/LC return.xlsx");
    assert!(feedback.is_file(), "{}", watching.log());
    let problems = read_sheet(&feedback, "Problems");
    assert!(
        problems
            .iter()
            .flatten()
            .any(|c| c.contains("file-corrupt")),
        "{problems:?}"
    );
    let text = read(&quarter.join("returns.html"));
    assert!(text.contains("Rejected"), "{text}");
    assert!(!shown_arriving(&text, "LC return.xlsx"), "{text}");
    let (code, log) = watching.stop("INT");
    assert_eq!(code, Some(0), "{log}");
    assert!(!log.contains("still arriving"), "{log}");
}

#[test]
fn a_second_watch_on_the_same_inputs_is_refused() {
    let case = Case::new();
    let first = Watching::start(&case, &["--period", "2014-15-Q2"]);
    let second = watch_command(&case)
        .args(["--period", "2014-15-Q2"])
        .output()
        .unwrap();
    let said = stderr(&second);
    assert_eq!(second.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "another scorecard watch (process {}) is already watching the inputs folder inputs",
            first.child.id()
        )),
        "{said}"
    );
    // The first goes on, and once it has stopped another may start.
    let (code, log) = first.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
    let again = Watching::start(&case, &["--period", "2014-15-Q2"]);
    let (code, log) = again.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
}
