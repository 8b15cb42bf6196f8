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

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::period::Period;

pub mod compare;
pub mod indicators;
pub mod model;
pub mod read;
pub mod sample;

use indicators::Computed;
use model::{Checked, Reason};
use read::{ExtractFile, List, Refusal};

/// Problems as lines to print: each located problem on its own line, and
/// the same message about a child that has no row to point at (a child
/// with no oc2 row…) once, with how many children it concerns, since
/// those children are named only in the restricted workbook.
pub fn problem_lines(problems: &[&Diagnostic]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut unlocated: Vec<(&Diagnostic, usize)> = Vec::new();
    for p in problems {
        if p.file.is_none() {
            match unlocated
                .iter_mut()
                .find(|(q, _)| q.rule == p.rule && q.message == p.message)
            {
                Some((_, n)) => *n += 1,
                None => unlocated.push((p, 1)),
            }
        } else {
            lines.push(p.to_string());
        }
    }
    for (p, n) in unlocated {
        let times = if n == 1 {
            String::new()
        } else {
            format!(" ({})", crate::text::count_of(n, "child", "children"))
        };
        lines.push(format!("{p}{times}"));
    }
    lines
}

/// The files of one extract, as found in `inputs/`.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractSource {
    /// How it is named to people: the folder of CSV lists, or the XML file.
    pub name: String,
    pub xml: bool,
    /// `(path, name below inputs/)`.
    #[serde(skip)]
    pub files: Vec<(PathBuf, String)>,
    pub period: Option<Period>,
}

/// Finds a quarter written anywhere in a file or folder name:
/// `903 2014-15 Q2`, `ssda903_2014-15-Q2.xml`.
pub fn period_in_name(name: &str) -> Option<Period> {
    let stem = name
        .strip_suffix(".xml")
        .or_else(|| name.strip_suffix(".XML"))
        .unwrap_or(name);
    let words: Vec<&str> = stem
        .split(|c: char| c.is_whitespace() || c == '_' || c == '.' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    for width in (1..=3).rev() {
        for window in words.windows(width) {
            if let Ok(p) = Period::parse(&window.join(" ")) {
                return Some(p);
            }
        }
    }
    // `ssda903-2014-15-Q2`: a quarter id at the end of a hyphenated word.
    words.iter().find_map(|w| {
        let n = w.len();
        (n >= 10)
            .then(|| w.get(n - 10..))
            .flatten()
            .and_then(|tail| Period::parse(tail).ok())
    })
}

/// Groups the CSV and XML files found in `inputs/` into extracts: the CSV
/// files of one folder make one extract, each XML file is one. Each is tied
/// to the quarter its folder (or a folder above it, or the XML's own name)
/// names.
pub fn group(root: &Path, files: &[(PathBuf, String)]) -> Vec<ExtractSource> {
    let mut folders: BTreeMap<PathBuf, Vec<(PathBuf, String)>> = BTreeMap::new();
    let mut out = Vec::new();
    for (path, name) in files {
        let is_xml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
        if is_xml {
            let own = path
                .file_name()
                .and_then(|n| period_in_name(&n.to_string_lossy()));
            out.push(ExtractSource {
                name: name.clone(),
                xml: true,
                files: vec![(path.clone(), name.clone())],
                period: folder_period(root, path).or(own),
            });
        } else {
            let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
            folders
                .entry(folder)
                .or_default()
                .push((path.clone(), name.clone()));
        }
    }
    for (folder, files) in folders {
        let name = folder
            .strip_prefix(root)
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ".".into());
        out.push(ExtractSource {
            period: files.first().and_then(|(p, _)| folder_period(root, p)),
            name: format!("{name}/"),
            xml: false,
            files,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The quarter named by the nearest folder above `path`, up to and
/// including `root` itself (`scorecard check inputs/2014-15-Q2`).
fn folder_period(root: &Path, path: &Path) -> Option<Period> {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if !d.starts_with(root) {
            return None;
        }
        if let Some(p) = d
            .file_name()
            .and_then(|n| period_in_name(&n.to_string_lossy()))
        {
            return Some(p);
        }
        if d == root {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// What became of an extract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum ExtractStatus {
    Used,
    /// Another extract for the same quarter was changed more recently.
    Superseded {
        by: String,
    },
    /// It cannot be used at all (see [`Refusal`]); its figures come from
    /// the returns. `because` names no child and quotes no value.
    Refused {
        because: String,
    },
}

impl ExtractStatus {
    pub fn is_refused(&self) -> bool {
        matches!(self, ExtractStatus::Refused { .. })
    }
}

/// Settings for child-level extracts, from `templates/scorecard.toml`: the
/// share of children that may be left out before an extract is refused.
pub use crate::config::ChildRecords as Rules;

/// One extract, read and checked. Its figures are worked out for the
/// quarter it belongs to.
#[derive(Debug, Clone)]
pub struct Extract {
    pub name: String,
    pub period: Option<Period>,
    pub status: ExtractStatus,
    pub files: Vec<ExtractFile>,
    /// The lists found in it, usable or not.
    pub lists: Vec<List>,
    /// The lists its figures can use.
    pub usable: Vec<List>,
    /// Lists it lacks or cannot use, with why ("holds only its header row").
    pub unusable: BTreeMap<List, String>,
    /// Problems with files and rows (errors and warnings), located.
    pub problems: Vec<Diagnostic>,
    pub checked: Checked,
    /// The ten figures, for the quarter's last day.
    pub figures: Vec<Computed>,
    /// Warnings the figures raised (no oc2 row, a review outside any
    /// period of care), with the child they concern.
    pub figure_warnings: Vec<Diagnostic>,
}

impl Extract {
    /// The figure for a ref, when the lists it needs were in the extract.
    pub fn figure(&self, reference: &str) -> Option<&Computed> {
        if self.status.is_refused() || self.why_not(reference).is_some() {
            return None;
        }
        self.figures.iter().find(|f| f.reference == reference)
    }

    /// Why a used extract gives no figure for a ref: the first list the
    /// figure needs that it lacks or cannot use ("its reviews list holds
    /// only its header row").
    pub fn why_not(&self, reference: &str) -> Option<String> {
        needs(reference)
            .iter()
            .find(|l| !self.usable.contains(l))
            .map(|l| {
                let why = self
                    .unusable
                    .get(l)
                    .cloned()
                    .unwrap_or_else(|| "is missing".into());
                format!("its {} list {why}", l.name())
            })
    }

    /// Whether anything in it was an extract's list: a folder of CSV files
    /// none of which is one of the lists is not an extract.
    pub fn is_extract(&self) -> bool {
        !self.lists.is_empty()
    }

    /// Children in the extract: distinct children in its header and
    /// episodes lists.
    pub fn children(&self) -> usize {
        self.checked.children_in_extract
    }

    /// Every problem, in file order, for feedback.
    pub fn all_problems(&self) -> Vec<&Diagnostic> {
        let left: Vec<&Diagnostic> = self
            .checked
            .left_out
            .iter()
            .flat_map(|l| &l.problems)
            .collect();
        let mut all: Vec<&Diagnostic> = self
            .problems
            .iter()
            .chain(left)
            .chain(&self.checked.warnings)
            .collect();
        all.sort_by(|a, b| {
            (a.file_name(), a.row(), a.element()).cmp(&(b.file_name(), b.row(), b.element()))
        });
        all.extend(&self.figure_warnings);
        all
    }

    /// Children left out, counted under their main reason.
    pub fn left_out_by_reason(&self) -> Vec<(Reason, usize)> {
        Reason::ALL
            .iter()
            .map(|r| {
                (
                    *r,
                    self.checked
                        .left_out
                        .iter()
                        .filter(|l| l.main_reason() == *r)
                        .count(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Drops what only the figures' restricted lists need (the children
    /// and everyone behind each figure), keeping the figures, counts and
    /// problems: what `watch` holds between changes.
    pub fn forget_children(&mut self) {
        self.checked.children = Vec::new();
        self.checked.care_leavers = Vec::new();
        for f in &mut self.figures {
            f.members = Vec::new();
        }
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
pub fn load(
    source: &ExtractSource,
    holidays: &crate::calendar::BankHolidays,
    rules: Rules,
) -> Extract {
    let mut raw = if source.xml {
        source
            .files
            .first()
            .map(|(p, n)| read::read_xml_file(p, n))
            .unwrap_or_default()
    } else {
        read::read_csv_files(&source.files)
    };
    let lists: Vec<List> = if raw.xml {
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
    };
    let mut extract = Extract {
        name: source.name.clone(),
        period: source.period,
        status: ExtractStatus::Used,
        files: raw.files.clone(),
        usable: raw.tables.keys().copied().collect(),
        unusable: std::mem::take(&mut raw.unusable),
        lists,
        problems: std::mem::take(&mut raw.problems),
        checked: Checked::default(),
        figures: Vec::new(),
        figure_warnings: Vec::new(),
    };
    if !extract.is_extract() {
        return extract;
    }
    let mut refusals = std::mem::take(&mut raw.refusals);
    if source.period.is_none() {
        refusals.push(Refusal::NoQuarter);
        extract.problems.push(Diagnostic::error(
            "ssda903-quarter",
            format!(
                "The quarter of this extract cannot be told, so it was refused: put it in a folder named after its quarter, e.g. inputs/2014-15-Q2/ssda903/{}",
                if source.xml { ", or name the XML file after it, e.g. ssda903 2014-15-Q2.xml" } else { "" }
            ),
        ).in_file(&source.name));
    }
    if refusals.is_empty() {
        for list in [List::Header, List::Episodes] {
            if !raw.has(list) {
                let why = extract
                    .unusable
                    .get(&list)
                    .cloned()
                    .unwrap_or_else(|| "is missing".into());
                refusals.push(Refusal::Needed(list, why));
            }
        }
    }
    if refusals.is_empty() {
        extract.checked = crate::validate::ssda903::check(&raw);
        drop(raw);
        let (children, left_out) = (extract.children(), extract.checked.left_out.len());
        if extract.checked.children.is_empty() {
            refusals.push(Refusal::NoChild);
        } else if left_out as f64 > rules.left_out_limit * children as f64 {
            refusals.push(Refusal::TooManyLeftOut(
                left_out,
                children,
                rules.left_out_limit,
            ));
        }
    }
    if !refusals.is_empty() {
        let because: Vec<String> = refusals.iter().map(Refusal::describe).collect();
        extract.status = ExtractStatus::Refused {
            because: because.join("; "),
        };
        refuse_feedback(&mut extract, &refusals);
        return extract;
    }
    if let Some(p) = source.period {
        let end = p.last_day();
        extract.figures = indicators::compute(&extract.checked, end, holidays);
        extract.figure_warnings = figure_warnings(&extract.checked, end);
    }
    extract
}

/// The problem that says an extract was refused for its children's
/// errors, or for a list every figure needs; file problems say so
/// themselves.
fn refuse_feedback(extract: &mut Extract, refusals: &[Refusal]) {
    for r in refusals {
        let message = match r {
            Refusal::NoChild | Refusal::TooManyLeftOut(..) => format!(
                "The extract was refused: {}. Its figures come from the services' returns. Correct the errors listed here in the case-management system and export the extract again; if so many errors are expected, the share allowed is `left_out_limit` in templates/scorecard.toml.",
                r.describe()
            ),
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

/// Resolves two extracts for one quarter: the one whose newest file was
/// changed last wins, the other is superseded. A refused extract can win:
/// the team sent it to replace the other, which is then out of date, so
/// the quarter's figures come from the returns.
pub fn resolve(extracts: &mut [Extract]) {
    let newest = |e: &Extract| e.files.iter().filter_map(|f| f.modified).max();
    let mut best: BTreeMap<Period, usize> = BTreeMap::new();
    for (i, e) in extracts.iter().enumerate() {
        let Some(p) = e.period.filter(|_| e.is_extract()) else {
            continue;
        };
        match best.get(&p) {
            Some(&j) if (newest(&extracts[j]), &extracts[j].name) >= (newest(e), &e.name) => {}
            _ => {
                best.insert(p, i);
            }
        }
    }
    for i in 0..extracts.len() {
        let Some(p) = extracts[i].period.filter(|_| extracts[i].is_extract()) else {
            continue;
        };
        if let Some(&winner) = best.get(&p) {
            if winner != i {
                extracts[i].status = ExtractStatus::Superseded {
                    by: extracts[winner].name.clone(),
                };
            }
        }
    }
}

/// Reads every extract found (in parallel) and settles which one each
/// quarter uses.
pub fn load_all(
    sources: &[ExtractSource],
    holidays: &crate::calendar::BankHolidays,
    rules: Rules,
) -> Vec<Extract> {
    use rayon::prelude::*;
    // Whatever goes wrong inside becomes a message on that extract: one
    // strange file never stops the run.
    let mut extracts: Vec<Extract> = sources
        .par_iter()
        .map(|s| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| load(s, holidays, rules)))
                .unwrap_or_else(|_| damaged(s))
        })
        .collect();
    resolve(&mut extracts);
    extracts
}

/// An extract the reader could not make sense of.
fn damaged(source: &ExtractSource) -> Extract {
    Extract {
        name: source.name.clone(),
        period: source.period,
        status: ExtractStatus::Refused {
            because: "its files could not be read".into(),
        },
        files: Vec::new(),
        lists: List::ALL.to_vec(),
        usable: Vec::new(),
        unusable: BTreeMap::new(),
        problems: vec![Diagnostic::error(
            "ssda903-file",
            "The extract could not be read: its files are damaged in a way the reader could not make sense of. Export it again from the case-management system.",
        )
        .in_file(&source.name)],
        checked: Checked::default(),
        figures: Vec::new(),
        figure_warnings: Vec::new(),
    }
}

/// The extract a quarter uses, if any. An XML file beside it that turned
/// out to be no SSDA903 export (a children in need census, say) is never
/// taken for it.
pub fn for_period(extracts: &[Extract], period: Period) -> Option<&Extract> {
    extracts
        .iter()
        .find(|e| e.period == Some(period) && e.status == ExtractStatus::Used && e.is_extract())
}

/// The extract that decides a quarter: the one used, or the one refused
/// (and not superseded), if any.
pub fn standing_for(extracts: &[Extract], period: Period) -> Option<&Extract> {
    extracts.iter().find(|e| {
        e.period == Some(period)
            && e.is_extract()
            && matches!(
                e.status,
                ExtractStatus::Used | ExtractStatus::Refused { .. }
            )
    })
}

/// What the report may say about the quarter's extract: counts only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExtractSummary {
    pub name: String,
    /// Why the extract was refused, in words, when it was.
    pub refused: Option<String>,
    /// Refs whose borough figure came from the extract.
    pub refs: Vec<String>,
    /// Refs marked to come from the extract whose figure came from the
    /// services' returns instead, and why.
    pub fallbacks: Vec<(String, String)>,
    /// Children in the header and episodes lists.
    pub children: usize,
    /// Children whose rows passed the checks.
    pub used: usize,
    pub left_out: usize,
    /// `(reason in words, children)`.
    pub reasons: Vec<(String, usize)>,
    /// Rows not used, and other warnings.
    pub warnings: usize,
}

impl ExtractSummary {
    /// `marked`: the refs `indicators.toml` takes from the extract;
    /// `refs`: those whose figure came from it this quarter.
    pub fn of(extract: &Extract, marked: &[String], refs: Vec<String>) -> ExtractSummary {
        let refused = match &extract.status {
            ExtractStatus::Refused { because } => Some(because.clone()),
            _ => None,
        };
        let fallbacks = marked
            .iter()
            .filter(|r| !refs.contains(r))
            .filter_map(|r| {
                let why = if refused.is_some() {
                    Some("the extract was refused".to_string())
                } else {
                    extract.why_not(r)
                };
                why.map(|w| (r.clone(), w))
            })
            .collect();
        ExtractSummary {
            name: extract.name.clone(),
            refused,
            refs,
            fallbacks,
            children: extract.checked.children_in_extract,
            used: extract.checked.children.len(),
            left_out: extract.checked.left_out.len(),
            reasons: extract
                .left_out_by_reason()
                .into_iter()
                .map(|(r, n)| (r.describe().to_string(), n))
                .collect(),
            warnings: extract.checked.warnings.len()
                + extract.figure_warnings.len()
                + extract.problems.iter().filter(|p| !p.is_error()).count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_are_found_inside_names() {
        let q2 = Period::parse("2014-15-Q2").ok();
        assert_eq!(period_in_name("2014-15-Q2"), q2);
        assert_eq!(period_in_name("903 2014-15 Q2"), q2);
        assert_eq!(period_in_name("ssda903_2014-15_Q2.xml"), q2);
        assert_eq!(period_in_name("ssda903-2014-15-Q2.xml"), q2);
        assert_eq!(period_in_name("SSDA903 Q2 2014-15"), q2);
        assert_eq!(period_in_name("ssda903"), None);
    }
}

#[cfg(test)]
mod cases;
