//! `feedback/<return>.xlsx`: for each return with problems, what to fix
//! and where, in a workbook the officer can open beside their own.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Note, Url, Workbook, XlsxError,
};

use super::{RenderContext, Renderer};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::returns::{CheckedReturn, ReturnStatus};
use crate::model::workbook::{Cell, Sheet};
use crate::output::write_atomic;
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

/// The formats both kinds of feedback workbook use.
struct Formats {
    title: Format,
    bold: Format,
    header: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0x1F3864))
                .set_font_color(Color::White)
                .set_border(FormatBorder::Thin),
            wrap: Format::new()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_border(FormatBorder::Thin),
        }
    }
}

/// Whether an extract gets a feedback workbook: it was read as an extract
/// and has problems, or another replaced it, or it was refused.
pub fn extract_needs_feedback(e: &Extract) -> bool {
    e.is_extract() && (!e.all_problems().is_empty() || !matches!(e.status, ExtractStatus::Used))
}

/// Feedback on an extract of children's records: each problem by file, row and column,
/// with the value at fault so that the team can find it. It holds values
/// from children's records, so it is written to the quarter's
/// `restricted/` folder, never beside the services' feedback.
pub fn write_extract(
    e: &Extract,
    templates: &crate::config::Templates,
    out_dir: &Path,
) -> anyhow::Result<PathBuf> {
    let mut book = Workbook::new();
    let Formats {
        title,
        bold,
        header,
        wrap,
    } = Formats::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Problems")?;
    sheet.write_string_with_format(
        0,
        0,
        &format!("Feedback on the {} extract", e.source.label()),
        &title,
    )?;
    let facts = [
        ("Extract", e.name.clone()),
        (
            "Quarter",
            e.period
                .map(|p| p.label())
                .unwrap_or_else(|| "not recognised".into()),
        ),
        ("Outcome", extract_verdict(e)),
    ];
    for (i, (k, v)) in facts.iter().enumerate() {
        sheet.write_string_with_format(2 + i as u32, 0, *k, &bold)?;
        sheet.write_string(2 + i as u32, 1, v)?;
    }
    let top = 6;
    let columns = [
        "File",
        "Row",
        "Column",
        "Severity",
        "Rule",
        "What to do",
        "Value",
    ];
    for (c, h) in columns.iter().enumerate() {
        sheet.write_string_with_format(top, c as u16, *h, &header)?;
    }
    let problems = e.all_problems();
    for (i, p) in problems.iter().enumerate() {
        let row = top + 1 + i as u32;
        let place = match (p.row(), p.element()) {
            (Some(r), _) => r.to_string(),
            (None, Some(el)) => el.to_string(),
            _ => String::new(),
        };
        let cells = [
            p.file_name().to_string(),
            place,
            p.column().unwrap_or_default().to_string(),
            p.severity.label().to_string(),
            p.rule.to_string(),
            p.message.clone(),
            p.value().unwrap_or_default().to_string(),
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string_with_format(row, c as u16, v, &wrap)?;
        }
    }
    for (c, w) in [28.0, 16.0, 14.0, 10.0, 26.0, 90.0, 16.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_freeze_panes(top + 1, 0)?;
    sheet.autofilter(top, 0, top + problems.len().max(1) as u32, 6)?;
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!(
                "Feedback on the {} extract {}",
                e.source.label(),
                e.name
            ))
            .set_author(&templates.organisation.name),
    );
    let path = extract_feedback_path(out_dir, e);
    write_atomic(&path, &book.save_to_buffer()?)?;
    Ok(path)
}

/// Feedback workbooks, one per return with errors or warnings.
pub struct Feedback;

/// The folder, under the quarter's, that holds the feedback.
pub const FOLDER: &str = "feedback";

/// The feedback file's name for a return: its own, as an `.xlsx`.
pub fn file_name(r: &CheckedReturn) -> String {
    let stem = r
        .file
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "return".to_string());
    format!("{stem}.xlsx")
}

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

/// Whether a return gets a feedback workbook: it has problems, or a later
/// return replaced it.
pub fn needs_feedback(r: &CheckedReturn) -> bool {
    !r.diagnostics.is_empty() || matches!(r.status, ReturnStatus::Superseded { .. })
}

/// Writes one return's feedback into `out_dir/feedback/`, for the run of
/// `period` (named on its Problems sheet).
pub fn write_one(
    r: &CheckedReturn,
    templates: &crate::config::Templates,
    period: crate::period::Period,
    out_dir: &Path,
) -> anyhow::Result<PathBuf> {
    let mut book = Workbook::new();
    let Formats {
        title,
        bold,
        header,
        wrap,
    } = Formats::new();
    let error = wrap
        .clone()
        .set_background_color(Color::RGB(0xF4CCCC))
        .set_bold();
    let warning = wrap.clone().set_background_color(Color::RGB(0xFFF2CC));

    let sheet = book.add_worksheet();
    sheet.set_name("Problems")?;
    sheet.write_string_with_format(0, 0, "Feedback on your quarterly return", &title)?;
    let facts = [
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
    ];
    for (i, (k, v)) in facts.iter().enumerate() {
        let row = 2 + i as u32;
        sheet.write_string_with_format(row, 0, *k, &bold)?;
        sheet.write_string(row, 1, v)?;
    }
    let top = 8;
    for (c, h) in ["Location", "Severity", "Rule", "What to do"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(top, c as u16, *h, &header)?;
    }
    for (i, d) in r.diagnostics.iter().enumerate() {
        let row = top + 1 + i as u32;
        let sev = if d.severity == Severity::Error {
            &error
        } else {
            &warning
        };
        sheet.write_string_with_format(row, 0, d.location(), &wrap)?;
        sheet.write_string_with_format(row, 1, d.severity.label(), sev)?;
        sheet.write_string_with_format(row, 2, d.rule, &wrap)?;
        sheet.write_string_with_format(row, 3, &d.message, &wrap)?;
    }
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 10)?;
    sheet.set_column_width(2, 26)?;
    sheet.set_column_width(3, 90)?;
    sheet.set_freeze_panes(top + 1, 0)?;
    sheet.autofilter(top, 0, top + r.diagnostics.len().max(1) as u32, 3)?;
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0);
    for (i, d) in r.diagnostics.iter().enumerate() {
        let (Some(sheet_name), Some(cell)) = d.cell() else {
            continue;
        };
        if r.sheets.iter().any(|s| s.name == sheet_name) {
            // The location links to the cell in the copy of the officer's sheet.
            let link = Url::new(format!("internal:'{}'!{cell}", copy_name(sheet_name)))
                .set_text(d.location());
            sheet.write_url_with_format(top + 1 + i as u32, 0, link, &wrap)?;
        }
    }
    for copy in &r.sheets {
        write_copy(book.add_worksheet(), copy, &r.diagnostics)?;
    }
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!("Feedback on {}", r.file.name))
            .set_author(&templates.organisation.name),
    );
    let path = out_dir.join(FOLDER).join(file_name(r));
    write_atomic(&path, &book.save_to_buffer()?)?;
    Ok(path)
}

/// The name of the copy of an officer's sheet: "Your Indicators".
fn copy_name(sheet: &str) -> String {
    let name: String = format!("Your {}", sheet.trim())
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .take(31)
        .collect();
    name
}

/// Most rows of an officer's sheet copied into feedback: returns are a few
/// dozen rows; anything longer is pasted data and is not needed to show the
/// problems.
const COPY_ROWS: u32 = 2_000;
const COPY_COLS: u32 = 60;

/// Copies one of the officer's sheets with each problem cell filled (red for
/// errors, yellow for warnings) and carrying a note saying what to fix.
fn write_copy(
    sheet: &mut rust_xlsxwriter::Worksheet,
    copy: &Sheet,
    diagnostics: &[Diagnostic],
) -> Result<(), XlsxError> {
    sheet.set_name(copy_name(&copy.name))?;
    let date = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let error = Format::new()
        .set_background_color(Color::RGB(0xF4CCCC))
        .set_border(FormatBorder::Medium)
        .set_border_color(Color::RGB(0xC00000));
    let warning = Format::new()
        .set_background_color(Color::RGB(0xFFF2CC))
        .set_border(FormatBorder::Medium)
        .set_border_color(Color::RGB(0xBF8F00));
    let plain = Format::new();
    let mut problems: BTreeMap<(u32, u32), Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics
        .iter()
        .filter(|d| d.cell().0 == Some(copy.name.as_str()))
    {
        if let Some((row, col)) = d.cell().1.and_then(parse_cell_ref) {
            problems.entry((row, col)).or_default().push(d);
        }
    }
    if let Some(((r0, c0), (r1, c1))) = copy.bounds() {
        for row in r0..=r1.min(r0 + COPY_ROWS) {
            for col in c0..=c1.min(c0 + COPY_COLS) {
                let format = match problems.get(&(row, col)) {
                    Some(list) if list.iter().any(|d| d.is_error()) => &error,
                    Some(_) => &warning,
                    None => &plain,
                };
                let col16 = col as u16;
                match copy.cell(row, col) {
                    Cell::Empty if problems.contains_key(&(row, col)) => {
                        sheet.write_blank(row, col16, format)?;
                    }
                    Cell::Empty => {}
                    Cell::Number(n) => {
                        sheet.write_number_with_format(row, col16, n, format)?;
                    }
                    // Text is written as text, never as a formula, whatever
                    // it starts with.
                    Cell::Text(t) => {
                        sheet.write_string_with_format(row, col16, t, format)?;
                    }
                    Cell::Bool(b) => {
                        sheet.write_boolean_with_format(row, col16, b, format)?;
                    }
                    Cell::Error(e) => {
                        sheet.write_string_with_format(row, col16, e, format)?;
                    }
                    Cell::Date(d) => {
                        let when = ExcelDateTime::parse_from_str(
                            &d.format("%Y-%m-%dT%H:%M:%S").to_string(),
                        )?;
                        let f = if format == &plain { &date } else { format };
                        sheet.write_datetime_with_format(row, col16, &when, f)?;
                    }
                }
            }
        }
    }
    // Problems in cells beyond the copied area (a missing column's
    // heading, say) still get their highlight and note.
    for (&(row, col), list) in &problems {
        let format = if list.iter().any(|d| d.is_error()) {
            &error
        } else {
            &warning
        };
        if copy.cell(row, col).is_empty() {
            sheet.write_blank(row, col as u16, format)?;
        }
        let text: Vec<String> = list
            .iter()
            .map(|d| format!("{}: {}", d.severity.label(), d.message))
            .collect();
        let note = Note::new(text.join("\n\n"))
            .set_author("scorecard")
            .add_author_prefix(false)
            .set_width(420)
            .set_height(160);
        sheet.insert_note(row, col as u16, &note)?;
    }
    sheet.set_column_width(0, 18)?;
    for c in 1..8 {
        sheet.set_column_width(c, 16)?;
    }
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0);
    Ok(())
}

/// `D7` → (6, 3).
fn parse_cell_ref(cell: &str) -> Option<(u32, u32)> {
    let letters: String = cell
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let digits = &cell[letters.len()..];
    if letters.is_empty() || digits.is_empty() {
        return None;
    }
    let col = letters
        .chars()
        .try_fold(0u32, |acc, c| {
            acc.checked_mul(26)?
                .checked_add(c.to_ascii_uppercase() as u32 - 'A' as u32 + 1)
        })?
        .checked_sub(1)?;
    let row = digits.parse::<u32>().ok()?.checked_sub(1)?;
    Some((row, col))
}

impl Renderer for Feedback {
    fn name(&self) -> &'static str {
        "feedback"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for r in ctx.returns_for_period().filter(|r| needs_feedback(r)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_round_trip() {
        for (row, col) in [(0, 0), (6, 3), (99, 26), (1_048_575, 16_383)] {
            let text = crate::diagnostic::cell_ref(row, col);
            assert_eq!(parse_cell_ref(&text), Some((row, col)), "{text}");
        }
        assert_eq!(parse_cell_ref("7"), None);
        assert_eq!(parse_cell_ref("D"), None);
        assert_eq!(parse_cell_ref("D0"), None);
        assert_eq!(copy_name("Indicators"), "Your Indicators");
        assert_eq!(copy_name(" a/b:c "), "Your abc");
    }
}
