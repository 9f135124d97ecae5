use edigrid_domain::{AuthLevel, ContactType, Error, NetworkId, UserId, UserStatus, WebsiteType};

use super::{World, denied, invalid, operator};
use crate::directory::model::{NetworkFilter, Page};
use crate::directory::{NetworkChanges, NetworkCreateRequest};

#[tokio::test]
async fn outside_its_reach_a_caller_cannot_tell_a_network_exists() {
    let w = World::new().await;
    let admin = w.user("na", AuthLevel::NetworkAdmin, 10).await;
    let other = denied(w.core.network_info(&admin, NetworkId(2)).await);
    let missing = denied(w.core.network_info(&admin, NetworkId(999)).await);
    assert_eq!(other.replace('2', "999"), missing);
    assert_eq!(missing, "no authority over NetworkID 999");
    assert_eq!(
        w.core.network_info(&operator(), NetworkId(999)).await,
        Err(Error::not_found("NetworkID"))
    );
    let ops = w.user("ops", AuthLevel::NetOps, 10).await;
    assert_eq!(
        w.core.network_info(&ops, NetworkId(999)).await,
        Err(Error::not_found("NetworkID"))
    );
    // A mailbox user reads its own network's record, a TPUser none.
    let mu = w.user("mu", AuthLevel::MailboxUser, 10).await;
    assert!(w.core.network_info(&mu, NetworkId(1)).await.is_ok());
    let tp = w.user("tp", AuthLevel::TPUser, 10).await;
    denied(w.core.network_info(&tp, NetworkId(1)).await);
}

#[tokio::test]
async fn only_root_and_techops_create_networks_numbered_or_assigned() {
    let w = World::new().await;
    let ops = w.user("ops", AuthLevel::NetOps, 10).await;
    let techops = w.user("tech", AuthLevel::TechOps, 10).await;
    let request = NetworkCreateRequest {
        name: "Third".into(),
        admin_email: "noc@example.com".into(),
        ..Default::default()
    };
    let text = denied(w.core.network_create(&ops, request.clone()).await);
    assert_eq!(text, "NetOps may not create networks");
    let created = w
        .core
        .network_create(&techops, request.clone())
        .await
        .unwrap();
    assert_eq!(created.id, NetworkId(3));
    let taken = NetworkCreateRequest {
        id: NetworkId(1),
        ..request.clone()
    };
    invalid(w.core.network_create(&techops, taken).await, "NetworkID");
    let bad_mail = NetworkCreateRequest {
        admin_email: "not a mail".into(),
        ..request
    };
    invalid(
        w.core.network_create(&techops, bad_mail).await,
        "AdminEmail",
    );
}

#[tokio::test]
async fn network_admins_change_settings_but_not_status() {
    let w = World::new().await;
    let admin = w.user("na", AuthLevel::NetworkAdmin, 10).await;
    let changes = NetworkChanges {
        name: Some("Renamed".into()),
        location: Some("Cleveland".into()),
        ..Default::default()
    };
    let changed = w
        .core
        .network_update(&admin, NetworkId(1), changes)
        .await
        .unwrap();
    assert_eq!(
        (changed.name.as_str(), changed.location.as_str()),
        ("Renamed", "Cleveland")
    );
    let empty_name = NetworkChanges {
        name: Some(" ".into()),
        location: Some("Elsewhere".into()),
        ..Default::default()
    };
    invalid(
        w.core
            .network_update(&admin, NetworkId(1), empty_name)
            .await,
        "Name",
    );
    let stored = w.core.network_info(&admin, NetworkId(1)).await.unwrap();
    assert_eq!(
        stored.location, "Cleveland",
        "a refused change changes nothing"
    );

    let text = denied(
        w.core
            .network_set_status(&admin, NetworkId(1), UserStatus::Suspended)
            .await,
    );
    assert_eq!(text, "NetworkAdmin may not change the status of network 1");
    let nu = w.user("nu", AuthLevel::NetworkUser, 10).await;
    denied(
        w.core
            .network_set_website(&nu, NetworkId(1), WebsiteType::Home, "x")
            .await,
    );

    let ops = w.user("ops", AuthLevel::NetOps, 10).await;
    let done = w
        .core
        .network_set_status(&ops, NetworkId(1), UserStatus::Terminated)
        .await
        .unwrap();
    assert_eq!(done.status, UserStatus::Terminated);
    invalid(
        w.core
            .network_set_status(&ops, NetworkId(1), UserStatus::Active)
            .await,
        "NetworkID",
    );
}

#[tokio::test]
async fn contacts_are_users_of_the_network_unless_an_operator_names_them() {
    let w = World::new().await;
    let admin = w.user("na", AuthLevel::NetworkAdmin, 10).await;
    let stranger = w.user("far", AuthLevel::MailboxUser, 20).await;
    assert_eq!(
        w.core
            .network_get_contact(&admin, NetworkId(1), ContactType::Owner)
            .await,
        Err(Error::not_found("ContactType"))
    );
    // A user of another network is outside a network admin's reach.
    denied(
        w.core
            .network_set_contact(&admin, NetworkId(1), ContactType::Owner, stranger.user_id)
            .await,
    );
    w.core
        .network_set_contact(
            &operator(),
            NetworkId(1),
            ContactType::Owner,
            stranger.user_id,
        )
        .await
        .unwrap();
    let owner = w
        .core
        .network_get_contact(&admin, NetworkId(1), ContactType::Owner)
        .await
        .unwrap();
    assert_eq!(owner.login, "far");
    let set = w
        .core
        .network_set_contact(&admin, NetworkId(1), ContactType::Errors, admin.user_id)
        .await
        .unwrap();
    assert_eq!(set.contacts.errors, admin.user_id);
    let cleared = w
        .core
        .network_set_contact(&admin, NetworkId(1), ContactType::Errors, UserId(0))
        .await
        .unwrap();
    assert_eq!(cleared.contacts.errors, UserId(0));
}

#[tokio::test]
async fn lists_show_what_the_caller_may_read() {
    let w = World::new().await;
    let all = w
        .core
        .admin_list_networks(NetworkFilter::default(), Page::first(1))
        .await
        .unwrap();
    assert_eq!((all.items.len(), all.total), (1, 2));
    let mb = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let own = w
        .core
        .network_list(&mb, NetworkFilter::default(), Page::first(10))
        .await
        .unwrap();
    assert_eq!(
        own.items.iter().map(|n| n.id).collect::<Vec<_>>(),
        [NetworkId(1)]
    );
    let filter = NetworkFilter {
        network: Some(NetworkId(2)),
        ..Default::default()
    };
    denied(w.core.network_list(&mb, filter, Page::first(10)).await);
}

#[test]
fn pages_are_checked_as_the_wire_gives_them() {
    assert_eq!(
        Page::parse(0, 0, 25),
        Ok(Page {
            number: 1,
            size: 25
        })
    );
    assert_eq!(
        Page::parse(3, 500, 100),
        Ok(Page {
            number: 3,
            size: 500
        })
    );
    invalid(Page::parse(1, 501, 100), "RecordsPerPage");
    invalid(Page::parse(1, -1, 100), "RecordsPerPage");
    invalid(Page::parse(-2, 10, 100), "PageNo");
}

#[tokio::test]
async fn a_network_page_is_the_list_without_counting_it() {
    use std::sync::atomic::Ordering;
    let w = World::new().await;
    let g = w.user("gen", AuthLevel::General, 10).await;
    let mb = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let na = w.user("na", AuthLevel::NetworkAdmin, 10).await;
    let far = w.user("far", AuthLevel::MailboxUser, 20).await;
    let op = operator();
    let counted = || w.store.counted_lists.load(Ordering::Relaxed);
    let with = |f: fn(&mut NetworkFilter)| {
        let mut filter = NetworkFilter::default();
        f(&mut filter);
        filter
    };
    let filters = [
        NetworkFilter::default(),
        with(|f| f.network = Some(NetworkId(2))),
        with(|f| f.network = Some(NetworkId(999))),
        with(|f| f.name_contains = Some("WORK 2".into())),
        with(|f| f.status = Some(UserStatus::Suspended)),
        with(|f| f.hide_terminated = true),
    ];
    let pages = [Page::first(10), Page::first(1), Page { number: 2, size: 1 }];
    // Every caller, filter and page: the same networks or the same refusal as the counted
    // list, and no count.
    for who in [&g, &mb, &na, &far, &op] {
        for filter in &filters {
            for page in pages {
                let before = counted();
                let got = w.core.network_page(who, filter.clone(), page).await;
                assert_eq!(counted(), before, "{who:?} {filter:?} {page:?}");
                let listed = w.core.network_list(who, filter.clone(), page).await;
                assert_eq!(got, listed.map(|l| l.items), "{who:?} {filter:?} {page:?}");
            }
        }
    }
    let ids = |got: Result<Vec<crate::directory::model::Network>, Error>| {
        got.unwrap().into_iter().map(|n| n.id.0).collect::<Vec<_>>()
    };
    let all = NetworkFilter::default;
    assert_eq!(
        ids(w.core.network_page(&op, all(), Page::first(10)).await),
        [1, 2]
    );
    let second = Page { number: 2, size: 1 };
    assert_eq!(ids(w.core.network_page(&op, all(), second).await), [2]);
    assert_eq!(
        ids(w
            .core
            .network_page(&op, filters[3].clone(), Page::first(10))
            .await),
        [2]
    );
    // Below the operators, only the caller's own network.
    assert_eq!(
        ids(w.core.network_page(&mb, all(), Page::first(10)).await),
        [1]
    );
    assert_eq!(
        ids(w.core.network_page(&far, all(), Page::first(10)).await),
        [2]
    );
    assert!(ids(w.core.network_page(&na, all(), second).await).is_empty());
    denied(
        w.core
            .network_page(&na, filters[1].clone(), Page::first(10))
            .await,
    );
    denied(
        w.core
            .network_page(&mb, filters[2].clone(), Page::first(10))
            .await,
    );
    assert_eq!(
        w.core
            .network_page(&op, filters[2].clone(), Page::first(10))
            .await,
        Err(Error::not_found("NetworkID"))
    );
    // A General user reads no network list.
    assert_eq!(
        denied(w.core.network_page(&g, all(), Page::first(10)).await),
        "General may read only its own user"
    );
    // The counted list does count: the checks above would see the page count.
    let before = counted();
    w.core
        .network_list(&op, all(), Page::first(10))
        .await
        .unwrap();
    assert_eq!(counted(), before + 1);
}
