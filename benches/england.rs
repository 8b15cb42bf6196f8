//! England's year of looked-after children through the whole run:
//! `cargo bench --bench england`.
//!
//! Simulates about 250,000 people (the same every time, from the
//! generator the sample uses), exports them at 30/09/2014 as the six CSV
//! lists of an SSDA903 extract (about 1.9 million rows) under the build's
//! temporary folder, then measures, each as a command of its own:
//!
//! - a bare Python `csv` pass over the same files (every row read, nothing
//!   done): the yardstick the target is set against;
//! - `scorecard run` on them: read, checked, ten figures worked out, every
//!   document and the restricted workbook written; its wall time and peak
//!   memory (the kernel's `ru_maxrss`);
//! - `scorecard watch` on them: how long until its first look is done, the
//!   memory it holds while idle after it, and how soon it stops on SIGTERM.
//!
//! Record the figures in docs/performance.md.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod timing;
use timing::median;

use scorecard::period::Period;
use scorecard::ssda903::sample::{csv_lists, simulate, snapshot};

/// People simulated: about England's children looked after over the
/// years an extract covers, with its care leavers.
const PEOPLE: usize = 250_000;
const RUNS: usize = 3;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-england")
}

fn templates() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates")
}

/// Writes the extract once; later runs reuse it.
fn extract(inputs: &Path, period: Period) -> (Vec<PathBuf>, usize, usize) {
    let dir = inputs.join(period.id()).join("ssda903");
    let done = root().join(format!("made-{PEOPLE}"));
    let names = [
        "header.csv",
        "episodes.csv",
        "reviews.csv",
        "oc2.csv",
        "oc3.csv",
        "placed_for_adoption.csv",
    ];
    let files: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    if !done.is_file() {
        let _ = std::fs::remove_dir_all(inputs);
        std::fs::create_dir_all(&dir).expect("bench folder");
        let end = period.last_day();
        let children = snapshot(&simulate(PEOPLE, 2014, end), end);
        for (name, text) in csv_lists(&children, end) {
            std::fs::write(dir.join(name), text).expect("write list");
        }
        std::fs::write(&done, b"").expect("mark");
    }
    let mut rows = 0;
    let mut bytes = 0;
    for f in &files {
        let text = std::fs::read(f).expect("read list");
        rows += text.iter().filter(|b| **b == b'\n').count() - 1;
        bytes += text.len();
    }
    (files, rows, bytes)
}

/// A command's wall time and peak memory in MB (its own and its
/// children's, from the kernel). The child is reaped by `wait4`, which
/// gives its own peak, rather than by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn measure(command: &mut Command) -> (Duration, f64, i32) {
    let started = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, with valid pointers.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = started.elapsed();
    assert_eq!(waited, pid, "wait4");
    let code = std::process::ExitStatus::from_raw(status)
        .code()
        .unwrap_or(-1);
    (elapsed, usage.ru_maxrss as f64 / 1024.0, code)
}

fn python_pass(files: &[PathBuf]) -> Duration {
    let script = "import csv, sys\nn = 0\nfor f in sys.argv[1:]:\n    with open(f, newline='') as h:\n        for row in csv.reader(h):\n            n += 1\nprint(n)\n";
    median(
        (0..RUNS)
            .map(|_| {
                let (t, _, code) =
                    measure(Command::new("python3").arg("-c").arg(script).args(files));
                assert_eq!(code, 0, "python3");
                t
            })
            .collect(),
    )
}

/// `VmRSS` of a process, in MB.
fn resident_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// Starts `watch`, waits for its first look, and returns how long that
/// took, the memory it then holds idle, and how soon it stopped.
fn watch(inputs: &Path, out: &Path) -> (Duration, f64, Duration) {
    let _ = std::fs::remove_dir_all(out);
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scorecard"))
        .args(["watch", "--period", "2014-15-Q2", "--templates"])
        .arg(templates())
        .arg("--inputs")
        .arg(inputs)
        .arg("--output")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start watch");
    let stdout = child.stdout.take().expect("watch's log");
    let mut lines = BufReader::new(stdout).lines();
    let mut ready = None;
    for line in lines.by_ref().map_while(Result::ok) {
        if line.contains("checked in") {
            ready = Some(started.elapsed());
            break;
        }
    }
    let ready = ready.expect("watch's first look");
    // Idle for a few of its looks over inputs/.
    std::thread::sleep(Duration::from_secs(5));
    let idle = resident_mb(child.id());
    let stopping = Instant::now();
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    std::thread::spawn(move || for _ in lines.by_ref() {});
    let _ = child.wait();
    (ready, idle, stopping.elapsed())
}

fn main() {
    let period = Period::new(2014, 2).expect("a valid quarter");
    let inputs = root().join("inputs");
    let (files, rows, bytes) = extract(&inputs, period);
    println!(
        "extract: {} rows in six CSV lists, {:.0} MB",
        rows,
        bytes as f64 / 1e6
    );
    let python = python_pass(&files);
    println!(
        "bare Python csv pass over the lists: {:.2} s (median of {RUNS})",
        python.as_secs_f64()
    );
    let out = root().join("output");
    let runs: Vec<(Duration, f64, i32)> = (0..RUNS)
        .map(|_| {
            let _ = std::fs::remove_dir_all(&out);
            measure(
                Command::new(env!("CARGO_BIN_EXE_scorecard"))
                    .arg("run")
                    .arg("--inputs")
                    .arg(&inputs)
                    .arg("--templates")
                    .arg(templates())
                    .arg("--output")
                    .arg(&out),
            )
        })
        .collect();
    // No returns, so every service is missing: status 3 is the run working.
    assert!(runs.iter().all(|r| r.2 == 3), "run failed: {runs:?}");
    let run = median(runs.iter().map(|r| r.0).collect());
    let peak = runs.iter().map(|r| r.1).fold(0.0, f64::max);
    println!(
        "scorecard run, every output written: {:.2} s (median of {RUNS}), {:.2}x the Python pass; peak memory {:.0} MB",
        run.as_secs_f64(),
        run.as_secs_f64() / python.as_secs_f64(),
        peak
    );
    let restricted = out
        .join(period.id())
        .join("restricted/ssda903-children.xlsx");
    println!(
        "restricted workbook: {:.1} MB",
        std::fs::metadata(&restricted).map_or(0.0, |m| m.len() as f64 / 1e6)
    );
    let (ready, idle, stop) = watch(&inputs, &root().join("watch-output"));
    println!(
        "scorecard watch: first look done in {:.2} s; {:.0} MB held idle; stopped {:.0} ms after SIGTERM",
        ready.as_secs_f64(),
        idle,
        stop.as_secs_f64() * 1e3
    );
}
