//! `/v2/auth/*`: login, refresh, logout, session, version, password.

use axum::extract::State;
use chrono::{DateTime, Utc};
use edigrid_core::{ClientInfo, LoginRequest as CoreLogin, Protocol, SenderInfo};
use edigrid_domain::{AuthLevel, MAX_TEXT_LEN, parse_required_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::RestState;
use crate::auth::{Authenticated, ClientAddress};
use crate::envelope::{ApiError, ApiResponse, Data, Done, DoneBody, ErrorBody};
use crate::json::JsonBody;
use crate::tokens::{TokenKind, TokenPair};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginBody {
    /// The login name (or give it as `email`).
    #[schema(max_length = 256)]
    pub login: Option<String>,
    #[schema(max_length = 256)]
    pub email: Option<String>,
    #[schema(max_length = 256)]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenData {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Exchange at `/v2/auth/refresh` for a new pair; usable once.
    pub refresh_token: String,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub expires_at: DateTime<Utc>,
    pub user_id: i32,
}

impl From<TokenPair> for TokenData {
    fn from(p: TokenPair) -> Self {
        TokenData {
            token: p.token,
            refresh_token: p.refresh_token,
            expires_at: p.expires_at,
            user_id: p.user_id.0,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefreshBody {
    /// The current bearer token (even if expired)...
    pub token: Option<String>,
    /// ...or the current refresh token.
    pub refresh_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionData {
    /// The session's SessionID, shown redacted (a bearer token never carries it); for an
    /// API key, the key.
    pub session_id: String,
    pub user_id: i32,
    pub login: String,
    pub network_id: i32,
    pub mailbox_id: i32,
    #[schema(value_type = String, example = "MailboxAdmin")]
    pub auth_level: AuthLevel,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionData {
    pub version: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasswordBody {
    #[schema(max_length = 256)]
    pub current_password: String,
    #[schema(min_length = 8, max_length = 256)]
    pub new_password: String,
}

/// Log in with a login name and password; returns a bearer token and a refresh token.
#[utoipa::path(post, path = "/v2/auth/login", tag = "auth", request_body = LoginBody,
    responses(
        (status = 200, body = ApiResponse<TokenData>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 429, body = ErrorBody), (status = 500, body = ErrorBody)))]
pub async fn login(
    State(state): State<RestState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Data<TokenData>, ApiError> {
    // Checked here so that errors name the JSON fields, not the SOAP parameters.
    let (field, login) = match (body.login, body.email) {
        (Some(login), _) => ("login", login),
        (None, Some(email)) => ("email", email),
        (None, None) => {
            return Err(ApiError::invalid(
                "invalid field login: give login or email",
            ));
        }
    };
    let login = parse_required_text(&login, field)?;
    if body.password.chars().count() > MAX_TEXT_LEN {
        return Err(ApiError::invalid(format!(
            "invalid field password: longer than {MAX_TEXT_LEN} characters"
        )));
    }
    let request = CoreLogin {
        login,
        password: body.password,
        sender: SenderInfo {
            solution: "REST".into(),
            ..SenderInfo::default()
        },
    };
    let (id, session) = state
        .core
        .login(
            request,
            ClientInfo {
                address: client,
                protocol: Protocol::Rest,
            },
        )
        .await?;
    let pair = state
        .signer
        .issue(&id.bearer_key(), &session, state.core.clock().now())?;
    Ok(Data(pair.into()))
}

/// Exchange the current bearer or refresh token for a new pair. The old pair stops working;
/// presenting it again ends the session.
#[utoipa::path(post, path = "/v2/auth/refresh", tag = "auth", request_body = RefreshBody,
    responses(
        (status = 200, body = ApiResponse<TokenData>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 500, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<RestState>,
    ClientAddress(client): ClientAddress,
    JsonBody(body): JsonBody<RefreshBody>,
) -> Result<Data<TokenData>, ApiError> {
    let now = state.core.clock().now();
    let (key, generation) = match (body.refresh_token, body.token) {
        (Some(refresh), _) => state
            .signer
            .verify(&refresh, TokenKind::Refresh, now, false)?,
        (None, Some(token)) => state.signer.verify(&token, TokenKind::Access, now, true)?,
        (None, None) => {
            return Err(ApiError::invalid(
                "invalid field token: give token or refreshToken",
            ));
        }
    };
    let record = state
        .core
        .refresh_tokens(&key.digest(), generation, client)
        .await?;
    let pair = state.signer.issue(&key, &record, now)?;
    Ok(Data(pair.into()))
}

/// End the caller's session; its tokens stop working at once.
#[utoipa::path(post, path = "/v2/auth/logout", tag = "auth",
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = DoneBody, description = "data is null; message `Session terminated.`"),
        (status = 401, body = ErrorBody), (status = 500, body = ErrorBody)))]
pub async fn logout(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
) -> Result<Done, ApiError> {
    state.core.end_own_session(&caller).await?;
    Ok(Done("Session terminated."))
}

/// The caller's session: who, where, and until when.
#[utoipa::path(post, path = "/v2/auth/session", tag = "auth",
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = ApiResponse<SessionData>),
        (status = 401, body = ErrorBody), (status = 500, body = ErrorBody)))]
pub async fn session(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
) -> Result<Data<SessionData>, ApiError> {
    let me = state.core.who_am_i(&caller).await?;
    let s = caller.summary();
    Ok(Data(SessionData {
        session_id: s.session_id,
        user_id: s.user_id.0,
        login: me.user.login,
        network_id: s.network_id.0,
        mailbox_id: s.mailbox_id.0,
        auth_level: me.user.auth_level,
        created: s.created,
        expires_at: s.expires,
    }))
}

/// The REST API version. No authentication.
#[utoipa::path(get, path = "/v2/auth/version", tag = "auth",
    responses((status = 200, body = ApiResponse<VersionData>)))]
pub async fn version() -> Data<VersionData> {
    Data(VersionData {
        version: "2.6".into(),
    })
}

/// Change the caller's own password. Every other session of the caller ends.
#[utoipa::path(put, path = "/v2/auth/password", tag = "auth", request_body = PasswordBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = DoneBody, description = "data is null"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 500, body = ErrorBody)))]
pub async fn password(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(body): JsonBody<PasswordBody>,
) -> Result<Done, ApiError> {
    state
        .core
        .change_own_password(&caller, &body.current_password, &body.new_password)
        .await?;
    Ok(Done("Password updated successfully."))
}
