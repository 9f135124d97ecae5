//! `/healthz`, `/readyz` and `/metrics`.

use edigrid_domain::AuthLevel;
use edigrid_testkit::spawn_app;

async fn get(app: &edigrid_testkit::TestApp, path: &str) -> (u16, String) {
    let r = app
        .http
        .get(format!("{}{path}", app.base_url()))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The value of the first sample line that starts with `prefix`.
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn health_and_readiness_answer_and_readiness_follows_the_database() {
    let app = spawn_app().await;
    assert_eq!(get(&app, "/healthz").await, (200, "ok".to_string()));
    assert_eq!(get(&app, "/readyz").await, (200, "ready".to_string()));
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.database_path().display()))
        .await
        .unwrap();
    sqlx::query("DROP TABLE api_keys")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DROP TABLE users")
        .execute(&pool)
        .await
        .unwrap();
    let (status, body) = get(&app, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(!body.contains("users"), "no internals: {body}");
    assert_eq!(
        get(&app, "/healthz").await.0,
        200,
        "the process still answers"
    );
}

#[tokio::test]
async fn metrics_count_calls_by_operation_and_outcome_with_latency_and_logins() {
    let app = spawn_app().await;
    app.add_user("metered", AuthLevel::MailboxUser, 100, 200)
        .await;
    let before = get(&app, "/metrics").await.1;
    let ok_before = sample(
        &before,
        r#"edigrid_soap_calls_total{operation="SessionInfo",outcome="ok"}"#,
    )
    .unwrap_or(0.0);
    let sid = app.login("metered").await;
    for _ in 0..3 {
        app.soap("SessionInfo", &[("SessionID", &sid)]).await;
    }
    app.soap("SessionInfo", &[("SessionID", "not-a-session")])
        .await;
    app.soap(
        "Login",
        &[("UserName", "metered"), ("Password", "Wrong#Pass1")],
    )
    .await;
    app.soap("Frobnicate", &[]).await;
    let (status, text) = get(&app, "/metrics").await;
    assert_eq!(status, 200);
    let ok_after = sample(
        &text,
        r#"edigrid_soap_calls_total{operation="SessionInfo",outcome="ok"}"#,
    )
    .unwrap();
    assert!(ok_after - ok_before >= 3.0, "{text}");
    assert!(
        sample(
            &text,
            r#"edigrid_soap_calls_total{operation="SessionInfo",outcome="SessionTimeout"}"#
        )
        .unwrap()
            >= 1.0
    );
    assert!(
        sample(
            &text,
            r#"edigrid_soap_calls_total{operation="unknown",outcome="DataError"}"#
        )
        .unwrap()
            >= 1.0
    );
    assert!(
        !text.contains("Frobnicate"),
        "labels come from the operation table only"
    );
    assert!(
        text.contains(
            r#"edigrid_soap_call_duration_seconds_bucket{operation="SessionInfo",le="0.001"}"#
        ),
        "{text}"
    );
    assert!(sample(&text, r#"edigrid_logins_total{outcome="ok"}"#).unwrap() >= 1.0);
    assert!(sample(&text, r#"edigrid_logins_total{outcome="failed"}"#).unwrap() >= 1.0);
    assert_eq!(sample(&text, "edigrid_open_sessions ").unwrap(), 1.0);
    assert!(text.contains(r#"edigrid_http_requests_total{method="POST",route="/v4.1/prod/ECGridOS.asmx",status="200"}"#));
}

#[tokio::test]
async fn unusual_http_methods_share_one_label_so_clients_cannot_add_series() {
    let app = spawn_app().await;
    for method in ["FROBNICATE", "BREW", "PROPFIND"] {
        let reply = app
            .http
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}/healthz", app.base_url()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 405, "{method}");
    }
    let (_, text) = get(&app, "/metrics").await;
    for method in ["FROBNICATE", "BREW", "PROPFIND"] {
        assert!(!text.contains(method), "{method} became a label: {text}");
    }
    assert!(
        sample(
            &text,
            r#"edigrid_http_requests_total{method="other",route="/healthz",status="405"}"#
        )
        .is_some_and(|n| n >= 3.0),
        "{text}"
    );
}
