//! End to end: figures from the SSDA903 extract, through a real run.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::common::*;

const TEN: [&str; 10] = [
    "TS7", "TS8", "TS9", "TS10", "TS11", "TS13", "TS14", "TS15", "TS16", "TS21",
];

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/ssda903-fake")
}

/// The sample's problem rows, as the shipped episodes list numbers them.
fn shipped_episode_rows() -> usize {
    std::fs::read_to_string(root().join("inputs/2014-15-Q2/ssda903/episodes.csv"))
        .unwrap()
        .lines()
        .count()
}

#[test]
fn the_sample_run_takes_ten_figures_from_the_extract() {
    let case = Case::sample_run();
    let dir = case.period_dir("2014-15-Q2");
    let rows = read_csv(&dir.join("data/indicators.csv"));
    for r in TEN {
        let row = csv_row(&rows, "2014-15 Q2", r);
        assert_eq!(row["source"], "ssda903", "{r}");
        assert_eq!(row["services"], "the SSDA903 extract", "{r}");
        assert_eq!(row["status"], "ok", "{r}");
        // 2013-14 Q3 has no extract: the services' returns.
        assert_eq!(csv_row(&rows, "2013-14 Q3", r)["source"], "returns", "{r}");
    }
    // TS3 comes from the children in need census.
    assert_eq!(csv_row(&rows, "2014-15 Q2", "TS3")["source"], "cin");
    assert_eq!(csv_row(&rows, "2014-15 Q2", "TS1")["source"], "returns");

    // TS21 counted independently from the shipped list: a child is looked
    // after on 30/09/2014 when one of its episodes has no DEC (the export
    // blanks DEC for episodes open on its day) and is not a short break
    // (V3, V4). The three children with mistakes (CH99901-3) are left out.
    let episodes =
        std::fs::read_to_string(root().join("inputs/2014-15-Q2/ssda903/episodes.csv")).unwrap();
    let looked_after: BTreeSet<&str> = episodes
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[7].is_empty() && !matches!(c[3], "V3" | "V4"))
        .map(|c| c[0])
        .filter(|id| !id.starts_with("CH999"))
        .collect();
    assert_eq!(
        csv_row(&rows, "2014-15 Q2", "TS21")["numerator"],
        looked_after.len().to_string()
    );

    // The data-quality statement, in counts.
    let pdf = pdf_text(&dir.join("committee-report.pdf"));
    assert!(
        pdf.contains("(TS7, TS8, TS9, TS10, TS11, TS13, TS14, TS15, TS16 and TS21) were worked out from the children's own records in the SSDA903 extract for 2014-15 Q2"),
        "{pdf}"
    );
    let children = std::fs::read_to_string(root().join("inputs/2014-15-Q2/ssda903/header.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(
        pdf.contains(&format!(
            "The extract held {} children.",
            scorecard::text::group_thousands(&children.to_string())
        )),
        "{pdf}"
    );
    assert!(pdf.contains("3 children were left out of every figure because their records had errors: 1 with a date that could not be read, or no date of birth or start date; 1 with episodes that overlap; 1 with a code that is not one of the Department's."), "{pdf}");

    // The extract's feedback names each mistake by file, row and column,
    // with its value: it is kept in restricted/.
    assert!(!dir
        .join("feedback/ssda903 2014-15-Q2-ssda903.xlsx")
        .exists());
    let feedback = dir.join("restricted/feedback/ssda903 2014-15-Q2-ssda903.xlsx");
    let problems = read_sheet(&feedback, "Problems");
    let last = shipped_episode_rows();
    let has = |row: usize, column: &str, rule: &str| {
        problems.iter().any(|p| {
            p[0] == "2014-15-Q2/ssda903/episodes.csv"
                && p[1] == row.to_string()
                && p[2] == column
                && p[4] == rule
        })
    };
    assert!(has(last - 3, "DECOM", "ssda903-date"), "{problems:?}");
    assert!(has(last - 1, "DECOM", "ssda903-overlap"), "{problems:?}");
    assert!(has(last, "PLACE", "ssda903-code"), "{problems:?}");

    // Looked After Children returned TS8 too, and its figure differs.
    let lac = workbook_text(&dir.join("feedback/LAC-2014-15-Q2.xlsx"));
    assert!(lac.contains("ssda903-differs"), "{lac}");
    assert!(lac.contains("Your figure for TS8 is"), "{lac}");

    // The children behind the figures, in the restricted workbook only.
    let restricted = dir.join("restricted/ssda903-children.xlsx");
    let left = read_sheet(&restricted, "Left out");
    let ids: BTreeSet<&str> = left.iter().skip(1).map(|r| r[0].as_str()).collect();
    assert_eq!(ids, BTreeSet::from(["CH99901", "CH99902", "CH99903"]));
    let ts21 = read_sheet(&restricted, "TS21");
    assert_eq!(ts21.len() - 1, looked_after.len());
    let readme = read_sheet(&restricted, "Read me");
    assert_eq!(readme[0][0], "PERSONAL DATA: NOT FOR PUBLICATION");
}

#[test]
fn no_child_id_reaches_a_public_output() {
    let case = Case::with_samples();
    let out = case.run(&["run", "--all-periods"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    // Every child id in the sample extracts, CSV and XML.
    let mut ids = BTreeSet::new();
    let mut inputs = Vec::new();
    walk(&case.inputs(), &mut inputs);
    for path in &inputs {
        let name = path.file_name().unwrap().to_string_lossy();
        let text = || std::fs::read_to_string(path).unwrap();
        if name.ends_with(".csv") {
            for line in text().lines().skip(1) {
                ids.insert(line.split(',').next().unwrap().to_string());
            }
        } else if name.ends_with(".xml") {
            for part in text().split("<CHILDID>").skip(1) {
                ids.insert(part.split('<').next().unwrap().to_string());
            }
        }
    }
    assert!(ids.len() > 1_000, "{}", ids.len());
    let mut outputs = Vec::new();
    walk(&case.output(), &mut outputs);
    let mut searched = 0;
    let mut restricted_text = String::new();
    for path in outputs {
        let name = path.to_string_lossy().to_string();
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("pdf") => pdf_text(&path),
            Some("xlsx") => workbook_text(&path),
            _ => String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned(),
        };
        if name.contains("/restricted/") {
            restricted_text.push_str(&text);
            continue;
        }
        if path.extension().is_some_and(|e| e == "xlsx") {
            // The workbook's bytes too, for anything calamine does not show.
            let bytes = std::fs::read(&path).unwrap();
            assert!(!bytes.windows(5).any(|w| w == b"CH999"), "{name}");
        }
        for id in &ids {
            assert!(!text.contains(id.as_str()), "{id} appears in {name}");
        }
        searched += 1;
    }
    assert!(searched > 30, "only {searched} outputs searched");
    // The search would have found them: the restricted workbook has them.
    assert!(restricted_text.contains("CH99901"));
    assert!(
        ids.iter()
            .filter(|id| restricted_text.contains(id.as_str()))
            .count()
            > 200
    );
}

fn fake_csv_case() -> Case {
    let case = Case::new();
    let dir = case.inputs().join("2017-18-Q4/ssda903");
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        "header",
        "episodes",
        "reviews",
        "oc2",
        "oc3",
        "placed_for_adoption",
        "uasc",
    ] {
        std::fs::copy(
            fixtures().join(format!("{f}.csv")),
            dir.join(format!("{f}.csv")),
        )
        .unwrap();
    }
    case
}

#[test]
fn a_public_fake_903_runs_through_as_csv() {
    let case = fake_csv_case();
    let out = case.run(&["run"]);
    // No returns, so every service is missing: status 3, not a failure.
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let dir = case.period_dir("2017-18-Q4");
    let rows = read_csv(&dir.join("data/indicators.csv"));
    for r in TEN {
        assert_eq!(csv_row(&rows, "2017-18 Q4", r)["source"], "ssda903", "{r}");
    }
    let ts21 = csv_row(&rows, "2017-18 Q4", "TS21");
    assert!(
        ts21["numerator"].parse::<f64>().unwrap() > 100.0,
        "{ts21:?}"
    );
    let problems = read_sheet(
        &dir.join("restricted/feedback/ssda903 2017-18-Q4-ssda903.xlsx"),
        "Problems",
    );
    // Each problem is located by file and row; overlaps at DECOM.
    let overlaps: Vec<_> = problems
        .iter()
        .filter(|p| p.get(4).is_some_and(|r| r == "ssda903-overlap"))
        .collect();
    assert!(!overlaps.is_empty(), "{problems:?}");
    for p in &overlaps {
        assert_eq!(p[0], "2017-18-Q4/ssda903/episodes.csv");
        assert!(p[1].parse::<u32>().unwrap() > 1);
        assert_eq!(p[2], "DECOM");
    }
    // The UASC list is not one the figures use: read past, with a warning.
    assert!(problems
        .iter()
        .any(|p| p[0].ends_with("uasc.csv") && p[4] == "ssda903-list-unknown"));
    // The children left out are in no figure.
    let restricted = dir.join("restricted/ssda903-children.xlsx");
    let left: BTreeSet<String> = read_sheet(&restricted, "Left out")
        .into_iter()
        .skip(1)
        .filter(|r| r[2] == "Error")
        .map(|r| r[0].clone())
        .collect();
    assert!(!left.is_empty());
    for r in TEN {
        let Ok(sheet) = std::panic::catch_unwind(|| read_sheet(&restricted, r)) else {
            continue;
        };
        for row in sheet.iter().skip(1) {
            assert!(!left.contains(&row[0]), "{} is left out but in {r}", row[0]);
        }
    }
}

#[test]
fn a_public_fake_903_runs_through_as_xml() {
    let case = Case::new();
    // The quarter from the file's own name, at the top of inputs/.
    std::fs::copy(
        fixtures().join("fake_903.xml"),
        case.inputs().join("fake 903 2017-18-Q4.xml"),
    )
    .unwrap();
    let out = case.run(&["run"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let dir = case.period_dir("2017-18-Q4");
    let rows = read_csv(&dir.join("data/indicators.csv"));
    let ts21 = csv_row(&rows, "2017-18 Q4", "TS21");
    assert_eq!(ts21["source"], "ssda903");
    assert!(ts21["numerator"].parse::<f64>().unwrap() > 10.0, "{ts21:?}");
    let problems = read_sheet(
        &dir.join("restricted/feedback/ssda903 fake 903 2017-18-Q4.xlsx"),
        "Problems",
    );
    // In XML a problem is located by its element: the child's place in the
    // file and the episode's place in the child.
    assert!(
        problems.iter().any(|p| p[0] == "fake 903 2017-18-Q4.xml"
            && p[1].starts_with("CHILD ")
            && p[1].contains(", EPISODE ")),
        "{problems:?}"
    );
}

#[test]
fn bad_extracts_get_messages_and_the_run_goes_on() {
    let case = Case::new();
    ReturnBuilder::new("Looked After Children", "2014-15 Q2")
        .pct("TS8", 1.0, 4.0)
        .write(&case.inputs().join("2014-15-Q2/LAC.xlsx"));
    // A damaged XML, an XML with an entity declaration, a binary file named
    // .csv and a list missing a column, in four quarters' folders.
    let put = |folder: &str, name: &str, bytes: &[u8]| {
        let dir = case.inputs().join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    put(
        "2013-14-Q1",
        "ssda903.xml",
        b"<EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID></CHILD>",
    );
    put(
        "2013-14-Q2",
        "ssda903.xml",
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'a'>]><EXPSSDA903/>",
    );
    put(
        "2013-14-Q3/ssda903",
        "header.csv",
        b"PK\x03\x04\x00\x00binary",
    );
    put(
        "2013-14-Q4/ssda903",
        "header.csv",
        b"CHILD,DOB\nA,01/01/2005\n",
    );
    put(
        "2013-14-Q4/ssda903",
        "episodes.csv",
        b"CHILD,DECOM,RNE,LS,PLACE,DEC\nA,01/01/2014,S,C2,U1,\n",
    );
    // A list in a folder that names no quarter.
    put("extracts", "header.csv", b"CHILD,DOB\nA,01/01/2005\n");
    let out = case.run(&["run", "--all-periods"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("The XML is damaged"), "{err}");
    assert!(err.contains("document type declaration"), "{err}");
    assert!(err.contains("has no REC column"), "{err}");
    assert!(
        err.contains("The quarter of this extract cannot be told"),
        "{err}"
    );
    assert!(err.contains("extracts/"), "{err}");
    assert!(err.contains("holds binary data"), "{err}");
    // The return was still read and used.
    let rows = read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"));
    assert_eq!(csv_row(&rows, "2014-15 Q2", "TS8")["display"], "25.0%");
}

#[test]
fn a_service_is_told_where_its_figure_differs_from_the_extract() {
    let case = Case::new();
    ReturnBuilder::new("Looked After Children", "2014-15 Q2")
        .pct("TS8", 1.0, 4.0)
        .pct("TS21", 4.0, 1.0)
        .write(&case.inputs().join("2014-15-Q2/LAC.xlsx"));
    let dir = case.inputs().join("2014-15-Q2/ssda903");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("header.csv"),
        "CHILD,DOB\nA,01/01/2005\nB,01/01/2005\nC,01/01/2005\nE,01/01/2005\n",
    )
    .unwrap();
    // As in the unit case: A and B have 3 placements in the year to
    // 30/09/2014, C and E 2. TS8 = 2 of 4 = 50.0%; the return says 1 of 4 =
    // 25.0%. TS21: 4 looked after, as the return says: no warning.
    std::fs::write(
        dir.join("episodes.csv"),
        "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n\
A,30/09/2013,S,C2,U1,01/02/2014,X1\nA,01/02/2014,P,C2,U2,01/06/2014,X1\nA,01/06/2014,P,C2,U3,,\n\
B,01/10/2013,S,C2,U1,01/02/2014,X1\nB,01/02/2014,P,C2,U2,01/06/2014,X1\nB,01/06/2014,P,C2,U3,,\n\
C,30/09/2012,S,C2,U1,01/02/2014,X1\nC,01/02/2014,B,C2,U2,,\n\
E,01/01/2014,S,C2,U1,01/03/2014,X1\nE,01/03/2014,P,V3,U2,01/04/2014,X1\nE,01/04/2014,P,C2,U3,,\n",
    )
    .unwrap();
    let out = case.run(&["run"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let rows = read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"));
    assert_eq!(csv_row(&rows, "2014-15 Q2", "TS8")["display"], "50.0%");
    let text = workbook_text(&case.period_dir("2014-15-Q2").join("feedback/LAC.xlsx"));
    assert!(text.contains("Your figure for TS8 is 25.0% (1 of 4), but the figure worked out from the children's records in the SSDA903 extract is 50.0% (2 of 4)"), "{text}");
    assert!(!text.contains("Your figure for TS21"), "{text}");
}

#[test]
fn of_two_extracts_for_one_quarter_the_one_changed_last_wins() {
    let case = Case::new();
    let dir = case.inputs().join("2014-15-Q2/ssda903");
    std::fs::create_dir_all(&dir).unwrap();
    // The CSV lists: one child looked after on 30/09/2014.
    std::fs::write(dir.join("header.csv"), "CHILD,DOB\nA,01/01/2005\n").unwrap();
    std::fs::write(
        dir.join("episodes.csv"),
        "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\nA,01/01/2014,S,C2,U1,,\n",
    )
    .unwrap();
    // The XML, exported later: two children looked after.
    let xml = case.inputs().join("ssda903 2014-15-Q2.xml");
    std::fs::write(
        &xml,
        "<EXPSSDA903>\
<CHILD><HEADER><CHILDID>A</CHILDID><DOB>01/01/2005</DOB></HEADER><EPISODE><DECOM>01/01/2014</DECOM><RNE>S</RNE><LS>C2</LS><PL>U1</PL></EPISODE></CHILD>\
<CHILD><HEADER><CHILDID>B</CHILDID><DOB>01/01/2006</DOB></HEADER><EPISODE><DECOM>01/02/2014</DECOM><RNE>S</RNE><LS>C2</LS><PL>U1</PL></EPISODE></CHILD>\
</EXPSSDA903>",
    )
    .unwrap();
    let older = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for f in ["header.csv", "episodes.csv"] {
        std::fs::File::options()
            .write(true)
            .open(dir.join(f))
            .unwrap()
            .set_modified(older)
            .unwrap();
    }
    let out = case.run(&["run"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let rows = read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"));
    // TS21 from the XML: 2 children.
    assert_eq!(csv_row(&rows, "2014-15 Q2", "TS21")["numerator"], "2");
    let record =
        std::fs::read_to_string(case.period_dir("2014-15-Q2").join("run-record.json")).unwrap();
    let record: serde_json::Value = serde_json::from_str(&record).unwrap();
    let extracts = record["ssda903_extracts"].as_array().unwrap();
    let csv = extracts
        .iter()
        .find(|e| e["name"] == "2014-15-Q2/ssda903/")
        .unwrap();
    assert_eq!(csv["status"]["status"], "superseded");
    assert_eq!(csv["status"]["by"], "ssda903 2014-15-Q2.xml");
    let feedback = workbook_text(
        &case
            .period_dir("2014-15-Q2")
            .join("restricted/feedback/ssda903 2014-15-Q2-ssda903.xlsx"),
    );
    assert!(
        feedback.contains("Superseded by ssda903 2014-15-Q2.xml"),
        "{feedback}"
    );
}

#[test]
fn check_on_a_folder_checks_its_extract_too() {
    let case = Case::new();
    let dir = case.inputs().join("2014-15-Q2/ssda903");
    std::fs::create_dir_all(&dir).unwrap();
    // Eleven children, one of them (B) with a date of birth that is no
    // date: under a tenth left out, so the extract would be used.
    let others: Vec<String> = (0..10).map(|i| format!("A{i}")).collect();
    let mut header = String::from("CHILD,DOB\nB,31/02/2005\n");
    let mut episodes = String::from("CHILD,DECOM,RNE,LS,PLACE,DEC,REC\nB,01/01/2014,S,C2,U1,,\n");
    for id in &others {
        header.push_str(&format!("{id},01/01/2005\n"));
        episodes.push_str(&format!("{id},01/01/2014,S,C2,U1,,\n"));
    }
    std::fs::write(dir.join("header.csv"), &header).unwrap();
    std::fs::write(dir.join("episodes.csv"), &episodes).unwrap();
    // Checked from the quarter's own folder, which names the quarter.
    let out = case.run(&["check", "inputs/2014-15-Q2"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("ssda903/: SSDA903 extract for 2014-15 Q2: 11 children, 1 would be left out of the figures"),
        "{text}"
    );
    assert!(
        text.contains(
            "ssda903/header.csv, row 2, column DOB: error [ssda903-date]: DOB is not a real date."
        ),
        "{text}"
    );
    // Nothing from a child's record: neither the id nor the value.
    assert!(!text.contains(",B") && !text.contains(" B "), "{text}");
    assert!(!text.contains("31/02/2005"), "{text}");

    // A second child with an error: two of eleven, more than a tenth.
    std::fs::write(
        dir.join("header.csv"),
        header.replace("A0,01/01/2005", "A0,01/13/2005"),
    )
    .unwrap();
    let out = case.run(&["check", "inputs"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("2014-15-Q2/ssda903/: would be refused: 2 of its 11 children have errors, more than the tenth"),
        "{text}"
    );
    assert!(!text.contains("01/13/2005"), "{text}");
}
