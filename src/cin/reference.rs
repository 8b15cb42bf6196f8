//! The figures against an independent reading of `cin.md`:
//! `scripts/cin_reference.py`, written from the contract's words with
//! Python's standard library alone, reads the same censuses and must find
//! the same children left out and the same seven figures. The censuses are
//! the sample borough's history at several quarter ends, censuses crowded
//! onto the definitions' edges, and the public fake data.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;

use super::cases::holidays;
use super::check::check;
use super::edges::edge_census;
use super::indicators::compute;
use super::read::read_text;
use super::sample::{census_xml, simulate, snapshot, MISTAKES, SAMPLE_CHILDREN};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn has_python() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `children, left out, (ref, numerator, denominator)…` as one line.
fn ours(xml: &str, end: NaiveDate) -> String {
    let census = read_text(xml, "census.xml").unwrap();
    let checked = check(&census);
    let mut figures: Vec<String> = compute(&checked, end, &holidays())
        .iter()
        .map(|f| {
            let den = f.denominator.map_or("-".into(), |x| x.to_string());
            format!("{} {}/{den}", f.reference, f.numerator)
        })
        .collect();
    figures.sort();
    format!(
        "{} children, {} left out; {}",
        checked.children_in_extract,
        checked.left_out.len(),
        figures.join(", ")
    )
}

/// The same line from the script.
fn theirs(path: &Path, end: NaiveDate) -> String {
    let out = Command::new("python3")
        .arg(root().join("scripts/cin_reference.py"))
        .arg(path)
        .arg(end.to_string())
        .arg(root().join("templates/bank-holidays.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut figures: Vec<String> = v["figures"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(r, nd)| {
            let den = nd[1].as_i64().map_or("-".into(), |x| x.to_string());
            format!("{r} {}/{den}", nd[0])
        })
        .collect();
    figures.sort();
    format!(
        "{} children, {} left out; {}",
        v["children"],
        v["left_out"],
        figures.join(", ")
    )
}

/// `(name, census, quarter end)` for every case.
fn cases() -> Vec<(String, String, NaiveDate)> {
    let mut out = Vec::new();
    let history = simulate(SAMPLE_CHILDREN, 2014, d(2016, 3, 31));
    for end in [
        d(2013, 12, 31),
        d(2014, 3, 31),
        d(2014, 6, 30),
        d(2014, 9, 30),
        d(2015, 3, 31),
        d(2016, 3, 31),
    ] {
        let extra = if end == d(2014, 9, 30) { MISTAKES } else { "" };
        let xml = census_xml(&snapshot(&history, end), end, extra);
        out.push((format!("sample {end}"), xml, end));
    }
    let hols = holidays();
    for (seed, end) in [
        d(2013, 3, 31),
        d(2014, 6, 30),
        d(2014, 9, 30),
        d(2014, 12, 31),
        d(2015, 12, 31),
        d(2016, 3, 31),
    ]
    .into_iter()
    .enumerate()
    {
        let xml = edge_census(1_500, 7 + seed as u64, end, &hols);
        out.push((format!("edges {end}"), xml, end));
    }
    let data = root().join("tests/data/cin");
    for (name, end) in [
        ("fake_CIN_data.xml", d(2022, 3, 31)),
        ("fake_CIN_data.xml", d(2022, 6, 30)),
        ("CIN_Census_2021.xml", d(1971, 3, 31)),
        ("CIN_Census_2026.xml", d(2024, 12, 31)),
        ("cin-2022.xml", d(1970, 12, 31)),
    ] {
        let xml = std::fs::read_to_string(data.join(name)).unwrap();
        out.push((format!("{name} {end}"), xml, end));
    }
    out
}

#[test]
fn figures_agree_with_an_independent_reading_of_the_contract() {
    if !has_python() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "python3 is needed under CI to check the figures"
        );
        println!("SKIPPED: python3 not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut differ = Vec::new();
    for (i, (name, xml, end)) in cases().into_iter().enumerate() {
        let path = dir.path().join(format!("case{i}.xml"));
        std::fs::write(&path, &xml).unwrap();
        let (a, b) = (ours(&xml, end), theirs(&path, end));
        println!("{name}: {a}");
        if a != b {
            differ.push(format!("{name}\n  program: {a}\n  script:  {b}"));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
