//! Floor 2: the model every stage above shares.

pub mod palette;
