//! The committee report (PDF).
use std::path::PathBuf;

use super::{RenderContext, Renderer};

/// The committee report.
pub struct CommitteeReport;

impl Renderer for CommitteeReport {
    fn name(&self) -> &'static str {
        "pdf"
    }

    fn render(&self, _ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        Ok(Vec::new())
    }
}
