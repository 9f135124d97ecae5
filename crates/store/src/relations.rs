//! `RelationStore` on both databases (one SQL text, [`crate::sql`]): the operations, and
//! [`relations_store!`], which writes a store's impl as calls to them.

use chrono::{DateTime, Utc};
use edigrid_core::StoreError;
use edigrid_core::relations::{
    CarbonCopy, CarbonCopyFilter, Interconnect, InterconnectChange, InterconnectFilter,
    InterconnectNote, InterconnectStatus,
};
use edigrid_core::store::{Page, Paged, StoreResult};
use edigrid_domain::{EcGridId, MailboxId, UserStatus};

mod rows;

use rows::{CarbonCopyRow, InterconnectRow, NoteRow, carbon_copy_fields, interconnect_fields};

use crate::convert::{all, one};
use crate::sql::{Backend, Conn, Stmt, Value, insert, list, update};

/// A number an `INSERT ... RETURNING id` gave back.
async fn returned<C: Conn>(conn: &mut C, stmt: Stmt) -> StoreResult<i32> {
    match conn.fetch_optional::<(i32,)>(stmt).await? {
        Some((id,)) => Ok(id),
        None => Err(StoreError::Backend("INSERT returned no row".into())),
    }
}

/// `WHERE` clauses and their values, numbered as they are added.
#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    args: Vec<Value>,
}

impl Where {
    fn param(&mut self, v: impl Into<Value>) -> String {
        self.args.push(v.into());
        format!("${}", self.args.len())
    }

    fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// One page in `order` and the count of all that match.
    fn page(self, table: &str, order: &str, page: Page) -> (Stmt, Stmt) {
        let filter = self.sql();
        let count = Stmt {
            sql: format!("SELECT COUNT(*) FROM {table}{filter}"),
            args: self.args.clone(),
        };
        let mut args = self.args;
        let limit = args.len() + 1;
        args.push(Value::BigInt(i64::from(page.size)));
        args.push(Value::BigInt(
            i64::try_from(page.offset()).unwrap_or(i64::MAX),
        ));
        let select = Stmt {
            sql: format!(
                "SELECT * FROM {table}{filter} ORDER BY {order} LIMIT ${limit} OFFSET ${}",
                limit + 1
            ),
            args,
        };
        (select, count)
    }
}

// ---- carbon copies ---------------------------------------------------------------------------

pub(crate) async fn insert_carbon_copy<B: Backend>(db: &B, rule: &CarbonCopy) -> StoreResult<i32> {
    let mut conn = db.conn().await?;
    returned(
        &mut *conn,
        insert("carbon_copies", carbon_copy_fields(rule), "RETURNING id"),
    )
    .await
}

pub(crate) async fn carbon_copy<B: Backend>(db: &B, id: i32) -> StoreResult<Option<CarbonCopy>> {
    let mut conn = db.conn().await?;
    let row: Option<CarbonCopyRow> = conn
        .fetch_optional(Stmt::new("SELECT * FROM carbon_copies WHERE id = $1").bind(id))
        .await?;
    one(row)
}

pub(crate) async fn set_carbon_copy_status<B: Backend>(
    db: &B,
    id: i32,
    from: &[UserStatus],
    to: UserStatus,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let mut w = Where::default();
    let status = w.param(to.as_str());
    let modified = w.param(at);
    let key = w.param(id);
    let states: Vec<String> = from.iter().map(|s| w.param(s.as_str())).collect();
    if states.is_empty() {
        return Ok(false);
    }
    let sql = format!(
        "UPDATE carbon_copies SET status = {status}, modified_ms = {modified} \
         WHERE id = {key} AND status IN ({})",
        states.join(", ")
    );
    let mut conn = db.conn().await?;
    let changed = conn.execute(Stmt { sql, args: w.args }).await?;
    Ok(changed > 0)
}

pub(crate) async fn list_carbon_copies<B: Backend>(
    db: &B,
    filter: &CarbonCopyFilter,
    page: Page,
) -> StoreResult<Paged<CarbonCopy>> {
    let mut w = Where::default();
    if let Some(n) = filter.network {
        let p = w.param(n.0);
        w.push(format!("network_id = {p}"));
    }
    if let Some(m) = filter.mailbox {
        let p = w.param(m.0);
        w.push(format!("(mailbox_id = {p} OR cc_mailbox_id = {p})"));
    }
    if let Some(id) = filter.ecgrid_from {
        let p = w.param(id.0);
        w.push(format!("ecgrid_from = {p}"));
    }
    if let Some(id) = filter.ecgrid_to {
        let p = w.param(id.0);
        w.push(format!("ecgrid_to = {p}"));
    }
    if !filter.statuses.is_empty() {
        let ps: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| w.param(s.as_str()))
            .collect();
        w.push(format!("status IN ({})", ps.join(", ")));
    }
    list::<_, CarbonCopyRow, _>(db, w.page("carbon_copies", "id", page), page).await
}

pub(crate) async fn active_carbon_copies<B: Backend>(
    db: &B,
    mailboxes: &[MailboxId],
) -> StoreResult<Vec<CarbonCopy>> {
    if mailboxes.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = Where::default();
    let ps: Vec<String> = mailboxes.iter().map(|m| w.param(m.0)).collect();
    let active = w.param(UserStatus::Active.as_str());
    let sql = format!(
        "SELECT * FROM carbon_copies WHERE mailbox_id IN ({}) AND status = {active} ORDER BY id",
        ps.join(", ")
    );
    let mut conn = db.conn().await?;
    let rows: Vec<CarbonCopyRow> = conn.fetch_all(Stmt { sql, args: w.args }).await?;
    all(rows)
}

// ---- interconnects ---------------------------------------------------------------------------

async fn insert_note<C: Conn>(conn: &mut C, note: &InterconnectNote, id: i32) -> StoreResult<i32> {
    let fields = vec![
        ("interconnect_id", Value::Int(id)),
        ("at_ms", note.at.into()),
        ("status", note.status.as_str().into()),
        ("posted_by", (&note.posted_by).into()),
        ("user_id", Value::Int(note.user_id.0)),
        ("mail_to", (&note.mail_to).into()),
        ("note", (&note.note).into()),
        ("attachment_name", (&note.attachment_name).into()),
        (
            "attachment",
            // An empty attachment is none (one binding type on both databases).
            Value::from(note.attachment.as_deref().unwrap_or_default()),
        ),
    ];
    returned(conn, insert("interconnect_notes", fields, "RETURNING id")).await
}

pub(crate) async fn insert_interconnect<B: Backend>(
    db: &B,
    interconnect: &Interconnect,
    note: &InterconnectNote,
) -> StoreResult<i32> {
    let mut tx = db.begin().await?;
    let id = returned(
        &mut *tx,
        insert(
            "interconnects",
            interconnect_fields(interconnect),
            "RETURNING id",
        ),
    )
    .await?;
    insert_note(&mut *tx, note, id).await?;
    db.commit(tx).await?;
    Ok(id)
}

pub(crate) async fn interconnect<B: Backend>(db: &B, id: i32) -> StoreResult<Option<Interconnect>> {
    let mut conn = db.conn().await?;
    let row: Option<InterconnectRow> = conn
        .fetch_optional(Stmt::new("SELECT * FROM interconnects WHERE id = $1").bind(id))
        .await?;
    one(row)
}

pub(crate) async fn interconnect_by_unique_id<B: Backend>(
    db: &B,
    unique_id: &str,
) -> StoreResult<Option<Interconnect>> {
    let mut conn = db.conn().await?;
    let row: Option<InterconnectRow> = conn
        .fetch_optional(
            Stmt::new("SELECT * FROM interconnects WHERE unique_id = $1").bind(unique_id),
        )
        .await?;
    one(row)
}

pub(crate) async fn change_interconnect<B: Backend>(
    db: &B,
    change: &InterconnectChange,
) -> StoreResult<bool> {
    let mut fields = vec![
        ("status", Value::from(change.to.as_str())),
        ("modified_ms", change.at.into()),
    ];
    if change.to == InterconnectStatus::Completed {
        fields.push(("completed_ms", Some(change.at).into()));
        fields.push(("accepted_by", Value::Int(change.by.0)));
    }
    let mut stmt = update("interconnects", fields, "id", change.id);
    if change.from.is_empty() {
        return Ok(false);
    }
    let states: Vec<String> = change
        .from
        .iter()
        .map(|s| {
            stmt.args.push(s.as_str().into());
            format!("${}", stmt.args.len())
        })
        .collect();
    stmt.sql
        .push_str(&format!(" AND status IN ({})", states.join(", ")));
    let mut tx = db.begin().await?;
    if tx.execute(stmt).await? == 0 {
        return Ok(false);
    }
    insert_note(&mut *tx, &change.note, change.id).await?;
    db.commit(tx).await?;
    Ok(true)
}

pub(crate) async fn add_interconnect_note<B: Backend>(
    db: &B,
    note: &InterconnectNote,
) -> StoreResult<i32> {
    let mut conn = db.conn().await?;
    insert_note(&mut *conn, note, note.interconnect_id).await
}

pub(crate) async fn interconnect_notes<B: Backend>(
    db: &B,
    id: i32,
) -> StoreResult<Vec<InterconnectNote>> {
    let mut conn = db.conn().await?;
    let rows: Vec<NoteRow> = conn
        .fetch_all(
            Stmt::new("SELECT * FROM interconnect_notes WHERE interconnect_id = $1 ORDER BY id")
                .bind(id),
        )
        .await?;
    all(rows)
}

/// The conditions of an interconnect list or count.
fn interconnect_where(filter: &InterconnectFilter) -> Where {
    let mut w = Where::default();
    if !filter.ecgrid_ids.is_empty() {
        let ps: Vec<String> = filter.ecgrid_ids.iter().map(|i| w.param(i.0)).collect();
        let ids = ps.join(", ");
        w.push(format!("(ecgrid_id1 IN ({ids}) OR ecgrid_id2 IN ({ids}))"));
    }
    if let Some((a, b)) = filter.pair {
        let (a, b) = (w.param(a.0), w.param(b.0));
        w.push(format!(
            "((ecgrid_id1 = {a} AND ecgrid_id2 = {b}) OR (ecgrid_id1 = {b} AND ecgrid_id2 = {a}))"
        ));
    }
    let side = |w: &mut Where, column: &str, value: i32| {
        let p = w.param(value);
        w.push(format!(
            "(ecgrid_id1 IN (SELECT ecgrid_id FROM partners WHERE {column} = {p}) \
             OR ecgrid_id2 IN (SELECT ecgrid_id FROM partners WHERE {column} = {p}))"
        ));
    };
    if let Some(n) = filter.network {
        side(&mut w, "network_id", n.0);
    }
    if let Some(m) = filter.mailbox {
        side(&mut w, "mailbox_id", m.0);
    }
    if let Some(s) = filter.status {
        let p = w.param(s.as_str());
        w.push(format!("status = {p}"));
    }
    if let Some(since) = filter.since {
        let p = w.param(since);
        w.push(format!("created_ms >= {p}"));
    }
    w
}

pub(crate) async fn list_interconnects<B: Backend>(
    db: &B,
    filter: &InterconnectFilter,
    page: Page,
) -> StoreResult<Paged<Interconnect>> {
    let w = interconnect_where(filter);
    list::<_, InterconnectRow, _>(db, w.page("interconnects", "id", page), page).await
}

pub(crate) async fn count_interconnects<B: Backend>(
    db: &B,
    filter: &InterconnectFilter,
) -> StoreResult<Vec<(InterconnectStatus, u64)>> {
    let w = interconnect_where(filter);
    let sql = format!(
        "SELECT status, COUNT(*) FROM interconnects{} GROUP BY status ORDER BY status",
        w.sql()
    );
    let mut conn = db.conn().await?;
    let rows: Vec<(String, i64)> = conn.fetch_all(Stmt { sql, args: w.args }).await?;
    rows.into_iter()
        .map(|(s, n)| {
            let status = s
                .parse()
                .map_err(|_| StoreError::Backend(format!("stored status {s:?} is not valid")))?;
            Ok((status, u64::try_from(n).unwrap_or(0)))
        })
        .collect()
}

pub(crate) async fn interconnected<B: Backend>(
    db: &B,
    a: EcGridId,
    b: EcGridId,
) -> StoreResult<bool> {
    let mut conn = db.conn().await?;
    let found: Option<(i32,)> = conn
        .fetch_optional(
            Stmt::new(
                "SELECT id FROM interconnects WHERE ecgrid_id1 = $1 AND ecgrid_id2 = $2 \
                 AND status = $3 UNION ALL SELECT id FROM interconnects WHERE ecgrid_id1 = $2 \
                 AND ecgrid_id2 = $1 AND status = $3 LIMIT 1",
            )
            .bind(a.0)
            .bind(b.0)
            .bind(InterconnectStatus::Completed.as_str()),
        )
        .await?;
    Ok(found.is_some())
}

/// Implements `RelationStore` for a store with a `pool` field whose type is a `Backend`.
macro_rules! relations_store {
    ($store:ty) => {
        const _: () = {
            use chrono::{DateTime, Utc};
            use edigrid_core::relations::*;
            use edigrid_core::store::{Page, Paged, RelationStore, StoreResult};
            use edigrid_domain::{EcGridId, MailboxId, UserStatus};

            use $crate::relations as r;

            #[async_trait::async_trait]
            impl RelationStore for $store {
                async fn insert_carbon_copy(&self, rule: &CarbonCopy) -> StoreResult<i32> {
                    r::insert_carbon_copy(&self.pool, rule).await
                }
                async fn carbon_copy(&self, id: i32) -> StoreResult<Option<CarbonCopy>> {
                    r::carbon_copy(&self.pool, id).await
                }
                async fn set_carbon_copy_status(
                    &self,
                    id: i32,
                    from: &[UserStatus],
                    to: UserStatus,
                    at: DateTime<Utc>,
                ) -> StoreResult<bool> {
                    r::set_carbon_copy_status(&self.pool, id, from, to, at).await
                }
                async fn list_carbon_copies(
                    &self,
                    filter: &CarbonCopyFilter,
                    page: Page,
                ) -> StoreResult<Paged<CarbonCopy>> {
                    r::list_carbon_copies(&self.pool, filter, page).await
                }
                async fn active_carbon_copies(
                    &self,
                    mailboxes: &[MailboxId],
                ) -> StoreResult<Vec<CarbonCopy>> {
                    r::active_carbon_copies(&self.pool, mailboxes).await
                }
                async fn insert_interconnect(
                    &self,
                    interconnect: &Interconnect,
                    note: &InterconnectNote,
                ) -> StoreResult<i32> {
                    r::insert_interconnect(&self.pool, interconnect, note).await
                }
                async fn interconnect(&self, id: i32) -> StoreResult<Option<Interconnect>> {
                    r::interconnect(&self.pool, id).await
                }
                async fn interconnect_by_unique_id(
                    &self,
                    unique_id: &str,
                ) -> StoreResult<Option<Interconnect>> {
                    r::interconnect_by_unique_id(&self.pool, unique_id).await
                }
                async fn change_interconnect(
                    &self,
                    change: &InterconnectChange,
                ) -> StoreResult<bool> {
                    r::change_interconnect(&self.pool, change).await
                }
                async fn add_interconnect_note(&self, note: &InterconnectNote) -> StoreResult<i32> {
                    r::add_interconnect_note(&self.pool, note).await
                }
                async fn interconnect_notes(&self, id: i32) -> StoreResult<Vec<InterconnectNote>> {
                    r::interconnect_notes(&self.pool, id).await
                }
                async fn list_interconnects(
                    &self,
                    filter: &InterconnectFilter,
                    page: Page,
                ) -> StoreResult<Paged<Interconnect>> {
                    r::list_interconnects(&self.pool, filter, page).await
                }
                async fn count_interconnects(
                    &self,
                    filter: &InterconnectFilter,
                ) -> StoreResult<Vec<(InterconnectStatus, u64)>> {
                    r::count_interconnects(&self.pool, filter).await
                }
                async fn interconnected(&self, a: EcGridId, b: EcGridId) -> StoreResult<bool> {
                    r::interconnected(&self.pool, a, b).await
                }
            }
        };
    };
}
pub(crate) use relations_store;
