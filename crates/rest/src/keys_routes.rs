//! `/v2/keys/*` (ecgrid-docs `rest-api/keys/`) and `/v2/status-lists/*`
//! (`rest-api/status-lists/`).
//!
//! The keys are edigrid's key-value store on objects (SPEC-VAN 20, the deployed `Key*`), as
//! the REST pages shape them: a key belongs to a user (`userId`) unless the body names
//! another object (`systemObject`, `objectId`); `create` names it (`ek_...`) unless the
//! body does (`key`), and may give it a `value`, `meta` and `minutesToLive`. They are not
//! credentials: API keys are `/v2/users/key-generate/{id}`.

use axum::extract::State;
use chrono::{DateTime, Utc};
use edigrid_core::Caller;
use edigrid_core::keys::status::status_list;
use edigrid_core::keys::store::KeyEntry;
use edigrid_core::keys::{
    KeyObject, KeyRef, KeySetRequest, KeyVisibility, generated_key_name, key_object, lifetime,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, StandardErrors, from_core};
use crate::json::JsonBody;

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api.routes(routes!(create_key))
        .routes(routes!(delete_key))
        .routes(routes!(get_key))
        .routes(routes!(list_keys))
        .routes(routes!(get_status_lists))
}

const RENAMES: &[(&str, &str)] = &[
    ("Key", "key"),
    ("Value", "value"),
    ("Meta", "meta"),
    ("Visibility", "visibility"),
    ("SystemObject", "systemObject"),
    ("ObjectID", "objectId"),
    ("UserID", "userId"),
    ("KeyID", "keyId"),
    ("MinutesToLive", "minutesToLive"),
];

fn rest_error(e: edigrid_domain::Error) -> ApiError {
    from_core(e, RENAMES)
}

/// A key as the keys pages show one, with its value and expiry.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyIdInfo {
    pub key_id: i64,
    /// The user it belongs to (0 when it is on another kind of object).
    pub user_id: i64,
    pub system_object: String,
    pub object_id: i64,
    pub key: String,
    pub value: String,
    pub meta: String,
    /// `Private`, `Shared`, `Public` or `Session`.
    pub visibility: String,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
    #[serde(serialize_with = "crate::time_format::optional_whole_seconds")]
    pub expires: Option<DateTime<Utc>>,
}

fn info(k: KeyEntry) -> KeyIdInfo {
    let a = k.address;
    KeyIdInfo {
        key_id: k.id,
        user_id: if a.object == KeyObject::User {
            a.object_id
        } else {
            0
        },
        system_object: a.object.as_str().into(),
        object_id: a.object_id,
        key: a.name,
        value: k.value,
        meta: k.meta,
        visibility: a.visibility.as_str().into(),
        created: k.created,
        expires: k.expires,
    }
}

/// The object a body names: `systemObject` and `objectId` when given, else user `userId`.
fn object(
    user_id: Option<i64>,
    system_object: Option<&str>,
    object_id: Option<i64>,
) -> Result<(KeyObject, i64), ApiError> {
    match (system_object, user_id) {
        (Some(kind), _) => Ok((
            key_object(kind).map_err(rest_error)?,
            object_id.unwrap_or(0),
        )),
        (None, Some(user)) => Ok((KeyObject::User, user)),
        (None, None) => Err(ApiError::invalid(
            "invalid field userId: is required (or systemObject and objectId)",
        )),
    }
}

fn visibility(v: Option<&str>) -> Result<Option<KeyVisibility>, ApiError> {
    v.map(|v| v.parse().map_err(rest_error)).transpose()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateKeyBody {
    pub user_id: Option<i64>,
    /// `Private`, `Shared`, `Public` or `Session`.
    pub visibility: String,
    /// Another object than a user: `System`, `User`, `Network`, `Mailbox` or `ECGridID`.
    pub system_object: Option<String>,
    pub object_id: Option<i64>,
    /// The key's name; absent: a new `ek_...` name. An existing key is replaced.
    pub key: Option<String>,
    pub value: Option<String>,
    pub meta: Option<String>,
    /// 0 or absent: never expires.
    pub minutes_to_live: Option<i64>,
}

/// Creates (or replaces) a key.
#[utoipa::path(post, path = "/v2/keys/create", tag = "keys",
    request_body = CreateKeyBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<KeyIdInfo>), BodyErrors))]
pub async fn create_key(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<CreateKeyBody>,
) -> Result<Data<KeyIdInfo>, ApiError> {
    let (object, object_id) = object(b.user_id, b.system_object.as_deref(), b.object_id)?;
    let Some(visibility) = visibility(Some(&b.visibility))? else {
        return Err(ApiError::invalid("invalid field visibility: is required"));
    };
    let request = KeySetRequest {
        key: KeyRef {
            object,
            object_id,
            visibility,
            name: b.key.unwrap_or_else(generated_key_name),
        },
        value: b.value.unwrap_or_default(),
        meta: b.meta.unwrap_or_default(),
        lifetime: lifetime(b.minutes_to_live.unwrap_or(0), 1, "MinutesToLive")
            .map_err(rest_error)?,
    };
    let stored = state
        .core
        .key_set(&caller, request)
        .await
        .map_err(rest_error)?;
    Ok(Data(info(stored)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteKeyBody {
    pub key_id: i64,
}

/// Deletes a key by its number: `true`; a missing one is `404`.
#[utoipa::path(delete, path = "/v2/keys", tag = "keys",
    request_body = DeleteKeyBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn delete_key(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<DeleteKeyBody>,
) -> Result<Data<bool>, ApiError> {
    let found = state
        .core
        .key_by_id(&caller, b.key_id)
        .await
        .map_err(rest_error)?;
    let a = found.address;
    let key = KeyRef {
        object: a.object,
        object_id: a.object_id,
        visibility: a.visibility,
        name: a.name,
    };
    let removed = state
        .core
        .key_remove(&caller, &key)
        .await
        .map_err(rest_error)?;
    Ok(Data(removed))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GetKeyBody {
    pub user_id: Option<i64>,
    pub system_object: Option<String>,
    pub object_id: Option<i64>,
    /// A key's name; absent: the newest key the caller sees there.
    pub key: Option<String>,
    /// With `key`: its visibility (absent: `Private`).
    pub visibility: Option<String>,
}

async fn visible(
    state: &RestState,
    caller: &Caller,
    (object, object_id): (KeyObject, i64),
) -> Result<Vec<KeyEntry>, ApiError> {
    state
        .core
        .key_list(caller, object, object_id)
        .await
        .map_err(rest_error)
}

/// One key: by name, or the newest the caller sees on the object.
#[utoipa::path(post, path = "/v2/keys/get-key", tag = "keys",
    request_body = GetKeyBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<KeyIdInfo>), BodyErrors))]
pub async fn get_key(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<GetKeyBody>,
) -> Result<Data<KeyIdInfo>, ApiError> {
    let (object, object_id) = object(b.user_id, b.system_object.as_deref(), b.object_id)?;
    if let Some(name) = b.key {
        let key = KeyRef {
            object,
            object_id,
            visibility: visibility(b.visibility.as_deref())?.unwrap_or(KeyVisibility::Private),
            name,
        };
        let found = state
            .core
            .key_get(&caller, &key)
            .await
            .map_err(rest_error)?;
        return Ok(Data(info(found)));
    }
    let newest = visible(&state, &caller, (object, object_id))
        .await?
        .into_iter()
        .max_by_key(|k| (k.created, k.id))
        .ok_or_else(|| rest_error(edigrid_domain::Error::not_found("Key")))?;
    Ok(Data(info(newest)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListKeysBody {
    pub user_id: Option<i64>,
    pub system_object: Option<String>,
    pub object_id: Option<i64>,
    /// Only keys of this visibility.
    pub visibility: Option<String>,
}

/// The keys of an object the caller sees, by name.
#[utoipa::path(post, path = "/v2/keys/list", tag = "keys",
    request_body = ListKeysBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<KeyIdInfo>>), BodyErrors))]
pub async fn list_keys(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<ListKeysBody>,
) -> Result<Data<Vec<KeyIdInfo>>, ApiError> {
    let target = object(b.user_id, b.system_object.as_deref(), b.object_id)?;
    let only = visibility(b.visibility.as_deref())?;
    let keys = visible(&state, &caller, target).await?;
    Ok(Data(
        keys.into_iter()
            .filter(|k| only.is_none_or(|v| k.address.visibility == v))
            .map(info)
            .collect(),
    ))
}

/// A status code and what it means.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusListEntry {
    pub code: String,
    pub description: String,
    /// Its position in its list (the deployed `StatusInfo.Code`).
    pub number: i16,
    /// `Info`, `Warning` or `Error`.
    pub level: String,
}

#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusLists {
    pub parcel_statuses: Vec<StatusListEntry>,
    pub interchange_statuses: Vec<StatusListEntry>,
    /// Of networks, mailboxes, users and IDs.
    pub object_statuses: Vec<StatusListEntry>,
}

/// Every status code, by the kind of object it belongs to.
#[utoipa::path(get, path = "/v2/status-lists", tag = "status-lists",
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<StatusLists>), StandardErrors))]
pub async fn get_status_lists(Authenticated(_caller): Authenticated) -> Data<StatusLists> {
    let mut lists = StatusLists::default();
    for s in status_list() {
        let list = match s.qualifier {
            "ParcelStatus" => &mut lists.parcel_statuses,
            "InterchangeStatus" => &mut lists.interchange_statuses,
            _ => &mut lists.object_statuses,
        };
        list.push(StatusListEntry {
            code: s.name.into(),
            description: s.description.into(),
            number: s.code,
            level: s.level.into(),
        });
    }
    Data(lists)
}
