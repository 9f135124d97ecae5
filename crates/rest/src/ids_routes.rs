//! `/v2/ids/*` (ecgrid-docs `rest-api/ids/`): trading-partner IDs (ECGridIDs), and the
//! migration table's paths for the same operations. Each handler is a call of the core's
//! directory services, which decide who may do what. X12 IDs are shown padded to 15
//! characters, as upstream does (SPEC-VAN 13); they are stored as given.

use axum::extract::State;
use edigrid_core::{Caller, PartnerAddRequest, PartnerChanges, PartnerFilter, TradingPartner};
use edigrid_domain::{
    EcGridId, MailboxId, NetworkId, PartnerAddress, RoutingGroup, UserId, UserStatus,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, StandardErrors, from_core};
use crate::json::JsonBody;
use crate::networks_routes::delimiters;
use crate::twin_routes::body_and_query_routes;
use crate::wire::{
    EdiStandardName, EmailPayloadName, EmailSystem, EmailSystemName, IdPath, RoutingGroupName,
    StatusName, Wire, changes_then_status, check_standard, filter_id, page, positive, shown_id,
    standard_of,
};

/// A trading-partner ID as the ids pages show one (`ECGridIDInfo`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ECGridIDInfo)]
pub struct EcGridIdInfo {
    pub ec_grid_id: i32,
    pub mailbox_id: i32,
    pub network_id: i32,
    pub qualifier: String,
    /// X12 IDs padded with spaces to 15 characters; others as registered.
    pub id: String,
    pub description: String,
    pub status: StatusName,
    pub routing_group: RoutingGroupName,
    /// X12 for a two-character qualifier with an ID of up to 15 characters, else EDIFACT.
    pub edi_standard: EdiStandardName,
}

impl From<TradingPartner> for EcGridIdInfo {
    fn from(p: TradingPartner) -> Self {
        EcGridIdInfo {
            ec_grid_id: p.ecgrid_id.0,
            mailbox_id: p.mailbox_id.0,
            network_id: p.network_id.0,
            id: shown_id(&p.qualifier, &p.id),
            edi_standard: Wire(standard_of(&p.qualifier, &p.id)),
            qualifier: p.qualifier,
            description: p.description,
            status: Wire(p.status),
            routing_group: Wire(p.routing_group),
        }
    }
}

fn infos(partners: Vec<TradingPartner>) -> Data<Vec<EcGridIdInfo>> {
    Data(partners.into_iter().map(EcGridIdInfo::from).collect())
}

/// One trading-partner ID.
#[utoipa::path(get, path = "/v2/ids/{id}", tag = "ids",
    params(("id" = i32, Path, minimum = 1, description = "ECGridID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<EcGridIdInfo>), StandardErrors))]
pub async fn get_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<EcGridIdInfo>, ApiError> {
    Ok(Data::of(
        state.core.partner_info(&caller, EcGridId(id)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateIdBody {
    #[schema(minimum = 1)]
    pub mailbox_id: i32,
    /// ISA05/07 (two characters, e.g. `01`, `ZZ`) or an EDIFACT qualifier (up to 4, or
    /// empty).
    pub qualifier: String,
    /// Up to 15 characters for X12, 35 for EDIFACT.
    pub id: String,
    pub description: Option<String>,
    /// When given, the pair's own: X12 for a two-character qualifier with an ID of up to 15
    /// characters, else EDIFACT.
    pub edi_standard: Option<EdiStandardName>,
    /// Defaults to `ProductionA`; the NetOps groups are for operators.
    pub routing_group: Option<RoutingGroupName>,
}

/// Registers a qualifier:ID pair for a mailbox (MailboxAdmin of it and above); the pair must
/// not be held by another registration.
#[utoipa::path(post, path = "/v2/ids", tag = "ids", request_body = CreateIdBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<EcGridIdInfo>), BodyErrors))]
pub async fn create_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<CreateIdBody>,
) -> Result<Data<EcGridIdInfo>, ApiError> {
    let mailbox = MailboxId(positive("mailboxId", b.mailbox_id)?);
    let address = PartnerAddress::parse(&b.qualifier, &b.id)?;
    check_standard(b.edi_standard, &address.qualifier, &address.id)?;
    let network = state.core.mailbox_info(&caller, mailbox).await?.network_id;
    let request = PartnerAddRequest {
        network,
        mailbox,
        qualifier: address.qualifier,
        id: address.id,
        description: b.description.unwrap_or_default(),
        routing_group: b.routing_group.map_or(RoutingGroup::ProductionA, |g| g.0),
    };
    Ok(Data::of(state.core.partner_add(&caller, request).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateIdBody {
    pub description: Option<String>,
    /// Applied after the description, as the directory's status change (terminated is
    /// final).
    pub status: Option<StatusName>,
    /// When given, the pair's own (the directory derives it from the pair).
    pub edi_standard: Option<EdiStandardName>,
}

/// Changes an ID's description and status.
#[utoipa::path(put, path = "/v2/ids/{id}", tag = "ids", request_body = UpdateIdBody,
    params(("id" = i32, Path, minimum = 1, description = "ECGridID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<EcGridIdInfo>), BodyErrors))]
pub async fn update_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
    JsonBody(b): JsonBody<UpdateIdBody>,
) -> Result<Data<EcGridIdInfo>, ApiError> {
    let id = EcGridId(id);
    let core = &state.core;
    if b.edi_standard.is_some() {
        let found = core.partner_info(&caller, id).await?;
        check_standard(b.edi_standard, &found.qualifier, &found.id)?;
    }
    let changed = b.description.is_some();
    let changes = PartnerChanges {
        description: b.description,
        ..PartnerChanges::default()
    };
    let update = core.partner_update(&caller, id, changes);
    let set_status = b
        .status
        .map(|Wire(s)| core.partner_set_status(&caller, id, s));
    Ok(Data::of(
        changes_then_status(changed, update, set_status).await?,
    ))
}

/// Terminates an ID: kept, never active again; its pair may be registered anew.
#[utoipa::path(delete, path = "/v2/ids/{id}", tag = "ids",
    params(("id" = i32, Path, minimum = 1, description = "ECGridID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn delete_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<bool>, ApiError> {
    state
        .core
        .partner_set_status(&caller, EcGridId(id), UserStatus::Terminated)
        .await?;
    Ok(Data(true))
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FindIdBody {
    /// Empty: any qualifier.
    pub qualifier: String,
    /// Compared without trailing spaces and case.
    pub id: String,
    /// From 1; 0 or absent: 1.
    #[schema(minimum = 0)]
    #[param(minimum = 0)]
    pub page_no: Option<i32>,
    /// Up to 500; 0 or absent: 25.
    #[schema(minimum = 0, maximum = 500)]
    #[param(minimum = 0, maximum = 500)]
    pub records_per_page: Option<i32>,
}

/// The statuses in which a registration holds its pair: all but terminated.
const HOLDING: [UserStatus; 4] = [
    UserStatus::Development,
    UserStatus::Active,
    UserStatus::Preproduction,
    UserStatus::Suspended,
];

async fn find(
    state: &RestState,
    caller: &Caller,
    b: FindIdBody,
) -> Result<Data<Vec<EcGridIdInfo>>, ApiError> {
    let address = PartnerAddress::parse(&b.qualifier, &b.id)?;
    let filter = PartnerFilter {
        qualifier_key: Some(address.qualifier_key()).filter(|q| !q.is_empty()),
        id_key: Some(address.id_key()),
        statuses: HOLDING.to_vec(),
        ..PartnerFilter::default()
    };
    let page = page(b.page_no, b.records_per_page)?;
    let found = state.core.partner_list(caller, filter, page).await?;
    Ok(infos(found.items))
}

body_and_query_routes! {
    tag = "ids", filters = FindIdBody, answer = Vec<EcGridIdInfo>, serve = find;
    /// The registrations of a qualifier:ID pair the caller may read (all but terminated ones).
    post "/v2/ids/find" => find_id;
    /// The migration table's path of `POST /v2/ids/find`, in the query string.
    get "/v2/ids/find" => find_id_query;
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListIdsBody {
    /// 0 or absent: any the caller may read.
    #[schema(minimum = 0)]
    #[param(minimum = 0)]
    pub mailbox_id: Option<i32>,
    /// 0 or absent: any the caller may read.
    #[schema(minimum = 0)]
    #[param(minimum = 0)]
    pub network_id: Option<i32>,
    /// Absent: every status.
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

async fn list(
    state: &RestState,
    caller: &Caller,
    b: ListIdsBody,
) -> Result<Data<Vec<EcGridIdInfo>>, ApiError> {
    let filter = PartnerFilter {
        network: filter_id("networkId", b.network_id)?.map(NetworkId),
        mailbox: filter_id("mailboxId", b.mailbox_id)?.map(MailboxId),
        statuses: b.status.map(|s| vec![s.0]).unwrap_or_default(),
        ..PartnerFilter::default()
    };
    let page = page(b.page_no, b.records_per_page)?;
    let found = state.core.partner_list(caller, filter, page).await?;
    Ok(infos(found.items))
}

body_and_query_routes! {
    tag = "ids", filters = ListIdsBody, answer = Vec<EcGridIdInfo>, serve = list;
    /// One page of the IDs the caller may read, by ECGridID: a bare array.
    post "/v2/ids/list" => list_ids;
    /// The migration table's path of `POST /v2/ids/list`, its filters in the query string.
    get "/v2/ids" => list_ids_query;
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoveBody {
    #[schema(minimum = 1)]
    pub ec_grid_id: i32,
    #[schema(minimum = 1)]
    pub new_mailbox_id: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoveFields {
    #[schema(minimum = 1)]
    pub new_mailbox_id: i32,
}

async fn move_to(
    state: &RestState,
    caller: &Caller,
    id: i32,
    mailbox: i32,
) -> Result<Data<EcGridIdInfo>, ApiError> {
    let mailbox = MailboxId(positive("newMailboxId", mailbox)?);
    let moved = state
        .core
        .partner_move(caller, EcGridId(id), mailbox)
        .await
        .map_err(|e| from_core(e, &[("MailboxID", "newMailboxId")]))?;
    Ok(Data::of(moved))
}

/// Moves an ID to another mailbox the caller manages the IDs of; it stops being a default.
#[utoipa::path(post, path = "/v2/ids/tp-move", tag = "ids", request_body = MoveBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<EcGridIdInfo>), BodyErrors))]
pub async fn move_tp(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<MoveBody>,
) -> Result<Data<EcGridIdInfo>, ApiError> {
    let id = positive("ecGridId", b.ec_grid_id)?;
    move_to(&state, &caller, id, b.new_mailbox_id).await
}

/// The migration table's path of `POST /v2/ids/tp-move`: the ID is the path's.
#[utoipa::path(post, path = "/v2/ids/{id}/move-tp", tag = "ids", request_body = MoveFields,
    params(("id" = i32, Path, minimum = 1, description = "ECGridID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<EcGridIdInfo>), BodyErrors))]
pub async fn move_tp_by_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
    JsonBody(b): JsonBody<MoveFields>,
) -> Result<Data<EcGridIdInfo>, ApiError> {
    move_to(&state, &caller, id, b.new_mailbox_id).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddVanBody {
    /// An ID of the network the VAN pair is registered for (its mailbox holds it).
    #[schema(minimum = 1)]
    pub ec_grid_id: i32,
    pub van_qualifier: String,
    pub van_id: String,
}

/// Registers a qualifier:ID pair that lives on another network (`TPAddVAN`), held by the
/// mailbox of the given ID; it is reached through an interconnect.
#[utoipa::path(post, path = "/v2/ids/tp-add-van", tag = "ids", request_body = AddVanBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn add_van(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<AddVanBody>,
) -> Result<Data<bool>, ApiError> {
    let id = EcGridId(positive("ecGridId", b.ec_grid_id)?);
    let names = [("Qualifier", "vanQualifier"), ("ID", "vanId")];
    let address =
        PartnerAddress::parse(&b.van_qualifier, &b.van_id).map_err(|e| from_core(e, &names))?;
    let holder = state.core.partner_info(&caller, id).await?;
    let request = PartnerAddRequest {
        network: holder.network_id,
        mailbox: holder.mailbox_id,
        qualifier: address.qualifier,
        id: address.id,
        description: format!("VAN ID of ECGridID {id}"),
        routing_group: holder.routing_group,
    };
    state
        .core
        .partner_add_van(&caller, request)
        .await
        .map_err(|e| from_core(e, &names))?;
    Ok(Data(true))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EcGridIdBody {
    #[schema(minimum = 1)]
    pub ec_grid_id: i32,
}

/// The mailbox that receives for an ID.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailboxDefaultData {
    pub mailbox_id: i32,
    pub network_id: i32,
    pub mailbox_name: String,
    pub status: StatusName,
}

/// The mailbox an ID belongs to: its number, network, name and status.
#[utoipa::path(post, path = "/v2/ids/tp-get-mailbox-default", tag = "ids",
    request_body = EcGridIdBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<MailboxDefaultData>), BodyErrors))]
pub async fn get_mailbox_default(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<EcGridIdBody>,
) -> Result<Data<MailboxDefaultData>, ApiError> {
    let id = EcGridId(positive("ecGridId", b.ec_grid_id)?);
    let partner = state.core.partner_info(&caller, id).await?;
    let mailbox = state.core.mailbox_info(&caller, partner.mailbox_id).await?;
    Ok(Data(MailboxDefaultData {
        mailbox_id: mailbox.id.0,
        network_id: mailbox.network_id.0,
        mailbox_name: mailbox.name,
        status: Wire(mailbox.status),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdConfigBody {
    #[schema(minimum = 1)]
    pub ec_grid_id: i32,
    /// The NetOps groups are for operators.
    pub routing_group: Option<RoutingGroupName>,
    /// Where data for the ID is e-mailed; empty clears it.
    pub data_email: Option<String>,
    /// The user who owns the registration; 0 clears it.
    #[schema(minimum = 0)]
    pub owner_user_id: Option<i32>,
}

/// Changes an ID's routing group, data e-mail address and owner; absent fields stay as
/// they are.
#[utoipa::path(post, path = "/v2/ids/update-config", tag = "ids", request_body = IdConfigBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn update_config(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<IdConfigBody>,
) -> Result<Data<bool>, ApiError> {
    let id = EcGridId(positive("ecGridId", b.ec_grid_id)?);
    let owner = match b.owner_user_id {
        None => None,
        Some(0) => Some(UserId(0)),
        Some(n) => Some(UserId(positive("ownerUserId", n)?)),
    };
    let changes = PartnerChanges {
        routing_group: b.routing_group.map(|g| g.0),
        data_email: b.data_email,
        owner,
        ..PartnerChanges::default()
    };
    state
        .core
        .partner_update(&caller, id, changes)
        .await
        .map_err(|e| from_core(e, &[("DataEMail", "dataEmail"), ("UserID", "ownerUserId")]))?;
    Ok(Data(true))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataEmailBody {
    #[schema(minimum = 1)]
    pub ec_grid_id: i32,
    /// Where data for the ID is e-mailed; empty clears it.
    pub email: String,
    /// `smtp` only: X.400 needs the outside world.
    pub email_system: Option<EmailSystemName>,
    /// Checked and not stored: data e-mail carries the data as an attachment.
    #[allow(dead_code)]
    pub email_payload: Option<EmailPayloadName>,
}

/// Sets the address data for an ID is e-mailed to.
#[utoipa::path(post, path = "/v2/ids/tp-update-data-email", tag = "ids",
    request_body = DataEmailBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn update_data_email(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<DataEmailBody>,
) -> Result<Data<bool>, ApiError> {
    let id = EcGridId(positive("ecGridId", b.ec_grid_id)?);
    if b.email_system == Some(Wire(EmailSystem::X400)) {
        return Err(ApiError::invalid(
            "invalid field emailSystem: X.400 needs the outside world; only smtp is served",
        ));
    }
    let changes = PartnerChanges {
        data_email: Some(b.email),
        ..PartnerChanges::default()
    };
    state.core.partner_update(&caller, id, changes).await?;
    Ok(Data(true))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DescriptionBody {
    #[schema(minimum = 1)]
    pub ec_grid_id: i32,
    pub description: String,
}

/// Sets an ID's description.
#[utoipa::path(post, path = "/v2/ids/tp-update-description", tag = "ids",
    request_body = DescriptionBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn update_description(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<DescriptionBody>,
) -> Result<Data<bool>, ApiError> {
    let id = EcGridId(positive("ecGridId", b.ec_grid_id)?);
    let changes = PartnerChanges {
        description: Some(b.description),
        ..PartnerChanges::default()
    };
    state.core.partner_update(&caller, id, changes).await?;
    Ok(Data(true))
}

/// The three X12 delimiters an ID imposes on what it receives, each one character.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdDelimitersBody {
    #[schema(minimum = 1)]
    pub ec_grid_id: i32,
    #[schema(min_length = 1, max_length = 1)]
    pub element_delimiter: String,
    #[schema(min_length = 1, max_length = 1)]
    pub sub_element_delimiter: String,
    #[schema(min_length = 1, max_length = 1)]
    pub segment_terminator: String,
}

/// Sets the X12 delimiters imposed on what the ID receives (before its mailbox's and its
/// network's).
#[utoipa::path(post, path = "/v2/ids/tp-x12-delimiters", tag = "ids",
    request_body = IdDelimitersBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn x12_delimiters(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<IdDelimitersBody>,
) -> Result<Data<bool>, ApiError> {
    let id = EcGridId(positive("ecGridId", b.ec_grid_id)?);
    let set = delimiters(
        &b.element_delimiter,
        &b.sub_element_delimiter,
        &b.segment_terminator,
    )?;
    state
        .core
        .partner_set_x12_delimiters(&caller, id, set)
        .await?;
    Ok(Data(true))
}
