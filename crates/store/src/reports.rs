//! `ReportStore` on both databases (one SQL text, [`crate::sql`]): the operations, and
//! [`reports_store!`], which writes a store's impl as calls to them.
//!
//! A report is one statement of four aggregates (parcels in, parcels out, interchanges sent,
//! interchanges delivered), each a range of one index: a mailbox's or network's box by time
//! (`parcels_by_mailbox`, `parcels_by_network`, `interchanges_by_mailbox_from`, ...), or
//! everyone's by time (`parcels_by_direction_time`, `interchanges_by_time`, migration 0010).
//! Its cost grows with the rows in the scope and range it counts, never with the rest.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use edigrid_core::reports::store::{MailboxTraffic, ReportScope, Traffic};
use edigrid_core::store::StoreResult;
use edigrid_domain::{MailboxId, NetworkId};

use crate::convert::time;
use crate::sql::{Backend, Conn, Stmt};

/// The predicates a scope puts on parcels, interchanges sent and interchanges received.
fn predicates(scope: ReportScope) -> [&'static str; 3] {
    match scope {
        ReportScope::Mailbox(_) => ["mailbox_id = $1", "mailbox_from = $1", "mailbox_to = $1"],
        ReportScope::Network(_) => ["network_id = $1", "network_from = $1", "network_to = $1"],
        ReportScope::All => ["$1 = 0", "$1 = 0", "$1 = 0"],
    }
}

fn scope_arg(scope: ReportScope) -> i32 {
    match scope {
        ReportScope::Mailbox(MailboxId(m)) => m,
        ReportScope::Network(NetworkId(n)) => n,
        ReportScope::All => 0,
    }
}

/// The four aggregates over `[$2, $3)`; `group` is `None` for totals, else each part is
/// grouped by its mailbox column (named `mailbox`).
pub(crate) fn traffic_stmt(
    scope: ReportScope,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    by_mailbox: bool,
) -> Stmt {
    let [parcels, from, to] = predicates(scope);
    let range = "created_ms >= $2 AND created_ms < $3";
    let part = |kind: &str, mailbox: &str, table: &str, bytes: &str, filter: String| {
        let (select, group) = if by_mailbox {
            (
                format!("{mailbox} AS mailbox, "),
                format!(" GROUP BY {mailbox}"),
            )
        } else {
            ("0 AS mailbox, ".to_string(), String::new())
        };
        format!(
            "SELECT '{kind}' AS kind, {select}COUNT(*) AS n, \
             CAST(COALESCE(SUM({bytes}), 0) AS BIGINT) AS bytes, MAX(created_ms) AS last_ms \
             FROM {table} WHERE {filter} AND {range}{group}"
        )
    };
    let sql = [
        part(
            "in",
            "mailbox_id",
            "parcels",
            "bytes",
            format!("{parcels} AND direction = 'InBox'"),
        ),
        part(
            "out",
            "mailbox_id",
            "parcels",
            "bytes",
            format!("{parcels} AND direction = 'OutBox'"),
        ),
        part(
            "sent",
            "mailbox_from",
            "interchanges",
            "byte_length",
            from.to_string(),
        ),
        part(
            "delivered",
            "mailbox_to",
            "interchanges",
            "byte_length",
            format!("{to} AND inbound_id IS NOT NULL"),
        ),
    ]
    .join(" UNION ALL ");
    Stmt::new(sql)
        .bind(scope_arg(scope))
        .bind(since)
        .bind(until)
}

#[derive(sqlx::FromRow)]
struct PartRow {
    kind: String,
    mailbox: i32,
    n: i64,
    bytes: i64,
    last_ms: Option<i64>,
}

fn add(t: &mut Traffic, row: &PartRow) -> StoreResult<()> {
    match row.kind.as_str() {
        "in" => (t.parcels_in, t.bytes_in) = (row.n, row.bytes),
        "out" => (t.parcels_out, t.bytes_out) = (row.n, row.bytes),
        "sent" => (t.interchanges_out, t.interchange_bytes_out) = (row.n, row.bytes),
        _ => (t.interchanges_in, t.interchange_bytes_in) = (row.n, row.bytes),
    }
    if matches!(row.kind.as_str(), "in" | "out")
        && let Some(ms) = row.last_ms
    {
        let at = time(ms)?;
        t.last_activity = Some(t.last_activity.map_or(at, |l| l.max(at)));
    }
    Ok(())
}

pub(crate) async fn traffic<B: Backend>(
    db: &B,
    scope: ReportScope,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> StoreResult<Traffic> {
    let stmt = traffic_stmt(scope, since, until, false);
    let rows: Vec<PartRow> = db.conn().await?.fetch_all(stmt).await?;
    let mut t = Traffic::default();
    for row in &rows {
        add(&mut t, row)?;
    }
    Ok(t)
}

#[derive(sqlx::FromRow)]
struct MailboxRow {
    id: i32,
    network_id: i32,
    name: String,
}

pub(crate) async fn traffic_by_mailbox<B: Backend>(
    db: &B,
    scope: ReportScope,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> StoreResult<Vec<MailboxTraffic>> {
    let mut conn = db.conn().await?;
    let rows: Vec<PartRow> = conn
        .fetch_all(traffic_stmt(scope, since, until, true))
        .await?;
    let mut by_mailbox: BTreeMap<i32, Traffic> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.mailbox != 0) {
        add(by_mailbox.entry(row.mailbox).or_default(), row)?;
    }
    let mut out = Vec::with_capacity(by_mailbox.len());
    // The mailboxes with traffic, a bounded page of them per statement.
    let ids: Vec<i32> = by_mailbox.keys().copied().collect();
    for chunk in ids.chunks(100) {
        let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let mut stmt = Stmt::new(format!(
            "SELECT id, network_id, name FROM mailboxes WHERE id IN ({}) ORDER BY id",
            params.join(", ")
        ));
        for id in chunk {
            stmt = stmt.bind(*id);
        }
        let found: Vec<MailboxRow> = conn.fetch_all(stmt).await?;
        for m in found {
            if let Some(traffic) = by_mailbox.get(&m.id) {
                out.push(MailboxTraffic {
                    network_id: NetworkId(m.network_id),
                    mailbox_id: MailboxId(m.id),
                    mailbox_name: m.name,
                    traffic: *traffic,
                });
            }
        }
    }
    Ok(out)
}

/// Implements `ReportStore` for a store with a `pool` field whose type is a `Backend`.
macro_rules! reports_store {
    ($store:ty) => {
        const _: () = {
            use chrono::{DateTime, Utc};
            use edigrid_core::reports::store::{MailboxTraffic, ReportScope, Traffic};
            use edigrid_core::store::{ReportStore, StoreResult};

            #[async_trait::async_trait]
            impl ReportStore for $store {
                async fn traffic(
                    &self,
                    scope: ReportScope,
                    since: DateTime<Utc>,
                    until: DateTime<Utc>,
                ) -> StoreResult<Traffic> {
                    $crate::reports::traffic(&self.pool, scope, since, until).await
                }
                async fn traffic_by_mailbox(
                    &self,
                    scope: ReportScope,
                    since: DateTime<Utc>,
                    until: DateTime<Utc>,
                ) -> StoreResult<Vec<MailboxTraffic>> {
                    $crate::reports::traffic_by_mailbox(&self.pool, scope, since, until).await
                }
            }
        };
    };
}
pub(crate) use reports_store;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use chrono::TimeZone;

    use super::*;
    use crate::plans;

    fn statements() -> Vec<(String, Stmt)> {
        let since = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        let until = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let mut out = Vec::new();
        for scope in [
            ReportScope::Mailbox(MailboxId(10)),
            ReportScope::Network(NetworkId(1)),
            ReportScope::All,
        ] {
            for by_mailbox in [false, true] {
                out.push((
                    format!("{scope:?} by mailbox {by_mailbox}"),
                    traffic_stmt(scope, since, until, by_mailbox),
                ));
            }
        }
        out
    }

    #[tokio::test]
    async fn sqlite_counts_every_report_from_an_index() {
        let (names, stmts): (Vec<_>, Vec<_>) = statements().into_iter().unzip();
        for (name, (sql, plan)) in names.iter().zip(plans::sqlite(stmts).await) {
            assert_eq!(
                plan.matches("USING INDEX").count() + plan.matches("USING COVERING INDEX").count(),
                4,
                "{name}: each of the four parts reads an index\n{sql}\n{plan}"
            );
            assert!(
                !plan.lines().any(|l| l.starts_with("SCAN")),
                "{name}: {sql}\n{plan}"
            );
        }
    }

    #[tokio::test]
    async fn postgres_counts_every_report_from_an_index() {
        let (names, stmts): (Vec<_>, Vec<_>) = statements().into_iter().unzip();
        let Some(plans) = plans::postgres(&["SET enable_seqscan = off"], stmts).await else {
            return;
        };
        for (name, (sql, plan)) in names.iter().zip(plans) {
            assert!(plan.contains("Index"), "{name}: {sql}\n{plan}");
            assert!(!plan.contains("Seq Scan"), "{name}: {sql}\n{plan}");
        }
    }
}
