//! REST bearer and refresh tokens (SPEC section 8): HS256 only (`none` and other algorithms
//! refused), signatures checked against the server's secret, expiry, refresh with either
//! token, rotation, refresh-token reuse detection ending the whole session, concurrent
//! refreshes, and the two kinds of token kept apart.

use std::sync::Arc;

use chrono::Duration;
use edigrid_core::Clock;
use edigrid_core::store::EndReason;
use edigrid_domain::{AuthLevel, UserId};
use edigrid_testkit::{TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

use crate::rest_auth::{Auth, assert_soap_session_refused, call, me, refresh, rest_login, tokens};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding, as JWTs are written.
fn b64url(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fn unb64url(text: &str) -> Vec<u8> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = ALPHABET
            .iter()
            .position(|&a| a == c)
            .unwrap_or_else(|| panic!("not base64url: {text:?}")) as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    out
}

/// The three parts of a JWT.
fn parts(token: &str) -> [String; 3] {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT: {token}");
    [
        parts[0].to_string(),
        parts[1].to_string(),
        parts[2].to_string(),
    ]
}

fn decode_part(part: &str) -> Value {
    serde_json::from_slice(&unb64url(part)).unwrap()
}

fn encode_part(value: &Value) -> String {
    b64url(value.to_string().as_bytes())
}

async fn app_with_alice() -> (TestApp, UserId) {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    (app, alice)
}

#[test]
fn base64url_helpers_round_trip() {
    for text in [
        "",
        "a",
        "ab",
        "abc",
        "abcd",
        "{\"alg\":\"none\",\"typ\":\"JWT\"}",
    ] {
        assert_eq!(unb64url(&b64url(text.as_bytes())), text.as_bytes());
    }
    assert_eq!(
        b64url(b"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"),
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    );
}

#[tokio::test]
async fn tokens_are_hs256_jwts_that_expire_at_expires_at() {
    let (app, _) = app_with_alice().await;
    let t = rest_login(&app, "alice").await;
    for token in [&t.token, &t.refresh_token] {
        let [header, payload, signature] = parts(token);
        let header = decode_part(&header);
        assert_eq!(header["alg"], json!("HS256"), "{header}");
        assert_eq!(unb64url(&signature).len(), 32, "an HS256 signature");
        let payload = decode_part(&payload);
        assert!(payload["exp"].is_i64(), "{payload}");
    }
    let exp = decode_part(&parts(&t.token)[1])["exp"].as_i64().unwrap();
    assert_eq!(
        exp,
        t.expires_at.timestamp(),
        "the bearer token ends at expiresAt"
    );
}

#[tokio::test]
async fn a_token_with_alg_none_is_refused() {
    let (app, _) = app_with_alice().await;
    let t = rest_login(&app, "alice").await;
    let [_, payload, signature] = parts(&t.token);
    let [_, refresh_payload, _] = parts(&t.refresh_token);

    let mut forged = Vec::new();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = encode_part(&json!({"alg": alg, "typ": "JWT"}));
        forged.push(format!("{header}.{payload}."));
        forged.push(format!("{header}.{payload}.{signature}"));
    }
    // Other algorithms with the genuine signature are refused as well.
    for alg in ["HS384", "HS512", "RS256", "ES256"] {
        let header = encode_part(&json!({"alg": alg, "typ": "JWT"}));
        forged.push(format!("{header}.{payload}.{signature}"));
    }
    for token in &forged {
        me(&app, token).await.assert_error(401, "InvalidSession");
        call(&app, Method::POST, "/v2/auth/session", Auth::Bearer(token))
            .await
            .assert_error(401, "InvalidSession");
        refresh(&app, &json!({ "token": token }))
            .await
            .assert_error(401, "InvalidSession");
    }
    let none = encode_part(&json!({"alg": "none", "typ": "JWT"}));
    refresh(
        &app,
        &json!({"refreshToken": format!("{none}.{refresh_payload}.")}),
    )
    .await
    .assert_error(401, "InvalidSession");

    // Forgeries cannot end the victim's session: the real pair still works.
    me(&app, &t.token).await.ok();
    tokens(&refresh(&app, &json!({"refreshToken": t.refresh_token})).await);
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let (app, _) = app_with_alice().await;
    let t = rest_login(&app, "alice").await;
    let [header, payload, signature] = parts(&t.token);

    // One character of the signature changed (in the middle: every bit there counts).
    let mut flipped: Vec<char> = signature.chars().collect();
    let i = flipped.len() / 2;
    flipped[i] = if flipped[i] == 'A' { 'B' } else { 'A' };
    let flipped: String = flipped.into_iter().collect();
    // The claims changed under the genuine signature.
    let mut claims = decode_part(&payload);
    claims["sub"] = json!("1");
    let other_sub = encode_part(&claims);
    let mut claims = decode_part(&payload);
    claims["exp"] = json!(claims["exp"].as_i64().unwrap() + 3600);
    let later = encode_part(&claims);

    for token in [
        format!("{header}.{payload}.{flipped}"),
        format!("{header}.{other_sub}.{signature}"),
        format!("{header}.{later}.{signature}"),
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
        format!("{header}.{payload}.{signature}x"),
    ] {
        me(&app, &token).await.assert_error(401, "InvalidSession");
    }
    me(&app, &t.token).await.ok();
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_refused() {
    // Two servers on one database: the same sessions, each with its own signing secret.
    let a = spawn_app().await;
    a.add_user("alice", AuthLevel::MailboxUser, 100, 200).await;
    let database = a.settings.database.clone();
    let b = spawn_app_with(move |s| {
        s.database = database;
        s.jwt_secret = Some("another secret, at least thirty-two characters".into());
    })
    .await;

    let from_b = rest_login(&b, "alice").await;
    let from_a = rest_login(&a, "alice").await;
    // Each server takes its own tokens (the session is in the shared database)...
    me(&b, &from_b.token).await.ok();
    me(&a, &from_a.token).await.ok();
    // ...and refuses the other's, whose sessions it knows: only the signature is wrong.
    me(&a, &from_b.token)
        .await
        .assert_error(401, "InvalidSession");
    me(&b, &from_a.token)
        .await
        .assert_error(401, "InvalidSession");
    refresh(&a, &json!({"refreshToken": from_b.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");
    refresh(&a, &json!({"token": from_b.token}))
        .await
        .assert_error(401, "InvalidSession");

    // A server with a database of its own does not take them either.
    let c = spawn_app().await;
    me(&c, &from_a.token)
        .await
        .assert_error(401, "InvalidSession");
}

#[tokio::test]
async fn an_expired_token_is_refused_and_its_idle_session_cannot_be_refreshed() {
    let (app, _) = app_with_alice().await;
    let t = rest_login(&app, "alice").await;
    app.clock
        .advance(Duration::minutes(60) + Duration::seconds(1));
    assert!(app.clock.now() > t.expires_at);

    me(&app, &t.token).await.assert_error(401, "InvalidSession");
    // The session expired with the token (60 idle minutes): nothing revives it.
    refresh(&app, &json!({"token": t.token}))
        .await
        .assert_error(401, "InvalidSession");
    refresh(&app, &json!({"refreshToken": t.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");
}

#[tokio::test]
async fn an_expired_bearer_token_of_an_open_session_is_refreshed_with_token() {
    let (app, _) = app_with_alice().await;
    let t = rest_login(&app, "alice").await;
    // Activity at 50 minutes keeps the session open past the token's own expiry.
    app.clock.advance(Duration::minutes(50));
    me(&app, &t.token).await.ok();
    app.clock.advance(Duration::minutes(11));
    me(&app, &t.token).await.assert_error(401, "InvalidSession");

    let renewed = tokens(&refresh(&app, &json!({"token": t.token})).await);
    assert!(renewed.expires_at > app.clock.now(), "{renewed:?}");
    assert_eq!(renewed.user_id, t.user_id);
    me(&app, &renewed.token).await.ok();
}

#[tokio::test]
async fn refresh_takes_the_refresh_token_or_the_token() {
    let (app, alice) = app_with_alice().await;
    let first = rest_login(&app, "alice").await;
    app.clock.advance(Duration::minutes(10));

    let second = tokens(&refresh(&app, &json!({"refreshToken": first.refresh_token})).await);
    assert_eq!(second.user_id, i64::from(alice.0));
    assert_ne!(second.token, first.token);
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(second.expires_at, app.clock.now() + Duration::minutes(60));
    me(&app, &second.token).await.ok();

    app.clock.advance(Duration::minutes(10));
    let third = tokens(&refresh(&app, &json!({"token": second.token})).await);
    assert_ne!(third.token, second.token);
    assert_ne!(third.refresh_token, second.refresh_token);
    assert_eq!(third.expires_at, app.clock.now() + Duration::minutes(60));
    me(&app, &third.token).await.ok();

    // Refreshing keeps the one session: no new session was opened.
    let sessions = app.core.list_sessions(Some(alice), 10).await.unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert!(sessions[0].ended.is_none());
}

async fn end_reason(app: &TestApp, user: UserId) -> Vec<Option<EndReason>> {
    app.core
        .list_sessions(Some(user), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.end_reason)
        .collect()
}

#[tokio::test]
async fn after_a_refresh_the_old_bearer_token_is_refused_and_ends_the_session() {
    let (app, alice) = app_with_alice().await;
    let old = rest_login(&app, "alice").await;
    let new = tokens(&refresh(&app, &json!({"refreshToken": old.refresh_token})).await);
    me(&app, &new.token).await.ok();

    me(&app, &old.token)
        .await
        .assert_error(401, "InvalidSession");
    // Replaying a rotated token is theft: the whole session ended.
    me(&app, &new.token)
        .await
        .assert_error(401, "InvalidSession");
    refresh(&app, &json!({"refreshToken": new.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");
    assert_eq!(end_reason(&app, alice).await, [Some(EndReason::TokenReuse)]);
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_ends_the_whole_session() {
    let (app, alice) = app_with_alice().await;
    let soap = app.login("alice").await;
    let bystander = rest_login(&app, "alice").await;
    app.clock.advance(Duration::seconds(1));
    let first = rest_login(&app, "alice").await;
    let second = tokens(&refresh(&app, &json!({"refreshToken": first.refresh_token})).await);
    let third = tokens(&refresh(&app, &json!({"refreshToken": second.refresh_token})).await);
    me(&app, &third.token).await.ok();

    // The first refresh token again.
    refresh(&app, &json!({"refreshToken": first.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");
    // Now the newest pair is dead too.
    me(&app, &third.token)
        .await
        .assert_error(401, "InvalidSession");
    refresh(&app, &json!({"refreshToken": third.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");

    let all = app.core.list_sessions(None, 10).await.unwrap();
    let ended: Vec<_> = all.iter().filter(|s| s.ended.is_some()).collect();
    assert_eq!(ended.len(), 1, "only the stolen session ended: {all:?}");
    assert_eq!(ended[0].end_reason, Some(EndReason::TokenReuse));
    assert_eq!(ended[0].user_id, alice);
    // The user's other sessions, REST and SOAP, carry on.
    me(&app, &bystander.token).await.ok();
    let info = app.soap("SessionInfo", &[("SessionID", &soap)]).await;
    assert_eq!(info.status, 200, "{}", info.body);
}

#[tokio::test]
async fn a_rotated_bearer_token_in_the_refresh_body_is_reuse_too() {
    let (app, alice) = app_with_alice().await;
    let first = rest_login(&app, "alice").await;
    let second = tokens(&refresh(&app, &json!({"token": first.token})).await);
    refresh(&app, &json!({"token": first.token}))
        .await
        .assert_error(401, "InvalidSession");
    me(&app, &second.token)
        .await
        .assert_error(401, "InvalidSession");
    assert_eq!(end_reason(&app, alice).await, [Some(EndReason::TokenReuse)]);
}

#[tokio::test]
async fn concurrent_refreshes_with_one_refresh_token_succeed_at_most_once() {
    let app = Arc::new(app_with_alice().await.0);
    for round in 0..5 {
        let t = rest_login(&app, "alice").await;
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let app = app.clone();
            let body = json!({"refreshToken": t.refresh_token});
            tasks.push(tokio::spawn(async move { refresh(&app, &body).await }));
        }
        let mut winners = Vec::new();
        for task in tasks {
            let reply = task.await.unwrap();
            if reply.status == 200 {
                winners.push(tokens(&reply));
            } else {
                reply.assert_error(401, "InvalidSession");
            }
        }
        assert!(
            winners.len() <= 1,
            "round {round}: {} refreshes won",
            winners.len()
        );
        // The losers presented a rotated token: the session is over for the winner too.
        for w in &winners {
            me(&app, &w.token).await.assert_error(401, "InvalidSession");
        }
        me(&app, &t.token).await.assert_error(401, "InvalidSession");
    }
}

#[tokio::test]
async fn a_refresh_token_is_not_a_bearer_token_nor_the_reverse() {
    let (app, _) = app_with_alice().await;
    let t = rest_login(&app, "alice").await;
    me(&app, &t.refresh_token)
        .await
        .assert_error(401, "InvalidSession");
    call(
        &app,
        Method::POST,
        "/v2/auth/logout",
        Auth::Bearer(&t.refresh_token),
    )
    .await
    .assert_error(401, "InvalidSession");
    refresh(&app, &json!({"refreshToken": t.token}))
        .await
        .assert_error(401, "InvalidSession");
    refresh(&app, &json!({"token": t.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");
    // A token is not an API key either.
    call(&app, Method::GET, "/v2/users/me", Auth::Key(&t.token))
        .await
        .assert_error(401, "InvalidAPIKey");
}

#[tokio::test]
async fn a_logged_out_or_reset_session_cannot_be_refreshed() {
    let (app, alice) = app_with_alice().await;
    let t = rest_login(&app, "alice").await;
    call(
        &app,
        Method::POST,
        "/v2/auth/logout",
        Auth::Bearer(&t.token),
    )
    .await
    .ok();
    refresh(&app, &json!({"refreshToken": t.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");
    refresh(&app, &json!({"token": t.token}))
        .await
        .assert_error(401, "InvalidSession");

    let soap = app.login("alice").await;
    let t = rest_login(&app, "alice").await;
    app.core.suspend_user(alice).await.unwrap();
    refresh(&app, &json!({"refreshToken": t.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");
    assert_soap_session_refused(
        &app.soap("SessionInfo", &[("SessionID", &soap)]).await,
        "suspended",
    );
}
