//! `edigrid-bench run`: the SOAP `SessionInfo` hot path measured on (a) edigrid with SQLite,
//! (b) edigrid with PostgreSQL, (c) a bare hyper server answering the same response bytes
//! from memory (the ceiling of the HTTP stack on this machine), and (d) (a) while another
//! client floods `Login`; the directory's lists on the same two nodes, holding a large
//! directory: (e)/(f) deployed `TPSearch` among `--partners` stored IDs, (g)/(h) deployed
//! `MailboxListEx` of a network of `--mailboxes`; and (a) against (c) once more driven by
//! `wrk`, an independent load generator. Every figure is reported as a ratio against another
//! series measured in the same run, because absolute numbers on a shared machine mean little.

mod callbacks;
mod load;
mod parcels;
mod servers;
mod wrk;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::load::{Body, Stats, drive, login, login_as, session_info_request};
use crate::servers::{
    Ceiling, Directory, Edigrid, NETWORK, NETWORK_ADMIN, SMALL_NETWORK, SMALL_NETWORK_ADMIN,
    SMALL_NETWORK_MAILBOXES,
};

#[derive(Parser)]
#[command(
    name = "edigrid-bench",
    about = "Benchmark of edigrid's session hot path and directory lists"
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
        /// Seconds of one round: every measurement runs once per round, in turn.
        #[arg(long, default_value_t = 1.0)]
        round_seconds: f64,
        /// Keep-alive connections of the concurrent measurements.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Sessions stored before measuring (up to 1,000,000).
        #[arg(long, default_value_t = 1000)]
        sessions: u64,
        /// Trading-partner IDs stored in network 100 before measuring (the figure is
        /// for 1,000,000; the default keeps a run short).
        #[arg(long, default_value_t = 100_000)]
        partners: u64,
        /// Mailboxes stored in network 100 before measuring.
        #[arg(long, default_value_t = 100_000)]
        mailboxes: u32,
        /// PostgreSQL database for (b); default: EDIGRID_TEST_DATABASE_URL, else the local one.
        #[arg(long)]
        postgres: Option<String>,
        /// Keep the working directory (databases, logs) instead of removing it at the end.
        #[arg(long)]
        keep: bool,
    },
    /// Drive one running server with one request (for profiling): Version, SessionInfo of
    /// a fresh login of the bench user, Login of the flood user, or (as `netadmin`, on a
    /// database `run --keep` prepared) TPSearch of random stored IDs or MailboxListEx.
    Drive {
        #[arg(long)]
        addr: std::net::SocketAddr,
        /// `version`, `session-info`, `login`, `tp-search` or `mailbox-list-ex`.
        #[arg(long, default_value = "session-info")]
        operation: String,
        #[arg(long, default_value_t = 1)]
        connections: usize,
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Stored IDs `tp-search` draws from.
        #[arg(long, default_value_t = 100_000)]
        partners: u64,
    },
    /// Measure the parcel figures (upload and routing, the receiver's cycle, a large store,
    /// memory under large uploads, PostgreSQL against SQLite).
    Parcels {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 1.0)]
        round_seconds: f64,
        /// Connections of the upload series, and receivers (each its own connection and
        /// mailbox) of the cycle.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Parcels stored on the large node (the figure is for 1,000,000).
        #[arg(long, default_value_t = 1_000_000)]
        stored: u64,
        /// MiB of each of the 16 concurrent uploads of the memory figure (0: skip it).
        #[arg(long, default_value_t = 50)]
        big_upload_mib: usize,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long)]
        keep: bool,
    },
    /// Only the memory figure of `parcels`: peak resident memory of a fresh SQLite node
    /// while `clients` clients each upload a parcel of `mib` MiB at once (deployed SOAP
    /// `ParcelUpload`; a client answered 503 waits 0.5 s and sends again).
    UploadMemory {
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 50)]
        mib: usize,
    },
    /// The callbacks figure: upload rate without and with a callback whose receiver answers
    /// after 200 ms, and the time to drain the queue (see `src/callbacks.rs` for the settings).
    Callbacks {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 1.0)]
        round_seconds: f64,
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Profiling aid: prepare one SQLite parcel node as `parcels` does, print its process ID,
    /// wait `--delay` seconds (for a profiler to attach), then drive one of its series:
    /// `upload`, `cycle` or `inbox` (serial).
    ParcelDrive {
        #[arg(long, default_value = "upload")]
        series: String,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 0)]
        stored: u64,
        #[arg(long, default_value_t = 2)]
        delay: u64,
        /// Prepare the node on a fresh schema of this PostgreSQL database instead of SQLite.
        #[arg(long)]
        postgres: Option<String>,
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
            partners,
        } => runtime.block_on(async {
            let body = match operation.as_str() {
                "version" => Body::fixed(&load::version_request()),
                "login" => Body::fixed(&load::login_request(servers::FLOOD_LOGIN)),
                "tp-search" => {
                    load::tp_search_random(&login_as(addr, NETWORK_ADMIN).await?, partners)?
                }
                "mailbox-list-ex" => Body::fixed(&load::mailbox_list_ex_request(
                    &login_as(addr, NETWORK_ADMIN).await?,
                    NETWORK,
                )),
                _ => Body::fixed(&session_info_request(&login(addr).await?)),
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
        Command::Callbacks {
            seconds,
            round_seconds,
            connections,
        } => runtime.block_on(async {
            let work = tempfile_dir()?;
            let ran = callbacks::run(callbacks::Settings {
                time: Duration::from_secs(seconds),
                round: Duration::from_secs_f64(round_seconds.max(0.1)),
                connections,
                work: work.clone(),
            })
            .await;
            let _ = std::fs::remove_dir_all(&work);
            ran
        }),
        Command::ParcelDrive {
            series,
            seconds,
            connections,
            stored,
            delay,
            postgres,
        } => runtime.block_on(async {
            use parcels::Measure as _;
            let work = tempfile_dir()?;
            let url = match postgres {
                Some(base) => parcels::postgres_schema(&base).await?,
                None => format!("sqlite://{}", work.join("parcels-drive.db").display()),
            };
            let node = parcels::ParcelNode::start(&url, &work, connections, stored).await?;
            println!("pid {}", node.server.pid());
            tokio::time::sleep(Duration::from_secs(delay)).await;
            let time = Duration::from_secs(seconds);
            let s = match series.as_str() {
                "cycle" => node.cycle.measure(time).await?,
                "inbox" => drive(node.server.addr, &node.inbox, 1, time).await?,
                _ => drive(node.server.addr, &node.upload, connections, time).await?,
            };
            println!(
                "{series}: {:.0} per s, p50 {:.3} ms, p99 {:.3} ms, {} errors",
                s.rps(),
                s.p50_ms(),
                s.p99_ms(),
                s.errors
            );
            drop(node);
            let _ = std::fs::remove_dir_all(&work);
            Ok(())
        }),
        Command::UploadMemory { clients, mib } => runtime.block_on(async {
            let work = tempfile_dir()?;
            let started = std::time::Instant::now();
            let measured = parcels::upload_memory(&work, clients, mib).await;
            let elapsed = started.elapsed();
            let _ = std::fs::remove_dir_all(&work);
            let (peak_mib, refused) = measured?;
            println!(
                "{clients} concurrent {mib} MiB uploads: peak resident memory {peak_mib:.0} MiB, \
                 {refused} answers 503 (retried after 0.5 s), {:.1} s in all (node start \
                 included)",
                elapsed.as_secs_f64()
            );
            Ok(())
        }),
        Command::Parcels {
            seconds,
            round_seconds,
            connections,
            stored,
            big_upload_mib,
            postgres,
            keep,
        } => runtime.block_on(run_parcels(parcels::Settings {
            time: Duration::from_secs(seconds),
            round: Duration::from_secs_f64(round_seconds.max(0.1)),
            connections,
            stored,
            postgres,
            keep,
            big_upload_mib,
        })),
        Command::Run {
            seconds,
            round_seconds,
            connections,
            sessions,
            partners,
            mailboxes,
            postgres,
            keep,
        } => runtime.block_on(run(Settings {
            time: Duration::from_secs(seconds),
            round: Duration::from_secs_f64(round_seconds.max(0.1)),
            connections,
            sessions,
            directory: Directory {
                mailboxes,
                partners,
            },
            postgres,
            keep,
        })),
    }
}

/// How a series' load is generated.
enum Driver {
    /// Our own generator ([`load::drive`]).
    Own,
    /// `wrk`, with this Lua script.
    Wrk(PathBuf),
    /// A load of its own ([`parcels::Measure`]).
    Custom(std::sync::Arc<dyn parcels::Measure>),
}

/// One thing measured: a server, the request it is sent, over how many connections, and
/// whether `Login` is flooded beside it. Its rounds add up to one figure.
struct Series {
    name: String,
    addr: SocketAddr,
    body: Body,
    connections: usize,
    flood: bool,
    driver: Driver,
    total: Stats,
    /// Throughput of each round, in order, for the per-round ratios.
    rounds: Vec<f64>,
    /// The Login flood's own figures, summed over the rounds.
    flood_total: Stats,
}

/// Connections flooding Login in (d).
const FLOOD_CONNECTIONS: usize = 8;
/// How long the flood runs before and after each (d) round, so that it covers the round.
const FLOOD_LEAD: Duration = Duration::from_millis(200);

impl Series {
    fn new(name: &str, addr: SocketAddr, body: Body, connections: usize) -> anyhow::Result<Self> {
        Ok(Series {
            name: name.to_string(),
            addr,
            body,
            connections,
            flood: false,
            driver: Driver::Own,
            total: Stats::empty()?,
            rounds: Vec::new(),
            flood_total: Stats::empty()?,
        })
    }

    fn flooded(mut self) -> Self {
        self.flood = true;
        self
    }

    fn custom(name: &str, measure: std::sync::Arc<dyn parcels::Measure>) -> anyhow::Result<Self> {
        let mut series = Series::new(
            name,
            SocketAddr::from(([127, 0, 0, 1], 0)),
            Body::fixed(b""),
            1,
        )?;
        series.driver = Driver::Custom(measure);
        Ok(series)
    }

    fn by_wrk(mut self, script: PathBuf) -> Self {
        self.driver = Driver::Wrk(script);
        self
    }

    /// One measurement of `time`, not recorded.
    async fn once(&self, time: Duration) -> anyhow::Result<Stats> {
        match &self.driver {
            Driver::Own => drive(self.addr, &self.body, self.connections, time).await,
            Driver::Wrk(script) => wrk::run(self.addr, script, self.connections, time).await,
            Driver::Custom(measure) => measure.measure(time).await,
        }
    }

    async fn measure(&mut self, time: Duration) -> anyhow::Result<()> {
        let flood = self
            .flood
            .then(|| load::flood_logins(self.addr, FLOOD_CONNECTIONS, time + FLOOD_LEAD * 2));
        if flood.is_some() {
            tokio::time::sleep(FLOOD_LEAD).await;
        }
        let stats = self.once(time).await?;
        if let Some(flood) = flood {
            self.flood_total.merge(&flood.await??)?;
        }
        self.rounds.push(stats.rps());
        self.total.merge(&stats)
    }
}

/// Measures every series for `time` in all, in rounds of `round`: each round measures each
/// series once, in `order` (indexes into `series`; the ones compared with each other sit
/// side by side), and the order turns by one every round. A shared machine's load drifts
/// over seconds; measured one after the other, ten seconds each, two series saw different
/// machines (one run put (a) at 0.45 of (c), the next at 0.76). Interleaved, the drift falls
/// on all of them alike, so their ratios hold still. One warm-up second each is not counted.
async fn interleave(
    series: &mut [Series],
    order: &[usize],
    time: Duration,
    round: Duration,
) -> anyhow::Result<()> {
    for s in series.iter() {
        s.once(Duration::from_secs(1)).await?;
    }
    let rounds = (time.as_secs_f64() / round.as_secs_f64()).ceil().max(1.0) as usize;
    let n = order.len();
    for i in 0..rounds {
        for k in 0..n {
            series[order[(i + k) % n]].measure(round).await?;
        }
    }
    Ok(())
}

/// `x`'s throughput over `y`'s, in all and per round (min, median, max).
fn ratios(x: &Series, y: &Series) -> (f64, f64, f64, f64) {
    let mut per_round: Vec<f64> = x.rounds.iter().zip(&y.rounds).map(|(a, b)| a / b).collect();
    per_round.sort_by(f64::total_cmp);
    let pick = |q: f64| per_round[((per_round.len() - 1) as f64 * q).round() as usize];
    (
        x.total.rps() / y.total.rps(),
        pick(0.0),
        pick(0.5),
        pick(1.0),
    )
}

/// What a figure is held to.
#[derive(Clone, Copy)]
enum Target {
    AtLeast(f64),
    AtMost(f64),
    /// Reported for comparison; the issue sets no target.
    None,
}

impl Target {
    fn describe(self, unit: &str) -> String {
        match self {
            Target::AtLeast(t) => format!("target >= {t}{unit}"),
            Target::AtMost(t) => format!("target <= {t}{unit}"),
            Target::None => "no target".to_string(),
        }
    }
}

/// Prints figures with their targets, PASS or MISS, and counts the misses.
#[derive(Default)]
struct Verdicts {
    passed: usize,
    missed: Vec<String>,
}

impl Verdicts {
    fn verdict(&mut self, label: &str, value: f64, target: Target) -> &'static str {
        let ok = match target {
            Target::AtLeast(t) => value >= t,
            Target::AtMost(t) => value <= t,
            Target::None => return "    ",
        };
        if ok {
            self.passed += 1;
            "PASS"
        } else {
            self.missed.push(label.to_string());
            "MISS"
        }
    }

    /// `x`'s throughput over `y`'s, from the sums, with the per-round spread.
    fn ratio(&mut self, label: &str, x: &Series, y: &Series, target: Target) {
        let (all, min, median, max) = ratios(x, y);
        let verdict = self.verdict(label, all, target);
        println!(
            "{verdict} {label}: {all:.2}   ({}; per round: min {min:.2}, median {median:.2}, max {max:.2})",
            target.describe("")
        );
    }

    fn value(&mut self, label: &str, value: f64, unit: &str, target: Target) {
        let verdict = self.verdict(label, value, target);
        println!(
            "{verdict} {label}: {value:.3}{unit}   ({})",
            target.describe(unit)
        );
    }
}

struct Settings {
    time: Duration,
    round: Duration,
    connections: usize,
    sessions: u64,
    directory: Directory,
    postgres: Option<String>,
    keep: bool,
}

/// A node under test with its directory, and the requests each measurement sends it.
struct Node {
    server: Edigrid,
    /// SessionInfo of the bench user (a `MailboxUser`).
    session_info: Body,
    /// TPSearch of a random stored ID, as `netadmin`.
    tp_search: Body,
    /// MailboxListEx of network 100, as `netadmin`, and of the small network 101.
    mailbox_list: Body,
    mailbox_list_small: Body,
}

impl Node {
    async fn start(database: &str, settings: &Settings, work: &Path) -> anyhow::Result<Self> {
        let server =
            Edigrid::start_with_directory(database, work, settings.sessions, settings.directory)
                .await?;
        let addr = server.addr;
        let admin = login_as(addr, NETWORK_ADMIN).await?;
        let small = login_as(addr, SMALL_NETWORK_ADMIN).await?;
        let partners = settings.directory.partners;
        // Before measuring: a search finds the ID asked for, the lists give a full page.
        for i in [0, partners / 2, partners.saturating_sub(1)] {
            let response = load::fetch(addr, &load::tp_search_request(&admin, i)).await?;
            let text = String::from_utf8_lossy(&response);
            anyhow::ensure!(
                partners == 0 || text.contains(&format!(">{}<", load::partner_id(i))),
                "TPSearch of stored ID {i} did not find it: {text}"
            );
        }
        let page = u64::from(settings.directory.mailboxes + 1).min(100);
        for (session, network, expect) in [(&admin, NETWORK, page), (&small, SMALL_NETWORK, 100)] {
            let body = load::mailbox_list_ex_request(session, network);
            let response = load::fetch(addr, &body).await?;
            let got = String::from_utf8_lossy(&response)
                .matches("<MailboxIDInfo>")
                .count() as u64;
            anyhow::ensure!(
                got == expect,
                "MailboxListEx of network {network} gave {got} mailboxes, not {expect}"
            );
        }
        Ok(Node {
            session_info: Body::fixed(&session_info_request(&login(addr).await?)),
            tp_search: load::tp_search_random(&admin, partners)?,
            mailbox_list: Body::fixed(&load::mailbox_list_ex_request(&admin, NETWORK)),
            mailbox_list_small: Body::fixed(&load::mailbox_list_ex_request(&small, SMALL_NETWORK)),
            server,
        })
    }
}

/// Where each series sits in the list.
struct Index {
    a: usize,
    b: usize,
    c: usize,
    d: usize,
    a_serial: usize,
    c_serial: usize,
    e: usize,
    f: usize,
    e_serial: usize,
    f_serial: usize,
    g: usize,
    g_small: usize,
    h: usize,
    h_small: usize,
    a_1k: Option<usize>,
    wrk: Option<(usize, usize)>,
}

async fn run(settings: Settings) -> anyhow::Result<()> {
    let work = tempfile_dir()?;
    let Settings {
        time,
        round,
        connections,
        sessions,
        directory,
        ..
    } = settings;
    println!(
        "edigrid-bench: {connections} connections, {}s per measurement in rounds of {:.1}s, \
         {sessions} stored sessions, {} stored IDs over {} mailboxes, {} mailboxes in network {NETWORK}",
        time.as_secs(),
        round.as_secs_f64(),
        directory.partners,
        servers::PARTNER_MAILBOXES.min(directory.mailboxes),
        directory.mailboxes + 1,
    );

    // Every server is started first; those not being measured sit idle.
    let sqlite_url = format!("sqlite://{}", work.join("bench.db").display());
    let sqlite = Node::start(&sqlite_url, &settings, &work).await?;
    let response = load::fetch(sqlite.server.addr, sqlite.session_info.bytes()).await?;
    // With more stored sessions than 1,000, a second SQLite node with 1,000 is measured
    // beside it, so that "within 20% of its value with 1,000" is one run's ratio.
    let small = if sessions > 1000 {
        let url = format!("sqlite://{}", work.join("bench-1k.db").display());
        let node = Edigrid::start(&url, &work, 1000).await?;
        let body = Body::fixed(&session_info_request(&login(node.addr).await?));
        Some((node, body))
    } else {
        None
    };
    let pg_base = settings
        .postgres
        .clone()
        .or_else(|| std::env::var("EDIGRID_TEST_DATABASE_URL").ok())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let pg_url = servers::fresh_schema(&pg_base).await?;
    let pg = Node::start(&pg_url, &settings, &work).await?;
    let ceiling = Ceiling::start(&work, &response).await?;
    let (a_addr, b_addr) = (sqlite.server.addr, pg.server.addr);

    let mut series = Vec::new();
    let mut add = |s: Series| {
        series.push(s);
        series.len() - 1
    };
    let body = &sqlite.session_info;
    let n = connections;
    let a = add(Series::new("(a) edigrid, SQLite", a_addr, body.clone(), n)?);
    let b = add(Series::new(
        "(b) edigrid, PostgreSQL",
        b_addr,
        pg.session_info.clone(),
        n,
    )?);
    let c = add(Series::new(
        "(c) bare hyper, same bytes",
        ceiling.addr,
        body.clone(),
        n,
    )?);
    let d = add(Series::new("(d) (a) during a Login flood", a_addr, body.clone(), n)?.flooded());
    let a_serial = add(Series::new("(a) serial", a_addr, body.clone(), 1)?);
    let b_serial = add(Series::new(
        "(b) serial",
        b_addr,
        pg.session_info.clone(),
        1,
    )?);
    let c_serial = add(Series::new("(c) serial", ceiling.addr, body.clone(), 1)?);
    let e = add(Series::new(
        "(e) TPSearch, SQLite",
        a_addr,
        sqlite.tp_search.clone(),
        n,
    )?);
    let f = add(Series::new(
        "(f) TPSearch, PostgreSQL",
        b_addr,
        pg.tp_search.clone(),
        n,
    )?);
    let e_serial = add(Series::new(
        "(e) serial",
        a_addr,
        sqlite.tp_search.clone(),
        1,
    )?);
    let f_serial = add(Series::new("(f) serial", b_addr, pg.tp_search.clone(), 1)?);
    let big = format!("{} mb", directory.mailboxes + 1);
    let little = format!("{SMALL_NETWORK_MAILBOXES} mb");
    let g = add(Series::new(
        &format!("(g) MailboxListEx SQLite {big}"),
        a_addr,
        sqlite.mailbox_list.clone(),
        1,
    )?);
    let g_small = add(Series::new(
        &format!("(g) MailboxListEx SQLite {little}"),
        a_addr,
        sqlite.mailbox_list_small.clone(),
        1,
    )?);
    let h = add(Series::new(
        &format!("(h) MailboxListEx PG {big}"),
        b_addr,
        pg.mailbox_list.clone(),
        1,
    )?);
    let h_small = add(Series::new(
        &format!("(h) MailboxListEx PG {little}"),
        b_addr,
        pg.mailbox_list_small.clone(),
        1,
    )?);
    let a_1k = match &small {
        Some((node, body)) => Some(add(Series::new(
            "(a) with 1,000 stored sessions",
            node.addr,
            body.clone(),
            n,
        )?)),
        None => None,
    };
    let wrk = if wrk::available() {
        let a_script = wrk::script(&work, "session-info", body.bytes())?;
        let wrk_c = add(
            Series::new("wrk (c) bare hyper", ceiling.addr, body.clone(), n)?
                .by_wrk(a_script.clone()),
        );
        let wrk_a =
            add(Series::new("wrk (a) edigrid, SQLite", a_addr, body.clone(), n)?.by_wrk(a_script));
        Some((wrk_a, wrk_c))
    } else {
        println!("wrk is not installed (Debian package wrk): its series are skipped");
        None
    };
    let ix = Index {
        a,
        b,
        c,
        d,
        a_serial,
        c_serial,
        e,
        f,
        e_serial,
        f_serial,
        g,
        g_small,
        h,
        h_small,
        a_1k,
        wrk,
    };
    // Compared series side by side: (c), (a), (e), (d), (b), (f); the serial ones; the
    // mailbox lists, big network beside small; (a) with 1,000 sessions; wrk's pair.
    let mut order = vec![
        c, a, e, d, b, f, c_serial, a_serial, e_serial, b_serial, f_serial, g, g_small, h, h_small,
    ];
    order.extend(a_1k);
    if let Some((wrk_a, wrk_c)) = wrk {
        order.extend([wrk_c, wrk_a]);
    }
    interleave(&mut series, &order, time, round).await?;
    let memory = sqlite.server.memory();
    drop((sqlite, small, pg, ceiling));
    servers::drop_schema(&pg_base, &pg_url).await?;

    // (a) with and without call recording: two fresh servers alike but for that.
    let mut pair = Vec::new();
    let mut recording = Vec::new();
    for (name, label, record) in [
        ("bench-calls.db", "recording on", true),
        ("bench-no-calls.db", "recording off", false),
    ] {
        let url = format!("sqlite://{}", work.join(name).display());
        let server = Edigrid::start_recording(&url, &work, sessions, record).await?;
        let body = Body::fixed(&session_info_request(&login(server.addr).await?));
        recording.push(Series::new(label, server.addr, body, connections)?);
        pair.push(server);
    }
    interleave(&mut recording, &[0, 1], time * 2, round).await?;
    drop(pair);

    print_figures(&series, &recording);
    let mut v = Verdicts::default();
    verdicts(&mut v, &series, &ix, &settings);
    println!(
        "edigrid (SQLite) memory after the measurements, {sessions} stored sessions, {} stored IDs: \
         resident {:.1} MB, peak {:.1} MB",
        directory.partners,
        memory.resident_kib as f64 / 1024.0,
        memory.peak_kib as f64 / 1024.0
    );
    v.value(
        "edigrid (SQLite) peak memory",
        memory.peak_kib as f64 / 1024.0,
        " MB",
        Target::AtMost(200.0),
    );
    v.ratio(
        "call recording on/off, SQLite",
        &recording[0],
        &recording[1],
        Target::AtLeast(0.95),
    );
    println!();
    if v.missed.is_empty() {
        println!("every target met ({} PASS)", v.passed);
    } else {
        println!(
            "{} PASS, {} MISS: {}",
            v.passed,
            v.missed.len(),
            v.missed.join("; ")
        );
    }
    let errors: u64 = series
        .iter()
        .chain(&recording)
        .map(|s| s.total.errors)
        .sum();
    if settings.keep {
        println!("working directory kept: {}", work.display());
    } else {
        std::fs::remove_dir_all(&work)?;
    }
    anyhow::ensure!(
        errors == 0,
        "{errors} requests failed: the figures are not valid"
    );
    Ok(())
}

fn print_figures(series: &[Series], recording: &[Series]) {
    println!();
    println!(
        "{:<36} {:>10} {:>10} {:>10} {:>8}",
        "", "req/s", "p50 ms", "p99 ms", "errors"
    );
    for s in series.iter().chain(recording) {
        let latency = |ms: f64| match s.driver {
            Driver::Own | Driver::Custom(_) => format!("{ms:.3}"),
            Driver::Wrk(_) => "-".to_string(),
        };
        println!(
            "{:<36} {:>10.0} {:>10} {:>10} {:>8}",
            s.name,
            s.total.rps(),
            latency(s.total.p50_ms()),
            latency(s.total.p99_ms()),
            s.total.errors,
        );
    }
}

fn verdicts(v: &mut Verdicts, series: &[Series], ix: &Index, settings: &Settings) {
    let s = |i: usize| &series[i];
    let d = s(ix.d);
    println!(
        "Login flood during (d): {:.0} logins/s, {} failed",
        d.flood_total.rps(),
        d.flood_total.errors
    );
    println!();
    println!("SessionInfo:");
    v.ratio("(a)/(c) throughput", s(ix.a), s(ix.c), Target::AtLeast(0.5));
    v.ratio("(b)/(c) throughput", s(ix.b), s(ix.c), Target::AtLeast(0.3));
    v.ratio("(d)/(a) throughput", d, s(ix.a), Target::AtLeast(0.7));
    let a_serial = &s(ix.a_serial).total;
    v.value(
        "serial p99 of (a)",
        a_serial.p99_ms(),
        " ms",
        Target::AtMost(1.0),
    );
    v.value(
        "serial p50 (a)/(c)",
        a_serial.p50_ms() / s(ix.c_serial).total.p50_ms(),
        "",
        Target::AtMost(4.0),
    );
    if let Some(a_1k) = ix.a_1k {
        v.ratio(
            &format!(
                "(a) with {} stored sessions / with 1,000",
                settings.sessions
            ),
            s(ix.a),
            s(a_1k),
            Target::AtLeast(0.8),
        );
    }
    match ix.wrk {
        Some((wrk_a, wrk_c)) => {
            v.ratio(
                "wrk: (a)/(c) throughput (wrk -t2, same rounds)",
                s(wrk_a),
                s(wrk_c),
                Target::AtLeast(0.5),
            );
        }
        None => println!("     wrk: (a)/(c) throughput: skipped, wrk is not installed"),
    }
    println!();
    let partners = settings.directory.partners;
    println!("TPSearch among {partners} stored IDs (a random stored ID per request):");
    v.ratio(
        "(e)/(a) TPSearch / SessionInfo, SQLite",
        s(ix.e),
        s(ix.a),
        Target::AtLeast(0.8),
    );
    v.ratio(
        "(f)/(b) TPSearch / SessionInfo, PostgreSQL",
        s(ix.f),
        s(ix.b),
        Target::None,
    );
    v.value(
        "serial p99 of (e) TPSearch, SQLite",
        s(ix.e_serial).total.p99_ms(),
        " ms",
        Target::AtMost(2.0),
    );
    v.value(
        "serial p99 of (f) TPSearch, PostgreSQL",
        s(ix.f_serial).total.p99_ms(),
        " ms",
        Target::None,
    );
    println!();
    let big = settings.directory.mailboxes + 1;
    println!("MailboxListEx, first page (100) of a network, serial:");
    for (label, x, small) in [
        ("(g), SQLite", ix.g, ix.g_small),
        ("(h), PostgreSQL", ix.h, ix.h_small),
    ] {
        let target = if x == ix.g {
            Target::AtMost(10.0)
        } else {
            Target::None
        };
        v.value(
            &format!("serial p99 of {label}, {big} mailboxes"),
            s(x).total.p99_ms(),
            " ms",
            target,
        );
        let (x, small) = (&s(x).total, &s(small).total);
        println!(
            "     {label}: p50 {:.3} ms with {big} mailboxes, {:.3} ms with {SMALL_NETWORK_MAILBOXES}: \
             {:.2} us more per 1,000 mailboxes",
            x.p50_ms(),
            small.p50_ms(),
            (x.p50_ms() - small.p50_ms()) * 1000.0 * 1000.0
                / f64::from(big - SMALL_NETWORK_MAILBOXES)
        );
    }
    println!();
}

/// The parcel figures of issue 13 (see [`parcels`]).
async fn run_parcels(settings: parcels::Settings) -> anyhow::Result<()> {
    use std::sync::Arc;
    let work = tempfile_dir()?;
    let (time, round, n) = (settings.time, settings.round, settings.connections);
    let small_stored = 0;
    println!(
        "edigrid-bench parcels: {n} connections, {}s per measurement in rounds of {:.1}s, \
         large node with {} stored parcels",
        time.as_secs(),
        round.as_secs_f64(),
        settings.stored
    );
    let small_url = format!("sqlite://{}", work.join("parcels-small.db").display());
    let small = parcels::ParcelNode::start(&small_url, &work, n, small_stored).await?;
    let big_url = format!("sqlite://{}", work.join("parcels-big.db").display());
    let big = parcels::ParcelNode::start(&big_url, &work, n, settings.stored).await?;
    let pg_base = settings
        .postgres
        .clone()
        .or_else(|| std::env::var("EDIGRID_TEST_DATABASE_URL").ok())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let pg_url = parcels::postgres_schema(&pg_base).await?;
    let pg = parcels::ParcelNode::start(&pg_url, &work, n, small_stored).await?;
    let ceiling = parcels::ceiling(&work, &small.download_response).await?;
    let fsync = Arc::new(parcels::FsyncBaseline::open(&work).await?);

    let mut series = vec![
        Series::custom("(s) one fsynced commit per 4 KiB row", fsync)?,
        Series::new(
            "(u) upload 4 KiB, SQLite",
            small.server.addr,
            small.upload.clone(),
            n,
        )?,
        Series::new(
            "(u) with the large store",
            big.server.addr,
            big.upload.clone(),
            n,
        )?,
        Series::new(
            "(p) upload 4 KiB, PostgreSQL",
            pg.server.addr,
            pg.upload.clone(),
            n,
        )?,
        Series::new(
            "(k) bare hyper, download bytes",
            ceiling.addr,
            small.inbox.clone(),
            n,
        )?,
        Series::custom("(r) poll+download+confirm, SQLite", small.cycle.clone())?,
        Series::custom("(r) with the large store", big.cycle.clone())?,
        Series::new(
            "(i) inbox page, serial",
            small.server.addr,
            small.inbox.clone(),
            1,
        )?,
        Series::new(
            "(i) with the large store",
            big.server.addr,
            big.inbox.clone(),
            1,
        )?,
    ];
    let order: Vec<usize> = (0..series.len()).collect();
    interleave(&mut series, &order, time, round).await?;
    drop((small, big, pg, ceiling));
    servers::drop_schema(&pg_base, &pg_url).await?;
    let memory = if settings.big_upload_mib > 0 {
        Some(parcels::upload_memory(&work, 16, settings.big_upload_mib).await?)
    } else {
        None
    };

    print_figures(&series, &[]);
    let s = |i: usize| &series[i];
    let mut v = Verdicts::default();
    println!();
    println!("Upload and routing (4 KiB X12, {n} connections):");
    v.ratio(
        "(u)/(s) upload rate / fsynced commits",
        s(1),
        s(0),
        Target::AtLeast(3.0),
    );
    v.ratio("(u) large store / small", s(2), s(1), Target::AtLeast(0.8));
    v.ratio(
        "(p)/(u) PostgreSQL / SQLite",
        s(3),
        s(1),
        Target::AtLeast(0.5),
    );
    println!("Receiver's cycle (parcels downloaded and confirmed per second):");
    v.ratio(
        "(r)/(k) cycle / HTTP ceiling",
        s(5),
        s(4),
        Target::AtLeast(0.3),
    );
    v.ratio("(r) large store / small", s(6), s(5), Target::AtLeast(0.8));
    v.value(
        "serial p99 of (i), large store",
        s(8).total.p99_ms(),
        " ms",
        Target::AtMost(5.0),
    );
    v.value(
        "serial p99 of (i), small store",
        s(7).total.p99_ms(),
        " ms",
        Target::None,
    );
    if let Some((peak_mib, refused)) = memory {
        println!(
            "16 concurrent {} MiB uploads: {refused} answers 503 (retried after 0.5 s)",
            settings.big_upload_mib
        );
        v.value(
            "peak resident memory",
            peak_mib,
            " MiB",
            Target::AtMost(1024.0),
        );
    }
    println!();
    if v.missed.is_empty() {
        println!("every target met ({} PASS)", v.passed);
    } else {
        println!(
            "{} PASS, {} MISS: {}",
            v.passed,
            v.missed.len(),
            v.missed.join("; ")
        );
    }
    let errors: u64 = series.iter().map(|s| s.total.errors).sum();
    if settings.keep {
        println!("working directory kept: {}", work.display());
    } else {
        std::fs::remove_dir_all(&work)?;
    }
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
