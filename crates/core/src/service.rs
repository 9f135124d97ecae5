use std::sync::Arc;

use edigrid_domain::Error;

use crate::clock::Clock;
use crate::events::SessionEvents;
use crate::passwords::PasswordHasher;
use crate::policy::{LoginPolicy, ParcelPolicy, SessionPolicy};
use crate::session_cache::SessionCache;
use crate::store::{Store, StoreError};
use crate::throttle::LoginThrottle;

/// The services of edigrid, shared by every front end. Cheap to clone.
#[derive(Clone)]
pub struct Core {
    pub(crate) inner: Arc<Inner>,
    /// Sizes and retention of parcels; the default unless [`Core::with_parcel_policy`].
    pub(crate) parcels: Arc<ParcelPolicy>,
}

pub(crate) struct Inner {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub sessions: SessionPolicy,
    pub logins: LoginPolicy,
    pub hasher: PasswordHasher,
    pub throttle: LoginThrottle,
    pub events: SessionEvents,
    pub cache: SessionCache,
}

impl Core {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sessions: SessionPolicy,
        logins: LoginPolicy,
    ) -> Result<Self, Error> {
        let hasher = PasswordHasher::new(
            logins.max_concurrent_hashes,
            logins.hash_thread_nice,
            logins.hash_thread_idle,
        )?;
        let throttle = LoginThrottle::new(logins.throttle_per_minute, logins.throttle_burst);
        let events = SessionEvents::new(sessions.record_calls);
        let cache = SessionCache::new(sessions.cache_lease);
        Ok(Core {
            inner: Arc::new(Inner {
                events,
                cache,
                store,
                clock,
                sessions,
                logins,
                hasher,
                throttle,
            }),
            parcels: Arc::new(ParcelPolicy::default()),
        })
    }

    /// The same services with another parcel policy (sizes, retention, duplicate window).
    pub fn with_parcel_policy(mut self, policy: ParcelPolicy) -> Self {
        self.parcels = Arc::new(policy);
        self
    }

    pub fn parcel_policy(&self) -> &ParcelPolicy {
        &self.parcels
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The service's time now.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    pub fn session_policy(&self) -> &SessionPolicy {
        &self.inner.sessions
    }

    /// Deletes session records past retention and throttle entries that are back to full.
    pub async fn housekeeping(&self) -> Result<u64, Error> {
        let now = self.inner.clock.now();
        self.inner
            .store
            .forget_login_attempts(now)
            .await
            .map_err(internal)?;
        let before = self.inner.clock.now() - self.inner.sessions.retention;
        self.inner
            .store
            .purge_sessions(before)
            .await
            .map_err(internal)
    }
}

/// Logs a store failure and hides it behind the generic internal error.
pub(crate) fn internal(e: StoreError) -> Error {
    tracing::error!(error = %e, "store operation failed");
    Error::Internal
}
