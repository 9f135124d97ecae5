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
/// The deployed dialect's namespace (its WSDL's), served at the same path.
const DEPLOYED_NS: &str = "https://os.ecgrid.io/";
pub const LOGIN: &str = "bench";
pub const PASSWORD: &str = "Bench#Pass1";
/// Stored trading-partner IDs are `ZZ`:`BENCH` followed by their number in 9 digits.
pub const PARTNER_QUALIFIER: &str = "ZZ";
pub const PARTNER_ID_PREFIX: &str = "BENCH";
pub const PARTNER_ID_DIGITS: usize = 9;

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

/// What a series sends: the same bytes on every request, or bytes whose digits at one place
/// are replaced on every request by a number drawn at random below `count` (so that a search
/// looks up a different stored ID each time, over the whole index).
#[derive(Clone)]
pub struct Body {
    bytes: Bytes,
    varying: Option<Varying>,
    /// Whole bodies drawn at random on every request instead (empty: none).
    choices: std::sync::Arc<Vec<Bytes>>,
}

#[derive(Clone, Copy)]
struct Varying {
    offset: usize,
    width: usize,
    count: u64,
}

impl Body {
    pub fn fixed(bytes: &[u8]) -> Self {
        Body {
            bytes: Bytes::copy_from_slice(bytes),
            varying: None,
            choices: Default::default(),
        }
    }

    /// One of `bodies`, drawn at random on every request (the first is [`Body::bytes`]).
    pub fn choices(bodies: Vec<Bytes>) -> Self {
        Body {
            bytes: bodies.first().cloned().unwrap_or_default(),
            varying: None,
            choices: std::sync::Arc::new(bodies),
        }
    }

    /// The bytes as prepared (a varying body's with its digits all zero).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The next request's bytes; `rng` is the connection's generator.
    fn next(&self, rng: &mut u64) -> Bytes {
        if !self.choices.is_empty() {
            let i = (random(rng) % self.choices.len() as u64) as usize;
            return self.choices[i].clone();
        }
        let Some(v) = self.varying else {
            return self.bytes.clone();
        };
        let mut buf = self.bytes.to_vec();
        write_digits(
            &mut buf[v.offset..v.offset + v.width],
            random(rng) % v.count,
        );
        Bytes::from(buf)
    }
}

/// xorshift64*: cheap next to a request, and good enough to spread lookups over an index.
fn random(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// Writes `n` in decimal into `out`, zero-padded to its length.
fn write_digits(out: &mut [u8], mut n: u64) {
    for d in out.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// The stored trading-partner ID number `i`.
pub fn partner_id(i: u64) -> String {
    format!("{PARTNER_ID_PREFIX}{i:0width$}", width = PARTNER_ID_DIGITS)
}

fn envelope(op: &str, params: &str) -> Vec<u8> {
    envelope_in(NS, op, params)
}

fn envelope_in(ns: &str, op: &str, params: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><{op} xmlns="{ns}">{params}</{op}></soap:Body></soap:Envelope>"#
    )
    .into_bytes()
}

/// Deployed-dialect `TPSearch` for the stored ID number `i`, active IDs only.
pub fn tp_search_request(session_id: &str, i: u64) -> Vec<u8> {
    envelope_in(
        DEPLOYED_NS,
        "TPSearch",
        &format!(
            "<SessionID>{session_id}</SessionID><Qualifier>{PARTNER_QUALIFIER}</Qualifier>\
             <ID>{}</ID><ShowInactive>false</ShowInactive>",
            partner_id(i)
        ),
    )
}

/// `TPSearch` for a stored ID drawn at random below `count` on every request.
pub fn tp_search_random(session_id: &str, count: u64) -> anyhow::Result<Body> {
    let bytes = tp_search_request(session_id, 0);
    let marker = format!("<ID>{PARTNER_ID_PREFIX}");
    let offset = String::from_utf8_lossy(&bytes)
        .find(&marker)
        .ok_or_else(|| anyhow::anyhow!("no ID in the TPSearch request"))?
        + marker.len();
    Ok(Body {
        bytes: Bytes::from(bytes),
        varying: Some(Varying {
            offset,
            width: PARTNER_ID_DIGITS,
            count: count.max(1),
        }),
        choices: Default::default(),
    })
}

/// Deployed-dialect `MailboxListEx` of a network, no name filter: its first 100 mailboxes.
pub fn mailbox_list_ex_request(session_id: &str, network: i32) -> Vec<u8> {
    envelope_in(
        DEPLOYED_NS,
        "MailboxListEx",
        &format!(
            "<SessionID>{session_id}</SessionID><NetworkID>{network}</NetworkID><Name></Name>"
        ),
    )
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

pub type Sender = http1::SendRequest<Full<Bytes>>;

pub async fn connect(addr: SocketAddr) -> anyhow::Result<Sender> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// Sends one SOAP request; returns the status and body.
pub async fn post(
    sender: &mut Sender,
    addr: SocketAddr,
    body: Bytes,
) -> anyhow::Result<(u16, Bytes)> {
    post_action(sender, addr, body, None).await
}

/// As [`post`], with a `SOAPAction` header (which upload operations need for their larger
/// body limit).
pub async fn post_action(
    sender: &mut Sender,
    addr: SocketAddr,
    body: Bytes,
    action: Option<&str>,
) -> anyhow::Result<(u16, Bytes)> {
    sender.ready().await?;
    let mut request = Request::post(PATH)
        .header("host", addr.to_string())
        .header("content-type", "text/xml; charset=utf-8");
    if let Some(action) = action {
        request = request.header("soapaction", format!("\"https://os.ecgrid.io/{action}\""));
    }
    let request = request.body(Full::new(body))?;
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
    login_as(addr, LOGIN).await
}

/// Logs in as `user` (whose password is [`PASSWORD`]) and returns the SessionID.
pub async fn login_as(addr: SocketAddr, user: &str) -> anyhow::Result<String> {
    let body = fetch(addr, &login_request(user)).await?;
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
    body: &Body,
    connections: usize,
    time: Duration,
) -> anyhow::Result<Stats> {
    let started = Instant::now();
    let deadline = started + time;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut tasks = Vec::new();
    for k in 0..connections {
        let body = body.clone();
        // Never zero, different for every connection.
        let mut rng = (seed ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1;
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(addr).await?;
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let (mut requests, mut errors) = (0u64, 0u64);
            while Instant::now() < deadline {
                let request = body.next(&mut rng);
                let t0 = Instant::now();
                match post(&mut sender, addr, request).await {
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
    let body = Body::fixed(&login_request(crate::servers::FLOOD_LOGIN));
    tokio::spawn(async move { drive(addr, &body, connections, time).await })
}
