//! `/v2/users/*` (ecgrid-docs `rest-api/users/`): the caller, users of the directory, their
//! level, home, status and passwords, resets and API keys; and the migration table's paths
//! for the same operations. Each handler is a call of the core's directory services, which
//! decide who may do what.

use axum::extract::State;
use chrono::{DateTime, Utc};
use edigrid_core::store::{Person, User};
use edigrid_core::{UserChanges, UserCreateRequest, UserFilter, generate_password};
use edigrid_domain::{
    AuthLevel, CellCarrier, MAX_TEXT_LEN, MailboxId, NetworkId, UserId, UserStatus,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, ErrorBody, StandardErrors};
use crate::json::JsonBody;
use crate::twin_routes::{body_and_query_routes, body_with_and_without_id};
use crate::wire::{
    AuthLevelName, CellCarrierName, IdPath, StatusName, Wire, changes_then_status, filter_id, page,
    positive,
};

/// The caller as `/v2/users/me` shows it (WhoAmI, plus status and creation).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserData {
    pub user_id: i32,
    pub login: String,
    pub network_id: i32,
    pub mailbox_id: i32,
    #[schema(value_type = String, example = "MailboxAdmin")]
    pub auth_level: AuthLevel,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub email: String,
    #[schema(value_type = String, example = "Active")]
    pub status: UserStatus,
    #[serde(serialize_with = "crate::time_format::optional_whole_seconds")]
    pub last_login: Option<DateTime<Utc>>,
    pub open_sessions: u64,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
}

/// A user as the users pages show one (`UserIDInfo`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = UserIDInfo)]
pub struct UserIdInfo {
    pub user_id: i32,
    pub login: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub network_id: i32,
    pub mailbox_id: i32,
    pub auth_level: AuthLevelName,
    pub status: StatusName,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
}

impl From<User> for UserIdInfo {
    fn from(u: User) -> Self {
        UserIdInfo {
            user_id: u.id.0,
            login: u.login,
            email: u.person.email,
            first_name: u.person.first_name,
            last_name: u.person.last_name,
            network_id: u.network_id.0,
            mailbox_id: u.mailbox_id.0,
            auth_level: Wire(u.auth_level),
            status: Wire(u.status),
            created: u.created,
        }
    }
}

/// The caller's user.
#[utoipa::path(get, path = "/v2/users/me", tag = "users",
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = ApiResponse<UserData>),
        (status = 401, body = ErrorBody), (status = 500, body = ErrorBody)))]
pub async fn me(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
) -> Result<Data<UserData>, ApiError> {
    let me = state.core.who_am_i(&caller).await?;
    let u = me.user;
    Ok(Data(UserData {
        user_id: u.id.0,
        login: u.login,
        network_id: u.network_id.0,
        mailbox_id: u.mailbox_id.0,
        auth_level: u.auth_level,
        first_name: u.person.first_name,
        last_name: u.person.last_name,
        company: u.person.company,
        email: u.person.email,
        status: u.status,
        last_login: u.last_login,
        open_sessions: me.open_sessions,
        created: u.created,
    }))
}

/// One user.
#[utoipa::path(get, path = "/v2/users/{id}", tag = "users",
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<UserIdInfo>), StandardErrors))]
pub async fn get_user(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<UserIdInfo>, ApiError> {
    Ok(Data::of(state.core.user_info(&caller, UserId(id)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateUserBody {
    /// Unique in the service (compared case-insensitively).
    pub login: String,
    /// At least 8 characters with a lower-case letter, an upper-case letter, a digit and
    /// another character.
    pub password: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Defaults to the caller's network.
    #[schema(minimum = 0)]
    pub network_id: Option<i32>,
    /// Defaults to the caller's mailbox.
    #[schema(minimum = 0)]
    pub mailbox_id: Option<i32>,
    /// Defaults to `MailboxUser`; at most the caller's own level.
    pub auth_level: Option<AuthLevelName>,
}

/// Creates a user in a mailbox the caller administers, at most at the caller's own level.
#[utoipa::path(post, path = "/v2/users", tag = "users", request_body = CreateUserBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<UserIdInfo>), BodyErrors))]
pub async fn create_user(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(body): JsonBody<CreateUserBody>,
) -> Result<Data<UserIdInfo>, ApiError> {
    if body.email.trim().is_empty() {
        return Err(ApiError::invalid(
            "invalid field email: give the user's e-mail address",
        ));
    }
    let home = caller.summary();
    let network = filter_id("networkId", body.network_id)?.map_or(home.network_id, NetworkId);
    let mailbox = filter_id("mailboxId", body.mailbox_id)?.map_or(home.mailbox_id, MailboxId);
    let request = UserCreateRequest {
        network,
        mailbox,
        login: body.login,
        password: body.password,
        person: Person {
            first_name: body.first_name.unwrap_or_default(),
            last_name: body.last_name.unwrap_or_default(),
            email: body.email,
            cell_carrier: CellCarrier::Undefined,
            ..Person::default()
        },
        recovery_answer: String::new(),
        auth_level: body.auth_level.map_or(AuthLevel::MailboxUser, |l| l.0),
    };
    Ok(Data::of(state.core.user_create(&caller, request).await?))
}

body_with_and_without_id! {
    /// The fields of an update, with or without the user's number in the body.
    UpdateUserBody { user_id }, UpdateUserFields {
        email: Option<String>,
        first_name: Option<String>,
        last_name: Option<String>,
        /// Not on the upstream page, whose "suspend" says to use this endpoint with a status:
        /// given, it is applied after the profile, as the status change of the directory
        /// (suspending or terminating ends the user's sessions; terminated is final).
        status: Option<StatusName>,
    }
}

async fn update(
    state: &RestState,
    caller: &edigrid_core::Caller,
    user: i32,
    fields: UpdateUserFields,
) -> Result<Data<UserIdInfo>, ApiError> {
    let user = UserId(user);
    let changes = UserChanges {
        first_name: fields.first_name,
        last_name: fields.last_name,
        email: fields.email,
        ..UserChanges::default()
    };
    let changed =
        changes.first_name.is_some() || changes.last_name.is_some() || changes.email.is_some();
    let update = state.core.user_update(caller, user, changes);
    let set_status = fields
        .status
        .map(|Wire(s)| state.core.user_set_status(caller, user, s));
    Ok(Data::of(
        changes_then_status(changed, update, set_status).await?,
    ))
}

/// Changes a user's e-mail address and names; with `status`, also their status (the
/// upstream docs' way to suspend a user: this server applies it through the directory's
/// status change, after the profile).
#[utoipa::path(put, path = "/v2/users", tag = "users", request_body = UpdateUserBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<UserIdInfo>), BodyErrors))]
pub async fn update_user(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(body): JsonBody<UpdateUserBody>,
) -> Result<Data<UserIdInfo>, ApiError> {
    let (user, fields) = body.split();
    update(&state, &caller, positive("userId", user)?, fields).await
}

/// The migration table's path of `PUT /v2/users`: the user is the path's, the body the same
/// without `userId`.
#[utoipa::path(put, path = "/v2/users/{id}", tag = "users", request_body = UpdateUserFields,
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<UserIdInfo>), BodyErrors))]
pub async fn update_user_by_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
    JsonBody(fields): JsonBody<UpdateUserFields>,
) -> Result<Data<UserIdInfo>, ApiError> {
    update(&state, &caller, id, fields).await
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListUsersBody {
    /// 0 or absent: any the caller may read.
    #[schema(minimum = 0)]
    #[param(minimum = 0)]
    pub network_id: Option<i32>,
    /// 0 or absent: any the caller may read.
    #[schema(minimum = 0)]
    #[param(minimum = 0)]
    pub mailbox_id: Option<i32>,
    #[param(inline)]
    pub auth_level: Option<AuthLevelName>,
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
    caller: &edigrid_core::Caller,
    body: ListUsersBody,
) -> Result<Data<Vec<UserIdInfo>>, ApiError> {
    let filter = UserFilter {
        network: filter_id("networkId", body.network_id)?.map(NetworkId),
        mailbox: filter_id("mailboxId", body.mailbox_id)?.map(MailboxId),
        auth_level: body.auth_level.map(|l| l.0),
        status: body.status.map(|s| s.0),
        ..UserFilter::default()
    };
    let page = page(body.page_no, body.records_per_page)?;
    let found = state.core.user_list(caller, filter, page).await?;
    Ok(Data(
        found.items.into_iter().map(UserIdInfo::from).collect(),
    ))
}

body_and_query_routes! {
    tag = "users", filters = ListUsersBody, answer = Vec<UserIdInfo>, serve = list;
    /// One page of the users the caller may read, by UserID: a bare array.
    post "/v2/users/list" => list_users;
    /// The migration table's path of `POST /v2/users/list`, its filters in the query string.
    get "/v2/users" => list_users_query;
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ByNameBody {
    pub login: String,
}

/// The user of a login name (unique in the service, matched case-insensitively), as an
/// array of one.
#[utoipa::path(post, path = "/v2/users/by-name", tag = "users", request_body = ByNameBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<UserIdInfo>>), BodyErrors))]
pub async fn by_name(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(body): JsonBody<ByNameBody>,
) -> Result<Data<Vec<UserIdInfo>>, ApiError> {
    let found = state
        .core
        .user_info_by_login(&caller, &body.login)
        .await
        .map_err(|e| crate::envelope::from_core(e, &[("LoginName", "login")]))?;
    Ok(Data(vec![found.into()]))
}

body_with_and_without_id! {
    /// A role, with or without the user's number in the body.
    RoleBody { user_id }, RoleFields {
        /// At most the caller's own level.
        auth_level: AuthLevelName,
        /// With `mailboxId`, moves the user there too (as set-network-mailbox); alone, it must
        /// be the user's network.
        #[schema(minimum = 0)]
        network_id: Option<i32>,
        /// Moves the user to this mailbox too (as set-network-mailbox).
        #[schema(minimum = 0)]
        mailbox_id: Option<i32>,
    }
}

async fn set_role(
    state: &RestState,
    caller: &edigrid_core::Caller,
    user: i32,
    fields: RoleFields,
) -> Result<Data<UserIdInfo>, ApiError> {
    let network = filter_id("networkId", fields.network_id)?;
    let mailbox = filter_id("mailboxId", fields.mailbox_id)?;
    let user = UserId(user);
    let raised = state
        .core
        .user_set_auth_level(caller, user, fields.auth_level.0)
        .await?;
    match (network, mailbox) {
        (_, Some(mailbox)) => move_user(state, caller, user, network, mailbox).await,
        (Some(network), None) if network != raised.network_id.0 => Err(ApiError::invalid(format!(
            "invalid field mailboxId: user {user} is in network {}; give the mailbox of network {network} to move them",
            raised.network_id
        ))),
        _ => Ok(Data::of(raised)),
    }
}

/// Sets a user's AuthLevel (at most the caller's own); `networkId` and `mailboxId` move the
/// user as set-network-mailbox does.
#[utoipa::path(post, path = "/v2/users/role", tag = "users", request_body = RoleBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<UserIdInfo>), BodyErrors))]
pub async fn role(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(body): JsonBody<RoleBody>,
) -> Result<Data<UserIdInfo>, ApiError> {
    let (user, fields) = body.split();
    set_role(&state, &caller, positive("userId", user)?, fields).await
}

/// The migration table's path of `POST /v2/users/role`: the user is the path's.
#[utoipa::path(post, path = "/v2/users/{id}/set-role", tag = "users", request_body = RoleFields,
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<UserIdInfo>), BodyErrors))]
pub async fn role_by_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
    JsonBody(fields): JsonBody<RoleFields>,
) -> Result<Data<UserIdInfo>, ApiError> {
    set_role(&state, &caller, id, fields).await
}

/// Moves a user to `mailbox`, of `network` if given, else of the mailbox's own network.
async fn move_user(
    state: &RestState,
    caller: &edigrid_core::Caller,
    user: UserId,
    network: Option<i32>,
    mailbox: i32,
) -> Result<Data<UserIdInfo>, ApiError> {
    let mailbox = MailboxId(mailbox);
    let network = match network {
        Some(n) => NetworkId(n),
        None => state.core.mailbox_info(caller, mailbox).await?.network_id,
    };
    Ok(Data::of(
        state
            .core
            .user_set_network_mailbox(caller, user, network, mailbox)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkMailboxBody {
    #[schema(minimum = 1)]
    pub user_id: i32,
    /// The mailbox's network; absent or 0: the network the mailbox is in.
    #[schema(minimum = 0)]
    pub network_id: Option<i32>,
    /// Where the user moves to (needed: every user has a mailbox).
    #[schema(minimum = 0)]
    pub mailbox_id: Option<i32>,
}

/// Moves a user to another mailbox (and so network) the caller administers.
#[utoipa::path(post, path = "/v2/users/set-network-mailbox", tag = "users",
    request_body = NetworkMailboxBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<UserIdInfo>), BodyErrors))]
pub async fn set_network_mailbox(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(body): JsonBody<NetworkMailboxBody>,
) -> Result<Data<UserIdInfo>, ApiError> {
    let user = positive("userId", body.user_id)?;
    let network = filter_id("networkId", body.network_id)?;
    let Some(mailbox) = filter_id("mailboxId", body.mailbox_id)? else {
        return Err(ApiError::invalid(
            "invalid field mailboxId: give the mailbox to move the user to",
        ));
    };
    move_user(&state, &caller, UserId(user), network, mailbox).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetPasswordBody {
    #[schema(minimum = 1)]
    pub user_id: i32,
    /// At least 8 characters with a lower-case letter, an upper-case letter, a digit and
    /// another character.
    pub new_password: String,
}

/// Sets a user's password (an administrator's, or one's own without the current one); the
/// user's other sessions end.
#[utoipa::path(post, path = "/v2/users/password", tag = "users", request_body = SetPasswordBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn set_password(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(body): JsonBody<SetPasswordBody>,
) -> Result<Data<bool>, ApiError> {
    let user = positive("userId", body.user_id)?;
    state
        .core
        .user_set_password(&caller, UserId(user), &body.new_password)
        .await?;
    Ok(Data(true))
}

/// Terminates a user: kept, never active again; every session ends at once.
#[utoipa::path(delete, path = "/v2/users/{id}", tag = "users",
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn terminate_user(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<bool>, ApiError> {
    state
        .core
        .user_set_status(&caller, UserId(id), UserStatus::Terminated)
        .await?;
    Ok(Data(true))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserConfigBody {
    #[schema(minimum = 1)]
    pub user_id: i32,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub cell_phone: Option<String>,
    pub cell_carrier: Option<CellCarrierName>,
    /// Minutes from UTC.
    pub time_zone_offset: Option<i16>,
}

/// Changes a user's other settings: company, phones, cell carrier, time zone offset. Absent
/// fields stay as they are.
#[utoipa::path(post, path = "/v2/users/update-config", tag = "users",
    request_body = UserConfigBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn update_config(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(body): JsonBody<UserConfigBody>,
) -> Result<Data<bool>, ApiError> {
    let user = positive("userId", body.user_id)?;
    let changes = UserChanges {
        company: body.company,
        phone: body.phone,
        cell_phone: body.cell_phone,
        cell_carrier: body.cell_carrier.map(|c| c.0),
        time_zone_offset: body.time_zone_offset,
        ..UserChanges::default()
    };
    state
        .core
        .user_update(&caller, UserId(user), changes)
        .await?;
    Ok(Data(true))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GeneratePasswordBody {
    /// Defaults to 12.
    #[schema(minimum = 8, maximum = 256)]
    pub length: Option<i32>,
}

/// A random password that meets the password policy (nothing is stored).
#[utoipa::path(post, path = "/v2/users/generate-password", tag = "users",
    request_body = GeneratePasswordBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = ApiResponse<String>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 500, body = ErrorBody)))]
pub async fn generate_password_route(
    _caller: Authenticated,
    JsonBody(body): JsonBody<GeneratePasswordBody>,
) -> Result<Data<String>, ApiError> {
    let length = body.length.unwrap_or(12);
    match usize::try_from(length) {
        Ok(n) if (8..=MAX_TEXT_LEN).contains(&n) => Ok(Data(generate_password(n))),
        _ => Err(ApiError::invalid(format!(
            "invalid field length: must be between 8 and {MAX_TEXT_LEN}"
        ))),
    }
}

/// End all sessions of a user (SOAP and REST) and clear their lockout.
#[utoipa::path(post, path = "/v2/users/reset/{id}", tag = "users",
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), StandardErrors))]
pub async fn reset(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<bool>, ApiError> {
    state.core.reset_user(&caller, UserId(id)).await?;
    Ok(Data(true))
}

/// The user's active API key, as far as it can be shown: its first 8 characters. Keys are
/// kept only as hashes, so the whole key is shown once, when it is generated.
#[utoipa::path(get, path = "/v2/users/key/{id}", tag = "users",
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<String>), StandardErrors))]
pub async fn key(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<String>, ApiError> {
    Ok(Data(state.core.api_key_prefix(&caller, UserId(id)).await?))
}

/// The migration table's path of `GET /v2/users/key/{id}`.
#[utoipa::path(get, path = "/v2/users/{id}/api-key", tag = "users",
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<String>), StandardErrors))]
pub async fn api_key(
    state: State<RestState>,
    caller: Authenticated,
    id: IdPath,
) -> Result<Data<String>, ApiError> {
    key(state, caller, id).await
}

/// A new API key for the user; the previous one stops working at once.
#[utoipa::path(post, path = "/v2/users/key-generate/{id}", tag = "users",
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<String>), StandardErrors))]
pub async fn key_generate(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    IdPath(id): IdPath,
) -> Result<Data<String>, ApiError> {
    Ok(Data(
        state.core.generate_api_key(&caller, UserId(id)).await?,
    ))
}

/// The migration table's path of `POST /v2/users/key-generate/{id}`.
#[utoipa::path(post, path = "/v2/users/{id}/generate-api-key", tag = "users",
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<String>), StandardErrors))]
pub async fn generate_api_key(
    state: State<RestState>,
    caller: Authenticated,
    id: IdPath,
) -> Result<Data<String>, ApiError> {
    key_generate(state, caller, id).await
}
