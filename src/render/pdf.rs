//! `committee-report.pdf` and `improvement-plan.pdf`: the council papers,
//! typeset as tagged PDF/UA-1 documents by the
//! [`typeset`](crate::typeset) stage before anything is written; these
//! renderers put them in place.

use std::path::PathBuf;

use super::{RenderContext, Renderer};
use crate::output::write_atomic;

/// The committee report.
pub struct CommitteeReport;

/// The improvement plan as a PDF.
pub struct ImprovementPlanPdf;

impl Renderer for CommitteeReport {
    fn name(&self) -> &'static str {
        "committee report"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let path = ctx.out_dir.join("committee-report.pdf");
        write_atomic(&path, &ctx.typeset.report_pdf)?;
        Ok(vec![path])
    }
}

impl Renderer for ImprovementPlanPdf {
    fn name(&self) -> &'static str {
        "improvement plan (PDF)"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let path = ctx.out_dir.join("improvement-plan.pdf");
        write_atomic(&path, &ctx.typeset.plan_pdf)?;
        Ok(vec![path])
    }
}
