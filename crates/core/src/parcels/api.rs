//! The requests and answers of the parcel services every front end calls. The services
//! themselves are `impl Core` blocks by concern: `upload` (reading, routing, accepting),
//! `lists` (views, info, mailbag search), `lifecycle` (download, confirm, reset, cancel,
//! resend, states, notes, manifest, housekeeping) and `interchanges`.

use chrono::{DateTime, Utc};
use edigrid_domain::{Direction, EcGridId, MailboxId, NetworkId, ParcelId, ParcelState};

use super::model::{Interchange, ManifestEntry, Parcel};
use crate::directory::model::Page;

/// An upload (deployed `ParcelUpload*`, documented `ParcelUpload*`, REST `parcels/upload`,
/// CLI `parcel send`).
#[derive(Debug, Clone, Default)]
pub struct UploadRequest {
    /// The uploading mailbox (`Ex` forms, REST `mailboxId`); `None` = the caller's own.
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    pub file_name: String,
    /// The decoded bytes.
    pub content: Vec<u8>,
    /// `Bytes` as the client declared it, if it did (checked against the content).
    pub declared_bytes: Option<i64>,
    /// Both ECGridIDs named (`ParcelUploadMft`, REST `ecGridIdFrom`/`ecGridIdTo`): a
    /// document without envelope is routed between them.
    pub explicit: Option<(EcGridId, EcGridId)>,
}

/// What an upload stored, as its transaction committed: the outbound parcel and the
/// inbound parcels made from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadReceipt {
    pub parcel: ParcelId,
    pub inbound: Vec<ParcelId>,
}

/// What an upload did: the outbound parcel, each interchange's fate, the inbound parcels.
#[derive(Debug, Clone)]
pub struct UploadOutcome {
    pub parcel: Parcel,
    pub interchanges: Vec<Interchange>,
    pub inbound: Vec<ParcelId>,
}

/// The named views of a box (SPEC-VAN 17), so that every front end lists the same parcels
/// for the same operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParcelView {
    /// Ready inbound parcels, oldest first (`ParcelInBox`, REST `pending-inbox-list`).
    InBox,
    /// Inbound parcels in any state, oldest first, unless states are given.
    InBoxAll,
    /// Archived (confirmed) inbound parcels, newest first, in a date range.
    InBoxArchive,
    /// Outbound parcels sent and not yet acknowledged, oldest first.
    OutBoxInProcess,
    /// Outbound parcels in any state, newest first, in a date range.
    OutBoxArchive,
    /// Outbound parcels with a delivery error, newest first, in a date range.
    OutBoxError,
}

/// A list of parcels as a front end asks for it.
#[derive(Debug, Clone)]
pub struct ParcelQuery {
    pub view: ParcelView,
    /// Whose box; `None` = the caller's own network and mailbox. A network given without a
    /// mailbox lists every mailbox of that network (network admins and operators).
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    /// Narrows the view's states; empty = the view's own.
    pub states: Vec<ParcelState>,
    pub ecgrid_from: Option<EcGridId>,
    pub ecgrid_to: Option<EcGridId>,
    /// `None` = open (the wire's `0001-01-01`).
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub mailbag_control_id: Option<String>,
    pub page: Page,
}

impl ParcelQuery {
    /// The caller's own box in `view`, first page of `page_size`.
    pub fn own(view: ParcelView, page_size: u32) -> Self {
        ParcelQuery {
            view,
            network: None,
            mailbox: None,
            states: Vec::new(),
            ecgrid_from: None,
            ecgrid_to: None,
            since: None,
            until: None,
            mailbag_control_id: None,
            page: Page::first(page_size),
        }
    }
}

/// A list of interchanges: uploaded by (`OutBox`) or delivered to (`InBox`) a mailbox.
#[derive(Debug, Clone)]
pub struct InterchangeQuery {
    pub direction: Direction,
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    /// Only undelivered ones for lack of a route (`InterchangeOutBoxNoRoute`).
    pub no_route_only: bool,
    /// Only those whose parcel is still waiting (`Pending` views: inbound parcel ready).
    pub pending_only: bool,
    /// Only archived ones (`Archive` views), newest first.
    pub archived_only: bool,
    pub ecgrid_from: Option<EcGridId>,
    pub ecgrid_to: Option<EcGridId>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub page: Page,
}

/// A parcel with its interchanges and manifest (`ParcelInfo`).
#[derive(Debug, Clone)]
pub struct ParcelDetail {
    pub parcel: Parcel,
    pub interchanges: Vec<Interchange>,
    pub manifest: Vec<ManifestEntry>,
}

/// Whether a download changes the parcel's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadMode {
    /// Ready → downloaded (`ParcelDownload`).
    Update,
    /// Changes nothing (`ParcelDownloadNoUpdate`).
    NoUpdate,
}

/// A download: the parcel's record (after the state change) and its exact stored bytes.
#[derive(Debug, Clone)]
pub struct Downloaded {
    pub parcel: Parcel,
    pub content: Vec<u8>,
}
