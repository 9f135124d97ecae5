//! `CallbackStore` on both databases (one SQL text, [`crate::sql`]): the operations, and
//! [`callbacks_store!`], which writes a store's impl as calls to them. The parcel store
//! queues deliveries through [`queue_upload`] and [`queue_change`], inside the transaction
//! of the event.

use chrono::{DateTime, Utc};
use edigrid_core::StoreError;
use edigrid_core::callbacks::model::{
    Attempted, Claimed, Delivery, DeliveryFilter, DeliveryStatus, Next, Raised, Registration,
    RegistrationStatus,
};
use edigrid_core::callbacks::raise::{Sides, change_event, upload_events};
use edigrid_core::callbacks::store::RegistrationFilter;
use edigrid_core::parcels::model::{StateChange, Upload};
use edigrid_core::store::{Page, Paged, StoreResult};
use edigrid_domain::{EcGridId, MailboxId, NetworkId, ParcelId, ParcelState};
use sqlx::{PgPool, SqlitePool};

mod rows;
#[cfg(test)]
mod tests;

use rows::{ClaimRow, DeliveryRow, RegistrationRow, SidesRow};

use crate::convert::{all, one};
use crate::sql::{Backend, Conditions, Conn, Stmt, list};
use crate::write_conn::WriteConn;

/// How a backend claims rows: PostgreSQL skips those another node has locked, so that two
/// nodes never claim one delivery; SQLite has one writer at a time anyway.
pub(crate) trait Claims {
    const SKIP_LOCKED: &'static str;
}

impl Claims for PgPool {
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
}

impl Claims for SqlitePool {
    const SKIP_LOCKED: &'static str = "";
}

// ---- queued with the event ---------------------------------------------------------------------

/// One statement for all the events: each matches the active registrations of its scope
/// keys and event (an index probe per key) and queues a delivery for each.
async fn queue<C: WriteConn>(tx: &mut C, events: &[Raised]) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    tx.write(queue_stmt(events)).await?;
    Ok(())
}

/// The one `INSERT ... SELECT` of [`queue`].
fn queue_stmt(events: &[Raised]) -> Stmt {
    let mut stmt = Stmt::new(String::new());
    let mut n = 0;
    let mut param = |stmt: &mut Stmt, v: crate::sql::Value| {
        stmt.args.push(v);
        n += 1;
        format!("${n}")
    };
    let mut selects = Vec::with_capacity(events.len());
    for e in events {
        let kind = param(&mut stmt, e.kind.as_str().into());
        let network = param(&mut stmt, e.network_id.0.into());
        let mailbox = param(&mut stmt, e.mailbox_id.0.into());
        let ecgrid = param(&mut stmt, e.ecgrid_id.0.into());
        let parcel = param(&mut stmt, e.parcel.0.into());
        let file = param(&mut stmt, e.file_name.as_str().into());
        let at = param(&mut stmt, e.at.into());
        let keys: Vec<String> = e
            .keys
            .iter()
            .map(|k| param(&mut stmt, k.as_str().into()))
            .collect();
        selects.push(format!(
            "SELECT r.id, {kind}, {network}, {mailbox}, {ecgrid}, {parcel}, {file}, FALSE, \
             'Pending', r.retries + 1, {at}, {at} FROM callback_registrations r \
             WHERE r.scope_key IN ({}) AND r.status = 'Active' AND r.event IN ({kind}, 'Parcel')",
            keys.join(", ")
        ));
    }
    stmt.sql = format!(
        "INSERT INTO callback_deliveries (registration_id, event, network_id, mailbox_id, \
         ecgrid_id, parcel_id, file_name, test, status, calls_remaining, next_ms, created_ms) {}",
        selects.join(" UNION ALL ")
    );
    stmt
}

/// The deliveries of a stored upload's events (`ParcelStore::accept_upload`).
pub(crate) async fn queue_upload<C: WriteConn>(
    tx: &mut C,
    upload: &Upload,
    outbound: ParcelId,
    inbound: &[ParcelId],
) -> StoreResult<()> {
    queue(tx, &upload_events(upload, outbound, inbound)).await
}

/// The delivery of an applied state change's event, if it raises one.
pub(crate) async fn queue_change<C: WriteConn>(tx: &mut C, ch: &StateChange) -> StoreResult<()> {
    if ch.to != ParcelState::InBoxArchived {
        return Ok(());
    }
    let row: Option<SidesRow> = tx
        .read_optional(
            Stmt::new(
                "SELECT network_id, mailbox_id, ecgrid_to, peer_network_id, peer_mailbox_id, \
                 ecgrid_from, file_name FROM parcels WHERE id = $1",
            )
            .bind(ch.parcel.0),
        )
        .await?;
    let Some(r) = row else { return Ok(()) };
    let sides = Sides {
        parcel: ch.parcel,
        own: (
            NetworkId(r.network_id),
            MailboxId(r.mailbox_id),
            EcGridId(r.ecgrid_to),
        ),
        peer: (
            NetworkId(r.peer_network_id),
            MailboxId(r.peer_mailbox_id),
            EcGridId(r.ecgrid_from),
        ),
        file_name: r.file_name,
    };
    match change_event(&sides, ch.to, ch.at) {
        Some(event) => queue(tx, &[event]).await,
        None => Ok(()),
    }
}

// ---- registrations --------------------------------------------------------------------------

pub(crate) async fn insert_registration<B: Backend>(db: &B, r: &Registration) -> StoreResult<i64> {
    let stmt = Stmt::new(
        "INSERT INTO callback_registrations (scope_key, network_id, mailbox_id, ecgrid_id, \
         event, url, auth_user, auth_password, retries, secret, status, created_by, \
         created_ms, modified_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(r.scope.key())
    .bind(r.scope.network().0)
    .bind(r.scope.mailbox().0)
    .bind(r.scope.ecgrid_id().0)
    .bind(r.event.as_str())
    .bind(r.url.as_str())
    .bind(r.auth_user.as_str())
    .bind(r.auth_password.as_str())
    .bind(i32::from(r.retries))
    .bind(r.secret.as_str())
    .bind(r.status.as_str())
    .bind(r.created_by.0)
    .bind(r.created)
    .bind(r.modified);
    let mut tx = db.begin().await?;
    let id: Option<(i64,)> = tx.fetch_optional(stmt).await?;
    db.commit(tx).await?;
    id.map(|(id,)| id)
        .ok_or_else(|| StoreError::Backend("INSERT returned no row".into()))
}

pub(crate) async fn registration<B: Backend>(db: &B, id: i64) -> StoreResult<Option<Registration>> {
    let stmt = Stmt::new("SELECT * FROM callback_registrations WHERE id = $1").bind(id);
    one::<RegistrationRow, _>(db.conn().await?.fetch_optional(stmt).await?)
}

pub(crate) async fn list_registrations<B: Backend>(
    db: &B,
    f: &RegistrationFilter,
) -> StoreResult<Vec<Registration>> {
    let mut c = Conditions::default();
    c.equals("network_id", f.network.map(|n| n.0));
    c.equals("mailbox_id", f.mailbox.map(|m| m.0));
    if !f.inactive {
        c.equals("status", Some(RegistrationStatus::Active.as_str()));
    }
    let (select, _) = c.page(
        "callback_registrations",
        "id",
        Page {
            number: 1,
            size: 10_000,
        },
    );
    let rows: Vec<RegistrationRow> = db.conn().await?.fetch_all(select).await?;
    all(rows)
}

/// The registration's own row, and the effect of its status on its deliveries: `Active`
/// re-arms failed ones, `Terminated` cancels waiting ones.
pub(crate) async fn update_registration<B: Backend>(db: &B, r: &Registration) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let changed = tx
        .execute(
            Stmt::new(
                "UPDATE callback_registrations SET event = $1, url = $2, auth_user = $3, \
                 auth_password = $4, retries = $5, status = $6, modified_ms = $7 WHERE id = $8",
            )
            .bind(r.event.as_str())
            .bind(r.url.as_str())
            .bind(r.auth_user.as_str())
            .bind(r.auth_password.as_str())
            .bind(i32::from(r.retries))
            .bind(r.status.as_str())
            .bind(r.modified)
            .bind(r.id),
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::Missing(format!("callback {}", r.id)));
    }
    match r.status {
        RegistrationStatus::Active => {
            tx.execute(
                Stmt::new(
                    "UPDATE callback_deliveries SET status = 'Pending', calls_remaining = $1, \
                     next_ms = $2 WHERE registration_id = $3 AND status = 'Failed'",
                )
                .bind(i32::from(r.retries) + 1)
                .bind(r.modified)
                .bind(r.id),
            )
            .await?;
        }
        RegistrationStatus::Terminated => {
            tx.execute(
                Stmt::new(
                    "UPDATE callback_deliveries SET status = 'Canceled' \
                     WHERE registration_id = $1 AND status IN ('Pending', 'Sending')",
                )
                .bind(r.id),
            )
            .await?;
        }
        RegistrationStatus::Suspended => {}
    }
    db.commit(tx).await
}

// ---- deliveries -----------------------------------------------------------------------------

pub(crate) async fn delivery<B: Backend>(db: &B, id: i64) -> StoreResult<Option<Delivery>> {
    let stmt = Stmt::new("SELECT * FROM callback_delivery_rows WHERE id = $1").bind(id);
    one::<DeliveryRow, _>(db.conn().await?.fetch_optional(stmt).await?)
}

pub(crate) async fn queue_test<B: Backend>(
    db: &B,
    registration: i64,
    parcel: ParcelId,
    at: DateTime<Utc>,
) -> StoreResult<Delivery> {
    let stmt = Stmt::new(
        "INSERT INTO callback_deliveries (registration_id, event, network_id, mailbox_id, \
         ecgrid_id, parcel_id, file_name, test, status, calls_remaining, next_ms, created_ms) \
         SELECT id, CASE WHEN event = 'Parcel' THEN 'InBox' ELSE event END, network_id, \
         mailbox_id, ecgrid_id, $1, '', TRUE, 'Pending', retries + 1, $2, $2 \
         FROM callback_registrations WHERE id = $3 AND status <> 'Terminated' RETURNING id",
    )
    .bind(parcel.0)
    .bind(at)
    .bind(registration);
    let mut tx = db.begin().await?;
    let id: Option<(i64,)> = tx.fetch_optional(stmt).await?;
    db.commit(tx).await?;
    let Some((id,)) = id else {
        return Err(StoreError::Missing(format!("callback {registration}")));
    };
    delivery(db, id)
        .await?
        .ok_or_else(|| StoreError::Missing(format!("delivery {id}")))
}

pub(crate) async fn list_deliveries<B: Backend>(
    db: &B,
    f: &DeliveryFilter,
    page: Page,
) -> StoreResult<Paged<Delivery>> {
    let mut c = Conditions::default();
    c.equals("registration_id", f.registration);
    c.equals("network_id", f.network.map(|n| n.0));
    c.equals("mailbox_id", f.mailbox.map(|m| m.0));
    c.equals_unindexed("registration_mailbox_id", f.registered_in.map(|m| m.0));
    c.any_of("status", f.statuses.iter().map(|s| s.as_str()));
    c.equals("event", f.event.map(|e| e.as_str()));
    c.compare("created_ms", ">=", f.since);
    c.compare("created_ms", "<=", f.until);
    list::<B, DeliveryRow, Delivery>(db, c.page("callback_delivery_rows", "id DESC", page), page)
        .await
}

/// Whether anything is due: read without the write lock.
fn due_stmt(now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "SELECT d.id FROM callback_deliveries d \
         WHERE d.status IN ('Pending', 'Sending') AND d.next_ms <= $1 \
         AND EXISTS (SELECT 1 FROM callback_registrations r \
         WHERE r.id = d.registration_id AND r.status = 'Active') LIMIT 1",
    )
    .bind(now)
}

/// Claims up to `limit` due deliveries, oldest due first, counting an attempt each.
fn claim_stmt<B: Claims>(now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: u32) -> Stmt {
    Stmt::new(format!(
        "UPDATE callback_deliveries SET status = 'Sending', attempts = attempts + 1, \
         next_ms = $2 WHERE id IN (SELECT d.id FROM callback_deliveries d \
         WHERE d.status IN ('Pending', 'Sending') AND d.next_ms <= $1 \
         AND EXISTS (SELECT 1 FROM callback_registrations r WHERE r.id = d.registration_id \
         AND r.status = 'Active') \
         ORDER BY d.next_ms LIMIT $3{}) RETURNING id",
        B::SKIP_LOCKED
    ))
    .bind(now)
    .bind(lease_until)
    .bind(i64::from(limit))
}

pub(crate) async fn claim_deliveries<B: Backend + Claims>(
    db: &B,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<Claimed>> {
    // A look without the write lock first: an idle queue costs each poll one index probe,
    // and other writers (uploads, the console) never wait behind it.
    let due: Option<(i64,)> = db.conn().await?.fetch_optional(due_stmt(now)).await?;
    if due.is_none() {
        return Ok(Vec::new());
    }
    let mut tx = db.begin().await?;
    let claimed: Vec<(i64,)> = tx
        .fetch_all(claim_stmt::<B>(now, lease_until, limit))
        .await?;
    if claimed.is_empty() {
        db.commit(tx).await?;
        return Ok(Vec::new());
    }
    let mut c = Conditions::default();
    c.any_of("d.id", claimed.iter().map(|(id,)| *id));
    let (mut select, _) = c.page(
        "x",
        "id",
        Page {
            number: 1,
            size: limit,
        },
    );
    select.sql = select.sql.replace(
        "SELECT * FROM x",
        "SELECT d.*, r.url AS url, r.auth_user AS auth_user, r.auth_password AS auth_password, \
         r.secret AS secret FROM callback_deliveries d \
         JOIN callback_registrations r ON r.id = d.registration_id",
    );
    select.sql = select
        .sql
        .replace("ORDER BY id", "ORDER BY d.next_ms, d.id");
    let rows: Vec<ClaimRow> = tx.fetch_all(select).await?;
    db.commit(tx).await?;
    rows.into_iter()
        .map(|r| {
            Ok(Claimed {
                delivery: Delivery::try_from(r.delivery)?,
                auth_user: r.auth_user,
                auth_password: r.auth_password,
                secret: r.secret,
            })
        })
        .collect()
}

pub(crate) async fn record_attempt<B: Backend>(db: &B, a: &Attempted) -> StoreResult<bool> {
    Ok(record_attempts(db, std::slice::from_ref(a)).await?[0])
}

pub(crate) async fn record_attempts<B: Backend>(
    db: &B,
    batch: &[Attempted],
) -> StoreResult<Vec<bool>> {
    let mut tx = db.begin().await?;
    let mut recorded = Vec::with_capacity(batch.len());
    for a in batch {
        recorded.push(tx.execute(attempt_stmt(a)).await? == 1);
    }
    db.commit(tx).await?;
    Ok(recorded)
}

fn attempt_stmt(a: &Attempted) -> Stmt {
    let (status, next) = match a.next {
        Next::Delivered => (DeliveryStatus::Delivered, a.at),
        Next::RetryAt(t) => (DeliveryStatus::Pending, t),
        Next::Failed => (DeliveryStatus::Failed, a.at),
    };
    Stmt::new(
        "UPDATE callback_deliveries SET status = $1, next_ms = $2, last_attempt_ms = $3, \
         last_http = $4, last_error = $5, calls_remaining = calls_remaining - 1 \
         WHERE id = $6 AND status = 'Sending' AND attempts = $7",
    )
    .bind(status.as_str())
    .bind(next)
    .bind(a.at)
    .bind(a.http)
    .bind(a.error.as_str())
    .bind(a.id)
    .bind(a.attempt)
}

pub(crate) async fn rearm_delivery<B: Backend>(
    db: &B,
    id: i64,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let stmt = Stmt::new(
        "UPDATE callback_deliveries SET status = 'Pending', next_ms = $1, calls_remaining = \
         (SELECT r.retries + 1 FROM callback_registrations r \
          WHERE r.id = callback_deliveries.registration_id) \
         WHERE id = $2 AND status IN ('Failed', 'Canceled')",
    )
    .bind(at)
    .bind(id);
    let mut tx = db.begin().await?;
    let changed = tx.execute(stmt).await? == 1;
    db.commit(tx).await?;
    Ok(changed)
}

/// Implements `CallbackStore` for a store with a `pool` field whose type is a `Backend`.
macro_rules! callbacks_store {
    ($store:ty) => {
        const _: () = {
            use chrono::{DateTime, Utc};
            use edigrid_core::callbacks::model::*;
            use edigrid_core::callbacks::store::RegistrationFilter;
            use edigrid_core::store::{CallbackStore, Page, Paged, StoreResult};
            use edigrid_domain::ParcelId;

            use $crate::callbacks as c;

            #[async_trait::async_trait]
            impl CallbackStore for $store {
                async fn insert_registration(&self, r: &Registration) -> StoreResult<i64> {
                    c::insert_registration(&self.pool, r).await
                }
                async fn registration(&self, id: i64) -> StoreResult<Option<Registration>> {
                    c::registration(&self.pool, id).await
                }
                async fn list_registrations(
                    &self,
                    f: &RegistrationFilter,
                ) -> StoreResult<Vec<Registration>> {
                    c::list_registrations(&self.pool, f).await
                }
                async fn update_registration(&self, r: &Registration) -> StoreResult<()> {
                    c::update_registration(&self.pool, r).await
                }
                async fn queue_test(
                    &self,
                    registration: i64,
                    parcel: ParcelId,
                    at: DateTime<Utc>,
                ) -> StoreResult<Delivery> {
                    c::queue_test(&self.pool, registration, parcel, at).await
                }
                async fn delivery(&self, id: i64) -> StoreResult<Option<Delivery>> {
                    c::delivery(&self.pool, id).await
                }
                async fn list_deliveries(
                    &self,
                    f: &DeliveryFilter,
                    page: Page,
                ) -> StoreResult<Paged<Delivery>> {
                    c::list_deliveries(&self.pool, f, page).await
                }
                async fn claim_deliveries(
                    &self,
                    now: DateTime<Utc>,
                    lease_until: DateTime<Utc>,
                    limit: u32,
                ) -> StoreResult<Vec<Claimed>> {
                    c::claim_deliveries(&self.pool, now, lease_until, limit).await
                }
                async fn record_attempt(&self, a: &Attempted) -> StoreResult<bool> {
                    c::record_attempt(&self.pool, a).await
                }
                async fn record_attempts(&self, batch: &[Attempted]) -> StoreResult<Vec<bool>> {
                    c::record_attempts(&self.pool, batch).await
                }
                async fn rearm_delivery(&self, id: i64, at: DateTime<Utc>) -> StoreResult<bool> {
                    c::rearm_delivery(&self.pool, id, at).await
                }
            }
        };
    };
}
pub(crate) use callbacks_store;
