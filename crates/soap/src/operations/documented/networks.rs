//! Networks in the documented dialect (ecgrid-docs soap-api/networks, SPEC-VAN 13-14).
//! `NetworkGateway` and `NetworkVPN` configure communications edigrid does not have; they are
//! refused in the dialect's table.

use edigrid_core::{
    AddressChanges, MailboxFilter, Network, NetworkChanges, NetworkCreateRequest, NetworkFilter,
    Page, PartnerFilter, UserFilter,
};
use edigrid_domain::{Error, NetworkId, UserStatus};

use super::super::{Call, Operation, SESSION_ID, authenticate};
use super::{
    NETWORK_FILTER, NETWORK_ID_INFO, PAGE_NO, RECORDS_PER_PAGE, STATUS, STATUS_FILTER, address_arg,
    change, count, delimiter, network_filter, page, renamed, required_enum, status_filter,
    status_value,
};
use crate::schema::{ComplexType, Field, Value, XsdType};

/// The services call the network's name `Name`; the pages call it `CompanyName`.
const NETWORK_NAMES: &[(&str, &str)] = &[("Name", "CompanyName")];

const NETWORK_ID: Field = Field::new("NetworkID", XsdType::Int);

/// One row of `NetworkStatusSummary`: the pages' DataSet table as a typed record (a DataSet
/// does not survive WSDL-first client generators such as wsimport). The pages' parcel counts
/// are not in it: edigrid carries no parcels yet.
pub static NETWORK_STATUS_SUMMARY: ComplexType = ComplexType {
    name: "NetworkStatusSummary",
    fields: &[
        Field::new("NetworkID", XsdType::Int),
        Field::new("MailboxCount", XsdType::Int),
        Field::new("ActiveMailboxCount", XsdType::Int),
        Field::new("CompanyName", XsdType::String),
        Field::new("Status", XsdType::Enum(&STATUS)).optional(),
        Field::new("UserCount", XsdType::Int).optional(),
        Field::new("ECGridIDCount", XsdType::Int).optional(),
    ],
};

pub(super) const NETWORK_ADD: Operation = Operation {
    name: "NetworkAdd",
    doc: "Creates a network (Root and TechOps only) with the next free NetworkID, and returns it.",
    params: &[
        SESSION_ID,
        Field::new("UniqueID", XsdType::String),
        Field::new("CompanyName", XsdType::String),
        Field::new("Address1", XsdType::String),
        Field::new("Address2", XsdType::String),
        Field::new("City", XsdType::String),
        Field::new("State", XsdType::String),
        Field::new("Zip", XsdType::String),
        Field::new("Phone", XsdType::String),
        Field::new("AdminEmail", XsdType::String),
    ],
    result: XsdType::Complex(&NETWORK_ID_INFO),
    handler: directory!(network_add),
};

pub(super) const NETWORK_INFO: Operation = Operation {
    name: "NetworkInfo",
    doc: "One network.",
    params: &[SESSION_ID, NETWORK_ID],
    result: XsdType::Complex(&NETWORK_ID_INFO),
    handler: directory!(network_info),
};

pub(super) const NETWORK_LIST: Operation = Operation {
    name: "NetworkList",
    doc: "One page of the networks the caller may see, by NetworkID. NetworkID 0 and an absent Status filter nothing.",
    params: &[
        SESSION_ID,
        NETWORK_FILTER,
        STATUS_FILTER,
        PAGE_NO,
        RECORDS_PER_PAGE,
    ],
    result: XsdType::Array(&NETWORK_ID_INFO),
    handler: directory!(network_list),
};

pub(super) const NETWORK_SET_STATUS: Operation = Operation {
    name: "NetworkSetStatus",
    doc: "Sets a network's status (Root, TechOps and NetOps); Terminated is final.",
    params: &[
        SESSION_ID,
        NETWORK_ID,
        Field::new("Status", XsdType::Enum(&STATUS)),
    ],
    result: XsdType::Boolean,
    handler: directory!(network_set_status),
};

pub(super) const NETWORK_STATUS_SUMMARY_OP: Operation = Operation {
    name: "NetworkStatusSummary",
    doc: "Counts of a network's mailboxes (all and active), users and trading-partner IDs, as far as the caller may see them (NetworkID 0: the session's network).",
    params: &[SESSION_ID, NETWORK_ID],
    result: XsdType::Array(&NETWORK_STATUS_SUMMARY),
    handler: directory!(network_status_summary),
};

pub(super) const NETWORK_UPDATE: Operation = Operation {
    name: "NetworkUpdate",
    doc: "Changes a network's name, address and phone (an absent element leaves its field as it is), and returns it.",
    params: &[
        SESSION_ID,
        NETWORK_ID,
        Field::new("CompanyName", XsdType::String),
        Field::new("Address1", XsdType::String),
        Field::new("City", XsdType::String),
        Field::new("State", XsdType::String),
        Field::new("Zip", XsdType::String),
        Field::new("Phone", XsdType::String),
    ],
    result: XsdType::Complex(&NETWORK_ID_INFO),
    handler: directory!(network_update),
};

fn network_record(n: &Network) -> Value {
    let a = &n.address;
    let text = |s: &str| Value::Str(s.to_string());
    Value::Record(vec![
        ("NetworkID", Value::Int(n.id.0)),
        ("UniqueID", text(&n.unique_id)),
        ("CompanyName", text(&n.name)),
        ("Status", status_value(n.status)),
        ("Created", Value::DateTime(n.created)),
        ("Modified", Value::DateTime(n.modified)),
        ("Location", text(&n.location)),
        ("Address1", text(&a.address1)),
        ("Address2", text(&a.address2)),
        ("City", text(&a.city)),
        ("State", text(&a.state)),
        ("Zip", text(&a.zip)),
        ("Country", text(&a.country)),
        ("Phone", text(&n.phone)),
        ("AdminEmail", text(&n.admin_email)),
        ("HomeWebsite", text(&n.websites.home)),
        ("SupportWebsite", text(&n.websites.support)),
        ("LoginWebsite", text(&n.websites.login)),
        ("DeleteOnDownload", Value::Bool(n.delete_on_download)),
        ("ElementDelimiter", delimiter(n.x12.element)),
        ("SubElementDelimiter", delimiter(n.x12.sub_element)),
        ("SegmentTerminator", delimiter(n.x12.segment)),
    ])
}

fn network_id(call: &Call) -> NetworkId {
    NetworkId(call.args.int("NetworkID"))
}

async fn network_add(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let text = |name: &str| a.str(name).to_string();
    let request = NetworkCreateRequest {
        id: NetworkId(0),
        name: text("CompanyName"),
        unique_id: text("UniqueID"),
        address: address_arg(a),
        phone: text("Phone"),
        admin_email: text("AdminEmail"),
        ..NetworkCreateRequest::default()
    };
    let caller = authenticate(&call).await?;
    let network = call
        .core
        .network_create(&caller, request)
        .await
        .map_err(|e| renamed(e, NETWORK_NAMES))?;
    Ok(network_record(&network))
}

async fn network_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let network = call.core.network_info(&caller, network_id(&call)).await?;
    Ok(network_record(&network))
}

async fn network_list(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let filter = NetworkFilter {
        network: network_filter(a),
        status: status_filter(a)?,
        ..NetworkFilter::default()
    };
    let page = page(a)?;
    let caller = authenticate(&call).await?;
    let networks = call.core.network_list(&caller, filter, page).await?;
    Ok(super::list(networks, network_record))
}

async fn network_set_status(call: Call) -> Result<Value, Error> {
    let status = required_enum(&call.args, "Status")?;
    let caller = authenticate(&call).await?;
    call.core
        .network_set_status(&caller, network_id(&call), status)
        .await?;
    Ok(Value::Bool(true))
}

/// Each count is the total of a one-record page of the list the caller could ask for, so
/// it covers exactly what the caller may see.
async fn network_status_summary(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let id = match network_id(&call) {
        NetworkId(0) => caller.network_id,
        id => id,
    };
    let core = &call.core;
    let network = core.network_info(&caller, id).await?;
    let one = Page::first(1);
    let mailboxes = |status| MailboxFilter {
        network: Some(id),
        status,
        ..MailboxFilter::default()
    };
    let all = core.mailbox_list(&caller, mailboxes(None), one).await?;
    let active = core
        .mailbox_list(&caller, mailboxes(Some(UserStatus::Active)), one)
        .await?;
    let users = UserFilter {
        network: Some(id),
        ..UserFilter::default()
    };
    let users = core.user_list(&caller, users, one).await?;
    let ids = PartnerFilter {
        network: Some(id),
        ..PartnerFilter::default()
    };
    let ids = core.partner_list(&caller, ids, one).await?;
    Ok(Value::List(vec![Value::Record(vec![
        ("NetworkID", Value::Int(network.id.0)),
        ("MailboxCount", count(all.total)),
        ("ActiveMailboxCount", count(active.total)),
        ("CompanyName", Value::Str(network.name)),
        ("Status", status_value(network.status)),
        ("UserCount", count(users.total)),
        ("ECGridIDCount", count(ids.total)),
    ])]))
}

async fn network_update(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let changes = NetworkChanges {
        name: change(a, "CompanyName"),
        address: AddressChanges {
            address1: change(a, "Address1"),
            city: change(a, "City"),
            state: change(a, "State"),
            zip: change(a, "Zip"),
            ..AddressChanges::default()
        },
        phone: change(a, "Phone"),
        ..NetworkChanges::default()
    };
    let caller = authenticate(&call).await?;
    let network = call
        .core
        .network_update(&caller, network_id(&call), changes)
        .await
        .map_err(|e| renamed(e, NETWORK_NAMES))?;
    Ok(network_record(&network))
}
