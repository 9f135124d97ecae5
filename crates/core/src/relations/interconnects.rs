//! Interconnects (SPEC-VAN 20): a request between two ECGridIDs that the partner's side
//! accepts (by asking for the same pair back, or at once when the requester manages both
//! IDs and preconfirms), either side cancels; notes, reads, counts and lists; and the check
//! routing makes between IDs that need one (`require_interconnect`).

use chrono::Duration;
use edigrid_domain::{EcGridId, Error, MailboxId, NetworkId, ParamProblem, UserStatus};

use super::{
    Interconnect, InterconnectChange, InterconnectFilter, InterconnectNote, InterconnectStatus,
};
use crate::directory::access::{Act, Actor, Object, Reach, permits, reach};
use crate::directory::guard::{email, out_of_reach, text};
use crate::directory::model::{Page, Paged, TradingPartner};
use crate::policy::RequireInterconnect;
use crate::service::{Core, internal};
use crate::sessions::Caller;

/// A new interconnect as `InterconnectAdd` and REST `POST /v2/partners` ask for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InterconnectRequest {
    /// The requester's ID (managed by the caller) and the partner's.
    pub ecgrid_id1: EcGridId,
    pub ecgrid_id2: EcGridId,
    pub reference: String,
    pub contact_name: String,
    pub contact_email: String,
    /// Complete it at once when the caller also manages the partner's ID.
    pub preconfirm: bool,
    pub note: String,
}

/// Which interconnects a list or count covers, as the caller names them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InterconnectScope {
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    pub ecgrid_id: Option<EcGridId>,
    pub pair: Option<(EcGridId, EcGridId)>,
    pub status: Option<InterconnectStatus>,
    /// Created in the last this many days; 0 or less: any.
    pub max_days: i32,
}

/// A GUID (version 4) for `UniqueID`.
fn new_guid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn reads(actor: &Actor, p: &TradingPartner) -> bool {
    permits(
        actor,
        Act::Read,
        Object::Partner(p.network_id, p.mailbox_id),
    )
}

fn manages(actor: &Actor, p: &TradingPartner) -> bool {
    permits(
        actor,
        Act::Change,
        Object::Partner(p.network_id, p.mailbox_id),
    )
}

impl Core {
    async fn side(&self, id: EcGridId) -> Result<Option<TradingPartner>, Error> {
        self.inner.store.partner(id).await.map_err(internal)
    }

    /// An interconnect with both its sides, if the caller may read either side.
    async fn readable_interconnect(
        &self,
        actor: &Actor,
        found: Option<Interconnect>,
        param: &str,
        id: &str,
    ) -> Result<(Interconnect, Option<TradingPartner>, Option<TradingPartner>), Error> {
        let Some(found) = found else {
            return Err(if actor.is_operator() {
                Error::not_found(param)
            } else {
                out_of_reach(param, id)
            });
        };
        let one = self.side(found.ecgrid_id1).await?;
        let two = self.side(found.ecgrid_id2).await?;
        if one.iter().chain(two.iter()).any(|p| reads(actor, p)) {
            Ok((found, one, two))
        } else {
            Err(out_of_reach(param, id))
        }
    }

    pub async fn interconnect_add(
        &self,
        caller: &Caller,
        request: InterconnectRequest,
    ) -> Result<Interconnect, Error> {
        let actor = self.actor(caller).await?;
        let reference = text(&request.reference, "Reference")?;
        let contact_name = text(&request.contact_name, "ContactName")?;
        let contact_email = email(&request.contact_email, "ContactEMail")?;
        let note = text(&request.note, "Note")?;
        let one = match self.side(request.ecgrid_id1).await? {
            Some(p) if reads(&actor, &p) => p,
            None if actor.is_operator() => return Err(Error::not_found("ECGridID1")),
            _ => return Err(out_of_reach("ECGridID1", request.ecgrid_id1)),
        };
        crate::directory::guard::require(
            &actor,
            Act::Change,
            Object::Partner(one.network_id, one.mailbox_id),
        )?;
        if one.status != UserStatus::Active {
            return Err(Error::invalid(
                "ECGridID1",
                ParamProblem::Value,
                format!(
                    "ECGridID {} is {}",
                    one.ecgrid_id,
                    one.status.as_str().to_ascii_lowercase()
                ),
            ));
        }
        let two = match self.side(request.ecgrid_id2).await? {
            Some(p) if p.status != UserStatus::Terminated => p,
            _ => return Err(Error::not_found("ECGridID2")),
        };
        if one.ecgrid_id == two.ecgrid_id {
            return Err(Error::invalid(
                "ECGridID2",
                ParamProblem::Value,
                "an interconnect joins two different IDs",
            ));
        }
        let existing = self
            .inner
            .store
            .list_interconnects(
                &InterconnectFilter {
                    pair: Some((one.ecgrid_id, two.ecgrid_id)),
                    ..InterconnectFilter::default()
                },
                Page::first(100),
            )
            .await
            .map_err(internal)?;
        let now = self.now();
        for i in &existing.items {
            if i.status == InterconnectStatus::Completed {
                return Err(Error::invalid(
                    "ECGridID2",
                    ParamProblem::Value,
                    format!(
                        "interconnect {} already joins ECGridIDs {} and {}",
                        i.id, one.ecgrid_id, two.ecgrid_id
                    ),
                ));
            }
            if i.status.is_open() && i.ecgrid_id1 == two.ecgrid_id {
                // The partner asked first: this request is the partner side's acceptance.
                return self.complete(&actor, i.clone(), &note, now).await;
            }
            if i.status.is_open() {
                return Err(Error::invalid(
                    "ECGridID2",
                    ParamProblem::Value,
                    format!(
                        "interconnect {} between ECGridIDs {} and {} is already pending",
                        i.id, one.ecgrid_id, two.ecgrid_id
                    ),
                ));
            }
        }
        let completed = request.preconfirm && manages(&actor, &two);
        let interconnect = Interconnect {
            id: 0,
            unique_id: new_guid(),
            ecgrid_id1: one.ecgrid_id,
            ecgrid_id2: two.ecgrid_id,
            reference1: reference,
            reference2: String::new(),
            contact_name,
            contact_email,
            requested_by: actor.user,
            accepted_by: if completed {
                actor.user
            } else {
                edigrid_domain::UserId(0)
            },
            status: if completed {
                InterconnectStatus::Completed
            } else {
                InterconnectStatus::Pending
            },
            created: now,
            modified: now,
            completed: completed.then_some(now),
        };
        let first = InterconnectNote {
            id: 0,
            interconnect_id: 0,
            at: now,
            status: interconnect.status,
            posted_by: format!("user {}", actor.user),
            user_id: actor.user,
            mail_to: String::new(),
            note: if note.is_empty() {
                format!(
                    "requested by ECGridID {} for ECGridID {}",
                    one.ecgrid_id, two.ecgrid_id
                )
            } else {
                note
            },
            attachment_name: String::new(),
            attachment: None,
        };
        let id = self
            .inner
            .store
            .insert_interconnect(&interconnect, &first)
            .await
            .map_err(internal)?;
        tracing::info!(interconnect = id, from = %one.ecgrid_id, to = %two.ecgrid_id, status = %interconnect.status, by = %actor.user, "interconnect requested");
        Ok(Interconnect { id, ..interconnect })
    }

    /// The partner side's acceptance of a pending interconnect.
    async fn complete(
        &self,
        actor: &Actor,
        pending: Interconnect,
        note: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Interconnect, Error> {
        let note = if note.is_empty() {
            format!("accepted by ECGridID {}", pending.ecgrid_id2)
        } else {
            note.to_string()
        };
        let change = status_change(actor, &pending, InterconnectStatus::Completed, now, note);
        self.apply_interconnect_change(&change).await?;
        tracing::info!(interconnect = pending.id, by = %actor.user, "interconnect accepted");
        Ok(Interconnect {
            status: InterconnectStatus::Completed,
            accepted_by: actor.user,
            modified: now,
            completed: Some(now),
            ..pending
        })
    }

    async fn apply_interconnect_change(&self, change: &InterconnectChange) -> Result<(), Error> {
        let applied = self
            .inner
            .store
            .change_interconnect(change)
            .await
            .map_err(internal)?;
        if !applied {
            return Err(Error::invalid(
                "InterconnectID",
                ParamProblem::Value,
                format!(
                    "interconnect {} changed meanwhile; read it again",
                    change.id
                ),
            ));
        }
        Ok(())
    }

    /// Either side cancels (whoever manages one of its IDs); canceled is final.
    pub async fn interconnect_cancel(
        &self,
        caller: &Caller,
        id: i32,
        note: &str,
    ) -> Result<Interconnect, Error> {
        let actor = self.actor(caller).await?;
        let note = text(note, "Note")?;
        let found = self.inner.store.interconnect(id).await.map_err(internal)?;
        let (found, one, two) = self
            .readable_interconnect(&actor, found, "InterconnectID", &id.to_string())
            .await?;
        if !one.iter().chain(two.iter()).any(|p| manages(&actor, p)) {
            return Err(Error::AccessDenied(format!(
                "{} may not cancel interconnect {id}: it manages neither side's ID",
                actor.level
            )));
        }
        if found.status == InterconnectStatus::Canceled {
            return Err(Error::invalid(
                "InterconnectID",
                ParamProblem::Value,
                format!("interconnect {id} is already canceled"),
            ));
        }
        let now = self.now();
        let note = if note.is_empty() {
            "canceled".into()
        } else {
            note
        };
        let change = status_change(&actor, &found, InterconnectStatus::Canceled, now, note);
        self.apply_interconnect_change(&change).await?;
        tracing::info!(interconnect = id, by = %actor.user, "interconnect canceled");
        Ok(Interconnect {
            status: InterconnectStatus::Canceled,
            modified: now,
            ..found
        })
    }

    /// Sets an interconnect's status (documented `InterconnectUpdate`). `Completed` is the
    /// partner side's acceptance (whoever manages the partner's ID); `Canceled` cancels it
    /// (either side); the waiting states (`Delayed`, `Problem`, `AuthorizationRequired`)
    /// hold traffic on an interconnect that is not canceled (either side), and `Completed`
    /// opens it again. Nothing goes back to `Pending`. Setting the status it has changes
    /// nothing.
    pub async fn interconnect_set_status(
        &self,
        caller: &Caller,
        id: i32,
        to: InterconnectStatus,
    ) -> Result<Interconnect, Error> {
        if to == InterconnectStatus::Canceled {
            return self.interconnect_cancel(caller, id, "").await;
        }
        let actor = self.actor(caller).await?;
        let found = self.inner.store.interconnect(id).await.map_err(internal)?;
        let (found, one, two) = self
            .readable_interconnect(&actor, found, "InterconnectID", &id.to_string())
            .await?;
        if found.status == InterconnectStatus::Canceled {
            return Err(Error::invalid(
                "InterconnectID",
                ParamProblem::Value,
                format!("interconnect {id} is canceled"),
            ));
        }
        if to == InterconnectStatus::Pending {
            return Err(Error::invalid(
                "Status",
                ParamProblem::Value,
                "an interconnect does not go back to waiting for its partner",
            ));
        }
        let partner_side = two.iter().any(|p| manages(&actor, p));
        if to == InterconnectStatus::Completed && found.status == InterconnectStatus::Pending {
            if !partner_side {
                return Err(Error::AccessDenied(format!(
                    "{} may not accept interconnect {id}: only the partner's side (ECGridID {}) accepts it",
                    actor.level, found.ecgrid_id2
                )));
            }
            return self.complete(&actor, found, "", self.now()).await;
        }
        if !partner_side && !one.iter().any(|p| manages(&actor, p)) {
            return Err(Error::AccessDenied(format!(
                "{} may not change interconnect {id}: it manages neither side's ID",
                actor.level
            )));
        }
        if found.status == to {
            return Ok(found);
        }
        let now = self.now();
        let note = format!("status set to {}", to.as_str());
        let change = status_change(&actor, &found, to, now, note);
        self.apply_interconnect_change(&change).await?;
        tracing::info!(interconnect = id, to = %to, by = %actor.user, "interconnect status set");
        Ok(Interconnect {
            status: to,
            modified: now,
            completed: if to == InterconnectStatus::Completed {
                Some(now)
            } else {
                found.completed
            },
            ..found
        })
    }

    pub async fn interconnect_info(&self, caller: &Caller, id: i32) -> Result<Interconnect, Error> {
        let actor = self.actor(caller).await?;
        let found = self.inner.store.interconnect(id).await.map_err(internal)?;
        Ok(self
            .readable_interconnect(&actor, found, "InterconnectID", &id.to_string())
            .await?
            .0)
    }

    pub async fn interconnect_info_by_guid(
        &self,
        caller: &Caller,
        unique_id: &str,
    ) -> Result<Interconnect, Error> {
        let actor = self.actor(caller).await?;
        let found = self
            .inner
            .store
            .interconnect_by_unique_id(unique_id.trim())
            .await
            .map_err(internal)?;
        Ok(self
            .readable_interconnect(&actor, found, "UniqueID", "this GUID")
            .await?
            .0)
    }

    /// Adds a note (either side's managers); its number.
    pub async fn interconnect_note_add(
        &self,
        caller: &Caller,
        id: i32,
        note: &str,
        attachment: Option<(String, Vec<u8>)>,
        mail_to: &str,
    ) -> Result<i32, Error> {
        let actor = self.actor(caller).await?;
        let text_note = text(note, "Note")?;
        if text_note.is_empty() && attachment.is_none() {
            return Err(Error::invalid("Note", ParamProblem::Value, "is empty"));
        }
        let found = self.inner.store.interconnect(id).await.map_err(internal)?;
        let (found, one, two) = self
            .readable_interconnect(&actor, found, "InterconnectID", &id.to_string())
            .await?;
        if !one.iter().chain(two.iter()).any(|p| manages(&actor, p)) {
            return Err(Error::AccessDenied(format!(
                "{} may not add notes to interconnect {id}",
                actor.level
            )));
        }
        let (attachment_name, attachment) = match attachment {
            Some((name, bytes)) => (text(&name, "AttachmentName")?, Some(bytes)),
            None => (String::new(), None),
        };
        let note = InterconnectNote {
            id: 0,
            interconnect_id: id,
            at: self.now(),
            status: found.status,
            posted_by: format!("user {}", actor.user),
            user_id: actor.user,
            mail_to: mail_to.to_string(),
            note: text_note,
            attachment_name,
            attachment,
        };
        self.inner
            .store
            .add_interconnect_note(&note)
            .await
            .map_err(internal)
    }

    pub async fn interconnect_notes(
        &self,
        caller: &Caller,
        id: i32,
    ) -> Result<Vec<InterconnectNote>, Error> {
        let actor = self.actor(caller).await?;
        let found = self.inner.store.interconnect(id).await.map_err(internal)?;
        self.readable_interconnect(&actor, found, "InterconnectID", &id.to_string())
            .await?;
        self.inner
            .store
            .interconnect_notes(id)
            .await
            .map_err(internal)
    }

    /// The store filter of a scope, narrowed to the caller's reach.
    async fn interconnect_filter(
        &self,
        actor: &Actor,
        scope: InterconnectScope,
    ) -> Result<InterconnectFilter, Error> {
        let mut filter = InterconnectFilter {
            status: scope.status,
            since: (scope.max_days > 0)
                .then(|| self.now() - Duration::days(i64::from(scope.max_days))),
            ..InterconnectFilter::default()
        };
        if let Some(id) = scope.ecgrid_id.filter(|i| i.0 != 0) {
            match self.side(id).await? {
                Some(p) if reads(actor, &p) => filter.ecgrid_ids = vec![id],
                None if actor.is_operator() => return Err(Error::not_found("ECGridID")),
                _ => return Err(out_of_reach("ECGridID", id)),
            }
        }
        if let Some((a, b)) = scope.pair {
            let mut any = false;
            for id in [a, b] {
                if let Some(p) = self.side(id).await? {
                    any |= reads(actor, &p);
                }
            }
            if !any {
                return Err(out_of_reach("ECGridID1", a));
            }
            filter.pair = Some((a, b));
        }
        if filter.ecgrid_ids.is_empty() && filter.pair.is_none() {
            match reach(actor) {
                Reach::All => {
                    filter.network = scope.network.filter(|n| n.0 != 0);
                    filter.mailbox = scope.mailbox.filter(|m| m.0 != 0);
                }
                Reach::Network(n) => {
                    if scope.network.is_some_and(|s| s.0 != 0 && s != n) {
                        return Err(out_of_reach("NetworkID", scope.network.unwrap_or(n)));
                    }
                    filter.network = Some(n);
                    filter.mailbox = scope.mailbox.filter(|m| m.0 != 0);
                }
                Reach::Mailbox(_, m) => {
                    if scope.mailbox.is_some_and(|s| s.0 != 0 && s != m) {
                        return Err(out_of_reach("MailboxID", scope.mailbox.unwrap_or(m)));
                    }
                    filter.mailbox = Some(m);
                }
                Reach::OwnUser => {
                    return Err(Error::AccessDenied(format!(
                        "{} may not read interconnects",
                        actor.level
                    )));
                }
            }
        }
        Ok(filter)
    }

    pub async fn interconnect_list(
        &self,
        caller: &Caller,
        scope: InterconnectScope,
        page: Page,
    ) -> Result<Paged<Interconnect>, Error> {
        let actor = self.actor(caller).await?;
        let filter = self.interconnect_filter(&actor, scope).await?;
        self.inner
            .store
            .list_interconnects(&filter, page)
            .await
            .map_err(internal)
    }

    /// How many per status.
    pub async fn interconnect_count(
        &self,
        caller: &Caller,
        scope: InterconnectScope,
    ) -> Result<Vec<(InterconnectStatus, u64)>, Error> {
        let actor = self.actor(caller).await?;
        let filter = self.interconnect_filter(&actor, scope).await?;
        self.inner
            .store
            .count_interconnects(&filter)
            .await
            .map_err(internal)
    }

    /// Why an interchange from `from` to `to` may not route for want of an interconnect
    /// (SPEC-VAN 20); `None` when it may. Reads the store only when one is required.
    pub(crate) async fn interconnect_refusal(
        &self,
        from: &TradingPartner,
        to: &TradingPartner,
    ) -> Result<Option<String>, Error> {
        if from.ecgrid_id == to.ecgrid_id {
            return Ok(None);
        }
        let policy = self.parcels.require_interconnect;
        let why = if from.van || to.van {
            "an ID registered for another VAN is reached only through an interconnect"
        } else {
            match policy {
                RequireInterconnect::Never => return Ok(None),
                RequireInterconnect::CrossNetwork if from.network_id == to.network_id => {
                    return Ok(None);
                }
                RequireInterconnect::CrossNetwork => {
                    "IDs of different networks route only over an interconnect"
                }
                RequireInterconnect::Always => "every route needs an interconnect here",
            }
        };
        let linked = self
            .inner
            .store
            .interconnected(from.ecgrid_id, to.ecgrid_id)
            .await
            .map_err(internal)?;
        if linked {
            return Ok(None);
        }
        Ok(Some(format!(
            "no route: no completed interconnect between ECGridID {} (network {}) and ECGridID {} \
             (network {}); {why}",
            from.ecgrid_id, from.network_id, to.ecgrid_id, to.network_id
        )))
    }
}

/// A compare-and-set from the interconnect's present status to `to`, by the actor, with the
/// note that records it.
fn status_change(
    actor: &Actor,
    found: &Interconnect,
    to: InterconnectStatus,
    at: chrono::DateTime<chrono::Utc>,
    note: String,
) -> InterconnectChange {
    InterconnectChange {
        id: found.id,
        from: vec![found.status],
        to,
        by: actor.user,
        at,
        note: InterconnectNote {
            id: 0,
            interconnect_id: found.id,
            at,
            status: to,
            posted_by: format!("user {}", actor.user),
            user_id: actor.user,
            mail_to: String::new(),
            note,
            attachment_name: String::new(),
            attachment: None,
        },
    }
}
