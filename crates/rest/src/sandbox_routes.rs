//! `/v2/sandbox/*` (SPEC-VAN 21, our own `Sandbox` tag) and `/v2/parcels/send-test-file`: simulated partners and test files.
//!
//! Marking an ID simulated and listing the simulated IDs in reach are edigrid's own routes;
//! `send-test-file` is upstream's (`rest-api/parcels/send-test-file`), answered like an
//! upload with the new outbound parcel's number.

use axum::extract::State;
use chrono::{DateTime, Utc};
use edigrid_core::sandbox::{SimulatedPartner, TestFileRequest, test_standard};
use edigrid_domain::EcGridId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, StandardErrors};
use crate::json::JsonBody;
use crate::parcels_routes::rest_error;
use crate::wire::{IdPath, positive};

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api.routes(routes!(send_test_file))
        .routes(routes!(set_simulated))
        .routes(routes!(list_simulated))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendTestFileBody {
    /// The sender: an ID of a mailbox the caller may upload from.
    #[schema(minimum = 1)]
    pub ec_grid_id_from: i32,
    #[schema(minimum = 1)]
    pub ec_grid_id_to: i32,
    /// `X12` (an 850, also accepted as `850`) or `EDIFACT` (an ORDERS, also `ORDERS`);
    /// absent: `X12`.
    pub document_type: Option<String>,
}

/// Sends a valid test interchange between two IDs, routed like an upload from the sender's
/// mailbox; `data` is the outbound parcel's ParcelID.
#[utoipa::path(post, path = "/v2/parcels/send-test-file", tag = "parcels",
    request_body = SendTestFileBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = ApiResponse<i64>, description = "data is the outbound parcel's ParcelID"),
        BodyErrors))]
pub async fn send_test_file(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<SendTestFileBody>,
) -> Result<Data<i64>, ApiError> {
    let from = positive("ecGridIdFrom", b.ec_grid_id_from)?;
    let to = positive("ecGridIdTo", b.ec_grid_id_to)?;
    let standard = test_standard(b.document_type.as_deref().unwrap_or("X12"), "documentType")
        .map_err(rest_error)?;
    let request = TestFileRequest {
        from: EcGridId(from),
        to: EcGridId(to),
        standard,
    };
    let sent = state
        .core
        .send_test_file(&caller, request)
        .await
        .map_err(rest_error)?;
    Ok(Data(sent.parcel.id.0))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SimulatedBody {
    /// True: the ID answers what it receives (997/999/TA1, CONTRL); false: it stops.
    pub simulated: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SimulatedFlag {
    pub ec_grid_id: i32,
    pub simulated: bool,
}

/// Marks an ID simulated or not; the caller needs write authority over the ID.
#[utoipa::path(put, path = "/v2/sandbox/partners/{ecGridId}", tag = "Sandbox",
    request_body = SimulatedBody,
    params(("ecGridId" = i32, Path, minimum = 1, description = "ECGridID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<SimulatedFlag>), BodyErrors))]
pub async fn set_simulated(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
    JsonBody(b): JsonBody<SimulatedBody>,
) -> Result<Data<SimulatedFlag>, ApiError> {
    state
        .core
        .set_simulated(&caller, EcGridId(id), b.simulated)
        .await
        .map_err(|e| crate::envelope::from_core(e, &[("ECGridID", "ecGridId")]))?;
    Ok(Data(SimulatedFlag {
        ec_grid_id: id,
        simulated: b.simulated,
    }))
}

/// A simulated ID and what it answered.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SimulatedPartnerInfo {
    pub ec_grid_id: i32,
    pub network_id: i32,
    pub mailbox_id: i32,
    pub qualifier: String,
    pub id: String,
    pub description: String,
    /// Parcels it received and answered.
    pub parcels_answered: i64,
    /// Interchanges in them.
    pub interchanges_answered: i64,
    /// Acknowledgment interchanges it sent (997, 999, TA1, CONTRL).
    pub acknowledgments_sent: i64,
    /// The last control number of its own sequence.
    pub last_control_number: i64,
    #[serde(serialize_with = "crate::time_format::optional_whole_seconds")]
    pub last_answered: Option<DateTime<Utc>>,
}

impl From<SimulatedPartner> for SimulatedPartnerInfo {
    fn from(p: SimulatedPartner) -> Self {
        SimulatedPartnerInfo {
            ec_grid_id: p.ecgrid_id.0,
            network_id: p.network_id.0,
            mailbox_id: p.mailbox_id.0,
            qualifier: p.qualifier,
            id: p.id,
            description: p.description,
            parcels_answered: p.counts.parcels,
            interchanges_answered: p.counts.interchanges,
            acknowledgments_sent: p.counts.acknowledgments,
            last_control_number: p.counts.last_control_number,
            last_answered: p.counts.last_answered,
        }
    }
}

/// The simulated IDs in the caller's reach (its mailbox's, its network's, or all for
/// operators), by ECGridID, with what each answered.
#[utoipa::path(get, path = "/v2/sandbox/partners", tag = "Sandbox",
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<SimulatedPartnerInfo>>), StandardErrors))]
pub async fn list_simulated(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
) -> Result<Data<Vec<SimulatedPartnerInfo>>, ApiError> {
    let found = state.core.simulated_partners(&caller).await?;
    Ok(Data(found.into_iter().map(Into::into).collect()))
}
