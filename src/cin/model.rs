//! The census as read and as checked: first every element's text with the
//! line it is on ([`Census`]), so a message can say where; then the
//! children whose elements passed the checks, as dates and numbers
//! ([`Checked`]), which is all the figures see.

use chrono::NaiveDate;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
pub use crate::records::figure::ChildId;

/// `ReferralNFA` and `ICPCnotRequired`, in any case (rule 8568).
pub const YES_NO: &[&str] = &["true", "false", "1", "0"];
/// `ReferralSource` (rule 8866; `5D` from 2023-24).
pub const REFERRAL_SOURCES: &[&str] = &[
    "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C",
    "5D", "6", "7", "8", "9", "10",
];
/// `PrimaryNeedCode` (rule 8650).
pub const NEED_CODES: &[&str] = &["N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"];
/// `ReasonForClosure` (rule 8640; `RC9` from 2023-24).
pub const CLOSURE_REASONS: &[&str] = &[
    "RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9",
];
/// `InitialCategoryOfAbuse`, `LatestCategoryOfAbuse` (rules 8905, 8910).
pub const ABUSE_CATEGORIES: &[&str] = &["NEG", "PHY", "SAB", "EMO", "MUL"];

/// An element's value as the file holds it, trimmed, with the line of its
/// element. An empty element and a missing one (`None`) both mean not
/// recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    pub text: Text,
    pub line: u32,
}

/// Longest value kept inline: every date, code and flag, and most ids.
const INLINE: usize = 22;

/// A value's text, kept inline when short, so that a census of thousands
/// of children is read without an allocation for every value.
#[derive(Clone, PartialEq, Eq)]
pub enum Text {
    Inline { len: u8, bytes: [u8; INLINE] },
    Long(Box<str>),
}

impl Text {
    pub fn new(text: &str) -> Text {
        if text.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            Text::Inline {
                len: text.len() as u8,
                bytes,
            }
        } else {
            Text::Long(text.into())
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            // Whole, as copied from a `&str`: always UTF-8.
            Text::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..*len as usize]).unwrap_or("")
            }
            Text::Long(s) => s,
        }
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::new("")
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The text of a field that may be missing: "" when it is.
pub fn text(field: &Option<Field>) -> &str {
    field.as_ref().map_or("", |f| f.text.as_str())
}

/// `Header/CollectionDetails`.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub collection: Option<Field>,
    pub year: Option<Field>,
    pub reference_date: Option<Field>,
}

/// One `Child` element. Ordinals count from 1 in file order: a child is
/// named in messages as `Child 12`, never by its id.
#[derive(Debug, Clone, Default)]
pub struct RawChild {
    pub ordinal: u32,
    pub line: u32,
    /// `ChildIdentifiers/LAchildID`.
    pub id: Option<Field>,
    pub referrals: Vec<RawReferral>,
}

/// One `CINdetails`: a referral and what followed it.
#[derive(Debug, Clone, Default)]
pub struct RawReferral {
    pub ordinal: u32,
    pub line: u32,
    pub referral_date: Option<Field>,
    pub referral_source: Option<Field>,
    pub primary_need: Option<Field>,
    pub closure_date: Option<Field>,
    pub reason_for_closure: Option<Field>,
    /// A conference date recorded on the referral itself (a plan moved in
    /// from elsewhere): read for its date only.
    pub initial_cpc: Option<Field>,
    pub nfa: Option<Field>,
    pub assessments: Vec<RawAssessment>,
    pub section47: Vec<RawSection47>,
    pub plans: Vec<RawPlan>,
}

/// One `Assessments`.
#[derive(Debug, Clone, Default)]
pub struct RawAssessment {
    pub ordinal: u32,
    pub line: u32,
    pub start: Option<Field>,
    pub authorised: Option<Field>,
}

/// One `Section47`.
#[derive(Debug, Clone, Default)]
pub struct RawSection47 {
    pub ordinal: u32,
    pub line: u32,
    pub start: Option<Field>,
    pub initial_cpc: Option<Field>,
    pub not_required: Option<Field>,
}

/// One `ChildProtectionPlans`, with every `CPPreviewDate` inside it.
#[derive(Debug, Clone, Default)]
pub struct RawPlan {
    pub ordinal: u32,
    pub line: u32,
    pub start: Option<Field>,
    pub end: Option<Field>,
    pub initial_category: Option<Field>,
    pub latest_category: Option<Field>,
    pub previous: Option<Field>,
    pub reviews: Vec<Field>,
}

/// A census extract read whole: its header and every `Child`, as text.
#[derive(Debug, Clone, Default)]
pub struct Census {
    /// The file's name as messages give it.
    pub name: String,
    pub header: Header,
    /// The line of `CollectionDetails`, for a problem with the header.
    pub header_line: u32,
    pub children: Vec<RawChild>,
}

/// Why a child was left out, as the report counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// A `LAchildID` blank, or shared with another `Child`.
    Id,
    /// A date that is not a real date, or a referral, start or review date
    /// left blank.
    BadDate,
    /// An end before its start.
    EndsBeforeStart,
    /// A review on or before its plan's start, or after its end.
    ReviewOutsidePlan,
    /// Two child protection plans overlapping.
    Overlap,
    /// A yes/no or a number of previous plans that cannot be read.
    BadValue,
}

impl Reason {
    pub const ALL: [Reason; 6] = [
        Reason::Id,
        Reason::BadDate,
        Reason::EndsBeforeStart,
        Reason::ReviewOutsidePlan,
        Reason::Overlap,
        Reason::BadValue,
    ];

    /// How the report words it.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Id => "a LAchildID that is blank or that another child has too",
            Reason::BadDate => {
                "a date that could not be read, or no referral, start or review date"
            }
            Reason::EndsBeforeStart => "an end before its start",
            Reason::ReviewOutsidePlan => "a plan's review outside the plan",
            Reason::Overlap => "child protection plans that overlap",
            Reason::BadValue => {
                "a ReferralNFA, ICPCnotRequired or NumberOfPreviousCPP that could not be read"
            }
        }
    }
}

/// A child left out of every figure, with its problems.
#[derive(Debug, Clone)]
pub struct LeftOut {
    /// Its `LAchildID` ("" when blank): for the restricted files only.
    pub id: String,
    /// Its place among the `Child` elements.
    pub ordinal: u32,
    pub reasons: Vec<Reason>,
    pub problems: Vec<Diagnostic>,
}

impl LeftOut {
    /// The reason it is counted under: the first in [`Reason::ALL`]
    /// order, so each child is counted once.
    pub fn main_reason(&self) -> Reason {
        self.reasons
            .iter()
            .copied()
            .min()
            .unwrap_or(Reason::BadDate)
    }
}

/// Where an item sits in its child: its `CINdetails` and its own place
/// there, for the restricted workbook (`CINdetails 2, Assessments 1`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    pub referral: u32,
    pub item: u32,
}

/// An assessment that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub place: Place,
    pub start: NaiveDate,
    pub authorised: Option<NaiveDate>,
}

/// A section 47 enquiry that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section47 {
    pub place: Place,
    pub start: NaiveDate,
    pub conference: Option<NaiveDate>,
    pub not_required: bool,
}

impl Section47 {
    /// The day of its initial conference, when it counts as one: a date,
    /// and no `ICPCnotRequired` true.
    pub fn held(&self) -> Option<NaiveDate> {
        self.conference.filter(|_| !self.not_required)
    }
}

/// A child protection plan that passed; reviews in date order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub place: Place,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub previous: u32,
    pub reviews: Vec<NaiveDate>,
}

impl Plan {
    /// Open on `day`: started on or before it, and not ended by it.
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| e > day)
    }
}

/// A referral that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub ordinal: u32,
    pub date: NaiveDate,
    pub closed: Option<NaiveDate>,
    pub nfa: bool,
}

/// A child whose elements passed the checks. Assessments, enquiries and
/// plans are the child's own, in file order, whichever referral held them.
#[derive(Debug, Clone)]
pub struct Child {
    pub id: ChildId,
    pub referrals: Vec<Referral>,
    pub assessments: Vec<Assessment>,
    pub section47: Vec<Section47>,
    pub plans: Vec<Plan>,
}

/// The extract's children, checked.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub children: Vec<Child>,
    pub left_out: Vec<LeftOut>,
    /// Warnings, located; the items they concern are used as `cin.md`
    /// says.
    pub warnings: Vec<Diagnostic>,
    /// `Child` elements in the extract.
    pub children_in_extract: usize,
}

/// Reads a real `yyyy-mm-dd` date, as the schema writes them, and
/// nothing looser.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return None;
    }
    let year: i32 = text[0..4].parse().ok()?;
    if year < 1 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, text[5..7].parse().ok()?, text[8..10].parse().ok()?)
}

/// `true`/`1` or `false`/`0` in any case; blank is false. `None` for
/// anything else.
pub fn parse_yes_no(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" | "" => Some(false),
        _ => None,
    }
}

/// A whole number, 0 or more, written in digits. A number too large to
/// hold is as many plans as can be counted: only whether it is 0 matters.
pub fn parse_count(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_yyyy_mm_dd_and_real() {
        assert_eq!(
            parse_date("2016-02-29"),
            NaiveDate::from_ymd_opt(2016, 2, 29)
        );
        for bad in [
            "2015-02-29",
            "2014-04-31",
            "2014-4-1",
            "01/04/2014",
            "2014-04-01T00:00:00",
            "0000-01-01",
            "２０１４-04-01",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn short_values_are_kept_inline_and_long_ones_whole() {
        for text in [
            "",
            "2014-04-01",
            "ÉÉÉÉÉÉÉÉÉÉÉ",
            "a value longer than twenty-two bytes",
        ] {
            assert_eq!(Text::new(text).as_str(), text);
        }
        assert!(matches!(Text::new("2014-04-01"), Text::Inline { .. }));
    }

    #[test]
    fn yes_no_and_counts() {
        assert_eq!(parse_yes_no("TRUE"), Some(true));
        assert_eq!(parse_yes_no("0"), Some(false));
        assert_eq!(parse_yes_no(""), Some(false));
        assert_eq!(parse_yes_no("Y"), None);
        assert_eq!(parse_count("0"), Some(0));
        assert_eq!(parse_count("12"), Some(12));
        assert_eq!(parse_count("99999999999999999999999"), Some(u32::MAX));
        assert_eq!(parse_count("-1"), None);
        assert_eq!(parse_count("1.0"), None);
        assert_eq!(parse_count(""), None);
    }
}
