//! Interchanges in the deployed dialect (SPEC-VAN 15–17, 19): one interchange's record and
//! manifest, the lists of those a mailbox sent or received, cancel and resend, and the two
//! utilities that read an envelope header (`InterchangeHeaderInfo`, `InterchangeDate`).
//!
//! The lists, as edigrid reads their names:
//! - `InBox` / `OutBox`: delivered to / uploaded by the mailbox, in a date range;
//! - `Archive`: the same, archived ones, newest first, paged;
//! - `Pending`: those whose inbound parcel is still waiting to be downloaded;
//! - `NoRoute` (outbox): not delivered for lack of an active receiver ID;
//! - `Blocked`: on the sender's side the interchanges the network stopped (broken envelope
//!   or a sender ID not the mailbox's); edigrid never holds back what it delivered, so the
//!   receiver's side is always empty (after the authority check).
//!
//! `InterchangeIDInfo` is written here, once.

use chrono::{DateTime, NaiveDate, Utc};
use edigrid_core::parcels::model::Interchange;
use edigrid_core::{Caller, InterchangeQuery, Page, Paged, PartnerScope};
use edigrid_domain::{
    Direction, EdiStandard, Error, InterchangeId, InterchangeStatus, MAX_TEXT_LEN, ParamProblem,
    ParcelId,
};

use super::super::{Call, authenticate};
use super::parcels::{
    collection, date_range, int_of, manifest_info, named_box, parcel_id_info, partner_filters,
    requested_page,
};
use super::users::UNPAGED;
use super::{Registration, date_or_unset};
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[
    serve!("InterchangeDate", interchange_date),
    serve_directory!("InterchangeManifest", interchange_manifest),
    serve_directory!("InterchangeInfo", interchange_info),
    serve_directory!("InterchangeInBox", interchange_inbox),
    serve_directory!("InterchangeInBoxArchive", interchange_inbox_archive),
    serve_directory!("InterchangeInBoxEx", interchange_inbox_ex),
    serve_directory!("InterchangeInBoxArchiveEx", interchange_inbox_archive_ex),
    serve_directory!("InterchangeOutBox", interchange_outbox),
    serve_directory!("InterchangeOutBoxArchive", interchange_outbox_archive),
    serve_directory!("InterchangeOutBoxEx", interchange_outbox_ex),
    serve_directory!("InterchangeOutBoxArchiveEx", interchange_outbox_archive_ex),
    serve_directory!(
        "InterchangeOutBoxArchiveExNoParcel",
        interchange_outbox_archive_ex
    ),
    serve_directory!("InterchangeOutBoxPending", interchange_outbox_pending),
    serve_directory!("InterchangeOutBoxPendingEx", interchange_outbox_pending_ex),
    serve_directory!("InterchangeInBoxPending", interchange_inbox_pending),
    serve_directory!("InterchangeInBoxPendingEx", interchange_inbox_pending_ex),
    serve_directory!("InterchangeInBoxBlocked", interchange_inbox_blocked),
    serve_directory!("InterchangeInBoxBlockedEx", interchange_inbox_blocked_ex),
    serve_directory!("InterchangeOutBoxBlocked", interchange_outbox_blocked),
    serve_directory!("InterchangeOutBoxBlockedEx", interchange_outbox_blocked_ex),
    serve_directory!("InterchangeHeaderInfo", interchange_header_info),
    serve_directory!("InterchangeHeaderInfoB", interchange_header_info_b),
    serve_directory!("InterchangeOutBoxNoRoute", interchange_outbox_no_route),
    serve_directory!("InterchangeOutBoxNoRouteEx", interchange_outbox_no_route_ex),
    serve_directory!("InterchangeResend", interchange_resend),
    serve_directory!("InterchangeCancel", interchange_cancel),
];

/// Records a filtered list looks through at most, 500 at a time (the filters the core's
/// query lacks, `InterchangeControlID` and the blocked statuses, are applied here).
const SCAN_LIMIT: u64 = 50_000;

// ---- the record ----------------------------------------------------------------------------

/// A sentence for `StatusMessage` when the record carries no reason of its own.
fn status_sentence(s: InterchangeStatus) -> &'static str {
    match s {
        InterchangeStatus::Delivered => "Delivered to the receiver's inbox",
        InterchangeStatus::Invalid => "Not delivered: its envelope is broken",
        InterchangeStatus::UnknownSender => {
            "Not delivered: its sender is not an active ID of the uploading mailbox"
        }
        InterchangeStatus::NoRoute => "Not delivered: no active ECGridID has its receiver ID",
        InterchangeStatus::Cancelled => "Cancelled before it was downloaded",
    }
}

/// A party as routed: `ECGridIDInfo` with the ID it resolved to and the qualifier and ID of
/// the envelope; `Status` is `Active` because only active IDs route (the ID's own record,
/// as it is now, is `TPInfo`'s). None when the party resolved to no ID.
fn party(ecgrid: i32, network: i32, mailbox: i32, envelope: &str) -> Option<Value> {
    if ecgrid == 0 {
        return None;
    }
    let (qualifier, id) = envelope.split_once(':').unwrap_or(("", envelope));
    Some(Value::Record(vec![
        ("ECGridID", Value::Int(ecgrid)),
        ("NetworkID", Value::Int(network)),
        ("MailboxID", Value::Int(mailbox)),
        ("Qualifier", Value::Str(qualifier.to_string())),
        ("ID", Value::Str(id.to_string())),
        ("MailboxDefault", Value::Bool(false)),
        ("Status", Value::Enum("Active")),
        ("UseType", Value::Enum("Undefined")),
    ]))
}

/// An interchange as `InterchangeIDInfo`; `parcels` (its outbound and inbound parcels) only
/// where one interchange is asked for.
pub(super) fn interchange_id_info(i: Interchange, parcels: Option<Vec<Value>>) -> Value {
    let message = if i.reason.is_empty() {
        status_sentence(i.status).to_string()
    } else {
        i.reason.clone()
    };
    let message = if i.duplicate {
        format!("{message} (a duplicate of one accepted in the last 30 days)")
    } else {
        message
    };
    let mut fields = vec![
        ("InterchangeID", int_of(i.id.0)),
        ("InterchangeProcessDate", Value::DateTime(i.created)),
        ("NetworkIDFrom", Value::Int(i.network_from.0)),
        ("MailboxIDFrom", Value::Int(i.mailbox_from.0)),
        ("NetworkIDTo", Value::Int(i.network_to.0)),
        ("MailboxIDTo", Value::Int(i.mailbox_to.0)),
        ("Standard", Value::Enum(i.standard.as_str())),
        ("Bytes", int_of(i.length)),
        ("InterchangeControlID", Value::Str(i.control_number.clone())),
        (
            "InterchangeDateTime",
            date_or_unset(envelope_time(&i.envelope_date)),
        ),
        // The record keeps no archive time of its own (its parcels do).
        ("ArchiveDate", Value::UnsetDateTime),
        ("StatusDate", Value::DateTime(i.status_changed)),
        ("StatusCode", Value::Str(i.status.as_str().into())),
        ("StatusMessage", Value::Str(message)),
        ("DocumentType", Value::Str(i.document_type.clone())),
        ("Header", Value::Str(i.header.clone())),
    ];
    let from = party(
        i.ecgrid_from.0,
        i.network_from.0,
        i.mailbox_from.0,
        &i.sender,
    );
    let to = party(i.ecgrid_to.0, i.network_to.0, i.mailbox_to.0, &i.receiver);
    if let Some(from) = from {
        fields.push(("TPFrom", from));
    }
    if let Some(to) = to {
        fields.push(("TPTo", to));
    }
    if let Some(parcels) = parcels {
        fields.push(("Parcels", Value::List(parcels)));
    }
    Value::Record(fields)
}

/// An envelope's date and time (ISA09+ISA10 `YYMMDD` `HHMM`, UNB S004 `YYMMDD` or
/// `CCYYMMDD` and `HHMM`) as UTC, the zone ECGrid takes envelope times in. Two-digit years
/// are 20YY, as the documented dialect and REST read them. None when the digits do not make
/// a date.
pub(super) fn envelope_time(text: &str) -> Option<DateTime<Utc>> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let n = |range: std::ops::Range<usize>| digits.get(range)?.parse::<u32>().ok();
    let (year, rest) = match digits.len() {
        6 | 10 => (2000 + n(0..2)?, 2),
        8 | 12 => (n(0..4)?, 4),
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        n(rest..rest + 2)?,
        n(rest + 2..rest + 4)?,
    )?;
    let (hour, minute) = if digits.len() > rest + 4 {
        (n(rest + 4..rest + 6)?, n(rest + 6..rest + 8)?)
    } else {
        (0, 0)
    };
    Some(date.and_hms_opt(hour, minute, 0)?.and_utc())
}

fn interchange_id(call: &Call) -> InterchangeId {
    InterchangeId(call.args.long("InterchangeID"))
}

// ---- one interchange -------------------------------------------------------------------------

/// `Ok(None)` for a parcel the caller may not read; other errors pass.
async fn visible_parcel(
    call: &Call,
    caller: &Caller,
    id: ParcelId,
) -> Result<Option<Value>, Error> {
    match call.core.parcel_info(caller, id).await {
        Ok(d) => Ok(Some(parcel_id_info(d.parcel, None))),
        Err(Error::AccessDenied(_) | Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `InterchangeInfo`: with `Parcels`, the upload it came in and the delivery it went in, as
/// far as the caller may read them (a receiver does not see the sender's upload).
async fn interchange_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let i = call
        .core
        .interchange_info(&caller, interchange_id(&call))
        .await?;
    let mut parcels = Vec::new();
    for id in std::iter::once(i.outbound).chain(i.inbound) {
        if let Some(p) = visible_parcel(&call, &caller, id).await? {
            parcels.push(p);
        }
    }
    Ok(interchange_id_info(i, Some(parcels)))
}

async fn interchange_manifest(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let manifest = call
        .core
        .interchange_manifest(&caller, interchange_id(&call))
        .await?;
    Ok(Value::List(
        manifest.into_iter().map(manifest_info).collect(),
    ))
}

/// `InterchangeCancel`: withdraws a delivery not downloaded yet.
async fn interchange_cancel(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .interchange_cancel(&caller, interchange_id(&call))
        .await?;
    Ok(Value::Bool(true))
}

/// `InterchangeResend` (NetOps and up): delivered again as a new inbound parcel, routed as
/// the directory stands now; answers `InterchangeIDStatus` with that parcel's number
/// (`RouterID` is 0: edigrid has one router).
async fn interchange_resend(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let id = interchange_id(&call);
    let parcel = call.core.interchange_resend(&caller, id).await?;
    let i = call.core.interchange_info(&caller, id).await?;
    Ok(Value::Record(vec![
        ("Id", Value::Long(i.id.0)),
        ("InterchangeProcessDate", Value::DateTime(i.created)),
        ("NetworkIDFrom", Value::Int(i.network_from.0)),
        ("MailboxIDFrom", Value::Int(i.mailbox_from.0)),
        ("ECGridIDFrom", Value::Int(i.ecgrid_from.0)),
        ("NetworkIDTo", Value::Int(i.network_to.0)),
        ("MailboxIDTo", Value::Int(i.mailbox_to.0)),
        ("ECGridIDTo", Value::Int(i.ecgrid_to.0)),
        ("RouterID", Value::Int(0)),
        ("Bytes", Value::Long(i.length)),
        ("StatusCode", Value::Str(i.status.as_str().into())),
        ("StatusDate", Value::DateTime(i.status_changed)),
        ("InterchangeHeader", Value::Str(i.header)),
        ("standard", Value::Enum(i.standard.as_str())),
        ("ParcelIDInbox", int_of(parcel.0)),
    ]))
}

// ---- lists -----------------------------------------------------------------------------------

/// What a list keeps beyond what the core's query selects.
#[derive(Default)]
struct Keep {
    control_number: Option<String>,
    statuses: Vec<InterchangeStatus>,
}

impl Keep {
    fn of(call: &Call) -> Keep {
        let c = call.args.str("InterchangeControlID").trim();
        Keep {
            control_number: (!c.is_empty()).then(|| c.to_string()),
            statuses: Vec::new(),
        }
    }

    fn everything(&self) -> bool {
        self.control_number.is_none() && self.statuses.is_empty()
    }

    fn keeps(&self, i: &Interchange) -> bool {
        self.control_number
            .as_deref()
            .is_none_or(|c| i.control_number.trim() == c)
            && (self.statuses.is_empty() || self.statuses.contains(&i.status))
    }
}

/// The page asked for of the interchanges `query` selects and `keep` keeps. Without a filter
/// of its own that is one call; with one, the core's list is read 500 at a time (up to
/// [`SCAN_LIMIT`]) and the page cut from what was kept.
async fn listed(
    call: &Call,
    caller: &Caller,
    mut query: InterchangeQuery,
    keep: &Keep,
) -> Result<Paged<Interchange>, Error> {
    if keep.everything() {
        return call.core.interchange_list(caller, query).await;
    }
    let want = query.page;
    let skip = u64::from(want.number.saturating_sub(1)) * u64::from(want.size);
    let mut kept = 0u64;
    let mut items = Vec::new();
    let mut number = 1;
    loop {
        query.page = Page {
            number,
            size: edigrid_core::MAX_PAGE_SIZE,
        };
        let found = call.core.interchange_list(caller, query.clone()).await?;
        let read = u64::from(number) * u64::from(edigrid_core::MAX_PAGE_SIZE);
        for i in found.items {
            if keep.keeps(&i) {
                if kept >= skip && items.len() < want.size as usize {
                    items.push(i);
                }
                kept += 1;
            }
        }
        if read >= found.total || read >= SCAN_LIMIT {
            break;
        }
        number += 1;
    }
    Ok(Paged { items, total: kept })
}

/// Which interchanges a list operation selects.
#[derive(Clone, Copy)]
enum Kind {
    All,
    Archive,
    Pending,
    NoRoute,
    Blocked,
}

/// The list `kind` of the box (the session's, or the one an `Ex` names) on `direction`,
/// narrowed by the filters the operation declares.
async fn select(
    call: &Call,
    direction: Direction,
    kind: Kind,
    ex: bool,
    page: Page,
) -> Result<Paged<Interchange>, Error> {
    let (since, until) = date_range(call)?;
    let (ecgrid_from, ecgrid_to) = partner_filters(call);
    let (network, mailbox) = named_box(call, ex);
    let caller = authenticate(call).await?;
    let mut keep = Keep::of(call);
    if matches!(kind, Kind::Blocked) {
        keep.statuses = vec![InterchangeStatus::Invalid, InterchangeStatus::UnknownSender];
    }
    let query = InterchangeQuery {
        direction,
        network,
        mailbox,
        no_route_only: matches!(kind, Kind::NoRoute),
        pending_only: matches!(kind, Kind::Pending),
        archived_only: matches!(kind, Kind::Archive),
        ecgrid_from,
        ecgrid_to,
        since,
        until,
        page,
    };
    if matches!(kind, Kind::Blocked) && direction == Direction::InBox {
        // Nothing is held back on the receiving side; the call still checks the caller may
        // read that box.
        let probe = InterchangeQuery {
            page: Page::first(1),
            ..query
        };
        call.core.interchange_list(&caller, probe).await?;
        return Ok(Paged {
            items: Vec::new(),
            total: 0,
        });
    }
    listed(call, &caller, query, &keep).await
}

/// An unpaged list (`ArrayOfInterchangeIDInfo`): the first 100.
async fn array(call: Call, direction: Direction, kind: Kind, ex: bool) -> Result<Value, Error> {
    let found = select(&call, direction, kind, ex, Page::first(UNPAGED)).await?;
    Ok(Value::List(
        found
            .items
            .into_iter()
            .map(|i| interchange_id_info(i, None))
            .collect(),
    ))
}

/// A paged list (`InterchangeIDInfoCollection`).
async fn paged(call: Call, direction: Direction, kind: Kind, ex: bool) -> Result<Value, Error> {
    let page = requested_page(&call)?;
    let found = select(&call, direction, kind, ex, page).await?;
    let items = found
        .items
        .into_iter()
        .map(|i| interchange_id_info(i, None))
        .collect();
    Ok(collection(
        page,
        found.total,
        "InterchangeIDInfoList",
        items,
    ))
}

async fn interchange_inbox(call: Call) -> Result<Value, Error> {
    array(call, Direction::InBox, Kind::All, false).await
}

async fn interchange_inbox_ex(call: Call) -> Result<Value, Error> {
    array(call, Direction::InBox, Kind::All, true).await
}

async fn interchange_inbox_archive(call: Call) -> Result<Value, Error> {
    paged(call, Direction::InBox, Kind::Archive, false).await
}

async fn interchange_inbox_archive_ex(call: Call) -> Result<Value, Error> {
    paged(call, Direction::InBox, Kind::Archive, true).await
}

async fn interchange_outbox(call: Call) -> Result<Value, Error> {
    array(call, Direction::OutBox, Kind::All, false).await
}

async fn interchange_outbox_ex(call: Call) -> Result<Value, Error> {
    array(call, Direction::OutBox, Kind::All, true).await
}

async fn interchange_outbox_archive(call: Call) -> Result<Value, Error> {
    paged(call, Direction::OutBox, Kind::Archive, false).await
}

/// Also `InterchangeOutBoxArchiveExNoParcel`: list records never carry their parcels.
async fn interchange_outbox_archive_ex(call: Call) -> Result<Value, Error> {
    paged(call, Direction::OutBox, Kind::Archive, true).await
}

async fn interchange_outbox_pending(call: Call) -> Result<Value, Error> {
    array(call, Direction::OutBox, Kind::Pending, false).await
}

async fn interchange_outbox_pending_ex(call: Call) -> Result<Value, Error> {
    array(call, Direction::OutBox, Kind::Pending, true).await
}

async fn interchange_inbox_pending(call: Call) -> Result<Value, Error> {
    array(call, Direction::InBox, Kind::Pending, false).await
}

async fn interchange_inbox_pending_ex(call: Call) -> Result<Value, Error> {
    array(call, Direction::InBox, Kind::Pending, true).await
}

async fn interchange_inbox_blocked(call: Call) -> Result<Value, Error> {
    array(call, Direction::InBox, Kind::Blocked, false).await
}

async fn interchange_inbox_blocked_ex(call: Call) -> Result<Value, Error> {
    array(call, Direction::InBox, Kind::Blocked, true).await
}

async fn interchange_outbox_blocked(call: Call) -> Result<Value, Error> {
    array(call, Direction::OutBox, Kind::Blocked, false).await
}

async fn interchange_outbox_blocked_ex(call: Call) -> Result<Value, Error> {
    array(call, Direction::OutBox, Kind::Blocked, true).await
}

async fn interchange_outbox_no_route(call: Call) -> Result<Value, Error> {
    array(call, Direction::OutBox, Kind::NoRoute, false).await
}

async fn interchange_outbox_no_route_ex(call: Call) -> Result<Value, Error> {
    array(call, Direction::OutBox, Kind::NoRoute, true).await
}

// ---- envelope headers --------------------------------------------------------------------------

/// The first interchange header of `bytes` (an ISA or UNB segment, with or without what
/// follows), read far enough to know its parties; a lone ISA without its terminator (as
/// clients often pass it) is given one.
fn read_header(bytes: &[u8]) -> Result<edigrid_edi::Interchange, Error> {
    let first = |b: &[u8]| {
        edigrid_edi::read_parcel(b)
            .interchanges
            .into_iter()
            .next()
            .filter(|i| i.delimiters.is_some() && !i.sender.id.is_empty())
    };
    let trimmed = bytes.trim_ascii();
    let found = first(trimmed).or_else(|| {
        let mut terminated = trimmed.to_vec();
        terminated.push(b'~');
        first(&terminated)
    });
    found.ok_or_else(|| {
        Error::invalid(
            "InterchangeHeader",
            ParamProblem::Value,
            "is not an X12 ISA or EDIFACT UNB header",
        )
    })
}

fn header_time(i: &edigrid_edi::Interchange) -> Option<DateTime<Utc>> {
    envelope_time(&format!("{}{}", i.date, i.time))
}

/// `InterchangeDate`: the date and time of an envelope header. Needs no session.
async fn interchange_date(call: Call) -> Result<Value, Error> {
    let i = read_header(call.args.str("InterchangeHeader").as_bytes())?;
    header_time(&i).map(Value::DateTime).ok_or_else(|| {
        Error::invalid(
            "InterchangeHeader",
            ParamProblem::Value,
            "its date and time are not a valid date",
        )
    })
}

/// The header segment itself: the ISA (106 bytes), or UNA and UNB up to UNB's terminator.
fn header_segment<'a>(bytes: &'a [u8], i: &edigrid_edi::Interchange) -> &'a [u8] {
    let start = i.range.start.min(bytes.len());
    let rest = &bytes[start..];
    let end = match i.delimiters {
        Some(edigrid_edi::Delimiters::X12(_)) => rest.len().min(106),
        Some(edigrid_edi::Delimiters::Edifact(d)) => {
            let unb = rest.windows(3).position(|w| w == b"UNB").unwrap_or(0);
            rest[unb..]
                .iter()
                .position(|b| *b == d.segment)
                .map_or(rest.len(), |at| unb + at + 1)
        }
        None => rest.len(),
    };
    &rest[..end.min(MAX_TEXT_LEN)]
}

/// A party of a header as `ECGridIDInfo`: the active ID the caller can see with that
/// qualifier and ID, else the pair alone (ECGridID 0, `Pending`: no ID the caller can see
/// holds it).
async fn header_party(
    call: &Call,
    caller: &Caller,
    p: &edigrid_edi::Party,
) -> Result<Value, Error> {
    let qualifier = String::from_utf8_lossy(p.qualifier.trimmed()).into_owned();
    let id = String::from_utf8_lossy(p.id.trimmed()).into_owned();
    let search = call
        .core
        .partner_search(
            caller,
            PartnerScope::default(),
            &qualifier,
            &id,
            Page::first(1),
        )
        .await;
    let found = match search {
        Ok(page) => page.items.into_iter().next(),
        Err(Error::AccessDenied(_) | Error::NotFound { .. } | Error::InvalidParameter { .. }) => {
            None
        }
        Err(e) => return Err(e),
    };
    let (ecgrid, network, mailbox, default, status) =
        found.map_or((0, 0, 0, false, "Pending"), |t| {
            (
                t.ecgrid_id.0,
                t.network_id.0,
                t.mailbox_id.0,
                t.is_default,
                "Active",
            )
        });
    Ok(Value::Record(vec![
        ("ECGridID", Value::Int(ecgrid)),
        ("NetworkID", Value::Int(network)),
        ("MailboxID", Value::Int(mailbox)),
        ("Qualifier", Value::Str(qualifier)),
        ("ID", Value::Str(id)),
        ("MailboxDefault", Value::Bool(default)),
        ("Status", Value::Enum(status)),
        ("UseType", Value::Enum("Undefined")),
    ]))
}

/// A header read as `InterchangeIDInfo`: standard, parties, control number and date; it is
/// no stored interchange, so its number is 0 and its status empty.
async fn header_info(call: &Call, bytes: &[u8]) -> Result<Value, Error> {
    let i = read_header(bytes)?;
    let caller = authenticate(call).await?;
    let standard = match i.standard {
        edigrid_edi::Standard::X12 => EdiStandard::X12,
        edigrid_edi::Standard::Edifact => EdiStandard::Edifact,
    };
    let header = String::from_utf8_lossy(header_segment(bytes.trim_ascii_start(), &i)).into_owned();
    let from = header_party(call, &caller, &i.sender).await?;
    let to = header_party(call, &caller, &i.receiver).await?;
    Ok(Value::Record(vec![
        ("InterchangeID", Value::Int(0)),
        ("InterchangeProcessDate", Value::UnsetDateTime),
        ("NetworkIDFrom", Value::Int(0)),
        ("MailboxIDFrom", Value::Int(0)),
        ("NetworkIDTo", Value::Int(0)),
        ("MailboxIDTo", Value::Int(0)),
        ("Standard", Value::Enum(standard.as_str())),
        ("Bytes", int_of(i64::try_from(header.len()).unwrap_or(0))),
        (
            "InterchangeControlID",
            Value::Str(i.control_number.to_string()),
        ),
        ("InterchangeDateTime", date_or_unset(header_time(&i))),
        ("ArchiveDate", Value::UnsetDateTime),
        ("StatusDate", Value::UnsetDateTime),
        ("Header", Value::Str(header)),
        ("TPFrom", from),
        ("TPTo", to),
    ]))
}

/// `InterchangeHeaderInfo`: the header as text.
async fn interchange_header_info(call: Call) -> Result<Value, Error> {
    header_info(&call, call.args.str("InterchangeHeader").as_bytes()).await
}

/// `InterchangeHeaderInfoB`: the header as bytes (base64Binary).
async fn interchange_header_info_b(call: Call) -> Result<Value, Error> {
    header_info(&call, call.args.bytes("InterchangeHeader")).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<String> {
        envelope_time(text).map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
    }

    #[test]
    fn envelope_times_read_both_standards_and_refuse_what_is_no_date() {
        assert_eq!(at("240101 1200").as_deref(), Some("2024-01-01T12:00"));
        assert_eq!(at("240101:1200").as_deref(), Some("2024-01-01T12:00"));
        assert_eq!(at("20240101:0930").as_deref(), Some("2024-01-01T09:30"));
        assert_eq!(at("991231").as_deref(), Some("2099-12-31T00:00"), "20YY");
        assert_eq!(at("241301 1200"), None, "month 13");
        assert_eq!(at("240101 2460"), None, "minute 60");
        assert_eq!(at("2401"), None);
        assert_eq!(at(""), None);
    }
}
