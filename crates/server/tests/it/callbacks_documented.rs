//! Callbacks in the documented dialect (ecgrid-docs `soap-api/callbacks/`): `CallBackAdd`
//! registers, an upload is delivered and listed by `CallBackEventList` and read by
//! `CallBackEventInfo` and `CallBackQueueInfo`; a failing one is in `CallBackFailedList`;
//! `CallBackTest` sends a test; bad input and strangers are refused.

use std::time::Duration;

use edigrid_testkit::{NS, SoapReply};
use serde_json::Value;

use crate::callbacks::{World, app};
use crate::callbacks_receiver::{Answer, Receiver};

const WAIT: Duration = Duration::from_secs(20);

async fn call(w: &World, sid: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
    let mut all = vec![("SessionID", sid)];
    all.extend_from_slice(params);
    w.app.soap_in(NS, op, &all).await
}

async fn ok(w: &World, sid: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
    let reply = call(w, sid, op, params).await;
    assert!(
        reply.status == 200 && reply.fault().is_none(),
        "{op}: {}",
        reply.body
    );
    reply
}

#[tokio::test]
async fn documented_callbacks() {
    let w = World::new(app(None).await).await;
    let rx = Receiver::start("127.0.0.1", Answer::Status(200)).await;
    let url = rx.url("/doc");
    let add = |event: &'static str, auth: &'static str| {
        vec![
            ("NetworkID", "0"),
            ("MailboxID", "0"),
            ("Event", event),
            ("AuthType", auth),
            ("Username", "doc"),
            ("Password", "pw"),
        ]
    };
    for (event, auth, item) in [
        ("Invoice", "None", "Event"),
        ("InBox", "Digest", "AuthType"),
    ] {
        let mut p = add(event, auth);
        p.push(("URL", url.as_str()));
        let reply = call(&w, &w.b, "CallBackAdd", &p).await;
        let fault = reply
            .fault()
            .unwrap_or_else(|| panic!("{event}/{auth} taken"));
        assert_eq!(fault.item, item, "{fault:?}");
    }
    let mut p = add("InBox", "Basic");
    p.push(("URL", "gopher://x.example/"));
    assert!(call(&w, &w.b, "CallBackAdd", &p).await.fault().is_some());

    let mut p = add("InBox", "Basic");
    p.push(("URL", url.as_str()));
    let added = ok(&w, &w.b, "CallBackAdd", &p).await;
    let id = added.expect_field("CallBackID");
    assert_eq!(added.expect_field("Event"), "InBox");
    assert_eq!(added.expect_field("Status"), "Active");

    w.upload(21).await;
    let seen = rx.wait_for(1, WAIT).await;
    let payload: Value = serde_json::from_slice(&seen[0].body).unwrap();
    let delivery = payload["eventId"].to_string();
    let deadline = std::time::Instant::now() + WAIT;
    let info = loop {
        let info = ok(
            &w,
            &w.b,
            "CallBackEventInfo",
            &[("CallBackEventID", &delivery)],
        )
        .await;
        if info.expect_field("Status") == "Delivered" || std::time::Instant::now() > deadline {
            break info;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(info.expect_field("Status"), "Delivered", "{}", info.body);
    assert_eq!(info.expect_field("HTTPResponse"), "200");
    assert_eq!(
        info.expect_field("ParcelID"),
        payload["parcelId"].to_string()
    );
    let q = ok(
        &w,
        &w.b,
        "CallBackQueueInfo",
        &[("CallBackQueueID", &delivery)],
    )
    .await;
    assert_eq!(q.expect_field("AttemptCount"), "1");
    let list = ok(
        &w,
        &w.b,
        "CallBackEventList",
        &[
            ("Event", "InBox"),
            ("PageNo", "1"),
            ("RecordsPerPage", "10"),
        ],
    )
    .await;
    assert_eq!(
        list.all("CallBackEventID"),
        std::slice::from_ref(&delivery),
        "{}",
        list.body
    );
    let bad = call(&w, &w.b, "CallBackEventList", &[("Event", "Often")]).await;
    assert!(bad.fault().is_some(), "{}", bad.body);
    // A stranger sees none of it.
    let theirs = call(
        &w,
        &w.far,
        "CallBackEventInfo",
        &[("CallBackEventID", &delivery)],
    )
    .await;
    assert!(theirs.fault().is_some(), "{}", theirs.body);
    let theirs = ok(&w, &w.far, "CallBackPendingList", &[]).await;
    assert!(theirs.all("CallBackQueueID").is_empty());

    // A test that fails every attempt (retries 3: four attempts) is listed as failed.
    rx.script(&[Answer::Status(500); 4]);
    let test = ok(
        &w,
        &w.b,
        "CallBackTest",
        &[("CallBackEventID", &id), ("ParcelID", "77")],
    )
    .await;
    let test_id = test.expect_field("CallBackQueueID");
    for n in 1..=3 {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let q = ok(
                &w,
                &w.b,
                "CallBackQueueInfo",
                &[("CallBackQueueID", &test_id)],
            )
            .await;
            // An attempt is counted when it is claimed, before its call is made; it is
            // done (and its retry scheduled from the clock) once it shows the clock's
            // time as its last attempt. Moving the clock before that would schedule the
            // retry past the next move.
            let now = edigrid_core::Clock::now(&w.app.clock)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            if q.expect_field("AttemptCount") == n.to_string()
                && q.expect_field("Status") == "Pending"
                && q.all("LastAttemptDate") == [now]
            {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{}", q.body);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        w.app.clock.advance(chrono::Duration::minutes(5));
    }
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let failed = ok(&w, &w.b, "CallBackFailedList", &[("MaxDays", "1")]).await;
        if failed.all("CallBackQueueID") == [test_id.clone()] {
            assert_eq!(failed.expect_field("HTTPResponse"), "500");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{}", failed.body);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let negative = call(&w, &w.b, "CallBackFailedList", &[("MaxDays", "-1")]).await;
    assert!(negative.fault().is_some());
}
