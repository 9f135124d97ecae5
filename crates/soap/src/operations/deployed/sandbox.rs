//! Sandbox operations (SPEC-VAN 21): `ParcelTest`.

use super::Registration;

pub(super) const OPERATIONS: &[Registration] = &[];
