//! The improvement plan documents, on the shipped sample returns.

use crate::common::*;

#[test]
fn plan_workbook_flags_overdue_and_unanswered() {
    let case = Case::shared_sample_run();
    let rows = read_sheet(
        &case.period_dir("2014-15-Q2").join("improvement-plan.xlsx"),
        "Improvement plan",
    );
    let header = rows.iter().position(|r| r[0] == "Ref").unwrap();
    let col = |name: &str| rows[header].iter().position(|h| h == name).unwrap();
    let row = |reference: &str| rows.iter().find(|r| r[0] == reference).unwrap();
    // Due dates: published 27 June 2012 plus the timescale.
    assert_eq!(row("SG-01")[col("Due")], "27/06/2012");
    assert_eq!(row("SG-03")[col("Due")], "27/09/2012");
    assert_eq!(row("SG-11")[col("Due")], "27/12/2012");
    // Overdue: due by 30 September 2014 and not complete.
    assert_eq!(row("SG-05")[col("Status")], "At risk");
    assert_eq!(row("SG-05")[col("Overdue")], "Overdue");
    assert_eq!(row("SG-01")[col("Overdue")], "");
    assert_eq!(row("SG-04")[col("Overdue")], "", "due December 2014");
    // The one recommendation nobody acted on.
    assert_eq!(row("LAC-09")[col("Action")], "No action reported");
    assert_eq!(rows[1][0], "At the end of 2014-15 Q2, services reported 21 actions against the 22 recommendations: 9 complete, 7 on track, 3 at risk, 1 off track and 1 not started. 5 are overdue (due by 30 September 2014 and not complete). Recommendation LAC-09 has no action reported against it.");
}

#[test]
fn plan_pdf_and_committee_report_carry_the_summary() {
    let case = Case::shared_sample_run();
    let dir = case.period_dir("2014-15-Q2");
    let plan = pdf_text(&dir.join("improvement-plan.pdf"));
    assert!(plan.contains("Improvement plan progress, 2014-15 Q2"));
    assert!(plan.contains("5 are overdue"));
    assert!(plan.contains("OVERDUE"));
    assert!(plan.contains("No action reported"));
    let report = pdf_text(&dir.join("committee-report.pdf"));
    assert!(report.contains("2.8 Improvement plan"));
    assert!(report.contains("5 are overdue (due by 30 September 2014 and not complete)"));
    assert!(report.contains("Appendix 1 – Ofsted 2012: record of main findings"));
    assert!(report.contains("Being healthy Inadequate"));
    assert!(report.contains("Enclosures: Appendix 1"));
}
