//! What several suites of this binary share beyond the testkit: the client programs under
//! `tests/clients/`, the deployed dialect's result elements and record shapes, and JSON
//! reading.

pub(crate) mod binary;
pub(crate) mod deployed;
pub(crate) mod json;
pub(crate) mod python;
