//! Lists with their IDs' details (`partner_*_detailed`) against what the caller reads one
//! object at a time, and the caller's identity kept beside a hot session's copy.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use edigrid_domain::{AuthLevel, Error, MailboxId, NetworkId, RoutingGroup, UserId};

use super::{World, operator};
use crate::directory::model::{Page, Paged, PartnerDetail, PartnerFilter};
use crate::directory::{PartnerAddRequest, PartnerChanges, PartnerScope};
use crate::sessions::Caller;

fn pair(mailbox: i32, id: &str) -> PartnerAddRequest {
    PartnerAddRequest {
        network: NetworkId(if mailbox == 20 { 2 } else { 1 }),
        mailbox: MailboxId(mailbox),
        qualifier: "ZZ".into(),
        id: id.into(),
        description: format!("ID {id}"),
        routing_group: RoutingGroup::ProductionA,
    }
}

/// What the deployed dialect showed before lists read their details with the page: the
/// plain list, then each ID's network, mailbox and owner read as the caller, each left out
/// where the read is refused or finds nothing.
async fn one_by_one(
    w: &World,
    caller: &Caller,
    filter: PartnerFilter,
) -> Result<Paged<PartnerDetail>, Error> {
    let found = w
        .core
        .partner_list(caller, filter, Page::first(100))
        .await?;
    let mut items = Vec::new();
    for p in found.items {
        let network = w.core.network_info(caller, p.network_id).await;
        let mailbox = w.core.mailbox_info(caller, p.mailbox_id).await;
        let owner = match p.owner {
            UserId(0) => None,
            id => w.core.user_info(caller, id).await.ok(),
        };
        items.push(PartnerDetail {
            network_name: network.ok().map(|n| n.name),
            mailbox: mailbox.ok(),
            owner,
            partner: p,
        });
    }
    Ok(Paged {
        items,
        total: found.total,
    })
}

#[tokio::test]
async fn detailed_lists_show_each_caller_what_they_may_read_one_by_one() {
    let w = World::new().await;
    let na = w.user("na", AuthLevel::NetworkAdmin, 10).await;
    let nu = w.user("nu", AuthLevel::NetworkUser, 11).await;
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let mu = w.user("mu", AuthLevel::MailboxUser, 11).await;
    let na2 = w.user("na2", AuthLevel::NetworkAdmin, 20).await;
    let tp = w.user("tp", AuthLevel::TPUser, 10).await;
    let op = operator();
    // Owners: a mailbox's admin, a network admin in another mailbox, nobody (the operator),
    // another network's admin.
    let ids = [
        w.core.partner_add(&ma, pair(10, "A")).await.unwrap(),
        w.core.partner_add(&na, pair(11, "B")).await.unwrap(),
        w.core.partner_add(&op, pair(11, "C")).await.unwrap(),
        w.core.partner_add(&na2, pair(20, "D")).await.unwrap(),
    ];
    let owned_elsewhere = PartnerChanges {
        owner: Some(na.user_id),
        ..PartnerChanges::default()
    };
    w.core
        .partner_update(&op, ids[0].ecgrid_id, owned_elsewhere)
        .await
        .unwrap();

    let callers = [&op, &na, &nu, &ma, &mu, &na2, &tp];
    let scopes = [
        PartnerScope::default(),
        PartnerScope {
            network: Some(NetworkId(1)),
            ..PartnerScope::default()
        },
        PartnerScope {
            network: Some(NetworkId(2)),
            ..PartnerScope::default()
        },
        PartnerScope {
            mailbox: Some(MailboxId(11)),
            ..PartnerScope::default()
        },
        PartnerScope {
            network: Some(NetworkId(9)),
            ..PartnerScope::default()
        },
    ];
    let mut shown = 0;
    for caller in callers {
        for scope in scopes {
            for id in ["A", "B", "C", "D", ""] {
                let filter = PartnerFilter {
                    id_key: Some(id.into()).filter(|k: &String| !k.is_empty()),
                    network: scope.network,
                    mailbox: scope.mailbox,
                    ..PartnerFilter::default()
                };
                let want = one_by_one(&w, caller, filter.clone()).await;
                let got = w
                    .core
                    .partner_list_detailed(caller, filter, Page::first(100))
                    .await;
                assert_eq!(
                    format!("{got:?}"),
                    format!("{want:?}"),
                    "{caller:?} {scope:?} {id}"
                );
                if id.is_empty() {
                    continue;
                }
                let searched = w
                    .core
                    .partner_search_detailed(caller, scope, "zz", id, Page::first(100))
                    .await;
                let plain = w
                    .core
                    .partner_search(caller, scope, "zz", id, Page::first(100))
                    .await;
                assert_eq!(
                    format!("{:?}", searched.as_ref().map(|p| p.total)),
                    format!("{:?}", plain.as_ref().map(|p| p.total)),
                );
                if let Ok(found) = got {
                    shown += found.items.len();
                }
            }
        }
    }
    assert!(shown > 10, "the comparison saw IDs: {shown}");
}

/// A caller signed in to a session this node holds a copy of, as `authenticate` leaves it.
fn hot(w: &World, caller: &Caller) -> Caller {
    let record = w
        .store
        .open_session(caller.user_id, crate::Clock::now(&w.clock));
    w.core.inner.cache.put(&record, Instant::now());
    Caller {
        session: Some(record),
        ..caller.clone()
    }
}

fn user_reads(w: &World) -> usize {
    w.store.user_reads.load(Ordering::SeqCst)
}

async fn search_total(w: &World, caller: &Caller) -> u64 {
    w.core
        .partner_search_detailed(caller, PartnerScope::default(), "ZZ", "A", Page::first(100))
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn a_hot_session_reads_its_users_identity_once_per_lease() {
    const LEASE: Duration = Duration::from_millis(300);
    let w = World::with_cache_lease(LEASE).await;
    let op = operator();
    let na = w.user("na", AuthLevel::NetworkAdmin, 10).await;
    w.core.partner_add(&op, pair(10, "A")).await.unwrap();
    let na_hot = hot(&w, &na);

    let before = user_reads(&w);
    assert_eq!(search_total(&w, &na_hot).await, 1);
    assert_eq!(search_total(&w, &na_hot).await, 1);
    assert_eq!(user_reads(&w) - before, 1, "read once for both calls");

    let before = user_reads(&w);
    search_total(&w, &na).await;
    search_total(&w, &na).await;
    assert_eq!(user_reads(&w) - before, 2, "without a session: once a call");

    // The identity lapses with its lease even if the session's copy is fresher.
    std::thread::sleep(LEASE);
    w.core
        .inner
        .cache
        .put(na_hot.session.as_ref().unwrap(), Instant::now());
    let before = user_reads(&w);
    search_total(&w, &na_hot).await;
    assert_eq!(user_reads(&w) - before, 1, "read again after its lease");
}

#[tokio::test]
async fn a_change_of_level_or_home_forgets_the_identity_and_waits_the_lease_out() {
    const LEASE: Duration = Duration::from_millis(300);
    let w = World::with_cache_lease(LEASE).await;
    let op = operator();
    let na = w.user("na", AuthLevel::NetworkAdmin, 11).await;
    w.core.partner_add(&op, pair(10, "A")).await.unwrap();
    let na_hot = hot(&w, &na);
    assert_eq!(search_total(&w, &na_hot).await, 1, "network 1's ID");

    // Down to a user of mailbox 11: mailbox 10's ID is out of reach at once.
    let started = Instant::now();
    w.core
        .user_set_auth_level(&op, na.user_id, AuthLevel::MailboxUser)
        .await
        .unwrap();
    assert!(started.elapsed() >= LEASE, "acknowledged after the lease");
    let na_hot = hot(&w, &na);
    assert_eq!(search_total(&w, &na_hot).await, 0);

    // Back up, then moved to network 2: network 1's IDs are out of reach at once.
    w.core
        .user_set_auth_level(&op, na.user_id, AuthLevel::NetworkAdmin)
        .await
        .unwrap();
    let na_hot = hot(&w, &na);
    assert_eq!(search_total(&w, &na_hot).await, 1);
    let started = Instant::now();
    w.core
        .user_set_network_mailbox(&op, na.user_id, NetworkId(2), MailboxId(20))
        .await
        .unwrap();
    assert!(started.elapsed() >= LEASE, "acknowledged after the lease");
    let na_hot = hot(&w, &na);
    assert_eq!(search_total(&w, &na_hot).await, 0);
}
