//! Typesets a layout template (`report.typ`, `improvement-plan.typ`) over a
//! model into a tagged PDF/UA-1 document.

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Datetime, Smart};
use typst::{World as _, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::world::{PaperWorld, DATA_PATH};
use crate::config::{TemplateError, TemplateErrors};

/// What a template needs besides its own text.
pub struct PdfJob<'a> {
    /// `templates/`.
    pub dir: &'a Path,
    /// The template's file name in `dir`, e.g. `report.typ`.
    pub template: &'a str,
    pub source: &'a str,
    /// The model, as JSON, read by the template from `/data.json`.
    pub data: Vec<u8>,
    /// Other files made by the run: `(virtual path, bytes)`.
    pub files: Vec<(String, Vec<u8>)>,
    /// The document's date: its "today", creation date and identity.
    pub date: NaiveDate,
    /// A name for the document that stays the same from run to run, e.g.
    /// `committee-report 2014-15-Q2`.
    pub ident: String,
}

/// Typesets the job into PDF bytes, or says where the template went wrong.
pub fn typeset(job: PdfJob) -> Result<Vec<u8>, TemplateErrors> {
    let mut files = job.files;
    files.push((DATA_PATH.to_string(), job.data));
    let file = job.dir.join(job.template);
    let world = PaperWorld::new(
        job.dir,
        job.template,
        job.source.to_string(),
        files,
        job.date,
    )
    .map_err(|e| {
        TemplateErrors(vec![TemplateError {
            file: file.clone(),
            line: None,
            message: e.to_string(),
        }])
    })?;
    let started = std::time::Instant::now();
    let compiled = typst::compile::<PagedDocument>(&world);
    let laid_out = started.elapsed();
    let document = compiled
        .output
        .map_err(|diags| located(&world, &file, &diags))?;
    let date = Datetime::from_ymd(
        job.date.year(),
        job.date.month() as u8,
        job.date.day() as u8,
    );
    let options = PdfOptions {
        ident: Smart::Custom(job.ident),
        creator: Smart::Custom(Some(format!("scorecard {}", env!("CARGO_PKG_VERSION")))),
        timestamp: date.map(Timestamp::new_utc),
        standards: PdfStandards::new(&[PdfStandard::Ua_1]).map_err(|e| {
            TemplateErrors(vec![TemplateError {
                file: file.clone(),
                line: None,
                message: e.message().to_string(),
            }])
        })?,
        ..PdfOptions::default()
    };
    let bytes = typst_pdf::pdf(&document, &options).map_err(|d| located(&world, &file, &d))?;
    tracing::debug!(
        "{}: laid out in {:.0} ms, written as PDF in {:.0} ms",
        job.template,
        laid_out.as_secs_f64() * 1000.0,
        (started.elapsed() - laid_out).as_secs_f64() * 1000.0
    );
    // Typst keeps what it laid out for the next compile; a long run of
    // quarters should not keep every one.
    typst::comemo::evict(10);
    Ok(bytes)
}

/// The house style every layout template imports, which chooses the
/// typefaces the charts' words are set in.
const HOUSE_STYLE: &str = "council-paper.typ";

/// Where [`decode_pictures`] finds the document's details for the house
/// style, and the made-up name of its own source (no template has it, so
/// the world serves the source given).
const DOCUMENT_PATH: &str = "/document.json";
const PICTURES: &str = "scorecard-pictures.typ";

/// Decodes a document's pictures ahead of it, so that its typesetting, on
/// another core, finds them ready.
///
/// Turning a chart's SVG into shapes (its labels are set by the layout,
/// not drawn in it: see [`chart_labels`](crate::compose::chart_labels))
/// is a few per cent of the committee report's work, and Typst keeps the
/// result, keyed by the picture's bytes, the typefaces in force and its
/// file. The pictures are placed in the body of a council paper,
/// as the report places them, so the keys are the same: decoding is moved,
/// never changed, and the PDF is the same to the byte. `document` is the
/// JSON of the paper's `document` block, all the house style reads. Only
/// a head start: if the house style cannot be used this way (a council's
/// own `council-paper.typ`), nothing is lost but the time.
pub fn decode_pictures(
    dir: &Path,
    document: Vec<u8>,
    files: Vec<(String, Vec<u8>)>,
    date: NaiveDate,
) {
    if files.is_empty() {
        return;
    }
    // No header or footer: without "Page N of M" one layout pass is enough.
    let mut source = format!(
        "#import \"{HOUSE_STYLE}\": council-paper\n\
         #show: council-paper.with(json(\"{DOCUMENT_PATH}\"))\n\
         #set page(header: none, footer: none)\n"
    );
    for (path, _) in &files {
        source.push_str(&format!("#image({path:?})\n"));
    }
    let mut files = files;
    files.push((DOCUMENT_PATH.to_string(), document));
    if let Ok(world) = PaperWorld::new(dir, PICTURES, source, files, date) {
        let _ = typst::compile::<PagedDocument>(&world);
    }
}

/// Turns Typst's diagnostics into problems with the file of `templates/`
/// and the line they are in (the template, or a file it imports), and a
/// hint where Typst gives one.
fn located(world: &PaperWorld, file: &Path, diags: &[SourceDiagnostic]) -> TemplateErrors {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let (file, line) = match d.span.id() {
                Some(id) if id.vpath().extension() == Some("typ") => {
                    let line = world.source(id).ok().and_then(|source| {
                        let start = world.range(d.span)?.start;
                        source.lines().byte_to_line(start).map(|l| l + 1)
                    });
                    (file.with_file_name(id.vpath().get_without_slash()), line)
                }
                _ => (file.to_path_buf(), None),
            };
            let mut message = d.message.to_string();
            for hint in &d.hints {
                message.push_str(&format!(" (hint: {})", hint.v));
            }
            TemplateError {
                file,
                line,
                message,
            }
        })
        .collect();
    TemplateErrors(errors)
}
