//! The checks serde cannot make: rules within a file (a ref listed twice,
//! a target missing) and across files (a theme, service or block that does
//! not exist). Every mistake is named by file and line, and all of them
//! are reported together.

use std::collections::HashSet;
use std::path::Path;

use chrono::NaiveDate;

use super::place::{line_in_toml, line_of};
use super::schema::{parse_iso_date, IndicatorsFile, ServicesFile};
use super::*;
use crate::calendar::BankHolidays;
use crate::judge::Polarity;

/// The template files as parsed, before the checks serde cannot make.
pub(super) struct Files {
    pub(super) organisation: Organisation,
    pub(super) indicators: IndicatorsFile,
    pub(super) services: ServicesFile,
    pub(super) meeting: Meeting,
    pub(super) report: String,
    pub(super) plan: ImprovementPlan,
    pub(super) outline: Outline,
    pub(super) layouts: Layouts,
}

/// Checks the parsed files together and builds the templates; every
/// mistake goes to `errors`.
pub(super) fn check(dir: &Path, files: Files, errors: &mut Vec<TemplateError>) -> Templates {
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
    let file = |name: &str| TemplateFile::read(dir, name);
    check_plan(&file("improvement-plan.toml"), &plan, errors);
    check_outline(&file(OUTLINE_FILE), &outline, &report, errors);
    check_organisation(&file("scorecard.toml"), &organisation, errors);
    let services = check_services(&file("services.toml"), services, errors);
    let themes = indicators.theme.clone();
    let indicators = check_indicators(&file("indicators.toml"), indicators, &services, errors);
    check_charts(&file("scorecard.toml"), &organisation, &indicators, errors);
    check_meeting(&file("meeting.toml"), &meeting, errors);
    Templates {
        dir: dir.to_path_buf(),
        organisation,
        themes,
        indicators,
        services,
        meeting,
        report_source: report,
        plan,
        outline,
        layouts,
        bank_holidays: BankHolidays::default(),
    }
}

/// A template file's path and text, for naming the line of a mistake.
struct TemplateFile {
    path: std::path::PathBuf,
    text: String,
}

impl TemplateFile {
    fn read(dir: &Path, name: &str) -> TemplateFile {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        TemplateFile { path, text }
    }

    /// A mistake at a byte offset of the file (`None`: the whole file).
    fn error_at(&self, offset: Option<usize>, message: String) -> TemplateError {
        TemplateError {
            file: self.path.clone(),
            line: offset.map(|o| line_of(&self.text, o)),
            message,
        }
    }

    /// A mistake at a key (see [`line_in_toml`]).
    fn error_at_key(&self, path: &[&str], value: Option<&str>, message: String) -> TemplateError {
        TemplateError {
            file: self.path.clone(),
            line: line_in_toml(&self.text, path, value),
            message,
        }
    }
}

fn check_organisation(file: &TemplateFile, org: &Organisation, errors: &mut Vec<TemplateError>) {
    if org.child_population == 0 {
        errors.push(file.error_at_key(
            &["child_population"],
            None,
            "child_population must be more than 0: it is the base of every per-10,000 rate".into(),
        ));
    }
    org.returns_due.check(&file.path, &file.text, errors);
    let limit = org.child_records.left_out_limit;
    if !(0.0..=1.0).contains(&limit) {
        errors.push(file.error_at_key(&["child_records", "left_out_limit"], None, format!(
            "child_records.left_out_limit is {limit}; it is a share of an extract's children, from 0 (refuse an extract with any error) to 1 (never refuse one for its errors), e.g. 0.1 for a tenth"
        )));
    }
    if !(2..=12).contains(&org.quarters_shown) {
        errors.push(file.error_at_key(
            &["quarters_shown"],
            None,
            format!(
                "quarters_shown is {}; it must be between 2 and 12",
                org.quarters_shown
            ),
        ));
    }
}

/// Each service named once, with a code of letters and digits used once.
fn check_services(
    file: &TemplateFile,
    services: ServicesFile,
    errors: &mut Vec<TemplateError>,
) -> Vec<Service> {
    let mut seen_names = HashSet::new();
    let mut seen_codes = HashSet::new();
    let mut list = Vec::new();
    for spanned in services.service {
        let at = Some(spanned.span().start);
        let s = spanned.into_inner();
        if !seen_names.insert(s.name.to_lowercase()) {
            errors.push(file.error_at(at, format!("service \"{}\" is listed twice", s.name)));
        }
        if s.code.trim().is_empty() || !s.code.chars().all(|c| c.is_ascii_alphanumeric()) {
            errors.push(file.error_at(
                at,
                format!(
                    "service \"{}\" has code \"{}\"; a code is letters and digits only",
                    s.name, s.code
                ),
            ));
        } else if !seen_codes.insert(s.code.to_lowercase()) {
            errors.push(file.error_at(at, format!("code \"{}\" is used by two services", s.code)));
        }
        list.push(s);
    }
    list
}

/// Each indicator checked on its own and against the themes and
/// services; refs normalised (`ts 3` → `TS3`).
fn check_indicators(
    file: &TemplateFile,
    indicators: IndicatorsFile,
    services: &[Service],
    errors: &mut Vec<TemplateError>,
) -> Vec<Indicator> {
    let theme_ids: HashSet<String> = indicators.theme.iter().map(|t| t.id.clone()).collect();
    let theme_list = indicators_theme_list(&indicators.theme);
    let mut seen_refs = HashSet::new();
    let mut list = Vec::new();
    for spanned in indicators.indicator {
        let at = Some(spanned.span().start);
        let mut ind = spanned.into_inner();
        let normal = normalise_ref(&ind.reference);
        let mut problems = Vec::new();
        if normal.is_empty() || !normal.chars().all(|c| c.is_ascii_alphanumeric()) {
            problems.push(format!(
                "ref \"{}\" must be letters and digits, like TS3",
                ind.reference
            ));
        }
        if !seen_refs.insert(normal.clone()) {
            problems.push(format!("ref {normal} is listed twice"));
        }
        ind.reference = normal;
        if !theme_ids.contains(&ind.theme) {
            problems.push(format!(
                "{} has theme \"{}\", which is not one of the [[theme]] ids ({})",
                ind.reference, ind.theme, theme_list
            ));
        }
        problems.extend(indicator_problems(&ind, services));
        errors.extend(problems.into_iter().map(|m| file.error_at(at, m)));
        list.push(ind);
    }
    list
}

/// What is wrong with one indicator taken on its own.
fn indicator_problems(ind: &Indicator, services: &[Service]) -> Vec<String> {
    let mut problems = Vec::new();
    let r = &ind.reference;
    if ind.polarity != Polarity::None && ind.target.is_none() {
        problems.push(format!(
            "{r} is judged against a target (polarity higher or lower) but has none; give a target, or set polarity = \"none\""
        ));
    }
    if ind
        .statement
        .as_ref()
        .is_some_and(|st| !st.contains("{value}"))
    {
        problems.push(format!(
            "{r}'s statement has no {{value}}; put {{value}} where the figure goes"
        ));
    }
    if ind.tolerance < 0.0 || !ind.tolerance.is_finite() {
        problems.push(format!(
            "{r} has a negative tolerance; the Amber band must be 0 or more"
        ));
    }
    problems.extend(check_source(ind));
    if ind.services.is_empty() {
        problems.push(format!("{r} has no services; list who returns it"));
    }
    for s in &ind.services {
        if !services.iter().any(|known| &known.name == s) {
            problems.push(format!(
                "{r} names service \"{s}\", which is not in services.toml"
            ));
        }
    }
    problems
}

/// Every indicator `charts` names is in the catalogue.
fn check_charts(
    file: &TemplateFile,
    org: &Organisation,
    indicators: &[Indicator],
    errors: &mut Vec<TemplateError>,
) {
    for reference in &org.charts {
        if !indicators
            .iter()
            .any(|i| i.reference == normalise_ref(reference))
        {
            errors.push(file.error_at_key(
                &["charts"],
                None,
                format!("charts names {reference}, which is not an indicator in indicators.toml"),
            ));
        }
    }
}

fn check_meeting(file: &TemplateFile, meeting: &Meeting, errors: &mut Vec<TemplateError>) {
    if NaiveDate::parse_from_str(&meeting.date_of_meeting, "%Y-%m-%d").is_err() {
        errors.push(file.error_at_key(
            &["date_of_meeting"],
            None,
            format!(
                "date_of_meeting is \"{}\"; write it as YYYY-MM-DD, e.g. \"2014-11-25\"",
                meeting.date_of_meeting
            ),
        ));
    }
}

/// Checks that every part of the outline names a block `report.j2` has
/// and something the report can show.
fn check_outline(
    file: &TemplateFile,
    outline: &Outline,
    report: &str,
    errors: &mut Vec<TemplateError>,
) {
    let blocks = names::block_names(report);
    for part in outline.sections.iter().flat_map(|s| &s.parts) {
        for (key, name) in [("passage", &part.passage), ("note", &part.note)] {
            if let Some(name) = name.as_ref().filter(|n| !blocks.contains(n)) {
                errors.push(file.error_at_key(&[], Some(name), format!(
                    "{key} = \"{name}\", but {REPORT_TEMPLATE} has no {{% block {name} %}}: add the block there, or correct the name"
                )));
            }
        }
        if let Some(show) = part
            .show
            .as_ref()
            .filter(|s| !names::EXHIBITS.contains(&s.as_str()))
        {
            errors.push(file.error_at_key(
                &[],
                Some(show),
                format!(
                    "show = \"{show}\" is not something the report can show; use one of {}",
                    names::EXHIBITS.join(", ")
                ),
            ));
        }
    }
}

/// An indicator worked out from children's records must be one its source
/// can give, with the measure its definition makes.
fn check_source(ind: &Indicator) -> Option<String> {
    if ind.source == Source::Returns {
        return None;
    }
    let name = ind.source.name();
    match names::measure_from(ind.source, &ind.reference) {
        None => Some(format!(
            "{} has source = \"{name}\", but that source gives only {}; set source = \"returns\"",
            ind.reference,
            names::computable(ind.source)
                .iter()
                .map(|(r, _)| *r)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Some(m) if m != ind.measure => Some(format!(
            "{} worked out from the {} is a {} measure, but measure is \"{}\"; set measure = \"{}\" or source = \"returns\"",
            ind.reference,
            ind.source.label(),
            m,
            ind.measure,
            m
        )),
        Some(_) => None,
    }
}

fn check_plan(file: &TemplateFile, plan: &ImprovementPlan, errors: &mut Vec<TemplateError>) {
    let i = &plan.inspection;
    for (key, value) in [
        ("inspected_from", &i.inspected_from),
        ("inspected_to", &i.inspected_to),
        ("published", &i.published),
    ] {
        if parse_iso_date(value).is_none() {
            errors.push(file.error_at_key(
                &["inspection", key],
                None,
                format!("{key} is \"{value}\"; write it as YYYY-MM-DD, e.g. \"2012-06-27\""),
            ));
        }
    }
    let mut seen = HashSet::new();
    for r in &plan.recommendations {
        if !seen.insert(r.reference.to_uppercase()) {
            errors.push(file.error_at_key(
                &[],
                Some(&r.reference),
                format!("recommendation {} is listed twice", r.reference),
            ));
        }
    }
    for j in &plan.judgements {
        if !GRADES.contains(&j.grade.as_str()) {
            errors.push(file.error_at_key(
                &[],
                Some(&j.grade),
                format!(
                    "\"{}\" is not a grade; use one of {}",
                    j.grade,
                    GRADES.join(", ")
                ),
            ));
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
