//! The names the templates may use, kept with the templates so that
//! checking them needs nothing from the stages that use them: what a part
//! of the outline may `show`, the `{% block %}`s of `report.j2`, and which
//! figures a source of children's records can work out.

use crate::judge::Measure;

use super::Source;

/// The names a part of `report-outline.toml` may `show`.
pub const EXHIBITS: [&str; 9] = [
    "glance",
    "strengths",
    "weaknesses",
    "scorecard",
    "figures",
    "clearance",
    "contact",
    "background_papers",
    "findings",
];

/// The names of the `{% block %}`s in a template's source, in order.
pub fn block_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("{%") {
        rest = &rest[at + 2..];
        let tag = rest.trim_start_matches(['-', '+']).trim_start();
        if let Some(after) = tag.strip_prefix("block") {
            if after.starts_with(char::is_whitespace) {
                let name: String = after
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names
}

/// The figures the SSDA903 extract can work out, each with the kind of
/// figure its definition makes.
const SSDA903: [(&str, Measure); 10] = [
    ("TS7", Measure::Percent),
    ("TS8", Measure::Percent),
    ("TS9", Measure::Percent),
    ("TS10", Measure::Percent),
    ("TS11", Measure::Percent),
    ("TS13", Measure::Percent),
    ("TS14", Measure::Percent),
    ("TS15", Measure::Count),
    ("TS16", Measure::Average),
    ("TS21", Measure::Rate10k),
];

/// The figures the children in need census can work out.
const CIN: [(&str, Measure); 7] = [
    ("TS2", Measure::Percent),
    ("TS3", Measure::Percent),
    ("TS4", Measure::Percent),
    ("TS5", Measure::Percent),
    ("TS6", Measure::Percent),
    ("TS22", Measure::Rate10k),
    ("TS23", Measure::Percent),
];

/// The refs a source of children's records can give, with their measure;
/// none for the services' returns, which give whatever they are asked.
pub fn computable(source: Source) -> &'static [(&'static str, Measure)] {
    match source {
        Source::Returns => &[],
        Source::Ssda903 => &SSDA903,
        Source::Cin => &CIN,
    }
}

/// The measure a source's definition makes for a ref, if it can give it.
pub fn measure_from(source: Source, reference: &str) -> Option<Measure> {
    computable(source)
        .iter()
        .find(|(r, _)| *r == reference)
        .map(|(_, m)| *m)
}
