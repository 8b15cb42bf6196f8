//! The seven indicators worked out from the census, exactly as `cin.md`
//! defines them, each with every item behind it.
//!
//! For a quarter ending on **E**, every count of events runs over the year
//! to date, from the 1 April on or before E to E: the census is a
//! financial-year collection. Each assessment, conference, plan or
//! referral counts once, so a child may be behind a figure more than once;
//! TS4 and TS22 count children. Each figure lists every item in its
//! denominator, whether it counts in the numerator, and the dates that
//! decided it, for the restricted workbook only.

use chrono::{Months, NaiveDate};

use super::model::{Checked, Child, Place, Plan};
use crate::calendar::BankHolidays;
use crate::judge::Measure;
pub use crate::records::figure::{Computed, Detail, Member};
pub use crate::ssda903::indicators::financial_year_start;

/// The refs the census can work out.
pub const REFS: [&str; 7] = ["TS2", "TS3", "TS4", "TS5", "TS6", "TS22", "TS23"];

/// An assessment completed within this many working days is in time (TS2).
pub const ASSESSMENT_DAYS: i64 = 45;
/// A conference held within this many working days is in time (TS3).
pub const CONFERENCE_DAYS: i64 = 15;

/// The kind of figure each ref is, which its catalogue measure must match.
pub fn measure_of(reference: &str) -> Option<Measure> {
    match reference {
        "TS22" => Some(Measure::Rate10k),
        r if REFS.contains(&r) => Some(Measure::Percent),
        _ => None,
    }
}

/// A figure's value as the scorecard shows it: a percentage, or TS22 per
/// 10,000 of the child population. `None` when its denominator is 0: "none
/// in the year to date", never 0%.
pub fn value(figure: &Computed, child_population: f64) -> Option<f64> {
    measure_of(figure.reference)?.combine(
        Some(figure.numerator),
        figure.denominator,
        None,
        child_population,
    )
}

/// `day` plus `months` by calendar, a day past the month's end becoming
/// its last day (31 August + 6 months = 28 or 29 February).
pub fn plus_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// `day` minus `months`, the same way.
pub fn minus_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// The year to date of the quarter ending `end`: 1 April on or before it,
/// to it.
fn in_year(day: NaiveDate, end: NaiveDate) -> bool {
    financial_year_start(end) <= day && day <= end
}

fn item(place: Place, kind: &str) -> Detail {
    Detail::Text(format!(
        "CINdetails {}, {kind} {}",
        place.referral, place.item
    ))
}

/// Works out the seven figures for the quarter ending `end`. Each goes
/// over every child on its own, so they are worked out side by side.
pub fn compute(checked: &Checked, end: NaiveDate, holidays: &BankHolidays) -> Vec<Computed> {
    use rayon::prelude::*;
    type Figure<'a> = Box<dyn Fn() -> Computed + Send + Sync + 'a>;
    let children = &checked.children;
    let figures: Vec<Figure> = vec![
        Box::new(|| ts2(children, end, holidays)),
        Box::new(|| ts3(children, end, holidays)),
        Box::new(|| ts4(children, end)),
        Box::new(|| ts5(children, end)),
        Box::new(|| ts6(children, end)),
        Box::new(|| ts22(children, end)),
        Box::new(|| ts23(children, end)),
    ];
    figures.par_iter().map(|f| f()).collect()
}

/// TS2: assessments completed in the year to date, and those completed
/// within 45 working days of their start.
fn ts2(children: &[Child], end: NaiveDate, holidays: &BankHolidays) -> Computed {
    let mut members = Vec::new();
    for c in children {
        for a in &c.assessments {
            let Some(done) = a.authorised.filter(|d| in_year(*d, end)) else {
                continue;
            };
            let days = holidays.working_days(a.start, done);
            members.push(Member {
                child: c.id.clone(),
                counted: days <= ASSESSMENT_DAYS,
                details: vec![
                    item(a.place, "Assessments"),
                    Detail::Date(Some(a.start)),
                    Detail::Date(Some(done)),
                    Detail::Number(days),
                ],
            });
        }
    }
    Computed::of_members(
        "TS2",
        &["Assessment", "Started", "Authorised", "Working days"],
        members,
        true,
    )
}

/// TS3: initial conferences held in the year to date, and those held
/// within 15 working days of the section 47 enquiry's start.
fn ts3(children: &[Child], end: NaiveDate, holidays: &BankHolidays) -> Computed {
    let mut members = Vec::new();
    for c in children {
        for s in &c.section47 {
            let Some(held) = s.held().filter(|d| in_year(*d, end)) else {
                continue;
            };
            let days = holidays.working_days(s.start, held);
            members.push(Member {
                child: c.id.clone(),
                counted: days <= CONFERENCE_DAYS,
                details: vec![
                    item(s.place, "Section47"),
                    Detail::Date(Some(s.start)),
                    Detail::Date(Some(held)),
                    Detail::Number(days),
                ],
            });
        }
    }
    Computed::of_members(
        "TS3",
        &[
            "Enquiry",
            "Enquiry started",
            "Initial conference",
            "Working days",
        ],
        members,
        true,
    )
}

/// The plan a child is subject to on `day`, if any.
pub fn current_plan(child: &Child, day: NaiveDate) -> Option<&Plan> {
    child.plans.iter().find(|p| p.open_on(day))
}

/// Whether a plan has been reviewed in time up to `end`, and the day its
/// next review is due. Its reviews on or before `end`, in date order: the
/// first is due 3 months after the start, each later one 6 months after
/// the one before; each must be held on or before its due day, and the
/// next one must not be due before `end`.
pub fn reviewed_in_time(plan: &Plan, end: NaiveDate) -> (bool, NaiveDate) {
    let mut due = plus_months(plan.start, 3);
    let mut in_time = true;
    for r in plan.reviews.iter().filter(|r| **r <= end) {
        in_time &= *r <= due;
        due = plus_months(*r, 6);
    }
    (in_time && due >= end, due)
}

/// TS4: children subject to a plan on E that began 3 months or more
/// before, and those whose plan has been reviewed in time.
fn ts4(children: &[Child], end: NaiveDate) -> Computed {
    let three_months = minus_months(end, 3);
    let members = children
        .iter()
        .filter_map(|c| {
            let plan = current_plan(c, end).filter(|p| p.start <= three_months)?;
            let (in_time, next) = reviewed_in_time(plan, end);
            let held: Vec<NaiveDate> = plan.reviews.iter().copied().filter(|r| *r <= end).collect();
            Some(Member {
                child: c.id.clone(),
                counted: in_time,
                details: vec![
                    item(plan.place, "ChildProtectionPlans"),
                    Detail::Date(Some(plan.start)),
                    Detail::Dates(held),
                    Detail::Date(Some(next)),
                ],
            })
        })
        .collect();
    Computed::of_members(
        "TS4",
        &["Plan", "Plan started", "Reviews held", "Next review due"],
        members,
        true,
    )
}

/// TS5: plans ending in the year to date, and those that lasted two years
/// or more.
fn ts5(children: &[Child], end: NaiveDate) -> Computed {
    let mut members = Vec::new();
    for c in children {
        for p in &c.plans {
            let Some(ended) = p.end.filter(|d| in_year(*d, end)) else {
                continue;
            };
            let two_years = plus_months(p.start, 24);
            members.push(Member {
                child: c.id.clone(),
                counted: ended >= two_years,
                details: vec![
                    item(p.place, "ChildProtectionPlans"),
                    Detail::Date(Some(p.start)),
                    Detail::Date(Some(ended)),
                    Detail::Date(Some(two_years)),
                ],
            });
        }
    }
    Computed::of_members(
        "TS5",
        &[
            "Plan",
            "Plan started",
            "Plan ended",
            "Two years after the start",
        ],
        members,
        true,
    )
}

/// TS6: plans starting in the year to date, and those that are a second
/// or later plan: `NumberOfPreviousCPP` 1 or more, or an earlier plan in
/// the extract.
fn ts6(children: &[Child], end: NaiveDate) -> Computed {
    let mut members = Vec::new();
    for c in children {
        for p in c.plans.iter().filter(|p| in_year(p.start, end)) {
            let earlier = c
                .plans
                .iter()
                .map(|q| q.start)
                .filter(|s| *s < p.start)
                .max();
            members.push(Member {
                child: c.id.clone(),
                counted: p.previous >= 1 || earlier.is_some(),
                details: vec![
                    item(p.place, "ChildProtectionPlans"),
                    Detail::Date(Some(p.start)),
                    Detail::Number(i64::from(p.previous)),
                    Detail::Date(earlier),
                ],
            });
        }
    }
    Computed::of_members(
        "TS6",
        &[
            "Plan",
            "Plan started",
            "NumberOfPreviousCPP",
            "Earlier plan in the extract started",
        ],
        members,
        true,
    )
}

/// TS22: children subject to a plan on E (a rate per 10,000 children).
fn ts22(children: &[Child], end: NaiveDate) -> Computed {
    let members = children
        .iter()
        .filter_map(|c| {
            let plan = current_plan(c, end)?;
            Some(Member {
                child: c.id.clone(),
                counted: true,
                details: vec![
                    item(plan.place, "ChildProtectionPlans"),
                    Detail::Date(Some(plan.start)),
                    Detail::Date(plan.end),
                ],
            })
        })
        .collect();
    Computed::of_members(
        "TS22",
        &["Plan", "Plan started", "Plan ended (after the quarter)"],
        members,
        false,
    )
}

/// TS23: referrals in the year to date, and those that are re-referrals:
/// the child has another referral dated before it and no more than 12
/// months before.
fn ts23(children: &[Child], end: NaiveDate) -> Computed {
    let mut members = Vec::new();
    for c in children {
        for r in c.referrals.iter().filter(|r| in_year(r.date, end)) {
            let previous = c
                .referrals
                .iter()
                .map(|o| o.date)
                .filter(|d| *d < r.date)
                .max();
            let year_before = minus_months(r.date, 12);
            members.push(Member {
                child: c.id.clone(),
                counted: previous.is_some_and(|d| d >= year_before),
                details: vec![
                    Detail::Text(format!("CINdetails {}", r.ordinal)),
                    Detail::Date(Some(r.date)),
                    Detail::Date(previous),
                    Detail::Date(Some(year_before)),
                ],
            });
        }
    }
    Computed::of_members(
        "TS23",
        &[
            "Referral",
            "Referred",
            "Previous referral",
            "12 months before",
        ],
        members,
        true,
    )
}
