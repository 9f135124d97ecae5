//! The status codes edigrid uses (`StatusList`, REST `status-lists`): the states of parcels
//! and interchanges and the lifecycle statuses of networks, mailboxes and users, each with
//! what it means and how serious it is.

use edigrid_domain::{InterchangeStatus, ParcelState, UserStatus};

/// One status code of one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusEntry {
    /// The list: `ParcelStatus`, `InterchangeStatus` or `Status`.
    pub qualifier: &'static str,
    /// Its position in the list, from 0 (the enumeration's order).
    pub code: i16,
    /// The value as the API writes it.
    pub name: &'static str,
    pub description: &'static str,
    /// `Info`, `Warning` or `Error`.
    pub level: &'static str,
}

fn interchange_description(s: InterchangeStatus) -> (&'static str, &'static str) {
    match s {
        InterchangeStatus::Delivered => ("Delivered to the receiver's inbox", "Info"),
        InterchangeStatus::Invalid => ("Its envelope could not be read; not delivered", "Error"),
        InterchangeStatus::UnknownSender => (
            "Its sender is no ID of the uploading mailbox; not delivered",
            "Error",
        ),
        InterchangeStatus::NoRoute => {
            ("No active mailbox has its receiver; not delivered", "Error")
        }
        InterchangeStatus::Cancelled => ("Cancelled before it was downloaded", "Warning"),
    }
}

fn object_description(s: UserStatus) -> (&'static str, &'static str) {
    match s {
        UserStatus::Development => ("Being set up; not live yet", "Info"),
        UserStatus::Active => ("Live", "Info"),
        UserStatus::Preproduction => ("Being tested before going live", "Info"),
        UserStatus::Suspended => ("Disabled for now; can be activated again", "Warning"),
        UserStatus::Terminated => ("Closed for good", "Error"),
    }
}

fn code(i: usize) -> i16 {
    i16::try_from(i).unwrap_or(i16::MAX)
}

/// Every list, in a fixed order.
pub fn status_list() -> Vec<StatusEntry> {
    let mut out = Vec::new();
    for (i, s) in ParcelState::ALL.iter().enumerate() {
        let level = match s {
            ParcelState::OutBoxDeliveryError => "Error",
            ParcelState::Cancelled => "Warning",
            _ => "Info",
        };
        out.push(StatusEntry {
            qualifier: "ParcelStatus",
            code: code(i),
            name: s.as_str(),
            description: s.message(),
            level,
        });
    }
    for (i, s) in InterchangeStatus::ALL.iter().enumerate() {
        let (description, level) = interchange_description(*s);
        out.push(StatusEntry {
            qualifier: "InterchangeStatus",
            code: code(i),
            name: s.as_str(),
            description,
            level,
        });
    }
    for (i, s) in UserStatus::ALL.iter().enumerate() {
        let (description, level) = object_description(*s);
        out.push(StatusEntry {
            qualifier: "Status",
            code: code(i),
            name: s.as_str(),
            description,
            level,
        });
    }
    out
}
