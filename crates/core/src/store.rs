//! The persistence boundary. Implementations live in `edigrid-store`; every method is one
//! atomic step, so that several nodes sharing a database stay consistent.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edigrid_domain::{
    AuthLevel, CellCarrier, MailboxId, NetworkId, SecretHash, UserId, UserStatus,
};

pub use crate::callbacks::store::CallbackStore;
pub use crate::directory::model::{
    Address, Contacts, Mailbox, MailboxConfig, MailboxFilter, Network, NetworkFilter, Page, Paged,
    PartnerDetail, PartnerFilter, PartnerOrder, PartnerRoute, TradingPartner, UserFilter, Websites,
};
pub use crate::directory::store::DirectoryStore;
pub use crate::keys::store::KeyStore;
pub use crate::parcels::store::ParcelStore;
pub use crate::relations::store::RelationStore;
pub use crate::reports::store::ReportStore;
pub use crate::sandbox::store::SandboxStore;

use crate::policy::OverCapPolicy;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key is taken (network or mailbox number, login name).
    #[error("already exists: {0}")]
    Conflict(String),
    /// A referenced row does not exist.
    #[error("missing: {0}")]
    Missing(String),
    /// The database failed; the text is for logs only.
    #[error("database error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Person {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub company: String,
    pub phone: String,
    pub cell_phone: String,
    pub cell_carrier: CellCarrier,
    /// Minutes from UTC, as the user gave it.
    pub time_zone_offset: i16,
    pub recovery_question: String,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub password_hash: String,
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    pub auth_level: AuthLevel,
    pub status: UserStatus,
    pub person: Person,
    /// Argon2id hash of the recovery answer, if one was given.
    pub recovery_answer_hash: Option<String>,
    pub created: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub login: String,
    pub password_hash: String,
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    pub auth_level: AuthLevel,
    pub status: UserStatus,
    pub person: Person,
    /// The user's own idle timeout in seconds, overriding the server's.
    pub idle_timeout_secs: Option<i32>,
    /// The user's own cap on open sessions, overriding the server's.
    pub max_sessions: Option<i32>,
    /// Argon2id hash of the recovery answer; never shown.
    pub recovery_answer_hash: Option<String>,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
}

/// Why a session ended before its expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    Logout,
    /// Ended to make room under the per-user cap.
    Evicted,
    /// Ended by an administrator.
    Revoked,
    Suspended,
    /// The user was terminated.
    Terminated,
    PasswordChanged,
    /// A rotated bearer or refresh token was presented again: treated as stolen.
    TokenReuse,
    /// An administrator reset the user.
    Reset,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Logout => "logout",
            EndReason::Evicted => "evicted",
            EndReason::Revoked => "revoked",
            EndReason::Suspended => "suspended",
            EndReason::Terminated => "terminated",
            EndReason::PasswordChanged => "password-changed",
            EndReason::TokenReuse => "token-reuse",
            EndReason::Reset => "reset",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            EndReason::Logout,
            EndReason::Evicted,
            EndReason::Revoked,
            EndReason::Suspended,
            EndReason::Terminated,
            EndReason::PasswordChanged,
            EndReason::TokenReuse,
            EndReason::Reset,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A stored session. The SessionID itself is not here: only its hash and first group.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub hash: SecretHash,
    pub prefix: String,
    pub user_id: UserId,
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    pub created: DateTime<Utc>,
    /// The instant after which the session is rejected (idle rule, coalesced).
    pub expires: DateTime<Utc>,
    /// The absolute limit: `expires` never moves past it.
    pub max_expires: DateTime<Utc>,
    pub idle_timeout_secs: i32,
    pub last_used: DateTime<Utc>,
    pub ended: Option<DateTime<Utc>>,
    pub end_reason: Option<EndReason>,
    pub client_ip: String,
    pub protocol: String,
    pub sender_solution: String,
    pub sender_version: String,
    pub sender_company: String,
    pub sender_contact: String,
    pub sender_email: String,
    /// The generation of REST bearer tokens that is valid now; refresh moves it on.
    pub token_generation: i32,
}

impl SessionRecord {
    pub fn is_open_at(&self, now: DateTime<Utc>) -> bool {
        self.ended.is_none() && now < self.expires
    }

    /// When the session ended, or will end if nothing extends it.
    pub fn end_or_expiry(&self) -> DateTime<Utc> {
        match self.ended {
            Some(ended) if ended < self.expires => ended,
            _ => self.expires,
        }
    }
}

/// A user's API key as stored: its hash, first characters for display, and creation time.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyRecord {
    pub hash: SecretHash,
    pub prefix: String,
    pub created: DateTime<Utc>,
}

/// One call made in a session: what the deployed dialect's session log lists.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionEvent {
    pub session: SecretHash,
    pub at: DateTime<Utc>,
    /// The operation's name as its dialect spells it.
    pub operation: String,
    pub duration_ms: i32,
    pub client_ip: String,
    /// `Success`, or the legacy code name of the error the call ended with.
    pub outcome: String,
    pub comment: String,
}

/// One session's share of a batch of recorded calls: how many were made, and the newest of
/// them (at most the number kept per session), oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionCalls {
    pub session: SecretHash,
    pub calls: u64,
    pub newest: Vec<SessionEvent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateSessionOutcome {
    /// Created; `evicted` sessions were ended to make room.
    Created { evicted: u32 },
    /// The cap was reached and the policy is to reject.
    LimitReached,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailureOutcome {
    Counted,
    /// This failure reached the threshold: the account is locked until the given instant.
    Locked,
}

#[async_trait]
pub trait Store:
    DirectoryStore
    + ParcelStore
    + CallbackStore
    + RelationStore
    + ReportStore
    + KeyStore
    + SandboxStore
    + Send
    + Sync
    + 'static
{
    async fn insert_user(&self, user: &NewUser) -> StoreResult<UserId>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// Case-insensitive match on the login name.
    async fn user_by_login(&self, login: &str) -> StoreResult<Option<User>>;
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn count_users(&self) -> StoreResult<u64>;
    async fn set_password_hash(&self, id: UserId, hash: &str) -> StoreResult<()>;
    async fn set_status(&self, id: UserId, status: UserStatus) -> StoreResult<()>;
    /// Counts one failure; at `threshold` consecutive failures locks until `now + lock_for`
    /// and starts the count again.
    async fn record_login_failure(
        &self,
        id: UserId,
        threshold: u32,
        locked_until: DateTime<Utc>,
    ) -> StoreResult<LoginFailureOutcome>;
    /// Resets the failure count and lockout, and records the login time.
    async fn record_login_success(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()>;

    /// Creates a session, holding the user's cap atomically with concurrent logins.
    async fn create_session(
        &self,
        session: &SessionRecord,
        cap: u32,
        over_cap: OverCapPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<CreateSessionOutcome>;
    /// The hot path: one indexed read.
    async fn session(&self, hash: &SecretHash) -> StoreResult<Option<SessionRecord>>;
    /// Moves an open session's expiry; false if it is no longer open.
    async fn extend_session(
        &self,
        hash: &SecretHash,
        expires: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Ends a session that is open at `now`; false if it was not open.
    async fn end_session(
        &self,
        hash: &SecretHash,
        reason: EndReason,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Ends every open session of a user but `except`; returns how many it ended.
    async fn end_user_sessions(
        &self,
        user: UserId,
        except: Option<&SecretHash>,
        reason: EndReason,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    async fn count_open_sessions(&self, user: UserId, now: DateTime<Utc>) -> StoreResult<u64>;
    /// Open sessions of every user (for the `edigrid_open_sessions` gauge).
    async fn count_all_open_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    /// A user's sessions (open, ended and expired), newest first.
    async fn user_sessions(&self, user: UserId, limit: u32) -> StoreResult<Vec<SessionRecord>>;
    /// All sessions, newest first.
    async fn all_sessions(&self, limit: u32) -> StoreResult<Vec<SessionRecord>>;
    async fn sessions_with_prefix(&self, prefix: &str) -> StoreResult<Vec<SessionRecord>>;
    /// Deletes session records that ended or expired before `before`.
    async fn purge_sessions(&self, before: DateTime<Utc>) -> StoreResult<u64>;
    /// Moves an open session's token generation from `expected` to `expected + 1`; false if
    /// the session is not open or its generation is not `expected` (a concurrent refresh).
    async fn rotate_token_generation(
        &self,
        hash: &SecretHash,
        expected: i32,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Replaces the user's API key (the old one stops working at once).
    async fn set_api_key(&self, user: UserId, key: &ApiKeyRecord) -> StoreResult<()>;
    async fn api_key_of(&self, user: UserId) -> StoreResult<Option<ApiKeyRecord>>;
    /// The owner of an API key, by the key's hash.
    async fn api_key_owner(&self, hash: &SecretHash) -> StoreResult<Option<(User, ApiKeyRecord)>>;
    /// Clears the failure count and lockout of a user.
    async fn clear_lockout(&self, user: UserId) -> StoreResult<()>;
    /// Sets (or with `None` removes) a user's own cap on open sessions.
    async fn set_max_sessions(&self, user: UserId, max: Option<i32>) -> StoreResult<()>;
    /// Users whose lockout lasts past `now`, by id.
    async fn locked_out_users(&self, now: DateTime<Utc>) -> StoreResult<Vec<User>>;
    /// A user's sessions created in `[from, to]`, newest first.
    async fn user_sessions_created_between(
        &self,
        user: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<SessionRecord>>;

    /// In one transaction: adds each session's calls to its call count, appends its newest
    /// events and keeps only the newest `keep` events of it.
    async fn append_session_calls(&self, batch: &[SessionCalls], keep: u32) -> StoreResult<()>;
    /// The kept events of a session, oldest first.
    async fn session_events(&self, session: &SecretHash) -> StoreResult<Vec<SessionEvent>>;
    /// How many calls were ever recorded in a session.
    async fn session_calls(&self, session: &SecretHash) -> StoreResult<u64>;

    /// The login throttle's step for one client address (GCRA): when its arrival time is at
    /// most `tolerance_ms` ahead of `now`, moves it to `max(it, now) + interval_ms` and
    /// returns `None`; otherwise changes nothing and returns how many milliseconds to wait.
    async fn take_login_attempt(
        &self,
        client: &str,
        now: DateTime<Utc>,
        interval_ms: i64,
        tolerance_ms: i64,
    ) -> StoreResult<Option<i64>>;
    /// Forgets addresses whose arrival time has passed (their allowance is full again).
    async fn forget_login_attempts(&self, now: DateTime<Utc>) -> StoreResult<u64>;

    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    /// Stores `value` under `key` unless a value is there; returns the value that is there
    /// afterwards, so that concurrent first starts agree on one.
    async fn init_setting(&self, key: &str, value: &str) -> StoreResult<String>;
}
