//! Extracts as they really arrive: damaged, cut short, oddly encoded,
//! exported without a header row, with columns out of place, split in
//! two. Each is made from the shipped sample extract for 2014-15 Q2 and
//! run as a council would run it. The contract's promises are checked:
//! an extract that cannot be used whole is refused (its figures come from
//! the returns, the run exits 3, the paper says so), the same lists in
//! UTF-16 or Windows-1252 give the same figures as in UTF-8, and no
//! child's id or date of birth appears anywhere outside `restricted/` or
//! on the console.

use std::collections::BTreeSet;

use std::process::Output;

use crate::common::*;

const QUARTER: &str = "2014-15-Q2";

fn sample(list: &str) -> String {
    std::fs::read_to_string(root().join(format!("inputs/{QUARTER}/ssda903/{list}.csv"))).unwrap()
}

const LISTS: [&str; 6] = [
    "header",
    "episodes",
    "reviews",
    "oc2",
    "oc3",
    "placed_for_adoption",
];

/// Every child id and date of birth in the sample extract.
fn personal_values() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for list in LISTS {
        let text = sample(list);
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let dob = header.iter().position(|h| *h == "DOB");
        for line in lines {
            let cells: Vec<&str> = line.split(',').collect();
            out.insert(cells[0].to_string());
            if let Some(i) = dob {
                out.insert(cells[i].to_string());
            }
        }
    }
    out.retain(|v| !v.is_empty());
    out
}

/// A case with one LAC return for the quarter (so the quarter is
/// reported whatever becomes of the extract) and the given extract files
/// in `inputs/2014-15-Q2/ssda903/`.
fn case_with(files: &[(&str, Vec<u8>)]) -> Case {
    let case = Case::new();
    ReturnBuilder::new("Looked After Children", "2014-15 Q2")
        .pct("TS8", 1.0, 4.0)
        .write(&case.inputs().join(QUARTER).join("LAC.xlsx"));
    let dir = case.inputs().join(QUARTER).join("ssda903");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    case
}

/// The sample lists, with `change` applied to each `(name, text)`.
fn lists_with(change: impl Fn(&str, String) -> Option<String>) -> Vec<(String, Vec<u8>)> {
    LISTS
        .iter()
        .filter_map(|l| change(l, sample(l)).map(|t| (format!("{l}.csv"), t.into_bytes())))
        .collect()
}

fn as_files(lists: &[(String, Vec<u8>)]) -> Vec<(&str, Vec<u8>)> {
    lists.iter().map(|(n, b)| (n.as_str(), b.clone())).collect()
}

/// Fails when any id or date of birth appears in an output outside
/// `restricted/`, or in what the commands printed.
fn assert_no_personal_data(case: &Case, printed: &[&Output]) {
    let values = personal_values();
    assert!(values.len() > 2_000, "{}", values.len());
    assert_nothing_outside_restricted(case, &values, printed);
}

/// Runs `run` and `check` on the case: the run must refuse the extract
/// and exit 3, the figures must come from the returns, the paper must say
/// it was refused and why, and nothing personal may leak.
fn assert_refused(case: &Case, why: &str) {
    let run = case.run(&["run"]);
    assert_eq!(
        run.status.code(),
        Some(3),
        "{}{}",
        stdout(&run),
        stderr(&run)
    );
    let said = format!("{}{}", stdout(&run), stderr(&run));
    assert!(said.contains("REFUSED"), "{said}");
    assert!(said.contains(why), "expected {why:?} in:\n{said}");
    let dir = case.period_dir(QUARTER);
    let rows = read_csv(&dir.join("data/indicators.csv"));
    for r in ["TS7", "TS8", "TS15", "TS21"] {
        let row = csv_row(&rows, "2014-15 Q2", r);
        assert_eq!(row["source"], "returns", "{r}: {row:?}");
        // No figure of 0 for want of children: TS8 is the return's.
        if r == "TS8" {
            assert_eq!(row["display"], "25.0%");
        } else {
            assert_eq!(row["status"], "no data", "{r}: {row:?}");
        }
    }
    let pdf = pdf_text(&dir.join("committee-report.pdf"));
    let flat = pdf.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("was refused and none of its figures is used"),
        "{flat}"
    );
    assert!(!flat.contains("No child was left out"), "{flat}");
    let page = std::fs::read_to_string(dir.join("returns.html")).unwrap();
    assert!(page.contains("Refused"), "{page}");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run-record.json")).unwrap())
            .unwrap();
    assert_eq!(record["ssda903_extracts"][0]["status"]["status"], "refused");
    // Its feedback, with the values to correct, only in restricted/.
    let feedback: Vec<_> = std::fs::read_dir(dir.join("restricted/feedback"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        feedback.iter().any(|f| f.starts_with("ssda903 ")),
        "{feedback:?}"
    );
    let check = case.run(&["check", "inputs"]);
    assert_eq!(check.status.code(), Some(3), "{}", stdout(&check));
    assert!(
        stdout(&check).contains("would be refused"),
        "{}",
        stdout(&check)
    );
    assert_no_personal_data(case, &[&run, &check]);
}

#[test]
fn ids_in_date_columns_refuse_the_extract_and_are_never_quoted() {
    // The episodes list's header names CHILD then DECOM, but its rows hold
    // the date first and the id second.
    let lists = lists_with(|name, text| {
        if name != "episodes" {
            return Some(text);
        }
        let mut lines = text.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for line in lines {
            let mut c: Vec<&str> = line.split(',').collect();
            c.swap(0, 1);
            out.push_str(&c.join(","));
            out.push('\n');
        }
        Some(out)
    });
    assert_refused(&case_with(&as_files(&lists)), "children have errors");
}

#[test]
fn reviews_naming_no_child_are_not_used_and_never_quoted() {
    // The same in the reviews list: no review names a child of the
    // extract, so none is used (TS7 has no data rather than 0), and the
    // ids in the date column are quoted nowhere.
    let lists = lists_with(|name, text| {
        if name != "reviews" {
            return Some(text);
        }
        let mut out = String::from("CHILD,DOB,REVIEW,REVIEW_CODE\n");
        for line in text.lines().skip(1) {
            let c: Vec<&str> = line.split(',').collect();
            out.push_str(&format!("{},{},{},{}\n", c[2], c[1], c[0], c[3]));
        }
        Some(out)
    });
    let case = case_with(&as_files(&lists));
    let run = case.run(&["run"]);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    let rows = read_csv(&case.period_dir(QUARTER).join("data/indicators.csv"));
    let ts7 = csv_row(&rows, "2014-15 Q2", "TS7");
    assert_eq!(ts7["status"], "no data", "{ts7:?}");
    let check = case.run(&["check", "inputs"]);
    assert_no_personal_data(&case, &[&run, &check]);
}

#[test]
fn a_header_row_naming_columns_in_another_order_refuses_the_extract() {
    // DOB and CHILD swapped in the header row only.
    let lists = lists_with(|name, text| {
        Some(if name == "header" {
            text.replacen("CHILD,SEX,DOB", "DOB,SEX,CHILD", 1)
        } else {
            text
        })
    });
    assert_refused(&case_with(&as_files(&lists)), "REFUSED");
}

#[test]
fn a_list_exported_without_its_header_row_refuses_the_extract() {
    let lists = lists_with(|name, text| {
        Some(if name == "episodes" {
            text.lines().skip(1).collect::<Vec<_>>().join("\n") + "\n"
        } else {
            text
        })
    });
    assert_refused(
        &case_with(&as_files(&lists)),
        "episodes.csv has no header row",
    );
}

#[test]
fn a_list_split_in_two_refuses_the_extract() {
    // Split to get under a size limit: the second half with its header row,
    // then without it.
    let episodes = sample("episodes");
    let lines: Vec<&str> = episodes.lines().collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    let first = first.join("\n") + "\n";
    for with_header in [true, false] {
        let mut second_text = if with_header {
            format!("{}\n", lines[0])
        } else {
            String::new()
        };
        second_text.push_str(&(second.join("\n") + "\n"));
        let mut lists = lists_with(|name, text| (name != "episodes").then_some(text));
        lists.push(("episodes-1.csv".into(), first.clone().into_bytes()));
        lists.push(("episodes-2.csv".into(), second_text.into_bytes()));
        let why = if with_header {
            "the episodes list is given twice"
        } else {
            "has no header row"
        };
        assert_refused(&case_with(&as_files(&lists)), why);
    }
}

#[test]
fn a_list_cut_short_refuses_the_extract() {
    let lists = lists_with(|name, text| {
        Some(if name == "episodes" {
            // Part-way through a row, as a copy that stopped would leave it.
            let mut at = text.len() / 3;
            while text.as_bytes()[at - 1] == b'\n' {
                at -= 3;
            }
            text[..at].to_string()
        } else {
            text
        })
    });
    assert_refused(&case_with(&as_files(&lists)), "episodes.csv was cut short");
}

#[test]
fn an_episodes_list_with_only_its_header_row_refuses_the_extract() {
    let lists = lists_with(|name, text| {
        Some(if name == "episodes" {
            text.lines().next().unwrap().to_string() + "\n"
        } else {
            text
        })
    });
    assert_refused(
        &case_with(&as_files(&lists)),
        "its episodes list holds only its header row",
    );
}

#[test]
fn a_list_of_blank_lines_and_repeated_columns_refuse_the_extract() {
    let blank = lists_with(|name, text| {
        Some(if name == "oc2" {
            "\n\n \n".into()
        } else {
            text
        })
    });
    assert_refused(&case_with(&as_files(&blank)), "oc2.csv is empty");
    let twice = lists_with(|name, text| {
        Some(if name == "header" {
            text.replacen("CHILD,SEX,DOB,ETHNIC", "CHILD,DOB,DOB,ETHNIC", 1)
        } else {
            text
        })
    });
    assert_refused(
        &case_with(&as_files(&twice)),
        "its header list names the column DOB twice",
    );
}

#[test]
fn every_child_spoiled_refuses_the_extract() {
    let lists = lists_with(|name, text| {
        Some(if name == "episodes" {
            text.replace(",S,", ",Q,")
                .replace(",P,", ",Q,")
                .replace(",L,", ",Q,")
                .replace(",B,", ",Q,")
                .replace(",T,", ",Q,")
                .replace(",U,", ",Q,")
        } else {
            text
        })
    });
    assert_refused(&case_with(&as_files(&lists)), "errors");
}

/// The sample extract as one XML file, from its CSV lists.
fn sample_xml() -> String {
    let dir = root().join("inputs/2014-15-Q1");
    let path = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "xml"))
        .unwrap();
    std::fs::read_to_string(path).unwrap()
}

/// The XML with a Windows-1252 "é" (one byte, 0xE9) added near its end.
fn latin_inside(xml: &str) -> Vec<u8> {
    let at = xml.rfind("</EXPSSDA903>").unwrap();
    let mut bytes = xml.as_bytes()[..at].to_vec();
    bytes.extend_from_slice(b"<X>Ren\xE9</X>");
    bytes.extend_from_slice(&xml.as_bytes()[at..]);
    bytes
}

#[test]
fn xml_damaged_in_any_way_refuses_the_extract() {
    let xml = sample_xml();
    let cut = xml[..xml.len() / 2].to_string();
    let deep = xml.replacen(
        "<CHILD>",
        &format!("<CHILD>{}{}", "<X>".repeat(20), "</X>".repeat(20)),
        1,
    );
    let doctype = xml.replacen(
        "<EXPSSDA903>",
        "<!DOCTYPE x [<!ENTITY a 'a'>]><EXPSSDA903>",
        1,
    );
    for (bytes, why) in [
        (cut.into_bytes(), "was cut short"),
        (deep.into_bytes(), "nests its elements too deeply"),
        (doctype.into_bytes(), "holds a document type declaration"),
        // Declared UTF-8, but with a Latin-1 byte inside.
        (latin_inside(&xml), "is not valid UTF-8 text"),
    ] {
        let case = case_with(&[]);
        // The XML in the quarter's folder, Q2's ids stand in for Q1's.
        std::fs::write(
            case.inputs()
                .join(QUARTER)
                .join("ssda903")
                .join("ssda903.xml"),
            &bytes,
        )
        .unwrap();
        assert_refused(&case, why);
    }
}

/// The indicators.csv figures worked out from the extract.
fn extract_figures(case: &Case) -> Vec<(String, String, String)> {
    let rows = read_csv(&case.period_dir(QUARTER).join("data/indicators.csv"));
    rows.iter()
        .filter(|r| r["period"] == "2014-15 Q2" && r["source"] == "ssda903")
        .map(|r| {
            (
                r["ref"].clone(),
                r["numerator"].clone(),
                r["denominator"].clone(),
            )
        })
        .collect()
}

fn utf16le_with_mark(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend(unit.to_le_bytes());
    }
    out
}

fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'É' => 0xC9,
            'È' => 0xC8,
            c if c.is_ascii() => c as u8,
            c => panic!("{c} is not in the test's little table"),
        })
        .collect()
}

#[test]
fn the_same_lists_in_utf16_and_windows_1252_give_the_same_figures() {
    // Two more children whose ids differ only in an accent, each looked
    // after on the quarter's last day: read as one child, they would count
    // once.
    let lists = |encode: &dyn Fn(&str) -> Vec<u8>| -> Vec<(String, Vec<u8>)> {
        LISTS
            .iter()
            .map(|l| {
                let mut text = sample(l).replace("\r\n", "\n");
                if *l == "header" {
                    text.push_str("CHÉ01,1,01/01/2008,WBRI,,,\nCHÈ01,1,01/01/2008,WBRI,,,\n");
                }
                if *l == "episodes" {
                    text.push_str("CHÉ01,01/01/2014,S,C2,N1,U1,PR1,,,,,,\nCHÈ01,01/01/2014,S,C2,N1,U1,PR1,,,,,,\n");
                }
                (format!("{l}.csv"), encode(&text))
            })
            .collect()
    };
    let utf8 = case_with(&as_files(&lists(&|t: &str| t.as_bytes().to_vec())));
    let utf16 = case_with(&as_files(&lists(&utf16le_with_mark)));
    let latin = case_with(&as_files(&lists(&windows_1252)));
    let mut figures = Vec::new();
    for case in [&utf8, &utf16, &latin] {
        let run = case.run(&["run"]);
        assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
        assert!(!stderr(&run).contains("REFUSED"), "{}", stderr(&run));
        figures.push(extract_figures(case));
    }
    assert_eq!(figures[0].len(), 10, "{:?}", figures[0]);
    assert_eq!(figures[0], figures[1], "UTF-16");
    assert_eq!(figures[0], figures[2], "Windows-1252");
    // Both accented children were counted in TS21 (two distinct ids).
    let ts21 = |f: &[(String, String, String)]| {
        f.iter()
            .find(|r| r.0 == "TS21")
            .map(|r| r.1.clone())
            .unwrap()
    };
    let base = case_with(&as_files(&lists_with(|_, t| Some(t))));
    assert_eq!(base.run(&["run"]).status.code(), Some(3));
    let plain: u32 = ts21(&extract_figures(&base)).parse().unwrap();
    assert_eq!(ts21(&figures[2]), (plain + 2).to_string());
    // The Windows-1252 lists are named in a warning; nothing personal leaks.
    let run = latin.run(&["run"]);
    let check = latin.run(&["check", "inputs"]);
    assert!(
        stdout(&check).contains("header.csv: warning [ssda903-encoding]: The file is not in UTF-8, so it was read as Windows-1252"),
        "{}",
        stdout(&check)
    );
    assert_no_personal_data(&latin, &[&run, &check]);
}

#[test]
fn a_semicolon_separated_list_is_read_and_named() {
    let lists = lists_with(|name, text| {
        Some(if name == "oc3" {
            text.replace(',', ";")
        } else {
            text
        })
    });
    let case = case_with(&as_files(&lists));
    let run = case.run(&["run"]);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    let rows = read_csv(&case.period_dir(QUARTER).join("data/indicators.csv"));
    assert_eq!(csv_row(&rows, "2014-15 Q2", "TS10")["source"], "ssda903");
    let check = case.run(&["check", "inputs"]);
    assert!(
        stdout(&check).contains("oc3.csv, row 1: warning [ssda903-separator]: The file's columns are separated by semicolons"),
        "{}",
        stdout(&check)
    );
    assert_no_personal_data(&case, &[&run, &check]);
}

#[test]
fn a_run_for_an_earlier_quarter_speaks_only_of_its_own_extracts() {
    // A refused extract for 2014-15 Q2 beside a return for Q1: reporting
    // Q1 does not print Q2's problems; reporting Q2 does.
    let lists = lists_with(|name, text| (name != "episodes").then_some(text));
    let case = case_with(&as_files(&lists));
    ReturnBuilder::new("Looked After Children", "2014-15 Q1")
        .pct("TS8", 1.0, 4.0)
        .write(&case.inputs().join("2014-15-Q1").join("LAC.xlsx"));
    let out = case.run(&["run", "--period", "2014-15-Q1"]);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!said.contains("2014-15-Q2/ssda903"), "{said}");
    let out = case.run(&["run"]);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        said.contains("2014-15-Q2/ssda903/: SSDA903 extract REFUSED"),
        "{said}"
    );
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn the_xml_in_utf16_or_declared_latin1_gives_the_same_figures() {
    let xml = sample_xml();
    let utf16 = utf16le_with_mark(&xml.replacen("encoding=\"utf-8\"", "encoding=\"UTF-16\"", 1));
    let latin1 = xml
        .replacen("encoding=\"utf-8\"", "encoding=\"ISO-8859-1\"", 1)
        .into_bytes();
    let mut figures = Vec::new();
    for bytes in [xml.clone().into_bytes(), utf16, latin1] {
        let case = case_with(&[]);
        std::fs::write(
            case.inputs()
                .join(QUARTER)
                .join("ssda903")
                .join("ssda903.xml"),
            &bytes,
        )
        .unwrap();
        let run = case.run(&["run"]);
        assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
        assert!(!stderr(&run).contains("REFUSED"), "{}", stderr(&run));
        figures.push(extract_figures(&case));
    }
    assert_eq!(figures[0].len(), 10, "{:?}", figures[0]);
    assert_eq!(figures[0], figures[1], "UTF-16");
    assert_eq!(figures[0], figures[2], "ISO-8859-1");
}
