//! What several suites of this binary share beyond the testkit: the client programs under
//! `tests/clients/`, and the deployed dialect's result elements and record shapes.

pub(crate) mod deployed;
pub(crate) mod python;
