//! `scorecard run`: the quarterly job.

use crate::cli::{RunArgs, EXIT_OK, EXIT_PROBLEMS};
use crate::pipeline::{self, RunOptions};

/// Runs the pipeline and prints the closing summary. Returns the exit code.
pub fn execute(args: &RunArgs) -> anyhow::Result<u8> {
    let report = pipeline::run(&RunOptions {
        inputs: args.inputs.clone(),
        templates: args.templates.clone(),
        output: args.output.clone(),
        period: args.period,
        all_periods: args.all_periods,
    })?;
    let quarters = if report.periods == 1 {
        report.period.label()
    } else {
        format!("{} quarters to {}", report.periods, report.period.label())
    };
    println!(
        "{}: {} returns read, {} accepted, {} rejected, {} superseded{}; reports in {} ({:.2}s)",
        quarters,
        report.read,
        report.accepted,
        report.rejected,
        report.superseded,
        if report.skipped > 0 {
            format!(", {} other files skipped", report.skipped)
        } else {
            String::new()
        },
        report.out_dir.display(),
        report.seconds
    );
    for (source, name, because) in &report.refused_extracts {
        println!(
            "{source} extract {name} REFUSED, so its figures come from the services' returns: {because}. The problems are listed in the quarter's restricted/feedback/ folder."
        );
    }
    for (source, name, children, left_out) in &report.extracts {
        println!(
            "{source} extract {name}: {}, {left_out} left out of the figures{}.",
            crate::text::count_of(*children, "child", "children"),
            if *left_out > 0 {
                " (see the extract's feedback in the quarter's restricted/feedback/ folder)"
            } else {
                ""
            }
        );
    }
    if !report.services_rejected.is_empty() {
        println!(
            "Rejected, so not in the figures: {}. Their feedback is in {}.",
            report.services_rejected.join(", "),
            report.out_dir.join("feedback").display()
        );
    }
    if !report.services_missing.is_empty() {
        println!("No return from: {}.", report.services_missing.join(", "));
    }
    Ok(if report.clean() {
        EXIT_OK
    } else {
        EXIT_PROBLEMS
    })
}
