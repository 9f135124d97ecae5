//! Parcels and interchanges in the deployed v4.1 dialect (SPEC-VAN 15–19): every `Parcel*`
//! and `Interchange*` operation of the deployed WSDL that edigrid serves, raw envelopes over
//! SOAP 1.1, each answered and refused at least once, on SQLite and on PostgreSQL.
//!
//! The world: network 100 with mailbox 200 (`sender`, MailboxUser, who owns ZZ:PARCELSA) and
//! mailbox 201 (`receiver`, MailboxUser, ZZ:PARCELSB); `netadmin` (NetworkAdmin of 100) and
//! `techops` (TechOps); network 300 with mailbox 400 (`faruser`, ZZ:FARAWAY). The parcels
//! uploaded are `tests/data/parcels/three_*.edi`: three interchanges from PARCELSA, two to
//! PARCELSB and one to NOBODYHERE, which no ID has.

use edigrid_domain::AuthLevel;
use edigrid_testkit::{
    DEPLOYED_NS as DEP, Fault, SoapReply, TestApp, fresh_postgres_url, spawn_app, spawn_app_with,
};

use crate::support::deployed::Elem;

const X12: &str = include_str!("../../../../tests/data/parcels/three_x12.edi");
const EDIFACT: &str = include_str!("../../../../tests/data/parcels/three_edifact.edi");
/// ASP.NET's unset date: an open end of a date range.
const OPEN: &str = "0001-01-01T00:00:00";
const MISSING: &str = "987654321";

/// `ParcelIDInfo` as lists write it: every field in WSDL order but `Acknowledgment`,
/// `Interchanges` and `Log`.
const PARCEL_ID_INFO: [&str; 22] = [
    "ParcelBytes",
    "ParcelDate",
    "ActualBytes",
    "NetworkIDFrom",
    "NetworkNameFrom",
    "MailboxIDFrom",
    "MailboxNameFrom",
    "NetworkIDTo",
    "NetworkNameTo",
    "MailboxIDTo",
    "MailboxNameTo",
    "FileName",
    "MailbagControlID",
    "ArchiveDate",
    "StatusDate",
    "StatusCode",
    "StatusMessage",
    "LocalStatus",
    "LocalStatusDate",
    "Valid",
    "Direction",
    "ParcelID",
];
/// `InterchangeIDInfo` of a delivered interchange in a list (no `Parcels`).
const INTERCHANGE_ID_INFO: [&str; 18] = [
    "InterchangeID",
    "InterchangeProcessDate",
    "NetworkIDFrom",
    "MailboxIDFrom",
    "NetworkIDTo",
    "MailboxIDTo",
    "Standard",
    "Bytes",
    "InterchangeControlID",
    "InterchangeDateTime",
    "ArchiveDate",
    "StatusDate",
    "StatusCode",
    "StatusMessage",
    "DocumentType",
    "Header",
    "TPFrom",
    "TPTo",
];
const COLLECTION: [&str; 5] = [
    "PageSize",
    "PageNumber",
    "Count",
    "TotalRecords",
    "TotalPages",
];

/// Lists that name a box (`NetworkID`, `MailboxID`).
const EX_LISTS: [&str; 22] = [
    "ParcelInBoxEx",
    "ParcelInBoxExShort",
    "ParcelInBoxArchiveEx",
    "ParcelInBoxArchiveExShort",
    "ParcelInBoxArchiveDescEx",
    "ParcelOutBoxArchiveEx",
    "ParcelOutBoxArchiveExShort",
    "ParcelOutBoxArchiveDescEx",
    "ParcelOutBoxErrorEx",
    "ParcelOutBoxInProcessEx",
    "ParcelFindMailbagControlID",
    "ParcelFindMailbagControlIDTo",
    "InterchangeInBoxEx",
    "InterchangeInBoxArchiveEx",
    "InterchangeOutBoxEx",
    "InterchangeOutBoxArchiveEx",
    "InterchangeOutBoxArchiveExNoParcel",
    "InterchangeOutBoxPendingEx",
    "InterchangeInBoxPendingEx",
    "InterchangeInBoxBlockedEx",
    "InterchangeOutBoxBlockedEx",
    "InterchangeOutBoxNoRouteEx",
];
/// The session's own lists that take `BeginDate` and `EndDate`.
const DATED_LISTS: [&str; 10] = [
    "ParcelInBoxArchive",
    "ParcelOutBoxArchive",
    "ParcelOutBoxError",
    "InterchangeInBox",
    "InterchangeOutBox",
    "InterchangeInBoxArchive",
    "InterchangeOutBoxArchive",
    "InterchangeInBoxBlocked",
    "InterchangeOutBoxBlocked",
    "InterchangeOutBoxNoRoute",
];
/// The session's own lists without dates.
const UNDATED_LISTS: [&str; 4] = [
    "ParcelInBox",
    "ParcelOutBoxInProcess",
    "InterchangeInBoxPending",
    "InterchangeOutBoxPending",
];

// ---- base64, which the test binary has no crate for -------------------------------------------

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unb64(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut n, mut bits) = (0u32, 0);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let v = B64.iter().position(|b| *b == c).expect("base64") as u32;
        n = n << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((n >> bits & 0xFF) as u8);
        }
    }
    out
}

// ---- the world --------------------------------------------------------------------------------

struct World {
    app: TestApp,
    /// Sessions of sender (mailbox 200), receiver (201), faruser (400), netadmin, techops.
    a: String,
    b: String,
    far: String,
    net: String,
    ops: String,
    id_a: i32,
    id_b: i32,
}

impl World {
    async fn new(app: TestApp) -> World {
        app.directory()
            .user("sender", AuthLevel::MailboxUser, 100, 200)
            .user("receiver", AuthLevel::MailboxUser, 100, 201)
            .user("netadmin", AuthLevel::NetworkAdmin, 100, 200)
            .user("techops", AuthLevel::TechOps, 100, 200)
            .user("faruser", AuthLevel::MailboxUser, 300, 400)
            .build()
            .await;
        let id_a = app.add_partner(100, 200, "ZZ", "PARCELSA", "A").await.0;
        let id_b = app.add_partner(100, 201, "ZZ", "PARCELSB", "B").await.0;
        app.add_partner(300, 400, "ZZ", "FARAWAY", "far").await;
        let mut w = World {
            a: String::new(),
            b: String::new(),
            far: String::new(),
            net: String::new(),
            ops: String::new(),
            id_a,
            id_b,
            app,
        };
        w.a = w.login("sender").await;
        w.b = w.login("receiver").await;
        w.far = w.login("faruser").await;
        w.net = w.login("netadmin").await;
        w.ops = w.login("techops").await;
        w
    }

    async fn login(&self, login: &str) -> String {
        let params = [
            ("LoginName", login),
            ("Password", edigrid_testkit::TEST_PASSWORD),
        ];
        let reply = self.app.soap_ok_in(DEP, "Login", &params).await;
        reply.expect_field("LoginResult")
    }

    async fn reply(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
        let mut all = vec![("SessionID", sid)];
        all.extend_from_slice(params);
        self.app.soap_in(DEP, op, &all).await
    }

    /// A call that must succeed: its `{op}Result`.
    async fn ok(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> Elem {
        let reply = self.reply(sid, op, params).await;
        assert!(
            reply.status == 200 && reply.fault().is_none(),
            "{op} {params:?}: want a result, got {}: {}",
            reply.status,
            reply.body
        );
        let doc = roxmltree::Document::parse(&reply.body).unwrap();
        let result = doc
            .descendants()
            .find(|n| n.has_tag_name((DEP, format!("{op}Result").as_str())))
            .unwrap_or_else(|| panic!("{op}: no {op}Result in {}", reply.body));
        let elem = Elem::of(result);
        elem.assert_all_in(DEP);
        elem
    }

    async fn yes(&self, sid: &str, op: &str, params: &[(&str, &str)]) {
        assert_eq!(
            self.ok(sid, op, params).await.text,
            "true",
            "{op} {params:?}"
        );
    }

    /// A call that must be refused in `category` naming `item` (any item when empty).
    async fn no(
        &self,
        sid: &str,
        op: &str,
        params: &[(&str, &str)],
        category: &str,
        item: &str,
    ) -> Fault {
        let f = self.reply(sid, op, params).await.expect_fault();
        let want_item: &str = if item.is_empty() { &f.item } else { item };
        assert_eq!(
            (f.category.as_str(), f.item.as_str()),
            (category, want_item),
            "{op} {params:?}: {f:?}"
        );
        f
    }

    /// `ParcelUpload` of `content` as `file`; the outbound ParcelID.
    async fn upload(&self, sid: &str, file: &str, content: &str) -> String {
        let (bytes, encoded) = (content.len().to_string(), b64(content.as_bytes()));
        let params = [("FileName", file), ("Bytes", &bytes), ("Content", &encoded)];
        let id = self.ok(sid, "ParcelUpload", &params).await.text;
        assert!(id.parse::<i32>().unwrap() > 0, "ParcelUpload: {id}");
        id
    }

    /// The parcels of a `ParcelIDInfoCollection`, after checking its paging fields.
    fn parcels(col: &Elem, page: (&str, &str)) -> Vec<Elem> {
        assert_eq!(
            col.names()[..5],
            COLLECTION,
            "collection fields in WSDL order"
        );
        let list = col
            .find("ParcelIDInfoList")
            .map_or(Vec::new(), |l| l.children.clone());
        let total = col.text_of("TotalRecords").parse::<usize>().unwrap();
        assert_eq!(
            col.texts(&["PageSize", "PageNumber", "Count"]),
            [page.0, page.1, &list.len().to_string()],
            "PageSize, PageNumber, Count"
        );
        let size: usize = page.0.parse().unwrap();
        assert_eq!(
            col.text_of("TotalPages"),
            total.div_ceil(size).to_string(),
            "TotalPages"
        );
        list
    }

    /// The ParcelIDs a parcel collection lists (first page of the default 100).
    async fn listed(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> Vec<String> {
        let col = self.ok(sid, op, params).await;
        let list = World::parcels(&col, ("100", "1"));
        for p in &list {
            assert_eq!(
                p.names(),
                PARCEL_ID_INFO,
                "{op}: ParcelIDInfo in WSDL order"
            );
        }
        list.iter()
            .map(|p| p.text_of("ParcelID").to_string())
            .collect()
    }

    async fn parcel_info(&self, sid: &str, parcel: &str) -> Elem {
        self.ok(sid, "ParcelInfo", &[("ParcelID", parcel)]).await
    }

    async fn state(&self, sid: &str, parcel: &str) -> String {
        let info = self.parcel_info(sid, parcel).await;
        info.text_of("StatusCode").to_string()
    }
}

/// An archive list's parameters: open dates, any IDs, `page` of `size`.
fn archive<'a>(
    extra: &[(&'a str, &'a str)],
    page: &'a str,
    size: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut p = extra.to_vec();
    p.extend([
        ("BeginDate", OPEN),
        ("EndDate", OPEN),
        ("ECGridIDFrom", "0"),
        ("ECGridIDTo", "0"),
        ("PageNo", page),
        ("RecordsPerPage", size),
    ]);
    p
}

/// The lines of a `three_*.edi` file: one interchange each.
fn interchanges(file: &str) -> Vec<&str> {
    file.lines().collect()
}

/// Runs each scenario against a fresh server on SQLite and on PostgreSQL (when
/// `EDIGRID_TEST_DATABASE_URL` is set).
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
    x12_parcel_is_routed_downloaded_and_confirmed,
    edifact_parcel_goes_up_and_down_as_base64_text,
    every_upload_form_is_accepted,
    notes_states_and_mailbag_ids,
    interchanges_are_listed_read_cancelled_and_resent,
    refusals,
    delete_on_download_removes_the_content_and_says_so,
);

// ---- scenarios --------------------------------------------------------------------------------

async fn x12_parcel_is_routed_downloaded_and_confirmed(w: World) {
    let out = w.upload(&w.a, "three.x12", X12).await;
    let ics = interchanges(X12);
    let delivered = format!("{}{}", ics[0], ics[1]);

    // B's inbox holds one parcel with the two interchanges addressed to PARCELSB.
    let inbox = w.listed(&w.b, "ParcelInBox", &[]).await;
    assert_eq!(inbox.len(), 1, "one inbound parcel for mailbox 201");
    let pid = inbox[0].clone();
    assert_ne!(pid, out, "the inbound parcel has its own ParcelID");
    let by_admin = [
        ("NetworkID", "100"),
        ("MailboxID", "201"),
        ("ECGridIDFrom", "0"),
        ("ECGridIDTo", "0"),
    ];
    assert_eq!(
        w.listed(&w.net, "ParcelInBoxEx", &by_admin).await,
        [pid.as_str()]
    );
    let mut ready = by_admin.to_vec();
    ready.push(("Status", "InBoxReady"));
    assert_eq!(
        w.listed(&w.net, "ParcelInBoxExShort", &ready).await,
        [pid.as_str()]
    );
    ready.pop();
    ready.push(("Status", "InBoxTransferred"));
    assert!(
        w.listed(&w.net, "ParcelInBoxExShort", &ready)
            .await
            .is_empty()
    );

    let info = w.parcel_info(&w.b, &pid).await;
    let mut full = PARCEL_ID_INFO.to_vec();
    full.splice(21..21, ["Interchanges", "Log"]);
    assert_eq!(info.names(), full, "ParcelInfo: WSDL order, ParcelID last");
    assert_eq!(
        info.texts(&[
            "NetworkIDFrom",
            "MailboxIDFrom",
            "NetworkIDTo",
            "MailboxIDTo",
            "FileName",
            "StatusCode",
            "Valid",
            "Direction",
            "ActualBytes"
        ]),
        [
            "100",
            "200",
            "100",
            "201",
            "three.x12",
            "InBoxReady",
            "Valid",
            "InBox",
            &delivered.len().to_string()
        ]
    );
    assert!(!info.text_of("StatusMessage").is_empty());
    let held = info.get("Interchanges");
    assert_eq!(
        held.column("InterchangeControlID"),
        ["000000101", "000000102"]
    );
    for i in &held.children {
        assert_eq!(
            i.names(),
            INTERCHANGE_ID_INFO,
            "InterchangeIDInfo in WSDL order"
        );
        assert_eq!(i.get("TPTo").text_of("ECGridID"), w.id_b.to_string());
        assert_eq!(i.get("TPFrom").text_of("ID"), "PARCELSA");
    }
    assert!(
        !info.get("Log").children.is_empty(),
        "ParcelInfo carries the manifest"
    );
    let manifest = w.ok(&w.b, "ParcelManifest", &[("ParcelID", &pid)]).await;
    assert!(!manifest.children.is_empty());
    assert!(manifest.column("ParcelID").iter().all(|p| *p == pid));

    // Downloads: NoUpdate leaves it ready; a download moves it, cancel and reset undo that.
    let of = [("ParcelID", pid.as_str())];
    let file = w.ok(&w.b, "ParcelDownloadNoUpdate", &of).await;
    assert_eq!(unb64(file.text_of("Content")), delivered.as_bytes());
    assert_eq!(
        file.texts(&["ParcelID", "FileName", "Bytes", "Standard", "routerArchive"]),
        [
            pid.as_str(),
            "three.x12",
            &delivered.len().to_string(),
            "X12",
            "false"
        ]
    );
    let file = w.ok(&w.b, "ParcelDownloadNoUpdateA", &of).await;
    assert_eq!(
        unb64(file.text_of("ContentBase64String")),
        delivered.as_bytes()
    );
    assert!(
        file.find("Content").is_none(),
        "the A form fills ContentBase64String only"
    );
    assert_eq!(w.state(&w.b, &pid).await, "InBoxReady");

    let file = w.ok(&w.b, "ParcelDownload", &of).await;
    assert_eq!(
        unb64(file.text_of("Content")),
        delivered.as_bytes(),
        "exact bytes"
    );
    assert_eq!(w.state(&w.b, &pid).await, "InBoxTransferred");
    assert!(
        w.listed(&w.b, "ParcelInBox", &[]).await.is_empty(),
        "only ready parcels"
    );
    w.yes(&w.b, "ParcelDownloadCancel", &of).await;
    assert_eq!(w.state(&w.b, &pid).await, "InBoxReady");
    w.ok(&w.b, "ParcelDownloadA", &of).await;
    assert_eq!(w.state(&w.b, &pid).await, "InBoxTransferred");
    w.yes(&w.b, "ParcelDownloadReset", &of).await;
    assert_eq!(w.listed(&w.b, "ParcelInBox", &[]).await, [pid.as_str()]);

    w.ok(&w.b, "ParcelDownload", &of).await;
    w.yes(&w.b, "ParcelDownloadConfirm", &of).await;
    assert_eq!(w.state(&w.b, &pid).await, "InBoxArchived");
    assert!(w.listed(&w.b, "ParcelInBox", &[]).await.is_empty());
    let col = w
        .ok(
            &w.b,
            "ParcelInBoxArchive",
            &archive(&[("MailbagControlID", "")], "1", "10"),
        )
        .await;
    let archived = World::parcels(&col, ("10", "1"));
    assert_eq!(archived.len(), 1);
    assert_eq!(archived[0].text_of("ParcelID"), pid);
    assert_ne!(
        archived[0].text_of("ArchiveDate"),
        OPEN,
        "confirmed: archived"
    );
    for op in [
        "ParcelInBoxArchiveEx",
        "ParcelInBoxArchiveExShort",
        "ParcelInBoxArchiveDescEx",
    ] {
        let p = archive(&[("NetworkID", "100"), ("MailboxID", "201")], "1", "10");
        let col = w.ok(&w.net, op, &p).await;
        let ids: Vec<String> = World::parcels(&col, ("10", "1"))
            .iter()
            .map(|p| p.text_of("ParcelID").to_string())
            .collect();
        assert_eq!(ids, [pid.as_str()], "{op}");
    }
    let file = w.ok(&w.b, "ParcelDownloadNoUpdate", &of).await;
    assert_eq!(file.text_of("routerArchive"), "true", "from the archive");

    // A's side: the upload is in error for the third interchange, which has no route.
    let range = [("BeginDate", OPEN), ("EndDate", OPEN)];
    assert_eq!(
        w.listed(&w.a, "ParcelOutBoxError", &range).await,
        [out.as_str()]
    );
    let info = w.parcel_info(&w.a, &out).await;
    assert_eq!(
        info.texts(&["Direction", "StatusCode", "MailboxIDFrom"]),
        ["OutBox", "outboxDeliveryError", "200"]
    );
    assert_eq!(info.get("Interchanges").children.len(), 3);
    let mut ex = vec![("NetworkID", "100"), ("MailboxID", "200")];
    ex.extend(range);
    assert_eq!(
        w.listed(&w.net, "ParcelOutBoxErrorEx", &ex).await,
        [out.as_str()]
    );
    let p = [
        range.to_vec(),
        vec![("ECGridIDFrom", "0"), ("ECGridIDTo", "0")],
    ]
    .concat();
    let no_route = w.ok(&w.a, "InterchangeOutBoxNoRoute", &p).await;
    assert_eq!(no_route.column("InterchangeControlID"), ["000000103"]);
    assert_eq!(no_route.column("StatusCode"), ["NoRoute"]);
    assert!(
        no_route.children[0].find("TPTo").is_none(),
        "no ID to show for the receiver"
    );
    assert!(
        !no_route.children[0].text_of("StatusMessage").is_empty(),
        "the reason"
    );
    let col = w
        .ok(
            &w.a,
            "ParcelOutBoxArchive",
            &archive(&[("MailbagControlID", "")], "1", "5"),
        )
        .await;
    let ids: Vec<String> = World::parcels(&col, ("5", "1"))
        .iter()
        .map(|p| p.text_of("ParcelID").to_string())
        .collect();
    assert_eq!(ids, [out.as_str()]);
    for op in [
        "ParcelOutBoxArchiveEx",
        "ParcelOutBoxArchiveExShort",
        "ParcelOutBoxArchiveDescEx",
    ] {
        let p = archive(&[("NetworkID", "100"), ("MailboxID", "200")], "1", "5");
        let col = w.ok(&w.net, op, &p).await;
        assert_eq!(World::parcels(&col, ("5", "1")).len(), 1, "{op}");
    }
}

async fn edifact_parcel_goes_up_and_down_as_base64_text(w: World) {
    let encoded = b64(EDIFACT.as_bytes());
    let params = [
        ("FileName", "three.edi"),
        ("ContentBase64", encoded.as_str()),
    ];
    let out = w.ok(&w.a, "ParcelUploadA", &params).await.text;
    let ics = interchanges(EDIFACT);
    let delivered = format!("{}{}", ics[0], ics[1]);
    let inbox = w.listed(&w.b, "ParcelInBox", &[]).await;
    assert_eq!(inbox.len(), 1);
    let of = [("ParcelID", inbox[0].as_str())];
    let file = w.ok(&w.b, "ParcelDownloadA", &of).await;
    assert_eq!(
        unb64(file.text_of("ContentBase64String")),
        delivered.as_bytes()
    );
    assert_eq!(file.text_of("Standard"), "EDIFACT");
    let info = w.parcel_info(&w.b, &inbox[0]).await;
    assert_eq!(
        info.get("Interchanges").column("InterchangeControlID"),
        ["EF0101", "EF0102"]
    );
    w.yes(&w.b, "ParcelDownloadConfirm", &of).await;
    let col = w
        .ok(&w.b, "ParcelInBoxArchive", &archive(&[], "1", "100"))
        .await;
    assert_eq!(World::parcels(&col, ("100", "1")).len(), 1);
    let range = [("BeginDate", OPEN), ("EndDate", OPEN)];
    assert_eq!(w.listed(&w.a, "ParcelOutBoxError", &range).await, [out]);
    let p = [
        range.to_vec(),
        vec![("ECGridIDFrom", "0"), ("ECGridIDTo", "0")],
    ]
    .concat();
    let no_route = w.ok(&w.a, "InterchangeOutBoxNoRoute", &p).await;
    assert_eq!(no_route.column("InterchangeControlID"), ["EF0103"]);
}

async fn every_upload_form_is_accepted(w: World) {
    let one = interchanges(X12)[0];
    let encoded = b64(one.as_bytes());
    let len = one.len().to_string();
    let box_200 = [("NetworkID", "100"), ("MailboxID", "200")];
    let mut uploads = Vec::new();
    let mut p = box_200.to_vec();
    p.extend([
        ("FileName", "ex.x12"),
        ("Bytes", &len),
        ("Content", &encoded),
    ]);
    uploads.push(w.ok(&w.net, "ParcelUploadEx", &p).await.text);
    let mut p = box_200.to_vec();
    p.extend([("FileName", "exa.x12"), ("ContentBase64", &encoded)]);
    uploads.push(w.ok(&w.net, "ParcelUploadExA", &p).await.text);

    // Mft: a document without envelope, routed between the two IDs named.
    let doc = "Hello, partner.\n";
    let (doc64, doc_len) = (b64(doc.as_bytes()), doc.len().to_string());
    let (from, to) = (w.id_a.to_string(), w.id_b.to_string());
    let ids = [("ECGridIDFrom", from.as_str()), ("ECGridIDTo", to.as_str())];
    let mut p = vec![
        ("FileName", "note.txt"),
        ("Bytes", &doc_len),
        ("Content", &doc64),
    ];
    p.extend(ids);
    uploads.push(w.ok(&w.a, "ParcelUploadMft", &p).await.text);
    let mut p = vec![("FileName", "note-a.txt"), ("ContentBase64", &doc64)];
    p.extend(ids);
    uploads.push(w.ok(&w.a, "ParcelUploadMftA", &p).await.text);
    let mut sorted = uploads.clone();
    sorted.sort_by_key(|id| id.parse::<i64>().unwrap());
    sorted.dedup();
    assert_eq!(sorted, uploads, "ParcelIDs increase and are unique");

    // Every one is in the outbox; the two Mft documents reached B as TXT.
    let col = w
        .ok(&w.a, "ParcelOutBoxArchive", &archive(&[], "1", "10"))
        .await;
    let mut listed: Vec<String> = World::parcels(&col, ("10", "1"))
        .iter()
        .map(|p| p.text_of("ParcelID").to_string())
        .collect();
    listed.sort_by_key(|id| id.parse::<i64>().unwrap());
    assert_eq!(
        listed, uploads,
        "the outbox archive, newest first, holds all four"
    );
    let inbox = w.listed(&w.b, "ParcelInBox", &[]).await;
    assert_eq!(inbox.len(), 4, "two X12 deliveries and two documents");
    let last = [("ParcelID", inbox[3].as_str())];
    let file = w.ok(&w.b, "ParcelDownloadNoUpdate", &last).await;
    assert_eq!(unb64(file.text_of("Content")), doc.as_bytes());
    assert_eq!(file.text_of("Standard"), "TXT");
    let in_process = w.listed(&w.a, "ParcelOutBoxInProcess", &[]).await;
    assert_eq!(in_process.len(), 4, "delivered, not yet acknowledged");
    let in_process = w.listed(&w.net, "ParcelOutBoxInProcessEx", &box_200).await;
    assert_eq!(in_process.len(), 4);
}

async fn notes_states_and_mailbag_ids(w: World) {
    w.upload(&w.a, "three.x12", X12).await;
    let pid = w.listed(&w.b, "ParcelInBox", &[]).await.remove(0);
    let of = [("ParcelID", pid.as_str())];

    let note = [
        ("ParcelID", pid.as_str()),
        ("Subject", "997"),
        ("Note", "accepted"),
    ];
    w.yes(&w.b, "ParcelAcknowledgmentNote", &note).await;
    let notes = w.ok(&w.b, "ParcelNoteList", &of).await;
    assert_eq!(notes.children.len(), 1);
    let n = &notes.children[0];
    assert_eq!(
        n.texts(&["ParcelID", "Note"]),
        [pid.as_str(), "997: accepted"]
    );

    let local = [("ParcelID", pid.as_str()), ("Status", "42")];
    w.yes(&w.b, "ParcelUpdateLocalStatus", &local).await;
    let info = w.parcel_info(&w.b, &pid).await;
    assert_eq!(info.text_of("LocalStatus"), "42");
    assert_ne!(info.text_of("LocalStatusDate"), OPEN);

    let set = |status: &'static str, log_only: &'static str| {
        [
            ("ParcelID", pid.clone()),
            ("Status", status.to_string()),
            ("TransLogOnly", log_only.to_string()),
        ]
    };
    // Setting a state is an operator's (or the box owner's) act, not a mailbox user's.
    let p = set("InBoxTransferred", "false");
    let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.no(&w.b, "ParcelUpdateStatus", &p, "Authorization", "")
        .await;
    let p = set("InBoxTransferred", "true");
    let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.yes(&w.ops, "ParcelUpdateStatus", &p).await;
    assert_eq!(
        w.state(&w.b, &pid).await,
        "InBoxReady",
        "TransLogOnly keeps the state"
    );
    let p = set("InBoxTransferred", "false");
    let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.yes(&w.ops, "ParcelUpdateStatus", &p).await;
    assert_eq!(w.state(&w.b, &pid).await, "InBoxTransferred");

    let ack = [("ParcelID", pid.as_str()), ("Status", "as2MDNPending")];
    w.yes(&w.b, "ParcelDownloadConfirmPendingAck", &ack).await;
    assert_eq!(w.state(&w.b, &pid).await, "InBoxArchived");

    let mailbag = [("ParcelID", pid.as_str()), ("MailbagControlID", "BAG-7")];
    w.yes(&w.b, "ParcelSetMailbagControlID", &mailbag).await;
    let find = [
        ("NetworkID", "0"),
        ("MailboxID", "0"),
        ("BeginDate", OPEN),
        ("EndDate", OPEN),
        ("MailbagControlID", "BAG-7"),
    ];
    let found = w.ok(&w.b, "ParcelFindMailbagControlIDTo", &find).await;
    assert_eq!(found.column("ParcelID"), [pid.as_str()]);
    let by_sender = [
        ("NetworkID", "0"),
        ("MailboxID", "0"),
        ("MailbagControlID", "BAG-7"),
    ];
    let found = w.ok(&w.b, "ParcelFindMailbagControlID", &by_sender).await;
    assert!(
        found.children.is_empty(),
        "the sender's side has no parcel with that ID"
    );
    let col = w
        .ok(
            &w.b,
            "ParcelInBoxArchive",
            &archive(&[("MailbagControlID", "BAG-7")], "1", "10"),
        )
        .await;
    assert_eq!(World::parcels(&col, ("10", "1")).len(), 1);
    let col = w
        .ok(
            &w.b,
            "ParcelInBoxArchive",
            &archive(&[("MailbagControlID", "OTHER")], "1", "10"),
        )
        .await;
    assert!(World::parcels(&col, ("10", "1")).is_empty());

    // ParcelResend (NetOps and up) delivers the upload's interchanges again.
    let out = w
        .listed(
            &w.a,
            "ParcelOutBoxError",
            &[("BeginDate", OPEN), ("EndDate", OPEN)],
        )
        .await;
    w.yes(&w.ops, "ParcelResend", &[("ParcelID", out[0].as_str())])
        .await;
    assert_eq!(
        w.listed(&w.b, "ParcelInBox", &[]).await.len(),
        1,
        "a new delivery"
    );
}

async fn interchanges_are_listed_read_cancelled_and_resent(w: World) {
    w.upload(&w.a, "three.x12", X12).await;
    let filters = [
        ("BeginDate", OPEN),
        ("EndDate", OPEN),
        ("ECGridIDFrom", "0"),
        ("ECGridIDTo", "0"),
        ("InterchangeControlID", ""),
    ];
    let sent = w.ok(&w.a, "InterchangeOutBox", &filters).await;
    assert_eq!(
        sent.column("InterchangeControlID"),
        ["000000101", "000000102", "000000103"]
    );
    let got = w.ok(&w.b, "InterchangeInBox", &filters).await;
    assert_eq!(
        got.column("InterchangeControlID"),
        ["000000101", "000000102"]
    );
    for i in &got.children {
        assert_eq!(i.names(), INTERCHANGE_ID_INFO);
        assert_eq!(i.text_of("InterchangeDateTime"), "2024-01-01T12:00:00Z");
        assert_eq!(i.text_of("DocumentType"), "850");
    }
    let mut one = filters.to_vec();
    one[4] = ("InterchangeControlID", "000000102");
    let found = w.ok(&w.b, "InterchangeInBox", &one).await;
    assert_eq!(found.column("InterchangeControlID"), ["000000102"]);
    let mut ex = vec![("NetworkID", "100"), ("MailboxID", "201")];
    ex.extend(filters);
    assert_eq!(
        w.ok(&w.net, "InterchangeInBoxEx", &ex).await.children.len(),
        2
    );
    let mut ex = vec![("NetworkID", "100"), ("MailboxID", "200")];
    ex.extend(filters);
    assert_eq!(
        w.ok(&w.net, "InterchangeOutBoxEx", &ex)
            .await
            .children
            .len(),
        3
    );

    let pending = [("ECGridIDFrom", "0"), ("ECGridIDTo", "0")];
    let in_pending = w.ok(&w.b, "InterchangeInBoxPending", &pending).await;
    assert_eq!(
        in_pending.children.len(),
        2,
        "the inbound parcel is not downloaded"
    );
    let out_pending = w.ok(&w.a, "InterchangeOutBoxPending", &pending).await;
    assert_eq!(out_pending.children.len(), 2);
    let mut p = vec![("NetworkID", "100"), ("MailboxID", "201")];
    p.extend(pending);
    assert_eq!(
        w.ok(&w.net, "InterchangeInBoxPendingEx", &p)
            .await
            .children
            .len(),
        2
    );
    let mut p = vec![("NetworkID", "100"), ("MailboxID", "200")];
    p.extend(pending);
    assert_eq!(
        w.ok(&w.net, "InterchangeOutBoxPendingEx", &p)
            .await
            .children
            .len(),
        2
    );

    // Blocked: nothing is held back on either side here (the third simply has no route).
    let blocked = &filters[..4];
    for (sid, op) in [
        (&w.a, "InterchangeOutBoxBlocked"),
        (&w.b, "InterchangeInBoxBlocked"),
    ] {
        assert!(w.ok(sid, op, blocked).await.children.is_empty(), "{op}");
    }
    // An interchange whose sender is no ID of the uploading mailbox is blocked on the
    // sender's side (and reaches no inbox, so the receiver's side stays empty).
    let stray = interchanges(X12)[0]
        .replace("PARCELSA", "PARCELSX")
        .replace("000000101", "000000201");
    w.upload(&w.a, "stray.x12", &stray).await;
    let out_blocked = w.ok(&w.a, "InterchangeOutBoxBlocked", blocked).await;
    assert_eq!(
        (
            out_blocked.column("InterchangeControlID"),
            out_blocked.column("StatusCode")
        ),
        (
            vec!["000000201".to_string()],
            vec!["UnknownSender".to_string()]
        )
    );
    assert!(
        w.ok(&w.b, "InterchangeInBoxBlocked", blocked)
            .await
            .children
            .is_empty()
    );
    let mut p = vec![("NetworkID", "100"), ("MailboxID", "200")];
    p.extend_from_slice(blocked);
    for (op, want) in [
        ("InterchangeOutBoxBlockedEx", "000000201"),
        ("InterchangeOutBoxNoRouteEx", "000000103"),
    ] {
        let found = w.ok(&w.net, op, &p).await;
        assert_eq!(found.column("InterchangeControlID"), [want], "{op}");
    }
    let mut p = vec![("NetworkID", "100"), ("MailboxID", "201")];
    p.extend_from_slice(blocked);
    let found = w.ok(&w.net, "InterchangeInBoxBlockedEx", &p).await;
    assert!(found.children.is_empty());

    // One interchange: its record with its parcels, its manifest.
    let ids = got.column("InterchangeID");
    let of = [("InterchangeID", ids[0].as_str())];
    let info = w.ok(&w.b, "InterchangeInfo", &of).await;
    let mut with_parcels = INTERCHANGE_ID_INFO.to_vec();
    with_parcels.push("Parcels");
    assert_eq!(info.names(), with_parcels);
    assert_eq!(
        info.get("Parcels").column("Direction"),
        ["InBox"],
        "the receiver sees its delivery, not the sender's upload"
    );
    let sender_view = w.ok(&w.a, "InterchangeInfo", &of).await;
    assert_eq!(
        sender_view.get("Parcels").column("Direction"),
        ["OutBox", "InBox"],
        "the sender sees its upload and the delivery made from it"
    );
    // Its manifest: a delivered interchange has no lines of its own; the one without a
    // route has the error, with the reason.
    let manifest = w.ok(&w.a, "InterchangeManifest", &of).await;
    assert!(manifest.children.is_empty(), "{manifest:?}");
    let third = [("InterchangeID", sent.column("InterchangeID")[2].clone())];
    let third: Vec<(&str, &str)> = third.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let manifest = w.ok(&w.a, "InterchangeManifest", &third).await;
    assert_eq!(manifest.children.len(), 1);
    let line = &manifest.children[0];
    assert_eq!(
        line.texts(&["Type", "StatusCode", "InterchangeID", "StatusColor"]),
        ["Error", "NoRoute", third[0].1, "Red"]
    );
    assert!(!line.text_of("StatusMessage").is_empty(), "the reason");

    // Archive lists, paged; after the download is confirmed they hold the two.
    let pid = w.listed(&w.b, "ParcelInBox", &[]).await.remove(0);
    w.yes(&w.b, "ParcelDownloadConfirm", &[("ParcelID", pid.as_str())])
        .await;
    let mut p = archive(&[("InterchangeControlID", "")], "1", "1");
    let col = w.ok(&w.b, "InterchangeInBoxArchive", &p).await;
    assert_eq!(
        col.texts(&COLLECTION),
        ["1", "1", "1", "2", "2"],
        "page 1 of 2 with one per page"
    );
    p.splice(0..0, [("NetworkID", "100"), ("MailboxID", "201")]);
    let col = w.ok(&w.net, "InterchangeInBoxArchiveEx", &p).await;
    assert_eq!(col.text_of("TotalRecords"), "2");
    // A control number narrows a paged list: its totals count what it kept.
    let mut p = archive(&[("InterchangeControlID", "000000102")], "1", "1");
    let col = w.ok(&w.b, "InterchangeInBoxArchive", &p).await;
    assert_eq!(col.texts(&COLLECTION), ["1", "1", "1", "1", "1"]);
    let list = col.get("InterchangeIDInfoList");
    assert_eq!(list.column("InterchangeControlID"), ["000000102"]);
    p[5] = ("PageNo", "2");
    let col = w.ok(&w.b, "InterchangeInBoxArchive", &p).await;
    assert_eq!(col.texts(&COLLECTION), ["1", "2", "0", "1", "1"]);
    for op in [
        "InterchangeOutBoxArchive",
        "InterchangeOutBoxArchiveEx",
        "InterchangeOutBoxArchiveExNoParcel",
    ] {
        let mut p = archive(&[("InterchangeControlID", "")], "1", "10");
        if op.contains("Ex") {
            p.splice(0..0, [("NetworkID", "100"), ("MailboxID", "200")]);
        }
        let col = w
            .ok(
                &if op.contains("Ex") {
                    w.net.clone()
                } else {
                    w.a.clone()
                },
                op,
                &p,
            )
            .await;
        assert!(
            col.text_of("TotalRecords").parse::<u32>().unwrap() <= 3,
            "{op}"
        );
    }

    // Resend (NetOps and up) makes a new inbound parcel; cancel withdraws it undownloaded.
    let resent = w.ok(&w.ops, "InterchangeResend", &of).await;
    assert_eq!(resent.text_of("Id"), ids[0]);
    let new_parcel = resent.text_of("ParcelIDInbox").to_string();
    assert_eq!(
        w.listed(&w.b, "ParcelInBox", &[]).await,
        [new_parcel.as_str()]
    );
    let info = w.parcel_info(&w.b, &new_parcel).await;
    let again = info.get("Interchanges").column("InterchangeID");
    assert_eq!(again.len(), 1);
    w.yes(
        &w.a,
        "InterchangeCancel",
        &[("InterchangeID", again[0].as_str())],
    )
    .await;
    assert!(
        w.listed(&w.b, "ParcelInBox", &[]).await.is_empty(),
        "withdrawn"
    );

    // Envelope headers, without any stored interchange.
    let isa = &interchanges(X12)[0][..106];
    let head = w
        .ok(&w.a, "InterchangeHeaderInfo", &[("InterchangeHeader", isa)])
        .await;
    assert_eq!(
        head.texts(&[
            "InterchangeID",
            "Standard",
            "InterchangeControlID",
            "InterchangeDateTime"
        ]),
        ["0", "X12", "000000101", "2024-01-01T12:00:00Z"]
    );
    assert_eq!(head.text_of("Header"), isa, "the ISA segment");
    // Parties resolve to the active IDs the caller can see: A sees its own, not B's.
    let party = |h: &Elem, side: &str| {
        let tp = h.get(side);
        (
            tp.text_of("ID").to_string(),
            tp.text_of("ECGridID").to_string(),
        )
    };
    assert_eq!(
        party(&head, "TPFrom"),
        ("PARCELSA".into(), w.id_a.to_string())
    );
    assert_eq!(party(&head, "TPTo"), ("PARCELSB".into(), "0".into()));
    let head = w
        .ok(
            &w.net,
            "InterchangeHeaderInfo",
            &[("InterchangeHeader", isa)],
        )
        .await;
    assert_eq!(
        party(&head, "TPTo"),
        ("PARCELSB".into(), w.id_b.to_string())
    );
    let unb = &interchanges(EDIFACT)[0];
    let head = w
        .ok(
            &w.a,
            "InterchangeHeaderInfoB",
            &[("InterchangeHeader", &b64(unb.as_bytes()))],
        )
        .await;
    assert_eq!(
        head.texts(&["Standard", "InterchangeControlID", "Header"]),
        [
            "EDIFACT",
            "EF0101",
            "UNA:+.? 'UNB+UNOA:2+PARCELSA:ZZ+PARCELSB:ZZ+240101:1200+EF0101'"
        ]
    );
    let without_terminator = &isa[..105];
    let reply = w
        .app
        .soap_ok_in(
            DEP,
            "InterchangeDate",
            &[("InterchangeHeader", without_terminator)],
        )
        .await;
    assert_eq!(
        reply.expect_field("InterchangeDateResult"),
        "2024-01-01T12:00:00Z"
    );
}

async fn delete_on_download_removes_the_content_and_says_so(w: World) {
    let on = [("MailboxID", "201"), ("DeleteOnDownload", "true")];
    w.yes(&w.net, "MailboxDeleteOnDownload", &on).await;
    w.upload(&w.a, "three.x12", X12).await;
    let pid = w.listed(&w.b, "ParcelInBox", &[]).await.remove(0);
    let of = [("ParcelID", pid.as_str())];
    w.ok(&w.b, "ParcelDownload", &of).await;
    let info = w.parcel_info(&w.b, &pid).await;
    assert!(
        !info.text_of("StatusMessage").contains("removed"),
        "{info:?}"
    );
    w.yes(&w.b, "ParcelDownloadConfirm", &of).await;
    let info = w.parcel_info(&w.b, &pid).await;
    assert!(
        info.text_of("StatusMessage")
            .contains("content was removed"),
        "{info:?}"
    );
    let f = w
        .reply(&w.b, "ParcelDownloadNoUpdate", &of)
        .await
        .expect_fault();
    assert!(
        f.text.contains("removed"),
        "a later download says so: {f:?}"
    );
}

async fn refusals(w: World) {
    w.upload(&w.a, "three.x12", X12).await;
    let pid = w.listed(&w.b, "ParcelInBox", &[]).await.remove(0);
    // Another mailbox's parcel (B's, asked by mailbox 400) gets the same fault, word for
    // word, as one that does not exist.
    let parcel_ops = [
        "ParcelInfo",
        "ParcelManifest",
        "ParcelNoteList",
        "ParcelDownload",
        "ParcelDownloadA",
        "ParcelDownloadNoUpdate",
        "ParcelDownloadNoUpdateA",
        "ParcelDownloadConfirm",
        "ParcelDownloadCancel",
        "ParcelDownloadReset",
    ];
    for op in parcel_ops {
        let far = w
            .reply(&w.far, op, &[("ParcelID", &pid)])
            .await
            .expect_fault();
        let missing = w
            .reply(&w.far, op, &[("ParcelID", MISSING)])
            .await
            .expect_fault();
        let masked = |f: &Fault, n: &str| format!("{f:?}").replace(n, "N");
        assert_eq!(masked(&far, &pid), masked(&missing, MISSING), "{op}");
        assert_eq!(far.category, "Authorization", "{op}: {far:?}");
    }
    let with = |extra: &[(&'static str, &'static str)], id: &str| {
        let mut p = vec![("ParcelID".to_string(), id.to_string())];
        p.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        p
    };
    for (op, extra) in [
        (
            "ParcelAcknowledgmentNote",
            vec![("Subject", "s"), ("Note", "n")],
        ),
        (
            "ParcelDownloadConfirmPendingAck",
            vec![("Status", "InBoxReady")],
        ),
        (
            "ParcelUpdateStatus",
            vec![("Status", "InBoxReady"), ("TransLogOnly", "false")],
        ),
        ("ParcelUpdateLocalStatus", vec![("Status", "1")]),
        ("ParcelSetMailbagControlID", vec![("MailbagControlID", "X")]),
    ] {
        let mut seen = Vec::new();
        for id in [pid.as_str(), MISSING] {
            let p = with(&extra, id);
            let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let f = w.reply(&w.far, op, &p).await.expect_fault();
            assert_eq!(f.category, "Authorization", "{op} {id}: {f:?}");
            seen.push(format!("{f:?}").replace(id, "N"));
        }
        assert_eq!(seen[0], seen[1], "{op}: out of reach and missing alike");
    }
    for op in [
        "InterchangeInfo",
        "InterchangeManifest",
        "InterchangeCancel",
    ] {
        let f = w
            .reply(&w.b, op, &[("InterchangeID", MISSING)])
            .await
            .expect_fault();
        assert_eq!(f.category, "Authorization", "{op}: {f:?}");
    }
    // Operators reach everything: for them a missing one is just not found.
    w.no(
        &w.ops,
        "ParcelInfo",
        &[("ParcelID", MISSING)],
        "ObjectNotFound",
        "ParcelID",
    )
    .await;
    w.no(
        &w.ops,
        "InterchangeInfo",
        &[("InterchangeID", MISSING)],
        "ObjectNotFound",
        "InterchangeID",
    )
    .await;

    // Uploads: bad base64, nothing to send, a wrong size, and one for another network's box.
    let ok64 = b64(b"ISA");
    let bad = [
        (
            "ParcelUpload",
            vec![("FileName", "x"), ("Bytes", "3"), ("Content", "***")],
            "Content",
        ),
        (
            "ParcelUploadA",
            vec![("FileName", "x"), ("ContentBase64", "not base64!")],
            "ContentBase64",
        ),
        (
            "ParcelUploadMftA",
            vec![
                ("FileName", "x"),
                ("ContentBase64", "%%%"),
                ("ECGridIDFrom", "1"),
                ("ECGridIDTo", "2"),
            ],
            "ContentBase64",
        ),
    ];
    for (op, p, item) in bad {
        w.no(&w.a, op, &p, "InvalidParameter", item).await;
    }
    let f = w
        .reply(
            &w.a,
            "ParcelUpload",
            &[("FileName", "x"), ("Bytes", "0"), ("Content", "")],
        )
        .await
        .expect_fault();
    assert_eq!(f.category, "InvalidParameter", "0 bytes: {f:?}");
    let f = w
        .reply(
            &w.a,
            "ParcelUpload",
            &[("FileName", "x"), ("Bytes", "4"), ("Content", &ok64)],
        )
        .await
        .expect_fault();
    assert_eq!(f.category, "InvalidParameter", "Bytes 4 for 3 bytes: {f:?}");
    let f = w
        .reply(
            &w.a,
            "ParcelUploadA",
            &[("FileName", "x"), ("ContentBase64", "")],
        )
        .await
        .expect_fault();
    assert_eq!(f.category, "InvalidParameter", "an empty A upload: {f:?}");
    let far_box = [
        ("NetworkID", "300"),
        ("MailboxID", "400"),
        ("FileName", "x"),
        ("Bytes", "3"),
        ("Content", ok64.as_str()),
    ];
    w.no(&w.net, "ParcelUploadEx", &far_box, "Authorization", "")
        .await;
    let far_box_a = [
        ("NetworkID", "300"),
        ("MailboxID", "400"),
        ("FileName", "x"),
        ("ContentBase64", ok64.as_str()),
    ];
    w.no(&w.net, "ParcelUploadExA", &far_box_a, "Authorization", "")
        .await;
    let mft = [
        ("FileName", "x"),
        ("Bytes", "3"),
        ("Content", "***"),
        ("ECGridIDFrom", "1"),
        ("ECGridIDTo", "2"),
    ];
    w.no(&w.a, "ParcelUploadMft", &mft, "InvalidParameter", "Content")
        .await;

    // Status values the deployed list has and edigrid does not, and ones it lacks.
    let of = [("ParcelID", pid.as_str())];
    let status = |s: &'static str| {
        [
            ("ParcelID", pid.clone()),
            ("Status", s.to_string()),
            ("TransLogOnly", "false".to_string()),
        ]
    };
    for s in ["as2Sent", "Lost"] {
        let p = status(s);
        let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        w.no(&w.b, "ParcelUpdateStatus", &p, "InvalidParameter", "Status")
            .await;
    }
    // ConfirmPendingAck takes any value of the deployed list (it changes nothing), no other.
    let lost = [("ParcelID", pid.as_str()), ("Status", "Lost")];
    w.no(
        &w.b,
        "ParcelDownloadConfirmPendingAck",
        &lost,
        "InvalidParameter",
        "Status",
    )
    .await;
    let short = [
        ("NetworkID", "0"),
        ("MailboxID", "0"),
        ("ECGridIDFrom", "0"),
        ("ECGridIDTo", "0"),
        ("Status", "ftpSent"),
    ];
    w.no(
        &w.b,
        "ParcelInBoxExShort",
        &short,
        "InvalidParameter",
        "Status",
    )
    .await;
    let local = [("ParcelID", pid.as_str()), ("Status", "40000")];
    w.no(
        &w.b,
        "ParcelUpdateLocalStatus",
        &local,
        "InvalidParameter",
        "Status",
    )
    .await;
    w.no(&w.b, "ParcelResend", &of, "Authorization", "").await;
    let filters = [
        ("BeginDate", OPEN),
        ("EndDate", OPEN),
        ("ECGridIDFrom", "0"),
        ("ECGridIDTo", "0"),
    ];
    let got = w
        .ok(&w.b, "InterchangeInBox", &filters)
        .await
        .column("InterchangeID");
    w.no(
        &w.b,
        "InterchangeResend",
        &[("InterchangeID", &got[0])],
        "Authorization",
        "",
    )
    .await;

    // Pages over 500, dates backwards, another network's box.
    for op in ["ParcelInBoxArchive", "ParcelOutBoxArchive"] {
        let mut p = archive(&[("MailbagControlID", "")], "1", "501");
        w.no(&w.b, op, &p, "InvalidParameter", "RecordsPerPage")
            .await;
        p[6] = ("RecordsPerPage", "10");
        p[1] = ("BeginDate", "2030-01-01T00:00:00Z");
        p[2] = ("EndDate", "2020-01-01T00:00:00Z");
        w.no(&w.b, op, &p, "InvalidParameter", "EndDate").await;
    }
    for op in ["InterchangeInBoxArchive", "InterchangeOutBoxArchive"] {
        let p = archive(&[("InterchangeControlID", "")], "1", "501");
        w.no(&w.b, op, &p, "InvalidParameter", "RecordsPerPage")
            .await;
    }
    // Every list: an `Ex` naming another network's box is refused; a base list with its
    // dates backwards is refused; one without dates needs a session. Parameters an operation
    // does not declare are ignored, so one set of filters serves them all.
    let filters = archive(
        &[
            ("MailbagControlID", "X"),
            ("InterchangeControlID", ""),
            ("Status", "InBoxReady"),
        ],
        "1",
        "10",
    );
    for op in EX_LISTS {
        let mut p = vec![("NetworkID", "300"), ("MailboxID", "400")];
        p.extend(filters.iter().copied());
        w.no(&w.net, op, &p, "Authorization", "").await;
    }
    let backwards: Vec<(&str, &str)> = filters
        .iter()
        .map(|&(k, v)| match k {
            "BeginDate" => (k, "2030-01-01T00:00:00Z"),
            "EndDate" => (k, "2020-01-01T00:00:00Z"),
            _ => (k, v),
        })
        .collect();
    for op in DATED_LISTS {
        w.no(&w.a, op, &backwards, "InvalidParameter", "EndDate")
            .await;
    }
    let no_bag = [
        ("NetworkID", "0"),
        ("MailboxID", "0"),
        ("MailbagControlID", " "),
    ];
    w.no(
        &w.b,
        "ParcelFindMailbagControlID",
        &no_bag,
        "InvalidParameter",
        "MailbagControlID",
    )
    .await;
    for op in UNDATED_LISTS {
        w.no("no-such-session", op, &filters, "Authentication", "")
            .await;
    }

    // Headers that are none; and no session at all.
    w.no(
        &w.a,
        "InterchangeHeaderInfo",
        &[("InterchangeHeader", "hello")],
        "InvalidParameter",
        "InterchangeHeader",
    )
    .await;
    w.no(
        &w.a,
        "InterchangeHeaderInfoB",
        &[("InterchangeHeader", &b64(b"ISA*broken"))],
        "InvalidParameter",
        "InterchangeHeader",
    )
    .await;
    let f = w
        .app
        .soap_in(DEP, "InterchangeDate", &[("InterchangeHeader", "UNB+")])
        .await
        .expect_fault();
    assert_eq!(
        (f.category.as_str(), f.item.as_str()),
        ("InvalidParameter", "InterchangeHeader")
    );
    let f = w
        .app
        .soap_in(DEP, "ParcelInBox", &[("SessionID", "nope")])
        .await
        .expect_fault();
    assert_eq!(f.category, "Authentication");
}
