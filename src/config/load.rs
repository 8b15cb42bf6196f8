//! Reading the template files: each one read, parsed and, for `report.j2`,
//! its syntax checked, every failure an error naming the file and line.

use std::path::{Path, PathBuf};

use super::check::{check, Files};
use super::place::line_of;
use super::schema::{IndicatorsFile, ServicesFile};
use super::*;
use crate::calendar::BANK_HOLIDAYS_FILE;

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
}

/// Reads a template file, recording an error naming it when it cannot be.
pub(super) fn read_text(
    dir: &Path,
    name: &str,
    errors: &mut Vec<TemplateError>,
) -> Option<(PathBuf, String)> {
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

pub(super) fn read_toml<T: serde::de::DeserializeOwned>(
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

/// Reads the three layout templates.
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
