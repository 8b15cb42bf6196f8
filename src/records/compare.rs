//! Telling a service where its figure differs from an extract's.
//!
//! In a quarter with an extract, the extract's figure is the borough
//! figure of each indicator marked with the extract's source
//! (`source = "ssda903"`). A service that
//! also returned that indicator gets a warning on the cell it typed the
//! figure in, naming both figures as printed, so it can check its count.

use crate::config::{Source, Templates};
use crate::diagnostic::Diagnostic;
use crate::judge::{self, Measure};
use crate::model::returns::{CheckedReturn, Figure};

use super::registry;
use super::{for_period, Extract};

/// Adds a warning (`ssda903-differs`…) to each accepted return whose
/// figure for an extract's indicator differs, as printed, from the
/// extract's.
pub fn tell_services(returns: &mut [CheckedReturn], extracts: &[Extract], templates: &Templates) {
    let population = templates.organisation.child_population as f64;
    for r in returns.iter_mut() {
        let Some(content) = r.accepted() else {
            continue;
        };
        let mut warnings = Vec::new();
        for figure in content.figures.iter().filter(|f| !f.is_no_data()) {
            let Some(indicator) = templates
                .indicator(&figure.reference)
                .filter(|i| i.source != Source::Returns)
            else {
                continue;
            };
            let (Some(extract), Some(reader)) = (
                for_period(extracts, indicator.source, content.period),
                registry::of(indicator.source),
            ) else {
                continue;
            };
            let Some(computed) = extract.figure(&figure.reference) else {
                continue;
            };
            let m = indicator.measure;
            let (n, d, v) = match m {
                Measure::Count => (None, None, Some(computed.numerator)),
                Measure::Rate10k => (Some(computed.numerator), None, None),
                _ => (Some(computed.numerator), computed.denominator, None),
            };
            let theirs = m.combine(
                figure.numerator,
                figure.denominator,
                figure.value,
                population,
            );
            let ours = m.combine(n, d, v, population);
            let (Some(theirs), Some(ours)) = (theirs, ours) else {
                continue;
            };
            let round = |x: f64| judge::round_half_away(x, m.decimals());
            if round(theirs) == round(ours) {
                continue;
            }
            warnings.push(differs(
                reader.differs_rule(),
                extract,
                figure,
                m,
                (theirs, ours),
                (n, d),
            ));
        }
        r.diagnostics.extend(warnings);
    }
}

/// "1 child", "262 children".
fn children(n: f64) -> String {
    if n == 1.0 {
        "1 child".into()
    } else {
        format!("{n} children")
    }
}

fn differs(
    rule: &'static str,
    extract: &Extract,
    figure: &Figure,
    m: Measure,
    (theirs, ours): (f64, f64),
    (n, d): (Option<f64>, Option<f64>),
) -> Diagnostic {
    let counts = |n: Option<f64>, d: Option<f64>| match (n, d) {
        (Some(n), Some(d)) if m == Measure::Percent => format!(" ({n} of {d})"),
        (Some(n), Some(d)) if m == Measure::Average => {
            format!(" ({n} days for {})", children(d))
        }
        (Some(n), None) if m == Measure::Rate10k => format!(" ({})", children(n)),
        _ => String::new(),
    };
    let mut diagnostic = Diagnostic::warning(
        rule,
        format!(
            "Your figure for {} is {}{}, but the figure worked out from the children's records in the {} extract is {}{}, and that is the borough figure this quarter. Check your count against the children's records; the performance team holds the list of children behind the extract's figure.",
            figure.reference,
            m.display(theirs),
            counts(figure.numerator, figure.denominator),
            extract.source.label(),
            m.display(ours),
            counts(n, d),
        ),
    );
    let cell = if m == Measure::Count || figure.numerator.is_none() {
        figure.cells.value
    } else {
        figure.cells.numerator
    };
    if let Some((row, col)) = cell {
        diagnostic = diagnostic.at(&figure.cells.sheet, row, col);
    }
    diagnostic
}
