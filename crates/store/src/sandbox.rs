//! `SandboxStore` on both databases (one SQL text, [`crate::sql`]): the operations, and
//! [`sandbox_store!`], which writes a store's impl as calls to them.

use chrono::{DateTime, Utc};
use edigrid_core::StoreError;
use edigrid_core::sandbox::{AnswerCounts, SandboxScope, SimulatedPartner, Unanswered};
use edigrid_core::store::StoreResult;
use edigrid_domain::{EcGridId, MailboxId, NetworkId, ParcelId};

use crate::convert::{all, time};
use crate::sql::{Backend, Conn, Stmt, Value, missing_unless_any};

pub(crate) async fn set_simulated<B: Backend>(
    db: &B,
    id: EcGridId,
    simulated: bool,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut conn = db.conn().await?;
    let rows = conn
        .execute(
            Stmt::new("UPDATE partners SET simulated = $1, modified_ms = $2 WHERE ecgrid_id = $3")
                .bind(simulated)
                .bind(at)
                .bind(id.0),
        )
        .await?;
    missing_unless_any(rows, || format!("ECGridID {id}"))
}

#[derive(sqlx::FromRow)]
struct SimulatedRow {
    ecgrid_id: i32,
    network_id: i32,
    mailbox_id: i32,
    qualifier: String,
    id: String,
    description: String,
    control_number: Option<i64>,
    parcels: Option<i64>,
    interchanges: Option<i64>,
    acknowledgments: Option<i64>,
    last_answered_ms: Option<i64>,
}

impl TryFrom<SimulatedRow> for SimulatedPartner {
    type Error = StoreError;
    fn try_from(r: SimulatedRow) -> Result<Self, StoreError> {
        Ok(SimulatedPartner {
            ecgrid_id: EcGridId(r.ecgrid_id),
            network_id: NetworkId(r.network_id),
            mailbox_id: MailboxId(r.mailbox_id),
            qualifier: r.qualifier,
            id: r.id,
            description: r.description,
            counts: AnswerCounts {
                parcels: r.parcels.unwrap_or(0),
                interchanges: r.interchanges.unwrap_or(0),
                acknowledgments: r.acknowledgments.unwrap_or(0),
                last_control_number: r.control_number.unwrap_or(0),
                last_answered: r.last_answered_ms.map(time).transpose()?,
            },
        })
    }
}

pub(crate) async fn simulated_partners<B: Backend>(
    db: &B,
    scope: SandboxScope,
) -> StoreResult<Vec<SimulatedPartner>> {
    // The few simulated IDs come off their partial index; scope narrows them.
    let mut sql = String::from(
        "SELECT p.ecgrid_id, p.network_id, p.mailbox_id, p.qualifier, p.id, p.description, \
         s.control_number, s.parcels, s.interchanges, s.acknowledgments, s.last_answered_ms \
         FROM partners p LEFT JOIN sandbox_partners s ON s.ecgrid_id = p.ecgrid_id \
         WHERE p.simulated AND p.status <> 'Terminated'",
    );
    let mut args = Vec::new();
    for (column, value) in [
        ("network_id", scope.network.map(|n| n.0)),
        ("mailbox_id", scope.mailbox.map(|m| m.0)),
    ] {
        if let Some(value) = value {
            args.push(Value::from(value));
            sql.push_str(&format!(" AND p.{column} = ${}", args.len()));
        }
    }
    sql.push_str(" ORDER BY p.ecgrid_id");
    let stmt = Stmt { sql, args };
    let rows: Vec<SimulatedRow> = db.conn().await?.fetch_all(stmt).await?;
    all(rows)
}

#[derive(sqlx::FromRow)]
struct WaitingRow {
    parcel: i64,
    partner: i32,
}

fn unanswered_stmt(limit: u32) -> Stmt {
    // A parcel is waiting when an interchange delivered in it is addressed to a simulated
    // ID, whichever of its interchanges that is (the parcel's own receiver is its first's),
    // or, for a parcel without interchange records, when its receiver is simulated. Those
    // IDs and the parcel share a mailbox, so the look-up starts from the few simulated IDs
    // (their partial index), reads each one's mailbox's ready inbound parcels off the
    // mailbox lists' index, and each parcel's interchanges off the index by inbound parcel.
    // CROSS JOIN keeps SQLite from starting at the parcels by state; `partner` is the
    // least simulated ID the parcel holds.
    Stmt::new(
        "SELECT p.id AS parcel, MIN(t.ecgrid_id) AS partner FROM partners t CROSS JOIN parcels p \
         WHERE t.simulated AND p.mailbox_id = t.mailbox_id AND p.direction = 'InBox' \
         AND p.state = 'InBoxReady' \
         AND (p.ecgrid_to = t.ecgrid_id OR EXISTS (SELECT 1 FROM interchanges i \
         WHERE i.inbound_id = p.id AND i.ecgrid_to = t.ecgrid_id)) \
         GROUP BY p.id ORDER BY p.id LIMIT $1",
    )
    .bind(i64::from(limit))
}

pub(crate) async fn unanswered<B: Backend>(db: &B, limit: u32) -> StoreResult<Vec<Unanswered>> {
    let stmt = unanswered_stmt(limit);
    let rows: Vec<WaitingRow> = db.conn().await?.fetch_all(stmt).await?;
    Ok(rows
        .into_iter()
        .map(|r| Unanswered {
            parcel: ParcelId(r.parcel),
            partner: EcGridId(r.partner),
        })
        .collect())
}

pub(crate) async fn take_control_numbers<B: Backend>(
    db: &B,
    id: EcGridId,
    count: u32,
) -> StoreResult<i64> {
    let count = i64::from(count.max(1));
    // One statement: concurrent takers (several nodes) each get their own range.
    let stmt = Stmt::new(
        "INSERT INTO sandbox_partners (ecgrid_id, control_number) VALUES ($1, $2) \
         ON CONFLICT (ecgrid_id) DO UPDATE \
         SET control_number = sandbox_partners.control_number + excluded.control_number \
         RETURNING control_number",
    )
    .bind(id.0)
    .bind(count);
    let mut tx = db.begin().await?;
    let last: Option<(i64,)> = tx.fetch_optional(stmt).await?;
    db.commit(tx).await?;
    let (last,) = last.ok_or_else(|| StoreError::Backend("upsert returned no row".into()))?;
    Ok(last - count + 1)
}

pub(crate) async fn count_answer<B: Backend>(
    db: &B,
    id: EcGridId,
    interchanges: u32,
    acknowledgments: u32,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let stmt = Stmt::new(
        "INSERT INTO sandbox_partners \
         (ecgrid_id, parcels, interchanges, acknowledgments, last_answered_ms) \
         VALUES ($1, 1, $2, $3, $4) \
         ON CONFLICT (ecgrid_id) DO UPDATE SET \
         parcels = sandbox_partners.parcels + 1, \
         interchanges = sandbox_partners.interchanges + excluded.interchanges, \
         acknowledgments = sandbox_partners.acknowledgments + excluded.acknowledgments, \
         last_answered_ms = excluded.last_answered_ms",
    )
    .bind(id.0)
    .bind(i64::from(interchanges))
    .bind(i64::from(acknowledgments))
    .bind(at);
    let mut tx = db.begin().await?;
    tx.execute(stmt).await?;
    db.commit(tx).await
}

/// Implements `SandboxStore` for a store with a `pool` field whose type is a `Backend`.
macro_rules! sandbox_store {
    ($store:ty) => {
        const _: () = {
            use chrono::{DateTime, Utc};
            use edigrid_core::sandbox::{SandboxScope, SimulatedPartner, Unanswered};
            use edigrid_core::store::{SandboxStore, StoreResult};
            use edigrid_domain::EcGridId;

            use $crate::sandbox as s;

            #[async_trait::async_trait]
            impl SandboxStore for $store {
                async fn set_simulated(
                    &self,
                    ecgrid_id: EcGridId,
                    simulated: bool,
                    at: DateTime<Utc>,
                ) -> StoreResult<()> {
                    s::set_simulated(&self.pool, ecgrid_id, simulated, at).await
                }
                async fn simulated_partners(
                    &self,
                    scope: SandboxScope,
                ) -> StoreResult<Vec<SimulatedPartner>> {
                    s::simulated_partners(&self.pool, scope).await
                }
                async fn unanswered(&self, limit: u32) -> StoreResult<Vec<Unanswered>> {
                    s::unanswered(&self.pool, limit).await
                }
                async fn take_control_numbers(
                    &self,
                    ecgrid_id: EcGridId,
                    count: u32,
                ) -> StoreResult<i64> {
                    s::take_control_numbers(&self.pool, ecgrid_id, count).await
                }
                async fn count_answer(
                    &self,
                    ecgrid_id: EcGridId,
                    interchanges: u32,
                    acknowledgments: u32,
                    at: DateTime<Utc>,
                ) -> StoreResult<()> {
                    s::count_answer(&self.pool, ecgrid_id, interchanges, acknowledgments, at).await
                }
            }
        };
    };
}
pub(crate) use sandbox_store;

#[cfg(test)]
mod tests {
    use super::unanswered_stmt;
    use crate::plans;

    /// The worker's look-up reads the simulated IDs off their partial index, then their
    /// mailboxes' ready parcels off the mailbox lists' index and those parcels'
    /// interchanges off theirs: never the parcels by state, nor every interchange.
    #[tokio::test]
    async fn the_waiting_parcels_are_read_off_the_indexes() {
        for (sql, plan) in plans::sqlite(vec![unanswered_stmt(100)]).await {
            assert!(
                plan.contains("USING INDEX partners_simulated")
                    && plan.contains("USING INDEX parcels_by_mailbox_state")
                    && plan.contains("USING INDEX interchanges_by_inbound"),
                "{sql}\n{plan}"
            );
        }
        let stmts = vec![unanswered_stmt(100)];
        let Some(plans) = plans::postgres(&["SET enable_seqscan = off"], stmts).await else {
            return;
        };
        // PostgreSQL, without statistics on the empty schema, may instead read the ready
        // parcels off their partial index and join the simulated IDs by mailbox: either way
        // it reads only waiting parcels, and each one's interchanges off their index.
        for (sql, plan) in plans {
            assert!(
                plan.contains("partners_")
                    && (plan.contains("parcels_by_mailbox_state")
                        || plan.contains("parcels_ready_by_receiver"))
                    && plan.contains("interchanges_by_inbound")
                    && !plan.contains("Seq Scan"),
                "{sql}\n{plan}"
            );
        }
    }
}
