//! The `edigrid` binary's administration commands, run to completion by the tests that drive
//! the real binary against a database of their own.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_edigrid");

/// What a command that succeeded wrote.
pub struct Ran {
    pub stdout: String,
    pub stderr: String,
}

/// Runs `edigrid --database DB ARGS` with `env` set and `stdin` written to it, and asserts
/// that it succeeded.
pub async fn admin(db_url: &str, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Ran {
    let mut child = Command::new(BIN)
        .arg("--database")
        .arg(db_url)
        .args(args)
        .env_remove("EDIGRID_DATABASE")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.unwrap();
    }
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {stderr}");
    Ran {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}

/// The commands that add network 100 and mailbox 200, which [`user_add`]'s users belong to.
pub const NETWORK_ADD: &[&str] = &["network", "add", "--id", "100", "--name", "N"];
pub const MAILBOX_ADD: &[&str] = &[
    "mailbox",
    "add",
    "--network",
    "100",
    "--id",
    "200",
    "--name",
    "M",
];

/// The command that adds `login`, a user of network 100 and mailbox 200 at `auth_level`,
/// its password read from standard input.
pub fn user_add<'a>(login: &'a str, auth_level: &'a str) -> [&'a str; 11] {
    user_add_in(login, "200", auth_level)
}

/// Like [`user_add`], in `mailbox` of network 100.
pub fn user_add_in<'a>(login: &'a str, mailbox: &'a str, auth_level: &'a str) -> [&'a str; 11] {
    [
        "user",
        "add",
        "--login",
        login,
        "--network",
        "100",
        "--mailbox",
        mailbox,
        "--auth-level",
        auth_level,
        "--password-stdin",
    ]
}

/// Network 100 and mailbox 200, which [`add_user`]'s users belong to; returns what the
/// commands wrote to standard error.
pub async fn add_network_and_mailbox(db_url: &str, env: &[(&str, &str)]) -> String {
    let network = admin(db_url, NETWORK_ADD, None, env).await;
    let mailbox = admin(db_url, MAILBOX_ADD, None, env).await;
    network.stderr + &mailbox.stderr
}

/// A user of network 100 and mailbox 200 at `auth_level`, with `password`; its standard
/// output is the new UserID.
pub async fn add_user(
    db_url: &str,
    login: &str,
    auth_level: &str,
    password: &str,
    env: &[(&str, &str)],
) -> Ran {
    admin(
        db_url,
        &user_add(login, auth_level),
        Some(&format!("{password}\n")),
        env,
    )
    .await
}
