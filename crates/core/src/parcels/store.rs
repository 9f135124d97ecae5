//! The parcels' persistence boundary (SPEC-VAN 16–19). Every method is one atomic step;
//! what changes several rows does so in one transaction, so that nothing acknowledged is
//! lost and a crash leaves all or nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edigrid_domain::{InterchangeId, ParcelId};

use super::model::{
    Accepted, Content, Interchange, InterchangeFilter, ManifestEntry, Parcel, ParcelFilter,
    ParcelNote, Redelivery, StateChange, Upload,
};
use crate::directory::model::{Page, Paged};
use crate::store::{StoreError, StoreResult};

#[async_trait]
pub trait ParcelStore: Send + Sync {
    /// Stores an accepted upload and its routing in one durable transaction (fsynced on
    /// SQLite, committed on PostgreSQL) and returns the numbers assigned (SPEC-VAN 16).
    async fn accept_upload(&self, upload: &Upload) -> StoreResult<Accepted>;

    /// The record, with the names of both sides (`Parcel::names`).
    async fn parcel(&self, id: ParcelId) -> StoreResult<Option<Parcel>>;
    /// The stored bytes and their SHA-256; `None` when the parcel does not exist or its
    /// content was removed.
    async fn parcel_content(&self, id: ParcelId) -> StoreResult<Option<Content>>;
    /// One page in the filter's order, and how many match in all.
    async fn list_parcels(&self, filter: &ParcelFilter, page: Page) -> StoreResult<Paged<Parcel>>;

    async fn interchange(&self, id: InterchangeId) -> StoreResult<Option<Interchange>>;
    /// The interchanges uploaded in an outbound parcel or delivered in an inbound one, in
    /// upload order.
    async fn parcel_interchanges(&self, parcel: ParcelId) -> StoreResult<Vec<Interchange>>;
    /// One page in the filter's order, and how many match in all.
    async fn list_interchanges(
        &self,
        filter: &InterchangeFilter,
        page: Page,
    ) -> StoreResult<Paged<Interchange>>;

    /// Applies a compare-and-set state change with its manifest entry in one transaction;
    /// `false` when the parcel is not in one of `from` (nothing changed), `Missing` when it
    /// does not exist. When an inbound parcel becomes `InBoxArchived` and every other
    /// inbound parcel made from the same source is archived or cancelled, the source moves
    /// from `outboxSent` to `outboxAcknowledged` in the same transaction.
    async fn change_state(&self, change: &StateChange) -> StoreResult<bool>;
    /// Moves back to `InBoxReady` every `InBoxTransferred` parcel downloaded longer ago than
    /// its mailbox's inbox timeout (minutes; 0 = never), each with a manifest entry; returns
    /// how many.
    async fn return_timed_out(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    /// Removes the content of `InBoxArchived` parcels archived before `cutoff`, and of
    /// outbound parcels whose every delivery is archived before it; records stay.
    async fn remove_content_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64>;

    async fn add_manifest_entry(&self, entry: &ManifestEntry) -> StoreResult<()>;
    /// Oldest first: the parcel's own entries and those of its interchanges.
    async fn manifest(&self, parcel: ParcelId) -> StoreResult<Vec<ManifestEntry>>;
    /// Stores a note and returns its number.
    async fn add_note(&self, note: &ParcelNote) -> StoreResult<i64>;
    async fn notes(&self, parcel: ParcelId) -> StoreResult<Vec<ParcelNote>>;

    /// `Missing` if there is no such parcel.
    async fn set_mailbag_control_id(&self, parcel: ParcelId, control_id: &str) -> StoreResult<()>;
    async fn set_local_status(
        &self,
        parcel: ParcelId,
        status: i16,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Stores new deliveries of accepted interchanges in one transaction and returns the
    /// new inbound parcels' numbers, in the order of `redelivery.inbound`. `Missing` when
    /// an interchange does not exist.
    async fn redeliver(&self, redelivery: &Redelivery) -> StoreResult<Vec<ParcelId>> {
        let _ = redelivery;
        Err(StoreError::Backend(
            "this store does not keep parcels".into(),
        ))
    }
}
