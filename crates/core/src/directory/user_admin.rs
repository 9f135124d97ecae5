//! What administrators do to users: level, home, status and passwords. Changes that take a
//! user's right to log in away end all their sessions at once.

use edigrid_domain::{
    AuthLevel, Error, MailboxId, NetworkId, ParamProblem, UserId, UserStatus, check_password_policy,
};

use super::access::{Act, Object, UserPlace};
use super::guard::{not_terminated, require, store_failed};
use super::user::{normalized_answer, recovery_pair};
use crate::service::{Core, internal};
use crate::sessions::Caller;
use crate::store::{EndReason, LoginFailureOutcome, User};

impl Core {
    /// Sets another user's level, at most the caller's own; `NoChange` changes nothing.
    pub async fn user_set_auth_level(
        &self,
        caller: &Caller,
        user: UserId,
        level: AuthLevel,
    ) -> Result<User, Error> {
        let actor = self.actor(caller).await?;
        let target = self.user_for(&actor, user, Act::SetStatus).await?;
        if level == AuthLevel::NoChange {
            return Ok(target);
        }
        not_terminated(target.status, "UserID", &format!("user {user}"))?;
        require(
            &actor,
            Act::Create,
            Object::User(UserPlace {
                level,
                ..UserPlace::of(&target)
            }),
        )?;
        let this = &self.inner;
        this.store
            .set_auth_level(user, level, this.clock.now())
            .await
            .map_err(|e| store_failed(e, "UserID", ("AuthLevel", "the user changed meanwhile")))?;
        self.user_identity_changed(user).await;
        tracing::info!(user = %user, %level, by = %actor.user, "auth level set");
        self.stored_user(user).await
    }

    /// Moves another user to a mailbox (of `network`) the caller administers.
    pub async fn user_set_network_mailbox(
        &self,
        caller: &Caller,
        user: UserId,
        network: NetworkId,
        mailbox: MailboxId,
    ) -> Result<User, Error> {
        let actor = self.actor(caller).await?;
        let target = self.user_for(&actor, user, Act::SetStatus).await?;
        not_terminated(target.status, "UserID", &format!("user {user}"))?;
        let to = self
            .mailbox_as(&actor, mailbox, Act::Create, |m| {
                Object::User(UserPlace {
                    network: m.network_id,
                    mailbox: m.id,
                    ..UserPlace::of(&target)
                })
            })
            .await?;
        if to.network_id != network {
            return Err(Error::invalid(
                "MailboxID",
                ParamProblem::Value,
                format!("mailbox {mailbox} is not in network {network}"),
            ));
        }
        not_terminated(to.status, "MailboxID", &format!("mailbox {mailbox}"))?;
        let this = &self.inner;
        this.store
            .set_user_home(user, network, mailbox, this.clock.now())
            .await
            .map_err(|e| store_failed(e, "MailboxID", ("MailboxID", "the mailbox changed")))?;
        self.user_identity_changed(user).await;
        tracing::info!(user = %user, %network, %mailbox, by = %actor.user, "user moved");
        self.stored_user(user).await
    }

    /// Activates, suspends or terminates another user; suspending and terminating end all
    /// their sessions at once. Terminated is final.
    pub async fn user_set_status(
        &self,
        caller: &Caller,
        user: UserId,
        status: UserStatus,
    ) -> Result<User, Error> {
        let actor = self.actor(caller).await?;
        let target = self.user_for(&actor, user, Act::SetStatus).await?;
        not_terminated(target.status, "UserID", &format!("user {user}"))?;
        let ended = self.apply_user_status(user, status).await?;
        tracing::info!(user = %user, %status, ended, by = %actor.user, "user status set");
        self.stored_user(user).await
    }

    /// Sets a password by an administrator (or the user themselves, without the current
    /// one: the session proves who they are). Ends the user's other sessions; returns how
    /// many.
    pub async fn user_set_password(
        &self,
        caller: &Caller,
        user: UserId,
        new_password: &str,
    ) -> Result<u64, Error> {
        check_password_policy(new_password, "NewPassword")?;
        let actor = self.actor(caller).await?;
        let target = self.user_for(&actor, user, Act::Change).await?;
        not_terminated(target.status, "UserID", &format!("user {user}"))?;
        self.set_password_of(caller, &target, new_password).await
    }

    /// The deployed `UserPassword`: the user's current recovery answer must match unless
    /// the caller administers the user. Sets the password and, when given, a new recovery
    /// question and answer; ends the user's other sessions and returns how many.
    pub async fn user_password_by_recovery(
        &self,
        caller: &Caller,
        user: UserId,
        current_answer: &str,
        new_password: &str,
        new_question: &str,
        new_answer: &str,
    ) -> Result<u64, Error> {
        check_password_policy(new_password, "Password")?;
        let new_recovery = recovery_pair(new_question, new_answer)?;
        let actor = self.actor(caller).await?;
        let target = self.user_for(&actor, user, Act::Change).await?;
        not_terminated(target.status, "UserID", &format!("user {user}"))?;
        if target.id == actor.user {
            self.check_recovery_answer(&target, current_answer).await?;
        }
        let this = &self.inner;
        let answer_hash = match new_recovery {
            Some(answer) => Some(this.hasher.hash(&answer).await?),
            None => None,
        };
        let ended = self.set_password_of(caller, &target, new_password).await?;
        if let Some(hash) = answer_hash {
            this.store
                .set_recovery(user, new_question.trim(), Some(&hash), this.clock.now())
                .await
                .map_err(internal)?;
        }
        Ok(ended)
    }

    async fn check_recovery_answer(&self, user: &User, answer: &str) -> Result<(), Error> {
        let this = &self.inner;
        let Some(hash) = &user.recovery_answer_hash else {
            return Err(Error::invalid(
                "CurrentRecoveryAnswer",
                ParamProblem::Value,
                "no recovery answer is set for this user",
            ));
        };
        if this.hasher.verify(&normalized_answer(answer), hash).await? {
            return Ok(());
        }
        // A guessed answer is a guessed password: it counts towards the lockout.
        let outcome = this
            .store
            .record_login_failure(
                user.id,
                this.logins.lockout_threshold,
                this.clock.now() + this.logins.lockout_duration,
            )
            .await
            .map_err(internal)?;
        tracing::info!(user = %user.id, locked = outcome == LoginFailureOutcome::Locked, "recovery answer refused");
        Err(Error::invalid(
            "CurrentRecoveryAnswer",
            ParamProblem::Value,
            "the recovery answer is wrong",
        ))
    }

    /// Sets the password and ends the user's sessions but the caller's own.
    async fn set_password_of(
        &self,
        caller: &Caller,
        target: &User,
        new_password: &str,
    ) -> Result<u64, Error> {
        let keep = match &caller.session {
            Some(session) if session.user_id == target.id => Some(session.hash),
            _ => None,
        };
        self.set_password(target.id, new_password, keep.as_ref())
            .await
    }

    /// Sets a user's status; when they may no longer log in, ends all their sessions at
    /// once (every node's copies included). Returns how many sessions it ended.
    pub(crate) async fn apply_user_status(
        &self,
        user: UserId,
        status: UserStatus,
    ) -> Result<u64, Error> {
        let this = &self.inner;
        this.store
            .set_status(user, status)
            .await
            .map_err(internal)?;
        if status.may_log_in() {
            return Ok(0);
        }
        let reason = if status == UserStatus::Terminated {
            EndReason::Terminated
        } else {
            EndReason::Suspended
        };
        let ended = this
            .store
            .end_user_sessions(user, None, reason, this.clock.now())
            .await
            .map_err(internal)?;
        self.user_sessions_ended(user, ended).await;
        Ok(ended)
    }
}
