//! Conversions between stored columns and domain values.

use chrono::{DateTime, Utc};
use edigrid_core::StoreError;

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn time(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Backend(format!("stored time {ms} is out of range")))
}

pub fn opt_time(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    ms.map(time).transpose()
}

pub fn parsed<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Backend(format!("stored {what} {text:?} is not valid")))
}

pub fn backend(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_string())
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::Missing(db.message().to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}
