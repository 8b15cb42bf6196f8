//! Stage 3: check a return against the contract.
//!
//! Turns the cells of a [`Workbook`] into a [`Return`] the figures can be
//! trusted from, or says exactly why not. Every problem is a [`Diagnostic`]
//! at a sheet and cell, worded for the officer who will fix it; errors
//! reject the return, warnings are reported and the return is still used.
//! Checking goes on past the first problem so one round of feedback lists
//! everything.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};

use crate::config::{normalise_ref, Templates};
use crate::diagnostic::{cell_ref, Diagnostic};
use crate::judge::Measure;
use crate::model::layout::{normalise_label, COVER_LABELS, COVER_SHEET, INDICATORS_SHEET};
use crate::model::returns::*;
use crate::model::workbook::{Cell, InputFile, Sheet, Workbook};
use crate::period::Period;
use crate::read::ReadReturn;

mod actions;
mod cover;
mod indicators;

use actions::*;
pub use cover::parse_date_cell;
use cover::*;
use indicators::*;

/// Validates one read file.
pub fn validate(read: ReadReturn, templates: &Templates) -> CheckedReturn {
    let ReadReturn {
        file,
        facts,
        workbook,
    } = read;
    let mut checked = CheckedReturn {
        file,
        facts,
        status: ReturnStatus::Rejected,
        service: None,
        period: None,
        submitted: None,
        diagnostics: Vec::new(),
        content: None,
        sheets: Vec::new(),
    };
    let workbook = match workbook {
        Ok(w) => w,
        Err(d) => {
            checked.diagnostics.push(d);
            return checked;
        }
    };
    let mut problems = Vec::new();
    let cover = check_cover(&workbook, &checked.file, templates, &mut problems);
    checked.service = cover.service.clone();
    checked.period = cover.period;
    checked.submitted = cover.submitted;
    let figures = check_indicators(
        &workbook,
        cover.service.as_deref(),
        templates,
        &mut problems,
    );
    let actions = check_actions(&workbook, templates, &mut problems);
    problems.extend(hidden_sheets(&workbook));
    problems.sort_by_key(|d| d.severity);
    checked.diagnostics = problems;
    let Workbook {
        cover: cover_sheet,
        indicators,
        actions: actions_sheet,
        ..
    } = workbook;
    checked.sheets = [cover_sheet, indicators, actions_sheet]
        .into_iter()
        .flatten()
        .collect();
    if checked.errors() == 0 {
        if let (Some(service), Some(period), Some(prepared_by), Some(submitted)) = (
            cover.service,
            cover.period,
            cover.prepared_by,
            cover.submitted,
        ) {
            checked.status = ReturnStatus::Accepted;
            checked.content = Some(Return {
                service,
                period,
                prepared_by,
                email: cover.email,
                submitted,
                template_version: cover.template_version,
                figures,
                actions,
            });
        }
    }
    checked
}

/// A warning for each of the contract's sheets that is hidden.
fn hidden_sheets(workbook: &Workbook) -> Vec<Diagnostic> {
    [&workbook.cover, &workbook.indicators, &workbook.actions]
        .into_iter()
        .flatten()
        .filter(|sheet| workbook.hidden_sheets.contains(&sheet.name))
        .map(|sheet| {
            Diagnostic::warning(
                "sheet-hidden",
                format!(
                    "The \"{}\" sheet is hidden in the workbook. It was read as usual, but unhide it (right-click a sheet tab, Unhide) so that you can see what was sent.",
                    sheet.name
                ),
            )
            .on_sheet(&sheet.name)
        })
        .collect()
}

/// Applies the resubmission rule across all returns: of two accepted
/// returns for the same service and period, the later `Submitted` wins; if
/// the latest are tied, none of the tied can be trusted.
pub fn resolve_resubmissions(returns: &mut [CheckedReturn]) {
    let mut groups: BTreeMap<(String, Period), Vec<usize>> = BTreeMap::new();
    for (i, r) in returns.iter().enumerate() {
        if let Some(content) = r.accepted() {
            groups
                .entry((content.service.clone(), content.period))
                .or_default()
                .push(i);
        }
    }
    for ((service, period), members) in groups {
        if members.len() < 2 {
            continue;
        }
        let latest = members.iter().filter_map(|&i| returns[i].submitted).max();
        let winners: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| returns[i].submitted == latest)
            .collect();
        let names: HashMap<usize, String> = members
            .iter()
            .map(|&i| (i, returns[i].file.name.clone()))
            .collect();
        for &i in &members {
            if winners.len() == 1 && winners[0] == i {
                continue;
            }
            if winners.contains(&i) {
                let others: Vec<&str> = winners
                    .iter()
                    .filter(|&&j| j != i)
                    .map(|j| names[j].as_str())
                    .collect();
                let when = returns[i]
                    .submitted
                    .map(|s| s.format("%d/%m/%Y %H:%M").to_string())
                    .unwrap_or_default();
                returns[i].diagnostics.insert(
                    0,
                    Diagnostic::error(
                        "resubmission-tie",
                        format!(
                            "This return and {} are both for {service}, {} and both say Submitted {when}, so neither can be trusted. Remove the one that is wrong, or correct its Submitted date and time.",
                            others.join(" and "),
                            period.label()
                        ),
                    )
                    .on_sheet(COVER_SHEET),
                );
                returns[i].status = ReturnStatus::Rejected;
                returns[i].content = None;
            } else {
                let by = winners
                    .iter()
                    .map(|j| names[j].as_str())
                    .collect::<Vec<_>>()
                    .join(" and ");
                returns[i].status = ReturnStatus::Superseded { by };
            }
        }
    }
}

/// Warns about figures that moved suspiciously far from the same service's
/// previous quarter: the likely sign of a typing mistake. Warnings only: the
/// officer confirms or corrects. Counts "in the year to date" restart each
/// April, so counts are not compared across financial years.
pub fn compare_with_previous(returns: &mut [CheckedReturn], templates: &Templates) {
    let checks = &templates.organisation.checks;
    let population = templates.organisation.child_population as f64;
    let previous: HashMap<(String, Period), Vec<Figure>> = returns
        .iter()
        .filter_map(CheckedReturn::accepted)
        .map(|r| ((r.service.clone(), r.period), r.figures.clone()))
        .collect();
    for r in returns.iter_mut() {
        let Some(content) = r.accepted() else {
            continue;
        };
        let before_period = content.period.previous();
        let Some(before) = previous.get(&(content.service.clone(), before_period)) else {
            continue;
        };
        let mut warnings = Vec::new();
        for now in content.figures.iter().filter(|f| !f.is_no_data()) {
            let Some(then) = before
                .iter()
                .find(|f| f.reference == now.reference && !f.is_no_data())
            else {
                continue;
            };
            let Some(indicator) = templates.indicator(&now.reference) else {
                continue;
            };
            let m = indicator.measure;
            if m == Measure::Count && before_period.start_year() != content.period.start_year() {
                continue;
            }
            let value = |f: &Figure| m.combine(f.numerator, f.denominator, f.value, population);
            // Point at the cell the officer typed the figure in.
            let where_value = if m == Measure::Count || now.value.is_some() {
                now.cells.value
            } else {
                now.cells.numerator
            };
            if let (Some(a), Some(b)) = (value(then), value(now)) {
                warnings.extend(figure_jump(
                    now,
                    m,
                    a,
                    b,
                    before_period,
                    checks,
                    where_value,
                ));
            }
            if let (Some(a), Some(b)) = (then.denominator, now.denominator) {
                warnings.extend(denominator_jump(now, a, b, before_period, checks));
            }
        }
        r.diagnostics.extend(warnings);
    }
}

/// A warning when a figure moved further than usual from the previous
/// quarter's: `a` then, `b` now.
fn figure_jump(
    now: &Figure,
    m: Measure,
    a: f64,
    b: f64,
    before_period: Period,
    checks: &crate::config::Checks,
    where_value: Option<(u32, u32)>,
) -> Option<Diagnostic> {
    let (jumped, change) = match m {
        Measure::Percent => (
            (b - a).abs() > checks.percent_points,
            format!("a change of {}", m.display_change(b - a)),
        ),
        _ => (
            a >= checks.small_numbers.max(f64::MIN_POSITIVE)
                && ((b - a) / a).abs() > checks.relative_change,
            format!(
                "a change of {:.0}%",
                ((b - a) / a.max(f64::MIN_POSITIVE) * 100.0).abs()
            ),
        ),
    };
    if !jumped {
        return None;
    }
    let mut d = Diagnostic::warning(
        "figure-jump",
        format!(
            "{} for {} is {}, against {} in your {} return: {change}. If this is right, say why in Commentary; if not, check the figures.",
            if m == Measure::Count { "Value" } else { "The figure" },
            now.reference,
            m.display(b),
            m.display(a),
            before_period.label()
        ),
    );
    if let Some((row, col)) = where_value {
        d = d.at(&now.cells.sheet, row, col);
    }
    Some(d)
}

/// A warning when a denominator changed by more than the threshold.
fn denominator_jump(
    now: &Figure,
    a: f64,
    b: f64,
    before_period: Period,
    checks: &crate::config::Checks,
) -> Option<Diagnostic> {
    if a < checks.small_numbers.max(f64::MIN_POSITIVE)
        || ((b - a) / a).abs() <= checks.denominator_change
    {
        return None;
    }
    let mut d = Diagnostic::warning(
        "denominator-jump",
        format!(
            "Denominator for {} is {}, against {} in your {} return, a change of more than {:.0}%. Check that it counts the same group of children.",
            now.reference,
            b,
            a,
            before_period.label(),
            checks.denominator_change * 100.0
        ),
    );
    if let Some((row, col)) = now.cells.denominator {
        d = d.at(&now.cells.sheet, row, col);
    }
    Some(d)
}

/// The closest of `options` to `text`, if close enough to be a likely typo.
pub fn nearest<'a>(text: &str, options: &[&'a str]) -> Option<&'a str> {
    let t = text.to_lowercase();
    options
        .iter()
        .map(|o| (strsim::levenshtein(&t, &o.to_lowercase()), *o))
        .filter(|(d, o)| *d <= (o.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_arrive_in_many_shapes() {
        assert_eq!(number_from(&Cell::Text(" 1,234 ".into())), Ok(Some(1234.0)));
        assert_eq!(number_from(&Cell::Text("56".into())), Ok(Some(56.0)));
        assert_eq!(
            number_from(&Cell::Text("12,345,678".into())),
            Ok(Some(12345678.0))
        );
        assert!(number_from(&Cell::Text("1,5".into())).is_err());
        assert!(number_from(&Cell::Text("1,59".into())).is_err());
        assert_eq!(number_from(&Cell::Number(7.0)), Ok(Some(7.0)));
        assert_eq!(number_from(&Cell::Empty), Ok(None));
        assert!(number_from(&Cell::Text("n/a".into()))
            .unwrap_err()
            .contains("not a number"));
        assert!(number_from(&Cell::Text("12%".into()))
            .unwrap_err()
            .contains("percentage"));
        assert!(number_from(&Cell::Text("1e5".into())).is_err());
        assert!(number_from(&Cell::Error("#DIV/0!".into()))
            .unwrap_err()
            .contains("#DIV/0!"));
    }

    #[test]
    fn dates_are_read_in_uk_order() {
        let d = parse_date_cell(&Cell::Text("03/10/2014".into())).unwrap();
        assert_eq!(d.date().to_string(), "2014-10-03");
        let d = parse_date_cell(&Cell::Text("2014-10-03 14:30".into())).unwrap();
        assert_eq!(d.to_string(), "2014-10-03 14:30:00");
        assert!(parse_date_cell(&Cell::Text("10/31/2014".into())).is_none());
        assert!(parse_date_cell(&Cell::Text("next week".into())).is_none());
        let serial = parse_date_cell(&Cell::Number(41915.0)).unwrap();
        assert_eq!(serial.date().to_string(), "2014-10-03");
    }

    #[test]
    fn suggestions_catch_typos_only() {
        let names = ["Children's Access Team", "Virtual School", "Leaving Care"];
        assert_eq!(
            nearest("Childrens Acess Team", &names),
            Some("Children's Access Team")
        );
        assert_eq!(nearest("virtual schol", &names), Some("Virtual School"));
        assert_eq!(nearest("Finance", &names), None);
        assert_eq!(nearest("TS30", &["TS3", "TS20"]), Some("TS3"));
    }

    #[test]
    fn emails_must_look_like_emails() {
        assert!(looks_like_email("a.officer@example.gov.uk"));
        assert!(!looks_like_email("a.officer"));
        assert!(!looks_like_email("a officer@example.gov.uk"));
        assert!(!looks_like_email("a@b"));
    }
}
