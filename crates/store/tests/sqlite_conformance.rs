//! The conformance suite on SQLite, each check in a file of its own.

// Test helpers: a failed step panics with its location.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use edigrid_core::Store;
use edigrid_store::{SqliteStore, conformance};

/// Fresh SQLite files, one per check, in a directory removed when dropped.
struct Files {
    dir: tempfile::TempDir,
    count: AtomicU32,
}

impl Files {
    fn new() -> Self {
        Files {
            dir: tempfile::tempdir().unwrap(),
            count: AtomicU32::new(0),
        }
    }

    async fn store(&self) -> Arc<dyn Store> {
        let n = self.count.fetch_add(1, Ordering::SeqCst);
        let url = format!(
            "sqlite://{}",
            self.dir.path().join(format!("c{n}.db")).display()
        );
        Arc::new(SqliteStore::open(&url).await.unwrap())
    }
}

#[tokio::test]
async fn sqlite_store_passes_the_conformance_suite() {
    let files = Files::new();
    conformance::run_all(|| files.store()).await;
}

#[tokio::test]
async fn sqlite_store_passes_the_directory_suite() {
    let files = Files::new();
    conformance::directory::run_all(|| files.store()).await;
}

#[tokio::test]
async fn sqlite_store_passes_the_callback_suite() {
    let files = Files::new();
    conformance::callbacks::run_all(|| files.store()).await;
}

#[tokio::test]
async fn sqlite_store_passes_the_parcel_suite() {
    let files = Files::new();
    conformance::parcels::run_all(|| files.store()).await;
}

#[tokio::test]
async fn sqlite_store_passes_the_relations_suite() {
    let files = Files::new();
    conformance::relations::run_all(|| files.store()).await;
}

#[tokio::test]
async fn sqlite_store_passes_the_sandbox_suite() {
    let files = Files::new();
    conformance::sandbox::run_all(|| files.store()).await;
}

#[tokio::test]
async fn sqlite_store_passes_the_reports_suite() {
    let files = Files::new();
    conformance::reports::run_all(|| files.store()).await;
}

#[tokio::test]
async fn sqlite_store_passes_the_keys_suite() {
    let files = Files::new();
    conformance::keys::run_all(|| files.store()).await;
}
