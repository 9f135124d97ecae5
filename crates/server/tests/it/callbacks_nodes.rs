//! Issue 14, acceptance item 2 (SPEC-VAN 20): two nodes on one PostgreSQL database share
//! one queue of 1,000 deliveries; their workers claim with `FOR UPDATE SKIP LOCKED`, and the
//! receiver gets every delivery exactly once, none lost.

use std::collections::HashMap;
use std::time::Duration;

use edigrid_core::callbacks::model::RegistrationStatus;
use edigrid_domain::ParcelId;
use edigrid_testkit::{fresh_postgres_url, spawn_nodes};

use crate::callbacks::World;
use crate::callbacks_receiver::{Answer, Receiver};

const DELIVERIES: usize = 1000;

#[tokio::test]
async fn two_nodes_send_each_of_a_thousand_deliveries_once() {
    let Some(url) = fresh_postgres_url().await else {
        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: two-node callback test not run");
        return;
    };
    let mut nodes = spawn_nodes(2, &url, |s| {
        s.callback_allow_private = true;
        s.callback_poll_ms = 10;
        s.callback_concurrency = 8;
        s.callback_timeout_ms = 5_000;
        s.callback_lease_secs = 30;
    })
    .await;
    let second = nodes.pop().unwrap();
    let w = World::new(nodes.pop().unwrap()).await;
    let rx = Receiver::start("127.0.0.1", Answer::Status(200)).await;
    let id = w.register(&rx.url("/nodes"), "3").await;
    let id: i64 = id.parse().unwrap();
    // Held while the queue fills, then let go to both nodes at once.
    let store = w.app.core.store().clone();
    let mut r = store.registration(id).await.unwrap().unwrap();
    r.status = RegistrationStatus::Suspended;
    store.update_registration(&r).await.unwrap();
    let now = w.app.core.now();
    for n in 0..DELIVERIES {
        store
            .queue_test(id, ParcelId(i64::try_from(n).unwrap() + 1), now)
            .await
            .unwrap();
    }
    r.status = RegistrationStatus::Active;
    store.update_registration(&r).await.unwrap();
    let seen = rx.wait_for(DELIVERIES, Duration::from_secs(120)).await;
    // Anything sent twice would arrive now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen_after = rx.seen();
    assert_eq!(
        seen.len(),
        seen_after.len(),
        "more came after all were delivered"
    );
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for s in &seen_after {
        *per_id.entry(s.headers["webhook-id"].clone()).or_default() += 1;
    }
    let twice: Vec<_> = per_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(per_id.len(), DELIVERIES, "every delivery sent");
    let paged = second
        .core
        .store()
        .list_deliveries(
            &edigrid_core::callbacks::model::DeliveryFilter {
                registration: Some(id),
                ..Default::default()
            },
            edigrid_core::Page {
                number: 1,
                size: 1000,
            },
        )
        .await
        .unwrap();
    assert_eq!(paged.total, DELIVERIES as u64);
    let mut at_most_once = true;
    for d in &paged.items {
        at_most_once &= d.status.as_str() == "Delivered" && d.attempts == 1;
    }
    assert!(
        at_most_once,
        "every delivery delivered at its first attempt"
    );
}
