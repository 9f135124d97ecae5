use std::net::IpAddr;

use chrono::{DateTime, Duration, TimeZone, Utc};
use edigrid_domain::{
    Error, MailboxId, NetworkId, SecretHash, SessionId, SessionProblem, UserId, redact,
};
use tracing::instrument;

use crate::service::{Core, internal};
use crate::store::{EndReason, SessionRecord, User};

/// How a caller proved who they are.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A SessionID, known in full (SOAP).
    SessionId(SessionId),
    /// A bearer token naming its session by hash (REST): the SessionID itself is not known.
    BearerToken,
    /// An API key: stateless, no session behind it.
    ApiKey { key: String, created: DateTime<Utc> },
    /// The operator at the console (CLI, fixtures, demo seed): no user and no session, with
    /// Root's authority over the directory. Never built from anything a client sends.
    Operator,
}

/// A caller whose credential was accepted.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: UserId,
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    /// The session as stored after this call's activity was taken into account (its
    /// `expires` is exactly what the store enforces); `None` for an API key.
    pub session: Option<SessionRecord>,
    pub credential: Credential,
}

/// What SessionInfo reports about the caller's session (or API key).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSummary {
    pub session_id: String,
    pub user_id: UserId,
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

/// The expiry reported for API keys, which do not expire.
pub fn api_key_expiry() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Caller {
    /// The operator at the console, for the directory services (SPEC-VAN 22); the session
    /// services refuse it, having no user to act for.
    pub fn operator() -> Self {
        Caller {
            user_id: UserId(0),
            network_id: NetworkId(0),
            mailbox_id: MailboxId(0),
            session: None,
            credential: Credential::Operator,
        }
    }

    fn from_session(session: SessionRecord, credential: Credential) -> Self {
        Caller {
            user_id: session.user_id,
            network_id: session.network_id,
            mailbox_id: session.mailbox_id,
            session: Some(session),
            credential,
        }
    }

    pub fn summary(&self) -> SessionSummary {
        let (session_id, created, expires) = match (&self.credential, &self.session) {
            (Credential::ApiKey { key, created }, _) => (key.clone(), *created, api_key_expiry()),
            (Credential::SessionId(id), Some(s)) => (id.to_string(), s.created, s.expires),
            (_, Some(s)) => (redact(&s.prefix), s.created, s.expires),
            // Session credentials are only built together with their session
            // (`from_session`); were one not, it reports an instant long past, not a made-up now.
            (_, None) => (
                String::new(),
                DateTime::<Utc>::MIN_UTC,
                DateTime::<Utc>::MIN_UTC,
            ),
        };
        SessionSummary {
            session_id,
            user_id: self.user_id,
            network_id: self.network_id,
            mailbox_id: self.mailbox_id,
            created,
            expires,
        }
    }
}

/// A session a logout ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EndedSession {
    pub hash: SecretHash,
    /// From its login to its logout.
    pub lasted: Duration,
}

/// The answer to WhoAmI: the session's user and how many sessions they hold.
#[derive(Debug, Clone)]
pub struct WhoAmI {
    pub user: User,
    pub open_sessions: u64,
}

/// API keys are 64 hexadecimal digits (256 random bits); SessionIDs are 36-character UUIDs.
pub fn looks_like_api_key(raw: &str) -> bool {
    let s = raw.trim();
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Core {
    /// Validates what a caller put in the SessionID slot (a SessionID or an API key) for a
    /// call from `client`, and counts the call as activity. One indexed read; a write only
    /// when the expiry moves by more than the granularity.
    #[instrument(level = "debug", skip_all, fields(client = %client))]
    pub async fn authenticate(
        &self,
        raw_session_id: &str,
        client: IpAddr,
    ) -> Result<Caller, Error> {
        if looks_like_api_key(raw_session_id) {
            return self.authenticate_api_key(raw_session_id).await;
        }
        let session_id = SessionId::parse(raw_session_id)?;
        let session = self.open_session_for(&session_id.hash(), client).await?;
        Ok(Caller::from_session(
            session,
            Credential::SessionId(session_id),
        ))
    }

    /// Validates a bearer token's session and generation. A token of an older generation is
    /// a stolen or replayed one: the whole session is ended.
    #[instrument(level = "debug", skip_all, fields(client = %client))]
    pub async fn authenticate_bearer(
        &self,
        session: &SecretHash,
        generation: i32,
        client: IpAddr,
    ) -> Result<Caller, Error> {
        let record = self.open_session_for(session, client).await?;
        self.check_generation(&record, generation).await?;
        Ok(Caller::from_session(record, Credential::BearerToken))
    }

    /// Rotates a session's token generation for a refresh; a stale generation ends the session.
    #[instrument(skip_all, fields(client = %client))]
    pub async fn refresh_tokens(
        &self,
        session: &SecretHash,
        generation: i32,
        client: IpAddr,
    ) -> Result<SessionRecord, Error> {
        let this = &self.inner;
        let mut record = self.open_session_for(session, client).await?;
        self.check_generation(&record, generation).await?;
        let rotated = this
            .store
            .rotate_token_generation(session, generation, this.clock.now())
            .await
            .map_err(internal)?;
        this.cache.forget(session);
        if !rotated {
            // Another refresh with the same token won the race: the token was used twice.
            self.end_for_reuse(&record).await?;
            return Err(Error::Session(SessionProblem::Ended));
        }
        // The old refresh token must be refused everywhere once the new pair is handed out.
        this.cache.settle().await;
        record.token_generation = generation + 1;
        Ok(record)
    }

    async fn check_generation(&self, record: &SessionRecord, generation: i32) -> Result<(), Error> {
        if generation == record.token_generation {
            return Ok(());
        }
        // The record may be this node's copy: judge reuse on what is stored, never on a copy.
        let stored = self
            .inner
            .store
            .session(&record.hash)
            .await
            .map_err(internal)?;
        if stored.as_ref().map(|s| s.token_generation) == Some(generation) {
            self.inner.cache.forget(&record.hash);
            return Ok(());
        }
        self.end_for_reuse(record).await?;
        Err(Error::Session(SessionProblem::Ended))
    }

    async fn end_for_reuse(&self, record: &SessionRecord) -> Result<(), Error> {
        let this = &self.inner;
        tracing::warn!(user = %record.user_id, session = %record.prefix, "a rotated token was presented again; session ended");
        this.store
            .end_session(&record.hash, EndReason::TokenReuse, this.clock.now())
            .await
            .map_err(internal)?;
        this.cache.forget(&record.hash);
        this.cache.settle().await;
        Ok(())
    }

    async fn authenticate_api_key(&self, raw: &str) -> Result<Caller, Error> {
        let key = raw.trim().to_ascii_lowercase();
        let owner = self
            .inner
            .store
            .api_key_owner(&SecretHash::of(key.as_bytes()))
            .await
            .map_err(internal)?;
        match owner {
            Some((user, record)) if user.status.may_log_in() => Ok(Caller {
                user_id: user.id,
                network_id: user.network_id,
                mailbox_id: user.mailbox_id,
                session: None,
                credential: Credential::ApiKey {
                    key,
                    created: record.created,
                },
            }),
            _ => Err(Error::Session(SessionProblem::UnknownApiKey)),
        }
    }

    /// Loads an open session usable from `client` and records the call as activity: from
    /// this node's copy while its lease lasts, else with one indexed read.
    async fn open_session_for(
        &self,
        hash: &SecretHash,
        client: IpAddr,
    ) -> Result<SessionRecord, Error> {
        let this = &self.inner;
        let now = this.clock.now();
        let copy = this
            .cache
            .get(hash)
            // A copy that looks expired is read again: another node may have extended it.
            .filter(|copy| now < copy.expires);
        let mut session = match copy {
            Some(copy) => copy,
            None => {
                let read_at = std::time::Instant::now();
                let stored = this
                    .store
                    .session(hash)
                    .await
                    .map_err(internal)?
                    .ok_or(Error::Session(SessionProblem::Unknown))?;
                if stored.is_open_at(now) {
                    this.cache.put(&stored, read_at);
                }
                stored
            }
        };
        check_usable(&session, now, client, this.sessions.bind_client_address)?;

        let idle = Duration::seconds(session.idle_timeout_secs.into());
        let wanted = (now + idle).min(session.max_expires);
        // A short idle timeout must still be extended: never coalesce over more than a
        // quarter of it.
        let granularity = this.sessions.extend_granularity.min(idle / 4);
        if wanted - session.expires > granularity {
            let extended = this
                .store
                .extend_session(hash, wanted, now)
                .await
                .map_err(internal)?;
            if !extended {
                this.cache.forget(hash);
                return Err(Error::Session(SessionProblem::Ended));
            }
            session.expires = wanted;
            session.last_used = now;
            this.cache.update(hash, |copy| {
                copy.expires = wanted;
                copy.last_used = now;
            });
        }
        Ok(session)
    }

    /// Ends the session and tells how long it lasted; `Ok(None)` when it was not open
    /// (ended, expired or unknown).
    #[instrument(skip_all, fields(client = %client))]
    pub async fn logout(
        &self,
        raw_session_id: &str,
        client: IpAddr,
    ) -> Result<Option<EndedSession>, Error> {
        let this = &self.inner;
        let session_id = match SessionId::parse(raw_session_id) {
            Ok(id) => id,
            Err(Error::Session(SessionProblem::Malformed)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let hash = session_id.hash();
        let Some(session) = this.store.session(&hash).await.map_err(internal)? else {
            return Ok(None);
        };
        let now = this.clock.now();
        if !session.is_open_at(now) {
            return Ok(None);
        }
        if this.sessions.bind_client_address && !same_address(&session.client_ip, client) {
            return Err(Error::Session(SessionProblem::OtherClientAddress));
        }
        let ended = this
            .store
            .end_session(&hash, EndReason::Logout, now)
            .await
            .map_err(internal)?;
        this.cache.forget(&hash);
        if !ended {
            return Ok(None);
        }
        this.cache.settle().await;
        tracing::info!(user = %session.user_id, session = %session.prefix, "logout");
        Ok(Some(EndedSession {
            hash,
            lasted: (now - session.created).max(Duration::zero()),
        }))
    }

    /// After a change that ended `ended` of a user's sessions has committed: forgets this
    /// node's copies and, if any session ended, waits until other nodes' copies have lapsed.
    pub(crate) async fn user_sessions_ended(&self, user: UserId, ended: u64) {
        self.inner.cache.forget_user(user);
        if ended > 0 {
            self.inner.cache.settle().await;
        }
    }

    /// After a change of a user's level or home has committed: forgets this node's copies of
    /// their sessions (with the identity kept beside them) and waits until every other node's
    /// copies have lapsed, so that once the change is acknowledged no node acts on the old
    /// identity.
    pub(crate) async fn user_identity_changed(&self, user: UserId) {
        self.inner.cache.forget_user(user);
        self.inner.cache.settle().await;
    }

    /// Ends the caller's own session (REST logout); false if it had none open.
    pub async fn end_own_session(&self, caller: &Caller) -> Result<bool, Error> {
        let Some(session) = &caller.session else {
            return Ok(false);
        };
        let this = &self.inner;
        let ended = this
            .store
            .end_session(&session.hash, EndReason::Logout, this.clock.now())
            .await
            .map_err(internal)?;
        this.cache.forget(&session.hash);
        if ended {
            this.cache.settle().await;
        }
        Ok(ended)
    }

    pub async fn who_am_i(&self, caller: &Caller) -> Result<WhoAmI, Error> {
        let this = &self.inner;
        let user = self.caller_user(caller).await?;
        let open_sessions = this
            .store
            .count_open_sessions(user.id, this.clock.now())
            .await
            .map_err(internal)?;
        Ok(WhoAmI {
            user,
            open_sessions,
        })
    }
}

fn check_usable(
    session: &SessionRecord,
    now: DateTime<Utc>,
    client: IpAddr,
    bind_client_address: bool,
) -> Result<(), Error> {
    if session.ended.is_some() {
        return Err(Error::Session(SessionProblem::Ended));
    }
    if now >= session.expires {
        return Err(Error::Session(SessionProblem::Expired));
    }
    if bind_client_address && !same_address(&session.client_ip, client) {
        return Err(Error::Session(SessionProblem::OtherClientAddress));
    }
    Ok(())
}

/// Whether a stored address (written from an `IpAddr` at login) is `client`; read rather
/// than formatting the client on every call.
fn same_address(stored: &str, client: IpAddr) -> bool {
    stored.parse::<IpAddr>().is_ok_and(|ip| ip == client)
}
