//! Parcels and interchanges in the documented dialect (`http://www.ecgridos.net/`, ecgrid-docs
//! soap-api/{parcels,interchanges}; SPEC-VAN 15-19) over raw SOAP envelopes, on SQLite and on
//! PostgreSQL: every operation answered with content checked and refused at least once, the
//! same fault for another mailbox's parcel as for none, and the lists' filters and pages.
//!
//! The world: network 100 with mailbox 200 (`alice`, MailboxAdmin, ZZ:ALICE) and mailbox 201
//! (`bob`, MailboxAdmin, ZZ:BOB); `netops` (NetOps, network 1); network 300 with mailbox 400
//! (`carol`, MailboxAdmin, ZZ:CAROL). The upload of most tests holds three X12 interchanges
//! from ALICE: two to BOB and one to NOBODY, which no ID has.

use edigrid_domain::AuthLevel;
use edigrid_testkit::{Fault, NS, SoapReply, TestApp, fresh_postgres_url};

const MISSING: &str = "987654321";
const OPEN: &str = "0001-01-01T00:00:00";

// ---- EDI and base64 ---------------------------------------------------------------------

/// One X12 interchange of one 850, from `from` to `to` (ZZ qualifiers), control `n`.
fn x12(from: &str, to: &str, n: u32) -> String {
    format!(
        "ISA*00*          *00*          *ZZ*{from:<15}*ZZ*{to:<15}*260507*0800*U*00401*{n:09}*0*P*>~\
         GS*PO*{from}APP*{to}APP*20260507*0930*{n}*X*004010~ST*850*0001~BEG*00*SA*PO{n}**20260507~\
         SE*3*0001~GE*1*{n}~IEA*1*{n:09}~"
    )
}

/// The upload of the story: two interchanges to BOB around one to NOBODY.
fn three() -> (String, String) {
    let (one, lost, two) = (
        x12("ALICE", "BOB", 1),
        x12("ALICE", "NOBODY", 2),
        x12("ALICE", "BOB", 3),
    );
    (format!("{one}{lost}{two}"), format!("{one}{two}"))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = (0..3).fold(0u32, |n, i| n << 8 | u32::from(*chunk.get(i).unwrap_or(&0)));
        for i in 0..4 {
            let c = B64[(n >> (18 - 6 * i) & 63) as usize] as char;
            out.push(if i <= chunk.len() { c } else { '=' });
        }
    }
    out
}

fn unb64(text: &str) -> Vec<u8> {
    let (mut out, mut n, mut bits) = (Vec::new(), 0u32, 0);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        n = n << 6 | B64.iter().position(|b| *b == c).expect("base64") as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((n >> bits & 0xFF) as u8);
        }
    }
    out
}

// ---- the world --------------------------------------------------------------------------

struct World {
    app: TestApp,
    alice: String,
    bob: String,
    carol: String,
    netops: String,
    id_alice: i32,
    id_bob: i32,
    id_carol: i32,
}

async fn world(app: TestApp) -> World {
    app.directory()
        .user("alice", AuthLevel::MailboxAdmin, 100, 200)
        .user("bob", AuthLevel::MailboxAdmin, 100, 201)
        .user("netops", AuthLevel::NetOps, 1, 10)
        .user("carol", AuthLevel::MailboxAdmin, 300, 400)
        .build()
        .await;
    let id_alice = app.add_partner(100, 200, "ZZ", "ALICE", "A").await.0;
    let id_bob = app.add_partner(100, 201, "ZZ", "BOB", "B").await.0;
    let id_carol = app.add_partner(300, 400, "ZZ", "CAROL", "C").await.0;
    World {
        alice: app.login("alice").await,
        bob: app.login("bob").await,
        carol: app.login("carol").await,
        netops: app.login("netops").await,
        app,
        id_alice,
        id_bob,
        id_carol,
    }
}

/// `$name` on a fresh SQLite server and on a fresh PostgreSQL schema (when
/// `EDIGRID_TEST_DATABASE_URL` names a server).
macro_rules! on_both {
    ($scenario:ident: $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            $scenario(world(edigrid_testkit::spawn_app_open_routes().await).await).await;
        }

        #[tokio::test]
        async fn $postgres() {
            let Some(url) = fresh_postgres_url().await else {
                eprintln!("EDIGRID_TEST_DATABASE_URL is not set: PostgreSQL variant not run");
                return;
            };
            $scenario(world(edigrid_testkit::spawn_app_open_routes_on(url).await).await).await;
        }
    };
}

type Params<'a> = &'a [(&'a str, &'a str)];

impl World {
    async fn ok(&self, sid: &str, op: &str, params: Params<'_>) -> SoapReply {
        let mut all = vec![("SessionID", sid)];
        all.extend_from_slice(params);
        self.app.soap_ok_in(NS, op, &all).await
    }

    async fn fault(&self, sid: &str, op: &str, params: Params<'_>) -> Fault {
        let mut all = vec![("SessionID", sid)];
        all.extend_from_slice(params);
        let reply = self.app.soap(op, &all).await;
        assert_eq!(
            reply.status, 500,
            "{op} {params:?} should fail: {}",
            reply.body
        );
        reply.expect_fault()
    }

    /// The text of `{op}Result`.
    async fn result(&self, sid: &str, op: &str, params: Params<'_>) -> String {
        self.ok(sid, op, params)
            .await
            .expect_field(&format!("{op}Result"))
    }

    /// `{op}Result`'s records, each as (field, text) pairs in wire order.
    async fn records(&self, sid: &str, op: &str, params: Params<'_>) -> Vec<Record> {
        records(&self.ok(sid, op, params).await, &format!("{op}Result"))
    }

    /// `{op}Result` as one record.
    async fn record(&self, sid: &str, op: &str, params: Params<'_>) -> Record {
        let reply = self.ok(sid, op, params).await;
        Record(children(&roxml(&reply), &format!("{op}Result")))
    }

    async fn upload(&self, sid: &str, name: &str, content: &str) -> String {
        let bytes = content.len().to_string();
        let params = [
            ("FileName", name),
            ("Bytes", &bytes),
            ("Content", &b64(content.as_bytes())),
        ];
        self.result(sid, "ParcelUpload", &params).await
    }

    /// The InterchangeID of the (first) interchange of the upload `out`, from the outbox.
    async fn interchange_of(&self, sid: &str, out: &str) -> String {
        let sent = self.records(sid, "InterchangeOutBox", &[]).await;
        let mine = sent.iter().find(|r| r.get("ParcelID") == out);
        mine.unwrap_or_else(|| panic!("no interchange of {out}: {sent:?}"))
            .get("InterchangeID")
            .to_string()
    }

    /// Bob's inbox as ParcelInBox lists it with `params`: the ParcelIDs.
    async fn inbox(&self, sid: &str, params: Params<'_>) -> Vec<String> {
        let found = self.records(sid, "ParcelInBox", params).await;
        found
            .iter()
            .map(|r| r.get("ParcelID").to_string())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Record(Vec<(String, String)>);

impl Record {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} in {self:?}"))
    }

    fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| n.as_str()).collect()
    }

    fn texts(&self, names: &[&str]) -> Vec<&str> {
        names.iter().map(|n| self.get(n)).collect()
    }
}

fn roxml(reply: &SoapReply) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(&reply.body).unwrap()
}

fn children(doc: &roxmltree::Document, name: &str) -> Vec<(String, String)> {
    let node = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == name)
        .unwrap_or_else(|| panic!("no <{name}>"));
    node.children()
        .filter(|n| n.is_element())
        .map(|n| {
            (
                n.tag_name().name().to_string(),
                n.text().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn records(reply: &SoapReply, result: &str) -> Vec<Record> {
    let doc = roxml(reply);
    let node = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == result)
        .unwrap_or_else(|| panic!("no <{result}> in {}", reply.body));
    node.children()
        .filter(|n| n.is_element())
        .map(|item| {
            Record(
                item.children()
                    .filter(|n| n.is_element())
                    .map(|n| {
                        (
                            n.tag_name().name().to_string(),
                            n.text().unwrap_or("").to_string(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

/// A refusal to check: what it is, the operation, its parameters, then the fault's category
/// and `ErrorItem`.
type Refusal<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str, &'a str);

fn assert_fault(what: &str, f: &Fault, category: &str, item: &str) {
    assert_eq!(
        (f.category.as_str(), f.item.as_str()),
        (category, item),
        "{what}: {f:?}"
    );
}

/// The documented `ParcelIDInfo` fields, in the pages' order.
const PARCEL_ID_INFO: [&str; 9] = [
    "ParcelID",
    "NetworkID",
    "MailboxID",
    "FileName",
    "Bytes",
    "Status",
    "ECGridIDFrom",
    "ECGridIDTo",
    "Created",
];
/// The documented `InterchangeIDInfo` fields, in the pages' order.
const INTERCHANGE_ID_INFO: [&str; 8] = [
    "InterchangeID",
    "ParcelID",
    "Sender",
    "Receiver",
    "Standard",
    "DocumentType",
    "Status",
    "Created",
];

// ---- the story: upload, route, list, read, download, confirm --------------------------

async fn a_parcel_goes_from_upload_to_the_archive(w: World) {
    let (upload, delivered) = three();
    let out = w.upload(&w.alice, "three.x12", &upload).await;
    let (a, b) = (w.id_alice.to_string(), w.id_bob.to_string());

    let inbox = w.records(&w.bob, "ParcelInBox", &[]).await;
    assert_eq!(inbox.len(), 1, "one parcel for Bob's mailbox: {inbox:?}");
    let parcel = &inbox[0];
    assert_eq!(
        &parcel.names()[..9],
        PARCEL_ID_INFO,
        "the pages' fields lead, in order"
    );
    let len = delivered.len().to_string();
    assert_eq!(
        parcel.texts(&[
            "NetworkID",
            "MailboxID",
            "FileName",
            "Bytes",
            "Status",
            "ECGridIDFrom",
            "ECGridIDTo"
        ]),
        [
            "100",
            "201",
            "three.x12",
            len.as_str(),
            "InBoxReady",
            &a,
            &b
        ]
    );
    assert!(parcel.get("Created").ends_with('Z'), "{parcel:?}");
    let id = parcel.get("ParcelID").to_string();
    assert_ne!(id, out, "the delivery is a parcel of its own");
    assert_eq!(parcel.get("Interchanges"), "2");
    assert_eq!(
        w.inbox(&w.alice, &[]).await,
        Vec::<String>::new(),
        "nothing came to Alice"
    );

    let info = w.record(&w.bob, "ParcelInfo", &[("ParcelID", &id)]).await;
    assert_eq!(&info, parcel, "ParcelInfo is the inbox's record");

    let content = w
        .result(&w.bob, "ParcelDownload", &[("ParcelID", &id)])
        .await;
    assert_eq!(
        unb64(&content),
        delivered.as_bytes(),
        "the two interchanges, byte for byte"
    );
    assert_eq!(
        w.inbox(&w.bob, &[]).await,
        Vec::<String>::new(),
        "downloaded: no longer ready"
    );
    let transferred = [("Status", "InBoxTransferred")];
    assert_eq!(
        w.inbox(&w.bob, &transferred).await,
        std::slice::from_ref(&id)
    );

    let confirmed = w
        .result(&w.bob, "ParcelDownloadConfirm", &[("ParcelID", &id)])
        .await;
    assert_eq!(confirmed, "true");
    assert_eq!(w.inbox(&w.bob, &transferred).await, Vec::<String>::new());
    let archive = w
        .records(
            &w.bob,
            "ParcelInBoxArchive",
            &[("BeginDate", OPEN), ("EndDate", OPEN)],
        )
        .await;
    assert_eq!(archive.len(), 1);
    assert_eq!(
        archive[0].texts(&["ParcelID", "Status"]),
        [id.as_str(), "InBoxArchived"]
    );
    let info = w.record(&w.bob, "ParcelInfo", &[("ParcelID", &id)]).await;
    assert_eq!(info.get("Status"), "InBoxArchived");

    // Alice's side: the upload in error, with the undelivered interchange's reason.
    let outbox = w.records(&w.alice, "ParcelOutBox", &[]).await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let sent = &outbox[0];
    let bytes = upload.len().to_string();
    assert_eq!(
        sent.texts(&["ParcelID", "MailboxID", "Bytes", "Status", "Direction"]),
        [
            out.as_str(),
            "200",
            bytes.as_str(),
            "outboxDeliveryError",
            "OutBox"
        ]
    );
    assert_eq!(
        sent.get("Valid"),
        "ValidPartialRouted",
        "every interchange valid, some delivered: {sent:?}"
    );
    assert!(
        !sent.get("StatusMessage").is_empty(),
        "a sentence says what the status means: {sent:?}"
    );
    let errors = w
        .records(
            &w.alice,
            "ParcelOutBox",
            &[("Status", "outboxDeliveryError")],
        )
        .await;
    assert_eq!(errors, outbox);
    let none = w
        .records(&w.alice, "ParcelOutBox", &[("Status", "outboxSent")])
        .await;
    assert!(none.is_empty(), "{none:?}");

    let sent_ix = w.records(&w.alice, "InterchangeOutBox", &[]).await;
    assert_eq!(sent_ix.len(), 3, "{sent_ix:?}");
    assert_eq!(&sent_ix[0].names()[..8], INTERCHANGE_ID_INFO);
    let status: Vec<_> = sent_ix.iter().map(|r| r.get("Status")).collect();
    assert_eq!(status, ["Delivered", "NoRoute", "Delivered"]);
    assert!(
        sent_ix[1].get("Reason").contains("NOBODY"),
        "the reason names the receiver: {:?}",
        sent_ix[1]
    );
    assert_eq!(
        sent_ix[1].texts(&[
            "ParcelID",
            "Sender",
            "Receiver",
            "Standard",
            "DocumentType",
            "InterchangeControlID"
        ]),
        [
            out.as_str(),
            "ZZ:ALICE",
            "ZZ:NOBODY",
            "X12",
            "850",
            "000000002"
        ]
    );

    let received = w.records(&w.bob, "InterchangeInBox", &[]).await;
    let controls: Vec<_> = received
        .iter()
        .map(|r| r.get("InterchangeControlID"))
        .collect();
    assert_eq!(controls, ["000000001", "000000003"]);
    assert!(
        received.iter().all(|r| r.get("ParcelID") == id),
        "{received:?}"
    );
    let ix = received[0].get("InterchangeID").to_string();
    let one = w
        .record(&w.bob, "InterchangeInfo", &[("InterchangeID", &ix)])
        .await;
    assert_eq!(one, received[0], "InterchangeInfo is the inbox's record");
    let theirs = w
        .record(&w.alice, "InterchangeInfo", &[("InterchangeID", &ix)])
        .await;
    assert_eq!(theirs.get("ParcelID"), out, "the sender sees its upload");

    for sid in [&w.alice, &w.bob] {
        let manifest = w
            .records(sid, "InterchangeManifest", &[("InterchangeID", &ix)])
            .await;
        assert_eq!(manifest.len(), 1, "{manifest:?}");
        assert_eq!(
            manifest[0].texts(&[
                "GroupID",
                "TransactionSetID",
                "TransactionCount",
                "SenderID",
                "ReceiverID",
                "GroupDate"
            ]),
            [
                "PO",
                "850",
                "1",
                "ALICEAPP",
                "BOBAPP",
                "2026-05-07T09:30:00Z"
            ]
        );
    }
}
on_both!(a_parcel_goes_from_upload_to_the_archive: story_on_sqlite, story_on_postgres);

// ---- uploads ------------------------------------------------------------------------------

async fn uploads_take_every_documented_form_and_refuse_bad_content(w: World) {
    let one = x12("ALICE", "BOB", 7);
    let ex = w
        .result(
            &w.alice,
            "ParcelUploadEx",
            &[
                ("NetworkID", "100"),
                ("MailboxID", "200"),
                ("FileName", "ex.x12"),
                ("Content", &b64(one.as_bytes())),
            ],
        )
        .await;
    let pdf = b"%PDF-1.4 not an envelope";
    let (a, b) = (w.id_alice.to_string(), w.id_bob.to_string());
    let mft = w
        .result(
            &w.alice,
            "ParcelUploadMft",
            &[
                ("FileName", "doc.pdf"),
                ("Bytes", "24"),
                ("Content", &b64(pdf)),
                ("ECGridIDFrom", &a),
                ("ECGridIDTo", &b),
            ],
        )
        .await;
    assert!(
        mft.parse::<i64>().unwrap() > ex.parse::<i64>().unwrap(),
        "ParcelIDs increase"
    );
    let inbox = w.records(&w.bob, "ParcelInBox", &[]).await;
    let names: Vec<_> = inbox
        .iter()
        .map(|r| r.texts(&["FileName", "Standard"]))
        .collect();
    assert_eq!(
        names,
        [["ex.x12", "X12"], ["doc.pdf", "PDF"]],
        "oldest first"
    );
    let pdf_id = inbox[1].get("ParcelID").to_string();
    let content = w
        .result(&w.bob, "ParcelDownload", &[("ParcelID", &pdf_id)])
        .await;
    assert_eq!(unb64(&content), pdf);

    let content = b64(one.as_bytes());
    let pdf_content = b64(pdf);
    let wrong = (one.len() + 1).to_string();
    #[rustfmt::skip]
    let cases: Vec<Refusal> = vec![
        ("bad base64", "ParcelUpload", vec![("FileName", "x"), ("Content", "not base64!")], "InvalidParameter", "Content"),
        ("0 bytes", "ParcelUpload", vec![("FileName", "x"), ("Bytes", "0"), ("Content", "")], "InvalidParameter", "Content"),
        ("Bytes is not the content's length", "ParcelUpload", vec![("FileName", "x"), ("Bytes", &wrong), ("Content", &content)], "InvalidParameter", "Bytes"),
        ("another network's mailbox", "ParcelUploadEx", vec![("NetworkID", "300"), ("MailboxID", "400"), ("FileName", "x"), ("Content", &content)], "Authorization", ""),
        ("0 bytes", "ParcelUploadEx", vec![("NetworkID", "100"), ("MailboxID", "200"), ("FileName", "x"), ("Content", "")], "InvalidParameter", "Content"),
        ("an ECGridID that is no number", "ParcelUploadMft", vec![("FileName", "x"), ("Content", &pdf_content), ("ECGridIDFrom", "ALICE"), ("ECGridIDTo", &b)], "InvalidParameter", "ECGridIDFrom"),
        ("0 bytes", "ParcelUploadMft", vec![("FileName", "x"), ("Content", ""), ("ECGridIDFrom", &a), ("ECGridIDTo", &b)], "InvalidParameter", "Content"),
    ];
    for (what, op, params, category, item) in cases {
        let f = w.fault(&w.alice, op, &params).await;
        assert_fault(&format!("{op}: {what}"), &f, category, item);
    }
    let f = w
        .fault(
            "not-a-session",
            "ParcelUpload",
            &[("FileName", "x"), ("Content", &content)],
        )
        .await;
    assert_eq!(f.category, "Authentication", "{f:?}");
    let ready = w.inbox(&w.bob, &[]).await;
    assert_eq!(
        ready,
        [inbox[0].get("ParcelID")],
        "the refused uploads delivered nothing (the PDF is downloaded)"
    );

    // A document sent as another mailbox's ECGridID is taken, and not delivered: unknown sender.
    let params = [
        ("FileName", "as-bob.pdf"),
        ("Content", pdf_content.as_str()),
        ("ECGridIDFrom", &b),
        ("ECGridIDTo", &a),
    ];
    let out = w.result(&w.alice, "ParcelUploadMft", &params).await;
    assert!(
        w.inbox(&w.alice, &[]).await.is_empty(),
        "nothing delivered to Alice"
    );
    let sent = w
        .record(&w.alice, "ParcelInfo", &[("ParcelID", &out)])
        .await;
    assert_eq!(sent.get("Status"), "outboxDeliveryError", "{sent:?}");
    let ix = w.interchange_of(&w.alice, &out).await;
    let ix = w
        .record(&w.alice, "InterchangeInfo", &[("InterchangeID", &ix)])
        .await;
    assert_eq!(ix.get("Status"), "UnknownSender", "{ix:?}");

    // Bytes between interchanges make the whole parcel invalid: its record says where and why.
    let junk = format!("{one}NOT EDI{}", x12("ALICE", "BOB", 8));
    let out = w.upload(&w.alice, "junk.x12", &junk).await;
    let bad = w
        .record(&w.alice, "ParcelInfo", &[("ParcelID", &out)])
        .await;
    assert_eq!(
        bad.texts(&["Status", "Valid"]),
        ["outboxDeliveryError", "Invalid"],
        "{bad:?}"
    );
    let offset = one.len().to_string();
    assert!(
        bad.get("StatusMessage").contains(&offset),
        "the reason gives the byte offset {offset}: {bad:?}"
    );
    assert_eq!(ready, w.inbox(&w.bob, &[]).await, "nothing of it delivered");
}
on_both!(uploads_take_every_documented_form_and_refuse_bad_content: uploads_on_sqlite, uploads_on_postgres);

// ---- lists --------------------------------------------------------------------------------

async fn box_lists_filter_page_and_refuse_bad_filters(w: World) {
    for n in 1..=3 {
        w.upload(&w.alice, &format!("p{n}.x12"), &x12("ALICE", "BOB", n))
            .await;
    }
    w.upload(&w.carol, "c.x12", &x12("CAROL", "BOB", 9)).await;
    let all = w.inbox(&w.bob, &[]).await;
    assert_eq!(all.len(), 4);
    let page = |n: &'static str| [("PageNo", n), ("RecordsPerPage", "3")];
    assert_eq!(w.inbox(&w.bob, &page("1")).await, all[..3]);
    assert_eq!(w.inbox(&w.bob, &page("2")).await, all[3..]);
    let carol = w.id_carol.to_string();
    assert_eq!(
        w.inbox(&w.bob, &[("ECGridIDFrom", &carol)]).await,
        all[3..],
        "by sender"
    );
    let bob = w.id_bob.to_string();
    assert_eq!(
        w.inbox(
            &w.bob,
            &[("ECGridIDTo", &bob), ("NetworkID", "0"), ("MailboxID", "0")]
        )
        .await,
        all
    );
    let ex = w
        .records(&w.bob, "ParcelInBoxEx", &[("MailbagControlID", "")])
        .await;
    assert_eq!(ex.len(), 4, "an empty MailbagControlID filters nothing");
    let ex = w
        .records(
            &w.bob,
            "ParcelInBoxEx",
            &[("MailbagControlID", "NO-SUCH-BAG")],
        )
        .await;
    assert!(ex.is_empty(), "{ex:?}");
    let future = [("BeginDate", "2999-01-01T00:00:00Z")];
    assert!(
        w.inbox(&w.bob, &future).await.is_empty(),
        "created before BeginDate"
    );
    let ib = w
        .records(
            &w.bob,
            "InterchangeInBox",
            &[("RecordsPerPage", "2"), ("PageNo", "2")],
        )
        .await;
    assert_eq!(ib.len(), 2);
    let ob = w
        .records(&w.alice, "InterchangeOutBox", &[("ECGridIDTo", &bob)])
        .await;
    assert_eq!(ob.len(), 3);
    let listed = w
        .records(
            &w.netops,
            "ParcelInBox",
            &[("NetworkID", "100"), ("MailboxID", "201")],
        )
        .await;
    assert_eq!(listed.len(), 4, "an operator lists any mailbox");
    let network = [("NetworkID", "100"), ("MailboxID", "0")];
    let network_wide = w.inbox(&w.netops, &network).await;
    assert_eq!(
        network_wide, all,
        "MailboxID 0 with a NetworkID: all its mailboxes"
    );
    let own = w.inbox(&w.alice, &network).await;
    assert!(
        own.is_empty(),
        "a MailboxAdmin's reach is its own mailbox: {own:?}"
    );

    let lists = [
        "ParcelInBox",
        "ParcelInBoxEx",
        "ParcelInBoxArchive",
        "ParcelOutBox",
        "InterchangeInBox",
        "InterchangeOutBox",
    ];
    for op in lists {
        let f = w.fault(&w.bob, op, &[("RecordsPerPage", "501")]).await;
        assert_fault(
            &format!("{op} over 500 per page"),
            &f,
            "InvalidParameter",
            "RecordsPerPage",
        );
        let f = w
            .fault(
                &w.bob,
                op,
                &[
                    ("BeginDate", "2026-02-01T00:00:00Z"),
                    ("EndDate", "2026-01-01T00:00:00Z"),
                ],
            )
            .await;
        assert_fault(
            &format!("{op} EndDate before BeginDate"),
            &f,
            "InvalidParameter",
            "EndDate",
        );
        let f = w
            .fault(&w.bob, op, &[("NetworkID", "300"), ("MailboxID", "400")])
            .await;
        assert_fault(
            &format!("{op} of another network's mailbox"),
            &f,
            "Authorization",
            "",
        );
    }
    #[rustfmt::skip]
    let bad_status = [
        ("ParcelInBox", "Lost", "not a ParcelStatus"),
        ("ParcelInBox", "as2Receive", "a status edigrid's parcels never take"),
        ("ParcelInBox", "outboxSent", "an outbox state"),
        ("ParcelInBoxEx", "outboxDeliveryError", "an outbox state"),
        ("ParcelInBoxArchive", "InBoxReady", "not an archive state"),
        ("ParcelOutBox", "InBoxReady", "an inbox state"),
        ("ParcelOutBox", "outboxRetry", "a status edigrid's parcels never take"),
    ];
    for (op, status, what) in bad_status {
        let f = w.fault(&w.bob, op, &[("Status", status)]).await;
        assert_fault(
            &format!("{op} Status {status}: {what}"),
            &f,
            "InvalidParameter",
            "Status",
        );
    }
}
on_both!(box_lists_filter_page_and_refuse_bad_filters: lists_on_sqlite, lists_on_postgres);

// ---- one parcel, one interchange: the same fault for another's as for none -------------

async fn another_mailboxs_parcel_is_refused_as_one_that_does_not_exist(w: World) {
    w.upload(&w.carol, "c.x12", &x12("CAROL", "BOB", 5)).await;
    let carols = w.records(&w.carol, "ParcelOutBox", &[]).await;
    let theirs = carols[0].get("ParcelID").to_string();
    let ix = w.records(&w.carol, "InterchangeOutBox", &[]).await[0]
        .get("InterchangeID")
        .to_string();
    for (op, param, other) in [
        ("ParcelInfo", "ParcelID", &theirs),
        ("ParcelDownload", "ParcelID", &theirs),
        ("ParcelDownloadConfirm", "ParcelID", &theirs),
        ("ParcelResend", "ParcelID", &theirs),
        ("InterchangeInfo", "InterchangeID", &ix),
        ("InterchangeManifest", "InterchangeID", &ix),
        ("InterchangeCancel", "InterchangeID", &ix),
        ("InterchangeResend", "InterchangeID", &ix),
    ] {
        let far = w.fault(&w.alice, op, &[(param, other)]).await;
        let none = w.fault(&w.alice, op, &[(param, MISSING)]).await;
        assert_eq!(far.category, "Authorization", "{op}: {far:?}");
        let masked = |f: &Fault, id: &str| format!("{f:?}").replace(id, "N");
        assert_eq!(
            masked(&far, other),
            masked(&none, MISSING),
            "{op}: no existence oracle"
        );
    }
    let f = w
        .fault(
            &w.alice,
            "ParcelNote",
            &[("ParcelID", &theirs), ("Note", "x")],
        )
        .await;
    assert_eq!(f.category, "Authorization", "{f:?}");
    let f = w
        .fault(&w.alice, "ParcelInfo", &[("ParcelID", "abc")])
        .await;
    assert_fault(
        "ParcelInfo of a ParcelID that is no number",
        &f,
        "InvalidParameter",
        "ParcelID",
    );
}
on_both!(another_mailboxs_parcel_is_refused_as_one_that_does_not_exist: same_fault_on_sqlite, same_fault_on_postgres);

// ---- notes, resend, cancel ---------------------------------------------------------------

async fn notes_resends_and_cancels_change_what_they_say(w: World) {
    let out = w
        .upload(&w.alice, "one.x12", &x12("ALICE", "BOB", 11))
        .await;
    let first = w.inbox(&w.bob, &[]).await;
    assert_eq!(first.len(), 1);
    let noted = w
        .result(
            &w.bob,
            "ParcelNote",
            &[("ParcelID", &first[0]), ("Note", "received, thanks")],
        )
        .await;
    assert_eq!(noted, "true");
    let caller = w
        .app
        .core
        .authenticate(&w.bob, "127.0.0.1".parse().unwrap())
        .await
        .unwrap();
    let id = edigrid_domain::ParcelId(first[0].parse().unwrap());
    let notes = w.app.core.parcel_notes(&caller, id).await.unwrap();
    assert_eq!(
        notes.iter().map(|n| n.note.as_str()).collect::<Vec<_>>(),
        ["received, thanks"]
    );
    let long = "n".repeat(300);
    let f = w
        .fault(
            &w.bob,
            "ParcelNote",
            &[("ParcelID", &first[0]), ("Note", &long)],
        )
        .await;
    assert_fault("a note over 256 characters", &f, "InvalidParameter", "Note");

    // Withdrawn while ready; refused once downloaded.
    let out2 = w
        .upload(&w.alice, "two.x12", &x12("ALICE", "BOB", 12))
        .await;
    let ix2 = w.interchange_of(&w.alice, &out2).await;
    assert_eq!(w.inbox(&w.bob, &[]).await.len(), 2);
    let cancelled = w
        .result(&w.alice, "InterchangeCancel", &[("InterchangeID", &ix2)])
        .await;
    assert_eq!(cancelled, "true");
    let info = w
        .record(&w.alice, "InterchangeInfo", &[("InterchangeID", &ix2)])
        .await;
    assert_eq!(info.get("Status"), "Cancelled");
    assert_eq!(
        w.inbox(&w.bob, &[]).await,
        first,
        "withdrawn from Bob's inbox"
    );
    let f = w
        .fault(&w.alice, "InterchangeCancel", &[("InterchangeID", &ix2)])
        .await;
    assert_eq!(f.category, "InvalidParameter", "cancelled twice: {f:?}");
    let ix1 = w.interchange_of(&w.alice, &out).await;
    w.result(&w.bob, "ParcelDownload", &[("ParcelID", &first[0])])
        .await;
    let f = w
        .fault(&w.alice, "InterchangeCancel", &[("InterchangeID", &ix1)])
        .await;
    assert_eq!(
        f.category, "InvalidParameter",
        "cancel after download: {f:?}"
    );

    // Delivered again, by operators only.
    let f = w
        .fault(&w.alice, "ParcelResend", &[("ParcelID", &out)])
        .await;
    assert_fault("ParcelResend below NetOps", &f, "Authorization", "");
    let resent = w
        .result(&w.netops, "ParcelResend", &[("ParcelID", &out)])
        .await;
    assert_eq!(resent, "true");
    let again = w.inbox(&w.bob, &[]).await;
    assert_eq!(again.len(), 1, "delivered again as a new parcel: {again:?}");
    assert_ne!(again, first);
    let f = w
        .fault(&w.bob, "InterchangeResend", &[("InterchangeID", &ix1)])
        .await;
    assert_fault("InterchangeResend below NetOps", &f, "Authorization", "");
    let resent = w
        .result(&w.netops, "InterchangeResend", &[("InterchangeID", &ix1)])
        .await;
    assert_eq!(resent, "true");
    assert_eq!(w.inbox(&w.bob, &[]).await.len(), 2);
}
on_both!(notes_resends_and_cancels_change_what_they_say: lifecycle_on_sqlite, lifecycle_on_postgres);

// ---- headers ------------------------------------------------------------------------------

async fn headers_are_read_with_and_without_a_session(w: World) {
    let isa = &x12("ALICE", "BOB", 42)[..106];
    let info = w
        .record(
            &w.alice,
            "InterchangeHeaderInfo",
            &[("InterchangeHeader", isa)],
        )
        .await;
    assert_eq!(&info.names()[..8], INTERCHANGE_ID_INFO);
    assert_eq!(
        info.texts(&[
            "InterchangeID",
            "ParcelID",
            "Sender",
            "Receiver",
            "Standard",
            "Created",
            "InterchangeControlID"
        ]),
        [
            "0",
            "0",
            "ZZ:ALICE",
            "ZZ:BOB",
            "X12",
            "2026-05-07T08:00:00Z",
            "000000042"
        ]
    );
    let date = w
        .app
        .soap("InterchangeDate", &[("InterchangeHeader", isa)])
        .await;
    assert_eq!(
        date.expect_field("InterchangeDateResult"),
        "2026-05-07T08:00:00Z"
    );
    for (op, sid) in [
        ("InterchangeHeaderInfo", w.alice.as_str()),
        ("InterchangeDate", ""),
    ] {
        let reply = w
            .app
            .soap(
                op,
                &[("SessionID", sid), ("InterchangeHeader", "ISA*00*short")],
            )
            .await;
        assert_fault(
            &format!("{op} of a broken header"),
            &reply.expect_fault(),
            "InvalidParameter",
            "InterchangeHeader",
        );
    }
    let f = w
        .fault("", "InterchangeHeaderInfo", &[("InterchangeHeader", isa)])
        .await;
    assert_eq!(f.category, "Authentication", "{f:?}");
}
on_both!(headers_are_read_with_and_without_a_session: headers_on_sqlite, headers_on_postgres);

// ---- manifests of EDIFACT -------------------------------------------------------------------

/// An EDIFACT interchange of messages without groups: one manifest entry per message type.
async fn an_edifact_manifest_counts_messages_by_type(w: World) {
    let unb = "UNA:+.? 'UNB+UNOA:3+ALICE:ZZ+BOB:ZZ+260507:0800+77'";
    let messages = [(1, "ORDERS"), (2, "ORDERS"), (3, "INVOIC")]
        .map(|(n, kind)| format!("UNH+{n}+{kind}:D:96A:UN'BGM+220+PO{n}+9'UNT+3+{n}'"))
        .concat();
    let out = w
        .upload(&w.alice, "e.edi", &format!("{unb}{messages}UNZ+3+77'"))
        .await;
    let ix = w.interchange_of(&w.alice, &out).await;
    let info = w
        .record(&w.alice, "InterchangeInfo", &[("InterchangeID", &ix)])
        .await;
    assert_eq!(
        info.texts(&["Standard", "Status", "DocumentType"]),
        ["EDIFACT", "Delivered", "ORDERS"]
    );
    for sid in [&w.alice, &w.bob] {
        let manifest = w
            .records(sid, "InterchangeManifest", &[("InterchangeID", &ix)])
            .await;
        let rows: Vec<_> = manifest
            .iter()
            .map(|r| {
                r.texts(&[
                    "GroupID",
                    "TransactionSetID",
                    "TransactionCount",
                    "GroupDate",
                ])
            })
            .collect();
        assert_eq!(
            rows,
            [["", "ORDERS", "2", OPEN], ["", "INVOIC", "1", OPEN]],
            "{manifest:?}"
        );
    }
}
on_both!(an_edifact_manifest_counts_messages_by_type: edifact_manifest_on_sqlite, edifact_manifest_on_postgres);
