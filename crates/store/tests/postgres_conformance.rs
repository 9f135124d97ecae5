//! The conformance suite on PostgreSQL, each check in a schema of its own. Runs when
//! `EDIGRID_TEST_DATABASE_URL` names a database; `scripts/test` always sets it.

use std::str::FromStr;
use std::sync::Arc;

use edigrid_core::Store;
use edigrid_store::{PostgresStore, conformance};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

#[tokio::test]
async fn postgres_store_passes_the_conformance_suite() {
    let Ok(url) = std::env::var("EDIGRID_TEST_DATABASE_URL") else {
        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: PostgreSQL conformance not run");
        return;
    };
    let admin = PgPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .unwrap();
    let schemas = std::sync::Mutex::new(Vec::new());
    conformance::run_all(|| {
        let schema = format!("conformance_{}", uuid::Uuid::new_v4().simple());
        schemas.lock().unwrap().push(schema.clone());
        let admin = admin.clone();
        let url = url.clone();
        async move {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&admin)
                .await
                .unwrap();
            let options = PgConnectOptions::from_str(&url)
                .unwrap()
                .options([("search_path", schema.as_str())]);
            Arc::new(PostgresStore::open_with(options).await.unwrap()) as Arc<dyn Store>
        }
    })
    .await;
    for schema in schemas.into_inner().unwrap() {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin)
            .await
            .unwrap();
    }
}
