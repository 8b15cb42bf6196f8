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
