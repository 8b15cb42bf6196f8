//! Hand-worked cases pinning each definition of `cin.md` at its edges.
//! Every expected figure is worked out in the comment above it from the
//! contract's words and a calendar, not taken from the program.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::check::{check, quarter_warnings};
use super::indicators::{compute, value, Computed};
use super::model::{Checked, Reason};
use super::read::read_text;
use super::*;
use crate::calendar::{BankHolidays, BANK_HOLIDAYS_FILE};

pub(super) fn holidays() -> BankHolidays {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("templates")
        .join(BANK_HOLIDAYS_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    BankHolidays::parse(&text).unwrap()
}

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A census of these `Child` elements, with a ReferenceDate.
fn census(reference: &str, children: &[String]) -> String {
    format!(
        "<Message><Header><CollectionDetails><Collection>CIN</Collection><ReferenceDate>{reference}</ReferenceDate></CollectionDetails></Header><Children>{}</Children></Message>",
        children.concat()
    )
}

fn child(id: &str, referrals: &[String]) -> String {
    format!(
        "<Child><ChildIdentifiers><LAchildID>{id}</LAchildID></ChildIdentifiers>{}</Child>",
        referrals.concat()
    )
}

/// A referral dated `date`, closed on `closed` ("" for open), holding
/// `inner`.
fn referral(date: &str, closed: &str, inner: &[String]) -> String {
    format!(
        "<CINdetails><CINreferralDate>{date}</CINreferralDate><CINclosureDate>{closed}</CINclosureDate><ReferralNFA>false</ReferralNFA>{}</CINdetails>",
        inner.concat()
    )
}

fn assessment(start: &str, authorised: &str) -> String {
    format!("<Assessments><AssessmentActualStartDate>{start}</AssessmentActualStartDate><AssessmentAuthorisationDate>{authorised}</AssessmentAuthorisationDate></Assessments>")
}

fn enquiry(start: &str, conference: &str, not_required: &str) -> String {
    format!("<Section47><S47ActualStartDate>{start}</S47ActualStartDate><DateOfInitialCPC>{conference}</DateOfInitialCPC><ICPCnotRequired>{not_required}</ICPCnotRequired></Section47>")
}

fn plan(start: &str, end: &str, previous: &str, reviews: &[&str]) -> String {
    let reviews: String = reviews
        .iter()
        .map(|r| format!("<CPPreviewDate>{r}</CPPreviewDate>"))
        .collect();
    format!("<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate><CPPendDate>{end}</CPPendDate><NumberOfPreviousCPP>{previous}</NumberOfPreviousCPP><Reviews>{reviews}</Reviews></ChildProtectionPlans>")
}

/// The census checked and worked out for the quarter ending `end`.
fn work_out(xml: &str, end: &str) -> (Checked, Vec<Computed>) {
    let census = read_text(xml, "cin.xml").unwrap();
    let checked = check(&census);
    let figures = compute(&checked, d(end), &holidays());
    (checked, figures)
}

fn figure<'a>(figures: &'a [Computed], r: &str) -> &'a Computed {
    figures.iter().find(|f| f.reference == r).unwrap()
}

/// (numerator, denominator).
fn nd(figures: &[Computed], r: &str) -> (f64, Option<f64>) {
    let f = figure(figures, r);
    (f.numerator, f.denominator)
}

/// The first detail of each member counted, or not counted.
fn items(figures: &[Computed], r: &str, counted: bool) -> Vec<String> {
    figure(figures, r)
        .members
        .iter()
        .filter(|m| m.counted == counted)
        .map(|m| format!("{} {}", m.child, m.details[0]))
        .collect()
}

#[test]
fn ts2_45_working_days_across_easter_and_the_may_bank_holidays() {
    // E = 30/06/2014, the year to date from 01/04/2014. From Thursday
    // 17 April 2014: 22-25 Apr (Good Friday 18 and Easter Monday 21 are
    // holidays) 4; 28 Apr-2 May 9; 6-9 May (5 May a holiday) 13; 12-16 18;
    // 19-23 23; 27-30 May (26 May a holiday) 27; 2-6 Jun 32; 9-13 37;
    // 16-20 42; 23, 24, 25 Jun 45. So Wednesday 25 June is 45: in time;
    // Thursday 26 is 46, Friday 27 and Saturday 28 are 47: late.
    // From Monday 2 June, Saturday 7 June: 3-6 Jun, 4 working days: in time.
    // An assessment authorised on Monday 31 March 2014 is before the year;
    // one not authorised is not completed.
    let xml = census(
        "2015-03-31",
        &[child(
            "A",
            &[referral(
                "2014-03-01",
                "",
                &[
                    assessment("2014-04-17", "2014-06-25"),
                    assessment("2014-04-17", "2014-06-26"),
                    assessment("2014-04-17", "2014-06-27"),
                    assessment("2014-04-17", "2014-06-28"),
                    assessment("2014-06-02", "2014-06-07"),
                    assessment("2014-03-03", "2014-03-31"),
                    assessment("2014-06-02", ""),
                ],
            )],
        )],
    );
    let (checked, f) = work_out(&xml, "2014-06-30");
    assert!(checked.left_out.is_empty(), "{:?}", checked.left_out);
    assert_eq!(nd(&f, "TS2"), (2.0, Some(5.0)));
    let days: Vec<String> = figure(&f, "TS2")
        .members
        .iter()
        .map(|m| m.details[3].to_string())
        .collect();
    assert_eq!(days, ["45", "46", "47", "47", "4"]);
    assert_eq!(
        items(&f, "TS2", true),
        [
            "A CINdetails 1, Assessments 1",
            "A CINdetails 1, Assessments 5"
        ]
    );
}

#[test]
fn ts3_15_working_days_and_what_is_not_a_conference() {
    // E = 30/06/2014. From Monday 2 June 2014: 3-6 Jun 4, 9-13 9, 16-20 14,
    // Monday 23 June 15: in time; Tuesday 24, 16: late. A conference with
    // ICPCnotRequired true (in any case) is none, and so is a date on the
    // CINdetails alone: 1 of 2.
    let cin_only = "<CINdetails><CINreferralDate>2014-05-01</CINreferralDate><DateOfInitialCPC>2014-05-20</DateOfInitialCPC></CINdetails>".to_string();
    let xml = census(
        "2015-03-31",
        &[child(
            "A",
            &[
                referral(
                    "2014-06-01",
                    "",
                    &[
                        enquiry("2014-06-02", "2014-06-23", "false"),
                        enquiry("2014-06-02", "2014-06-24", "0"),
                        enquiry("2014-06-02", "2014-06-10", "TRUE"),
                        enquiry("2014-06-02", "", ""),
                    ],
                ),
                cin_only,
            ],
        )],
    );
    let (checked, f) = work_out(&xml, "2014-06-30");
    assert!(checked.left_out.is_empty(), "{:?}", checked.left_out);
    assert_eq!(nd(&f, "TS3"), (1.0, Some(2.0)));
    assert_eq!(items(&f, "TS3", true), ["A CINdetails 1, Section47 1"]);
    // The enquiry with no conference needed and a date is a warning.
    let w: Vec<_> = checked
        .warnings
        .iter()
        .filter(|w| w.rule == "cin-conference-not-required")
        .collect();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].element(), Some("Child 1, CINdetails 1, Section47 3"));
}

#[test]
fn ts4_reviews_on_their_due_day_a_day_late_and_at_month_ends() {
    // E = 30/06/2014; E − 3 months = 30/03/2014.
    // ON: from 15/01/2014 the first review is due 15/04/2014; held that
    //     day: in time; the next is due 15/10/2014, after E: counted.
    // LATE: the same, held 16/04/2014: late.
    // AUG: from 31/05/2013 the first is due 31/08/2013, held then; the
    //     next is due 31/08/2013 + 6 months = 28/02/2014 (2014 is no leap
    //     year), held then; the next is due 28/08/2014: counted.
    // MAR: as AUG but the second held 01/03/2014, a day after 28/02: late.
    // NONE: from 30/03/2014 with no review: the first is due 30/06/2014 =
    //     E, not yet overdue: counted.
    // OVERDUE: from 29/03/2014, none held: due 29/06/2014 < E: not.
    // NEW: from 31/03/2014, less than 3 months on E: not in the figure.
    // ENDS: a plan ending on E is not open on E: not in the figure; AFTER,
    //     ending 01/07/2014, was open on E (from 15/01, reviewed 15/04).
    // PAST: a review dated after E is not held yet: from 15/01/2014, held
    //     01/07/2014, the first was due 15/04: late.
    // Denominator 8 (ON LATE AUG MAR NONE OVERDUE AFTER PAST); counted ON
    // AUG NONE AFTER: 4. TS22: the 9 with a plan open on E (NEW as well).
    let c = |id: &str, p: String| child(id, &[referral("2013-05-01", "", &[p])]);
    let xml = census(
        "2014-06-30",
        &[
            c("ON", plan("2014-01-15", "", "0", &["2014-04-15"])),
            c("LATE", plan("2014-01-15", "", "0", &["2014-04-16"])),
            c(
                "AUG",
                plan("2013-05-31", "", "0", &["2014-02-28", "2013-08-31"]),
            ),
            c(
                "MAR",
                plan("2013-05-31", "", "0", &["2013-08-31", "2014-03-01"]),
            ),
            c("NONE", plan("2014-03-30", "", "0", &[])),
            c("OVERDUE", plan("2014-03-29", "", "0", &[])),
            c("NEW", plan("2014-03-31", "", "0", &[])),
            c(
                "ENDS",
                plan("2014-01-15", "2014-06-30", "0", &["2014-04-15"]),
            ),
            c(
                "AFTER",
                plan("2014-01-15", "2014-07-01", "0", &["2014-04-15"]),
            ),
            c("PAST", plan("2014-01-15", "", "0", &["2014-07-01"])),
        ],
    );
    let (checked, f) = work_out(&xml, "2014-06-30");
    assert!(checked.left_out.is_empty(), "{:?}", checked.left_out);
    assert_eq!(nd(&f, "TS4"), (4.0, Some(8.0)));
    let counted: Vec<String> = items(&f, "TS4", true)
        .iter()
        .map(|s| s.split(' ').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(counted, ["ON", "AUG", "NONE", "AFTER"]);
    assert_eq!(nd(&f, "TS22"), (9.0, None));
    // 9 children per 10,000 of 57,000: 1.578…
    let rate = value(figure(&f, "TS22"), 57_000.0).unwrap();
    assert!((rate - 9.0 * 10_000.0 / 57_000.0).abs() < 1e-9);
    let aug = figure(&f, "TS4")
        .members
        .iter()
        .find(|m| &*m.child == "AUG")
        .unwrap();
    assert_eq!(aug.details[3].to_string(), "28/08/2014");
}

#[test]
fn ts4_31_august_plus_6_months_in_a_leap_year() {
    // E = 31/03/2016. From 31/05/2015 the first review is due 31/08/2015;
    // the next 6 months on, 29/02/2016 (2016 is a leap year): held then,
    // in time; the next due 29/08/2016: counted. Held 01/03/2016: late.
    let c = |id: &str, second: &str| {
        child(
            id,
            &[referral(
                "2015-05-01",
                "",
                &[plan("2015-05-31", "", "0", &["2015-08-31", second])],
            )],
        )
    };
    let xml = census(
        "2016-03-31",
        &[c("LEAP", "2016-02-29"), c("LATE", "2016-03-01")],
    );
    let (_, f) = work_out(&xml, "2016-03-31");
    assert_eq!(nd(&f, "TS4"), (1.0, Some(2.0)));
    assert_eq!(
        items(&f, "TS4", true),
        ["LEAP CINdetails 1, ChildProtectionPlans 1"]
    );
}

#[test]
fn ts5_ts6_plans_at_the_years_edges_and_two_years_from_29_february() {
    // E = 31/03/2014 (2013-14 Q4); the year to date from 01/04/2013.
    // TS5, plans ending in the year to date:
    //   LEAP from 29/02/2012 to 28/02/2014: 29/02/2012 + 24 months =
    //   28/02/2014, so two years: counted. SHORT ends 27/02/2014: not.
    //   BEFORE ends 31/03/2013, the day before the year: not in it.
    //   FIRST ends 01/04/2013: in, 2 months long: not counted.
    // TS6, plans starting in the year to date:
    //   DAYBEFORE starts 31/03/2013: not in it. SECOND's second plan starts
    //   01/04/2013 after one in the extract (NumberOfPreviousCPP 0, a
    //   warning): counted. ELSEWHERE starts 02/04/2013, its first in the
    //   extract, NumberOfPreviousCPP 1: counted. FRESH starts 10/04/2013,
    //   0 and no earlier plan: not. LATER starts 01/04/2014, after E.
    let c = |id: &str, plans: &[String]| child(id, &[referral("2012-01-01", "", plans)]);
    let xml = census(
        "2014-03-31",
        &[
            c("LEAP", &[plan("2012-02-29", "2014-02-28", "0", &[])]),
            c("SHORT", &[plan("2012-02-29", "2014-02-27", "0", &[])]),
            c("BEFORE", &[plan("2013-01-31", "2013-03-31", "0", &[])]),
            c("FIRST", &[plan("2013-02-01", "2013-04-01", "0", &[])]),
            c("DAYBEFORE", &[plan("2013-03-31", "", "0", &[])]),
            c(
                "SECOND",
                &[
                    plan("2012-06-01", "2012-12-01", "0", &[]),
                    plan("2013-04-01", "", "0", &[]),
                ],
            ),
            c("ELSEWHERE", &[plan("2013-04-02", "", "1", &[])]),
            c("FRESH", &[plan("2013-04-10", "", "0", &[])]),
            c("LATER", &[plan("2014-04-01", "", "0", &[])]),
        ],
    );
    let (checked, f) = work_out(&xml, "2014-03-31");
    assert!(checked.left_out.is_empty(), "{:?}", checked.left_out);
    assert_eq!(nd(&f, "TS5"), (1.0, Some(3.0)));
    assert_eq!(
        items(&f, "TS5", true),
        ["LEAP CINdetails 1, ChildProtectionPlans 1"]
    );
    assert_eq!(nd(&f, "TS6"), (2.0, Some(3.0)));
    assert_eq!(
        items(&f, "TS6", false),
        ["FRESH CINdetails 1, ChildProtectionPlans 1"]
    );
    let zero: Vec<_> = checked
        .warnings
        .iter()
        .filter(|w| w.rule == "cin-previous-plans-zero")
        .collect();
    assert_eq!(zero.len(), 1);
    assert_eq!(zero[0].child(), Some("SECOND"));
    assert_eq!(zero[0].column(), Some("NumberOfPreviousCPP"));
}

#[test]
fn ts23_re_referrals_exactly_12_months_on_and_from_29_february() {
    // E = 31/03/2016 (2015-16 Q4); the year to date from 01/04/2015.
    // YEAR: 15/05/2015 after 15/05/2014, exactly 12 months: counted.
    // OVER: 15/05/2015 after 14/05/2014, a day more: not.
    // LEAP: 29/02/2016 − 12 months = 28/02/2015; after 28/02/2015: counted.
    // LEAPLATE: 29/02/2016 after 27/02/2015: not.
    // SAME: two referrals on 01/06/2015, neither before the other: 0 of 2.
    // OLD: 01/03/2015 is before the year, not in the figure; its later
    //   referral of 01/05/2015 is counted.
    // TS23 = 3 (YEAR, LEAP, OLD) of 7 in the year to date (one each for
    // YEAR, OVER, LEAP, LEAPLATE and OLD, two for SAME).
    let r = |date: &str, closed: &str| referral(date, closed, &[]);
    let xml = census(
        "2016-03-31",
        &[
            child(
                "YEAR",
                &[r("2014-05-15", "2014-06-01"), r("2015-05-15", "")],
            ),
            child(
                "OVER",
                &[r("2014-05-14", "2014-06-01"), r("2015-05-15", "")],
            ),
            child(
                "LEAP",
                &[r("2015-02-28", "2015-03-01"), r("2016-02-29", "")],
            ),
            child(
                "LEAPLATE",
                &[r("2015-02-27", "2015-03-01"), r("2016-02-29", "")],
            ),
            child(
                "SAME",
                &[r("2015-06-01", "2015-06-01"), r("2015-06-01", "2015-06-02")],
            ),
            child("OLD", &[r("2015-03-01", "2015-03-02"), r("2015-05-01", "")]),
        ],
    );
    let (checked, f) = work_out(&xml, "2016-03-31");
    assert!(checked.left_out.is_empty(), "{:?}", checked.left_out);
    assert_eq!(nd(&f, "TS23"), (3.0, Some(7.0)));
    let mut counted: Vec<String> = items(&f, "TS23", true);
    counted.sort();
    assert_eq!(
        counted,
        ["LEAP CINdetails 2", "OLD CINdetails 2", "YEAR CINdetails 2"]
    );
    assert!(checked
        .warnings
        .iter()
        .all(|w| w.rule != "cin-referral-while-open"));
}

#[test]
fn each_problem_leaves_its_child_out_located_and_unquoted() {
    let r = |date: &str, inner: &[String]| referral(date, "", inner);
    let children = [
        child("OK", &[r("2014-05-01", &[])]),
        child("", &[r("2014-05-01", &[])]),
        child("TWIN", &[r("2014-05-01", &[])]),
        child("TWIN", &[r("2014-05-02", &[])]),
        child("NODATE", &[r("", &[])]),
        child("BADDATE", &[r("2014-02-30", &[])]),
        child("SLASHES", &[r("01/05/2014", &[])]),
        child("CLOSED", &[referral("2014-05-01", "2014-04-30", &[])]),
        child("AUTH", &[r("2014-05-01", &[assessment("2014-05-02", "2014-05-01")])]),
        child("NOSTART", &[r("2014-05-01", &[assessment("", "2014-05-01")])]),
        child("CPC", &[r("2014-05-01", &[enquiry("2014-05-02", "2014-05-01", "false")])]),
        child("ENDS", &[r("2014-05-01", &[plan("2014-05-02", "2014-05-01", "0", &[])])]),
        child("REVIEWSTART", &[r("2014-05-01", &[plan("2014-05-02", "", "0", &["2014-05-02"])])]),
        child("REVIEWEND", &[r("2014-05-01", &[plan("2014-05-02", "2014-06-01", "0", &["2014-06-02"])])]),
        child("REVIEWBLANK", &[r("2014-05-01", &[plan("2014-05-02", "", "0", &[""])])]),
        child(
            "OVERLAP",
            &[r("2014-05-01", &[plan("2014-05-02", "2014-06-01", "0", &[]), plan("2014-06-01", "", "1", &[])])],
        ),
        child(
            "NEVERENDED",
            &[r("2014-05-01", &[plan("2014-05-02", "", "0", &[])]), r("2014-07-01", &[plan("2014-07-02", "", "1", &[])])],
        ),
        child("NFA", &["<CINdetails><CINreferralDate>2014-05-01</CINreferralDate><ReferralNFA>yes</ReferralNFA></CINdetails>".into()]),
        child("ICPC", &[r("2014-05-01", &[enquiry("2014-05-02", "", "Y")])]),
        child("PREVBLANK", &[r("2014-05-01", &[plan("2014-05-02", "", "", &[])])]),
        child("PREVHALF", &[r("2014-05-01", &[plan("2014-05-02", "", "1.5", &[])])]),
    ];
    let (checked, f) = work_out(&census("2014-09-30", &children), "2014-09-30");
    let reasons = |ordinal: u32| -> Vec<Reason> {
        checked
            .left_out
            .iter()
            .find(|l| l.ordinal == ordinal)
            .map(|l| l.reasons.clone())
            .unwrap_or_default()
    };
    use Reason::*;
    let expected: [(u32, Reason); 20] = [
        (2, Id),
        (3, Id),
        (4, Id),
        (5, BadDate),
        (6, BadDate),
        (7, BadDate),
        (8, EndsBeforeStart),
        (9, EndsBeforeStart),
        (10, BadDate),
        (11, EndsBeforeStart),
        (12, EndsBeforeStart),
        (13, ReviewOutsidePlan),
        (14, ReviewOutsidePlan),
        (15, BadDate),
        (16, Overlap),
        (17, Overlap),
        (18, BadValue),
        (19, BadValue),
        (20, BadValue),
        (21, BadValue),
    ];
    for (ordinal, reason) in expected {
        assert_eq!(reasons(ordinal), [reason], "Child {ordinal}");
    }
    assert_eq!(checked.left_out.len(), 20);
    assert_eq!(checked.children.len(), 1);
    assert_eq!(checked.children_in_extract, 21);
    // Only OK is in any figure: one referral in the year to date.
    assert_eq!(nd(&f, "TS23"), (0.0, Some(1.0)));
    let problems: Vec<&crate::diagnostic::Diagnostic> =
        checked.left_out.iter().flat_map(|l| &l.problems).collect();
    for p in &problems {
        assert_eq!(p.file_name(), "cin.xml");
        assert!(p.line().is_some() && p.element().is_some(), "{p}");
        for id in ["TWIN", "BADDATE", "2014-02-30", "01/05/2014", "yes", "1.5"] {
            assert!(!p.message.contains(id), "{p}");
        }
    }
    let at = |rule: &str, ordinal: u32| -> Vec<String> {
        checked
            .left_out
            .iter()
            .filter(|l| l.ordinal == ordinal)
            .flat_map(|l| &l.problems)
            .filter(|p| p.rule == rule)
            .map(|p| format!("{} {}", p.element().unwrap_or(""), p.column().unwrap_or("")))
            .collect()
    };
    assert_eq!(at("cin-child-id", 3), ["Child 3 LAchildID"]);
    assert_eq!(at("cin-date", 6), ["Child 6, CINdetails 1 CINreferralDate"]);
    assert_eq!(
        at("cin-ends-before-start", 9),
        ["Child 9, CINdetails 1, Assessments 1 AssessmentAuthorisationDate"]
    );
    assert_eq!(
        at("cin-plan-overlap", 16),
        ["Child 16, CINdetails 1, ChildProtectionPlans 2 CPPstartDate"]
    );
    assert_eq!(
        at("cin-plan-overlap", 17),
        ["Child 17, CINdetails 2, ChildProtectionPlans 1 CPPstartDate"]
    );
    assert_eq!(
        at("cin-yes-no", 19),
        ["Child 19, CINdetails 1, Section47 1 ICPCnotRequired"]
    );
    assert_eq!(
        at("cin-previous-plans", 21),
        ["Child 21, CINdetails 1, ChildProtectionPlans 1 NumberOfPreviousCPP"]
    );
    // The values stay beside the message, for the restricted feedback.
    let bad = problems
        .iter()
        .find(|p| p.rule == "cin-date" && p.child() == Some("BADDATE"))
        .unwrap();
    assert_eq!(bad.value(), Some("2014-02-30"));
}

#[test]
fn problems_name_the_line_the_file_has_them_on() {
    let xml = "<Message>\n<Children>\n<Child>\n<ChildIdentifiers>\n<LAchildID>A</LAchildID>\n</ChildIdentifiers>\n<CINdetails>\n<CINreferralDate>2014-13-01</CINreferralDate>\n</CINdetails>\n</Child>\n<Child>\n</Child>\n</Children>\n</Message>\n";
    let (checked, _) = work_out(xml, "2014-09-30");
    let locations: Vec<String> = checked
        .left_out
        .iter()
        .flat_map(|l| &l.problems)
        .map(|p| p.location())
        .collect();
    assert_eq!(
        locations,
        [
            "cin.xml, line 8, Child 1, CINdetails 1, CINreferralDate",
            "cin.xml, line 11, Child 2, LAchildID",
        ]
    );
}

#[test]
fn each_warning_is_given_and_the_child_still_counts() {
    // E = 30/09/2014, the year to date from 01/04/2014.
    let codes = "<CINdetails><CINreferralDate>2014-05-01</CINreferralDate><ReferralSource>11</ReferralSource><PrimaryNeedCode>N10</PrimaryNeedCode><CINclosureDate>2014-05-02</CINclosureDate><ReasonForClosure>RC0</ReasonForClosure><ReferralNFA>1</ReferralNFA><ChildProtectionPlans><CPPstartDate>2014-05-01</CPPstartDate><CPPendDate>2014-05-02</CPPendDate><InitialCategoryOfAbuse>XYZ</InitialCategoryOfAbuse><LatestCategoryOfAbuse>phy</LatestCategoryOfAbuse><NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans></CINdetails>";
    let children = [
        child("CODES", &[codes.to_string()]),
        // 01/06/2014 before the referral of 01/05/2014 closed on 01/07.
        child(
            "CLOSING",
            &[
                referral("2014-05-01", "2014-07-01", &[]),
                referral("2014-06-01", "2014-06-02", &[]),
            ],
        ),
        // 01/08/2014 while the referral of 01/05/2014 is still open.
        child(
            "OPEN",
            &[
                referral("2014-05-01", "", &[]),
                referral("2014-08-01", "", &[]),
            ],
        ),
        // The day the earlier one closed: no warning.
        child(
            "AFTER",
            &[
                referral("2014-05-01", "2014-06-01", &[]),
                referral("2014-06-01", "", &[]),
            ],
        ),
    ];
    let xml = census("2014-08-15", &children);
    let census = read_text(&xml, "cin.xml").unwrap();
    let checked = check(&census);
    assert!(checked.left_out.is_empty(), "{:?}", checked.left_out);
    let rules = |id: &str| -> Vec<&str> {
        checked
            .warnings
            .iter()
            .filter(|w| w.child() == Some(id))
            .map(|w| w.column().unwrap_or(""))
            .collect()
    };
    assert_eq!(
        rules("CODES"),
        [
            "ReferralSource",
            "PrimaryNeedCode",
            "ReasonForClosure",
            "InitialCategoryOfAbuse",
            "LatestCategoryOfAbuse"
        ]
    );
    assert!(checked
        .warnings
        .iter()
        .filter(|w| w.child() == Some("CODES"))
        .all(|w| w.rule == "cin-code"));
    assert_eq!(rules("CLOSING"), ["CINreferralDate"]);
    assert_eq!(rules("OPEN"), ["CINreferralDate"]);
    assert!(rules("AFTER").is_empty());
    for w in &checked.warnings {
        assert!(!w.is_error());
        assert!(w.line().is_some(), "{w}");
        for value in ["11", "N10", "RC0", "XYZ", "phy", "CODES", "OPEN"] {
            assert!(!w.message.contains(value), "{w}");
        }
    }
    let e = d("2014-09-30");
    let quarter = quarter_warnings(&census, &checked, e);
    let rule_ids: Vec<&str> = quarter.iter().map(|w| w.rule).collect();
    // A ReferenceDate of 15/08/2014 fits neither 30/09/2014 nor 31/03/2015;
    // no referral closed before 01/04/2014.
    assert_eq!(rule_ids, ["cin-reference-date", "cin-census-year-only"]);
    assert_eq!(quarter[0].value(), Some("2014-08-15"));
    assert!(!quarter[0].message.contains("2014-08-15"));
    // The year's 31 March, or E itself, fit; a referral closed on
    // 31/03/2014 is before the year to date.
    for reference in ["2015-03-31", "2014-09-30"] {
        let mut with = children.to_vec();
        with.push(child("OLDER", &[referral("2014-01-01", "2014-03-31", &[])]));
        let census = read_text(&census_for(reference, &with), "cin.xml").unwrap();
        let checked = check(&census);
        assert!(
            quarter_warnings(&census, &checked, e).is_empty(),
            "{reference}"
        );
    }
}

fn census_for(reference: &str, children: &[String]) -> String {
    census(reference, children)
}

/// A census file in a temporary folder, loaded for 2014-15 Q2 with the
/// shipped share of children that may be left out.
fn load_file(xml: &str) -> Extract {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cin.xml");
    std::fs::write(&path, xml).unwrap();
    let period = Period::parse("2014-15-Q2").ok();
    load(&path, "cin.xml", period, &holidays(), Rules::default())
}

#[test]
fn more_than_a_tenth_left_out_refuses_the_census() {
    let ten: Vec<String> = (0..10)
        .map(|i| child(&format!("C{i}"), &[referral("2014-05-01", "", &[])]))
        .collect();
    // One of ten with a date that is not a date: a tenth, used.
    let mut one = ten.clone();
    one[0] = child("C0", &[referral("2014-05-32", "", &[])]);
    let e = load_file(&census("2015-03-31", &one));
    assert_eq!(e.status, Status::Used);
    assert_eq!(nd(&e.figures, "TS23"), (0.0, Some(9.0)));
    assert_eq!(e.left_out_by_reason(), [(Reason::BadDate, 1)]);
    // Two of ten: refused, no figure at all.
    let mut two = one.clone();
    two[1] = child("", &[referral("2014-05-01", "", &[])]);
    let e = load_file(&census("2015-03-31", &two));
    let Status::Refused { because } = &e.status else {
        panic!("{:?}", e.status)
    };
    assert!(
        because.starts_with("2 of its 10 children have errors, more than the tenth"),
        "{because}"
    );
    assert!(e.figure("TS23").is_none());
    assert!(e.problems.iter().any(|p| p.rule == "cin-refused"));
    // None left: refused.
    let e = load_file(&census("2015-03-31", &one[..1]));
    assert!(
        matches!(&e.status, Status::Refused { because } if because.contains("no child is left"))
    );
}

#[test]
fn a_census_that_cannot_be_read_whole_or_has_no_quarter_is_refused() {
    let whole = census(
        "2015-03-31",
        &[child("A", &[referral("2014-05-01", "", &[])])],
    );
    let e = load_file(&whole[..whole.len() - 12]);
    assert!(matches!(&e.status, Status::Refused { because } if because == "cin.xml was cut short"));
    let e = load_file("<Message><Children></Children></Message>");
    assert!(
        matches!(&e.status, Status::Refused { because } if because == "cin.xml holds no Child element")
    );
    let e = load_file("<EXPSSDA903/>");
    assert_eq!(e.status, Status::NotACensus);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cin.xml");
    std::fs::write(&path, &whole).unwrap();
    let e = load(&path, "cin.xml", None, &holidays(), Rules::default());
    assert!(matches!(&e.status, Status::Refused { because } if because.contains("quarter")));
    assert!(e.problems.iter().any(|p| p.rule == "cin-quarter"));
    // Whole, and for a quarter: used, with its quarter's warnings.
    let e = load_file(&whole);
    assert_eq!(e.status, Status::Used);
    assert_eq!(e.figures.len(), 7);
    assert!(e
        .all_problems()
        .iter()
        .any(|p| p.rule == "cin-census-year-only"));
}

#[test]
fn a_figure_with_no_denominator_has_no_value() {
    let xml = census(
        "2015-03-31",
        &[child("A", &[referral("2012-05-01", "2012-06-01", &[])])],
    );
    let (_, f) = work_out(&xml, "2014-09-30");
    for r in ["TS2", "TS3", "TS4", "TS5", "TS6", "TS23"] {
        assert_eq!(nd(&f, r), (0.0, Some(0.0)), "{r}");
        assert_eq!(value(figure(&f, r), 57_000.0), None, "{r}");
    }
    assert_eq!(value(figure(&f, "TS22"), 57_000.0), Some(0.0));
}
