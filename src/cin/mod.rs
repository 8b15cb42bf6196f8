//! Figures from the children in need census: seven help-and-protection
//! indicators worked out from the children's own records, as `cin.md`
//! defines them.
//!
//! ```text
//!  inputs/<quarter>/cin/*.xml
//!        │ read (guarded: size, encoding, DOCTYPE, depth, cut short)
//!        ▼
//!  model::Census ──► check ──► model::Checked ──► indicators ──► Computed (×7)
//!  (every element's    (left out,   (children who      (TS2 TS3 TS4 TS5
//!   text and line)      and why)     pass, as dates)    TS6 TS22 TS23)
//! ```
//!
//! [`load`] does the whole of it for one file and a quarter, and refuses a
//! census that cannot be used whole ([`Refusal`]): damaged, cut short, too
//! deep, unreadable, with no `Child`, with no child left to count, or with
//! more than the allowed share of children left out. Every problem's
//! message is free of child ids and values, so problems may be printed and
//! recorded anywhere; the child and the value travel beside each one for
//! the restricted feedback only. [`sample`] invents censuses for the
//! sample quarters, the benchmark and the tests.

use std::path::Path;

use serde::Serialize;

use crate::calendar::BankHolidays;
use crate::diagnostic::Diagnostic;
use crate::period::Period;
use crate::records::{ExtractFile, TooFew};

pub mod check;
pub mod edges;
pub mod indicators;
pub mod model;
pub mod read;
pub mod sample;
pub mod source;

use indicators::Computed;
use model::{Checked, Reason};

/// Settings for child-level extracts, from `templates/scorecard.toml`: the
/// share of children that may be left out before an extract is refused.
pub use crate::config::ChildRecords as Rules;

/// Why a census cannot be used at all, in words that quote nothing from it.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The file could not be read whole, or holds no `Child`:
    /// `(file, what is wrong)`.
    Damaged(String, String),
    /// Its quarter cannot be told.
    NoQuarter,
    /// Too few children left to count.
    TooFew(TooFew),
}

impl Refusal {
    /// The reason in words, e.g. "cin.xml was cut short".
    pub fn describe(&self) -> String {
        match self {
            Refusal::Damaged(file, why) => format!("{file} {why}"),
            Refusal::NoQuarter => "its quarter cannot be told from its folder or file name".into(),
            Refusal::TooFew(t) => t.describe(),
        }
    }
}

/// What became of a census file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    Used,
    /// It cannot be used at all (see [`Refusal`]); its figures come from
    /// the returns. `because` names no child and quotes no value.
    Refused {
        because: String,
    },
    /// The XML is not a census at all: not read.
    NotACensus,
}

/// One census file, read, checked and worked out for its quarter.
#[derive(Debug, Clone)]
pub struct Extract {
    pub name: String,
    pub period: Option<Period>,
    pub status: Status,
    pub file: Option<ExtractFile>,
    /// Problems with the file and the quarter (errors and warnings),
    /// located; the children's own are in `checked`.
    pub problems: Vec<Diagnostic>,
    pub checked: Checked,
    /// The seven figures, for the quarter's last day; none when refused.
    pub figures: Vec<Computed>,
}

impl Extract {
    /// The figure for a ref, when the census was used.
    pub fn figure(&self, reference: &str) -> Option<&Computed> {
        if self.status != Status::Used {
            return None;
        }
        self.figures.iter().find(|f| f.reference == reference)
    }

    /// `Child` elements in the census.
    pub fn children(&self) -> usize {
        self.checked.children_in_extract
    }

    /// Every problem, in file and line order, for feedback.
    pub fn all_problems(&self) -> Vec<&Diagnostic> {
        let mut all: Vec<&Diagnostic> = self
            .problems
            .iter()
            .chain(self.checked.left_out.iter().flat_map(|l| &l.problems))
            .chain(&self.checked.warnings)
            .collect();
        all.sort_by(|a, b| (a.file_name(), a.line()).cmp(&(b.file_name(), b.line())));
        all
    }

    /// Children left out, counted under their main reason.
    pub fn left_out_by_reason(&self) -> Vec<(Reason, usize)> {
        Reason::ALL
            .iter()
            .map(|r| {
                let n = self
                    .checked
                    .left_out
                    .iter()
                    .filter(|l| l.main_reason() == *r)
                    .count();
                (*r, n)
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Drops the children and everything behind each figure, keeping the
    /// figures, counts and problems.
    pub fn forget_children(&mut self) {
        self.checked.children = Vec::new();
        for f in &mut self.figures {
            f.members = Vec::new();
        }
    }
}

fn empty(name: &str, period: Option<Period>) -> Extract {
    Extract {
        name: name.to_string(),
        period,
        status: Status::Used,
        file: None,
        problems: Vec::new(),
        checked: Checked::default(),
        figures: Vec::new(),
    }
}

/// Reads, checks and works out one census file for `period`; or refuses
/// it. A reader that panics on a strange file is caught above, by
/// [`crate::records::load_all`], like every source's: one strange file
/// never stops the run.
pub fn load(
    path: &Path,
    name: &str,
    period: Option<Period>,
    holidays: &BankHolidays,
    rules: Rules,
) -> Extract {
    let read = read::read_file(path, name);
    let mut e = empty(name, period);
    e.file = read.file;
    e.problems = read.problems;
    if read.not_a_census {
        e.status = Status::NotACensus;
        return e;
    }
    let mut refusals: Vec<Refusal> = read.refusal.into_iter().collect();
    if period.is_none() {
        refusals.push(Refusal::NoQuarter);
        e.problems.push(Diagnostic::error("cin-quarter", "The quarter of this census cannot be told, so it was refused: put it in a folder named after its quarter, e.g. inputs/2014-15-Q2/cin/, or name the file after it, e.g. CIN census 2014-15-Q2.xml.").in_file(name));
    }
    let (Some(census), Some(period), true) = (read.census, period, refusals.is_empty()) else {
        refuse(&mut e, &refusals);
        return e;
    };
    e.checked = check::check(&census);
    let too_few = TooFew::judge(
        e.checked.children.len(),
        e.checked.children_in_extract,
        e.checked.left_out.len(),
        rules,
    );
    if let Some(t) = too_few {
        refuse(&mut e, &[Refusal::TooFew(t)]);
        return e;
    }
    let end = period.last_day();
    e.problems
        .extend(check::quarter_warnings(&census, &e.checked, end));
    e.figures = indicators::compute(&e.checked, end, holidays);
    e
}

/// Marks a census refused, with the problem that says why when no file
/// problem says so already.
fn refuse(e: &mut Extract, refusals: &[Refusal]) {
    for r in refusals {
        if let Refusal::TooFew(t) = r {
            e.problems.push(t.problem("cin-refused", "census", &e.name));
        }
    }
    let because: Vec<String> = refusals.iter().map(Refusal::describe).collect();
    e.status = Status::Refused {
        because: because.join("; "),
    };
}

#[cfg(test)]
mod cases;
#[cfg(test)]
mod public;
#[cfg(test)]
mod reference;
