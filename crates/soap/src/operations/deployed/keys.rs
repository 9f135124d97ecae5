//! Keys and the status list (SPEC-VAN 20). A key is named by `Key`, `SystemObject`,
//! `ObjectID` and `Visibility`; `DaysToLive` / `MinutesToLive` 0 never expires. A missing
//! (or expired) key is the `NotFound` fault naming `Key`. `KeyValue.SessionID` is never
//! written: a session's ID is its credential.

use edigrid_core::keys::status::status_list;
use edigrid_core::keys::store::KeyEntry;
use edigrid_core::keys::{KeyRef, KeySetRequest, KeyVisibility, key_object, lifetime};
use edigrid_domain::Error;

use super::super::{Call, authenticate};
use super::{Registration, date_or_unset, enum_arg};
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[
    serve_directory!("KeyGet", key_get),
    serve_directory!("KeyList", key_list),
    serve_directory!("KeySet", key_set),
    serve_directory!("KeySetMinutes", key_set_minutes),
    serve_directory!("KeyRemove", key_remove),
    serve!("StatusList", status_list_op),
];

fn key_value(k: KeyEntry) -> Value {
    Value::Record(vec![
        ("Key", Value::Str(k.address.name)),
        ("Value", Value::Str(k.value)),
        ("Meta", Value::Str(k.meta)),
        ("Created", Value::DateTime(k.created)),
        ("Expires", date_or_unset(k.expires)),
        ("Visibility", Value::Enum(k.address.visibility.as_str())),
        ("NetworkID", Value::Int(k.network_id.0)),
        ("MailboxID", Value::Int(k.mailbox_id.0)),
        ("UserID", Value::Int(k.user_id.0)),
    ])
}

fn key_ref(call: &Call) -> Result<KeyRef, Error> {
    let visibility: KeyVisibility = enum_arg(call, "Visibility")?;
    Ok(KeyRef {
        object: key_object(call.args.enumeration("SystemObject"))?,
        object_id: call.args.long("ObjectID"),
        visibility,
        name: call.args.str("Key").to_string(),
    })
}

async fn key_get(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let key = key_ref(&call)?;
    Ok(key_value(call.core.key_get(&caller, &key).await?))
}

async fn key_list(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let object = key_object(call.args.enumeration("SystemObject"))?;
    let keys = call
        .core
        .key_list(&caller, object, call.args.long("ObjectID"))
        .await?;
    Ok(Value::List(keys.into_iter().map(key_value).collect()))
}

async fn set(call: Call, (item, minutes_per_unit): (&str, i64)) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let request = KeySetRequest {
        key: key_ref(&call)?,
        value: call.args.str("Value").to_string(),
        meta: call.args.str("Meta").to_string(),
        lifetime: lifetime(i64::from(call.args.int(item)), minutes_per_unit, item)?,
    };
    call.core.key_set(&caller, request).await?;
    Ok(Value::Bool(true))
}

async fn key_set(call: Call) -> Result<Value, Error> {
    set(call, ("DaysToLive", 24 * 60)).await
}

async fn key_set_minutes(call: Call) -> Result<Value, Error> {
    set(call, ("MinutesToLive", 1)).await
}

async fn key_remove(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let key = key_ref(&call)?;
    Ok(Value::Bool(call.core.key_remove(&caller, &key).await?))
}

async fn status_list_op(call: Call) -> Result<Value, Error> {
    authenticate(&call).await?;
    let items = status_list()
        .into_iter()
        .map(|s| {
            Value::Record(vec![
                ("Code", Value::Short(s.code)),
                ("Qualifier", Value::Str(s.qualifier.into())),
                ("Message", Value::Str(s.name.into())),
                ("Level", Value::Str(s.level.into())),
            ])
        })
        .collect();
    Ok(Value::List(items))
}
