//! `returns.html`: the status page of a quarter's returns — every expected
//! service, what it has sent, when, how many problems, and a link to its
//! feedback — for the performance officer chasing returns before the
//! deadline and for officers checking that theirs arrived.
//!
//! `run` writes it with the other documents; `watch` rewrites it each time
//! a return arrives or changes. The [`ReturnsStatus`] is worded by
//! [`compose_returns_page`] and laid out from `templates/returns.html.j2`
//! by the [`typeset`](crate::typeset::html) stage; this writes the result.
//! Like `committee-report.html` it is one self-contained file (no scripts,
//! no outside requests) built to be accessible: `lang`, a title, landmarks,
//! one `h1`, a table with a caption and scoped header cells, each status
//! written as words after a shape as well as coloured, and text colours
//! from the palette with a contrast of at least 4.5:1
//! (`scripts/a11y/check.mjs` runs axe-core over it).

use std::path::{Path, PathBuf};

use super::{RenderContext, Renderer};
use crate::compose::compose_returns_page;
use crate::config::Templates;
use crate::output::write_atomic;
use crate::status::ReturnsStatus;

/// The page, in each quarter's output folder.
pub const FILE_NAME: &str = "returns.html";

/// The status page as a renderer of the run.
pub struct StatusPage;

impl Renderer for StatusPage {
    fn name(&self) -> &'static str {
        "returns status page"
    }

    fn render(&self, ctx: &RenderContext) -> anyhow::Result<Vec<PathBuf>> {
        let status = ReturnsStatus::build(
            ctx.templates,
            ctx.returns,
            ctx.extracts,
            ctx.skipped,
            ctx.scorecard.period,
            chrono::Local::now(),
        );
        Ok(vec![write(&status, ctx.templates, ctx.out_dir)?])
    }
}

/// Writes `out_dir/returns.html`.
pub fn write(
    status: &ReturnsStatus,
    templates: &Templates,
    out_dir: &Path,
) -> anyhow::Result<PathBuf> {
    let path = out_dir.join(FILE_NAME);
    write_atomic(&path, page(status, templates)?.as_bytes())?;
    Ok(path)
}

/// The whole page, or where its templates went wrong.
pub fn page(status: &ReturnsStatus, templates: &Templates) -> anyhow::Result<String> {
    let page = compose_returns_page(status, templates);
    Ok(crate::typeset::html::lay_out_returns(templates, &page)?)
}
