//! `edigrid callback list|show|retry` (SPEC-VAN 20, 22) on a server's SQLite database while
//! the server is stopped: the registration with its secret, and a failed delivery sent again
//! by the server's worker once it is started after `retry`; a delivered one and a missing
//! one are refused.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::admin_cli::BIN;
use crate::callbacks::{World, app};
use crate::callbacks_receiver::{Answer, Receiver};

fn edigrid(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .arg("--database")
        .arg(url)
        .args(args)
        .env_remove("EDIGRID_DATABASE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn list_show_and_retry_from_the_console() {
    let w = World::new(app(None).await).await;
    let url = format!("sqlite://{}", w.app.database_path().display());
    let rx = Receiver::start("127.0.0.1", Answer::Status(200)).await;
    rx.script(&[Answer::Status(500)]);
    let id = w.register(&rx.url("/cli"), "0").await;
    w.upload(11).await;
    let seen = rx.wait_for(1, Duration::from_secs(20)).await;
    let payload: Value = serde_json::from_slice(&seen[0].body).unwrap();
    let delivery = payload["eventId"].as_i64().unwrap().to_string();
    let store = w.app.core.store().clone();
    let failed = || async {
        let d = store
            .delivery(delivery.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        d.status.as_str().to_string()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while failed().await != "Failed" && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(failed().await, "Failed");

    let secret = w.secret(&id).await;
    let stopped = w.app.stop().await;
    let (ok, out, err) = edigrid(&url, &["callback", "list", "--json"]);
    assert!(ok, "{err}");
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list[0]["callback_id"].to_string(), id, "{out}");
    assert!(
        list[0].get("secret").is_none(),
        "a list shows the secret: {out}"
    );
    let (ok, out, err) = edigrid(&url, &["callback", "show", &id, "--json"]);
    assert!(ok, "{err}");
    let shown: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["secret"].as_str(), Some(secret.as_str()));
    assert_eq!(shown["delivery_1"]["status"], "Failed", "{out}");

    let (ok, out, err) = edigrid(&url, &["callback", "retry", &delivery]);
    assert!(ok, "{err}");
    assert!(out.contains("Pending"), "{out}");
    let app = stopped.start().await;
    // The console stamped the retry with the wall clock; the server's clock is the test's.
    app.clock.advance(chrono::Duration::minutes(5));
    let store = app.core.store().clone();
    let failed = || async {
        let d = store
            .delivery(delivery.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        d.status.as_str().to_string()
    };
    let seen = rx.wait_for(2, Duration::from_secs(20)).await;
    assert_eq!(seen.len(), 2);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while failed().await != "Delivered" && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(failed().await, "Delivered");
    let stopped = app.stop().await;

    let (ok, _, err) = edigrid(&url, &["callback", "retry", &delivery]);
    assert!(
        !ok && err.contains("Delivered"),
        "a delivered one was retried: {err}"
    );
    let (ok, _, err) = edigrid(&url, &["callback", "show", "987654"]);
    assert!(!ok && err.contains("987654"), "{err}");
    let (ok, _, err) = edigrid(&url, &["callback", "retry", "987654"]);
    assert!(!ok && err.contains("987654"), "{err}");
    drop(stopped);
}
