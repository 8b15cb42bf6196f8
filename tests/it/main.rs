//! The integration tests: one binary, so that the program's library
//! (Typst included) is linked once. Each module tests one area by running
//! the built program on cases in temporary folders and reading back what
//! it wrote: text and data, never PDF bytes.

#[allow(dead_code)]
mod common;

mod blank;
mod cin;
mod corpus;
mod deploy;
mod extracts;
mod figures;
mod floors;
mod html;
mod improvement;
mod pdfua;
mod run;
mod ssda903;
mod status;
mod templates;
mod trends;
mod validation;
mod watch;
