//! Sessions and the caller's own account in the documented dialect (SPEC section 4): login
//! and logout, the session, who am I, the session log and API keys.

use edigrid_core::{LoginRequest, SenderInfo, SessionLogEntry, SessionLogLimit};
use edigrid_domain::{Error, UserId};

use super::super::{Call, Operation, SESSION_ID, authenticate, end_session, handler, open_session};
use super::users::user_fields;
use super::{SESSION_ID_INFO, USER_ID_INFO, count};
use crate::schema::{Field, Value, XsdType};

pub(super) const LOGIN: Operation = Operation {
    name: "Login",
    doc: "Checks a login name and password and opens a session; returns its SessionID.",
    params: &[
        Field::new("UserName", XsdType::String).aliases(&["LoginName", "Email"]),
        Field::new("Password", XsdType::String),
        Field::new("SenderSolution", XsdType::String),
        Field::new("SenderVersion", XsdType::String),
        Field::new("SenderCompanyName", XsdType::String),
        Field::new("SenderContact", XsdType::String),
        Field::new("SenderContactEmail", XsdType::String),
    ],
    result: XsdType::String,
    handler: handler!(login),
};

pub(super) const LOGOUT: Operation = Operation {
    name: "Logout",
    doc: "Ends a session. True if it ended an open session, false if it was not open.",
    params: &[SESSION_ID],
    result: XsdType::Boolean,
    handler: handler!(logout),
};

pub(super) const SESSION_INFO: Operation = Operation {
    name: "SessionInfo",
    doc: "Describes the session: its user, network, mailbox, creation and expiry.",
    params: &[SESSION_ID],
    result: XsdType::Complex(&SESSION_ID_INFO),
    handler: handler!(session_info),
};

pub(super) const WHO_AM_I: Operation = Operation {
    name: "WhoAmI",
    doc: "Describes the user the session belongs to.",
    params: &[SESSION_ID],
    result: XsdType::Complex(&USER_ID_INFO),
    handler: handler!(who_am_i),
};

pub(super) const SESSION_LOG: Operation = Operation {
    name: "SessionLog",
    doc: "A user's sessions, newest first (UserID 0: the caller; at most 500).",
    params: &[
        SESSION_ID,
        Field::new("UserID", XsdType::Int),
        Field::new("MaxRecords", XsdType::Short),
    ],
    result: XsdType::Array(&SESSION_ID_INFO),
    handler: handler!(session_log),
};

pub(super) const GENERATE_API_KEY: Operation = Operation {
    name: "GenerateAPIKey",
    doc: "Issues a new API key for a user (UserID 0: the caller), replacing the old one at once. The key is shown only here.",
    params: &[SESSION_ID, Field::new("UserID", XsdType::Int)],
    result: XsdType::String,
    handler: handler!(generate_api_key),
};

pub(super) const USER_GET_API_KEY: Operation = Operation {
    name: "UserGetAPIKey",
    doc: "The first characters of a user's active API key (keys are stored hashed, so the whole key cannot be shown again).",
    params: &[SESSION_ID, Field::new("UserID", XsdType::Int)],
    result: XsdType::String,
    handler: handler!(user_get_api_key),
};

/// `UserID` 0 means the caller, as in the session log.
fn target_user(call: &Call, caller: &edigrid_core::Caller) -> UserId {
    match call.args.int("UserID") {
        0 => caller.user_id,
        n => UserId(n),
    }
}

pub(crate) async fn generate_api_key(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let key = call
        .core
        .generate_api_key(&caller, target_user(&call, &caller))
        .await?;
    Ok(Value::Str(key))
}

pub(crate) async fn user_get_api_key(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let prefix = call
        .core
        .api_key_prefix(&caller, target_user(&call, &caller))
        .await?;
    Ok(Value::Str(prefix))
}

async fn login(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let request = LoginRequest {
        login: a.str("UserName").to_string(),
        password: a.str("Password").to_string(),
        sender: SenderInfo {
            solution: a.str("SenderSolution").to_string(),
            version: a.str("SenderVersion").to_string(),
            company: a.str("SenderCompanyName").to_string(),
            contact: a.str("SenderContact").to_string(),
            email: a.str("SenderContactEmail").to_string(),
        },
    };
    let id = open_session(&call, request).await?;
    Ok(Value::Str(id.to_string()))
}

async fn logout(call: Call) -> Result<Value, Error> {
    Ok(Value::Bool(end_session(&call).await?.is_some()))
}

async fn session_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let s = caller.summary();
    Ok(Value::Record(vec![
        ("SessionID", Value::Str(s.session_id)),
        ("UserID", Value::Int(s.user_id.0)),
        ("NetworkID", Value::Int(s.network_id.0)),
        ("MailboxID", Value::Int(s.mailbox_id.0)),
        ("Created", Value::DateTime(s.created)),
        ("Expires", Value::DateTime(s.expires)),
    ]))
}

/// The user's record as the users operations give it, and their open sessions.
async fn who_am_i(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let me = call.core.who_am_i(&caller).await?;
    let mut fields = user_fields(&me.user);
    fields.push(("OpenSessions", count(me.open_sessions)));
    Ok(Value::Record(fields))
}

fn session_log_record(e: SessionLogEntry) -> Value {
    Value::Record(vec![
        ("SessionID", Value::Str(e.session_id)),
        ("UserID", Value::Int(e.user_id.0)),
        ("NetworkID", Value::Int(e.network_id.0)),
        ("MailboxID", Value::Int(e.mailbox_id.0)),
        ("Created", Value::DateTime(e.created)),
        ("Expires", Value::DateTime(e.expires)),
    ])
}

async fn session_log(call: Call) -> Result<Value, Error> {
    let limit = SessionLogLimit::parse(call.args.int("MaxRecords"))?;
    let caller = authenticate(&call).await?;
    let user = UserId(call.args.int("UserID"));
    let entries = call.core.session_log(&caller, user, limit).await?;
    Ok(Value::List(
        entries.into_iter().map(session_log_record).collect(),
    ))
}
