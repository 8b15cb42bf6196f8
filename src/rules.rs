//! Every rule a return, an SSDA903 extract or a children in need census is
//! checked against, with its id and severity.
//!
//! The ids appear in every message (`[number-not-number]`), in feedback
//! files and in the run record, so an officer or analyst can look a rule up
//! in `docs/rules.md`. A test keeps this list, the code and that page in step.

use crate::diagnostic::Severity;

/// A rule: its id, how serious breaking it is, and what it checks.
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub checks: &'static str,
}

const fn rule(id: &'static str, severity: Severity, checks: &'static str) -> Rule {
    Rule {
        id,
        severity,
        checks,
    }
}

use Severity::{Error, Warning};

/// All rules, in the order a return is checked.
pub const RULES: &[Rule] = &[
    rule("file-unreadable", Error, "The file can be opened and read (not removed, not locked, permitted)."),
    rule("file-empty", Error, "The file is not empty."),
    rule("file-too-large", Error, "The file, unpacked, is of a size a return could be (refuses zip bombs before opening)."),
    rule("file-not-workbook", Error, "The file really is a workbook (not a CSV, web page, PDF or Word document with a workbook's name)."),
    rule("file-protected", Error, "The workbook is not encrypted with a password."),
    rule("file-corrupt", Error, "The workbook opens (not truncated or damaged)."),
    rule("file-unsafe", Error, "The workbook holds no XML document type declarations (entity tricks), which Excel and LibreOffice never write."),
    rule("sheet-unreadable", Error, "Each sheet the contract uses can be read."),
    rule("sheet-too-large", Error, "The Return, Indicators and Actions sheets fit in 10,000 rows and 256 columns."),
    rule("sheet-missing", Error, "The Return sheet exists, and the Indicators sheet if the service returns indicators."),
    rule("sheet-hidden", Warning, "The contract's sheets are not hidden."),
    rule("cover-missing", Error, "The cover has each required label: Service, Period, Prepared by, Submitted."),
    rule("cover-blank", Error, "Each required cover label has a value beside it."),
    rule("service-unknown", Error, "Service is one in the service list (the nearest is suggested)."),
    rule("period-unreadable", Error, "Period is a quarter in an accepted form, within the accepted years."),
    rule("period-folder", Error, "A return in a quarter's folder is for that quarter."),
    rule("email-invalid", Error, "Email, if given, looks like an email address."),
    rule("submitted-unreadable", Error, "Submitted is a date (Excel date, YYYY-MM-DD, or DD/MM/YYYY)."),
    rule("indicators-empty", Error, "The Indicators sheet has content."),
    rule("header-missing", Error, "The Indicators (or Actions) sheet has a header row with the columns the service needs."),
    rule("ref-missing", Error, "A row with figures has a Ref."),
    rule("ref-unknown", Error, "Each Ref is an indicator on the scorecard (the nearest is suggested)."),
    rule("ref-duplicate", Error, "No Ref appears twice."),
    rule("ref-not-for-service", Warning, "The service returns each indicator it lists (others are not used)."),
    rule("ref-not-returned", Warning, "Every indicator the service returns has a row."),
    rule("number-not-number", Error, "Figures are numbers (text such as n/a or 12% is not)."),
    rule("number-error-cell", Error, "Figures are not spreadsheet errors (#DIV/0!, #N/A, Err:502)."),
    rule("number-out-of-range", Error, "Figures are not negative, and counts are whole numbers."),
    rule("figure-missing", Error, "A row with some figures has all its measure needs."),
    rule("no-data-without-commentary", Error, "A row with no figures says why in Commentary."),
    rule("denominator-zero", Error, "A denominator is more than 0."),
    rule("numerator-exceeds-denominator", Error, "For a percentage, Numerator is not more than Denominator."),
    rule("value-disagrees", Error, "Value, when given with Numerator and Denominator, agrees with them within 0.1."),
    rule("action-ref-missing", Error, "Each action names its recommendation."),
    rule("action-ref-unknown", Error, "Each action's Ref is a recommendation in the improvement plan."),
    rule("action-field-missing", Error, "Each action has an Action and a Lead officer."),
    rule("action-due-unreadable", Error, "Each action's Due is a date."),
    rule("action-status-unknown", Error, "Each action's Status is one of the five allowed."),
    rule("resubmission-tie", Error, "Two returns for one service and quarter do not carry the same Submitted."),
    rule("figure-jump", Warning, "A figure has not moved further than usual from the service's previous quarter."),
    rule("denominator-jump", Warning, "A denominator has not changed by more than half since the previous quarter."),
    rule("ssda903-differs", Warning, "A figure for an indicator worked out from the SSDA903 extract agrees, as printed, with the extract's figure."),
    // The SSDA903 extract.
    rule("ssda903-file", Error, "Each file of the extract can be read whole: not empty, at most 200 MB, a CSV list or XML in the EXPSSDA903 layout, in an encoding that can be read, not cut short, every row with its columns, well formed, nested no deeper than 16 elements, with no document type declaration (else the extract is refused)."),
    rule("ssda903-refused", Error, "The extract can be used whole: it has the header and episodes lists, and at most a tenth of its children (left_out_limit in scorecard.toml) are left out for errors, with at least one left to count (else it is refused and its figures come from the returns)."),
    rule("ssda903-encoding", Warning, "A CSV list is UTF-8 (or UTF-16 with a byte-order mark); one that is not is read as Windows-1252."),
    rule("ssda903-separator", Warning, "A CSV list's columns are separated by commas; semicolons or tabs are read, and named."),
    rule("ssda903-no-header-row", Error, "A CSV list starts with its header row (without one, which list it is cannot be told, and the extract is refused)."),
    rule("ssda903-column-twice", Error, "No column is named twice in a list's header row (else the list is not used)."),
    rule("ssda903-list-empty", Error, "A list holds rows, not only its header row (else the figures that need it come from the returns, or the extract is refused for the header or episodes list)."),
    rule("ssda903-quarter", Error, "The extract's quarter can be told from its folder (or the XML's own name)."),
    rule("ssda903-list-unknown", Warning, "Each CSV file is one of the lists the figures use, recognised by its columns (other lists are not read)."),
    rule("ssda903-column-missing", Error, "A list has every column the figures use (else the figures that need it come from the returns, or the extract is refused for the header or episodes list)."),
    rule("ssda903-list-twice", Error, "No list comes in two files (else the extract is refused)."),
    rule("ssda903-date", Error, "DOB, DECOM, DEC, REVIEW and DATE_PLACED are real dd/mm/yyyy dates; DOB and DECOM are not blank (the child is left out)."),
    rule("ssda903-ends-before-start", Error, "No episode ends (DEC) before it begins (DECOM) (the child is left out)."),
    rule("ssda903-overlap", Error, "A child's episodes do not overlap (the child is left out)."),
    rule("ssda903-code", Error, "RNE, LS, PLACE and REC are the Department's codes (the child is left out)."),
    rule("ssda903-no-header", Error, "A child with episodes has a header row (the child is left out)."),
    rule("ssda903-row-unused", Warning, "A row can be used: it names a child with a header row, once, and has the date or DOB it needs."),
    rule("ssda903-oc2-value", Warning, "HEALTH_CHECK and TEETH_CHECK are 1 or 0."),
    rule("ssda903-oc2-missing", Warning, "A child looked after for 12 months or more has an oc2 row (without one, counted as not checked)."),
    rule("ssda903-oc2-not-looked-after", Warning, "A child in oc2 is looked after on the quarter's last day."),
    rule("ssda903-review-outside-care", Warning, "Each review falls within one of the child's periods of care."),
    // The children in need census.
    rule("cin-differs", Warning, "A figure for an indicator worked out from the children in need census agrees, as printed, with the census's figure."),
    rule("cin-file", Error, "The census file can be read whole: not empty, at most 200 MB, XML with a root Message holding Children and Child elements, in an encoding that can be read, not cut short, well formed, nested no deeper than 16 elements, with no document type declaration, with at least one Child (else it is refused)."),
    rule("cin-refused", Error, "The census can be used whole: at most a tenth of its children (left_out_limit in scorecard.toml) are left out for errors, with at least one left to count (else it is refused and its figures come from the returns)."),
    rule("cin-quarter", Error, "The census's quarter can be told from its folder or its file name."),
    rule("cin-child-id", Error, "Each Child has a LAchildID, and no other Child has the same one (the child, or both children, are left out)."),
    rule("cin-date", Error, "CINreferralDate, CINclosureDate, DateOfInitialCPC, AssessmentActualStartDate, AssessmentAuthorisationDate, S47ActualStartDate, CPPstartDate, CPPendDate and CPPreviewDate are real yyyy-mm-dd dates; a referral, start or review date is not blank (the child is left out)."),
    rule("cin-ends-before-start", Error, "No end comes before its start: a referral's closure, an assessment's authorisation, an enquiry's initial conference, a plan's end (the child is left out)."),
    rule("cin-review-outside-plan", Error, "Each review of a child protection plan is after the plan started and not after it ended (the child is left out)."),
    rule("cin-plan-overlap", Error, "A child's child protection plans do not overlap: none starts on or before the end of an earlier one, or after one that never ended (the child is left out)."),
    rule("cin-yes-no", Error, "ReferralNFA and ICPCnotRequired are true, false, 1 or 0 in any case, or blank (the child is left out)."),
    rule("cin-previous-plans", Error, "NumberOfPreviousCPP is a whole number, 0 or more (the child is left out)."),
    rule("cin-code", Warning, "ReferralSource, PrimaryNeedCode, ReasonForClosure, InitialCategoryOfAbuse and LatestCategoryOfAbuse are the Department's codes, or blank (no figure uses them)."),
    rule("cin-conference-not-required", Warning, "A Section47 whose ICPCnotRequired is true has no DateOfInitialCPC (it is not counted as a conference)."),
    rule("cin-previous-plans-zero", Warning, "A plan with NumberOfPreviousCPP 0 is the child's first in the extract (else it counts as a second plan)."),
    rule("cin-referral-while-open", Warning, "A referral is not dated before an earlier referral's episode closed, or while it is still open (both count)."),
    rule("cin-reference-date", Warning, "The header's ReferenceDate is the quarter's last day or the 31 March ending its year."),
    rule("cin-census-year-only", Warning, "The census holds a referral closed before the year to date began (else it looks like the census year alone, and re-referrals may be missed)."),
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rule ids given to `Diagnostic::error` or `::warning` in a source file.
    fn ids_in(source: &str) -> Vec<String> {
        let mut ids = Vec::new();
        for call in [
            "Diagnostic::error(",
            "Diagnostic::warning(",
            "located_error(",
            "located_warning(",
        ] {
            for part in source.split(call).skip(1) {
                let part = part.trim_start();
                if let Some(rest) = part.strip_prefix('"') {
                    if let Some(end) = rest.find('"') {
                        ids.push(rest[..end].to_string());
                    }
                }
            }
        }
        ids
    }

    #[test]
    fn every_rule_used_is_listed_with_its_severity() {
        let sources = [
            include_str!("validate.rs"),
            include_str!("validate/cover.rs"),
            include_str!("validate/indicators.rs"),
            include_str!("validate/actions.rs"),
            include_str!("ssda903/check.rs"),
            include_str!("read.rs"),
            include_str!("read/guard/mod.rs"),
            include_str!("read/guard/zip.rs"),
            include_str!("read/guard/ods.rs"),
            include_str!("read/guard/xls.rs"),
            include_str!("ssda903/mod.rs"),
            include_str!("ssda903/read/mod.rs"),
            include_str!("ssda903/read/csv.rs"),
            include_str!("ssda903/read/xml.rs"),
            include_str!("ssda903/model.rs"),
            include_str!("records/compare.rs"),
            include_str!("records/mod.rs"),
            include_str!("cin/mod.rs"),
            include_str!("cin/read.rs"),
            include_str!("cin/check.rs"),
            include_str!("cin/source.rs"),
        ];
        let used: Vec<String> = sources.iter().flat_map(|s| ids_in(s)).collect();
        assert!(used.len() > 20, "found {used:?}");
        for id in &used {
            assert!(
                find(id).is_some(),
                "rule {id} is used but not listed in RULES"
            );
        }
        // Some ids are chosen before the call, so look for them anywhere.
        for r in RULES {
            let quoted = format!("\"{}\"", r.id);
            assert!(
                sources.iter().any(|s| s.contains(&quoted)),
                "rule {} is listed but never used",
                r.id
            );
        }
    }

    #[test]
    fn every_rule_is_documented() {
        let doc = include_str!("../docs/rules.md");
        for r in RULES {
            assert!(
                doc.contains(&format!("`{}`", r.id)),
                "docs/rules.md lacks {}",
                r.id
            );
        }
    }
}
