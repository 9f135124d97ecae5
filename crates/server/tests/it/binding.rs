//! Client address binding (SPEC section 5): a session works only from the address that
//! logged in, unless binding is off; `X-Forwarded-For` counts only from trusted proxies.

use std::net::IpAddr;

use edigrid_domain::AuthLevel;
use edigrid_testkit::{NS, SoapReply, TestApp, client_from, envelope11, spawn_app_with};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// A SOAP 1.1 call from 127.0.0.1 carrying an `X-Forwarded-For` header when given.
async fn call_forwarded(
    app: &TestApp,
    forwarded_for: Option<&str>,
    op: &str,
    params: &[(&str, &str)],
) -> SoapReply {
    let action = format!("\"{NS}{op}\"");
    let mut headers = vec![("SOAPAction", action.as_str())];
    if let Some(xff) = forwarded_for {
        headers.push(("X-Forwarded-For", xff));
    }
    app.post_with(
        &app.http,
        "text/xml; charset=utf-8",
        &headers,
        envelope11(op, params),
    )
    .await
}

async fn login_forwarded(app: &TestApp, forwarded_for: &str) -> String {
    let reply = call_forwarded(
        app,
        Some(forwarded_for),
        "Login",
        &[
            ("UserName", "alice"),
            ("Password", edigrid_testkit::TEST_PASSWORD),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.field("LoginResult").unwrap()
}

fn assert_works(reply: &SoapReply, case: &str) {
    assert_eq!(reply.status, 200, "{case}: {}", reply.body);
}

fn assert_bound_elsewhere(reply: &SoapReply, case: &str) {
    let fault = reply.expect_fault();
    assert_eq!(fault.category, "Authentication", "{case}: {fault:?}");
    assert!(fault.text.contains("SessionID"), "{case}: {fault:?}");
}

async fn app_with_alice(configure: impl FnOnce(&mut edigrid_server::Settings)) -> TestApp {
    let app = spawn_app_with(configure).await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    app
}

#[tokio::test]
async fn a_session_is_refused_from_another_address_and_keeps_working_from_its_own() {
    let app = app_with_alice(|_| {}).await;
    let sid = app.login("alice").await;
    let other = client_from(ip("127.0.0.2"));

    for op in ["SessionInfo", "WhoAmI"] {
        let reply = app.soap_from(&other, op, &[("SessionID", &sid)]).await;
        assert_bound_elsewhere(&reply, op);
    }
    // Nor can it be ended from there.
    let logout = app
        .soap_from(&other, "Logout", &[("SessionID", &sid)])
        .await;
    assert_ne!(
        logout.field("LogoutResult").as_deref(),
        Some("true"),
        "{}",
        logout.body
    );

    let reply = app.soap("SessionInfo", &[("SessionID", &sid)]).await;
    assert_works(&reply, "from the original address");
    assert_eq!(reply.field("SessionID").unwrap(), sid);
}

#[tokio::test]
async fn without_binding_a_session_works_from_any_address() {
    let app = app_with_alice(|s| s.bind_client_address = false).await;
    let sid = app.login("alice").await;
    let other = client_from(ip("127.0.0.2"));

    let reply = app
        .soap_from(&other, "SessionInfo", &[("SessionID", &sid)])
        .await;
    assert_works(&reply, "from 127.0.0.2");
    let reply = app.soap("SessionInfo", &[("SessionID", &sid)]).await;
    assert_works(&reply, "from 127.0.0.1");
}

#[tokio::test]
async fn behind_a_trusted_proxy_x_forwarded_for_is_the_client() {
    let app = app_with_alice(|s| {
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let sid = login_forwarded(&app, "198.51.100.7").await;
    let params = [("SessionID", sid.as_str())];

    let same = call_forwarded(&app, Some("198.51.100.7"), "SessionInfo", &params).await;
    assert_works(&same, "same forwarded client");
    let chained = call_forwarded(
        &app,
        Some("203.0.113.9, 198.51.100.7"),
        "SessionInfo",
        &params,
    )
    .await;
    assert_works(&chained, "right-most untrusted hop is the client");

    let other = call_forwarded(&app, Some("198.51.100.8"), "SessionInfo", &params).await;
    assert_bound_elsewhere(&other, "another forwarded client");
    let proxy_itself = call_forwarded(&app, None, "SessionInfo", &params).await;
    assert_bound_elsewhere(&proxy_itself, "the proxy without a forwarded client");

    // The header is believed only from the proxy, not from anyone who sends it.
    let spoofer = client_from(ip("127.0.0.2"));
    let action = format!("\"{NS}SessionInfo\"");
    let spoofed = app
        .post_with(
            &spoofer,
            "text/xml; charset=utf-8",
            &[
                ("SOAPAction", action.as_str()),
                ("X-Forwarded-For", "198.51.100.7"),
            ],
            envelope11("SessionInfo", &params),
        )
        .await;
    assert_bound_elsewhere(&spoofed, "untrusted peer claiming the client's address");

    let again = call_forwarded(&app, Some("198.51.100.7"), "SessionInfo", &params).await;
    assert_works(&again, "still works for its client");
}

#[tokio::test]
async fn without_a_trusted_proxy_x_forwarded_for_is_ignored() {
    let app = app_with_alice(|_| {}).await;
    let sid = login_forwarded(&app, "198.51.100.7").await;
    let params = [("SessionID", sid.as_str())];

    for xff in [Some("198.51.100.7"), Some("198.51.100.8"), None] {
        let reply = call_forwarded(&app, xff, "SessionInfo", &params).await;
        assert_works(&reply, &format!("X-Forwarded-For {xff:?}"));
    }

    // Claiming the original address from elsewhere does not help either.
    let other = client_from(ip("127.0.0.2"));
    let action = format!("\"{NS}SessionInfo\"");
    let spoofed = app
        .post_with(
            &other,
            "text/xml; charset=utf-8",
            &[
                ("SOAPAction", action.as_str()),
                ("X-Forwarded-For", "127.0.0.1"),
            ],
            envelope11("SessionInfo", &params),
        )
        .await;
    assert_bound_elsewhere(&spoofed, "127.0.0.2 claiming 127.0.0.1");
}
