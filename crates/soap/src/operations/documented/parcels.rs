//! Parcels in the documented dialect (ecgrid-docs soap-api/parcels, SPEC-VAN 15-19):
//! uploading, listing the boxes, reading, downloading, confirming, noting and resending.
//!
//! The pages' `ParcelIDInfo` has nine fields; edigrid's record follows them with what a
//! sender needs to see why a parcel is in error (validity, a status sentence) and the rest of
//! the record, all optional. `ParcelStatus` has the appendix's values; a list refuses, naming
//! `Status`, a value edigrid's parcels never take (AS2, FTP, retries, vault) or one of the
//! other box, rather than answering an empty list that looks like "nothing there".

use chrono::{DateTime, Datelike, Utc};
use edigrid_core::parcels::model::Parcel;
use edigrid_core::{DownloadMode, ParcelQuery, ParcelView, UploadRequest};
use edigrid_domain::{
    Direction, EcGridId, Error, MailboxId, NetworkId, ParamProblem, ParcelId, ParcelState,
};

use super::super::{Call, Operation, SESSION_ID, authenticate};
use super::{MAILBOX_FILTER, NETWORK_FILTER, PAGE_NO, RECORDS_PER_PAGE, page};
use crate::args::Args;
use crate::deployed_schema::types;
use crate::schema::{ComplexType, EnumType, Field, Value, XsdType};

/// The appendix's `ParcelStatus` values. edigrid's parcels take the seven of SPEC-VAN 17.
pub static PARCEL_STATUS: EnumType = EnumType {
    name: "ParcelStatus",
    values: &[
        "InBoxReady",
        "InBoxTransferred",
        "InBoxArchived",
        "as2Receive",
        "as2Sent",
        "ftpReceived",
        "ftpSent",
        "outboxPending",
        "outboxSent",
        "outboxAcknowledged",
        "outboxRetry",
        "outboxFailed",
        "outboxDeliveryError",
        "outboxTransferred",
        "Cancelled",
        "VaultReady",
    ],
};

/// The pages' nine fields, then the rest of the record.
pub static PARCEL_ID_INFO: ComplexType = ComplexType {
    name: "ParcelIDInfo",
    fields: &[
        Field::new("ParcelID", XsdType::Long),
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("FileName", XsdType::String),
        Field::new("Bytes", XsdType::Int),
        Field::new("Status", XsdType::Enum(&PARCEL_STATUS)),
        Field::new("ECGridIDFrom", XsdType::Int),
        Field::new("ECGridIDTo", XsdType::Int),
        Field::new("Created", XsdType::DateTime),
        Field::new("Direction", XsdType::Enum(&types::Direction)).optional(),
        Field::new("Valid", XsdType::Enum(&types::ParcelValid)).optional(),
        // The reason of an invalid parcel, else a sentence saying what the status means.
        Field::new("StatusMessage", XsdType::String),
        Field::new("Modified", XsdType::DateTime).optional(),
        Field::new("Standard", XsdType::Enum(&types::EDIStandard)).optional(),
        Field::new("Interchanges", XsdType::Int).optional(),
        Field::new("MailbagControlID", XsdType::String),
        Field::new("PeerNetworkID", XsdType::Int).optional(),
        Field::new("PeerMailboxID", XsdType::Int).optional(),
        Field::new("ContentRemoved", XsdType::Boolean).optional(),
    ],
};

const PARCEL_ID: Field = Field::new("ParcelID", XsdType::Long);
const FILE_NAME: Field = Field::new("FileName", XsdType::String);
/// The client's count of the content's bytes, checked against it; absent is not checked.
const BYTES: Field = Field::new("Bytes", XsdType::Int).optional();
const CONTENT: Field = Field::new("Content", XsdType::Base64Binary);
const ECGRID_ID_FROM: Field = Field::new("ECGridIDFrom", XsdType::Int).optional();
const ECGRID_ID_TO: Field = Field::new("ECGridIDTo", XsdType::Int).optional();
const STATUS: Field = Field::new("Status", XsdType::Enum(&PARCEL_STATUS)).optional();
const BEGIN_DATE: Field = Field::new("BeginDate", XsdType::DateTime).optional();
const END_DATE: Field = Field::new("EndDate", XsdType::DateTime).optional();

/// The parameters of the box lists, as the pages give them.
const BOX_PARAMS: &[Field] = &[
    SESSION_ID,
    NETWORK_FILTER,
    MAILBOX_FILTER,
    ECGRID_ID_FROM,
    ECGRID_ID_TO,
    STATUS,
    BEGIN_DATE,
    END_DATE,
    PAGE_NO,
    RECORDS_PER_PAGE,
];

pub(super) const PARCEL_UPLOAD: Operation = Operation {
    name: "ParcelUpload",
    doc: "Uploads a file from the caller's mailbox; its interchanges are routed by their envelopes. Returns the outbound parcel's ParcelID.",
    params: &[SESSION_ID, FILE_NAME, BYTES, CONTENT],
    result: XsdType::Long,
    handler: directory!(parcel_upload),
};

pub(super) const PARCEL_UPLOAD_EX: Operation = Operation {
    name: "ParcelUploadEx",
    doc: "ParcelUpload from a mailbox the caller manages (NetworkID and MailboxID; 0 is the caller's own).",
    params: &[
        SESSION_ID,
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        FILE_NAME,
        BYTES,
        CONTENT,
    ],
    result: XsdType::Long,
    handler: directory!(parcel_upload_ex),
};

pub(super) const PARCEL_UPLOAD_MFT: Operation = Operation {
    name: "ParcelUploadMft",
    doc: "ParcelUpload naming both ECGridIDs: a file without EDI envelope is delivered as one document from ECGridIDFrom to ECGridIDTo.",
    params: &[
        SESSION_ID,
        FILE_NAME,
        BYTES,
        CONTENT,
        Field::new("ECGridIDFrom", XsdType::Int),
        Field::new("ECGridIDTo", XsdType::Int),
    ],
    result: XsdType::Long,
    handler: directory!(parcel_upload_mft),
};

pub(super) const PARCEL_IN_BOX: Operation = Operation {
    name: "ParcelInBox",
    doc: "One page of a mailbox's inbound parcels, oldest first: those ready for download unless Status names another inbound state. NetworkID and MailboxID 0 are the caller's own mailbox (a NetworkID with MailboxID 0: every mailbox of that network within the caller's reach); 0 and 0001-01-01 filter nothing.",
    params: BOX_PARAMS,
    result: XsdType::Array(&PARCEL_ID_INFO),
    handler: directory!(parcel_in_box),
};

pub(super) const PARCEL_IN_BOX_EX: Operation = Operation {
    name: "ParcelInBoxEx",
    doc: "ParcelInBox, also filtered by the parcels' mailbag control ID (empty filters nothing).",
    params: &[
        SESSION_ID,
        NETWORK_FILTER,
        MAILBOX_FILTER,
        ECGRID_ID_FROM,
        ECGRID_ID_TO,
        Field::new("MailbagControlID", XsdType::String),
        STATUS,
        BEGIN_DATE,
        END_DATE,
        PAGE_NO,
        RECORDS_PER_PAGE,
    ],
    result: XsdType::Array(&PARCEL_ID_INFO),
    handler: directory!(parcel_in_box_ex),
};

pub(super) const PARCEL_IN_BOX_ARCHIVE: Operation = Operation {
    name: "ParcelInBoxArchive",
    doc: "One page of a mailbox's archived inbound parcels (download confirmed, status InBoxArchived), newest first, created in [BeginDate, EndDate).",
    params: BOX_PARAMS,
    result: XsdType::Array(&PARCEL_ID_INFO),
    handler: directory!(parcel_in_box_archive),
};

pub(super) const PARCEL_OUT_BOX: Operation = Operation {
    name: "ParcelOutBox",
    doc: "One page of a mailbox's outbound parcels (its uploads), newest first, in any state unless Status names one (outboxSent, outboxAcknowledged, outboxDeliveryError, Cancelled).",
    params: BOX_PARAMS,
    result: XsdType::Array(&PARCEL_ID_INFO),
    handler: directory!(parcel_out_box),
};

pub(super) const PARCEL_INFO: Operation = Operation {
    name: "ParcelInfo",
    doc: "One parcel of a box the caller may read.",
    params: &[SESSION_ID, PARCEL_ID],
    result: XsdType::Complex(&PARCEL_ID_INFO),
    handler: directory!(parcel_info),
};

pub(super) const PARCEL_DOWNLOAD: Operation = Operation {
    name: "ParcelDownload",
    doc: "An inbound parcel's content, exactly as stored; a ready parcel becomes InBoxTransferred until ParcelDownloadConfirm.",
    params: &[SESSION_ID, PARCEL_ID],
    result: XsdType::Base64Binary,
    handler: directory!(parcel_download),
};

pub(super) const PARCEL_DOWNLOAD_CONFIRM: Operation = Operation {
    name: "ParcelDownloadConfirm",
    doc: "Confirms an inbound parcel's download: it leaves the inbox for the archive (InBoxArchived).",
    params: &[SESSION_ID, PARCEL_ID],
    result: XsdType::Boolean,
    handler: directory!(parcel_download_confirm),
};

pub(super) const PARCEL_NOTE: Operation = Operation {
    name: "ParcelNote",
    doc: "Adds a note to a parcel's note list, with who and when.",
    params: &[SESSION_ID, PARCEL_ID, Field::new("Note", XsdType::String)],
    result: XsdType::Boolean,
    handler: directory!(parcel_note),
};

pub(super) const PARCEL_RESEND: Operation = Operation {
    name: "ParcelResend",
    doc: "Delivers a parcel's interchanges again, as new inbound parcels (NetOps and up).",
    params: &[SESSION_ID, PARCEL_ID],
    result: XsdType::Boolean,
    handler: directory!(parcel_resend),
};

/// A number as the wire's `int`, capped at its largest value.
fn int(n: i64) -> Value {
    Value::Int(i32::try_from(n).unwrap_or(i32::MAX))
}

pub(super) fn parcel_record(p: &Parcel) -> Value {
    let message = if p.problem.is_empty() {
        p.state.message().to_string()
    } else {
        p.problem.clone()
    };
    Value::Record(vec![
        ("ParcelID", Value::Long(p.id.0)),
        ("NetworkID", Value::Int(p.network_id.0)),
        ("MailboxID", Value::Int(p.mailbox_id.0)),
        ("FileName", Value::Str(p.file_name.clone())),
        ("Bytes", int(p.bytes)),
        ("Status", Value::Enum(p.state.as_str())),
        ("ECGridIDFrom", Value::Int(p.ecgrid_from.0)),
        ("ECGridIDTo", Value::Int(p.ecgrid_to.0)),
        ("Created", Value::DateTime(p.created)),
        ("Direction", Value::Enum(p.direction.as_str())),
        ("Valid", Value::Enum(p.valid.as_str())),
        ("StatusMessage", Value::Str(message)),
        ("Modified", Value::DateTime(p.state_changed)),
        ("Standard", Value::Enum(p.standard.as_str())),
        ("Interchanges", Value::Int(p.interchange_count)),
        ("MailbagControlID", Value::Str(p.mailbag_control_id.clone())),
        ("PeerNetworkID", Value::Int(p.peer_network_id.0)),
        ("PeerMailboxID", Value::Int(p.peer_mailbox_id.0)),
        ("ContentRemoved", Value::Bool(p.content_removed)),
    ])
}

fn parcel_id(call: &Call) -> ParcelId {
    ParcelId(call.args.long("ParcelID"))
}

/// 0 (or absent) is none.
pub(super) fn ecgrid_filter(args: &Args, name: &str) -> Option<EcGridId> {
    Some(EcGridId(args.int(name))).filter(|e| e.0 != 0)
}

/// A date of a range; absent or `0001-01-01` (.NET's unset `DateTime`) is open.
fn date_arg(args: &Args, name: &str) -> Option<DateTime<Utc>> {
    args.datetime(name).filter(|t| t.year() > 1)
}

/// A range of creation times; `None` is open on that side.
pub(super) type DateRange = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// `BeginDate` and `EndDate`, refused when the range is empty.
pub(super) fn date_range(args: &Args) -> Result<DateRange, Error> {
    let (since, until) = (date_arg(args, "BeginDate"), date_arg(args, "EndDate"));
    if let (Some(s), Some(u)) = (since, until)
        && u < s
    {
        return Err(Error::invalid(
            "EndDate",
            ParamProblem::Value,
            "is before BeginDate",
        ));
    }
    Ok((since, until))
}

/// Whose box: both 0 is the caller's own; a network without a mailbox is all its mailboxes.
pub(super) fn whose(args: &Args) -> (Option<NetworkId>, Option<MailboxId>) {
    (super::network_filter(args), super::mailbox_filter(args))
}

/// The `Status` filter of a list of `side`'s box; absent is the view's own states.
fn status_filter(args: &Args, side: Direction) -> Result<Option<ParcelState>, Error> {
    let text = args.enumeration(STATUS.name);
    if text.is_empty() {
        return Ok(None);
    }
    let state: ParcelState = text.parse().map_err(|_| {
        Error::invalid(
            STATUS.name,
            ParamProblem::Value,
            format!(
                "edigrid's parcels are never {text} (it has no AS2 or FTP channels, retry queue or vault); they are InBoxReady, InBoxTransferred, InBoxArchived, outboxSent, outboxAcknowledged, outboxDeliveryError or Cancelled"
            ),
        )
    })?;
    let own = state.direction();
    if own != side && own != Direction::NoDir {
        let (box_name, other) = match side {
            Direction::OutBox => ("outbox", "ParcelInBox"),
            _ => ("inbox", "ParcelOutBox"),
        };
        return Err(Error::invalid(
            STATUS.name,
            ParamProblem::Value,
            format!("{text} is not a state of the {box_name}; {other} lists it"),
        ));
    }
    Ok(Some(state))
}

/// A list of `view` as the call's parameters narrow it.
fn box_query(
    args: &Args,
    view: ParcelView,
    states: Vec<ParcelState>,
) -> Result<ParcelQuery, Error> {
    let (network, mailbox) = whose(args);
    let (since, until) = date_range(args)?;
    let control = args.str("MailbagControlID").trim();
    Ok(ParcelQuery {
        view,
        network,
        mailbox,
        states,
        ecgrid_from: ecgrid_filter(args, "ECGridIDFrom"),
        ecgrid_to: ecgrid_filter(args, "ECGridIDTo"),
        since,
        until,
        mailbag_control_id: (!control.is_empty()).then(|| control.to_string()),
        page: page(args)?,
    })
}

async fn list(call: Call, query: ParcelQuery) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let parcels = call.core.parcel_list(&caller, query).await?;
    Ok(super::list(parcels, parcel_record))
}

/// The inbox: ready parcels, unless `Status` asks for another inbound state.
fn in_box_query(args: &Args) -> Result<ParcelQuery, Error> {
    match status_filter(args, Direction::InBox)? {
        None => box_query(args, ParcelView::InBox, Vec::new()),
        Some(state) => box_query(args, ParcelView::InBoxAll, vec![state]),
    }
}

async fn parcel_in_box(call: Call) -> Result<Value, Error> {
    let query = in_box_query(&call.args)?;
    list(call, query).await
}

async fn parcel_in_box_ex(call: Call) -> Result<Value, Error> {
    let query = in_box_query(&call.args)?;
    list(call, query).await
}

async fn parcel_in_box_archive(call: Call) -> Result<Value, Error> {
    match status_filter(&call.args, Direction::InBox)? {
        None | Some(ParcelState::InBoxArchived) => {}
        Some(other) => {
            return Err(Error::invalid(
                STATUS.name,
                ParamProblem::Value,
                format!(
                    "the archive holds confirmed parcels (InBoxArchived); ParcelInBox lists those {other}"
                ),
            ));
        }
    }
    let query = box_query(&call.args, ParcelView::InBoxArchive, Vec::new())?;
    list(call, query).await
}

async fn parcel_out_box(call: Call) -> Result<Value, Error> {
    let states = status_filter(&call.args, Direction::OutBox)?;
    let query = box_query(
        &call.args,
        ParcelView::OutBoxArchive,
        states.into_iter().collect(),
    )?;
    list(call, query).await
}

/// Uploads the call's `FileName`, `Bytes` and `Content` from the mailbox given (`None`:
/// the caller's), between the ECGridIDs given if any.
async fn upload(
    mut call: Call,
    from: (Option<NetworkId>, Option<MailboxId>),
    explicit: Option<(EcGridId, EcGridId)>,
) -> Result<Value, Error> {
    let content = call.args.take_bytes(CONTENT.name);
    let a = &call.args;
    let request = UploadRequest {
        network: from.0,
        mailbox: from.1,
        file_name: a.str("FileName").to_string(),
        content,
        declared_bytes: a.has(BYTES.name).then(|| i64::from(a.int(BYTES.name))),
        explicit,
    };
    let caller = authenticate(&call).await?;
    let receipt = call.core.parcel_upload_receipt(&caller, request).await?;
    Ok(Value::Long(receipt.parcel.0))
}

async fn parcel_upload(call: Call) -> Result<Value, Error> {
    upload(call, (None, None), None).await
}

async fn parcel_upload_ex(call: Call) -> Result<Value, Error> {
    let from = whose(&call.args);
    upload(call, from, None).await
}

async fn parcel_upload_mft(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let pair = (
        EcGridId(a.int("ECGridIDFrom")),
        EcGridId(a.int("ECGridIDTo")),
    );
    upload(call, (None, None), Some(pair)).await
}

async fn parcel_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let detail = call.core.parcel_info(&caller, parcel_id(&call)).await?;
    Ok(parcel_record(&detail.parcel))
}

async fn parcel_download(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let id = parcel_id(&call);
    let downloaded = call
        .core
        .parcel_download(&caller, id, DownloadMode::Update)
        .await?;
    Ok(Value::Bytes(downloaded.content))
}

async fn parcel_download_confirm(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core.parcel_confirm(&caller, parcel_id(&call)).await?;
    Ok(Value::Bool(true))
}

async fn parcel_note(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let note = call.args.str("Note");
    call.core
        .parcel_note(&caller, parcel_id(&call), "", note)
        .await?;
    Ok(Value::Bool(true))
}

async fn parcel_resend(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let made = call.core.parcel_resend(&caller, parcel_id(&call)).await?;
    // An answer of `true` means something was delivered again.
    Ok(Value::Bool(!made.is_empty()))
}
