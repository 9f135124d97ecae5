use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use edigrid_domain::{Error, SessionId, SessionProblem};
use tracing::instrument;

use crate::service::{Core, internal};
use crate::store::{EndReason, SessionRecord, User};

/// A caller whose SessionID was accepted.
#[derive(Debug, Clone)]
pub struct Caller {
    pub session_id: SessionId,
    /// The session as stored after this call's activity was taken into account: its
    /// `expires` is exactly what the store enforces.
    pub session: SessionRecord,
}

/// The answer to WhoAmI: the session's user and how many sessions they hold.
#[derive(Debug, Clone)]
pub struct WhoAmI {
    pub user: User,
    pub open_sessions: u64,
}

impl Core {
    /// Validates a SessionID for a call from `client` and counts the call as activity.
    /// One indexed read; a write only when the expiry moves by more than the granularity.
    #[instrument(skip_all, fields(client = %client))]
    pub async fn authenticate(
        &self,
        raw_session_id: &str,
        client: IpAddr,
    ) -> Result<Caller, Error> {
        let this = &self.inner;
        let session_id = SessionId::parse(raw_session_id)?;
        let hash = session_id.hash();
        let mut session = this
            .store
            .session(&hash)
            .await
            .map_err(internal)?
            .ok_or(Error::Session(SessionProblem::Unknown))?;
        let now = this.clock.now();
        check_usable(&session, now, client, this.sessions.bind_client_address)?;

        let idle = Duration::seconds(session.idle_timeout_secs.into());
        let wanted = (now + idle).min(session.max_expires);
        // A short idle timeout must still be extended: never coalesce over more than a
        // quarter of it.
        let granularity = this.sessions.extend_granularity.min(idle / 4);
        if wanted - session.expires > granularity {
            let extended = this
                .store
                .extend_session(&hash, wanted, now)
                .await
                .map_err(internal)?;
            if !extended {
                return Err(Error::Session(SessionProblem::Ended));
            }
            session.expires = wanted;
            session.last_used = now;
        }
        Ok(Caller {
            session_id,
            session,
        })
    }

    /// Ends the session. `Ok(false)` when it was not open (ended, expired or unknown).
    #[instrument(skip_all, fields(client = %client))]
    pub async fn logout(&self, raw_session_id: &str, client: IpAddr) -> Result<bool, Error> {
        let this = &self.inner;
        let session_id = match SessionId::parse(raw_session_id) {
            Ok(id) => id,
            Err(Error::Session(SessionProblem::Malformed)) => return Ok(false),
            Err(e) => return Err(e),
        };
        let hash = session_id.hash();
        let Some(session) = this.store.session(&hash).await.map_err(internal)? else {
            return Ok(false);
        };
        let now = this.clock.now();
        if !session.is_open_at(now) {
            return Ok(false);
        }
        if this.sessions.bind_client_address && session.client_ip != client.to_string() {
            return Err(Error::Session(SessionProblem::OtherClientAddress));
        }
        let ended = this
            .store
            .end_session(&hash, EndReason::Logout, now)
            .await
            .map_err(internal)?;
        if ended {
            tracing::info!(user = %session.user_id, session = %session.prefix, "logout");
        }
        Ok(ended)
    }

    pub async fn who_am_i(&self, caller: &Caller) -> Result<WhoAmI, Error> {
        let this = &self.inner;
        let user = this
            .store
            .user(caller.session.user_id)
            .await
            .map_err(internal)?
            .ok_or(Error::Internal)?;
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
    if bind_client_address && session.client_ip != client.to_string() {
        return Err(Error::Session(SessionProblem::OtherClientAddress));
    }
    Ok(())
}
