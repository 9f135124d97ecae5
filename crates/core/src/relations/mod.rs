//! Relationships between trading partners (SPEC-VAN 20): carbon-copy rules and interconnects.

pub mod store;
