//! The callbacks figure (issue 14, acceptance 6): the parcels benchmark's upload load on one
//! SQLite node, in interleaved rounds without and with an active `InBox` callback on the
//! receiving network, whose receiver (in this process) answers each POST after 200 ms; then
//! how long the delivery queue takes to drain once the load stops. Targets: the upload rate
//! with callbacks at least 0.9 times the rate without, and the queue drained within 5 s.
//!
//! The server process takes its settings from the environment, so run it as
//! `EDIGRID_CALLBACK_ALLOW_PRIVATE=true EDIGRID_CALLBACK_CONCURRENCY=1024 edigrid-bench callbacks`
//! (the receiver is on 127.0.0.1; 200 ms per answer needs many sends at once to keep up).

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use sqlx::Executor as _;

use crate::load::drive;
use crate::parcels::ParcelNode;

pub struct Settings {
    pub time: Duration,
    pub round: Duration,
    pub connections: usize,
    pub work: PathBuf,
}

/// How long the receiver takes to answer.
const ANSWER_AFTER: Duration = Duration::from_millis(200);

/// A receiver that answers every request `200` after [`ANSWER_AFTER`], counting them.
async fn receiver() -> anyhow::Result<(u16, Arc<AtomicU64>)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let port = listener.local_addr()?.port();
    let count = Arc::new(AtomicU64::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let count = counted.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_req| {
                    let count = count.clone();
                    async move {
                        tokio::time::sleep(ANSWER_AFTER).await;
                        count.fetch_add(1, Ordering::Relaxed);
                        Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(
                            b"ok",
                        ))))
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((port, count))
}

async fn waiting(pool: &sqlx::SqlitePool) -> anyhow::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM callback_deliveries WHERE status IN ('Pending', 'Sending')",
    )
    .fetch_one(pool)
    .await?;
    Ok(n)
}

pub async fn run(s: Settings) -> anyhow::Result<()> {
    anyhow::ensure!(
        std::env::var("EDIGRID_CALLBACK_ALLOW_PRIVATE").is_ok_and(|v| v == "true"),
        "set EDIGRID_CALLBACK_ALLOW_PRIVATE=true (and EDIGRID_CALLBACK_CONCURRENCY, e.g. 1024): \
         the server process reads its callback settings from the environment"
    );
    let concurrency = std::env::var("EDIGRID_CALLBACK_CONCURRENCY").unwrap_or_else(|_| "16".into());
    let (port, received) = receiver().await?;
    let url = format!("sqlite://{}", s.work.join("callbacks.db").display());
    let node = ParcelNode::start(&url, &s.work, s.connections, 0).await?;
    let pool = sqlx::SqlitePool::connect(&url).await?;
    let now = chrono::Utc::now().timestamp_millis();
    pool.execute(sqlx::AssertSqlSafe(format!(
        "INSERT INTO callback_registrations (scope_key, network_id, mailbox_id, ecgrid_id, event, \
         url, retries, secret, status, created_by, created_ms, modified_ms) VALUES ('n:100', 100, \
         0, 0, 'InBox', 'http://127.0.0.1:{port}/hook', 3, \
         'whsec_YmVuY2hiZW5jaGJlbmNoYmVuY2hiZW5jaA==', 'Suspended', 0, {now}, {now})"
    )))
    .await
    .context("registering the callback")?;
    println!(
        "edigrid-bench callbacks: {} connections, {}s per series in rounds of {:.1}s, \
         receiver answering after {} ms, callback_concurrency {concurrency}",
        s.connections,
        s.time.as_secs(),
        s.round.as_secs_f64(),
        ANSWER_AFTER.as_millis()
    );
    let rounds = (s.time.as_secs_f64() / s.round.as_secs_f64())
        .ceil()
        .max(1.0) as usize;
    let (mut plain, mut with) = ((0u64, Duration::ZERO), (0u64, Duration::ZERO));
    for _ in 0..rounds {
        for active in [false, true] {
            let status = if active { "Active" } else { "Suspended" };
            pool.execute(sqlx::AssertSqlSafe(format!(
                "UPDATE callback_registrations SET status = '{status}'"
            )))
            .await?;
            let stats = drive(node.server.addr, &node.upload, s.connections, s.round).await?;
            anyhow::ensure!(stats.errors == 0, "{} upload errors", stats.errors);
            let slot = if active { &mut with } else { &mut plain };
            slot.0 += stats.requests;
            slot.1 += stats.elapsed;
        }
    }
    // The load has stopped (the registration stays active): time the queue to empty.
    let stopped = Instant::now();
    let queued_at_stop = waiting(&pool).await?;
    while waiting(&pool).await? > 0 {
        anyhow::ensure!(
            stopped.elapsed() < Duration::from_secs(300),
            "the queue did not drain in 300 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained = stopped.elapsed().as_secs_f64();
    let (failed,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM callback_deliveries WHERE status <> 'Delivered'")
            .fetch_one(&pool)
            .await?;
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM callback_deliveries")
        .fetch_one(&pool)
        .await?;
    let rate = |(n, t): (u64, Duration)| n as f64 / t.as_secs_f64().max(f64::EPSILON);
    let (r0, r1) = (rate(plain), rate(with));
    let ratio = r1 / r0.max(f64::EPSILON);
    let mark = |ok: bool| if ok { "met " } else { "MISS" };
    println!("  uploads/s without callbacks: {r0:.0}");
    println!("  uploads/s with a callback:   {r1:.0}");
    println!(
        "  [{}] ratio {ratio:.3} (target >= 0.9)",
        mark(ratio >= 0.9)
    );
    println!(
        "  [{}] queue drained {drained:.2}s after the load stopped ({queued_at_stop} waiting then; target <= 5s)",
        mark(drained <= 5.0)
    );
    println!(
        "  deliveries: {total} queued, {} received, {failed} not delivered",
        received.load(Ordering::Relaxed)
    );
    Ok(())
}
