//! Blank returns: what `scorecard template` writes, and that one filled in
//! correctly passes `scorecard check` with no problems.

use std::io::Read;

use crate::common::*;
use chrono::NaiveDate;
use scorecard::blank::{blank_return, Entries, FigureEntry};
use scorecard::config::Templates;
use scorecard::judge::Measure;
use scorecard::model::returns::ActionStatus;
use scorecard::period::Period;

fn templates() -> Templates {
    Templates::load(&root().join("templates")).unwrap()
}

/// Figures an officer might type, right for each measure.
fn filled(t: &Templates, service: &str) -> Entries {
    let mut e = Entries {
        prepared_by: "A. Officer".into(),
        email: "a.officer@example.gov.uk".into(),
        submitted: NaiveDate::from_ymd_opt(2014, 10, 14).and_then(|d| d.and_hms_opt(9, 30, 0)),
        ..Entries::default()
    };
    for (i, ind) in t.indicators_for(service).iter().enumerate() {
        let n = 40.0 + i as f64;
        let figures = match ind.measure {
            Measure::Percent => FigureEntry {
                numerator: Some(n),
                denominator: Some(60.0),
                ..FigureEntry::default()
            },
            Measure::Average => FigureEntry {
                numerator: Some(3567.0),
                denominator: Some(7.0),
                commentary: Some("Seven adoptions.".into()),
                ..FigureEntry::default()
            },
            Measure::Rate10k => FigureEntry {
                numerator: Some(250.0),
                ..FigureEntry::default()
            },
            Measure::Count => FigureEntry {
                value: Some(7.0),
                ..FigureEntry::default()
            },
        };
        e.figures.insert(ind.reference.clone(), figures);
    }
    e.actions.push((
        "SG-04".into(),
        "Audit of assessments".into(),
        "Service Manager".into(),
        NaiveDate::from_ymd_opt(2014, 12, 31).unwrap(),
        ActionStatus::OnTrack,
        "Second round under way.".into(),
    ));
    e
}

#[test]
fn every_services_filled_template_passes_check() {
    let t = templates();
    let case = Case::new();
    let period = Period::parse("2014-15 Q3").unwrap();
    let mut paths = Vec::new();
    for service in &t.services {
        let entries = filled(&t, &service.name);
        let bytes = blank_return(&t, service, Some(period), Some(&entries)).unwrap();
        let path = case
            .inputs()
            .join(format!("2014-15-Q3/{}.xlsx", service.code));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        paths.push(path.display().to_string());
    }
    let mut args = vec!["check"];
    args.extend(paths.iter().map(String::as_str));
    let out = case.run(&args);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text.matches("OK, no problems").count(),
        t.services.len(),
        "{text}"
    );
}

#[test]
fn an_unfilled_template_says_what_to_fill_in() {
    let case = Case::new();
    let out = case.run(&[
        "template",
        "--service",
        "CPR",
        "--period",
        "2014-15-Q3",
        "-o",
        "blank.xlsx",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = case.run(&["check", "blank.xlsx"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text.contains("Return!B6: error [cover-blank]: Prepared by is blank."),
        "{text}"
    );
    assert!(
        text.contains("Indicators!F2: error [no-data-without-commentary]: TS3 has no figures."),
        "{text}"
    );
    // The period was pre-filled, so it is not among the problems.
    assert!(!text.contains("Period"), "{text}");
}

fn sheet_xml(bytes: &[u8], n: usize) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name(&format!("xl/worksheets/sheet{n}.xml"))
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[test]
fn template_is_protected_with_drop_downs_and_input_messages() {
    let t = templates();
    let service = t.service("Looked After Children").unwrap();
    let bytes = blank_return(&t, service, None, None).unwrap();
    let cover = sheet_xml(&bytes, 1);
    let indicators = sheet_xml(&bytes, 2);
    let actions = sheet_xml(&bytes, 3);
    for xml in [&cover, &indicators, &actions] {
        assert!(xml.contains("<sheetProtection"), "every sheet is protected");
    }
    assert!(cover.contains("type=\"date\""), "Submitted takes a date");
    assert!(
        indicators.contains("type=\"whole\""),
        "counts are whole numbers"
    );
    assert!(indicators.contains("promptTitle=\"Numerator for TS8\""));
    assert!(actions.contains("Not started,On track,At risk,Off track,Complete"));
    assert!(
        actions.contains("SG-01,SG-02"),
        "recommendation refs are a drop-down"
    );
    // The service's indicators are listed, in catalogue order.
    let rows = {
        let case = Case::new();
        let path = case.path().join("lac.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        read_sheet(&path, "Indicators")
    };
    let refs: Vec<&str> = rows.iter().skip(1).map(|r| r[0].as_str()).collect();
    assert_eq!(refs, ["TS8", "TS9", "TS20", "TS21", "TS24"]);
    assert!(rows[1][6].starts_with(
        "Numerator: Looked after children at the end of the quarter with three or more placements"
    ));
}

#[test]
fn unknown_service_suggests_the_nearest() {
    let case = Case::new();
    let out = case.run(&["template", "--service", "Leaving Cair"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Did you mean \"Leaving Care\"?"),
        "{}",
        stderr(&out)
    );
}

/// `-o` with a folder writes the return into it under its usual name,
/// whether the folder exists, ends with a slash, or both.
#[test]
fn template_output_may_be_a_folder() {
    let case = Case::new();
    std::fs::create_dir_all(case.path().join("returns")).unwrap();
    for (arg, folder) in [
        ("returns", "returns"),
        ("returns/", "returns"),
        ("new-folder/", "new-folder"),
    ] {
        let out = case.run(&[
            "template",
            "--service",
            "Leaving Care",
            "--period",
            "2014-15-Q3",
            "-o",
            arg,
        ]);
        assert!(
            out.status.success(),
            "-o {arg}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        let written = case.path().join(folder).join("LC return 2014-15-Q3.xlsx");
        assert!(written.is_file(), "-o {arg}: {}", stdout(&out));
        let check = case.run(&["check", written.to_str().unwrap()]);
        assert!(
            stdout(&check).contains("LC return 2014-15-Q3.xlsx"),
            "{}",
            stdout(&check)
        );
    }
    // A file name is still a file.
    let out = case.run(&["template", "--service", "LC", "-o", "returns/mine.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(case.path().join("returns/mine.xlsx").is_file());
    // --all into an existing folder with a trailing slash.
    let out = case.run(&["template", "--all", "-o", "returns/"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(case.path().join("returns/YOS return.xlsx").is_file());
}
