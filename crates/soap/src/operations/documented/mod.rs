//! The documented dialect (SPEC sections 3-4, SPEC-VAN 13-14): namespace
//! `http://www.ecgridos.net/`, the shapes of the published documentation. Our WSDL and help
//! pages describe this table. Each area file holds its operations (shape and handler side by
//! side); this file holds the table that lists them and the types they share.

/// `directory!(handler)`: the handler of a directory operation. The services' refusal of an
/// object out of the caller's reach names the number asked for; the fault leaves it out, as
/// the deployed dialect's and REST's do, so that an object that exists and one that does not
/// get the same fault word for word (SPEC-VAN 14).
macro_rules! directory {
    ($f:ident) => {
        |call| {
            Box::pin(async move {
                $f(call)
                    .await
                    .map_err(crate::operations::deployed::same_for_any_id)
            })
        }
    };
}

mod callbacks;
mod carbon_copies;
mod interchanges;
mod interconnects;
mod keys;
mod mailboxes;
mod networks;
mod parcels;
mod partners;
mod reports;
mod sessions;
mod users;

pub(crate) use sessions::{generate_api_key, user_get_api_key};

use std::str::FromStr;

use edigrid_core::{Address, Page, Paged};
use edigrid_domain::{Error, MailboxId, NetworkId, ParamProblem, UserStatus};

use super::{Dialect, VERSION};
use crate::args::Args;
use crate::deployed_schema::types;
use crate::schema::{ComplexType, EnumType, Field, Value, XsdType};

/// The documented ECGridOS v4.1 namespace.
pub const ECGRIDOS_NS: &str = "http://www.ecgridos.net/";

pub static AUTH_LEVEL: EnumType = EnumType {
    name: "AuthLevel",
    values: &[
        "NoChange",
        "Root",
        "TechOps",
        "NetOps",
        "NetworkAdmin",
        "NetworkUser",
        "MailboxAdmin",
        "MailboxUser",
        "TPUser",
        "General",
    ],
};

pub static STATUS: EnumType = EnumType {
    name: "Status",
    values: &[
        "Development",
        "Active",
        "Preproduction",
        "Suspended",
        "Terminated",
    ],
};

pub static SESSION_ID_INFO: ComplexType = ComplexType {
    name: "SessionIDInfo",
    fields: &[
        Field::new("SessionID", XsdType::String),
        Field::new("UserID", XsdType::Int),
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("Created", XsdType::DateTime),
        Field::new("Expires", XsdType::DateTime),
    ],
};

pub static USER_ID_INFO: ComplexType = ComplexType {
    name: "UserIDInfo",
    fields: &[
        Field::new("UserID", XsdType::Int),
        Field::new("Login", XsdType::String),
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("AuthLevel", XsdType::Enum(&AUTH_LEVEL)),
        Field::new("FirstName", XsdType::String),
        Field::new("LastName", XsdType::String),
        Field::new("Company", XsdType::String),
        Field::new("EMail", XsdType::String),
        Field::new("Status", XsdType::Enum(&STATUS)).optional(),
        Field::new("LastLogin", XsdType::DateTime).optional(),
        Field::new("OpenSessions", XsdType::Int).optional(),
        // The users pages' spelling and their creation date, after WhoAmI's fields so that
        // clients of WhoAmI read the type as before.
        Field::new("Email", XsdType::String),
        Field::new("Created", XsdType::DateTime).optional(),
        Field::new("Modified", XsdType::DateTime).optional(),
    ],
};

/// The networks pages' six fields, then the rest of the record (optional, so that clients
/// built from the pages read it as documented).
pub static NETWORK_ID_INFO: ComplexType = ComplexType {
    name: "NetworkIDInfo",
    fields: &[
        Field::new("NetworkID", XsdType::Int),
        Field::new("UniqueID", XsdType::String),
        Field::new("CompanyName", XsdType::String),
        Field::new("Status", XsdType::Enum(&STATUS)),
        Field::new("Created", XsdType::DateTime),
        Field::new("Modified", XsdType::DateTime),
        Field::new("Location", XsdType::String),
        Field::new("Address1", XsdType::String),
        Field::new("Address2", XsdType::String),
        Field::new("City", XsdType::String),
        Field::new("State", XsdType::String),
        Field::new("Zip", XsdType::String),
        Field::new("Country", XsdType::String),
        Field::new("Phone", XsdType::String),
        Field::new("AdminEmail", XsdType::String),
        Field::new("HomeWebsite", XsdType::String),
        Field::new("SupportWebsite", XsdType::String),
        Field::new("LoginWebsite", XsdType::String),
        Field::new("DeleteOnDownload", XsdType::Boolean).optional(),
        Field::new("ElementDelimiter", XsdType::String),
        Field::new("SubElementDelimiter", XsdType::String),
        Field::new("SegmentTerminator", XsdType::String),
    ],
};

/// The mailboxes pages' seven fields, then the rest of the record and its configuration.
pub static MAILBOX_ID_INFO: ComplexType = ComplexType {
    name: "MailboxIDInfo",
    fields: &[
        Field::new("MailboxID", XsdType::Int),
        Field::new("NetworkID", XsdType::Int),
        Field::new("UniqueID", XsdType::String),
        Field::new("CompanyName", XsdType::String),
        Field::new("Status", XsdType::Enum(&STATUS)),
        Field::new("Created", XsdType::DateTime),
        Field::new("Modified", XsdType::DateTime),
        Field::new("Description", XsdType::String),
        Field::new("Address1", XsdType::String),
        Field::new("Address2", XsdType::String),
        Field::new("City", XsdType::String),
        Field::new("State", XsdType::String),
        Field::new("Zip", XsdType::String),
        Field::new("Country", XsdType::String),
        Field::new("Phone", XsdType::String),
        Field::new("AdminEmail", XsdType::String),
        Field::new("Managed", XsdType::Boolean).optional(),
        Field::new("UseType", XsdType::Enum(&types::UseType)).optional(),
        Field::new("InBoxTimeout", XsdType::Short).optional(),
        Field::new("DeleteOnDownload", XsdType::Boolean).optional(),
        Field::new("NotifyEmail", XsdType::String),
        Field::new("NotifyOnInBox", XsdType::Boolean).optional(),
        Field::new("ElementDelimiter", XsdType::String),
        Field::new("SubElementDelimiter", XsdType::String),
        Field::new("SegmentTerminator", XsdType::String),
    ],
};

/// The ids pages' nine fields, then the rest of the registration.
pub static ECGRID_ID_INFO: ComplexType = ComplexType {
    name: "ECGridIDInfo",
    fields: &[
        Field::new("ECGridID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("NetworkID", XsdType::Int),
        Field::new("Qualifier", XsdType::String),
        Field::new("ID", XsdType::String),
        Field::new("Description", XsdType::String),
        Field::new("Status", XsdType::Enum(&STATUS)),
        Field::new("RoutingGroup", XsdType::Enum(&types::RoutingGroup)),
        Field::new("EDIStandard", XsdType::Enum(&types::EDIStandard)),
        Field::new("DataEmail", XsdType::String),
        Field::new("MailboxDefault", XsdType::Boolean).optional(),
        Field::new("OwnerUserID", XsdType::Int).optional(),
        Field::new("VAN", XsdType::Boolean).optional(),
        Field::new("Created", XsdType::DateTime).optional(),
        Field::new("Modified", XsdType::DateTime).optional(),
    ],
};

/// Why the documented dialect refuses an operation.
const NO_COMMUNICATIONS: &str =
    "configures communications (a gateway Comm record, a VPN tunnel) that edigrid does not have";
/// Why the documented dialect refuses the `Comm*` and `Cert*` pages (SPEC-VAN 12).
const NO_OUTSIDE: &str =
    "needs AS2/FTP/SFTP/X.400 communications and certificates, which edigrid does not have";

pub static DOCUMENTED: Dialect = Dialect {
    ns: ECGRIDOS_NS,
    also: &[],
    unsupported: &[
        ("NetworkGateway", NO_COMMUNICATIONS),
        ("NetworkVPN", NO_COMMUNICATIONS),
        ("CertAddPrivate", NO_OUTSIDE),
        ("CertificateAddPublic", NO_OUTSIDE),
        ("CertificateCreatePrivate", NO_OUTSIDE),
        ("CertificateRenewPrivate", NO_OUTSIDE),
        ("CertificateTerminate", NO_OUTSIDE),
        ("CommAdd", NO_OUTSIDE),
        ("CommDefaultMailbox", NO_OUTSIDE),
        ("CommFind", NO_OUTSIDE),
        ("CommInfo", NO_OUTSIDE),
        ("CommList", NO_OUTSIDE),
        ("CommPair", NO_OUTSIDE),
        ("CommSetPair", NO_OUTSIDE),
        ("CommUpdate", NO_OUTSIDE),
    ],
    operations: &[
        sessions::LOGIN,
        sessions::LOGOUT,
        sessions::SESSION_INFO,
        sessions::WHO_AM_I,
        VERSION,
        sessions::SESSION_LOG,
        sessions::GENERATE_API_KEY,
        sessions::USER_GET_API_KEY,
        users::USER_ADD,
        users::USER_INFO,
        users::USER_LIST,
        users::USER_PASSWORD,
        users::USER_RESET,
        users::USER_SET_AUTH_LEVEL,
        users::USER_SUSPEND,
        users::USER_TERMINATE,
        users::USER_UPDATE,
        networks::NETWORK_ADD,
        networks::NETWORK_INFO,
        networks::NETWORK_LIST,
        networks::NETWORK_SET_STATUS,
        networks::NETWORK_STATUS_SUMMARY_OP,
        networks::NETWORK_UPDATE,
        mailboxes::MAILBOX_ADD,
        mailboxes::MAILBOX_CONFIG,
        mailboxes::MAILBOX_DELETE_ON_DOWNLOAD,
        mailboxes::MAILBOX_DESCRIPTION,
        mailboxes::MAILBOX_IN_BOX_TIMEOUT,
        mailboxes::MAILBOX_INFO,
        mailboxes::MAILBOX_LIST,
        mailboxes::MAILBOX_MANAGED,
        mailboxes::MAILBOX_X12_DELIMITERS,
        partners::ECGRID_ID_INFO_OP,
        partners::TP_ADD,
        partners::TP_ADD_VAN,
        partners::TP_INFO,
        partners::TP_LIST,
        partners::TP_MOVE,
        partners::TP_SEARCH,
        parcels::PARCEL_UPLOAD,
        parcels::PARCEL_UPLOAD_EX,
        parcels::PARCEL_UPLOAD_MFT,
        parcels::PARCEL_IN_BOX,
        parcels::PARCEL_IN_BOX_EX,
        parcels::PARCEL_IN_BOX_ARCHIVE,
        parcels::PARCEL_OUT_BOX,
        parcels::PARCEL_INFO,
        parcels::PARCEL_DOWNLOAD,
        parcels::PARCEL_DOWNLOAD_CONFIRM,
        parcels::PARCEL_NOTE,
        parcels::PARCEL_RESEND,
        interchanges::INTERCHANGE_IN_BOX,
        interchanges::INTERCHANGE_OUT_BOX,
        interchanges::INTERCHANGE_INFO,
        interchanges::INTERCHANGE_HEADER_INFO,
        interchanges::INTERCHANGE_DATE,
        interchanges::INTERCHANGE_MANIFEST,
        interchanges::INTERCHANGE_CANCEL,
        interchanges::INTERCHANGE_RESEND,
        callbacks::CALLBACK_ADD,
        callbacks::CALLBACK_EVENT_INFO,
        callbacks::CALLBACK_EVENT_LIST,
        callbacks::CALLBACK_FAILED_LIST,
        callbacks::CALLBACK_PENDING_LIST,
        callbacks::CALLBACK_QUEUE_INFO,
        callbacks::CALLBACK_TEST,
        reports::REPORT_INSTANT_STATS,
        reports::REPORT_INTERCHANGE_STATS,
        reports::REPORT_MAILBOX_STATS,
        reports::REPORT_MONTHLY,
        reports::REPORT_TRAFFIC_STATS,
        keys::KEY_GET,
        keys::KEY_LIST,
        keys::KEY_REMOVE,
        keys::KEY_SET,
        carbon_copies::CARBON_COPY_ADD,
        carbon_copies::CARBON_COPY_INFO,
        carbon_copies::CARBON_COPY_LIST,
        carbon_copies::CARBON_COPY_ACTIVATE,
        carbon_copies::CARBON_COPY_SUSPEND,
        carbon_copies::CARBON_COPY_TERMINATE,
        interconnects::INTERCONNECT_ADD,
        interconnects::INTERCONNECT_CANCEL,
        interconnects::INTERCONNECT_COUNT,
        interconnects::INTERCONNECT_INFO,
        interconnects::INTERCONNECT_LIST_BY_ECGRID_ID,
        interconnects::INTERCONNECT_LIST_BY_STATUS,
        interconnects::INTERCONNECT_NOTE,
        interconnects::INTERCONNECT_UPDATE,
    ],
};

/// `PageNo` and `RecordsPerPage` of a list; absent or 0 is the first page and the SOAP
/// default size (SPEC-VAN 19).
const PAGE_NO: Field = Field::new("PageNo", XsdType::Short).optional();
const RECORDS_PER_PAGE: Field = Field::new("RecordsPerPage", XsdType::Short).optional();

/// The filters of a list, each read by the function named after it: a `NetworkID` or
/// `MailboxID` of 0 (or absent) and an absent `Status` filter nothing.
const NETWORK_FILTER: Field = Field::new("NetworkID", XsdType::Int).optional();
const MAILBOX_FILTER: Field = Field::new("MailboxID", XsdType::Int).optional();
const STATUS_FILTER: Field = Field::new("Status", XsdType::Enum(&STATUS)).optional();

/// Records per page when a SOAP list does not say (SPEC-VAN 19).
const DEFAULT_PAGE_SIZE: u32 = 100;

/// The page a list call asks for.
fn page(args: &Args) -> Result<Page, Error> {
    Page::parse(
        args.int("PageNo"),
        args.int("RecordsPerPage"),
        DEFAULT_PAGE_SIZE,
    )
}

/// A page of records as an `ArrayOf...`.
fn list<T>(paged: Paged<T>, record: impl Fn(&T) -> Value) -> Value {
    Value::List(paged.items.iter().map(record).collect())
}

/// [`NETWORK_FILTER`]: 0 (or absent) is every network the caller may read.
fn network_filter(args: &Args) -> Option<NetworkId> {
    Some(NetworkId(args.int(NETWORK_FILTER.name))).filter(|n| n.0 != 0)
}

/// [`MAILBOX_FILTER`]: 0 (or absent) is every mailbox the caller may read.
fn mailbox_filter(args: &Args) -> Option<MailboxId> {
    Some(MailboxId(args.int(MAILBOX_FILTER.name))).filter(|m| m.0 != 0)
}

/// An enumeration argument as the domain's type (the reader has checked it is one of the
/// values); absent is `None`.
fn enum_arg<T: FromStr<Err = String>>(args: &Args, name: &str) -> Result<Option<T>, Error> {
    match args.enumeration(name) {
        "" => Ok(None),
        value => value
            .parse()
            .map(Some)
            .map_err(|e| Error::invalid(name, ParamProblem::Type, e)),
    }
}

/// An enumeration the WSDL requires (the reader has refused a request without it).
fn required_enum<T: FromStr<Err = String>>(args: &Args, name: &str) -> Result<T, Error> {
    enum_arg(args, name)?.ok_or_else(|| Error::invalid(name, ParamProblem::Value, "is missing"))
}

/// [`STATUS_FILTER`]: absent is every status.
fn status_filter(args: &Args) -> Result<Option<UserStatus>, Error> {
    enum_arg(args, STATUS_FILTER.name)
}

/// The address elements of `NetworkAdd` and `MailboxAdd`, as the pages give them (without a
/// country).
fn address_arg(args: &Args) -> Address {
    let text = |name: &str| args.str(name).to_string();
    Address {
        address1: text("Address1"),
        address2: text("Address2"),
        city: text("City"),
        state: text("State"),
        zip: text("Zip"),
        country: String::new(),
    }
}

/// A string parameter as a change: absent leaves the field as it is.
fn change(args: &Args, name: &str) -> Option<String> {
    args.has(name).then(|| args.str(name).to_string())
}

/// An error the services raise naming their own parameter (`from`), named as this dialect
/// calls it (`to`).
fn renamed(error: Error, names: &[(&str, &str)]) -> Error {
    match error {
        Error::InvalidParameter {
            item,
            problem,
            detail,
        } => {
            let item = rename(item, names);
            Error::InvalidParameter {
                item,
                problem,
                detail,
            }
        }
        Error::NotFound { item } => Error::NotFound {
            item: rename(item, names),
        },
        other => other,
    }
}

fn rename(item: String, names: &[(&str, &str)]) -> String {
    names
        .iter()
        .find(|(from, _)| *from == item)
        .map_or(item, |(_, to)| (*to).to_string())
}

fn status_value(status: UserStatus) -> Value {
    Value::Enum(status.as_str())
}

/// A count as the wire's `int`.
fn count(n: u64) -> Value {
    Value::Int(i32::try_from(n).unwrap_or(i32::MAX))
}

/// A delimiter byte as the pages show it: one character, empty when unset.
fn delimiter(byte: u8) -> Value {
    Value::Str(if byte == 0 {
        String::new()
    } else {
        char::from(byte).to_string()
    })
}
