//! Who may see and work which parcel (SPEC-VAN 14), from the directory's rules: a parcel is
//! in a box of a mailbox, and whoever may read that mailbox sees its parcels.
//!
//! Decisions where the contract leaves room:
//! - Working a box (upload, status-changing downloads, confirm, reset, cancel, notes, local
//!   status, mailbag IDs) needs reach over the mailbox and a level that writes: NetworkUser
//!   reads its network's boxes and may download without changing anything, nothing more.
//! - The sender may read the records of the inbound parcels made from its upload (to follow
//!   them), not their content, and may not work them.
//! - Resend and setting a state outside the normal lifecycle need NetOps or above.
//! - A parcel out of reach answers as a missing one does (the directory's `AccessDenied`;
//!   operators, who reach everything, get `NotFound`).

use edigrid_domain::{AuthLevel, Direction, Error, MailboxId, NetworkId, ParcelId};

use super::model::Parcel;
use crate::directory::access::{Act, Actor, Object, permits};
use crate::directory::guard::out_of_reach;
use crate::service::{Core, internal};

/// What a service does with a parcel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Its record, interchanges and manifest.
    Record,
    /// Its bytes, without changing it.
    Content,
    /// A change in its box (download with update, confirm, reset, cancel, notes).
    Work,
    /// Operator acts (resend, set state).
    Operate,
}

pub(crate) fn reads_box(actor: &Actor, network: NetworkId, mailbox: MailboxId) -> bool {
    permits(actor, Act::Read, Object::Mailbox(network, mailbox))
}

pub(crate) fn works_box(actor: &Actor, network: NetworkId, mailbox: MailboxId) -> bool {
    reads_box(actor, network, mailbox) && actor.level != AuthLevel::NetworkUser
}

/// Whether the actor sees the parcel at all.
pub(crate) fn sees(actor: &Actor, parcel: &Parcel) -> bool {
    reads_box(actor, parcel.network_id, parcel.mailbox_id)
        || (parcel.direction == Direction::InBox
            && reads_box(actor, parcel.peer_network_id, parcel.peer_mailbox_id))
}

/// Whether the actor may do `need` to a parcel it sees.
pub(crate) fn may(actor: &Actor, parcel: &Parcel, need: Need) -> bool {
    match need {
        Need::Record => true,
        Need::Content => reads_box(actor, parcel.network_id, parcel.mailbox_id),
        Need::Work => works_box(actor, parcel.network_id, parcel.mailbox_id),
        Need::Operate => actor.is_operator(),
    }
}

/// Applies the rules to a parcel as found: out of reach and missing answer alike.
pub(crate) fn authorize_parcel(
    actor: &Actor,
    found: Option<Parcel>,
    id: ParcelId,
    need: Need,
) -> Result<Parcel, Error> {
    let Some(parcel) = found.filter(|p| sees(actor, p)) else {
        return Err(if actor.is_operator() {
            Error::not_found("ParcelID")
        } else {
            out_of_reach("ParcelID", id)
        });
    };
    if !may(actor, &parcel, need) {
        return Err(refused(actor, &parcel, need));
    }
    Ok(parcel)
}

/// The refusal of `need` on a parcel the actor sees.
pub(crate) fn refused(actor: &Actor, parcel: &Parcel, need: Need) -> Error {
    let what = match need {
        Need::Record => "read",
        Need::Content => "download",
        Need::Work => "change",
        Need::Operate => "resend or set the state of",
    };
    Error::AccessDenied(format!(
        "{} may not {what} parcel {} of mailbox {}",
        actor.level, parcel.id, parcel.mailbox_id
    ))
}

impl Core {
    /// A parcel loaded for `need` by `actor`.
    pub(crate) async fn parcel_as(
        &self,
        actor: &Actor,
        id: ParcelId,
        need: Need,
    ) -> Result<Parcel, Error> {
        let found = self.inner.store.parcel(id).await.map_err(internal)?;
        authorize_parcel(actor, found, id, need)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use edigrid_domain::UserId;

    use super::*;
    use crate::parcels::routing::tests::sample_parcel;

    fn actor(level: AuthLevel, network: i32, mailbox: i32) -> Actor {
        Actor {
            user: UserId(5),
            level,
            network: NetworkId(network),
            mailbox: MailboxId(mailbox),
        }
    }

    /// Mailbox 11 of network 1 received the parcel from mailbox 20 of network 2.
    fn delivered() -> Parcel {
        let mut p = sample_parcel(Direction::InBox);
        p.network_id = NetworkId(1);
        p.mailbox_id = MailboxId(11);
        p.peer_network_id = NetworkId(2);
        p.peer_mailbox_id = MailboxId(20);
        p
    }

    #[test]
    fn the_box_owner_works_the_sender_reads_others_see_nothing() {
        let id = ParcelId(9);
        let check = |a: &Actor, need| authorize_parcel(a, Some(delivered()), id, need);
        let owner = actor(AuthLevel::MailboxUser, 1, 11);
        for need in [Need::Record, Need::Content, Need::Work] {
            assert!(check(&owner, need).is_ok(), "{need:?}");
        }
        assert!(matches!(
            check(&owner, Need::Operate),
            Err(Error::AccessDenied(_))
        ));

        let sender = actor(AuthLevel::MailboxAdmin, 2, 20);
        assert!(check(&sender, Need::Record).is_ok());
        for need in [Need::Content, Need::Work] {
            let refused = check(&sender, need).unwrap_err();
            assert!(refused.to_string().contains("may not"), "{refused}");
        }

        let reader = actor(AuthLevel::NetworkUser, 1, 12);
        assert!(check(&reader, Need::Content).is_ok());
        assert!(check(&reader, Need::Work).is_err());
        assert!(check(&actor(AuthLevel::NetworkAdmin, 1, 12), Need::Work).is_ok());

        let stranger = actor(AuthLevel::MailboxAdmin, 1, 12);
        let hidden = check(&stranger, Need::Record).unwrap_err();
        let missing = authorize_parcel(&stranger, None, id, Need::Record).unwrap_err();
        assert_eq!(
            hidden.to_string(),
            missing.to_string(),
            "no existence oracle"
        );

        let netops = actor(AuthLevel::NetOps, 3, 30);
        assert!(check(&netops, Need::Operate).is_ok());
        assert!(matches!(
            authorize_parcel(&netops, None, id, Need::Record),
            Err(Error::NotFound { .. })
        ));
    }

    #[test]
    fn an_outbound_parcel_is_its_senders_only() {
        let mut p = delivered();
        p.direction = Direction::OutBox;
        let receiver = actor(AuthLevel::MailboxAdmin, 2, 20);
        assert!(authorize_parcel(&receiver, Some(p), ParcelId(1), Need::Record).is_err());
    }
}
