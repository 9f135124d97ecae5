use chrono::Duration;
use serde::{Deserialize, Serialize};

/// What a login does when the user already has the maximum number of open sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum OverCapPolicy {
    /// End the user's least recently used session to make room.
    #[default]
    EvictOldest,
    /// Refuse the login.
    Reject,
}

/// Session lifetime and limits.
#[derive(Debug, Clone)]
pub struct SessionPolicy {
    /// Idle timeout unless the user has their own.
    pub idle_timeout: Duration,
    /// Longest a session can live, however active.
    pub absolute_lifetime: Duration,
    /// The stored expiry is only rewritten when it would move by more than this.
    pub extend_granularity: Duration,
    /// Open sessions a user may hold unless the user has their own cap.
    pub max_sessions_per_user: u32,
    pub over_cap: OverCapPolicy,
    /// Reject a session used from another client address than the one that logged in.
    pub bind_client_address: bool,
    /// How long ended and expired sessions are kept for the session log.
    pub retention: Duration,
    /// Record each call made in a session (operation, time, duration, address, outcome).
    pub record_calls: bool,
    /// How long a node may answer from its copy of an open session before reading it again;
    /// changes that close sessions wait this long before they are acknowledged. Zero reads
    /// the store on every call.
    pub cache_lease: std::time::Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_timeout: Duration::minutes(60),
            absolute_lifetime: Duration::hours(8),
            extend_granularity: Duration::seconds(60),
            max_sessions_per_user: 10,
            over_cap: OverCapPolicy::EvictOldest,
            bind_client_address: true,
            retention: Duration::days(90),
            record_calls: true,
            cache_lease: std::time::Duration::from_millis(100),
        }
    }
}

/// Brute-force protection of logins.
#[derive(Debug, Clone)]
pub struct LoginPolicy {
    /// Consecutive failures that lock an account.
    pub lockout_threshold: u32,
    pub lockout_duration: Duration,
    /// Login attempts per minute per client address; 0 turns the throttle off.
    pub throttle_per_minute: u32,
    pub throttle_burst: u32,
    /// Password hashes verified at once; the rest wait, so logins cannot starve other work.
    pub max_concurrent_hashes: usize,
    /// The `nice` value (0–19) of the threads that hash passwords: when the CPU is short,
    /// session calls go first and logins slow down; when it is not, logins run at full speed.
    pub hash_thread_nice: i32,
    /// Hash in Linux's idle scheduling class: logins get only CPU time nothing else wants
    /// and give way at once to session calls. On a node kept busy by other work, logins
    /// wait (bounded by the request timeout).
    pub hash_thread_idle: bool,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            lockout_threshold: 5,
            lockout_duration: Duration::minutes(15),
            throttle_per_minute: 120,
            throttle_burst: 60,
            // Half the cores at most: a flood of logins leaves the rest to session calls.
            max_concurrent_hashes: std::thread::available_parallelism()
                .map(|n| (n.get() / 2).max(1))
                .unwrap_or(1),
            hash_thread_nice: 10,
            hash_thread_idle: true,
        }
    }
}

/// Parcel sizes and how long things are kept (SPEC-VAN 16, 18).
#[derive(Debug, Clone)]
pub struct ParcelPolicy {
    /// Largest upload, decoded, in bytes (every upload form).
    pub max_parcel_bytes: usize,
    /// How long a confirmed parcel's content is kept; the record stays.
    pub retention: Duration,
    /// An interchange whose sender, receiver and control number match one delivered within
    /// this long is flagged duplicate.
    pub duplicate_window: Duration,
    /// Callback URLs may name private, loopback and link-local addresses (SPEC-VAN 20).
    pub callback_allow_private: bool,
    /// Which routes need a completed interconnect (SPEC-VAN 20).
    pub require_interconnect: RequireInterconnect,
}

/// Which routes need a completed interconnect between sender and receiver ID. IDs
/// registered for another VAN (`TPAddVAN`) always do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RequireInterconnect {
    /// Between IDs of different networks.
    #[default]
    CrossNetwork,
    /// Never (VAN IDs excepted).
    Never,
    /// Between any two IDs.
    Always,
}

impl Default for ParcelPolicy {
    fn default() -> Self {
        ParcelPolicy {
            max_parcel_bytes: 100 * 1024 * 1024,
            retention: Duration::days(90),
            duplicate_window: Duration::days(30),
            callback_allow_private: false,
            require_interconnect: RequireInterconnect::CrossNetwork,
        }
    }
}
