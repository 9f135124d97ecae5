//! The behaviour every `SandboxStore` must have: the simulated flag, the listing with
//! counts in scope, a partner's own control-number sequence taken atomically, the ready
//! parcels waiting for simulated partners, and an answer that consumes its parcel once.
//! Each check runs on a fresh, empty store.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use edigrid_core::parcels::model::{
    Interchange, NewInterchange, NewParcel, Parcel, PartyNames, StateChange, Upload,
};
use edigrid_core::sandbox::{SandboxScope, Unanswered};
use edigrid_core::store::{Mailbox, Network, TradingPartner};
use edigrid_core::{Store, StoreError};
use edigrid_domain::{
    Direction, EcGridId, EdiStandard, InterchangeId, InterchangeStatus, MailboxId, NetworkId,
    ParcelId, ParcelState, ParcelValid, RoutingGroup, UserId, UserStatus,
};

use super::t0;

const EVERYWHERE: SandboxScope = SandboxScope {
    network: None,
    mailbox: None,
};

/// Networks 1 and 2; mailboxes 10 and 11 in 1, 20 in 2; an ID in each mailbox, returned
/// in that order.
async fn seed(store: &dyn Store) -> [EcGridId; 3] {
    for network in [1, 2] {
        store
            .insert_network(&Network::new(
                NetworkId(network),
                format!("N{network}"),
                t0(),
            ))
            .await
            .unwrap();
    }
    let mut ids = [EcGridId(0); 3];
    for (n, (mailbox, network)) in [(10, 1), (11, 1), (20, 2)].into_iter().enumerate() {
        store
            .insert_mailbox(&Mailbox::new(
                MailboxId(mailbox),
                NetworkId(network),
                format!("M{mailbox}"),
                t0(),
            ))
            .await
            .unwrap();
        ids[n] = store
            .insert_partner(&partner(mailbox, network, &format!("ID{mailbox}")))
            .await
            .unwrap();
    }
    ids
}

fn partner(mailbox: i32, network: i32, id: &str) -> TradingPartner {
    TradingPartner {
        ecgrid_id: EcGridId(0),
        network_id: NetworkId(network),
        mailbox_id: MailboxId(mailbox),
        qualifier: "ZZ".into(),
        id: id.into(),
        description: format!("partner {id}"),
        status: UserStatus::Active,
        data_email: String::new(),
        routing_group: RoutingGroup::default(),
        is_default: false,
        owner: UserId(0),
        van: false,
        simulated: false,
        x12: Default::default(),
        created: t0(),
        modified: t0(),
    }
}

fn parcel(direction: Direction, mailbox: i32, to: EcGridId, at: DateTime<Utc>) -> Parcel {
    let state = match direction {
        Direction::InBox => ParcelState::InBoxReady,
        _ => ParcelState::OutBoxSent,
    };
    Parcel {
        id: ParcelId(0),
        direction,
        network_id: NetworkId(if mailbox == 20 { 2 } else { 1 }),
        mailbox_id: MailboxId(mailbox),
        peer_network_id: NetworkId(0),
        peer_mailbox_id: MailboxId(0),
        ecgrid_from: EcGridId(0),
        ecgrid_to: to,
        file_name: "x.edi".into(),
        bytes: 3,
        declared_bytes: 3,
        sha256: [7; 32],
        standard: EdiStandard::X12,
        state,
        valid: ParcelValid::Valid,
        problem: String::new(),
        mailbag_control_id: String::new(),
        source: None,
        uploaded_by: UserId(0),
        created: at,
        state_changed: at,
        downloaded: None,
        archived: None,
        content_removed: false,
        local_status: 0,
        local_status_changed: None,
        interchange_count: 0,
        names: PartyNames::default(),
    }
}

/// An upload from mailbox 10 delivered to `mailbox`, addressed to `to`.
fn delivery(mailbox: i32, to: EcGridId, at: DateTime<Utc>) -> Upload {
    Upload {
        outbound: NewParcel {
            parcel: parcel(Direction::OutBox, 10, to, at),
            content: b"abc".to_vec(),
        },
        interchanges: Vec::new(),
        inbound: vec![NewParcel {
            parcel: parcel(Direction::InBox, mailbox, to, at),
            content: b"abc".to_vec(),
        }],
        manifest: Vec::new(),
        duplicates_since: at,
        requires: None,
    }
}

fn consume(parcel: ParcelId) -> StateChange {
    StateChange {
        parcel,
        from: vec![ParcelState::InBoxReady],
        to: ParcelState::InBoxArchived,
        at: t0(),
        by: UserId(0),
        message: "answered".into(),
        mark_downloaded: false,
        remove_content: false,
        interchanges_to: None,
    }
}

async fn the_flag_and_the_listing(store: Arc<dyn Store>) {
    let [a, b, c] = seed(&*store).await;
    assert!(
        store
            .simulated_partners(EVERYWHERE)
            .await
            .unwrap()
            .is_empty()
    );
    for id in [a, c] {
        store.set_simulated(id, true, t0()).await.unwrap();
    }
    let found = store.partner(a).await.unwrap().unwrap();
    assert!(found.simulated, "the flag is the directory's own");
    let all = store.simulated_partners(EVERYWHERE).await.unwrap();
    let ids: Vec<EcGridId> = all.iter().map(|p| p.ecgrid_id).collect();
    assert_eq!(ids, vec![a, c]);
    assert_eq!(all[0].mailbox_id, MailboxId(10));
    assert_eq!(all[0].qualifier, "ZZ");
    assert_eq!(all[0].counts.parcels, 0);
    assert_eq!(all[0].counts.last_answered, None);
    let network = SandboxScope {
        network: Some(NetworkId(1)),
        mailbox: None,
    };
    let in_one: Vec<EcGridId> = store
        .simulated_partners(network)
        .await
        .unwrap()
        .iter()
        .map(|p| p.ecgrid_id)
        .collect();
    assert_eq!(in_one, vec![a]);
    let mailbox = SandboxScope {
        network: Some(NetworkId(1)),
        mailbox: Some(MailboxId(11)),
    };
    assert!(store.simulated_partners(mailbox).await.unwrap().is_empty());
    store.set_simulated(a, false, t0()).await.unwrap();
    let left: Vec<EcGridId> = store
        .simulated_partners(EVERYWHERE)
        .await
        .unwrap()
        .iter()
        .map(|p| p.ecgrid_id)
        .collect();
    assert_eq!(left, vec![c]);
    assert!(!store.partner(b).await.unwrap().unwrap().simulated);
    assert!(matches!(
        store.set_simulated(EcGridId(1), true, t0()).await,
        Err(StoreError::Missing(_))
    ));
}

async fn sequences_and_counts(store: Arc<dyn Store>) {
    let [a, b, _] = seed(&*store).await;
    assert_eq!(store.take_control_numbers(a, 3).await.unwrap(), 1);
    assert_eq!(store.take_control_numbers(a, 1).await.unwrap(), 4);
    assert_eq!(
        store.take_control_numbers(b, 2).await.unwrap(),
        1,
        "each ID has its own sequence"
    );
    // Takers at once (nodes sharing the database) each get a range of their own.
    let takers: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.take_control_numbers(a, 2).await.unwrap() })
        })
        .collect();
    let mut firsts = Vec::new();
    for t in takers {
        firsts.push(t.await.unwrap());
    }
    firsts.sort_unstable();
    assert_eq!(firsts, (0..8).map(|n| 5 + 2 * n).collect::<Vec<i64>>());
    store.set_simulated(a, true, t0()).await.unwrap();
    let later = t0() + Duration::seconds(5);
    store.count_answer(a, 2, 3, t0()).await.unwrap();
    store.count_answer(a, 1, 0, later).await.unwrap();
    let listed = store.simulated_partners(EVERYWHERE).await.unwrap();
    let counts = &listed[0].counts;
    assert_eq!(
        (counts.parcels, counts.interchanges, counts.acknowledgments),
        (2, 3, 3)
    );
    assert_eq!(counts.last_control_number, 20);
    assert_eq!(counts.last_answered, Some(later));
}

async fn waiting_parcels_and_one_answer(store: Arc<dyn Store>) {
    let [a, b, c] = seed(&*store).await;
    store.set_simulated(b, true, t0()).await.unwrap();
    let first = store.accept_upload(&delivery(11, b, t0())).await.unwrap();
    let second = store
        .accept_upload(&delivery(11, b, t0() + Duration::seconds(1)))
        .await
        .unwrap();
    // Ready parcels of IDs that are not simulated, and outbound parcels, are not waiting.
    store.accept_upload(&delivery(20, c, t0())).await.unwrap();
    store.accept_upload(&delivery(10, a, t0())).await.unwrap();
    let waiting = store.unanswered(10).await.unwrap();
    assert_eq!(
        waiting,
        vec![
            Unanswered {
                parcel: first.inbound[0],
                partner: b,
            },
            Unanswered {
                parcel: second.inbound[0],
                partner: b,
            },
        ]
    );
    assert_eq!(store.unanswered(1).await.unwrap().len(), 1);

    // Two answers to one parcel at once (two nodes): one is stored, the other stores
    // nothing and is told so.
    let answer = |store: Arc<dyn Store>| {
        let mut upload = delivery(10, a, t0());
        upload.requires = Some(consume(first.inbound[0]));
        tokio::spawn(async move { store.accept_upload(&upload).await })
    };
    let (one, other) = (answer(store.clone()), answer(store.clone()));
    let results = [one.await.unwrap(), other.await.unwrap()];
    let stored = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(stored, 1, "{results:?}");
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(StoreError::Conflict(_))))
    );
    let answered = store.parcel(first.inbound[0]).await.unwrap().unwrap();
    assert_eq!(answered.state, ParcelState::InBoxArchived);
    let waiting = store.unanswered(10).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].parcel, second.inbound[0]);
    store.set_simulated(b, false, t0()).await.unwrap();
    assert!(store.unanswered(10).await.unwrap().is_empty());
}

/// An interchange of an upload from mailbox 10 delivered in its first inbound parcel
/// (mailbox 11), addressed to `to`.
fn delivered(position: i32, to: EcGridId, at: DateTime<Utc>) -> NewInterchange {
    NewInterchange {
        interchange: Interchange {
            id: InterchangeId(0),
            outbound: ParcelId(0),
            position,
            inbound: None,
            status: InterchangeStatus::Delivered,
            reason: String::new(),
            duplicate: false,
            standard: EdiStandard::X12,
            sender: "ZZ:ID10".into(),
            receiver: format!("ZZ:{to}"),
            ecgrid_from: EcGridId(0),
            ecgrid_to: to,
            network_from: NetworkId(1),
            mailbox_from: MailboxId(10),
            network_to: NetworkId(1),
            mailbox_to: MailboxId(11),
            control_number: format!("{position}"),
            envelope_date: String::new(),
            document_type: "850".into(),
            header: String::new(),
            findings: String::new(),
            offset: 0,
            length: 3,
            created: at,
            status_changed: at,
        },
        delivered_in: Some(0),
    }
}

/// A parcel delivered to a mailbox holds interchanges for several of its IDs; it waits
/// when any of them is simulated, not only its first (the parcel's own receiver), and
/// not when none is.
async fn a_later_interchange_to_a_simulated_id(store: Arc<dyn Store>) {
    let [_, b, _] = seed(&*store).await;
    let r = store.insert_partner(&partner(11, 1, "R11")).await.unwrap();
    store.set_simulated(r, true, t0()).await.unwrap();
    let mut mixed = delivery(11, b, t0());
    mixed.interchanges = vec![delivered(0, b, t0()), delivered(1, r, t0())];
    let mixed = store.accept_upload(&mixed).await.unwrap();
    // Only to b, which is not simulated, though r of the same mailbox is.
    let mut only_b = delivery(11, b, t0());
    only_b.interchanges = vec![delivered(0, b, t0())];
    store.accept_upload(&only_b).await.unwrap();
    assert_eq!(
        store.unanswered(10).await.unwrap(),
        vec![Unanswered {
            parcel: mixed.inbound[0],
            partner: r,
        }]
    );
    // With both simulated the parcel is listed once.
    store.set_simulated(b, true, t0()).await.unwrap();
    let waiting = store.unanswered(10).await.unwrap();
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    assert_eq!(waiting[0].parcel, mixed.inbound[0]);
    store.set_simulated(b, false, t0()).await.unwrap();
    store.set_simulated(r, false, t0()).await.unwrap();
    assert!(store.unanswered(10).await.unwrap().is_empty());
}

pub async fn run_all<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    the_flag_and_the_listing(fresh().await).await;
    sequences_and_counts(fresh().await).await;
    waiting_parcels_and_one_answer(fresh().await).await;
    a_later_interchange_to_a_simulated_id(fresh().await).await;
}
