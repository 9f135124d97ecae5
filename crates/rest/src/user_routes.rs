//! `/v2/users/*`: the caller, resets and API keys.

use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use edigrid_domain::{AuthLevel, UserId, UserStatus};
use serde::Serialize;
use utoipa::ToSchema;

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, Data, ErrorBody};

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

fn user_id(raw: &str) -> Result<UserId, ApiError> {
    raw.parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .map(UserId)
        .ok_or_else(|| ApiError::invalid("invalid field id: must be a positive whole number"))
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

/// End all sessions of a user (SOAP and REST) and clear their lockout.
#[utoipa::path(post, path = "/v2/users/reset/{id}", tag = "users",
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = ApiResponse<bool>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 500, body = ErrorBody)))]
pub async fn reset(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Data<bool>, ApiError> {
    state.core.reset_user(&caller, user_id(&id)?).await?;
    Ok(Data(true))
}

/// The user's active API key, as far as it can be shown: its first 8 characters. Keys are
/// kept only as hashes, so the whole key is shown once, when it is generated.
#[utoipa::path(get, path = "/v2/users/key/{id}", tag = "users",
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = ApiResponse<String>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 500, body = ErrorBody)))]
pub async fn key(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Data<String>, ApiError> {
    Ok(Data(
        state.core.api_key_prefix(&caller, user_id(&id)?).await?,
    ))
}

/// A new API key for the user; the previous one stops working at once.
#[utoipa::path(post, path = "/v2/users/key-generate/{id}", tag = "users",
    params(("id" = i32, Path, minimum = 1, description = "UserID")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = ApiResponse<String>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 500, body = ErrorBody)))]
pub async fn key_generate(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<Data<String>, ApiError> {
    Ok(Data(
        state.core.generate_api_key(&caller, user_id(&id)?).await?,
    ))
}
