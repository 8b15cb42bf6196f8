//! `data/indicators.csv`: every figure, tidy, one row per indicator and
//! period, for analysts and for checking the documents against.

use std::path::PathBuf;

use super::{RenderContext, Renderer};
use crate::output::write_atomic;

/// The tidy CSV export.
pub struct CsvExport;

/// Column names, in order. The contract requires the first nine.
pub const COLUMNS: [&str; 17] = [
    "period",
    "ref",
    "numerator",
    "denominator",
    "value",
    "target",
    "rag",
    "direction",
    "status",
    "display",
    "indicator",
    "theme",
    "measure",
    "polarity",
    "services",
    "note",
    "source",
];

fn num(x: Option<f64>) -> String {
    x.map(|v| format!("{v}")).unwrap_or_default()
}

impl Renderer for CsvExport {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.write_record(COLUMNS)?;
        for period in &ctx.scorecard.history {
            for row in &ctx.scorecard.rows {
                let Some(o) = row.at(*period) else { continue };
                let ind = &row.indicator;
                w.write_record([
                    period.label(),
                    ind.reference.clone(),
                    num(o.numerator),
                    num(o.denominator),
                    num(o.value),
                    num(ind.target),
                    o.rag.map(|r| r.label().to_string()).unwrap_or_default(),
                    o.direction
                        .map(|d| d.label().to_string())
                        .unwrap_or_default(),
                    o.status().to_string(),
                    o.display.clone(),
                    ind.title.clone(),
                    ind.theme.clone(),
                    ind.measure.to_string(),
                    format!("{:?}", ind.polarity).to_lowercase(),
                    o.contributors.join("; "),
                    o.gap_note().unwrap_or_default(),
                    o.source.name().to_string(),
                ])?;
            }
        }
        let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
        let path = ctx.out_dir.join("data").join("indicators.csv");
        write_atomic(&path, &bytes)?;
        Ok(vec![path])
    }
}
