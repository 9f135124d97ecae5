use chrono::{DateTime, Utc};
use edigrid_domain::{Error, MailboxId, NetworkId, ParamProblem, UserId, redact};

use crate::service::{Core, internal};
use crate::sessions::{Caller, Credential};
use crate::store::{SessionEvent, SessionRecord};

/// Largest number of records one SessionLog call returns.
pub const SESSION_LOG_MAX: i32 = 500;

/// One line of a session log. `session_id` is in full only for the caller's own session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionLogEntry {
    pub session_id: String,
    pub user_id: UserId,
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    pub created: DateTime<Utc>,
    /// When the session ended or will end.
    pub expires: DateTime<Utc>,
}

/// How many records a session log request returns: at least 1 is required, more than
/// [`SESSION_LOG_MAX`] are capped. Checked before the caller's session is touched, so a bad
/// request changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLogLimit(u32);

impl SessionLogLimit {
    pub fn parse(max_records: i32) -> Result<Self, Error> {
        if max_records < 1 {
            return Err(Error::invalid(
                "MaxRecords",
                ParamProblem::Value,
                "must be at least 1",
            ));
        }
        Ok(SessionLogLimit(max_records.min(SESSION_LOG_MAX) as u32))
    }
}

/// The interval a session log is limited to, by when sessions began; checked before the
/// caller's session is touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedBetween {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl CreatedBetween {
    /// Both ends are required; the start may not be after the end.
    pub fn new(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Result<Self, Error> {
        let missing = |item: &str| Error::invalid(item, ParamProblem::Value, "is missing");
        let from = from.ok_or_else(|| missing("StartTime"))?;
        let to = to.ok_or_else(|| missing("EndTime"))?;
        if from > to {
            return Err(Error::invalid(
                "StartTime",
                ParamProblem::Value,
                "must not be after EndTime",
            ));
        }
        Ok(CreatedBetween { from, to })
    }
}

/// Whether a logged session is still usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Open,
    /// Ended by a logout, reset, eviction or the like.
    Closed,
    Expired,
}

/// A logged session with the calls made in it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionActivity {
    /// In full only for the caller's current session.
    pub session_id: String,
    /// As stored; for the caller's current session, with this call's activity applied.
    pub record: SessionRecord,
    pub state: SessionState,
    /// When it ended or expired; `None` while open.
    pub finished: Option<DateTime<Utc>>,
    /// The newest calls made in it, oldest first.
    pub events: Vec<SessionEvent>,
}

impl Core {
    /// Whose log a caller asks for: `0` and their own id are themselves, anyone else needs
    /// authority (section 6).
    async fn log_target(&self, caller: &Caller, user: UserId) -> Result<UserId, Error> {
        if user.0 == 0 || user == caller.user_id {
            return Ok(caller.user_id);
        }
        self.caller_and_target(caller, user).await?;
        Ok(user)
    }

    /// The SessionID a log may show for a record: the caller's own current one in full,
    /// any other redacted.
    fn logged_session_id(caller: &Caller, record: &SessionRecord) -> String {
        let current = caller
            .session
            .as_ref()
            .is_some_and(|c| c.hash == record.hash);
        match &caller.credential {
            Credential::SessionId(id) if current => id.to_string(),
            _ => redact(&record.prefix),
        }
    }

    /// Sessions of `user` (0: the caller), newest first, open ones included.
    pub async fn session_log(
        &self,
        caller: &Caller,
        user: UserId,
        limit: SessionLogLimit,
    ) -> Result<Vec<SessionLogEntry>, Error> {
        let this = &self.inner;
        let limit = limit.0;
        let target = self.log_target(caller, user).await?;
        let records = this
            .store
            .user_sessions(target, limit)
            .await
            .map_err(internal)?;
        let current = caller.session.as_ref();
        Ok(records
            .into_iter()
            .map(|r| SessionLogEntry {
                session_id: Self::logged_session_id(caller, &r),
                user_id: r.user_id,
                network_id: r.network_id,
                mailbox_id: r.mailbox_id,
                created: r.created,
                expires: match current {
                    Some(c) if c.hash == r.hash => c.expires,
                    _ => r.end_or_expiry(),
                },
            })
            .collect())
    }
}

impl Core {
    /// Sessions of `user` (0: the caller) with their calls, newest first; with `created`,
    /// only those that began in that closed interval.
    pub async fn session_activity_log(
        &self,
        caller: &Caller,
        user: UserId,
        created: Option<CreatedBetween>,
        limit: SessionLogLimit,
    ) -> Result<Vec<SessionActivity>, Error> {
        let target = self.log_target(caller, user).await?;
        let store = &self.inner.store;
        let records = match created {
            Some(c) => store.user_sessions_created_between(target, c.from, c.to, limit.0),
            None => store.user_sessions(target, limit.0),
        }
        .await
        .map_err(internal)?;
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            out.push(self.activity_of(caller, record).await?);
        }
        Ok(out)
    }

    /// The caller's current session with its calls. An API key has no session.
    pub async fn current_session_activity(
        &self,
        caller: &Caller,
    ) -> Result<SessionActivity, Error> {
        let record = caller
            .session
            .clone()
            .ok_or_else(|| Error::not_found("SessionID"))?;
        self.activity_of(caller, record).await
    }

    async fn activity_of(
        &self,
        caller: &Caller,
        mut record: SessionRecord,
    ) -> Result<SessionActivity, Error> {
        if let Some(current) = caller.session.as_ref().filter(|c| c.hash == record.hash) {
            record.expires = current.expires;
        }
        let now = self.inner.clock.now();
        let (state, finished) = match record.ended {
            Some(ended) if ended < record.expires => (SessionState::Closed, Some(ended)),
            _ if now >= record.expires => (SessionState::Expired, Some(record.expires)),
            _ => (SessionState::Open, None),
        };
        Ok(SessionActivity {
            session_id: Self::logged_session_id(caller, &record),
            events: self.session_events(&record.hash).await?,
            record,
            state,
            finished,
        })
    }
}
