//! Issue 14, acceptance item 3 (SPEC-VAN 20: a carbon copy is made in the transaction of the
//! delivery it copies): the real binary, with a carbon-copy rule from a sender to an auditor,
//! is killed with SIGKILL while two workers upload over REST, restarted and killed again;
//! then, through the API alone, the receiver's inbox and the auditor's hold the same
//! interchanges (by control number), each once, and every acknowledged upload is in both.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use edigrid_core::Caller;
use edigrid_core::relations::{CarbonCopyRequest, CarbonCopyScope};
use edigrid_domain::{AuthLevel, EcGridId};
use edigrid_testkit::{TestApp, fresh_postgres_url, spawn_app, spawn_app_with};
use serde_json::json;
use tokio::process::Child;
use tokio::sync::watch;

use crate::parcel_bad_input::x12;
use crate::parcel_corpus::{Mbx, base64};

const KILLS: usize = 2;
const ACKS_PER_ROUND: usize = 25;

/// Starts `edigrid serve` on the database; returns the child and its base URL.
async fn serve(db_url: &str, log: &Path) -> (Child, String) {
    crate::support::binary::serve(db_url, &[], Some(log), Duration::from_secs(60)).await
}

/// Uploads one interchange after another until the server goes away; records the control
/// numbers of those acknowledged.
async fn worker(
    base: String,
    key: String,
    next: Arc<Mutex<u32>>,
    acked: Arc<Mutex<Vec<u32>>>,
    acks: watch::Sender<usize>,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    loop {
        let control = {
            let mut n = next.lock().unwrap();
            *n += 1;
            *n
        };
        let text = x12("ZZ:CRCCSEND", "ZZ:CRCCRECV", control, 3);
        let body =
            json!({"fileName": format!("cc-{control}.x12"), "content": base64(text.as_bytes())});
        let sent = http
            .post(format!("{base}/v2/parcels/upload"))
            .header("X-API-Key", &key)
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(r) if r.status().as_u16() == 200 => {
                acked.lock().unwrap().push(control);
                acks.send_modify(|n| *n += 1);
            }
            Ok(r) => panic!("upload refused: {}", r.text().await.unwrap_or_default()),
            Err(_) => return,
        }
    }
}

/// The control numbers (ISA13) of every interchange in a mailbox's inbox.
async fn controls(mbx: &Mbx) -> Vec<u32> {
    let mut out = Vec::new();
    for id in mbx.inbox().await {
        let content = mbx.download(id).await;
        let text = String::from_utf8_lossy(&content);
        for isa in text.split("ISA*").skip(1) {
            out.push(isa.split('*').nth(12).unwrap().parse().unwrap());
        }
    }
    out
}

async fn crash(app: TestApp) {
    let users = app
        .directory()
        .user("ccsend", AuthLevel::MailboxUser, 100, 200)
        .user("ccrecv", AuthLevel::MailboxUser, 100, 201)
        .user("ccaudit", AuthLevel::MailboxUser, 100, 202)
        .build()
        .await;
    let from = app.add_partner(100, 200, "ZZ", "CRCCSEND", "s").await;
    let to = app.add_partner(100, 201, "ZZ", "CRCCRECV", "r").await;
    let cc_from = app.add_partner(100, 202, "ZZ", "CRCCAUDFROM", "af").await;
    let cc_to = app.add_partner(100, 202, "ZZ", "CRCCAUDIT", "a").await;
    let request = CarbonCopyRequest {
        scope: CarbonCopyScope::Pair {
            from,
            to,
            cc_from,
            cc_to,
            gs_from: String::new(),
            gs_to: String::new(),
            transaction_set: String::new(),
        },
        network: None,
        mailbox: None,
    };
    app.core
        .carbon_copy_add(&Caller::operator(), request)
        .await
        .unwrap();
    assert_ne!(cc_to, EcGridId(0));
    let key = |login: &str| app.api_key(users.user(login));
    let (send, recv, audit) = (
        key("ccsend").await,
        key("ccrecv").await,
        key("ccaudit").await,
    );
    let db_url = app.settings.database.clone();
    let log = app.database_path().with_file_name("server-cc.log");
    let _kept = app.stop().await;

    let next = Arc::new(Mutex::new(0u32));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let (acks, mut seen) = watch::channel(0usize);
    let mut target = 0;
    for round in 1..=KILLS {
        let (mut child, base) = serve(&db_url, &log).await;
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                tokio::spawn(worker(
                    base.clone(),
                    send.clone(),
                    next.clone(),
                    acked.clone(),
                    acks.clone(),
                ))
            })
            .collect();
        target += ACKS_PER_ROUND;
        tokio::time::timeout(Duration::from_secs(300), seen.wait_for(|n| *n >= target))
            .await
            .unwrap_or_else(|_| panic!("round {round}: fewer than {target} uploads acknowledged"))
            .unwrap();
        child.start_kill().unwrap();
        assert!(!child.wait().await.unwrap().success(), "killed, not exited");
        for task in tasks {
            task.await.unwrap();
        }
    }

    let (mut child, base) = serve(&db_url, &log).await;
    let mbx = |key: &String| Mbx {
        base: base.clone(),
        key: key.clone(),
        mailbox: 0,
        http: reqwest::Client::new(),
    };
    let delivered = controls(&mbx(&recv)).await;
    let copied = controls(&mbx(&audit)).await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();

    let once = |list: &[u32], who: &str| {
        let set: BTreeSet<u32> = list.iter().copied().collect();
        assert_eq!(set.len(), list.len(), "{who}: an interchange twice");
        set
    };
    let delivered = once(&delivered, "receiver");
    let copied = once(&copied, "auditor");
    assert_eq!(
        delivered, copied,
        "every delivery has its copy and every copy its delivery"
    );
    let acked: BTreeSet<u32> = acked.lock().unwrap().iter().copied().collect();
    assert!(
        acked.is_subset(&delivered),
        "acknowledged uploads are delivered and copied"
    );
    assert!(acked.len() >= target, "{} < {target}", acked.len());
    println!(
        "{} acknowledged, {} delivered and copied",
        acked.len(),
        delivered.len()
    );
}

#[tokio::test]
async fn copies_and_deliveries_survive_sigkill_together_on_sqlite() {
    crash(spawn_app().await).await;
}

#[tokio::test]
async fn copies_and_deliveries_survive_sigkill_together_on_postgres() {
    let Some(url) = fresh_postgres_url().await else {
        eprintln!("skipped: EDIGRID_TEST_DATABASE_URL is not set");
        return;
    };
    crash(spawn_app_with(|s| s.database = url).await).await;
}
