//! The cells an `.ods` workbook will lay out, counted from its
//! `content.xml` as it is inflated, before calamine builds its grids.

use crate::diagnostic::Diagnostic;
use crate::read::{corrupt, MAX_WORKBOOK_CELLS};

use super::too_many_cells;

/// Counts, from an `.ods` file's `content.xml`, the cells calamine will hold
/// when it opens the file: it reads every sheet, writes out cells repeated
/// with `table:number-columns-repeated`, then lays each sheet out as a grid
/// from its first to its last filled row, repeating rows as
/// `table:number-rows-repeated` says. The count errs on the high side: a
/// cell counts as filled unless it is an empty element without a value type
/// or formula, as LibreOffice writes blank cells.
#[derive(Default)]
pub(super) struct OdsCells {
    /// The tag being collected (from `<` to `>`), when it is one of ours.
    tag: Vec<u8>,
    in_tag: bool,
    /// Whether the current tag is still worth keeping (bounded in length).
    keep: bool,
    /// Cells written out by calamine while reading, all sheets so far.
    read: u64,
    /// Grid cells of the sheets finished so far.
    grids: u64,
    /// The sheet being read: rows (with their repeats) from its first
    /// filled row, the repeats of empty rows seen since its last filled
    /// row, and its widest row.
    rows_in_grid: u64,
    pending_empty_rows: u64,
    widest: u64,
    any_filled_row: bool,
    /// The row being read.
    row_repeats: u64,
    row_cells: u64,
    row_pending_empty: u64,
    row_filled: bool,
}

/// calamine's own caps for `.ods`.
const ODS_MAX_COLUMNS: u64 = 16_384;

impl OdsCells {
    pub(super) fn feed(&mut self, chunk: &[u8]) -> Result<(), Diagnostic> {
        for &b in chunk {
            if !self.in_tag {
                if b == b'<' {
                    self.in_tag = true;
                    self.keep = true;
                    self.tag.clear();
                }
                continue;
            }
            if b == b'>' {
                self.in_tag = false;
                if self.keep {
                    let tag = std::mem::take(&mut self.tag);
                    self.tag_done(&tag)?;
                    self.tag = tag;
                }
                continue;
            }
            if self.keep {
                if self.tag.len() < 4096 {
                    self.tag.push(b);
                    // Only table tags matter; stop collecting others early.
                    if self.tag.len() == 7
                        && !self.tag.starts_with(b"table:")
                        && !self.tag.starts_with(b"/table:")
                    {
                        self.keep = false;
                    }
                } else {
                    // No table tag is this long; a cell with a long
                    // attribute is counted as filled, to err high.
                    self.keep = false;
                    if self.tag.starts_with(b"table:table-cell")
                        || self.tag.starts_with(b"table:covered-table-cell")
                    {
                        self.cell(1, true);
                        self.check()?;
                    }
                }
            }
        }
        Ok(())
    }

    fn tag_done(&mut self, tag: &[u8]) -> Result<(), Diagnostic> {
        let (name, rest) = split_name(tag);
        match name {
            b"table:table" if !tag.ends_with(b"/") => self.start_sheet(),
            b"/table:table" => self.end_sheet(),
            b"table:table-row" => {
                self.end_row();
                self.row_repeats = repeat(rest, b"table:number-rows-repeated")?;
                if tag.ends_with(b"/") {
                    self.end_row();
                }
            }
            b"/table:table-row" => self.end_row(),
            b"table:table-cell" | b"table:covered-table-cell" => {
                let repeats = repeat(rest, b"table:number-columns-repeated")?;
                let filled = !tag.ends_with(b"/")
                    || has_attr(rest, b"office:value-type")
                    || has_attr(rest, b"table:formula");
                self.cell(repeats, filled);
            }
            _ => {}
        }
        self.check()
    }

    fn start_sheet(&mut self) {
        self.end_sheet();
    }

    fn cell(&mut self, repeats: u64, filled: bool) {
        if filled {
            let room = ODS_MAX_COLUMNS.saturating_sub(self.row_cells);
            self.row_cells += self.row_pending_empty.min(room);
            self.row_pending_empty = 0;
            let room = ODS_MAX_COLUMNS.saturating_sub(self.row_cells);
            self.row_cells += repeats.min(room);
            self.row_filled = true;
        } else {
            self.row_pending_empty = self.row_pending_empty.saturating_add(repeats);
        }
    }

    fn end_row(&mut self) {
        if self.row_repeats == 0 {
            return;
        }
        self.read += self.row_cells;
        if self.row_filled {
            if self.any_filled_row {
                self.rows_in_grid = self.rows_in_grid.saturating_add(self.pending_empty_rows);
            }
            self.pending_empty_rows = 0;
            self.any_filled_row = true;
            self.rows_in_grid = self.rows_in_grid.saturating_add(self.row_repeats);
            self.widest = self.widest.max(self.row_cells);
        } else if self.any_filled_row {
            self.pending_empty_rows = self.pending_empty_rows.saturating_add(self.row_repeats);
        }
        self.row_repeats = 0;
        self.row_cells = 0;
        self.row_pending_empty = 0;
        self.row_filled = false;
    }

    fn end_sheet(&mut self) {
        self.end_row();
        // Values and formulas: calamine keeps a grid of each.
        self.grids = self.grids.saturating_add(
            self.rows_in_grid
                .saturating_mul(self.widest)
                .saturating_mul(2),
        );
        self.rows_in_grid = 0;
        self.pending_empty_rows = 0;
        self.widest = 0;
        self.any_filled_row = false;
    }

    fn check(&self) -> Result<(), Diagnostic> {
        // Empty rows after the last filled one are never laid out; they
        // count once a filled row follows them.
        let rows = if self.row_filled {
            self.rows_in_grid
                .saturating_add(self.pending_empty_rows)
                .saturating_add(self.row_repeats)
        } else {
            self.rows_in_grid
        };
        let open_grid = rows
            .saturating_mul(self.widest.max(self.row_cells))
            .saturating_mul(2);
        let cells = self
            .read
            .saturating_add(self.row_cells)
            .saturating_add(self.grids)
            .saturating_add(open_grid);
        if cells > MAX_WORKBOOK_CELLS {
            return Err(too_many_cells());
        }
        Ok(())
    }
}

/// A tag's name and the rest (its attributes).
fn split_name(tag: &[u8]) -> (&[u8], &[u8]) {
    let end = tag
        .iter()
        .position(|b| b.is_ascii_whitespace() || (*b == b'/' && tag.first() != Some(&b'/')))
        .unwrap_or(tag.len());
    (&tag[..end], &tag[end..])
}

/// The value of the attribute `name` in an attribute list, allowing spaces
/// around `=` and either quote.
fn attr_value<'a>(attrs: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(at) = find(&attrs[from..], name).map(|i| i + from) {
        from = at + name.len();
        let before_ok = at == 0 || attrs[at - 1].is_ascii_whitespace();
        let mut i = at + name.len();
        while i < attrs.len() && attrs[i].is_ascii_whitespace() {
            i += 1;
        }
        if !before_ok || attrs.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < attrs.len() && attrs[i].is_ascii_whitespace() {
            i += 1;
        }
        let quote = *attrs.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let start = i + 1;
        let len = attrs[start..].iter().position(|b| *b == quote)?;
        return Some(&attrs[start..start + len]);
    }
    None
}

fn has_attr(attrs: &[u8], name: &[u8]) -> bool {
    attr_value(attrs, name).is_some()
}

/// A repeat count: 1 when absent. Anything but plain digits is refused, so
/// a count the check cannot read cannot be one calamine reads differently.
fn repeat(attrs: &[u8], name: &[u8]) -> Result<u64, Diagnostic> {
    match attr_value(attrs, name) {
        None => Ok(1),
        Some(v) if !v.is_empty() && v.len() <= 12 && v.iter().all(u8::is_ascii_digit) => {
            Ok(std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(u64::MAX))
        }
        Some(_) => Err(corrupt("a repeat count in content.xml is not a number")),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_cells_follow_calamine() {
        let count = |xml: &str| {
            let mut c = OdsCells::default();
            c.feed(xml.as_bytes()).map(|_| {
                c.end_sheet();
                c.read * 2 + c.grids
            })
        };
        // LibreOffice's tail of blank rows and columns costs nothing.
        let blank = r#"<table:table table:name="S"><table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1023"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#;
        assert_eq!(count(blank).unwrap(), 4);
        // A filled cell repeated across the sheet and down it does.
        let bomb = r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="100000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row></table:table>"#;
        assert_eq!(count(bomb).unwrap_err().rule, "file-too-large");
        let odd =
            r#"<table:table><table:table-row table:number-rows-repeated="1e9"/></table:table>"#;
        assert_eq!(count(odd).unwrap_err().rule, "file-corrupt");
    }

    #[test]
    fn attributes_are_read_as_xml_allows() {
        assert_eq!(attr_value(b" a = '5' b=\"6\"", b"b"), Some(&b"6"[..]));
        assert_eq!(attr_value(b" xa=\"1\" a=\"2\"", b"a"), Some(&b"2"[..]));
        assert_eq!(attr_value(b" a", b"a"), None);
        assert_eq!(crate::text::count(5_000_000), "5,000,000");
        assert_eq!(crate::text::count(999), "999");
    }
}
