//! A closed-loop load generator: each connection is an HTTP/1.1 keep-alive connection that
//! sends its next request as soon as the last answer arrived, for a fixed time. Latencies go
//! into an HDR histogram (microseconds).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

pub const PATH: &str = "/v4.1/prod/ECGridOS.asmx";
const NS: &str = "http://www.ecgridos.net/";
pub const LOGIN: &str = "bench";
pub const PASSWORD: &str = "Bench#Pass1";

pub struct Stats {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub latency_us: Histogram<u64>,
}

impl Stats {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn p50_ms(&self) -> f64 {
        self.latency_us.value_at_quantile(0.50) as f64 / 1000.0
    }

    pub fn p99_ms(&self) -> f64 {
        self.latency_us.value_at_quantile(0.99) as f64 / 1000.0
    }

    /// Nothing measured yet: the start of a sum over rounds.
    pub fn empty() -> anyhow::Result<Self> {
        Ok(Stats {
            requests: 0,
            errors: 0,
            elapsed: Duration::ZERO,
            latency_us: Histogram::new_with_bounds(1, 60_000_000, 3)?,
        })
    }

    /// Adds another measurement of the same thing (one more round).
    pub fn merge(&mut self, other: &Stats) -> anyhow::Result<()> {
        self.requests += other.requests;
        self.errors += other.errors;
        self.elapsed += other.elapsed;
        self.latency_us.add(&other.latency_us)?;
        Ok(())
    }
}

fn envelope(op: &str, params: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><{op} xmlns="{NS}">{params}</{op}></soap:Body></soap:Envelope>"#
    )
    .into_bytes()
}

pub fn version_request() -> Vec<u8> {
    envelope("Version", "")
}

pub fn session_info_request(session_id: &str) -> Vec<u8> {
    envelope(
        "SessionInfo",
        &format!("<SessionID>{session_id}</SessionID>"),
    )
}

pub fn login_request(login: &str) -> Vec<u8> {
    envelope(
        "Login",
        &format!("<UserName>{login}</UserName><Password>{PASSWORD}</Password>"),
    )
}

type Sender = http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> anyhow::Result<Sender> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// Sends one SOAP request; returns the status and body.
async fn post(sender: &mut Sender, addr: SocketAddr, body: Bytes) -> anyhow::Result<(u16, Bytes)> {
    sender.ready().await?;
    let request = Request::post(PATH)
        .header("host", addr.to_string())
        .header("content-type", "text/xml; charset=utf-8")
        .body(Full::new(body))?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await?.to_bytes();
    Ok((status, bytes))
}

pub async fn fetch(addr: SocketAddr, body: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut sender = connect(addr).await?;
    let (status, bytes) = post(&mut sender, addr, Bytes::copy_from_slice(body)).await?;
    anyhow::ensure!(
        status == 200,
        "status {status}: {}",
        String::from_utf8_lossy(&bytes)
    );
    Ok(bytes.to_vec())
}

/// Logs in as the bench user and returns the SessionID.
pub async fn login(addr: SocketAddr) -> anyhow::Result<String> {
    let body = fetch(addr, &login_request(LOGIN)).await?;
    let text = String::from_utf8(body)?;
    let start = text
        .find("<LoginResult>")
        .ok_or_else(|| anyhow::anyhow!("no LoginResult: {text}"))?
        + 13;
    let end = text[start..]
        .find('<')
        .ok_or_else(|| anyhow::anyhow!("bad LoginResult"))?
        + start;
    Ok(text[start..end].to_string())
}

/// `connections` keep-alive connections sending `body` back to back for `time`.
pub async fn drive(
    addr: SocketAddr,
    body: &[u8],
    connections: usize,
    time: Duration,
) -> anyhow::Result<Stats> {
    let body = Bytes::copy_from_slice(body);
    let started = Instant::now();
    let deadline = started + time;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(addr).await?;
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let (mut requests, mut errors) = (0u64, 0u64);
            while Instant::now() < deadline {
                let t0 = Instant::now();
                match post(&mut sender, addr, body.clone()).await {
                    Ok((200, _)) => {}
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        sender = connect(addr).await?;
                    }
                }
                hist.saturating_record(t0.elapsed().as_micros() as u64);
                requests += 1;
            }
            anyhow::Ok((requests, errors, hist))
        }));
    }
    let mut total = Stats::empty()?;
    for task in tasks {
        let (requests, errors, hist) = task.await??;
        total.requests += requests;
        total.errors += errors;
        total.latency_us.add(hist)?;
    }
    total.elapsed = started.elapsed();
    Ok(total)
}

/// Floods `Login` (the right password, so every attempt costs a full Argon2id) from
/// `connections` connections for `time`.
pub fn flood_logins(
    addr: SocketAddr,
    connections: usize,
    time: Duration,
) -> tokio::task::JoinHandle<anyhow::Result<Stats>> {
    let body = login_request(crate::servers::FLOOD_LOGIN);
    tokio::spawn(async move { drive(addr, &body, connections, time).await })
}
