//! Logs keep no secrets: the real binary at `RUST_LOG=trace` serves a full SOAP flow and a
//! full REST flow, and nothing it writes (standard output and standard error) contains a
//! SessionID in any case, a bearer or refresh token or its signature, an API key or a
//! password.

use std::process::Stdio;
use std::time::Duration;

use edigrid_testkit::{NS, SOAP_PATH, envelope11};

use crate::admin_cli::{BIN, add_network_and_mailbox, add_user, admin};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

/// Administration commands log at their most verbose too.
const TRACE: &[(&str, &str)] = &[("RUST_LOG", "trace")];
const PASSWORD: &str = "First#Secret1";
const NEW_PASSWORD: &str = "Second#Secret2";
const WRONG_PASSWORD: &str = "Wrong#Secret3";

struct Soap<'a> {
    http: &'a reqwest::Client,
    url: String,
}

impl Soap<'_> {
    async fn call(&self, op: &str, params: &[(&str, &str)]) -> (u16, String) {
        let response = self
            .http
            .post(&self.url)
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", format!("\"{NS}{op}\""))
            .body(envelope11(op, params))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    async fn ok(&self, op: &str, params: &[(&str, &str)]) -> String {
        let (status, body) = self.call(op, params).await;
        assert_eq!(status, 200, "{op}: {body}");
        body
    }
}

fn field(body: &str, name: &str) -> String {
    let doc = roxmltree::Document::parse(body).unwrap();
    doc.descendants()
        .find(|n| n.is_element() && n.tag_name().name() == name)
        .and_then(|n| n.text())
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        .to_string()
}

async fn rest(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Value {
    let mut request = http.request(method, &url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(
        status.is_success() || status.as_u16() == 401,
        "{url}: {status} {body}"
    );
    body
}

#[tokio::test]
async fn no_secret_reaches_the_logs_even_at_trace_level() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("logs.db").display());
    let mut logs = String::new();
    logs.push_str(&add_network_and_mailbox(&db_url, TRACE).await);
    let alice = add_user(&db_url, "alice", "MailboxAdmin", PASSWORD, TRACE).await;
    logs.push_str(&alice.stderr);
    let user_id = alice.stdout.trim().to_string();
    // A key issued from the command line: printed once on its standard output by design,
    // and nowhere else.
    let issued = admin(&db_url, &["user", "api-key", "alice"], None, TRACE).await;
    logs.push_str(&issued.stderr);
    let cli_key = issued.stdout.trim().to_string();
    assert!(cli_key.len() >= 32, "{cli_key:?}");

    let mut child = Command::new(BIN)
        .args(["--database", &db_url])
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .env_remove("EDIGRID_DATABASE")
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr = child.stderr.take().unwrap();
    let stderr_task = tokio::spawn(async move {
        let mut all = Vec::new();
        let _ = stderr.read_to_end(&mut all).await;
        String::from_utf8_lossy(&all).into_owned()
    });
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(30), stdout.read_line(&mut first))
        .await
        .expect("the server starts")
        .unwrap();
    let base = first
        .trim()
        .strip_prefix("WSDL: ")
        .and_then(|u| u.strip_suffix(&format!("{SOAP_PATH}?WSDL")))
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    let stdout_task = tokio::spawn(async move {
        let mut rest = String::new();
        let _ = stdout.read_to_string(&mut rest).await;
        rest
    });
    logs.push_str(&first);

    let http = reqwest::Client::new();
    let soap = Soap {
        http: &http,
        url: format!("{base}{SOAP_PATH}"),
    };
    let mut secrets: Vec<String> = vec![
        PASSWORD.into(),
        NEW_PASSWORD.into(),
        WRONG_PASSWORD.into(),
        cli_key.clone(),
    ];

    // SOAP: a refused login, then a full session.
    let (status, _) = soap
        .call(
            "Login",
            &[("UserName", "alice"), ("Password", WRONG_PASSWORD)],
        )
        .await;
    assert_eq!(status, 500);
    let sid = field(
        &soap
            .ok(
                "Login",
                &[
                    ("UserName", "alice"),
                    ("Password", PASSWORD),
                    ("SenderSolution", "log test"),
                ],
            )
            .await,
        "LoginResult",
    );
    let lower = sid.to_lowercase();
    let braced = format!("{{{lower}}}");
    soap.ok("SessionInfo", &[("SessionID", &sid)]).await;
    soap.ok("SessionInfo", &[("SessionID", &braced)]).await;
    soap.ok("WhoAmI", &[("SessionID", &lower)]).await;
    soap.ok(
        "SessionLog",
        &[("SessionID", &sid), ("UserID", "0"), ("MaxRecords", "10")],
    )
    .await;
    soap.ok("SessionInfo", &[("SessionID", &cli_key)]).await;
    soap.ok("Logout", &[("SessionID", &sid)]).await;
    // A session fault too: the ended session used again.
    let (status, _) = soap.call("SessionInfo", &[("SessionID", &sid)]).await;
    assert_eq!(status, 500);
    secrets.push(sid);

    // REST: a refused login, login, refresh, calls by bearer and by key, a new key, a
    // password change, logout.
    let v2 = format!("{base}/v2");
    let refused = rest(
        &http,
        reqwest::Method::POST,
        format!("{v2}/auth/login"),
        &[],
        Some(json!({"login": "alice", "password": WRONG_PASSWORD})),
    )
    .await;
    assert_eq!(refused["success"], json!(false));
    let login = rest(
        &http,
        reqwest::Method::POST,
        format!("{v2}/auth/login"),
        &[],
        Some(json!({"login": "alice", "password": PASSWORD})),
    )
    .await;
    let token = login["data"]["token"].as_str().unwrap().to_string();
    let refresh_token = login["data"]["refreshToken"].as_str().unwrap().to_string();
    let renewed = rest(
        &http,
        reqwest::Method::POST,
        format!("{v2}/auth/refresh"),
        &[],
        Some(json!({"refreshToken": refresh_token})),
    )
    .await;
    let token2 = renewed["data"]["token"].as_str().unwrap().to_string();
    let refresh2 = renewed["data"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    let bearer = format!("Bearer {token2}");
    let me = rest(
        &http,
        reqwest::Method::GET,
        format!("{v2}/users/me"),
        &[("Authorization", &bearer)],
        None,
    )
    .await;
    assert_eq!(me["success"], json!(true), "{me}");
    // The rotated-out token, presented again, is refused (and ends the session: reuse).
    let stale = rest(
        &http,
        reqwest::Method::GET,
        format!("{v2}/users/me"),
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    )
    .await;
    assert_eq!(stale["success"], json!(false));
    let again = rest(
        &http,
        reqwest::Method::POST,
        format!("{v2}/auth/login"),
        &[],
        Some(json!({"login": "alice", "password": PASSWORD})),
    )
    .await;
    let token3 = again["data"]["token"].as_str().unwrap().to_string();
    let refresh3 = again["data"]["refreshToken"].as_str().unwrap().to_string();
    let bearer3 = format!("Bearer {token3}");
    let generated = rest(
        &http,
        reqwest::Method::POST,
        format!("{v2}/users/key-generate/{user_id}"),
        &[("Authorization", &bearer3)],
        None,
    )
    .await;
    let key = generated["data"].as_str().unwrap().to_string();
    let by_key = rest(
        &http,
        reqwest::Method::GET,
        format!("{v2}/users/me"),
        &[("X-API-Key", &key)],
        None,
    )
    .await;
    assert_eq!(by_key["success"], json!(true), "{by_key}");
    let shown = rest(
        &http,
        reqwest::Method::GET,
        format!("{v2}/users/key/{user_id}"),
        &[("X-API-Key", &key)],
        None,
    )
    .await;
    assert_eq!(shown["success"], json!(true), "{shown}");
    let session = rest(
        &http,
        reqwest::Method::POST,
        format!("{v2}/auth/session"),
        &[("Authorization", &bearer3)],
        None,
    )
    .await;
    assert_eq!(session["success"], json!(true), "{session}");
    let changed = rest(
        &http,
        reqwest::Method::PUT,
        format!("{v2}/auth/password"),
        &[("Authorization", &bearer3)],
        Some(json!({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})),
    )
    .await;
    assert_eq!(changed["success"], json!(true), "{changed}");
    let out = rest(
        &http,
        reqwest::Method::POST,
        format!("{v2}/auth/logout"),
        &[("Authorization", &bearer3)],
        None,
    )
    .await;
    assert_eq!(out["success"], json!(true), "{out}");
    for t in [
        &token,
        &refresh_token,
        &token2,
        &refresh2,
        &token3,
        &refresh3,
    ] {
        secrets.push(t.to_string());
        secrets.push(t.rsplit('.').next().unwrap().to_string());
    }
    secrets.push(key);

    // Let the last lines out, then stop the server.
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    logs.push_str(&stdout_task.await.unwrap());
    logs.push_str(&stderr_task.await.unwrap());

    // The capture is real: lines below the default `info` level, from every part of the
    // flows, are in it. (No crate in the server emits TRACE events today; `trace` is
    // nonetheless the level asked for, so anything added later at that level is included.)
    let lines = logs.lines().count();
    println!("captured {lines} log lines, {} bytes", logs.len());
    for needle in [
        "DEBUG",
        "operation=\"Login\"",
        "operation=\"SessionLog\"",
        "operation=\"Logout\"",
        "refresh_tokens",
        "authenticate",
        "API key issued",
        "login refused",
    ] {
        assert!(
            logs.contains(needle),
            "no {needle:?} in the capture:\n{logs}"
        );
    }
    assert!(lines > 50, "{lines} lines:\n{logs}");

    let haystack = logs.to_lowercase();
    let mut leaks = Vec::new();
    for secret in &secrets {
        if haystack.contains(&secret.to_lowercase()) {
            let line = logs
                .lines()
                .find(|l| l.to_lowercase().contains(&secret.to_lowercase()))
                .unwrap_or_default();
            leaks.push(format!("{secret}\n    in: {line}"));
        }
    }
    assert!(
        leaks.is_empty(),
        "secrets in the logs:\n{}",
        leaks.join("\n")
    );
}
