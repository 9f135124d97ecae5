//! `/v2/carboncopies/*` (ecgrid-docs `rest-api/carbon-copies/`): carbon-copy rules
//! (SPEC-VAN 20). The pages' rules copy one mailbox's traffic (`InBox`, `OutBox`, or both:
//! `NoDir`) unchanged into another mailbox; a body naming ECGridIDs (`ecGridIdFrom`, ...) makes
//! a rule as the deployed `CarbonCopyAdd` does. `DELETE` terminates a rule (nothing in the
//! directory is deleted); `update` changes its status.

use axum::extract::State;
use chrono::{DateTime, Utc};
use edigrid_core::relations::{CarbonCopy, CarbonCopyFilter, CarbonCopyRequest, CarbonCopyScope};
use edigrid_domain::{Direction, EcGridId, MailboxId, UserStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, StandardErrors, from_core};
use crate::json::JsonBody;
use crate::wire::{IdPath, page};

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api.routes(routes!(create_carbon_copy))
        .routes(routes!(get_carbon_copy, delete_carbon_copy))
        .routes(routes!(list_carbon_copies))
        .routes(routes!(update_carbon_copy))
}

const RENAMES: &[(&str, &str)] = &[
    ("FromMailboxID", "fromMailboxId"),
    ("ToMailboxID", "toMailboxId"),
    ("CarbonCopyID", "ccId"),
    ("ECGridIDFrom", "ecGridIdFrom"),
    ("ECGridIDTo", "ecGridIdTo"),
    ("ECGridIDCCFrom", "ecGridIdCcFrom"),
    ("ECGridIDCCTo", "ecGridIdCcTo"),
    ("TransactionSet", "transactionSet"),
    ("GSFrom", "gsFrom"),
    ("GSTo", "gsTo"),
];

fn rest_error(e: edigrid_domain::Error) -> ApiError {
    from_core(e, RENAMES)
}

/// A carbon-copy rule as the pages show one, with the ECGridIDs and filters of a rule made
/// from IDs (0 and empty otherwise).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CarbonCopyInfo {
    pub cc_id: i32,
    /// The watched mailbox.
    pub from_mailbox_id: i32,
    /// Where copies go.
    pub to_mailbox_id: i32,
    /// `Active`, `Suspended` or `Terminated`.
    pub status: String,
    /// `InBox`, `OutBox` or `NoDir` (both).
    pub direction: String,
    pub ec_grid_id_from: i32,
    pub ec_grid_id_to: i32,
    pub ec_grid_id_cc_from: i32,
    pub ec_grid_id_cc_to: i32,
    pub gs_from: String,
    pub gs_to: String,
    pub transaction_set: String,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub modified: DateTime<Utc>,
}

fn info(r: CarbonCopy) -> CarbonCopyInfo {
    CarbonCopyInfo {
        cc_id: r.id,
        from_mailbox_id: r.mailbox_id.0,
        to_mailbox_id: r.cc_mailbox_id.0,
        status: r.status.as_str().into(),
        direction: r.direction.as_str().into(),
        ec_grid_id_from: r.ecgrid_from.0,
        ec_grid_id_to: r.ecgrid_to.0,
        ec_grid_id_cc_from: r.cc_from.0,
        ec_grid_id_cc_to: r.cc_to.0,
        gs_from: r.gs_from,
        gs_to: r.gs_to,
        transaction_set: r.transaction_set,
        created: r.created,
        modified: r.modified,
    }
}

fn direction(raw: Option<&str>) -> Result<Option<Direction>, ApiError> {
    raw.map(|d| {
        d.parse().map_err(|_| {
            ApiError::invalid(format!(
                "invalid field direction: {d:?} is not InBox, OutBox or NoDir"
            ))
        })
    })
    .transpose()
}

fn status(raw: Option<&str>) -> Result<Option<UserStatus>, ApiError> {
    raw.map(|s| {
        s.parse()
            .map_err(|_| ApiError::invalid(format!("invalid field status: {s:?} is not a status")))
    })
    .transpose()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateCarbonCopyBody {
    /// The mailbox whose traffic is copied (a mailbox rule).
    pub from_mailbox_id: Option<i32>,
    /// The mailbox copies go to (a mailbox rule).
    pub to_mailbox_id: Option<i32>,
    /// `InBox`, `OutBox` or `NoDir` (both; the default).
    pub direction: Option<String>,
    /// A rule made from IDs instead: traffic from this ID (to `ecGridIdTo`, 0 = any) ...
    pub ec_grid_id_from: Option<i32>,
    pub ec_grid_id_to: Option<i32>,
    /// ... copied as sent from `ecGridIdCcFrom` to `ecGridIdCcTo`, into the latter's mailbox.
    pub ec_grid_id_cc_from: Option<i32>,
    pub ec_grid_id_cc_to: Option<i32>,
    pub gs_from: Option<String>,
    pub gs_to: Option<String>,
    pub transaction_set: Option<String>,
}

/// Creates a rule; answers it.
#[utoipa::path(post, path = "/v2/carboncopies/create", tag = "carboncopies",
    request_body = CreateCarbonCopyBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<CarbonCopyInfo>), BodyErrors))]
pub async fn create_carbon_copy(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<CreateCarbonCopyBody>,
) -> Result<Data<CarbonCopyInfo>, ApiError> {
    let scope = match (b.ec_grid_id_from, b.from_mailbox_id) {
        (Some(from), None) => CarbonCopyScope::Pair {
            from: EcGridId(from),
            to: EcGridId(b.ec_grid_id_to.unwrap_or(0)),
            cc_from: EcGridId(b.ec_grid_id_cc_from.unwrap_or(0)),
            cc_to: EcGridId(b.ec_grid_id_cc_to.unwrap_or(0)),
            gs_from: b.gs_from.unwrap_or_default(),
            gs_to: b.gs_to.unwrap_or_default(),
            transaction_set: b.transaction_set.unwrap_or_default(),
        },
        (None, Some(from)) => {
            let Some(to) = b.to_mailbox_id else {
                return Err(ApiError::invalid("invalid field toMailboxId: is required"));
            };
            CarbonCopyScope::Mailbox {
                from: MailboxId(from),
                to: MailboxId(to),
                direction: direction(b.direction.as_deref())?.unwrap_or(Direction::NoDir),
            }
        }
        _ => {
            return Err(ApiError::invalid(
                "invalid field fromMailboxId: name either fromMailboxId (with toMailboxId) or ecGridIdFrom",
            ));
        }
    };
    let request = CarbonCopyRequest {
        scope,
        network: None,
        mailbox: None,
    };
    let rule = state
        .core
        .carbon_copy_add(&caller, request)
        .await
        .map_err(rest_error)?;
    Ok(Data(info(rule)))
}

/// One rule.
#[utoipa::path(get, path = "/v2/carboncopies/{id}", tag = "carboncopies",
    params(("id" = i32, Path, minimum = 1, description = "CarbonCopyID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<CarbonCopyInfo>), StandardErrors))]
pub async fn get_carbon_copy(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<CarbonCopyInfo>, ApiError> {
    let rule = state
        .core
        .carbon_copy_info(&caller, id)
        .await
        .map_err(rest_error)?;
    Ok(Data(info(rule)))
}

/// Terminates a rule (kept, never copies again): `true`.
#[utoipa::path(delete, path = "/v2/carboncopies/{id}", tag = "carboncopies",
    params(("id" = i32, Path, minimum = 1, description = "CarbonCopyID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn delete_carbon_copy(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<bool>, ApiError> {
    state
        .core
        .carbon_copy_set_status(&caller, id, UserStatus::Terminated)
        .await
        .map_err(rest_error)?;
    Ok(Data(true))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListCarbonCopiesBody {
    /// Rules watching or copying into this mailbox; 0 or absent: any the caller reads.
    pub mailbox_id: Option<i32>,
    pub status: Option<String>,
    /// From 1; 0 or absent: 1.
    #[schema(minimum = 0)]
    pub page_no: Option<i32>,
    /// Up to 500; 0 or absent: 25.
    #[schema(minimum = 0, maximum = 500)]
    pub records_per_page: Option<i32>,
}

/// One page of carbon-copy rules, with the number of them all (SPEC-VAN 19).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CarbonCopyPage {
    pub total_records: u64,
    pub page_no: u32,
    pub records_per_page: u32,
    pub carbon_copies: Vec<CarbonCopyInfo>,
}

/// One page of the rules in the caller's reach, oldest first.
#[utoipa::path(post, path = "/v2/carboncopies/list", tag = "carboncopies",
    request_body = ListCarbonCopiesBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<CarbonCopyPage>), BodyErrors))]
pub async fn list_carbon_copies(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<ListCarbonCopiesBody>,
) -> Result<Data<CarbonCopyPage>, ApiError> {
    let filter = CarbonCopyFilter {
        mailbox: b.mailbox_id.filter(|m| *m != 0).map(MailboxId),
        statuses: status(b.status.as_deref())?.into_iter().collect(),
        ..CarbonCopyFilter::default()
    };
    let page = page(b.page_no, b.records_per_page)?;
    let found = state
        .core
        .carbon_copy_list(&caller, filter, page)
        .await
        .map_err(rest_error)?;
    Ok(Data(CarbonCopyPage {
        total_records: found.total,
        page_no: page.number,
        records_per_page: page.size,
        carbon_copies: found.items.into_iter().map(info).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCarbonCopyBody {
    pub cc_id: i32,
    /// `Active`, `Suspended` or `Terminated`.
    pub status: Option<String>,
    /// A rule's direction is set when it is made: only its own value is accepted here.
    pub direction: Option<String>,
}

/// Changes a rule's status; answers the rule.
#[utoipa::path(put, path = "/v2/carboncopies/update", tag = "carboncopies",
    request_body = UpdateCarbonCopyBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<CarbonCopyInfo>), BodyErrors))]
pub async fn update_carbon_copy(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<UpdateCarbonCopyBody>,
) -> Result<Data<CarbonCopyInfo>, ApiError> {
    let current = state
        .core
        .carbon_copy_info(&caller, b.cc_id)
        .await
        .map_err(rest_error)?;
    if let Some(d) = direction(b.direction.as_deref())?
        && d != current.direction
    {
        return Err(ApiError::invalid(
            "invalid field direction: a rule's direction cannot change; terminate it and create another",
        ));
    }
    let rule = match status(b.status.as_deref())? {
        Some(to) if to != current.status => state
            .core
            .carbon_copy_set_status(&caller, b.cc_id, to)
            .await
            .map_err(rest_error)?,
        _ => current,
    };
    Ok(Data(info(rule)))
}
