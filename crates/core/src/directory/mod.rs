//! The directory (SPEC-VAN 13 and 14): networks, mailboxes, users and trading-partner IDs,
//! who may see and change them, and the administration used by the CLI and the demo seed.

mod admin;
pub mod model;
pub mod store;

pub use admin::{NewUserRequest, SessionRevocation};
