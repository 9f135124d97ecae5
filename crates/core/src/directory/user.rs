//! Users of the directory: reading, listing, creating and their profiles (SPEC-VAN 13).
//! Status, level, home and passwords are in `user_admin`.

use edigrid_domain::{
    AuthLevel, CellCarrier, Error, MAX_TEXT_LEN, MailboxId, NetworkId, ParamProblem, UserId,
    UserStatus, check_password_policy, login_key, parse_required_text,
};

use super::access::{Act, Object, Reach, UserPlace, reach};
use super::guard::{
    authorize, change_email, change_text, email, not_terminated, store_failed, text,
};
use super::model::{Page, Paged, UserFilter};
use crate::service::{Core, internal};
use crate::sessions::Caller;
use crate::store::{NewUser, Person, User};

/// A new user (deployed `UserAdd`/`UserAddEx`, documented `UserAdd`, REST `POST /v2/users`).
#[derive(Debug, Clone)]
pub struct UserCreateRequest {
    pub network: NetworkId,
    pub mailbox: MailboxId,
    pub login: String,
    pub password: String,
    /// Names, contact details and the recovery question; `CellCarrier::NoChange` is
    /// stored as `Undefined`.
    pub person: Person,
    /// Empty for none; given together with `person.recovery_question`.
    pub recovery_answer: String,
    pub auth_level: AuthLevel,
}

/// Changes of a user's profile; `None` (and `CellCarrier::NoChange`) leaves a field as it
/// is. The level changes through `user_set_auth_level`.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub cell_phone: Option<String>,
    pub cell_carrier: Option<CellCarrier>,
    /// Minutes from UTC.
    pub time_zone_offset: Option<i16>,
}

impl UserChanges {
    fn apply(&self, p: &mut Person) -> Result<(), Error> {
        change_text(&mut p.first_name, self.first_name.as_deref(), "FirstName")?;
        change_text(&mut p.last_name, self.last_name.as_deref(), "LastName")?;
        change_text(&mut p.company, self.company.as_deref(), "Company")?;
        change_email(&mut p.email, self.email.as_deref(), "EMail")?;
        change_text(&mut p.phone, self.phone.as_deref(), "Phone")?;
        change_text(&mut p.cell_phone, self.cell_phone.as_deref(), "CellPhone")?;
        match self.cell_carrier {
            None | Some(CellCarrier::NoChange) => {}
            Some(carrier) => p.cell_carrier = carrier,
        }
        if let Some(offset) = self.time_zone_offset {
            p.time_zone_offset = offset;
        }
        Ok(())
    }
}

impl Core {
    /// One user's record.
    pub async fn user_info(&self, caller: &Caller, user: UserId) -> Result<User, Error> {
        let actor = self.actor(caller).await?;
        self.user_for(&actor, user, Act::Read).await
    }

    /// One user's record by login name (matched case-insensitively).
    pub async fn user_info_by_login(&self, caller: &Caller, login: &str) -> Result<User, Error> {
        let login = parse_required_text(login, "LoginName")?;
        let actor = self.actor(caller).await?;
        let found = self
            .inner
            .store
            .user_by_login(&login_key(&login))
            .await
            .map_err(internal)?;
        authorize(
            &actor,
            Act::Read,
            found,
            |u| Object::User(UserPlace::of(u)),
            "LoginName",
            &login,
        )
    }

    /// One page of the users the caller may read, by UserID (TPUser and General: only
    /// themselves).
    pub async fn user_list(
        &self,
        caller: &Caller,
        filter: UserFilter,
        page: Page,
    ) -> Result<Paged<User>, Error> {
        match self.user_scope(caller, filter).await? {
            UserScope::Own(me) => Ok(Paged {
                total: u64::from(me.is_some()),
                items: own_page(me, page),
            }),
            UserScope::Listed(filter) => self
                .inner
                .store
                .list_users(&filter, page)
                .await
                .map_err(internal),
        }
    }

    /// The page [`Core::user_list`] gives, without the total: for an answer that shows none,
    /// so that the store does not count every user that matches.
    pub async fn user_page(
        &self,
        caller: &Caller,
        filter: UserFilter,
        page: Page,
    ) -> Result<Vec<User>, Error> {
        match self.user_scope(caller, filter).await? {
            UserScope::Own(me) => Ok(own_page(me, page)),
            UserScope::Listed(filter) => self
                .inner
                .store
                .user_page(&filter, page)
                .await
                .map_err(internal),
        }
    }

    /// What a user list may show the caller: only themselves (when they pass the filter),
    /// or the store's list under the filter narrowed to their reach (refused when it names
    /// a network or mailbox out of reach).
    async fn user_scope(
        &self,
        caller: &Caller,
        mut filter: UserFilter,
    ) -> Result<UserScope, Error> {
        let actor = self.actor(caller).await?;
        if reach(&actor) == Reach::OwnUser {
            let me = self.user_for(&actor, actor.user, Act::Read).await?;
            return Ok(UserScope::Own(
                matches_filter(&me, &filter).then(|| Box::new(me)),
            ));
        }
        (filter.network, filter.mailbox) = self
            .list_scope(&actor, filter.network, filter.mailbox)
            .await?;
        Ok(UserScope::Listed(filter))
    }

    /// Creates a user in a mailbox, at most at the caller's own level, and returns it.
    pub async fn user_create(
        &self,
        caller: &Caller,
        request: UserCreateRequest,
    ) -> Result<User, Error> {
        let login = parse_required_text(&request.login, "LoginName")?;
        check_password_policy(&request.password, "Password")?;
        let level = request.auth_level;
        if level == AuthLevel::NoChange {
            return Err(Error::invalid(
                "AuthLevel",
                ParamProblem::Value,
                "NoChange is not a level a user can have",
            ));
        }
        let person = checked_person(request.person)?;
        let answer = recovery_pair(&person.recovery_question, &request.recovery_answer)?;

        let actor = self.actor(caller).await?;
        let mailbox = self
            .mailbox_as(&actor, request.mailbox, Act::Create, |m| {
                Object::User(UserPlace {
                    id: UserId(0),
                    level,
                    network: m.network_id,
                    mailbox: m.id,
                })
            })
            .await?;
        if mailbox.network_id != request.network {
            return Err(Error::invalid(
                "MailboxID",
                ParamProblem::Value,
                format!(
                    "mailbox {} is not in network {}",
                    mailbox.id, request.network
                ),
            ));
        }
        not_terminated(
            mailbox.status,
            "MailboxID",
            &format!("mailbox {}", mailbox.id),
        )?;

        let this = &self.inner;
        let password_hash = this.hasher.hash(&request.password).await?;
        let recovery_answer_hash = match answer {
            Some(answer) => Some(this.hasher.hash(&answer).await?),
            None => None,
        };
        let new = NewUser {
            login,
            password_hash,
            network_id: mailbox.network_id,
            mailbox_id: mailbox.id,
            auth_level: level,
            status: UserStatus::Active,
            person,
            recovery_answer_hash,
            created: this.clock.now(),
        };
        let id =
            this.store.insert_user(&new).await.map_err(|e| {
                store_failed(e, "MailboxID", ("LoginName", "this login name is taken"))
            })?;
        tracing::info!(user = %id, level = %level, by = %actor.user, "user created");
        self.stored_user(id).await
    }

    /// Changes a user's profile: their own, or one the caller administers.
    pub async fn user_update(
        &self,
        caller: &Caller,
        user: UserId,
        changes: UserChanges,
    ) -> Result<User, Error> {
        let actor = self.actor(caller).await?;
        let target = self.user_for(&actor, user, Act::Change).await?;
        not_terminated(target.status, "UserID", &format!("user {user}"))?;
        let mut person = target.person.clone();
        changes.apply(&mut person)?;
        let this = &self.inner;
        this.store
            .update_user_profile(user, &person, this.clock.now())
            .await
            .map_err(|e| store_failed(e, "UserID", ("UserID", "the user changed meanwhile")))?;
        self.stored_user(user).await
    }

    /// A user as stored now (after a change the caller was allowed to make).
    pub(crate) async fn stored_user(&self, id: UserId) -> Result<User, Error> {
        self.inner
            .store
            .user(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| Error::not_found("UserID"))
    }
}

/// A profile with every text checked; `NoChange` is no carrier.
fn checked_person(p: Person) -> Result<Person, Error> {
    Ok(Person {
        first_name: text(&p.first_name, "FirstName")?,
        last_name: text(&p.last_name, "LastName")?,
        email: email(&p.email, "EMail")?,
        company: text(&p.company, "Company")?,
        phone: text(&p.phone, "Phone")?,
        cell_phone: text(&p.cell_phone, "CellPhone")?,
        cell_carrier: match p.cell_carrier {
            CellCarrier::NoChange => CellCarrier::Undefined,
            other => other,
        },
        time_zone_offset: p.time_zone_offset,
        recovery_question: text(&p.recovery_question, "RecoveryQuestion")?,
    })
}

/// A recovery question and answer go together: both or neither. Returns the answer as it
/// is hashed and compared (trimmed, lower case), if one is given.
pub(crate) fn recovery_pair(question: &str, answer: &str) -> Result<Option<String>, Error> {
    let answer = normalized_answer(answer);
    match (question.trim().is_empty(), answer.is_empty()) {
        (true, true) => Ok(None),
        (false, false) if answer.chars().count() <= MAX_TEXT_LEN => Ok(Some(answer)),
        (false, false) => Err(Error::invalid(
            "RecoveryAnswer",
            ParamProblem::Length,
            format!("longer than {MAX_TEXT_LEN} characters"),
        )),
        (false, true) => Err(Error::invalid(
            "RecoveryAnswer",
            ParamProblem::Value,
            "give an answer with the recovery question",
        )),
        (true, false) => Err(Error::invalid(
            "RecoveryQuestion",
            ParamProblem::Value,
            "give a question with the recovery answer",
        )),
    }
}

/// Recovery answers are compared without surrounding spaces and case.
pub(crate) fn normalized_answer(answer: &str) -> String {
    answer.trim().to_lowercase()
}

/// The users a list may show a caller.
enum UserScope {
    /// A caller who sees only themselves: their record if it passes the filter (boxed: a
    /// record is far larger than a filter).
    Own(Option<Box<User>>),
    /// The store's list under this filter.
    Listed(UserFilter),
}

/// A page of the list of a caller who sees only themselves: they are on the first page.
fn own_page(me: Option<Box<User>>, page: Page) -> Vec<User> {
    me.filter(|_| page.offset() == 0)
        .map(|me| *me)
        .into_iter()
        .collect()
}

/// Whether a user passes a list filter (for callers who see only themselves).
fn matches_filter(user: &User, filter: &UserFilter) -> bool {
    let name = filter.name_contains.as_deref().map(str::to_lowercase);
    filter.network.is_none_or(|n| n == user.network_id)
        && filter.mailbox.is_none_or(|m| m == user.mailbox_id)
        && filter.auth_level.is_none_or(|l| l == user.auth_level)
        && filter.status.is_none_or(|s| s == user.status)
        && !(filter.hide_terminated && user.status == UserStatus::Terminated)
        && name.is_none_or(|name| {
            [&user.login, &user.person.first_name, &user.person.last_name]
                .iter()
                .any(|field| field.to_lowercase().contains(&name))
        })
}
