//! The improvement plan as data: the counts of actions by status, then one
//! table per area of the inspection's recommendations.

use super::paper::{column, Cell, PlanArea, PlanPaper, RowGroup, Table};
use super::{document_info, Sources};
use crate::improvement::{ActionProgress, PlanProgress, RecommendationProgress};
use crate::model::palette::{cell_classes, status_class};
use crate::model::returns::ActionStatus;

/// Composes the improvement plan.
pub fn compose_plan(s: &Sources) -> PlanPaper {
    let n = s.narrative;
    let plan = s.plan;
    let heading = n.passage("plan_title").join(" ");
    let subject = n.passage("plan_subject").join(" ");
    let document = document_info(s, heading.clone(), subject);
    let sm = &plan.summary;
    let counted = |n: usize, status: ActionStatus| {
        Cell::new(n.to_string())
            .style(status_class(status))
            .strong()
    };
    let counts = Table {
        id: "plan-counts".into(),
        caption: format!("Actions by status at the end of {}", plan.period.label()),
        columns: [
            "Complete",
            "On track",
            "At risk",
            "Off track",
            "Not started",
            "Overdue",
        ]
        .iter()
        .map(|h| column(*h, "center", 1.0))
        .collect(),
        row_headers: 0,
        groups: vec![RowGroup {
            heading: None,
            rows: vec![vec![
                counted(sm.complete, ActionStatus::Complete),
                counted(sm.on_track, ActionStatus::OnTrack),
                counted(sm.at_risk, ActionStatus::AtRisk),
                counted(sm.off_track, ActionStatus::OffTrack),
                counted(sm.not_started, ActionStatus::NotStarted),
                Cell::new(sm.overdue.to_string()).style("overdue").strong(),
            ]],
        }],
        wide: false,
    };
    let mut area_names: Vec<&str> = Vec::new();
    for rp in &plan.recommendations {
        if !area_names.contains(&rp.recommendation.area.as_str()) {
            area_names.push(&rp.recommendation.area);
        }
    }
    let areas = area_names
        .iter()
        .enumerate()
        .map(|(i, area)| PlanArea {
            id: format!("area-{}", i + 2),
            number: (i + 2).to_string(),
            heading: area.to_string(),
            table: area_table(plan, area, i + 2),
        })
        .collect();
    PlanPaper {
        document,
        heading,
        intro: n.passage("plan_intro").to_vec(),
        summary_heading: "Summary".into(),
        summary: n
            .passage("improvement")
            .first()
            .cloned()
            .into_iter()
            .collect(),
        counts,
        areas,
        key: n.passage("plan_key").to_vec(),
        palette: cell_classes(),
    }
}

fn area_table(plan: &PlanProgress, area: &str, number: usize) -> Table {
    let rows = plan
        .recommendations
        .iter()
        .filter(|rp| rp.recommendation.area == area)
        .flat_map(recommendation_rows)
        .collect();
    Table {
        id: format!("plan-area-{number}"),
        caption: format!(
            "{area}: each recommendation, when it was due, and the actions reported against it"
        ),
        columns: vec![
            column("Ref", "left", 1.3),
            column("Recommendation", "left", 4.9),
            column("Due", "left", 2.0),
            column("Action", "left", 4.8),
            column("Lead officer", "left", 2.6),
            column("Action due", "left", 2.0),
            column("Status", "left", 1.9),
        ],
        row_headers: 0,
        groups: vec![RowGroup {
            heading: None,
            rows,
        }],
        wide: true,
    }
}

/// A recommendation's rows: one per action, the recommendation written on
/// the first only; or one saying that no action was reported.
fn recommendation_rows(rp: &RecommendationProgress) -> Vec<Vec<Cell>> {
    let r = &rp.recommendation;
    let reference = Cell::new(r.reference.clone()).strong();
    let recommendation = Cell {
        text: r.text.clone(),
        more: vec![format!("({})", r.timescale.label().to_lowercase())],
        ..Cell::default()
    };
    let due = Cell::new(rp.due.format("%d/%m/%Y").to_string());
    if rp.actions.is_empty() {
        return vec![vec![
            reference,
            recommendation,
            due,
            Cell::new("No action reported").style("overdue").strong(),
            Cell::new("–"),
            Cell::new("–"),
            Cell::new("No action").style("overdue").strong(),
        ]];
    }
    let mut rows = Vec::new();
    for (j, a) in rp.actions.iter().enumerate() {
        let mut row = if j == 0 {
            vec![reference.clone(), recommendation.clone(), due.clone()]
        } else {
            vec![Cell::default(), Cell::default(), Cell::default()]
        };
        row.extend(action_cells(a));
        rows.push(row);
    }
    rows
}

/// An action, who leads it, when it is due and its status (flagged when
/// overdue); the latest update and the service under the action.
fn action_cells(a: &ActionProgress) -> [Cell; 4] {
    let mut more = Vec::new();
    if let Some(u) = &a.action.update {
        more.push(format!("Update: {u}"));
    }
    more.push(format!("({})", a.service));
    [
        Cell {
            text: a.action.action.clone(),
            more,
            ..Cell::default()
        },
        Cell::new(a.action.lead.clone()),
        Cell::new(a.action.due.format("%d/%m/%Y").to_string()),
        Cell {
            alert: a.overdue.then(|| "OVERDUE".to_string()),
            ..Cell::new(a.action.status.label())
                .style(status_class(a.action.status))
                .strong()
        },
    ]
}
