use chrono::{DateTime, Utc};
use edigrid_domain::{Error, MailboxId, NetworkId, ParamProblem, UserId, redact};

use crate::service::{Core, internal};
use crate::sessions::{Caller, Credential};
use crate::store::SessionRecord;

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

impl Core {
    /// Sessions of `user` (0: the caller), newest first, open ones included.
    pub async fn session_log(
        &self,
        caller: &Caller,
        user: UserId,
        limit: SessionLogLimit,
    ) -> Result<Vec<SessionLogEntry>, Error> {
        let this = &self.inner;
        let limit = limit.0;
        let target = if user.0 == 0 || user == caller.user_id {
            caller.user_id
        } else {
            self.caller_and_target(caller, user).await?;
            user
        };
        let records = this
            .store
            .user_sessions(target, limit)
            .await
            .map_err(internal)?;
        let current = caller.session.as_ref();
        let is_current = |r: &SessionRecord| current.is_some_and(|c| c.hash == r.hash);
        Ok(records
            .into_iter()
            .map(|r| SessionLogEntry {
                session_id: match &caller.credential {
                    Credential::SessionId(id) if is_current(&r) => id.to_string(),
                    _ => redact(&r.prefix),
                },
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
