//! Crash safety (SPEC section 5, "restarts lose nothing"): the real binary on a SQLite file
//! is killed with SIGKILL at random moments while clients log in, call SessionInfo and log
//! out, then restarted on the same file. After every restart each session whose Login answer
//! reached its client still works unless its client logged it out, no logged-out session
//! works again, and at the end the database passes `PRAGMA integrity_check`.
//!
//! The moments are drawn from a seeded generator; the seed is printed, and
//! `EDIGRID_CRASH_SEED=<n>` replays a run.

use std::path::Path;
use std::time::{Duration, Instant};

use edigrid_testkit::{NS, SOAP_PATH, envelope11};

use crate::admin_cli::{add_network_and_mailbox, add_user};
use tokio::process::Child;

const KILLS: usize = 12;
const WORKERS: usize = 6;
const USERS: usize = 3;
const PASSWORD: &str = "Crash#Test1";

/// splitmix64: small, seedable, good enough to pick moments and actions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What a client knows about one of its sessions.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Known {
    /// The Login answer arrived (and no logout was sent since).
    Open,
    /// A Logout was answered `true`.
    LoggedOut,
    /// A Logout was sent but its answer never came: either is allowed.
    LogoutInFlight,
}

#[derive(Debug, Clone)]
struct Tracked {
    sid: String,
    known: Known,
}

/// A SOAP answer, or `None` when the exchange broke (the server was killed).
async fn soap(
    http: &reqwest::Client,
    base: &str,
    op: &str,
    params: &[(&str, &str)],
) -> Option<(u16, String)> {
    let response = http
        .post(format!("{base}{SOAP_PATH}"))
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", format!("\"{NS}{op}\""))
        .body(envelope11(op, params))
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let body = response.text().await.ok()?;
    Some((status, body))
}

fn field(body: &str, name: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(body).ok()?;
    doc.descendants()
        .find(|n| n.is_element() && n.tag_name().name() == name)
        .map(|n| n.text().unwrap_or("").to_string())
}

/// Whether the answer is the session fault (SPEC section 3: its text mentions SessionID).
fn is_session_fault(status: u16, body: &str) -> bool {
    status == 500 && field(body, "faultstring").is_some_and(|t| t.contains("SessionID"))
}

/// SessionInfo on `sid`: `Some(true)` works (and is that session), `Some(false)` is the
/// session fault, `None` the exchange broke. Anything else is a failure of its own.
async fn session_works(
    http: &reqwest::Client,
    base: &str,
    sid: &str,
    problems: &mut Vec<String>,
) -> Option<bool> {
    let (status, body) = soap(http, base, "SessionInfo", &[("SessionID", sid)]).await?;
    if status == 200 {
        let echoed = field(&body, "SessionID").unwrap_or_default();
        if !echoed.eq_ignore_ascii_case(sid) {
            problems.push(format!("SessionInfo({sid}) answered for {echoed}"));
        }
        Some(true)
    } else if is_session_fault(status, &body) {
        Some(false)
    } else {
        problems.push(format!("SessionInfo({sid}): unexpected {status}: {body}"));
        Some(false)
    }
}

/// One client: logs in, uses and logs out its own sessions (so nothing races on one
/// session) until the server goes away under it.
async fn client(
    base: String,
    login: String,
    mut sessions: Vec<Tracked>,
    seed: u64,
) -> (Vec<Tracked>, Vec<String>, Counts) {
    let mut rng = Rng(seed);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut problems = Vec::new();
    let mut counts = Counts::default();
    loop {
        let open: Vec<usize> = (0..sessions.len())
            .filter(|&i| sessions[i].known == Known::Open)
            .collect();
        let ended: Vec<usize> = (0..sessions.len())
            .filter(|&i| sessions[i].known == Known::LoggedOut)
            .collect();
        let roll = rng.below(100);
        if open.len() < 2 || roll < 15 {
            let Some((status, body)) = soap(
                &http,
                &base,
                "Login",
                &[("UserName", &login), ("Password", PASSWORD)],
            )
            .await
            else {
                break;
            };
            match field(&body, "LoginResult") {
                Some(sid) if status == 200 => {
                    counts.logins += 1;
                    sessions.push(Tracked {
                        sid,
                        known: Known::Open,
                    });
                }
                _ => problems.push(format!("Login of {login} refused: {status} {body}")),
            }
        } else if roll < 70 {
            let at = open[rng.below(open.len() as u64) as usize];
            let sid = sessions[at].sid.clone();
            match session_works(&http, &base, &sid, &mut problems).await {
                None => break,
                Some(true) => counts.infos += 1,
                Some(false) => problems.push(format!("open session {sid} refused mid-run")),
            }
        } else if roll < 90 {
            let at = open[rng.below(open.len() as u64) as usize];
            sessions[at].known = Known::LogoutInFlight;
            let sid = sessions[at].sid.clone();
            let Some((status, body)) = soap(&http, &base, "Logout", &[("SessionID", &sid)]).await
            else {
                break;
            };
            if status == 200 && field(&body, "LogoutResult").as_deref() == Some("true") {
                sessions[at].known = Known::LoggedOut;
                counts.logouts += 1;
            } else {
                problems.push(format!("Logout of open {sid}: {status} {body}"));
            }
        } else if let Some(&at) = ended.get(rng.below(ended.len().max(1) as u64) as usize) {
            let sid = sessions[at].sid.clone();
            match session_works(&http, &base, &sid, &mut problems).await {
                None => break,
                Some(true) => problems.push(format!("logged-out session {sid} works mid-run")),
                Some(false) => counts.probes += 1,
            }
        }
    }
    (sessions, problems, counts)
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    logins: usize,
    infos: usize,
    logouts: usize,
    probes: usize,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.logins += o.logins;
        self.infos += o.infos;
        self.logouts += o.logouts;
        self.probes += o.probes;
    }
}

/// Starts `edigrid serve` on the file; returns the child and its base URL.
async fn serve(db_url: &str, log: &Path) -> (Child, String) {
    let env = [
        ("EDIGRID_LOGIN_THROTTLE_PER_MINUTE", "0"),
        ("EDIGRID_MAX_SESSIONS_PER_USER", "100000"),
    ];
    crate::support::binary::serve(db_url, &env, Some(log), Duration::from_secs(30)).await
}

/// After a restart: every session is what its client knows of it.
async fn check_all(base: &str, clients: &mut [Vec<Tracked>], problems: &mut Vec<String>) -> usize {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut checked = 0;
    for sessions in clients.iter_mut() {
        for s in sessions.iter_mut() {
            let works = session_works(&http, base, &s.sid, problems)
                .await
                .expect("the restarted server answers");
            checked += 1;
            match (s.known, works) {
                (Known::Open, false) => {
                    problems.push(format!("acknowledged session {} lost in a crash", s.sid))
                }
                (Known::LoggedOut, true) => {
                    problems.push(format!("logged-out session {} works again", s.sid))
                }
                // The logout may or may not have happened; from now on it is known.
                (Known::LogoutInFlight, true) => s.known = Known::Open,
                (Known::LogoutInFlight, false) => s.known = Known::LoggedOut,
                _ => {}
            }
        }
    }
    checked
}

#[tokio::test]
async fn sessions_survive_sigkill_exactly_as_their_clients_know_them() {
    let seed = std::env::var("EDIGRID_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("crash test seed: {seed} (EDIGRID_CRASH_SEED={seed} replays it)");
    let mut rng = Rng(seed);
    let started = Instant::now();

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let log = dir.path().join("server.log");
    let db_url = format!("sqlite://{}", db.display());
    add_network_and_mailbox(&db_url, &[]).await;
    for u in 0..USERS {
        add_user(&db_url, &format!("crash{u}"), "MailboxUser", PASSWORD, &[]).await;
    }

    let mut clients: Vec<Vec<Tracked>> = vec![Vec::new(); WORKERS];
    let mut problems = Vec::new();
    let mut counts = Counts::default();
    let mut checked = 0;
    for round in 0..KILLS {
        let (mut child, base) = serve(&db_url, &log).await;
        checked += check_all(&base, &mut clients, &mut problems).await;

        let mut tasks = Vec::new();
        for (w, sessions) in clients.drain(..).enumerate() {
            let login = format!("crash{}", w % USERS);
            tasks.push(tokio::spawn(client(
                base.clone(),
                login,
                sessions,
                rng.next(),
            )));
        }
        // The moment: anywhere from just after start to well into the traffic.
        let delay = Duration::from_millis(20 + rng.below(2500));
        tokio::time::sleep(delay).await;
        child.start_kill().unwrap();
        let status = child.wait().await.unwrap();
        assert!(!status.success(), "killed, not exited: {status}");
        for task in tasks {
            let (sessions, found, c) = task.await.unwrap();
            clients.push(sessions);
            problems.extend(found);
            counts += c;
        }
        let in_flight = clients
            .iter()
            .flatten()
            .filter(|s| s.known == Known::LogoutInFlight)
            .count();
        println!(
            "round {round}: killed after {delay:?}; so far {counts:?}, {in_flight} logout(s) in flight"
        );
    }

    // The state after the last kill, checked once more.
    let (mut child, base) = serve(&db_url, &log).await;
    checked += check_all(&base, &mut clients, &mut problems).await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();

    assert!(
        problems.is_empty(),
        "seed {seed}: {} problem(s):\n{}\nserver log: {}",
        problems.len(),
        problems.join("\n"),
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The run did something worth checking.
    let open = clients
        .iter()
        .flatten()
        .filter(|s| s.known == Known::Open)
        .count();
    let ended = clients
        .iter()
        .flatten()
        .filter(|s| s.known == Known::LoggedOut)
        .count();
    println!(
        "seed {seed}: {KILLS} kills, {counts:?}, {checked} checks after restarts, {open} open and {ended} logged-out sessions at the end, {:?}",
        started.elapsed()
    );
    assert!(counts.logins >= 30, "{counts:?}");
    assert!(counts.logouts >= 10 && counts.infos >= 50, "{counts:?}");
    assert!(open >= 5 && ended >= 5, "open {open}, ended {ended}");

    let options: sqlx::sqlite::SqliteConnectOptions = db_url.parse().unwrap();
    let mut conn = sqlx::ConnectOptions::connect(&options).await.unwrap();
    let verdict: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(verdict, ["ok"], "integrity_check");
}
