//! What every benchmark shares: timing by median, the bank holidays the
//! shipped templates give, and the figures an extract worked out, printed.
//! Each benchmark uses a part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use scorecard::calendar::BankHolidays;
use scorecard::records::figure::Computed;

/// The middle of the times.
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// How long `f` takes, once.
pub fn once(f: &mut (impl FnMut() + ?Sized)) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

/// The median of `runs` runs of `f`.
pub fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    median((0..runs).map(|_| once(&mut f)).collect())
}

/// The median of `runs` runs of `f`, after one run to warm up.
pub fn warmed(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    time(runs, f)
}

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The shipped templates' folder.
pub fn templates_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates")
}

/// The bank holidays in the shipped templates.
pub fn bank_holidays() -> BankHolidays {
    let path = templates_dir().join("bank-holidays.csv");
    let text = std::fs::read_to_string(&path).expect("bank holidays");
    BankHolidays::parse(&text).expect("bank holidays parse")
}

/// Each figure as `ref numerator of denominator`.
pub fn print_figures(figures: &[Computed]) {
    for f in figures {
        println!(
            "  {:<5} {:>6} of {}",
            f.reference,
            f.numerator,
            f.denominator.map_or("-".to_string(), |d| d.to_string())
        );
    }
}
