//! Session lifetime (SPEC section 5): idle timeout, extension by activity with its
//! granularity, the absolute lifetime, per-user idle timeouts, and the promise that the
//! reported `Expires` is exactly when the server starts refusing the session.

use chrono::{DateTime, Duration, Utc};
use edigrid_core::Clock;
use edigrid_domain::{AuthLevel, UserId};
use edigrid_testkit::{SoapReply, TestApp, spawn_app};

fn time(reply: &SoapReply, name: &str) -> DateTime<Utc> {
    let text = reply
        .field(name)
        .unwrap_or_else(|| panic!("no {name} in {}", reply.body));
    DateTime::parse_from_rfc3339(&text)
        .unwrap_or_else(|e| panic!("{name} {text:?}: {e}"))
        .with_timezone(&Utc)
}

fn now(app: &TestApp) -> DateTime<Utc> {
    app.clock.now()
}

/// Moves the test clock to `when` (never backwards).
fn move_to(app: &TestApp, when: DateTime<Utc>) {
    let by = when - now(app);
    assert!(by >= Duration::zero(), "the clock only moves forward");
    app.clock.advance(by);
}

async fn session_info(app: &TestApp, sid: &str) -> SoapReply {
    app.soap("SessionInfo", &[("SessionID", sid)]).await
}

/// SessionInfo that must succeed; returns the reported `Expires`.
async fn expires(app: &TestApp, sid: &str) -> DateTime<Utc> {
    let reply = session_info(app, sid).await;
    assert_eq!(
        reply.status,
        200,
        "session refused at {}: {}",
        now(app),
        reply.body
    );
    time(&reply, "Expires")
}

async fn assert_refused(app: &TestApp, sid: &str) {
    let reply = session_info(app, sid).await;
    let fault = reply.expect_fault();
    assert_eq!(fault.category, "Authentication", "{fault:?}");
    assert_eq!(fault.error_code, "1", "{fault:?}");
    assert!(fault.text.contains("SessionID"), "{fault:?}");
}

/// Two sessions of one user opened at the same instant: used at the same instants, they
/// have the same history, so one can be spent checking "just before" and the other
/// "exactly at" the reported expiry.
async fn twins(app: &TestApp, login: &str) -> (String, String) {
    (app.login(login).await, app.login(login).await)
}

/// The `Expires` promise at this point of the twins' life: a call at `Expires - 1 s` works
/// and a call at exactly `Expires` (no activity in between) is refused. Spends the twins;
/// `keep_alive` sessions are used at `Expires - 1 s` so that they survive.
async fn assert_expires_is_kept(
    app: &TestApp,
    (early, late): (&str, &str),
    keep_alive: &[String],
) -> DateTime<Utc> {
    let reported = expires(app, early).await;
    assert_eq!(
        expires(app, late).await,
        reported,
        "twins report the same expiry"
    );
    assert!(reported > now(app), "Expires is in the future");
    move_to(app, reported - Duration::seconds(1));
    expires(app, early).await;
    for sid in keep_alive {
        expires(app, sid).await;
    }
    move_to(app, reported);
    assert_refused(app, late).await;
    reported
}

#[tokio::test]
async fn idle_sessions_expire_after_sixty_minutes() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let (busy, idle) = twins(&app, "alice").await;
    let created = now(&app);

    app.clock
        .advance(Duration::minutes(60) - Duration::seconds(1));
    expires(&app, &busy).await;
    app.clock.advance(Duration::seconds(2));
    assert_refused(&app, &idle).await;

    // In SOAP 1.2 too, and the session that was used just in time still works.
    let fault = app
        .soap12("WhoAmI", &[("SessionID", &idle)])
        .await
        .expect_fault();
    assert!(fault.text.contains("SessionID"), "{fault:?}");
    assert!(now(&app) > created + Duration::minutes(60));
    assert_eq!(
        expires(&app, &busy).await,
        created + Duration::minutes(60) - Duration::seconds(1) + Duration::minutes(60),
        "extended by the call at 59:59"
    );
}

#[tokio::test]
async fn activity_moves_expires_only_beyond_the_granularity() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let sid = app.login("alice").await;
    let created = now(&app);
    let first = expires(&app, &sid).await;
    assert_eq!(first, created + Duration::minutes(60));

    app.clock.advance(Duration::seconds(30));
    assert_eq!(expires(&app, &sid).await, first, "30 s later: not moved");
    app.clock.advance(Duration::seconds(30));
    assert_eq!(expires(&app, &sid).await, first, "60 s later: not moved");
    app.clock.advance(Duration::seconds(1));
    let moved = expires(&app, &sid).await;
    assert_eq!(
        moved,
        now(&app) + Duration::minutes(60),
        "61 s later: moved"
    );

    app.clock.advance(Duration::seconds(59));
    assert_eq!(expires(&app, &sid).await, moved, "small step: not moved");
    app.clock.advance(Duration::minutes(10));
    assert_eq!(
        expires(&app, &sid).await,
        now(&app) + Duration::minutes(60),
        "ten minutes later: moved"
    );
}

#[tokio::test]
async fn reported_expires_is_kept_right_after_login() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let (a, b) = twins(&app, "alice").await;
    let created = now(&app);
    let reported = assert_expires_is_kept(&app, (&a, &b), &[]).await;
    assert_eq!(reported, created + Duration::minutes(60));
}

#[tokio::test]
async fn reported_expires_is_kept_when_activity_was_coalesced() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let (a, b) = twins(&app, "alice").await;
    for _ in 0..3 {
        app.clock.advance(Duration::seconds(40));
        expires(&app, &a).await;
        expires(&app, &b).await;
    }
    assert_expires_is_kept(&app, (&a, &b), &[]).await;
}

#[tokio::test]
async fn reported_expires_is_kept_after_an_extension() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let (a, b) = twins(&app, "alice").await;
    app.clock.advance(Duration::minutes(25));
    let checked_at = now(&app);
    let reported = assert_expires_is_kept(&app, (&a, &b), &[]).await;
    assert_eq!(reported, checked_at + Duration::minutes(60));
}

#[tokio::test]
async fn reported_expires_is_kept_at_several_points_in_a_long_session() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    // Ten sessions in lockstep; each checkpoint spends two of them.
    let mut pool = Vec::new();
    for _ in 0..10 {
        pool.push(app.login("alice").await);
    }
    let steps = [
        Duration::seconds(5),
        Duration::seconds(75),
        Duration::minutes(59),
        Duration::minutes(3),
    ];
    for step in steps {
        app.clock.advance(step);
        for sid in &pool {
            expires(&app, sid).await;
        }
        let late = pool.pop().unwrap();
        let early = pool.pop().unwrap();
        assert_expires_is_kept(&app, (&early, &late), &pool).await;
    }
}

#[tokio::test]
async fn absolute_lifetime_of_eight_hours_holds_despite_activity() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let sid = app.login("alice").await;
    let created = now(&app);
    let limit = created + Duration::hours(8);

    let mut last = expires(&app, &sid).await;
    for _ in 0..15 {
        app.clock.advance(Duration::minutes(30));
        let reported = expires(&app, &sid).await;
        assert!(reported <= limit, "Expires {reported} beyond {limit}");
        assert!(reported >= last, "Expires never moves back");
        last = reported;
    }
    // Now 7 h 30 min after login: the idle rule would give 8 h 30 min.
    assert_eq!(last, limit, "capped at the absolute lifetime");
    move_to(&app, limit - Duration::seconds(1));
    assert_eq!(expires(&app, &sid).await, limit);
    app.clock.advance(Duration::seconds(1));
    assert_refused(&app, &sid).await;
}

async fn set_idle_timeout(app: &TestApp, user: UserId, secs: i64) {
    let url = format!("sqlite://{}", app.database_path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("UPDATE users SET idle_timeout_secs = ? WHERE id = ?")
        .bind(secs)
        .bind(user.0)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[tokio::test]
async fn a_per_user_idle_timeout_is_honoured() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    app.add_user("bob", AuthLevel::MailboxUser, 100, 200).await;
    set_idle_timeout(&app, alice, 300).await;

    let (a, b) = twins(&app, "alice").await;
    let bob = app.login("bob").await;
    let created = now(&app);
    let reported = assert_expires_is_kept(&app, (&a, &b), &[]).await;
    assert_eq!(reported, created + Duration::seconds(300));
    // The call at 299 s extended by the user's 300 s, not the server's 60 minutes.
    assert_eq!(
        expires(&app, &a).await,
        now(&app) - Duration::seconds(1) + Duration::seconds(300)
    );
    // Other users keep the server's default.
    assert_eq!(expires(&app, &bob).await, now(&app) + Duration::minutes(60));

    let (c, d) = twins(&app, "alice").await;
    app.clock.advance(Duration::seconds(100));
    assert_expires_is_kept(&app, (&c, &d), &[]).await;
}

#[tokio::test]
async fn expired_sessions_stay_in_the_log_with_their_expiry() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let old = app.login("alice").await;
    let created = now(&app);
    app.clock.advance(Duration::minutes(10));
    expires(&app, &old).await;
    let expired_at = created + Duration::minutes(70);

    app.clock.advance(Duration::days(2));
    assert_refused(&app, &old).await;
    let out = app.soap("Logout", &[("SessionID", &old)]).await;
    assert_eq!(
        out.field("LogoutResult").as_deref(),
        Some("false"),
        "{}",
        out.body
    );
    let current = app.login("alice").await;
    let log = app
        .soap(
            "SessionLog",
            &[
                ("SessionID", &current),
                ("UserID", "0"),
                ("MaxRecords", "10"),
            ],
        )
        .await;
    assert_eq!(log.status, 200, "{}", log.body);
    let ids = log.all("SessionID");
    let created_all = log.all("Created");
    let expires_all = log.all("Expires");
    assert_eq!(ids.len(), 2, "{}", log.body);
    assert_eq!(ids[0], current);
    assert!(ids[1].starts_with(&old[..8]), "{}", ids[1]);
    assert_eq!(
        created_all[1],
        created.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
    assert_eq!(
        expires_all[1],
        expired_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "Expires of an expired session is when it expired, not when Logout was tried"
    );
}
