//! Reading parcels (SPEC-VAN 17, 19): the named views of a box, one parcel with its
//! interchanges and manifest, and the mailbag control ID search.

use edigrid_domain::{Direction, Error, MailboxId, NetworkId, ParamProblem, ParcelId, ParcelState};

use super::access::Need;
use super::api::{ParcelDetail, ParcelQuery, ParcelView};
use super::model::{Parcel, ParcelFilter};
use crate::directory::access::Actor;
use crate::directory::model::{MAX_PAGE_SIZE, Page, Paged};
use crate::service::{Core, internal};
use crate::sessions::Caller;

/// A view's side, its own states (empty = any), and whether it lists newest first.
pub(crate) fn view_shape(view: ParcelView) -> (Direction, &'static [ParcelState], bool) {
    match view {
        ParcelView::InBox => (Direction::InBox, &[ParcelState::InBoxReady], false),
        ParcelView::InBoxAll => (Direction::InBox, &[], false),
        ParcelView::InBoxArchive => (Direction::InBox, &[ParcelState::InBoxArchived], true),
        ParcelView::OutBoxInProcess => (Direction::OutBox, &[ParcelState::OutBoxSent], false),
        ParcelView::OutBoxArchive => (Direction::OutBox, &[], true),
        ParcelView::OutBoxError => (Direction::OutBox, &[ParcelState::OutBoxDeliveryError], true),
    }
}

/// The states a query lists: those it names (each of the view's side, or `Cancelled`),
/// else the view's own.
pub(crate) fn view_states(
    view: ParcelView,
    asked: &[ParcelState],
) -> Result<Vec<ParcelState>, Error> {
    let (direction, own, _) = view_shape(view);
    if asked.is_empty() {
        return Ok(own.to_vec());
    }
    if let Some(wrong) = asked
        .iter()
        .find(|s| **s != ParcelState::Cancelled && s.direction() != direction)
    {
        return Err(Error::invalid(
            "Status",
            ParamProblem::Value,
            format!("{wrong} is not a state of the {direction}"),
        ));
    }
    Ok(asked.to_vec())
}

pub(crate) fn check_page(page: Page) -> Result<Page, Error> {
    if page.number == 0 {
        return Err(Error::invalid(
            "PageNo",
            ParamProblem::Value,
            "must be 1 or more",
        ));
    }
    if page.size == 0 || page.size > MAX_PAGE_SIZE {
        return Err(Error::invalid(
            "RecordsPerPage",
            ParamProblem::Value,
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    Ok(page)
}

impl Core {
    /// Whose boxes a list shows: the named mailbox or network (authority required), else
    /// the caller's own mailbox; the operator at the console, naming none, sees all.
    pub(crate) async fn box_scope(
        &self,
        actor: &Actor,
        network: Option<NetworkId>,
        mailbox: Option<MailboxId>,
    ) -> Result<(Option<NetworkId>, Option<MailboxId>), Error> {
        if network.is_none() && mailbox.is_none() {
            if actor.user.0 == 0 && actor.is_operator() {
                return Ok((None, None));
            }
            if actor.mailbox.0 != 0 {
                return self
                    .list_scope(actor, Some(actor.network), Some(actor.mailbox))
                    .await;
            }
            return self.list_scope(actor, Some(actor.network), None).await;
        }
        self.list_scope(actor, network, mailbox).await
    }

    pub async fn parcel_list(
        &self,
        caller: &Caller,
        query: ParcelQuery,
    ) -> Result<Paged<Parcel>, Error> {
        let actor = self.actor(caller).await?;
        let page = check_page(query.page)?;
        let states = view_states(query.view, &query.states)?;
        let (network, mailbox) = self.box_scope(&actor, query.network, query.mailbox).await?;
        let (direction, _, newest_first) = view_shape(query.view);
        let filter = ParcelFilter {
            direction,
            network,
            mailbox,
            states,
            ecgrid_from: query.ecgrid_from.filter(|e| e.0 != 0),
            ecgrid_to: query.ecgrid_to.filter(|e| e.0 != 0),
            since: query.since,
            until: query.until,
            mailbag_control_id: query.mailbag_control_id.filter(|m| !m.trim().is_empty()),
            newest_first,
        };
        self.inner
            .store
            .list_parcels(&filter, page)
            .await
            .map_err(internal)
    }

    pub async fn parcel_info(&self, caller: &Caller, id: ParcelId) -> Result<ParcelDetail, Error> {
        let actor = self.actor(caller).await?;
        let parcel = self.parcel_as(&actor, id, Need::Record).await?;
        let store = &self.inner.store;
        let interchanges = store.parcel_interchanges(id).await.map_err(internal)?;
        let manifest = store.manifest(id).await.map_err(internal)?;
        Ok(ParcelDetail {
            parcel,
            interchanges,
            manifest,
        })
    }

    /// Parcels of a box with that mailbag control ID (`ParcelFindMailbagControlID`: the
    /// caller's outbox; `...To` and REST: the inbox), newest first, at most a page's worth.
    pub async fn parcel_find_mailbag_control_id(
        &self,
        caller: &Caller,
        direction: Direction,
        network: Option<NetworkId>,
        mailbox: Option<MailboxId>,
        control_id: &str,
    ) -> Result<Vec<Parcel>, Error> {
        let actor = self.actor(caller).await?;
        let control_id = control_id.trim();
        if control_id.is_empty() {
            return Err(Error::invalid(
                "MailbagControlID",
                ParamProblem::Value,
                "is empty",
            ));
        }
        if direction == Direction::NoDir {
            return Err(Error::invalid(
                "Direction",
                ParamProblem::Value,
                "must be InBox or OutBox",
            ));
        }
        let (network, mailbox) = self.box_scope(&actor, network, mailbox).await?;
        let filter = ParcelFilter {
            mailbag_control_id: Some(control_id.to_string()),
            network,
            mailbox,
            newest_first: true,
            ..ParcelFilter::of(direction, NetworkId(0), MailboxId(0))
        };
        let found = self
            .inner
            .store
            .list_parcels(&filter, Page::first(MAX_PAGE_SIZE))
            .await
            .map_err(internal)?;
        Ok(found.items)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn each_view_has_its_side_states_and_order() {
        assert_eq!(
            view_shape(ParcelView::InBox),
            (Direction::InBox, &[ParcelState::InBoxReady][..], false)
        );
        assert_eq!(
            view_shape(ParcelView::InBoxArchive),
            (Direction::InBox, &[ParcelState::InBoxArchived][..], true)
        );
        assert_eq!(
            view_shape(ParcelView::OutBoxInProcess),
            (Direction::OutBox, &[ParcelState::OutBoxSent][..], false)
        );
        assert_eq!(
            view_shape(ParcelView::OutBoxArchive),
            (Direction::OutBox, &[][..], true)
        );
        assert_eq!(
            view_shape(ParcelView::OutBoxError),
            (
                Direction::OutBox,
                &[ParcelState::OutBoxDeliveryError][..],
                true
            )
        );
        assert_eq!(
            view_shape(ParcelView::InBoxAll),
            (Direction::InBox, &[][..], false)
        );
    }

    #[test]
    fn a_query_narrows_states_within_its_side() {
        assert_eq!(
            view_states(ParcelView::InBox, &[]).unwrap(),
            vec![ParcelState::InBoxReady]
        );
        let asked = [ParcelState::InBoxTransferred, ParcelState::Cancelled];
        assert_eq!(
            view_states(ParcelView::InBox, &asked).unwrap(),
            asked.to_vec()
        );
        let wrong = view_states(ParcelView::InBoxAll, &[ParcelState::OutBoxSent]).unwrap_err();
        assert!(wrong.to_string().contains("Status"), "{wrong}");
    }

    #[test]
    fn pages_are_bounded() {
        assert!(check_page(Page::first(500)).is_ok());
        assert!(check_page(Page::first(501)).is_err());
        assert!(check_page(Page::first(0)).is_err());
        assert!(check_page(Page { number: 0, size: 5 }).is_err());
    }
}
