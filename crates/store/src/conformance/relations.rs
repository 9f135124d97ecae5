//! The behaviour every `RelationStore` must have: carbon-copy rules round-trip, change status
//! by compare-and-set and are found per mailbox when active; a copy stored with an upload is
//! part of its transaction; interconnects round-trip with their notes, change status with a
//! note in one step, list, count and answer whether two IDs are joined. Each check runs on a
//! fresh, empty store.

use std::future::Future;
use std::sync::Arc;

use chrono::Duration;
use edigrid_core::Store;
use edigrid_core::parcels::model::{
    Interchange, NewInterchange, NewParcel, Parcel, ParcelFilter, PartyNames, Upload,
};
use edigrid_core::relations::{
    CarbonCopy, CarbonCopyFilter, Interconnect, InterconnectChange, InterconnectFilter,
    InterconnectNote, InterconnectStatus,
};
use edigrid_core::store::{Mailbox, Network, Page, TradingPartner};
use edigrid_domain::{
    Direction, EcGridId, EdiStandard, InterchangeId, InterchangeStatus, MailboxId, NetworkId,
    ParcelId, ParcelState, ParcelValid, RoutingGroup, UserId, UserStatus,
};

use super::t0;

/// Networks 1 and 2; mailboxes 10, 11 (network 1) and 20 (network 2); an ID in each
/// mailbox, their numbers returned in that order.
async fn seed(store: &dyn Store) -> Vec<EcGridId> {
    for n in [1, 2] {
        store
            .insert_network(&Network::new(NetworkId(n), format!("Net {n}"), t0()))
            .await
            .unwrap();
    }
    let mut ids = Vec::new();
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
        let p = TradingPartner {
            ecgrid_id: EcGridId(0),
            network_id: NetworkId(n),
            mailbox_id: MailboxId(m),
            qualifier: "ZZ".into(),
            id: format!("PARTY{m}"),
            description: String::new(),
            status: UserStatus::Active,
            data_email: String::new(),
            routing_group: RoutingGroup::default(),
            is_default: true,
            owner: UserId(0),
            van: false,
            simulated: false,
            x12: Default::default(),
            created: t0(),
            modified: t0(),
        };
        ids.push(store.insert_partner(&p).await.unwrap());
    }
    ids
}

fn rule(ids: &[EcGridId]) -> CarbonCopy {
    CarbonCopy {
        id: 0,
        network_id: NetworkId(1),
        mailbox_id: MailboxId(10),
        direction: Direction::OutBox,
        ecgrid_from: ids[0],
        ecgrid_to: ids[2],
        cc_from: ids[0],
        cc_to: ids[1],
        cc_mailbox_id: MailboxId(11),
        gs_from: "GSF".into(),
        gs_to: String::new(),
        transaction_set: "850".into(),
        status: UserStatus::Active,
        created_by: UserId(7),
        created: t0(),
        modified: t0() + Duration::seconds(1),
    }
}

async fn carbon_copies_round_trip(store: Arc<dyn Store>) {
    let ids = seed(&*store).await;
    let given = rule(&ids);
    let id = store.insert_carbon_copy(&given).await.unwrap();
    let read = store.carbon_copy(id).await.unwrap().unwrap();
    assert_eq!(
        read,
        CarbonCopy {
            id,
            ..given.clone()
        },
        "every field"
    );
    assert!(store.carbon_copy(id + 1000).await.unwrap().is_none());

    let mailbox_rule = CarbonCopy {
        mailbox_id: MailboxId(20),
        network_id: NetworkId(2),
        direction: Direction::NoDir,
        ..given.clone()
    };
    let other = store.insert_carbon_copy(&mailbox_rule).await.unwrap();
    assert!(other > id, "numbers increase");

    let active = store
        .active_carbon_copies(&[MailboxId(10), MailboxId(11)])
        .await
        .unwrap();
    assert_eq!(active.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
    assert!(store.active_carbon_copies(&[]).await.unwrap().is_empty());

    let later = t0() + Duration::hours(1);
    let suspended = store
        .set_carbon_copy_status(id, &[UserStatus::Active], UserStatus::Suspended, later)
        .await
        .unwrap();
    assert!(suspended);
    let again = store
        .set_carbon_copy_status(id, &[UserStatus::Active], UserStatus::Suspended, later)
        .await
        .unwrap();
    assert!(!again, "compare-and-set: no longer active");
    let read = store.carbon_copy(id).await.unwrap().unwrap();
    assert_eq!((read.status, read.modified), (UserStatus::Suspended, later));
    assert!(
        store
            .active_carbon_copies(&[MailboxId(10)])
            .await
            .unwrap()
            .is_empty(),
        "a suspended rule copies nothing"
    );

    let by_mailbox = |m: i32| CarbonCopyFilter {
        mailbox: Some(MailboxId(m)),
        ..CarbonCopyFilter::default()
    };
    let listed = store
        .list_carbon_copies(&by_mailbox(11), Page::first(10))
        .await
        .unwrap();
    assert_eq!(listed.total, 2, "11 is the copy mailbox of both");
    let listed = store
        .list_carbon_copies(
            &CarbonCopyFilter {
                statuses: vec![UserStatus::Active],
                network: Some(NetworkId(2)),
                ..CarbonCopyFilter::default()
            },
            Page::first(10),
        )
        .await
        .unwrap();
    assert_eq!(
        listed.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        [other]
    );
}

fn parcel(direction: Direction, network: i32, mailbox: i32, bytes: &[u8]) -> NewParcel {
    NewParcel {
        parcel: Parcel {
            id: ParcelId(0),
            direction,
            network_id: NetworkId(network),
            mailbox_id: MailboxId(mailbox),
            peer_network_id: NetworkId(1),
            peer_mailbox_id: MailboxId(10),
            ecgrid_from: EcGridId(0),
            ecgrid_to: EcGridId(0),
            file_name: "o.x12".into(),
            bytes: bytes.len() as i64,
            declared_bytes: bytes.len() as i64,
            sha256: [1; 32],
            standard: EdiStandard::X12,
            state: if direction == Direction::InBox {
                ParcelState::InBoxReady
            } else {
                ParcelState::OutBoxSent
            },
            valid: ParcelValid::Valid,
            problem: String::new(),
            mailbag_control_id: String::new(),
            source: None,
            uploaded_by: UserId(7),
            created: t0(),
            state_changed: t0(),
            downloaded: None,
            archived: None,
            content_removed: false,
            local_status: 0,
            local_status_changed: None,
            interchange_count: 1,
            names: PartyNames::default(),
        },
        content: bytes.to_vec(),
    }
}

/// An upload from mailbox 10 delivered to 20, with its copy for `copy_mailbox` as a second
/// inbound parcel (as the core adds it).
fn upload_with_copy(copy_mailbox: i32) -> Upload {
    let ic = Interchange {
        id: InterchangeId(0),
        outbound: ParcelId(0),
        position: 0,
        inbound: None,
        status: InterchangeStatus::Delivered,
        reason: String::new(),
        duplicate: false,
        standard: EdiStandard::X12,
        sender: "ZZ:PARTY10".into(),
        receiver: "ZZ:PARTY20".into(),
        ecgrid_from: EcGridId(0),
        ecgrid_to: EcGridId(0),
        network_from: NetworkId(1),
        mailbox_from: MailboxId(10),
        network_to: NetworkId(2),
        mailbox_to: MailboxId(20),
        control_number: "1".into(),
        envelope_date: String::new(),
        document_type: "850".into(),
        header: String::new(),
        findings: String::new(),
        offset: 0,
        length: 4,
        created: t0(),
        status_changed: t0(),
    };
    Upload {
        outbound: parcel(Direction::OutBox, 1, 10, b"DATA"),
        interchanges: vec![NewInterchange {
            interchange: ic,
            delivered_in: Some(0),
        }],
        inbound: vec![
            parcel(Direction::InBox, 2, 20, b"DATA"),
            parcel(Direction::InBox, 1, copy_mailbox, b"COPY"),
        ],
        manifest: Vec::new(),
        duplicates_since: t0() - Duration::days(30),
        requires: None,
    }
}

/// A copy is written in its delivery's transaction: when it cannot be stored, neither is the
/// delivery; when it can, both are, the copy pointing to the same upload.
async fn a_copy_and_its_delivery_are_one_transaction(store: Arc<dyn Store>) {
    seed(&*store).await;
    let failed = store.accept_upload(&upload_with_copy(999)).await;
    assert!(failed.is_err(), "a copy to a mailbox that does not exist");
    for mailbox in [10, 11, 20] {
        for direction in [Direction::InBox, Direction::OutBox] {
            let f = ParcelFilter::of(
                direction,
                NetworkId(if mailbox == 20 { 2 } else { 1 }),
                MailboxId(mailbox),
            );
            let listed = store.list_parcels(&f, Page::first(10)).await.unwrap();
            assert_eq!(
                listed.total, 0,
                "mailbox {mailbox} {direction}: nothing stored"
            );
        }
    }
    let ok = store.accept_upload(&upload_with_copy(11)).await.unwrap();
    assert_eq!(ok.inbound.len(), 2);
    let copy = store.parcel(ok.inbound[1]).await.unwrap().unwrap();
    assert_eq!(
        (copy.mailbox_id, copy.source),
        (MailboxId(11), Some(ok.outbound))
    );
    let content = store.parcel_content(ok.inbound[1]).await.unwrap().unwrap();
    assert_eq!(content.bytes, b"COPY");
    let delivery = store.parcel(ok.inbound[0]).await.unwrap().unwrap();
    assert_eq!(delivery.mailbox_id, MailboxId(20));
}

fn note(status: InterconnectStatus, text: &str, at_secs: i64) -> InterconnectNote {
    InterconnectNote {
        id: 0,
        interconnect_id: 0,
        at: t0() + Duration::seconds(at_secs),
        status,
        posted_by: "user 7".into(),
        user_id: UserId(7),
        mail_to: String::new(),
        note: text.into(),
        attachment_name: String::new(),
        attachment: None,
    }
}

fn interconnect(ids: &[EcGridId], guid: &str) -> Interconnect {
    Interconnect {
        id: 0,
        unique_id: guid.into(),
        ecgrid_id1: ids[0],
        ecgrid_id2: ids[2],
        reference1: "PO-1".into(),
        reference2: String::new(),
        contact_name: "Ada".into(),
        contact_email: "ada@example.com".into(),
        requested_by: UserId(7),
        accepted_by: UserId(0),
        status: InterconnectStatus::Pending,
        created: t0(),
        modified: t0(),
        completed: None,
    }
}

async fn interconnects_round_trip(store: Arc<dyn Store>) {
    let ids = seed(&*store).await;
    let given = interconnect(&ids, "6f1c0b9e-0000-4000-8000-000000000001");
    let id = store
        .insert_interconnect(&given, &note(InterconnectStatus::Pending, "asked", 0))
        .await
        .unwrap();
    assert_eq!(
        store.interconnect(id).await.unwrap().unwrap(),
        Interconnect {
            id,
            ..given.clone()
        }
    );
    assert_eq!(
        store
            .interconnect_by_unique_id(&given.unique_id)
            .await
            .unwrap()
            .map(|i| i.id),
        Some(id)
    );
    assert!(
        store
            .interconnect_by_unique_id("nope")
            .await
            .unwrap()
            .is_none()
    );
    let taken = store
        .insert_interconnect(&given, &note(InterconnectStatus::Pending, "again", 0))
        .await;
    assert!(taken.is_err(), "a GUID is unique");
    assert!(
        !store.interconnected(ids[0], ids[2]).await.unwrap(),
        "pending joins nothing"
    );

    let at = t0() + Duration::minutes(5);
    let accept = InterconnectChange {
        id,
        from: vec![InterconnectStatus::Pending],
        to: InterconnectStatus::Completed,
        by: UserId(8),
        at,
        note: InterconnectNote {
            interconnect_id: id,
            ..note(InterconnectStatus::Completed, "accepted", 300)
        },
    };
    assert!(store.change_interconnect(&accept).await.unwrap());
    assert!(
        !store.change_interconnect(&accept).await.unwrap(),
        "compare-and-set"
    );
    let read = store.interconnect(id).await.unwrap().unwrap();
    assert_eq!(
        (read.status, read.completed, read.accepted_by),
        (InterconnectStatus::Completed, Some(at), UserId(8))
    );
    assert!(store.interconnected(ids[0], ids[2]).await.unwrap());
    assert!(
        store.interconnected(ids[2], ids[0]).await.unwrap(),
        "either order"
    );
    assert!(!store.interconnected(ids[0], ids[1]).await.unwrap());

    let with_file = InterconnectNote {
        interconnect_id: id,
        attachment_name: "terms.txt".into(),
        attachment: Some(b"terms".to_vec()),
        ..note(InterconnectStatus::Completed, "see terms", 400)
    };
    store.add_interconnect_note(&with_file).await.unwrap();
    let notes = store.interconnect_notes(id).await.unwrap();
    let texts: Vec<&str> = notes.iter().map(|n| n.note.as_str()).collect();
    assert_eq!(texts, ["asked", "accepted", "see terms"]);
    assert_eq!(notes[2].attachment.as_deref(), Some(&b"terms"[..]));
    assert_eq!(notes[0].attachment, None);

    let second = store
        .insert_interconnect(
            &Interconnect {
                ecgrid_id2: ids[1],
                created: t0() + Duration::days(2),
                ..interconnect(&ids, "6f1c0b9e-0000-4000-8000-000000000002")
            },
            &note(InterconnectStatus::Pending, "asked", 0),
        )
        .await
        .unwrap();
    let list = |f: InterconnectFilter| {
        let store = store.clone();
        async move {
            let page = store.list_interconnects(&f, Page::first(10)).await.unwrap();
            page.items.iter().map(|i| i.id).collect::<Vec<_>>()
        }
    };
    let of = |id: EcGridId| InterconnectFilter {
        ecgrid_ids: vec![id],
        ..InterconnectFilter::default()
    };
    assert_eq!(list(of(ids[0])).await, [id, second]);
    assert_eq!(list(of(ids[2])).await, [id]);
    let pending = InterconnectFilter {
        status: Some(InterconnectStatus::Pending),
        ..InterconnectFilter::default()
    };
    assert_eq!(list(pending).await, [second]);
    let network2 = InterconnectFilter {
        network: Some(NetworkId(2)),
        ..InterconnectFilter::default()
    };
    assert_eq!(list(network2.clone()).await, [id]);
    let recent = InterconnectFilter {
        since: Some(t0() + Duration::days(1)),
        ..InterconnectFilter::default()
    };
    assert_eq!(list(recent).await, [second]);
    let pair = InterconnectFilter {
        pair: Some((ids[2], ids[0])),
        ..InterconnectFilter::default()
    };
    assert_eq!(list(pair).await, [id]);
    let mut counts = store
        .count_interconnects(&InterconnectFilter::default())
        .await
        .unwrap();
    counts.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(
        counts,
        [
            (InterconnectStatus::Completed, 1),
            (InterconnectStatus::Pending, 1)
        ]
    );
}

/// Runs every check, each on a fresh store from `fresh`.
pub async fn run_all<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    carbon_copies_round_trip(fresh().await).await;
    a_copy_and_its_delivery_are_one_transaction(fresh().await).await;
    interconnects_round_trip(fresh().await).await;
}
