//! The extract's children as the figures see them, once their rows have
//! passed the checks in [`super::check`]: episodes, reviews,
//! health checks, care leavers, and why a child was left out.

use chrono::NaiveDate;
use serde::Serialize;

use crate::diagnostic::Diagnostic;

pub const RNE_CODES: &[&str] = &["S", "L", "P", "T", "U", "B"];
pub const LS_CODES: &[&str] = &[
    "C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4",
];
pub const PLACE_CODES: &[&str] = &[
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0",
    "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
];
pub const REC_CODES: &[&str] = &[
    "X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "E13", "E14",
    "E15", "E16", "E17", "E41", "E45", "E46", "E47", "E48",
];

/// Why a child was left out, as counted in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// A date that is not a real date, or a blank DOB or DECOM.
    BadDate,
    /// An episode ending before it began.
    EndsBeforeStart,
    /// Two episodes overlapping.
    Overlap,
    /// A code that is not one of the Department's.
    BadCode,
    /// Episodes for a child with no header row.
    NoHeader,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::BadDate,
        Reason::EndsBeforeStart,
        Reason::Overlap,
        Reason::BadCode,
        Reason::NoHeader,
    ];

    /// The rule id its problems carry.
    pub fn rule(self) -> &'static str {
        match self {
            Reason::BadDate => "ssda903-date",
            Reason::EndsBeforeStart => "ssda903-ends-before-start",
            Reason::Overlap => "ssda903-overlap",
            Reason::BadCode => "ssda903-code",
            Reason::NoHeader => "ssda903-no-header",
        }
    }

    /// How the report words it: "a date that could not be read".
    pub fn describe(self) -> &'static str {
        match self {
            Reason::BadDate => "a date that could not be read, or no date of birth or start date",
            Reason::EndsBeforeStart => "an episode ending before it began",
            Reason::Overlap => "episodes that overlap",
            Reason::BadCode => "a code that is not one of the Department's",
            Reason::NoHeader => "episodes but no header row",
        }
    }
}

/// One episode of care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    pub decom: NaiveDate,
    pub dec: Option<NaiveDate>,
    /// The codes, as the constants of the lists above ("" when blank).
    pub rne: &'static str,
    pub ls: &'static str,
    pub place: &'static str,
    pub rec: &'static str,
}

impl Episode {
    /// DECOM ≤ day and (DEC blank or DEC > day).
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.decom <= day && self.dec.is_none_or(|d| d > day)
    }

    /// LS V3 or V4: a short break.
    pub fn short_break(&self) -> bool {
        matches!(self.ls, "V3" | "V4")
    }

    /// RNE S, P, T, U or B, and not a short break.
    pub fn new_placement(&self) -> bool {
        matches!(self.rne, "S" | "P" | "T" | "U" | "B") && !self.short_break()
    }

    /// PLACE A3 to A6.
    pub fn for_adoption(&self) -> bool {
        matches!(self.place, "A3" | "A4" | "A5" | "A6")
    }

    /// REC E11 or E12.
    pub fn adopted(&self) -> bool {
        matches!(self.rec, "E11" | "E12")
    }
}

/// Health and dental checks for a child looked after 12 months or more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oc2 {
    pub health_check: String,
    pub teeth_check: String,
}

pub use crate::records::figure::ChildId;

/// A child whose rows passed the checks.
#[derive(Debug, Clone)]
pub struct Child {
    pub id: ChildId,
    pub dob: NaiveDate,
    /// In DECOM order.
    pub episodes: Vec<Episode>,
    /// Reviews held, in date order.
    pub reviews: Vec<NaiveDate>,
    pub oc2: Option<Oc2>,
    /// Days placed for adoption, in date order.
    pub placed: Vec<NaiveDate>,
}

/// An oc3 row: a care leaver.
#[derive(Debug, Clone)]
pub struct CareLeaver {
    pub id: ChildId,
    pub dob: Option<NaiveDate>,
    pub activ: String,
    pub accom: String,
}

/// A child left out of every figure, with its problems.
#[derive(Debug, Clone)]
pub struct LeftOut {
    pub id: String,
    pub reasons: Vec<Reason>,
    pub problems: Vec<Diagnostic>,
}

impl LeftOut {
    /// The reason it is counted under in the report: the first in
    /// [`Reason::ALL`] order, so each child is counted once.
    pub fn main_reason(&self) -> Reason {
        self.reasons
            .iter()
            .copied()
            .min()
            .unwrap_or(Reason::BadDate)
    }
}

/// The extract's children, checked.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub children: Vec<Child>,
    pub care_leavers: Vec<CareLeaver>,
    pub left_out: Vec<LeftOut>,
    /// Warnings: rows not used, located.
    pub warnings: Vec<Diagnostic>,
    /// Distinct children in the header and episodes lists.
    pub children_in_extract: usize,
}

/// Reads `dd/mm/yyyy` (one-digit day and month allowed) or `yyyy-mm-dd`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    // Nearly every date in an export is exactly `dd/mm/yyyy`: read those
    // straight from their digits.
    if let [d1, d2, b'/', m1, m2, b'/', y1, y2, y3, y4] = *text.as_bytes() {
        let digits = [d1, d2, m1, m2, y1, y2, y3, y4];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
            let year = n(y1, y2) * 100 + n(y3, y4);
            return NaiveDate::from_ymd_opt(year as i32, n(m1, m2), n(d1, d2));
        }
    }
    parse_date_slowly(text)
}

/// Every other spelling [`parse_date`] accepts.
fn parse_date_slowly(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let t = t.split_once(' ').map_or(t, |(d, _)| d);
    let parts: Vec<&str> = t.split(['/', '-']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n = |s: &str| s.parse::<u32>().ok();
    if parts[0].len() == 4 && t.contains('-') {
        NaiveDate::from_ymd_opt(parts[0].parse().ok()?, n(parts[1])?, n(parts[2])?)
    } else if parts[2].len() == 4 && t.contains('/') && parts[0].len() <= 2 && parts[1].len() <= 2 {
        NaiveDate::from_ymd_opt(parts[2].parse().ok()?, n(parts[1])?, n(parts[0])?)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_day_first() {
        assert_eq!(
            parse_date("29/02/2012"),
            NaiveDate::from_ymd_opt(2012, 2, 29)
        );
        assert_eq!(parse_date("1/4/2014"), NaiveDate::from_ymd_opt(2014, 4, 1));
        assert_eq!(
            parse_date("2014-04-01"),
            NaiveDate::from_ymd_opt(2014, 4, 1)
        );
        assert_eq!(parse_date("29/02/2013"), None);
        assert_eq!(parse_date("31/04/2014"), None);
        assert_eq!(parse_date("04/31/2014"), None);
        assert_eq!(parse_date("2014/04/01"), None);
        assert_eq!(parse_date("n/a"), None);
        assert_eq!(parse_date(""), None);
    }
}
