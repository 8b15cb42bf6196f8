//! Invented censuses crowded onto the edges of `cin.md`'s definitions, for
//! checking the figures against an independent reading of it. **Every
//! child here is made up.**
//!
//! Dates fall on the days where a definition turns: the day before the
//! year to date and its first day, the quarter's last day and the day
//! after, 3, 12 and 24 months apart (by calendar, from month ends and 29
//! February), 15 and 45 working days on and a day either side, across
//! bank holidays and weekends. Some children are spoiled the way real
//! extracts are (a date that is no date, a blank that must not be, a
//! yes/no that is neither, ids shared), so that which children are left
//! out is checked too.

use chrono::{Datelike, Days, NaiveDate};

use super::indicators::{financial_year_start, minus_months, plus_months};
use super::sample::{
    census_xml, child_xml, Dice, SimAssessment, SimChild, SimPlan, SimReferral, SimSection47,
};
use crate::calendar::BankHolidays;

fn shift(d: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        d.checked_add_days(Days::new(days as u64))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
    .unwrap_or(d)
}

/// Where the definitions turn, for the quarter ending `end`.
fn anchors(end: NaiveDate) -> Vec<NaiveDate> {
    let from = financial_year_start(end);
    let three = minus_months(end, 3);
    let mut out = vec![
        shift(from, -1),
        from,
        shift(from, 1),
        shift(end, -1),
        end,
        shift(end, 1),
        shift(three, -1),
        three,
        shift(three, 1),
        minus_months(end, 12),
        minus_months(end, 24),
        minus_months(from, 12),
        shift(minus_months(from, 24), 1),
    ];
    for year in [end.year() - 2, end.year() - 1, end.year()] {
        for (m, d) in [(2, 28), (2, 29), (8, 31), (4, 17), (12, 24), (5, 31)] {
            out.extend(NaiveDate::from_ymd_opt(year, m, d));
        }
    }
    out
}

/// Picks the edge cases, or now and then any day of the last three years.
struct Edges<'h> {
    dice: Dice,
    anchors: Vec<NaiveDate>,
    end: NaiveDate,
    holidays: &'h BankHolidays,
}

impl Edges<'_> {
    fn day(&mut self) -> NaiveDate {
        if self.dice.chance(0.6) {
            self.dice.pick(&self.anchors)
        } else {
            shift(minus_months(self.end, 36), self.dice.below(1_110) as i64)
        }
    }

    /// A day after `from`, by one of the spans the definitions use.
    fn after(&mut self, from: NaiveDate, working: &[u32]) -> NaiveDate {
        let d = &mut self.dice;
        match d.below(8) {
            0 | 1 => self.holidays.add_working_days(from, d.pick(working)),
            2 => {
                // A Saturday after the working day.
                let w = self.holidays.add_working_days(from, d.pick(working));
                let to_saturday = (5 + 7 - w.weekday().num_days_from_monday() as i64) % 7;
                shift(w, to_saturday)
            }
            3 => plus_months(from, d.pick(&[3, 6, 12, 24])),
            4 => shift(plus_months(from, d.pick(&[3, 6, 12, 24])), d.pick(&[-1, 1])),
            5 => shift(from, d.pick(&[0, 1])),
            // Now and then a day before: an end before its start.
            6 if d.chance(0.15) => shift(from, -1),
            _ => shift(from, d.below(420) as i64),
        }
    }

    fn referral(
        &mut self,
        date: NaiveDate,
        previous: &mut u32,
        last_end: &mut Option<Option<NaiveDate>>,
    ) -> SimReferral {
        let closed = match self.dice.below(5) {
            0 => None,
            _ => Some(self.after(date, &[5, 45])),
        };
        let mut r = SimReferral {
            date,
            source: self.dice.pick(&["1A", "4", "9", "11", ""]),
            need: self.dice.pick(&["N1", "N4", "X9"]),
            closed,
            reason: "RC1",
            nfa: self
                .dice
                .pick(&["true", "false", "1", "0", "TRUE", "False", ""]),
            assessments: Vec::new(),
            section47: Vec::new(),
            plans: Vec::new(),
        };
        for _ in 0..self.dice.below(3) {
            let start = if self.dice.chance(0.5) {
                shift(date, self.dice.below(4) as i64)
            } else {
                self.day()
            };
            let authorised =
                (!self.dice.chance(0.2)).then(|| self.after(start, &[0, 1, 44, 45, 46, 47]));
            r.assessments.push(SimAssessment { start, authorised });
        }
        if self.dice.chance(0.5) {
            let start = if self.dice.chance(0.5) {
                date
            } else {
                self.day()
            };
            let conference = (!self.dice.chance(0.2)).then(|| self.after(start, &[14, 15, 16]));
            let not_required = self.dice.pick(&["false", "0", "", "true", "1"]);
            r.section47.push(SimSection47 {
                start,
                conference,
                not_required,
            });
        }
        for _ in 0..self.dice.below(3) {
            let start = match *last_end {
                // After the plan before: the day it ended is an overlap.
                Some(Some(e)) if self.dice.chance(0.8) => {
                    shift(e, self.dice.pick(&[0, 1, 2, 30, 200]))
                }
                _ => self.day(),
            };
            let plan = self.plan(start, *previous);
            *previous += 1;
            *last_end = Some(plan.end);
            r.plans.push(plan);
        }
        r
    }

    fn plan(&mut self, start: NaiveDate, previous: u32) -> SimPlan {
        let end = match self.dice.below(4) {
            0 => None,
            _ => Some(self.after(start, &[10, 100])),
        };
        let mut reviews = Vec::new();
        let mut due = plus_months(start, 3);
        for _ in 0..self.dice.below(5) {
            let held = shift(due, self.dice.pick(&[-1, 0, 0, 1, -20, -60]));
            // Mostly none after the plan ended: that leaves a child out.
            if end.is_some_and(|e| held > e) && self.dice.chance(0.9) {
                break;
            }
            reviews.push(held);
            due = plus_months(held, 6);
        }
        let previous = if self.dice.chance(0.5) {
            previous
        } else {
            self.dice.pick(&[0, 1])
        };
        SimPlan {
            start,
            end,
            previous,
            category: self.dice.pick(&["NEG", "PHY", "XYZ"]),
            reviews,
        }
    }

    fn child(&mut self, i: usize) -> SimChild {
        let id = if self.dice.chance(0.04) {
            format!("EDGE-TWIN-{}", self.dice.below(3))
        } else {
            format!("EDGE{i:06}")
        };
        let mut c = SimChild {
            id,
            birth: shift(self.end, -5_000),
            sex: 1,
            referrals: Vec::new(),
        };
        let mut date = self.day();
        let (mut previous, mut last_end) = (0, None);
        for _ in 0..1 + self.dice.below(3) {
            c.referrals
                .push(self.referral(date, &mut previous, &mut last_end));
            let gap = self.dice.pick(&[0i64, 1, -1, 0, 0, 30, 400]);
            date = match self.dice.below(3) {
                0 => shift(plus_months(date, 12), gap.signum()),
                1 => shift(date, gap),
                _ => shift(date, self.dice.below(700) as i64),
            };
        }
        c
    }

    /// The child's XML with one value spoiled: a date that is no date or
    /// blank, a yes/no that is neither, a count that is none, no id.
    fn spoil(&mut self, xml: &str) -> String {
        let lines: Vec<&str> = xml.lines().collect();
        let spoilable: Vec<usize> = (0..lines.len())
            .filter(|i| lines[*i].contains("</"))
            .filter(|i| {
                ["Date>", "NFA>", "Required>", "PreviousCPP>", "LAchildID>"]
                    .iter()
                    .any(|k| lines[*i].contains(k))
            })
            .collect();
        if spoilable.is_empty() {
            return xml.to_string();
        }
        let at = spoilable[self.dice.below(spoilable.len() as u64) as usize];
        let line = lines[at];
        let bad = if line.contains("Date>") {
            self.dice
                .pick(&["2014-02-30", "2014-4-01", "01/04/2014", "", "2015-02-29"])
        } else if line.contains("PreviousCPP>") {
            self.dice.pick(&["", "-1", "1.5", "one"])
        } else if line.contains("LAchildID>") {
            ""
        } else {
            self.dice.pick(&["yes", "Y", "2"])
        };
        let (open, rest) = line.split_once('>').unwrap_or((line, ""));
        let close = rest.find("</").map_or("", |p| &rest[p..]);
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        out[at] = format!("{open}>{bad}{close}");
        out.join("\n") + "\n"
    }
}

/// A census of `n` invented children crowded onto the edges of the
/// definitions for the quarter ending `end`, a few of them spoiled.
pub fn edge_census(n: usize, seed: u64, end: NaiveDate, holidays: &BankHolidays) -> String {
    let mut edges = Edges {
        dice: Dice::new(seed),
        anchors: anchors(end),
        end,
        holidays,
    };
    let mut children = String::new();
    for i in 0..n {
        let c = edges.child(i);
        let mut xml = String::new();
        child_xml(&mut xml, &c);
        if edges.dice.chance(0.08) {
            xml = edges.spoil(&xml);
        }
        children.push_str(&xml);
    }
    census_xml(&[], end, &children)
}
