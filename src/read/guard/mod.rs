//! Checks made on a file's bytes before any spreadsheet parser sees them.
//!
//! calamine trusts what a file says about itself, and some of what it
//! trusts can make a tiny file take gigabytes of memory, or an endless
//! loop: a zip part that inflates a thousandfold or holds more than it
//! declares, XML entity declarations, an `.ods` whose cells say "repeat
//! me 16,384 times", an `.xls` whose cells sit at opposite corners of a
//! 65,536 × 65,536 grid (calamine lays every sheet of an `.xls` or `.ods`
//! out as a full grid when it opens the file), or an `.xls` whose sector
//! chains loop. Each check here walks the file the way calamine will, with
//! a bound on everything, and refuses the file with a message naming what
//! is wrong before the parser is allowed near it. Every check reads in
//! fixed-size pieces, so the checks themselves use a few kilobytes.
//!
//! One file per kind of container: [`zip`] for the zip-based workbooks
//! (xlsx, xlsm, xlsb, ods) and the XML inside them, [`ods`] for the cells
//! an `.ods` lays out, [`xls`] for old Excel's compound file.

use crate::diagnostic::Diagnostic;

use super::MAX_WORKBOOK_CELLS;

mod ods;
mod xls;
mod zip;

pub(super) use self::xls::check_xls;
pub(super) use self::zip::{check_zip, explain_zip};

/// The refusal for an `.xls` or `.ods` whose sheets would lay out too many
/// cells, shared by both checks so the officer reads one message.
fn too_many_cells() -> Diagnostic {
    Diagnostic::error(
        "file-too-large",
        format!(
            "The workbook was refused before opening because its sheets together would fill more than {} cells, far beyond any return (this counts every sheet, including pasted lists, and every cell between the first and the last one used). Delete pasted data, and rows or columns filled far beyond your figures, save it again and replace this file.",
            crate::text::count(MAX_WORKBOOK_CELLS as usize)
        ),
    )
}
