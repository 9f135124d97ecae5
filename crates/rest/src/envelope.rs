//! The envelope every REST response has, success or error, and the mapping of domain
//! errors to HTTP statuses and error codes.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use edigrid_domain::{Error, SessionProblem};
use serde::Serialize;
use utoipa::openapi::{Content, Ref, RefOr, Response as DocResponse, ResponseBuilder};
use utoipa::{IntoResponses, ToSchema};

/// `{"success", "data", "errorCode", "message"}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiResponse<T> {
    pub success: bool,
    #[schema(required)]
    pub data: Option<T>,
    pub error_code: String,
    pub message: String,
}

/// A successful response carrying data.
pub struct Data<T>(pub T);

impl<T> Data<T> {
    /// What the core answered, as its wire type `T` (`Data::<UserIdInfo>::of(user)`).
    pub fn of(value: impl Into<T>) -> Self {
        Data(value.into())
    }
}

impl<T: Serialize> IntoResponse for Data<T> {
    fn into_response(self) -> Response {
        Json(ApiResponse {
            success: true,
            data: Some(self.0),
            error_code: String::new(),
            message: String::new(),
        })
        .into_response()
    }
}

/// A successful response without data, with a message.
pub struct Done(pub &'static str);

impl IntoResponse for Done {
    fn into_response(self) -> Response {
        Json(ApiResponse::<()> {
            success: true,
            data: None,
            error_code: String::new(),
            message: self.0.to_string(),
        })
        .into_response()
    }
}

/// The error envelope (`data` is always null), as documented in the OpenAPI document.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Always false.
    pub success: bool,
    /// Always null.
    #[schema(value_type = Option<String>, required)]
    pub data: Option<()>,
    /// InvalidSession, InvalidAPIKey, AccessDenied, InvalidParameter, ObjectNotFound,
    /// RateLimitExceeded, NotImplemented or InternalError.
    pub error_code: String,
    pub message: String,
}

/// A success without data (logout, password change): `data` is null, `message` says what
/// happened.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DoneBody {
    /// Always true.
    pub success: bool,
    /// Always null.
    #[schema(value_type = Option<String>, required)]
    pub data: Option<()>,
    pub error_code: String,
    pub message: String,
}

/// The errors a directory endpoint may answer, each an [`ErrorBody`]: `400`, `401`, `403`,
/// `404` and `500`. Named in `responses(...)` after the endpoint's own `200`.
pub struct StandardErrors;

/// [`StandardErrors`] and `413`, for an endpoint that reads a JSON body.
pub struct BodyErrors;

impl IntoResponses for StandardErrors {
    fn responses() -> BTreeMap<String, RefOr<DocResponse>> {
        error_responses(&[400, 401, 403, 404, 500])
    }
}

impl IntoResponses for BodyErrors {
    fn responses() -> BTreeMap<String, RefOr<DocResponse>> {
        error_responses(&[400, 401, 403, 404, 413, 500])
    }
}

/// Each status answered with the error envelope, as `(status = N, body = ErrorBody)` says it.
fn error_responses(statuses: &[u16]) -> BTreeMap<String, RefOr<DocResponse>> {
    statuses
        .iter()
        .map(|status| {
            let response = ResponseBuilder::new()
                .description("")
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                )
                .build();
            (status.to_string(), response.into())
        })
        .collect()
}

/// An error of the REST API: a status, a code and a message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "InvalidParameter",
            message: message.into(),
            retry_after: None,
        }
    }

    /// `501 NotImplemented`: an operation of the catalogue that edigrid refuses on purpose.
    pub fn not_implemented(operation: &str, reason: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            format!("{operation} is not implemented by this server: {reason}"),
        )
    }

    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        from_core(e, &[])
    }
}

/// A core error as REST answers it. The core names parameters as SOAP does (`MailboxID`);
/// REST names the JSON field (`mailboxId`): `renames` first, then [`rest_field`].
pub fn from_core(e: Error, renames: &[(&str, &str)]) -> ApiError {
    let field = |item: &str| {
        renames
            .iter()
            .find(|(from, _)| *from == item)
            .map_or_else(|| rest_field(item), |(_, to)| (*to).to_string())
    };
    let message = match &e {
        Error::Session(problem) => session_message(*problem).to_string(),
        Error::InvalidParameter { item, detail, .. } => {
            format!("invalid field {}: {detail}", field(item))
        }
        Error::NotFound { item } => format!("{} not found", field(item)),
        Error::AccessDenied(reason) => {
            format!("Access denied: {}", same_for_any_id(reason, field))
        }
        other => other.to_string(),
    };
    let (status, code) = match &e {
        Error::Session(SessionProblem::UnknownApiKey) => {
            (StatusCode::UNAUTHORIZED, "InvalidAPIKey")
        }
        Error::Session(_) => (StatusCode::UNAUTHORIZED, "InvalidSession"),
        Error::LoginRefused => (StatusCode::UNAUTHORIZED, "AccessDenied"),
        Error::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "RateLimitExceeded"),
        Error::SessionLimitReached | Error::AccessDenied(_) => {
            (StatusCode::FORBIDDEN, "AccessDenied")
        }
        Error::NotFound { .. } => (StatusCode::NOT_FOUND, "ObjectNotFound"),
        Error::InvalidParameter { .. } => (StatusCode::BAD_REQUEST, "InvalidParameter"),
        Error::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "InternalError"),
    };
    let retry_after = match e {
        Error::Throttled { retry_after_secs } => Some(retry_after_secs),
        _ => None,
    };
    ApiError {
        status,
        code,
        message,
        retry_after,
    }
}

/// The JSON field a core parameter name stands for: the names that differ, else the name
/// in camelCase with `ID` as `Id` (`MailboxID` is `mailboxId`, `ID` is `id`).
pub fn rest_field(item: &str) -> String {
    const DIFFERENT: [(&str, &str); 11] = [
        ("LoginName", "login"),
        ("EMail", "email"),
        ("DataEMail", "email"),
        ("ECGridID", "ecGridId"),
        ("SegTerm", "segmentTerminator"),
        ("ElmSep", "elementDelimiter"),
        ("SubElmSep", "subElementDelimiter"),
        ("Name", "companyName"),
        ("URL", "website"),
        ("DefaultAS2ID", "defaultAs2Id"),
        ("APIKey", "apiKey"),
    ];
    if let Some((_, to)) = DIFFERENT.iter().find(|(from, _)| *from == item) {
        return (*to).to_string();
    }
    if item.chars().all(|c| c.is_ascii_uppercase()) {
        return item.to_ascii_lowercase();
    }
    let stem = item
        .strip_suffix("ID")
        .map_or_else(|| item.to_string(), |s| format!("{s}Id"));
    let mut chars = stem.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_lowercase().to_string() + chars.as_str()
    })
}

/// The core's answer for an object out of the caller's reach names the number asked for
/// (`no authority over MailboxID 400`); REST leaves the number out, so that an object that
/// exists and one that does not get byte-for-byte the same `403` (SPEC-VAN 14).
fn same_for_any_id(reason: &str, field: impl Fn(&str) -> String) -> String {
    match reason.strip_prefix("no authority over ") {
        Some(rest) => {
            let what = rest.split_whitespace().next().unwrap_or("");
            format!("no authority over this {}", field(what))
        }
        None => reason.to_string(),
    }
}

/// REST's words for a credential problem (SOAP's all name the SessionID parameter).
fn session_message(problem: SessionProblem) -> &'static str {
    match problem {
        SessionProblem::Missing => {
            "no credentials: send Authorization: Bearer <token> or X-API-Key"
        }
        SessionProblem::Malformed => "the token is not valid",
        SessionProblem::Unknown => "no such session; log in again",
        SessionProblem::Expired => "the session or token has expired; log in again",
        SessionProblem::Ended => "the session has ended; log in again",
        SessionProblem::OtherClientAddress => {
            "the session belongs to another client address; log in again"
        }
        SessionProblem::UnknownApiKey => "the API key is not valid or has been replaced",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            success: false,
            data: None,
            error_code: self.code.to_string(),
            message: self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(RETRY_AFTER, v);
        }
        response
    }
}
