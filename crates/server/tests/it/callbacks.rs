//! Issue 14, acceptance items 1 and 7 (SPEC-VAN 20): callbacks against a real receiver (a
//! TCP server in the test), on SQLite and on PostgreSQL, through the deployed dialect.
//! - An `InBox` callback on mailbox B: A's upload to B makes exactly one POST, with B's
//!   Basic credentials, whose payload names the inbound parcel and whose signature the
//!   Python `standardwebhooks` library verifies.
//! - A receiver answering 500, 500, 200 gets three attempts of the same message, the
//!   delay before each retry twice the one before (the server's clock is the test's).
//! - One that never succeeds ends `Error` (failed), is listed by `CallBackFailedList`, and
//!   `CallBackEventSetStatus` `Active` re-arms it: it is delivered.
//! - A server stopped with a delivery claimed and unanswered and started again on the same
//!   database delivers it once its claim runs out.
//! - Redirects are not followed; an endless answer is cut at the bound; private and
//!   loopback targets are refused unless `callback_allow_private` (names too, when they
//!   resolve to such an address at sending time); bad input and callers without authority
//!   change nothing.
//! - A mailbox's queue lists leave out the deliveries of its network's registrations (whose
//!   URLs only the network's administrators may read), though made for its own events.

use std::time::Duration;

use chrono::DateTime;
use edigrid_core::Clock;
use edigrid_domain::AuthLevel;
use edigrid_testkit::{DEPLOYED_NS as DEP, SoapReply, TestApp};
use serde_json::Value;

use crate::callbacks_receiver::{Answer, Receiver, Seen};
use crate::parcel_bad_input::x12;
use crate::parcel_corpus::base64;
use crate::support::python::python;

/// The first retry's delay in these tests; later ones double. The clock is the test's, so
/// the value costs no waiting.
const BASE_MS: u64 = 60_000;
const WAIT: Duration = Duration::from_secs(20);

macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::app(None).await).await;
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
                    super::$name(super::app(Some(url)).await).await;
                }
            )+
        }
    };
}

on_both_backends!(
    an_upload_makes_one_signed_post_naming_the_parcel,
    retries_back_off_then_fail_then_are_rearmed,
    a_stopped_server_sends_a_claimed_delivery_once_after_restart,
    redirects_are_not_followed_and_endless_answers_are_cut,
    bad_registrations_and_strangers_change_nothing,
    a_mailbox_lists_only_its_own_registrations_deliveries,
);

pub(crate) async fn app(database: Option<String>) -> TestApp {
    edigrid_testkit::spawn_app_with(|s| {
        if let Some(url) = database {
            s.database = url;
        }
        s.callback_allow_private = true;
        s.callback_retry_base_ms = BASE_MS;
        s.callback_poll_ms = 20;
        s.callback_timeout_ms = 2_000;
        s.callback_lease_secs = 5;
        s.callback_max_response_bytes = 4096;
    })
    .await
}

pub(crate) struct World {
    pub app: TestApp,
    /// Sessions: A's MailboxAdmin, B's MailboxAdmin, a MailboxUser of B, a stranger.
    pub a: String,
    pub b: String,
    pub b_user: String,
    pub far: String,
}

impl World {
    pub(crate) async fn new(app: TestApp) -> World {
        app.directory()
            .user("cba", AuthLevel::MailboxAdmin, 100, 200)
            .user("cbb", AuthLevel::MailboxAdmin, 100, 201)
            .user("cbbuser", AuthLevel::MailboxUser, 100, 201)
            .user("cbfar", AuthLevel::MailboxAdmin, 300, 400)
            .build()
            .await;
        app.add_partner(100, 200, "ZZ", "CBSENDER", "A").await;
        app.add_partner(100, 201, "ZZ", "CBRECEIVER", "B").await;
        app.add_partner(300, 400, "ZZ", "CBFAR", "far").await;
        let login = |name: &'static str| {
            let app = &app;
            async move {
                let params = [
                    ("LoginName", name),
                    ("Password", edigrid_testkit::TEST_PASSWORD),
                ];
                app.soap_ok_in(DEP, "Login", &params)
                    .await
                    .expect_field("LoginResult")
            }
        };
        World {
            a: login("cba").await,
            b: login("cbb").await,
            b_user: login("cbbuser").await,
            far: login("cbfar").await,
            app,
        }
    }

    pub(crate) async fn call(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
        let mut all = vec![("SessionID", sid)];
        all.extend_from_slice(params);
        self.app.soap_in(DEP, op, &all).await
    }

    pub(crate) async fn ok(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
        let reply = self.call(sid, op, params).await;
        assert!(
            reply.status == 200 && reply.fault().is_none(),
            "{op} {params:?}: {}",
            reply.body
        );
        reply
    }

    /// B registers an `InBox` callback on its own mailbox; its CallBackEventID.
    pub(crate) async fn register(&self, url: &str, retries: &str) -> String {
        let reply = self
            .ok(
                &self.b,
                "CallBackAddEx",
                &add_params(url, retries, "InBox", "Basic"),
            )
            .await;
        reply.expect_field("CallBackEventID")
    }

    /// A uploads one interchange to B; the outbound ParcelID.
    pub(crate) async fn upload(&self, control: u32) -> String {
        let content = x12("ZZ:CBSENDER", "ZZ:CBRECEIVER", control, 0);
        let encoded = base64(content.as_bytes());
        let params = [("FileName", "cb.x12"), ("ContentBase64", encoded.as_str())];
        self.ok(&self.a, "ParcelUploadA", &params)
            .await
            .expect_field("ParcelUploadAResult")
    }

    /// The registration's secret, as `edigrid callback show` prints it.
    pub(crate) async fn secret(&self, id: &str) -> String {
        let r = self
            .app
            .core
            .store()
            .registration(id.parse().unwrap())
            .await
            .unwrap();
        r.unwrap().secret
    }

    /// A delivery's queue record (`CallBackQueueInfo`) once `done` holds for it.
    async fn queue_when(&self, id: i64, done: impl Fn(&SoapReply) -> bool) -> SoapReply {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let reply = self
                .ok(
                    &self.b,
                    "CallBackQueueInfo",
                    &[("CallBackQueueID", &id.to_string())],
                )
                .await;
            if done(&reply) || std::time::Instant::now() > deadline {
                return reply;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub(crate) fn add_params<'a>(
    url: &'a str,
    retries: &'a str,
    direction: &'a str,
    auth: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("NetworkID", "0"),
        ("MailboxID", "0"),
        ("UserID", "0"),
        ("SystemObject", "Parcel"),
        ("ObjectStatus", "0"),
        ("Direction", direction),
        ("Frequency", "1"),
        ("MaxRetries", retries),
        ("URL", url),
        ("HTTPAuthentication", auth),
        ("HTTPUser", "hook-user"),
        ("HTTPPassword", "hook-pass"),
        ("Status", "Active"),
    ]
}

fn payload(seen: &Seen) -> Value {
    serde_json::from_slice(&seen.body).unwrap()
}

fn status(reply: &SoapReply) -> String {
    reply.expect_field("Status")
}

/// Verifies a request's signature with the Python `standardwebhooks` library.
pub(crate) async fn verify_with_python(seen: &Seen, secret: &str) {
    let script = "import sys, json\n\
        from standardwebhooks.webhooks import Webhook\n\
        secret, body, wid, ts, sig = sys.argv[1:6]\n\
        Webhook(secret).verify(body, {'webhook-id': wid, 'webhook-timestamp': ts, 'webhook-signature': sig})\n\
        print('verified')\n";
    let h = |k: &str| seen.headers.get(k).cloned().unwrap_or_default();
    let body = String::from_utf8(seen.body.clone()).unwrap();
    let args = [
        "-c".to_string(),
        script.to_string(),
        secret.to_string(),
        body.clone(),
        h("webhook-id"),
        h("webhook-timestamp"),
        h("webhook-signature"),
    ];
    let ran = python(&args).await;
    ran.assert_passed("standardwebhooks verification", "verified");
    // And a tampered body fails, so the check above can fail.
    let mut bad = args.clone();
    bad[3] = body.replace("\"isTest\"", "\"isTesT\"");
    assert!(!python(&bad).await.success, "a changed body still verified");
}

async fn an_upload_makes_one_signed_post_naming_the_parcel(app: TestApp) {
    let w = World::new(app).await;
    let rx = Receiver::start("127.0.0.1", Answer::Status(200)).await;
    let id = w.register(&rx.url("/hook"), "3").await;
    w.upload(1).await;
    let seen = rx.wait_for(1, WAIT).await;
    assert_eq!(seen.len(), 1, "one POST");
    let p = payload(&seen[0]);
    let inbox = w.ok(&w.b, "ParcelInBox", &[]).await;
    let parcels = inbox.all("ParcelID");
    assert_eq!(parcels.len(), 1, "{}", inbox.body);
    assert_eq!(p["parcelId"].to_string(), parcels[0], "{p}");
    assert_eq!(p["callBackEvent"], "InBox");
    assert_eq!(p["mailboxId"], 201);
    assert_eq!(p["fileName"], "cb.x12");
    assert_eq!(p["isTest"], false);
    assert_eq!(seen[0].path, "/hook");
    // hook-user:hook-pass
    assert_eq!(
        seen[0].headers.get("authorization").map(String::as_str),
        Some("Basic aG9vay11c2VyOmhvb2stcGFzcw==")
    );
    verify_with_python(&seen[0], &w.secret(&id).await).await;
    let delivery = p["eventId"].as_i64().unwrap();
    let q = w.queue_when(delivery, |r| status(r) == "Completed").await;
    assert_eq!(status(&q), "Completed", "{}", q.body);
    // Recorded as delivered: nothing is sent again.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(rx.seen().len(), 1, "exactly one POST");
    // The sender's upload raised nothing for B's InBox registration beyond that; A has none.
    let pending = w.ok(&w.b, "CallBackPendingList", &[]).await;
    assert!(
        pending.all("CallBackQueueID").is_empty(),
        "{}",
        pending.body
    );
}

/// Advances the server's clock to a delivery's `NextCall`.
async fn advance_to_next_call(w: &World, q: &SoapReply) {
    let next = DateTime::parse_from_rfc3339(&format!(
        "{}Z",
        q.expect_field("NextCall").trim_end_matches('Z')
    ))
    .unwrap()
    .with_timezone(&chrono::Utc);
    let now = w.app.clock.now();
    if next > now {
        w.app.clock.advance(next - now);
    }
}

async fn retries_back_off_then_fail_then_are_rearmed(app: TestApp) {
    let w = World::new(app).await;
    let rx = Receiver::start("127.0.0.1", Answer::Status(200)).await;
    rx.script(&[
        Answer::Status(500),
        Answer::Status(500),
        Answer::Status(200),
    ]);
    let id = w.register(&rx.url("/retry"), "2").await;
    w.upload(2).await;
    let first = rx.wait_for(1, WAIT).await;
    let delivery = payload(&first[0])["eventId"].as_i64().unwrap();
    let mut delays = Vec::new();
    for attempt in 1..=2 {
        let q = w
            .queue_when(delivery, |r| {
                status(r) == "Pending" && r.all("CallNumber") == [attempt.to_string()]
            })
            .await;
        assert_eq!(status(&q), "Pending", "{}", q.body);
        let last = q.all("Date");
        let next = q.expect_field("NextCall");
        delays.push((last.last().cloned().unwrap(), next));
        assert_eq!(rx.seen().len(), attempt, "no retry before its time");
        advance_to_next_call(&w, &q).await;
        rx.wait_for(attempt + 1, WAIT).await;
    }
    let q = w.queue_when(delivery, |r| status(r) == "Completed").await;
    assert_eq!(status(&q), "Completed", "{}", q.body);
    let seen = rx.seen();
    assert_eq!(seen.len(), 3, "three attempts");
    let ids: Vec<_> = seen
        .iter()
        .map(|s| s.headers["webhook-id"].clone())
        .collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "one message id: {ids:?}");
    let gap = |(last, next): &(String, String)| {
        let p = |t: &str| {
            DateTime::parse_from_rfc3339(&format!("{}Z", t.trim_end_matches('Z'))).unwrap()
        };
        (p(next) - p(last)).num_milliseconds()
    };
    let gaps: Vec<i64> = delays.iter().map(gap).collect();
    assert_eq!(gaps, vec![BASE_MS as i64, 2 * BASE_MS as i64], "{delays:?}");

    // Never succeeding: three attempts, then failed and listed.
    rx.script(&[Answer::Status(503); 3]);
    w.upload(3).await;
    let seen = rx.wait_for(4, WAIT).await;
    let delivery = payload(&seen[3])["eventId"].as_i64().unwrap();
    for n in 1..=2 {
        let q = w
            .queue_when(delivery, |r| {
                r.all("CallNumber") == [n.to_string()] && status(r) == "Pending"
            })
            .await;
        advance_to_next_call(&w, &q).await;
        rx.wait_for(4 + n, WAIT).await;
    }
    let q = w.queue_when(delivery, |r| status(r) == "Error").await;
    assert_eq!(status(&q), "Error", "{}", q.body);
    assert_eq!(q.expect_field("CallsRemaining"), "0");
    assert_eq!(q.expect_field("ReturnCode"), "503");
    let failed = w.ok(&w.b, "CallBackFailedList", &[("MaxDays", "1")]).await;
    assert_eq!(
        failed.all("CallBackQueueID"),
        [delivery.to_string()],
        "{}",
        failed.body
    );
    // A stranger's list does not show it.
    let theirs = w
        .ok(&w.far, "CallBackFailedList", &[("MaxDays", "1")])
        .await;
    assert!(theirs.all("CallBackQueueID").is_empty(), "{}", theirs.body);
    // Re-armed: delivered (the receiver answers 200 again).
    let set = w
        .ok(
            &w.b,
            "CallBackEventSetStatus",
            &[("CallBackEventID", &id), ("Status", "Active")],
        )
        .await;
    assert_eq!(set.expect_field("CallBackEventSetStatusResult"), "true");
    let q = w.queue_when(delivery, |r| status(r) == "Completed").await;
    assert_eq!(status(&q), "Completed", "{}", q.body);
    assert_eq!(rx.seen().len(), 7);
    let failed = w.ok(&w.b, "CallBackFailedList", &[("MaxDays", "1")]).await;
    assert!(failed.all("CallBackQueueID").is_empty(), "{}", failed.body);
}

async fn a_stopped_server_sends_a_claimed_delivery_once_after_restart(app: TestApp) {
    let w = World::new(app).await;
    let rx = Receiver::start("127.0.0.1", Answer::Status(200)).await;
    rx.script(&[Answer::Hang]);
    w.register(&rx.url("/restart"), "3").await;
    w.upload(4).await;
    let seen = rx.wait_for(1, WAIT).await;
    let delivery = payload(&seen[0])["eventId"].as_i64().unwrap();
    // Claimed and being sent (the receiver holds it): stop the server now.
    let stopped = w.app.stop().await;
    let clock = stopped.clock.clone();
    let app = stopped.start().await;
    // The claim is the stopped server's until its lease runs out.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.seen().len(), 1, "sent again before the claim ran out");
    // Past the lease (5 s) and past a first retry (60 s): the stopped server's send may
    // still end (in this process it is not killed) and record a failure; either way the
    // delivery is due again now, once.
    clock.advance(chrono::Duration::seconds(130));
    let seen = rx.wait_for(2, WAIT).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].headers["webhook-id"], seen[0].headers["webhook-id"]);
    let store = app.core.store();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let d = store.delivery(delivery).await.unwrap().unwrap();
        if d.status.as_str() == "Delivered" || std::time::Instant::now() > deadline {
            assert_eq!(d.status.as_str(), "Delivered", "{d:?}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answered: Vec<_> = rx
        .seen()
        .into_iter()
        .filter(|s| s.answered == Answer::Status(200))
        .collect();
    assert_eq!(answered.len(), 1, "delivered once");
}

async fn redirects_are_not_followed_and_endless_answers_are_cut(app: TestApp) {
    let w = World::new(app).await;
    let rx = Receiver::start("127.0.0.1", Answer::Status(200)).await;
    rx.script(&[Answer::Redirect]);
    w.register(&rx.url("/moved"), "0").await;
    w.upload(5).await;
    let seen = rx.wait_for(1, WAIT).await;
    let delivery = payload(&seen[0])["eventId"].as_i64().unwrap();
    let q = w.queue_when(delivery, |r| status(r) == "Error").await;
    assert_eq!(
        status(&q),
        "Error",
        "a redirect is not a delivery: {}",
        q.body
    );
    assert_eq!(q.expect_field("ReturnCode"), "302");
    assert!(
        rx.seen().iter().all(|s| s.path != "/redirected"),
        "the redirect was followed"
    );

    rx.script(&[Answer::Endless]);
    w.upload(6).await;
    let seen = rx.wait_for(2, WAIT).await;
    let delivery = payload(&seen[1])["eventId"].as_i64().unwrap();
    let q = w.queue_when(delivery, |r| status(r) == "Completed").await;
    assert_eq!(status(&q), "Completed", "{}", q.body);
    let deadline = std::time::Instant::now() + WAIT;
    while rx.endless_written().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let written = rx.endless_written();
    assert_eq!(written.len(), 1, "the reader hung up");
    assert!(
        written[0] < 64 << 20,
        "read far past the bound: {written:?}"
    );
}

async fn bad_registrations_and_strangers_change_nothing(app: TestApp) {
    let w = World::new(app).await;
    let rx = Receiver::start("127.0.0.1", Answer::Status(200)).await;
    let url = rx.url("/x");
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            add_params("ftp://example.com/x", "3", "InBox", "None"),
            "URL",
        ),
        (add_params("not a url", "3", "InBox", "None"), "URL"),
        (add_params("", "3", "InBox", "None"), "URL"),
        (
            add_params(&url, "3", "InBox", "Digest"),
            "HTTPAuthentication",
        ),
        (add_params(&url, "99", "InBox", "None"), "Retries"),
        (
            add_params(&url, "3", "NoDir", "None")
                .into_iter()
                .map(|(k, v)| {
                    if k == "ObjectStatus" {
                        (k, "1")
                    } else {
                        (k, v)
                    }
                })
                .collect(),
            "ObjectStatus",
        ),
        (
            add_params(&url, "3", "InBox", "None")
                .into_iter()
                .map(|(k, v)| {
                    if k == "SystemObject" {
                        (k, "Invoice")
                    } else {
                        (k, v)
                    }
                })
                .collect(),
            "SystemObject",
        ),
    ];
    for (params, item) in &cases {
        let reply = w.call(&w.b, "CallBackAddEx", params).await;
        let fault = reply
            .fault()
            .unwrap_or_else(|| panic!("{params:?} was taken: {}", reply.body));
        assert!(
            fault.item.contains(item) || fault.message.contains(item),
            "{item}: {fault:?}"
        );
    }
    // Another network's mailbox, and a MailboxUser on its own: no authority.
    let mut other = add_params(&url, "3", "InBox", "None");
    other[1] = ("MailboxID", "400");
    let reply = w.call(&w.b, "CallBackAddEx", &other).await;
    assert!(reply.fault().is_some(), "{}", reply.body);
    let reply = w
        .call(
            &w.b_user,
            "CallBackAddEx",
            &add_params(&url, "3", "InBox", "None"),
        )
        .await;
    assert!(reply.fault().is_some(), "{}", reply.body);
    let list = w
        .ok(
            &w.b,
            "CallBackEventListEx",
            &[
                ("NetworkID", "0"),
                ("MailboxID", "0"),
                ("ShowInactive", "true"),
            ],
        )
        .await;
    assert!(list.all("CallBackEventID").is_empty(), "{}", list.body);
    w.upload(7).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.seen().is_empty(), "a refused registration was called");

    // A good one: strangers neither see nor change it.
    let id = w.register(&url, "3").await;
    for op in [
        "CallBackEventInfo",
        "CallBackEventSetStatus",
        "CallBackTest",
    ] {
        let params = [
            ("CallBackEventID", id.as_str()),
            ("QueueCount", "1"),
            ("Status", "Suspended"),
            ("ParcelID", "0"),
            ("InterchangeID", "0"),
            ("UserID", "0"),
        ];
        let reply = w.call(&w.far, op, &params).await;
        assert!(reply.fault().is_some(), "{op}: {}", reply.body);
    }
    let info = w
        .ok(
            &w.b,
            "CallBackEventInfo",
            &[("CallBackEventID", &id), ("QueueCount", "5")],
        )
        .await;
    assert_eq!(info.expect_field("Status"), "Active");
    assert!(
        !info.body.contains("hook-pass"),
        "the password is written back"
    );

    // A test event reaches the receiver, marked as a test.
    let test = w
        .ok(
            &w.b,
            "CallBackTest",
            &[
                ("CallBackEventID", &id),
                ("ParcelID", "0"),
                ("InterchangeID", "0"),
                ("UserID", "0"),
            ],
        )
        .await;
    assert_eq!(test.expect_field("Test"), "true");
    let seen = rx.wait_for(1, WAIT).await;
    assert_eq!(payload(&seen[0])["isTest"], true);
}

async fn a_mailbox_lists_only_its_own_registrations_deliveries(app: TestApp) {
    let w = World::new(app).await;
    w.app
        .directory()
        .user("cbnet", AuthLevel::NetworkAdmin, 100, 200)
        .build()
        .await;
    let net = w
        .app
        .soap_ok_in(
            DEP,
            "Login",
            &[
                ("LoginName", "cbnet"),
                ("Password", edigrid_testkit::TEST_PASSWORD),
            ],
        )
        .await
        .expect_field("LoginResult");
    // Both receivers answer 500, so both deliveries stay in the pending list.
    let rx = Receiver::start("127.0.0.1", Answer::Status(500)).await;
    let (network_url, mailbox_url) = (rx.url("/network"), rx.url("/mailbox"));
    let mut network_wide = add_params(&network_url, "3", "InBox", "None");
    network_wide[0] = ("NetworkID", "100");
    w.ok(&net, "CallBackAddEx", &network_wide).await;
    let own_registration = w.register(&mailbox_url, "3").await;
    w.upload(11).await;

    let queued = |reply: &SoapReply| {
        let mut ids = reply.all("CallBackQueueID");
        ids.sort();
        ids
    };
    let network_admin = w.ok(&net, "CallBackPendingList", &[]).await;
    assert_eq!(queued(&network_admin).len(), 2, "{}", network_admin.body);
    let own = w
        .ok(
            &w.b,
            "CallBackEventInfo",
            &[("CallBackEventID", &own_registration), ("QueueCount", "5")],
        )
        .await;
    let own = queued(&own);
    assert_eq!(own.len(), 1, "one delivery of B's own registration");
    for sid in [&w.b, &w.b_user] {
        let listed = w.ok(sid, "CallBackPendingList", &[]).await;
        assert_eq!(queued(&listed), own, "{}", listed.body);
        let named = w
            .ok(
                sid,
                "CallBackPendingListEx",
                &[("NetworkID", "100"), ("MailboxID", "201")],
            )
            .await;
        assert_eq!(queued(&named), own, "{}", named.body);
    }
}

/// Without `callback_allow_private`, addresses inside are refused when registering, and a
/// name that resolves inside is refused when sending.
#[tokio::test]
async fn private_targets_are_refused_unless_allowed() {
    let app = edigrid_testkit::spawn_app_with(|s| {
        s.callback_poll_ms = 20;
    })
    .await;
    let w = World::new(app).await;
    for url in [
        "http://127.0.0.1:9/x",
        "http://10.1.2.3/x",
        "http://192.168.0.1/x",
        "http://169.254.169.254/latest",
        "http://[::1]:8080/x",
        "http://0.0.0.0/x",
        "https://localhost/x",
        "http://user@127.0.0.1/x",
    ] {
        let reply = w
            .call(
                &w.b,
                "CallBackAddEx",
                &add_params(url, "0", "InBox", "None"),
            )
            .await;
        let fault = reply.fault().unwrap_or_else(|| panic!("{url} was taken"));
        assert!(fault.message.contains("private"), "{url}: {fault:?}");
    }
    // A name (this machine's) that resolves to an address inside: taken when registering,
    // refused when sending; the receiver, listening on every address, hears nothing.
    let host = std::fs::read_to_string("/etc/hostname")
        .unwrap_or_default()
        .trim()
        .to_string();
    let resolved: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 80))
        .await
        .map(|a| a.collect())
        .unwrap_or_default();
    if host.is_empty()
        || resolved.is_empty()
        || resolved
            .iter()
            .any(|a| edigrid_core::callbacks::is_public(a.ip()))
    {
        eprintln!("this machine's name does not resolve inside only: name check not run");
        return;
    }
    let rx = Receiver::start("0.0.0.0", Answer::Status(200)).await;
    let url = format!("http://{host}:{}/inside", rx.port);
    let reply = w
        .ok(
            &w.b,
            "CallBackAddEx",
            &add_params(&url, "0", "InBox", "None"),
        )
        .await;
    let _ = reply;
    w.upload(8).await;
    let deadline = std::time::Instant::now() + WAIT;
    let failed = loop {
        let failed = w.ok(&w.b, "CallBackFailedList", &[("MaxDays", "1")]).await;
        if !failed.all("CallBackQueueID").is_empty() || std::time::Instant::now() > deadline {
            break failed;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(failed.all("CallBackQueueID").len(), 1, "{}", failed.body);
    assert!(failed.body.contains("private"), "{}", failed.body);
    assert!(rx.seen().is_empty(), "a name resolving inside was called");
}
