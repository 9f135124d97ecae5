//! The parcel services every front end calls: their requests, answers and signatures.
//! (Issue 13: the bodies are being written; the signatures are what the fronts code to.)

use chrono::{DateTime, Utc};
use edigrid_domain::{
    Direction, EcGridId, Error, InterchangeId, MailboxId, NetworkId, ParcelId, ParcelState,
};

use super::model::{Interchange, ManifestEntry, Parcel, ParcelNote};
use crate::directory::model::{Page, Paged};
use crate::service::Core;
use crate::sessions::Caller;

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

const ENGINE: &str = "issue 13: parcel engine not written yet";

#[allow(unused_variables)]
impl Core {
    /// Reads the envelopes, routes every interchange and stores the outbound parcel with
    /// every inbound parcel in one transaction (SPEC-VAN 15, 16, 18).
    pub async fn parcel_upload(
        &self,
        caller: &Caller,
        request: UploadRequest,
    ) -> Result<UploadOutcome, Error> {
        todo!("{ENGINE}")
    }

    pub async fn parcel_list(
        &self,
        caller: &Caller,
        query: ParcelQuery,
    ) -> Result<Paged<Parcel>, Error> {
        todo!("{ENGINE}")
    }

    pub async fn parcel_info(&self, caller: &Caller, id: ParcelId) -> Result<ParcelDetail, Error> {
        todo!("{ENGINE}")
    }

    pub async fn parcel_download(
        &self,
        caller: &Caller,
        id: ParcelId,
        mode: DownloadMode,
    ) -> Result<Downloaded, Error> {
        todo!("{ENGINE}")
    }

    /// Downloaded (or ready) → confirmed; with delete-on-download the content goes.
    pub async fn parcel_confirm(&self, caller: &Caller, id: ParcelId) -> Result<Parcel, Error> {
        todo!("{ENGINE}")
    }

    /// Downloaded or confirmed → ready (`ParcelDownloadReset`, REST `reset-to-inbox`).
    pub async fn parcel_reset(&self, caller: &Caller, id: ParcelId) -> Result<Parcel, Error> {
        todo!("{ENGINE}")
    }

    /// Downloaded → ready (`ParcelDownloadCancel`).
    pub async fn parcel_download_cancel(
        &self,
        caller: &Caller,
        id: ParcelId,
    ) -> Result<Parcel, Error> {
        todo!("{ENGINE}")
    }

    /// Withdraws an undownloaded delivery: by the receiver on an inbound parcel, by the
    /// sender on an outbound one (its undownloaded inbound parcels with it).
    pub async fn parcel_cancel(&self, caller: &Caller, id: ParcelId) -> Result<Parcel, Error> {
        todo!("{ENGINE}")
    }

    /// Delivers a parcel's interchanges again as new inbound parcels (NetOps and up).
    pub async fn parcel_resend(
        &self,
        caller: &Caller,
        id: ParcelId,
    ) -> Result<Vec<ParcelId>, Error> {
        todo!("{ENGINE}")
    }

    /// Sets a parcel's state as an operator or the box's owner asks (`ParcelUpdateStatus`,
    /// REST `parcels/update`), within its side's states.
    pub async fn parcel_set_state(
        &self,
        caller: &Caller,
        id: ParcelId,
        state: ParcelState,
    ) -> Result<Parcel, Error> {
        todo!("{ENGINE}")
    }

    pub async fn parcel_set_local_status(
        &self,
        caller: &Caller,
        id: ParcelId,
        status: i16,
    ) -> Result<Parcel, Error> {
        todo!("{ENGINE}")
    }

    pub async fn parcel_note(
        &self,
        caller: &Caller,
        id: ParcelId,
        subject: &str,
        note: &str,
    ) -> Result<ParcelNote, Error> {
        todo!("{ENGINE}")
    }

    pub async fn parcel_notes(
        &self,
        caller: &Caller,
        id: ParcelId,
    ) -> Result<Vec<ParcelNote>, Error> {
        todo!("{ENGINE}")
    }

    pub async fn parcel_manifest(
        &self,
        caller: &Caller,
        id: ParcelId,
    ) -> Result<Vec<ManifestEntry>, Error> {
        todo!("{ENGINE}")
    }

    pub async fn parcel_set_mailbag_control_id(
        &self,
        caller: &Caller,
        id: ParcelId,
        control_id: &str,
    ) -> Result<Parcel, Error> {
        todo!("{ENGINE}")
    }

    /// Parcels of a box with that mailbag control ID (`ParcelFindMailbagControlID`: the
    /// caller's outbox; `...To` and REST: the inbox).
    pub async fn parcel_find_mailbag_control_id(
        &self,
        caller: &Caller,
        direction: Direction,
        network: Option<NetworkId>,
        mailbox: Option<MailboxId>,
        control_id: &str,
    ) -> Result<Vec<Parcel>, Error> {
        todo!("{ENGINE}")
    }

    pub async fn interchange_info(
        &self,
        caller: &Caller,
        id: InterchangeId,
    ) -> Result<Interchange, Error> {
        todo!("{ENGINE}")
    }

    pub async fn interchange_list(
        &self,
        caller: &Caller,
        query: InterchangeQuery,
    ) -> Result<Paged<Interchange>, Error> {
        todo!("{ENGINE}")
    }

    pub async fn interchange_manifest(
        &self,
        caller: &Caller,
        id: InterchangeId,
    ) -> Result<Vec<ManifestEntry>, Error> {
        todo!("{ENGINE}")
    }

    /// Withdraws one undelivered-yet interchange from its inbound parcel.
    pub async fn interchange_cancel(
        &self,
        caller: &Caller,
        id: InterchangeId,
    ) -> Result<Interchange, Error> {
        todo!("{ENGINE}")
    }

    /// Delivers one interchange again as a new inbound parcel (NetOps and up).
    pub async fn interchange_resend(
        &self,
        caller: &Caller,
        id: InterchangeId,
    ) -> Result<ParcelId, Error> {
        todo!("{ENGINE}")
    }

    /// Returns timed-out downloads to the inbox and removes content past retention.
    pub async fn parcel_housekeeping(&self) -> Result<u64, Error> {
        todo!("{ENGINE}")
    }
}
