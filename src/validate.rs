//! Stage 3: check a return against the contract.
//!
//! Turns the cells of a [`Workbook`] into a [`Return`] the figures can be
//! trusted from, or says exactly why not. Every problem is a [`Diagnostic`]
//! at a sheet and cell, worded for the officer who will fix it; errors
//! reject the return, warnings are reported and the return is still used.
//! Checking goes on past the first problem so one round of feedback lists
//! everything.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::diagnostic::{cell_ref, Diagnostic};
use crate::discover::InputFile;
use crate::judge::Measure;
use crate::period::Period;
use crate::read::{Cell, FileFacts, ReadReturn, Sheet, Workbook, COVER_SHEET, INDICATORS_SHEET};
use crate::templates::{normalise_ref, Templates};

/// One indicator's figures from one return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    #[serde(rename = "ref")]
    pub reference: String,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    pub commentary: Option<String>,
    /// Excel row number (from 1), for feedback.
    pub row: u32,
    /// Where the figures were, e.g. `Indicators` and `D7`, for warnings
    /// raised after the return was read.
    #[serde(skip)]
    pub cells: FigureCells,
}

/// The cells a figure was read from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FigureCells {
    pub sheet: String,
    /// (row, column) from 0 of Numerator, Denominator and Value.
    pub numerator: Option<(u32, u32)>,
    pub denominator: Option<(u32, u32)>,
    pub value: Option<(u32, u32)>,
}

/// Progress on an improvement-plan action, from the Actions sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// The recommendation it answers, as the plan spells it.
    #[serde(rename = "ref")]
    pub reference: String,
    pub action: String,
    pub lead: String,
    pub due: NaiveDate,
    pub status: ActionStatus,
    pub update: Option<String>,
    /// Excel row number (from 1).
    pub row: u32,
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ActionStatus {
    #[serde(rename = "Not started")]
    NotStarted,
    #[serde(rename = "On track")]
    OnTrack,
    #[serde(rename = "At risk")]
    AtRisk,
    #[serde(rename = "Off track")]
    OffTrack,
    Complete,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 5] = [
        ActionStatus::NotStarted,
        ActionStatus::OnTrack,
        ActionStatus::AtRisk,
        ActionStatus::OffTrack,
        ActionStatus::Complete,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::NotStarted => "Not started",
            ActionStatus::OnTrack => "On track",
            ActionStatus::AtRisk => "At risk",
            ActionStatus::OffTrack => "Off track",
            ActionStatus::Complete => "Complete",
        }
    }

    /// A status as typed, ignoring case and spacing.
    pub fn parse(text: &str) -> Option<ActionStatus> {
        let norm = normalise_label(text);
        ActionStatus::ALL
            .into_iter()
            .find(|s| s.label().to_lowercase() == norm)
    }
}

impl Figure {
    /// A row with a ref and commentary but no figures: "no data this quarter".
    pub fn is_no_data(&self) -> bool {
        self.numerator.is_none() && self.denominator.is_none() && self.value.is_none()
    }
}

/// A return that passed validation.
#[derive(Debug, Clone, Serialize)]
pub struct Return {
    /// The service's name as the catalogue spells it.
    pub service: String,
    pub period: Period,
    pub prepared_by: String,
    pub email: Option<String>,
    pub submitted: NaiveDateTime,
    pub template_version: Option<String>,
    pub figures: Vec<Figure>,
    pub actions: Vec<Action>,
}

/// What became of a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum ReturnStatus {
    Accepted,
    Rejected,
    /// A later return for the same service and period replaced it.
    Superseded {
        by: String,
    },
}

impl ReturnStatus {
    pub fn label(&self) -> &'static str {
        match self {
            ReturnStatus::Accepted => "Accepted",
            ReturnStatus::Rejected => "Rejected",
            ReturnStatus::Superseded { .. } => "Superseded",
        }
    }
}

/// A file after validation: its status, problems and, when accepted, its
/// content.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedReturn {
    pub file: InputFile,
    pub facts: Option<FileFacts>,
    pub status: ReturnStatus,
    /// The service, when the cover named a known one.
    pub service: Option<String>,
    /// The period, when the cover gave a readable one.
    pub period: Option<Period>,
    /// When the cover gave a readable submission date.
    pub submitted: Option<NaiveDateTime>,
    pub diagnostics: Vec<Diagnostic>,
    /// Present unless the return was rejected.
    #[serde(skip)]
    pub content: Option<Return>,
    /// The contract's sheets as the officer sent them, so feedback can show
    /// each problem in place.
    #[serde(skip)]
    pub sheets: Vec<Sheet>,
}

impl CheckedReturn {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// The accepted content, when this return counts.
    pub fn accepted(&self) -> Option<&Return> {
        match self.status {
            ReturnStatus::Accepted => self.content.as_ref(),
            _ => None,
        }
    }
}

/// Validates one read file.
pub fn validate(read: ReadReturn, templates: &Templates) -> CheckedReturn {
    let ReadReturn {
        file,
        facts,
        workbook,
    } = read;
    let mut checked = CheckedReturn {
        file,
        facts,
        status: ReturnStatus::Rejected,
        service: None,
        period: None,
        submitted: None,
        diagnostics: Vec::new(),
        content: None,
        sheets: Vec::new(),
    };
    let workbook = match workbook {
        Ok(w) => w,
        Err(d) => {
            checked.diagnostics.push(d);
            return checked;
        }
    };
    let mut problems = Vec::new();
    let cover = check_cover(&workbook, &checked.file, templates, &mut problems);
    checked.service = cover.service.clone();
    checked.period = cover.period;
    checked.submitted = cover.submitted;
    let figures = check_indicators(
        &workbook,
        cover.service.as_deref(),
        templates,
        &mut problems,
    );
    let actions = check_actions(&workbook, templates, &mut problems);
    for sheet in [&workbook.cover, &workbook.indicators, &workbook.actions]
        .into_iter()
        .flatten()
    {
        if workbook.hidden_sheets.contains(&sheet.name) {
            problems.push(
                Diagnostic::warning(
                    "sheet-hidden",
                    format!(
                        "The \"{}\" sheet is hidden in the workbook. It was read as usual, but unhide it (right-click a sheet tab, Unhide) so that you can see what was sent.",
                        sheet.name
                    ),
                )
                .on_sheet(&sheet.name),
            );
        }
    }
    problems.sort_by_key(|d| d.severity);
    checked.diagnostics = problems;
    let Workbook {
        cover: cover_sheet,
        indicators,
        actions: actions_sheet,
        ..
    } = workbook;
    checked.sheets = [cover_sheet, indicators, actions_sheet]
        .into_iter()
        .flatten()
        .collect();
    if checked.errors() == 0 {
        if let (Some(service), Some(period), Some(prepared_by), Some(submitted)) = (
            cover.service,
            cover.period,
            cover.prepared_by,
            cover.submitted,
        ) {
            checked.status = ReturnStatus::Accepted;
            checked.content = Some(Return {
                service,
                period,
                prepared_by,
                email: cover.email,
                submitted,
                template_version: cover.template_version,
                figures,
                actions,
            });
        }
    }
    checked
}

/// Applies the resubmission rule across all returns: of two accepted
/// returns for the same service and period, the later `Submitted` wins; if
/// the latest are tied, none of the tied can be trusted.
pub fn resolve_resubmissions(returns: &mut [CheckedReturn]) {
    let mut groups: BTreeMap<(String, Period), Vec<usize>> = BTreeMap::new();
    for (i, r) in returns.iter().enumerate() {
        if let Some(content) = r.accepted() {
            groups
                .entry((content.service.clone(), content.period))
                .or_default()
                .push(i);
        }
    }
    for ((service, period), members) in groups {
        if members.len() < 2 {
            continue;
        }
        let latest = members.iter().filter_map(|&i| returns[i].submitted).max();
        let winners: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| returns[i].submitted == latest)
            .collect();
        let names: HashMap<usize, String> = members
            .iter()
            .map(|&i| (i, returns[i].file.name.clone()))
            .collect();
        for &i in &members {
            if winners.len() == 1 && winners[0] == i {
                continue;
            }
            if winners.contains(&i) {
                let others: Vec<&str> = winners
                    .iter()
                    .filter(|&&j| j != i)
                    .map(|j| names[j].as_str())
                    .collect();
                let when = returns[i]
                    .submitted
                    .map(|s| s.format("%d/%m/%Y %H:%M").to_string())
                    .unwrap_or_default();
                returns[i].diagnostics.insert(
                    0,
                    Diagnostic::error(
                        "resubmission-tie",
                        format!(
                            "This return and {} are both for {service}, {} and both say Submitted {when}, so neither can be trusted. Remove the one that is wrong, or correct its Submitted date and time.",
                            others.join(" and "),
                            period.label()
                        ),
                    )
                    .on_sheet(COVER_SHEET),
                );
                returns[i].status = ReturnStatus::Rejected;
                returns[i].content = None;
            } else {
                let by = winners
                    .iter()
                    .map(|j| names[j].as_str())
                    .collect::<Vec<_>>()
                    .join(" and ");
                returns[i].status = ReturnStatus::Superseded { by };
            }
        }
    }
}

#[derive(Default)]
struct Cover {
    service: Option<String>,
    period: Option<Period>,
    prepared_by: Option<String>,
    email: Option<String>,
    submitted: Option<NaiveDateTime>,
    template_version: Option<String>,
}

/// A label found on the cover and the cell holding its value.
struct CoverField {
    label_row: u32,
    label_col: u32,
    value_at: Option<(u32, u32)>,
    value: Cell,
}

const COVER_LABELS: [&str; 6] = [
    "service",
    "period",
    "prepared by",
    "email",
    "submitted",
    "template version",
];

fn normalise_label(text: &str) -> String {
    text.trim()
        .trim_end_matches(':')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn find_cover_fields(sheet: &Sheet) -> HashMap<&'static str, CoverField> {
    let mut fields = HashMap::new();
    let Some(((r0, c0), (r1, c1))) = sheet.bounds() else {
        return fields;
    };
    for row in r0..=r1 {
        for col in c0..=c1 {
            let Cell::Text(text) = sheet.cell(row, col) else {
                continue;
            };
            let norm = normalise_label(&text);
            let Some(label) = COVER_LABELS.iter().find(|l| **l == norm) else {
                continue;
            };
            if fields.contains_key(label) {
                continue;
            }
            // The value is in the next column; officers who merge the label
            // across two cells push it one or two further, so look a little
            // way along the row.
            let mut value_at = None;
            let mut value = Cell::Empty;
            for c in col + 1..=(col + 3).min(c1.max(col + 1)) {
                let cell = sheet.cell(row, c);
                if !cell.is_empty() {
                    value_at = Some((row, c));
                    value = cell;
                    break;
                }
            }
            fields.insert(
                *label,
                CoverField {
                    label_row: row,
                    label_col: col,
                    value_at,
                    value,
                },
            );
        }
    }
    fields
}

fn check_cover(
    workbook: &Workbook,
    file: &InputFile,
    templates: &Templates,
    problems: &mut Vec<Diagnostic>,
) -> Cover {
    let mut cover = Cover::default();
    let Some(sheet) = &workbook.cover else {
        problems.push(Diagnostic::error(
            "sheet-missing",
            format!(
                "The workbook has no sheet named \"{COVER_SHEET}\" (the cover with Service, Period, Prepared by and Submitted). Sheets found: {}. Rename the cover sheet to \"{COVER_SHEET}\", or copy your figures into a blank return.",
                list_sheets(&workbook.sheet_names)
            ),
        ));
        return cover;
    };
    let name = sheet.name.as_str();
    let fields = find_cover_fields(sheet);

    // Locates a problem at the value cell, or beside the label when blank.
    let place = |f: &CoverField, d: Diagnostic| -> Diagnostic {
        let (r, c) = f.value_at.unwrap_or((f.label_row, f.label_col + 1));
        d.at(name, r, c)
    };
    let required = |label: &'static str,
                    what: &str,
                    problems: &mut Vec<Diagnostic>|
     -> Option<&CoverField> {
        let pretty = pretty_label(label);
        match fields.get(label) {
            None => {
                problems.push(
                    Diagnostic::error(
                        "cover-missing",
                        format!(
                            "The cover has no \"{pretty}\" label. Add a row with \"{pretty}\" in one column and {what} in the next."
                        ),
                    )
                    .on_sheet(name),
                );
                None
            }
            Some(f) if f.value.is_empty() => {
                problems.push(place(
                    f,
                    Diagnostic::error("cover-blank", format!("{pretty} is blank. Enter {what}.")),
                ));
                None
            }
            Some(f) => Some(f),
        }
    };

    if let Some(f) = required(
        "service",
        "the service's name, as in the service list",
        problems,
    ) {
        let text = f.value.shown();
        match templates.service(&text) {
            Some(s) => cover.service = Some(s.name.clone()),
            None => {
                let names: Vec<&str> = templates.services.iter().map(|s| s.name.as_str()).collect();
                let hint = match nearest(&text, &names) {
                    Some(n) => format!("Did you mean \"{n}\"?"),
                    None => format!("The services are: {}.", names.join(", ")),
                };
                problems.push(place(
                    f,
                    Diagnostic::error(
                        "service-unknown",
                        format!("\"{text}\" is not a service in the service list. {hint}"),
                    ),
                ));
            }
        }
    }

    if let Some(f) = required("period", "the quarter, e.g. 2014-15 Q2", problems) {
        match &f.value {
            Cell::Date(d) => problems.push(place(
                f,
                Diagnostic::error(
                    "period-unreadable",
                    format!(
                        "Period is the date {}, not a quarter. Write the quarter as text, e.g. 2014-15 Q2 (financial year, then quarter).",
                        d.format("%d/%m/%Y")
                    ),
                ),
            )),
            other => match Period::parse(&other.shown()) {
                Ok(p) => {
                    cover.period = Some(p);
                    if let Some(folder) = file.folder_period.filter(|fp| *fp != p) {
                        problems.push(place(
                            f,
                            Diagnostic::error(
                                "period-folder",
                                format!(
                                    "The return is for {} but sits in the folder for {}. Check the Period on the cover, or move the file to the {} folder.",
                                    p.label(),
                                    folder.label(),
                                    p.id()
                                ),
                            ),
                        ));
                    }
                }
                Err(e) => {
                    let mut message = e.to_string();
                    message[..1].make_ascii_uppercase();
                    problems.push(place(
                        f,
                        Diagnostic::error("period-unreadable", format!("Period {message}.")),
                    ));
                }
            },
        }
    }

    if let Some(f) = required(
        "prepared by",
        "the name of the person who prepared the return",
        problems,
    ) {
        cover.prepared_by = Some(f.value.shown());
    }

    if let Some(f) = fields.get("email") {
        let text = f.value.shown();
        if !text.is_empty() {
            if looks_like_email(&text) {
                cover.email = Some(text);
            } else {
                problems.push(place(
                    f,
                    Diagnostic::error(
                        "email-invalid",
                        format!(
                            "\"{text}\" does not look like an email address. Correct it (name@example.gov.uk) or leave it blank."
                        ),
                    ),
                ));
            }
        }
    }

    if let Some(f) = required(
        "submitted",
        "the date the return was sent, e.g. 14/10/2014",
        problems,
    ) {
        match parse_date_cell(&f.value) {
            Some(d) => cover.submitted = Some(d),
            None => problems.push(place(
                f,
                Diagnostic::error(
                    "submitted-unreadable",
                    format!(
                        "Submitted is \"{}\", which is not a date. Enter it as a date, or as text in the form 14/10/2014 (day/month/year) or 2014-10-14.",
                        f.value.shown()
                    ),
                ),
            )),
        }
    }

    if let Some(f) = fields.get("template version") {
        let text = f.value.shown();
        if !text.is_empty() {
            cover.template_version = Some(text);
        }
    }
    cover
}

fn pretty_label(label: &str) -> String {
    let mut s = label.to_string();
    s[..1].make_ascii_uppercase();
    s
}

fn list_sheets(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
        && !domain.contains('@')
}

/// A date from a cell: an Excel date, a serial number, or text in one of
/// the contract's forms (UK day/month order, never US).
pub fn parse_date_cell(cell: &Cell) -> Option<NaiveDateTime> {
    match cell {
        Cell::Date(d) => Some(*d),
        Cell::Number(n) if (36_526.0..73_051.0).contains(n) => {
            // A date cell that lost its format: 36526 is 1 January 2000.
            let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(chrono::NaiveTime::MIN);
            Some(base + chrono::Duration::milliseconds((n * 86_400_000.0).round() as i64))
        }
        Cell::Text(t) => parse_date_text(t),
        _ => None,
    }
}

fn parse_date_text(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    for f in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Some(d);
        }
    }
    for f in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return Some(d.and_time(chrono::NaiveTime::MIN));
        }
    }
    None
}

/// The columns of the Indicators table, found by header text.
#[derive(Default)]
struct Columns {
    reference: u32,
    numerator: Option<u32>,
    denominator: Option<u32>,
    value: Option<u32>,
    commentary: Option<u32>,
}

fn check_indicators(
    workbook: &Workbook,
    service: Option<&str>,
    templates: &Templates,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Figure> {
    let mut figures = Vec::new();
    let expected = service
        .map(|s| templates.indicators_for(s))
        .unwrap_or_default();
    let Some(sheet) = &workbook.indicators else {
        if service.is_none() || !expected.is_empty() {
            problems.push(Diagnostic::error(
                "sheet-missing",
                format!(
                    "The workbook has no sheet named \"{INDICATORS_SHEET}\". Sheets found: {}. Rename the sheet that holds the figures to \"{INDICATORS_SHEET}\", or copy them into a blank return.",
                    list_sheets(&workbook.sheet_names)
                ),
            ));
        }
        return figures;
    };
    let name = sheet.name.as_str();
    let Some(((r0, c0), (r1, c1))) = sheet.bounds() else {
        if !expected.is_empty() {
            problems.push(
                Diagnostic::error(
                    "indicators-empty",
                    "The Indicators sheet is empty. Fill in a row for each indicator your service returns.",
                )
                .on_sheet(name),
            );
        }
        return figures;
    };

    // The header row is the first with a cell reading "Ref".
    let mut header = None;
    'rows: for row in r0..=r1 {
        for col in c0..=c1 {
            if let Cell::Text(t) = sheet.cell(row, col) {
                if normalise_label(&t) == "ref" {
                    header = Some((row, col));
                    break 'rows;
                }
            }
        }
    }
    let Some((header_row, ref_col)) = header else {
        problems.push(
            Diagnostic::error(
                "header-missing",
                "No header row found: no cell on the Indicators sheet reads \"Ref\". Put the headings Ref, Numerator, Denominator, Value and Commentary above the figures.",
            )
            .on_sheet(name),
        );
        return figures;
    };
    let mut cols = Columns {
        reference: ref_col,
        ..Columns::default()
    };
    for col in c0..=c1 {
        if let Cell::Text(t) = sheet.cell(header_row, col) {
            let slot = match normalise_label(&t).as_str() {
                "numerator" => &mut cols.numerator,
                "denominator" => &mut cols.denominator,
                "value" => &mut cols.value,
                "commentary" | "comments" | "comment" => &mut cols.commentary,
                _ => continue,
            };
            slot.get_or_insert(col);
        }
    }
    let measures: Vec<Measure> = expected.iter().map(|i| i.measure).collect();
    let need = |present: Option<u32>, header: &str, why: bool, problems: &mut Vec<Diagnostic>| {
        if present.is_none() && why {
            problems.push(
                Diagnostic::error(
                    "header-missing",
                    format!(
                        "The header row (row {}) has no \"{header}\" column, which your service's indicators need. Add the heading \"{header}\" above that column.",
                        header_row + 1
                    ),
                )
                .at(name, header_row, c1 + 1),
            );
        }
    };
    need(
        cols.numerator,
        "Numerator",
        measures.iter().any(|m| m.needs_numerator()),
        problems,
    );
    need(
        cols.denominator,
        "Denominator",
        measures.iter().any(|m| m.needs_denominator()),
        problems,
    );
    need(
        cols.value,
        "Value",
        measures.contains(&Measure::Count),
        problems,
    );

    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in header_row + 1..=r1 {
        let ref_cell = sheet.cell(row, cols.reference);
        let figure_cols = [cols.numerator, cols.denominator, cols.value];
        let any_figure = figure_cols
            .iter()
            .flatten()
            .any(|&c| !sheet.cell(row, c).is_empty());
        let commentary = cols
            .commentary
            .map(|c| sheet.cell(row, c).shown())
            .filter(|s| !s.is_empty());
        if ref_cell.is_empty() {
            if any_figure {
                problems.push(
                    Diagnostic::error(
                        "ref-missing",
                        format!(
                            "Row {} has figures but no Ref, so they cannot be used. Enter the indicator's reference (e.g. TS3) in {}.",
                            row + 1,
                            cell_ref(row, cols.reference)
                        ),
                    )
                    .at(name, row, cols.reference),
                );
            }
            continue;
        }
        let raw_ref = ref_cell.shown();
        let reference = normalise_ref(&raw_ref);
        let Some(indicator) = templates.indicator(&reference) else {
            let refs: Vec<&str> = templates
                .indicators
                .iter()
                .map(|i| i.reference.as_str())
                .collect();
            let hint = nearest(&reference, &refs)
                .map(|n| format!(" Did you mean {n}?"))
                .unwrap_or_default();
            problems.push(
                Diagnostic::error(
                    "ref-unknown",
                    format!(
                        "\"{raw_ref}\" is not an indicator on the scorecard.{hint} Check the reference against the blank return."
                    ),
                )
                .at(name, row, cols.reference),
            );
            continue;
        };
        if let Some(first) = seen.insert(reference.clone(), row) {
            problems.push(
                Diagnostic::error(
                    "ref-duplicate",
                    format!(
                        "{reference} appears twice, on rows {} and {}. Keep one row for it and delete the other.",
                        first + 1,
                        row + 1
                    ),
                )
                .at(name, row, cols.reference),
            );
            continue;
        }
        if let Some(service) = service {
            if !indicator.services.iter().any(|s| s == service) {
                problems.push(
                    Diagnostic::warning(
                        "ref-not-for-service",
                        format!(
                            "{reference} is not an indicator {service} returns (it comes from {}), so this row's figures are not used. Delete the row, or ask the performance team if your service should return it.",
                            indicator.services.join(" and ")
                        ),
                    )
                    .at(name, row, cols.reference),
                );
                continue;
            }
        }

        let measure = indicator.measure;
        let mut row_errors = 0;
        let mut read = |col: Option<u32>,
                        what: &str,
                        whole: bool,
                        problems: &mut Vec<Diagnostic>| {
            let col = col?;
            let cell = sheet.cell(row, col);
            match number_from(&cell) {
                Ok(None) => None,
                Ok(Some(n)) => {
                    let mut problem = None;
                    if n < 0.0 {
                        problem = Some(format!(
                            "{what} for {reference} is {}, a negative number. Figures are counts of children or events: enter 0 or more.",
                            cell.shown()
                        ));
                    } else if whole && n.fract() != 0.0 {
                        problem = Some(format!(
                            "{what} for {reference} is {}; it must be a whole number (a count of children or events).",
                            cell.shown()
                        ));
                    }
                    match problem {
                        Some(p) => {
                            row_errors += 1;
                            problems.push(
                                Diagnostic::error("number-out-of-range", p).at(name, row, col),
                            );
                            None
                        }
                        None => Some(n),
                    }
                }
                Err(why) => {
                    row_errors += 1;
                    problems.push(
                        Diagnostic::error(
                            if matches!(cell, Cell::Error(_)) {
                                "number-error-cell"
                            } else {
                                "number-not-number"
                            },
                            format!("{what} for {reference} {why}"),
                        )
                        .at(name, row, col),
                    );
                    None
                }
            }
        };
        let numerator = read(
            cols.numerator,
            "Numerator",
            measure != Measure::Average,
            problems,
        );
        let denominator = read(cols.denominator, "Denominator", true, problems);
        let value = read(cols.value, "Value", false, problems);
        if row_errors > 0 {
            continue;
        }
        let figure = Figure {
            reference: reference.clone(),
            numerator,
            denominator,
            value,
            commentary: commentary.clone(),
            row: row + 1,
            cells: FigureCells {
                sheet: name.to_string(),
                numerator: cols.numerator.map(|c| (row, c)),
                denominator: cols.denominator.map(|c| (row, c)),
                value: cols.value.map(|c| (row, c)),
            },
        };
        if figure.is_no_data() {
            if commentary.is_none() {
                let at = cols.commentary.unwrap_or(c1 + 1);
                problems.push(
                    Diagnostic::error(
                        "no-data-without-commentary",
                        format!(
                            "{reference} has no figures. If there is no data this quarter, say why in the Commentary column; otherwise enter the figures."
                        ),
                    )
                    .at(name, row, at),
                );
            } else {
                figures.push(figure);
            }
            continue;
        }
        let needs = match measure {
            Measure::Percent | Measure::Average => "both a Numerator and a Denominator",
            Measure::Rate10k => "a Numerator (the number of children)",
            Measure::Count => "a Value",
        };
        let mut missing = |present: Option<f64>,
                           col: Option<u32>,
                           what: &str,
                           problems: &mut Vec<Diagnostic>| {
            if present.is_none() {
                row_errors += 1;
                problems.push(
                    Diagnostic::error(
                        "figure-missing",
                        format!(
                            "{what} for {reference} is blank, but {reference} needs {needs}. Enter it, or clear the row's figures and explain in Commentary why there is no data."
                        ),
                    )
                    .at(name, row, col.unwrap_or(c1 + 1)),
                );
            }
        };
        match measure {
            Measure::Percent | Measure::Average => {
                missing(numerator, cols.numerator, "Numerator", problems);
                missing(denominator, cols.denominator, "Denominator", problems);
            }
            Measure::Rate10k => missing(numerator, cols.numerator, "Numerator", problems),
            Measure::Count => missing(value, cols.value, "Value", problems),
        }
        if row_errors > 0 {
            continue;
        }
        if let (Some(d), true) = (denominator, measure.needs_denominator()) {
            if d == 0.0 {
                problems.push(
                    Diagnostic::error(
                        "denominator-zero",
                        format!(
                            "Denominator for {reference} is 0, so no figure can be worked out. If there were no cases this quarter, clear the figures and say so in Commentary."
                        ),
                    )
                    .at(name, row, cols.denominator.unwrap_or(c1 + 1)),
                );
                continue;
            }
        }
        if let (Measure::Percent, Some(n), Some(d)) = (measure, numerator, denominator) {
            if n > d {
                problems.push(
                    Diagnostic::error(
                        "numerator-exceeds-denominator",
                        format!(
                            "Numerator {} is larger than Denominator {} for {reference}: a percentage cannot exceed 100%. Check both figures.",
                            fmt_number(n),
                            fmt_number(d)
                        ),
                    )
                    .at(name, row, cols.numerator.unwrap_or(c1 + 1)),
                );
                continue;
            }
        }
        if let (Some(v), Measure::Percent | Measure::Average | Measure::Rate10k) = (value, measure)
        {
            let population = templates.organisation.child_population as f64;
            if let Some(computed) = measure.combine(numerator, denominator, None, population) {
                if (v - computed).abs() > 0.1 {
                    problems.push(
                        Diagnostic::error(
                            "value-disagrees",
                            format!(
                                "Value {} for {reference} does not match Numerator and Denominator, which give {}. Correct the figures, or clear Value and it will be worked out.",
                                fmt_number(v),
                                measure.display(computed)
                            ),
                        )
                        .at(name, row, cols.value.unwrap_or(c1 + 1)),
                    );
                    continue;
                }
            }
        }
        figures.push(figure);
    }
    for indicator in &expected {
        if !seen.contains_key(&indicator.reference) {
            problems.push(
                Diagnostic::warning(
                    "ref-not-returned",
                    format!(
                        "{} ({}) is missing from the return, so it will show as No data for your service. Add a row for it, with a commentary if there is no data.",
                        indicator.reference, indicator.title
                    ),
                )
                .on_sheet(name),
            );
        }
    }
    figures
}

/// Checks the optional Actions sheet: progress on the improvement plan.
fn check_actions(
    workbook: &Workbook,
    templates: &Templates,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let Some(sheet) = &workbook.actions else {
        return actions;
    };
    let name = sheet.name.as_str();
    let Some(((r0, c0), (r1, c1))) = sheet.bounds() else {
        return actions;
    };
    let mut header = None;
    'rows: for row in r0..=r1 {
        for col in c0..=c1 {
            if let Cell::Text(t) = sheet.cell(row, col) {
                if normalise_label(&t) == "ref" {
                    header = Some(row);
                    break 'rows;
                }
            }
        }
    }
    let Some(header_row) = header else {
        problems.push(
            Diagnostic::error(
                "header-missing",
                "No header row found on the Actions sheet: no cell reads \"Ref\". Put the headings Ref, Action, Lead officer, Due, Status and Update above the actions, or delete the sheet if you have no actions to report.",
            )
            .on_sheet(name),
        );
        return actions;
    };
    let find = |wanted: &[&str]| {
        (c0..=c1).find(|&c| match sheet.cell(header_row, c) {
            Cell::Text(t) => wanted.contains(&normalise_label(&t).as_str()),
            _ => false,
        })
    };
    let cols = [
        ("Ref", find(&["ref"])),
        ("Action", find(&["action"])),
        ("Lead officer", find(&["lead officer", "lead"])),
        ("Due", find(&["due", "due date"])),
        ("Status", find(&["status"])),
    ];
    let mut missing_header = false;
    for (heading, col) in &cols {
        if col.is_none() {
            missing_header = true;
            problems.push(
                Diagnostic::error(
                    "header-missing",
                    format!(
                        "The Actions header row (row {}) has no \"{heading}\" column. Add the heading \"{heading}\" above that column.",
                        header_row + 1
                    ),
                )
                .at(name, header_row, c1 + 1),
            );
        }
    }
    if missing_header {
        return actions;
    }
    let [ref_col, action_col, lead_col, due_col, status_col] = cols.map(|(_, c)| c.unwrap_or(0));
    let update_col = find(&["update", "progress"]);
    let refs: Vec<&str> = templates
        .plan
        .recommendations
        .iter()
        .map(|r| r.reference.as_str())
        .collect();
    let statuses = ActionStatus::ALL.map(|s| s.label());
    for row in header_row + 1..=r1 {
        let text = |col: u32| sheet.cell(row, col).shown();
        let used = [ref_col, action_col, lead_col, due_col, status_col]
            .iter()
            .chain(update_col.iter())
            .any(|&c| !sheet.cell(row, c).is_empty());
        if !used {
            continue;
        }
        let before = problems.len();
        let raw_ref = text(ref_col);
        let recommendation = if raw_ref.is_empty() {
            problems.push(
                Diagnostic::error(
                    "action-ref-missing",
                    format!(
                        "The action on row {} has no Ref. Enter the recommendation it answers, e.g. {}.",
                        row + 1,
                        refs.first().copied().unwrap_or("SG-01")
                    ),
                )
                .at(name, row, ref_col),
            );
            None
        } else {
            match templates.plan.recommendation(&raw_ref) {
                Some(r) => Some(r.reference.clone()),
                None => {
                    let hint = nearest(&raw_ref, &refs)
                        .map(|n| format!(" Did you mean {n}?"))
                        .unwrap_or_default();
                    problems.push(
                        Diagnostic::error(
                            "action-ref-unknown",
                            format!(
                                "\"{raw_ref}\" is not a recommendation in the improvement plan.{hint} The refs run {} to {}.",
                                refs.first().copied().unwrap_or(""),
                                refs.last().copied().unwrap_or("")
                            ),
                        )
                        .at(name, row, ref_col),
                    );
                    None
                }
            }
        };
        for (col, what, example) in [
            (action_col, "Action", "what is being done"),
            (lead_col, "Lead officer", "the person or post leading it"),
        ] {
            if text(col).is_empty() {
                problems.push(
                    Diagnostic::error(
                        "action-field-missing",
                        format!(
                            "{what} is blank for the action on row {}. Enter {example}.",
                            row + 1
                        ),
                    )
                    .at(name, row, col),
                );
            }
        }
        let due_cell = sheet.cell(row, due_col);
        let due = match parse_date_cell(&due_cell) {
            Some(d) => Some(d.date()),
            None => {
                problems.push(
                    Diagnostic::error(
                        "action-due-unreadable",
                        if due_cell.is_empty() {
                            "Due is blank. Enter the date the action is due, e.g. 31/03/2015.".to_string()
                        } else {
                            format!(
                                "Due is \"{}\", which is not a date. Enter it as a date, or as text in the form 31/03/2015 (day/month/year).",
                                due_cell.shown()
                            )
                        },
                    )
                    .at(name, row, due_col),
                );
                None
            }
        };
        let raw_status = text(status_col);
        let status = match ActionStatus::parse(&raw_status) {
            Some(s) => Some(s),
            None => {
                let hint = nearest(&raw_status, &statuses)
                    .map(|n| format!(" Did you mean \"{n}\"?"))
                    .unwrap_or_default();
                problems.push(
                    Diagnostic::error(
                        "action-status-unknown",
                        format!(
                            "Status is \"{raw_status}\", which is not one of {}.{hint} Choose one from the list.",
                            statuses.join(", ")
                        ),
                    )
                    .at(name, row, status_col),
                );
                None
            }
        };
        if problems.len() > before {
            continue;
        }
        if let (Some(reference), Some(due), Some(status)) = (recommendation, due, status) {
            actions.push(Action {
                reference,
                action: text(action_col),
                lead: text(lead_col),
                due,
                status,
                update: update_col.map(text).filter(|u| !u.is_empty()),
                row: row + 1,
            });
        }
    }
    actions
}

/// Warns about figures that moved suspiciously far from the same service's
/// previous quarter: the likely sign of a typing mistake. Warnings only: the
/// officer confirms or corrects. Counts "in the year to date" restart each
/// April, so counts are not compared across financial years.
pub fn compare_with_previous(returns: &mut [CheckedReturn], templates: &Templates) {
    let checks = &templates.organisation.checks;
    let population = templates.organisation.child_population as f64;
    let previous: HashMap<(String, Period), Vec<Figure>> = returns
        .iter()
        .filter_map(CheckedReturn::accepted)
        .map(|r| ((r.service.clone(), r.period), r.figures.clone()))
        .collect();
    for r in returns.iter_mut() {
        let Some(content) = r.accepted() else {
            continue;
        };
        let before_period = content.period.previous();
        let Some(before) = previous.get(&(content.service.clone(), before_period)) else {
            continue;
        };
        let mut warnings = Vec::new();
        for now in content.figures.iter().filter(|f| !f.is_no_data()) {
            let Some(then) = before
                .iter()
                .find(|f| f.reference == now.reference && !f.is_no_data())
            else {
                continue;
            };
            let Some(indicator) = templates.indicator(&now.reference) else {
                continue;
            };
            let m = indicator.measure;
            if m == Measure::Count && before_period.start_year() != content.period.start_year() {
                continue;
            }
            let value = |f: &Figure| m.combine(f.numerator, f.denominator, f.value, population);
            // Point at the cell the officer typed the figure in.
            let where_value = if m == Measure::Count || now.value.is_some() {
                now.cells.value
            } else {
                now.cells.numerator
            };
            if let (Some(a), Some(b)) = (value(then), value(now)) {
                let (jumped, change) = match m {
                    Measure::Percent => (
                        (b - a).abs() > checks.percent_points,
                        format!("a change of {}", m.display_change(b - a)),
                    ),
                    _ => (
                        a >= checks.small_numbers.max(f64::MIN_POSITIVE)
                            && ((b - a) / a).abs() > checks.relative_change,
                        format!(
                            "a change of {:.0}%",
                            ((b - a) / a.max(f64::MIN_POSITIVE) * 100.0).abs()
                        ),
                    ),
                };
                if jumped {
                    let mut d = Diagnostic::warning(
                        "figure-jump",
                        format!(
                            "{} for {} is {}, against {} in your {} return: {change}. If this is right, say why in Commentary; if not, check the figures.",
                            if m == Measure::Count { "Value" } else { "The figure" },
                            now.reference,
                            m.display(b),
                            m.display(a),
                            before_period.label()
                        ),
                    );
                    if let Some((row, col)) = where_value {
                        d = d.at(&now.cells.sheet, row, col);
                    }
                    warnings.push(d);
                }
            }
            if let (Some(a), Some(b)) = (then.denominator, now.denominator) {
                if a >= checks.small_numbers.max(f64::MIN_POSITIVE)
                    && ((b - a) / a).abs() > checks.denominator_change
                {
                    let mut d = Diagnostic::warning(
                        "denominator-jump",
                        format!(
                            "Denominator for {} is {}, against {} in your {} return, a change of more than {:.0}%. Check that it counts the same group of children.",
                            now.reference,
                            b,
                            a,
                            before_period.label(),
                            checks.denominator_change * 100.0
                        ),
                    );
                    if let Some((row, col)) = now.cells.denominator {
                        d = d.at(&now.cells.sheet, row, col);
                    }
                    warnings.push(d);
                }
            }
        }
        r.diagnostics.extend(warnings);
    }
}

fn fmt_number(n: f64) -> String {
    format!("{n}")
}

/// A figure from a cell: `Ok(None)` when blank, `Err` with the end of a
/// sentence saying what is wrong when it is not a number.
fn number_from(cell: &Cell) -> Result<Option<f64>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) if n.is_finite() => Ok(Some(*n)),
        Cell::Number(_) => Err("is not a finite number. Enter the figure.".into()),
        Cell::Text(t) => {
            let spaced: String = t.trim().chars().filter(|c| !c.is_whitespace()).collect();
            if spaced.is_empty() {
                return Ok(None);
            }
            // Commas are accepted only as thousands separators (1,234), so
            // that a decimal comma (1,5) is questioned rather than misread.
            if spaced.contains(',') && !grouped_in_thousands(&spaced) {
                return Err(format!(
                    "is \"{}\", which is not a number. Use digits with a full stop for decimals (e.g. 1.5); commas may only separate thousands (1,234).",
                    t.trim()
                ));
            }
            let cleaned: String = spaced.chars().filter(|c| *c != ',').collect();
            let plain = cleaned
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
            match cleaned.parse::<f64>() {
                Ok(n) if plain && n.is_finite() => Ok(Some(n)),
                _ if cleaned.ends_with('%') => Err(format!(
                    "is \"{}\", a percentage. Enter the count of children or events, not the percentage: the percentage is worked out from Numerator and Denominator.",
                    t.trim()
                )),
                _ => Err(format!(
                    "is \"{}\", which is not a number. Enter the figure as digits only (e.g. 120).",
                    t.trim()
                )),
            }
        }
        Cell::Error(e) => Err(format!(
            "shows the spreadsheet error {e}. The formula in this cell is broken: fix it, or type the figure in."
        )),
        Cell::Bool(b) => Err(format!(
            "is {}, not a number. Enter the figure.",
            if *b { "TRUE" } else { "FALSE" }
        )),
        Cell::Date(d) => Err(format!(
            "is the date {}, not a number. The cell may be formatted as a date: format it as a number and enter the figure.",
            d.format("%d/%m/%Y")
        )),
    }
}

fn grouped_in_thousands(text: &str) -> bool {
    let int_part = text.split('.').next().unwrap_or("");
    let int_part = int_part.strip_prefix('-').unwrap_or(int_part);
    let groups: Vec<&str> = int_part.split(',').collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
}

/// The closest of `options` to `text`, if close enough to be a likely typo.
pub fn nearest<'a>(text: &str, options: &[&'a str]) -> Option<&'a str> {
    let t = text.to_lowercase();
    options
        .iter()
        .map(|o| (levenshtein(&t, &o.to_lowercase()), *o))
        .filter(|(d, o)| *d <= (o.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_arrive_in_many_shapes() {
        assert_eq!(number_from(&Cell::Text(" 1,234 ".into())), Ok(Some(1234.0)));
        assert_eq!(number_from(&Cell::Text("56".into())), Ok(Some(56.0)));
        assert_eq!(
            number_from(&Cell::Text("12,345,678".into())),
            Ok(Some(12345678.0))
        );
        assert!(number_from(&Cell::Text("1,5".into())).is_err());
        assert!(number_from(&Cell::Text("1,59".into())).is_err());
        assert_eq!(number_from(&Cell::Number(7.0)), Ok(Some(7.0)));
        assert_eq!(number_from(&Cell::Empty), Ok(None));
        assert!(number_from(&Cell::Text("n/a".into()))
            .unwrap_err()
            .contains("not a number"));
        assert!(number_from(&Cell::Text("12%".into()))
            .unwrap_err()
            .contains("percentage"));
        assert!(number_from(&Cell::Text("1e5".into())).is_err());
        assert!(number_from(&Cell::Error("#DIV/0!".into()))
            .unwrap_err()
            .contains("#DIV/0!"));
    }

    #[test]
    fn dates_are_read_in_uk_order() {
        let d = parse_date_cell(&Cell::Text("03/10/2014".into())).unwrap();
        assert_eq!(d.date().to_string(), "2014-10-03");
        let d = parse_date_cell(&Cell::Text("2014-10-03 14:30".into())).unwrap();
        assert_eq!(d.to_string(), "2014-10-03 14:30:00");
        assert!(parse_date_cell(&Cell::Text("10/31/2014".into())).is_none());
        assert!(parse_date_cell(&Cell::Text("next week".into())).is_none());
        let serial = parse_date_cell(&Cell::Number(41915.0)).unwrap();
        assert_eq!(serial.date().to_string(), "2014-10-03");
    }

    #[test]
    fn suggestions_catch_typos_only() {
        let names = ["Children's Access Team", "Virtual School", "Leaving Care"];
        assert_eq!(
            nearest("Childrens Acess Team", &names),
            Some("Children's Access Team")
        );
        assert_eq!(nearest("virtual schol", &names), Some("Virtual School"));
        assert_eq!(nearest("Finance", &names), None);
        assert_eq!(nearest("TS30", &["TS3", "TS20"]), Some("TS3"));
    }

    #[test]
    fn emails_must_look_like_emails() {
        assert!(looks_like_email("a.officer@example.gov.uk"));
        assert!(!looks_like_email("a.officer"));
        assert!(!looks_like_email("a officer@example.gov.uk"));
        assert!(!looks_like_email("a@b"));
    }
}
