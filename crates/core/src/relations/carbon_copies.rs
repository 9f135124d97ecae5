//! Carbon-copy rules: adding them, their lifecycle, reading and listing them (SPEC-VAN 20).
//!
//! Whoever manages a mailbox's IDs (its MailboxAdmin, its NetworkAdmin, operators) sets the
//! rules that watch it; the copy mailbox must be one the caller may read. A rule is read by
//! whoever may read the watched or the copy mailbox.

use edigrid_domain::{Direction, EcGridId, Error, MailboxId, NetworkId, ParamProblem, UserStatus};

use super::{CarbonCopy, CarbonCopyFilter};
use crate::directory::access::{Act, Actor, Object, Reach, permits, reach};
use crate::directory::guard::{authorize, out_of_reach, text};
use crate::directory::model::{Mailbox, Page, Paged, TradingPartner};
use crate::service::{Core, internal};
use crate::sessions::Caller;

/// What a new rule watches and where its copies go.
#[derive(Debug, Clone, PartialEq)]
pub enum CarbonCopyScope {
    /// As the deployed `CarbonCopyAdd`: traffic sent by `from` (to `to`, 0 = any), copied as
    /// sent from `cc_from` to `cc_to`, into the mailbox of `cc_to`.
    Pair {
        from: EcGridId,
        to: EcGridId,
        cc_from: EcGridId,
        cc_to: EcGridId,
        gs_from: String,
        gs_to: String,
        transaction_set: String,
    },
    /// As the documented dialect and REST: a mailbox's traffic in one direction (or both,
    /// `NoDir`), copied unchanged into another mailbox.
    Mailbox {
        from: MailboxId,
        to: MailboxId,
        direction: Direction,
    },
}

/// A rule to add; `network`/`mailbox` (the `Ex` form) must name where the watched ID lives.
#[derive(Debug, Clone, PartialEq)]
pub struct CarbonCopyRequest {
    pub scope: CarbonCopyScope,
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
}

/// The statuses a rule may move from to reach each one.
fn allowed_from(to: UserStatus) -> &'static [UserStatus] {
    match to {
        UserStatus::Active => &[UserStatus::Suspended],
        UserStatus::Suspended => &[UserStatus::Active],
        UserStatus::Terminated => &[UserStatus::Active, UserStatus::Suspended],
        _ => &[],
    }
}

fn filter_text(raw: &str, item: &str, max: usize) -> Result<String, Error> {
    let value = text(raw, item)?;
    if value.chars().count() > max {
        return Err(Error::invalid(
            item,
            ParamProblem::Length,
            format!("longer than {max} characters"),
        ));
    }
    Ok(value)
}

impl Core {
    /// An ID named by a rule, active.
    async fn rule_partner(
        &self,
        actor: &Actor,
        id: EcGridId,
        act: Act,
        param: &str,
    ) -> Result<TradingPartner, Error> {
        if id.0 == 0 {
            return Err(Error::invalid(
                param,
                ParamProblem::Value,
                "name an ECGridID",
            ));
        }
        let found = self.inner.store.partner(id).await.map_err(internal)?;
        let p = authorize(
            actor,
            act,
            found,
            |p| Object::Partner(p.network_id, p.mailbox_id),
            param,
            id,
        )?;
        if p.status != UserStatus::Active {
            return Err(Error::invalid(
                param,
                ParamProblem::Value,
                format!(
                    "ECGridID {id} is {}",
                    p.status.as_str().to_ascii_lowercase()
                ),
            ));
        }
        Ok(p)
    }

    /// Any ID of the service (an envelope may name a partner on another network): exists
    /// and is not terminated.
    async fn named_partner(&self, id: EcGridId, param: &str) -> Result<TradingPartner, Error> {
        match self.inner.store.partner(id).await.map_err(internal)? {
            Some(p) if p.status != UserStatus::Terminated => Ok(p),
            _ => Err(Error::not_found(param)),
        }
    }

    async fn rule_mailbox(
        &self,
        actor: &Actor,
        id: MailboxId,
        act: Act,
        param: &str,
    ) -> Result<Mailbox, Error> {
        let found = self.inner.store.mailbox(id).await.map_err(internal)?;
        let m = authorize(
            actor,
            act,
            found,
            |m| Object::Partner(m.network_id, m.id),
            param,
            id,
        )?;
        if m.status != UserStatus::Active {
            return Err(Error::invalid(
                param,
                ParamProblem::Value,
                format!("mailbox {id} is {}", m.status.as_str().to_ascii_lowercase()),
            ));
        }
        Ok(m)
    }

    pub async fn carbon_copy_add(
        &self,
        caller: &Caller,
        request: CarbonCopyRequest,
    ) -> Result<CarbonCopy, Error> {
        let actor = self.actor(caller).await?;
        let now = self.now();
        let mut rule = match request.scope {
            CarbonCopyScope::Pair {
                from,
                to,
                cc_from,
                cc_to,
                gs_from,
                gs_to,
                transaction_set,
            } => {
                let watched = self
                    .rule_partner(&actor, from, Act::Change, "ECGridIDFrom")
                    .await?;
                if to.0 != 0 {
                    self.named_partner(to, "ECGridIDTo").await?;
                }
                if cc_from.0 == 0 {
                    return Err(Error::invalid(
                        "ECGridIDCCFrom",
                        ParamProblem::Value,
                        "name the ECGridID copies are sent from",
                    ));
                }
                self.named_partner(cc_from, "ECGridIDCCFrom").await?;
                let target = self
                    .rule_partner(&actor, cc_to, Act::Read, "ECGridIDCCTo")
                    .await?;
                CarbonCopy {
                    id: 0,
                    network_id: watched.network_id,
                    mailbox_id: watched.mailbox_id,
                    direction: Direction::OutBox,
                    ecgrid_from: from,
                    ecgrid_to: to,
                    cc_from,
                    cc_to,
                    cc_mailbox_id: target.mailbox_id,
                    gs_from: filter_text(&gs_from, "GSFrom", 35)?,
                    gs_to: filter_text(&gs_to, "GSTo", 35)?,
                    transaction_set: filter_text(&transaction_set, "TransactionSet", 6)?,
                    status: UserStatus::Active,
                    created_by: actor.user,
                    created: now,
                    modified: now,
                }
            }
            CarbonCopyScope::Mailbox {
                from,
                to,
                direction,
            } => {
                let watched = self
                    .rule_mailbox(&actor, from, Act::Change, "FromMailboxID")
                    .await?;
                let target = self
                    .rule_mailbox(&actor, to, Act::Read, "ToMailboxID")
                    .await?;
                if target.id == watched.id {
                    return Err(Error::invalid(
                        "ToMailboxID",
                        ParamProblem::Value,
                        "copies must go to another mailbox than the one watched",
                    ));
                }
                CarbonCopy {
                    id: 0,
                    network_id: watched.network_id,
                    mailbox_id: watched.id,
                    direction,
                    ecgrid_from: EcGridId(0),
                    ecgrid_to: EcGridId(0),
                    cc_from: EcGridId(0),
                    cc_to: EcGridId(0),
                    cc_mailbox_id: target.id,
                    gs_from: String::new(),
                    gs_to: String::new(),
                    transaction_set: String::new(),
                    status: UserStatus::Active,
                    created_by: actor.user,
                    created: now,
                    modified: now,
                }
            }
        };
        if request.network.is_some_and(|n| n != rule.network_id)
            || request.mailbox.is_some_and(|m| m != rule.mailbox_id)
        {
            return Err(Error::invalid(
                "MailboxID",
                ParamProblem::Value,
                format!(
                    "the watched ID lives in mailbox {} of network {}",
                    rule.mailbox_id, rule.network_id
                ),
            ));
        }
        rule.id = self
            .inner
            .store
            .insert_carbon_copy(&rule)
            .await
            .map_err(internal)?;
        tracing::info!(rule = rule.id, mailbox = %rule.mailbox_id, copies_to = %rule.cc_mailbox_id, by = %actor.user, "carbon copy rule added");
        Ok(rule)
    }

    /// A rule the caller may read (its watched or copy mailbox in reach).
    async fn readable_rule(&self, actor: &Actor, id: i32) -> Result<CarbonCopy, Error> {
        let found = self.inner.store.carbon_copy(id).await.map_err(internal)?;
        let Some(rule) = found else {
            return Err(if actor.is_operator() {
                Error::not_found("CarbonCopyID")
            } else {
                out_of_reach("CarbonCopyID", id)
            });
        };
        if permits(
            actor,
            Act::Read,
            Object::Mailbox(rule.network_id, rule.mailbox_id),
        ) {
            return Ok(rule);
        }
        let copy = self
            .inner
            .store
            .mailbox(rule.cc_mailbox_id)
            .await
            .map_err(internal)?;
        match copy {
            Some(m) if permits(actor, Act::Read, Object::Mailbox(m.network_id, m.id)) => Ok(rule),
            _ => Err(out_of_reach("CarbonCopyID", id)),
        }
    }

    pub async fn carbon_copy_info(&self, caller: &Caller, id: i32) -> Result<CarbonCopy, Error> {
        let actor = self.actor(caller).await?;
        self.readable_rule(&actor, id).await
    }

    /// Activates, suspends or terminates a rule (whoever manages the watched mailbox's IDs).
    pub async fn carbon_copy_set_status(
        &self,
        caller: &Caller,
        id: i32,
        to: UserStatus,
    ) -> Result<CarbonCopy, Error> {
        let actor = self.actor(caller).await?;
        let rule = self.readable_rule(&actor, id).await?;
        crate::directory::guard::require(
            &actor,
            Act::Change,
            Object::Partner(rule.network_id, rule.mailbox_id),
        )?;
        let from = allowed_from(to);
        if !from.contains(&rule.status) {
            return Err(Error::invalid(
                "CarbonCopyID",
                ParamProblem::Value,
                format!(
                    "carbon copy rule {id} is {}: it cannot become {}",
                    rule.status.as_str().to_ascii_lowercase(),
                    to.as_str().to_ascii_lowercase()
                ),
            ));
        }
        let now = self.now();
        let changed = self
            .inner
            .store
            .set_carbon_copy_status(id, from, to, now)
            .await
            .map_err(internal)?;
        if !changed {
            return Err(Error::invalid(
                "CarbonCopyID",
                ParamProblem::Value,
                format!("carbon copy rule {id} changed meanwhile; read it again"),
            ));
        }
        tracing::info!(rule = id, status = to.as_str(), by = %actor.user, "carbon copy rule status set");
        Ok(CarbonCopy {
            status: to,
            modified: now,
            ..rule
        })
    }

    /// Rules in the caller's reach: a network's for its users, a mailbox's (watched or
    /// copied to) for a mailbox's; what `filter` narrows further.
    pub async fn carbon_copy_list(
        &self,
        caller: &Caller,
        mut filter: CarbonCopyFilter,
        page: Page,
    ) -> Result<Paged<CarbonCopy>, Error> {
        let actor = self.actor(caller).await?;
        match reach(&actor) {
            Reach::All => {}
            Reach::Network(n) => {
                if filter.network.is_some_and(|f| f != n) {
                    return Err(out_of_reach("NetworkID", filter.network.unwrap_or(n)));
                }
                filter.network = Some(n);
            }
            Reach::Mailbox(_, m) => {
                if filter.mailbox.is_some_and(|f| f != m) {
                    return Err(out_of_reach("MailboxID", filter.mailbox.unwrap_or(m)));
                }
                filter.network = None;
                filter.mailbox = Some(m);
            }
            Reach::OwnUser => {
                return Err(Error::AccessDenied(format!(
                    "{} may not read carbon copy rules",
                    actor.level
                )));
            }
        }
        self.inner
            .store
            .list_carbon_copies(&filter, page)
            .await
            .map_err(internal)
    }
}
