//! Trading-partner IDs (ECGridIDs): registering, reading and searching them (SPEC-VAN 13).
//! Changing them is in `partner_admin`.

use edigrid_domain::{
    EcGridId, Error, MailboxId, NetworkId, ParamProblem, PartnerAddress, RoutingGroup, UserStatus,
    X12Delimiters,
};

use super::access::{Act, Actor, Object, UserPlace, permits};
use super::guard::{not_terminated, text};
use super::model::{MAX_PAGE_SIZE, Page, Paged, PartnerDetail, PartnerFilter, TradingPartner};
use crate::service::{Core, internal};
use crate::sessions::Caller;
use crate::store::StoreError;

/// A trading-partner ID to register (`TPAdd`, `TPAddEx`, `TPAddVAN`, REST `POST /v2/ids`).
#[derive(Debug, Clone, Default)]
pub struct PartnerAddRequest {
    pub network: NetworkId,
    /// The mailbox that receives for it. For a VAN ID, `MailboxId(0)` is the network's
    /// first active mailbox.
    pub mailbox: MailboxId,
    pub qualifier: String,
    pub id: String,
    pub description: String,
    pub routing_group: RoutingGroup,
}

/// Where a search or list looks: `None` is everywhere the caller may read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartnerScope {
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    /// Suspended and terminated IDs too; otherwise only active ones.
    pub show_inactive: bool,
}

impl PartnerScope {
    /// The statuses a list shows (`ShowInactive`): every one, or only `Active`.
    pub fn statuses(&self) -> Vec<UserStatus> {
        if self.show_inactive {
            Vec::new()
        } else {
            vec![UserStatus::Active]
        }
    }

    fn filter(&self) -> PartnerFilter {
        PartnerFilter {
            network: self.network,
            mailbox: self.mailbox,
            statuses: self.statuses(),
            ..PartnerFilter::default()
        }
    }
}

/// Every status in which a registration holds its pair.
pub(crate) const HOLDING: [UserStatus; 4] = [
    UserStatus::Development,
    UserStatus::Active,
    UserStatus::Preproduction,
    UserStatus::Suspended,
];

impl Core {
    /// One trading-partner ID.
    pub async fn partner_info(
        &self,
        caller: &Caller,
        ecgrid_id: EcGridId,
    ) -> Result<TradingPartner, Error> {
        let actor = self.actor(caller).await?;
        self.partner_for(&actor, ecgrid_id, Act::Read).await
    }

    /// Registers a qualifier:ID pair for a mailbox the caller manages the IDs of. The first
    /// ID of a mailbox without a default becomes its default.
    pub async fn partner_add(
        &self,
        caller: &Caller,
        request: PartnerAddRequest,
    ) -> Result<TradingPartner, Error> {
        self.add_partner(caller, request, false).await
    }

    /// Registers a pair that lives on another network (`TPAddVAN`): reachable only
    /// through an interconnect.
    pub async fn partner_add_van(
        &self,
        caller: &Caller,
        request: PartnerAddRequest,
    ) -> Result<TradingPartner, Error> {
        self.add_partner(caller, request, true).await
    }

    /// IDs registered for a qualifier and ID (an empty qualifier matches any) that the
    /// caller may read.
    pub async fn partner_search(
        &self,
        caller: &Caller,
        scope: PartnerScope,
        qualifier: &str,
        id: &str,
        page: Page,
    ) -> Result<Paged<TradingPartner>, Error> {
        let filter = search_filter(scope, qualifier, id)?;
        self.partner_list(caller, filter, page).await
    }

    /// [`Core::partner_search`] with what describing each ID takes (see
    /// [`Core::partner_list_detailed`]).
    pub async fn partner_search_detailed(
        &self,
        caller: &Caller,
        scope: PartnerScope,
        qualifier: &str,
        id: &str,
        page: Page,
    ) -> Result<Paged<PartnerDetail>, Error> {
        let filter = search_filter(scope, qualifier, id)?;
        self.partner_list_detailed(caller, filter, page).await
    }

    /// [`Core::partner_find`] with what describing each ID takes (see
    /// [`Core::partner_list_detailed`]).
    pub async fn partner_find_detailed(
        &self,
        caller: &Caller,
        scope: PartnerScope,
        description: &str,
        page: Page,
    ) -> Result<Paged<PartnerDetail>, Error> {
        let mut filter = scope.filter();
        filter.description_contains = Some(text(description, "Description")?);
        self.partner_list_detailed(caller, filter, page).await
    }

    /// [`Core::partner_list`], each ID with its network's name, its mailbox and its owner,
    /// each only where the caller may read it (as `network_info`, `mailbox_info` and
    /// `user_info` would answer), all read with the page in one store read.
    pub async fn partner_list_detailed(
        &self,
        caller: &Caller,
        filter: PartnerFilter,
        page: Page,
    ) -> Result<Paged<PartnerDetail>, Error> {
        let actor = self.actor(caller).await?;
        let mut filter = filter;
        (filter.network, filter.mailbox) = self
            .list_scope(&actor, filter.network, filter.mailbox)
            .await?;
        let found = self
            .inner
            .store
            .list_partner_details(&filter, page)
            .await
            .map_err(internal)?;
        Ok(found.map(|d| readable_detail(&actor, d)))
    }

    /// IDs whose description contains `description` (case-insensitively).
    pub async fn partner_find(
        &self,
        caller: &Caller,
        scope: PartnerScope,
        description: &str,
        page: Page,
    ) -> Result<Paged<TradingPartner>, Error> {
        let mut filter = scope.filter();
        filter.description_contains = Some(text(description, "Description")?);
        self.partner_list(caller, filter, page).await
    }

    /// One page of the IDs the caller may read, in the filter's order.
    pub async fn partner_list(
        &self,
        caller: &Caller,
        filter: PartnerFilter,
        page: Page,
    ) -> Result<Paged<TradingPartner>, Error> {
        let actor = self.actor(caller).await?;
        let mut filter = filter;
        (filter.network, filter.mailbox) = self
            .list_scope(&actor, filter.network, filter.mailbox)
            .await?;
        self.inner
            .store
            .list_partners(&filter, page)
            .await
            .map_err(internal)
    }

    /// The default ID of a mailbox the caller may read; `NotFound` on `ECGridID` if none.
    pub async fn partner_get_mailbox_default(
        &self,
        caller: &Caller,
        mailbox: MailboxId,
    ) -> Result<TradingPartner, Error> {
        let actor = self.actor(caller).await?;
        let found = self.mailbox_for(&actor, mailbox, Act::Read).await?;
        self.mailbox_default(found.id)
            .await?
            .ok_or_else(|| Error::not_found("ECGridID"))
    }

    async fn add_partner(
        &self,
        caller: &Caller,
        request: PartnerAddRequest,
        van: bool,
    ) -> Result<TradingPartner, Error> {
        let address = PartnerAddress::parse(&request.qualifier, &request.id)?;
        let description = text(&request.description, "Description")?;
        let actor = self.actor(caller).await?;
        check_routing_group(&actor, request.routing_group)?;
        let mailbox_id = match request.mailbox {
            MailboxId(0) if van => self.van_mailbox(&actor, request.network).await?,
            given => given,
        };
        let mailbox = self
            .mailbox_as(&actor, mailbox_id, Act::Create, |m| {
                Object::Partner(m.network_id, m.id)
            })
            .await?;
        if mailbox.network_id != request.network {
            return Err(Error::invalid(
                "MailboxID",
                ParamProblem::Value,
                format!(
                    "mailbox {} is not in network {}",
                    mailbox.id, request.network
                ),
            ));
        }
        not_terminated(
            mailbox.status,
            "MailboxID",
            &format!("mailbox {}", mailbox.id),
        )?;
        if let Some(taken) = self.holder_of(&address, None).await? {
            return Err(pair_taken(&actor, &address, Some(&taken)));
        }
        let now = self.inner.clock.now();
        let mut partner = TradingPartner {
            ecgrid_id: EcGridId(0),
            network_id: mailbox.network_id,
            mailbox_id: mailbox.id,
            qualifier: address.qualifier.clone(),
            id: address.id.clone(),
            description,
            status: UserStatus::Active,
            data_email: String::new(),
            routing_group: request.routing_group,
            is_default: self.mailbox_default(mailbox.id).await?.is_none(),
            owner: actor.user,
            van,
            simulated: false,
            x12: X12Delimiters::default(),
            created: now,
            modified: now,
        };
        partner.ecgrid_id = match self.inner.store.insert_partner(&partner).await {
            Ok(id) => id,
            Err(e) => return Err(self.partner_store_failed(&actor, &address, None, e).await),
        };
        tracing::info!(ecgrid_id = %partner.ecgrid_id, mailbox = %mailbox.id, van, by = %actor.user, "trading-partner ID added");
        Ok(partner)
    }

    /// The mailbox a VAN ID of `network` belongs to when none is named.
    async fn van_mailbox(&self, actor: &Actor, network: NetworkId) -> Result<MailboxId, Error> {
        self.network_for(actor, network, Act::Read).await?;
        let filter = super::model::MailboxFilter {
            network: Some(network),
            status: Some(UserStatus::Active),
            ..Default::default()
        };
        let first = self
            .inner
            .store
            .list_mailboxes(&filter, Page::first(1))
            .await
            .map_err(internal)?;
        first.items.first().map(|m| m.id).ok_or_else(|| {
            Error::invalid(
                "NetworkID",
                ParamProblem::Value,
                format!("network {network} has no active mailbox to hold its VAN IDs"),
            )
        })
    }

    /// The registration that holds a pair now (active or suspended) other than `except`,
    /// if any.
    pub(crate) async fn holder_of(
        &self,
        address: &PartnerAddress,
        except: Option<EcGridId>,
    ) -> Result<Option<TradingPartner>, Error> {
        let filter = PartnerFilter {
            qualifier_key: Some(address.qualifier_key()),
            id_key: Some(address.id_key()),
            statuses: HOLDING.to_vec(),
            ..PartnerFilter::default()
        };
        let found = self
            .inner
            .store
            .list_partners(&filter, Page::first(2))
            .await
            .map_err(internal)?;
        Ok(found
            .items
            .into_iter()
            .find(|p| Some(p.ecgrid_id) != except))
    }

    /// A mailbox's default ID among those not terminated.
    pub(crate) async fn mailbox_default(
        &self,
        mailbox: MailboxId,
    ) -> Result<Option<TradingPartner>, Error> {
        let filter = PartnerFilter {
            mailbox: Some(mailbox),
            statuses: HOLDING.to_vec(),
            ..PartnerFilter::default()
        };
        let mut page = Page::first(MAX_PAGE_SIZE);
        loop {
            let found = self
                .inner
                .store
                .list_partners(&filter, page)
                .await
                .map_err(internal)?;
            let last = found.items.len() < MAX_PAGE_SIZE as usize;
            if let Some(default) = found.items.into_iter().find(|p| p.is_default) {
                return Ok(Some(default));
            }
            if last {
                return Ok(None);
            }
            page.number += 1;
        }
    }

    /// A store failure on writing an ID (`written`, if it exists already): a taken pair is
    /// named, with its holder's ECGridID when the caller may read it.
    pub(crate) async fn partner_store_failed(
        &self,
        actor: &Actor,
        address: &PartnerAddress,
        written: Option<EcGridId>,
        e: StoreError,
    ) -> Error {
        match e {
            StoreError::Conflict(_) => {
                let holder = self.holder_of(address, written).await.ok().flatten();
                pair_taken(actor, address, holder.as_ref())
            }
            StoreError::Missing(m) => {
                tracing::warn!(missing = %m, "referenced row vanished");
                Error::not_found("MailboxID")
            }
            other => internal(other),
        }
    }
}

/// The filter of a search for a qualifier and ID (an empty qualifier matches any).
fn search_filter(scope: PartnerScope, qualifier: &str, id: &str) -> Result<PartnerFilter, Error> {
    let address = PartnerAddress::parse(qualifier, id)?;
    let mut filter = scope.filter();
    filter.qualifier_key = Some(address.qualifier_key()).filter(|q| !q.is_empty());
    filter.id_key = Some(address.id_key());
    Ok(filter)
}

/// What of an ID's network, mailbox and owner the actor may read: the same rules that
/// `network_for`, `mailbox_for` and `user_for` apply to each read on its own.
fn readable_detail(actor: &Actor, d: PartnerDetail) -> PartnerDetail {
    let network = d.partner.network_id;
    PartnerDetail {
        network_name: d
            .network_name
            .filter(|_| permits(actor, Act::Read, Object::Network(network))),
        mailbox: d
            .mailbox
            .filter(|m| permits(actor, Act::Read, Object::Mailbox(m.network_id, m.id))),
        owner: d
            .owner
            .filter(|u| u.id.0 != 0)
            .filter(|u| permits(actor, Act::Read, Object::User(UserPlace::of(u)))),
        partner: d.partner,
    }
}

/// The answer to registering a pair that is taken: `InvalidParameter` on `ID`, with the
/// holder's ECGridID only if the caller may read it.
pub(crate) fn pair_taken(
    actor: &Actor,
    address: &PartnerAddress,
    holder: Option<&TradingPartner>,
) -> Error {
    let pair = format!("{}:{}", address.qualifier, address.id);
    let detail = match holder {
        Some(p)
            if permits(
                actor,
                Act::Read,
                Object::Partner(p.network_id, p.mailbox_id),
            ) =>
        {
            format!("{pair} is already registered (ECGridID {})", p.ecgrid_id)
        }
        _ => format!("{pair} is already registered"),
    };
    Error::invalid("ID", ParamProblem::Value, detail)
}

/// The NetOps-only routing groups are for operators.
pub(crate) fn check_routing_group(actor: &Actor, group: RoutingGroup) -> Result<(), Error> {
    if matches!(group, RoutingGroup::NetOpsOnly1 | RoutingGroup::NetOpsOnly2)
        && !actor.is_operator()
    {
        return Err(Error::AccessDenied(format!(
            "{} may not use routing group {group}",
            actor.level
        )));
    }
    Ok(())
}
