//! The vocabulary every stage above reading shares: a return's workbook
//! and what became of it ([`returns`], [`workbook`]), and the layout of a
//! return ([`layout`]). Types here are data; the stages that make and use
//! them live on the floors above.

pub mod layout;
pub mod palette;
pub mod returns;
pub mod workbook;
