//! The behaviour every `ParcelStore` must have: an upload accepted in one transaction,
//! records and content read back exactly, lists in their order, compare-and-set state
//! changes with their manifest, housekeeping, notes and redeliveries. Each check runs on a
//! fresh, empty store.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration};
use edigrid_core::parcels::model::{
    Interchange, InterchangeFilter, ManifestEntry, NewInterchange, NewParcel, Parcel, ParcelFilter,
    ParcelNote, PartyNames, Redelivery, StateChange, Upload,
};
use edigrid_core::store::{Mailbox, MailboxConfig, Network, Page};
use edigrid_core::{Store, StoreError};
use edigrid_domain::{
    Direction, EcGridId, EdiStandard, InterchangeId, InterchangeStatus, MailboxId, ManifestType,
    NetworkId, ParcelId, ParcelState, ParcelValid, UserId,
};

use super::t0;

/// Network 1 with mailboxes 10 (the sender) and 11; network 2 with mailbox 20.
pub(super) async fn seed(store: &dyn Store) {
    for (network, name) in [(1, "North"), (2, "South")] {
        store
            .insert_network(&Network::new(NetworkId(network), name.into(), t0()))
            .await
            .unwrap();
    }
    for (mailbox, network, name) in [(10, 1, "Sender"), (11, 1, "Buyer"), (20, 2, "Remote")] {
        let mut m = Mailbox::new(MailboxId(mailbox), NetworkId(network), name.into(), t0());
        if mailbox == 11 {
            m.config = MailboxConfig {
                inbox_timeout_minutes: 30,
                ..m.config
            };
        }
        store.insert_mailbox(&m).await.unwrap();
    }
}

fn digest_of(tag: u8) -> [u8; 32] {
    [tag; 32]
}

fn parcel(
    direction: Direction,
    network: i32,
    mailbox: i32,
    bytes: &[u8],
    at: DateTime<chrono::Utc>,
) -> Parcel {
    let (state, peer) = match direction {
        Direction::InBox => (ParcelState::InBoxReady, (1, 10)),
        _ => (ParcelState::OutBoxSent, (0, 0)),
    };
    Parcel {
        id: ParcelId(0),
        direction,
        network_id: NetworkId(network),
        mailbox_id: MailboxId(mailbox),
        peer_network_id: NetworkId(peer.0),
        peer_mailbox_id: MailboxId(peer.1),
        ecgrid_from: EcGridId(100_000),
        ecgrid_to: EcGridId(100_001),
        file_name: "order.x12".into(),
        bytes: bytes.len() as i64,
        declared_bytes: bytes.len() as i64,
        sha256: digest_of(bytes.first().copied().unwrap_or(0)),
        standard: EdiStandard::X12,
        state,
        valid: ParcelValid::Valid,
        problem: String::new(),
        mailbag_control_id: String::new(),
        source: None,
        uploaded_by: UserId(7),
        created: at,
        state_changed: at,
        downloaded: None,
        archived: None,
        content_removed: false,
        local_status: 0,
        local_status_changed: None,
        interchange_count: 1,
        names: PartyNames::default(),
    }
}

fn interchange(
    position: i32,
    control: &str,
    to_mailbox: i32,
    at: DateTime<chrono::Utc>,
) -> Interchange {
    Interchange {
        id: InterchangeId(0),
        outbound: ParcelId(0),
        position,
        inbound: None,
        status: InterchangeStatus::Delivered,
        reason: String::new(),
        duplicate: false,
        standard: EdiStandard::X12,
        sender: "ZZ:SENDER".into(),
        receiver: "ZZ:BUYER".into(),
        ecgrid_from: EcGridId(100_000),
        ecgrid_to: EcGridId(100_001),
        network_from: NetworkId(1),
        mailbox_from: MailboxId(10),
        network_to: NetworkId(if to_mailbox == 20 { 2 } else { 1 }),
        mailbox_to: MailboxId(to_mailbox),
        control_number: control.into(),
        envelope_date: "260507 1000".into(),
        document_type: "850".into(),
        header: "ISA*00*...".into(),
        findings: String::new(),
        offset: i64::from(position) * 10,
        length: 10,
        created: at,
        status_changed: at,
    }
}

/// An upload from mailbox 10: one interchange to mailbox 11 and one to mailbox 20 (network
/// 2), plus one without a route, all with control numbers `{tag}1`..`{tag}3`.
pub(super) fn upload(tag: &str, at: DateTime<chrono::Utc>) -> Upload {
    let out = b"AAAAAAAAAABBBBBBBBBBCCCCCCCCCC".to_vec();
    let mut outbound = parcel(Direction::OutBox, 1, 10, &out, at);
    outbound.state = ParcelState::OutBoxDeliveryError;
    outbound.valid = ParcelValid::ValidPartialRouted;
    outbound.interchange_count = 3;
    let mut unrouted = interchange(2, &format!("{tag}3"), 0, at);
    unrouted.status = InterchangeStatus::NoRoute;
    unrouted.reason = "no route".into();
    unrouted.network_to = NetworkId(0);
    Upload {
        outbound: NewParcel {
            parcel: outbound,
            content: out,
        },
        interchanges: vec![
            NewInterchange {
                interchange: interchange(0, &format!("{tag}1"), 11, at),
                delivered_in: Some(0),
            },
            NewInterchange {
                interchange: interchange(1, &format!("{tag}2"), 20, at),
                delivered_in: Some(1),
            },
            NewInterchange {
                interchange: unrouted,
                delivered_in: None,
            },
        ],
        inbound: vec![
            NewParcel {
                parcel: parcel(Direction::InBox, 1, 11, b"AAAAAAAAAA", at),
                content: b"AAAAAAAAAA".to_vec(),
            },
            NewParcel {
                parcel: parcel(Direction::InBox, 2, 20, b"BBBBBBBBBB", at),
                content: b"BBBBBBBBBB".to_vec(),
            },
        ],
        manifest: vec![
            ManifestEntry {
                parcel_id: ParcelId(0),
                interchange_id: None,
                at,
                network_id: NetworkId(1),
                kind: ManifestType::System,
                status_code: "outboxDeliveryError".into(),
                message: "received".into(),
                user_id: UserId(7),
            },
            ManifestEntry {
                parcel_id: ParcelId(0),
                interchange_id: Some(InterchangeId(2)),
                at,
                network_id: NetworkId(1),
                kind: ManifestType::Error,
                status_code: "NoRoute".into(),
                message: "no route".into(),
                user_id: UserId(7),
            },
        ],
        duplicates_since: at - Duration::days(30),
        requires: None,
    }
}

pub(super) fn change(parcel: ParcelId, from: &[ParcelState], to: ParcelState) -> StateChange {
    StateChange {
        parcel,
        from: from.to_vec(),
        to,
        at: t0() + Duration::minutes(5),
        by: UserId(7),
        message: format!("to {to}"),
        mark_downloaded: false,
        remove_content: false,
        interchanges_to: None,
    }
}

fn inbox(mailbox: i32, network: i32) -> ParcelFilter {
    ParcelFilter::of(Direction::InBox, NetworkId(network), MailboxId(mailbox))
}

async fn state_of(store: &dyn Store, id: ParcelId) -> ParcelState {
    store.parcel(id).await.unwrap().unwrap().state
}

/// An upload is stored whole: numbers increase, records and content read back exactly, the
/// names of both sides come joined, interchanges point to their parcels, and the manifest
/// has the outbound entries (numbers resolved) and one entry per delivery.
async fn upload_round_trip(store: Arc<dyn Store>) {
    seed(&*store).await;
    let up = upload("A", t0());
    let accepted = store.accept_upload(&up).await.unwrap();
    assert_eq!(accepted.inbound.len(), 2);
    assert_eq!(accepted.interchanges.len(), 3);
    assert!(accepted.duplicates.is_empty());
    assert!(accepted.outbound < accepted.inbound[0] && accepted.inbound[0] < accepted.inbound[1]);
    assert!(accepted.interchanges.windows(2).all(|w| w[0] < w[1]));

    let out = store.parcel(accepted.outbound).await.unwrap().unwrap();
    let mut want = up.outbound.parcel.clone();
    want.id = accepted.outbound;
    want.names = PartyNames {
        network: "North".into(),
        mailbox: "Sender".into(),
        peer_network: String::new(),
        peer_mailbox: String::new(),
    };
    assert_eq!(out, want);
    let content = store
        .parcel_content(accepted.outbound)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(content.bytes, up.outbound.content);
    assert_eq!(content.sha256, up.outbound.parcel.sha256);

    let remote = store.parcel(accepted.inbound[1]).await.unwrap().unwrap();
    assert_eq!(remote.source, Some(accepted.outbound));
    assert_eq!(remote.names.network, "South");
    assert_eq!(remote.names.mailbox, "Remote");
    assert_eq!(remote.names.peer_network, "North");
    assert_eq!(remote.names.peer_mailbox, "Sender");
    let bytes = store
        .parcel_content(accepted.inbound[1])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bytes.bytes, b"BBBBBBBBBB");

    let all = store.parcel_interchanges(accepted.outbound).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].inbound, Some(accepted.inbound[0]));
    assert_eq!(all[1].inbound, Some(accepted.inbound[1]));
    assert_eq!(all[2].inbound, None);
    let mut want = up.interchanges[2].interchange.clone();
    want.id = accepted.interchanges[2];
    want.outbound = accepted.outbound;
    assert_eq!(all[2], want, "every field reads back");
    let delivered = store
        .parcel_interchanges(accepted.inbound[0])
        .await
        .unwrap();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].control_number, "A1");
    let one = store
        .interchange(accepted.interchanges[1])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one.control_number, "A2");

    let manifest = store.manifest(accepted.outbound).await.unwrap();
    assert_eq!(manifest.len(), 2, "{manifest:?}");
    assert_eq!(manifest[1].interchange_id, Some(accepted.interchanges[2]));
    let inbound_manifest = store.manifest(accepted.inbound[0]).await.unwrap();
    assert_eq!(inbound_manifest.len(), 1);
    assert_eq!(inbound_manifest[0].status_code, "InBoxReady");
    assert_eq!(inbound_manifest[0].network_id, NetworkId(1));

    // A second upload gets higher numbers.
    let again = store.accept_upload(&upload("B", t0())).await.unwrap();
    assert!(again.outbound > accepted.inbound[1]);
    assert!(again.interchanges[0] > accepted.interchanges[2]);
}

/// Nothing of an upload remains when one of its inserts fails half-way (here the second
/// inbound parcel names a mailbox that does not exist), and a missing parcel reads as none.
async fn a_failed_upload_leaves_nothing(store: Arc<dyn Store>) {
    seed(&*store).await;
    let mut up = upload("A", t0());
    up.inbound[1].parcel.mailbox_id = MailboxId(999);
    let failed = store.accept_upload(&up).await;
    assert!(failed.is_err(), "{failed:?}");
    for direction in [Direction::InBox, Direction::OutBox] {
        let any = ParcelFilter {
            direction,
            network: None,
            mailbox: None,
            ..inbox(0, 0)
        };
        let listed = store.list_parcels(&any, Page::first(10)).await.unwrap();
        assert_eq!(listed.total, 0, "{direction}: {:?}", listed.items);
    }
    let ok = store.accept_upload(&upload("A", t0())).await.unwrap();
    let listed = store.parcel_interchanges(ok.outbound).await.unwrap();
    assert_eq!(listed.len(), 3, "the same upload, fixed, is accepted");
    assert!(store.parcel(ParcelId(1)).await.unwrap().is_none());
    assert!(store.parcel_content(ParcelId(1)).await.unwrap().is_none());
    assert!(store.interchange(InterchangeId(1)).await.unwrap().is_none());
    assert!(
        store
            .parcel_interchanges(ParcelId(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.manifest(ParcelId(1)).await.unwrap().is_empty());
}

/// A delivered interchange with the sender, receiver and control number of one delivered
/// since `duplicates_since` is flagged, and so are the parcels holding it; an older one or
/// an undelivered one is not.
async fn duplicates_are_flagged_within_the_window(store: Arc<dyn Store>) {
    seed(&*store).await;
    store.accept_upload(&upload("A", t0())).await.unwrap();
    let later = t0() + Duration::days(1);
    let mut again = upload("A", later);
    again.interchanges[1].interchange.control_number = "fresh".into();
    let accepted = store.accept_upload(&again).await.unwrap();
    assert_eq!(
        accepted.duplicates,
        vec![0],
        "A1 again; A3 was not delivered"
    );
    let ics = store.parcel_interchanges(accepted.outbound).await.unwrap();
    assert!(ics[0].duplicate && !ics[1].duplicate && !ics[2].duplicate);
    let first = store.parcel(accepted.inbound[0]).await.unwrap().unwrap();
    assert_eq!(first.valid, ParcelValid::Duplicate);
    let second = store.parcel(accepted.inbound[1]).await.unwrap().unwrap();
    assert_eq!(second.valid, ParcelValid::Valid);
    let out = store.parcel(accepted.outbound).await.unwrap().unwrap();
    assert_eq!(
        out.valid,
        ParcelValid::ValidPartialRouted,
        "an outbound parcel keeps its routing verdict"
    );

    let mut clean = upload("A", later + Duration::days(40));
    clean.duplicates_since = later + Duration::days(10);
    let accepted = store.accept_upload(&clean).await.unwrap();
    assert!(accepted.duplicates.is_empty(), "outside the window");
}

/// A large upload is stored whole and in order across the store's insert batches, and an
/// interchange repeated within the same upload is flagged too.
async fn large_uploads_keep_their_order(store: Arc<dyn Store>) {
    seed(&*store).await;
    let mut up = upload("L", t0());
    let proto = up.interchanges[0].clone();
    up.interchanges = (0..130)
        .map(|i| {
            let mut n = proto.clone();
            n.interchange.position = i;
            n.interchange.offset = i64::from(i) * 10;
            // The last ten repeat the first ten's control numbers.
            n.interchange.control_number = format!("{:09}", if i >= 120 { i - 120 } else { i });
            n
        })
        .collect();
    let accepted = store.accept_upload(&up).await.unwrap();
    assert_eq!(accepted.interchanges.len(), 130);
    assert!(
        accepted.interchanges.windows(2).all(|w| w[0] < w[1]),
        "upload order"
    );
    assert_eq!(accepted.duplicates, (120..130).collect::<Vec<_>>());
    let stored = store.parcel_interchanges(accepted.outbound).await.unwrap();
    assert_eq!(stored.len(), 130);
    for (i, ic) in stored.iter().enumerate() {
        assert_eq!(ic.id, accepted.interchanges[i]);
        assert_eq!(ic.position, i as i32);
        assert_eq!(ic.offset, i as i64 * 10);
        assert_eq!(ic.duplicate, i >= 120, "{i}");
    }
    let flagged = store.parcel(accepted.inbound[0]).await.unwrap().unwrap();
    assert_eq!(flagged.valid, ParcelValid::Duplicate);
}

/// Lists: one mailbox's box in one state oldest first or newest first, several states, a
/// network's boxes, a date range, partner and mailbag filters, pages and totals.
async fn lists_filter_order_and_page(store: Arc<dyn Store>) {
    seed(&*store).await;
    let mut inbound_11 = Vec::new();
    for n in 0..5 {
        let a = store
            .accept_upload(&upload(&format!("L{n}"), t0() + Duration::minutes(n)))
            .await
            .unwrap();
        inbound_11.push(a.inbound[0]);
    }
    store
        .change_state(&change(
            inbound_11[1],
            &[ParcelState::InBoxReady],
            ParcelState::InBoxArchived,
        ))
        .await
        .unwrap();
    store
        .set_mailbag_control_id(inbound_11[3], "BAG-3")
        .await
        .unwrap();

    let ready = ParcelFilter {
        states: vec![ParcelState::InBoxReady],
        ..inbox(11, 1)
    };
    let page = store.list_parcels(&ready, Page::first(2)).await.unwrap();
    assert_eq!(page.total, 4);
    let ids: Vec<_> = page.items.iter().map(|p| p.id).collect();
    assert_eq!(ids, vec![inbound_11[0], inbound_11[2]], "oldest first");
    let page2 = store
        .list_parcels(&ready, Page { number: 2, size: 2 })
        .await
        .unwrap();
    let ids: Vec<_> = page2.items.iter().map(|p| p.id).collect();
    assert_eq!(ids, vec![inbound_11[3], inbound_11[4]]);
    assert_eq!(page2.total, 4);

    let newest = ParcelFilter {
        newest_first: true,
        since: Some(t0() + Duration::minutes(1)),
        until: Some(t0() + Duration::minutes(4)),
        ..inbox(11, 1)
    };
    let ids: Vec<_> = store
        .list_parcels(&newest, Page::first(10))
        .await
        .unwrap()
        .items
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, vec![inbound_11[3], inbound_11[2], inbound_11[1]]);

    let both = ParcelFilter {
        states: vec![ParcelState::InBoxArchived, ParcelState::Cancelled],
        ..inbox(11, 1)
    };
    let listed = store.list_parcels(&both, Page::first(10)).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].id, inbound_11[1]);

    let network = ParcelFilter {
        mailbox: None,
        ..inbox(0, 1)
    };
    assert_eq!(
        store
            .list_parcels(&network, Page::first(10))
            .await
            .unwrap()
            .total,
        5,
        "network 1 holds mailbox 11's five deliveries"
    );
    let remote = store
        .list_parcels(&inbox(20, 2), Page::first(10))
        .await
        .unwrap();
    assert_eq!(remote.total, 5);
    let outbox = ParcelFilter::of(Direction::OutBox, NetworkId(1), MailboxId(10));
    let sent = store.list_parcels(&outbox, Page::first(10)).await.unwrap();
    assert_eq!(sent.total, 5);
    assert!(sent.items.iter().all(|p| p.direction == Direction::OutBox));
    assert_eq!(
        store
            .list_parcels(&inbox(10, 1), Page::first(10))
            .await
            .unwrap()
            .total,
        0,
        "the sender's inbox is empty"
    );

    let bag = ParcelFilter {
        mailbag_control_id: Some("BAG-3".into()),
        ..inbox(11, 1)
    };
    let found = store.list_parcels(&bag, Page::first(10)).await.unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].mailbag_control_id, "BAG-3");
    let partner = ParcelFilter {
        ecgrid_from: Some(EcGridId(5)),
        ..inbox(11, 1)
    };
    assert_eq!(
        store
            .list_parcels(&partner, Page::first(10))
            .await
            .unwrap()
            .total,
        0
    );
    let partner = ParcelFilter {
        ecgrid_from: Some(EcGridId(100_000)),
        ecgrid_to: Some(EcGridId(100_001)),
        ..inbox(11, 1)
    };
    assert_eq!(
        store
            .list_parcels(&partner, Page::first(10))
            .await
            .unwrap()
            .total,
        5
    );
    let past_end = store
        .list_parcels(&inbox(11, 1), Page { number: 9, size: 2 })
        .await
        .unwrap();
    assert!(past_end.items.is_empty());
    assert_eq!(past_end.total, 5, "counted when the page tells nothing");
}

/// Interchange lists by side, status, inbound parcel state, range and order.
async fn interchange_lists(store: Arc<dyn Store>) {
    seed(&*store).await;
    let a = store.accept_upload(&upload("A", t0())).await.unwrap();
    let b = store
        .accept_upload(&upload("B", t0() + Duration::minutes(1)))
        .await
        .unwrap();
    store
        .change_state(&change(
            b.inbound[0],
            &[ParcelState::InBoxReady],
            ParcelState::InBoxTransferred,
        ))
        .await
        .unwrap();
    let uploaded = InterchangeFilter {
        direction: Direction::OutBox,
        network: Some(NetworkId(1)),
        mailbox: Some(MailboxId(10)),
        statuses: Vec::new(),
        parcel_states: Vec::new(),
        ecgrid_from: None,
        ecgrid_to: None,
        since: None,
        until: None,
        newest_first: false,
    };
    let all = store
        .list_interchanges(&uploaded, Page::first(10))
        .await
        .unwrap();
    assert_eq!(all.total, 6);
    assert_eq!(all.items[0].id, a.interchanges[0], "oldest first");
    let no_route = InterchangeFilter {
        statuses: vec![InterchangeStatus::NoRoute],
        newest_first: true,
        ..uploaded.clone()
    };
    let ids: Vec<_> = store
        .list_interchanges(&no_route, Page::first(10))
        .await
        .unwrap()
        .items
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, vec![b.interchanges[2], a.interchanges[2]]);
    let pending = InterchangeFilter {
        direction: Direction::InBox,
        mailbox: Some(MailboxId(11)),
        parcel_states: vec![ParcelState::InBoxReady],
        ..uploaded.clone()
    };
    let ids: Vec<_> = store
        .list_interchanges(&pending, Page::first(10))
        .await
        .unwrap()
        .items
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, vec![a.interchanges[0]], "B's delivery was downloaded");
    let ranged = InterchangeFilter {
        since: Some(t0() + Duration::seconds(30)),
        ..uploaded.clone()
    };
    assert_eq!(
        store
            .list_interchanges(&ranged, Page::first(10))
            .await
            .unwrap()
            .total,
        3
    );
    let network = InterchangeFilter {
        direction: Direction::InBox,
        network: Some(NetworkId(2)),
        mailbox: None,
        ..uploaded
    };
    assert_eq!(
        store
            .list_interchanges(&network, Page::first(10))
            .await
            .unwrap()
            .total,
        2
    );
}

/// Compare-and-set: applied only from the named states, with a manifest entry; refused
/// (false) otherwise with nothing changed; `Missing` for no parcel. Downloads stamp the
/// time, confirms archive, content removal deletes the bytes and keeps the record,
/// interchanges follow, and the source is acknowledged once every delivery is archived or
/// cancelled (and reopened by a reset).
async fn state_changes_are_compare_and_set(store: Arc<dyn Store>) {
    seed(&*store).await;
    let a = store.accept_upload(&upload("A", t0())).await.unwrap();
    let mut up = upload("B", t0());
    up.outbound.parcel.state = ParcelState::OutBoxSent;
    let b = store.accept_upload(&up).await.unwrap();
    let (first, second) = (b.inbound[0], b.inbound[1]);

    let missing = store
        .change_state(&change(
            ParcelId(1),
            &[ParcelState::InBoxReady],
            ParcelState::InBoxTransferred,
        ))
        .await;
    assert!(
        matches!(missing, Err(StoreError::Missing(_))),
        "{missing:?}"
    );

    let refused = store
        .change_state(&change(
            first,
            &[ParcelState::InBoxTransferred],
            ParcelState::InBoxArchived,
        ))
        .await
        .unwrap();
    assert!(!refused, "a ready parcel is not transferred");
    assert_eq!(state_of(&*store, first).await, ParcelState::InBoxReady);
    assert_eq!(
        store.manifest(first).await.unwrap().len(),
        1,
        "no entry for a refusal"
    );

    let mut download = change(
        first,
        &[ParcelState::InBoxReady],
        ParcelState::InBoxTransferred,
    );
    download.mark_downloaded = true;
    assert!(store.change_state(&download).await.unwrap());
    let p = store.parcel(first).await.unwrap().unwrap();
    assert_eq!(p.state, ParcelState::InBoxTransferred);
    assert_eq!(p.downloaded, Some(download.at));
    assert_eq!(p.state_changed, download.at);
    let manifest = store.manifest(first).await.unwrap();
    let last = manifest.last().unwrap();
    assert_eq!(last.status_code, "InBoxTransferred");
    assert_eq!(last.user_id, UserId(7));
    assert_eq!(last.kind, ManifestType::EcGridOs);
    assert_eq!(last.message, "to InBoxTransferred");

    let mut confirm = change(
        first,
        &[ParcelState::InBoxTransferred, ParcelState::InBoxReady],
        ParcelState::InBoxArchived,
    );
    confirm.remove_content = true;
    assert!(store.change_state(&confirm).await.unwrap());
    let p = store.parcel(first).await.unwrap().unwrap();
    assert!(p.content_removed);
    assert_eq!(p.archived, Some(confirm.at));
    assert!(store.parcel_content(first).await.unwrap().is_none());
    assert_eq!(
        state_of(&*store, b.outbound).await,
        ParcelState::OutBoxSent,
        "one delivery is still waiting"
    );

    let mut cancel = change(second, &[ParcelState::InBoxReady], ParcelState::Cancelled);
    cancel.interchanges_to = Some(InterchangeStatus::Cancelled);
    assert!(store.change_state(&cancel).await.unwrap());
    let ics = store.parcel_interchanges(second).await.unwrap();
    assert_eq!(ics[0].status, InterchangeStatus::Cancelled);
    let source = store.parcel(b.outbound).await.unwrap().unwrap();
    assert_eq!(source.state, ParcelState::OutBoxAcknowledged);
    assert_eq!(source.archived, Some(cancel.at));
    let last = store.manifest(b.outbound).await.unwrap();
    assert!(
        last.iter()
            .any(|e| e.parcel_id == b.outbound && e.status_code == "outboxAcknowledged"),
        "{last:?}"
    );

    // A reset reopens the delivery and the source.
    let reset = change(
        first,
        &[ParcelState::InBoxArchived],
        ParcelState::InBoxReady,
    );
    assert!(store.change_state(&reset).await.unwrap());
    let p = store.parcel(first).await.unwrap().unwrap();
    assert_eq!(p.state, ParcelState::InBoxReady);
    assert_eq!(p.archived, None);
    assert!(p.content_removed, "removed content stays removed");
    assert_eq!(state_of(&*store, b.outbound).await, ParcelState::OutBoxSent);

    // An outbound parcel with an error is never acknowledged.
    for id in &a.inbound {
        let archive = change(*id, &[ParcelState::InBoxReady], ParcelState::InBoxArchived);
        assert!(store.change_state(&archive).await.unwrap());
    }
    assert_eq!(
        state_of(&*store, a.outbound).await,
        ParcelState::OutBoxDeliveryError
    );

    // Outbound: the delivered interchanges follow, the others keep their status.
    let mut withdraw = change(
        a.outbound,
        &[ParcelState::OutBoxDeliveryError],
        ParcelState::Cancelled,
    );
    withdraw.interchanges_to = Some(InterchangeStatus::Cancelled);
    assert!(store.change_state(&withdraw).await.unwrap());
    let ics = store.parcel_interchanges(a.outbound).await.unwrap();
    let statuses: Vec<_> = ics.iter().map(|i| i.status).collect();
    assert_eq!(
        statuses,
        vec![
            InterchangeStatus::Cancelled,
            InterchangeStatus::Cancelled,
            InterchangeStatus::NoRoute
        ]
    );
}

/// Downloads not confirmed within their mailbox's InBoxTimeout return to the inbox (mailbox
/// 11 has 30 minutes; mailbox 20 none), each with an entry; archived content is removed past
/// the cutoff, records kept.
async fn housekeeping_returns_and_removes(store: Arc<dyn Store>) {
    seed(&*store).await;
    let a = store.accept_upload(&upload("A", t0())).await.unwrap();
    for id in &a.inbound {
        let mut download = change(
            *id,
            &[ParcelState::InBoxReady],
            ParcelState::InBoxTransferred,
        );
        download.mark_downloaded = true;
        assert!(store.change_state(&download).await.unwrap());
    }
    let downloaded = t0() + Duration::minutes(5);
    assert_eq!(
        store
            .return_timed_out(downloaded + Duration::minutes(29))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .return_timed_out(downloaded + Duration::minutes(30))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        state_of(&*store, a.inbound[0]).await,
        ParcelState::InBoxReady
    );
    assert_eq!(
        state_of(&*store, a.inbound[1]).await,
        ParcelState::InBoxTransferred,
        "mailbox 20 never times out"
    );
    let last = store.manifest(a.inbound[0]).await.unwrap();
    let last = last.last().unwrap();
    assert_eq!(last.status_code, "InBoxReady");
    assert_eq!(last.user_id, UserId(0));
    assert_eq!(last.kind, ManifestType::System);

    let archive = change(
        a.inbound[1],
        &[ParcelState::InBoxTransferred],
        ParcelState::InBoxArchived,
    );
    assert!(store.change_state(&archive).await.unwrap());
    assert_eq!(store.remove_content_before(archive.at).await.unwrap(), 0);
    assert_eq!(
        store
            .remove_content_before(archive.at + Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
    assert!(store.parcel_content(a.inbound[1]).await.unwrap().is_none());
    assert!(
        store
            .parcel(a.inbound[1])
            .await
            .unwrap()
            .unwrap()
            .content_removed
    );
    assert!(
        store.parcel_content(a.inbound[0]).await.unwrap().is_some(),
        "a ready parcel keeps its content"
    );
    assert!(store.parcel_content(a.outbound).await.unwrap().is_some());
    assert_eq!(
        store
            .remove_content_before(archive.at + Duration::days(1))
            .await
            .unwrap(),
        0,
        "removed once"
    );
}

/// Manifest entries and notes are kept in order; mailbag IDs and local statuses are set;
/// each refuses a missing parcel.
async fn notes_manifest_and_fields(store: Arc<dyn Store>) {
    seed(&*store).await;
    let a = store.accept_upload(&upload("A", t0())).await.unwrap();
    let entry = ManifestEntry {
        parcel_id: a.inbound[0],
        interchange_id: None,
        at: t0() + Duration::minutes(1),
        network_id: NetworkId(1),
        kind: ManifestType::Manual,
        status_code: "Note".into(),
        message: "looked at it".into(),
        user_id: UserId(9),
    };
    store.add_manifest_entry(&entry).await.unwrap();
    let manifest = store.manifest(a.inbound[0]).await.unwrap();
    assert_eq!(manifest.last(), Some(&entry));
    let orphan = ManifestEntry {
        parcel_id: ParcelId(1),
        ..entry.clone()
    };
    assert!(store.add_manifest_entry(&orphan).await.is_err());

    let note = ParcelNote {
        id: 0,
        parcel_id: a.inbound[0],
        interchange_id: Some(a.interchanges[0]),
        at: t0() + Duration::minutes(2),
        status_code: "InBoxReady".into(),
        posted_by: "ada".into(),
        user_id: UserId(9),
        subject: "Re: PO".into(),
        note: "received, thanks".into(),
    };
    let first = store.add_note(&note).await.unwrap();
    let second = store
        .add_note(&ParcelNote {
            note: "second".into(),
            ..note.clone()
        })
        .await
        .unwrap();
    assert!(second > first);
    let notes = store.notes(a.inbound[0]).await.unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(
        notes[0],
        ParcelNote {
            id: first,
            ..note.clone()
        }
    );
    assert_eq!(notes[1].note, "second");
    assert!(store.notes(a.inbound[1]).await.unwrap().is_empty());
    let orphan = ParcelNote {
        parcel_id: ParcelId(1),
        ..note
    };
    assert!(store.add_note(&orphan).await.is_err());

    store
        .set_mailbag_control_id(a.outbound, "BAG-1")
        .await
        .unwrap();
    let at = t0() + Duration::minutes(3);
    store.set_local_status(a.outbound, 42, at).await.unwrap();
    let p = store.parcel(a.outbound).await.unwrap().unwrap();
    assert_eq!(p.mailbag_control_id, "BAG-1");
    assert_eq!(p.local_status, 42);
    assert_eq!(p.local_status_changed, Some(at));
    assert!(matches!(
        store.set_mailbag_control_id(ParcelId(1), "X").await,
        Err(StoreError::Missing(_))
    ));
    assert!(matches!(
        store.set_local_status(ParcelId(1), 1, at).await,
        Err(StoreError::Missing(_))
    ));
}

/// A redelivery makes new inbound parcels from the same source, points the interchanges at
/// them, reopens an acknowledged source, and stores nothing when an interchange is missing.
async fn redeliveries(store: Arc<dyn Store>) {
    seed(&*store).await;
    let mut up = upload("A", t0());
    up.outbound.parcel.state = ParcelState::OutBoxSent;
    let a = store.accept_upload(&up).await.unwrap();
    for id in &a.inbound {
        let archive = change(*id, &[ParcelState::InBoxReady], ParcelState::InBoxArchived);
        assert!(store.change_state(&archive).await.unwrap());
    }
    assert_eq!(
        state_of(&*store, a.outbound).await,
        ParcelState::OutBoxAcknowledged
    );
    let at = t0() + Duration::hours(1);
    let mut again = up.inbound[0].clone();
    again.parcel.source = Some(a.outbound);
    again.parcel.created = at;
    let r = Redelivery {
        inbound: vec![again],
        interchanges: vec![(a.interchanges[0], 0)],
        at,
        by: UserId(1),
    };
    let made = store.redeliver(&r).await.unwrap();
    assert_eq!(made.len(), 1);
    assert!(made[0] > a.inbound[1]);
    let p = store.parcel(made[0]).await.unwrap().unwrap();
    assert_eq!(p.source, Some(a.outbound));
    assert_eq!(p.state, ParcelState::InBoxReady);
    let ic = store.interchange(a.interchanges[0]).await.unwrap().unwrap();
    assert_eq!(ic.inbound, Some(made[0]));
    assert_eq!(ic.status, InterchangeStatus::Delivered);
    assert_eq!(state_of(&*store, a.outbound).await, ParcelState::OutBoxSent);
    let manifest = store.manifest(made[0]).await.unwrap();
    assert_eq!(manifest.len(), 2, "{manifest:?}");

    let broken = Redelivery {
        interchanges: vec![(InterchangeId(1), 0)],
        ..r
    };
    assert!(matches!(
        store.redeliver(&broken).await,
        Err(StoreError::Missing(_))
    ));
    let inbox = store
        .list_parcels(&inbox(11, 1), Page::first(10))
        .await
        .unwrap();
    assert_eq!(inbox.total, 2, "the failed redelivery left no parcel");
}

/// Uploads sent at the same time (which the SQLite store commits in groups) are each
/// accepted or refused on their own: a failing one among them leaves nothing and takes no
/// other down; every accepted one is there whole, with numbers that never repeat.
async fn concurrent_uploads_stand_alone(store: Arc<dyn Store>) {
    seed(&*store).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut up = upload(&format!("C{i}-"), t0());
            if i % 5 == 4 {
                up.inbound[1].parcel.mailbox_id = MailboxId(999);
            }
            (i, store.accept_upload(&up).await)
        }));
    }
    let mut outbound = Vec::new();
    for task in tasks {
        let (i, result) = task.await.unwrap();
        match (i % 5 == 4, result) {
            (true, Err(_)) => {}
            (false, Ok(accepted)) => outbound.push(accepted),
            (bad, result) => panic!("upload {i} (bad: {bad}) gave {result:?}"),
        }
    }
    assert_eq!(outbound.len(), 32);
    let mut ids: Vec<i64> = outbound
        .iter()
        .flat_map(|a| std::iter::once(a.outbound.0).chain(a.inbound.iter().map(|p| p.0)))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 32 * 3, "every parcel its own number");
    for accepted in &outbound {
        let stored = store.parcel_interchanges(accepted.outbound).await.unwrap();
        assert_eq!(stored.len(), 3);
        for inbound in &accepted.inbound {
            assert!(store.parcel_content(*inbound).await.unwrap().is_some());
        }
    }
    for direction in [Direction::InBox, Direction::OutBox] {
        let any = ParcelFilter {
            direction,
            network: None,
            mailbox: None,
            ..inbox(0, 0)
        };
        let listed = store.list_parcels(&any, Page::first(500)).await.unwrap();
        let expected = if direction == Direction::InBox {
            64
        } else {
            32
        };
        assert_eq!(listed.total, expected, "{direction}");
    }
}

/// State changes made at the same time as each other and as uploads (the SQLite store
/// commits them in the same groups) each stand alone: a change of a missing parcel is
/// refused without taking the others down, a compare-and-set that does not apply changes
/// nothing, and each one that applies is there with its manifest entry.
async fn concurrent_changes_stand_alone(store: Arc<dyn Store>) {
    seed(&*store).await;
    let mut ready = Vec::new();
    for i in 0..10 {
        let accepted = store
            .accept_upload(&upload(&format!("S{i}-"), t0()))
            .await
            .unwrap();
        ready.extend(accepted.inbound);
    }
    let mut tasks = Vec::new();
    for (i, id) in ready.iter().copied().enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            // Every third asks for a state the parcel is not in: not applied.
            let from = if i % 3 == 2 {
                ParcelState::InBoxTransferred
            } else {
                ParcelState::InBoxReady
            };
            let result = store
                .change_state(&change(id, &[from], ParcelState::InBoxArchived))
                .await;
            (Some((i, id)), result)
        }));
    }
    for n in 0..3 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let missing = change(
                ParcelId(1 + n),
                &[ParcelState::InBoxReady],
                ParcelState::InBoxArchived,
            );
            (None, store.change_state(&missing).await)
        }));
    }
    let uploads: Vec<_> = (0..5)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.accept_upload(&upload(&format!("T{i}-"), t0())).await })
        })
        .collect();
    for task in tasks {
        match task.await.unwrap() {
            (Some((i, id)), Ok(applied)) => {
                assert_eq!(applied, i % 3 != 2, "change {i} of parcel {id}");
                let expected = if applied {
                    ParcelState::InBoxArchived
                } else {
                    ParcelState::InBoxReady
                };
                assert_eq!(state_of(&*store, id).await, expected, "parcel {id}");
                let entries = store.manifest(id).await.unwrap().len();
                assert_eq!(entries, if applied { 2 } else { 1 }, "parcel {id}");
            }
            (None, Err(StoreError::Missing(_))) => {}
            (which, result) => panic!("{which:?} gave {result:?}"),
        }
    }
    for task in uploads {
        let accepted = task.await.unwrap().unwrap();
        assert_eq!(accepted.inbound.len(), 2);
    }
}

/// Runs every check, each on a fresh store from `fresh`.
pub async fn run_all<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    upload_round_trip(fresh().await).await;
    a_failed_upload_leaves_nothing(fresh().await).await;
    duplicates_are_flagged_within_the_window(fresh().await).await;
    large_uploads_keep_their_order(fresh().await).await;
    lists_filter_order_and_page(fresh().await).await;
    interchange_lists(fresh().await).await;
    state_changes_are_compare_and_set(fresh().await).await;
    housekeeping_returns_and_removes(fresh().await).await;
    notes_manifest_and_fields(fresh().await).await;
    redeliveries(fresh().await).await;
    concurrent_uploads_stand_alone(fresh().await).await;
    concurrent_changes_stand_alone(fresh().await).await;
}
