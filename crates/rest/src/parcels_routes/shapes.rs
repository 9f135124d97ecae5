//! The parcel pages' wire shapes shared by several routes: the enumerations as the REST API
//! names them, a parcel as the lists and reads answer it (`ParcelIDInfo`), and the times a
//! list body bounds its range with.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use edigrid_core::parcels::model::Parcel;
use edigrid_domain::{Direction, EdiStandard, InterchangeStatus, ParcelState, ParcelValid};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::envelope::ApiError;
use crate::wire::{Wire, WireEnum};

/// The parcel enumerations as the REST API names them, each exactly as the domain spells it.
macro_rules! parcel_enum {
    ($($ty:ty => $label:literal;)*) => {
        $(
            impl WireEnum for $ty {
                const LABEL: &'static str = $label;
                fn names() -> Vec<&'static str> {
                    <$ty>::ALL.iter().map(|v| v.as_str()).collect()
                }
                fn name(self) -> &'static str {
                    self.as_str()
                }
            }
        )*
    };
}

parcel_enum! {
    ParcelState => "ParcelStatus";
    ParcelValid => "ParcelValid";
    Direction => "Direction";
    InterchangeStatus => "InterchangeStatus";
    EdiStandard => "EDIStandard";
}

pub type ParcelStatusName = Wire<ParcelState>;
pub type ParcelValidName = Wire<ParcelValid>;
pub type DirectionName = Wire<Direction>;
pub type InterchangeStatusName = Wire<InterchangeStatus>;
pub type StandardName = Wire<EdiStandard>;

/// A parcel as the parcels pages show one (`ParcelIDInfo`), and what else edigrid knows of
/// it that a client may want.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ParcelIDInfo)]
pub struct ParcelIdInfo {
    pub parcel_id: i64,
    /// The mailbox whose box it is in: the sender's for outbound parcels, the receiver's
    /// for inbound ones.
    pub mailbox_id: i32,
    pub network_id: i32,
    pub file_name: String,
    pub bytes: i64,
    pub status: ParcelStatusName,
    /// Of its first interchange (or as the upload named them); 0 where unknown.
    pub ec_grid_id_from: i32,
    pub ec_grid_id_to: i32,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
    /// When its status last changed.
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub modified: DateTime<Utc>,
    pub direction: DirectionName,
    pub valid: ParcelValidName,
    pub mailbag_control_id: String,
    pub interchange_count: i32,
}

impl From<Parcel> for ParcelIdInfo {
    fn from(p: Parcel) -> Self {
        ParcelIdInfo {
            parcel_id: p.id.0,
            mailbox_id: p.mailbox_id.0,
            network_id: p.network_id.0,
            file_name: p.file_name,
            bytes: p.bytes,
            status: Wire(p.state),
            ec_grid_id_from: p.ecgrid_from.0,
            ec_grid_id_to: p.ecgrid_to.0,
            created: p.created,
            modified: p.state_changed,
            direction: Wire(p.direction),
            valid: Wire(p.valid),
            mailbag_control_id: p.mailbag_control_id,
            interchange_count: p.interchange_count,
        }
    }
}

/// A time in a list body: RFC 3339 (`2026-05-07T10:00:00Z`), a date and time without a zone
/// (taken as UTC), or a date (`2026-05-07`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireTime {
    pub at: DateTime<Utc>,
    /// Given as a date only: an end date then means the whole day.
    pub date_only: bool,
}

impl<'de> Deserialize<'de> for WireTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let t = text.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(t) {
            return Ok(WireTime {
                at: at.with_timezone(&Utc),
                date_only: false,
            });
        }
        for format in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
        ] {
            if let Ok(at) = NaiveDateTime::parse_from_str(t, format) {
                return Ok(WireTime {
                    at: at.and_utc(),
                    date_only: false,
                });
            }
        }
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|at| WireTime {
                at: at.and_utc(),
                date_only: true,
            })
            .ok_or_else(|| {
                D::Error::custom(format!(
                    "{text:?} is not a date and time (ISO 8601, e.g. 2026-05-07T10:00:00Z)"
                ))
            })
    }
}

impl PartialSchema for WireTime {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some(
                "UTC unless it says otherwise; 0001-01-01 leaves that end of the range open",
            ))
            .into()
    }
}

impl ToSchema for WireTime {}

/// The open-ended bounds of a list's time range: `created` in [since, until).
pub(crate) type Since = Option<DateTime<Utc>>;
pub(crate) type Until = Option<DateTime<Utc>>;

/// `beginDate` and `endDate` as the core takes them: year 1 (the wire's "none") is open; an
/// end given as a date covers that whole day; a begin after the end is refused.
pub(crate) fn date_range(
    begin: Option<WireTime>,
    end: Option<WireTime>,
) -> Result<(Since, Until), ApiError> {
    let open = |t: Option<WireTime>| t.filter(|t| t.at.year() > 1);
    let since = open(begin).map(|t| t.at);
    let until = match open(end) {
        Some(t) if t.date_only => t.at.checked_add_signed(TimeDelta::days(1)),
        // The core's range is [since, until): an end given to the second includes it.
        Some(t) => t.at.checked_add_signed(TimeDelta::seconds(1)),
        None => None,
    };
    if let (Some(s), Some(u)) = (since, until)
        && s >= u
    {
        return Err(ApiError::invalid(
            "invalid field beginDate: must not be after endDate",
        ));
    }
    Ok((since, until))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> Result<WireTime, serde_json::Error> {
        serde_json::from_value(serde_json::Value::String(text.into()))
    }

    #[test]
    fn times_read_as_clients_write_them() {
        let z = time("2026-05-07T10:00:00Z").unwrap();
        assert_eq!(time("2026-05-07T12:00:00+02:00").unwrap().at, z.at);
        assert_eq!(time("2026-05-07T10:00:00").unwrap().at, z.at);
        assert!(time("2026-05-07").unwrap().date_only);
        assert!(time("yesterday").is_err());
        let (since, until) = date_range(Some(time("0001-01-01").unwrap()), Some(z)).unwrap();
        assert_eq!(since, None);
        assert_eq!(until, Some(z.at + TimeDelta::seconds(1)));
        let day = date_range(None, Some(time("2026-05-07").unwrap()))
            .unwrap()
            .1;
        assert_eq!(day, Some(time("2026-05-08T00:00:00Z").unwrap().at));
        assert!(date_range(Some(z), Some(time("2026-05-06").unwrap())).is_err());
    }
}
