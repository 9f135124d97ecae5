//! Rows as both backends read them, and their conversion to domain records: only the SQL
//! differs between SQLite and PostgreSQL.

use chrono::{DateTime, Utc};
use edigrid_core::StoreError;
use edigrid_core::store::{ApiKeyRecord, EndReason, Person, SessionEvent, SessionRecord, User};
use edigrid_domain::{MailboxId, NetworkId, SecretHash, UserId};

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn time(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Backend(format!("stored time {ms} is out of range")))
}

fn opt_time(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    ms.map(time).transpose()
}

pub(crate) fn parsed<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Backend(format!("stored {what} {text:?} is not valid")))
}

pub fn hash_from(bytes: Vec<u8>) -> Result<SecretHash, StoreError> {
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| StoreError::Backend("stored hash has the wrong length".into()))?;
    Ok(SecretHash(bytes))
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

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub(crate) id: i32,
    pub(crate) login: String,
    pub(crate) password_hash: String,
    pub(crate) network_id: i32,
    pub(crate) mailbox_id: i32,
    pub(crate) auth_level: String,
    pub(crate) status: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) email: String,
    pub(crate) company: String,
    pub(crate) phone: String,
    pub(crate) cell_phone: String,
    pub(crate) cell_carrier: String,
    pub(crate) time_zone_offset: i32,
    pub(crate) recovery_question: String,
    pub(crate) recovery_answer_hash: Option<String>,
    pub(crate) idle_timeout_secs: Option<i32>,
    pub(crate) max_sessions: Option<i32>,
    pub(crate) created_ms: i64,
    pub(crate) modified_ms: i64,
    pub(crate) last_login_ms: Option<i64>,
    pub(crate) failed_logins: i32,
    pub(crate) locked_until_ms: Option<i64>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: UserId(r.id),
            login: r.login,
            password_hash: r.password_hash,
            network_id: NetworkId(r.network_id),
            mailbox_id: MailboxId(r.mailbox_id),
            auth_level: parsed(&r.auth_level, "AuthLevel")?,
            status: parsed(&r.status, "Status")?,
            person: Person {
                first_name: r.first_name,
                last_name: r.last_name,
                email: r.email,
                company: r.company,
                phone: r.phone,
                cell_phone: r.cell_phone,
                cell_carrier: parsed(&r.cell_carrier, "CellCarrier")?,
                time_zone_offset: i16::try_from(r.time_zone_offset).map_err(|_| {
                    StoreError::Backend(format!(
                        "stored time zone offset {} is out of range",
                        r.time_zone_offset
                    ))
                })?,
                recovery_question: r.recovery_question,
            },
            idle_timeout_secs: r.idle_timeout_secs,
            max_sessions: r.max_sessions,
            recovery_answer_hash: r.recovery_answer_hash,
            created: time(r.created_ms)?,
            modified: time(r.modified_ms)?,
            last_login: opt_time(r.last_login_ms)?,
            failed_logins: r.failed_logins,
            locked_until: opt_time(r.locked_until_ms)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub(crate) hash: Vec<u8>,
    pub(crate) prefix: String,
    pub(crate) user_id: i32,
    pub(crate) network_id: i32,
    pub(crate) mailbox_id: i32,
    pub(crate) created_ms: i64,
    pub(crate) expires_ms: i64,
    pub(crate) max_expires_ms: i64,
    pub(crate) idle_timeout_secs: i32,
    pub(crate) last_used_ms: i64,
    pub(crate) ended_ms: Option<i64>,
    pub(crate) end_reason: Option<String>,
    pub(crate) client_ip: String,
    pub(crate) protocol: String,
    pub(crate) sender_solution: String,
    pub(crate) sender_version: String,
    pub(crate) sender_company: String,
    pub(crate) sender_contact: String,
    pub(crate) sender_email: String,
    pub(crate) token_generation: i32,
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> Result<Self, StoreError> {
        Ok(SessionRecord {
            hash: hash_from(r.hash)?,
            prefix: r.prefix,
            user_id: UserId(r.user_id),
            network_id: NetworkId(r.network_id),
            mailbox_id: MailboxId(r.mailbox_id),
            created: time(r.created_ms)?,
            expires: time(r.expires_ms)?,
            max_expires: time(r.max_expires_ms)?,
            idle_timeout_secs: r.idle_timeout_secs,
            last_used: time(r.last_used_ms)?,
            ended: opt_time(r.ended_ms)?,
            end_reason: r.end_reason.as_deref().and_then(EndReason::parse),
            client_ip: r.client_ip,
            protocol: r.protocol,
            sender_solution: r.sender_solution,
            sender_version: r.sender_version,
            sender_company: r.sender_company,
            sender_contact: r.sender_contact,
            sender_email: r.sender_email,
            token_generation: r.token_generation,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ApiKeyRow {
    hash: Vec<u8>,
    prefix: String,
    created_ms: i64,
}

impl TryFrom<ApiKeyRow> for ApiKeyRecord {
    type Error = StoreError;
    fn try_from(r: ApiKeyRow) -> Result<Self, StoreError> {
        Ok(ApiKeyRecord {
            hash: hash_from(r.hash)?,
            prefix: r.prefix,
            created: time(r.created_ms)?,
        })
    }
}

/// A user joined with their API key (key columns aliased `key_*`: both tables have
/// `created_ms`).
#[derive(sqlx::FromRow)]
pub struct KeyOwnerRow {
    #[sqlx(flatten)]
    user: UserRow,
    key_hash: Vec<u8>,
    key_prefix: String,
    key_created_ms: i64,
}

impl TryFrom<KeyOwnerRow> for (User, ApiKeyRecord) {
    type Error = StoreError;
    fn try_from(r: KeyOwnerRow) -> Result<Self, StoreError> {
        let key = ApiKeyRecord {
            hash: hash_from(r.key_hash)?,
            prefix: r.key_prefix,
            created: time(r.key_created_ms)?,
        };
        Ok((User::try_from(r.user)?, key))
    }
}

/// Converts every row, failing on the first that does not convert.
pub fn all<R, T: TryFrom<R, Error = StoreError>>(rows: Vec<R>) -> Result<Vec<T>, StoreError> {
    rows.into_iter().map(T::try_from).collect()
}

/// Converts an optional row.
pub fn one<R, T: TryFrom<R, Error = StoreError>>(row: Option<R>) -> Result<Option<T>, StoreError> {
    row.map(T::try_from).transpose()
}

#[derive(sqlx::FromRow)]
pub struct EventRow {
    session_hash: Vec<u8>,
    at_ms: i64,
    operation: String,
    duration_ms: i32,
    client_ip: String,
    outcome: String,
    comment: String,
}

impl TryFrom<EventRow> for SessionEvent {
    type Error = StoreError;
    fn try_from(r: EventRow) -> Result<Self, StoreError> {
        Ok(SessionEvent {
            session: hash_from(r.session_hash)?,
            at: time(r.at_ms)?,
            operation: r.operation,
            duration_ms: r.duration_ms,
            client_ip: r.client_ip,
            outcome: r.outcome,
            comment: r.comment,
        })
    }
}
