//! Calls made in a session are recorded without a database write per call, kept to the
//! newest 100, counted in full, and seen alike before and after they are written, on every
//! node once written.

use edigrid_domain::AuthLevel;
use edigrid_testkit::{
    SoapReply, TestApp, fresh_postgres_url, spawn_app, spawn_app_with, spawn_nodes,
};

const V41: &str = "https://os.ecgrid.io/";

/// `(APICall, ReturnCode, Comment)` of each event of the session's log, oldest first.
async fn events(app: &TestApp, sid: &str) -> Vec<(String, String, String)> {
    let reply = app
        .soap_in(V41, "SessionLogCurrent", &[("SessionID", sid)])
        .await;
    assert!(reply.fault().is_none(), "{}", reply.body);
    let doc = roxmltree::Document::parse(&reply.body).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "SessionEvents")
        .map(|e| {
            let child = |name: &str| {
                e.children()
                    .find(|c| c.tag_name().name() == name)
                    .and_then(|c| c.text())
                    .unwrap_or("")
                    .to_string()
            };
            (child("APICall"), child("ReturnCode"), child("Comment"))
        })
        .collect()
}

/// A server whose call writer waits an hour: the test decides when calls are written.
async fn app_writing_on_demand() -> TestApp {
    spawn_app_with(|s| s.call_flush_interval_ms = 3_600_000).await
}

fn event_id(reply: &SoapReply) -> u64 {
    reply
        .field("SessionEventID")
        .unwrap_or_else(|| panic!("no SessionEventID: {}", reply.body))
        .parse()
        .unwrap()
}

async fn stored_calls(app: &TestApp, sid: &str) -> u64 {
    let hash = edigrid_domain::SessionId::parse(sid).unwrap().hash();
    app.core.store().session_calls(&hash).await.unwrap()
}

#[tokio::test]
async fn the_newest_100_calls_are_kept_and_every_call_is_counted() {
    let app = app_writing_on_demand().await;
    app.add_user("busy", AuthLevel::MailboxUser, 100, 200).await;
    let sid = app.login("busy").await;
    // Login is call 1; then 130 calls, one of them refused by the permission rules.
    for _ in 0..129 {
        let who = app.soap_in(V41, "WhoAmI", &[("SessionID", &sid)]).await;
        assert!(who.fault().is_none(), "{}", who.body);
    }
    let denied = app
        .soap_in(V41, "UserReset", &[("SessionID", &sid), ("UserID", "999")])
        .await;
    assert!(denied.fault().is_some());
    // Nothing is written per call: the store has not seen one of them yet.
    assert_eq!(stored_calls(&app, &sid).await, 0);

    let before = events(&app, &sid).await;
    assert_eq!(before.len(), 100);
    assert_eq!(before[98].0, "WhoAmI");
    assert_eq!(
        before[99],
        ("UserReset".into(), "AccessDenied".into(), String::new())
    );
    let who = app.soap_in(V41, "WhoAmI", &[("SessionID", &sid)]).await;
    // Login, 129 WhoAmI, UserReset, SessionLogCurrent: this WhoAmI is call 133.
    assert_eq!(event_id(&who), 133);

    let written = app.core.flush_session_events().await.unwrap();
    assert_eq!(written, 133);
    assert_eq!(stored_calls(&app, &sid).await, 133);
    let after = events(&app, &sid).await;
    assert_eq!(after.len(), 100);
    // The same log, moved on by the two calls since (WhoAmI, then the first log read).
    assert_eq!(after[..98], before[2..]);
    assert_eq!(after[98].0, "SessionLogCurrent");
    assert_eq!(after[99].0, "WhoAmI");
    let who = app.soap_in(V41, "WhoAmI", &[("SessionID", &sid)]).await;
    assert_eq!(event_id(&who), 135);
}

#[tokio::test]
async fn calls_in_the_documented_dialect_are_listed_with_their_own_name() {
    let app = app_writing_on_demand().await;
    app.add_user("doc", AuthLevel::MailboxUser, 100, 200).await;
    let sid = app.login("doc").await;
    let info = app.soap("SessionInfo", &[("SessionID", &sid)]).await;
    assert!(info.fault().is_none(), "{}", info.body);
    let log = events(&app, &sid).await;
    let ops: Vec<&str> = log.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(ops, ["Login", "WhoAmI"], "{log:?}");
    assert_eq!(log[1].2, "SessionInfo");
}

#[tokio::test]
async fn calls_that_fail_before_a_session_is_known_record_nothing() {
    let app = app_writing_on_demand().await;
    app.add_user("quiet", AuthLevel::MailboxUser, 100, 200)
        .await;
    let sid = app.login("quiet").await;
    let bad = "00000000-0000-4000-8000-000000000000";
    let fault = app.soap_in(V41, "WhoAmI", &[("SessionID", bad)]).await;
    assert!(fault.fault().is_some());
    let refused = app
        .soap_in(
            V41,
            "SessionLog",
            &[("SessionID", &sid), ("MaxRecords", "0")],
        )
        .await;
    assert!(refused.fault().is_some());
    let log = events(&app, &sid).await;
    let ops: Vec<&str> = log.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(ops, ["Login"], "{log:?}");
    assert_eq!(app.core.flush_session_events().await.unwrap(), 2);
}

#[tokio::test]
async fn recording_can_be_turned_off() {
    let app = spawn_app_with(|s| s.record_session_calls = false).await;
    app.add_user("off", AuthLevel::MailboxUser, 100, 200).await;
    let sid = app.login("off").await;
    app.soap_in(V41, "WhoAmI", &[("SessionID", &sid)]).await;
    assert!(events(&app, &sid).await.is_empty());
    let who = app.soap_in(V41, "WhoAmI", &[("SessionID", &sid)]).await;
    assert_eq!(event_id(&who), 1);
    assert_eq!(app.core.flush_session_events().await.unwrap(), 0);
}

#[tokio::test]
async fn a_graceful_stop_writes_the_recorded_calls() {
    let app = spawn_app().await;
    app.add_user("stop", AuthLevel::MailboxUser, 100, 200).await;
    let sid = app.login("stop").await;
    app.soap_in(V41, "WhoAmI", &[("SessionID", &sid)]).await;
    let app = app.stop().await.start().await;
    assert_eq!(stored_calls(&app, &sid).await, 2);
    let ops: Vec<String> = events(&app, &sid).await.into_iter().map(|e| e.0).collect();
    assert_eq!(ops, ["Login", "WhoAmI"]);
}

#[tokio::test]
async fn another_node_sees_the_calls_once_they_are_written() {
    let Some(url) = fresh_postgres_url().await else {
        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: multi-node test not run");
        return;
    };
    let mut nodes = spawn_nodes(2, &url, |s| s.call_flush_interval_ms = 3_600_000).await;
    let b = nodes.pop().unwrap();
    let a = nodes.pop().unwrap();
    a.add_user("roam", AuthLevel::MailboxUser, 100, 200).await;
    let sid = a.login("roam").await;
    a.soap_in(V41, "WhoAmI", &[("SessionID", &sid)]).await;
    a.core.flush_session_events().await.unwrap();
    let on_b: Vec<String> = events(&b, &sid).await.into_iter().map(|e| e.0).collect();
    assert_eq!(on_b, ["Login", "WhoAmI"]);
    let who = b.soap_in(V41, "WhoAmI", &[("SessionID", &sid)]).await;
    // Login and WhoAmI on a, SessionLogCurrent on b (not yet written), then this one.
    assert_eq!(event_id(&who), 4);
}
