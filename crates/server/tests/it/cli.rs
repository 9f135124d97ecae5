//! The `edigrid` binary: administration commands against a database file, their errors,
//! configuration layering, and `serve --demo`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use edigrid_testkit::{NS, envelope11};

use crate::admin_cli::{BIN, MAILBOX_ADD, NETWORK_ADD, user_add, user_add_in};

pub(crate) fn edigrid(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .arg("--database")
        .arg(format!("sqlite://{}", db.display()))
        .args(args)
        .env_remove("EDIGRID_DATABASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
pub(crate) fn ok(o: Output) -> String {
    assert!(o.status.success(), "failed: {}", stderr(&o));
    stdout(&o)
}

/// A failure with exactly one line of reason on standard error.
#[track_caller]
pub(crate) fn fails_with(o: Output, needle: &str) {
    assert!(
        !o.status.success(),
        "succeeded but should not: {}",
        stdout(&o)
    );
    let err = stderr(&o);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line of reason, got: {err}"
    );
    assert!(err.contains(needle), "{err:?} does not mention {needle:?}");
}

pub(crate) fn directory(db: &Path) {
    ok(edigrid(db, NETWORK_ADD, None));
    ok(edigrid(db, MAILBOX_ADD, None));
}

pub(crate) fn add_user(db: &Path, login: &str) -> Output {
    edigrid(db, &user_add(login, "MailboxUser"), Some("Good#Pass1\n"))
}

#[test]
fn administration_commands_work_on_one_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("admin.db");
    directory(&db);
    let id = ok(add_user(&db, "carol"));
    assert!(
        id.trim().parse::<i32>().unwrap() > 0,
        "user add prints only the UserID: {id:?}"
    );
    assert_eq!(id.lines().count(), 1);
    let list = ok(edigrid(&db, &["user", "list"], None));
    assert!(
        list.contains("carol") && list.contains("MailboxUser") && list.contains("Active"),
        "{list}"
    );
    let changed = ok(edigrid(
        &db,
        &["user", "passwd", "CAROL", "--password-stdin"],
        Some("Other#Pass2\n"),
    ));
    assert!(changed.contains("password changed"), "{changed}");
    let suspended = ok(edigrid(&db, &["user", "suspend", "carol"], None));
    assert!(suspended.contains("suspended"), "{suspended}");
    assert!(ok(edigrid(&db, &["user", "list"], None)).contains("Suspended"));
    let sessions = ok(edigrid(&db, &["session", "list", "--user", "carol"], None));
    assert!(sessions.starts_with("SESSION"), "{sessions}");
}

#[test]
fn administration_errors_exit_non_zero_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("errors.db");
    directory(&db);
    // (arguments, standard input, what the one line of reason mentions)
    #[rustfmt::skip]
    let refused: [(&[&str], Option<&str>, &str); 7] = [
        (&["network", "add", "--id", "100", "--name", "Again"], None, "NetworkID"),
        (&["network", "add", "--id=-4", "--name", "Neg"], None, "NetworkID"),
        (&["mailbox", "add", "--network", "999", "--id", "201", "--name", "B"], None, "NetworkID"),
        (&user_add("weak", "General"), Some("short\n"), "password"),
        (&user_add("x", "Emperor"), Some("Good#Pass1\n"), "AuthLevel"),
        (&user_add_in("x", "777", "General"), Some("Good#Pass1\n"), "MailboxID"),
        (&user_add("x", "General"), Some(""), "password"),
    ];
    for (args, stdin, needle) in refused {
        fails_with(edigrid(&db, args, stdin), needle);
    }
    ok(add_user(&db, "dave"));
    fails_with(add_user(&db, "DAVE"), "Login");
    #[rustfmt::skip]
    let refused: [(&[&str], Option<&str>, &str); 5] = [
        (&["user", "suspend", "nobody"], None, "Login"),
        (&["user", "passwd", "dave", "--password-stdin"], Some("weakweak\n"), "password"),
        (&["session", "revoke", "ZZZZ"], None, "SessionID"),
        (&["session", "revoke", "ABCDEF12"], None, "no open session"),
        (&["session", "list", "--user", "nobody"], None, "Login"),
    ];
    for (args, stdin, needle) in refused {
        fails_with(edigrid(&db, args, stdin), needle);
    }
    // Nothing that failed left a trace.
    let users = ok(edigrid(&db, &["user", "list"], None));
    assert_eq!(users.lines().count(), 2, "header and dave only: {users}");
}

#[test]
fn bad_database_url_and_missing_config_file_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["--database", "mysql://nope", "user", "list"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("unsupported database URL"),
        "{}",
        stderr(&out)
    );
    let out = Command::new(BIN)
        .args([
            "--config",
            dir.path().join("absent.toml").to_str().unwrap(),
            "user",
            "list",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
}

#[test]
fn configuration_layers_flag_over_environment_over_file() {
    let dir = tempfile::tempdir().unwrap();
    let file_db = dir.path().join("file.db");
    let env_db = dir.path().join("env.db");
    let flag_db = dir.path().join("flag.db");
    let config = dir.path().join("edigrid.toml");
    std::fs::write(
        &config,
        format!("database = \"sqlite://{}\"\n", file_db.display()),
    )
    .unwrap();
    let run = |env: Option<&Path>, flag: Option<&Path>| {
        let mut cmd = Command::new(BIN);
        cmd.env_remove("EDIGRID_DATABASE")
            .arg("--config")
            .arg(&config);
        if let Some(p) = env {
            cmd.env("EDIGRID_DATABASE", format!("sqlite://{}", p.display()));
        }
        if let Some(p) = flag {
            cmd.arg("--database")
                .arg(format!("sqlite://{}", p.display()));
        }
        cmd.args(["network", "add", "--id", "1", "--name", "n"]);
        assert!(cmd.output().unwrap().status.success());
    };
    run(None, None);
    assert!(file_db.exists() && !env_db.exists());
    run(Some(&env_db), None);
    assert!(env_db.exists() && !flag_db.exists());
    run(Some(&env_db), Some(&flag_db));
    assert!(flag_db.exists());
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "idle_timeout_secs = -5\n").unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&bad)
        .args(["user", "list"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("idle_timeout_secs"),
        "{}",
        stderr(&out)
    );
}

/// A running `serve --demo`, its standard output, and the lines read from it so far.
pub(crate) type Demo = (
    std::process::Child,
    BufReader<std::process::ChildStdout>,
    Vec<String>,
);

/// Starts `serve --demo` on a free port and reads its first `count` lines.
pub(crate) fn serve_demo(db: &Path, count: usize) -> Demo {
    serve_demo_with(db, count, &[])
}

/// [`serve_demo`] with `env` set.
fn serve_demo_with(db: &Path, count: usize, env: &[(&str, &str)]) -> Demo {
    let mut child = Command::new(BIN)
        .args(["--database", &format!("sqlite://{}", db.display())])
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .env_remove("EDIGRID_DATABASE")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..count {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        lines.push(line.trim_end().to_string());
    }
    (child, reader, lines)
}

#[tokio::test]
async fn serve_demo_prints_credentials_that_log_in_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let (mut child, _, lines) = serve_demo(&db, 4);
    assert!(lines[0].starts_with("WSDL: http://127.0.0.1:"), "{lines:?}");
    assert!(lines[0].ends_with("/v4.1/prod/ECGridOS.asmx?WSDL"));
    assert!(lines[1].starts_with("REST: http://127.0.0.1:"));
    assert_eq!(lines[2], "login: demo");
    let password = lines[3].strip_prefix("password: ").unwrap().to_string();
    edigrid_domain::check_password_policy(&password, "password").unwrap();
    let endpoint = lines[0]
        .trim_start_matches("WSDL: ")
        .trim_end_matches("?WSDL")
        .to_string();
    let wsdl = reqwest::get(format!("{endpoint}?wsdl"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        wsdl.contains(&format!("location=\"{endpoint}\"")),
        "the WSDL points back here"
    );
    let login = reqwest::Client::new()
        .post(&endpoint)
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", format!("\"{NS}Login\""))
        .body(envelope11(
            "Login",
            &[("UserName", "demo"), ("Password", &password)],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    assert!(login.text().await.unwrap().contains("<LoginResult>"));
    child.kill().unwrap();
    child.wait().unwrap();

    // A database with users: URLs only, no new password. Once it answers, it has printed
    // all it prints at start; then its output is read to the end.
    let (mut again, mut reader, mut lines) = serve_demo(&db, 2);
    let endpoint = lines[0].trim_start_matches("WSDL: ").to_string();
    assert_eq!(reqwest::get(&endpoint).await.unwrap().status(), 200);
    again.kill().unwrap();
    again.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    lines.extend(rest.lines().map(str::to_string));
    assert_eq!(lines.len(), 2, "{lines:?}");
}

#[test]
fn usage_errors_are_one_line_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("usage.db");
    fails_with(
        edigrid(&db, &["network", "add", "--name", "NoId"], None),
        "--id",
    );
    fails_with(
        edigrid(&db, &["network", "add", "--id", "x", "--name", "n"], None),
        "invalid value",
    );
    fails_with(edigrid(&db, &["user", "frobnicate"], None), "frobnicate");
}

#[tokio::test]
async fn user_api_key_prints_a_fresh_key_that_replaces_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.db");
    directory(&db);
    ok(add_user(&db, "erin"));
    let first = ok(edigrid(&db, &["user", "api-key", "erin"], None));
    let first = first.trim();
    assert_eq!(first.len(), 64, "{first:?}");
    assert!(first.bytes().all(|b| b.is_ascii_hexdigit()));
    let second = ok(edigrid(&db, &["user", "api-key", "ERIN"], None));
    assert_ne!(first, second.trim());
    fails_with(edigrid(&db, &["user", "api-key", "nobody"], None), "Login");
    // Only the newest works: checked through the services on the same file.
    let settings = edigrid_server::Settings {
        database: format!("sqlite://{}", db.display()),
        ..edigrid_server::Settings::default()
    };
    let core =
        edigrid_server::build_core(&settings, std::sync::Arc::new(edigrid_core::SystemClock))
            .await
            .unwrap();
    let local = "127.0.0.1".parse().unwrap();
    assert!(
        core.authenticate(first, local).await.is_err(),
        "the replaced key fails"
    );
    let caller = core.authenticate(second.trim(), local).await.unwrap();
    assert_eq!(caller.summary().session_id, second.trim());
}

/// A server keeps copies of busy sessions for `session_cache_ms`; an administrator's change
/// made with the CLI (another process, same file) waits that long, so it holds everywhere
/// once the command returns.
#[tokio::test]
async fn a_cli_suspension_is_seen_by_a_running_server_once_the_command_returns() {
    const LEASE_MS: &str = "3000";
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lease.db");
    let (mut child, _reader, lines) =
        serve_demo_with(&db, 4, &[("EDIGRID_SESSION_CACHE_MS", LEASE_MS)]);
    let endpoint = lines[0]
        .trim_start_matches("WSDL: ")
        .trim_end_matches("?WSDL")
        .to_string();
    let password = lines[3].trim_start_matches("password: ").to_string();
    let http = reqwest::Client::new();
    let call = |op: &'static str, params: Vec<(&'static str, String)>| {
        let http = http.clone();
        let endpoint = endpoint.clone();
        async move {
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let reply = http
                .post(&endpoint)
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", format!("\"{NS}{op}\""))
                .body(envelope11(op, &params))
                .send()
                .await
                .unwrap();
            (reply.status().as_u16(), reply.text().await.unwrap())
        }
    };
    let (status, body) = call(
        "Login",
        vec![("UserName", "demo".into()), ("Password", password)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let sid = body
        .split("<LoginResult>")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap()
        .to_string();
    // Twice: the second answer comes from the server's copy.
    for _ in 0..2 {
        let (status, body) = call("SessionInfo", vec![("SessionID", sid.clone())]).await;
        assert_eq!(status, 200, "{body}");
    }
    let started = std::time::Instant::now();
    let suspended = Command::new(BIN)
        .args(["--database", &format!("sqlite://{}", db.display())])
        .args(["user", "suspend", "demo"])
        .env_remove("EDIGRID_DATABASE")
        .env("EDIGRID_SESSION_CACHE_MS", LEASE_MS)
        .output()
        .unwrap();
    assert!(suspended.status.success(), "{}", stderr(&suspended));
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(3000),
        "the command waited out the lease"
    );
    let (status, body) = call("SessionInfo", vec![("SessionID", sid)]).await;
    assert_eq!(
        status, 500,
        "the suspended user's session is refused: {body}"
    );
    assert!(body.contains("SessionID"), "{body}");
    child.kill().unwrap();
    child.wait().unwrap();
}
