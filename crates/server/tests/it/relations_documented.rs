//! Interconnects in the documented dialect (ecgrid-docs soap-api/partners, SPEC-VAN 20), over
//! the real server on SQLite and PostgreSQL: asked for, refused routing until the partner's
//! side accepts, then routed; reads, lists, counts and notes agree; each failure gives its
//! fault and changes nothing.
//!
//! The world: network 100 with mailbox 200 (`sender`, MailboxAdmin, ZZ:DCSENDER) and 201
//! (`outsider`, MailboxUser); network 300 with mailbox 400 (`faradmin`, ZZ:DCFAR).

use edigrid_domain::AuthLevel;
use edigrid_testkit::{
    Fault, NS, TEST_PASSWORD, TestApp, fresh_postgres_url, spawn_app, spawn_app_with,
};
use reqwest::Method;
use serde_json::json;

use crate::relations::{encode, x12};
use crate::rest_auth::{Auth, call_json};
use crate::support::deployed::Elem;

struct World {
    app: TestApp,
    /// SOAP sessions.
    sender: String,
    outsider: String,
    far: String,
    /// The sender's API key, to read notes over REST.
    sender_key: String,
    a: String,
    f: String,
}

impl World {
    async fn new(app: TestApp) -> World {
        let users = app
            .directory()
            .user("sender", AuthLevel::MailboxAdmin, 100, 200)
            .user("outsider", AuthLevel::MailboxUser, 100, 201)
            .user("faradmin", AuthLevel::MailboxAdmin, 300, 400)
            .build()
            .await;
        let a = app.add_partner(100, 200, "ZZ", "DCSENDER", "A").await.0;
        let f = app.add_partner(300, 400, "ZZ", "DCFAR", "F").await.0;
        let sender_key = app.api_key(users.user("sender")).await;
        World {
            sender: login(&app, "sender").await,
            outsider: login(&app, "outsider").await,
            far: login(&app, "faradmin").await,
            sender_key,
            a: a.to_string(),
            f: f.to_string(),
            app,
        }
    }

    /// A documented-dialect call: the `{op}Result` element, or the fault.
    async fn call(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> Result<Elem, Fault> {
        let mut all = vec![("SessionID", sid)];
        all.extend_from_slice(params);
        let reply = self.app.soap_in(NS, op, &all).await;
        if let Some(fault) = reply.fault() {
            return Err(fault);
        }
        let doc = roxmltree::Document::parse(&reply.body).unwrap();
        let result = doc
            .descendants()
            .find(|n| n.has_tag_name((NS, format!("{op}Result").as_str())))
            .unwrap_or_else(|| panic!("{op}: no result in {}", reply.body));
        Ok(Elem::of(result))
    }

    async fn ok(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> Elem {
        self.call(sid, op, params)
            .await
            .unwrap_or_else(|f| panic!("{op}: {f:?}"))
    }

    async fn fault(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> Fault {
        match self.call(sid, op, params).await {
            Err(f) => f,
            Ok(e) => panic!("{op} answered {e:?}"),
        }
    }

    async fn upload(&self, control: u32) {
        let content = x12("DCSENDER", "DCFAR", control, "850");
        let bytes = content.len().to_string();
        let encoded = encode(content.as_bytes());
        let params = [
            ("FileName", "dc.x12"),
            ("Bytes", bytes.as_str()),
            ("Content", encoded.as_str()),
        ];
        self.ok(&self.sender, "ParcelUpload", &params).await;
    }

    /// The statuses and reasons of what the sender uploaded, oldest first.
    async fn sent(&self) -> Vec<(String, String)> {
        let out = self.ok(&self.sender, "InterchangeOutBox", &[]).await;
        out.children
            .iter()
            .map(|i| (i.text_of("Status").into(), i.text_of("Reason").into()))
            .collect()
    }

    async fn far_waiting(&self) -> usize {
        self.ok(&self.far, "ParcelInBox", &[]).await.children.len()
    }

    async fn count(&self, sid: &str, id: &str, status: &str) -> String {
        let mut params = vec![("ECGridID", id)];
        if !status.is_empty() {
            params.push(("Status", status));
        }
        self.ok(sid, "InterconnectCount", &params).await.text
    }

    /// The notes' texts, as REST reads them.
    async fn notes(&self, ic: &str) -> Vec<String> {
        let id: i64 = ic.parse().unwrap();
        let reply = call_json(
            &self.app,
            Method::POST,
            "/v2/partners/notelist",
            Auth::Key(&self.sender_key),
            &json!({"interconnectId": id}),
        )
        .await;
        let notes = reply.ok().as_array().unwrap();
        notes
            .iter()
            .map(|n| n["text"].as_str().unwrap().to_string())
            .collect()
    }
}

async fn login(app: &TestApp, name: &str) -> String {
    let params = [("LoginName", name), ("Password", TEST_PASSWORD)];
    app.soap_ok_in(NS, "Login", &params)
        .await
        .expect_field("LoginResult")
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

on_both_backends!(documented_interconnects);

const FIELDS: [&str; 7] = [
    "InterconnectID",
    "ECGridIDFrom",
    "ECGridIDTo",
    "Status",
    "Created",
    "Modified",
    "InterconnectStatus",
];

async fn documented_interconnects(w: World) {
    let (a, f) = (w.a.as_str(), w.f.as_str());

    // Refused before anything exists; nothing is made.
    let fault = w
        .fault(
            &w.outsider,
            "InterconnectAdd",
            &[("ECGridIDFrom", a), ("ECGridIDTo", f)],
        )
        .await;
    assert_eq!(fault.category, "Authorization", "{fault:?}");
    let fault = w
        .fault(
            &w.sender,
            "InterconnectAdd",
            &[("ECGridIDFrom", a), ("ECGridIDTo", "987654")],
        )
        .await;
    assert_eq!(
        (fault.category.as_str(), fault.item.as_str()),
        ("ObjectNotFound", "ECGridIDTo"),
        "{fault:?}"
    );
    let fault = w
        .fault(
            &w.sender,
            "InterconnectAdd",
            &[("ECGridIDFrom", a), ("ECGridIDTo", a)],
        )
        .await;
    assert_eq!(fault.category, "InvalidParameter", "{fault:?}");
    let fault = w
        .fault(&w.sender, "InterconnectCount", &[("ECGridID", "0")])
        .await;
    assert_eq!(
        (fault.category.as_str(), fault.item.as_str()),
        ("InvalidParameter", "ECGridID")
    );
    let fault = w
        .fault(
            &w.sender,
            "InterconnectListByECGridID",
            &[("ECGridID", a), ("Status", "Sideways")],
        )
        .await;
    assert_eq!(
        (fault.category.as_str(), fault.item.as_str()),
        ("InvalidParameter", "Status"),
        "{fault:?}"
    );
    assert_eq!(w.count(&w.sender, a, "").await, "0");

    // Asked for: waiting for the partner, so the upload has no route, and says why.
    let asked = w
        .ok(
            &w.sender,
            "InterconnectAdd",
            &[("ECGridIDFrom", a), ("ECGridIDTo", f)],
        )
        .await;
    assert_eq!(asked.names(), FIELDS);
    assert_eq!(
        asked.texts(&["ECGridIDFrom", "ECGridIDTo", "Status", "InterconnectStatus"]),
        [a, f, "Preproduction", "Pending"]
    );
    let ic = asked.text_of("InterconnectID").to_string();
    let of = [("InterconnectID", ic.as_str())];
    w.upload(1).await;
    let sent = w.sent().await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "NoRoute");
    assert!(sent[0].1.contains("interconnect"), "the reason: {sent:?}");
    assert_eq!(w.far_waiting().await, 0, "not yet accepted");
    assert_eq!(w.count(&w.far, f, "Preproduction").await, "1");

    // The partner's side asks for the same pair back: accepted, and traffic routes.
    let accepted = w
        .ok(
            &w.far,
            "InterconnectAdd",
            &[("ECGridIDFrom", f), ("ECGridIDTo", a)],
        )
        .await;
    assert_eq!(
        accepted.texts(&["InterconnectID", "Status", "InterconnectStatus"]),
        [ic.as_str(), "Active", "Completed"]
    );
    w.upload(2).await;
    assert_eq!(w.sent().await[1].0, "Delivered");
    assert_eq!(w.far_waiting().await, 1, "routes once accepted");

    // Reads, lists and counts agree from both sides.
    let info = w.ok(&w.far, "InterconnectInfo", &of).await;
    assert_eq!(info.names(), FIELDS);
    assert_eq!(
        info.texts(&["ECGridIDFrom", "ECGridIDTo", "Status"]),
        [a, f, "Active"]
    );
    let by_id = w
        .ok(
            &w.sender,
            "InterconnectListByECGridID",
            &[("ECGridID", a), ("Status", "Active")],
        )
        .await;
    assert_eq!(by_id.column("InterconnectID"), vec![ic.as_str()]);
    assert_eq!(
        by_id.children[0].texts(&FIELDS[..4]),
        info.texts(&FIELDS[..4])
    );
    let by_status = w
        .ok(
            &w.far,
            "InterconnectListByStatus",
            &[("MailboxID", "400"), ("Status", "Active")],
        )
        .await;
    assert_eq!(by_status.column("InterconnectID"), vec![ic.as_str()]);
    let none = w
        .ok(
            &w.sender,
            "InterconnectListByStatus",
            &[("Status", "Preproduction")],
        )
        .await;
    assert!(none.children.is_empty(), "{none:?}");
    assert_eq!(w.count(&w.sender, a, "").await, "1");
    assert_eq!(w.count(&w.far, f, "Active").await, "1");
    assert_eq!(w.count(&w.far, f, "Preproduction").await, "0");

    // A note, kept with the ones the request and the acceptance wrote.
    let noted = w
        .ok(
            &w.far,
            "InterconnectNote",
            &[("InterconnectID", ic.as_str()), ("Note", "go live")],
        )
        .await;
    assert_eq!(noted.text, "true");
    let notes = w.notes(&ic).await;
    assert_eq!(
        notes.last().map(String::as_str),
        Some("go live"),
        "{notes:?}"
    );

    // Failures that change nothing.
    let fault = w
        .fault(
            &w.sender,
            "InterconnectNote",
            &[("InterconnectID", ic.as_str()), ("Note", " ")],
        )
        .await;
    assert_eq!(
        (fault.category.as_str(), fault.item.as_str()),
        ("InvalidParameter", "Note")
    );
    let fault = w
        .fault(
            &w.outsider,
            "InterconnectNote",
            &[("InterconnectID", ic.as_str()), ("Note", "mine")],
        )
        .await;
    assert_eq!(fault.category, "Authorization", "{fault:?}");
    assert_eq!(w.notes(&ic).await, notes);
    for op in ["InterconnectInfo", "InterconnectCancel"] {
        let fault = w.fault(&w.outsider, op, &of).await;
        assert_eq!(fault.category, "Authorization", "{op}: {fault:?}");
    }
    let unknown = w
        .fault(
            &w.sender,
            "InterconnectInfo",
            &[("InterconnectID", "99999")],
        )
        .await;
    let theirs = w.fault(&w.outsider, "InterconnectInfo", &of).await;
    assert_eq!(
        (unknown.category, unknown.message),
        (theirs.category, theirs.message),
        "a number out of reach reads as one that does not exist"
    );
    // InterconnectUpdate: Suspended holds the traffic, Active opens the route again; nothing
    // goes back to waiting for the partner, and an outsider changes nothing.
    let update = |status: &'static str| [("InterconnectID", ic.clone()), ("Status", status.into())];
    let held = w
        .ok(
            &w.sender,
            "InterconnectUpdate",
            &pairs(&update("Suspended")),
        )
        .await;
    assert_eq!(
        held.texts(&["Status", "InterconnectStatus"]),
        ["Suspended", "Delayed"]
    );
    w.upload(3).await;
    assert_eq!(
        w.sent().await[2].0,
        "NoRoute",
        "a suspended interconnect holds"
    );
    let fault = w
        .fault(
            &w.sender,
            "InterconnectUpdate",
            &pairs(&update("Preproduction")),
        )
        .await;
    assert_eq!(
        (fault.category.as_str(), fault.item.as_str()),
        ("InvalidParameter", "Status")
    );
    let fault = w
        .fault(&w.outsider, "InterconnectUpdate", &pairs(&update("Active")))
        .await;
    assert_eq!(fault.category, "Authorization", "{fault:?}");
    let open = w
        .ok(&w.sender, "InterconnectUpdate", &pairs(&update("Active")))
        .await;
    assert_eq!(
        open.texts(&["Status", "InterconnectStatus"]),
        ["Active", "Completed"]
    );
    w.upload(4).await;
    assert_eq!(
        w.sent().await[3].0,
        "Delivered",
        "open again: {:?}",
        w.sent().await
    );
    assert_eq!(w.far_waiting().await, 2);

    // Either side cancels, once; nothing routes after.
    assert_eq!(w.ok(&w.far, "InterconnectCancel", &of).await.text, "true");
    let fault = w.fault(&w.sender, "InterconnectCancel", &of).await;
    assert_eq!(
        (fault.category.as_str(), fault.item.as_str()),
        ("InvalidParameter", "InterconnectID")
    );
    let info = w.ok(&w.sender, "InterconnectInfo", &of).await;
    assert_eq!(
        info.texts(&["Status", "InterconnectStatus"]),
        ["Terminated", "Canceled"]
    );
    assert_eq!(w.count(&w.sender, a, "Terminated").await, "1");
    w.upload(5).await;
    assert_eq!(w.sent().await[4].0, "NoRoute");
    assert_eq!(w.far_waiting().await, 2, "nothing new after the cancel");
}

/// `(&str, &str)` parameters from owned values.
fn pairs<'a>(params: &'a [(&'static str, String); 2]) -> [(&'static str, &'a str); 2] {
    [
        (params[0].0, params[0].1.as_str()),
        (params[1].0, params[1].1.as_str()),
    ]
}
