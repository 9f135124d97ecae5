//! Keys and the status list (SPEC-VAN 20) over raw envelopes (both SOAP dialects) and REST:
//! set, read, replace, list by visibility, expiry on the test clock, removal, and every
//! refusal (unknown object, no authority, too long, malformed) leaving the keys as they were.
//!
//! The world: network 100 with mailbox 200 (`owner`, MailboxAdmin) and 201 (`other`,
//! MailboxUser), `netadmin` of 100; network 300 with mailbox 400 (`faruser`).

use chrono::Duration;
use edigrid_core::Clock;
use edigrid_domain::{AuthLevel, UserId};
use edigrid_testkit::{DEPLOYED_NS as DEP, Fault, NS as DOC, SoapReply, TestApp, spawn_app};
use serde_json::{Value, json};

use crate::support::deployed::Elem;

struct World {
    app: TestApp,
    owner: String,
    owner_session: String,
    other: String,
    netadmin: String,
    far: String,
    ops: String,
    owner_id: UserId,
    http: reqwest::Client,
}

impl World {
    async fn new() -> World {
        let app = spawn_app().await;
        let d = app
            .directory()
            .user("owner", AuthLevel::MailboxAdmin, 100, 200)
            .user("other", AuthLevel::MailboxUser, 100, 201)
            .user("netadmin", AuthLevel::NetworkAdmin, 100, 200)
            .user("faruser", AuthLevel::MailboxUser, 300, 400)
            .user("techops", AuthLevel::TechOps, 100, 200)
            .build()
            .await;
        let login = [
            ("LoginName", "owner"),
            ("Password", edigrid_testkit::TEST_PASSWORD),
        ];
        let owner_session = app
            .soap_ok_in(DEP, "Login", &login)
            .await
            .expect_field("LoginResult");
        World {
            owner: app.api_key(d.user("owner")).await,
            other: app.api_key(d.user("other")).await,
            netadmin: app.api_key(d.user("netadmin")).await,
            far: app.api_key(d.user("faruser")).await,
            ops: app.api_key(d.user("techops")).await,
            owner_id: d.user("owner"),
            owner_session,
            http: reqwest::Client::new(),
            app,
        }
    }

    async fn call(&self, ns: &str, sid: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
        let mut all = vec![("SessionID", sid)];
        all.extend_from_slice(params);
        self.app.soap_in(ns, op, &all).await
    }

    /// A deployed call that must succeed: its result element.
    async fn ok(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> Elem {
        let reply = self.call(DEP, sid, op, params).await;
        assert!(reply.fault().is_none(), "{op} {params:?}: {}", reply.body);
        let doc = roxmltree::Document::parse(&reply.body).unwrap();
        let result = doc
            .descendants()
            .find(|n| n.has_tag_name((DEP, format!("{op}Result").as_str())))
            .unwrap_or_else(|| panic!("{op}: no result in {}", reply.body));
        Elem::of(result)
    }

    /// A deployed call that must fault in `category` naming `item` (any when empty).
    async fn no(
        &self,
        sid: &str,
        op: &str,
        params: &[(&str, &str)],
        category: &str,
        item: &str,
    ) -> Fault {
        let f = self.call(DEP, sid, op, params).await.expect_fault();
        let want_item: &str = if item.is_empty() { &f.item } else { item };
        // The category as either dialect's detail names it.
        assert!(
            (f.category == category || f.error_string == category) && f.item == want_item,
            "{op} {params:?}: want {category} naming {want_item:?}, got {f:?}"
        );
        f
    }

    /// `KeyGet` on mailbox 200: the value, or `None` when it is not found.
    async fn value(&self, sid: &str, key: &str, visibility: &str) -> Option<String> {
        let params = [
            ("Key", key),
            ("SystemObject", "Mailbox"),
            ("ObjectID", "200"),
            ("Visibility", visibility),
        ];
        let reply = self.call(DEP, sid, "KeyGet", &params).await;
        match reply.fault() {
            Some(f) => {
                assert_eq!(
                    (f.error_string.as_str(), f.item.as_str()),
                    ("NotFound", "Key"),
                    "{f:?}"
                );
                None
            }
            None => Some(reply.expect_field("Value")),
        }
    }

    /// The names (and visibilities) `KeyList` on mailbox 200 shows the caller.
    async fn names(&self, sid: &str) -> Vec<String> {
        let list = self
            .ok(
                sid,
                "KeyList",
                &[("SystemObject", "Mailbox"), ("ObjectID", "200")],
            )
            .await;
        list.children
            .iter()
            .map(|k| format!("{}/{}", k.text_of("Key"), k.text_of("Visibility")))
            .collect()
    }

    async fn set(
        &self,
        sid: &str,
        key: &str,
        visibility: &str,
        value: &str,
        days: &str,
    ) -> SoapReply {
        let params = [
            ("Key", key),
            ("SystemObject", "Mailbox"),
            ("ObjectID", "200"),
            ("Visibility", visibility),
            ("Value", value),
            ("Meta", "m"),
            ("DaysToLive", days),
        ];
        self.call(DEP, sid, "KeySet", &params).await
    }

    async fn rest(
        &self,
        method: reqwest::Method,
        key: &str,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let reply = self
            .http
            .request(method, format!("{}{path}", self.app.base_url()))
            .header("X-API-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = reply.status().as_u16();
        (status, reply.json().await.unwrap())
    }
}

#[tokio::test]
async fn deployed_keys_set_read_list_expire_and_remove() {
    let w = World::new().await;
    assert_eq!(
        w.set(&w.owner, "colour", "Shared", "blue", "0")
            .await
            .expect_field("KeySetResult"),
        "true"
    );
    let got = w
        .ok(
            &w.owner,
            "KeyGet",
            &[
                ("Key", "colour"),
                ("SystemObject", "Mailbox"),
                ("ObjectID", "200"),
                ("Visibility", "Shared"),
            ],
        )
        .await;
    assert_eq!(
        got.names(),
        [
            "Key",
            "Value",
            "Meta",
            "Created",
            "Expires",
            "Visibility",
            "NetworkID",
            "MailboxID",
            "UserID"
        ],
        "KeyValue in WSDL order, no SessionID"
    );
    assert_eq!(got.text_of("Value"), "blue");
    assert_eq!(
        got.text_of("Expires"),
        "0001-01-01T00:00:00",
        "never expires"
    );
    assert_eq!(got.text_of("UserID"), w.owner_id.0.to_string());

    // Replaced in place; a Private key of the same name is another key, the owner's alone.
    w.set(&w.owner, "colour", "Shared", "green", "0")
        .await
        .expect_field("KeySetResult");
    w.set(&w.owner, "colour", "Private", "mine", "3")
        .await
        .expect_field("KeySetResult");
    assert_eq!(
        w.value(&w.owner, "colour", "Shared").await.as_deref(),
        Some("green")
    );
    assert_eq!(
        w.value(&w.owner, "colour", "Private").await.as_deref(),
        Some("mine")
    );
    assert_eq!(
        w.value(&w.netadmin, "colour", "Private").await,
        None,
        "another user's Private key"
    );
    assert_eq!(
        w.value(&w.netadmin, "colour", "Shared").await.as_deref(),
        Some("green")
    );
    assert_eq!(w.names(&w.owner).await, ["colour/Private", "colour/Shared"]);
    assert_eq!(w.names(&w.netadmin).await, ["colour/Shared"]);

    // Public keys are read by anyone signed in; the rest of the object stays hidden.
    w.set(&w.owner, "hello", "Public", "world", "0")
        .await
        .expect_field("KeySetResult");
    assert_eq!(w.names(&w.far).await, ["hello/Public"]);
    assert_eq!(
        w.value(&w.far, "hello", "Public").await.as_deref(),
        Some("world")
    );

    // A Session key belongs to its session; an API key has none.
    let session = w.owner_session.clone();
    w.set(&session, "draft", "Session", "x", "0")
        .await
        .expect_field("KeySetResult");
    assert_eq!(
        w.value(&session, "draft", "Session").await.as_deref(),
        Some("x")
    );
    assert!(
        !w.names(&w.owner)
            .await
            .contains(&"draft/Session".to_string())
    );
    w.no(
        &w.owner,
        "KeyGet",
        &[
            ("Key", "draft"),
            ("SystemObject", "Mailbox"),
            ("ObjectID", "200"),
            ("Visibility", "Session"),
        ],
        "InvalidParameter",
        "Visibility",
    )
    .await;

    // Expiry on the server's clock: there for nine minutes, gone at ten.
    let minutes = [
        ("Key", "ttl"),
        ("SystemObject", "Mailbox"),
        ("ObjectID", "200"),
        ("Visibility", "Shared"),
        ("Value", "brief"),
        ("Meta", ""),
        ("MinutesToLive", "10"),
    ];
    let set_at = w.app.clock.now();
    assert_eq!(w.ok(&w.owner, "KeySetMinutes", &minutes).await.text, "true");
    let ttl = w
        .ok(
            &w.owner,
            "KeyGet",
            &[
                ("Key", "ttl"),
                ("SystemObject", "Mailbox"),
                ("ObjectID", "200"),
                ("Visibility", "Shared"),
            ],
        )
        .await;
    assert_eq!(
        ttl.text_of("Expires"),
        (set_at + Duration::minutes(10))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    );
    w.app.clock.advance(Duration::minutes(9));
    assert_eq!(
        w.value(&w.owner, "ttl", "Shared").await.as_deref(),
        Some("brief")
    );
    w.app.clock.advance(Duration::minutes(1));
    assert_eq!(w.value(&w.owner, "ttl", "Shared").await, None);
    assert!(!w.names(&w.owner).await.contains(&"ttl/Shared".to_string()));

    // Removed once; a second removal says there was none.
    let remove = [
        ("Key", "colour"),
        ("SystemObject", "Mailbox"),
        ("ObjectID", "200"),
        ("Visibility", "Shared"),
    ];
    assert_eq!(w.ok(&w.owner, "KeyRemove", &remove).await.text, "true");
    assert_eq!(w.ok(&w.owner, "KeyRemove", &remove).await.text, "false");
    assert_eq!(w.value(&w.owner, "colour", "Shared").await, None);
    assert_eq!(
        w.value(&w.owner, "colour", "Private").await.as_deref(),
        Some("mine")
    );
}

#[tokio::test]
async fn deployed_key_refusals_change_nothing() {
    let w = World::new().await;
    w.set(&w.owner, "colour", "Shared", "blue", "0")
        .await
        .expect_field("KeySetResult");
    let before = w.names(&w.owner).await;
    let long_value = "v".repeat(8_001);
    let long_key = "k".repeat(129);
    let set = |key: &'static str, object: &'static str, id: &'static str| {
        vec![
            ("Key", key),
            ("SystemObject", object),
            ("ObjectID", id),
            ("Visibility", "Shared"),
            ("Value", "red"),
            ("Meta", ""),
            ("DaysToLive", "0"),
        ]
    };
    w.no(
        &w.owner,
        "KeySet",
        &set("colour", "Invoice", "1"),
        "InvalidParameter",
        "SystemObject",
    )
    .await;
    w.no(
        &w.owner,
        "KeySet",
        &set("colour", "Mailbox", "0"),
        "InvalidParameter",
        "ObjectID",
    )
    .await;
    w.no(
        &w.owner,
        "KeySet",
        &set("colour", "System", "0"),
        "AccessDenied",
        "",
    )
    .await;
    // Out of reach and missing answer alike.
    let far = w
        .no(
            &w.far,
            "KeySet",
            &set("colour", "Mailbox", "200"),
            "AccessDenied",
            "",
        )
        .await;
    let missing = w
        .no(
            &w.far,
            "KeySet",
            &set("colour", "Mailbox", "999"),
            "AccessDenied",
            "",
        )
        .await;
    assert_eq!(far.message, missing.message);
    // Reading a mailbox's keys is not changing them.
    w.no(
        &w.other,
        "KeySet",
        &set("colour", "Mailbox", "200"),
        "AccessDenied",
        "",
    )
    .await;
    w.no(
        &w.owner,
        "KeySet",
        &set("", "Mailbox", "200"),
        "InvalidParameter",
        "Key",
    )
    .await;
    let mut too_long = set("colour", "Mailbox", "200");
    too_long[0] = ("Key", long_key.as_str());
    w.no(&w.owner, "KeySet", &too_long, "InvalidParameter", "Key")
        .await;
    let mut big = set("colour", "Mailbox", "200");
    big[4] = ("Value", long_value.as_str());
    w.no(&w.owner, "KeySet", &big, "InvalidParameter", "Value")
        .await;
    let mut negative = set("colour", "Mailbox", "200");
    negative[6] = ("DaysToLive", "-1");
    w.no(
        &w.owner,
        "KeySet",
        &negative,
        "InvalidParameter",
        "DaysToLive",
    )
    .await;
    w.no(
        &w.far,
        "KeyRemove",
        &[
            ("Key", "colour"),
            ("SystemObject", "Mailbox"),
            ("ObjectID", "200"),
            ("Visibility", "Shared"),
        ],
        "AccessDenied",
        "",
    )
    .await;
    w.no(
        &w.far,
        "KeyGet",
        &[
            ("Key", "colour"),
            ("SystemObject", "Mailbox"),
            ("ObjectID", "200"),
            ("Visibility", "Shared"),
        ],
        "AccessDenied",
        "",
    )
    .await;
    w.no(
        &w.owner,
        "KeyGet",
        &[
            ("Key", "nothing"),
            ("SystemObject", "Mailbox"),
            ("ObjectID", "200"),
            ("Visibility", "Shared"),
        ],
        "NotFound",
        "Key",
    )
    .await;
    assert_eq!(w.names(&w.owner).await, before, "nothing changed");
    assert_eq!(
        w.value(&w.owner, "colour", "Shared").await.as_deref(),
        Some("blue")
    );
    // Without a session, nothing at all.
    let anonymous = w
        .app
        .soap_in(
            DEP,
            "KeyList",
            &[("SystemObject", "Mailbox"), ("ObjectID", "200")],
        )
        .await;
    assert!(anonymous.fault().is_some(), "{}", anonymous.body);
}

#[tokio::test]
async fn status_list_in_soap_and_rest() {
    let w = World::new().await;
    let list = w.ok(&w.owner, "StatusList", &[]).await;
    let entries: Vec<(String, String)> = list
        .children
        .iter()
        .map(|s| {
            (
                s.text_of("Qualifier").to_string(),
                s.text_of("Message").to_string(),
            )
        })
        .collect();
    for want in [
        ("ParcelStatus", "InBoxReady"),
        ("ParcelStatus", "outboxDeliveryError"),
        ("InterchangeStatus", "NoRoute"),
        ("Status", "Suspended"),
    ] {
        assert!(
            entries.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} in {entries:?}"
        );
    }
    assert_eq!(
        list.children[0].names(),
        ["Code", "Qualifier", "Message", "Level"]
    );
    let (status, body) = w
        .rest(
            reqwest::Method::GET,
            &w.other,
            "/v2/status-lists",
            json!(null),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let codes = |list: &str| -> Vec<String> {
        body["data"][list]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(codes("parcelStatuses").contains(&"InBoxTransferred".to_string()));
    assert_eq!(
        codes("interchangeStatuses"),
        [
            "Delivered",
            "Invalid",
            "UnknownSender",
            "NoRoute",
            "Cancelled"
        ]
    );
    assert!(
        body["data"]["parcelStatuses"][0]["description"]
            .as_str()
            .unwrap()
            .len()
            > 5
    );
    let anonymous = w
        .http
        .get(format!("{}/v2/status-lists", w.app.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(
        w.app
            .soap_in(DEP, "StatusList", &[])
            .await
            .fault()
            .is_some()
    );
}

#[tokio::test]
async fn rest_keys_create_read_list_and_delete() {
    let w = World::new().await;
    let me = w.owner_id.0;
    let (status, created) = w
        .rest(
            reqwest::Method::POST,
            &w.owner,
            "/v2/keys/create",
            json!({"userId": me, "visibility": "Private"}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let key = created["data"].clone();
    assert!(key["key"].as_str().unwrap().starts_with("ek_"), "{key}");
    assert_eq!(
        (key["userId"].as_i64(), key["visibility"].as_str()),
        (Some(i64::from(me)), Some("Private"))
    );
    let (_, got) = w
        .rest(
            reqwest::Method::POST,
            &w.owner,
            "/v2/keys/get-key",
            json!({"userId": me}),
        )
        .await;
    assert_eq!(got["data"]["keyId"], key["keyId"]);
    // A key on another object, named, with a value and a life.
    let body = json!({"systemObject": "Mailbox", "objectId": 200, "visibility": "Shared", "key": "colour", "value": "blue", "minutesToLive": 5});
    let (status, colour) = w
        .rest(reqwest::Method::POST, &w.owner, "/v2/keys/create", body)
        .await;
    assert_eq!(status, 200, "{colour}");
    assert_eq!(colour["data"]["value"], "blue");
    assert!(colour["data"]["expires"].is_string());
    let (_, list) = w
        .rest(
            reqwest::Method::POST,
            &w.netadmin,
            "/v2/keys/list",
            json!({"systemObject": "Mailbox", "objectId": 200, "visibility": "Shared"}),
        )
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "{list}");
    // The user's Private key is not another user's to see or delete.
    let (_, theirs) = w
        .rest(
            reqwest::Method::POST,
            &w.netadmin,
            "/v2/keys/list",
            json!({"userId": me}),
        )
        .await;
    assert_eq!(theirs["data"].as_array().unwrap().len(), 0, "{theirs}");
    let (status, _) = w
        .rest(
            reqwest::Method::DELETE,
            &w.netadmin,
            "/v2/keys",
            json!({"keyId": key["keyId"]}),
        )
        .await;
    assert_eq!(status, 404);
    // Refusals: unknown object, no authority, too long, a bad visibility; nothing changes.
    let bad = [
        (
            json!({"systemObject": "Invoice", "objectId": 1, "visibility": "Shared"}),
            400,
            "systemObject",
        ),
        (
            json!({"userId": me, "visibility": "Sometimes"}),
            400,
            "visibility",
        ),
        (
            json!({"userId": me, "visibility": "Shared", "value": "v".repeat(8_001)}),
            400,
            "value",
        ),
        (
            json!({"userId": me, "visibility": "Shared", "key": "k".repeat(129)}),
            400,
            "key",
        ),
        (json!({"visibility": "Shared"}), 400, "userId"),
    ];
    for (body, want, field) in bad {
        let (status, reply) = w
            .rest(reqwest::Method::POST, &w.owner, "/v2/keys/create", body)
            .await;
        assert_eq!(status, want, "{reply}");
        assert!(
            reply["message"].as_str().unwrap().contains(field),
            "{reply}"
        );
    }
    let (status, _) = w
        .rest(
            reqwest::Method::POST,
            &w.far,
            "/v2/keys/create",
            json!({"userId": me, "visibility": "Shared"}),
        )
        .await;
    assert_eq!(status, 403);
    let (_, mine) = w
        .rest(
            reqwest::Method::POST,
            &w.owner,
            "/v2/keys/list",
            json!({"userId": me}),
        )
        .await;
    assert_eq!(
        mine["data"].as_array().unwrap().len(),
        1,
        "nothing added: {mine}"
    );
    // Deleted once; then gone.
    let (status, deleted) = w
        .rest(
            reqwest::Method::DELETE,
            &w.owner,
            "/v2/keys",
            json!({"keyId": key["keyId"]}),
        )
        .await;
    assert_eq!(
        (status, deleted["data"].as_bool()),
        (200, Some(true)),
        "{deleted}"
    );
    let (status, _) = w
        .rest(
            reqwest::Method::POST,
            &w.owner,
            "/v2/keys/get-key",
            json!({"userId": me}),
        )
        .await;
    assert_eq!(status, 404);
    // The Mailbox key expires on the server's clock.
    w.app.clock.advance(Duration::minutes(5));
    let (_, list) = w
        .rest(
            reqwest::Method::POST,
            &w.owner,
            "/v2/keys/list",
            json!({"systemObject": "Mailbox", "objectId": 200}),
        )
        .await;
    assert!(list["data"].as_array().unwrap().is_empty(), "{list}");
}

#[tokio::test]
async fn documented_keys_of_a_user() {
    let w = World::new().await;
    let me = w.owner_id.0.to_string();
    let reply = w
        .call(
            DOC,
            &w.owner,
            "KeySet",
            &[("UserID", &me), ("Visibility", "Shared")],
        )
        .await;
    assert!(reply.fault().is_none(), "{}", reply.body);
    let key_id = reply.expect_field("KeyID");
    assert!(reply.expect_field("Key").starts_with("ek_"));
    let got = w.call(DOC, &w.owner, "KeyGet", &[("UserID", &me)]).await;
    assert_eq!(got.expect_field("KeyID"), key_id);
    let list = w
        .call(DOC, &w.netadmin, "KeyList", &[("UserID", &me)])
        .await;
    assert_eq!(
        list.all("KeyID"),
        std::slice::from_ref(&key_id),
        "a Shared key is seen by who may read the user"
    );
    let refused = w
        .call(
            DOC,
            &w.far,
            "KeySet",
            &[("UserID", &me), ("Visibility", "Shared")],
        )
        .await;
    assert!(refused.fault().is_some(), "{}", refused.body);
    let removed = w
        .call(DOC, &w.owner, "KeyRemove", &[("KeyID", &key_id)])
        .await;
    assert_eq!(removed.expect_field("KeyRemoveResult"), "true");
    let again = w
        .call(DOC, &w.owner, "KeyRemove", &[("KeyID", &key_id)])
        .await;
    assert_eq!(again.expect_fault().item, "KeyID");
    let none = w.call(DOC, &w.owner, "KeyGet", &[("UserID", &me)]).await;
    assert_eq!(none.expect_fault().item, "Key");
}

/// The System object's keys: operators set them; everyone signed in reads its Public ones,
/// only operators the rest.
#[tokio::test]
async fn system_keys_are_set_by_operators() {
    let w = World::new().await;
    let set = |visibility: &'static str| {
        vec![
            ("Key", "motd"),
            ("SystemObject", "System"),
            ("ObjectID", "0"),
            ("Visibility", visibility),
            ("Value", "maintenance at noon"),
            ("Meta", ""),
            ("DaysToLive", "1"),
        ]
    };
    assert_eq!(w.ok(&w.ops, "KeySet", &set("Public")).await.text, "true");
    assert_eq!(w.ok(&w.ops, "KeySet", &set("Shared")).await.text, "true");
    w.no(&w.owner, "KeySet", &set("Public"), "AccessDenied", "")
        .await;
    let get = |visibility: &'static str| {
        vec![
            ("Key", "motd"),
            ("SystemObject", "System"),
            ("ObjectID", "0"),
            ("Visibility", visibility),
        ]
    };
    let public = w.ok(&w.far, "KeyGet", &get("Public")).await;
    assert_eq!(public.text_of("Value"), "maintenance at noon");
    w.no(&w.far, "KeyGet", &get("Shared"), "AccessDenied", "")
        .await;
    let list = |sid: &str| {
        let sid = sid.to_string();
        let w = &w;
        async move {
            w.ok(
                &sid,
                "KeyList",
                &[("SystemObject", "System"), ("ObjectID", "0")],
            )
            .await
            .children
            .iter()
            .map(|k| k.text_of("Visibility").to_string())
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(&w.far).await, ["Public"]);
    assert_eq!(list(&w.ops).await, ["Public", "Shared"]);
}
