//! The quarterly run end to end, on the shipped sample returns.

use crate::common::*;

#[test]
fn writes_every_output_for_the_latest_quarter() {
    let case = Case::shared_sample_run();
    let dir = case.period_dir("2014-15-Q2");
    for f in [
        "committee-report.pdf",
        "scorecard.xlsx",
        "data/indicators.csv",
        "run-record.json",
        "feedback/YOS-2014-15-Q2.xlsx",
        "feedback/VS-2014-15-Q2.xlsx",
    ] {
        assert!(dir.join(f).is_file(), "missing {f}");
    }
    // A clean return gets no feedback file (Workforce's). Child Protection
    // and Reviewing's TS7 differs from the SSDA903 extract's, and Children
    // in Need's TS2 from the census's, so they have one.
    assert!(!dir.join("feedback/WF-2014-15-Q2.xlsx").exists());
    assert!(dir.join("feedback/CPR-2014-15-Q2.xlsx").is_file());
    assert!(dir.join("feedback/CIN-2014-15-Q2.xlsx").is_file());
    assert!(dir.join("restricted/ssda903-children.xlsx").is_file());
    assert!(dir.join("restricted/cin-children.xlsx").is_file());
}

#[test]
fn summary_line_counts_the_returns() {
    let case = Case::with_samples();
    let out = case.run(&["run"]);
    let text = stdout(&out);
    assert!(
        text.contains("2014-15 Q2: 61 returns read, 59 accepted, 1 rejected, 1 superseded"),
        "{text}"
    );
    assert!(
        text.contains("Rejected, so not in the figures: Youth Offending Service"),
        "{text}"
    );
}

#[test]
fn csv_holds_figures_rag_and_direction() {
    let case = Case::shared_sample_run();
    let rows = read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"));
    // 27 indicators × 6 quarters of history.
    assert_eq!(rows.len(), 27 * 6);
    let ts3 = csv_row(&rows, "2014-15 Q2", "TS3");
    assert_eq!(ts3["numerator"], "116");
    assert_eq!(ts3["denominator"], "139");
    assert!(
        ts3["value"].starts_with("83.453"),
        "unrounded: {}",
        ts3["value"]
    );
    assert_eq!(ts3["display"], "83.5%");
    assert_eq!(ts3["rag"], "Green");
    assert_eq!(ts3["direction"], "worsened");
    assert_eq!(ts3["status"], "ok");
    // TS5, lower is better, from 8.3% to 6.3%: still Red, but improved.
    let ts5 = csv_row(&rows, "2014-15 Q2", "TS5");
    assert_eq!(
        (ts5["rag"].as_str(), ts5["direction"].as_str()),
        ("Red", "improved")
    );
    let ts12 = csv_row(&rows, "2014-15 Q2", "TS12");
    assert_eq!(
        (ts12["rag"].as_str(), ts12["direction"].as_str()),
        ("Red", "improved")
    );
    // Context indicators move up or down, with no RAG.
    let ts21 = csv_row(&rows, "2014-15 Q2", "TS21");
    assert_eq!(
        (ts21["rag"].as_str(), ts21["direction"].as_str()),
        ("", "down")
    );
    // The rejected Youth Offending return leaves TS27 with no data.
    let ts27 = csv_row(&rows, "2014-15 Q2", "TS27");
    assert_eq!(ts27["status"], "no data");
    assert_eq!(ts27["value"], "");
    assert!(ts27["note"].contains("rejected"), "{}", ts27["note"]);
    // TS24 combines Looked After Children and Leaving Care.
    let ts24 = csv_row(&rows, "2014-15 Q2", "TS24");
    assert_eq!(ts24["services"], "Looked After Children; Leaving Care");
    assert_eq!(
        (ts24["numerator"].as_str(), ts24["denominator"].as_str()),
        ("235", "250")
    );
    assert_eq!(ts24["display"], "94.0%");
}

#[test]
fn scorecard_workbook_reads_back() {
    let case = Case::shared_sample_run();
    let rows = read_sheet(
        &case.period_dir("2014-15-Q2").join("scorecard.xlsx"),
        "Scorecard",
    );
    let header_at = rows
        .iter()
        .position(|r| r.first().map(String::as_str) == Some("Ref"))
        .expect("header row");
    let header = &rows[header_at];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    for p in [
        "2013-14 Q2",
        "2013-14 Q3",
        "2013-14 Q4",
        "2014-15 Q1",
        "2014-15 Q2",
    ] {
        col(p);
    }
    let ts3 = rows.iter().find(|r| r[0] == "TS3").expect("TS3 row");
    assert_eq!(ts3[col("2014-15 Q2")], "83.5");
    assert_eq!(ts3[col("2014-15 Q1")], "84.6");
    assert_eq!(ts3[col("Target")], "75");
    assert_eq!(ts3[col("RAG")], "Green");
    assert!(ts3[col("Direction")].ends_with("worsened"));
    assert_eq!(ts3[col("Statistical neighbours")], "72.4");
    let ts27 = rows.iter().find(|r| r[0] == "TS27").expect("TS27 row");
    assert_eq!(ts27[col("2014-15 Q2")], "No data");
    assert_eq!(ts27[col("RAG")], "");

    let returns = read_sheet(
        &case.period_dir("2014-15-Q2").join("scorecard.xlsx"),
        "Returns",
    );
    let status_of = |file: &str| {
        returns
            .iter()
            .find(|r| r.get(1).map(String::as_str) == Some(file))
            .map(|r| r[2].clone())
            .unwrap_or_else(|| panic!("{file} not listed"))
    };
    assert_eq!(status_of("2014-15-Q2/YOS-2014-15-Q2.xlsx"), "Rejected");
    assert_eq!(status_of("2014-15-Q2/LC-2014-15-Q2.xlsx"), "Superseded");
    assert_eq!(status_of("2014-15-Q2/LC-2014-15-Q2 v2.xlsx"), "Accepted");
    assert_eq!(
        returns[1][0],
        "Received 11: 9 accepted, 1 rejected, 1 superseded. Missing: none."
    );
}

#[test]
fn every_figure_agrees_across_csv_workbook_and_pdf() {
    let case = Case::shared_sample_run();
    let dir = case.period_dir("2014-15-Q2");
    let csv = read_csv(&dir.join("data/indicators.csv"));
    let sheet = read_sheet(&dir.join("scorecard.xlsx"), "Scorecard");
    let header = sheet.iter().find(|r| r[0] == "Ref").unwrap().clone();
    let layout = pdf_layout_text(&dir.join("committee-report.pdf"));
    // The PDF's scorecard shows the last five quarters, oldest first, then
    // target, rating, direction and the two benchmarks.
    let shown = [
        "2013-14 Q2",
        "2013-14 Q3",
        "2013-14 Q4",
        "2014-15 Q1",
        "2014-15 Q2",
    ];
    let refs: Vec<String> = csv
        .iter()
        .filter(|r| r["period"] == "2014-15 Q2")
        .map(|r| r["ref"].clone())
        .collect();
    assert_eq!(refs.len(), 27);
    for reference in &refs {
        let words = pdf_row_words(&layout, reference);
        // The row's figures are the CSV's, quarter by quarter, in order,
        // after the indicator's title, then the target and the rating.
        let figures: Vec<String> = shown
            .iter()
            .flat_map(|p| {
                csv_row(&csv, p, reference)["display"]
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        let at = words
            .windows(figures.len())
            .position(|w| w == figures.as_slice())
            .unwrap_or_else(|| panic!("{reference}: PDF row {words:?}, CSV {figures:?}"));
        let now = csv_row(&csv, "2014-15 Q2", reference);
        let target = if now["target"].is_empty() {
            "–"
        } else {
            now["target"].as_str()
        };
        let rating = if now["rag"].is_empty() {
            "–"
        } else {
            now["rag"].as_str()
        };
        let printed = &words[at + figures.len()..at + figures.len() + 2];
        assert_eq!(
            [printed[0].trim_end_matches('%'), printed[1].as_str()],
            [target, rating],
            "{reference}: {words:?}"
        );
    }
    for period in ["2014-15 Q1", "2014-15 Q2"] {
        let col = header.iter().position(|h| h == period).unwrap();
        for row in csv.iter().filter(|r| r["period"] == period) {
            let xl = sheet.iter().find(|r| r[0] == row["ref"]).unwrap();
            let display = &row["display"];
            let printed = display.trim_end_matches('%').replace(',', "");
            let xl_value = &xl[col];
            if display == "No data" {
                assert_eq!(xl_value, "No data");
            } else {
                let a: f64 = xl_value.parse().unwrap();
                let b: f64 = printed.parse().unwrap();
                assert_eq!(
                    a, b,
                    "{} {period}: workbook {xl_value} vs CSV {display}",
                    row["ref"]
                );
            }
        }
    }
}

#[test]
fn committee_report_reads_as_a_council_paper() {
    let case = Case::shared_sample_run();
    let text = pdf_text(&case.period_dir("2014-15-Q2").join("committee-report.pdf"));
    for heading in [
        "REPORT FOR: OVERVIEW AND SCRUTINY COMMITTEE",
        "Date of Meeting: 25 November 2014",
        "Subject: Children's Services Performance Scorecard, 2014-15 Q2",
        "Responsible Officer:",
        "Portfolio Holder:",
        "Exempt: No",
        "Enclosures:",
        "Section 1 – Summary and Recommendations",
        "Section 2 – Report",
        "Strengths",
        "Weaknesses",
        "Data quality",
        "Financial Implications",
        "Performance Issues",
        "Risk Management Implications",
        "Equalities Implications",
        "Section 3 – Statutory Officer Clearance",
        "Section 4 – Contact Details and Background Papers",
        "SAMPLE DATA",
    ] {
        assert!(text.contains(heading), "missing {heading:?}");
    }
    assert!(
        text.contains(
            "83.5% of initial child protection conferences were held within 15 working days of the strategy discussion (TS3). Although still above the 75% target, this is down 1.1 points from 84.6% in 2014-15 Q1."
        ),
        "TS3 strength sentence missing"
    );
    assert!(
        text.contains("6.3% of child protection plans that ended had lasted two years or more (TS5). Down 2.0 points from 8.3% in 2014-15 Q1, but still above the 5% target."),
        "TS5 weakness sentence missing"
    );
    assert!(text.contains("Of the 27 indicators on the scorecard, 26 have figures for 2014-15 Q2: 11 Green, 8 Amber and 5 Red"));
    assert!(text.contains("The return from Youth Offending Service"));
    assert!(text.contains("Page 1 of"));
}

#[test]
fn rejected_return_gets_feedback_naming_each_cell() {
    let case = Case::shared_sample_run();
    let rows = read_sheet(
        &case
            .period_dir("2014-15-Q2")
            .join("feedback/YOS-2014-15-Q2.xlsx"),
        "Problems",
    );
    let flat: Vec<String> = rows.iter().map(|r| r.join(" | ")).collect();
    let text = flat.join("\n");
    assert!(text.contains("Rejected"), "{text}");
    assert!(
        text.contains("Indicators!C2 | Error | number-not-number | Numerator for TS27 is \"about 40\", which is not a number."),
        "{text}"
    );
    assert!(text.contains("Return!B6 | Error | email-invalid"), "{text}");

    // The officer's own sheets come back with the problem cells marked.
    let path = case
        .period_dir("2014-15-Q2")
        .join("feedback/YOS-2014-15-Q2.xlsx");
    let copy = read_sheet(&path, "Your Indicators");
    assert_eq!(copy[0][0], "Ref");
    assert_eq!(copy[1][2], "about 40");
    let cover = read_sheet(&path, "Your Return");
    assert!(cover
        .iter()
        .any(|r| r.iter().any(|c| c == "yos.performance")));
    let notes = zip_text(&path, "comments");
    assert!(notes.contains("<comment ref=\"C2\""), "{notes}");
    assert!(
        notes.contains("Numerator for TS27 is \"about 40\""),
        "{notes}"
    );
    assert!(
        notes.contains("does not look like an email address"),
        "{notes}"
    );
}

/// The text of every part of a zip-based workbook whose name contains `part`.
fn zip_text(path: &std::path::Path, part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.name().unwrap().contains(part) {
            f.read_to_string(&mut all).unwrap();
        }
    }
    all
}

#[test]
fn run_record_lists_inputs_with_checksums() {
    let case = Case::shared_sample_run();
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(case.period_dir("2014-15-Q2").join("run-record.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["counts"]["read"], 61);
    assert_eq!(record["counts"]["rejected"], 1);
    assert_eq!(record["counts"]["superseded"], 1);
    let inputs = record["inputs"].as_array().unwrap();
    assert!(inputs
        .iter()
        .all(|i| i["sha256"].as_str().is_some_and(|s| s.len() == 64)));
    assert!(record["timings_seconds"].as_array().unwrap().len() >= 5);
}

#[test]
fn inputs_are_never_changed() {
    use sha2::{Digest, Sha256};
    let case = Case::with_samples();
    let snapshot = || {
        let mut all = Vec::new();
        for entry in walk(&case.inputs()) {
            let bytes = std::fs::read(&entry).unwrap();
            let digest: Vec<String> = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            all.push((entry, digest.concat()));
        }
        all.sort();
        all
    };
    let before = snapshot();
    // The samples hold a rejected return on purpose: status 3.
    case.run_expecting(&["run"], 3);
    assert_eq!(before, snapshot());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn an_earlier_quarter_can_be_reported() {
    let case = Case::with_samples();
    let out = case.run(&["run", "--period", "2014-15-Q1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = read_csv(&case.period_dir("2014-15-Q1").join("data/indicators.csv"));
    assert_eq!(rows.len(), 27 * 5, "history stops at the reported quarter");
    assert_eq!(csv_row(&rows, "2014-15 Q1", "TS3")["display"], "84.6%");
}

#[test]
fn sample_generator_reproduces_the_shipped_returns() {
    // The shipped inputs/ were made by `scorecard sample-returns`; making
    // them again gives the same files, byte for byte.
    let fresh = Case::new();
    let out = fresh.run(&["sample-returns"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shipped = root().join("inputs");
    let mut made = walk(&fresh.inputs());
    made.sort();
    let mut expected = walk(&shipped);
    expected.sort();
    let names = |v: &[std::path::PathBuf], base: &std::path::Path| -> Vec<String> {
        v.iter()
            .map(|p| p.strip_prefix(base).unwrap().display().to_string())
            .collect()
    };
    assert_eq!(names(&made, &fresh.inputs()), names(&expected, &shipped));
    for (a, b) in made.iter().zip(&expected) {
        assert!(
            std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
            "{} differs from the shipped file: run `cargo run -- sample-returns` and commit inputs/",
            b.display()
        );
    }
}

#[test]
fn two_runs_at_once_leave_whole_outputs() {
    let case = Case::with_samples();
    let bin = env!("CARGO_BIN_EXE_scorecard");
    let start = || {
        std::process::Command::new(bin)
            .args(["run", "-q"])
            .current_dir(case.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (start(), start());
    assert_eq!(a.wait().unwrap().code(), Some(3));
    assert_eq!(b.wait().unwrap().code(), Some(3));
    let dir = case.period_dir("2014-15-Q2");
    assert_eq!(read_csv(&dir.join("data/indicators.csv")).len(), 27 * 6);
    assert!(pdf_text(&dir.join("committee-report.pdf")).contains("Section 4"));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn reports_embed_their_fonts_and_every_chart() {
    let case = Case::shared_sample_run();
    for name in ["committee-report.pdf", "improvement-plan.pdf"] {
        let pdf = case.period_dir("2014-15-Q2").join(name);
        // Every font is embedded, so a reader never substitutes its own, and
        // cut down to the glyphs shown.
        let fonts = poppler_table("pdffonts", &[], &pdf);
        assert!(!fonts.is_empty(), "{name}: no fonts");
        for row in &fonts {
            let column = |i: usize| row.get(i).map(String::as_str);
            assert!(
                column(0).is_some_and(|f| f.contains("LiberationSans")),
                "{name}: {row:?}"
            );
            assert_eq!(column(4), Some("yes"), "embedded? {name}: {row:?}");
            assert_eq!(column(5), Some("yes"), "subset? {name}: {row:?}");
        }
    }
    // Charts are drawn as vectors, not pictures: every caption is followed
    // by the chart's own labels and its figures in words.
    let pdf = case.period_dir("2014-15-Q2").join("committee-report.pdf");
    let text = pdf_text(&pdf);
    let captions = (1..100)
        .take_while(|n| text.contains(&format!("Figure {n}:")))
        .count();
    assert!(captions >= 2, "{captions} figure captions");
    let pictures = poppler_table("pdfimages", &["-list"], &pdf);
    assert!(pictures.is_empty(), "charts became bitmaps: {pictures:?}");
    let after_first = &text[text.find("Figure 1:").unwrap()..];
    assert!(after_first.contains("2014-15 Q2: 11 Green, 8 Amber, 5 Red."));
}
