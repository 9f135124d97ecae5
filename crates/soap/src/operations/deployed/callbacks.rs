//! Callbacks (SPEC-VAN 20): registration, the delivery queue and its views, test events.
//!
//! In this WSDL a `CallBackEvent` (`CallBackEventID`) is a registration and a
//! `CallBackQueue` entry (`CallBackQueueID`) one delivery of one event to it. Only parcel
//! events are raised: `SystemObject` must be `Parcel`; `Direction` picks the side (`InBox`,
//! `OutBox`, `NoDir` for every parcel event) and `ObjectStatus` the kind: 0 a delivery, 1 an
//! error (`InBoxError`, `OutBoxError`), 2 a confirmed download (`ConfirmDelivery`, with
//! `InBox`). `HTTPAuthentication` is `None` or `Basic`. Passwords are never written back.

use edigrid_core::Page;
use edigrid_core::callbacks::model::{
    Delivery, DeliveryFilter, DeliveryStatus, EventKind, Registration, RegistrationStatus,
};
use edigrid_core::callbacks::{CallbackRequest, DeliveryQuery};
use edigrid_domain::{EcGridId, Error, MailboxId, NetworkId, ParamProblem, ParcelId};

use super::super::{Call, authenticate};
use super::users::named;
use super::{Registration as Op, short};
use crate::schema::Value;

pub(super) const OPERATIONS: &[Op] = &[
    serve_directory!("CallBackPendingList", callback_pending_list),
    serve_directory!("CallBackPendingListEx", callback_pending_list_ex),
    serve_directory!("CallBackPendingListExA", callback_pending_list_ex_a),
    serve_directory!("CallBackFailedList", callback_failed_list),
    serve_directory!("CallBackFailedListEx", callback_failed_list_ex),
    serve_directory!("CallBackEventInfo", callback_event_info),
    serve_directory!("CallBackEventListEx", callback_event_list_ex),
    serve_directory!("CallBackAddEx", callback_add_ex),
    serve_directory!("CallBackEventSetStatus", callback_event_set_status),
    serve_directory!("CallBackQueueInfo", callback_queue_info),
    serve_directory!("CallBackTest", callback_test),
];

/// Most deliveries a queue list returns.
const QUEUE_LIST_MAX: u32 = 500;

fn direction(e: EventKind) -> &'static str {
    match e {
        EventKind::InBox | EventKind::InBoxError | EventKind::ConfirmDelivery => "InBox",
        EventKind::OutBox | EventKind::OutBoxError => "OutBox",
        EventKind::Parcel => "NoDir",
    }
}

fn object_status(e: EventKind) -> i16 {
    match e {
        EventKind::InBoxError | EventKind::OutBoxError => 1,
        EventKind::ConfirmDelivery => 2,
        _ => 0,
    }
}

/// The event a `SystemObject`, `Direction` and `ObjectStatus` name.
fn event_of(call: &Call) -> Result<EventKind, Error> {
    let object = call.args.enumeration("SystemObject");
    if object != "Parcel" {
        return Err(Error::invalid(
            "SystemObject",
            ParamProblem::Value,
            format!("{object:?} events are not raised by this server; use Parcel"),
        ));
    }
    let dir = call.args.enumeration("Direction");
    let status = call.args.int("ObjectStatus");
    let kind = match (dir, status) {
        ("NoDir", 0) => EventKind::Parcel,
        ("InBox", 0) => EventKind::InBox,
        ("OutBox", 0) => EventKind::OutBox,
        ("InBox", 1) => EventKind::InBoxError,
        ("OutBox", 1) => EventKind::OutBoxError,
        ("InBox", 2) => EventKind::ConfirmDelivery,
        _ => {
            return Err(Error::invalid(
                "ObjectStatus",
                ParamProblem::Value,
                format!(
                    "{status} with Direction {dir} is not an event (0 delivered, 1 error, 2 \
                     confirmed with InBox; NoDir only with 0)"
                ),
            ));
        }
    };
    Ok(kind)
}

fn status_of(call: &Call) -> Result<RegistrationStatus, Error> {
    let raw = call.args.enumeration("Status");
    raw.parse().map_err(|()| {
        Error::invalid(
            "Status",
            ParamProblem::Value,
            format!("{raw:?} is not a callback status (Active, Suspended or Terminated)"),
        )
    })
}

fn queue_status(s: DeliveryStatus) -> &'static str {
    match s {
        DeliveryStatus::Pending => "Pending",
        DeliveryStatus::Sending => "Active",
        DeliveryStatus::Delivered => "Completed",
        DeliveryStatus::Failed => "Error",
        DeliveryStatus::Canceled => "Canceled",
    }
}

/// A delivery as `CallBackQueueIDInfo`, with its last attempt as its log.
fn queue_info(d: Delivery) -> Value {
    let mut log = Vec::new();
    if let Some(at) = d.last_attempt {
        log.push(Value::Record(vec![
            ("CallBackLogID", Value::Long(d.id)),
            ("Date", Value::DateTime(at)),
            ("CallNumber", short(d.attempts)),
            ("ReturnCode", Value::Int(d.last_http)),
            ("Message", Value::Str(d.last_error.clone())),
        ]));
    }
    let remaining = match d.status {
        DeliveryStatus::Pending | DeliveryStatus::Sending => d.calls_remaining,
        _ => 0,
    };
    Value::Record(vec![
        ("CallBackQueueID", Value::Long(d.id)),
        ("Date", Value::DateTime(d.created)),
        ("CallsRemaining", short(remaining)),
        ("NextCall", Value::DateTime(d.next_at)),
        ("Status", Value::Enum(queue_status(d.status))),
        ("ObjectID", Value::Long(d.parcel_id.0)),
        ("UserID", Value::Int(0)),
        ("Test", Value::Bool(d.test)),
        ("CallBackLog", Value::List(log)),
    ])
}

/// A registration as `CallBackEventIDInfo`, with `queue` deliveries when given.
fn event_info(r: Registration, queue: Option<Vec<Delivery>>) -> Value {
    let auth = if r.auth_user.is_empty() {
        "None"
    } else {
        "Basic"
    };
    let mut fields = vec![
        (
            "CallBackEventID",
            Value::Int(i32::try_from(r.id).unwrap_or(i32::MAX)),
        ),
        ("NetworkID", Value::Int(r.scope.network().0)),
        ("MailboxID", Value::Int(r.scope.mailbox().0)),
        ("UserID", Value::Int(r.created_by.0)),
        ("Created", Value::DateTime(r.created)),
        ("Modified", Value::DateTime(r.modified)),
        ("SystemObject", Value::Enum("Parcel")),
        ("ObjectStatus", Value::Short(object_status(r.event))),
        ("StatusCode", Value::Str(r.event.as_str().into())),
        ("Direction", Value::Enum(direction(r.event))),
        ("Frequency", Value::Short(1)),
        ("MaxCalls", short(i32::from(r.retries) + 1)),
        ("Status", Value::Enum(r.status.as_str())),
        ("URL", Value::Str(r.url)),
        (
            "HTTPAuthentication",
            Value::Record(vec![
                ("Type", Value::Enum(auth)),
                ("User", Value::Str(r.auth_user)),
                ("Password", Value::Str(String::new())),
            ]),
        ),
    ];
    if let Some(queue) = queue {
        fields.push((
            "CallBackQueue",
            Value::List(queue.into_iter().map(queue_info).collect()),
        ));
    }
    Value::Record(fields)
}

fn event_id(call: &Call) -> i64 {
    i64::from(call.args.int("CallBackEventID"))
}

async fn callback_add_ex(call: Call) -> Result<Value, Error> {
    let event = event_of(&call)?;
    let auth = call.args.enumeration("HTTPAuthentication");
    if !matches!(auth, "None" | "Basic") {
        return Err(Error::invalid(
            "HTTPAuthentication",
            ParamProblem::Value,
            format!("{auth} is not supported; use None or Basic"),
        ));
    }
    let retries = call.args.int("MaxRetries");
    let request = CallbackRequest {
        network: named(call.args.int("NetworkID"), NetworkId),
        mailbox: named(call.args.int("MailboxID"), MailboxId),
        ecgrid_id: None::<EcGridId>,
        event: event.as_str().into(),
        url: call.args.str("URL").into(),
        auth_user: if auth == "Basic" {
            call.args.str("HTTPUser").into()
        } else {
            String::new()
        },
        auth_password: if auth == "Basic" {
            call.args.str("HTTPPassword").into()
        } else {
            String::new()
        },
        retries: Some(i16::try_from(retries).unwrap_or(i16::MAX)),
        status: Some(status_of(&call)?),
    };
    if auth == "Basic" && request.auth_user.trim().is_empty() {
        return Err(Error::invalid(
            "HTTPUser",
            ParamProblem::Value,
            "is required with Basic",
        ));
    }
    let caller = authenticate(&call).await?;
    let r = call.core.callback_add(&caller, request).await?;
    Ok(event_info(r, None))
}

async fn callback_event_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let r = call.core.callback_get(&caller, event_id(&call)).await?;
    let count = u32::try_from(call.args.int("QueueCount")).unwrap_or(0);
    let queue = if count > 0 {
        let q = DeliveryQuery {
            filter: DeliveryFilter {
                registration: Some(r.id),
                ..DeliveryFilter::default()
            },
            page: Page {
                number: 1,
                size: count.min(QUEUE_LIST_MAX),
            },
        };
        Some(call.core.callback_deliveries(&caller, q).await?.items)
    } else {
        None
    };
    Ok(event_info(r, queue))
}

async fn callback_event_list_ex(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let found = call
        .core
        .callback_list(
            &caller,
            named(call.args.int("NetworkID"), NetworkId),
            named(call.args.int("MailboxID"), MailboxId),
            call.args.boolean("ShowInactive"),
        )
        .await?;
    Ok(Value::List(
        found.into_iter().map(|r| event_info(r, None)).collect(),
    ))
}

async fn callback_event_set_status(call: Call) -> Result<Value, Error> {
    let status = status_of(&call)?;
    let caller = authenticate(&call).await?;
    call.core
        .callback_set_status(&caller, event_id(&call), status)
        .await?;
    Ok(Value::Bool(true))
}

async fn callback_queue_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let d = call
        .core
        .callback_delivery(&caller, call.args.long("CallBackQueueID"))
        .await?;
    Ok(queue_info(d))
}

async fn callback_test(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let d = call
        .core
        .callback_test(
            &caller,
            event_id(&call),
            ParcelId(call.args.long("ParcelID")),
        )
        .await?;
    Ok(queue_info(d))
}

/// A queue list: the deliveries in `statuses` in a network or mailbox (the caller's own
/// when not named), newest first.
async fn queue_list(
    call: &Call,
    (network, mailbox): (Option<NetworkId>, Option<MailboxId>),
    statuses: Vec<DeliveryStatus>,
    max_days: Option<i32>,
) -> Result<Value, Error> {
    let since = call.core.deliveries_since(max_days)?;
    let caller = authenticate(call).await?;
    let q = DeliveryQuery {
        filter: DeliveryFilter {
            network,
            mailbox,
            statuses,
            since,
            ..DeliveryFilter::default()
        },
        page: Page {
            number: 1,
            size: QUEUE_LIST_MAX,
        },
    };
    let found = call.core.callback_deliveries(&caller, q).await?;
    Ok(Value::List(
        found.items.into_iter().map(queue_info).collect(),
    ))
}

fn waiting() -> Vec<DeliveryStatus> {
    vec![DeliveryStatus::Pending, DeliveryStatus::Sending]
}

fn named_scope(call: &Call) -> (Option<NetworkId>, Option<MailboxId>) {
    (
        named(call.args.int("NetworkID"), NetworkId),
        named(call.args.int("MailboxID"), MailboxId),
    )
}

async fn callback_pending_list(call: Call) -> Result<Value, Error> {
    queue_list(&call, (None, None), waiting(), None).await
}

async fn callback_pending_list_ex(call: Call) -> Result<Value, Error> {
    queue_list(&call, named_scope(&call), waiting(), None).await
}

/// `NetworkExclude` would hide other networks' deliveries; every list here is of one
/// network already, so it narrows nothing further.
async fn callback_pending_list_ex_a(call: Call) -> Result<Value, Error> {
    queue_list(&call, named_scope(&call), waiting(), None).await
}

async fn callback_failed_list(call: Call) -> Result<Value, Error> {
    let days = call.args.int("MaxDays");
    queue_list(
        &call,
        (None, None),
        vec![DeliveryStatus::Failed],
        Some(days),
    )
    .await
}

async fn callback_failed_list_ex(call: Call) -> Result<Value, Error> {
    let days = call.args.int("MaxDays");
    queue_list(
        &call,
        named_scope(&call),
        vec![DeliveryStatus::Failed],
        Some(days),
    )
    .await
}
