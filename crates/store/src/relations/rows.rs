//! Rows of the relations' tables as both databases read them, and the fields they are
//! written from.

use edigrid_core::StoreError;
use edigrid_core::relations::{CarbonCopy, Interconnect, InterconnectNote};
use edigrid_domain::{Direction, EcGridId, MailboxId, NetworkId, UserId};

use crate::convert::{parsed, time};
use crate::sql::{Fields, Value};

#[derive(sqlx::FromRow)]
pub(crate) struct CarbonCopyRow {
    id: i32,
    network_id: i32,
    mailbox_id: i32,
    direction: String,
    ecgrid_from: i32,
    ecgrid_to: i32,
    cc_from: i32,
    cc_to: i32,
    cc_mailbox_id: i32,
    gs_from: String,
    gs_to: String,
    transaction_set: String,
    status: String,
    created_by: i32,
    created_ms: i64,
    modified_ms: i64,
}

impl TryFrom<CarbonCopyRow> for CarbonCopy {
    type Error = StoreError;
    fn try_from(r: CarbonCopyRow) -> Result<Self, StoreError> {
        Ok(CarbonCopy {
            id: r.id,
            network_id: NetworkId(r.network_id),
            mailbox_id: MailboxId(r.mailbox_id),
            direction: parsed::<Direction>(&r.direction, "direction")?,
            ecgrid_from: EcGridId(r.ecgrid_from),
            ecgrid_to: EcGridId(r.ecgrid_to),
            cc_from: EcGridId(r.cc_from),
            cc_to: EcGridId(r.cc_to),
            cc_mailbox_id: MailboxId(r.cc_mailbox_id),
            gs_from: r.gs_from,
            gs_to: r.gs_to,
            transaction_set: r.transaction_set,
            status: parsed(&r.status, "status")?,
            created_by: UserId(r.created_by),
            created: time(r.created_ms)?,
            modified: time(r.modified_ms)?,
        })
    }
}

pub(crate) fn carbon_copy_fields(c: &CarbonCopy) -> Fields {
    vec![
        ("network_id", Value::Int(c.network_id.0)),
        ("mailbox_id", Value::Int(c.mailbox_id.0)),
        ("direction", c.direction.as_str().into()),
        ("ecgrid_from", Value::Int(c.ecgrid_from.0)),
        ("ecgrid_to", Value::Int(c.ecgrid_to.0)),
        ("cc_from", Value::Int(c.cc_from.0)),
        ("cc_to", Value::Int(c.cc_to.0)),
        ("cc_mailbox_id", Value::Int(c.cc_mailbox_id.0)),
        ("gs_from", (&c.gs_from).into()),
        ("gs_to", (&c.gs_to).into()),
        ("transaction_set", (&c.transaction_set).into()),
        ("status", c.status.as_str().into()),
        ("created_by", Value::Int(c.created_by.0)),
        ("created_ms", c.created.into()),
        ("modified_ms", c.modified.into()),
    ]
}

#[derive(sqlx::FromRow)]
pub(crate) struct InterconnectRow {
    id: i32,
    unique_id: String,
    ecgrid_id1: i32,
    ecgrid_id2: i32,
    reference1: String,
    reference2: String,
    contact_name: String,
    contact_email: String,
    requested_by: i32,
    accepted_by: i32,
    status: String,
    created_ms: i64,
    modified_ms: i64,
    completed_ms: Option<i64>,
}

impl TryFrom<InterconnectRow> for Interconnect {
    type Error = StoreError;
    fn try_from(r: InterconnectRow) -> Result<Self, StoreError> {
        Ok(Interconnect {
            id: r.id,
            unique_id: r.unique_id,
            ecgrid_id1: EcGridId(r.ecgrid_id1),
            ecgrid_id2: EcGridId(r.ecgrid_id2),
            reference1: r.reference1,
            reference2: r.reference2,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            requested_by: UserId(r.requested_by),
            accepted_by: UserId(r.accepted_by),
            status: parsed(&r.status, "interconnect status")?,
            created: time(r.created_ms)?,
            modified: time(r.modified_ms)?,
            completed: r.completed_ms.map(time).transpose()?,
        })
    }
}

pub(crate) fn interconnect_fields(i: &Interconnect) -> Fields {
    vec![
        ("unique_id", (&i.unique_id).into()),
        ("ecgrid_id1", Value::Int(i.ecgrid_id1.0)),
        ("ecgrid_id2", Value::Int(i.ecgrid_id2.0)),
        ("reference1", (&i.reference1).into()),
        ("reference2", (&i.reference2).into()),
        ("contact_name", (&i.contact_name).into()),
        ("contact_email", (&i.contact_email).into()),
        ("requested_by", Value::Int(i.requested_by.0)),
        ("accepted_by", Value::Int(i.accepted_by.0)),
        ("status", i.status.as_str().into()),
        ("created_ms", i.created.into()),
        ("modified_ms", i.modified.into()),
        ("completed_ms", i.completed.into()),
    ]
}

#[derive(sqlx::FromRow)]
pub(crate) struct NoteRow {
    id: i32,
    interconnect_id: i32,
    at_ms: i64,
    status: String,
    posted_by: String,
    user_id: i32,
    mail_to: String,
    note: String,
    attachment_name: String,
    attachment: Option<Vec<u8>>,
}

impl TryFrom<NoteRow> for InterconnectNote {
    type Error = StoreError;
    fn try_from(r: NoteRow) -> Result<Self, StoreError> {
        Ok(InterconnectNote {
            id: r.id,
            interconnect_id: r.interconnect_id,
            at: time(r.at_ms)?,
            status: parsed(&r.status, "interconnect status")?,
            posted_by: r.posted_by,
            user_id: UserId(r.user_id),
            mail_to: r.mail_to,
            note: r.note,
            attachment_name: r.attachment_name,
            attachment: r.attachment.filter(|a| !a.is_empty()),
        })
    }
}
