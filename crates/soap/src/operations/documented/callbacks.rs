//! Callbacks in the documented dialect (ecgrid-docs soap-api/callbacks, SPEC-VAN 20).
//!
//! As the pages name them, `CallBackID` is a registration and `CallBackEventID` one delivery
//! of one event (`CallBackEvent`), except in `CallBackTest`, whose `CallBackEventID` names
//! the registration to test. `Event` takes the `Objects` value `Parcel` (every parcel event)
//! or one event: `InBox`, `OutBox`, `InBoxError`, `OutBoxError`, `ConfirmDelivery`. `Status`
//! of a delivery is `Pending`, `Delivered`, `Failed` or `Canceled`.

use edigrid_core::Page;
use edigrid_core::callbacks::model::{
    Delivery, DeliveryFilter, DeliveryStatus, EventKind, Registration,
};
use edigrid_core::callbacks::{CallbackRequest, DeliveryQuery};
use edigrid_domain::{Error, MailboxId, NetworkId, ParamProblem, ParcelId};

use super::super::{Call, Operation, SESSION_ID, authenticate};
use super::{MAILBOX_FILTER, NETWORK_FILTER, PAGE_NO, RECORDS_PER_PAGE, page};
use crate::deployed_schema::types;
use crate::schema::{ComplexType, Field, Value, XsdType};

/// Most deliveries a queue list returns.
const QUEUE_LIST_MAX: u32 = 500;

/// A registration (`CallBackAdd`) or one delivery (the lists, `CallBackQueueInfo`,
/// `CallBackTest`), as the pages' `CallBackQueueIDInfo`.
pub static CALLBACK_QUEUE_ID_INFO: ComplexType = ComplexType {
    name: "CallBackQueueIDInfo",
    fields: &[
        Field::new("CallBackQueueID", XsdType::Long),
        Field::new("CallBackID", XsdType::Int),
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("URL", XsdType::String),
        Field::new("Event", XsdType::String),
        Field::new("Status", XsdType::String),
        Field::new("CreateDate", XsdType::DateTime),
        Field::new("LastAttemptDate", XsdType::DateTime).optional(),
        Field::new("AttemptCount", XsdType::Int).optional(),
        Field::new("HTTPResponse", XsdType::Int).optional(),
        Field::new("ParcelID", XsdType::Long).optional(),
        Field::new("InterchangeID", XsdType::Long).optional(),
    ],
};

/// One delivery of one event, as the pages' `CallBackEvent`.
pub static CALLBACK_EVENT: ComplexType = ComplexType {
    name: "CallBackEvent",
    fields: &[
        Field::new("CallBackEventID", XsdType::Int),
        Field::new("CallBackID", XsdType::Int),
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("Event", XsdType::String),
        Field::new("EventDate", XsdType::DateTime),
        Field::new("ParcelID", XsdType::Long),
        Field::new("InterchangeID", XsdType::Long),
        Field::new("UserID", XsdType::Int),
        Field::new("Status", XsdType::String),
        Field::new("URL", XsdType::String),
        Field::new("HTTPResponse", XsdType::Int),
    ],
};

pub(super) const CALLBACK_ADD: Operation = Operation {
    name: "CallBackAdd",
    doc: "Registers a callback: a signed JSON POST (Standard Webhooks) to URL on each matching parcel event of the mailbox (MailboxID; 0 the caller's own) or network. Event: Parcel (all) or InBox, OutBox, InBoxError, OutBoxError, ConfirmDelivery. AuthType None or Basic.",
    params: &[
        SESSION_ID,
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("URL", XsdType::String),
        Field::new("Event", XsdType::String),
        Field::new("AuthType", XsdType::Enum(&types::HTTPAuthType)),
        Field::new("Username", XsdType::String).optional(),
        Field::new("Password", XsdType::String).optional(),
    ],
    result: XsdType::Complex(&CALLBACK_QUEUE_ID_INFO),
    handler: directory!(callback_add),
};

pub(super) const CALLBACK_EVENT_INFO: Operation = Operation {
    name: "CallBackEventInfo",
    doc: "One delivery of one event to a callback: its status and the last HTTP status of the receiver.",
    params: &[SESSION_ID, Field::new("CallBackEventID", XsdType::Int)],
    result: XsdType::Complex(&CALLBACK_EVENT),
    handler: directory!(callback_event_info),
};

pub(super) const CALLBACK_EVENT_LIST: Operation = Operation {
    name: "CallBackEventList",
    doc: "One page of deliveries, newest first, by network or mailbox (0: the caller's own), event (empty: all) and creation date.",
    params: &[
        SESSION_ID,
        NETWORK_FILTER,
        MAILBOX_FILTER,
        Field::new("Event", XsdType::String).optional(),
        Field::new("BeginDate", XsdType::DateTime).optional(),
        Field::new("EndDate", XsdType::DateTime).optional(),
        PAGE_NO,
        RECORDS_PER_PAGE,
    ],
    result: XsdType::Array(&CALLBACK_EVENT),
    handler: directory!(callback_event_list),
};

pub(super) const CALLBACK_FAILED_LIST: Operation = Operation {
    name: "CallBackFailedList",
    doc: "The caller's deliveries that failed every attempt in the last MaxDays days (0: any time), newest first.",
    params: &[SESSION_ID, Field::new("MaxDays", XsdType::Short)],
    result: XsdType::Array(&CALLBACK_QUEUE_ID_INFO),
    handler: directory!(callback_failed_list),
};

pub(super) const CALLBACK_PENDING_LIST: Operation = Operation {
    name: "CallBackPendingList",
    doc: "The caller's deliveries not yet delivered (waiting or being sent), newest first.",
    params: &[SESSION_ID],
    result: XsdType::Array(&CALLBACK_QUEUE_ID_INFO),
    handler: directory!(callback_pending_list),
};

pub(super) const CALLBACK_QUEUE_INFO: Operation = Operation {
    name: "CallBackQueueInfo",
    doc: "One delivery: status, attempts, the receiver's last HTTP status, the parcel.",
    params: &[SESSION_ID, Field::new("CallBackQueueID", XsdType::Long)],
    result: XsdType::Complex(&CALLBACK_QUEUE_ID_INFO),
    handler: directory!(callback_queue_info),
};

pub(super) const CALLBACK_TEST: Operation = Operation {
    name: "CallBackTest",
    doc: "Queues a test event (isTest true) to the callback CallBackEventID names, naming ParcelID; the answer is its delivery record.",
    params: &[
        SESSION_ID,
        Field::new("CallBackEventID", XsdType::Int),
        Field::new("ParcelID", XsdType::Long).optional(),
        Field::new("InterchangeID", XsdType::Long).optional(),
        Field::new("UserID", XsdType::Int).optional(),
    ],
    result: XsdType::Complex(&CALLBACK_QUEUE_ID_INFO),
    handler: directory!(callback_test),
};

fn int(n: i64) -> Value {
    Value::Int(i32::try_from(n).unwrap_or(i32::MAX))
}

fn status_name(s: DeliveryStatus) -> &'static str {
    match s {
        DeliveryStatus::Pending | DeliveryStatus::Sending => "Pending",
        DeliveryStatus::Delivered => "Delivered",
        DeliveryStatus::Failed => "Failed",
        DeliveryStatus::Canceled => "Canceled",
    }
}

fn registration_record(r: Registration) -> Value {
    Value::Record(vec![
        ("CallBackQueueID", Value::Long(0)),
        ("CallBackID", int(r.id)),
        ("NetworkID", Value::Int(r.scope.network().0)),
        ("MailboxID", Value::Int(r.scope.mailbox().0)),
        ("URL", Value::Str(r.url)),
        ("Event", Value::Str(r.event.as_str().into())),
        ("Status", Value::Str(r.status.as_str().into())),
        ("CreateDate", Value::DateTime(r.created)),
    ])
}

fn queue_record(d: Delivery) -> Value {
    let mut fields = vec![
        ("CallBackQueueID", Value::Long(d.id)),
        ("CallBackID", int(d.registration_id)),
        ("NetworkID", Value::Int(d.network_id.0)),
        ("MailboxID", Value::Int(d.mailbox_id.0)),
        ("URL", Value::Str(d.url)),
        ("Event", Value::Str(d.event.as_str().into())),
        ("Status", Value::Str(status_name(d.status).into())),
        ("CreateDate", Value::DateTime(d.created)),
        ("AttemptCount", Value::Int(d.attempts)),
        ("HTTPResponse", Value::Int(d.last_http)),
        ("ParcelID", Value::Long(d.parcel_id.0)),
        ("InterchangeID", Value::Long(0)),
    ];
    if let Some(at) = d.last_attempt {
        fields.push(("LastAttemptDate", Value::DateTime(at)));
    }
    Value::Record(fields)
}

fn event_record(d: Delivery) -> Value {
    Value::Record(vec![
        ("CallBackEventID", int(d.id)),
        ("CallBackID", int(d.registration_id)),
        ("NetworkID", Value::Int(d.network_id.0)),
        ("MailboxID", Value::Int(d.mailbox_id.0)),
        ("Event", Value::Str(d.event.as_str().into())),
        ("EventDate", Value::DateTime(d.created)),
        ("ParcelID", Value::Long(d.parcel_id.0)),
        ("InterchangeID", Value::Long(0)),
        ("UserID", Value::Int(0)),
        ("Status", Value::Str(status_name(d.status).into())),
        ("URL", Value::Str(d.url)),
        ("HTTPResponse", Value::Int(d.last_http)),
    ])
}

fn named<T>(n: i32, id: fn(i32) -> T) -> Option<T> {
    (n != 0).then(|| id(n))
}

async fn callback_add(call: Call) -> Result<Value, Error> {
    let auth = call.args.enumeration("AuthType");
    if !matches!(auth, "None" | "Basic") {
        return Err(Error::invalid(
            "AuthType",
            ParamProblem::Value,
            format!("{auth} is not supported; use None or Basic"),
        ));
    }
    let basic = auth == "Basic";
    if basic && call.args.str("Username").trim().is_empty() {
        return Err(Error::invalid(
            "Username",
            ParamProblem::Value,
            "is required with Basic",
        ));
    }
    let request = CallbackRequest {
        network: named(call.args.int("NetworkID"), NetworkId),
        mailbox: named(call.args.int("MailboxID"), MailboxId),
        ecgrid_id: None,
        event: call.args.str("Event").into(),
        url: call.args.str("URL").into(),
        auth_user: if basic {
            call.args.str("Username").into()
        } else {
            String::new()
        },
        auth_password: if basic {
            call.args.str("Password").into()
        } else {
            String::new()
        },
        retries: None,
        status: None,
    };
    let caller = authenticate(&call).await?;
    let r = call.core.callback_add(&caller, request).await?;
    Ok(registration_record(r))
}

async fn callback_event_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let id = i64::from(call.args.int("CallBackEventID"));
    let d = call
        .core
        .callback_delivery(&caller, id)
        .await
        .map_err(|e| match e {
            Error::NotFound { .. } => Error::not_found("CallBackEventID"),
            other => other,
        })?;
    Ok(event_record(d))
}

async fn callback_event_list(call: Call) -> Result<Value, Error> {
    let raw = call.args.str("Event").trim().to_string();
    let event = if raw.is_empty() || raw == "0" {
        None
    } else {
        Some(raw.parse::<EventKind>().map_err(|()| {
            Error::invalid(
                "Event",
                ParamProblem::Value,
                format!("{raw:?} is not a callback event"),
            )
        })?)
    };
    let since = call
        .args
        .datetime("BeginDate")
        .filter(|t| t.timestamp() > 0);
    let until = call.args.datetime("EndDate").filter(|t| t.timestamp() > 0);
    if let (Some(s), Some(u)) = (since, until)
        && u < s
    {
        return Err(Error::invalid(
            "EndDate",
            ParamProblem::Value,
            "is before BeginDate",
        ));
    }
    let page = page(&call.args)?;
    let filter = DeliveryFilter {
        network: named(call.args.int("NetworkID"), NetworkId),
        mailbox: named(call.args.int("MailboxID"), MailboxId),
        event,
        since,
        until,
        ..DeliveryFilter::default()
    };
    let caller = authenticate(&call).await?;
    let found = call
        .core
        .callback_deliveries(&caller, DeliveryQuery { filter, page })
        .await?;
    Ok(Value::List(
        found.items.into_iter().map(event_record).collect(),
    ))
}

async fn queue_list(
    call: &Call,
    statuses: Vec<DeliveryStatus>,
    days: Option<i32>,
) -> Result<Value, Error> {
    let since = call.core.deliveries_since(days)?;
    let caller = authenticate(call).await?;
    let q = DeliveryQuery {
        filter: DeliveryFilter {
            statuses,
            since,
            ..DeliveryFilter::default()
        },
        page: Page::first(QUEUE_LIST_MAX),
    };
    let found = call.core.callback_deliveries(&caller, q).await?;
    Ok(Value::List(
        found.items.into_iter().map(queue_record).collect(),
    ))
}

async fn callback_failed_list(call: Call) -> Result<Value, Error> {
    let days = call.args.int("MaxDays");
    queue_list(&call, vec![DeliveryStatus::Failed], Some(days)).await
}

async fn callback_pending_list(call: Call) -> Result<Value, Error> {
    queue_list(
        &call,
        vec![DeliveryStatus::Pending, DeliveryStatus::Sending],
        None,
    )
    .await
}

async fn callback_queue_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let d = call
        .core
        .callback_delivery(&caller, call.args.long("CallBackQueueID"))
        .await?;
    Ok(queue_record(d))
}

async fn callback_test(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let id = i64::from(call.args.int("CallBackEventID"));
    let d = call
        .core
        .callback_test(&caller, id, ParcelId(call.args.long("ParcelID")))
        .await?;
    Ok(queue_record(d))
}
