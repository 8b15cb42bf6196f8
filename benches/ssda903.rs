//! Reading and working out the SSDA903 figures for 10,000 children:
//! `cargo bench --bench ssda903`.
//!
//! Simulates a borough's care histories (the same every time, from the
//! generator the sample uses), exports them at 30/09/2014 as the six CSV
//! lists and as one XML file under the build's temporary folder, then
//! times reading, checking and working out all ten figures from each,
//! end to end as the run does it. Figures are the median of several runs;
//! record them in docs/performance.md.

use std::path::PathBuf;

mod timing;
use timing::{bank_holidays, ms, print_figures, warmed};

use scorecard::period::Period;
use scorecard::records::{group_all as group, load_all};
use scorecard::ssda903::sample::{csv_lists, simulate, snapshot, xml};
use scorecard::ssda903::Rules;

const RUNS: usize = 9;
/// Simulated people, every one of them in the extract's header list: one
/// in nine a care leaver, the rest children who came into care by the
/// quarter's end.
const PEOPLE: usize = 10_200;

fn main() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-ssda903");
    let period = Period::new(2014, 2).expect("a valid quarter");
    let end = period.last_day();
    let children = snapshot(&simulate(PEOPLE, 7, end), end);
    let csv_dir = root.join("inputs").join(period.id()).join("ssda903");
    std::fs::create_dir_all(&csv_dir).expect("bench folder");
    let mut csv_files = Vec::new();
    let mut rows = 0;
    let mut bytes = 0;
    for (name, text) in csv_lists(&children, end) {
        let path = csv_dir.join(name);
        std::fs::write(&path, &text).expect("write list");
        rows += text.lines().count() - 1;
        bytes += text.len();
        csv_files.push((path, format!("{}/ssda903/{name}", period.id())));
    }
    let xml_path = root
        .join("inputs")
        .join(format!("ssda903 {}.xml", period.id()));
    let xml_text = xml(&children, end);
    std::fs::write(&xml_path, &xml_text).expect("write xml");
    let xml_files = vec![(xml_path, format!("ssda903 {}.xml", period.id()))];
    let inputs = root.join("inputs");
    let holidays = bank_holidays();
    let csv_sources = group(&inputs, &csv_files);
    let xml_sources = group(&inputs, &xml_files);
    let check = load_all(&csv_sources, &holidays, Rules::default());
    let e = &check[0];
    println!(
        "extract: {} children in the header list, {} rows in six CSV lists ({:.1} MB); XML {:.1} MB",
        e.children,
        rows,
        bytes as f64 / 1e6,
        xml_text.len() as f64 / 1e6
    );
    print_figures(&e.figures);
    let csv = warmed(RUNS, || {
        std::hint::black_box(load_all(&csv_sources, &holidays, Rules::default()));
    });
    let xml_time = warmed(RUNS, || {
        std::hint::black_box(load_all(&xml_sources, &holidays, Rules::default()));
    });
    println!(
        "read, check and work out ten figures, CSV lists: {:.0} ms",
        ms(csv)
    );
    println!(
        "read, check and work out ten figures, XML:       {:.0} ms",
        ms(xml_time)
    );
}
