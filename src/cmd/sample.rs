//! `scorecard sample-returns`: regenerate the sample returns in `inputs/`.

use crate::cli::{SampleArgs, EXIT_OK};
use crate::sample;
use crate::templates::Templates;

/// Writes the sample returns. Returns the exit code.
pub fn execute(args: &SampleArgs) -> anyhow::Result<u8> {
    let templates = Templates::load(&args.templates)?;
    let written = sample::write_sample_returns(&templates, &args.output)?;
    println!(
        "wrote {} sample returns in {}",
        written.len(),
        args.output.display()
    );
    Ok(EXIT_OK)
}
