//! Several edigrid nodes over one PostgreSQL database behave as one service.

use edigrid_domain::AuthLevel;
use edigrid_testkit::{TEST_PASSWORD, TestApp, fresh_postgres_url, spawn_nodes};
use serde_json::{Value, json};

/// Two nodes on a fresh schema; `None` (and a note) when no PostgreSQL is configured.
async fn two_nodes(
    configure: impl Fn(&mut edigrid_server::Settings),
) -> Option<(TestApp, TestApp)> {
    two_nodes_and_url(configure).await.map(|(a, b, _)| (a, b))
}

/// As [`two_nodes`], with the database URL they share.
async fn two_nodes_and_url(
    configure: impl Fn(&mut edigrid_server::Settings),
) -> Option<(TestApp, TestApp, String)> {
    let Some(url) = fresh_postgres_url().await else {
        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: multi-node test not run");
        return None;
    };
    let mut nodes = spawn_nodes(2, &url, configure).await;
    let b = nodes.pop().unwrap();
    let a = nodes.pop().unwrap();
    Some((a, b, url))
}

/// A lease long enough that a node would still answer from a stale copy, were a change not
/// to wait it out.
const LONG_LEASE_MS: u64 = 2_000;

/// Has `node` read the session and then answer from its copy.
async fn warm_copy(node: &TestApp, sid: &str) {
    for _ in 0..2 {
        let info = node.soap("SessionInfo", &[("SessionID", sid)]).await;
        assert_eq!(info.status, 200, "{}", info.body);
    }
}

fn refused(reply: &edigrid_testkit::SoapReply) -> bool {
    reply.status == 500 && reply.body.contains("SessionID")
}

#[tokio::test]
async fn a_logout_on_one_node_is_seen_at_once_by_the_others_copy() {
    let Some((a, b)) = two_nodes(|s| s.session_cache_ms = LONG_LEASE_MS).await else {
        return;
    };
    a.add_user("leased", AuthLevel::MailboxUser, 100, 200).await;
    let sid = a.login("leased").await;
    warm_copy(&b, &sid).await;
    let started = std::time::Instant::now();
    let out = a.soap("Logout", &[("SessionID", &sid)]).await;
    assert_eq!(out.field("LogoutResult").as_deref(), Some("true"));
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(LONG_LEASE_MS),
        "the logout waited out the lease before answering"
    );
    for node in [&b, &a] {
        let reply = node.soap("SessionInfo", &[("SessionID", &sid)]).await;
        assert!(refused(&reply), "{}", reply.body);
    }
}

#[tokio::test]
async fn an_eviction_on_one_node_is_seen_at_once_by_the_others_copy() {
    let Some((a, b)) = two_nodes(|s| {
        s.session_cache_ms = LONG_LEASE_MS;
        s.max_sessions_per_user = 1;
    })
    .await
    else {
        return;
    };
    a.add_user("single", AuthLevel::MailboxUser, 100, 200).await;
    let first = a.login("single").await;
    warm_copy(&b, &first).await;
    a.clock.advance(chrono::Duration::seconds(1));
    let second = a.login("single").await;
    let reply = b.soap("SessionInfo", &[("SessionID", &first)]).await;
    assert!(
        refused(&reply),
        "the evicted session is refused everywhere once the new one exists: {}",
        reply.body
    );
    let info = b.soap("SessionInfo", &[("SessionID", &second)]).await;
    assert_eq!(info.status, 200, "{}", info.body);
}

/// The copy is real: a change written straight into the database (not through edigrid)
/// reaches a node that holds a copy only when the copy's lease ends. With the cache off
/// (`session_cache_ms = 0`) it is seen on the next call.
#[tokio::test]
async fn a_change_behind_edigrids_back_is_seen_when_the_copy_lapses() {
    for lease_ms in [LONG_LEASE_MS, 0] {
        let Some((a, b, url)) = two_nodes_and_url(|s| s.session_cache_ms = lease_ms).await else {
            return;
        };
        a.add_user("direct", AuthLevel::MailboxUser, 100, 200).await;
        let sid = a.login("direct").await;
        let info = b.soap("SessionInfo", &[("SessionID", &sid)]).await;
        assert_eq!(info.status, 200, "{}", info.body);
        let copied_at = std::time::Instant::now();
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let ended =
            sqlx::query("UPDATE sessions SET ended_ms = created_ms, end_reason = 'revoked'")
                .execute(&pool)
                .await
                .unwrap();
        assert_eq!(ended.rows_affected(), 1);
        pool.close().await;
        let reply = b.soap("SessionInfo", &[("SessionID", &sid)]).await;
        if lease_ms == 0 {
            assert!(refused(&reply), "no cache: seen at once: {}", reply.body);
            continue;
        }
        assert!(
            copied_at.elapsed() < std::time::Duration::from_millis(lease_ms),
            "the check ran within the lease"
        );
        assert_eq!(
            reply.status, 200,
            "B still answers from its copy: {}",
            reply.body
        );
        let reply = a.soap("SessionInfo", &[("SessionID", &sid)]).await;
        assert!(refused(&reply), "A holds no copy: {}", reply.body);
        tokio::time::sleep(std::time::Duration::from_millis(lease_ms)).await;
        let reply = b.soap("SessionInfo", &[("SessionID", &sid)]).await;
        assert!(refused(&reply), "the copy lapsed: {}", reply.body);
    }
}

#[tokio::test]
async fn a_session_opened_on_one_node_is_served_and_ended_by_the_other() {
    let Some((a, b)) = two_nodes(|_| {}).await else {
        return;
    };
    let id = a.add_user("shared", AuthLevel::MailboxUser, 100, 200).await;
    let sid = a.login("shared").await;
    let info = b.soap("SessionInfo", &[("SessionID", &sid)]).await;
    assert_eq!(
        info.field("UserID").unwrap(),
        id.to_string(),
        "{}",
        info.body
    );
    let who = b.soap("WhoAmI", &[("SessionID", &sid)]).await;
    assert_eq!(who.field("Login").as_deref(), Some("shared"));
    let out = b.soap("Logout", &[("SessionID", &sid)]).await;
    assert_eq!(out.field("LogoutResult").as_deref(), Some("true"));
    for node in [&a, &b] {
        let fault = node
            .soap("SessionInfo", &[("SessionID", &sid)])
            .await
            .expect_fault();
        assert!(fault.text.contains("SessionID"), "{fault:?}");
    }
}

#[tokio::test]
async fn bearer_tokens_from_one_node_work_on_the_other() {
    let Some((a, b)) = two_nodes(|_| {}).await else {
        return;
    };
    a.add_user("rest", AuthLevel::MailboxUser, 100, 200).await;
    let login: Value = a
        .http
        .post(format!("{}/v2/auth/login", a.base_url()))
        .json(&json!({"login": "rest", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["data"]["token"].as_str().unwrap();
    let me = b
        .http
        .get(format!("{}/v2/users/me", b.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.status(),
        200,
        "the signing secret is shared through the database"
    );
}

#[tokio::test]
async fn failed_logins_on_both_nodes_count_towards_one_lockout() {
    let Some((a, b)) = two_nodes(|_| {}).await else {
        return;
    };
    a.add_user("target", AuthLevel::MailboxUser, 100, 200).await;
    for (i, node) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
        let reply = node
            .soap(
                "Login",
                &[("UserName", "target"), ("Password", "Wrong#Pass1")],
            )
            .await;
        assert!(reply.fault().is_some(), "attempt {i} failed as it should");
    }
    let locked = b
        .soap(
            "Login",
            &[("UserName", "target"), ("Password", TEST_PASSWORD)],
        )
        .await;
    assert!(
        locked.fault().is_some(),
        "five failures across nodes lock the account"
    );
}

#[tokio::test]
async fn concurrent_logins_on_both_nodes_never_overrun_the_cap() {
    let Some((a, b)) = two_nodes(|s| s.max_sessions_per_user = 3).await else {
        return;
    };
    let user = a.add_user("crowd", AuthLevel::MailboxUser, 100, 200).await;
    let (a, b) = (std::sync::Arc::new(a), std::sync::Arc::new(b));
    let mut logins = Vec::new();
    for i in 0..12 {
        let node = if i % 2 == 0 { a.clone() } else { b.clone() };
        logins.push(tokio::spawn(async move { node.login("crowd").await }));
    }
    let mut ids = Vec::new();
    for l in logins {
        ids.push(l.await.unwrap());
    }
    let now = edigrid_core::Clock::now(&a.clock);
    let open = a.core.store().count_open_sessions(user, now).await.unwrap();
    assert_eq!(open, 3, "exactly the cap stays open");
    let mut working = 0;
    for sid in &ids {
        if a.soap("SessionInfo", &[("SessionID", sid)]).await.status == 200 {
            working += 1;
        }
    }
    assert_eq!(working, 3);
}

#[tokio::test]
async fn the_login_throttle_is_one_allowance_across_nodes() {
    let Some((a, b)) = two_nodes(|s| {
        s.login_throttle_per_minute = 2;
        s.login_throttle_burst = 2;
    })
    .await
    else {
        return;
    };
    a.add_user("busy", AuthLevel::MailboxUser, 100, 200).await;
    a.login("busy").await;
    b.login("busy").await;
    let third = a
        .soap(
            "Login",
            &[("UserName", "busy"), ("Password", TEST_PASSWORD)],
        )
        .await;
    let fault = third.expect_fault();
    assert!(fault.text.contains("too many login attempts"), "{fault:?}");
    // Half a minute later (the nodes share one clock) one attempt is allowed again.
    a.clock.advance(chrono::Duration::seconds(30));
    b.login("busy").await;
}
