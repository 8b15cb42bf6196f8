//! The templates' files as serde reads them. `deny_unknown_fields`
//! everywhere: a misspelt key in a template is an error naming its line,
//! never a silent default.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::judge::{Measure, Polarity};

/// The organisation and run settings (`scorecard.toml`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// "Example Borough Council".
    pub name: String,
    /// The directorate whose services report, e.g. "Children and Families".
    pub directorate: String,
    /// Children aged 0–17, the denominator of every per-10,000 rate.
    pub child_population: u64,
    /// When true, every document says its figures are invented sample data.
    #[serde(default)]
    pub sample_data: bool,
    /// How many quarters the scorecard shows, the reported one included.
    #[serde(default = "default_quarters_shown")]
    pub quarters_shown: usize,
    /// Indicators to chart in the report whatever their rating (Red ones
    /// are always charted).
    #[serde(default)]
    pub charts: Vec<String>,
    /// When a figure is suspicious enough to warn the officer.
    #[serde(default)]
    pub checks: Checks,
    /// When each quarter's returns are due, for the status page.
    #[serde(default)]
    pub returns_due: crate::config::deadline::ReturnsDue,
    /// When an extract of children's records is used, or refused.
    #[serde(default)]
    pub child_records: ChildRecords,
}

/// When an extract of children's records (the SSDA903) is refused.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChildRecords {
    /// The largest share of an extract's children that may be left out
    /// for errors before the whole extract is refused (0.1: a tenth).
    pub left_out_limit: f64,
}

impl Default for ChildRecords {
    fn default() -> ChildRecords {
        ChildRecords {
            left_out_limit: 0.1,
        }
    }
}

fn default_quarters_shown() -> usize {
    5
}

/// Thresholds for the warnings that catch likely typing mistakes by
/// comparing a service's figures with its previous quarter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    /// Warn when a service's percentage moves by more than this many points.
    pub percent_points: f64,
    /// Warn when any other value moves by more than this fraction of the
    /// previous one (0.5 = by more than half).
    pub relative_change: f64,
    /// Warn when a denominator changes by more than this fraction.
    pub denominator_change: f64,
    /// Figures below this are not questioned for relative changes: small
    /// numbers swing by half from one quarter to the next as a matter of course.
    pub small_numbers: f64,
}

impl Default for Checks {
    fn default() -> Checks {
        Checks {
            percent_points: 20.0,
            relative_change: 0.5,
            denominator_change: 0.5,
            small_numbers: 20.0,
        }
    }
}

/// How soon after publication a recommendation is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Timescale {
    Immediately,
    #[serde(rename = "three months")]
    ThreeMonths,
    #[serde(rename = "six months")]
    SixMonths,
}

impl Timescale {
    pub fn label(self) -> &'static str {
        match self {
            Timescale::Immediately => "Immediately",
            Timescale::ThreeMonths => "Three months",
            Timescale::SixMonths => "Six months",
        }
    }

    /// The due date for a recommendation published on `published`.
    pub fn due(self, published: NaiveDate) -> NaiveDate {
        let months = match self {
            Timescale::Immediately => 0,
            Timescale::ThreeMonths => 3,
            Timescale::SixMonths => 6,
        };
        published
            .checked_add_months(chrono::Months::new(months))
            .unwrap_or(published)
    }
}

/// The inspection the improvement plan answers.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    pub body: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub inspected_from: String,
    pub inspected_to: String,
    pub published: String,
}

/// One of the inspection's recommendations.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    #[serde(rename = "ref")]
    pub reference: String,
    pub area: String,
    pub timescale: Timescale,
    pub text: String,
}

/// One line of the inspection's record of main findings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Judgement {
    pub section: String,
    pub judgement: String,
    pub grade: String,
}

/// `improvement-plan.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImprovementPlan {
    pub inspection: Inspection,
    #[serde(rename = "recommendation")]
    pub recommendations: Vec<Recommendation>,
    #[serde(rename = "judgement", default)]
    pub judgements: Vec<Judgement>,
}

/// The grades an inspection judgement may have, best first.
pub const GRADES: [&str; 4] = ["Outstanding", "Good", "Adequate", "Inadequate"];

impl ImprovementPlan {
    /// The publication date, checked at load.
    pub fn published(&self) -> NaiveDate {
        parse_iso_date(&self.inspection.published).unwrap_or(NaiveDate::MIN)
    }

    pub fn recommendation(&self, reference: &str) -> Option<&Recommendation> {
        self.recommendations
            .iter()
            .find(|r| r.reference.eq_ignore_ascii_case(reference.trim()))
    }

    /// When a recommendation is due.
    pub fn due(&self, r: &Recommendation) -> NaiveDate {
        r.timescale.due(self.published())
    }
}

pub(super) fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// A theme groups indicators in the scorecard table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub id: String,
    pub title: String,
}

/// One scorecard indicator as the officer configures it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// `TS3`.
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    /// The id of a `[[theme]]`.
    pub theme: String,
    pub measure: Measure,
    pub polarity: Polarity,
    #[serde(default)]
    pub target: Option<f64>,
    /// Width of the Amber band, in the indicator's own units.
    #[serde(default)]
    pub tolerance: f64,
    #[serde(default)]
    pub statistical_neighbours: Option<f64>,
    #[serde(default)]
    pub england: Option<f64>,
    /// Names of the services that return this indicator.
    pub services: Vec<String>,
    /// How the report states the figure, with `{value}` for it, e.g.
    /// "{value} of initial child protection conferences were held within
    /// 15 working days". Without one the report writes "title: value".
    #[serde(default)]
    pub statement: Option<String>,
    /// What to count as the numerator, for the blank return.
    #[serde(default)]
    pub numerator: Option<String>,
    /// What to count as the denominator, for the blank return.
    #[serde(default)]
    pub denominator: Option<String>,
    /// What to enter as the value (counts), for the blank return.
    #[serde(default)]
    pub value: Option<String>,
    /// Where the borough figure comes from: the services' returns, or the
    /// SSDA903 extract when the quarter has one.
    #[serde(default)]
    pub source: Source,
}

/// Where an indicator's borough figure comes from.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The services' returns.
    #[default]
    Returns,
    /// The children's records in the SSDA903 extract, when the quarter has
    /// one; the returns otherwise.
    Ssda903,
    /// The children's records in the children in need census, when the
    /// quarter has one; the returns otherwise.
    Cin,
}

/// How each source is spelt: in `indicators.toml` and the CSV, in the
/// report and messages, and as where a figure came from.
struct Words {
    name: &'static str,
    label: &'static str,
    contributor: &'static str,
}

impl Source {
    fn words(self) -> Words {
        let (name, label, contributor) = match self {
            Source::Returns => ("returns", "services' returns", "the services' returns"),
            Source::Ssda903 => ("ssda903", "SSDA903", "the SSDA903 extract"),
            Source::Cin => ("cin", "CIN census", "the CIN census extract"),
        };
        Words {
            name,
            label,
            contributor,
        }
    }

    /// As `indicators.toml` spells it: "returns", "ssda903".
    pub fn name(self) -> &'static str {
        self.words().name
    }

    /// As the report and messages say it: "SSDA903".
    pub fn label(self) -> &'static str {
        self.words().label
    }

    /// How the report and the CSV name where a figure came from:
    /// "the SSDA903 extract".
    pub fn contributor(self) -> &'static str {
        self.words().contributor
    }
}

/// A service that sends returns.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: String,
    /// A short code, e.g. `CPR`, used in file names.
    pub code: String,
    /// The post that leads it.
    pub lead: String,
}

/// A person named in the report's clearance or contact sections.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Clearance {
    pub role: String,
    pub name: String,
    pub date: String,
}

/// Who to contact about the report.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub title: String,
    pub telephone: String,
    pub email: String,
}

/// The committee meeting the report goes to (`meeting.toml`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    pub committee: String,
    /// `YYYY-MM-DD`, printed as "25 November 2014".
    pub date_of_meeting: String,
    pub subject: String,
    pub responsible_officer: String,
    pub portfolio_holder: String,
    /// "No", or the exemption paragraph.
    pub exempt: String,
    #[serde(default)]
    pub wards: Option<String>,
    pub clearance: Vec<Clearance>,
    pub contact: Contact,
    pub background_papers: Vec<String>,
}

/// The file holding the report's wording.
pub const REPORT_TEMPLATE: &str = "report.j2";

/// The file giving the report's sections and parts, in order.
pub const OUTLINE_FILE: &str = "report-outline.toml";

/// The layout of the committee report in print (Typst).
pub const REPORT_LAYOUT: &str = "report.typ";

/// The layout of the improvement plan in print (Typst).
pub const PLAN_LAYOUT: &str = "improvement-plan.typ";

/// The layout of the committee report as a web page (Jinja).
pub const HTML_LAYOUT: &str = "report.html.j2";

/// The layout of the status page of a quarter's returns (Jinja).
pub const STATUS_LAYOUT: &str = "returns.html.j2";

/// The stylesheet both web pages include (Jinja).
pub const WEB_STYLESHEET: &str = "web-style.css.j2";

/// `report-outline.toml`: the report's sections in order.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Outline {
    #[serde(rename = "section")]
    pub sections: Vec<OutlineSection>,
}

/// One section: its heading and its parts.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OutlineSection {
    /// May use the report's names, e.g. `{{ inspection.year }}`.
    pub heading: String,
    /// Parts with a heading are numbered 2.1, 2.2, … within the section.
    #[serde(default)]
    pub numbered: bool,
    /// Starts on a new page and is numbered as an appendix.
    #[serde(default)]
    pub appendix: bool,
    #[serde(rename = "part", default)]
    pub parts: Vec<OutlinePart>,
}

/// One part: a heading, a passage of `report.j2`, one of the report's
/// tables, charts or lists, and a note in small print; each may be left out.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OutlinePart {
    #[serde(default)]
    pub heading: Option<String>,
    #[serde(default)]
    pub passage: Option<String>,
    #[serde(default)]
    pub show: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Starts the printed report on a new page, unless it would start one
    /// anyway.
    #[serde(default)]
    pub new_page: bool,
}

/// The layout templates' text, read at load and typeset before anything
/// is written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Layouts {
    pub report: String,
    pub plan: String,
    pub html: String,
    pub status: String,
    pub stylesheet: String,
}

/// `indicators.toml`, each indicator with where it is in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IndicatorsFile {
    pub(super) theme: Vec<Theme>,
    pub(super) indicator: Vec<Spanned<Indicator>>,
}

/// `services.toml`, each service with where it is in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ServicesFile {
    pub(super) service: Vec<Spanned<Service>>,
}
