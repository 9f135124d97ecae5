//! The deployed dialect (SPEC section 11): the shapes of the hosted ECGridOS v4.1 service's
//! WSDL (`https://os.ecgrid.io/`, Build 472), also served to v3-era clients in
//! `http://ecgridos.net/`. Names, order and types follow that WSDL exactly; its clients
//! hold their own copy, so no WSDL is generated for this table.

use edigrid_core::{
    Caller, CreatedBetween, LockedOutUser, LoginRequest, SenderInfo, SessionActivity, SessionCap,
    SessionLogLimit, SessionState, generate_password,
};
use edigrid_domain::{Error, MailboxId, NetworkId, ParamProblem, UserId};

use super::documented::{AUTH_LEVEL, STATUS, generate_api_key, user_get_api_key};
use super::{
    Call, Dialect, Operation, SESSION_ID, VERSION, authenticate, end_session, handler,
    open_session, version_value,
};
use crate::schema::{ComplexType, EnumType, Field, Value, XsdType};

/// The hosted v4.1 service's namespace.
pub const DEPLOYED_NS: &str = "https://os.ecgrid.io/";
/// The namespace of v3-era clients, served the same shapes.
pub const V3_NS: &str = "http://ecgridos.net/";

/// Shortest and longest password `GeneratePassword` makes.
const GENERATED_PASSWORD_LEN: std::ops::RangeInclusive<i32> = 8..=128;

/// The values of the WSDL's `APICall` enumeration that edigrid writes: its own operations
/// that act in a session.
static API_CALL: EnumType = EnumType {
    name: "APICall",
    values: &[
        "GenerateAPIKey",
        "Login",
        "Logout",
        "ChangePassword",
        "WhoAmI",
        "UserReset",
        "SessionLog",
        "SessionLogEx",
        "SessionLogCurrent",
        "UserListLockedOut",
        "UserListLockedOutEx",
        "GeneratePassword",
        "UserGetAPIKey",
        "UserSetMaxSessions",
    ],
};

static RET_CODE: EnumType = EnumType {
    name: "RetCode",
    values: &[
        "Unknown",
        "Success",
        "SessionTimeout",
        "AccessDenied",
        "NotFound",
        "InvalidID",
        "Duplicate",
        "IDExistsOnNetwork",
        "InvalidDataType",
        "InvalidDataLength",
        "DataError",
        "SQLError",
        "InternalError",
    ],
};

static SESSION_STATUS: EnumType = EnumType {
    name: "SessionStatus",
    values: &["Open", "Closed", "Expired"],
};

/// The WSDL's `CellCarrier`; edigrid keeps no carrier, so it writes `Undefined`.
static CELL_CARRIER: EnumType = EnumType {
    name: "CellCarrier",
    values: &["NoChange", "Undefined"],
};

/// WhoAmI's result.
static SESSION_INFO: ComplexType = ComplexType {
    name: "SessionInfo",
    fields: &[
        Field::new("ECGridOSVersion", XsdType::String),
        Field::new("SessionID", XsdType::String),
        Field::new("SessionEventID", XsdType::Int),
        Field::new("UserID", XsdType::Int),
        Field::new("LoginName", XsdType::String),
        Field::new("FirstName", XsdType::String),
        Field::new("LastName", XsdType::String),
        Field::new("Company", XsdType::String),
        Field::new("EMail", XsdType::String),
        Field::new("Phone", XsdType::String),
        Field::new("TimeZoneOffset", XsdType::Float),
        Field::new("AuthLevel", XsdType::Enum(&AUTH_LEVEL)),
        Field::new("LastLogin", XsdType::DateTime),
        Field::new("OpenSessions", XsdType::Short),
        Field::new("TimeOut", XsdType::Short),
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("ip", XsdType::String),
    ],
};

static SESSION_EVENTS: ComplexType = ComplexType {
    name: "SessionEvents",
    fields: &[
        Field::new("APICall", XsdType::Enum(&API_CALL)),
        Field::new("Date", XsdType::DateTime),
        Field::new("Milliseconds", XsdType::Int),
        Field::new("ip", XsdType::String),
        Field::new("ReturnCode", XsdType::Enum(&RET_CODE)),
        Field::new("Comment", XsdType::String),
    ],
};

static SESSION_LOG_INFO: ComplexType = ComplexType {
    name: "SessionLogInfo",
    fields: &[
        Field::new("SessionID", XsdType::String),
        Field::new("StartTime", XsdType::DateTime),
        Field::new("EndTime", XsdType::DateTime),
        Field::new("Expires", XsdType::DateTime),
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("UserID", XsdType::Int),
        Field::new("Status", XsdType::Enum(&SESSION_STATUS)),
        Field::new("Version", XsdType::String),
        Field::new("Events", XsdType::Array(&SESSION_EVENTS)),
    ],
};

static USER_ID_INFO: ComplexType = ComplexType {
    name: "UserIDInfo",
    fields: &[
        Field::new("UserID", XsdType::Int),
        Field::new("LoginName", XsdType::String),
        Field::new("RecoveryQuestion", XsdType::String),
        Field::new("FirstName", XsdType::String),
        Field::new("LastName", XsdType::String),
        Field::new("Company", XsdType::String),
        Field::new("EMail", XsdType::String),
        Field::new("Phone", XsdType::String),
        Field::new("CellPhone", XsdType::String),
        Field::new("CellCarrier", XsdType::Enum(&CELL_CARRIER)),
        Field::new("TimeZoneOffset", XsdType::Short),
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("AuthLevel", XsdType::Enum(&AUTH_LEVEL)),
        Field::new("Created", XsdType::DateTime),
        Field::new("Modified", XsdType::DateTime),
        Field::new("LastLogin", XsdType::DateTime),
        Field::new("Status", XsdType::Enum(&STATUS)),
        Field::new("LockedOut", XsdType::Boolean),
        Field::new("OpenSessions", XsdType::Short),
    ],
};

const USER_ID: Field = Field::new("UserID", XsdType::Int);
const MAX_RECORDS: Field = Field::new("MaxRecords", XsdType::Short);

pub static DEPLOYED: Dialect = Dialect {
    ns: DEPLOYED_NS,
    also: &[V3_NS],
    operations: &[
        Operation {
            name: "Login",
            doc: "Checks a login name and password and opens a session; returns its SessionID.",
            params: &[
                Field::new("LoginName", XsdType::String),
                Field::new("Password", XsdType::String),
            ],
            result: XsdType::String,
            handler: handler!(login),
        },
        Operation {
            name: "Logout",
            doc: "Ends a session; returns how long it lasted in milliseconds, 0 if it was not open.",
            params: &[SESSION_ID],
            result: XsdType::Int,
            handler: handler!(logout),
        },
        Operation {
            name: "WhoAmI",
            doc: "Describes the session and its user.",
            params: &[SESSION_ID],
            result: XsdType::Complex(&SESSION_INFO),
            handler: handler!(who_am_i),
        },
        VERSION,
        Operation {
            name: "NowUTC",
            doc: "The server's time, UTC.",
            params: &[],
            result: XsdType::DateTime,
            handler: handler!(now_utc),
        },
        Operation {
            name: "ChangePassword",
            doc: "Changes the caller's own password; the caller's other sessions end.",
            params: &[
                SESSION_ID,
                Field::new("OldPassword", XsdType::String),
                Field::new("NewPassword", XsdType::String),
            ],
            result: XsdType::Boolean,
            handler: handler!(change_password),
        },
        Operation {
            name: "SessionLog",
            doc: "The caller's sessions with their calls, newest first (at most 500).",
            params: &[SESSION_ID, MAX_RECORDS],
            result: XsdType::Array(&SESSION_LOG_INFO),
            handler: handler!(session_log),
        },
        Operation {
            name: "SessionLogCurrent",
            doc: "The caller's current session with its calls.",
            params: &[SESSION_ID],
            result: XsdType::Complex(&SESSION_LOG_INFO),
            handler: handler!(session_log_current),
        },
        Operation {
            name: "SessionLogEx",
            doc: "A user's sessions begun between StartTime and EndTime, with their calls.",
            params: &[
                SESSION_ID,
                USER_ID,
                Field::new("StartTime", XsdType::DateTime),
                Field::new("EndTime", XsdType::DateTime),
                MAX_RECORDS,
            ],
            result: XsdType::Array(&SESSION_LOG_INFO),
            handler: handler!(session_log_ex),
        },
        Operation {
            name: "GenerateAPIKey",
            doc: "Issues a new API key for a user, replacing the old one at once.",
            params: &[SESSION_ID, USER_ID],
            result: XsdType::String,
            handler: handler!(generate_api_key),
        },
        Operation {
            name: "UserGetAPIKey",
            doc: "The first characters of a user's active API key.",
            params: &[SESSION_ID, USER_ID],
            result: XsdType::String,
            handler: handler!(user_get_api_key),
        },
        Operation {
            name: "UserReset",
            doc: "Ends every session of a user and clears their lockout.",
            params: &[SESSION_ID, USER_ID],
            result: XsdType::Boolean,
            handler: handler!(user_reset),
        },
        Operation {
            name: "UserSetMaxSessions",
            doc: "Sets how many sessions a user may hold open at once.",
            params: &[
                SESSION_ID,
                USER_ID,
                Field::new("MaxSessions", XsdType::Short),
            ],
            result: XsdType::Boolean,
            handler: handler!(user_set_max_sessions),
        },
        Operation {
            name: "UserListLockedOut",
            doc: "Users locked out by failed logins, among those the caller administers.",
            params: &[SESSION_ID],
            result: XsdType::Array(&USER_ID_INFO),
            handler: handler!(user_list_locked_out),
        },
        Operation {
            name: "UserListLockedOutEx",
            doc: "Locked-out users of one network and/or mailbox (0: any).",
            params: &[
                SESSION_ID,
                Field::new("NetworkID", XsdType::Int),
                Field::new("MailboxID", XsdType::Int),
            ],
            result: XsdType::Array(&USER_ID_INFO),
            handler: handler!(user_list_locked_out_ex),
        },
        Operation {
            name: "GeneratePassword",
            doc: "A random password of the given length that meets the password policy.",
            params: &[SESSION_ID, Field::new("Length", XsdType::Short)],
            result: XsdType::String,
            handler: handler!(generate_password_op),
        },
    ],
    unsupported: UNSUPPORTED,
};

/// The other operations of the deployed WSDL (Build 472), in its order.
static UNSUPPORTED: &[&str] = &[
    "InterchangeDate",
    "X400Format",
    "CallBackPendingList",
    "CallBackPendingListEx",
    "CallBackPendingListExA",
    "CallBackFailedList",
    "CallBackFailedListEx",
    "ReportMonthly",
    "ReportMonthlyEx",
    "ReportByDateEx",
    "ReportTrafficStats",
    "ReportTrafficStatsEx",
    "ReportTrafficStatsPublic",
    "ReportInstantStats",
    "ReportInstantStatsEx",
    "ReportMailboxStats",
    "ReportMailboxStatsEx",
    "ReportMailboxInterchangeStats",
    "ReportMailboxInterchangeStatsEx",
    "ReportInterchangeStats",
    "ReportInterchangeStatsEx",
    "CommAdd",
    "CommSetPair",
    "CommPair",
    "CommUpdate",
    "CommList",
    "CommListEx",
    "CommFind",
    "CommInfo",
    "CommSetStatus",
    "CertificateAddPublic",
    "CertificateAddPublicA",
    "CertAddPrivate",
    "CertAddPrivateA",
    "CertificateCreatePrivate",
    "CertificateRenewPrivate",
    "CertificateTerminate",
    "CommDefaultMailbox",
    "ParcelUploadExA",
    "ParcelUpdateStatus",
    "ParcelUpdateLocalStatus",
    "ParcelUploadMft",
    "ParcelUploadMftA",
    "ParcelTest",
    "ParcelSetMailbagControlID",
    "ParcelFindMailbagControlID",
    "ParcelFindMailbagControlIDTo",
    "ParcelManifest",
    "InterchangeManifest",
    "ParcelNoteList",
    "ParcelInBoxArchive",
    "ParcelInBoxArchiveEx",
    "ParcelInBoxArchiveExShort",
    "ParcelInBoxArchiveDescEx",
    "ParcelOutBoxArchive",
    "ParcelOutBoxArchiveEx",
    "ParcelOutBoxArchiveExShort",
    "ParcelOutBoxArchiveDescEx",
    "ParcelOutBoxError",
    "ParcelOutBoxErrorEx",
    "ParcelOutBoxInProcess",
    "ParcelOutBoxInProcessEx",
    "InterchangeInfo",
    "InterchangeInBox",
    "InterchangeInBoxArchive",
    "InterchangeInBoxEx",
    "InterchangeInBoxArchiveEx",
    "InterchangeOutBox",
    "InterchangeOutBoxArchive",
    "InterchangeOutBoxEx",
    "InterchangeOutBoxArchiveEx",
    "InterchangeOutBoxArchiveExNoParcel",
    "InterchangeOutBoxPending",
    "InterchangeOutBoxPendingEx",
    "InterchangeInBoxPending",
    "InterchangeInBoxPendingEx",
    "InterchangeInBoxBlocked",
    "InterchangeInBoxBlockedEx",
    "InterchangeOutBoxBlocked",
    "InterchangeOutBoxBlockedEx",
    "InterchangeHeaderInfo",
    "InterchangeHeaderInfoB",
    "InterchangeOutBoxNoRoute",
    "InterchangeOutBoxNoRouteEx",
    "InterchangeResend",
    "InterchangeCancel",
    "CallBackEventInfo",
    "CallBackEventListEx",
    "CallBackAddEx",
    "CallBackEventSetStatus",
    "CallBackQueueInfo",
    "CallBackTest",
    "MailboxList",
    "MailboxListEx",
    "TPAdd",
    "TPAddVAN",
    "TPAddEx",
    "TPMove",
    "TPMoveMailbox",
    "TPMoveEx",
    "TPUpdateDescription",
    "TPUpdateDataEMail",
    "TPActivate",
    "TPSuspend",
    "TPTerminate",
    "TPSetRoutingGroup",
    "TPInfo",
    "TPSearch",
    "TPSearchEx",
    "TPList",
    "TPListEx",
    "TPListExPaged",
    "TPListByOwner",
    "TPFindEx",
    "TPGetMailboxDefault",
    "TPSetMailboxDefault",
    "TPSetOwner",
    "InterconnectAdd",
    "InterconnectNote",
    "InterconnectCancel",
    "InterconnectInfo",
    "InterconnectInfoGUID",
    "InterconnectNoteList",
    "InterconnectListByECGridID",
    "InterconnectListByStatus",
    "InterconnectListByStatusEx",
    "InterconnectCount",
    "InterconnectCountEx",
    "MigrationAdd",
    "MigrationAddEx",
    "MigrationList",
    "MigrationListEx",
    "MigrationInfo",
    "MigrationAddTP",
    "CarbonCopyAdd",
    "CarbonCopyAddEx",
    "CarbonCopyActivate",
    "CarbonCopySuspend",
    "CarbonCopyTerminate",
    "CarbonCopyInfo",
    "CarbonCopyList",
    "CarbonCopyListEx",
    "ParcelInBox",
    "ParcelInBoxEx",
    "ParcelInBoxExShort",
    "ParcelInfo",
    "ParcelDownload",
    "ParcelDownloadA",
    "ParcelDownloadS3",
    "ParcelDownloadNoUpdate",
    "ParcelDownloadNoUpdateA",
    "ParcelDownloadConfirm",
    "ParcelAcknowledgmentNote",
    "ParcelDownloadCancel",
    "ParcelDownloadConfirmPendingAck",
    "ParcelDownloadReset",
    "ParcelResend",
    "ParcelUpload",
    "ParcelUploadA",
    "ParcelUploadEx",
    "UserAdd",
    "UserAddEx",
    "UserInfo",
    "UserInfobyLogin",
    "UserUpdate",
    "UserPassword",
    "UserActivate",
    "UserSuspend",
    "UserTerminate",
    "UserSendSMS",
    "UserList",
    "UserListEx",
    "UserSetNetworkMailbox",
    "UserSetAuthLevel",
    "KeyGet",
    "KeyList",
    "KeySet",
    "KeySetMinutes",
    "KeyRemove",
    "StatusList",
    "NetworkInfo",
    "NetworkInfoWithLog",
    "NetworkList",
    "NetworkStatusSummary",
    "NetworkOutageList",
    "NetworkUpdate",
    "NetworkSetContact",
    "NetworkGetContact",
    "NetworkSetWebsite",
    "NetworkX12Delimiters",
    "NetworkRootDeleteOnDownload",
    "MailboxAdd",
    "MailboxAddEx",
    "MailboxActivate",
    "MailboxSuspend",
    "MailboxTerminate",
    "MailboxManaged",
    "MailboxDeleteOnDownload",
    "MailboxInfo",
    "MailboxName",
    "MailboxSetContact",
    "MailboxX12Delimiters",
    "MailboxInBoxTimeout",
    "MailboxDescription",
    "MailboxUse",
];

/// Faults name the parameter as this dialect spells it.
fn renamed(e: Error, from: &str, to: &'static str) -> Error {
    match e {
        Error::InvalidParameter {
            item,
            problem,
            detail,
        } if item == from => Error::InvalidParameter {
            item: to.into(),
            problem,
            detail,
        },
        other => other,
    }
}

async fn login(call: Call) -> Result<Value, Error> {
    let request = LoginRequest {
        login: call.args.str("LoginName").to_string(),
        password: call.args.str("Password").to_string(),
        sender: SenderInfo::default(),
    };
    let id = open_session(&call, request)
        .await
        .map_err(|e| renamed(e, "UserName", "LoginName"))?;
    Ok(Value::Str(id.to_string()))
}

async fn logout(call: Call) -> Result<Value, Error> {
    let lasted_ms = end_session(&call).await?.map_or(0, |ended| {
        i32::try_from(ended.lasted.num_milliseconds()).unwrap_or(i32::MAX)
    });
    Ok(Value::Int(lasted_ms))
}

fn short(n: impl TryInto<i16>) -> Value {
    Value::Short(n.try_into().unwrap_or(i16::MAX))
}

fn date_or_unset(t: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    t.map_or(Value::UnsetDateTime, Value::DateTime)
}

async fn who_am_i(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let me = call.core.who_am_i(&caller).await?;
    let summary = caller.summary();
    let (event_id, timeout_secs, ip) = match &caller.session {
        // This call is the session's next one: it is recorded when it completes.
        Some(s) => (
            call.core.session_calls(&s.hash).await? + 1,
            i64::from(s.idle_timeout_secs),
            s.client_ip.clone(),
        ),
        None => (
            0,
            call.core.session_policy().idle_timeout.num_seconds(),
            call.client.to_string(),
        ),
    };
    let u = &me.user;
    Ok(Value::Record(vec![
        ("ECGridOSVersion", version_value()),
        ("SessionID", Value::Str(summary.session_id)),
        (
            "SessionEventID",
            Value::Int(i32::try_from(event_id).unwrap_or(i32::MAX)),
        ),
        ("UserID", Value::Int(u.id.0)),
        ("LoginName", Value::Str(u.login.clone())),
        ("FirstName", Value::Str(u.person.first_name.clone())),
        ("LastName", Value::Str(u.person.last_name.clone())),
        ("Company", Value::Str(u.person.company.clone())),
        ("EMail", Value::Str(u.person.email.clone())),
        ("Phone", Value::Str(u.person.phone.clone())),
        ("TimeZoneOffset", Value::Float(0.0)),
        ("AuthLevel", Value::Enum(u.auth_level.as_str())),
        ("LastLogin", date_or_unset(u.last_login)),
        ("OpenSessions", short(me.open_sessions)),
        ("TimeOut", short(timeout_secs.clamp(0, i64::from(i16::MAX)))),
        ("NetworkID", Value::Int(u.network_id.0)),
        ("MailboxID", Value::Int(u.mailbox_id.0)),
        ("ip", Value::Str(ip)),
    ]))
}

async fn now_utc(call: Call) -> Result<Value, Error> {
    Ok(Value::DateTime(call.core.now()))
}

async fn change_password(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .change_own_password(
            &caller,
            call.args.str("OldPassword"),
            call.args.str("NewPassword"),
        )
        .await
        .map_err(|e| match e {
            // A wrong old password is a refused credential here, as the hosted service
            // answers it: AccessDenied, not a data error.
            Error::InvalidParameter { item, .. } if item == "currentPassword" => {
                Error::AccessDenied("the old password is wrong".into())
            }
            other => renamed(other, "newPassword", "NewPassword"),
        })?;
    Ok(Value::Bool(true))
}

/// The `APICall` and `Comment` of an event: operations the enumeration lacks (the
/// documented dialect's `SessionInfo`) are written as the nearest call, named in `Comment`.
fn api_call_of(operation: &str, comment: &str) -> (&'static str, String) {
    match API_CALL.values.iter().find(|v| **v == operation) {
        Some(v) => (v, comment.to_string()),
        None => (
            "WhoAmI",
            format!("{operation} {comment}").trim().to_string(),
        ),
    }
}

fn session_log_info(a: SessionActivity) -> Value {
    let events = a
        .events
        .into_iter()
        .map(|e| {
            let (api_call, comment) = api_call_of(&e.operation, &e.comment);
            let return_code = RET_CODE
                .values
                .iter()
                .find(|v| **v == e.outcome)
                .copied()
                .unwrap_or("Unknown");
            Value::Record(vec![
                ("APICall", Value::Enum(api_call)),
                ("Date", Value::DateTime(e.at)),
                ("Milliseconds", Value::Int(e.duration_ms)),
                ("ip", Value::Str(e.client_ip)),
                ("ReturnCode", Value::Enum(return_code)),
                ("Comment", Value::Str(comment)),
            ])
        })
        .collect();
    let status = match a.state {
        SessionState::Open => "Open",
        SessionState::Closed => "Closed",
        SessionState::Expired => "Expired",
    };
    let r = a.record;
    Value::Record(vec![
        ("SessionID", Value::Str(a.session_id)),
        ("StartTime", Value::DateTime(r.created)),
        ("EndTime", date_or_unset(a.finished)),
        ("Expires", Value::DateTime(r.expires)),
        ("NetworkID", Value::Int(r.network_id.0)),
        ("MailboxID", Value::Int(r.mailbox_id.0)),
        ("UserID", Value::Int(r.user_id.0)),
        ("Status", Value::Enum(status)),
        ("Version", version_value()),
        ("Events", Value::List(events)),
    ])
}

async fn session_log(call: Call) -> Result<Value, Error> {
    let limit = SessionLogLimit::parse(call.args.int("MaxRecords"))?;
    let caller = authenticate(&call).await?;
    let log = call
        .core
        .session_activity_log(&caller, UserId(0), None, limit)
        .await?;
    Ok(Value::List(log.into_iter().map(session_log_info).collect()))
}

async fn session_log_current(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let current = call.core.current_session_activity(&caller).await?;
    Ok(session_log_info(current))
}

async fn session_log_ex(call: Call) -> Result<Value, Error> {
    let limit = SessionLogLimit::parse(call.args.int("MaxRecords"))?;
    let created = CreatedBetween::new(
        call.args.datetime("StartTime"),
        call.args.datetime("EndTime"),
    )?;
    let caller = authenticate(&call).await?;
    let log = call
        .core
        .session_activity_log(
            &caller,
            UserId(call.args.int("UserID")),
            Some(created),
            limit,
        )
        .await?;
    Ok(Value::List(log.into_iter().map(session_log_info).collect()))
}

async fn user_reset(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .reset_user(&caller, UserId(call.args.int("UserID")))
        .await?;
    Ok(Value::Bool(true))
}

async fn user_set_max_sessions(call: Call) -> Result<Value, Error> {
    let cap = SessionCap::new(call.args.int("MaxSessions"))?;
    let caller = authenticate(&call).await?;
    call.core
        .set_max_sessions(&caller, UserId(call.args.int("UserID")), cap)
        .await?;
    Ok(Value::Bool(true))
}

fn user_id_info(l: LockedOutUser) -> Value {
    let u = l.user;
    Value::Record(vec![
        ("UserID", Value::Int(u.id.0)),
        ("LoginName", Value::Str(u.login)),
        ("RecoveryQuestion", Value::Str(String::new())),
        ("FirstName", Value::Str(u.person.first_name)),
        ("LastName", Value::Str(u.person.last_name)),
        ("Company", Value::Str(u.person.company)),
        ("EMail", Value::Str(u.person.email)),
        ("Phone", Value::Str(u.person.phone)),
        ("CellPhone", Value::Str(String::new())),
        ("CellCarrier", Value::Enum("Undefined")),
        ("TimeZoneOffset", Value::Short(0)),
        ("NetworkID", Value::Int(u.network_id.0)),
        ("MailboxID", Value::Int(u.mailbox_id.0)),
        ("AuthLevel", Value::Enum(u.auth_level.as_str())),
        ("Created", Value::DateTime(u.created)),
        ("Modified", Value::DateTime(u.created)),
        ("LastLogin", date_or_unset(u.last_login)),
        ("Status", Value::Enum(u.status.as_str())),
        ("LockedOut", Value::Bool(true)),
        ("OpenSessions", short(l.open_sessions)),
    ])
}

async fn locked_out(
    call: &Call,
    caller: &Caller,
    network: i32,
    mailbox: i32,
) -> Result<Value, Error> {
    let users = call
        .core
        .locked_out_users(caller, NetworkId(network), MailboxId(mailbox))
        .await?;
    Ok(Value::List(users.into_iter().map(user_id_info).collect()))
}

async fn user_list_locked_out(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    locked_out(&call, &caller, 0, 0).await
}

async fn user_list_locked_out_ex(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let (network, mailbox) = (call.args.int("NetworkID"), call.args.int("MailboxID"));
    locked_out(&call, &caller, network, mailbox).await
}

async fn generate_password_op(call: Call) -> Result<Value, Error> {
    let length = call.args.int("Length");
    if !GENERATED_PASSWORD_LEN.contains(&length) {
        return Err(Error::invalid(
            "Length",
            ParamProblem::Value,
            format!(
                "must be between {} and {}",
                GENERATED_PASSWORD_LEN.start(),
                GENERATED_PASSWORD_LEN.end()
            ),
        ));
    }
    authenticate(&call).await?;
    let len = usize::try_from(length).unwrap_or(*GENERATED_PASSWORD_LEN.start() as usize);
    Ok(Value::Str(generate_password(len)))
}
