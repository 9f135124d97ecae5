use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// ECGridOS authority levels, strongest first. `NoChange` exists on the wire only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuthLevel {
    NoChange,
    Root,
    TechOps,
    NetOps,
    NetworkAdmin,
    NetworkUser,
    MailboxAdmin,
    MailboxUser,
    TPUser,
    General,
}

impl AuthLevel {
    pub const ALL: [AuthLevel; 10] = [
        AuthLevel::NoChange,
        AuthLevel::Root,
        AuthLevel::TechOps,
        AuthLevel::NetOps,
        AuthLevel::NetworkAdmin,
        AuthLevel::NetworkUser,
        AuthLevel::MailboxAdmin,
        AuthLevel::MailboxUser,
        AuthLevel::TPUser,
        AuthLevel::General,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthLevel::NoChange => "NoChange",
            AuthLevel::Root => "Root",
            AuthLevel::TechOps => "TechOps",
            AuthLevel::NetOps => "NetOps",
            AuthLevel::NetworkAdmin => "NetworkAdmin",
            AuthLevel::NetworkUser => "NetworkUser",
            AuthLevel::MailboxAdmin => "MailboxAdmin",
            AuthLevel::MailboxUser => "MailboxUser",
            AuthLevel::TPUser => "TPUser",
            AuthLevel::General => "General",
        }
    }

    /// Lower is stronger: `Root` is 1, `General` 9.
    fn rank(self) -> u8 {
        Self::ALL
            .iter()
            .position(|l| *l == self)
            .unwrap_or(usize::MAX) as u8
    }

    /// True when `self` carries at least the authority of `other`.
    pub fn at_least(self, other: AuthLevel) -> bool {
        self != AuthLevel::NoChange && self.rank() <= other.rank()
    }
}

impl fmt::Display for AuthLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuthLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown AuthLevel {s:?}"))
    }
}

/// ECGridOS account and object status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UserStatus {
    Development,
    Active,
    Preproduction,
    Suspended,
    Terminated,
}

impl UserStatus {
    pub const ALL: [UserStatus; 5] = [
        UserStatus::Development,
        UserStatus::Active,
        UserStatus::Preproduction,
        UserStatus::Suspended,
        UserStatus::Terminated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Development => "Development",
            UserStatus::Active => "Active",
            UserStatus::Preproduction => "Preproduction",
            UserStatus::Suspended => "Suspended",
            UserStatus::Terminated => "Terminated",
        }
    }

    pub fn may_log_in(self) -> bool {
        !matches!(self, UserStatus::Suspended | UserStatus::Terminated)
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UserStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown Status {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_order_is_the_documented_one() {
        assert!(AuthLevel::Root.at_least(AuthLevel::TechOps));
        assert!(AuthLevel::NetworkAdmin.at_least(AuthLevel::MailboxAdmin));
        assert!(!AuthLevel::MailboxAdmin.at_least(AuthLevel::NetworkUser));
        assert!(AuthLevel::General.at_least(AuthLevel::General));
        assert!(!AuthLevel::NoChange.at_least(AuthLevel::General));
    }

    #[test]
    fn names_round_trip() {
        for l in AuthLevel::ALL {
            assert_eq!(l.as_str().parse::<AuthLevel>().unwrap(), l);
        }
        assert!("Emperor".parse::<AuthLevel>().is_err());
    }
}
