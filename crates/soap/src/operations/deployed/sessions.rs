//! Sessions and the user's own account in the deployed dialect (SPEC section 11): login and
//! logout, who am I, the session log, passwords, API keys, and the lockout and session-cap
//! administration of other users.

use edigrid_core::{
    Caller, CreatedBetween, LoginRequest, SenderInfo, SessionActivity, SessionCap, SessionLogLimit,
    SessionState, generate_password,
};
use edigrid_domain::{Error, MailboxId, NetworkId, ParamProblem, UserId};

use super::super::documented::{generate_api_key, user_get_api_key};
use super::super::{Call, authenticate, end_session, open_session, version, version_value};
use super::users::user_id_info;
use super::{Registration, date_or_unset, renamed, short};
use crate::deployed_schema::types;
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[
    serve!("Login", login),
    serve!("Logout", logout),
    serve!("WhoAmI", who_am_i),
    serve!("Version", version),
    serve!("NowUTC", now_utc),
    serve!("ChangePassword", change_password),
    serve!("SessionLog", session_log),
    serve!("SessionLogCurrent", session_log_current),
    serve!("SessionLogEx", session_log_ex),
    serve!("GenerateAPIKey", generate_api_key),
    serve!("UserGetAPIKey", user_get_api_key),
    serve!("UserReset", user_reset),
    serve!("UserSetMaxSessions", user_set_max_sessions),
    serve!("UserListLockedOut", user_list_locked_out),
    serve!("UserListLockedOutEx", user_list_locked_out_ex),
    serve!("GeneratePassword", generate_password_op),
];

/// Shortest and longest password `GeneratePassword` makes.
const GENERATED_PASSWORD_LEN: std::ops::RangeInclusive<i32> = 8..=128;

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
    match types::APICall.values.iter().find(|v| **v == operation) {
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
            let return_code = types::RetCode
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
    Ok(Value::List(
        users
            .into_iter()
            .map(|l| user_id_info(l.user, true, l.open_sessions))
            .collect(),
    ))
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
