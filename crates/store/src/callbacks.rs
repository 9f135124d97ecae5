//! `CallbackStore` on both databases (one SQL text, [`crate::sql`]): the operations, and
//! [`callbacks_store!`], which writes a store's impl as calls to them. The parcel store
//! queues deliveries through [`queue_upload`] and [`queue_change`], inside the transaction
//! of the event.

use chrono::{DateTime, Utc};
use edigrid_core::StoreError;
use edigrid_core::callbacks::model::{
    Attempted, Claimed, Delivery, DeliveryFilter, DeliveryStatus, Next, Raised, Registration,
    RegistrationStatus, Scope,
};
use edigrid_core::callbacks::raise::{Sides, change_event, upload_events};
use edigrid_core::callbacks::store::RegistrationFilter;
use edigrid_core::parcels::model::{StateChange, Upload};
use edigrid_core::store::{Page, Paged, StoreResult};
use edigrid_domain::{EcGridId, MailboxId, NetworkId, ParcelId, ParcelState, UserId};
use sqlx::{PgPool, SqlitePool};

use crate::convert::{all, one, parsed, time};
use crate::sql::{Backend, Conditions, Conn, Stmt, list};

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
async fn queue<C: Conn>(tx: &mut C, events: &[Raised]) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    tx.execute(queue_stmt(events)).await?;
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
pub(crate) async fn queue_upload<C: Conn>(
    tx: &mut C,
    upload: &Upload,
    outbound: ParcelId,
    inbound: &[ParcelId],
) -> StoreResult<()> {
    queue(tx, &upload_events(upload, outbound, inbound)).await
}

#[derive(sqlx::FromRow)]
struct SidesRow {
    network_id: i32,
    mailbox_id: i32,
    ecgrid_to: i32,
    peer_network_id: i32,
    peer_mailbox_id: i32,
    ecgrid_from: i32,
    file_name: String,
}

/// The delivery of an applied state change's event, if it raises one.
pub(crate) async fn queue_change<C: Conn>(tx: &mut C, ch: &StateChange) -> StoreResult<()> {
    if ch.to != ParcelState::InBoxArchived {
        return Ok(());
    }
    let row: Option<SidesRow> = tx
        .fetch_optional(
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

// ---- rows -----------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct RegistrationRow {
    id: i64,
    scope_key: String,
    network_id: i32,
    mailbox_id: i32,
    ecgrid_id: i32,
    event: String,
    url: String,
    auth_user: String,
    auth_password: String,
    retries: i32,
    secret: String,
    status: String,
    created_by: i32,
    created_ms: i64,
    modified_ms: i64,
}

impl TryFrom<RegistrationRow> for Registration {
    type Error = StoreError;

    fn try_from(r: RegistrationRow) -> Result<Self, StoreError> {
        let (n, m, e) = (
            NetworkId(r.network_id),
            MailboxId(r.mailbox_id),
            EcGridId(r.ecgrid_id),
        );
        let scope = match r.scope_key.split(':').next() {
            Some("e") => Scope::EcGridId(n, m, e),
            Some("m") => Scope::Mailbox(n, m),
            _ => Scope::Network(n),
        };
        Ok(Registration {
            id: r.id,
            scope,
            event: parsed(&r.event, "callback event")?,
            url: r.url,
            auth_user: r.auth_user,
            auth_password: r.auth_password,
            retries: i16::try_from(r.retries).unwrap_or(i16::MAX),
            secret: r.secret,
            status: parsed(&r.status, "callback status")?,
            created_by: UserId(r.created_by),
            created: time(r.created_ms)?,
            modified: time(r.modified_ms)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    registration_id: i64,
    event: String,
    network_id: i32,
    mailbox_id: i32,
    ecgrid_id: i32,
    parcel_id: i64,
    file_name: String,
    test: bool,
    status: String,
    attempts: i32,
    calls_remaining: i32,
    next_ms: i64,
    created_ms: i64,
    last_attempt_ms: Option<i64>,
    last_http: i32,
    last_error: String,
    url: String,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;

    fn try_from(r: DeliveryRow) -> Result<Self, StoreError> {
        Ok(Delivery {
            id: r.id,
            registration_id: r.registration_id,
            event: parsed(&r.event, "callback event")?,
            network_id: NetworkId(r.network_id),
            mailbox_id: MailboxId(r.mailbox_id),
            ecgrid_id: EcGridId(r.ecgrid_id),
            parcel_id: ParcelId(r.parcel_id),
            file_name: r.file_name,
            test: r.test,
            status: parsed(&r.status, "delivery status")?,
            attempts: r.attempts,
            calls_remaining: r.calls_remaining,
            next_at: time(r.next_ms)?,
            created: time(r.created_ms)?,
            last_attempt: r.last_attempt_ms.map(time).transpose()?,
            last_http: r.last_http,
            last_error: r.last_error,
            url: r.url,
        })
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
    c.any_of("status", f.statuses.iter().map(|s| s.as_str()));
    c.equals("event", f.event.map(|e| e.as_str()));
    c.compare("created_ms", ">=", f.since);
    c.compare("created_ms", "<=", f.until);
    list::<B, DeliveryRow, Delivery>(db, c.page("callback_delivery_rows", "id DESC", page), page)
        .await
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    #[sqlx(flatten)]
    delivery: DeliveryRow,
    auth_user: String,
    auth_password: String,
    secret: String,
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use chrono::TimeZone;
    use edigrid_core::callbacks::raise::keys;

    use super::*;
    use crate::plans;

    /// An upload's usual events: the sender's `OutBox` and one `InBox`.
    fn statements() -> Vec<Stmt> {
        let at = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        let event = |kind, mailbox| Raised {
            kind,
            parcel: ParcelId(1),
            network_id: NetworkId(1),
            mailbox_id: MailboxId(mailbox),
            ecgrid_id: EcGridId(7),
            file_name: "f".into(),
            at,
            keys: keys(NetworkId(1), MailboxId(mailbox), EcGridId(7)),
        };
        vec![
            queue_stmt(&[
                event(edigrid_core::callbacks::model::EventKind::OutBox, 10),
                event(edigrid_core::callbacks::model::EventKind::InBox, 11),
            ]),
            due_stmt(at),
        ]
    }

    /// The upload's match probes the index of active registrations, and the idle poll the
    /// index of waiting deliveries: neither reads a table through.
    #[tokio::test]
    async fn sqlite_matches_and_polls_through_indexes() {
        let plans = plans::sqlite(statements()).await;
        assert!(
            plans[0]
                .1
                .contains("USING INDEX callback_registrations_match"),
            "{:?}",
            plans[0]
        );
        assert!(
            plans[1].1.contains("USING INDEX callback_deliveries_"),
            "{:?}",
            plans[1]
        );
        for (sql, plan) in plans {
            assert!(
                !plan.lines().any(|l| l.starts_with("SCAN callback")),
                "{sql}\n{plan}"
            );
        }
    }

    #[tokio::test]
    async fn postgres_matches_and_polls_through_indexes() {
        let Some(plans) = plans::postgres(&["SET enable_seqscan = off"], statements()).await else {
            return;
        };
        for (sql, plan) in plans {
            assert!(plan.contains("Index"), "{sql}\n{plan}");
            assert!(!plan.contains("Seq Scan on callback"), "{sql}\n{plan}");
        }
    }
}
