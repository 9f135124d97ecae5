//! Query plans of the statements on the upload path and the idle poll.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::TimeZone;
use edigrid_core::callbacks::raise::keys;

use super::*;
use crate::plans;
use edigrid_core::callbacks::model::Raised;

/// An upload's usual events: the sender's `OutBox` and one `InBox`.
fn statements() -> Vec<Stmt> {
    let at = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
    let event = |kind, mailbox| Raised {
        kind,
        parcel: ParcelId(1),
        network_id: NetworkId(1),
        mailbox_id: MailboxId(mailbox),
        ecgrid_id: EcGridId(7),
        file_name: "f".into(),
        at,
        keys: keys(NetworkId(1), MailboxId(mailbox), EcGridId(7)),
    };
    vec![
        queue_stmt(&[
            event(edigrid_core::callbacks::model::EventKind::OutBox, 10),
            event(edigrid_core::callbacks::model::EventKind::InBox, 11),
        ]),
        due_stmt(at),
    ]
}

/// The upload's match probes the index of active registrations, and the idle poll the
/// index of waiting deliveries: neither reads a table through.
#[tokio::test]
async fn sqlite_matches_and_polls_through_indexes() {
    let plans = plans::sqlite(statements()).await;
    assert!(
        plans[0]
            .1
            .contains("USING INDEX callback_registrations_match"),
        "{:?}",
        plans[0]
    );
    assert!(
        plans[1].1.contains("USING INDEX callback_deliveries_"),
        "{:?}",
        plans[1]
    );
    for (sql, plan) in plans {
        assert!(
            !plan.lines().any(|l| l.starts_with("SCAN callback")),
            "{sql}\n{plan}"
        );
    }
}

#[tokio::test]
async fn postgres_matches_and_polls_through_indexes() {
    let Some(plans) = plans::postgres(&["SET enable_seqscan = off"], statements()).await else {
        return;
    };
    for (sql, plan) in plans {
        assert!(plan.contains("Index"), "{sql}\n{plan}");
        assert!(!plan.contains("Seq Scan on callback"), "{sql}\n{plan}");
    }
}
