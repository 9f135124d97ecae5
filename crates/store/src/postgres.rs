use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edigrid_core::store::{
    ApiKeyRecord, CreateSessionOutcome, EndReason, LoginFailureOutcome, NewUser, SessionCalls,
    SessionEvent, SessionRecord, StoreResult, User,
};
use edigrid_core::{OverCapPolicy, Store, StoreError};
use edigrid_domain::{SecretHash, UserId, UserStatus};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::OpenError;
use crate::convert::{
    ApiKeyRow, EventRow, KeyOwnerRow, SessionRow, UserRow, all, backend, ms, one,
};

/// How long a pooled connection may sit unused before it is pinged on its way out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// The shared store for several nodes: one PostgreSQL database. Every method is one
/// statement or one transaction, so nodes need no coordination of their own.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// `ParcelStore::accept_upload`: one transaction per upload (PostgreSQL groups
    /// concurrent commits' WAL flushes itself).
    async fn accept(
        &self,
        upload: &edigrid_core::parcels::model::Upload,
    ) -> edigrid_core::store::StoreResult<edigrid_core::parcels::model::Accepted> {
        crate::parcels::accept_upload(&self.pool, upload).await
    }

    /// `ParcelStore::parcel`.
    async fn parcel_by_id(
        &self,
        id: edigrid_domain::ParcelId,
    ) -> edigrid_core::store::StoreResult<Option<edigrid_core::parcels::model::Parcel>> {
        crate::parcels::parcel(&self.pool, id).await
    }

    /// `ParcelStore::list_parcels`.
    async fn parcel_page(
        &self,
        filter: &edigrid_core::parcels::model::ParcelFilter,
        page: edigrid_core::store::Page,
    ) -> edigrid_core::store::StoreResult<
        edigrid_core::store::Paged<edigrid_core::parcels::model::Parcel>,
    > {
        crate::parcels::list_parcels(&self.pool, filter, page).await
    }

    /// `ParcelStore::change_state`: a transaction of its own.
    async fn change(
        &self,
        change: &edigrid_core::parcels::model::StateChange,
    ) -> edigrid_core::store::StoreResult<bool> {
        crate::parcels::change_state(&self.pool, change).await
    }

    pub async fn open(url: &str) -> Result<Self, OpenError> {
        let options =
            PgConnectOptions::from_str(url).map_err(|e| OpenError::Connect(e.to_string()))?;
        Self::open_with(options).await
    }

    /// Opens with explicit options (tests use them to put each test in its own schema).
    pub async fn open_with(options: PgConnectOptions) -> Result<Self, OpenError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            // sqlx pings every connection it hands out by default: one more round trip
            // for every statement outside a transaction (9 of an upload's 27 before). A
            // connection in steady use has just proved itself; only one that sat idle
            // for a while (a restart or a dropped link since) is pinged, and one that
            // fails the ping is closed and replaced before anyone uses it.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for < PING_AFTER_IDLE {
                        return Ok(true);
                    }
                    sqlx::Connection::ping(conn).await?;
                    Ok(true)
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| OpenError::Connect(e.to_string()))?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| OpenError::Migrate(e.to_string()))?;
        Ok(PostgresStore { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// `DirectoryStore::route_by_address`, through the pool.
    async fn route(
        &self,
        qualifier_key: &str,
        id_key: &str,
    ) -> StoreResult<Option<edigrid_core::store::PartnerRoute>> {
        crate::directory::route_by_address(&self.pool, qualifier_key, id_key).await
    }

    /// `DirectoryStore::list_partner_details`, through the pool.
    async fn partner_details(
        &self,
        filter: &edigrid_core::store::PartnerFilter,
        page: edigrid_core::store::Page,
    ) -> StoreResult<edigrid_core::store::Paged<edigrid_core::store::PartnerDetail>> {
        crate::directory::list_partner_details(&self.pool, filter, page).await
    }
}

fn missing_unless_one(rows: u64, what: String) -> StoreResult<()> {
    if rows == 0 {
        return Err(StoreError::Missing(what));
    }
    Ok(())
}

crate::directory::directory_store!(PostgresStore);
crate::parcels::parcel_store!(PostgresStore);
crate::callbacks::callbacks_store!(PostgresStore);
crate::relations::relations_store!(PostgresStore);
crate::reports::reports_store!(PostgresStore);
crate::keys::keys_store!(PostgresStore);
crate::sandbox::sandbox_store!(PostgresStore);

#[async_trait]
impl Store for PostgresStore {
    async fn insert_user(&self, user: &NewUser) -> StoreResult<UserId> {
        crate::directory::insert_user(&self.pool, user).await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as("SELECT * FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        one(row)
    }

    async fn user_by_login(&self, login: &str) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as("SELECT * FROM users WHERE login_key = $1")
            .bind(edigrid_domain::login_key(login))
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        one(row)
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let rows: Vec<UserRow> = sqlx::query_as("SELECT * FROM users ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        all(rows)
    }

    async fn count_users(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(n as u64)
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        missing_unless_one(done.rows_affected(), format!("user {id}"))
    }

    async fn set_status(&self, id: UserId, status: UserStatus) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET status = $1 WHERE id = $2")
            .bind(status.as_str())
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        missing_unless_one(done.rows_affected(), format!("user {id}"))
    }

    async fn record_login_failure(
        &self,
        id: UserId,
        threshold: u32,
        locked_until: DateTime<Utc>,
    ) -> StoreResult<LoginFailureOutcome> {
        // One statement, so concurrent failures on several connections all count.
        let locked: Option<bool> = sqlx::query_scalar(
            "UPDATE users SET \
               locked_until_ms = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until_ms END, \
               failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END \
             WHERE id = $3 RETURNING locked_until_ms IS NOT DISTINCT FROM $2",
        )
        .bind(i64::from(threshold))
        .bind(ms(locked_until))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        match locked {
            Some(true) => Ok(LoginFailureOutcome::Locked),
            Some(false) => Ok(LoginFailureOutcome::Counted),
            None => Err(StoreError::Missing(format!("user {id}"))),
        }
    }

    async fn record_login_success(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until_ms = NULL, last_login_ms = $1 \
             WHERE id = $2",
        )
        .bind(ms(now))
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn create_session(
        &self,
        s: &SessionRecord,
        cap: u32,
        over_cap: OverCapPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<CreateSessionOutcome> {
        // Locking the user's row serialises this user's logins across every node, so two
        // cannot both see room for one more session.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(s.user_id.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let open: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT hash FROM sessions WHERE user_id = $1 AND ended_ms IS NULL AND expires_ms > $2 \
             ORDER BY last_used_ms, created_ms",
        )
        .bind(s.user_id.0)
        .bind(ms(now))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        let cap = cap.max(1) as usize;
        let mut evicted = 0;
        if open.len() >= cap {
            if over_cap == OverCapPolicy::Reject {
                return Ok(CreateSessionOutcome::LimitReached);
            }
            for hash in &open[..open.len() + 1 - cap] {
                sqlx::query("UPDATE sessions SET ended_ms = $1, end_reason = $2 WHERE hash = $3")
                    .bind(ms(now))
                    .bind(EndReason::Evicted.as_str())
                    .bind(hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                evicted += 1;
            }
        }
        sqlx::query(
            "INSERT INTO sessions (hash, prefix, user_id, network_id, mailbox_id, created_ms, \
             expires_ms, max_expires_ms, idle_timeout_secs, last_used_ms, ended_ms, end_reason, \
             client_ip, protocol, sender_solution, sender_version, sender_company, \
             sender_contact, sender_email, token_generation) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(&s.hash.0[..])
        .bind(&s.prefix)
        .bind(s.user_id.0)
        .bind(s.network_id.0)
        .bind(s.mailbox_id.0)
        .bind(ms(s.created))
        .bind(ms(s.expires))
        .bind(ms(s.max_expires))
        .bind(s.idle_timeout_secs)
        .bind(ms(s.last_used))
        .bind(&s.client_ip)
        .bind(&s.protocol)
        .bind(&s.sender_solution)
        .bind(&s.sender_version)
        .bind(&s.sender_company)
        .bind(&s.sender_contact)
        .bind(&s.sender_email)
        .bind(s.token_generation)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(CreateSessionOutcome::Created { evicted })
    }

    async fn session(&self, hash: &SecretHash) -> StoreResult<Option<SessionRecord>> {
        let row: Option<SessionRow> = sqlx::query_as(select_sessions!("WHERE hash = $1"))
            .bind(&hash.0[..])
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        one(row)
    }

    async fn extend_session(
        &self,
        hash: &SecretHash,
        expires: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET expires_ms = GREATEST(expires_ms, $1), last_used_ms = $2 \
             WHERE hash = $3 AND ended_ms IS NULL AND expires_ms > $4",
        )
        .bind(ms(expires))
        .bind(ms(now))
        .bind(&hash.0[..])
        .bind(ms(now))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn end_session(
        &self,
        hash: &SecretHash,
        reason: EndReason,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET ended_ms = $1, end_reason = $2 \
             WHERE hash = $3 AND ended_ms IS NULL AND expires_ms > $4",
        )
        .bind(ms(now))
        .bind(reason.as_str())
        .bind(&hash.0[..])
        .bind(ms(now))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn end_user_sessions(
        &self,
        user: UserId,
        except: Option<&SecretHash>,
        reason: EndReason,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE sessions SET ended_ms = $1, end_reason = $2 \
             WHERE user_id = $3 AND ended_ms IS NULL AND expires_ms > $4 AND hash IS DISTINCT FROM $5",
        )
        .bind(ms(now))
        .bind(reason.as_str())
        .bind(user.0)
        .bind(ms(now))
        .bind(except.map(|h| h.0.to_vec()))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn count_open_sessions(&self, user: UserId, now: DateTime<Utc>) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND ended_ms IS NULL AND expires_ms > $2",
        )
        .bind(user.0)
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        Ok(n as u64)
    }

    async fn count_all_open_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions WHERE ended_ms IS NULL AND expires_ms > $1",
        )
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        Ok(n as u64)
    }

    async fn user_sessions(&self, user: UserId, limit: u32) -> StoreResult<Vec<SessionRecord>> {
        let rows: Vec<SessionRow> = sqlx::query_as(select_sessions!(
            "WHERE user_id = $1 ORDER BY created_ms DESC LIMIT $2"
        ))
        .bind(user.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        all(rows)
    }

    async fn all_sessions(&self, limit: u32) -> StoreResult<Vec<SessionRecord>> {
        let rows: Vec<SessionRow> =
            sqlx::query_as(select_sessions!("ORDER BY created_ms DESC LIMIT $1"))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
        all(rows)
    }

    async fn sessions_with_prefix(&self, prefix: &str) -> StoreResult<Vec<SessionRecord>> {
        let rows: Vec<SessionRow> = sqlx::query_as(select_sessions!(
            "WHERE prefix = $1 ORDER BY created_ms DESC"
        ))
        .bind(prefix)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        all(rows)
    }

    async fn purge_sessions(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM sessions WHERE expires_ms < $1 OR (ended_ms IS NOT NULL AND ended_ms < $1)",
        )
        .bind(ms(before))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        sqlx::query(
            "DELETE FROM session_events WHERE NOT EXISTS \
             (SELECT 1 FROM sessions WHERE sessions.hash = session_events.session_hash)",
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn rotate_token_generation(
        &self,
        hash: &SecretHash,
        expected: i32,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET token_generation = token_generation + 1 \
             WHERE hash = $1 AND token_generation = $2 AND ended_ms IS NULL AND expires_ms > $3",
        )
        .bind(&hash.0[..])
        .bind(expected)
        .bind(ms(now))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_api_key(&self, user: UserId, key: &ApiKeyRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_keys (user_id, hash, prefix, created_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, prefix = excluded.prefix, \
             created_ms = excluded.created_ms",
        )
        .bind(user.0)
        .bind(&key.hash.0[..])
        .bind(&key.prefix)
        .bind(ms(key.created))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn api_key_of(&self, user: UserId) -> StoreResult<Option<ApiKeyRecord>> {
        let row: Option<ApiKeyRow> =
            sqlx::query_as("SELECT hash, prefix, created_ms FROM api_keys WHERE user_id = $1")
                .bind(user.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        one(row)
    }

    async fn api_key_owner(&self, hash: &SecretHash) -> StoreResult<Option<(User, ApiKeyRecord)>> {
        let row: Option<KeyOwnerRow> = sqlx::query_as(
            "SELECT u.*, k.hash AS key_hash, k.prefix AS key_prefix, k.created_ms AS key_created_ms \
             FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.hash = $1",
        )
        .bind(&hash.0[..])
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        one(row)
    }

    async fn clear_lockout(&self, user: UserId) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until_ms = NULL WHERE id = $1")
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn set_max_sessions(&self, user: UserId, max: Option<i32>) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET max_sessions = $1 WHERE id = $2")
            .bind(max)
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        missing_unless_one(done.rows_affected(), format!("user {user}"))
    }

    async fn locked_out_users(&self, now: DateTime<Utc>) -> StoreResult<Vec<User>> {
        let rows: Vec<UserRow> =
            sqlx::query_as("SELECT * FROM users WHERE locked_until_ms > $1 ORDER BY id")
                .bind(ms(now))
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
        all(rows)
    }

    async fn user_sessions_created_between(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<SessionRecord>> {
        let rows: Vec<SessionRow> = sqlx::query_as(select_sessions!(
            "WHERE user_id = $1 AND created_ms BETWEEN $2 AND $3 ORDER BY created_ms DESC LIMIT $4"
        ))
        .bind(user.0)
        .bind(ms(from))
        .bind(ms(to))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        all(rows)
    }

    async fn append_session_calls(&self, batch: &[SessionCalls], keep: u32) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for s in batch {
            sqlx::query("UPDATE sessions SET calls = calls + $1 WHERE hash = $2")
                .bind(i64::try_from(s.calls).unwrap_or(i64::MAX))
                .bind(&s.session.0[..])
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            for e in &s.newest {
                sqlx::query(
                    "INSERT INTO session_events \
                     (session_hash, at_ms, operation, duration_ms, client_ip, outcome, comment) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&e.session.0[..])
                .bind(ms(e.at))
                .bind(&e.operation)
                .bind(e.duration_ms)
                .bind(&e.client_ip)
                .bind(&e.outcome)
                .bind(&e.comment)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            }
            sqlx::query(
                "DELETE FROM session_events WHERE session_hash = $1 AND id <= \
                 (SELECT id FROM session_events WHERE session_hash = $1 \
                  ORDER BY id DESC LIMIT 1 OFFSET $2)",
            )
            .bind(&s.session.0[..])
            .bind(i64::from(keep))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn session_events(&self, session: &SecretHash) -> StoreResult<Vec<SessionEvent>> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT session_hash, at_ms, operation, duration_ms, client_ip, outcome, comment \
             FROM session_events WHERE session_hash = $1 ORDER BY id",
        )
        .bind(&session.0[..])
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        all(rows)
    }

    async fn session_calls(&self, session: &SecretHash) -> StoreResult<u64> {
        let n: Option<i64> = sqlx::query_scalar("SELECT calls FROM sessions WHERE hash = $1")
            .bind(&session.0[..])
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }

    async fn take_login_attempt(
        &self,
        client: &str,
        now: DateTime<Utc>,
        interval_ms: i64,
        tolerance_ms: i64,
    ) -> StoreResult<Option<i64>> {
        // One statement: concurrent attempts (on any node) are counted one after another.
        let taken: Option<i64> = sqlx::query_scalar(
            "INSERT INTO login_throttle (client, tat_ms) VALUES ($1, $2 + $3) \
             ON CONFLICT (client) DO UPDATE SET tat_ms = GREATEST(login_throttle.tat_ms, $2) + $3 \
             WHERE GREATEST(login_throttle.tat_ms, $2) - $2 <= $4 RETURNING tat_ms",
        )
        .bind(client)
        .bind(ms(now))
        .bind(interval_ms)
        .bind(tolerance_ms)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        if taken.is_some() {
            return Ok(None);
        }
        let tat: i64 = sqlx::query_scalar("SELECT tat_ms FROM login_throttle WHERE client = $1")
            .bind(client)
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(Some(tat.max(ms(now)) - ms(now) - tolerance_ms))
    }

    async fn forget_login_attempts(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM login_throttle WHERE tat_ms < $1")
            .bind(ms(now))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)
    }

    async fn init_setting(&self, key: &str, value: &str) -> StoreResult<String> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_one(&self.pool)
            .await
            .map_err(backend)
    }
}
