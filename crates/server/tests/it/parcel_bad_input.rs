//! Issue 13, acceptance item 4: what the network does with bad uploads (SPEC-VAN 15, 16,
//! 18), on SQLite and on PostgreSQL. Each case says what the client sees (the REST answer,
//! or the outbound parcel's interchanges and state) and checks that nothing was half-stored:
//! after a refusal the sender's outbox and every receiver's inbox hold what they held
//! before; after an invalid or undeliverable upload the outbox holds exactly one more parcel
//! and no inbox one more. A broken interchange envelope spoils only itself, wrong group or
//! transaction counts are delivered with findings, anything between interchanges spoils the
//! whole parcel (with the offset in the reason), and another mailbox's parcel is refused
//! exactly as one that does not exist.

use edigrid_core::Caller;
use edigrid_domain::{AuthLevel, MailboxId, ParcelId, UserStatus};
use edigrid_testkit::{
    DEPLOYED_NS, Fault, SoapReply, TEST_PASSWORD, TestApp, fresh_postgres_url, spawn_app_with,
};
use serde_json::{Value, json};

use crate::parcel_corpus::{Mbx, Net, RECEIVER_A, X12_SENDER, base64};

/// The largest upload the suite's server takes.
const MAX_PARCEL: usize = 16 * 1024;

/// A valid X12 interchange (ISA exactly 106 bytes) with one 850, from `sender` to
/// `receiver` (`qualifier:id`), and `extra` segments in the transaction.
pub(crate) fn x12(sender: &str, receiver: &str, control: u32, extra: usize) -> String {
    let (sq, sid) = sender.split_once(':').unwrap();
    let (rq, rid) = receiver.split_once(':').unwrap();
    let mut body = format!("ST*850*0001~BEG*00*SA*PO{control}**20240315~");
    for n in 0..extra {
        body.push_str(&format!("PO1*{n}*1*EA*9.99**VP*SKU{n:06}~"));
    }
    format!(
        "ISA*00*          *00*          *{sq}*{sid:<15}*{rq}*{rid:<15}*240315*0930*U*00401*{control:09}*0*P*>~\
         GS*PO*SENDER*RECEIVER*20240315*0930*{control}*X*004010~{body}SE*{}*0001~GE*1*{control}~IEA*1*{control:09}~",
        extra + 3
    )
}

/// A valid EDIFACT interchange with one ORDERS message.
fn edifact(sender: &str, receiver: &str, reference: &str) -> String {
    let (sq, sid) = sender.split_once(':').unwrap();
    let (rq, rid) = receiver.split_once(':').unwrap();
    format!(
        "UNB+UNOA:2+{sid}:{sq}+{rid}:{rq}+240315:0930+{reference}'UNH+1+ORDERS:D:96A:UN'\
         BGM+220+PO1+9'UNT+3+1'UNZ+1+{reference}'"
    )
}

/// What the sender's outbox and the receivers' inboxes hold.
#[derive(Debug, PartialEq)]
struct Boxes {
    outbox: usize,
    inboxes: Vec<usize>,
}

struct Suite {
    net: Net,
    /// A user of another mailbox (204) in A's network.
    neighbour: Mbx,
    /// The receiving mailboxes whose inboxes must not grow unless a case says so.
    receivers: Vec<Mbx>,
    backend: &'static str,
}

impl Suite {
    async fn boxes(&self) -> Boxes {
        let mut inboxes = Vec::new();
        for r in &self.receivers {
            inboxes.push(r.inbox().await.len());
        }
        // The mailboxes of the suspended ID and of the suspended mailbox, and the neighbour's,
        // as the operator lists them.
        for mailbox in [202, 203, 204] {
            let all = json!({"mailboxId": mailbox, "status": "InBoxReady"});
            inboxes.push(self.net.root.list("inbox-list", all).await.len());
        }
        Boxes {
            outbox: self.net.sender.outbox().await.len(),
            inboxes,
        }
    }

    /// An upload the server refuses with one of `statuses`: nothing stored anywhere.
    async fn refused(&self, case: &str, body: Value, statuses: &[u16]) -> Value {
        let before = self.boxes().await;
        let reply = self.net.sender.post("/v2/parcels/upload", &body).await;
        assert!(
            statuses.contains(&reply.status),
            "{}: {case}: want {statuses:?}, got {}: {}",
            self.backend,
            reply.status,
            reply.body
        );
        assert_eq!(
            self.boxes().await,
            before,
            "{}: {case} stored",
            self.backend
        );
        reply.body
    }

    /// An upload that is accepted but delivers nothing: exactly one more outbound parcel,
    /// in the error list, whose interchanges ended as `statuses` say; no inbound parcel.
    /// Uploaded over REST, or with `deployed` as the deployed dialect's `ParcelUploadA`.
    async fn undelivered(
        &self,
        case: &str,
        content: &[u8],
        statuses: &[&str],
        deployed: bool,
    ) -> (i64, Vec<Value>) {
        let before = self.boxes().await;
        let id = if deployed {
            let params = [("FileName", case), ("ContentBase64", &base64(content))];
            let reply = self.deployed("sender", "ParcelUploadA", &params).await;
            let id = reply
                .field("ParcelUploadAResult")
                .and_then(|t| t.parse().ok());
            id.unwrap_or_else(|| panic!("{}: {case} over SOAP: {}", self.backend, reply.body))
        } else {
            self.net.sender.upload_ok(case, content).await
        };
        let after = self.boxes().await;
        let want = Boxes {
            outbox: before.outbox + 1,
            inboxes: before.inboxes,
        };
        assert_eq!(after, want, "{}: {case}", self.backend);
        let parcel = self.net.sender.parcel(id).await;
        assert_eq!(
            parcel["status"], "outboxDeliveryError",
            "{}: {case}: {parcel}",
            self.backend
        );
        let errors = self
            .net
            .sender
            .list("outbox-list", json!({"status": "outboxDeliveryError"}))
            .await;
        assert!(
            crate::parcel_corpus::ids(&errors).contains(&id),
            "{}: {case} not in the sender's error list",
            self.backend
        );
        let manifest = self.net.sender.manifest(id).await;
        let got: Vec<&str> = manifest
            .iter()
            .map(|i| i["status"].as_str().unwrap())
            .collect();
        assert_eq!(got, statuses, "{}: {case}: {manifest:?}", self.backend);
        for i in &manifest {
            if i["status"] != "Delivered" {
                assert!(
                    !i["reason"].as_str().unwrap_or_default().is_empty(),
                    "{}: {case}: no reason for {i}",
                    self.backend
                );
            }
        }
        (id, manifest)
    }

    /// A deployed-dialect call as `login` (logged in for it).
    async fn deployed(&self, login: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
        let app = &self.net.app;
        let credentials = [("LoginName", login), ("Password", TEST_PASSWORD)];
        let sid = app.soap_ok_in(DEPLOYED_NS, "Login", &credentials).await;
        let sid = sid.expect_field("LoginResult");
        let mut all = vec![("SessionID", sid.as_str())];
        all.extend_from_slice(params);
        app.soap_in(DEPLOYED_NS, op, &all).await
    }

    /// What the deployed dialect says of a parcel (`ParcelInfo`, with its interchanges and
    /// manifest), as the sender.
    async fn deployed_info(&self, id: i64) -> Vec<String> {
        let id = id.to_string();
        let reply = self
            .deployed("sender", "ParcelInfo", &[("ParcelID", &id)])
            .await;
        assert_eq!(
            reply.status, 200,
            "{}: ParcelInfo {id}: {}",
            self.backend, reply.body
        );
        reply.all("StatusMessage")
    }

    /// A deployed `ParcelUploadA` the server refuses: a fault, and nothing stored.
    async fn deployed_refused(&self, case: &str, content_base64: &str) -> Fault {
        let before = self.boxes().await;
        let params = [("FileName", "bad.x12"), ("ContentBase64", content_base64)];
        let reply = self.deployed("sender", "ParcelUploadA", &params).await;
        let fault = reply.expect_fault();
        assert!(
            reply.status >= 400,
            "{}: {case}: {}",
            self.backend,
            reply.body
        );
        assert_eq!(
            self.boxes().await,
            before,
            "{}: {case} stored",
            self.backend
        );
        fault
    }
}

async fn suite(app: TestApp, backend: &'static str) -> Suite {
    let net = Net::new(app).await;
    let app = &net.app;
    // Two more receivers: one whose ID is suspended, one whose mailbox is.
    app.add_mailbox(100, 202).await;
    app.add_mailbox(100, 203).await;
    let suspended_id = app.add_partner(100, 202, "ZZ", "SUSPID", "bad input").await;
    app.add_partner(100, 203, "ZZ", "SUSPMBX", "bad input")
        .await;
    let operator = Caller::operator();
    app.core
        .partner_set_status(&operator, suspended_id, UserStatus::Suspended)
        .await
        .unwrap();
    app.core
        .mailbox_set_status(&operator, MailboxId(203), UserStatus::Suspended)
        .await
        .unwrap();
    let user = app
        .add_user("neighbour", AuthLevel::MailboxUser, 100, 204)
        .await;
    let neighbour = Mbx {
        key: app.api_key(user).await,
        mailbox: 204,
        ..net.a.clone()
    };
    let receivers = vec![net.a.clone(), net.b.clone(), net.c.clone()];
    Suite {
        neighbour,
        net,
        receivers,
        backend,
    }
}

async fn bad_input(app: TestApp, backend: &'static str) {
    let s = suite(app, backend).await;
    let valid = |control| x12(X12_SENDER, RECEIVER_A, control, 0);

    // Refused outright: nothing stored.
    let upload = |content: &str| json!({"fileName": "bad.x12", "content": content});
    s.refused("0-byte file", upload(""), &[400]).await;
    s.refused("bad base64", upload("SVNB*not base64!"), &[400])
        .await;
    // Just over the limit: the body fits the upload routes' limit, the content does not.
    let over = x12(X12_SENDER, RECEIVER_A, 1, MAX_PARCEL / 30);
    assert!(over.len() > MAX_PARCEL && over.len() < MAX_PARCEL + 2048);
    s.refused(
        "over-size file",
        upload(&base64(over.as_bytes())),
        &[400, 413],
    )
    .await;
    // Far over it: the body itself is refused, and read to the end so the client sees why.
    let huge = x12(X12_SENDER, RECEIVER_A, 1, 70_000);
    assert!(huge.len() > 2 << 20);
    s.refused("huge file", upload(&base64(huge.as_bytes())), &[413])
        .await;
    let small = valid(2);
    let wrong_size = json!({"fileName": "bad.x12", "content": base64(small.as_bytes()), "bytes": small.len() + 1});
    s.refused("declared size not the content's", wrong_size, &[400])
        .await;
    s.deployed_refused("0-byte file over SOAP", "").await;
    s.deployed_refused("bad base64 over SOAP", "SVNB*not base64!")
        .await;
    s.deployed_refused("over-size file over SOAP", &base64(over.as_bytes()))
        .await;
    s.deployed_refused("huge file over SOAP", &base64(huge.as_bytes()))
        .await;

    // A broken interchange envelope: the interchange is invalid, not delivered (uploaded
    // over REST and over the deployed dialect in turn, here and for the routing cases).
    let short_isa = valid(10).replacen("RECVA          ", "RECVA         ", 1);
    let no_iea = valid(11).replace("IEA*1*000000011~", "");
    let iea02 = valid(12).replace("IEA*1*000000012~", "IEA*1*000000099~");
    let iea01 = valid(13).replace("IEA*1*000000013~", "IEA*2*000000013~");
    let unz_missing = edifact("14:PYDSEND01", RECEIVER_A, "R14").replace("UNZ+1+R14'", "");
    let unz_count = edifact("14:PYDSEND01", RECEIVER_A, "R15").replace("UNZ+1+R15'", "UNZ+2+R15'");
    let unz_reference =
        edifact("14:PYDSEND01", RECEIVER_A, "R16").replace("UNZ+1+R16'", "UNZ+1+R99'");
    for (n, (case, content)) in [
        ("ISA of 105 bytes", short_isa),
        ("file ends inside the ISA", valid(17)[..60].to_string()),
        ("IEA missing", no_iea),
        ("IEA02 not ISA13", iea02),
        ("IEA01 not the group count", iea01),
        ("UNZ missing", unz_missing),
        ("UNZ count wrong", unz_count),
        ("UNZ reference not UNB's", unz_reference),
    ]
    .into_iter()
    .enumerate()
    {
        let (deployed, content) = (n % 2 == 1, content.as_bytes());
        s.undelivered(case, content, &["Invalid"], deployed).await;
    }

    // ... while a valid interchange in the same parcel still goes.
    let before = s.boxes().await;
    let good = valid(21);
    let mixed = format!(
        "{}{good}",
        valid(20).replace("IEA*1*000000020~", "IEA*1*000000098~")
    );
    let id = s
        .net
        .sender
        .upload_ok("broken-then-valid", mixed.as_bytes())
        .await;
    let statuses: Vec<Value> = s
        .net
        .sender
        .manifest(id)
        .await
        .iter()
        .map(|i| i["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        [json!("Invalid"), json!("Delivered")],
        "{backend}"
    );
    assert_eq!(
        s.net.sender.parcel(id).await["status"],
        "outboxDeliveryError"
    );
    let inbox = s.net.a.inbox().await;
    assert_eq!(
        inbox.len(),
        before.inboxes[0] + 1,
        "{backend}: A got the valid one"
    );
    assert_eq!(
        s.net.a.download(*inbox.last().unwrap()).await,
        good.as_bytes()
    );

    // Wrong SE and GE counts are the receiving translator's to judge: delivered, recorded.
    let counts = valid(30)
        .replace("SE*3*0001~", "SE*9*0001~")
        .replace("GE*1*30~", "GE*4*30~");
    let id = s
        .net
        .sender
        .upload_ok("wrong-counts", counts.as_bytes())
        .await;
    assert_eq!(
        s.net.sender.parcel(id).await["status"],
        "outboxSent",
        "{backend}"
    );
    let inbox = s.net.a.inbox().await;
    assert_eq!(
        s.net.a.download(*inbox.last().unwrap()).await,
        counts.as_bytes()
    );
    let detail = s
        .net
        .app
        .core
        .parcel_info(&Caller::operator(), ParcelId(id))
        .await
        .unwrap();
    let findings = &detail.interchanges[0].findings;
    assert!(
        findings.contains("SE") && findings.contains("GE"),
        "{backend}: findings {findings:?}"
    );

    // Anything between interchanges spoils the whole parcel: nothing routed, offset given.
    let first = valid(40);
    let garbage = format!("{first}GARBAGE\r\n{}", valid(41));
    let before = s.boxes().await;
    let id = s
        .net
        .sender
        .upload_ok("garbage-between", garbage.as_bytes())
        .await;
    let after = s.boxes().await;
    assert_eq!(after.outbox, before.outbox + 1, "{backend}");
    assert_eq!(after.inboxes, before.inboxes, "{backend}: garbage routed");
    let parcel = s.net.sender.parcel(id).await;
    assert_eq!(
        (&parcel["status"], &parcel["valid"]),
        (&json!("outboxDeliveryError"), &json!("Invalid"))
    );
    let messages = s.deployed_info(id).await;
    // The offset as a number of its own in some message (not part of a longer one).
    let offset = first.len().to_string();
    let numbers = |m: &String| {
        let split = m.split(|c: char| !c.is_ascii_digit());
        split.map(str::to_string).collect::<Vec<_>>()
    };
    assert!(
        messages.iter().any(|m| numbers(m).contains(&offset)),
        "{backend}: offset {offset} in none of {messages:?}"
    );

    // Senders and receivers the directory does not route.
    let cases = [
        (
            "unknown sender",
            x12("ZZ:NOBODY", RECEIVER_A, 50, 0),
            "UnknownSender",
        ),
        (
            "another mailbox's ID as sender",
            x12(RECEIVER_A, RECEIVER_A, 51, 0),
            "UnknownSender",
        ),
        (
            "unknown receiver",
            x12(X12_SENDER, "ZZ:NOWHERE", 52, 0),
            "NoRoute",
        ),
        (
            "suspended receiver ID",
            x12(X12_SENDER, "ZZ:SUSPID", 53, 0),
            "NoRoute",
        ),
        (
            "suspended receiver mailbox",
            x12(X12_SENDER, "ZZ:SUSPMBX", 54, 0),
            "NoRoute",
        ),
    ];
    for (n, (case, content, status)) in cases.into_iter().enumerate() {
        let (deployed, content) = (n % 2 == 0, content.as_bytes());
        s.undelivered(case, content, &[status], deployed).await;
    }

    another_mailboxs_parcel(&s).await;
}

/// The deployed operations on one parcel that another mailbox is refused.
const DEPLOYED_OPS: &[&str] = &[
    "ParcelInfo",
    "ParcelDownload",
    "ParcelDownloadNoUpdate",
    "ParcelDownloadConfirm",
    "ParcelManifest",
];

/// A user of another mailbox of A's network, B and C asking for A's inbound parcel get
/// exactly the refusal of a parcel that does not exist, and A's parcel is as it was.
async fn another_mailboxs_parcel(s: &Suite) {
    let backend = s.backend;
    s.net
        .sender
        .upload_ok("for-a", x12(X12_SENDER, RECEIVER_A, 60, 0).as_bytes())
        .await;
    let theirs = *s.net.a.inbox().await.last().unwrap();
    let missing = theirs + 1_000_000;
    for other in [&s.neighbour, &s.net.b, &s.net.c] {
        let ask = async |id: i64| {
            let mut replies = Vec::new();
            replies.push(other.get(&format!("/v2/parcels/{id}")).await);
            replies.push(other.get(&format!("/v2/parcels/manifest/{id}")).await);
            replies.push(
                other
                    .post("/v2/parcels/download", &json!({"parcelId": id}))
                    .await,
            );
            replies.push(
                other
                    .post("/v2/parcels/confirm", &json!({"parcelId": id}))
                    .await,
            );
            replies
                .into_iter()
                .map(|r| {
                    (
                        r.status,
                        r.body.to_string().replace(&id.to_string(), "{id}"),
                    )
                })
                .collect::<Vec<_>>()
        };
        let refused = ask(theirs).await;
        assert_eq!(
            refused,
            ask(missing).await,
            "{backend}: another mailbox's parcel"
        );
        assert!(
            refused.iter().all(|(status, _)| *status >= 400),
            "{backend}: {refused:?}"
        );
    }
    for login in ["neighbour", "recv_b", "recv_c"] {
        for op in DEPLOYED_OPS {
            let ask = async |id: i64| {
                let id = id.to_string();
                let reply = s.deployed(login, op, &[("ParcelID", &id)]).await;
                let fault = reply.expect_fault();
                (reply.status, format!("{fault:?}").replace(&id, "{id}"))
            };
            let refused = ask(theirs).await;
            assert_eq!(
                refused,
                ask(missing).await,
                "{backend}: {op} of another mailbox's parcel"
            );
        }
    }
    let parcel = s.net.a.parcel(theirs).await;
    assert_eq!(
        parcel["status"], "InBoxReady",
        "{backend}: A's parcel changed: {parcel}"
    );
}

fn small_uploads(s: &mut edigrid_server::Settings) {
    s.max_parcel_bytes = MAX_PARCEL;
}

#[tokio::test]
async fn bad_uploads_are_refused_or_reported_without_half_storing_on_sqlite() {
    bad_input(spawn_app_with(small_uploads).await, "SQLite").await;
}

#[tokio::test]
async fn bad_uploads_are_refused_or_reported_without_half_storing_on_postgres() {
    let Some(url) = fresh_postgres_url().await else {
        eprintln!("skipped: EDIGRID_TEST_DATABASE_URL is not set");
        return;
    };
    bad_input(
        spawn_app_with(|s| {
            small_uploads(s);
            s.database = url;
        })
        .await,
        "PostgreSQL",
    )
    .await;
}
