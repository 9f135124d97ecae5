//! Parcels and interchanges (SPEC-VAN 15–19), written once for both databases (see
//! [`crate::sql`]): the operations, and [`parcel_store!`], which writes a store's
//! `ParcelStore` impl as calls to them. Whatever changes several rows does so in one
//! transaction; SQLite commits with `synchronous = FULL`, so an answered upload is on disk.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use edigrid_core::StoreError;
use edigrid_core::parcels::model::{
    Accepted, Content, Interchange, InterchangeFilter, ManifestEntry, NewParcel, Parcel,
    ParcelFilter, ParcelNote, Redelivery, StateChange, Upload,
};
use edigrid_core::store::{Page, Paged, StoreResult};
use edigrid_domain::{
    Direction, InterchangeId, InterchangeStatus, ManifestType, NetworkId, ParcelId, ParcelState,
    ParcelValid, UserId,
};

mod rows;

use rows::{
    ContentRow, InterchangeRow, ManifestRow, NoteRow, ParcelRow, digest, interchange_fields,
    manifest_fields, note_fields, parcel_fields,
};

use crate::convert::{all, one};
use crate::sql::{Backend, Conditions, Conn, Fields, Stmt, insert, list, missing_unless_any};
use crate::write_conn::{Decode, WriteConn};

/// A number an `INSERT ... RETURNING` gave back.
async fn returned<C: WriteConn>(tx: &mut C, stmt: Stmt) -> StoreResult<i64> {
    match tx.read_optional::<(i64,)>(stmt).await? {
        Some((id,)) => Ok(id),
        None => Err(StoreError::Backend("INSERT returned no row".into())),
    }
}

/// Inserts a parcel (with `source`) and its content; its number.
async fn insert_parcel<C: WriteConn>(
    tx: &mut C,
    new: &NewParcel,
    source: Option<ParcelId>,
) -> StoreResult<ParcelId> {
    let mut fields = parcel_fields(&new.parcel);
    fields.push(("source_id", source.map(|s| s.0).into()));
    let parcel = insert("parcels", fields, "RETURNING id");
    if tx.writes_in_ctes() {
        // PostgreSQL: the row and its content in one statement, since every statement of
        // an upload is a round trip and the database's CPU per statement sets the rate.
        let content = parcel.args.len() + 1;
        let both = Stmt {
            sql: format!(
                "WITH p AS ({}), c AS (INSERT INTO parcel_content (parcel_id, content) \
                 SELECT id, ${content} FROM p) SELECT id FROM p",
                parcel.sql
            ),
            args: parcel.args,
        }
        .bind(new.content.as_slice());
        return Ok(ParcelId(returned(tx, both).await?));
    }
    let id = returned(tx, parcel).await?;
    tx.write(
        Stmt::new("INSERT INTO parcel_content (parcel_id, content) VALUES ($1, $2)")
            .bind(id)
            .bind(new.content.as_slice()),
    )
    .await?;
    Ok(ParcelId(id))
}

async fn insert_manifest<C: WriteConn>(tx: &mut C, entry: &ManifestEntry) -> StoreResult<()> {
    tx.write(insert("parcel_manifest", manifest_fields(entry), ""))
        .await?;
    Ok(())
}

/// The first manifest entry of a delivery.
fn delivered_entry(parcel: &Parcel, id: ParcelId, source: ParcelId) -> ManifestEntry {
    ManifestEntry {
        parcel_id: id,
        interchange_id: None,
        at: parcel.created,
        network_id: parcel.network_id,
        kind: ManifestType::System,
        status_code: ParcelState::InBoxReady.as_str().into(),
        message: format!(
            "Delivered to mailbox {} from parcel {source} of mailbox {}",
            parcel.mailbox_id, parcel.peer_mailbox_id
        ),
        user_id: parcel.uploaded_by,
    }
}

/// Interchanges per multi-row insert (and per duplicate lookup). Measured with 20,000
/// interchanges: one statement per interchange cost about 0.45 ms each; binding grows
/// faster than linearly with a statement's parameters on SQLite (400 rows per statement
/// took eight times as long as 20), so a few dozen rows is the sweet spot on both.
const ROWS_PER_INSERT: usize = 50;

/// An interchange as duplicates are recognised: sender, receiver, control number.
type DuplicateKey = (i32, i32, String);

fn duplicate_key(i: &Interchange) -> Option<DuplicateKey> {
    (!i.control_number.is_empty())
        .then(|| (i.ecgrid_from.0, i.ecgrid_to.0, i.control_number.clone()))
}

/// `INSERT INTO table (columns) VALUES (...), (...)` followed by `tail`: rows of the same
/// columns in the same order.
fn insert_rows(table: &str, rows: Vec<Fields>, tail: &str) -> Stmt {
    let columns: Vec<&str> = rows
        .first()
        .map_or_else(Vec::new, |r| r.iter().map(|(c, _)| *c).collect());
    let mut args = Vec::new();
    let mut values = Vec::with_capacity(rows.len());
    for row in rows {
        let params: Vec<String> = row
            .into_iter()
            .map(|(_, v)| {
                args.push(v);
                format!("${}", args.len())
            })
            .collect();
        values.push(format!("({})", params.join(", ")));
    }
    Stmt {
        sql: format!(
            "INSERT INTO {table} ({}) VALUES {} {tail}",
            columns.join(", "),
            values.join(", ")
        ),
        args,
    }
}

/// The statement that finds which of `controls` from `from` to `to` were delivered at or
/// after `since`: one equality lookup on `interchanges_by_control` per control number (an
/// `IN` list leaves PostgreSQL free to scan every interchange of the pair instead).
pub(crate) fn delivered_controls_stmt(
    (from, to): (i32, i32),
    controls: &[&str],
    since: DateTime<Utc>,
) -> Stmt {
    let mut stmt = Stmt::new(String::new()).bind(from).bind(to).bind(since);
    let lookups: Vec<String> = (0..controls.len())
        .map(|i| {
            format!(
                "SELECT control_number FROM interchanges WHERE ecgrid_from = $1 \
                 AND ecgrid_to = $2 AND control_number = ${} AND created_ms >= $3 \
                 AND inbound_id IS NOT NULL",
                i + 4
            )
        })
        .collect();
    for c in controls {
        stmt = stmt.bind(*c);
    }
    stmt.sql = lookups.join(" UNION ALL ");
    stmt
}

/// Which of these keys were delivered at or after `since`.
async fn delivered_before<C: WriteConn>(
    tx: &mut C,
    keys: &[DuplicateKey],
    since: DateTime<Utc>,
) -> StoreResult<HashSet<DuplicateKey>> {
    let mut pairs: Vec<((i32, i32), Vec<&str>)> = Vec::new();
    for (from, to, control) in keys {
        match pairs.iter_mut().find(|(pair, _)| *pair == (*from, *to)) {
            Some((_, controls)) => controls.push(control),
            None => pairs.push(((*from, *to), vec![control])),
        }
    }
    let mut found = HashSet::new();
    for (pair, controls) in pairs {
        let rows: Vec<(String,)> = tx
            .read_all(delivered_controls_stmt(pair, &controls, since))
            .await?;
        found.extend(rows.into_iter().map(|(c,)| (pair.0, pair.1, c)));
    }
    Ok(found)
}

/// Inserts an upload's interchanges, many per statement, flagging duplicates of those
/// delivered since `upload.duplicates_since` (earlier in the same upload included). The
/// numbers assigned, in upload order, and the positions flagged.
async fn insert_interchanges<C: WriteConn>(
    tx: &mut C,
    upload: &Upload,
    outbound: ParcelId,
    inbound: &[ParcelId],
) -> StoreResult<(Vec<InterchangeId>, Vec<usize>)> {
    let mut ids = vec![InterchangeId(0); upload.interchanges.len()];
    let mut duplicates = Vec::new();
    let mut seen: HashSet<DuplicateKey> = HashSet::new();
    for (n, chunk) in upload.interchanges.chunks(ROWS_PER_INSERT).enumerate() {
        let first = n * ROWS_PER_INSERT;
        let candidates: Vec<DuplicateKey> = chunk
            .iter()
            .filter(|new| new.delivered_in.is_some())
            .filter_map(|new| duplicate_key(&new.interchange))
            .collect();
        let earlier = delivered_before(tx, &candidates, upload.duplicates_since).await?;
        let mut rows = Vec::with_capacity(chunk.len());
        let mut by_position = HashMap::with_capacity(chunk.len());
        for (k, new) in chunk.iter().enumerate() {
            let index = first + k;
            let delivered_in = match new.delivered_in {
                Some(i) => Some(*inbound.get(i).ok_or_else(|| {
                    StoreError::Backend(format!("interchange {index} names no inbound parcel"))
                })?),
                None => None,
            };
            let key = delivered_in.and(duplicate_key(&new.interchange));
            let duplicate = key
                .as_ref()
                .is_some_and(|key| earlier.contains(key) || seen.contains(key));
            if duplicate {
                duplicates.push(index);
            }
            seen.extend(key);
            if by_position
                .insert(new.interchange.position, index)
                .is_some()
            {
                return Err(StoreError::Backend(format!(
                    "two interchanges of one upload at position {}",
                    new.interchange.position
                )));
            }
            let mut fields = interchange_fields(&new.interchange);
            fields.push(("outbound_id", outbound.0.into()));
            fields.push(("inbound_id", delivered_in.map(|p| p.0).into()));
            fields.push(("duplicate", duplicate.into()));
            rows.push(fields);
        }
        let made: Vec<(i64, i32)> = tx
            .read_all(insert_rows("interchanges", rows, "RETURNING id, position"))
            .await?;
        for (id, position) in made {
            let index = by_position.get(&position).ok_or_else(|| {
                StoreError::Backend(format!("INSERT returned unknown position {position}"))
            })?;
            ids[*index] = InterchangeId(id);
        }
    }
    Ok((ids, duplicates))
}

pub(crate) async fn accept_upload<B: Backend>(db: &B, upload: &Upload) -> StoreResult<Accepted> {
    let mut tx = db.begin().await?;
    let accepted = accept_in(&mut *tx, upload).await?;
    db.commit(tx).await?;
    Ok(accepted)
}

/// The writes of [`accept_upload`] inside a transaction the caller commits (alone, or with
/// other uploads by the SQLite group commit).
pub(crate) async fn accept_in<C: WriteConn>(tx: &mut C, upload: &Upload) -> StoreResult<Accepted> {
    if let Some(change) = &upload.requires
        && !apply_change(&mut *tx, change).await?
    {
        return Err(StoreError::Conflict(format!(
            "parcel {} is no longer in the state this upload requires",
            change.parcel
        )));
    }
    let outbound = insert_parcel(&mut *tx, &upload.outbound, None).await?;
    let mut inbound = Vec::with_capacity(upload.inbound.len());
    for new in &upload.inbound {
        inbound.push(insert_parcel(&mut *tx, new, Some(outbound)).await?);
    }
    let (interchanges, duplicates) =
        insert_interchanges(&mut *tx, upload, outbound, &inbound).await?;
    if !duplicates.is_empty() {
        mark_duplicates(&mut *tx, upload, outbound, &inbound, &duplicates).await?;
    }
    let mut manifest = Vec::with_capacity(upload.manifest.len() + inbound.len());
    for entry in &upload.manifest {
        let mut entry = entry.clone();
        if entry.parcel_id.0 == 0 {
            entry.parcel_id = outbound;
        }
        if let Some(InterchangeId(position)) = entry.interchange_id {
            let assigned = usize::try_from(position)
                .ok()
                .and_then(|p| interchanges.get(p))
                .ok_or_else(|| {
                    StoreError::Backend(format!("manifest entry names interchange {position}"))
                })?;
            entry.interchange_id = Some(*assigned);
        }
        manifest.push(manifest_fields(&entry));
    }
    for (new, id) in upload.inbound.iter().zip(&inbound) {
        manifest.push(manifest_fields(&delivered_entry(
            &new.parcel,
            *id,
            outbound,
        )));
    }
    // A few statements for the whole manifest, in its order: an upload's writes are one
    // round trip each, and this is the writer every upload waits for.
    let mut manifest = manifest.into_iter().peekable();
    while manifest.peek().is_some() {
        let rows: Vec<Fields> = manifest.by_ref().take(ROWS_PER_INSERT).collect();
        tx.write(insert_rows("parcel_manifest", rows, "")).await?;
    }
    crate::callbacks::queue_upload(&mut *tx, upload, outbound, &inbound).await?;
    Ok(Accepted {
        outbound,
        inbound,
        interchanges,
        duplicates,
    })
}

/// Flags the parcels holding duplicates (SPEC-VAN 16): each inbound parcel with one, and the
/// outbound parcel when nothing else is wrong with it.
async fn mark_duplicates<C: WriteConn>(
    tx: &mut C,
    upload: &Upload,
    outbound: ParcelId,
    inbound: &[ParcelId],
    duplicates: &[usize],
) -> StoreResult<()> {
    let mut flagged: Vec<usize> = duplicates
        .iter()
        .filter_map(|&p| upload.interchanges[p].delivered_in)
        .collect();
    flagged.sort_unstable();
    flagged.dedup();
    let duplicate = ParcelValid::Duplicate.as_str();
    for i in flagged {
        tx.write(
            Stmt::new("UPDATE parcels SET valid = $1 WHERE id = $2")
                .bind(duplicate)
                .bind(inbound[i].0),
        )
        .await?;
    }
    tx.write(
        Stmt::new("UPDATE parcels SET valid = $1 WHERE id = $2 AND valid = $3")
            .bind(duplicate)
            .bind(outbound.0)
            .bind(ParcelValid::Valid.as_str()),
    )
    .await?;
    Ok(())
}

pub(crate) async fn redeliver<B: Backend>(db: &B, r: &Redelivery) -> StoreResult<Vec<ParcelId>> {
    let mut tx = db.begin().await?;
    let mut made = Vec::with_capacity(r.inbound.len());
    for new in &r.inbound {
        let source = new.parcel.source.ok_or_else(|| {
            StoreError::Backend("a redelivered parcel must name its source".into())
        })?;
        let id = insert_parcel(&mut *tx, new, Some(source)).await?;
        let mut entry = delivered_entry(&new.parcel, id, source);
        entry.at = r.at;
        entry.user_id = r.by;
        entry.message = format!("Resent: {}", entry.message);
        insert_manifest(&mut *tx, &entry).await?;
        reopen_source(&mut *tx, source, r.at, r.by).await?;
        made.push(id);
    }
    for (interchange, i) in &r.interchanges {
        let parcel = made.get(*i).ok_or_else(|| {
            StoreError::Backend(format!("interchange {interchange} names no inbound parcel"))
        })?;
        let rows = tx
            .execute(
                Stmt::new(
                    "UPDATE interchanges SET inbound_id = $1, status = $2, reason = '', \
                     status_changed_ms = $3 WHERE id = $4",
                )
                .bind(parcel.0)
                .bind(InterchangeStatus::Delivered.as_str())
                .bind(r.at)
                .bind(interchange.0),
            )
            .await?;
        missing_unless_any(rows, || format!("interchange {interchange}"))?;
        let network = r.inbound[*i].parcel.network_id;
        insert_manifest(
            &mut *tx,
            &ManifestEntry {
                parcel_id: *parcel,
                interchange_id: Some(*interchange),
                at: r.at,
                network_id: network,
                kind: ManifestType::EcGridOs,
                status_code: InterchangeStatus::Delivered.as_str().into(),
                message: format!("Interchange {interchange} resent in parcel {parcel}"),
                user_id: r.by,
            },
        )
        .await?;
    }
    db.commit(tx).await?;
    Ok(made)
}

fn parcel_stmt(id: ParcelId) -> Stmt {
    Stmt::new("SELECT * FROM parcel_rows WHERE id = $1").bind(id.0)
}

pub(crate) async fn parcel<B: Backend>(db: &B, id: ParcelId) -> StoreResult<Option<Parcel>> {
    one::<ParcelRow, _>(db.conn().await?.fetch_optional(parcel_stmt(id)).await?)
}

/// [`parcel`] on the calling thread through the SQLite store's inline readers.
pub(crate) fn parcel_inline(
    readers: &crate::sqlite_readers::SessionReaders,
    id: ParcelId,
) -> StoreResult<Option<Parcel>> {
    let row: Option<ParcelRow> =
        readers.with(|conn| crate::write_conn::read_inline(conn, &parcel_stmt(id)))?;
    one(row)
}

pub(crate) async fn parcel_content<B: Backend>(
    db: &B,
    id: ParcelId,
) -> StoreResult<Option<Content>> {
    let stmt = Stmt::new(
        "SELECT c.content, p.sha256 FROM parcel_content c JOIN parcels p ON p.id = c.parcel_id \
         WHERE c.parcel_id = $1",
    )
    .bind(id.0);
    let row: Option<ContentRow> = db.conn().await?.fetch_optional(stmt).await?;
    row.map(|r| {
        Ok(Content {
            bytes: r.content,
            sha256: digest(r.sha256)?,
        })
    })
    .transpose()
}

/// The page and count statements of a parcel list: each filter an indexable condition, the
/// order that of the index's last columns.
pub(crate) fn list_parcels_stmts(f: &ParcelFilter, page: Page) -> (Stmt, Stmt) {
    let mut c = Conditions::default();
    if f.mailbox.is_some() {
        c.equals("mailbox_id", f.mailbox.map(|m| m.0));
        c.equals_unindexed("network_id", f.network.map(|n| n.0));
    } else {
        c.equals("network_id", f.network.map(|n| n.0));
    }
    c.equals("direction", Some(f.direction.as_str()));
    match f.states.as_slice() {
        [one] => c.equals("state", Some(one.as_str())),
        states => c.any_of("state", states.iter().map(|s| s.as_str())),
    }
    c.compare("created_ms", ">=", f.since);
    c.compare("created_ms", "<", f.until);
    c.equals_unindexed("ecgrid_from", f.ecgrid_from.map(|e| e.0));
    c.equals_unindexed("ecgrid_to", f.ecgrid_to.map(|e| e.0));
    c.equals("mailbag_control_id", f.mailbag_control_id.as_deref());
    let order = if f.newest_first {
        "created_ms DESC, id DESC"
    } else {
        "created_ms, id"
    };
    // Every condition above is on a column of `parcels` itself: counted from the table, the
    // count reads the mailbox's or network's index alone, not the view's four joins.
    c.page_counted_in("parcel_rows", "parcels", order, page)
}

pub(crate) async fn list_parcels<B: Backend>(
    db: &B,
    f: &ParcelFilter,
    page: Page,
) -> StoreResult<Paged<Parcel>> {
    list::<B, ParcelRow, _>(db, list_parcels_stmts(f, page), page).await
}

/// Whether a list is a mailbox's waiting parcels (the inbox poll): its count reads only
/// what the mailbox has not confirmed yet, so it may run on the calling thread. An archive
/// or a network's list may count millions; those stay on the pool's threads.
pub(crate) fn is_waiting_list(f: &ParcelFilter) -> bool {
    f.mailbox.is_some()
        && !f.states.is_empty()
        && f.states
            .iter()
            .all(|s| matches!(s, ParcelState::InBoxReady | ParcelState::InBoxTransferred))
}

/// [`list_parcels`] on the calling thread through the SQLite store's inline readers: a
/// page an index bounds, and a count read from an index only.
pub(crate) fn list_parcels_inline(
    readers: &crate::sqlite_readers::SessionReaders,
    f: &ParcelFilter,
    page: Page,
) -> StoreResult<Paged<Parcel>> {
    crate::write_conn::list_inline::<ParcelRow, _>(readers, list_parcels_stmts(f, page), page)
}

pub(crate) async fn interchange<B: Backend>(
    db: &B,
    id: InterchangeId,
) -> StoreResult<Option<Interchange>> {
    let stmt = Stmt::new("SELECT * FROM interchanges WHERE id = $1").bind(id.0);
    one::<InterchangeRow, _>(db.conn().await?.fetch_optional(stmt).await?)
}

pub(crate) async fn parcel_interchanges<B: Backend>(
    db: &B,
    parcel: ParcelId,
) -> StoreResult<Vec<Interchange>> {
    let stmt = Stmt::new(
        "SELECT * FROM interchanges WHERE outbound_id = $1 OR inbound_id = $1 ORDER BY id",
    )
    .bind(parcel.0);
    all::<InterchangeRow, _>(db.conn().await?.fetch_all(stmt).await?)
}

pub(crate) fn list_interchanges_stmts(f: &InterchangeFilter, page: Page) -> (Stmt, Stmt) {
    let (network, mailbox) = match f.direction {
        Direction::InBox => ("network_to", "mailbox_to"),
        _ => ("network_from", "mailbox_from"),
    };
    let mut c = Conditions::default();
    if f.mailbox.is_some() {
        c.equals(mailbox, f.mailbox.map(|m| m.0));
        c.equals_unindexed(network, f.network.map(|n| n.0));
    } else {
        c.equals(network, f.network.map(|n| n.0));
    }
    c.any_of("status", f.statuses.iter().map(|s| s.as_str()));
    c.any_of("inbound_state", f.parcel_states.iter().map(|s| s.as_str()));
    c.compare("created_ms", ">=", f.since);
    c.compare("created_ms", "<", f.until);
    c.equals_unindexed("ecgrid_from", f.ecgrid_from.map(|e| e.0));
    c.equals_unindexed("ecgrid_to", f.ecgrid_to.map(|e| e.0));
    let order = if f.newest_first {
        "created_ms DESC, id DESC"
    } else {
        "created_ms, id"
    };
    c.page("interchange_rows", order, page)
}

pub(crate) async fn list_interchanges<B: Backend>(
    db: &B,
    f: &InterchangeFilter,
    page: Page,
) -> StoreResult<Paged<Interchange>> {
    list::<B, InterchangeRow, _>(db, list_interchanges_stmts(f, page), page).await
}

#[derive(sqlx::FromRow)]
struct Placed {
    direction: String,
    network_id: i32,
    source_id: Option<i64>,
}

impl Decode for Placed {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Placed {
            direction: row.get("direction")?,
            network_id: row.get("network_id")?,
            source_id: row.get("source_id")?,
        })
    }
}

/// Where a parcel is, read inside a transaction.
async fn placed<C: WriteConn>(tx: &mut C, id: ParcelId) -> StoreResult<Option<Placed>> {
    tx.read_optional(
        Stmt::new("SELECT direction, network_id, source_id FROM parcels WHERE id = $1").bind(id.0),
    )
    .await
}

/// Applies a compare-and-set state change inside a transaction (see
/// `ParcelStore::change_state`).
pub(crate) async fn apply_change<C: WriteConn>(tx: &mut C, ch: &StateChange) -> StoreResult<bool> {
    let archives = matches!(
        ch.to,
        ParcelState::InBoxArchived | ParcelState::OutBoxAcknowledged
    );
    let reopens = ch.to == ParcelState::InBoxReady;
    let mut stmt = Stmt::new(String::new())
        .bind(ch.to.as_str())
        .bind(ch.at)
        .bind(ch.mark_downloaded)
        .bind(archives)
        .bind(reopens)
        .bind(ch.remove_content)
        .bind(ch.parcel.0);
    let mut sql = String::from(
        "UPDATE parcels SET state = $1, state_changed_ms = $2, \
         downloaded_ms = CASE WHEN $3 THEN $2 ELSE downloaded_ms END, \
         archived_ms = CASE WHEN $4 THEN $2 WHEN $5 THEN NULL ELSE archived_ms END, \
         content_removed = (content_removed OR $6) WHERE id = $7",
    );
    if !ch.from.is_empty() {
        let params: Vec<String> = (0..ch.from.len()).map(|i| format!("${}", 8 + i)).collect();
        sql.push_str(&format!(" AND state IN ({})", params.join(", ")));
        for state in &ch.from {
            stmt = stmt.bind(state.as_str());
        }
    }
    stmt.sql = sql;
    let changed = tx.write(stmt).await? == 1;
    let Some(placed) = placed(tx, ch.parcel).await? else {
        return Err(StoreError::Missing(format!("parcel {}", ch.parcel)));
    };
    if !changed {
        return Ok(false);
    }
    if ch.remove_content {
        tx.write(Stmt::new("DELETE FROM parcel_content WHERE parcel_id = $1").bind(ch.parcel.0))
            .await?;
    }
    if let Some(status) = ch.interchanges_to {
        let sql = if placed.direction == Direction::InBox.as_str() {
            "UPDATE interchanges SET status = $1, status_changed_ms = $2 WHERE inbound_id = $3"
        } else {
            "UPDATE interchanges SET status = $1, status_changed_ms = $2 \
             WHERE outbound_id = $3 AND status = 'Delivered'"
        };
        tx.write(
            Stmt::new(sql)
                .bind(status.as_str())
                .bind(ch.at)
                .bind(ch.parcel.0),
        )
        .await?;
    }
    insert_manifest(
        tx,
        &ManifestEntry {
            parcel_id: ch.parcel,
            interchange_id: None,
            at: ch.at,
            network_id: NetworkId(placed.network_id),
            kind: if ch.by.0 == 0 {
                ManifestType::System
            } else {
                ManifestType::EcGridOs
            },
            status_code: ch.to.as_str().into(),
            message: ch.message.clone(),
            user_id: ch.by,
        },
    )
    .await?;
    crate::callbacks::queue_change(&mut *tx, ch).await?;
    if let Some(source) = placed.source_id.map(ParcelId) {
        match ch.to {
            ParcelState::InBoxArchived | ParcelState::Cancelled => {
                acknowledge_source(tx, source, ch.at, ch.by).await?;
            }
            ParcelState::InBoxReady | ParcelState::InBoxTransferred => {
                reopen_source(tx, source, ch.at, ch.by).await?;
            }
            _ => {}
        }
    }
    Ok(true)
}

/// A source parcel's transition with its manifest entry, when it is in `from`.
async fn move_source<C: WriteConn>(
    tx: &mut C,
    source: ParcelId,
    (from, to): (ParcelState, ParcelState),
    (at, by): (DateTime<Utc>, UserId),
    message: &str,
) -> StoreResult<()> {
    let acknowledged = to == ParcelState::OutBoxAcknowledged;
    let rows = tx
        .write(
            Stmt::new(
                "UPDATE parcels SET state = $1, state_changed_ms = $2, \
                 archived_ms = CASE WHEN $3 THEN $2 ELSE NULL END WHERE id = $4 AND state = $5",
            )
            .bind(to.as_str())
            .bind(at)
            .bind(acknowledged)
            .bind(source.0)
            .bind(from.as_str()),
        )
        .await?;
    if rows == 0 {
        return Ok(());
    }
    let placed = placed(tx, source).await?;
    insert_manifest(
        tx,
        &ManifestEntry {
            parcel_id: source,
            interchange_id: None,
            at,
            network_id: NetworkId(placed.map_or(0, |p| p.network_id)),
            kind: ManifestType::System,
            status_code: to.as_str().into(),
            message: message.into(),
            user_id: by,
        },
    )
    .await
}

/// `outboxSent` → `outboxAcknowledged` once every delivery made from the source is
/// archived or cancelled and at least one was archived.
async fn acknowledge_source<C: WriteConn>(
    tx: &mut C,
    source: ParcelId,
    at: DateTime<Utc>,
    by: UserId,
) -> StoreResult<()> {
    let counts: Option<(Option<i64>, Option<i64>)> = tx
        .read_optional(
            Stmt::new(
                "SELECT SUM(CASE WHEN state NOT IN ('InBoxArchived', 'Cancelled') THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN state = 'InBoxArchived' THEN 1 ELSE 0 END) \
                 FROM parcels WHERE source_id = $1",
            )
            .bind(source.0),
        )
        .await?;
    let (open, archived) = counts.unwrap_or((None, None));
    if open.unwrap_or(0) == 0 && archived.unwrap_or(0) > 0 {
        move_source(
            tx,
            source,
            (ParcelState::OutBoxSent, ParcelState::OutBoxAcknowledged),
            (at, by),
            "Every delivery made from this parcel was confirmed",
        )
        .await?;
    }
    Ok(())
}

/// An acknowledged source goes back to `outboxSent` when a delivery made from it is open
/// again (reset, resend).
async fn reopen_source<C: WriteConn>(
    tx: &mut C,
    source: ParcelId,
    at: DateTime<Utc>,
    by: UserId,
) -> StoreResult<()> {
    move_source(
        tx,
        source,
        (ParcelState::OutBoxAcknowledged, ParcelState::OutBoxSent),
        (at, by),
        "A delivery made from this parcel is waiting again",
    )
    .await
}

pub(crate) async fn change_state<B: Backend>(db: &B, ch: &StateChange) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    let changed = apply_change(&mut *tx, ch).await?;
    db.commit(tx).await?;
    Ok(changed)
}

#[derive(sqlx::FromRow)]
struct Due {
    id: i64,
}

pub(crate) fn timed_out_stmt(now: DateTime<Utc>) -> Stmt {
    Stmt::new(
        "SELECT p.id FROM parcels p JOIN mailboxes m ON m.id = p.mailbox_id \
         WHERE p.direction = 'InBox' AND p.state = 'InBoxTransferred' \
         AND m.inbox_timeout_minutes > 0 \
         AND p.downloaded_ms <= $1 - CAST(m.inbox_timeout_minutes AS BIGINT) * 60000 \
         ORDER BY p.created_ms, p.id",
    )
    .bind(now)
}

pub(crate) async fn return_timed_out<B: Backend>(db: &B, now: DateTime<Utc>) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let due: Vec<Due> = tx.fetch_all(timed_out_stmt(now)).await?;
    let mut returned = 0;
    for Due { id } in due {
        let change = StateChange {
            parcel: ParcelId(id),
            from: vec![ParcelState::InBoxTransferred],
            to: ParcelState::InBoxReady,
            at: now,
            by: UserId(0),
            message: "Returned to the inbox: the download was not confirmed within the \
                      mailbox's InBoxTimeout"
                .into(),
            mark_downloaded: false,
            remove_content: false,
            interchanges_to: None,
        };
        if apply_change(&mut *tx, &change).await? {
            returned += 1;
        }
    }
    db.commit(tx).await?;
    Ok(returned)
}

pub(crate) async fn remove_content_before<B: Backend>(
    db: &B,
    cutoff: DateTime<Utc>,
) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let removed = tx
        .execute(
            Stmt::new(
                "UPDATE parcels SET content_removed = TRUE WHERE NOT content_removed \
                 AND ((direction = 'InBox' AND state = 'InBoxArchived') \
                   OR (direction = 'OutBox' AND state = 'outboxAcknowledged')) \
                 AND archived_ms < $1",
            )
            .bind(cutoff),
        )
        .await?;
    if removed > 0 {
        tx.execute(Stmt::new(
            "DELETE FROM parcel_content WHERE EXISTS (SELECT 1 FROM parcels p \
             WHERE p.id = parcel_content.parcel_id AND p.content_removed)",
        ))
        .await?;
    }
    db.commit(tx).await?;
    Ok(removed)
}

pub(crate) async fn add_manifest_entry<B: Backend>(
    db: &B,
    entry: &ManifestEntry,
) -> StoreResult<()> {
    insert_manifest(&mut *db.conn().await?, entry).await
}

pub(crate) async fn manifest<B: Backend>(
    db: &B,
    parcel: ParcelId,
) -> StoreResult<Vec<ManifestEntry>> {
    let stmt = Stmt::new(
        "SELECT * FROM parcel_manifest WHERE parcel_id = $1 OR interchange_id IN \
         (SELECT id FROM interchanges WHERE outbound_id = $1 OR inbound_id = $1) ORDER BY id",
    )
    .bind(parcel.0);
    all::<ManifestRow, _>(db.conn().await?.fetch_all(stmt).await?)
}

pub(crate) async fn add_note<B: Backend>(db: &B, note: &ParcelNote) -> StoreResult<i64> {
    returned(
        &mut *db.conn().await?,
        insert("parcel_notes", note_fields(note), "RETURNING id"),
    )
    .await
}

pub(crate) async fn notes<B: Backend>(db: &B, parcel: ParcelId) -> StoreResult<Vec<ParcelNote>> {
    let stmt =
        Stmt::new("SELECT * FROM parcel_notes WHERE parcel_id = $1 ORDER BY id").bind(parcel.0);
    all::<NoteRow, _>(db.conn().await?.fetch_all(stmt).await?)
}

pub(crate) async fn set_mailbag_control_id<B: Backend>(
    db: &B,
    parcel: ParcelId,
    control_id: &str,
) -> StoreResult<()> {
    let rows = db
        .conn()
        .await?
        .execute(
            Stmt::new("UPDATE parcels SET mailbag_control_id = $1 WHERE id = $2")
                .bind(control_id)
                .bind(parcel.0),
        )
        .await?;
    missing_unless_any(rows, || format!("parcel {parcel}"))
}

pub(crate) async fn set_local_status<B: Backend>(
    db: &B,
    parcel: ParcelId,
    status: i16,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let rows = db
        .conn()
        .await?
        .execute(
            Stmt::new(
                "UPDATE parcels SET local_status = $1, local_status_changed_ms = $2 WHERE id = $3",
            )
            .bind(i32::from(status))
            .bind(at)
            .bind(parcel.0),
        )
        .await?;
    missing_unless_any(rows, || format!("parcel {parcel}"))
}

/// Implements `ParcelStore` for a store with a `pool` field whose type is a [`Backend`], by
/// calling the operations above.
macro_rules! parcel_store {
    ($store:ty) => {
        const _: () = {
            use chrono::{DateTime, Utc};
            use edigrid_core::ParcelStore;
            use edigrid_core::parcels::model::*;
            use edigrid_core::store::{Page, Paged, StoreResult};
            use edigrid_domain::{InterchangeId, ParcelId};

            use $crate::parcels as p;

            #[async_trait::async_trait]
            impl ParcelStore for $store {
                async fn accept_upload(&self, upload: &Upload) -> StoreResult<Accepted> {
                    self.accept(upload).await
                }
                async fn parcel(&self, id: ParcelId) -> StoreResult<Option<Parcel>> {
                    self.parcel_by_id(id).await
                }
                async fn parcel_content(&self, id: ParcelId) -> StoreResult<Option<Content>> {
                    p::parcel_content(&self.pool, id).await
                }
                async fn list_parcels(
                    &self,
                    filter: &ParcelFilter,
                    page: Page,
                ) -> StoreResult<Paged<Parcel>> {
                    self.parcel_page(filter, page).await
                }
                async fn interchange(&self, id: InterchangeId) -> StoreResult<Option<Interchange>> {
                    p::interchange(&self.pool, id).await
                }
                async fn parcel_interchanges(
                    &self,
                    parcel: ParcelId,
                ) -> StoreResult<Vec<Interchange>> {
                    p::parcel_interchanges(&self.pool, parcel).await
                }
                async fn list_interchanges(
                    &self,
                    filter: &InterchangeFilter,
                    page: Page,
                ) -> StoreResult<Paged<Interchange>> {
                    p::list_interchanges(&self.pool, filter, page).await
                }
                async fn change_state(&self, change: &StateChange) -> StoreResult<bool> {
                    self.change(change).await
                }
                async fn return_timed_out(&self, now: DateTime<Utc>) -> StoreResult<u64> {
                    p::return_timed_out(&self.pool, now).await
                }
                async fn remove_content_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
                    p::remove_content_before(&self.pool, cutoff).await
                }
                async fn add_manifest_entry(&self, entry: &ManifestEntry) -> StoreResult<()> {
                    p::add_manifest_entry(&self.pool, entry).await
                }
                async fn manifest(&self, parcel: ParcelId) -> StoreResult<Vec<ManifestEntry>> {
                    p::manifest(&self.pool, parcel).await
                }
                async fn add_note(&self, note: &ParcelNote) -> StoreResult<i64> {
                    p::add_note(&self.pool, note).await
                }
                async fn notes(&self, parcel: ParcelId) -> StoreResult<Vec<ParcelNote>> {
                    p::notes(&self.pool, parcel).await
                }
                async fn set_mailbag_control_id(
                    &self,
                    parcel: ParcelId,
                    control_id: &str,
                ) -> StoreResult<()> {
                    p::set_mailbag_control_id(&self.pool, parcel, control_id).await
                }
                async fn set_local_status(
                    &self,
                    parcel: ParcelId,
                    status: i16,
                    at: DateTime<Utc>,
                ) -> StoreResult<()> {
                    p::set_local_status(&self.pool, parcel, status, at).await
                }
                async fn redeliver(&self, redelivery: &Redelivery) -> StoreResult<Vec<ParcelId>> {
                    p::redeliver(&self.pool, redelivery).await
                }
            }
        };
    };
}
pub(crate) use parcel_store;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::plans;
    use chrono::TimeZone;
    use edigrid_domain::{EcGridId, MailboxId};

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 7, 10, 0, 0).unwrap()
    }

    #[test]
    fn only_a_mailboxs_waiting_parcels_are_listed_inline() {
        let of = |mailbox: i32, states: &[ParcelState]| ParcelFilter {
            states: states.to_vec(),
            ..ParcelFilter::of(Direction::InBox, NetworkId(1), MailboxId(mailbox))
        };
        let waiting = [ParcelState::InBoxReady, ParcelState::InBoxTransferred];
        assert!(is_waiting_list(&of(10, &[ParcelState::InBoxReady])));
        assert!(is_waiting_list(&of(10, &waiting)));
        // An archive, every state, or a whole network may count without bound.
        assert!(!is_waiting_list(&of(10, &[ParcelState::InBoxArchived])));
        assert!(!is_waiting_list(&of(10, &[])));
        let network = ParcelFilter {
            mailbox: None,
            ..of(10, &[ParcelState::InBoxReady])
        };
        assert!(!is_waiting_list(&network));
    }

    /// Every list the fronts serve, in each shape the core asks for, with the lookups of
    /// an upload and of housekeeping: each must be read off an index, in the index's order.
    fn list_statements() -> Vec<(&'static str, Stmt)> {
        let own = |states: &[ParcelState], newest_first: bool| ParcelFilter {
            states: states.to_vec(),
            newest_first,
            ..ParcelFilter::of(Direction::InBox, NetworkId(1), MailboxId(10))
        };
        let ranged = ParcelFilter {
            since: Some(at()),
            until: Some(at()),
            ..own(&[ParcelState::InBoxArchived], true)
        };
        let outbox_archive = ParcelFilter {
            since: Some(at()),
            newest_first: true,
            ..ParcelFilter::of(Direction::OutBox, NetworkId(1), MailboxId(10))
        };
        let network = ParcelFilter {
            mailbox: None,
            ..own(&[ParcelState::InBoxReady], false)
        };
        let everyone = ParcelFilter {
            network: None,
            mailbox: None,
            ..own(&[ParcelState::InBoxReady], false)
        };
        let mailbag = ParcelFilter {
            mailbag_control_id: Some("BAG".into()),
            ..own(&[], true)
        };
        let partners = ParcelFilter {
            ecgrid_from: Some(EcGridId(100_000)),
            ..own(&[ParcelState::InBoxReady], false)
        };
        let uploaded = InterchangeFilter {
            direction: Direction::OutBox,
            network: Some(NetworkId(1)),
            mailbox: Some(MailboxId(10)),
            statuses: vec![InterchangeStatus::NoRoute],
            parcel_states: Vec::new(),
            ecgrid_from: None,
            ecgrid_to: None,
            since: Some(at()),
            until: None,
            newest_first: true,
        };
        let delivered = InterchangeFilter {
            direction: Direction::InBox,
            parcel_states: vec![ParcelState::InBoxReady],
            newest_first: false,
            ..uploaded.clone()
        };
        let page = Page::first(25);
        let mut stmts = Vec::new();
        for (name, f) in [
            ("inbox", own(&[ParcelState::InBoxReady], false)),
            ("inbox archive", ranged),
            ("outbox archive", outbox_archive),
            ("network inbox", network),
            ("everyone's inbox", everyone),
            ("mailbag", mailbag),
            ("partner filter", partners),
        ] {
            let (select, count) = list_parcels_stmts(&f, page);
            stmts.push((name, select));
            stmts.push((name, count));
        }
        for (name, f) in [("uploaded", uploaded), ("delivered", delivered)] {
            let (select, count) = list_interchanges_stmts(&f, page);
            stmts.push((name, select));
            stmts.push((name, count));
        }
        stmts.push(("timed out", timed_out_stmt(at())));
        stmts.push((
            "duplicates",
            delivered_controls_stmt((1, 2), &["000000001", "000000002"], at()),
        ));
        stmts
    }

    #[tokio::test]
    async fn sqlite_serves_every_list_from_an_index() {
        let (names, stmts): (Vec<_>, Vec<_>) = list_statements().into_iter().unzip();
        let plans = plans::sqlite(stmts).await;
        // The second statement is the inbox's count: read from the index alone.
        let (sql, plan) = &plans[1];
        assert!(
            sql.starts_with("SELECT COUNT(*) FROM parcels ") && plan.contains("COVERING INDEX"),
            "the inbox count must read an index only\n{sql}\n{plan}"
        );
        for (name, (sql, plan)) in names.iter().zip(plans) {
            assert!(plan.contains("INDEX"), "{name}: {sql}\n{plan}");
            assert!(!plan.contains("SCAN"), "{name}: {sql}\n{plan}");
            assert!(
                !plan.contains("TEMP B-TREE"),
                "{name}: the order must be the index's\n{sql}\n{plan}"
            );
        }
    }

    #[tokio::test]
    async fn postgres_serves_every_list_from_an_index() {
        let (names, stmts): (Vec<_>, Vec<_>) = list_statements().into_iter().unzip();
        let settings = ["SET enable_seqscan = off", "SET enable_sort = off"];
        let Some(plans) = plans::postgres(&settings, stmts).await else {
            return;
        };
        for (name, (sql, plan)) in names.iter().zip(plans) {
            assert!(plan.contains("Index"), "{name}: {sql}\n{plan}");
            assert!(!plan.contains("Seq Scan"), "{name}: {sql}\n{plan}");
            assert!(!plan.contains("Sort"), "{name}: {sql}\n{plan}");
        }
    }
}
