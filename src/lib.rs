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
//!  templates/ ──► templates::Templates (indicators, services, meeting, report.j2, plan)
//!                        │
//!  inputs/ ──► discover ──► read ──────► validate ──────► aggregate ─────► narrate ──────► render
//!              InputFile    ReadReturn   CheckedReturn    Scorecard        Narrative       committee-report.pdf / .html
//!                           (Workbook,   (Return |        + improvement::  (report.j2's    scorecard.xlsx
//!                           guarded,     Diagnostics)     PlanProgress     passages with   improvement-plan.pdf / .xlsx
//!                           in parallel)                  (borough figures, the figures)   data/indicators.csv
//!                                                          RAG, direction)                 feedback/*.xlsx, run-record.json
//!              │                                              ▲
//!              └─ CSV/XML ──► ssda903 (read ∥ returns ──► validate::ssda903 ──► indicators)
//!                 lists       Extract: ten figures from the children's records,
//!                             the borough figure where indicators.toml says so;
//!                             the children behind them only in restricted/ssda903-children.xlsx
//! ```
//!
//! Each stage lives in the module named after it and turns one named type
//! into the next. [`pipeline`] runs them in order. A bad return never stops
//! the run: it becomes diagnostics and a rejected status, and the rest goes
//! on. Every number printed in any document comes from the one
//! [`aggregate::Scorecard`]; renderers format, they never compute.

pub mod aggregate;
pub mod blank;
pub mod cli;
pub mod cmd;
pub mod diagnostic;
pub mod discover;
pub mod improvement;
pub mod judge;
pub mod narrative;
pub mod output;
pub mod period;
pub mod pipeline;
pub mod read;
pub mod render;
pub mod rules;
pub mod sample;
pub mod ssda903;
pub mod templates;
pub mod validate;
