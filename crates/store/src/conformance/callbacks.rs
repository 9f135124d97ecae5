//! Callback registrations and their delivery queue (SPEC-VAN 20): deliveries are queued in
//! the transaction of the upload or state change they report, for the active registrations
//! whose scope and event match, and nothing else; claims are leases counted by attempt, two
//! claimers never get the same delivery, and a stale claim records nothing.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;

use chrono::Duration;
use edigrid_core::callbacks::model::{
    Attempted, Delivery, DeliveryFilter, DeliveryStatus, EventKind, Next, Registration,
    RegistrationStatus, Scope,
};
use edigrid_core::callbacks::store::RegistrationFilter;
use edigrid_core::store::Page;
use edigrid_core::{Store, StoreError};
use edigrid_domain::{EcGridId, MailboxId, NetworkId, ParcelId, ParcelState, UserId};

use super::parcels::{change, seed, upload};
use super::t0;

fn registration(scope: Scope, event: EventKind) -> Registration {
    Registration {
        id: 0,
        scope,
        event,
        url: "https://hooks.example/x".into(),
        auth_user: "u".into(),
        auth_password: "p".into(),
        retries: 2,
        secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0".into(),
        status: RegistrationStatus::Active,
        created_by: UserId(7),
        created: t0(),
        modified: t0(),
    }
}

async fn add(store: &dyn Store, scope: Scope, event: EventKind) -> i64 {
    store
        .insert_registration(&registration(scope, event))
        .await
        .unwrap()
}

async fn all(store: &dyn Store) -> Vec<Delivery> {
    let mut d = store
        .list_deliveries(&DeliveryFilter::default(), Page::first(500))
        .await
        .unwrap()
        .items;
    d.sort_by_key(|d| d.id);
    d
}

const M10: Scope = Scope::Mailbox(NetworkId(1), MailboxId(10));
const M11: Scope = Scope::Mailbox(NetworkId(1), MailboxId(11));

pub async fn registrations_round_trip(store: Arc<dyn Store>) {
    seed(&*store).await;
    let id = add(&*store, M11, EventKind::InBox).await;
    let other = add(&*store, Scope::Network(NetworkId(2)), EventKind::Parcel).await;
    let mut r = store.registration(id).await.unwrap().unwrap();
    assert_eq!(
        r,
        Registration {
            id,
            ..registration(M11, EventKind::InBox)
        }
    );
    let by_mailbox = RegistrationFilter {
        mailbox: Some(MailboxId(11)),
        ..RegistrationFilter::default()
    };
    let listed = store.list_registrations(&by_mailbox).await.unwrap();
    assert_eq!(listed.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
    let every = store
        .list_registrations(&RegistrationFilter::default())
        .await
        .unwrap();
    assert_eq!(every.iter().map(|r| r.id).collect::<Vec<_>>(), [id, other]);
    r.status = RegistrationStatus::Suspended;
    r.url = "http://elsewhere.example/".into();
    store.update_registration(&r).await.unwrap();
    let active = store.list_registrations(&by_mailbox).await.unwrap();
    assert!(active.is_empty(), "a suspended one is listed as active");
    let inactive = RegistrationFilter {
        inactive: true,
        ..by_mailbox
    };
    assert_eq!(
        store.list_registrations(&inactive).await.unwrap(),
        [r.clone()]
    );
    let missing = Registration { id: 999_999, ..r };
    assert!(matches!(
        store.update_registration(&missing).await,
        Err(StoreError::Missing(_))
    ));
    assert!(store.registration(999_999).await.unwrap().is_none());
}

pub async fn events_queue_for_matching_registrations_only(store: Arc<dyn Store>) {
    seed(&*store).await;
    // Without registrations, an upload queues nothing.
    store.accept_upload(&upload("A", t0())).await.unwrap();
    assert!(all(&*store).await.is_empty());
    let inbox_11 = add(&*store, M11, EventKind::InBox).await;
    let any_net_2 = add(&*store, Scope::Network(NetworkId(2)), EventKind::Parcel).await;
    let error_10 = add(&*store, M10, EventKind::OutBoxError).await;
    add(&*store, M10, EventKind::OutBox).await; // the upload fails partly: not raised
    add(&*store, M11, EventKind::OutBox).await; // 11 uploaded nothing
    let id_scope = add(
        &*store,
        Scope::EcGridId(NetworkId(1), MailboxId(10), EcGridId(4242)),
        EventKind::Parcel,
    )
    .await; // an ID of nobody in this upload
    let mut held = registration(M11, EventKind::InBox);
    held.status = RegistrationStatus::Suspended;
    store.insert_registration(&held).await.unwrap();
    let _ = id_scope;

    let accepted = store.accept_upload(&upload("B", t0())).await.unwrap();
    let queued = all(&*store).await;
    let got: HashSet<(i64, EventKind, i64, i32)> = queued
        .iter()
        .map(|d| (d.registration_id, d.event, d.parcel_id.0, d.mailbox_id.0))
        .collect();
    let want: HashSet<(i64, EventKind, i64, i32)> = [
        (inbox_11, EventKind::InBox, accepted.inbound[0].0, 11),
        (any_net_2, EventKind::InBox, accepted.inbound[1].0, 20),
        (error_10, EventKind::OutBoxError, accepted.outbound.0, 10),
    ]
    .into();
    assert_eq!(got, want, "{queued:#?}");
    for d in &queued {
        assert_eq!(d.status, DeliveryStatus::Pending);
        assert_eq!(d.calls_remaining, 3);
        assert_eq!(d.attempts, 0);
        assert_eq!(d.next_at, t0());
        assert!(!d.test);
        assert_eq!(d.url, "https://hooks.example/x");
    }

    // An upload that is not stored queues nothing.
    let mut refused = upload("C", t0());
    refused.requires = Some(change(
        accepted.inbound[0],
        &[ParcelState::Cancelled],
        ParcelState::InBoxArchived,
    ));
    assert!(store.accept_upload(&refused).await.is_err());
    assert_eq!(all(&*store).await.len(), 3);

    // A confirmed download raises ConfirmDelivery, for the receiver's side and the sender's.
    let confirm_10 = add(&*store, M10, EventKind::ConfirmDelivery).await;
    let confirm_11 = add(&*store, M11, EventKind::ConfirmDelivery).await;
    let to_archive = change(
        accepted.inbound[0],
        &[ParcelState::InBoxReady],
        ParcelState::InBoxArchived,
    );
    assert!(store.change_state(&to_archive).await.unwrap());
    let confirms: HashSet<i64> = all(&*store)
        .await
        .iter()
        .filter(|d| d.event == EventKind::ConfirmDelivery)
        .map(|d| {
            assert_eq!(d.parcel_id, accepted.inbound[0]);
            d.registration_id
        })
        .collect();
    assert_eq!(confirms, [confirm_10, confirm_11].into());
    // Other changes raise nothing.
    let before = all(&*store).await.len();
    let cancel = change(
        accepted.inbound[1],
        &[ParcelState::InBoxReady],
        ParcelState::Cancelled,
    );
    assert!(store.change_state(&cancel).await.unwrap());
    assert_eq!(all(&*store).await.len(), before);
}

pub async fn claims_are_leases_and_attempts_are_recorded_once(store: Arc<dyn Store>) {
    seed(&*store).await;
    let id = add(&*store, M11, EventKind::InBox).await;
    let d = store.queue_test(id, ParcelId(5), t0()).await.unwrap();
    assert!(d.test);
    assert_eq!(d.event, EventKind::InBox);
    let lease = t0() + Duration::seconds(60);
    let claimed = store.claim_deliveries(t0(), lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let c = &claimed[0];
    assert_eq!(c.delivery.id, d.id);
    assert_eq!(c.delivery.attempts, 1);
    assert_eq!(c.delivery.status, DeliveryStatus::Sending);
    assert_eq!((c.auth_user.as_str(), c.auth_password.as_str()), ("u", "p"));
    assert!(c.secret.starts_with("whsec_"));
    // Held while the lease lasts; claimed again when it runs out.
    assert!(
        store
            .claim_deliveries(t0(), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let later = lease + Duration::seconds(1);
    let again = store
        .claim_deliveries(later, later + Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(again[0].delivery.attempts, 2);
    // The first claim is stale: its outcome changes nothing.
    let stale = Attempted {
        id: d.id,
        attempt: 1,
        at: later,
        http: 200,
        error: String::new(),
        next: Next::Delivered,
    };
    assert!(!store.record_attempt(&stale).await.unwrap());
    let retry_at = later + Duration::seconds(30);
    let failed_once = Attempted {
        attempt: 2,
        http: 500,
        next: Next::RetryAt(retry_at),
        ..stale.clone()
    };
    assert!(store.record_attempt(&failed_once).await.unwrap());
    let now = store.delivery(d.id).await.unwrap().unwrap();
    assert_eq!(
        (now.status, now.next_at, now.last_http, now.calls_remaining),
        (DeliveryStatus::Pending, retry_at, 500, 2)
    );
    assert!(
        store
            .claim_deliveries(later, lease + Duration::hours(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let c = store
        .claim_deliveries(retry_at, retry_at + Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(c.len(), 1);
    let gave_up = Attempted {
        attempt: 3,
        at: retry_at,
        http: 0,
        error: "connection refused".into(),
        next: Next::Failed,
        ..stale.clone()
    };
    assert!(store.record_attempt(&gave_up).await.unwrap());
    let failed = store.delivery(d.id).await.unwrap().unwrap();
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(failed.last_error, "connection refused");
    let listed = store
        .list_deliveries(
            &DeliveryFilter {
                statuses: vec![DeliveryStatus::Failed],
                since: Some(t0()),
                ..DeliveryFilter::default()
            },
            Page::first(10),
        )
        .await
        .unwrap();
    assert_eq!(listed.total, 1);
    // Re-armed: pending again with the registration's calls.
    let at = retry_at + Duration::minutes(1);
    assert!(store.rearm_delivery(d.id, at).await.unwrap());
    assert!(
        !store.rearm_delivery(d.id, at).await.unwrap(),
        "a pending one re-armed"
    );
    let rearmed = store.delivery(d.id).await.unwrap().unwrap();
    assert_eq!(
        (rearmed.status, rearmed.calls_remaining, rearmed.next_at),
        (DeliveryStatus::Pending, 3, at)
    );

    // A suspended registration's deliveries wait; terminated, they are cancelled.
    let mut r = store.registration(id).await.unwrap().unwrap();
    r.status = RegistrationStatus::Suspended;
    store.update_registration(&r).await.unwrap();
    assert!(
        store
            .claim_deliveries(at, at + Duration::seconds(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    r.status = RegistrationStatus::Terminated;
    store.update_registration(&r).await.unwrap();
    let cancelled = store.delivery(d.id).await.unwrap().unwrap();
    assert_eq!(cancelled.status, DeliveryStatus::Canceled);
    assert!(matches!(
        store.queue_test(id, ParcelId(1), at).await,
        Err(StoreError::Missing(_))
    ));
}

pub async fn concurrent_claims_share_nothing(store: Arc<dyn Store>) {
    seed(&*store).await;
    let id = add(&*store, M11, EventKind::InBox).await;
    for n in 0..40 {
        store.queue_test(id, ParcelId(n), t0()).await.unwrap();
    }
    let lease = t0() + Duration::seconds(60);
    let claims = (0..4).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.claim_deliveries(t0(), lease, 15).await.unwrap() })
    });
    let mut seen = HashSet::new();
    let mut total = 0;
    for c in claims {
        for claimed in c.await.unwrap() {
            total += 1;
            assert!(
                seen.insert(claimed.delivery.id),
                "claimed twice: {}",
                claimed.delivery.id
            );
        }
    }
    assert_eq!(total, 40);
}

pub async fn run_all<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    registrations_round_trip(fresh().await).await;
    events_queue_for_matching_registrations_only(fresh().await).await;
    claims_are_leases_and_attempts_are_recorded_once(fresh().await).await;
    concurrent_claims_share_nothing(fresh().await).await;
}
