//! Brute-force protection (SPEC section 7): account lockout after consecutive failures, and
//! the per-address login throttle that answers before any password is checked.

use std::net::IpAddr;

use chrono::Duration;
use edigrid_core::Clock;
use edigrid_domain::AuthLevel;
use edigrid_testkit::{
    Fault, SoapReply, TEST_PASSWORD, TestApp, client_from, envelope11, spawn_app, spawn_app_with,
};

const WRONG: &str = "Wrong#Pass9";

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

async fn attempt_from(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
    password: &str,
) -> SoapReply {
    app.soap_from(
        client,
        "Login",
        &[("UserName", login), ("Password", password)],
    )
    .await
}

async fn attempt(app: &TestApp, login: &str, password: &str) -> SoapReply {
    attempt_from(app, &app.http, login, password).await
}

/// A login that must be refused; returns the fault.
async fn refused(app: &TestApp, login: &str, password: &str) -> Fault {
    let fault = attempt(app, login, password).await.expect_fault();
    assert_eq!(fault.category, "Authentication", "{fault:?}");
    fault
}

async fn succeeds(app: &TestApp, login: &str) {
    let reply = attempt(app, login, TEST_PASSWORD).await;
    assert_eq!(
        reply.status,
        200,
        "{login} should log in at {}: {}",
        app.clock.now(),
        reply.body
    );
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let wrong = refused(&app, "alice", WRONG).await;
    for _ in 1..5 {
        assert_eq!(refused(&app, "alice", WRONG).await, wrong);
    }
    let locked = refused(&app, "alice", TEST_PASSWORD).await;
    assert_eq!(locked, wrong, "a locked account gets the same refusal");

    app.clock
        .advance(Duration::minutes(15) - Duration::seconds(1));
    assert_eq!(refused(&app, "alice", TEST_PASSWORD).await, wrong);
    app.clock.advance(Duration::seconds(1));
    succeeds(&app, "alice").await;
}

#[tokio::test]
async fn the_lockout_threshold_and_duration_are_configurable() {
    let app = spawn_app_with(|s| {
        s.lockout_threshold = 3;
        s.lockout_secs = 60;
    })
    .await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let wrong = refused(&app, "alice", WRONG).await;
    for _ in 1..3 {
        refused(&app, "alice", WRONG).await;
    }
    assert_eq!(refused(&app, "alice", TEST_PASSWORD).await, wrong);
    app.clock.advance(Duration::seconds(59));
    assert_eq!(refused(&app, "alice", TEST_PASSWORD).await, wrong);
    app.clock.advance(Duration::seconds(1));
    succeeds(&app, "alice").await;
}

#[tokio::test]
async fn a_successful_login_resets_the_failure_count() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    for _ in 0..4 {
        refused(&app, "alice", WRONG).await;
    }
    succeeds(&app, "alice").await;
    for _ in 0..4 {
        refused(&app, "alice", WRONG).await;
    }
    succeeds(&app, "alice").await;
}

#[tokio::test]
async fn one_locked_account_does_not_affect_another() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    app.add_user("bob", AuthLevel::MailboxUser, 100, 200).await;
    for _ in 0..5 {
        refused(&app, "alice", WRONG).await;
    }
    succeeds(&app, "bob").await;
    refused(&app, "alice", TEST_PASSWORD).await;
    succeeds(&app, "bob").await;
}

#[tokio::test]
async fn the_throttle_refuses_rapid_attempts_without_checking_the_password() {
    let app = spawn_app_with(|s| {
        s.login_throttle_per_minute = 3;
        s.login_throttle_burst = 3;
    })
    .await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let wrong = refused(&app, "alice", WRONG).await;
    for _ in 1..3 {
        assert_eq!(refused(&app, "alice", WRONG).await, wrong);
    }

    // The fourth attempt is throttled, even with the right password.
    let throttled = refused(&app, "alice", TEST_PASSWORD).await;
    assert!(
        throttled.text.to_lowercase().contains("too many"),
        "the text says too many attempts: {throttled:?}"
    );
    assert_ne!(throttled.text, wrong.text);
    let open = app
        .core
        .store()
        .count_open_sessions(alice, app.clock.now())
        .await
        .unwrap();
    assert_eq!(open, 0, "the throttled login opened no session");

    // Had these been checked, three failures plus five would have locked the account.
    for _ in 0..5 {
        let fault = refused(&app, "alice", WRONG).await;
        assert!(fault.text.to_lowercase().contains("too many"), "{fault:?}");
    }
    let user = app.core.store().user(alice).await.unwrap().unwrap();
    assert_eq!(user.failed_logins, 3, "throttled attempts are not counted");
    assert_eq!(user.locked_until, None);

    // Another address has its own allowance, and the account is not locked.
    let other = client_from(ip("127.0.0.3"));
    let reply = attempt_from(&app, &other, "alice", TEST_PASSWORD).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_throttle_counts_each_forwarded_client() {
    let app = spawn_app_with(|s| {
        s.login_throttle_per_minute = 3;
        s.login_throttle_burst = 3;
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let via_proxy = |client: &'static str, password: &'static str| {
        let body = envelope11("Login", &[("UserName", "alice"), ("Password", password)]);
        let app = &app;
        async move {
            app.post_with(
                &app.http,
                "text/xml; charset=utf-8",
                &[("X-Forwarded-For", client)],
                body,
            )
            .await
        }
    };
    for _ in 0..3 {
        via_proxy("198.51.100.7", WRONG).await.expect_fault();
    }
    let throttled = via_proxy("198.51.100.7", TEST_PASSWORD)
        .await
        .expect_fault();
    assert!(
        throttled.text.to_lowercase().contains("too many"),
        "{throttled:?}"
    );
    let other = via_proxy("198.51.100.8", TEST_PASSWORD).await;
    assert_eq!(
        other.status, 200,
        "another client behind the proxy: {}",
        other.body
    );
}

#[tokio::test]
async fn with_zero_per_minute_the_throttle_is_off() {
    let app = spawn_app_with(|s| {
        s.login_throttle_per_minute = 0;
        s.login_throttle_burst = 3;
    })
    .await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    for i in 0..20 {
        let reply = attempt(&app, "alice", TEST_PASSWORD).await;
        assert_eq!(reply.status, 200, "attempt {}: {}", i + 1, reply.body);
    }
    for i in 0..20 {
        let fault = refused(&app, "nobody", WRONG).await;
        assert!(
            !fault.text.to_lowercase().contains("too many"),
            "attempt {}: {fault:?}",
            i + 1
        );
    }
}
