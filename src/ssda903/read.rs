//! Reading an extract's lists, as CSV files or as one XML file, into rows
//! of text. Nothing about a child is judged here, only the files: a file
//! that is damaged, cut short or in an encoding that cannot be read makes
//! the whole extract unusable ([`Refusal`]); a list that lacks a column or
//! repeats one cannot be used, and the figures that need it fall back to
//! the returns. Values are checked in [`crate::validate::ssda903`].
//!
//! No message written here quotes the file's contents: a list whose first
//! row is a child's values rather than column names is said to have no
//! header row, not shown.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;
use crate::encoding::{decode_csv, decode_xml, Decoded};
use crate::read::{read_bounded, MAX_FILE_BYTES};
pub use crate::records::ExtractFile;

/// Deepest nesting of elements accepted in the XML; the layout needs four.
pub const MAX_XML_DEPTH: usize = 16;

/// The lists the figures use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum List {
    Header,
    Episodes,
    Reviews,
    Oc2,
    Oc3,
    PlacedForAdoption,
}

impl List {
    pub const ALL: [List; 6] = [
        List::Header,
        List::Episodes,
        List::Reviews,
        List::Oc2,
        List::Oc3,
        List::PlacedForAdoption,
    ];

    pub fn name(self) -> &'static str {
        match self {
            List::Header => "header",
            List::Episodes => "episodes",
            List::Reviews => "reviews",
            List::Oc2 => "oc2",
            List::Oc3 => "oc3",
            List::PlacedForAdoption => "placed_for_adoption",
        }
    }

    /// The columns the figures use, as the CSV names them.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            List::Header => &["CHILD", "DOB"],
            List::Episodes => &["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"],
            List::Reviews => &["CHILD", "REVIEW"],
            List::Oc2 => &["CHILD", "HEALTH_CHECK", "TEETH_CHECK"],
            List::Oc3 => &["CHILD", "DOB", "ACTIV", "ACCOM"],
            List::PlacedForAdoption => &["CHILD", "DATE_PLACED"],
        }
    }

    /// The columns that tell this list from the others.
    fn marks(self) -> &'static [&'static str] {
        match self {
            List::Header => &[],
            List::Episodes => &["DECOM", "RNE", "PLACE", "REC"],
            List::Reviews => &["REVIEW"],
            List::Oc2 => &["HEALTH_CHECK", "TEETH_CHECK"],
            List::Oc3 => &["ACTIV", "ACCOM", "IN_TOUCH"],
            List::PlacedForAdoption => &["DATE_PLACED"],
        }
    }
}

/// Columns of the Department's other lists (UASC, missing, adoption
/// decisions, previous permanence…), which this tool does not use; a CSV
/// with one of these is never taken for the header list.
const OTHER_LISTS: &[&str] = &[
    "DUC",
    "MISSING",
    "MIS_START",
    "DATE_INT",
    "DATE_MATCH",
    "PREV_PERM",
    "LA_PERM",
    "DATE_PERM",
    "SDQ_SCORE",
    "DATE_PLACED_CEASED",
];

/// Every column name of the Department's lists: the only words of a file
/// a message may repeat, since they are the layout's, not a child's.
const KNOWN_COLUMNS: &[&str] = &[
    "CHILD",
    "SEX",
    "DOB",
    "ETHNIC",
    "UPN",
    "MOTHER",
    "MC_DOB",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
    "REVIEW",
    "REVIEW_CODE",
    "DUC",
    "SDQ_SCORE",
    "SDQ_REASON",
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
    "IN_TOUCH",
    "ACTIV",
    "ACCOM",
    "DATE_INT",
    "DATE_MATCH",
    "FOSTER_CARE",
    "NB_ADOPTR",
    "SEX_ADOPTR",
    "LS_ADOPTR",
    "DATE_PLACED",
    "DATE_PLACED_CEASED",
    "REASON_PLACED_CEASED",
    "PREV_PERM",
    "LA_PERM",
    "DATE_PERM",
    "MISSING",
    "MIS_START",
    "MIS_END",
];

/// Which list a CSV's header row makes it, if any.
pub fn recognise(columns: &[String]) -> Option<List> {
    let has = |c: &str| columns.iter().any(|h| h == c);
    for list in [
        List::Episodes,
        List::Reviews,
        List::Oc2,
        List::Oc3,
        List::PlacedForAdoption,
    ] {
        if list.marks().iter().any(|m| has(m)) {
            return Some(list);
        }
    }
    if has("CHILD") && has("DOB") && !OTHER_LISTS.iter().any(|c| has(c)) {
        return Some(List::Header);
    }
    None
}

/// Where a row is in its file: its line as the file numbers it (CSV,
/// header line 1), or in XML the CHILD element's place in the file and the
/// item's place in the child (0 for the child's own HEADER).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    pub line: u32,
    pub child: u32,
    pub item: u32,
}

/// One list's rows, its values as text in one buffer: a row is CHILD and
/// then the values of [`List::columns`] after it. Kept compact, as an
/// extract for a whole country holds millions of rows.
#[derive(Debug, Default)]
pub struct Table {
    /// The file it was read from: its index among the extract's files.
    file: usize,
    width: usize,
    text: String,
    /// Where each value ends in `text`; it starts where the one before ends.
    ends: Vec<u32>,
    places: Vec<Place>,
}

impl Table {
    fn new(list: List, file: usize) -> Table {
        Table {
            file,
            width: list.columns().len(),
            ..Table::default()
        }
    }

    /// Room for about `rows` rows of `bytes` of text, read from a file of
    /// that size, so the buffers are not copied as they grow.
    fn reserve(&mut self, rows: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.ends.reserve(rows * self.width);
        self.places.reserve(rows);
    }

    fn push<'v>(&mut self, place: Place, values: impl IntoIterator<Item = &'v str>) {
        let mut n = 0;
        for v in values.into_iter().take(self.width) {
            self.text.push_str(v.trim());
            self.ends.push(self.text.len() as u32);
            n += 1;
        }
        for _ in n..self.width {
            self.ends.push(self.text.len() as u32);
        }
        self.places.push(place);
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    pub fn row(&self, index: usize) -> Row<'_> {
        Row { table: self, index }
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).map(move |i| self.row(i))
    }

    fn cell(&self, row: usize, column: usize) -> &str {
        let i = row * self.width + column;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// One row of a list.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    table: &'a Table,
    index: usize,
}

impl<'a> Row<'a> {
    pub fn child(&self) -> &'a str {
        self.table.cell(self.index, 0)
    }

    /// The `i`-th value after CHILD, in the order of [`List::columns`].
    pub fn value(&self, i: usize) -> &'a str {
        if i + 1 >= self.table.width {
            return "";
        }
        self.table.cell(self.index, i + 1)
    }

    pub fn place(&self) -> Place {
        self.table.places[self.index]
    }

    /// The file it was read from, as an index among the extract's files.
    pub fn file(&self) -> usize {
        self.table.file
    }
}

/// Why an extract cannot be used at all, in words that quote nothing
/// from it.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// A file could not be read whole: `(file, what is wrong)`.
    Damaged(String, String),
    /// The same list in two files.
    ListTwice(List, String, String),
    /// A list every figure needs is missing, empty, or cannot be used.
    Needed(List, String),
    /// Its quarter cannot be told.
    NoQuarter,
    /// Every child has errors.
    NoChild,
    /// More than the allowed share of children left out: `(left out, of)`.
    TooManyLeftOut(usize, usize, f64),
}

impl Refusal {
    /// The reason in words, e.g. "episodes.csv was cut short".
    pub fn describe(&self) -> String {
        match self {
            Refusal::Damaged(file, why) => format!("{file} {why}"),
            Refusal::ListTwice(list, a, b) => {
                format!("the {} list is given twice, in {a} and {b}", list.name())
            }
            Refusal::Needed(list, why) => format!("its {} list {why}", list.name()),
            Refusal::NoQuarter => "its quarter cannot be told from its folder or file name".into(),
            Refusal::NoChild => "every child in it has errors, so no child is left to count".into(),
            Refusal::TooManyLeftOut(n, of, limit) => format!(
                "{} of its {} {} errors, more than the {} that may be left out for its figures to describe the borough",
                crate::text::count(*n),
                crate::text::count_of(*of, "child", "children"),
                if *n == 1 { "has" } else { "have" },
                share(*limit)
            ),
        }
    }
}

/// A share as people say it: 0.1 → "tenth", else a percentage.
pub fn share(limit: f64) -> String {
    match limit {
        x if (x - 0.1).abs() < 1e-9 => "tenth".into(),
        x if (x - 0.05).abs() < 1e-9 => "twentieth".into(),
        x if (x - 0.25).abs() < 1e-9 => "quarter".into(),
        x => format!("{}%", crate::judge::round_half_away(x * 100.0, 1)),
    }
}

/// Every list's rows, as text.
#[derive(Debug, Default)]
pub struct RawExtract {
    pub files: Vec<ExtractFile>,
    /// The lists that were read and can be used.
    pub tables: BTreeMap<List, Table>,
    /// Lists found but not usable (a column missing or repeated), with why.
    pub unusable: BTreeMap<List, String>,
    pub problems: Vec<Diagnostic>,
    /// Why the extract cannot be used at all, if it cannot.
    pub refusals: Vec<Refusal>,
    /// Whether the extract came as XML (its columns are named differently).
    pub xml: bool,
    /// An XML file that turned out not to be an SSDA903 export at all.
    pub not_an_extract: bool,
}

impl RawExtract {
    pub fn has(&self, list: List) -> bool {
        self.tables.contains_key(&list)
    }

    pub fn table(&self, list: List) -> Option<&Table> {
        self.tables.get(&list)
    }

    pub fn rows(&self, list: List) -> impl Iterator<Item = Row<'_>> {
        self.tables.get(&list).into_iter().flat_map(|t| t.rows())
    }

    /// Rows in every list, for the benchmark's count.
    pub fn row_count(&self) -> usize {
        self.tables.values().map(Table::len).sum()
    }
}

fn facts(path: &Path, name: &str, bytes: &[u8]) -> ExtractFile {
    ExtractFile {
        name: name.to_string(),
        bytes: bytes.len() as u64,
        sha256: Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        lists: Vec::new(),
        encoding: None,
        modified: std::fs::metadata(path).and_then(|m| m.modified()).ok(),
    }
}

fn file_problem(rule: &'static str, file: &str, message: String) -> Diagnostic {
    Diagnostic::error(rule, message).in_file(file)
}

/// A problem in a file of the list, at a row when `row` is not 0.
fn located(d: Diagnostic, name: &str, row: u32, column: Option<String>) -> Diagnostic {
    let d = d.in_file(name);
    if row == 0 {
        d
    } else {
        d.at_row(row, column)
    }
}

fn located_error(
    rule: &'static str,
    name: &str,
    row: u32,
    column: Option<String>,
    message: String,
) -> Diagnostic {
    located(Diagnostic::error(rule, message), name, row, column)
}

fn located_warning(
    rule: &'static str,
    name: &str,
    row: u32,
    column: Option<String>,
    message: String,
) -> Diagnostic {
    located(Diagnostic::warning(rule, message), name, row, column)
}

/// What reading one file gave.
#[derive(Default)]
struct FileRead {
    file: Option<ExtractFile>,
    /// The list its header row makes it.
    list: Option<List>,
    /// Its rows, when the list can be used.
    table: Option<Table>,
    /// Why the list cannot be used, when it cannot.
    unusable: Option<String>,
    problems: Vec<Diagnostic>,
    /// Why the file cannot be read whole, when it cannot.
    damaged: Option<String>,
}

impl FileRead {
    /// The file cannot be read whole: a problem, and the extract refused.
    fn damaged(&mut self, name: &str, short: &str, message: String) {
        self.problems
            .push(file_problem("ssda903-file", name, message));
        self.damaged = Some(short.to_string());
    }
}

/// Reads the bytes of one file, or says why not.
fn bytes_of(path: &Path, name: &str, into: &mut FileRead) -> Option<Vec<u8>> {
    match read_bounded(path) {
        Ok(b) if b.is_empty() => {
            into.damaged(
                name,
                "is empty",
                "The file is empty (0 bytes): it may not have finished copying, or the export failed. Export the list again from the case-management system.".into(),
            );
            None
        }
        Ok(b) => Some(b),
        Err(d) => {
            let (short, message) = if d.rule == "file-too-large" {
                ("is too large", format!(
                    "The file is larger than {} MB, far more than one council's extract needs: check that it is the right file, and export only the lists the figures use. (Splitting a list into two files does not help: a list given twice is refused.)",
                    MAX_FILE_BYTES / 1024 / 1024
                ))
            } else {
                ("cannot be read", d.message)
            };
            into.damaged(name, short, message);
            None
        }
    }
}

/// Reads CSV files, each a list recognised by its columns, in parallel.
pub fn read_csv_files(files: &[(PathBuf, String)]) -> RawExtract {
    let reads: Vec<FileRead> = files
        .par_iter()
        .enumerate()
        .map(|(index, (path, name))| read_csv(path, name, index))
        .collect();
    let mut raw = RawExtract::default();
    let mut first_of: BTreeMap<List, String> = BTreeMap::new();
    for (read, (_, name)) in reads.into_iter().zip(files) {
        raw.problems.extend(read.problems);
        if let Some(why) = read.damaged {
            raw.refusals.push(Refusal::Damaged(name.clone(), why));
        }
        if let Some(list) = read.list {
            if let Some(first) = first_of.get(&list) {
                raw.problems.push(file_problem(
                    "ssda903-list-twice",
                    name,
                    format!(
                        "This file holds the {} list, which {first} holds already. An extract is used whole or not at all, so it was refused: keep one file per list in the extract's folder (a list split in two must be exported again as one file).",
                        list.name()
                    ),
                ));
                raw.refusals
                    .push(Refusal::ListTwice(list, first.clone(), name.clone()));
            } else {
                first_of.insert(list, name.clone());
                match (read.table, read.unusable) {
                    (Some(table), _) => {
                        raw.tables.insert(list, table);
                    }
                    (None, Some(why)) => {
                        raw.unusable.insert(list, format!("{why} ({name})"));
                    }
                    (None, None) => {}
                }
            }
        }
        raw.files.extend(read.file);
    }
    raw
}

/// The separator of a CSV's first line: a comma, or else a semicolon or a
/// tab when the line holds one of those and no comma.
fn separator(first_line: &str) -> u8 {
    if first_line.contains(',') {
        b','
    } else if first_line.contains(';') {
        b';'
    } else if first_line.contains('\t') {
        b'\t'
    } else {
        b','
    }
}

fn read_csv(path: &Path, name: &str, index: usize) -> FileRead {
    let mut read = FileRead::default();
    let Some(bytes) = bytes_of(path, name, &mut read) else {
        return read;
    };
    let mut file = facts(path, name, &bytes);
    let decoded = match decode_csv(bytes) {
        Ok(d) => d,
        Err(e) => {
            let message = match e {
                crate::encoding::DecodeError::Binary => "The file is not a CSV list: it holds binary data (perhaps a workbook or a zip named .csv, or text in UTF-16 without its byte-order mark). Export the list from the case-management system as CSV.".to_string(),
                _ => format!("The file {}, so it cannot be read whole. Export the list again as CSV in UTF-8.", e.describe()),
            };
            read.damaged(name, &e.describe(), message);
            read.file = Some(file);
            return read;
        }
    };
    file.encoding = decoded.encoding;
    note_encoding(&decoded, name, &mut read);
    csv_list(&decoded.text, name, index, &mut read);
    file.lists
        .extend(read.list.filter(|_| read.table.is_some()).map(List::name));
    read.file = Some(file);
    read
}

fn note_encoding(decoded: &Decoded, name: &str, read: &mut FileRead) {
    if decoded.guessed {
        read.problems.push(located_warning("ssda903-encoding", name, 0, None, "The file is not in UTF-8, so it was read as Windows-1252 (what Excel on Windows writes as \"CSV\"). If any letter in it looks wrong, export it again as \"CSV UTF-8\".".into(),
        ));
    }
}

/// Reads a CSV's text as a list: which list its header row makes it and
/// its rows, into `read`, with the reason when it is no usable list.
fn csv_list(text: &str, name: &str, index: usize, read: &mut FileRead) {
    let Some(first_line) = text.lines().find(|l| !l.trim().is_empty()) else {
        read.damaged(
            name,
            "is empty",
            "The file holds no rows at all, only blank lines. Export the list again from the case-management system.".into(),
        );
        return;
    };
    let sep = separator(first_line);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .delimiter(sep)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_uppercase()).collect(),
        Err(_) => {
            read.damaged(
                name,
                "is damaged",
                "The file's first row cannot be read as CSV. Export the list again as CSV.".into(),
            );
            return;
        }
    };
    let Some(list) = list_of(&header, name, read) else {
        return;
    };
    read.list = Some(list);
    if sep != b',' {
        read.problems.push(located_warning("ssda903-separator", name, 1, None, format!(
                "The file's columns are separated by {} rather than commas; it was read that way. An export as comma-separated CSV avoids any doubt.",
                if sep == b';' { "semicolons" } else { "tabs" }
            ),
        ));
    }
    let Some(positions) = positions(list, &header, name, read) else {
        return;
    };
    let Some(table) = csv_rows(&mut reader, list, &positions, name, index, text, read) else {
        return;
    };
    if table.is_empty() {
        read.unusable = Some("holds only its header row".into());
        read.problems.push(located_error("ssda903-list-empty", name, 1, None, format!(
                "The {} list holds only its header row, no rows, so the figures that need it come from the services' returns. If the case-management system has records for it, export the list again.",
                list.name()
            ),
        ));
        return;
    }
    read.table = Some(table);
}

/// Which list a header row makes the file, or why it is none. A file
/// whose first row holds values is a list exported without its header
/// row: which list cannot be told, so the extract cannot be read whole.
fn list_of(header: &[String], name: &str, read: &mut FileRead) -> Option<List> {
    if let Some(list) = recognise(header) {
        return Some(list);
    }
    let known: Vec<&str> = header
        .iter()
        .filter(|h| KNOWN_COLUMNS.contains(&h.as_str()))
        .map(String::as_str)
        .collect();
    let looks_like_values = known.is_empty()
        && header
            .iter()
            .any(|h| h.chars().any(|c| c.is_ascii_digit() || c == '/'));
    if looks_like_values {
        read.problems.push(located_error("ssda903-no-header-row", name, 1, None, "The file's first row holds values, not column names: it seems to have been exported without its header row (or to be the second half of a list split in two), so which list it is cannot be told. An extract is used whole or not at all, so it was refused: export the list again, whole, with its header row (CHILD, DOB, …).".into(),
        ));
        read.damaged = Some("has no header row".into());
        return None;
    }
    let message = if known.is_empty() {
        format!(
            "The file's {} columns are not those of any list the figures use (header, episodes, reviews, oc2, oc3, placed_for_adoption), so it was not read. If it is one of them, check its header row.",
            header.len()
        )
    } else {
        format!(
            "The file's columns ({}) are not those of any list the figures use (header, episodes, reviews, oc2, oc3, placed_for_adoption), so it was not read. If it is one of them, check its header row.",
            known.join(", ")
        )
    };
    read.problems.push(located_warning(
        "ssda903-list-unknown",
        name,
        1,
        None,
        message,
    ));
    None
}

/// Where each column the list needs is in the header row; the list is
/// unusable when one is missing or named twice.
fn positions(list: List, header: &[String], name: &str, read: &mut FileRead) -> Option<Vec<usize>> {
    let wanted = list.columns();
    let twice = header
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.is_empty() && header[..*i].contains(h))
        .map(|(_, h)| h.as_str())
        .find(|h| KNOWN_COLUMNS.contains(h));
    if let Some(column) = twice {
        read.problems.push(located_error("ssda903-column-twice", name, 1, Some(column.to_string()), format!(
                "The header row names the column {column} twice, so which one holds the values cannot be told and the {} list was not used. Remove or rename one of them and export the list again.",
                list.name()
            ),
        ));
        read.unusable = Some(format!("names the column {column} twice"));
        return None;
    }
    let found: Vec<Option<usize>> = wanted
        .iter()
        .map(|c| header.iter().position(|h| h == c))
        .collect();
    let missing: Vec<&str> = wanted
        .iter()
        .zip(&found)
        .filter(|(_, p)| p.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        read.problems.push(located_error("ssda903-column-missing", name, 1, Some(missing.join(", ")), format!(
                "This file looks like the {} list but has no {} column, so it was not used and the figures that need it come from the services' returns. The list needs the columns {}; export it again with them.",
                list.name(),
                missing.join(" or "),
                wanted.join(", ")
            ),
        ));
        read.unusable = Some(format!("has no {} column", missing.join(" or ")));
        return None;
    }
    Some(found.into_iter().flatten().collect())
}

/// Lines in a text, for sizing its table.
fn memchr_count(text: &str) -> usize {
    text.as_bytes().iter().filter(|b| **b == b'\n').count()
}

/// The rows of a CSV list, numbered as the file numbers them (the header
/// is line 1); blank rows are passed over. A row without every column the
/// list uses makes the file damaged; so does a last row with fewer values
/// than the header row when the file does not end its line: it was cut
/// short. `None` when the file cannot be used.
fn csv_rows(
    reader: &mut csv::Reader<&[u8]>,
    list: List,
    positions: &[usize],
    name: &str,
    index: usize,
    text: &str,
    read: &mut FileRead,
) -> Option<Table> {
    let mut table = Table::new(list, index);
    // Every row holds about as many of the list's values as the file's
    // lines hold of theirs: a share of the text, by the columns used.
    let rows = memchr_count(text);
    let share = positions.len() as f64 / reader.headers().map_or(1, |h| h.len()).max(1) as f64;
    table.reserve(rows, (text.len() as f64 * share) as usize);
    let mut record = csv::StringRecord::new();
    let columns = reader.headers().map_or(0, |h| h.len());
    let needed = positions.iter().copied().max().unwrap_or(0) + 1;
    let mut lines = crate::lines::Lines::new(text);
    // The last row read: its line and how many values it held.
    let mut last: Option<(u64, usize)> = None;
    let mut short: Option<(u64, usize)> = None;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.iter().all(|v| v.trim().is_empty()) {
                    continue;
                }
                let line = lines.of(record.position().map_or(0, |p| p.byte()));
                last = Some((line, record.len()));
                if record.len() < needed {
                    short = short.or(Some((line, record.len())));
                    continue;
                }
                table.push(
                    Place {
                        line: line as u32,
                        ..Place::default()
                    },
                    positions.iter().map(|p| record.get(*p).unwrap_or("")),
                );
            }
            Err(e) => {
                let line = lines.of(e.position().map_or(0, |p| p.byte()));
                read.damaged(name, "is damaged", format!(
                    "Row {line} cannot be read as CSV, so the file cannot be read whole and the extract was refused. Export the list again."
                ));
                return None;
            }
        }
    }
    let ends_its_line = text.ends_with('\n') || text.ends_with('\r');
    if let Some((line, values)) = last.filter(|(_, n)| !ends_its_line && *n < columns) {
        read.damaged(name, "was cut short", format!(
            "The file ends part-way through row {line} ({values} of its {columns} columns): it was cut short, perhaps while it was copied. An extract is used whole or not at all, so it was refused; copy or export the list again."
        ));
        return None;
    }
    if let Some((line, values)) = short {
        read.damaged(name, "is damaged", format!(
            "Row {line} has {values} value(s) but the {} list needs {needed} columns: the file is damaged, so the extract was refused. Export the list again.",
            list.name()
        ));
        return None;
    }
    Some(table)
}

/// What one CHILD element of the XML held.
#[derive(Default)]
struct XmlChild {
    id: String,
    dob: String,
    in_touch: Option<String>,
    activ: Option<String>,
    accom: Option<String>,
    reviews: Vec<String>,
    oc2: Option<(String, String)>,
    placed: Vec<String>,
    episodes: Vec<[String; 6]>,
}

/// Reads one XML file in the Department's `EXPSSDA903` layout.
pub fn read_xml_file(path: &Path, name: &str) -> RawExtract {
    let mut raw = RawExtract {
        xml: true,
        ..RawExtract::default()
    };
    let mut read = FileRead::default();
    let Some(bytes) = bytes_of(path, name, &mut read) else {
        raw.problems = read.problems;
        raw.refusals
            .extend(read.damaged.map(|d| Refusal::Damaged(name.to_string(), d)));
        return raw;
    };
    let mut file = facts(path, name, &bytes);
    match decode_xml(bytes) {
        Ok(decoded) => {
            file.encoding = decoded.encoding;
            if let Err(p) = read_xml(&decoded.text, name, &mut raw) {
                raw.problems.push(p.problem);
                if let Some(short) = p.short {
                    raw.refusals.push(Refusal::Damaged(name.to_string(), short));
                } else {
                    raw.not_an_extract = true;
                }
            }
        }
        Err(e) => {
            raw.problems.push(file_problem(
                "ssda903-file",
                name,
                format!(
                    "The file {}, so it cannot be read whole and the extract was refused. Export it again in UTF-8, or with an XML declaration naming its encoding.",
                    e.describe()
                ),
            ));
            raw.refusals
                .push(Refusal::Damaged(name.to_string(), e.describe()));
        }
    }
    file.lists = raw.tables.keys().map(|l| l.name()).collect();
    raw.files.push(file);
    raw
}

fn is_unsafe(text: &str) -> bool {
    let upper = |w: &[u8], pat: &[u8]| w.iter().zip(pat).all(|(a, b)| a.to_ascii_uppercase() == *b);
    text.as_bytes()
        .windows(9)
        .any(|w| upper(w, b"<!DOCTYPE") || upper(&w[..8], b"<!ENTITY"))
}

/// Where the XML reader is: the open elements, the text of the current one,
/// and the child and group being filled.
#[derive(Default)]
struct XmlState {
    path: Vec<String>,
    text: String,
    child: Option<XmlChild>,
    episode: Option<[String; 6]>,
    review: Option<String>,
    placed: Option<String>,
    oc2: Option<(String, String)>,
    /// CHILD elements seen, to locate problems without naming the child.
    ordinal: u32,
}

/// Why the XML stopped being read: a problem, and the refusal's words when
/// it was an extract (`None`: not an SSDA903 export at all).
struct XmlStop {
    problem: Diagnostic,
    short: Option<String>,
}

impl XmlState {
    /// An element opens. Refuses what no SSDA903 export holds.
    fn start(&mut self, tag: String) -> Result<(), (String, Option<&'static str>)> {
        if self.path.len() >= MAX_XML_DEPTH {
            return Err((format!("The XML nests elements more than {MAX_XML_DEPTH} deep, which an SSDA903 export never does, so it cannot be read whole and the extract was refused."), Some("nests its elements too deeply")));
        }
        if self.path.is_empty() && tag != "EXPSSDA903" {
            return Err((
                "The XML's outer element is not <EXPSSDA903>, so it is not an SSDA903 export. Export the extract again in the Department's XML layout.".to_string(),
                None,
            ));
        }
        match tag.as_str() {
            "CHILD" if self.path.len() == 1 => {
                self.ordinal += 1;
                self.child = Some(XmlChild::default());
            }
            "EPISODE" => self.episode = Some(Default::default()),
            "AREVIEW" => self.review = Some(String::new()),
            "AD_PLACED" => self.placed = Some(String::new()),
            "OC2" => self.oc2 = Some(Default::default()),
            _ => {}
        }
        self.text.clear();
        self.path.push(tag);
        Ok(())
    }

    /// An entity or character reference inside text.
    fn reference(&mut self, r: &quick_xml::events::BytesRef) {
        match r.xml10_content().as_ref() {
            "amp" => self.text.push('&'),
            "lt" => self.text.push('<'),
            "gt" => self.text.push('>'),
            "quot" => self.text.push('"'),
            "apos" => self.text.push('\''),
            _ => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    self.text.push(c)
                }
            }
        }
    }

    /// An element closes: its value goes where it belongs, and a finished
    /// CHILD becomes rows of each list.
    fn end(&mut self, tables: &mut BTreeMap<List, Table>) {
        let Some(tag) = self.path.pop() else { return };
        let value = std::mem::take(&mut self.text);
        if self.child.is_none() {
            return;
        }
        self.value(&tag, value.trim().to_string());
        if tag == "CHILD" && self.path.len() == 1 {
            if let Some(done) = self.child.take() {
                emit_child(done, self.ordinal, tables);
            }
        }
    }

    fn value(&mut self, tag: &str, value: String) {
        let Some(c) = self.child.as_mut() else { return };
        if let Some(ep) = self.episode.as_mut() {
            let slot = ["DECOM", "RNE", "LS", "PL", "DEC", "REC"]
                .iter()
                .position(|t| *t == tag)
                .or((tag == "PLACE").then_some(3));
            match slot {
                Some(i) => ep[i] = value,
                None if tag == "EPISODE" => c.episodes.extend(self.episode.take()),
                None => {}
            }
        } else if let Some(o) = self.oc2.as_mut() {
            match tag {
                "HEALTH_CHECK" => o.0 = value,
                "TEETH_CHECK" => o.1 = value,
                "OC2" => c.oc2 = self.oc2.take(),
                _ => {}
            }
        } else if let Some(r) = self.review.as_mut() {
            match tag {
                "REVIEW" => *r = value,
                "AREVIEW" => c.reviews.extend(self.review.take()),
                _ => {}
            }
        } else if let Some(p) = self.placed.as_mut() {
            match tag {
                "DATE_PLACED" => *p = value,
                "AD_PLACED" => c.placed.extend(self.placed.take()),
                _ => {}
            }
        } else {
            match tag {
                "CHILDID" => c.id = value,
                "DOB" => c.dob = value,
                "IN_TOUCH" => c.in_touch = Some(value),
                "ACTIV" => c.activ = Some(value),
                "ACCOM" => c.accom = Some(value),
                _ => {}
            }
        }
    }
}

/// An XML file that is no SSDA903 export: a problem, and no refusal.
fn not_903(name: &str, message: &str) -> Box<XmlStop> {
    Box::new(XmlStop {
        problem: file_problem("ssda903-file", name, message.into()),
        short: None,
    })
}

/// The line a byte offset of `text` is on, counting from 1.
fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

/// Reads the XML's children into rows. Anything that stops the reading
/// before the end means the extract cannot be used: no rows are kept.
fn read_xml(text: &str, name: &str, raw: &mut RawExtract) -> Result<(), Box<XmlStop>> {
    let refuse = |message: String, short: &str| {
        Box::new(XmlStop {
            problem: file_problem("ssda903-file", name, message),
            short: Some(short.to_string()),
        })
    };
    if is_unsafe(text) {
        return Err(refuse("The file holds an XML document type declaration (<!DOCTYPE or <!ENTITY), which an SSDA903 export never has and which can be used to attack the computer reading it, so the extract was refused. Export it again from the case-management system.".into(), "holds a document type declaration"));
    }
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut state = XmlState::default();
    let mut seen_root = false;
    let mut tables: BTreeMap<List, Table> =
        List::ALL.iter().map(|l| (*l, Table::new(*l, 0))).collect();
    loop {
        let position = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(_) if !seen_root => {
                return Err(not_903(name, "The file cannot be read as XML, so it is not an SSDA903 export. Export the extract again in the Department's XML layout."))
            }
            Err(quick_xml::Error::Syntax(_)) if reader.buffer_position() as usize >= text.len() => {
                // The reader ran off the end inside a tag, a comment or a
                // declaration: a file cut short.
                let line = line_at(text, text.len());
                return Err(refuse(format!(
                    "The XML ends at line {line} part-way through an element: the file was cut short, perhaps while it was copied. An extract is used whole or not at all, so it was refused; copy or export it again."
                ), "was cut short"));
            }
            Err(_) => {
                let line = line_at(text, position);
                return Err(refuse(format!(
                    "The XML is damaged at line {line}: it cannot be read whole, so the extract was refused. Export it again."
                ), "is damaged"));
            }
        };
        match event {
            Event::Start(e) => {
                seen_root = true;
                if let Err((message, short)) = state.start(e.local_name().as_ref().to_uppercase()) {
                    return Err(Box::new(XmlStop {
                        problem: file_problem("ssda903-file", name, message),
                        short: short.map(String::from),
                    }));
                }
            }
            Event::Empty(e) if !seen_root => {
                seen_root = true;
                if !e.local_name().as_ref().eq_ignore_ascii_case("EXPSSDA903") {
                    return Err(not_903(name, "The XML's outer element is not <EXPSSDA903>, so it is not an SSDA903 export. Export the extract again in the Department's XML layout."));
                }
            }
            Event::Text(t) => state.text.push_str(&t.xml10_content()),
            Event::CData(t) => state.text.push_str(&t.into_inner()),
            Event::GeneralRef(r) => state.reference(&r),
            Event::End(_) => state.end(&mut tables),
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(not_903(
            name,
            "The file holds no XML elements, so it is not an SSDA903 export.",
        ));
    }
    if let Some(open) = state.path.last() {
        let line = line_at(text, text.len());
        return Err(refuse(format!(
            "The XML ends at line {line} before its <{open}> element is closed: the file was cut short, perhaps while it was copied. An extract is used whole or not at all, so it was refused; copy or export it again."
        ), "was cut short"));
    }
    for (list, table) in tables {
        if table.is_empty() {
            raw.unusable
                .insert(list, format!("has no {} in the XML", xml_items(list)));
        } else {
            raw.tables.insert(list, table);
        }
    }
    Ok(())
}

/// What the XML calls a list's rows, for saying one has none.
fn xml_items(list: List) -> &'static str {
    match list {
        List::Header => "CHILD elements",
        List::Episodes => "EPISODE elements",
        List::Reviews => "AREVIEW elements",
        List::Oc2 => "OC2 elements",
        List::Oc3 => "care leaver (ACTIV, ACCOM) values",
        List::PlacedForAdoption => "AD_PLACED elements",
    }
}

fn emit_child(c: XmlChild, ordinal: u32, tables: &mut BTreeMap<List, Table>) {
    let at = |item: u32| Place {
        line: 0,
        child: ordinal,
        item,
    };
    let mut push = |list: List, place: Place, values: &[&str]| {
        if let Some(t) = tables.get_mut(&list) {
            t.push(
                place,
                std::iter::once(c.id.as_str()).chain(values.iter().copied()),
            );
        }
    };
    push(List::Header, at(0), &[&c.dob]);
    for (i, e) in c.episodes.iter().enumerate() {
        let values: Vec<&str> = e.iter().map(String::as_str).collect();
        push(List::Episodes, at(i as u32 + 1), &values);
    }
    for (i, r) in c.reviews.iter().enumerate() {
        push(List::Reviews, at(i as u32 + 1), &[r]);
    }
    if let Some((h, t)) = &c.oc2 {
        push(List::Oc2, at(1), &[h, t]);
    }
    let leaver = [&c.in_touch, &c.activ, &c.accom]
        .iter()
        .any(|v| v.as_deref().is_some_and(|s| !s.is_empty()));
    if leaver {
        let activ = c.activ.clone().unwrap_or_default();
        let accom = c.accom.clone().unwrap_or_default();
        push(List::Oc3, at(0), &[&c.dob, &activ, &accom]);
    }
    for (i, p) in c.placed.iter().enumerate() {
        push(List::PlacedForAdoption, at(i as u32 + 1), &[p]);
    }
}

/// How the XML names a row's element: `CHILD 12, EPISODE 2`.
pub fn xml_element(list: List, place: Place) -> String {
    let item = match list {
        List::Header | List::Oc3 => String::new(),
        List::Episodes => format!(", EPISODE {}", place.item),
        List::Reviews => format!(", AREVIEW {}", place.item),
        List::Oc2 => ", OC2".into(),
        List::PlacedForAdoption => format!(", AD_PLACED {}", place.item),
    };
    format!("CHILD {}{item}", place.child)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(s: &str) -> Vec<String> {
        s.split(',').map(String::from).collect()
    }

    #[test]
    fn lists_are_recognised_by_their_columns() {
        assert_eq!(
            recognise(&cols("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB")),
            Some(List::Header)
        );
        assert_eq!(
            recognise(&cols("CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC")),
            Some(List::Episodes)
        );
        assert_eq!(
            recognise(&cols("CHILD,DOB,REVIEW,REVIEW_CODE")),
            Some(List::Reviews)
        );
        assert_eq!(
            recognise(&cols("CHILD,DOB,SDQ_SCORE,HEALTH_CHECK,TEETH_CHECK")),
            Some(List::Oc2)
        );
        assert_eq!(
            recognise(&cols("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM")),
            Some(List::Oc3)
        );
        assert_eq!(
            recognise(&cols("CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED")),
            Some(List::PlacedForAdoption)
        );
        assert_eq!(recognise(&cols("CHILD,SEX,DOB,DUC")), None);
        assert_eq!(
            recognise(&cols("CHILD,DOB,MISSING,MIS_START,MIS_END")),
            None
        );
        assert_eq!(recognise(&cols("Ref,Numerator")), None);
    }

    fn csv(text: &str) -> FileRead {
        let mut read = FileRead::default();
        csv_list(text, "l.csv", 0, &mut read);
        read
    }

    #[test]
    fn a_table_holds_the_columns_the_list_uses() {
        let read = csv("CHILD,SEX,DOB\nA, 1 ,01/02/2005\n\nB,2,\n");
        let table = read.table.unwrap();
        assert_eq!(read.list, Some(List::Header));
        assert_eq!(table.len(), 2);
        assert_eq!(
            (table.row(0).child(), table.row(0).value(0)),
            ("A", "01/02/2005")
        );
        assert_eq!((table.row(1).child(), table.row(1).value(0)), ("B", ""));
        assert_eq!(table.row(1).place().line, 4);
    }

    #[test]
    fn a_csv_cut_short_or_damaged_is_refused_without_quoting_it() {
        let read = csv("CHILD,SEX,DOB\nCH1,1,01/02/2005\nCH2,1");
        assert!(read.table.is_none());
        assert_eq!(read.damaged.as_deref(), Some("was cut short"));
        // A whole last row without its line break is whole.
        let read = csv("CHILD,SEX,DOB\r\nCH1,1,01/02/2005\r\n\r\nCH2,1,01/02/2005");
        let table = read.table.unwrap();
        assert_eq!(table.row(1).place().line, 4);
        let read = csv("CHILD,DOB,SEX\nCH1,01/02/2005,1\nCH2\nCH3,01/02/2005,1\n");
        assert_eq!(read.damaged.as_deref(), Some("is damaged"));
        for p in &read.problems {
            assert!(!p.message.contains("CH"), "{}", p.message);
        }
    }

    #[test]
    fn a_list_without_its_header_row_is_not_quoted() {
        let read = csv("CH10000,1,24/01/1997,WBRI\n");
        assert!(read.table.is_none());
        assert_eq!(read.damaged.as_deref(), Some("has no header row"));
        let m = &read.problems[0].message;
        assert!(m.contains("without its header row"), "{m}");
        assert!(!m.contains("CH10000") && !m.contains("1997"), "{m}");
    }

    #[test]
    fn semicolons_and_repeated_columns_are_named() {
        let read = csv("CHILD;DOB\nA;01/02/2005\n");
        assert!(read.table.is_some());
        assert!(read.problems[0].message.contains("semicolons"));
        let read = csv("CHILD,DOB,DOB\nA,01/02/2005,01/02/2006\n");
        assert!(read.table.is_none());
        assert_eq!(read.problems[0].rule, "ssda903-column-twice");
        assert_eq!(read.problems[0].column(), Some("DOB"));
        let read = csv("CHILD,DOB\n");
        assert!(read.table.is_none());
        assert_eq!(read.unusable.as_deref(), Some("holds only its header row"));
    }

    #[test]
    fn xml_with_a_doctype_is_refused() {
        let mut raw = RawExtract::default();
        let bomb = "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><EXPSSDA903/>";
        let p = read_xml(bomb, "x.xml", &mut raw).err().unwrap();
        assert!(
            p.problem.message.contains("document type declaration"),
            "{}",
            p.problem.message
        );
    }

    #[test]
    fn xml_children_become_rows_of_each_list() {
        let xml = "<EXPSSDA903><CHILD><HEADER><CHILDID>7</CHILDID><DOB>01/02/2005</DOB><ACTIV>F1</ACTIV><ACCOM>B1</ACCOM>\
            <AREVIEW><REVIEW>03/04/2014</REVIEW></AREVIEW><OC2><HEALTH_CHECK>1</HEALTH_CHECK><TEETH_CHECK>0</TEETH_CHECK></OC2>\
            <AD_PLACED><DATE_PLACED>05/05/2014</DATE_PLACED></AD_PLACED></HEADER>\
            <EPISODE><DECOM>01/01/2014</DECOM><RNE>S</RNE><LS>C2</LS><PL>U1</PL><DEC /><REC>X1</REC></EPISODE></CHILD></EXPSSDA903>";
        let mut raw = RawExtract::default();
        read_xml(xml, "x.xml", &mut raw).ok().unwrap();
        let values = |list: List| {
            let row = raw.rows(list).next().unwrap();
            (0..6).map(|i| row.value(i)).collect::<Vec<_>>().join("|")
        };
        assert_eq!(values(List::Header), "01/02/2005|||||");
        assert_eq!(values(List::Episodes), "01/01/2014|S|C2|U1||X1");
        let episode = raw.rows(List::Episodes).next().unwrap();
        assert_eq!(
            xml_element(List::Episodes, episode.place()),
            "CHILD 1, EPISODE 1"
        );
        assert_eq!(values(List::Reviews), "03/04/2014|||||");
        assert_eq!(values(List::Oc2), "1|0||||");
        assert_eq!(values(List::Oc3), "01/02/2005|F1|B1|||");
        assert_eq!(values(List::PlacedForAdoption), "05/05/2014|||||");
        assert!(raw
            .tables
            .values()
            .flat_map(|t| t.rows())
            .all(|r| r.child() == "7"));
    }

    #[test]
    fn a_cut_short_xml_is_refused_and_keeps_no_rows() {
        let mut raw = RawExtract::default();
        let p = read_xml(
            "<EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID><DOB>01/01/2005</DOB></HEADER></CHILD><CHILD><HEADER>",
            "x.xml",
            &mut raw,
        )
        .err()
        .unwrap();
        assert!(
            p.problem.message.contains("cut short"),
            "{}",
            p.problem.message
        );
        assert_eq!(p.short.as_deref(), Some("was cut short"));
        assert!(raw.tables.is_empty());
    }

    #[test]
    fn damaged_xml_is_a_problem_not_a_panic() {
        let mut raw = RawExtract::default();
        let p = read_xml("<EXPSSDA903><CHILD><HEADER></CHILD>", "x.xml", &mut raw)
            .err()
            .unwrap();
        assert!(
            p.problem.message.contains("damaged"),
            "{}",
            p.problem.message
        );
    }

    #[test]
    fn an_xml_of_another_kind_is_not_an_extract() {
        let mut raw = RawExtract::default();
        let p = read_xml("<Message><Header/></Message>", "x.xml", &mut raw)
            .err()
            .unwrap();
        assert!(p.short.is_none());
    }
}
