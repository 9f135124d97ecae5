//! The connection the parcel hot path writes through: either database's sqlx connection, or
//! SQLite's group-commit writer, which owns a rusqlite connection on a thread of its own.
//!
//! sqlx runs each SQLite connection on its own thread and hands every statement over a
//! channel: two thread switches per statement. An upload is about ten statements and every
//! upload of a group waits for the writer, so on a busy node those switches, not SQLite, set
//! the upload rate (perf: over half of the server's samples in the scheduler). The writer
//! runs the same statements ([`Stmt`], the one SQL text for both databases) on its own
//! thread with no switch at all. Only the few row types the write path reads need a
//! second decoding ([`Decode`]); every other read stays on sqlx.

use async_trait::async_trait;
use edigrid_core::StoreError;
use edigrid_core::store::StoreResult;

use crate::sql::{Conn, Record, Stmt, sqlite_numbered};

/// A row type the write path reads, decoded from a rusqlite row as well as from sqlx's.
pub(crate) trait Decode: Sized {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

impl Decode for (i64,) {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?,))
    }
}

impl Decode for (String,) {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?,))
    }
}

impl Decode for (i64, i32) {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?, row.get(1)?))
    }
}

impl Decode for (Option<i64>, Option<i64>) {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?, row.get(1)?))
    }
}

/// A row type of the write path: readable by both databases and by the writer.
pub(crate) trait WriteRecord: Record + Decode {}

impl<T: Record + Decode> WriteRecord for T {}

/// What the write path runs statements on (see the module's documentation).
#[async_trait]
pub(crate) trait WriteConn: Send {
    /// Whether one statement may chain several writes (see [`Conn::WRITES_IN_CTES`]).
    fn writes_in_ctes(&self) -> bool;
    /// Rows changed.
    async fn write(&mut self, stmt: Stmt) -> StoreResult<u64>;
    async fn read_all<R: WriteRecord>(&mut self, stmt: Stmt) -> StoreResult<Vec<R>>;
    async fn read_optional<R: WriteRecord>(&mut self, stmt: Stmt) -> StoreResult<Option<R>>;
}

#[async_trait]
impl<C: Conn> WriteConn for C {
    fn writes_in_ctes(&self) -> bool {
        C::WRITES_IN_CTES
    }

    async fn write(&mut self, stmt: Stmt) -> StoreResult<u64> {
        Conn::execute(self, stmt).await
    }

    async fn read_all<R: WriteRecord>(&mut self, stmt: Stmt) -> StoreResult<Vec<R>> {
        Conn::fetch_all(self, stmt).await
    }

    async fn read_optional<R: WriteRecord>(&mut self, stmt: Stmt) -> StoreResult<Option<R>> {
        Conn::fetch_optional(self, stmt).await
    }
}

/// A rusqlite connection owned by the writer's thread. Its methods never wait: they run
/// the statement to its end on the calling thread.
pub(crate) struct DirectConn {
    conn: rusqlite::Connection,
}

/// The same refusals as sqlx's errors give ([`crate::convert::backend`]).
pub(crate) fn direct_error(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::ConstraintViolation;
    use rusqlite::ffi;
    if let rusqlite::Error::SqliteFailure(failure, message) = &e
        && failure.code == ConstraintViolation
    {
        let message = message.clone().unwrap_or_else(|| e.to_string());
        match failure.extended_code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                return StoreError::Conflict(message);
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return StoreError::Missing(message),
            _ => {}
        }
    }
    StoreError::Backend(e.to_string())
}

impl DirectConn {
    /// Opens the database file for writing, with the store's settings: WAL, every commit
    /// fsynced, foreign keys enforced, and the same wait for the write lock as the pool.
    pub(crate) fn open(path: &std::path::Path) -> StoreResult<Self> {
        let conn = rusqlite::Connection::open(path).map_err(direct_error)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(direct_error)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )
        .map_err(direct_error)?;
        // An upload's statements differ with its number of interchanges and deliveries.
        conn.set_prepared_statement_cache_capacity(64);
        Ok(DirectConn { conn })
    }

    /// Runs statements that take no parameters (`BEGIN IMMEDIATE`, `COMMIT`, ...).
    pub(crate) fn batch(&self, sql: &str) -> StoreResult<()> {
        self.conn.execute_batch(sql).map_err(direct_error)
    }
}

#[async_trait]
impl WriteConn for DirectConn {
    fn writes_in_ctes(&self) -> bool {
        false
    }

    async fn write(&mut self, stmt: Stmt) -> StoreResult<u64> {
        let mut prepared = self
            .conn
            .prepare_cached(&sqlite_numbered(&stmt.sql))
            .map_err(direct_error)?;
        let changed = prepared
            .execute(rusqlite::params_from_iter(&stmt.args))
            .map_err(direct_error)?;
        Ok(changed as u64)
    }

    async fn read_all<R: WriteRecord>(&mut self, stmt: Stmt) -> StoreResult<Vec<R>> {
        read_all_inline(&self.conn, &stmt)
    }

    async fn read_optional<R: WriteRecord>(&mut self, stmt: Stmt) -> StoreResult<Option<R>> {
        read_inline(&self.conn, &stmt)
    }
}

/// Runs `stmt` on `conn` (the writer's, or one of the inline readers) on the calling thread
/// and hands its rows to `rows`.
fn query<T>(
    conn: &rusqlite::Connection,
    stmt: &Stmt,
    rows: impl FnOnce(rusqlite::Rows<'_>) -> rusqlite::Result<T>,
) -> StoreResult<T> {
    let mut prepared = conn
        .prepare_cached(&sqlite_numbered(&stmt.sql))
        .map_err(direct_error)?;
    let found = prepared
        .query(rusqlite::params_from_iter(&stmt.args))
        .map_err(direct_error)?;
    rows(found).map_err(direct_error)
}

/// The first row of `stmt`, read on the calling thread (by the writer, or with a
/// connection of the inline readers for a lookup an index bounds to one row).
pub(crate) fn read_inline<R: Decode>(
    conn: &rusqlite::Connection,
    stmt: &Stmt,
) -> StoreResult<Option<R>> {
    query(conn, stmt, |mut rows| match rows.next()? {
        Some(row) => R::decode(row).map(Some),
        None => Ok(None),
    })
}

/// Every row of `stmt`, read on the calling thread (by the writer, or with a connection of
/// the inline readers for a page an index bounds).
pub(crate) fn read_all_inline<R: Decode>(
    conn: &rusqlite::Connection,
    stmt: &Stmt,
) -> StoreResult<Vec<R>> {
    query(conn, stmt, |rows| rows.mapped(R::decode).collect())
}

/// One page of a list (`select`) and how many match in all, read on the calling thread with
/// a connection of the inline readers: the count only when the page does not tell
/// ([`crate::sql::total_from_page`]), as [`crate::sql::list`] does through sqlx. Only for a
/// page an index bounds and a count that reads an index alone.
pub(crate) fn list_inline<R: Decode, T: TryFrom<R, Error = StoreError>>(
    readers: &crate::sqlite_readers::SessionReaders,
    (select, count): (Stmt, Stmt),
    page: edigrid_core::store::Page,
) -> StoreResult<edigrid_core::store::Paged<T>> {
    readers.with(|conn| {
        let rows: Vec<R> = read_all_inline(conn, &select)?;
        let total = match crate::sql::total_from_page(page, rows.len()) {
            Some(total) => total,
            None => {
                let counted: Option<(i64,)> = read_inline(conn, &count)?;
                counted.map_or(0, |(n,)| u64::try_from(n).unwrap_or(0))
            }
        };
        Ok(edigrid_core::store::Paged {
            items: crate::convert::all(rows)?,
            total,
        })
    })
}
