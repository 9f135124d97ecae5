//! A parcel's record: reading it, its manifest of interchanges, a note on it, and its
//! mailbag control ID.

use axum::extract::State;
use edigrid_core::DownloadMode;
use edigrid_core::parcels::model::Interchange;
use edigrid_domain::ParcelId;
use edigrid_edi::read_parcel;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    InterchangeStatusName, LongIdPath, ParcelIdInfo, StandardName, non_empty, positive_long,
    rest_error,
};
use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, StandardErrors};
use crate::interchanges_routes::field_text;
use crate::json::JsonBody;
use crate::wire::Wire;

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
