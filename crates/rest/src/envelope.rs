//! The envelope every REST response has, success or error, and the mapping of domain
//! errors to HTTP statuses and error codes.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use edigrid_domain::{Error, SessionProblem};
use serde::Serialize;
use utoipa::ToSchema;

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
    /// RateLimitExceeded or InternalError.
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
        let message = match &e {
            Error::Session(problem) => session_message(*problem).to_string(),
            Error::InvalidParameter { item, detail, .. } => {
                format!("invalid field {item}: {detail}")
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
