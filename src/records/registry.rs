//! The child-level sources the run reads: adding one is a module that
//! implements [`ChildLevelSource`] and a line here.

use super::ChildLevelSource;
use crate::config::Source;

/// Every child-level source, in the order their extracts are listed.
pub static SOURCES: &[&dyn ChildLevelSource] =
    &[&crate::ssda903::Ssda903, &crate::cin::source::Cin];

/// The source an indicator names, when it is a child-level one.
pub fn of(source: Source) -> Option<&'static dyn ChildLevelSource> {
    SOURCES.iter().copied().find(|s| s.source() == source)
}
