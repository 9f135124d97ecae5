//! Parcel, interchange, manifest and note rows as both databases read them, and the
//! columns each is written with.

use edigrid_core::StoreError;
use edigrid_core::parcels::model::{Interchange, ManifestEntry, Parcel, ParcelNote, PartyNames};
use edigrid_domain::{EcGridId, InterchangeId, MailboxId, NetworkId, ParcelId, UserId};

use crate::convert::{parsed, time};
use crate::sql::Fields;

fn opt_time(ms: Option<i64>) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
    ms.map(time).transpose()
}

pub(crate) fn digest(bytes: Vec<u8>) -> Result<[u8; 32], StoreError> {
    bytes
        .try_into()
        .map_err(|_| StoreError::Backend("stored SHA-256 has the wrong length".into()))
}

#[derive(sqlx::FromRow)]
pub(crate) struct ParcelRow {
    id: i64,
    direction: String,
    network_id: i32,
    mailbox_id: i32,
    peer_network_id: i32,
    peer_mailbox_id: i32,
    ecgrid_from: i32,
    ecgrid_to: i32,
    file_name: String,
    bytes: i64,
    declared_bytes: i64,
    sha256: Vec<u8>,
    standard: String,
    state: String,
    valid: String,
    problem: String,
    mailbag_control_id: String,
    source_id: Option<i64>,
    uploaded_by: i32,
    created_ms: i64,
    state_changed_ms: i64,
    downloaded_ms: Option<i64>,
    archived_ms: Option<i64>,
    content_removed: bool,
    local_status: i32,
    local_status_changed_ms: Option<i64>,
    interchange_count: i32,
    network_name: Option<String>,
    mailbox_name: Option<String>,
    peer_network_name: Option<String>,
    peer_mailbox_name: Option<String>,
}

/// The same row read by the SQLite store's inline readers (a parcel looked up by number on
/// every download and confirm).
impl crate::write_conn::Decode for ParcelRow {
    fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(ParcelRow {
            id: row.get("id")?,
            direction: row.get("direction")?,
            network_id: row.get("network_id")?,
            mailbox_id: row.get("mailbox_id")?,
            peer_network_id: row.get("peer_network_id")?,
            peer_mailbox_id: row.get("peer_mailbox_id")?,
            ecgrid_from: row.get("ecgrid_from")?,
            ecgrid_to: row.get("ecgrid_to")?,
            file_name: row.get("file_name")?,
            bytes: row.get("bytes")?,
            declared_bytes: row.get("declared_bytes")?,
            sha256: row.get("sha256")?,
            standard: row.get("standard")?,
            state: row.get("state")?,
            valid: row.get("valid")?,
            problem: row.get("problem")?,
            mailbag_control_id: row.get("mailbag_control_id")?,
            source_id: row.get("source_id")?,
            uploaded_by: row.get("uploaded_by")?,
            created_ms: row.get("created_ms")?,
            state_changed_ms: row.get("state_changed_ms")?,
            downloaded_ms: row.get("downloaded_ms")?,
            archived_ms: row.get("archived_ms")?,
            content_removed: row.get("content_removed")?,
            local_status: row.get("local_status")?,
            local_status_changed_ms: row.get("local_status_changed_ms")?,
            interchange_count: row.get("interchange_count")?,
            network_name: row.get("network_name")?,
            mailbox_name: row.get("mailbox_name")?,
            peer_network_name: row.get("peer_network_name")?,
            peer_mailbox_name: row.get("peer_mailbox_name")?,
        })
    }
}

impl TryFrom<ParcelRow> for Parcel {
    type Error = StoreError;
    fn try_from(r: ParcelRow) -> Result<Self, StoreError> {
        Ok(Parcel {
            id: ParcelId(r.id),
            direction: parsed(&r.direction, "Direction")?,
            network_id: NetworkId(r.network_id),
            mailbox_id: MailboxId(r.mailbox_id),
            peer_network_id: NetworkId(r.peer_network_id),
            peer_mailbox_id: MailboxId(r.peer_mailbox_id),
            ecgrid_from: EcGridId(r.ecgrid_from),
            ecgrid_to: EcGridId(r.ecgrid_to),
            file_name: r.file_name,
            bytes: r.bytes,
            declared_bytes: r.declared_bytes,
            sha256: digest(r.sha256)?,
            standard: parsed(&r.standard, "EDIStandard")?,
            state: parsed(&r.state, "ParcelStatus")?,
            valid: parsed(&r.valid, "ParcelValid")?,
            problem: r.problem,
            mailbag_control_id: r.mailbag_control_id,
            source: r.source_id.map(ParcelId),
            uploaded_by: UserId(r.uploaded_by),
            created: time(r.created_ms)?,
            state_changed: time(r.state_changed_ms)?,
            downloaded: opt_time(r.downloaded_ms)?,
            archived: opt_time(r.archived_ms)?,
            content_removed: r.content_removed,
            local_status: i16::try_from(r.local_status).map_err(|_| {
                StoreError::Backend(format!(
                    "stored local status {} is out of range",
                    r.local_status
                ))
            })?,
            local_status_changed: opt_time(r.local_status_changed_ms)?,
            interchange_count: r.interchange_count,
            names: PartyNames {
                network: r.network_name.unwrap_or_default(),
                mailbox: r.mailbox_name.unwrap_or_default(),
                peer_network: r.peer_network_name.unwrap_or_default(),
                peer_mailbox: r.peer_mailbox_name.unwrap_or_default(),
            },
        })
    }
}

/// Every column of a new parcel but `id` and `source_id`.
pub(crate) fn parcel_fields(p: &Parcel) -> Fields {
    vec![
        ("direction", p.direction.as_str().into()),
        ("network_id", p.network_id.0.into()),
        ("mailbox_id", p.mailbox_id.0.into()),
        ("peer_network_id", p.peer_network_id.0.into()),
        ("peer_mailbox_id", p.peer_mailbox_id.0.into()),
        ("ecgrid_from", p.ecgrid_from.0.into()),
        ("ecgrid_to", p.ecgrid_to.0.into()),
        ("file_name", (&p.file_name).into()),
        ("bytes", p.bytes.into()),
        ("declared_bytes", p.declared_bytes.into()),
        ("sha256", p.sha256.as_slice().into()),
        ("standard", p.standard.as_str().into()),
        ("state", p.state.as_str().into()),
        ("valid", p.valid.as_str().into()),
        ("problem", (&p.problem).into()),
        ("mailbag_control_id", (&p.mailbag_control_id).into()),
        ("uploaded_by", p.uploaded_by.0.into()),
        ("created_ms", p.created.into()),
        ("state_changed_ms", p.state_changed.into()),
        ("downloaded_ms", p.downloaded.into()),
        ("archived_ms", p.archived.into()),
        ("content_removed", p.content_removed.into()),
        ("local_status", i32::from(p.local_status).into()),
        ("local_status_changed_ms", p.local_status_changed.into()),
        ("interchange_count", p.interchange_count.into()),
    ]
}

#[derive(sqlx::FromRow)]
pub(crate) struct InterchangeRow {
    id: i64,
    outbound_id: i64,
    position: i32,
    inbound_id: Option<i64>,
    status: String,
    reason: String,
    duplicate: bool,
    standard: String,
    sender: String,
    receiver: String,
    ecgrid_from: i32,
    ecgrid_to: i32,
    network_from: i32,
    mailbox_from: i32,
    network_to: i32,
    mailbox_to: i32,
    control_number: String,
    envelope_date: String,
    document_type: String,
    header: String,
    findings: String,
    byte_offset: i64,
    byte_length: i64,
    created_ms: i64,
    status_changed_ms: i64,
}

impl TryFrom<InterchangeRow> for Interchange {
    type Error = StoreError;
    fn try_from(r: InterchangeRow) -> Result<Self, StoreError> {
        Ok(Interchange {
            id: InterchangeId(r.id),
            outbound: ParcelId(r.outbound_id),
            position: r.position,
            inbound: r.inbound_id.map(ParcelId),
            status: parsed(&r.status, "InterchangeStatus")?,
            reason: r.reason,
            duplicate: r.duplicate,
            standard: parsed(&r.standard, "EDIStandard")?,
            sender: r.sender,
            receiver: r.receiver,
            ecgrid_from: EcGridId(r.ecgrid_from),
            ecgrid_to: EcGridId(r.ecgrid_to),
            network_from: NetworkId(r.network_from),
            mailbox_from: MailboxId(r.mailbox_from),
            network_to: NetworkId(r.network_to),
            mailbox_to: MailboxId(r.mailbox_to),
            control_number: r.control_number,
            envelope_date: r.envelope_date,
            document_type: r.document_type,
            header: r.header,
            findings: r.findings,
            offset: r.byte_offset,
            length: r.byte_length,
            created: time(r.created_ms)?,
            status_changed: time(r.status_changed_ms)?,
        })
    }
}

/// Every column of a new interchange but `id`, `outbound_id`, `inbound_id` and `duplicate`.
pub(crate) fn interchange_fields(i: &Interchange) -> Fields {
    vec![
        ("position", i.position.into()),
        ("status", i.status.as_str().into()),
        ("reason", (&i.reason).into()),
        ("standard", i.standard.as_str().into()),
        ("sender", (&i.sender).into()),
        ("receiver", (&i.receiver).into()),
        ("ecgrid_from", i.ecgrid_from.0.into()),
        ("ecgrid_to", i.ecgrid_to.0.into()),
        ("network_from", i.network_from.0.into()),
        ("mailbox_from", i.mailbox_from.0.into()),
        ("network_to", i.network_to.0.into()),
        ("mailbox_to", i.mailbox_to.0.into()),
        ("control_number", (&i.control_number).into()),
        ("envelope_date", (&i.envelope_date).into()),
        ("document_type", (&i.document_type).into()),
        ("header", (&i.header).into()),
        ("findings", (&i.findings).into()),
        ("byte_offset", i.offset.into()),
        ("byte_length", i.length.into()),
        ("created_ms", i.created.into()),
        ("status_changed_ms", i.status_changed.into()),
    ]
}

#[derive(sqlx::FromRow)]
pub(crate) struct ManifestRow {
    parcel_id: i64,
    interchange_id: Option<i64>,
    at_ms: i64,
    network_id: i32,
    kind: String,
    status_code: String,
    message: String,
    user_id: i32,
}

impl TryFrom<ManifestRow> for ManifestEntry {
    type Error = StoreError;
    fn try_from(r: ManifestRow) -> Result<Self, StoreError> {
        Ok(ManifestEntry {
            parcel_id: ParcelId(r.parcel_id),
            interchange_id: r.interchange_id.map(InterchangeId),
            at: time(r.at_ms)?,
            network_id: NetworkId(r.network_id),
            kind: parsed(&r.kind, "ManifestType")?,
            status_code: r.status_code,
            message: r.message,
            user_id: UserId(r.user_id),
        })
    }
}

pub(crate) fn manifest_fields(e: &ManifestEntry) -> Fields {
    vec![
        ("parcel_id", e.parcel_id.0.into()),
        ("interchange_id", e.interchange_id.map(|i| i.0).into()),
        ("at_ms", e.at.into()),
        ("network_id", e.network_id.0.into()),
        ("kind", e.kind.as_str().into()),
        ("status_code", (&e.status_code).into()),
        ("message", (&e.message).into()),
        ("user_id", e.user_id.0.into()),
    ]
}

#[derive(sqlx::FromRow)]
pub(crate) struct NoteRow {
    id: i64,
    parcel_id: i64,
    interchange_id: Option<i64>,
    at_ms: i64,
    status_code: String,
    posted_by: String,
    user_id: i32,
    subject: String,
    note: String,
}

impl TryFrom<NoteRow> for ParcelNote {
    type Error = StoreError;
    fn try_from(r: NoteRow) -> Result<Self, StoreError> {
        Ok(ParcelNote {
            id: r.id,
            parcel_id: ParcelId(r.parcel_id),
            interchange_id: r.interchange_id.map(InterchangeId),
            at: time(r.at_ms)?,
            status_code: r.status_code,
            posted_by: r.posted_by,
            user_id: UserId(r.user_id),
            subject: r.subject,
            note: r.note,
        })
    }
}

pub(crate) fn note_fields(n: &ParcelNote) -> Fields {
    vec![
        ("parcel_id", n.parcel_id.0.into()),
        ("interchange_id", n.interchange_id.map(|i| i.0).into()),
        ("at_ms", n.at.into()),
        ("status_code", (&n.status_code).into()),
        ("posted_by", (&n.posted_by).into()),
        ("user_id", n.user_id.0.into()),
        ("subject", (&n.subject).into()),
        ("note", (&n.note).into()),
    ]
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContentRow {
    pub(crate) content: Vec<u8>,
    pub(crate) sha256: Vec<u8>,
}
