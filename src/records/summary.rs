//! What may be said of an extract anywhere: counts, and problems whose
//! messages name no child and quote no value.

use serde::Serialize;

use super::{Extract, ExtractStatus};
use crate::config::Source;
use crate::diagnostic::Diagnostic;

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

/// What the report may say about the quarter's extract: counts only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExtractSummary {
    pub source: Source,
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
            source: extract.source,
            name: extract.name.clone(),
            refused,
            refs,
            fallbacks,
            children: extract.children,
            used: extract.children_used,
            left_out: extract.left_out.len(),
            reasons: extract
                .left_out_by_reason()
                .into_iter()
                .map(|(r, n)| (r.to_string(), n))
                .collect(),
            warnings: extract.warning_count(),
        }
    }
}
