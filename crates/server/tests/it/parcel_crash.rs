//! Issue 13, acceptance item 5 (SPEC-VAN 16, 18: acceptance and routing commit in one
//! transaction, content is durable before the answer, nothing is delivered twice): the real
//! binary, on a SQLite file and on PostgreSQL, is killed with SIGKILL while several mailboxes
//! flood it with uploads over REST, restarted on the same database, flooded and killed again;
//! then, through the API alone:
//! - every upload answered with a ParcelID is in its sender's outbox under that ParcelID,
//!   and every upload answered with an error is nowhere;
//! - every outbound parcel has, in each receiver's inbox, exactly one inbound parcel with its
//!   interchanges for that receiver, byte-identical, and the interchange records link the
//!   two; every inbound parcel comes from an outbound parcel in some outbox;
//! - each interchange control number is in exactly one inbound parcel;
//! - and a SQLite file passes `PRAGMA integrity_check`.
//!
//! The kill comes once a number of uploads have been acknowledged (no sleeps); the seed of
//! the workers' choices is printed, and `EDIGRID_CRASH_SEED=<n>` replays a run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use edigrid_domain::AuthLevel;
use edigrid_testkit::{TestApp, fresh_postgres_url};
use serde_json::{Value, json};
use tokio::process::Child;
use tokio::sync::watch;

use crate::parcel_bad_input::x12;
use crate::parcel_corpus::{Mbx, base64};

const SENDERS: usize = 4;
const WORKERS_PER_SENDER: usize = 2;
const RECEIVERS: usize = 2;
const KILLS: usize = 3;
/// Acknowledged uploads to wait for in each round before the kill, on average.
const ACKS_PER_ROUND: usize = 40;

/// splitmix64, for the workers' choices.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// What a worker knows of one upload it sent.
#[derive(Debug, Clone)]
struct Attempt {
    sender: usize,
    file_name: String,
    /// (receiver, control number, interchange bytes), in file order.
    interchanges: Vec<(usize, u32, String)>,
    outcome: Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// Sent; no answer came (the server was killed).
    InFlight,
    Acknowledged(i64),
    /// Answered with an error: must not be stored.
    Refused,
}

impl Attempt {
    fn content(&self) -> String {
        self.interchanges.iter().map(|i| i.2.as_str()).collect()
    }

    /// What `receiver` should get from it.
    fn for_receiver(&self, receiver: usize) -> Option<String> {
        let parts: String = self
            .interchanges
            .iter()
            .filter(|i| i.0 == receiver)
            .map(|i| i.2.as_str())
            .collect();
        (!parts.is_empty()).then_some(parts)
    }
}

struct Shared {
    attempts: Mutex<Vec<Attempt>>,
    next_control: Mutex<u32>,
    acks: watch::Sender<usize>,
}

fn sender_id(n: usize) -> String {
    format!("ZZ:CRASHSEND{n}")
}

fn receiver_id(n: usize) -> String {
    format!("ZZ:CRASHRECV{n}")
}

/// One worker: uploads files of one to three interchanges as `sender` until the server
/// goes away under it.
async fn worker(base: String, key: String, sender: usize, seed: u64, shared: Arc<Shared>) {
    let mut rng = Rng(seed);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    loop {
        let mut interchanges = Vec::new();
        for _ in 0..=rng.below(3) {
            let receiver = rng.below(RECEIVERS as u64) as usize;
            let control = {
                let mut next = shared.next_control.lock().unwrap();
                *next += 1;
                *next
            };
            let text = x12(
                &sender_id(sender),
                &receiver_id(receiver),
                control,
                rng.below(20) as usize,
            );
            interchanges.push((receiver, control, text));
        }
        let file_name = format!("crash-{}.x12", interchanges[0].1);
        let attempt = Attempt {
            sender,
            file_name,
            interchanges,
            outcome: Outcome::InFlight,
        };
        let content = attempt.content();
        let at = {
            let mut attempts = shared.attempts.lock().unwrap();
            attempts.push(attempt.clone());
            attempts.len() - 1
        };
        let body = json!({"fileName": attempt.file_name, "content": base64(content.as_bytes()), "bytes": content.len()});
        let answer = async {
            let response = http
                .post(format!("{base}/v2/parcels/upload"))
                .header("X-API-Key", &key)
                .json(&body)
                .send()
                .await
                .ok()?;
            let status = response.status().as_u16();
            let body: Value = serde_json::from_str(&response.text().await.ok()?).ok()?;
            Some((status, body))
        };
        let outcome = match answer.await {
            None => return,
            Some((200, body)) => Outcome::Acknowledged(
                body["data"]
                    .as_i64()
                    .unwrap_or_else(|| panic!("no ParcelID: {body}")),
            ),
            Some((status, body)) => {
                eprintln!("upload refused ({status}): {body}");
                Outcome::Refused
            }
        };
        shared.attempts.lock().unwrap()[at].outcome = outcome;
        if matches!(outcome, Outcome::Acknowledged(_)) {
            shared.acks.send_modify(|n| *n += 1);
        }
    }
}

/// Senders and receivers sit in two networks (see `edigrid_testkit::open_routes`).
async fn serve(db_url: &str, log: &Path) -> (Child, String) {
    let env = [("EDIGRID_REQUIRE_INTERCONNECT", "never")];
    crate::support::binary::serve(db_url, &env, Some(log), Duration::from_secs(60)).await
}

/// The control numbers of the X12 interchanges in `content` (ISA13), in order.
fn controls_in(content: &[u8]) -> Vec<u32> {
    let text = String::from_utf8_lossy(content);
    text.split("ISA*")
        .skip(1)
        .map(|isa| isa.split('*').nth(12).unwrap().parse().unwrap())
        .collect()
}

/// Floods, kills and restarts the binary on the database of `app` (which is stopped first,
/// having made the directory), then checks what the API says.
async fn crash(app: TestApp, backend: &str) {
    let seed = std::env::var("EDIGRID_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("{backend}: parcel crash test seed: {seed} (EDIGRID_CRASH_SEED={seed} replays it)");
    let mut rng = Rng(seed);

    // The directory, made in-process on the database the binary will serve.
    let mut keys = (Vec::new(), Vec::new());
    for n in 0..SENDERS {
        let user = app
            .add_user(
                &format!("sender{n}"),
                AuthLevel::MailboxUser,
                100,
                200 + n as i32,
            )
            .await;
        let (q, id) = sender_id(n)
            .split_once(':')
            .map(|(q, i)| (q.to_string(), i.to_string()))
            .unwrap();
        app.add_partner(100, 200 + n as i32, &q, &id, "crash").await;
        keys.0.push(app.api_key(user).await);
    }
    for n in 0..RECEIVERS {
        let user = app
            .add_user(
                &format!("receiver{n}"),
                AuthLevel::MailboxUser,
                300,
                400 + n as i32,
            )
            .await;
        let (q, id) = receiver_id(n)
            .split_once(':')
            .map(|(q, i)| (q.to_string(), i.to_string()))
            .unwrap();
        app.add_partner(300, 400 + n as i32, &q, &id, "crash").await;
        keys.1.push(app.api_key(user).await);
    }
    let db_url = app.settings.database.clone();
    let log = app.database_path().with_file_name("server.log");
    let _kept = app.stop().await;

    let (acks, mut acked) = watch::channel(0);
    let shared = Arc::new(Shared {
        attempts: Mutex::new(Vec::new()),
        next_control: Mutex::new(0),
        acks,
    });
    let mut target = 0;
    for round in 1..=KILLS {
        let (mut child, base) = serve(&db_url, &log).await;
        let mut tasks = Vec::new();
        for sender in 0..SENDERS {
            for _ in 0..WORKERS_PER_SENDER {
                let task = worker(
                    base.clone(),
                    keys.0[sender].clone(),
                    sender,
                    rng.below(u64::MAX),
                    shared.clone(),
                );
                tasks.push(tokio::spawn(task));
            }
        }
        // Anywhere from half to one and a half rounds' worth of acknowledgments later.
        target += ACKS_PER_ROUND / 2 + rng.below(ACKS_PER_ROUND as u64) as usize;
        tokio::time::timeout(Duration::from_secs(300), acked.wait_for(|n| *n >= target))
            .await
            .unwrap_or_else(|_| {
                panic!("round {round}: fewer than {target} uploads acknowledged in 5 minutes")
            })
            .unwrap();
        child.start_kill().unwrap();
        let status = child.wait().await.unwrap();
        assert!(!status.success(), "killed, not exited: {status}");
        for task in tasks {
            task.await.unwrap();
        }
        let attempts = shared.attempts.lock().unwrap();
        let in_flight = attempts
            .iter()
            .filter(|a| a.outcome == Outcome::InFlight)
            .count();
        println!(
            "round {round}: killed after {} acknowledged uploads; {in_flight} in flight so far",
            *acked.borrow()
        );
    }

    let (mut child, base) = serve(&db_url, &log).await;
    let attempts = shared.attempts.lock().unwrap().clone();
    let mbx = |key: &String| Mbx {
        base: base.clone(),
        key: key.clone(),
        mailbox: 0,
        http: reqwest::Client::new(),
    };
    let (problems, checked) = check(
        &attempts,
        &keys.0.iter().map(mbx).collect::<Vec<_>>(),
        &keys.1.iter().map(mbx).collect::<Vec<_>>(),
    )
    .await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    assert!(
        problems.is_empty(),
        "{backend}, seed {seed}: {} problem(s):\n{}\nserver log (last lines):\n{}",
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
    // The run had something to check: every acknowledged upload, and uploads that were in
    // flight at a kill (stored or not, but whole or not at all).
    let acknowledged = attempts
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Acknowledged(_)))
        .count();
    let in_flight = attempts
        .iter()
        .filter(|a| a.outcome == Outcome::InFlight)
        .count();
    println!(
        "{backend}, seed {seed}: {acknowledged} acknowledged, {in_flight} unanswered and {} refused uploads; {checked:?}",
        attempts.len() - acknowledged - in_flight
    );
    assert!(acknowledged >= target, "{acknowledged} < {target}");
    if db_url.starts_with("sqlite:") {
        let options: sqlx::sqlite::SqliteConnectOptions = db_url.parse().unwrap();
        let mut conn = sqlx::ConnectOptions::connect(&options).await.unwrap();
        let verdict: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(verdict, ["ok"], "integrity_check");
    }
    assert!(
        in_flight >= KILLS,
        "no upload was under way at a kill: {in_flight}"
    );
    assert!(
        checked.inbound >= acknowledged && checked.links >= checked.inbound,
        "{checked:?}"
    );
}

/// What [`check`] looked at.
#[derive(Debug, Default)]
struct Checked {
    outbound: usize,
    inbound: usize,
    /// Interchange records whose outbound and inbound parcels were compared.
    links: usize,
}

/// Everything the API says after the last restart, against what the workers know.
async fn check(attempts: &[Attempt], senders: &[Mbx], receivers: &[Mbx]) -> (Vec<String>, Checked) {
    let mut problems = Vec::new();
    let mut checked = Checked::default();
    let by_name: BTreeMap<&str, &Attempt> =
        attempts.iter().map(|a| (a.file_name.as_str(), a)).collect();

    // Outbound parcels: each upload at most once, acknowledged ones under their ParcelID.
    let mut outbound: BTreeMap<i64, &Attempt> = BTreeMap::new();
    for (n, sender) in senders.iter().enumerate() {
        for parcel in sender.list("outbox-list", json!({})).await {
            let id = parcel["parcelId"].as_i64().unwrap();
            let name = parcel["fileName"].as_str().unwrap_or_default();
            match by_name.get(name) {
                Some(a) if a.sender == n => {
                    outbound.insert(id, a);
                }
                _ => problems.push(format!(
                    "outbound parcel {id} ({name}) of sender {n} was never sent by it"
                )),
            }
        }
    }
    let mut stored: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (id, a) in &outbound {
        stored.entry(a.file_name.as_str()).or_default().push(*id);
    }
    for a in attempts {
        let found = stored
            .get(a.file_name.as_str())
            .cloned()
            .unwrap_or_default();
        match (a.outcome, found.as_slice()) {
            (Outcome::Acknowledged(id), [one]) if *one == id => {}
            (Outcome::Acknowledged(id), _) => problems.push(format!(
                "acknowledged upload {} ({id}) stored as {found:?}",
                a.file_name
            )),
            (Outcome::Refused, []) | (Outcome::InFlight, [] | [_]) => {}
            (_, _) => problems.push(format!(
                "{:?} upload {} stored as {found:?}",
                a.outcome, a.file_name
            )),
        }
    }

    // Inbound parcels: byte-identical to what their outbound parcel sent that receiver, and
    // every control number in exactly one of them.
    let mut delivered: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
    let mut inbound_of: BTreeMap<(i64, usize), i64> = BTreeMap::new();
    for (r, receiver) in receivers.iter().enumerate() {
        for id in receiver.inbox().await {
            checked.inbound += 1;
            let content = receiver.download(id).await;
            let controls = controls_in(&content);
            for c in &controls {
                delivered.entry(*c).or_default().push(id);
            }
            let source = outbound.iter().find(|(_, a)| {
                a.interchanges
                    .iter()
                    .any(|i| Some(&i.1) == controls.first())
            });
            let Some((&out_id, a)) = source else {
                problems.push(format!("inbound parcel {id} of receiver {r} (controls {controls:?}) has no outbound parcel"));
                continue;
            };
            if a.for_receiver(r).as_deref().map(str::as_bytes) != Some(&content[..]) {
                problems.push(format!(
                    "inbound parcel {id} is not what {} sent receiver {r}",
                    a.file_name
                ));
            }
            inbound_of.insert((out_id, r), id);
        }
    }
    for (c, parcels) in &delivered {
        if parcels.len() != 1 {
            problems.push(format!("control number {c} delivered in {parcels:?}"));
        }
    }

    // Every outbound parcel delivered to each of its receivers, and its interchange records
    // name those inbound parcels.
    checked.outbound = outbound.len();
    for (&out_id, a) in &outbound {
        let sender = &senders[a.sender];
        let manifest = sender.manifest(out_id).await;
        let controls: Vec<String> = manifest
            .iter()
            .map(|i| i["controlNumber"].as_str().unwrap_or_default().to_string())
            .collect();
        let want: Vec<String> = a
            .interchanges
            .iter()
            .map(|i| format!("{:09}", i.1))
            .collect();
        if controls != want {
            problems.push(format!(
                "outbound parcel {out_id} ({}) lists interchanges {controls:?}, sent {want:?}",
                a.file_name
            ));
        }
        for (entry, (r, control, _)) in manifest.iter().zip(&a.interchanges) {
            let Some(&in_id) = inbound_of.get(&(out_id, *r)) else {
                problems.push(format!("outbound parcel {out_id}: interchange {control} for receiver {r} has no inbound parcel"));
                continue;
            };
            let record = sender
                .get(&format!("/v2/interchanges/{}", entry["interchangeId"]))
                .await;
            let record = record.ok();
            checked.links += 1;
            if record["inboundParcelId"].as_i64() != Some(in_id)
                || record["outboundParcelId"].as_i64() != Some(out_id)
            {
                problems.push(format!(
                    "interchange {control}: record {record} does not link {out_id} to {in_id}"
                ));
            }
        }
    }
    let sent: BTreeSet<u32> = outbound
        .values()
        .flat_map(|a| a.interchanges.iter().map(|i| i.1))
        .collect();
    let got: BTreeSet<u32> = delivered.keys().copied().collect();
    if sent != got {
        problems.push(format!(
            "stored and delivered interchanges differ: not delivered {:?}, delivered but not stored {:?}",
            sent.difference(&got).collect::<Vec<_>>(),
            got.difference(&sent).collect::<Vec<_>>()
        ));
    }
    (problems, checked)
}

#[tokio::test]
async fn acknowledged_uploads_survive_sigkill_delivered_exactly_once_on_sqlite() {
    crash(edigrid_testkit::spawn_app_open_routes().await, "SQLite").await;
}

#[tokio::test]
async fn acknowledged_uploads_survive_sigkill_delivered_exactly_once_on_postgres() {
    let Some(url) = fresh_postgres_url().await else {
        eprintln!("skipped: EDIGRID_TEST_DATABASE_URL is not set");
        return;
    };
    crash(
        edigrid_testkit::spawn_app_open_routes_on(url).await,
        "PostgreSQL",
    )
    .await;
}
