//! The contract's rules for turning a figure into a judgement.
//!
//! Everything a councillor sees depends on these few functions: how a value
//! is rounded for display, whether it is Green, Amber or Red against its
//! target, and which way it moved since last quarter. They are pure and kept
//! together so the rules can be read (and tested) in one place, and so every
//! renderer shows the same verdict for the same number.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How an indicator's figures combine and how its value is displayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Σ numerator ÷ Σ denominator × 100, one decimal place and `%`.
    Percent,
    /// Σ value, a whole number.
    Count,
    /// Σ numerator ÷ child population × 10,000, one decimal place.
    Rate10k,
    /// Σ numerator ÷ Σ denominator, one decimal place.
    Average,
}

impl Measure {
    /// Decimal places shown, and used for judging.
    pub fn decimals(self) -> u32 {
        match self {
            Measure::Count => 0,
            Measure::Percent | Measure::Rate10k | Measure::Average => 1,
        }
    }

    /// Whether a return must give a numerator for this measure.
    pub fn needs_numerator(self) -> bool {
        !matches!(self, Measure::Count)
    }

    /// Whether a return must give a denominator for this measure.
    pub fn needs_denominator(self) -> bool {
        matches!(self, Measure::Percent | Measure::Average)
    }

    /// The unit words used in sentences ("points" for percentages).
    pub fn change_unit(self) -> &'static str {
        match self {
            Measure::Percent => "points",
            Measure::Count => "",
            Measure::Rate10k => "per 10,000",
            Measure::Average => "",
        }
    }

    /// The borough value from summed figures. `None` when it cannot be
    /// computed (no denominator). The multiplication happens before the
    /// division so that a value with a short exact decimal (244900 ÷ 2000 =
    /// 122.45) is the double nearest that decimal, and rounds as a person
    /// working it out by hand would expect.
    pub fn combine(
        self,
        numerator: Option<f64>,
        denominator: Option<f64>,
        value: Option<f64>,
        child_population: f64,
    ) -> Option<f64> {
        match self {
            Measure::Percent => {
                let (n, d) = (numerator?, denominator?);
                (d > 0.0).then(|| n * 100.0 / d)
            }
            Measure::Average => {
                let (n, d) = (numerator?, denominator?);
                (d > 0.0).then(|| n / d)
            }
            Measure::Rate10k => {
                let n = numerator?;
                (child_population > 0.0).then(|| n * 10_000.0 / child_population)
            }
            Measure::Count => value,
        }
    }

    /// The value as printed: `79.9%`, `12`, `45.2`, `1,234`.
    pub fn display(self, value: f64) -> String {
        let rounded = round_half_away(value, self.decimals());
        let body =
            crate::text::group_thousands(&format!("{:.*}", self.decimals() as usize, rounded));
        match self {
            Measure::Percent => format!("{body}%"),
            _ => body,
        }
    }

    /// A target or threshold as an officer typed it, without padding
    /// decimals: `75%`, `487`, `2.5`.
    pub fn display_target(self, target: f64) -> String {
        let body = crate::text::group_thousands(&format!("{target}"));
        match self {
            Measure::Percent => format!("{body}%"),
            _ => body,
        }
    }

    /// A difference between two rounded values, printed with the measure's
    /// precision and no sign: `6.0 points`, `3`.
    pub fn display_change(self, change: f64) -> String {
        let body = crate::text::group_thousands(&format!(
            "{:.*}",
            self.decimals() as usize,
            round_half_away(change.abs(), self.decimals())
        ));
        match self.change_unit() {
            "" => body,
            unit => format!("{body} {unit}"),
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Measure::Percent => "percent",
            Measure::Count => "count",
            Measure::Rate10k => "rate10k",
            Measure::Average => "average",
        })
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    Higher,
    Lower,
    /// Contextual indicators (rates of children looked after): no good or bad.
    None,
}

/// Red, Amber or Green against target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rag {
    Red,
    Amber,
    Green,
}

impl Rag {
    pub fn label(self) -> &'static str {
        match self {
            Rag::Green => "Green",
            Rag::Amber => "Amber",
            Rag::Red => "Red",
        }
    }
}

impl fmt::Display for Rag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Direction of travel since the previous quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Improved,
    Worsened,
    Unchanged,
    /// Polarity `none`: the value went up.
    Up,
    /// Polarity `none`: the value went down.
    Down,
}

impl Direction {
    pub fn label(self) -> &'static str {
        match self {
            Direction::Improved => "improved",
            Direction::Worsened => "worsened",
            Direction::Unchanged => "unchanged",
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }

    /// An arrow to go beside the word in tables.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Improved | Direction::Up => "▲",
            Direction::Worsened | Direction::Down => "▼",
            Direction::Unchanged => "►",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A share as people say it: 0.1 → "tenth", else a percentage ("12.5%"):
/// the share of an extract's children that may be left out.
pub fn share(limit: f64) -> String {
    match limit {
        x if (x - 0.1).abs() < 1e-9 => "tenth".into(),
        x if (x - 0.05).abs() < 1e-9 => "twentieth".into(),
        x if (x - 0.25).abs() < 1e-9 => "quarter".into(),
        x => format!("{}%", round_half_away(x * 100.0, 1)),
    }
}

/// Rounds half away from zero, as Excel's ROUND does, working on the
/// shortest decimal form of `value` (the digits Rust prints for it) rather
/// than on its binary expansion. So 12.35, whose nearest double is a hair
/// below 12.35, still rounds to 12.4: what a reader checking by hand expects.
pub fn round_half_away(value: f64, decimals: u32) -> f64 {
    if !value.is_finite() {
        return value;
    }
    // `Display` for f64 prints the shortest round-tripping digits and never
    // uses an exponent, so this is a plain decimal string.
    let text = format!("{}", value.abs());
    let (int_part, frac_part) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let keep = decimals as usize;
    let mut digits: Vec<u8> = int_part
        .bytes()
        .chain(frac_part.bytes().chain(std::iter::repeat(b'0')).take(keep))
        .map(|b| b - b'0')
        .collect();
    let next = frac_part.as_bytes().get(keep).map_or(0, |b| b - b'0');
    if next >= 5 {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - keep;
    let mut out = String::with_capacity(digits.len() + 2);
    if value < 0.0 {
        out.push('-');
    }
    for (i, d) in digits.iter().enumerate() {
        if i == split {
            out.push('.');
        }
        out.push(char::from(b'0' + d));
    }
    let rounded: f64 = out.parse().unwrap_or(value);
    if rounded == 0.0 {
        0.0 // never print "-0.0"
    } else {
        rounded
    }
}

/// Integers in millionths, so that comparisons of decimals typed in
/// templates (targets, tolerances) are exact.
fn micros(x: f64) -> i64 {
    (x * 1_000_000.0).round() as i64
}

/// RAG for a rounded value. Higher polarity: Green at or above target, Amber
/// within `tolerance` below it, Red below that; lower polarity mirrors it.
pub fn rag(rounded: f64, polarity: Polarity, target: Option<f64>, tolerance: f64) -> Option<Rag> {
    let target = target?;
    let (v, t, tol) = (micros(rounded), micros(target), micros(tolerance));
    match polarity {
        Polarity::None => None,
        Polarity::Higher => Some(if v >= t {
            Rag::Green
        } else if v >= t - tol {
            Rag::Amber
        } else {
            Rag::Red
        }),
        Polarity::Lower => Some(if v <= t {
            Rag::Green
        } else if v <= t + tol {
            Rag::Amber
        } else {
            Rag::Red
        }),
    }
}

/// Direction of travel between two rounded values.
pub fn direction(rounded: f64, previous_rounded: f64, polarity: Polarity) -> Direction {
    let (v, p) = (micros(rounded), micros(previous_rounded));
    match (v.cmp(&p), polarity) {
        (std::cmp::Ordering::Equal, _) => Direction::Unchanged,
        (std::cmp::Ordering::Greater, Polarity::Higher)
        | (std::cmp::Ordering::Less, Polarity::Lower) => Direction::Improved,
        (std::cmp::Ordering::Less, Polarity::Higher)
        | (std::cmp::Ordering::Greater, Polarity::Lower) => Direction::Worsened,
        (std::cmp::Ordering::Greater, Polarity::None) => Direction::Up,
        (std::cmp::Ordering::Less, Polarity::None) => Direction::Down,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero_on_the_decimal_form() {
        assert_eq!(round_half_away(12.25, 1), 12.3);
        assert_eq!(round_half_away(12.35, 1), 12.4);
        assert_eq!(round_half_away(0.05, 1), 0.1);
        assert_eq!(round_half_away(2.5, 0), 3.0);
        assert_eq!(round_half_away(-2.5, 0), -3.0);
        assert_eq!(round_half_away(99.96, 1), 100.0);
        assert_eq!(round_half_away(74.96, 1), 75.0);
        assert_eq!(round_half_away(74.94, 1), 74.9);
        assert_eq!(round_half_away(1e-9, 1), 0.0);
        assert_eq!(round_half_away(-0.01, 1), 0.0);
        assert_eq!(round_half_away(123456.0, 0), 123456.0);
        assert_eq!(round_half_away(9.95, 1), 10.0);
    }

    #[test]
    fn percent_multiplies_before_dividing() {
        // 2449 / 2000 * 100 in that order gives 122.44999999999999.
        let v = Measure::Percent
            .combine(Some(2449.0), Some(2000.0), None, 0.0)
            .unwrap();
        assert_eq!(Measure::Percent.display(v), "122.5%");
        assert_eq!(
            Measure::Percent.combine(Some(1.0), Some(0.0), None, 0.0),
            None
        );
        let rate = Measure::Rate10k
            .combine(Some(240.0), None, None, 57_000.0)
            .unwrap();
        assert_eq!(Measure::Rate10k.display(rate), "42.1");
        assert_eq!(Measure::Count.display(1234.0), "1,234");
        assert_eq!(Measure::Average.display(487.04), "487.0");
    }

    #[test]
    fn rag_uses_the_printed_figure() {
        // 74.96% prints as 75.0%, so it meets a 75% target.
        let printed = round_half_away(74.96, 1);
        assert_eq!(
            rag(printed, Polarity::Higher, Some(75.0), 5.0),
            Some(Rag::Green)
        );
        assert_eq!(
            rag(74.9, Polarity::Higher, Some(75.0), 5.0),
            Some(Rag::Amber)
        );
        assert_eq!(
            rag(70.0, Polarity::Higher, Some(75.0), 5.0),
            Some(Rag::Amber)
        );
        assert_eq!(rag(69.9, Polarity::Higher, Some(75.0), 5.0), Some(Rag::Red));
        assert_eq!(
            rag(20.0, Polarity::Lower, Some(20.0), 5.0),
            Some(Rag::Green)
        );
        assert_eq!(
            rag(25.0, Polarity::Lower, Some(20.0), 5.0),
            Some(Rag::Amber)
        );
        assert_eq!(rag(25.1, Polarity::Lower, Some(20.0), 5.0), Some(Rag::Red));
        assert_eq!(rag(0.3, Polarity::Lower, Some(0.1), 0.2), Some(Rag::Amber));
        assert_eq!(rag(45.0, Polarity::None, Some(40.0), 5.0), None);
        assert_eq!(rag(45.0, Polarity::Higher, None, 5.0), None);
    }

    #[test]
    fn direction_follows_polarity() {
        assert_eq!(direction(80.0, 85.9, Polarity::Higher), Direction::Worsened);
        assert_eq!(direction(80.0, 85.9, Polarity::Lower), Direction::Improved);
        assert_eq!(direction(80.0, 80.0, Polarity::Lower), Direction::Unchanged);
        assert_eq!(direction(81.0, 80.0, Polarity::None), Direction::Up);
        assert_eq!(direction(79.0, 80.0, Polarity::None), Direction::Down);
    }

    #[test]
    fn changes_print_without_sign() {
        assert_eq!(Measure::Percent.display_change(-6.0), "6.0 points");
        assert_eq!(Measure::Count.display_change(3.0), "3");
        assert_eq!(crate::text::group_thousands("-1234.5"), "-1,234.5");
        assert_eq!(crate::text::group_thousands("123"), "123");
    }
}
