//! Networks: their records, settings, status and contacts (SPEC-VAN 13).

use edigrid_domain::{
    ContactType, Error, NetworkId, UserId, UserStatus, WebsiteType, X12Delimiters,
    parse_required_text,
};

use super::access::{Act, Object, Reach, reach};
use super::guard::{
    change_email, change_text, email, given_or_assigned, not_terminated, out_of_reach,
    own_user_only, require, store_failed, text,
};
use super::model::{Address, Network, NetworkFilter, Page, Paged};
use crate::service::{Core, internal};
use crate::sessions::Caller;
use crate::store::User;

/// A new network (documented `NetworkAdd`, CLI `network add`).
#[derive(Debug, Clone, Default)]
pub struct NetworkCreateRequest {
    /// The operator's number for it, or `NetworkId(0)` to have the next free one assigned.
    pub id: NetworkId,
    pub name: String,
    pub unique_id: String,
    pub location: String,
    pub address: Address,
    pub phone: String,
    pub admin_email: String,
}

/// Changes of a postal address; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AddressChanges {
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
}

impl AddressChanges {
    pub(crate) fn apply(&self, address: &mut Address) -> Result<(), Error> {
        change_text(&mut address.address1, self.address1.as_deref(), "Address1")?;
        change_text(&mut address.address2, self.address2.as_deref(), "Address2")?;
        change_text(&mut address.city, self.city.as_deref(), "City")?;
        change_text(&mut address.state, self.state.as_deref(), "State")?;
        change_text(&mut address.zip, self.zip.as_deref(), "Zip")?;
        change_text(&mut address.country, self.country.as_deref(), "Country")
    }
}

/// Changes of a network's record (deployed and documented `NetworkUpdate`, REST
/// `PUT /v2/networks`); `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct NetworkChanges {
    pub name: Option<String>,
    pub unique_id: Option<String>,
    pub location: Option<String>,
    pub address: AddressChanges,
    pub phone: Option<String>,
    pub admin_email: Option<String>,
    pub home_website: Option<String>,
}

impl Core {
    /// One network's record.
    pub async fn network_info(
        &self,
        caller: &Caller,
        network: NetworkId,
    ) -> Result<Network, Error> {
        let actor = self.actor(caller).await?;
        self.network_for(&actor, network, Act::Read).await
    }

    /// One page of the networks the caller may read, by NetworkID.
    pub async fn network_list(
        &self,
        caller: &Caller,
        filter: NetworkFilter,
        page: Page,
    ) -> Result<Paged<Network>, Error> {
        let filter = self.network_scope(caller, filter).await?;
        self.inner
            .store
            .list_networks(&filter, page)
            .await
            .map_err(internal)
    }

    /// The page [`Core::network_list`] gives, without the total: for an answer that shows
    /// none, so that the store does not count every network that matches.
    pub async fn network_page(
        &self,
        caller: &Caller,
        filter: NetworkFilter,
        page: Page,
    ) -> Result<Vec<Network>, Error> {
        let filter = self.network_scope(caller, filter).await?;
        self.inner
            .store
            .network_page(&filter, page)
            .await
            .map_err(internal)
    }

    /// The filter narrowed to what the caller may read (refused when it names a network out
    /// of reach, or for a caller who sees only themselves).
    async fn network_scope(
        &self,
        caller: &Caller,
        mut filter: NetworkFilter,
    ) -> Result<NetworkFilter, Error> {
        let actor = self.actor(caller).await?;
        match reach(&actor) {
            // A named network is an object: inside an operator's reach a missing one is
            // NotFound, as for the other lists filtered by network.
            Reach::All => {
                if let Some(named) = filter.network {
                    let exists = self.inner.store.network(named).await.map_err(internal)?;
                    if exists.is_none() {
                        return Err(Error::not_found("NetworkID"));
                    }
                }
            }
            Reach::Network(own) | Reach::Mailbox(own, _) => match filter.network {
                Some(named) if named != own => return Err(out_of_reach("NetworkID", named)),
                _ => filter.network = Some(own),
            },
            Reach::OwnUser => return Err(own_user_only(&actor)),
        }
        Ok(filter)
    }

    /// Creates a network (Root and TechOps only) and returns it with its number.
    pub async fn network_create(
        &self,
        caller: &Caller,
        request: NetworkCreateRequest,
    ) -> Result<Network, Error> {
        given_or_assigned(request.id.0, "NetworkID")?;
        let mut network = Network::new(
            request.id,
            parse_required_text(&request.name, "Name")?,
            self.inner.clock.now(),
        );
        network.unique_id = text(&request.unique_id, "UniqueID")?;
        network.location = text(&request.location, "Location")?;
        network.address = checked_address(&request.address)?;
        network.phone = text(&request.phone, "Phone")?;
        network.admin_email = email(&request.admin_email, "AdminEmail")?;
        let actor = self.actor(caller).await?;
        require(&actor, Act::Create, Object::Network(request.id))?;
        let store = &self.inner.store;
        network.id = store.insert_network(&network).await.map_err(|e| {
            store_failed(
                e,
                "NetworkID",
                ("NetworkID", "a network with this number exists"),
            )
        })?;
        tracing::info!(network = %network.id, by = %actor.user, "network created");
        Ok(network)
    }

    /// Changes a network's name, codes, address and contact details (not its status).
    pub async fn network_update(
        &self,
        caller: &Caller,
        network: NetworkId,
        changes: NetworkChanges,
    ) -> Result<Network, Error> {
        self.change_network(caller, network, |n| {
            if let Some(name) = &changes.name {
                n.name = parse_required_text(name, "Name")?;
            }
            change_text(&mut n.unique_id, changes.unique_id.as_deref(), "UniqueID")?;
            change_text(&mut n.location, changes.location.as_deref(), "Location")?;
            changes.address.apply(&mut n.address)?;
            change_text(&mut n.phone, changes.phone.as_deref(), "Phone")?;
            change_email(
                &mut n.admin_email,
                changes.admin_email.as_deref(),
                "AdminEmail",
            )?;
            change_text(
                &mut n.websites.home,
                changes.home_website.as_deref(),
                "Website",
            )
        })
        .await
    }

    /// Sets a network's status (Root, TechOps and NetOps); terminated is final.
    pub async fn network_set_status(
        &self,
        caller: &Caller,
        network: NetworkId,
        status: UserStatus,
    ) -> Result<Network, Error> {
        let actor = self.actor(caller).await?;
        let mut found = self.network_for(&actor, network, Act::SetStatus).await?;
        not_terminated(found.status, "NetworkID", &format!("network {network}"))?;
        found.status = status;
        self.save_network(found).await
    }

    /// Names one of a network's seven contacts; `UserId(0)` clears it. The user must be of
    /// the network, unless the caller is an operator.
    pub async fn network_set_contact(
        &self,
        caller: &Caller,
        network: NetworkId,
        kind: ContactType,
        user: UserId,
    ) -> Result<Network, Error> {
        let actor = self.actor(caller).await?;
        let mut found = self.network_for(&actor, network, Act::Change).await?;
        not_terminated(found.status, "NetworkID", &format!("network {network}"))?;
        let user = self.assignable_user(&actor, network, user).await?;
        found.contacts.set(kind, user);
        self.save_network(found).await
    }

    /// The user named as one of a network's contacts; `NotFound` on `ContactType` if unset.
    pub async fn network_get_contact(
        &self,
        caller: &Caller,
        network: NetworkId,
        kind: ContactType,
    ) -> Result<User, Error> {
        let found = self.network_info(caller, network).await?;
        self.contact_user(found.contacts.get(kind)).await
    }

    /// Sets one of a network's three websites (empty clears it).
    pub async fn network_set_website(
        &self,
        caller: &Caller,
        network: NetworkId,
        kind: WebsiteType,
        url: &str,
    ) -> Result<Network, Error> {
        let url = text(url, "URL")?;
        self.change_network(caller, network, move |n| {
            let slot = match kind {
                WebsiteType::Home => &mut n.websites.home,
                WebsiteType::Support => &mut n.websites.support,
                WebsiteType::Login => &mut n.websites.login,
            };
            *slot = url;
            Ok(())
        })
        .await
    }

    /// Sets the X12 delimiters imposed on what the network's mailboxes receive.
    pub async fn network_set_x12_delimiters(
        &self,
        caller: &Caller,
        network: NetworkId,
        delimiters: X12Delimiters,
    ) -> Result<Network, Error> {
        self.change_network(caller, network, move |n| {
            n.x12 = delimiters;
            Ok(())
        })
        .await
    }

    /// Whether parcel content is deleted, network-wide, once its download is confirmed.
    pub async fn network_set_delete_on_download(
        &self,
        caller: &Caller,
        network: NetworkId,
        delete_on_download: bool,
    ) -> Result<Network, Error> {
        self.change_network(caller, network, move |n| {
            n.delete_on_download = delete_on_download;
            Ok(())
        })
        .await
    }

    /// Loads a network the caller may change, applies `change` (which validates) and
    /// saves it; a change that fails validation saves nothing.
    async fn change_network(
        &self,
        caller: &Caller,
        network: NetworkId,
        change: impl FnOnce(&mut Network) -> Result<(), Error>,
    ) -> Result<Network, Error> {
        let actor = self.actor(caller).await?;
        let mut found = self.network_for(&actor, network, Act::Change).await?;
        not_terminated(found.status, "NetworkID", &format!("network {network}"))?;
        change(&mut found)?;
        self.save_network(found).await
    }

    async fn save_network(&self, mut network: Network) -> Result<Network, Error> {
        network.modified = self.inner.clock.now();
        self.inner
            .store
            .update_network(&network)
            .await
            .map_err(|e| store_failed(e, "NetworkID", ("UniqueID", "this UniqueID is taken")))?;
        Ok(network)
    }

    /// The user a contact slot names (of a record the caller may read).
    pub(crate) async fn contact_user(&self, id: UserId) -> Result<User, Error> {
        if id.0 == 0 {
            return Err(Error::not_found("ContactType"));
        }
        self.inner
            .store
            .user(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| Error::not_found("ContactType"))
    }
}

/// An address with every field checked for length.
pub(crate) fn checked_address(address: &Address) -> Result<Address, Error> {
    Ok(Address {
        address1: text(&address.address1, "Address1")?,
        address2: text(&address.address2, "Address2")?,
        city: text(&address.city, "City")?,
        state: text(&address.state, "State")?,
        zip: text(&address.zip, "Zip")?,
        country: text(&address.country, "Country")?,
    })
}
