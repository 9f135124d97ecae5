//! Interconnects between trading partners (SPEC-VAN 20).

use super::Registration;

pub(super) const OPERATIONS: &[Registration] = &[];
