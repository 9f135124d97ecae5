//! One SQL text for both databases. A statement is written once, with numbered `$1`, `$2`,
//! ... parameters: PostgreSQL reads them natively and sqlx's SQLite driver binds `$N` by its
//! number (the test at the bottom holds it to that). It runs through [`Conn`], which each
//! database implements in a few lines; operations written against [`Backend`] (a pool) serve
//! both. Statements are plain text: only lists with optional filters are assembled, from
//! [`Conditions`], so that each filter given becomes an indexable `column = $N`.

use std::ops::DerefMut;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edigrid_core::StoreError;
use edigrid_core::store::{Page, Paged, StoreResult};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPool, PgRow};
use sqlx::sqlite::{SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{Arguments, AssertSqlSafe, Encode, FromRow, Postgres, Sqlite, Transaction, Type};

use crate::convert::{all, backend, ms};

// ---- one statement, run alike on both databases ---------------------------------------------

/// A value bound to one `$N` parameter.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(i32),
    BigInt(i64),
    Bool(bool),
    Text(String),
    OptText(Option<String>),
    OptBigInt(Option<i64>),
    Blob(Vec<u8>),
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::BigInt(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::OptText(v.map(str::to_string))
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::OptBigInt(v)
    }
}

impl From<Option<DateTime<Utc>>> for Value {
    fn from(v: Option<DateTime<Utc>>) -> Self {
        Value::OptBigInt(v.map(ms))
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Blob(v.to_vec())
    }
}

impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Self {
        Value::BigInt(ms(v))
    }
}

/// A statement: its text, with `$1`, `$2`, ... parameters, and their values in order.
#[derive(Debug, Clone)]
pub(crate) struct Stmt {
    pub(crate) sql: String,
    pub(crate) args: Vec<Value>,
}

impl Stmt {
    pub(crate) fn new(sql: impl Into<String>) -> Self {
        Stmt {
            sql: sql.into(),
            args: Vec::new(),
        }
    }

    /// Binds the next parameter.
    pub(crate) fn bind(mut self, value: impl Into<Value>) -> Self {
        self.args.push(value.into());
        self
    }
}

/// A statement's values as the database `DB` takes them.
pub(crate) fn arguments<DB: sqlx::Database>(
    values: Vec<Value>,
) -> Result<DB::Arguments, sqlx::Error>
where
    i32: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    Option<String>: for<'q> Encode<'q, DB> + Type<DB>,
    Option<i64>: for<'q> Encode<'q, DB> + Type<DB>,
    Vec<u8>: for<'q> Encode<'q, DB> + Type<DB>,
{
    let mut args = DB::Arguments::default();
    for value in values {
        match value {
            Value::Int(v) => args.add(v),
            Value::BigInt(v) => args.add(v),
            Value::Bool(v) => args.add(v),
            Value::Text(v) => args.add(v),
            Value::OptText(v) => args.add(v),
            Value::OptBigInt(v) => args.add(v),
            Value::Blob(v) => args.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(args)
}

/// A row type that both databases' rows decode into.
pub(crate) trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static
{
}

impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static
{
}

/// A connection (or transaction) of either database: runs one statement.
#[async_trait]
pub(crate) trait Conn: Send {
    /// Whether a statement may chain writes in `WITH` clauses (PostgreSQL's data-modifying
    /// common table expressions; SQLite has none).
    const WRITES_IN_CTES: bool;
    /// Rows changed.
    async fn execute(&mut self, stmt: Stmt) -> StoreResult<u64>;
    async fn fetch_all<R: Record>(&mut self, stmt: Stmt) -> StoreResult<Vec<R>>;
    async fn fetch_optional<R: Record>(&mut self, stmt: Stmt) -> StoreResult<Option<R>>;
}

/// The same few lines for each database: only the types differ.
macro_rules! conn_for {
    ($conn:ty, $db:ty, $ctes:expr) => {
        #[async_trait]
        impl Conn for $conn {
            const WRITES_IN_CTES: bool = $ctes;

            async fn execute(&mut self, stmt: Stmt) -> StoreResult<u64> {
                let args = arguments::<$db>(stmt.args).map_err(backend)?;
                let done = sqlx::query_with(AssertSqlSafe(stmt.sql), args)
                    .execute(&mut *self)
                    .await
                    .map_err(backend)?;
                Ok(done.rows_affected())
            }

            async fn fetch_all<R: Record>(&mut self, stmt: Stmt) -> StoreResult<Vec<R>> {
                let args = arguments::<$db>(stmt.args).map_err(backend)?;
                sqlx::query_as_with::<$db, R, _>(AssertSqlSafe(stmt.sql), args)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(backend)
            }

            async fn fetch_optional<R: Record>(&mut self, stmt: Stmt) -> StoreResult<Option<R>> {
                let args = arguments::<$db>(stmt.args).map_err(backend)?;
                sqlx::query_as_with::<$db, R, _>(AssertSqlSafe(stmt.sql), args)
                    .fetch_optional(&mut *self)
                    .await
                    .map_err(backend)
            }
        }
    };
}

conn_for!(SqliteConnection, Sqlite, false);
conn_for!(PgConnection, Postgres, true);

/// A pool of either database: hands out connections and write transactions.
#[async_trait]
pub(crate) trait Backend: Sync {
    type Conn: Conn;
    type Pooled: DerefMut<Target = Self::Conn> + Send;
    type Tx: DerefMut<Target = Self::Conn> + Send;
    /// A connection for statements that stand alone (each is its own transaction).
    async fn conn(&self) -> StoreResult<Self::Pooled>;
    /// A transaction that writes. SQLite takes the write lock at once, so that the
    /// transaction never has to upgrade a read lock (which fails under contention).
    async fn begin(&self) -> StoreResult<Self::Tx>;
    async fn commit(&self, tx: Self::Tx) -> StoreResult<()>;
}

#[async_trait]
impl Backend for SqlitePool {
    type Conn = SqliteConnection;
    type Pooled = PoolConnection<Sqlite>;
    type Tx = Transaction<'static, Sqlite>;

    async fn conn(&self) -> StoreResult<Self::Pooled> {
        self.acquire().await.map_err(backend)
    }

    async fn begin(&self) -> StoreResult<Self::Tx> {
        self.begin_with("BEGIN IMMEDIATE").await.map_err(backend)
    }

    async fn commit(&self, tx: Self::Tx) -> StoreResult<()> {
        tx.commit().await.map_err(backend)
    }
}

#[async_trait]
impl Backend for PgPool {
    type Conn = PgConnection;
    type Pooled = PoolConnection<Postgres>;
    type Tx = Transaction<'static, Postgres>;

    async fn conn(&self) -> StoreResult<Self::Pooled> {
        self.acquire().await.map_err(backend)
    }

    async fn begin(&self) -> StoreResult<Self::Tx> {
        sqlx::Acquire::begin(self).await.map_err(backend)
    }

    async fn commit(&self, tx: Self::Tx) -> StoreResult<()> {
        tx.commit().await.map_err(backend)
    }
}

// ---- statements built from field lists -----------------------------------------------------

/// Columns and their values, in the order they are bound.
pub(crate) type Fields = Vec<(&'static str, Value)>;

/// `INSERT INTO table (columns) VALUES ($1, ...)` followed by `tail`.
pub(crate) fn insert(table: &str, fields: Fields, tail: &str) -> Stmt {
    let (columns, args): (Vec<&str>, Vec<Value>) = fields.into_iter().unzip();
    let params: Vec<String> = (1..=args.len()).map(|i| format!("${i}")).collect();
    Stmt {
        sql: format!(
            "INSERT INTO {table} ({}) VALUES ({}) {tail}",
            columns.join(", "),
            params.join(", ")
        ),
        args,
    }
}

/// Inserts a row numbered `id`, or, when `id` is 0, one above the highest number in use,
/// returning the number. One statement: when two nodes pick the same number at once, the
/// second fails with a unique violation and tries again.
pub(crate) fn insert_numbered(table: &str, id: i32, fields: Fields) -> Stmt {
    let (columns, mut args): (Vec<&str>, Vec<Value>) = fields.into_iter().unzip();
    let params: Vec<String> = (2..=args.len() + 1).map(|i| format!("${i}")).collect();
    args.insert(0, Value::Int(id));
    Stmt {
        sql: format!(
            "INSERT INTO {table} (id, {}) VALUES \
             (CASE WHEN $1 = 0 THEN (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}) ELSE $1 END, \
             {}) RETURNING id",
            columns.join(", "),
            params.join(", ")
        ),
        args,
    }
}

/// `UPDATE table SET column = $1, ... WHERE key_column = $N`.
pub(crate) fn update(table: &str, fields: Fields, key_column: &str, key: impl Into<Value>) -> Stmt {
    let (columns, mut args): (Vec<&str>, Vec<Value>) = fields.into_iter().unzip();
    let sets: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    args.push(key.into());
    Stmt {
        sql: format!(
            "UPDATE {table} SET {} WHERE {key_column} = ${}",
            sets.join(", "),
            args.len()
        ),
        args,
    }
}

/// How many attempts an insert that picks the next free number makes before it reports the
/// conflict.
const NUMBERING_ATTEMPTS: u32 = 10;

pub(crate) async fn insert_with_number<B: Backend>(
    db: &B,
    id: i32,
    statement: impl Fn() -> Stmt,
) -> StoreResult<i32> {
    let mut conn = db.conn().await?;
    let mut attempt = 1;
    loop {
        match conn.fetch_optional::<(i32,)>(statement()).await {
            Err(StoreError::Conflict(_)) if id == 0 && attempt < NUMBERING_ATTEMPTS => {
                attempt += 1;
            }
            Ok(Some((id,))) => return Ok(id),
            Ok(None) => return Err(StoreError::Backend("INSERT returned no row".into())),
            Err(e) => return Err(e),
        }
    }
}

// ---- list filters ---------------------------------------------------------------------------

/// The conditions of a list and their values, from which its page and its count are made.
#[derive(Default)]
pub(crate) struct Conditions {
    clauses: Vec<String>,
    args: Vec<Value>,
}

impl Conditions {
    /// Adds a value and returns its parameter (`$N`).
    pub(crate) fn param(&mut self, value: impl Into<Value>) -> String {
        self.args.push(value.into());
        format!("${}", self.args.len())
    }

    pub(crate) fn equals(&mut self, column: &str, value: Option<impl Into<Value>>) {
        if let Some(value) = value {
            let p = self.param(value);
            self.clauses.push(format!("{column} = {p}"));
        }
    }

    /// As [`Conditions::equals`], written `+column` so that neither database uses an index
    /// on `column` for it: when a more selective index bounds the query (a partner's ID),
    /// a planner without statistics must not pick this column's index instead (SQLite then
    /// walked every ID of the network: 236 ms per search with a million IDs).
    pub(crate) fn equals_unindexed(&mut self, column: &str, value: Option<impl Into<Value>>) {
        if let Some(value) = value {
            let p = self.param(value);
            self.clauses.push(format!("+{column} = {p}"));
        }
    }

    /// Any of `columns` contains `text`, ignoring ASCII case; `%`, `_` and `\` in the text
    /// match themselves. Both databases fold ASCII only (PostgreSQL's columns use the "C"
    /// collation), so they match alike.
    pub(crate) fn contains(&mut self, columns: &[&str], text: Option<&str>) {
        let Some(text) = text else { return };
        let p = self.param(like_pattern(text));
        let any: Vec<String> = columns
            .iter()
            .map(|c| format!("lower({c}) LIKE {p} ESCAPE '\\'"))
            .collect();
        self.clauses.push(format!("({})", any.join(" OR ")));
    }

    /// `column` is one of `values`; no condition when there are none.
    pub(crate) fn any_of<V: Into<Value>>(
        &mut self,
        column: &str,
        values: impl IntoIterator<Item = V>,
    ) {
        let params: Vec<String> = values.into_iter().map(|v| self.param(v)).collect();
        if !params.is_empty() {
            self.clauses
                .push(format!("{column} IN ({})", params.join(", ")));
        }
    }

    /// `column op value` (`op` one of `<`, `<=`, `>`, `>=`, `<>`), when a value is given.
    pub(crate) fn compare(&mut self, column: &str, op: &str, value: Option<impl Into<Value>>) {
        if let Some(value) = value {
            let p = self.param(value);
            self.clauses.push(format!("{column} {op} {p}"));
        }
    }

    pub(crate) fn hide_terminated(&mut self, hide: bool) {
        if hide {
            self.clauses.push("status <> 'Terminated'".into());
        }
    }

    fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// The statement of one page in `order`, and the count of every match.
    pub(crate) fn page(self, table: &str, order: &str, page: Page) -> (Stmt, Stmt) {
        self.page_counted_in(table, table, order, page)
    }

    /// [`Conditions::page`] of `table` (a view), counted in `count_table` (the table under
    /// it), when every condition names a column of that table: the count then reads the
    /// table's index alone instead of the view's joins.
    pub(crate) fn page_counted_in(
        self,
        table: &str,
        count_table: &str,
        order: &str,
        page: Page,
    ) -> (Stmt, Stmt) {
        let filter = self.where_sql();
        let count = Stmt {
            sql: format!("SELECT COUNT(*) FROM {count_table}{filter}"),
            args: self.args.clone(),
        };
        let mut select = Stmt {
            sql: String::new(),
            args: self.args,
        };
        let limit = select.args.len() + 1;
        select.sql = format!(
            "SELECT * FROM {table}{filter} ORDER BY {order} LIMIT ${limit} OFFSET ${}",
            limit + 1
        );
        select.args.push(Value::BigInt(i64::from(page.size)));
        select.args.push(Value::BigInt(
            i64::try_from(page.offset()).unwrap_or(i64::MAX),
        ));
        (select, count)
    }
}

/// A `LIKE` pattern matching `text` anywhere, lower-case (ASCII), with `\`, `%` and `_`
/// escaped by `\`.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c.to_ascii_lowercase());
    }
    pattern.push('%');
    pattern
}

/// One page of a list (`select`) and how many match in all: from the page when it tells
/// ([`total_from_page`]), else by running `count`.
pub(crate) async fn list<B: Backend, R: Record, T: TryFrom<R, Error = StoreError>>(
    db: &B,
    (select, count): (Stmt, Stmt),
    page: Page,
) -> StoreResult<Paged<T>> {
    let mut conn = db.conn().await?;
    let rows: Vec<R> = conn.fetch_all(select).await?;
    let total = match total_from_page(page, rows.len()) {
        Some(total) => total,
        None => {
            let counted: Option<(i64,)> = conn.fetch_optional(count).await?;
            counted.map_or(0, |(n,)| u64::try_from(n).unwrap_or(0))
        }
    };
    Ok(Paged {
        items: all(rows)?,
        total,
    })
}

/// One page of a list (`select`, the first statement [`Conditions::page`] makes) without
/// its total, for a caller that shows none: no count is made even when the page is full.
pub(crate) async fn page_only<B: Backend, R: Record, T: TryFrom<R, Error = StoreError>>(
    db: &B,
    select: Stmt,
) -> StoreResult<Vec<T>> {
    let rows: Vec<R> = db.conn().await?.fetch_all(select).await?;
    all(rows)
}

/// How many match in all, when a page of `got` rows tells: a page that is not full ends the
/// list, so the total is the rows before it and on it, unless it is empty past the first
/// page (the list may end anywhere before it). `None`: the count must be made.
pub(crate) fn total_from_page(page: Page, got: usize) -> Option<u64> {
    let got = u64::try_from(got).ok()?;
    if got >= u64::from(page.size) || (got == 0 && page.offset() > 0) {
        return None;
    }
    Some(page.offset() + got)
}

/// A value bound inline by rusqlite (the SQLite readers of the hot path).
impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Value::Int(v) => v.to_sql(),
            Value::BigInt(v) => v.to_sql(),
            Value::Bool(v) => v.to_sql(),
            Value::Text(v) => v.to_sql(),
            Value::OptText(v) => v.to_sql(),
            Value::OptBigInt(v) => v.to_sql(),
            Value::Blob(v) => v.to_sql(),
        }
    }
}

/// A statement's text for rusqlite: `$N` written as `?N`, SQLite's own syntax for the
/// parameter numbered N. Statements carry `$` only in parameters (values are bound).
pub(crate) fn sqlite_numbered(sql: &str) -> String {
    sql.replace('$', "?")
}

pub(crate) fn missing_unless_any(rows: u64, what: impl FnOnce() -> String) -> StoreResult<()> {
    if rows == 0 {
        return Err(StoreError::Missing(what()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn a_page_that_is_not_full_tells_the_total() {
        let p = |number, size| Page { number, size };
        assert_eq!(total_from_page(p(1, 100), 0), Some(0));
        assert_eq!(total_from_page(p(1, 100), 1), Some(1));
        assert_eq!(total_from_page(p(1, 100), 100), None, "a full page");
        assert_eq!(total_from_page(p(3, 10), 4), Some(24));
        assert_eq!(total_from_page(p(3, 10), 10), None);
        assert_eq!(
            total_from_page(p(3, 10), 0),
            None,
            "an empty page past the first"
        );
    }

    /// What the whole module stands on: sqlx's SQLite driver binds `$N` by its number, in
    /// any order and as often as it appears, as PostgreSQL does.
    #[tokio::test]
    async fn sqlite_binds_numbered_parameters_by_number() {
        let pool = SqlitePool::connect("sqlite::memory:").await.unwrap();
        let stmt = Stmt::new("SELECT $2 || $1 || $2, $1").bind("a").bind("b");
        let got: Option<(String, String)> = pool
            .conn()
            .await
            .unwrap()
            .fetch_optional(stmt)
            .await
            .unwrap();
        assert_eq!(got, Some(("bab".to_string(), "a".to_string())));
    }
}
