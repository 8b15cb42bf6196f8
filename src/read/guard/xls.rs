//! Old Excel's `.xls`: the OLE compound file, followed sector by sector as
//! calamine follows it, and the BIFF records inside it, adding up the grid
//! each sheet will be laid out in.

use crate::diagnostic::Diagnostic;
use crate::read::{corrupt, protected, MAX_WORKBOOK_CELLS};

use super::too_many_cells;

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;

/// Checks an old-Excel `.xls` (an OLE compound file) the way calamine will
/// read it: finds the `Workbook` stream by following the same sector
/// chains (refusing chains that loop or leave the file), then walks its
/// records, adding up the grid each sheet will be laid out in. Refuses
/// encrypted workbooks too.
pub(in crate::read) fn check_xls(bytes: &[u8]) -> Result<(), Diagnostic> {
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

impl<'a> Sectors<'a> {
    /// The file's sectors, of the size its header gives.
    fn of(file: &'a [u8]) -> Result<Self, Diagnostic> {
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
        Ok(Sectors {
            file,
            size,
            base: size,
            maxid: (file.len() / size) as u32,
        })
    }

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
    let sectors = Sectors::of(file)?;
    let fat = allocation_table(&sectors)?;
    // The directory: a chain of 128-byte entries. calamine reads it to its
    // end, so a loop here would never end: `chain` refuses loops.
    let dirs = sectors.chain(u32_at(file, 48), &fat, usize::MAX)?;
    let directory = Directory {
        entries: dirs.chunks(128).filter(|c| c.len() == 128).collect(),
        large: sectors.size == 4096,
    };
    let Some(root) = directory.entries.first() else {
        return Err(damaged());
    };
    let (ministream, minifat) = mini_stream(&sectors, &fat, root, directory.len(root))?;
    if directory.find("EncryptionInfo").is_some() || directory.find("EncryptedPackage").is_some() {
        return Err(protected());
    }
    let Some(book) = directory
        .find("Workbook")
        .or_else(|| directory.find("Book"))
    else {
        return Ok(None);
    };
    // A stream cannot be longer than the file that holds it.
    let len = directory.len(book);
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

/// The sector allocation table, gathered from the sectors the DIFAT lists.
fn allocation_table(sectors: &Sectors<'_>) -> Result<Vec<u32>, Diagnostic> {
    let file = sectors.file;
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
        if fat.len() > 2 * (sectors.maxid as usize + 1) + sectors.size / 4 {
            return Err(damaged());
        }
    }
    Ok(fat)
}

/// The compound file's directory: its 128-byte entries, and whether the
/// file uses 4096-byte sectors, whose entries give 64-bit lengths.
struct Directory<'d> {
    entries: Vec<&'d [u8]>,
    large: bool,
}

impl<'d> Directory<'d> {
    /// The length of an entry's stream.
    fn len(&self, e: &[u8]) -> u64 {
        if self.large {
            u64::from(u32_at(e, 120)) | (u64::from(u32_at(e, 124)) << 32)
        } else {
            u64::from(u32_at(e, 120))
        }
    }

    /// The entry with this name, in any case.
    fn find(&self, wanted: &str) -> Option<&'d [u8]> {
        let name_of = |e: &[u8]| -> String {
            let units: Vec<u16> = (0..32).map(|i| u16_at(e, 2 * i)).collect();
            let s = String::from_utf16_lossy(&units);
            s.split('\0').next().unwrap_or("").to_string()
        };
        self.entries
            .iter()
            .find(|e| name_of(e).eq_ignore_ascii_case(wanted))
            .copied()
    }
}

/// The mini stream and its allocation table. calamine reads them on
/// opening, whenever the header says there is one and whatever streams the
/// file holds, following chains whose length the file states: `chain`
/// refuses the loops that would make that endless.
fn mini_stream(
    sectors: &Sectors<'_>,
    fat: &[u32],
    root: &[u8],
    root_len: u64,
) -> Result<(Vec<u8>, Vec<u32>), Diagnostic> {
    let file = sectors.file;
    let mini_fat_len = u32_at(file, 64) as usize;
    if mini_fat_len == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let root_len = usize::try_from(root_len).unwrap_or(usize::MAX);
    let ministream = sectors.chain(u32_at(root, 116), fat, root_len)?;
    let bytes = sectors.chain(
        u32_at(file, 60),
        fat,
        mini_fat_len.saturating_mul(sectors.size),
    )?;
    if bytes.len() % 4 != 0 {
        return Err(damaged());
    }
    let minifat: Vec<u32> = (0..bytes.len() / 4)
        .map(|i| u32_at(&bytes, 4 * i))
        .collect();
    Ok((ministream, minifat))
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

/// Walks a workbook stream's BIFF records: where each sheet starts, then
/// each sheet's cells, refusing the workbook once all its sheets together
/// would lay out more cells than allowed.
fn check_biff(stream: &[u8]) -> Result<(), Diagnostic> {
    let mut total: u64 = 0;
    for pos in sheet_offsets(stream)? {
        total = total.saturating_add(sheet_cells(&stream[pos..], total)?);
    }
    Ok(())
}

/// Where each sheet's records start, from the workbook's own records (up
/// to their EOF); refuses a protected workbook and records too short for
/// what calamine reads of them.
fn sheet_offsets(stream: &[u8]) -> Result<Vec<usize>, Diagnostic> {
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
    Ok(sheets)
}

/// The cells calamine will hold for one sheet, read from its records;
/// refused as soon as they and the `before` of earlier sheets pass the
/// limit. Records of substreams inside the sheet (charts) are skipped.
fn sheet_cells(sheet: &[u8], before: u64) -> Result<u64, Diagnostic> {
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
        if before.saturating_add(xls_sheet_cells(reserved, &values, &formulas)) > MAX_WORKBOOK_CELLS
        {
            return Err(too_many_cells());
        }
    }
    Ok(xls_sheet_cells(reserved, &values, &formulas))
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
