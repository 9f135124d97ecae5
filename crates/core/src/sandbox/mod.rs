//! Sandbox partners (SPEC-VAN 21): simulated trading partners that answer what they receive, and test files.

pub mod store;
