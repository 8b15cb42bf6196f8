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

use std::io::{Cursor, Read};

use crate::diagnostic::Diagnostic;

use super::{bomb, corrupt, protected, MAX_RATIO, MAX_UNPACKED_BYTES, MAX_WORKBOOK_CELLS};
use crate::model::workbook::Format;

/// The largest number of parts a zip-based workbook may hold.
const MAX_PARTS: usize = 10_000;
/// Parts smaller than this are never judged by their ratio: tiny XML
/// compresses very well.
const RATIO_FLOOR: u64 = 16 * 1024 * 1024;

/// Checks a zip-based workbook (xlsx, xlsm, xlsb, ods) and tells its format.
///
/// First the directory (nothing inflated): how many parts, their declared
/// sizes and ratios, and which format. The zip crate stops every read of a
/// part at its declared size, so those limits bound what calamine will ever
/// inflate. Then each XML part is inflated only as far as its root element,
/// into a small buffer that is thrown away, to refuse XML entity
/// declarations, which can only stand before it; the rest is left to
/// calamine, so a good file is inflated once. For `.ods`, `content.xml` is
/// read through to count the cells calamine would lay out. A part that holds
/// more than it declares makes calamine fail; [`explain_zip`] then says so.
pub(super) fn check_zip(bytes: &[u8]) -> Result<Format, Diagnostic> {
    let (mut archive, names, format) = zip_directory(bytes)?;
    let mut inflater = flate2::Decompress::new(false);
    let mut cells = OdsCells::default();
    for (i, name) in names.iter().enumerate() {
        if format == Format::Ods && name == "content.xml" {
            // Read through, to count cells (and catch a part that lies).
            let mut prolog = Prolog::default();
            read_through(&mut archive, i, name, |chunk| {
                if !prolog.done() {
                    if let Some(what) = prolog.feed(chunk) {
                        return Err(entities(name, what));
                    }
                }
                cells.feed(chunk)
            })?;
            continue;
        }
        if !is_xml_part(name) || never_parsed(name) {
            continue;
        }
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| corrupt(&format!("{name}: {e}")))?;
        if entry.encrypted() {
            return Err(protected());
        }
        let declared = entry.size();
        let start = entry.data_start().and_then(|s| usize::try_from(s).ok());
        let packed = usize::try_from(entry.compressed_size()).ok();
        let data = start
            .zip(packed)
            .and_then(|(s, n)| bytes.get(s..s.checked_add(n)?));
        let method = entry.compression();
        drop(entry);
        let mut prolog = Prolog::default();
        let found = match (method, data) {
            (zip::CompressionMethod::Stored, Some(data)) => prolog.feed(
                &data[..data
                    .len()
                    .min(usize::try_from(declared).unwrap_or(usize::MAX))],
            ),
            (zip::CompressionMethod::Deflated, Some(data)) => {
                inflate_prolog(&mut inflater, data, declared, &mut prolog, name)?
            }
            // Anything else goes through the zip crate, which refuses
            // methods calamine could not read either.
            _ => {
                let mut found = None;
                read_through(&mut archive, i, name, |chunk| {
                    if found.is_none() && !prolog.done() {
                        found = prolog.feed(chunk);
                    }
                    Ok(())
                })?;
                found
            }
        };
        if let Some(what) = found {
            return Err(entities(name, what));
        }
    }
    Ok(format)
}

/// Parts calamine never opens (document properties, content types, custom
/// XML): what they hold cannot reach the parser, so they are not inflated.
fn never_parsed(name: &str) -> bool {
    let starts = |p: &str| {
        name.get(..p.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(p))
    };
    starts("docProps/") || starts("customXml/") || name.eq_ignore_ascii_case("[Content_Types].xml")
}

/// Inflates a deflated part straight from the file's bytes, a small piece
/// at a time, until its root element begins; returns what was found if the
/// prolog must be refused. A stream that ends early or is damaged is left
/// for calamine to report.
fn inflate_prolog(
    inflater: &mut flate2::Decompress,
    data: &[u8],
    declared: u64,
    prolog: &mut Prolog,
    name: &str,
) -> Result<Option<&'static str>, Diagnostic> {
    inflater.reset(false);
    let mut out = [0u8; 128];
    loop {
        let used = inflater.total_in() as usize;
        let before = inflater.total_out();
        let status = inflater.decompress(
            data.get(used..).unwrap_or_default(),
            &mut out,
            flate2::FlushDecompress::None,
        );
        let made = (inflater.total_out() - before) as usize;
        if inflater.total_out() > declared {
            return Err(lie(name, declared));
        }
        if let Some(what) = prolog.feed(&out[..made]) {
            return Ok(Some(what));
        }
        match status {
            Ok(flate2::Status::Ok) if !prolog.done() && made > 0 => continue,
            _ => return Ok(None),
        }
    }
}

/// Inflates a whole part through the zip crate in small pieces, handing
/// each to `look`; refuses a part that holds more than it declares.
fn read_through(
    archive: &mut Archive<'_>,
    i: usize,
    name: &str,
    mut look: impl FnMut(&[u8]) -> Result<(), Diagnostic>,
) -> Result<(), Diagnostic> {
    let mut entry = open_part(archive, i, name)?;
    let declared = entry.size();
    let mut buf = [0u8; 8192];
    let mut seen: u64 = 0;
    loop {
        let n = read_part(&mut entry, &mut buf, name, declared)?;
        if n == 0 {
            return Ok(());
        }
        seen += n as u64;
        if seen > declared {
            return Err(lie(name, declared));
        }
        look(&buf[..n])?;
    }
}

/// Why a zip-based workbook that passed [`check_zip`] could not be parsed,
/// when the cause is a part holding more than it declares (the zip crate
/// stops calamine there with a bare error): every part is inflated through,
/// in a small buffer and bounded by the declared sizes. Only called once
/// parsing has failed, so good files are never inflated twice.
pub(super) fn explain_zip(bytes: &[u8]) -> Option<Diagnostic> {
    let (mut archive, names, _) = zip_directory(bytes).ok()?;
    names.iter().enumerate().find_map(|(i, name)| {
        read_through(&mut archive, i, name, |_| Ok(()))
            .err()
            .filter(|d| d.message.contains(HOLDS_MORE))
    })
}

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Reads a zip directory: refuses too many parts, a part or total that
/// would unpack beyond the limits, and archives that are not workbooks.
fn zip_directory(bytes: &[u8]) -> Result<(Archive<'_>, Vec<String>, Format), Diagnostic> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(&e.to_string()))?;
    if archive.len() > MAX_PARTS {
        return Err(bomb(format!("it holds {} parts", archive.len())));
    }
    let mut total: u64 = 0;
    let mut names = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| corrupt(&e.to_string()))?;
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        total = total.saturating_add(size);
        if size > RATIO_FLOOR && size / packed > MAX_RATIO {
            return Err(bomb(format!(
                "one part of {} KB would unpack to {} MB",
                packed / 1024,
                size / 1024 / 1024
            )));
        }
        names.push(entry.name().map(|n| n.to_string()).unwrap_or_default());
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(bomb(format!(
            "it would unpack to {} MB",
            total / 1024 / 1024
        )));
    }
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    let format = if has("xl/workbook.xml") {
        Format::Xlsx
    } else if has("xl/workbook.bin") {
        Format::Xlsb
    } else if has("content.xml") && (has("mimetype") || has("META-INF/manifest.xml")) {
        Format::Ods
    } else if has("word/document.xml") {
        return Err(Diagnostic::error(
            "file-not-workbook",
            "The file is a Word document, not a workbook. Put the figures in the return workbook and save that instead.",
        ));
    } else {
        return Err(corrupt("it is a zip archive without a workbook inside"));
    };
    Ok((archive, names, format))
}

fn open_part<'z, 'a>(
    archive: &'z mut Archive<'a>,
    i: usize,
    name: &str,
) -> Result<zip::read::ZipFile<'z, Cursor<&'a [u8]>>, Diagnostic> {
    match archive.by_index(i) {
        Ok(e) => Ok(e),
        Err(e) if e.to_string().to_lowercase().contains("password") => Err(protected()),
        Err(e) => Err(corrupt(&format!("{name}: {e}"))),
    }
}

fn read_part(
    entry: &mut impl Read,
    buf: &mut [u8],
    name: &str,
    declared: u64,
) -> Result<usize, Diagnostic> {
    match entry.read(buf) {
        Ok(n) => Ok(n),
        // The zip crate stops a part at its declared size, so calamine
        // could never be handed more; this says why.
        Err(e) if e.to_string().contains("larger than its declared") => Err(lie(name, declared)),
        Err(e) => Err(corrupt(&format!("{name}: {e}"))),
    }
}

/// The words that tell a part holding more than it declares, which
/// [`explain_zip`] looks for among the other reasons a part is unreadable.
const HOLDS_MORE: &str = "holds more than the";

fn lie(name: &str, declared: u64) -> Diagnostic {
    corrupt(&format!(
        "its part {name} {HOLDS_MORE} {declared} bytes it declares, which only a damaged or doctored file does"
    ))
}

/// Parts whose content is XML, by name.
fn is_xml_part(name: &str) -> bool {
    let ends = |x: &str| {
        name.len() >= x.len()
            && name
                .get(name.len() - x.len()..)
                .is_some_and(|s| s.eq_ignore_ascii_case(x))
    };
    ends(".xml") || ends(".rels") || ends(".vml")
}

fn entities(part: &str, what: &str) -> Diagnostic {
    Diagnostic::error(
        "file-unsafe",
        format!(
            "The workbook was not opened because its part {part} holds {what}, something Excel and LibreOffice never write and a known way to make a file attack the program reading it. Open the workbook in Excel, save it as a new workbook and send that. If you did not make this file yourself, tell the performance team."
        ),
    )
}

/// Reads the prolog of an XML part, fed in pieces, up to its root element:
/// the only place a document type declaration, and with it entity
/// declarations, can stand. Comments and processing instructions are
/// stepped over whole, so markup inside them cannot end the search early.
/// quick-xml, under calamine, never expands entities, but a file that
/// declares them was made to attack a reader, and the officer should hear
/// that rather than a parse error.
#[derive(Default)]
struct Prolog {
    state: State,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum State {
    /// Between markup.
    #[default]
    Text,
    /// Just after `<`.
    Open,
    /// After `<!` and this many bytes of what follows (kept in `head`).
    Bang { head: [u8; 7], len: usize },
    /// Inside `<?…?>`; whether the last byte was `?`.
    Instruction { question: bool },
    /// Inside `<!--…-->`; how many `-` in a row were last seen.
    Comment { dashes: u8 },
    /// Inside `<!DOCTYPE…>`, this many bytes in.
    Doctype { len: usize },
    /// Inside some other `<!…>`.
    Declaration,
    /// The root element has begun: nothing more to look for.
    Root,
}

impl Prolog {
    /// Longest document type declaration accepted (without a subset, one is
    /// a name and two quoted identifiers).
    const DOCTYPE_MAX: usize = 4096;

    fn done(&self) -> bool {
        self.state == State::Root
    }

    /// Reads the next piece; says what was found if it must be refused.
    fn feed(&mut self, chunk: &[u8]) -> Option<&'static str> {
        for &b in chunk {
            self.state = match self.state {
                State::Root => return None,
                State::Text if b == b'<' => State::Open,
                State::Text => State::Text,
                State::Open => match b {
                    b'?' => State::Instruction { question: false },
                    b'!' => State::Bang {
                        head: [0; 7],
                        len: 0,
                    },
                    _ => State::Root,
                },
                State::Bang { mut head, len } => {
                    head[len] = b;
                    let seen = &head[..=len];
                    if seen == b"--" {
                        State::Comment { dashes: 0 }
                    } else if seen.eq_ignore_ascii_case(b"DOCTYPE") {
                        State::Doctype { len: 0 }
                    } else if seen.eq_ignore_ascii_case(b"ENTITY") {
                        return Some("XML entity declarations");
                    } else if [b"--".as_slice(), b"DOCTYPE", b"ENTITY"]
                        .iter()
                        .any(|word| {
                            word.get(..seen.len())
                                .is_some_and(|p| p.eq_ignore_ascii_case(seen))
                        })
                    {
                        State::Bang { head, len: len + 1 }
                    } else if b == b'>' {
                        State::Text
                    } else {
                        State::Declaration
                    }
                }
                State::Instruction { question } => match b {
                    b'>' if question => State::Text,
                    _ => State::Instruction {
                        question: b == b'?',
                    },
                },
                State::Comment { dashes } => match b {
                    b'>' if dashes >= 2 => State::Text,
                    b'-' => State::Comment {
                        dashes: dashes.saturating_add(1),
                    },
                    _ => State::Comment { dashes: 0 },
                },
                State::Doctype { len } => match b {
                    b'[' => return Some("a document type declaration with definitions of its own"),
                    b'>' => State::Text,
                    _ if len > Self::DOCTYPE_MAX => {
                        return Some("an overlong document type declaration")
                    }
                    _ => State::Doctype { len: len + 1 },
                },
                State::Declaration if b == b'>' => State::Text,
                State::Declaration => State::Declaration,
            };
        }
        None
    }
}

/// Counts, from an `.ods` file's `content.xml`, the cells calamine will hold
/// when it opens the file: it reads every sheet, writes out cells repeated
/// with `table:number-columns-repeated`, then lays each sheet out as a grid
/// from its first to its last filled row, repeating rows as
/// `table:number-rows-repeated` says. The count errs on the high side: a
/// cell counts as filled unless it is an empty element without a value type
/// or formula, as LibreOffice writes blank cells.
#[derive(Default)]
struct OdsCells {
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
    fn feed(&mut self, chunk: &[u8]) -> Result<(), Diagnostic> {
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

pub(super) fn too_many_cells() -> Diagnostic {
    Diagnostic::error(
        "file-too-large",
        format!(
            "The workbook was refused before opening because its sheets together would fill more than {} cells, far beyond any return (this counts every sheet, including pasted lists, and every cell between the first and the last one used). Delete pasted data, and rows or columns filled far beyond your figures, save it again and replace this file.",
            crate::text::count(MAX_WORKBOOK_CELLS as usize)
        ),
    )
}

/// A tag's name and the rest (its attributes).
fn split_name(tag: &[u8]) -> (&[u8], &[u8]) {
    let end = tag
        .iter()
        .position(|b| b.is_ascii_whitespace() || (*b == b'/' && tag.first() != Some(&b'/')))
        .unwrap_or(tag.len());
    (&tag[..end], &tag[end..])
}

/// Where `name="` starts its value in an attribute list, allowing spaces
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

// ---------------------------------------------------------------------------
// .xls: the compound file and the BIFF records inside it.

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;

/// Checks an old-Excel `.xls` (an OLE compound file) the way calamine will
/// read it: finds the `Workbook` stream by following the same sector
/// chains (refusing chains that loop or leave the file), then walks its
/// records, adding up the grid each sheet will be laid out in. Refuses
/// encrypted workbooks too.
pub(super) fn check_xls(bytes: &[u8]) -> Result<(), Diagnostic> {
    let stream = workbook_stream(bytes)?;
    let Some(stream) = stream else {
        // No Workbook stream: calamine says so, with no danger.
        return Ok(());
    };
    check_biff(&stream)
}

fn damaged() -> Diagnostic {
    corrupt("its internal structure is broken")
}

struct Sectors<'a> {
    file: &'a [u8],
    size: usize,
    /// Where sector 0 starts: after the header.
    base: usize,
    maxid: u32,
}

impl Sectors<'_> {
    /// A sector's bytes, possibly short at the end of the file, as calamine
    /// reads them.
    fn get(&self, id: u32) -> Result<&[u8], Diagnostic> {
        if id > self.maxid {
            return Err(damaged());
        }
        let start = self.base + id as usize * self.size;
        if start >= self.file.len() {
            return Err(damaged());
        }
        Ok(&self.file[start..(start + self.size).min(self.file.len())])
    }

    /// A sector that must be whole: calamine reads allocation tables in
    /// whole numbers of entries and stops with a panic otherwise.
    fn get_whole(&self, id: u32) -> Result<&[u8], Diagnostic> {
        let s = self.get(id)?;
        if s.len() != self.size {
            return Err(damaged());
        }
        Ok(s)
    }

    /// Follows a chain, never past `len` bytes nor round a loop.
    fn chain(&self, mut id: u32, fat: &[u32], len: usize) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::new();
        let mut steps = 0usize;
        while id != ENDOFCHAIN {
            steps += 1;
            if steps > self.maxid as usize + 2 {
                return Err(damaged());
            }
            let sector = self.get(id)?;
            let take = sector.len().min(len - out.len());
            out.extend_from_slice(&sector[..take]);
            if out.len() >= len {
                break;
            }
            id = *fat.get(id as usize).ok_or_else(damaged)?;
        }
        Ok(out)
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The `Workbook` (or older `Book`) stream, read as calamine reads it.
fn workbook_stream(file: &[u8]) -> Result<Option<Vec<u8>>, Diagnostic> {
    if file.len() < 512 {
        return Err(damaged());
    }
    let size = match u16_at(file, 30) {
        9 => 512usize,
        12 => 4096usize,
        _ => return Err(damaged()),
    };
    if size == 4096 && file.len() < 4096 {
        return Err(damaged());
    }
    let sectors = Sectors {
        file,
        size,
        base: size,
        maxid: (file.len() / size) as u32,
    };
    // DIFAT: 109 entries in the header, then a chain of DIFAT sectors.
    let mut difat: Vec<u32> = (0..109).map(|i| u32_at(file, 76 + 4 * i)).collect();
    let mut id = u32_at(file, 68);
    let mut hops = 0usize;
    while id < RESERVED_SECTORS {
        hops += 1;
        if hops > sectors.maxid as usize + 1 {
            return Err(damaged());
        }
        let s = sectors.get_whole(id)?;
        difat.extend((0..s.len() / 4).map(|i| u32_at(s, 4 * i)));
        id = difat.pop().ok_or_else(damaged)?;
    }
    let mut fat = Vec::new();
    for id in difat.into_iter().filter(|id| *id < DIFSECT) {
        let s = sectors.get_whole(id)?;
        fat.extend((0..s.len() / 4).map(|i| u32_at(s, 4 * i)));
        // A real allocation table has an entry per sector of the file; one
        // that lists its sectors over and over would make calamine build
        // a table many times the file's size.
        if fat.len() > 2 * (sectors.maxid as usize + 1) + size / 4 {
            return Err(damaged());
        }
    }
    // The directory: a chain of 128-byte entries. calamine reads it to its
    // end, so a loop here would never end: `chain` refuses loops.
    let dirs = sectors.chain(u32_at(file, 48), &fat, usize::MAX)?;
    let entries: Vec<&[u8]> = dirs.chunks(128).filter(|c| c.len() == 128).collect();
    let Some(root) = entries.first() else {
        return Err(damaged());
    };
    let large = size == 4096;
    let entry_len = |e: &[u8]| -> u64 {
        if large {
            u64::from(u32_at(e, 120)) | (u64::from(u32_at(e, 124)) << 32)
        } else {
            u64::from(u32_at(e, 120))
        }
    };
    let name_of = |e: &[u8]| -> String {
        let units: Vec<u16> = (0..32).map(|i| u16_at(e, 2 * i)).collect();
        let s = String::from_utf16_lossy(&units);
        s.split('\0').next().unwrap_or("").to_string()
    };
    let find = |wanted: &str| {
        entries
            .iter()
            .find(|e| name_of(e).eq_ignore_ascii_case(wanted))
            .copied()
    };
    // calamine reads the mini stream and its table on opening, whenever the
    // header says there is one and whatever streams the file holds,
    // following chains whose length the file states: `chain` refuses the
    // loops that would make that endless.
    let mini_fat_len = u32_at(file, 64) as usize;
    let (ministream, minifat) = if mini_fat_len > 0 {
        let root_len = usize::try_from(entry_len(root)).unwrap_or(usize::MAX);
        let ministream = sectors.chain(u32_at(root, 116), &fat, root_len)?;
        let bytes = sectors.chain(u32_at(file, 60), &fat, mini_fat_len.saturating_mul(size))?;
        if bytes.len() % 4 != 0 {
            return Err(damaged());
        }
        let minifat: Vec<u32> = (0..bytes.len() / 4)
            .map(|i| u32_at(&bytes, 4 * i))
            .collect();
        (ministream, minifat)
    } else {
        (Vec::new(), Vec::new())
    };
    if find("EncryptionInfo").is_some() || find("EncryptedPackage").is_some() {
        return Err(protected());
    }
    let Some(book) = find("Workbook").or_else(|| find("Book")) else {
        return Ok(None);
    };
    // A stream cannot be longer than the file that holds it.
    let len = entry_len(book);
    if len > file.len() as u64 {
        return Err(damaged());
    }
    let len = len as usize;
    let start = u32_at(book, 116);
    if len < 4096 {
        let minis = Sectors {
            file: &ministream,
            size: 64,
            base: 0,
            maxid: sectors.maxid.saturating_mul(8),
        };
        Ok(Some(minis.chain(start, &minifat, len)?))
    } else {
        Ok(Some(sectors.chain(start, &fat, len)?))
    }
}

/// A sheet's extent as calamine will lay it out.
#[derive(Default)]
struct Extent {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
    count: u64,
}

impl Extent {
    fn add(&mut self, row: u32, col: u32) {
        self.count += 1;
        let (r0, r1) = self.rows.unwrap_or((row, row));
        self.rows = Some((r0.min(row), r1.max(row)));
        let (c0, c1) = self.cols.unwrap_or((col, col));
        self.cols = Some((c0.min(col), c1.max(col)));
    }

    fn grid(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => {
                u64::from(r1 - r0 + 1).saturating_mul(u64::from(c1 - c0 + 1))
            }
            _ => 0,
        }
    }
}

/// BIFF records as calamine's iterator yields them: type, data, and any
/// CONTINUE records that follow.
fn records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        if stream.len() < 4 {
            return None;
        }
        let typ = u16_at(stream, 0);
        let len = u16_at(stream, 2) as usize;
        if stream.len() < len + 4 {
            return None;
        }
        let data = &stream[4..4 + len];
        stream = &stream[4 + len..];
        while stream.len() > 4 && u16_at(stream, 0) == 0x003C {
            let len = u16_at(stream, 2) as usize;
            if stream.len() < len + 4 {
                stream = &[];
                break;
            }
            stream = &stream[4 + len..];
        }
        Some((typ, data))
    })
}

fn check_biff(stream: &[u8]) -> Result<(), Diagnostic> {
    let mut sheets = Vec::new();
    for (typ, data) in records(stream) {
        // calamine reads these records' first bytes without checking they
        // are there, and panics if not; such a file is damaged.
        let needs = match typ {
            0x002F | 0x0042 | 0x0022 | 0x0017 => 2,
            0x0085 | 0x0018 => 6,
            _ => 0,
        };
        if data.len() < needs {
            return Err(damaged());
        }
        match typ {
            0x002F if u16_at(data, 0) != 0 => return Err(protected()),
            0x0085 => {
                let pos = u32_at(data, 0) as usize;
                if pos > stream.len() {
                    return Err(damaged());
                }
                sheets.push(pos);
            }
            0x000A => break,
            _ => {}
        }
    }
    let mut total: u64 = 0;
    for pos in sheets {
        let sheet = &stream[pos..];
        let mut values = Extent::default();
        let mut formulas = Extent::default();
        let mut reserved: u64 = 0;
        let mut formula_at = (0u32, 0u32);
        let mut seen_bof = false;
        let mut depth = 0usize;
        for (typ, r) in records(sheet) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let row = u32::from(u16_at(r, 0));
            let col = u32::from(u16_at(r, 2));
            match typ {
                0x0809 => {
                    if seen_bof {
                        depth += 1;
                    } else {
                        seen_bof = true;
                    }
                }
                0x0200 => reserved = reserved.saturating_add(dimension_cells(r)?),
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => values.add(row, col),
                0x0207 => values.add(formula_at.0, formula_at.1),
                0x00BD if r.len() >= 6 => {
                    let last = u32::from(u16_at(r, r.len() - 2));
                    if last >= col {
                        let n = ((r.len() - 6) / 6) as u32;
                        values.add(row, col);
                        values.add(row, col + n.saturating_sub(1));
                        values.count += u64::from(n);
                    }
                }
                0x0006 => {
                    formula_at = (row, col);
                    values.add(row, col);
                    formulas.add(row, col);
                }
                0x000A => break,
                _ => {}
            }
            if total.saturating_add(xls_sheet_cells(reserved, &values, &formulas))
                > MAX_WORKBOOK_CELLS
            {
                return Err(too_many_cells());
            }
        }
        total = total.saturating_add(xls_sheet_cells(reserved, &values, &formulas));
    }
    Ok(())
}

/// What calamine holds for one sheet of an `.xls`: the list of cells read
/// (with the room a DIMENSIONS record asked to set aside for it), then the
/// grid of values and the grid of formulas laid out from it.
fn xls_sheet_cells(reserved: u64, values: &Extent, formulas: &Extent) -> u64 {
    reserved
        .max(values.count.saturating_add(formulas.count))
        .saturating_add(values.grid())
        .saturating_add(formulas.grid())
}

/// The cells calamine sets aside for a DIMENSIONS record, mirroring how it
/// reads one; a record whose last row comes before its first would make it
/// ask for an impossible amount, so is refused.
fn dimension_cells(r: &[u8]) -> Result<u64, Diagnostic> {
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (
            u32::from(u16_at(r, 0)),
            u32::from(u16_at(r, 2)),
            u32::from(u16_at(r, 4)),
            u32::from(u16_at(r, 6)),
        ),
        14 | 16 => (
            u32_at(r, 0),
            u32_at(r, 4),
            u32::from(u16_at(r, 8)),
            u32::from(u16_at(r, 10)),
        ),
        // calamine refuses the file: nothing is set aside.
        _ => return Ok(0),
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if 1 <= rl && 1 <= cl {
        ((rf, cf), (rl - 1, cl - 1))
    } else {
        ((rf, cf), (rf, cf))
    };
    if end.0 < start.0 || end.1 < start.1 {
        return Err(damaged());
    }
    Ok(u64::from(end.0 - start.0 + 1).saturating_mul(u64::from(end.1 - start.1 + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(pieces: &[&[u8]]) -> (Option<&'static str>, bool) {
        let mut p = Prolog::default();
        for piece in pieces {
            if let Some(what) = p.feed(piece) {
                return (Some(what), p.done());
            }
        }
        (None, p.done())
    }

    #[test]
    fn entity_declarations_are_found_across_pieces() {
        let xml = b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]><sst/>";
        for cut in 0..xml.len() {
            let found = scan(&[&xml[..cut], &xml[cut..]]).0;
            assert!(found.is_some(), "cut at {cut}");
        }
        let (found, done) = scan(&[b"<!DOCTYPE manifest:manifest PUBLIC \"-//OpenOffice.org//DTD Manifest 1.0//EN\" \"Manifest.dtd\"><manifest:manifest/>"]);
        assert_eq!((found, done), (None, true));
        assert_eq!(
            scan(&[b"<sst><si><t>&lt;!ENTITY</t></si></sst>"]),
            (None, true)
        );
        assert_eq!(
            scan(&[b"<!ENTITY x \"y\"><sst/>"]).0,
            Some("XML entity declarations")
        );
        let long = format!("<!DOCTYPE x SYSTEM \"{}\"><a/>", "a".repeat(5000));
        assert_eq!(
            scan(&[long.as_bytes()]).0,
            Some("an overlong document type declaration")
        );
    }

    #[test]
    fn the_prolog_ends_at_the_root_element_and_not_before() {
        // Markup inside a comment or instruction does not end the search,
        // so a declaration after it is still found.
        let hidden = b"\xEF\xBB\xBF<?xml version=\"1.0\"?><?pi <a> ?><!-- <b> -- > --><!DOCTYPE x [<!ENTITY y \"z\">]><root/>";
        for cut in 0..hidden.len() {
            assert!(
                scan(&[&hidden[..cut], &hidden[cut..]]).0.is_some(),
                "cut at {cut}"
            );
        }
        let clean = b"<?xml version=\"1.0\" standalone=\"yes\"?>\r\n<!-- made by hand --><worksheet xmlns=\"x\"><!DOCTYPE";
        assert_eq!(scan(&[clean]), (None, true));
        assert_eq!(scan(&[b"<?xml version=\"1.0\"?>"]), (None, false));
    }

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
