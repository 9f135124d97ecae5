use std::sync::Arc;

use edigrid_core::Store;
use edigrid_store::{SqliteStore, conformance};

#[tokio::test]
async fn sqlite_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let counter = std::sync::atomic::AtomicU32::new(0);
    conformance::run_all(|| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let url = format!("sqlite://{}", dir.path().join(format!("c{n}.db")).display());
        async move { Arc::new(SqliteStore::open(&url).await.unwrap()) as Arc<dyn Store> }
    })
    .await;
}
