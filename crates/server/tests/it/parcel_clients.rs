//! Parcels through the client integrators use (issue 13, acceptance 1): zeep on the deployed
//! WSDL, endpoint pointed at edigrid, runs `tests/clients/python/parcels_deployed_flow.py`
//! (X12, EDIFACT, and the `A` forms), then the store is checked for what the flow left.

use std::path::PathBuf;
use std::time::Duration;

use edigrid_domain::{AuthLevel, Direction, MailboxId, ParcelId, ParcelState};
use edigrid_testkit::{TEST_PASSWORD, TestApp, fresh_postgres_url, spawn_app, spawn_app_with};
use serde_json::Value;

use crate::support::python::{python, repo_root};

const ADMIN: &str = "netadmin";

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

/// Runs the flow; panics with its output unless it prints PASS. Its CREATED line's JSON.
async fn run_flow(app: &TestApp, soap: &str) -> Value {
    let script = repo_root().join("tests/clients/python/parcels_deployed_flow.py");
    let args: Vec<PathBuf> = [
        script.display().to_string(),
        "--wsdl".into(),
        deployed_wsdl().display().to_string(),
        "--url".into(),
        app.soap_url(),
        "--login".into(),
        ADMIN.into(),
        "--password".into(),
        TEST_PASSWORD.into(),
        "--soap".into(),
        soap.into(),
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect();
    let ran = tokio::time::timeout(Duration::from_secs(180), python(&args))
        .await
        .expect("parcels_deployed_flow.py ran for over 3 minutes");
    ran.assert_passed("parcels_deployed_flow.py", "PASS ");
    let line = ran
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("CREATED "))
        .unwrap_or_else(|| panic!("no CREATED line:\n{}", ran.stdout));
    serde_json::from_str(line).unwrap()
}

fn numbers(v: &Value, key: &str) -> Vec<i64> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array in {v}"))
        .iter()
        .map(|n| n.as_i64().unwrap())
        .collect()
}

/// What the flow left: per round an outbound parcel of mailbox A in error (its third
/// interchange had no route) and an inbound parcel of B, confirmed, holding two.
async fn assert_stored(app: &TestApp, created: &Value) {
    let boxes = numbers(created, "mailboxes");
    let store = app.core.store();
    for (out, inbound) in numbers(created, "outbound")
        .into_iter()
        .zip(numbers(created, "inbound"))
    {
        let o = store.parcel(ParcelId(out)).await.unwrap().expect("stored");
        assert_eq!(
            (o.direction, o.mailbox_id, o.state),
            (
                Direction::OutBox,
                MailboxId(boxes[0] as i32),
                ParcelState::OutBoxDeliveryError
            ),
            "upload {out}"
        );
        let i = store
            .parcel(ParcelId(inbound))
            .await
            .unwrap()
            .expect("stored");
        assert_eq!(
            (
                i.direction,
                i.mailbox_id,
                i.state,
                i.source,
                i.interchange_count
            ),
            (
                Direction::InBox,
                MailboxId(boxes[1] as i32),
                ParcelState::InBoxArchived,
                Some(ParcelId(out)),
                2
            ),
            "delivery {inbound}"
        );
    }
}

/// Runs the flow as `netadmin` (NetworkAdmin of network 100) and checks the store.
async fn flow_on(app: TestApp, soap: &str) {
    app.directory()
        .user(ADMIN, AuthLevel::NetworkAdmin, 100, 200)
        .build()
        .await;
    let created = run_flow(&app, soap).await;
    assert_stored(&app, &created).await;
}

#[tokio::test]
async fn zeep_on_the_deployed_wsdl_sends_and_receives_parcels() {
    flow_on(spawn_app().await, "1.1").await;
}

#[tokio::test]
async fn zeep_over_soap_12_sends_and_receives_parcels() {
    flow_on(spawn_app().await, "1.2").await;
}

#[tokio::test]
async fn zeep_sends_and_receives_parcels_on_postgres() {
    let Some(url) = fresh_postgres_url().await else {
        eprintln!("skipped: EDIGRID_TEST_DATABASE_URL is not set");
        return;
    };
    flow_on(spawn_app_with(|s| s.database = url).await, "1.1").await;
}
