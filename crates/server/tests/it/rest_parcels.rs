//! Parcels and interchanges over REST v2 (ecgrid-docs `rest-api/{parcels,interchanges}`,
//! SPEC-VAN 15 to 19) against the real server, on SQLite and on PostgreSQL: uploads as JSON
//! and as `multipart/form-data`, what the receiver lists, reads, downloads and confirms, the
//! sender's outbox and its errors, every other endpoint with its refusals (a wrong body names
//! the field; another mailbox's parcel and a missing one get the same `403`), and the
//! `requests` flow of `tests/clients/python/parcels_rest_flow.py`.
//!
//! Every test runs on network 100 with mailbox 200 (A, ECGridID `ZZ:SENDERA`, its MailboxAdmin
//! `sendera`) and mailbox 201 (B, `ZZ:RECEIVERB`, its MailboxUser `receiverb`), the network's
//! NetworkAdmin `netadmin`, `root`, and out of their scope network 300 with mailbox 400
//! (`ZZ:FARAWAY`, its MailboxAdmin `faradmin`). Everyone calls with an API key.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use edigrid_core::Clock;
use edigrid_domain::{AuthLevel, ParcelId, ParcelState};
use edigrid_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::rest_auth::{Auth, Reply, assert_invalid_naming, call, call_json, send};
use crate::support::json::pick;
use crate::support::python::{python, repo_root};

/// A ParcelID and an InterchangeID nobody has.
const MISSING: i64 = 987_654_321;

/// Runs each scenario on a fresh server over SQLite, and over PostgreSQL when
/// `EDIGRID_TEST_DATABASE_URL` is set.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(edigrid_testkit::spawn_app_open_routes().await).await;
                }
            )+
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(url) = edigrid_testkit::fresh_postgres_url().await else {
                        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: PostgreSQL variant not run");
                        return;
                    };
                    let app = edigrid_testkit::spawn_app_open_routes_on(url).await;
                    super::$name(app).await;
                }
            )+
        }
    };
}

on_both_backends!(
    a_json_upload_reaches_b_who_downloads_the_exact_bytes_and_confirms,
    a_multipart_upload_is_the_same_upload,
    refused_uploads_name_their_field_and_store_nothing,
    lists_take_pages_dates_and_states_and_refuse_the_rest,
    another_mailboxs_parcel_and_a_missing_one_get_the_same_answer,
    reset_and_cancel_move_parcels_back_and_out,
    notes_status_and_mailbag_control_ids,
    interchanges_are_listed_read_cancelled_and_resent,
    the_requests_flow_passes,
);

struct Net {
    app: TestApp,
    /// API keys.
    a: String,
    b: String,
    net: String,
    root: String,
    far: String,
    id_a: i32,
    id_b: i32,
    id_far: i32,
}

async fn net(app: TestApp) -> Net {
    let users = app
        .directory()
        .user("root", AuthLevel::Root, 1, 10)
        .user("netadmin", AuthLevel::NetworkAdmin, 100, 200)
        .user("sendera", AuthLevel::MailboxAdmin, 100, 200)
        .user("receiverb", AuthLevel::MailboxUser, 100, 201)
        .user("faradmin", AuthLevel::MailboxAdmin, 300, 400)
        .build()
        .await;
    let id_a = app.add_partner(100, 200, "ZZ", "SENDERA", "A").await.0;
    let id_b = app.add_partner(100, 201, "ZZ", "RECEIVERB", "B").await.0;
    let id_far = app.add_partner(300, 400, "ZZ", "FARAWAY", "far").await.0;
    let key = |login| app.api_key(users.user(login));
    Net {
        a: key("sendera").await,
        b: key("receiverb").await,
        net: key("netadmin").await,
        root: key("root").await,
        far: key("faradmin").await,
        id_a,
        id_b,
        id_far,
        app,
    }
}

/// One X12 interchange of one 850, its ISA exactly 106 bytes, every segment ending `~` and a
/// line break (so that it ends where the next begins).
fn x12(sender: &str, receiver: &str, control: u32) -> Vec<u8> {
    let isa = format!(
        "ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*260501*1030*U*00401*{control:09}*0*P*>"
    );
    assert_eq!(isa.len() + 1, 106);
    [
        isa,
        format!("GS*PO*{sender}*{receiver}*20260501*1030*{control}*X*004010"),
        "ST*850*0001".into(),
        format!("BEG*00*SA*PO{control}**20260501"),
        "SE*3*0001".into(),
        format!("GE*1*{control}"),
        format!("IEA*1*{control:09}"),
    ]
    .iter()
    .flat_map(|s| format!("{s}~\n").into_bytes())
    .collect()
}

/// A's file: two interchanges to B around one to an ID nobody registered, control numbers
/// from `first`. Returns the file and what B should receive of it.
fn file_for_b(first: u32) -> (Vec<u8>, Vec<u8>) {
    let to_b = [
        x12("SENDERA", "RECEIVERB", first),
        x12("SENDERA", "RECEIVERB", first + 2),
    ];
    let whole = [
        to_b[0].clone(),
        x12("SENDERA", "NOBODY", first + 1),
        to_b[1].clone(),
    ]
    .concat();
    (whole, to_b.concat())
}

/// The body of a request about one ParcelID.
type BodyOf = fn(i64) -> Value;

/// A part of a `multipart/form-data` body: its name, its file name, its bytes.
type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

/// An upload A sent and the parcel B got of it.
struct Sent {
    outbound: i64,
    inbound: i64,
    name: String,
    delivered: Vec<u8>,
}

impl Net {
    async fn get(&self, key: &str, path: impl AsRef<str>) -> Reply {
        call(&self.app, Method::GET, path.as_ref(), Auth::Key(key)).await
    }

    async fn post(&self, key: &str, path: impl AsRef<str>, body: Value) -> Reply {
        let path = path.as_ref();
        call_json(&self.app, Method::POST, path, Auth::Key(key), &body).await
    }

    /// A `POST` without a body (the `{id}` routes).
    async fn post_empty(&self, key: &str, path: impl AsRef<str>) -> Reply {
        call(&self.app, Method::POST, path.as_ref(), Auth::Key(key)).await
    }

    /// A `multipart/form-data` upload of `parts`: (name, file name, bytes).
    async fn upload_form(&self, key: &str, parts: &[Part<'_>]) -> Reply {
        let boundary = "edigrid-test-boundary-7Hq2";
        let mut body = Vec::new();
        for (name, file_name, bytes) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let disposition = match file_name {
                Some(f) => format!("form-data; name=\"{name}\"; filename=\"{f}\""),
                None => format!("form-data; name=\"{name}\""),
            };
            body.extend_from_slice(
                format!("Content-Disposition: {disposition}\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let request = self
            .app
            .http
            .post(format!("{}/v2/parcels/upload", self.app.base_url()))
            .header("X-API-Key", key)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        send(request).await
    }

    async fn upload_json(&self, key: &str, name: &str, content: &[u8], extra: Value) -> Reply {
        let mut body = json!({"fileName": name, "content": BASE64.encode(content)});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.post(key, "/v2/parcels/upload", body).await
    }

    /// The ParcelIDs of a bare array of parcels.
    #[track_caller]
    fn ids(reply: &Reply) -> Vec<i64> {
        let items = reply.ok().as_array();
        let items = items.unwrap_or_else(|| panic!("not an array: {}", reply.body));
        items
            .iter()
            .map(|p| p["parcelId"].as_i64().unwrap())
            .collect()
    }

    async fn pending(&self, key: &str) -> Vec<i64> {
        Self::ids(
            &self
                .post(key, "/v2/parcels/pending-inbox-list", json!({}))
                .await,
        )
    }

    /// A sends [`file_for_b`] as JSON; the parcel that appears in B's inbox.
    async fn send_to_b(&self, first: u32) -> Sent {
        let (whole, delivered) = file_for_b(first);
        self.send_file_to_b(first, whole, delivered).await
    }

    /// A sends one interchange to B.
    async fn send_one_to_b(&self, control: u32) -> Sent {
        let one = x12("SENDERA", "RECEIVERB", control);
        self.send_file_to_b(control, one.clone(), one).await
    }

    async fn send_file_to_b(&self, first: u32, whole: Vec<u8>, delivered: Vec<u8>) -> Sent {
        let before = self.pending(&self.b).await;
        let name = format!("po-{first}.x12");
        let reply = self.upload_json(&self.a, &name, &whole, json!({})).await;
        let outbound = reply.ok().as_i64().unwrap();
        let fresh: Vec<i64> = self
            .pending(&self.b)
            .await
            .into_iter()
            .filter(|p| !before.contains(p))
            .collect();
        assert_eq!(fresh.len(), 1, "one upload, one parcel for B: {fresh:?}");
        Sent {
            outbound,
            inbound: fresh[0],
            name,
            delivered,
        }
    }

    async fn status(&self, key: &str, parcel: i64) -> String {
        let reply = self.get(key, format!("/v2/parcels/{parcel}")).await;
        reply.ok()["status"].as_str().unwrap().to_string()
    }

    async fn download(&self, key: &str, parcel: i64) -> Vec<u8> {
        let reply = self
            .post(key, "/v2/parcels/download", json!({"parcelId": parcel}))
            .await;
        BASE64
            .decode(reply.ok()["content"].as_str().unwrap())
            .unwrap()
    }

    /// The state the store keeps, for what REST cannot show.
    async fn stored_state(&self, parcel: i64) -> ParcelState {
        let stored = self.app.core.store().parcel(ParcelId(parcel)).await;
        stored.unwrap().expect("the parcel is stored").state
    }
}

/// `call` on another network's object (`far`) and on a missing one: the same `403`, byte for
/// byte (SPEC-VAN 14).
async fn same_denial<F: Future<Output = Reply>>(what: &str, far: i64, call: impl Fn(i64) -> F) {
    let existing = call(far).await;
    existing.assert_error(403, "AccessDenied");
    let missing = call(MISSING).await;
    assert_eq!(existing.body, missing.body, "{what}: no existence oracle");
}

// ---- upload, inbox, download, confirm -------------------------------------------------------

async fn a_json_upload_reaches_b_who_downloads_the_exact_bytes_and_confirms(app: TestApp) {
    let n = net(app).await;
    let (whole, delivered) = file_for_b(1);
    let reply = n
        .upload_json(
            &n.a,
            "po.x12",
            &whole,
            json!({"bytes": whole.len(), "mailboxId": 200}),
        )
        .await;
    let outbound = reply.ok().as_i64().expect("data is the ParcelID");

    // B's inbox: one parcel with the two interchanges for B.
    let pending = n
        .post(&n.b, "/v2/parcels/pending-inbox-list", json!({}))
        .await;
    let listed = pending.ok().as_array().unwrap().clone();
    assert_eq!(listed.len(), 1, "{}", pending.body);
    let parcel = &listed[0];
    let inbound = parcel["parcelId"].as_i64().unwrap();
    assert!(
        inbound > outbound,
        "ParcelIDs increase: {outbound}, {inbound}"
    );
    let fields = [
        "mailboxId",
        "networkId",
        "fileName",
        "bytes",
        "status",
        "ecGridIdFrom",
        "ecGridIdTo",
        "direction",
    ];
    assert_eq!(
        pick(parcel, &fields),
        json!([
            201,
            100,
            "po.x12",
            delivered.len(),
            "InBoxReady",
            n.id_a,
            n.id_b,
            "InBox"
        ])
    );
    for time in ["created", "modified"] {
        crate::rest_auth::parse_time(&parcel[time]);
    }
    let inbox = n.post(&n.b, "/v2/parcels/inbox-list", json!({})).await;
    assert_eq!(
        inbox.ok(),
        pending.ok(),
        "inbox-list: ready ones by default"
    );
    let read = n.get(&n.b, format!("/v2/parcels/{inbound}")).await;
    assert_eq!(read.ok(), parcel);
    let manifest = n.get(&n.b, format!("/v2/parcels/manifest/{inbound}")).await;
    let rows = manifest.ok().as_array().unwrap();
    let shown: Vec<Value> = rows
        .iter()
        .map(|m| {
            pick(
                m,
                &["sender", "receiver", "documentType", "status", "count"],
            )
        })
        .collect();
    let row = json!(["ZZ:SENDERA", "ZZ:RECEIVERB", "850", "Delivered", 1]);
    assert_eq!(shown, [row.clone(), row]);

    // Download: the bytes exactly; then confirm with upstream's other spelling.
    let got = n
        .post(&n.b, "/v2/parcels/download", json!({"parcelId": inbound}))
        .await;
    assert_eq!(
        pick(got.ok(), &["parcelId", "fileName", "bytes"]),
        json!([inbound, "po.x12", delivered.len()])
    );
    let content = BASE64
        .decode(got.ok()["content"].as_str().unwrap())
        .unwrap();
    assert_eq!(content, delivered, "the download is the delivered bytes");
    assert_eq!(n.status(&n.b, inbound).await, "InBoxTransferred");
    let confirmed = n
        .post(&n.b, "/v2/parcels/confirm", json!({"parcelID": inbound}))
        .await;
    assert_eq!(confirmed.ok(), &json!(true));
    assert_eq!(n.stored_state(inbound).await, ParcelState::InBoxArchived);
    assert!(n.pending(&n.b).await.is_empty(), "confirmed: not pending");
    let archive = n
        .post(
            &n.b,
            "/v2/parcels/inbox-list",
            json!({"status": "InBoxArchived", "beginDate": "0001-01-01", "endDate": "0001-01-01"}),
        )
        .await;
    assert_eq!(Net::ids(&archive), [inbound], "{}", archive.body);

    // A's outbox: the upload, with its delivery error; and its three interchanges' fates.
    let outbox = n.post(&n.a, "/v2/parcels/outbox-list", json!({})).await;
    assert_eq!(Net::ids(&outbox), [outbound]);
    assert_eq!(
        pick(
            &outbox.ok()[0],
            &["fileName", "bytes", "status", "direction"]
        ),
        json!(["po.x12", whole.len(), "outboxDeliveryError", "OutBox"])
    );
    let errors = n
        .post(
            &n.a,
            "/v2/parcels/outbox-list",
            json!({"status": "outboxDeliveryError"}),
        )
        .await;
    assert_eq!(Net::ids(&errors), [outbound]);
    let sent = n
        .post(
            &n.a,
            "/v2/parcels/outbox-list",
            json!({"status": "outboxSent"}),
        )
        .await;
    assert_eq!(Net::ids(&sent), Vec::<i64>::new());
    let fates = n
        .get(&n.a, format!("/v2/parcels/manifest/{outbound}"))
        .await;
    let fates: Vec<Value> = fates
        .ok()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| pick(m, &["receiver", "status"]))
        .collect();
    assert_eq!(
        fates,
        [
            json!(["ZZ:RECEIVERB", "Delivered"]),
            json!(["ZZ:NOBODY", "NoRoute"]),
            json!(["ZZ:RECEIVERB", "Delivered"]),
        ]
    );
}

async fn a_multipart_upload_is_the_same_upload(app: TestApp) {
    let n = net(app).await;
    // The network's admin sends for mailbox 200, the file name from the part.
    let (whole, delivered) = file_for_b(1);
    let reply = n
        .upload_form(
            &n.net,
            &[
                ("file", Some("from-part.x12"), &whole),
                ("mailboxId", None, b"200"),
                ("bytes", None, whole.len().to_string().as_bytes()),
            ],
        )
        .await;
    let outbound = reply.ok().as_i64().unwrap();
    let pending = n.pending(&n.b).await;
    assert_eq!(pending.len(), 1);
    let inbound = n.get(&n.b, format!("/v2/parcels/{}", pending[0])).await;
    assert_eq!(
        pick(inbound.ok(), &["fileName", "bytes", "ecGridIdFrom"]),
        json!(["from-part.x12", delivered.len(), n.id_a])
    );
    assert_eq!(n.download(&n.b, pending[0]).await, delivered);
    let outbox = n.post(&n.a, "/v2/parcels/outbox-list", json!({})).await;
    assert_eq!(Net::ids(&outbox), [outbound], "sent from mailbox 200");

    // A for itself; a FileName field (any case) names the file over the part's name.
    let (whole, delivered) = file_for_b(11);
    let reply = n
        .upload_form(
            &n.a,
            &[
                ("FILENAME", None, b"named.x12"),
                ("file", Some("ignored.bin"), &whole),
            ],
        )
        .await;
    reply.ok();
    let fresh: Vec<i64> = n
        .pending(&n.b)
        .await
        .into_iter()
        .filter(|p| !pending.contains(p))
        .collect();
    assert_eq!(fresh.len(), 1);
    let read = n.get(&n.b, format!("/v2/parcels/{}", fresh[0])).await;
    assert_eq!(read.ok()["fileName"], "named.x12");
    assert_eq!(n.download(&n.b, fresh[0]).await, delivered);
}

async fn refused_uploads_name_their_field_and_store_nothing(app: TestApp) {
    let n = net(app).await;
    let (whole, _) = file_for_b(1);
    let b64 = BASE64.encode(&whole);
    let len = whole.len();
    let json_cases = [
        (
            json!({"fileName": "x", "content": "not base64!"}),
            "content",
        ),
        (json!({"fileName": "x", "content": ""}), "content"),
        (json!({"fileName": "x", "content": " \n "}), "content"),
        (
            json!({"fileName": "x", "content": b64, "bytes": len + 1}),
            "bytes",
        ),
        (
            json!({"fileName": "x", "content": b64, "bytes": -1}),
            "bytes",
        ),
        (json!({"fileName": " ", "content": b64}), "fileName"),
        (json!({"content": b64}), "fileName"),
        (json!({"fileName": "x"}), "content"),
        (
            json!({"fileName": "x", "content": b64, "ecGridIdFrom": n.id_a}),
            "ecGridIdTo",
        ),
        (
            json!({"fileName": "x", "content": b64, "ecGridIdTo": -3}),
            "ecGridIdTo",
        ),
        (
            json!({"fileName": "x", "content": b64, "mailboxId": -1}),
            "mailboxId",
        ),
        (json!({"fileName": "x", "content": 5}), "content"),
    ];
    for (body, field) in json_cases {
        let reply = n.post(&n.a, "/v2/parcels/upload", body.clone()).await;
        assert_invalid_naming(&reply, field);
        assert!(
            reply.message().len() > field.len(),
            "{body}: {}",
            reply.body
        );
    }
    let size = len.to_string();
    let wrong = (len - 1).to_string();
    let form_cases: [(Vec<Part>, &str); 6] = [
        (vec![("fileName", None, b"x.x12")], "file"),
        (vec![], "file"),
        (vec![("file", Some("x.x12"), b"")], "file"),
        (
            vec![
                ("file", Some("x"), &whole),
                ("bytes", None, wrong.as_bytes()),
            ],
            "bytes",
        ),
        (
            vec![("file", Some("x"), &whole), ("mailboxId", None, b"two")],
            "mailboxId",
        ),
        (
            vec![
                ("file", Some("x"), &whole),
                ("file", Some("y"), &whole),
                ("bytes", None, size.as_bytes()),
            ],
            "file",
        ),
    ];
    for (parts, field) in form_cases {
        assert_invalid_naming(&n.upload_form(&n.a, &parts).await, field);
    }
    // A form part without a name of its own, and no file name anywhere.
    assert_invalid_naming(
        &n.upload_form(&n.a, &[("file", None, &whole)]).await,
        "fileName",
    );
    // A body that is not JSON, and a form that is not one.
    let broken = n
        .app
        .http
        .post(format!("{}/v2/parcels/upload", n.app.base_url()))
        .header("X-API-Key", &n.a)
        .header("Content-Type", "multipart/form-data; boundary=x")
        .body("no parts here");
    send(broken).await.assert_error(400, "InvalidParameter");
    // Another network's mailbox and a missing one: the same refusal.
    same_denial("upload for a mailbox", 400, |m| {
        n.upload_json(&n.a, "x", &whole, json!({"mailboxId": m}))
    })
    .await;
    // Without credentials.
    let anonymous = call_json(
        &n.app,
        Method::POST,
        "/v2/parcels/upload",
        Auth::None,
        &json!({"fileName": "x", "content": b64}),
    )
    .await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);

    // None of it was stored.
    let outbox = n
        .post(
            &n.root,
            "/v2/parcels/outbox-list",
            json!({"mailboxId": 200}),
        )
        .await;
    assert_eq!(Net::ids(&outbox), Vec::<i64>::new());
    assert!(n.pending(&n.b).await.is_empty());
}

// ---- lists ----------------------------------------------------------------------------------

async fn lists_take_pages_dates_and_states_and_refuse_the_rest(app: TestApp) {
    let n = net(app).await;
    let first = n.send_to_b(1).await;
    let second = n.send_to_b(11).await;
    let both = [first.inbound, second.inbound];
    let inbox = |body: Value| n.post(&n.b, "/v2/parcels/inbox-list", body);

    let mut paged = Vec::new();
    for page in 1..=3 {
        let reply = inbox(json!({"pageNo": page, "recordsPerPage": 1})).await;
        let ids = Net::ids(&reply);
        assert_eq!(ids.len(), usize::from(page <= 2), "page {page}");
        paged.extend(ids);
    }
    assert_eq!(paged, both, "oldest first, one per page");
    let today = n.app.clock.now().date_naive().to_string();
    let dated = [
        (json!({"beginDate": today, "endDate": today}), both.to_vec()),
        (json!({"endDate": "2000-01-01T00:00:00Z"}), vec![]),
        (json!({"beginDate": "2999-01-01"}), vec![]),
        (
            json!({"ecGridIdFrom": n.id_a, "ecGridIdTo": n.id_b}),
            both.to_vec(),
        ),
        (json!({"ecGridIdFrom": n.id_far}), vec![]),
        (json!({"status": "Cancelled"}), vec![]),
        (
            json!({"mailboxId": 201, "status": "InBoxReady"}),
            both.to_vec(),
        ),
    ];
    for (body, want) in dated {
        assert_eq!(Net::ids(&inbox(body.clone()).await), want, "{body}");
    }
    let refused = [
        (json!({"recordsPerPage": 501}), "recordsPerPage"),
        (json!({"pageNo": -1}), "pageNo"),
        (json!({"status": "Lost"}), "status"),
        (json!({"status": "inboxready"}), "status"),
        (json!({"status": "outboxSent"}), "status"),
        (json!({"beginDate": "yesterday"}), "beginDate"),
        (
            json!({"beginDate": "2026-01-02", "endDate": "2026-01-01"}),
            "beginDate",
        ),
        (json!({"ecGridIdFrom": -1}), "ecGridIdFrom"),
        (json!({"mailboxId": -1}), "mailboxId"),
    ];
    for (body, field) in refused {
        assert_invalid_naming(&inbox(body).await, field);
    }
    let outbox = |body: Value| n.post(&n.a, "/v2/parcels/outbox-list", body);
    assert_invalid_naming(&outbox(json!({"status": "InBoxReady"})).await, "status");
    assert_invalid_naming(
        &outbox(json!({"recordsPerPage": 501})).await,
        "recordsPerPage",
    );
    let pending = |body: Value| n.post(&n.b, "/v2/parcels/pending-inbox-list", body);
    assert_invalid_naming(
        &pending(json!({"recordsPerPage": 501})).await,
        "recordsPerPage",
    );
    assert_eq!(
        Net::ids(&pending(json!({"recordsPerPage": 1})).await),
        [first.inbound]
    );
    // Whose box: another network's mailbox and a missing one get the same refusal; the
    // network's admin reads B's.
    let net_reads = n
        .post(&n.net, "/v2/parcels/inbox-list", json!({"mailboxId": 201}))
        .await;
    assert_eq!(Net::ids(&net_reads), both);
    for path in ["inbox-list", "outbox-list", "pending-inbox-list"] {
        let path = format!("/v2/parcels/{path}");
        same_denial(&path, 400, |m| n.post(&n.b, &path, json!({"mailboxId": m}))).await;
    }
}

// ---- one parcel -----------------------------------------------------------------------------

async fn another_mailboxs_parcel_and_a_missing_one_get_the_same_answer(app: TestApp) {
    let n = net(app).await;
    let sent = n.send_to_b(1).await;
    let far = &n.far;
    for parcel in [sent.inbound, sent.outbound] {
        same_denial("GET", parcel, |id| n.get(far, format!("/v2/parcels/{id}"))).await;
        same_denial("manifest", parcel, |id| {
            n.get(far, format!("/v2/parcels/manifest/{id}"))
        })
        .await;
        for path in [
            "reset-to-inbox/{id}",
            "{id}/reset-to-inbox",
            "cancel/{id}",
            "{id}/cancel",
        ] {
            same_denial(path, parcel, |id| {
                n.post_empty(
                    far,
                    format!("/v2/parcels/{}", path.replace("{id}", &id.to_string())),
                )
            })
            .await;
        }
        let bodies: [(&str, BodyOf); 5] = [
            ("download", |id| json!({"parcelId": id})),
            ("confirm", |id| json!({"parcelId": id})),
            (
                "acknowledgment-note",
                |id| json!({"parcelId": id, "note": "seen"}),
            ),
            (
                "update",
                |id| json!({"parcelId": id, "status": "InBoxReady"}),
            ),
            (
                "set-mailbagcontrolid",
                |id| json!({"parcelId": id, "mailbagControlId": "MB"}),
            ),
        ];
        for (path, body) in bodies {
            same_denial(path, parcel, |id| {
                n.post(far, format!("/v2/parcels/{path}"), body(id))
            })
            .await;
        }
    }
    assert_eq!(
        n.status(&n.b, sent.inbound).await,
        "InBoxReady",
        "nothing changed"
    );

    // Numbers that are not ParcelIDs.
    for bad in ["abc", "0", "-5", "1.5"] {
        assert_invalid_naming(&n.get(&n.b, format!("/v2/parcels/{bad}")).await, "id");
        let reset = n
            .post_empty(&n.b, format!("/v2/parcels/reset-to-inbox/{bad}"))
            .await;
        assert_invalid_naming(&reset, "id");
    }
    for path in ["download", "confirm"] {
        let path = format!("/v2/parcels/{path}");
        assert_invalid_naming(
            &n.post(&n.b, &path, json!({"parcelId": 0})).await,
            "parcelId",
        );
        assert_invalid_naming(&n.post(&n.b, &path, json!({})).await, "parcelId");
        assert_invalid_naming(
            &n.post(&n.b, &path, json!({"parcelId": "x"})).await,
            "parcelId",
        );
    }
}

async fn reset_and_cancel_move_parcels_back_and_out(app: TestApp) {
    let n = net(app).await;
    let sent = n.send_to_b(1).await;
    let id = sent.inbound;
    let read = n.get(&n.b, format!("/v2/parcels/{id}")).await;
    assert_eq!(read.ok()["fileName"], sent.name.as_str());
    assert_eq!(n.download(&n.b, id).await, sent.delivered);
    let reset = n
        .post_empty(&n.b, format!("/v2/parcels/reset-to-inbox/{id}"))
        .await;
    assert_eq!(reset.ok(), &json!(true));
    assert_eq!(n.status(&n.b, id).await, "InBoxReady");
    assert_eq!(n.pending(&n.b).await, [id]);
    n.download(&n.b, id).await;
    let confirm = n
        .post(&n.b, "/v2/parcels/confirm", json!({"parcelId": id}))
        .await;
    confirm.ok();
    assert_eq!(n.status(&n.b, id).await, "InBoxArchived");
    let alias = n
        .post_empty(&n.b, format!("/v2/parcels/{id}/reset-to-inbox"))
        .await;
    assert_eq!(alias.ok(), &json!(true));
    assert_eq!(
        n.status(&n.b, id).await,
        "InBoxReady",
        "the migration table's path"
    );

    // B withdraws a delivery it has not downloaded.
    let other = n.send_to_b(11).await;
    let cancel = n
        .post_empty(&n.b, format!("/v2/parcels/cancel/{}", other.inbound))
        .await;
    assert_eq!(cancel.ok(), &json!(true));
    assert_eq!(n.status(&n.b, other.inbound).await, "Cancelled");
    assert!(!n.pending(&n.b).await.contains(&other.inbound));
    // Its content is no longer served: the manifest cannot count transaction sets.
    let manifest = n
        .get(&n.b, format!("/v2/parcels/manifest/{}", other.inbound))
        .await;
    let counts: Vec<&Value> = manifest
        .ok()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["count"])
        .collect();
    assert_eq!(counts, [&Value::Null, &Value::Null], "{}", manifest.body);
    // A withdraws an upload (by the migration table's path): B's parcel goes with it.
    let third = n.send_to_b(21).await;
    let cancel = n
        .post_empty(&n.a, format!("/v2/parcels/{}/cancel", third.outbound))
        .await;
    assert_eq!(cancel.ok(), &json!(true));
    assert_eq!(n.status(&n.a, third.outbound).await, "Cancelled");
    assert_eq!(n.stored_state(third.inbound).await, ParcelState::Cancelled);
    // Downloaded and confirmed: too late to cancel.
    n.download(&n.b, id).await;
    n.post(&n.b, "/v2/parcels/confirm", json!({"parcelId": id}))
        .await
        .ok();
    let late = n.post_empty(&n.b, format!("/v2/parcels/cancel/{id}")).await;
    late.assert_error(400, "InvalidParameter");
    assert_eq!(n.status(&n.b, id).await, "InBoxArchived");
}

async fn notes_status_and_mailbag_control_ids(app: TestApp) {
    let n = net(app).await;
    let sent = n.send_to_b(1).await;
    let id = sent.inbound;
    let note = json!({"parcelId": id, "note": "handed to the AP system"});
    let added = n.post(&n.b, "/v2/parcels/acknowledgment-note", note).await;
    assert_eq!(added.ok(), &json!(true));
    let notes = n.app.core.store().notes(ParcelId(id)).await.unwrap();
    assert_eq!(
        notes.iter().map(|x| x.note.as_str()).collect::<Vec<_>>(),
        ["handed to the AP system"]
    );
    let empty = json!({"parcelId": id, "note": "  "});
    let empty = n.post(&n.b, "/v2/parcels/acknowledgment-note", empty).await;
    assert_invalid_naming(&empty, "note");

    // Setting a status is for operators; reading through update is for anyone in scope.
    let update = |key: &'static str, body: Value| {
        let key = if key == "root" { &n.root } else { &n.b };
        n.post(key, "/v2/parcels/update", body)
    };
    let mine = update("b", json!({"parcelId": id, "status": "InBoxTransferred"})).await;
    mine.assert_error(403, "AccessDenied");
    let same = update("b", json!({"parcelId": id})).await;
    assert_eq!(same.ok()["status"], "InBoxReady", "no status: unchanged");
    let changed = update(
        "root",
        json!({"parcelId": id, "status": "InBoxTransferred"}),
    )
    .await;
    assert_eq!(
        pick(changed.ok(), &["parcelId", "status"]),
        json!([id, "InBoxTransferred"])
    );
    let lost = update("root", json!({"parcelId": id, "status": "Lost"})).await;
    assert_invalid_naming(&lost, "status");
    let wrong_side = update("root", json!({"parcelId": id, "status": "outboxSent"})).await;
    assert_invalid_naming(&wrong_side, "status");
    assert_eq!(n.status(&n.b, id).await, "InBoxTransferred");

    let set = |body: Value| n.post(&n.b, "/v2/parcels/set-mailbagcontrolid", body);
    let find = |body: Value| n.post(&n.b, "/v2/parcels/find-mailbagcontrolid", body);
    assert_eq!(
        set(json!({"parcelId": id, "mailbagControlId": "MB-7"}))
            .await
            .ok(),
        &json!(true)
    );
    let found = find(json!({"mailbagControlId": "MB-7"})).await;
    assert_eq!(Net::ids(&found), [id]);
    assert_eq!(found.ok()[0]["mailbagControlId"], "MB-7");
    let found = find(json!({"mailboxId": 201, "mailbagControlId": "MB-7"})).await;
    assert_eq!(Net::ids(&found), [id]);
    assert_eq!(
        Net::ids(&find(json!({"mailbagControlId": "MB-8"})).await),
        Vec::<i64>::new()
    );
    let blank = json!({"parcelId": id, "mailbagControlId": ""});
    assert_invalid_naming(&set(blank).await, "mailbagControlId");
    assert_invalid_naming(
        &find(json!({"mailbagControlId": " "})).await,
        "mailbagControlId",
    );
    same_denial("find-mailbagcontrolid", 400, |m| {
        find(json!({"mailboxId": m, "mailbagControlId": "MB-7"}))
    })
    .await;

    // The sandbox's test file (sandbox.rs tests what it sends) refuses a standard it cannot
    // write, naming the field.
    let test_file = json!({"ecGridIdFrom": n.id_a, "ecGridIdTo": n.id_b, "documentType": "PDF"});
    let refused = n.post(&n.a, "/v2/parcels/send-test-file", test_file).await;
    assert_invalid_naming(&refused, "documentType");
}

// ---- interchanges ---------------------------------------------------------------------------

/// The interchanges of a list page, checked for its paging fields.
#[track_caller]
fn interchanges(reply: &Reply, page: u32, size: u32) -> (u64, Vec<Value>) {
    let data = reply.ok();
    assert_eq!(
        pick(data, &["pageNo", "recordsPerPage"]),
        json!([page, size])
    );
    let items = data["interchanges"].as_array().unwrap().clone();
    (data["totalRecords"].as_u64().unwrap(), items)
}

async fn interchanges_are_listed_read_cancelled_and_resent(app: TestApp) {
    let n = net(app).await;
    let sent = n.send_to_b(1).await;
    let outbox = n
        .post(&n.a, "/v2/interchanges/outbox-list", json!({}))
        .await;
    let (total, sent_ones) = interchanges(&outbox, 1, 25);
    assert_eq!(total, 3);
    let fates: Vec<Value> = sent_ones
        .iter()
        .map(|i| {
            pick(
                i,
                &["receiver", "status", "parcelId", "standard", "documentType"],
            )
        })
        .collect();
    let delivered = json!(["ZZ:RECEIVERB", "Delivered", sent.outbound, "X12", "850"]);
    let no_route = json!(["ZZ:NOBODY", "NoRoute", sent.outbound, "X12", "850"]);
    let mut want = vec![delivered.clone(), no_route, delivered];
    let mut got = fates.clone();
    got.sort_by_key(Value::to_string);
    want.sort_by_key(Value::to_string);
    assert_eq!(got, want);
    let unrouted = sent_ones.iter().find(|i| i["status"] == "NoRoute").unwrap();
    assert!(
        !unrouted["reason"].as_str().unwrap().is_empty(),
        "{unrouted}"
    );

    let inbox = n
        .post(
            &n.b,
            "/v2/interchanges/inbox-list",
            json!({"recordsPerPage": 1}),
        )
        .await;
    let (total, first) = interchanges(&inbox, 1, 1);
    assert_eq!((total, first.len()), (2, 1));
    assert_eq!(
        first[0]["parcelId"], sent.inbound,
        "the inbox side's parcel"
    );
    let id = first[0]["interchangeId"].as_i64().unwrap();
    let read = n.get(&n.b, format!("/v2/interchanges/{id}")).await;
    assert_eq!(read.ok(), &first[0], "GET as the receiver");
    // An interchange's manifest: its groups and transaction sets, for the sender (from the
    // upload) and for the receiver (from the delivery).
    let unrouted_id = unrouted["interchangeId"].as_i64().unwrap();
    let manifest = n
        .get(&n.a, format!("/v2/interchanges/get-manifest/{unrouted_id}"))
        .await;
    let fields = [
        "functionalGroup",
        "transactionSetType",
        "transactionSetCount",
        "groupControlNumber",
        "senderId",
        "receiverId",
        "version",
    ];
    let entries = manifest.ok().as_array().unwrap();
    let shown: Vec<Value> = entries.iter().map(|e| pick(e, &fields)).collect();
    let group = |control: &str, receiver: &str| {
        json!(["PO", "850", 1, control, "SENDERA", receiver, "004010"])
    };
    assert_eq!(shown, [group("2", "NOBODY")]);
    let theirs = n
        .get(&n.b, format!("/v2/interchanges/get-manifest/{id}"))
        .await;
    let shown: Vec<Value> = theirs
        .ok()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| pick(e, &fields))
        .collect();
    let control = first[0]["controlNumber"]
        .as_str()
        .unwrap()
        .trim_start_matches('0');
    assert_eq!(shown, [group(control, "RECEIVERB")]);
    for bad in [json!({"recordsPerPage": 501}), json!({"endDate": "soon"})] {
        let reply = n
            .post(&n.b, "/v2/interchanges/inbox-list", bad.clone())
            .await;
        reply.assert_error(400, "InvalidParameter");
    }
    same_denial("interchange", id, |i| {
        n.get(&n.far, format!("/v2/interchanges/{i}"))
    })
    .await;
    same_denial("interchange manifest", id, |i| {
        n.get(&n.far, format!("/v2/interchanges/get-manifest/{i}"))
    })
    .await;
    same_denial("interchanges of a mailbox", 400, |m| {
        n.post(
            &n.b,
            "/v2/interchanges/outbox-list",
            json!({"mailboxId": m}),
        )
    })
    .await;

    for bad in ["abc", "0", "-1"] {
        let read = n.get(&n.b, format!("/v2/interchanges/{bad}")).await;
        assert_invalid_naming(&read, "id");
        let resend = n
            .post_empty(&n.root, format!("/v2/interchanges/{bad}/resend"))
            .await;
        assert_invalid_naming(&resend, "id");
    }
    for path in ["cancel", "resend"] {
        same_denial(path, id, |i| {
            n.post_empty(&n.far, format!("/v2/interchanges/{path}/{i}"))
        })
        .await;
    }
    // Resend is for operators; it makes a new parcel in B's inbox.
    for path in ["resend/{id}", "{id}/resend"] {
        let path = format!("/v2/interchanges/{}", path.replace("{id}", &id.to_string()));
        n.post_empty(&n.a, &path)
            .await
            .assert_error(403, "AccessDenied");
        let before = n.pending(&n.b).await;
        assert_eq!(
            n.post_empty(&n.root, &path).await.ok(),
            &json!(true),
            "{path}"
        );
        assert_eq!(n.pending(&n.b).await.len(), before.len() + 1, "{path}");
    }
    // Cancel, by either path, while its parcel (of that one interchange) waits.
    for (control, path) in [(31, "cancel/{id}"), (41, "{id}/cancel")] {
        let one = n.send_one_to_b(control).await;
        let listed = n
            .post(
                &n.b,
                "/v2/interchanges/inbox-list",
                json!({"recordsPerPage": 500}),
            )
            .await;
        let (_, all) = interchanges(&listed, 1, 500);
        let ic = all
            .iter()
            .find(|i| i["parcelId"] == one.inbound)
            .map(|i| i["interchangeId"].as_i64().unwrap())
            .expect("its interchange is listed");
        let path = format!("/v2/interchanges/{}", path.replace("{id}", &ic.to_string()));
        assert_eq!(n.post_empty(&n.b, &path).await.ok(), &json!(true), "{path}");
        let read = n.get(&n.b, format!("/v2/interchanges/{ic}")).await;
        assert_eq!(read.ok()["status"], "Cancelled");
        assert_eq!(n.status(&n.b, one.inbound).await, "Cancelled");
    }
    // One interchange of a parcel that holds more is not withdrawn alone: the first
    // upload's other one (the resent one is in parcels of its own now).
    let listed = n
        .post(
            &n.b,
            "/v2/interchanges/inbox-list",
            json!({"recordsPerPage": 500}),
        )
        .await;
    let (_, all) = interchanges(&listed, 1, 500);
    let sibling = all
        .iter()
        .find(|i| i["parcelId"] == sent.inbound && i["interchangeId"] != id)
        .map(|i| i["interchangeId"].as_i64().unwrap())
        .expect("the first parcel's other interchange");
    let shared = n
        .post_empty(&n.b, format!("/v2/interchanges/cancel/{sibling}"))
        .await;
    shared.assert_error(400, "InvalidParameter");
    assert_eq!(n.status(&n.b, sent.inbound).await, "InBoxReady");
    n.post_empty(&n.b, format!("/v2/interchanges/cancel/{MISSING}"))
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn isa_headers_are_read_into_their_fields_and_date() {
    let app = edigrid_testkit::spawn_app_open_routes().await;
    let users = app
        .directory()
        .user("reader", AuthLevel::MailboxUser, 100, 200)
        .build()
        .await;
    let key = app.api_key(users.user("reader")).await;
    let isa = "ISA*00*          *00*          *ZZ*ACMECORP       *ZZ*BUYERINC       *260501*1030*^*00501*000000001*0*P*>";
    let post = |path: &'static str, header: String| {
        let (app, key) = (&app, key.clone());
        async move {
            let body = json!({"interchangeHeader": header});
            call_json(app, Method::POST, path, Auth::Key(&key), &body).await
        }
    };
    let header = post("/v2/interchanges/get-header", isa.into()).await;
    let fields = [
        "senderIdQualifier",
        "senderId",
        "receiverId",
        "interchangeDate",
        "interchangeTime",
        "repetitionSeparator",
        "controlNumber",
        "usageIndicator",
        "componentElementSeparator",
    ];
    assert_eq!(
        pick(header.ok(), &fields),
        json!([
            "ZZ",
            "ACMECORP       ",
            "BUYERINC       ",
            "260501",
            "1030",
            "^",
            "000000001",
            "P",
            ">"
        ])
    );
    let terminated = post("/v2/interchanges/get-header", format!("{isa}~\nGS*PO*A*B~")).await;
    assert_eq!(terminated.ok(), header.ok());
    let date = post("/v2/interchanges/get-date", isa.into()).await;
    assert_eq!(date.ok(), &json!("2026-05-01T10:30:00Z"));
    for bad in [
        "GS*PO*A*B",
        "ISA*00*01",
        "",
        &isa.replace("260501", "261341"),
    ] {
        let reply = post("/v2/interchanges/get-date", bad.to_string()).await;
        assert_invalid_naming(&reply, "interchangeHeader");
    }
    assert_invalid_naming(
        &post("/v2/interchanges/get-header", "ISA".into()).await,
        "interchangeHeader",
    );
    let anonymous = call(&app, Method::POST, "/v2/interchanges/get-date", Auth::None).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn the_openapi_document_offers_the_upload_as_json_and_as_a_form() {
    let app = edigrid_testkit::spawn_app_open_routes().await;
    let doc: Value = app
        .http
        .get(format!("{}/swagger/v2/swagger.json", app.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let content = &doc["paths"]["/v2/parcels/upload"]["post"]["requestBody"]["content"];
    let mut types: Vec<&str> = content
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    types.sort_unstable();
    assert_eq!(types, ["application/json", "multipart/form-data"]);
    let paths = doc["paths"].as_object().unwrap();
    let served = paths
        .iter()
        .filter(|(p, _)| p.starts_with("/v2/parcels") || p.starts_with("/v2/interchanges"))
        .flat_map(|(_, item)| item.as_object().unwrap().values())
        .filter(|op| op["responses"].get("200").is_some())
        .count();
    assert_eq!(
        served,
        15 + 2 + 8 + 2,
        "every endpoint and alias of both folders"
    );
}

// ---- the requests flow ----------------------------------------------------------------------

async fn the_requests_flow_passes(app: TestApp) {
    let users = app
        .directory()
        .user("netadmin", AuthLevel::NetworkAdmin, 100, 200)
        .build()
        .await;
    let key = app.api_key(users.user("netadmin")).await;
    let script = repo_root().join("tests/clients/python/parcels_rest_flow.py");
    let args = [
        script,
        PathBuf::from("--base"),
        PathBuf::from(app.base_url()),
        PathBuf::from("--api-key"),
        PathBuf::from(key),
    ];
    let ran = tokio::time::timeout(Duration::from_secs(120), python(&args))
        .await
        .expect("the flow ran for over 2 minutes");
    ran.assert_passed("parcels_rest_flow.py", "PASS ");
    let line = ran
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("CREATED "))
        .expect("the flow printed what it created");
    let created: Value = serde_json::from_str(line).unwrap();
    // What the flow did is in the store: each inbound parcel confirmed, each upload in error.
    let uploads = created["uploads"].as_array().unwrap();
    assert_eq!(uploads.len(), 2);
    let store = app.core.store();
    for u in uploads {
        let stored = |key: &str| {
            let id = ParcelId(u[key].as_i64().unwrap());
            async move { store.parcel(id).await.unwrap().unwrap() }
        };
        let (inbound, outbound) = (stored("inbound").await, stored("outbound").await);
        assert_eq!(inbound.state, ParcelState::InBoxArchived);
        assert_eq!(
            inbound.mailbox_id.0,
            created["mailbox_b"].as_i64().unwrap() as i32
        );
        assert_eq!(inbound.bytes, u["bytes"].as_i64().unwrap());
        assert_eq!(outbound.state, ParcelState::OutBoxDeliveryError);
        assert_eq!(
            outbound.mailbox_id.0,
            created["mailbox_a"].as_i64().unwrap() as i32
        );
        assert_eq!(inbound.source, Some(outbound.id));
    }
}

// ---- base64, which the test binary has no crate for ----------------------------------------

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, as clients send parcel content.
struct Base64;

const BASE64: Base64 = Base64;

impl Base64 {
    fn encode(&self, bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    fn decode(&self, text: &str) -> Result<Vec<u8>, String> {
        let (mut bits, mut count, mut out) = (0u32, 0, Vec::new());
        for c in text.trim_end_matches('=').bytes() {
            let v = ALPHABET.iter().position(|&a| a == c);
            let v = v.ok_or_else(|| format!("not base64: {text:?}"))?;
            bits = (bits << 6) | v as u32;
            count += 6;
            if count >= 8 {
                count -= 8;
                out.push((bits >> count) as u8);
                bits &= (1 << count) - 1;
            }
        }
        Ok(out)
    }
}

#[test]
fn the_base64_helpers_are_standard_base64() {
    for text in ["", "I", "IS", "ISA", "ISA*", "ISA*0"] {
        assert_eq!(
            BASE64.decode(&BASE64.encode(text.as_bytes())).unwrap(),
            text.as_bytes()
        );
    }
    assert_eq!(BASE64.encode(b"ISA*0"), "SVNBKjA=");
    assert!(BASE64.decode("not base64!").is_err());
}
