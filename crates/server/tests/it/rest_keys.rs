//! REST API keys (SPEC sections 6 and 8): generation, use in `X-API-Key` and in the SOAP
//! SessionID slot, rotation, the shown prefix, who may manage whose key, bad path ids,
//! suspended owners, and storage as hashes only.

use chrono::{DateTime, Duration, Utc};
use edigrid_core::Clock;
use edigrid_domain::{AuthLevel, UserId};
use edigrid_testkit::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::json;

use crate::rest_auth::{
    Auth, Reply, assert_invalid_naming, assert_soap_session_refused, call, parse_time, rest_login,
};

async fn generate(app: &TestApp, auth: Auth<'_>, user: i32) -> Reply {
    call(
        app,
        Method::POST,
        &format!("/v2/users/key-generate/{user}"),
        auth,
    )
    .await
}

async fn show(app: &TestApp, auth: Auth<'_>, user: i32) -> Reply {
    call(app, Method::GET, &format!("/v2/users/key/{user}"), auth).await
}

/// The key of a successful key-generate: 64 hexadecimal digits.
#[track_caller]
fn key_of(reply: &Reply) -> String {
    let key = reply
        .ok()
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {}", reply.body))
        .to_string();
    assert_eq!(key.len(), 64, "{key}");
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    key
}

fn soap_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_generated_key_works_on_rest_and_in_the_soap_session_id_slot() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let generated_at = app.clock.now();
    let key = key_of(&generate(&app, Auth::Bearer(&t.token), alice.0).await);
    // Distinct keys each time: at least 128 random bits.
    app.clock.advance(Duration::minutes(5));

    let me = call(&app, Method::GET, "/v2/users/me", Auth::Key(&key)).await;
    assert_eq!(me.ok()["userId"], json!(alice.0));
    assert_eq!(me.ok()["login"], json!("alice"));

    let session = call(&app, Method::POST, "/v2/auth/session", Auth::Key(&key)).await;
    let data = session.ok();
    assert_eq!(data["sessionId"], json!(key));
    assert_eq!(data["userId"], json!(alice.0));
    assert_eq!(parse_time(&data["created"]), generated_at);
    assert_eq!(
        parse_time(&data["expiresAt"]),
        soap_time("9999-12-31T23:59:59Z")
    );

    let info = app.soap("SessionInfo", &[("SessionID", &key)]).await;
    assert_eq!(info.status, 200, "{}", info.body);
    assert_eq!(info.field("SessionID").unwrap(), key);
    assert_eq!(info.field("UserID").unwrap(), alice.to_string());
    assert_eq!(info.field("Expires").unwrap(), "9999-12-31T23:59:59Z");
    assert_eq!(soap_time(&info.field("Created").unwrap()), generated_at);
    let who = app.soap("WhoAmI", &[("SessionID", &key)]).await;
    assert_eq!(who.field("Login").as_deref(), Some("alice"), "{}", who.body);

    // The key is stateless: it opened no session.
    let sessions = app.core.list_sessions(Some(alice), 10).await.unwrap();
    assert_eq!(sessions.len(), 1, "only the REST login: {sessions:?}");
}

#[tokio::test]
async fn a_new_key_replaces_the_old_one_at_once() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let old = key_of(&generate(&app, Auth::Bearer(&t.token), alice.0).await);
    // The old key may itself ask for its successor.
    let new = key_of(&generate(&app, Auth::Key(&old), alice.0).await);
    assert_ne!(old, new);

    for (method, path) in [
        (Method::GET, "/v2/users/me"),
        (Method::POST, "/v2/auth/session"),
    ] {
        call(&app, method.clone(), path, Auth::Key(&old))
            .await
            .assert_error(401, "InvalidAPIKey");
        call(&app, method, path, Auth::Key(&new)).await.ok();
    }
    for op in ["SessionInfo", "WhoAmI"] {
        let reply = app.soap(op, &[("SessionID", &old)]).await;
        assert_soap_session_refused(&reply, op);
        let reply = app.soap(op, &[("SessionID", &new)]).await;
        assert_eq!(reply.status, 200, "{op}: {}", reply.body);
    }
    // The bearer token is a session, not a key: untouched.
    call(&app, Method::GET, "/v2/users/me", Auth::Bearer(&t.token))
        .await
        .ok();
}

#[tokio::test]
async fn the_key_endpoint_shows_the_first_8_characters_or_404() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let auth = Auth::Bearer(&t.token);

    show(&app, auth, alice.0)
        .await
        .assert_error(404, "ObjectNotFound");
    let first = key_of(&generate(&app, auth, alice.0).await);
    assert_eq!(show(&app, auth, alice.0).await.ok(), &json!(first[..8]));
    let second = key_of(&generate(&app, auth, alice.0).await);
    assert_eq!(show(&app, auth, alice.0).await.ok(), &json!(second[..8]));
    assert_eq!(
        show(&app, Auth::Key(&second), alice.0).await.ok(),
        &json!(second[..8])
    );
}

struct Caller {
    login: &'static str,
    level: AuthLevel,
    network: i32,
    mailbox: i32,
    /// May manage the target's key (target: network 100, mailbox 200).
    may_manage: bool,
    /// Sees every user, so learns that an unknown UserID does not exist.
    sees_all: bool,
    /// May view the target under section 6 (so may learn that it exists).
    may_view: bool,
}

const fn caller(
    login: &'static str,
    level: AuthLevel,
    network: i32,
    mailbox: i32,
    may_manage: bool,
    sees_all: bool,
) -> Caller {
    Caller {
        login,
        level,
        network,
        mailbox,
        may_manage,
        sees_all,
        // Of the callers below, only the same-mailbox MailboxAdmin views without managing.
        may_view: may_manage || matches!(level, AuthLevel::MailboxAdmin) && mailbox == 200,
    }
}

/// Section 8: own key, or `NetworkAdmin` and above over users they may view (section 6).
const CALLERS: [Caller; 11] = [
    caller("root", AuthLevel::Root, 101, 300, true, true),
    caller("techops", AuthLevel::TechOps, 101, 300, true, true),
    caller("netops", AuthLevel::NetOps, 101, 300, true, true),
    caller(
        "netadmin-same",
        AuthLevel::NetworkAdmin,
        100,
        201,
        true,
        false,
    ),
    caller(
        "netadmin-other",
        AuthLevel::NetworkAdmin,
        101,
        300,
        false,
        false,
    ),
    caller(
        "mbxadmin-same",
        AuthLevel::MailboxAdmin,
        100,
        200,
        false,
        false,
    ),
    caller(
        "mbxadmin-other",
        AuthLevel::MailboxAdmin,
        100,
        201,
        false,
        false,
    ),
    caller("netuser", AuthLevel::NetworkUser, 100, 200, false, false),
    caller("mbxuser", AuthLevel::MailboxUser, 100, 200, false, false),
    caller("tpuser", AuthLevel::TPUser, 100, 200, false, false),
    caller("general", AuthLevel::General, 100, 200, false, false),
];

const MISSING_USER: i32 = 999_999;

#[tokio::test]
async fn who_may_manage_whose_key() {
    let app = spawn_app().await;
    let target = app
        .add_user("target", AuthLevel::MailboxUser, 100, 200)
        .await;

    for c in &CALLERS {
        let who = c.login;
        let me = app.add_user(c.login, c.level, c.network, c.mailbox).await;
        let t = rest_login(&app, c.login).await;
        let auth = Auth::Bearer(&t.token);

        // Everyone manages their own key.
        let own = key_of(&generate(&app, auth, me.0).await);
        assert_eq!(show(&app, auth, me.0).await.ok(), &json!(own[..8]), "{who}");
        let own_me = call(&app, Method::GET, "/v2/users/me", Auth::Key(&own)).await;
        assert_eq!(own_me.ok()["userId"], json!(me.0), "{who}");

        let generated = generate(&app, auth, target.0).await;
        let shown = show(&app, auth, target.0).await;
        if c.may_manage {
            let key = key_of(&generated);
            assert_eq!(shown.ok(), &json!(key[..8]), "{who}");
            let theirs = call(&app, Method::GET, "/v2/users/me", Auth::Key(&key)).await;
            assert_eq!(theirs.ok()["userId"], json!(target.0), "{who}");
        } else {
            generated.assert_error(403, "AccessDenied");
            shown.assert_error(403, "AccessDenied");
        }

        for reply in [
            generate(&app, auth, MISSING_USER).await,
            show(&app, auth, MISSING_USER).await,
        ] {
            if c.sees_all {
                reply.assert_error(404, "ObjectNotFound");
            } else {
                reply.assert_error(403, "AccessDenied");
            }
        }
        // The same caller with its own key in X-API-Key gets the same answers.
        let by_key = generate(&app, Auth::Key(&own), target.0).await;
        if c.may_manage {
            key_of(&by_key);
        } else {
            by_key.assert_error(403, "AccessDenied");
        }
        if !c.may_manage && !c.may_view {
            // Nothing tells an existing user they may not view from a missing one.
            let missing = generate(&app, Auth::Key(&own), MISSING_USER).await;
            let neutral = |text: &str, id: i32| text.replace(&id.to_string(), "N");
            assert_eq!(
                neutral(by_key.message(), target.0),
                neutral(missing.message(), MISSING_USER),
                "{who}"
            );
        }
    }
}

#[tokio::test]
async fn a_path_id_that_is_not_a_positive_number_is_400_naming_id() {
    let app = spawn_app().await;
    app.add_user("root", AuthLevel::Root, 100, 200).await;
    let t = rest_login(&app, "root").await;
    let auth = Auth::Bearer(&t.token);
    for id in ["abc", "0", "-1", "1.5", "1e3", "99999999999", "%20", "0x10"] {
        for (method, path) in [
            (Method::POST, format!("/v2/users/key-generate/{id}")),
            (Method::GET, format!("/v2/users/key/{id}")),
            (Method::POST, format!("/v2/users/reset/{id}")),
        ] {
            let reply = call(&app, method, &path, auth).await;
            assert_invalid_naming(&reply, "id");
        }
    }
    // The caller's session survived every one of them.
    call(&app, Method::GET, "/v2/users/me", auth).await.ok();
}

#[tokio::test]
async fn a_suspended_users_key_stops_working() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let key = key_of(&generate(&app, Auth::Bearer(&t.token), alice.0).await);
    call(&app, Method::GET, "/v2/users/me", Auth::Key(&key))
        .await
        .ok();

    app.core.suspend_user(alice).await.unwrap();
    call(&app, Method::GET, "/v2/users/me", Auth::Key(&key))
        .await
        .assert_error(401, "InvalidAPIKey");
    assert_soap_session_refused(
        &app.soap("SessionInfo", &[("SessionID", &key)]).await,
        "suspended owner",
    );
    call(&app, Method::GET, "/v2/users/me", Auth::Bearer(&t.token))
        .await
        .assert_error(401, "InvalidSession");
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// Every byte of the database: the main file, its WAL and shared-memory files.
fn database_bytes(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    let path = app.database_path();
    let dir = path.parent().unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with(&name))
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn assert_key_nowhere_in_the_database(app: &TestApp, key: &str) {
    let files = database_bytes(app);
    assert!(
        files.iter().any(|(name, _)| name == "edigrid.db"),
        "{:?}",
        files.len()
    );
    let raw = unhex(key);
    for (name, bytes) in &files {
        for needle in [
            key.as_bytes(),
            key.to_ascii_uppercase().as_bytes(),
            &key.as_bytes()[8..],
            raw.as_slice(),
        ] {
            assert!(!contains(bytes, needle), "the key is in {name}");
        }
    }
}

#[tokio::test]
async fn keys_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let old = key_of(&generate(&app, Auth::Bearer(&t.token), alice.0).await);
    let key = key_of(&generate(&app, Auth::Bearer(&t.token), alice.0).await);
    assert_key_nowhere_in_the_database(&app, &key);
    assert_key_nowhere_in_the_database(&app, &old);

    let url = format!("sqlite://{}", app.database_path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as("SELECT user_id, hash FROM api_keys")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(rows.len(), 1, "one active key per user");
    let (user, hash) = &rows[0];
    assert_eq!(*user, i64::from(alice.0));
    assert_ne!(hash.as_slice(), key.as_bytes());
    assert_ne!(hash.as_slice(), unhex(&key).as_slice());
    assert!(!contains(hash, &unhex(&key)[..8]));
    // After the pool above checkpointed the WAL into the main file, still nothing.
    assert_key_nowhere_in_the_database(&app, &key);

    // And the key still works: the hash is what it is checked against.
    call(&app, Method::GET, "/v2/users/me", Auth::Key(&key))
        .await
        .ok();
}

#[tokio::test]
async fn a_key_generated_by_an_admin_belongs_to_the_target() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let admin: UserId = app
        .add_user("admin", AuthLevel::NetworkAdmin, 100, 201)
        .await;
    let t = rest_login(&app, "admin").await;
    let key = key_of(&generate(&app, Auth::Bearer(&t.token), alice.0).await);
    let me = call(&app, Method::GET, "/v2/users/me", Auth::Key(&key)).await;
    assert_eq!(me.ok()["userId"], json!(alice.0));
    assert_ne!(me.ok()["userId"], json!(admin.0));
    let info = app.soap("WhoAmI", &[("SessionID", &key)]).await;
    assert_eq!(
        info.field("Login").as_deref(),
        Some("alice"),
        "{}",
        info.body
    );
    // The admin's own key is a separate one: none yet.
    show(&app, Auth::Bearer(&t.token), admin.0)
        .await
        .assert_error(404, "ObjectNotFound");
}
