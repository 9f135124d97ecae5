//! What every directory service does before it acts: find the acting user, load the target
//! and apply the rules of `access` without revealing what lies outside the caller's reach,
//! check text, and turn store failures into the client's errors.

use std::fmt::Display;

use edigrid_domain::{
    EcGridId, Error, MAX_TEXT_LEN, MailboxId, NetworkId, ParamProblem, UserId, UserStatus,
};

use super::access::{Act, Actor, Object, Reach, UserPlace, permits, reach};
use super::model::{Mailbox, Network, TradingPartner};
use crate::service::{Core, internal};
use crate::sessions::{Caller, Credential};
use crate::store::{StoreError, User};

impl Core {
    /// The acting user as the directory rules see them: from the identity kept beside the
    /// session's copy while its lease lasts, else read from the store (and kept there).
    /// A change of a user's level or home forgets the copies and waits the lease out before
    /// it is acknowledged (`user_identity_changed`), so no node acts on an identity older
    /// than the last acknowledged change.
    pub(crate) async fn actor(&self, caller: &Caller) -> Result<Actor, Error> {
        if matches!(caller.credential, Credential::Operator) {
            return Ok(Actor::OPERATOR);
        }
        let cache = &self.inner.cache;
        let session = caller.session.as_ref().map(|s| s.hash);
        if let Some(hash) = &session
            && let Some(identity) = cache.identity(hash, caller.user_id)
        {
            return Ok(Actor::from_identity(identity));
        }
        let read_at = std::time::Instant::now();
        let actor = Actor::of(&self.caller_user(caller).await?);
        if let Some(hash) = &session {
            cache.put_identity(hash, actor.identity(), read_at);
        }
        Ok(actor)
    }

    pub(crate) async fn network_for(
        &self,
        actor: &Actor,
        id: NetworkId,
        act: Act,
    ) -> Result<Network, Error> {
        let found = self.inner.store.network(id).await.map_err(internal)?;
        authorize(
            actor,
            act,
            found,
            |n| Object::Network(n.id),
            "NetworkID",
            id,
        )
    }

    pub(crate) async fn mailbox_for(
        &self,
        actor: &Actor,
        id: MailboxId,
        act: Act,
    ) -> Result<Mailbox, Error> {
        self.mailbox_as(actor, id, act, |m| Object::Mailbox(m.network_id, m.id))
            .await
    }

    /// A mailbox loaded to act on something inside it (`object` says what).
    pub(crate) async fn mailbox_as(
        &self,
        actor: &Actor,
        id: MailboxId,
        act: Act,
        object: impl Fn(&Mailbox) -> Object,
    ) -> Result<Mailbox, Error> {
        let found = self.inner.store.mailbox(id).await.map_err(internal)?;
        authorize(actor, act, found, object, "MailboxID", id)
    }

    pub(crate) async fn partner_for(
        &self,
        actor: &Actor,
        id: EcGridId,
        act: Act,
    ) -> Result<TradingPartner, Error> {
        let found = self.inner.store.partner(id).await.map_err(internal)?;
        authorize(
            actor,
            act,
            found,
            |p| Object::Partner(p.network_id, p.mailbox_id),
            "ECGridID",
            id,
        )
    }

    pub(crate) async fn user_for(
        &self,
        actor: &Actor,
        id: UserId,
        act: Act,
    ) -> Result<User, Error> {
        let found = self.inner.store.user(id).await.map_err(internal)?;
        authorize(
            actor,
            act,
            found,
            |u| Object::User(UserPlace::of(u)),
            "UserID",
            id,
        )
    }

    /// A user named as a contact or owner of something in `network`: visible to the actor,
    /// not terminated, and of that network unless the actor is an operator. `UserId(0)`
    /// means none.
    pub(crate) async fn assignable_user(
        &self,
        actor: &Actor,
        network: NetworkId,
        id: UserId,
    ) -> Result<UserId, Error> {
        if id.0 == 0 {
            return Ok(id);
        }
        let user = self.user_for(actor, id, Act::Read).await?;
        if user.status == UserStatus::Terminated {
            return Err(Error::invalid(
                "UserID",
                ParamProblem::Value,
                format!("user {id} is terminated"),
            ));
        }
        if !actor.is_operator() && user.network_id != network {
            return Err(Error::invalid(
                "UserID",
                ParamProblem::Value,
                format!("user {id} is not in network {network}"),
            ));
        }
        Ok(user.id)
    }

    /// Narrows a list's network and mailbox to what the actor may read. A named parent must
    /// be readable (and, for operators, exist); a named mailbox fixes its network.
    pub(crate) async fn list_scope(
        &self,
        actor: &Actor,
        network: Option<NetworkId>,
        mailbox: Option<MailboxId>,
    ) -> Result<(Option<NetworkId>, Option<MailboxId>), Error> {
        if let Some(id) = mailbox {
            let found = self.mailbox_for(actor, id, Act::Read).await?;
            if network.is_some_and(|n| n != found.network_id) {
                return Err(Error::invalid(
                    "MailboxID",
                    ParamProblem::Value,
                    format!("mailbox {id} is not in network {}", found.network_id),
                ));
            }
            return Ok((Some(found.network_id), Some(id)));
        }
        if let Some(id) = network
            && !reads_own_network(actor, id)
        {
            self.network_for(actor, id, Act::Read).await?;
        }
        match reach(actor) {
            Reach::All => Ok((network, None)),
            Reach::Network(own) => Ok((Some(own), None)),
            Reach::Mailbox(own_network, own) => Ok((Some(own_network), Some(own))),
            Reach::OwnUser => Err(own_user_only(actor)),
        }
    }
}

/// Whether `network` is the acting user's own and they may read it: then it exists (a
/// user's network is a reference the store enforces, and networks are never deleted), so
/// a list need not read it to check.
fn reads_own_network(actor: &Actor, network: NetworkId) -> bool {
    actor.user.0 != 0
        && actor.network == network
        && permits(actor, Act::Read, Object::Network(network))
}

/// Applies `act` to an object looked up as `param` = `id`. Outside the actor's reach, an
/// object that exists and one that does not get the same answer; inside it (operators),
/// a missing one is `NotFound` naming the parameter.
pub(crate) fn authorize<T>(
    actor: &Actor,
    act: Act,
    found: Option<T>,
    object: impl Fn(&T) -> Object,
    param: &str,
    id: impl Display,
) -> Result<T, Error> {
    let Some(item) = found else {
        return Err(if actor.is_operator() {
            Error::not_found(param)
        } else {
            out_of_reach(param, id)
        });
    };
    let target = object(&item);
    if !permits(actor, Act::Read, target) {
        return Err(out_of_reach(param, id));
    }
    require(actor, act, target)?;
    Ok(item)
}

/// Refuses `act` on `object` with a reason, for objects the actor may already see.
pub(crate) fn require(actor: &Actor, act: Act, object: Object) -> Result<(), Error> {
    if permits(actor, act, object) {
        return Ok(());
    }
    let what = match (object, act) {
        (Object::Network(_), Act::Create) => "create networks".to_string(),
        (Object::Network(n), Act::SetStatus) => format!("change the status of network {n}"),
        (Object::Network(n), _) => format!("change network {n}"),
        (Object::Mailbox(n, _), Act::Create) => format!("create mailboxes in network {n}"),
        (Object::Mailbox(_, m), Act::SetStatus) => format!("change the status of mailbox {m}"),
        (Object::Mailbox(_, m), _) => format!("change mailbox {m}"),
        (Object::Partner(_, m), _) => format!("manage the IDs of mailbox {m}"),
        (Object::User(t), Act::Create) => {
            format!("create or make a {} user in mailbox {}", t.level, t.mailbox)
        }
        (Object::User(t), _) if t.id == actor.user => {
            "change its own status, level or home".to_string()
        }
        (Object::User(t), _) => format!("act on user {} ({})", t.id, t.level),
    };
    Err(Error::AccessDenied(format!(
        "{} may not {what}",
        actor.level
    )))
}

/// The one answer for an object outside the caller's reach, whether or not it exists.
pub(crate) fn out_of_reach(param: &str, id: impl Display) -> Error {
    Error::AccessDenied(format!("no authority over {param} {id}"))
}

pub(crate) fn own_user_only(actor: &Actor) -> Error {
    Error::AccessDenied(format!("{} may read only its own user", actor.level))
}

/// Terminated objects are kept but never changed again.
pub(crate) fn not_terminated(status: UserStatus, param: &str, what: &str) -> Result<(), Error> {
    if status == UserStatus::Terminated {
        return Err(Error::invalid(
            param,
            ParamProblem::Value,
            format!("{what} is terminated; terminated is final"),
        ));
    }
    Ok(())
}

/// A store failure as the client sees it: a vanished row is `NotFound` on `missing`, a
/// taken key `conflict` on `taken`, anything else internal.
pub(crate) fn store_failed(e: StoreError, missing: &str, (taken, conflict): (&str, &str)) -> Error {
    match e {
        StoreError::Conflict(_) => Error::invalid(taken, ParamProblem::Value, conflict),
        StoreError::Missing(m) => {
            tracing::warn!(missing = %m, "referenced row vanished");
            Error::not_found(missing)
        }
        other => internal(other),
    }
}

/// Optional text: trimmed, at most [`MAX_TEXT_LEN`] characters.
pub(crate) fn text(raw: &str, item: &str) -> Result<String, Error> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > MAX_TEXT_LEN {
        return Err(Error::invalid(
            item,
            ParamProblem::Length,
            format!("longer than {MAX_TEXT_LEN} characters"),
        ));
    }
    Ok(trimmed.to_string())
}

/// An optional e-mail address: empty, or one `@` between non-empty parts and no spaces.
pub(crate) fn email(raw: &str, item: &str) -> Result<String, Error> {
    let value = text(raw, item)?;
    if value.is_empty() {
        return Ok(value);
    }
    let ok = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !ok {
        return Err(Error::invalid(
            item,
            ParamProblem::Value,
            "is not an e-mail address",
        ));
    }
    Ok(value)
}

/// Applies an optional change of text.
pub(crate) fn change_text(slot: &mut String, new: Option<&str>, item: &str) -> Result<(), Error> {
    if let Some(raw) = new {
        *slot = text(raw, item)?;
    }
    Ok(())
}

/// Applies an optional change of an e-mail address.
pub(crate) fn change_email(slot: &mut String, new: Option<&str>, item: &str) -> Result<(), Error> {
    if let Some(raw) = new {
        *slot = email(raw, item)?;
    }
    Ok(())
}

/// A number an operator gives, or 0 to have one assigned.
pub(crate) fn given_or_assigned(id: i32, item: &str) -> Result<(), Error> {
    if id < 0 {
        return Err(Error::invalid(
            item,
            ParamProblem::Value,
            "must be a positive number, or 0 to have one assigned",
        ));
    }
    Ok(())
}
