//! Helpers shared by the integration tests: a case folder with the shipped
//! templates, a builder for return workbooks, and readers for the outputs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{open_workbook_auto, Data, Reader};
use rust_xlsxwriter::{Format, Workbook};
use tempfile::TempDir;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A throwaway project folder: `templates/` copied from the shipped ones,
/// an empty `inputs/`, and `output/`.
pub struct Case {
    root: PathBuf,
    /// Removes the folder when the case is dropped; `None` for the shared
    /// sample run, which stays for the test binary's life.
    _temp: Option<TempDir>,
}

impl Case {
    pub fn new() -> Case {
        let dir = tempfile::tempdir().expect("temp dir");
        Case::lay_out(dir.path());
        Case {
            root: dir.path().to_path_buf(),
            _temp: Some(dir),
        }
    }

    fn lay_out(dir: &Path) {
        copy_dir(&root().join("templates"), &dir.join("templates"));
        std::fs::create_dir_all(dir.join("inputs")).unwrap();
    }

    /// The shipped sample returns, run once per test binary (in its folder
    /// of `target/tmp/`), for the tests that only read what the run wrote.
    /// A test that changes anything makes its own [`Case::sample_run`].
    pub fn shared_sample_run() -> &'static Case {
        static SHARED: std::sync::OnceLock<Case> = std::sync::OnceLock::new();
        SHARED.get_or_init(|| {
            let binary = std::env::current_exe()
                .ok()
                .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "tests".into());
            let dir =
                PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("sample-run-{binary}"));
            let _ = std::fs::remove_dir_all(&dir);
            Case::lay_out(&dir);
            let case = Case {
                root: dir,
                _temp: None,
            };
            copy_dir(&root().join("inputs"), &case.inputs());
            case.expect_sample_status(&case.run(&["run"]));
            case
        })
    }

    /// A case holding the shipped sample returns too.
    pub fn with_samples() -> Case {
        let case = Case::new();
        copy_dir(&root().join("inputs"), &case.inputs());
        case
    }

    /// A case with the sample returns, run once. The samples include a
    /// rejected return on purpose, so the run exits with status 3.
    pub fn sample_run() -> Case {
        let case = Case::with_samples();
        case.expect_sample_status(&case.run(&["run"]));
        case
    }

    /// The samples include a rejected return on purpose, so the run exits
    /// with status 3.
    fn expect_sample_status(&self, out: &Output) {
        assert_eq!(out.status.code(), Some(3), "{}{}", stdout(out), stderr(out));
    }

    pub fn path(&self) -> &Path {
        &self.root
    }
    pub fn inputs(&self) -> PathBuf {
        self.path().join("inputs")
    }
    pub fn templates(&self) -> PathBuf {
        self.path().join("templates")
    }
    pub fn output(&self) -> PathBuf {
        self.path().join("output")
    }
    pub fn period_dir(&self, id: &str) -> PathBuf {
        self.output().join(id)
    }

    /// Runs the scorecard binary in the case folder.
    pub fn run(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_scorecard"))
            .args(args)
            .current_dir(self.path())
            .output()
            .expect("run scorecard")
    }

    /// Runs the scorecard binary in the case folder and asserts its exit
    /// status, showing what it printed when the status is another: a run
    /// that failed for some other reason must not pass a test that only
    /// reads its messages or its files.
    pub fn run_expecting(&self, args: &[&str], status: i32) -> Output {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(status),
            "{}{}",
            stdout(&out),
            stderr(&out)
        );
        out
    }

    /// Replaces text in a template file.
    pub fn edit_template(&self, file: &str, from: &str, to: &str) {
        let path = self.templates().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A value to put in a cell.
#[derive(Clone, Debug)]
pub enum V {
    N(f64),
    T(&'static str),
    S(String),
    Blank,
}

/// Builds a return workbook cell by cell, mistakes included.
#[derive(Clone)]
pub struct ReturnBuilder {
    pub cover_sheet: String,
    pub indicators_sheet: String,
    pub cover: Vec<(String, V)>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<V>>,
    pub extra_sheet: Option<String>,
}

impl ReturnBuilder {
    /// A correct return for `service` and `period` with no indicator rows.
    pub fn new(service: &str, period: &str) -> ReturnBuilder {
        ReturnBuilder {
            cover_sheet: "Return".into(),
            indicators_sheet: "Indicators".into(),
            cover: vec![
                ("Service".into(), V::S(service.into())),
                ("Period".into(), V::S(period.into())),
                ("Prepared by".into(), V::T("A. Officer")),
                ("Email".into(), V::T("a.officer@example.gov.uk")),
                ("Submitted".into(), V::T("2014-10-10 09:30")),
            ],
            headers: [
                "Ref",
                "Indicator",
                "Numerator",
                "Denominator",
                "Value",
                "Commentary",
            ]
            .map(String::from)
            .to_vec(),
            rows: Vec::new(),
            extra_sheet: None,
        }
    }

    /// Adds an indicator row: ref, numerator, denominator, value, commentary.
    pub fn row(mut self, reference: &str, n: V, d: V, v: V, commentary: V) -> Self {
        self.rows
            .push(vec![V::S(reference.into()), V::T(""), n, d, v, commentary]);
        self
    }

    /// A percent row with just numerator and denominator.
    pub fn pct(self, reference: &str, n: f64, d: f64) -> Self {
        self.row(reference, V::N(n), V::N(d), V::Blank, V::Blank)
    }

    pub fn set_cover(mut self, label: &str, value: V) -> Self {
        match self.cover.iter_mut().find(|(l, _)| l == label) {
            Some(slot) => slot.1 = value,
            None => self.cover.push((label.into(), value)),
        }
        self
    }

    pub fn remove_cover(mut self, label: &str) -> Self {
        self.cover.retain(|(l, _)| l != label);
        self
    }

    pub fn write(&self, path: &Path) -> PathBuf {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(&self.cover_sheet).unwrap();
        for (i, (label, value)) in self.cover.iter().enumerate() {
            sheet.write_string(i as u32 + 2, 0, label).unwrap();
            put(sheet, i as u32 + 2, 1, value);
        }
        let sheet = book.add_worksheet();
        sheet.set_name(&self.indicators_sheet).unwrap();
        let bold = Format::new().set_bold();
        for (c, h) in self.headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, h, &bold)
                .unwrap();
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                put(sheet, r as u32 + 1, c as u16, v);
            }
        }
        if let Some(name) = &self.extra_sheet {
            let sheet = book.add_worksheet();
            sheet.set_name(name).unwrap();
            sheet.write_string(0, 0, "pasted case list").unwrap();
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        book.save(path).unwrap();
        path.to_path_buf()
    }
}

fn put(sheet: &mut rust_xlsxwriter::Worksheet, row: u32, col: u16, v: &V) {
    match v {
        V::N(n) => {
            sheet.write_number(row, col, *n).unwrap();
        }
        V::T(t) if !t.is_empty() => {
            sheet.write_string(row, col, *t).unwrap();
        }
        V::S(s) if !s.is_empty() => {
            sheet.write_string(row, col, s).unwrap();
        }
        _ => {}
    }
}

/// The CSV as rows of (column → value) maps.
pub fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("csv");
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// One CSV row by period label and ref.
pub fn csv_row<'a>(
    rows: &'a [std::collections::HashMap<String, String>],
    period: &str,
    reference: &str,
) -> &'a std::collections::HashMap<String, String> {
    rows.iter()
        .find(|r| r["period"] == period && r["ref"] == reference)
        .unwrap_or_else(|| panic!("no CSV row for {period} {reference}"))
}

/// A sheet read back with calamine, as strings (numbers printed plainly).
pub fn read_sheet(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut book = open_workbook_auto(path).expect("open xlsx");
    let range = book.worksheet_range(sheet).expect("sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => format!("{i}"),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The PDF's text, by poppler's pdftotext, with runs of white space made
/// single spaces so sentences wrapped over lines can be searched for.
pub fn pdf_text(path: &Path) -> String {
    pdf_layout_text(path)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The PDF's text laid out as on the page (`pdftotext -layout`), so that
/// the cells of a table's row, or a label and its value, stay on one line.
pub fn pdf_layout_text(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext is needed to test the PDF: apt-get install poppler-utils");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The words of a scorecard row in the PDF: the line of the laid-out text
/// that starts with the row's ref, split at white space, after the ref.
/// (A title that wraps goes on below; the figures stay on the first line.)
pub fn pdf_row_words(layout: &str, reference: &str) -> Vec<String> {
    let start = format!("{reference} ");
    let line = layout
        .lines()
        .find(|l| l.trim_start().starts_with(&start))
        .unwrap_or_else(|| panic!("no scorecard row for {reference} in the PDF"));
    line.split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The table another poppler tool (pdffonts, pdfimages -list) prints for
/// the PDF, one row of columns per line, the two heading lines left out.
pub fn poppler_table(tool: &str, args: &[&str], path: &Path) -> Vec<Vec<String>> {
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(path)
        .output()
        .unwrap_or_else(|_| {
            panic!("{tool} is needed to test the PDF: apt-get install poppler-utils")
        });
    assert!(out.status.success(), "{tool} failed on {}", path.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

/// WCAG's contrast ratio of two sRGB colours.
pub fn contrast(a: u32, b: u32) -> f64 {
    fn luminance(c: u32) -> f64 {
        let channel = |v: u32| {
            let s = f64::from(v & 0xFF) / 255.0;
            if s <= 0.03928 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c >> 16) + 0.7152 * channel(c >> 8) + 0.0722 * channel(c)
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// What the browser accessibility check (`scripts/a11y/check.mjs`) needs:
/// the script and Chromium, or a list of what is missing and how to
/// install it.
pub fn a11y_tools() -> Result<(PathBuf, PathBuf), String> {
    let script = root().join("scripts/a11y/check.mjs");
    let modules = root().join("scripts/a11y/node_modules");
    let chromium =
        PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    let mut missing = Vec::new();
    let node_ok = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_ok {
        missing.push("node (apt-get install nodejs npm)".to_string());
    }
    for package in ["playwright-core", "axe-core"] {
        if !modules.join(package).join("package.json").is_file() {
            missing.push(format!(
                "scripts/a11y/node_modules/{package} (npm ci --prefix scripts/a11y)"
            ));
        }
    }
    if !chromium.is_file() {
        missing.push(format!("{} (apt-get install chromium)", chromium.display()));
    }
    if missing.is_empty() {
        Ok((script, chromium))
    } else {
        Err(missing.join(", "))
    }
}

/// Runs the browser accessibility check on `page`: returns its output, or
/// `None` after saying SKIPPED when the tools are missing outside CI (under
/// CI a missing tool fails the test). Fails the test on any violation.
pub fn a11y_check(test: &str, page: &Path) -> Option<String> {
    a11y_check_with(test, page, &[])
}

/// [`a11y_check`] with more options for `check.mjs`, e.g. `--screenshot`.
pub fn a11y_check_with(test: &str, page: &Path, options: &[&Path]) -> Option<String> {
    let (script, chromium) = match a11y_tools() {
        Ok(tools) => tools,
        Err(missing) if std::env::var_os("CI").is_some() => {
            panic!("CI must run the accessibility check, but these are missing: {missing}")
        }
        Err(missing) => {
            // Written past the test harness's capture, so it shows in every
            // run, not only when a test fails.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: missing {missing}.\n\
                 To run it: apt-get install chromium; npm ci --prefix scripts/a11y"
            );
            return None;
        }
    };
    let out = std::process::Command::new("node")
        .arg(&script)
        .arg(page)
        .args(options)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("run node");
    let (o, e) = (stdout(&out), stderr(&out));
    println!("{o}{e}");
    assert!(
        out.status.success(),
        "the accessibility check failed on {}:\n{o}{e}",
        page.display()
    );
    for width in ["desktop", "phone"] {
        assert!(
            o.lines()
                .any(|l| l.starts_with(width) && l.ends_with(" 0 violations")),
            "{o}"
        );
    }
    Some(o)
}

/// Every file under `dir`, sub-folders included.
pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Fails when any of `values` (children's ids, dates of birth) appears in
/// an output under `case`'s output folder outside `restricted/` (PDFs and
/// workbooks read as text), or in what the commands `printed`.
pub fn assert_nothing_outside_restricted(
    case: &Case,
    values: &BTreeSet<String>,
    printed: &[&Output],
) {
    let mut outputs = Vec::new();
    walk(&case.output(), &mut outputs);
    let mut searched = 0;
    for path in outputs {
        let name = path.to_string_lossy().to_string();
        if name.contains("/restricted/") || name.ends_with(".lock") {
            continue;
        }
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("pdf") => pdf_text(&path),
            Some("xlsx") => workbook_text(&path),
            _ => String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned(),
        };
        for v in values {
            assert!(!text.contains(v.as_str()), "{v} appears in {name}");
        }
        searched += 1;
    }
    assert!(searched > 5, "only {searched} outputs searched");
    for out in printed {
        let text = format!("{}{}", stdout(out), stderr(out));
        for v in values {
            assert!(!text.contains(v.as_str()), "{v} was printed:\n{text}");
        }
    }
}

/// A correct Child Protection and Reviewing return for 2014-15 Q2.
pub fn correct_cpr_return() -> ReturnBuilder {
    ReturnBuilder::new("Child Protection and Reviewing", "2014-15 Q2")
        .pct("TS3", 127.0, 159.0)
        .pct("TS4", 70.0, 70.0)
        .pct("TS5", 3.0, 46.0)
        .pct("TS6", 8.0, 62.0)
        .pct("TS7", 122.0, 130.0)
        .row("TS22", V::N(183.0), V::Blank, V::Blank, V::Blank)
}

/// Every cell of every sheet of a workbook, as text.
pub fn workbook_text(path: &Path) -> String {
    use calamine::{open_workbook_auto, Reader};
    let mut book = open_workbook_auto(path).expect("open workbook");
    let mut text = String::new();
    for name in book.sheet_names() {
        if let Ok(range) = book.worksheet_range(&name) {
            for row in range.rows() {
                for cell in row {
                    text.push_str(&cell.to_string());
                    text.push('\t');
                }
                text.push('\n');
            }
        }
    }
    text
}
