//! Mistakes in the templates stop the run before anything is written, with
//! the file and line.

use crate::common::*;

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
    let out = case.run_expecting(&["run"], 1);
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
}

/// Runs with one change to report.j2 and returns (exit code, stderr).
fn run_with_wording(from: &str, to: &str) -> (Case, i32, String) {
    let case = Case::with_samples();
    case.edit_template("report.j2", from, to);
    let out = case.run(&["run"]);
    let code = out.status.code().unwrap_or(-1);
    (case, code, stderr(&out))
}

fn line_of(case: &Case, needle: &str) -> usize {
    let text = std::fs::read_to_string(case.templates().join("report.j2")).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn unknown_name_in_the_wording_is_located_and_nothing_is_written() {
    let (case, code, err) = run_with_wording(
        "scorecard for {{ period }}, highlights",
        "scorecard for {{ quarter }}, highlights",
    );
    assert_eq!(code, 1, "{err}");
    let line = line_of(&case, "for {{ quarter }}, highlights");
    assert!(
        err.contains(&format!("report.j2, line {line}: undefined value")),
        "{err}"
    );
    assert!(
        !case.output().join("2014-15-Q2").exists(),
        "nothing is written"
    );
}

#[test]
fn unclosed_tag_is_located() {
    let (case, code, err) = run_with_wording("{% if strengths %}", "{% if strengths %");
    assert_eq!(code, 1, "{err}");
    // The parser notices at the tag or on the line after it.
    let line = line_of(&case, "{% if strengths %");
    assert!(
        err.contains(&format!("report.j2, line {line}: syntax error"))
            || err.contains(&format!("report.j2, line {}: syntax error", line + 1)),
        "{err}"
    );
    assert!(!case.output().join("2014-15-Q2").exists());
}

#[test]
fn a_ref_not_in_the_catalogue_is_named() {
    let (case, code, err) = run_with_wording(
        "{% block reason %}",
        "{% block reason %}\n{{ indicator(\"TS99\").value }}",
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("there is no indicator TS99 in indicators.toml"),
        "{err}"
    );
    assert!(!case.output().join("2014-15-Q2").exists());
}

#[test]
fn check_templates_alone() {
    let case = Case::new();
    let out = case.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("the templates are in order"));
    case.edit_template("report.j2", "{% endblock %}", "{% endblok %}");
    let out = case.run(&["check", "--templates", "templates"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stdout(&out).contains("report.j2, line"), "{}", stdout(&out));
}

#[test]
fn wording_committee_and_target_change_with_no_code_change() {
    let case = Case::with_samples();
    case.edit_template(
        "meeting.toml",
        "committee = \"Overview and Scrutiny Committee\"",
        "committee = \"Children and Families Scrutiny Panel\"",
    );
    case.edit_template(
        "indicators.toml",
        "polarity = \"higher\"\ntarget = 75\ntolerance = 5\nstatistical_neighbours = 72.4",
        "polarity = \"higher\"\ntarget = 85\ntolerance = 5\nstatistical_neighbours = 72.4",
    );
    case.edit_template(
        "report.j2",
        "There are no direct financial implications arising from this report.",
        "The Director of Finance has confirmed that this report has no financial implications.",
    );
    case.run_expecting(&["run"], 3);
    let pdf = pdf_text(&case.period_dir("2014-15-Q2").join("committee-report.pdf"));
    assert!(pdf.contains("REPORT FOR: CHILDREN AND FAMILIES SCRUTINY PANEL"));
    assert!(pdf.contains("That the Children and Families Scrutiny Panel notes"));
    assert!(pdf.contains(
        "The Director of Finance has confirmed that this report has no financial implications."
    ));
    assert!(!pdf.contains("There are no direct financial implications"));
    // TS3 at 83.5% against 85%: no longer a strength.
    assert!(pdf.contains(
        "(TS3). This is below the 85% target and down 1.1 points from 84.6% in 2014-15 Q1."
    ));
}

#[test]
fn changing_a_target_changes_the_judgement() {
    let case = Case::with_samples();
    // TS3 is 83.5% against 75%: Green. Against 88% with tolerance 5, Amber.
    case.edit_template(
        "indicators.toml",
        "polarity = \"higher\"\ntarget = 75\ntolerance = 5\nstatistical_neighbours = 72.4",
        "polarity = \"higher\"\ntarget = 88\ntolerance = 5\nstatistical_neighbours = 72.4",
    );
    case.run_expecting(&["run"], 3);
    let rows = read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"));
    let ts3 = csv_row(&rows, "2014-15 Q2", "TS3");
    assert_eq!(
        (ts3["target"].as_str(), ts3["rag"].as_str()),
        ("88", "Amber")
    );
}

/// The line of a template file holding `needle`.
fn line_in(case: &Case, file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(case.templates().join(file)).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_mistake_in_the_print_layout_is_located_and_nothing_is_written() {
    let case = Case::with_samples();
    case.edit_template(
        "report.typ",
        "#heading-block(data.heading)",
        "#heading-block(data.headin)",
    );
    let out = case.run(&["run"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let line = line_in(&case, "report.typ", "#heading-block(data.headin)");
    assert!(
        err.contains(&format!(
            "report.typ, line {line}: dictionary does not contain key \"headin\""
        )),
        "{err}"
    );
    assert!(
        !case.output().join("2014-15-Q2").exists(),
        "nothing is written"
    );
    // `check` finds it too, without a run.
    let out = case.run(&["check"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stdout(&out).contains(&format!("report.typ, line {line}")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_mistake_in_the_shared_house_style_names_its_own_file() {
    let case = Case::new();
    case.edit_template(
        "council-paper.typ",
        "#let navy = rgb(\"#1F3864\")",
        "#let navy = rgb(\"#1F386\")",
    );
    let out = case.run(&["check"]);
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    let line = line_in(&case, "council-paper.typ", "#let navy");
    assert!(
        text.contains(&format!("council-paper.typ, line {line}")),
        "{text}"
    );
}

#[test]
fn the_web_page_layout_is_checked_like_the_wording() {
    let case = Case::new();
    case.edit_template(
        "report.html.j2",
        "{{ heading.report_for }}",
        "{{ heading.report_fro }}",
    );
    let out = case.run(&["check"]);
    assert_eq!(out.status.code(), Some(3));
    let line = line_in(&case, "report.html.j2", "{{ heading.report_fro }}");
    assert!(
        stdout(&out).contains(&format!("report.html.j2, line {line}: undefined value")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_mistake_in_the_status_page_layout_is_located_and_nothing_is_written() {
    let case = Case::with_samples();
    case.edit_template(
        "returns.html.j2",
        "{% for row in services %}",
        "{% for row in services %}{% endif %}",
    );
    let line = line_in(
        &case,
        "returns.html.j2",
        "{% for row in services %}{% endif %}",
    );
    let out = case.run(&["check"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stdout(&out).contains(&format!("returns.html.j2, line {line}: syntax error")),
        "{}",
        stdout(&out)
    );
    let out = case.run(&["run"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("returns.html.j2, line {line}")),
        "{}",
        stderr(&out)
    );
    assert!(
        !case.output().join("2014-15-Q2").exists(),
        "nothing is written"
    );
}

#[test]
fn a_name_the_status_page_does_not_have_is_located_when_it_is_written() {
    let case = Case::with_samples();
    case.edit_template(
        "returns.html.j2",
        "{{ counts.services }} services",
        "{{ counts.service }} services",
    );
    let out = case.run_expecting(&["run"], 1);
    let err = stderr(&out);
    let line = line_in(&case, "returns.html.j2", "{{ counts.service }} services");
    assert!(
        err.contains(&format!("returns.html.j2, line {line}: undefined value")),
        "{err}"
    );
}

#[test]
fn a_mistake_in_the_shared_web_stylesheet_names_its_own_file() {
    let case = Case::new();
    case.edit_template(
        "web-style.css.j2",
        "{{ style.rule }}}",
        "{{ style.rules }}}",
    );
    let out = case.run(&["check"]);
    assert_eq!(out.status.code(), Some(3));
    let line = line_in(&case, "web-style.css.j2", "{{ style.rules }}}");
    assert!(
        stdout(&out).contains(&format!("web-style.css.j2, line {line}: undefined value")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_passage_is_added_by_editing_templates_alone() {
    let case = Case::with_samples();
    case.edit_template(
        "report.j2",
        "{% block financial_implications %}",
        "{% block safeguarding_partnership %}\nThe Local Safeguarding Children Board reviewed these figures on {{ meeting_date }}.\n{% endblock %}\n\n{% block financial_implications %}",
    );
    case.edit_template(
        "report-outline.toml",
        "  { heading = \"Financial Implications\"",
        "  { heading = \"Safeguarding Children Board\", passage = \"safeguarding_partnership\" },\n  { heading = \"Financial Implications\"",
    );
    let out = case.run(&["run"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let dir = case.period_dir("2014-15-Q2");
    let pdf = pdf_text(&dir.join("committee-report.pdf"));
    assert!(pdf.contains("2.9 Safeguarding Children Board"), "{pdf}");
    assert!(pdf.contains(
        "The Local Safeguarding Children Board reviewed these figures on 25 November 2014."
    ));
    // Every part after it is numbered on.
    assert!(pdf.contains("2.13 Equalities Implications"));
    let html = std::fs::read_to_string(dir.join("committee-report.html")).unwrap();
    assert!(
        html.contains(">2.9 Safeguarding Children Board</h3>"),
        "{html}"
    );
}

#[test]
fn an_outline_part_naming_no_block_is_located() {
    let case = Case::new();
    case.edit_template(
        "report-outline.toml",
        "passage = \"equalities\"",
        "passage = \"equality\"",
    );
    case.edit_template(
        "report-outline.toml",
        "show = \"glance\"",
        "show = \"glanse\"",
    );
    let out = case.run(&["check"]);
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    let line = line_in(&case, "report-outline.toml", "\"equality\"");
    assert!(
        text.contains(&format!("report-outline.toml, line {line}: passage = \"equality\", but report.j2 has no {{% block equality %}}")),
        "{text}"
    );
    assert!(
        text.contains("show = \"glanse\" is not something the report can show"),
        "{text}"
    );
}

/// A 4 × 2 pixel PNG in the council's navy, standing in for a logo.
const LOGO: [u8; 73] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 4, 0, 0, 0, 2, 8, 2, 0,
    0, 0, 240, 202, 234, 52, 0, 0, 0, 16, 73, 68, 65, 84, 120, 156, 99, 144, 183, 72, 129, 35, 6,
    100, 14, 0, 73, 234, 5, 217, 144, 78, 161, 118, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

#[test]
fn a_council_adds_its_logo_and_colours_in_the_print_layout_alone() {
    let case = Case::with_samples();
    std::fs::write(case.templates().join("logo.png"), LOGO).unwrap();
    case.edit_template(
        "report.typ",
        "#let heading-block(h) = {",
        "#let heading-block(h) = {\n  image(\"/logo.png\", alt: \"Example Borough Council\", height: 12mm)",
    );
    case.edit_template(
        "council-paper.typ",
        "#let navy = rgb(\"#1F3864\")",
        "#let navy = rgb(\"#005A30\")",
    );
    let out = case.run(&["run"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let pdf = case.period_dir("2014-15-Q2").join("committee-report.pdf");
    let pictures = poppler_table("pdfimages", &["-list"], &pdf);
    assert_eq!(pictures.len(), 1, "the logo, once: {pictures:?}");
    assert_eq!(
        (pictures[0][3].as_str(), pictures[0][4].as_str()),
        ("4", "2")
    );
    // A picture without words is refused by PDF/UA: the layout says so.
    case.edit_template("report.typ", ", alt: \"Example Borough Council\"", "");
    let out = case.run(&["run"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("report.typ, line"), "{err}");
    assert!(err.contains("alt"), "{err}");
}
