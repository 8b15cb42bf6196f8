//! The ten indicators worked out from the children's records, exactly as
//! `ssda903.md` defines them, each with the children behind it.
//!
//! For a quarter ending on **E**: the year runs from E minus one year plus
//! one day to E; the financial year to date from the 1 April on or before E.
//! Each figure lists every child (or, for TS7, every review) in its
//! denominator, whether it counts in the numerator, and the dates that
//! decided it, for the restricted workbook.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::model::{Checked, Child, Episode};
use crate::calendar::BankHolidays;
use crate::records::figure::{Computed, Detail, Member};

/// The refs the extract can work out.
pub const REFS: [&str; 10] = [
    "TS7", "TS8", "TS9", "TS10", "TS11", "TS13", "TS14", "TS15", "TS16", "TS21",
];

/// The kind of figure each ref is, which its catalogue measure must match.
pub fn measure_of(reference: &str) -> Option<crate::judge::Measure> {
    use crate::judge::Measure;
    Some(match reference {
        "TS21" => Measure::Rate10k,
        "TS15" => Measure::Count,
        "TS16" => Measure::Average,
        r if REFS.contains(&r) => Measure::Percent,
        _ => return None,
    })
}

fn show(d: Option<NaiveDate>) -> Detail {
    Detail::Date(d)
}

fn minus_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// The first day of the year ending on `end`.
pub fn year_start(end: NaiveDate) -> NaiveDate {
    minus_months(end, 12)
        .checked_add_days(Days::new(1))
        .unwrap_or(end)
}

/// The 1 April on or before `end`.
pub fn financial_year_start(end: NaiveDate) -> NaiveDate {
    let year = if end.month() >= 4 {
        end.year()
    } else {
        end.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or(end)
}

/// Whole years from `dob` to `day`; a 29 February birthday turns a year
/// older on 1 March in other years.
pub fn age_on(dob: NaiveDate, day: NaiveDate) -> i32 {
    let mut years = day.year() - dob.year();
    if (day.month(), day.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

/// A run of one child's episodes, each starting the day the one before it
/// ended: indices into the child's episodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodOfCare {
    pub first: usize,
    pub last: usize,
}

impl PeriodOfCare {
    pub fn start(&self, child: &Child) -> NaiveDate {
        child.episodes[self.first].decom
    }

    /// The day it ended, `None` while it goes on.
    pub fn end(&self, child: &Child) -> Option<NaiveDate> {
        child.episodes[self.last].dec
    }

    pub fn episodes<'a>(&self, child: &'a Child) -> &'a [Episode] {
        &child.episodes[self.first..=self.last]
    }

    /// Whether `day` falls within it (start to end, both included).
    pub fn covers(&self, child: &Child, day: NaiveDate) -> bool {
        self.start(child) <= day && self.end(child).is_none_or(|e| day <= e)
    }
}

/// A child's periods of care, in order. Any gap starts a new one.
pub fn periods_of_care(child: &Child) -> Vec<PeriodOfCare> {
    let mut out: Vec<PeriodOfCare> = Vec::new();
    for (i, e) in child.episodes.iter().enumerate() {
        match out.last_mut() {
            Some(p) if child.episodes[p.last].dec == Some(e.decom) => p.last = i,
            _ => out.push(PeriodOfCare { first: i, last: i }),
        }
    }
    out
}

/// The episode open on `day` that makes the child looked after (not a
/// short break), if any.
pub fn looked_after_on(child: &Child, day: NaiveDate) -> Option<usize> {
    child
        .episodes
        .iter()
        .position(|e| e.open_on(day) && !e.short_break())
}

/// The period of care holding the episode open on `end`, when the child is
/// looked after then.
pub fn current_period(child: &Child, end: NaiveDate) -> Option<PeriodOfCare> {
    let open = looked_after_on(child, end)?;
    periods_of_care(child)
        .into_iter()
        .find(|p| p.first <= open && open <= p.last)
}

/// Works out every indicator the extract can, for the quarter ending `end`.
/// Each figure goes over every child on its own, so they are worked out
/// side by side.
pub fn compute(checked: &Checked, end: NaiveDate, holidays: &BankHolidays) -> Vec<Computed> {
    use rayon::prelude::*;
    type Figure<'a> = Box<dyn Fn() -> Computed + Send + Sync + 'a>;
    let figures: Vec<Figure> = vec![
        Box::new(|| ts21(checked, end)),
        Box::new(|| ts8(checked, end)),
        Box::new(|| ts9(checked, end)),
        Box::new(|| ts13_14(checked, end, "TS13")),
        Box::new(|| ts13_14(checked, end, "TS14")),
        Box::new(|| ts10_11(checked, end, "TS10")),
        Box::new(|| ts10_11(checked, end, "TS11")),
        Box::new(|| ts15(checked, end)),
        Box::new(|| ts16(checked, end)),
        Box::new(|| ts7(checked, end, holidays)),
    ];
    figures.par_iter().map(|f| f()).collect()
}

/// TS21: children looked after on E.
fn ts21(checked: &Checked, end: NaiveDate) -> Computed {
    let members = checked
        .children
        .iter()
        .filter_map(|c| {
            let e = &c.episodes[looked_after_on(c, end)?];
            Some(Member {
                child: c.id.clone(),
                counted: true,
                details: vec![show(Some(e.decom)), Detail::Code(e.ls)],
            })
        })
        .collect();
    Computed::of_members(
        "TS21",
        &[
            "Episode open on the quarter's last day began",
            "Legal status",
        ],
        members,
        false,
    )
}

/// TS8: of the children looked after on E, those with 3 or more
/// placements in the year.
fn ts8(checked: &Checked, end: NaiveDate) -> Computed {
    let first = year_start(end);
    let members = checked
        .children
        .iter()
        .filter(|c| looked_after_on(c, end).is_some())
        .map(|c| {
            let new: Vec<NaiveDate> = c
                .episodes
                .iter()
                .filter(|e| e.new_placement() && first <= e.decom && e.decom <= end)
                .map(|e| e.decom)
                .collect();
            // The placement the child was already in on the year's first day.
            let carried = c
                .episodes
                .iter()
                .find(|e| e.open_on(first) && e.decom < first && !e.short_break())
                .map(|e| e.decom);
            let count = new.len() + usize::from(carried.is_some());
            Member {
                child: c.id.clone(),
                counted: count >= 3,
                details: vec![
                    Detail::Number(count as i64),
                    show(carried),
                    Detail::Dates(new),
                ],
            }
        })
        .collect();
    Computed::of_members(
        "TS8",
        &[
            "Placements in the year",
            "Placement already held on the year's first day began",
            "New placements began",
        ],
        members,
        true,
    )
}

/// The start of the child's current placement: the last new placement on
/// or before E in the period (or the one before it, when that one is for
/// adoption); the period's start when it holds no new placement.
pub fn current_placement_start(child: &Child, period: &PeriodOfCare, end: NaiveDate) -> NaiveDate {
    let placements: Vec<&Episode> = period
        .episodes(child)
        .iter()
        .filter(|e| e.new_placement() && e.decom <= end)
        .collect();
    match placements.as_slice() {
        [] => period.start(child),
        [.., before, last] if last.for_adoption() => before.decom,
        [.., last] => last.decom,
    }
}

/// TS9: children under 16 looked after for 2½ years or more, in the same
/// placement for 2 years or more.
fn ts9(checked: &Checked, end: NaiveDate) -> Computed {
    let two_and_a_half = minus_months(end, 30);
    let two_years = minus_months(end, 24);
    let members = checked
        .children
        .iter()
        .filter_map(|c| {
            let period = current_period(c, end)?;
            let start = period.start(c);
            if age_on(c.dob, end) >= 16 || start > two_and_a_half {
                return None;
            }
            let placed = current_placement_start(c, &period, end);
            Some(Member {
                child: c.id.clone(),
                counted: placed <= two_years,
                details: vec![show(Some(c.dob)), show(Some(start)), show(Some(placed))],
            })
        })
        .collect();
    Computed::of_members(
        "TS9",
        &[
            "Date of birth",
            "Period of care began",
            "Current placement began",
        ],
        members,
        true,
    )
}

/// TS13 and TS14: children looked after for 12 months or more with a
/// health (TS13) or dental (TS14) check.
fn ts13_14(checked: &Checked, end: NaiveDate, reference: &'static str) -> Computed {
    let year_ago = minus_months(end, 12);
    let members = checked
        .children
        .iter()
        .filter_map(|c| {
            let period = current_period(c, end)?;
            if period.start(c) > year_ago {
                return None;
            }
            let check = c.oc2.as_ref().map(|o| {
                if reference == "TS13" {
                    o.health_check.clone()
                } else {
                    o.teeth_check.clone()
                }
            });
            Some(Member {
                child: c.id.clone(),
                counted: check.as_deref() == Some("1"),
                details: vec![
                    show(Some(period.start(c))),
                    Detail::Text(check.unwrap_or_else(|| "no oc2 row".into())),
                ],
            })
        })
        .collect();
    let column: &'static [&'static str] = if reference == "TS13" {
        &["Period of care began", "HEALTH_CHECK"]
    } else {
        &["Period of care began", "TEETH_CHECK"]
    };
    Computed::of_members(reference, column, members, true)
}

/// ACTIV codes for education, employment or training.
pub const EET: [&str; 8] = ["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5"];

/// TS10 and TS11: care leavers aged 19 to 21 in education, employment or
/// training (TS10) or suitable accommodation (TS11).
fn ts10_11(checked: &Checked, end: NaiveDate, reference: &'static str) -> Computed {
    let members = checked
        .care_leavers
        .iter()
        .filter_map(|l| {
            let age = age_on(l.dob?, end);
            if !(19..=21).contains(&age) {
                return None;
            }
            let (code, counted) = if reference == "TS10" {
                (l.activ.clone(), EET.contains(&l.activ.as_str()))
            } else {
                (l.accom.clone(), l.accom.ends_with('1'))
            };
            Some(Member {
                child: l.id.clone(),
                counted,
                details: vec![show(l.dob), Detail::Number(age.into()), Detail::Text(code)],
            })
        })
        .collect();
    let columns: &'static [&'static str] = if reference == "TS10" {
        &["Date of birth", "Age on the quarter's last day", "ACTIV"]
    } else {
        &["Date of birth", "Age on the quarter's last day", "ACCOM"]
    };
    Computed::of_members(reference, columns, members, true)
}

/// A child's adoption in the financial year to date: its episode and the
/// period of care it ended.
fn adoption(child: &Child, end: NaiveDate) -> Option<(usize, PeriodOfCare)> {
    let from = financial_year_start(end);
    let i = child
        .episodes
        .iter()
        .rposition(|e| e.adopted() && e.dec.is_some_and(|d| from <= d && d <= end))?;
    let period = periods_of_care(child)
        .into_iter()
        .find(|p| p.first <= i && i <= p.last)?;
    Some((i, period))
}

/// TS15: children adopted in the financial year to date.
fn ts15(checked: &Checked, end: NaiveDate) -> Computed {
    let members = checked
        .children
        .iter()
        .filter_map(|c| {
            let (i, _) = adoption(c, end)?;
            let e = &c.episodes[i];
            Some(Member {
                child: c.id.clone(),
                counted: true,
                details: vec![show(e.dec), Detail::Code(e.rec)],
            })
        })
        .collect();
    Computed::of_members("TS15", &["Adopted (DEC)", "REC"], members, false)
}

/// The day an adopted child moved in with its adopters: the latest
/// DATE_PLACED on or before the adoption, else the first placement for
/// adoption in the period of care.
pub fn moved_in(child: &Child, period: &PeriodOfCare, adopted: NaiveDate) -> Option<NaiveDate> {
    child
        .placed
        .iter()
        .filter(|d| **d <= adopted)
        .max()
        .copied()
        .or_else(|| {
            period
                .episodes(child)
                .iter()
                .find(|e| e.for_adoption())
                .map(|e| e.decom)
        })
}

/// TS16: average days from entering care to moving in with adopters, for
/// the TS15 adoptions that have such a day.
fn ts16(checked: &Checked, end: NaiveDate) -> Computed {
    let mut total = 0i64;
    let members: Vec<Member> = checked
        .children
        .iter()
        .filter_map(|c| {
            let (i, period) = adoption(c, end)?;
            let adopted = c.episodes[i].dec?;
            let start = period.start(c);
            let moved = moved_in(c, &period, adopted)?;
            let days = (moved - start).num_days();
            total += days;
            Some(Member {
                child: c.id.clone(),
                counted: true,
                details: vec![
                    show(Some(start)),
                    show(Some(moved)),
                    show(Some(adopted)),
                    Detail::Number(days),
                ],
            })
        })
        .collect();
    Computed {
        reference: "TS16",
        numerator: total as f64,
        denominator: Some(members.len() as f64),
        columns: &[
            "Period of care began",
            "Moved in with adopters",
            "Adopted (DEC)",
            "Days",
        ],
        members,
    }
}

/// The day each review in a period of care was due: the first 20 working
/// days after the period began, the second 3 months after the first, each
/// later one 6 months after the one before.
pub fn due_days(
    start: NaiveDate,
    reviews: &[NaiveDate],
    holidays: &BankHolidays,
) -> Vec<NaiveDate> {
    let mut due = Vec::with_capacity(reviews.len());
    for (i, _) in reviews.iter().enumerate() {
        due.push(match i {
            0 => holidays.add_working_days(start, 20),
            1 => reviews[0]
                .checked_add_months(Months::new(3))
                .unwrap_or(NaiveDate::MAX),
            _ => reviews[i - 1]
                .checked_add_months(Months::new(6))
                .unwrap_or(NaiveDate::MAX),
        });
    }
    due
}

/// TS7: reviews held in the year on or before their due day.
fn ts7(checked: &Checked, end: NaiveDate, holidays: &BankHolidays) -> Computed {
    let first = year_start(end);
    let mut members = Vec::new();
    for c in &checked.children {
        for period in periods_of_care(c) {
            let held: Vec<NaiveDate> = c
                .reviews
                .iter()
                .copied()
                .filter(|d| period.covers(c, *d) && *d <= end)
                .collect();
            let start = period.start(c);
            for (n, (review, due)) in held
                .iter()
                .zip(due_days(start, &held, holidays))
                .enumerate()
            {
                if *review < first {
                    continue;
                }
                members.push(Member {
                    child: c.id.clone(),
                    counted: *review <= due,
                    details: vec![
                        show(Some(start)),
                        Detail::Number(n as i64 + 1),
                        show(Some(due)),
                        show(Some(*review)),
                    ],
                });
            }
        }
    }
    Computed::of_members(
        "TS7",
        &[
            "Period of care began",
            "Review number in the period",
            "Due by",
            "Held",
        ],
        members,
        true,
    )
}
