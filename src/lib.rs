//! # scorecard
//!
//! Turns the quarterly performance returns of a council's children's
//! services into the papers its councillors read: a committee report (PDF),
//! an Excel scorecard, a tidy CSV of every figure, feedback for each return
//! with problems, and a record of the run.
//!
//! ## Stages
//!
//! ```text
//!  templates/ ──► config::Templates (indicators, services, meeting, report.j2, outline, layouts, plan)
//!                        │
//!  inputs/ ──► discover ──► read ──────► validate ──────► aggregate ─────► narrative ────► compose ──────► typeset ──────► render
//!              InputFile    Workbook     CheckedReturn    Scorecard        Narrative       Paper,          Typeset         committee-report.pdf / .html
//!                           (guarded,    (Return |        + improvement::  (report.j2's    PlanPaper       (report.typ,    improvement-plan.pdf / .xlsx
//!                           in parallel) Diagnostics)     PlanProgress     passages, the   (sections,      improvement-    scorecard.xlsx
//!                                                         (borough figures, outline's      tables, charts  plan.typ: PDF/UA data/indicators.csv
//!                                                          RAG, direction)  headings)      as data)        report.html.j2) feedback/*.xlsx, run-record.json
//!              │                                              ▲                                                            returns.html (status::ReturnsStatus)
//!              └─ CSV/XML ──► records (read ∥ returns) ───────┘
//!                             ChildLevelSource: the SSDA903 (ssda903/) and the children in
//!                             need census (cin/), one module per source;
//!                             records::Extract: figures with the children behind them, the
//!                             borough figure where indicators.toml says so; the children
//!                             only in restricted/<source>-children.xlsx
//! ```
//!
//! ## Floors
//!
//! Each module uses only modules on its own floor or below, so the
//! vocabulary never depends on the stages that use it (`tests/it/floors.rs`
//! fails on a `crate::` path that points up):
//!
//! ```text
//!  9  pipeline  watch  cmd  cli  blank  sample      what runs it all
//!  8  render                                         writers only
//!  7  typeset                                        Typst, in memory
//!  6  compose                                        the report and plan as data, charts as SVG
//!  5  narrative                                      the report's wording
//!  4  aggregate  improvement  status                 borough figures, plan progress, returns' status
//!  3  discover  read  validate  records  ssda903  cin   inputs: returns and extracts, read and checked
//!  2  model                                          returns, the workbook layout, one palette
//!  1  config                                         the templates: schema, loading, checks, names
//!  0  period  judge  diagnostic  rules  text  calendar  lines  fonts  output  encoding  memory  xml  dice
//! ```
//!
//! Each stage lives in the module named after it and turns one named type
//! into the next. [`pipeline`] runs them in order, one [`pipeline::Quarter`]
//! per quarter reported. A bad return never stops the run: it becomes
//! diagnostics and a rejected status, and the rest goes on. Every number
//! printed in any document comes from the one [`aggregate::Scorecard`];
//! the committee report is composed once as data ([`compose::Paper`]) that
//! the print and web layouts only arrange, and everything is typeset
//! before anything is written, so a mistake in a template leaves the
//! previous reports whole. Renderers write; they never compute.
//!
//! [`watch`] runs discover → read → validate (and the rules across returns)
//! each time a return arrives, writing only the feedback and the status page
//! ([`status::ReturnsStatus`] → `returns.html`); the committee documents are
//! left to the quarterly run.

pub mod aggregate;
pub mod blank;
pub mod calendar;
pub mod cin;
pub mod cli;
pub mod cmd;
pub mod compose;
pub mod config;

pub mod diagnostic;
pub mod dice;
pub mod discover;
pub mod encoding;
pub mod fonts;
pub mod improvement;
pub mod judge;
pub mod lines;
pub mod memory;
pub mod model;
pub mod narrative;
pub mod output;
pub mod period;
pub mod pipeline;
pub mod read;
pub mod records;
pub mod render;
pub mod rules;
pub mod sample;
pub mod ssda903;
pub mod status;

pub mod text;
pub mod typeset;
pub mod validate;
pub mod watch;
pub mod xml;
