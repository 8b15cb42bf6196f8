//! One file per subcommand.
pub mod check;
pub mod run;
pub mod sample;
pub mod template;
pub mod watch;
