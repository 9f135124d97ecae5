//! Relationships between trading partners (SPEC-VAN 20): carbon-copy rules and interconnects.
//!
//! A carbon-copy rule watches one mailbox's traffic (what it sends, receives, or both,
//! optionally narrowed to a pair of ECGridIDs, a GS sender or receiver and a transaction set)
//! and copies each matching delivered interchange to another mailbox, in the transaction of
//! the delivery it copies. An interconnect is a request between two ECGridIDs that the
//! partner's side accepts; routing between networks needs a completed one
//! (`require_interconnect`).

mod carbon_copies;
pub(crate) mod copies;
mod interconnects;
pub mod store;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use edigrid_domain::{Direction, EcGridId, MailboxId, NetworkId, UserId, UserStatus};
use serde::{Deserialize, Serialize};

pub use carbon_copies::{CarbonCopyRequest, CarbonCopyScope};
pub use interconnects::{InterconnectRequest, InterconnectScope};

/// A carbon-copy rule as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CarbonCopy {
    /// Assigned by the store when created as 0.
    pub id: i32,
    /// The watched mailbox and its network.
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    /// `OutBox`: what the mailbox sends; `InBox`: what it receives; `NoDir`: both.
    pub direction: Direction,
    /// Only interchanges from / to this ID; 0 = any.
    pub ecgrid_from: EcGridId,
    pub ecgrid_to: EcGridId,
    /// The copy's envelope names these as sender and receiver; 0 = as the original.
    pub cc_from: EcGridId,
    pub cc_to: EcGridId,
    /// Where copies go.
    pub cc_mailbox_id: MailboxId,
    /// Only interchanges with a group of this GS02 / GS03, a transaction of this ST01;
    /// empty = any.
    pub gs_from: String,
    pub gs_to: String,
    pub transaction_set: String,
    /// Active, Suspended or Terminated.
    pub status: UserStatus,
    pub created_by: UserId,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
}

/// Which rules a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CarbonCopyFilter {
    pub network: Option<NetworkId>,
    /// Rules watching this mailbox or copying to it.
    pub mailbox: Option<MailboxId>,
    pub ecgrid_from: Option<EcGridId>,
    pub ecgrid_to: Option<EcGridId>,
    /// Any of these; empty = any.
    pub statuses: Vec<UserStatus>,
}

/// An interconnect's state, as the deployed `StatusInterconnect` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InterconnectStatus {
    /// Asked for; the partner's side has not accepted.
    Pending,
    /// Accepted: traffic routes over it.
    Completed,
    /// Withdrawn or refused by either side; kept for history.
    Canceled,
    Delayed,
    Problem,
    AuthorizationRequired,
}

impl InterconnectStatus {
    pub const ALL: [InterconnectStatus; 6] = [
        InterconnectStatus::Pending,
        InterconnectStatus::Completed,
        InterconnectStatus::Canceled,
        InterconnectStatus::Delayed,
        InterconnectStatus::Problem,
        InterconnectStatus::AuthorizationRequired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InterconnectStatus::Pending => "Pending",
            InterconnectStatus::Completed => "Completed",
            InterconnectStatus::Canceled => "Canceled",
            InterconnectStatus::Delayed => "Delayed",
            InterconnectStatus::Problem => "Problem",
            InterconnectStatus::AuthorizationRequired => "AuthorizationRequired",
        }
    }

    /// Still open: waiting for the partner's side.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            InterconnectStatus::Completed | InterconnectStatus::Canceled
        )
    }
}

impl fmt::Display for InterconnectStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InterconnectStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        InterconnectStatus::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or(())
    }
}

/// An interconnect as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Interconnect {
    /// Assigned by the store when created as 0.
    pub id: i32,
    /// A GUID, also unique (`InterconnectInfoGUID`).
    pub unique_id: String,
    /// The requester's ID and the partner's.
    pub ecgrid_id1: EcGridId,
    pub ecgrid_id2: EcGridId,
    pub reference1: String,
    pub reference2: String,
    pub contact_name: String,
    pub contact_email: String,
    pub requested_by: UserId,
    /// Who accepted it (0 while pending).
    pub accepted_by: UserId,
    pub status: InterconnectStatus,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub completed: Option<DateTime<Utc>>,
}

/// Which interconnects a list or count covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InterconnectFilter {
    /// Either side is one of these IDs (empty: any).
    pub ecgrid_ids: Vec<EcGridId>,
    /// Both sides are these two IDs (in either order).
    pub pair: Option<(EcGridId, EcGridId)>,
    /// Either side's ID is of this network / mailbox.
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    pub status: Option<InterconnectStatus>,
    /// Created at or after.
    pub since: Option<DateTime<Utc>>,
}

/// A note on an interconnect.
#[derive(Debug, Clone, PartialEq)]
pub struct InterconnectNote {
    /// Assigned by the store.
    pub id: i32,
    pub interconnect_id: i32,
    pub at: DateTime<Utc>,
    /// The interconnect's status when the note was written.
    pub status: InterconnectStatus,
    pub posted_by: String,
    pub user_id: UserId,
    pub mail_to: String,
    pub note: String,
    pub attachment_name: String,
    pub attachment: Option<Vec<u8>>,
}

/// A status change of an interconnect with the note that says why, in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct InterconnectChange {
    pub id: i32,
    /// Applied only when the interconnect is in one of these.
    pub from: Vec<InterconnectStatus>,
    pub to: InterconnectStatus,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub note: InterconnectNote,
}
