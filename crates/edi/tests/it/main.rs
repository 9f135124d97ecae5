//! Envelope reading and delimiter rewriting, rule by rule (SPEC-VAN 15 and 16).

mod edifact;
mod parcel;
mod rewrite;
mod support;
mod x12;
