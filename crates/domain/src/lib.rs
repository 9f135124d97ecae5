//! The vocabulary of edigrid: what a session, a user, a network and an error *are*,
//! independent of how they travel (SOAP, REST) or where they are kept (SQLite, PostgreSQL).

mod auth_level;
mod directory;
mod error;
mod ids;
mod parcel;
mod password;
mod session_id;

pub use auth_level::{AuthLevel, UserStatus};
pub use directory::{
    CellCarrier, ContactType, MAX_PARTNER_ID_LEN, MAX_QUALIFIER_LEN, PartnerAddress, RoutingGroup,
    UseType, WebsiteType, X12Delimiters, partner_id_key,
};
pub use error::{Category, Error, LegacyCode, ParamProblem, SessionProblem};
pub use ids::{EcGridId, MailboxId, NetworkId, UserId};
pub use parcel::{
    Direction, EdiStandard, InterchangeId, InterchangeStatus, ManifestType, ParcelId, ParcelState,
    ParcelValid,
};
pub use password::{PASSWORD_MIN_LEN, check_password_policy};
pub use session_id::{SecretHash, SessionId, redact, to_hex};

/// Longest login name, e-mail or free-text value accepted anywhere on the wire.
pub const MAX_TEXT_LEN: usize = 256;

/// Checks a login name or any other required text (names of networks, mailboxes):
/// non-empty after trimming, at most [`MAX_TEXT_LEN`] characters. Returns it trimmed.
pub fn parse_required_text(raw: &str, item: &str) -> Result<String, Error> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(
            item,
            ParamProblem::Value,
            "must not be empty",
        ));
    }
    if trimmed.chars().count() > MAX_TEXT_LEN {
        return Err(Error::invalid(
            item,
            ParamProblem::Length,
            format!("longer than {MAX_TEXT_LEN} characters"),
        ));
    }
    Ok(trimmed.to_string())
}

/// The key under which login names are compared: they match case-insensitively.
pub fn login_key(login: &str) -> String {
    login.trim().to_lowercase()
}
