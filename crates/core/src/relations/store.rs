//! The persistence boundary of this area. Every method is one atomic step.

use async_trait::async_trait;
use edigrid_domain::{EcGridId, MailboxId, UserStatus};

use super::{
    CarbonCopy, CarbonCopyFilter, Interconnect, InterconnectChange, InterconnectFilter,
    InterconnectNote,
};
use crate::directory::model::{Page, Paged};
use crate::store::StoreResult;

#[async_trait]
pub trait RelationStore: Send + Sync {
    /// Stores a new rule; its number.
    async fn insert_carbon_copy(&self, rule: &CarbonCopy) -> StoreResult<i32>;
    async fn carbon_copy(&self, id: i32) -> StoreResult<Option<CarbonCopy>>;
    /// Sets a rule's status when it is in one of `from`; whether it was.
    async fn set_carbon_copy_status(
        &self,
        id: i32,
        from: &[UserStatus],
        to: UserStatus,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool>;
    async fn list_carbon_copies(
        &self,
        filter: &CarbonCopyFilter,
        page: Page,
    ) -> StoreResult<Paged<CarbonCopy>>;
    /// The active rules watching any of these mailboxes (one indexed read per upload).
    async fn active_carbon_copies(&self, mailboxes: &[MailboxId]) -> StoreResult<Vec<CarbonCopy>>;

    /// Stores a new interconnect with its first note; its number.
    async fn insert_interconnect(
        &self,
        interconnect: &Interconnect,
        note: &InterconnectNote,
    ) -> StoreResult<i32>;
    async fn interconnect(&self, id: i32) -> StoreResult<Option<Interconnect>>;
    async fn interconnect_by_unique_id(&self, unique_id: &str)
    -> StoreResult<Option<Interconnect>>;
    /// Applies the change and writes its note when the status is one of `from`; whether it
    /// applied.
    async fn change_interconnect(&self, change: &InterconnectChange) -> StoreResult<bool>;
    async fn add_interconnect_note(&self, note: &InterconnectNote) -> StoreResult<i32>;
    async fn interconnect_notes(&self, id: i32) -> StoreResult<Vec<InterconnectNote>>;
    async fn list_interconnects(
        &self,
        filter: &InterconnectFilter,
        page: Page,
    ) -> StoreResult<Paged<Interconnect>>;
    /// How many match, per status.
    async fn count_interconnects(
        &self,
        filter: &InterconnectFilter,
    ) -> StoreResult<Vec<(super::InterconnectStatus, u64)>>;
    /// Whether a completed interconnect joins the two IDs (in either order).
    async fn interconnected(&self, a: EcGridId, b: EcGridId) -> StoreResult<bool>;
}
