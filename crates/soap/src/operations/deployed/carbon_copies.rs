//! Carbon-copy rules in the deployed dialect (SPEC-VAN 20): `CarbonCopyAdd(Ex)` takes the
//! watched pair of ECGridIDs, the pair the copy's envelope names and optional GS and
//! transaction-set filters; the rest of the lifecycle acts on a `CarbonCopyID`.

use edigrid_core::relations::{CarbonCopy, CarbonCopyFilter, CarbonCopyRequest, CarbonCopyScope};
use edigrid_core::{Caller, Page};
use edigrid_domain::{EcGridId, Error, MailboxId, NetworkId, UserStatus};

use super::super::{Call, authenticate};
use super::Registration;
use super::users::{UNPAGED, named};
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[
    serve!("CarbonCopyAdd", carbon_copy_add),
    serve!("CarbonCopyAddEx", carbon_copy_add_ex),
    serve!("CarbonCopyActivate", carbon_copy_activate),
    serve!("CarbonCopySuspend", carbon_copy_suspend),
    serve!("CarbonCopyTerminate", carbon_copy_terminate),
    serve!("CarbonCopyInfo", carbon_copy_info),
    serve!("CarbonCopyList", carbon_copy_list),
    serve!("CarbonCopyListEx", carbon_copy_list_ex),
];

/// An ID of a rule as `ECGridIDInfo`: what the rule knows of it (its number, network and
/// mailbox), with the registration's pair and status when the caller may read it.
pub(super) async fn id_info(call: &Call, caller: &Caller, id: EcGridId) -> Option<Value> {
    if id.0 == 0 {
        return None;
    }
    let found = call.core.partner_info(caller, id).await.ok();
    let mut fields = vec![("ECGridID", Value::Int(id.0))];
    match found {
        Some(p) => {
            fields.extend([
                ("NetworkID", Value::Int(p.network_id.0)),
                ("MailboxID", Value::Int(p.mailbox_id.0)),
                ("Qualifier", Value::Str(p.qualifier)),
                ("ID", Value::Str(p.id)),
                ("Description", Value::Str(p.description)),
                ("MailboxDefault", Value::Bool(p.is_default)),
                (
                    "Status",
                    Value::Enum(match p.status {
                        UserStatus::Active => "Active",
                        UserStatus::Suspended => "Suspended",
                        UserStatus::Terminated => "Terminated",
                        _ => "Pending",
                    }),
                ),
            ]);
        }
        None => fields.extend([
            ("NetworkID", Value::Int(0)),
            ("MailboxID", Value::Int(0)),
            ("MailboxDefault", Value::Bool(false)),
            ("Status", Value::Enum("Active")),
        ]),
    }
    fields.push(("UseType", Value::Enum("Undefined")));
    Some(Value::Record(fields))
}

async fn rule_info(call: &Call, caller: &Caller, r: CarbonCopy) -> Value {
    let mut fields = vec![
        ("CarbonCopyID", Value::Int(r.id)),
        ("NetworkID", Value::Int(r.network_id.0)),
        ("MailboxID", Value::Int(r.mailbox_id.0)),
        ("Created", Value::DateTime(r.created)),
        ("Modified", Value::DateTime(r.modified)),
        ("Status", Value::Enum(r.status.as_str())),
        ("GSFrom", Value::Str(r.gs_from)),
        ("GSTo", Value::Str(r.gs_to)),
        ("TransactionSet", Value::Str(r.transaction_set)),
    ];
    for (name, id) in [
        ("OriginalFrom", r.ecgrid_from),
        ("OriginalTo", r.ecgrid_to),
        ("CCFrom", r.cc_from),
        ("CCTo", r.cc_to),
    ] {
        if let Some(v) = id_info(call, caller, id).await {
            fields.push((name, v));
        }
    }
    Value::Record(fields)
}

fn pair_scope(call: &Call) -> CarbonCopyScope {
    CarbonCopyScope::Pair {
        from: EcGridId(call.args.int("ECGridIDFrom")),
        to: EcGridId(call.args.int("ECGridIDTo")),
        cc_from: EcGridId(call.args.int("ECGridIDCCFrom")),
        cc_to: EcGridId(call.args.int("ECGridIDCCTo")),
        gs_from: call.args.str("GSFrom").to_string(),
        gs_to: call.args.str("GSTo").to_string(),
        transaction_set: call.args.str("TransactionSet").to_string(),
    }
}

async fn carbon_copy_add(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let request = CarbonCopyRequest {
        scope: pair_scope(&call),
        network: None,
        mailbox: None,
    };
    let rule = call.core.carbon_copy_add(&caller, request).await?;
    Ok(Value::Int(rule.id))
}

/// `CarbonCopyAddEx`: `NetworkID`/`MailboxID` (0: not checked) must be where the watched ID
/// lives.
async fn carbon_copy_add_ex(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let request = CarbonCopyRequest {
        scope: pair_scope(&call),
        network: named(call.args.int("NetworkID"), NetworkId),
        mailbox: named(call.args.int("MailboxID"), MailboxId),
    };
    let rule = call.core.carbon_copy_add(&caller, request).await?;
    Ok(Value::Int(rule.id))
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

async fn carbon_copy_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let rule = call
        .core
        .carbon_copy_info(&caller, call.args.int("CarbonCopyID"))
        .await?;
    Ok(rule_info(&call, &caller, rule).await)
}

async fn listed(call: &Call, caller: &Caller, filter: CarbonCopyFilter) -> Result<Value, Error> {
    let page = call
        .core
        .carbon_copy_list(caller, filter, Page::first(UNPAGED))
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for r in page.items {
        items.push(rule_info(call, caller, r).await);
    }
    Ok(Value::List(items))
}

fn filter(call: &Call, network: Option<NetworkId>, mailbox: Option<MailboxId>) -> CarbonCopyFilter {
    CarbonCopyFilter {
        network,
        mailbox,
        ecgrid_from: named(call.args.int("ECGridIDFrom"), EcGridId),
        ecgrid_to: named(call.args.int("ECGridIDTo"), EcGridId),
        statuses: if call.args.boolean("ShowInactive") {
            Vec::new()
        } else {
            vec![UserStatus::Active]
        },
    }
}

/// `CarbonCopyList`: the rules of the session's network (of its mailbox for mailbox users).
async fn carbon_copy_list(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let f = filter(&call, Some(caller.network_id).filter(|n| n.0 != 0), None);
    listed(&call, &caller, f).await
}

async fn carbon_copy_list_ex(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let f = filter(
        &call,
        named(call.args.int("NetworkID"), NetworkId),
        named(call.args.int("MailboxID"), MailboxId),
    );
    listed(&call, &caller, f).await
}
