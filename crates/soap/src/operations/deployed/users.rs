//! Users of the directory in the deployed dialect (SPEC-VAN 13, 14): creating them, reading
//! and listing them, their profiles, passwords, status, level and home. Lockout, session caps
//! and API keys are in `sessions.rs`; `UserSendSMS` is refused (edigrid sends no SMS).
//!
//! `UserIDInfo` is written here, once, for every operation that returns one.

use chrono::{DateTime, Utc};
use edigrid_core::store::{Person, User};
use edigrid_core::{Caller, Page, UserChanges, UserCreateRequest, UserFilter};
use edigrid_domain::{AuthLevel, CellCarrier, Error, MailboxId, NetworkId, UserId, UserStatus};

use super::super::{Call, authenticate};
use super::{Registration, date_or_unset, enum_arg, short};
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[
    serve_directory!("UserAdd", user_add),
    serve_directory!("UserAddEx", user_add_ex),
    serve_directory!("UserInfo", user_info),
    serve_directory!("UserInfobyLogin", user_info_by_login),
    serve_directory!("UserUpdate", user_update),
    serve_directory!("UserPassword", user_password),
    serve_directory!("UserActivate", user_activate),
    serve_directory!("UserSuspend", user_suspend),
    serve_directory!("UserTerminate", user_terminate),
    serve_directory!("UserList", user_list),
    serve_directory!("UserListEx", user_list_ex),
    serve_directory!("UserSetNetworkMailbox", user_set_network_mailbox),
    serve_directory!("UserSetAuthLevel", user_set_auth_level),
];

/// Records an unpaged deployed list returns: the first page of SOAP's default size
/// (SPEC-VAN 19).
pub(super) const UNPAGED: u32 = 100;

/// A user as `UserIDInfo`. `locked_out` and `open_sessions` are what the caller's service
/// knows of them (the lockout list counts sessions; directory reads do not, see
/// [`directory_user`]).
pub(super) fn user_id_info(u: User, locked_out: bool, open_sessions: u64) -> Value {
    let p = u.person;
    Value::Record(vec![
        ("UserID", Value::Int(u.id.0)),
        ("LoginName", Value::Str(u.login)),
        ("RecoveryQuestion", Value::Str(p.recovery_question)),
        ("FirstName", Value::Str(p.first_name)),
        ("LastName", Value::Str(p.last_name)),
        ("Company", Value::Str(p.company)),
        ("EMail", Value::Str(p.email)),
        ("Phone", Value::Str(p.phone)),
        ("CellPhone", Value::Str(p.cell_phone)),
        ("CellCarrier", Value::Enum(p.cell_carrier.as_str())),
        ("TimeZoneOffset", Value::Short(p.time_zone_offset)),
        ("NetworkID", Value::Int(u.network_id.0)),
        ("MailboxID", Value::Int(u.mailbox_id.0)),
        ("AuthLevel", Value::Enum(u.auth_level.as_str())),
        ("Created", Value::DateTime(u.created)),
        ("Modified", Value::DateTime(u.modified)),
        ("LastLogin", date_or_unset(u.last_login)),
        ("Status", Value::Enum(u.status.as_str())),
        ("LockedOut", Value::Bool(locked_out)),
        ("OpenSessions", short(open_sessions)),
    ])
}

/// A user read from the directory as `UserIDInfo`. The directory services return the
/// user's record, which holds its lockout but not a count of its sessions: `OpenSessions`
/// is 0 here (WhoAmI and UserListLockedOut report the real count).
pub(super) fn directory_user(u: User, now: DateTime<Utc>) -> Value {
    let locked_out = u.locked_until.is_some_and(|until| until > now);
    user_id_info(u, locked_out, 0)
}

fn users_value(call: &Call, users: Vec<User>) -> Value {
    let now = call.core.now();
    Value::List(users.into_iter().map(|u| directory_user(u, now)).collect())
}

/// An ID parameter where 0 means "not named".
pub(super) fn named<T>(n: i32, id: fn(i32) -> T) -> Option<T> {
    (n != 0).then(|| id(n))
}

/// A text parameter the caller sent (empty included); `None` when absent.
pub(super) fn sent(call: &Call, name: &str) -> Option<String> {
    call.args.has(name).then(|| call.args.str(name).to_string())
}

fn create_request(call: &Call, network: NetworkId) -> Result<UserCreateRequest, Error> {
    let text = |name: &str| call.args.str(name).to_string();
    Ok(UserCreateRequest {
        network,
        mailbox: MailboxId(call.args.int("MailboxID")),
        login: text("LoginName"),
        password: text("Password"),
        person: Person {
            first_name: text("FirstName"),
            last_name: text("LastName"),
            email: text("EMail"),
            company: text("Company"),
            phone: text("Phone"),
            cell_phone: text("CellPhone"),
            cell_carrier: enum_arg(call, "CellCarrier")?,
            time_zone_offset: 0,
            recovery_question: text("RecoveryQuestion"),
        },
        recovery_answer: text("RecoveryAnswer"),
        auth_level: enum_arg(call, "AuthLevel")?,
    })
}

/// `UserAdd`: a user in a mailbox of the session's network.
async fn user_add(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let request = create_request(&call, caller.network_id)?;
    let user = call.core.user_create(&caller, request).await?;
    Ok(Value::Int(user.id.0))
}

async fn user_add_ex(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let request = create_request(&call, NetworkId(call.args.int("NetworkID")))?;
    let user = call.core.user_create(&caller, request).await?;
    Ok(Value::Int(user.id.0))
}

async fn user_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let user = call
        .core
        .user_info(&caller, UserId(call.args.int("UserID")))
        .await?;
    Ok(directory_user(user, call.core.now()))
}

async fn user_info_by_login(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let user = call
        .core
        .user_info_by_login(&caller, call.args.str("LoginName"))
        .await?;
    Ok(directory_user(user, call.core.now()))
}

/// `UserUpdate`: the profile, and the level when `AuthLevel` is not `NoChange` and differs
/// from the user's. The level is set first, so that a refused level changes nothing.
async fn user_update(call: Call) -> Result<Value, Error> {
    let level: AuthLevel = enum_arg(&call, "AuthLevel")?;
    let carrier: CellCarrier = enum_arg(&call, "CellCarrier")?;
    let user = UserId(call.args.int("UserID"));
    let caller = authenticate(&call).await?;
    if level != AuthLevel::NoChange {
        let current = call.core.user_info(&caller, user).await?;
        if current.auth_level != level {
            call.core.user_set_auth_level(&caller, user, level).await?;
        }
    }
    let changes = UserChanges {
        first_name: sent(&call, "FirstName"),
        last_name: sent(&call, "LastName"),
        company: sent(&call, "Company"),
        email: sent(&call, "EMail"),
        phone: sent(&call, "Phone"),
        cell_phone: sent(&call, "CellPhone"),
        cell_carrier: Some(carrier),
        time_zone_offset: None,
    };
    call.core.user_update(&caller, user, changes).await?;
    Ok(Value::Bool(true))
}

async fn user_password(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let a = &call.args;
    call.core
        .user_password_by_recovery(
            &caller,
            UserId(a.int("UserID")),
            a.str("CurrentRecoveryAnswer"),
            a.str("Password"),
            a.str("RecoveryQuestion"),
            a.str("RecoveryAnswer"),
        )
        .await?;
    Ok(Value::Bool(true))
}

async fn set_status(call: Call, status: UserStatus) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .user_set_status(&caller, UserId(call.args.int("UserID")), status)
        .await?;
    Ok(Value::Bool(true))
}

async fn user_activate(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Active).await
}

/// Suspending ends all the user's sessions at once; they can no longer log in.
async fn user_suspend(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Suspended).await
}

/// Terminating is final; the user is kept (history) but can never log in again.
async fn user_terminate(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Terminated).await
}

async fn list(
    call: &Call,
    caller: &Caller,
    network: Option<NetworkId>,
    mailbox: Option<MailboxId>,
) -> Result<Value, Error> {
    let name = call.args.str("Name").trim();
    let filter = UserFilter {
        network,
        mailbox,
        name_contains: (!name.is_empty()).then(|| name.to_string()),
        ..UserFilter::default()
    };
    // The answer carries no total: the core does not count the whole list for it.
    let users = call
        .core
        .user_page(caller, filter, Page::first(UNPAGED))
        .await?;
    Ok(users_value(call, users))
}

/// `UserList`: the users of the session's network the caller may read (a mailbox's users
/// for mailbox-level callers, only themselves below that) whose login or name contains
/// `Name`; an empty `Name` lists them all.
async fn user_list(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    list(&call, &caller, Some(caller.network_id), None).await
}

/// `UserListEx`: as `UserList` in the network and mailbox named (0: any the caller reads).
async fn user_list_ex(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let network = named(call.args.int("NetworkID"), NetworkId);
    let mailbox = named(call.args.int("MailboxID"), MailboxId);
    list(&call, &caller, network, mailbox).await
}

async fn user_set_network_mailbox(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let a = &call.args;
    call.core
        .user_set_network_mailbox(
            &caller,
            UserId(a.int("UserID")),
            NetworkId(a.int("NetworkID")),
            MailboxId(a.int("MailboxID")),
        )
        .await?;
    Ok(Value::Bool(true))
}

async fn user_set_auth_level(call: Call) -> Result<Value, Error> {
    let level: AuthLevel = enum_arg(&call, "AuthLevel")?;
    let caller = authenticate(&call).await?;
    call.core
        .user_set_auth_level(&caller, UserId(call.args.int("UserID")), level)
        .await?;
    Ok(Value::Bool(true))
}
