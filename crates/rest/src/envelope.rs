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
    #[schema(value_type = Option<String>)]
    pub data: Option<()>,
    /// InvalidSession, InvalidAPIKey, AccessDenied, InvalidParameter, ObjectNotFound,
    /// RateLimitExceeded or InternalError.
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
        let message = e.to_string();
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
