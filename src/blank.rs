//! Blank returns: the workbook a service officer fills in.
//!
//! `scorecard template` writes, for a service, a return that already
//! follows the contract: the cover pre-filled, one row per indicator the
//! service returns with its title and what to count, drop-downs for action
//! status and recommendation, number and date validation with input
//! messages, and every fixed cell locked on a protected sheet so that only
//! the yellow input cells can be typed in. A correctly filled template
//! passes `scorecard check` with no problems.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook, Worksheet,
    XlsxError,
};

use crate::config::{Indicator, Service, Templates};
use crate::judge::Measure;
use crate::model::layout::{ACTIONS_SHEET, COVER_SHEET, INDICATORS_SHEET};
use crate::model::palette::{CELL_BORDER, INPUT_FILL, NAVY, PAPER, UNUSED_FILL};
use crate::model::returns::ActionStatus;
use crate::period::Period;

/// Blank rows offered on the Actions sheet.
pub const ACTION_ROWS: u32 = 30;

/// What an officer types into a blank return. Used to fill one in
/// programmatically (tests, demonstrations); `None` leaves it blank.
#[derive(Debug, Clone, Default)]
pub struct Entries {
    pub prepared_by: String,
    pub email: String,
    pub submitted: Option<NaiveDateTime>,
    /// By ref.
    pub figures: HashMap<String, FigureEntry>,
    /// Ref, action, lead officer, due, status, update.
    pub actions: Vec<(String, String, String, NaiveDate, ActionStatus, String)>,
}

/// One indicator's row as typed.
#[derive(Debug, Clone, Default)]
pub struct FigureEntry {
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    pub commentary: Option<String>,
}

/// Styles shared by the sheets.
struct Styles {
    title: Format,
    label: Format,
    fixed: Format,
    fixed_wrap: Format,
    header: Format,
    input: Format,
    input_wrap: Format,
    input_date: Format,
    input_day: Format,
    unused: Format,
    note: Format,
}

impl Styles {
    fn new() -> Styles {
        let border = Format::new()
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(CELL_BORDER))
            .set_align(FormatAlign::Top);
        let input = border
            .clone()
            .set_background_color(Color::RGB(INPUT_FILL))
            .set_unlocked();
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            label: border.clone().set_bold(),
            fixed: border.clone(),
            fixed_wrap: border.clone().set_text_wrap(),
            header: border
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(NAVY))
                .set_font_color(Color::RGB(PAPER)),
            input_wrap: input.clone().set_text_wrap(),
            input_date: input.clone().set_num_format("dd/mm/yyyy hh:mm"),
            input_day: input.clone().set_num_format("dd/mm/yyyy"),
            input,
            unused: border.set_background_color(Color::RGB(UNUSED_FILL)),
            note: Format::new()
                .set_italic()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
        }
    }
}

/// Cuts text to a data-validation limit on a character boundary.
fn fit(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_string()
    } else {
        let cut: String = text.chars().take(limit.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn input_message(title: &str, message: &str) -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .set_input_title(fit(title, 32))?
        .set_input_message(fit(message, 255))
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year_u16(), d.month_u8(), d.day_u8())
}

trait DateParts {
    fn year_u16(&self) -> u16;
    fn month_u8(&self) -> u8;
    fn day_u8(&self) -> u8;
}

impl DateParts for NaiveDate {
    fn year_u16(&self) -> u16 {
        u16::try_from(chrono::Datelike::year(self)).unwrap_or(1900)
    }
    fn month_u8(&self) -> u8 {
        chrono::Datelike::month(self) as u8
    }
    fn day_u8(&self) -> u8 {
        chrono::Datelike::day(self) as u8
    }
}

/// Protects the sheet so only unlocked (yellow) cells can be typed in, and
/// sets it to print on A4, landscape, one page wide.
fn protect(sheet: &mut Worksheet) {
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0);
    let options = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    };
    sheet.protect_with_options(&options);
}

/// What the officer should enter for an indicator, in a sentence.
pub fn what_to_enter(indicator: &Indicator) -> String {
    let n = indicator
        .numerator
        .as_deref()
        .unwrap_or("the number that meet the measure");
    let d = indicator
        .denominator
        .as_deref()
        .unwrap_or("the number it is out of");
    match indicator.measure {
        Measure::Percent => format!(
            "Numerator: {n}. Denominator: {d}. Enter counts; the percentage is worked out for you."
        ),
        Measure::Average => format!(
            "Numerator: {n}. Denominator: {d}. The average is worked out for you."
        ),
        Measure::Rate10k => format!(
            "Numerator: {n}. The rate per 10,000 children is worked out for you; leave Denominator blank."
        ),
        Measure::Count => format!(
            "Value: {}.",
            indicator.value.as_deref().unwrap_or("the count")
        ),
    }
}

/// Writes a blank return for `service` (filled with `entries` if given).
pub fn blank_return(
    templates: &Templates,
    service: &Service,
    period: Option<Period>,
    entries: Option<&Entries>,
) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("Quarterly return: {}", service.name))
            .set_author(&templates.organisation.name)
            .set_comment(
                "Made by scorecard template. Fill in the yellow cells, then run scorecard check.",
            ),
    );
    cover_sheet(
        book.add_worksheet(),
        templates,
        service,
        period,
        entries,
        &styles,
    )?;
    indicators_sheet(book.add_worksheet(), templates, service, entries, &styles)?;
    actions_sheet(book.add_worksheet(), templates, entries, &styles)?;
    plan_sheet(book.add_worksheet(), templates, &styles)?;
    book.save_to_buffer()
}

/// The Return sheet: the cover, with the service filled in and the rest
/// for the officer.
fn cover_sheet(
    sheet: &mut Worksheet,
    templates: &Templates,
    service: &Service,
    period: Option<Period>,
    entries: Option<&Entries>,
    s: &Styles,
) -> Result<(), XlsxError> {
    sheet.set_name(COVER_SHEET)?;
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "{}: quarterly performance return",
            templates.organisation.name
        ),
        &s.title,
    )?;
    sheet.merge_range(
        1,
        0,
        1,
        2,
        "Fill in the yellow cells here, on Indicators and, if you report progress on the improvement plan, on Actions. Then check the return (scorecard check) before you send it.",
        &s.note,
    )?;
    sheet.set_row_height(1, 45)?;
    let rows: [(&str, u32); 6] = [
        ("Service", 3),
        ("Period", 4),
        ("Prepared by", 5),
        ("Email", 6),
        ("Submitted", 7),
        ("Template version", 8),
    ];
    for (label, row) in rows {
        sheet.write_string_with_format(row, 0, label, &s.label)?;
    }
    sheet.write_string_with_format(3, 1, &service.name, &s.fixed)?;
    cover_inputs(sheet, period, entries, s)?;
    sheet.write_string_with_format(
        8,
        1,
        format!("scorecard {}", env!("CARGO_PKG_VERSION")),
        &s.fixed,
    )?;
    sheet.set_column_width(0, 20)?;
    sheet.set_column_width(1, 44)?;
    sheet.set_column_width(2, 30)?;
    protect(sheet);
    Ok(())
}

/// The cover's yellow cells (period, who prepared the return, their email,
/// when it was sent), each with the message Excel shows on entering it.
fn cover_inputs(
    sheet: &mut Worksheet,
    period: Option<Period>,
    entries: Option<&Entries>,
    s: &Styles,
) -> Result<(), XlsxError> {
    match period {
        Some(p) => sheet.write_string_with_format(4, 1, p.label(), &s.input)?,
        None => sheet.write_blank(4, 1, &s.input)?,
    };
    sheet.add_data_validation(
        4,
        1,
        4,
        1,
        &input_message(
            "Period",
            "The quarter this return is for, as financial year and quarter, e.g. 2014-15 Q2. Q1 is April to June.",
        )?,
    )?;
    let text = |v: Option<&str>| v.filter(|t| !t.is_empty()).map(str::to_string);
    match text(entries.map(|e| e.prepared_by.as_str())) {
        Some(v) => sheet.write_string_with_format(5, 1, v, &s.input)?,
        None => sheet.write_blank(5, 1, &s.input)?,
    };
    sheet.add_data_validation(5, 1, 5, 1, &input_message("Prepared by", "Your name.")?)?;
    match text(entries.map(|e| e.email.as_str())) {
        Some(v) => sheet.write_string_with_format(6, 1, v, &s.input)?,
        None => sheet.write_blank(6, 1, &s.input)?,
    };
    sheet.add_data_validation(
        6,
        1,
        6,
        1,
        &input_message(
            "Email",
            "Your email address, so that feedback can reach you.",
        )?,
    )?;
    match entries.and_then(|e| e.submitted) {
        Some(d) => {
            let when = ExcelDateTime::parse_from_str(&d.format("%Y-%m-%dT%H:%M:%S").to_string())?;
            sheet.write_datetime_with_format(7, 1, &when, &s.input_date)?
        }
        None => sheet.write_blank(7, 1, &s.input_date)?,
    };
    let submitted_rule = input_message(
        "Submitted",
        "The date (and time) you send the return, e.g. 14/10/2014 09:30. A later resubmission replaces an earlier one.",
    )?
    .allow_date(DataValidationRule::Between(
        ExcelDateTime::from_ymd(2000, 1, 1)?,
        ExcelDateTime::from_ymd(2099, 12, 31)?,
    ))
    .set_error_title("Not a date")?
    .set_error_message("Enter a date, day first, e.g. 14/10/2014.")?;
    sheet.add_data_validation(7, 1, 7, 1, &submitted_rule)?;
    Ok(())
}

/// The Indicators sheet: a row for each indicator the service returns.
fn indicators_sheet(
    sheet: &mut Worksheet,
    templates: &Templates,
    service: &Service,
    entries: Option<&Entries>,
    s: &Styles,
) -> Result<(), XlsxError> {
    sheet.set_name(INDICATORS_SHEET)?;
    let headers = [
        "Ref",
        "Indicator",
        "Numerator",
        "Denominator",
        "Value",
        "Commentary",
        "What to enter",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &s.header)?;
    }
    let indicators = templates.indicators_for(&service.name);
    for (i, ind) in indicators.iter().enumerate() {
        let row = 1 + i as u32;
        let figures = entries.and_then(|e| e.figures.get(&ind.reference));
        indicator_cells(sheet, row, ind, figures, s)?;
        indicator_rules(sheet, row, ind)?;
    }
    sheet.set_column_width(0, 7)?;
    sheet.set_column_width(1, 44)?;
    sheet.set_column_width(2, 12)?;
    sheet.set_column_width(3, 12)?;
    sheet.set_column_width(4, 10)?;
    sheet.set_column_width(5, 44)?;
    sheet.set_column_width(6, 60)?;
    sheet.set_freeze_panes(1, 2)?;
    protect(sheet);
    Ok(())
}

/// One indicator's row: its ref and title, the yellow cells for the figures
/// it needs (grey for those it does not), commentary and what to enter.
fn indicator_cells(
    sheet: &mut Worksheet,
    row: u32,
    ind: &Indicator,
    figures: Option<&FigureEntry>,
    s: &Styles,
) -> Result<(), XlsxError> {
    let m = ind.measure;
    sheet.write_string_with_format(row, 0, &ind.reference, &s.label)?;
    sheet.write_string_with_format(row, 1, &ind.title, &s.fixed_wrap)?;
    let slots = [
        (2u16, m.needs_numerator(), figures.and_then(|f| f.numerator)),
        (
            3,
            m.needs_denominator(),
            figures.and_then(|f| f.denominator),
        ),
        (4, true, figures.and_then(|f| f.value)),
    ];
    for (col, used, value) in slots {
        let format = if used { &s.input } else { &s.unused };
        match (used, value) {
            (true, Some(v)) => sheet.write_number_with_format(row, col, v, format)?,
            _ => sheet.write_blank(row, col, format)?,
        };
    }
    match figures.and_then(|f| f.commentary.as_deref()) {
        Some(c) => sheet.write_string_with_format(row, 5, c, &s.input_wrap)?,
        None => sheet.write_blank(row, 5, &s.input_wrap)?,
    };
    sheet.write_string_with_format(row, 6, what_to_enter(ind), &s.fixed_wrap)?;
    sheet.set_row_height(row, 60)?;
    Ok(())
}

/// The checks Excel makes as an indicator's figures are typed: whole
/// counts, or a number for an average or a value, each with its message.
fn indicator_rules(sheet: &mut Worksheet, row: u32, ind: &Indicator) -> Result<(), XlsxError> {
    let m = ind.measure;
    let numerator_text = ind
        .numerator
        .as_deref()
        .unwrap_or("The number that meet the measure.");
    let denominator_text = ind
        .denominator
        .as_deref()
        .unwrap_or("The number it is out of.");
    if m.needs_numerator() {
        let rule = if m == Measure::Average {
            input_message(&format!("Numerator for {}", ind.reference), numerator_text)?
                .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
                .set_error_title("Number needed")?
                .set_error_message("Enter a number of 0 or more.")?
        } else {
            whole(
                &format!("Numerator for {}", ind.reference),
                numerator_text,
                0,
            )?
        };
        sheet.add_data_validation(row, 2, row, 2, &rule)?;
    }
    if m.needs_denominator() {
        let rule = whole(
            &format!("Denominator for {}", ind.reference),
            denominator_text,
            1,
        )?;
        sheet.add_data_validation(row, 3, row, 3, &rule)?;
    }
    let value_text = match m {
        Measure::Count => ind.value.clone().unwrap_or_else(|| "The count.".into()),
        _ => "Optional: leave blank and it is worked out from Numerator and Denominator.".into(),
    };
    let rule = input_message(&format!("Value for {}", ind.reference), &value_text)?
        .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
        .set_error_title("Number needed")?
        .set_error_message("Enter a number of 0 or more.")?;
    sheet.add_data_validation(row, 4, row, 4, &rule)?;
    sheet.add_data_validation(
        row,
        5,
        row,
        5,
        &input_message(
            "Commentary",
            "Anything the committee should know about this figure. If there is no figure this quarter, say why here and leave the figures blank.",
        )?,
    )?;
    Ok(())
}

/// A rule for a count: a whole number of at least `min`.
fn whole(title: &str, text: &str, min: i32) -> Result<DataValidation, XlsxError> {
    input_message(title, text)?
        .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(min))
        .set_error_title("Whole number needed")?
        .set_error_message(format!(
            "Enter a whole number of {min} or more: a count of children or events, not a percentage."
        ))
}

fn actions_sheet(
    sheet: &mut Worksheet,
    templates: &Templates,
    entries: Option<&Entries>,
    s: &Styles,
) -> Result<(), XlsxError> {
    sheet.set_name(ACTIONS_SHEET)?;
    let headers = ["Ref", "Action", "Lead officer", "Due", "Status", "Update"];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &s.header)?;
    }
    let actions = entries.map(|e| e.actions.as_slice()).unwrap_or_default();
    for i in 0..ACTION_ROWS.max(actions.len() as u32) {
        let row = 1 + i;
        match actions.get(i as usize) {
            Some((reference, action, lead, due, status, update)) => {
                sheet.write_string_with_format(row, 0, reference, &s.input)?;
                sheet.write_string_with_format(row, 1, action, &s.input_wrap)?;
                sheet.write_string_with_format(row, 2, lead, &s.input_wrap)?;
                sheet.write_datetime_with_format(row, 3, &excel_date(*due)?, &s.input_day)?;
                sheet.write_string_with_format(row, 4, status.label(), &s.input)?;
                sheet.write_string_with_format(row, 5, update, &s.input_wrap)?;
            }
            None => {
                sheet.write_blank(row, 0, &s.input)?;
                sheet.write_blank(row, 1, &s.input_wrap)?;
                sheet.write_blank(row, 2, &s.input_wrap)?;
                sheet.write_blank(row, 3, &s.input_day)?;
                sheet.write_blank(row, 4, &s.input)?;
                sheet.write_blank(row, 5, &s.input_wrap)?;
            }
        }
    }
    let last = ACTION_ROWS.max(actions.len() as u32);
    let refs: Vec<&str> = templates
        .plan
        .recommendations
        .iter()
        .map(|r| r.reference.as_str())
        .collect();
    if !refs.is_empty() {
        let rule = input_message(
            "Recommendation",
            "The recommendation this action answers: pick it from the list (see the Plan sheet).",
        )?
        .allow_list_strings(&refs)?
        .set_error_style(DataValidationErrorStyle::Stop)
        .set_error_message("Pick a recommendation from the list.")?;
        sheet.add_data_validation(1, 0, last, 0, &rule)?;
    }
    let statuses = ActionStatus::ALL.map(|s| s.label());
    let rule = input_message("Status", "Where the action stands this quarter.")?
        .allow_list_strings(&statuses)?
        .set_error_message("Pick a status from the list.")?;
    sheet.add_data_validation(1, 4, last, 4, &rule)?;
    let rule = input_message(
        "Due",
        "The date the action is due to be complete, e.g. 31/03/2015.",
    )?
    .allow_date(DataValidationRule::Between(
        ExcelDateTime::from_ymd(2000, 1, 1)?,
        ExcelDateTime::from_ymd(2099, 12, 31)?,
    ))
    .set_error_message("Enter a date, day first, e.g. 31/03/2015.")?;
    sheet.add_data_validation(1, 3, last, 3, &rule)?;
    sheet.set_column_width(0, 9)?;
    sheet.set_column_width(1, 50)?;
    sheet.set_column_width(2, 28)?;
    sheet.set_column_width(3, 12)?;
    sheet.set_column_width(4, 12)?;
    sheet.set_column_width(5, 50)?;
    sheet.set_freeze_panes(1, 0)?;
    protect(sheet);
    Ok(())
}

/// The recommendations, for reference while filling in Actions.
fn plan_sheet(sheet: &mut Worksheet, templates: &Templates, s: &Styles) -> Result<(), XlsxError> {
    sheet.set_name("Plan")?;
    let plan = &templates.plan;
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "{}: {}, published {}",
            plan.inspection.body, plan.inspection.title, plan.inspection.published
        ),
        &s.title,
    )?;
    for (c, h) in ["Ref", "Area", "Timescale", "Due", "Recommendation"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(2, c as u16, *h, &s.header)?;
    }
    for (i, r) in plan.recommendations.iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_string_with_format(row, 0, &r.reference, &s.label)?;
        sheet.write_string_with_format(row, 1, &r.area, &s.fixed)?;
        sheet.write_string_with_format(row, 2, r.timescale.label(), &s.fixed)?;
        sheet.write_string_with_format(
            row,
            3,
            plan.due(r).format("%d/%m/%Y").to_string(),
            &s.fixed,
        )?;
        sheet.write_string_with_format(row, 4, &r.text, &s.fixed_wrap)?;
    }
    sheet.set_column_width(0, 9)?;
    sheet.set_column_width(1, 22)?;
    sheet.set_column_width(2, 13)?;
    sheet.set_column_width(3, 11)?;
    sheet.set_column_width(4, 90)?;
    protect(sheet);
    Ok(())
}
