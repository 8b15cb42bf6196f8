//! Stage 6: write the documents.
//!
//! Every output is a [`Renderer`] of the same [`RenderContext`]: the one
//! aggregated [`Scorecard`], its [`Narrative`], the composed report and the
//! documents already typeset, and the checked returns. Renderers format and
//! write; none of them works out a figure.

use std::path::{Path, PathBuf};

use crate::aggregate::Scorecard;
use crate::config::Templates;
use crate::model::returns::CheckedReturn;
use crate::narrative::Narrative;

pub mod csv;
pub mod excel;
pub mod feedback;
pub mod html;
pub mod pdf;
pub mod plan_excel;
pub mod record;
pub mod restricted;
pub mod status;

/// What every renderer draws from.
pub struct RenderContext<'a> {
    pub templates: &'a Templates,
    pub scorecard: &'a Scorecard,
    /// Progress on the improvement plan at the end of the quarter.
    pub plan: &'a crate::improvement::PlanProgress,
    pub narrative: &'a Narrative,
    /// The committee report as composed: what every document of it shows.
    pub paper: &'a crate::compose::Paper,
    /// The documents typeset before anything was written.
    pub typeset: &'a crate::typeset::Typeset,
    /// Every return read in the run, whatever its period.
    pub returns: &'a [CheckedReturn],
    /// Files in `inputs/` that were not returns.
    pub skipped: &'a [crate::model::workbook::SkippedFile],
    /// Every extract of children's records read in the run.
    pub extracts: &'a [crate::records::Extract],
    /// The reported quarter's extracts in use, one per source at most.
    /// Their children are personal data: only the restricted workbooks
    /// may show them.
    pub records: Vec<&'a crate::records::Extract>,
    /// `output/<period id>/`.
    pub out_dir: &'a Path,
    /// Seconds spent in each stage so far, for the run record.
    pub timings: &'a [(String, f64)],
}

impl RenderContext<'_> {
    /// The returns that belong to the reported period.
    pub fn returns_for_period(&self) -> impl Iterator<Item = &CheckedReturn> {
        let period = self.scorecard.period;
        self.returns
            .iter()
            .filter(move |r| crate::aggregate::period_of(r).is_none_or(|p| p == period))
    }
}

/// One kind of output.
pub trait Renderer: Sync {
    /// A short name for logs and the run record.
    fn name(&self) -> &'static str;
    /// Writes the output under `ctx.out_dir`, returning the files written.
    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>>;
}

/// The renderers a run uses, in the order they run.
pub fn all() -> Vec<Box<dyn Renderer>> {
    vec![
        Box::new(csv::CsvExport),
        Box::new(excel::ExcelScorecard),
        Box::new(feedback::Feedback),
        Box::new(pdf::CommitteeReport),
        Box::new(html::HtmlReport),
        Box::new(plan_excel::ImprovementPlanExcel),
        Box::new(pdf::ImprovementPlanPdf),
        Box::new(status::StatusPage),
        Box::new(restricted::RestrictedWorkbook),
    ]
}
