//! The command line: `scorecard run`, `scorecard check`,
//! `scorecard template`, `scorecard sample-returns`, `scorecard watch`. Each subcommand is a file in `cmd/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::period::Period;

/// Exit status: everything worked and every return was accepted.
pub const EXIT_OK: u8 = 0;
/// Exit status: the run could not finish (broken templates, unwritable output).
pub const EXIT_FAILURE: u8 = 1;
/// Exit status: the command line was wrong (clap's own code).
pub const EXIT_USAGE: u8 = 2;
/// Exit status: reports were written, but some returns were rejected or some
/// services sent none (`run`), or some files have errors (`check`).
pub const EXIT_PROBLEMS: u8 = 3;

/// Turns children's services' quarterly returns into committee papers.
///
/// Exit status: 0 all returns accepted; 3 reports written but some returns
/// were rejected or missing (or, for check, some files have errors);
/// 1 the run failed; 2 the command line was wrong.
#[derive(Debug, Parser)]
#[command(name = "scorecard", version, about, long_about = None)]
pub struct Cli {
    /// Show more detail (-v: each file and output; -vv: debugging).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Show only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read every return, combine the figures and write the committee
    /// report, scorecard, CSV, feedback and run record.
    Run(RunArgs),
    /// Check returns against the contract without writing reports; with no
    /// files, check the templates alone.
    Check(CheckArgs),
    /// Write a blank return for a service to fill in (or one for every
    /// service with --all).
    Template(TemplateArgs),
    /// Write the sample returns (the ones shipped in inputs/).
    SampleReturns(SampleArgs),
    /// Watch the inputs folder: check each return as it arrives or changes,
    /// write its feedback and keep the status page (returns.html) up to
    /// date, until Ctrl-C. Writes no committee documents.
    Watch(WatchArgs),
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Folder holding the returns (sub-folders are watched too).
    #[arg(long, default_value = "inputs")]
    pub inputs: PathBuf,
    /// Folder holding the templates (changes to them are picked up).
    #[arg(long, default_value = "templates")]
    pub templates: PathBuf,
    /// Folder the feedback and status page are written to, under a folder
    /// per quarter.
    #[arg(long, default_value = "output")]
    pub output: PathBuf,
    /// Quarter whose status page to keep, e.g. 2014-15-Q3, or "previous"
    /// (the last quarter to have ended) [default: the latest in the inputs
    /// folder, following it as new quarters' returns arrive].
    #[arg(long, value_parser = parse_period)]
    pub period: Option<Period>,
    /// Look for changes every --poll-interval seconds rather than wait for
    /// the system to report them (chosen by itself on a network share).
    #[arg(long)]
    pub poll: bool,
    /// Seconds between looks when polling.
    #[arg(long, default_value_t = 2.0, value_parser = parse_interval)]
    pub poll_interval: f64,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["service", "all"])))]
pub struct TemplateArgs {
    /// The service, by name or code (e.g. "Leaving Care" or LC).
    #[arg(long)]
    pub service: Option<String>,
    /// Write one blank return for every service.
    #[arg(long)]
    pub all: bool,
    /// The quarter to pre-fill, e.g. 2014-15-Q3.
    #[arg(long, value_parser = parse_period)]
    pub period: Option<Period>,
    /// Folder to write to (made if needed), or with --service a file
    /// ending .xlsx [default: "<code> return <period>.xlsx" in the current
    /// folder].
    #[arg(short, long, value_name = "FILE_OR_DIR")]
    pub output: Option<PathBuf>,
    /// Folder holding the templates.
    #[arg(long, default_value = "templates")]
    pub templates: PathBuf,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Folder holding the returns (sub-folders are read too).
    #[arg(long, default_value = "inputs")]
    pub inputs: PathBuf,
    /// Folder holding the templates.
    #[arg(long, default_value = "templates")]
    pub templates: PathBuf,
    /// Folder the reports are written to, under a folder per quarter.
    #[arg(long, default_value = "output")]
    pub output: PathBuf,
    /// Quarter to report, e.g. 2014-15-Q2, or "previous" (the last
    /// quarter to have ended, for a scheduled run) [default: the latest
    /// found].
    #[arg(long, value_parser = parse_period, conflicts_with = "all_periods")]
    pub period: Option<Period>,
    /// Report every quarter found, each in its own folder (to regenerate
    /// the history after a definition or target changes).
    #[arg(long)]
    pub all_periods: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Folder holding the templates.
    #[arg(long, default_value = "templates")]
    pub templates: PathBuf,
    /// Return files to check, or folders of them. Without any, the
    /// templates themselves are checked.
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Folder holding the templates (for the services and indicators).
    #[arg(long, default_value = "templates")]
    pub templates: PathBuf,
    /// Folder to write the returns to.
    #[arg(long, default_value = "inputs")]
    pub output: PathBuf,
}

fn parse_period(text: &str) -> Result<Period, String> {
    if text.trim().eq_ignore_ascii_case("previous") {
        return Ok(Period::containing(chrono::Local::now().date_naive()).previous());
    }
    Period::parse(text)
        .map_err(|e| format!("{e} (or \"previous\": the last quarter to have ended)"))
}

fn parse_interval(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if (0.1..=3600.0).contains(&s) => Ok(s),
        _ => Err(format!(
            "\"{text}\" is not a number of seconds from 0.1 to 3600"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn period_accepts_the_folder_form() {
        let cli = Cli::try_parse_from(["scorecard", "run", "--period", "2014-15-Q1"]).unwrap();
        let Command::Run(args) = cli.command else {
            panic!("expected run")
        };
        assert_eq!(args.period.map(|p| p.id()), Some("2014-15-Q1".to_string()));
        assert!(Cli::try_parse_from(["scorecard", "run", "--period", "Sept"]).is_err());
    }

    #[test]
    fn previous_is_the_last_quarter_to_have_ended() {
        let cli = Cli::try_parse_from(["scorecard", "watch", "--period", "previous"]).unwrap();
        let Command::Watch(args) = cli.command else {
            panic!("expected watch")
        };
        let today = chrono::Local::now().date_naive();
        let period = args.period.unwrap();
        assert!(period.last_day() < today);
        assert!(period.next().last_day() >= today);
        assert!(
            Cli::try_parse_from(["scorecard", "watch", "--poll-interval", "0"]).is_err(),
            "an interval of nothing would spin"
        );
    }
}
