//! The cover (sheet `Return`): service, period, who prepared it, when it
//! was submitted, found by their labels wherever they sit.

use super::*;

#[derive(Default)]
pub(super) struct Cover {
    pub(super) service: Option<String>,
    pub(super) period: Option<Period>,
    pub(super) prepared_by: Option<String>,
    pub(super) email: Option<String>,
    pub(super) submitted: Option<NaiveDateTime>,
    pub(super) template_version: Option<String>,
}

/// A label found on the cover and the cell holding its value.
pub(super) struct CoverField {
    pub(super) label_row: u32,
    pub(super) label_col: u32,
    pub(super) value_at: Option<(u32, u32)>,
    pub(super) value: Cell,
}

pub(super) fn find_cover_fields(sheet: &Sheet) -> HashMap<&'static str, CoverField> {
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

pub(super) fn check_cover(
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
    let c = CoverSheet {
        name: sheet.name.as_str(),
        fields: find_cover_fields(sheet),
    };
    if let Some(f) = c.required(
        "service",
        "the service's name, as in the service list",
        problems,
    ) {
        cover.service = c.keep(
            problems,
            service_of(f, templates).map_err(|d| c.place(f, d)),
        );
    }
    if let Some(f) = c.required("period", "the quarter, e.g. 2014-15 Q2", problems) {
        cover.period = c.keep(problems, period_of(f).map_err(|d| c.place(f, d)));
        if let (Some(p), Some(folder)) = (cover.period, file.folder_period) {
            if folder != p {
                problems.push(c.place(
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
    }
    if let Some(f) = c.required(
        "prepared by",
        "the name of the person who prepared the return",
        problems,
    ) {
        cover.prepared_by = Some(f.value.shown());
    }
    if let Some(f) = c.fields.get("email") {
        cover.email = c
            .keep(problems, email_of(f).map_err(|d| c.place(f, d)))
            .flatten();
    }
    if let Some(f) = c.required(
        "submitted",
        "the date the return was sent, e.g. 14/10/2014",
        problems,
    ) {
        cover.submitted = c.keep(problems, submitted_of(f).map_err(|d| c.place(f, d)));
    }
    if let Some(f) = c.fields.get("template version") {
        let text = f.value.shown();
        if !text.is_empty() {
            cover.template_version = Some(text);
        }
    }
    cover
}

/// The cover's labels, found, on the sheet so named.
struct CoverSheet<'a> {
    name: &'a str,
    fields: HashMap<&'static str, CoverField>,
}

impl CoverSheet<'_> {
    /// Locates a problem at the value cell, or beside the label when blank.
    fn place(&self, f: &CoverField, d: Diagnostic) -> Diagnostic {
        let (r, c) = f.value_at.unwrap_or((f.label_row, f.label_col + 1));
        d.at(self.name, r, c)
    }

    /// A required label and its value, or a problem saying what to enter.
    fn required(
        &self,
        label: &'static str,
        what: &str,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<&CoverField> {
        let pretty = pretty_label(label);
        match self.fields.get(label) {
            None => {
                problems.push(
                    Diagnostic::error(
                        "cover-missing",
                        format!(
                            "The cover has no \"{pretty}\" label. Add a row with \"{pretty}\" in one column and {what} in the next."
                        ),
                    )
                    .on_sheet(self.name),
                );
                None
            }
            Some(f) if f.value.is_empty() => {
                problems.push(self.place(
                    f,
                    Diagnostic::error("cover-blank", format!("{pretty} is blank. Enter {what}.")),
                ));
                None
            }
            Some(f) => Some(f),
        }
    }

    /// The value read, or its problem recorded.
    fn keep<T>(&self, problems: &mut Vec<Diagnostic>, read: Result<T, Diagnostic>) -> Option<T> {
        read.map_err(|d| problems.push(d)).ok()
    }
}

/// The service the cover names, as the service list spells it.
fn service_of(f: &CoverField, templates: &Templates) -> Result<String, Diagnostic> {
    let text = f.value.shown();
    if let Some(s) = templates.service(&text) {
        return Ok(s.name.clone());
    }
    let names: Vec<&str> = templates.services.iter().map(|s| s.name.as_str()).collect();
    let hint = match nearest(&text, &names) {
        Some(n) => format!("Did you mean \"{n}\"?"),
        None => format!("The services are: {}.", names.join(", ")),
    };
    Err(Diagnostic::error(
        "service-unknown",
        format!("\"{text}\" is not a service in the service list. {hint}"),
    ))
}

/// The quarter the cover names.
fn period_of(f: &CoverField) -> Result<Period, Diagnostic> {
    if let Cell::Date(d) = &f.value {
        return Err(Diagnostic::error(
            "period-unreadable",
            format!(
                "Period is the date {}, not a quarter. Write the quarter as text, e.g. 2014-15 Q2 (financial year, then quarter).",
                d.format("%d/%m/%Y")
            ),
        ));
    }
    Period::parse(&f.value.shown()).map_err(|e| {
        let mut message = e.to_string();
        message[..1].make_ascii_uppercase();
        Diagnostic::error("period-unreadable", format!("Period {message}."))
    })
}

/// The email address, when one is given; a problem when it does not look
/// like one.
fn email_of(f: &CoverField) -> Result<Option<String>, Diagnostic> {
    let text = f.value.shown();
    if text.is_empty() {
        return Ok(None);
    }
    if looks_like_email(&text) {
        return Ok(Some(text));
    }
    Err(Diagnostic::error(
        "email-invalid",
        format!(
            "\"{text}\" does not look like an email address. Correct it (name@example.gov.uk) or leave it blank."
        ),
    ))
}

/// When the return was submitted.
fn submitted_of(f: &CoverField) -> Result<NaiveDateTime, Diagnostic> {
    parse_date_cell(&f.value).ok_or_else(|| {
        Diagnostic::error(
            "submitted-unreadable",
            format!(
                "Submitted is \"{}\", which is not a date. Enter it as a date, or as text in the form 14/10/2014 (day/month/year) or 2014-10-14.",
                f.value.shown()
            ),
        )
    })
}

pub(super) fn pretty_label(label: &str) -> String {
    let mut s = label.to_string();
    s[..1].make_ascii_uppercase();
    s
}

pub(super) fn list_sheets(names: &[String]) -> String {
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

pub(super) fn looks_like_email(text: &str) -> bool {
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

pub(super) fn parse_date_text(text: &str) -> Option<NaiveDateTime> {
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
