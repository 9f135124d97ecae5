//! Every request body is read whole here, before the front ends see it, within its limit:
//! an upload's follows from `max_parcel_bytes` and holds room in the upload memory budget
//! for what the upload will hold while it is processed (a multiple of its body, counted by
//! [`UploadBudget`]); every other request keeps `max_body_bytes` (SPEC-VAN 18).
//!
//! A refused body is drained before the answer goes out. HTTP/1.1 clients such as Python's
//! `requests`, urllib and zeep send the whole body before they read a response; a server
//! that answers and closes while they are still sending makes them fail on a broken pipe
//! or a reset, and the `413` or `503` is never read. So the rest of a refused body is read
//! and thrown away, up to a bound: discarding costs bandwidth and time, never memory, and
//! the request timeout bounds the time; past the bound the client is more likely hostile
//! than mistaken and the connection is closed.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONNECTION, CONTENT_LENGTH, EXPECT};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use edigrid_rest::ApiError;
use edigrid_soap::SOAP_PATH;
use http_body_util::BodyExt;

use crate::upload_budget::{Busy, UploadBudget};

/// A refused body is drained up to twice its limit, and at least this much past it, so
/// that a few-MiB file sent to the wrong operation of a 1 MiB limit is still answered.
const DRAIN_FLOOR: usize = 8 * 1024 * 1024;

pub struct BodyLimits {
    /// Every request's but an upload's.
    pub default: usize,
    /// An upload's (`ParcelUpload*`, `POST /v2/parcels/upload`).
    pub upload: usize,
    pub budget: Arc<UploadBudget>,
}

impl BodyLimits {
    /// How much of a body refused under `limit` is read before the connection is closed.
    fn drain_bound(limit: usize) -> usize {
        limit
            .saturating_mul(2)
            .max(limit.saturating_add(DRAIN_FLOOR))
    }
}

/// Why a body was not passed on.
enum Refusal {
    TooLarge { limit: usize },
    Busy(Busy),
    Unreadable,
}

/// The answer to a refused body, in the protocol of the endpoint it was sent to.
fn answer(soap: bool, headers: &HeaderMap, refusal: Refusal) -> Response {
    match (soap, refusal) {
        (true, Refusal::TooLarge { limit }) => edigrid_soap::body_too_large(headers, limit),
        (true, Refusal::Busy(busy)) => edigrid_soap::upload_busy(headers, busy.retry_after_secs),
        (true, Refusal::Unreadable) => edigrid_soap::body_unreadable(headers),
        (false, Refusal::TooLarge { limit }) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "InvalidParameter",
            format!("the request body is larger than {limit} bytes"),
        )
        .into_response(),
        (false, Refusal::Busy(busy)) => ApiError {
            retry_after: Some(busy.retry_after_secs),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                format!(
                    "the server is receiving as many uploads as it has memory for; retry in {} s",
                    busy.retry_after_secs
                ),
            )
        }
        .into_response(),
        (false, Refusal::Unreadable) => {
            ApiError::invalid("the request body could not be read").into_response()
        }
    }
}

/// The middleware: reads the body within its limit (and, for an upload, its reservation),
/// then runs the request on the bytes read; the reservation is held until the answer is
/// made, while the content is decoded and stored.
pub async fn read_body(limits: Arc<BodyLimits>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let soap = path == SOAP_PATH;
    let upload = if soap {
        edigrid_soap::names_upload(request.headers())
    } else {
        edigrid_rest::is_upload(request.method(), path)
    };
    let limit = if upload {
        limits.upload
    } else {
        limits.default
    };
    let (parts, mut body) = request.into_parts();
    let refused = |refusal, body, read| refuse(soap, &parts.headers, refusal, body, read, limit);
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut reservation = upload.then(|| limits.budget.reservation());
    if let Some(declared) = declared {
        if declared > limit {
            return refused(Refusal::TooLarge { limit }, body, 0).await;
        }
        if let Some(reservation) = &mut reservation
            && let Err(busy) = reservation.grow(declared).await
        {
            return refused(Refusal::Busy(busy), body, 0).await;
        }
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return answer(soap, &parts.headers, Refusal::Unreadable);
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        let read = bytes.len() + data.len();
        if read > limit {
            return refused(Refusal::TooLarge { limit }, body, read).await;
        }
        if declared.is_none()
            && let Some(reservation) = &mut reservation
            && let Err(busy) = reservation.grow(data.len()).await
        {
            return refused(Refusal::Busy(busy), body, read).await;
        }
        bytes.extend_from_slice(&data);
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    drop(reservation);
    response
}

/// Answers a refusal after reading the rest of the body (`read` bytes of it are read
/// already), unless the client waits for `100 Continue` before sending it (nothing of it
/// is on the way then) or it is larger than the drain bound.
async fn refuse(
    soap: bool,
    headers: &HeaderMap,
    refusal: Refusal,
    mut body: Body,
    mut read: usize,
    limit: usize,
) -> Response {
    let bound = BodyLimits::drain_bound(limit);
    let waits_for_continue = read == 0
        && headers
            .get(EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let declared_past_bound = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > bound);
    let mut drained = !waits_for_continue && !declared_past_bound;
    while drained {
        match body.frame().await {
            None => break,
            Some(Ok(frame)) => {
                read += frame.data_ref().map_or(0, |d| d.len());
                drained = read <= bound;
            }
            Some(Err(_)) => drained = false,
        }
    }
    let mut response = answer(soap, headers, refusal);
    if !drained {
        // The rest of the body is still on the way: this connection cannot carry another
        // request, and the client should know.
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
