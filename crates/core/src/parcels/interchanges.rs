//! Interchanges on their own (SPEC-VAN 16, 17): one with its manifest, the lists of a
//! mailbox's uploaded or delivered interchanges, and withdrawing or resending one. An
//! interchange is seen by whoever sees the parcel it was uploaded in or delivered in.

use edigrid_domain::{
    Direction, Error, InterchangeId, InterchangeStatus, ParamProblem, ParcelId, ParcelState,
};

use edigrid_edi::read_parcel;

use super::access::{Need, may, refused, sees};
use super::api::{DownloadMode, InterchangeQuery};
use super::lists::check_page;
use super::model::{Interchange, InterchangeFilter, ManifestEntry, Parcel};
use super::routing::field_text;
use crate::directory::access::Actor;
use crate::directory::guard::out_of_reach;
use crate::directory::model::Paged;
use crate::service::{Core, internal};
use crate::sessions::Caller;

impl Core {
    /// An interchange, and the parcel through which the actor reaches it for `need`: the
    /// inbound parcel it is in when the actor reaches that, else its outbound parcel.
    async fn interchange_as(
        &self,
        actor: &Actor,
        id: InterchangeId,
        need: Need,
    ) -> Result<(Interchange, Parcel), Error> {
        let store = &self.inner.store;
        let hidden = || {
            if actor.is_operator() {
                Error::not_found("InterchangeID")
            } else {
                out_of_reach("InterchangeID", id)
            }
        };
        let Some(ic) = store.interchange(id).await.map_err(internal)? else {
            return Err(hidden());
        };
        let mut refusal = None;
        for parcel in [ic.inbound, Some(ic.outbound)].into_iter().flatten() {
            let Some(p) = store.parcel(parcel).await.map_err(internal)? else {
                continue;
            };
            if !sees(actor, &p) {
                continue;
            }
            if may(actor, &p, need) {
                return Ok((ic, p));
            }
            refusal.get_or_insert_with(|| refused(actor, &p, need));
        }
        Err(refusal.unwrap_or_else(hidden))
    }

    pub async fn interchange_info(
        &self,
        caller: &Caller,
        id: InterchangeId,
    ) -> Result<Interchange, Error> {
        let actor = self.actor(caller).await?;
        Ok(self.interchange_as(&actor, id, Need::Record).await?.0)
    }

    /// An interchange's own bytes as the caller may read them, changing no parcel: from its
    /// upload at its byte range when the caller may read the upload, else from the delivery
    /// it is in, found there by its control number (a delivery may have been re-delimited,
    /// so the upload's range does not apply to it). Without either, the upload's refusal.
    pub async fn interchange_content(
        &self,
        caller: &Caller,
        ix: &Interchange,
    ) -> Result<Vec<u8>, Error> {
        let refused = match self
            .parcel_download(caller, ix.outbound, DownloadMode::NoUpdate)
            .await
        {
            Ok(upload) => {
                let start = usize::try_from(ix.offset).unwrap_or(usize::MAX);
                let end = start.saturating_add(usize::try_from(ix.length).unwrap_or(0));
                return upload
                    .content
                    .get(start..end)
                    .map(<[u8]>::to_vec)
                    .ok_or_else(|| {
                        tracing::error!(
                            interchange = ix.id.0,
                            "interchange range outside its upload"
                        );
                        Error::Internal
                    });
            }
            Err(e) => e,
        };
        let Some(inbound) = ix.inbound else {
            return Err(refused);
        };
        let delivery = self
            .parcel_download(caller, inbound, DownloadMode::NoUpdate)
            .await?
            .content;
        let found = read_parcel(&delivery)
            .interchanges
            .into_iter()
            .find(|i| field_text(&i.control_number) == ix.control_number);
        found
            .and_then(|i| delivery.get(i.range))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| {
                tracing::error!(
                    interchange = ix.id.0,
                    "interchange not found in its delivery"
                );
                Error::Internal
            })
    }

    pub async fn interchange_list(
        &self,
        caller: &Caller,
        query: InterchangeQuery,
    ) -> Result<Paged<Interchange>, Error> {
        let actor = self.actor(caller).await?;
        let page = check_page(query.page)?;
        if query.direction == Direction::NoDir {
            return Err(Error::invalid(
                "Direction",
                ParamProblem::Value,
                "must be InBox or OutBox",
            ));
        }
        let (network, mailbox) = self.box_scope(&actor, query.network, query.mailbox).await?;
        let mut parcel_states = Vec::new();
        if query.pending_only {
            parcel_states.push(ParcelState::InBoxReady);
        }
        if query.archived_only {
            parcel_states.push(ParcelState::InBoxArchived);
        }
        let filter = InterchangeFilter {
            direction: query.direction,
            network,
            mailbox,
            statuses: if query.no_route_only {
                vec![InterchangeStatus::NoRoute]
            } else {
                Vec::new()
            },
            parcel_states,
            ecgrid_from: query.ecgrid_from.filter(|e| e.0 != 0),
            ecgrid_to: query.ecgrid_to.filter(|e| e.0 != 0),
            since: query.since,
            until: query.until,
            newest_first: query.archived_only,
        };
        self.inner
            .store
            .list_interchanges(&filter, page)
            .await
            .map_err(internal)
    }

    /// The manifest entries about one interchange, oldest first.
    pub async fn interchange_manifest(
        &self,
        caller: &Caller,
        id: InterchangeId,
    ) -> Result<Vec<ManifestEntry>, Error> {
        let actor = self.actor(caller).await?;
        let (ic, _) = self.interchange_as(&actor, id, Need::Record).await?;
        let all = self
            .inner
            .store
            .manifest(ic.outbound)
            .await
            .map_err(internal)?;
        Ok(all
            .into_iter()
            .filter(|e| e.interchange_id == Some(id))
            .collect())
    }

    /// Withdraws one interchange not downloaded yet, by cancelling the inbound parcel that
    /// holds it (receiver or sender). A parcel holding other interchanges too is refused:
    /// cancel the parcel.
    pub async fn interchange_cancel(
        &self,
        caller: &Caller,
        id: InterchangeId,
    ) -> Result<Interchange, Error> {
        let actor = self.actor(caller).await?;
        let (ic, reached) = self.interchange_as(&actor, id, Need::Work).await?;
        let Some(inbound) = ic
            .inbound
            .filter(|_| ic.status == InterchangeStatus::Delivered)
        else {
            return Err(Error::invalid(
                "InterchangeID",
                ParamProblem::Value,
                format!(
                    "interchange {id} is {}: there is no delivery to withdraw",
                    ic.status
                ),
            ));
        };
        let parcel = self.reread(inbound).await?;
        if parcel.interchange_count > 1 {
            return Err(Error::invalid(
                "InterchangeID",
                ParamProblem::Value,
                format!("interchange {id} shares parcel {inbound} with others; cancel the parcel"),
            ));
        }
        let by = if reached.direction == Direction::InBox {
            "Cancelled by the receiver"
        } else {
            "Cancelled by the sender"
        };
        self.transition(
            &actor,
            &parcel,
            (&[ParcelState::InBoxReady], ParcelState::Cancelled),
            &format!("Interchange {id}: {by}"),
            |c| c.interchanges_to = Some(InterchangeStatus::Cancelled),
        )
        .await?;
        self.inner
            .store
            .interchange(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| Error::not_found("InterchangeID"))
    }

    /// Delivers one interchange again as a new inbound parcel (NetOps and up).
    pub async fn interchange_resend(
        &self,
        caller: &Caller,
        id: InterchangeId,
    ) -> Result<ParcelId, Error> {
        let actor = self.actor(caller).await?;
        let (ic, _) = self.interchange_as(&actor, id, Need::Operate).await?;
        if ic.mailbox_to.0 == 0 || ic.inbound.is_none() {
            return Err(Error::invalid(
                "InterchangeID",
                ParamProblem::Value,
                format!("interchange {id} was never delivered ({})", ic.status),
            ));
        }
        let made = self.redeliver(&actor, std::slice::from_ref(&ic)).await?;
        made.first().copied().ok_or(Error::Internal)
    }
}
