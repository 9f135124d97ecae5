//! Reports (SPEC-VAN 20, issue 14 acceptance 5): parcels are routed (some interchanges
//! delivered, some without a route), what was routed is read back from the parcel and
//! interchange records, and every report of every front end must count and sum the same —
//! the deployed dialect's `DataSet`s read by zeep and by PHP's `SoapClient`, the documented
//! dialect by zeep, REST by requests (`tests/clients/python/reports_flow.py`,
//! `tests/clients/php/reports.php`) — each caller seeing only its scope.
//!
//! The world: network 100 with mailbox 200 (`sender`, ZZ:PARCELSA) and 201 (`receiver`,
//! ZZ:PARCELSB), `netadmin` of 100; network 300 with mailbox 400 (`faruser`). The sender
//! uploads `tests/data/parcels/three_x12.edi` twice: each time two interchanges go to
//! PARCELSB and one to NOBODYHERE, which no ID has.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use edigrid_core::Clock;
use edigrid_domain::AuthLevel;
use edigrid_testkit::{DEPLOYED_NS as DEP, TestApp, fresh_postgres_url, spawn_app, spawn_app_with};
use serde_json::{Value, json};

use crate::support::python::{python, repo_root};

const X12: &str = include_str!("../../../../tests/data/parcels/three_x12.edi");
const UPLOADS: i64 = 2;

/// What a caller must see: the keys `reports_flow.py` reads.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Counts {
    pi: i64,
    po: i64,
    bi: i64,
    bo: i64,
    ii: i64,
    io: i64,
    ibi: i64,
    ibo: i64,
}

impl Counts {
    fn json(&self) -> Value {
        json!({"pi": self.pi, "po": self.po, "bi": self.bi, "bo": self.bo,
               "ii": self.ii, "io": self.io, "ibi": self.ibi, "ibo": self.ibo})
    }

    fn plus(self, o: Counts) -> Counts {
        Counts {
            pi: self.pi + o.pi,
            po: self.po + o.po,
            bi: self.bi + o.bi,
            bo: self.bo + o.bo,
            ii: self.ii + o.ii,
            io: self.io + o.io,
            ibi: self.ibi + o.ibi,
            ibo: self.ibo + o.ibo,
        }
    }
}

struct World {
    app: TestApp,
    sender: String,
    receiver: String,
    netadmin: String,
    far: String,
    /// PARCELSB's ECGridID.
    id_b: i32,
    http: reqwest::Client,
}

impl World {
    async fn new(app: TestApp) -> World {
        let d = app
            .directory()
            .user("sender", AuthLevel::MailboxUser, 100, 200)
            .user("receiver", AuthLevel::MailboxUser, 100, 201)
            .user("netadmin", AuthLevel::NetworkAdmin, 100, 200)
            .user("faruser", AuthLevel::MailboxUser, 300, 400)
            .build()
            .await;
        app.add_partner(100, 200, "ZZ", "PARCELSA", "A").await;
        let id_b = app.add_partner(100, 201, "ZZ", "PARCELSB", "B").await.0;
        app.add_partner(300, 400, "ZZ", "FARAWAY", "far").await;
        World {
            sender: app.api_key(d.user("sender")).await,
            receiver: app.api_key(d.user("receiver")).await,
            netadmin: app.api_key(d.user("netadmin")).await,
            far: app.api_key(d.user("faruser")).await,
            id_b,
            http: reqwest::Client::new(),
            app,
        }
    }

    async fn rest(&self, key: &str, path: &str, body: Value) -> Value {
        let reply = self
            .http
            .post(format!("{}{path}", self.app.base_url()))
            .header("X-API-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = reply.status();
        let json: Value = reply.json().await.unwrap();
        assert_eq!(status, 200, "{path}: {json}");
        json["data"].clone()
    }

    /// Uploads the file; the parcels and interchanges then read back from the records
    /// give what each mailbox must see.
    async fn route(&self) -> (Counts, Counts) {
        for _ in 0..UPLOADS {
            let body = json!({"fileName": "three.x12", "content": BASE64.encode(X12)});
            self.rest(&self.sender, "/v2/parcels/upload", body).await;
        }
        let outbox = self
            .rest(&self.sender, "/v2/parcels/outbox-list", json!({}))
            .await;
        let inbox = self
            .rest(&self.receiver, "/v2/parcels/inbox-list", json!({}))
            .await;
        let bytes = |list: &Value| -> (i64, i64) {
            let list = list.as_array().unwrap();
            let sum = list.iter().map(|p| p["bytes"].as_i64().unwrap()).sum();
            (i64::try_from(list.len()).unwrap(), sum)
        };
        let ((po, bo), (pi, bi)) = (bytes(&outbox), bytes(&inbox));
        assert_eq!(
            (po, pi),
            (UPLOADS, UPLOADS),
            "one upload, one delivery each"
        );
        let sent = self
            .rest(&self.sender, "/v2/interchanges/outbox-list", json!({}))
            .await;
        let received = self
            .rest(&self.receiver, "/v2/interchanges/inbox-list", json!({}))
            .await;
        let sent = sent["interchanges"].as_array().unwrap();
        let received = received["interchanges"].as_array().unwrap();
        let delivered = sent.iter().filter(|i| i["status"] == "Delivered").count();
        assert_eq!(sent.len(), 3 * 2, "three interchanges an upload");
        assert_eq!(
            (delivered, received.len()),
            (2 * 2, 2 * 2),
            "two delivered an upload"
        );
        // An interchange's bytes are its line of the file.
        let lines: Vec<&str> = X12.lines().filter(|l| !l.is_empty()).collect();
        let length = |control: &str| -> i64 {
            let line = lines.iter().find(|l| l.contains(control)).unwrap();
            i64::try_from(line.len()).unwrap()
        };
        let sum = |list: &[Value]| -> i64 {
            list.iter()
                .map(|i| length(i["controlNumber"].as_str().unwrap()))
                .sum()
        };
        let n = |len: usize| i64::try_from(len).unwrap();
        let sender = Counts {
            po,
            bo,
            io: n(sent.len()),
            ibo: sum(sent),
            ..Counts::default()
        };
        let receiver = Counts {
            pi,
            bi,
            ii: n(received.len()),
            ibi: sum(received),
            ..Counts::default()
        };
        (sender, receiver)
    }

    /// Runs the three clients as the owner of `key`, who must see `mailboxes`.
    async fn flow(&self, key: &str, mailboxes: &[(i32, Counts)]) {
        let total = mailboxes
            .iter()
            .fold(Counts::default(), |t, (_, c)| t.plus(*c));
        let expect = json!({
            "total": total.json(),
            "mailboxes": mailboxes.iter().map(|(m, c)| (m.to_string(), c.json())).collect::<serde_json::Map<_, _>>(),
        });
        let now = self.app.clock.now().to_rfc3339();
        let script = repo_root().join("tests/clients/python/reports_flow.py");
        let args: Vec<PathBuf> = [
            script.display().to_string(),
            "--wsdl".into(),
            deployed_wsdl().display().to_string(),
            "--url".into(),
            self.app.soap_url(),
            "--documented-wsdl".into(),
            self.app.wsdl_url(),
            "--base".into(),
            self.app.base_url(),
            "--key".into(),
            key.into(),
            "--now".into(),
            now,
            "--expect".into(),
            expect.to_string(),
        ]
        .into_iter()
        .map(PathBuf::from)
        .collect();
        let ran = tokio::time::timeout(Duration::from_secs(180), python(&args))
            .await
            .expect("reports_flow.py ran for over 3 minutes");
        ran.assert_passed("reports_flow.py", "PASS ");
        self.php(key, &total, mailboxes).await;
    }

    /// PHP's `SoapClient` reads the deployed `DataSet`s (`tests/clients/php/reports.php`):
    /// the same mailbox rows and the day's totals.
    async fn php(&self, key: &str, total: &Counts, mailboxes: &[(i32, Counts)]) {
        let script = repo_root().join("tests/clients/php/reports.php");
        let now = self
            .app
            .clock
            .now()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let output = tokio::process::Command::new("php")
            .arg(&script)
            .arg(deployed_wsdl())
            .arg(self.app.soap_url())
            .arg(key)
            .arg(&now)
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(Duration::from_secs(60), output)
            .await
            .expect("reports.php ran for over a minute")
            .expect("no php: run scripts/install-test-clients.sh (php-cli, php-soap, php-xml)");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("PASS php reports"),
            "reports.php failed\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json_of = |prefix: &str| -> Vec<Value> {
            let line = stdout.lines().find_map(|l| l.strip_prefix(prefix)).unwrap();
            serde_json::from_str(line).unwrap()
        };
        let cell =
            |row: &Value, name: &str| -> i64 { row[name].as_str().unwrap().parse().unwrap() };
        let parcels = |row: &Value| Counts {
            pi: cell(row, "ParcelsIn"),
            po: cell(row, "ParcelsOut"),
            bi: cell(row, "BytesIn"),
            bo: cell(row, "BytesOut"),
            ii: cell(row, "InterchangesIn"),
            io: cell(row, "InterchangesOut"),
            ..Counts::default()
        };
        let without_interchange_bytes = |c: &Counts| Counts {
            ibi: 0,
            ibo: 0,
            ..*c
        };
        let rows: Vec<(i32, Counts)> = json_of("MAILBOXES ")
            .iter()
            .map(|r| (i32::try_from(cell(r, "MailboxID")).unwrap(), parcels(r)))
            .collect();
        let want: Vec<(i32, Counts)> = mailboxes
            .iter()
            .map(|(m, c)| (*m, without_interchange_bytes(c)))
            .collect();
        assert_eq!(rows, want, "PHP ReportMailboxStats");
        let traffic = json_of("TRAFFIC ");
        assert_eq!(traffic.len(), 1, "PHP ReportTrafficStats");
        assert_eq!(
            parcels(&traffic[0]),
            without_interchange_bytes(total),
            "PHP ReportTrafficStats"
        );
    }
}

fn deployed_wsdl() -> PathBuf {
    let root = repo_root();
    [
        root.join("crates/soap/data/ECGridOS-v4.1-deployed.wsdl"),
        root.join("../shared/upstream/ECGridOS-v4.1-deployed.wsdl"),
    ]
    .into_iter()
    .find(|p| p.is_file())
    .expect("the deployed WSDL is neither in crates/soap/data nor in ../shared/upstream")
}

async fn counts_agree_in_every_front_end(app: TestApp) {
    let w = World::new(app).await;
    let (sender, receiver) = w.route().await;
    assert!(sender.bo > 0 && receiver.bi > 0 && sender.ibo > receiver.ibi);
    // A mailbox user sees its own mailbox only; the network's admin both; another network
    // nothing.
    w.flow(&w.sender, &[(200, sender)]).await;
    w.flow(&w.receiver, &[(201, receiver)]).await;
    w.flow(&w.netadmin, &[(200, sender), (201, receiver)]).await;
    w.flow(&w.far, &[]).await;
}

#[tokio::test]
async fn reports_agree_with_what_was_routed_on_sqlite() {
    counts_agree_in_every_front_end(spawn_app().await).await;
}

#[tokio::test]
async fn reports_agree_with_what_was_routed_on_postgres() {
    let Some(url) = fresh_postgres_url().await else {
        return;
    };
    counts_agree_in_every_front_end(spawn_app_with(|s| s.database = url).await).await;
}

/// An operation, its parameters, and the fault's category and item.
type Case = (
    &'static str,
    Vec<(&'static str, String)>,
    &'static str,
    &'static str,
);

/// Raw envelopes: a mailbox user naming another mailbox, a reversed or too long range, a
/// bad period count and an unknown report each get a fault naming the parameter; the public
/// report needs no session.
#[tokio::test]
async fn reports_refuse_what_is_out_of_scope_or_malformed() {
    let w = World::new(spawn_app().await).await;
    w.route().await;
    let now = w.app.clock.now();
    let at = |d: chrono::Duration| (now + d).format("%Y-%m-%dT%H:%M:%S").to_string();
    let today = at(chrono::Duration::zero());
    let cases: Vec<Case> = vec![
        (
            "ReportMailboxStatsEx",
            vec![("NetworkID", "100".into()), ("MailboxID", "201".into())],
            "AccessDenied",
            "",
        ),
        (
            "ReportTrafficStatsEx",
            vec![
                ("NetworkID", "300".into()),
                ("MailboxID", "0".into()),
                ("TargetTime", today.clone()),
                ("NumPeriods", "1".into()),
                ("Period", "Day".into()),
            ],
            "AccessDenied",
            "",
        ),
        (
            "ReportTrafficStats",
            vec![
                ("TargetTime", today.clone()),
                ("NumPeriods", "0".into()),
                ("Period", "Day".into()),
            ],
            "InvalidParameter",
            "NumPeriods",
        ),
        (
            "ReportInterchangeStats",
            vec![
                ("StartTime", today.clone()),
                ("EndTime", at(chrono::Duration::days(-1))),
                ("Direction", "NoDir".into()),
            ],
            "InvalidParameter",
            "EndTime",
        ),
        (
            "ReportInterchangeStats",
            vec![
                ("StartTime", today.clone()),
                ("EndTime", at(chrono::Duration::days(400))),
                ("Direction", "NoDir".into()),
            ],
            "InvalidParameter",
            "EndTime",
        ),
        (
            "ReportMonthly",
            vec![("Report", "9".into()), ("Month", today.clone())],
            "InvalidParameter",
            "Report",
        ),
        (
            "ReportInstantStats",
            vec![("Minutes1", "0".into()), ("Minutes2", "5".into())],
            "InvalidParameter",
            "Minutes1",
        ),
    ];
    for (op, params, category, item) in cases {
        let mut all = vec![("SessionID", w.sender.as_str())];
        all.extend(params.iter().map(|(k, v)| (*k, v.as_str())));
        let fault = w.app.soap_in(DEP, op, &all).await.expect_fault();
        let text = format!("{fault:?}");
        assert!(text.contains(category), "{op}: {text}");
        assert!(text.contains(item), "{op}: {text}");
    }
    // The Ex twins name what the caller may read: the network's admin a mailbox, or an ID
    // (meaning its mailbox).
    let ex = w
        .app
        .soap_in(
            DEP,
            "ReportMailboxStatsEx",
            &[
                ("SessionID", w.netadmin.as_str()),
                ("NetworkID", "100"),
                ("MailboxID", "201"),
            ],
        )
        .await;
    assert!(ex.fault().is_none(), "{}", ex.body);
    assert_eq!(ex.all("MailboxID"), ["201"], "{}", ex.body);
    assert_eq!(ex.all("ParcelsIn"), [UPLOADS.to_string()], "{}", ex.body);
    let ecgrid_id = w.id_b.to_string();
    let instant = w
        .app
        .soap_in(
            DEP,
            "ReportInstantStatsEx",
            &[
                ("SessionID", w.netadmin.as_str()),
                ("NetworkID", "0"),
                ("MailboxID", "0"),
                ("ECGridID", ecgrid_id.as_str()),
                ("Minutes1", "5"),
                ("Minutes2", "60"),
            ],
        )
        .await;
    assert!(instant.fault().is_none(), "{ecgrid_id}: {}", instant.body);
    assert_eq!(
        instant.all("ParcelsIn1"),
        [UPLOADS.to_string()],
        "{}",
        instant.body
    );
    assert_eq!(instant.all("ParcelsOut1"), ["0"], "{}", instant.body);
    // Without a session, the public report answers; the others do not.
    let public = w.app.soap_in(DEP, "ReportTrafficStatsPublic", &[]).await;
    assert!(public.fault().is_none(), "{}", public.body);
    assert_eq!(
        public.body.matches("<Table ").count(),
        24,
        "{}",
        public.body
    );
    let parcels_out: i64 = public
        .all("ParcelsOut")
        .iter()
        .map(|n| n.parse::<i64>().unwrap())
        .sum();
    assert_eq!(parcels_out, UPLOADS, "{}", public.body);
    let anonymous = w.app.soap_in(DEP, "ReportMailboxStats", &[]).await;
    assert!(anonymous.fault().is_some(), "{}", anonymous.body);
    // REST names the body's fields.
    let reply = w
        .http
        .post(format!("{}/v2/reports/traffic-stats", w.app.base_url()))
        .header("X-API-Key", &w.sender)
        .json(
            &json!({"targetTime": "2026-01-01T00:00:00Z", "numPeriods": 1, "period": "Fortnight"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 400);
    let body: Value = reply.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("period"),
        "{body}"
    );
    let reply = w
        .http
        .get(format!("{}/v2/reports/maybe", w.app.base_url()))
        .header("X-API-Key", &w.sender)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 400);
}
