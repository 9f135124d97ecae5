use std::fmt;

/// Why a SessionID (or a key standing in its place) was not accepted. Every variant's text
/// names `SessionID`: clients detect expiry with `message.Contains("SessionID")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionProblem {
    Missing,
    Malformed,
    Unknown,
    Expired,
    Ended,
    OtherClientAddress,
    /// An API key given where a SessionID goes (or in `X-API-Key`) that is not active.
    UnknownApiKey,
}

impl fmt::Display for SessionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SessionProblem::Missing => "Invalid SessionID: no SessionID was given",
            SessionProblem::Malformed => "Invalid SessionID: the value is not a SessionID",
            SessionProblem::Unknown => "Invalid SessionID: no such session; log in again",
            SessionProblem::Expired => "Invalid SessionID: the session has expired; log in again",
            SessionProblem::Ended => "Invalid SessionID: the session has ended; log in again",
            SessionProblem::OtherClientAddress => {
                "Invalid SessionID: the session belongs to another client address; log in again"
            }
            SessionProblem::UnknownApiKey => {
                "Invalid SessionID: the API key is not valid or has been replaced"
            }
        })
    }
}

/// Which rule a parameter broke; decides the legacy error code (7, 8 or 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamProblem {
    /// Not a number, not a boolean, bad enumeration value or date.
    Type,
    /// Too long, or a body too large.
    Length,
    /// Out of range, missing, or malformed.
    Value,
}

/// The one error type of the domain; each front end maps it to its wire form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Session(SessionProblem),
    /// Same text for unknown user, wrong password, suspended, terminated and locked out.
    #[error("Login failed: the login name or password is wrong, or the account may not log in")]
    LoginRefused,
    #[error(
        "Login refused: too many login attempts from this address; retry in {retry_after_secs} s"
    )]
    Throttled { retry_after_secs: u64 },
    #[error("Login refused: this user's session limit is reached")]
    SessionLimitReached,
    #[error("Access denied: {0}")]
    AccessDenied(String),
    #[error("{item} not found")]
    NotFound { item: String },
    #[error("Invalid {item}: {detail}")]
    InvalidParameter {
        item: String,
        problem: ParamProblem,
        detail: String,
    },
    /// Something failed inside; the cause is logged where it happened, never shown.
    #[error("Internal error; the request was not completed")]
    Internal,
}

/// The `ECGridOSSOAPErrorCode` category of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Authentication,
    Authorization,
    ObjectNotFound,
    InvalidParameter,
    SystemError,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Authentication => "Authentication",
            Category::Authorization => "Authorization",
            Category::ObjectNotFound => "ObjectNotFound",
            Category::InvalidParameter => "InvalidParameter",
            Category::SystemError => "SystemError",
        }
    }
}

/// The `ErrorCode` / `ErrorString` pair clients of the deployed service read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyCode {
    SessionTimeout = 1,
    AccessDenied = 2,
    NotFound = 3,
    InvalidDataType = 7,
    InvalidDataLength = 8,
    DataError = 9,
    InternalError = 11,
}

impl LegacyCode {
    pub fn number(self) -> i16 {
        self as i16
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LegacyCode::SessionTimeout => "SessionTimeout",
            LegacyCode::AccessDenied => "AccessDenied",
            LegacyCode::NotFound => "NotFound",
            LegacyCode::InvalidDataType => "InvalidDataType",
            LegacyCode::InvalidDataLength => "InvalidDataLength",
            LegacyCode::DataError => "DataError",
            LegacyCode::InternalError => "InternalError",
        }
    }
}

impl Error {
    pub fn invalid(item: &str, problem: ParamProblem, detail: impl Into<String>) -> Self {
        Error::InvalidParameter {
            item: item.to_string(),
            problem,
            detail: detail.into(),
        }
    }

    pub fn not_found(item: &str) -> Self {
        Error::NotFound {
            item: item.to_string(),
        }
    }

    pub fn category(&self) -> Category {
        match self {
            Error::Session(_)
            | Error::LoginRefused
            | Error::Throttled { .. }
            | Error::SessionLimitReached => Category::Authentication,
            Error::AccessDenied(_) => Category::Authorization,
            Error::NotFound { .. } => Category::ObjectNotFound,
            Error::InvalidParameter { .. } => Category::InvalidParameter,
            Error::Internal => Category::SystemError,
        }
    }

    pub fn legacy_code(&self) -> LegacyCode {
        match self {
            Error::Session(_) => LegacyCode::SessionTimeout,
            Error::LoginRefused
            | Error::Throttled { .. }
            | Error::SessionLimitReached
            | Error::AccessDenied(_) => LegacyCode::AccessDenied,
            Error::NotFound { .. } => LegacyCode::NotFound,
            Error::InvalidParameter { problem, .. } => match problem {
                ParamProblem::Type => LegacyCode::InvalidDataType,
                ParamProblem::Length => LegacyCode::InvalidDataLength,
                ParamProblem::Value => LegacyCode::DataError,
            },
            Error::Internal => LegacyCode::InternalError,
        }
    }

    /// The parameter at fault, or empty.
    pub fn item(&self) -> &str {
        match self {
            Error::Session(_) => "SessionID",
            Error::NotFound { item } | Error::InvalidParameter { item, .. } => item,
            _ => "",
        }
    }

    /// True when the caller, not the server, is at fault.
    pub fn is_client_fault(&self) -> bool {
        !matches!(self, Error::Internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_session_problem_names_session_id() {
        for p in [
            SessionProblem::Missing,
            SessionProblem::Malformed,
            SessionProblem::Unknown,
            SessionProblem::Expired,
            SessionProblem::Ended,
            SessionProblem::OtherClientAddress,
            SessionProblem::UnknownApiKey,
        ] {
            assert!(Error::Session(p).to_string().contains("SessionID"));
            assert_eq!(Error::Session(p).legacy_code().number(), 1);
        }
    }
}
