//! Carbon copies in the documented dialect (ecgrid-docs soap-api/carbon-copies, SPEC-VAN 20):
//! a rule copies one mailbox's inbound or outbound traffic, unchanged, into another mailbox.
//! Rules made in the deployed dialect (by ECGridIDs) read here as their watched mailbox,
//! copy mailbox and direction.

use edigrid_core::relations::{CarbonCopy, CarbonCopyFilter, CarbonCopyRequest, CarbonCopyScope};
use edigrid_domain::{Direction, Error, MailboxId, ParamProblem, UserStatus};

use super::super::{Call, Operation, SESSION_ID, authenticate};
use super::{
    MAILBOX_FILTER, STATUS, STATUS_FILTER, enum_arg, list, mailbox_filter, page, required_enum,
};
use crate::deployed_schema::types;
use crate::schema::{ComplexType, Field, Value, XsdType};

/// The pages' seven fields.
pub static CARBON_COPY_ID_INFO: ComplexType = ComplexType {
    name: "CarbonCopyIDInfo",
    fields: &[
        Field::new("CarbonCopyID", XsdType::Int),
        Field::new("FromMailboxID", XsdType::Int),
        Field::new("ToMailboxID", XsdType::Int),
        Field::new("Direction", XsdType::Enum(&types::Direction)),
        Field::new("Status", XsdType::Enum(&STATUS)),
        Field::new("CreateDate", XsdType::DateTime),
        Field::new("ModDate", XsdType::DateTime),
    ],
};

const CARBON_COPY_ID: Field = Field::new("CarbonCopyID", XsdType::Int);

pub(super) const CARBON_COPY_ADD: Operation = Operation {
    name: "CarbonCopyAdd",
    doc: "Copies a mailbox's inbound (InBox) or outbound (OutBox) traffic into another mailbox; returns the new CarbonCopyID.",
    params: &[
        SESSION_ID,
        Field::new("FromMailboxID", XsdType::Int),
        Field::new("ToMailboxID", XsdType::Int),
        Field::new("Direction", XsdType::Enum(&types::Direction)),
    ],
    result: XsdType::Int,
    handler: directory!(carbon_copy_add),
};

pub(super) const CARBON_COPY_INFO: Operation = Operation {
    name: "CarbonCopyInfo",
    doc: "A carbon copy rule.",
    params: &[SESSION_ID, CARBON_COPY_ID],
    result: XsdType::Complex(&CARBON_COPY_ID_INFO),
    handler: directory!(carbon_copy_info),
};

pub(super) const CARBON_COPY_LIST: Operation = Operation {
    name: "CarbonCopyList",
    doc: "The rules watching or copying into a mailbox (0: every mailbox the caller reads), optionally of one status.",
    params: &[SESSION_ID, MAILBOX_FILTER, STATUS_FILTER],
    result: XsdType::Array(&CARBON_COPY_ID_INFO),
    handler: directory!(carbon_copy_list),
};

pub(super) const CARBON_COPY_ACTIVATE: Operation = Operation {
    name: "CarbonCopyActivate",
    doc: "Resumes a suspended rule.",
    params: &[SESSION_ID, CARBON_COPY_ID],
    result: XsdType::Boolean,
    handler: directory!(carbon_copy_activate),
};

pub(super) const CARBON_COPY_SUSPEND: Operation = Operation {
    name: "CarbonCopySuspend",
    doc: "Pauses an active rule.",
    params: &[SESSION_ID, CARBON_COPY_ID],
    result: XsdType::Boolean,
    handler: directory!(carbon_copy_suspend),
};

pub(super) const CARBON_COPY_TERMINATE: Operation = Operation {
    name: "CarbonCopyTerminate",
    doc: "Ends a rule for good.",
    params: &[SESSION_ID, CARBON_COPY_ID],
    result: XsdType::Boolean,
    handler: directory!(carbon_copy_terminate),
};

fn info(r: &CarbonCopy) -> Value {
    Value::Record(vec![
        ("CarbonCopyID", Value::Int(r.id)),
        ("FromMailboxID", Value::Int(r.mailbox_id.0)),
        ("ToMailboxID", Value::Int(r.cc_mailbox_id.0)),
        ("Direction", Value::Enum(r.direction.as_str())),
        ("Status", Value::Enum(r.status.as_str())),
        ("CreateDate", Value::DateTime(r.created)),
        ("ModDate", Value::DateTime(r.modified)),
    ])
}

async fn carbon_copy_add(call: Call) -> Result<Value, Error> {
    let direction: Direction = required_enum(&call.args, "Direction")?;
    if direction == Direction::NoDir {
        return Err(Error::invalid(
            "Direction",
            ParamProblem::Value,
            "say which traffic to copy: InBox or OutBox",
        ));
    }
    let caller = authenticate(&call).await?;
    let request = CarbonCopyRequest {
        scope: CarbonCopyScope::Mailbox {
            from: MailboxId(call.args.int("FromMailboxID")),
            to: MailboxId(call.args.int("ToMailboxID")),
            direction,
        },
        network: None,
        mailbox: None,
    };
    let rule = call.core.carbon_copy_add(&caller, request).await?;
    Ok(Value::Int(rule.id))
}

async fn carbon_copy_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let rule = call
        .core
        .carbon_copy_info(&caller, call.args.int("CarbonCopyID"))
        .await?;
    Ok(info(&rule))
}

async fn carbon_copy_list(call: Call) -> Result<Value, Error> {
    let status: Option<UserStatus> = enum_arg(&call.args, "Status")?;
    let caller = authenticate(&call).await?;
    let filter = CarbonCopyFilter {
        mailbox: mailbox_filter(&call.args),
        statuses: status.into_iter().collect(),
        ..CarbonCopyFilter::default()
    };
    let found = call
        .core
        .carbon_copy_list(&caller, filter, page(&call.args)?)
        .await?;
    Ok(list(found, info))
}

async fn set_status(call: Call, to: UserStatus) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .carbon_copy_set_status(&caller, call.args.int("CarbonCopyID"), to)
        .await?;
    Ok(Value::Bool(true))
}

async fn carbon_copy_activate(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Active).await
}

async fn carbon_copy_suspend(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Suspended).await
}

async fn carbon_copy_terminate(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Terminated).await
}
