//! `edigrid-bench parcels`: the parcel figures of issue 13, each a ratio against a baseline
//! measured in the same run, in interleaved rounds.
//!
//! - (u) uploading and routing 4 KiB X12 parcels (deployed `ParcelUpload`, 64 connections,
//!   each parcel to another mailbox's ID) on SQLite (`synchronous=FULL`), against (s) one
//!   fsynced SQLite commit of a 4 KiB row at a time on the same disk: the group commit's
//!   gain;
//! - (r) the receiver's cycle: `ParcelInBox` (poll), then `ParcelDownload` and
//!   `ParcelDownloadConfirm` of each parcel listed, each connection working its own
//!   mailbox, against (k) the bare HTTP server answering the download's response bytes;
//! - the same two on a node holding 1,000,000 stored parcels against one holding 1,000, and
//!   the serial p99 of an inbox page there;
//! - (p) (u) on PostgreSQL against (u);
//! - resident memory while 16 clients upload 50 MiB each at once.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use hdrhistogram::Histogram;
use sqlx::Executor;

use crate::load::{self, Body, Stats};
use crate::servers::{self, Ceiling, Edigrid};

/// The deployed dialect's namespace.
const NS: &str = "https://os.ecgrid.io/";
/// The sender's mailbox (the bench user's) and its ID.
const SENDER_MAILBOX: i64 = 200;
const SENDER_ID: &str = "BENCHSENDER";
/// Receivers' mailboxes are numbered from here, one per connection of the cycle; their IDs
/// are `ZZ`:`BENCHRECV` + number, their users `recv` + number.
const FIRST_RECEIVER: i64 = 300;
/// Bytes of each uploaded parcel.
const PARCEL_BYTES: usize = 4096;
/// Distinct parcels the upload series sends (control numbers differ).
const UPLOAD_VARIANTS: usize = 1024;
/// Parcels waiting in each receiver's inbox before the cycle is measured.
const READY_PER_RECEIVER: u64 = 1500;
/// Mailbox holding the bulk of a large store (archived inbound parcels).
const ARCHIVE_MAILBOX: i64 = 299;

pub struct Settings {
    pub time: Duration,
    pub round: Duration,
    pub connections: usize,
    /// Parcels stored on the large node (the issue's figure is for 1,000,000).
    pub stored: u64,
    pub postgres: Option<String>,
    pub keep: bool,
    /// Size of each of the 16 concurrent uploads of the memory figure.
    pub big_upload_mib: usize,
}

/// An X12 interchange of exactly [`PARCEL_BYTES`] from the sender to receiver `to`, with
/// control number `control`: one 850 whose filler segments make up the size.
pub fn x12_parcel(to: i64, control: u64, bytes: usize) -> Vec<u8> {
    let isa = format!(
        "ISA*00*          *00*          *ZZ*{:<15}*ZZ*{:<15}*261201*1200*U*00401*{control:09}*0*P*>~",
        SENDER_ID,
        format!("BENCHRECV{to}")
    );
    let head = format!(
        "{isa}GS*PO*{SENDER_ID}*BENCHRECV{to}*20261201*1200*{control}*X*004010~ST*850*0001~BEG*00*SA*PO{control}**20261201~"
    );
    let tail_for = |segments: usize| {
        format!(
            "SE*{}*0001~GE*1*{control}~IEA*1*{control:09}~",
            segments + 3
        )
    };
    let mut out = head.into_bytes();
    let mut segments = 0usize;
    loop {
        let tail = tail_for(segments + 1);
        let room = bytes.saturating_sub(out.len() + tail.len());
        let filler = "MSG*";
        if room < filler.len() + 2 + 40 {
            // Last filler segment takes what is left (at least "MSG*x~").
            let n = room.saturating_sub(filler.len() + 1).max(1);
            out.extend_from_slice(filler.as_bytes());
            out.extend(std::iter::repeat_n(b'X', n));
            out.push(b'~');
            segments += 1;
            out.extend_from_slice(tail_for(segments).as_bytes());
            return out;
        }
        out.extend_from_slice(format!("{filler}{}~", "X".repeat(60.min(room - 6))).as_bytes());
        segments += 1;
    }
}

fn envelope(op: &str, params: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><{op} xmlns="{NS}">{params}</{op}></soap:Body></soap:Envelope>"#
    )
    .into_bytes()
}

fn upload_request(session: &str, content: &[u8], name: &str) -> Vec<u8> {
    envelope(
        "ParcelUpload",
        &format!(
            "<SessionID>{session}</SessionID><FileName>{name}</FileName><Bytes>{}</Bytes><Content>{}</Content>",
            content.len(),
            BASE64.encode(content)
        ),
    )
}

fn inbox_request(session: &str) -> Vec<u8> {
    envelope("ParcelInBox", &format!("<SessionID>{session}</SessionID>"))
}

fn parcel_request(op: &str, session: &str, parcel: i64) -> Vec<u8> {
    envelope(
        op,
        &format!("<SessionID>{session}</SessionID><ParcelID>{parcel}</ParcelID>"),
    )
}

/// Every `<ParcelID>` number in a SOAP answer, in order.
fn parcel_ids(xml: &[u8]) -> Vec<i64> {
    let text = String::from_utf8_lossy(xml);
    let mut ids = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find("<ParcelID>") {
        rest = &rest[start + 10..];
        if let Some(end) = rest.find('<')
            && let Ok(id) = rest[..end].parse()
        {
            ids.push(id);
        }
    }
    ids
}

/// The directory and stored parcels of one node: network 100 with the sender's mailbox
/// 200 (`ZZ`:`BENCHSENDER`), one receiver mailbox per cycle connection with its ID and user,
/// [`READY_PER_RECEIVER`] ready parcels in each, and the rest of `stored` as archived
/// parcels of mailbox 299.
async fn prepare(database: &str, receivers: usize, stored: u64) -> anyhow::Result<()> {
    let postgres = database.starts_with("postgres");
    let now = chrono::Utc::now().timestamp_millis();
    let numbers = |count: u64, select: &str| {
        let rows = if postgres {
            format!("{select} FROM generate_series(0, {count} - 1) AS g (i)")
        } else {
            format!(
                "WITH RECURSIVE g (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i + 1 < {count}) {select} FROM g"
            )
        };
        if postgres {
            rows
        } else {
            format!("SELECT * FROM ({rows})")
        }
    };
    let r = receivers as u64;
    let ready = READY_PER_RECEIVER * r;
    let archived = stored.saturating_sub(ready);
    let content = x12_parcel(FIRST_RECEIVER, 1, PARCEL_BYTES);
    let blob = |bytes: &[u8]| {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        if postgres {
            format!("'\\x{hex}'::bytea")
        } else {
            format!("X'{hex}'")
        }
    };
    let digest = {
        use sha2::Digest;
        sha2::Sha256::digest(&content)
    };
    let (content_sql, sha_sql) = (blob(&content), blob(&digest));
    let parcel_columns = "(id, direction, network_id, mailbox_id, peer_network_id, peer_mailbox_id, \
         ecgrid_from, ecgrid_to, file_name, bytes, declared_bytes, sha256, standard, state, valid, \
         created_ms, state_changed_ms, archived_ms, interchange_count)";
    // Parcel numbers of the preload: ready ones first (0 .. ready), then archived ones.
    let first_id = 10_000_000i64;
    // PostgreSQL's identity columns take given numbers only when told so.
    let overriding = if postgres {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let statements = vec![
        numbers(
            r,
            &format!("SELECT {FIRST_RECEIVER} + i, 100, 'Receiver ' || i, 'Active', {now}, {now}"),
        ),
        numbers(
            r,
            &format!(
                "SELECT 100, {FIRST_RECEIVER} + i, 'ZZ', 'BENCHRECV' || ({FIRST_RECEIVER} + i), 'ZZ', \
                 'BENCHRECV' || ({FIRST_RECEIVER} + i), 'Receiver', 'Active', 'ProductionA', {now}, {now}"
            ),
        ),
        numbers(
            r,
            &format!(
                "SELECT 'recv' || i, 'recv' || i, (SELECT password_hash FROM users WHERE login_key = 'bench'), \
                 100, {FIRST_RECEIVER} + i, 'MailboxUser', 'Active', {now}"
            ),
        ),
        numbers(
            ready,
            &format!(
                "SELECT {first_id} + i, 'InBox', 100, {FIRST_RECEIVER} + i % {r}, 100, {SENDER_MAILBOX}, \
                 0, 0, 'ready.edi', {PARCEL_BYTES}, {PARCEL_BYTES}, {sha_sql}, 'X12', 'InBoxReady', 'Valid', \
                 {now} - {ready} + i, {now}, NULL, 1"
            ),
        ),
        numbers(ready, &format!("SELECT {first_id} + i, {content_sql}")),
        numbers(
            archived,
            &format!(
                "SELECT {first_id} + {ready} + i, 'InBox', 100, {ARCHIVE_MAILBOX}, 100, {SENDER_MAILBOX}, \
                 0, 0, 'archived.edi', {PARCEL_BYTES}, {PARCEL_BYTES}, {sha_sql}, 'X12', 'InBoxArchived', \
                 'Valid', {now} - {archived} + i, {now}, {now}, 1"
            ),
        ),
    ];
    let targets = [
        "INSERT INTO mailboxes (id, network_id, name, status, created_ms, modified_ms)".to_string(),
        "INSERT INTO partners (network_id, mailbox_id, qualifier, id, qualifier_key, id_key, \
         description, status, routing_group, created_ms, modified_ms)"
            .to_string(),
        "INSERT INTO users (login, login_key, password_hash, network_id, mailbox_id, auth_level, \
         status, created_ms)"
            .to_string(),
        format!("INSERT INTO parcels {parcel_columns}{overriding}"),
        "INSERT INTO parcel_content (parcel_id, content)".to_string(),
        format!("INSERT INTO parcels {parcel_columns}{overriding}"),
    ];
    let mut all: Vec<String> = vec![
        format!(
            "INSERT INTO mailboxes (id, network_id, name, status, created_ms, modified_ms) \
             VALUES ({ARCHIVE_MAILBOX}, 100, 'Archive', 'Active', {now}, {now})"
        ),
        format!(
            "INSERT INTO partners (network_id, mailbox_id, qualifier, id, qualifier_key, id_key, \
             description, status, routing_group, created_ms, modified_ms) VALUES (100, {SENDER_MAILBOX}, \
             'ZZ', '{SENDER_ID}', 'ZZ', '{SENDER_ID}', 'Sender', 'Active', 'ProductionA', {now}, {now})"
        ),
    ];
    all.extend(
        targets
            .iter()
            .zip(statements)
            .map(|(into, rows)| format!("{into} {rows}")),
    );
    if postgres {
        let pool = sqlx::PgPool::connect(database).await?;
        let mut tx = pool.begin().await?;
        for s in all {
            tx.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone())))
                .await
                .with_context(|| s.chars().take(200).collect::<String>())?;
        }
        tx.commit().await?;
        // Sequences must not hand out the preloaded numbers.
        pool.execute(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('parcels', 'id'), {})",
            first_id + (ready + archived) as i64 + 1
        )))
        .await?;
        pool.execute("ANALYZE").await?;
    } else {
        let pool = sqlx::SqlitePool::connect(database).await?;
        let mut tx = pool.begin().await?;
        for s in all {
            tx.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone())))
                .await
                .with_context(|| s.chars().take(200).collect::<String>())?;
        }
        tx.commit().await?;
        pool.execute("ANALYZE").await?;
        pool.close().await;
    }
    Ok(())
}

/// One series' measurement, however its load is made.
pub trait Measure: Send + Sync {
    fn measure(
        &self,
        time: Duration,
    ) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<Stats>> + Send + '_>>;
}

/// (s): one fsynced SQLite commit per 4 KiB row, one after another, on the work directory's
/// disk, with the store's settings (WAL, `synchronous=FULL`).
pub struct FsyncBaseline {
    pool: sqlx::SqlitePool,
}

impl FsyncBaseline {
    pub async fn open(work: &Path) -> anyhow::Result<Self> {
        use std::str::FromStr;
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&format!(
            "sqlite://{}",
            work.join("fsync-baseline.db").display()
        ))?
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        pool.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            .await?;
        Ok(FsyncBaseline { pool })
    }
}

impl Measure for FsyncBaseline {
    fn measure(
        &self,
        time: Duration,
    ) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<Stats>> + Send + '_>> {
        Box::pin(async move {
            let body = vec![b'X'; PARCEL_BYTES];
            let mut stats = Stats::empty()?;
            let started = Instant::now();
            while started.elapsed() < time {
                let t0 = Instant::now();
                sqlx::query("INSERT INTO t (body) VALUES (?)")
                    .bind(&body)
                    .execute(&self.pool)
                    .await?;
                stats
                    .latency_us
                    .saturating_record(t0.elapsed().as_micros() as u64);
                stats.requests += 1;
            }
            stats.elapsed = started.elapsed();
            Ok(stats)
        })
    }
}

/// (r): each connection, as its receiver, polls `ParcelInBox` and downloads and confirms
/// every parcel listed, then polls again. One parcel downloaded and confirmed counts as one;
/// its latency is the download's plus the confirm's. An inbox found empty counts an error
/// (the preload was too small for the measurement, and the figure is not valid).
pub struct Cycle {
    addr: SocketAddr,
    sessions: Vec<String>,
}

impl Measure for Cycle {
    fn measure(
        &self,
        time: Duration,
    ) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<Stats>> + Send + '_>> {
        Box::pin(async move {
            let started = Instant::now();
            let deadline = started + time;
            let mut tasks = Vec::new();
            for session in self.sessions.clone() {
                let addr = self.addr;
                tasks.push(tokio::spawn(async move {
                    let mut sender = load::connect(addr).await?;
                    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
                    let (mut parcels, mut errors) = (0u64, 0u64);
                    'polls: while Instant::now() < deadline {
                        let (status, listed) =
                            load::post(&mut sender, addr, Bytes::from(inbox_request(&session)))
                                .await?;
                        let ids = parcel_ids(&listed);
                        if status != 200 || ids.is_empty() {
                            errors += 1;
                            break;
                        }
                        for id in ids {
                            if Instant::now() >= deadline {
                                break 'polls;
                            }
                            let t0 = Instant::now();
                            for op in ["ParcelDownload", "ParcelDownloadConfirm"] {
                                let body = Bytes::from(parcel_request(op, &session, id));
                                let (status, _) = load::post(&mut sender, addr, body).await?;
                                if status != 200 {
                                    errors += 1;
                                }
                            }
                            hist.saturating_record(t0.elapsed().as_micros() as u64);
                            parcels += 1;
                        }
                    }
                    anyhow::Ok((parcels, errors, hist))
                }));
            }
            let mut total = Stats::empty()?;
            for task in tasks {
                let (parcels, errors, hist) = task.await??;
                total.requests += parcels;
                total.errors += errors;
                total.latency_us.add(hist)?;
            }
            total.elapsed = started.elapsed();
            Ok(total)
        })
    }
}

/// A node prepared for the parcel figures, with its sessions.
pub struct ParcelNode {
    pub server: Edigrid,
    /// The sender's uploads: 4 KiB parcels spread over the receivers.
    pub upload: Body,
    pub cycle: Arc<Cycle>,
    /// The first receiver's inbox poll.
    pub inbox: Body,
    /// One download answer, for the ceiling.
    pub download_response: Vec<u8>,
}

impl ParcelNode {
    pub async fn start(
        database: &str,
        work: &Path,
        receivers: usize,
        stored: u64,
    ) -> anyhow::Result<Self> {
        let started = Instant::now();
        let server = Edigrid::start_prepared(database, work, async |db: &str| {
            prepare(db, receivers, stored).await
        })
        .await?;
        eprintln!(
            "prepared {} with {} stored parcels in {:.1}s",
            database.split(':').next().unwrap_or_default(),
            stored.max(READY_PER_RECEIVER * receivers as u64),
            started.elapsed().as_secs_f64()
        );
        let addr = server.addr;
        let sender = load::login(addr).await?;
        let variants: Vec<Bytes> = (0..UPLOAD_VARIANTS)
            .map(|i| {
                let to = FIRST_RECEIVER + (i % receivers) as i64;
                let content = x12_parcel(to, i as u64 + 1, PARCEL_BYTES);
                Bytes::from(upload_request(&sender, &content, "bench.edi"))
            })
            .collect();
        // Before measuring: an upload is answered with a ParcelID and delivered.
        let answer = load::fetch(addr, &variants[0]).await?;
        let text = String::from_utf8_lossy(&answer);
        anyhow::ensure!(
            text.contains("<ParcelUploadResult>"),
            "ParcelUpload failed: {text}"
        );
        let mut sessions = Vec::with_capacity(receivers);
        for i in 0..receivers {
            sessions.push(load::login_as(addr, &format!("recv{i}")).await?);
        }
        let listed = load::fetch(addr, &inbox_request(&sessions[0])).await?;
        let first = *parcel_ids(&listed).first().with_context(|| {
            format!(
                "no parcel in the receiver's inbox: {}",
                String::from_utf8_lossy(&listed)
            )
        })?;
        let download_response = load::fetch(
            addr,
            &parcel_request("ParcelDownloadNoUpdate", &sessions[0], first),
        )
        .await?;
        anyhow::ensure!(
            download_response.len() > PARCEL_BYTES,
            "the download answer is too short: {}",
            String::from_utf8_lossy(&download_response)
        );
        Ok(ParcelNode {
            upload: Body::choices(variants),
            inbox: Body::fixed(&inbox_request(&sessions[0])),
            cycle: Arc::new(Cycle { addr, sessions }),
            download_response,
            server,
        })
    }
}

/// Resident memory (peak) of a fresh SQLite node while `clients` upload `mib` MiB each at
/// once; a client answered `503` waits the `Retry-After` it was given and tries again.
/// Returns the peak resident memory in MiB and the number of 503 answers.
pub async fn upload_memory(work: &Path, clients: usize, mib: usize) -> anyhow::Result<(f64, u64)> {
    let url = format!("sqlite://{}", work.join("bench-memory.db").display());
    let server =
        Edigrid::start_prepared(&url, work, async |db: &str| prepare(db, 1, 0).await).await?;
    let addr = server.addr;
    let session = load::login(addr).await?;
    let content = x12_parcel(FIRST_RECEIVER, 7, mib << 20);
    let body = Bytes::from(upload_request(&session, &content, "big.edi"));
    drop(content);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let mut refused = 0u64;
            loop {
                let mut sender = load::connect(addr).await?;
                let (status, answer) =
                    load::post_action(&mut sender, addr, body.clone(), Some("ParcelUpload"))
                        .await?;
                match status {
                    200 => return anyhow::Ok(refused),
                    503 => {
                        refused += 1;
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                    _ => anyhow::bail!(
                        "upload answered {status}: {}",
                        String::from_utf8_lossy(&answer[..answer.len().min(400)])
                    ),
                }
            }
        }));
    }
    let mut refused = 0;
    for task in tasks {
        refused += task.await??;
    }
    let memory = server.memory();
    Ok((memory.peak_kib as f64 / 1024.0, refused))
}

/// Starts the ceiling server answering `response`.
pub async fn ceiling(work: &Path, response: &[u8]) -> anyhow::Result<Ceiling> {
    Ceiling::start(work, response).await
}

/// The PostgreSQL URL for a fresh schema, as the session bench makes them.
pub async fn postgres_schema(base: &str) -> anyhow::Result<String> {
    servers::fresh_schema(base).await
}
