//! The conformance suite on PostgreSQL, each check in a schema of its own. Runs when
//! `EDIGRID_TEST_DATABASE_URL` names a database; `scripts/test` always sets it.

// Test helpers: a failed step panics with its location.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use edigrid_core::Store;
use edigrid_store::{PostgresStore, conformance};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// Fresh schemas, one per check, dropped by [`Schemas::drop_all`].
struct Schemas {
    url: String,
    admin: PgPool,
    made: Mutex<Vec<String>>,
}

impl Schemas {
    async fn connect() -> Option<Self> {
        let Ok(url) = std::env::var("EDIGRID_TEST_DATABASE_URL") else {
            eprintln!("EDIGRID_TEST_DATABASE_URL is not set: PostgreSQL conformance not run");
            return None;
        };
        let admin = PgPoolOptions::new()
            .max_connections(2)
            .connect(&url)
            .await
            .unwrap();
        Some(Schemas {
            url,
            admin,
            made: Mutex::new(Vec::new()),
        })
    }

    async fn store(&self) -> Arc<dyn Store> {
        let schema = format!("conformance_{}", uuid::Uuid::new_v4().simple());
        self.made.lock().unwrap().push(schema.clone());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&self.admin)
            .await
            .unwrap();
        let options = PgConnectOptions::from_str(&self.url)
            .unwrap()
            .options([("search_path", schema.as_str())]);
        Arc::new(PostgresStore::open_with(options).await.unwrap())
    }

    async fn drop_all(self) {
        for schema in self.made.into_inner().unwrap() {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&self.admin)
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn postgres_store_passes_the_conformance_suite() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    conformance::run_all(|| schemas.store()).await;
    schemas.drop_all().await;
}

#[tokio::test]
async fn postgres_store_passes_the_directory_suite() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    conformance::directory::run_all(|| schemas.store()).await;
    schemas.drop_all().await;
}

#[tokio::test]
async fn postgres_store_passes_the_callback_suite() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    conformance::callbacks::run_all(|| schemas.store()).await;
    schemas.drop_all().await;
}

#[tokio::test]
async fn postgres_store_passes_the_parcel_suite() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    conformance::parcels::run_all(|| schemas.store()).await;
    schemas.drop_all().await;
}

#[tokio::test]
async fn postgres_store_passes_the_relations_suite() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    conformance::relations::run_all(|| schemas.store()).await;
    schemas.drop_all().await;
}

#[tokio::test]
async fn postgres_store_passes_the_sandbox_suite() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    conformance::sandbox::run_all(|| schemas.store()).await;
    schemas.drop_all().await;
}

#[tokio::test]
async fn postgres_store_passes_the_reports_suite() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    conformance::reports::run_all(|| schemas.store()).await;
    schemas.drop_all().await;
}

#[tokio::test]
async fn postgres_store_passes_the_keys_suite() {
    let Some(schemas) = Schemas::connect().await else {
        return;
    };
    conformance::keys::run_all(|| schemas.store()).await;
    schemas.drop_all().await;
}
