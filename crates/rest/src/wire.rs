//! What the directory routes share: enumerations as strings (exactly the names the OpenAPI
//! document lists), ids in paths and bodies, pages, X12 delimiters
//! and how trading-partner IDs are shown.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use edigrid_core::Page;
use edigrid_domain::{AuthLevel, CellCarrier, ContactType, RoutingGroup, UseType, UserStatus};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::envelope::ApiError;

/// Records per page when a list request does not say (SPEC-VAN 19).
pub const DEFAULT_PAGE_SIZE: u32 = 25;

/// An enumeration as the REST API writes it: one of its names.
pub trait WireEnum: Copy + FromStr<Err = String> + Send + Sync + 'static {
    /// Its name in the OpenAPI document (upstream's name for it).
    const LABEL: &'static str;
    fn names() -> Vec<&'static str>;
    fn name(self) -> &'static str;
}

/// A value of a [`WireEnum`] in a body or response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wire<T>(pub T);

impl<T: WireEnum> Serialize for Wire<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name())
    }
}

/// Exactly one of the names, as the OpenAPI document lists them (a name in another case is
/// not one of them).
impl<'de, T: WireEnum> Deserialize<'de> for Wire<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let names = T::names();
        if !names.contains(&text.as_str()) {
            return Err(D::Error::custom(format!(
                "unknown {} {text:?}; one of {}",
                T::LABEL,
                names.join(", ")
            )));
        }
        text.parse().map(Wire).map_err(D::Error::custom)
    }
}

impl<T: WireEnum> PartialSchema for Wire<T> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(T::names()))
            .into()
    }
}

impl<T: WireEnum> ToSchema for Wire<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed(T::LABEL)
    }
}

macro_rules! domain_enum {
    ($($ty:ty => $label:literal, $all:expr;)*) => {
        $(
            impl WireEnum for $ty {
                const LABEL: &'static str = $label;
                fn names() -> Vec<&'static str> {
                    $all.iter().map(|v| v.as_str()).collect()
                }
                fn name(self) -> &'static str {
                    self.as_str()
                }
            }
        )*
    };
}

domain_enum! {
    UserStatus => "Status", UserStatus::ALL;
    AuthLevel => "AuthLevel", AuthLevel::ALL;
    RoutingGroup => "RoutingGroup", RoutingGroup::ALL;
    ContactType => "NetworkContactType", ContactType::ALL;
    CellCarrier => "CellCarrier", CellCarrier::ALL;
    UseType => "UseType", UseType::ALL;
}

/// The enumerations as fields name them (the OpenAPI macros want a plain type name).
pub type StatusName = Wire<UserStatus>;
pub type AuthLevelName = Wire<AuthLevel>;
pub type RoutingGroupName = Wire<RoutingGroup>;
pub type ContactTypeName = Wire<ContactType>;
pub type CellCarrierName = Wire<CellCarrier>;
pub type UseTypeName = Wire<UseType>;
pub type EdiStandardName = Wire<EdiStandard>;
pub type EmailSystemName = Wire<EmailSystem>;
pub type EmailPayloadName = Wire<EmailPayload>;

/// Declares an enumeration only REST has: its variants and their names.
macro_rules! rest_enum {
    ($(#[$doc:meta])* $name:ident, $label:literal { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
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

        domain_enum! { $name => $label, $name::ALL; }
    };
}

rest_enum!(
    /// The standard of a trading-partner ID's documents (`EDIStandard`).
    EdiStandard, "EDIStandard" {
        X12 = "X12",
        Edifact = "EDIFACT",
        Tradacoms = "TRADACOMS",
        Vda = "VDA",
        Xml = "XML",
        Txt = "TXT",
        Pdf = "PDF",
        Binary = "Binary",
        Peppol = "PEPPOL",
    }
);

rest_enum!(
    /// How data e-mail is sent (`EMailSystem`).
    EmailSystem, "EMailSystem" { Smtp = "smtp", X400 = "x400" }
);

rest_enum!(
    /// Where the data goes in a data e-mail (`EMailPayload`).
    EmailPayload, "EMailPayload" { Body = "Body", Attachment = "Attachment" }
);

/// The `{id}` of a path: a whole number from 1, else `400` naming `id`.
pub struct IdPath(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::invalid(format!("invalid field id: {e}")))?;
        raw.trim()
            .parse::<i32>()
            .ok()
            .filter(|n| *n > 0)
            .map(IdPath)
            .ok_or_else(|| ApiError::invalid("invalid field id: must be a whole number from 1"))
    }
}

/// A required id of a body: at least 1.
pub fn positive(field: &str, value: i32) -> Result<i32, ApiError> {
    if value > 0 {
        Ok(value)
    } else {
        Err(ApiError::invalid(format!(
            "invalid field {field}: must be a whole number from 1"
        )))
    }
}

/// An optional id filter of a list: absent or 0 is none; negative is refused.
pub fn filter_id(field: &str, value: Option<i32>) -> Result<Option<i32>, ApiError> {
    match value {
        None | Some(0) => Ok(None),
        Some(n) if n > 0 => Ok(Some(n)),
        Some(_) => Err(ApiError::invalid(format!(
            "invalid field {field}: must be 0 (any) or a whole number from 1"
        ))),
    }
}

/// The page a list asks for: `pageNo` from 1 (absent or 0: 1), `recordsPerPage` up to
/// `MAX_PAGE_SIZE` (absent or 0: [`DEFAULT_PAGE_SIZE`]).
pub fn page(page_no: Option<i32>, per_page: Option<i32>) -> Result<Page, ApiError> {
    Ok(Page::parse(
        page_no.unwrap_or(0),
        per_page.unwrap_or(0),
        DEFAULT_PAGE_SIZE,
    )?)
}

/// An update that may also change the status (`PUT /v2/users`, `PUT /v2/ids/{id}`): the
/// other fields first (also when none is given, unless a status is: an empty update still
/// answers the record), then the status through the directory's own status change, which
/// ends sessions and makes `Terminated` final. Answers the record as the last step left it.
/// `update` and `set_status` are the core calls not yet awaited: each runs only if so.
pub async fn changes_then_status<T>(
    changed: bool,
    update: impl Future<Output = Result<T, edigrid_domain::Error>>,
    set_status: Option<impl Future<Output = Result<T, edigrid_domain::Error>>>,
) -> Result<T, edigrid_domain::Error> {
    match set_status {
        None => update.await,
        Some(set_status) => {
            if changed {
                update.await?;
            }
            set_status.await
        }
    }
}

/// One X12 delimiter: a single ASCII character (the core checks which ones may be used).
pub fn delimiter(field: &str, value: &str) -> Result<u8, ApiError> {
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii() => Ok(c as u8),
        _ => Err(ApiError::invalid(format!(
            "invalid field {field}: must be one ASCII character"
        ))),
    }
}

/// Longest X12 interchange ID (ISA06/ISA08).
const X12_ID_LEN: usize = 15;

/// The standard a registered pair is shown with: X12 for an ISA-shaped pair (a
/// two-character qualifier and an ID of up to 15 characters), EDIFACT otherwise. The
/// directory keeps no standard of its own, so this is the only one it can answer.
pub fn standard_of(qualifier: &str, id: &str) -> EdiStandard {
    if qualifier.chars().count() == 2 && id.trim_end().chars().count() <= X12_ID_LEN {
        EdiStandard::X12
    } else {
        EdiStandard::Edifact
    }
}

/// A trading-partner ID as REST shows it: X12 IDs padded with spaces to 15 characters, as
/// upstream does (SPEC-VAN 13); others as registered.
pub fn shown_id(qualifier: &str, id: &str) -> String {
    match standard_of(qualifier, id) {
        EdiStandard::X12 => format!("{id:<X12_ID_LEN$}"),
        _ => id.to_string(),
    }
}

/// Refuses a given `ediStandard` that is not the one the pair has.
pub fn check_standard(
    given: Option<Wire<EdiStandard>>,
    qualifier: &str,
    id: &str,
) -> Result<(), ApiError> {
    let actual = standard_of(qualifier, id);
    match given {
        Some(Wire(s)) if s != actual => Err(ApiError::invalid(format!(
            "invalid field ediStandard: {qualifier}:{} is {actual}, not {s} (edigrid takes the standard from the pair: X12 for a two-character qualifier and an ID of up to 15 characters, EDIFACT otherwise)",
            id.trim_end()
        ))),
        _ => Ok(()),
    }
}

impl fmt::Display for EdiStandard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x12_ids_are_padded_to_15_and_others_are_not() {
        assert_eq!(shown_id("ZZ", "ACME"), "ACME           ");
        assert_eq!(shown_id("01", "123456789012345"), "123456789012345");
        assert_eq!(shown_id("ZZZ", "ACME"), "ACME");
        assert_eq!(shown_id("14", &"X".repeat(20)), "X".repeat(20));
        assert!(check_standard(Some(Wire(EdiStandard::X12)), "ZZ", "A").is_ok());
        assert!(check_standard(Some(Wire(EdiStandard::Edifact)), "ZZ", "A").is_err());
        assert!(check_standard(None, "ZZZ", "A").is_ok());
    }

    #[test]
    fn enumerations_read_their_names_and_list_them() {
        let s: Wire<UserStatus> = serde_json::from_str("\"Suspended\"").unwrap();
        assert_eq!(s, Wire(UserStatus::Suspended));
        for bad in ["\"Gone\"", "\"suspended\""] {
            let e = serde_json::from_str::<Wire<UserStatus>>(bad).unwrap_err();
            assert!(e.to_string().contains("Terminated"), "{e}");
        }
        assert_eq!(
            serde_json::to_string(&Wire(EmailSystem::Smtp)).unwrap(),
            "\"smtp\""
        );
        assert_eq!(<Wire<AuthLevel> as ToSchema>::name(), "AuthLevel");
    }

    #[test]
    fn delimiters_are_one_ascii_character() {
        assert_eq!(delimiter("elementDelimiter", "*").unwrap(), b'*');
        for bad in ["", "**", "é"] {
            let e = delimiter("elementDelimiter", bad).unwrap_err();
            assert!(e.message.contains("elementDelimiter"));
        }
    }
}
