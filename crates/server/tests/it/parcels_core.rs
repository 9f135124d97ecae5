//! The parcel engine through a running server's services, on SQLite and on PostgreSQL:
//! upload and routing, refusals, the lifecycle, permissions, duplicates, delimiters,
//! housekeeping, content integrity, lists, notes and interchanges. The front ends' own
//! suites test the wire; these test what every front end relies on.

use std::net::IpAddr;

use chrono::Duration;
use edigrid_core::parcels::model::Parcel;
use edigrid_core::{
    Caller, DownloadMode, InterchangeQuery, Page, ParcelPolicy, ParcelQuery, ParcelView,
    UploadRequest,
};
use edigrid_domain::{
    AuthLevel, Direction, EcGridId, EdiStandard, Error, InterchangeStatus, MailboxId, NetworkId,
    ParcelId, ParcelState, ParcelValid, X12Delimiters,
};
use edigrid_testkit::TestApp;

/// A test on SQLite and on PostgreSQL (skipped without `EDIGRID_TEST_DATABASE_URL`).
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                let app = edigrid_testkit::spawn_app_open_routes().await;
                super::$name(&app).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(url) = edigrid_testkit::fresh_postgres_url().await else {
                    eprintln!("skipped: EDIGRID_TEST_DATABASE_URL is not set");
                    return;
                };
                let app = edigrid_testkit::spawn_app_open_routes_on(url).await;
                super::$name(&app).await;
            }
        }
    };
}

/// One X12 interchange with a PO from `sender` to `receiver` (ZZ qualifiers).
fn x12(sender: &str, receiver: &str, control: &str) -> String {
    format!(
        "ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*260101*1200*U*00401*{control}*0*P*>~\
         GS*PO*{sender}*{receiver}*20260101*1200*1*X*004010~ST*850*0001~BEG*00*SA*PO1**20260101~SE*3*0001~\
         GE*1*1~IEA*1*{control}~"
    )
}

/// Network 1: mailbox 10 (the sender, ZZ:SENDER), 11 (ZZ:BUYER) and 12; network 2:
/// mailbox 20 (ZZ:REMOTE). A caller per role.
struct World {
    sender: Caller,
    buyer: Caller,
    remote: Caller,
    stranger: Caller,
    network_user: Caller,
    netops: Caller,
    ids: [EcGridId; 3],
}

async fn world(app: &TestApp) -> World {
    let made = app
        .directory()
        .user("sender", AuthLevel::MailboxUser, 1, 10)
        .user("buyer", AuthLevel::MailboxUser, 1, 11)
        .user("stranger", AuthLevel::MailboxAdmin, 1, 12)
        .user("netuser", AuthLevel::NetworkUser, 1, 12)
        .user("remote", AuthLevel::MailboxAdmin, 2, 20)
        .user("netops", AuthLevel::NetOps, 2, 20)
        .build()
        .await;
    let ids = [
        app.add_partner(1, 10, "ZZ", "SENDER", "us").await,
        app.add_partner(1, 11, "ZZ", "BUYER", "buyer").await,
        app.add_partner(2, 20, "ZZ", "REMOTE", "remote").await,
    ];
    let local: IpAddr = "127.0.0.1".parse().unwrap();
    let mut callers = Vec::new();
    for login in ["sender", "buyer", "remote", "stranger", "netuser", "netops"] {
        let key = app.api_key(made.user(login)).await;
        callers.push(app.core.authenticate(&key, local).await.unwrap());
    }
    let mut c = callers.into_iter();
    let mut next = || c.next().unwrap();
    World {
        sender: next(),
        buyer: next(),
        remote: next(),
        stranger: next(),
        network_user: next(),
        netops: next(),
        ids,
    }
}

fn upload(content: &str) -> UploadRequest {
    UploadRequest {
        file_name: "orders.x12".into(),
        content: content.as_bytes().to_vec(),
        ..UploadRequest::default()
    }
}

fn inbox(view: ParcelView) -> ParcelQuery {
    ParcelQuery::own(view, 100)
}

async fn listed(app: &TestApp, caller: &Caller, view: ParcelView) -> Vec<Parcel> {
    app.core
        .parcel_list(caller, inbox(view))
        .await
        .unwrap()
        .items
}

fn is_invalid(e: &Error, item: &str) -> bool {
    matches!(e, Error::InvalidParameter { item: i, .. } if i == item)
}

/// One upload of five interchanges: two to BUYER, one to REMOTE, one to nobody, one from an
/// ID that is not the sender's, and one with a broken envelope.
async fn upload_routes_each_interchange(app: &TestApp) {
    let w = world(app).await;
    let broken = x12("SENDER", "BUYER", "000000005").replace("IEA*1*000000005", "IEA*1*000000009");
    let content = [
        x12("SENDER", "BUYER", "000000001"),
        x12("SENDER", "REMOTE", "000000002"),
        x12("SENDER", "NOBODY", "000000003"),
        x12("REMOTE", "BUYER", "000000004"),
        broken,
        x12("SENDER", "BUYER", "000000006"),
    ]
    .join("\r\n");
    let out = app
        .core
        .parcel_upload(&w.sender, upload(&content))
        .await
        .unwrap();
    let p = &out.parcel;
    assert_eq!(p.direction, Direction::OutBox);
    assert_eq!(p.mailbox_id, MailboxId(10));
    assert_eq!(p.state, ParcelState::OutBoxDeliveryError);
    assert_eq!(p.valid, ParcelValid::PartialValid);
    assert_eq!(p.bytes, content.len() as i64);
    assert_eq!(p.interchange_count, 6);
    assert_eq!(p.names.mailbox, "Mailbox 10");
    let statuses: Vec<_> = out.interchanges.iter().map(|i| i.status).collect();
    use InterchangeStatus::*;
    assert_eq!(
        statuses,
        vec![
            Delivered,
            Delivered,
            NoRoute,
            UnknownSender,
            Invalid,
            Delivered
        ]
    );
    assert!(
        out.interchanges[2]
            .reason
            .contains("no trading partner ID ZZ:NOBODY"),
        "{}",
        out.interchanges[2].reason
    );
    assert!(
        out.interchanges[3].reason.contains("unknown sender"),
        "{}",
        out.interchanges[3].reason
    );
    assert!(
        out.interchanges[4].reason.contains("IEA02"),
        "{}",
        out.interchanges[4].reason
    );
    assert_eq!(out.interchanges[0].ecgrid_from, w.ids[0]);
    assert_eq!(out.interchanges[0].ecgrid_to, w.ids[1]);
    assert_eq!(out.inbound.len(), 2, "one parcel per receiving mailbox");
    assert!(out.inbound.iter().all(|id| *id > p.id));

    // BUYER's inbox: one parcel with its two interchanges, byte-identical, in upload order.
    let buyer_inbox = listed(app, &w.buyer, ParcelView::InBox).await;
    assert_eq!(buyer_inbox.len(), 1);
    let delivered = &buyer_inbox[0];
    assert_eq!(delivered.source, Some(p.id));
    assert_eq!(delivered.peer_mailbox_id, MailboxId(10));
    assert_eq!(delivered.interchange_count, 2);
    let got = app
        .core
        .parcel_download(&w.buyer, delivered.id, DownloadMode::NoUpdate)
        .await
        .unwrap();
    let want = format!(
        "{}{}",
        x12("SENDER", "BUYER", "000000001"),
        x12("SENDER", "BUYER", "000000006")
    );
    assert_eq!(String::from_utf8(got.content).unwrap(), want);
    assert_eq!(
        got.parcel.state,
        ParcelState::InBoxReady,
        "NoUpdate changes nothing"
    );
    let remote = listed(app, &w.remote, ParcelView::InBox).await;
    assert_eq!(remote.len(), 1);
    assert_eq!(remote[0].network_id, NetworkId(2));

    // The sender sees its errors and follows its deliveries, without their content.
    let errors = listed(app, &w.sender, ParcelView::OutBoxError).await;
    assert_eq!(errors.iter().map(|p| p.id).collect::<Vec<_>>(), vec![p.id]);
    let info = app.core.parcel_info(&w.sender, delivered.id).await.unwrap();
    assert_eq!(info.interchanges.len(), 2);
    let refused = app
        .core
        .parcel_download(&w.sender, delivered.id, DownloadMode::NoUpdate)
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::AccessDenied(_)), "{refused:?}");
    let manifest = app.core.parcel_manifest(&w.sender, p.id).await.unwrap();
    assert_eq!(manifest[0].status_code, "outboxDeliveryError");
    let errors: Vec<_> = manifest
        .iter()
        .filter(|e| e.interchange_id.is_some())
        .collect();
    assert_eq!(
        errors.len(),
        3,
        "one entry per interchange not delivered: {manifest:?}"
    );
}
on_both!(upload_routes_each_interchange);

/// The receipt the SOAP and REST uploads answer from names what was stored: the outbound
/// parcel and one delivery per receiving mailbox, as the full upload's answer would; a
/// refused upload gives the same refusal and no receipt.
async fn an_upload_receipt_names_what_was_stored(app: &TestApp) {
    let w = world(app).await;
    let content = [
        x12("SENDER", "BUYER", "000000011"),
        x12("SENDER", "REMOTE", "000000012"),
        x12("SENDER", "NOBODY", "000000013"),
    ]
    .join("");
    let receipt = app
        .core
        .parcel_upload_receipt(&w.sender, upload(&content))
        .await
        .unwrap();
    assert_eq!(receipt.inbound.len(), 2, "{receipt:?}");
    let stored = app
        .core
        .parcel_info(&w.sender, receipt.parcel)
        .await
        .unwrap();
    assert_eq!(stored.parcel.id, receipt.parcel);
    assert_eq!(stored.parcel.mailbox_id, MailboxId(10));
    assert_eq!(stored.parcel.state, ParcelState::OutBoxDeliveryError);
    let mut delivered_in: Vec<ParcelId> = stored
        .interchanges
        .iter()
        .filter_map(|i| i.inbound)
        .collect();
    delivered_in.dedup();
    assert_eq!(delivered_in, receipt.inbound);
    let buyer = listed(app, &w.buyer, ParcelView::InBox).await;
    assert_eq!(
        buyer.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![receipt.inbound[0]]
    );
    assert_eq!(buyer[0].source, Some(receipt.parcel));

    let refused = app
        .core
        .parcel_upload_receipt(&w.sender, upload(""))
        .await
        .unwrap_err();
    let full = app
        .core
        .parcel_upload(&w.sender, upload(""))
        .await
        .unwrap_err();
    assert_eq!(format!("{refused:?}"), format!("{full:?}"));
    let outbox = listed(app, &w.sender, ParcelView::OutBoxError).await;
    assert_eq!(
        outbox.len(),
        1,
        "a refused upload stores nothing: {outbox:?}"
    );
}
on_both!(an_upload_receipt_names_what_was_stored);

/// Refused uploads store nothing: empty, over the size limit, a wrong `Bytes`, a mailbox
/// out of reach, a suspended mailbox.
async fn refused_uploads_store_nothing(app: &TestApp) {
    let w = world(app).await;
    let one = x12("SENDER", "BUYER", "000000001");
    let core = app.core.clone().with_parcel_policy(ParcelPolicy {
        max_parcel_bytes: one.len(),
        ..ParcelPolicy::default()
    });
    let empty = core.parcel_upload(&w.sender, upload("")).await.unwrap_err();
    assert!(
        is_invalid(&empty, "Content") && empty.to_string().contains("is empty"),
        "{empty}"
    );
    let big = core
        .parcel_upload(&w.sender, upload(&format!("{one} ")))
        .await
        .unwrap_err();
    assert!(
        matches!(&big, Error::InvalidParameter { item, problem: edigrid_domain::ParamProblem::Length, .. } if item == "Content"),
        "{big:?}"
    );
    let wrong = UploadRequest {
        declared_bytes: Some(5),
        ..upload(&one)
    };
    let wrong = core.parcel_upload(&w.sender, wrong).await.unwrap_err();
    assert!(is_invalid(&wrong, "Bytes"), "{wrong}");
    let elsewhere = UploadRequest {
        mailbox: Some(MailboxId(11)),
        ..upload(&one)
    };
    let elsewhere = core.parcel_upload(&w.sender, elsewhere).await.unwrap_err();
    assert!(matches!(elsewhere, Error::AccessDenied(_)), "{elsewhere:?}");
    let reader = core
        .parcel_upload(&w.network_user, upload(&one))
        .await
        .unwrap_err();
    assert!(
        matches!(reader, Error::AccessDenied(_)),
        "a NetworkUser only reads: {reader:?}"
    );
    assert!(
        listed(app, &w.sender, ParcelView::OutBoxArchive)
            .await
            .is_empty()
    );
    assert!(listed(app, &w.buyer, ParcelView::InBox).await.is_empty());

    let declared = UploadRequest {
        declared_bytes: Some(one.len() as i64),
        ..upload(&one)
    };
    let ok = core.parcel_upload(&w.sender, declared).await.unwrap();
    assert_eq!(ok.parcel.state, ParcelState::OutBoxSent);
    assert_eq!(ok.parcel.valid, ParcelValid::Valid);

    let store = app.core.store();
    store
        .set_mailbox_status(
            MailboxId(10),
            edigrid_domain::UserStatus::Suspended,
            app.core.now(),
        )
        .await
        .unwrap();
    let suspended = core
        .parcel_upload(&w.sender, upload(&one))
        .await
        .unwrap_err();
    assert!(is_invalid(&suspended, "MailboxID"), "{suspended}");
    assert_eq!(
        listed(app, &w.sender, ParcelView::OutBoxArchive)
            .await
            .len(),
        1
    );
}
on_both!(refused_uploads_store_nothing);

/// A parcel with bytes outside its interchanges is stored in error and routes nothing; a
/// document without envelope routes only between two named ECGridIDs; a suspended
/// receiver's mailbox is no route, said so.
async fn invalid_parcels_and_documents(app: &TestApp) {
    let w = world(app).await;
    let garbage = format!(
        "{}JUNK{}",
        x12("SENDER", "BUYER", "000000001"),
        x12("SENDER", "BUYER", "000000002")
    );
    let out = app
        .core
        .parcel_upload(&w.sender, upload(&garbage))
        .await
        .unwrap();
    assert_eq!(out.parcel.valid, ParcelValid::Invalid);
    assert_eq!(out.parcel.state, ParcelState::OutBoxDeliveryError);
    assert!(
        out.parcel.problem.contains("at byte"),
        "{}",
        out.parcel.problem
    );
    assert!(out.inbound.is_empty());
    assert!(
        out.interchanges
            .iter()
            .all(|i| i.status == InterchangeStatus::Invalid)
    );
    assert!(listed(app, &w.buyer, ParcelView::InBox).await.is_empty());

    let text = "Please ship 10 widgets.\n";
    let loose = app
        .core
        .parcel_upload(&w.sender, upload(text))
        .await
        .unwrap();
    assert_eq!(loose.parcel.valid, ParcelValid::Invalid);
    assert_eq!(loose.parcel.standard, EdiStandard::Txt);
    assert!(
        loose.parcel.problem.contains("no EDI envelope"),
        "{}",
        loose.parcel.problem
    );

    let named = UploadRequest {
        explicit: Some((w.ids[0], w.ids[1])),
        ..upload(text)
    };
    let routed = app.core.parcel_upload(&w.sender, named).await.unwrap();
    assert_eq!(routed.parcel.valid, ParcelValid::Valid);
    assert_eq!(routed.parcel.ecgrid_from, w.ids[0]);
    let got = listed(app, &w.buyer, ParcelView::InBox).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].standard, EdiStandard::Txt);
    let not_ours = UploadRequest {
        explicit: Some((w.ids[2], w.ids[1])),
        ..upload(text)
    };
    let not_ours = app.core.parcel_upload(&w.sender, not_ours).await.unwrap();
    assert_eq!(
        not_ours.interchanges[0].status,
        InterchangeStatus::UnknownSender
    );

    let store = app.core.store();
    let mut buyer = store.partner(w.ids[1]).await.unwrap().unwrap();
    buyer.status = edigrid_domain::UserStatus::Suspended;
    store.update_partner(&buyer).await.unwrap();
    let out = app
        .core
        .parcel_upload(&w.sender, upload(&x12("SENDER", "BUYER", "000000004")))
        .await
        .unwrap();
    assert_eq!(out.interchanges[0].status, InterchangeStatus::NoRoute);
    let reason = &out.interchanges[0].reason;
    assert!(reason.contains("ZZ:BUYER is suspended"), "{reason}");
    store
        .set_mailbox_status(
            MailboxId(20),
            edigrid_domain::UserStatus::Suspended,
            app.core.now(),
        )
        .await
        .unwrap();
    let out = app
        .core
        .parcel_upload(&w.sender, upload(&x12("SENDER", "REMOTE", "000000003")))
        .await
        .unwrap();
    assert_eq!(out.interchanges[0].status, InterchangeStatus::NoRoute);
    assert!(
        out.interchanges[0].reason.contains("suspended"),
        "{}",
        out.interchanges[0].reason
    );
    assert_eq!(out.parcel.valid, ParcelValid::ValidNoneRouted);
}
on_both!(invalid_parcels_and_documents);

/// Ready → downloaded → confirmed; reset and download-cancel return to ready; the source is
/// acknowledged once its only delivery is confirmed; a cancelled parcel is not downloaded;
/// a repeated confirm succeeds; anything else out of order is refused.
async fn the_lifecycle_of_a_delivery(app: &TestApp) {
    let w = world(app).await;
    let out = app
        .core
        .parcel_upload(&w.sender, upload(&x12("SENDER", "BUYER", "000000001")))
        .await
        .unwrap();
    let id = out.inbound[0];
    let c = &app.core;
    let ready = c.parcel_download_cancel(&w.buyer, id).await.unwrap();
    assert_eq!(
        ready.state,
        ParcelState::InBoxReady,
        "already where it would go"
    );
    let got = c
        .parcel_download(&w.buyer, id, DownloadMode::Update)
        .await
        .unwrap();
    assert_eq!(got.parcel.state, ParcelState::InBoxTransferred);
    assert!(got.parcel.downloaded.is_some());
    assert!(listed(app, &w.buyer, ParcelView::InBox).await.is_empty());
    let again = c
        .parcel_download(&w.buyer, id, DownloadMode::Update)
        .await
        .unwrap();
    assert_eq!(again.parcel.state, ParcelState::InBoxTransferred);
    let back = c.parcel_download_cancel(&w.buyer, id).await.unwrap();
    assert_eq!(back.state, ParcelState::InBoxReady);
    c.parcel_download(&w.buyer, id, DownloadMode::Update)
        .await
        .unwrap();
    let confirmed = c.parcel_confirm(&w.buyer, id).await.unwrap();
    assert_eq!(confirmed.state, ParcelState::InBoxArchived);
    assert!(!confirmed.content_removed);
    assert_eq!(
        c.parcel_confirm(&w.buyer, id).await.unwrap().state,
        ParcelState::InBoxArchived
    );
    let refused = c.parcel_download_cancel(&w.buyer, id).await.unwrap_err();
    assert!(is_invalid(&refused, "ParcelID"), "{refused}");
    assert!(refused.to_string().contains("InBoxArchived"), "{refused}");
    let source = c
        .parcel_info(&w.sender, out.parcel.id)
        .await
        .unwrap()
        .parcel;
    assert_eq!(source.state, ParcelState::OutBoxAcknowledged);
    let archive = listed(app, &w.buyer, ParcelView::InBoxArchive).await;
    assert_eq!(archive.iter().map(|p| p.id).collect::<Vec<_>>(), vec![id]);
    let reset = c.parcel_reset(&w.buyer, id).await.unwrap();
    assert_eq!(reset.state, ParcelState::InBoxReady);
    let source = c
        .parcel_info(&w.sender, out.parcel.id)
        .await
        .unwrap()
        .parcel;
    assert_eq!(source.state, ParcelState::OutBoxSent);

    let manifest = c.parcel_manifest(&w.buyer, id).await.unwrap();
    let codes: Vec<_> = manifest.iter().map(|e| e.status_code.as_str()).collect();
    assert_eq!(
        codes,
        vec![
            "InBoxReady",
            "InBoxTransferred",
            "InBoxTransferred",
            "InBoxReady",
            "InBoxTransferred",
            "InBoxArchived",
            "InBoxReady"
        ]
    );
    assert!(manifest[1..].iter().all(|e| e.user_id == w.buyer.user_id));

    let cancelled = c.parcel_cancel(&w.buyer, id).await.unwrap();
    assert_eq!(cancelled.state, ParcelState::Cancelled);
    let gone = c
        .parcel_download(&w.buyer, id, DownloadMode::NoUpdate)
        .await
        .unwrap_err();
    assert!(is_invalid(&gone, "ParcelID"), "{gone}");
    let refused = c.parcel_confirm(&w.buyer, id).await.unwrap_err();
    assert!(refused.to_string().contains("Cancelled"), "{refused}");
    let outbound = c
        .parcel_confirm(&w.sender, out.parcel.id)
        .await
        .unwrap_err();
    assert!(is_invalid(&outbound, "ParcelID"), "{outbound}");
}
on_both!(the_lifecycle_of_a_delivery);

/// The sender withdraws an upload: its ready deliveries are cancelled with it; one already
/// downloaded stays, and the sender is told.
async fn the_sender_cancels(app: &TestApp) {
    let w = world(app).await;
    let c = &app.core;
    let both = format!(
        "{}{}",
        x12("SENDER", "BUYER", "000000001"),
        x12("SENDER", "REMOTE", "000000002")
    );
    let out = c.parcel_upload(&w.sender, upload(&both)).await.unwrap();
    let cancelled = c.parcel_cancel(&w.sender, out.parcel.id).await.unwrap();
    assert_eq!(cancelled.state, ParcelState::Cancelled);
    assert!(listed(app, &w.buyer, ParcelView::InBox).await.is_empty());
    let ics = c
        .parcel_info(&w.sender, out.parcel.id)
        .await
        .unwrap()
        .interchanges;
    assert!(ics.iter().all(|i| i.status == InterchangeStatus::Cancelled));

    let out = c.parcel_upload(&w.sender, upload(&both)).await.unwrap();
    c.parcel_download(&w.remote, out.inbound[1], DownloadMode::Update)
        .await
        .unwrap();
    let partial = c.parcel_cancel(&w.sender, out.parcel.id).await.unwrap_err();
    assert!(
        partial.to_string().contains("already downloaded"),
        "{partial}"
    );
    assert!(listed(app, &w.buyer, ParcelView::InBox).await.is_empty());
    let still = c
        .parcel_info(&w.sender, out.parcel.id)
        .await
        .unwrap()
        .parcel;
    assert_eq!(still.state, ParcelState::OutBoxSent);
    let refused = c.parcel_cancel(&w.buyer, out.parcel.id).await.unwrap_err();
    assert!(matches!(refused, Error::AccessDenied(_)), "{refused:?}");
}
on_both!(the_sender_cancels);

/// Out of reach answers as missing; a NetworkUser downloads without changing; resend and
/// set state are NetOps work.
async fn permissions_and_operator_work(app: &TestApp) {
    let w = world(app).await;
    let c = &app.core;
    let out = c
        .parcel_upload(&w.sender, upload(&x12("SENDER", "BUYER", "000000001")))
        .await
        .unwrap();
    let id = out.inbound[0];
    let hidden = c.parcel_info(&w.stranger, id).await.unwrap_err();
    let missing = c.parcel_info(&w.stranger, ParcelId(1)).await.unwrap_err();
    assert!(matches!(hidden, Error::AccessDenied(_)));
    assert_eq!(
        hidden.to_string().replace(&id.to_string(), "N"),
        missing.to_string().replace('1', "N")
    );
    let operator_missing = c
        .parcel_info(&Caller::operator(), ParcelId(1))
        .await
        .unwrap_err();
    assert!(
        matches!(operator_missing, Error::NotFound { .. }),
        "{operator_missing:?}"
    );
    let remote_view = c.parcel_info(&w.remote, id).await.unwrap_err();
    assert!(matches!(remote_view, Error::AccessDenied(_)));

    let peek = c
        .parcel_download(&w.network_user, id, DownloadMode::NoUpdate)
        .await
        .unwrap();
    assert_eq!(peek.parcel.state, ParcelState::InBoxReady);
    let update = c
        .parcel_download(&w.network_user, id, DownloadMode::Update)
        .await
        .unwrap_err();
    assert!(matches!(update, Error::AccessDenied(_)), "{update:?}");
    assert!(matches!(
        c.parcel_confirm(&w.network_user, id).await.unwrap_err(),
        Error::AccessDenied(_)
    ));

    let refused = c.parcel_resend(&w.buyer, id).await.unwrap_err();
    assert!(matches!(refused, Error::AccessDenied(_)), "{refused:?}");
    let resent = c.parcel_resend(&w.netops, id).await.unwrap();
    assert_eq!(resent.len(), 1);
    let inbox = listed(app, &w.buyer, ParcelView::InBox).await;
    assert_eq!(inbox.len(), 2);
    let new = c
        .parcel_download(&w.buyer, resent[0], DownloadMode::NoUpdate)
        .await
        .unwrap();
    assert_eq!(
        new.content,
        x12("SENDER", "BUYER", "000000001").into_bytes()
    );
    let ic = c
        .interchange_info(&w.buyer, out.interchanges[0].id)
        .await
        .unwrap();
    assert_eq!(
        ic.inbound,
        Some(resent[0]),
        "the record points to the new delivery"
    );

    let refused = c
        .parcel_set_state(&w.buyer, id, ParcelState::InBoxArchived)
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::AccessDenied(_)));
    let wrong_side = c
        .parcel_set_state(&w.netops, id, ParcelState::OutBoxSent)
        .await
        .unwrap_err();
    assert!(is_invalid(&wrong_side, "Status"), "{wrong_side}");
    let set = c
        .parcel_set_state(&w.netops, id, ParcelState::InBoxArchived)
        .await
        .unwrap();
    assert_eq!(set.state, ParcelState::InBoxArchived);
}
on_both!(permissions_and_operator_work);

/// The same interchange twice within the window is delivered again and flagged.
async fn duplicates_are_flagged(app: &TestApp) {
    let w = world(app).await;
    let c = &app.core;
    let one = x12("SENDER", "BUYER", "000000042");
    let first = c.parcel_upload(&w.sender, upload(&one)).await.unwrap();
    let second = c.parcel_upload(&w.sender, upload(&one)).await.unwrap();
    assert!(!first.interchanges[0].duplicate);
    assert!(second.interchanges[0].duplicate);
    assert_eq!(second.interchanges[0].status, InterchangeStatus::Delivered);
    let delivered = c
        .parcel_info(&w.buyer, second.inbound[0])
        .await
        .unwrap()
        .parcel;
    assert_eq!(delivered.valid, ParcelValid::Duplicate);
    app.clock.advance(Duration::days(31));
    let third = c.parcel_upload(&w.sender, upload(&one)).await.unwrap();
    assert!(!third.interchanges[0].duplicate, "outside the 30 days");
}
on_both!(duplicates_are_flagged);

/// A receiver's X12 delimiters (its own, else its network's) are applied; an interchange
/// whose data holds one goes unchanged, and its manifest says so.
async fn receivers_get_their_delimiters(app: &TestApp) {
    let w = world(app).await;
    let c = &app.core;
    let store = c.store();
    let mut mailbox = store.mailbox(MailboxId(11)).await.unwrap().unwrap();
    mailbox.config.x12 = X12Delimiters {
        segment: b'\n',
        element: b'|',
        sub_element: 0,
    };
    store.update_mailbox(&mailbox).await.unwrap();
    let plain = x12("SENDER", "BUYER", "000000001");
    let out = c.parcel_upload(&w.sender, upload(&plain)).await.unwrap();
    let got = c
        .parcel_download(&w.buyer, out.inbound[0], DownloadMode::NoUpdate)
        .await
        .unwrap();
    let want = plain.replace('*', "|").replace('~', "\n");
    assert_eq!(String::from_utf8(got.content).unwrap(), want);

    let piped = plain.replace("PO1", "P|1");
    let out = c.parcel_upload(&w.sender, upload(&piped)).await.unwrap();
    let got = c
        .parcel_download(&w.buyer, out.inbound[0], DownloadMode::NoUpdate)
        .await
        .unwrap();
    assert_eq!(String::from_utf8(got.content).unwrap(), piped, "unchanged");
    let manifest = c.parcel_manifest(&w.buyer, out.inbound[0]).await.unwrap();
    assert!(
        manifest
            .iter()
            .any(|e| e.message.contains("own delimiters")),
        "{manifest:?}"
    );
}
on_both!(receivers_get_their_delimiters);

/// Delete-on-download removes content on confirm; InBoxTimeout returns a download to the
/// inbox; retention removes confirmed content; records stay, and a download says why.
async fn housekeeping_and_content_removal(app: &TestApp) {
    let w = world(app).await;
    let c = &app.core;
    let store = c.store();
    let mut mailbox = store.mailbox(MailboxId(11)).await.unwrap().unwrap();
    mailbox.config.delete_on_download = true;
    mailbox.config.inbox_timeout_minutes = 30;
    store.update_mailbox(&mailbox).await.unwrap();
    let one = x12("SENDER", "BUYER", "000000001");
    let a = c
        .parcel_upload(&w.sender, upload(&one))
        .await
        .unwrap()
        .inbound[0];
    c.parcel_download(&w.buyer, a, DownloadMode::Update)
        .await
        .unwrap();
    let confirmed = c.parcel_confirm(&w.buyer, a).await.unwrap();
    assert!(confirmed.content_removed);
    let removed = c
        .parcel_download(&w.buyer, a, DownloadMode::NoUpdate)
        .await
        .unwrap_err();
    assert!(removed.to_string().contains("content"), "{removed}");
    assert!(removed.to_string().contains("removed"), "{removed}");

    let b = c
        .parcel_upload(&w.sender, upload(&one))
        .await
        .unwrap()
        .inbound[0];
    c.parcel_download(&w.buyer, b, DownloadMode::Update)
        .await
        .unwrap();
    app.clock.advance(Duration::minutes(29));
    c.parcel_housekeeping().await.unwrap();
    assert_eq!(
        c.parcel_info(&w.buyer, b).await.unwrap().parcel.state,
        ParcelState::InBoxTransferred
    );
    app.clock.advance(Duration::minutes(1));
    assert_eq!(c.parcel_housekeeping().await.unwrap(), 1);
    assert_eq!(
        c.parcel_info(&w.buyer, b).await.unwrap().parcel.state,
        ParcelState::InBoxReady
    );

    let r = c
        .parcel_upload(&w.sender, upload(&x12("SENDER", "REMOTE", "000000002")))
        .await
        .unwrap()
        .inbound[0];
    c.parcel_confirm(&w.remote, r).await.unwrap();
    app.clock.advance(Duration::days(89));
    c.parcel_housekeeping().await.unwrap();
    assert!(
        c.parcel_download(&w.remote, r, DownloadMode::NoUpdate)
            .await
            .is_ok()
    );
    app.clock.advance(Duration::days(2));
    c.parcel_housekeeping().await.unwrap();
    let gone = c
        .parcel_download(&w.remote, r, DownloadMode::NoUpdate)
        .await
        .unwrap_err();
    assert!(gone.to_string().contains("removed"), "{gone}");
    assert!(
        c.parcel_info(&w.remote, r)
            .await
            .unwrap()
            .parcel
            .content_removed
    );
}
on_both!(housekeeping_and_content_removal);

/// Content altered in the database is never served: the download fails as internal.
async fn altered_content_is_refused(app: &TestApp) {
    let w = world(app).await;
    let c = &app.core;
    let out = c
        .parcel_upload(&w.sender, upload(&x12("SENDER", "BUYER", "000000001")))
        .await
        .unwrap();
    let id = out.inbound[0];
    let sql = "UPDATE parcel_content SET content = $1 WHERE parcel_id = $2";
    let url = &app.settings.database;
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(sql)
            .bind(b"ISA*tampered".to_vec())
            .bind(id.0)
            .execute(&pool)
            .await
            .unwrap();
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sql)
            .bind(b"ISA*tampered".to_vec())
            .bind(id.0)
            .execute(&pool)
            .await
            .unwrap();
    }
    let refused = c
        .parcel_download(&w.buyer, id, DownloadMode::NoUpdate)
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Internal), "{refused:?}");
    let refused = c
        .parcel_download(&w.buyer, id, DownloadMode::Update)
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Internal));
    let p = c.parcel_info(&w.buyer, id).await.unwrap().parcel;
    assert_eq!(
        p.state,
        ParcelState::InBoxReady,
        "a failed download changes nothing"
    );
    let fine = c
        .parcel_download(&w.sender, out.parcel.id, DownloadMode::NoUpdate)
        .await
        .unwrap();
    assert_eq!(
        fine.content,
        x12("SENDER", "BUYER", "000000001").into_bytes()
    );
}
on_both!(altered_content_is_refused);

/// Views, states, paging and date ranges; notes, local status and mailbag IDs; interchange
/// lists and withdrawal.
async fn lists_notes_and_interchanges(app: &TestApp) {
    let w = world(app).await;
    let c = &app.core;
    let mut ids = Vec::new();
    for n in 1..=3 {
        let control = format!("{n:09}");
        let out = c
            .parcel_upload(&w.sender, upload(&x12("SENDER", "BUYER", &control)))
            .await
            .unwrap();
        ids.push(out.inbound[0]);
        app.clock.advance(Duration::minutes(1));
    }
    let first_page = c
        .parcel_list(
            &w.buyer,
            ParcelQuery {
                page: Page::first(2),
                ..inbox(ParcelView::InBox)
            },
        )
        .await
        .unwrap();
    assert_eq!(first_page.total, 3);
    assert_eq!(
        first_page.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        ids[..2]
    );
    let too_big = c
        .parcel_list(
            &w.buyer,
            ParcelQuery {
                page: Page::first(501),
                ..inbox(ParcelView::InBox)
            },
        )
        .await
        .unwrap_err();
    assert!(is_invalid(&too_big, "RecordsPerPage"), "{too_big}");
    let newest = c
        .parcel_list(&w.sender, inbox(ParcelView::OutBoxArchive))
        .await
        .unwrap();
    assert_eq!(newest.total, 3);
    assert!(newest.items[0].id > newest.items[2].id, "newest first");
    let in_process = listed(app, &w.sender, ParcelView::OutBoxInProcess).await;
    assert_eq!(in_process.len(), 3);
    let ranged = c
        .parcel_list(
            &w.buyer,
            ParcelQuery {
                since: Some(app.core.now() - Duration::minutes(2)),
                ..inbox(ParcelView::InBoxAll)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        ranged.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        ids[1..]
    );
    let others = c
        .parcel_list(
            &w.stranger,
            ParcelQuery {
                mailbox: Some(MailboxId(11)),
                ..inbox(ParcelView::InBox)
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(others, Error::AccessDenied(_)), "{others:?}");
    let network = c
        .parcel_list(
            &w.network_user,
            ParcelQuery {
                network: Some(NetworkId(1)),
                ..inbox(ParcelView::InBox)
            },
        )
        .await
        .unwrap();
    assert_eq!(network.total, 3, "a network user lists its network's boxes");

    let note = c
        .parcel_note(&w.buyer, ids[0], "Re: PO", "received")
        .await
        .unwrap();
    assert!(note.id > 0);
    assert_eq!(note.posted_by, "buyer");
    let notes = c.parcel_notes(&w.buyer, ids[0]).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].note, "received");
    assert!(c.parcel_note(&w.buyer, ids[0], "", " ").await.is_err());
    let status = c
        .parcel_set_local_status(&w.buyer, ids[0], 7)
        .await
        .unwrap();
    assert_eq!(status.local_status, 7);
    c.parcel_set_mailbag_control_id(&w.buyer, ids[1], "BAG-9")
        .await
        .unwrap();
    let found = c
        .parcel_find_mailbag_control_id(&w.buyer, Direction::InBox, None, None, "BAG-9")
        .await
        .unwrap();
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), vec![ids[1]]);
    let none = c
        .parcel_find_mailbag_control_id(&w.sender, Direction::InBox, None, None, "BAG-9")
        .await
        .unwrap();
    assert!(none.is_empty(), "another mailbox's inbox");

    let uploaded = c
        .interchange_list(
            &w.sender,
            InterchangeQuery {
                direction: Direction::OutBox,
                network: None,
                mailbox: None,
                no_route_only: false,
                pending_only: true,
                archived_only: false,
                ecgrid_from: None,
                ecgrid_to: None,
                since: None,
                until: None,
                page: Page::first(10),
            },
        )
        .await
        .unwrap();
    assert_eq!(uploaded.total, 3);
    let ic = uploaded.items[2].clone();
    let manifest = c.interchange_manifest(&w.sender, ic.id).await.unwrap();
    assert!(manifest.iter().all(|e| e.interchange_id == Some(ic.id)));
    let hidden = c.interchange_info(&w.stranger, ic.id).await.unwrap_err();
    assert!(matches!(hidden, Error::AccessDenied(_)));
    let withdrawn = c.interchange_cancel(&w.sender, ic.id).await.unwrap();
    assert_eq!(withdrawn.status, InterchangeStatus::Cancelled);
    assert_eq!(
        c.parcel_info(&w.buyer, ids[2]).await.unwrap().parcel.state,
        ParcelState::Cancelled
    );
    let again = c.interchange_cancel(&w.sender, ic.id).await.unwrap_err();
    assert!(is_invalid(&again, "InterchangeID"), "{again}");
    let resent = c.interchange_resend(&w.netops, ic.id).await.unwrap();
    assert!(resent > ids[2]);
    assert!(c.interchange_resend(&w.sender, ic.id).await.is_err());
}
on_both!(lists_notes_and_interchanges);
