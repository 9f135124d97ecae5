//! Callbacks (SPEC-VAN 20): registrations, the delivery queue written in the same transaction as the event it reports, and its views.

pub mod model;
pub mod raise;
mod rules;
mod service;
pub mod store;

pub use rules::{backoff, check_url, is_public, new_secret};
pub use service::{CallbackChanges, CallbackRequest, DeliveryQuery};
