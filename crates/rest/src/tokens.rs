//! Bearer and refresh tokens: HS256 JWTs naming a session (by the hash of its SessionID) and
//! a token generation. They are handles on stored sessions, valid only while the session is
//! open and the generation is current.

use chrono::{DateTime, Utc};
use edigrid_core::store::SessionRecord;
use edigrid_domain::{Error, SecretHash, SessionProblem, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    Access,
    Refresh,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user, as ECGridOS numbers them.
    pub sub: String,
    /// Hex SHA-256 of the session's SessionID (the SessionID itself is never in a token).
    pub sid: String,
    /// Token generation; refresh moves the session to the next one.
    #[serde(rename = "gen")]
    pub generation: i32,
    pub typ: TokenKind,
    pub iat: i64,
    pub exp: i64,
}

/// A freshly issued pair.
pub struct TokenPair {
    pub token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
    pub user_id: UserId,
}

pub struct TokenSigner {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

fn unhex(text: &str) -> Option<SecretHash> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(SecretHash(out))
}

impl TokenSigner {
    pub fn new(secret: &[u8]) -> Result<Self, Error> {
        let refuse = |e: jsonwebtoken::errors::Error| {
            tracing::error!(error = %e, "the token signing secret is not usable");
            Error::Internal
        };
        // Only HS256 is accepted: a token claiming `none` or any other algorithm is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked against the service's clock, not the library's.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        Ok(TokenSigner {
            encoding: EncodingKey::from_secret(secret).map_err(refuse)?,
            decoding: DecodingKey::from_secret(secret).map_err(refuse)?,
            validation,
        })
    }

    /// A bearer token that lasts as long as the session would without activity, and a
    /// refresh token that lasts as long as the session can.
    /// `key` is the session's bearer key ([`edigrid_domain::SessionId::bearer_key`]).
    pub fn issue(
        &self,
        key: &SecretHash,
        session: &SessionRecord,
        now: DateTime<Utc>,
    ) -> Result<TokenPair, Error> {
        let make = |typ, exp: DateTime<Utc>| {
            let claims = Claims {
                sub: session.user_id.to_string(),
                sid: key.to_hex(),
                generation: session.token_generation,
                typ,
                iat: now.timestamp(),
                exp: exp.timestamp(),
            };
            encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| {
                tracing::error!(error = %e, "signing a token failed");
                Error::Internal
            })
        };
        Ok(TokenPair {
            token: make(TokenKind::Access, session.expires)?,
            refresh_token: make(TokenKind::Refresh, session.max_expires)?,
            expires_at: session.expires,
            user_id: session.user_id,
        })
    }

    /// Checks signature, algorithm, kind and (unless `allow_expired`) expiry; returns the
    /// bearer key and generation the token names (the session's stored hash is the key's
    /// digest).
    pub fn verify(
        &self,
        token: &str,
        kind: TokenKind,
        now: DateTime<Utc>,
        allow_expired: bool,
    ) -> Result<(SecretHash, i32), Error> {
        let invalid = || Error::Session(SessionProblem::Malformed);
        let data = decode::<Claims>(token.trim(), &self.decoding, &self.validation)
            .map_err(|_| invalid())?;
        let claims = data.claims;
        if claims.typ != kind {
            return Err(invalid());
        }
        if !allow_expired && now.timestamp() >= claims.exp {
            return Err(Error::Session(SessionProblem::Expired));
        }
        let hash = unhex(&claims.sid).ok_or_else(invalid)?;
        Ok((hash, claims.generation))
    }
}
