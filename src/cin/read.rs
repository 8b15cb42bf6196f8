//! Reading one children in need census file into a [`Census`]: every
//! element the figures use, as trimmed text with the line it is on.
//!
//! A census is told by its content, never its name: a root `Message`
//! holding `Children/Child`. Elements are matched by their local names (no
//! namespace) in any order within their parent, and anything else, or
//! stray text between elements, is read past. The file is read through the
//! guards every XML export passes ([`crate::xml`]); one that cannot be read
//! whole is refused ([`Refusal`]), never used in part. Nothing about a child
//! is judged here: that is [`super::check`].

use std::path::Path;

use super::model::{
    Census, Field, Header, RawAssessment, RawChild, RawPlan, RawReferral, RawSection47, Text,
};
use super::Refusal;
use crate::diagnostic::Diagnostic;
use crate::encoding::decode_xml;
use crate::records::ExtractFile;
use crate::xml::{walk, Stop, Visit, MAX_DEPTH};

/// What reading one file gave.
#[derive(Debug, Default)]
pub struct ReadCensus {
    /// The file, for the run record.
    pub file: Option<ExtractFile>,
    /// The census, when it was read whole.
    pub census: Option<Census>,
    /// Problems with the file as a whole.
    pub problems: Vec<Diagnostic>,
    /// Why it cannot be used at all, when it cannot.
    pub refusal: Option<Refusal>,
    /// It turned out to be no census at all (another XML): reported, not
    /// refused.
    pub not_a_census: bool,
}

impl ReadCensus {
    fn refuse(&mut self, name: &str, why: &str, message: String) {
        self.problems
            .push(Diagnostic::error("cin-file", message).in_file(name));
        self.refusal = Some(Refusal::Damaged(name.to_string(), why.to_string()));
    }
}

/// Reads one census file: its bytes once (size-limited), in the encoding
/// it declares, through the XML guards.
pub fn read_file(path: &Path, name: &str) -> ReadCensus {
    let mut read = ReadCensus::default();
    let bytes = match crate::read::read_bounded(path) {
        Ok(b) if b.is_empty() => {
            read.refuse(name, "is empty", "The file is empty (0 bytes): it may not have finished copying, or the export failed. Export the census again from the case-management system.".into());
            return read;
        }
        Ok(b) => b,
        Err(d) if d.rule == "file-too-large" => {
            read.refuse(name, "is too large", format!(
                "The file is larger than {} MB, far more than one council's census needs: check that it is the right file.",
                crate::read::MAX_FILE_BYTES / 1024 / 1024
            ));
            return read;
        }
        Err(d) => {
            read.refuse(name, "cannot be read", d.message);
            return read;
        }
    };
    let mut file = ExtractFile::of(path, name, &bytes);
    file.lists = vec!["census"];
    match decode_xml(bytes) {
        Ok(decoded) => {
            file.encoding = decoded.encoding;
            read_into(&decoded.text, name, &mut read);
        }
        Err(e) => read.refuse(name, &e.describe(), format!(
            "The file {}, so it cannot be read whole and the census was refused. Export it again in UTF-8, or with an XML declaration naming its encoding.",
            e.describe()
        )),
    }
    read.file = Some(file);
    read
}

/// Reads a census from its text, into `read`.
pub fn read_into(text: &str, name: &str, read: &mut ReadCensus) {
    match read_text(text, name) {
        Ok(census) if census.children.is_empty() => read.refuse(name, "holds no Child element", "The census holds no Child element, so there is no child to count and it was refused. Export it again with the children's records.".into()),
        Ok(census) => read.census = Some(census),
        Err(Stop::OtherLayout | Stop::NotXml) => {
            read.not_a_census = true;
            read.problems.push(Diagnostic::error("cin-file", "The file is not a children in need census: its outer element is not <Message> holding <Children> and <Child> elements (or it is not XML at all), so it was not read.").in_file(name));
        }
        Err(stop) => {
            let (why, message) = stopped(&stop);
            read.refuse(name, why, message);
        }
    }
}

/// What a stop means for a census, in words that quote nothing from it.
fn stopped(stop: &Stop) -> (&'static str, String) {
    match stop {
        Stop::Doctype => ("holds a document type declaration", "The file holds an XML document type declaration (<!DOCTYPE or <!ENTITY), which a census export never has and which can be used to attack the computer reading it, so the census was refused. Export it again from the case-management system.".into()),
        Stop::CutShort { line } => ("was cut short", format!(
            "The XML ends at line {line} before its elements are closed: the file was cut short, perhaps while it was copied. A census is used whole or not at all, so it was refused; copy or export it again."
        )),
        Stop::TooDeep { line } => ("nests its elements too deeply", format!(
            "The XML nests elements more than {MAX_DEPTH} deep at line {line}, which a census export never does, so it cannot be read whole and was refused."
        )),
        Stop::Damaged { line } => ("is damaged", format!(
            "The XML is damaged at line {line}: it cannot be read whole, so the census was refused. Export it again."
        )),
        Stop::NotXml | Stop::OtherLayout => ("is not a census", "The file is not a children in need census.".into()),
    }
}

/// Reads a census's text. `Stop::OtherLayout` when it is XML of another
/// kind.
pub fn read_text(text: &str, name: &str) -> Result<Census, Stop> {
    let mut reader = Reader {
        census: Census {
            name: name.to_string(),
            ..Census::default()
        },
        ..Reader::default()
    };
    walk(text, &mut reader)?;
    if !reader.is_census {
        return Err(Stop::OtherLayout);
    }
    Ok(reader.census)
}

/// What an open element is to the census.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Message,
    Header,
    CollectionDetails,
    Children,
    Child,
    Identifiers,
    Referral,
    Assessment,
    Section47,
    Plan,
    /// A value, or anything read past.
    Other,
}

/// Where the walk is: the open elements' roles, and the items being
/// filled.
#[derive(Default)]
struct Reader {
    census: Census,
    /// The roles of the open elements, outermost first, and their lines.
    open: Vec<(Role, u32)>,
    child: Option<RawChild>,
    referral: Option<RawReferral>,
    assessment: Option<RawAssessment>,
    section47: Option<RawSection47>,
    plan: Option<RawPlan>,
    /// A `Children` element, or a header naming the CIN collection.
    is_census: bool,
}

impl Visit for Reader {
    fn open(&mut self, name: &str, depth: usize, line: u32) -> bool {
        if depth == 1 {
            if name != "Message" {
                return false;
            }
            self.open.push((Role::Message, line));
            return true;
        }
        let parent = self.open.last().map_or(Role::Other, |(r, _)| *r);
        let role = match (parent, name) {
            (Role::Message, "Header") => Role::Header,
            (Role::Header, "CollectionDetails") => {
                self.census.header_line = line;
                Role::CollectionDetails
            }
            (Role::Message, "Children") => {
                self.is_census = true;
                Role::Children
            }
            (Role::Children, "Child") => {
                let ordinal = self.census.children.len() as u32 + 1;
                self.child = Some(RawChild {
                    ordinal,
                    line,
                    ..RawChild::default()
                });
                Role::Child
            }
            (Role::Child, "ChildIdentifiers") => Role::Identifiers,
            (Role::Child, "CINdetails") => {
                let ordinal = self.child.as_ref().map_or(0, |c| c.referrals.len()) as u32 + 1;
                self.referral = Some(RawReferral {
                    ordinal,
                    line,
                    ..RawReferral::default()
                });
                Role::Referral
            }
            (Role::Referral, "Assessments" | "Section47" | "ChildProtectionPlans") => {
                self.open_item(name, line)
            }
            _ => Role::Other,
        };
        self.open.push((role, line));
        true
    }

    fn close(&mut self, name: &str, _depth: usize, text: &str) {
        let Some((role, line)) = self.open.pop() else {
            return;
        };
        match role {
            Role::Other => {
                let parent = self.open.last().map_or(Role::Other, |(r, _)| *r);
                self.value(parent, name, text, line);
            }
            Role::Child => self.census.children.extend(self.child.take()),
            Role::Referral => {
                if let (Some(c), Some(r)) = (self.child.as_mut(), self.referral.take()) {
                    c.referrals.push(r);
                }
            }
            Role::Assessment => {
                if let (Some(r), Some(a)) = (self.referral.as_mut(), self.assessment.take()) {
                    r.assessments.push(a);
                }
            }
            Role::Section47 => {
                if let (Some(r), Some(s)) = (self.referral.as_mut(), self.section47.take()) {
                    r.section47.push(s);
                }
            }
            Role::Plan => {
                if let (Some(r), Some(p)) = (self.referral.as_mut(), self.plan.take()) {
                    r.plans.push(p);
                }
            }
            _ => {}
        }
    }
}

/// Keeps the first value of an element given twice: a second is read past.
fn keep(slot: &mut Option<Field>, text: &str, line: u32) {
    if slot.is_none() {
        *slot = Some(Field {
            text: Text::new(text),
            line,
        });
    }
}

impl Reader {
    /// An assessment, enquiry or plan opens inside a referral.
    fn open_item(&mut self, name: &str, line: u32) -> Role {
        let Some(r) = self.referral.as_ref() else {
            return Role::Other;
        };
        match name {
            "Assessments" => {
                let ordinal = r.assessments.len() as u32 + 1;
                self.assessment = Some(RawAssessment {
                    ordinal,
                    line,
                    ..RawAssessment::default()
                });
                Role::Assessment
            }
            "Section47" => {
                let ordinal = r.section47.len() as u32 + 1;
                self.section47 = Some(RawSection47 {
                    ordinal,
                    line,
                    ..RawSection47::default()
                });
                Role::Section47
            }
            _ => {
                let ordinal = r.plans.len() as u32 + 1;
                self.plan = Some(RawPlan {
                    ordinal,
                    line,
                    ..RawPlan::default()
                });
                Role::Plan
            }
        }
    }

    /// A value element closes inside `parent`: it goes where it belongs.
    /// A plan's reviews are every `CPPreviewDate` inside it, however deep.
    fn value(&mut self, parent: Role, name: &str, text: &str, line: u32) {
        if name == "CPPreviewDate" {
            if let Some(p) = self.plan.as_mut() {
                p.reviews.push(Field {
                    text: Text::new(text),
                    line,
                });
            }
            return;
        }
        let slot = match parent {
            Role::CollectionDetails => {
                let h: &mut Header = &mut self.census.header;
                match name {
                    "Collection" => {
                        self.is_census |= text.eq_ignore_ascii_case("CIN");
                        &mut h.collection
                    }
                    "Year" => &mut h.year,
                    "ReferenceDate" => &mut h.reference_date,
                    _ => return,
                }
            }
            Role::Identifiers if name == "LAchildID" => match self.child.as_mut() {
                Some(c) => &mut c.id,
                None => return,
            },
            Role::Referral => match self.referral.as_mut() {
                Some(r) => match referral_slot(r, name) {
                    Some(s) => s,
                    None => return,
                },
                None => return,
            },
            Role::Assessment => match (self.assessment.as_mut(), name) {
                (Some(a), "AssessmentActualStartDate") => &mut a.start,
                (Some(a), "AssessmentAuthorisationDate") => &mut a.authorised,
                _ => return,
            },
            Role::Section47 => match (self.section47.as_mut(), name) {
                (Some(s), "S47ActualStartDate") => &mut s.start,
                (Some(s), "DateOfInitialCPC") => &mut s.initial_cpc,
                (Some(s), "ICPCnotRequired") => &mut s.not_required,
                _ => return,
            },
            Role::Plan => match self.plan.as_mut() {
                Some(p) => match plan_slot(p, name) {
                    Some(s) => s,
                    None => return,
                },
                None => return,
            },
            _ => return,
        };
        keep(slot, text, line);
    }
}

fn referral_slot<'r>(r: &'r mut RawReferral, name: &str) -> Option<&'r mut Option<Field>> {
    Some(match name {
        "CINreferralDate" => &mut r.referral_date,
        "ReferralSource" => &mut r.referral_source,
        "PrimaryNeedCode" => &mut r.primary_need,
        "CINclosureDate" => &mut r.closure_date,
        "ReasonForClosure" => &mut r.reason_for_closure,
        "DateOfInitialCPC" => &mut r.initial_cpc,
        "ReferralNFA" => &mut r.nfa,
        _ => return None,
    })
}

fn plan_slot<'p>(p: &'p mut RawPlan, name: &str) -> Option<&'p mut Option<Field>> {
    Some(match name {
        "CPPstartDate" => &mut p.start,
        "CPPendDate" => &mut p.end,
        "InitialCategoryOfAbuse" => &mut p.initial_category,
        "LatestCategoryOfAbuse" => &mut p.latest_category,
        "NumberOfPreviousCPP" => &mut p.previous,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Message xmlns="http://www.example.org/cin">
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2015</Year>
      <ReferenceDate> 2015-03-31 </ReferenceDate>
    </CollectionDetails>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>A1</LAchildID><UPN>X</UPN></ChildIdentifiers>stray
      <CINdetails>
        <ReferralNFA>false</ReferralNFA>
        <CINreferralDate>2014-05-01</CINreferralDate>
        <ChildProtectionPlans>
          <CPPstartDate>2014-06-01</CPPstartDate>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
          <Reviews><CPPreviewDate>2014-08-01</CPPreviewDate></Reviews>
          <Reviews><CPPreviewDate>2014-12-01</CPPreviewDate></Reviews>
          <CPPendDate/>
        </ChildProtectionPlans>
        <Assessments><AssessmentActualStartDate>2014-05-02</AssessmentActualStartDate></Assessments>
        <Assessments><AssessmentAuthorisationDate>2014-06-02</AssessmentAuthorisationDate></Assessments>
        <Section47><S47ActualStartDate>2014-05-03</S47ActualStartDate><ICPCnotRequired>1</ICPCnotRequired></Section47>
        <CINPlanDates><CINPlanStartDate>2014-05-09</CINPlanStartDate></CINPlanDates>
      </CINdetails>
      <CINdetails><CINreferralDate>2013-01-01</CINreferralDate></CINdetails>
    </Child>
    <Child/>
  </Children>
</Message>
"#;

    #[test]
    fn a_census_is_read_in_any_order_with_lines() {
        let c = read_text(ONE, "cin.xml").unwrap();
        assert_eq!(c.header.reference_date.as_ref().unwrap().text, "2015-03-31");
        assert_eq!(c.header_line, 4);
        assert_eq!(c.children.len(), 2);
        let child = &c.children[0];
        assert_eq!((child.ordinal, child.line), (1, 11));
        assert_eq!(child.id.as_ref().unwrap().text, "A1");
        assert_eq!(child.referrals.len(), 2);
        let r = &child.referrals[0];
        assert_eq!(r.referral_date.as_ref().unwrap().line, 15);
        assert_eq!(r.nfa.as_ref().unwrap().text, "false");
        let p = &r.plans[0];
        assert_eq!(p.reviews.len(), 2);
        assert_eq!(p.reviews[1].line, 20);
        assert_eq!(p.end.as_ref().unwrap().text, "");
        assert_eq!(r.assessments.len(), 2);
        assert!(r.assessments[0].authorised.is_none());
        assert_eq!(r.assessments[1].ordinal, 2);
        assert_eq!(r.section47[0].not_required.as_ref().unwrap().text, "1");
        assert_eq!(child.referrals[1].ordinal, 2);
        assert!(c.children[1].id.is_none());
        assert_eq!(c.children[1].ordinal, 2);
    }

    #[test]
    fn other_xml_is_no_census_and_a_census_without_children_is_refused() {
        assert_eq!(
            read_text("<EXPSSDA903><CHILD/></EXPSSDA903>", "x.xml").err(),
            Some(Stop::OtherLayout)
        );
        assert_eq!(
            read_text("<Message><Header/></Message>", "x.xml").err(),
            Some(Stop::OtherLayout)
        );
        let mut read = ReadCensus::default();
        read_into(
            "<Message><Children></Children></Message>",
            "x.xml",
            &mut read,
        );
        assert_eq!(
            read.refusal,
            Some(Refusal::Damaged(
                "x.xml".into(),
                "holds no Child element".into()
            ))
        );
        let mut read = ReadCensus::default();
        read_into(
            "<Message><Header><CollectionDetails><Collection>CIN</Collection></CollectionDetails></Header></Message>",
            "x.xml",
            &mut read,
        );
        assert!(read.refusal.is_some() && !read.not_a_census);
    }

    #[test]
    fn a_census_cut_short_or_damaged_is_refused_without_quoting_it() {
        let cut = &ONE[..ONE.find("<Child/>").unwrap()];
        let mut read = ReadCensus::default();
        read_into(cut, "cin.xml", &mut read);
        assert_eq!(
            read.refusal,
            Some(Refusal::Damaged("cin.xml".into(), "was cut short".into()))
        );
        assert!(read.census.is_none());
        let damaged = ONE.replace("</LAchildID>", "</LAchild>");
        let mut read = ReadCensus::default();
        read_into(&damaged, "cin.xml", &mut read);
        let message = &read.problems[0].message;
        assert!(message.contains("damaged at line 12"), "{message}");
        assert!(!message.contains("A1"), "{message}");
        let mut read = ReadCensus::default();
        read_into(
            "<!DOCTYPE Message [<!ENTITY a 'x'>]><Message><Children><Child/></Children></Message>",
            "cin.xml",
            &mut read,
        );
        assert!(read.problems[0].message.contains("document type"));
    }

    #[test]
    fn a_file_in_an_encoding_it_does_not_declare_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cin.xml");
        std::fs::write(&path, b"<Message><Children><Child><ChildIdentifiers><LAchildID>Ren\xE9</LAchildID></ChildIdentifiers></Child></Children></Message>").unwrap();
        let read = read_file(&path, "cin.xml");
        assert!(
            matches!(read.refusal, Some(Refusal::Damaged(_, ref why)) if why.contains("UTF-8"))
        );
        let latin = b"<?xml version='1.0' encoding='ISO-8859-1'?><Message><Children><Child><ChildIdentifiers><LAchildID>Ren\xE9</LAchildID></ChildIdentifiers></Child></Children></Message>";
        std::fs::write(&path, latin).unwrap();
        let read = read_file(&path, "cin.xml");
        let census = read.census.unwrap();
        assert_eq!(census.children[0].id.as_ref().unwrap().text, "René");
        assert_eq!(read.file.unwrap().encoding, Some("windows-1252"));
        std::fs::write(&path, b"").unwrap();
        assert!(read_file(&path, "cin.xml").refusal.is_some());
    }
}
