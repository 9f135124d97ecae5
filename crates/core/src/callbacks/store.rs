//! The persistence boundary of this area. Every method is one atomic step. Deliveries are
//! queued by the parcel store itself, in the transaction of the event they report
//! ([`super::raise`]); these methods register, list, claim and record.
//!
//! Default bodies refuse, so that a store without callbacks (the core's test store) need
//! not write them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::model::{Attempted, Claimed, Delivery, DeliveryFilter, Registration};
use crate::directory::model::{Page, Paged};
use crate::store::{StoreError, StoreResult};
use edigrid_domain::{MailboxId, NetworkId, ParcelId};

fn refused<T>() -> StoreResult<T> {
    Err(StoreError::Backend(
        "this store does not keep callbacks".into(),
    ))
}

/// Which registrations a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegistrationFilter {
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    /// Also suspended and terminated ones.
    pub inactive: bool,
}

#[async_trait]
pub trait CallbackStore: Send + Sync {
    /// Stores a registration (`id` ignored) and returns its number.
    async fn insert_registration(&self, r: &Registration) -> StoreResult<i64> {
        let _ = r;
        refused()
    }
    async fn registration(&self, id: i64) -> StoreResult<Option<Registration>> {
        let _ = id;
        refused()
    }
    /// Oldest first.
    async fn list_registrations(&self, f: &RegistrationFilter) -> StoreResult<Vec<Registration>> {
        let _ = f;
        refused()
    }
    /// Replaces the registration's URL, event, credentials, retries and status; moving to
    /// `Active` re-arms its failed deliveries and moving to `Terminated` cancels its waiting
    /// ones, in the same transaction. `Missing` when there is no such registration.
    async fn update_registration(&self, r: &Registration) -> StoreResult<()> {
        let _ = r;
        refused()
    }
    /// Queues a test delivery for a registration that is not terminated and returns it (sent
    /// while the registration is active).
    async fn queue_test(
        &self,
        registration: i64,
        parcel: ParcelId,
        at: DateTime<Utc>,
    ) -> StoreResult<Delivery> {
        let _ = (registration, parcel, at);
        refused()
    }
    async fn delivery(&self, id: i64) -> StoreResult<Option<Delivery>> {
        let _ = id;
        refused()
    }
    /// Newest first, with how many match in all.
    async fn list_deliveries(
        &self,
        f: &DeliveryFilter,
        page: Page,
    ) -> StoreResult<Paged<Delivery>> {
        let _ = (f, page);
        refused()
    }
    /// Claims up to `limit` due deliveries of active registrations (pending and due, or
    /// sending with the claim run out) until `lease_until`, counting one attempt each. On
    /// PostgreSQL rows another node holds are skipped, so that one node sends each.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Claimed>> {
        let _ = (now, lease_until, limit);
        refused()
    }
    /// Records an attempt; false when the claim is no longer the latest (nothing changed).
    async fn record_attempt(&self, a: &Attempted) -> StoreResult<bool> {
        let _ = a;
        refused()
    }
    /// Records several attempts in one transaction (one commit for a batch of sends); for
    /// each, whether it was recorded.
    async fn record_attempts(&self, batch: &[Attempted]) -> StoreResult<Vec<bool>> {
        let mut recorded = Vec::with_capacity(batch.len());
        for a in batch {
            recorded.push(self.record_attempt(a).await?);
        }
        Ok(recorded)
    }
    /// Sends a failed or cancelled delivery again from now with its registration's retries;
    /// false when it is pending, sending or delivered.
    async fn rearm_delivery(&self, id: i64, at: DateTime<Utc>) -> StoreResult<bool> {
        let _ = (id, at);
        refused()
    }
}
