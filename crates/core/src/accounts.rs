//! What a signed-in caller does to accounts: API keys, resets, their own password. Also the
//! secret that signs REST bearer tokens, shared by every node through the store.

use edigrid_domain::{
    AuthLevel, Error, MailboxId, NetworkId, ParamProblem, SecretHash, UserId,
    check_password_policy, to_hex,
};

use crate::permissions::may_view_user;
use crate::service::{Core, internal};
use crate::sessions::Caller;
use crate::store::{ApiKeyRecord, EndReason, LoginFailureOutcome, User};

const SIGNING_SECRET_KEY: &str = "bearer_token_signing_secret";

/// The largest per-user cap on open sessions an administrator may set.
pub const MAX_SESSIONS_LIMIT: i32 = 1000;

/// A per-user cap on open sessions, 1 to [`MAX_SESSIONS_LIMIT`]; checked when made, before
/// the caller's session is touched, so a bad request changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCap(i32);

impl SessionCap {
    pub fn new(max_sessions: i32) -> Result<Self, Error> {
        if (1..=MAX_SESSIONS_LIMIT).contains(&max_sessions) {
            return Ok(SessionCap(max_sessions));
        }
        Err(Error::invalid(
            "MaxSessions",
            ParamProblem::Value,
            format!("must be between 1 and {MAX_SESSIONS_LIMIT}"),
        ))
    }
}

/// A locked-out user and how many sessions they still hold.
#[derive(Debug, Clone)]
pub struct LockedOutUser {
    pub user: User,
    pub open_sessions: u64,
}

impl Core {
    /// The caller's own user record. A caller is only built from a stored user, so its
    /// absence is an internal error, not a client's.
    pub(crate) async fn caller_user(&self, caller: &Caller) -> Result<User, Error> {
        self.inner
            .store
            .user(caller.user_id)
            .await
            .map_err(internal)?
            .ok_or(Error::Internal)
    }

    /// The caller's user and the target's; without authority over the target the answer is
    /// `Authorization` whether or not it exists (operators are told it does not).
    pub(crate) async fn caller_and_target(
        &self,
        caller: &Caller,
        target: UserId,
    ) -> Result<(User, User), Error> {
        let store = &self.inner.store;
        let me = self.caller_user(caller).await?;
        if target == me.id {
            return Ok((me.clone(), me));
        }
        let denied = || Error::AccessDenied(format!("no authority over user {target}"));
        match store.user(target).await.map_err(internal)? {
            Some(other) if may_view_user(&me, &other) => Ok((me, other)),
            Some(_) => Err(denied()),
            None if crate::permissions::sees_all_users(&me) => Err(Error::not_found("UserID")),
            None => Err(denied()),
        }
    }

    /// Keys are one's own, or those of users under a `NetworkAdmin` or stronger caller.
    async fn key_target(&self, caller: &Caller, target: UserId) -> Result<User, Error> {
        let (me, user) = self.caller_and_target(caller, target).await?;
        if me.id != user.id && !me.auth_level.at_least(AuthLevel::NetworkAdmin) {
            return Err(Error::AccessDenied(format!(
                "only NetworkAdmin and above manage another user's API key (user {target})"
            )));
        }
        Ok(user)
    }

    /// Creates a new API key for `target`, replacing the previous one at once. The key is
    /// returned once; only its hash is kept.
    pub async fn generate_api_key(&self, caller: &Caller, target: UserId) -> Result<String, Error> {
        let user = self.key_target(caller, target).await?;
        self.issue_api_key(user.id).await
    }

    /// A new API key for a user, without a caller (the CLI).
    pub async fn issue_api_key(&self, user: UserId) -> Result<String, Error> {
        let bytes: [u8; 32] = rand::random();
        let key = to_hex(&bytes);
        let record = ApiKeyRecord {
            hash: SecretHash::of(key.as_bytes()),
            prefix: key[..8].to_string(),
            created: self.inner.clock.now(),
        };
        self.inner
            .store
            .set_api_key(user, &record)
            .await
            .map_err(internal)?;
        tracing::info!(user = %user, key = %record.prefix, "API key issued");
        Ok(key)
    }

    /// The target's active API key as far as it can be told: its first 8 characters. The
    /// key itself is not kept, so it cannot be shown again.
    pub async fn api_key_prefix(&self, caller: &Caller, target: UserId) -> Result<String, Error> {
        let user = self.key_target(caller, target).await?;
        let record = self
            .inner
            .store
            .api_key_of(user.id)
            .await
            .map_err(internal)?
            .ok_or_else(|| Error::not_found("APIKey"))?;
        Ok(record.prefix)
    }

    /// Ends every session of `target` and clears their lockout (section 6 authority).
    pub async fn reset_user(&self, caller: &Caller, target: UserId) -> Result<u64, Error> {
        let (_, user) = self.caller_and_target(caller, target).await?;
        let this = &self.inner;
        let ended = this
            .store
            .end_user_sessions(user.id, None, EndReason::Reset, this.clock.now())
            .await
            .map_err(internal)?;
        this.store.clear_lockout(user.id).await.map_err(internal)?;
        self.user_sessions_ended(user.id, ended).await;
        tracing::info!(user = %user.id, ended, "user reset");
        Ok(ended)
    }

    /// Sets the target's own cap on open sessions; logins past it follow the server's
    /// over-cap policy. Needs `MailboxAdmin` or stronger and authority over the target.
    pub async fn set_max_sessions(
        &self,
        caller: &Caller,
        target: UserId,
        cap: SessionCap,
    ) -> Result<(), Error> {
        let max_sessions = cap.0;
        let (me, user) = self.caller_and_target(caller, target).await?;
        if !me.auth_level.at_least(AuthLevel::MailboxAdmin) {
            return Err(Error::AccessDenied(
                "only MailboxAdmin and above set session caps".into(),
            ));
        }
        self.inner
            .store
            .set_max_sessions(user.id, Some(max_sessions))
            .await
            .map_err(internal)?;
        tracing::info!(user = %user.id, max_sessions, by = %me.id, "session cap set");
        Ok(())
    }

    /// Users locked out now whom the caller has authority over, optionally only those of
    /// one network and/or mailbox (0: any).
    pub async fn locked_out_users(
        &self,
        caller: &Caller,
        network: NetworkId,
        mailbox: MailboxId,
    ) -> Result<Vec<LockedOutUser>, Error> {
        let this = &self.inner;
        let me = self.caller_user(caller).await?;
        let now = this.clock.now();
        let users = this.store.locked_out_users(now).await.map_err(internal)?;
        let mut out = Vec::new();
        for user in users {
            if !may_view_user(&me, &user)
                || (network.0 != 0 && user.network_id != network)
                || (mailbox.0 != 0 && user.mailbox_id != mailbox)
            {
                continue;
            }
            let open_sessions = this
                .store
                .count_open_sessions(user.id, now)
                .await
                .map_err(internal)?;
            out.push(LockedOutUser {
                user,
                open_sessions,
            });
        }
        Ok(out)
    }

    /// Changes the caller's own password after checking the current one. The caller's
    /// session stays open; every other session of theirs ends. A wrong current password
    /// counts as a failed login.
    pub async fn change_own_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
    ) -> Result<u64, Error> {
        let this = &self.inner;
        check_password_policy(new, "newPassword")?;
        let user = self.caller_user(caller).await?;
        if !this.hasher.verify(current, &user.password_hash).await? {
            let outcome = this
                .store
                .record_login_failure(
                    user.id,
                    this.logins.lockout_threshold,
                    this.clock.now() + this.logins.lockout_duration,
                )
                .await
                .map_err(internal)?;
            tracing::info!(user = %user.id, locked = outcome == LoginFailureOutcome::Locked, "password change refused");
            return Err(Error::invalid(
                "currentPassword",
                ParamProblem::Value,
                "the current password is wrong",
            ));
        }
        let keep = caller.session.as_ref().map(|s| s.hash);
        self.set_password(user.id, new, keep.as_ref()).await
    }

    /// The secret that signs bearer tokens: generated on first use and kept in the store so
    /// that every node signs and checks with the same one.
    pub async fn bearer_signing_secret(&self) -> Result<Vec<u8>, Error> {
        let fresh: [u8; 32] = rand::random();
        let fresh = to_hex(&fresh);
        let stored = self
            .inner
            .store
            .init_setting(SIGNING_SECRET_KEY, &fresh)
            .await
            .map_err(internal)?;
        Ok(stored.into_bytes())
    }
}
