//! Reports (SPEC-VAN 20): traffic, mailbox, interchange, monthly and instant statistics, by SQL aggregates in the caller's scope.

pub mod store;
