//! What officers get back for the mistakes they make, through
//! `scorecard check` and `scorecard run`.

use crate::common::*;

const Q2: &str = "2014-15 Q2";

/// Checks one built return, expecting exit `status` (0 when it passes, 3
/// when it has errors); returns what `check` printed.
fn check(case: &Case, builder: &ReturnBuilder, name: &str, status: i32) -> String {
    let path = builder.write(&case.inputs().join(name));
    stdout(&case.run_expecting(&["check", path.to_str().unwrap()], status))
}

#[test]
fn a_correct_return_passes() {
    let case = Case::new();
    let text = check(&case, &correct_cpr_return(), "cpr.xlsx", 0);
    assert!(text.contains("OK, no problems"), "{text}");
}

#[test]
fn labels_and_sheet_names_are_matched_loosely() {
    let case = Case::new();
    let mut b = correct_cpr_return()
        .remove_cover("Service")
        .set_cover("  service: ", V::T("child protection and reviewing"));
    b.indicators_sheet = " indicators ".into();
    b.rows[0][0] = V::T("ts 3");
    check(&case, &b, "loose.xlsx", 0);
}

#[test]
fn text_in_a_number_cell_is_located() {
    let case = Case::new();
    let mut b = correct_cpr_return();
    b.rows[1][2] = V::T("n/a");
    let text = check(&case, &b, "text.xlsx", 3);
    assert!(
        text.contains("Indicators!C3: error [number-not-number]: Numerator for TS4 is \"n/a\", which is not a number."),
        "{text}"
    );
}

#[test]
fn numbers_typed_as_text_are_accepted() {
    let case = Case::new();
    let mut b = correct_cpr_return();
    b.rows[0][2] = V::T(" 127 ");
    b.rows[0][3] = V::T("159");
    b.rows[4][3] = V::T("1,30");
    b.rows[1][3] = V::T("70");
    let text = check(&case, &b, "text-numbers.xlsx", 3);
    // Only the decimal comma is questioned.
    assert!(text.contains("1 would be rejected"), "{text}");
    assert!(
        text.contains("Indicators!D6: error [number-not-number]: Denominator for TS7 is \"1,30\""),
        "{text}"
    );
    assert_eq!(text.matches("error [").count(), 1, "{text}");
}

#[test]
fn percentages_and_error_cells_are_explained() {
    let case = Case::new();
    let mut b = correct_cpr_return();
    b.rows[0][2] = V::T("80%");
    b.rows[1][2] = V::T("#DIV/0!");
    let text = check(&case, &b, "errs.xlsx", 3);
    assert!(
        text.contains(
            "Indicators!C2: error [number-not-number]: Numerator for TS3 is \"80%\", a percentage."
        ),
        "{text}"
    );
    assert!(text.contains("Indicators!C3: error [number-error-cell]: Numerator for TS4 shows the spreadsheet error #DIV/0!"), "{text}");
}

#[test]
fn numerator_larger_than_denominator() {
    let case = Case::new();
    let mut b = correct_cpr_return();
    b.rows[0][2] = V::N(120.0);
    b.rows[0][3] = V::N(95.0);
    let text = check(&case, &b, "big.xlsx", 3);
    assert!(
        text.contains("Indicators!C2: error [numerator-exceeds-denominator]: Numerator 120 is larger than Denominator 95 for TS3: a percentage cannot exceed 100%. Check both figures."),
        "{text}"
    );
}

#[test]
fn negative_and_fractional_counts() {
    let case = Case::new();
    let mut b = correct_cpr_return();
    b.rows[0][2] = V::N(-4.0);
    b.rows[1][3] = V::N(70.5);
    let text = check(&case, &b, "neg.xlsx", 3);
    assert!(text.contains("Indicators!C2: error [number-out-of-range]: Numerator for TS3 is -4, a negative number."), "{text}");
    assert!(text.contains("Indicators!D3: error [number-out-of-range]: Denominator for TS4 is 70.5; it must be a whole number"), "{text}");
}

#[test]
fn value_must_agree_with_its_parts() {
    let case = Case::new();
    let mut b = correct_cpr_return();
    b.rows[0][4] = V::N(85.0);
    let text = check(&case, &b, "value.xlsx", 3);
    assert!(text.contains("Indicators!E2: error [value-disagrees]: Value 85 for TS3 does not match Numerator and Denominator, which give 79.9%."), "{text}");
    let mut ok = correct_cpr_return();
    ok.rows[0][4] = V::N(79.9);
    check(&case, &ok, "value-ok.xlsx", 0);
}

#[test]
fn unknown_service_suggests_the_nearest() {
    let case = Case::new();
    let b = correct_cpr_return().set_cover("Service", V::T("Child Protection & Reviewing"));
    let text = check(&case, &b, "svc.xlsx", 3);
    assert!(text.contains("Return!B3: error [service-unknown]: \"Child Protection & Reviewing\" is not a service in the service list. Did you mean \"Child Protection and Reviewing\"?"), "{text}");
}

#[test]
fn unreadable_period_quotes_what_was_found() {
    let case = Case::new();
    let b = correct_cpr_return().set_cover("Period", V::T("Sept 2014"));
    let text = check(&case, &b, "period.xlsx", 3);
    assert!(text.contains("Return!B4: error [period-unreadable]: Period \"Sept 2014\" is not a period; write it as 2014-15 Q2"), "{text}");
    let b = correct_cpr_return().set_cover("Period", V::T("2014-16 Q2"));
    let text = check(&case, &b, "period2.xlsx", 3);
    assert!(
        text.contains("the second year must follow the first (write 2014-15)"),
        "{text}"
    );
}

#[test]
fn return_in_the_wrong_folder() {
    let case = Case::new();
    let b = correct_cpr_return().set_cover("Period", V::T("2014-15 Q1"));
    let path = b.write(&case.inputs().join("2014-15-Q2/cpr.xlsx"));
    let out = case.run_expecting(&["check", path.to_str().unwrap()], 3);
    let text = stdout(&out);
    assert!(text.contains("Return!B4: error [period-folder]: The return is for 2014-15 Q1 but sits in the folder for 2014-15 Q2."), "{text}");
}

#[test]
fn missing_sheet_names_the_sheets_found() {
    let case = Case::new();
    let mut b = correct_cpr_return();
    b.indicators_sheet = "Sheet2".into();
    let text = check(&case, &b, "sheets.xlsx", 3);
    assert!(
        text.contains(
            "The workbook has no sheet named \"Indicators\". Sheets found: \"Return\", \"Sheet2\"."
        ),
        "{text}"
    );
}

#[test]
fn missing_cover_fields() {
    let case = Case::new();
    let b = correct_cpr_return()
        .remove_cover("Prepared by")
        .set_cover("Submitted", V::T("31/13/2014"));
    let text = check(&case, &b, "cover.xlsx", 3);
    assert!(
        text.contains("Return: error [cover-missing]: The cover has no \"Prepared by\" label."),
        "{text}"
    );
    assert!(
        text.contains(
            "error [submitted-unreadable]: Submitted is \"31/13/2014\", which is not a date."
        ),
        "{text}"
    );
}

#[test]
fn refs_unknown_duplicated_or_not_for_the_service() {
    let case = Case::new();
    let b = correct_cpr_return()
        .pct("TS33", 1.0, 2.0)
        .pct("TS3", 1.0, 2.0)
        .pct("TS10", 1.0, 2.0);
    let text = check(&case, &b, "refs.xlsx", 3);
    assert!(text.contains("Indicators!A8: error [ref-unknown]: \"TS33\" is not an indicator on the scorecard. Did you mean TS3?"), "{text}");
    assert!(
        text.contains("Indicators!A9: error [ref-duplicate]: TS3 appears twice, on rows 2 and 9."),
        "{text}"
    );
    assert!(text.contains("Indicators!A10: warning [ref-not-for-service]: TS10 is not an indicator Child Protection and Reviewing returns"), "{text}");
}

#[test]
fn no_data_needs_a_reason() {
    let case = Case::new();
    let mut b = correct_cpr_return();
    b.rows[0] = vec![
        V::T("TS3"),
        V::Blank,
        V::Blank,
        V::Blank,
        V::Blank,
        V::Blank,
    ];
    let text = check(&case, &b, "nodata.xlsx", 3);
    assert!(
        text.contains("Indicators!F2: error [no-data-without-commentary]"),
        "{text}"
    );
    b.rows[0][5] = V::T("System migration: figures not available until October.");
    check(&case, &b, "nodata-ok.xlsx", 0);
}

#[test]
fn no_data_with_commentary_shows_the_reason_in_the_figures() {
    let case = Case::new();
    let mut b = correct_cpr_return();
    b.rows[0] = vec![
        V::T("TS3"),
        V::Blank,
        V::Blank,
        V::Blank,
        V::Blank,
        V::T("System migration: figures not available until October."),
    ];
    b.write(&case.inputs().join("cpr.xlsx"));
    // The other services sent nothing: status 3.
    case.run_expecting(&["run"], 3);
    let rows = read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"));
    let ts3 = csv_row(&rows, Q2, "TS3");
    assert_eq!(ts3["status"], "no data");
    assert!(ts3["note"].contains("System migration"), "{}", ts3["note"]);
}

#[test]
fn resubmission_later_wins_and_ties_are_both_rejected() {
    let case = Case::new();
    let first = correct_cpr_return().set_cover("Submitted", V::T("2014-10-10 09:30"));
    let mut second = correct_cpr_return().set_cover("Submitted", V::T("14/10/2014"));
    second.rows[0][2] = V::N(130.0);
    first.write(&case.inputs().join("cpr-a.xlsx"));
    second.write(&case.inputs().join("cpr-b.xlsx"));
    // The other services sent nothing: status 3.
    case.run_expecting(&["run"], 3);
    let rows = read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"));
    assert_eq!(csv_row(&rows, Q2, "TS3")["numerator"], "130");

    let tie = Case::new();
    first.write(&tie.inputs().join("cpr-a.xlsx"));
    first.write(&tie.inputs().join("cpr-b.xlsx"));
    let out = tie.run(&["run"]);
    assert_eq!(out.status.code(), Some(3));
    let text = stderr(&out);
    assert!(
        text.contains("This return and cpr-b.xlsx are both for Child Protection and Reviewing"),
        "{text}"
    );
    assert!(
        text.contains("This return and cpr-a.xlsx are both for"),
        "{text}"
    );
}

#[test]
fn files_that_are_not_workbooks_do_not_stop_the_run() {
    let case = Case::new();
    correct_cpr_return().write(&case.inputs().join("cpr.xlsx"));
    std::fs::write(case.inputs().join("export.xlsx"), "Ref,Numerator\nTS3,12\n").unwrap();
    std::fs::write(
        case.inputs().join("page.xlsx"),
        "<!DOCTYPE html><html><body>x</body></html>",
    )
    .unwrap();
    std::fs::write(case.inputs().join("empty.xlsx"), "").unwrap();
    std::fs::write(case.inputs().join("~$cpr.xlsx"), "lock").unwrap();
    std::fs::write(case.inputs().join("notes.txt"), "hello").unwrap();
    let out = case.run(&["run", "--period", "2014-15-Q2"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("export.xlsx: whole file: error [file-not-workbook]: The file is named .xlsx but is plain text"), "{err}");
    assert!(err.contains("page.xlsx: whole file: error [file-not-workbook]: The file is named .xlsx but is a web page"), "{err}");
    assert!(
        err.contains("empty.xlsx: whole file: error [file-empty]"),
        "{err}"
    );
    assert!(err.contains("skipped notes.txt"), "{err}");
    assert!(
        !err.contains("~$cpr"),
        "lock files are ignored silently: {err}"
    );
    let dir = case.period_dir("2014-15-Q2");
    assert!(dir.join("committee-report.pdf").is_file());
    assert!(dir.join("feedback/export.xlsx").is_file());
    assert!(
        stdout(&out).contains(
            "4 returns read, 1 accepted, 3 rejected, 0 superseded, 1 other files skipped"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn truncated_workbook_is_reported_as_damaged() {
    let case = Case::new();
    let path = correct_cpr_return().write(&case.inputs().join("cpr.xlsx"));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(case.inputs().join("cut.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    let out = case.run_expecting(&["check", "inputs/cut.xlsx"], 3);
    let text = stdout(&out);
    assert!(
        text.contains("error [file-corrupt]: The workbook is damaged and cannot be opened"),
        "{text}"
    );
}

#[test]
fn half_filled_rows_name_the_missing_figure() {
    let case = Case::new();
    let mut b = correct_cpr_return();
    b.rows[0][3] = V::Blank;
    let text = check(&case, &b, "half.xlsx", 3);
    assert!(
        text.contains("Indicators!D2: error [figure-missing]: Denominator for TS3 is blank, but TS3 needs both a Numerator and a Denominator."),
        "{text}"
    );
}

/// Writes rows read back from a workbook into a sheet, numbers as numbers.
fn copy_rows(sheet: &mut rust_xlsxwriter::Worksheet, rows: &[Vec<String>]) {
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(n) => sheet.write_number(r as u32, c as u16, n).unwrap(),
                Err(_) if v.is_empty() => sheet,
                Err(_) => sheet.write_string(r as u32, c as u16, v).unwrap(),
            };
        }
    }
}

/// Writes an Actions sheet into a correct return (row 1 is the header).
fn with_actions(rows: &[[&str; 6]]) -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let case = Case::new();
    let path = correct_cpr_return().write(&case.path().join("base.xlsx"));
    // Rebuild: the builder has no Actions sheet, so add one by hand.
    let mut book = Workbook::new();
    let cover = read_sheet(&path, "Return");
    let indicators = read_sheet(&path, "Indicators");
    for (name, rows) in [("Return", &cover), ("Indicators", &indicators)] {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        copy_rows(sheet, rows);
    }
    let sheet = book.add_worksheet();
    sheet.set_name("Actions").unwrap();
    for (c, h) in ["Ref", "Action", "Lead officer", "Due", "Status", "Update"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn actions_are_checked_row_by_row() {
    let case = Case::new();
    let bytes = with_actions(&[
        [
            "SG-05",
            "Outcome-focused plans",
            "Head of Service",
            "30/06/2014",
            "At risk",
            "Delayed.",
        ],
        [
            "SG-5",
            "Plans",
            "Head of Service",
            "30/06/2014",
            "On track",
            "",
        ],
        ["SG-06", "Challenge log", "", "next month", "Done", ""],
        [
            "LAC-11",
            "Placement panel",
            "Service Manager",
            "2014-07-31",
            "not started",
            "",
        ],
    ]);
    std::fs::write(case.inputs().join("actions.xlsx"), bytes).unwrap();
    let out = case.run_expecting(&["check", "inputs/actions.xlsx"], 3);
    let text = stdout(&out);
    assert!(text.contains("Actions!A3: error [action-ref-unknown]: \"SG-5\" is not a recommendation in the improvement plan. Did you mean SG-05?"), "{text}");
    assert!(text.contains("Actions!C4: error [action-field-missing]: Lead officer is blank for the action on row 4."), "{text}");
    assert!(text.contains("Actions!D4: error [action-due-unreadable]: Due is \"next month\", which is not a date."), "{text}");
    assert!(text.contains("Actions!E4: error [action-status-unknown]: Status is \"Done\", which is not one of Not started, On track, At risk, Off track, Complete."), "{text}");
    // Rows 2 and 5 are correct (status matched ignoring case).
    assert_eq!(text.matches("error [").count(), 4, "{text}");
}

#[test]
fn a_figure_far_from_last_quarter_is_questioned() {
    let case = Case::new();
    ReturnBuilder::new("Child Protection and Reviewing", "2014-15 Q1")
        .pct("TS3", 140.0, 163.0)
        .pct("TS4", 70.0, 70.0)
        .write(&case.inputs().join("2014-15-Q1/cpr.xlsx"));
    // TS3 typed as 14 instead of 140; TS4's denominator doubled.
    ReturnBuilder::new("Child Protection and Reviewing", "2014-15 Q2")
        .pct("TS3", 14.0, 159.0)
        .pct("TS4", 140.0, 140.0)
        .write(&case.inputs().join("2014-15-Q2/cpr.xlsx"));
    // Warnings only, but the other services sent nothing: status 3.
    let out = case.run_expecting(&["run"], 3);
    let err = stderr(&out);
    assert!(err.contains("2014-15-Q2/cpr.xlsx: Indicators!C2: warning [figure-jump]: The figure for TS3 is 8.8%, against 85.9% in your 2014-15 Q1 return: a change of 77.1 points."), "{err}");
    assert!(err.contains("Indicators!D3: warning [denominator-jump]: Denominator for TS4 is 140, against 70 in your 2014-15 Q1 return"), "{err}");
    // Warnings do not reject: the figures are used.
    let rows = read_csv(&case.period_dir("2014-15-Q2").join("data/indicators.csv"));
    assert_eq!(csv_row(&rows, "2014-15 Q2", "TS3")["display"], "8.8%");
}

#[test]
fn hidden_sheets_are_read_with_a_warning() {
    use rust_xlsxwriter::Workbook;
    let case = Case::new();
    let path = correct_cpr_return().write(&case.path().join("base.xlsx"));
    let mut book = Workbook::new();
    for name in ["Return", "Indicators"] {
        let rows = read_sheet(&path, name);
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        copy_rows(sheet, &rows);
        if name == "Indicators" {
            sheet.set_hidden(true);
        }
    }
    book.save(case.inputs().join("hidden.xlsx")).unwrap();
    let out = case.run(&["check", "inputs/hidden.xlsx"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Indicators: warning [sheet-hidden]: The \"Indicators\" sheet is hidden in the workbook."), "{text}");
}
