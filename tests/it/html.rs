//! The HTML committee report: one self-contained page with the PDF's
//! content, built to be read by everyone — checked from its text here, and
//! by axe-core in a real browser (`scripts/a11y/check.mjs`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::common::*;
use scorecard::typeset::html::WebPage;

/// The sample run's page and CSV, made once for every test here.
struct Sample {
    html: String,
    csv: Vec<HashMap<String, String>>,
}

fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let case = Case::shared_sample_run();
        let dir = case.period_dir("2014-15-Q2");
        Sample {
            html: std::fs::read_to_string(dir.join("committee-report.html"))
                .expect("committee-report.html is written beside the PDF"),
            csv: read_csv(&dir.join("data/indicators.csv")),
        }
    })
}

/// Undoes the escaping the renderer does.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The text a reader sees: tags and the stylesheet removed, entities
/// decoded, runs of white space made single spaces.
fn text_of(html: &str) -> String {
    let mut html = html.to_string();
    while let (Some(a), Some(b)) = (html.find("<style"), html.find("</style>")) {
        html.replace_range(a..b + "</style>".len(), " ");
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every start tag named `name`, as its whole `<…>` text.
fn start_tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find(&open) {
        let start = from + i;
        let after = html[start + open.len()..].chars().next();
        let end = start + html[start..].find('>').expect("tag closes");
        if matches!(after, Some(' ' | '>')) {
            tags.push(&html[start..=end]);
        }
        from = end;
    }
    tags
}

/// An attribute's value in a start tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let len = tag[i..].find('"')?;
    Some(&tag[i..i + len])
}

/// The elements named `name` (not nested in themselves), whole.
fn elements<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find(&open) {
        let start = from + i;
        if !matches!(html[start + open.len()..].chars().next(), Some(' ' | '>')) {
            from = start + open.len();
            continue;
        }
        let end = start + html[start..].find(&close).expect("element closes") + close.len();
        found.push(&html[start..end]);
        from = end;
    }
    found
}

/// Headings in document order: (level, text).
fn headings(html: &str) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i + 3 < bytes.len() {
        if bytes[i] == b'<' && bytes[i + 1] == b'h' && (b'1'..=b'6').contains(&bytes[i + 2]) {
            let level = bytes[i + 2] - b'0';
            let close = format!("</h{level}>");
            let end = i + html[i..].find(&close).expect("heading closes");
            out.push((level, text_of(&html[i..end])));
            i = end;
        }
        i += 1;
    }
    out
}

#[test]
fn is_one_self_contained_page() {
    let html = &sample().html;
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
    let title = text_of(elements(html, "title")[0]);
    assert_eq!(
        title,
        "Children and Families Performance Scorecard, 2014-15 Q2 – Overview and Scrutiny Committee – Example Borough Council"
    );
    assert!(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    );
    // Landmarks, each once.
    for tag in ["header", "main", "footer"] {
        assert_eq!(start_tags(html, tag).len(), 1, "one <{tag}>");
    }
    // Nothing is fetched: no scripts, links, frames, imports or url()s...
    for banned in [
        "<script", "<link", "<iframe", "<object", "<embed", "@import", "url(",
    ] {
        assert!(!html.contains(banned), "the page contains {banned}");
    }
    // ...every picture is embedded, and every link is in the page or an email.
    let images = start_tags(html, "img");
    assert!(!images.is_empty());
    for img in &images {
        let src = attr(img, "src").expect("src");
        // An embedded SVG: base64 of "<svg ".
        assert!(
            src.starts_with("data:image/svg+xml;base64,PHN2ZyB"),
            "not an embedded SVG: {}",
            &src[..src.len().min(60)]
        );
    }
    let links = start_tags(html, "a");
    assert!(!links.is_empty());
    for a in links {
        let href = attr(a, "href").expect("href");
        assert!(
            href.starts_with('#') || href.starts_with("mailto:"),
            "outside link {href}"
        );
    }
    for tag in ["src", "href", "srcset", "action", "poster", "data"] {
        for value in html.split(&format!(" {tag}=\"")).skip(1) {
            let value = &value[..value.find('"').unwrap()];
            assert!(
                value.starts_with("data:image/svg+xml;base64,") || !value.contains("//"),
                "{tag}={}",
                &value[..value.len().min(60)]
            );
        }
    }
    // Colours come from the stylesheet alone, which the contrast test measures.
    assert!(!html.contains(" style=\""), "inline style attributes");
    assert_eq!(elements(html, "style").len(), 1);
    assert!(html.contains(&stylesheet(WebPage::Report)));
}

#[test]
fn headings_run_in_order_without_skipping_levels() {
    let hs = headings(&sample().html);
    assert_eq!(hs.iter().filter(|(l, _)| *l == 1).count(), 1, "{hs:?}");
    assert_eq!(hs[0].0, 1, "the h1 comes first: {hs:?}");
    assert_eq!(hs[0].1, "Report for: Overview and Scrutiny Committee");
    for pair in hs.windows(2) {
        assert!(
            pair[1].0 <= pair[0].0 + 1,
            "{:?} follows {:?}: a level is skipped",
            pair[1],
            pair[0]
        );
    }
    let expected = [
        "Section 1 – Summary and Recommendations",
        "Recommendations:",
        "Reason: (for recommendation)",
        "Section 2 – Report",
        "2.1 Introduction",
        "2.2 Performance at a glance",
        "2.3 Strengths",
        "2.4 Weaknesses",
        "2.5 The scorecard",
        "2.6 Trends",
        "2.7 Data quality",
        "2.8 Improvement plan",
        "2.9 Financial Implications",
        "2.10 Performance Issues",
        "2.11 Risk Management Implications",
        "2.12 Equalities Implications",
        "Section 3 – Statutory Officer Clearance",
        "Section 4 – Contact Details and Background Papers",
        "Background Papers:",
        "Appendix 1 – Ofsted 2012: record of main findings",
    ];
    let texts: Vec<&str> = hs.iter().skip(1).map(|(_, t)| t.as_str()).collect();
    assert_eq!(texts, expected);
    let level = |t: &str| hs.iter().find(|(_, x)| x == t).unwrap().0;
    assert_eq!(level("Section 2 – Report"), 2);
    assert_eq!(level("2.6 Trends"), 3);
    assert_eq!(
        level("Appendix 1 – Ofsted 2012: record of main findings"),
        2
    );
}

#[test]
fn tables_have_captions_and_scoped_header_cells() {
    let html = &sample().html;
    let tables = elements(html, "table");
    assert_eq!(
        tables.len(),
        4,
        "at a glance, scorecard, clearance, findings"
    );
    for table in &tables {
        let after_open = &table[table.find('>').unwrap() + 1..];
        assert!(
            after_open.trim_start().starts_with("<caption"),
            "a table without a caption first: {}",
            &table[..120]
        );
        assert!(text_of(elements(table, "caption")[0]).len() > 20);
        assert!(table.contains("<thead>"));
        assert!(!table.contains("<td scope"), "scope on a data cell");
        let ths = start_tags(table, "th");
        assert!(ths.iter().any(|th| attr(th, "scope") == Some("col")));
        for th in ths {
            assert!(
                matches!(attr(th, "scope"), Some("col" | "row" | "rowgroup")),
                "header cell without a scope: {th}"
            );
        }
    }
    // The scorecard's columns: the last five quarters, then the judgements.
    let head = text_of(elements(tables[1], "thead")[0]);
    assert_eq!(
        head,
        "Ref Indicator 2013-14 Q2 2013-14 Q3 2013-14 Q4 2014-15 Q1 2014-15 Q2 Target RAG Direction SN England"
    );
    // Each of its rows is headed by the indicator's ref and title.
    for row in elements(tables[1], "tr")
        .iter()
        .filter(|r| r.contains("<td"))
    {
        let row_headers = start_tags(row, "th")
            .iter()
            .filter(|th| attr(th, "scope") == Some("row"))
            .count();
        assert_eq!(row_headers, 2, "{row}");
    }
    // Its rows are grouped by theme, each group headed.
    let groups: Vec<String> = start_tags(tables[1], "th")
        .iter()
        .filter(|th| attr(th, "scope") == Some("rowgroup"))
        .map(|th| th.to_string())
        .collect();
    assert_eq!(groups.len(), elements(tables[1], "tbody").len());
    assert!(groups.len() >= 3);
}

#[test]
fn ratings_and_grades_are_written_as_well_as_coloured() {
    let html = &sample().html;
    let mut coloured_rows = 0;
    for row in elements(html, "tr") {
        for (class, word) in [
            ("rag-green", "Green"),
            ("rag-amber", "Amber"),
            ("rag-red", "Red"),
        ] {
            if row.contains(class) {
                coloured_rows += 1;
                let text = text_of(row);
                assert!(text.contains(word), "{class} without the word: {text}");
                let symbol = scorecard::model::palette::rag_symbol(match word {
                    "Green" => scorecard::judge::Rag::Green,
                    "Amber" => scorecard::judge::Rag::Amber,
                    _ => scorecard::judge::Rag::Red,
                });
                assert!(
                    text.contains(&format!("{symbol} ")),
                    "{class} without its shape: {text}"
                );
            }
        }
        for grade in ["Outstanding", "Good", "Adequate", "Inadequate"] {
            if row.contains(&format!("grade-{}", grade.to_lowercase())) {
                assert!(text_of(row).ends_with(grade), "{row}");
            }
        }
    }
    // 11 Green, 8 Amber and 5 Red in the scorecard, and the three counts.
    assert_eq!(coloured_rows, 24 + 3);
    let glance = text_of(elements(html, "table")[0]);
    assert!(
        glance.contains("Green Amber Red Context only No data Improved / worsened ● 11 Green ◆ 8 Amber ■ 5 Red 2 1 15 / 7"),
        "{glance}"
    );
}

#[test]
fn figures_and_words_are_the_pdfs() {
    let s = sample();
    let text = text_of(&s.html);
    // TS3 in the scorecard table, from the census: 83.5%, Green, worsened.
    let ts3 = elements(&s.html, "tr")
        .into_iter()
        .map(text_of)
        .find(|r| r.starts_with("TS3 "))
        .expect("TS3 row");
    assert_eq!(
        ts3,
        "TS3 Initial child protection conferences held within 15 working days of the strategy discussion 71.5% 77.9% 76.4% 84.6% 83.5% 75% ● Green ▼ worsened 72.4% 69.3%"
    );
    let ts27 = elements(&s.html, "tr")
        .into_iter()
        .map(text_of)
        .find(|r| r.starts_with("TS27 "))
        .expect("TS27 row");
    assert!(ts27.contains("73.5% No data 75% – –"), "{ts27}");
    for sentence in [
        "83.5% of initial child protection conferences were held within 15 working days of the strategy discussion (TS3). Although still above the 75% target, this is down 1.1 points from 84.6% in 2014-15 Q1.",
        "Child Protection and Reviewing: Several conferences were delayed",
        "6.3% of child protection plans that ended had lasted two years or more (TS5). Down 2.0 points from 8.3% in 2014-15 Q1, but still above the 5% target.",
        "Of the 27 indicators on the scorecard, 26 have figures for 2014-15 Q2: 11 Green, 8 Amber and 5 Red",
        "The return from Youth Offending Service",
        "Date of Meeting: 25 November 2014",
        "Subject: Children's Services Performance Scorecard, 2014-15 Q2",
        "Exempt: No",
        "Enclosures: Appendix 1 – Ofsted 2012: record of main findings (in this report).",
        "SAMPLE DATA – the figures in this report are invented for demonstration",
        "Sample data: every figure in this report is invented",
        "Figure 1: Indicators rated Green, Amber and Red, by quarter",
        "2014-15 Q2: 11 Green, 8 Amber, 5 Red.",
        "TS3 by quarter: 2013-14 Q2 71.5%; 2013-14 Q3 77.9%; 2013-14 Q4 76.4%; 2014-15 Q1 84.6%; 2014-15 Q2 83.5%. Target 75%. Statistical neighbours 72.4%.",
        "A. Finance on behalf of the Chief Financial Officer 14 November 2014",
        "Contact: C. Analyst, Performance Manager, Children and Families. Telephone 020 8000 0000. Email performance@example.gov.uk",
        "Being healthy Inadequate",
    ] {
        assert!(text.contains(sentence), "missing {sentence:?}");
    }
    // Every figure in the CSV for the last two quarters is printed.
    for period in ["2014-15 Q1", "2014-15 Q2"] {
        for row in s.csv.iter().filter(|r| r["period"] == period) {
            assert!(
                text.contains(row["display"].as_str()),
                "{} {period}: {} not in the page",
                row["ref"],
                row["display"]
            );
        }
    }
    // The passages come in the PDF's order.
    let order = [
        "REPORT FOR",
        "Section 1 – Summary",
        "2.3 Strengths",
        "2.4 Weaknesses",
        "2.5 The scorecard",
        "Key: Green",
        "2.6 Trends",
        "Figure 1:",
        "2.7 Data quality",
        "2.12 Equalities",
        "Section 3",
        "Section 4",
        "Appendix 1",
    ];
    let upper = text.to_uppercase();
    let mut at = 0;
    for part in order {
        let i = upper[at..]
            .find(&part.to_uppercase())
            .unwrap_or_else(|| panic!("{part:?} out of order"));
        at += i;
    }
}

#[test]
fn every_chart_has_alt_text_a_caption_and_its_figures_in_words() {
    let html = &sample().html;
    let figures = elements(html, "figure");
    // Figure 1, then the 5 Red indicators and TS3 and TS21, named in scorecard.toml.
    assert_eq!(figures.len(), 8);
    for (i, figure) in figures.iter().enumerate() {
        let caption = text_of(elements(figure, "figcaption")[0]);
        assert!(
            caption.starts_with(&format!("Figure {}: ", i + 1)),
            "{caption}"
        );
        let imgs = start_tags(figure, "img");
        assert_eq!(imgs.len(), 1);
        let alt = unescape(attr(imgs[0], "alt").expect("alt"));
        assert!(
            alt.contains(&caption[caption.find(": ").unwrap() + 2..]),
            "{alt}"
        );
        assert!(alt.contains("in words below the chart"), "{alt}");
        let words = text_of(elements(figure, "p")[0]);
        assert!(words.len() > 40, "{words}");
    }
}

#[test]
fn officer_text_is_escaped() {
    let case = Case::new();
    case.edit_template(
        "meeting.toml",
        r#"subject = "Children's Services Performance Scorecard, {{ period }}""#,
        r#"subject = "Scorecard <draft> & \"final\", {{ period }}""#,
    );
    let commentary = r#"<script>alert('x')</script> Tom & "Jerry" <b>"#;
    ReturnBuilder::new("Workforce", "2014-15 Q2")
        .row(
            "TS1",
            V::N(10.0),
            V::N(100.0),
            V::Blank,
            V::S(commentary.into()),
        )
        .write(&case.inputs().join("wf.xlsx"));
    let out = case.run(&["run"]);
    assert!(out.status.code().is_some(), "{}", stderr(&out));
    let html = std::fs::read_to_string(case.period_dir("2014-15-Q2").join("committee-report.html"))
        .unwrap();
    assert!(
        !html.contains("<script"),
        "markup from a return got through"
    );
    assert!(!html.contains("<b>"));
    assert!(!html.contains("<draft>"));
    assert!(html.contains(
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; Tom &amp; &quot;Jerry&quot; &lt;b&gt;"
    ));
    assert!(html.contains("Scorecard &lt;draft&gt; &amp; &quot;final&quot;, 2014-15 Q2"));
    let text = text_of(&html);
    assert!(text.contains(&format!("Workforce: {commentary}")), "{text}");
}

#[test]
fn contrast_is_measured_right() {
    assert!((contrast(0x000000, 0xFFFFFF) - 21.0).abs() < 1e-9);
    assert!((contrast(0x777777, 0xFFFFFF) - 4.48).abs() < 0.01);
    assert!((contrast(0xFFFFFF, 0xFFFFFF) - 1.0).abs() < 1e-9);
}

/// The shared stylesheet as `page` includes it.
fn stylesheet(page: WebPage) -> String {
    let templates = scorecard::config::Templates::load(&root().join("templates")).unwrap();
    scorecard::typeset::html::stylesheet(&templates, page).unwrap()
}

#[test]
fn every_text_colour_in_the_stylesheet_has_a_contrast_of_at_least_4_5() {
    use scorecard::model::palette::{report_page_text, returns_page_text};
    for (page, text_colours) in [
        (WebPage::Report, report_page_text()),
        (WebPage::Returns, returns_page_text()),
    ] {
        let measured = measure_text_colours(&stylesheet(page));
        // Every pair the palette declares is in the stylesheet and was measured.
        for (selector, fg, bg) in &text_colours {
            assert!(
                measured.iter().any(|(s, _)| s == selector),
                "{page:?}: {selector} ({fg:06X} on {bg:06X}) not found in the stylesheet"
            );
        }
        assert!(measured.len() >= text_colours.len());
        for (selector, ratio) in &measured {
            println!("{page:?} {ratio:5.2}:1  {selector}");
        }
    }
}

/// Every rule of `css` that colours text, with its contrast, which must be
/// at least 4.5:1.
fn measure_text_colours(css: &str) -> Vec<(String, f64)> {
    assert!(
        !css.contains("background:"),
        "use background-color, so it can be measured"
    );
    let hex = |v: &str| -> u32 {
        let v = v.trim().trim_start_matches('#');
        assert_eq!(v.len(), 6, "colour {v} is not #RRGGBB");
        u32::from_str_radix(v, 16).unwrap()
    };
    // Each innermost rule: the selector before its `{`, the declarations after.
    let mut measured = Vec::new();
    for chunk in css.split('}') {
        let Some(open) = chunk.rfind('{') else {
            continue;
        };
        let selector = chunk[..open].rsplit('{').next().unwrap().trim().to_string();
        let declarations: HashMap<&str, &str> = chunk[open + 1..]
            .split(';')
            .filter_map(|d| d.split_once(':'))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        match (
            declarations.get("color"),
            declarations.get("background-color"),
        ) {
            (Some(fg), Some(bg)) => {
                let ratio = contrast(hex(fg), hex(bg));
                assert!(
                    ratio >= 4.5,
                    "{selector}: {fg} on {bg} has a contrast of {ratio:.2}:1, under 4.5:1"
                );
                measured.push((selector, ratio));
            }
            (None, None) => {}
            _ => panic!("{selector} sets a text or background colour without the other"),
        }
    }
    measured
}

#[test]
fn axe_finds_no_violations_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("committee-report.html");
    std::fs::write(&page, &sample().html).unwrap();
    let shot = dir.path().join("screenshot.png");
    let test = "axe_finds_no_violations_in_a_real_browser";
    let Some(out) = a11y_check_with(test, &page, &[Path::new("--screenshot"), &shot]) else {
        return;
    };
    assert!(out.contains("no accessibility violations found"));
    let png = std::fs::read(&shot).expect("the screenshot is written");
    assert!(png.starts_with(b"\x89PNG"));
    assert!(png.len() > 50_000, "a screenshot of a rendered page");
}
