//! Callbacks (SPEC-VAN 20): registrations, the delivery queue written in the same transaction as the event it reports, and its views.

pub mod store;
