//! Envelope reading and delimiter rewriting, rule by rule (SPEC-VAN 15 and 16), and
//! properties over generated interchanges.

mod edifact;
mod generate;
mod independent;
mod parcel;
mod properties;
mod rewrite;
mod support;
mod x12;
