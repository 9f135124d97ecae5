use std::fmt;

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{Error, SessionProblem};

/// A SessionID: a random UUID v4 from the operating system's CSPRNG, written upper-case
/// and hyphenated. It is a bearer secret: it is never stored, only its [`SecretHash`].
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(Uuid);

impl SessionId {
    pub fn generate() -> Self {
        // `new_v4` draws from getrandom, i.e. the OS CSPRNG: 122 random bits.
        SessionId(Uuid::new_v4())
    }

    /// Accepts any case, with or without braces, surrounding whitespace ignored.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(Error::Session(SessionProblem::Missing));
        }
        let inner = s
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
            .unwrap_or(s);
        // Only the hyphenated 36-character form is a SessionID; `Uuid::parse_str` would
        // also take the simple and URN forms.
        if inner.len() != 36 {
            return Err(Error::Session(SessionProblem::Malformed));
        }
        Uuid::parse_str(inner)
            .map(SessionId)
            .map_err(|_| Error::Session(SessionProblem::Malformed))
    }

    /// What the store keeps: the digest of [`SessionId::bearer_key`].
    pub fn hash(&self) -> SecretHash {
        self.bearer_key().digest()
    }

    /// What REST bearer tokens name their session by. It is derived from the SessionID and
    /// the store keeps only its digest, so a copy of the database (signing secret included)
    /// cannot make a token, and a token does not give away the SessionID.
    pub fn bearer_key(&self) -> SecretHash {
        let mut buf = Uuid::encode_buffer();
        let canonical = self.0.hyphenated().encode_upper(&mut buf);
        let digest = Sha256::new()
            .chain_update(b"edigrid bearer key:")
            .chain_update(canonical.as_bytes());
        SecretHash(digest.finalize().into())
    }

    /// The first group, kept in clear for display and redacted logs.
    pub fn prefix(&self) -> String {
        self.to_string()[..8].to_string()
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = Uuid::encode_buffer();
        f.write_str(self.0.hyphenated().encode_upper(&mut buf))
    }
}

/// Deliberately opaque: a SessionID must never reach a log through `{:?}`.
impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({}-****)", &self.to_string()[..8])
    }
}

/// SHA-256 of a secret's canonical text: what the store keeps instead of the secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecretHash(pub [u8; 32]);

impl SecretHash {
    pub fn of(bytes: &[u8]) -> Self {
        SecretHash(Sha256::digest(bytes).into())
    }

    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    /// SHA-256 of these 32 bytes: a session's stored hash from its bearer key.
    pub fn digest(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }
}

/// Lower-case hexadecimal, two digits a byte.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretHash({:02x}{:02x}..)", self.0[0], self.0[1])
    }
}

/// The display form of a session the caller does not own: only the first group is shown.
pub fn redact(prefix: &str) -> String {
    format!("{prefix}-****-****-****-************")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_upper_case_v4() {
        let id = SessionId::generate().to_string();
        assert_eq!(id.len(), 36);
        assert_eq!(id, id.to_uppercase());
        assert_eq!(&id[14..15], "4");
    }

    #[test]
    fn parse_accepts_any_case_and_braces_and_canonicalises() {
        let id = SessionId::generate();
        let text = id.to_string();
        for form in [
            text.to_lowercase(),
            format!("{{{text}}}"),
            format!("  {}  ", text.to_lowercase()),
        ] {
            let parsed = SessionId::parse(&form).unwrap();
            assert_eq!(parsed.to_string(), text);
            assert_eq!(parsed.hash(), id.hash());
        }
    }

    #[test]
    fn parse_refuses_other_forms() {
        for bad in [
            "",
            "  ",
            "not-a-session",
            "A1B2C3D4E5F64890ABCDEF1234567890",
            "{A1B2C3D4-E5F6-4890-ABCD-EF1234567890",
        ] {
            assert!(SessionId::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn debug_does_not_reveal_the_secret() {
        let id = SessionId::generate();
        let shown = format!("{id:?}");
        assert!(!shown.contains(&id.to_string()[9..]));
    }

    #[test]
    fn the_stored_hash_is_the_digest_of_the_bearer_key_of_the_canonical_id() {
        let id = SessionId::parse("{a1b2c3d4-0000-4000-8000-00000000abcd}").unwrap();
        let key = SecretHash::of(b"edigrid bearer key:A1B2C3D4-0000-4000-8000-00000000ABCD");
        assert!(id.bearer_key() == key);
        assert!(id.hash() == key.digest());
        assert!(id.hash() != SecretHash::of(id.to_string().as_bytes()));
    }
}
