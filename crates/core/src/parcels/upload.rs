//! An upload (SPEC-VAN 15, 16, 18): the uploading mailbox and its authority, the checks that
//! refuse a request outright, reading the envelopes, routing every interchange, and one
//! store transaction for the outbound parcel with every inbound parcel made from it.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Instant;

use chrono::{DateTime, Utc};
use edigrid_domain::{
    Direction, EcGridId, EdiStandard, Error, InterchangeId, InterchangeStatus, MailboxId,
    ManifestType, NetworkId, ParamProblem, ParcelId, ParcelState, ParcelValid, UserStatus,
    X12Delimiters, partner_id_key,
};
use edigrid_edi::{ParcelReading, ParcelVerdict, read_parcel};
use sha2::{Digest, Sha256};

use super::access::works_box;
use super::api::{UploadOutcome, UploadReceipt, UploadRequest};
use super::model::{
    Interchange, ManifestEntry, NewInterchange, NewParcel, Parcel, PartyNames, StateChange, Upload,
};
use super::routing::{
    Rewrite, at_offset, document_standard, envelope_record, group_by_mailbox, outbound_state,
    parcel_valid, rewrite_for, wanted_delimiters,
};
use crate::directory::access::{Act, Actor, Object};
use crate::directory::guard::text;
use crate::directory::model::{Mailbox, Page, PartnerFilter, TradingPartner};
use crate::service::{Core, internal};
use crate::sessions::Caller;
use crate::store::StoreError;

/// Content above this is read on a blocking thread, so a large parcel does not hold up
/// the async workers.
const READ_INLINE_BYTES: usize = 256 * 1024;

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// What routing decided for one interchange: where it goes, or why it does not.
struct Routed {
    record: Interchange,
    /// The receiving mailbox, when delivered.
    to: Option<Mailbox>,
    /// Bytes as the receiver gets them, when delivered.
    bytes: Delivered,
    /// A note for the manifest (delimiters left as uploaded).
    note: Option<String>,
}

impl Routed {
    fn undelivered(record: Interchange) -> Self {
        Routed {
            record,
            to: None,
            bytes: Delivered::AsUploaded(0..0),
            note: None,
        }
    }
}

/// The bytes a receiver gets of one interchange: as uploaded, named by where they are in
/// the content rather than copied (a large parcel's content is the largest thing an upload
/// holds; every copy of it counts against memory), or rewritten.
enum Delivered {
    AsUploaded(Range<usize>),
    Rewritten(Vec<u8>),
}

impl Delivered {
    /// `range` of `content`, or nothing when it is not one.
    fn as_uploaded(content: &[u8], range: Range<usize>) -> Self {
        match content.get(range.clone()) {
            Some(_) => Delivered::AsUploaded(range),
            None => Delivered::AsUploaded(0..0),
        }
    }

    fn bytes<'a>(&'a self, content: &'a [u8]) -> &'a [u8] {
        match self {
            Delivered::AsUploaded(range) => content.get(range.clone()).unwrap_or_default(),
            Delivered::Rewritten(bytes) => bytes,
        }
    }
}

/// Directory lookups of one upload, each made once. An ID is read with its mailbox and
/// that mailbox's network's delimiters in one store read (`route_by_address`), which fills
/// the other two maps.
struct Lookups<'a> {
    core: &'a Core,
    partners: HashMap<(String, String), Option<TradingPartner>>,
    mailboxes: HashMap<MailboxId, Option<Mailbox>>,
    /// A network's X12 delimiters (unset where there is no such network).
    networks: HashMap<NetworkId, X12Delimiters>,
    /// Why an address has no route, by address.
    no_route: HashMap<String, String>,
}

impl<'a> Lookups<'a> {
    fn new(core: &'a Core) -> Self {
        Lookups {
            core,
            partners: HashMap::new(),
            mailboxes: HashMap::new(),
            networks: HashMap::new(),
            no_route: HashMap::new(),
        }
    }

    /// The active ECGridID registered for `qualifier:id`.
    async fn active(&mut self, qualifier: &str, id: &str) -> Result<Option<TradingPartner>, Error> {
        let key = (qualifier.to_ascii_uppercase(), partner_id_key(id));
        if let Some(found) = self.partners.get(&key) {
            return Ok(found.clone());
        }
        let store = &self.core.inner.store;
        let route = store
            .route_by_address(&key.0, &key.1)
            .await
            .map_err(internal)?;
        let found = route.map(|r| {
            if let Some(m) = &r.mailbox {
                self.networks
                    .entry(m.network_id)
                    .or_insert(r.network_x12.unwrap_or_default());
            }
            self.mailboxes
                .entry(r.partner.mailbox_id)
                .or_insert(r.mailbox);
            r.partner
        });
        self.partners.insert(key, found.clone());
        Ok(found)
    }

    async fn mailbox(&mut self, id: MailboxId) -> Result<Option<Mailbox>, Error> {
        if let Some(found) = self.mailboxes.get(&id) {
            return Ok(found.clone());
        }
        let found = self.core.inner.store.mailbox(id).await.map_err(internal)?;
        self.mailboxes.insert(id, found.clone());
        Ok(found)
    }

    /// A network's X12 delimiters (unset where there is no such network).
    async fn network_x12(&mut self, id: NetworkId) -> Result<X12Delimiters, Error> {
        if let Some(found) = self.networks.get(&id) {
            return Ok(*found);
        }
        let found = self.core.inner.store.network(id).await.map_err(internal)?;
        let x12 = found.map(|n| n.x12).unwrap_or_default();
        self.networks.insert(id, x12);
        Ok(x12)
    }

    /// Why no active ID has this address: a registration that is suspended or terminated,
    /// or none at all.
    async fn no_route_reason(
        &mut self,
        address: &str,
        qualifier: &str,
        id: &str,
    ) -> Result<String, Error> {
        if let Some(reason) = self.no_route.get(address) {
            return Ok(reason.clone());
        }
        let filter = PartnerFilter {
            qualifier_key: Some(qualifier.to_ascii_uppercase()),
            id_key: Some(partner_id_key(id)),
            ..PartnerFilter::default()
        };
        let known = self
            .core
            .inner
            .store
            .list_partners(&filter, Page::first(10))
            .await
            .map_err(internal)?;
        // A live (suspended) registration says more than the terminated ones before it.
        let live = known
            .items
            .iter()
            .find(|p| p.status != UserStatus::Terminated);
        let reason = match live.or(known.items.first()) {
            Some(p) => format!(
                "no route: receiver {address} is {} (ECGridID {})",
                p.status.as_str().to_ascii_lowercase(),
                p.ecgrid_id
            ),
            None => format!("no route: no trading partner ID {address} is registered"),
        };
        self.no_route.insert(address.to_string(), reason.clone());
        Ok(reason)
    }
}

/// Splits `qualifier:ID` as [`envelope_record`] writes it.
fn split_address(address: &str) -> (&str, &str) {
    address.split_once(':').unwrap_or(("", address))
}

impl Core {
    /// Reads the envelopes, routes every interchange and stores the outbound parcel with
    /// every inbound parcel in one transaction (SPEC-VAN 15, 16, 18).
    /// The stored parcel and interchanges are read back for the answer.
    pub async fn parcel_upload(
        &self,
        caller: &Caller,
        request: UploadRequest,
    ) -> Result<UploadOutcome, Error> {
        self.parcel_upload_requiring(caller, request, None)
            .await?
            .ok_or(Error::Internal)
    }

    /// [`Core::parcel_upload`] for a front end whose answer is the ParcelID alone (every
    /// SOAP and REST upload): the same work and the same transaction, without reading the
    /// stored records back (two store reads, round trips on PostgreSQL).
    pub async fn parcel_upload_receipt(
        &self,
        caller: &Caller,
        request: UploadRequest,
    ) -> Result<UploadReceipt, Error> {
        self.accept_request(caller, request, None)
            .await?
            .ok_or(Error::Internal)
    }

    /// [`Core::parcel_upload`], stored only if `requires` applies in the same transaction
    /// (`Upload::requires`); `None` when it does not (nothing was stored).
    pub(crate) async fn parcel_upload_requiring(
        &self,
        caller: &Caller,
        request: UploadRequest,
        requires: Option<StateChange>,
    ) -> Result<Option<UploadOutcome>, Error> {
        let Some(receipt) = self.accept_request(caller, request, requires).await? else {
            return Ok(None);
        };
        let parcel = self
            .inner
            .store
            .parcel(receipt.parcel)
            .await
            .map_err(internal)?
            .ok_or_else(|| {
                tracing::error!(parcel = %receipt.parcel, "an accepted parcel cannot be read back");
                Error::Internal
            })?;
        let interchanges = self
            .inner
            .store
            .parcel_interchanges(receipt.parcel)
            .await
            .map_err(internal)?;
        Ok(Some(UploadOutcome {
            parcel,
            interchanges,
            inbound: receipt.inbound,
        }))
    }

    /// Reads, routes and stores an upload (see [`Core::parcel_upload_requiring`]).
    async fn accept_request(
        &self,
        caller: &Caller,
        request: UploadRequest,
        requires: Option<StateChange>,
    ) -> Result<Option<UploadReceipt>, Error> {
        let started = Instant::now();
        let actor = self.actor(caller).await?;
        let uploader = self.uploading_mailbox(&actor, &request).await?;
        self.check_upload(&request)?;
        let file_name = text(&request.file_name, "FileName")?;
        let declared = request
            .declared_bytes
            .filter(|b| *b != 0)
            .unwrap_or(request.content.len() as i64);
        let wide = request.mailbox.is_some() || request.explicit.is_some();
        let explicit = request.explicit;
        let (content, reading) = read_envelopes(request.content).await?;
        let now = self.now();

        let mut lookups = Lookups::new(self);
        let (routed, problem, standard) = match &reading.verdict {
            ParcelVerdict::Invalid { offset, reason } => {
                let problem = at_offset(*offset, reason);
                let routed = whole_parcel_invalid(&reading, &content, &problem, &uploader, now);
                let standard = routed
                    .first()
                    .map_or(EdiStandard::Binary, |r| r.record.standard);
                (routed, problem, standard)
            }
            ParcelVerdict::NoEnvelope { document } => {
                let standard = document_standard(*document);
                let one = self
                    .route_document(
                        &mut lookups,
                        &actor,
                        &uploader,
                        explicit,
                        &content,
                        standard,
                        now,
                    )
                    .await?;
                let problem = if one.record.status == InterchangeStatus::Invalid {
                    one.record.reason.clone()
                } else {
                    String::new()
                };
                (vec![one], problem, standard)
            }
            ParcelVerdict::Enveloped => {
                let mut routed = Vec::with_capacity(reading.interchanges.len());
                for (position, ic) in reading.interchanges.iter().enumerate() {
                    let mut record = envelope_record(ic, &content, position, now);
                    record.network_from = uploader.network_id;
                    record.mailbox_from = uploader.id;
                    routed.push(
                        self.route_interchange(
                            &mut lookups,
                            &actor,
                            &uploader,
                            wide,
                            ic,
                            &content,
                            record,
                        )
                        .await?,
                    );
                }
                let standard = routed
                    .first()
                    .map_or(EdiStandard::X12, |r| r.record.standard);
                (routed, String::new(), standard)
            }
        };
        let whole_invalid = matches!(reading.verdict, ParcelVerdict::Invalid { .. })
            || (matches!(reading.verdict, ParcelVerdict::NoEnvelope { .. }) && !problem.is_empty());
        let upload = assemble(Assembly {
            actor: &actor,
            uploader: &uploader,
            file_name,
            content,
            declared,
            standard,
            problem,
            whole_invalid,
            explicit,
            routed,
            now,
            duplicates_since: now - self.parcels.duplicate_window,
        });
        let mut upload = Upload { requires, ..upload };
        self.add_carbon_copies(&mut upload).await?;
        let accepted = match self.inner.store.accept_upload(&upload).await {
            Ok(accepted) => accepted,
            Err(StoreError::Conflict(what)) if upload.requires.is_some() => {
                tracing::debug!(%what, "an upload's required state change did not apply");
                return Ok(None);
            }
            Err(e) => return Err(internal(e)),
        };
        record_metrics(&upload, started);
        tracing::info!(
            parcel = %accepted.outbound,
            mailbox = %upload.outbound.parcel.mailbox_id,
            bytes = upload.outbound.parcel.bytes,
            state = %upload.outbound.parcel.state,
            valid = %upload.outbound.parcel.valid,
            duplicates = accepted.duplicates.len(),
            deliveries = accepted.inbound.len(),
            "parcel uploaded"
        );
        Ok(Some(UploadReceipt {
            parcel: accepted.outbound,
            inbound: accepted.inbound,
        }))
    }

    /// The mailbox an upload is made from: the caller's own, or the one named (authority
    /// over it required), active.
    async fn uploading_mailbox(
        &self,
        actor: &Actor,
        request: &UploadRequest,
    ) -> Result<Mailbox, Error> {
        let id = match request.mailbox {
            Some(id) => id,
            None if actor.mailbox.0 != 0 => actor.mailbox,
            None => {
                return Err(Error::invalid(
                    "MailboxID",
                    ParamProblem::Value,
                    "name the mailbox the parcel is uploaded from",
                ));
            }
        };
        let mailbox = self
            .mailbox_as(actor, id, Act::Read, |m| {
                Object::Mailbox(m.network_id, m.id)
            })
            .await?;
        if request.network.is_some_and(|n| n != mailbox.network_id) {
            return Err(Error::invalid(
                "MailboxID",
                ParamProblem::Value,
                format!("mailbox {id} is not in network {}", mailbox.network_id),
            ));
        }
        if !works_box(actor, mailbox.network_id, mailbox.id) {
            return Err(Error::AccessDenied(format!(
                "{} may not upload parcels from mailbox {id}",
                actor.level
            )));
        }
        if mailbox.status != UserStatus::Active {
            return Err(Error::invalid(
                "MailboxID",
                ParamProblem::Value,
                format!(
                    "mailbox {id} is {}: it may not send",
                    mailbox.status.as_str().to_ascii_lowercase()
                ),
            ));
        }
        Ok(mailbox)
    }

    /// Refusals that store nothing: empty, too large, or not the size declared.
    fn check_upload(&self, request: &UploadRequest) -> Result<(), Error> {
        let len = request.content.len();
        if len == 0 {
            return Err(Error::invalid("Content", ParamProblem::Value, "is empty"));
        }
        let max = self.parcels.max_parcel_bytes;
        if len > max {
            return Err(Error::invalid(
                "Content",
                ParamProblem::Length,
                format!("is {len} bytes; a parcel may have at most {max}"),
            ));
        }
        if let Some(declared) = request.declared_bytes.filter(|b| *b != 0)
            && declared != len as i64
        {
            return Err(Error::invalid(
                "Bytes",
                ParamProblem::Value,
                format!("says {declared} bytes but the content has {len}"),
            ));
        }
        Ok(())
    }

    /// One valid interchange: its sender must be an active ID of the uploading mailbox (of
    /// any mailbox the caller works, for `Ex` and `Mft` uploads), its receiver an active ID
    /// of an active mailbox.
    #[allow(clippy::too_many_arguments)]
    async fn route_interchange(
        &self,
        lookups: &mut Lookups<'_>,
        actor: &Actor,
        uploader: &Mailbox,
        wide: bool,
        ic: &edigrid_edi::Interchange,
        data: &[u8],
        mut record: Interchange,
    ) -> Result<Routed, Error> {
        let bytes = data.get(ic.range.clone()).unwrap_or_default();
        if record.status == InterchangeStatus::Invalid {
            return Ok(Routed::undelivered(record));
        }
        let sender = record.sender.clone();
        let (q, id) = split_address(&sender);
        let from = lookups.active(q, id).await?;
        let from = from.filter(|p| {
            p.mailbox_id == uploader.id || (wide && works_box(actor, p.network_id, p.mailbox_id))
        });
        let Some(from) = from else {
            record.status = InterchangeStatus::UnknownSender;
            record.reason = format!(
                "unknown sender: {sender} is not an active ID of mailbox {}",
                uploader.id
            );
            return Ok(Routed::undelivered(record));
        };
        record.ecgrid_from = from.ecgrid_id;
        record.network_from = from.network_id;
        record.mailbox_from = from.mailbox_id;
        let receiver = record.receiver.clone();
        let (q, id) = split_address(&receiver);
        let Some(to) = lookups.active(q, id).await? else {
            record.status = InterchangeStatus::NoRoute;
            record.reason = lookups.no_route_reason(&receiver, q, id).await?;
            return Ok(Routed::undelivered(record));
        };
        record.ecgrid_to = to.ecgrid_id;
        record.network_to = to.network_id;
        record.mailbox_to = to.mailbox_id;
        if let Some(reason) = self.interconnect_refusal(&from, &to).await? {
            record.status = InterchangeStatus::NoRoute;
            record.reason = reason;
            return Ok(Routed::undelivered(record));
        }
        let Some(mailbox) = self.receiving_mailbox(lookups, &to, &mut record).await? else {
            return Ok(Routed::undelivered(record));
        };
        let network_x12 = lookups.network_x12(mailbox.network_id).await?;
        let wanted = wanted_delimiters(to.x12, mailbox.config.x12, network_x12);
        let as_uploaded = || Delivered::as_uploaded(data, ic.range.clone());
        let (bytes, note) = match rewrite_for(ic, bytes, wanted) {
            Rewrite::Unchanged => (as_uploaded(), None),
            Rewrite::Rewritten(new) => (Delivered::Rewritten(new), None),
            Rewrite::Refused(why) => (as_uploaded(), Some(why)),
        };
        Ok(Routed {
            record,
            to: Some(mailbox),
            bytes,
            note,
        })
    }

    /// The active mailbox of a receiver's ID; `None` (with the record set to no route) when
    /// it is not active.
    async fn receiving_mailbox(
        &self,
        lookups: &mut Lookups<'_>,
        to: &TradingPartner,
        record: &mut Interchange,
    ) -> Result<Option<Mailbox>, Error> {
        match lookups.mailbox(to.mailbox_id).await? {
            Some(m) if m.status == UserStatus::Active => Ok(Some(m)),
            found => {
                let status = found.map_or("missing".to_string(), |m| {
                    m.status.as_str().to_ascii_lowercase()
                });
                record.status = InterchangeStatus::NoRoute;
                record.reason = format!(
                    "no route: the mailbox {} of receiver {} is {status}",
                    to.mailbox_id, record.receiver
                );
                Ok(None)
            }
        }
    }

    /// A document without envelope: routed between the two ECGridIDs the upload names, else
    /// invalid.
    #[allow(clippy::too_many_arguments)]
    async fn route_document(
        &self,
        lookups: &mut Lookups<'_>,
        actor: &Actor,
        uploader: &Mailbox,
        explicit: Option<(EcGridId, EcGridId)>,
        content: &[u8],
        standard: EdiStandard,
        now: DateTime<Utc>,
    ) -> Result<Routed, Error> {
        let mut record = Interchange {
            id: InterchangeId(0),
            outbound: ParcelId(0),
            position: 0,
            inbound: None,
            status: InterchangeStatus::Invalid,
            reason: String::new(),
            duplicate: false,
            standard,
            sender: String::new(),
            receiver: String::new(),
            ecgrid_from: EcGridId(0),
            ecgrid_to: EcGridId(0),
            network_from: uploader.network_id,
            mailbox_from: uploader.id,
            network_to: NetworkId(0),
            mailbox_to: MailboxId(0),
            control_number: String::new(),
            envelope_date: String::new(),
            document_type: standard.as_str().into(),
            header: String::new(),
            findings: String::new(),
            offset: 0,
            length: content.len() as i64,
            created: now,
            status_changed: now,
        };
        let Some((from_id, to_id)) = explicit else {
            record.reason = format!(
                "no EDI envelope: a {standard} document is routed only when the upload names \
                 both ECGridIDs"
            );
            return Ok(Routed::undelivered(record));
        };
        let store = &self.inner.store;
        let from = store.partner(from_id).await.map_err(internal)?;
        let from = from.filter(|p| {
            p.status == UserStatus::Active
                && (p.mailbox_id == uploader.id || works_box(actor, p.network_id, p.mailbox_id))
        });
        let Some(from) = from else {
            record.status = InterchangeStatus::UnknownSender;
            record.reason = format!(
                "unknown sender: ECGridID {from_id} is not an active ID the caller sends from"
            );
            return Ok(Routed::undelivered(record));
        };
        record.sender = format!("{}:{}", from.qualifier, from.id.trim_end());
        record.ecgrid_from = from.ecgrid_id;
        record.network_from = from.network_id;
        record.mailbox_from = from.mailbox_id;
        let to = store.partner(to_id).await.map_err(internal)?;
        let Some(to) = to.filter(|p| p.status == UserStatus::Active) else {
            record.status = InterchangeStatus::NoRoute;
            record.reason = format!("no route: ECGridID {to_id} is not an active ID");
            return Ok(Routed::undelivered(record));
        };
        record.receiver = format!("{}:{}", to.qualifier, to.id.trim_end());
        record.ecgrid_to = to.ecgrid_id;
        record.network_to = to.network_id;
        record.mailbox_to = to.mailbox_id;
        if let Some(reason) = self.interconnect_refusal(&from, &to).await? {
            record.status = InterchangeStatus::NoRoute;
            record.reason = reason;
            return Ok(Routed::undelivered(record));
        }
        let Some(mailbox) = self.receiving_mailbox(lookups, &to, &mut record).await? else {
            return Ok(Routed::undelivered(record));
        };
        record.status = InterchangeStatus::Delivered;
        Ok(Routed {
            record,
            to: Some(mailbox),
            bytes: Delivered::AsUploaded(0..content.len()),
            note: None,
        })
    }
}

/// Reads the envelopes, on a blocking thread when the content is large.
async fn read_envelopes(content: Vec<u8>) -> Result<(Vec<u8>, ParcelReading), Error> {
    if content.len() <= READ_INLINE_BYTES {
        let reading = read_parcel(&content);
        return Ok((content, reading));
    }
    tokio::task::spawn_blocking(move || {
        let reading = read_parcel(&content);
        (content, reading)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "reading a parcel's envelopes failed");
        Error::Internal
    })
}

/// Every interchange of a parcel that is invalid as a whole: recorded, none delivered.
fn whole_parcel_invalid(
    reading: &ParcelReading,
    content: &[u8],
    problem: &str,
    uploader: &Mailbox,
    now: DateTime<Utc>,
) -> Vec<Routed> {
    reading
        .interchanges
        .iter()
        .enumerate()
        .map(|(position, ic)| {
            let mut record = envelope_record(ic, content, position, now);
            record.network_from = uploader.network_id;
            record.mailbox_from = uploader.id;
            if record.status != InterchangeStatus::Invalid {
                record.status = InterchangeStatus::Invalid;
                record.reason =
                    format!("not delivered: the parcel is invalid as a whole ({problem})");
            }
            Routed::undelivered(record)
        })
        .collect()
}

/// What [`assemble`] builds an [`Upload`] from.
struct Assembly<'a> {
    actor: &'a Actor,
    uploader: &'a Mailbox,
    file_name: String,
    content: Vec<u8>,
    declared: i64,
    standard: EdiStandard,
    /// Why the parcel as a whole is invalid; empty when it is not.
    problem: String,
    whole_invalid: bool,
    explicit: Option<(EcGridId, EcGridId)>,
    routed: Vec<Routed>,
    now: DateTime<Utc>,
    duplicates_since: DateTime<Utc>,
}

/// The outbound parcel, its interchanges, one inbound parcel per receiving mailbox (bytes
/// in upload order) and the manifest, ready for the store.
fn assemble(a: Assembly<'_>) -> Upload {
    let targets: Vec<Option<MailboxId>> = a
        .routed
        .iter()
        .map(|r| r.to.as_ref().map(|m| m.id))
        .collect();
    let (groups, index) = group_by_mailbox(&targets);
    let statuses: Vec<InterchangeStatus> = a.routed.iter().map(|r| r.record.status).collect();
    let state = outbound_state(a.whole_invalid, &statuses);
    let valid = parcel_valid(a.whole_invalid, &statuses);
    let first = a.routed.first().map(|r| &r.record);
    let (ecgrid_from, ecgrid_to) = match (a.explicit, first) {
        (Some(pair), _) => pair,
        (None, Some(r)) => (r.ecgrid_from, r.ecgrid_to),
        (None, None) => (EcGridId(0), EcGridId(0)),
    };
    let (peer_network, peer_mailbox) = match groups.as_slice() {
        [(_, positions)] => {
            let to = a.routed[positions[0]].to.as_ref();
            to.map_or((NetworkId(0), MailboxId(0)), |m| (m.network_id, m.id))
        }
        _ => (NetworkId(0), MailboxId(0)),
    };
    let base = Parcel {
        id: ParcelId(0),
        direction: Direction::OutBox,
        network_id: a.uploader.network_id,
        mailbox_id: a.uploader.id,
        peer_network_id: peer_network,
        peer_mailbox_id: peer_mailbox,
        ecgrid_from,
        ecgrid_to,
        file_name: a.file_name.clone(),
        bytes: a.content.len() as i64,
        declared_bytes: a.declared,
        sha256: sha256(&a.content),
        standard: a.standard,
        state,
        valid,
        problem: a.problem.clone(),
        mailbag_control_id: String::new(),
        source: None,
        uploaded_by: a.actor.user,
        created: a.now,
        state_changed: a.now,
        downloaded: None,
        archived: None,
        content_removed: false,
        local_status: 0,
        local_status_changed: None,
        interchange_count: i32::try_from(a.routed.len()).unwrap_or(i32::MAX),
        names: PartyNames::default(),
    };
    let inbound: Vec<NewParcel> = groups
        .iter()
        .map(|(_, positions)| {
            let first = &a.routed[positions[0]];
            let pieces = || {
                positions
                    .iter()
                    .map(|&p| a.routed[p].bytes.bytes(&a.content))
            };
            let mut content = Vec::with_capacity(pieces().map(<[u8]>::len).sum());
            for piece in pieces() {
                content.extend_from_slice(piece);
            }
            let to = first.to.as_ref();
            NewParcel {
                parcel: Parcel {
                    direction: Direction::InBox,
                    network_id: to.map_or(NetworkId(0), |m| m.network_id),
                    mailbox_id: to.map_or(MailboxId(0), |m| m.id),
                    peer_network_id: a.uploader.network_id,
                    peer_mailbox_id: a.uploader.id,
                    ecgrid_from: first.record.ecgrid_from,
                    ecgrid_to: first.record.ecgrid_to,
                    bytes: content.len() as i64,
                    declared_bytes: content.len() as i64,
                    sha256: sha256(&content),
                    standard: first.record.standard,
                    state: ParcelState::InBoxReady,
                    valid: ParcelValid::Valid,
                    problem: String::new(),
                    interchange_count: i32::try_from(positions.len()).unwrap_or(i32::MAX),
                    ..base.clone()
                },
                content,
            }
        })
        .collect();
    let manifest = upload_manifest(&a, &base, groups.len());
    let interchanges = a
        .routed
        .into_iter()
        .zip(index)
        .map(|(r, delivered_in)| NewInterchange {
            interchange: r.record,
            delivered_in,
        })
        .collect();
    Upload {
        outbound: NewParcel {
            parcel: base,
            content: a.content,
        },
        interchanges,
        inbound,
        manifest,
        duplicates_since: a.duplicates_since,
        requires: None,
    }
}

/// The outbound parcel's first manifest entries: its arrival, then each interchange not
/// delivered and each delivered with its own delimiters.
fn upload_manifest(a: &Assembly<'_>, parcel: &Parcel, deliveries: usize) -> Vec<ManifestEntry> {
    let entry =
        |interchange: Option<usize>, kind, status_code: String, message: String| ManifestEntry {
            parcel_id: ParcelId(0),
            interchange_id: interchange.map(|p| InterchangeId(p as i64)),
            at: a.now,
            network_id: parcel.network_id,
            kind,
            status_code,
            message,
            user_id: a.actor.user,
        };
    let delivered = a
        .routed
        .iter()
        .filter(|r| r.record.status == InterchangeStatus::Delivered)
        .count();
    let summary = if a.whole_invalid {
        format!("Received {} bytes; not routed: {}", parcel.bytes, a.problem)
    } else {
        format!(
            "Received {} bytes: {} interchange(s), {delivered} delivered in {deliveries} parcel(s)",
            parcel.bytes,
            a.routed.len()
        )
    };
    let mut entries = vec![entry(
        None,
        ManifestType::System,
        parcel.state.as_str().into(),
        summary,
    )];
    for (position, r) in a.routed.iter().enumerate() {
        if r.record.status != InterchangeStatus::Delivered {
            entries.push(entry(
                Some(position),
                ManifestType::Error,
                r.record.status.as_str().into(),
                r.record.reason.clone(),
            ));
        }
        if let Some(note) = &r.note {
            entries.push(entry(
                Some(position),
                ManifestType::System,
                r.record.status.as_str().into(),
                note.clone(),
            ));
        }
    }
    entries
}

fn record_metrics(upload: &Upload, started: Instant) {
    let outbound = &upload.outbound.parcel;
    metrics::counter!("edigrid_parcels_uploaded_total", "state" => outbound.state.as_str())
        .increment(1);
    metrics::counter!("edigrid_parcel_bytes_in_total").increment(outbound.bytes as u64);
    metrics::counter!("edigrid_parcels_delivered_total").increment(upload.inbound.len() as u64);
    for i in &upload.interchanges {
        if i.delivered_in.is_none() {
            metrics::counter!(
                "edigrid_interchanges_failed_total",
                "status" => i.interchange.status.as_str()
            )
            .increment(1);
        }
    }
    metrics::histogram!("edigrid_parcel_routing_seconds").record(started.elapsed().as_secs_f64());
}
