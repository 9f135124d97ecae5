//! `/v2/networks/*` (ecgrid-docs `rest-api/networks/`), and the migration table's paths for
//! the same operations plus `NetworkAdd` (`POST /v2/networks`). Each handler is a call of
//! the core's directory services, which decide who may do what.

use axum::extract::State;
use chrono::{DateTime, Utc};
use edigrid_core::store::User;
use edigrid_core::{
    Address, AddressChanges, Caller, Network, NetworkChanges, NetworkCreateRequest, NetworkFilter,
};
use edigrid_domain::{MailboxId, NetworkId, X12Delimiters};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, Done, DoneBody, StandardErrors};
use crate::json::JsonBody;
use crate::twin_routes::{body_and_query_routes, body_with_and_without_id};
use crate::wire::{
    ContactTypeName, IdPath, StatusName, Wire, delimiter, filter_id, page, positive,
};

/// A network as the networks pages show one (`NetworkIDInfo`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = NetworkIDInfo)]
pub struct NetworkIdInfo {
    pub network_id: i32,
    pub unique_id: String,
    pub company_name: String,
    pub status: StatusName,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub modified: DateTime<Utc>,
}

impl From<Network> for NetworkIdInfo {
    fn from(n: Network) -> Self {
        NetworkIdInfo {
            network_id: n.id.0,
            unique_id: n.unique_id,
            company_name: n.name,
            status: Wire(n.status),
            created: n.created,
            modified: n.modified,
        }
    }
}

/// One network.
#[utoipa::path(get, path = "/v2/networks/{id}", tag = "networks",
    params(("id" = i32, Path, minimum = 1, description = "NetworkID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<NetworkIdInfo>), StandardErrors))]
pub async fn get_network(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<NetworkIdInfo>, ApiError> {
    Ok(Data::of(
        state.core.network_info(&caller, NetworkId(id)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListNetworksBody {
    /// Only this network; 0 or absent: every network the caller may read.
    #[schema(minimum = 0)]
    #[param(minimum = 0)]
    pub network_id: Option<i32>,
    /// Only the network of this mailbox; 0 or absent: any.
    #[schema(minimum = 0)]
    #[param(minimum = 0)]
    pub mailbox_id: Option<i32>,
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

/// One page of networks, with the number of them all.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPage {
    pub total_records: u64,
    pub page_no: u32,
    pub records_per_page: u32,
    pub networks: Vec<NetworkIdInfo>,
}

async fn list(
    state: &RestState,
    caller: &Caller,
    body: ListNetworksBody,
) -> Result<Data<NetworkPage>, ApiError> {
    let page = page(body.page_no, body.records_per_page)?;
    let mut network = filter_id("networkId", body.network_id)?.map(NetworkId);
    if let Some(mailbox) = filter_id("mailboxId", body.mailbox_id)? {
        let home = state
            .core
            .mailbox_info(caller, MailboxId(mailbox))
            .await?
            .network_id;
        if network.is_some_and(|n| n != home) {
            return Ok(Data(NetworkPage {
                total_records: 0,
                page_no: page.number,
                records_per_page: page.size,
                networks: Vec::new(),
            }));
        }
        network = Some(home);
    }
    let filter = NetworkFilter {
        network,
        status: body.status.map(|s| s.0),
        ..NetworkFilter::default()
    };
    let found = state.core.network_list(caller, filter, page).await?;
    Ok(Data(NetworkPage {
        total_records: found.total,
        page_no: page.number,
        records_per_page: page.size,
        networks: found.items.into_iter().map(NetworkIdInfo::from).collect(),
    }))
}

body_and_query_routes! {
    tag = "networks", filters = ListNetworksBody, answer = NetworkPage, serve = list;
    /// One page of the networks the caller may read, by NetworkID.
    post "/v2/networks/list" => list_networks;
    /// The migration table's path of `POST /v2/networks/list`, its filters in the query string.
    get "/v2/networks" => list_networks_query;
}

body_with_and_without_id! {
    /// A network's record as `PUT /v2/networks` changes it; absent fields stay as they are.
    UpdateNetworkBody { network_id }, NetworkFields {
        company_name: Option<String>,
        address1: Option<String>,
        address2: Option<String>,
        city: Option<String>,
        state: Option<String>,
        zip: Option<String>,
        phone: Option<String>,
        /// The home website.
        website: Option<String>,
    }
}

async fn update(
    state: &RestState,
    caller: &Caller,
    network: i32,
    f: NetworkFields,
) -> Result<Data<NetworkIdInfo>, ApiError> {
    let changes = NetworkChanges {
        name: f.company_name,
        address: AddressChanges {
            address1: f.address1,
            address2: f.address2,
            city: f.city,
            state: f.state,
            zip: f.zip,
            country: None,
        },
        phone: f.phone,
        home_website: f.website,
        ..NetworkChanges::default()
    };
    Ok(Data::of(
        state
            .core
            .network_update(caller, NetworkId(network), changes)
            .await?,
    ))
}

/// Changes a network's name, address, phone and website (NetworkAdmin of it and above; not
/// its status).
#[utoipa::path(put, path = "/v2/networks", tag = "networks", request_body = UpdateNetworkBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<NetworkIdInfo>), BodyErrors))]
pub async fn update_network(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<UpdateNetworkBody>,
) -> Result<Data<NetworkIdInfo>, ApiError> {
    let (network, fields) = b.split();
    update(&state, &caller, positive("networkId", network)?, fields).await
}

/// The migration table's path of `PUT /v2/networks`: the network is the path's, the body
/// the same without `networkId`.
#[utoipa::path(put, path = "/v2/networks/{id}", tag = "networks", request_body = NetworkFields,
    params(("id" = i32, Path, minimum = 1, description = "NetworkID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<NetworkIdInfo>), BodyErrors))]
pub async fn update_network_by_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
    JsonBody(fields): JsonBody<NetworkFields>,
) -> Result<Data<NetworkIdInfo>, ApiError> {
    update(&state, &caller, id, fields).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateNetworkBody {
    /// The operator's number for it; 0 or absent: the next free one.
    #[schema(minimum = 0)]
    pub network_id: Option<i32>,
    pub company_name: String,
    pub unique_id: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub phone: Option<String>,
    pub admin_email: Option<String>,
}

/// Creates a network (Root and TechOps only): the migration table's `NetworkAdd`, which has
/// no endpoint page upstream.
#[utoipa::path(post, path = "/v2/networks", tag = "networks", request_body = CreateNetworkBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<NetworkIdInfo>), BodyErrors))]
pub async fn create_network(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<CreateNetworkBody>,
) -> Result<Data<NetworkIdInfo>, ApiError> {
    let id = filter_id("networkId", b.network_id)?.unwrap_or(0);
    let request = NetworkCreateRequest {
        id: NetworkId(id),
        name: b.company_name,
        unique_id: b.unique_id.unwrap_or_default(),
        location: String::new(),
        address: Address {
            address1: b.address1.unwrap_or_default(),
            address2: b.address2.unwrap_or_default(),
            city: b.city.unwrap_or_default(),
            state: b.state.unwrap_or_default(),
            zip: b.zip.unwrap_or_default(),
            country: String::new(),
        },
        phone: b.phone.unwrap_or_default(),
        admin_email: b.admin_email.unwrap_or_default(),
    };
    Ok(Data::of(state.core.network_create(&caller, request).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GetContactBody {
    #[schema(minimum = 1)]
    pub network_id: i32,
    pub contact_type: ContactTypeName,
}

/// One contact of a network.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactData {
    pub network_id: i32,
    pub contact_type: ContactTypeName,
    /// The contact user's first and last names.
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// The user named as one of a network's seven contacts; `404` naming `contactType` when
/// none is named.
#[utoipa::path(post, path = "/v2/networks/get-contact", tag = "networks",
    request_body = GetContactBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<ContactData>), BodyErrors))]
pub async fn get_contact(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<GetContactBody>,
) -> Result<Data<ContactData>, ApiError> {
    let network = positive("networkId", b.network_id)?;
    let user: User = state
        .core
        .network_get_contact(&caller, NetworkId(network), b.contact_type.0)
        .await?;
    let p = user.person;
    Ok(Data(ContactData {
        network_id: network,
        contact_type: b.contact_type,
        name: format!("{} {}", p.first_name, p.last_name)
            .trim()
            .to_string(),
        email: p.email,
        phone: p.phone,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfigBody {
    #[schema(minimum = 1)]
    pub network_id: i32,
    /// Delete parcel content, network-wide, once its download is confirmed.
    pub delete_on_download: Option<bool>,
}

/// Changes a network's configuration (today: delete-on-download). Without a setting it
/// changes nothing, after checking that the caller may change the network.
#[utoipa::path(post, path = "/v2/networks/update-config", tag = "networks",
    request_body = NetworkConfigBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = DoneBody, description = "data is null; message `Network configuration updated.`"),
        BodyErrors))]
pub async fn update_config(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<NetworkConfigBody>,
) -> Result<Done, ApiError> {
    let network = NetworkId(positive("networkId", b.network_id)?);
    match b.delete_on_download {
        Some(delete) => {
            state
                .core
                .network_set_delete_on_download(&caller, network, delete)
                .await?
        }
        None => {
            state
                .core
                .network_update(&caller, network, NetworkChanges::default())
                .await?
        }
    };
    Ok(Done("Network configuration updated."))
}

/// The three X12 delimiters, each one character.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkDelimitersBody {
    #[schema(minimum = 1)]
    pub network_id: i32,
    #[schema(min_length = 1, max_length = 1)]
    pub element_delimiter: String,
    #[schema(min_length = 1, max_length = 1)]
    pub sub_element_delimiter: String,
    #[schema(min_length = 1, max_length = 1)]
    pub segment_terminator: String,
}

/// The delimiters given as one checked set (distinct, no letters, digits or spaces).
pub fn delimiters(
    element: &str,
    sub_element: &str,
    segment: &str,
) -> Result<X12Delimiters, ApiError> {
    let element = delimiter("elementDelimiter", element)?;
    let sub_element = delimiter("subElementDelimiter", sub_element)?;
    let segment = delimiter("segmentTerminator", segment)?;
    Ok(X12Delimiters::new(segment, element, sub_element)?)
}

/// Sets the X12 delimiters imposed on what the network's mailboxes receive.
#[utoipa::path(post, path = "/v2/networks/x12-delimiters", tag = "networks",
    request_body = NetworkDelimitersBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = DoneBody, description = "data is null; message `X12 delimiters updated.`"),
        BodyErrors))]
pub async fn x12_delimiters(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<NetworkDelimitersBody>,
) -> Result<Done, ApiError> {
    let network = NetworkId(positive("networkId", b.network_id)?);
    let set = delimiters(
        &b.element_delimiter,
        &b.sub_element_delimiter,
        &b.segment_terminator,
    )?;
    state
        .core
        .network_set_x12_delimiters(&caller, network, set)
        .await?;
    Ok(Done("X12 delimiters updated."))
}
