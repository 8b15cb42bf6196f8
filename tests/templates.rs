//! Mistakes in the templates stop the run before anything is written, with
//! the file and line.

mod common;

use common::*;

#[test]
fn misspelt_key_is_named_with_its_line() {
    let case = Case::with_samples();
    case.edit_template(
        "indicators.toml",
        "polarity = \"lower\"",
        "polarty = \"lower\"",
    );
    let out = case.run(&["run"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("indicators.toml, line"), "{err}");
    assert!(err.contains("unknown field `polarty`"), "{err}");
    assert!(
        !case.output().join("2014-15-Q2").exists(),
        "nothing is written"
    );
}

#[test]
fn semantic_mistakes_are_located() {
    let case = Case::new();
    case.edit_template(
        "indicators.toml",
        "theme = \"leadership\"",
        "theme = \"leadrship\"",
    );
    case.edit_template(
        "meeting.toml",
        "date_of_meeting = \"2014-11-25\"",
        "date_of_meeting = \"25/11/2014\"",
    );
    case.edit_template("report.toml", "{period}", "{quarter}");
    let out = case.run(&["run"]);
    let err = stderr(&out);
    assert!(
        err.contains("TS1 has theme \"leadrship\", which is not one of the [[theme]] ids"),
        "{err}"
    );
    assert!(
        err.contains(
            "meeting.toml, line 5: date_of_meeting is \"25/11/2014\"; write it as YYYY-MM-DD"
        ),
        "{err}"
    );
    assert!(
        err.contains("{quarter} is not a placeholder this report knows"),
        "{err}"
    );
}

#[test]
fn changing_a_target_changes_the_judgement() {
    let case = Case::with_samples();
    // TS3 is 79.9% against 75%: Green. Against 82% with tolerance 5, Amber.
    case.edit_template(
        "indicators.toml",
        "polarity = \"higher\"\ntarget = 75\ntolerance = 5\nstatistical_neighbours = 72.4",
        "polarity = \"higher\"\ntarget = 82\ntolerance = 5\nstatistical_neighbours = 72.4",
    );
    let _ = case.run(&["run"]);
    let rows = read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"));
    let ts3 = csv_row(&rows, "2014-15 Q2", "TS3");
    assert_eq!(
        (ts3["target"].as_str(), ts3["rag"].as_str()),
        ("82", "Amber")
    );
}
