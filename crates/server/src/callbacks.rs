//! Callback delivery (SPEC-VAN 20): a worker off the request path claims due deliveries from
//! the queue the parcel store writes with each event, POSTs each one's JSON payload signed as
//! the Standard Webhooks specification says, and records the outcome. At most
//! `callback_concurrency` sends run at once, each bounded by `callback_timeout_ms`; redirects
//! are not followed; at most `callback_max_response_bytes` of an answer are read. A claim is
//! a lease: a node that dies mid-send leaves the delivery to be claimed again when it runs
//! out, so deliveries are at least once and survive restarts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use edigrid_core::Core;
use edigrid_core::callbacks::model::{Attempted, Claimed, Next};
use edigrid_core::callbacks::{backoff, check_url, is_public};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tokio::sync::Semaphore;

use crate::settings::Settings;

/// What the worker needs of the settings.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub allow_private: bool,
    pub concurrency: u32,
    pub timeout: Duration,
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    pub lease: Duration,
    pub poll: Duration,
    pub max_response_bytes: usize,
}

impl DeliverySettings {
    pub fn of(s: &Settings) -> Self {
        DeliverySettings {
            allow_private: s.callback_allow_private,
            concurrency: s.callback_concurrency.max(1),
            timeout: Duration::from_millis(s.callback_timeout_ms),
            retry_base_ms: s.callback_retry_base_ms,
            retry_max_ms: s.callback_retry_max_ms,
            lease: Duration::from_secs(s.callback_lease_secs),
            poll: Duration::from_millis(s.callback_poll_ms.max(10)),
            max_response_bytes: s.callback_max_response_bytes,
        }
    }
}

/// Resolves names and refuses those with a private, loopback or link-local address, so that
/// a public name pointing inside is refused where it is used, not only where it is
/// registered.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if found.is_empty() || found.iter().any(|a| !is_public(a.ip())) {
                return Err(format!(
                    "{} resolves to a private, loopback or link-local address",
                    name.as_str()
                )
                .into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client of every send: rustls, no redirects, no proxies from the environment (a
/// proxy would reach what the address check refuses), a timeout per send.
fn client(s: &DeliverySettings) -> reqwest::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(s.timeout)
        .user_agent(concat!("edigrid-callbacks/", env!("CARGO_PKG_VERSION")));
    if !s.allow_private {
        builder = builder.dns_resolver(PublicOnly);
    }
    builder.build()
}

/// Starts the worker; it runs until the task is aborted.
pub fn spawn(
    core: Core,
    settings: DeliverySettings,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let http = client(&settings)?;
    let settings = Arc::new(settings);
    let (done, outcomes) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(record(core.clone(), outcomes));
    Ok(tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(settings.concurrency as usize));
        loop {
            let free = slots.available_permits();
            if free == 0 {
                // Wait for one send to end before claiming more.
                if let Ok(p) = slots.clone().acquire_owned().await {
                    drop(p);
                }
                continue;
            }
            let now = core.now();
            let lease =
                chrono::Duration::from_std(settings.lease).unwrap_or(chrono::Duration::seconds(60));
            let claimed = match core
                .store()
                .claim_deliveries(now, now + lease, u32::try_from(free).unwrap_or(u32::MAX))
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming callback deliveries failed");
                    Vec::new()
                }
            };
            if claimed.is_empty() {
                tokio::time::sleep(settings.poll).await;
                continue;
            }
            for c in claimed {
                let Ok(permit) = slots.clone().acquire_owned().await else {
                    return;
                };
                let (core, http, settings) = (core.clone(), http.clone(), settings.clone());
                let done = done.clone();
                tokio::spawn(async move {
                    let attempted = send(&core, &http, &settings, &c).await;
                    drop(permit);
                    // The recorder is gone only when the worker is; the claim's lease then
                    // hands the delivery to the next worker.
                    let _ = done.send(attempted);
                });
            }
        }
    }))
}

/// Most outcomes recorded in one transaction.
const RECORD_BATCH: usize = 256;

/// Records the outcomes of sends in batches, one transaction each: under load the queue costs
/// the database a commit per batch rather than one per delivery.
async fn record(core: Core, mut outcomes: tokio::sync::mpsc::UnboundedReceiver<Attempted>) {
    let mut batch = Vec::with_capacity(RECORD_BATCH);
    while outcomes.recv_many(&mut batch, RECORD_BATCH).await > 0 {
        match core.store().record_attempts(&batch).await {
            Ok(recorded) => {
                for (a, ok) in batch.iter().zip(recorded) {
                    if !ok {
                        tracing::info!(delivery = a.id, "callback claim was taken over");
                    }
                }
            }
            Err(e) => {
                // Unrecorded sends stay claimed until their lease runs out, then go again.
                tracing::warn!(error = %e, count = batch.len(), "recording callback attempts failed");
            }
        }
        batch.clear();
    }
}

/// One attempt: the POST and what it says about the delivery.
async fn send(core: &Core, http: &reqwest::Client, s: &DeliverySettings, c: &Claimed) -> Attempted {
    let d = &c.delivery;
    let (http_status, error) = match post(http, s, c, core.now().timestamp()).await {
        Ok(status) => (status, String::new()),
        Err(e) => (0, e),
    };
    let at = core.now();
    let next = if (200..300).contains(&http_status) {
        Next::Delivered
    } else if d.calls_remaining > 1 {
        Next::RetryAt(at + backoff(s.retry_base_ms, d.attempts, s.retry_max_ms))
    } else {
        Next::Failed
    };
    tracing::debug!(
        delivery = d.id,
        http = http_status,
        ?next,
        "callback attempt"
    );
    metrics::counter!("edigrid_callback_attempts_total", "outcome" => if matches!(next, Next::Delivered) { "delivered" } else { "failed" }).increment(1);
    Attempted {
        id: d.id,
        attempt: d.attempts,
        at,
        http: i32::from(http_status),
        error,
        next,
    }
}

/// POSTs the payload; the HTTP status, or why no answer came.
async fn post(
    http: &reqwest::Client,
    s: &DeliverySettings,
    c: &Claimed,
    timestamp: i64,
) -> Result<u16, String> {
    let d = &c.delivery;
    check_url(&d.url, s.allow_private).map_err(|e| e.to_string())?;
    let body = serde_json::to_vec(&edigrid_rest::callback_payload(d)).map_err(|e| e.to_string())?;
    let id = format!("evt_{}", d.id);
    let signature = standardwebhooks::Webhook::new(&c.secret)
        .and_then(|w| w.sign(&id, timestamp, &body))
        .map_err(|e| format!("cannot sign: {e}"))?;
    let mut request = http
        .post(&d.url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body);
    if !c.auth_user.is_empty() {
        request = request.basic_auth(&c.auth_user, Some(&c.auth_password));
    }
    let mut response = request.send().await.map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    // The answer is read up to the bound and dropped: an endless body costs no more.
    let mut read = 0usize;
    while read < s.max_response_bytes {
        match response.chunk().await {
            Ok(Some(chunk)) => read += chunk.len(),
            Ok(None) => break,
            Err(e) => {
                tracing::debug!(delivery = d.id, error = %e, "callback answer cut");
                break;
            }
        }
    }
    Ok(status)
}

fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text.chars().take(500).collect()
}
