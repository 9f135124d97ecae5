//! The directory (SPEC-VAN 13 and 14): networks, mailboxes, users and trading-partner IDs,
//! who may see and change them, and the administration used by the CLI and the demo seed.
//! Every front end calls the same services; each checks the caller's authority here.

pub(crate) mod access;
mod admin;
pub(crate) mod guard;
mod mailbox;
pub mod model;
mod network;
mod partner;
mod partner_admin;
pub mod store;
mod user;
mod user_admin;

pub use admin::{NewUserRequest, SessionRevocation};
pub use mailbox::{MAX_INBOX_TIMEOUT_MINUTES, MailboxChanges, MailboxCreateRequest};
pub use network::{AddressChanges, NetworkChanges, NetworkCreateRequest};
pub use partner::{PartnerAddRequest, PartnerScope};
pub use partner_admin::PartnerChanges;
pub use user::{UserChanges, UserCreateRequest};

#[cfg(test)]
mod tests;
