//! Mailboxes in the deployed dialect (SPEC-VAN 13, 14): creating them, their records and
//! lists, status, contacts and configuration. The WSDL has no `MailboxConfig` operation;
//! each setting has its own.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use edigrid_core::store::User;
use edigrid_core::{
    Caller, Mailbox, MailboxChanges, MailboxConfig, MailboxCreateRequest, MailboxFilter, Page,
};
use edigrid_domain::{
    ContactType, Error, MailboxId, NetworkId, ParamProblem, UseType, UserId, UserStatus,
    X12Delimiters,
};

use super::super::{Call, authenticate};
use super::users::{UNPAGED, directory_user, named};
use super::{Registration, enum_arg, renamed};
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[
    serve_directory!("MailboxAdd", mailbox_add),
    serve_directory!("MailboxAddEx", mailbox_add_ex),
    serve_directory!("MailboxActivate", mailbox_activate),
    serve_directory!("MailboxSuspend", mailbox_suspend),
    serve_directory!("MailboxTerminate", mailbox_terminate),
    serve_directory!("MailboxManaged", mailbox_managed),
    serve_directory!("MailboxDeleteOnDownload", mailbox_delete_on_download),
    serve_directory!("MailboxInfo", mailbox_info),
    serve_directory!("MailboxName", mailbox_name),
    serve_directory!("MailboxSetContact", mailbox_set_contact),
    serve_directory!("MailboxX12Delimiters", mailbox_x12_delimiters),
    serve_directory!("MailboxInBoxTimeout", mailbox_inbox_timeout),
    serve_directory!("MailboxDescription", mailbox_description),
    serve_directory!("MailboxUse", mailbox_use),
    serve_directory!("MailboxList", mailbox_list),
    serve_directory!("MailboxListEx", mailbox_list_ex),
];

/// `MailboxIDInfo`'s contact elements, in its order (which is not NetworkIDInfo's).
const CONTACTS: [(&str, ContactType); 7] = [
    ("OwnerUserID", ContactType::Owner),
    ("ErrorsUserID", ContactType::Errors),
    ("InterconnectsUserID", ContactType::Interconnects),
    ("NoticesUserID", ContactType::Notices),
    ("ReportsUserID", ContactType::Reports),
    ("CustomerServiceUserID", ContactType::CustomerService),
    ("AccountingUserID", ContactType::Accounting),
];

/// A mailbox's configuration as `MailboxConfig`; delimiters as character codes, 0 = the
/// network's.
pub(super) fn mailbox_config(c: &MailboxConfig) -> Value {
    Value::Record(vec![
        ("InBoxTimeout", Value::Short(c.inbox_timeout_minutes)),
        ("SegTerm", Value::UnsignedByte(c.x12.segment)),
        ("ElmSep", Value::UnsignedByte(c.x12.element)),
        ("SubElmSep", Value::UnsignedByte(c.x12.sub_element)),
        ("EBCDICFilter", Value::Short(c.ebcdic_filter)),
        ("FTPasciiFilter", Value::Bool(c.ftp_ascii_filter)),
        ("LowPassFilter", Value::Bool(c.low_pass_filter)),
        ("MailbagPassThrough", Value::Bool(c.mailbag_pass_through)),
        ("DeleteOnDownload", Value::Bool(c.delete_on_download)),
        (
            "StripDirectedEnvelope",
            Value::Bool(c.strip_directed_envelope),
        ),
    ])
}

/// A mailbox as `MailboxIDInfo`: each contact that is set as a nested `UserIDInfo` (as the
/// core shows a mailbox's contacts to whoever may read the mailbox; `contacts` from
/// [`Core::mailbox_contact_users`]), unset or vanished ones omitted; edigrid mailboxes are
/// no ECGrid accounts and carry no owner or operations data.
///
/// [`Core::mailbox_contact_users`]: edigrid_core::Core::mailbox_contact_users
fn mailbox_id_info(m: Mailbox, contacts: &HashMap<UserId, User>, now: DateTime<Utc>) -> Value {
    let mut fields = vec![
        ("MailboxID", Value::Int(m.id.0)),
        ("NetworkID", Value::Int(m.network_id.0)),
        ("Name", Value::Str(m.name)),
        ("Created", Value::DateTime(m.created)),
        ("Modified", Value::DateTime(m.modified)),
        ("Status", Value::Enum(m.status.as_str())),
        ("Description", Value::Str(m.description)),
        ("Managed", Value::Bool(m.managed)),
        ("UseType", Value::Enum(m.use_type.as_str())),
        ("Config", mailbox_config(&m.config)),
        ("ECGridAccount", Value::Bool(false)),
        ("DefaultAS2ID", Value::Str(m.default_as2_id)),
    ];
    for (element, kind) in CONTACTS {
        if let Some(user) = contacts.get(&m.contacts.get(kind)) {
            fields.push((element, directory_user(user.clone(), now)));
        }
    }
    Value::Record(fields)
}

/// Mailboxes as `MailboxIDInfo`s, with their contacts read once for all of them.
async fn mailbox_infos(
    call: &Call,
    caller: &Caller,
    mailboxes: Vec<Mailbox>,
) -> Result<Vec<Value>, Error> {
    let contacts = call.core.mailbox_contact_users(caller, &mailboxes).await?;
    let now = call.core.now();
    Ok(mailboxes
        .into_iter()
        .map(|m| mailbox_id_info(m, &contacts, now))
        .collect())
}

fn mailbox_id(call: &Call) -> MailboxId {
    MailboxId(call.args.int("MailboxID"))
}

async fn create(
    call: &Call,
    caller: &Caller,
    network: NetworkId,
    owner: Option<UserId>,
) -> Result<Value, Error> {
    let request = MailboxCreateRequest {
        network,
        name: call.args.str("Name").to_string(),
        owner,
        ..MailboxCreateRequest::default()
    };
    let mailbox = call.core.mailbox_create(caller, request).await?;
    Ok(Value::Int(mailbox.id.0))
}

/// `MailboxAdd`: a mailbox in the session's network, `UserID` its Owner contact (0: none).
async fn mailbox_add(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let owner = named(call.args.int("UserID"), UserId);
    create(&call, &caller, caller.network_id, owner).await
}

/// `MailboxAddEx`: `UserID` is a string in the WSDL; a number (0: none) or empty.
async fn mailbox_add_ex(call: Call) -> Result<Value, Error> {
    let raw = call.args.str("UserID").trim();
    let owner = if raw.is_empty() {
        None
    } else {
        let id: i32 = raw.parse().map_err(|_| {
            Error::invalid(
                "UserID",
                ParamProblem::Type,
                "must be a UserID (a whole number) or empty",
            )
        })?;
        named(id, UserId)
    };
    let caller = authenticate(&call).await?;
    create(&call, &caller, NetworkId(call.args.int("NetworkID")), owner).await
}

async fn set_status(call: Call, status: UserStatus) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .mailbox_set_status(&caller, mailbox_id(&call), status)
        .await?;
    Ok(Value::Bool(true))
}

async fn mailbox_activate(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Active).await
}

async fn mailbox_suspend(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Suspended).await
}

/// Terminating a mailbox terminates its trading-partner IDs too; it is final.
async fn mailbox_terminate(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Terminated).await
}

async fn update(call: &Call, changes: MailboxChanges) -> Result<Value, Error> {
    let caller = authenticate(call).await?;
    call.core
        .mailbox_update(&caller, mailbox_id(call), changes)
        .await
        .map_err(|e| renamed(e, "InBoxTimeout", "Minutes"))?;
    Ok(Value::Bool(true))
}

async fn mailbox_managed(call: Call) -> Result<Value, Error> {
    let changes = MailboxChanges {
        managed: Some(call.args.boolean("Managed")),
        ..MailboxChanges::default()
    };
    update(&call, changes).await
}

async fn mailbox_delete_on_download(call: Call) -> Result<Value, Error> {
    let changes = MailboxChanges {
        delete_on_download: Some(call.args.boolean("DeleteOnDownload")),
        ..MailboxChanges::default()
    };
    update(&call, changes).await
}

async fn mailbox_name(call: Call) -> Result<Value, Error> {
    let changes = MailboxChanges {
        name: Some(call.args.str("Name").to_string()),
        ..MailboxChanges::default()
    };
    update(&call, changes).await
}

/// An empty `Description` clears it.
async fn mailbox_description(call: Call) -> Result<Value, Error> {
    let changes = MailboxChanges {
        description: Some(call.args.str("Description").to_string()),
        ..MailboxChanges::default()
    };
    update(&call, changes).await
}

/// Character codes; 0 = the network's.
async fn mailbox_x12_delimiters(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let x12 = X12Delimiters::new(
        a.unsigned_byte("SegTerm"),
        a.unsigned_byte("ElmSep"),
        a.unsigned_byte("SubElmSep"),
    )?;
    let changes = MailboxChanges {
        x12: Some(x12),
        ..MailboxChanges::default()
    };
    update(&call, changes).await
}

/// `Minutes` an unconfirmed download waits before the parcel is ready again; 0 = never.
async fn mailbox_inbox_timeout(call: Call) -> Result<Value, Error> {
    let changes = MailboxChanges {
        inbox_timeout_minutes: Some(call.args.int("Minutes")),
        ..MailboxChanges::default()
    };
    update(&call, changes).await
}

async fn mailbox_use(call: Call) -> Result<Value, Error> {
    let use_type: UseType = enum_arg(&call, "UseType")?;
    let changes = MailboxChanges {
        use_type: Some(use_type),
        ..MailboxChanges::default()
    };
    update(&call, changes).await
}

/// `MailboxSetContact`: `UserID` 0 clears the contact.
async fn mailbox_set_contact(call: Call) -> Result<Value, Error> {
    let kind: ContactType = enum_arg(&call, "ContactType")?;
    let caller = authenticate(&call).await?;
    call.core
        .mailbox_set_contact(
            &caller,
            mailbox_id(&call),
            kind,
            UserId(call.args.int("UserID")),
        )
        .await?;
    Ok(Value::Bool(true))
}

async fn mailbox_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let mailbox = call.core.mailbox_info(&caller, mailbox_id(&call)).await?;
    let contacts = call
        .core
        .mailbox_contact_users(&caller, std::slice::from_ref(&mailbox))
        .await?;
    Ok(mailbox_id_info(mailbox, &contacts, call.core.now()))
}

async fn list(call: &Call, caller: &Caller, network: Option<NetworkId>) -> Result<Value, Error> {
    let name = call.args.str("Name").trim();
    let filter = MailboxFilter {
        network,
        name_contains: (!name.is_empty()).then(|| name.to_string()),
        ..MailboxFilter::default()
    };
    // The answer carries no total: the core does not count the whole list for it.
    let mailboxes = call
        .core
        .mailbox_page(caller, filter, Page::first(UNPAGED))
        .await?;
    Ok(Value::List(mailbox_infos(call, caller, mailboxes).await?))
}

/// `MailboxList`: the mailboxes of the session's network the caller may read whose name
/// contains `Name` (case-insensitively; all when empty).
async fn mailbox_list(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    list(&call, &caller, Some(caller.network_id)).await
}

/// `MailboxListEx`: as `MailboxList` in the network named (0: every one the caller reads).
async fn mailbox_list_ex(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let network = named(call.args.int("NetworkID"), NetworkId);
    list(&call, &caller, network).await
}
