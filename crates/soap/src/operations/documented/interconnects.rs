//! Interconnects in the documented dialect (ecgrid-docs soap-api/partners, SPEC-VAN 20): a
//! request from `ECGridIDFrom` to `ECGridIDTo` that the partner's side accepts by asking for
//! the same pair back; either side cancels. The pages speak the directory's `Status`: a
//! completed interconnect is `Active`, one waiting for the partner `Preproduction`, a canceled
//! one `Terminated`, and the other waiting states `Suspended` (as REST `/v2/partners` says
//! them); `InterconnectStatus` after the pages' fields gives the exact state.
//! `InterconnectUpdate` sets a status the same way: `Active` accepts (the partner's side),
//! `Terminated` cancels, `Suspended` holds traffic (`Delayed`) until `Active` again.

use edigrid_core::relations::InterconnectStatus;
use edigrid_core::relations::{Interconnect, InterconnectRequest, InterconnectScope};
use edigrid_domain::{EcGridId, Error, ParamProblem};

use super::super::{Call, Operation, SESSION_ID, authenticate};
use super::{
    MAILBOX_FILTER, NETWORK_FILTER, PAGE_NO, RECORDS_PER_PAGE, STATUS, STATUS_FILTER, count, list,
    mailbox_filter, network_filter, page, renamed,
};
use crate::args::Args;
use crate::schema::{ComplexType, Field, Value, XsdType};

/// The pages' six fields, then the exact state.
pub static INTERCONNECT_ID_INFO: ComplexType = ComplexType {
    name: "InterconnectIDInfo",
    fields: &[
        Field::new("InterconnectID", XsdType::Int),
        Field::new("ECGridIDFrom", XsdType::Int),
        Field::new("ECGridIDTo", XsdType::Int),
        Field::new("Status", XsdType::Enum(&STATUS)),
        Field::new("Created", XsdType::DateTime),
        Field::new("Modified", XsdType::DateTime),
        Field::new("InterconnectStatus", XsdType::String).optional(),
    ],
};

const INTERCONNECT_ID: Field = Field::new("InterconnectID", XsdType::Int);
const ECGRID_ID: Field = Field::new("ECGridID", XsdType::Int);

pub(super) const INTERCONNECT_UPDATE: Operation = Operation {
    name: "InterconnectUpdate",
    doc: "Sets an interconnect's status: Active accepts it (the partner's side) or opens it again, Suspended holds its traffic, Terminated cancels it (either side).",
    params: &[
        SESSION_ID,
        INTERCONNECT_ID,
        Field::new("Status", XsdType::Enum(&STATUS)),
    ],
    result: XsdType::Complex(&INTERCONNECT_ID_INFO),
    handler: directory!(interconnect_update),
};

pub(super) const INTERCONNECT_ADD: Operation = Operation {
    name: "InterconnectAdd",
    doc: "Asks for an interconnect from ECGridIDFrom (the caller's) to ECGridIDTo, or accepts the partner's request for the same pair; Active once both sides have asked.",
    params: &[
        SESSION_ID,
        Field::new("ECGridIDFrom", XsdType::Int),
        Field::new("ECGridIDTo", XsdType::Int),
    ],
    result: XsdType::Complex(&INTERCONNECT_ID_INFO),
    handler: directory!(interconnect_add),
};

pub(super) const INTERCONNECT_CANCEL: Operation = Operation {
    name: "InterconnectCancel",
    doc: "Cancels an interconnect for good (either side).",
    params: &[SESSION_ID, INTERCONNECT_ID],
    result: XsdType::Boolean,
    handler: directory!(interconnect_cancel),
};

pub(super) const INTERCONNECT_COUNT: Operation = Operation {
    name: "InterconnectCount",
    doc: "How many interconnects an ECGridID has (either side), optionally of one status.",
    params: &[SESSION_ID, ECGRID_ID, STATUS_FILTER],
    result: XsdType::Int,
    handler: directory!(interconnect_count),
};

pub(super) const INTERCONNECT_INFO: Operation = Operation {
    name: "InterconnectInfo",
    doc: "One interconnect.",
    params: &[SESSION_ID, INTERCONNECT_ID],
    result: XsdType::Complex(&INTERCONNECT_ID_INFO),
    handler: directory!(interconnect_info),
};

pub(super) const INTERCONNECT_LIST_BY_ECGRID_ID: Operation = Operation {
    name: "InterconnectListByECGridID",
    doc: "The interconnects of an ECGridID (either side), optionally of one status, a page at a time.",
    params: &[
        SESSION_ID,
        ECGRID_ID,
        STATUS_FILTER,
        PAGE_NO,
        RECORDS_PER_PAGE,
    ],
    result: XsdType::Array(&INTERCONNECT_ID_INFO),
    handler: directory!(interconnect_list_by_ecgrid_id),
};

pub(super) const INTERCONNECT_LIST_BY_STATUS: Operation = Operation {
    name: "InterconnectListByStatus",
    doc: "The interconnects of a network or mailbox (0: every one the caller reads), optionally of one status, a page at a time.",
    params: &[
        SESSION_ID,
        NETWORK_FILTER,
        MAILBOX_FILTER,
        STATUS_FILTER,
        PAGE_NO,
        RECORDS_PER_PAGE,
    ],
    result: XsdType::Array(&INTERCONNECT_ID_INFO),
    handler: directory!(interconnect_list_by_status),
};

pub(super) const INTERCONNECT_NOTE: Operation = Operation {
    name: "InterconnectNote",
    doc: "Adds a note to an interconnect (either side's managers).",
    params: &[
        SESSION_ID,
        INTERCONNECT_ID,
        Field::new("Note", XsdType::String),
    ],
    result: XsdType::Boolean,
    handler: directory!(interconnect_note),
};

/// The pages' `Status` of an interconnect's state.
fn page_status(s: InterconnectStatus) -> &'static str {
    match s {
        InterconnectStatus::Completed => "Active",
        InterconnectStatus::Canceled => "Terminated",
        InterconnectStatus::Pending => "Preproduction",
        InterconnectStatus::Delayed
        | InterconnectStatus::Problem
        | InterconnectStatus::AuthorizationRequired => "Suspended",
    }
}

/// The `Status` filter as a state (the reader has checked it is one of the pages' values);
/// absent is any.
fn status_filter(args: &Args) -> Option<InterconnectStatus> {
    match args.enumeration(STATUS_FILTER.name) {
        "Active" => Some(InterconnectStatus::Completed),
        "Terminated" => Some(InterconnectStatus::Canceled),
        "Development" | "Preproduction" => Some(InterconnectStatus::Pending),
        "Suspended" => Some(InterconnectStatus::Delayed),
        _ => None,
    }
}

fn info(i: &Interconnect) -> Value {
    Value::Record(vec![
        ("InterconnectID", Value::Int(i.id)),
        ("ECGridIDFrom", Value::Int(i.ecgrid_id1.0)),
        ("ECGridIDTo", Value::Int(i.ecgrid_id2.0)),
        ("Status", Value::Enum(page_status(i.status))),
        ("Created", Value::DateTime(i.created)),
        ("Modified", Value::DateTime(i.modified)),
        (
            "InterconnectStatus",
            Value::Str(i.status.as_str().to_string()),
        ),
    ])
}

fn interconnect_id(call: &Call) -> i32 {
    call.args.int(INTERCONNECT_ID.name)
}

/// `ECGridID` of a count or list, which the pages require.
fn ecgrid_id(args: &Args) -> Result<EcGridId, Error> {
    match args.int(ECGRID_ID.name) {
        id if id > 0 => Ok(EcGridId(id)),
        _ => Err(Error::invalid(
            ECGRID_ID.name,
            ParamProblem::Value,
            "name an ECGridID",
        )),
    }
}

async fn interconnect_add(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let request = InterconnectRequest {
        ecgrid_id1: EcGridId(call.args.int("ECGridIDFrom")),
        ecgrid_id2: EcGridId(call.args.int("ECGridIDTo")),
        ..InterconnectRequest::default()
    };
    let made = call
        .core
        .interconnect_add(&caller, request)
        .await
        .map_err(|e| {
            renamed(
                e,
                &[("ECGridID1", "ECGridIDFrom"), ("ECGridID2", "ECGridIDTo")],
            )
        })?;
    Ok(info(&made))
}

async fn interconnect_update(call: Call) -> Result<Value, Error> {
    let to = match call.args.enumeration("Status") {
        "Active" => InterconnectStatus::Completed,
        "Terminated" => InterconnectStatus::Canceled,
        "Suspended" => InterconnectStatus::Delayed,
        "Development" | "Preproduction" => InterconnectStatus::Pending,
        other => {
            return Err(Error::invalid(
                "Status",
                ParamProblem::Value,
                format!("{other:?} is not a status an interconnect can be given"),
            ));
        }
    };
    let caller = authenticate(&call).await?;
    let changed = call
        .core
        .interconnect_set_status(&caller, interconnect_id(&call), to)
        .await?;
    Ok(info(&changed))
}

async fn interconnect_cancel(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .interconnect_cancel(&caller, interconnect_id(&call), "")
        .await?;
    Ok(Value::Bool(true))
}

async fn interconnect_count(call: Call) -> Result<Value, Error> {
    let scope = InterconnectScope {
        ecgrid_id: Some(ecgrid_id(&call.args)?),
        status: status_filter(&call.args),
        ..InterconnectScope::default()
    };
    let caller = authenticate(&call).await?;
    let rows = call.core.interconnect_count(&caller, scope).await?;
    Ok(count(rows.iter().map(|(_, n)| n).sum()))
}

async fn interconnect_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let found = call
        .core
        .interconnect_info(&caller, interconnect_id(&call))
        .await?;
    Ok(info(&found))
}

async fn listed(call: &Call, scope: InterconnectScope) -> Result<Value, Error> {
    let page = page(&call.args)?;
    let caller = authenticate(call).await?;
    let found = call.core.interconnect_list(&caller, scope, page).await?;
    Ok(list(found, info))
}

async fn interconnect_list_by_ecgrid_id(call: Call) -> Result<Value, Error> {
    let scope = InterconnectScope {
        ecgrid_id: Some(ecgrid_id(&call.args)?),
        status: status_filter(&call.args),
        ..InterconnectScope::default()
    };
    listed(&call, scope).await
}

async fn interconnect_list_by_status(call: Call) -> Result<Value, Error> {
    let scope = InterconnectScope {
        network: network_filter(&call.args),
        mailbox: mailbox_filter(&call.args),
        status: status_filter(&call.args),
        ..InterconnectScope::default()
    };
    listed(&call, scope).await
}

async fn interconnect_note(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .interconnect_note_add(
            &caller,
            interconnect_id(&call),
            call.args.str("Note"),
            None,
            "",
        )
        .await?;
    Ok(Value::Bool(true))
}
