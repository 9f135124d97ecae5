//! `/v2/partners/*` (ecgrid-docs `rest-api/partners/`): interconnects between two ECGridIDs
//! (SPEC-VAN 20). `POST /v2/partners` asks for one from the caller's `ecGridIdFrom`; the
//! partner side's request for the same pair accepts it, and `status: "Active"` completes it
//! at once when the caller manages both IDs. `DELETE` cancels (either side). The pages'
//! `status` is the directory's: `Active` is a completed interconnect, `Preproduction` one
//! waiting for the partner, `Terminated` a canceled one; `interconnectStatus` says it as the
//! deployed dialect does.

use axum::extract::State;
use chrono::{DateTime, Utc};
use edigrid_core::Caller;
use edigrid_core::Page;
use edigrid_core::relations::{
    Interconnect, InterconnectNote, InterconnectRequest, InterconnectScope, InterconnectStatus,
};
use edigrid_domain::EcGridId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, StandardErrors, from_core};
use crate::json::JsonBody;
use crate::twin_routes::body_and_query_routes;
use crate::wire::{IdPath, page};

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api.routes(routes!(create_partner))
        .routes(routes!(get_partner, delete_partner))
        .routes(routes!(add_note))
        .routes(routes!(list_notes))
        .routes(routes!(list_partners))
        .routes(routes!(list_partners_query))
        .routes(routes!(count_partners))
        .routes(routes!(count_partners_query))
}

const RENAMES: &[(&str, &str)] = &[
    ("ECGridID1", "ecGridIdFrom"),
    ("ECGridID2", "ecGridIdTo"),
    ("ECGridID", "ecGridId"),
    ("InterconnectID", "interconnectId"),
    ("Note", "note"),
];

fn rest_error(e: edigrid_domain::Error) -> ApiError {
    from_core(e, RENAMES)
}

/// An interconnect as the partners pages show one.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterconnectInfo {
    pub interconnect_id: i32,
    pub unique_id: String,
    /// The requester's ID and the partner's.
    pub ec_grid_id_from: i32,
    pub ec_grid_id_to: i32,
    /// `Active` (completed), `Preproduction` (waiting for the partner) or `Terminated`.
    pub status: String,
    /// As the deployed `StatusInterconnect`: `Pending`, `Completed`, `Canceled`, ...
    pub interconnect_status: String,
    pub reference: String,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub modified: DateTime<Utc>,
    #[serde(serialize_with = "crate::time_format::optional_whole_seconds")]
    pub completed: Option<DateTime<Utc>>,
}

fn page_status(s: InterconnectStatus) -> &'static str {
    match s {
        InterconnectStatus::Completed => "Active",
        InterconnectStatus::Canceled => "Terminated",
        InterconnectStatus::Pending => "Preproduction",
        _ => "Suspended",
    }
}

/// A status filter: the pages' names or the deployed ones.
fn status_filter(raw: Option<&str>) -> Result<Option<InterconnectStatus>, ApiError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let mapped = match raw.to_ascii_lowercase().as_str() {
        "active" => Some(InterconnectStatus::Completed),
        "preproduction" | "development" => Some(InterconnectStatus::Pending),
        "terminated" => Some(InterconnectStatus::Canceled),
        "suspended" => Some(InterconnectStatus::Delayed),
        _ => raw.parse().ok(),
    };
    mapped
        .map(Some)
        .ok_or_else(|| ApiError::invalid(format!("invalid field status: {raw:?} is not a status")))
}

fn info(i: Interconnect) -> InterconnectInfo {
    InterconnectInfo {
        interconnect_id: i.id,
        unique_id: i.unique_id,
        ec_grid_id_from: i.ecgrid_id1.0,
        ec_grid_id_to: i.ecgrid_id2.0,
        status: page_status(i.status).into(),
        interconnect_status: i.status.as_str().into(),
        reference: i.reference1,
        created: i.created,
        modified: i.modified,
        completed: i.completed,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatePartnerBody {
    /// The caller's ID (the requester).
    pub ec_grid_id_from: i32,
    /// The partner's ID.
    pub ec_grid_id_to: i32,
    /// `Active`: complete it at once when the caller also manages `ecGridIdTo`.
    pub status: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
}

/// Asks for an interconnect (or accepts the partner's); answers it.
#[utoipa::path(post, path = "/v2/partners", tag = "partners",
    request_body = CreatePartnerBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<InterconnectInfo>), BodyErrors))]
pub async fn create_partner(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<CreatePartnerBody>,
) -> Result<Data<InterconnectInfo>, ApiError> {
    let preconfirm = status_filter(b.status.as_deref())? == Some(InterconnectStatus::Completed);
    let request = InterconnectRequest {
        ecgrid_id1: EcGridId(b.ec_grid_id_from),
        ecgrid_id2: EcGridId(b.ec_grid_id_to),
        reference: b.reference.unwrap_or_default(),
        preconfirm,
        note: b.note.unwrap_or_default(),
        ..InterconnectRequest::default()
    };
    let made = state
        .core
        .interconnect_add(&caller, request)
        .await
        .map_err(rest_error)?;
    Ok(Data(info(made)))
}

/// One interconnect.
#[utoipa::path(get, path = "/v2/partners/{id}", tag = "partners",
    params(("id" = i32, Path, minimum = 1, description = "InterconnectID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<InterconnectInfo>), StandardErrors))]
pub async fn get_partner(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<InterconnectInfo>, ApiError> {
    let found = state
        .core
        .interconnect_info(&caller, id)
        .await
        .map_err(rest_error)?;
    Ok(Data(info(found)))
}

/// Cancels an interconnect (either side): `true`. Canceled is final.
#[utoipa::path(delete, path = "/v2/partners/{id}", tag = "partners",
    params(("id" = i32, Path, minimum = 1, description = "InterconnectID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn delete_partner(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<bool>, ApiError> {
    state
        .core
        .interconnect_cancel(&caller, id, "")
        .await
        .map_err(rest_error)?;
    Ok(Data(true))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddNoteBody {
    pub interconnect_id: i32,
    pub note: String,
}

/// Adds a note (either side's managers): `true`.
#[utoipa::path(post, path = "/v2/partners/note", tag = "partners",
    request_body = AddNoteBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn add_note(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<AddNoteBody>,
) -> Result<Data<bool>, ApiError> {
    state
        .core
        .interconnect_note_add(&caller, b.interconnect_id, &b.note, None, "")
        .await
        .map_err(rest_error)?;
    Ok(Data(true))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListNotesBody {
    pub interconnect_id: i32,
}

/// A note on an interconnect.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoteInfo {
    pub note_id: i32,
    pub text: String,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub timestamp: DateTime<Utc>,
    pub user_id: i32,
    /// The interconnect's status when it was written (deployed names).
    pub status: String,
    pub attachment_name: String,
}

fn note_info(n: InterconnectNote) -> NoteInfo {
    NoteInfo {
        note_id: n.id,
        text: n.note,
        timestamp: n.at,
        user_id: n.user_id.0,
        status: n.status.as_str().into(),
        attachment_name: n.attachment_name,
    }
}

/// The notes of an interconnect, oldest first.
#[utoipa::path(post, path = "/v2/partners/notelist", tag = "partners",
    request_body = ListNotesBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<NoteInfo>>), BodyErrors))]
pub async fn list_notes(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<ListNotesBody>,
) -> Result<Data<Vec<NoteInfo>>, ApiError> {
    let notes = state
        .core
        .interconnect_notes(&caller, b.interconnect_id)
        .await
        .map_err(rest_error)?;
    Ok(Data(notes.into_iter().map(note_info).collect()))
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListPartnersBody {
    /// The ID whose interconnects are listed (either side).
    pub ec_grid_id: i32,
    pub status: Option<String>,
    pub page_no: Option<i32>,
    pub records_per_page: Option<i32>,
}

fn scope(ec_grid_id: i32, status: Option<&str>) -> Result<InterconnectScope, ApiError> {
    if ec_grid_id <= 0 {
        return Err(ApiError::invalid(
            "invalid field ecGridId: must be a whole number from 1",
        ));
    }
    Ok(InterconnectScope {
        ecgrid_id: Some(EcGridId(ec_grid_id)),
        status: status_filter(status)?,
        ..InterconnectScope::default()
    })
}

async fn list(
    state: &RestState,
    caller: &Caller,
    b: ListPartnersBody,
) -> Result<Data<Vec<InterconnectInfo>>, ApiError> {
    let scope = scope(b.ec_grid_id, b.status.as_deref())?;
    let page = page(b.page_no, b.records_per_page)?;
    let found = state
        .core
        .interconnect_list(caller, scope, page)
        .await
        .map_err(rest_error)?;
    Ok(Data(found.items.into_iter().map(info).collect()))
}

body_and_query_routes! {
    tag = "partners", filters = ListPartnersBody, answer = Vec<InterconnectInfo>, serve = list;
    /// The interconnects of an ID, optionally of one status.
    post "/v2/partners/list" => list_partners;
    /// The migration table's path of `POST /v2/partners/list`, in the query string.
    get "/v2/partners" => list_partners_query;
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CountPartnersBody {
    pub ec_grid_id: i32,
    pub status: Option<String>,
}

async fn count(
    state: &RestState,
    caller: &Caller,
    b: CountPartnersBody,
) -> Result<Data<u64>, ApiError> {
    let scope = scope(b.ec_grid_id, b.status.as_deref())?;
    let found = state
        .core
        .interconnect_list(caller, scope, Page::first(1))
        .await
        .map_err(rest_error)?;
    Ok(Data(found.total))
}

body_and_query_routes! {
    tag = "partners", filters = CountPartnersBody, answer = u64, serve = count;
    /// How many interconnects an ID has, optionally of one status.
    post "/v2/partners/count" => count_partners;
    /// The migration table's path of `POST /v2/partners/count`, in the query string.
    get "/v2/partners/count" => count_partners_query;
}
