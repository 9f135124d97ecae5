//! REST v2 authentication (SPEC sections 8 and 9): the `{success, data, errorCode, message}`
//! envelope on every response, login, each error code with its status, the shapes of
//! `/v2/auth/session` and `/v2/users/me`, logout and password change. Also the helpers the
//! other `rest_*` suites share.

use chrono::{DateTime, Duration, Utc};
use edigrid_core::Clock;
use edigrid_domain::{AuthLevel, UserId};
use edigrid_testkit::{TEST_PASSWORD, TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Shared helpers

/// How a request proves who sends it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Auth<'a> {
    None,
    Bearer(&'a str),
    Key(&'a str),
    /// A raw `Authorization` header value.
    Header(&'a str),
}

/// A REST response whose body is the envelope (checked on arrival).
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    pub fn code(&self) -> &str {
        self.body["errorCode"].as_str().unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }

    /// Asserts a `200` success and returns its data.
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, 200, "expected success: {}", self.body);
        assert_eq!(self.body["success"], json!(true), "{}", self.body);
        self.data()
    }

    /// Asserts an error of this status and code (the envelope itself is checked already).
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.code(), code, "{}", self.body);
    }
}

/// Checks the four keys of the envelope and their rules for success and error.
#[track_caller]
pub(crate) fn check_envelope(status: u16, body: &Value) {
    let object = body
        .as_object()
        .unwrap_or_else(|| panic!("the body is not a JSON object ({status}): {body}"));
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["data", "errorCode", "message", "success"],
        "envelope keys ({status}): {body}"
    );
    let success = body["success"]
        .as_bool()
        .unwrap_or_else(|| panic!("success is not a boolean: {body}"));
    let code = body["errorCode"]
        .as_str()
        .unwrap_or_else(|| panic!("errorCode is not a string: {body}"));
    assert!(
        body["message"].is_string(),
        "message is not a string: {body}"
    );
    if success {
        assert!(
            (200..300).contains(&status),
            "success with {status}: {body}"
        );
        assert_eq!(code, "", "a success has an empty errorCode: {body}");
    } else {
        assert!(status >= 400, "an error with status {status}: {body}");
        assert!(body["data"].is_null(), "an error has data null: {body}");
        assert!(!code.is_empty(), "an error names its errorCode: {body}");
        assert!(
            !body["message"].as_str().unwrap_or_default().is_empty(),
            "an error explains itself: {body}"
        );
    }
}

/// Sends a request and reads the envelope; panics if the body is not one.
pub(crate) async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not JSON ({status}, {e}): {text:?}"));
    check_envelope(status, &body);
    Reply {
        status,
        headers,
        body,
    }
}

fn with_auth(request: reqwest::RequestBuilder, auth: Auth<'_>) -> reqwest::RequestBuilder {
    match auth {
        Auth::None => request,
        Auth::Bearer(token) => request.header("Authorization", format!("Bearer {token}")),
        Auth::Key(key) => request.header("X-API-Key", key),
        Auth::Header(value) => request.header("Authorization", value),
    }
}

/// A request without a body, from 127.0.0.1.
pub(crate) async fn call(app: &TestApp, method: Method, path: &str, auth: Auth<'_>) -> Reply {
    call_from(app, &app.http, method, path, auth).await
}

pub(crate) async fn call_from(
    app: &TestApp,
    client: &reqwest::Client,
    method: Method,
    path: &str,
    auth: Auth<'_>,
) -> Reply {
    let request = client.request(method, format!("{}{path}", app.base_url()));
    send(with_auth(request, auth)).await
}

/// A request with a JSON body.
pub(crate) async fn call_json(
    app: &TestApp,
    method: Method,
    path: &str,
    auth: Auth<'_>,
    body: &Value,
) -> Reply {
    call_json_from(app, &app.http, method, path, auth, body).await
}

pub(crate) async fn call_json_from(
    app: &TestApp,
    client: &reqwest::Client,
    method: Method,
    path: &str,
    auth: Auth<'_>,
    body: &Value,
) -> Reply {
    let request = client
        .request(method, format!("{}{path}", app.base_url()))
        .json(body);
    send(with_auth(request, auth)).await
}

/// A request with a raw body sent as `application/json`.
pub(crate) async fn call_raw(
    app: &TestApp,
    method: Method,
    path: &str,
    auth: Auth<'_>,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let request = app
        .http
        .request(method, format!("{}{path}", app.base_url()))
        .header("Content-Type", "application/json")
        .body(body);
    send(with_auth(request, auth)).await
}

/// What a successful login or refresh hands out.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    pub token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
    pub user_id: i64,
}

pub(crate) fn parse_time(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a date-time string: {value}"));
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .with_timezone(&Utc)
}

/// Reads `{token, refreshToken, expiresAt, userId}` from a successful reply.
#[track_caller]
pub(crate) fn tokens(reply: &Reply) -> Tokens {
    let data = reply.ok();
    let object = data.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["expiresAt", "refreshToken", "token", "userId"],
        "{data}"
    );
    let text = |k: &str| data[k].as_str().unwrap().to_string();
    let tokens = Tokens {
        token: text("token"),
        refresh_token: text("refreshToken"),
        expires_at: parse_time(&data["expiresAt"]),
        user_id: data["userId"].as_i64().unwrap(),
    };
    assert!(!tokens.token.is_empty() && !tokens.refresh_token.is_empty());
    assert_ne!(tokens.token, tokens.refresh_token);
    tokens
}

pub(crate) async fn try_login_from(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
    password: &str,
) -> Reply {
    call_json_from(
        app,
        client,
        Method::POST,
        "/v2/auth/login",
        Auth::None,
        &json!({"login": login, "password": password}),
    )
    .await
}

pub(crate) async fn try_login(app: &TestApp, login: &str, password: &str) -> Reply {
    try_login_from(app, &app.http, login, password).await
}

/// Logs in over REST with [`TEST_PASSWORD`]; panics unless a token pair comes back.
pub(crate) async fn rest_login(app: &TestApp, login: &str) -> Tokens {
    tokens(&try_login(app, login, TEST_PASSWORD).await)
}

pub(crate) async fn rest_login_from(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
) -> Tokens {
    tokens(&try_login_from(app, client, login, TEST_PASSWORD).await)
}

/// `GET /v2/users/me` with a bearer token.
pub(crate) async fn me(app: &TestApp, token: &str) -> Reply {
    call(app, Method::GET, "/v2/users/me", Auth::Bearer(token)).await
}

pub(crate) async fn refresh(app: &TestApp, body: &Value) -> Reply {
    call_json(app, Method::POST, "/v2/auth/refresh", Auth::None, body).await
}

/// Whether `message` names `field` as a word of its own (not inside another word).
pub(crate) fn names_field(message: &str, field: &str) -> bool {
    message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| word == field)
}

#[track_caller]
pub(crate) fn assert_invalid_naming(reply: &Reply, field: &str) {
    reply.assert_error(400, "InvalidParameter");
    assert!(
        names_field(reply.message(), field),
        "the message should name {field}: {}",
        reply.body
    );
}

/// A refused login: `401` (SPEC section 8 names no code for it; the body is the same for
/// every reason, which `a_wrong_password_and_an_unknown_user_get_the_same_401` checks).
#[track_caller]
pub(crate) fn assert_login_refused(reply: &Reply) {
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(reply.body["success"], json!(false), "{}", reply.body);
}

/// A session fault over SOAP: `Authentication`, text mentioning `SessionID`.
#[track_caller]
pub(crate) fn assert_soap_session_refused(reply: &edigrid_testkit::SoapReply, what: &str) {
    let fault = reply.expect_fault();
    assert_eq!(fault.category, "Authentication", "{what}: {fault:?}");
    assert!(fault.text.contains("SessionID"), "{what}: {fault:?}");
}

pub(crate) async fn failed_logins(app: &TestApp, user: UserId) -> i32 {
    app.core
        .store()
        .user(user)
        .await
        .unwrap()
        .unwrap()
        .failed_logins
}

// ---------------------------------------------------------------------------------------
// The envelope

#[tokio::test]
async fn every_response_is_the_four_key_envelope() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;

    // `send` checks the envelope of each of these; here also the JSON content type.
    let response = app
        .http
        .get(format!("{}/v2/auth/version", app.base_url()))
        .send()
        .await
        .unwrap();
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );

    let version = call(&app, Method::GET, "/v2/auth/version", Auth::None).await;
    assert_eq!(version.body["errorCode"], json!(""));
    assert_eq!(version.body["message"], json!(""));
    let t = rest_login(&app, "alice").await;
    me(&app, &t.token).await.ok();
    assert_login_refused(&try_login(&app, "alice", "Wrong#Pass1").await);
    call(&app, Method::GET, "/v2/users/me", Auth::None)
        .await
        .assert_error(401, "InvalidSession");
    call(&app, Method::GET, "/v2/no/such/thing", Auth::None)
        .await
        .assert_error(404, "ObjectNotFound");
    call_raw(&app, Method::POST, "/v2/auth/login", Auth::None, "{")
        .await
        .assert_error(400, "InvalidParameter");
    let out = call(
        &app,
        Method::POST,
        "/v2/auth/logout",
        Auth::Bearer(&t.token),
    )
    .await;
    assert!(out.ok().is_null(), "{}", out.body);
}

#[tokio::test]
async fn a_wrong_method_on_a_rest_path_still_gets_the_envelope() {
    let app = spawn_app().await;
    // `send` panics unless the body is the envelope.
    let reply = call(&app, Method::GET, "/v2/auth/login", Auth::None).await;
    assert_eq!(reply.status, 405, "{}", reply.body);
    assert_eq!(reply.body["success"], json!(false));
    let reply = call(&app, Method::DELETE, "/v2/auth/version", Auth::None).await;
    assert_eq!(reply.status, 405, "{}", reply.body);
}

// ---------------------------------------------------------------------------------------
// Login

#[tokio::test]
async fn login_by_login_or_email_key_returns_a_token_pair() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let now = app.clock.now();

    for key in ["login", "email"] {
        for name in ["alice", "ALICE"] {
            let mut body = serde_json::Map::new();
            body.insert(key.to_string(), json!(name));
            body.insert("password".to_string(), json!(TEST_PASSWORD));
            let reply = call_json(
                &app,
                Method::POST,
                "/v2/auth/login",
                Auth::None,
                &Value::Object(body),
            )
            .await;
            let t = tokens(&reply);
            assert_eq!(t.user_id, i64::from(alice.0), "{key}: {name}");
            // The default idle timeout is 60 minutes.
            assert_eq!(t.expires_at, now + Duration::minutes(60), "{key}: {name}");
            assert_eq!(t.token.split('.').count(), 3, "a JWT: {}", t.token);
            let who = me(&app, &t.token).await;
            assert_eq!(who.ok()["userId"], json!(alice.0), "{key}: {name}");
        }
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_401() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let suspended = app.add_user("sam", AuthLevel::MailboxUser, 100, 200).await;
    app.core.suspend_user(suspended).await.unwrap();
    app.add_user("lou", AuthLevel::MailboxUser, 100, 200).await;
    for _ in 0..5 {
        assert_login_refused(&try_login(&app, "lou", "Wrong#Pass1").await);
    }

    let wrong = try_login(&app, "alice", "Wrong#Pass1").await;
    let unknown = try_login(&app, "nobody", "Wrong#Pass1").await;
    let unknown_right_password = try_login(&app, "nobody", TEST_PASSWORD).await;
    let suspended = try_login(&app, "sam", TEST_PASSWORD).await;
    let locked = try_login(&app, "lou", TEST_PASSWORD).await;
    for reply in [
        &wrong,
        &unknown,
        &unknown_right_password,
        &suspended,
        &locked,
    ] {
        assert_eq!(reply.status, 401, "{}", reply.body);
        assert_eq!(reply.body, wrong.body, "identical bodies");
    }
    assert!(!wrong.message().contains("alice"), "{}", wrong.body);
    assert_eq!(failed_logins(&app, alice).await, 1);
}

// ---------------------------------------------------------------------------------------
// Error codes and statuses

#[tokio::test]
async fn a_missing_or_bad_bearer_token_is_401_invalid_session() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let basic = "Basic YWxpY2U6VGVzdCNQYXNzMQ==".to_string();
    let bare = "Bearer".to_string();
    let empty = "Bearer ".to_string();
    let token_alone = t.token.clone();
    let garbage = "Bearer not-a-token".to_string();
    let three_parts = "Bearer aaaa.bbbb.cccc".to_string();
    let a_session_id = "Bearer A1B2C3D4-E5F6-4890-ABCD-EF1234567890".to_string();

    for path in ["/v2/users/me", "/v2/auth/session"] {
        let method = if path == "/v2/users/me" {
            Method::GET
        } else {
            Method::POST
        };
        call(&app, method.clone(), path, Auth::None)
            .await
            .assert_error(401, "InvalidSession");
        for header in [
            &basic,
            &bare,
            &empty,
            &token_alone,
            &garbage,
            &three_parts,
            &a_session_id,
        ] {
            let reply = call(&app, method.clone(), path, Auth::Header(header)).await;
            reply.assert_error(401, "InvalidSession");
        }
    }
    // None of that touched the real session.
    me(&app, &t.token).await.ok();
}

#[tokio::test]
async fn an_unknown_api_key_is_401_invalid_api_key() {
    let app = spawn_app().await;
    let unknown = "0123456789abcdef".repeat(4);
    for key in [
        unknown.as_str(),
        "not-a-key",
        "",
        "A1B2C3D4-E5F6-4890-ABCD-EF1234567890",
    ] {
        let reply = call(&app, Method::GET, "/v2/users/me", Auth::Key(key)).await;
        reply.assert_error(401, "InvalidAPIKey");
        let reply = call(&app, Method::POST, "/v2/auth/session", Auth::Key(key)).await;
        reply.assert_error(401, "InvalidAPIKey");
    }
}

#[tokio::test]
async fn without_authority_over_a_user_the_answer_is_403_access_denied() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    app.add_user("gene", AuthLevel::General, 100, 200).await;
    let gene = rest_login(&app, "gene").await;
    for path in [
        format!("/v2/users/reset/{alice}"),
        format!("/v2/users/key-generate/{alice}"),
    ] {
        call(&app, Method::POST, &path, Auth::Bearer(&gene.token))
            .await
            .assert_error(403, "AccessDenied");
    }
    call(
        &app,
        Method::GET,
        &format!("/v2/users/key/{alice}"),
        Auth::Bearer(&gene.token),
    )
    .await
    .assert_error(403, "AccessDenied");
}

#[tokio::test]
async fn unknown_paths_and_users_are_404_object_not_found() {
    let app = spawn_app().await;
    app.add_user("root", AuthLevel::Root, 100, 200).await;
    let root = rest_login(&app, "root").await;
    for (method, path) in [
        (Method::GET, "/v2/nothing"),
        (Method::POST, "/v2/auth/nothing"),
        (Method::GET, "/v2/users/me/more"),
    ] {
        call(&app, method.clone(), path, Auth::None)
            .await
            .assert_error(404, "ObjectNotFound");
        call(&app, method, path, Auth::Bearer(&root.token))
            .await
            .assert_error(404, "ObjectNotFound");
    }
    call(
        &app,
        Method::POST,
        "/v2/users/reset/999999",
        Auth::Bearer(&root.token),
    )
    .await
    .assert_error(404, "ObjectNotFound");
}

#[tokio::test]
async fn malformed_json_is_400_invalid_parameter() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    for raw in [
        "{",
        "",
        "not json",
        "{\"login\": \"alice\", \"password\": }",
        "[\"alice\", \"Test#Pass1\"]",
        "\u{feff}{}",
    ] {
        let reply = call_raw(&app, Method::POST, "/v2/auth/login", Auth::None, raw).await;
        reply.assert_error(400, "InvalidParameter");
    }
    // Trailing characters after a complete, correct body.
    let trailing = format!("{{\"login\":\"alice\",\"password\":\"{TEST_PASSWORD}\"}} x");
    call_raw(&app, Method::POST, "/v2/auth/login", Auth::None, trailing)
        .await
        .assert_error(400, "InvalidParameter");
    let two = format!("{{\"login\":\"alice\",\"password\":\"{TEST_PASSWORD}\"}}{{}}");
    call_raw(&app, Method::POST, "/v2/auth/login", Auth::None, two)
        .await
        .assert_error(400, "InvalidParameter");
    // Bad input changes nothing stored and opens no session.
    assert_eq!(failed_logins(&app, alice).await, 0);
    assert!(
        app.core
            .list_sessions(Some(alice), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn wrong_json_types_and_missing_fields_name_the_field() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let login = |body: Value| {
        let app = &app;
        async move { call_json(app, Method::POST, "/v2/auth/login", Auth::None, &body).await }
    };
    assert_invalid_naming(
        &login(json!({"login": 5, "password": TEST_PASSWORD})).await,
        "login",
    );
    assert_invalid_naming(
        &login(json!({"login": ["alice"], "password": TEST_PASSWORD})).await,
        "login",
    );
    assert_invalid_naming(
        &login(json!({"email": true, "password": TEST_PASSWORD})).await,
        "email",
    );
    assert_invalid_naming(
        &login(json!({"login": "alice", "password": 12345678})).await,
        "password",
    );
    assert_invalid_naming(&login(json!({"login": "alice"})).await, "password");
    assert_invalid_naming(
        &login(json!({"login": "alice", "password": null})).await,
        "password",
    );
    assert_invalid_naming(&login(json!({"password": TEST_PASSWORD})).await, "login");
    login(json!("alice"))
        .await
        .assert_error(400, "InvalidParameter");

    let t = rest_login(&app, "alice").await;
    let change = |body: Value| {
        let app = &app;
        let token = t.token.clone();
        async move {
            call_json(
                app,
                Method::PUT,
                "/v2/auth/password",
                Auth::Bearer(&token),
                &body,
            )
            .await
        }
    };
    assert_invalid_naming(
        &change(json!({"currentPassword": 1, "newPassword": "New#Pass12"})).await,
        "currentPassword",
    );
    assert_invalid_naming(
        &change(json!({"currentPassword": TEST_PASSWORD})).await,
        "newPassword",
    );
    assert_invalid_naming(&refresh(&app, &json!({"token": 5})).await, "token");
    assert_invalid_naming(
        &refresh(&app, &json!({"refreshToken": {"a": 1}})).await,
        "refreshToken",
    );
    refresh(&app, &json!({}))
        .await
        .assert_error(400, "InvalidParameter");

    // Nothing stored changed: no failure counted, the password is the same.
    assert_eq!(failed_logins(&app, alice).await, 0);
    rest_login(&app, "alice").await;
}

#[tokio::test]
async fn empty_or_oversized_login_fields_are_400_naming_the_json_field() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let long = "a".repeat(300);
    for (body, field) in [
        (json!({"login": "", "password": TEST_PASSWORD}), "login"),
        (json!({"login": "   ", "password": TEST_PASSWORD}), "login"),
        (json!({"login": long, "password": TEST_PASSWORD}), "login"),
        (json!({"email": long, "password": TEST_PASSWORD}), "email"),
        (json!({"login": "alice", "password": long}), "password"),
    ] {
        let reply = call_json(&app, Method::POST, "/v2/auth/login", Auth::None, &body).await;
        reply.assert_error(400, "InvalidParameter");
        // The REST client knows the field by its JSON name (any case).
        assert!(
            names_field(&reply.message().to_ascii_lowercase(), field),
            "the message should name {field}: {}",
            reply.body
        );
    }
    assert_eq!(failed_logins(&app, alice).await, 0);
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    // RFC 7235: the authentication scheme name is case-insensitive.
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let header = format!("{scheme} {}", t.token);
        call(&app, Method::GET, "/v2/users/me", Auth::Header(&header))
            .await
            .ok();
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_with_the_envelope() {
    let app = spawn_app_with(|s| s.max_body_bytes = 2048).await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let big = "x".repeat(4096);

    let reply = call_json(
        &app,
        Method::POST,
        "/v2/auth/login",
        Auth::None,
        &json!({"login": "alice", "password": big}),
    )
    .await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert_eq!(reply.body["success"], json!(false));

    let reply = call_json(
        &app,
        Method::PUT,
        "/v2/auth/password",
        Auth::Bearer(&t.token),
        &json!({"currentPassword": TEST_PASSWORD, "newPassword": format!("Aa1#{big}")}),
    )
    .await;
    assert_eq!(reply.status, 413, "{}", reply.body);

    // A body within the limit is read (and refused for what it says, not for its size).
    assert_login_refused(&try_login(&app, "alice", &"y".repeat(200)).await);

    // The server is up and nothing changed but the one counted failure.
    assert_eq!(failed_logins(&app, alice).await, 1);
    me(&app, &t.token).await.ok();
    rest_login(&app, "alice").await;
}

#[tokio::test]
async fn the_login_throttle_is_429_with_retry_after() {
    let app = spawn_app_with(|s| {
        s.login_throttle_per_minute = 2;
        s.login_throttle_burst = 2;
    })
    .await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    rest_login(&app, "alice").await;
    assert_login_refused(&try_login(&app, "alice", "Wrong#Pass1").await);
    let reply = try_login(&app, "alice", "Wrong#Pass2").await;
    reply.assert_error(429, "RateLimitExceeded");
    let retry = reply
        .headers
        .get("retry-after")
        .unwrap_or_else(|| panic!("no Retry-After: {:?}", reply.headers))
        .to_str()
        .unwrap();
    let secs: u64 = retry.parse().unwrap_or_else(|e| panic!("{retry:?}: {e}"));
    assert!((1..=60).contains(&secs), "Retry-After {secs}");
    // The refused attempt did not check the password: no failure was counted for it.
    assert_eq!(failed_logins(&app, alice).await, 1);
    // Even the right password waits.
    try_login(&app, "alice", TEST_PASSWORD)
        .await
        .assert_error(429, "RateLimitExceeded");
}

#[tokio::test]
async fn a_broken_database_is_500_internal_error_revealing_nothing() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;

    let url = format!("sqlite://{}", app.database_path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("DROP TABLE sessions")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let replies = [
        try_login(&app, "alice", TEST_PASSWORD).await,
        me(&app, &t.token).await,
        call(
            &app,
            Method::POST,
            "/v2/auth/session",
            Auth::Bearer(&t.token),
        )
        .await,
        refresh(&app, &json!({"refreshToken": t.refresh_token})).await,
    ];
    let path = app.database_path().display().to_string();
    for reply in &replies {
        reply.assert_error(500, "InternalError");
        let message = reply.message().to_ascii_lowercase();
        for secret in [
            "sql", "table", "sessions", "no such", "select", "panick", ".rs", "error:", "stack",
        ] {
            assert!(!message.contains(secret), "{secret:?} in {}", reply.body);
        }
        assert!(!reply.body.to_string().contains(&path), "{}", reply.body);
        assert!(
            !message.contains("sessionid"),
            "a server failure is not a session problem: {}",
            reply.body
        );
    }
    // The server stays up.
    let version = call(&app, Method::GET, "/v2/auth/version", Auth::None).await;
    version.ok();
}

// ---------------------------------------------------------------------------------------
// Version, session, me

#[tokio::test]
async fn version_is_2_6_without_authentication() {
    let app = spawn_app().await;
    let reply = call(&app, Method::GET, "/v2/auth/version", Auth::None).await;
    assert_eq!(reply.ok(), &json!({"version": "2.6"}));
}

/// Sorted keys of a JSON object.
pub(crate) fn keys_of(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect();
    keys.sort_unstable();
    keys
}

fn sorted(keys: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    keys.sort_unstable();
    keys
}

/// `XXXXXXXX-****-****-****-************` with upper-case hexadecimal digits.
pub(crate) fn is_redacted(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups[0].len() == 8
        && groups[0]
            .chars()
            .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
        && groups[1..]
            .iter()
            .zip([4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c == '*'))
}

#[tokio::test]
async fn auth_session_describes_the_bearers_session() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxAdmin, 100, 200)
        .await;
    let created = app.clock.now();
    let t = rest_login(&app, "alice").await;
    app.clock.advance(Duration::minutes(5));

    let reply = call(
        &app,
        Method::POST,
        "/v2/auth/session",
        Auth::Bearer(&t.token),
    )
    .await;
    let data = reply.ok();
    assert_eq!(
        keys_of(data),
        sorted(&[
            "sessionId",
            "userId",
            "login",
            "networkId",
            "mailboxId",
            "authLevel",
            "created",
            "expiresAt",
        ]),
        "{data}"
    );
    assert_eq!(data["userId"], json!(alice.0));
    assert_eq!(data["login"], json!("alice"));
    assert_eq!(data["networkId"], json!(100));
    assert_eq!(data["mailboxId"], json!(200));
    assert_eq!(data["authLevel"], json!("MailboxAdmin"));
    assert_eq!(parse_time(&data["created"]), created);
    // This call was activity: five minutes later, the session lasts until now + 60 min.
    assert_eq!(
        parse_time(&data["expiresAt"]),
        app.clock.now() + Duration::minutes(60)
    );
    let session_id = data["sessionId"].as_str().unwrap();
    assert!(is_redacted(session_id), "{session_id}");
    let stored = app.core.list_sessions(Some(alice), 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(&session_id[..8], stored[0].prefix);
}

#[tokio::test]
async fn users_me_is_the_caller_in_camel_case() {
    let app = spawn_app().await;
    let created = app.clock.now();
    let alice = app
        .add_user("alice", AuthLevel::NetworkUser, 100, 200)
        .await;
    app.clock.advance(Duration::minutes(3));
    let login_time = app.clock.now();
    let t = rest_login(&app, "alice").await;
    app.login("alice").await;

    let reply = me(&app, &t.token).await;
    let data = reply.ok();
    let keys = keys_of(data);
    for key in [
        "userId",
        "login",
        "networkId",
        "mailboxId",
        "authLevel",
        "firstName",
        "lastName",
        "company",
        "email",
        "status",
        "lastLogin",
        "openSessions",
        "created",
    ] {
        assert!(keys.iter().any(|k| k == key), "no {key}: {data}");
    }
    for key in &keys {
        assert!(
            key.chars().next().unwrap().is_ascii_lowercase() && !key.contains('_'),
            "not camelCase: {key}"
        );
    }
    assert_eq!(data["userId"], json!(alice.0));
    assert_eq!(data["login"], json!("alice"));
    assert_eq!(data["networkId"], json!(100));
    assert_eq!(data["mailboxId"], json!(200));
    assert_eq!(data["authLevel"], json!("NetworkUser"));
    assert_eq!(data["firstName"], json!("Test"));
    assert_eq!(data["lastName"], json!("alice"));
    assert_eq!(data["company"], json!("Test Co"));
    assert_eq!(data["email"], json!("alice@example.com"));
    assert_eq!(data["status"], json!("Active"));
    assert_eq!(data["openSessions"], json!(2), "one REST, one SOAP: {data}");
    assert_eq!(parse_time(&data["created"]), created);
    assert_eq!(parse_time(&data["lastLogin"]), login_time);
}

// ---------------------------------------------------------------------------------------
// Logout

#[tokio::test]
async fn logout_ends_the_session_and_its_tokens() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let other = rest_login(&app, "alice").await;

    let reply = call(
        &app,
        Method::POST,
        "/v2/auth/logout",
        Auth::Bearer(&t.token),
    )
    .await;
    assert!(reply.ok().is_null(), "{}", reply.body);
    assert_eq!(reply.message(), "Session terminated.");

    me(&app, &t.token).await.assert_error(401, "InvalidSession");
    call(
        &app,
        Method::POST,
        "/v2/auth/logout",
        Auth::Bearer(&t.token),
    )
    .await
    .assert_error(401, "InvalidSession");
    refresh(&app, &json!({"refreshToken": t.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");
    // Only that session ended.
    me(&app, &other.token).await.ok();
    let open = app
        .core
        .store()
        .count_open_sessions(alice, app.clock.now())
        .await
        .unwrap();
    assert_eq!(open, 1);
}

// ---------------------------------------------------------------------------------------
// Password change

async fn change_password(app: &TestApp, token: &str, current: &str, new: &str) -> Reply {
    call_json(
        app,
        Method::PUT,
        "/v2/auth/password",
        Auth::Bearer(token),
        &json!({"currentPassword": current, "newPassword": new}),
    )
    .await
}

#[tokio::test]
async fn a_new_password_against_the_policy_is_400_naming_new_password() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    for weak in [
        "Short#1",
        "nouppercase#1",
        "NOLOWERCASE#1",
        "NoDigits#here",
        "NoOther123abc",
        "",
    ] {
        let reply = change_password(&app, &t.token, TEST_PASSWORD, weak).await;
        assert_invalid_naming(&reply, "newPassword");
    }
    // The password did not change.
    rest_login(&app, "alice").await;
    me(&app, &t.token).await.ok();
}

#[tokio::test]
async fn a_wrong_current_password_is_400_naming_current_password() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    let reply = change_password(&app, &t.token, "Wrong#Pass1", "New#Pass123").await;
    assert_invalid_naming(&reply, "currentPassword");
    assert_login_refused(&try_login(&app, "alice", "New#Pass123").await);
    rest_login(&app, "alice").await;
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_of_the_user() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    app.add_user("bob", AuthLevel::MailboxUser, 100, 200).await;
    let soap = app.login("alice").await;
    let other_rest = rest_login(&app, "alice").await;
    let changer = rest_login(&app, "alice").await;
    let bob = rest_login(&app, "bob").await;

    let reply = change_password(&app, &changer.token, TEST_PASSWORD, "New#Pass123").await;
    assert!(reply.ok().is_null(), "{}", reply.body);

    assert_soap_session_refused(
        &app.soap("SessionInfo", &[("SessionID", &soap)]).await,
        "the SOAP session",
    );
    me(&app, &other_rest.token)
        .await
        .assert_error(401, "InvalidSession");
    refresh(&app, &json!({"refreshToken": other_rest.refresh_token}))
        .await
        .assert_error(401, "InvalidSession");
    // The session that made the change keeps working, and can be refreshed.
    me(&app, &changer.token).await.ok();
    let renewed = tokens(&refresh(&app, &json!({"refreshToken": changer.refresh_token})).await);
    me(&app, &renewed.token).await.ok();
    // Other users are not touched.
    me(&app, &bob.token).await.ok();

    // The new password logs in on both protocols; the old one does not.
    assert_login_refused(&try_login(&app, "alice", TEST_PASSWORD).await);
    tokens(&try_login(&app, "alice", "New#Pass123").await);
    let reply = app
        .soap(
            "Login",
            &[("UserName", "alice"), ("Password", "New#Pass123")],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// A body the endpoint does not need (clients send one to /v2/auth/session) must not cost
/// the keep-alive connection: the body arrives late, then a second request follows on the
/// same connection and is answered.
#[tokio::test]
async fn an_ignored_request_body_does_not_cost_the_keep_alive_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let body = r#"{"ignored": true}"#;
    let head = format!(
        "POST /v2/auth/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stream.write_all(body.as_bytes()).await.unwrap();
    let second = "GET /v2/auth/version HTTP/1.1\r\nHost: x\r\n\r\n";
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stream.write_all(second.as_bytes()).await.unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !seen.contains("\"2.6\"") && tokio::time::Instant::now() < deadline {
        match tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Err(_) => break,
            Ok(Ok(n)) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            Ok(Err(_)) => break,
        }
    }
    assert!(seen.starts_with("HTTP/1.1 401"), "the first answer: {seen}");
    assert!(
        seen.contains("\"2.6\""),
        "the second request was answered on the same connection: {seen}"
    );
}
