//! The per-user cap on open sessions (SPEC section 5): at the cap a login ends the least
//! recently used session, or is refused with `reject`; concurrent logins respect the cap.

use std::sync::Arc;

use chrono::Duration;
use edigrid_core::{Clock, OverCapPolicy};
use edigrid_domain::{AuthLevel, UserId};
use edigrid_testkit::{SoapReply, TEST_PASSWORD, TestApp, spawn_app_with};

const CAP: u32 = 3;

async fn app_with_cap(policy: OverCapPolicy) -> (TestApp, UserId) {
    let app = spawn_app_with(|s| {
        s.max_sessions_per_user = CAP;
        s.over_cap = policy;
    })
    .await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    (app, alice)
}

async fn session_info(app: &TestApp, sid: &str) -> SoapReply {
    app.soap("SessionInfo", &[("SessionID", sid)]).await
}

async fn assert_works(app: &TestApp, sid: &str, which: &str) {
    let reply = session_info(app, sid).await;
    assert_eq!(reply.status, 200, "{which} should work: {}", reply.body);
}

async fn assert_ended(app: &TestApp, sid: &str, which: &str) {
    let fault = session_info(app, sid).await.expect_fault();
    assert!(fault.text.contains("SessionID"), "{which}: {fault:?}");
}

async fn open_sessions(app: &TestApp, sid: &str) -> i64 {
    let reply = app.soap("WhoAmI", &[("SessionID", sid)]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.field("OpenSessions").unwrap().parse().unwrap()
}

async fn login_reply(app: &TestApp) -> SoapReply {
    app.soap(
        "Login",
        &[("UserName", "alice"), ("Password", TEST_PASSWORD)],
    )
    .await
}

/// Three sessions opened a second apart, so their order is unambiguous.
async fn three_sessions(app: &TestApp) -> Vec<String> {
    let mut sessions = Vec::new();
    for _ in 0..CAP {
        sessions.push(app.login("alice").await);
        app.clock.advance(Duration::seconds(1));
    }
    sessions
}

#[tokio::test]
async fn at_the_cap_a_login_ends_the_least_recently_used_session() {
    let (app, _) = app_with_cap(OverCapPolicy::EvictOldest).await;
    let sessions = three_sessions(&app).await;
    // The oldest session becomes the most recently used one: far enough past the
    // granularity that the server must record the activity.
    app.clock.advance(Duration::minutes(2));
    assert_works(&app, &sessions[0], "first").await;
    app.clock.advance(Duration::seconds(1));

    let fourth = app.login("alice").await;
    assert_ended(&app, &sessions[1], "second (least recently used)").await;
    assert_works(&app, &sessions[0], "first (used recently)").await;
    assert_works(&app, &sessions[2], "third").await;
    assert_works(&app, &fourth, "fourth").await;
    assert_eq!(open_sessions(&app, &fourth).await, i64::from(CAP));

    // The evicted session is listed as ended, not forgotten.
    let log = app
        .soap(
            "SessionLog",
            &[
                ("SessionID", &fourth),
                ("UserID", "0"),
                ("MaxRecords", "10"),
            ],
        )
        .await;
    assert_eq!(log.all("SessionIDInfo").len(), 4, "{}", log.body);
}

#[tokio::test]
async fn at_the_cap_with_equal_use_the_oldest_session_goes() {
    let (app, _) = app_with_cap(OverCapPolicy::EvictOldest).await;
    let sessions = three_sessions(&app).await;
    let fourth = app.login("alice").await;
    assert_ended(&app, &sessions[0], "first").await;
    assert_works(&app, &sessions[1], "second").await;
    assert_works(&app, &sessions[2], "third").await;
    assert_eq!(open_sessions(&app, &fourth).await, i64::from(CAP));
}

#[tokio::test]
async fn with_reject_the_login_over_the_cap_is_refused() {
    let (app, alice) = app_with_cap(OverCapPolicy::Reject).await;
    let sessions = three_sessions(&app).await;

    let fault = login_reply(&app).await.expect_fault();
    assert_eq!(fault.category, "Authentication", "{fault:?}");
    assert!(
        fault.text.to_lowercase().contains("session limit"),
        "the text says the session limit is reached: {fault:?}"
    );
    assert!(!fault.text.contains("SessionID"), "{fault:?}");

    for (i, sid) in sessions.iter().enumerate() {
        assert_works(&app, sid, &format!("session {}", i + 1)).await;
    }
    assert_eq!(open_sessions(&app, &sessions[0]).await, i64::from(CAP));
    let open = app
        .core
        .store()
        .count_open_sessions(alice, app.clock.now())
        .await
        .unwrap();
    assert_eq!(open, u64::from(CAP));

    // Once one ends there is room again.
    let out = app.soap("Logout", &[("SessionID", &sessions[1])]).await;
    assert_eq!(out.field("LogoutResult").as_deref(), Some("true"));
    let reply = login_reply(&app).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// Eight logins at once; returns the replies.
async fn concurrent_logins(app: Arc<TestApp>) -> Vec<SoapReply> {
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let app = Arc::clone(&app);
            tokio::spawn(async move { login_reply(&app).await })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

async fn working(app: &TestApp, sessions: &[String]) -> usize {
    let mut n = 0;
    for sid in sessions {
        if session_info(app, sid).await.status == 200 {
            n += 1;
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_logins_never_exceed_the_cap_when_evicting() {
    let (app, alice) = app_with_cap(OverCapPolicy::EvictOldest).await;
    let app = Arc::new(app);
    let replies = concurrent_logins(Arc::clone(&app)).await;
    let sessions: Vec<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200, "every login succeeds: {}", r.body);
            r.field("LoginResult").unwrap()
        })
        .collect();
    let open = app
        .core
        .store()
        .count_open_sessions(alice, app.clock.now())
        .await
        .unwrap();
    assert_eq!(open, u64::from(CAP), "open sessions in the store");
    assert_eq!(working(&app, &sessions).await, CAP as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_logins_never_exceed_the_cap_when_rejecting() {
    let (app, alice) = app_with_cap(OverCapPolicy::Reject).await;
    let app = Arc::new(app);
    let replies = concurrent_logins(Arc::clone(&app)).await;
    let sessions: Vec<String> = replies
        .iter()
        .filter_map(|r| r.field("LoginResult"))
        .collect();
    assert_eq!(sessions.len(), CAP as usize, "logins that got a session");
    for r in replies.iter().filter(|r| r.status != 200) {
        let fault = r.expect_fault();
        assert!(
            fault.text.to_lowercase().contains("session limit"),
            "{fault:?}"
        );
    }
    let open = app
        .core
        .store()
        .count_open_sessions(alice, app.clock.now())
        .await
        .unwrap();
    assert_eq!(open, u64::from(CAP));
    assert_eq!(working(&app, &sessions).await, CAP as usize);
}

#[tokio::test]
async fn a_per_user_cap_overrides_the_servers() {
    let (app, alice) = app_with_cap(OverCapPolicy::EvictOldest).await;
    let url = format!("sqlite://{}", app.database_path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("UPDATE users SET max_sessions = 2 WHERE id = ?")
        .bind(alice.0)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let first = app.login("alice").await;
    app.clock.advance(Duration::seconds(1));
    let second = app.login("alice").await;
    app.clock.advance(Duration::seconds(1));
    let third = app.login("alice").await;
    assert_ended(&app, &first, "first").await;
    assert_works(&app, &second, "second").await;
    assert_eq!(open_sessions(&app, &third).await, 2);
}
