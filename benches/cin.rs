//! Reading and working out the children in need census figures for 20,000
//! children: `cargo bench --bench cin`.
//!
//! Simulates a borough's referrals, assessments, enquiries and plans (the
//! same every time, from the generator the sample uses), exports 20,000
//! children of them at 30/09/2014 as one census file under the build's
//! temporary folder, then times reading it (through the XML guards),
//! checking every child and working out the seven figures, end to end as
//! [`scorecard::cin::load`] does it, and each step on its own. Figures are
//! the median of several runs; record them in docs/performance.md. The
//! target is under 0.5 s end to end.

/// The allocator the program uses (see `src/main.rs`), so that times are
/// the program's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;

mod timing;
use timing::{bank_holidays, ms, print_figures, warmed};

use scorecard::cin::check::check;
use scorecard::cin::indicators::compute;
use scorecard::cin::read::read_text;
use scorecard::cin::sample::{census_xml, simulate, snapshot};
use scorecard::cin::{load, Rules, Status};
use scorecard::period::Period;

const RUNS: usize = 9;
const CHILDREN: usize = 20_000;

fn main() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-cin");
    let period = Period::new(2014, 2).expect("a valid quarter");
    let end = period.last_day();
    // About two in five simulated children have a referral in the
    // census's span; simulate enough for 20,000.
    let mut children = snapshot(&simulate(CHILDREN * 3, 11, end), end);
    children.truncate(CHILDREN);
    assert_eq!(children.len(), CHILDREN, "simulate more children");
    let xml = census_xml(&children, end, "");
    let dir = root.join("inputs").join(period.id()).join("cin");
    std::fs::create_dir_all(&dir).expect("bench folder");
    let name = format!("CIN census {}.xml", period.id());
    let path = dir.join(&name);
    std::fs::write(&path, &xml).expect("write census");
    let holidays = bank_holidays();
    let rules = Rules::default();
    let e = load(&path, &name, Some(period), &holidays, rules);
    assert_eq!(e.status, Status::Used);
    println!(
        "census: {} children, {} lines, {:.1} MB; {} left out",
        e.children(),
        xml.lines().count(),
        xml.len() as f64 / 1e6,
        e.checked.left_out.len()
    );
    print_figures(&e.figures);
    let whole = warmed(RUNS, || {
        std::hint::black_box(load(&path, &name, Some(period), &holidays, rules));
    });
    let census = read_text(&xml, &name).expect("a census");
    let checked = check(&census);
    let read = warmed(RUNS, || {
        std::hint::black_box(read_text(&xml, &name).ok());
    });
    let checking = warmed(RUNS, || {
        std::hint::black_box(check(&census));
    });
    let figures = warmed(RUNS, || {
        std::hint::black_box(compute(&checked, end, &holidays));
    });
    println!(
        "read, check and work out seven figures, end to end: {:.0} ms",
        ms(whole)
    );
    println!("  reading the text into elements:  {:.0} ms", ms(read));
    println!("  checking every child:            {:.0} ms", ms(checking));
    println!("  working out the seven figures:   {:.0} ms", ms(figures));
}
