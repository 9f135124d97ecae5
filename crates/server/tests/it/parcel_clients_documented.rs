//! Acceptance 2 of issue 13, documented part: the parcel story (SPEC-VAN 15-19) through the
//! clients integrators use on edigrid's own WSDL, zeep (`tests/clients/python/
//! parcels_documented_flow.py`) and node `soap` (`tests/clients/node/parcels_flow.mjs`), then
//! what each flow left in the store; and a parcel uploaded in the documented dialect downloaded
//! byte for byte through the deployed dialect and REST.
//!
//! The flows run as `netadmin`, a NetworkAdmin of network 100 (mailbox 200); network 300 with
//! mailbox 400 (`carol`, ZZ:CAROL) is out of its scope and holds a parcel of its own.

use std::path::PathBuf;
use std::time::Duration;

use edigrid_core::parcels::model::Parcel;
use edigrid_domain::{
    AuthLevel, Direction, InterchangeStatus, MailboxId, ParcelId, ParcelState, UserId,
};
use edigrid_testkit::{DEPLOYED_NS, NS, TEST_PASSWORD, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::process::Command;

use crate::rest_auth::{Auth, call_json};
use crate::support::python::{Ran, python, repo_root};

const ADMIN: &str = "netadmin";

/// An ISA…IEA interchange of one 850 from `from` to `to`, every segment ending `~` and CR LF
/// (which then belong to the terminator); `extra` goes into its BEG segment.
fn x12(from: &str, to: &str, n: u32, extra: &str) -> String {
    let segments = [
        format!(
            "ISA*00*          *00*          *ZZ*{from:<15}*ZZ*{to:<15}*260507*0800*U*00401*{n:09}*0*P*>"
        ),
        format!("GS*PO*{from}*{to}*20260507*0930*{n}*X*004010"),
        "ST*850*0001".to_string(),
        format!("BEG*00*SA*PO{n}{extra}**20260507"),
        "SE*3*0001".to_string(),
        format!("GE*1*{n}"),
        format!("IEA*1*{n:09}"),
    ];
    segments.iter().map(|s| format!("{s}~\r\n")).collect()
}

/// The flows' world; returns the app, the admin and a parcel of mailbox 400.
async fn clients_app() -> (TestApp, UserId, i64) {
    let app = spawn_app().await;
    let users = app
        .directory()
        .user(ADMIN, AuthLevel::NetworkAdmin, 100, 200)
        .user("carol", AuthLevel::MailboxAdmin, 300, 400)
        .build()
        .await;
    app.add_partner(300, 400, "ZZ", "CAROL", "out of scope")
        .await;
    let carol = app.login("carol").await;
    let content = b64(x12("CAROL", "SOMEONE", 1, "").as_bytes());
    let params = [
        ("SessionID", carol.as_str()),
        ("FileName", "far.x12"),
        ("Content", &content),
    ];
    let reply = app.soap_ok_in(NS, "ParcelUpload", &params).await;
    let far = reply.expect_field("ParcelUploadResult").parse().unwrap();
    (app, users.user(ADMIN), far)
}

/// The JSON of the `CREATED` line of a flow that exited 0 and printed PASS.
fn created(ran: &Ran, what: &str) -> Value {
    ran.assert_passed(what, "PASS ");
    let line = ran
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("CREATED "))
        .unwrap_or_else(|| panic!("{what} printed no CREATED line:\n{}", ran.stdout));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("CREATED is not JSON ({e}): {line}"))
}

fn long(v: &Value, key: &str) -> i64 {
    v[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

async fn stored(app: &TestApp, id: i64) -> Parcel {
    app.core
        .store()
        .parcel(ParcelId(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("parcel {id} is not stored"))
}

/// What a flow left: B's parcel confirmed with exactly the two interchanges for B, A's upload
/// in error with the one for nobody unrouted, and the flow's sessions ended.
async fn assert_story_stored(app: &TestApp, admin: UserId, created: &Value) {
    let boxes: Vec<i32> = created["mailboxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| i32::try_from(m.as_i64().unwrap()).unwrap())
        .collect();
    let (out, inbound) = (long(created, "outbound"), long(created, "inbound"));
    let delivery = stored(app, inbound).await;
    assert_eq!(
        (
            delivery.direction,
            delivery.mailbox_id,
            delivery.state,
            delivery.source
        ),
        (
            Direction::InBox,
            MailboxId(boxes[1]),
            ParcelState::InBoxArchived,
            Some(ParcelId(out))
        ),
        "B's parcel: delivered from A's upload, confirmed"
    );
    let content = app
        .core
        .store()
        .parcel_content(ParcelId(inbound))
        .await
        .unwrap();
    let content = content.expect("the confirmed parcel's content is kept (no delete-on-download)");
    assert_eq!(content.bytes, text(created, "delivered").as_bytes());
    let upload = stored(app, out).await;
    assert_eq!(
        (
            upload.direction,
            upload.mailbox_id,
            upload.state,
            upload.bytes
        ),
        (
            Direction::OutBox,
            MailboxId(boxes[0]),
            ParcelState::OutBoxDeliveryError,
            i64::try_from(text(created, "upload").len()).unwrap()
        ),
        "A's upload: in error"
    );
    let sent = app
        .core
        .store()
        .parcel_interchanges(ParcelId(out))
        .await
        .unwrap();
    let fates: Vec<_> = sent
        .iter()
        .map(|i| (i.status, i.receiver.clone()))
        .collect();
    let (b, nobody) = (
        fates[0].1.clone(),
        format!("ZZ:{}", text(created, "nobody")),
    );
    assert_eq!(
        fates,
        [
            (InterchangeStatus::Delivered, b.clone()),
            (InterchangeStatus::NoRoute, nobody),
            (InterchangeStatus::Delivered, b),
        ]
    );
    let sessions = app.core.list_sessions(Some(admin), 100).await.unwrap();
    assert!(
        !sessions.is_empty() && sessions.iter().all(|s| s.ended.is_some()),
        "the flow logs out: {sessions:#?}"
    );
}

/// The zeep flow in SOAP `version` (1.1 or 1.2), then what it stored.
async fn zeep_story(version: &str) {
    let (app, admin, far) = clients_app().await;
    let script = repo_root().join("tests/clients/python/parcels_documented_flow.py");
    let args: Vec<PathBuf> = [
        script.display().to_string(),
        "--wsdl".into(),
        app.wsdl_url(),
        "--login".into(),
        ADMIN.into(),
        "--password".into(),
        TEST_PASSWORD.into(),
        "--far-parcel".into(),
        far.to_string(),
        "--soap".into(),
        version.into(),
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect();
    let ran = tokio::time::timeout(Duration::from_secs(120), python(&args))
        .await
        .expect("the zeep flow ran for over 2 minutes");
    let created = created(&ran, "parcels_documented_flow.py");
    assert_story_stored(&app, admin, &created).await;
}

#[tokio::test]
async fn zeep_on_edigrids_wsdl_runs_the_documented_parcel_story_over_soap_11() {
    zeep_story("1.1").await;
}

#[tokio::test]
async fn zeep_on_edigrids_wsdl_runs_the_documented_parcel_story_over_soap_12() {
    zeep_story("1.2").await;
}

#[tokio::test]
async fn node_soap_on_edigrids_wsdl_runs_the_documented_parcel_story() {
    let (app, admin, _) = clients_app().await;
    let root = repo_root();
    let script = root.join("tests/clients/node/parcels_flow.mjs");
    let run = Command::new("node")
        .arg(&script)
        .args([
            "--wsdl",
            &app.wsdl_url(),
            "--login",
            ADMIN,
            "--password",
            TEST_PASSWORD,
        ])
        .current_dir(&root)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the node flow ran for over 2 minutes")
        .unwrap_or_else(|e| panic!("cannot run node ({e}); run scripts/install-test-clients.sh"));
    let ran = Ran {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    let created = created(&ran, "parcels_flow.mjs");
    assert_story_stored(&app, admin, &created).await;
}

// ---- one upload, three downloads ------------------------------------------------------------

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = (0..3).fold(0u32, |n, i| n << 8 | u32::from(*chunk.get(i).unwrap_or(&0)));
        for i in 0..4 {
            let c = B64[(n >> (18 - 6 * i) & 63) as usize] as char;
            out.push(if i <= chunk.len() { c } else { '=' });
        }
    }
    out
}

fn unb64(text: &str) -> Vec<u8> {
    let (mut out, mut n, mut bits) = (Vec::new(), 0u32, 0);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        n = n << 6 | B64.iter().position(|b| *b == c).expect("base64") as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((n >> bits & 0xFF) as u8);
        }
    }
    out
}

#[tokio::test]
async fn a_documented_upload_downloads_byte_identical_through_the_deployed_dialect_and_rest() {
    let app = spawn_app().await;
    let users = app
        .directory()
        .user("alice", AuthLevel::MailboxAdmin, 100, 200)
        .user("bob", AuthLevel::MailboxAdmin, 100, 201)
        .build()
        .await;
    app.add_partner(100, 200, "ZZ", "ALICE", "A").await;
    app.add_partner(100, 201, "ZZ", "BOB", "B").await;
    let alice = app.login("alice").await;
    // CR LF ending every segment (part of its terminator) and a byte that is not UTF-8 in the
    // data: kept as they are.
    let mut want = x12("ALICE", "BOB", 1, "").into_bytes();
    let mut second = x12("ALICE", "BOB", 2, "Q").into_bytes();
    let at = second.iter().position(|b| *b == b'Q').unwrap();
    second[at] = 0xE9;
    want.extend_from_slice(&second);
    let content = b64(&want);
    let params = [
        ("SessionID", alice.as_str()),
        ("FileName", "cross.x12"),
        ("Content", content.as_str()),
    ];
    app.soap_ok_in(NS, "ParcelUpload", &params).await;
    let bob = app.login("bob").await;
    let inbox = app
        .soap_ok_in(NS, "ParcelInBox", &[("SessionID", &bob)])
        .await;
    let ids = inbox.all("ParcelID");
    assert_eq!(ids.len(), 1, "{}", inbox.body);
    let id = &ids[0];

    let deployed_sid = app
        .soap_ok_in(
            DEPLOYED_NS,
            "Login",
            &[("LoginName", "bob"), ("Password", TEST_PASSWORD)],
        )
        .await
        .expect_field("LoginResult");
    let file = app
        .soap_ok_in(
            DEPLOYED_NS,
            "ParcelDownloadNoUpdate",
            &[("SessionID", &deployed_sid), ("ParcelID", id)],
        )
        .await;
    assert_eq!(
        unb64(&file.expect_field("Content")),
        want,
        "deployed ParcelDownloadNoUpdate"
    );

    let key = app.api_key(users.user("bob")).await;
    let parcel_id: i64 = id.parse().unwrap();
    let body = json!({ "parcelId": parcel_id });
    let path = "/v2/parcels/download";
    let reply = call_json(&app, Method::POST, path, Auth::Key(&key), &body).await;
    assert_eq!(unb64(text(reply.ok(), "content")), want, "REST {path}");

    let documented = app
        .soap_ok_in(
            NS,
            "ParcelDownload",
            &[("SessionID", &bob), ("ParcelID", id)],
        )
        .await;
    assert_eq!(
        unb64(&documented.expect_field("ParcelDownloadResult")),
        want
    );
}
