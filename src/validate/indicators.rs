//! The Indicators sheet: each row's ref and figures, read as numbers
//! however they were typed, and checked against the indicator's measure.

use super::*;

/// The columns of the Indicators table, found by header text.
#[derive(Default)]
pub(super) struct Columns {
    pub(super) reference: u32,
    pub(super) numerator: Option<u32>,
    pub(super) denominator: Option<u32>,
    pub(super) value: Option<u32>,
    pub(super) commentary: Option<u32>,
}

/// Checks the Indicators sheet, row by row, returning the figures that
/// passed.
pub(super) fn check_indicators(
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
    let Some((header_row, ref_col)) = find_header(sheet, (r0, c0), (r1, c1)) else {
        problems.push(
            Diagnostic::error(
                "header-missing",
                "No header row found: no cell on the Indicators sheet reads \"Ref\". Put the headings Ref, Numerator, Denominator, Value and Commentary above the figures.",
            )
            .on_sheet(name),
        );
        return figures;
    };
    let cols = find_columns(sheet, header_row, ref_col, c0, c1);
    require_columns(&cols, &expected, name, header_row, c1, problems);
    let table = Table {
        sheet,
        name,
        cols,
        beyond: c1 + 1,
        service,
        templates,
    };
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in header_row + 1..=r1 {
        if let Some(figure) = table.check_row(row, &mut seen, problems) {
            figures.push(figure);
        }
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

/// The header row is the first with a cell reading "Ref".
pub(super) fn find_header(
    sheet: &Sheet,
    (r0, c0): (u32, u32),
    (r1, c1): (u32, u32),
) -> Option<(u32, u32)> {
    for row in r0..=r1 {
        for col in c0..=c1 {
            if let Cell::Text(t) = sheet.cell(row, col) {
                if normalise_label(&t) == "ref" {
                    return Some((row, col));
                }
            }
        }
    }
    None
}

/// The figure columns, by their headings in the header row.
fn find_columns(sheet: &Sheet, header_row: u32, ref_col: u32, c0: u32, c1: u32) -> Columns {
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
    cols
}

/// Each column the service's indicators need is in the header row.
fn require_columns(
    cols: &Columns,
    expected: &[&crate::config::Indicator],
    name: &str,
    header_row: u32,
    c1: u32,
    problems: &mut Vec<Diagnostic>,
) {
    let measures: Vec<Measure> = expected.iter().map(|i| i.measure).collect();
    for (present, header, why) in [
        (
            cols.numerator,
            "Numerator",
            measures.iter().any(|m| m.needs_numerator()),
        ),
        (
            cols.denominator,
            "Denominator",
            measures.iter().any(|m| m.needs_denominator()),
        ),
        (cols.value, "Value", measures.contains(&Measure::Count)),
    ] {
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
    }
}

/// The Indicators table, once its columns are known.
struct Table<'a> {
    sheet: &'a Sheet,
    name: &'a str,
    cols: Columns,
    /// The column just beyond the table, where a missing column's problem
    /// is placed.
    beyond: u32,
    service: Option<&'a str>,
    templates: &'a Templates,
}

impl<'a> Table<'a> {
    /// Checks one row; its figure when it passed.
    fn check_row(
        &self,
        row: u32,
        seen: &mut HashMap<String, u32>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<Figure> {
        let indicator = self.identify(row, seen, problems)?;
        let reference = indicator.reference.as_str();
        let measure = indicator.measure;
        let commentary = self
            .cols
            .commentary
            .map(|c| self.sheet.cell(row, c).shown())
            .filter(|s| !s.is_empty());
        let before = problems.len();
        let numerator = self.number(
            row,
            self.cols.numerator,
            "Numerator",
            reference,
            measure != Measure::Average,
            problems,
        );
        let denominator = self.number(
            row,
            self.cols.denominator,
            "Denominator",
            reference,
            true,
            problems,
        );
        let value = self.number(row, self.cols.value, "Value", reference, false, problems);
        if problems.len() > before {
            return None;
        }
        let figure = Figure {
            reference: reference.to_string(),
            numerator,
            denominator,
            value,
            commentary,
            row: row + 1,
            cells: FigureCells {
                sheet: self.name.to_string(),
                numerator: self.cols.numerator.map(|c| (row, c)),
                denominator: self.cols.denominator.map(|c| (row, c)),
                value: self.cols.value.map(|c| (row, c)),
            },
        };
        if figure.is_no_data() {
            if figure.commentary.is_none() {
                let at = self.cols.commentary.unwrap_or(self.beyond);
                problems.push(
                    Diagnostic::error(
                        "no-data-without-commentary",
                        format!(
                            "{reference} has no figures. If there is no data this quarter, say why in the Commentary column; otherwise enter the figures."
                        ),
                    )
                    .at(self.name, row, at),
                );
                return None;
            }
            return Some(figure);
        }
        self.check_figures(&figure, measure, problems)
            .then_some(figure)
    }

    /// The row's indicator, when its Ref is one the service returns and
    /// has not been used on an earlier row.
    fn identify(
        &self,
        row: u32,
        seen: &mut HashMap<String, u32>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<&'a crate::config::Indicator> {
        let (name, col) = (self.name, self.cols.reference);
        let ref_cell = self.sheet.cell(row, col);
        if ref_cell.is_empty() {
            problems.extend(self.figures_without_ref(row));
            return None;
        }
        let raw_ref = ref_cell.shown();
        let reference = normalise_ref(&raw_ref);
        let Some(indicator) = self.templates.indicator(&reference) else {
            problems.push(self.unknown_ref(&raw_ref, &reference, row));
            return None;
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
                .at(name, row, col),
            );
            return None;
        }
        if let Some(service) = self.service {
            if !indicator.services.iter().any(|s| s == service) {
                problems.push(
                    Diagnostic::warning(
                        "ref-not-for-service",
                        format!(
                            "{reference} is not an indicator {service} returns (it comes from {}), so this row's figures are not used. Delete the row, or ask the performance team if your service should return it.",
                            indicator.services.join(" and ")
                        ),
                    )
                    .at(name, row, col),
                );
                return None;
            }
        }
        Some(indicator)
    }

    /// A row with no Ref: a problem when it holds figures, which would
    /// otherwise be lost without a word; nothing when it is blank.
    fn figures_without_ref(&self, row: u32) -> Option<Diagnostic> {
        let col = self.cols.reference;
        let figure_cols = [self.cols.numerator, self.cols.denominator, self.cols.value];
        let any_figure = figure_cols
            .iter()
            .flatten()
            .any(|&c| !self.sheet.cell(row, c).is_empty());
        any_figure.then(|| {
            Diagnostic::error(
                "ref-missing",
                format!(
                    "Row {} has figures but no Ref, so they cannot be used. Enter the indicator's reference (e.g. TS3) in {}.",
                    row + 1,
                    cell_ref(row, col)
                ),
            )
            .at(self.name, row, col)
        })
    }

    /// A Ref that is no indicator on the scorecard, with the nearest one
    /// as a suggestion when it is close enough to be a slip.
    fn unknown_ref(&self, raw_ref: &str, reference: &str, row: u32) -> Diagnostic {
        let refs: Vec<&str> = self
            .templates
            .indicators
            .iter()
            .map(|i| i.reference.as_str())
            .collect();
        let hint = nearest(reference, &refs)
            .map(|n| format!(" Did you mean {n}?"))
            .unwrap_or_default();
        Diagnostic::error(
            "ref-unknown",
            format!(
                "\"{raw_ref}\" is not an indicator on the scorecard.{hint} Check the reference against the blank return."
            ),
        )
        .at(self.name, row, self.cols.reference)
    }

    /// A figure cell as a number, with a problem when it is not one, is
    /// negative, or (`whole`) is not a whole number.
    fn number(
        &self,
        row: u32,
        col: Option<u32>,
        what: &str,
        reference: &str,
        whole: bool,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<f64> {
        let col = col?;
        let cell = self.sheet.cell(row, col);
        let (rule, message) = match number_from(&cell) {
            Ok(None) => return None,
            Ok(Some(n)) if n < 0.0 => (
                "number-out-of-range",
                format!(
                    "{what} for {reference} is {}, a negative number. Figures are counts of children or events: enter 0 or more.",
                    cell.shown()
                ),
            ),
            Ok(Some(n)) if whole && n.fract() != 0.0 => (
                "number-out-of-range",
                format!(
                    "{what} for {reference} is {}; it must be a whole number (a count of children or events).",
                    cell.shown()
                ),
            ),
            Ok(Some(n)) => return Some(n),
            Err(why) => (
                if matches!(cell, Cell::Error(_)) {
                    "number-error-cell"
                } else {
                    "number-not-number"
                },
                format!("{what} for {reference} {why}"),
            ),
        };
        problems.push(Diagnostic::error(rule, message).at(self.name, row, col));
        None
    }

    /// The row has every figure its measure needs, and they agree with one
    /// another. Reports the first problem found.
    fn check_figures(
        &self,
        figure: &Figure,
        measure: Measure,
        problems: &mut Vec<Diagnostic>,
    ) -> bool {
        let reference = figure.reference.as_str();
        let (name, row, cols) = (self.name, figure.row - 1, &self.cols);
        let needs = match measure {
            Measure::Percent | Measure::Average => "both a Numerator and a Denominator",
            Measure::Rate10k => "a Numerator (the number of children)",
            Measure::Count => "a Value",
        };
        let required: &[(Option<f64>, Option<u32>, &str)] = match measure {
            Measure::Percent | Measure::Average => &[
                (figure.numerator, cols.numerator, "Numerator"),
                (figure.denominator, cols.denominator, "Denominator"),
            ],
            Measure::Rate10k => &[(figure.numerator, cols.numerator, "Numerator")],
            Measure::Count => &[(figure.value, cols.value, "Value")],
        };
        let mut complete = true;
        for (present, col, what) in required {
            if present.is_none() {
                complete = false;
                problems.push(
                    Diagnostic::error(
                        "figure-missing",
                        format!(
                            "{what} for {reference} is blank, but {reference} needs {needs}. Enter it, or clear the row's figures and explain in Commentary why there is no data."
                        ),
                    )
                    .at(name, row, col.unwrap_or(self.beyond)),
                );
            }
        }
        if !complete {
            return false;
        }
        match self.disagreement(figure, measure) {
            Some((rule, message, col)) => {
                problems.push(Diagnostic::error(rule, message).at(
                    name,
                    row,
                    col.unwrap_or(self.beyond),
                ));
                false
            }
            None => true,
        }
    }

    /// A zero denominator, a percentage over 100, or a Value that does not
    /// match its Numerator and Denominator: the rule, message and column.
    fn disagreement(
        &self,
        figure: &Figure,
        measure: Measure,
    ) -> Option<(&'static str, String, Option<u32>)> {
        let reference = figure.reference.as_str();
        let (numerator, denominator, value) = (figure.numerator, figure.denominator, figure.value);
        if let (Some(d), true) = (denominator, measure.needs_denominator()) {
            if d == 0.0 {
                return Some((
                    "denominator-zero",
                    format!(
                        "Denominator for {reference} is 0, so no figure can be worked out. If there were no cases this quarter, clear the figures and say so in Commentary."
                    ),
                    self.cols.denominator,
                ));
            }
        }
        if let (Measure::Percent, Some(n), Some(d)) = (measure, numerator, denominator) {
            if n > d {
                return Some((
                    "numerator-exceeds-denominator",
                    format!(
                        "Numerator {} is larger than Denominator {} for {reference}: a percentage cannot exceed 100%. Check both figures.",
                        fmt_number(n),
                        fmt_number(d)
                    ),
                    self.cols.numerator,
                ));
            }
        }
        if let (Some(v), Measure::Percent | Measure::Average | Measure::Rate10k) = (value, measure)
        {
            let population = self.templates.organisation.child_population as f64;
            if let Some(computed) = measure.combine(numerator, denominator, None, population) {
                if (v - computed).abs() > 0.1 {
                    return Some((
                        "value-disagrees",
                        format!(
                            "Value {} for {reference} does not match Numerator and Denominator, which give {}. Correct the figures, or clear Value and it will be worked out.",
                            fmt_number(v),
                            measure.display(computed)
                        ),
                        self.cols.value,
                    ));
                }
            }
        }
        None
    }
}

pub(super) fn fmt_number(n: f64) -> String {
    format!("{n}")
}

/// A figure from a cell: `Ok(None)` when blank, `Err` with the end of a
/// sentence saying what is wrong when it is not a number.
pub(super) fn number_from(cell: &Cell) -> Result<Option<f64>, String> {
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

pub(super) fn grouped_in_thousands(text: &str) -> bool {
    let int_part = text.split('.').next().unwrap_or("");
    let int_part = int_part.strip_prefix('-').unwrap_or(int_part);
    let groups: Vec<&str> = int_part.split(',').collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
}
