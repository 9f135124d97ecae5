//! `edigrid-bench run`: the SOAP `SessionInfo` hot path measured on (a) edigrid with SQLite,
//! (b) edigrid with PostgreSQL, (c) a bare hyper server answering the same response bytes
//! from memory (the ceiling of the HTTP stack on this machine), and (d) (a) while another
//! client floods `Login`. Every figure is reported as a ratio against (c) or (a) measured in
//! the same run, because absolute numbers on a shared machine mean little.

mod load;
mod servers;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::load::{Stats, drive, login, session_info_request};
use crate::servers::{Ceiling, Edigrid};

#[derive(Parser)]
#[command(
    name = "edigrid-bench",
    about = "Benchmark of edigrid's session hot path"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the servers and measure them all.
    Run {
        /// Seconds each measurement lasts.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Keep-alive connections of the concurrent measurements.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Sessions stored before measuring (up to 1,000,000).
        #[arg(long, default_value_t = 1000)]
        sessions: u64,
        /// PostgreSQL database for (b); default: EDIGRID_TEST_DATABASE_URL, else the local one.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Drive one running server with one request (for profiling): Version, or SessionInfo
    /// of a fresh login of the bench user.
    Drive {
        #[arg(long)]
        addr: std::net::SocketAddr,
        /// `version` or `session-info`.
        #[arg(long, default_value = "session-info")]
        operation: String,
        #[arg(long, default_value_t = 1)]
        connections: usize,
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
    /// Serve one fixed response to every request (the ceiling server, run as its own process).
    Ceiling {
        /// File holding the response body to serve.
        #[arg(long)]
        body: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Ceiling { body } => runtime.block_on(servers::serve_ceiling(body)),
        Command::Drive {
            addr,
            operation,
            connections,
            seconds,
        } => runtime.block_on(async {
            let body = match operation.as_str() {
                "version" => load::version_request(),
                _ => session_info_request(&login(addr).await?),
            };
            let s = drive(addr, &body, connections, Duration::from_secs(seconds)).await?;
            println!(
                "{operation}: {:.0} req/s, p50 {:.3} ms, p99 {:.3} ms, {} errors",
                s.rps(),
                s.p50_ms(),
                s.p99_ms(),
                s.errors
            );
            Ok(())
        }),
        Command::Run {
            seconds,
            connections,
            sessions,
            postgres,
        } => runtime.block_on(run(
            Duration::from_secs(seconds),
            connections,
            sessions,
            postgres,
        )),
    }
}

/// Requests summed over several measurements.
#[derive(Default)]
struct Totals {
    requests: u64,
    errors: u64,
    elapsed: Duration,
}

impl Totals {
    fn add(&mut self, s: &Stats) {
        self.requests += s.requests;
        self.errors += s.errors;
        self.elapsed += s.elapsed;
    }

    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

struct Row {
    name: &'static str,
    concurrent: Stats,
    serial: Option<Stats>,
}

async fn measure(
    addr: std::net::SocketAddr,
    body: &[u8],
    connections: usize,
    time: Duration,
) -> anyhow::Result<(Stats, Stats)> {
    let concurrent = drive(addr, body, connections, time).await?;
    let serial = drive(addr, body, 1, time).await?;
    Ok((concurrent, serial))
}

async fn run(
    time: Duration,
    connections: usize,
    sessions: u64,
    postgres: Option<String>,
) -> anyhow::Result<()> {
    let work = tempfile_dir()?;
    println!(
        "edigrid-bench: {connections} connections, {}s per measurement, {sessions} stored sessions",
        time.as_secs()
    );
    let mut rows = Vec::new();

    // (a) SQLite.
    let sqlite_url = format!("sqlite://{}", work.join("bench.db").display());
    let sqlite = Edigrid::start(&sqlite_url, &work, sessions).await?;
    let sid = login(sqlite.addr).await?;
    let body = session_info_request(&sid);
    let (a, a_serial) = measure(sqlite.addr, &body, connections, time).await?;
    let rss_kib = sqlite.resident_kib();
    let response = load::fetch(sqlite.addr, &body).await?;

    // (d) (a) while another client floods Login.
    let flood = load::flood_logins(sqlite.addr, 8, time + Duration::from_secs(1));
    let d = drive(sqlite.addr, &body, connections, time).await?;
    let flood_stats = flood.await??;

    drop(sqlite);

    // (a) with and without call recording: two fresh servers alike but for that, measured
    // in alternating rounds so that the machine's drift falls on both alike.
    let mut pair = Vec::new();
    for (name, record) in [("bench-calls.db", true), ("bench-no-calls.db", false)] {
        let url = format!("sqlite://{}", work.join(name).display());
        let server = Edigrid::start_recording(&url, &work, sessions, record).await?;
        let body = session_info_request(&login(server.addr).await?);
        pair.push((server, body));
    }
    let (mut on, mut off) = (Totals::default(), Totals::default());
    let round = (time / 2).max(Duration::from_secs(1));
    for i in 0..4 {
        // Alternate which goes first, too.
        let order = if i % 2 == 0 { [1, 0] } else { [0, 1] };
        for which in order {
            let (server, body) = &pair[which];
            let stats = drive(server.addr, body, connections, round).await?;
            if which == 0 {
                on.add(&stats)
            } else {
                off.add(&stats)
            }
        }
    }
    drop(pair);
    rows.push(Row {
        name: "(a) edigrid, SQLite",
        concurrent: a,
        serial: Some(a_serial),
    });

    // (b) PostgreSQL.
    let pg_base = postgres
        .or_else(|| std::env::var("EDIGRID_TEST_DATABASE_URL").ok())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let pg_url = servers::fresh_schema(&pg_base).await?;
    let pg = Edigrid::start(&pg_url, &work, sessions).await?;
    let pg_sid = login(pg.addr).await?;
    let (b, b_serial) = measure(pg.addr, &session_info_request(&pg_sid), connections, time).await?;
    drop(pg);
    servers::drop_schema(&pg_base, &pg_url).await?;
    rows.push(Row {
        name: "(b) edigrid, PostgreSQL",
        concurrent: b,
        serial: Some(b_serial),
    });

    // (c) the ceiling, answering the same bytes.
    let ceiling = Ceiling::start(&work, &response).await?;
    let (c, c_serial) = measure(ceiling.addr, &body, connections, time).await?;
    drop(ceiling);
    rows.push(Row {
        name: "(c) bare hyper, same bytes",
        concurrent: c,
        serial: Some(c_serial),
    });
    rows.push(Row {
        name: "(d) (a) during a Login flood",
        concurrent: d,
        serial: None,
    });

    println!();
    println!(
        "{:<30} {:>10} {:>10} {:>10} {:>8} | {:>10} {:>10}",
        "", "req/s", "p50 ms", "p99 ms", "errors", "serial p50", "serial p99"
    );
    for r in &rows {
        let (sp50, sp99) = r
            .serial
            .as_ref()
            .map(|s| (format!("{:.3}", s.p50_ms()), format!("{:.3}", s.p99_ms())))
            .unwrap_or_default();
        println!(
            "{:<30} {:>10.0} {:>10.3} {:>10.3} {:>8} | {:>10} {:>10}",
            r.name,
            r.concurrent.rps(),
            r.concurrent.p50_ms(),
            r.concurrent.p99_ms(),
            r.concurrent.errors,
            sp50,
            sp99
        );
    }
    println!("Login flood during (d): {:.0} logins/s", flood_stats.rps());
    println!();
    let (a, b, c, d) = (&rows[0], &rows[1], &rows[2], &rows[3]);
    let ratio = |x: &Stats, y: &Stats| x.rps() / y.rps();
    println!(
        "(a)/(c) throughput: {:.2}   (target >= 0.5)",
        ratio(&a.concurrent, &c.concurrent)
    );
    println!(
        "(b)/(c) throughput: {:.2}   (target >= 0.3)",
        ratio(&b.concurrent, &c.concurrent)
    );
    println!(
        "(d)/(a) throughput: {:.2}   (target >= 0.7)",
        ratio(&d.concurrent, &a.concurrent)
    );
    if let (Some(a_s), Some(c_s)) = (&a.serial, &c.serial) {
        println!(
            "serial p99 of (a): {:.3} ms   (target <= 1 ms)",
            a_s.p99_ms()
        );
        println!(
            "serial p50 (a)/(c): {:.2}   (target <= 4)",
            a_s.p50_ms() / c_s.p50_ms()
        );
    }
    println!(
        "edigrid (SQLite) resident memory after (a): {:.1} MB with {sessions} stored sessions",
        rss_kib as f64 / 1024.0
    );
    println!(
        "call recording on/off, SQLite, 4 alternating rounds of {}s each: {:.0} / {:.0} req/s = {:.3}   (target >= 0.95)",
        round.as_secs(),
        on.rps(),
        off.rps(),
        on.rps() / off.rps()
    );
    let errors: u64 =
        rows.iter().map(|r| r.concurrent.errors).sum::<u64>() + on.errors + off.errors;
    anyhow::ensure!(
        errors == 0,
        "{errors} requests failed: the figures are not valid"
    );
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("edigrid-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
