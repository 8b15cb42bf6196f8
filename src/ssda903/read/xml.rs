//! Reading an extract as one XML file in the EXPSSDA903 layout, guarded:
//! no document type declaration, a size and depth limit, and a file cut
//! short refused whole.

use super::*;
use crate::xml::{has_doctype, line_at};

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
    let mut file = ExtractFile::of(path, name, &bytes);
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
pub(super) struct XmlStop {
    pub(super) problem: Diagnostic,
    pub(super) short: Option<String>,
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
        crate::xml::push_reference(&mut self.text, r);
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

/// Reads the XML's children into rows. Anything that stops the reading
/// before the end means the extract cannot be used: no rows are kept.
pub(super) fn read_xml(text: &str, name: &str, raw: &mut RawExtract) -> Result<(), Box<XmlStop>> {
    let refuse = |message: String, short: &str| {
        Box::new(XmlStop {
            problem: file_problem("ssda903-file", name, message),
            short: Some(short.to_string()),
        })
    };
    if has_doctype(text) {
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
            Err(e) => {
                let at_end = reader.buffer_position() as usize >= text.len();
                return Err(unreadable(&e, at_end, text, position, &refuse));
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
    keep_tables(tables, raw);
    Ok(())
}

/// Why the reader stopped part-way: a file cut short (the reader ran off
/// the end inside a tag, a comment or a declaration) or damaged.
fn unreadable(
    error: &quick_xml::Error,
    at_end: bool,
    text: &str,
    position: usize,
    refuse: &dyn Fn(String, &str) -> Box<XmlStop>,
) -> Box<XmlStop> {
    if matches!(error, quick_xml::Error::Syntax(_)) && at_end {
        let line = line_at(text, text.len());
        return refuse(format!(
            "The XML ends at line {line} part-way through an element: the file was cut short, perhaps while it was copied. An extract is used whole or not at all, so it was refused; copy or export it again."
        ), "was cut short");
    }
    let line = line_at(text, position);
    refuse(
        format!(
            "The XML is damaged at line {line}: it cannot be read whole, so the extract was refused. Export it again."
        ),
        "is damaged",
    )
}

/// Keeps each list the XML held; a list it held nothing of cannot be used.
fn keep_tables(tables: BTreeMap<List, Table>, raw: &mut RawExtract) {
    for (list, table) in tables {
        if table.is_empty() {
            raw.unusable
                .insert(list, format!("has no {} in the XML", xml_items(list)));
        } else {
            raw.tables.insert(list, table);
        }
    }
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
