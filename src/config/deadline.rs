//! When each quarter's returns are due: the optional `[returns_due]`
//! table of `templates/scorecard.toml`.
//!
//! ```toml
//! [returns_due]
//! days_after_quarter_end = 14
//! [returns_due.dates]
//! "2014-15-Q3" = 2015-01-16   # this quarter only, e.g. for Christmas
//! ```
//!
//! The status page (`returns.html`) shows the deadline and which services
//! are late against it. Nothing else depends on it: without the table the
//! page simply gives no deadline.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::TemplateError;
use crate::period::Period;

/// The `[returns_due]` table as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnsDue {
    /// Returns are due this many days after the last day of the quarter
    /// (read as any TOML value, so that a mistake is reported by its name).
    #[serde(default)]
    pub days_after_quarter_end: Option<toml::Value>,
    /// A date for a particular quarter, overriding the days: quarter id
    /// (or any form a return may use) to `YYYY-MM-DD`.
    #[serde(default)]
    pub dates: BTreeMap<String, toml::Value>,
}

/// Most days after a quarter's end a deadline may be: the next quarter's
/// returns would be due before this one's.
const MOST_DAYS: i64 = 91;

impl ReturnsDue {
    /// The day `period`'s returns are due, if the templates give one.
    pub fn due(&self, period: Period) -> Option<NaiveDate> {
        for (key, value) in &self.dates {
            if Period::parse(key).ok() == Some(period) {
                return date_of(value);
            }
        }
        self.days()
            .map(|days| period.last_day() + chrono::Duration::days(days))
    }

    /// The number of days, when it is one in range.
    fn days(&self) -> Option<i64> {
        self.days_after_quarter_end
            .as_ref()
            .and_then(toml::Value::as_integer)
            .filter(|d| (0..=MOST_DAYS).contains(d))
    }

    /// Checks what serde cannot: the days are in range, each key is a
    /// quarter and each value a date. Errors name the file, line and key.
    pub fn check(&self, file: &Path, text: &str, errors: &mut Vec<TemplateError>) {
        let line_of = |path: &[&str]| super::place::line_in_toml(text, path, None);
        if let Some(days) = &self.days_after_quarter_end {
            if self.days().is_none() {
                errors.push(TemplateError {
                    file: file.to_path_buf(),
                    line: line_of(&["returns_due", "days_after_quarter_end"]),
                    message: format!(
                        "[returns_due] days_after_quarter_end is {days}; give the number of days after a quarter's last day that its returns are due, from 0 to {MOST_DAYS} (e.g. 14)"
                    ),
                });
            }
        }
        for (key, value) in &self.dates {
            let line = line_of(&["returns_due", "dates", key]);
            if let Err(e) = Period::parse(key) {
                errors.push(TemplateError {
                    file: file.to_path_buf(),
                    line,
                    message: format!(
                        "[returns_due.dates] \"{key}\" is not a quarter ({e}); write it as \"2014-15-Q3\""
                    ),
                });
            }
            if date_of(value).is_none() {
                errors.push(TemplateError {
                    file: file.to_path_buf(),
                    line,
                    message: format!(
                        "[returns_due.dates] \"{key}\" = {value} is not a date; write it as 2015-01-16 (year, month, day)"
                    ),
                });
            }
        }
    }
}

/// A TOML date (`2015-01-16`) or the same as text (`"2015-01-16"`).
fn date_of(value: &toml::Value) -> Option<NaiveDate> {
    let text = match value {
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        _ => return None,
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ReturnsDue {
        #[derive(Deserialize)]
        struct File {
            returns_due: ReturnsDue,
        }
        toml::from_str::<File>(text).unwrap().returns_due
    }

    #[test]
    fn days_after_the_quarter_and_dates_for_one_quarter() {
        let due = parse(
            "[returns_due]\ndays_after_quarter_end = 14\n[returns_due.dates]\n\"2014-15-Q3\" = 2015-01-16\n\"Q4 2014/15\" = \"2015-04-20\"\n",
        );
        let q = |id: &str| Period::parse(id).unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(due.due(q("2014-15-Q2")), d(2014, 10, 14));
        assert_eq!(due.due(q("2014-15-Q3")), d(2015, 1, 16));
        assert_eq!(due.due(q("2014-15-Q4")), d(2015, 4, 20));
        let mut errors = Vec::new();
        due.check(Path::new("scorecard.toml"), "", &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(ReturnsDue::default().due(q("2014-15-Q2")), None);
    }

    #[test]
    fn mistakes_name_the_key_and_line() {
        let text = "[returns_due]\ndays_after_quarter_end = 200\n[returns_due.dates]\n\"Sept\" = 2015-01-16\n\"2014-15-Q4\" = \"20/04/2015\"\n";
        let due = parse(text);
        let mut errors = Vec::new();
        due.check(Path::new("templates/scorecard.toml"), text, &mut errors);
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(shown.len(), 3, "{shown:#?}");
        assert!(shown[0].starts_with(
            "templates/scorecard.toml, line 2: [returns_due] days_after_quarter_end is 200"
        ));
        assert!(shown
            .iter()
            .any(|e| e.contains("line 4") && e.contains("\"Sept\" is not a quarter")));
        assert!(shown
            .iter()
            .any(|e| e.contains("line 5")
                && e.contains("\"2014-15-Q4\" = \"20/04/2015\" is not a date")));
    }
}
