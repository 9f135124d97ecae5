//! The directory's vocabulary: trading-partner numbers, contact and website kinds, mailbox
//! use, routing groups and X12 delimiters, as the ECGridOS enumerations name them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, ParamProblem};

/// Declares a wire enumeration: its variants, their names on the wire (in the WSDL's
/// order), `as_str`, `ALL`, `Display` and a case-insensitive `FromStr`.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident, $label:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
                    .ok_or_else(|| format!(concat!("unknown ", $label, " {:?}"), s))
            }
        }
    };
}

pub(crate) use wire_enum;

wire_enum!(
    /// The seven contacts of a network or mailbox (`NetworkContactType`).
    ContactType, "ContactType" {
        Owner = "Owner",
        Errors = "Errors",
        Interconnects = "Interconnects",
        Notices = "Notices",
        Reports = "Reports",
        Accounting = "Accounting",
        CustomerService = "CustomerService",
    }
);

wire_enum!(
    /// A network's three websites (`NetworkWebsiteType`).
    WebsiteType, "WebsiteType" { Home = "Home", Support = "Support", Login = "Login" }
);

wire_enum!(
    /// What a mailbox is used for (`UseType`).
    #[derive(Default)]
    UseType, "UseType" {
        #[default]
        Undefined = "Undefined",
        Test = "Test",
        Production = "Production",
        TestAndProduction = "TestAndProduction",
    }
);

wire_enum!(
    /// A trading-partner ID's routing group (`RoutingGroup`).
    #[derive(Default)]
    RoutingGroup, "RoutingGroup" {
        #[default]
        ProductionA = "ProductionA",
        ProductionB = "ProductionB",
        Migration1 = "Migration1",
        Migration2 = "Migration2",
        NetOpsOnly1 = "NetOpsOnly1",
        NetOpsOnly2 = "NetOpsOnly2",
        ManagedFileTransfer = "ManagedFileTransfer",
        SuperHub = "SuperHub",
        Test = "Test",
        Suspense1 = "Suspense1",
        Suspense2 = "Suspense2",
        Suspense3 = "Suspense3",
    }
);

wire_enum!(
    /// A user's mobile carrier (`CellCarrier`); `NoChange` exists on the wire only.
    #[derive(Default)]
    CellCarrier, "CellCarrier" {
        NoChange = "NoChange",
        #[default]
        Undefined = "Undefined",
        ATTCingular = "ATTCingular",
        Verizon = "Verizon",
        TMobile = "TMobile",
        SprintPCS = "SprintPCS",
        Nextel = "Nextel",
        Alltel = "Alltel",
        VirginMobile = "VirginMobile",
        ATTPreCingular = "ATTPreCingular",
        ATT = "ATT",
        BoostMobile = "BoostMobile",
        USCellular = "USCellular",
        MetroPCS = "MetroPCS",
        Powertel = "Powertel",
    }
);

/// The three X12 delimiters a network or mailbox may impose on what it receives, as bytes;
/// `0` means "not set" (the mailbox falls back to its network, the network to none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct X12Delimiters {
    pub segment: u8,
    pub element: u8,
    pub sub_element: u8,
}

impl X12Delimiters {
    /// Checks a set: each byte is 0 (unset) or a printable or control character that is not
    /// a letter, digit or space, and the set ones differ from each other.
    pub fn new(segment: u8, element: u8, sub_element: u8) -> Result<Self, Error> {
        let bytes = [
            ("SegTerm", segment),
            ("ElmSep", element),
            ("SubElmSep", sub_element),
        ];
        for (item, b) in bytes {
            if b != 0 && (b.is_ascii_alphanumeric() || b == b' ' || b >= 0x80) {
                return Err(Error::invalid(
                    item,
                    ParamProblem::Value,
                    "a delimiter must not be a letter, digit, space or non-ASCII byte",
                ));
            }
        }
        for (i, (item, a)) in bytes.iter().enumerate() {
            if *a != 0 && bytes[i + 1..].iter().any(|(_, b)| b == a) {
                return Err(Error::invalid(
                    item,
                    ParamProblem::Value,
                    "the three delimiters must differ",
                ));
            }
        }
        Ok(X12Delimiters {
            segment,
            element,
            sub_element,
        })
    }

    pub fn is_set(&self) -> bool {
        self.segment != 0 || self.element != 0 || self.sub_element != 0
    }
}

/// Longest qualifier: X12 uses 2 characters, EDIFACT partner qualifiers up to 4.
pub const MAX_QUALIFIER_LEN: usize = 4;
/// Longest trading-partner ID: X12 allows 15 characters, EDIFACT 35.
pub const MAX_PARTNER_ID_LEN: usize = 35;

/// A trading partner's `qualifier:ID` as given, checked, and the key under which it is
/// compared: trailing spaces dropped, upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerAddress {
    pub qualifier: String,
    pub id: String,
}

impl PartnerAddress {
    /// Checks a qualifier (empty allowed for EDIFACT, at most 4 characters, no spaces inside)
    /// and an ID (1 to 35 printable ASCII characters after dropping trailing spaces).
    pub fn parse(qualifier: &str, id: &str) -> Result<Self, Error> {
        let qualifier = qualifier.trim();
        if qualifier.chars().count() > MAX_QUALIFIER_LEN
            || !qualifier.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(Error::invalid(
                "Qualifier",
                ParamProblem::Value,
                "must be up to 4 letters or digits (X12 ISA05/07 codes such as 01, 12, ZZ)",
            ));
        }
        let id = id.trim_end();
        if id.is_empty() || id.starts_with(' ') {
            return Err(Error::invalid(
                "ID",
                ParamProblem::Value,
                "must not be empty or begin with a space",
            ));
        }
        if id.chars().count() > MAX_PARTNER_ID_LEN {
            return Err(Error::invalid(
                "ID",
                ParamProblem::Length,
                format!("longer than {MAX_PARTNER_ID_LEN} characters"),
            ));
        }
        if !id.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
            return Err(Error::invalid(
                "ID",
                ParamProblem::Value,
                "must be printable ASCII",
            ));
        }
        Ok(PartnerAddress {
            qualifier: qualifier.to_string(),
            id: id.to_string(),
        })
    }

    /// The qualifier as compared (upper case).
    pub fn qualifier_key(&self) -> String {
        self.qualifier.to_ascii_uppercase()
    }

    /// The ID as compared: trailing spaces dropped, upper case.
    pub fn id_key(&self) -> String {
        partner_id_key(&self.id)
    }
}

/// The key under which trading-partner IDs are compared: trailing spaces dropped, upper case.
pub fn partner_id_key(id: &str) -> String {
    id.trim_end().to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_ids_compare_without_trailing_spaces_and_case() {
        let a = PartnerAddress::parse("zz", "Acme  ").unwrap();
        let b = PartnerAddress::parse("ZZ", "ACME").unwrap();
        assert_eq!(
            (a.qualifier_key(), a.id_key()),
            (b.qualifier_key(), b.id_key())
        );
        assert_eq!(a.id, "Acme");
        assert!(PartnerAddress::parse("ZZZZZ", "X").is_err());
        assert!(PartnerAddress::parse("ZZ", "   ").is_err());
        assert!(PartnerAddress::parse("ZZ", &"X".repeat(36)).is_err());
        assert!(PartnerAddress::parse("", "EDIFACTPARTY").is_ok());
    }

    #[test]
    fn delimiters_must_be_distinct_non_alphanumerics() {
        assert!(X12Delimiters::new(b'~', b'*', b':').is_ok());
        assert!(X12Delimiters::new(0, 0, 0).is_ok());
        assert!(X12Delimiters::new(b'~', b'~', b':').is_err());
        assert!(X12Delimiters::new(b'A', b'*', b':').is_err());
    }

    #[test]
    fn enum_names_round_trip() {
        for c in ContactType::ALL {
            assert_eq!(c.as_str().parse::<ContactType>().unwrap(), *c);
        }
        assert_eq!(RoutingGroup::ALL.len(), 12);
        assert_eq!(CellCarrier::ALL.len(), 15);
    }
}
