//! The committee report and the improvement plan are tagged PDF/UA-1
//! documents: checked by walking their structure tree
//! (`scripts/pdfua/structure.py`, with pikepdf) and by two independent
//! checkers, `pdfua` and `outloud`.
//!
//! These need Python with the packages in `scripts/pdfua/requirements.txt`,
//! in `scripts/pdfua/.venv` (`.ci/run` makes it). Without them each test
//! says SKIPPED and how to install them, except under CI, where it fails.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// The Python that has the checkers, or why there is none.
fn python() -> Option<PathBuf> {
    let venv = root().join("scripts/pdfua/.venv/bin/python");
    if venv.is_file() {
        return Some(venv);
    }
    let how = "python3 -m venv scripts/pdfua/.venv && scripts/pdfua/.venv/bin/pip install -r scripts/pdfua/requirements.txt";
    if std::env::var_os("CI").is_some() {
        panic!("CI must check the PDFs' tagging, but scripts/pdfua/.venv is missing: {how}");
    }
    // Written past the test harness's capture, so it shows in every run.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: the PDF/UA checks need scripts/pdfua/.venv. To run them: {how}"
    );
    None
}

fn structure(python: &Path, pdf: &Path) -> serde_json::Value {
    let out = Command::new(python)
        .arg(root().join("scripts/pdfua/structure.py"))
        .arg(pdf)
        .output()
        .expect("run structure.py");
    assert!(
        out.status.success(),
        "structure.py {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("structure.py prints JSON")
}

fn documents() -> Vec<PathBuf> {
    let dir = Case::shared_sample_run().period_dir("2014-15-Q2");
    vec![
        dir.join("committee-report.pdf"),
        dir.join("improvement-plan.pdf"),
    ]
}

#[test]
fn both_pdfs_are_tagged_with_their_language_title_and_pdf_ua_identity() {
    let Some(python) = python() else { return };
    for pdf in documents() {
        let s = structure(&python, &pdf);
        let name = pdf.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(s["marked"], true, "{name}: catalogue not marked");
        assert_eq!(s["has_structure_tree"], true, "{name}");
        assert_eq!(s["lang"], "en-GB", "{name}");
        assert_eq!(s["display_doc_title"], true, "{name}");
        assert_eq!(s["pdfua_part"], "1", "{name}: no PDF/UA id in the XMP");
        assert_eq!(s["tab_order_structure"], true, "{name}");
        let title = s["title"].as_str().unwrap();
        assert!(title.contains("2014-15 Q2"), "{name}: title {title:?}");
        assert_eq!(s["xmp_title"].as_str().unwrap(), title, "{name}");
    }
}

#[test]
fn headings_start_at_one_and_never_skip_a_level() {
    let Some(python) = python() else { return };
    for pdf in documents() {
        let s = structure(&python, &pdf);
        let levels: Vec<u64> = s["headings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["level"].as_u64().unwrap())
            .collect();
        assert_eq!(levels.first(), Some(&1), "{}: {levels:?}", pdf.display());
        for pair in levels.windows(2) {
            assert!(
                pair[1] <= pair[0] + 1,
                "{}: H{} follows H{}",
                pdf.display(),
                pair[1],
                pair[0]
            );
        }
    }
    // The report: its title, five sections and twelve numbered parts.
    let s = structure(&python, &documents()[0]);
    let count = |level: u64| {
        s["headings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["level"] == level)
            .count()
    };
    assert_eq!((count(1), count(2)), (1, 5));
    assert!(count(3) >= 12, "{} H3", count(3));
}

#[test]
fn bookmarks_follow_the_sections_and_their_numbered_parts() {
    let Some(python) = python() else { return };
    let s = structure(&python, &documents()[0]);
    let outline: Vec<(u64, &str)> = s["outline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["depth"].as_u64().unwrap(), o["title"].as_str().unwrap()))
        .collect();
    let sections: Vec<&str> = outline
        .iter()
        .filter(|(depth, _)| *depth == 0)
        .map(|(_, t)| *t)
        .collect();
    assert_eq!(
        sections,
        [
            "Section 1 – Summary and Recommendations",
            "Section 2 – Report",
            "Section 3 – Statutory Officer Clearance",
            "Section 4 – Contact Details and Background Papers",
            "Appendix 1 – Ofsted 2012: record of main findings",
        ]
    );
    let parts: Vec<&str> = outline
        .iter()
        .filter(|(depth, t)| *depth == 1 && t.starts_with("2."))
        .map(|(_, t)| *t)
        .collect();
    assert_eq!(parts.len(), 12, "{parts:?}");
    assert_eq!(parts[4], "2.5 The scorecard");
    assert_eq!(parts[11], "2.12 Equalities Implications");
}

#[test]
fn every_table_has_header_cells_and_every_chart_alt_text() {
    let Some(python) = python() else { return };
    for pdf in documents() {
        let s = structure(&python, &pdf);
        let tables = s["tables"].as_array().unwrap();
        assert!(!tables.is_empty(), "{}: no tables", pdf.display());
        for t in tables {
            assert!(t["th"].as_u64().unwrap() > 0, "{}: {t}", pdf.display());
            assert!(t["td"].as_u64().unwrap() > 0, "{}: {t}", pdf.display());
            assert!(
                t["scopes"]["Column"].as_u64().unwrap_or(0) > 0,
                "{}: no column headers: {t}",
                pdf.display()
            );
        }
    }
    let report = &documents()[0];
    let s = structure(&python, report);
    // The scorecard's refs and titles head their rows.
    let most_rows = s["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["scopes"]["Row"].as_u64().unwrap_or(0))
        .max()
        .unwrap();
    assert!(most_rows >= 2 * 27, "{most_rows} row headers");
    // One Figure with alt text per chart, as many as the captions.
    let text = pdf_text(report);
    let captions = (1..100)
        .take_while(|n| text.contains(&format!("Figure {n}:")))
        .count();
    let figures = s["figures"].as_array().unwrap();
    assert!(captions >= 2, "{captions} captions");
    assert_eq!(figures.len(), captions, "{figures:?}");
    for f in figures {
        let alt = f["alt"].as_str().unwrap_or("");
        assert!(alt.len() > 40, "alt text {alt:?}");
    }
}

#[test]
fn pdf_ua_checkers_find_no_errors() {
    let Some(python) = python() else { return };
    let bin = python.parent().unwrap();
    for pdf in documents() {
        // pdfua: exit 3 means errors (2 warnings, 1 notes).
        let out = Command::new(bin.join("pdfua"))
            .arg("check")
            .arg(&pdf)
            .output()
            .expect("run pdfua");
        assert!(
            out.status.code().is_some_and(|c| c < 3),
            "pdfua check {}: {}{}",
            pdf.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let out = Command::new(bin.join("outloud"))
            .args(["--fail-on", "error", "--no-info"])
            .arg(&pdf)
            .output()
            .expect("run outloud");
        assert!(
            out.status.success(),
            "outloud {}: {}{}",
            pdf.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_same_inputs_give_the_same_pdf_bytes() {
    let a = Case::sample_run();
    let b = Case::sample_run();
    for name in ["committee-report.pdf", "improvement-plan.pdf"] {
        let read = |c: &Case| std::fs::read(c.period_dir("2014-15-Q2").join(name)).unwrap();
        assert!(read(&a) == read(&b), "{name} differs between two runs");
    }
}

#[test]
fn every_colour_the_pdfs_print_text_in_has_4_5_to_1_contrast() {
    // The house colours, as council-paper.typ defines them.
    let typ = std::fs::read_to_string(root().join("templates/council-paper.typ")).unwrap();
    let colour = |name: &str| -> u32 {
        let line = typ
            .lines()
            .find(|l| l.starts_with(&format!("#let {name} = rgb(\"#")))
            .unwrap_or_else(|| panic!("council-paper.typ defines no {name}"));
        let at = line.find("rgb(\"#").unwrap() + 6;
        u32::from_str_radix(&line[at..at + 6], 16).unwrap()
    };
    let white = 0xFFFFFF;
    let pairs = vec![
        ("headings", colour("navy"), white),
        ("notes", colour("grey"), white),
        ("sample-data notice", colour("warning"), white),
        ("table headings", 0x000000, colour("shade")),
        ("theme rows", 0x000000, colour("group")),
    ];
    // Ratings, grades and statuses: the palette each report carries.
    for (class, c) in scorecard::model::palette::cell_classes() {
        let hex = |s: &str| u32::from_str_radix(s.trim_start_matches('#'), 16).unwrap();
        let ratio = contrast(hex(&c.text), hex(&c.fill));
        assert!(ratio >= 4.5, "{class}: {ratio:.2}:1");
        // "OVERDUE" is printed under an action's status, on its fill.
        if class.starts_with("status-") {
            let ratio = contrast(scorecard::model::palette::OVERDUE_TEXT, hex(&c.fill));
            assert!(ratio >= 4.5, "OVERDUE on {class}: {ratio:.2}:1");
        }
    }
    for (what, text, background) in pairs {
        let ratio = contrast(text, background);
        assert!(ratio >= 4.5, "{what}: {ratio:.2}:1");
    }
}
