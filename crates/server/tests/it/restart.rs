//! Sessions outlive the process (SPEC section 5), and end at once when their user is
//! suspended or changes password.

use chrono::Duration;
use edigrid_domain::{AuthLevel, SessionId};
use edigrid_testkit::{Fault, SoapReply, TEST_PASSWORD, TestApp, spawn_app};

const NEW_PASSWORD: &str = "New#Pass22";

async fn session_info(app: &TestApp, sid: &str) -> SoapReply {
    app.soap("SessionInfo", &[("SessionID", sid)]).await
}

async fn assert_works(app: &TestApp, sid: &str, which: &str) -> SoapReply {
    let reply = session_info(app, sid).await;
    assert_eq!(reply.status, 200, "{which} should work: {}", reply.body);
    reply
}

async fn assert_ended(app: &TestApp, sid: &str, which: &str) {
    let fault = session_info(app, sid).await.expect_fault();
    assert_eq!(fault.category, "Authentication", "{which}: {fault:?}");
    assert!(fault.text.contains("SessionID"), "{which}: {fault:?}");
}

async fn login_with(app: &TestApp, login: &str, password: &str) -> SoapReply {
    app.soap("Login", &[("UserName", login), ("Password", password)])
        .await
}

/// The refusal a wrong password gets, from a user that is not otherwise involved.
async fn wrong_password_fault(app: &TestApp) -> Fault {
    app.add_user("bystander", AuthLevel::MailboxUser, 100, 200)
        .await;
    login_with(app, "bystander", "Wrong#Pass9")
        .await
        .expect_fault()
}

#[tokio::test]
async fn sessions_survive_a_restart_unchanged() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let kept = app.login("alice").await;
    app.clock.advance(Duration::minutes(5));
    let extended = app.login("alice").await;
    app.clock.advance(Duration::minutes(5));
    assert_works(&app, &extended, "extended").await;
    let logged_out = app.login("alice").await;
    let out = app.soap("Logout", &[("SessionID", &logged_out)]).await;
    assert_eq!(out.field("LogoutResult").as_deref(), Some("true"));

    // 30 s later: `extended` was just extended, so this activity of it is within the
    // granularity and need not be stored; `kept` moves by ten minutes and must be.
    app.clock.advance(Duration::seconds(30));
    let before_kept = assert_works(&app, &kept, "kept").await;
    let before_extended = assert_works(&app, &extended, "extended").await;

    let app = app.stop().await.start().await;

    for (sid, before) in [(&kept, &before_kept), (&extended, &before_extended)] {
        let after = assert_works(&app, sid, "after the restart").await;
        assert_eq!(after.field("SessionID"), before.field("SessionID"));
        assert_eq!(after.field("Created"), before.field("Created"));
        assert_eq!(after.field("Expires"), before.field("Expires"));
    }
    assert_ended(&app, &logged_out, "logged out before the restart").await;
    let again = app.soap("Logout", &[("SessionID", &logged_out)]).await;
    assert_eq!(again.field("LogoutResult").as_deref(), Some("false"));

    // And they still expire on time: 60 minutes after their last stored extension.
    app.clock.advance(Duration::minutes(60));
    assert_ended(&app, &kept, "expired after the restart").await;
    assert_ended(&app, &extended, "expired after the restart").await;
    app.login("alice").await;
}

#[tokio::test]
async fn suspending_a_user_ends_all_their_sessions_at_once() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    app.add_user("bob", AuthLevel::MailboxUser, 100, 200).await;
    let mut sessions = Vec::new();
    for _ in 0..3 {
        sessions.push(app.login("alice").await);
    }
    let bob = app.login("bob").await;
    let wrong = wrong_password_fault(&app).await;

    let ended = app.core.suspend_user(alice).await.unwrap();
    assert_eq!(ended, 3);
    for (i, sid) in sessions.iter().enumerate() {
        assert_ended(&app, sid, &format!("alice's session {}", i + 1)).await;
    }
    assert_works(&app, &bob, "another user's session").await;

    let refused = login_with(&app, "alice", TEST_PASSWORD)
        .await
        .expect_fault();
    assert_eq!(
        refused, wrong,
        "a suspended user gets the wrong-password refusal"
    );
}

#[tokio::test]
async fn changing_the_password_ends_every_session() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let mut sessions = Vec::new();
    for _ in 0..3 {
        sessions.push(app.login("alice").await);
    }
    let wrong = wrong_password_fault(&app).await;

    let ended = app
        .core
        .set_password(alice, NEW_PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(ended, 3);
    for (i, sid) in sessions.iter().enumerate() {
        assert_ended(&app, sid, &format!("session {}", i + 1)).await;
    }
    let old = login_with(&app, "alice", TEST_PASSWORD)
        .await
        .expect_fault();
    assert_eq!(old, wrong, "the old password is refused like any wrong one");
    let new = login_with(&app, "alice", NEW_PASSWORD).await;
    assert_eq!(new.status, 200, "{}", new.body);
}

#[tokio::test]
async fn changing_the_password_keeps_the_session_that_changed_it() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let mut sessions = Vec::new();
    for _ in 0..3 {
        sessions.push(app.login("alice").await);
    }
    let keep = SessionId::parse(&sessions[1]).unwrap().hash();

    let ended = app
        .core
        .set_password(alice, NEW_PASSWORD, Some(&keep))
        .await
        .unwrap();
    assert_eq!(ended, 2);
    assert_ended(&app, &sessions[0], "first").await;
    assert_works(&app, &sessions[1], "the session that made the change").await;
    assert_ended(&app, &sessions[2], "third").await;
}
