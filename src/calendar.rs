//! Working days: Monday to Friday, less the bank holidays of England and
//! Wales listed in `templates/bank-holidays.csv`, which a council amends
//! when a holiday is announced or moved.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;

/// The file listing the bank holidays.
pub const BANK_HOLIDAYS_FILE: &str = "bank-holidays.csv";

/// The bank holidays, and the years the list covers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BankHolidays {
    days: BTreeSet<NaiveDate>,
}

impl BankHolidays {
    /// A list from its days (tests and the benchmark).
    pub fn from_days(days: impl IntoIterator<Item = NaiveDate>) -> BankHolidays {
        BankHolidays {
            days: days.into_iter().collect(),
        }
    }

    /// Reads `bank-holidays.csv`: `date,name` lines with the date as
    /// `YYYY-MM-DD`, `#` lines as notes. Every mistake is named by its line
    /// (`None`: the whole file), for the templates to report.
    pub fn parse(text: &str) -> Result<BankHolidays, Vec<(Option<usize>, String)>> {
        let mut days = BTreeSet::new();
        let mut errors = Vec::new();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let mut lines = crate::lines::Lines::new(text);
        let mut first = true;
        for record in reader.records() {
            let Ok(record) = record else {
                errors.push((None, "cannot be read as a list of dates and names; write each holiday on its own line as YYYY-MM-DD, a comma and its name".into()));
                break;
            };
            let line = lines.of(record.position().map_or(0, |p| p.byte())) as usize;
            let date = record.get(0).unwrap_or("").trim_start_matches('\u{feff}');
            if std::mem::take(&mut first) && date.eq_ignore_ascii_case("date") {
                continue;
            }
            match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
                Ok(d) if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) => {
                    errors.push((Some(line), format!(
                        "{date} is a {}; a bank holiday that falls at a weekend is replaced by a substitute weekday, so list that day instead",
                        d.format("%A")
                    )))
                }
                Ok(d) => {
                    days.insert(d);
                }
                Err(_) => errors.push((Some(line), format!(
                    "\"{date}\" is not a date; write each holiday as YYYY-MM-DD, a comma and its name, e.g. 2014-12-25,Christmas Day"
                ))),
            }
        }
        if errors.is_empty() && days.is_empty() {
            errors.push((None, "lists no bank holidays; it needs one line per holiday, e.g. 2014-12-25,Christmas Day".into()));
        }
        if errors.is_empty() {
            Ok(BankHolidays { days })
        } else {
            Err(errors)
        }
    }

    pub fn is_holiday(&self, day: NaiveDate) -> bool {
        self.days.contains(&day)
    }

    /// Monday to Friday and not a bank holiday.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_holiday(day)
    }

    /// The day `n` working days after `start`, the start being day 0: the
    /// `n`th working day counted from the day after it.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut counted = 0;
        while counted < n {
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => return day,
            }
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }

    /// The working days after `from`, up to and including `to`: `from`
    /// never counts, so the same day is 0 (and so is any `to` before it).
    /// Counted by whole weeks, then the holidays in between, so a span of
    /// years costs no more than a span of days.
    pub fn working_days(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let Some(first) = from.succ_opt().filter(|f| *f <= to) else {
            return 0;
        };
        let days = (to - from).num_days();
        let weeks = days / 7;
        let mut count = weeks * 5;
        let mut day = first + chrono::Duration::days(weeks * 7);
        while day <= to {
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                count += 1;
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        let holidays = self
            .days
            .range(first..=to)
            .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            .count();
        count - holidays as i64
    }

    /// The first and last years the list holds a holiday in.
    pub fn years(&self) -> Option<(i32, i32)> {
        Some((self.days.first()?.year(), self.days.last()?.year()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn twenty_working_days_skip_weekends_and_holidays() {
        let hols = BankHolidays::from_days([d(2014, 4, 18), d(2014, 4, 21)]);
        // Monday 7 April 2014 is day 0. Working days from Tuesday 8 April:
        // 8-11 (4), 14-17 (8), Good Friday 18 and Easter Monday 21 are not,
        // 22-25 (12), 28 Apr-2 May (17), 5 May is Early May bank holiday but
        // not in this list, so 5, 6, 7 make 18, 19, 20: due Wednesday 7 May.
        assert_eq!(hols.add_working_days(d(2014, 4, 7), 20), d(2014, 5, 7));
        // With nothing listed, the same count ends two days sooner (5 May).
        assert_eq!(
            BankHolidays::default().add_working_days(d(2014, 4, 7), 20),
            d(2014, 5, 5)
        );
    }

    #[test]
    fn working_days_from_a_start_to_a_day() {
        let hols = BankHolidays::from_days([
            d(2014, 4, 18),
            d(2014, 4, 21),
            d(2014, 5, 5),
            d(2014, 5, 26),
        ]);
        // cin.md's example: from Thursday 17 April 2014.
        let start = d(2014, 4, 17);
        assert_eq!(hols.working_days(start, d(2014, 6, 25)), 45);
        assert_eq!(hols.working_days(start, d(2014, 6, 26)), 46);
        assert_eq!(hols.working_days(start, d(2014, 6, 27)), 47);
        assert_eq!(hols.working_days(start, d(2014, 6, 28)), 47);
        assert_eq!(hols.working_days(start, start), 0);
        assert_eq!(hols.working_days(start, d(2014, 4, 1)), 0);
        // Against counting day by day, over every span up to 400 days.
        let from = d(2014, 3, 29);
        for n in 0..400 {
            let to = from + chrono::Duration::days(n);
            let slow = (1..=n)
                .map(|k| from + chrono::Duration::days(k))
                .filter(|x| hols.is_working_day(*x))
                .count() as i64;
            assert_eq!(hols.working_days(from, to), slow, "{to}");
        }
    }

    #[test]
    fn mistakes_are_named_by_line() {
        let text = "# notes\ndate,name\n2014-12-25,Christmas Day\n25/12/2014,Christmas\n2014-12-27,Saturday\n";
        let errors = BankHolidays::parse(text).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].0, Some(4));
        assert!(errors[0].1.contains("\"25/12/2014\" is not a date"));
        assert_eq!(errors[1].0, Some(5));
        assert!(errors[1].1.contains("Saturday"), "{}", errors[1].1);
    }

    #[test]
    fn the_shipped_list_parses_and_covers_every_accepted_year() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("templates")
            .join(BANK_HOLIDAYS_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        let hols = BankHolidays::parse(&text).unwrap();
        assert_eq!(
            hols.years(),
            Some((crate::period::FIRST_YEAR, crate::period::LAST_YEAR))
        );
        // 2014: Christmas Thursday, Boxing Day Friday; 2015: Boxing Day
        // falls on Saturday, so Monday 28 December is the substitute.
        assert!(hols.is_holiday(d(2014, 12, 26)));
        assert!(hols.is_holiday(d(2015, 12, 28)));
        assert!(hols.is_holiday(d(2012, 6, 5)));
    }
}
