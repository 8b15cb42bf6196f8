//! The corpus of bad inputs: whatever lands in `inputs/`, the officer who
//! sent it gets a message naming the file, what is wrong and what to do,
//! and the run goes on to write its reports with the other returns.
//!
//! One test per case. Each puts the bad file beside one good return and
//! asserts the message (rule, key words, file name) and that every input
//! was left byte for byte as it was. A case that asserts only what the
//! file is told runs `scorecard check` on it, as an officer would, and one
//! run takes all those files at once
//! ([`every_bad_file_at_once_and_the_run_still_writes_its_reports`]): its
//! reports are written, with the good return's figures in them. A case
//! whose feedback, figures or reports matter runs `scorecard run` itself.
//! Large inputs are made by the tests; small ones made by other programs
//! are committed in `tests/fixtures/` (see its README).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use calamine::{open_workbook_auto, Reader};
use sha2::{Digest, Sha256};

const Q2: &str = "2014-15 Q2";
const PERIOD: &str = "2014-15-Q2";
/// Peak memory allowed to a run given a file made to be large. A run with
/// ordinary returns peaks at about 120 MB, most of it laying out and
/// writing the PDFs; each of these files would take from several hundred
/// megabytes to gigabytes if read as it asks.
const MEMORY_MB: u64 = 200;

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// A case holding the good return, `good-cpr.xlsx`.
fn case_with_good() -> Case {
    let case = Case::new();
    correct_cpr_return().write(&case.inputs().join("good-cpr.xlsx"));
    case
}

/// The bytes of a correct return.
fn good_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = correct_cpr_return().write(&dir.path().join("r.xlsx"));
    std::fs::read(path).unwrap()
}

/// Size and SHA-256 of every ordinary file under `dir`.
fn fingerprints(dir: &Path) -> BTreeMap<PathBuf, (u64, String)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                let sum: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                out.insert(path, (meta.len(), sum));
            }
        }
    }
    out
}

/// What a bounded run of the binary did.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Peak resident memory of the run, as the kernel counted it when the
    /// process ended (`wait4`'s `ru_maxrss`): never missed, however short
    /// the run.
    peak_mb: u64,
    seconds: f64,
}

/// Runs the binary in the case folder, killing it after `limit`, and takes
/// its peak memory from the kernel when it ends.
fn run_bounded(case: &Case, program: &Path, args: &[&str], limit: Duration) -> Ran {
    let out_path = case.path().join("stdout.txt");
    let err_path = case.path().join("stderr.txt");
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .current_dir(case.path())
        .stdout(Stdio::from(std::fs::File::create(&out_path).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err_path).unwrap()))
        .spawn()
        .expect("start scorecard");
    let pid = child.id() as libc::pid_t;
    let mut wait_status: libc::c_int = 0;
    // SAFETY: rusage is plain data, and wait4 only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: the pointers are to live locals; pid is our own child,
        // reaped here and nowhere else (the Child handle is never waited on).
        let reaped = unsafe { libc::wait4(pid, &mut wait_status, libc::WNOHANG, &mut usage) };
        assert!(
            reaped >= 0,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        if reaped == pid {
            break;
        }
        if started.elapsed() > limit {
            // SAFETY: signalling our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!(
                "scorecard {args:?} did not finish within {limit:?}; stderr:\n{}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(child);
    // Linux gives ru_maxrss in kilobytes.
    let peak_kb = u64::try_from(usage.ru_maxrss).unwrap_or(0);
    assert!(
        peak_kb > 0,
        "scorecard {args:?}: no peak memory was recorded"
    );
    let code = libc::WIFEXITED(wait_status).then(|| libc::WEXITSTATUS(wait_status));
    eprintln!(
        "scorecard {args:?}: {:.1}s, peak memory {} MB",
        started.elapsed().as_secs_f64(),
        peak_kb / 1024
    );
    Ran {
        code,
        stdout: std::fs::read_to_string(&out_path).unwrap(),
        stderr: std::fs::read_to_string(&err_path).unwrap(),
        peak_mb: peak_kb / 1024,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_scorecard"))
}

/// Runs `program` with `args` in the case folder (bounded as
/// [`run_bounded`], five minutes), asserting that every input is left as
/// it was.
fn run_leaving_inputs(case: &Case, program: &Path, args: &[&str]) -> Ran {
    let before = fingerprints(&case.inputs());
    let ran = run_bounded(case, program, args, Duration::from_secs(300));
    assert_eq!(
        fingerprints(&case.inputs()),
        before,
        "scorecard {args:?} changed, moved or deleted an input"
    );
    ran
}

/// `scorecard run` on the case, asserting what every case must show: the
/// run finished with its reports, the good return's figures are in them,
/// and the inputs are exactly as they were.
fn run_case(case: &Case) -> Ran {
    run_case_with(case, &binary())
}

fn run_case_with(case: &Case, program: &Path) -> Ran {
    let ran = run_leaving_inputs(case, program, &["run", "--period", PERIOD]);
    assert!(
        matches!(ran.code, Some(0 | 3)),
        "the run failed ({:?}):\n{}",
        ran.code,
        ran.stderr
    );
    assert_reports(case);
    ran
}

/// The four reports exist, and the good return was used.
fn assert_reports(case: &Case) {
    let dir = case.period_dir(PERIOD);
    for file in [
        "committee-report.pdf",
        "scorecard.xlsx",
        "data/indicators.csv",
        "run-record.json",
    ] {
        let len = std::fs::metadata(dir.join(file)).map_or(0, |m| m.len());
        assert!(len > 0, "{file} was not written");
    }
    let rows = read_csv(&dir.join("data/indicators.csv"));
    let ts3 = csv_row(&rows, Q2, "TS3");
    assert_eq!(ts3["numerator"], "127", "the good return was not used");
    assert_eq!(ts3["status"], "ok");
}

/// Peak memory allowed to `scorecard check` of one file made to be large:
/// a check of an ordinary return, which lays out no document, peaks at a
/// few tens of megabytes.
const CHECK_MEMORY_MB: u64 = 100;

/// `scorecard check` on the one bad file `write` puts beside the good
/// return: what an officer runs, and all a case needs that asserts only
/// what the file is told. It must find an error, name the file, and
/// leave every input as it was.
fn check_bad(write: fn(&Path), name: &str) -> Ran {
    let case = case_with_good();
    write(&case.inputs());
    let ran = run_leaving_inputs(&case, &binary(), &["check", &format!("inputs/{name}")]);
    assert_eq!(
        ran.code,
        Some(3),
        "check did not find the problem:\n{}{}",
        ran.stdout,
        ran.stderr
    );
    assert!(
        ran.stdout.starts_with(&format!("inputs/{name}: ")),
        "check does not name the file:\n{}",
        ran.stdout
    );
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    ran
}

/// The line of `check`'s output giving `rule` for the file `name`.
fn check_message<'a>(ran: &'a Ran, name: &str, rule: &str) -> &'a str {
    let tag = format!("error [{rule}]: ");
    ran.stdout
        .lines()
        .find(|l| l.contains(&tag))
        .unwrap_or_else(|| panic!("no [{rule}] for {name} from check:\n{}", ran.stdout))
}

/// The line of the run's log giving `rule` for the file `name`.
fn run_message<'a>(ran: &'a Ran, name: &str, rule: &str) -> &'a str {
    let wanted = format!(" {name}: ");
    let tag = format!("[{rule}]: ");
    ran.stderr
        .lines()
        .find(|l| l.contains(&wanted) && l.contains(&tag))
        .unwrap_or_else(|| panic!("no [{rule}] for {name} in the run's log:\n{}", ran.stderr))
}

/// `scorecard check inputs/<name>`: the block of output for that file.
fn check_file(case: &Case, name: &str) -> String {
    let out = case.run(&["check", &format!("inputs/{name}")]);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("inputs/{name}: ")),
        "check does not name the file:\n{text}"
    );
    assert_eq!(out.status.code(), Some(3), "{text}");
    text
}

/// Asserts every word is in the text.
fn assert_words(text: &str, words: &[&str]) {
    for w in words {
        assert!(text.contains(w), "{w:?} is missing from:\n{text}");
    }
}

/// The rows of a feedback workbook's Problems table: location, severity,
/// rule, message.
fn feedback(case: &Case, stem: &str) -> Vec<Vec<String>> {
    let path = case
        .period_dir(PERIOD)
        .join("feedback")
        .join(format!("{stem}.xlsx"));
    assert!(path.is_file(), "no feedback file {}", path.display());
    let rows = read_sheet(&path, "Problems");
    let header = rows
        .iter()
        .position(|r| r.first().map(String::as_str) == Some("Location"))
        .expect("the Problems header");
    rows[header + 1..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .cloned()
        .collect()
}

/// The feedback names the rule for the whole file.
fn assert_feedback(case: &Case, stem: &str, rule: &str) {
    let rows = feedback(case, stem);
    assert!(
        rows.iter().any(|r| r[0] == "whole file" && r[2] == rule),
        "feedback for {stem} lacks {rule}: {rows:?}"
    );
}

/// Rewrites a zip, replacing (or adding) parts; the others are copied as
/// they are.
fn rezip(bytes: &[u8], replace: &[(&str, &[u8])]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut done = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).unwrap();
        let name = entry.name().unwrap().to_string();
        match replace.iter().find(|(n, _)| *n == name) {
            Some((n, content)) => {
                drop(entry);
                out.start_file(*n, options).unwrap();
                out.write_all(content).unwrap();
                done.push(name);
            }
            None => out.raw_copy_file(entry).unwrap(),
        }
    }
    for (n, content) in replace {
        if !done.iter().any(|d| d == n) {
            out.start_file(*n, options).unwrap();
            out.write_all(content).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// A part of a zip, inflated.
fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

// ---------------------------------------------------------------------------
// Files that are not workbooks, or not whole ones.

#[test]
fn empty_file() {
    let case = case_with_good();
    std::fs::write(case.inputs().join("empty.xlsx"), "").unwrap();
    let ran = run_case(&case);
    let line = run_message(&ran, "empty.xlsx", "file-empty");
    assert_words(
        line,
        &["The file is empty (0 bytes)", "save the return again"],
    );
    assert_words(&check_file(&case, "empty.xlsx"), &["error [file-empty]"]);
    assert_feedback(&case, "empty", "file-empty");
}

#[test]
fn truncated_workbook() {
    let case = case_with_good();
    let bytes = good_bytes();
    std::fs::write(case.inputs().join("cut.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    let ran = run_case(&case);
    let line = run_message(&ran, "cut.xlsx", "file-corrupt");
    assert_words(
        line,
        &[
            "The workbook is damaged",
            "save it again and replace this file",
        ],
    );
    assert_feedback(&case, "cut", "file-corrupt");
}

/// Writes `garbled.xlsx` into `inputs`: see [`garbled_workbook`].
fn write_garbled_workbook(inputs: &Path) {
    let mut bytes = good_bytes();
    // Scribble over the middle: parts' compressed data no longer inflate
    // to what their checksums say.
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid - 300..mid + 300] {
        *b = 0x5A;
    }
    std::fs::write(inputs.join("garbled.xlsx"), &bytes).unwrap();
}

#[test]
fn garbled_workbook() {
    let ran = check_bad(write_garbled_workbook, "garbled.xlsx");
    let line = check_message(&ran, "garbled.xlsx", "file-corrupt");
    assert_words(
        line,
        &["The workbook is damaged", "open it in Excel, save it again"],
    );
}

#[test]
fn csv_saved_with_an_xlsx_name() {
    let case = case_with_good();
    std::fs::write(
        case.inputs().join("export.xlsx"),
        "Ref,Numerator,Denominator\nTS3,127,159\n",
    )
    .unwrap();
    let ran = run_case(&case);
    let line = run_message(&ran, "export.xlsx", "file-not-workbook");
    assert_words(
        line,
        &[
            "named .xlsx but is plain text (perhaps a CSV export)",
            "Save As",
            "Excel Workbook (*.xlsx)",
        ],
    );
    assert_words(&check_file(&case, "export.xlsx"), &["[file-not-workbook]"]);
}

/// Writes `page.xlsx` into `inputs`: see [`web_page_saved_with_an_xlsx_name`].
fn write_web_page_saved_with_an_xlsx_name(inputs: &Path) {
    std::fs::write(
        inputs.join("page.xlsx"),
        "<!DOCTYPE html>\n<html><body><table><tr><td>TS3</td></tr></table></body></html>",
    )
    .unwrap();
}

#[test]
fn web_page_saved_with_an_xlsx_name() {
    let ran = check_bad(write_web_page_saved_with_an_xlsx_name, "page.xlsx");
    let line = check_message(&ran, "page.xlsx", "file-not-workbook");
    assert_words(line, &["named .xlsx but is a web page (HTML)", "Save As"]);
}

/// Writes `minutes.xlsx` into `inputs`: see [`word_document_with_an_xlsx_name`].
fn write_word_document_with_an_xlsx_name(inputs: &Path) {
    let docx = rezip(
        &good_bytes(),
        &[("word/document.xml", b"<w:document/>" as &[u8])],
    );
    // Drop the workbook: a Word file has none.
    let mut archive = zip::ZipArchive::new(Cursor::new(&docx[..])).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).unwrap();
        if !entry.name().unwrap().starts_with("xl/") {
            out.raw_copy_file(entry).unwrap();
        }
    }
    let docx = out.finish().unwrap().into_inner();
    std::fs::write(inputs.join("minutes.xlsx"), docx).unwrap();
}

#[test]
fn word_document_with_an_xlsx_name() {
    let ran = check_bad(write_word_document_with_an_xlsx_name, "minutes.xlsx");
    let line = check_message(&ran, "minutes.xlsx", "file-not-workbook");
    assert_words(line, &["Word document, not a workbook"]);
}

#[test]
fn password_protected_workbook() {
    let case = case_with_good();
    std::fs::copy(
        fixture("protected.xlsx"),
        case.inputs().join("workforce.xlsx"),
    )
    .unwrap();
    let ran = run_case(&case);
    let line = run_message(&ran, "workforce.xlsx", "file-protected");
    assert_words(
        line,
        &[
            "protected with a password",
            "send a copy saved without a password",
        ],
    );
    assert_words(&check_file(&case, "workforce.xlsx"), &["[file-protected]"]);
    assert_feedback(&case, "workforce", "file-protected");
}

// ---------------------------------------------------------------------------
// Workbooks from other programs and old Excel: read, not rejected.

#[test]
fn old_excel_xls_is_read() {
    let case = case_with_good();
    std::fs::copy(
        fixture("leaving-care-2014-15-Q2.xls"),
        case.inputs().join("leaving-care.xls"),
    )
    .unwrap();
    let ran = run_case(&case);
    assert!(!ran.stderr.contains("leaving-care.xls"), "{}", ran.stderr);
    let rows = read_csv(&case.period_dir(PERIOD).join("data/indicators.csv"));
    // TS10's numerator is a formula (=40+5): its saved result is used.
    let ts10 = csv_row(&rows, Q2, "TS10");
    assert_eq!(
        (ts10["numerator"].as_str(), ts10["denominator"].as_str()),
        ("45", "60")
    );
    assert_eq!(csv_row(&rows, Q2, "TS11")["numerator"], "33");
    let check = case.run(&["check", "inputs/leaving-care.xls"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert_words(
        &stdout(&check),
        &["inputs/leaving-care.xls: OK, no problems"],
    );
}

#[test]
fn libreoffice_ods_is_read() {
    let case = case_with_good();
    std::fs::copy(
        fixture("virtual-school-2014-15-Q2.ods"),
        case.inputs().join("virtual-school.ods"),
    )
    .unwrap();
    let ran = run_case(&case);
    assert!(!ran.stderr.contains("virtual-school.ods"), "{}", ran.stderr);
    let rows = read_csv(&case.period_dir(PERIOD).join("data/indicators.csv"));
    let ts17 = csv_row(&rows, Q2, "TS17");
    assert_eq!(
        (ts17["numerator"].as_str(), ts17["denominator"].as_str()),
        ("41", "50")
    );
    let ts26 = csv_row(&rows, Q2, "TS26");
    assert_eq!(ts26["status"], "no data");
    assert!(ts26["note"].contains("Results not published until January"));
}

#[test]
fn hidden_and_very_hidden_sheets_are_read() {
    let case = case_with_good();
    let mut b = ReturnBuilder::new("Workforce", Q2).pct("TS1", 80.0, 100.0);
    b.extra_sheet = Some("Notes".into());
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(b.write(&dir.path().join("w.xlsx"))).unwrap();
    let workbook = part(&bytes, "xl/workbook.xml")
        .replace(
            "<sheet name=\"Return\"",
            "<sheet state=\"hidden\" name=\"Return\"",
        )
        .replace(
            "<sheet name=\"Indicators\"",
            "<sheet state=\"veryHidden\" name=\"Indicators\"",
        );
    assert!(workbook.contains("veryHidden"), "{workbook}");
    let bytes = rezip(&bytes, &[("xl/workbook.xml", workbook.as_bytes())]);
    std::fs::write(case.inputs().join("workforce.xlsx"), &bytes).unwrap();

    let read = scorecard::read::parse_bytes(bytes, "xlsx").expect("read");
    assert_eq!(read.hidden_sheets, ["Return", "Indicators"]);
    assert!(read.cover.is_some() && read.indicators.is_some());

    let ran = run_case(&case);
    assert!(!ran.stderr.contains("error ["), "{}", ran.stderr);
    let rows = read_csv(&case.period_dir(PERIOD).join("data/indicators.csv"));
    assert_eq!(csv_row(&rows, Q2, "TS1")["numerator"], "80");
}

// ---------------------------------------------------------------------------
// Files made to be large, or to make a reader large.

/// Writes a return whose `big` sheet has a million rows, in constant memory.
fn million_row_return(path: &Path, service: &str, reference: &str, big: &str) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let cover = book.add_worksheet();
    cover.set_name("Return").unwrap();
    let fields = [
        ("Service", service),
        ("Period", Q2),
        ("Prepared by", "A. Officer"),
        ("Submitted", "2014-10-10"),
    ];
    for (i, (label, value)) in fields.iter().enumerate() {
        cover.write_string(i as u32, 0, *label).unwrap();
        cover.write_string(i as u32, 1, *value).unwrap();
    }
    if big != "Indicators" {
        let sheet = book.add_worksheet();
        sheet.set_name("Indicators").unwrap();
        for (c, h) in ["Ref", "Numerator", "Denominator"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, reference).unwrap();
        sheet.write_number(1, 1, 80).unwrap();
        sheet.write_number(1, 2, 100).unwrap();
    }
    let sheet = book.add_worksheet_with_constant_memory().unwrap();
    sheet.set_name(big).unwrap();
    for (c, h) in ["Ref", "Numerator", "Denominator"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for row in 1..=1_000_000u32 {
        sheet.write_string(row, 0, reference).unwrap();
        sheet.write_number(row, 1, f64::from(row % 90)).unwrap();
        sheet.write_number(row, 2, 100).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn a_million_rows_on_the_indicators_sheet() {
    let case = case_with_good();
    million_row_return(
        &case.inputs().join("long.xlsx"),
        "Workforce",
        "TS1",
        "Indicators",
    );
    let ran = run_case(&case);
    let line = run_message(&ran, "long.xlsx", "sheet-too-large");
    assert_words(
        line,
        &[
            "Indicators!A10001",
            "The sheet \"Indicators\" has something in cell A10001",
            "only the first 10,000 rows and 256 columns",
            "Delete the rows and columns beyond your figures",
        ],
    );
    // Reading stops at row 10,001: bounded in time and memory.
    assert!(ran.peak_mb < MEMORY_MB, "peak memory {} MB", ran.peak_mb);
    assert!(ran.seconds < 120.0, "took {:.1}s", ran.seconds);
    let text = check_file(&case, "long.xlsx");
    assert_words(&text, &["Indicators!A10001: error [sheet-too-large]"]);
}

#[test]
fn a_million_rows_on_a_pasted_sheet_are_never_read() {
    let case = case_with_good();
    million_row_return(
        &case.inputs().join("workforce.xlsx"),
        "Workforce",
        "TS1",
        "Case list",
    );
    let ran = run_case(&case);
    assert!(!ran.stderr.contains("workforce.xlsx"), "{}", ran.stderr);
    let rows = read_csv(&case.period_dir(PERIOD).join("data/indicators.csv"));
    assert_eq!(csv_row(&rows, Q2, "TS1")["numerator"], "80");
    assert!(ran.peak_mb < MEMORY_MB, "peak memory {} MB", ran.peak_mb);
}

/// Deflates `len` bytes of one repeated byte into a zip part, streaming.
fn write_repeated(out: &mut zip::ZipWriter<Cursor<Vec<u8>>>, prefix: &[u8], len: usize) {
    out.write_all(prefix).unwrap();
    let block = vec![b'A'; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(block.len());
        out.write_all(&block[..n]).unwrap();
        left -= n;
    }
}

/// Writes `bomb.xlsx` into `inputs`: see [`zip_bomb`].
fn write_zip_bomb(inputs: &Path) {
    // A return with a "sheet" that unpacks to a gigabyte from about a
    // megabyte: refused by the sizes its zip directory declares.
    let bytes = good_bytes();
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        out.raw_copy_file(archive.by_index_raw(i).unwrap()).unwrap();
    }
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    out.start_file("xl/worksheets/sheet9.xml", options).unwrap();
    write_repeated(&mut out, b"<worksheet>", 1 << 30);
    let bomb = out.finish().unwrap().into_inner();
    assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
    std::fs::write(inputs.join("bomb.xlsx"), &bomb).unwrap();
}

#[test]
fn zip_bomb() {
    let ran = check_bad(write_zip_bomb, "bomb.xlsx");
    let line = check_message(&ran, "bomb.xlsx", "file-too-large");
    assert_words(
        line,
        &[
            "refused before opening",
            "would unpack to 1024 MB",
            "Remove pasted data and images",
        ],
    );
    assert!(
        ran.peak_mb < CHECK_MEMORY_MB,
        "peak memory {} MB",
        ran.peak_mb
    );
}

/// Sets the uncompressed size a zip declares for `name`, in its central
/// directory and its local header, leaving the data as it is.
fn declare_size(bytes: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    let mut i = 0;
    while i + 46 <= bytes.len() {
        if bytes[i..i + 4] == *b"PK\x01\x02" {
            let name_len = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
            if &bytes[i + 46..i + 46 + name_len] == name.as_bytes() {
                bytes[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
                let local = u32::from_le_bytes(bytes[i + 42..i + 46].try_into().unwrap()) as usize;
                assert_eq!(&bytes[local..local + 4], b"PK\x03\x04");
                bytes[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
                patched += 1;
            }
        }
        i += 1;
    }
    assert_eq!(patched, 1, "{name} not found");
}

/// Writes `liar.xlsx` into `inputs`: see [`zip_part_that_lies_about_its_size`].
fn write_zip_part_that_lies_about_its_size(inputs: &Path) {
    // The shared strings say 2 KB and hold 300 MB: within every declared
    // limit, so only inflating with a limit catches it.
    let bytes = good_bytes();
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).unwrap();
        if entry.name().unwrap() != "xl/sharedStrings.xml" {
            out.raw_copy_file(entry).unwrap();
        }
    }
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    out.start_file("xl/sharedStrings.xml", options).unwrap();
    write_repeated(
        &mut out,
        b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>",
        300 << 20,
    );
    out.write_all(b"</t></si></sst>").unwrap();
    let mut liar = out.finish().unwrap().into_inner();
    declare_size(&mut liar, "xl/sharedStrings.xml", 2048);
    std::fs::write(inputs.join("liar.xlsx"), &liar).unwrap();
}

#[test]
fn zip_part_that_lies_about_its_size() {
    let ran = check_bad(write_zip_part_that_lies_about_its_size, "liar.xlsx");
    let line = check_message(&ran, "liar.xlsx", "file-corrupt");
    assert_words(
        line,
        &[
            "The workbook is damaged",
            "its part xl/sharedStrings.xml holds more than the 2048 bytes it declares",
        ],
    );
    assert!(
        ran.peak_mb < CHECK_MEMORY_MB,
        "peak memory {} MB",
        ran.peak_mb
    );
}

/// Writes `laughs.xlsx` into `inputs`: see [`billion_laughs_in_the_shared_strings`].
fn write_billion_laughs_in_the_shared_strings(inputs: &Path) {
    let bytes = good_bytes();
    let mut entities = String::from("<!ENTITY lol0 \"lol\">");
    for i in 1..10 {
        let prev = format!("&lol{};", i - 1);
        entities.push_str(&format!("<!ENTITY lol{i} \"{}\">", prev.repeat(10)));
    }
    let sst = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE sst [{entities}]><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>&lol9;</t></si></sst>"
    );
    let bytes = rezip(&bytes, &[("xl/sharedStrings.xml", sst.as_bytes())]);
    std::fs::write(inputs.join("laughs.xlsx"), &bytes).unwrap();
}

#[test]
fn billion_laughs_in_the_shared_strings() {
    let ran = check_bad(write_billion_laughs_in_the_shared_strings, "laughs.xlsx");
    let line = check_message(&ran, "laughs.xlsx", "file-unsafe");
    assert_words(
        line,
        &[
            "its part xl/sharedStrings.xml holds a document type declaration",
            "Excel and LibreOffice never write",
            "save it as a new workbook",
        ],
    );
    assert!(ran.seconds < 120.0);
}

/// Writes `xxe.xlsx` into `inputs`: see [`external_entity_in_a_sheet`].
fn write_external_entity_in_a_sheet(inputs: &Path) {
    let bytes = good_bytes();
    let sheet = part(&bytes, "xl/worksheets/sheet2.xml");
    let sheet = sheet.replacen(
        "?>",
        "?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
        1,
    );
    assert!(sheet.contains("xxe"), "{sheet}");
    let bytes = rezip(&bytes, &[("xl/worksheets/sheet2.xml", sheet.as_bytes())]);
    std::fs::write(inputs.join("xxe.xlsx"), &bytes).unwrap();
}

#[test]
fn external_entity_in_a_sheet() {
    let ran = check_bad(write_external_entity_in_a_sheet, "xxe.xlsx");
    let line = check_message(&ran, "xxe.xlsx", "file-unsafe");
    assert_words(
        line,
        &["xl/worksheets/sheet2.xml", "tell the performance team"],
    );
}

/// Writes `repeats.ods` into `inputs`: see [`ods_with_cells_repeated_a_hundred_million_times`].
fn write_ods_with_cells_repeated_a_hundred_million_times(inputs: &Path) {
    // 6,000 rows of 16,384 filled cells in a few hundred bytes: under
    // calamine's own cap of 100 million cells, so it would lay out 98
    // million values and as many formulas, some 5 GB.
    let content = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:spreadsheet><table:table table:name=\"Return\"><table:table-row table:number-rows-repeated=\"6000\"><table:table-cell office:value-type=\"float\" office:value=\"1\" table:number-columns-repeated=\"16384\"><text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>";
    let ods = std::fs::read(fixture("virtual-school-2014-15-Q2.ods")).unwrap();
    let bytes = rezip(&ods, &[("content.xml", content.as_bytes())]);
    std::fs::write(inputs.join("repeats.ods"), &bytes).unwrap();
}

#[test]
fn ods_with_cells_repeated_a_hundred_million_times() {
    let ran = check_bad(
        write_ods_with_cells_repeated_a_hundred_million_times,
        "repeats.ods",
    );
    let line = check_message(&ran, "repeats.ods", "file-too-large");
    assert_words(line, &["more than 8,000,000 cells", "Delete pasted data"]);
    assert!(
        ran.peak_mb < CHECK_MEMORY_MB,
        "peak memory {} MB",
        ran.peak_mb
    );
}

/// Writes `corners.xls` into `inputs`: see [`xls_with_cells_at_opposite_corners`].
fn write_xls_with_cells_at_opposite_corners(inputs: &Path) {
    let mut bytes = std::fs::read(fixture("leaving-care-2014-15-Q2.xls")).unwrap();
    // Move one NUMBER record's cell to row 65,536: calamine would lay the
    // sheet out as 65,536 rows by every column used.
    let at = bytes
        .windows(4)
        .position(|w| w == [0x03, 0x02, 0x0E, 0x00])
        .expect("a NUMBER record");
    bytes[at + 4..at + 8].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0x00]);
    std::fs::write(inputs.join("corners.xls"), &bytes).unwrap();
}

#[test]
fn xls_with_cells_at_opposite_corners() {
    let ran = check_bad(write_xls_with_cells_at_opposite_corners, "corners.xls");
    let line = check_message(&ran, "corners.xls", "file-too-large");
    assert_words(line, &["more than 8,000,000 cells"]);
    assert!(
        ran.peak_mb < CHECK_MEMORY_MB,
        "peak memory {} MB",
        ran.peak_mb
    );
}

/// Writes `cut.xls` into `inputs`: see [`truncated_xls`].
fn write_truncated_xls(inputs: &Path) {
    // Cut mid-sector: calamine 0.38 panics on this, which ended the whole
    // run before the reader checked sector chains (found by fuzzing).
    let bytes = std::fs::read(fixture("leaving-care-2014-15-Q2.xls")).unwrap();
    std::fs::write(inputs.join("cut.xls"), &bytes[..5801]).unwrap();
}

#[test]
fn truncated_xls() {
    let ran = check_bad(write_truncated_xls, "cut.xls");
    let line = check_message(&ran, "cut.xls", "file-corrupt");
    assert_words(line, &["The workbook is damaged", "save it again"]);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

/// The old-Excel fixture, with where its parts are: the FAT (sector 0 in
/// these small files), the directory entries and the Workbook stream's
/// BIFF records (offset in the file, type, length). The stream lives in
/// the compound file's mini stream, in sectors that follow one another;
/// both are asserted, so a regenerated fixture laid out otherwise fails
/// here rather than testing nothing.
struct Xls {
    bytes: Vec<u8>,
    /// File offset of each 128-byte directory entry, by name.
    entries: Vec<(String, usize)>,
    records: Vec<(usize, u16, usize)>,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn xls_fixture() -> Xls {
    let bytes = std::fs::read(fixture("leaving-care-2014-15-Q2.xls")).unwrap();
    assert_eq!(
        u16::from_le_bytes([bytes[30], bytes[31]]),
        9,
        "512-byte sectors"
    );
    let sector = |id: u32| 512 + id as usize * 512;
    let fat_sector = u32_at(&bytes, 76);
    let fat = |id: u32| u32_at(&bytes, sector(fat_sector) + 4 * id as usize);
    let mut entries = Vec::new();
    let mut id = u32_at(&bytes, 48);
    while id != 0xFFFF_FFFE {
        for k in 0..4 {
            let at = sector(id) + 128 * k;
            let len = u16::from_le_bytes([bytes[at + 64], bytes[at + 65]]) as usize;
            let units: Vec<u16> = (0..len.saturating_sub(2) / 2)
                .map(|i| u16::from_le_bytes([bytes[at + 2 * i], bytes[at + 2 * i + 1]]))
                .collect();
            entries.push((String::from_utf16_lossy(&units), at));
        }
        id = fat(id);
    }
    let entry = |name: &str| entries.iter().find(|(n, _)| n == name).unwrap().1;
    let root = entry("Root Entry");
    let book = entry("Workbook");
    let (root_start, book_start, book_len) = (
        u32_at(&bytes, root + 116),
        u32_at(&bytes, book + 116) as usize,
        u32_at(&bytes, book + 120) as usize,
    );
    assert!(book_len < 4096, "the Workbook stream is in the mini stream");
    let mut id = root_start;
    while fat(id) != 0xFFFF_FFFE {
        assert_eq!(
            fat(id),
            id + 1,
            "the mini stream's sectors follow one another"
        );
        id = fat(id);
    }
    let start = sector(root_start) + 64 * book_start;
    let mut records = Vec::new();
    let mut at = start;
    while at + 4 <= start + book_len {
        let typ = u16::from_le_bytes([bytes[at], bytes[at + 1]]);
        let len = u16::from_le_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
        records.push((at, typ, len));
        at += 4 + len;
    }
    assert_eq!(at, start + book_len, "the records fill the stream");
    Xls {
        bytes,
        entries,
        records,
    }
}

/// The first record of a type: its offset and length.
fn xls_record(xls: &Xls, typ: u16) -> (usize, usize) {
    xls.records
        .iter()
        .find(|r| r.1 == typ)
        .map(|r| (r.0, r.2))
        .unwrap_or_else(|| panic!("no record {typ:#06x}"))
}

/// Writes `loop.xls` into `inputs`: see [`xls_mini_stream_that_loops`].
fn write_xls_mini_stream_that_loops(inputs: &Path) {
    // Found by fuzzing: the root entry's chain (the mini stream) loops and
    // claims 2 GB, and there is no Workbook stream. calamine reads the
    // mini stream on opening whatever else the file holds, round and round
    // until memory runs out; the reader first looked for the Workbook
    // stream and, finding none, let calamine go ahead.
    let mut xls = xls_fixture();
    let entry = |name: &str| xls.entries.iter().find(|(n, _)| n == name).unwrap().1;
    let (root, book) = (entry("Root Entry"), entry("Workbook"));
    let fat = 512 + 512 * u32_at(&xls.bytes, 76) as usize;
    let mut last = u32_at(&xls.bytes, root + 116);
    while u32_at(&xls.bytes, fat + 4 * last as usize) != 0xFFFF_FFFE {
        last = u32_at(&xls.bytes, fat + 4 * last as usize);
    }
    let first = u32_at(&xls.bytes, root + 116).to_le_bytes();
    xls.bytes[fat + 4 * last as usize..][..4].copy_from_slice(&first);
    xls.bytes[root + 120..root + 124].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
    xls.bytes[book] = b'X'; // "Xorkbook": no Workbook stream
    std::fs::write(inputs.join("loop.xls"), &xls.bytes).unwrap();
}

#[test]
fn xls_mini_stream_that_loops() {
    let ran = check_bad(write_xls_mini_stream_that_loops, "loop.xls");
    let line = check_message(&ran, "loop.xls", "file-corrupt");
    assert_words(
        line,
        &[
            "The workbook is damaged",
            "its internal structure is broken",
        ],
    );
    assert!(
        ran.peak_mb < CHECK_MEMORY_MB,
        "peak memory {} MB",
        ran.peak_mb
    );
}

/// Writes `short.xls` into `inputs`: see [`xls_record_shorter_than_the_reader_expects`].
fn write_xls_record_shorter_than_the_reader_expects(inputs: &Path) {
    // Found by fuzzing: an EXTERNSHEET record with no data makes calamine
    // 0.38 panic. The reader catches the panic: the file is reported as
    // damaged, nothing is printed about a panic, and the run goes on.
    let mut xls = xls_fixture();
    // Split a FONT record (which calamine skips) into an empty EXTERNSHEET
    // and a record of an unused type, keeping every offset as it was.
    let (at, len) = xls_record(&xls, 0x0031);
    xls.bytes[at..at + 4].copy_from_slice(&[0x17, 0x00, 0x00, 0x00]);
    let rest = (len - 4) as u16;
    xls.bytes[at + 4..at + 8].copy_from_slice(&[0x23, 0x01, rest as u8, (rest >> 8) as u8]);
    std::fs::write(inputs.join("short.xls"), &xls.bytes).unwrap();
}

#[test]
fn xls_record_shorter_than_the_reader_expects() {
    let ran = check_bad(
        write_xls_record_shorter_than_the_reader_expects,
        "short.xls",
    );
    let line = check_message(&ran, "short.xls", "file-corrupt");
    assert_words(
        line,
        &[
            "The workbook is damaged",
            "its internal structure is broken",
        ],
    );
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

/// Writes `formula.xls` into `inputs`: see [`xls_formula_longer_than_its_record`].
fn write_xls_formula_longer_than_its_record(inputs: &Path) {
    // Found by fuzzing: a FORMULA record whose formula claims 300 bytes of
    // the record's 9 makes calamine 0.38 panic inside its formula parser,
    // which the reader's checks do not copy. The panic is caught: the file
    // is reported as damaged, nothing is printed about a panic, and the
    // run goes on.
    let mut xls = xls_fixture();
    let (at, len) = xls_record(&xls, 0x0006);
    assert!(len > 22);
    xls.bytes[at + 4 + 20..at + 4 + 22].copy_from_slice(&300u16.to_le_bytes());
    std::fs::write(inputs.join("formula.xls"), &xls.bytes).unwrap();
}

#[test]
fn xls_formula_longer_than_its_record() {
    let ran = check_bad(write_xls_formula_longer_than_its_record, "formula.xls");
    let line = check_message(&ran, "formula.xls", "file-corrupt");
    assert_words(line, &["the reader could not make sense of its contents"]);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

// ---------------------------------------------------------------------------
// Every bad file above at once, in one run.

/// A bad file: how it is written into `inputs`, its name, and the rule
/// it breaks.
type BadFile = (fn(&Path), &'static str, &'static str);

/// The bad files the cases above check one by one.
const BAD_FILES: [BadFile; 13] = [
    (write_garbled_workbook, "garbled.xlsx", "file-corrupt"),
    (
        write_web_page_saved_with_an_xlsx_name,
        "page.xlsx",
        "file-not-workbook",
    ),
    (
        write_word_document_with_an_xlsx_name,
        "minutes.xlsx",
        "file-not-workbook",
    ),
    (write_zip_bomb, "bomb.xlsx", "file-too-large"),
    (
        write_zip_part_that_lies_about_its_size,
        "liar.xlsx",
        "file-corrupt",
    ),
    (
        write_billion_laughs_in_the_shared_strings,
        "laughs.xlsx",
        "file-unsafe",
    ),
    (write_external_entity_in_a_sheet, "xxe.xlsx", "file-unsafe"),
    (
        write_ods_with_cells_repeated_a_hundred_million_times,
        "repeats.ods",
        "file-too-large",
    ),
    (
        write_xls_with_cells_at_opposite_corners,
        "corners.xls",
        "file-too-large",
    ),
    (write_truncated_xls, "cut.xls", "file-corrupt"),
    (write_xls_mini_stream_that_loops, "loop.xls", "file-corrupt"),
    (
        write_xls_record_shorter_than_the_reader_expects,
        "short.xls",
        "file-corrupt",
    ),
    (
        write_xls_formula_longer_than_its_record,
        "formula.xls",
        "file-corrupt",
    ),
];

#[test]
fn every_bad_file_at_once_and_the_run_still_writes_its_reports() {
    let case = case_with_good();
    for (write, _, _) in BAD_FILES {
        write(&case.inputs());
    }
    let ran = run_case(&case);
    for (_, name, rule) in BAD_FILES {
        run_message(&ran, name, rule);
        let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        assert_feedback(&case, stem, rule);
    }
    assert!(ran.peak_mb < MEMORY_MB, "peak memory {} MB", ran.peak_mb);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

// ---------------------------------------------------------------------------
// The file system getting in the way.

#[test]
fn file_deleted_while_the_run_is_going() {
    use scorecard::{config::Templates, discover, model::returns::ReturnStatus, pipeline};
    let case = case_with_good();
    correct_cpr_return().write(&case.inputs().join("gone.xlsx"));
    let templates = Templates::load(&case.templates()).unwrap();
    let found = discover::discover(&case.inputs()).unwrap();
    assert_eq!(found.returns.len(), 2);
    std::fs::remove_file(case.inputs().join("gone.xlsx")).unwrap();
    let checked = pipeline::check_returns(&templates, &found.returns);
    let gone = checked.iter().find(|r| r.file.name == "gone.xlsx").unwrap();
    assert_eq!(gone.status, ReturnStatus::Rejected);
    assert_eq!(gone.diagnostics[0].rule, "file-unreadable");
    assert_words(
        &gone.diagnostics[0].message,
        &[
            "The file cannot be read",
            "removed or renamed while the run was going",
            "put it back and run again",
        ],
    );
    let good = checked
        .iter()
        .find(|r| r.file.name == "good-cpr.xlsx")
        .unwrap();
    assert_eq!(good.status, ReturnStatus::Accepted);
    // And the run goes on to its reports.
    run_case(&case);
}

#[test]
fn file_replaced_while_the_run_is_going() {
    use scorecard::{config::Templates, discover, model::returns::ReturnStatus, pipeline};
    let case = Case::new();
    correct_cpr_return().write(&case.inputs().join("cpr.xlsx"));
    let templates = Templates::load(&case.templates()).unwrap();
    let found = discover::discover(&case.inputs()).unwrap();
    // Replaced between finding and reading: the checksum recorded is that
    // of the bytes whose figures are used, never a mixture.
    let mut newer = correct_cpr_return();
    newer.rows[0][2] = V::N(130.0);
    let path = newer.write(&case.inputs().join("cpr.xlsx"));
    let bytes = std::fs::read(&path).unwrap();
    let checked = pipeline::check_returns(&templates, &found.returns);
    let r = &checked[0];
    assert_eq!(r.status, ReturnStatus::Accepted);
    let facts = r.facts.as_ref().unwrap();
    let sum: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(facts.sha256, sum);
    assert_eq!(facts.bytes, bytes.len() as u64);
    let ts3 = &r.content.as_ref().unwrap().figures[0];
    assert_eq!(ts3.numerator, Some(130.0));
}

/// The effective user id, from /proc.
fn euid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(unix)]
#[test]
fn file_the_run_is_not_allowed_to_read() {
    use std::os::unix::fs::PermissionsExt;
    let case = case_with_good();
    let locked = correct_cpr_return()
        .set_cover("Service", V::T("Workforce"))
        .write(&case.inputs().join("locked.xlsx"));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let ran = if euid() == Some(0) {
        // Root reads a file whatever its permissions, so chmod 000 proves
        // nothing: run the scorecard as `nobody` instead, with setpriv.
        // Where that is not possible the mapping of the error to its
        // message is still tested in read.rs (unreadable_names_the_cause).
        let setpriv = Command::new("setpriv").arg("--version").output();
        if !setpriv.is_ok_and(|o| o.status.success()) {
            eprintln!("skipped: running as root without setpriv");
            return;
        }
        let open = |p: &Path, mode| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        open(case.path(), 0o755);
        std::fs::create_dir_all(case.output()).unwrap();
        open(&case.output(), 0o777);
        // The test binary's folder may be closed to others: copy it.
        let program = case.path().join("scorecard");
        std::fs::copy(binary(), &program).unwrap();
        open(&program, 0o755);
        let wrapper = case.path().join("as-nobody.sh");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups {} \"$@\"\n",
                program.display()
            ),
        )
        .unwrap();
        open(&wrapper, 0o755);
        run_case_with(&case, &wrapper)
    } else {
        run_case(&case)
    };
    let line = run_message(&ran, "locked.xlsx", "file-unreadable");
    assert_words(
        line,
        &[
            "The file cannot be read: the run is not allowed to read it",
            "Ask IT to give the account that runs the scorecard permission",
        ],
    );
}

#[cfg(unix)]
#[test]
fn named_pipe_with_a_workbook_name() {
    let case = case_with_good();
    let pipe = case.inputs().join("stuck.xlsx");
    let made = Command::new("mkfifo").arg(&pipe).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: no mkfifo");
        return;
    }
    // Reading a pipe waits for a writer for ever: the run must not.
    let ran = run_case(&case);
    assert_words(
        &ran.stderr,
        &["skipped stuck.xlsx: not an ordinary file (a pipe or device)"],
    );
    let checked = run_bounded(
        &case,
        &binary(),
        &["check", "inputs/stuck.xlsx"],
        Duration::from_secs(60),
    );
    assert_words(
        &checked.stdout,
        &[
            "inputs/stuck.xlsx: 1 error(s)",
            "error [file-unreadable]: The file cannot be read: it is not an ordinary file",
        ],
    );
}

#[cfg(unix)]
#[test]
fn a_loop_of_links_is_named_as_one() {
    let case = case_with_good();
    let a = case.inputs().join("a.xlsx");
    let b = case.inputs().join("b.xlsx");
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let ran = run_case(&case);
    assert_words(
        &ran.stderr,
        &[
            "skipped a.xlsx: a link that cannot be followed",
            "circle of links",
        ],
    );
    assert!(!ran.stderr.contains("no longer exists"), "{}", ran.stderr);
}

#[test]
fn check_names_a_file_that_is_not_there() {
    let case = case_with_good();
    let out = run_bounded(
        &case,
        &binary(),
        &["check", "nosuchfile.xlsx"],
        Duration::from_secs(60),
    );
    // A mistake on the command line: status 2, and the name, not a return
    // said to have gone while the run was going.
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert_words(
        &out.stderr,
        &["there is no file or folder nosuchfile.xlsx: check its name"],
    );
    assert!(!out.stderr.contains("removed"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------
// Text that a spreadsheet would take for a formula.

/// Every sheet of the workbook: no formula anywhere, and its strings.
fn strings_without_formulas(path: &Path) -> Vec<String> {
    let mut book = open_workbook_auto(path).unwrap();
    let mut strings = Vec::new();
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        if let Some((r, c, f)) = formulas.used_cells().find(|(_, _, f)| !f.is_empty()) {
            panic!(
                "{}: {name} has a formula at ({r}, {c}): {f}",
                path.display()
            );
        }
        let range = book.worksheet_range(&name).unwrap();
        for (_, _, v) in range.used_cells() {
            if let calamine::Data::String(s) = v {
                strings.push(s.clone());
            }
        }
    }
    strings
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let case = Case::new();
    let risky = [
        "=HYPERLINK(\"http://example.com/x\",\"Click for the figures\")",
        "+44 20 7946 0000 was called for the missing cases",
        "-3 on last quarter after the audit",
        "@SUM(A1:A9)",
    ];
    let mut b = correct_cpr_return().row("TS10", V::N(1.0), V::N(2.0), V::Blank, V::Blank);
    for (i, text) in risky.iter().enumerate() {
        b.rows[i][5] = V::S(text.to_string());
    }
    let name = "=1+2 @cpr.xlsx";
    b.write(&case.inputs().join(name));
    run_case(&case);

    let scorecard = strings_without_formulas(&case.period_dir(PERIOD).join("scorecard.xlsx"));
    for text in risky {
        assert!(
            scorecard.iter().any(|s| s.contains(text)),
            "{text:?} is not in the scorecard: {scorecard:?}"
        );
    }
    assert!(scorecard.iter().any(|s| s == name), "{scorecard:?}");

    // The return had a warning (TS10 is not Child Protection's), so it has
    // feedback, headed by its file name.
    let path = case
        .period_dir(PERIOD)
        .join("feedback")
        .join("=1+2 @cpr.xlsx");
    let feedback = strings_without_formulas(&path);
    assert!(feedback.iter().any(|s| s == name), "{feedback:?}");
    assert_eq!(read_sheet(&path, "Problems")[2][1], name);
}

// ---------------------------------------------------------------------------
// Returns written by other programs, each with several officers' mistakes.

/// Runs the case and asserts the feedback lists exactly these errors, each
/// at its cell.
fn assert_mistakes(case: &Case, stem: &str, expected: &[(&str, &str)]) {
    let rows = feedback(case, stem);
    for (location, rule) in expected {
        assert!(
            rows.iter().any(|r| r[0] == *location && r[2] == *rule),
            "feedback for {stem} does not give {rule} at {location}:\n{rows:#?}"
        );
    }
    let errors: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r[1] == "Error")
        .map(|r| (r[0].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        errors.len(),
        expected.len(),
        "feedback for {stem} has other errors: {errors:?}"
    );
}

#[test]
fn libreoffice_return_with_mistakes() {
    let case = case_with_good();
    std::fs::copy(
        fixture("libreoffice-mistakes.ods"),
        case.inputs().join("libreoffice-mistakes.ods"),
    )
    .unwrap();
    let ran = run_case(&case);
    run_message(&ran, "libreoffice-mistakes.ods", "number-error-cell");
    assert_mistakes(
        &case,
        "libreoffice-mistakes",
        &[
            ("Return!B4", "period-unreadable"),
            ("Indicators!C2", "number-error-cell"),
            ("Indicators!D3", "number-error-cell"),
            ("Indicators!C4", "numerator-exceeds-denominator"),
            ("Indicators!C5", "number-not-number"),
            ("Indicators!D6", "number-not-number"),
        ],
    );
    let rows = feedback(&case, "libreoffice-mistakes");
    let message = |loc: &str| {
        rows.iter()
            .find(|r| r[0] == loc)
            .map(|r| r[3].clone())
            .unwrap()
    };
    assert_words(
        &message("Indicators!C2"),
        &["shows the spreadsheet error Err:502"],
    );
    assert_words(
        &message("Indicators!D3"),
        &["shows the spreadsheet error #DIV/0!"],
    );
}

#[test]
fn openpyxl_return_with_mistakes() {
    let case = case_with_good();
    std::fs::copy(
        fixture("openpyxl-mistakes.xlsx"),
        case.inputs().join("openpyxl-mistakes.xlsx"),
    )
    .unwrap();
    run_case(&case);
    assert_mistakes(
        &case,
        "openpyxl-mistakes",
        &[
            ("Return!B3", "service-unknown"),
            ("Return!B4", "period-unreadable"),
            ("Return!B6", "email-invalid"),
            ("Return!B7", "submitted-unreadable"),
            ("Indicators!D4", "number-not-number"),
            ("Indicators!D5", "numerator-exceeds-denominator"),
            ("Indicators!D6", "number-error-cell"),
            ("Indicators!D7", "number-not-number"),
            ("Indicators!E8", "number-out-of-range"),
            ("Indicators!C9", "no-data-without-commentary"),
            ("Indicators!A10", "ref-missing"),
            ("Indicators!A11", "ref-unknown"),
        ],
    );
}
