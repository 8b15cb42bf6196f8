//! Financial-year quarters: the unit every figure is reported against.
//!
//! Council performance runs April to March, so `2014-15 Q1` is April–June
//! 2014. Returns spell periods many ways; this module accepts the forms the
//! contract lists (case and spacing ignored) and nothing looser, so that a
//! mistyped period is reported rather than guessed.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Earliest and latest financial years a return may name. Anything outside is
/// almost certainly a typing mistake (`2104-05`), so it is refused.
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2099;

/// One quarter of a financial year. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// The calendar year the financial year starts in (2014 for 2014-15).
    start_year: i32,
    /// 1 to 4.
    quarter: u8,
}

/// Why a piece of text is not a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("\"{0}\" is not a period; write it as 2014-15 Q2 (financial year, then quarter 1-4)")]
    Unreadable(String),
    #[error("\"{found}\" is not a financial year: the second year must follow the first (write {expected})")]
    YearsDoNotFollow { found: String, expected: String },
    #[error("\"{0}\" names a quarter other than 1, 2, 3 or 4; write it as 2014-15 Q2")]
    BadQuarter(String),
    #[error("\"{0}\" is outside the years this tool accepts ({FIRST_YEAR} to {LAST_YEAR}); check the year")]
    OutOfRange(String),
}

impl Period {
    /// A period from the starting calendar year and quarter number.
    pub fn new(start_year: i32, quarter: u8) -> Result<Period, PeriodError> {
        let text = format!("{start_year} Q{quarter}");
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError::BadQuarter(text));
        }
        if !(FIRST_YEAR..=LAST_YEAR).contains(&start_year) {
            return Err(PeriodError::OutOfRange(text));
        }
        Ok(Period {
            start_year,
            quarter,
        })
    }

    pub fn start_year(self) -> i32 {
        self.start_year
    }

    pub fn quarter(self) -> u8 {
        self.quarter
    }

    /// The financial year as printed: `2014-15`.
    pub fn year_label(self) -> String {
        format!("{}-{:02}", self.start_year, (self.start_year + 1) % 100)
    }

    /// The label shown in every document: `2014-15 Q2`.
    pub fn label(self) -> String {
        format!("{} Q{}", self.year_label(), self.quarter)
    }

    /// The id used for folder names: `2014-15-Q2`.
    pub fn id(self) -> String {
        format!("{}-Q{}", self.year_label(), self.quarter)
    }

    /// The quarter a date falls in (clamped to the accepted years).
    pub fn containing(date: NaiveDate) -> Period {
        use chrono::Datelike;
        let (year, month) = (date.year(), date.month());
        let (start_year, quarter) = match month {
            4..=6 => (year, 1),
            7..=9 => (year, 2),
            10..=12 => (year, 3),
            _ => (year - 1, 4),
        };
        Period {
            start_year: start_year.clamp(FIRST_YEAR, LAST_YEAR),
            quarter,
        }
    }

    /// The quarter before this one.
    pub fn previous(self) -> Period {
        if self.quarter == 1 {
            Period {
                start_year: self.start_year - 1,
                quarter: 4,
            }
        } else {
            Period {
                start_year: self.start_year,
                quarter: self.quarter - 1,
            }
        }
    }

    /// The quarter after this one.
    pub fn next(self) -> Period {
        if self.quarter == 4 {
            Period {
                start_year: self.start_year + 1,
                quarter: 1,
            }
        } else {
            Period {
                start_year: self.start_year,
                quarter: self.quarter + 1,
            }
        }
    }

    /// The same quarter a year earlier.
    pub fn year_earlier(self) -> Period {
        Period {
            start_year: self.start_year - 1,
            quarter: self.quarter,
        }
    }

    /// First day of the quarter (Q1 starts 1 April).
    pub fn first_day(self) -> NaiveDate {
        let (year, month) = self.calendar_start();
        NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Last day of the quarter (Q1 ends 30 June).
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    fn calendar_start(self) -> (i32, u32) {
        match self.quarter {
            1 => (self.start_year, 4),
            2 => (self.start_year, 7),
            3 => (self.start_year, 10),
            _ => (self.start_year + 1, 1),
        }
    }

    /// Parses any accepted spelling: `2014-15 Q2`, `2014/15 Q2`, `Q2 2014-15`,
    /// `Q2 2014/15`, `2014-15 Quarter 2`, `2014/15 Quarter 2`, `2014-15-Q2`.
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let unreadable = || PeriodError::Unreadable(text.trim().to_string());
        let norm: String = text
            .trim()
            .to_ascii_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        // Split into a year part and a quarter part, in either order.
        let (year_part, quarter_part) = if let Some(rest) = norm.strip_prefix('q') {
            // "q2 2014-15"
            let (q, y) = rest.split_once(' ').ok_or_else(unreadable)?;
            (y.trim().to_string(), q.trim().to_string())
        } else if let Some((y, q)) = norm.split_once(" quarter ") {
            (y.trim().to_string(), q.trim().to_string())
        } else if let Some((y, q)) = norm.rsplit_once(" q") {
            (y.trim().to_string(), q.trim().to_string())
        } else if let Some((y, q)) = norm.rsplit_once("-q") {
            // "2014-15-q2"
            (y.trim().to_string(), q.trim().to_string())
        } else {
            return Err(unreadable());
        };
        let quarter: u8 = quarter_part.parse().map_err(|_| unreadable())?;
        let (first, second) = year_part.split_once(['-', '/']).ok_or_else(unreadable)?;
        if first.len() != 4
            || second.len() != 2
            || !first.bytes().all(|b| b.is_ascii_digit())
            || !second.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(unreadable());
        }
        let start_year: i32 = first.parse().map_err(|_| unreadable())?;
        let end: i32 = second.parse().map_err(|_| unreadable())?;
        if (start_year + 1) % 100 != end {
            return Err(PeriodError::YearsDoNotFollow {
                found: text.trim().to_string(),
                expected: format!("{}-{:02}", start_year, (start_year + 1) % 100),
            });
        }
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError::BadQuarter(text.trim().to_string()));
        }
        if !(FIRST_YEAR..=LAST_YEAR).contains(&start_year) {
            return Err(PeriodError::OutOfRange(text.trim().to_string()));
        }
        Ok(Period {
            start_year,
            quarter,
        })
    }

    /// The periods from `self` back `count - 1` quarters, oldest first.
    pub fn trailing(self, count: usize) -> Vec<Period> {
        let mut out = Vec::with_capacity(count);
        let mut p = self;
        for _ in 0..count {
            out.push(p);
            p = p.previous();
        }
        out.reverse();
        out
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.label())
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Period::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_listed_spelling() {
        let want = Period::new(2014, 2).unwrap();
        for text in [
            "2014-15 Q2",
            "2014/15 Q2",
            "Q2 2014-15",
            "Q2 2014/15",
            "2014-15 Quarter 2",
            "2014/15 Quarter 2",
            "2014-15-Q2",
            "  2014-15   q2 ",
            "q2 2014/15",
            "2014-15 QUARTER 2",
        ] {
            assert_eq!(Period::parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_other_spellings_and_quotes_them() {
        for text in [
            "Sept 2014",
            "2014 Q2",
            "Q5 2014-15",
            "2014-16 Q2",
            "",
            "2014-15",
        ] {
            let err = Period::parse(text).unwrap_err().to_string();
            assert!(err.contains(text.trim()), "{err}");
        }
        assert!(matches!(
            Period::parse("2014-16 Q2"),
            Err(PeriodError::YearsDoNotFollow { .. })
        ));
        assert!(matches!(
            Period::parse("2104-05 Q2"),
            Err(PeriodError::OutOfRange(_))
        ));
        assert!(matches!(
            Period::parse("2014-15 Q0"),
            Err(PeriodError::BadQuarter(_))
        ));
    }

    #[test]
    fn labels_ids_and_neighbours() {
        let p = Period::new(2014, 1).unwrap();
        assert_eq!(p.label(), "2014-15 Q1");
        assert_eq!(p.id(), "2014-15-Q1");
        assert_eq!(p.previous().label(), "2013-14 Q4");
        assert_eq!(p.previous().next(), p);
        assert_eq!(p.year_earlier().label(), "2013-14 Q1");
        assert_eq!(p.first_day().to_string(), "2014-04-01");
        assert_eq!(p.last_day().to_string(), "2014-06-30");
        let q4 = Period::new(1999 + 1, 4).unwrap();
        assert_eq!(q4.last_day().to_string(), "2001-03-31");
        assert_eq!(
            Period::new(1999, 9).unwrap_err(),
            PeriodError::BadQuarter("1999 Q9".into())
        );
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(Period::containing(d("2014-11-25")).label(), "2014-15 Q3");
        assert_eq!(Period::containing(d("2015-03-31")).label(), "2014-15 Q4");
        assert_eq!(Period::containing(d("2014-04-01")).label(), "2014-15 Q1");
        let t = Period::new(2014, 2).unwrap().trailing(3);
        let labels: Vec<_> = t.iter().map(|p| p.label()).collect();
        assert_eq!(labels, ["2013-14 Q4", "2014-15 Q1", "2014-15 Q2"]);
    }
}
