//! What both benchmarks share: the generated input sets, the whole run,
//! and timing by median.
//!
//! `pipeline.rs` and `reference.rs` time the same inputs, made here the same
//! way every time and kept under the build's temporary folder.

use scorecard::ssda903::sample::Dice;

pub use crate::timing::{median, ms, once, templates_dir, time};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Workbook};
use scorecard::config::Templates;
use scorecard::period::Period;
use scorecard::pipeline::{self, RunOptions};

pub fn bench_root() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench")
}

/// Writes one service's return for one quarter: realistic cover and
/// figures, plus `pasted_rows` rows of a pasted case list if asked.
fn write_return(
    templates: &Templates,
    service: &str,
    period: Period,
    path: &Path,
    pasted_rows: u32,
    rng: &mut Dice,
) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Return").unwrap();
    let submitted = period.last_day() + chrono::Duration::days(10);
    let cover = [
        ("Service", service.to_string()),
        ("Period", period.label()),
        ("Prepared by", "Performance lead".to_string()),
        ("Email", "performance@example.gov.uk".to_string()),
    ];
    for (i, (k, v)) in cover.iter().enumerate() {
        sheet.write_string(2 + i as u32, 0, *k).unwrap();
        sheet.write_string(2 + i as u32, 1, v).unwrap();
    }
    sheet.write_string(6, 0, "Submitted").unwrap();
    let when = ExcelDateTime::parse_from_str(&submitted.format("%Y-%m-%d").to_string()).unwrap();
    sheet.write_datetime(6, 1, &when).unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Indicators").unwrap();
    for (c, h) in [
        "Ref",
        "Indicator",
        "Numerator",
        "Denominator",
        "Value",
        "Commentary",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (i, ind) in templates.indicators_for(service).iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write_string(row, 0, &ind.reference).unwrap();
        sheet.write_string(row, 1, &ind.title).unwrap();
        let d = 50.0 + rng.below(200) as f64;
        let n = (d * (0.5 + rng.below(45) as f64 / 100.0)).round();
        use scorecard::judge::Measure::*;
        match ind.measure {
            Percent | Average => {
                sheet.write_number(row, 2, n).unwrap();
                sheet.write_number(row, 3, d).unwrap();
            }
            Rate10k => {
                sheet
                    .write_number(row, 2, 200.0 + rng.below(60) as f64)
                    .unwrap();
            }
            Count => {
                sheet.write_number(row, 4, rng.below(15) as f64).unwrap();
            }
        }
    }
    if pasted_rows > 0 {
        let sheet = book.add_worksheet_with_constant_memory().unwrap();
        sheet.set_name("Case list").unwrap();
        for r in 0..pasted_rows {
            for c in 0..20u16 {
                if c % 4 == 0 {
                    sheet
                        .write_string(r, c, format!("Child {}-{c}", rng.below(1_000_000)))
                        .unwrap();
                } else {
                    sheet.write_number(r, c, rng.below(10_000) as f64).unwrap();
                }
            }
        }
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    book.save(path).unwrap();
}

/// Makes a scenario's inputs unless they are already there.
pub fn generate(name: &str, quarters: usize, heavy: bool) -> PathBuf {
    let dir = bench_root().join(name).join("inputs");
    let done = dir.join(".complete");
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let templates = Templates::load(&templates_dir()).unwrap();
    let last = Period::parse("2014-15 Q2").unwrap();
    let mut jobs = Vec::new();
    if heavy {
        // Two quarters of the ten services: 20 returns, each with a paste.
        for p in last.trailing(2) {
            for s in &templates.services {
                jobs.push((s.name.clone(), s.code.clone(), p, 50_000));
            }
        }
    } else {
        for p in last.trailing(quarters) {
            for s in &templates.services {
                jobs.push((s.name.clone(), s.code.clone(), p, 0));
            }
        }
    }
    jobs.par_iter()
        .enumerate()
        .for_each(|(i, (name, code, p, rows))| {
            let mut rng = Dice::new(i as u64 + 1);
            let path = dir.join(p.id()).join(format!("{code}-{}.xlsx", p.id()));
            write_return(&templates, name, *p, &path, *rows, &mut rng);
        });
    std::fs::write(&done, b"").unwrap();
    dir
}

pub fn whole_run(dir: &Path, out: &Path, all_periods: bool) {
    // Each timed run lays its documents out afresh, as a run of the
    // command does, rather than reusing what the last run laid out.
    scorecard::typeset::forget_layouts();
    let _ = pipeline::run(&RunOptions {
        inputs: dir.to_path_buf(),
        templates: templates_dir(),
        output: out.to_path_buf(),
        period: None,
        all_periods,
    })
    .unwrap();
}
