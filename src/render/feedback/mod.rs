//! `feedback/<return>.xlsx`: for each return with problems, what to fix
//! and where, in a workbook the officer can open beside their own.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::Url;

mod book;
mod copy;

use book::FeedbackBook;

use super::{RenderContext, Renderer};
use crate::model::returns::{CheckedReturn, ReturnStatus};
use crate::output::{write_atomic, FEEDBACK_FOLDER as FOLDER};
use crate::records::{Extract, ExtractStatus};

/// The feedback file's name for an extract: `<source> <its name>.xlsx`,
/// e.g. `ssda903 2014-15-Q2-ssda903.xlsx`.
pub fn extract_file_name(e: &Extract) -> String {
    let name: String = e
        .name
        .trim_end_matches('/')
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let name = name.trim_end_matches(".xml").trim_end_matches(".XML");
    format!("{} {name}.xlsx", e.source.name())
}

/// Where an extract's feedback goes: the quarter's `restricted/feedback/`,
/// as it shows the values at fault, which come from children's records.
pub fn extract_feedback_path(out_dir: &Path, e: &Extract) -> PathBuf {
    out_dir
        .join(super::restricted::RESTRICTED_DIR)
        .join(FOLDER)
        .join(extract_file_name(e))
}

/// What the performance team should do about an extract, in one sentence.
fn extract_verdict(e: &Extract) -> String {
    match &e.status {
        ExtractStatus::Used => format!(
            "Used: {}, {} left out of every figure because of the errors below. Correct them in the case-management system and export the extract again. Warnings are rows that were not used.",
            crate::text::count_of(e.children, "child", "children"),
            e.left_out.len()
        ),
        ExtractStatus::Superseded { by } => {
            format!("Superseded by {by}, which was changed more recently; this extract was not used.")
        }
        ExtractStatus::Refused { because } => format!(
            "Refused: {because}. An extract is used whole or not at all, so none of its figures was used: they come from the services' returns. Correct what is listed below and export the extract again."
        ),
    }
}

/// Whether an extract gets a feedback workbook: it was read as an extract
/// and has problems, or another replaced it, or it was refused.
pub fn extract_needs_feedback(e: &Extract) -> bool {
    e.is_extract() && (!e.all_problems().is_empty() || !matches!(e.status, ExtractStatus::Used))
}

/// Feedback on an extract of children's records: each problem by file,
/// row (or element) and column, with the value at fault so that the team
/// can find it. It holds values from children's records, so it is written
/// to the quarter's `restricted/` folder, never beside the services'
/// feedback.
pub fn write_extract(
    e: &Extract,
    templates: &crate::config::Templates,
    out_dir: &Path,
) -> anyhow::Result<PathBuf> {
    let rows = e
        .all_problems()
        .into_iter()
        .map(|p| {
            let place = match (p.row(), p.line(), p.element()) {
                (Some(r), _, _) => r.to_string(),
                (None, Some(l), Some(el)) => format!("line {l}, {el}"),
                (None, None, Some(el)) => el.to_string(),
                (None, Some(l), None) => format!("line {l}"),
                _ => String::new(),
            };
            let cells = vec![
                p.file_name().to_string(),
                place,
                p.column().unwrap_or_default().to_string(),
                p.severity.label().to_string(),
                p.rule.to_string(),
                p.message.clone(),
                p.value().unwrap_or_default().to_string(),
            ];
            (p.severity, cells, None)
        })
        .collect();
    let book = FeedbackBook {
        heading: format!("Feedback on the {} extract", e.source.label()),
        facts: vec![
            ("Extract", e.name.clone()),
            (
                "Quarter",
                e.period
                    .map(|p| p.label())
                    .unwrap_or_else(|| "not recognised".into()),
            ),
            ("Outcome", extract_verdict(e)),
        ],
        columns: &[
            ("File", 28.0),
            ("Row", 16.0),
            ("Column", 14.0),
            ("Severity", 10.0),
            ("Rule", 26.0),
            ("What to do", 90.0),
            ("Value", 16.0),
        ],
        severity_column: 3,
        rows,
        copies: &[],
        diagnostics: &[],
        title: format!("Feedback on the {} extract {}", e.source.label(), e.name),
    };
    let path = extract_feedback_path(out_dir, e);
    write_atomic(&path, &book.write(&templates.organisation.name)?)?;
    Ok(path)
}

/// Feedback workbooks, one per return with errors or warnings.
pub struct Feedback;

/// The folder, under the quarter's, that holds the feedback.
/// What the officer should do next, in one sentence.
pub fn verdict(r: &CheckedReturn) -> String {
    match &r.status {
        ReturnStatus::Accepted => format!(
            "Accepted with {} warning(s). The figures are used; please check each warning below and correct your records if needed.",
            r.warnings()
        ),
        ReturnStatus::Rejected => format!(
            "Rejected: {} error(s) must be corrected before these figures can be used. Fix each one below in your return, save it, and send it again.",
            r.errors()
        ),
        ReturnStatus::Superseded { by } => format!(
            "Superseded by {by}, which was submitted later; this file's figures are not used."
        ),
    }
}

/// Writes one return's feedback into `out_dir/feedback/`, for the run of
/// `period` (named on its Problems sheet): each problem by cell, linked to
/// the cell in a copy of the officer's sheet.
pub fn write_one(
    r: &CheckedReturn,
    templates: &crate::config::Templates,
    period: crate::period::Period,
    out_dir: &Path,
) -> anyhow::Result<PathBuf> {
    let rows = r
        .diagnostics
        .iter()
        .map(|d| {
            let cells = vec![
                d.location(),
                d.severity.label().to_string(),
                d.rule.to_string(),
                d.message.clone(),
            ];
            // The location links to the cell in the copy of the officer's
            // sheet.
            let link = match d.cell() {
                (Some(sheet), Some(cell)) if r.sheets.iter().any(|s| s.name == sheet) => Some(
                    Url::new(format!("internal:'{}'!{cell}", copy::copy_name(sheet)))
                        .set_text(d.location()),
                ),
                _ => None,
            };
            (d.severity, cells, link)
        })
        .collect();
    let book = FeedbackBook {
        heading: "Feedback on your quarterly return".into(),
        facts: vec![
            ("File", r.file.name.clone()),
            (
                "Service",
                r.service.clone().unwrap_or_else(|| "not recognised".into()),
            ),
            (
                "Period",
                r.period
                    .map(|p| p.label())
                    .unwrap_or_else(|| "not recognised".into()),
            ),
            ("Outcome", verdict(r)),
            (
                "Run",
                format!(
                    "{} scorecard for {}",
                    templates.organisation.name,
                    period.label()
                ),
            ),
        ],
        columns: &[
            ("Location", 18.0),
            ("Severity", 10.0),
            ("Rule", 26.0),
            ("What to do", 90.0),
        ],
        severity_column: 1,
        rows,
        copies: &r.sheets,
        diagnostics: &r.diagnostics,
        title: format!("Feedback on {}", r.file.name),
    };
    let path = out_dir.join(FOLDER).join(r.feedback_file_name());
    write_atomic(&path, &book.write(&templates.organisation.name)?)?;
    Ok(path)
}

impl Renderer for Feedback {
    fn name(&self) -> &'static str {
        "feedback"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for r in ctx.returns_for_period().filter(|r| r.needs_feedback()) {
            written.push(write_one(
                r,
                ctx.templates,
                ctx.scorecard.period,
                ctx.out_dir,
            )?);
        }
        remove_stale(&ctx.out_dir.join(FOLDER), &written)?;
        let period = ctx.scorecard.period;
        let mut restricted = Vec::new();
        for e in ctx
            .extracts
            .iter()
            .filter(|e| e.period.is_none_or(|p| p == period))
            .filter(|e| extract_needs_feedback(e))
        {
            restricted.push(write_extract(e, ctx.templates, ctx.out_dir)?);
        }
        let folder = ctx
            .out_dir
            .join(super::restricted::RESTRICTED_DIR)
            .join(FOLDER);
        remove_stale(&folder, &restricted)?;
        written.extend(restricted);
        Ok(written)
    }
}

/// Removes feedback workbooks that belong to no return now in `inputs/`
/// (the return was corrected, or taken away), so that the folder holds
/// exactly the feedback that applies. Returns the files removed.
pub fn remove_stale(folder: &Path, keep: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context;
    let mut removed = Vec::new();
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(removed),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot list {}", folder.display()));
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_workbook = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_workbook || name.starts_with('~') || name.starts_with('.') {
            continue;
        }
        if keep.iter().any(|k| k.file_name() == path.file_name()) {
            continue;
        }
        std::fs::remove_file(&path).with_context(|| {
            format!(
                "cannot remove the out-of-date feedback {} (is it open in Excel?)",
                path.display()
            )
        })?;
        removed.push(path);
    }
    Ok(removed)
}
