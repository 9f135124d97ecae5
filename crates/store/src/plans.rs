//! Query plans of statements, for the tests that hold every list and lookup to an index on
//! both databases: each statement is explained on a fresh, empty store of the current
//! migrations, and the tests read the plan's text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, PgPool, Postgres, Row, Sqlite};

use crate::sql::{Stmt, arguments};
use crate::{PostgresStore, SqliteStore};

/// `EXPLAIN QUERY PLAN` of each statement on a fresh SQLite file: the statement's text and
/// its plan's details, one per line.
pub async fn sqlite(stmts: Vec<Stmt>) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("plan.db").display());
    let store = SqliteStore::open(&url).await.unwrap();
    let mut plans = Vec::with_capacity(stmts.len());
    for stmt in stmts {
        let sql = format!("EXPLAIN QUERY PLAN {}", stmt.sql);
        let args = arguments::<Sqlite>(stmt.args).unwrap();
        let plan: Vec<String> = sqlx::query_with(AssertSqlSafe(sql), args)
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("detail"))
            .collect();
        plans.push((stmt.sql, plan.join("\n")));
    }
    plans
}

/// `EXPLAIN` of each statement in a fresh schema of `EDIGRID_TEST_DATABASE_URL`, after the
/// `SET`s given (an empty table is cheaper to scan than to search: the tests forbid scans,
/// so that the plan shows whether an index can serve the statement at all); `None` when no
/// PostgreSQL is configured.
pub async fn postgres(settings: &[&str], stmts: Vec<Stmt>) -> Option<Vec<(String, String)>> {
    let Ok(url) = std::env::var("EDIGRID_TEST_DATABASE_URL") else {
        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: PostgreSQL plans not checked");
        return None;
    };
    let admin = PgPool::connect(&url).await.unwrap();
    let schema = format!("plans_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let store = PostgresStore::open_with(options).await.unwrap();
    let mut conn = store.pool().acquire().await.unwrap();
    for set in settings {
        sqlx::query(AssertSqlSafe(set.to_string()))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let mut plans = Vec::with_capacity(stmts.len());
    for stmt in stmts {
        let sql = format!("EXPLAIN {}", stmt.sql);
        let args = arguments::<Postgres>(stmt.args).unwrap();
        let plan: Vec<String> = sqlx::query_with(AssertSqlSafe(sql), args)
            .fetch_all(&mut *conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
        plans.push((stmt.sql, plan.join("\n")));
    }
    drop(conn);
    sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .unwrap();
    Some(plans)
}
