//! Users in the documented dialect (ecgrid-docs soap-api/users, SPEC-VAN 13-14): reading,
//! listing, creating and changing them. The services check who may do what.

use edigrid_core::store::{Person, User};
use edigrid_core::{UserChanges, UserCreateRequest, UserFilter};
use edigrid_domain::{AuthLevel, Error, MailboxId, NetworkId, ParamProblem, UserId, UserStatus};

use super::super::{Call, Operation, SESSION_ID, authenticate};
use super::{
    AUTH_LEVEL, MAILBOX_FILTER, NETWORK_FILTER, PAGE_NO, RECORDS_PER_PAGE, STATUS_FILTER,
    USER_ID_INFO, change, enum_arg, mailbox_filter, network_filter, page, renamed, required_enum,
    status_filter, status_value,
};
use crate::schema::{Field, Value, XsdType};

/// The services name these parameters as the deployed dialect does.
const USER_NAMES: &[(&str, &str)] = &[("LoginName", "Login"), ("EMail", "Email")];

const USER_ID: Field = Field::new("UserID", XsdType::Int);

pub(super) const USER_ADD: Operation = Operation {
    name: "UserAdd",
    doc: "Creates a user in a mailbox of a network, at most at the caller's own level, and returns it.",
    params: &[
        SESSION_ID,
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("Login", XsdType::String).aliases(&["LoginName"]),
        Field::new("Password", XsdType::String),
        Field::new("FirstName", XsdType::String),
        Field::new("LastName", XsdType::String),
        Field::new("Email", XsdType::String).aliases(&["EMail"]),
        Field::new("AuthLevel", XsdType::Enum(&AUTH_LEVEL)),
    ],
    result: XsdType::Complex(&USER_ID_INFO),
    handler: directory!(user_add),
};

pub(super) const USER_INFO: Operation = Operation {
    name: "UserInfo",
    doc: "One user (UserID 0: the caller).",
    params: &[SESSION_ID, USER_ID],
    result: XsdType::Complex(&USER_ID_INFO),
    handler: directory!(user_info),
};

pub(super) const USER_LIST: Operation = Operation {
    name: "UserList",
    doc: "One page of the users the caller may see, by UserID. NetworkID and MailboxID 0, AuthLevel NoChange and an absent Status filter nothing.",
    params: &[
        SESSION_ID,
        NETWORK_FILTER,
        MAILBOX_FILTER,
        Field::new("AuthLevel", XsdType::Enum(&AUTH_LEVEL)).optional(),
        STATUS_FILTER,
        PAGE_NO,
        RECORDS_PER_PAGE,
    ],
    result: XsdType::Array(&USER_ID_INFO),
    handler: directory!(user_list),
};

pub(super) const USER_PASSWORD: Operation = Operation {
    name: "UserPassword",
    doc: "Sets a user's password (one's own, or that of a user one administers); ends the user's other sessions.",
    params: &[
        SESSION_ID,
        USER_ID,
        Field::new("NewPassword", XsdType::String),
    ],
    result: XsdType::Boolean,
    handler: directory!(user_password),
};

pub(super) const USER_SET_AUTH_LEVEL: Operation = Operation {
    name: "UserSetAuthLevel",
    doc: "Sets a user's level, at most the caller's own. The level applies in the user's network and mailbox: NetworkID and MailboxID are 0 or those.",
    params: &[
        SESSION_ID,
        USER_ID,
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("AuthLevel", XsdType::Enum(&AUTH_LEVEL)),
    ],
    result: XsdType::Complex(&USER_ID_INFO),
    handler: directory!(user_set_auth_level),
};

pub(super) const USER_SUSPEND: Operation = Operation {
    name: "UserSuspend",
    doc: "Suspends a user: no login until activated again; their open sessions end at once.",
    params: &[SESSION_ID, USER_ID],
    result: XsdType::Boolean,
    handler: directory!(user_suspend),
};

pub(super) const USER_TERMINATE: Operation = Operation {
    name: "UserTerminate",
    doc: "Terminates a user for good (kept, never reused); their open sessions end at once.",
    params: &[SESSION_ID, USER_ID],
    result: XsdType::Boolean,
    handler: directory!(user_terminate),
};

pub(super) const USER_UPDATE: Operation = Operation {
    name: "UserUpdate",
    doc: "Changes a user's names and e-mail address (an absent element leaves its field as it is).",
    params: &[
        SESSION_ID,
        USER_ID,
        Field::new("FirstName", XsdType::String),
        Field::new("LastName", XsdType::String),
        Field::new("Email", XsdType::String).aliases(&["EMail"]),
    ],
    result: XsdType::Complex(&USER_ID_INFO),
    handler: directory!(user_update),
};

pub(super) const USER_RESET: Operation = Operation {
    name: "UserReset",
    doc: "Ends every session of a user and clears their lockout.",
    params: &[SESSION_ID, USER_ID],
    result: XsdType::Boolean,
    handler: directory!(user_reset),
};

/// A user as `UserIDInfo`, without the session count only WhoAmI gives.
pub(super) fn user_fields(u: &User) -> Vec<(&'static str, Value)> {
    let mut fields = vec![
        ("UserID", Value::Int(u.id.0)),
        ("Login", Value::Str(u.login.clone())),
        ("NetworkID", Value::Int(u.network_id.0)),
        ("MailboxID", Value::Int(u.mailbox_id.0)),
        ("AuthLevel", Value::Enum(u.auth_level.as_str())),
        ("FirstName", Value::Str(u.person.first_name.clone())),
        ("LastName", Value::Str(u.person.last_name.clone())),
        ("Company", Value::Str(u.person.company.clone())),
        ("EMail", Value::Str(u.person.email.clone())),
        ("Status", status_value(u.status)),
        ("Email", Value::Str(u.person.email.clone())),
        ("Created", Value::DateTime(u.created)),
        ("Modified", Value::DateTime(u.modified)),
    ];
    if let Some(last) = u.last_login {
        fields.push(("LastLogin", Value::DateTime(last)));
    }
    fields
}

fn user_record(u: &User) -> Value {
    Value::Record(user_fields(u))
}

fn user_id(call: &Call) -> UserId {
    UserId(call.args.int("UserID"))
}

fn auth_level(call: &Call) -> Result<AuthLevel, Error> {
    required_enum(&call.args, "AuthLevel")
}

async fn user_add(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let request = UserCreateRequest {
        network: NetworkId(a.int("NetworkID")),
        mailbox: MailboxId(a.int("MailboxID")),
        login: a.str("Login").to_string(),
        password: a.str("Password").to_string(),
        person: Person {
            first_name: a.str("FirstName").to_string(),
            last_name: a.str("LastName").to_string(),
            email: a.str("Email").to_string(),
            ..Person::default()
        },
        recovery_answer: String::new(),
        auth_level: auth_level(&call)?,
    };
    let caller = authenticate(&call).await?;
    let user = call
        .core
        .user_create(&caller, request)
        .await
        .map_err(|e| renamed(e, USER_NAMES))?;
    Ok(user_record(&user))
}

async fn user_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let target = match user_id(&call) {
        UserId(0) => caller.user_id,
        id => id,
    };
    Ok(user_record(&call.core.user_info(&caller, target).await?))
}

async fn user_list(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let filter = UserFilter {
        network: network_filter(a),
        mailbox: mailbox_filter(a),
        auth_level: enum_arg(a, "AuthLevel")?.filter(|l| *l != AuthLevel::NoChange),
        status: status_filter(a)?,
        ..UserFilter::default()
    };
    let page = page(a)?;
    let caller = authenticate(&call).await?;
    let users = call.core.user_list(&caller, filter, page).await?;
    Ok(super::list(users, user_record))
}

async fn user_password(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .user_set_password(&caller, user_id(&call), call.args.str("NewPassword"))
        .await?;
    Ok(Value::Bool(true))
}

/// edigrid keeps one home per user, where its level applies: a NetworkID or MailboxID other
/// than 0 must name that home (moving a user is not what this operation does).
async fn user_set_auth_level(call: Call) -> Result<Value, Error> {
    let level = auth_level(&call)?;
    let caller = authenticate(&call).await?;
    let target = call.core.user_info(&caller, user_id(&call)).await?;
    for (name, given, home) in [
        ("NetworkID", call.args.int("NetworkID"), target.network_id.0),
        ("MailboxID", call.args.int("MailboxID"), target.mailbox_id.0),
    ] {
        if given != 0 && given != home {
            return Err(Error::invalid(
                name,
                ParamProblem::Value,
                format!(
                    "user {} is in {name} {home}, where its level applies; give 0 or {home}",
                    target.id
                ),
            ));
        }
    }
    let user = call
        .core
        .user_set_auth_level(&caller, target.id, level)
        .await?;
    Ok(user_record(&user))
}

async fn set_status(call: Call, status: UserStatus) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .user_set_status(&caller, user_id(&call), status)
        .await?;
    Ok(Value::Bool(true))
}

async fn user_suspend(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Suspended).await
}

async fn user_terminate(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Terminated).await
}

async fn user_update(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let changes = UserChanges {
        first_name: change(a, "FirstName"),
        last_name: change(a, "LastName"),
        email: change(a, "Email"),
        ..UserChanges::default()
    };
    let caller = authenticate(&call).await?;
    let user = call
        .core
        .user_update(&caller, user_id(&call), changes)
        .await
        .map_err(|e| renamed(e, USER_NAMES))?;
    Ok(user_record(&user))
}

async fn user_reset(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core.reset_user(&caller, user_id(&call)).await?;
    Ok(Value::Bool(true))
}
