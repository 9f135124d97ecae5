//! The behaviour every `KeyStore` must have: a key found by its whole address, replaced in
//! place, bounded per object, hidden once expired and removed by housekeeping. Each check
//! runs on a fresh, empty store.

use std::future::Future;
use std::sync::Arc;

use chrono::Duration;
use edigrid_core::Store;
use edigrid_core::keys::store::{KeyAddress, KeyEntry};
use edigrid_core::keys::{KeyObject, KeyVisibility};
use edigrid_domain::{MailboxId, NetworkId, UserId};

use super::t0;

fn address(name: &str, visibility: KeyVisibility, owner: &str) -> KeyAddress {
    KeyAddress {
        object: KeyObject::Mailbox,
        object_id: 200,
        visibility,
        owner: owner.into(),
        name: name.into(),
    }
}

fn entry(address: KeyAddress, value: &str) -> KeyEntry {
    KeyEntry {
        id: 0,
        address,
        value: value.into(),
        meta: "m".into(),
        created: t0(),
        expires: None,
        network_id: NetworkId(100),
        mailbox_id: MailboxId(200),
        user_id: UserId(7),
    }
}

/// Set, read, replace (same number, first creation time), list, remove.
async fn round_trip(store: Arc<dyn Store>) {
    let shared = address("colour", KeyVisibility::Shared, "");
    let id = store
        .put_key(&entry(shared.clone(), "blue"), 10, t0())
        .await
        .unwrap()
        .unwrap();
    let found = store.key(&shared, t0()).await.unwrap().unwrap();
    assert_eq!((found.id, found.value.as_str()), (id, "blue"));
    assert_eq!(
        found,
        KeyEntry {
            id,
            ..entry(shared.clone(), "blue")
        }
    );

    // The same name with another visibility or owner is another key.
    let private = address("colour", KeyVisibility::Private, "7");
    let other = store
        .put_key(&entry(private.clone(), "red"), 10, t0())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(other, id);
    assert!(
        store
            .key(&address("colour", KeyVisibility::Private, "8"), t0())
            .await
            .unwrap()
            .is_none()
    );

    let mut newer = entry(shared.clone(), "green");
    newer.created = t0() + Duration::minutes(5);
    newer.user_id = UserId(9);
    assert_eq!(store.put_key(&newer, 10, t0()).await.unwrap(), Some(id));
    let replaced = store.key(&shared, t0()).await.unwrap().unwrap();
    assert_eq!(replaced.value, "green");
    assert_eq!(replaced.user_id, UserId(9));
    assert_eq!(replaced.created, t0(), "a live key keeps its creation time");
    assert_eq!(store.key_by_id(id, t0()).await.unwrap(), Some(replaced));

    let names: Vec<(String, KeyVisibility)> = store
        .object_keys(KeyObject::Mailbox, 200, t0())
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.address.name, k.address.visibility))
        .collect();
    assert_eq!(
        names,
        [
            ("colour".to_string(), KeyVisibility::Private),
            ("colour".to_string(), KeyVisibility::Shared)
        ]
    );
    assert!(
        store
            .object_keys(KeyObject::Network, 200, t0())
            .await
            .unwrap()
            .is_empty()
    );

    assert!(store.remove_key(&shared, t0()).await.unwrap());
    assert!(!store.remove_key(&shared, t0()).await.unwrap());
    assert!(store.key(&shared, t0()).await.unwrap().is_none());
    assert!(store.key(&private, t0()).await.unwrap().is_some());
}

/// A full object refuses a new key (nothing changes) but still replaces its own.
async fn bounded_per_object(store: Arc<dyn Store>) {
    for name in ["a", "b"] {
        let e = entry(address(name, KeyVisibility::Shared, ""), "v");
        assert!(store.put_key(&e, 2, t0()).await.unwrap().is_some());
    }
    let third = entry(address("c", KeyVisibility::Shared, ""), "v");
    assert_eq!(store.put_key(&third, 2, t0()).await.unwrap(), None);
    assert!(store.key(&third.address, t0()).await.unwrap().is_none());
    let again = entry(address("a", KeyVisibility::Shared, ""), "w");
    assert!(store.put_key(&again, 2, t0()).await.unwrap().is_some());
    assert_eq!(
        store
            .object_keys(KeyObject::Mailbox, 200, t0())
            .await
            .unwrap()
            .len(),
        2
    );
}

/// Expired keys are not read, listed, removed or counted; housekeeping deletes them; a key
/// set again after expiry starts anew.
async fn expiry(store: Arc<dyn Store>) {
    let a = address("session-note", KeyVisibility::Session, "abc");
    let mut e = entry(a.clone(), "soon gone");
    e.expires = Some(t0() + Duration::minutes(10));
    let id = store.put_key(&e, 1, t0()).await.unwrap().unwrap();
    let before = t0() + Duration::minutes(9);
    let after = t0() + Duration::minutes(10);
    assert!(store.key(&a, before).await.unwrap().is_some());
    assert!(store.key(&a, after).await.unwrap().is_none());
    assert!(store.key_by_id(id, after).await.unwrap().is_none());
    assert!(
        store
            .object_keys(KeyObject::Mailbox, 200, after)
            .await
            .unwrap()
            .is_empty()
    );
    // The expired key does not count against the bound.
    let other = entry(address("other", KeyVisibility::Shared, ""), "v");
    assert!(store.put_key(&other, 1, after).await.unwrap().is_some());
    assert!(store.remove_key(&other.address, after).await.unwrap());

    let mut renewed = entry(a.clone(), "back");
    renewed.created = after;
    assert!(store.put_key(&renewed, 1, after).await.unwrap().is_some());
    let back = store.key(&a, after).await.unwrap().unwrap();
    assert_eq!((back.created, back.expires), (after, None));

    let mut short = entry(address("short", KeyVisibility::Public, ""), "v");
    short.expires = Some(t0() + Duration::minutes(1));
    store.put_key(&short, 10, t0()).await.unwrap();
    assert_eq!(store.purge_expired_keys(t0()).await.unwrap(), 0);
    assert_eq!(store.purge_expired_keys(after).await.unwrap(), 1);
    assert!(
        store.key(&a, after).await.unwrap().is_some(),
        "the live key stays"
    );
}

pub async fn run_all<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    round_trip(fresh().await).await;
    bounded_per_object(fresh().await).await;
    expiry(fresh().await).await;
}
