//! Figures from children's own records: what every child-level source
//! (an extract of the case-management system, such as the SSDA903) gives
//! the rest of the run, whatever its layout.
//!
//! ```text
//!  inputs/ ─► discover ─► ChildLevelSource::group ─► ExtractSource ─► ChildLevelSource::load ─► Extract
//!                          (its files, tied to a         (name, files,       (read, checked, its figures
//!                           quarter by folder or name)    quarter)            with the children behind
//!                                                                             each, or refused whole)
//! ```
//!
//! A source is one module that implements [`ChildLevelSource`] and one line
//! in [`registry::SOURCES`]. Everything above this floor (the borough
//! figures, the comparison with the services' returns, the data-quality
//! statement, the restricted workbook, the extract's feedback, `check`
//! and `watch`) works on [`Extract`] alone.
//!
//! An extract is used whole or not at all ([`ExtractStatus::Refused`]).
//! Every problem's message is free of child ids and values; the id and
//! value travel beside it, for the restricted outputs only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::calendar::BankHolidays;
use crate::config::{ChildRecords, Source};
use crate::diagnostic::Diagnostic;
use crate::period::Period;

pub mod compare;
pub mod figure;
pub mod find;
pub mod registry;
pub mod summary;
pub mod too_few;

use figure::Computed;
pub use find::ExtractSource;
pub use too_few::TooFew;

/// A kind of child-level extract: how its files are found and grouped,
/// and how one is read, checked and turned into figures.
pub trait ChildLevelSource: Sync {
    /// Its name in `indicators.toml` (`source = "ssda903"`).
    fn source(&self) -> Source;

    /// The refs it can work out.
    fn refs(&self) -> &'static [&'static str];

    /// The rule a file of its extracts breaks when it cannot be read
    /// whole.
    fn file_rule(&self) -> &'static str;

    /// The rule a service's figure breaks when it differs, as printed,
    /// from the extract's.
    fn differs_rule(&self) -> &'static str;

    /// Whether a file is this source's by its content alone (a census's
    /// root element), so that no other source takes it for its own.
    fn recognises(&self, _path: &Path) -> bool {
        false
    }

    /// Whether it takes only the files it [recognises](Self::recognises).
    fn by_content(&self) -> bool {
        false
    }

    /// Which of the CSV and XML files found below `root` are its own, as
    /// extracts, each tied to the quarter its folder or name gives.
    /// `files` are `(path, name below inputs/)`; files it leaves are
    /// another source's.
    fn group(&self, root: &Path, files: &[(PathBuf, String)]) -> Vec<ExtractSource>;

    /// Reads, checks and works out one extract's figures for its quarter;
    /// or refuses it.
    fn load(&self, found: &ExtractSource, holidays: &BankHolidays, rules: ChildRecords) -> Extract;
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
    /// It cannot be used at all; its figures come from the returns.
    /// `because` names no child and quotes no value.
    Refused {
        because: String,
    },
}

impl ExtractStatus {
    pub fn is_refused(&self) -> bool {
        matches!(self, ExtractStatus::Refused { .. })
    }
}

/// A file of an extract, for the run record.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractFile {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
    /// The lists it held, by name.
    pub lists: Vec<&'static str>,
    /// The encoding it was read in, when not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'static str>,
    /// When it was last changed, for telling which of two extracts is newer.
    #[serde(skip)]
    pub modified: Option<std::time::SystemTime>,
}

impl ExtractFile {
    /// The facts of a file just read as `bytes` from `path`: its size,
    /// checksum and when it was last changed; its lists and encoding are
    /// for its reader to add.
    pub fn of(path: &Path, name: &str, bytes: &[u8]) -> ExtractFile {
        ExtractFile {
            name: name.to_string(),
            bytes: bytes.len() as u64,
            sha256: crate::read::sha256_hex(bytes),
            lists: Vec::new(),
            encoding: None,
            modified: std::fs::metadata(path).and_then(|m| m.modified()).ok(),
        }
    }
}

/// A child left out of every figure, with its problems.
#[derive(Debug, Clone)]
pub struct LeftOut {
    /// The child's id: personal data, for the restricted outputs only.
    pub child: String,
    /// The reason it is counted under in the report, in words, and that
    /// reason's place in the order the report lists them.
    pub reason: (u8, &'static str),
    pub problems: Vec<Diagnostic>,
}

/// One extract, read and checked. Its figures are worked out for the
/// quarter it belongs to; the children themselves are not kept, only
/// those behind each figure.
#[derive(Debug, Clone)]
pub struct Extract {
    pub source: Source,
    pub name: String,
    pub period: Option<Period>,
    pub status: ExtractStatus,
    pub files: Vec<ExtractFile>,
    /// The parts of the extract found (the 903's lists), usable or not.
    /// None: nothing found was this source's extract.
    pub parts: Vec<&'static str>,
    /// Problems with files, rows and elements, and refusals, located.
    pub problems: Vec<Diagnostic>,
    /// Distinct children the extract holds.
    pub children: usize,
    /// Children whose records passed the checks.
    pub children_used: usize,
    pub left_out: Vec<LeftOut>,
    /// The checks' warnings: records not used, located.
    pub warnings: Vec<Diagnostic>,
    /// Warnings the figures raised, with the child they concern.
    pub figure_warnings: Vec<Diagnostic>,
    pub figures: Vec<Computed>,
    /// Refs it gives no figure for although the extract was used, with
    /// why ("its reviews list holds only its header row").
    pub unavailable: BTreeMap<&'static str, String>,
}

impl Extract {
    /// An extract of `source` found as `found`, before it is read.
    pub fn new(source: Source, found: &ExtractSource) -> Extract {
        Extract {
            source,
            name: found.name.clone(),
            period: found.period,
            status: ExtractStatus::Used,
            files: Vec::new(),
            parts: Vec::new(),
            problems: Vec::new(),
            children: 0,
            children_used: 0,
            left_out: Vec::new(),
            warnings: Vec::new(),
            figure_warnings: Vec::new(),
            figures: Vec::new(),
            unavailable: BTreeMap::new(),
        }
    }

    /// The figure for a ref, when the extract was used and had what it
    /// needs.
    pub fn figure(&self, reference: &str) -> Option<&Computed> {
        if self.status.is_refused() || self.why_not(reference).is_some() {
            return None;
        }
        self.figures.iter().find(|f| f.reference == reference)
    }

    /// Why a used extract gives no figure for a ref.
    pub fn why_not(&self, reference: &str) -> Option<String> {
        self.unavailable.get(reference).cloned()
    }

    /// Whether anything in it was this source's extract: a folder of CSV
    /// files none of which is one of the lists is not an extract.
    pub fn is_extract(&self) -> bool {
        !self.parts.is_empty()
    }

    /// Every problem, in file order, for feedback.
    pub fn all_problems(&self) -> Vec<&Diagnostic> {
        let left = self.left_out.iter().flat_map(|l| &l.problems);
        let mut all: Vec<&Diagnostic> = self
            .problems
            .iter()
            .chain(left)
            .chain(&self.warnings)
            .collect();
        all.sort_by(|a, b| {
            (a.file_name(), a.row(), a.line(), a.element()).cmp(&(
                b.file_name(),
                b.row(),
                b.line(),
                b.element(),
            ))
        });
        all.extend(&self.figure_warnings);
        all
    }

    /// Children left out, counted under their main reason, in the
    /// source's order of reasons.
    pub fn left_out_by_reason(&self) -> Vec<(&'static str, usize)> {
        let mut counts: BTreeMap<(u8, &'static str), usize> = BTreeMap::new();
        for l in &self.left_out {
            *counts.entry(l.reason).or_default() += 1;
        }
        counts.into_iter().map(|((_, r), n)| (r, n)).collect()
    }

    /// Warnings of every kind: records not used, the figures' warnings and
    /// the files'.
    pub fn warning_count(&self) -> usize {
        self.warnings.len()
            + self.figure_warnings.len()
            + self.problems.iter().filter(|p| !p.is_error()).count()
    }

    /// Drops the children behind each figure, keeping the figures, counts
    /// and problems: what `watch` holds between changes.
    pub fn forget_children(&mut self) {
        for f in &mut self.figures {
            f.members = Vec::new();
        }
    }

    /// Marks it refused, for `because`.
    pub fn refuse(&mut self, because: String) {
        self.status = ExtractStatus::Refused { because };
    }
}

/// Resolves two extracts of one source for one quarter: the one whose
/// newest file was changed last wins, the other is superseded. A refused
/// extract can win: the team sent it to replace the other, which is then
/// out of date, so the quarter's figures come from the returns.
pub fn resolve(extracts: &mut [Extract]) {
    let newest = |e: &Extract| e.files.iter().filter_map(|f| f.modified).max();
    let mut best: BTreeMap<(Source, Period), usize> = BTreeMap::new();
    for (i, e) in extracts.iter().enumerate() {
        let Some(p) = e.period.filter(|_| e.is_extract()) else {
            continue;
        };
        match best.get(&(e.source, p)) {
            Some(&j) if (newest(&extracts[j]), &extracts[j].name) >= (newest(e), &e.name) => {}
            _ => {
                best.insert((e.source, p), i);
            }
        }
    }
    for i in 0..extracts.len() {
        let Some(p) = extracts[i].period.filter(|_| extracts[i].is_extract()) else {
            continue;
        };
        if let Some(&winner) = best.get(&(extracts[i].source, p)) {
            if winner != i {
                extracts[i].status = ExtractStatus::Superseded {
                    by: extracts[winner].name.clone(),
                };
            }
        }
    }
}

/// Finds every source's extracts among the CSV and XML files found.
pub fn group_all(root: &Path, files: &[(PathBuf, String)]) -> Vec<ExtractSource> {
    // A file a source recognises by its content goes to that source alone;
    // the sources that do not work by content share the rest.
    let owners: Vec<Option<usize>> = files
        .iter()
        .map(|(p, _)| registry::SOURCES.iter().position(|s| s.recognises(p)))
        .collect();
    registry::SOURCES
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            let mine: Vec<(PathBuf, String)> = files
                .iter()
                .zip(&owners)
                .filter(|(_, owner)| match owner {
                    Some(j) => *j == i,
                    None => !s.by_content(),
                })
                .map(|(f, _)| f.clone())
                .collect();
            s.group(root, &mine)
        })
        .collect()
}

/// Reads every extract found (in parallel) and settles which one each
/// quarter uses.
pub fn load_all(
    found: &[ExtractSource],
    holidays: &BankHolidays,
    rules: ChildRecords,
) -> Vec<Extract> {
    use rayon::prelude::*;
    // Whatever goes wrong inside becomes a message on that extract: one
    // strange file never stops the run.
    let mut extracts: Vec<Extract> = found
        .par_iter()
        .filter_map(|f| {
            let reader = registry::of(f.source)?;
            Some(
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    reader.load(f, holidays, rules)
                }))
                .unwrap_or_else(|_| damaged(reader, f)),
            )
        })
        .collect();
    resolve(&mut extracts);
    extracts
}

/// An extract the reader could not make sense of.
fn damaged(source: &dyn ChildLevelSource, found: &ExtractSource) -> Extract {
    let mut e = Extract::new(source.source(), found);
    e.parts = vec!["files"];
    e.refuse("its files could not be read".into());
    e.problems = vec![Diagnostic::error(
        source.file_rule(),
        "The extract could not be read: its files are damaged in a way the reader could not make sense of. Export it again from the case-management system.",
    )
    .in_file(&found.name)];
    e
}

/// The extract of `source` a quarter uses, if any.
pub fn for_period(extracts: &[Extract], source: Source, period: Period) -> Option<&Extract> {
    extracts
        .iter()
        .find(|e| e.source == source && e.period == Some(period) && e.status == ExtractStatus::Used)
}

/// The extract of `source` that decides a quarter: the one used, or the
/// one refused (and not superseded), if any.
pub fn standing_for(extracts: &[Extract], source: Source, period: Period) -> Option<&Extract> {
    extracts.iter().find(|e| {
        e.source == source
            && e.period == Some(period)
            && e.is_extract()
            && matches!(
                e.status,
                ExtractStatus::Used | ExtractStatus::Refused { .. }
            )
    })
}
