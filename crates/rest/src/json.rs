//! A JSON body extractor whose failures are the API's own `400 InvalidParameter` naming the
//! field (`serde_path_to_error`), instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::envelope::ApiError;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "InvalidParameter",
                    "the request body is too large",
                )
            } else {
                ApiError::invalid("the request body could not be read")
            }
        })?;
        decode_json(&bytes).map(JsonBody)
    }
}

/// Decodes a whole request body as one JSON value of type `T`, or says which field is wrong.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::invalid(format!("the body is not valid JSON: {inner}"))
        } else if path == "." {
            ApiError::invalid(format!("invalid body: {inner}"))
        } else {
            ApiError::invalid(format!("invalid field {path}: {inner}"))
        }
    })?;
    de.end()
        .map_err(|_| ApiError::invalid("the body has trailing characters after the JSON value"))?;
    Ok(value)
}
