//! Who is calling: `Authorization: Bearer <token>` or `X-API-Key: <key>`, checked against
//! the same sessions and keys as SOAP.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use edigrid_core::{Caller, client_address, looks_like_api_key};
use edigrid_domain::{Error, SessionProblem};

use crate::RestState;
use crate::envelope::ApiError;
use crate::tokens::TokenKind;

/// The caller's address, with `X-Forwarded-For` believed only from trusted proxies.
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<RestState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &RestState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| ApiError::from(Error::Internal))?;
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(ClientAddress(client_address(
            peer,
            forwarded,
            &state.trusted_proxies,
        )))
    }
}

/// A caller whose bearer token or API key was accepted.
pub struct Authenticated(pub Caller);

impl FromRequestParts<RestState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &RestState) -> Result<Self, ApiError> {
        let ClientAddress(client) = ClientAddress::from_request_parts(parts, state).await?;
        if let Some(key) = parts.headers.get("x-api-key") {
            let key = key.to_str().unwrap_or("");
            if !looks_like_api_key(key) {
                return Err(Error::Session(SessionProblem::UnknownApiKey).into());
            }
            // The SessionID slot's rules cover keys too: one path for both protocols.
            return Ok(Authenticated(state.core.authenticate(key, client).await?));
        }
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "InvalidSession",
                "send Authorization: Bearer <token> or X-API-Key: <key>",
            ));
        };
        // The scheme name is case-insensitive (RFC 7235).
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| ApiError::from(Error::Session(SessionProblem::Malformed)))?;
        let now = state.core.clock().now();
        let (key, generation) = state.signer.verify(token, TokenKind::Access, now, false)?;
        let caller = state
            .core
            .authenticate_bearer(&key.digest(), generation, client)
            .await?;
        Ok(Authenticated(caller))
    }
}
