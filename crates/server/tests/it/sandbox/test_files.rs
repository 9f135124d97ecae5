//! Test files (`ParcelTest`, REST `send-test-file`) between the sandbox world's IDs: X12 and
//! EDIFACT interchanges that pyx12 and pydifact accept, routed to the receiver like any
//! upload, and the refusals that send nothing; and `edigrid id simulate` on the command line.

use edigrid_testkit::{DEPLOYED_NS as DEP, spawn_app};
use reqwest::Method;
use serde_json::json;

use super::{MISSING, net, valid};
use crate::cli::{directory, edigrid, fails_with, ok};
use crate::rest_auth::{Auth, call};
use crate::support::python::python;

#[tokio::test]
async fn test_files_route_to_the_receiver_and_pass_the_validators() {
    let n = net(spawn_app().await).await;
    let sid = n
        .app
        .soap_ok_in(
            DEP,
            "Login",
            &[
                ("LoginName", "sendera"),
                ("Password", edigrid_testkit::TEST_PASSWORD),
            ],
        )
        .await
        .expect_field("LoginResult");
    let (from, to) = (n.id_a.to_string(), n.id_p.to_string());
    let parcel_test = |standard: &'static str| {
        let (sid, from, to) = (sid.clone(), from.clone(), to.clone());
        let app = &n.app;
        async move {
            let params = [
                ("SessionID", sid.as_str()),
                ("ECGridIDFrom", from.as_str()),
                ("ECGridIDTo", to.as_str()),
                ("DocumentType", standard),
            ];
            app.soap_in(DEP, "ParcelTest", &params).await
        }
    };
    for (standard, script, options) in [
        ("X12", "x12_validate.py", &["--envelope"][..]),
        ("EDIFACT", "edifact_check.py", &[][..]),
    ] {
        let reply = parcel_test(standard).await;
        assert!(reply.fault().is_none(), "{}", reply.body);
        let outbound: i64 = reply.expect_field("ParcelTestResult").parse().unwrap();
        let (ready, _) = n.wait_for(&n.p, 1).await;
        let got = n.download(&n.p, ready[0]).await;
        valid(script, options, &got).await;
        let record = call(
            &n.app,
            Method::GET,
            &format!("/v2/parcels/{outbound}"),
            Auth::Key(&n.a),
        )
        .await;
        assert_eq!(record.ok()["status"], "outboxSent", "{standard}");
        n.post(&n.p, "/v2/parcels/confirm", json!({"parcelId": ready[0]}))
            .await
            .ok();
    }
    for (document, script, options) in [
        ("X12", "x12_validate.py", &["--envelope"][..]),
        ("ORDERS", "edifact_check.py", &[][..]),
    ] {
        let body = json!({"ecGridIdFrom": n.id_a, "ecGridIdTo": n.id_p, "documentType": document});
        let reply = n.post(&n.a, "/v2/parcels/send-test-file", body).await;
        assert!(reply.ok().as_i64().unwrap() > 0);
        let (ready, _) = n.wait_for(&n.p, 1).await;
        let got = n.download(&n.p, ready[0]).await;
        let report = valid(script, options, &got).await;
        if document == "X12" {
            assert_eq!(report["isa"]["sender"], "ZZ:SENDERA");
            assert_eq!(report["isa"]["receiver"], "ZZ:PARTNERP");
        }
        n.post(&n.p, "/v2/parcels/confirm", json!({"parcelId": ready[0]}))
            .await
            .ok();
    }

    // Refusals: a standard without a test file, unknown IDs, another network's sender.
    let fault = parcel_test("XML").await.fault().unwrap();
    assert_eq!(fault.category, "InvalidParameter", "{fault:?}");
    assert!(fault.message.contains("DocumentType"), "{fault:?}");
    let refusals = [
        (
            json!({"ecGridIdFrom": n.id_a, "ecGridIdTo": n.id_p, "documentType": "PDF"}),
            400,
            "documentType",
        ),
        (
            json!({"ecGridIdFrom": n.id_a, "ecGridIdTo": MISSING}),
            404,
            "ecGridIdTo",
        ),
        (
            json!({"ecGridIdFrom": n.id_far, "ecGridIdTo": n.id_p}),
            403,
            "",
        ),
        (
            json!({"ecGridIdFrom": 0, "ecGridIdTo": n.id_p}),
            400,
            "ecGridIdFrom",
        ),
    ];
    for (body, status, field) in refusals {
        let reply = n
            .post(&n.a, "/v2/parcels/send-test-file", body.clone())
            .await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert!(reply.message().contains(field), "{body}: {}", reply.body);
    }
    assert!(n.pending(&n.p).await.is_empty(), "no refusal sent anything");
    let outbox = n.post(&n.a, "/v2/parcels/outbox-list", json!({})).await;
    assert_eq!(outbox.ok().as_array().unwrap().len(), 4, "{}", outbox.body);
}

#[test]
fn the_cli_marks_an_id_simulated_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    directory(&db);
    let id = ok(edigrid(
        &db,
        &[
            "id",
            "add",
            "--mailbox",
            "200",
            "--qualifier",
            "ZZ",
            "--id",
            "SIMMED",
        ],
        None,
    ));
    let id = id.trim();
    let shown = |db| {
        let out = ok(edigrid(db, &["id", "show", id, "--json"], None));
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["simulated"].clone()
    };
    assert_eq!(shown(&db), json!(false));
    let said = ok(edigrid(&db, &["id", "simulate", id], None));
    assert_eq!(said.trim(), format!("ECGridID {id} is simulated"));
    assert_eq!(shown(&db), json!(true));
    ok(edigrid(&db, &["id", "simulate", id, "--off"], None));
    assert_eq!(shown(&db), json!(false));
    fails_with(
        edigrid(&db, &["id", "simulate", "999999"], None),
        "ECGridID 999999 not found",
    );
    fails_with(
        edigrid(&db, &["id", "simulate", "x"], None),
        "invalid value",
    );
}

/// A test file sent with Python `requests`, as upstream's page shows the call: the answer is
/// the outbound ParcelID, and the EDIFACT interchange reaches the receiver.
const REQUESTS: &str = r#"
import sys, requests
url, key, sender, receiver = sys.argv[1:5]
body = {"ecGridIdFrom": int(sender), "ecGridIdTo": int(receiver), "documentType": "EDIFACT"}
r = requests.post(url + "/v2/parcels/send-test-file", json=body, headers={"X-API-Key": key}, timeout=10)
r.raise_for_status()
answer = r.json()
assert answer["success"] is True and isinstance(answer["data"], int), answer
print(answer["data"])
"#;

#[tokio::test]
async fn send_test_file_from_python_requests() {
    let n = net(spawn_app().await).await;
    let (from, to) = (n.id_a.to_string(), n.id_p.to_string());
    let ran = python(&["-c", REQUESTS, &n.app.base_url(), &n.a, &from, &to]).await;
    ran.assert_success("requests send-test-file");
    let outbound: i64 = ran.stdout.trim().parse().unwrap();
    assert!(outbound > 0);
    let (ready, _) = n.wait_for(&n.p, 1).await;
    let got = n.download(&n.p, ready[0]).await;
    let report = valid("edifact_check.py", &[], &got).await;
    assert_eq!(report["unb"][1], json!(["SENDERA", "ZZ"]), "{report:#}");
    assert_eq!(report["unb"][2], json!(["PARTNERP", "ZZ"]));
}
