//! Callbacks over REST v2 (ecgrid-docs `rest-api/callbacks/`, SPEC-VAN 20), on SQLite and
//! PostgreSQL: `create` answers the signing secret once and the receiver's test POST verifies
//! with it; update, the queue and event views, re-arming by status, delete; bad bodies and
//! strangers are refused and change nothing.

use std::time::Duration;

use edigrid_domain::AuthLevel;
use edigrid_testkit::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::callbacks::{app, verify_with_python};
use crate::callbacks_receiver::{Answer, Receiver};
use crate::rest_auth::{Auth, Reply, assert_invalid_naming, call_json};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn rest_callbacks_on_sqlite() {
    flow(app(None).await).await;
}

#[tokio::test]
async fn rest_callbacks_on_postgres() {
    let Some(url) = edigrid_testkit::fresh_postgres_url().await else {
        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: PostgreSQL variant not run");
        return;
    };
    flow(app(Some(url)).await).await;
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> Reply {
    call_json(app, Method::POST, path, Auth::Key(key), &body).await
}

async fn flow(app: TestApp) {
    let users = app
        .directory()
        .user("rcb", AuthLevel::MailboxAdmin, 100, 201)
        .user("rcbfar", AuthLevel::MailboxAdmin, 300, 400)
        .build()
        .await;
    let b = app.api_key(users.user("rcb")).await;
    let far = app.api_key(users.user("rcbfar")).await;
    let rx = Receiver::start("127.0.0.1", Answer::Status(200)).await;
    let url = rx.url("/rest");

    // Refusals first: nothing is registered by any of them.
    let bad: [(Value, &str); 6] = [
        (json!({"url": "ftp://x.example/", "event": "InBox"}), "url"),
        (json!({"url": url, "event": "Sometimes"}), "event"),
        (json!({"event": "InBox"}), "url"),
        (
            json!({"url": url, "event": "InBox", "retries": 500}),
            "retries",
        ),
        (
            json!({"url": url, "event": "InBox", "httpAuthType": "Digest"}),
            "httpAuthType",
        ),
        (
            json!({"url": url, "event": "InBox", "colour": "red"}),
            "colour",
        ),
    ];
    for (body, field) in &bad {
        let reply = post(&app, &b, "/v2/callbacks/create", body.clone()).await;
        assert_invalid_naming(&reply, field);
    }
    let theirs = post(
        &app,
        &far,
        "/v2/callbacks/create",
        json!({"url": url, "event": "InBox", "mailboxId": 201}),
    )
    .await;
    assert_eq!(theirs.status, 403, "{}", theirs.body);
    let none = post(&app, &b, "/v2/callbacks/queue-list", json!({})).await;
    assert_eq!(none.ok()["totalRecords"], 0, "{}", none.body);

    // Create: the secret comes once.
    let created = post(
        &app,
        &b,
        "/v2/callbacks/create",
        json!({"callBackUrl": url, "callBackEvent": "InBox", "retries": 1,
               "httpAuthType": "Basic", "username": "u", "password": "p"}),
    )
    .await;
    let c = created.ok().clone();
    let id = c["callbackId"].as_i64().unwrap();
    let secret = c["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{c}");
    assert_eq!(c["mailboxId"], 201);
    assert_eq!(c["httpAuthType"], "Basic");
    let again = call_json(
        &app,
        Method::GET,
        &format!("/v2/callbacks/get-queue-by-id?callbackId={id}"),
        Auth::Key(&b),
        &json!(null),
    )
    .await;
    assert!(
        !again.body.to_string().contains(&secret),
        "the secret is shown again"
    );
    assert!(
        !again.body.to_string().contains("\"p\""),
        "the password is shown"
    );

    // A test event, signed with that secret.
    let test = post(
        &app,
        &b,
        "/v2/callbacks/test",
        json!({"callbackId": id, "parcelId": 42}),
    )
    .await;
    let event_id = test.ok()["callbackEventId"].as_i64().unwrap();
    let seen = rx.wait_for(1, WAIT).await;
    assert_eq!(seen.len(), 1);
    let payload: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(payload["parcelId"], 42);
    assert_eq!(payload["isTest"], true);
    verify_with_python(&seen[0], &secret).await;
    let deadline = std::time::Instant::now() + WAIT;
    let event = loop {
        let e = post(
            &app,
            &b,
            "/v2/callbacks/get-event-by-id",
            json!({"callbackEventId": event_id}),
        )
        .await;
        let e = e.ok().clone();
        if e["status"] == "Delivered" || std::time::Instant::now() > deadline {
            break e;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(event["status"], "Delivered", "{event}");
    assert_eq!(event["httpStatus"], 200);
    assert_eq!(event["attempts"], 1);
    assert_eq!(
        serde_json::from_str::<Value>(event["payload"].as_str().unwrap()).unwrap(),
        payload
    );
    let stranger = post(
        &app,
        &far,
        "/v2/callbacks/get-event-by-id",
        json!({"callbackEventId": event_id}),
    )
    .await;
    assert_eq!(stranger.status, 403, "{}", stranger.body);

    // A failing receiver: two attempts (retries 1), then failed; listed by status.
    rx.script(&[Answer::Status(500), Answer::Status(500)]);
    let test = post(&app, &b, "/v2/callbacks/test", json!({"callbackId": id})).await;
    let failing = test.ok()["callbackEventId"].as_i64().unwrap();
    rx.wait_for(2, WAIT).await;
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let e = post(
            &app,
            &b,
            "/v2/callbacks/get-event-by-id",
            json!({"callbackEventId": failing}),
        )
        .await;
        let e = e.ok().clone();
        if e["status"] == "Pending" && e["attempts"] == 1 {
            let next =
                chrono::DateTime::parse_from_rfc3339(e["nextAttempt"].as_str().unwrap()).unwrap();
            let now = app.core.now();
            if next > now {
                app.clock.advance(next.with_timezone(&chrono::Utc) - now);
            }
        }
        if e["status"] == "Failed" || std::time::Instant::now() > deadline {
            assert_eq!(e["status"], "Failed", "{e}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let failed = post(
        &app,
        &b,
        "/v2/callbacks/queue-list",
        json!({"status": "Failed"}),
    )
    .await;
    let failed = failed.ok().clone();
    assert_eq!(failed["totalRecords"], 1, "{failed}");
    assert_eq!(failed["events"][0]["callbackEventId"], failing);
    // Updating the status to Active sends it again.
    let updated = post(
        &app,
        &b,
        "/v2/callbacks/update",
        json!({"callbackId": id, "status": "Active", "retries": 2}),
    )
    .await;
    assert_eq!(updated.ok()["retries"], 2);
    rx.wait_for(4, WAIT).await;
    let refused = post(
        &app,
        &b,
        "/v2/callbacks/update",
        json!({"callbackId": id, "url": "http://x y/"}),
    )
    .await;
    assert_invalid_naming(&refused, "url");
    let refused = post(
        &app,
        &far,
        "/v2/callbacks/update",
        json!({"callbackId": id, "status": "Suspended"}),
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let list = post(
        &app,
        &b,
        "/v2/callbacks/event-list",
        json!({"event": "InBox", "callbackId": id}),
    )
    .await;
    assert_eq!(list.ok()["totalRecords"], 2, "{}", list.body);
    let list = post(
        &app,
        &b,
        "/v2/callbacks/event-list",
        json!({"event": "Never"}),
    )
    .await;
    assert_invalid_naming(&list, "event");

    // Delete: terminated for good.
    let gone = call_json(
        &app,
        Method::DELETE,
        "/v2/callbacks",
        Auth::Key(&far),
        &json!({"callbackId": id}),
    )
    .await;
    assert_eq!(gone.status, 403, "{}", gone.body);
    let gone = call_json(
        &app,
        Method::DELETE,
        "/v2/callbacks",
        Auth::Key(&b),
        &json!({"callbackId": id}),
    )
    .await;
    assert_eq!(gone.ok(), &json!(true));
    let after = post(&app, &b, "/v2/callbacks/test", json!({"callbackId": id})).await;
    assert!(
        after.status >= 400,
        "a terminated callback took a test: {}",
        after.body
    );
}
