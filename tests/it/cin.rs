//! The children in need census as a source of figures, run as a council
//! would: the shipped sample quarters take seven help-and-protection
//! figures from their censuses (seventeen from children's records in
//! all), a census is found in a folder named like `CIN 2014-15 Q1`, the
//! children behind each figure go only to the restricted workbook, and no
//! child's id appears in any public output or on the console.

use std::collections::BTreeSet;

use crate::common::*;

const CIN_REFS: [&str; 7] = ["TS2", "TS3", "TS4", "TS5", "TS6", "TS22", "TS23"];

/// The shipped census for a quarter.
fn sample_census(quarter: &str) -> String {
    std::fs::read_to_string(root().join(format!("inputs/{quarter}/cin/CIN census {quarter}.xml")))
        .unwrap()
}

/// Every `LAchildID` in a census.
fn child_ids(xml: &str) -> BTreeSet<String> {
    xml.split("<LAchildID>")
        .skip(1)
        .filter_map(|s| s.split("</LAchildID>").next())
        .map(|s| s.trim().to_string())
        .filter(|s| s.len() > 3)
        .collect()
}

#[test]
fn the_sample_run_takes_seventeen_figures_from_the_childrens_records() {
    let case = Case::shared_sample_run();
    let rows = read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"));
    let from = |source: &str| -> BTreeSet<String> {
        rows.iter()
            .filter(|r| r["period"] == "2014-15 Q2" && r["source"] == source)
            .map(|r| r["ref"].clone())
            .collect()
    };
    let cin = from("cin");
    assert_eq!(cin, CIN_REFS.iter().map(|r| r.to_string()).collect());
    assert_eq!(from("ssda903").len() + cin.len(), 17);
    // The data-quality statement says so, in counts.
    let html = std::fs::read_to_string(case.period_dir("2014-15-Q2").join("committee-report.html"))
        .unwrap();
    assert!(
        html.contains("children in need census extract for"),
        "the report does not speak of the census"
    );
}

#[test]
fn the_children_behind_each_census_figure_are_only_in_restricted() {
    let case = Case::shared_sample_run();
    let quarter = case.period_dir("2014-15-Q2");
    let restricted = quarter.join("restricted/cin-children.xlsx");
    let text = workbook_text(&restricted);
    let ids = child_ids(&sample_census("2014-15-Q2"));
    assert!(ids.len() > 100, "{}", ids.len());
    assert!(
        ids.iter().filter(|id| text.contains(id.as_str())).count() > 10,
        "the restricted workbook names no child"
    );
    for r in ["TS2", "TS22", "TS23"] {
        assert!(!read_sheet(&restricted, r).is_empty(), "no sheet {r}");
    }
    assert_nothing_outside_restricted(case, &ids, &[]);
}

#[test]
fn a_census_in_a_folder_named_after_its_quarter_is_used_and_nothing_is_printed_of_a_child() {
    let case = Case::new();
    ReturnBuilder::new("Children's Access Team", "2014-15 Q1")
        .pct("TS2", 1.0, 4.0)
        .write(&case.inputs().join("2014-15-Q1").join("CAT.xlsx"));
    let folder = case.inputs().join("CIN 2014-15 Q1");
    std::fs::create_dir_all(&folder).unwrap();
    let xml = sample_census("2014-15-Q1");
    std::fs::write(folder.join("census.xml"), &xml).unwrap();
    let out = case.run(&["run", "--period", "2014-15-Q1"]);
    let code = out.status.code();
    assert!(
        matches!(code, Some(0) | Some(3)),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let rows = read_csv(&case.period_dir("2014-15-Q1").join("data/indicators.csv"));
    assert_eq!(csv_row(&rows, "2014-15 Q1", "TS2")["source"], "cin");
    assert_eq!(csv_row(&rows, "2014-15 Q1", "TS22")["source"], "cin");
    // The Children's Access Team's figure differs from the census's: it is
    // told so, on its cell.
    let feedback = workbook_text(&case.period_dir("2014-15-Q1").join("feedback/CAT.xlsx"));
    assert!(feedback.contains("cin-differs"), "{feedback}");
    let check = case.run(&["check", "inputs/CIN 2014-15 Q1"]);
    assert!(
        format!("{}{}", stdout(&check), stderr(&check)).contains("CIN census extract"),
        "{}",
        stdout(&check)
    );
    assert_nothing_outside_restricted(&case, &child_ids(&xml), &[&out, &check]);
}
