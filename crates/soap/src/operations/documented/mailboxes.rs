//! Mailboxes in the documented dialect (ecgrid-docs soap-api/mailboxes, SPEC-VAN 13-14):
//! creating, reading and listing them, and their settings.

use edigrid_core::{Mailbox, MailboxChanges, MailboxCreateRequest, MailboxFilter};
use edigrid_domain::{Error, MailboxId, NetworkId, ParamProblem, X12Delimiters};

use super::super::{Call, Operation, SESSION_ID, authenticate};
use super::{
    MAILBOX_ID_INFO, NETWORK_FILTER, PAGE_NO, RECORDS_PER_PAGE, STATUS_FILTER, address_arg, change,
    delimiter, network_filter, page, renamed, status_filter, status_value,
};
use crate::args::Args;
use crate::schema::{Field, Value, XsdType};

/// The services call the mailbox's name `Name`, and the delimiters as the deployed dialect's
/// `MailboxX12Delimiters` does; the pages name them so.
const MAILBOX_NAMES: &[(&str, &str)] = &[
    ("Name", "CompanyName"),
    ("SegTerm", "SegmentTerminator"),
    ("ElmSep", "ElementDelimiter"),
    ("SubElmSep", "SubElementDelimiter"),
];

const MAILBOX_ID: Field = Field::new("MailboxID", XsdType::Int);
const DELETE_ON_DOWNLOAD: Field = Field::new("DeleteOnDownload", XsdType::Boolean);
const MANAGED: Field = Field::new("Managed", XsdType::Boolean);
const IN_BOX_TIMEOUT: Field = Field::new("InBoxTimeout", XsdType::Short);

pub(super) const MAILBOX_ADD: Operation = Operation {
    name: "MailboxAdd",
    doc: "Creates a mailbox in a network (NetworkAdmin of it, or an operator) and returns it. UniqueID is unique in the network, whatever its case.",
    params: &[
        SESSION_ID,
        Field::new("NetworkID", XsdType::Int),
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
    result: XsdType::Complex(&MAILBOX_ID_INFO),
    handler: directory!(mailbox_add),
};

pub(super) const MAILBOX_CONFIG: Operation = Operation {
    name: "MailboxConfig",
    doc: "Sets a mailbox's delete-on-download, inbox timeout (minutes a downloaded, unconfirmed parcel waits before it is ready again; 0 = never), managed flag and notification settings (an absent NotifyEmail is left as it is, an empty one clears it).",
    params: &[
        SESSION_ID,
        MAILBOX_ID,
        DELETE_ON_DOWNLOAD,
        IN_BOX_TIMEOUT,
        MANAGED,
        Field::new("NotifyEmail", XsdType::String),
        Field::new("NotifyOnInBox", XsdType::Boolean),
    ],
    result: XsdType::Complex(&MAILBOX_ID_INFO),
    handler: directory!(mailbox_config),
};

pub(super) const MAILBOX_DELETE_ON_DOWNLOAD: Operation = Operation {
    name: "MailboxDeleteOnDownload",
    doc: "Whether a parcel's content is deleted once its download is confirmed.",
    params: &[SESSION_ID, MAILBOX_ID, DELETE_ON_DOWNLOAD],
    result: XsdType::Complex(&MAILBOX_ID_INFO),
    handler: directory!(mailbox_delete_on_download),
};

pub(super) const MAILBOX_DESCRIPTION: Operation = Operation {
    name: "MailboxDescription",
    doc: "Sets a mailbox's description (its name, CompanyName, stays as it is).",
    params: &[
        SESSION_ID,
        MAILBOX_ID,
        Field::new("Description", XsdType::String),
    ],
    result: XsdType::Complex(&MAILBOX_ID_INFO),
    handler: directory!(mailbox_description),
};

pub(super) const MAILBOX_IN_BOX_TIMEOUT: Operation = Operation {
    name: "MailboxInBoxTimeout",
    doc: "Minutes a downloaded, unconfirmed parcel waits before it is ready to download again; 0 = never.",
    params: &[SESSION_ID, MAILBOX_ID, IN_BOX_TIMEOUT.aliases(&["Minutes"])],
    result: XsdType::Complex(&MAILBOX_ID_INFO),
    handler: directory!(mailbox_in_box_timeout),
};

pub(super) const MAILBOX_INFO: Operation = Operation {
    name: "MailboxInfo",
    doc: "One mailbox.",
    params: &[SESSION_ID, MAILBOX_ID],
    result: XsdType::Complex(&MAILBOX_ID_INFO),
    handler: directory!(mailbox_info),
};

pub(super) const MAILBOX_LIST: Operation = Operation {
    name: "MailboxList",
    doc: "One page of the mailboxes the caller may see, by MailboxID. NetworkID 0 and an absent Status filter nothing.",
    params: &[
        SESSION_ID,
        NETWORK_FILTER,
        STATUS_FILTER,
        PAGE_NO,
        RECORDS_PER_PAGE,
    ],
    result: XsdType::Array(&MAILBOX_ID_INFO),
    handler: directory!(mailbox_list),
};

pub(super) const MAILBOX_MANAGED: Operation = Operation {
    name: "MailboxManaged",
    doc: "Whether the network operator runs the mailbox on its owner's behalf.",
    params: &[SESSION_ID, MAILBOX_ID, MANAGED],
    result: XsdType::Boolean,
    handler: directory!(mailbox_managed),
};

pub(super) const MAILBOX_X12_DELIMITERS: Operation = Operation {
    name: "MailboxX12Delimiters",
    doc: "Sets the X12 delimiters imposed on what the mailbox receives: one character each, empty for none (then the network's apply). The three must differ and be no letter, digit or space.",
    params: &[
        SESSION_ID,
        MAILBOX_ID,
        Field::new("ElementDelimiter", XsdType::String),
        Field::new("SubElementDelimiter", XsdType::String),
        Field::new("SegmentTerminator", XsdType::String),
    ],
    result: XsdType::Complex(&MAILBOX_ID_INFO),
    handler: directory!(mailbox_x12_delimiters),
};

fn mailbox_record(m: &Mailbox) -> Value {
    let a = &m.address;
    let c = &m.config;
    let text = |s: &str| Value::Str(s.to_string());
    Value::Record(vec![
        ("MailboxID", Value::Int(m.id.0)),
        ("NetworkID", Value::Int(m.network_id.0)),
        ("UniqueID", text(&m.unique_id)),
        ("CompanyName", text(&m.name)),
        ("Status", status_value(m.status)),
        ("Created", Value::DateTime(m.created)),
        ("Modified", Value::DateTime(m.modified)),
        ("Description", text(&m.description)),
        ("Address1", text(&a.address1)),
        ("Address2", text(&a.address2)),
        ("City", text(&a.city)),
        ("State", text(&a.state)),
        ("Zip", text(&a.zip)),
        ("Country", text(&a.country)),
        ("Phone", text(&m.phone)),
        ("AdminEmail", text(&m.admin_email)),
        ("Managed", Value::Bool(m.managed)),
        ("UseType", Value::Enum(m.use_type.as_str())),
        ("InBoxTimeout", Value::Short(c.inbox_timeout_minutes)),
        ("DeleteOnDownload", Value::Bool(c.delete_on_download)),
        ("NotifyEmail", text(&c.notify_email)),
        ("NotifyOnInBox", Value::Bool(c.notify_on_inbox)),
        ("ElementDelimiter", delimiter(c.x12.element)),
        ("SubElementDelimiter", delimiter(c.x12.sub_element)),
        ("SegmentTerminator", delimiter(c.x12.segment)),
    ])
}

fn mailbox_id(call: &Call) -> MailboxId {
    MailboxId(call.args.int("MailboxID"))
}

async fn mailbox_add(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let text = |name: &str| a.str(name).to_string();
    let request = MailboxCreateRequest {
        network: NetworkId(a.int("NetworkID")),
        id: MailboxId(0),
        name: text("CompanyName"),
        unique_id: text("UniqueID"),
        address: address_arg(a),
        phone: text("Phone"),
        admin_email: text("AdminEmail"),
        ..MailboxCreateRequest::default()
    };
    let caller = authenticate(&call).await?;
    let mailbox = call
        .core
        .mailbox_create(&caller, request)
        .await
        .map_err(|e| renamed(e, MAILBOX_NAMES))?;
    Ok(mailbox_record(&mailbox))
}

/// Applies `changes` to the mailbox named by `MailboxID` and answers with its record.
async fn update(call: Call, changes: MailboxChanges) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let mailbox = call
        .core
        .mailbox_update(&caller, mailbox_id(&call), changes)
        .await
        .map_err(|e| renamed(e, MAILBOX_NAMES))?;
    Ok(mailbox_record(&mailbox))
}

async fn mailbox_config(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let changes = MailboxChanges {
        delete_on_download: Some(a.boolean("DeleteOnDownload")),
        inbox_timeout_minutes: Some(a.int("InBoxTimeout")),
        managed: Some(a.boolean("Managed")),
        notify_email: change(a, "NotifyEmail"),
        notify_on_inbox: Some(a.boolean("NotifyOnInBox")),
        ..MailboxChanges::default()
    };
    update(call, changes).await
}

async fn mailbox_delete_on_download(call: Call) -> Result<Value, Error> {
    let changes = MailboxChanges {
        delete_on_download: Some(call.args.boolean("DeleteOnDownload")),
        ..MailboxChanges::default()
    };
    update(call, changes).await
}

async fn mailbox_description(call: Call) -> Result<Value, Error> {
    let changes = MailboxChanges {
        description: Some(call.args.str("Description").to_string()),
        ..MailboxChanges::default()
    };
    update(call, changes).await
}

async fn mailbox_in_box_timeout(call: Call) -> Result<Value, Error> {
    let changes = MailboxChanges {
        inbox_timeout_minutes: Some(call.args.int("InBoxTimeout")),
        ..MailboxChanges::default()
    };
    update(call, changes).await
}

async fn mailbox_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let mailbox = call.core.mailbox_info(&caller, mailbox_id(&call)).await?;
    Ok(mailbox_record(&mailbox))
}

async fn mailbox_list(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let filter = MailboxFilter {
        network: network_filter(a),
        status: status_filter(a)?,
        ..MailboxFilter::default()
    };
    let page = page(a)?;
    let caller = authenticate(&call).await?;
    let mailboxes = call.core.mailbox_list(&caller, filter, page).await?;
    Ok(super::list(mailboxes, mailbox_record))
}

async fn mailbox_managed(call: Call) -> Result<Value, Error> {
    let changes = MailboxChanges {
        managed: Some(call.args.boolean("Managed")),
        ..MailboxChanges::default()
    };
    update(call, changes).await?;
    Ok(Value::Bool(true))
}

async fn mailbox_x12_delimiters(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let delimiters = X12Delimiters::new(
        delimiter_byte(a, "SegmentTerminator")?,
        delimiter_byte(a, "ElementDelimiter")?,
        delimiter_byte(a, "SubElementDelimiter")?,
    )
    .map_err(|e| renamed(e, MAILBOX_NAMES))?;
    let changes = MailboxChanges {
        x12: Some(delimiters),
        ..MailboxChanges::default()
    };
    update(call, changes).await
}

/// A delimiter as the pages give it: one ASCII character, or empty (or absent) for none.
fn delimiter_byte(args: &Args, name: &str) -> Result<u8, Error> {
    let mut chars = args.str(name).chars();
    match (chars.next(), chars.next()) {
        (None, _) => Ok(0),
        (Some(c), None) => u8::try_from(c)
            .ok()
            .filter(u8::is_ascii)
            .ok_or_else(|| Error::invalid(name, ParamProblem::Value, "must be an ASCII character")),
        _ => Err(Error::invalid(
            name,
            ParamProblem::Length,
            "must be one character, or empty for none",
        )),
    }
}
