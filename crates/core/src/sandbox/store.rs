//! The persistence boundary of this area. Every method is one atomic step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edigrid_domain::{EcGridId, MailboxId, NetworkId, ParcelId};

use crate::store::StoreResult;

/// A simulated partner as the sandbox lists it: the ID, where it lives, and what it
/// answered so far.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedPartner {
    pub ecgrid_id: EcGridId,
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    pub qualifier: String,
    pub id: String,
    pub description: String,
    pub counts: AnswerCounts,
}

/// What a simulated partner answered (zero until its first answer).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnswerCounts {
    /// Parcels received and consumed.
    pub parcels: i64,
    /// Interchanges read in them.
    pub interchanges: i64,
    /// Acknowledgment interchanges sent (997, 999, TA1, CONTRL).
    pub acknowledgments: i64,
    /// The last control number taken from the partner's own sequence.
    pub last_control_number: i64,
    pub last_answered: Option<DateTime<Utc>>,
}

/// Where a listing of simulated partners looks: one mailbox, one network, or everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxScope {
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
}

/// An inbound parcel waiting in a simulated partner's inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unanswered {
    pub parcel: ParcelId,
    pub partner: EcGridId,
}

#[async_trait]
pub trait SandboxStore: Send + Sync {
    /// Sets an ID's simulated flag (and its modification time); `Missing` if there is no
    /// such ID. Counts and the control-number sequence stay when the flag goes off.
    async fn set_simulated(
        &self,
        ecgrid_id: EcGridId,
        simulated: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The simulated IDs in scope (terminated ones left out), by ECGridID, with counts.
    async fn simulated_partners(&self, scope: SandboxScope) -> StoreResult<Vec<SimulatedPartner>>;
    /// Up to `limit` ready inbound parcels addressed to simulated IDs, oldest first; read
    /// off an index of ready parcels by receiver, so the cost follows what is waiting, not
    /// what is stored.
    async fn unanswered(&self, limit: u32) -> StoreResult<Vec<Unanswered>>;
    /// Takes `count` numbers from the partner's own control-number sequence atomically and
    /// returns the first of them (the sequence starts at 1).
    async fn take_control_numbers(&self, ecgrid_id: EcGridId, count: u32) -> StoreResult<i64>;
    /// Adds one answered parcel, its interchanges and the acknowledgments sent to the
    /// partner's counts.
    async fn count_answer(
        &self,
        ecgrid_id: EcGridId,
        interchanges: u32,
        acknowledgments: u32,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
}
