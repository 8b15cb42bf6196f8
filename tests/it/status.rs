//! The status page, `output/<quarter>/returns.html`, as `run` writes it for
//! the sample returns: who has sent what, and whether it is accessible.

use crate::common::*;

fn page_of(case: &Case) -> String {
    std::fs::read_to_string(case.period_dir("2014-15-Q2").join("returns.html"))
        .expect("run writes returns.html")
}

#[test]
fn every_service_is_listed_with_what_it_sent() {
    let case = Case::sample_run();
    let page = page_of(&case);
    let t = scorecard::config::Templates::load(&case.templates()).unwrap();
    for s in &t.services {
        let name = s.name.replace('\'', "&#39;");
        assert!(
            page.contains(&format!("<th scope=\"row\">{name}</th>")),
            "{} is missing",
            s.name
        );
    }
    // The sample's rejected return, with its feedback linked and present.
    let yos = page
        .lines()
        .find(|l| l.contains(">Youth Offending Service</th>"))
        .unwrap();
    assert!(yos.contains("Rejected"), "{yos}");
    let href = yos
        .split("href=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .expect("a link to the feedback");
    let target = href.replace("%20", " ");
    assert!(
        case.period_dir("2014-15-Q2").join(&target).is_file(),
        "the link {href} leads to the feedback"
    );
    // The deadline from templates/scorecard.toml: 14 days after 30 September.
    assert!(
        page.contains("due by <strong>14 October 2014</strong>"),
        "{page}"
    );
    assert!(page.contains("SAMPLE DATA"));
    // The house style the committee report's page shares, and nothing else.
    let css = scorecard::typeset::html::stylesheet(&t, scorecard::typeset::html::WebPage::Returns)
        .unwrap();
    assert!(page.contains(&format!("<style>\n{css}</style>")), "{page}");
    assert_eq!(page.matches("<style").count(), 1);
    assert!(!page.contains(" style=\""), "inline style attributes");
    assert!(page.contains("<html lang=\"en-GB\">") && page.contains("<caption"));
    assert!(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"));
}

#[test]
fn a_mistake_in_the_deadline_names_the_file_and_key() {
    let case = Case::new();
    case.edit_template(
        "scorecard.toml",
        "days_after_quarter_end = 14",
        "days_after_quarter_end = \"fortnight\"",
    );
    let out = case.run(&["check"]);
    let said = stdout(&out);
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(said.contains("scorecard.toml, line"), "{said}");
    assert!(
        said.contains("days_after_quarter_end is \"fortnight\""),
        "{said}"
    );

    let case = Case::new();
    case.edit_template(
        "scorecard.toml",
        "days_after_quarter_end = 14",
        "days_after_quarter_end = 400",
    );
    let out = case.run(&["check"]);
    let said = stdout(&out);
    assert!(
        said.contains("scorecard.toml, line") && said.contains("days_after_quarter_end is 400"),
        "{said}"
    );
}

#[test]
fn axe_finds_no_violations_in_the_status_page() {
    let case = Case::sample_run();
    let page = case.period_dir("2014-15-Q2").join("returns.html");
    if let Some(out) = a11y_check("axe_finds_no_violations_in_the_status_page", &page) {
        assert!(out.contains("no accessibility violations found"), "{out}");
    }
}
