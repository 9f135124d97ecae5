//! The behaviour every `ReportStore` must have: the parcels and interchanges of a scope
//! and time range counted and summed exactly, delivered interchanges only as received, and
//! the same counts per mailbox with its name. Each check runs on a fresh, empty store.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use edigrid_core::Store;
use edigrid_core::parcels::model::{
    Interchange, NewInterchange, NewParcel, Parcel, PartyNames, Upload,
};
use edigrid_core::reports::store::{ReportScope, Traffic};
use edigrid_core::store::{Mailbox, Network};
use edigrid_domain::{
    Direction, EcGridId, EdiStandard, InterchangeId, InterchangeStatus, MailboxId, NetworkId,
    ParcelId, ParcelState, ParcelValid, UserId,
};

use super::t0;

/// Network 1 with mailboxes 10 (the sender) and 11; network 2 with mailbox 20.
async fn seed(store: &dyn Store) {
    for (network, name) in [(1, "North"), (2, "South")] {
        store
            .insert_network(&Network::new(NetworkId(network), name.into(), t0()))
            .await
            .unwrap();
    }
    for (mailbox, network, name) in [(10, 1, "Sender"), (11, 1, "Buyer"), (20, 2, "Remote")] {
        let m = Mailbox::new(MailboxId(mailbox), NetworkId(network), name.into(), t0());
        store.insert_mailbox(&m).await.unwrap();
    }
}

fn parcel(
    direction: Direction,
    (network, mailbox): (i32, i32),
    bytes: i64,
    at: DateTime<Utc>,
) -> Parcel {
    Parcel {
        id: ParcelId(0),
        direction,
        network_id: NetworkId(network),
        mailbox_id: MailboxId(mailbox),
        peer_network_id: NetworkId(0),
        peer_mailbox_id: MailboxId(0),
        ecgrid_from: EcGridId(0),
        ecgrid_to: EcGridId(0),
        file_name: String::new(),
        bytes,
        declared_bytes: bytes,
        sha256: [7; 32],
        standard: EdiStandard::X12,
        state: if direction == Direction::InBox {
            ParcelState::InBoxReady
        } else {
            ParcelState::OutBoxDeliveryError
        },
        valid: ParcelValid::ValidPartialRouted,
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

fn interchange(position: i32, to: (i32, i32), length: i64, at: DateTime<Utc>) -> Interchange {
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
        receiver: "ZZ:OTHER".into(),
        ecgrid_from: EcGridId(0),
        ecgrid_to: EcGridId(0),
        network_from: NetworkId(1),
        mailbox_from: MailboxId(10),
        network_to: NetworkId(to.0),
        mailbox_to: MailboxId(to.1),
        control_number: format!("{position}{}", at.timestamp()),
        envelope_date: String::new(),
        document_type: "850".into(),
        header: String::new(),
        findings: String::new(),
        offset: 0,
        length,
        created: at,
        status_changed: at,
    }
}

/// From mailbox 10 (60 bytes, three interchanges of 10, 20 and 30 bytes): the first
/// delivered to mailbox 11, the second to mailbox 20, the third without a route although
/// its receiver's mailbox (11) is known, as a suspended receiver leaves it.
fn upload(at: DateTime<Utc>) -> Upload {
    let mut unrouted = interchange(2, (1, 11), 30, at);
    unrouted.status = InterchangeStatus::NoRoute;
    let content = vec![b'x'; 60];
    let inbound = |to: (i32, i32), n: usize| NewParcel {
        parcel: parcel(Direction::InBox, to, n as i64, at),
        content: vec![b'y'; n],
    };
    Upload {
        outbound: NewParcel {
            parcel: parcel(Direction::OutBox, (1, 10), 60, at),
            content,
        },
        interchanges: vec![
            NewInterchange {
                interchange: interchange(0, (1, 11), 10, at),
                delivered_in: Some(0),
            },
            NewInterchange {
                interchange: interchange(1, (2, 20), 20, at),
                delivered_in: Some(1),
            },
            NewInterchange {
                interchange: unrouted,
                delivered_in: None,
            },
        ],
        inbound: vec![inbound((1, 11), 10), inbound((2, 20), 20)],
        manifest: Vec::new(),
        duplicates_since: at - Duration::days(1),
        requires: None,
    }
}

fn traffic(
    parcels: (i64, i64),
    bytes: (i64, i64),
    interchanges: (i64, i64),
    interchange_bytes: (i64, i64),
) -> Traffic {
    Traffic {
        parcels_in: parcels.0,
        parcels_out: parcels.1,
        bytes_in: bytes.0,
        bytes_out: bytes.1,
        interchanges_in: interchanges.0,
        interchanges_out: interchanges.1,
        interchange_bytes_in: interchange_bytes.0,
        interchange_bytes_out: interchange_bytes.1,
        last_activity: None,
    }
}

/// Totals by scope, inside and outside the range.
async fn totals_by_scope_and_range(store: Arc<dyn Store>) {
    seed(&*store).await;
    store.accept_upload(&upload(t0())).await.unwrap();
    // The next day's upload is outside the first day's range.
    store
        .accept_upload(&upload(t0() + Duration::days(1)))
        .await
        .unwrap();
    let day = (t0() - Duration::hours(1), t0() + Duration::hours(23));
    let count = |scope| {
        let store = store.clone();
        async move {
            let mut t = store.traffic(scope, day.0, day.1).await.unwrap();
            assert_eq!(t.last_activity, Some(t0()), "{scope:?}");
            t.last_activity = None;
            t
        }
    };
    assert_eq!(
        count(ReportScope::Mailbox(MailboxId(10))).await,
        traffic((0, 1), (0, 60), (0, 3), (0, 60))
    );
    assert_eq!(
        count(ReportScope::Mailbox(MailboxId(11))).await,
        traffic((1, 0), (10, 0), (1, 0), (10, 0)),
        "the interchange without a route is not received"
    );
    assert_eq!(
        count(ReportScope::Network(NetworkId(1))).await,
        traffic((1, 1), (10, 60), (1, 3), (10, 60))
    );
    assert_eq!(
        count(ReportScope::Network(NetworkId(2))).await,
        traffic((1, 0), (20, 0), (1, 0), (20, 0))
    );
    assert_eq!(
        count(ReportScope::All).await,
        traffic((2, 1), (30, 60), (2, 3), (30, 60))
    );
    let both = store
        .traffic(ReportScope::All, day.0, day.1 + Duration::days(1))
        .await
        .unwrap();
    assert_eq!((both.parcels(), both.bytes()), (6, 180));
    assert_eq!(both.last_activity, Some(t0() + Duration::days(1)));
    let none = store
        .traffic(
            ReportScope::Mailbox(MailboxId(10)),
            day.0 - Duration::days(9),
            day.0,
        )
        .await
        .unwrap();
    assert_eq!(none, Traffic::default(), "an empty range counts nothing");
}

/// One row per mailbox with traffic, with its name and network, in mailbox order.
async fn per_mailbox(store: Arc<dyn Store>) {
    seed(&*store).await;
    store.accept_upload(&upload(t0())).await.unwrap();
    let (since, until) = (t0(), t0() + Duration::seconds(1));
    let rows = store
        .traffic_by_mailbox(ReportScope::All, since, until)
        .await
        .unwrap();
    let seen: Vec<(i32, i32, &str)> = rows
        .iter()
        .map(|r| (r.network_id.0, r.mailbox_id.0, r.mailbox_name.as_str()))
        .collect();
    assert_eq!(
        seen,
        [(1, 10, "Sender"), (1, 11, "Buyer"), (2, 20, "Remote")]
    );
    assert_eq!(rows[0].traffic.interchanges_out, 3);
    assert_eq!(rows[1].traffic.bytes_in, 10);
    assert_eq!(rows[2].traffic.interchange_bytes_in, 20);
    let network = store
        .traffic_by_mailbox(ReportScope::Network(NetworkId(1)), since, until)
        .await
        .unwrap();
    assert_eq!(network.len(), 2);
    let mailbox = store
        .traffic_by_mailbox(ReportScope::Mailbox(MailboxId(11)), since, until)
        .await
        .unwrap();
    assert_eq!(mailbox.len(), 1);
    assert_eq!(mailbox[0].traffic.parcels_in, 1);
    assert!(
        store
            .traffic_by_mailbox(ReportScope::All, until, until + Duration::days(1))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn run_all<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    totals_by_scope_and_range(fresh().await).await;
    per_mailbox(fresh().await).await;
}
