//! A parcel's lifecycle: download and confirm an inbound parcel, put it back in the inbox,
//! cancel a delivery, or set a status directly.

use axum::extract::State;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use edigrid_core::{Caller, DownloadMode};
use edigrid_domain::ParcelId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{LongIdPath, ParcelIdInfo, ParcelStatusName, positive_long, rest_error};
use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, StandardErrors};
use crate::json::JsonBody;
use crate::wire::Wire;

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
