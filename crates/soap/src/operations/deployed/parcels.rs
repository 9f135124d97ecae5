//! Parcels in the deployed dialect (SPEC-VAN 15–19): uploads, the inbox and outbox lists,
//! a parcel's record, manifest and notes, downloads and their confirmation, and the status
//! changes an operator or the box's owner makes. `ParcelTest` waits for the sandbox partners
//! (issue 15) and `ParcelDownloadS3` for an S3 edigrid does not have; both are refused.
//!
//! Base operations act on the session's mailbox; `Ex` twins name a network and mailbox (0:
//! the session's). A parcel out of the caller's reach gets the same fault as one that does not
//! exist (the registrations mask the number, as the directory's do).
//!
//! `ParcelIDInfo` is written here, once: lists write it without `Interchanges` and `Log`,
//! `ParcelInfo` with both; `Acknowledgment` is never written (acknowledgment notes are the
//! parcel's notes, `ParcelNoteList`).

use chrono::{DateTime, Datelike, Utc};
use edigrid_core::parcels::model::{ManifestEntry, Parcel, ParcelNote};
use edigrid_core::{DownloadMode, Downloaded, Page, ParcelQuery, ParcelView, UploadRequest};
use edigrid_domain::{
    Direction, EcGridId, Error, MailboxId, NetworkId, ParamProblem, ParcelId, ParcelState,
};

use super::super::{Call, authenticate};
use super::interchanges::interchange_id_info;
use super::users::{UNPAGED, named};
use super::{Registration, date_or_unset, enum_arg, short};
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[
    serve_directory!("ParcelUploadExA", parcel_upload_ex_a),
    serve_directory!("ParcelUpdateStatus", parcel_update_status),
    serve_directory!("ParcelUpdateLocalStatus", parcel_update_local_status),
    serve_directory!("ParcelUploadMft", parcel_upload_mft),
    serve_directory!("ParcelUploadMftA", parcel_upload_mft_a),
    serve_directory!("ParcelSetMailbagControlID", parcel_set_mailbag_control_id),
    serve_directory!("ParcelFindMailbagControlID", parcel_find_mailbag_control_id),
    serve_directory!(
        "ParcelFindMailbagControlIDTo",
        parcel_find_mailbag_control_id_to
    ),
    serve_directory!("ParcelManifest", parcel_manifest),
    serve_directory!("ParcelNoteList", parcel_note_list),
    serve_directory!("ParcelInBoxArchive", parcel_inbox_archive),
    serve_directory!("ParcelInBoxArchiveEx", parcel_inbox_archive_ex),
    serve_directory!("ParcelInBoxArchiveExShort", parcel_inbox_archive_ex),
    serve_directory!("ParcelInBoxArchiveDescEx", parcel_inbox_archive_ex),
    serve_directory!("ParcelOutBoxArchive", parcel_outbox_archive),
    serve_directory!("ParcelOutBoxArchiveEx", parcel_outbox_archive_ex),
    serve_directory!("ParcelOutBoxArchiveExShort", parcel_outbox_archive_ex),
    serve_directory!("ParcelOutBoxArchiveDescEx", parcel_outbox_archive_ex),
    serve_directory!("ParcelOutBoxError", parcel_outbox_error),
    serve_directory!("ParcelOutBoxErrorEx", parcel_outbox_error_ex),
    serve_directory!("ParcelOutBoxInProcess", parcel_outbox_in_process),
    serve_directory!("ParcelOutBoxInProcessEx", parcel_outbox_in_process_ex),
    serve_directory!("ParcelInBox", parcel_inbox),
    serve_directory!("ParcelInBoxEx", parcel_inbox_ex),
    serve_directory!("ParcelInBoxExShort", parcel_inbox_ex_short),
    serve_directory!("ParcelInfo", parcel_info),
    serve_directory!("ParcelDownload", parcel_download),
    serve_directory!("ParcelDownloadA", parcel_download_a),
    serve_directory!("ParcelDownloadNoUpdate", parcel_download_no_update),
    serve_directory!("ParcelDownloadNoUpdateA", parcel_download_no_update_a),
    serve_directory!("ParcelDownloadConfirm", parcel_download_confirm),
    serve_directory!("ParcelAcknowledgmentNote", parcel_acknowledgment_note),
    serve_directory!("ParcelDownloadCancel", parcel_download_cancel),
    serve_directory!(
        "ParcelDownloadConfirmPendingAck",
        parcel_download_confirm_pending_ack
    ),
    serve_directory!("ParcelDownloadReset", parcel_download_reset),
    serve_directory!("ParcelResend", parcel_resend),
    serve_directory!("ParcelUpload", parcel_upload),
    serve_directory!("ParcelUploadA", parcel_upload_a),
    serve_directory!("ParcelUploadEx", parcel_upload_ex),
];

// ---- shared with interchanges.rs --------------------------------------------------------------

/// A number the WSDL types `int` although ours are `long`, capped at its largest value.
pub(super) fn int_of(n: i64) -> Value {
    Value::Int(i32::try_from(n).unwrap_or(i32::MAX))
}

/// A date parameter where ASP.NET's unset date (`0001-01-01`) means "open" (SPEC-VAN 19).
pub(super) fn open_date(call: &Call, name: &str) -> Option<DateTime<Utc>> {
    call.args.datetime(name).filter(|t| t.year() > 1)
}

/// A range of times, each end open when `None`.
pub(super) type DateRange = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// `BeginDate` and `EndDate` as a range; an end before the beginning is refused rather than
/// answered with an empty list the caller might take for "nothing there".
pub(super) fn date_range(call: &Call) -> Result<DateRange, Error> {
    let (since, until) = (open_date(call, "BeginDate"), open_date(call, "EndDate"));
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

/// The box an `Ex` operation names; (None, None), the session's own, for base operations
/// and for 0.
pub(super) fn named_box(call: &Call, ex: bool) -> (Option<NetworkId>, Option<MailboxId>) {
    if !ex {
        return (None, None);
    }
    (
        named(call.args.int("NetworkID"), NetworkId),
        named(call.args.int("MailboxID"), MailboxId),
    )
}

/// `ECGridIDFrom` / `ECGridIDTo` filters (0: any).
pub(super) fn partner_filters(call: &Call) -> (Option<EcGridId>, Option<EcGridId>) {
    (
        named(call.args.int("ECGridIDFrom"), EcGridId),
        named(call.args.int("ECGridIDTo"), EcGridId),
    )
}

/// `PageNo` (0: the first) and `RecordsPerPage` (0: 100, at most 500).
pub(super) fn requested_page(call: &Call) -> Result<Page, Error> {
    Page::parse(
        call.args.int("PageNo"),
        call.args.int("RecordsPerPage"),
        UNPAGED,
    )
}

/// The paging elements every deployed collection opens with; `Count` is the records on this
/// page.
pub(super) fn collection(
    page: Page,
    total: u64,
    list_name: &'static str,
    items: Vec<Value>,
) -> Value {
    let pages = total.div_ceil(u64::from(page.size.max(1)));
    Value::Record(vec![
        ("PageSize", short(page.size)),
        ("PageNumber", short(page.number)),
        (
            "Count",
            int_of(i64::try_from(items.len()).unwrap_or(i64::MAX)),
        ),
        (
            "TotalRecords",
            int_of(i64::try_from(total).unwrap_or(i64::MAX)),
        ),
        ("TotalPages", short(pages)),
        (list_name, Value::List(items)),
    ])
}

/// A manifest line as `ManifestInfo`. `StatusColor` says how a console shows the line:
/// red for errors, green for the rest.
pub(super) fn manifest_info(m: ManifestEntry) -> Value {
    let color = match m.kind {
        edigrid_domain::ManifestType::Error => "Red",
        _ => "Green",
    };
    Value::Record(vec![
        ("ManifestDate", Value::DateTime(m.at)),
        ("NetworkID", Value::Int(m.network_id.0)),
        ("Type", Value::Enum(m.kind.as_str())),
        ("ParcelID", Value::Long(m.parcel_id.0)),
        (
            "InterchangeID",
            Value::Long(m.interchange_id.map_or(0, |i| i.0)),
        ),
        ("StatusCode", Value::Str(m.status_code)),
        ("StatusMessage", Value::Str(m.message)),
        ("StatusColor", Value::Str(color.into())),
    ])
}

/// A parcel as `ParcelIDInfo`. From and To are the sending and receiving sides: for an
/// inbound parcel the peer sent it, for an outbound one the box's own mailbox did.
/// `StatusCode` is the documented state name (SPEC-VAN 17), `StatusMessage` says it in a
/// sentence, with why an outbound parcel failed and whether the content is gone.
pub(super) fn parcel_id_info(p: Parcel, details: Option<(Vec<Value>, Vec<Value>)>) -> Value {
    let names = p.names;
    let own = (p.network_id, names.network, p.mailbox_id, names.mailbox);
    let peer = (
        p.peer_network_id,
        names.peer_network,
        p.peer_mailbox_id,
        names.peer_mailbox,
    );
    let (from, to) = if p.direction == Direction::InBox {
        (peer, own)
    } else {
        (own, peer)
    };
    let mut message = p.state.message().to_string();
    if !p.problem.is_empty() {
        message = format!("{message}: {}", p.problem);
    }
    if p.content_removed {
        message.push_str(" (the content was removed)");
    }
    let mut fields = vec![
        ("ParcelBytes", int_of(p.declared_bytes)),
        ("ParcelDate", Value::DateTime(p.created)),
        ("ActualBytes", int_of(p.bytes)),
        ("NetworkIDFrom", Value::Int(from.0.0)),
        ("NetworkNameFrom", Value::Str(from.1)),
        ("MailboxIDFrom", Value::Int(from.2.0)),
        ("MailboxNameFrom", Value::Str(from.3)),
        ("NetworkIDTo", Value::Int(to.0.0)),
        ("NetworkNameTo", Value::Str(to.1)),
        ("MailboxIDTo", Value::Int(to.2.0)),
        ("MailboxNameTo", Value::Str(to.3)),
        ("FileName", Value::Str(p.file_name)),
        ("MailbagControlID", Value::Str(p.mailbag_control_id)),
        ("ArchiveDate", date_or_unset(p.archived)),
        ("StatusDate", Value::DateTime(p.state_changed)),
        ("StatusCode", Value::Str(p.state.as_str().into())),
        ("StatusMessage", Value::Str(message)),
        ("LocalStatus", Value::Short(p.local_status)),
        ("LocalStatusDate", date_or_unset(p.local_status_changed)),
        ("Valid", Value::Enum(p.valid.as_str())),
        ("Direction", Value::Enum(p.direction.as_str())),
        ("ParcelID", Value::Long(p.id.0)),
    ];
    if let Some((interchanges, log)) = details {
        fields.push(("Interchanges", Value::List(interchanges)));
        fields.push(("Log", Value::List(log)));
    }
    Value::Record(fields)
}

fn parcel_id(call: &Call) -> ParcelId {
    ParcelId(call.args.long("ParcelID"))
}

fn parcel_list(items: Vec<Parcel>) -> Vec<Value> {
    items.into_iter().map(|p| parcel_id_info(p, None)).collect()
}

// ---- uploads -----------------------------------------------------------------------------------

/// What every upload form shares; the result is the outbound ParcelID (an `int` in this
/// WSDL).
async fn upload(call: &Call, request: UploadRequest) -> Result<Value, Error> {
    let caller = authenticate(call).await?;
    let receipt = call.core.parcel_upload_receipt(&caller, request).await?;
    Ok(int_of(receipt.parcel.0))
}

/// The upload's own fields: `Content` with its declared `Bytes`, or the `A` forms'
/// `ContentBase64` (no `Bytes` there); `Ex` names the sending mailbox, `Mft` both IDs.
fn upload_request(call: &mut Call, base64_string: bool, ex: bool) -> Result<UploadRequest, Error> {
    let (content, declared_bytes) = if base64_string {
        (call.args.base64_text("ContentBase64")?, None)
    } else {
        let declared = call
            .args
            .has("Bytes")
            .then(|| i64::from(call.args.int("Bytes")));
        (call.args.take_bytes("Content"), declared)
    };
    let (network, mailbox) = named_box(call, ex);
    Ok(UploadRequest {
        network,
        mailbox,
        file_name: call.args.str("FileName").to_string(),
        content,
        declared_bytes,
        explicit: None,
    })
}

async fn parcel_upload(mut call: Call) -> Result<Value, Error> {
    let request = upload_request(&mut call, false, false)?;
    upload(&call, request).await
}

async fn parcel_upload_a(mut call: Call) -> Result<Value, Error> {
    let request = upload_request(&mut call, true, false)?;
    upload(&call, request).await
}

async fn parcel_upload_ex(mut call: Call) -> Result<Value, Error> {
    let request = upload_request(&mut call, false, true)?;
    upload(&call, request).await
}

async fn parcel_upload_ex_a(mut call: Call) -> Result<Value, Error> {
    let request = upload_request(&mut call, true, true)?;
    upload(&call, request).await
}

/// `ParcelUploadMft`: a document with or without envelope, routed between the two IDs named
/// (SPEC-VAN 15).
async fn mft(mut call: Call, base64_string: bool) -> Result<Value, Error> {
    let mut request = upload_request(&mut call, base64_string, false)?;
    request.explicit = Some((
        EcGridId(call.args.int("ECGridIDFrom")),
        EcGridId(call.args.int("ECGridIDTo")),
    ));
    upload(&call, request).await
}

async fn parcel_upload_mft(call: Call) -> Result<Value, Error> {
    mft(call, false).await
}

async fn parcel_upload_mft_a(call: Call) -> Result<Value, Error> {
    mft(call, true).await
}

// ---- lists -------------------------------------------------------------------------------------

/// One view of a box, as the operation's parameters narrow it, written as
/// `ParcelIDInfoCollection`.
async fn list(call: &Call, mut query: ParcelQuery, ex: bool) -> Result<Value, Error> {
    (query.network, query.mailbox) = named_box(call, ex);
    let caller = authenticate(call).await?;
    let page = query.page;
    let found = call.core.parcel_list(&caller, query).await?;
    Ok(collection(
        page,
        found.total,
        "ParcelIDInfoList",
        parcel_list(found.items),
    ))
}

/// A query of `view` narrowed by whichever of the common filters the operation declares
/// (absent ones read as 0 or empty: no filter).
fn query(call: &Call, view: ParcelView, page: Page) -> Result<ParcelQuery, Error> {
    let (ecgrid_from, ecgrid_to) = partner_filters(call);
    let (since, until) = date_range(call)?;
    let mailbag = call.args.str("MailbagControlID").trim();
    Ok(ParcelQuery {
        ecgrid_from,
        ecgrid_to,
        since,
        until,
        mailbag_control_id: (!mailbag.is_empty()).then(|| mailbag.to_string()),
        page,
        ..ParcelQuery::own(view, page.size)
    })
}

/// `ParcelInBox`: the session mailbox's ready parcels, oldest first (first 100).
async fn parcel_inbox(call: Call) -> Result<Value, Error> {
    let q = query(&call, ParcelView::InBox, Page::first(UNPAGED))?;
    list(&call, q, false).await
}

async fn parcel_inbox_ex(call: Call) -> Result<Value, Error> {
    let q = query(&call, ParcelView::InBox, Page::first(UNPAGED))?;
    list(&call, q, true).await
}

/// `ParcelInBoxExShort`: the inbox in the one state `Status` names. Of the deployed
/// `ParcelStatus` values only `InBoxReady` and `InBoxTransferred` are inbox states edigrid
/// has; the channel states (`as2Receive`, ...) are refused as unsupported.
async fn parcel_inbox_ex_short(call: Call) -> Result<Value, Error> {
    let state: ParcelState = enum_arg(&call, "Status")?;
    let mut q = query(&call, ParcelView::InBoxAll, Page::first(UNPAGED))?;
    q.states = vec![state];
    list(&call, q, true).await
}

/// The archive families: confirmed inbound parcels, or every outbound one, in
/// `BeginDate`..`EndDate`, newest first. SPEC-VAN 19 orders every archive newest first, so
/// the `DescEx` and `ExShort` forms list the same as `Ex` (lists never carry the
/// interchanges, so every form is already "short").
async fn archive(call: Call, view: ParcelView, ex: bool) -> Result<Value, Error> {
    let page = requested_page(&call)?;
    let q = query(&call, view, page)?;
    list(&call, q, ex).await
}

async fn parcel_inbox_archive(call: Call) -> Result<Value, Error> {
    archive(call, ParcelView::InBoxArchive, false).await
}

async fn parcel_inbox_archive_ex(call: Call) -> Result<Value, Error> {
    archive(call, ParcelView::InBoxArchive, true).await
}

async fn parcel_outbox_archive(call: Call) -> Result<Value, Error> {
    archive(call, ParcelView::OutBoxArchive, false).await
}

async fn parcel_outbox_archive_ex(call: Call) -> Result<Value, Error> {
    archive(call, ParcelView::OutBoxArchive, true).await
}

/// `ParcelOutBoxError`: uploads with an interchange not delivered (invalid, unknown sender,
/// no route) in the date range, newest first (first 100).
async fn parcel_outbox_error(call: Call) -> Result<Value, Error> {
    let q = query(&call, ParcelView::OutBoxError, Page::first(UNPAGED))?;
    list(&call, q, false).await
}

async fn parcel_outbox_error_ex(call: Call) -> Result<Value, Error> {
    let q = query(&call, ParcelView::OutBoxError, Page::first(UNPAGED))?;
    list(&call, q, true).await
}

/// `ParcelOutBoxInProcess`: uploads delivered and not yet acknowledged by every receiver.
async fn parcel_outbox_in_process(call: Call) -> Result<Value, Error> {
    let q = query(&call, ParcelView::OutBoxInProcess, Page::first(UNPAGED))?;
    list(&call, q, false).await
}

async fn parcel_outbox_in_process_ex(call: Call) -> Result<Value, Error> {
    let q = query(&call, ParcelView::OutBoxInProcess, Page::first(UNPAGED))?;
    list(&call, q, true).await
}

// ---- one parcel --------------------------------------------------------------------------------

async fn parcel_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let detail = call.core.parcel_info(&caller, parcel_id(&call)).await?;
    let interchanges = detail
        .interchanges
        .into_iter()
        .map(|i| interchange_id_info(i, None))
        .collect();
    let log = detail.manifest.into_iter().map(manifest_info).collect();
    Ok(parcel_id_info(detail.parcel, Some((interchanges, log))))
}

async fn parcel_manifest(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let manifest = call.core.parcel_manifest(&caller, parcel_id(&call)).await?;
    Ok(Value::List(
        manifest.into_iter().map(manifest_info).collect(),
    ))
}

/// A note as `ParcelNote`, which has no subject of its own: a subject given with
/// `ParcelAcknowledgmentNote` heads the note's text.
fn parcel_note(n: ParcelNote) -> Value {
    let text = if n.subject.is_empty() {
        n.note
    } else {
        format!("{}: {}", n.subject, n.note)
    };
    Value::Record(vec![
        ("ParcelID", Value::Long(n.parcel_id.0)),
        ("ParcelNoteID", int_of(n.id)),
        (
            "InterchangeID",
            Value::Long(n.interchange_id.map_or(0, |i| i.0)),
        ),
        ("NoteDate", Value::DateTime(n.at)),
        ("StatusCode", Value::Str(n.status_code)),
        ("PostedBy", Value::Str(n.posted_by)),
        ("UserID", Value::Int(n.user_id.0)),
        ("Note", Value::Str(text)),
    ])
}

async fn parcel_note_list(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let notes = call.core.parcel_notes(&caller, parcel_id(&call)).await?;
    Ok(Value::List(notes.into_iter().map(parcel_note).collect()))
}

async fn parcel_acknowledgment_note(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .parcel_note(
            &caller,
            parcel_id(&call),
            call.args.str("Subject"),
            call.args.str("Note"),
        )
        .await?;
    Ok(Value::Bool(true))
}

// ---- downloads ---------------------------------------------------------------------------------

/// A download as `FileInfo`: the plain forms fill `Content` (base64Binary), the `A` forms
/// `ContentBase64String`. `routerArchive` says the parcel came from the archive (its download
/// was confirmed before).
fn file_info(d: Downloaded, as_string: bool) -> Value {
    use base64::Engine as _;
    let p = d.parcel;
    let bytes = int_of(i64::try_from(d.content.len()).unwrap_or(i64::MAX));
    let content = if as_string {
        let text = base64::engine::general_purpose::STANDARD.encode(&d.content);
        ("ContentBase64String", Value::Str(text))
    } else {
        ("Content", Value::Bytes(d.content))
    };
    Value::Record(vec![
        ("ParcelID", Value::Long(p.id.0)),
        ("FileName", Value::Str(p.file_name)),
        ("FileDate", Value::DateTime(p.created)),
        ("Bytes", bytes),
        ("Standard", Value::Enum(p.standard.as_str())),
        content,
        (
            "routerArchive",
            Value::Bool(p.state == ParcelState::InBoxArchived),
        ),
    ])
}

async fn download(call: Call, mode: DownloadMode, as_string: bool) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let d = call
        .core
        .parcel_download(&caller, parcel_id(&call), mode)
        .await?;
    Ok(file_info(d, as_string))
}

async fn parcel_download(call: Call) -> Result<Value, Error> {
    download(call, DownloadMode::Update, false).await
}

async fn parcel_download_a(call: Call) -> Result<Value, Error> {
    download(call, DownloadMode::Update, true).await
}

async fn parcel_download_no_update(call: Call) -> Result<Value, Error> {
    download(call, DownloadMode::NoUpdate, false).await
}

async fn parcel_download_no_update_a(call: Call) -> Result<Value, Error> {
    download(call, DownloadMode::NoUpdate, true).await
}

// ---- state changes -----------------------------------------------------------------------------

async fn parcel_download_confirm(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core.parcel_confirm(&caller, parcel_id(&call)).await?;
    Ok(Value::Bool(true))
}

/// `ParcelDownloadConfirmPendingAck`: confirms like `ParcelDownloadConfirm`. Its `Status`
/// names the acknowledgment the hosted service waits for on a channel (an AS2 MDN, ...);
/// edigrid delivers to inboxes only, so there is nothing left pending and the value (checked
/// against the WSDL's list) changes nothing.
async fn parcel_download_confirm_pending_ack(call: Call) -> Result<Value, Error> {
    parcel_download_confirm(call).await
}

async fn parcel_download_reset(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core.parcel_reset(&caller, parcel_id(&call)).await?;
    Ok(Value::Bool(true))
}

/// `ParcelDownloadCancel`: a download that will not be confirmed; the parcel is ready again.
async fn parcel_download_cancel(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .parcel_download_cancel(&caller, parcel_id(&call))
        .await?;
    Ok(Value::Bool(true))
}

/// `ParcelResend` (NetOps and up): the parcel's interchanges delivered again as new inbound
/// parcels.
async fn parcel_resend(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core.parcel_resend(&caller, parcel_id(&call)).await?;
    Ok(Value::Bool(true))
}

/// `ParcelUpdateStatus`: sets the state `Status` names, within the parcel's side (the
/// deployed list holds three of edigrid's: `InBoxReady`, `InBoxTransferred`,
/// `outboxDeliveryError`; its channel states are refused). With `TransLogOnly` the state is
/// not changed: the status is only written to the parcel's notes, as a log line.
async fn parcel_update_status(call: Call) -> Result<Value, Error> {
    let state: ParcelState = enum_arg(&call, "Status")?;
    let caller = authenticate(&call).await?;
    let id = parcel_id(&call);
    if call.args.boolean("TransLogOnly") {
        call.core
            .parcel_note(&caller, id, "Status", state.as_str())
            .await?;
    } else {
        call.core.parcel_set_state(&caller, id, state).await?;
    }
    Ok(Value::Bool(true))
}

/// `ParcelUpdateLocalStatus`: a number of the caller's own meaning, kept with the parcel.
async fn parcel_update_local_status(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let status = i16::try_from(call.args.int("Status")).unwrap_or(i16::MAX);
    call.core
        .parcel_set_local_status(&caller, parcel_id(&call), status)
        .await?;
    Ok(Value::Bool(true))
}

// ---- mailbag control IDs -----------------------------------------------------------------------

async fn parcel_set_mailbag_control_id(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .parcel_set_mailbag_control_id(&caller, parcel_id(&call), call.args.str("MailbagControlID"))
        .await?;
    Ok(Value::Bool(true))
}

async fn find(call: &Call, direction: Direction, range: DateRange) -> Result<Value, Error> {
    let caller = authenticate(call).await?;
    let (network, mailbox) = named_box(call, true);
    let found = call
        .core
        .parcel_find_mailbag_control_id(
            &caller,
            direction,
            network,
            mailbox,
            call.args.str("MailbagControlID"),
        )
        .await?;
    let (since, until) = range;
    let in_range =
        |p: &Parcel| since.is_none_or(|s| p.created >= s) && until.is_none_or(|u| p.created < u);
    let kept = found.into_iter().filter(in_range).collect();
    Ok(Value::List(parcel_list(kept)))
}

/// `ParcelFindMailbagControlID`: the sender's side, the parcels of the box named (0: the
/// session's) uploaded with that mailbag control ID.
async fn parcel_find_mailbag_control_id(call: Call) -> Result<Value, Error> {
    find(&call, Direction::OutBox, (None, None)).await
}

/// `ParcelFindMailbagControlIDTo`: the receiver's side, in `BeginDate`..`EndDate`.
async fn parcel_find_mailbag_control_id_to(call: Call) -> Result<Value, Error> {
    let range = date_range(&call)?;
    find(&call, Direction::InBox, range).await
}
