//! Trading-partner IDs (ECGridIDs) in the deployed dialect (SPEC-VAN 13, 14, 19):
//! registering, moving and changing them, reading, searching and listing them.
//!
//! Base operations act in the session's network (the core narrows further to what the caller
//! may read: a mailbox-level caller sees its own mailbox); `Ex` twins name a network and
//! mailbox, 0 meaning any the caller may read. Unpaged lists return the first 100 records.

use std::collections::HashMap;

use edigrid_core::{
    Caller, Mailbox, Page, Paged, PartnerAddRequest, PartnerChanges, PartnerDetail, PartnerFilter,
    PartnerOrder, PartnerScope, TradingPartner,
};
use edigrid_domain::{
    EcGridId, Error, MailboxId, NetworkId, ParamProblem, RoutingGroup, UserId, UserStatus,
};

use super::super::{Call, authenticate};
use super::mailboxes::mailbox_config;
use super::users::{UNPAGED, directory_user, named};
use super::{Registration, enum_arg, renamed, short};
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[
    serve_directory!("TPAdd", tp_add),
    serve_directory!("TPAddVAN", tp_add_van),
    serve_directory!("TPAddEx", tp_add_ex),
    serve_directory!("TPMove", tp_move),
    serve_directory!("TPMoveMailbox", tp_move_mailbox),
    serve_directory!("TPMoveEx", tp_move_ex),
    serve_directory!("TPUpdateDescription", tp_update_description),
    serve_directory!("TPUpdateDataEMail", tp_update_data_email),
    serve_directory!("TPActivate", tp_activate),
    serve_directory!("TPSuspend", tp_suspend),
    serve_directory!("TPTerminate", tp_terminate),
    serve_directory!("TPSetRoutingGroup", tp_set_routing_group),
    serve_directory!("TPInfo", tp_info),
    serve_directory!("TPSearch", tp_search),
    serve_directory!("TPSearchEx", tp_search_ex),
    serve_directory!("TPList", tp_list),
    serve_directory!("TPListEx", tp_list_ex),
    serve_directory!("TPListExPaged", tp_list_ex_paged),
    serve_directory!("TPListByOwner", tp_list_by_owner),
    serve_directory!("TPFindEx", tp_find_ex),
    serve_directory!("TPGetMailboxDefault", tp_get_mailbox_default),
    serve_directory!("TPSetMailboxDefault", tp_set_mailbox_default),
    serve_directory!("TPSetOwner", tp_set_owner),
];

/// Our status as `StatusECGridID`: IDs in development or preproduction are `Pending`.
fn ecgrid_status(status: UserStatus) -> &'static str {
    match status {
        UserStatus::Active => "Active",
        UserStatus::Suspended => "Suspended",
        UserStatus::Terminated => "Terminated",
        UserStatus::Development | UserStatus::Preproduction => "Pending",
    }
}

/// `Ok(None)` for a record the caller may not read (or that vanished); other errors pass.
fn visible<T>(r: Result<T, Error>) -> Result<Option<T>, Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::AccessDenied(_) | Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes one ID's `ECGridIDInfo`, reading its network, mailbox and owner through the core
/// as the caller (who may read an ID's mailbox and network, hence its names; the owner only
/// if the caller may read that user, else `Owner` is omitted). Lists read the same with
/// their page instead (`detailed`).
struct Describer<'a> {
    call: &'a Call,
    caller: &'a Caller,
    networks: HashMap<NetworkId, Option<String>>,
    mailboxes: HashMap<MailboxId, Option<Mailbox>>,
    owners: HashMap<UserId, Option<Value>>,
}

impl<'a> Describer<'a> {
    fn new(call: &'a Call, caller: &'a Caller) -> Self {
        Describer {
            call,
            caller,
            networks: HashMap::new(),
            mailboxes: HashMap::new(),
            owners: HashMap::new(),
        }
    }

    async fn network_name(&mut self, id: NetworkId) -> Result<Option<String>, Error> {
        if !self.networks.contains_key(&id) {
            let found = visible(self.call.core.network_info(self.caller, id).await)?;
            self.networks.insert(id, found.map(|n| n.name));
        }
        Ok(self.networks.get(&id).cloned().flatten())
    }

    async fn mailbox(&mut self, id: MailboxId) -> Result<Option<Mailbox>, Error> {
        if !self.mailboxes.contains_key(&id) {
            let found = visible(self.call.core.mailbox_info(self.caller, id).await)?;
            self.mailboxes.insert(id, found);
        }
        Ok(self.mailboxes.get(&id).cloned().flatten())
    }

    async fn owner(&mut self, id: UserId) -> Result<Option<Value>, Error> {
        if id.0 == 0 {
            return Ok(None);
        }
        if !self.owners.contains_key(&id) {
            let found = visible(self.call.core.user_info(self.caller, id).await)?;
            let now = self.call.core.now();
            self.owners
                .insert(id, found.map(|u| directory_user(u, now)));
        }
        Ok(self.owners.get(&id).cloned().flatten())
    }

    /// One ID as `ECGridIDInfo` (see [`info_value`]).
    async fn info(&mut self, p: TradingPartner) -> Result<Value, Error> {
        let network_name = self.network_name(p.network_id).await?;
        let mailbox = self.mailbox(p.mailbox_id).await?;
        let owner = self.owner(p.owner).await?;
        Ok(info_value(p, network_name, mailbox.as_ref(), owner))
    }
}

/// One ID as `ECGridIDInfo`, with what the caller may read of its network's name, its
/// mailbox and its owner: `UseType` and `Config` are its mailbox's; `OwnerInfo` says where
/// it lives and since when (no expiry, no traffic recorded yet).
fn info_value(
    p: TradingPartner,
    network_name: Option<String>,
    mailbox: Option<&Mailbox>,
    owner: Option<Value>,
) -> Value {
    let mailbox_name = mailbox.map(|m| m.name.clone());
    let name = |n: &Option<String>| Value::Str(n.clone().unwrap_or_default());
    let owner_info = Value::Record(vec![
        ("NetworkID", Value::Int(p.network_id.0)),
        ("NetworkName", name(&network_name)),
        ("MailboxID", Value::Int(p.mailbox_id.0)),
        ("MailboxName", name(&mailbox_name)),
        ("Created", Value::DateTime(p.created)),
        ("Modified", Value::DateTime(p.modified)),
        ("Effective", Value::DateTime(p.created)),
        ("Expires", Value::UnsetDateTime),
        ("LastTraffic", Value::UnsetDateTime),
        ("RoutingGroup", Value::Enum(p.routing_group.as_str())),
    ]);
    let mut fields = vec![
        ("ECGridID", Value::Int(p.ecgrid_id.0)),
        ("NetworkID", Value::Int(p.network_id.0)),
        ("NetworkName", name(&network_name)),
        ("MailboxID", Value::Int(p.mailbox_id.0)),
        ("MailboxName", name(&mailbox_name)),
        ("Qualifier", Value::Str(p.qualifier)),
        ("ID", Value::Str(p.id)),
        ("Description", Value::Str(p.description)),
        ("DataEMail", Value::Str(p.data_email)),
        ("MailboxDefault", Value::Bool(p.is_default)),
        ("Status", Value::Enum(ecgrid_status(p.status))),
        (
            "UseType",
            Value::Enum(mailbox.map_or("Undefined", |m| m.use_type.as_str())),
        ),
        ("OwnerInfo", owner_info),
    ];
    if let Some(owner) = owner {
        fields.push(("Owner", owner));
    }
    if let Some(m) = mailbox {
        fields.push(("Config", mailbox_config(&m.config)));
    }
    Value::Record(fields)
}

/// IDs found with their details (`partner_*_detailed`, which leave out what the caller may
/// not read) as `ECGridIDInfo`s.
fn detailed(call: &Call, details: Vec<PartnerDetail>) -> Vec<Value> {
    let now = call.core.now();
    details
        .into_iter()
        .map(|d| {
            let owner = d.owner.map(|u| directory_user(u, now));
            info_value(d.partner, d.network_name, d.mailbox.as_ref(), owner)
        })
        .collect()
}

fn ecgrid_id(call: &Call) -> EcGridId {
    EcGridId(call.args.int("ECGridID"))
}

fn add_request(call: &Call, network: NetworkId, mailbox: MailboxId) -> PartnerAddRequest {
    PartnerAddRequest {
        network,
        mailbox,
        qualifier: call.args.str("Qualifier").to_string(),
        id: call.args.str("ID").to_string(),
        description: call.args.str("Description").to_string(),
        routing_group: RoutingGroup::default(),
    }
}

/// `TPAdd`: into the session's own mailbox. A taken pair is refused naming it.
async fn tp_add(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let request = add_request(&call, caller.network_id, caller.mailbox_id);
    let added = call.core.partner_add(&caller, request).await?;
    Ok(Value::Int(added.ecgrid_id.0))
}

/// `TPAddVAN`: a pair living on another network, held by that network's first active
/// mailbox and reached through an interconnect.
async fn tp_add_van(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let network = NetworkId(call.args.int("NetworkID"));
    let request = add_request(&call, network, MailboxId(0));
    let added = call.core.partner_add_van(&caller, request).await?;
    Ok(Value::Int(added.ecgrid_id.0))
}

async fn tp_add_ex(call: Call) -> Result<Value, Error> {
    let routing_group: RoutingGroup = enum_arg(&call, "RoutingGroup")?;
    let caller = authenticate(&call).await?;
    let mut request = add_request(
        &call,
        NetworkId(call.args.int("NetworkID")),
        MailboxId(call.args.int("MailboxID")),
    );
    request.routing_group = routing_group;
    let added = call.core.partner_add(&caller, request).await?;
    Ok(Value::Int(added.ecgrid_id.0))
}

/// edigrid moves IDs at once: a `MoveDateTime` not in the future (the unset date
/// included) means now; a future one is refused rather than silently moved early.
fn check_move_time(call: &Call) -> Result<(), Error> {
    match call.args.datetime("MoveDateTime") {
        Some(at) if at > call.core.now() => Err(Error::invalid(
            "MoveDateTime",
            ParamProblem::Value,
            "scheduled moves are not supported: give a time not in the future to move now",
        )),
        _ => Ok(()),
    }
}

fn not_in_network(mailbox: MailboxId, network: NetworkId) -> Error {
    Error::invalid(
        "MailboxID",
        ParamProblem::Value,
        format!("mailbox {mailbox} is not in network {network}"),
    )
}

async fn moved(call: &Call, caller: &Caller, to: MailboxId) -> Result<Value, Error> {
    let p = call.core.partner_move(caller, ecgrid_id(call), to).await?;
    Ok(Value::Int(p.ecgrid_id.0))
}

/// `TPMove`: into the session's own mailbox; answers the ECGridID.
async fn tp_move(call: Call) -> Result<Value, Error> {
    check_move_time(&call)?;
    let caller = authenticate(&call).await?;
    moved(&call, &caller, caller.mailbox_id).await
}

/// `TPMoveEx`: into the mailbox named, which must be of `NetworkID` (0: its own).
async fn tp_move_ex(call: Call) -> Result<Value, Error> {
    check_move_time(&call)?;
    let caller = authenticate(&call).await?;
    let to = MailboxId(call.args.int("MailboxID"));
    if let Some(network) = named(call.args.int("NetworkID"), NetworkId) {
        let target = call.core.mailbox_info(&caller, to).await?;
        if target.network_id != network {
            return Err(not_in_network(to, network));
        }
    }
    moved(&call, &caller, to).await
}

/// `TPMoveMailbox`: to another mailbox of the ID's own network.
async fn tp_move_mailbox(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let to = MailboxId(call.args.int("MailboxID"));
    let partner = call.core.partner_info(&caller, ecgrid_id(&call)).await?;
    let target = call.core.mailbox_info(&caller, to).await?;
    if target.network_id != partner.network_id {
        return Err(not_in_network(to, partner.network_id));
    }
    moved(&call, &caller, to).await
}

async fn update(call: &Call, changes: PartnerChanges) -> Result<Value, Error> {
    let caller = authenticate(call).await?;
    call.core
        .partner_update(&caller, ecgrid_id(call), changes)
        .await
        .map_err(|e| renamed(e, "UserID", "OwnerUserID"))?;
    Ok(Value::Bool(true))
}

async fn tp_update_description(call: Call) -> Result<Value, Error> {
    let changes = PartnerChanges {
        description: Some(call.args.str("Description").to_string()),
        ..PartnerChanges::default()
    };
    update(&call, changes).await
}

/// `TPUpdateDataEMail`: the address is stored; only SMTP is accepted (X.400 needs a
/// gateway edigrid does not have) and the payload position is not stored.
async fn tp_update_data_email(call: Call) -> Result<Value, Error> {
    if call.args.enumeration("EMailSystem") != "smtp" {
        return Err(Error::invalid(
            "EMailSystem",
            ParamProblem::Value,
            "only smtp is supported: edigrid has no X.400 gateway",
        ));
    }
    let changes = PartnerChanges {
        data_email: Some(call.args.str("DataEMail").to_string()),
        ..PartnerChanges::default()
    };
    update(&call, changes).await
}

async fn tp_set_routing_group(call: Call) -> Result<Value, Error> {
    let group: RoutingGroup = enum_arg(&call, "RoutingGroup")?;
    let changes = PartnerChanges {
        routing_group: Some(group),
        ..PartnerChanges::default()
    };
    update(&call, changes).await
}

/// `TPSetOwner`: `OwnerUserID` 0 removes the owner.
async fn tp_set_owner(call: Call) -> Result<Value, Error> {
    let changes = PartnerChanges {
        owner: Some(UserId(call.args.int("OwnerUserID"))),
        ..PartnerChanges::default()
    };
    update(&call, changes).await
}

async fn set_status(call: Call, status: UserStatus) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .partner_set_status(&caller, ecgrid_id(&call), status)
        .await?;
    Ok(Value::Bool(true))
}

async fn tp_activate(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Active).await
}

async fn tp_suspend(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Suspended).await
}

/// Terminating is final and frees the pair for a new registration.
async fn tp_terminate(call: Call) -> Result<Value, Error> {
    set_status(call, UserStatus::Terminated).await
}

async fn tp_set_mailbox_default(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .partner_set_mailbox_default(&caller, ecgrid_id(&call))
        .await?;
    Ok(Value::Bool(true))
}

async fn tp_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let partner = call.core.partner_info(&caller, ecgrid_id(&call)).await?;
    Describer::new(&call, &caller).info(partner).await
}

/// `TPGetMailboxDefault`: the default ID of the mailbox named (0: the session's), which
/// must be of `NetworkID` (0: any); none is `ObjectNotFound` on `ECGridID`.
async fn tp_get_mailbox_default(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let mailbox = named(call.args.int("MailboxID"), MailboxId).unwrap_or(caller.mailbox_id);
    let partner = call
        .core
        .partner_get_mailbox_default(&caller, mailbox)
        .await?;
    if let Some(network) = named(call.args.int("NetworkID"), NetworkId)
        && partner.network_id != network
    {
        return Err(not_in_network(mailbox, network));
    }
    Describer::new(&call, &caller).info(partner).await
}

/// The scope of a base operation (the session's network) or of an `Ex` twin (as named).
fn scope(call: &Call, caller: &Caller, ex: bool) -> PartnerScope {
    let (network, mailbox) = if ex {
        (
            named(call.args.int("NetworkID"), NetworkId),
            named(call.args.int("MailboxID"), MailboxId),
        )
    } else {
        (Some(caller.network_id), None)
    };
    PartnerScope {
        network,
        mailbox,
        show_inactive: call.args.boolean("ShowInactive"),
    }
}

fn described(call: &Call, found: Paged<PartnerDetail>) -> Value {
    Value::List(detailed(call, found.items))
}

/// The IDs registered for `Qualifier`:`ID` (compared case-insensitively and without
/// trailing spaces; an empty qualifier matches any).
async fn search(call: Call, ex: bool) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let found = call
        .core
        .partner_search_detailed(
            &caller,
            scope(&call, &caller, ex),
            call.args.str("Qualifier"),
            call.args.str("ID"),
            Page::first(UNPAGED),
        )
        .await?;
    Ok(described(&call, found))
}

async fn tp_search(call: Call) -> Result<Value, Error> {
    search(call, false).await
}

async fn tp_search_ex(call: Call) -> Result<Value, Error> {
    search(call, true).await
}

fn list_filter(scope: PartnerScope) -> PartnerFilter {
    PartnerFilter {
        network: scope.network,
        mailbox: scope.mailbox,
        statuses: scope.statuses(),
        ..PartnerFilter::default()
    }
}

async fn list(call: Call, ex: bool) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let filter = list_filter(scope(&call, &caller, ex));
    let found = call
        .core
        .partner_list_detailed(&caller, filter, Page::first(UNPAGED))
        .await?;
    Ok(described(&call, found))
}

async fn tp_list(call: Call) -> Result<Value, Error> {
    list(call, false).await
}

async fn tp_list_ex(call: Call) -> Result<Value, Error> {
    list(call, true).await
}

/// `TPFindEx`: IDs whose description contains `Description` (case-insensitively).
async fn tp_find_ex(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let found = call
        .core
        .partner_find_detailed(
            &caller,
            scope(&call, &caller, true),
            call.args.str("Description"),
            Page::first(UNPAGED),
        )
        .await?;
    Ok(described(&call, found))
}

/// `PageSize` (0: 100, at most 500) and `PageNumber` (0: the first).
fn requested_page(call: &Call) -> Result<Page, Error> {
    Page::parse(
        call.args.int("PageNumber"),
        call.args.int("PageSize"),
        UNPAGED,
    )
    .map_err(|e| {
        renamed(
            renamed(e, "PageNo", "PageNumber"),
            "RecordsPerPage",
            "PageSize",
        )
    })
}

/// One page as `ECGridIDInfoCollection`: `Count` is the records on this page.
fn collection(call: &Call, page: Page, found: Paged<PartnerDetail>) -> Value {
    let total_pages = found.pages(page.size);
    let total = i32::try_from(found.total).unwrap_or(i32::MAX);
    let items = detailed(call, found.items);
    Value::Record(vec![
        ("PageSize", short(page.size)),
        ("PageNumber", short(page.number)),
        (
            "Count",
            Value::Int(i32::try_from(items.len()).unwrap_or(i32::MAX)),
        ),
        ("TotalRecords", Value::Int(total)),
        ("TotalPages", short(total_pages)),
        ("ECGridIDInfoList", Value::List(items)),
    ])
}

async fn tp_list_ex_paged(call: Call) -> Result<Value, Error> {
    let page = requested_page(&call)?;
    let caller = authenticate(&call).await?;
    let filter = list_filter(scope(&call, &caller, true));
    let found = call
        .core
        .partner_list_detailed(&caller, filter, page)
        .await?;
    Ok(collection(&call, page, found))
}

/// `TPListByOwner`: the IDs the caller may read owned by `OwnerUserID` (0: those without
/// an owner), ordered by description or by qualifier and ID.
async fn tp_list_by_owner(call: Call) -> Result<Value, Error> {
    let page = requested_page(&call)?;
    let order = match call.args.enumeration("OrderBy") {
        "QID" => PartnerOrder::QualifierId,
        _ => PartnerOrder::Description,
    };
    let caller = authenticate(&call).await?;
    let show_inactive = call.args.boolean("ShowInactive");
    let filter = PartnerFilter {
        owner: Some(UserId(call.args.int("OwnerUserID"))),
        statuses: PartnerScope {
            show_inactive,
            ..PartnerScope::default()
        }
        .statuses(),
        order,
        ..PartnerFilter::default()
    };
    let found = call
        .core
        .partner_list_detailed(&caller, filter, page)
        .await?;
    Ok(collection(&call, page, found))
}
