//! Carbon copies and interconnects over REST v2 (`/v2/carboncopies/*`, `/v2/partners/*`) and
//! the documented dialect's `CarbonCopy*` (SPEC-VAN 20), on SQLite and PostgreSQL: each
//! operation answered, each refused with a reason that changes nothing.
//!
//! The world: network 100 with mailbox 200 (`sender`, MailboxAdmin, ZZ:FRSENDER), 201
//! (`receiver`, MailboxUser, ZZ:FRBUYER), 202 (`auditor`, MailboxUser); `netadmin`
//! (NetworkAdmin of 100); network 300 with mailbox 400 (`faradmin`, ZZ:FRFAR).

use edigrid_domain::AuthLevel;
use edigrid_testkit::{NS, TestApp, fresh_postgres_url, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

use crate::relations::{encode, x12};
use crate::rest_auth::{Auth, Reply, assert_invalid_naming, call, call_json};
use crate::support::deployed::Elem;

struct Fronts {
    app: TestApp,
    sender: String,
    receiver: String,
    auditor: String,
    net: String,
    far: String,
    a: i64,
    f: i64,
}

impl Fronts {
    async fn new(app: TestApp) -> Fronts {
        let users = app
            .directory()
            .user("sender", AuthLevel::MailboxAdmin, 100, 200)
            .user("receiver", AuthLevel::MailboxUser, 100, 201)
            .user("auditor", AuthLevel::MailboxUser, 100, 202)
            .user("netadmin", AuthLevel::NetworkAdmin, 100, 200)
            .user("faradmin", AuthLevel::MailboxAdmin, 300, 400)
            .build()
            .await;
        let a = i64::from(app.add_partner(100, 200, "ZZ", "FRSENDER", "A").await.0);
        app.add_partner(100, 201, "ZZ", "FRBUYER", "B").await;
        let f = i64::from(app.add_partner(300, 400, "ZZ", "FRFAR", "F").await.0);
        let key = |login: &str| app.api_key(users.user(login));
        Fronts {
            sender: key("sender").await,
            receiver: key("receiver").await,
            auditor: key("auditor").await,
            net: key("netadmin").await,
            far: key("faradmin").await,
            a,
            f,
            app,
        }
    }

    async fn post(&self, key: &str, path: &str, body: Value) -> Reply {
        call_json(&self.app, Method::POST, path, Auth::Key(key), &body).await
    }

    async fn put(&self, key: &str, path: &str, body: Value) -> Reply {
        call_json(&self.app, Method::PUT, path, Auth::Key(key), &body).await
    }

    async fn get(&self, key: &str, path: &str) -> Reply {
        call(&self.app, Method::GET, path, Auth::Key(key)).await
    }

    async fn delete(&self, key: &str, path: &str) -> Reply {
        call(&self.app, Method::DELETE, path, Auth::Key(key)).await
    }

    async fn upload(&self, key: &str, content: &str) {
        let body = json!({"fileName": "fr.x12", "content": encode(content.as_bytes())});
        self.post(key, "/v2/parcels/upload", body).await.ok();
    }

    /// How many parcels wait in the key's inbox.
    async fn waiting(&self, key: &str) -> usize {
        let reply = self.post(key, "/v2/parcels/inbox-list", json!({})).await;
        reply.ok().as_array().unwrap().len()
    }
}

macro_rules! on_both_backends {
    ($($scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            #[tokio::test]
            async fn on_sqlite() {
                let app = super::spawn_app().await;
                super::$scenario(super::Fronts::new(app).await).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(url) = super::fresh_postgres_url().await else {
                    eprintln!("skipped: EDIGRID_TEST_DATABASE_URL is not set");
                    return;
                };
                let app = super::spawn_app_with(|s| s.database = url).await;
                super::$scenario(super::Fronts::new(app).await).await;
            }
        }
    )+};
}

on_both_backends!(
    rest_carbon_copies,
    rest_carbon_copy_pages,
    rest_partners,
    documented_carbon_copies
);

async fn rest_carbon_copies(w: Fronts) {
    // Refusals first: none stores a rule.
    let refused = [
        (&w.net, json!({"toMailboxId": 202}), 400, "InvalidParameter"),
        (
            &w.net,
            json!({"fromMailboxId": 200}),
            400,
            "InvalidParameter",
        ),
        (
            &w.net,
            json!({"fromMailboxId": 200, "toMailboxId": 202, "direction": "Sideways"}),
            400,
            "InvalidParameter",
        ),
        (
            &w.receiver,
            json!({"fromMailboxId": 200, "toMailboxId": 202}),
            403,
            "AccessDenied",
        ),
        (
            &w.far,
            json!({"fromMailboxId": 400, "toMailboxId": 202}),
            403,
            "AccessDenied",
        ),
        (
            &w.net,
            json!({"fromMailboxId": 200, "toMailboxId": 200}),
            400,
            "InvalidParameter",
        ),
    ];
    for (key, body, status, code) in &refused {
        let reply = w.post(key, "/v2/carboncopies/create", body.clone()).await;
        reply.assert_error(*status, code);
    }
    let none = w.post(&w.net, "/v2/carboncopies/list", json!({})).await;
    assert_eq!(
        none.ok(),
        &json!({"totalRecords": 0, "pageNo": 1, "recordsPerPage": 25, "carbonCopies": []})
    );

    let made = w
        .post(
            &w.net,
            "/v2/carboncopies/create",
            json!({"fromMailboxId": 200, "toMailboxId": 202, "direction": "OutBox"}),
        )
        .await;
    let rule = made.ok().clone();
    let id = rule["ccId"].as_i64().unwrap();
    assert_eq!(
        (
            &rule["fromMailboxId"],
            &rule["toMailboxId"],
            &rule["direction"],
            &rule["status"]
        ),
        (&json!(200), &json!(202), &json!("OutBox"), &json!("Active"))
    );
    assert_eq!(
        w.get(&w.auditor, &format!("/v2/carboncopies/{id}"))
            .await
            .ok(),
        &rule
    );
    let listed = w
        .post(
            &w.auditor,
            "/v2/carboncopies/list",
            json!({"status": "Active"}),
        )
        .await;
    assert_eq!(listed.ok()["carbonCopies"][0]["ccId"], json!(id));
    assert_eq!(listed.ok()["totalRecords"], json!(1));

    // A mailbox rule copies what the mailbox sends, unchanged.
    let one = x12("FRSENDER", "FRBUYER", 1, "850");
    w.upload(&w.sender, &one).await;
    assert_eq!(
        (w.waiting(&w.receiver).await, w.waiting(&w.auditor).await),
        (1, 1)
    );
    let copy = w
        .post(&w.auditor, "/v2/parcels/inbox-list", json!({}))
        .await;
    let copy_id = copy.ok()[0]["parcelId"].as_i64().unwrap();
    let downloaded = w
        .post(
            &w.auditor,
            "/v2/parcels/download",
            json!({"parcelId": copy_id}),
        )
        .await;
    assert!(downloaded.status == 200, "{}", downloaded.body);

    // Update: suspend (no copies), a new direction is refused, delete terminates.
    let suspended = w
        .put(
            &w.sender,
            "/v2/carboncopies/update",
            json!({"ccId": id, "status": "Suspended"}),
        )
        .await;
    assert_eq!(suspended.ok()["status"], "Suspended");
    w.upload(&w.sender, &x12("FRSENDER", "FRBUYER", 2, "850"))
        .await;
    assert_eq!(
        w.waiting(&w.auditor).await,
        0,
        "downloaded, and nothing new"
    );
    let turned = w
        .put(
            &w.sender,
            "/v2/carboncopies/update",
            json!({"ccId": id, "direction": "InBox"}),
        )
        .await;
    turned.assert_error(400, "InvalidParameter");
    let theirs = w
        .put(
            &w.far,
            "/v2/carboncopies/update",
            json!({"ccId": id, "status": "Active"}),
        )
        .await;
    theirs.assert_error(403, "AccessDenied");
    w.get(&w.far, &format!("/v2/carboncopies/{id}"))
        .await
        .assert_error(403, "AccessDenied");
    w.get(&w.far, "/v2/carboncopies/99999")
        .await
        .assert_error(403, "AccessDenied");
    assert_eq!(
        w.get(&w.net, &format!("/v2/carboncopies/{id}")).await.ok()["status"],
        "Suspended"
    );
    assert_eq!(
        w.delete(&w.sender, &format!("/v2/carboncopies/{id}"))
            .await
            .ok(),
        &json!(true)
    );
    w.delete(&w.sender, &format!("/v2/carboncopies/{id}"))
        .await
        .assert_error(400, "InvalidParameter");
    assert_eq!(
        w.get(&w.net, &format!("/v2/carboncopies/{id}")).await.ok()["status"],
        "Terminated"
    );
    w.post(
        &w.net,
        "/v2/carboncopies/list",
        json!({"status": "Sometimes"}),
    )
    .await
    .assert_error(400, "InvalidParameter");
}

/// `POST /v2/carboncopies/list` pages as SPEC-VAN 19 says: `pageNo` from 1, `recordsPerPage`
/// up to 500, the page answered with the number of all the rules that match; a bad page is a
/// 400 naming the field, and changes nothing.
async fn rest_carbon_copy_pages(w: Fronts) {
    let mut ids = Vec::new();
    for (from, to, direction) in [
        (200, 202, "OutBox"),
        (201, 202, "InBox"),
        (200, 201, "NoDir"),
    ] {
        let made = w
            .post(
                &w.net,
                "/v2/carboncopies/create",
                json!({"fromMailboxId": from, "toMailboxId": to, "direction": direction}),
            )
            .await;
        ids.push(made.ok()["ccId"].clone());
    }
    let list = |body: Value| w.post(&w.net, "/v2/carboncopies/list", body);
    let ids_of = |page: &Value| -> Vec<Value> {
        page["carbonCopies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["ccId"].clone())
            .collect()
    };

    let first = list(json!({"pageNo": 1, "recordsPerPage": 2})).await;
    let first = first.ok();
    assert_eq!(
        (
            &first["totalRecords"],
            &first["pageNo"],
            &first["recordsPerPage"]
        ),
        (&json!(3), &json!(1), &json!(2))
    );
    assert_eq!(ids_of(first), ids[..2], "oldest first");
    let second = list(json!({"pageNo": 2, "recordsPerPage": 2})).await;
    let second = second.ok();
    assert_eq!(
        (&second["totalRecords"], &second["pageNo"]),
        (&json!(3), &json!(2))
    );
    assert_eq!(ids_of(second), ids[2..]);
    let beyond = list(json!({"pageNo": 3, "recordsPerPage": 2})).await;
    let beyond = beyond.ok();
    assert_eq!(beyond["totalRecords"], json!(3));
    assert_eq!(ids_of(beyond), Vec::<Value>::new());

    // Totals count what the filters keep, not what the page shows.
    let into_201 = list(json!({"mailboxId": 201, "recordsPerPage": 1})).await;
    let into_201 = into_201.ok();
    assert_eq!(into_201["totalRecords"], json!(2));
    assert_eq!(ids_of(into_201), ids[1..2]);
    let suspended = list(json!({"status": "Suspended"})).await;
    assert_eq!(suspended.ok()["totalRecords"], json!(0));

    // Defaults: page 1 of 25.
    let all = list(json!({"pageNo": 0})).await;
    let all = all.ok().clone();
    assert_eq!(
        (&all["totalRecords"], &all["pageNo"], &all["recordsPerPage"]),
        (&json!(3), &json!(1), &json!(25))
    );
    assert_eq!(ids_of(&all), ids);

    for (body, field) in [
        (json!({"pageNo": -1}), "pageNo"),
        (json!({"pageNo": "two"}), "pageNo"),
        (json!({"recordsPerPage": 501}), "recordsPerPage"),
        (json!({"recordsPerPage": -5}), "recordsPerPage"),
    ] {
        assert_invalid_naming(&list(body).await, field);
    }
    assert_eq!(
        list(json!({})).await.ok(),
        &all,
        "refused pages change nothing"
    );
}

async fn rest_partners(w: Fronts) {
    let refused = [
        (
            &w.receiver,
            json!({"ecGridIdFrom": w.a, "ecGridIdTo": w.f}),
            403,
            "AccessDenied",
        ),
        (
            &w.sender,
            json!({"ecGridIdFrom": w.a, "ecGridIdTo": 987654}),
            404,
            "ObjectNotFound",
        ),
        (
            &w.sender,
            json!({"ecGridIdFrom": w.a, "ecGridIdTo": w.a}),
            400,
            "InvalidParameter",
        ),
        (
            &w.sender,
            json!({"ecGridIdFrom": w.a}),
            400,
            "InvalidParameter",
        ),
    ];
    for (key, body, status, code) in &refused {
        w.post(key, "/v2/partners", body.clone())
            .await
            .assert_error(*status, code);
    }
    let count = w
        .post(&w.sender, "/v2/partners/count", json!({"ecGridId": w.a}))
        .await;
    assert_eq!(count.ok(), &json!(0));

    // Asked for, then accepted by the partner's side; traffic flows between the networks.
    let asked = w
        .post(
            &w.sender,
            "/v2/partners",
            json!({"ecGridIdFrom": w.a, "ecGridIdTo": w.f}),
        )
        .await;
    let ic = asked.ok()["interconnectId"].as_i64().unwrap();
    assert_eq!(
        (&asked.ok()["status"], &asked.ok()["interconnectStatus"]),
        (&json!("Preproduction"), &json!("Pending"))
    );
    w.upload(&w.sender, &x12("FRSENDER", "FRFAR", 1, "850"))
        .await;
    assert_eq!(w.waiting(&w.far).await, 0, "not yet accepted");
    let accepted = w
        .post(
            &w.far,
            "/v2/partners",
            json!({"ecGridIdFrom": w.f, "ecGridIdTo": w.a}),
        )
        .await;
    assert_eq!(
        (
            accepted.ok()["interconnectId"].as_i64(),
            &accepted.ok()["status"]
        ),
        (Some(ic), &json!("Active"))
    );
    w.upload(&w.sender, &x12("FRSENDER", "FRFAR", 2, "850"))
        .await;
    assert_eq!(w.waiting(&w.far).await, 1, "routes once accepted");

    let got = w.get(&w.far, &format!("/v2/partners/{ic}")).await;
    assert_eq!(got.ok()["ecGridIdTo"], json!(w.f));
    let note = w
        .post(
            &w.far,
            "/v2/partners/note",
            json!({"interconnectId": ic, "note": "go live"}),
        )
        .await;
    assert_eq!(note.ok(), &json!(true));
    let notes = w
        .post(
            &w.sender,
            "/v2/partners/notelist",
            json!({"interconnectId": ic}),
        )
        .await;
    let texts: Vec<&str> = notes
        .ok()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert_eq!(texts[2], "go live");
    let listed = w
        .post(
            &w.sender,
            "/v2/partners/list",
            json!({"ecGridId": w.a, "status": "Active"}),
        )
        .await;
    assert_eq!(listed.ok()[0]["interconnectId"], json!(ic));
    let query = w
        .get(
            &w.sender,
            &format!("/v2/partners?ecGridId={}&status=Active", w.a),
        )
        .await;
    assert_eq!(query.ok(), listed.ok(), "the migration table's GET");
    let counted = w
        .get(&w.far, &format!("/v2/partners/count?ecGridId={}", w.f))
        .await;
    assert_eq!(counted.ok(), &json!(1));
    let pending = w
        .post(
            &w.far,
            "/v2/partners/count",
            json!({"ecGridId": w.f, "status": "Preproduction"}),
        )
        .await;
    assert_eq!(pending.ok(), &json!(0));

    // Refusals that change nothing, then the cancel.
    w.get(&w.receiver, &format!("/v2/partners/{ic}"))
        .await
        .assert_error(403, "AccessDenied");
    w.delete(&w.auditor, &format!("/v2/partners/{ic}"))
        .await
        .assert_error(403, "AccessDenied");
    w.post(
        &w.sender,
        "/v2/partners/note",
        json!({"interconnectId": ic, "note": " "}),
    )
    .await
    .assert_error(400, "InvalidParameter");
    w.post(&w.sender, "/v2/partners/count", json!({"ecGridId": 0}))
        .await
        .assert_error(400, "InvalidParameter");
    w.post(
        &w.sender,
        "/v2/partners/list",
        json!({"ecGridId": w.a, "status": "Sideways"}),
    )
    .await
    .assert_error(400, "InvalidParameter");
    w.post(
        &w.sender,
        "/v2/partners",
        json!({"ecGridIdFrom": w.a, "ecGridIdTo": w.f}),
    )
    .await
    .assert_error(400, "InvalidParameter");
    assert_eq!(
        w.get(&w.sender, &format!("/v2/partners/{ic}")).await.ok()["status"],
        "Active"
    );
    assert_eq!(
        w.delete(&w.far, &format!("/v2/partners/{ic}")).await.ok(),
        &json!(true)
    );
    w.delete(&w.sender, &format!("/v2/partners/{ic}"))
        .await
        .assert_error(400, "InvalidParameter");
    assert_eq!(
        w.get(&w.sender, &format!("/v2/partners/{ic}")).await.ok()["status"],
        "Terminated"
    );
    w.upload(&w.sender, &x12("FRSENDER", "FRFAR", 3, "850"))
        .await;
    assert_eq!(w.waiting(&w.far).await, 1, "nothing new after the cancel");
}

/// A documented-dialect call as `login`: the `{op}Result` element, or the fault.
async fn documented(
    app: &TestApp,
    sid: &str,
    op: &str,
    params: &[(&str, &str)],
) -> Result<Elem, edigrid_testkit::Fault> {
    let mut all = vec![("SessionID", sid)];
    all.extend_from_slice(params);
    let reply = app.soap_in(NS, op, &all).await;
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

async fn documented_carbon_copies(w: Fronts) {
    let login = |name: &'static str| {
        let app = &w.app;
        async move {
            let params = [
                ("LoginName", name),
                ("Password", edigrid_testkit::TEST_PASSWORD),
            ];
            app.soap_ok_in(NS, "Login", &params)
                .await
                .expect_field("LoginResult")
        }
    };
    let (net, receiver, auditor) = (
        login("netadmin").await,
        login("receiver").await,
        login("auditor").await,
    );
    let app = &w.app;
    let add = |d: &'static str| {
        [
            ("FromMailboxID", "201"),
            ("ToMailboxID", "202"),
            ("Direction", d),
        ]
    };
    let f = documented(app, &net, "CarbonCopyAdd", &add("NoDir"))
        .await
        .unwrap_err();
    assert_eq!(
        (f.category.as_str(), f.item.as_str()),
        ("InvalidParameter", "Direction")
    );
    let f = documented(app, &receiver, "CarbonCopyAdd", &add("InBox"))
        .await
        .unwrap_err();
    assert_eq!(f.category, "Authorization");
    let id = documented(app, &net, "CarbonCopyAdd", &add("InBox"))
        .await
        .unwrap()
        .text;
    let of = [("CarbonCopyID", id.as_str())];
    let info = documented(app, &auditor, "CarbonCopyInfo", &of)
        .await
        .unwrap();
    assert_eq!(
        info.names(),
        [
            "CarbonCopyID",
            "FromMailboxID",
            "ToMailboxID",
            "Direction",
            "Status",
            "CreateDate",
            "ModDate"
        ]
    );
    assert_eq!(
        info.texts(&["FromMailboxID", "ToMailboxID", "Direction", "Status"]),
        ["201", "202", "InBox", "Active"]
    );

    // An InBox rule copies what mailbox 201 receives.
    w.upload(&w.sender, &x12("FRSENDER", "FRBUYER", 7, "850"))
        .await;
    assert_eq!(w.waiting(&w.auditor).await, 1);

    let listed = documented(
        app,
        &auditor,
        "CarbonCopyList",
        &[("MailboxID", "202"), ("Status", "Active")],
    )
    .await
    .unwrap();
    assert_eq!(listed.column("CarbonCopyID"), vec![id.clone()]);
    let f = documented(app, &receiver, "CarbonCopySuspend", &of)
        .await
        .unwrap_err();
    assert_eq!(f.category, "Authorization", "reading is not managing");
    assert_eq!(
        documented(app, &net, "CarbonCopySuspend", &of)
            .await
            .unwrap()
            .text,
        "true"
    );
    let f = documented(app, &net, "CarbonCopySuspend", &of)
        .await
        .unwrap_err();
    assert_eq!(
        (f.category.as_str(), f.item.as_str()),
        ("InvalidParameter", "CarbonCopyID")
    );
    assert_eq!(
        documented(app, &net, "CarbonCopyActivate", &of)
            .await
            .unwrap()
            .text,
        "true"
    );
    assert_eq!(
        documented(app, &net, "CarbonCopyTerminate", &of)
            .await
            .unwrap()
            .text,
        "true"
    );
    let info = documented(app, &net, "CarbonCopyInfo", &of).await.unwrap();
    assert_eq!(info.text_of("Status"), "Terminated");
    let f = documented(
        app,
        &auditor,
        "CarbonCopyInfo",
        &[("CarbonCopyID", "99999")],
    )
    .await
    .unwrap_err();
    assert_eq!(f.category, "Authorization");
}
