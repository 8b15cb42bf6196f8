//! Stage 2: read a return file into cells.
//!
//! The file is read from disk exactly once: the same bytes give its checksum
//! for the run record and feed the spreadsheet parser, so a file replaced
//! mid-run cannot be checksummed as one thing and read as another. Before
//! parsing, the bytes are sniffed to tell the officer what a mis-saved file
//! really is (a CSV or web page named `.xlsx`, a password-protected
//! workbook), and `guard` walks the file's structure with a bound on
//! everything before calamine may parse it, so a tiny file that would
//! inflate to gigabytes, or lay a sheet out over billions of cells, is
//! refused with a message instead of taking the machine's memory.
//! Only the sheets the contract uses are parsed, cell by cell and only as
//! far as [`MAX_SHEET_ROWS`] and [`MAX_SHEET_COLUMNS`]; pasted case lists on
//! other sheets of an `.xlsx` are never read.
//!
//! Whatever happens inside the parser, [`read_return`] turns it into a
//! diagnostic on that file: a panic in calamine is caught, so one strange
//! file cannot stop the run.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Ods, Reader, Sheets, Xls, Xlsb, Xlsx};
use sha2::{Digest, Sha256};

use crate::diagnostic::{cell_ref, Diagnostic};
use crate::model::layout::{ACTIONS_SHEET, COVER_SHEET, INDICATORS_SHEET};
use crate::model::workbook::{FileFacts, Format, InputFile, Sheet, Workbook};

mod guard;

/// Largest return file read, in bytes. Real returns are tens of kilobytes.
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;
/// Largest total a zip-based workbook may declare once unpacked.
pub const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;
/// Largest unpack ratio tolerated for a sizeable part of a workbook. Real
/// sheets compress 5-20×; bombs compress thousands of times.
pub const MAX_RATIO: u64 = 200;
/// Rows read on the Return, Indicators and Actions sheets. A return needs a
/// few dozen; a sheet with anything further down is refused with a message,
/// so a sheet of a million rows costs no more than this many.
pub const MAX_SHEET_ROWS: u32 = 10_000;
/// Columns read on those sheets: up to column IV, old Excel's last.
pub const MAX_SHEET_COLUMNS: u32 = 256;
/// Most cells an `.xls` or `.ods` workbook may fill, all sheets together.
/// calamine lays every sheet of those formats out as a full grid when it
/// opens the file (pasted lists included), so this bounds its memory; it
/// is far beyond any return, and beyond a pasted list of 50,000 rows.
pub const MAX_WORKBOOK_CELLS: u64 = 8_000_000;

/// A sheet from its filled cells (row, column, value), refusing one
/// with anything beyond the rows and columns a return can use.
fn sheet_from_cells(
    name: &str,
    cells: impl IntoIterator<Item = Result<(u32, u32, Data), Diagnostic>>,
) -> Result<Sheet, Diagnostic> {
    let mut cells_held = BTreeMap::new();
    let mut bounds: Option<((u32, u32), (u32, u32))> = None;
    for cell in cells {
        let (row, col, data) = cell?;
        if matches!(data, Data::Empty) {
            continue;
        }
        if row >= MAX_SHEET_ROWS || col >= MAX_SHEET_COLUMNS {
            return Err(sheet_too_large(name, row, col));
        }
        bounds = Some(match bounds {
            None => ((row, col), (row, col)),
            Some(((r0, c0), (r1, c1))) => ((r0.min(row), c0.min(col)), (r1.max(row), c1.max(col))),
        });
        cells_held.insert((row, col), data);
    }
    Ok(Sheet::from_parts(name, cells_held, bounds))
}

/// The outcome of reading one file.
#[derive(Debug)]
pub struct ReadReturn {
    pub file: InputFile,
    /// `None` when the file could not even be read from disk.
    pub facts: Option<FileFacts>,
    pub workbook: Result<Workbook, Diagnostic>,
}

/// Reads one return. Never panics and never fails the run: whatever goes
/// wrong becomes a diagnostic naming what to do.
pub fn read_return(file: &InputFile) -> ReadReturn {
    let bytes = match read_bounded(&file.path) {
        Ok(b) => b,
        Err(d) => {
            return ReadReturn {
                file: file.clone(),
                facts: None,
                workbook: Err(d),
            }
        }
    };
    let facts = FileFacts {
        bytes: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
    };
    let workbook = parse_guarded(bytes, &file.extension);
    ReadReturn {
        file: file.clone(),
        facts: Some(facts),
        workbook,
    }
}

std::thread_local! {
    /// Whether this thread is inside the spreadsheet parser.
    static PARSING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// [`parse_bytes`] with a net under it: a panic inside the parser (calamine
/// has a few on damaged files; the checks in [`guard`] stop those that
/// matter) becomes a "damaged" message on this file, and is kept off the
/// console, where it would only alarm the officer running the scorecard.
fn parse_guarded(bytes: Vec<u8>, extension: &str) -> Result<Workbook, Diagnostic> {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if PARSING.with(|p| p.get()) {
                tracing::debug!("the spreadsheet reader panicked: {info}");
            } else {
                previous(info);
            }
        }));
    });
    PARSING.with(|p| p.set(true));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parse_bytes(bytes, extension)
    }));
    PARSING.with(|p| p.set(false));
    outcome.unwrap_or_else(|_| Err(corrupt("the reader could not make sense of its contents")))
}

/// A file's SHA-256, in hexadecimal, as the run record gives it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The message for a file the operating system would not let the run read.
pub fn unreadable(e: &std::io::Error) -> Diagnostic {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => {
            "it was removed or renamed while the run was going; put it back and run again"
                .to_string()
        }
        std::io::ErrorKind::PermissionDenied => {
            "the run is not allowed to read it. Ask IT to give the account that runs the scorecard permission to read it, or save a copy of the return in the inputs folder"
                .to_string()
        }
        _ => format!("{e}. If it is open in Excel, close it and run again"),
    };
    Diagnostic::error(
        "file-unreadable",
        format!("The file cannot be read: {why}."),
    )
}

pub(crate) fn read_bounded(path: &std::path::Path) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    // A named pipe or device would make `open` or `read` wait for ever, so
    // only ordinary files are opened (following links).
    let meta = std::fs::metadata(path).map_err(|e| unreadable(&e))?;
    if !meta.is_file() {
        return Err(not_ordinary());
    }
    let file = std::fs::File::open(path).map_err(|e| unreadable(&e))?;
    if !file.metadata().map_err(|e| unreadable(&e))?.is_file() {
        return Err(not_ordinary());
    }
    let expected = meta.len().min(MAX_FILE_BYTES) as usize;
    let mut bytes = Vec::with_capacity(expected + 1);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            "file-too-large",
            format!(
                "The file is larger than {} MB, far more than a return needs. Remove pasted data from it and save it again.",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    Ok(bytes)
}

fn not_ordinary() -> Diagnostic {
    Diagnostic::error(
        "file-unreadable",
        "The file cannot be read: it is not an ordinary file (it is a folder, a pipe or a device with a workbook's name). Put the return itself in the inputs folder.",
    )
}

/// Tells what the bytes are, refusing what cannot be a workbook with a
/// message saying what it is instead. Workbooks pass through [`guard`].
fn sniff(bytes: &[u8], extension: &str) -> Result<Format, Diagnostic> {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.is_empty() {
        return Err(Diagnostic::error(
            "file-empty",
            "The file is empty (0 bytes). It may not have finished copying: save the return again from Excel and replace this file.",
        ));
    }
    if bytes.starts_with(ZIP) {
        return guard::check_zip(bytes);
    }
    if bytes.starts_with(OLE) {
        if contains_utf16(bytes, "EncryptedPackage") || contains_utf16(bytes, "EncryptionInfo") {
            return Err(protected());
        }
        guard::check_xls(bytes)?;
        return Ok(Format::Xls);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    let what = if head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.contains("<html")
    {
        "a web page (HTML), not a workbook"
    } else if head.contains("urn:schemas-microsoft-com:office:spreadsheet") {
        "an Excel 2003 XML spreadsheet, which this tool does not read"
    } else if head.starts_with("<?xml") || head.starts_with('<') {
        "an XML file, not a workbook"
    } else if head.starts_with("%pdf") {
        "a PDF document, not a workbook"
    } else if looks_like_text(bytes) {
        "plain text (perhaps a CSV export), not a workbook"
    } else {
        "not a workbook this tool recognises"
    };
    Err(Diagnostic::error(
        "file-not-workbook",
        format!(
            "The file is named .{extension} but is {what}. Open it in Excel, choose Save As, pick \"Excel Workbook (*.xlsx)\" and replace this file."
        ),
    ))
}

fn protected() -> Diagnostic {
    Diagnostic::error(
        "file-protected",
        "The workbook is protected with a password, so it cannot be read. Please send a copy saved without a password (File > Info > Protect Workbook > Encrypt with Password, clear the password, save).",
    )
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(4096)];
    std::str::from_utf8(sample).is_ok() || sample.iter().all(|&b| b >= 0x09)
}

fn contains_utf16(bytes: &[u8], text: &str) -> bool {
    let needle: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

fn corrupt(why: &str) -> Diagnostic {
    Diagnostic::error(
        "file-corrupt",
        format!(
            "The workbook is damaged and cannot be opened ({why}). It may have been copied before it was fully saved: open it in Excel, save it again and replace this file."
        ),
    )
}

fn sheet_too_large(name: &str, row: u32, col: u32) -> Diagnostic {
    Diagnostic::error(
        "sheet-too-large",
        format!(
            "The sheet \"{name}\" has something in cell {cell}, far beyond where a return's figures go: only the first {rows} rows and {cols} columns (up to column {last}) of the Return, Indicators and Actions sheets are read, so the sheet was not read at all. Delete the rows and columns beyond your figures (select them, right-click, Delete; clearing them is not enough), save the return and send it again.",
            cell = cell_ref(row, col),
            rows = crate::text::count(MAX_SHEET_ROWS as usize),
            cols = MAX_SHEET_COLUMNS,
            last = crate::diagnostic::column_letters(MAX_SHEET_COLUMNS - 1),
        ),
    )
    .at(name, row, col)
}

fn bomb(why: String) -> Diagnostic {
    Diagnostic::error(
        "file-too-large",
        format!(
            "The workbook was refused before opening because {why}, far beyond any return. Remove pasted data and images, save it again and replace this file."
        ),
    )
}

/// Parses a return from its bytes; `extension` is only used in messages.
/// Public so the fuzz target can drive the reader without the file system.
/// Unlike [`read_return`] it does not catch panics, so that fuzzing sees
/// them.
pub fn parse_bytes(bytes: Vec<u8>, extension: &str) -> Result<Workbook, Diagnostic> {
    let format = sniff(&bytes, extension)?;
    parse_sniffed(&bytes, format).map_err(|d| {
        // calamine's error for a part that holds more than it declares
        // names neither the part nor the cause; the guard can.
        let unexplained = matches!(d.rule, "file-corrupt" | "sheet-unreadable");
        match format {
            Format::Xlsx | Format::Xlsb | Format::Ods if unexplained => {
                guard::explain_zip(&bytes).unwrap_or(d)
            }
            _ => d,
        }
    })
}

fn parse_sniffed(bytes: &[u8], format: Format) -> Result<Workbook, Diagnostic> {
    let cursor = Cursor::new(bytes);
    let opened: Result<Sheets<Cursor<&[u8]>>, String> = match format {
        Format::Xlsx => open_workbook_from_rs::<Xlsx<_>, _>(cursor)
            .map(Sheets::Xlsx)
            .map_err(|e| e.to_string()),
        Format::Xlsb => open_workbook_from_rs::<Xlsb<_>, _>(cursor)
            .map(Sheets::Xlsb)
            .map_err(|e| e.to_string()),
        Format::Xls => open_workbook_from_rs::<Xls<_>, _>(cursor)
            .map(Sheets::Xls)
            .map_err(|e| e.to_string()),
        Format::Ods => open_workbook_from_rs::<Ods<_>, _>(cursor)
            .map(Sheets::Ods)
            .map_err(|e| e.to_string()),
    };
    let mut sheets = opened.map_err(|e| open_failure(&e))?;
    let sheet_names = sheets.sheet_names();
    let hidden_sheets = sheets
        .sheets_metadata()
        .iter()
        .filter(|m| m.visible != calamine::SheetVisible::Visible)
        .map(|m| m.name.clone())
        .collect();
    let mut take = |wanted: &str| -> Result<Option<Sheet>, Diagnostic> {
        let Some(name) = sheet_names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(wanted))
            .cloned()
        else {
            return Ok(None);
        };
        read_sheet(&mut sheets, &name).map(Some)
    };
    let cover = take(COVER_SHEET)?;
    let indicators = take(INDICATORS_SHEET)?;
    let actions = take(ACTIONS_SHEET)?;
    Ok(Workbook {
        format,
        sheet_names,
        hidden_sheets,
        cover,
        indicators,
        actions,
    })
}

/// Reads one sheet. `.xlsx` and `.xlsb` sheets are streamed cell by cell,
/// stopping at the first cell out of bounds, so a sheet of a million rows
/// costs no more than [`MAX_SHEET_ROWS`] and its size is never trusted;
/// `.xls` and `.ods` sheets were laid out when the file was opened (within
/// the bounds [`guard`] checked) and are copied from there.
fn read_sheet(sheets: &mut Sheets<Cursor<&[u8]>>, name: &str) -> Result<Sheet, Diagnostic> {
    let unreadable = |e: String| {
        Diagnostic::error(
            "sheet-unreadable",
            format!(
                "The sheet \"{name}\" cannot be read ({e}). Save the workbook again from Excel and replace this file."
            ),
        )
        .on_sheet(name)
    };
    match sheets {
        Sheets::Xlsx(book) => {
            let mut cells = match book.worksheet_cells_reader(name) {
                Ok(c) => c,
                // A chart sheet with the name: no cells.
                Err(calamine::XlsxError::NotAWorksheet(_)) => {
                    return sheet_from_cells(name, std::iter::empty())
                }
                Err(e) => return Err(unreadable(e.to_string())),
            };
            sheet_from_cells(
                name,
                std::iter::from_fn(|| match cells.next_cell() {
                    Ok(Some(c)) => {
                        let (row, col) = c.get_position();
                        Some(Ok((row, col, Data::from(c.get_value().clone()))))
                    }
                    Ok(None) => None,
                    Err(e) => Some(Err(unreadable(e.to_string()))),
                }),
            )
        }
        Sheets::Xlsb(book) => {
            let mut cells = book
                .worksheet_cells_reader(name)
                .map_err(|e| unreadable(e.to_string()))?;
            sheet_from_cells(
                name,
                std::iter::from_fn(|| match cells.next_cell() {
                    Ok(Some(c)) => {
                        let (row, col) = c.get_position();
                        Some(Ok((row, col, Data::from(c.get_value().clone()))))
                    }
                    Ok(None) => None,
                    Err(e) => Some(Err(unreadable(e.to_string()))),
                }),
            )
        }
        other => {
            let range = other
                .worksheet_range(name)
                .map_err(|e| unreadable(e.to_string()))?;
            sheet_from_cells(
                name,
                range.used_cells().map(|(r, c, d)| {
                    let (r0, c0) = range.start().unwrap_or((0, 0));
                    Ok((r0 + r as u32, c0 + c as u32, d.clone()))
                }),
            )
        }
    }
}

fn open_failure(message: &str) -> Diagnostic {
    if message.to_lowercase().contains("password") {
        return protected();
    }
    Diagnostic::error(
        "file-corrupt",
        format!(
            "The workbook is damaged and cannot be opened ({message}). Open it in Excel, save it again and replace this file."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_names_the_cause() {
        use std::io::{Error, ErrorKind};
        // Tests run as root, where no file is unreadable, so the mapping of
        // the operating system's refusal to the message is tested here.
        let denied = unreadable(&Error::from(ErrorKind::PermissionDenied));
        assert_eq!(denied.rule, "file-unreadable");
        assert!(
            denied.message.contains("not allowed to read it"),
            "{}",
            denied.message
        );
        let gone = unreadable(&Error::from(ErrorKind::NotFound));
        assert!(
            gone.message.contains("removed or renamed"),
            "{}",
            gone.message
        );
        let other = unreadable(&Error::other("device busy"));
        assert!(
            other
                .message
                .contains("device busy. If it is open in Excel"),
            "{}",
            other.message
        );
    }

    #[test]
    fn sniffing_names_what_a_file_really_is() {
        let csv = sniff(b"Ref,Numerator\nTS3,12\n", "xlsx").unwrap_err();
        assert!(csv.message.contains("plain text"), "{}", csv.message);
        let html = sniff(b"<!DOCTYPE html><html></html>", "xlsx").unwrap_err();
        assert!(html.message.contains("web page"), "{}", html.message);
        assert_eq!(sniff(b"", "xlsx").unwrap_err().rule, "file-empty");
        let truncated = sniff(b"PK\x03\x04\x14\x00\x00\x00", "xlsx").unwrap_err();
        assert_eq!(truncated.rule, "file-corrupt");
    }
}
