//! Secrets at rest (SPEC sections 5, 7 and 8): a copy of the database taken after sessions,
//! token pairs, an API key and a password change holds nothing that works as a SessionID,
//! bearer token, refresh token or API key, no secret in clear, and passwords only as
//! Argon2id PHC strings.

use std::collections::BTreeSet;

use edigrid_domain::AuthLevel;
use edigrid_testkit::{TEST_PASSWORD, TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use reqwest::header::HeaderValue;
use serde_json::{Value, json};
use sqlx::{Column, Row, TypeInfo, ValueRef};

use crate::rest_auth::{Auth, call, call_json, refresh, rest_login, tokens};

const NEW_PASSWORD: &str = "Changed#Pass2";

/// Every secret handed out during the flow, to look for in the copy.
#[derive(Debug, Default)]
struct Handed {
    session_ids: Vec<String>,
    tokens: Vec<String>,
    api_key: String,
    passwords: Vec<String>,
}

/// Sessions by SOAP and REST, a refresh, an API key, a password change and some logouts.
async fn flow(app: &TestApp) -> Handed {
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let mut handed = Handed {
        passwords: vec![TEST_PASSWORD.into(), NEW_PASSWORD.into()],
        ..Handed::default()
    };
    let kept = app.login("alice").await;
    let ended = app.login("alice").await;
    let out = app.soap("Logout", &[("SessionID", &ended)]).await;
    assert_eq!(out.field("LogoutResult").as_deref(), Some("true"));
    handed.session_ids.extend([kept.clone(), ended]);

    let first = rest_login(app, "alice").await;
    let rotated = tokens(&refresh(app, &json!({"refreshToken": first.refresh_token})).await);
    let key_reply = call(
        app,
        Method::POST,
        &format!("/v2/users/key-generate/{}", alice.0),
        Auth::Bearer(&rotated.token),
    )
    .await;
    handed.api_key = key_reply.ok().as_str().unwrap().to_string();
    call_json(
        app,
        Method::PUT,
        "/v2/auth/password",
        Auth::Bearer(&rotated.token),
        &json!({"currentPassword": TEST_PASSWORD, "newPassword": NEW_PASSWORD}),
    )
    .await
    .ok();
    // After the change only the session that made it is open; open some more.
    let second = tokens(
        &call_json(
            app,
            Method::POST,
            "/v2/auth/login",
            Auth::None,
            &json!({"login": "alice", "password": NEW_PASSWORD}),
        )
        .await,
    );
    let soap_after = app
        .soap(
            "Login",
            &[("UserName", "alice"), ("Password", NEW_PASSWORD)],
        )
        .await
        .field("LoginResult")
        .unwrap();
    handed.session_ids.push(soap_after);
    for t in [&first, &rotated, &second] {
        handed.tokens.push(t.token.clone());
        handed.tokens.push(t.refresh_token.clone());
    }
    handed
}

/// Copies the database file with its write-ahead log, as someone who walked off with it
/// would; returns a pool on the copy (and the directory that holds it).
async fn copy_database(app: &TestApp) -> (tempfile::TempDir, sqlx::SqlitePool) {
    let source = app.database_path();
    let name = source.file_name().unwrap().to_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    for suffix in ["", "-wal"] {
        let from = source.with_file_name(format!("{name}{suffix}"));
        if from.exists() {
            std::fs::copy(&from, dir.path().join(format!("copy.db{suffix}"))).unwrap();
        }
    }
    let url = format!("sqlite://{}", dir.path().join("copy.db").display());
    (dir, sqlx::SqlitePool::connect(&url).await.unwrap())
}

/// Every TEXT and BLOB value of every table of a copy of the database, and the stored
/// password hashes.
async fn copy_and_read(app: &TestApp) -> (Vec<(String, String, Vec<u8>)>, Vec<String>) {
    let (_dir, pool) = copy_database(app).await;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&pool)
            .await
            .unwrap();
    let mut values = Vec::new();
    let mut password_hashes = Vec::new();
    for table in &tables {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM \"{table}\"")))
            .fetch_all(&pool)
            .await
            .unwrap();
        for row in rows {
            for column in row.columns() {
                let i = column.ordinal();
                let raw = row.try_get_raw(i).unwrap();
                if raw.is_null() {
                    continue;
                }
                let type_name = raw.type_info().name().to_string();
                let bytes: Vec<u8> = match type_name.as_str() {
                    "TEXT" => row.get::<String, _>(i).into_bytes(),
                    "BLOB" => row.get::<Vec<u8>, _>(i),
                    _ => continue,
                };
                if table == "users" && column.name() == "password_hash" {
                    password_hashes.push(String::from_utf8(bytes.clone()).unwrap());
                }
                values.push((table.clone(), column.name().to_string(), bytes));
            }
        }
    }
    pool.close().await;
    (values, password_hashes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every way a stored value could be typed in as a credential: as text, and a binary value
/// as hexadecimal either case and as a UUID when it has the size of one.
fn candidates(values: &[(String, String, Vec<u8>)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, _, bytes) in values {
        if let Ok(text) = std::str::from_utf8(bytes) {
            out.insert(text.to_string());
        }
        let h = hex(bytes);
        out.insert(h.to_uppercase());
        if bytes.len() >= 16 {
            let u = &h[..32];
            out.insert(format!(
                "{}-{}-{}-{}-{}",
                &u[..8],
                &u[8..12],
                &u[12..16],
                &u[16..20],
                &u[20..32]
            ));
        }
        out.insert(h);
    }
    out.retain(|c| !c.trim().is_empty());
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_copy_of_the_database_yields_no_working_credential() {
    let app = spawn_app().await;
    let handed = flow(&app).await;
    // The live credentials do work, so a refusal below means something.
    // (The first SOAP session ended with the password change; the last one is open.)
    let live_sid = handed.session_ids.last().unwrap();
    assert_eq!(
        app.soap("SessionInfo", &[("SessionID", live_sid)])
            .await
            .status,
        200
    );
    call(
        &app,
        Method::GET,
        "/v2/users/me",
        Auth::Key(&handed.api_key),
    )
    .await
    .ok();

    let (values, hashes) = copy_and_read(&app).await;
    check_no_credential_in(&app, &handed, &values, &hashes).await;
}

/// The same over PostgreSQL, read as a dump would: every row of every table of the schema.
#[tokio::test]
async fn a_dump_of_the_postgres_database_yields_no_working_credential() {
    let Some(url) = edigrid_testkit::fresh_postgres_url().await else {
        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: PostgreSQL variant not run");
        return;
    };
    let app = spawn_app_with(|s| s.database = url.clone()).await;
    let handed = flow(&app).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut values = Vec::new();
    let mut hashes = Vec::new();
    for table in &tables {
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT row_to_json(t)::text FROM \"{table}\" t"
        )))
        .fetch_all(&pool)
        .await
        .unwrap();
        for row in rows {
            let Value::Object(columns) = serde_json::from_str::<Value>(&row).unwrap() else {
                panic!("{row}");
            };
            for (column, value) in columns {
                let Value::String(text) = value else { continue };
                // bytea comes out as \x and hexadecimal digits.
                let bytes = match text.strip_prefix("\\x") {
                    Some(h) => (0..h.len() / 2)
                        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
                        .collect(),
                    None => text.clone().into_bytes(),
                };
                if table == "users" && column == "password_hash" {
                    hashes.push(text);
                }
                values.push((table.clone(), column, bytes));
            }
        }
    }
    pool.close().await;
    check_no_credential_in(&app, &handed, &values, &hashes).await;
}

async fn check_no_credential_in(
    app: &TestApp,
    handed: &Handed,
    values: &[(String, String, Vec<u8>)],
    hashes: &[String],
) {
    let live_sid = handed.session_ids.last().unwrap();
    let tables: BTreeSet<&str> = values.iter().map(|(t, _, _)| t.as_str()).collect();
    for expected in ["sessions", "users", "api_keys", "settings"] {
        assert!(tables.contains(expected), "read {tables:?}");
    }

    // Nothing handed out is stored as it was handed out, in any case, nor any password.
    let mut secrets: Vec<&str> = handed.session_ids.iter().map(String::as_str).collect();
    secrets.extend(handed.tokens.iter().map(String::as_str));
    for t in &handed.tokens {
        // The signature part of a JWT is what makes it; look for it on its own too.
        secrets.push(t.rsplit('.').next().unwrap());
    }
    secrets.push(&handed.api_key);
    secrets.extend(handed.passwords.iter().map(String::as_str));
    for (table, column, bytes) in values {
        let lower = String::from_utf8_lossy(bytes).to_lowercase();
        for secret in &secrets {
            assert!(
                !lower.contains(&secret.to_lowercase()),
                "{table}.{column} holds a secret handed out: {secret}"
            );
        }
    }

    // Passwords: Argon2id PHC strings only.
    assert_eq!(hashes.len(), 1, "one user");
    for phc in hashes {
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        let parts: Vec<&str> = phc.split('$').collect();
        assert_eq!(parts.len(), 6, "$argon2id$v$params$salt$hash: {phc}");
        for p in &handed.passwords {
            assert!(!contains(phc.as_bytes(), p.as_bytes()), "{phc}");
        }
    }

    // Try every stored value as each kind of credential against the live server.
    let candidates = candidates(values);
    println!("trying {} stored values as credentials", candidates.len());
    assert!(candidates.len() > 30, "{candidates:?}");
    let mut tried = 0;
    for c in &candidates {
        let soap = app.soap("SessionInfo", &[("SessionID", c)]).await;
        assert_ne!(soap.status, 200, "works as a SessionID: {c:?}");
        assert!(soap.fault().is_some(), "{c:?}: {}", soap.body);

        let refreshed = refresh(app, &json!({"refreshToken": c})).await;
        assert_ne!(refreshed.status, 200, "works as a refresh token: {c:?}");
        let refreshed = refresh(app, &json!({"token": c})).await;
        assert_ne!(refreshed.status, 200, "works as a refresh token: {c:?}");

        if HeaderValue::from_str(c).is_ok() && HeaderValue::from_str(&format!("Bearer {c}")).is_ok()
        {
            let bearer = call(app, Method::GET, "/v2/users/me", Auth::Bearer(c)).await;
            assert_ne!(bearer.status, 200, "works as a bearer token: {c:?}");
            let key = call(app, Method::GET, "/v2/users/me", Auth::Key(c)).await;
            assert_ne!(key.status, 200, "works as an API key: {c:?}");
            assert_eq!(key.body["success"], Value::Bool(false));
            tried += 1;
        }
    }
    assert!(tried > 30, "values tried in headers: {tried}");
    // The server is unharmed and the real credentials still work.
    assert_eq!(
        app.soap("SessionInfo", &[("SessionID", live_sid)])
            .await
            .status,
        200
    );
    call(app, Method::GET, "/v2/users/me", Auth::Key(&handed.api_key))
        .await
        .ok();
}

/// The signing secret of bearer tokens is kept in the database when none is configured
/// (SPEC section 8). A token names its session by a key whose digest is what the database
/// stores, so a copy of the database, secret and all, must still not make a working token:
/// here every stored session hash is signed as a token with the stored secret.
#[tokio::test]
async fn a_copy_of_the_database_is_not_enough_to_forge_a_bearer_token() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t = rest_login(&app, "alice").await;
    app.login("alice").await;
    call(&app, Method::GET, "/v2/users/me", Auth::Bearer(&t.token))
        .await
        .ok();

    let (_dir, pool) = copy_database(&app).await;
    let secret: String = sqlx::query_scalar("SELECT value FROM settings WHERE key LIKE '%secret%'")
        .fetch_one(&pool)
        .await
        .expect("a stored signing secret");
    let sessions: Vec<(Vec<u8>, i64, i64)> = sqlx::query_as(
        "SELECT hash, user_id, token_generation FROM sessions WHERE ended_ms IS NULL",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert_eq!(sessions.len(), 2, "the REST and the SOAP session");

    let now = chrono::Utc::now().timestamp();
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).unwrap();
    for (hash, user, generation) in sessions {
        for typ in ["access", "refresh"] {
            let claims = json!({
                "sub": user.to_string(), "sid": hex(&hash), "gen": generation,
                "typ": typ, "iat": now, "exp": now + 3600,
            });
            let forged = jsonwebtoken::encode(
                &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
                &claims,
                &key,
            )
            .unwrap();
            let me = call(&app, Method::GET, "/v2/users/me", Auth::Bearer(&forged)).await;
            assert_ne!(
                me.status, 200,
                "a forged {typ} token works as a bearer token: {}",
                me.body
            );
            let renewed = refresh(&app, &json!({"refreshToken": forged})).await;
            assert_ne!(
                renewed.status, 200,
                "a forged {typ} token refreshes: {}",
                renewed.body
            );
        }
    }
}
