//! Reading an extract's lists, as CSV files or as one XML file, into rows
//! of text. Nothing about a child is judged here, only the files: a file
//! that is damaged, cut short or in an encoding that cannot be read makes
//! the whole extract unusable ([`Refusal`]); a list that lacks a column or
//! repeats one cannot be used, and the figures that need it fall back to
//! the returns. Values are checked in [`super::check`].
//!
//! No message written here quotes the file's contents: a list whose first
//! row is a child's values rather than column names is said to have no
//! header row, not shown.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::encoding::{decode_csv, decode_xml, Decoded};
use crate::read::{read_bounded, MAX_FILE_BYTES};
pub use crate::records::ExtractFile;

mod csv;
mod xml;

pub use csv::read_csv_files;
pub use xml::{read_xml_file, xml_element};

/// Deepest nesting of elements accepted in the XML; the layout needs four.
pub use crate::xml::MAX_DEPTH as MAX_XML_DEPTH;

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
    /// Too few children left to count.
    TooFew(crate::records::TooFew),
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
            Refusal::TooFew(t) => t.describe(),
        }
    }
}

/// A share as people say it: 0.1 → "tenth", else a percentage.
pub use crate::judge::share;

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

#[cfg(test)]
mod tests {
    use super::csv::csv_list;
    use super::xml::read_xml;
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
