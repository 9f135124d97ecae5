//! Carbon-copy rules (SPEC-VAN 20).

use super::Registration;

pub(super) const OPERATIONS: &[Registration] = &[];
