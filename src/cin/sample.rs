//! Invented children in need censuses for the sample quarters, the
//! benchmark and the tests. **Every child here is made up.**
//!
//! One borough's referrals, assessments, enquiries and plans are
//! simulated from a fixed seed ([`Dice`]), so the output is the same on
//! every run; each sample quarter's census is that history as a
//! case-management system would export it at the quarter's end (nothing
//! after the day; what was still open then has no end), from a year
//! before the year to date, one element a line. The latest carries a few
//! children with the mistakes real extracts have, so the sample run shows
//! children left out. [`super::edges`] instead crowds its dates onto the
//! edges of the definitions (the year's first day, the quarter's last, 45
//! working days, 12 and 24 months, month ends), for checking the figures
//! against an independent reading of `cin.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, NaiveDate};

use super::check::year_end;
use super::indicators::{financial_year_start, minus_months, plus_months};
use crate::output::write_atomic;
use crate::period::Period;

pub use crate::dice::Dice;

/// One simulated assessment.
#[derive(Debug, Clone)]
pub struct SimAssessment {
    pub start: NaiveDate,
    pub authorised: Option<NaiveDate>,
}

/// One simulated section 47 enquiry; `not_required` as the file writes it.
#[derive(Debug, Clone)]
pub struct SimSection47 {
    pub start: NaiveDate,
    pub conference: Option<NaiveDate>,
    pub not_required: &'static str,
}

/// One simulated child protection plan.
#[derive(Debug, Clone)]
pub struct SimPlan {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub previous: u32,
    pub category: &'static str,
    pub reviews: Vec<NaiveDate>,
}

/// One simulated referral; `nfa` as the file writes it.
#[derive(Debug, Clone)]
pub struct SimReferral {
    pub date: NaiveDate,
    pub source: &'static str,
    pub need: &'static str,
    pub closed: Option<NaiveDate>,
    pub reason: &'static str,
    pub nfa: &'static str,
    pub assessments: Vec<SimAssessment>,
    pub section47: Vec<SimSection47>,
    pub plans: Vec<SimPlan>,
}

/// One simulated child, over its whole history.
#[derive(Debug, Clone)]
pub struct SimChild {
    pub id: String,
    pub birth: NaiveDate,
    pub sex: u8,
    pub referrals: Vec<SimReferral>,
}

const SOURCES: [&str; 12] = [
    "1A", "1B", "2A", "2B", "3A", "3C", "3E", "4", "5A", "5C", "6", "9",
];
const NEEDS: [&str; 8] = ["N1", "N1", "N1", "N2", "N3", "N4", "N5", "N8"];
const CLOSURES: [&str; 5] = ["RC1", "RC2", "RC3", "RC7", "RC8"];
const CATEGORIES: [&str; 5] = ["NEG", "NEG", "EMO", "PHY", "SAB"];
/// The first day a simulated history may begin.
const HISTORY_START: (i32, u32, u32) = (2010, 4, 1);

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

fn minus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

/// About `n` working days on: seven calendar days for every five.
fn working_days_on(d: NaiveDate, n: u64) -> NaiveDate {
    plus_days(d, n * 7 / 5)
}

/// Simulates `n` children's histories up to `until`.
pub fn simulate(n: usize, seed: u64, until: NaiveDate) -> Vec<SimChild> {
    let mut d = Dice::new(seed);
    let first = day(HISTORY_START.0, HISTORY_START.1, HISTORY_START.2);
    let span = (until - first).num_days().max(1) as u64;
    (0..n)
        .map(|i| {
            let mut referred = plus_days(first, d.below(span));
            let birth = minus_days(referred, d.below(17 * 365));
            let mut child = SimChild {
                id: format!("CIN{:06}", 100_000 + i * 13 % 900_000),
                birth,
                sex: 1 + d.below(2) as u8,
                referrals: Vec::new(),
            };
            // Plans the child had in another authority before.
            let mut plans_before = u32::from(d.chance(0.04));
            loop {
                let r = referral(&mut d, referred, &mut plans_before);
                let after = r.closed.unwrap_or(until);
                child.referrals.push(r);
                if child.referrals.len() >= 4 || !d.chance(0.35) {
                    break;
                }
                referred = plus_days(after, 20 + d.below(330));
                if referred > until {
                    break;
                }
            }
            child
        })
        .collect()
}

/// One referral and what followed it, from `date` on.
fn referral(d: &mut Dice, date: NaiveDate, plans_before: &mut u32) -> SimReferral {
    let mut r = SimReferral {
        date,
        source: d.pick(&SOURCES),
        need: d.pick(&NEEDS),
        closed: None,
        reason: d.pick(&CLOSURES),
        nfa: "false",
        assessments: Vec::new(),
        section47: Vec::new(),
        plans: Vec::new(),
    };
    if d.chance(0.08) {
        r.nfa = "true";
        r.closed = Some(plus_days(date, d.below(3)));
        return r;
    }
    let start = plus_days(date, d.below(4));
    // Most assessments are authorised within 45 working days.
    let took = if d.chance(0.87) {
        4 + d.below(42)
    } else {
        46 + d.below(50)
    };
    let authorised = working_days_on(start, took);
    r.assessments.push(SimAssessment {
        start,
        authorised: Some(authorised),
    });
    let mut last = authorised;
    if d.chance(0.45) {
        let s47 = plus_days(date, d.below(8));
        if d.chance(0.7) {
            let took = if d.chance(0.8) {
                3 + d.below(13)
            } else {
                16 + d.below(20)
            };
            let conference = working_days_on(s47, took);
            r.section47.push(SimSection47 {
                start: s47,
                conference: Some(conference),
                not_required: "false",
            });
            if d.chance(0.88) {
                let plan = plan(d, conference, *plans_before);
                *plans_before += 1;
                last = last.max(plan.end.unwrap_or(last));
                r.plans.push(plan);
            }
        } else {
            r.section47.push(SimSection47 {
                start: s47,
                conference: None,
                not_required: "true",
            });
        }
    }
    r.closed = Some(plus_days(last, 10 + d.below(150)));
    r
}

/// A plan from `start`, reviewed mostly in time, lasting a few months to
/// over two years.
fn plan(d: &mut Dice, start: NaiveDate, previous: u32) -> SimPlan {
    let months = if d.chance(0.7) {
        3 + d.below(10)
    } else if d.chance(0.77) {
        12 + d.below(12)
    } else {
        24 + d.below(14)
    };
    let end = plus_days(plus_months(start, months as u32), d.below(20));
    let late = |d: &mut Dice| if d.chance(0.04) { 1 + d.below(20) } else { 0 };
    let mut reviews = Vec::new();
    let mut due = plus_months(start, 3);
    loop {
        let held = plus_days(minus_days(due, d.below(15)), late(d));
        if held > end {
            break;
        }
        reviews.push(held);
        due = plus_months(held, 6);
    }
    SimPlan {
        start,
        end: Some(end),
        previous,
        category: d.pick(&CATEGORIES),
        reviews,
    }
}

/// The histories as exported on `end`: what was recorded by then, from a
/// year before the year to date began (so a referral early in the year
/// can be told from a re-referral).
pub fn snapshot(children: &[SimChild], end: NaiveDate) -> Vec<SimChild> {
    let from = minus_months(financial_year_start(end), 12);
    let by_end = |x: Option<NaiveDate>| x.filter(|d| *d <= end);
    children
        .iter()
        .filter_map(|c| {
            let mut c = c.clone();
            c.referrals
                .retain(|r| r.date <= end && r.closed.is_none_or(|x| x >= from));
            for r in &mut c.referrals {
                r.closed = by_end(r.closed);
                r.assessments.retain(|a| a.start <= end);
                for a in &mut r.assessments {
                    a.authorised = by_end(a.authorised);
                }
                r.section47.retain(|s| s.start <= end);
                for s in &mut r.section47 {
                    s.conference = by_end(s.conference);
                }
                r.plans.retain(|p| p.start <= end);
                for p in &mut r.plans {
                    p.end = by_end(p.end);
                    p.reviews.retain(|x| *x <= end);
                }
            }
            (!c.referrals.is_empty()).then_some(c)
        })
        .collect()
}

fn show(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `<Name>value</Name>` on its own line, or an empty element for none.
fn element(out: &mut String, indent: usize, name: &str, value: Option<&str>) {
    let pad = " ".repeat(indent);
    let _ = match value {
        Some(v) if !v.is_empty() => writeln!(out, "{pad}<{name}>{v}</{name}>"),
        _ => writeln!(out, "{pad}<{name} />"),
    };
}

fn date_element(out: &mut String, indent: usize, name: &str, value: Option<NaiveDate>) {
    element(out, indent, name, value.map(show).as_deref());
}

/// The census's opening: its header, for a census whose reference date
/// is `reference`.
fn opening(reference: NaiveDate) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Message>\n  <Header>\n    <CollectionDetails>\n");
    element(&mut s, 6, "Collection", Some("CIN"));
    element(&mut s, 6, "Year", Some(&reference.year().to_string()));
    date_element(&mut s, 6, "ReferenceDate", Some(reference));
    s.push_str("    </CollectionDetails>\n    <Source>\n");
    element(&mut s, 6, "SourceLevel", Some("L"));
    element(&mut s, 6, "LEA", Some("999"));
    element(&mut s, 6, "SoftwareCode", Some("scorecard sample"));
    s.push_str("    </Source>\n  </Header>\n  <Children>\n");
    s
}

/// One `Child` element, one element a line.
pub fn child_xml(out: &mut String, c: &SimChild) {
    out.push_str("    <Child>\n      <ChildIdentifiers>\n");
    element(out, 8, "LAchildID", Some(&c.id));
    date_element(out, 8, "PersonBirthDate", Some(c.birth));
    element(out, 8, "Sex", Some(&c.sex.to_string()));
    out.push_str("      </ChildIdentifiers>\n");
    for r in &c.referrals {
        referral_xml(out, r);
    }
    out.push_str("    </Child>\n");
}

fn referral_xml(out: &mut String, r: &SimReferral) {
    out.push_str("      <CINdetails>\n");
    date_element(out, 8, "CINreferralDate", Some(r.date));
    element(out, 8, "ReferralSource", Some(r.source));
    element(out, 8, "PrimaryNeedCode", Some(r.need));
    date_element(out, 8, "CINclosureDate", r.closed);
    element(out, 8, "ReasonForClosure", r.closed.map(|_| r.reason));
    element(out, 8, "ReferralNFA", Some(r.nfa));
    for a in &r.assessments {
        out.push_str("        <Assessments>\n");
        date_element(out, 10, "AssessmentActualStartDate", Some(a.start));
        date_element(out, 10, "AssessmentAuthorisationDate", a.authorised);
        out.push_str("        </Assessments>\n");
    }
    for s in &r.section47 {
        out.push_str("        <Section47>\n");
        date_element(out, 10, "S47ActualStartDate", Some(s.start));
        date_element(out, 10, "DateOfInitialCPC", s.conference);
        element(out, 10, "ICPCnotRequired", Some(s.not_required));
        out.push_str("        </Section47>\n");
    }
    for p in &r.plans {
        out.push_str("        <ChildProtectionPlans>\n");
        date_element(out, 10, "CPPstartDate", Some(p.start));
        date_element(out, 10, "CPPendDate", p.end);
        element(out, 10, "InitialCategoryOfAbuse", Some(p.category));
        element(out, 10, "LatestCategoryOfAbuse", Some(p.category));
        element(
            out,
            10,
            "NumberOfPreviousCPP",
            Some(&p.previous.to_string()),
        );
        out.push_str("          <Reviews>\n");
        for d in &p.reviews {
            date_element(out, 12, "CPPreviewDate", Some(*d));
        }
        out.push_str("          </Reviews>\n        </ChildProtectionPlans>\n");
    }
    out.push_str("      </CINdetails>\n");
}

/// A census of `children`, with `extra` (whole `Child` elements) after
/// them, as exported for the quarter ending `end`.
pub fn census_xml(children: &[SimChild], end: NaiveDate, extra: &str) -> String {
    let mut s = opening(year_end(end));
    s.reserve(children.len() * 1_200);
    for c in children {
        child_xml(&mut s, c);
    }
    s.push_str(extra);
    s.push_str("  </Children>\n</Message>\n");
    s
}

/// Children in the sample borough's history.
pub const SAMPLE_CHILDREN: usize = 3_000;
const SEED: u64 = 2014;

/// The mistakes the latest sample census carries: a date that is no date,
/// overlapping plans, an assessment authorised before it began, one id on
/// two children, a yes/no that is neither; and, as warnings only, an
/// unknown referral source and an enquiry that needed no conference but
/// has a date.
pub const MISTAKES: &str = include_str!("sample_mistakes.xml");

/// Writes the sample censuses under `dir` (the inputs folder):
/// `<quarter>/cin/CIN census <quarter>.xml`.
pub fn write_sample_extracts(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let last = Period::new(2014, 2)?;
    let history = simulate(SAMPLE_CHILDREN, SEED, last.last_day());
    let mut written = Vec::new();
    for period in [Period::new(2013, 4)?, Period::new(2014, 1)?, last] {
        let end = period.last_day();
        let extra = if period == last { MISTAKES } else { "" };
        let text = census_xml(&snapshot(&history, end), end, extra);
        let path = dir
            .join(period.id())
            .join("cin")
            .join(format!("CIN census {}.xml", period.id()));
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
