//! Sandbox partners (SPEC-VAN 21) against the real server: an ID marked simulated over REST
//! answers what it receives into the sender's inbox (997s and a TA1 that pyx12 validates, a
//! CONTRL that pydifact reads, codes and counts as sent), ParcelTest and send-test-file make
//! test interchanges the same tools accept and that route to the receiver, and the refusals:
//! no authority, unknown IDs, standards without a test file, a partner that is not simulated.
//! Two nodes on one PostgreSQL database answer each parcel once.
//!
//! Network 100: mailbox 200 (`ZZ:SENDERA`, its MailboxAdmin `sendera`), mailbox 201
//! (`ZZ:PARTNERP`, its MailboxUser `partnerp`), NetworkAdmin `netadmin`; out of their scope
//! network 300 with mailbox 400 (`ZZ:FARAWAY`, its MailboxAdmin `faradmin`).

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use edigrid_core::Caller;
use edigrid_domain::{AuthLevel, MailboxId, ParcelId, UserStatus};
use edigrid_testkit::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

use crate::rest_auth::{Auth, Reply, assert_invalid_naming, call, call_json};

mod test_files;
use crate::support::python::{python, repo_root};

/// An ECGridID nobody has.
const MISSING: i32 = 987_654;

struct Net {
    app: TestApp,
    /// API keys.
    a: String,
    p: String,
    net: String,
    far: String,
    id_a: i32,
    id_p: i32,
    id_far: i32,
    /// `ZZ:PARTNERQ` in mailbox 202, nobody's user.
    id_q: i32,
}

async fn net(app: TestApp) -> Net {
    let users = app
        .directory()
        .user("netadmin", AuthLevel::NetworkAdmin, 100, 200)
        .user("sendera", AuthLevel::MailboxAdmin, 100, 200)
        .user("partnerp", AuthLevel::MailboxUser, 100, 201)
        .user("faradmin", AuthLevel::MailboxAdmin, 300, 400)
        .mailbox(100, 202)
        .build()
        .await;
    let id_a = app.add_partner(100, 200, "ZZ", "SENDERA", "A").await.0;
    let id_p = app.add_partner(100, 201, "ZZ", "PARTNERP", "P").await.0;
    let id_far = app.add_partner(300, 400, "ZZ", "FARAWAY", "far").await.0;
    let id_q = app.add_partner(100, 202, "ZZ", "PARTNERQ", "Q").await.0;
    let key = |login| app.api_key(users.user(login));
    Net {
        a: key("sendera").await,
        p: key("partnerp").await,
        net: key("netadmin").await,
        far: key("faradmin").await,
        id_a,
        id_p,
        id_far,
        id_q,
        app,
    }
}

impl Net {
    async fn post(&self, key: &str, path: &str, body: Value) -> Reply {
        call_json(&self.app, Method::POST, path, Auth::Key(key), &body).await
    }

    async fn simulate(&self, key: &str, id: i32, on: bool) -> Reply {
        let path = format!("/v2/sandbox/partners/{id}");
        let body = json!({"simulated": on});
        call_json(&self.app, Method::PUT, &path, Auth::Key(key), &body).await
    }

    async fn simulated(&self, key: &str) -> Vec<Value> {
        let reply = call(
            &self.app,
            Method::GET,
            "/v2/sandbox/partners",
            Auth::Key(key),
        )
        .await;
        reply.ok().as_array().unwrap().clone()
    }

    async fn upload(&self, key: &str, content: &[u8]) -> i64 {
        let body = json!({"fileName": "order.edi", "content": BASE64.encode(content)});
        let reply = self.post(key, "/v2/parcels/upload", body).await;
        reply.ok().as_i64().unwrap()
    }

    /// The ParcelIDs ready in the caller's inbox.
    async fn pending(&self, key: &str) -> Vec<i64> {
        let reply = self
            .post(key, "/v2/parcels/pending-inbox-list", json!({}))
            .await;
        let items = reply.ok().as_array().unwrap().clone();
        items
            .iter()
            .map(|p| p["parcelId"].as_i64().unwrap())
            .collect()
    }

    /// Polls the caller's inbox until `n` parcels are ready (10 s at most); their IDs and
    /// how long it took.
    async fn wait_for(&self, key: &str, n: usize) -> (Vec<i64>, Duration) {
        let started = Instant::now();
        loop {
            let ready = self.pending(key).await;
            if ready.len() >= n {
                return (ready, started.elapsed());
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{} of {n} parcels arrived in 10 s",
                ready.len()
            );
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn download(&self, key: &str, parcel: i64) -> Vec<u8> {
        let reply = self
            .post(key, "/v2/parcels/download", json!({"parcelId": parcel}))
            .await;
        BASE64
            .decode(reply.ok()["content"].as_str().unwrap())
            .unwrap()
    }
}

/// An X12 850 interchange from A to P, ISA14 = 1 (a TA1 is asked for), control 17: group 1
/// holds two sets with a right GE01; group 2 one set under a GE01 of 3.
fn two_groups() -> Vec<u8> {
    let mut x = String::from(
        "ISA*00*          *00*          *ZZ*SENDERA        *ZZ*PARTNERP       \
         *260501*1030*U*00401*000000017*1*T*>~",
    );
    for (group, sets, ge01) in [(1, 2, 2), (2, 1, 3)] {
        x.push_str(&format!(
            "GS*PO*SENDERA*PARTNERP*20260501*1030*{group}*X*004010~"
        ));
        for set in 1..=sets {
            x.push_str(&format!(
                "ST*850*000{set}~BEG*00*SA*PO{group}{set}**20260501~SE*3*000{set}~"
            ));
        }
        x.push_str(&format!("GE*{ge01}*{group}~"));
    }
    x.push_str("IEA*2*000000017~");
    x.into_bytes()
}

/// An X12 interchange from A to `receiver` of one 005010X222A1 group (837s): the second set's
/// SE01 is wrong.
fn x222(receiver: &str) -> Vec<u8> {
    format!(
        "ISA*00*          *00*          *ZZ*SENDERA        *ZZ*{receiver:<15}\
         *260501*1030*^*00501*000000018*0*T*:~GS*HC*SENDERA*{receiver}*20260501*1030*55*X*005010X222A1~\
         ST*837*0001*005010X222A1~BHT*0019*00*1*20260501*1030*CH~SE*3*0001~\
         ST*837*0002*005010X222A1~SE*9*0002~GE*2*55~IEA*1*000000018~"
    )
    .into_bytes()
}

/// An EDIFACT ORDERS interchange from A to P with control reference `REF42`.
fn edifact() -> Vec<u8> {
    b"UNA:+.? 'UNB+UNOA:2+SENDERA:ZZ+PARTNERP:ZZ+260501:1030+REF42'\
      UNH+1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+3+1'UNZ+1+REF42'"
        .to_vec()
}

/// Runs a checking script of `tests/clients/python` on `bytes`: whether it passed, its JSON
/// and its standard error.
async fn check(script: &str, options: &[&str], bytes: &[u8]) -> (bool, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file.edi");
    std::fs::write(&file, bytes).unwrap();
    let mut args = vec![
        repo_root()
            .join("tests/clients/python")
            .join(script)
            .into_os_string(),
    ];
    args.extend(options.iter().map(Into::into));
    args.push(file.into_os_string());
    let ran = python(&args).await;
    let text = ran.stdout.trim_end().trim_end_matches("pass");
    let value: Value = serde_json::from_str(text).unwrap_or_else(|e| {
        panic!(
            "{script} printed no JSON ({e}): {}{}",
            ran.stdout, ran.stderr
        )
    });
    let passed = ran.success && ran.stdout.lines().any(|l| l == "pass");
    (passed, value, ran.stderr)
}

async fn valid(script: &str, options: &[&str], bytes: &[u8]) -> Value {
    let (passed, value, stderr) = check(script, options, bytes).await;
    assert!(
        passed,
        "{script} refused:\n{}\n{stderr}\n{value:#}",
        String::from_utf8_lossy(bytes)
    );
    value
}

macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(edigrid_testkit::spawn_app().await).await;
                }
            )+
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(url) = edigrid_testkit::fresh_postgres_url().await else {
                        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: PostgreSQL variant not run");
                        return;
                    };
                    let app = edigrid_testkit::spawn_app_with(|s| s.database = url).await;
                    super::$name(app).await;
                }
            )+
        }
    };
}

on_both_backends!(two_x12_groups_come_back_as_997s_pyx12_accepts);

async fn two_x12_groups_come_back_as_997s_pyx12_accepts(app: TestApp) {
    let n = net(app).await;
    // The sender has no authority over the partner's mailbox: refused, nothing changed.
    let refused = n.simulate(&n.a, n.id_p, true).await;
    refused.assert_error(403, "AccessDenied");
    assert!(n.simulated(&n.net).await.is_empty());
    let done = n.simulate(&n.net, n.id_p, true).await;
    assert_eq!(done.ok(), &json!({"ecGridId": n.id_p, "simulated": true}));
    let listed = n.simulated(&n.net).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["ecGridId"], n.id_p);
    assert_eq!(listed[0]["parcelsAnswered"], 0);
    assert!(n.simulated(&n.far).await.is_empty(), "out of scope");

    let sent = two_groups();
    let outbound = n.upload(&n.a, &sent).await;
    let (ready, took) = n.wait_for(&n.a, 1).await;
    assert!(took < Duration::from_secs(3), "answered after {took:?}");
    assert_eq!(ready.len(), 1, "one answer per received interchange");
    assert!(n.pending(&n.p).await.is_empty(), "the partner consumed it");

    let ack = n.download(&n.a, ready[0]).await;
    let report = valid("x12_validate.py", &[], &ack).await;
    assert_eq!(report["mode"], "map", "pyx12 read the 997s with its map");
    assert_eq!(report["isa"]["sender"], "ZZ:PARTNERP");
    assert_eq!(report["isa"]["receiver"], "ZZ:SENDERA");
    assert_eq!(
        report["isa"]["control"], "000000001",
        "the partner's own sequence starts at 1"
    );
    assert_eq!(
        report["ta1"],
        json!([{"control": "000000017", "date": "260501", "time": "1030", "code": "A",
                "note": "000"}])
    );
    let acks: Vec<Value> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["ack"].as_array().unwrap().clone())
        .collect();
    assert_eq!(acks.len(), 2, "{report:#}");
    assert_eq!(acks[0]["ak1"], json!(["PO", "1"]));
    assert_eq!(acks[0]["ak9"], json!(["A", "2", "2", "2"]));
    assert_eq!(acks[1]["ak1"], json!(["PO", "2"]));
    // GE01 said 3, one set came: E, and code 5 names the count.
    assert_eq!(acks[1]["ak9"], json!(["E", "3", "1", "1", "5"]));

    let counts = &n.simulated(&n.net).await[0];
    assert_eq!(
        (
            &counts["parcelsAnswered"],
            &counts["interchangesAnswered"],
            &counts["acknowledgmentsSent"]
        ),
        (&json!(1), &json!(1), &json!(1))
    );
    // The sender's upload is acknowledged: its one delivery was consumed by the answer.
    let upload = call(
        &n.app,
        Method::GET,
        &format!("/v2/parcels/{outbound}"),
        Auth::Key(&n.a),
    )
    .await;
    assert_eq!(upload.ok()["status"], "outboxAcknowledged");
}

#[tokio::test]
async fn an_edifact_interchange_comes_back_as_a_contrl_pydifact_reads() {
    let n = net(spawn_app().await).await;
    n.simulate(&n.net, n.id_p, true).await.ok();
    n.upload(&n.a, &edifact()).await;
    let (ready, _) = n.wait_for(&n.a, 1).await;
    let ack = n.download(&n.a, ready[0]).await;
    let report = valid("edifact_check.py", &[], &ack).await;
    let unb = report["unb"].as_array().unwrap();
    assert_eq!(unb[1], json!(["PARTNERP", "ZZ"]), "{report:#}");
    assert_eq!(unb[2], json!(["SENDERA", "ZZ"]));
    let messages = report["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["unh"][1][0], "CONTRL");
    let uci = &report["uci"][0];
    assert_eq!(uci[0], "REF42", "UCI names the interchange answered: {uci}");
}

#[tokio::test]
async fn a_partner_that_is_not_simulated_answers_nothing() {
    let n = net(spawn_app().await).await;
    n.simulate(&n.net, n.id_p, true).await.ok();
    n.simulate(&n.net, n.id_p, false).await.ok();
    assert!(n.simulated(&n.net).await.is_empty());
    n.upload(&n.a, &two_groups()).await;
    // A pass of the worker finds nothing; the parcel waits for its receiver.
    assert_eq!(n.app.core.answer_simulated().await.unwrap(), 0);
    assert_eq!(n.pending(&n.p).await.len(), 1);
    assert!(n.pending(&n.a).await.is_empty());
    // Terminated and unknown IDs cannot be marked; another network's is out of reach.
    n.simulate(&n.net, MISSING, true)
        .await
        .assert_error(403, "AccessDenied");
    n.simulate(&n.net, n.id_far, true)
        .await
        .assert_error(403, "AccessDenied");
    let bad = call_json(
        &n.app,
        Method::PUT,
        &format!("/v2/sandbox/partners/{}", n.id_p),
        Auth::Key(&n.net),
        &json!({"simulated": "yes"}),
    )
    .await;
    assert_invalid_naming(&bad, "simulated");
    assert!(n.simulated(&n.net).await.is_empty(), "nothing changed");
}

/// Two nodes share one PostgreSQL database, each running its answering worker, and each
/// also made to run passes of its own at the same time: every parcel is answered once.
#[tokio::test]
async fn two_nodes_answer_each_parcel_once() {
    let Some(url) = edigrid_testkit::fresh_postgres_url().await else {
        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: two-node sandbox test not run");
        return;
    };
    let mut nodes = edigrid_testkit::spawn_nodes(2, &url, |_| {}).await;
    let other = nodes.pop().unwrap();
    let n = net(nodes.pop().unwrap()).await;
    n.simulate(&n.net, n.id_p, true).await.ok();
    const PARCELS: usize = 12;
    for _ in 0..PARCELS {
        n.upload(&n.a, &two_groups()).await;
    }
    let (first, second) = (n.app.core.clone(), other.core.clone());
    let passes = tokio::join!(
        tokio::spawn(async move { first.answer_simulated().await.unwrap() }),
        tokio::spawn(async move { second.answer_simulated().await.unwrap() }),
    );
    assert!(passes.0.unwrap() + passes.1.unwrap() <= PARCELS);
    let (ready, _) = n.wait_for(&n.a, PARCELS).await;
    assert_eq!(ready.len(), PARCELS);
    // Passes after the last answer find nothing more to answer.
    assert_eq!(other.core.answer_simulated().await.unwrap(), 0);
    assert_eq!(n.pending(&n.a).await.len(), PARCELS);
    let counts = &n.simulated(&n.net).await[0];
    assert_eq!(counts["parcelsAnswered"], PARCELS);
    assert_eq!(counts["acknowledgmentsSent"], PARCELS);
}

#[tokio::test]
async fn a_005010x_group_is_answered_with_a_999() {
    let n = net(spawn_app().await).await;
    n.simulate(&n.net, n.id_p, true).await.ok();
    n.upload(&n.a, &x222("PARTNERP")).await;
    let (ready, _) = n.wait_for(&n.a, 1).await;
    let ack = n.download(&n.a, ready[0]).await;
    let report = valid("x12_validate.py", &[], &ack).await;
    assert_eq!(
        report["mode"], "map",
        "pyx12 read the 999 with its X231 map"
    );
    let group = &report["groups"][0];
    assert_eq!(group["gs08"], "005010X231A1");
    assert_eq!(group["sets"][0]["st01"], "999");
    let ack = &group["ack"][0];
    assert_eq!(ack["ak1"], json!(["HC", "55", "005010X222A1"]));
    assert_eq!(ack["ak9"], json!(["P", "2", "2", "1"]));
}

/// With the worker off, passes are run by hand: a partner whose mailbox was suspended
/// after delivery may not send, so its parcel is consumed unanswered (the reason in the
/// manifest) and never retried, while the other partner's parcel is answered.
#[tokio::test]
async fn a_partner_that_may_not_send_does_not_hold_up_the_others() {
    let app = edigrid_testkit::spawn_app_with(|s| s.sandbox_interval_ms = 0).await;
    let n = net(app).await;
    for id in [n.id_p, n.id_q] {
        n.simulate(&n.net, id, true).await.ok();
    }
    n.upload(&n.a, &x222("PARTNERQ")).await;
    n.upload(&n.a, &two_groups()).await;
    let operator = Caller::operator();
    let core = &n.app.core;
    core.mailbox_set_status(&operator, MailboxId(202), UserStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(core.answer_simulated().await.unwrap(), 1);
    assert_eq!(
        core.answer_simulated().await.unwrap(),
        0,
        "nothing is retried"
    );
    assert_eq!(n.pending(&n.a).await.len(), 1, "P answered");
    let q_box = n
        .post(
            &n.net,
            "/v2/parcels/inbox-list",
            json!({"mailboxId": 202, "status": "InBoxArchived"}),
        )
        .await;
    let q_parcel = q_box.ok()[0]["parcelId"].as_i64().unwrap();
    let manifest = core
        .parcel_manifest(&operator, ParcelId(q_parcel))
        .await
        .unwrap();
    let last = manifest.last().unwrap();
    assert!(
        last.message
            .starts_with("Not answered by simulated partner")
            && last.message.contains("202"),
        "{manifest:?}"
    );
}

/// An interchange to `receiver` with control number `control` and ISA14 = 1 (a TA1 is
/// asked for), of one 850 group.
fn to(receiver: &str, control: u32) -> Vec<u8> {
    format!(
        "ISA*00*          *00*          *ZZ*SENDERA        *ZZ*{receiver:<15}\
         *260501*1030*U*00401*{control:09}*1*T*>~GS*PO*SENDERA*{receiver}*20260501*1030*1*X*004010~\
         ST*850*0001~BEG*00*SA*PO1**20260501~SE*3*0001~GE*1*1~IEA*1*{control:09}~"
    )
    .into_bytes()
}

/// The ISA06 (sender) of every interchange in `bytes`.
fn senders(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.split("ISA")
        .skip(1)
        .map(|isa| isa.split('*').nth(6).unwrap_or("").trim().to_string())
        .collect()
}

/// One parcel delivered to mailbox 201 holds an interchange to `ZZ:PARTNERP` and one to
/// `ZZ:PARTNERR`, both IDs of that mailbox, only one of them simulated: that one answers
/// its own interchange, from itself, and the other's goes unanswered, whichever comes
/// first in the parcel. With the worker off, passes are run by hand.
#[tokio::test]
async fn each_interchange_of_a_parcel_is_answered_by_its_own_simulated_id() {
    let app = edigrid_testkit::spawn_app_with(|s| s.sandbox_interval_ms = 0).await;
    let n = net(app).await;
    let id_r = n.app.add_partner(100, 201, "ZZ", "PARTNERR", "R").await.0;
    let both = |first: &str, second: &str| [to(first, 21), to(second, 22)].concat();
    let operator = Caller::operator();
    let core = &n.app.core;

    // The first interchange's receiver is not simulated; the second's is.
    n.simulate(&n.net, id_r, true).await.ok();
    n.upload(&n.a, &both("PARTNERP", "PARTNERR")).await;
    assert_eq!(n.pending(&n.p).await.len(), 1, "one parcel to mailbox 201");
    assert_eq!(core.answer_simulated().await.unwrap(), 1);
    let ready = n.pending(&n.a).await;
    assert_eq!(ready.len(), 1);
    let ack = n.download(&n.a, ready[0]).await;
    // One interchange from R, with its TA1 and 997.
    assert_eq!(
        senders(&ack),
        ["PARTNERR"],
        "{}",
        String::from_utf8_lossy(&ack)
    );
    assert!(String::from_utf8_lossy(&ack).contains("TA1*000000022*"));
    assert!(!String::from_utf8_lossy(&ack).contains("TA1*000000021*"));
    let listed = n.simulated(&n.net).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]["ecGridId"].as_i64(),
        Some(i64::from(id_r)),
        "{listed:?}"
    );
    core.parcel_confirm(&operator, ParcelId(ready[0]))
        .await
        .ok();

    // Now the first is simulated and the second not: only the first is answered.
    n.simulate(&n.net, id_r, false).await.ok();
    n.simulate(&n.net, n.id_p, true).await.ok();
    n.upload(&n.a, &both("PARTNERP", "PARTNERR")).await;
    assert_eq!(core.answer_simulated().await.unwrap(), 1);
    let ready: Vec<i64> = n
        .pending(&n.a)
        .await
        .into_iter()
        .filter(|p| *p != ready[0])
        .collect();
    assert_eq!(ready.len(), 1);
    let ack = n.download(&n.a, ready[0]).await;
    assert_eq!(
        senders(&ack),
        ["PARTNERP"],
        "{}",
        String::from_utf8_lossy(&ack)
    );
    assert!(String::from_utf8_lossy(&ack).contains("TA1*000000021*"));
    assert!(!String::from_utf8_lossy(&ack).contains("TA1*000000022*"));

    // Neither simulated: nothing is answered.
    n.simulate(&n.net, n.id_p, false).await.ok();
    n.upload(&n.a, &both("PARTNERP", "PARTNERR")).await;
    assert_eq!(core.answer_simulated().await.unwrap(), 0);
}
