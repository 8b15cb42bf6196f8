//! `scorecard watch`: keep feedback and the status page up to date while
//! the returns come in (see [`crate::watch`]).

use std::time::Duration;

use anyhow::Context;

use crate::cli::{WatchArgs, EXIT_OK};
use crate::watch::{self, Wake, Watch, WatchOptions};

/// Watches until Ctrl-C, SIGTERM or SIGHUP. Returns the exit code: 0 after
/// a clean stop.
pub fn execute(args: &WatchArgs) -> anyhow::Result<u8> {
    let mut watch = Watch::new(WatchOptions {
        inputs: args.inputs.clone(),
        templates: args.templates.clone(),
        output: args.output.clone(),
        period: args.period,
        poll: args
            .poll
            .then(|| Duration::from_secs_f64(args.poll_interval)),
        poll_interval: Duration::from_secs_f64(args.poll_interval),
    })?;
    let (wake, wakes) = watch::channel();
    let stop = wake.clone();
    // The handler only asks the loop to stop; the loop finishes what it is
    // writing first, so no file is left half-written.
    ctrlc::set_handler(move || {
        let _ = stop.send(Wake::Stop);
    })
    .context("cannot listen for Ctrl-C and SIGTERM")?;
    watch.run(wake, wakes)?;
    Ok(EXIT_OK)
}
