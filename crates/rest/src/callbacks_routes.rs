//! `/v2/callbacks/*` (ecgrid-docs `rest-api/callbacks/`): callback registrations and their queue.
//!
//! A `callbackId` is a registration; a `callbackEventId` one delivery of one event to it
//! (the payload a receiver gets names both). `create` answers the registration's signing
//! `secret` (Standard Webhooks, `whsec_...`) this once; nothing else shows it.

use axum::extract::State;
use chrono::{DateTime, Utc};
use edigrid_core::Caller;
use edigrid_core::callbacks::model::{
    Delivery, DeliveryFilter, DeliveryStatus, EventKind, Registration, RegistrationStatus,
};
use edigrid_core::callbacks::{CallbackChanges, CallbackRequest, DeliveryQuery};
use edigrid_domain::{EcGridId, MailboxId, NetworkId, ParcelId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, StandardErrors, from_core};
use crate::json::{JsonBody, QueryParams};
use crate::wire::{filter_id, page};

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api.routes(routes!(create_callback))
        .routes(routes!(update_callback))
        .routes(routes!(delete_callback))
        .routes(routes!(get_queue_by_id))
        .routes(routes!(event_list))
        .routes(routes!(get_event_by_id))
        .routes(routes!(queue_list))
        .routes(routes!(test_callback))
}

const RENAMES: &[(&str, &str)] = &[
    ("URL", "url"),
    ("Event", "event"),
    ("Retries", "retries"),
    ("HTTPUser", "username"),
    ("Status", "status"),
    ("CallBackEventID", "callbackId"),
    ("CallBackQueueID", "callbackEventId"),
    ("MailboxID", "mailboxId"),
    ("NetworkID", "networkId"),
    ("ECGridID", "ecGridId"),
];

fn rest_error(e: edigrid_domain::Error) -> ApiError {
    from_core(e, RENAMES)
}

/// A registration as the callbacks pages show one (never its password or secret).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallbackInfo {
    pub callback_id: i64,
    pub url: String,
    /// `InBox`, `OutBox`, `InBoxError`, `OutBoxError`, `ConfirmDelivery` or `Parcel` (all).
    pub event: String,
    pub network_id: i32,
    pub mailbox_id: i32,
    pub ec_grid_id: i32,
    /// `None` or `Basic`.
    pub http_auth_type: String,
    pub username: String,
    pub retries: i16,
    /// `Active`, `Suspended` or `Terminated`.
    pub status: String,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
    /// Only in the answer to `create`: the Standard Webhooks signing secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

fn info(r: Registration, with_secret: bool) -> CallbackInfo {
    CallbackInfo {
        callback_id: r.id,
        event: r.event.as_str().into(),
        network_id: r.scope.network().0,
        mailbox_id: r.scope.mailbox().0,
        ec_grid_id: r.scope.ecgrid_id().0,
        http_auth_type: if r.auth_user.is_empty() {
            "None"
        } else {
            "Basic"
        }
        .into(),
        username: r.auth_user,
        retries: r.retries,
        status: r.status.as_str().into(),
        created: r.created,
        secret: with_secret.then_some(r.secret),
        url: r.url,
    }
}

/// One delivery of one event, as the queue and event pages show it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallbackEvent {
    pub callback_event_id: i64,
    pub callback_id: i64,
    pub url: String,
    pub event: String,
    pub network_id: i32,
    pub mailbox_id: i32,
    pub ec_grid_id: i32,
    /// The parcel it is about.
    pub object_id: i64,
    pub file_name: String,
    pub is_test: bool,
    /// `Pending`, `Sending`, `Delivered`, `Failed` or `Canceled`.
    pub status: String,
    pub attempts: i32,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub created: DateTime<Utc>,
    #[serde(serialize_with = "crate::time_format::optional_whole_seconds")]
    pub last_attempt: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub next_attempt: DateTime<Utc>,
    /// The last answer's status; 0 when none came.
    pub http_status: i32,
    pub last_error: String,
    /// The JSON body a receiver gets.
    pub payload: String,
}

/// The JSON a receiver gets: the upstream payload's fields, naming the parcel. The server's
/// delivery worker sends exactly this, and the queue views show it.
pub fn callback_payload(d: &Delivery) -> serde_json::Value {
    serde_json::json!({
        "eventId": d.id,
        "callBackQueueId": d.registration_id,
        "callbackId": d.registration_id,
        "callBackEvent": d.event.as_str(),
        "networkId": d.network_id.0,
        "mailboxId": d.mailbox_id.0,
        "ecGridId": d.ecgrid_id.0,
        "parcelId": d.parcel_id.0,
        "fileName": d.file_name,
        "eventDateTime": d.created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "isTest": d.test,
    })
}

fn event(d: Delivery) -> CallbackEvent {
    CallbackEvent {
        payload: callback_payload(&d).to_string(),
        callback_event_id: d.id,
        callback_id: d.registration_id,
        event: d.event.as_str().into(),
        network_id: d.network_id.0,
        mailbox_id: d.mailbox_id.0,
        ec_grid_id: d.ecgrid_id.0,
        object_id: d.parcel_id.0,
        file_name: d.file_name,
        is_test: d.test,
        status: d.status.as_str().into(),
        attempts: d.attempts,
        created: d.created,
        last_attempt: d.last_attempt,
        next_attempt: d.next_at,
        http_status: d.last_http,
        last_error: d.last_error,
        url: d.url,
    }
}

/// A list page: its records and how many there are in all.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventPage {
    pub total_records: u64,
    pub page_no: u32,
    pub records_per_page: u32,
    pub events: Vec<CallbackEvent>,
}

fn status_of(raw: Option<&str>) -> Result<Option<RegistrationStatus>, ApiError> {
    raw.map(|s| {
        s.parse().map_err(|()| {
            ApiError::invalid(format!(
                "invalid field status: {s:?} is not Active, Suspended or Terminated"
            ))
        })
    })
    .transpose()
}

/// `httpAuthType` with its credentials: `None` (or absent) has none, `Basic` needs a user.
fn auth_of(
    kind: Option<&str>,
    user: Option<String>,
    password: Option<String>,
) -> Result<Option<(String, String)>, ApiError> {
    match kind {
        None if user.is_none() => Ok(None),
        None | Some("Basic") => {
            let user = user.unwrap_or_default();
            if user.trim().is_empty() {
                return Err(ApiError::invalid(
                    "invalid field username: is required with httpAuthType Basic",
                ));
            }
            Ok(Some((user, password.unwrap_or_default())))
        }
        Some("None") => Ok(Some((String::new(), String::new()))),
        Some(other) => Err(ApiError::invalid(format!(
            "invalid field httpAuthType: {other:?} is not supported (None or Basic)"
        ))),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCallbackBody {
    /// `http` or `https` (`callBackUrl` as the callbacks guide spells it).
    #[serde(alias = "callBackUrl")]
    pub url: String,
    /// `InBox`, `OutBox`, `InBoxError`, `OutBoxError`, `ConfirmDelivery`, or `Parcel` for all
    /// (`callBackEvent` as the callbacks guide spells it).
    #[serde(alias = "callBackEvent")]
    pub event: String,
    /// The object it is about: an ECGridID wins over a mailbox, a mailbox over a network;
    /// none: the caller's own mailbox.
    pub network_id: Option<i32>,
    pub mailbox_id: Option<i32>,
    pub ec_grid_id: Option<i32>,
    /// `None` or `Basic`.
    pub http_auth_type: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Attempts after the first; absent: 3.
    pub retries: Option<i16>,
    /// Accepted as upstream sends it (at least 0); each event is sent once.
    pub frequency: Option<i32>,
    pub status: Option<String>,
}

/// Registers a callback; the answer holds its signing `secret`, shown this once.
#[utoipa::path(post, path = "/v2/callbacks/create", tag = "callbacks",
    request_body = CreateCallbackBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<CallbackInfo>), BodyErrors))]
pub async fn create_callback(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<CreateCallbackBody>,
) -> Result<Data<CallbackInfo>, ApiError> {
    if b.frequency.is_some_and(|f| f < 0) {
        return Err(ApiError::invalid(
            "invalid field frequency: must not be negative",
        ));
    }
    let (auth_user, auth_password) =
        auth_of(b.http_auth_type.as_deref(), b.username, b.password)?.unwrap_or_default();
    let request = CallbackRequest {
        network: filter_id("networkId", b.network_id)?.map(NetworkId),
        mailbox: filter_id("mailboxId", b.mailbox_id)?.map(MailboxId),
        ecgrid_id: filter_id("ecGridId", b.ec_grid_id)?.map(EcGridId),
        event: b.event,
        url: b.url,
        auth_user,
        auth_password,
        retries: b.retries,
        status: status_of(b.status.as_deref())?,
    };
    let r = state
        .core
        .callback_add(&caller, request)
        .await
        .map_err(rest_error)?;
    Ok(Data(info(r, true)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateCallbackBody {
    pub callback_id: i64,
    pub url: Option<String>,
    pub event: Option<String>,
    /// `Active` also sends its failed deliveries again.
    pub status: Option<String>,
    pub http_auth_type: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub retries: Option<i16>,
}

/// Changes a registration's URL, event, status, credentials or retries.
#[utoipa::path(post, path = "/v2/callbacks/update", tag = "callbacks",
    request_body = UpdateCallbackBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<CallbackInfo>), BodyErrors))]
pub async fn update_callback(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<UpdateCallbackBody>,
) -> Result<Data<CallbackInfo>, ApiError> {
    let changes = CallbackChanges {
        event: b.event,
        url: b.url,
        auth: auth_of(b.http_auth_type.as_deref(), b.username, b.password)?,
        retries: b.retries,
        status: status_of(b.status.as_deref())?,
    };
    let r = state
        .core
        .callback_update(&caller, b.callback_id, changes)
        .await
        .map_err(rest_error)?;
    Ok(Data(info(r, false)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallbackIdBody {
    pub callback_id: i64,
}

/// Ends a registration for good: its waiting deliveries are cancelled (the records stay).
#[utoipa::path(delete, path = "/v2/callbacks", tag = "callbacks",
    request_body = CallbackIdBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<bool>), BodyErrors))]
pub async fn delete_callback(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<CallbackIdBody>,
) -> Result<Data<bool>, ApiError> {
    state
        .core
        .callback_set_status(&caller, b.callback_id, RegistrationStatus::Terminated)
        .await
        .map_err(rest_error)?;
    Ok(Data(true))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueueByIdQuery {
    pub callback_id: i64,
}

/// A registration's newest delivery (or `null` when it has none yet).
#[utoipa::path(get, path = "/v2/callbacks/get-queue-by-id", tag = "callbacks",
    params(QueueByIdQuery),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Option<CallbackEvent>>), StandardErrors))]
pub async fn get_queue_by_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    QueryParams(q): QueryParams<QueueByIdQuery>,
) -> Result<Data<Option<CallbackEvent>>, ApiError> {
    let found = deliveries(
        &state,
        &caller,
        DeliveryFilter {
            registration: Some(q.callback_id),
            ..DeliveryFilter::default()
        },
        (Some(1), Some(1)),
    )
    .await?;
    Ok(Data(found.events.into_iter().next()))
}

async fn deliveries(
    state: &RestState,
    caller: &Caller,
    filter: DeliveryFilter,
    (page_no, per_page): (Option<i32>, Option<i32>),
) -> Result<EventPage, ApiError> {
    let page = page(page_no, per_page)?;
    let found = state
        .core
        .callback_deliveries(caller, DeliveryQuery { filter, page })
        .await
        .map_err(rest_error)?;
    Ok(EventPage {
        total_records: found.total,
        page_no: page.number,
        records_per_page: page.size,
        events: found.items.into_iter().map(event).collect(),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventListBody {
    /// 0 or absent: the caller's own mailbox (or network, for network users).
    pub mailbox_id: Option<i32>,
    /// An event name; absent: every event.
    pub event: Option<String>,
    pub begin_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub callback_id: Option<i64>,
    pub page_no: Option<i32>,
    pub records_per_page: Option<i32>,
}

/// Deliveries in a mailbox, newest first, by event and creation date.
#[utoipa::path(post, path = "/v2/callbacks/event-list", tag = "callbacks",
    request_body = EventListBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<EventPage>), BodyErrors))]
pub async fn event_list(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<EventListBody>,
) -> Result<Data<EventPage>, ApiError> {
    let event = b
        .event
        .as_deref()
        .map(|e| {
            e.parse::<EventKind>().map_err(|()| {
                ApiError::invalid(format!(
                    "invalid field event: {e:?} is not a callback event"
                ))
            })
        })
        .transpose()?;
    if let (Some(s), Some(u)) = (b.begin_date, b.end_date)
        && u < s
    {
        return Err(ApiError::invalid(
            "invalid field endDate: is before beginDate",
        ));
    }
    let filter = DeliveryFilter {
        registration: b.callback_id.filter(|id| *id != 0),
        mailbox: filter_id("mailboxId", b.mailbox_id)?.map(MailboxId),
        event,
        since: b.begin_date,
        until: b.end_date,
        ..DeliveryFilter::default()
    };
    Ok(Data(
        deliveries(&state, &caller, filter, (b.page_no, b.records_per_page)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventIdBody {
    pub callback_event_id: i64,
}

/// One delivery with its payload, attempts and last answer.
#[utoipa::path(post, path = "/v2/callbacks/get-event-by-id", tag = "callbacks",
    request_body = EventIdBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<CallbackEvent>), BodyErrors))]
pub async fn get_event_by_id(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<EventIdBody>,
) -> Result<Data<CallbackEvent>, ApiError> {
    let d = state
        .core
        .callback_delivery(&caller, b.callback_event_id)
        .await
        .map_err(rest_error)?;
    Ok(Data(event(d)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueueListBody {
    pub mailbox_id: Option<i32>,
    pub callback_id: Option<i64>,
    /// `Pending` (also those being sent), `Delivered`, `Failed` or `Canceled`; absent: all.
    pub status: Option<String>,
    pub page_no: Option<i32>,
    pub records_per_page: Option<i32>,
}

/// Deliveries by status, newest first.
#[utoipa::path(post, path = "/v2/callbacks/queue-list", tag = "callbacks",
    request_body = QueueListBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<EventPage>), BodyErrors))]
pub async fn queue_list(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<QueueListBody>,
) -> Result<Data<EventPage>, ApiError> {
    let statuses = match b.status.as_deref() {
        None => Vec::new(),
        Some(s) => match s.parse::<DeliveryStatus>() {
            Ok(DeliveryStatus::Pending | DeliveryStatus::Sending) => {
                vec![DeliveryStatus::Pending, DeliveryStatus::Sending]
            }
            Ok(other) => vec![other],
            Err(()) => {
                return Err(ApiError::invalid(format!(
                    "invalid field status: {s:?} is not Pending, Delivered, Failed or Canceled"
                )));
            }
        },
    };
    let filter = DeliveryFilter {
        registration: b.callback_id.filter(|id| *id != 0),
        mailbox: filter_id("mailboxId", b.mailbox_id)?.map(MailboxId),
        statuses,
        ..DeliveryFilter::default()
    };
    Ok(Data(
        deliveries(&state, &caller, filter, (b.page_no, b.records_per_page)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestCallbackBody {
    pub callback_id: i64,
    /// The parcel the test payload names; absent: 0.
    pub parcel_id: Option<i64>,
}

/// Queues a test event (`isTest` true) to the registration's URL; its delivery record.
#[utoipa::path(post, path = "/v2/callbacks/test", tag = "callbacks",
    request_body = TestCallbackBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<CallbackEvent>), BodyErrors))]
pub async fn test_callback(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<TestCallbackBody>,
) -> Result<Data<CallbackEvent>, ApiError> {
    let d = state
        .core
        .callback_test(&caller, b.callback_id, ParcelId(b.parcel_id.unwrap_or(0)))
        .await
        .map_err(rest_error)?;
    Ok(Data(event(d)))
}
