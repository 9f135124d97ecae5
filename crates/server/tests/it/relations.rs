//! Carbon copies and interconnects (SPEC-VAN 16, 20; issue 14, acceptance 3 and 4) in the
//! deployed dialect, raw SOAP 1.1 envelopes against a real server, on SQLite and PostgreSQL.
//!
//! The world: network 100 with mailbox 200 (`sender`, MailboxAdmin, ZZ:CCSENDER), 201
//! (`receiver`, MailboxUser, ZZ:CCBUYER) and 202 (`auditor`, MailboxUser, ZZ:AUDITOR and
//! ZZ:AUDITFROM); `netadmin` (NetworkAdmin of 100) and `techops`; network 300 with mailbox
//! 400 (`faradmin`, MailboxAdmin, ZZ:FARPARTNER).

use edigrid_core::RequireInterconnect;
use edigrid_domain::AuthLevel;
use edigrid_testkit::{
    DEPLOYED_NS as DEP, Fault, SoapReply, TestApp, fresh_postgres_url, spawn_app, spawn_app_with,
};

use crate::support::deployed::Elem;

// ---- base64 (the test binary has no crate for it) ---------------------------------------------

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let mut n = 0u32;
        for (i, b) in chunk.iter().enumerate() {
            n |= u32::from(*b) << (16 - 8 * i);
        }
        for i in 0..4 {
            let c = if i <= chunk.len() {
                ALPHABET[(n >> (18 - 6 * i) & 63) as usize]
            } else {
                b'='
            };
            out.push(c as char);
        }
    }
    out
}

fn decode(text: &str) -> Vec<u8> {
    let (mut out, mut n, mut bits) = (Vec::new(), 0u32, 0);
    for c in text
        .bytes()
        .filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
    {
        n = n << 6 | ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((n >> bits & 0xFF) as u8);
        }
    }
    out
}

/// The copy of `x12("CCSENDER", "CCBUYER", ..)` the rule makes: the interchange envelope
/// (ISA05–08) names the copy's pair; groups keep their application IDs.
fn copied(control: u32, set: &str) -> String {
    x12("CCSENDER", "CCBUYER", control, set).replacen(
        "ZZ*CCSENDER       *ZZ*CCBUYER        ",
        "ZZ*AUDITFROM      *ZZ*AUDITOR        ",
        1,
    )
}

/// One X12 interchange from `sender` to `receiver` holding one transaction of `set`.
pub(crate) fn x12(sender: &str, receiver: &str, control: u32, set: &str) -> String {
    let c = format!("{control:09}");
    format!(
        "ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*260101*1200*U*00401*{c}*0*P*>~\
         GS*PO*{sender}*{receiver}*20260101*1200*{control}*X*004010~ST*{set}*0001~BEG*00*SA*PO1**20260101~\
         SE*3*0001~GE*1*{control}~IEA*1*{c}~"
    )
}

// ---- the world --------------------------------------------------------------------------------

struct World {
    app: TestApp,
    sender: String,
    receiver: String,
    auditor: String,
    far: String,
    net: String,
    ops: String,
    a: String,
    b: String,
    audit: String,
    audit_from: String,
    f: String,
}

impl World {
    async fn new(app: TestApp) -> World {
        app.directory()
            .user("sender", AuthLevel::MailboxAdmin, 100, 200)
            .user("receiver", AuthLevel::MailboxUser, 100, 201)
            .user("auditor", AuthLevel::MailboxUser, 100, 202)
            .user("netadmin", AuthLevel::NetworkAdmin, 100, 200)
            .user("techops", AuthLevel::TechOps, 100, 200)
            .user("faradmin", AuthLevel::MailboxAdmin, 300, 400)
            .build()
            .await;
        let a = app.add_partner(100, 200, "ZZ", "CCSENDER", "A").await.0;
        let b = app.add_partner(100, 201, "ZZ", "CCBUYER", "B").await.0;
        let audit = app.add_partner(100, 202, "ZZ", "AUDITOR", "audit").await.0;
        let audit_from = app.add_partner(100, 202, "ZZ", "AUDITFROM", "as").await.0;
        let f = app.add_partner(300, 400, "ZZ", "FARPARTNER", "far").await.0;
        let mut w = World {
            sender: String::new(),
            receiver: String::new(),
            auditor: String::new(),
            far: String::new(),
            net: String::new(),
            ops: String::new(),
            a: a.to_string(),
            b: b.to_string(),
            audit: audit.to_string(),
            audit_from: audit_from.to_string(),
            f: f.to_string(),
            app,
        };
        w.sender = w.login("sender").await;
        w.receiver = w.login("receiver").await;
        w.auditor = w.login("auditor").await;
        w.far = w.login("faradmin").await;
        w.net = w.login("netadmin").await;
        w.ops = w.login("techops").await;
        w
    }

    async fn login(&self, login: &str) -> String {
        let params = [
            ("LoginName", login),
            ("Password", edigrid_testkit::TEST_PASSWORD),
        ];
        self.app
            .soap_ok_in(DEP, "Login", &params)
            .await
            .expect_field("LoginResult")
    }

    async fn reply(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
        let mut all = vec![("SessionID", sid)];
        all.extend_from_slice(params);
        self.app.soap_in(DEP, op, &all).await
    }

    async fn ok(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> Elem {
        let reply = self.reply(sid, op, params).await;
        assert!(
            reply.status == 200 && reply.fault().is_none(),
            "{op} {params:?}: {}",
            reply.body
        );
        let doc = roxmltree::Document::parse(&reply.body).unwrap();
        let result = doc
            .descendants()
            .find(|n| n.has_tag_name((DEP, format!("{op}Result").as_str())))
            .unwrap_or_else(|| panic!("{op}: no result in {}", reply.body));
        Elem::of(result)
    }

    async fn no(
        &self,
        sid: &str,
        op: &str,
        params: &[(&str, &str)],
        category: &str,
        item: &str,
    ) -> Fault {
        let f = self.reply(sid, op, params).await.expect_fault();
        let want: &str = if item.is_empty() { &f.item } else { item };
        assert_eq!(
            (f.category.as_str(), f.item.as_str()),
            (category, want),
            "{op} {params:?}: {f:?}"
        );
        f
    }

    /// Uploads `content` from the session's mailbox; the outbound ParcelID.
    async fn upload(&self, sid: &str, content: &str) -> String {
        let encoded = encode(content.as_bytes());
        let params = [("FileName", "cc.x12"), ("ContentBase64", encoded.as_str())];
        self.ok(sid, "ParcelUploadA", &params).await.text
    }

    /// The contents of the session's inbox parcels, oldest first.
    async fn inbox(&self, sid: &str) -> Vec<String> {
        let col = self.ok(sid, "ParcelInBox", &[]).await;
        let ids: Vec<String> = col
            .find("ParcelIDInfoList")
            .map_or(Vec::new(), |l| l.column("ParcelID"));
        let mut out = Vec::new();
        for id in ids {
            let file = self
                .ok(sid, "ParcelDownloadNoUpdateA", &[("ParcelID", &id)])
                .await;
            out.push(String::from_utf8(decode(file.text_of("ContentBase64String"))).unwrap());
        }
        out
    }

    /// The outbound parcel's status and its manifest's messages.
    async fn outcome(&self, sid: &str, parcel: &str) -> (String, String) {
        let info = self.ok(sid, "ParcelInfo", &[("ParcelID", parcel)]).await;
        let manifest = self
            .ok(sid, "ParcelManifest", &[("ParcelID", parcel)])
            .await;
        let messages = manifest
            .children
            .iter()
            .map(|e| format!("{} {}", e.text_of("StatusCode"), e.text_of("StatusMessage")))
            .collect::<Vec<_>>()
            .join("\n");
        (info.text_of("StatusCode").to_string(), messages)
    }

    async fn interconnect(&self, sid: &str, one: &str, two: &str, preconfirm: bool) -> Elem {
        let params = [
            ("ECGridID1", one),
            ("ECGridID2", two),
            ("Reference", "PO flow"),
            ("ContactName", "Ada"),
            ("ContactEMail", "ada@example.com"),
            ("NotifyContact", "false"),
            ("Preconfirm", if preconfirm { "true" } else { "false" }),
            ("Note", ""),
        ];
        self.ok(sid, "InterconnectAdd", &params).await
    }
}

macro_rules! on_both_backends {
    ($($scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            #[tokio::test]
            async fn on_sqlite() {
                let app = super::spawn_app().await;
                super::$scenario(super::World::new(app).await).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(url) = super::fresh_postgres_url().await else {
                    eprintln!("skipped: EDIGRID_TEST_DATABASE_URL is not set");
                    return;
                };
                let app = super::spawn_app_with(|s| s.database = url).await;
                super::$scenario(super::World::new(app).await).await;
            }
        }
    )+};
}

on_both_backends!(
    carbon_copies_reach_the_auditor_rewritten,
    carbon_copy_refusals_change_nothing,
    interconnects_open_the_route_between_networks,
    interconnect_refusals_change_nothing,
);

/// A refused call: session, parameters, fault category and item.
type Case<'a> = (&'a str, Vec<(&'static str, String)>, &'a str, &'a str);

// ---- carbon copies ----------------------------------------------------------------------------

async fn carbon_copies_reach_the_auditor_rewritten(w: World) {
    let rule = [
        ("ECGridIDFrom", w.a.as_str()),
        ("ECGridIDTo", w.b.as_str()),
        ("ECGridIDCCFrom", w.audit_from.as_str()),
        ("ECGridIDCCTo", w.audit.as_str()),
        ("GSFrom", ""),
        ("GSTo", ""),
        ("TransactionSet", "850"),
    ];
    // The copy mailbox must be one the caller may read: the network admin sets the rule.
    let id = w.ok(&w.net, "CarbonCopyAdd", &rule).await.text;
    let info = w
        .ok(&w.auditor, "CarbonCopyInfo", &[("CarbonCopyID", &id)])
        .await;
    assert_eq!(
        info.texts(&[
            "CarbonCopyID",
            "NetworkID",
            "MailboxID",
            "Status",
            "TransactionSet"
        ]),
        [id.as_str(), "100", "200", "Active", "850"]
    );
    assert_eq!(info.get("OriginalFrom").text_of("ECGridID"), w.a);
    assert_eq!(info.get("CCTo").text_of("ID"), "AUDITOR");

    // Two 850s and an 810 to B; a 850 from A to the auditor's own ID (not the rule's pair).
    let parcel = [
        x12("CCSENDER", "CCBUYER", 1, "850"),
        x12("CCSENDER", "CCBUYER", 2, "810"),
        x12("CCSENDER", "CCBUYER", 3, "850"),
    ]
    .concat();
    let out = w.upload(&w.sender, &parcel).await;
    assert_eq!(
        w.inbox(&w.receiver).await,
        vec![parcel.clone()],
        "the delivery is untouched"
    );
    let copies = w.inbox(&w.auditor).await;
    assert_eq!(copies.len(), 1, "one copy parcel: {copies:?}");
    let want = [copied(1, "850"), copied(3, "850")].concat();
    assert_eq!(
        copies[0], want,
        "the matching interchanges, envelope rewritten"
    );
    let (status, manifest) = w.outcome(&w.sender, &out).await;
    assert_eq!(status, "outboxSent");
    assert_eq!(
        manifest
            .matches(&format!("by carbon copy rule {id}"))
            .count(),
        2,
        "{manifest}"
    );

    // Suspended: no copy; active again: copies again; terminated: final.
    let of = [("CarbonCopyID", id.as_str())];
    assert_eq!(w.ok(&w.sender, "CarbonCopySuspend", &of).await.text, "true");
    w.upload(&w.sender, &x12("CCSENDER", "CCBUYER", 4, "850"))
        .await;
    assert_eq!(
        w.inbox(&w.auditor).await.len(),
        1,
        "a suspended rule copies nothing"
    );
    w.no(
        &w.sender,
        "CarbonCopySuspend",
        &of,
        "InvalidParameter",
        "CarbonCopyID",
    )
    .await;
    assert_eq!(
        w.ok(&w.sender, "CarbonCopyActivate", &of).await.text,
        "true"
    );
    w.upload(&w.sender, &x12("CCSENDER", "CCBUYER", 5, "850"))
        .await;
    let copies = w.inbox(&w.auditor).await;
    assert_eq!(copies.len(), 2);
    assert_eq!(copies[1], copied(5, "850"));

    // Lists: the sender's network sees it; the auditor (copy mailbox) too; ShowInactive.
    let list = |from: &str| {
        vec![
            ("ECGridIDFrom", from.to_string()),
            ("ECGridIDTo", "0".to_string()),
            ("ShowInactive", "false".to_string()),
        ]
    };
    let params = list(&w.a);
    let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        w.ok(&w.net, "CarbonCopyList", &p)
            .await
            .column("CarbonCopyID"),
        vec![id.clone()]
    );
    assert_eq!(
        w.ok(&w.auditor, "CarbonCopyList", &p)
            .await
            .column("CarbonCopyID"),
        vec![id.clone()]
    );
    let ex = [
        ("NetworkID", "100"),
        ("MailboxID", "202"),
        ("ECGridIDFrom", "0"),
        ("ECGridIDTo", "0"),
        ("ShowInactive", "false"),
    ];
    assert_eq!(
        w.ok(&w.ops, "CarbonCopyListEx", &ex)
            .await
            .column("CarbonCopyID"),
        vec![id.clone()]
    );
    assert!(
        w.ok(
            &w.far,
            "CarbonCopyListEx",
            &[
                ("NetworkID", "0"),
                ("MailboxID", "0"),
                ("ECGridIDFrom", "0"),
                ("ECGridIDTo", "0"),
                ("ShowInactive", "true")
            ]
        )
        .await
        .children
        .is_empty()
    );

    assert_eq!(
        w.ok(&w.sender, "CarbonCopyTerminate", &of).await.text,
        "true"
    );
    w.no(
        &w.sender,
        "CarbonCopyActivate",
        &of,
        "InvalidParameter",
        "CarbonCopyID",
    )
    .await;
    assert!(
        w.ok(&w.net, "CarbonCopyList", &p).await.children.is_empty(),
        "inactive hidden"
    );
    let mut all = ex.to_vec();
    all[4] = ("ShowInactive", "true");
    let shown = w.ok(&w.ops, "CarbonCopyListEx", &all).await;
    assert_eq!(shown.children[0].text_of("Status"), "Terminated");
    w.upload(&w.sender, &x12("CCSENDER", "CCBUYER", 6, "850"))
        .await;
    assert_eq!(
        w.inbox(&w.auditor).await.len(),
        2,
        "a terminated rule copies nothing"
    );
}

async fn carbon_copy_refusals_change_nothing(w: World) {
    let rule = |from: &str, cc_to: &str| {
        vec![
            ("ECGridIDFrom", from.to_string()),
            ("ECGridIDTo", "0".to_string()),
            ("ECGridIDCCFrom", "0".to_string()),
            ("ECGridIDCCTo", cc_to.to_string()),
            ("TransactionSet", String::new()),
        ]
    };
    let call = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, s)| (*k, s.clone())).collect::<Vec<_>>()
    };
    let with_cc_from = |mut v: Vec<(&'static str, String)>, cc_from: &str| {
        v[2].1 = cc_from.to_string();
        v
    };
    let cases: Vec<Case> = vec![
        // The receiver manages no ID of mailbox 200.
        (
            &w.receiver,
            with_cc_from(rule(&w.a, &w.audit), &w.a),
            "Authorization",
            "",
        ),
        // Unknown IDs: out of reach for a mailbox admin, not found for operators.
        (
            &w.sender,
            with_cc_from(rule("987654", &w.audit), &w.a),
            "Authorization",
            "",
        ),
        (
            &w.ops,
            with_cc_from(rule("987654", &w.audit), &w.a),
            "ObjectNotFound",
            "ECGridIDFrom",
        ),
        (
            &w.ops,
            with_cc_from(rule(&w.a, &w.audit), "987654"),
            "ObjectNotFound",
            "ECGridIDCCFrom",
        ),
        (
            &w.ops,
            with_cc_from(rule(&w.a, "987654"), &w.a),
            "ObjectNotFound",
            "ECGridIDCCTo",
        ),
        // No copy sender named.
        (
            &w.sender,
            rule(&w.a, &w.a),
            "InvalidParameter",
            "ECGridIDCCFrom",
        ),
        // The copy mailbox must be one the caller may read.
        (
            &w.sender,
            with_cc_from(rule(&w.a, &w.audit), &w.a),
            "Authorization",
            "",
        ),
        (
            &w.far,
            with_cc_from(rule(&w.f, &w.audit), &w.f),
            "Authorization",
            "",
        ),
    ];
    for (sid, params, category, item) in &cases {
        let p = call(params);
        let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        w.no(sid, "CarbonCopyAdd", &p, category, item).await;
    }
    let ex = [
        ("NetworkID", "100"),
        ("MailboxID", "201"),
        ("ECGridIDFrom", w.a.as_str()),
        ("ECGridIDTo", "0"),
        ("ECGridIDCCFrom", w.a.as_str()),
        ("ECGridIDCCTo", w.b.as_str()),
    ];
    w.no(
        &w.net,
        "CarbonCopyAddEx",
        &ex,
        "InvalidParameter",
        "MailboxID",
    )
    .await;
    let all = [
        ("NetworkID", "0"),
        ("MailboxID", "0"),
        ("ECGridIDFrom", "0"),
        ("ECGridIDTo", "0"),
        ("ShowInactive", "true"),
    ];
    assert!(
        w.ok(&w.ops, "CarbonCopyListEx", &all)
            .await
            .children
            .is_empty(),
        "no rule was stored"
    );

    // A rule the caller may not read, and one that does not exist.
    let mut good = ex.to_vec();
    good[1] = ("MailboxID", "200");
    let id = w.ok(&w.net, "CarbonCopyAddEx", &good).await.text;
    let of = [("CarbonCopyID", id.as_str())];
    w.no(&w.far, "CarbonCopyInfo", &of, "Authorization", "")
        .await;
    w.no(&w.far, "CarbonCopySuspend", &of, "Authorization", "")
        .await;
    w.no(&w.receiver, "CarbonCopySuspend", &of, "Authorization", "")
        .await;
    w.no(
        &w.far,
        "CarbonCopyInfo",
        &[("CarbonCopyID", "999999")],
        "Authorization",
        "",
    )
    .await;
    w.no(
        &w.ops,
        "CarbonCopyInfo",
        &[("CarbonCopyID", "999999")],
        "ObjectNotFound",
        "CarbonCopyID",
    )
    .await;
    w.no(
        &w.ops,
        "CarbonCopyActivate",
        &of,
        "InvalidParameter",
        "CarbonCopyID",
    )
    .await;
    let info = w.ok(&w.ops, "CarbonCopyInfo", &of).await;
    assert_eq!(info.text_of("Status"), "Active", "refusals changed nothing");
    let foreign = [
        ("NetworkID", "300"),
        ("MailboxID", "0"),
        ("ECGridIDFrom", "0"),
        ("ECGridIDTo", "0"),
        ("ShowInactive", "true"),
    ];
    w.no(&w.net, "CarbonCopyListEx", &foreign, "Authorization", "")
        .await;
}

// ---- interconnects ----------------------------------------------------------------------------

async fn interconnects_open_the_route_between_networks(w: World) {
    // Cross-network traffic is refused, with a reason the sender reads, until accepted.
    let to_far = x12("CCSENDER", "FARPARTNER", 10, "850");
    let out = w.upload(&w.sender, &to_far).await;
    let (status, manifest) = w.outcome(&w.sender, &out).await;
    assert_eq!(status, "outboxDeliveryError");
    assert!(
        manifest.contains("NoRoute") && manifest.contains("no completed interconnect"),
        "{manifest}"
    );
    assert!(
        manifest.contains(&format!("ECGridID {}", w.f)),
        "{manifest}"
    );
    let no_route = w
        .ok(
            &w.sender,
            "InterchangeOutBoxNoRoute",
            &[
                ("BeginDate", "0001-01-01T00:00:00"),
                ("EndDate", "0001-01-01T00:00:00"),
                ("ECGridIDFrom", "0"),
                ("ECGridIDTo", "0"),
            ],
        )
        .await;
    assert_eq!(
        no_route.column("InterchangeControlID"),
        ["000000010"],
        "listed as no route"
    );
    assert!(w.inbox(&w.far).await.is_empty());

    let asked = w.interconnect(&w.sender, &w.a, &w.f, true).await;
    assert_eq!(
        asked.text_of("Status"),
        "Pending",
        "preconfirm needs the partner's side too"
    );
    let ic = asked.text_of("InterconnectID").to_string();
    let guid = asked.text_of("UniqueID").to_string();
    assert_eq!(asked.get("TP1").text_of("ECGridID"), w.a);
    assert_eq!(asked.get("TP2").text_of("ECGridID"), w.f);
    w.upload(&w.sender, &x12("CCSENDER", "FARPARTNER", 11, "850"))
        .await;
    assert!(w.inbox(&w.far).await.is_empty(), "pending routes nothing");

    // The partner's side accepts by asking for the same pair back.
    let accepted = w.interconnect(&w.far, &w.f, &w.a, false).await;
    assert_eq!(
        (
            accepted.text_of("InterconnectID"),
            accepted.text_of("Status")
        ),
        (ic.as_str(), "Completed")
    );
    let by_guid = w
        .ok(&w.far, "InterconnectInfoGUID", &[("UniqueID", &guid)])
        .await;
    assert_eq!(by_guid.text_of("InterconnectID"), ic);
    assert_ne!(by_guid.text_of("Completed"), "0001-01-01T00:00:00");
    let later = x12("CCSENDER", "FARPARTNER", 12, "850");
    let out = w.upload(&w.sender, &later).await;
    assert_eq!(w.outcome(&w.sender, &out).await.0, "outboxSent");
    assert_eq!(w.inbox(&w.far).await, [later], "routes once accepted");
    let back = x12("FARPARTNER", "CCSENDER", 13, "855");
    w.upload(&w.far, &back).await;
    assert_eq!(w.inbox(&w.sender).await, [back], "both ways");

    // Notes, lists and counts.
    let note = [
        ("InterconnectID", ic.as_str()),
        ("AuthLevel", "MailboxAdmin"),
        ("Note", "test file ok"),
        ("AttachmentName", "t.txt"),
        ("AttachmentContent", "aGk="),
        ("EMailTo", "NoEMail"),
        ("OtherEMailAddress", ""),
    ];
    assert_eq!(w.ok(&w.far, "InterconnectNote", &note).await.text, "true");
    let notes = w
        .ok(
            &w.sender,
            "InterconnectNoteList",
            &[("InterconnectID", &ic)],
        )
        .await;
    assert_eq!(
        notes.column("Status"),
        ["Pending", "Completed", "Completed"]
    );
    assert_eq!(notes.children[2].text_of("Note"), "test file ok");
    assert_eq!(
        decode(notes.children[2].get("Attachment").text_of("Content")),
        b"hi"
    );
    let by_id = w
        .ok(
            &w.sender,
            "InterconnectListByECGridID",
            &[("ECGridID1", &w.a), ("ECGridID2", "0")],
        )
        .await;
    assert_eq!(by_id.column("InterconnectID"), vec![ic.clone()]);
    let pair = w
        .ok(
            &w.far,
            "InterconnectListByECGridID",
            &[("ECGridID1", &w.a), ("ECGridID2", &w.f)],
        )
        .await;
    assert_eq!(pair.column("InterconnectID"), vec![ic.clone()]);
    let status = |s: &'static str| [("Status", s), ("ECGridID", "0"), ("MaxDays", "0")];
    assert_eq!(
        w.ok(&w.net, "InterconnectListByStatus", &status("Completed"))
            .await
            .column("InterconnectID"),
        vec![ic.clone()]
    );
    assert!(
        w.ok(&w.net, "InterconnectListByStatus", &status("Pending"))
            .await
            .children
            .is_empty()
    );
    let ex = [
        ("NetworkID", "300"),
        ("MailboxID", "0"),
        ("IntStatus", "NoStatusChange"),
        ("ECGridID", "0"),
        ("MaxDays", "30"),
    ];
    assert_eq!(
        w.ok(&w.ops, "InterconnectListByStatusEx", &ex)
            .await
            .column("InterconnectID"),
        vec![ic.clone()]
    );
    let count = w
        .reply(&w.sender, "InterconnectCount", &[("MaxDays", "0")])
        .await;
    assert!(
        count
            .body
            .contains("<Status>Completed</Status><Count>1</Count>"),
        "{}",
        count.body
    );
    let count = w
        .reply(
            &w.ops,
            "InterconnectCountEx",
            &[
                ("NetworkID", "0"),
                ("MailboxID", "0"),
                ("ECGridID", &w.f),
                ("MaxDays", "0"),
            ],
        )
        .await;
    assert!(count.body.contains("<Count>1</Count>"), "{}", count.body);

    // Either side cancels: the route closes again.
    let cancel = [
        ("InterconnectID", ic.as_str()),
        ("Note", "contract ended"),
        ("EMailTo", "NoEMail"),
        ("OtherEMailAddress", ""),
    ];
    assert_eq!(
        w.ok(&w.sender, "InterconnectCancel", &cancel).await.text,
        "true"
    );
    let out = w
        .upload(&w.sender, &x12("CCSENDER", "FARPARTNER", 14, "850"))
        .await;
    assert_eq!(w.outcome(&w.sender, &out).await.0, "outboxDeliveryError");
    assert_eq!(
        w.inbox(&w.far).await.len(),
        1,
        "nothing new after the cancel"
    );
    let info = w
        .ok(&w.far, "InterconnectInfo", &[("InterconnectID", &ic)])
        .await;
    assert_eq!(info.text_of("Status"), "Canceled");

    // Same-network traffic never needed one.
    w.upload(&w.sender, &x12("CCSENDER", "CCBUYER", 15, "850"))
        .await;
    assert_eq!(w.inbox(&w.receiver).await.len(), 1);

    // A partner registered for another VAN: reached only through an interconnect, which a
    // caller managing both sides completes at once.
    let van = w
        .ok(
            &w.ops,
            "TPAddVAN",
            &[
                ("NetworkID", "100"),
                ("Qualifier", "ZZ"),
                ("ID", "VANPARTNER"),
                ("Description", "van"),
            ],
        )
        .await
        .text;
    let out = w
        .upload(&w.sender, &x12("CCSENDER", "VANPARTNER", 16, "850"))
        .await;
    let (status, manifest) = w.outcome(&w.sender, &out).await;
    assert_eq!(status, "outboxDeliveryError");
    assert!(manifest.contains("another VAN"), "{manifest}");
    let done = w.interconnect(&w.net, &w.a, &van, true).await;
    assert_eq!(done.text_of("Status"), "Completed");
    let out = w
        .upload(&w.sender, &x12("CCSENDER", "VANPARTNER", 17, "850"))
        .await;
    assert_eq!(w.outcome(&w.sender, &out).await.0, "outboxSent");
}

async fn interconnect_refusals_change_nothing(w: World) {
    let add = |one: &str, two: &str| {
        vec![
            ("ECGridID1", one.to_string()),
            ("ECGridID2", two.to_string()),
            ("NotifyContact", "false".into()),
            ("Preconfirm", "false".into()),
        ]
    };
    let cases: Vec<Case> = vec![
        (&w.receiver, add(&w.a, &w.f), "Authorization", ""),
        (&w.receiver, add(&w.b, &w.f), "Authorization", ""),
        (&w.sender, add("987654", &w.f), "Authorization", ""),
        (&w.ops, add("987654", &w.f), "ObjectNotFound", "ECGridID1"),
        (
            &w.sender,
            add(&w.a, "987654"),
            "ObjectNotFound",
            "ECGridID2",
        ),
        (&w.sender, add(&w.a, &w.a), "InvalidParameter", "ECGridID2"),
    ];
    for (sid, params, category, item) in &cases {
        let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        w.no(sid, "InterconnectAdd", &p, category, item).await;
    }
    let ex = [
        ("NetworkID", "0"),
        ("MailboxID", "0"),
        ("IntStatus", "NoStatusChange"),
        ("ECGridID", "0"),
        ("MaxDays", "0"),
    ];
    assert!(
        w.ok(&w.ops, "InterconnectListByStatusEx", &ex)
            .await
            .children
            .is_empty(),
        "nothing stored"
    );

    let ic = w
        .interconnect(&w.sender, &w.a, &w.f, false)
        .await
        .text_of("InterconnectID")
        .to_string();
    let p = add(&w.a, &w.f);
    let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.no(
        &w.sender,
        "InterconnectAdd",
        &p,
        "InvalidParameter",
        "ECGridID2",
    )
    .await;
    let of = [("InterconnectID", ic.as_str())];
    w.no(&w.receiver, "InterconnectInfo", &of, "Authorization", "")
        .await;
    w.no(
        &w.ops,
        "InterconnectInfo",
        &[("InterconnectID", "999999")],
        "ObjectNotFound",
        "InterconnectID",
    )
    .await;
    w.no(
        &w.far,
        "InterconnectInfoGUID",
        &[("UniqueID", "not-a-guid")],
        "Authorization",
        "",
    )
    .await;
    let cancel = [("InterconnectID", ic.as_str()), ("EMailTo", "NoEMail")];
    w.no(
        &w.auditor,
        "InterconnectCancel",
        &cancel,
        "Authorization",
        "",
    )
    .await;
    let note = [
        ("InterconnectID", ic.as_str()),
        ("AuthLevel", "MailboxUser"),
        ("Note", ""),
        ("EMailTo", "NoEMail"),
    ];
    w.no(
        &w.sender,
        "InterconnectNote",
        &note,
        "InvalidParameter",
        "Note",
    )
    .await;
    w.no(
        &w.receiver,
        "InterconnectNoteList",
        &of,
        "Authorization",
        "",
    )
    .await;
    w.no(
        &w.sender,
        "InterconnectListByECGridID",
        &[("ECGridID1", "0"), ("ECGridID2", "0")],
        "InvalidParameter",
        "ECGridID1",
    )
    .await;
    w.no(
        &w.net,
        "InterconnectListByStatusEx",
        &[
            ("NetworkID", "300"),
            ("MailboxID", "0"),
            ("IntStatus", "Pending"),
            ("ECGridID", "0"),
            ("MaxDays", "0"),
        ],
        "Authorization",
        "",
    )
    .await;
    let info = w.ok(&w.far, "InterconnectInfo", &of).await;
    assert_eq!(
        info.text_of("Status"),
        "Pending",
        "refusals changed nothing"
    );
    assert_eq!(
        w.ok(&w.far, "InterconnectNoteList", &of)
            .await
            .children
            .len(),
        1
    );

    assert_eq!(
        w.ok(&w.far, "InterconnectCancel", &cancel).await.text,
        "true"
    );
    w.no(
        &w.sender,
        "InterconnectCancel",
        &cancel,
        "InvalidParameter",
        "InterconnectID",
    )
    .await;
}

// ---- require_interconnect ---------------------------------------------------------------------

#[tokio::test]
async fn never_routes_between_networks_without_one() {
    let app = spawn_app_with(|s| s.require_interconnect = RequireInterconnect::Never).await;
    let w = World::new(app).await;
    let to_far = x12("CCSENDER", "FARPARTNER", 20, "850");
    let out = w.upload(&w.sender, &to_far).await;
    assert_eq!(w.outcome(&w.sender, &out).await.0, "outboxSent");
    assert_eq!(w.inbox(&w.far).await, [to_far]);
    // VAN IDs still need one.
    w.ok(
        &w.ops,
        "TPAddVAN",
        &[
            ("NetworkID", "300"),
            ("Qualifier", "ZZ"),
            ("ID", "VANPARTNER"),
            ("Description", "van"),
        ],
    )
    .await;
    let out = w
        .upload(&w.sender, &x12("CCSENDER", "VANPARTNER", 21, "850"))
        .await;
    assert_eq!(w.outcome(&w.sender, &out).await.0, "outboxDeliveryError");
}

#[tokio::test]
async fn always_needs_one_inside_a_network_too() {
    let app = spawn_app_with(|s| s.require_interconnect = RequireInterconnect::Always).await;
    let w = World::new(app).await;
    let inside = x12("CCSENDER", "CCBUYER", 30, "850");
    let out = w.upload(&w.sender, &inside).await;
    let (status, manifest) = w.outcome(&w.sender, &out).await;
    assert_eq!(status, "outboxDeliveryError");
    assert!(
        manifest.contains("every route needs an interconnect"),
        "{manifest}"
    );
    let done = w.interconnect(&w.net, &w.a, &w.b, true).await;
    assert_eq!(
        done.text_of("Status"),
        "Completed",
        "netadmin manages both sides"
    );
    let out = w.upload(&w.sender, &inside).await;
    assert_eq!(w.outcome(&w.sender, &out).await.0, "outboxSent");
    assert_eq!(w.inbox(&w.receiver).await, [inside]);
}
