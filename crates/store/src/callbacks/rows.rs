//! The callback tables' rows as both databases read them, and their conversion to the
//! core's records.

use edigrid_core::StoreError;
use edigrid_core::callbacks::model::{Delivery, Registration, Scope};
use edigrid_domain::{EcGridId, MailboxId, NetworkId, ParcelId, UserId};

use crate::convert::{parsed, time};

#[derive(sqlx::FromRow)]
pub(super) struct SidesRow {
    pub(super) network_id: i32,
    pub(super) mailbox_id: i32,
    pub(super) ecgrid_to: i32,
    pub(super) peer_network_id: i32,
    pub(super) peer_mailbox_id: i32,
    pub(super) ecgrid_from: i32,
    pub(super) file_name: String,
}

impl crate::write_conn::Decode for SidesRow {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(SidesRow {
            network_id: row.get("network_id")?,
            mailbox_id: row.get("mailbox_id")?,
            ecgrid_to: row.get("ecgrid_to")?,
            peer_network_id: row.get("peer_network_id")?,
            peer_mailbox_id: row.get("peer_mailbox_id")?,
            ecgrid_from: row.get("ecgrid_from")?,
            file_name: row.get("file_name")?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RegistrationRow {
    pub(super) id: i64,
    pub(super) scope_key: String,
    pub(super) network_id: i32,
    pub(super) mailbox_id: i32,
    pub(super) ecgrid_id: i32,
    pub(super) event: String,
    pub(super) url: String,
    pub(super) auth_user: String,
    pub(super) auth_password: String,
    pub(super) retries: i32,
    pub(super) secret: String,
    pub(super) status: String,
    pub(super) created_by: i32,
    pub(super) created_ms: i64,
    pub(super) modified_ms: i64,
}

impl TryFrom<RegistrationRow> for Registration {
    type Error = StoreError;

    fn try_from(r: RegistrationRow) -> Result<Self, StoreError> {
        let (n, m, e) = (
            NetworkId(r.network_id),
            MailboxId(r.mailbox_id),
            EcGridId(r.ecgrid_id),
        );
        let scope = match r.scope_key.split(':').next() {
            Some("e") => Scope::EcGridId(n, m, e),
            Some("m") => Scope::Mailbox(n, m),
            _ => Scope::Network(n),
        };
        Ok(Registration {
            id: r.id,
            scope,
            event: parsed(&r.event, "callback event")?,
            url: r.url,
            auth_user: r.auth_user,
            auth_password: r.auth_password,
            retries: i16::try_from(r.retries).unwrap_or(i16::MAX),
            secret: r.secret,
            status: parsed(&r.status, "callback status")?,
            created_by: UserId(r.created_by),
            created: time(r.created_ms)?,
            modified: time(r.modified_ms)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct DeliveryRow {
    pub(super) id: i64,
    pub(super) registration_id: i64,
    pub(super) event: String,
    pub(super) network_id: i32,
    pub(super) mailbox_id: i32,
    pub(super) ecgrid_id: i32,
    pub(super) parcel_id: i64,
    pub(super) file_name: String,
    pub(super) test: bool,
    pub(super) status: String,
    pub(super) attempts: i32,
    pub(super) calls_remaining: i32,
    pub(super) next_ms: i64,
    pub(super) created_ms: i64,
    pub(super) last_attempt_ms: Option<i64>,
    pub(super) last_http: i32,
    pub(super) last_error: String,
    pub(super) url: String,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;

    fn try_from(r: DeliveryRow) -> Result<Self, StoreError> {
        Ok(Delivery {
            id: r.id,
            registration_id: r.registration_id,
            event: parsed(&r.event, "callback event")?,
            network_id: NetworkId(r.network_id),
            mailbox_id: MailboxId(r.mailbox_id),
            ecgrid_id: EcGridId(r.ecgrid_id),
            parcel_id: ParcelId(r.parcel_id),
            file_name: r.file_name,
            test: r.test,
            status: parsed(&r.status, "delivery status")?,
            attempts: r.attempts,
            calls_remaining: r.calls_remaining,
            next_at: time(r.next_ms)?,
            created: time(r.created_ms)?,
            last_attempt: r.last_attempt_ms.map(time).transpose()?,
            last_http: r.last_http,
            last_error: r.last_error,
            url: r.url,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ClaimRow {
    #[sqlx(flatten)]
    pub(super) delivery: DeliveryRow,
    pub(super) auth_user: String,
    pub(super) auth_password: String,
    pub(super) secret: String,
}
