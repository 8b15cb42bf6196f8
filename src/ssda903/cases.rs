//! Hand-worked cases pinning each definition of `ssda903.md` at its edges.
//! Every expected figure is worked out in the comment above it from the
//! contract's words, not taken from the program.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::indicators::age_on;
use super::model::Reason;
use super::*;
use crate::calendar::{BankHolidays, BANK_HOLIDAYS_FILE};
use crate::records::figure::{Computed, Member};
use crate::records::summary::ExtractSummary;
use crate::records::ExtractStatus;

fn holidays() -> BankHolidays {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("templates")
        .join(BANK_HOLIDAYS_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    BankHolidays::parse(&text).unwrap()
}

/// An extract in a folder named after `quarter`, from CSV texts.
fn extract(quarter: &str, lists: &[(&str, &str)]) -> Extract {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join(quarter);
    std::fs::create_dir_all(&folder).unwrap();
    let mut files = Vec::new();
    for (name, text) in lists {
        let path = folder.join(name);
        std::fs::write(&path, text).unwrap();
        files.push((path, format!("{quarter}/{name}")));
    }
    let sources = find::by_folder(Source::Ssda903, dir.path(), &files);
    assert_eq!(sources.len(), 1);
    // These cases pin definitions, so no share of children left out
    // refuses them; refusal has its own cases below.
    load(
        &sources[0],
        &holidays(),
        Rules {
            left_out_limit: 1.0,
        },
    )
}

fn figure<'a>(e: &'a Extract, r: &str) -> &'a Computed {
    e.figure(r).unwrap_or_else(|| panic!("no {r}"))
}

/// (numerator, denominator) of a figure.
fn nd(e: &Extract, r: &str) -> (f64, Option<f64>) {
    let f = figure(e, r);
    (f.numerator, f.denominator)
}

fn counted(e: &Extract, r: &str) -> Vec<String> {
    let mut v: Vec<String> = figure(e, r)
        .members
        .iter()
        .filter(|m| m.counted)
        .map(|m| m.child.to_string())
        .collect();
    v.sort();
    v
}

fn members(e: &Extract, r: &str) -> Vec<String> {
    let mut v: Vec<String> = figure(e, r)
        .members
        .iter()
        .map(|m| m.child.to_string())
        .collect();
    v.sort();
    v
}

const EPISODES: &str = "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n";

fn header(rows: &[(&str, &str)]) -> String {
    let mut s = String::from("CHILD,SEX,DOB\n");
    for (c, dob) in rows {
        s.push_str(&format!("{c},1,{dob}\n"));
    }
    s
}

#[test]
fn ts8_counts_the_placement_held_on_the_years_first_day_and_never_short_breaks() {
    // E = 30/09/2014; the year runs 01/10/2013 to 30/09/2014.
    let episodes = format!(
        "{EPISODES}\
A,30/09/2013,S,C2,U1,01/02/2014,X1\n\
A,01/02/2014,P,C2,U2,01/06/2014,X1\n\
A,01/06/2014,P,C2,U3,,\n\
B,01/10/2013,S,C2,U1,01/02/2014,X1\n\
B,01/02/2014,P,C2,U2,01/06/2014,X1\n\
B,01/06/2014,P,C2,U3,,\n\
C,30/09/2012,S,C2,U1,01/02/2014,X1\n\
C,01/02/2014,B,C2,U2,01/06/2014,X1\n\
C,01/06/2014,L,C1,U2,,\n\
D,01/05/2014,S,V3,U1,,\n\
E,01/01/2014,S,C2,U1,01/03/2014,X1\n\
E,01/03/2014,P,V3,U2,01/04/2014,X1\n\
E,01/04/2014,P,C2,U3,,\n"
    );
    let hdr = header(&[
        ("A", "01/01/2005"),
        ("B", "01/01/2005"),
        ("C", "01/01/2005"),
        ("D", "01/01/2005"),
        ("E", "01/01/2005"),
    ]);
    let e = extract(
        "2014-15-Q2",
        &[("header.csv", &hdr), ("episodes.csv", &episodes)],
    );
    // Looked after on E: A, B, C, E (D's only episode is a short break, V3).
    // A: began 30/09/2013, the day before the year, open on 01/10/2013: 1;
    //    new placements P 01/02/2014 and P 01/06/2014: 2. Total 3, counted.
    // B: began on the year's first day, so not already held: S 01/10/2013,
    //    P 01/02/2014, P 01/06/2014 are new: 3, counted.
    // C: held on the first day: 1; B 01/02/2014: 1; L keeps the placement:
    //    total 2, not counted.
    // E: S 01/01/2014: 1; the short break is no placement; P 01/04/2014: 1.
    //    Total 2, not counted.
    // TS8 = 2 of 4.
    assert_eq!(nd(&e, "TS8"), (2.0, Some(4.0)));
    assert_eq!(counted(&e, "TS8"), ["A", "B"]);
    // TS21: the four looked after on E.
    assert_eq!(nd(&e, "TS21"), (4.0, None));
    assert!(e.left_out.is_empty(), "{:?}", e.left_out);
}

#[test]
fn ts9_long_term_placements_with_adoption_and_legal_status_changes() {
    // E = 30/09/2014. E − 30 months = 30/03/2012; E − 2 years = 30/09/2012.
    let episodes = format!(
        "{EPISODES}\
P1,30/03/2012,S,C2,U1,,\n\
P2,31/03/2012,S,C2,U1,,\n\
P3,01/01/2011,S,C2,U1,01/10/2012,X1\n\
P3,01/10/2012,P,C2,U2,,\n\
P4,01/01/2011,S,C2,U1,01/06/2014,X1\n\
P4,01/06/2014,P,E1,A4,,\n\
P5,01/01/2011,S,E1,A4,,\n\
P7,01/01/2011,S,C2,U1,01/01/2012,X1\n\
P7,01/01/2012,L,C1,U1,,\n\
OLD,01/01/2011,S,C2,U1,,\n"
    );
    let hdr = header(&[
        ("P1", "01/01/2004"),
        ("P2", "01/01/2004"),
        ("P3", "01/01/2004"),
        ("P4", "01/01/2004"),
        ("P5", "01/01/2004"),
        ("P7", "01/01/2004"),
        ("OLD", "30/09/1998"),
    ]);
    let e = extract(
        "2014-15-Q2",
        &[("header.csv", &hdr), ("episodes.csv", &episodes)],
    );
    // Denominator (under 16, period of care began on or before 30/03/2012):
    // P1 (began exactly 30/03/2012), P3, P4, P5, P7. P2 began a day too late;
    // OLD turned 16 on 30/09/2014, E itself.
    // P1: placement 30/03/2012 ≤ 30/09/2012: counted.
    // P3: last new placement P 01/10/2012, a day after 30/09/2012: not.
    // P4: last new placement is for adoption (A4), so the one before it,
    //     01/01/2011: counted.
    // P5: its only new placement is for adoption, with none before it:
    //     01/01/2011: counted.
    // P7: L keeps the placement begun 01/01/2011: counted.
    // TS9 = 4 of 5.
    assert_eq!(members(&e, "TS9"), ["P1", "P3", "P4", "P5", "P7"]);
    assert_eq!(nd(&e, "TS9"), (4.0, Some(5.0)));
}

#[test]
fn a_29_february_birthday_turns_a_year_older_on_1_march() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    assert_eq!(age_on(d(1998, 2, 28), d(2014, 2, 28)), 16);
    assert_eq!(age_on(d(2000, 2, 29), d(2014, 2, 28)), 13);
    assert_eq!(age_on(d(2000, 2, 29), d(2014, 3, 1)), 14);
    assert_eq!(age_on(d(2000, 2, 29), d(2016, 2, 29)), 16);
    // Through TS9, E = 31/03/2014 (E − 30 months = 30/09/2011): LEAP, born
    // 29/02/1998, turned 16 on 01/03/2014 and is out; APRIL, born
    // 01/04/1998, is 15 and is in. Both placed since 01/01/2010: 1 of 1.
    let episodes = format!("{EPISODES}LEAP,01/01/2010,S,C2,U1,,\nAPRIL,01/01/2010,S,C2,U1,,\n");
    let hdr = header(&[("LEAP", "29/02/1998"), ("APRIL", "01/04/1998")]);
    let e = extract(
        "2013-14-Q4",
        &[("header.csv", &hdr), ("episodes.csv", &episodes)],
    );
    assert_eq!(members(&e, "TS9"), ["APRIL"]);
    assert_eq!(nd(&e, "TS9"), (1.0, Some(1.0)));
}

#[test]
fn ts13_ts14_twelve_months_and_a_gap_that_starts_a_new_period_of_care() {
    // E = 30/09/2014; E − 12 months = 30/09/2013.
    let episodes = format!(
        "{EPISODES}\
H1,30/09/2013,S,C2,U1,,\n\
H2,01/10/2013,S,C2,U1,,\n\
H3,01/06/2013,S,C2,U1,01/11/2013,X1\n\
H3,01/11/2013,P,C2,U2,,\n\
H4,01/06/2013,S,C2,U1,01/11/2013,E13\n\
H4,02/11/2013,S,C2,U2,,\n\
H5,01/01/2012,S,C2,U1,,\n"
    );
    let hdr = header(&[
        ("H1", "01/01/2005"),
        ("H2", "01/01/2005"),
        ("H3", "01/01/2005"),
        ("H4", "01/01/2005"),
        ("H5", "01/01/2005"),
    ]);
    let oc2 = "CHILD,DOB,HEALTH_CHECK,TEETH_CHECK\nH1,01/01/2005,1,0\nH2,01/01/2005,1,1\nH3,01/01/2005,1,1\nH4,01/01/2005,1,1\n";
    let e = extract(
        "2014-15-Q2",
        &[
            ("header.csv", &hdr),
            ("episodes.csv", &episodes),
            ("oc2.csv", oc2),
        ],
    );
    // Denominator: H1 (began 30/09/2013, exactly 12 months), H3 (one period
    // since 01/06/2013: the second episode began the day the first ended),
    // H5. Not H2 (a day short), nor H4 (the day's gap after 01/11/2013
    // starts a new period on 02/11/2013).
    // TS13: H1 and H3 have HEALTH_CHECK 1; H5 has no oc2 row: 2 of 3.
    // TS14: only H3 has TEETH_CHECK 1: 1 of 3.
    assert_eq!(members(&e, "TS13"), ["H1", "H3", "H5"]);
    assert_eq!(nd(&e, "TS13"), (2.0, Some(3.0)));
    assert_eq!(nd(&e, "TS14"), (1.0, Some(3.0)));
    // H5 with no oc2 row is listed as a warning.
    let missing: Vec<_> = e
        .figure_warnings
        .iter()
        .filter(|w| w.rule == "ssda903-oc2-missing")
        .collect();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].child(), Some("H5"));
    assert!(!missing[0].message.contains("H5"));
}

#[test]
fn ts10_ts11_care_leavers_aged_19_to_21() {
    // E = 30/09/2014.
    let oc3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n\
L1,30/09/1995,YES,F1,B1\n\
L2,01/10/1995,YES,F1,B1\n\
L3,01/10/1992,YES,G4,B2\n\
L4,30/09/1992,YES,F1,B1\n\
L5,,YES,F1,B1\n\
L7,15/05/1994,YES,0,0\n";
    // Every figure needs the header and episodes lists: one child in care.
    let hdr = header(&[("A", "01/01/2005")]);
    let episodes = format!("{EPISODES}A,01/01/2014,S,C2,U1,,\n");
    let e = extract(
        "2014-15-Q2",
        &[
            ("header.csv", &hdr),
            ("episodes.csv", &episodes),
            ("oc3.csv", oc3),
        ],
    );
    // L1 turned 19 on E: in. L2 is 18: out. L3 is 21 until 01/10/2014: in.
    // L4 turned 22 on E: out. L5 has no DOB: warning, out. L7 is 20: in.
    // TS10: F1 is education or training, G4 and 0 are not: 1 of 3.
    // TS11: B1 ends in 1, B2 and 0 do not: 1 of 3.
    assert_eq!(members(&e, "TS10"), ["L1", "L3", "L7"]);
    assert_eq!(nd(&e, "TS10"), (1.0, Some(3.0)));
    assert_eq!(nd(&e, "TS11"), (1.0, Some(3.0)));
    assert_eq!(counted(&e, "TS11"), ["L1"]);
    assert!(e
        .warnings
        .iter()
        .any(|w| w.rule == "ssda903-row-unused" && w.row() == Some(6)));
}

#[test]
fn ts15_ts16_adoptions_with_and_without_a_placed_for_adoption_date() {
    // E = 30/09/2014; the financial year to date began 01/04/2014.
    let episodes = format!(
        "{EPISODES}\
A1,10/01/2012,S,C2,U1,15/03/2013,X1\n\
A1,15/03/2013,P,E1,A4,20/06/2014,E11\n\
A2,05/05/2013,S,C2,U1,01/08/2013,X1\n\
A2,01/08/2013,P,C2,A5,02/09/2014,E12\n\
A3,01/01/2012,S,C2,A4,20/03/2014,E11\n\
A4,01/01/2014,S,C2,U1,01/07/2014,E11\n"
    );
    let hdr = header(&[
        ("A1", "01/01/2010"),
        ("A2", "01/01/2010"),
        ("A3", "01/01/2010"),
        ("A4", "01/01/2010"),
    ]);
    let placed = "CHILD,DOB,DATE_PLACED\nA1,01/01/2010,01/01/2011\nA1,01/01/2010,01/03/2013\n";
    let e = extract(
        "2014-15-Q2",
        &[
            ("header.csv", &hdr),
            ("episodes.csv", &episodes),
            ("placed.csv", placed),
        ],
    );
    // TS15: A1 (20/06/2014), A2 (02/09/2014), A4 (01/07/2014) were adopted
    // in the year to date; A3 (20/03/2014) the year before. 3.
    assert_eq!(nd(&e, "TS15"), (3.0, None));
    // TS16: A1 entered care 10/01/2012 and was placed with adopters on
    // 01/03/2013, the latest DATE_PLACED on or before the adoption: 366 days
    // to 10/01/2013 (2012 is a leap year), then 21 + 28 + 1 = 50: 416.
    // A2 has no DATE_PLACED: its first adoption placement (A5) began
    // 01/08/2013; from 05/05/2013 that is 26 + 30 + 31 + 1 = 88 days.
    // A4 never had an adoption placement nor a DATE_PLACED: not in TS16.
    // TS16 = (416 + 88) / 2 adoptions.
    assert_eq!(nd(&e, "TS16"), (504.0, Some(2.0)));
    assert_eq!(members(&e, "TS16"), ["A1", "A2"]);
}

#[test]
fn ts7_reviews_due_by_working_days_then_calendar_months() {
    // E = 30/09/2014; the year runs 01/10/2013 to 30/09/2014. Bank holidays
    // from templates/bank-holidays.csv.
    let episodes = format!(
        "{EPISODES}\
R1,07/04/2014,S,C2,U1,,\n\
R2,25/04/2014,S,C2,U1,,\n\
R3,01/02/2013,S,C2,U1,01/06/2013,E13\n\
R3,01/12/2013,S,C2,U1,,\n"
    );
    let hdr = header(&[
        ("R1", "01/01/2005"),
        ("R2", "01/01/2005"),
        ("R3", "01/01/2005"),
    ]);
    let reviews = "CHILD,DOB,REVIEW\n\
R1,01/01/2005,07/05/2014\n\
R2,01/01/2005,23/05/2014\n\
R2,01/01/2005,26/08/2014\n\
R3,01/01/2005,20/02/2013\n\
R3,01/01/2005,15/05/2013\n\
R3,01/01/2005,01/09/2013\n\
R3,01/01/2005,20/12/2013\n";
    let e = extract(
        "2014-15-Q2",
        &[
            ("header.csv", &hdr),
            ("episodes.csv", &episodes),
            ("reviews.csv", reviews),
        ],
    );
    // R1, care from Monday 07/04/2014 (day 0). Working days: 8-11 Apr (4),
    // 14-17 (8), Good Friday 18 and Easter Monday 21 are holidays, 22-25
    // (12), 28 Apr-2 May (17), 5 May is a holiday, 6, 7, 8 May (20): due
    // 08/05/2014. Held 07/05/2014: on time (it would be late if the
    // holidays were not counted: due 05/05).
    // R2, care from Friday 25/04/2014. 28 Apr-2 May (5), 5 May holiday,
    // 6-9 (9), 12-16 (14), 19-23 (19), 26 May holiday, 27 May (20): due
    // 27/05/2014; held 23/05: on time. The second is due 3 months after
    // the first, Saturday 23/08/2014, the bank-holiday weekend; held on
    // Tuesday 26/08/2014 after the holiday Monday: late.
    // R3: the review of 01/09/2013 falls in the gap between two periods of
    // care, so it is not counted (a warning). 20/12/2013 is the first
    // review of the period begun Sunday 01/12/2013: 2-6 Dec (5), 9-13 (10),
    // 16-20 (15), 23, 24 (17), 25 and 26 holidays, 27 (18), 30, 31 (20): due
    // 31/12/2013, on time. (Had the gap not started a new period it would
    // be the third review, due 6 months after 15/05/2013, and late.)
    // R3's reviews of 20/02/2013 and 15/05/2013 were before the year.
    // TS7 = 3 of 4.
    assert_eq!(nd(&e, "TS7"), (3.0, Some(4.0)));
    let ts7 = figure(&e, "TS7");
    let shown = |m: &Member| -> Vec<String> { m.details.iter().map(|d| d.to_string()).collect() };
    let late: Vec<Vec<String>> = ts7
        .members
        .iter()
        .filter(|m| !m.counted)
        .map(shown)
        .collect();
    assert_eq!(late.len(), 1);
    assert_eq!(late[0][2..], ["23/08/2014", "26/08/2014"]);
    let due_r1 = ts7.members.iter().find(|m| &*m.child == "R1").unwrap();
    assert_eq!(shown(due_r1)[2], "08/05/2014");
    let due_r3 = ts7.members.iter().find(|m| &*m.child == "R3").unwrap();
    assert_eq!(shown(due_r3)[1..], ["1", "31/12/2013", "20/12/2013"]);
    assert!(e
        .figure_warnings
        .iter()
        .any(|w| w.rule == "ssda903-review-outside-care"));
}

#[test]
fn children_with_problems_are_left_out_with_each_problem_located() {
    let episodes = format!(
        "{EPISODES}\
OK,01/01/2014,S,C2,U1,,\n\
BADDATE,31/02/2014,S,C2,U1,,\n\
BACKWARDS,01/05/2014,S,C2,U1,01/04/2014,E13\n\
OVER,01/01/2014,S,C2,U1,01/03/2014,X1\n\
OVER,01/02/2014,P,C2,U2,,\n\
OPEN,01/01/2014,S,C2,U1,,\n\
OPEN,01/03/2014,P,C2,U2,,\n\
CODE,01/01/2014,S,C9,U1,,\n\
NOHEADER,01/01/2014,S,C2,U1,,\n"
    );
    let hdr = header(&[
        ("OK", "01/01/2005"),
        ("BADDATE", "01/01/2005"),
        ("BACKWARDS", "01/01/2005"),
        ("OVER", "01/01/2005"),
        ("OPEN", "01/01/2005"),
        ("CODE", "01/01/2005"),
        ("NODOB", ""),
    ]);
    let e = extract(
        "2014-15-Q2",
        &[("header.csv", &hdr), ("episodes.csv", &episodes)],
    );
    let reasons = |id: &str| {
        e.left_out
            .iter()
            .find(|l| l.child == id)
            .map(|l| l.reason.1)
    };
    assert_eq!(reasons("BADDATE"), Some(Reason::BadDate.describe()));
    assert_eq!(
        reasons("BACKWARDS"),
        Some(Reason::EndsBeforeStart.describe())
    );
    assert_eq!(reasons("OVER"), Some(Reason::Overlap.describe()));
    assert_eq!(reasons("OPEN"), Some(Reason::Overlap.describe()));
    assert_eq!(reasons("CODE"), Some(Reason::BadCode.describe()));
    assert_eq!(reasons("NOHEADER"), Some(Reason::NoHeader.describe()));
    assert_eq!(reasons("NODOB"), Some(Reason::BadDate.describe()));
    assert_eq!(e.left_out.len(), 7);
    assert_eq!(e.children, 8);
    // Only OK is in any figure.
    assert_eq!(nd(&e, "TS21"), (1.0, None));
    let locations: Vec<String> = e
        .left_out
        .iter()
        .flat_map(|l| &l.problems)
        .map(|p| p.location())
        .collect();
    assert!(
        locations.contains(&"2014-15-Q2/episodes.csv, row 3, column DECOM".to_string()),
        "{locations:?}"
    );
    assert!(
        locations.contains(&"2014-15-Q2/episodes.csv, row 4, column DEC".to_string()),
        "{locations:?}"
    );
    assert!(
        locations.contains(&"2014-15-Q2/episodes.csv, row 6, column DECOM".to_string()),
        "{locations:?}"
    );
    assert!(
        locations.contains(&"2014-15-Q2/episodes.csv, row 8, column DECOM".to_string()),
        "{locations:?}"
    );
    assert!(
        locations.contains(&"2014-15-Q2/episodes.csv, row 9, column LS".to_string()),
        "{locations:?}"
    );
    assert!(
        locations.contains(&"2014-15-Q2/header.csv, row 8, column DOB".to_string()),
        "{locations:?}"
    );
    // No message names a child.
    for p in e.all_problems() {
        for id in [
            "BADDATE",
            "BACKWARDS",
            "OVER",
            "OPEN",
            "CODE",
            "NOHEADER",
            "NODOB",
        ] {
            assert!(!p.message.contains(id), "{p}");
        }
    }
    let summary = ExtractSummary::of(&e, &[], vec![]);
    assert_eq!(summary.left_out, 7);
    assert_eq!(summary.reasons.iter().map(|(_, n)| n).sum::<usize>(), 7);
}

#[test]
fn an_episodes_list_missing_a_column_refuses_the_extract() {
    let episodes = "CHILD,DECOM,RNE,LS,PLACE,DEC\nA,01/01/2014,S,C2,U1,\n";
    let hdr = header(&[("A", "01/01/2005")]);
    let e = extract(
        "2014-15-Q2",
        &[("header.csv", &hdr), ("episodes.csv", episodes)],
    );
    let p = e
        .problems
        .iter()
        .find(|p| p.rule == "ssda903-column-missing")
        .unwrap();
    assert_eq!(p.location(), "2014-15-Q2/episodes.csv, row 1, column REC");
    assert!(e.figure("TS21").is_none());
    let ExtractStatus::Refused { because } = &e.status else {
        panic!("{:?}", e.status)
    };
    assert_eq!(
        because,
        "its episodes list has no REC column (2014-15-Q2/episodes.csv)"
    );
}

#[test]
fn a_list_other_figures_do_not_need_falls_back_alone() {
    // A reviews list with only its header row: TS7 falls back to the
    // returns, every other figure is made.
    let hdr = header(&[("A", "01/01/2005")]);
    let episodes = format!("{EPISODES}A,01/01/2014,S,C2,U1,,\n");
    let e = extract(
        "2014-15-Q2",
        &[
            ("header.csv", &hdr),
            ("episodes.csv", &episodes),
            ("reviews.csv", "CHILD,REVIEW\n"),
        ],
    );
    assert_eq!(e.status, ExtractStatus::Used);
    assert!(e.figure("TS7").is_none());
    assert_eq!(
        e.why_not("TS7").as_deref(),
        Some("its reviews list holds only its header row (2014-15-Q2/reviews.csv)")
    );
    assert_eq!(nd(&e, "TS21"), (1.0, None));
}

/// An extract read with the shipped rules: a tenth may be left out.
fn extract_as_shipped(lists: &[(&str, &str)]) -> Extract {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("2014-15-Q2");
    std::fs::create_dir_all(&folder).unwrap();
    let files: Vec<(PathBuf, String)> = lists
        .iter()
        .map(|(name, text)| {
            let path = folder.join(name);
            std::fs::write(&path, text).unwrap();
            (path, format!("2014-15-Q2/{name}"))
        })
        .collect();
    load(
        &find::by_folder(Source::Ssda903, dir.path(), &files)[0],
        &holidays(),
        Rules::default(),
    )
}

#[test]
fn more_than_a_tenth_of_children_left_out_refuses_the_extract() {
    // Ten children, one with a date that is not a date: a tenth, used.
    let ten: Vec<(String, &str)> = (0..10).map(|i| (format!("C{i}"), "01/01/2005")).collect();
    let mut rows: Vec<(&str, &str)> = ten.iter().map(|(c, d)| (c.as_str(), *d)).collect();
    let hdr = header(&rows);
    let mut episodes = String::from(EPISODES);
    for (c, _) in &rows {
        episodes.push_str(&format!("{c},01/01/2014,S,C2,U1,,\n"));
    }
    let spoiled = episodes.replacen("C0,01/01/2014", "C0,31/02/2014", 1);
    let e = extract_as_shipped(&[("header.csv", &hdr), ("episodes.csv", &spoiled)]);
    assert_eq!(e.status, ExtractStatus::Used);
    assert_eq!(nd(&e, "TS21"), (9.0, None));
    // Two of ten: more than a tenth, refused, and no figure at all.
    let spoiled = spoiled.replacen("C1,01/01/2014", "C1,31/02/2014", 1);
    let e = extract_as_shipped(&[("header.csv", &hdr), ("episodes.csv", &spoiled)]);
    let ExtractStatus::Refused { because } = &e.status else {
        panic!("{:?}", e.status)
    };
    assert!(
        because.starts_with("2 of its 10 children have errors, more than the tenth"),
        "{because}"
    );
    assert!(e.figure("TS21").is_none());
    // Every child spoiled: no child left to count.
    rows.truncate(1);
    let one = header(&rows);
    let e = extract_as_shipped(&[
        ("header.csv", &one),
        (
            "episodes.csv",
            &format!("{EPISODES}C0,31/02/2014,S,C2,U1,,\n"),
        ),
    ]);
    assert!(
        matches!(&e.status, ExtractStatus::Refused { because } if because.contains("no child is left"))
    );
}

#[test]
fn an_extract_whose_quarter_cannot_be_told_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("ssda903");
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("header.csv");
    std::fs::write(&path, header(&[("A", "01/01/2005")])).unwrap();
    let sources = find::by_folder(
        Source::Ssda903,
        dir.path(),
        &[(path, "ssda903/header.csv".into())],
    );
    let e = load(&sources[0], &holidays(), Rules::default());
    assert!(e.status.is_refused());
    let p = e
        .problems
        .iter()
        .find(|p| p.rule == "ssda903-quarter")
        .unwrap();
    assert_eq!(p.file_name(), "ssda903/");
    assert!(
        p.message.contains("inputs/2014-15-Q2/ssda903/"),
        "{}",
        p.message
    );
}
