//! Several edigrid nodes over one PostgreSQL database behave as one service.

use edigrid_domain::AuthLevel;
use edigrid_testkit::{TEST_PASSWORD, TestApp, fresh_postgres_url, spawn_nodes};
use serde_json::{Value, json};

/// Two nodes on a fresh schema; `None` (and a note) when no PostgreSQL is configured.
async fn two_nodes(
    configure: impl Fn(&mut edigrid_server::Settings),
) -> Option<(TestApp, TestApp)> {
    let Some(url) = fresh_postgres_url().await else {
        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: multi-node test not run");
        return None;
    };
    let mut nodes = spawn_nodes(2, &url, configure).await;
    let b = nodes.pop().unwrap();
    let a = nodes.pop().unwrap();
    Some((a, b))
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
