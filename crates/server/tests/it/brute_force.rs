//! Brute force and enumeration across both protocols (SPEC section 7): one failure count
//! per account whichever protocol the guesses come by, a throttle keyed on the client
//! address (believing `X-Forwarded-For` only from a trusted proxy), and the same time for an
//! unknown login name as for a wrong password.

use std::time::{Duration, Instant};

use edigrid_core::Clock;
use edigrid_domain::AuthLevel;
use edigrid_testkit::{SoapReply, TEST_PASSWORD, TestApp, client_from, envelope11, spawn_app_with};
use reqwest::Method;
use serde_json::json;

use crate::rest_auth::{Reply, assert_login_refused, failed_logins, rest_login, send};

const WRONG: &str = "Wrong#Pass7";
const CT11: &str = "text/xml; charset=utf-8";

/// A SOAP 1.1 login, optionally through a proxy that names the client.
async fn soap_login(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> SoapReply {
    let body = envelope11("Login", &[("UserName", login), ("Password", password)]);
    let mut headers = vec![("SOAPAction", "\"http://www.ecgridos.net/Login\"")];
    if let Some(xff) = forwarded_for {
        headers.push(("X-Forwarded-For", xff));
    }
    app.post_with(client, CT11, &headers, body).await
}

/// A SOAP 1.2 login.
async fn soap12_login(app: &TestApp, login: &str, password: &str) -> SoapReply {
    app.soap12("Login", &[("UserName", login), ("Password", password)])
        .await
}

/// A REST login, optionally through a proxy that names the client.
async fn rest_login_attempt(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> Reply {
    let mut request = client
        .request(Method::POST, format!("{}/v2/auth/login", app.base_url()))
        .json(&json!({"login": login, "password": password}));
    if let Some(xff) = forwarded_for {
        request = request.header("X-Forwarded-For", xff);
    }
    send(request).await
}

#[track_caller]
fn assert_soap_refused(reply: &SoapReply, what: &str) {
    let fault = reply.expect_fault();
    assert_eq!(fault.category, "Authentication", "{what}: {fault:?}");
}

fn is_throttled_fault(reply: &SoapReply) -> bool {
    reply
        .fault()
        .is_some_and(|f| f.text.to_lowercase().contains("too many"))
}

#[tokio::test]
async fn the_lockout_threshold_counts_soap_and_rest_failures_together() {
    let app = spawn_app_with(|_| {}).await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let http = app.http.clone();

    // Four failures, each protocol in turn: one count, below the threshold of five.
    assert_soap_refused(&soap_login(&app, &http, "alice", WRONG, None).await, "1");
    assert_login_refused(&rest_login_attempt(&app, &http, "ALICE", WRONG, None).await);
    assert_soap_refused(&soap12_login(&app, "alice", WRONG).await, "3");
    assert_login_refused(&rest_login_attempt(&app, &http, "alice", WRONG, None).await);
    assert_eq!(failed_logins(&app, alice).await, 4, "one count for both");
    // Not locked yet: the right password works on either protocol (and resets the count).
    rest_login(&app, "alice").await;
    assert_eq!(failed_logins(&app, alice).await, 0);

    // Again, ending on SOAP: the fifth failure locks, whichever protocol brings it.
    for round in 0..5 {
        if round % 2 == 0 {
            assert_login_refused(&rest_login_attempt(&app, &http, "alice", WRONG, None).await);
        } else {
            assert_soap_refused(
                &soap_login(&app, &http, "alice", WRONG, None).await,
                "failure",
            );
        }
    }
    let user = app.core.store().user(alice).await.unwrap().unwrap();
    assert!(
        user.locked_until.is_some_and(|t| t > app.clock.now()),
        "five failures across protocols lock: {user:?}"
    );
    // Locked on both protocols, the right password included, with the ordinary refusal.
    let locked = soap_login(&app, &http, "alice", TEST_PASSWORD, None)
        .await
        .expect_fault();
    let wrong = soap_login(&app, &http, "alice", WRONG, None)
        .await
        .expect_fault();
    assert_eq!(locked.text, wrong.text);
    assert_soap_refused(&soap12_login(&app, "alice", TEST_PASSWORD).await, "1.2");
    assert_login_refused(&rest_login_attempt(&app, &http, "alice", TEST_PASSWORD, None).await);

    // The lock lifts after its fifteen minutes, for both.
    app.clock.advance(chrono::Duration::minutes(15));
    rest_login(&app, "alice").await;
    assert_eq!(
        soap_login(&app, &http, "alice", TEST_PASSWORD, None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_forged_forwarded_for_headers_do_not_escape_the_throttle() {
    let app = spawn_app_with(|s| {
        s.login_throttle_per_minute = 4;
        s.login_throttle_burst = 4;
    })
    .await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let http = app.http.clone();
    // Each attempt claims another client; none is believed, so all count for 127.0.0.1.
    for i in 0..2 {
        let xff = format!("198.51.100.{i}");
        assert!(!is_throttled_fault(
            &soap_login(&app, &http, "alice", WRONG, Some(&xff)).await
        ));
        let reply = rest_login_attempt(&app, &http, "alice", WRONG, Some(&xff)).await;
        assert_eq!(reply.status, 401, "{}", reply.body);
    }
    for i in 10..14 {
        let xff = format!("198.51.100.{i}");
        let reply = soap_login(&app, &http, "alice", TEST_PASSWORD, Some(&xff)).await;
        assert!(is_throttled_fault(&reply), "SOAP as {xff}: {}", reply.body);
        rest_login_attempt(&app, &http, "alice", TEST_PASSWORD, Some(&xff))
            .await
            .assert_error(429, "RateLimitExceeded");
    }
    // A client with an address of its own is still served, on both protocols.
    let other = client_from("127.0.0.9".parse().unwrap());
    assert_eq!(
        soap_login(&app, &other, "alice", TEST_PASSWORD, None)
            .await
            .status,
        200
    );
    let reply = rest_login_attempt(&app, &other, "alice", TEST_PASSWORD, None).await;
    reply.ok();
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_one_allowance_for_both_protocols() {
    let app = spawn_app_with(|s| {
        s.login_throttle_per_minute = 4;
        s.login_throttle_burst = 4;
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let proxy = app.http.clone();
    let client_a = "198.51.100.7";
    // Client A spends its four attempts, half over each protocol, via the proxy; the chain
    // may carry a forged left-most hop, which does not count.
    for _ in 0..2 {
        let _ = soap_login(&app, &proxy, "alice", WRONG, Some(client_a)).await;
        let forged = format!("203.0.113.99, {client_a}");
        let reply = rest_login_attempt(&app, &proxy, "alice", WRONG, Some(&forged)).await;
        assert_eq!(reply.status, 401, "{}", reply.body);
    }
    let reply = soap_login(&app, &proxy, "alice", TEST_PASSWORD, Some(client_a)).await;
    assert!(is_throttled_fault(&reply), "A over SOAP: {}", reply.body);
    rest_login_attempt(&app, &proxy, "alice", TEST_PASSWORD, Some(client_a))
        .await
        .assert_error(429, "RateLimitExceeded");

    // Client B behind the same proxy is another client, on both protocols.
    let client_b = "198.51.100.8";
    assert_eq!(
        soap_login(&app, &proxy, "alice", TEST_PASSWORD, Some(client_b))
            .await
            .status,
        200
    );
    rest_login_attempt(&app, &proxy, "alice", TEST_PASSWORD, Some(client_b))
        .await
        .ok();

    // A peer that is not the trusted proxy is keyed on its own address, whatever it
    // claims: naming the fresh client C does not give it C's allowance.
    let untrusted = client_from("127.0.0.5".parse().unwrap());
    for _ in 0..4 {
        let _ = soap_login(&app, &untrusted, "alice", WRONG, Some("198.51.100.50")).await;
    }
    let reply = rest_login_attempt(
        &app,
        &untrusted,
        "alice",
        TEST_PASSWORD,
        Some("198.51.100.51"),
    )
    .await;
    reply.assert_error(429, "RateLimitExceeded");
    // While C itself, through the proxy, still has all of its own.
    rest_login_attempt(&app, &proxy, "alice", TEST_PASSWORD, Some("198.51.100.50"))
        .await
        .ok();
}

// ---- timing --------------------------------------------------------------------------------

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Times one login; asserts it was refused in the ordinary way.
async fn timed_refusal(app: &TestApp, rest: bool, login: &str) -> Duration {
    let started = Instant::now();
    if rest {
        let reply = rest_login_attempt(app, &app.http, login, WRONG, None).await;
        let took = started.elapsed();
        assert_login_refused(&reply);
        took
    } else {
        let reply = soap_login(app, &app.http, login, WRONG, None).await;
        let took = started.elapsed();
        assert_soap_refused(&reply, login);
        took
    }
}

/// `rounds` pairs of an unknown-user and a wrong-password login, one right after the other
/// (the order alternating each round): the medians of each, and the median of each pair's
/// ratio (unknown / wrong). The two of a pair meet the same load, so their ratio holds
/// still on a busy machine where the medians of the two series drift apart by chance.
async fn measure(app: &TestApp, rest: bool, rounds: usize) -> (Duration, Duration, f64) {
    let mut unknown = Vec::with_capacity(rounds);
    let mut wrong = Vec::with_capacity(rounds);
    let mut ratios = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let nobody = format!("nobody{i}");
        let (u, w) = if i % 2 == 0 {
            let u = timed_refusal(app, rest, &nobody).await;
            (u, timed_refusal(app, rest, "alice").await)
        } else {
            let w = timed_refusal(app, rest, "alice").await;
            (timed_refusal(app, rest, &nobody).await, w)
        };
        unknown.push(u);
        wrong.push(w);
        ratios.push(u.as_secs_f64() / w.as_secs_f64());
    }
    ratios.sort_unstable_by(f64::total_cmp);
    (median(unknown), median(wrong), ratios[rounds / 2])
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_take_the_same_time() {
    // The lockout would turn wrong passwords into locked-account refusals; keep them wrong.
    let app = spawn_app_with(|s| s.lockout_threshold = 100_000).await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    for rest in [false, true] {
        let protocol = if rest { "REST" } else { "SOAP" };
        // Warm-up: connections, caches, the blocking pool.
        measure(&app, rest, 3).await;
        let mut attempts = Vec::new();
        // A busy machine can spoil one measurement; a real difference spoils every one.
        // (Skipping the hash for unknown users makes the ratio about 0.05, far outside.)
        for _ in 0..3 {
            let (unknown, wrong, ratio) = measure(&app, rest, 31).await;
            let diff = (ratio - 1.0).abs();
            println!(
                "{protocol}: median unknown user {unknown:?}, wrong password {wrong:?}, \
                 median ratio of a pair {ratio:.3}"
            );
            attempts.push((unknown, wrong, diff));
            if diff < 0.10 {
                break;
            }
        }
        let (unknown, _, diff) = *attempts.last().unwrap();
        assert!(
            diff < 0.10,
            "{protocol}: an unknown user's refusal and a wrong password's differ by {:.1} % \
             (median of paired ratios); all (unknown, wrong, difference): {attempts:?}",
            diff * 100.0
        );
        // The refusals did cost a password verification (Argon2id takes milliseconds).
        assert!(
            unknown > Duration::from_millis(3),
            "{protocol}: unknown {unknown:?}"
        );
    }
    let user = app
        .core
        .store()
        .user_by_login("alice")
        .await
        .unwrap()
        .unwrap();
    assert!(
        user.failed_logins > 60,
        "the wrong passwords were counted as such"
    );
}
