//! Reading an extract's lists, as CSV files or as one XML file, into rows
//! of text. Nothing is judged here beyond the file itself: a file that
//! cannot be read, is too large, is not one of the lists or lacks a column
//! the figures need becomes a [`Problem`] on that file, and the rest of the
//! extract is still read. Values are checked in [`super::model`].

use std::path::Path;

use quick_xml::events::Event;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{At, Problem};
use crate::read::{read_bounded, MAX_FILE_BYTES};

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

/// One row of a list: where it is, whose it is, and its values in the
/// order of [`List::columns`] after CHILD.
#[derive(Debug, Clone)]
pub struct Row {
    pub at: At,
    pub child: String,
    pub values: Vec<String>,
}

impl Row {
    pub fn value(&self, i: usize) -> &str {
        self.values.get(i).map_or("", |s| s.as_str())
    }
}

/// A file of the extract, for the run record.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractFile {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
    /// The lists it held.
    pub lists: Vec<List>,
    /// When it was last changed, for telling which of two extracts is newer.
    #[serde(skip)]
    pub modified: Option<std::time::SystemTime>,
}

/// Every list's rows, as text.
#[derive(Debug, Default)]
pub struct RawExtract {
    pub files: Vec<ExtractFile>,
    pub rows: std::collections::BTreeMap<List, Vec<Row>>,
    pub problems: Vec<Problem>,
    /// Whether the extract came as XML (its columns are named differently).
    pub xml: bool,
}

impl RawExtract {
    pub fn has(&self, list: List) -> bool {
        self.rows.contains_key(&list)
    }

    pub fn rows(&self, list: List) -> &[Row] {
        self.rows.get(&list).map_or(&[], |r| r.as_slice())
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
        modified: std::fs::metadata(path).and_then(|m| m.modified()).ok(),
    }
}

fn file_problem(rule: &'static str, file: &str, message: String) -> Problem {
    Problem::error(rule, At::file(file), None, message)
}

/// Reads the bytes of one file, or says why not.
fn bytes_of(path: &Path, name: &str, into: &mut RawExtract) -> Option<Vec<u8>> {
    match read_bounded(path) {
        Ok(b) if b.is_empty() => {
            into.problems.push(file_problem(
                "ssda903-file",
                name,
                "The file is empty (0 bytes). Export the list again from the case-management system.".into(),
            ));
            None
        }
        Ok(b) => Some(b),
        Err(d) => {
            let message = if d.rule == "file-too-large" {
                format!(
                    "The file is larger than {} MB, far more than an extract needs. Export the list again, or split it by year.",
                    MAX_FILE_BYTES / 1024 / 1024
                )
            } else {
                d.message
            };
            into.problems
                .push(file_problem("ssda903-file", name, message));
            None
        }
    }
}

/// Reads CSV files, each a list recognised by its columns.
pub fn read_csv_files(files: &[(std::path::PathBuf, String)]) -> RawExtract {
    let mut raw = RawExtract::default();
    for (path, name) in files {
        let Some(bytes) = bytes_of(path, name, &mut raw) else {
            continue;
        };
        let mut file = facts(path, name, &bytes);
        if let Some(list) = read_csv(&bytes, name, raw.files.len(), &mut raw) {
            file.lists.push(list);
        }
        raw.files.push(file);
    }
    raw
}

fn read_csv(bytes: &[u8], name: &str, index: usize, raw: &mut RawExtract) -> Option<List> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if text.contains(&0) {
        raw.problems.push(file_problem(
            "ssda903-file",
            name,
            "The file is not a CSV list (it holds binary data: perhaps a workbook or a zip named .csv). Export the list from the case-management system as CSV.".into(),
        ));
        return None;
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text);
    let header: Vec<String> = match reader.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|c| String::from_utf8_lossy(c).trim().to_uppercase())
            .collect(),
        Err(e) => {
            raw.problems.push(file_problem(
                "ssda903-file",
                name,
                format!("The file cannot be read as CSV ({e}). Export the list again as CSV."),
            ));
            return None;
        }
    };
    let (list, positions) = match list_columns(&header, name, raw) {
        Ok(found) => found,
        Err(problem) => {
            raw.problems.push(*problem);
            return None;
        }
    };
    let rows = csv_rows(&mut reader, &positions, name, index, raw);
    raw.rows.insert(list, rows);
    Some(list)
}

/// The list a CSV's header row makes it, and where each column it needs
/// is; a problem when it is no list, lacks a column, or repeats a list
/// another file holds.
fn list_columns(
    header: &[String],
    name: &str,
    raw: &RawExtract,
) -> Result<(List, Vec<Option<usize>>), Box<Problem>> {
    let Some(list) = recognise(header) else {
        return Err(Box::new(Problem::warning(
            "ssda903-list-unknown",
            At::row(name, 1),
            None,
            format!(
                "The columns of this file ({}) are not those of any list the figures use (header, episodes, reviews, oc2, oc3, placed_for_adoption), so it was not read. If it is one of them, check its header row.",
                shorten(&header.join(", "))
            ),
        )));
    };
    let wanted = list.columns();
    let positions: Vec<Option<usize>> = wanted
        .iter()
        .map(|c| header.iter().position(|h| h == c))
        .collect();
    let missing: Vec<&str> = wanted
        .iter()
        .zip(&positions)
        .filter(|(_, p)| p.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        return Err(Box::new(Problem::error(
            "ssda903-column-missing",
            At::row(name, 1),
            Some(missing.join(", ")),
            format!(
                "This file looks like the {} list but has no {} column, so it was not read and the figures that need it come from the services' returns. The list needs the columns {}; export it again with them.",
                list.name(),
                missing.join(" or "),
                wanted.join(", ")
            ),
        )));
    }
    if raw.has(list) {
        let first = raw
            .files
            .iter()
            .find(|f| f.lists.contains(&list))
            .map_or(String::new(), |f| f.name.clone());
        return Err(Box::new(file_problem(
            "ssda903-list-twice",
            name,
            format!(
                "This file holds the {} list, which {first} holds already; only {first} was read. Keep one file per list in the extract's folder.",
                list.name()
            ),
        )));
    }
    Ok((list, positions))
}

/// The rows of a CSV list, numbered as the file numbers them (the header
/// is row 1); blank rows are passed over. A row that cannot be read stops
/// the reading, with a problem, and the rows before it are kept.
fn csv_rows(
    reader: &mut csv::Reader<&[u8]>,
    positions: &[Option<usize>],
    name: &str,
    index: usize,
    raw: &mut RawExtract,
) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut line: u32 = 1;
    loop {
        line += 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.iter().all(|v| v.iter().all(u8::is_ascii_whitespace)) {
                    continue;
                }
                let get = |p: Option<usize>| {
                    p.and_then(|p| record.get(p))
                        .map(|v| String::from_utf8_lossy(v).trim().to_string())
                        .unwrap_or_default()
                };
                rows.push(Row {
                    at: At {
                        file: index,
                        row: line,
                        ..At::default()
                    },
                    child: get(positions[0]),
                    values: positions[1..].iter().map(|p| get(*p)).collect(),
                });
            }
            Err(e) => {
                raw.problems.push(Problem::error(
                    "ssda903-file",
                    At::row(name, line),
                    None,
                    format!("This row cannot be read as CSV ({e}); the rest of the file was not read. Export the list again."),
                ));
                break;
            }
        }
    }
    rows
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text.to_string()
    }
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
    let Some(bytes) = bytes_of(path, name, &mut raw) else {
        return raw;
    };
    let mut file = facts(path, name, &bytes);
    if let Err(p) = read_xml(&bytes, name, &mut raw) {
        raw.problems.push(*p);
    }
    file.lists = raw.rows.keys().copied().collect();
    raw.files.push(file);
    raw
}

fn is_unsafe(bytes: &[u8]) -> bool {
    let upper = |w: &[u8], pat: &[u8]| w.iter().zip(pat).all(|(a, b)| a.to_ascii_uppercase() == *b);
    bytes
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
    ordinal: usize,
}

impl XmlState {
    /// An element opens. Refuses what no SSDA903 export holds.
    fn start(&mut self, tag: String) -> Result<(), String> {
        if self.path.len() >= MAX_XML_DEPTH {
            return Err(format!("The XML nests elements more than {MAX_XML_DEPTH} deep, which an SSDA903 export never does, so it was not read further."));
        }
        if self.path.is_empty() && tag != "EXPSSDA903" {
            return Err(format!("The XML's outer element is <{tag}>, not <EXPSSDA903>, so it is not an SSDA903 export. Export the extract again in the Department's XML layout."));
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
    fn end(&mut self, raw: &mut RawExtract) {
        let Some(tag) = self.path.pop() else { return };
        let value = self.text.trim().to_string();
        self.text.clear();
        if self.child.is_none() {
            return;
        }
        self.value(&tag, value);
        if tag == "CHILD" && self.path.len() == 1 {
            if let Some(done) = self.child.take() {
                emit_child(done, self.ordinal, raw);
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

/// Reads the XML's children into rows; an error that stops the reading is
/// returned, with the rows read before it kept.
fn read_xml(bytes: &[u8], name: &str, raw: &mut RawExtract) -> Result<(), Box<Problem>> {
    let refuse = |message: String| Box::new(file_problem("ssda903-file", name, message));
    if is_unsafe(bytes) {
        return Err(refuse("The file holds an XML document type declaration (<!DOCTYPE or <!ENTITY), which an SSDA903 export never has and which can be used to attack the computer reading it, so it was not read. Export the extract again from the case-management system.".into()));
    }
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut state = XmlState::default();
    let mut seen_root = false;
    for list in List::ALL {
        raw.rows.insert(list, Vec::new());
    }
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            refuse(format!(
                "The XML is damaged at byte {position} ({e}); the children before that point were read. Export the extract again."
            ))
        })?;
        match event {
            Event::Start(e) => {
                seen_root = true;
                state
                    .start(e.local_name().as_ref().to_uppercase())
                    .map_err(refuse)?;
            }
            Event::Text(t) => state.text.push_str(&t.xml10_content()),
            Event::CData(t) => state.text.push_str(&t.into_inner()),
            Event::GeneralRef(r) => state.reference(&r),
            Event::End(_) => state.end(raw),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !seen_root {
        return Err(refuse(
            "The file holds no XML elements, so it is not an SSDA903 export.".into(),
        ));
    }
    if let Some(open) = state.path.last() {
        return Err(refuse(format!(
            "The XML ends before its <{open}> element is closed: the file may have been cut short while it was copied. The children before that point were read; export the extract again."
        )));
    }
    Ok(())
}

fn emit_child(c: XmlChild, ordinal: usize, raw: &mut RawExtract) {
    let at = |what: String| At {
        element: Some(format!("CHILD {ordinal}{what}")),
        ..At::default()
    };
    let mut push = |list: List, at: At, values: Vec<String>| {
        if let Some(rows) = raw.rows.get_mut(&list) {
            rows.push(Row {
                at,
                child: c.id.clone(),
                values,
            });
        }
    };
    push(List::Header, at(String::new()), vec![c.dob.clone()]);
    for (i, e) in c.episodes.iter().enumerate() {
        push(
            List::Episodes,
            at(format!(", EPISODE {}", i + 1)),
            e.to_vec(),
        );
    }
    for (i, r) in c.reviews.iter().enumerate() {
        push(
            List::Reviews,
            at(format!(", AREVIEW {}", i + 1)),
            vec![r.clone()],
        );
    }
    if let Some((h, t)) = &c.oc2 {
        push(List::Oc2, at(", OC2".into()), vec![h.clone(), t.clone()]);
    }
    let leaver = [&c.in_touch, &c.activ, &c.accom]
        .iter()
        .any(|v| v.as_deref().is_some_and(|s| !s.is_empty()));
    if leaver {
        push(
            List::Oc3,
            at(String::new()),
            vec![
                c.dob.clone(),
                c.activ.clone().unwrap_or_default(),
                c.accom.clone().unwrap_or_default(),
            ],
        );
    }
    for (i, p) in c.placed.iter().enumerate() {
        push(
            List::PlacedForAdoption,
            at(format!(", AD_PLACED {}", i + 1)),
            vec![p.clone()],
        );
    }
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

    #[test]
    fn xml_with_a_doctype_is_refused() {
        let mut raw = RawExtract::default();
        let bomb = b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><EXPSSDA903/>";
        let p = read_xml(bomb, "x.xml", &mut raw).unwrap_err();
        assert!(
            p.message.contains("document type declaration"),
            "{}",
            p.message
        );
    }

    #[test]
    fn xml_children_become_rows_of_each_list() {
        let xml = b"<EXPSSDA903><CHILD><HEADER><CHILDID>7</CHILDID><DOB>01/02/2005</DOB><ACTIV>F1</ACTIV><ACCOM>B1</ACCOM>\
            <AREVIEW><REVIEW>03/04/2014</REVIEW></AREVIEW><OC2><HEALTH_CHECK>1</HEALTH_CHECK><TEETH_CHECK>0</TEETH_CHECK></OC2>\
            <AD_PLACED><DATE_PLACED>05/05/2014</DATE_PLACED></AD_PLACED></HEADER>\
            <EPISODE><DECOM>01/01/2014</DECOM><RNE>S</RNE><LS>C2</LS><PL>U1</PL><DEC /><REC>X1</REC></EPISODE></CHILD></EXPSSDA903>";
        let mut raw = RawExtract::default();
        read_xml(xml, "x.xml", &mut raw).unwrap();
        assert_eq!(raw.rows(List::Header)[0].values, ["01/02/2005"]);
        assert_eq!(
            raw.rows(List::Episodes)[0].values,
            ["01/01/2014", "S", "C2", "U1", "", "X1"]
        );
        assert_eq!(
            raw.rows(List::Episodes)[0].at.element.as_deref(),
            Some("CHILD 1, EPISODE 1")
        );
        assert_eq!(raw.rows(List::Reviews)[0].values, ["03/04/2014"]);
        assert_eq!(raw.rows(List::Oc2)[0].values, ["1", "0"]);
        assert_eq!(raw.rows(List::Oc3)[0].values, ["01/02/2005", "F1", "B1"]);
        assert_eq!(raw.rows(List::PlacedForAdoption)[0].values, ["05/05/2014"]);
        assert!(raw.rows.values().flatten().all(|r| r.child == "7"));
    }

    #[test]
    fn a_cut_short_xml_is_a_problem() {
        let mut raw = RawExtract::default();
        let p = read_xml(
            b"<EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID>",
            "x.xml",
            &mut raw,
        )
        .unwrap_err();
        assert!(p.message.contains("cut short"), "{}", p.message);
    }

    #[test]
    fn damaged_xml_is_a_problem_not_a_panic() {
        let mut raw = RawExtract::default();
        let p = read_xml(b"<EXPSSDA903><CHILD><HEADER></CHILD>", "x.xml", &mut raw).unwrap_err();
        assert!(p.message.contains("damaged"), "{}", p.message);
    }
}
