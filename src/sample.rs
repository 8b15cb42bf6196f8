//! Sample returns for demonstration and tests.
//!
//! `scorecard sample-returns` writes the returns shipped in `inputs/`: all
//! ten services for the four quarters of 2013-14 and Q1-Q2 of 2014-15, with
//! invented but realistic figures chosen to give a mix of Green, Amber and
//! Red, some indicators improving and some worsening. A few returns carry
//! the mistakes officers really make, so the shipped run shows feedback:
//! the Youth Offending Service's latest return has text in a number cell
//! and a malformed email (rejected); the Virtual School's lists an
//! indicator it does not return (a warning); Leaving Care sent a corrected
//! resubmission (the first is superseded). Output is the same on every run.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{Duration, NaiveDateTime, NaiveTime};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Formula, Workbook};

use crate::config::{Indicator, Service, Templates};
use crate::judge::{self, Measure};
use crate::output::write_atomic;
use crate::period::Period;

/// The quarters the sample covers, oldest first.
pub fn sample_periods() -> Vec<Period> {
    let last = Period::new(2014, 2).expect("a constant, valid period");
    last.trailing(6)
}

/// The planned borough value per quarter (oldest first) and the typical
/// quarterly denominator (or numerator, for rates) of each indicator.
struct Plan {
    reference: &'static str,
    values: [f64; 6],
    size: u32,
    commentary: &'static [(usize, &'static str)],
}

const PLANS: &[Plan] = &[
    Plan { reference: "TS1", values: [26.1, 24.8, 23.5, 22.0, 21.2, 18.9], size: 120, commentary: &[(5, "Eight permanent social workers started in July and August, replacing agency staff.")] },
    Plan { reference: "TS2", values: [78.0, 80.5, 83.1, 86.2, 88.4, 86.7], size: 400, commentary: &[] },
    Plan { reference: "TS3", values: [68.2, 71.5, 77.9, 82.3, 85.9, 79.9], size: 160, commentary: &[(5, "Several conferences were delayed by the availability of police representatives over the summer.")] },
    Plan { reference: "TS4", values: [96.0, 97.1, 98.5, 99.0, 100.0, 100.0], size: 70, commentary: &[] },
    Plan { reference: "TS5", values: [6.9, 6.1, 5.5, 4.8, 5.6, 6.5], size: 46, commentary: &[(5, "Plans for a large sibling group that had lasted over two years ended this quarter; each was reviewed by the Head of Service.")] },
    Plan { reference: "TS6", values: [17.0, 16.2, 15.1, 14.3, 13.8, 12.9], size: 62, commentary: &[] },
    Plan { reference: "TS7", values: [90.1, 92.4, 93.0, 94.2, 95.5, 93.8], size: 130, commentary: &[(5, "Reviews were held late during the long-term absence of an independent reviewing officer; cover is now in place.")] },
    Plan { reference: "TS8", values: [12.4, 11.9, 11.0, 10.6, 10.1, 9.4], size: 250, commentary: &[] },
    Plan { reference: "TS9", values: [64.0, 65.0, 66.1, 66.7, 67.2, 68.3], size: 60, commentary: &[] },
    Plan { reference: "TS10", values: [47.0, 48.3, 50.0, 52.0, 51.2, 48.9], size: 90, commentary: &[(5, "Two apprenticeship schemes ended in August; the service is working with the Virtual School on college places starting in September.")] },
    Plan { reference: "TS11", values: [84.0, 86.5, 88.0, 89.2, 90.4, 91.3], size: 90, commentary: &[] },
    Plan { reference: "TS12", values: [35.0, 41.2, 48.0, 52.6, 58.3, 64.7], size: 35, commentary: &[(5, "Initial health assessments are now booked at the placement meeting, and the Q1 backlog has been cleared.")] },
    Plan { reference: "TS13", values: [80.2, 82.9, 84.0, 86.5, 88.1, 89.7], size: 170, commentary: &[] },
    Plan { reference: "TS14", values: [72.0, 74.8, 77.3, 79.0, 81.5, 80.4], size: 170, commentary: &[] },
    Plan { reference: "TS15", values: [2.0, 5.0, 8.0, 13.0, 3.0, 7.0], size: 1, commentary: &[(5, "Adoption orders have picked up since the first quarter; a further four children are placed and waiting for their orders.")] },
    Plan { reference: "TS16", values: [612.0, 598.4, 575.2, 560.0, 548.7, 509.6], size: 7, commentary: &[] },
    Plan { reference: "TS17", values: [38.5, 38.5, 38.5, 38.5, 46.2, 46.2], size: 13, commentary: &[] },
    Plan { reference: "TS18", values: [13.0, 13.0, 13.0, 13.0, 17.4, 17.4], size: 23, commentary: &[] },
    Plan { reference: "TS19", values: [10.1, 9.6, 9.0, 8.5, 7.9, 7.2], size: 150, commentary: &[] },
    Plan { reference: "TS20", values: [14.2, 14.8, 15.3, 15.0, 15.6, 16.4], size: 250, commentary: &[(5, "Three sibling groups were placed together with foster carers outside the borough; a campaign to recruit local foster carers began in August.")] },
    Plan { reference: "TS21", values: [41.9, 42.6, 43.2, 43.9, 44.2, 44.9], size: 0, commentary: &[] },
    Plan { reference: "TS22", values: [35.3, 34.4, 33.3, 32.5, 33.0, 32.1], size: 0, commentary: &[] },
    Plan { reference: "TS23", values: [23.9, 22.8, 21.7, 20.5, 19.8, 18.2], size: 600, commentary: &[] },
    Plan { reference: "TS24", values: [88.0, 89.4, 91.2, 92.5, 93.1, 94.0], size: 250, commentary: &[] },
    Plan { reference: "TS25", values: [12.5, 12.0, 11.1, 10.4, 9.7, 10.9], size: 150, commentary: &[] },
    Plan { reference: "TS26", values: [19.0, 18.4, 17.8, 16.9, 16.2, 15.5], size: 45, commentary: &[] },
    Plan { reference: "TS27", values: [66.0, 68.4, 70.2, 71.9, 73.5, 72.8], size: 55, commentary: &[] },
];

/// Improvement-plan actions the services report in 2014-15: service code,
/// recommendation, action, lead, due (YYYY-MM-DD), status, update. Every
/// recommendation has an action but LAC-09, and some are overdue, so the
/// improvement plan shows each case.
const ACTIONS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    ("CPR", "SG-01", "Legal gateway panel meets weekly; threshold guidance reissued to team managers", "Head of Safeguarding", "2012-09-30", "Complete", "Panel minutes show decisions within five working days."),
    ("HLT", "SG-02", "Pre-birth protocol agreed with the maternity unit, with planning meetings before 34 weeks", "Designated Nurse for Safeguarding", "2012-10-31", "Complete", "Audit of 12 cases found all planned before 34 weeks."),
    ("CAT", "SG-03", "Health visitor seconded to the access team three days a week", "Service Manager - Access and MASH", "2012-12-31", "Complete", ""),
    ("CAT", "SG-04", "Audit programme and training on analytical assessments", "Service Manager - Access and MASH", "2014-12-31", "On track", "Second audit round found 70% of assessments good or better."),
    ("CPR", "SG-05", "Outcome-focused child protection plan template with contingency planning", "Service Manager - Quality Assurance", "2014-06-30", "At risk", "Template agreed; roll-out delayed by the case management system upgrade."),
    ("CPR", "SG-06", "Conference chairs' challenge log reviewed monthly", "Service Manager - Quality Assurance", "2013-03-31", "Complete", ""),
    ("CIN", "SG-07", "Reflective supervision policy and audit of supervision records", "Service Manager - Children in Need", "2014-08-31", "Off track", "Audit postponed twice for lack of capacity; new date to be agreed."),
    ("CPR", "SG-08", "LSCB business plan 2013-15 agreed with priorities", "LSCB Business Manager", "2013-01-31", "Complete", ""),
    ("HLT", "SG-09", "Network of GP safeguarding leads with quarterly learning sessions", "Designated Nurse for Safeguarding", "2015-03-31", "On track", "31 of 34 practices have a named lead."),
    ("HLT", "SG-10", "Rapid response service model agreed with public health; CDOP newsletter to front-line staff", "Designated Doctor", "2014-03-31", "Complete", ""),
    ("CPR", "SG-11", "Allocation rules so that each child with a plan keeps one social worker", "Head of Safeguarding", "2015-03-31", "On track", ""),
    ("LAC", "LAC-01", "Care thresholds training for all managers and a legal planning tracker", "Service Manager - Looked After Children", "2012-12-31", "Complete", ""),
    ("HLT", "LAC-02", "Initial health assessment pathway with tracking against 20 working days", "Designated Nurse for Looked After Children", "2014-06-30", "At risk", "Pathway live; timeliness improving but still below target."),
    ("HLT", "LAC-03", "Health sub-group of the Children in Care Council", "Designated Nurse for Looked After Children", "2014-12-31", "On track", ""),
    ("LAC", "LAC-04", "Reflective supervision rolled out in the looked after teams", "Service Manager - Looked After Children", "2014-03-31", "Complete", ""),
    ("WF", "LAC-05", "Individual development plans for every social worker and manager", "Head of HR - Children and Families", "2014-09-30", "On track", "88% of plans in place."),
    ("HLT", "LAC-06", "Health performance framework reported to the corporate parenting panel", "Designated Nurse for Looked After Children", "2015-03-31", "On track", ""),
    ("CPR", "LAC-07", "Quarterly report from IROs and conference chairs to the senior management team", "Service Manager - Quality Assurance", "2013-06-30", "Complete", ""),
    ("LAC", "LAC-08", "Joint protocol with the youth offending service to reduce offending by looked after children", "Service Manager - Looked After Children", "2014-12-31", "On track", ""),
    ("LAC", "LAC-10", "Social worker retention plan, aiming at no more than one change of worker a year", "Service Manager - Looked After Children", "2015-03-31", "At risk", "Two experienced social workers left in August."),
    ("LAC", "LAC-11", "Analysis of short-term placement moves and a placement support panel", "Service Manager - Looked After Children", "2014-07-31", "Not started", "Analyst post vacant until November."),
];

/// Figures for one indicator from one service.
#[derive(Debug, Clone)]
struct Row {
    reference: String,
    title: String,
    numerator: Option<f64>,
    denominator: Option<f64>,
    value: Option<f64>,
    commentary: Option<String>,
}

/// Finds whole-number figures that give the planned value as printed, so
/// the sample's borough figures are exactly the ones planned.
fn fit(
    measure: Measure,
    planned: f64,
    size: u32,
    population: f64,
) -> (Option<f64>, Option<f64>, Option<f64>) {
    let target = judge::round_half_away(planned, measure.decimals());
    match measure {
        Measure::Count => (None, None, Some(planned.round())),
        Measure::Rate10k => {
            let n = (planned * population / 10_000.0).round();
            (Some(n), None, None)
        }
        Measure::Average => {
            let d = f64::from(size.max(1));
            (Some((planned * d).round()), Some(d), None)
        }
        Measure::Percent => {
            // Search outwards from the typical size for the nearest
            // denominator that gives exactly the planned figure.
            let size = f64::from(size.max(10));
            let mut best: Option<(f64, f64, f64)> = None;
            // Stay within a quarter of the typical size, so denominators do
            // not swing from quarter to quarter more than real ones do.
            for step in 0..=((size / 4.0) as i64) {
                for d in [size + step as f64, size - step as f64] {
                    let n = (planned * d / 100.0).round();
                    let miss = (judge::round_half_away(n * 100.0 / d, 1) - target).abs();
                    if miss < 1e-9 {
                        return (Some(n), Some(d), None);
                    }
                    if best.is_none_or(|(m, _, _)| miss < m) {
                        best = Some((miss, n, d));
                    }
                }
            }
            let (_, n, d) = best.unwrap_or((0.0, (planned * size / 100.0).round(), size));
            (Some(n), Some(d), None)
        }
    }
}

/// Splits borough figures between the services that share an indicator,
/// 60:40, keeping whole numbers that add up to the borough totals.
fn split(
    figures: (Option<f64>, Option<f64>, Option<f64>),
    parts: usize,
    index: usize,
) -> (Option<f64>, Option<f64>, Option<f64>) {
    if parts <= 1 {
        return figures;
    }
    let share = |x: Option<f64>| {
        x.map(|v| {
            let first = (v * 0.6).round();
            if index == 0 {
                first
            } else {
                v - first
            }
        })
    };
    (share(figures.0), share(figures.1), share(figures.2))
}

/// Writes the sample returns under `dir`, one folder per quarter.
pub fn write_sample_returns(templates: &Templates, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let periods = sample_periods();
    let population = templates.organisation.child_population as f64;
    let mut written = Vec::new();
    for (pi, period) in periods.iter().enumerate() {
        let latest = pi + 1 == periods.len();
        for service in &templates.services {
            let indicators: Vec<&Indicator> = templates.indicators_for(&service.name);
            if indicators.is_empty() {
                continue;
            }
            let rows = planned_rows(&indicators, &service.name, pi, population);
            let cover = cover_for(service, *period);
            let folder = dir.join(period.id());
            written.extend(write_service_return(
                &folder,
                &service.code,
                *period,
                latest,
                cover,
                rows,
            )?);
        }
    }
    // The children's records for three of the quarters, from which ten of
    // the figures are worked out; and the children in need census for the
    // same quarters, from which seven more can be.
    written.extend(crate::ssda903::sample::write_sample_extracts(dir)?);
    written.extend(crate::cin::sample::write_sample_extracts(dir)?);
    Ok(written)
}

/// A service's rows for the quarter `pi` (from the oldest): its share of
/// each planned borough figure, and the commentary planned for it.
fn planned_rows(indicators: &[&Indicator], service: &str, pi: usize, population: f64) -> Vec<Row> {
    let mut rows = Vec::new();
    for ind in indicators {
        let Some(plan) = PLANS.iter().find(|p| p.reference == ind.reference) else {
            continue;
        };
        let borough = fit(ind.measure, plan.values[pi], plan.size, population);
        let index = ind.services.iter().position(|s| s == service).unwrap_or(0);
        let (numerator, denominator, value) = split(borough, ind.services.len(), index);
        let commentary = plan
            .commentary
            .iter()
            .find(|(i, _)| *i == pi && index == 0)
            .map(|(_, t)| t.to_string());
        rows.push(Row {
            reference: ind.reference.clone(),
            title: ind.title.clone(),
            numerator,
            denominator,
            value,
            commentary,
        });
    }
    rows
}

/// The cover a service's officer fills in, with the actions it reports.
fn cover_for(service: &Service, period: Period) -> Cover {
    // Actions are reported from 2014-15, once the plan was under way.
    let actions: Vec<_> = ACTIONS
        .iter()
        .filter(|a| a.0 == service.code && period.start_year() >= 2014)
        .collect();
    Cover {
        service: service.name.clone(),
        period: period.label(),
        prepared_by: format!("{} performance lead", service.code),
        email: format!("{}.performance@example.gov.uk", service.code.to_lowercase()),
        submitted: submitted_for(period, service.code.len() as i64),
        formulas: service.code == "CPR",
        actions: actions
            .iter()
            .map(|a| (a.1, a.2, a.3, a.4, a.5, a.6))
            .collect(),
    }
}

/// Writes a service's return for a quarter into `folder`. In the latest
/// quarter three services' returns carry the mistakes officers make.
fn write_service_return(
    folder: &Path,
    code: &str,
    period: Period,
    latest: bool,
    mut cover: Cover,
    mut rows: Vec<Row>,
) -> anyhow::Result<Vec<PathBuf>> {
    let name = format!("{code}-{}.xlsx", period.id());
    match (latest, code) {
        (true, "YOS") => {
            // Officer mistakes: a word in a number cell and a
            // mistyped email address. The return is rejected.
            cover.period = format!(
                "Q2 {}/{:02}",
                period.start_year(),
                (period.start_year() + 1) % 100
            );
            cover.email = "yos.performance".into();
            if let Some(r) = rows.first_mut() {
                r.numerator = Some(40.0);
                r.commentary = Some("Figure to be confirmed with the education team.".into());
            }
            Ok(vec![write_return(
                &folder.join(&name),
                &cover,
                &rows,
                Some("about 40"),
            )?])
        }
        (true, "VS") => {
            // An indicator the Virtual School does not return: a warning.
            rows.push(Row {
                reference: "TS21".into(),
                title: "Children looked after per 10000 children".into(),
                numerator: Some(255.0),
                denominator: None,
                value: None,
                commentary: Some("Copied from last year's return by mistake.".into()),
            });
            Ok(vec![write_return(
                &folder.join(&name),
                &cover,
                &rows,
                None,
            )?])
        }
        (true, "LC") => {
            // A first version, later corrected and resubmitted.
            let mut first = rows.clone();
            if let Some(r) = first.first_mut() {
                r.numerator = r.numerator.map(|n| n - 3.0);
            }
            let early = Cover {
                submitted: cover.submitted - Duration::days(4),
                ..cover.clone()
            };
            let v2 = format!("{code}-{} v2.xlsx", period.id());
            Ok(vec![
                write_return(&folder.join(&name), &early, &first, None)?,
                write_return(&folder.join(v2), &cover, &rows, None)?,
            ])
        }
        _ => Ok(vec![write_return(
            &folder.join(&name),
            &cover,
            &rows,
            None,
        )?]),
    }
}

#[derive(Clone)]
struct Cover {
    service: String,
    period: String,
    prepared_by: String,
    email: String,
    submitted: NaiveDateTime,
    /// Write Value as a formula with its cached result, as some teams do.
    formulas: bool,
    /// Rows of the Actions sheet: ref, action, lead, due, status, update.
    actions: Vec<(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )>,
}

fn submitted_for(period: Period, offset: i64) -> NaiveDateTime {
    let day = period.last_day() + Duration::days(8 + offset);
    day.and_time(NaiveTime::from_hms_opt(10 + offset as u32 % 6, 15, 0).unwrap_or(NaiveTime::MIN))
}

/// Writes one service's return workbook: the Return sheet (cover), the
/// Indicators sheet and, when the service reports actions, the Actions
/// sheet. `text_numerator` puts text in the first numerator cell, the
/// mistake an officer makes by typing a note where a number goes.
fn write_return(
    path: &Path,
    cover: &Cover,
    rows: &[Row],
    text_numerator: Option<&str>,
) -> anyhow::Result<PathBuf> {
    let mut book = Workbook::new();
    // A fixed creation time makes the files byte-for-byte repeatable.
    book.set_properties(
        &DocProperties::new()
            .set_author(&cover.prepared_by)
            .set_creation_datetime(&submitted_at(cover)?),
    );
    let bold = Format::new().set_bold();
    write_cover(&mut book, cover, &bold)?;
    write_indicators(&mut book, cover, rows, text_numerator, &bold)?;
    if !cover.actions.is_empty() {
        write_actions(&mut book, cover, &bold)?;
    }
    let bytes = book.save_to_buffer()?;
    write_atomic(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(path.to_path_buf())
}

/// When the return was sent, as Excel holds a date and time.
fn submitted_at(cover: &Cover) -> anyhow::Result<ExcelDateTime> {
    Ok(ExcelDateTime::parse_from_str(
        &cover.submitted.format("%Y-%m-%dT%H:%M:%S").to_string(),
    )?)
}

/// The Return sheet: who sent the return, for which service and quarter.
fn write_cover(book: &mut Workbook, cover: &Cover, bold: &Format) -> anyhow::Result<()> {
    let date = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let sheet = book.add_worksheet();
    sheet.set_name("Return")?;
    sheet.write_string_with_format(
        0,
        0,
        "Quarterly performance return",
        &Format::new().set_bold().set_font_size(14),
    )?;
    sheet.write_string_with_format(2, 0, "Service", bold)?;
    sheet.write_string(2, 1, &cover.service)?;
    sheet.write_string_with_format(3, 0, "Period", bold)?;
    sheet.write_string(3, 1, &cover.period)?;
    sheet.write_string_with_format(4, 0, "Prepared by", bold)?;
    sheet.write_string(4, 1, &cover.prepared_by)?;
    sheet.write_string_with_format(5, 0, "Email", bold)?;
    sheet.write_string(5, 1, &cover.email)?;
    sheet.write_string_with_format(6, 0, "Submitted", bold)?;
    sheet.write_datetime_with_format(6, 1, &submitted_at(cover)?, &date)?;
    sheet.write_string_with_format(7, 0, "Template version", bold)?;
    sheet.write_string(7, 1, "2014.1")?;
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 40)?;
    Ok(())
}

/// The Indicators sheet: one row per indicator the service returns.
fn write_indicators(
    book: &mut Workbook,
    cover: &Cover,
    rows: &[Row],
    text_numerator: Option<&str>,
    bold: &Format,
) -> anyhow::Result<()> {
    let sheet = book.add_worksheet();
    sheet.set_name("Indicators")?;
    for (c, h) in [
        "Ref",
        "Indicator",
        "Numerator",
        "Denominator",
        "Value",
        "Commentary",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(0, c as u16, *h, bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write_string(row, 0, &r.reference)?;
        sheet.write_string(row, 1, &r.title)?;
        match (i, text_numerator) {
            (0, Some(text)) => {
                sheet.write_string(row, 2, text)?;
            }
            _ => {
                if let Some(n) = r.numerator {
                    sheet.write_number(row, 2, n)?;
                }
            }
        }
        if let Some(d) = r.denominator {
            sheet.write_number(row, 3, d)?;
        }
        if let Some(v) = r.value {
            sheet.write_number(row, 4, v)?;
        } else if let (true, Some(n), Some(d)) = (cover.formulas, r.numerator, r.denominator) {
            let excel_row = row + 1;
            let cached = judge::round_half_away(n * 100.0 / d, 1);
            let formula = Formula::new(format!("=ROUND(C{excel_row}/D{excel_row}*100,1)"))
                .set_result(format!("{cached}"));
            sheet.write_formula(row, 4, formula)?;
        }
        if let Some(c) = &r.commentary {
            sheet.write_string(row, 5, c)?;
        }
    }
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(5, 60)?;
    Ok(())
}

/// The Actions sheet: the service's improvement actions and their progress.
fn write_actions(book: &mut Workbook, cover: &Cover, bold: &Format) -> anyhow::Result<()> {
    let sheet = book.add_worksheet();
    sheet.set_name("Actions")?;
    let day = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in ["Ref", "Action", "Lead officer", "Due", "Status", "Update"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(0, c as u16, *h, bold)?;
    }
    for (i, (reference, action, lead, due, status, update)) in cover.actions.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write_string(row, 0, *reference)?;
        sheet.write_string(row, 1, *action)?;
        sheet.write_string(row, 2, *lead)?;
        let due = ExcelDateTime::parse_from_str(due)?;
        sheet.write_datetime_with_format(row, 3, &due, &day)?;
        sheet.write_string(row, 4, *status)?;
        if !update.is_empty() {
            sheet.write_string(row, 5, *update)?;
        }
    }
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 30)?;
    sheet.set_column_width(3, 12)?;
    sheet.set_column_width(5, 60)?;
    Ok(())
}
