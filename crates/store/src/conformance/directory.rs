//! The behaviour every `DirectoryStore` must have: networks, mailboxes, users' directory
//! fields and trading-partner IDs. Each check runs on a fresh, empty store.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::Duration;
use edigrid_core::store::{
    Address, Contacts, Mailbox, MailboxConfig, MailboxFilter, Network, NetworkFilter, NewUser,
    Page, Paged, PartnerFilter, PartnerOrder, PartnerRoute, Person, TradingPartner, UserFilter,
    Websites,
};
use edigrid_core::{Store, StoreError};
use edigrid_domain::{
    AuthLevel, CellCarrier, EcGridId, MailboxId, NetworkId, RoutingGroup, UseType, UserId,
    UserStatus, X12Delimiters,
};

use super::t0;

fn address(tag: &str) -> Address {
    Address {
        address1: format!("{tag} 1 Main St"),
        address2: format!("{tag} Suite 2"),
        city: format!("{tag} Fort Worth"),
        state: format!("{tag} TX"),
        zip: format!("{tag} 76102"),
        country: format!("{tag} US"),
    }
}

/// Seven different users, so that a swapped column shows.
fn contacts(base: i32) -> Contacts {
    Contacts {
        owner: UserId(base + 1),
        errors: UserId(base + 2),
        interconnects: UserId(base + 3),
        notices: UserId(base + 4),
        reports: UserId(base + 5),
        accounting: UserId(base + 6),
        customer_service: UserId(base + 7),
    }
}

/// A network with every field set to something other than its default.
fn full_network(id: i32, name: &str) -> Network {
    Network {
        id: NetworkId(id),
        name: name.into(),
        unique_id: format!("NET{id}"),
        location: "Fort Worth, Texas".into(),
        address: address("n"),
        phone: "+1 817 555 0100".into(),
        admin_email: "noc@example.net".into(),
        websites: Websites {
            home: "https://example.net/".into(),
            support: "https://example.net/support".into(),
            login: "https://example.net/login".into(),
        },
        status: UserStatus::Active,
        contacts: contacts(10),
        x12: X12Delimiters {
            segment: b'~',
            element: b'*',
            sub_element: b':',
        },
        delete_on_download: true,
        created: t0(),
        modified: t0() + Duration::seconds(1),
    }
}

/// A mailbox with every field (configuration and contacts included) set.
fn full_mailbox(id: i32, network: i32, name: &str) -> Mailbox {
    Mailbox {
        id: MailboxId(id),
        network_id: NetworkId(network),
        name: name.into(),
        unique_id: String::new(),
        description: "Orders in and out".into(),
        address: address("m"),
        phone: "+1 817 555 0101".into(),
        admin_email: "edi@example.com".into(),
        status: UserStatus::Active,
        contacts: contacts(20),
        managed: true,
        use_type: UseType::TestAndProduction,
        config: MailboxConfig {
            inbox_timeout_minutes: 45,
            x12: X12Delimiters {
                segment: b'\n',
                element: b'|',
                sub_element: b'^',
            },
            ebcdic_filter: 2,
            ftp_ascii_filter: true,
            low_pass_filter: true,
            mailbag_pass_through: true,
            delete_on_download: true,
            strip_directed_envelope: true,
            notify_email: "alerts@example.com".into(),
            notify_on_inbox: true,
        },
        default_as2_id: "AS2-EXAMPLE".into(),
        created: t0(),
        modified: t0() + Duration::seconds(2),
    }
}

/// A trading-partner ID with every field set (not the mailbox's default).
fn full_partner(mailbox: i32, network: i32, qualifier: &str, id: &str) -> TradingPartner {
    TradingPartner {
        ecgrid_id: EcGridId(0),
        network_id: NetworkId(network),
        mailbox_id: MailboxId(mailbox),
        qualifier: qualifier.into(),
        id: id.into(),
        description: "Acme Corp".into(),
        status: UserStatus::Active,
        data_email: "data@acme.example".into(),
        routing_group: RoutingGroup::NetOpsOnly2,
        is_default: false,
        owner: UserId(7),
        van: true,
        simulated: true,
        x12: X12Delimiters {
            segment: b'~',
            element: b'*',
            sub_element: b'>',
        },
        created: t0(),
        modified: t0() + Duration::seconds(3),
    }
}

fn full_person(tag: &str) -> Person {
    Person {
        first_name: format!("{tag}First"),
        last_name: format!("{tag}Last"),
        email: format!("{tag}@example.com"),
        company: format!("{tag} Co"),
        phone: "+1 555 0102".into(),
        cell_phone: "+1 555 0199".into(),
        cell_carrier: CellCarrier::TMobile,
        time_zone_offset: -360,
        recovery_question: format!("{tag}'s first pet?"),
    }
}

/// Networks 1 and 2; mailboxes 10 and 11 in network 1, 20 in network 2.
async fn seed(store: &dyn Store) {
    for n in [1, 2] {
        store
            .insert_network(&Network::new(NetworkId(n), format!("Net {n}"), t0()))
            .await
            .unwrap();
    }
    for (m, n) in [(10, 1), (11, 1), (20, 2)] {
        store
            .insert_mailbox(&Mailbox::new(
                MailboxId(m),
                NetworkId(n),
                format!("Box {m}"),
                t0(),
            ))
            .await
            .unwrap();
    }
}

fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Conflict(_)))
}

fn missing<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Missing(_)))
}

fn page(number: u32, size: u32) -> Page {
    Page { number, size }
}

/// Polls every future until all are done (the suite has no runtime of its own).
async fn join_all<T>(futures: Vec<Pin<Box<dyn Future<Output = T> + Send + '_>>>) -> Vec<T> {
    let mut futures: Vec<_> = futures.into_iter().map(Some).collect();
    let mut done: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (slot, out) in futures.iter_mut().zip(done.iter_mut()) {
            if let Some(f) = slot
                && let std::task::Poll::Ready(v) = f.as_mut().poll(cx)
            {
                *out = Some(v);
                *slot = None;
            }
        }
        if futures.iter().all(Option::is_none) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    done.into_iter().flatten().collect()
}

pub async fn networks_round_trip_and_numbering(store: Arc<dyn Store>) {
    let given = full_network(5, "Five");
    assert_eq!(store.insert_network(&given).await.unwrap(), NetworkId(5));
    assert_eq!(
        store.network(NetworkId(5)).await.unwrap().as_ref(),
        Some(&given),
        "every field round-trips"
    );
    assert_eq!(store.network(NetworkId(6)).await.unwrap(), None);

    // Number 0: one above the highest in use; a given number is kept, a taken one refused.
    let next = Network::new(NetworkId(0), "Next".into(), t0());
    assert_eq!(store.insert_network(&next).await.unwrap(), NetworkId(6));
    let low = Network::new(NetworkId(3), "Low".into(), t0());
    assert_eq!(store.insert_network(&low).await.unwrap(), NetworkId(3));
    assert_eq!(store.insert_network(&next).await.unwrap(), NetworkId(7));
    assert!(conflict(store.insert_network(&given).await), "taken number");
    let stored = store.network(NetworkId(7)).await.unwrap().unwrap();
    assert_eq!((stored.name.as_str(), stored.id), ("Next", NetworkId(7)));

    // Concurrent assignments get different numbers.
    let names: Vec<String> = (0..6).map(|i| format!("Concurrent {i}")).collect();
    let inserts = names
        .iter()
        .map(|name| {
            let store = store.clone();
            let network = Network::new(NetworkId(0), name.clone(), t0());
            Box::pin(async move { store.insert_network(&network).await })
                as Pin<Box<dyn Future<Output = Result<NetworkId, StoreError>> + Send>>
        })
        .collect();
    let mut ids: Vec<i32> = join_all(inserts)
        .await
        .into_iter()
        .map(|r| r.unwrap().0)
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, [8, 9, 10, 11, 12, 13]);

    // An update writes every field but the number and the creation time.
    let mut changed = Network {
        name: "Five Renamed".into(),
        unique_id: "FIVE".into(),
        location: "Dallas".into(),
        address: address("u"),
        phone: "+1 214 555 0100".into(),
        admin_email: "ops@example.org".into(),
        websites: Websites {
            home: "https://example.org/".into(),
            support: "https://example.org/help".into(),
            login: "https://example.org/in".into(),
        },
        status: UserStatus::Suspended,
        contacts: contacts(30),
        x12: X12Delimiters {
            segment: b'\'',
            element: b'+',
            sub_element: 0,
        },
        delete_on_download: false,
        created: t0() + Duration::days(9),
        modified: t0() + Duration::days(1),
        ..given.clone()
    };
    store.update_network(&changed).await.unwrap();
    changed.created = given.created;
    assert_eq!(
        store.network(NetworkId(5)).await.unwrap(),
        Some(changed.clone())
    );
    changed.id = NetworkId(99);
    assert!(missing(store.update_network(&changed).await));
}

/// Networks 1 to 6 with names that test the name filter's escaping.
async fn seed_networks(store: &dyn Store) {
    let named = [
        ("Alpha 100%", UserStatus::Active),
        ("alpha_beta", UserStatus::Suspended),
        ("Gamma", UserStatus::Terminated),
        ("ALPHAX", UserStatus::Active),
        ("Delta\\Net", UserStatus::Active),
        ("Omega", UserStatus::Terminated),
    ];
    for (i, (name, status)) in (1..).zip(named) {
        let mut n = Network::new(NetworkId(i), name.into(), t0());
        n.status = status;
        store.insert_network(&n).await.unwrap();
    }
}

fn network_ids(p: &Paged<Network>) -> Vec<i32> {
    p.items.iter().map(|n| n.id.0).collect()
}

pub async fn network_lists_filter_page_and_count(store: Arc<dyn Store>) {
    seed_networks(&*store).await;
    let list = |filter: NetworkFilter, page: Page| {
        let store = store.clone();
        async move {
            let got = store.list_networks(&filter, page).await.unwrap();
            // The page without its count is the same page.
            let uncounted = store.network_page(&filter, page).await.unwrap();
            assert_eq!(uncounted, got.items, "{filter:?} {page:?}");
            (network_ids(&got), got.total)
        }
    };
    let all = NetworkFilter::default();
    assert_eq!(list(all.clone(), page(1, 4)).await, (vec![1, 2, 3, 4], 6));
    assert_eq!(list(all.clone(), page(2, 4)).await, (vec![5, 6], 6));
    assert_eq!(
        list(all.clone(), page(3, 4)).await,
        (vec![], 6),
        "past the end"
    );
    let with = |f: fn(&mut NetworkFilter)| {
        let mut filter = NetworkFilter::default();
        f(&mut filter);
        filter
    };
    assert_eq!(
        list(with(|f| f.network = Some(NetworkId(4))), page(1, 10)).await,
        (vec![4], 1)
    );
    assert_eq!(
        list(with(|f| f.status = Some(UserStatus::Active)), page(1, 10)).await,
        (vec![1, 4, 5], 3)
    );
    let named = |text: &str| NetworkFilter {
        name_contains: Some(text.into()),
        ..NetworkFilter::default()
    };
    assert_eq!(list(named("alpha"), page(1, 10)).await, (vec![1, 2, 4], 3));
    assert_eq!(list(named("ALPHA"), page(1, 10)).await, (vec![1, 2, 4], 3));
    assert_eq!(
        list(named("%"), page(1, 10)).await,
        (vec![1], 1),
        "% is literal"
    );
    assert_eq!(
        list(named("_"), page(1, 10)).await,
        (vec![2], 1),
        "_ is literal"
    );
    assert_eq!(list(named("a_b"), page(1, 10)).await, (vec![2], 1));
    assert_eq!(list(named("a%"), page(1, 10)).await, (vec![], 0));
    assert_eq!(list(named("0%"), page(1, 10)).await, (vec![1], 1));
    assert_eq!(list(named("a\\n"), page(1, 10)).await, (vec![5], 1));
    assert_eq!(
        list(with(|f| f.hide_terminated = true), page(1, 10)).await,
        (vec![1, 2, 4, 5], 4)
    );
    let combined = NetworkFilter {
        name_contains: Some("A".into()),
        hide_terminated: true,
        ..NetworkFilter::default()
    };
    assert_eq!(list(combined, page(2, 2)).await, (vec![4, 5], 4));
}

pub async fn mailboxes_round_trip_numbering_and_unique_ids(store: Arc<dyn Store>) {
    for n in [1, 2] {
        store
            .insert_network(&Network::new(NetworkId(n), format!("Net {n}"), t0()))
            .await
            .unwrap();
    }
    let mut first = full_mailbox(0, 1, "First");
    first.unique_id = "ACME".into();
    assert_eq!(
        store.insert_mailbox(&first).await.unwrap(),
        MailboxId(1),
        "assigned"
    );
    first.id = MailboxId(1);
    assert_eq!(
        store.mailbox(MailboxId(1)).await.unwrap().as_ref(),
        Some(&first),
        "every field, configuration and contacts included, round-trips"
    );
    assert_eq!(store.mailbox(MailboxId(2)).await.unwrap(), None);
    let given = Mailbox::new(MailboxId(500), NetworkId(2), "Given".into(), t0());
    assert_eq!(store.insert_mailbox(&given).await.unwrap(), MailboxId(500));
    let next = Mailbox::new(MailboxId(0), NetworkId(1), "Next".into(), t0());
    assert_eq!(
        store.insert_mailbox(&next).await.unwrap(),
        MailboxId(501),
        "numbers are unique in the whole service"
    );
    assert!(conflict(store.insert_mailbox(&given).await), "taken number");
    let orphan = Mailbox::new(MailboxId(0), NetworkId(9), "Orphan".into(), t0());
    assert!(
        missing(store.insert_mailbox(&orphan).await),
        "unknown network"
    );

    // UniqueID: unique in its network, case-insensitively, when not empty.
    let mut same = Mailbox::new(MailboxId(0), NetworkId(1), "Same".into(), t0());
    same.unique_id = "acme".into();
    assert!(conflict(store.insert_mailbox(&same).await));
    same.network_id = NetworkId(2);
    assert_eq!(store.insert_mailbox(&same).await.unwrap(), MailboxId(502));
    for _ in 0..2 {
        let blank = Mailbox::new(MailboxId(0), NetworkId(1), "Blank".into(), t0());
        store.insert_mailbox(&blank).await.unwrap();
    }

    // An update writes every field but the number, the network and the creation time.
    let mut changed = Mailbox {
        network_id: NetworkId(2),
        name: "Renamed".into(),
        unique_id: "NEWCODE".into(),
        description: "Changed".into(),
        address: address("u"),
        phone: "+44 20 5550 0100".into(),
        admin_email: "new@example.com".into(),
        status: UserStatus::Suspended,
        contacts: contacts(40),
        managed: false,
        use_type: UseType::Test,
        config: MailboxConfig {
            inbox_timeout_minutes: 0,
            x12: X12Delimiters::default(),
            ebcdic_filter: 0,
            ftp_ascii_filter: false,
            low_pass_filter: true,
            mailbag_pass_through: false,
            delete_on_download: false,
            strip_directed_envelope: true,
            notify_email: String::new(),
            notify_on_inbox: false,
        },
        default_as2_id: "AS2-NEW".into(),
        created: t0() + Duration::days(9),
        modified: t0() + Duration::days(1),
        ..first.clone()
    };
    store.update_mailbox(&changed).await.unwrap();
    changed.network_id = NetworkId(1);
    changed.created = first.created;
    assert_eq!(
        store.mailbox(MailboxId(1)).await.unwrap(),
        Some(changed.clone())
    );
    let mut taken = store.mailbox(MailboxId(501)).await.unwrap().unwrap();
    taken.unique_id = "newcode".into();
    assert!(
        conflict(store.update_mailbox(&taken).await),
        "UniqueID taken in the network"
    );
    changed.id = MailboxId(999);
    assert!(missing(store.update_mailbox(&changed).await));
}

pub async fn mailbox_lists_filter_page_and_count(store: Arc<dyn Store>) {
    for n in [1, 2] {
        store
            .insert_network(&Network::new(NetworkId(n), format!("Net {n}"), t0()))
            .await
            .unwrap();
    }
    let boxes = [
        (1, "Orders 100%", UserStatus::Active),
        (1, "orders_east", UserStatus::Suspended),
        (2, "ORDERS west", UserStatus::Active),
        (1, "Invoices", UserStatus::Terminated),
        (2, "Archive", UserStatus::Terminated),
    ];
    for (i, (network, name, status)) in (1..).zip(boxes) {
        let mut m = Mailbox::new(MailboxId(i), NetworkId(network), name.into(), t0());
        m.status = status;
        store.insert_mailbox(&m).await.unwrap();
    }
    let list = |filter: MailboxFilter, page: Page| {
        let store = store.clone();
        async move {
            let got = store.list_mailboxes(&filter, page).await.unwrap();
            // The page without its count is the same page.
            let uncounted = store.mailbox_page(&filter, page).await.unwrap();
            assert_eq!(uncounted, got.items, "{filter:?} {page:?}");
            (
                got.items.iter().map(|m| m.id.0).collect::<Vec<_>>(),
                got.total,
            )
        }
    };
    let f = MailboxFilter::default;
    assert_eq!(list(f(), page(1, 3)).await, (vec![1, 2, 3], 5));
    assert_eq!(list(f(), page(2, 3)).await, (vec![4, 5], 5));
    let in_net = |n: i32| MailboxFilter {
        network: Some(NetworkId(n)),
        ..f()
    };
    assert_eq!(list(in_net(1), page(1, 10)).await, (vec![1, 2, 4], 3));
    assert_eq!(list(in_net(2), page(1, 1)).await, (vec![3], 2));
    assert_eq!(list(in_net(2), page(2, 1)).await, (vec![5], 2));
    let one = MailboxFilter {
        mailbox: Some(MailboxId(2)),
        ..f()
    };
    assert_eq!(list(one, page(1, 10)).await, (vec![2], 1));
    let wrong = MailboxFilter {
        mailbox: Some(MailboxId(2)),
        ..in_net(2)
    };
    assert_eq!(list(wrong, page(1, 10)).await, (vec![], 0));
    let active = MailboxFilter {
        status: Some(UserStatus::Active),
        ..f()
    };
    assert_eq!(list(active, page(1, 10)).await, (vec![1, 3], 2));
    let named = |text: &str| MailboxFilter {
        name_contains: Some(text.into()),
        ..f()
    };
    assert_eq!(list(named("orders"), page(1, 10)).await, (vec![1, 2, 3], 3));
    assert_eq!(list(named("%"), page(1, 10)).await, (vec![1], 1));
    assert_eq!(list(named("_"), page(1, 10)).await, (vec![2], 1));
    assert_eq!(list(named("S_E"), page(1, 10)).await, (vec![2], 1));
    let live = MailboxFilter {
        hide_terminated: true,
        ..f()
    };
    assert_eq!(list(live, page(1, 10)).await, (vec![1, 2, 3], 3));
    let live_in_1 = MailboxFilter {
        hide_terminated: true,
        name_contains: Some("O".into()),
        ..in_net(1)
    };
    assert_eq!(list(live_in_1, page(1, 10)).await, (vec![1, 2], 2));
}

pub async fn users_profiles_recovery_and_homes(store: Arc<dyn Store>) {
    seed(&*store).await;
    let new = NewUser {
        login: "Carol".into(),
        password_hash: "$argon2id$stub".into(),
        network_id: NetworkId(1),
        mailbox_id: MailboxId(10),
        auth_level: AuthLevel::MailboxAdmin,
        status: UserStatus::Active,
        person: full_person("carol"),
        recovery_answer_hash: Some("$argon2id$answer".into()),
        created: t0(),
    };
    let id = store.insert_user(&new).await.unwrap();
    let user = store.user(id).await.unwrap().unwrap();
    assert_eq!(user.person, new.person, "every profile field round-trips");
    assert_eq!(
        user.recovery_answer_hash.as_deref(),
        Some("$argon2id$answer")
    );
    assert_eq!((user.created, user.modified), (t0(), t0()));

    let later = |minutes: i64| t0() + Duration::minutes(minutes);
    let mut person = full_person("caroline");
    person.cell_carrier = CellCarrier::Verizon;
    person.time_zone_offset = 330;
    store
        .update_user_profile(id, &person, later(1))
        .await
        .unwrap();
    let user = store.user(id).await.unwrap().unwrap();
    assert_eq!(user.person, person);
    assert_eq!(user.modified, later(1));
    assert_eq!(
        user.recovery_answer_hash.as_deref(),
        Some("$argon2id$answer"),
        "a profile update keeps the answer"
    );

    store
        .set_auth_level(id, AuthLevel::NetworkAdmin, later(2))
        .await
        .unwrap();
    let user = store.user(id).await.unwrap().unwrap();
    assert_eq!(
        (user.auth_level, user.modified),
        (AuthLevel::NetworkAdmin, later(2))
    );

    store
        .set_user_home(id, NetworkId(2), MailboxId(20), later(3))
        .await
        .unwrap();
    let user = store.user(id).await.unwrap().unwrap();
    assert_eq!(
        (user.network_id, user.mailbox_id, user.modified),
        (NetworkId(2), MailboxId(20), later(3))
    );
    assert!(
        missing(
            store
                .set_user_home(id, NetworkId(2), MailboxId(99), later(3))
                .await
        ),
        "unknown mailbox"
    );

    store
        .set_recovery(
            id,
            "Street you grew up on?",
            Some("$argon2id$new"),
            later(4),
        )
        .await
        .unwrap();
    let user = store.user(id).await.unwrap().unwrap();
    assert_eq!(
        (
            user.person.recovery_question.as_str(),
            user.recovery_answer_hash.as_deref(),
            user.modified
        ),
        ("Street you grew up on?", Some("$argon2id$new"), later(4))
    );
    store.set_recovery(id, "", None, later(5)).await.unwrap();
    let user = store.user(id).await.unwrap().unwrap();
    assert_eq!(
        (
            user.person.recovery_question.as_str(),
            user.recovery_answer_hash
        ),
        ("", None)
    );
    assert_eq!(user.person.first_name, "carolineFirst", "the rest is kept");

    let ghost = UserId(9999);
    assert!(missing(
        store.update_user_profile(ghost, &person, t0()).await
    ));
    assert!(missing(
        store.set_auth_level(ghost, AuthLevel::General, t0()).await
    ));
    assert!(missing(
        store
            .set_user_home(ghost, NetworkId(1), MailboxId(10), t0())
            .await
    ));
    assert!(missing(store.set_recovery(ghost, "q", None, t0()).await));
}

pub async fn user_lists_filter_page_and_count(store: Arc<dyn Store>) {
    seed(&*store).await;
    // (login, first, last, mailbox, network, level, status)
    let people = [
        (
            "ann",
            "Ann",
            "Smith",
            10,
            1,
            AuthLevel::MailboxUser,
            UserStatus::Active,
        ),
        (
            "bob_1",
            "Robert",
            "Jones",
            10,
            1,
            AuthLevel::MailboxAdmin,
            UserStatus::Suspended,
        ),
        (
            "cat",
            "Cat",
            "100% Lee",
            11,
            1,
            AuthLevel::MailboxUser,
            UserStatus::Active,
        ),
        (
            "dan",
            "Dan",
            "Smithers",
            20,
            2,
            AuthLevel::NetworkAdmin,
            UserStatus::Terminated,
        ),
        (
            "eve",
            "Eve",
            "Brown",
            20,
            2,
            AuthLevel::MailboxUser,
            UserStatus::Active,
        ),
    ];
    let mut ids = Vec::new();
    for (login, first, last, mailbox, network, level, status) in people {
        let id = store
            .insert_user(&NewUser {
                login: login.into(),
                password_hash: "x".into(),
                network_id: NetworkId(network),
                mailbox_id: MailboxId(mailbox),
                auth_level: level,
                status,
                person: Person {
                    first_name: first.into(),
                    last_name: last.into(),
                    ..Person::default()
                },
                recovery_answer_hash: None,
                created: t0(),
            })
            .await
            .unwrap();
        ids.push(id);
    }
    let list = |filter: UserFilter, page: Page| {
        let store = store.clone();
        let ids = ids.clone();
        async move {
            let got = store.list_users(&filter, page).await.unwrap();
            // The page without its count is the same page.
            let uncounted = store.user_page(&filter, page).await.unwrap();
            assert_eq!(uncounted, got.items, "{filter:?} {page:?}");
            // Positions in `people`, so the expectations read as the table above.
            let at: Vec<usize> = got
                .items
                .iter()
                .map(|u| ids.iter().position(|id| *id == u.id).unwrap())
                .collect();
            (at, got.total)
        }
    };
    let f = UserFilter::default;
    assert_eq!(list(f(), page(1, 2)).await, (vec![0, 1], 5));
    assert_eq!(list(f(), page(3, 2)).await, (vec![4], 5));
    let net1 = UserFilter {
        network: Some(NetworkId(1)),
        ..f()
    };
    assert_eq!(list(net1.clone(), page(1, 10)).await, (vec![0, 1, 2], 3));
    let box10 = UserFilter {
        mailbox: Some(MailboxId(10)),
        ..f()
    };
    assert_eq!(list(box10, page(1, 10)).await, (vec![0, 1], 2));
    let users = UserFilter {
        auth_level: Some(AuthLevel::MailboxUser),
        ..f()
    };
    assert_eq!(list(users, page(1, 10)).await, (vec![0, 2, 4], 3));
    let suspended = UserFilter {
        status: Some(UserStatus::Suspended),
        ..f()
    };
    assert_eq!(list(suspended, page(1, 10)).await, (vec![1], 1));
    let named = |text: &str| UserFilter {
        name_contains: Some(text.into()),
        ..f()
    };
    assert_eq!(
        list(named("SMITH"), page(1, 10)).await,
        (vec![0, 3], 2),
        "last name"
    );
    assert_eq!(
        list(named("rob"), page(1, 10)).await,
        (vec![1], 1),
        "first name"
    );
    assert_eq!(list(named("EV"), page(1, 10)).await, (vec![4], 1), "login");
    assert_eq!(list(named("_"), page(1, 10)).await, (vec![1], 1));
    assert_eq!(list(named("%"), page(1, 10)).await, (vec![2], 1));
    let live = UserFilter {
        hide_terminated: true,
        name_contains: Some("smith".into()),
        ..f()
    };
    assert_eq!(list(live, page(1, 10)).await, (vec![0], 1));
    let paged = UserFilter {
        auth_level: Some(AuthLevel::MailboxUser),
        ..net1
    };
    assert_eq!(list(paged, page(2, 1)).await, (vec![2], 2));
}

pub async fn partners_round_trip_and_sequence(store: Arc<dyn Store>) {
    seed(&*store).await;
    let mut given = full_partner(10, 1, "zz", "Acme");
    let first = store.insert_partner(&given).await.unwrap();
    given.ecgrid_id = first;
    assert_eq!(
        store.partner(first).await.unwrap().as_ref(),
        Some(&given),
        "every field round-trips, qualifier and ID as given"
    );
    let found = store
        .list_partners(
            &PartnerFilter {
                qualifier_key: Some("ZZ".into()),
                id_key: Some("ACME".into()),
                ..PartnerFilter::default()
            },
            page(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(found.items, [given.clone()], "found by its keys");

    // The sequence hands out increasing numbers, whatever number the record carries.
    let mut numbers = vec![first];
    for (i, id) in ["B", "C", "D"].into_iter().enumerate() {
        let mut p = full_partner(11, 1, "ZZ", id);
        p.ecgrid_id = EcGridId(i32::try_from(i).unwrap());
        numbers.push(store.insert_partner(&p).await.unwrap());
    }
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "increasing: {numbers:?}"
    );
    let orphan = full_partner(99, 1, "ZZ", "ORPHAN");
    assert!(
        missing(store.insert_partner(&orphan).await),
        "unknown mailbox"
    );

    // An update writes every field but the number and the creation time.
    let mut changed = TradingPartner {
        network_id: NetworkId(2),
        mailbox_id: MailboxId(20),
        qualifier: "01".into(),
        id: "123456789".into(),
        description: "Renamed".into(),
        status: UserStatus::Suspended,
        data_email: "new@acme.example".into(),
        routing_group: RoutingGroup::Test,
        is_default: true,
        owner: UserId(8),
        van: false,
        simulated: false,
        x12: X12Delimiters {
            segment: b'\n',
            element: b'|',
            sub_element: 0,
        },
        created: t0() + Duration::days(9),
        modified: t0() + Duration::days(1),
        ..given.clone()
    };
    store.update_partner(&changed).await.unwrap();
    changed.created = given.created;
    assert_eq!(store.partner(first).await.unwrap(), Some(changed.clone()));
    assert_eq!(
        store.partner_by_address("ZZ", "ACME").await.unwrap(),
        None,
        "the old pair is free"
    );
    changed.ecgrid_id = EcGridId(-1);
    assert!(missing(store.update_partner(&changed).await));
}

pub async fn partner_pairs_conflict_until_terminated(store: Arc<dyn Store>) {
    seed(&*store).await;
    let acme = full_partner(10, 1, "ZZ", "ACME");
    let first = store.insert_partner(&acme).await.unwrap();
    // Same keys: qualifier case, ID case and trailing spaces do not matter.
    let again = full_partner(20, 2, "zz", "acme  ");
    assert!(conflict(store.insert_partner(&again).await), "active pair");
    let mut suspended = store.partner(first).await.unwrap().unwrap();
    suspended.status = UserStatus::Suspended;
    store.update_partner(&suspended).await.unwrap();
    assert!(
        conflict(store.insert_partner(&again).await),
        "suspended pair"
    );

    let mut terminated = suspended.clone();
    terminated.status = UserStatus::Terminated;
    store.update_partner(&terminated).await.unwrap();
    let second = store.insert_partner(&again).await.unwrap();
    assert_ne!(first, second, "registered anew after termination");
    assert!(
        conflict(store.update_partner(&suspended).await),
        "the terminated registration cannot come back while the pair is taken"
    );

    // Moving an ID onto a taken pair is refused too.
    let other = store
        .insert_partner(&full_partner(11, 1, "ZZ", "OTHER"))
        .await
        .unwrap();
    let mut moved = store.partner(other).await.unwrap().unwrap();
    moved.id = "Acme".into();
    assert!(conflict(store.update_partner(&moved).await));
    moved.status = UserStatus::Terminated;
    store.update_partner(&moved).await.unwrap();
    assert_eq!(
        store.partner(other).await.unwrap().unwrap().id,
        "Acme",
        "a terminated ID may carry a taken pair"
    );
}

pub async fn terminating_a_mailbox_terminates_its_ids(store: Arc<dyn Store>) {
    seed(&*store).await;
    let add = |mailbox: i32, network: i32, id: &str, status: UserStatus| {
        let store = store.clone();
        let mut p = full_partner(mailbox, network, "ZZ", id);
        p.status = status;
        async move { store.insert_partner(&p).await.unwrap() }
    };
    let active = add(10, 1, "A1", UserStatus::Active).await;
    let suspended = add(10, 1, "A2", UserStatus::Suspended).await;
    let old = add(10, 1, "A3", UserStatus::Terminated).await;
    let elsewhere = add(11, 1, "B1", UserStatus::Active).await;

    let now = t0() + Duration::hours(5);
    store
        .set_mailbox_status(MailboxId(10), UserStatus::Suspended, now)
        .await
        .unwrap();
    let status = |id: EcGridId| {
        let store = store.clone();
        async move {
            let p = store.partner(id).await.unwrap().unwrap();
            (p.status, p.modified)
        }
    };
    let before = t0() + Duration::seconds(3);
    assert_eq!(
        status(active).await,
        (UserStatus::Active, before),
        "suspending a mailbox leaves its IDs alone"
    );

    let later = now + Duration::minutes(1);
    store
        .set_mailbox_status(MailboxId(10), UserStatus::Terminated, later)
        .await
        .unwrap();
    let mailbox = store.mailbox(MailboxId(10)).await.unwrap().unwrap();
    assert_eq!(
        (mailbox.status, mailbox.modified),
        (UserStatus::Terminated, later)
    );
    assert_eq!(status(active).await, (UserStatus::Terminated, later));
    assert_eq!(status(suspended).await, (UserStatus::Terminated, later));
    assert_eq!(
        status(old).await,
        (UserStatus::Terminated, before),
        "already terminated: untouched"
    );
    assert_eq!(status(elsewhere).await, (UserStatus::Active, before));
    // Their pairs are free again.
    add(11, 1, "A1", UserStatus::Active).await;
    add(11, 1, "A2", UserStatus::Active).await;

    assert!(missing(
        store
            .set_mailbox_status(MailboxId(99), UserStatus::Terminated, later)
            .await
    ));
}

pub async fn default_id_is_exclusive_in_a_mailbox(store: Arc<dyn Store>) {
    seed(&*store).await;
    let add = |mailbox: i32, id: &str, is_default: bool| {
        let store = store.clone();
        let mut p = full_partner(mailbox, 1, "ZZ", id);
        p.is_default = is_default;
        async move { store.insert_partner(&p).await.unwrap() }
    };
    let defaults = |ids: Vec<EcGridId>| {
        let store = store.clone();
        async move {
            let mut out = Vec::new();
            for id in ids {
                out.push(store.partner(id).await.unwrap().unwrap().is_default);
            }
            out
        }
    };
    let a = add(10, "A", true).await;
    let b = add(10, "B", true).await;
    assert_eq!(defaults(vec![a, b]).await, [false, true]);
    let c = add(10, "C", false).await;
    let d = add(11, "D", true).await;
    assert_eq!(
        defaults(vec![a, b, c, d]).await,
        [false, true, false, true],
        "another mailbox keeps its own default"
    );

    let mut pa = store.partner(a).await.unwrap().unwrap();
    pa.is_default = true;
    store.update_partner(&pa).await.unwrap();
    assert_eq!(defaults(vec![a, b, c, d]).await, [true, false, false, true]);
    store.update_partner(&pa).await.unwrap();
    assert_eq!(
        defaults(vec![a, b]).await,
        [true, false],
        "setting it again keeps it"
    );
    let mut pc = store.partner(c).await.unwrap().unwrap();
    pc.description = "changed".into();
    store.update_partner(&pc).await.unwrap();
    assert_eq!(
        defaults(vec![a, c]).await,
        [true, false],
        "an update without the flag leaves the default"
    );
}

pub async fn partner_lists_filter_order_and_page(store: Arc<dyn Store>) {
    seed(&*store).await;
    // (mailbox, network, qualifier, id, description, status, owner, simulated)
    let rows = [
        (
            10,
            1,
            "ZZ",
            "ACME",
            "Acme 50% off",
            UserStatus::Active,
            7,
            false,
        ),
        (
            10,
            1,
            "01",
            "123456789",
            "beta_corp",
            UserStatus::Suspended,
            8,
            true,
        ),
        (
            11,
            1,
            "zz",
            "Bravo",
            "Charlie",
            UserStatus::Active,
            7,
            false,
        ),
        (
            20,
            2,
            "ZZ",
            "DELTA",
            "acme west",
            UserStatus::Terminated,
            0,
            true,
        ),
        (20, 2, "14", "acme", "Charlie", UserStatus::Active, 8, false),
        (10, 1, "ZZ", "echo ", "", UserStatus::Active, 7, false),
    ];
    let mut ids = Vec::new();
    for (mailbox, network, qualifier, id, description, status, owner, simulated) in rows {
        let mut p = full_partner(mailbox, network, qualifier, id);
        p.description = description.into();
        p.status = status;
        p.owner = UserId(owner);
        p.simulated = simulated;
        ids.push(store.insert_partner(&p).await.unwrap());
    }
    let list = |filter: PartnerFilter, page: Page| {
        let store = store.clone();
        let ids = ids.clone();
        async move {
            let got = store.list_partners(&filter, page).await.unwrap();
            // Positions in `rows`, so the expectations read as the table above.
            let at: Vec<usize> = got
                .items
                .iter()
                .map(|p| ids.iter().position(|id| *id == p.ecgrid_id).unwrap())
                .collect();
            (at, got.total)
        }
    };
    let f = PartnerFilter::default;
    let all = page(1, 100);
    assert_eq!(list(f(), all).await, (vec![0, 1, 2, 3, 4, 5], 6));
    let net = |n: i32| PartnerFilter {
        network: Some(NetworkId(n)),
        ..f()
    };
    assert_eq!(list(net(1), all).await, (vec![0, 1, 2, 5], 4));
    assert_eq!(list(net(2), all).await, (vec![3, 4], 2));
    let mailbox = PartnerFilter {
        mailbox: Some(MailboxId(10)),
        ..f()
    };
    assert_eq!(list(mailbox, all).await, (vec![0, 1, 5], 3));
    let owner = |u: i32| PartnerFilter {
        owner: Some(UserId(u)),
        ..f()
    };
    assert_eq!(list(owner(7), all).await, (vec![0, 2, 5], 3));
    assert_eq!(list(owner(0), all).await, (vec![3], 1));
    let qualifier = PartnerFilter {
        qualifier_key: Some("ZZ".into()),
        ..f()
    };
    assert_eq!(list(qualifier.clone(), all).await, (vec![0, 2, 3, 5], 4));
    let id = PartnerFilter {
        id_key: Some("ACME".into()),
        ..f()
    };
    assert_eq!(list(id.clone(), all).await, (vec![0, 4], 2));
    let pair = PartnerFilter {
        id_key: Some("ACME".into()),
        ..qualifier.clone()
    };
    assert_eq!(list(pair, all).await, (vec![0], 1));
    let echo = PartnerFilter {
        id_key: Some("ECHO".into()),
        ..f()
    };
    assert_eq!(
        list(echo, all).await,
        (vec![5], 1),
        "the key drops trailing spaces"
    );
    let described = |text: &str| PartnerFilter {
        description_contains: Some(text.into()),
        ..f()
    };
    assert_eq!(list(described("ACME"), all).await, (vec![0, 3], 2));
    assert_eq!(list(described("%"), all).await, (vec![0], 1));
    assert_eq!(list(described("_"), all).await, (vec![1], 1));
    assert_eq!(list(described("a_c"), all).await, (vec![1], 1));
    let statuses = |s: Vec<UserStatus>| PartnerFilter { statuses: s, ..f() };
    assert_eq!(
        list(statuses(vec![UserStatus::Active]), all).await,
        (vec![0, 2, 4, 5], 4)
    );
    assert_eq!(
        list(
            statuses(vec![UserStatus::Suspended, UserStatus::Terminated]),
            all
        )
        .await,
        (vec![1, 3], 2)
    );
    let simulated = |s: bool| PartnerFilter {
        simulated: Some(s),
        ..f()
    };
    assert_eq!(list(simulated(true), all).await, (vec![1, 3], 2));
    assert_eq!(list(simulated(false), all).await, (vec![0, 2, 4, 5], 4));

    // Orders: description by code point, then ECGridID; qualifier and ID by their keys.
    let by = |order: PartnerOrder| PartnerFilter { order, ..f() };
    assert_eq!(
        list(by(PartnerOrder::Description), all).await,
        (vec![5, 0, 2, 4, 3, 1], 6)
    );
    assert_eq!(
        list(by(PartnerOrder::QualifierId), all).await,
        (vec![1, 4, 0, 2, 3, 5], 6)
    );
    assert_eq!(
        list(by(PartnerOrder::Description), page(2, 4)).await,
        (vec![3, 1], 6)
    );
    assert_eq!(list(net(1), page(2, 3)).await, (vec![5], 4));
    let combined = PartnerFilter {
        statuses: vec![UserStatus::Active],
        order: PartnerOrder::Description,
        ..qualifier
    };
    assert_eq!(list(combined, page(1, 2)).await, (vec![5, 0], 3));
}

pub async fn partner_by_address_finds_only_the_active_id(store: Arc<dyn Store>) {
    seed(&*store).await;
    let add = |id: &str, status: UserStatus| {
        let store = store.clone();
        let mut p = full_partner(10, 1, "ZZ", id);
        p.status = status;
        async move { store.insert_partner(&p).await.unwrap() }
    };
    let lookup = |q: &str, id: &str| {
        let store = store.clone();
        let (q, id) = (q.to_string(), id.to_string());
        async move {
            store
                .partner_by_address(&q, &id)
                .await
                .unwrap()
                .map(|p| p.ecgrid_id)
        }
    };
    let active = add("Acme", UserStatus::Active).await;
    add("SUSP", UserStatus::Suspended).await;
    add("GONE", UserStatus::Terminated).await;
    assert_eq!(lookup("ZZ", "ACME").await, Some(active), "VAN IDs included");
    assert_eq!(lookup("ZZ", "SUSP").await, None, "suspended");
    assert_eq!(lookup("ZZ", "GONE").await, None, "terminated");
    assert_eq!(lookup("01", "ACME").await, None, "other qualifier");
    assert_eq!(lookup("ZZ", "NOBODY").await, None);
    let back = add("gone", UserStatus::Active).await;
    assert_eq!(
        lookup("ZZ", "GONE").await,
        Some(back),
        "the live registration, not the terminated one"
    );
}

/// `route_by_address` reads what `partner_by_address`, `mailbox` and `network` read one
/// after the other: the active ID, its mailbox whatever its status, that mailbox's network's
/// delimiters; nothing for a pair with no active ID.
pub async fn route_by_address_joins_the_mailbox_and_its_network(store: Arc<dyn Store>) {
    seed(&*store).await;
    store
        .insert_network(&full_network(3, "Full Net"))
        .await
        .unwrap();
    store
        .insert_mailbox(&full_mailbox(30, 3, "Full Box"))
        .await
        .unwrap();
    let mut suspended = full_mailbox(31, 3, "Held Box");
    suspended.status = UserStatus::Suspended;
    store.insert_mailbox(&suspended).await.unwrap();
    let add = |mailbox: i32, network: i32, id: &str, status: UserStatus| {
        let store = store.clone();
        let mut p = full_partner(mailbox, network, "ZZ", id);
        p.status = status;
        async move { store.insert_partner(&p).await.unwrap() }
    };
    add(30, 3, "FULL", UserStatus::Active).await;
    add(31, 3, "HELD", UserStatus::Active).await;
    add(10, 1, "PLAIN", UserStatus::Active).await;
    add(30, 3, "SUSP", UserStatus::Suspended).await;
    add(30, 3, "GONE", UserStatus::Terminated).await;
    // What reading each in turn gives.
    let separately = |q: &str, id: &str| {
        let store = store.clone();
        let (q, id) = (q.to_string(), id.to_string());
        async move {
            let partner = store.partner_by_address(&q, &id).await.unwrap()?;
            let mailbox = store.mailbox(partner.mailbox_id).await.unwrap();
            let network_x12 = match &mailbox {
                Some(m) => store.network(m.network_id).await.unwrap().map(|n| n.x12),
                None => None,
            };
            Some(PartnerRoute {
                partner,
                mailbox,
                network_x12,
            })
        }
    };
    for id in ["FULL", "HELD", "PLAIN"] {
        let route = store.route_by_address("ZZ", id).await.unwrap();
        assert!(route.is_some(), "{id}: an active ID has a route");
        assert_eq!(route, separately("ZZ", id).await, "{id}");
    }
    let full = store.route_by_address("ZZ", "FULL").await.unwrap().unwrap();
    assert_eq!(
        full.mailbox.as_ref().map(|m| m.config.x12.element),
        Some(b'|')
    );
    assert_eq!(full.network_x12.map(|x| x.segment), Some(b'~'));
    let held = store.route_by_address("ZZ", "HELD").await.unwrap().unwrap();
    assert_eq!(
        held.mailbox.map(|m| m.status),
        Some(UserStatus::Suspended),
        "a suspended mailbox is read, for routing to refuse"
    );
    for id in ["SUSP", "GONE", "NOBODY"] {
        assert_eq!(
            store.route_by_address("ZZ", id).await.unwrap(),
            None,
            "{id}"
        );
    }
    assert_eq!(store.route_by_address("01", "FULL").await.unwrap(), None);
}

/// `list_partner_details` gives `list_partners`' page and total, each ID with its network's
/// name, its mailbox and its owner exactly as they read on their own (`None` where there is
/// none), whichever filter, order and page; searches by ID included (which SQLite reads
/// inline).
pub async fn partner_details_join_network_mailbox_and_owner(store: Arc<dyn Store>) {
    seed(&*store).await;
    store
        .insert_network(&full_network(3, "Full Net"))
        .await
        .unwrap();
    store
        .insert_mailbox(&full_mailbox(30, 3, "Full Box"))
        .await
        .unwrap();
    let new = NewUser {
        login: "Owner".into(),
        password_hash: "$argon2id$stub".into(),
        network_id: NetworkId(3),
        mailbox_id: MailboxId(30),
        auth_level: AuthLevel::MailboxAdmin,
        status: UserStatus::Active,
        person: full_person("owner"),
        recovery_answer_hash: Some("$argon2id$answer".into()),
        created: t0(),
    };
    let owner = store.insert_user(&new).await.unwrap();
    // The nullable columns set too.
    store.set_max_sessions(owner, Some(5)).await.unwrap();
    store
        .record_login_failure(owner, 1, t0() + Duration::minutes(15))
        .await
        .unwrap();
    let plain = store
        .insert_user(&NewUser {
            login: "Plain".into(),
            person: Person::default(),
            recovery_answer_hash: None,
            network_id: NetworkId(1),
            mailbox_id: MailboxId(10),
            ..new.clone()
        })
        .await
        .unwrap();
    // (mailbox, network, qualifier, id, owner): an owner with every field, one with none
    // set, no owner, an owner that does not exist, a network that does not exist.
    let rows = [
        (30, 3, "ZZ", "FULL", owner.0),
        (10, 1, "ZZ", "PLAIN", plain.0),
        (10, 1, "01", "NOBODY", 0),
        (11, 1, "ZZ", "GHOST", 9999),
        (20, 4, "14", "FULL", owner.0),
    ];
    for (mailbox, network, qualifier, id, by) in rows {
        let mut p = full_partner(mailbox, network, qualifier, id);
        p.owner = UserId(by);
        p.description = format!("{id} {qualifier}");
        store.insert_partner(&p).await.unwrap();
    }
    let check = |filter: PartnerFilter, page: Page| {
        let store = store.clone();
        async move {
            let plain = store.list_partners(&filter, page).await.unwrap();
            let got = store.list_partner_details(&filter, page).await.unwrap();
            assert_eq!(got.total, plain.total, "{filter:?} {page:?}");
            let partners: Vec<_> = got.items.iter().map(|d| d.partner.clone()).collect();
            assert_eq!(partners, plain.items, "{filter:?} {page:?}");
            for d in &got.items {
                let p = &d.partner;
                let network = store.network(p.network_id).await.unwrap();
                assert_eq!(d.network_name, network.map(|n| n.name), "{p:?}");
                assert_eq!(d.mailbox, store.mailbox(p.mailbox_id).await.unwrap());
                assert_eq!(d.owner, store.user(p.owner).await.unwrap(), "{p:?}");
            }
            got.items.len()
        }
    };
    let f = PartnerFilter::default;
    assert_eq!(check(f(), page(1, 100)).await, 5);
    let by_id = |id: &str| PartnerFilter {
        id_key: Some(id.into()),
        ..f()
    };
    assert_eq!(check(by_id("FULL"), page(1, 100)).await, 2);
    assert_eq!(check(by_id("FULL"), page(1, 1)).await, 1, "a full page");
    assert_eq!(check(by_id("FULL"), page(2, 1)).await, 1);
    assert_eq!(check(by_id("FULL"), page(3, 1)).await, 0, "past the end");
    let pair = PartnerFilter {
        qualifier_key: Some("ZZ".into()),
        network: Some(NetworkId(3)),
        statuses: vec![UserStatus::Active],
        ..by_id("FULL")
    };
    assert_eq!(check(pair, page(1, 100)).await, 1);
    assert_eq!(check(by_id("NONE"), page(1, 100)).await, 0);
    let ordered = |order: PartnerOrder| PartnerFilter { order, ..f() };
    for order in [
        PartnerOrder::EcGridId,
        PartnerOrder::Description,
        PartnerOrder::QualifierId,
    ] {
        for p in [page(1, 100), page(1, 2), page(2, 2), page(3, 2)] {
            check(ordered(order), p).await;
        }
    }
    let network = PartnerFilter {
        network: Some(NetworkId(1)),
        ..f()
    };
    assert_eq!(check(network, page(1, 100)).await, 3);
    let found = store
        .list_partner_details(&by_id("PLAIN"), page(1, 100))
        .await
        .unwrap();
    let d = &found.items[0];
    assert_eq!(d.network_name.as_deref(), Some("Net 1"));
    assert_eq!(d.mailbox.as_ref().map(|m| m.id), Some(MailboxId(10)));
    assert_eq!(d.owner.as_ref().map(|u| u.id), Some(plain));
}

/// Runs every directory check, each on a fresh store from `fresh`.
pub async fn run_all<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    networks_round_trip_and_numbering(fresh().await).await;
    network_lists_filter_page_and_count(fresh().await).await;
    mailboxes_round_trip_numbering_and_unique_ids(fresh().await).await;
    mailbox_lists_filter_page_and_count(fresh().await).await;
    users_profiles_recovery_and_homes(fresh().await).await;
    user_lists_filter_page_and_count(fresh().await).await;
    partners_round_trip_and_sequence(fresh().await).await;
    partner_pairs_conflict_until_terminated(fresh().await).await;
    terminating_a_mailbox_terminates_its_ids(fresh().await).await;
    default_id_is_exclusive_in_a_mailbox(fresh().await).await;
    partner_lists_filter_order_and_page(fresh().await).await;
    partner_by_address_finds_only_the_active_id(fresh().await).await;
    route_by_address_joins_the_mailbox_and_its_network(fresh().await).await;
    partner_details_join_network_mailbox_and_owner(fresh().await).await;
}
