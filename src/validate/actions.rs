//! The Actions sheet: progress on the improvement plan's recommendations.

use super::*;

/// Checks the optional Actions sheet: progress on the improvement plan.
pub(super) fn check_actions(
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
    // The header row is the first with a cell reading "Ref", as on the
    // Indicators sheet.
    let Some((header_row, _)) = super::indicators::find_header(sheet, (r0, c0), (r1, c1)) else {
        problems.push(
            Diagnostic::error(
                "header-missing",
                "No header row found on the Actions sheet: no cell reads \"Ref\". Put the headings Ref, Action, Lead officer, Due, Status and Update above the actions, or delete the sheet if you have no actions to report.",
            )
            .on_sheet(name),
        );
        return actions;
    };
    let Some(cols) = action_columns(sheet, name, header_row, c0, c1, problems) else {
        return actions;
    };
    let table = ActionsTable {
        sheet,
        name,
        templates,
        cols,
    };
    for row in header_row + 1..=r1 {
        if let Some(action) = table.check_row(row, problems) {
            actions.push(action);
        }
    }
    actions
}

/// The Actions table's columns, by their headings; `None`, with a problem
/// for each, when a required heading is missing.
fn action_columns(
    sheet: &Sheet,
    name: &str,
    header_row: u32,
    c0: u32,
    c1: u32,
    problems: &mut Vec<Diagnostic>,
) -> Option<ActionColumns> {
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
        return None;
    }
    let [reference, action, lead, due, status] = cols.map(|(_, c)| c.unwrap_or(0));
    Some(ActionColumns {
        reference,
        action,
        lead,
        due,
        status,
        update: find(&["update", "progress"]),
    })
}

/// Where each heading of the Actions table is.
struct ActionColumns {
    reference: u32,
    action: u32,
    lead: u32,
    due: u32,
    status: u32,
    update: Option<u32>,
}

/// The Actions table, once its columns are known.
struct ActionsTable<'a> {
    sheet: &'a Sheet,
    name: &'a str,
    templates: &'a Templates,
    cols: ActionColumns,
}

impl ActionsTable<'_> {
    fn text(&self, row: u32, col: u32) -> String {
        self.sheet.cell(row, col).shown()
    }

    /// One row's action, when every field is in order; blank rows are
    /// passed over.
    fn check_row(&self, row: u32, problems: &mut Vec<Diagnostic>) -> Option<Action> {
        let c = &self.cols;
        let used = [c.reference, c.action, c.lead, c.due, c.status]
            .iter()
            .chain(c.update.iter())
            .any(|&col| !self.sheet.cell(row, col).is_empty());
        if !used {
            return None;
        }
        let before = problems.len();
        let recommendation = self.recommendation(row, problems);
        for (col, what, example) in [
            (c.action, "Action", "what is being done"),
            (c.lead, "Lead officer", "the person or post leading it"),
        ] {
            if self.text(row, col).is_empty() {
                problems.push(
                    Diagnostic::error(
                        "action-field-missing",
                        format!(
                            "{what} is blank for the action on row {}. Enter {example}.",
                            row + 1
                        ),
                    )
                    .at(self.name, row, col),
                );
            }
        }
        let due = self.due(row, problems);
        let status = self.status(row, problems);
        if problems.len() > before {
            return None;
        }
        Some(Action {
            reference: recommendation?,
            action: self.text(row, c.action),
            lead: self.text(row, c.lead),
            due: due?,
            status: status?,
            update: c
                .update
                .map(|col| self.text(row, col))
                .filter(|u| !u.is_empty()),
            row: row + 1,
        })
    }

    /// The recommendation the action answers, as the plan spells it.
    fn recommendation(&self, row: u32, problems: &mut Vec<Diagnostic>) -> Option<String> {
        let col = self.cols.reference;
        let refs: Vec<&str> = self
            .templates
            .plan
            .recommendations
            .iter()
            .map(|r| r.reference.as_str())
            .collect();
        let raw_ref = self.text(row, col);
        if raw_ref.is_empty() {
            problems.push(
                Diagnostic::error(
                    "action-ref-missing",
                    format!(
                        "The action on row {} has no Ref. Enter the recommendation it answers, e.g. {}.",
                        row + 1,
                        refs.first().copied().unwrap_or("SG-01")
                    ),
                )
                .at(self.name, row, col),
            );
            return None;
        }
        if let Some(r) = self.templates.plan.recommendation(&raw_ref) {
            return Some(r.reference.clone());
        }
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
            .at(self.name, row, col),
        );
        None
    }

    fn due(&self, row: u32, problems: &mut Vec<Diagnostic>) -> Option<NaiveDate> {
        let col = self.cols.due;
        let due_cell = self.sheet.cell(row, col);
        if let Some(d) = parse_date_cell(&due_cell) {
            return Some(d.date());
        }
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
            .at(self.name, row, col),
        );
        None
    }

    fn status(&self, row: u32, problems: &mut Vec<Diagnostic>) -> Option<ActionStatus> {
        let col = self.cols.status;
        let raw_status = self.text(row, col);
        if let Some(s) = ActionStatus::parse(&raw_status) {
            return Some(s);
        }
        let statuses = ActionStatus::ALL.map(|s| s.label());
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
            .at(self.name, row, col),
        );
        None
    }
}
