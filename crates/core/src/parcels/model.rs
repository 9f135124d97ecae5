//! Parcels and interchanges as the core keeps them (SPEC-VAN 15–19): records, the upload
//! the store accepts in one transaction, state changes, and the filters lists take.

use chrono::{DateTime, Utc};
use edigrid_domain::{
    Direction, EcGridId, EdiStandard, InterchangeId, InterchangeStatus, MailboxId, ManifestType,
    NetworkId, ParcelId, ParcelState, ParcelValid, UserId,
};

/// A parcel: the bytes of one upload (outbound, in the sender's mailbox) or of one delivery
/// (inbound, in the receiver's mailbox).
#[derive(Debug, Clone, PartialEq)]
pub struct Parcel {
    pub id: ParcelId,
    pub direction: Direction,
    /// The mailbox whose box the parcel is in: the sender's for outbound parcels, the
    /// receiver's for inbound ones.
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    /// The other side: for an inbound parcel the sending mailbox; for an outbound parcel the
    /// receiving mailbox when all its delivered interchanges went to one, else 0.
    pub peer_network_id: NetworkId,
    pub peer_mailbox_id: MailboxId,
    /// The ECGridIDs of its first interchange (or those named by an `Mft` upload); 0 where
    /// unknown.
    pub ecgrid_from: EcGridId,
    pub ecgrid_to: EcGridId,
    pub file_name: String,
    /// Length of the content as stored.
    pub bytes: i64,
    /// What the uploader declared (`Bytes`), else `bytes`.
    pub declared_bytes: i64,
    pub sha256: [u8; 32],
    /// Standard of its first interchange, or the sniffed kind of a document without envelope.
    pub standard: EdiStandard,
    pub state: ParcelState,
    pub valid: ParcelValid,
    /// For an invalid outbound parcel: the byte offset and reason (SPEC-VAN 15); else empty.
    pub problem: String,
    pub mailbag_control_id: String,
    /// Inbound parcels: the outbound parcel they were made from.
    pub source: Option<ParcelId>,
    /// The user who uploaded it (for inbound parcels, the uploader of the source).
    pub uploaded_by: UserId,
    pub created: DateTime<Utc>,
    pub state_changed: DateTime<Utc>,
    /// When a status-changing download last moved it to `InBoxTransferred`.
    pub downloaded: Option<DateTime<Utc>>,
    /// When its download was confirmed (inbound) or it was acknowledged (outbound).
    pub archived: Option<DateTime<Utc>>,
    /// The content was removed (delete-on-download, retention); the record stays.
    pub content_removed: bool,
    pub local_status: i16,
    pub local_status_changed: Option<DateTime<Utc>>,
    /// How many interchanges it holds.
    pub interchange_count: i32,
    /// Names of the mailboxes and networks on both sides, read with the record (joined by
    /// the store on every read; ignored when inserting).
    pub names: PartyNames,
}

/// Names of a parcel's own and peer network and mailbox, as lists show them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartyNames {
    pub network: String,
    pub mailbox: String,
    pub peer_network: String,
    pub peer_mailbox: String,
}

/// A parcel's content as stored, with the SHA-256 kept beside it (checked by the core on
/// every read, SPEC-VAN 18).
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub bytes: Vec<u8>,
    pub sha256: [u8; 32],
}

/// One interchange of an upload: where it came from and where it went.
#[derive(Debug, Clone, PartialEq)]
pub struct Interchange {
    pub id: InterchangeId,
    /// The outbound parcel it was uploaded in, and its position there (0-based).
    pub outbound: ParcelId,
    pub position: i32,
    /// The inbound parcel it was delivered in, if it was delivered.
    pub inbound: Option<ParcelId>,
    pub status: InterchangeStatus,
    /// Why it was not delivered (reason text, with the byte offset for invalid ones).
    pub reason: String,
    /// Seen before from the same sender to the same receiver with the same control number
    /// (SPEC-VAN 16).
    pub duplicate: bool,
    pub standard: EdiStandard,
    /// Sender and receiver as the envelope names them (`qualifier:ID`, trimmed).
    pub sender: String,
    pub receiver: String,
    /// The ECGridIDs they resolved to; 0 where none did.
    pub ecgrid_from: EcGridId,
    pub ecgrid_to: EcGridId,
    pub network_from: NetworkId,
    pub mailbox_from: MailboxId,
    pub network_to: NetworkId,
    pub mailbox_to: MailboxId,
    /// ISA13 / 0020.
    pub control_number: String,
    /// Date and time as the envelope writes them (ISA09+ISA10, S004).
    pub envelope_date: String,
    /// The first transaction's or message's type (`850`, `ORDERS`), or empty.
    pub document_type: String,
    /// The header segment (ISA or UNB) as text, lossily decoded.
    pub header: String,
    /// Group and transaction envelope problems, one per line (for acknowledgments).
    pub findings: String,
    /// Byte range in the outbound parcel's content.
    pub offset: i64,
    pub length: i64,
    pub created: DateTime<Utc>,
    pub status_changed: DateTime<Utc>,
}

/// A line of a parcel's manifest: a status change or event, with who and when.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestEntry {
    pub parcel_id: ParcelId,
    /// The interchange it is about, if it is about one.
    pub interchange_id: Option<InterchangeId>,
    pub at: DateTime<Utc>,
    pub network_id: NetworkId,
    pub kind: ManifestType,
    /// A state or status name (`InBoxReady`, `NoRoute`, ...).
    pub status_code: String,
    pub message: String,
    /// Who caused it (0 for the system).
    pub user_id: UserId,
}

/// A note on a parcel (`ParcelAcknowledgmentNote`, documented `ParcelNote`).
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelNote {
    /// Assigned by the store.
    pub id: i64,
    pub parcel_id: ParcelId,
    pub interchange_id: Option<InterchangeId>,
    pub at: DateTime<Utc>,
    pub status_code: String,
    pub posted_by: String,
    pub user_id: UserId,
    pub subject: String,
    pub note: String,
}

/// A new parcel as the core hands it to the store: every field of [`Parcel`] but `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewParcel {
    /// `id` is ignored: the store assigns it from its sequence.
    pub parcel: Parcel,
    pub content: Vec<u8>,
}

/// A new interchange record; `outbound`, `inbound` and `id` are filled in by the store
/// from the parcels of the same [`Upload`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewInterchange {
    pub interchange: Interchange,
    /// Index into [`Upload::inbound`] of the parcel it is delivered in.
    pub delivered_in: Option<usize>,
}

/// An accepted upload and its routing, stored in one transaction (SPEC-VAN 16): the
/// outbound parcel, its interchanges, every inbound parcel made from it and their first
/// manifest entries. A crash before the commit leaves none of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    pub outbound: NewParcel,
    pub interchanges: Vec<NewInterchange>,
    /// One per receiving mailbox, in the order of their first interchange.
    pub inbound: Vec<NewParcel>,
    /// Entries with `parcel_id` 0 name the outbound parcel; an `interchange_id` is the
    /// position in [`Upload::interchanges`], replaced by the number the store assigns.
    /// Entries for inbound parcels are written by the store itself (`InBoxReady`) at the
    /// outbound parcel's `created` time.
    pub manifest: Vec<ManifestEntry>,
    /// Interchanges delivered now whose (`ecgrid_from`, `ecgrid_to`, `control_number`)
    /// matches one accepted at or after this time are flagged `duplicate` by the store, in
    /// the same transaction, and their parcels' `valid` becomes `Duplicate`.
    pub duplicates_since: DateTime<Utc>,
    /// A compare-and-set that must apply in the same transaction for the upload to be
    /// stored: when the parcel is not in one of its `from` states nothing is stored and the
    /// store answers `Conflict`. A simulated partner's answer consumes the parcel it
    /// answers this way, so that two nodes never answer one parcel twice.
    pub requires: Option<StateChange>,
}

/// New deliveries of interchanges accepted before (`ParcelResend`, `InterchangeResend`),
/// stored in one transaction: the new inbound parcels (their `source` set to each
/// interchange's outbound parcel), the interchanges pointed at them and `Delivered` again,
/// and a manifest entry for each.
#[derive(Debug, Clone, PartialEq)]
pub struct Redelivery {
    pub inbound: Vec<NewParcel>,
    /// Each interchange and the index into `inbound` of the parcel it now goes in.
    pub interchanges: Vec<(InterchangeId, usize)>,
    pub at: DateTime<Utc>,
    pub by: UserId,
}

/// What the store assigned to an [`Upload`].
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub outbound: ParcelId,
    pub inbound: Vec<ParcelId>,
    /// In the order of [`Upload::interchanges`].
    pub interchanges: Vec<InterchangeId>,
    /// Positions (in [`Upload::interchanges`]) flagged duplicate.
    pub duplicates: Vec<usize>,
}

/// A compare-and-set of a parcel's state with its manifest entry, in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct StateChange {
    pub parcel: ParcelId,
    /// Applied only when the parcel is in one of these states.
    pub from: Vec<ParcelState>,
    pub to: ParcelState,
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub message: String,
    /// Set `downloaded` to `at` (status-changing downloads).
    pub mark_downloaded: bool,
    /// Remove the content (delete-on-download on confirm).
    pub remove_content: bool,
    /// Also set the state of the parcel's interchanges (inbound parcel: those delivered in
    /// it; outbound: those uploaded in it that are `Delivered`) to this.
    pub interchanges_to: Option<InterchangeStatus>,
}

/// Which parcels a list shows. Served by an index on (mailbox, direction, state, id) and
/// (mailbox, direction, created): a page costs the same however many parcels are stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelFilter {
    pub direction: Direction,
    /// Whose box: one mailbox, or every mailbox of a network (`mailbox` `None`), or all
    /// (both `None`, operators).
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    /// Any of these states; empty = any.
    pub states: Vec<ParcelState>,
    pub ecgrid_from: Option<EcGridId>,
    pub ecgrid_to: Option<EcGridId>,
    /// `created` in [since, until).
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub mailbag_control_id: Option<String>,
    /// Newest first (archives); else oldest first (inboxes).
    pub newest_first: bool,
}

impl ParcelFilter {
    /// Every parcel of one mailbox's box, oldest first.
    pub fn of(direction: Direction, network: NetworkId, mailbox: MailboxId) -> Self {
        ParcelFilter {
            direction,
            network: Some(network),
            mailbox: Some(mailbox),
            states: Vec::new(),
            ecgrid_from: None,
            ecgrid_to: None,
            since: None,
            until: None,
            mailbag_control_id: None,
            newest_first: false,
        }
    }
}

/// Which interchanges a list shows: those uploaded by a mailbox (`OutBox`) or delivered to
/// it (`InBox`).
#[derive(Debug, Clone, PartialEq)]
pub struct InterchangeFilter {
    pub direction: Direction,
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    /// Any of these statuses; empty = any.
    pub statuses: Vec<InterchangeStatus>,
    /// Inbound side: only those whose inbound parcel is in one of these states.
    pub parcel_states: Vec<ParcelState>,
    pub ecgrid_from: Option<EcGridId>,
    pub ecgrid_to: Option<EcGridId>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub newest_first: bool,
}
