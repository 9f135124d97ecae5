//! Administration without a client: what the CLI and the demo seed do to networks,
//! mailboxes, users and sessions, through the same services as an operator caller.

use edigrid_domain::{
    AuthLevel, Error, MailboxId, NetworkId, ParamProblem, SecretHash, SessionId, UserId,
    UserStatus, check_password_policy, login_key,
};

use super::mailbox::MailboxCreateRequest;
use super::model::{
    Mailbox, MailboxFilter, Network, NetworkFilter, Page, Paged, PartnerFilter, TradingPartner,
    UserFilter,
};
use super::network::NetworkCreateRequest;
use super::user::UserCreateRequest;
use crate::service::{Core, internal};
use crate::sessions::Caller;
use crate::store::{EndReason, Person, SessionRecord, User};

/// A user the operator adds without a recovery question (CLI `user add`, demo seed).
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
    /// Creates a network with the operator's number (CLI `network add`, demo seed).
    pub async fn add_network(&self, id: NetworkId, name: &str) -> Result<(), Error> {
        check_id(id.0, "NetworkID")?;
        let request = NetworkCreateRequest {
            id,
            name: name.to_string(),
            ..NetworkCreateRequest::default()
        };
        self.network_create(&Caller::operator(), request)
            .await
            .map(|_| ())
    }

    /// Creates a mailbox with the operator's number (CLI `mailbox add`, demo seed).
    pub async fn add_mailbox(
        &self,
        network_id: NetworkId,
        id: MailboxId,
        name: &str,
    ) -> Result<(), Error> {
        check_id(id.0, "MailboxID")?;
        let request = MailboxCreateRequest {
            network: network_id,
            id,
            name: name.to_string(),
            ..MailboxCreateRequest::default()
        };
        self.mailbox_create(&Caller::operator(), request)
            .await
            .map(|_| ())
    }

    /// Creates a user without a recovery question (CLI `user add`, demo seed).
    pub async fn add_user(&self, request: NewUserRequest) -> Result<UserId, Error> {
        let request = UserCreateRequest {
            network: request.network_id,
            mailbox: request.mailbox_id,
            login: request.login,
            password: request.password,
            person: request.person,
            recovery_answer: String::new(),
            auth_level: request.auth_level,
        };
        let user = self.user_create(&Caller::operator(), request).await?;
        Ok(user.id)
    }

    /// Every network matching `filter`, as an operator sees them (CLI).
    pub async fn admin_list_networks(
        &self,
        filter: NetworkFilter,
        page: Page,
    ) -> Result<Paged<Network>, Error> {
        self.network_list(&Caller::operator(), filter, page).await
    }

    /// Every mailbox matching `filter`, as an operator sees them (CLI).
    pub async fn admin_list_mailboxes(
        &self,
        filter: MailboxFilter,
        page: Page,
    ) -> Result<Paged<Mailbox>, Error> {
        self.mailbox_list(&Caller::operator(), filter, page).await
    }

    /// Every user matching `filter`, as an operator sees them (CLI).
    pub async fn admin_list_users(
        &self,
        filter: UserFilter,
        page: Page,
    ) -> Result<Paged<User>, Error> {
        self.user_list(&Caller::operator(), filter, page).await
    }

    /// Every trading-partner ID matching `filter`, as an operator sees them (CLI).
    pub async fn admin_list_partners(
        &self,
        filter: PartnerFilter,
        page: Page,
    ) -> Result<Paged<TradingPartner>, Error> {
        self.partner_list(&Caller::operator(), filter, page).await
    }

    /// Every user, by UserID (CLI `user list`).
    pub async fn users(&self) -> Result<Vec<User>, Error> {
        self.inner.store.users().await.map_err(internal)
    }

    /// A user by login name, as an operator finds them (CLI).
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
        self.apply_user_status(user, UserStatus::Suspended).await
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
