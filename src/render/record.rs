//! `run-record.json`: what the run read, what it made of each file, and
//! how long it took. The audit trail behind every figure: each input's
//! checksum shows exactly which version of a return was used.

use std::path::PathBuf;

use serde::Serialize;

use super::{RenderContext, Renderer};
use crate::config::Source;
use crate::diagnostic::Diagnostic;
use crate::output::write_atomic;

/// The run record renderer.
pub struct RunRecord;

#[derive(Serialize)]
struct Input<'a> {
    file: &'a str,
    bytes: Option<u64>,
    sha256: Option<&'a str>,
    status: &'static str,
    superseded_by: Option<&'a str>,
    service: Option<&'a str>,
    period: Option<String>,
    submitted: Option<String>,
    errors: usize,
    warnings: usize,
    problems: &'a [Diagnostic],
}

/// An SSDA903 extract in the record: its files with their checksums, what
/// became of it and its problems, in counts and located messages that
/// never name a child.
#[derive(Serialize)]
struct ExtractInput<'a> {
    name: &'a str,
    period: Option<String>,
    status: &'a crate::records::ExtractStatus,
    files: &'a [crate::records::ExtractFile],
    children: usize,
    left_out: usize,
    errors: usize,
    warnings: usize,
    problems: Vec<&'a crate::diagnostic::Diagnostic>,
}

#[derive(Serialize)]
struct Counts {
    read: usize,
    accepted: usize,
    rejected: usize,
    superseded: usize,
    warnings: usize,
    skipped: usize,
}

#[derive(Serialize)]
struct Record<'a> {
    tool: &'static str,
    version: &'static str,
    written: String,
    period: String,
    organisation: &'a str,
    counts: Counts,
    services_expected: &'a [String],
    services_accepted: &'a [String],
    services_rejected: &'a [String],
    services_missing: &'a [String],
    inputs: Vec<Input<'a>>,
    skipped: &'a [crate::model::workbook::SkippedFile],
    ssda903_extracts: Vec<ExtractInput<'a>>,
    cin_extracts: Vec<ExtractInput<'a>>,
    summary: &'a crate::aggregate::Summary,
    timings_seconds: Vec<(&'a str, f64)>,
}

impl Renderer for RunRecord {
    fn name(&self) -> &'static str {
        "run-record"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        use crate::model::returns::ReturnStatus;
        let inputs: Vec<Input> = ctx
            .returns
            .iter()
            .map(|r| Input {
                file: &r.file.name,
                bytes: r.facts.as_ref().map(|f| f.bytes),
                sha256: r.facts.as_ref().map(|f| f.sha256.as_str()),
                status: r.status.label(),
                superseded_by: match &r.status {
                    ReturnStatus::Superseded { by } => Some(by.as_str()),
                    _ => None,
                },
                service: r.service.as_deref(),
                period: r.period.map(|p| p.label()),
                submitted: r.submitted.map(|s| s.format("%Y-%m-%d %H:%M").to_string()),
                errors: r.errors(),
                warnings: r.warnings(),
                problems: &r.diagnostics,
            })
            .collect();
        let count = |s: &str| inputs.iter().filter(|i| i.status == s).count();
        let counts = Counts {
            read: inputs.len(),
            accepted: count("Accepted"),
            rejected: count("Rejected"),
            superseded: count("Superseded"),
            warnings: inputs.iter().map(|i| i.warnings).sum(),
            skipped: ctx.skipped.len(),
        };
        let p = &ctx.scorecard.returns;
        let record = Record {
            tool: "scorecard",
            version: env!("CARGO_PKG_VERSION"),
            written: chrono::Local::now()
                .format("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            period: ctx.scorecard.period.label(),
            organisation: &ctx.templates.organisation.name,
            counts,
            services_expected: &p.expected,
            services_accepted: &p.accepted,
            services_rejected: &p.rejected,
            services_missing: &p.missing,
            inputs,
            skipped: ctx.skipped,
            ssda903_extracts: extracts_of(ctx, Source::Ssda903),
            cin_extracts: extracts_of(ctx, Source::Cin),
            summary: &ctx.scorecard.summary,
            timings_seconds: ctx.timings.iter().map(|(k, v)| (k.as_str(), *v)).collect(),
        };
        let path = ctx.out_dir.join("run-record.json");
        write_atomic(&path, &serde_json::to_vec_pretty(&record)?)?;
        Ok(vec![path])
    }
}

/// The run's extracts of one source, in counts and located problems.
fn extracts_of<'a>(ctx: &'a RenderContext, source: Source) -> Vec<ExtractInput<'a>> {
    ctx.extracts
        .iter()
        .filter(|e| e.source == source && e.is_extract())
        .map(|e| {
            let problems = e.all_problems();
            ExtractInput {
                name: &e.name,
                period: e.period.map(|p| p.label()),
                status: &e.status,
                files: &e.files,
                children: e.children,
                left_out: e.left_out.len(),
                errors: problems.iter().filter(|p| p.is_error()).count(),
                warnings: problems.iter().filter(|p| !p.is_error()).count(),
                problems,
            }
        })
        .collect()
}
