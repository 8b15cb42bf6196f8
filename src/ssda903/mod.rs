//! Figures from the children's own records: the SSDA903 extract.
//!
//! ```text
//!  inputs/<quarter>/…/*.csv  or  *.xml
//!        │ find (discover)   tie to a quarter (folder or XML file name)
//!        ▼
//!  read::RawExtract ──► model::Checked ──► indicators::Computed (×10)
//!  (rows as text,       (children who        (figure + every child behind it)
//!   located)             pass; left out)
//! ```
//!
//! An extract is read in parallel with the returns. Its figures become the
//! borough figures of the indicators marked `source = "ssda903"` in
//! `templates/indicators.toml`; the children behind them go only to the
//! restricted workbook. Every problem's message is free of child ids, so
//! problems may be printed and recorded anywhere; the id travels beside it
//! for the restricted workbook only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::calendar::BankHolidays;
use crate::config::{ChildRecords, Source};
use crate::diagnostic::Diagnostic;
use crate::records::{find, ChildLevelSource, Extract, ExtractSource, LeftOut, TooFew};

pub mod check;
pub mod indicators;
pub mod model;
pub mod read;
pub mod sample;

use model::Checked;
use read::{List, RawExtract, Refusal};

/// Settings for child-level extracts, from `templates/scorecard.toml`: the
/// share of children that may be left out before an extract is refused.
pub use crate::config::ChildRecords as Rules;

/// The SSDA903 extract, as a child-level source: a folder of CSV lists
/// or one XML file.
pub struct Ssda903;

impl ChildLevelSource for Ssda903 {
    fn source(&self) -> Source {
        Source::Ssda903
    }

    fn refs(&self) -> &'static [&'static str] {
        &indicators::REFS
    }

    fn file_rule(&self) -> &'static str {
        "ssda903-file"
    }

    fn differs_rule(&self) -> &'static str {
        "ssda903-differs"
    }

    fn group(&self, root: &Path, files: &[(PathBuf, String)]) -> Vec<ExtractSource> {
        find::by_folder(Source::Ssda903, root, files)
    }

    fn load(&self, found: &ExtractSource, holidays: &BankHolidays, rules: ChildRecords) -> Extract {
        load(found, holidays, rules)
    }
}

/// The lists a ref's figure needs: the header and episodes lists for
/// every figure, and the list each uses besides.
pub fn needs(reference: &str) -> &'static [List] {
    match reference {
        "TS7" => &[List::Header, List::Episodes, List::Reviews],
        "TS13" | "TS14" => &[List::Header, List::Episodes, List::Oc2],
        "TS10" | "TS11" => &[List::Header, List::Episodes, List::Oc3],
        "TS16" => &[List::Header, List::Episodes, List::PlacedForAdoption],
        _ => &[List::Header, List::Episodes],
    }
}

/// Reads, checks and works out one extract's figures; or refuses it.
pub fn load(source: &ExtractSource, holidays: &BankHolidays, rules: Rules) -> Extract {
    let mut raw = if source.xml {
        source
            .files
            .first()
            .map(|(p, n)| read::read_xml_file(p, n))
            .unwrap_or_default()
    } else {
        read::read_csv_files(&source.files)
    };
    let mut extract = Extract::new(Source::Ssda903, source);
    extract.files = raw.files.clone();
    extract.parts = lists_found(&raw).into_iter().map(List::name).collect();
    extract.problems = std::mem::take(&mut raw.problems);
    if !extract.is_extract() {
        return extract;
    }
    let unusable = std::mem::take(&mut raw.unusable);
    extract.unavailable = unavailable(&raw, &unusable);
    let mut refusals = std::mem::take(&mut raw.refusals);
    if source.period.is_none() {
        refusals.push(Refusal::NoQuarter);
        extract.problems.push(no_quarter(source));
    }
    if refusals.is_empty() {
        refusals.extend(
            [List::Header, List::Episodes]
                .into_iter()
                .filter(|l| !raw.has(*l))
                .map(|l| Refusal::Needed(l, why_unusable(&unusable, l))),
        );
    }
    if refusals.is_empty() {
        let checked = check::check(&raw);
        drop(raw);
        refusals.extend(
            TooFew::judge(
                checked.children.len(),
                checked.children_in_extract,
                checked.left_out.len(),
                rules,
            )
            .map(Refusal::TooFew),
        );
        if refusals.is_empty() {
            if let Some(p) = source.period {
                let end = p.last_day();
                extract.figures = indicators::compute(&checked, end, holidays);
                extract.figure_warnings = figure_warnings(&checked, end);
            }
        }
        keep_counts(&mut extract, checked);
    }
    if !refusals.is_empty() {
        let because: Vec<String> = refusals.iter().map(Refusal::describe).collect();
        extract.refuse(because.join("; "));
        refuse_feedback(&mut extract, &refusals);
    }
    extract
}

/// The lists found in the extract, usable or not; for XML every list, as
/// the layout holds them all.
fn lists_found(raw: &RawExtract) -> Vec<List> {
    if raw.xml {
        if raw.not_an_extract {
            Vec::new()
        } else {
            List::ALL.to_vec()
        }
    } else {
        List::ALL
            .into_iter()
            .filter(|l| raw.has(*l) || raw.unusable.contains_key(l))
            .collect()
    }
}

/// Why a list cannot be used: what the reader found, or that it is not
/// there.
fn why_unusable(unusable: &BTreeMap<List, String>, list: List) -> String {
    unusable
        .get(&list)
        .cloned()
        .unwrap_or_else(|| "is missing".into())
}

/// Each ref whose figure needs a list the extract lacks or cannot use,
/// with the first such list ("its reviews list holds only its header
/// row").
fn unavailable(
    raw: &RawExtract,
    unusable: &BTreeMap<List, String>,
) -> BTreeMap<&'static str, String> {
    indicators::REFS
        .iter()
        .filter_map(|r| {
            let list = needs(r).iter().find(|l| !raw.has(**l))?;
            let why = why_unusable(unusable, *list);
            Some((*r, format!("its {} list {why}", list.name())))
        })
        .collect()
}

/// The message for an extract whose quarter cannot be told.
fn no_quarter(source: &ExtractSource) -> Diagnostic {
    Diagnostic::error(
        "ssda903-quarter",
        format!(
            "The quarter of this extract cannot be told, so it was refused: put it in a folder named after its quarter, e.g. inputs/2014-15-Q2/ssda903/{}",
            if source.xml { ", or name the XML file after it, e.g. ssda903 2014-15-Q2.xml" } else { "" }
        ),
    )
    .in_file(&source.name)
}

/// Keeps what the rest of the run needs of the checked children: counts,
/// the children left out with their problems, and the warnings.
fn keep_counts(extract: &mut Extract, checked: Checked) {
    extract.children = checked.children_in_extract;
    extract.children_used = checked.children.len();
    extract.warnings = checked.warnings;
    extract.left_out = checked
        .left_out
        .into_iter()
        .map(|l| {
            let reason = l.main_reason();
            LeftOut {
                child: l.id,
                reason: (reason as u8, reason.describe()),
                problems: l.problems,
            }
        })
        .collect();
}

/// The problem that says an extract was refused for its children's
/// errors, or for a list every figure needs; file problems say so
/// themselves.
fn refuse_feedback(extract: &mut Extract, refusals: &[Refusal]) {
    for r in refusals {
        let message = match r {
            Refusal::TooFew(t) => {
                let problem = t.problem("ssda903-refused", "extract", &extract.name);
                extract.problems.push(problem);
                continue;
            }
            Refusal::Needed(..) => format!(
                "The extract was refused: {}, and every figure needs it. Its figures come from the services' returns. Export the extract again with the header and episodes lists.",
                r.describe()
            ),
            _ => continue,
        };
        extract
            .problems
            .push(Diagnostic::error("ssda903-refused", message).in_file(&extract.name));
    }
}

/// Warnings the contract names that need the periods of care: a review
/// outside any period of care, a child in oc2 not looked after, a child in
/// the TS13/TS14 denominator with no oc2 row.
fn figure_warnings(checked: &Checked, end: chrono::NaiveDate) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let year_ago = end
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(end);
    // These concern a child rather than a row, so the child is named only
    // in the restricted workbook, and the message says where to look.
    let warn = |rule: &'static str, child: &str, message: &str| {
        let message = format!(
            "{message} The child is named in the Warnings sheet of restricted/ssda903-children.xlsx."
        );
        Diagnostic::warning(rule, message)
            .about_a_child()
            .for_child(child)
    };
    for c in &checked.children {
        let periods = indicators::periods_of_care(c);
        for r in &c.reviews {
            if *r <= end && !periods.iter().any(|p| p.covers(c, *r)) {
                out.push(
                    warn("ssda903-review-outside-care", &c.id, "A review is dated outside every period of care of the child, so it was not counted in TS7.")
                        .with_value(&r.format("%d/%m/%Y").to_string()),
                );
            }
        }
        let looked_after = indicators::looked_after_on(c, end).is_some();
        if c.oc2.is_some() && !looked_after {
            out.push(warn("ssda903-oc2-not-looked-after", &c.id, "A child in the oc2 list is not looked after on the quarter's last day; the row was not used."));
        }
        // In the TS13 and TS14 denominator: looked after on E, in a period
        // of care begun 12 months or more before.
        let long_term = indicators::current_period(c, end).is_some_and(|p| p.start(c) <= year_ago);
        if long_term && c.oc2.is_none() {
            out.push(warn("ssda903-oc2-missing", &c.id, "A child looked after for 12 months or more has no oc2 row, so counts as not having had a health or dental check (TS13, TS14). Add the child's oc2 row if the checks were done."));
        }
    }
    out
}

#[cfg(test)]
mod cases;
