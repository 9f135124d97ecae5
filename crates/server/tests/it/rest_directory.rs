//! The directory over REST v2 (ecgrid-docs `rest-api/{users,networks,mailboxes,ids}`, SPEC-VAN
//! 12 to 14 and 19) against the real server: each endpoint's success with what it returns and
//! its refusals (a wrong body names the field, a missing permission is `403`, a missing object
//! in scope is `404`, and out of scope an existing and a missing object get the same `403`),
//! the migration table's aliases against their pages' paths, the whole catalogue (119 pages,
//! each served or answered `501`), and the README's REST coverage table.
//!
//! Every test runs on network 100 (mailboxes 200 and 201), with `root` (Root, elsewhere),
//! `netadmin` (NetworkAdmin), `mbxadmin` (MailboxAdmin) and `mbxuser` (MailboxUser) of mailbox
//! 200, and out of their scope network 300 with mailbox 400 and its NetworkAdmin `faradmin`.
//! Everyone calls with an API key.

use std::future::Future;

use edigrid_core::Caller;
use edigrid_domain::{AuthLevel, CellCarrier, ContactType, MailboxId, NetworkId, UserId};
use edigrid_rest::catalogue::{ALIASES, CATALOGUE, Coverage, Method as CatalogueMethod};
use edigrid_testkit::{TEST_PASSWORD, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

use crate::rest_auth::{
    Auth, Reply, assert_invalid_naming, call, call_json, call_raw, names_field, parse_time,
    try_login,
};
use crate::support::json::pick;

const MISSING: i32 = 987_654;

struct Dir {
    app: TestApp,
    root_id: i32,
    net_id: i32,
    mbx_id: i32,
    user_id: i32,
    far_id: i32,
    root: String,
    net: String,
    mbx: String,
    user: String,
    far: String,
}

async fn dir() -> Dir {
    let app = spawn_app().await;
    let users = app
        .directory()
        .user("root", AuthLevel::Root, 1, 10)
        .users_in(
            100,
            200,
            &[
                ("netadmin", AuthLevel::NetworkAdmin),
                ("mbxadmin", AuthLevel::MailboxAdmin),
                ("mbxuser", AuthLevel::MailboxUser),
            ],
        )
        .user("faradmin", AuthLevel::NetworkAdmin, 300, 400)
        .mailbox(100, 201)
        .build()
        .await;
    let id = |login| users.user(login);
    Dir {
        root: app.api_key(id("root")).await,
        net: app.api_key(id("netadmin")).await,
        mbx: app.api_key(id("mbxadmin")).await,
        user: app.api_key(id("mbxuser")).await,
        far: app.api_key(id("faradmin")).await,
        root_id: id("root").0,
        net_id: id("netadmin").0,
        mbx_id: id("mbxadmin").0,
        user_id: id("mbxuser").0,
        far_id: id("faradmin").0,
        app,
    }
}

impl Dir {
    async fn get(&self, key: &str, path: impl AsRef<str>) -> Reply {
        call(&self.app, Method::GET, path.as_ref(), Auth::Key(key)).await
    }

    async fn delete(&self, key: &str, path: impl AsRef<str>) -> Reply {
        call(&self.app, Method::DELETE, path.as_ref(), Auth::Key(key)).await
    }

    async fn post(&self, key: &str, path: impl AsRef<str>, body: Value) -> Reply {
        call_json(
            &self.app,
            Method::POST,
            path.as_ref(),
            Auth::Key(key),
            &body,
        )
        .await
    }

    async fn put(&self, key: &str, path: impl AsRef<str>, body: Value) -> Reply {
        call_json(&self.app, Method::PUT, path.as_ref(), Auth::Key(key), &body).await
    }

    /// A trading-partner ID registered by `key` in `mailbox`; its ECGridID.
    async fn add_id(&self, key: &str, mailbox: i32, qualifier: &str, id: &str) -> i32 {
        let reply = self
            .post(
                key,
                "/v2/ids",
                json!({"mailboxId": mailbox, "qualifier": qualifier, "id": id, "description": "test"}),
            )
            .await;
        as_i32(&reply.ok()["ecGridId"])
    }
}

/// `base` with the members of `change` set.
fn merged(base: &Value, change: &Value) -> Value {
    let mut out = base.clone();
    for (k, v) in change.as_object().unwrap() {
        out[k] = v.clone();
    }
    out
}

/// The `key` of every item of a bare array.
#[track_caller]
fn column(reply: &Reply, key: &str) -> Vec<i32> {
    let items = reply.ok().as_array();
    let items = items.unwrap_or_else(|| panic!("not an array: {}", reply.body));
    items.iter().map(|item| as_i32(&item[key])).collect()
}

fn as_i32(v: &Value) -> i32 {
    v.as_i64()
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or_else(|| panic!("not an int: {v}"))
}

/// An out-of-scope object and a missing one: the same `403`, byte for byte.
#[track_caller]
fn assert_same_denial(existing: &Reply, missing: &Reply) {
    existing.assert_error(403, "AccessDenied");
    assert_eq!(existing.body, missing.body, "no existence oracle");
}

/// `call` on `far`, an object out of the caller's scope, and on [`MISSING`]: the same `403`
/// ([`assert_same_denial`]). Returns the answer about `far`.
async fn same_denial<F: Future<Output = Reply>>(far: i32, call: impl Fn(i32) -> F) -> Reply {
    let existing = call(far).await;
    assert_same_denial(&existing, &call(MISSING).await);
    existing
}

#[track_caller]
fn assert_not_found_naming(reply: &Reply, field: &str) {
    reply.assert_error(404, "ObjectNotFound");
    assert!(names_field(reply.message(), field), "{}", reply.body);
}

#[track_caller]
fn keys_of(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn sorted<const N: usize>(mut keys: [&str; N]) -> Vec<&str> {
    keys.sort_unstable();
    keys.to_vec()
}

const USER_KEYS: [&str; 10] = [
    "userId",
    "login",
    "email",
    "firstName",
    "lastName",
    "networkId",
    "mailboxId",
    "authLevel",
    "status",
    "created",
];
const NETWORK_KEYS: [&str; 6] = [
    "networkId",
    "uniqueId",
    "companyName",
    "status",
    "created",
    "modified",
];
const MAILBOX_KEYS: [&str; 7] = [
    "mailboxId",
    "networkId",
    "uniqueId",
    "companyName",
    "status",
    "created",
    "modified",
];
const ID_KEYS: [&str; 9] = [
    "ecGridId",
    "mailboxId",
    "networkId",
    "qualifier",
    "id",
    "description",
    "status",
    "routingGroup",
    "ediStandard",
];

// ---- users ---------------------------------------------------------------------------------

#[tokio::test]
async fn get_user_shows_the_user_and_hides_what_is_out_of_scope() {
    let d = dir().await;
    let reply = d.get(&d.net, &format!("/v2/users/{}", d.user_id)).await;
    let u = reply.ok();
    assert_eq!(keys_of(u), sorted(USER_KEYS));
    assert_eq!(
        pick(u, &["userId", "login", "email", "lastName"]),
        json!([d.user_id, "mbxuser", "mbxuser@example.com", "mbxuser"])
    );
    assert_eq!(
        pick(u, &["networkId", "mailboxId", "authLevel", "status"]),
        json!([100, 200, "MailboxUser", "Active"])
    );
    parse_time(&u["created"]);

    same_denial(d.far_id, |id| d.get(&d.net, format!("/v2/users/{id}"))).await;
    assert_not_found_naming(
        &d.get(&d.root, format!("/v2/users/{MISSING}")).await,
        "userId",
    );
    for bad in ["abc", "0"] {
        assert_invalid_naming(&d.get(&d.net, format!("/v2/users/{bad}")).await, "id");
    }
    // A MailboxUser sees its own mailbox's users only.
    d.get(&d.user, &format!("/v2/users/{}", d.mbx_id))
        .await
        .ok();
    d.get(&d.user, &format!("/v2/users/{}", d.far_id))
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn create_user_makes_a_user_where_the_caller_may_and_names_bad_fields() {
    let d = dir().await;
    let body = json!({"login": "newbie", "password": "New#Pass12", "email": "newbie@example.com",
        "firstName": "New", "lastName": "Bie", "networkId": 100, "mailboxId": 201,
        "authLevel": "MailboxAdmin"});
    let reply = d.post(&d.net, "/v2/users", body.clone()).await;
    let u = reply.ok().clone();
    assert_eq!(keys_of(&u), sorted(USER_KEYS));
    assert_eq!(
        pick(
            &u,
            &["login", "mailboxId", "authLevel", "status", "firstName"]
        ),
        json!(["newbie", 201, "MailboxAdmin", "Active", "New"])
    );
    let stored = d
        .app
        .core
        .store()
        .user(UserId(as_i32(&u["userId"])))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.person.email, "newbie@example.com");
    // The caller's network and mailbox, and MailboxUser, are the defaults.
    let plain = d
        .post(
            &d.mbx,
            "/v2/users",
            json!({"login": "plain", "password": "New#Pass12", "email": "p@example.com"}),
        )
        .await;
    assert_eq!(
        pick(plain.ok(), &["networkId", "mailboxId", "authLevel"]),
        json!([100, 200, "MailboxUser"])
    );

    for (change, field) in [
        (json!({"login": 5}), "login"),
        (json!({"login": "newbie"}), "login"),
        (json!({"password": "weak"}), "password"),
        (json!({"email": ""}), "email"),
        (json!({"email": "no-at-sign"}), "email"),
        (json!({"authLevel": "Emperor"}), "authLevel"),
        (json!({"mailboxId": -1}), "mailboxId"),
    ] {
        let bad = merged(&merged(&body, &json!({"login": "other"})), &change);
        assert_invalid_naming(&d.post(&d.net, "/v2/users", bad).await, field);
    }
    let mut missing = body.clone();
    missing.as_object_mut().unwrap().remove("password");
    assert_invalid_naming(&d.post(&d.net, "/v2/users", missing).await, "password");

    // Above the caller's level, or in another network: refused.
    let high = merged(&body, &json!({"login": "high", "authLevel": "NetOps"}));
    d.post(&d.net, "/v2/users", high)
        .await
        .assert_error(403, "AccessDenied");
    for mailbox in [400, MISSING] {
        let change = json!({"login": "faraway", "networkId": 300, "mailboxId": mailbox});
        let far = merged(&body, &change);
        d.post(&d.net, "/v2/users", far)
            .await
            .assert_error(403, "AccessDenied");
    }
}

#[tokio::test]
async fn update_user_changes_the_profile_and_takes_a_status_on_both_paths() {
    let d = dir().await;
    let path = "/v2/users";
    let reply = d
        .put(
            &d.net,
            path,
            json!({"userId": d.user_id, "firstName": "Uma", "email": "uma@example.com"}),
        )
        .await;
    let u = reply.ok().clone();
    assert_eq!(
        pick(&u, &["firstName", "email", "lastName", "status"]),
        json!(["Uma", "uma@example.com", "mbxuser", "Active"])
    );
    // The migration table's path answers the same.
    let alias = d
        .put(
            &d.net,
            &format!("/v2/users/{}", d.user_id),
            json!({"firstName": "Uma"}),
        )
        .await;
    assert_eq!(alias.ok(), &u);

    // A status: suspend (upstream's "use PUT /v2/users with a status"), which ends sessions.
    let t = crate::rest_auth::rest_login(&d.app, "mbxuser").await;
    let suspended = d
        .put(
            &d.net,
            path,
            json!({"userId": d.user_id, "lastName": "Later", "status": "Suspended"}),
        )
        .await;
    assert_eq!(
        pick(suspended.ok(), &["status", "lastName"]),
        json!(["Suspended", "Later"])
    );
    call(&d.app, Method::GET, "/v2/users/me", Auth::Bearer(&t.token))
        .await
        .assert_error(401, "InvalidSession");
    let active = d
        .put(
            &d.net,
            &format!("/v2/users/{}", d.user_id),
            json!({"status": "Active"}),
        )
        .await;
    assert_eq!(active.ok()["status"], json!("Active"));

    for (body, field) in [
        (json!({"userId": "x"}), "userId"),
        (json!({"firstName": "x"}), "userId"),
        (json!({"userId": d.user_id, "status": "Gone"}), "status"),
        (json!({"userId": d.user_id, "email": "bad"}), "email"),
    ] {
        assert_invalid_naming(&d.put(&d.net, path, body).await, field);
    }
    // Nobody changes their own status.
    d.put(
        &d.net,
        path,
        json!({"userId": d.net_id, "status": "Suspended"}),
    )
    .await
    .assert_error(403, "AccessDenied");
    same_denial(d.far_id, |id| {
        d.put(&d.net, path, json!({"userId": id, "firstName": "x"}))
    })
    .await;
}

#[tokio::test]
async fn list_users_pages_a_bare_array_and_its_get_alias_is_the_same() {
    let d = dir().await;
    let all = d.post(&d.net, "/v2/users/list", json!({})).await;
    assert_eq!(column(&all, "userId"), [d.net_id, d.mbx_id, d.user_id]);
    assert_eq!(d.get(&d.net, "/v2/users").await.ok(), all.ok());

    let page2 = json!({"networkId": 100, "mailboxId": 200, "pageNo": 2, "recordsPerPage": 2});
    let second = d.post(&d.net, "/v2/users/list", page2).await;
    assert_eq!(second.ok().as_array().unwrap().len(), 1);
    assert_eq!(second.ok()[0]["userId"], json!(d.user_id));
    let query = "/v2/users?networkId=100&mailboxId=200&pageNo=2&recordsPerPage=2";
    assert_eq!(d.get(&d.net, query).await.ok(), second.ok());
    let admins = d
        .post(
            &d.net,
            "/v2/users/list",
            json!({"authLevel": "MailboxAdmin"}),
        )
        .await;
    assert_eq!(admins.ok().as_array().unwrap().len(), 1);
    // Property names in any case (upstream's samples disagree).
    let any_case = d
        .post(
            &d.net,
            "/v2/users/list",
            json!({"AUTHLEVEL": "MailboxAdmin"}),
        )
        .await;
    assert_eq!(any_case.ok(), admins.ok());

    for (body, field) in [
        (json!({"recordsPerPage": 501}), "recordsPerPage"),
        (json!({"pageNo": -1}), "pageNo"),
        (json!({"pageNo": "one"}), "pageNo"),
        (json!({"status": 3}), "status"),
    ] {
        assert_invalid_naming(&d.post(&d.net, "/v2/users/list", body).await, field);
    }
    for (query, field) in [
        ("recordsPerPage=501", "recordsPerPage"),
        ("pageNo=x", "pageNo"),
    ] {
        assert_invalid_naming(&d.get(&d.net, format!("/v2/users?{query}")).await, field);
    }
    same_denial(300, |n| {
        d.post(&d.net, "/v2/users/list", json!({"networkId": n}))
    })
    .await;
}

#[tokio::test]
async fn by_name_finds_the_login_in_any_case() {
    let d = dir().await;
    let by_name = |key, login| d.post(key, "/v2/users/by-name", json!({"login": login}));
    let one = d.get(&d.net, format!("/v2/users/{}", d.user_id)).await;
    assert_eq!(by_name(&d.net, "MBXUSER").await.ok(), &json!([one.ok()]));
    assert_same_denial(
        &by_name(&d.net, "faradmin").await,
        &by_name(&d.net, "nobody").await,
    );
    assert_not_found_naming(&by_name(&d.root, "nobody").await, "login");
    assert_invalid_naming(
        &d.post(&d.net, "/v2/users/by-name", json!({})).await,
        "login",
    );
}

#[tokio::test]
async fn role_sets_the_level_up_to_the_callers_own_on_both_paths() {
    let d = dir().await;
    let role = |key, body| d.post(key, "/v2/users/role", body);
    let set_role = format!("/v2/users/{}/set-role", d.user_id);
    let raised = role(
        &d.net,
        json!({"userId": d.user_id, "authLevel": "MailboxAdmin"}),
    )
    .await;
    assert_eq!(raised.ok()["authLevel"], json!("MailboxAdmin"));
    let alias = d
        .post(&d.net, &set_role, json!({"authLevel": "MailboxAdmin"}))
        .await;
    assert_eq!(alias.ok(), raised.ok());
    // With a mailbox, the user moves too.
    let moved = role(
        &d.net,
        json!({"userId": d.user_id, "authLevel": "MailboxUser", "mailboxId": 201}),
    )
    .await;
    assert_eq!(
        pick(moved.ok(), &["authLevel", "mailboxId"]),
        json!(["MailboxUser", 201])
    );

    for path in ["/v2/users/role", &set_role] {
        let body = json!({"userId": d.user_id, "authLevel": "NetOps"});
        d.post(&d.net, path, body)
            .await
            .assert_error(403, "AccessDenied");
        let body = json!({"userId": d.user_id, "authLevel": "Emperor"});
        assert_invalid_naming(&d.post(&d.net, path, body).await, "authLevel");
    }
    let no_user = role(&d.net, json!({"authLevel": "General"})).await;
    assert_invalid_naming(&no_user, "userId");
    role(
        &d.mbx,
        json!({"userId": d.mbx_id, "authLevel": "MailboxUser"}),
    )
    .await
    .assert_error(403, "AccessDenied");
    same_denial(d.far_id, |id| {
        role(&d.net, json!({"userId": id, "authLevel": "General"}))
    })
    .await;
}

#[tokio::test]
async fn set_network_mailbox_moves_a_user_within_the_callers_reach() {
    let d = dir().await;
    let set = |key, body| d.post(key, "/v2/users/set-network-mailbox", body);
    let u = d.user_id;
    let moved = set(
        &d.net,
        json!({"userId": u, "networkId": 100, "mailboxId": 201}),
    )
    .await;
    assert_eq!(
        pick(moved.ok(), &["networkId", "mailboxId"]),
        json!([100, 201])
    );
    // The network is the mailbox's when not given.
    let back = set(&d.net, json!({"userId": u, "mailboxId": 200})).await;
    assert_eq!(back.ok()["mailboxId"], json!(200));
    for body in [
        json!({"userId": u, "networkId": 100}),
        json!({"userId": u, "networkId": 300, "mailboxId": 200}),
    ] {
        assert_invalid_naming(&set(&d.net, body).await, "mailboxId");
    }
    same_denial(400, |m| set(&d.net, json!({"userId": u, "mailboxId": m}))).await;
    set(&d.user, json!({"userId": u, "mailboxId": 201}))
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn password_sets_a_users_password_and_terminate_ends_the_user() {
    let d = dir().await;
    let password = |key, body| d.post(key, "/v2/users/password", body);
    let set = password(
        &d.net,
        json!({"userId": d.user_id, "newPassword": "Other#Pass9"}),
    )
    .await;
    assert_eq!(set.ok(), &json!(true));
    let login = |password| try_login(&d.app, "mbxuser", password);
    login("Other#Pass9").await.ok();
    assert_eq!(login(TEST_PASSWORD).await.status, 401);
    for body in [
        json!({"userId": d.user_id, "newPassword": "weak"}),
        json!({"userId": d.user_id}),
    ] {
        assert_invalid_naming(&password(&d.net, body).await, "newPassword");
    }
    password(
        &d.user,
        json!({"userId": d.net_id, "newPassword": "Other#Pass9"}),
    )
    .await
    .assert_error(403, "AccessDenied");

    // Terminate: kept, Terminated, no more logins; terminated is final.
    let path = format!("/v2/users/{}", d.user_id);
    assert_eq!(d.delete(&d.net, &path).await.ok(), &json!(true));
    assert_eq!(
        d.get(&d.net, &path).await.ok()["status"],
        json!("Terminated")
    );
    assert_eq!(login("Other#Pass9").await.status, 401);
    d.get(&d.user, "/v2/users/me")
        .await
        .assert_error(401, "InvalidAPIKey");
    assert_invalid_naming(&d.delete(&d.net, &path).await, "userId");
    d.delete(&d.net, format!("/v2/users/{}", d.net_id))
        .await
        .assert_error(403, "AccessDenied");
    same_denial(d.far_id, |id| d.delete(&d.net, format!("/v2/users/{id}"))).await;
    assert_not_found_naming(
        &d.delete(&d.root, format!("/v2/users/{MISSING}")).await,
        "userId",
    );
}

#[tokio::test]
async fn update_config_sets_the_users_other_settings() {
    let d = dir().await;
    let config = |body| d.post(&d.net, "/v2/users/update-config", body);
    let reply = config(
        json!({"userId": d.user_id, "cellPhone": "555-0100", "cellCarrier": "Verizon",
            "timeZoneOffset": -300, "company": "Acme"}),
    )
    .await;
    assert_eq!(reply.ok(), &json!(true));
    let stored = d
        .app
        .core
        .store()
        .user(UserId(d.user_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            stored.person.cell_phone.as_str(),
            stored.person.cell_carrier,
            stored.person.time_zone_offset,
            stored.person.company.as_str()
        ),
        ("555-0100", CellCarrier::Verizon, -300, "Acme")
    );
    for (body, field) in [
        (
            json!({"userId": d.user_id, "cellCarrier": "Pigeon"}),
            "cellCarrier",
        ),
        (
            json!({"userId": d.user_id, "timeZoneOffset": 99999}),
            "timeZoneOffset",
        ),
        (json!({"cellPhone": "1"}), "userId"),
    ] {
        assert_invalid_naming(&config(body).await, field);
    }
    same_denial(d.far_id, |id| config(json!({"userId": id, "company": "x"}))).await;
}

#[tokio::test]
async fn generate_password_meets_the_policy_and_send_sms_is_refused() {
    let d = dir().await;
    let generate = |body| d.post(&d.user, "/v2/users/generate-password", body);
    for (body, len) in [(json!({"length": 16}), 16), (json!({}), 12)] {
        let reply = generate(body).await;
        let password = reply.ok().as_str().unwrap().to_string();
        assert_eq!(password.chars().count(), len);
        edigrid_domain::check_password_policy(&password, "password").unwrap();
    }
    for (body, field) in [
        (json!({"length": 4}), "length"),
        (json!({"length": 257}), "length"),
        (json!({"length": "long"}), "length"),
    ] {
        assert_invalid_naming(&generate(body).await, field);
    }
    call_json(
        &d.app,
        Method::POST,
        "/v2/users/generate-password",
        Auth::None,
        &json!({}),
    )
    .await
    .assert_error(401, "InvalidSession");

    let sms = d
        .post(
            &d.net,
            "/v2/users/send-sms",
            json!({"userId": d.user_id, "message": "hi"}),
        )
        .await;
    sms.assert_error(501, "NotImplemented");
    assert!(sms.message().contains("Send SMS"), "{}", sms.body);
    assert!(sms.message().contains("outside world"), "{}", sms.body);
}

#[tokio::test]
async fn the_api_key_aliases_answer_as_the_pages_paths() {
    let d = dir().await;
    let shown = d.get(&d.net, format!("/v2/users/key/{}", d.user_id)).await;
    let alias = d
        .get(&d.net, format!("/v2/users/{}/api-key", d.user_id))
        .await;
    assert_eq!(alias.ok(), shown.ok());
    assert_eq!(shown.ok().as_str().unwrap(), &d.user[..8]);

    let new = d
        .post(
            &d.net,
            format!("/v2/users/{}/generate-api-key", d.user_id),
            json!(null),
        )
        .await;
    let new = new.ok().as_str().unwrap().to_string();
    d.get(&d.user, "/v2/users/me")
        .await
        .assert_error(401, "InvalidAPIKey");
    assert_eq!(
        d.get(&new, "/v2/users/me").await.ok()["userId"],
        json!(d.user_id)
    );
    for (method, page) in [(Method::GET, "api-key"), (Method::POST, "generate-api-key")] {
        let path = format!("/v2/users/{}/{page}", d.net_id);
        call(&d.app, method, &path, Auth::Key(&d.mbx))
            .await
            .assert_error(403, "AccessDenied");
    }
    assert_invalid_naming(&d.get(&d.net, "/v2/users/x/api-key").await, "id");
}

// ---- networks ------------------------------------------------------------------------------

#[tokio::test]
async fn get_network_shows_the_callers_network_only() {
    let d = dir().await;
    let n = d.get(&d.net, "/v2/networks/100").await;
    assert_eq!(keys_of(n.ok()), sorted(NETWORK_KEYS));
    assert_eq!(
        pick(n.ok(), &["networkId", "companyName", "status"]),
        json!([100, "Network 100", "Active"])
    );
    // Mailbox users read the network they belong to.
    assert_eq!(d.get(&d.user, "/v2/networks/100").await.ok(), n.ok());
    same_denial(300, |n| d.get(&d.net, format!("/v2/networks/{n}"))).await;
    assert_not_found_naming(
        &d.get(&d.root, format!("/v2/networks/{MISSING}")).await,
        "networkId",
    );
    assert_invalid_naming(&d.get(&d.net, "/v2/networks/-3").await, "id");
}

#[tokio::test]
async fn list_networks_is_a_paged_object_and_its_get_alias_is_the_same() {
    let d = dir().await;
    let list = |key, body| d.post(key, "/v2/networks/list", body);
    let own = list(&d.net, json!({})).await;
    assert_eq!(
        keys_of(own.ok()),
        sorted(["totalRecords", "pageNo", "recordsPerPage", "networks"])
    );
    assert_eq!(
        pick(own.ok(), &["totalRecords", "pageNo", "recordsPerPage"]),
        json!([1, 1, 25])
    );
    assert_eq!(own.ok()["networks"][0]["networkId"], json!(100));
    assert_eq!(d.get(&d.net, "/v2/networks").await.ok(), own.ok());

    // Root sees 1, 100 and 300: page 2 of 2 per page holds 300.
    let body = json!({"pageNo": 2, "recordsPerPage": 2});
    let page = list(&d.root, body).await;
    assert_eq!(
        (
            &page.ok()["totalRecords"],
            &page.ok()["networks"][0]["networkId"]
        ),
        (&json!(3), &json!(300))
    );
    assert_eq!(
        d.get(&d.root, "/v2/networks?pageNo=2&recordsPerPage=2")
            .await
            .ok(),
        page.ok()
    );
    let of_mailbox = list(&d.root, json!({"mailboxId": 400})).await;
    assert_eq!(
        (
            &of_mailbox.ok()["totalRecords"],
            &of_mailbox.ok()["networks"][0]["networkId"]
        ),
        (&json!(1), &json!(300))
    );
    let suspended = list(&d.root, json!({"status": "Suspended"})).await;
    assert_eq!(suspended.ok()["networks"], json!([]));

    for (body, field) in [
        (json!({"recordsPerPage": 501}), "recordsPerPage"),
        (json!({"networkId": "x"}), "networkId"),
    ] {
        assert_invalid_naming(&list(&d.net, body).await, field);
    }
    same_denial(300, |n| list(&d.net, json!({"networkId": n}))).await;
    list(&d.user, json!({"mailboxId": 400}))
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn update_network_changes_the_record_on_both_paths() {
    let d = dir().await;
    let before = d.get(&d.net, "/v2/networks/100").await.ok().clone();
    d.app.clock.advance(chrono::Duration::seconds(5));
    let body = json!({"networkId": 100, "companyName": "Acme Net", "city": "Chicago",
        "state": "IL", "website": "https://acme.example.com"});
    let updated = d.put(&d.net, "/v2/networks", body).await;
    let n = updated.ok().clone();
    assert_eq!(n["companyName"], json!("Acme Net"));
    assert_eq!(n["created"], before["created"]);
    assert!(parse_time(&n["modified"]) > parse_time(&before["modified"]));
    let stored = d
        .app
        .core
        .store()
        .network(NetworkId(100))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.address.city.as_str(), stored.websites.home.as_str()),
        ("Chicago", "https://acme.example.com")
    );
    let alias = d
        .put(
            &d.net,
            "/v2/networks/100",
            json!({"companyName": "Acme Net"}),
        )
        .await;
    assert_eq!(alias.ok()["companyName"], json!("Acme Net"));
    assert_eq!(keys_of(alias.ok()), sorted(NETWORK_KEYS));

    for (body, field) in [
        (json!({"networkId": "x"}), "networkId"),
        (json!({"networkId": 100, "companyName": ""}), "companyName"),
    ] {
        assert_invalid_naming(&d.put(&d.net, "/v2/networks", body).await, field);
    }
    d.put(
        &d.mbx,
        "/v2/networks",
        json!({"networkId": 100, "city": "x"}),
    )
    .await
    .assert_error(403, "AccessDenied");
    same_denial(300, |n| {
        d.put(&d.net, format!("/v2/networks/{n}"), json!({"city": "x"}))
    })
    .await;
}

#[tokio::test]
async fn create_network_is_for_root_and_techops() {
    let d = dir().await;
    let made = d
        .post(
            &d.root,
            "/v2/networks",
            json!({"networkId": 500, "companyName": "Net 500", "uniqueId": "N500"}),
        )
        .await;
    assert_eq!(
        pick(made.ok(), &["networkId", "companyName", "uniqueId"]),
        json!([500, "Net 500", "N500"])
    );
    assert_eq!(d.get(&d.root, "/v2/networks/500").await.ok(), made.ok());
    for (body, field) in [
        (
            json!({"networkId": 500, "companyName": "Again"}),
            "networkId",
        ),
        (json!({}), "companyName"),
    ] {
        assert_invalid_naming(&d.post(&d.root, "/v2/networks", body).await, field);
    }
    d.post(&d.net, "/v2/networks", json!({"companyName": "Mine"}))
        .await
        .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn get_contact_shows_the_named_user() {
    let d = dir().await;
    let get_contact = |body| d.post(&d.net, "/v2/networks/get-contact", body);
    let body = json!({"networkId": 100, "contactType": "CustomerService"});
    assert_not_found_naming(&get_contact(body.clone()).await, "contactType");
    d.app
        .core
        .network_set_contact(
            &Caller::operator(),
            NetworkId(100),
            ContactType::CustomerService,
            UserId(d.mbx_id),
        )
        .await
        .unwrap();
    let contact = get_contact(body).await;
    assert_eq!(
        contact.ok(),
        &json!({"networkId": 100, "contactType": "CustomerService", "name": "Test mbxadmin",
            "email": "mbxadmin@example.com", "phone": ""})
    );
    let boss = get_contact(json!({"networkId": 100, "contactType": "Boss"})).await;
    assert_invalid_naming(&boss, "contactType");
    same_denial(300, |n| {
        get_contact(json!({"networkId": n, "contactType": "Owner"}))
    })
    .await;
}

#[tokio::test]
async fn network_config_and_delimiters_are_stored() {
    let d = dir().await;
    let config = |key, body| d.post(key, "/v2/networks/update-config", body);
    let x12 = |key, body| d.post(key, "/v2/networks/x12-delimiters", body);
    let done = config(&d.net, json!({"networkId": 100, "deleteOnDownload": true})).await;
    assert_eq!(
        (done.ok(), done.message()),
        (&Value::Null, "Network configuration updated.")
    );
    let delimiters = json!({"networkId": 100, "elementDelimiter": "*",
        "subElementDelimiter": ">", "segmentTerminator": "~"});
    let done = x12(&d.net, delimiters.clone()).await;
    assert_eq!(
        (done.ok(), done.message()),
        (&Value::Null, "X12 delimiters updated.")
    );
    let stored = d
        .app
        .core
        .store()
        .network(NetworkId(100))
        .await
        .unwrap()
        .unwrap();
    assert!(stored.delete_on_download);
    assert_eq!(
        (
            stored.x12.element,
            stored.x12.sub_element,
            stored.x12.segment
        ),
        (b'*', b'>', b'~')
    );

    for (change, field) in [
        (json!({"elementDelimiter": "**"}), "elementDelimiter"),
        (json!({"subElementDelimiter": "A"}), "subElementDelimiter"),
        (json!({"segmentTerminator": 7}), "segmentTerminator"),
    ] {
        let bad = merged(&delimiters, &change);
        assert_invalid_naming(&x12(&d.net, bad).await, field);
    }
    let yes = config(&d.net, json!({"networkId": 100, "deleteOnDownload": "yes"})).await;
    assert_invalid_naming(&yes, "deleteOnDownload");
    x12(&d.mbx, delimiters.clone())
        .await
        .assert_error(403, "AccessDenied");
    config(&d.mbx, json!({"networkId": 100}))
        .await
        .assert_error(403, "AccessDenied");
    same_denial(300, |n| {
        x12(&d.net, merged(&delimiters, &json!({"networkId": n})))
    })
    .await;
}

// ---- mailboxes -----------------------------------------------------------------------------

#[tokio::test]
async fn get_mailbox_shows_mailboxes_in_scope() {
    let d = dir().await;
    let m = d.get(&d.mbx, "/v2/mailboxes/200").await;
    assert_eq!(keys_of(m.ok()), sorted(MAILBOX_KEYS));
    assert_eq!(
        pick(m.ok(), &["mailboxId", "networkId", "companyName", "status"]),
        json!([200, 100, "Mailbox 200", "Active"])
    );
    // A MailboxAdmin sees its own mailbox, not its network's others.
    for (key, other) in [(&d.mbx, 201), (&d.net, 400)] {
        same_denial(other, |m| d.get(key, format!("/v2/mailboxes/{m}"))).await;
    }
    assert_not_found_naming(
        &d.get(&d.root, format!("/v2/mailboxes/{MISSING}")).await,
        "mailboxId",
    );
    assert_invalid_naming(&d.get(&d.mbx, "/v2/mailboxes/2.5").await, "id");
}

#[tokio::test]
async fn list_mailboxes_pages_and_its_get_alias_is_the_same() {
    let d = dir().await;
    let list = |key, body| d.post(key, "/v2/mailboxes/list", body);
    let all = list(&d.net, json!({})).await;
    let ids: Vec<&Value> = all.ok()["mailboxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["mailboxId"])
        .collect();
    assert_eq!(ids, [&json!(200), &json!(201)]);
    assert_eq!(all.ok()["totalRecords"], json!(2));
    assert_eq!(d.get(&d.net, "/v2/mailboxes").await.ok(), all.ok());
    let second = list(
        &d.net,
        json!({"networkId": 100, "status": "Active", "pageNo": 2, "recordsPerPage": 1}),
    )
    .await;
    assert_eq!(
        (
            &second.ok()["totalRecords"],
            &second.ok()["pageNo"],
            &second.ok()["recordsPerPage"],
            &second.ok()["mailboxes"][0]["mailboxId"]
        ),
        (&json!(2), &json!(2), &json!(1), &json!(201))
    );
    assert_eq!(
        d.get(
            &d.net,
            "/v2/mailboxes?networkId=100&status=Active&pageNo=2&recordsPerPage=1"
        )
        .await
        .ok(),
        second.ok()
    );
    // A MailboxAdmin's list is its own mailbox.
    let own = list(&d.mbx, json!({})).await;
    assert_eq!(own.ok()["totalRecords"], json!(1));

    let too_many = list(&d.net, json!({"recordsPerPage": 501})).await;
    assert_invalid_naming(&too_many, "recordsPerPage");
    assert_invalid_naming(
        &d.get(&d.net, "/v2/mailboxes?status=active").await,
        "status",
    );
    same_denial(300, |n| list(&d.net, json!({"networkId": n}))).await;
}

#[tokio::test]
async fn create_mailbox_makes_one_on_both_paths_with_a_unique_code() {
    let d = dir().await;
    let create = |key, body| d.post(key, "/v2/mailboxes/create", body);
    let body = json!({"networkId": 100, "uniqueId": "ACME01", "companyName": "Acme One"});
    let made = create(&d.net, body).await;
    let m = made.ok().clone();
    assert_eq!(keys_of(&m), sorted(MAILBOX_KEYS));
    assert_eq!(
        pick(&m, &["networkId", "uniqueId", "companyName", "status"]),
        json!([100, "ACME01", "Acme One", "Active"])
    );
    assert_eq!(m["created"], m["modified"]);
    let id = as_i32(&m["mailboxId"]);
    assert_eq!(d.get(&d.net, format!("/v2/mailboxes/{id}")).await.ok(), &m);
    let alias = d
        .post(
            &d.net,
            "/v2/mailboxes",
            json!({"networkId": 100, "uniqueId": "ACME02", "companyName": "Acme Two"}),
        )
        .await;
    assert_eq!(keys_of(alias.ok()), sorted(MAILBOX_KEYS));
    assert_eq!(alias.ok()["uniqueId"], json!("ACME02"));

    #[rustfmt::skip]
    let invalid = [
        (json!({"networkId": 100, "uniqueId": "acme01", "companyName": "Dup"}), "uniqueId"),
        (json!({"networkId": 100, "uniqueId": "TOOLONGCODE13", "companyName": "x"}), "uniqueId"),
        (json!({"networkId": 100, "uniqueId": "A B", "companyName": "x"}), "uniqueId"),
        (json!({"networkId": 100, "uniqueId": "OK1", "companyName": ""}), "companyName"),
        (json!({"networkId": 100, "uniqueId": "OK1"}), "companyName"),
        (json!({"networkId": "100", "uniqueId": "OK1", "companyName": "x"}), "networkId"),
    ];
    for (body, field) in invalid {
        assert_invalid_naming(&create(&d.net, body).await, field);
    }
    create(
        &d.mbx,
        json!({"networkId": 100, "uniqueId": "MINE", "companyName": "x"}),
    )
    .await
    .assert_error(403, "AccessDenied");
    same_denial(300, |n| {
        create(
            &d.net,
            json!({"networkId": n, "uniqueId": "X1", "companyName": "x"}),
        )
    })
    .await;
}

#[tokio::test]
async fn update_mailbox_and_its_configuration() {
    let d = dir().await;
    let updated = d
        .post(
            &d.mbx,
            "/v2/mailboxes/update",
            json!({"mailboxId": 200, "companyName": "Renamed", "city": "Boston"}),
        )
        .await;
    assert_eq!(updated.ok()["companyName"], json!("Renamed"));
    let done = d
        .post(
            &d.mbx,
            "/v2/mailboxes/update-config",
            json!({"mailboxId": 200, "inBoxTimeout": 30, "deleteOnDownload": true,
                "useType": "Production", "notifyEmail": "n@example.com"}),
        )
        .await;
    assert_eq!(
        (done.ok(), done.message()),
        (&Value::Null, "Mailbox configuration updated.")
    );
    let done = d
        .post(
            &d.mbx,
            "/v2/mailboxes/x12-delimiters",
            json!({"mailboxId": 200, "elementDelimiter": "|", "subElementDelimiter": "^",
                "segmentTerminator": "\n"}),
        )
        .await;
    assert_eq!(done.message(), "X12 delimiters updated.");
    let m = d
        .app
        .core
        .store()
        .mailbox(MailboxId(200))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            m.name.as_str(),
            m.address.city.as_str(),
            m.config.inbox_timeout_minutes,
            m.config.delete_on_download,
            m.use_type,
            m.config.notify_email.as_str(),
            (
                m.config.x12.element,
                m.config.x12.sub_element,
                m.config.x12.segment
            )
        ),
        (
            "Renamed",
            "Boston",
            30,
            true,
            edigrid_domain::UseType::Production,
            "n@example.com",
            (b'|', b'^', b'\n')
        )
    );

    #[rustfmt::skip]
    let invalid = [
        ("update", json!({"mailboxId": 200, "companyName": ""}), "companyName"),
        ("update", json!({"companyName": "x"}), "mailboxId"),
        ("update-config", json!({"mailboxId": 200, "inBoxTimeout": -1}), "inBoxTimeout"),
        ("update-config", json!({"mailboxId": 200, "useType": "Sometimes"}), "useType"),
        ("update-config", json!({"mailboxId": 200, "notifyEmail": "x"}), "notifyEmail"),
        ("x12-delimiters", json!({"mailboxId": 200, "elementDelimiter": "*",
            "subElementDelimiter": "*", "segmentTerminator": "~"}), "elementDelimiter"),
    ];
    for (page, body, field) in invalid {
        let path = format!("/v2/mailboxes/{page}");
        assert_invalid_naming(&d.post(&d.mbx, path, body).await, field);
    }
    for page in ["update", "update-config", "x12-delimiters"] {
        let path = format!("/v2/mailboxes/{page}");
        let body = json!({"mailboxId": 200, "companyName": "x", "elementDelimiter": "*",
            "subElementDelimiter": ":", "segmentTerminator": "~"});
        d.post(&d.user, &path, body.clone())
            .await
            .assert_error(403, "AccessDenied");
        same_denial(400, |m| {
            d.post(&d.net, &path, merged(&body, &json!({"mailboxId": m})))
        })
        .await;
    }
}

#[tokio::test]
async fn delete_mailbox_terminates_it_and_its_ids() {
    let d = dir().await;
    let e = d.add_id(&d.net, 201, "ZZ", "DOOMED").await;
    let done = d.delete(&d.net, "/v2/mailboxes/201").await;
    assert_eq!(
        (done.ok(), done.message()),
        (&Value::Null, "Mailbox terminated.")
    );
    assert_eq!(
        d.get(&d.net, "/v2/mailboxes/201").await.ok()["status"],
        json!("Terminated")
    );
    assert_eq!(
        d.get(&d.net, format!("/v2/ids/{e}")).await.ok()["status"],
        json!("Terminated")
    );
    assert_invalid_naming(&d.delete(&d.net, "/v2/mailboxes/201").await, "mailboxId");
    d.delete(&d.mbx, "/v2/mailboxes/200")
        .await
        .assert_error(403, "AccessDenied");
    same_denial(400, |m| d.delete(&d.net, format!("/v2/mailboxes/{m}"))).await;
    assert_not_found_naming(
        &d.delete(&d.root, format!("/v2/mailboxes/{MISSING}")).await,
        "mailboxId",
    );
}

// ---- ids -----------------------------------------------------------------------------------

#[tokio::test]
async fn create_id_registers_a_pair_shown_padded_and_refuses_a_taken_one() {
    let d = dir().await;
    let create = |key, body| d.post(key, "/v2/ids", body);
    let made = create(
        &d.mbx,
        json!({"mailboxId": 200, "qualifier": "ZZ", "id": "ACME", "description": "Acme",
            "ediStandard": "X12", "routingGroup": "ProductionB"}),
    )
    .await;
    let t = made.ok().clone();
    assert_eq!(keys_of(&t), sorted(ID_KEYS));
    assert_eq!(
        pick(
            &t,
            &[
                "mailboxId",
                "networkId",
                "qualifier",
                "id",
                "description",
                "status",
                "routingGroup",
                "ediStandard"
            ]
        ),
        json!([
            200,
            100,
            "ZZ",
            "ACME           ",
            "Acme",
            "Active",
            "ProductionB",
            "X12"
        ])
    );
    let e = as_i32(&t["ecGridId"]);
    let stored = d
        .app
        .core
        .store()
        .partner(edigrid_domain::EcGridId(e))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.id, "ACME", "stored as given, not padded");
    // EDIFACT: not padded.
    let edifact = create(
        &d.mbx,
        json!({"mailboxId": 200, "qualifier": "ZZZ", "id": "ACME-EDIFACT"}),
    )
    .await;
    assert_eq!(
        pick(edifact.ok(), &["id", "ediStandard"]),
        json!(["ACME-EDIFACT", "EDIFACT"])
    );

    let taken = create(
        &d.net,
        json!({"mailboxId": 201, "qualifier": "zz", "id": "acme  "}),
    )
    .await;
    assert_invalid_naming(&taken, "id");
    assert!(taken.message().contains("ZZ:ACME") || taken.message().contains("zz:acme"));
    #[rustfmt::skip]
    let invalid = [
        (json!({"mailboxId": 200, "qualifier": "ZZZZZ", "id": "X"}), "qualifier"),
        (json!({"mailboxId": 200, "qualifier": "ZZ", "id": ""}), "id"),
        (json!({"mailboxId": 200, "qualifier": "ZZ"}), "id"),
        (json!({"mailboxId": 200, "qualifier": "ZZ", "id": "B", "ediStandard": "EDIFACT"}), "ediStandard"),
        (json!({"mailboxId": 200, "qualifier": "ZZ", "id": "B", "routingGroup": "Fast"}), "routingGroup"),
        (json!({"mailboxId": 0, "qualifier": "ZZ", "id": "B"}), "mailboxId"),
    ];
    for (body, field) in invalid {
        assert_invalid_naming(&create(&d.mbx, body).await, field);
    }
    #[rustfmt::skip]
    let denied = [
        (&d.user, json!({"mailboxId": 200, "qualifier": "ZZ", "id": "B"})),
        (&d.mbx, json!({"mailboxId": 200, "qualifier": "ZZ", "id": "B", "routingGroup": "NetOpsOnly1"})),
    ];
    for (key, body) in denied {
        create(key, body).await.assert_error(403, "AccessDenied");
    }
    same_denial(400, |m| {
        create(
            &d.mbx,
            json!({"mailboxId": m, "qualifier": "ZZ", "id": "B"}),
        )
    })
    .await;
}

#[tokio::test]
async fn get_update_and_delete_an_id() {
    let d = dir().await;
    let e = d.add_id(&d.mbx, 200, "01", "123456789").await;
    let far = d.add_id(&d.far, 400, "ZZ", "FARAWAY").await;
    let path = format!("/v2/ids/{e}");
    let got = d.get(&d.user, &path).await;
    assert_eq!(
        pick(got.ok(), &["ecGridId", "id", "qualifier"]),
        json!([e, "123456789      ", "01"])
    );
    same_denial(far, |e| d.get(&d.mbx, format!("/v2/ids/{e}"))).await;
    assert_not_found_naming(
        &d.get(&d.root, format!("/v2/ids/{MISSING}")).await,
        "ecGridId",
    );

    let updated = d
        .put(
            &d.mbx,
            &path,
            json!({"description": "Renamed", "ediStandard": "X12"}),
        )
        .await;
    assert_eq!(
        pick(updated.ok(), &["description", "status"]),
        json!(["Renamed", "Active"])
    );
    let suspended = d.put(&d.mbx, &path, json!({"status": "Suspended"})).await;
    assert_eq!(
        pick(suspended.ok(), &["status", "description"]),
        json!(["Suspended", "Renamed"])
    );
    for (body, field) in [
        (json!({"ediStandard": "EDIFACT"}), "ediStandard"),
        (json!({"status": "Asleep"}), "status"),
    ] {
        assert_invalid_naming(&d.put(&d.mbx, &path, body).await, field);
    }
    d.put(&d.user, &path, json!({"description": "x"}))
        .await
        .assert_error(403, "AccessDenied");
    same_denial(far, |e| {
        d.put(&d.mbx, format!("/v2/ids/{e}"), json!({"description": "x"}))
    })
    .await;

    assert_eq!(d.delete(&d.mbx, &path).await.ok(), &json!(true));
    assert_eq!(
        d.get(&d.mbx, &path).await.ok()["status"],
        json!("Terminated")
    );
    assert_invalid_naming(&d.delete(&d.mbx, &path).await, "ecGridId");
    d.delete(&d.user, &path)
        .await
        .assert_error(403, "AccessDenied");
    same_denial(far, |e| d.delete(&d.mbx, format!("/v2/ids/{e}"))).await;
}

#[tokio::test]
async fn find_and_list_ids_and_their_get_aliases() {
    let d = dir().await;
    let a = d.add_id(&d.mbx, 200, "ZZ", "FINDME").await;
    let b = d.add_id(&d.mbx, 200, "01", "OTHER").await;
    let c = d.add_id(&d.net, 201, "12", "ELSEWHERE").await;
    let find = |body| d.post(&d.mbx, "/v2/ids/find", body);
    let list = |key, body| d.post(key, "/v2/ids/list", body);
    let one = d.get(&d.mbx, format!("/v2/ids/{a}")).await.ok().clone();
    for id in ["FINDME", "findme", "FINDME   "] {
        let found = find(json!({"qualifier": "zz", "id": id})).await;
        assert_eq!(found.ok(), &json!([one]), "{id:?}");
    }
    let query = d.get(&d.mbx, "/v2/ids/find?qualifier=ZZ&id=findme").await;
    assert_eq!(query.ok(), &json!([one]));
    // Out of the caller's reach, a registration is not found.
    let hidden = find(json!({"qualifier": "12", "id": "ELSEWHERE"})).await;
    assert_eq!(hidden.ok(), &json!([]));
    for (body, field) in [
        (json!({"qualifier": "ZZZZZ", "id": "X"}), "qualifier"),
        (json!({"qualifier": "ZZ"}), "id"),
    ] {
        assert_invalid_naming(&find(body).await, field);
    }
    assert_invalid_naming(&d.get(&d.mbx, "/v2/ids/find?qualifier=ZZ").await, "id");

    let listed = list(&d.net, json!({})).await;
    assert_eq!(column(&listed, "ecGridId"), [a, b, c]);
    assert_eq!(d.get(&d.net, "/v2/ids").await.ok(), listed.ok());
    let page = list(
        &d.net,
        json!({"mailboxId": 200, "status": "Active", "pageNo": 2, "recordsPerPage": 1}),
    )
    .await;
    assert_eq!(page.ok().as_array().unwrap().len(), 1);
    assert_eq!(page.ok()[0]["ecGridId"], json!(b));
    assert_eq!(
        d.get(
            &d.net,
            "/v2/ids?mailboxId=200&status=Active&pageNo=2&recordsPerPage=1"
        )
        .await
        .ok(),
        page.ok()
    );
    let own = list(&d.mbx, json!({})).await;
    assert_eq!(own.ok().as_array().unwrap().len(), 2);
    let too_many = list(&d.net, json!({"recordsPerPage": 1000})).await;
    assert_invalid_naming(&too_many, "recordsPerPage");
    same_denial(201, |m| list(&d.mbx, json!({"mailboxId": m}))).await;
}

#[tokio::test]
async fn move_an_id_on_both_paths() {
    let d = dir().await;
    let e = d.add_id(&d.net, 200, "ZZ", "MOVER").await;
    let tp_move = |key, body| d.post(key, "/v2/ids/tp-move", body);
    let move_tp = format!("/v2/ids/{e}/move-tp");
    let moved = tp_move(&d.net, json!({"ecGridId": e, "newMailboxId": 201})).await;
    assert_eq!(
        pick(moved.ok(), &["ecGridId", "mailboxId"]),
        json!([e, 201])
    );
    let back = d.post(&d.net, &move_tp, json!({"newMailboxId": 200})).await;
    assert_eq!(back.ok()["mailboxId"], json!(200));
    assert_eq!(keys_of(back.ok()), sorted(ID_KEYS));

    let no_mailbox = tp_move(&d.net, json!({"ecGridId": e})).await;
    assert_invalid_naming(&no_mailbox, "newMailboxId");
    let zero = d.post(&d.net, &move_tp, json!({"newMailboxId": 0})).await;
    assert_invalid_naming(&zero, "newMailboxId");
    tp_move(&d.mbx, json!({"ecGridId": e, "newMailboxId": 201}))
        .await
        .assert_error(403, "AccessDenied");
    let far = same_denial(400, |m| {
        tp_move(&d.net, json!({"ecGridId": e, "newMailboxId": m}))
    })
    .await;
    assert!(names_field(far.message(), "newMailboxId"), "{}", far.body);
}

#[tokio::test]
async fn add_van_default_mailbox_config_email_and_description() {
    let d = dir().await;
    let e = d.add_id(&d.mbx, 200, "ZZ", "HOME").await;
    let far = d.add_id(&d.far, 400, "ZZ", "FARHOME").await;
    let on = |key, page: &str, body| d.post(key, format!("/v2/ids/{page}"), body);

    let van = json!({"ecGridId": e, "vanQualifier": "01", "vanId": "VANPARTNER001"});
    let added = on(&d.mbx, "tp-add-van", van.clone()).await;
    assert_eq!(added.ok(), &json!(true));
    let found = on(
        &d.mbx,
        "find",
        json!({"qualifier": "01", "id": "VANPARTNER001"}),
    )
    .await;
    assert_eq!(found.ok()[0]["mailboxId"], json!(200));
    assert_invalid_naming(&on(&d.mbx, "tp-add-van", van).await, "vanId");
    let too_long = json!({"ecGridId": e, "vanQualifier": "TOOLONG", "vanId": "X"});
    assert_invalid_naming(&on(&d.mbx, "tp-add-van", too_long).await, "vanQualifier");

    let default = on(&d.user, "tp-get-mailbox-default", json!({"ecGridId": e})).await;
    assert_eq!(
        default.ok(),
        &json!({"mailboxId": 200, "networkId": 100, "mailboxName": "Mailbox 200",
            "status": "Active"})
    );

    #[rustfmt::skip]
    let changes = [
        ("update-config", json!({"ecGridId": e, "routingGroup": "Test", "dataEmail": "d@example.com",
            "ownerUserId": d.user_id})),
        ("tp-update-data-email", json!({"ecGridId": e, "email": "edi@example.com", "emailSystem": "smtp",
            "emailPayload": "Attachment"})),
        ("tp-update-description", json!({"ecGridId": e, "description": "Home base"})),
    ];
    for (page, body) in changes {
        assert_eq!(on(&d.mbx, page, body).await.ok(), &json!(true), "{page}");
    }
    let got = d.get(&d.mbx, format!("/v2/ids/{e}")).await;
    assert_eq!(
        pick(got.ok(), &["routingGroup", "description"]),
        json!(["Test", "Home base"])
    );
    let stored = d
        .app
        .core
        .store()
        .partner(edigrid_domain::EcGridId(e))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.data_email.as_str(), stored.owner),
        ("edi@example.com", UserId(d.user_id))
    );

    #[rustfmt::skip]
    let invalid = [
        ("update-config", json!({"ecGridId": e, "dataEmail": "nope"}), "dataEmail"),
        ("update-config", json!({"ecGridId": e, "routingGroup": "Fast"}), "routingGroup"),
        ("update-config", json!({"ecGridId": e, "ownerUserId": -2}), "ownerUserId"),
        ("tp-update-data-email", json!({"ecGridId": e, "email": "nope"}), "email"),
        ("tp-update-data-email", json!({"ecGridId": e, "email": "a@b.c", "emailSystem": "x400"}), "emailSystem"),
        ("tp-update-description", json!({"ecGridId": e}), "description"),
        ("tp-get-mailbox-default", json!({"ecGridId": "e"}), "ecGridId"),
    ];
    for (page, body, field) in invalid {
        assert_invalid_naming(&on(&d.mbx, page, body).await, field);
    }
    on(
        &d.mbx,
        "update-config",
        json!({"ecGridId": e, "routingGroup": "NetOpsOnly2"}),
    )
    .await
    .assert_error(403, "AccessDenied");
    for page in [
        "tp-add-van",
        "tp-get-mailbox-default",
        "update-config",
        "tp-update-data-email",
        "tp-update-description",
    ] {
        let body = |id: i32| {
            json!({"ecGridId": id, "vanQualifier": "ZZ", "vanId": "NEWVAN", "email": "a@b.c",
                "description": "x"})
        };
        same_denial(far, |id| on(&d.mbx, page, body(id))).await;
        if page != "tp-get-mailbox-default" {
            on(&d.user, page, body(e))
                .await
                .assert_error(403, "AccessDenied");
        }
    }
}

// ---- the catalogue -------------------------------------------------------------------------

fn http(method: CatalogueMethod) -> Method {
    match method {
        CatalogueMethod::Get => Method::GET,
        CatalogueMethod::Post => Method::POST,
        CatalogueMethod::Put => Method::PUT,
        CatalogueMethod::Delete => Method::DELETE,
    }
}

/// A path with its parameters filled in with objects that exist.
fn filled(path: &str, d: &Dir, ecgrid_id: i32) -> String {
    let id = if path.starts_with("/v2/users/") {
        d.root_id
    } else if path.starts_with("/v2/networks/") {
        100
    } else if path.starts_with("/v2/mailboxes/") {
        201
    } else if path.starts_with("/v2/ids/") {
        ecgrid_id
    } else {
        1
    };
    path.split('/')
        .map(|s| {
            if s.starts_with('{') {
                id.to_string()
            } else {
                s.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_catalogue_entry_is_served_or_answers_501_and_other_paths_404() {
    let d = dir().await;
    assert_eq!(CATALOGUE.len(), 119);
    let e = d.add_id(&d.root, 201, "ZZ", "CATALOGUE").await;
    let routes = CATALOGUE
        .iter()
        .map(|x| (x.method, x.path, x.coverage, x.operation))
        .chain(ALIASES.iter().map(|a| {
            let operation = a.endpoint().map_or("", |x| x.operation);
            (a.method, a.path, a.coverage(), operation)
        }));
    let (mut served, mut refused) = (0, 0);
    for (method, path, coverage, operation) in routes {
        let url = filled(path, &d, e);
        // Root, with an empty object as the body: served routes answer (often 400 for the
        // fields the object lacks), never as an unknown path.
        let reply = call_raw(&d.app, http(method), &url, Auth::Key(&d.root), "{}").await;
        let what = format!("{} {url}", method.as_str());
        match coverage {
            Coverage::Served => {
                served += 1;
                // A parcel or interchange numbered 1 may not exist: its `404` names it.
                let unrouted = reply.status == 404 && reply.message() == "no such endpoint";
                assert!(
                    ![405, 501].contains(&reply.status) && !unrouted,
                    "{what} is served, yet: {}",
                    reply.body
                );
            }
            Coverage::Refused(reason) => {
                refused += 1;
                reply.assert_error(501, "NotImplemented");
                assert!(
                    reply.message().contains(operation) && reply.message().contains(reason),
                    "{what}: {}",
                    reply.body
                );
                // Without credentials too: a refusal says nothing about anyone.
                call(&d.app, http(method), &url, Auth::None)
                    .await
                    .assert_error(501, "NotImplemented");
            }
        }
    }
    // 103 pages and 19 aliases served; 16 pages refused (communications, certificates, portals
    // and SMS), as the README's table lists.
    assert_eq!((served, refused), (122, 16));
    for (method, path) in [
        (Method::GET, "/v2/nothing"),
        (Method::POST, "/v2/parcels/teleport/now"),
        (Method::GET, "/v2/users/1/friends"),
    ] {
        let reply = call(&d.app, method, path, Auth::Key(&d.root)).await;
        reply.assert_error(404, "ObjectNotFound");
    }
    // A catalogue path with a method it does not have.
    call(
        &d.app,
        Method::PATCH,
        "/v2/parcels/upload",
        Auth::Key(&d.root),
    )
    .await
    .assert_error(405, "InvalidParameter");
}

/// The README's REST coverage table is the one the catalogue renders (with the same renderer
/// as the SOAP tables). To regenerate it:
/// `EDIGRID_WRITE_COVERAGE=1 cargo nextest run -p edigrid-server -E 'test(readme_rest_coverage)'`.
#[test]
fn readme_rest_coverage_table_matches_the_catalogue() {
    use edigrid_soap::coverage::{
        Coverage as Row, between_markers, markdown_table, replace_between_markers,
    };
    let readme_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let rows = edigrid_rest::catalogue::rows();
    let table = markdown_table(
        "Endpoint (page)",
        rows.iter().map(|(entry, coverage)| {
            let row = match coverage {
                Coverage::Served => Row::Served,
                Coverage::Refused(reason) => Row::Refused(reason),
            };
            (entry.as_str(), row)
        }),
    );
    let readme = std::fs::read_to_string(readme_path).unwrap();
    if std::env::var_os("EDIGRID_WRITE_COVERAGE").is_some_and(|v| v == "1") {
        let text = replace_between_markers(&readme, "rest", &table)
            .expect("README.md has no coverage:rest markers");
        if text != readme {
            std::fs::write(readme_path, text).unwrap();
        }
        return;
    }
    let found = between_markers(&readme, "rest").expect("README.md has no coverage:rest markers");
    assert!(
        found == table,
        "README.md's REST coverage table differs from the catalogue; regenerate it with\n    EDIGRID_WRITE_COVERAGE=1 cargo nextest run -p edigrid-server -E 'test(readme_rest_coverage)'"
    );
}
