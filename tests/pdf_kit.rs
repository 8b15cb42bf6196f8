//! The PDF layout kit on its own: builds a realistic committee report with the kit, renders it and checks the PDF with
//! poppler's `pdftotext` / `pdfinfo` (must be installed).

use std::path::PathBuf;
use std::process::Command;

use scorecard::render::pdf::kit::{
    heading, keep_with_next, load_fonts, new_document, render_two_pass, Alignment, Cell, Color,
    FontBytes, Keep, KitError, PageSetup, PdfMeta, Rich, Rule, Spacer, Span, Table,
};

const FONTS: FontBytes<'static> = FontBytes {
    regular: include_bytes!("../assets/fonts/LiberationSans-Regular.ttf"),
    bold: include_bytes!("../assets/fonts/LiberationSans-Bold.ttf"),
    italic: include_bytes!("../assets/fonts/LiberationSans-Italic.ttf"),
    bold_italic: include_bytes!("../assets/fonts/LiberationSans-BoldItalic.ttf"),
};

const LONG_WORD: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz01234567";
const URL: &str = "https://www.example-council.gov.uk/council-and-democracy/committees/scrutiny/performance-scorecard-2024-25/appendix-b-methodology";
const CELL_URL: &str = "https://data.example.gov.uk/kpi/HSG-07/series?from=2023-04&to=2024-03";
const HEADER_MARK: &str = "Direction of travel";

const GREEN: Color = Color::Rgb(0xC6, 0xEF, 0xCE);
const AMBER: Color = Color::Rgb(0xFF, 0xEB, 0x9C);
const RED: Color = Color::Rgb(0xFF, 0xC7, 0xCE);
const DARK_GREEN: Color = Color::Rgb(0x00, 0x61, 0x00);
const DARK_AMBER: Color = Color::Rgb(0x9C, 0x57, 0x00);
const DARK_RED: Color = Color::Rgb(0x9C, 0x00, 0x06);

fn paragraphs() -> Vec<String> {
    vec![
        "This report presents the quarterly performance scorecard for the Council's key \
         performance indicators. It covers the period from April to June and compares \
         outturn against the targets agreed by Cabinet in the annual delivery plan. \
         Members are asked to note the overall position, the indicators that are off \
         target, and the remedial actions proposed by the responsible services."
            .to_string(),
        "Of the thirty indicators reported this quarter, nineteen are on or above target, \
         seven are within the agreed tolerance and four are below tolerance. The four \
         indicators below tolerance relate to housing repairs, planning determinations, \
         the collection of business rates and staff sickness absence. Each is discussed \
         in the theme sections below, with commentary supplied by the service lead and \
         a named officer responsible for the improvement plan."
            .to_string(),
        format!(
            "The full methodology, including the definitions used for each indicator and the \
             data sources consulted, is published on the Council's website at {URL} and is \
             updated whenever a definition changes. Historic data is available on request \
             from the performance and insight team."
        ),
        "Scrutiny members have previously asked for greater visibility of trends rather \
         than single-quarter snapshots. The direction of travel column in the table now \
         compares the latest quarter with the same quarter in the previous year, so that \
         seasonal effects do not mask genuine improvement or deterioration in service \
         delivery. Where a definition has changed the comparison is marked as not \
         applicable and an explanatory note is provided."
            .to_string(),
    ]
}

fn build_table() -> Result<Table, KitError> {
    let mut t = Table::new(&[1.2, 4.0, 1.3, 1.3, 1.4, 1.6])
        .font_size(9)
        .with_header(vec![
            "Ref".into(),
            "Indicator".into(),
            "Target".into(),
            "Actual".into(),
            Cell::new(HEADER_MARK),
            "Source".into(),
        ])?;
    let themes = [
        "Theme 1: Housing and homelessness",
        "Theme 2: Planning and regeneration",
        "Theme 3: Finance and resources",
        "Theme 4: People and organisation",
    ];
    for i in 1..=30 {
        if (i - 1) % 8 == 0 {
            t.push_group(Cell::new(themes[(i - 1) / 8]));
        }
        let (fill, ink, status) = match i % 5 {
            0 => (RED, DARK_RED, "Below tolerance, declining"),
            1 | 3 => (GREEN, DARK_GREEN, "On target, improving"),
            _ => (AMBER, DARK_AMBER, "Within tolerance"),
        };
        let indicator = if i % 4 == 0 {
            format!(
                "Indicator {i}: percentage of cases completed within the statutory timescale, \
                 excluding cases where the applicant agreed an extension of time in writing"
            )
        } else {
            format!("Indicator {i}: number of households assisted per quarter")
        };
        let source = match i {
            7 => LONG_WORD.to_string(),
            12 => CELL_URL.to_string(),
            _ => format!("SRC-{i:02}"),
        };
        t.push_row(vec![
            Cell::new(format!("KPI-{i:02}")).bold(),
            Cell::new(indicator),
            Cell::new(format!("{}%", 80 + i % 7)).align(Alignment::Right),
            Cell::new(format!("{}.{}%", 75 + i % 11, i % 10)).align(Alignment::Right),
            Cell::new(status).fill(fill).color(ink),
            Cell::new(source),
        ])?;
    }
    Ok(t)
}

fn build(total: usize) -> Result<genpdf::Document, KitError> {
    let setup = PageSetup::new("Overview and Scrutiny Committee – Quarter 1 Performance Scorecard")
        .footer("Example Borough Council · Agenda item 7 · 14 July 2025")
        .banner(
            "SAMPLE DATA – figures are invented",
            Color::Rgb(0xC0, 0x00, 0x00),
        );
    let mut doc = new_document(load_fonts(&FONTS)?, &setup, total);

    doc.push(heading(1, "Quarter 1 Performance Scorecard"));
    doc.push(
        Rich::new()
            .bold("Report of: ")
            .plain("Director of Corporate Resources\n")
            .bold("Wards affected: ")
            .plain("All\n")
            .bold("Status: ")
            .colored("For noting", Color::Rgb(0x1F, 0x4E, 0x79)),
    );
    doc.push(Rule::new());
    let paras = paragraphs();
    doc.push(keep_with_next(
        heading(2, "1. Purpose of the report"),
        Rich::text(paras[0].clone()).space_after(2.5),
    ));
    doc.push(keep_with_next(
        heading(2, "2. Recommendations"),
        Rich::text("The committee is recommended to:").space_after(1.0),
    ));
    for b in [
        "note the performance position at the end of quarter 1;",
        "agree the indicators selected for detailed review at the next meeting, in particular \
         those that have been below tolerance for two consecutive quarters;",
        "request a written update from the housing repairs service on progress against its \
         improvement plan.",
    ] {
        doc.push(Rich::bullet().plain(b).space_after(1.0));
    }
    doc.push(keep_with_next(
        heading(2, "3. Summary of performance"),
        Rich::text(paras[1].clone()).space_after(2.5),
    ));
    doc.push(Rich::text(paras[2].clone()).space_after(2.5));
    doc.push(
        Rich::from_spans([
            Span::plain("Indicators marked "),
            Span::bold("Below tolerance").with_color(DARK_RED),
            Span::plain(" are subject to an improvement plan; those marked "),
            Span::italic("Within tolerance"),
            Span::plain(" are monitored monthly."),
        ])
        .space_after(2.5),
    );
    doc.push(keep_with_next(heading(2, "4. Scorecard"), build_table()?));
    doc.push(Spacer::new(4.0));
    doc.push(keep_with_next(
        heading(2, "5. Trends"),
        Rich::text(paras[3].clone()).space_after(2.5),
    ));
    for p in &paras {
        doc.push(Rich::text(p.clone()).space_after(2.5));
    }
    doc.push(
        Rich::text("End of report")
            .align(Alignment::Center)
            .emphasis()
            .color(Color::Rgb(0x60, 0x60, 0x60)),
    );
    Ok(doc)
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pdf-kit");
    std::fs::create_dir_all(&dir).expect("create output dir");
    dir
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}"));
    assert!(out.status.success(), "{cmd} {args:?} failed: {:?}", out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn page_text(pdf: &str, page: usize) -> String {
    let p = page.to_string();
    run("pdftotext", &["-layout", "-f", &p, "-l", &p, pdf, "-"])
}

/// Text of a table column read back from `pdftotext -layout`: from the line and column
/// where `word` starts (located by its first `prefix_len` characters), joins the first
/// token at that column of each following line. Whole lines cannot be joined because
/// cells to the left may wrap as well.
fn column_text(all: &str, word: &str, prefix_len: usize) -> String {
    let lines: Vec<&str> = all.lines().collect();
    let (row, col) = lines
        .iter()
        .enumerate()
        .find_map(|(n, l)| l.find(&word[..prefix_len]).map(|c| (n, c)))
        .unwrap_or_else(|| panic!("first fragment of {word} not found"));
    lines[row..]
        .iter()
        .take_while(|l| l.len() > col && !l[col..].trim().is_empty())
        .map(|l| l[col..].split_whitespace().next().unwrap_or(""))
        .collect()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn demo_report() {
    let meta = PdfMeta::new("Quarter 1 – Performance Scorecard")
        .author("Example Borough Council")
        .subject("Overview and Scrutiny Committee performance report")
        .keywords("performance, scorecard, KPI, scrutiny")
        .creator("scorecard (pdfkit demo)");
    let bytes = render_two_pass(&meta, build).expect("render");
    let path = out_dir().join("demo.pdf");
    std::fs::write(&path, &bytes).expect("write pdf");
    let pdf = path.to_str().expect("utf-8 path");
    eprintln!("demo written to {pdf} ({} bytes)", bytes.len());

    let info = run("pdfinfo", &[pdf]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("page count");
    assert!(pages >= 3, "expected a multi-page report, got {pages}");
    assert!(
        info.contains("Author:          Example Borough Council"),
        "{info}"
    );
    assert!(
        info.contains("Subject:         Overview and Scrutiny"),
        "{info}"
    );
    assert!(
        info.contains("Keywords:        performance, scorecard"),
        "{info}"
    );
    assert!(
        info.contains("Title:           Quarter 1 – Performance Scorecard"),
        "{info}"
    );

    let texts: Vec<String> = (1..=pages).map(|p| page_text(pdf, p)).collect();
    let all = texts.join("\n");
    let flat = squash(&all);

    // Page numbering.
    assert!(
        texts[0].contains(&format!("Page 1 of {pages}")),
        "{}",
        texts[0]
    );
    assert!(texts[pages - 1].contains(&format!("Page {pages} of {pages}")));
    for (i, t) in texts.iter().enumerate() {
        assert!(t.contains(&format!("Page {} of {pages}", i + 1)));
        assert!(
            t.contains("SAMPLE DATA – figures are invented"),
            "banner on page {}",
            i + 1
        );
    }

    // Nothing lost: the over-wide word, both URLs and every paragraph word.
    // The over-wide word is wrapped inside its column; read that column back (from the
    // column where its first fragment starts) and join the lines.
    let column = column_text(&all, LONG_WORD, 6);
    assert!(
        column.starts_with(LONG_WORD),
        "over-wide word lost: {column}"
    );
    assert!(flat.contains(&squash(LONG_WORD)[..10]));
    assert!(flat.contains(URL), "URL lost");
    let column = column_text(&all, CELL_URL, 12);
    assert!(column.starts_with(CELL_URL), "cell URL lost: {column}");
    for p in paragraphs() {
        for w in p.split_whitespace() {
            assert!(flat.contains(&squash(w)), "word {w:?} lost");
        }
    }

    // Table: header on every page with rows, rows never split across pages.
    let row_pages: Vec<usize> = (1..=30)
        .map(|i| {
            let id = format!("KPI-{i:02}");
            let on: Vec<usize> = (0..pages).filter(|&p| texts[p].contains(&id)).collect();
            assert_eq!(on.len(), 1, "{id} appears on pages {on:?}");
            let src = match i {
                7 => None,
                12 => None,
                _ => Some(format!("SRC-{i:02}")),
            };
            if let Some(src) = src {
                assert!(texts[on[0]].contains(&src), "row {id} split across pages");
            }
            on[0]
        })
        .collect();
    let first = row_pages[0];
    let last = row_pages[29];
    assert!(
        last > first,
        "table should span pages (first {first}, last {last})"
    );
    for (p, text) in texts.iter().enumerate().take(last + 1).skip(first) {
        assert!(
            squash(text).contains("RefIndicatorTargetActualDirectionof"),
            "table header missing on page {}",
            p + 1
        );
    }
    // Group rows stay with the row after them.
    for (g, first_row) in [(1usize, 1usize), (2, 9), (3, 17), (4, 25)] {
        let label = format!("Theme {g}:");
        let gp = (0..pages)
            .find(|&p| texts[p].contains(&label))
            .expect("group row");
        assert_eq!(
            gp,
            row_pages[first_row - 1],
            "group {g} separated from its first row"
        );
    }
    // Headings are kept with the following text.
    let h4 = (0..pages)
        .find(|&p| texts[p].contains("4. Scorecard"))
        .expect("heading 4");
    assert_eq!(h4, first, "heading 4 not on the table's first page");

    // Render pages to PNG for visual inspection.
    let prefix = out_dir().join("page");
    run(
        "pdftoppm",
        &["-png", "-r", "60", pdf, prefix.to_str().expect("utf-8")],
    );
}

/// Renders a page of filler, a gap of `gap` mm, then a heading followed by a paragraph
/// (kept together or not); returns the text of each page.
fn heading_at_foot(gap: f64, keep: bool) -> Vec<String> {
    let meta = PdfMeta::new("keep test").author("t").subject("s");
    let build = |total: usize| -> Result<genpdf::Document, KitError> {
        let setup = PageSetup::new("Keep test");
        let mut doc = new_document(load_fonts(&FONTS)?, &setup, total);
        for i in 0..24 {
            doc.push(Rich::text(format!("Filler line {i}.")).space_after(4.0));
        }
        doc.push(Spacer::new(gap));
        let h = heading(1, "Stranded heading");
        let p = Rich::text(paragraphs()[1].clone());
        if keep {
            doc.push(keep_with_next(h, p));
        } else {
            doc.push(h);
            doc.push(p);
        }
        Ok(doc)
    };
    let bytes = render_two_pass(&meta, build).expect("render");
    let path = out_dir().join(format!("keep-{gap}-{keep}.pdf"));
    std::fs::write(&path, &bytes).expect("write");
    let pdf = path.to_str().expect("utf-8");
    let info = run("pdfinfo", &[pdf]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("page count");
    (1..=pages).map(|p| page_text(pdf, p)).collect()
}

/// Wherever the heading falls, it shares its page with the first two lines of the
/// paragraph that follows. Without `keep_with_next` the same layouts strand it, which
/// shows the sweep really crosses the page foot.
#[test]
fn heading_never_alone_at_page_foot() {
    let mut stranded_without_keep = 0;
    for step in 0..12 {
        let gap = f64::from(step) * 3.0;
        for keep in [true, false] {
            let texts = heading_at_foot(gap, keep);
            let hp = texts
                .iter()
                .position(|t| t.contains("Stranded heading"))
                .expect("heading rendered");
            let together =
                texts[hp].contains("Of the thirty") && texts[hp].contains("tolerance and four");
            if keep {
                assert!(
                    together,
                    "gap {gap}: heading separated from its text:\n{}",
                    texts[hp]
                );
            } else if !together {
                stranded_without_keep += 1;
            }
        }
    }
    assert!(
        stranded_without_keep > 0,
        "sweep never reached the page foot"
    );
}

/// A row taller than a whole page is split (as the only exception) and loses no text;
/// the header is repeated on each page and the following row stays whole.
#[test]
fn oversized_row_splits_without_loss() {
    let words: Vec<String> = (0..700).map(|i| format!("w{i:03}")).collect();
    let meta = PdfMeta::new("split test").author("t").subject("s");
    let build = |total: usize| -> Result<genpdf::Document, KitError> {
        let setup = PageSetup::new("Split test");
        let mut doc = new_document(load_fonts(&FONTS)?, &setup, total);
        doc.push(Rich::text("Intro paragraph before the table."));
        let mut t = Table::new(&[1.0, 1.0]).with_header(vec!["Col A".into(), "Col B".into()])?;
        t.push_row(vec![
            Cell::new("short"),
            Cell::new(words.join(" ")).fill(AMBER),
        ])?;
        t.push_row(vec![Cell::new("after"), Cell::new("last row")])?;
        doc.push(t);
        Ok(doc)
    };
    let bytes = render_two_pass(&meta, build).expect("render");
    let path = out_dir().join("split.pdf");
    std::fs::write(&path, &bytes).expect("write");
    let pdf = path.to_str().expect("utf-8");
    let all = run("pdftotext", &["-layout", pdf, "-"]);
    let pages: Vec<&str> = all
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() >= 2, "row should need more than one page");
    let mut found = all
        .split_whitespace()
        .filter(|w| w.starts_with('w'))
        .collect::<Vec<_>>();
    found.sort_unstable();
    found.dedup();
    let expected: Vec<&str> = words.iter().map(String::as_str).collect();
    assert_eq!(found, expected, "words lost or duplicated");
    for (i, p) in pages.iter().enumerate() {
        assert!(p.contains("Col A"), "header missing on page {}", i + 1);
    }
    let last = pages.last().expect("pages");
    assert!(last.contains("after") && last.contains("last row"));
}

/// Degenerate inputs render without errors and without losing text.
#[test]
fn edge_cases_render() {
    let meta = PdfMeta::new("edge").author("t").subject("s");
    let build = |total: usize| -> Result<genpdf::Document, KitError> {
        let setup = PageSetup::new("").footer("");
        let mut doc = new_document(load_fonts(&FONTS)?, &setup, total);
        doc.push(Rich::new());
        doc.push(Rich::text("first\n\nthird   spaced\tline"));
        doc.push(Table::new(&[1.0, 2.0]));
        doc.push(
            Table::new(&[1.0, 2.0]).with_header(vec!["OnlyHeadA".into(), "OnlyHeadB".into()])?,
        );
        let mut t = Table::new(&[0.3, 10.0]);
        t.push_row(vec![Cell::new("NARROWCOLUMN"), Cell::new("wide")])?;
        t.push_group(Cell::new("Trailing group row").fill(Color::Cmyk(0, 0, 40, 0)));
        doc.push(t);
        doc.push(Keep::new().with(Rich::text("lonely keep")));
        doc.push(
            Rich::bullet()
                .with_bullet("1.")
                .plain("numbered item")
                .indent(5.0),
        );
        doc.push(Rich::text("right aligned").align(Alignment::Right));
        Ok(doc)
    };
    let bytes = render_two_pass(&meta, build).expect("render");
    let path = out_dir().join("edge.pdf");
    std::fs::write(&path, &bytes).expect("write");
    let all = run(
        "pdftotext",
        &["-layout", path.to_str().expect("utf-8"), "-"],
    );
    let flat = squash(&all);
    for w in [
        "first",
        "third",
        "spaced",
        "line",
        "OnlyHeadA",
        "OnlyHeadB",
        "wide",
        "Trailing",
        "lonely",
        "1.",
        "numbered",
        "right",
    ] {
        assert!(flat.contains(w), "{w} missing:\n{all}");
    }
    let narrow = column_text(&all, "NARROWCOLUMN", 1);
    assert!(
        narrow.starts_with("NARROWCOLUMN"),
        "narrow column: {narrow}"
    );
}

/// A glyph outline sink that keeps nothing: only whether there was one.
struct NoOutline;
impl ttf_parser::OutlineBuilder for NoOutline {
    fn move_to(&mut self, _: f32, _: f32) {}
    fn line_to(&mut self, _: f32, _: f32) {}
    fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
    fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
    fn close(&mut self) {}
}

/// Each embedded font keeps the outline of every character printed in it,
/// and is cut down and named as a subset.
#[test]
fn fonts_keep_every_glyph_shown_and_no_more() {
    const SAMPLE: &str = "Résumé – £1,234 ≥ 5% ▲ ▼ “quoted” ½ Œuvre naïve 0123456789";
    let meta = PdfMeta::new("fonts").author("t").subject("s");
    let build = |total: usize| -> Result<genpdf::Document, KitError> {
        let mut doc = new_document(load_fonts(&FONTS)?, &PageSetup::new(""), total);
        doc.push(Rich::text(SAMPLE));
        doc.push(Rich::new().bold(SAMPLE));
        doc.push(Rich::new().italic(SAMPLE));
        doc.push(Rich::new().span(Span::bold(SAMPLE)).emphasis());
        Ok(doc)
    };
    let bytes = render_two_pass(&meta, build).expect("render");
    let pdf = lopdf::Document::load_mem(&bytes).expect("parse");
    let full: Vec<ttf_parser::Face<'_>> =
        [FONTS.regular, FONTS.bold, FONTS.italic, FONTS.bold_italic]
            .iter()
            .map(|b| ttf_parser::Face::parse(b, 0).expect("font"))
            .collect();
    let postscript = |face: &ttf_parser::Face<'_>| {
        face.names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .expect("name")
    };
    let mut seen = Vec::new();
    for object in pdf.objects.values() {
        let Ok(descriptor) = object.as_dict() else {
            continue;
        };
        let Ok(program) = descriptor
            .get(b"FontFile2")
            .and_then(lopdf::Object::as_reference)
        else {
            continue;
        };
        let name = String::from_utf8_lossy(descriptor.get(b"FontName").unwrap().as_name().unwrap())
            .into_owned();
        let (tag, base) = name.split_once('+').expect("a subset tag");
        assert!(
            tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
            "{name}"
        );
        let whole = full
            .iter()
            .find(|f| postscript(f) == base)
            .unwrap_or_else(|| panic!("{base} is not one of the fonts given"));
        let stream = pdf.get_object(program).unwrap().as_stream().unwrap();
        let data = stream
            .decompressed_content()
            .unwrap_or(stream.content.clone());
        assert!(
            data.len() * 4 < whole.raw_face().data.len(),
            "{name}: {} bytes",
            data.len()
        );
        let cut = ttf_parser::Face::parse(&data, 0).expect("the subset is a font");
        for c in SAMPLE.chars().filter(|c| !c.is_whitespace()) {
            let glyph = whole.glyph_index(c).expect("the font has the character");
            assert!(
                cut.outline_glyph(glyph, &mut NoOutline).is_some(),
                "{name} lost the outline of {c:?}"
            );
        }
        // And an outline not printed is gone.
        let unused = whole.glyph_index('Ж').expect("Cyrillic");
        assert!(
            cut.outline_glyph(unused, &mut NoOutline).is_none(),
            "{name} kept Ж"
        );
        seen.push(base.to_string());
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "LiberationSans",
            "LiberationSans-Bold",
            "LiberationSans-BoldItalic",
            "LiberationSans-Italic"
        ]
    );
}
