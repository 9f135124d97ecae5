//! The servers under test, each its own process: edigrid (release build, beside this
//! binary) on a prepared database, and the ceiling server.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Response;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use sqlx::Executor;

use crate::load::{LOGIN, PARTNER_ID_DIGITS, PARTNER_ID_PREFIX, PARTNER_QUALIFIER, PASSWORD};

/// The login used by the Login flood, so that it never evicts the measured session.
pub const FLOOD_LOGIN: &str = "flood";
/// `NetworkAdmin` of network 100, whose session searches IDs and lists mailboxes.
pub const NETWORK_ADMIN: &str = "netadmin";
/// `NetworkAdmin` of network 101, the small network (to compare list costs with).
pub const SMALL_NETWORK_ADMIN: &str = "netadmin-small";
/// The bench network, and the small one beside it.
pub const NETWORK: i32 = 100;
pub const SMALL_NETWORK: i32 = 101;
/// Mailboxes of the small network.
pub const SMALL_NETWORK_MAILBOXES: u32 = 1000;
/// Stored IDs are spread evenly over this many mailboxes of network 100 (100 each for a
/// million), as a VAN's customers each hold a few to a few hundred.
pub const PARTNER_MAILBOXES: u32 = 10_000;
/// Mailbox numbers of the preloaded mailboxes: network 100's from here up...
const FIRST_MAILBOX: i64 = 1000;
/// ... and the small network's from here (above any count `--mailboxes` takes).
const FIRST_SMALL_MAILBOX: i64 = 1_000_000_000;

/// The directory stored beside the sessions: `mailboxes` in network 100 beside mailbox 200,
/// `partners` active trading-partner IDs (`ZZ`:`BENCH000000000` and up) spread over the
/// first [`PARTNER_MAILBOXES`] of them, and network 101 with [`SMALL_NETWORK_MAILBOXES`].
#[derive(Clone, Copy)]
pub struct Directory {
    pub mailboxes: u32,
    pub partners: u64,
}

fn sibling(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name(name);
    anyhow::ensure!(
        path.exists(),
        "{} not found: build it with cargo build --release",
        path.display()
    );
    Ok(path)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn admin(edigrid: &Path, database: &str, args: &[&str], stdin: Option<&str>) -> anyhow::Result<()> {
    let mut child = Command::new(edigrid)
        .args(["--database", database])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .map(|mut s| s.write_all(input.as_bytes()))
            .transpose()?;
    }
    drop(child.stdin.take());
    let out = child.wait_with_output()?;
    anyhow::ensure!(
        out.status.success(),
        "edigrid {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

async fn wait_until_up(addr: SocketAddr) -> anyhow::Result<()> {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the server at {addr} did not come up")
}

pub struct Edigrid {
    pub addr: SocketAddr,
    child: Child,
}

impl Edigrid {
    /// Prepares `database` (directory, users, `sessions` stored sessions) and starts a node.
    pub async fn start(database: &str, work: &Path, sessions: u64) -> anyhow::Result<Self> {
        Self::launch(database, work, sessions, None, true).await
    }

    /// As [`Edigrid::start`], with a large directory stored too (see [`Directory`]).
    pub async fn start_with_directory(
        database: &str,
        work: &Path,
        sessions: u64,
        directory: Directory,
    ) -> anyhow::Result<Self> {
        Self::launch(database, work, sessions, Some(directory), true).await
    }

    /// As [`Edigrid::start`], with session call recording on or off.
    pub async fn start_recording(
        database: &str,
        work: &Path,
        sessions: u64,
        record_calls: bool,
    ) -> anyhow::Result<Self> {
        Self::launch(database, work, sessions, None, record_calls).await
    }

    /// A node with the bench network, mailbox 200 and its users, and whatever `prepare`
    /// stores into the database before the server starts.
    pub async fn start_prepared(
        database: &str,
        work: &Path,
        prepare: impl AsyncFnOnce(&str) -> anyhow::Result<()>,
    ) -> anyhow::Result<Self> {
        Self::setup(database, 1000, None).await?;
        prepare(database).await?;
        Self::serve(database, work, true).await
    }

    async fn launch(
        database: &str,
        work: &Path,
        sessions: u64,
        directory: Option<Directory>,
        record_calls: bool,
    ) -> anyhow::Result<Self> {
        Self::setup(database, sessions, directory).await?;
        Self::serve(database, work, record_calls).await
    }

    /// The bench network, mailbox, users, stored sessions and (optionally) directory.
    async fn setup(
        database: &str,
        sessions: u64,
        directory: Option<Directory>,
    ) -> anyhow::Result<()> {
        let edigrid = sibling("edigrid")?;
        admin(
            &edigrid,
            database,
            &["network", "add", "--id", "100", "--name", "Bench"],
            None,
        )?;
        admin(
            &edigrid,
            database,
            &[
                "mailbox",
                "add",
                "--network",
                "100",
                "--id",
                "200",
                "--name",
                "Bench",
            ],
            None,
        )?;
        for login in [LOGIN, FLOOD_LOGIN, "bulk"] {
            admin(
                &edigrid,
                database,
                &[
                    "user",
                    "add",
                    "--login",
                    login,
                    "--network",
                    "100",
                    "--mailbox",
                    "200",
                    "--auth-level",
                    "MailboxUser",
                    "--password-stdin",
                ],
                Some(&format!("{PASSWORD}\n")),
            )?;
        }
        // The session preload names the user `bulk` by its number, 3: these three users
        // come first.
        preload(database, sessions).await?;
        if let Some(directory) = directory {
            admin(
                &edigrid,
                database,
                &[
                    "network",
                    "add",
                    "--id",
                    &SMALL_NETWORK.to_string(),
                    "--name",
                    "Bench small",
                ],
                None,
            )?;
            let started = std::time::Instant::now();
            preload_directory(database, directory).await?;
            eprintln!(
                "preloaded {} mailboxes and {} IDs into {} in {:.1}s",
                directory.mailboxes,
                directory.partners,
                database.split(':').next().unwrap_or_default(),
                started.elapsed().as_secs_f64()
            );
            for (login, network, mailbox) in [
                (NETWORK_ADMIN, NETWORK, 200),
                (SMALL_NETWORK_ADMIN, SMALL_NETWORK, FIRST_SMALL_MAILBOX),
            ] {
                admin(
                    &edigrid,
                    database,
                    &[
                        "user",
                        "add",
                        "--login",
                        login,
                        "--network",
                        &network.to_string(),
                        "--mailbox",
                        &mailbox.to_string(),
                        "--auth-level",
                        "NetworkAdmin",
                        "--password-stdin",
                    ],
                    Some(&format!("{PASSWORD}\n")),
                )?;
            }
        }
        Ok(())
    }

    /// Starts the server on a prepared database.
    async fn serve(database: &str, work: &Path, record_calls: bool) -> anyhow::Result<Self> {
        let edigrid = sibling("edigrid")?;
        // A million preloaded rows leave hundreds of megabytes for the kernel to write back;
        // that is setup, not load, so it is done before the server starts.
        let synced = Command::new("sync").status();
        if !synced.is_ok_and(|s| s.success()) {
            eprintln!(
                "note: sync failed; the first measurement may include the preload's writeback"
            );
        }
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
        let child = Command::new(&edigrid)
            .args([
                "--database",
                database,
                "serve",
                "--listen",
                &addr.to_string(),
            ])
            .current_dir(work)
            .env("EDIGRID_LOGIN_THROTTLE_PER_MINUTE", "0")
            .env("EDIGRID_RECORD_SESSION_CALLS", record_calls.to_string())
            .env("EDIGRID_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        wait_until_up(addr).await?;
        Ok(Edigrid { addr, child })
    }

    /// The server's process ID (for a profiler to attach to).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the server process now and at its peak, from /proc.
    pub fn memory(&self) -> Memory {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        Memory {
            resident_kib: field("VmRSS:"),
            peak_kib: field("VmHWM:"),
        }
    }
}

pub struct Memory {
    pub resident_kib: u64,
    pub peak_kib: u64,
}

impl Drop for Edigrid {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Stores `count` open sessions of the user `bulk` straight into the database, in batches
/// of 1,000 rows, so the session index has the size a busy network would give it.
async fn preload(database: &str, count: u64) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    let batch = |from: u64, to: u64, postgres: bool| {
        let rows: Vec<String> = (from..to)
            .map(|i| {
                let hash = edigrid_domain::SecretHash::of(format!("bulk-{i}").as_bytes());
                let hex = hash.to_hex();
                let blob = if postgres {
                    format!("'\\x{hex}'::bytea")
                } else {
                    format!("X'{hex}'")
                };
                format!(
                    "({blob}, '{}', 3, 100, 200, {now}, {}, {}, 3600, {now}, '127.0.0.1', 'soap')",
                    hex[..8].to_uppercase(),
                    now + 3_600_000,
                    now + 28_800_000
                )
            })
            .collect();
        format!(
            "INSERT INTO sessions (hash, prefix, user_id, network_id, mailbox_id, created_ms, expires_ms, \
             max_expires_ms, idle_timeout_secs, last_used_ms, client_ip, protocol) VALUES {}",
            rows.join(",")
        )
    };
    let postgres = database.starts_with("postgres");
    let mut statements = Vec::new();
    let mut from = 0;
    while from < count {
        let to = (from + 1000).min(count);
        statements.push(batch(from, to, postgres));
        from = to;
    }
    if postgres {
        let pool = sqlx::PgPool::connect(database).await?;
        let mut tx = pool.begin().await?;
        for s in statements {
            tx.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(s))).await?;
        }
        tx.commit().await?;
        pool.execute("ANALYZE sessions").await?;
    } else {
        let pool = sqlx::SqlitePool::connect(database).await?;
        let mut tx = pool.begin().await?;
        for s in statements {
            tx.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(s))).await?;
        }
        tx.commit().await?;
        pool.execute("ANALYZE").await?;
        pool.close().await;
    }
    Ok(())
}

/// Stores [`Directory`]'s mailboxes and IDs with a few `INSERT ... SELECT` statements in one
/// transaction: the rows are generated by the database itself (a recursive CTE on SQLite,
/// `generate_series` on PostgreSQL), so nothing but the statements crosses the connection.
async fn preload_directory(database: &str, d: Directory) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    let postgres = database.starts_with("postgres");
    // Rows numbered 0 .. count - 1, as `i`.
    let numbers = |count: u64, select: &str| {
        if postgres {
            format!("{select} FROM generate_series(0, {count} - 1) AS g (i)")
        } else {
            format!(
                "WITH RECURSIVE g (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i + 1 < {count}) {select} FROM g"
            )
        }
    };
    let padded = |width: usize| {
        if postgres {
            format!("lpad(i::text, {width}, '0')")
        } else {
            format!("printf('%0{width}d', i)")
        }
    };
    let mailboxes = |network: i32, first: i64, count: u64| {
        let rows = numbers(
            count,
            &format!(
                "SELECT {first} + i, {network}, 'Mailbox ' || {}, 'Active', {now}, {now}",
                padded(9)
            ),
        );
        let rows = if postgres {
            rows
        } else {
            // SQLite takes the WITH before the INSERT's SELECT, not before INSERT ... SELECT.
            format!("SELECT * FROM ({rows})")
        };
        format!(
            "INSERT INTO mailboxes (id, network_id, name, status, created_ms, modified_ms) {rows}"
        )
    };
    let spread = u64::from(PARTNER_MAILBOXES.min(d.mailboxes).max(1));
    let id = format!("'{PARTNER_ID_PREFIX}' || {}", padded(PARTNER_ID_DIGITS));
    let q = PARTNER_QUALIFIER;
    let partners = numbers(
        d.partners,
        &format!(
            "SELECT {NETWORK}, {FIRST_MAILBOX} + i % {spread}, '{q}', {id}, '{q}', {id}, \
             'Partner ' || i, 'Active', 'ProductionA', {now}, {now}"
        ),
    );
    let partners = if postgres {
        partners
    } else {
        format!("SELECT * FROM ({partners})")
    };
    let statements = [
        mailboxes(NETWORK, FIRST_MAILBOX, u64::from(d.mailboxes)),
        mailboxes(
            SMALL_NETWORK,
            FIRST_SMALL_MAILBOX,
            u64::from(SMALL_NETWORK_MAILBOXES),
        ),
        format!(
            "INSERT INTO partners (network_id, mailbox_id, qualifier, id, qualifier_key, id_key, \
             description, status, routing_group, created_ms, modified_ms) {partners}"
        ),
    ];
    if postgres {
        let pool = sqlx::PgPool::connect(database).await?;
        let mut tx = pool.begin().await?;
        for s in statements {
            tx.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(s))).await?;
        }
        tx.commit().await?;
        pool.execute("ANALYZE mailboxes").await?;
        pool.execute("ANALYZE partners").await?;
    } else {
        let pool = sqlx::SqlitePool::connect(database).await?;
        let mut tx = pool.begin().await?;
        for s in statements {
            tx.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(s))).await?;
        }
        tx.commit().await?;
        pool.execute("ANALYZE").await?;
        pool.close().await;
    }
    Ok(())
}

/// A fresh schema on the PostgreSQL server `base`; returns a URL that uses it.
pub async fn fresh_schema(base: &str) -> anyhow::Result<String> {
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(base).await?;
    pool.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .await?;
    let sep = if base.contains('?') { '&' } else { '?' };
    Ok(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
}

pub async fn drop_schema(base: &str, url: &str) -> anyhow::Result<()> {
    let schema = url.rsplit("search_path%3D").next().unwrap_or_default();
    let pool = sqlx::PgPool::connect(base).await?;
    pool.execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .await?;
    Ok(())
}

pub struct Ceiling {
    pub addr: SocketAddr,
    child: Child,
}

impl Ceiling {
    /// Starts `edigrid-bench ceiling` answering `response` to every request.
    pub async fn start(work: &Path, response: &[u8]) -> anyhow::Result<Self> {
        let body = work.join("ceiling-response.xml");
        std::fs::write(&body, response)?;
        let mut child = Command::new(std::env::current_exe()?)
            .args(["ceiling", "--body", &body.display().to_string()])
            .stdout(Stdio::piped())
            .spawn()?;
        let mut line = String::new();
        BufReader::new(
            child
                .stdout
                .take()
                .ok_or_else(|| anyhow::anyhow!("no stdout"))?,
        )
        .read_line(&mut line)?;
        let addr: SocketAddr = line.trim().parse()?;
        wait_until_up(addr).await?;
        Ok(Ceiling { addr, child })
    }
}

impl Drop for Ceiling {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The ceiling: hyper's HTTP/1.1 server reading each request body and answering fixed
/// bytes. Nothing edigrid does is here, only what every request costs in the HTTP stack.
pub async fn serve_ceiling(body: PathBuf) -> anyhow::Result<()> {
    let response = Bytes::from(std::fs::read(body)?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let response = response.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let response = response.clone();
                async move {
                    let _ = request.into_body().collect().await;
                    Response::builder()
                        .header("content-type", "text/xml; charset=utf-8")
                        .body(Full::new(response))
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
