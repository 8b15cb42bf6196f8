//! Stage 4: combine accepted returns into borough figures and judge them.
//!
//! The [`Scorecard`] built here is the one model every document is drawn
//! from: the PDF, the Excel scorecard, the CSV and the run record print its
//! figures and never work out a number of their own. Indicators are combined
//! in parallel; each is independent of the others.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Source;
use crate::config::{Indicator, Templates};
use crate::judge::{self, Direction, Rag};
use crate::model::returns::{CheckedReturn, Return, ReturnStatus};
use crate::period::Period;
use crate::records::summary::ExtractSummary;
use crate::records::{self, Extract, ExtractStatus};

/// Why a service's figures are missing from a borough figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "kebab-case")]
pub enum Gap {
    /// No return arrived from the service for the quarter.
    NotReturned { service: String },
    /// The service's return was rejected.
    Rejected { service: String },
    /// The return came but had no row for the indicator.
    RowMissing { service: String },
    /// The row said there was no data, with the officer's reason.
    NoData { service: String, commentary: String },
    /// The quarter's extract of children's records gave no figure (no
    /// child in the denominator).
    Extract {
        #[serde(skip)]
        source: Source,
        reason: String,
    },
}

impl Gap {
    pub fn service(&self) -> &str {
        match self {
            Gap::NotReturned { service }
            | Gap::Rejected { service }
            | Gap::RowMissing { service }
            | Gap::NoData { service, .. } => service,
            Gap::Extract { source, .. } => source.contributor(),
        }
    }

    /// "not returned by Youth Offending Service", for sentences.
    pub fn describe(&self) -> String {
        match self {
            Gap::NotReturned { service } => format!("no return from {service}"),
            Gap::Extract { reason, .. } => reason.clone(),
            Gap::Rejected { service } => format!("the {service} return was rejected"),
            Gap::RowMissing { service } => format!("not included in the {service} return"),
            Gap::NoData {
                service,
                commentary,
            } => {
                format!(
                    "no data from {service}: {}",
                    commentary.trim().trim_end_matches('.')
                )
            }
        }
    }
}

/// A service's commentary on an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commentary {
    pub service: String,
    pub text: String,
}

/// One indicator in one quarter: the borough figure and its judgement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub period: Period,
    /// Σ numerators of contributing returns.
    pub numerator: Option<f64>,
    /// Σ denominators.
    pub denominator: Option<f64>,
    /// The unrounded borough value; `None` means No data.
    pub value: Option<f64>,
    /// The value rounded to display precision: what RAG and direction use.
    pub rounded: Option<f64>,
    /// As printed: `79.9%`, `12`, or `No data`.
    pub display: String,
    pub rag: Option<Rag>,
    pub direction: Option<Direction>,
    /// The previous quarter's rounded value, when there is one.
    pub previous: Option<f64>,
    /// `rounded − previous`.
    pub change: Option<f64>,
    /// Services whose figures make up the value.
    pub contributors: Vec<String>,
    /// Services expected but missing, and why.
    pub gaps: Vec<Gap>,
    pub commentary: Vec<Commentary>,
    /// Where the figure came from: the services' returns, or the
    /// quarter's extract of children's records.
    pub source: Source,
}

impl Outcome {
    pub fn has_data(&self) -> bool {
        self.value.is_some()
    }

    /// `ok` or `no data`, as the CSV says.
    pub fn status(&self) -> &'static str {
        if self.has_data() {
            "ok"
        } else {
            "no data"
        }
    }

    /// Why there is no figure, or why it is incomplete.
    pub fn gap_note(&self) -> Option<String> {
        if self.gaps.is_empty() {
            return None;
        }
        let reasons: Vec<String> = self.gaps.iter().map(Gap::describe).collect();
        Some(reasons.join("; "))
    }
}

/// An indicator across every quarter in the history.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRow {
    pub indicator: Indicator,
    pub outcomes: BTreeMap<Period, Outcome>,
}

impl IndicatorRow {
    pub fn at(&self, period: Period) -> Option<&Outcome> {
        self.outcomes.get(&period)
    }
}

/// Counts for the reported quarter, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub indicators: usize,
    pub green: usize,
    pub amber: usize,
    pub red: usize,
    /// With a figure but no target (context indicators).
    pub not_rated: usize,
    pub no_data: usize,
    pub improved: usize,
    pub worsened: usize,
    pub unchanged: usize,
    /// With a figure this quarter but none last quarter to compare.
    pub no_comparison: usize,
}

/// One return as the data-quality statement sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ReturnLine {
    pub file: String,
    pub service: Option<String>,
    pub status: ReturnStatus,
    pub errors: usize,
    pub warnings: usize,
}

/// Which returns the reported quarter rests on.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReturnsPicture {
    /// Services expected to return (those with at least one indicator).
    pub expected: Vec<String>,
    /// Every return for the quarter, in file-name order.
    pub received: Vec<ReturnLine>,
    /// Services with an accepted return.
    pub accepted: Vec<String>,
    /// Services whose only returns were rejected.
    pub rejected: Vec<String>,
    /// Services with no return at all.
    pub missing: Vec<String>,
}

/// The borough scorecard for one reported quarter, with its history.
#[derive(Debug, Clone, Serialize)]
pub struct Scorecard {
    /// The quarter reported.
    pub period: Period,
    /// The quarters shown in tables, oldest first, ending with `period`.
    pub shown: Vec<Period>,
    /// Every quarter with figures up to `period`, oldest first (for the CSV).
    pub history: Vec<Period>,
    pub rows: Vec<IndicatorRow>,
    pub summary: Summary,
    /// The summary counts for each quarter shown, oldest first.
    pub trend: Vec<(Period, Summary)>,
    pub returns: ReturnsPicture,
    /// The reported quarter's extracts of children's records, in counts:
    /// one per source that has one.
    pub records: Vec<ExtractSummary>,
}

impl Scorecard {
    /// The quarter's extract of `source`, in counts, when it has one.
    pub fn records_of(&self, source: Source) -> Option<&ExtractSummary> {
        self.records.iter().find(|r| r.source == source)
    }

    pub fn row(&self, reference: &str) -> Option<&IndicatorRow> {
        self.rows
            .iter()
            .find(|r| r.indicator.reference == reference)
    }
}

/// The period a checked return belongs to: its folder's when it sits in a
/// quarter's folder (so a return with the wrong quarter on its cover gets
/// its feedback where it was sent), else the one on its cover.
pub fn period_of(r: &CheckedReturn) -> Option<Period> {
    r.file.folder_period.or(r.period)
}

/// Every period that any return names, ascending.
pub fn periods_found(returns: &[CheckedReturn]) -> Vec<Period> {
    let set: BTreeSet<Period> = returns.iter().filter_map(period_of).collect();
    set.into_iter().collect()
}

/// Builds the scorecard for `period` from all checked returns.
pub fn aggregate(templates: &Templates, returns: &[CheckedReturn], period: Period) -> Scorecard {
    aggregate_with(templates, returns, &[], period)
}

/// Builds the scorecard for `period` from all checked returns and the
/// SSDA903 extracts: in a quarter with an extract, an indicator marked
/// `source = "ssda903"` takes the extract's figure.
pub fn aggregate_with(
    templates: &Templates,
    returns: &[CheckedReturn],
    extracts: &[Extract],
    period: Period,
) -> Scorecard {
    let accepted: HashMap<(&str, Period), &Return> = returns
        .iter()
        .filter_map(CheckedReturn::accepted)
        .map(|r| ((r.service.as_str(), r.period), r))
        .collect();
    let rejected: HashSet<(&str, Period)> = returns
        .iter()
        .filter(|r| r.status == ReturnStatus::Rejected)
        .filter_map(|r| Some((r.service.as_deref()?, period_of(r)?)))
        .collect();
    let history: Vec<Period> = periods_found_with(returns, extracts)
        .into_iter()
        .filter(|p| *p <= period)
        .collect();
    let shown = period.trailing(templates.organisation.quarters_shown);
    let mut periods: BTreeSet<Period> = history.iter().copied().collect();
    periods.extend(shown.iter().copied());
    let periods: Vec<Period> = periods.into_iter().collect();
    let population = templates.organisation.child_population as f64;

    let rows: Vec<IndicatorRow> = templates
        .indicators
        .par_iter()
        .map(|indicator| IndicatorRow {
            indicator: indicator.clone(),
            outcomes: outcomes(
                indicator, &periods, extracts, &accepted, &rejected, population,
            ),
        })
        .collect();

    let summary = summarise(&rows, period);
    let trend = shown.iter().map(|&p| (p, summarise(&rows, p))).collect();
    let returns_picture = picture(templates, returns, period);
    let records = summarise_records(&rows, extracts, period);
    Scorecard {
        period,
        shown,
        history,
        rows,
        summary,
        trend,
        returns: returns_picture,
        records,
    }
}

/// An indicator's outcome in each of `periods`: from the quarter's extract
/// of children's records where the indicator is counted from one and the
/// extract gives its figure, otherwise from the services' returns; each
/// compared with the quarter before.
fn outcomes(
    indicator: &Indicator,
    periods: &[Period],
    extracts: &[Extract],
    accepted: &HashMap<(&str, Period), &Return>,
    rejected: &HashSet<(&str, Period)>,
    population: f64,
) -> BTreeMap<Period, Outcome> {
    let mut outcomes = BTreeMap::new();
    let mut previous: Option<f64> = None;
    let mut previous_period: Option<Period> = None;
    for &p in periods {
        let from_records = records::for_period(extracts, indicator.source, p)
            .filter(|e| e.figure(&indicator.reference).is_some());
        let mut outcome = match from_records {
            Some(e) => from_extract(indicator, p, e, accepted, population),
            None => combine(indicator, p, accepted, rejected, population),
        };
        // Direction compares with the quarter immediately before.
        let prev = match previous_period {
            Some(pp) if pp == p.previous() => previous,
            _ => None,
        };
        if let (Some(now), Some(before)) = (outcome.rounded, prev) {
            outcome.previous = Some(before);
            outcome.change = Some(judge::round_half_away(
                now - before,
                indicator.measure.decimals(),
            ));
            outcome.direction = Some(judge::direction(now, before, indicator.polarity));
        }
        previous = outcome.rounded;
        previous_period = Some(p);
        outcomes.insert(p, outcome);
    }
    outcomes
}

/// What may be said of each extract that decides the quarter: counts, the
/// refs it gave and those it was meant to give.
fn summarise_records(
    rows: &[IndicatorRow],
    extracts: &[Extract],
    period: Period,
) -> Vec<ExtractSummary> {
    records::registry::SOURCES
        .iter()
        .filter_map(|s| {
            let e = records::standing_for(extracts, s.source(), period)?;
            let marked: Vec<String> = rows
                .iter()
                .filter(|r| r.indicator.source == e.source)
                .map(|r| r.indicator.reference.clone())
                .collect();
            let refs = rows
                .iter()
                .filter(|r| r.at(period).is_some_and(|o| o.source == e.source))
                .map(|r| r.indicator.reference.clone())
                .collect();
            Some(ExtractSummary::of(e, &marked, refs))
        })
        .collect()
}

/// Every period that any return or extract names, ascending.
pub fn periods_found_with(returns: &[CheckedReturn], extracts: &[Extract]) -> Vec<Period> {
    let mut set: BTreeSet<Period> = returns.iter().filter_map(period_of).collect();
    set.extend(
        extracts
            .iter()
            .filter(|e| e.status == ExtractStatus::Used)
            .filter_map(|e| e.period),
    );
    set.into_iter().collect()
}

/// The borough figure from the quarter's extract. The services' commentary
/// on the indicator is kept: it explains the figure whoever counted it.
fn from_extract(
    indicator: &Indicator,
    period: Period,
    extract: &Extract,
    accepted: &HashMap<(&str, Period), &Return>,
    population: f64,
) -> Outcome {
    let measure = indicator.measure;
    let (numerator, denominator, value) = match extract.figure(&indicator.reference) {
        Some(f) => match measure {
            crate::judge::Measure::Count => (None, None, Some(f.numerator)),
            crate::judge::Measure::Rate10k => (Some(f.numerator), None, None),
            _ => (Some(f.numerator), f.denominator, None),
        },
        None => (None, None, None),
    };
    let value = measure.combine(numerator, denominator, value, population);
    let rounded = value.map(|v| judge::round_half_away(v, measure.decimals()));
    let rag = rounded
        .and_then(|r| judge::rag(r, indicator.polarity, indicator.target, indicator.tolerance));
    let gaps = if value.is_none() {
        vec![Gap::Extract {
            source: extract.source,
            reason: format!(
                "no child in the {} extract is in this indicator's denominator",
                extract.source.label()
            ),
        }]
    } else {
        Vec::new()
    };
    let commentary = indicator
        .services
        .iter()
        .filter_map(|s| {
            let ret = accepted.get(&(s.as_str(), period))?;
            let f = ret
                .figures
                .iter()
                .find(|f| f.reference == indicator.reference)?;
            Some(Commentary {
                service: s.clone(),
                text: f.commentary.clone()?,
            })
        })
        .collect();
    Outcome {
        period,
        numerator,
        denominator,
        value,
        rounded,
        display: value.map_or_else(|| "No data".to_string(), |v| measure.display(v)),
        rag,
        direction: None,
        previous: None,
        change: None,
        contributors: vec![extract.source.contributor().to_string()],
        gaps,
        commentary,
        source: extract.source,
    }
}

/// The borough figure from the services' returns: the figures of every
/// service that gave one, summed and judged; each service that did not, a
/// gap saying why.
fn combine(
    indicator: &Indicator,
    period: Period,
    accepted: &HashMap<(&str, Period), &Return>,
    rejected: &HashSet<(&str, Period)>,
    population: f64,
) -> Outcome {
    let sums = Sums::gather(indicator, period, accepted, rejected);
    let any = !sums.contributors.is_empty();
    let measure = indicator.measure;
    let value = if any {
        measure.combine(sums.numerator, sums.denominator, sums.value, population)
    } else {
        None
    };
    let rounded = value.map(|v| judge::round_half_away(v, measure.decimals()));
    let rag = rounded
        .and_then(|r| judge::rag(r, indicator.polarity, indicator.target, indicator.tolerance));
    Outcome {
        period,
        numerator: if any { sums.numerator } else { None },
        denominator: if any { sums.denominator } else { None },
        value,
        rounded,
        display: value.map_or_else(|| "No data".to_string(), |v| measure.display(v)),
        rag,
        direction: None,
        previous: None,
        change: None,
        contributors: sums.contributors,
        gaps: sums.gaps,
        commentary: sums.commentary,
        source: Source::Returns,
    }
}

/// The services' figures for one indicator in one quarter, added up, with
/// who contributed, who is missing and why, and what they said.
#[derive(Default)]
struct Sums {
    numerator: Option<f64>,
    denominator: Option<f64>,
    value: Option<f64>,
    contributors: Vec<String>,
    gaps: Vec<Gap>,
    commentary: Vec<Commentary>,
}

impl Sums {
    fn gather(
        indicator: &Indicator,
        period: Period,
        accepted: &HashMap<(&str, Period), &Return>,
        rejected: &HashSet<(&str, Period)>,
    ) -> Sums {
        let mut sums = Sums::default();
        let add = |slot: &mut Option<f64>, x: Option<f64>| {
            if let Some(x) = x {
                *slot = Some(slot.unwrap_or(0.0) + x);
            }
        };
        for service in &indicator.services {
            let Some(ret) = accepted.get(&(service.as_str(), period)) else {
                sums.gaps
                    .push(if rejected.contains(&(service.as_str(), period)) {
                        Gap::Rejected {
                            service: service.clone(),
                        }
                    } else {
                        Gap::NotReturned {
                            service: service.clone(),
                        }
                    });
                continue;
            };
            let Some(figure) = ret
                .figures
                .iter()
                .find(|f| f.reference == indicator.reference)
            else {
                sums.gaps.push(Gap::RowMissing {
                    service: service.clone(),
                });
                continue;
            };
            if let Some(text) = &figure.commentary {
                sums.commentary.push(Commentary {
                    service: service.clone(),
                    text: text.clone(),
                });
            }
            if figure.is_no_data() {
                sums.gaps.push(Gap::NoData {
                    service: service.clone(),
                    commentary: figure.commentary.clone().unwrap_or_default(),
                });
                continue;
            }
            add(&mut sums.numerator, figure.numerator);
            add(&mut sums.denominator, figure.denominator);
            // A count's value is the sum of values; for other measures a
            // return's own Value was checked against its numerator and
            // denominator, and the borough value is worked out from the sums.
            add(&mut sums.value, figure.value);
            sums.contributors.push(service.clone());
        }
        sums
    }
}

fn summarise(rows: &[IndicatorRow], period: Period) -> Summary {
    let mut s = Summary {
        indicators: rows.len(),
        ..Summary::default()
    };
    for row in rows {
        let Some(o) = row.at(period) else {
            s.no_data += 1;
            continue;
        };
        if !o.has_data() {
            s.no_data += 1;
            continue;
        }
        match o.rag {
            Some(Rag::Green) => s.green += 1,
            Some(Rag::Amber) => s.amber += 1,
            Some(Rag::Red) => s.red += 1,
            None => s.not_rated += 1,
        }
        match o.direction {
            Some(Direction::Improved) => s.improved += 1,
            Some(Direction::Worsened) => s.worsened += 1,
            Some(Direction::Unchanged) => s.unchanged += 1,
            // Context indicators move up or down without getting better or worse.
            Some(Direction::Up | Direction::Down) => {}
            None => s.no_comparison += 1,
        }
    }
    s
}

fn picture(templates: &Templates, returns: &[CheckedReturn], period: Period) -> ReturnsPicture {
    let expected: Vec<String> = templates
        .services
        .iter()
        .filter(|s| !templates.indicators_for(&s.name).is_empty())
        .map(|s| s.name.clone())
        .collect();
    let for_period: Vec<&CheckedReturn> = returns
        .iter()
        .filter(|r| period_of(r).is_none_or(|p| p == period))
        .collect();
    let received = for_period
        .iter()
        .map(|r| ReturnLine {
            file: r.file.name.clone(),
            service: r.service.clone(),
            status: r.status.clone(),
            errors: r.errors(),
            warnings: r.warnings(),
        })
        .collect();
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    let mut missing = Vec::new();
    for service in &expected {
        let mine: Vec<&&CheckedReturn> = for_period
            .iter()
            .filter(|r| r.service.as_deref() == Some(service.as_str()))
            .collect();
        if mine.iter().any(|r| r.status == ReturnStatus::Accepted) {
            accepted.push(service.clone());
        } else if mine.is_empty() {
            missing.push(service.clone());
        } else {
            rejected.push(service.clone());
        }
    }
    ReturnsPicture {
        expected,
        received,
        accepted,
        rejected,
        missing,
    }
}
