//! `/v2/interchanges/*` (ecgrid-docs `rest-api/interchanges/`), and the migration table's
//! paths for the same operations: the interchanges of uploads as the core keeps them, and
//! two readers of a bare ISA header.

use axum::extract::State;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use edigrid_core::parcels::model::Interchange;
use edigrid_core::{Caller, InterchangeQuery};
use edigrid_domain::{Direction, EcGridId, InterchangeId};
use edigrid_edi::{Field, Group, Transaction, read_parcel};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, StandardErrors};
use crate::json::JsonBody;
use crate::parcels_routes::{
    InterchangeStatusName, LongIdPath, StandardName, WireTime, date_range, mailbox_scope,
    rest_error,
};
use crate::wire::{Wire, filter_id, page};

/// An interchange as the interchanges pages show one (`InterchangeIDInfo`), and what else
/// edigrid knows of it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = InterchangeIDInfo)]
pub struct InterchangeIdInfo {
    pub interchange_id: i64,
    /// The parcel it is in on the side asked about: the inbound parcel in inbox lists (and
    /// for its receiver), else the outbound one.
    pub parcel_id: i64,
    /// `qualifier:ID` as the envelope names them.
    pub sender: String,
    pub receiver: String,
    pub standard: StandardName,
    /// The first transaction set's or message's type (`850`, `ORDERS`); empty if none.
    pub document_type: String,
    pub status: InterchangeStatusName,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
    /// 0 where the ID is not registered.
    pub ec_grid_id_from: i32,
    pub ec_grid_id_to: i32,
    /// ISA13 / UNB 0020.
    pub control_number: String,
    /// Why it was not delivered; empty if it was.
    pub reason: String,
    /// Seen before from the same sender to the same receiver with the same control number.
    pub duplicate: bool,
    pub outbound_parcel_id: i64,
    /// Null until it is delivered.
    pub inbound_parcel_id: Option<i64>,
}

fn info(i: Interchange, inbound_side: bool) -> InterchangeIdInfo {
    let parcel = match i.inbound {
        Some(p) if inbound_side => p,
        _ => i.outbound,
    };
    InterchangeIdInfo {
        interchange_id: i.id.0,
        parcel_id: parcel.0,
        sender: i.sender,
        receiver: i.receiver,
        standard: Wire(i.standard),
        document_type: i.document_type,
        status: Wire(i.status),
        created: i.created,
        ec_grid_id_from: i.ecgrid_from.0,
        ec_grid_id_to: i.ecgrid_to.0,
        control_number: i.control_number,
        reason: i.reason,
        duplicate: i.duplicate,
        outbound_parcel_id: i.outbound.0,
        inbound_parcel_id: i.inbound.map(|p| p.0),
    }
}

/// One interchange.
#[utoipa::path(get, path = "/v2/interchanges/{id}", tag = "interchanges",
    params(("id" = i64, Path, minimum = 1, description = "InterchangeID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<InterchangeIdInfo>), StandardErrors))]
pub async fn get_interchange(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<InterchangeIdInfo>, ApiError> {
    let found = state
        .core
        .interchange_info(&caller, InterchangeId(id))
        .await
        .map_err(rest_error)?;
    let receiver = found.mailbox_to == caller.mailbox_id;
    Ok(Data(info(found, receiver)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterchangeListBody {
    /// 0 or absent: the caller's own mailbox.
    #[schema(minimum = 0)]
    pub mailbox_id: Option<i32>,
    /// 0 or absent: any.
    #[schema(minimum = 0)]
    pub ec_grid_id_from: Option<i32>,
    /// 0 or absent: any.
    #[schema(minimum = 0)]
    pub ec_grid_id_to: Option<i32>,
    /// Uploaded (outbox) or delivered (inbox) at or after this time.
    pub begin_date: Option<WireTime>,
    /// At or before this time (a date alone: that whole day).
    pub end_date: Option<WireTime>,
    /// From 1; 0 or absent: 1.
    #[schema(minimum = 0)]
    pub page_no: Option<i32>,
    /// Up to 500; 0 or absent: 25.
    #[schema(minimum = 0, maximum = 500)]
    pub records_per_page: Option<i32>,
}

/// One page of interchanges, with the number of them all.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterchangePage {
    pub total_records: u64,
    pub page_no: u32,
    pub records_per_page: u32,
    pub interchanges: Vec<InterchangeIdInfo>,
}

async fn list(
    state: &RestState,
    caller: &Caller,
    direction: Direction,
    b: InterchangeListBody,
) -> Result<Data<InterchangePage>, ApiError> {
    let (since, until) = date_range(b.begin_date, b.end_date)?;
    let page = page(b.page_no, b.records_per_page)?;
    let ecgrid_from = filter_id("ecGridIdFrom", b.ec_grid_id_from)?.map(EcGridId);
    let ecgrid_to = filter_id("ecGridIdTo", b.ec_grid_id_to)?.map(EcGridId);
    let (network, mailbox) = mailbox_scope(state, caller, b.mailbox_id).await?;
    let query = InterchangeQuery {
        direction,
        network,
        mailbox,
        no_route_only: false,
        pending_only: false,
        archived_only: false,
        ecgrid_from,
        ecgrid_to,
        since,
        until,
        page,
    };
    let found = state
        .core
        .interchange_list(caller, query)
        .await
        .map_err(rest_error)?;
    let inbound_side = direction == Direction::InBox;
    Ok(Data(InterchangePage {
        total_records: found.total,
        page_no: page.number,
        records_per_page: page.size,
        interchanges: found
            .items
            .into_iter()
            .map(|i| info(i, inbound_side))
            .collect(),
    }))
}

/// One page of the interchanges delivered to a mailbox.
#[utoipa::path(post, path = "/v2/interchanges/inbox-list", tag = "interchanges",
    request_body = InterchangeListBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<InterchangePage>), BodyErrors))]
pub async fn inbox_list(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<InterchangeListBody>,
) -> Result<Data<InterchangePage>, ApiError> {
    list(&state, &caller, Direction::InBox, b).await
}

/// One page of the interchanges a mailbox uploaded, delivered or not (`status` and
/// `reason` say which).
#[utoipa::path(post, path = "/v2/interchanges/outbox-list", tag = "interchanges",
    request_body = InterchangeListBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<InterchangePage>), BodyErrors))]
pub async fn outbox_list(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<InterchangeListBody>,
) -> Result<Data<InterchangePage>, ApiError> {
    list(&state, &caller, Direction::OutBox, b).await
}

/// One functional group of an interchange and one transaction set type in it, with how many
/// of that type it holds (EDIFACT messages outside groups have empty group fields).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterchangeManifestEntry {
    /// GS01 / UNG 0038.
    pub functional_group: String,
    /// ST01 / UNH S009 (`850`, `ORDERS`).
    pub transaction_set_type: String,
    pub transaction_set_count: i64,
    /// GS06 / UNG 0048.
    pub group_control_number: String,
    /// GS02 / UNG S006.
    pub sender_id: String,
    /// GS03 / UNG S007.
    pub receiver_id: String,
    /// GS08 / UNG S008.
    pub version: String,
}

pub(crate) fn field_text(f: &Field) -> String {
    String::from_utf8_lossy(f.trimmed()).into_owned()
}

/// The transaction set types of `transactions`, in first-seen order, with their counts.
fn kinds(transactions: &[Transaction]) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = Vec::new();
    for t in transactions {
        let kind = field_text(&t.kind);
        match out.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => out.push((kind, 1)),
        }
    }
    out
}

fn manifest_of(ix: &edigrid_edi::Interchange) -> Vec<InterchangeManifestEntry> {
    let entry = |g: Option<&Group>, (kind, n): (String, i64)| {
        let text = |f: fn(&Group) -> &Field| g.map_or_else(String::new, |g| field_text(f(g)));
        InterchangeManifestEntry {
            functional_group: text(|g| &g.functional_id),
            transaction_set_type: kind,
            transaction_set_count: n,
            group_control_number: text(|g| &g.control_number),
            sender_id: text(|g| &g.app_sender),
            receiver_id: text(|g| &g.app_receiver),
            version: text(|g| &g.version),
        }
    };
    let mut out = Vec::new();
    for g in &ix.groups {
        out.extend(
            kinds(&g.transactions)
                .into_iter()
                .map(|k| entry(Some(g), k)),
        );
    }
    out.extend(kinds(&ix.transactions).into_iter().map(|k| entry(None, k)));
    out
}

/// The functional groups of an interchange and the transaction sets in each, read from its
/// envelopes (its content must still be kept).
#[utoipa::path(get, path = "/v2/interchanges/get-manifest/{id}", tag = "interchanges",
    params(("id" = i64, Path, minimum = 1, description = "InterchangeID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<InterchangeManifestEntry>>), StandardErrors))]
pub async fn get_manifest(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<Vec<InterchangeManifestEntry>>, ApiError> {
    let ix = state
        .core
        .interchange_info(&caller, InterchangeId(id))
        .await
        .map_err(rest_error)?;
    let bytes = state
        .core
        .interchange_content(&caller, &ix)
        .await
        .map_err(rest_error)?;
    let reading = read_parcel(&bytes);
    Ok(Data(
        reading
            .interchanges
            .first()
            .map(manifest_of)
            .unwrap_or_default(),
    ))
}

async fn cancel(state: &RestState, caller: &Caller, id: i64) -> Result<Data<bool>, ApiError> {
    state
        .core
        .interchange_cancel(caller, InterchangeId(id))
        .await
        .map_err(rest_error)?;
    Ok(Data(true))
}

/// Withdraws an interchange whose inbound parcel has not been downloaded yet.
#[utoipa::path(post, path = "/v2/interchanges/cancel/{id}", tag = "interchanges",
    params(("id" = i64, Path, minimum = 1, description = "InterchangeID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn cancel_interchange(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<bool>, ApiError> {
    cancel(&state, &caller, id).await
}

/// The migration table's path of `POST /v2/interchanges/cancel/{id}`.
#[utoipa::path(post, path = "/v2/interchanges/{id}/cancel", tag = "interchanges",
    params(("id" = i64, Path, minimum = 1, description = "InterchangeID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn cancel_interchange_alias(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<bool>, ApiError> {
    cancel(&state, &caller, id).await
}

async fn resend(state: &RestState, caller: &Caller, id: i64) -> Result<Data<bool>, ApiError> {
    state
        .core
        .interchange_resend(caller, InterchangeId(id))
        .await
        .map_err(rest_error)?;
    Ok(Data(true))
}

/// Delivers an interchange again, as a new inbound parcel (NetOps and above).
#[utoipa::path(post, path = "/v2/interchanges/resend/{id}", tag = "interchanges",
    params(("id" = i64, Path, minimum = 1, description = "InterchangeID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn resend_interchange(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<bool>, ApiError> {
    resend(&state, &caller, id).await
}

/// The migration table's path of `POST /v2/interchanges/resend/{id}`.
#[utoipa::path(post, path = "/v2/interchanges/{id}/resend", tag = "interchanges",
    params(("id" = i64, Path, minimum = 1, description = "InterchangeID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn resend_interchange_alias(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<bool>, ApiError> {
    resend(&state, &caller, id).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HeaderBody {
    /// An ISA segment: `ISA`, its element separator, and the 16 elements (a segment
    /// terminator and what follows it may come after ISA16).
    #[schema(min_length = 1)]
    pub interchange_header: String,
}

/// The 16 elements of an ISA segment, as written (padding kept; ISA16 is its one
/// character).
fn isa_elements(text: &str) -> Result<[&str; 16], ApiError> {
    let bad = |why: &str| ApiError::invalid(format!("invalid field interchangeHeader: {why}"));
    let text = text.trim_start();
    let rest = text
        .strip_prefix("ISA")
        .ok_or_else(|| bad("an ISA segment begins with ISA"))?;
    let separator = rest
        .chars()
        .next()
        .filter(|c| !c.is_ascii_alphanumeric() && !c.is_whitespace())
        .ok_or_else(|| bad("ISA must be followed by its element separator"))?;
    let mut elements = [""; 16];
    let mut parts = rest[separator.len_utf8()..].split(separator);
    for (n, slot) in elements.iter_mut().enumerate() {
        *slot = parts
            .next()
            .ok_or_else(|| bad(&format!("has {n} elements; an ISA segment has 16")))?;
    }
    // ISA16 is one character; whatever follows it is the segment terminator and beyond.
    let isa16 = elements[15];
    let end = isa16
        .char_indices()
        .nth(1)
        .map_or(isa16.len(), |(at, _)| at);
    elements[15] = &isa16[..end];
    if elements[15].is_empty() {
        return Err(bad("ISA16 (the component element separator) is empty"));
    }
    Ok(elements)
}

/// The fields of an ISA header.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterchangeHeader {
    pub authorization_info_qualifier: String,
    pub authorization_info: String,
    pub security_info_qualifier: String,
    pub security_info: String,
    pub sender_id_qualifier: String,
    pub sender_id: String,
    pub receiver_id_qualifier: String,
    pub receiver_id: String,
    pub interchange_date: String,
    pub interchange_time: String,
    /// ISA11: the repetition separator from version 00501 on, a standards identifier before.
    pub repetition_separator: String,
    pub control_version_number: String,
    pub control_number: String,
    pub acknowledgment_requested: String,
    pub usage_indicator: String,
    pub component_element_separator: String,
}

/// Reads an ISA header into its fields, as written.
#[utoipa::path(post, path = "/v2/interchanges/get-header", tag = "interchanges",
    request_body = HeaderBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<InterchangeHeader>), BodyErrors))]
pub async fn get_header(
    Authenticated(_caller): Authenticated,
    JsonBody(b): JsonBody<HeaderBody>,
) -> Result<Data<InterchangeHeader>, ApiError> {
    let e = isa_elements(&b.interchange_header)?.map(str::to_string);
    let [
        a1,
        a2,
        a3,
        a4,
        a5,
        a6,
        a7,
        a8,
        a9,
        a10,
        a11,
        a12,
        a13,
        a14,
        a15,
        a16,
    ] = e;
    Ok(Data(InterchangeHeader {
        authorization_info_qualifier: a1,
        authorization_info: a2,
        security_info_qualifier: a3,
        security_info: a4,
        sender_id_qualifier: a5,
        sender_id: a6,
        receiver_id_qualifier: a7,
        receiver_id: a8,
        interchange_date: a9,
        interchange_time: a10,
        repetition_separator: a11,
        control_version_number: a12,
        control_number: a13,
        acknowledgment_requested: a14,
        usage_indicator: a15,
        component_element_separator: a16,
    }))
}

/// ISA09 (YYMMDD) and ISA10 (HHMM) as one UTC time.
fn isa_date(text: &str) -> Result<DateTime<Utc>, ApiError> {
    let e = isa_elements(text)?;
    let (date, time) = (e[8].trim(), e[9].trim());
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(date, 6) || !digits(time, 4) {
        return Err(ApiError::invalid(format!(
            "invalid field interchangeHeader: ISA09 {date:?} and ISA10 {time:?} must be YYMMDD and HHMM"
        )));
    }
    // ISA09 has no century: 20YY, as the SOAP dialects read it.
    NaiveDateTime::parse_from_str(&format!("20{date}{time}"), "%Y%m%d%H%M")
        .map(|t| t.and_utc())
        .map_err(|_| {
            ApiError::invalid(format!(
                "invalid field interchangeHeader: ISA09 {date} ISA10 {time} is not a date and time"
            ))
        })
}

/// The date and time of an ISA header (ISA09 and ISA10, UTC).
#[utoipa::path(post, path = "/v2/interchanges/get-date", tag = "interchanges",
    request_body = HeaderBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<String>, description = "data is the date and time, e.g. 2026-05-01T10:30:00Z"), BodyErrors))]
pub async fn get_date(
    Authenticated(_caller): Authenticated,
    JsonBody(b): JsonBody<HeaderBody>,
) -> Result<Data<String>, ApiError> {
    let at = isa_date(&b.interchange_header)?;
    Ok(Data(at.to_rfc3339_opts(SecondsFormat::Secs, true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &str = "ISA*00*          *00*          *ZZ*ACMECORP       *ZZ*BUYERINC       *260501*1030*^*00501*000000001*0*P*>";

    #[test]
    fn an_isa_header_reads_into_its_sixteen_elements() {
        let e = isa_elements(ISA).unwrap();
        assert_eq!(e[5], "ACMECORP       ");
        assert_eq!(e[15], ">");
        let whole = format!("{ISA}~\nGS*PO*A*B~");
        assert_eq!(isa_elements(&whole).unwrap(), e);
        for bad in ["", "GS*PO", "ISA", "ISA*00*01", "ISA1"] {
            let err = isa_elements(bad).unwrap_err();
            assert!(
                err.message.contains("interchangeHeader"),
                "{bad:?}: {}",
                err.message
            );
        }
        assert!(isa_elements(&ISA.replace("*>", "*")).is_err());
    }

    #[test]
    fn an_isa_date_is_isa09_and_isa10_in_utc() {
        let at = isa_date(ISA).unwrap();
        assert_eq!(
            at.to_rfc3339_opts(SecondsFormat::Secs, true),
            "2026-05-01T10:30:00Z"
        );
        for bad in [ISA.replace("260501", "261301"), ISA.replace("1030", "10:3")] {
            assert!(isa_date(&bad).is_err(), "{bad}");
        }
    }
}
