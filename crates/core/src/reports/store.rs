//! The persistence boundary of this area. Every method is one atomic step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edigrid_domain::{MailboxId, NetworkId};

use crate::store::StoreResult;

/// Whose traffic a report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportScope {
    All,
    Network(NetworkId),
    Mailbox(MailboxId),
}

/// Traffic counted over a time range: parcels by the box they are in (`InBox`: delivered
/// to the scope, `OutBox`: uploaded by it) and interchanges by their sender's and
/// receiver's mailbox (inbound counts delivered ones only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    pub parcels_in: i64,
    pub parcels_out: i64,
    pub bytes_in: i64,
    pub bytes_out: i64,
    pub interchanges_in: i64,
    pub interchanges_out: i64,
    pub interchange_bytes_in: i64,
    pub interchange_bytes_out: i64,
    /// The newest parcel counted.
    pub last_activity: Option<DateTime<Utc>>,
}

impl Traffic {
    pub fn parcels(&self) -> i64 {
        self.parcels_in + self.parcels_out
    }

    pub fn interchanges(&self) -> i64 {
        self.interchanges_in + self.interchanges_out
    }

    pub fn bytes(&self) -> i64 {
        self.bytes_in + self.bytes_out
    }
}

/// One mailbox's traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxTraffic {
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    pub mailbox_name: String,
    pub traffic: Traffic,
}

#[async_trait]
pub trait ReportStore: Send + Sync {
    /// The scope's traffic created in `[since, until)`.
    async fn traffic(
        &self,
        scope: ReportScope,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Traffic>;

    /// The same, one row per mailbox with any traffic in the range, by mailbox number.
    async fn traffic_by_mailbox(
        &self,
        scope: ReportScope,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<MailboxTraffic>>;
}
