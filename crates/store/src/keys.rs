//! `KeyStore` on both databases (one SQL text, [`crate::sql`]): the operations, and
//! [`keys_store!`], which writes a store's impl as calls to them. A key is found by its
//! address, the table's unique index (which also serves an object's list and count);
//! expired keys are filtered out by every read and removed by `object_keys_by_expiry`.

use chrono::{DateTime, Utc};
use edigrid_core::keys::store::{KeyAddress, KeyEntry};
use edigrid_core::keys::{KeyObject, KeyVisibility};
use edigrid_core::store::StoreResult;
use edigrid_domain::{MailboxId, NetworkId, UserId};

use crate::convert::{parsed, time};
use crate::sql::{Backend, Conn, Stmt};

const COLUMNS: &str = "id, object_kind, object_id, visibility, owner, name, value, meta, \
                       created_ms, expires_ms, network_id, mailbox_id, user_id";
const AT: &str = "object_kind = $1 AND object_id = $2 AND visibility = $3 AND owner = $4 \
                  AND name = $5";
const UNEXPIRED: &str = "(expires_ms IS NULL OR expires_ms > $6)";

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: i64,
    object_kind: String,
    object_id: i64,
    visibility: String,
    owner: String,
    name: String,
    value: String,
    meta: String,
    created_ms: i64,
    expires_ms: Option<i64>,
    network_id: i32,
    mailbox_id: i32,
    user_id: i32,
}

impl TryFrom<KeyRow> for KeyEntry {
    type Error = edigrid_core::StoreError;

    fn try_from(r: KeyRow) -> Result<Self, Self::Error> {
        Ok(KeyEntry {
            id: r.id,
            address: KeyAddress {
                object: parsed::<KeyObject>(&r.object_kind, "key object")?,
                object_id: r.object_id,
                visibility: parsed::<KeyVisibility>(&r.visibility, "key visibility")?,
                owner: r.owner,
                name: r.name,
            },
            value: r.value,
            meta: r.meta,
            created: time(r.created_ms)?,
            expires: r.expires_ms.map(time).transpose()?,
            network_id: NetworkId(r.network_id),
            mailbox_id: MailboxId(r.mailbox_id),
            user_id: UserId(r.user_id),
        })
    }
}

/// A statement whose first five parameters are the address.
fn at(sql: String, a: &KeyAddress) -> Stmt {
    Stmt::new(sql)
        .bind(a.object.as_str())
        .bind(a.object_id)
        .bind(a.visibility.as_str())
        .bind(a.owner.as_str())
        .bind(a.name.as_str())
}

fn entries(rows: Vec<KeyRow>) -> StoreResult<Vec<KeyEntry>> {
    rows.into_iter().map(KeyEntry::try_from).collect()
}

pub(crate) async fn put_key<B: Backend>(
    db: &B,
    e: &KeyEntry,
    limit: u32,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    let mut tx = db.begin().await?;
    let a = &e.address;
    let existing: Option<(i64,)> = tx
        .fetch_optional(at(format!("SELECT id FROM object_keys WHERE {AT}"), a))
        .await?;
    if existing.is_none() {
        let count: Option<(i64,)> = tx
            .fetch_optional(
                Stmt::new(
                    "SELECT COUNT(*) FROM object_keys WHERE object_kind = $1 AND object_id = $2 \
                     AND (expires_ms IS NULL OR expires_ms > $3)",
                )
                .bind(a.object.as_str())
                .bind(a.object_id)
                .bind(now),
            )
            .await?;
        if count.map_or(0, |(n,)| n) >= i64::from(limit) {
            return Ok(None);
        }
    }
    // A replaced key keeps its number and, unless it had expired, its creation time.
    let stmt = at(
        "INSERT INTO object_keys (object_kind, object_id, visibility, owner, name, value, meta, \
         created_ms, expires_ms, network_id, mailbox_id, user_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (object_kind, object_id, visibility, owner, name) DO UPDATE SET \
         value = excluded.value, meta = excluded.meta, expires_ms = excluded.expires_ms, \
         network_id = excluded.network_id, mailbox_id = excluded.mailbox_id, \
         user_id = excluded.user_id, created_ms = CASE WHEN object_keys.expires_ms IS NOT NULL \
         AND object_keys.expires_ms <= excluded.created_ms THEN excluded.created_ms \
         ELSE object_keys.created_ms END RETURNING id"
            .to_string(),
        a,
    )
    .bind(e.value.as_str())
    .bind(e.meta.as_str())
    .bind(e.created)
    .bind(e.expires)
    .bind(e.network_id.0)
    .bind(e.mailbox_id.0)
    .bind(e.user_id.0);
    let id: Option<(i64,)> = tx.fetch_optional(stmt).await?;
    db.commit(tx).await?;
    Ok(id.map(|(id,)| id))
}

pub(crate) async fn key<B: Backend>(
    db: &B,
    a: &KeyAddress,
    now: DateTime<Utc>,
) -> StoreResult<Option<KeyEntry>> {
    let stmt = at(
        format!("SELECT {COLUMNS} FROM object_keys WHERE {AT} AND {UNEXPIRED}"),
        a,
    )
    .bind(now);
    let row: Option<KeyRow> = db.conn().await?.fetch_optional(stmt).await?;
    row.map(KeyEntry::try_from).transpose()
}

pub(crate) async fn key_by_id<B: Backend>(
    db: &B,
    id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<KeyEntry>> {
    let stmt = Stmt::new(format!(
        "SELECT {COLUMNS} FROM object_keys WHERE id = $1 AND (expires_ms IS NULL OR expires_ms > $2)"
    ))
    .bind(id)
    .bind(now);
    let row: Option<KeyRow> = db.conn().await?.fetch_optional(stmt).await?;
    row.map(KeyEntry::try_from).transpose()
}

pub(crate) async fn object_keys<B: Backend>(
    db: &B,
    object: KeyObject,
    object_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<KeyEntry>> {
    let stmt = Stmt::new(format!(
        "SELECT {COLUMNS} FROM object_keys WHERE object_kind = $1 AND object_id = $2 \
         AND (expires_ms IS NULL OR expires_ms > $3) ORDER BY name, visibility, owner"
    ))
    .bind(object.as_str())
    .bind(object_id)
    .bind(now);
    entries(db.conn().await?.fetch_all(stmt).await?)
}

pub(crate) async fn remove_key<B: Backend>(
    db: &B,
    a: &KeyAddress,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    let removed = tx
        .execute(
            at(
                format!("DELETE FROM object_keys WHERE {AT} AND {UNEXPIRED}"),
                a,
            )
            .bind(now),
        )
        .await?;
    // An expired key at the address is gone already: clear it, and say there was none.
    tx.execute(at(format!("DELETE FROM object_keys WHERE {AT}"), a))
        .await?;
    db.commit(tx).await?;
    Ok(removed > 0)
}

pub(crate) async fn purge_expired_keys<B: Backend>(db: &B, now: DateTime<Utc>) -> StoreResult<u64> {
    let stmt = Stmt::new("DELETE FROM object_keys WHERE expires_ms <= $1").bind(now);
    let mut tx = db.begin().await?;
    let n = tx.execute(stmt).await?;
    db.commit(tx).await?;
    Ok(n)
}

/// Implements `KeyStore` for a store with a `pool` field whose type is a `Backend`.
macro_rules! keys_store {
    ($store:ty) => {
        const _: () = {
            use chrono::{DateTime, Utc};
            use edigrid_core::keys::KeyObject;
            use edigrid_core::keys::store::{KeyAddress, KeyEntry};
            use edigrid_core::store::{KeyStore, StoreResult};

            use $crate::keys as k;

            #[async_trait::async_trait]
            impl KeyStore for $store {
                async fn put_key(
                    &self,
                    entry: &KeyEntry,
                    limit: u32,
                    now: DateTime<Utc>,
                ) -> StoreResult<Option<i64>> {
                    k::put_key(&self.pool, entry, limit, now).await
                }
                async fn key(
                    &self,
                    address: &KeyAddress,
                    now: DateTime<Utc>,
                ) -> StoreResult<Option<KeyEntry>> {
                    k::key(&self.pool, address, now).await
                }
                async fn key_by_id(
                    &self,
                    id: i64,
                    now: DateTime<Utc>,
                ) -> StoreResult<Option<KeyEntry>> {
                    k::key_by_id(&self.pool, id, now).await
                }
                async fn object_keys(
                    &self,
                    object: KeyObject,
                    object_id: i64,
                    now: DateTime<Utc>,
                ) -> StoreResult<Vec<KeyEntry>> {
                    k::object_keys(&self.pool, object, object_id, now).await
                }
                async fn remove_key(
                    &self,
                    address: &KeyAddress,
                    now: DateTime<Utc>,
                ) -> StoreResult<bool> {
                    k::remove_key(&self.pool, address, now).await
                }
                async fn purge_expired_keys(&self, now: DateTime<Utc>) -> StoreResult<u64> {
                    k::purge_expired_keys(&self.pool, now).await
                }
            }
        };
    };
}
pub(crate) use keys_store;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use chrono::TimeZone;

    use super::*;
    use crate::plans;

    fn statements() -> Vec<Stmt> {
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        let a = KeyAddress {
            object: KeyObject::Mailbox,
            object_id: 200,
            visibility: KeyVisibility::Shared,
            owner: String::new(),
            name: "colour".into(),
        };
        vec![
            at(format!("SELECT {COLUMNS} FROM object_keys WHERE {AT} AND {UNEXPIRED}"), &a)
                .bind(now),
            Stmt::new(format!(
                "SELECT {COLUMNS} FROM object_keys WHERE object_kind = $1 AND object_id = $2 \
                 AND (expires_ms IS NULL OR expires_ms > $3) ORDER BY name, visibility, owner"
            ))
            .bind("Mailbox")
            .bind(200_i64)
            .bind(now),
            Stmt::new("DELETE FROM object_keys WHERE expires_ms <= $1").bind(now),
            Stmt::new(format!(
                "SELECT {COLUMNS} FROM object_keys WHERE id = $1 AND (expires_ms IS NULL OR expires_ms > $2)"
            ))
            .bind(5_i64)
            .bind(now),
        ]
    }

    #[tokio::test]
    async fn sqlite_finds_keys_by_an_index() {
        for (sql, plan) in plans::sqlite(statements()).await {
            assert!(
                !plan.lines().any(|l| l.starts_with("SCAN")),
                "{sql}\n{plan}"
            );
        }
    }

    #[tokio::test]
    async fn postgres_finds_keys_by_an_index() {
        let Some(plans) = plans::postgres(&["SET enable_seqscan = off"], statements()).await else {
            return;
        };
        for (sql, plan) in plans {
            assert!(!plan.contains("Seq Scan"), "{sql}\n{plan}");
        }
    }
}
