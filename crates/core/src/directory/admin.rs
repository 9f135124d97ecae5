//! Administration of networks, mailboxes, users and their sessions (used by the CLI, the
//! demo seed, and later by the user-management operations).

use edigrid_domain::{
    AuthLevel, Error, MailboxId, NetworkId, ParamProblem, SecretHash, SessionId, UserId,
    UserStatus, check_password_policy, login_key, parse_required_text,
};

use crate::service::{Core, internal};
use crate::store::{EndReason, Mailbox, Network, NewUser, Person, SessionRecord, StoreError, User};

pub struct NewUserRequest {
    pub login: String,
    pub password: String,
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    pub auth_level: AuthLevel,
    pub person: Person,
}

/// Which sessions an administrator ends.
pub enum SessionRevocation {
    /// A full SessionID, or its first group as shown in logs and listings.
    Session(String),
    /// Every open session of a login name.
    User(String),
}

impl Core {
    pub async fn add_network(&self, id: NetworkId, name: &str) -> Result<(), Error> {
        check_id(id.0, "NetworkID")?;
        let name = parse_required_text(name, "Name")?;
        let network = Network::new(id, name, self.inner.clock.now());
        self.inner
            .store
            .insert_network(&network)
            .await
            .map(|_| ())
            .map_err(|e| conflict_or_internal(e, "NetworkID", "a network with this number exists"))
    }

    pub async fn add_mailbox(
        &self,
        network_id: NetworkId,
        id: MailboxId,
        name: &str,
    ) -> Result<(), Error> {
        check_id(id.0, "MailboxID")?;
        let name = parse_required_text(name, "Name")?;
        let store = &self.inner.store;
        if store.network(network_id).await.map_err(internal)?.is_none() {
            return Err(Error::not_found("NetworkID"));
        }
        let mailbox = Mailbox::new(id, network_id, name, self.inner.clock.now());
        store
            .insert_mailbox(&mailbox)
            .await
            .map(|_| ())
            .map_err(|e| conflict_or_internal(e, "MailboxID", "a mailbox with this number exists"))
    }

    pub async fn add_user(&self, request: NewUserRequest) -> Result<UserId, Error> {
        let this = &self.inner;
        let login = parse_required_text(&request.login, "Login")?;
        check_password_policy(&request.password, "Password")?;
        if request.auth_level == AuthLevel::NoChange {
            return Err(Error::invalid(
                "AuthLevel",
                ParamProblem::Value,
                "NoChange is not a level a user can have",
            ));
        }
        let mailbox = this
            .store
            .mailbox(request.mailbox_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| Error::not_found("MailboxID"))?;
        if mailbox.network_id != request.network_id {
            return Err(Error::invalid(
                "MailboxID",
                ParamProblem::Value,
                format!(
                    "mailbox {} is not in network {}",
                    mailbox.id, request.network_id
                ),
            ));
        }
        let password_hash = this.hasher.hash(&request.password).await?;
        let user = NewUser {
            login,
            password_hash,
            network_id: request.network_id,
            mailbox_id: request.mailbox_id,
            auth_level: request.auth_level,
            status: UserStatus::Active,
            person: request.person,
            recovery_answer_hash: None,
            created: this.clock.now(),
        };
        this.store
            .insert_user(&user)
            .await
            .map_err(|e| conflict_or_internal(e, "Login", "this login name is taken"))
    }

    pub async fn users(&self) -> Result<Vec<User>, Error> {
        self.inner.store.users().await.map_err(internal)
    }

    pub async fn user_by_login(&self, login: &str) -> Result<User, Error> {
        self.inner
            .store
            .user_by_login(&login_key(login))
            .await
            .map_err(internal)?
            .ok_or_else(|| Error::not_found("Login"))
    }

    /// Sets a new password and ends the user's sessions except `keep` (the session that
    /// made the change, if any). Returns how many sessions it ended.
    pub async fn set_password(
        &self,
        user: UserId,
        new_password: &str,
        keep: Option<&SecretHash>,
    ) -> Result<u64, Error> {
        let this = &self.inner;
        check_password_policy(new_password, "NewPassword")?;
        let hash = this.hasher.hash(new_password).await?;
        this.store
            .set_password_hash(user, &hash)
            .await
            .map_err(internal)?;
        let ended = this
            .store
            .end_user_sessions(user, keep, EndReason::PasswordChanged, this.clock.now())
            .await
            .map_err(internal)?;
        self.user_sessions_ended(user, ended).await;
        Ok(ended)
    }

    /// Suspends the user and ends all their sessions at once.
    pub async fn suspend_user(&self, user: UserId) -> Result<u64, Error> {
        let this = &self.inner;
        this.store
            .set_status(user, UserStatus::Suspended)
            .await
            .map_err(internal)?;
        let ended = this
            .store
            .end_user_sessions(user, None, EndReason::Suspended, this.clock.now())
            .await
            .map_err(internal)?;
        self.user_sessions_ended(user, ended).await;
        Ok(ended)
    }

    /// Session records, newest first: one user's, or everyone's.
    pub async fn list_sessions(
        &self,
        user: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<SessionRecord>, Error> {
        let store = &self.inner.store;
        match user {
            Some(user) => store.user_sessions(user, limit).await,
            None => store.all_sessions(limit).await,
        }
        .map_err(internal)
    }

    /// Ends sessions by an administrator's order; returns how many were open and ended.
    pub async fn revoke(&self, which: SessionRevocation) -> Result<u64, Error> {
        let this = &self.inner;
        let now = this.clock.now();
        match which {
            SessionRevocation::User(login) => {
                let user = self.user_by_login(&login).await?;
                let ended = this
                    .store
                    .end_user_sessions(user.id, None, EndReason::Revoked, now)
                    .await
                    .map_err(internal)?;
                self.user_sessions_ended(user.id, ended).await;
                Ok(ended)
            }
            SessionRevocation::Session(text) => {
                let hashes: Vec<SecretHash> = match SessionId::parse(&text) {
                    Ok(id) => vec![id.hash()],
                    Err(_) => {
                        let prefix = text.trim().to_uppercase();
                        if prefix.len() != 8 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
                            return Err(Error::invalid(
                                "SessionID",
                                ParamProblem::Value,
                                "give a SessionID or its first group of 8 hexadecimal digits",
                            ));
                        }
                        this.store
                            .sessions_with_prefix(&prefix)
                            .await
                            .map_err(internal)?
                            .into_iter()
                            .filter(|s| s.is_open_at(now))
                            .map(|s| s.hash)
                            .collect()
                    }
                };
                let mut ended = 0;
                for hash in hashes {
                    let closed = this
                        .store
                        .end_session(&hash, EndReason::Revoked, now)
                        .await
                        .map_err(internal)?;
                    this.cache.forget(&hash);
                    if closed {
                        ended += 1;
                    }
                }
                if ended > 0 {
                    this.cache.settle().await;
                }
                Ok(ended)
            }
        }
    }
}

fn check_id(id: i32, item: &str) -> Result<(), Error> {
    if id <= 0 {
        return Err(Error::invalid(
            item,
            ParamProblem::Value,
            "must be a positive number",
        ));
    }
    Ok(())
}

fn conflict_or_internal(e: StoreError, item: &str, what: &str) -> Error {
    match e {
        StoreError::Conflict(_) => Error::invalid(item, ParamProblem::Value, what),
        StoreError::Missing(m) => {
            tracing::warn!(missing = %m, "referenced row vanished");
            Error::not_found(item)
        }
        other => internal(other),
    }
}
