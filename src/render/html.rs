//! `committee-report.html`: the committee report as one web page, for
//! everyone who reads on screen, with a screen reader, magnified or on a
//! phone — the accessible twin of `committee-report.pdf`, laid out by the
//! [`typeset`](crate::typeset::html) stage from the same model.

use std::path::PathBuf;

use super::{RenderContext, Renderer};
use crate::output::write_atomic;

/// The committee report as a web page.
pub struct HtmlReport;

/// The file written beside the PDF.
pub const FILE_NAME: &str = "committee-report.html";

impl Renderer for HtmlReport {
    fn name(&self) -> &'static str {
        "committee report (HTML)"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let path = ctx.out_dir.join(FILE_NAME);
        write_atomic(&path, ctx.typeset.report_html.as_bytes())?;
        Ok(vec![path])
    }
}
