//! `/v2/mailboxes/*` (ecgrid-docs `rest-api/mailboxes/`), and the migration table's paths
//! for the same operations. Each handler is a call of the core's directory services, which
//! decide who may do what.

use axum::extract::State;
use chrono::{DateTime, Utc};
use edigrid_core::{
    AddressChanges, Caller, MAX_INBOX_TIMEOUT_MINUTES, Mailbox, MailboxChanges,
    MailboxCreateRequest, MailboxFilter,
};
use edigrid_domain::{MailboxId, NetworkId, UserStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, Done, DoneBody, StandardErrors};
use crate::json::JsonBody;
use crate::networks_routes::delimiters;
use crate::twin_routes::body_and_query_routes;
use crate::wire::{IdPath, StatusName, UseTypeName, Wire, filter_id, page, positive};

/// A mailbox as the mailboxes pages show one (`MailboxIDInfo`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = MailboxIDInfo)]
pub struct MailboxIdInfo {
    pub mailbox_id: i32,
    pub network_id: i32,
    pub unique_id: String,
    pub company_name: String,
    pub status: StatusName,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub modified: DateTime<Utc>,
}

impl From<Mailbox> for MailboxIdInfo {
    fn from(m: Mailbox) -> Self {
        MailboxIdInfo {
            mailbox_id: m.id.0,
            network_id: m.network_id.0,
            unique_id: m.unique_id,
            company_name: m.name,
            status: Wire(m.status),
            created: m.created,
            modified: m.modified,
        }
    }
}

/// One mailbox.
#[utoipa::path(get, path = "/v2/mailboxes/{id}", tag = "mailboxes",
    params(("id" = i32, Path, minimum = 1, description = "MailboxID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<MailboxIdInfo>), StandardErrors))]
pub async fn get_mailbox(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<MailboxIdInfo>, ApiError> {
    Ok(Data::of(
        state.core.mailbox_info(&caller, MailboxId(id)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListMailboxesBody {
    /// Only this network's; 0 or absent: every mailbox the caller may read.
    #[schema(minimum = 0)]
    #[param(minimum = 0)]
    pub network_id: Option<i32>,
    #[param(inline)]
    pub status: Option<StatusName>,
    /// From 1; 0 or absent: 1.
    #[schema(minimum = 0)]
    #[param(minimum = 0)]
    pub page_no: Option<i32>,
    /// Up to 500; 0 or absent: 25.
    #[schema(minimum = 0, maximum = 500)]
    #[param(minimum = 0, maximum = 500)]
    pub records_per_page: Option<i32>,
}

/// One page of mailboxes, with the number of them all.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailboxPage {
    pub total_records: u64,
    pub page_no: u32,
    pub records_per_page: u32,
    pub mailboxes: Vec<MailboxIdInfo>,
}

async fn list(
    state: &RestState,
    caller: &Caller,
    body: ListMailboxesBody,
) -> Result<Data<MailboxPage>, ApiError> {
    let filter = MailboxFilter {
        network: filter_id("networkId", body.network_id)?.map(NetworkId),
        status: body.status.map(|s| s.0),
        ..MailboxFilter::default()
    };
    let page = page(body.page_no, body.records_per_page)?;
    let found = state.core.mailbox_list(caller, filter, page).await?;
    Ok(Data(MailboxPage {
        total_records: found.total,
        page_no: page.number,
        records_per_page: page.size,
        mailboxes: found.items.into_iter().map(MailboxIdInfo::from).collect(),
    }))
}

body_and_query_routes! {
    tag = "mailboxes", filters = ListMailboxesBody, answer = MailboxPage, serve = list;
    /// One page of the mailboxes the caller may read, by MailboxID.
    post "/v2/mailboxes/list" => list_mailboxes;
    /// The migration table's path of `POST /v2/mailboxes/list`, its filters in the query
    /// string.
    get "/v2/mailboxes" => list_mailboxes_query;
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateMailboxBody {
    #[schema(minimum = 1)]
    pub network_id: i32,
    /// 1 to 12 letters or digits, unique in the network (compared case-insensitively).
    #[schema(min_length = 1, max_length = 12, pattern = "^[A-Za-z0-9]+$")]
    pub unique_id: String,
    pub company_name: String,
}

async fn create(
    state: &RestState,
    caller: &Caller,
    b: CreateMailboxBody,
) -> Result<Data<MailboxIdInfo>, ApiError> {
    let network = positive("networkId", b.network_id)?;
    let n = b.unique_id.chars().count();
    if !(1..=12).contains(&n) || !b.unique_id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::invalid(
            "invalid field uniqueId: must be 1 to 12 letters or digits",
        ));
    }
    let request = MailboxCreateRequest {
        network: NetworkId(network),
        name: b.company_name,
        unique_id: b.unique_id,
        ..MailboxCreateRequest::default()
    };
    Ok(Data::of(state.core.mailbox_create(caller, request).await?))
}

/// Creates a mailbox in a network (NetworkAdmin of it and above).
#[utoipa::path(post, path = "/v2/mailboxes/create", tag = "mailboxes",
    request_body = CreateMailboxBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<MailboxIdInfo>), BodyErrors))]
pub async fn create_mailbox(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(body): JsonBody<CreateMailboxBody>,
) -> Result<Data<MailboxIdInfo>, ApiError> {
    create(&state, &caller, body).await
}

/// The migration table's path of `POST /v2/mailboxes/create`.
#[utoipa::path(post, path = "/v2/mailboxes", tag = "mailboxes",
    request_body = CreateMailboxBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<MailboxIdInfo>), BodyErrors))]
pub async fn create_mailbox_alias(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(body): JsonBody<CreateMailboxBody>,
) -> Result<Data<MailboxIdInfo>, ApiError> {
    create(&state, &caller, body).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMailboxBody {
    #[schema(minimum = 1)]
    pub mailbox_id: i32,
    pub company_name: Option<String>,
    pub description: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub phone: Option<String>,
    pub admin_email: Option<String>,
}

/// Changes a mailbox's name, description, address and contact details (MailboxAdmin of it
/// and above); absent fields stay as they are.
#[utoipa::path(post, path = "/v2/mailboxes/update", tag = "mailboxes",
    request_body = UpdateMailboxBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<MailboxIdInfo>), BodyErrors))]
pub async fn update_mailbox(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<UpdateMailboxBody>,
) -> Result<Data<MailboxIdInfo>, ApiError> {
    let mailbox = positive("mailboxId", b.mailbox_id)?;
    let changes = MailboxChanges {
        name: b.company_name,
        description: b.description,
        address: AddressChanges {
            address1: b.address1,
            address2: b.address2,
            city: b.city,
            state: b.state,
            zip: b.zip,
            country: None,
        },
        phone: b.phone,
        admin_email: b.admin_email,
        ..MailboxChanges::default()
    };
    Ok(Data::of(
        state
            .core
            .mailbox_update(&caller, MailboxId(mailbox), changes)
            .await?,
    ))
}

/// Terminates a mailbox and its trading-partner IDs (NetworkAdmin of its network and
/// above): kept, never active again.
#[utoipa::path(delete, path = "/v2/mailboxes/{id}", tag = "mailboxes",
    params(("id" = i32, Path, minimum = 1, description = "MailboxID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = DoneBody, description = "data is null; message `Mailbox terminated.`"),
        StandardErrors))]
pub async fn delete_mailbox(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Done, ApiError> {
    state
        .core
        .mailbox_set_status(&caller, MailboxId(id), UserStatus::Terminated)
        .await?;
    Ok(Done("Mailbox terminated."))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailboxConfigBody {
    #[schema(minimum = 1)]
    pub mailbox_id: i32,
    /// Minutes a downloaded, unconfirmed parcel waits before it is ready again; 0: never.
    #[schema(minimum = 0, maximum = 32767)]
    pub in_box_timeout: Option<i32>,
    /// Delete parcel content once its download is confirmed.
    pub delete_on_download: Option<bool>,
    pub ebcdic_filter: Option<i16>,
    pub ftp_ascii_filter: Option<bool>,
    pub low_pass_filter: Option<bool>,
    pub mailbag_pass_through: Option<bool>,
    pub strip_directed_envelope: Option<bool>,
    pub notify_email: Option<String>,
    pub notify_on_inbox: Option<bool>,
    pub managed: Option<bool>,
    pub use_type: Option<UseTypeName>,
    pub default_as2_id: Option<String>,
}

/// Changes a mailbox's configuration (MailboxAdmin of it and above); absent fields stay as
/// they are.
#[utoipa::path(post, path = "/v2/mailboxes/update-config", tag = "mailboxes",
    request_body = MailboxConfigBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = DoneBody, description = "data is null; message `Mailbox configuration updated.`"),
        BodyErrors))]
pub async fn update_config(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<MailboxConfigBody>,
) -> Result<Done, ApiError> {
    let mailbox = positive("mailboxId", b.mailbox_id)?;
    if let Some(minutes) = b.in_box_timeout
        && !(0..=MAX_INBOX_TIMEOUT_MINUTES).contains(&minutes)
    {
        return Err(ApiError::invalid(format!(
            "invalid field inBoxTimeout: must be between 0 (never) and {MAX_INBOX_TIMEOUT_MINUTES} minutes"
        )));
    }
    let changes = MailboxChanges {
        inbox_timeout_minutes: b.in_box_timeout,
        delete_on_download: b.delete_on_download,
        ebcdic_filter: b.ebcdic_filter,
        ftp_ascii_filter: b.ftp_ascii_filter,
        low_pass_filter: b.low_pass_filter,
        mailbag_pass_through: b.mailbag_pass_through,
        strip_directed_envelope: b.strip_directed_envelope,
        notify_email: b.notify_email,
        notify_on_inbox: b.notify_on_inbox,
        managed: b.managed,
        use_type: b.use_type.map(|u| u.0),
        default_as2_id: b.default_as2_id,
        ..MailboxChanges::default()
    };
    state
        .core
        .mailbox_update(&caller, MailboxId(mailbox), changes)
        .await?;
    Ok(Done("Mailbox configuration updated."))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailboxDelimitersBody {
    #[schema(minimum = 1)]
    pub mailbox_id: i32,
    #[schema(min_length = 1, max_length = 1)]
    pub element_delimiter: String,
    #[schema(min_length = 1, max_length = 1)]
    pub sub_element_delimiter: String,
    #[schema(min_length = 1, max_length = 1)]
    pub segment_terminator: String,
}

/// Sets the X12 delimiters imposed on what the mailbox receives (instead of its
/// network's).
#[utoipa::path(post, path = "/v2/mailboxes/x12-delimiters", tag = "mailboxes",
    request_body = MailboxDelimitersBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = DoneBody, description = "data is null; message `X12 delimiters updated.`"),
        BodyErrors))]
pub async fn x12_delimiters(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<MailboxDelimitersBody>,
) -> Result<Done, ApiError> {
    let mailbox = positive("mailboxId", b.mailbox_id)?;
    let set = delimiters(
        &b.element_delimiter,
        &b.sub_element_delimiter,
        &b.segment_terminator,
    )?;
    let changes = MailboxChanges {
        x12: Some(set),
        ..MailboxChanges::default()
    };
    state
        .core
        .mailbox_update(&caller, MailboxId(mailbox), changes)
        .await?;
    Ok(Done("X12 delimiters updated."))
}
