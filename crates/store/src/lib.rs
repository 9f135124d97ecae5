//! Storage for edigrid: [`SqliteStore`] and [`PostgresStore`] implement
//! `edigrid_core::Store`; [`conformance`] is the one suite every implementation must pass.

/// A `SELECT` of every session column followed by `$tail`, kept a literal so queries stay
/// static strings. Used by both backends.
macro_rules! select_sessions {
    ($tail:literal) => {
        concat!(
            "SELECT hash, prefix, user_id, network_id, mailbox_id, created_ms, expires_ms, ",
            "max_expires_ms, idle_timeout_secs, last_used_ms, ended_ms, end_reason, client_ip, ",
            "protocol, sender_solution, sender_version, sender_company, sender_contact, ",
            "sender_email, token_generation FROM sessions ",
            $tail
        )
    };
}

mod callbacks;
pub mod conformance;
mod convert;
mod directory;
mod group_commit;
mod keys;
mod parcels;
#[cfg(test)]
mod plans;
mod postgres;
mod relations;
mod reports;
mod sandbox;
mod sql;
mod sqlite;
mod sqlite_readers;
mod write_conn;

use std::sync::Arc;

use edigrid_core::Store;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
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
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(OpenError::UnsupportedUrl(url.to_string()))
    }
}
