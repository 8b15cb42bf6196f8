//! `scorecard check`: validate returns without writing reports, so an
//! officer can fix a return before sending it.

use std::path::PathBuf;

use crate::cli::{CheckArgs, EXIT_OK, EXIT_PROBLEMS};
use crate::config::Templates;
use crate::discover;
use crate::model::returns::ReturnStatus;
use crate::pipeline;
use crate::records::{self, ExtractSource, ExtractStatus};

/// Checks the files named and prints each problem. Returns the exit code.
pub fn execute(args: &CheckArgs) -> anyhow::Result<u8> {
    if args.files.is_empty() {
        return check_templates(args);
    }
    // A name that is not there is a mistake on the command line, not a
    // return that went missing during a run.
    let missing: Vec<&PathBuf> = args
        .files
        .iter()
        .filter(|p| std::fs::symlink_metadata(p).is_err())
        .collect();
    if !missing.is_empty() {
        for p in &missing {
            eprintln!(
                "error: there is no file or folder {}: check its name and where it is (a name with spaces needs quotes)",
                p.display()
            );
        }
        return Ok(crate::cli::EXIT_USAGE);
    }
    let templates = Templates::load(&args.templates)?;
    let mut files = Vec::new();
    let mut extracts = Vec::new();
    for path in &args.files {
        if path.is_dir() {
            let found = discover::discover(path)?;
            extracts.extend(records::group_all(path, &found.extract_files));
            files.extend(found.returns.into_iter().map(|mut f| {
                f.name = path.join(&f.name).display().to_string();
                f
            }));
        } else {
            files.push(pipeline::input_file(&PathBuf::from(path)));
        }
    }
    let checked = pipeline::check_returns(&templates, &files);
    let mut with_errors = 0;
    for r in &checked {
        let verdict = match &r.status {
            ReturnStatus::Accepted if r.diagnostics.is_empty() => "OK, no problems".to_string(),
            ReturnStatus::Accepted => format!("OK with {} warning(s)", r.warnings()),
            ReturnStatus::Rejected => {
                with_errors += 1;
                format!(
                    "{} error(s), {} warning(s): would be rejected",
                    r.errors(),
                    r.warnings()
                )
            }
            ReturnStatus::Superseded { by } => format!("OK, but superseded by {by}"),
        };
        println!("{}: {verdict}", r.file.name);
        for d in &r.diagnostics {
            println!("  {d}");
        }
    }
    println!(
        "{} checked: {} would be accepted, {} would be rejected",
        checked.len(),
        checked.len() - with_errors,
        with_errors
    );
    with_errors += check_extracts(&extracts, &templates);
    Ok(if with_errors == 0 {
        EXIT_OK
    } else {
        EXIT_PROBLEMS
    })
}

/// Checks the extracts of children's records found in the folders named,
/// printing each problem by file, row and column (never a child's id).
/// Returns how many have errors.
fn check_extracts(sources: &[ExtractSource], templates: &Templates) -> usize {
    let extracts = records::load_all(
        sources,
        &templates.bank_holidays,
        templates.organisation.child_records,
    );
    let mut with_errors = 0;
    for e in extracts.iter().filter(|e| e.is_extract()) {
        let problems = e.all_problems();
        let errors = problems.iter().filter(|p| p.is_error()).count();
        let verdict = match &e.status {
            ExtractStatus::Refused { because } => {
                format!("would be refused: {because}")
            }
            ExtractStatus::Superseded { by } => format!("superseded by {by}"),
            ExtractStatus::Used => format!(
                "{} extract for {}: {}, {} would be left out of the figures",
                e.source.label(),
                e.period.map(|p| p.label()).unwrap_or_default(),
                crate::text::count_of(e.children, "child", "children"),
                e.left_out.len()
            ),
        };
        println!("{}: {verdict}", e.name);
        for line in records::summary::problem_lines(&problems) {
            println!("  {line}");
        }
        if errors > 0 || e.status.is_refused() {
            with_errors += 1;
        }
    }
    with_errors
}

/// Checks the templates alone: every file loads, and the report's wording
/// and every document's layout render against a scorecard with no returns,
/// so an unknown name, a ref that is not in the catalogue or a mistake in a
/// layout template is found before a real run.
fn check_templates(args: &CheckArgs) -> anyhow::Result<u8> {
    let templates = match Templates::load(&args.templates) {
        Ok(t) => t,
        Err(e) => {
            println!("{e}");
            return Ok(EXIT_PROBLEMS);
        }
    };
    // The quarter before the meeting's, or the current one's when there is
    // no readable meeting date.
    let meeting = templates
        .meeting_date()
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let period = crate::period::Period::containing(meeting).previous();
    let scorecard = crate::aggregate::aggregate(&templates, &[], period);
    let plan = crate::improvement::progress(&templates, &[], period);
    match crate::pipeline::Documents::lay_out(&templates, &scorecard, &plan) {
        Ok(_) => {
            println!(
                "{}: the templates are in order ({} indicators, {} services, {} recommendations).",
                args.templates.display(),
                templates.indicators.len(),
                templates.services.len(),
                templates.plan.recommendations.len()
            );
            Ok(EXIT_OK)
        }
        Err(e) => {
            println!("{e}");
            Ok(EXIT_PROBLEMS)
        }
    }
}
