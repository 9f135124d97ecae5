//! The real `edigrid` binary, as the crash and restart tests start it.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use edigrid_testkit::SOAP_PATH;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::admin_cli::BIN;

/// Starts `edigrid serve --demo` on `db_url` on a free port, with the `EDIGRID_*` settings in
/// `env`, its standard error appended to `log` (or dropped); returns the child and its base
/// URL. `--demo` on a database with users only prints the URLs, which tells us the port.
pub(crate) async fn serve(
    db_url: &str,
    env: &[(&str, &str)],
    log: Option<&Path>,
    start_within: Duration,
) -> (Child, String) {
    let stderr = match log {
        Some(path) => Stdio::from(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .unwrap(),
        ),
        None => Stdio::null(),
    };
    let mut child = Command::new(BIN)
        .args(["--database", db_url])
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .env_remove("EDIGRID_DATABASE")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(start_within, lines.next_line())
        .await
        .expect("the server starts")
        .unwrap()
        .expect("the server prints its URLs");
    let base = first
        .strip_prefix("WSDL: ")
        .and_then(|u| u.strip_suffix(&format!("{SOAP_PATH}?WSDL")))
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    // Keep reading: a closed pipe would fail the server's next write to standard output.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}
