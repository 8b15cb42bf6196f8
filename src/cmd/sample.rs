//! `scorecard sample-returns`: regenerate the sample returns, SSDA903
//! extracts and children in need censuses in `inputs/`.

use crate::cli::{SampleArgs, EXIT_OK};
use crate::config::Templates;
use crate::sample;

/// Writes the sample returns. Returns the exit code.
pub fn execute(args: &SampleArgs) -> anyhow::Result<u8> {
    let templates = Templates::load(&args.templates)?;
    let written = sample::write_sample_returns(&templates, &args.output)?;
    let returns = written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .count();
    println!(
        "wrote {returns} sample returns and {} files of sample SSDA903 extracts and children in need censuses in {}",
        written.len() - returns,
        args.output.display()
    );
    Ok(EXIT_OK)
}
