//! One session world for SOAP and REST (SPEC sections 5, 6, 7 and 8): REST sessions in the
//! SOAP SessionLog, resets that end both kinds and clear lockouts, the per-user cap, lockout
//! and throttle counted across protocols, client binding of bearer tokens, and REST logout
//! seen from SOAP.

use std::net::IpAddr;

use chrono::Duration;
use edigrid_core::Clock;
use edigrid_domain::{AuthLevel, UserId};
use edigrid_testkit::{SoapReply, TEST_PASSWORD, TestApp, client_from, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::json;

use crate::rest_auth::{
    Auth, Reply, assert_login_refused, assert_soap_session_refused, call, call_from, is_redacted,
    me, refresh, rest_login, rest_login_from, tokens, try_login,
};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

async fn soap_login(app: &TestApp, login: &str, password: &str) -> SoapReply {
    app.soap("Login", &[("UserName", login), ("Password", password)])
        .await
}

async fn session_info(app: &TestApp, sid: &str) -> SoapReply {
    app.soap("SessionInfo", &[("SessionID", sid)]).await
}

#[track_caller]
fn assert_works(reply: &SoapReply, what: &str) {
    assert_eq!(reply.status, 200, "{what}: {}", reply.body);
}

async fn open_sessions(app: &TestApp, sid: &str) -> i64 {
    let reply = app.soap("WhoAmI", &[("SessionID", sid)]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.field("OpenSessions").unwrap().parse().unwrap()
}

async fn reset(app: &TestApp, auth: Auth<'_>, user: i32) -> Reply {
    call(app, Method::POST, &format!("/v2/users/reset/{user}"), auth).await
}

#[tokio::test]
async fn a_rest_login_shows_in_the_soap_session_log_redacted() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let rest_created = app.clock.now();
    app.clock.advance(Duration::minutes(1));
    let sid = app.login("alice").await;

    let reply = app
        .soap(
            "SessionLog",
            &[("SessionID", &sid), ("UserID", "0"), ("MaxRecords", "10")],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let ids = reply.all("SessionID");
    let users = reply.all("UserID");
    let created = reply.all("Created");
    assert_eq!(ids.len(), 2, "{}", reply.body);
    assert_eq!(ids[0], sid, "the current SOAP session, newest, in full");
    assert!(
        is_redacted(&ids[1]),
        "the REST session, redacted: {}",
        ids[1]
    );
    assert!(users.iter().all(|u| *u == alice.to_string()), "{users:?}");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(&created[1]).unwrap(),
        rest_created
    );

    // The same record as REST describes its own session.
    let session = call(
        &app,
        Method::POST,
        "/v2/auth/session",
        Auth::Bearer(&t.token),
    )
    .await;
    assert_eq!(session.ok()["sessionId"], json!(ids[1]));
}

#[tokio::test]
async fn reset_ends_soap_and_rest_sessions_and_clears_the_lockout() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    app.add_user("bob", AuthLevel::MailboxUser, 100, 200).await;
    app.add_user("admin", AuthLevel::NetworkAdmin, 100, 201)
        .await;
    let sid = app.login("alice").await;
    let t = rest_login(&app, "alice").await;
    let bobs = app.login("bob").await;

    for _ in 0..5 {
        let reply = soap_login(&app, "alice", "Wrong#Pass1").await;
        assert_eq!(reply.expect_fault().category, "Authentication");
    }
    // Locked out on both protocols.
    assert!(
        soap_login(&app, "alice", TEST_PASSWORD)
            .await
            .fault()
            .is_some()
    );
    assert_login_refused(&try_login(&app, "alice", TEST_PASSWORD).await);

    let admin = rest_login(&app, "admin").await;
    let reply = reset(&app, Auth::Bearer(&admin.token), alice.0).await;
    assert_eq!(reply.ok(), &json!(true));

    assert_soap_session_refused(&session_info(&app, &sid).await, "alice's SOAP session");
    me(&app, &t.token).await.assert_error(401, "InvalidSession");
    refresh(&app, &json!({"refreshToken": t.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");
    // Nobody else's sessions ended, the admin's included.
    assert_works(&session_info(&app, &bobs).await, "bob");
    me(&app, &admin.token).await.ok();
    assert_eq!(open_sessions(&app, &bobs).await, 1);

    // The lockout is gone: both protocols log in.
    assert_works(
        &soap_login(&app, "alice", TEST_PASSWORD).await,
        "SOAP login",
    );
    rest_login(&app, "alice").await;
}

struct Caller {
    login: &'static str,
    level: AuthLevel,
    network: i32,
    mailbox: i32,
    may_view: bool,
    sees_all: bool,
}

const fn caller(
    login: &'static str,
    level: AuthLevel,
    network: i32,
    mailbox: i32,
    may_view: bool,
    sees_all: bool,
) -> Caller {
    Caller {
        login,
        level,
        network,
        mailbox,
        may_view,
        sees_all,
    }
}

/// The rules of section 6 around a target in network 100, mailbox 200.
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
        true,
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
async fn reset_permissions_are_those_of_session_log() {
    let app = spawn_app().await;
    let target = app
        .add_user("target", AuthLevel::MailboxUser, 100, 200)
        .await;

    for c in &CALLERS {
        let who = c.login;
        let me_id = app.add_user(c.login, c.level, c.network, c.mailbox).await;
        let t = rest_login(&app, c.login).await;
        let auth = Auth::Bearer(&t.token);
        let targets = app.login("target").await;

        let existing = reset(&app, auth, target.0).await;
        let missing = reset(&app, auth, MISSING_USER).await;
        if c.may_view {
            assert_eq!(existing.ok(), &json!(true), "{who}");
            assert_soap_session_refused(&session_info(&app, &targets).await, who);
        } else {
            existing.assert_error(403, "AccessDenied");
            assert_works(&session_info(&app, &targets).await, who);
        }
        if c.sees_all {
            missing.assert_error(404, "ObjectNotFound");
        } else {
            missing.assert_error(403, "AccessDenied");
        }
        if !c.may_view {
            let neutral = |text: &str, id: i32| text.replace(&id.to_string(), "N");
            assert_eq!(
                neutral(existing.message(), target.0),
                neutral(missing.message(), MISSING_USER),
                "{who}"
            );
        }

        // Everyone may reset themselves, which ends the very session that asked.
        let mine = app.login(c.login).await;
        let reply = reset(&app, auth, me_id.0).await;
        assert_eq!(reply.ok(), &json!(true), "{who}");
        me(&app, &t.token).await.assert_error(401, "InvalidSession");
        assert_soap_session_refused(&session_info(&app, &mine).await, who);
    }
}

async fn app_with_cap_2() -> (TestApp, UserId) {
    let app = spawn_app_with(|s| s.max_sessions_per_user = 2).await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    (app, alice)
}

#[tokio::test]
async fn the_cap_counts_both_protocols_and_a_rest_login_evicts_a_soap_session() {
    let (app, alice) = app_with_cap_2().await;
    let sid = app.login("alice").await;
    app.clock.advance(Duration::minutes(2));
    let t = rest_login(&app, "alice").await;
    assert_eq!(open_sessions(&app, &sid).await, 2);
    app.clock.advance(Duration::minutes(2));
    // The REST session was used last: the SOAP one is the least recently used.
    me(&app, &t.token).await.ok();
    app.clock.advance(Duration::minutes(2));

    let third = rest_login(&app, "alice").await;
    assert_soap_session_refused(&session_info(&app, &sid).await, "evicted SOAP session");
    me(&app, &t.token).await.ok();
    me(&app, &third.token).await.ok();
    let open = app
        .core
        .store()
        .count_open_sessions(alice, app.clock.now())
        .await
        .unwrap();
    assert_eq!(open, 2);
}

#[tokio::test]
async fn the_cap_counts_both_protocols_and_a_soap_login_evicts_a_rest_session() {
    let (app, _) = app_with_cap_2().await;
    // The REST session is the newer one, but the SOAP one is used after it.
    let sid = app.login("alice").await;
    app.clock.advance(Duration::minutes(2));
    let t = rest_login(&app, "alice").await;
    app.clock.advance(Duration::minutes(2));
    assert_works(&session_info(&app, &sid).await, "SOAP session in use");
    app.clock.advance(Duration::minutes(2));

    let third = app.login("alice").await;
    me(&app, &t.token).await.assert_error(401, "InvalidSession");
    refresh(&app, &json!({"refreshToken": t.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");
    assert_works(&session_info(&app, &sid).await, "the used SOAP session");
    assert_eq!(open_sessions(&app, &third).await, 2);
}

#[tokio::test]
async fn lockout_counts_soap_and_rest_failures_together() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    app.add_user("bob", AuthLevel::MailboxUser, 100, 200).await;
    app.add_user("carol", AuthLevel::MailboxUser, 100, 200)
        .await;

    // alice: 3 wrong over SOAP, 2 over REST.
    for _ in 0..3 {
        assert!(
            soap_login(&app, "alice", "Wrong#Pass1")
                .await
                .fault()
                .is_some()
        );
    }
    for _ in 0..2 {
        assert_login_refused(&try_login(&app, "alice", "Wrong#Pass1").await);
    }
    // bob: the other way round.
    for _ in 0..3 {
        assert_login_refused(&try_login(&app, "bob", "Wrong#Pass1").await);
    }
    for _ in 0..2 {
        assert!(
            soap_login(&app, "bob", "Wrong#Pass1")
                .await
                .fault()
                .is_some()
        );
    }
    for who in ["alice", "bob"] {
        let fault = soap_login(&app, who, TEST_PASSWORD).await.expect_fault();
        assert_eq!(fault.category, "Authentication", "{who}: {fault:?}");
        assert_login_refused(&try_login(&app, who, TEST_PASSWORD).await);
    }

    // carol: four failures, two each way, do not lock.
    for _ in 0..2 {
        assert!(
            soap_login(&app, "carol", "Wrong#Pass1")
                .await
                .fault()
                .is_some()
        );
        assert_login_refused(&try_login(&app, "carol", "Wrong#Pass1").await);
    }
    rest_login(&app, "carol").await;

    // The lock lasts its 15 minutes on both protocols, then lifts.
    app.clock.advance(Duration::minutes(16));
    assert_works(
        &soap_login(&app, "alice", TEST_PASSWORD).await,
        "alice later",
    );
    rest_login(&app, "bob").await;
}

#[tokio::test]
async fn the_throttle_counts_both_protocols_per_address() {
    let app = spawn_app_with(|s| {
        s.login_throttle_per_minute = 2;
        s.login_throttle_burst = 2;
    })
    .await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;

    assert_works(&soap_login(&app, "alice", TEST_PASSWORD).await, "first");
    rest_login(&app, "alice").await;

    let reply = try_login(&app, "alice", TEST_PASSWORD).await;
    reply.assert_error(429, "RateLimitExceeded");
    assert!(
        reply.headers.contains_key("retry-after"),
        "{:?}",
        reply.headers
    );
    let fault = soap_login(&app, "alice", TEST_PASSWORD)
        .await
        .expect_fault();
    assert_eq!(fault.category, "Authentication", "{fault:?}");

    // Another address has its own allowance, on either protocol.
    let other = client_from(ip("127.0.0.2"));
    rest_login_from(&app, &other, "alice").await;
    let reply = app
        .soap_from(
            &other,
            "Login",
            &[("UserName", "alice"), ("Password", TEST_PASSWORD)],
        )
        .await;
    assert_works(&reply, "127.0.0.2 over SOAP");
}

#[tokio::test]
async fn bearer_tokens_are_bound_to_the_client_address() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let other = client_from(ip("127.0.0.2"));

    for (method, path) in [
        (Method::GET, "/v2/users/me"),
        (Method::POST, "/v2/auth/session"),
        (Method::POST, "/v2/auth/logout"),
    ] {
        call_from(&app, &other, method, path, Auth::Bearer(&t.token))
            .await
            .assert_error(401, "InvalidSession");
    }
    let stolen_refresh = crate::rest_auth::call_json_from(
        &app,
        &other,
        Method::POST,
        "/v2/auth/refresh",
        Auth::None,
        &json!({"refreshToken": t.refresh_token}),
    )
    .await;
    stolen_refresh.assert_error(401, "InvalidSession");

    // From its own address the session keeps working, its tokens unchanged.
    me(&app, &t.token).await.ok();
    tokens(&refresh(&app, &json!({"refreshToken": t.refresh_token})).await);

    // A token obtained from 127.0.0.2 works there and not here.
    let theirs = rest_login_from(&app, &other, "alice").await;
    call_from(
        &app,
        &other,
        Method::GET,
        "/v2/users/me",
        Auth::Bearer(&theirs.token),
    )
    .await
    .ok();
    me(&app, &theirs.token)
        .await
        .assert_error(401, "InvalidSession");
}

#[tokio::test]
async fn without_binding_a_bearer_token_works_from_any_address() {
    let app = spawn_app_with(|s| s.bind_client_address = false).await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let other = client_from(ip("127.0.0.2"));
    call_from(
        &app,
        &other,
        Method::GET,
        "/v2/users/me",
        Auth::Bearer(&t.token),
    )
    .await
    .ok();
    me(&app, &t.token).await.ok();
}

#[tokio::test]
async fn a_rest_logout_no_longer_counts_in_soap_who_am_i() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let sid = app.login("alice").await;
    let t = rest_login(&app, "alice").await;
    let kept = rest_login(&app, "alice").await;
    assert_eq!(open_sessions(&app, &sid).await, 3);
    let whoami = me(&app, &kept.token).await;
    assert_eq!(whoami.ok()["openSessions"], json!(3));

    call(
        &app,
        Method::POST,
        "/v2/auth/logout",
        Auth::Bearer(&t.token),
    )
    .await
    .ok();
    assert_eq!(open_sessions(&app, &sid).await, 2);
    let whoami = me(&app, &kept.token).await;
    assert_eq!(whoami.ok()["openSessions"], json!(2));

    // A SOAP Logout is seen from REST the same way.
    let out = app.soap("Logout", &[("SessionID", &sid)]).await;
    assert_eq!(out.field("LogoutResult").as_deref(), Some("true"));
    let whoami = me(&app, &kept.token).await;
    assert_eq!(whoami.ok()["openSessions"], json!(1));
}

#[tokio::test]
async fn suspending_a_user_ends_their_rest_and_soap_sessions() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let sid = app.login("alice").await;
    let t = rest_login(&app, "alice").await;
    app.core.suspend_user(alice).await.unwrap();
    me(&app, &t.token).await.assert_error(401, "InvalidSession");
    assert_soap_session_refused(&session_info(&app, &sid).await, "suspended");
    assert_login_refused(&try_login(&app, "alice", TEST_PASSWORD).await);
}
