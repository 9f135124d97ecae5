//! Trading-partner IDs (ECGridIDs) in the documented dialect (ecgrid-docs soap-api/ids,
//! SPEC-VAN 13-14): registering, reading, listing, searching and moving them.
//!
//! The pages give each ID an `EDIStandard`; upstream's deployed record has none, and neither
//! does edigrid's: a qualifier:ID pair is one address whatever it carries. Records show the
//! standard the pair's shape implies (X12: a 2-character qualifier and an ID of at most 15),
//! and `TPAdd` refuses a standard edigrid does not route, or an X12 pair an ISA cannot carry.

use edigrid_core::{
    MAX_PAGE_SIZE, Page, PartnerAddRequest, PartnerFilter, PartnerScope, TradingPartner,
};
use edigrid_domain::{EcGridId, Error, MailboxId, NetworkId, ParamProblem, RoutingGroup};

use super::super::{Call, Operation, SESSION_ID, authenticate};
use super::{
    ECGRID_ID_INFO, MAILBOX_FILTER, NETWORK_FILTER, PAGE_NO, RECORDS_PER_PAGE, STATUS_FILTER,
    mailbox_filter, network_filter, page, renamed, required_enum, status_filter, status_value,
};
use crate::deployed_schema::types;
use crate::schema::{Field, Value, XsdType};

/// Longest X12 ID (ISA06/ISA08).
const X12_ID_LEN: usize = 15;

const ECGRID_ID: Field = Field::new("ECGridID", XsdType::Int);

pub(super) const ECGRID_ID_INFO_OP: Operation = Operation {
    name: "ECGridIDInfo",
    doc: "One trading-partner ID (the same as TPInfo).",
    params: &[SESSION_ID, ECGRID_ID],
    result: XsdType::Complex(&ECGRID_ID_INFO),
    handler: directory!(partner_info),
};

pub(super) const TP_ADD: Operation = Operation {
    name: "TPAdd",
    doc: "Registers a qualifier:ID pair for a mailbox and returns it with its new ECGridID. A pair registered (and not terminated) anywhere is refused, naming it. EDIStandard is X12 or EDIFACT and is not stored (see ECGridIDInfo).",
    params: &[
        SESSION_ID,
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxID", XsdType::Int),
        Field::new("Qualifier", XsdType::String),
        Field::new("ID", XsdType::String),
        Field::new("Description", XsdType::String),
        Field::new("RoutingGroup", XsdType::Enum(&types::RoutingGroup)),
        Field::new("EDIStandard", XsdType::Enum(&types::EDIStandard)),
    ],
    result: XsdType::Complex(&ECGRID_ID_INFO),
    handler: directory!(tp_add),
};

pub(super) const TP_ADD_VAN: Operation = Operation {
    name: "TPAddVAN",
    doc: "Registers the qualifier:ID another VAN knows an ID's owner by, for the same mailbox (reachable only through an interconnect), and returns that registration with its own ECGridID.",
    params: &[
        SESSION_ID,
        ECGRID_ID,
        Field::new("VANQualifier", XsdType::String),
        Field::new("VANID", XsdType::String),
    ],
    result: XsdType::Complex(&ECGRID_ID_INFO),
    handler: directory!(tp_add_van),
};

pub(super) const TP_INFO: Operation = Operation {
    name: "TPInfo",
    doc: "One trading-partner ID (the same as ECGridIDInfo).",
    params: &[SESSION_ID, ECGRID_ID],
    result: XsdType::Complex(&ECGRID_ID_INFO),
    handler: directory!(partner_info),
};

pub(super) const TP_LIST: Operation = Operation {
    name: "TPList",
    doc: "One page of the trading-partner IDs the caller may see, by ECGridID. NetworkID and MailboxID 0 and an absent Status filter nothing.",
    params: &[
        SESSION_ID,
        NETWORK_FILTER,
        MAILBOX_FILTER,
        STATUS_FILTER,
        PAGE_NO,
        RECORDS_PER_PAGE,
    ],
    result: XsdType::Array(&ECGRID_ID_INFO),
    handler: directory!(tp_list),
};

pub(super) const TP_MOVE: Operation = Operation {
    name: "TPMove",
    doc: "Moves a trading-partner ID to another mailbox the caller manages the IDs of; it stops being a default.",
    params: &[
        SESSION_ID,
        ECGRID_ID,
        Field::new("NewMailboxID", XsdType::Int),
    ],
    result: XsdType::Complex(&ECGRID_ID_INFO),
    handler: directory!(tp_move),
};

pub(super) const TP_SEARCH: Operation = Operation {
    name: "TPSearch",
    doc: "The active registrations of a qualifier:ID pair the caller may see (the ID without trailing spaces and case; an empty Qualifier matches any).",
    params: &[
        SESSION_ID,
        Field::new("Qualifier", XsdType::String),
        Field::new("ID", XsdType::String),
    ],
    result: XsdType::Array(&ECGRID_ID_INFO),
    handler: directory!(tp_search),
};

/// The standard a pair's shape implies (module comment).
fn edi_standard(qualifier: &str, id: &str) -> &'static str {
    if qualifier.trim().chars().count() == 2 && id.trim_end().chars().count() <= X12_ID_LEN {
        "X12"
    } else {
        "EDIFACT"
    }
}

fn partner_record(p: &TradingPartner) -> Value {
    Value::Record(vec![
        ("ECGridID", Value::Int(p.ecgrid_id.0)),
        ("MailboxID", Value::Int(p.mailbox_id.0)),
        ("NetworkID", Value::Int(p.network_id.0)),
        ("Qualifier", Value::Str(p.qualifier.clone())),
        ("ID", Value::Str(p.id.clone())),
        ("Description", Value::Str(p.description.clone())),
        ("Status", status_value(p.status)),
        ("RoutingGroup", Value::Enum(p.routing_group.as_str())),
        (
            "EDIStandard",
            Value::Enum(edi_standard(&p.qualifier, &p.id)),
        ),
        ("DataEmail", Value::Str(p.data_email.clone())),
        ("MailboxDefault", Value::Bool(p.is_default)),
        ("OwnerUserID", Value::Int(p.owner.0)),
        ("VAN", Value::Bool(p.van)),
        ("Created", Value::DateTime(p.created)),
        ("Modified", Value::DateTime(p.modified)),
    ])
}

fn ecgrid_id(call: &Call) -> EcGridId {
    EcGridId(call.args.int("ECGridID"))
}

async fn partner_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let partner = call.core.partner_info(&caller, ecgrid_id(&call)).await?;
    Ok(partner_record(&partner))
}

/// Refuses a standard edigrid does not route, and an X12 pair an ISA cannot carry.
fn check_standard(standard: &str, qualifier: &str, id: &str) -> Result<(), Error> {
    match standard {
        "EDIFACT" => Ok(()),
        "X12" if qualifier.trim().chars().count() != 2 => Err(Error::invalid(
            "Qualifier",
            ParamProblem::Value,
            "an X12 qualifier (ISA05/ISA07) has 2 characters",
        )),
        "X12" if id.trim_end().chars().count() > X12_ID_LEN => Err(Error::invalid(
            "ID",
            ParamProblem::Length,
            format!("an X12 ID (ISA06/ISA08) has at most {X12_ID_LEN} characters"),
        )),
        "X12" => Ok(()),
        other => Err(Error::invalid(
            "EDIStandard",
            ParamProblem::Value,
            format!("edigrid routes X12 and EDIFACT interchanges, not {other}"),
        )),
    }
}

async fn tp_add(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let (qualifier, id) = (a.str("Qualifier"), a.str("ID"));
    check_standard(a.enumeration("EDIStandard"), qualifier, id)?;
    let request = PartnerAddRequest {
        network: NetworkId(a.int("NetworkID")),
        mailbox: MailboxId(a.int("MailboxID")),
        qualifier: qualifier.to_string(),
        id: id.to_string(),
        description: a.str("Description").to_string(),
        routing_group: required_enum::<RoutingGroup>(a, "RoutingGroup")?,
    };
    let caller = authenticate(&call).await?;
    let partner = call.core.partner_add(&caller, request).await?;
    Ok(partner_record(&partner))
}

/// The VAN pair goes to the same network and mailbox as the ID it stands for.
async fn tp_add_van(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let core = &call.core;
    let known = core.partner_info(&caller, ecgrid_id(&call)).await?;
    let request = PartnerAddRequest {
        network: known.network_id,
        mailbox: known.mailbox_id,
        qualifier: call.args.str("VANQualifier").to_string(),
        id: call.args.str("VANID").to_string(),
        description: known.description,
        routing_group: known.routing_group,
    };
    let partner = core
        .partner_add_van(&caller, request)
        .await
        .map_err(|e| renamed(e, &[("Qualifier", "VANQualifier"), ("ID", "VANID")]))?;
    Ok(partner_record(&partner))
}

async fn tp_list(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let filter = PartnerFilter {
        network: network_filter(a),
        mailbox: mailbox_filter(a),
        statuses: status_filter(a)?.into_iter().collect(),
        ..PartnerFilter::default()
    };
    let page = page(a)?;
    let caller = authenticate(&call).await?;
    let partners = call.core.partner_list(&caller, filter, page).await?;
    Ok(super::list(partners, partner_record))
}

async fn tp_move(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let to = MailboxId(call.args.int("NewMailboxID"));
    let partner = call
        .core
        .partner_move(&caller, ecgrid_id(&call), to)
        .await
        .map_err(|e| renamed(e, &[("MailboxID", "NewMailboxID")]))?;
    Ok(partner_record(&partner))
}

/// A pair is registered at most once while active, so one page holds every match.
async fn tp_search(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let a = &call.args;
    let found = call
        .core
        .partner_search(
            &caller,
            PartnerScope::default(),
            a.str("Qualifier"),
            a.str("ID"),
            Page::first(MAX_PAGE_SIZE),
        )
        .await?;
    Ok(super::list(found, partner_record))
}
