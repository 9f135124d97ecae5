//! `/v2/parcels/*` (ecgrid-docs `rest-api/parcels/`), and the migration table's paths for
//! the same operations. Each handler is one call of the core's parcel services, which read
//! the envelopes, route, and decide who may do what; this file only translates the wire.
//! An upload comes as JSON (`content` in base64) or as `multipart/form-data` (a `file`
//! part) on the same path.

use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use edigrid_core::parcels::model::{Interchange, Parcel};
use edigrid_core::{Caller, DownloadMode, ParcelQuery, ParcelView, UploadRequest};
use edigrid_domain::{
    Direction, EcGridId, EdiStandard, InterchangeStatus, MailboxId, NetworkId, ParcelId,
    ParcelState, ParcelValid,
};
use edigrid_edi::read_parcel;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{
    ApiError, ApiResponse, BodyErrors, Data, ErrorBody, StandardErrors, from_core,
};
use crate::interchanges_routes::field_text;
use crate::json::JsonBody;
use crate::wire::{Wire, WireEnum, filter_id, page};

/// The parcel enumerations as the REST API names them, each exactly as the domain spells it.
macro_rules! parcel_enum {
    ($($ty:ty => $label:literal;)*) => {
        $(
            impl WireEnum for $ty {
                const LABEL: &'static str = $label;
                fn names() -> Vec<&'static str> {
                    <$ty>::ALL.iter().map(|v| v.as_str()).collect()
                }
                fn name(self) -> &'static str {
                    self.as_str()
                }
            }
        )*
    };
}

parcel_enum! {
    ParcelState => "ParcelStatus";
    ParcelValid => "ParcelValid";
    Direction => "Direction";
    InterchangeStatus => "InterchangeStatus";
    EdiStandard => "EDIStandard";
}

pub type ParcelStatusName = Wire<ParcelState>;
pub type ParcelValidName = Wire<ParcelValid>;
pub type DirectionName = Wire<Direction>;
pub type InterchangeStatusName = Wire<InterchangeStatus>;
pub type StandardName = Wire<EdiStandard>;

/// Core parameter names as the parcel bodies call them.
pub(crate) const RENAMES: &[(&str, &str)] = &[
    ("ECGridIDFrom", "ecGridIdFrom"),
    ("ECGridIDTo", "ecGridIdTo"),
    ("ContentBase64", "content"),
];

/// A core error as the parcel routes answer it.
pub(crate) fn rest_error(e: edigrid_domain::Error) -> ApiError {
    from_core(e, RENAMES)
}

/// A parcel as the parcels pages show one (`ParcelIDInfo`), and what else edigrid knows of
/// it that a client may want.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ParcelIDInfo)]
pub struct ParcelIdInfo {
    pub parcel_id: i64,
    /// The mailbox whose box it is in: the sender's for outbound parcels, the receiver's
    /// for inbound ones.
    pub mailbox_id: i32,
    pub network_id: i32,
    pub file_name: String,
    pub bytes: i64,
    pub status: ParcelStatusName,
    /// Of its first interchange (or as the upload named them); 0 where unknown.
    pub ec_grid_id_from: i32,
    pub ec_grid_id_to: i32,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
    /// When its status last changed.
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub modified: DateTime<Utc>,
    pub direction: DirectionName,
    pub valid: ParcelValidName,
    pub mailbag_control_id: String,
    pub interchange_count: i32,
}

impl From<Parcel> for ParcelIdInfo {
    fn from(p: Parcel) -> Self {
        ParcelIdInfo {
            parcel_id: p.id.0,
            mailbox_id: p.mailbox_id.0,
            network_id: p.network_id.0,
            file_name: p.file_name,
            bytes: p.bytes,
            status: Wire(p.state),
            ec_grid_id_from: p.ecgrid_from.0,
            ec_grid_id_to: p.ecgrid_to.0,
            created: p.created,
            modified: p.state_changed,
            direction: Wire(p.direction),
            valid: Wire(p.valid),
            mailbag_control_id: p.mailbag_control_id,
            interchange_count: p.interchange_count,
        }
    }
}

fn parcels(items: Vec<Parcel>) -> Data<Vec<ParcelIdInfo>> {
    Data(items.into_iter().map(ParcelIdInfo::from).collect())
}

/// The `{id}` of a parcel or interchange path: a whole number from 1 (a long), else `400`
/// naming `id`.
pub(crate) struct LongIdPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for LongIdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::invalid(format!("invalid field id: {e}")))?;
        raw.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(LongIdPath)
            .ok_or_else(|| ApiError::invalid("invalid field id: must be a whole number from 1"))
    }
}

/// A required long id of a body: at least 1.
pub(crate) fn positive_long(field: &str, value: i64) -> Result<i64, ApiError> {
    if value > 0 {
        Ok(value)
    } else {
        Err(ApiError::invalid(format!(
            "invalid field {field}: must be a whole number from 1"
        )))
    }
}

/// A time in a list body: RFC 3339 (`2026-05-07T10:00:00Z`), a date and time without a zone
/// (taken as UTC), or a date (`2026-05-07`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireTime {
    pub at: DateTime<Utc>,
    /// Given as a date only: an end date then means the whole day.
    pub date_only: bool,
}

impl<'de> Deserialize<'de> for WireTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let t = text.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(t) {
            return Ok(WireTime {
                at: at.with_timezone(&Utc),
                date_only: false,
            });
        }
        for format in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
        ] {
            if let Ok(at) = NaiveDateTime::parse_from_str(t, format) {
                return Ok(WireTime {
                    at: at.and_utc(),
                    date_only: false,
                });
            }
        }
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|at| WireTime {
                at: at.and_utc(),
                date_only: true,
            })
            .ok_or_else(|| {
                D::Error::custom(format!(
                    "{text:?} is not a date and time (ISO 8601, e.g. 2026-05-07T10:00:00Z)"
                ))
            })
    }
}

impl PartialSchema for WireTime {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some(
                "UTC unless it says otherwise; 0001-01-01 leaves that end of the range open",
            ))
            .into()
    }
}

impl ToSchema for WireTime {}

/// The open-ended bounds of a list's time range: `created` in [since, until).
pub(crate) type Since = Option<DateTime<Utc>>;
pub(crate) type Until = Option<DateTime<Utc>>;

/// `beginDate` and `endDate` as the core takes them: year 1 (the wire's "none") is open; an
/// end given as a date covers that whole day; a begin after the end is refused.
pub(crate) fn date_range(
    begin: Option<WireTime>,
    end: Option<WireTime>,
) -> Result<(Since, Until), ApiError> {
    let open = |t: Option<WireTime>| t.filter(|t| t.at.year() > 1);
    let since = open(begin).map(|t| t.at);
    let until = match open(end) {
        Some(t) if t.date_only => t.at.checked_add_signed(TimeDelta::days(1)),
        // The core's range is [since, until): an end given to the second includes it.
        Some(t) => t.at.checked_add_signed(TimeDelta::seconds(1)),
        None => None,
    };
    if let (Some(s), Some(u)) = (since, until)
        && s >= u
    {
        return Err(ApiError::invalid(
            "invalid field beginDate: must not be after endDate",
        ));
    }
    Ok((since, until))
}

/// The network of a mailbox named by a body, read with the caller's authority (outside it,
/// a mailbox that exists and one that does not get the same refusal).
pub(crate) async fn mailbox_scope(
    state: &RestState,
    caller: &Caller,
    mailbox: Option<i32>,
) -> Result<(Option<NetworkId>, Option<MailboxId>), ApiError> {
    match filter_id("mailboxId", mailbox)? {
        None => Ok((None, None)),
        Some(id) => {
            let mailbox = state.core.mailbox_info(caller, MailboxId(id)).await?;
            Ok((Some(mailbox.network_id), Some(mailbox.id)))
        }
    }
}

/// One parcel.
#[utoipa::path(get, path = "/v2/parcels/{id}", tag = "parcels",
    params(("id" = i64, Path, minimum = 1, description = "ParcelID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<ParcelIdInfo>), StandardErrors))]
pub async fn get_parcel(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<ParcelIdInfo>, ApiError> {
    let detail = state
        .core
        .parcel_info(&caller, ParcelId(id))
        .await
        .map_err(rest_error)?;
    Ok(Data::of(detail.parcel))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParcelListBody {
    /// 0 or absent: the caller's own mailbox.
    #[schema(minimum = 0)]
    pub mailbox_id: Option<i32>,
    /// 0 or absent: any.
    #[schema(minimum = 0)]
    pub ec_grid_id_from: Option<i32>,
    /// 0 or absent: any.
    #[schema(minimum = 0)]
    pub ec_grid_id_to: Option<i32>,
    /// A state of the box's side (or `Cancelled`). Inbox, absent: `InBoxReady` only;
    /// outbox, absent: every state.
    pub status: Option<ParcelStatusName>,
    /// Created at or after this time.
    pub begin_date: Option<WireTime>,
    /// Created at or before this time (a date alone: that whole day).
    pub end_date: Option<WireTime>,
    /// From 1; 0 or absent: 1.
    #[schema(minimum = 0)]
    pub page_no: Option<i32>,
    /// Up to 500; 0 or absent: 25.
    #[schema(minimum = 0, maximum = 500)]
    pub records_per_page: Option<i32>,
}

/// The view of one side of a box that a list's `status` asks for.
fn view_of(direction: Direction, status: Option<ParcelState>) -> Result<ParcelView, ApiError> {
    let side = |s: ParcelState| s == ParcelState::Cancelled || s.direction() == direction;
    match (direction, status) {
        (_, Some(s)) if !side(s) => Err(ApiError::invalid(format!(
            "invalid field status: {s} is not a state of the {} (its states: {})",
            if direction == Direction::InBox {
                "inbox"
            } else {
                "outbox"
            },
            ParcelState::ALL
                .iter()
                .filter(|s| side(**s))
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        (Direction::InBox, None) => Ok(ParcelView::InBox),
        (Direction::InBox, Some(ParcelState::InBoxArchived)) => Ok(ParcelView::InBoxArchive),
        (Direction::InBox, Some(_)) => Ok(ParcelView::InBoxAll),
        (_, Some(ParcelState::OutBoxDeliveryError)) => Ok(ParcelView::OutBoxError),
        _ => Ok(ParcelView::OutBoxArchive),
    }
}

async fn list(
    state: &RestState,
    caller: &Caller,
    direction: Direction,
    b: ParcelListBody,
) -> Result<Data<Vec<ParcelIdInfo>>, ApiError> {
    let status = b.status.map(|s| s.0);
    let view = view_of(direction, status)?;
    let (since, until) = date_range(b.begin_date, b.end_date)?;
    let page = page(b.page_no, b.records_per_page)?;
    let ecgrid_from = filter_id("ecGridIdFrom", b.ec_grid_id_from)?.map(EcGridId);
    let ecgrid_to = filter_id("ecGridIdTo", b.ec_grid_id_to)?.map(EcGridId);
    let (network, mailbox) = mailbox_scope(state, caller, b.mailbox_id).await?;
    let query = ParcelQuery {
        view,
        network,
        mailbox,
        states: status.into_iter().collect(),
        ecgrid_from,
        ecgrid_to,
        since,
        until,
        mailbag_control_id: None,
        page,
    };
    let found = state
        .core
        .parcel_list(caller, query)
        .await
        .map_err(rest_error)?;
    Ok(parcels(found.items))
}

/// One page of a mailbox's inbound parcels: ready ones oldest first unless `status` asks
/// for others (`InBoxArchived`: newest first); a bare array.
#[utoipa::path(post, path = "/v2/parcels/inbox-list", tag = "parcels",
    request_body = ParcelListBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<ParcelIdInfo>>), BodyErrors))]
pub async fn inbox_list(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<ParcelListBody>,
) -> Result<Data<Vec<ParcelIdInfo>>, ApiError> {
    list(&state, &caller, Direction::InBox, b).await
}

/// One page of a mailbox's outbound parcels, newest first; a bare array.
#[utoipa::path(post, path = "/v2/parcels/outbox-list", tag = "parcels",
    request_body = ParcelListBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<ParcelIdInfo>>), BodyErrors))]
pub async fn outbox_list(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<ParcelListBody>,
) -> Result<Data<Vec<ParcelIdInfo>>, ApiError> {
    list(&state, &caller, Direction::OutBox, b).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingListBody {
    /// 0 or absent: the caller's own mailbox.
    #[schema(minimum = 0)]
    pub mailbox_id: Option<i32>,
    /// From 1; 0 or absent: 1.
    #[schema(minimum = 0)]
    pub page_no: Option<i32>,
    /// Up to 500; 0 or absent: 25.
    #[schema(minimum = 0, maximum = 500)]
    pub records_per_page: Option<i32>,
}

/// The parcels of a mailbox ready to download (`InBoxReady`), oldest first; a bare array.
#[utoipa::path(post, path = "/v2/parcels/pending-inbox-list", tag = "parcels",
    request_body = PendingListBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<ParcelIdInfo>>), BodyErrors))]
pub async fn pending_inbox_list(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<PendingListBody>,
) -> Result<Data<Vec<ParcelIdInfo>>, ApiError> {
    let body = ParcelListBody {
        mailbox_id: b.mailbox_id,
        ec_grid_id_from: None,
        ec_grid_id_to: None,
        status: None,
        begin_date: None,
        end_date: None,
        page_no: b.page_no,
        records_per_page: b.records_per_page,
    };
    list(&state, &caller, Direction::InBox, body).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadBody {
    #[schema(min_length = 1)]
    pub file_name: String,
    /// The file, base64-encoded (line breaks allowed).
    #[schema(min_length = 1)]
    pub content: String,
    /// The file's size; when given (not 0), it must be the decoded content's.
    #[schema(minimum = 0)]
    pub bytes: Option<i64>,
    /// With `ecGridIdTo`: route the file between these two IDs (a file without envelope
    /// needs both); 0 or absent: from its envelopes.
    #[schema(minimum = 0)]
    pub ec_grid_id_from: Option<i32>,
    #[schema(minimum = 0)]
    pub ec_grid_id_to: Option<i32>,
    /// The sending mailbox; 0 or absent: the caller's own.
    #[schema(minimum = 0)]
    pub mailbox_id: Option<i32>,
}

/// The same upload as a form: the file's bytes as the `file` part.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Absent: the `file` part's file name.
    pub file_name: Option<String>,
    #[schema(minimum = 0)]
    pub bytes: Option<i64>,
    #[schema(minimum = 0)]
    pub ec_grid_id_from: Option<i32>,
    #[schema(minimum = 0)]
    pub ec_grid_id_to: Option<i32>,
    #[schema(minimum = 0)]
    pub mailbox_id: Option<i32>,
}

/// An upload as read from either form, before it is checked.
#[derive(Debug, Default)]
pub struct UploadInput {
    file_name: Option<String>,
    content: Vec<u8>,
    /// The field the content came in (`content` or `file`), for messages.
    content_field: &'static str,
    bytes: Option<i64>,
    from: Option<i32>,
    to: Option<i32>,
    mailbox: Option<i32>,
}

impl<S: Send + Sync> FromRequest<S> for UploadInput {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if is_form {
            let form = Multipart::from_request(req, state)
                .await
                .map_err(|e| ApiError::invalid(format!("the form could not be read: {e}")))?;
            read_form(form).await
        } else {
            let JsonBody(b) = JsonBody::<UploadBody>::from_request(req, state).await?;
            let content = decode_base64(&b.content)?;
            Ok(UploadInput {
                file_name: Some(b.file_name),
                content,
                content_field: "content",
                bytes: b.bytes,
                from: b.ec_grid_id_from,
                to: b.ec_grid_id_to,
                mailbox: b.mailbox_id,
            })
        }
    }
}

/// Base64 as clients send it: whitespace between the characters is allowed.
fn decode_base64(text: &str) -> Result<Vec<u8>, ApiError> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    BASE64
        .decode(compact)
        .map_err(|e| ApiError::invalid(format!("invalid field content: not base64 ({e})")))
}

/// A number of a form field.
fn form_number<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, ApiError> {
    text.trim().parse().map_err(|_| {
        ApiError::invalid(format!(
            "invalid field {field}: {text:?} is not a whole number"
        ))
    })
}

/// The `file` part and the fields of a `multipart/form-data` upload; field names are
/// matched case-insensitively, unknown ones ignored.
async fn read_form(mut form: Multipart) -> Result<UploadInput, ApiError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        ApiError::new(
            e.status(),
            "InvalidParameter",
            format!("the form could not be read: {}", e.body_text()),
        )
    };
    let mut input = UploadInput {
        content_field: "file",
        ..UploadInput::default()
    };
    let mut file: Option<(Option<String>, Vec<u8>)> = None;
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_ascii_lowercase();
        if name == "file" {
            if file.is_some() {
                return Err(ApiError::invalid(
                    "invalid field file: given more than once",
                ));
            }
            let part_name = field.file_name().map(str::to_string);
            let bytes = field.bytes().await.map_err(unreadable)?;
            file = Some((part_name, bytes.to_vec()));
            continue;
        }
        let known = [
            "filename",
            "bytes",
            "ecgrididfrom",
            "ecgrididto",
            "mailboxid",
        ];
        if !known.contains(&name.as_str()) {
            continue;
        }
        let text = field.text().await.map_err(unreadable)?;
        match name.as_str() {
            "filename" => input.file_name = Some(text),
            "bytes" => input.bytes = Some(form_number("bytes", &text)?),
            "ecgrididfrom" => input.from = Some(form_number("ecGridIdFrom", &text)?),
            "ecgrididto" => input.to = Some(form_number("ecGridIdTo", &text)?),
            _ => input.mailbox = Some(form_number("mailboxId", &text)?),
        }
    }
    let Some((part_name, content)) = file else {
        return Err(ApiError::invalid(
            "invalid field file: a multipart upload needs the file as a part named file",
        ));
    };
    input.content = content;
    if input
        .file_name
        .as_deref()
        .is_none_or(|n| n.trim().is_empty())
    {
        input.file_name = part_name;
    }
    Ok(input)
}

/// The checks of an upload that are the wire's: a file name, some content, the declared
/// size, both IDs or neither.
fn upload_request(input: UploadInput) -> Result<UploadRequest, ApiError> {
    let file_name = input
        .file_name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("invalid field fileName: the file needs a name"))?;
    if input.content.is_empty() {
        return Err(ApiError::invalid(format!(
            "invalid field {}: the file is empty (0 bytes)",
            input.content_field
        )));
    }
    let actual = i64::try_from(input.content.len()).unwrap_or(i64::MAX);
    let declared = match input.bytes {
        None | Some(0) => None,
        Some(n) if n == actual => Some(n),
        Some(n) => {
            return Err(ApiError::invalid(format!(
                "invalid field bytes: says {n}, but the {} has {actual} bytes",
                input.content_field
            )));
        }
    };
    let from = filter_id("ecGridIdFrom", input.from)?;
    let to = filter_id("ecGridIdTo", input.to)?;
    let explicit = match (from, to) {
        (Some(f), Some(t)) => Some((EcGridId(f), EcGridId(t))),
        (None, None) => None,
        (Some(_), None) | (None, Some(_)) => {
            return Err(ApiError::invalid(
                "invalid field ecGridIdTo: give both ecGridIdFrom and ecGridIdTo, or neither",
            ));
        }
    };
    Ok(UploadRequest {
        network: None,
        mailbox: None,
        file_name,
        content: input.content,
        declared_bytes: declared,
        explicit,
    })
}

/// Sends a file: its interchanges are routed by their envelopes (or between the two IDs
/// given). Answers the outbound parcel's ParcelID. JSON with `content` in base64, or a
/// `multipart/form-data` form with the file as its `file` part.
#[utoipa::path(post, path = "/v2/parcels/upload", tag = "parcels",
    request_body(content(
        (UploadBody = "application/json"),
        (UploadForm = "multipart/form-data"))),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = ApiResponse<i64>, description = "data is the outbound parcel's ParcelID"),
        BodyErrors,
        (status = 503, body = ErrorBody, description = "too many uploads in flight; retry after Retry-After seconds")))]
pub async fn upload(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    input: UploadInput,
) -> Result<Data<i64>, ApiError> {
    let mailbox = input.mailbox;
    let mut request = upload_request(input)?;
    (request.network, request.mailbox) = mailbox_scope(&state, &caller, mailbox).await?;
    let outcome = state
        .core
        .parcel_upload(&caller, request)
        .await
        .map_err(rest_error)?;
    Ok(Data(outcome.parcel.id.0))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParcelIdBody {
    #[schema(minimum = 1)]
    pub parcel_id: i64,
}

/// A download: the file's exact bytes in base64.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParcelDownload {
    pub parcel_id: i64,
    pub file_name: String,
    /// Base64.
    pub content: String,
    pub bytes: i64,
}

/// Downloads an inbound parcel; a ready one becomes `InBoxTransferred` until the download
/// is confirmed.
#[utoipa::path(post, path = "/v2/parcels/download", tag = "parcels",
    request_body = ParcelIdBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<ParcelDownload>), BodyErrors))]
pub async fn download(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<ParcelIdBody>,
) -> Result<Data<ParcelDownload>, ApiError> {
    let id = ParcelId(positive_long("parcelId", b.parcel_id)?);
    let got = state
        .core
        .parcel_download(&caller, id, DownloadMode::Update)
        .await
        .map_err(rest_error)?;
    Ok(Data(ParcelDownload {
        parcel_id: got.parcel.id.0,
        file_name: got.parcel.file_name,
        bytes: i64::try_from(got.content.len()).unwrap_or(i64::MAX),
        content: BASE64.encode(&got.content),
    }))
}

/// Confirms a download: the parcel leaves the inbox for the archive (`InBoxArchived`).
#[utoipa::path(post, path = "/v2/parcels/confirm", tag = "parcels",
    request_body = ParcelIdBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn confirm(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<ParcelIdBody>,
) -> Result<Data<bool>, ApiError> {
    let id = ParcelId(positive_long("parcelId", b.parcel_id)?);
    state
        .core
        .parcel_confirm(&caller, id)
        .await
        .map_err(rest_error)?;
    Ok(Data(true))
}

async fn reset(state: &RestState, caller: &Caller, id: i64) -> Result<Data<bool>, ApiError> {
    state
        .core
        .parcel_reset(caller, ParcelId(id))
        .await
        .map_err(rest_error)?;
    Ok(Data(true))
}

/// Puts a downloaded or confirmed inbound parcel back in the inbox (`InBoxReady`).
#[utoipa::path(post, path = "/v2/parcels/reset-to-inbox/{id}", tag = "parcels",
    params(("id" = i64, Path, minimum = 1, description = "ParcelID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn reset_to_inbox(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<bool>, ApiError> {
    reset(&state, &caller, id).await
}

/// The migration table's path of `POST /v2/parcels/reset-to-inbox/{id}`.
#[utoipa::path(post, path = "/v2/parcels/{id}/reset-to-inbox", tag = "parcels",
    params(("id" = i64, Path, minimum = 1, description = "ParcelID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn reset_to_inbox_alias(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<bool>, ApiError> {
    reset(&state, &caller, id).await
}

async fn cancel(state: &RestState, caller: &Caller, id: i64) -> Result<Data<bool>, ApiError> {
    state
        .core
        .parcel_cancel(caller, ParcelId(id))
        .await
        .map_err(rest_error)?;
    Ok(Data(true))
}

/// Withdraws a delivery not downloaded yet: the sender's outbound parcel (with its inbound
/// parcels) or the receiver's inbound one.
#[utoipa::path(post, path = "/v2/parcels/cancel/{id}", tag = "parcels",
    params(("id" = i64, Path, minimum = 1, description = "ParcelID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn cancel_parcel(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<bool>, ApiError> {
    cancel(&state, &caller, id).await
}

/// The migration table's path of `POST /v2/parcels/cancel/{id}`.
#[utoipa::path(post, path = "/v2/parcels/{id}/cancel", tag = "parcels",
    params(("id" = i64, Path, minimum = 1, description = "ParcelID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn cancel_parcel_alias(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<bool>, ApiError> {
    cancel(&state, &caller, id).await
}

/// One interchange of a parcel's manifest.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParcelManifestEntry {
    pub interchange_id: i64,
    /// `qualifier:ID` as the envelope names them.
    pub sender: String,
    pub receiver: String,
    /// The first transaction set's or message's type (`850`, `ORDERS`); empty if none.
    pub document_type: String,
    pub standard: StandardName,
    pub control_number: String,
    pub status: InterchangeStatusName,
    /// Why it was not delivered; empty if it was.
    pub reason: String,
    /// 0 where the ID is not registered.
    pub ec_grid_id_from: i32,
    pub ec_grid_id_to: i32,
    /// How many transaction sets (EDIFACT: messages) it holds; null when the parcel's
    /// content is no longer kept, or the interchange could not be read.
    pub count: Option<i64>,
}

impl From<Interchange> for ParcelManifestEntry {
    fn from(i: Interchange) -> Self {
        ParcelManifestEntry {
            count: None,
            interchange_id: i.id.0,
            sender: i.sender,
            receiver: i.receiver,
            document_type: i.document_type,
            standard: Wire(i.standard),
            control_number: i.control_number,
            status: Wire(i.status),
            reason: i.reason,
            ec_grid_id_from: i.ecgrid_from.0,
            ec_grid_id_to: i.ecgrid_to.0,
        }
    }
}

/// The interchanges of a parcel, in file order, with what became of each.
#[utoipa::path(get, path = "/v2/parcels/manifest/{id}", tag = "parcels",
    params(("id" = i64, Path, minimum = 1, description = "ParcelID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<ParcelManifestEntry>>), StandardErrors))]
pub async fn manifest(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    LongIdPath(id): LongIdPath,
) -> Result<Data<Vec<ParcelManifestEntry>>, ApiError> {
    let detail = state
        .core
        .parcel_info(&caller, ParcelId(id))
        .await
        .map_err(rest_error)?;
    let mut interchanges = detail.interchanges;
    interchanges.sort_by_key(|i| (i.outbound, i.position));
    // The counts come from the envelopes in the content, read without changing the parcel.
    let content = state
        .core
        .parcel_download(&caller, ParcelId(id), DownloadMode::NoUpdate)
        .await
        .ok()
        .map(|d| d.content);
    let read = content.as_deref().map(read_parcel);
    let mut found = read.map(|r| r.interchanges).unwrap_or_default();
    Ok(Data(
        interchanges
            .into_iter()
            .map(|i| {
                // Each interchange of the content is counted for one record, in order.
                let at = found
                    .iter()
                    .position(|f| field_text(&f.control_number) == i.control_number.trim());
                let count = at.map(|k| {
                    let f = found.remove(k);
                    let grouped: usize = f.groups.iter().map(|g| g.transactions.len()).sum();
                    i64::try_from(grouped + f.transactions.len()).unwrap_or(i64::MAX)
                });
                ParcelManifestEntry {
                    count,
                    ..ParcelManifestEntry::from(i)
                }
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoteBody {
    #[schema(minimum = 1)]
    pub parcel_id: i64,
    #[schema(min_length = 1)]
    pub note: String,
}

/// Adds a note to a parcel's record.
#[utoipa::path(post, path = "/v2/parcels/acknowledgment-note", tag = "parcels",
    request_body = NoteBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn acknowledgment_note(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<NoteBody>,
) -> Result<Data<bool>, ApiError> {
    let id = ParcelId(positive_long("parcelId", b.parcel_id)?);
    if b.note.trim().is_empty() {
        return Err(ApiError::invalid("invalid field note: must not be empty"));
    }
    state
        .core
        .parcel_note(&caller, id, "", &b.note)
        .await
        .map_err(rest_error)?;
    Ok(Data(true))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateParcelBody {
    #[schema(minimum = 1)]
    pub parcel_id: i64,
    /// A state of the parcel's own side (or `Cancelled`); absent: unchanged.
    pub status: Option<ParcelStatusName>,
}

/// Sets a parcel's status; answers the parcel as it is then.
#[utoipa::path(post, path = "/v2/parcels/update", tag = "parcels",
    request_body = UpdateParcelBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<ParcelIdInfo>), BodyErrors))]
pub async fn update(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<UpdateParcelBody>,
) -> Result<Data<ParcelIdInfo>, ApiError> {
    let id = ParcelId(positive_long("parcelId", b.parcel_id)?);
    let parcel = match b.status {
        Some(Wire(s)) => state.core.parcel_set_state(&caller, id, s).await,
        None => state.core.parcel_info(&caller, id).await.map(|d| d.parcel),
    }
    .map_err(rest_error)?;
    Ok(Data::of(parcel))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetMailbagBody {
    #[schema(minimum = 1)]
    pub parcel_id: i64,
    #[schema(min_length = 1)]
    pub mailbag_control_id: String,
}

/// Sets a parcel's mailbag control ID.
#[utoipa::path(post, path = "/v2/parcels/set-mailbagcontrolid", tag = "parcels",
    request_body = SetMailbagBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn set_mailbag_control_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<SetMailbagBody>,
) -> Result<Data<bool>, ApiError> {
    let id = ParcelId(positive_long("parcelId", b.parcel_id)?);
    let control = non_empty("mailbagControlId", &b.mailbag_control_id)?;
    state
        .core
        .parcel_set_mailbag_control_id(&caller, id, control)
        .await
        .map_err(rest_error)?;
    Ok(Data(true))
}

fn non_empty<'a>(field: &str, text: &'a str) -> Result<&'a str, ApiError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        Err(ApiError::invalid(format!(
            "invalid field {field}: must not be empty"
        )))
    } else {
        Ok(trimmed)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FindMailbagBody {
    /// 0 or absent: the caller's own mailbox.
    #[schema(minimum = 0)]
    pub mailbox_id: Option<i32>,
    #[schema(min_length = 1)]
    pub mailbag_control_id: String,
}

/// The inbound parcels of a mailbox with that mailbag control ID; a bare array.
#[utoipa::path(post, path = "/v2/parcels/find-mailbagcontrolid", tag = "parcels",
    request_body = FindMailbagBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<ParcelIdInfo>>), BodyErrors))]
pub async fn find_mailbag_control_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<FindMailbagBody>,
) -> Result<Data<Vec<ParcelIdInfo>>, ApiError> {
    let control = non_empty("mailbagControlId", &b.mailbag_control_id)?;
    let (network, mailbox) = mailbox_scope(&state, &caller, b.mailbox_id).await?;
    let found = state
        .core
        .parcel_find_mailbag_control_id(&caller, Direction::InBox, network, mailbox, control)
        .await
        .map_err(rest_error)?;
    Ok(parcels(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> Result<WireTime, serde_json::Error> {
        serde_json::from_value(serde_json::Value::String(text.into()))
    }

    #[test]
    fn times_read_as_clients_write_them() {
        let z = time("2026-05-07T10:00:00Z").unwrap();
        assert_eq!(time("2026-05-07T12:00:00+02:00").unwrap().at, z.at);
        assert_eq!(time("2026-05-07T10:00:00").unwrap().at, z.at);
        assert!(time("2026-05-07").unwrap().date_only);
        assert!(time("yesterday").is_err());
        let (since, until) = date_range(Some(time("0001-01-01").unwrap()), Some(z)).unwrap();
        assert_eq!(since, None);
        assert_eq!(until, Some(z.at + TimeDelta::seconds(1)));
        let day = date_range(None, Some(time("2026-05-07").unwrap()))
            .unwrap()
            .1;
        assert_eq!(day, Some(time("2026-05-08T00:00:00Z").unwrap().at));
        assert!(date_range(Some(z), Some(time("2026-05-06").unwrap())).is_err());
    }

    #[test]
    fn a_list_status_belongs_to_its_side() {
        use Direction::{InBox, OutBox};
        assert_eq!(view_of(InBox, None).unwrap(), ParcelView::InBox);
        let archived = Some(ParcelState::InBoxArchived);
        assert_eq!(view_of(InBox, archived).unwrap(), ParcelView::InBoxArchive);
        assert_eq!(view_of(OutBox, None).unwrap(), ParcelView::OutBoxArchive);
        let error = Some(ParcelState::OutBoxDeliveryError);
        assert_eq!(view_of(OutBox, error).unwrap(), ParcelView::OutBoxError);
        let cancelled = Some(ParcelState::Cancelled);
        assert_eq!(view_of(InBox, cancelled).unwrap(), ParcelView::InBoxAll);
        let wrong = view_of(OutBox, archived).unwrap_err();
        assert!(wrong.message.contains("status"), "{}", wrong.message);
    }

    #[test]
    fn an_upload_declares_its_size_and_both_ids_or_none() {
        let input = |bytes, from, to| UploadInput {
            file_name: Some("a.edi".into()),
            content: b"ISA".to_vec(),
            content_field: "content",
            bytes,
            from,
            to,
            mailbox: None,
        };
        assert!(upload_request(input(Some(3), None, None)).is_ok());
        assert!(upload_request(input(Some(0), Some(0), None)).is_ok());
        let wrong = upload_request(input(Some(4), None, None)).unwrap_err();
        assert!(wrong.message.contains("bytes"), "{}", wrong.message);
        let half = upload_request(input(None, Some(5), None)).unwrap_err();
        assert!(half.message.contains("ecGridIdTo"), "{}", half.message);
        let both = upload_request(input(None, Some(5), Some(6))).unwrap();
        assert_eq!(both.explicit, Some((EcGridId(5), EcGridId(6))));
        let empty = UploadInput {
            content: Vec::new(),
            ..input(None, None, None)
        };
        assert!(upload_request(empty).unwrap_err().message.contains("empty"));
        assert!(decode_base64("SVNB\n KiAw").is_ok());
        assert!(decode_base64("not base64!").is_err());
    }
}
