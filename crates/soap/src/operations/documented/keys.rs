//! Keys in the documented dialect (ecgrid-docs soap-api/keys, SPEC-VAN 20). The pages
//! describe keys of a user with a visibility; they are edigrid's key-value store on that
//! user (the deployed `Key*`): `KeySet` adds one under a new `ek_...` name, `KeyGet` reads
//! the newest the caller sees, `KeyRemove` removes one by its number. They are not
//! credentials: API keys are `GenerateAPIKey`'s.

use edigrid_core::Caller;
use edigrid_core::keys::store::KeyEntry;
use edigrid_core::keys::{KeyObject, KeyRef, KeySetRequest, KeyVisibility, generated_key_name};
use edigrid_domain::{Error, ParamProblem};

use super::super::{Call, Operation, SESSION_ID, authenticate};
use super::renamed;
use crate::deployed_schema::types;
use crate::schema::{ComplexType, Field, Value, XsdType};

/// The pages' five fields, then the key's value, meta and expiry.
pub static KEY_ID_INFO: ComplexType = ComplexType {
    name: "KeyIDInfo",
    fields: &[
        Field::new("KeyID", XsdType::Int),
        Field::new("UserID", XsdType::Int),
        Field::new("Key", XsdType::String),
        Field::new("Visibility", XsdType::Enum(&types::KeyVisibility)),
        Field::new("Created", XsdType::DateTime),
        Field::new("Value", XsdType::String),
        Field::new("Meta", XsdType::String),
        Field::new("Expires", XsdType::DateTime).optional(),
    ],
};

const USER_ID: Field = Field::new("UserID", XsdType::Int);

pub(super) const KEY_GET: Operation = Operation {
    name: "KeyGet",
    doc: "The newest key of a user that the caller sees (its own Private keys, Shared and Public ones).",
    params: &[SESSION_ID, USER_ID],
    result: XsdType::Complex(&KEY_ID_INFO),
    handler: directory!(key_get),
};

pub(super) const KEY_LIST: Operation = Operation {
    name: "KeyList",
    doc: "The keys of a user that the caller sees, by name.",
    params: &[SESSION_ID, USER_ID],
    result: XsdType::Array(&KEY_ID_INFO),
    handler: directory!(key_list),
};

pub(super) const KEY_REMOVE: Operation = Operation {
    name: "KeyRemove",
    doc: "Removes a key by its KeyID: true; a key the caller does not see is NotFound.",
    params: &[SESSION_ID, Field::new("KeyID", XsdType::Int)],
    result: XsdType::Boolean,
    handler: directory!(key_remove),
};

pub(super) const KEY_SET: Operation = Operation {
    name: "KeySet",
    doc: "Adds a key to a user under a new name, with the visibility given (needs the right to change the user), and returns it.",
    params: &[
        SESSION_ID,
        USER_ID,
        Field::new("Visibility", XsdType::Enum(&types::KeyVisibility)),
    ],
    result: XsdType::Complex(&KEY_ID_INFO),
    handler: directory!(key_set),
};

const NAMES: &[(&str, &str)] = &[("ObjectID", "UserID")];

fn key_id_info(k: KeyEntry) -> Value {
    let a = k.address;
    Value::Record(vec![
        ("KeyID", Value::Int(i32::try_from(k.id).unwrap_or(i32::MAX))),
        (
            "UserID",
            Value::Int(i32::try_from(a.object_id).unwrap_or(0)),
        ),
        ("Key", Value::Str(a.name)),
        ("Visibility", Value::Enum(a.visibility.as_str())),
        ("Created", Value::DateTime(k.created)),
        ("Value", Value::Str(k.value)),
        ("Meta", Value::Str(k.meta)),
        (
            "Expires",
            k.expires.map_or(Value::UnsetDateTime, Value::DateTime),
        ),
    ])
}

async fn user_keys(call: &Call, caller: &Caller) -> Result<Vec<KeyEntry>, Error> {
    let user = i64::from(call.args.int("UserID"));
    call.core
        .key_list(caller, KeyObject::User, user)
        .await
        .map_err(|e| renamed(e, NAMES))
}

async fn key_get(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let newest = user_keys(&call, &caller)
        .await?
        .into_iter()
        .max_by_key(|k| (k.created, k.id))
        .ok_or_else(|| Error::not_found("Key"))?;
    Ok(key_id_info(newest))
}

async fn key_list(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let keys = user_keys(&call, &caller).await?;
    Ok(Value::List(keys.into_iter().map(key_id_info).collect()))
}

async fn key_remove(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let id = i64::from(call.args.int("KeyID"));
    let found = call.core.key_by_id(&caller, id).await?;
    let a = found.address;
    let key = KeyRef {
        object: a.object,
        object_id: a.object_id,
        visibility: a.visibility,
        name: a.name,
    };
    Ok(Value::Bool(call.core.key_remove(&caller, &key).await?))
}

async fn key_set(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let visibility: KeyVisibility =
        call.args.enumeration("Visibility").parse().map_err(|_| {
            Error::invalid("Visibility", ParamProblem::Type, "is not a KeyVisibility")
        })?;
    let request = KeySetRequest {
        key: KeyRef {
            object: KeyObject::User,
            object_id: i64::from(call.args.int("UserID")),
            visibility,
            name: generated_key_name(),
        },
        value: String::new(),
        meta: String::new(),
        lifetime: None,
    };
    let stored = call
        .core
        .key_set(&caller, request)
        .await
        .map_err(|e| renamed(e, NAMES))?;
    Ok(key_id_info(stored))
}
