//! The persistence boundary of this area. Every method is one atomic step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edigrid_domain::{MailboxId, NetworkId, UserId};

use super::{KeyObject, KeyVisibility};
use crate::store::StoreResult;

/// Where a key lives: its object, visibility, owner (the user for `Private`, the session's
/// hash for `Session`, empty otherwise) and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAddress {
    pub object: KeyObject,
    pub object_id: i64,
    pub visibility: KeyVisibility,
    pub owner: String,
    pub name: String,
}

/// A stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    /// The store's number for it (REST's `keyId`); 0 before it is stored.
    pub id: i64,
    pub address: KeyAddress,
    pub value: String,
    pub meta: String,
    pub created: DateTime<Utc>,
    pub expires: Option<DateTime<Utc>>,
    /// Who set it last.
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    pub user_id: UserId,
}

#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Creates the key at `entry.address` or replaces its value, meta, expiry and setter
    /// (keeping its number), unless that would make its object hold more than `limit`
    /// unexpired keys at `now`: then nothing changes and the answer is `None`.
    async fn put_key(
        &self,
        entry: &KeyEntry,
        limit: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>>;

    /// The key at `address`, unless expired at `now`.
    async fn key(&self, address: &KeyAddress, now: DateTime<Utc>) -> StoreResult<Option<KeyEntry>>;

    /// A key by its number, unless expired at `now`.
    async fn key_by_id(&self, id: i64, now: DateTime<Utc>) -> StoreResult<Option<KeyEntry>>;

    /// Every unexpired key of an object (of every visibility and owner), by name.
    async fn object_keys(
        &self,
        object: KeyObject,
        object_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<KeyEntry>>;

    /// Removes the key at `address`; whether there was one (expired ones count as gone).
    async fn remove_key(&self, address: &KeyAddress, now: DateTime<Utc>) -> StoreResult<bool>;

    /// Removes keys expired at `now`; how many.
    async fn purge_expired_keys(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}
