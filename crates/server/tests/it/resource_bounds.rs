//! Resource bounds (SPEC sections 9 and 10): a client that sends its headers or its body
//! too slowly is cut off by a timeout, a thousand idle connections do not stop others from
//! being served, and the body-size and nesting limits hold on SOAP and REST alike.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use edigrid_domain::AuthLevel;
use edigrid_testkit::{SOAP_PATH, TestApp, envelope11, spawn_app_with};
use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::rest_auth::{Auth, call, call_raw, rest_login};
use crate::tls::spawn_https_app;

const CT11: &str = "text/xml; charset=utf-8";

/// What the server did with a connection we kept feeding slowly.
#[derive(Debug)]
enum Ending {
    /// It closed the connection (or reset it) without a response.
    Closed,
    /// It answered with this status line and closed.
    Answered(String),
}

/// Reads until the server closes the connection, or panics after `limit`.
async fn wait_for_end(stream: &mut tokio::net::tcp::OwnedReadHalf, limit: Duration) -> Ending {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut chunk)).await {
            Err(_) => panic!(
                "the server kept the connection open for {limit:?}; read so far: {:?}",
                String::from_utf8_lossy(&buf)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    if buf.is_empty() {
        Ending::Closed
    } else {
        let text = String::from_utf8_lossy(&buf);
        Ending::Answered(text.lines().next().unwrap_or_default().to_string())
    }
}

/// Sends `head` at once, then `trickle` one byte every `every`, for as long as the server
/// reads; returns how the connection ended and after how long (from the first byte).
async fn feed_slowly(
    addr: SocketAddr,
    head: String,
    trickle: Vec<u8>,
    every: Duration,
    limit: Duration,
) -> (Ending, Duration) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let started = Instant::now();
    let writer = tokio::spawn(async move {
        if wr.write_all(head.as_bytes()).await.is_err() {
            return wr;
        }
        for byte in trickle {
            tokio::time::sleep(every).await;
            if wr.write_all(&[byte]).await.is_err() {
                break;
            }
        }
        // Never finished: keep the half open, as a slow client would.
        std::future::pending::<()>().await;
        wr
    });
    let ending = wait_for_end(&mut rd, limit).await;
    let took = started.elapsed();
    writer.abort();
    (ending, took)
}

async fn app_with_timeouts(header_secs: u64, request_secs: u64) -> TestApp {
    let app = spawn_app_with(|s| {
        s.header_read_timeout_secs = header_secs;
        s.request_timeout_secs = request_secs;
    })
    .await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    app
}

/// The server still answers promptly over SOAP and REST.
async fn assert_serves_promptly(app: &TestApp, within: Duration) {
    let started = Instant::now();
    let sid = tokio::time::timeout(within, app.login("alice"))
        .await
        .expect("a SOAP login in time");
    let info = tokio::time::timeout(within, app.soap("SessionInfo", &[("SessionID", &sid)]))
        .await
        .expect("a SOAP SessionInfo in time");
    assert_eq!(info.status, 200, "{}", info.body);
    let t = tokio::time::timeout(within, rest_login(app, "alice"))
        .await
        .expect("a REST login in time");
    let me = tokio::time::timeout(
        within,
        call(app, Method::GET, "/v2/users/me", Auth::Bearer(&t.token)),
    )
    .await
    .expect("a REST call in time");
    me.ok();
    assert!(
        started.elapsed() < within,
        "four calls took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn slow_headers_are_cut_by_the_header_timeout() {
    let app = app_with_timeouts(1, 30).await;
    for path in [SOAP_PATH, "/v2/auth/login"] {
        // Slowloris: the request line at once, then a header byte every 200 ms, for ever.
        let head = format!("POST {path} HTTP/1.1\r\nHost: {}\r\n", app.addr);
        let trickle = b"X-Slow: ".iter().copied().cycle().take(10_000).collect();
        let (ending, took) = feed_slowly(
            app.addr,
            head,
            trickle,
            Duration::from_millis(200),
            Duration::from_secs(10),
        )
        .await;
        assert!(
            took >= Duration::from_millis(900),
            "{path}: cut after {took:?}, before the timeout ({ending:?})"
        );
        assert!(
            took < Duration::from_secs(6),
            "{path}: the 1 s header timeout took {took:?}"
        );
        if let Ending::Answered(status) = &ending {
            assert!(
                !status.contains(" 200 "),
                "{path}: a half-sent request was answered {status}"
            );
        }
    }
    assert_serves_promptly(&app, Duration::from_secs(10)).await;
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_header_timeout() {
    let app = app_with_timeouts(1, 30).await;
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let started = Instant::now();
    let (mut rd, _wr) = stream.into_split();
    let ending = wait_for_end(&mut rd, Duration::from_secs(10)).await;
    let took = started.elapsed();
    assert!(
        (Duration::from_millis(900)..Duration::from_secs(6)).contains(&took),
        "closed after {took:?} ({ending:?})"
    );
    assert!(matches!(ending, Ending::Closed), "{ending:?}");
}

#[tokio::test]
async fn a_kept_alive_connection_left_idle_is_closed_after_the_header_timeout() {
    let app = app_with_timeouts(1, 30).await;
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let body = envelope11("Version", &[]);
    let request = format!(
        "POST {SOAP_PATH} HTTP/1.1\r\nHost: {}\r\nContent-Type: {CT11}\r\nContent-Length: {}\r\n\r\n{body}",
        app.addr,
        body.len()
    );
    wr.write_all(request.as_bytes()).await.unwrap();
    // Read the complete response (it carries a Content-Length), then stay silent.
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains("</soap:Envelope>") {
        let n = tokio::time::timeout(Duration::from_secs(10), rd.read(&mut chunk))
            .await
            .expect("a response")
            .unwrap();
        assert!(n > 0, "closed before answering");
        got.extend_from_slice(&chunk[..n]);
    }
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200"));
    let started = Instant::now();
    let ending = wait_for_end(&mut rd, Duration::from_secs(10)).await;
    let took = started.elapsed();
    assert!(matches!(ending, Ending::Closed), "{ending:?}");
    assert!(took < Duration::from_secs(6), "closed after {took:?}");
}

#[tokio::test]
async fn slow_bodies_are_cut_by_the_request_timeout() {
    let app = app_with_timeouts(30, 1).await;
    let soap = envelope11("Login", &[("UserName", "alice"), ("Password", "x")]);
    let rest = json!({"login": "alice", "password": "x"}).to_string();
    for (path, content_type, body) in [
        (SOAP_PATH, CT11, soap),
        ("/v2/auth/login", "application/json", rest),
    ] {
        // The head announces the whole body, which then comes one byte every 200 ms.
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\nSOAPAction: \"http://www.ecgridos.net/Login\"\r\nContent-Length: {}\r\n\r\n",
            app.addr,
            body.len()
        );
        let (ending, took) = feed_slowly(
            app.addr,
            head,
            body.into_bytes(),
            Duration::from_millis(200),
            Duration::from_secs(15),
        )
        .await;
        assert!(
            took < Duration::from_secs(8),
            "{path}: the 1 s request timeout took {took:?}"
        );
        assert!(
            took >= Duration::from_millis(900),
            "{path}: cut after {took:?}, before the timeout"
        );
        match &ending {
            Ending::Answered(status) => {
                assert!(status.contains(" 408"), "{path}: {status}")
            }
            Ending::Closed => {}
        }
    }
    assert_serves_promptly(&app, Duration::from_secs(10)).await;
}

/// 1,000 connections that say nothing or half a request, held open while a normal client
/// logs in and calls over both protocols; afterwards the header timeout reclaims them all.
#[tokio::test]
async fn a_thousand_idle_connections_do_not_stop_service_to_others() {
    const IDLE: usize = 1000;
    // Headers in 12 s, whole requests in 14 s: long enough to show service while all are
    // open (on a slow machine too), short enough to see each one reclaimed.
    let app = app_with_timeouts(12, 14).await;
    // Warm up (the first login pays for lazily built state).
    assert_serves_promptly(&app, Duration::from_secs(20)).await;

    let opened = Instant::now();
    let mut idle = Vec::with_capacity(IDLE);
    for i in 0..IDLE {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        match i % 3 {
            0 => {}
            1 => {
                let half = format!(
                    "POST {SOAP_PATH} HTTP/1.1\r\nHost: {}\r\nContent-",
                    app.addr
                );
                stream.write_all(half.as_bytes()).await.unwrap();
            }
            _ => {
                let half = format!(
                    "POST /v2/auth/login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"login\":",
                    app.addr
                );
                stream.write_all(half.as_bytes()).await.unwrap();
            }
        }
        idle.push(stream);
    }
    let took_to_open = opened.elapsed();
    println!("opened {IDLE} idle connections in {took_to_open:?}");

    // Served while they are all open (the header timeout is 12 s, so they still are).
    let started = Instant::now();
    assert_serves_promptly(&app, Duration::from_secs(5)).await;
    println!("served four calls in {:?}", started.elapsed());
    assert!(
        opened.elapsed() < Duration::from_secs(11),
        "too slow to open the connections ({took_to_open:?}); the test proves nothing"
    );
    assert!(
        idle.iter_mut().all(|s| s
            .try_read(&mut [0u8; 1])
            .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock)),
        "every idle connection was still open while the others were served"
    );

    // Then the server lets go of every one of them.
    let reclaimed = reclaimed_within(idle, Duration::from_secs(25)).await;
    assert_eq!(reclaimed, IDLE, "idle connections the server closed");
    assert_serves_promptly(&app, Duration::from_secs(5)).await;
}

/// Waits until the server has closed each stream (a read gives end of file, a reset, or
/// the 408 of a half-sent body); returns how many it closed before `limit`.
async fn reclaimed_within(streams: Vec<TcpStream>, limit: Duration) -> usize {
    let tasks: Vec<_> = streams
        .into_iter()
        .map(|mut s| {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                loop {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                }
            })
        })
        .collect();
    let deadline = tokio::time::Instant::now() + limit;
    let mut closed = 0;
    for task in tasks {
        if tokio::time::timeout_at(deadline, task).await.is_ok() {
            closed += 1;
        }
    }
    closed
}

fn nested_xml(depth: usize) -> String {
    let open: String = (0..depth).map(|_| "<x>").collect();
    let close: String = (0..depth).map(|_| "</x>").collect();
    format!(
        r#"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Version xmlns="http://www.ecgridos.net/">{open}{close}</Version></soap:Body></soap:Envelope>"#
    )
}

fn nested_json(depth: usize) -> String {
    format!(
        "{{\"login\":\"alice\",\"password\":{}{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// One place that shows both limits on both protocols with a small configured limit, the
/// server answering each with its protocol's error and staying up.
#[tokio::test]
async fn body_size_and_nesting_limits_hold_on_both_protocols() {
    let app = spawn_app_with(|s| s.max_body_bytes = 4096).await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let action = [("SOAPAction", "\"http://www.ecgridos.net/Version\"")];

    // SOAP: over the configured size is 413 with a fault.
    let mut big = envelope11("Version", &[]);
    big.insert_str(
        big.find("<soap:Body>").unwrap(),
        &format!("<!--{}-->", "p".repeat(5000)),
    );
    let reply = app.post(CT11, &action, big).await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert_eq!(reply.expect_fault().error_code, "8", "{}", reply.body);
    // SOAP: deeper than 64 is a fault, however deep (no stack exhaustion).
    for depth in [70, 500] {
        let reply = app.post(CT11, &action, nested_xml(depth)).await;
        assert_eq!(reply.status, 500, "depth {depth}: {}", reply.body);
        assert!(reply.fault().is_some(), "depth {depth}: {}", reply.body);
    }

    // REST: over the size is 413 with the envelope; nesting past what the parser allows
    // is a 400 InvalidParameter, not a crash.
    let reply = call_raw(
        &app,
        Method::POST,
        "/v2/auth/login",
        Auth::None,
        json!({"login": "alice", "password": "p".repeat(5000)}).to_string(),
    )
    .await;
    reply.assert_error(413, "InvalidParameter");
    for depth in [200, 2000] {
        let reply = call_raw(
            &app,
            Method::POST,
            "/v2/auth/login",
            Auth::None,
            nested_json(depth),
        )
        .await;
        reply.assert_error(400, "InvalidParameter");
    }

    // Still serving, both protocols.
    assert!(app.is_alive().await);
    let t = rest_login(&app, "alice").await;
    call(&app, Method::GET, "/v2/users/me", Auth::Bearer(&t.token))
        .await
        .ok();
}

/// Over TLS the same bound holds: a connection that never starts its handshake, or stops
/// half-way through it, is closed after the header timeout, and HTTPS keeps serving.
#[tokio::test]
async fn over_tls_a_stalled_handshake_is_cut_by_the_header_timeout() {
    let (app, cert_pem, _certificates) = spawn_https_app(|s| s.header_read_timeout_secs = 1).await;

    // Silent from the start.
    let silent = TcpStream::connect(app.addr).await.unwrap();
    let started = Instant::now();
    let (mut rd, _wr) = silent.into_split();
    let ending = wait_for_end(&mut rd, Duration::from_secs(10)).await;
    let took = started.elapsed();
    assert!(
        (Duration::from_millis(900)..Duration::from_secs(6)).contains(&took),
        "closed after {took:?} ({ending:?})"
    );
    // The first bytes of a ClientHello (a TLS record header announcing 512 bytes), then
    // nothing more.
    let (ending, took) = feed_slowly(
        app.addr,
        String::new(),
        vec![0x16, 0x03, 0x01, 0x02, 0x00, 0x01],
        Duration::from_millis(100),
        Duration::from_secs(10),
    )
    .await;
    assert!(
        (Duration::from_millis(900)..Duration::from_secs(6)).contains(&took),
        "closed after {took:?} ({ending:?})"
    );

    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let health = client
        .get(format!("https://{}/healthz", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}
