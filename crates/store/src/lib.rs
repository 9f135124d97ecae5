//! Storage for edigrid: [`SqliteStore`] implements `edigrid_core::Store`; [`conformance`]
//! is the one suite every implementation must pass.

pub mod conformance;
mod convert;
mod sqlite;

use std::sync::Arc;

use edigrid_core::Store;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH")]
    UnsupportedUrl(String),
    #[error("cannot open the database: {0}")]
    Connect(String),
    #[error("cannot apply migrations: {0}")]
    Migrate(String),
}

/// Opens (creating if needed) and migrates the database a URL names.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, OpenError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else {
        Err(OpenError::UnsupportedUrl(url.to_string()))
    }
}
