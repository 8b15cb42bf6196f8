//! The pipeline against its limit: `cargo bench --bench pipeline`.
//!
//! Generates three input sets, the same every time, under the build's
//! temporary folder (made once, then reused, by `common/mod.rs`, which
//! `reference.rs` shares):
//!
//! - **typical**: 10 services, 24 quarters of history;
//! - **large**: 10 services, 40 quarters;
//! - **heavy**: 20 returns that each carry an extra sheet of 50,000 rows ×
//!   20 columns (a pasted case list).
//!
//! For each it times the raw-read limit (open every file and read every cell
//! of every sheet with calamine, in parallel, nothing else), reading +
//! validating + aggregating, and the whole run with reports; it measures
//! peak memory of a whole run in a child process, the speed-up from 1 to 2
//! threads on the read stage, `--all-periods` on the large set, and
//! `scorecard check` on one return from start-up to exit, and how soon
//! `scorecard watch` brings the status page up to date after a return is
//! saved. Figures are the
//! median of several runs; record them in docs/performance.md.

/// The allocator the program uses (see `src/main.rs`), so that times and
/// peak memory are the program's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;
mod timing;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{bench_root, generate, median, ms, once, templates_dir, time, whole_run};
use rayon::prelude::*;
use scorecard::aggregate;
use scorecard::config::Templates;
use scorecard::discover;
use scorecard::pipeline;

const RUNS: usize = 9;

/// Times pieces of work in turns, so that a slow spell of the machine
/// falls on all alike; returns the median of each.
fn time_in_turns<const N: usize>(runs: usize, mut work: [&mut dyn FnMut(); N]) -> [Duration; N] {
    let mut times: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::with_capacity(runs));
    for _ in 0..runs {
        for (f, t) in work.iter_mut().zip(times.iter_mut()) {
            t.push(once(f));
        }
    }
    times.map(median)
}

/// The limit: open every file and read every cell of every sheet, in
/// parallel, and nothing else.
fn raw_read(files: &[PathBuf]) -> usize {
    use calamine::{open_workbook_auto, Reader};
    files
        .par_iter()
        .map(|f| {
            let mut book = open_workbook_auto(f).unwrap();
            let mut cells = 0;
            for name in book.sheet_names() {
                let range = book.worksheet_range(&name).unwrap();
                cells += range.used_cells().count();
            }
            cells
        })
        .sum()
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    discover::discover(dir)
        .unwrap()
        .returns
        .into_iter()
        .map(|f| f.path)
        .collect()
}

/// Reading, validating and aggregating the latest quarter.
fn read_validate_aggregate(templates: &Templates, dir: &Path) {
    let found = discover::discover(dir).unwrap();
    let returns = pipeline::check_returns(templates, &found.returns);
    let latest = *aggregate::periods_found(&returns).last().unwrap();
    std::hint::black_box(aggregate::aggregate(templates, &returns, latest));
}

/// A number from one of this process's files under `/proc/self` (Linux):
/// the first on the line that starts with `key`.
fn proc_figure(file: &str, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/self/{file}"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<f64>().ok())
        })
        .unwrap_or(f64::NAN)
}

/// Peak resident memory of this process so far, in MB.
fn peak_mb() -> f64 {
    proc_figure("status", "VmHWM:") / 1024.0
}

/// Bytes this process has read so far through the operating system, in MB:
/// every file read, once per read.
fn read_mb() -> f64 {
    proc_figure("io", "rchar:") / 1e6
}

/// Runs a whole run in a fresh process and returns its peak memory and
/// how much it read, in MB.
fn child_peak(dir: &Path, out: &Path) -> (f64, f64) {
    let exe = std::env::current_exe().unwrap();
    let o = Command::new(exe)
        .args(["--child", dir.to_str().unwrap(), out.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    let mut figures = text
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(f64::NAN));
    (
        figures.next().unwrap_or(f64::NAN),
        figures.next().unwrap_or(f64::NAN),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        whole_run(Path::new(&args[2]), Path::new(&args[3]), false);
        println!("{:.1} {:.2}", peak_mb(), read_mb());
        return;
    }
    let templates = Templates::load(&templates_dir()).unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("scorecard pipeline benchmark: {cores} cores, median of {RUNS} runs");
    println!();
    println!("| input | files | raw read (limit) | read+validate+aggregate | ratio to limit | whole run with reports | peak memory | read from disk / inputs |");
    println!("|---|---|---|---|---|---|---|---|");
    let scenarios = [
        ("typical", generate("typical", 24, false)),
        ("large", generate("large", 40, false)),
        ("heavy", generate("heavy", 2, true)),
    ];
    for (name, dir) in &scenarios {
        let files = files_of(dir);
        let [raw, stage] = time_in_turns(
            RUNS,
            [
                &mut || {
                    std::hint::black_box(raw_read(&files));
                },
                &mut || read_validate_aggregate(&templates, dir),
            ],
        );
        let out = bench_root().join(name).join("output");
        let whole = time(RUNS.min(3), || whole_run(dir, &out, false));
        let (peak, read) = child_peak(dir, &out);
        let inputs: u64 = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        println!(
            "| {name} | {} | {:.0} ms | {:.0} ms | {:.2}× | {:.0} ms | {peak:.0} MB | {read:.1} MB / {:.1} MB |",
            files.len(),
            ms(raw),
            ms(stage),
            stage.as_secs_f64() / raw.as_secs_f64(),
            ms(whole),
            inputs as f64 / 1e6,
        );
    }
    println!();

    let large = &scenarios[1].1;
    let found = discover::discover(large).unwrap();
    let pool = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    };
    let (pool1, pool2) = (pool(1), pool(2));
    let read_on = |pool: &rayon::ThreadPool| {
        pool.install(|| {
            std::hint::black_box(pipeline::check_returns(&templates, &found.returns));
        })
    };
    // How much a second thread helps depends on the machine at the moment
    // (its second core is shared with others), and on memory as much as on
    // work: the raw read of the same files, timed in the same turns, shows
    // what the library alone gets from it.
    const THREAD_RUNS: usize = 15;
    let large_files = files_of(large);
    let raw_on = |pool: &rayon::ThreadPool| {
        pool.install(|| {
            std::hint::black_box(raw_read(&large_files));
        })
    };
    let [one, two, raw_one, raw_two] = time_in_turns(
        THREAD_RUNS,
        [
            &mut || read_on(&pool1),
            &mut || read_on(&pool2),
            &mut || raw_on(&pool1),
            &mut || raw_on(&pool2),
        ],
    );
    println!(
        "Read stage of large: 1 thread {:.0} ms, 2 threads {:.0} ms: {:.2}× faster \
         (raw read of the same files at the same time: {:.0} ms, {:.0} ms: {:.2}×; medians of {THREAD_RUNS}).",
        ms(one),
        ms(two),
        one.as_secs_f64() / two.as_secs_f64(),
        ms(raw_one),
        ms(raw_two),
        raw_one.as_secs_f64() / raw_two.as_secs_f64(),
    );
    let out = bench_root().join("large").join("output-all");
    let all = time(1, || whole_run(large, &out, true));
    println!(
        "--all-periods on large (40 quarters of reports): {:.1} s.",
        all.as_secs_f64()
    );

    let one_return = files_of(&scenarios[0].1).into_iter().next().unwrap();
    let exe = env!("CARGO_BIN_EXE_scorecard");
    let check = time(9, || {
        let status = Command::new(exe)
            .args(["check", "--templates", templates_dir().to_str().unwrap()])
            .arg(&one_return)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.code().is_some());
    });
    println!(
        "scorecard check on one return, start-up included: {:.0} ms.",
        ms(check)
    );

    let (written, settled) = watch_latency(&scenarios[0].1, exe);
    println!(
        "scorecard watch on typical, one return saved again: status page up to date {:.0} ms after the file was written ({:.0} ms of that is the settle wait); {:.0} ms after it settled, by watch's own log.",
        ms(written),
        ms(watch_settle()),
        ms(settled)
    );
}

fn watch_settle() -> Duration {
    scorecard::watch::SETTLE
}

/// Starts `scorecard watch` on a copy of `inputs`, saves one of the latest
/// quarter's returns again RUNS times, and returns the median time from the
/// end of each write to the status page being rewritten, and the median
/// time watch's log gives from the file settling to the page.
fn watch_latency(inputs: &Path, exe: &str) -> (Duration, Duration) {
    use std::io::BufRead;
    let dir = bench_root().join("watch");
    let _ = std::fs::remove_dir_all(&dir);
    let copy = dir.join("inputs");
    for f in files_of(inputs) {
        let to = copy.join(f.strip_prefix(inputs).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&f, &to).unwrap();
    }
    let mut child = Command::new(exe)
        .args(["watch", "--templates", templates_dir().to_str().unwrap()])
        .current_dir(&dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    // The first look ends with "checked in".
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        if line.contains("checked in") {
            break;
        }
    }
    let mut files = files_of(&copy);
    files.sort();
    let target = files.last().unwrap().clone();
    let quarter = target.parent().unwrap().file_name().unwrap().to_owned();
    let page = dir.join("output").join(quarter).join("returns.html");
    let bytes = std::fs::read(&target).unwrap();
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let mut written = Vec::new();
    let mut settled = Vec::new();
    for _ in 0..RUNS {
        let before = modified(&page);
        std::fs::write(&target, &bytes).unwrap();
        let t0 = Instant::now();
        while modified(&page) == before {
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "watch did not update the page"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        written.push(t0.elapsed());
        // "… (0.05s after the file settled)"
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
            if let Some(rest) = line
                .split(" (")
                .last()
                .and_then(|r| r.strip_suffix("s after the file settled)"))
            {
                settled.push(Duration::from_secs_f64(
                    rest.parse().expect("watch gives seconds"),
                ));
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    (median(written), median(settled))
}
