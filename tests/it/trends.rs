//! Trend charts: their data is the scorecard's, figure for figure.

use std::collections::HashMap;

use crate::common::*;

const SHOWN: [&str; 5] = [
    "2013-14 Q2",
    "2013-14 Q3",
    "2013-14 Q4",
    "2014-15 Q1",
    "2014-15 Q2",
];

/// Green, Amber and Red counts per quarter, counted from the CSV.
fn counts(csv: &[HashMap<String, String>], period: &str) -> (usize, usize, usize) {
    let n = |rag: &str| {
        csv.iter()
            .filter(|r| r["period"] == period && r["rag"] == rag)
            .count()
    };
    (n("Green"), n("Amber"), n("Red"))
}

#[test]
fn chart_words_in_the_pdf_match_the_csv() {
    let case = Case::shared_sample_run();
    let dir = case.period_dir("2014-15-Q2");
    let csv = read_csv(&dir.join("data/indicators.csv"));
    let pdf = pdf_text(&dir.join("committee-report.pdf"));
    assert!(pdf.contains("Figure 1: Indicators rated Green, Amber and Red, by quarter"));
    for p in SHOWN {
        let (g, a, r) = counts(&csv, p);
        assert!(
            pdf.contains(&format!("{p}: {g} Green, {a} Amber, {r} Red")),
            "{p}"
        );
    }
    // Every Red indicator, and the two the templates name, has a chart
    // whose words give the same figures as the CSV.
    let red: Vec<&str> = csv
        .iter()
        .filter(|r| r["period"] == "2014-15 Q2" && r["rag"] == "Red")
        .map(|r| r["ref"].as_str())
        .collect();
    assert_eq!(red, ["TS4", "TS5", "TS10", "TS12", "TS20"]);
    for reference in red.iter().chain(["TS3", "TS21"].iter()) {
        let values: Vec<String> = SHOWN
            .iter()
            .map(|p| format!("{p} {}", csv_row(&csv, p, reference)["display"]))
            .collect();
        let words = format!("{reference} by quarter: {}.", values.join("; "));
        assert!(pdf.contains(&words), "missing: {words}");
    }
    assert!(
        !pdf.contains("TS6 by quarter"),
        "Green indicators not named are not charted"
    );
}

#[test]
fn trends_sheet_tables_match_the_scorecard_sheet() {
    let case = Case::shared_sample_run();
    let path = case.period_dir("2014-15-Q2").join("scorecard.xlsx");
    let trends = read_sheet(&path, "Trends");
    let scorecard = read_sheet(&path, "Scorecard");
    let header = scorecard.iter().find(|r| r[0] == "Ref").unwrap().clone();
    assert!(header.contains(&"Trend".to_string()), "sparkline column");
    // For each chart's table: the header row names the ref; the rows below
    // hold the quarters and the same numbers as the Scorecard sheet.
    let mut tables = 0;
    for (i, row) in trends.iter().enumerate() {
        if row.first().map(String::as_str) != Some("Quarter") || row[1] == "Green" {
            continue;
        }
        tables += 1;
        let reference = &row[1];
        let sc_row = scorecard.iter().find(|r| &r[0] == reference).unwrap();
        for (j, p) in SHOWN.iter().enumerate() {
            let data = &trends[i + 1 + j];
            assert_eq!(&data[0], p);
            let col = header.iter().position(|h| h == p).unwrap();
            assert_eq!(data[1], sc_row[col], "{reference} {p}");
        }
    }
    assert_eq!(tables, 7, "five Red indicators and two named ones");
    // The counts table matches the CSV.
    let csv = read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"));
    let at = trends
        .iter()
        .position(|r| r.first().map(String::as_str) == Some("Quarter"))
        .unwrap();
    for (j, p) in SHOWN.iter().enumerate() {
        let (g, a, r) = counts(&csv, p);
        let data = &trends[at + 1 + j];
        assert_eq!(
            (data[1].as_str(), data[2].as_str(), data[3].as_str()),
            (
                g.to_string().as_str(),
                a.to_string().as_str(),
                r.to_string().as_str()
            )
        );
    }
}

/// The outline's `new_page = true` on the Trends part: in the PDF its
/// heading is the first thing on its page, under the running header, with
/// the first chart; the web page breaks there when printed.
#[test]
fn the_trends_part_starts_a_new_page() {
    let case = Case::shared_sample_run();
    let dir = case.period_dir("2014-15-Q2");
    let text = pdf_layout_text(&dir.join("committee-report.pdf"));
    let page = text
        .split('\u{c}')
        .find(|page| page.contains("2.6 Trends"))
        .expect("a page with the Trends heading");
    let body: Vec<&str> = page
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .skip_while(|l| l.starts_with("SAMPLE DATA") || l.starts_with("Example Borough Council"))
        .collect();
    assert_eq!(body.first(), Some(&"2.6 Trends"), "{page}");
    assert!(page.contains("Figure 1:"), "{page}");
    let html = std::fs::read_to_string(dir.join("committee-report.html")).unwrap();
    let trends = html
        .find("<h3 id=\"s2-6\">2.6 Trends</h3>")
        .expect("the Trends heading");
    assert!(
        html[..trends]
            .trim_end()
            .ends_with("<div class=\"new-page\"></div>"),
        "the page break comes just before the Trends heading"
    );
    // The scorecard part is not marked: it follows on the same page.
    let scorecard = html
        .find(">2.5 The scorecard</h3>")
        .expect("the scorecard heading");
    assert_eq!(html[..scorecard].matches("class=\"new-page\"").count(), 0);
}

/// A council's `report.typ` written before the charts' labels were set by
/// the layout places `f.file` alone: that is still the whole picture, its
/// labels drawn in it. Counted in the PDF's text, a bar's label ("12
/// Amber") is there as often with either layout (on the chart, in the
/// words under it and wherever else the report says it), and once fewer
/// without the labels.
#[test]
fn a_layout_placing_the_whole_picture_still_shows_its_labels() {
    let shipped = Case::shared_sample_run();
    let case = Case::with_samples();
    case.edit_template(
        "report.typ",
        "image(f.unlabelled_file, alt: f.alt, width: 100%)\n      place(top + left, pdf.artifact(chart-labels(f)))",
        "image(f.file, alt: f.alt, width: 100%)",
    );
    case.run_expecting(&["run"], 3);
    let count = |case: &Case| {
        let pdf = pdf_text(&case.period_dir("2014-15-Q2").join("committee-report.pdf"));
        pdf.matches("12 Amber").count()
    };
    let shown = count(shipped);
    assert!(shown >= 2, "on the chart and in the words under it");
    assert_eq!(count(&case), shown);
    let unlabelled = Case::with_samples();
    unlabelled.edit_template(
        "report.typ",
        "\n      place(top + left, pdf.artifact(chart-labels(f)))",
        "",
    );
    unlabelled.run_expecting(&["run"], 3);
    assert_eq!(count(&unlabelled), shown - 1);
}
