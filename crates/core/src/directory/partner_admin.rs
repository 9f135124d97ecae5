//! Changing trading-partner IDs: descriptions, owners, status, moves and mailbox defaults.

use edigrid_domain::{
    EcGridId, Error, MailboxId, PartnerAddress, RoutingGroup, UserId, UserStatus, X12Delimiters,
};

use super::access::{Act, Actor, Object};
use super::guard::{change_email, change_text, not_terminated};
use super::model::TradingPartner;
use super::partner::check_routing_group;
use crate::service::Core;
use crate::sessions::Caller;

/// Changes of an ID's description, data e-mail, routing group and owner; `None` leaves a
/// field as it is.
#[derive(Debug, Clone, Default)]
pub struct PartnerChanges {
    pub description: Option<String>,
    pub data_email: Option<String>,
    pub routing_group: Option<RoutingGroup>,
    /// `UserId(0)` clears the owner.
    pub owner: Option<UserId>,
}

impl Core {
    /// Changes an ID's description, data e-mail, routing group or owner.
    pub async fn partner_update(
        &self,
        caller: &Caller,
        ecgrid_id: EcGridId,
        changes: PartnerChanges,
    ) -> Result<TradingPartner, Error> {
        let actor = self.actor(caller).await?;
        let mut partner = self.changeable_partner(&actor, ecgrid_id).await?;
        change_text(
            &mut partner.description,
            changes.description.as_deref(),
            "Description",
        )?;
        change_email(
            &mut partner.data_email,
            changes.data_email.as_deref(),
            "DataEMail",
        )?;
        if let Some(group) = changes.routing_group {
            check_routing_group(&actor, group)?;
            partner.routing_group = group;
        }
        if let Some(owner) = changes.owner {
            partner.owner = self
                .assignable_user(&actor, partner.network_id, owner)
                .await?;
        }
        self.save_partner(&actor, partner).await
    }

    /// Activates, suspends or terminates an ID. Terminated is final and frees its pair.
    pub async fn partner_set_status(
        &self,
        caller: &Caller,
        ecgrid_id: EcGridId,
        status: UserStatus,
    ) -> Result<TradingPartner, Error> {
        let actor = self.actor(caller).await?;
        let mut partner = self.partner_for(&actor, ecgrid_id, Act::SetStatus).await?;
        not_terminated(partner.status, "ECGridID", &format!("ECGridID {ecgrid_id}"))?;
        partner.status = status;
        if status == UserStatus::Terminated {
            partner.is_default = false;
        }
        self.save_partner(&actor, partner).await
    }

    /// Moves an ID to another mailbox the caller manages the IDs of; it stops being a
    /// default.
    pub async fn partner_move(
        &self,
        caller: &Caller,
        ecgrid_id: EcGridId,
        mailbox: MailboxId,
    ) -> Result<TradingPartner, Error> {
        let actor = self.actor(caller).await?;
        let mut partner = self.changeable_partner(&actor, ecgrid_id).await?;
        let to = self
            .mailbox_as(&actor, mailbox, Act::Create, |m| {
                Object::Partner(m.network_id, m.id)
            })
            .await?;
        not_terminated(to.status, "MailboxID", &format!("mailbox {mailbox}"))?;
        if to.id == partner.mailbox_id {
            return Ok(partner);
        }
        partner.network_id = to.network_id;
        partner.mailbox_id = to.id;
        partner.is_default = false;
        self.save_partner(&actor, partner).await
    }

    /// Makes an ID its mailbox's default (the mailbox's other IDs lose it).
    pub async fn partner_set_mailbox_default(
        &self,
        caller: &Caller,
        ecgrid_id: EcGridId,
    ) -> Result<TradingPartner, Error> {
        let actor = self.actor(caller).await?;
        let mut partner = self.changeable_partner(&actor, ecgrid_id).await?;
        partner.is_default = true;
        self.save_partner(&actor, partner).await
    }

    /// Marks an ID as a sandbox partner that answers what it receives (SPEC-VAN 21).
    pub async fn partner_set_simulated(
        &self,
        caller: &Caller,
        ecgrid_id: EcGridId,
        simulated: bool,
    ) -> Result<TradingPartner, Error> {
        let actor = self.actor(caller).await?;
        let mut partner = self.changeable_partner(&actor, ecgrid_id).await?;
        partner.simulated = simulated;
        self.save_partner(&actor, partner).await
    }

    /// Sets the X12 delimiters imposed on what the ID receives: each one set takes precedence
    /// over its mailbox's and its network's. Checked as the mailbox's and network's are (no
    /// letter, digit, space or non-ASCII byte; the set ones differ); a refused set saves
    /// nothing.
    pub async fn partner_set_x12_delimiters(
        &self,
        caller: &Caller,
        ecgrid_id: EcGridId,
        delimiters: X12Delimiters,
    ) -> Result<TradingPartner, Error> {
        let checked = X12Delimiters::new(
            delimiters.segment,
            delimiters.element,
            delimiters.sub_element,
        )?;
        let actor = self.actor(caller).await?;
        let mut partner = self.changeable_partner(&actor, ecgrid_id).await?;
        partner.x12 = checked;
        self.save_partner(&actor, partner).await
    }

    async fn changeable_partner(
        &self,
        actor: &Actor,
        ecgrid_id: EcGridId,
    ) -> Result<TradingPartner, Error> {
        let partner = self.partner_for(actor, ecgrid_id, Act::Change).await?;
        not_terminated(partner.status, "ECGridID", &format!("ECGridID {ecgrid_id}"))?;
        Ok(partner)
    }

    /// Writes an ID. Re-activating a pair that another registration holds meanwhile is
    /// refused naming the pair.
    async fn save_partner(
        &self,
        actor: &Actor,
        mut partner: TradingPartner,
    ) -> Result<TradingPartner, Error> {
        partner.modified = self.inner.clock.now();
        if let Err(e) = self.inner.store.update_partner(&partner).await {
            let address = PartnerAddress {
                qualifier: partner.qualifier.clone(),
                id: partner.id.clone(),
            };
            return Err(self
                .partner_store_failed(actor, &address, Some(partner.ecgrid_id), e)
                .await);
        }
        tracing::info!(ecgrid_id = %partner.ecgrid_id, status = %partner.status, by = %actor.user, "trading-partner ID changed");
        Ok(partner)
    }
}
