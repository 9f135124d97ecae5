use super::*;

const LEVELS: [AuthLevel; 9] = [
    AuthLevel::Root,
    AuthLevel::TechOps,
    AuthLevel::NetOps,
    AuthLevel::NetworkAdmin,
    AuthLevel::NetworkUser,
    AuthLevel::MailboxAdmin,
    AuthLevel::MailboxUser,
    AuthLevel::TPUser,
    AuthLevel::General,
];

const ACTS: [Act; 4] = [Act::Read, Act::Change, Act::SetStatus, Act::Create];

/// The actor lives in mailbox 10 of network 1.
fn actor(level: AuthLevel) -> Actor {
    Actor {
        user: UserId(1),
        level,
        network: NetworkId(1),
        mailbox: MailboxId(10),
    }
}

/// The three places an object can be, seen from the actor: their own mailbox, another
/// mailbox of their network, a mailbox of another network.
const PLACES: [(NetworkId, MailboxId); 3] = [
    (NetworkId(1), MailboxId(10)),
    (NetworkId(1), MailboxId(11)),
    (NetworkId(2), MailboxId(20)),
];

fn peer(level: AuthLevel, (network, mailbox): (NetworkId, MailboxId)) -> Object {
    Object::User(UserPlace {
        id: UserId(2),
        level,
        network,
        mailbox,
    })
}

/// For each level, and each object kind (network record, mailbox, ID, another user of the
/// same level) and act (Read, Change, SetStatus, Create): Y/N at the three places.
#[rustfmt::skip]
const EXPECTED: [(AuthLevel, [&str; 4]); 9] = [
    //                         network          mailbox          partner ID       peer user
    //                         R   C   S   N    R   C   S   N    R   C   S   N    R   C   S   N
    (AuthLevel::Root,         ["YYY YYY YYY YYY", "YYY YYY YYY YYY", "YYY YYY YYY YYY", "YYY YYY YYY YYY"]),
    (AuthLevel::TechOps,      ["YYY YYY YYY YYY", "YYY YYY YYY YYY", "YYY YYY YYY YYY", "YYY YYY YYY YYY"]),
    (AuthLevel::NetOps,       ["YYY YYY YYY NNN", "YYY YYY YYY YYY", "YYY YYY YYY YYY", "YYY NNN NNN NNN"]),
    (AuthLevel::NetworkAdmin, ["YYN YYN NNN NNN", "YYN YYN YYN YYN", "YYN YYN YYN YYN", "YYN YYN YYN YYN"]),
    (AuthLevel::NetworkUser,  ["YYN NNN NNN NNN", "YYN NNN NNN NNN", "YYN NNN NNN NNN", "YYN NNN NNN NNN"]),
    (AuthLevel::MailboxAdmin, ["YYN NNN NNN NNN", "YNN YNN NNN NNN", "YNN YNN YNN YNN", "YNN YNN YNN YNN"]),
    (AuthLevel::MailboxUser,  ["YYN NNN NNN NNN", "YNN NNN NNN NNN", "YNN NNN NNN NNN", "YNN NNN NNN NNN"]),
    (AuthLevel::TPUser,       ["NNN NNN NNN NNN", "NNN NNN NNN NNN", "NNN NNN NNN NNN", "NNN NNN NNN NNN"]),
    (AuthLevel::General,      ["NNN NNN NNN NNN", "NNN NNN NNN NNN", "NNN NNN NNN NNN", "NNN NNN NNN NNN"]),
];

fn rendered(level: AuthLevel, object: impl Fn((NetworkId, MailboxId)) -> Object) -> String {
    let a = actor(level);
    ACTS.iter()
        .map(|act| {
            PLACES
                .iter()
                .map(|place| {
                    if permits(&a, *act, object(*place)) {
                        'Y'
                    } else {
                        'N'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_level_at_every_place_gets_the_documented_answer() {
    for (level, [network, mailbox, partner, user]) in EXPECTED {
        assert_eq!(
            rendered(level, |(n, _)| Object::Network(n)),
            network,
            "{level} network"
        );
        assert_eq!(
            rendered(level, |(n, m)| Object::Mailbox(n, m)),
            mailbox,
            "{level} mailbox"
        );
        assert_eq!(
            rendered(level, |(n, m)| Object::Partner(n, m)),
            partner,
            "{level} ID"
        );
        assert_eq!(
            rendered(level, |p| peer(level, p)),
            user,
            "{level} peer user"
        );
    }
    assert_eq!(EXPECTED.map(|(l, _)| l), LEVELS);
}

#[test]
fn everyone_reads_and_changes_themselves_but_not_their_own_status() {
    for level in LEVELS {
        let a = actor(level);
        let me = Object::User(UserPlace {
            id: a.user,
            level,
            network: a.network,
            mailbox: a.mailbox,
        });
        assert!(permits(&a, Act::Read, me), "{level}");
        assert!(permits(&a, Act::Change, me), "{level}");
        assert!(!permits(&a, Act::SetStatus, me), "{level}");
    }
}

#[test]
fn nobody_acts_on_or_creates_a_user_above_their_level() {
    let own = PLACES[0];
    for level in LEVELS {
        let a = actor(level);
        for target in LEVELS {
            for act in [Act::Change, Act::SetStatus, Act::Create] {
                if permits(&a, act, peer(target, own)) {
                    assert!(level.at_least(target), "{level} may {act:?} a {target}");
                }
            }
        }
    }
}

#[test]
fn only_root_and_techops_manage_netops_or_higher() {
    let own = PLACES[0];
    let may = |actor_level, target| permits(&actor(actor_level), Act::Create, peer(target, own));
    assert!(may(AuthLevel::Root, AuthLevel::Root));
    assert!(may(AuthLevel::TechOps, AuthLevel::NetOps));
    assert!(!may(AuthLevel::TechOps, AuthLevel::Root));
    assert!(!may(AuthLevel::NetOps, AuthLevel::NetOps));
    assert!(may(AuthLevel::NetOps, AuthLevel::NetworkAdmin));
    assert!(!may(AuthLevel::NetworkAdmin, AuthLevel::NetOps));
    assert!(may(AuthLevel::NetworkAdmin, AuthLevel::NetworkUser));
    assert!(!may(AuthLevel::MailboxAdmin, AuthLevel::NetworkUser));
    assert!(may(AuthLevel::MailboxAdmin, AuthLevel::MailboxUser));
    assert!(!may(AuthLevel::Root, AuthLevel::NoChange));
}

#[test]
fn the_cli_operator_is_root_everywhere() {
    let op = Actor::OPERATOR;
    assert!(op.is_operator());
    assert!(permits(&op, Act::Create, Object::Network(NetworkId(7))));
    assert!(permits(
        &op,
        Act::SetStatus,
        peer(AuthLevel::TechOps, PLACES[2])
    ));
}
