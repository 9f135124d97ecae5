//! Issue 14, acceptance item 1's last part (SPEC-VAN 20): the real binary is killed
//! (SIGKILL) while it sends a queued delivery, and started again on the same database: the
//! delivery is sent again once its claim runs out, and delivered once.
//!
//! The delivery is queued by an in-process server whose worker is idle for the test's length
//! (its poll is an hour), which is then stopped; the binary finds it queued.

use std::time::Duration;

use serde_json::Value;
use tokio::process::Child;

use crate::callbacks::World;
use crate::callbacks_receiver::{Answer, Receiver};

const WAIT: Duration = Duration::from_secs(30);

/// `edigrid serve` on `db` with short callback settings; the child and its base URL.
async fn serve(db: &str) -> (Child, String) {
    let env = [
        ("EDIGRID_CALLBACK_ALLOW_PRIVATE", "true"),
        ("EDIGRID_CALLBACK_LEASE_SECS", "2"),
        ("EDIGRID_CALLBACK_TIMEOUT_MS", "1500"),
        ("EDIGRID_CALLBACK_POLL_MS", "20"),
        ("EDIGRID_LOG", "warn"),
    ];
    crate::support::binary::serve(db, &env, None, Duration::from_secs(60)).await
}

async fn status_of(db: &str, id: i64) -> String {
    let pool = sqlx::SqlitePool::connect(db).await.unwrap();
    let (status,): (String,) =
        sqlx::query_as("SELECT status FROM callback_deliveries WHERE id = ?")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;
    status
}

#[tokio::test]
async fn a_killed_binary_sends_the_delivery_it_held_once_after_restart() {
    let app = edigrid_testkit::spawn_app_with(|s| {
        s.callback_allow_private = true;
        s.callback_poll_ms = 3_600_000;
    })
    .await;
    let db = format!("sqlite://{}", app.database_path().display());
    let w = World::new(app).await;
    let rx = Receiver::start("127.0.0.1", Answer::Status(200)).await;
    rx.script(&[Answer::Hang]);
    w.register(&rx.url("/kill"), "3").await;
    w.upload(31).await;
    let stopped = w.app.stop().await;
    assert!(rx.seen().is_empty(), "the idle worker sent it");

    let (mut first, _) = serve(&db).await;
    let seen = rx.wait_for(1, WAIT).await;
    assert_eq!(seen.len(), 1, "the binary did not send the queued delivery");
    first.start_kill().unwrap();
    first.wait().await.unwrap();
    let payload: Value = serde_json::from_slice(&seen[0].body).unwrap();
    let id = payload["eventId"].as_i64().unwrap();
    assert_eq!(status_of(&db, id).await, "Sending", "claimed when killed");

    let (mut second, _) = serve(&db).await;
    let seen = rx.wait_for(2, WAIT).await;
    assert_eq!(seen.len(), 2, "not sent again after the restart");
    assert_eq!(seen[1].headers["webhook-id"], seen[0].headers["webhook-id"]);
    let deadline = std::time::Instant::now() + WAIT;
    while status_of(&db, id).await != "Delivered" && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status_of(&db, id).await, "Delivered");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.seen().len(), 2, "sent more than once after the restart");
    second.start_kill().unwrap();
    second.wait().await.unwrap();
    drop(stopped);
}
