//! Stage 4b: progress on the post-inspection improvement plan.
//!
//! Services report actions against the inspection's recommendations on the
//! Actions sheet of their return. This stage gathers the accepted actions
//! for the reported quarter under each recommendation, works out each
//! recommendation's due date from its timescale, flags actions that are
//! overdue and recommendations nobody has acted on, and counts them. Like
//! the [`Scorecard`](crate::aggregate::Scorecard), it is the one model the
//! documents draw from.

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::{Recommendation, Templates};
use crate::model::returns::{Action, ActionStatus, CheckedReturn};
use crate::period::Period;

/// One action, with who reported it and whether it is overdue.
#[derive(Debug, Clone, Serialize)]
pub struct ActionProgress {
    pub service: String,
    pub action: Action,
    /// Due on or before the last day of the quarter and not complete.
    pub overdue: bool,
}

/// A recommendation and the actions reported against it.
#[derive(Debug, Clone, Serialize)]
pub struct RecommendationProgress {
    pub recommendation: Recommendation,
    /// Publication date plus the timescale.
    pub due: NaiveDate,
    pub actions: Vec<ActionProgress>,
}

impl RecommendationProgress {
    pub fn has_action(&self) -> bool {
        !self.actions.is_empty()
    }
}

/// Counts for the summary at the top of the plan and in the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanSummary {
    pub recommendations: usize,
    pub actions: usize,
    pub complete: usize,
    pub on_track: usize,
    pub at_risk: usize,
    pub off_track: usize,
    pub not_started: usize,
    pub overdue: usize,
    /// Refs of recommendations with no action reported.
    pub without_action: Vec<String>,
}

/// The improvement plan as it stands at the end of the reported quarter.
#[derive(Debug, Clone, Serialize)]
pub struct PlanProgress {
    pub period: Period,
    /// The day actions are judged overdue against: the quarter's last day.
    pub as_at: NaiveDate,
    pub recommendations: Vec<RecommendationProgress>,
    pub summary: PlanSummary,
}

/// Whether an action is overdue at `as_at`.
pub fn is_overdue(action: &Action, as_at: NaiveDate) -> bool {
    action.status != ActionStatus::Complete && action.due <= as_at
}

/// Gathers the actions in the accepted returns for `period`.
pub fn progress(templates: &Templates, returns: &[CheckedReturn], period: Period) -> PlanProgress {
    let as_at = period.last_day();
    let plan = &templates.plan;
    let mut recommendations: Vec<RecommendationProgress> = plan
        .recommendations
        .iter()
        .map(|r| RecommendationProgress {
            recommendation: r.clone(),
            due: plan.due(r),
            actions: Vec::new(),
        })
        .collect();
    let mut accepted: Vec<_> = returns
        .iter()
        .filter_map(CheckedReturn::accepted)
        .filter(|r| r.period == period)
        .collect();
    accepted.sort_by(|a, b| a.service.cmp(&b.service));
    for ret in accepted {
        for action in &ret.actions {
            if let Some(rp) = recommendations
                .iter_mut()
                .find(|rp| rp.recommendation.reference == action.reference)
            {
                rp.actions.push(ActionProgress {
                    service: ret.service.clone(),
                    action: action.clone(),
                    overdue: is_overdue(action, as_at),
                });
            }
        }
    }
    for rp in &mut recommendations {
        rp.actions.sort_by_key(|a| (a.action.due, a.action.row));
    }
    let mut summary = PlanSummary {
        recommendations: recommendations.len(),
        ..PlanSummary::default()
    };
    for rp in &recommendations {
        if !rp.has_action() {
            summary
                .without_action
                .push(rp.recommendation.reference.clone());
        }
        for a in &rp.actions {
            summary.actions += 1;
            match a.action.status {
                ActionStatus::Complete => summary.complete += 1,
                ActionStatus::OnTrack => summary.on_track += 1,
                ActionStatus::AtRisk => summary.at_risk += 1,
                ActionStatus::OffTrack => summary.off_track += 1,
                ActionStatus::NotStarted => summary.not_started += 1,
            }
            summary.overdue += usize::from(a.overdue);
        }
    }
    PlanProgress {
        period,
        as_at,
        recommendations,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(due: &str, status: ActionStatus) -> Action {
        Action {
            reference: "SG-01".into(),
            action: "a".into(),
            lead: "l".into(),
            due: NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap(),
            status,
            update: None,
            row: 2,
        }
    }

    #[test]
    fn overdue_means_due_by_the_quarter_end_and_not_complete() {
        let end = Period::parse("2014-15 Q2").unwrap().last_day();
        assert!(is_overdue(&action("2014-06-30", ActionStatus::AtRisk), end));
        assert!(is_overdue(
            &action("2014-09-30", ActionStatus::OnTrack),
            end
        ));
        assert!(!is_overdue(
            &action("2014-10-01", ActionStatus::NotStarted),
            end
        ));
        assert!(!is_overdue(
            &action("2012-01-01", ActionStatus::Complete),
            end
        ));
    }

    #[test]
    fn due_dates_follow_publication_and_timescale() {
        use crate::config::Timescale;
        let published = NaiveDate::from_ymd_opt(2012, 6, 27).unwrap();
        assert_eq!(
            Timescale::Immediately.due(published).to_string(),
            "2012-06-27"
        );
        assert_eq!(
            Timescale::ThreeMonths.due(published).to_string(),
            "2012-09-27"
        );
        assert_eq!(
            Timescale::SixMonths.due(published).to_string(),
            "2012-12-27"
        );
        // Month ends clamp rather than spill into the next month.
        let end_of_august = NaiveDate::from_ymd_opt(2012, 8, 31).unwrap();
        assert_eq!(
            Timescale::SixMonths.due(end_of_august).to_string(),
            "2013-02-28"
        );
    }
}
