//! The HTTP side of the SOAP service: `POST` dispatches an envelope to an operation,
//! `GET` serves the WSDL and the help pages, anything else is refused.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE, HOST, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use edigrid_core::{CallRecord, Core, client_address};
use edigrid_domain::{Error, ParamProblem, SecretHash};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use ipnet::IpNet;

use crate::args::parse_args;
use crate::deployed_schema;
use crate::envelope::{SoapVersion, read_request};
use crate::operations::{Call, DOCUMENTED, Operation, find_dialect};
use crate::writer::{fault_envelope, response_envelope};
use crate::{help, wsdl};

pub const SOAP_PATH: &str = "/v4.1/prod/ECGridOS.asmx";
/// The deployed dialect's own WSDL, served with its addresses pointing here.
pub const DEPLOYED_WSDL_PATH: &str = "/v4.1/prod/ECGridOS-deployed.wsdl";

#[derive(Clone)]
pub struct SoapState {
    pub core: Core,
    /// Proxies whose `X-Forwarded-*` headers are believed.
    pub trusted_proxies: Arc<[IpNet]>,
    /// The public base URL (`https://edi.example.com`) written into the WSDL, if set.
    pub public_url: Option<String>,
    /// Largest body of a request, uploads excepted.
    pub max_body_bytes: usize,
    /// Largest body of an upload (see [`names_upload`]).
    pub max_upload_body_bytes: usize,
    /// Served over HTTPS: the WSDL's addresses say `https` unless a proxy says otherwise.
    pub https: bool,
}

pub fn router(state: SoapState) -> Router {
    Router::new()
        .route(
            SOAP_PATH,
            get(get_endpoint).post(post_endpoint).fallback(other_method),
        )
        .route(DEPLOYED_WSDL_PATH, get(get_deployed_wsdl))
        .with_state(state)
}

fn soap_reply(version: SoapVersion, status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, version.content_type())], body).into_response()
}

fn fault(version: SoapVersion, status: StatusCode, error: &Error) -> Response {
    soap_reply(version, status, fault_envelope(version, error))
}

/// The SOAP version a content type announces, and the `action` parameter of SOAP 1.2's.
fn parse_content_type(value: &str) -> Option<(SoapVersion, Option<String>)> {
    let mut parts = value.split(';');
    let mime = parts.next()?.trim().to_ascii_lowercase();
    let version = match mime.as_str() {
        "text/xml" => SoapVersion::Soap11,
        "application/soap+xml" => SoapVersion::Soap12,
        _ => return None,
    };
    let action = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("action")
            .then(|| v.trim().trim_matches('"').to_string())
    });
    Some((version, action))
}

/// Whether a request is an upload (`ParcelUpload`, `ParcelUploadA`, `ParcelUploadMft`, ...
/// of either dialect), whose body may be as large as a parcel allows. Decided from the
/// headers, before the body is read: the `SOAPAction` header or SOAP 1.2's `action`
/// parameter, and every action given must name an upload. The body's operation is held to
/// the action when the envelope is read, so a large body never reaches another operation;
/// a request with no action keeps the small limit.
pub fn names_upload(headers: &HeaderMap) -> bool {
    let content_type_action = header(headers, CONTENT_TYPE.as_str())
        .and_then(parse_content_type)
        .and_then(|(_, action)| action);
    let header_action =
        header(headers, "soapaction").map(|a| a.trim().trim_matches('"').to_string());
    let mut actions = [content_type_action, header_action]
        .into_iter()
        .flatten()
        .filter(|a| !a.is_empty())
        .peekable();
    actions.peek().is_some()
        && actions.all(|a| {
            a.rsplit('/')
                .next()
                .is_some_and(|op| op.starts_with("ParcelUpload"))
        })
}

/// The SOAP version a request's content type announces; 1.1 when it announces none.
fn announced_version(headers: &HeaderMap) -> SoapVersion {
    header(headers, CONTENT_TYPE.as_str())
        .and_then(parse_content_type)
        .map_or(SoapVersion::Soap11, |(version, _)| version)
}

fn too_large(version: SoapVersion, limit: usize) -> Response {
    let e = Error::invalid(
        "Envelope",
        ParamProblem::Length,
        format!("the request body is larger than {limit} bytes"),
    );
    fault(version, StatusCode::PAYLOAD_TOO_LARGE, &e)
}

/// `413` with a fault, for a body refused for its size before it was read whole.
pub fn body_too_large(headers: &HeaderMap, limit: usize) -> Response {
    too_large(announced_version(headers), limit)
}

/// `400` with a fault, for a body that broke off while it was read.
pub fn body_unreadable(headers: &HeaderMap) -> Response {
    let e = Error::invalid(
        "Envelope",
        ParamProblem::Value,
        "the request body could not be read",
    );
    fault(announced_version(headers), StatusCode::BAD_REQUEST, &e)
}

/// `503` with a Server fault and `Retry-After`: the uploads under way hold all the memory
/// uploads may have. The domain has no error for a busy server, so the fault of an internal
/// error carries the reason instead of its own sentence.
pub fn upload_busy(headers: &HeaderMap, retry_after_secs: u64) -> Response {
    let version = announced_version(headers);
    let internal = Error::Internal.to_string();
    let reason = format!(
        "The server is receiving as many uploads as it has memory for; retry in {retry_after_secs} s"
    );
    let body = fault_envelope(version, &Error::Internal).replace(&internal, &reason);
    let mut response = soap_reply(version, StatusCode::SERVICE_UNAVAILABLE, body);
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn client_of(state: &SoapState, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    client_address(
        peer.ip(),
        header(headers, "x-forwarded-for"),
        &state.trusted_proxies,
    )
}

async fn post_endpoint(
    State(state): State<SoapState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let started = Instant::now();
    // Taken apart rather than extracted: the `HeaderMap` extractor copies every header.
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let Some((version, ct_action)) =
        header(headers, CONTENT_TYPE.as_str()).and_then(parse_content_type)
    else {
        let e = Error::invalid(
            "Content-Type",
            ParamProblem::Value,
            "send SOAP 1.1 as text/xml or SOAP 1.2 as application/soap+xml",
        );
        return fault(SoapVersion::Soap11, StatusCode::UNSUPPORTED_MEDIA_TYPE, &e);
    };
    // The server reads every body within these limits before this runs (and drains what a
    // refused client still sends); these checks bound the router used on its own.
    let limit = if names_upload(headers) {
        state.max_upload_body_bytes
    } else {
        state.max_body_bytes
    };
    let declared = header(headers, CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return too_large(version, limit);
    }
    let bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return too_large(version, limit);
        }
        Err(_) => return body_unreadable(headers),
    };
    let request = match read_request(&bytes) {
        Ok(r) => r,
        Err(failure) => {
            return fault(
                failure.version.unwrap_or(version),
                StatusCode::INTERNAL_SERVER_ERROR,
                &failure.error,
            );
        }
    };
    if request.version != version {
        // The content type decides how the body is read, so the fault follows it.
        let e = Error::invalid(
            "Content-Type",
            ParamProblem::Value,
            "a SOAP 1.1 envelope is sent as text/xml and a SOAP 1.2 envelope as application/soap+xml",
        );
        return fault(version, StatusCode::INTERNAL_SERVER_ERROR, &e);
    }
    let client = client_of(&state, peer, headers);
    let acted_in = Arc::new(OnceLock::new());
    let op = find_operation(&request.ns, &request.operation);
    let outcome = dispatch(
        &state,
        &request,
        op,
        client,
        ct_action,
        header(headers, "soapaction"),
        acted_in.clone(),
    )
    .await;
    let elapsed = started.elapsed();
    // Labels come from the operation table, never from the request, so they stay bounded.
    let operation = op.map_or("unknown", |op| op.name);
    if let Some(session) = acted_in.get() {
        state.core.record_call(CallRecord {
            session,
            operation,
            elapsed,
            client,
            outcome: outcome.as_ref().map(|_| ()).map_err(Error::legacy_code),
            comment: "",
        });
    }
    let (status, body, outcome_label) = match outcome {
        Ok(body) => (StatusCode::OK, body, "ok"),
        Err(e) => {
            let label = e.legacy_code().as_str();
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                fault_envelope(request.version, &e),
                label,
            )
        }
    };
    record_call_metrics(operation, outcome_label, elapsed);
    tracing::debug!(
        operation,
        outcome = outcome_label,
        elapsed_us = elapsed.as_micros() as u64,
        "soap call"
    );
    soap_reply(request.version, status, body)
}

type CallMetrics = HashMap<(&'static str, &'static str), (metrics::Counter, metrics::Histogram)>;

/// Counts and times a call. The handles are resolved once per operation and outcome:
/// building and looking up a metric's key on every call cost more CPU than validating the
/// session. Both labels come from static tables, so the map stays small.
fn record_call_metrics(operation: &'static str, outcome: &'static str, elapsed: Duration) {
    static HANDLES: OnceLock<RwLock<CallMetrics>> = OnceLock::new();
    let handles = HANDLES.get_or_init(RwLock::default);
    let record = |(count, duration): &(metrics::Counter, metrics::Histogram)| {
        count.increment(1);
        duration.record(elapsed.as_secs_f64());
    };
    let key = (operation, outcome);
    if let Some(found) = handles.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return record(found);
    }
    let mut handles = handles.write().unwrap_or_else(|e| e.into_inner());
    let found = handles.entry(key).or_insert_with(|| {
        (
            metrics::counter!("edigrid_soap_calls_total", "operation" => operation, "outcome" => outcome),
            metrics::histogram!("edigrid_soap_call_duration_seconds", "operation" => operation),
        )
    });
    record(found);
}

async fn dispatch(
    state: &SoapState,
    request: &crate::envelope::SoapRequest,
    op: Option<&'static Operation>,
    client: IpAddr,
    content_type_action: Option<String>,
    soap_action_header: Option<&str>,
    acted_in: Arc<OnceLock<SecretHash>>,
) -> Result<String, Error> {
    let unknown = || {
        let unsupported =
            find_dialect(&request.ns).is_some_and(|d| d.is_unsupported(&request.operation));
        let detail = if unsupported {
            format!("{} is not supported by this server", request.operation)
        } else {
            format!(
                "{{{}}}{} is not an operation of this service",
                request.ns, request.operation
            )
        };
        Error::invalid(&request.operation, ParamProblem::Value, detail)
    };
    let op = op.ok_or_else(unknown)?;
    // Answered in the request's own namespace, which may be one of the dialect's others.
    let ns = request.ns.as_str();
    let expected = |action: &str| action.strip_prefix(ns) == Some(op.name);
    let header_action = soap_action_header.map(|a| a.trim().trim_matches('"').to_string());
    for action in [content_type_action, header_action].into_iter().flatten() {
        if !action.is_empty() && !expected(&action) {
            return Err(Error::invalid(
                "SOAPAction",
                ParamProblem::Value,
                format!(
                    "the action {action:?} contradicts the body, which calls {}",
                    op.name
                ),
            ));
        }
    }
    let args = parse_args(op.params, ns, &request.params)?;
    let call = Call {
        core: state.core.clone(),
        client,
        args,
        acted_in,
    };
    let value = (op.handler)(call).await?;
    response_envelope(request.version, ns, op.name, &op.result, &value)
}

fn find_operation(ns: &str, name: &str) -> Option<&'static Operation> {
    find_dialect(ns)?.operation(name)
}

async fn get_endpoint(
    State(state): State<SoapState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query: Vec<(String, String)> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_ascii_lowercase(), v.to_string())
        })
        .collect();
    let base = base_url(&state, peer, &headers);
    if query.iter().any(|(k, _)| k == "wsdl") {
        let body = wsdl::wsdl(&DOCUMENTED, &format!("{base}{SOAP_PATH}"));
        return ([(CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response();
    }
    if let Some((_, name)) = query.iter().find(|(k, _)| k == "op") {
        return match DOCUMENTED.operation(name) {
            Some(op) => {
                let host = base.split("://").nth(1).unwrap_or("localhost");
                Html(help::operation_page(&DOCUMENTED, op, SOAP_PATH, host)).into_response()
            }
            None => (
                StatusCode::NOT_FOUND,
                Html(help::operation_list(&DOCUMENTED, SOAP_PATH)),
            )
                .into_response(),
        };
    }
    Html(help::operation_list(&DOCUMENTED, SOAP_PATH)).into_response()
}

/// The deployed WSDL as kept in the project, with only its addresses set to this server's
/// endpoint (built as the documented WSDL's is).
async fn get_deployed_wsdl(
    State(state): State<SoapState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let base = base_url(&state, peer, &headers);
    let body = deployed_schema::wsdl_for(&format!("{base}{SOAP_PATH}"));
    ([(CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

async fn other_method() -> Response {
    let e = Error::invalid(
        "Method",
        ParamProblem::Value,
        "use POST for SOAP calls or GET for the WSDL",
    );
    let mut response = fault(SoapVersion::Soap11, StatusCode::METHOD_NOT_ALLOWED, &e);
    response
        .headers_mut()
        .insert(ALLOW, axum::http::HeaderValue::from_static("GET, POST"));
    response
}

/// The base URL clients should call back: the configured public URL, else the request's
/// own `Host` (forwarded headers only from trusted proxies). Odd hosts are not echoed.
fn base_url(state: &SoapState, peer: SocketAddr, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let trusted = state.trusted_proxies.iter().any(|n| n.contains(&peer.ip()));
    let forwarded = |name| if trusted { header(headers, name) } else { None };
    let scheme = match forwarded("x-forwarded-proto") {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        Some(p) if p.eq_ignore_ascii_case("http") => "http",
        _ if state.https => "https",
        _ => "http",
    };
    let host = forwarded("x-forwarded-host")
        .or_else(|| header(headers, HOST.as_str()))
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| peer.to_string());
    format!("{scheme}://{host}")
}
