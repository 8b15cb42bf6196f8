//! Stage 0: load the editable templates.
//!
//! Everything a performance officer may change without touching code lives
//! in `templates/` as plain TOML: the organisation, the indicator catalogue
//! (targets, tolerances, benchmarks, who returns what), the services, the
//! committee meeting and the report's fixed wording. Each file is read with
//! `deny_unknown_fields`, so a misspelt key is an error rather than a silent
//! default, then checked for what serde cannot express (a theme that does not
//! exist, a duplicate ref). Every error names the file and line.

pub mod deadline;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::calendar::{BankHolidays, BANK_HOLIDAYS_FILE};
use crate::judge::{Measure, Polarity};

/// A mistake in a template file, located by file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "{}, line {}: {}",
                self.file.display(),
                line,
                self.message
            ),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for TemplateError {}

/// All problems found in the templates, reported together so an officer can
/// fix them in one go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateErrors(pub Vec<TemplateError>);

impl fmt::Display for TemplateErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the templates have {} problem(s):", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        write!(f, "Fix these in the files named, then run again.")
    }
}

impl std::error::Error for TemplateErrors {}

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
#[derive(Debug, Clone, Deserialize, Serialize)]
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

impl Organisation {
    /// The rules an extract is read by.
    pub fn extract_rules(&self) -> crate::ssda903::Rules {
        crate::ssda903::Rules {
            left_out_limit: self.child_records.left_out_limit,
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

fn parse_iso_date(text: &str) -> Option<NaiveDate> {
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The services' returns.
    #[default]
    Returns,
    /// The children's records in the SSDA903 extract, when the quarter has
    /// one; the returns otherwise.
    Ssda903,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorsFile {
    theme: Vec<Theme>,
    indicator: Vec<Spanned<Indicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesFile {
    service: Vec<Spanned<Service>>,
}

/// Everything loaded from `templates/`, checked and ready to use.
#[derive(Debug, Clone, Serialize)]
pub struct Templates {
    pub dir: PathBuf,
    pub organisation: Organisation,
    pub themes: Vec<Theme>,
    pub indicators: Vec<Indicator>,
    pub services: Vec<Service>,
    pub meeting: Meeting,
    /// The text of `report.j2`, checked for syntax at load.
    pub report_source: String,
    pub plan: ImprovementPlan,
    pub outline: Outline,
    pub layouts: Layouts,
    /// Bank holidays, for counting working days (`bank-holidays.csv`).
    pub bank_holidays: BankHolidays,
}

impl Templates {
    /// Loads and checks every template file in `dir`.
    pub fn load(dir: &Path) -> Result<Templates, TemplateErrors> {
        let mut errors = Vec::new();
        let organisation: Option<Organisation> = read_toml(dir, "scorecard.toml", &mut errors);
        let indicators: Option<IndicatorsFile> = read_toml(dir, "indicators.toml", &mut errors);
        let services: Option<ServicesFile> = read_toml(dir, "services.toml", &mut errors);
        let meeting: Option<Meeting> = read_toml(dir, "meeting.toml", &mut errors);
        let report = read_report(dir, &mut errors);
        let plan: Option<ImprovementPlan> = read_toml(dir, "improvement-plan.toml", &mut errors);
        let outline: Option<Outline> = read_toml(dir, OUTLINE_FILE, &mut errors);
        let layouts = read_layouts(dir, &mut errors);
        let bank_holidays = read_bank_holidays(dir, &mut errors);
        let (
            Some(organisation),
            Some(indicators),
            Some(services),
            Some(meeting),
            Some(report),
            Some(plan),
            Some(outline),
            Some(layouts),
            Some(bank_holidays),
        ) = (
            organisation,
            indicators,
            services,
            meeting,
            report,
            plan,
            outline,
            layouts,
            bank_holidays,
        )
        else {
            return Err(TemplateErrors(errors));
        };
        let mut templates = check(
            dir,
            Files {
                organisation,
                indicators,
                services,
                meeting,
                report,
                plan,
                outline,
                layouts,
            },
            &mut errors,
        );
        templates.bank_holidays = bank_holidays;
        if errors.is_empty() {
            Ok(templates)
        } else {
            Err(TemplateErrors(errors))
        }
    }

    /// The catalogue entry for a normalised ref.
    pub fn indicator(&self, reference: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.reference == reference)
    }

    /// The service a return names, matched case-insensitively on name or code.
    pub fn service(&self, name: &str) -> Option<&Service> {
        let wanted = name.trim().to_lowercase();
        self.services
            .iter()
            .find(|s| s.name.to_lowercase() == wanted || s.code.to_lowercase() == wanted)
    }

    /// The indicators a service returns, in catalogue order.
    pub fn indicators_for(&self, service: &str) -> Vec<&Indicator> {
        self.indicators
            .iter()
            .filter(|i| i.services.iter().any(|s| s == service))
            .collect()
    }

    pub fn theme_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.themes
            .iter()
            .find(|t| t.id == id)
            .map_or(id, |t| t.title.as_str())
    }

    /// The meeting date, already checked at load.
    pub fn meeting_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.meeting.date_of_meeting, "%Y-%m-%d").ok()
    }
}

/// `ts 3` → `TS3`: refs ignore case and inner spaces.
pub fn normalise_ref(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Reads a template file, recording an error naming it when it cannot be.
fn read_text(dir: &Path, name: &str, errors: &mut Vec<TemplateError>) -> Option<(PathBuf, String)> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some((path, text)),
        Err(e) => {
            errors.push(TemplateError {
                file: path,
                line: None,
                message: format!("cannot be read ({e}); every template file must be present"),
            });
            None
        }
    }
}

fn read_toml<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
    errors: &mut Vec<TemplateError>,
) -> Option<T> {
    let (path, text) = read_text(dir, name, errors)?;
    match toml::from_str::<T>(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(TemplateError {
                file: path,
                line: e.span().map(|s| line_of(&text, s.start)),
                message: e.message().trim().to_string(),
            });
            None
        }
    }
}

/// The template files as parsed, before the checks serde cannot make.
struct Files {
    organisation: Organisation,
    indicators: IndicatorsFile,
    services: ServicesFile,
    meeting: Meeting,
    report: String,
    plan: ImprovementPlan,
    outline: Outline,
    layouts: Layouts,
}

fn check(dir: &Path, files: Files, errors: &mut Vec<TemplateError>) -> Templates {
    let Files {
        organisation,
        indicators,
        services,
        meeting,
        report,
        plan,
        outline,
        layouts,
    } = files;
    check_plan(dir, &plan, errors);
    check_outline(dir, &outline, &report, errors);
    let text_of = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let org_file = dir.join("scorecard.toml");
    if organisation.child_population == 0 {
        errors.push(TemplateError {
            file: org_file.clone(),
            line: None,
            message:
                "child_population must be more than 0: it is the base of every per-10,000 rate"
                    .into(),
        });
    }
    organisation
        .returns_due
        .check(&org_file, &text_of("scorecard.toml"), errors);
    let limit = organisation.child_records.left_out_limit;
    if !(0.0..=1.0).contains(&limit) {
        errors.push(TemplateError {
            file: org_file.clone(),
            line: None,
            message: format!(
                "child_records.left_out_limit is {limit}; it is a share of an extract's children, from 0 (refuse an extract with any error) to 1 (never refuse one for its errors), e.g. 0.1 for a tenth"
            ),
        });
    }
    if !(2..=12).contains(&organisation.quarters_shown) {
        errors.push(TemplateError {
            file: org_file,
            line: None,
            message: format!(
                "quarters_shown is {}; it must be between 2 and 12",
                organisation.quarters_shown
            ),
        });
    }

    let services_path = dir.join("services.toml");
    let services_text = text_of("services.toml");
    let mut seen_names = HashSet::new();
    let mut seen_codes = HashSet::new();
    let mut service_list = Vec::new();
    for spanned in services.service {
        let line = Some(line_of(&services_text, spanned.span().start));
        let s = spanned.into_inner();
        if !seen_names.insert(s.name.to_lowercase()) {
            errors.push(TemplateError {
                file: services_path.clone(),
                line,
                message: format!("service \"{}\" is listed twice", s.name),
            });
        }
        if s.code.trim().is_empty() || !s.code.chars().all(|c| c.is_ascii_alphanumeric()) {
            errors.push(TemplateError {
                file: services_path.clone(),
                line,
                message: format!(
                    "service \"{}\" has code \"{}\"; a code is letters and digits only",
                    s.name, s.code
                ),
            });
        } else if !seen_codes.insert(s.code.to_lowercase()) {
            errors.push(TemplateError {
                file: services_path.clone(),
                line,
                message: format!("code \"{}\" is used by two services", s.code),
            });
        }
        service_list.push(s);
    }

    let ind_path = dir.join("indicators.toml");
    let ind_text = text_of("indicators.toml");
    let theme_ids: HashSet<String> = indicators.theme.iter().map(|t| t.id.clone()).collect();
    let theme_list = indicators_theme_list(&indicators.theme);
    let mut seen_refs = HashSet::new();
    let mut indicator_list = Vec::new();
    for spanned in indicators.indicator {
        let line = Some(line_of(&ind_text, spanned.span().start));
        let mut ind = spanned.into_inner();
        let mut problem = |message: String| {
            errors.push(TemplateError {
                file: ind_path.clone(),
                line,
                message,
            })
        };
        let normal = normalise_ref(&ind.reference);
        if normal.is_empty() || !normal.chars().all(|c| c.is_ascii_alphanumeric()) {
            problem(format!(
                "ref \"{}\" must be letters and digits, like TS3",
                ind.reference
            ));
        }
        if !seen_refs.insert(normal.clone()) {
            problem(format!("ref {normal} is listed twice"));
        }
        ind.reference = normal;
        if !theme_ids.contains(&ind.theme) {
            problem(format!(
                "{} has theme \"{}\", which is not one of the [[theme]] ids ({})",
                ind.reference, ind.theme, theme_list
            ));
        }
        if ind.polarity != Polarity::None && ind.target.is_none() {
            problem(format!(
                "{} is judged against a target (polarity higher or lower) but has none; give a target, or set polarity = \"none\"",
                ind.reference
            ));
        }
        if let Some(st) = &ind.statement {
            if !st.contains("{value}") {
                problem(format!(
                    "{}'s statement has no {{value}}; put {{value}} where the figure goes",
                    ind.reference
                ));
            }
        }
        if ind.tolerance < 0.0 || !ind.tolerance.is_finite() {
            problem(format!(
                "{} has a negative tolerance; the Amber band must be 0 or more",
                ind.reference
            ));
        }
        if let Some(message) = check_source(&ind) {
            problem(message);
        }
        if ind.services.is_empty() {
            problem(format!(
                "{} has no services; list who returns it",
                ind.reference
            ));
        }
        for s in &ind.services {
            if !service_list.iter().any(|known| &known.name == s) {
                problem(format!(
                    "{} names service \"{}\", which is not in services.toml",
                    ind.reference, s
                ));
            }
        }
        indicator_list.push(ind);
    }

    for reference in &organisation.charts {
        if !indicator_list
            .iter()
            .any(|i| i.reference == normalise_ref(reference))
        {
            errors.push(TemplateError {
                file: dir.join("scorecard.toml"),
                line: text_of("scorecard.toml")
                    .lines()
                    .position(|l| l.trim_start().starts_with("charts"))
                    .map(|i| i + 1),
                message: format!(
                    "charts names {reference}, which is not an indicator in indicators.toml"
                ),
            });
        }
    }

    let meeting_path = dir.join("meeting.toml");
    if NaiveDate::parse_from_str(&meeting.date_of_meeting, "%Y-%m-%d").is_err() {
        let meeting_text = text_of("meeting.toml");
        let line = meeting_text
            .lines()
            .position(|l| l.trim_start().starts_with("date_of_meeting"))
            .map(|i| i + 1);
        errors.push(TemplateError {
            file: meeting_path,
            line,
            message: format!(
                "date_of_meeting is \"{}\"; write it as YYYY-MM-DD, e.g. \"2014-11-25\"",
                meeting.date_of_meeting
            ),
        });
    }

    Templates {
        dir: dir.to_path_buf(),
        organisation,
        themes: indicators.theme,
        indicators: indicator_list,
        services: service_list,
        meeting,
        report_source: report,
        plan,
        outline,
        layouts,
        bank_holidays: BankHolidays::default(),
    }
}

/// Reads the layout templates.
fn read_layouts(dir: &Path, errors: &mut Vec<TemplateError>) -> Option<Layouts> {
    let report = read_text(dir, REPORT_LAYOUT, errors);
    let plan = read_text(dir, PLAN_LAYOUT, errors);
    let html = read_text(dir, HTML_LAYOUT, errors);
    let status = read_text(dir, STATUS_LAYOUT, errors);
    let stylesheet = read_text(dir, WEB_STYLESHEET, errors);
    Some(Layouts {
        report: report?.1,
        plan: plan?.1,
        html: html?.1,
        status: status?.1,
        stylesheet: stylesheet?.1,
    })
}

/// Checks that every part of the outline names a block `report.j2` has
/// and something the report can show.
fn check_outline(dir: &Path, outline: &Outline, report: &str, errors: &mut Vec<TemplateError>) {
    let path = dir.join(OUTLINE_FILE);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let line_with = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1);
    let blocks = crate::narrative::block_names(report);
    for part in outline.sections.iter().flat_map(|s| &s.parts) {
        for (key, name) in [("passage", &part.passage), ("note", &part.note)] {
            if let Some(name) = name.as_ref().filter(|n| !blocks.contains(n)) {
                errors.push(TemplateError {
                    file: path.clone(),
                    line: line_with(&format!("\"{name}\"")),
                    message: format!(
                        "{key} = \"{name}\", but {REPORT_TEMPLATE} has no {{% block {name} %}}: add the block there, or correct the name"
                    ),
                });
            }
        }
        if let Some(show) = part
            .show
            .as_ref()
            .filter(|s| !crate::compose::EXHIBITS.contains(&s.as_str()))
        {
            errors.push(TemplateError {
                file: path.clone(),
                line: line_with(&format!("\"{show}\"")),
                message: format!(
                    "show = \"{show}\" is not something the report can show; use one of {}",
                    crate::compose::EXHIBITS.join(", ")
                ),
            });
        }
    }
}

/// Reads `bank-holidays.csv`, naming the line of each mistake.
fn read_bank_holidays(dir: &Path, errors: &mut Vec<TemplateError>) -> Option<BankHolidays> {
    let (path, text) = read_text(dir, BANK_HOLIDAYS_FILE, errors)?;
    BankHolidays::parse(&text)
        .map_err(|e| {
            errors.extend(e.into_iter().map(|(line, message)| TemplateError {
                file: path.clone(),
                line,
                message,
            }))
        })
        .ok()
}

/// An indicator worked out from the SSDA903 must be one the extract can
/// give, with the measure its definition makes.
fn check_source(ind: &Indicator) -> Option<String> {
    if ind.source != Source::Ssda903 {
        return None;
    }
    match crate::ssda903::indicators::measure_of(&ind.reference) {
        None => Some(format!(
            "{} has source = \"ssda903\", but the SSDA903 extract gives only {}; set source = \"returns\"",
            ind.reference,
            crate::ssda903::indicators::REFS.join(", ")
        )),
        Some(m) if m != ind.measure => Some(format!(
            "{} worked out from the SSDA903 is a {} measure, but measure is \"{}\"; set measure = \"{}\" or source = \"returns\"",
            ind.reference,
            m,
            ind.measure,
            m
        )),
        Some(_) => None,
    }
}

/// Reads `report.j2` and checks its syntax (unclosed tags and the like),
/// so a broken template stops the run before anything is written.
fn read_report(dir: &Path, errors: &mut Vec<TemplateError>) -> Option<String> {
    let (path, text) = read_text(dir, REPORT_TEMPLATE, errors)?;
    let mut env = minijinja::Environment::new();
    match env.add_template_owned(REPORT_TEMPLATE, text.clone()) {
        Ok(()) => Some(text),
        Err(e) => {
            errors.push(TemplateError {
                file: path,
                line: e.line(),
                message: format!(
                    "{}{}",
                    e.kind(),
                    e.detail().map(|d| format!(": {d}")).unwrap_or_default()
                ),
            });
            None
        }
    }
}

fn check_plan(dir: &Path, plan: &ImprovementPlan, errors: &mut Vec<TemplateError>) {
    let path = dir.join("improvement-plan.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let line_with = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1);
    let i = &plan.inspection;
    for (key, value) in [
        ("inspected_from", &i.inspected_from),
        ("inspected_to", &i.inspected_to),
        ("published", &i.published),
    ] {
        if parse_iso_date(value).is_none() {
            errors.push(TemplateError {
                file: path.clone(),
                line: line_with(&format!("{key} =")),
                message: format!(
                    "{key} is \"{value}\"; write it as YYYY-MM-DD, e.g. \"2012-06-27\""
                ),
            });
        }
    }
    let mut seen = HashSet::new();
    for r in &plan.recommendations {
        if !seen.insert(r.reference.to_uppercase()) {
            errors.push(TemplateError {
                file: path.clone(),
                line: line_with(&format!("\"{}\"", r.reference)),
                message: format!("recommendation {} is listed twice", r.reference),
            });
        }
    }
    for j in &plan.judgements {
        if !GRADES.contains(&j.grade.as_str()) {
            errors.push(TemplateError {
                file: path.clone(),
                line: line_with(&format!("\"{}\"", j.grade)),
                message: format!(
                    "\"{}\" is not a grade; use one of {}",
                    j.grade,
                    GRADES.join(", ")
                ),
            });
        }
    }
}

fn indicators_theme_list(themes: &[Theme]) -> String {
    themes
        .iter()
        .map(|t| t.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
