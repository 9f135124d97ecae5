//! Configuration: defaults, then a TOML file, then `EDIGRID_*` environment variables, then
//! command-line flags, each overriding the one before.

use std::net::SocketAddr;
use std::path::Path;

use chrono::Duration;
use edigrid_core::{LoginPolicy, OverCapPolicy, ParcelPolicy, RequireInterconnect, SessionPolicy};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `sqlite://PATH`.
    pub database: String,
    /// Base URL clients reach this server at, written into the WSDL; else taken from `Host`.
    pub public_url: Option<String>,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-*` headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Largest request body accepted, uploads excepted.
    pub max_body_bytes: usize,
    /// Largest parcel an upload may carry, decoded (SPEC-VAN 18). The body limit of the
    /// upload operations follows from it (see [`Settings::upload_body_bytes`]).
    pub max_parcel_bytes: usize,
    /// Memory all uploads under way together may hold. An upload counts
    /// [`Settings::UPLOAD_MEMORY_PER_BODY_BYTE`] times its request body, what it holds at
    /// its peak while it is decoded and stored; one that counts more than the whole budget
    /// takes all of it and runs alone. An upload that would pass it waits up to
    /// `upload_wait_ms`, then gets `503` with `Retry-After`.
    pub upload_memory_bytes: usize,
    /// How long an upload waits for room in `upload_memory_bytes` before it is refused.
    pub upload_wait_ms: u64,
    /// Days a confirmed parcel's content is kept before housekeeping removes it (the record
    /// stays).
    pub parcel_retention_days: i64,
    /// Which routes need a completed interconnect (SPEC-VAN 20): `cross-network` (the
    /// default: between IDs of different networks), `never` or `always`. IDs registered
    /// for another VAN always need one.
    pub require_interconnect: RequireInterconnect,
    /// Time a client has to send a request's headers (and a new connection its first
    /// request, and TLS its handshake); idle kept-alive connections close after it too.
    pub header_read_timeout_secs: u64,
    /// Time a request may take from its headers to the response, body upload included;
    /// past it the answer is `408`.
    pub request_timeout_secs: u64,
    pub idle_timeout_secs: i64,
    pub absolute_lifetime_secs: i64,
    pub extend_granularity_secs: i64,
    pub max_sessions_per_user: u32,
    pub over_cap: OverCapPolicy,
    pub bind_client_address: bool,
    pub retention_days: i64,
    pub housekeeping_interval_secs: u64,
    /// Record each call made in a session (the deployed dialect's `SessionLogInfo.Events`).
    pub record_session_calls: bool,
    /// How often recorded calls are written to the database, in milliseconds.
    pub call_flush_interval_ms: u64,
    /// How often simulated partners look for parcels to answer, in milliseconds
    /// (SPEC-VAN 21); 0 turns the answering off on this node.
    pub sandbox_interval_ms: u64,
    /// How long a node answers from its copy of a busy session, in milliseconds; logouts and
    /// other changes that end sessions wait this long, so every node sees them once they
    /// return. 0 reads the database on every call.
    pub session_cache_ms: u64,
    pub lockout_threshold: u32,
    pub lockout_secs: i64,
    pub login_throttle_per_minute: u32,
    pub login_throttle_burst: u32,
    /// The `nice` value (0–19) of the password hashing threads: under load, session calls
    /// are served first and logins wait.
    pub hash_thread_nice: i32,
    /// Hash passwords in Linux's idle scheduling class (`SCHED_IDLE`): logins use only CPU
    /// time nothing else wants. `false` leaves only `hash_thread_nice`.
    pub hash_thread_idle: bool,
    /// PEM certificate chain and private key: with both, edigrid serves HTTPS (rustls).
    pub tls_cert: Option<std::path::PathBuf>,
    pub tls_key: Option<std::path::PathBuf>,
    /// Secret that signs REST bearer tokens (every node must have the same). When unset, one
    /// is generated on first start and kept in the database.
    pub jwt_secret: Option<String>,
    /// `tracing` filter, e.g. `info` or `edigrid=debug`; `RUST_LOG` wins when set.
    pub log: String,
    /// Callbacks (SPEC-VAN 20): URLs may name private, loopback and link-local addresses.
    pub callback_allow_private: bool,
    /// Callback deliveries sent at once by this node.
    pub callback_concurrency: u32,
    /// Longest wait for a receiver's answer, per attempt.
    pub callback_timeout_ms: u64,
    /// Delay before the first retry; each later one doubles, up to `callback_retry_max_ms`.
    pub callback_retry_base_ms: u64,
    pub callback_retry_max_ms: u64,
    /// How long a claimed delivery is a node's before another may send it.
    pub callback_lease_secs: u64,
    /// How often the queue is read when it was found empty.
    pub callback_poll_ms: u64,
    /// Most bytes of a receiver's answer read (the rest is dropped).
    pub callback_max_response_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        let session = SessionPolicy::default();
        let login = LoginPolicy::default();
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: "sqlite://edigrid.db".into(),
            public_url: None,
            trusted_proxies: Vec::new(),
            max_body_bytes: 1024 * 1024,
            max_parcel_bytes: 100 * 1024 * 1024,
            upload_memory_bytes: 256 * 1024 * 1024,
            upload_wait_ms: 2000,
            parcel_retention_days: 90,
            require_interconnect: RequireInterconnect::CrossNetwork,
            header_read_timeout_secs: 10,
            request_timeout_secs: 30,
            idle_timeout_secs: session.idle_timeout.num_seconds(),
            absolute_lifetime_secs: session.absolute_lifetime.num_seconds(),
            extend_granularity_secs: session.extend_granularity.num_seconds(),
            max_sessions_per_user: session.max_sessions_per_user,
            over_cap: session.over_cap,
            bind_client_address: session.bind_client_address,
            retention_days: session.retention.num_days(),
            housekeeping_interval_secs: 600,
            record_session_calls: session.record_calls,
            call_flush_interval_ms: 1000,
            sandbox_interval_ms: 200,
            session_cache_ms: u64::try_from(session.cache_lease.as_millis()).unwrap_or(u64::MAX),
            lockout_threshold: login.lockout_threshold,
            lockout_secs: login.lockout_duration.num_seconds(),
            login_throttle_per_minute: login.throttle_per_minute,
            login_throttle_burst: login.throttle_burst,
            hash_thread_nice: login.hash_thread_nice,
            hash_thread_idle: login.hash_thread_idle,
            tls_cert: None,
            tls_key: None,
            jwt_secret: None,
            log: "info".into(),
            callback_allow_private: false,
            // Sends are async tasks waiting on the network: 256 at once keep up with one node's
            // uploads even when receivers take 200 ms (1,280 deliveries per second).
            callback_concurrency: 256,
            callback_timeout_ms: 10_000,
            callback_retry_base_ms: 5_000,
            callback_retry_max_ms: 3_600_000,
            callback_lease_secs: 60,
            callback_poll_ms: 250,
            callback_max_response_bytes: 64 * 1024,
        }
    }
}

/// Values given on the command line; `None` leaves the lower layers' value.
#[derive(Debug, Default, Serialize)]
pub struct FlagOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<std::path::PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<std::path::PathBuf>,
}

/// Environment variables read as settings (`EDIGRID_` + the upper-cased field name).
const ENV_PREFIX: &str = "EDIGRID_";
/// `EDIGRID_*` variables that are not settings but are read elsewhere.
const ENV_NOT_SETTINGS: &[&str] = &["CONFIG", "TEST_DATABASE_URL"];

impl Settings {
    pub fn load(config_file: Option<&Path>, flags: FlagOverrides) -> Result<Settings, String> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = config_file {
            if !path.exists() {
                return Err(format!("config file {} does not exist", path.display()));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let known = known_keys();
        for (key, _) in std::env::vars() {
            if let Some(name) = key.strip_prefix(ENV_PREFIX) {
                let lower = name.to_ascii_lowercase();
                if !known.contains(&lower) && !ENV_NOT_SETTINGS.contains(&name) {
                    eprintln!("warning: {key} is not an edigrid setting; ignored");
                }
            }
        }
        figment = figment
            .merge(
                Env::prefixed(ENV_PREFIX)
                    .filter(move |k| known.iter().any(|n| n.eq_ignore_ascii_case(k.as_str()))),
            )
            .merge(Serialized::defaults(flags));
        let settings: Settings = figment.extract().map_err(|e| e.to_string())?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), String> {
        let positive = [
            ("idle_timeout_secs", self.idle_timeout_secs),
            ("absolute_lifetime_secs", self.absolute_lifetime_secs),
            ("retention_days", self.retention_days),
            ("parcel_retention_days", self.parcel_retention_days),
            ("lockout_secs", self.lockout_secs),
            (
                "max_sessions_per_user",
                i64::from(self.max_sessions_per_user),
            ),
            ("lockout_threshold", i64::from(self.lockout_threshold)),
            (
                "header_read_timeout_secs",
                i64::try_from(self.header_read_timeout_secs).unwrap_or(i64::MAX),
            ),
            (
                "request_timeout_secs",
                i64::try_from(self.request_timeout_secs).unwrap_or(i64::MAX),
            ),
        ];
        for (name, value) in positive {
            if value <= 0 {
                return Err(format!("{name} must be positive"));
            }
        }
        if !(0..=19).contains(&self.hash_thread_nice) {
            return Err("hash_thread_nice must be between 0 and 19".into());
        }
        if self.session_cache_ms > 10_000 {
            return Err(
                "session_cache_ms must be at most 10000 (every logout waits that long)".into(),
            );
        }
        if self.extend_granularity_secs < 0 {
            return Err("extend_granularity_secs must not be negative".into());
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err("tls_cert and tls_key go together: give both or neither".into());
        }
        if self.jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return Err("jwt_secret must have at least 32 characters".into());
        }
        if self.max_body_bytes < 1024 {
            return Err("max_body_bytes must be at least 1024".into());
        }
        if self.callback_concurrency == 0 || self.callback_timeout_ms == 0 {
            return Err("callback_concurrency and callback_timeout_ms must be positive".into());
        }
        if self.callback_lease_secs.saturating_mul(1000) <= self.callback_timeout_ms {
            return Err(
                "callback_lease_secs must outlast callback_timeout_ms, or a slow send would \
                 be sent twice"
                    .into(),
            );
        }
        if self.max_parcel_bytes == 0 {
            return Err("max_parcel_bytes must be positive".into());
        }
        if self.upload_wait_ms > 60_000 {
            return Err("upload_wait_ms must be at most 60000".into());
        }
        let upload_body = self.upload_body_bytes();
        if self.upload_memory_bytes < upload_body {
            return Err(format!(
                "upload_memory_bytes must be at least {upload_body}, the body of one upload of \
                 max_parcel_bytes, or such an upload could never be accepted"
            ));
        }
        Ok(())
    }

    /// Bytes of `upload_memory_bytes` an upload counts per byte of its request body (see
    /// `upload_budget`).
    pub const UPLOAD_MEMORY_PER_BODY_BYTE: usize = crate::upload_budget::HELD_PER_BODY_BYTE;

    /// The body limit of the upload operations: a parcel of `max_parcel_bytes` in base64
    /// (4 characters for 3 bytes) with a line break every 76 characters, as MIME encoders
    /// write it, plus what any other request may carry, for the envelope, the other
    /// parameters and multipart's form fields.
    pub fn upload_body_bytes(&self) -> usize {
        let base64 = self.max_parcel_bytes.div_ceil(3).saturating_mul(4);
        let line_breaks = base64.div_ceil(76).saturating_mul(2);
        base64
            .saturating_add(line_breaks)
            .saturating_add(self.max_body_bytes)
    }

    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy {
            idle_timeout: Duration::seconds(self.idle_timeout_secs),
            absolute_lifetime: Duration::seconds(self.absolute_lifetime_secs),
            extend_granularity: Duration::seconds(self.extend_granularity_secs),
            max_sessions_per_user: self.max_sessions_per_user,
            over_cap: self.over_cap,
            bind_client_address: self.bind_client_address,
            retention: Duration::days(self.retention_days),
            record_calls: self.record_session_calls,
            cache_lease: std::time::Duration::from_millis(self.session_cache_ms),
        }
    }

    pub fn parcel_policy(&self) -> ParcelPolicy {
        ParcelPolicy {
            callback_allow_private: self.callback_allow_private,
            max_parcel_bytes: self.max_parcel_bytes,
            retention: Duration::days(self.parcel_retention_days),
            require_interconnect: self.require_interconnect,
            ..ParcelPolicy::default()
        }
    }

    pub fn login_policy(&self) -> LoginPolicy {
        LoginPolicy {
            lockout_threshold: self.lockout_threshold,
            lockout_duration: Duration::seconds(self.lockout_secs),
            throttle_per_minute: self.login_throttle_per_minute,
            throttle_burst: self.login_throttle_burst,
            hash_thread_nice: self.hash_thread_nice,
            hash_thread_idle: self.hash_thread_idle,
            ..LoginPolicy::default()
        }
    }
}

fn known_keys() -> Vec<String> {
    let mut keys: Vec<String> = Figment::from(Serialized::defaults(Settings::default()))
        .extract::<figment::value::Dict>()
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default();
    // Settings that default to `None` are not serialised, so are not in the list above.
    keys.push("public_url".into());
    keys.push("jwt_secret".into());
    keys.push("tls_cert".into());
    keys.push("tls_key".into());
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cache_and_hashing_priority_are_bounded() {
        let defaults = Settings::default();
        assert_eq!(defaults.validate(), Ok(()));
        assert_eq!(defaults.session_cache_ms, 100);
        assert_eq!(defaults.hash_thread_nice, 10);
        assert!(defaults.hash_thread_idle);
        let with = |change: fn(&mut Settings)| {
            let mut s = Settings::default();
            change(&mut s);
            s.validate()
        };
        assert_eq!(
            with(|s| s.session_cache_ms = 0),
            Ok(()),
            "0 turns the cache off"
        );
        assert_eq!(with(|s| s.session_cache_ms = 10_000), Ok(()));
        assert!(
            with(|s| s.session_cache_ms = 10_001)
                .unwrap_err()
                .contains("session_cache_ms")
        );
        for bad in [-1, 20] {
            let s = Settings {
                hash_thread_nice: bad,
                ..Settings::default()
            };
            assert!(
                s.validate().unwrap_err().contains("hash_thread_nice"),
                "{bad}"
            );
        }
        let policy = Settings {
            session_cache_ms: 250,
            hash_thread_nice: 5,
            hash_thread_idle: false,
            ..Settings::default()
        };
        assert_eq!(
            policy.session_policy().cache_lease,
            std::time::Duration::from_millis(250)
        );
        assert_eq!(policy.login_policy().hash_thread_nice, 5);
        assert!(!policy.login_policy().hash_thread_idle);
    }

    #[test]
    fn the_upload_limit_follows_the_parcel_limit_and_fits_the_budget() {
        let defaults = Settings::default();
        assert_eq!(defaults.max_parcel_bytes, 100 << 20);
        assert_eq!(defaults.upload_memory_bytes, 256 << 20);
        assert_eq!(defaults.parcel_retention_days, 90);
        // 100 MiB in base64 is 139,810,136 characters, 3,679,216 line breaks more, and
        // the other requests' limit on top.
        assert_eq!(
            defaults.upload_body_bytes(),
            139_810_136 + 3_679_216 + (1 << 20)
        );
        let small = Settings {
            max_parcel_bytes: 3000,
            max_body_bytes: 1024,
            ..Settings::default()
        };
        assert_eq!(small.upload_body_bytes(), 4000 + 2 * 53 + 1024);
        let refused = |s: Settings, name: &str| {
            let e = s.validate().unwrap_err();
            assert!(e.contains(name), "{e}");
        };
        refused(
            Settings {
                upload_memory_bytes: defaults.upload_body_bytes() - 1,
                ..Settings::default()
            },
            "upload_memory_bytes",
        );
        assert_eq!(
            Settings {
                upload_memory_bytes: defaults.upload_body_bytes(),
                ..Settings::default()
            }
            .validate(),
            Ok(())
        );
        refused(
            Settings {
                max_parcel_bytes: 0,
                ..Settings::default()
            },
            "max_parcel_bytes",
        );
        refused(
            Settings {
                parcel_retention_days: 0,
                ..Settings::default()
            },
            "parcel_retention_days",
        );
        let policy = Settings {
            max_parcel_bytes: 5000,
            parcel_retention_days: 7,
            ..Settings::default()
        }
        .parcel_policy();
        assert_eq!(policy.max_parcel_bytes, 5000);
        assert_eq!(policy.retention, Duration::days(7));
        refused(
            Settings {
                upload_wait_ms: 60_001,
                ..Settings::default()
            },
            "upload_wait_ms",
        );
    }
}
