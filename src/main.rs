//! The `scorecard` binary: parses the command line, sets up logging and
//! maps the outcome to an exit status (see [`scorecard::cli`]).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use scorecard::cli::{Cli, Command, EXIT_FAILURE};
use scorecard::cmd;
use tracing_subscriber::EnvFilter;

/// Laying out and writing the PDFs allocates heavily in many small pieces,
/// which mimalloc serves faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .without_time()
        .init();

    let outcome = match &cli.command {
        Command::Run(args) => cmd::run::execute(args),
        Command::Check(args) => cmd::check::execute(args),
        Command::Template(args) => cmd::template::execute(args),
        Command::SampleReturns(args) => cmd::sample::execute(args),
        Command::Watch(args) => cmd::watch::execute(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
