//! Keys (SPEC-VAN 20): a small key-value store per object, with optional expiry.

pub mod store;
