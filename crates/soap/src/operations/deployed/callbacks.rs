//! Callbacks (SPEC-VAN 20): registration, the delivery queue and its views, test events.

use super::Registration;

pub(super) const OPERATIONS: &[Registration] = &[];
