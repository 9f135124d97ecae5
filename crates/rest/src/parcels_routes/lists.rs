//! The parcel lists: a mailbox's inbox and outbox, its parcels ready to download, and its
//! inbound parcels with a mailbag control ID. Each answers a bare array.

use axum::extract::State;
use edigrid_core::{Caller, ParcelQuery, ParcelView};
use edigrid_domain::{Direction, EcGridId, ParcelState};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    ParcelIdInfo, ParcelStatusName, WireTime, date_range, mailbox_scope, non_empty, parcels,
    rest_error,
};
use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data};
use crate::json::JsonBody;
use crate::wire::{filter_id, page};

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
}
