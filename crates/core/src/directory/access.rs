//! Who may see and change what in the directory (SPEC-VAN 14), as pure functions of the
//! acting user and where the object lives, so that every front end gets the same answers.
//!
//! Decisions where the contract leaves room:
//! - MailboxAdmin and MailboxUser may read their own network's record (not its other
//!   mailboxes, users or IDs): clients show the network they belong to.
//! - A mailbox's status (activate, suspend, terminate) needs NetworkAdmin of its network or
//!   an operator; MailboxAdmin changes its mailbox's settings only.
//! - Acting on a peer of one's own level in scope is allowed, and so is creating a user at
//!   one's own level, except at NetOps: only Root and TechOps create or act on NetOps users.
//! - Nobody changes their own status, level or home; everyone changes their own profile and
//!   password.

use edigrid_domain::{AuthLevel, MailboxId, NetworkId, UserId};

use crate::session_cache::Identity;
use crate::store::User;

/// The acting user as the rules see them: their level and home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Actor {
    pub user: UserId,
    pub level: AuthLevel,
    pub network: NetworkId,
    pub mailbox: MailboxId,
}

impl Actor {
    /// The operator acting without a session (CLI, fixtures): Root of no network.
    pub const OPERATOR: Actor = Actor {
        user: UserId(0),
        level: AuthLevel::Root,
        network: NetworkId(0),
        mailbox: MailboxId(0),
    };

    pub fn of(user: &User) -> Actor {
        Actor {
            user: user.id,
            level: user.auth_level,
            network: user.network_id,
            mailbox: user.mailbox_id,
        }
    }

    /// As kept beside a session's copy (`session_cache`).
    pub fn identity(&self) -> Identity {
        Identity {
            user: self.user,
            level: self.level,
            network: self.network,
            mailbox: self.mailbox,
        }
    }

    pub fn from_identity(id: Identity) -> Actor {
        Actor {
            user: id.user,
            level: id.level,
            network: id.network,
            mailbox: id.mailbox,
        }
    }

    /// Root, TechOps and NetOps read everything, so telling them that an object does not
    /// exist reveals nothing.
    pub fn is_operator(&self) -> bool {
        matches!(reach(self), Reach::All)
    }
}

/// What is done to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Act {
    Read,
    /// Settings, profile, description, contacts, password.
    Change,
    /// Status; for users also their level and home.
    SetStatus,
    /// A new one at that place (for users: with that level).
    Create,
}

/// An object of the directory, by where it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Object {
    /// A network's own record.
    Network(NetworkId),
    /// A mailbox; to create one, its network matters and the mailbox number is ignored.
    Mailbox(NetworkId, MailboxId),
    /// A trading-partner ID of a mailbox.
    Partner(NetworkId, MailboxId),
    User(UserPlace),
}

/// A user as the rules see them; to create one, the level and home it would have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UserPlace {
    pub id: UserId,
    pub level: AuthLevel,
    pub network: NetworkId,
    pub mailbox: MailboxId,
}

impl UserPlace {
    pub fn of(user: &User) -> UserPlace {
        UserPlace {
            id: user.id,
            level: user.auth_level,
            network: user.network_id,
            mailbox: user.mailbox_id,
        }
    }
}

/// How far an actor's reading reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    All,
    Network(NetworkId),
    Mailbox(NetworkId, MailboxId),
    /// Only their own user.
    OwnUser,
}

pub(crate) fn reach(actor: &Actor) -> Reach {
    match actor.level {
        AuthLevel::Root | AuthLevel::TechOps | AuthLevel::NetOps => Reach::All,
        AuthLevel::NetworkAdmin | AuthLevel::NetworkUser => Reach::Network(actor.network),
        AuthLevel::MailboxAdmin | AuthLevel::MailboxUser => {
            Reach::Mailbox(actor.network, actor.mailbox)
        }
        AuthLevel::TPUser | AuthLevel::General | AuthLevel::NoChange => Reach::OwnUser,
    }
}

/// Whether `actor` may do `act` to `object`.
pub(crate) fn permits(actor: &Actor, act: Act, object: Object) -> bool {
    match (object, act) {
        (Object::Network(n), Act::Read) => reads_network(actor, n),
        (Object::Network(n), Act::Change) => administers_network(actor, n),
        (Object::Network(_), Act::SetStatus) => actor.is_operator(),
        (Object::Network(_), Act::Create) => {
            matches!(actor.level, AuthLevel::Root | AuthLevel::TechOps)
        }
        (Object::Mailbox(n, m) | Object::Partner(n, m), Act::Read) => reads_mailbox(actor, n, m),
        (Object::Mailbox(n, m), Act::Change) => administers_mailbox(actor, n, m),
        (Object::Mailbox(n, _), Act::SetStatus | Act::Create) => administers_network(actor, n),
        (Object::Partner(n, m), Act::Change | Act::SetStatus | Act::Create) => {
            administers_mailbox(actor, n, m)
        }
        (Object::User(t), Act::Read) => {
            t.id == actor.user || reads_mailbox(actor, t.network, t.mailbox)
        }
        (Object::User(t), Act::Change) => t.id == actor.user || manages_user(actor, &t),
        (Object::User(t), Act::SetStatus) => t.id != actor.user && manages_user(actor, &t),
        (Object::User(t), Act::Create) => manages_user(actor, &t),
    }
}

fn reads_network(actor: &Actor, network: NetworkId) -> bool {
    match reach(actor) {
        Reach::All => true,
        Reach::Network(own) | Reach::Mailbox(own, _) => own == network,
        Reach::OwnUser => false,
    }
}

fn reads_mailbox(actor: &Actor, network: NetworkId, mailbox: MailboxId) -> bool {
    match reach(actor) {
        Reach::All => true,
        Reach::Network(own) => own == network,
        Reach::Mailbox(own_network, own) => own_network == network && own == mailbox,
        Reach::OwnUser => false,
    }
}

fn administers_network(actor: &Actor, network: NetworkId) -> bool {
    actor.is_operator() || (actor.level == AuthLevel::NetworkAdmin && actor.network == network)
}

fn administers_mailbox(actor: &Actor, network: NetworkId, mailbox: MailboxId) -> bool {
    administers_network(actor, network)
        || (actor.level == AuthLevel::MailboxAdmin
            && actor.network == network
            && actor.mailbox == mailbox)
}

/// Whether `actor` may give a user `level` (create, raise to, or act on one at it).
pub(crate) fn may_grant(actor: &Actor, level: AuthLevel) -> bool {
    if level == AuthLevel::NoChange {
        return false;
    }
    match actor.level {
        AuthLevel::Root | AuthLevel::TechOps => actor.level.at_least(level),
        // NetOps-or-higher users are Root's and TechOps' to manage.
        AuthLevel::NetOps => !level.at_least(AuthLevel::NetOps),
        AuthLevel::NetworkAdmin | AuthLevel::MailboxAdmin => actor.level.at_least(level),
        _ => false,
    }
}

/// Whether `actor` administers the user `target` (another user, or one to be created).
fn manages_user(actor: &Actor, target: &UserPlace) -> bool {
    if !may_grant(actor, target.level) {
        return false;
    }
    match actor.level {
        AuthLevel::Root | AuthLevel::TechOps | AuthLevel::NetOps => true,
        AuthLevel::NetworkAdmin => actor.network == target.network,
        AuthLevel::MailboxAdmin => {
            actor.network == target.network && actor.mailbox == target.mailbox
        }
        _ => false,
    }
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
