//! The whole quarterly run against a Python script doing the same job:
//! `cargo bench --bench reference`.
//!
//! The script, `benches/reference/quarterly_run.py`, reads the returns with
//! openpyxl (read-only, cached values), checks them, combines and judges the
//! figures, and writes a committee report with reportlab, a scorecard with
//! openpyxl and the CSV of every figure (see `benches/reference/README.md`).
//! Both are run on the *large* input set of `benches/pipeline.rs` (10
//! services × 40 quarters: 400 returns), after one untimed run of each that
//! warms the file cache and whose CSVs are compared figure by figure, so
//! that the two are known to have done the same sums. Then they are timed
//! in turns, three times each, and the medians and their ratio printed:
//! the Rust run in this process as `pipeline.rs` times it (the last run's
//! layouts freed before the clock starts, as a command never frees them),
//! and, for
//! fairness to the script, which starts an interpreter and imports its
//! libraries, `scorecard run` as a command too; and the Rust run on one
//! thread, since the script uses one core and the machine has more.
//!
//! The script is run with the interpreter itself (`sys.executable`), not
//! through a launcher such as a pyenv shim, and its stage timings are set
//! beside those of scorecard's run record.
//!
//! Needs `python3` with the packages in `benches/reference/requirements.txt`;
//! without them it says how to install them and stops (`PYTHON=...` picks
//! another interpreter, for example a virtual environment's).

/// The allocator the program uses (see `src/main.rs`), so that times and
/// peak memory are the program's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;
mod timing;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{bench_root, generate, median, ms, once, templates_dir, time, whole_run};
use scorecard::discover;

const RUNS: usize = 3;

/// The quarter the generated inputs end with, and so the one reported.
const QUARTER: &str = "2014-15-Q2";

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference/quarterly_run.py")
}

/// The interpreter to time and, for the report, its and the two
/// libraries' versions; or why they cannot be used. The interpreter is the
/// program itself, not a launcher such as a pyenv shim in front of it
/// (which can take longer to start than the script takes to run).
fn python_interpreter() -> Result<(String, String), String> {
    let probe = "import sys, openpyxl, reportlab; print(sys.executable); \
                 print(f'Python {sys.version.split()[0]}, openpyxl {openpyxl.__version__}, reportlab {reportlab.Version}')";
    match Command::new(python()).args(["-c", probe]).output() {
        Err(e) => Err(format!("{} cannot be started ({e}).", python())),
        Ok(o) if !o.status.success() => Err(format!(
            "{} lacks a package the script needs: {}",
            python(),
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        )),
        Ok(o) => {
            let text = String::from_utf8_lossy(&o.stdout).to_string();
            let mut lines = text.lines();
            match (lines.next(), lines.next()) {
                (Some(exe), Some(versions)) if !exe.is_empty() => {
                    Ok((exe.to_string(), versions.to_string()))
                }
                _ => Err(format!("{} did not say where it is installed.", python())),
            }
        }
    }
}

/// Seconds per stage, by the stage's name.
type Stages = BTreeMap<String, f64>;

/// Runs the Python script once with the interpreter `exe` and returns the
/// seconds it spent in each stage (its last line of output); stops the
/// benchmark if it fails.
fn python_run(exe: &str, inputs: &Path, out: &Path) -> Stages {
    let o = Command::new(exe)
        .arg(script())
        .arg("--inputs")
        .arg(inputs)
        .arg("--templates")
        .arg(templates_dir())
        .arg("--output")
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the Python interpreter starts");
    // 3 means "reports written, some returns rejected", as for scorecard.
    if !matches!(o.status.code(), Some(0 | 3)) {
        eprintln!("{}", String::from_utf8_lossy(&o.stderr));
        eprintln!("the Python script failed ({})", o.status);
        std::process::exit(1);
    }
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("timings "))
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default()
}

/// The seconds each stage of scorecard's run took, from its run record.
fn rust_stages(out: &Path) -> Stages {
    let record = out.join(QUARTER).join("run-record.json");
    let json: serde_json::Value = std::fs::read(&record)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    json["timings_seconds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|pair| Some((pair[0].as_str()?.to_string(), pair[1].as_f64()?)))
        .collect()
}

/// The rows of the table of stages: what each side calls the stages that
/// do the same work. scorecard's stages not named here are counted as work
/// only it does.
const ROWS: [(&str, &[&str], &[&str]); 6] = [
    ("import the libraries", &[], &["imports"]),
    (
        "read the templates, find, read and check the returns",
        &["templates", "discover", "read and validate"],
        &["read and check"],
    ),
    (
        "combine and judge (and word the report)",
        &["aggregate", "narrate"],
        &["combine"],
    ),
    ("data/indicators.csv", &["render csv"], &["csv"]),
    ("scorecard.xlsx", &["render excel"], &["excel"]),
    (
        "committee-report.pdf (scorecard: the typeset stage, the plan and web page typeset beside the report, then the file written)",
        &[TYPESET, "render committee report"],
        &["pdf"],
    ),
];

/// The stage that typesets a quarter's documents, before anything is
/// written.
const TYPESET: &str = "typeset";

/// What the run record times within [`TYPESET`]: its documents, typeset at
/// once, and what they share first. They overlap each other and lie inside
/// the stage, so they are never added to it.
const INSIDE_TYPESET: [&str; 4] = [
    "load the fonts and Typst's library",
    "typeset committee report",
    "typeset improvement plan",
    "lay out committee report (HTML)",
];

/// The time a run spent outside the stages it timed.
const REST: &str = "(rest)";

/// A run's stages with the time outside them added, as [`REST`].
fn with_rest(mut stages: Stages, whole: Duration) -> Stages {
    let timed: f64 = stages
        .iter()
        .filter(|(name, _)| !INSIDE_TYPESET.contains(&name.as_str()))
        .map(|(_, seconds)| seconds)
        .sum();
    stages.insert(REST.to_string(), (whole.as_secs_f64() - timed).max(0.0));
    stages
}

/// Prints the medians of each stage on each side, beside the medians of
/// the whole runs.
fn print_stages(rust: &[Stages], rust_whole: Duration, python: &[Stages], python_whole: Duration) {
    let median_of = |runs: &[Stages], names: &[&str]| {
        let sums = runs
            .iter()
            .map(|s| Duration::from_secs_f64(names.iter().filter_map(|n| s.get(*n)).sum()))
            .collect();
        median(sums)
    };
    let cell = |d: Duration, names: &[&str]| {
        if names.is_empty() {
            "–".to_string()
        } else {
            seconds(d)
        }
    };
    println!("| stage | scorecard | Python |");
    println!("|---|---|---|");
    for (what, ours, theirs) in ROWS {
        let (a, b) = (median_of(rust, ours), median_of(python, theirs));
        println!("| {what} | {} | {} |", cell(a, ours), cell(b, theirs));
    }
    let mut named: Vec<&str> = ROWS.iter().flat_map(|r| r.1.iter().copied()).collect();
    named.push(REST);
    named.extend(INSIDE_TYPESET);
    let mut others: Vec<&str> = rust
        .iter()
        .flat_map(|s| s.keys())
        .map(String::as_str)
        .filter(|n| !named.contains(n))
        .collect();
    others.sort();
    others.dedup();
    let other = median_of(rust, &others);
    println!(
        "| only scorecard: {} | {} | – |",
        others.join(", "),
        seconds(other)
    );
    println!(
        "| the rest (scorecard: run record, moving files into place; Python: starting the interpreter) | {} | {} |",
        seconds(median_of(rust, &[REST])),
        seconds(median_of(python, &[REST]))
    );
    println!(
        "| whole run | {} | {} |",
        seconds(rust_whole),
        seconds(python_whole)
    );
    println!();
    let shares: Vec<Duration> = rust
        .iter()
        .map(|s| {
            let whole: f64 = s
                .iter()
                .filter(|(name, _)| !INSIDE_TYPESET.contains(&name.as_str()))
                .map(|(_, seconds)| seconds)
                .sum();
            // A share in millionths, so that the median of `Duration`s serves.
            Duration::from_micros((s.get(TYPESET).copied().unwrap_or(0.0) / whole * 1e6) as u64)
        })
        .collect();
    println!(
        "Typesetting, scorecard: the typeset stage {} of the whole run ({:.0} % of it, median of the runs' shares); \
         within it, at once, the committee report {}, the improvement plan {} and the web page {}.",
        seconds(median_of(rust, &[TYPESET])),
        median(shares).as_secs_f64() * 100.0,
        seconds(median_of(rust, &[INSIDE_TYPESET[1]])),
        seconds(median_of(rust, &[INSIDE_TYPESET[2]])),
        seconds(median_of(rust, &[INSIDE_TYPESET[3]])),
    );
}

/// Runs `scorecard run` as a command, from start-up to exit.
fn command_run(inputs: &Path, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_scorecard"))
        .args(["--quiet", "run", "--inputs"])
        .arg(inputs)
        .arg("--templates")
        .arg(templates_dir())
        .arg("--output")
        .arg(out)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("scorecard starts");
    assert!(matches!(status.code(), Some(0 | 3)), "scorecard run failed");
}

/// The CSV's rows, keyed by period and ref, each a map of column to text.
fn csv_rows(path: &Path) -> BTreeMap<(String, String), BTreeMap<String, String>> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let heads = reader.headers().expect("a header row").clone();
    reader
        .records()
        .map(|r| {
            let row: BTreeMap<String, String> = heads
                .iter()
                .zip(r.expect("a CSV row").iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            ((row["period"].clone(), row["ref"].clone()), row)
        })
        .collect()
}

/// Compares the two CSVs figure by figure; returns how many rows agree,
/// how many were compared, and the first few differences.
fn compare(rust: &Path, python: &Path) -> (usize, usize, Vec<String>) {
    const TEXT: [&str; 5] = ["display", "target", "rag", "direction", "status"];
    const NUMBERS: [&str; 3] = ["numerator", "denominator", "value"];
    let (ours, theirs) = (csv_rows(rust), csv_rows(python));
    let mut differences = Vec::new();
    let mut agree = 0;
    for (key, row) in &ours {
        let Some(other) = theirs.get(key) else {
            differences.push(format!("{} {}: missing from the Python CSV", key.0, key.1));
            continue;
        };
        let mut same = true;
        for col in TEXT {
            if row[col] != other[col] {
                same = false;
                differences.push(format!(
                    "{} {} {col}: {:?} against {:?}",
                    key.0, key.1, row[col], other[col]
                ));
            }
        }
        for col in NUMBERS {
            let (a, b) = (row[col].parse::<f64>(), other[col].parse::<f64>());
            let equal = match (&a, &b) {
                (Ok(a), Ok(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                _ => row[col] == other[col],
            };
            if !equal {
                same = false;
                differences.push(format!(
                    "{} {} {col}: {:?} against {:?}",
                    key.0, key.1, row[col], other[col]
                ));
            }
        }
        agree += usize::from(same);
    }
    let extra = theirs.keys().filter(|k| !ours.contains_key(*k)).count();
    if extra > 0 {
        differences.push(format!("{extra} rows only in the Python CSV"));
    }
    (agree, ours.len(), differences)
}

/// The one-minute load average (Linux), to show how busy the machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}

fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{:.0} ms", ms(d))
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn main() {
    let (exe, versions) = match python_interpreter() {
        Ok(found) => found,
        Err(why) => {
            println!("Not comparing with the Python script: {why}");
            println!("To run the comparison, install Python 3.11 or later and its packages:");
            println!("    pip install -r benches/reference/requirements.txt");
            println!("then run `cargo bench --bench reference` again.");
            return;
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let large = generate("large", 40, false);
    let found = discover::discover(&large).expect("the generated inputs can be listed");
    let bytes: u64 = found
        .returns
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    let root = bench_root().join("reference");
    let (rust_out, command_out, python_out) = (
        root.join("rust-output"),
        root.join("command-output"),
        root.join("python-output"),
    );

    let load_before = load_average();
    // One untimed run of each: warms the file cache and the interpreter's
    // compiled modules, and gives the CSVs to compare.
    whole_run(&large, &rust_out, false);
    python_run(&exe, &large, &python_out);
    let csv_of = |out: &Path| out.join(QUARTER).join("data").join("indicators.csv");
    let (agree, compared, differences) = compare(&csv_of(&rust_out), &csv_of(&python_out));

    // In turns, so that a slow spell of the shared machine falls on all.
    let (mut rust_times, mut command_times, mut python_times) = (vec![], vec![], vec![]);
    let (mut rust_stage_times, mut python_stage_times) = (vec![], vec![]);
    for _ in 0..RUNS {
        // Each timed run lays its documents out afresh, as a run of the
        // command does (`whole_run` sees to it). The last run's layouts are
        // freed before the clock starts: a command never frees them, and
        // freeing a run's worth takes 5 to 10 ms.
        scorecard::typeset::forget_layouts();
        let whole = once(&mut || whole_run(&large, &rust_out, false));
        rust_times.push(whole);
        rust_stage_times.push(with_rest(rust_stages(&rust_out), whole));
        command_times.push(once(&mut || command_run(&large, &command_out)));
        let mut stages = Stages::new();
        let whole = once(&mut || stages = python_run(&exe, &large, &python_out));
        python_times.push(whole);
        python_stage_times.push(with_rest(stages, whole));
    }
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    // Three runs in a row, each freeing the last one's layouts first (a
    // few milliseconds more than the runs above count).
    let rust_one = time(RUNS, || {
        one_thread.install(|| whole_run(&large, &rust_out, false));
    });
    let list = |times: &[Duration]| {
        times
            .iter()
            .map(|t| seconds(*t))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (rust, command, python) = (
        median(rust_times.clone()),
        median(command_times.clone()),
        median(python_times.clone()),
    );

    println!(
        "scorecard against a Python script doing the same job: {cores} cores, median of {RUNS} runs; \
         load average {load_before} before, {} after (the machine is shared)",
        load_average()
    );
    println!(
        "Input: large, {} returns ({:.1} MB), reporting 2014-15 Q2 with its history. {versions} ({exe}).",
        found.returns.len(),
        bytes as f64 / 1e6
    );
    println!();
    println!("| run | median | each run |");
    println!("|---|---|---|");
    println!(
        "| scorecard: whole run with reports, in process (as `pipeline`) | {} | {} |",
        seconds(rust),
        list(&rust_times)
    );
    println!(
        "| `scorecard run` as a command, start-up included | {} | {} |",
        seconds(command),
        list(&command_times)
    );
    println!(
        "| scorecard: whole run on 1 thread, in process | {} | |",
        seconds(rust_one)
    );
    println!(
        "| Python: `quarterly_run.py` (openpyxl + reportlab), as a command | {} | {} |",
        seconds(python),
        list(&python_times)
    );
    println!();
    let ratio = |d: Duration| python.as_secs_f64() / d.as_secs_f64();
    println!(
        "Python script / scorecard whole run: {:.1}× (against `scorecard run` as a command: {:.1}×; against scorecard on 1 thread: {:.1}×).",
        ratio(rust),
        ratio(command),
        ratio(rust_one)
    );
    println!();
    println!("Where the time goes (medians of the same runs; scorecard's from its run record, the script's from its own clock):");
    println!();
    print_stages(&rust_stage_times, rust, &python_stage_times, python);
    println!();
    println!(
        "Figures compared (data/indicators.csv, every quarter): {agree} of {compared} rows agree \
         on numerator, denominator, value, display, target, RAG, direction and status."
    );
    for d in differences.iter().take(10) {
        println!("  differs: {d}");
    }
    if differences.len() > 10 {
        println!("  … and {} more differences", differences.len() - 10);
    }
}
