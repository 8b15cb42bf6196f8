//! The contract's arithmetic, end to end: how services' figures combine
//! into borough figures, and how rounding decides RAG.

use crate::common::*;

const Q2: &str = "2014-15 Q2";

fn figures(case: &Case) -> Vec<std::collections::HashMap<String, String>> {
    let out = case.run(&["run", "--period", "2014-15-Q2"]);
    assert!(out.status.code().is_some(), "{}", stderr(&out));
    read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"))
}

#[test]
fn a_figure_that_prints_as_the_target_meets_it() {
    // 1874 / 2500 = 74.96%, printed 75.0%: Green against a 75% target.
    let case = Case::new();
    ReturnBuilder::new("Child Protection and Reviewing", Q2)
        .pct("TS3", 1874.0, 2500.0)
        // 1871 / 2500 = 74.84%, printed 74.8%: far below TS4's 98% target
        // (tolerance 3), so Red.
        .pct("TS4", 1871.0, 2500.0)
        // Lower is better: 5.04% prints as 5.0%, meeting the 5% target.
        .pct("TS5", 126.0, 2500.0)
        // 15.1% against a 15% target with tolerance 2: Amber.
        .pct("TS6", 151.0, 1000.0)
        .write(&case.inputs().join("cpr.xlsx"));
    let rows = figures(&case);
    let get = |r: &str| csv_row(&rows, Q2, r).clone();
    assert_eq!(
        (get("TS3")["display"].as_str(), get("TS3")["rag"].as_str()),
        ("75.0%", "Green")
    );
    assert_eq!(get("TS3")["value"], "74.96");
    assert_eq!(
        (get("TS4")["display"].as_str(), get("TS4")["rag"].as_str()),
        ("74.8%", "Red")
    );
    assert_eq!(
        (get("TS5")["display"].as_str(), get("TS5")["rag"].as_str()),
        ("5.0%", "Green")
    );
    assert_eq!(
        (get("TS6")["display"].as_str(), get("TS6")["rag"].as_str()),
        ("15.1%", "Amber")
    );
}

#[test]
fn services_combine_by_summing_before_dividing() {
    let case = Case::new();
    // TS24 comes from two services, with different rates, so summing
    // before dividing and averaging the rates give different answers.
    ReturnBuilder::new("Looked After Children", Q2)
        .pct("TS24", 110.0, 120.0)
        .row("TS21", V::N(256.0), V::Blank, V::Blank, V::Blank)
        .write(&case.inputs().join("lac.xlsx"));
    ReturnBuilder::new("Leaving Care", Q2)
        .pct("TS24", 30.0, 60.0)
        .write(&case.inputs().join("lc.xlsx"));
    ReturnBuilder::new("Adoption and Permanency", Q2)
        .row("TS15", V::Blank, V::Blank, V::N(7.0), V::Blank)
        .row("TS16", V::N(3567.0), V::N(7.0), V::Blank, V::Blank)
        .write(&case.inputs().join("adp.xlsx"));
    let rows = figures(&case);
    let ts24 = csv_row(&rows, Q2, "TS24");
    assert_eq!(
        (ts24["numerator"].as_str(), ts24["denominator"].as_str()),
        ("140", "180")
    );
    // 140 / 180 = 77.8%, where the mean of 91.7% and 50.0% would be 70.8%.
    assert_eq!(ts24["display"], "77.8%");
    // Per 10,000 of the 57,000 children in the templates.
    assert_eq!(csv_row(&rows, Q2, "TS21")["display"], "44.9");
    assert_eq!(csv_row(&rows, Q2, "TS15")["display"], "7");
    assert_eq!(csv_row(&rows, Q2, "TS16")["display"], "509.6");
}

#[test]
fn a_missing_service_makes_a_partial_figure_and_says_so() {
    let case = Case::new();
    ReturnBuilder::new("Looked After Children", Q2)
        .pct("TS24", 110.0, 120.0)
        .write(&case.inputs().join("lac.xlsx"));
    let rows = figures(&case);
    let ts24 = csv_row(&rows, Q2, "TS24");
    assert_eq!(ts24["display"], "91.7%");
    assert_eq!(ts24["services"], "Looked After Children");
    assert_eq!(ts24["note"], "no return from Leaving Care");
    let ts10 = csv_row(&rows, Q2, "TS10");
    assert_eq!(ts10["status"], "no data");
}

#[test]
fn direction_compares_printed_figures_with_the_quarter_before() {
    let case = Case::new();
    // 2014-15 Q1: 79.94% prints 79.9%. Q2: 79.86% prints 79.9%: unchanged,
    // although the unrounded value fell.
    ReturnBuilder::new("Child Protection and Reviewing", "2014-15 Q1")
        .pct("TS3", 7994.0, 10000.0)
        .pct("TS5", 50.0, 1000.0)
        .write(&case.inputs().join("q1.xlsx"));
    ReturnBuilder::new("Child Protection and Reviewing", Q2)
        .pct("TS3", 7986.0, 10000.0)
        .pct("TS5", 40.0, 1000.0)
        .write(&case.inputs().join("q2.xlsx"));
    let rows = figures(&case);
    assert_eq!(csv_row(&rows, Q2, "TS3")["direction"], "unchanged");
    // Lower is better: 5.0% to 4.0% improved.
    assert_eq!(csv_row(&rows, Q2, "TS5")["direction"], "improved");
    assert_eq!(csv_row(&rows, "2014-15 Q1", "TS5")["direction"], "");
}
