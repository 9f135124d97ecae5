//! The directory's persistence boundary (networks, mailboxes, users' directory fields,
//! trading-partner IDs). Every method is one atomic step; a method that changes several
//! rows does so in one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edigrid_domain::{AuthLevel, EcGridId, MailboxId, NetworkId, UserId, UserStatus};

use super::model::{
    Mailbox, MailboxFilter, Network, NetworkFilter, Page, Paged, PartnerDetail, PartnerFilter,
    PartnerRoute, TradingPartner, UserFilter,
};
use crate::store::{Person, StoreResult, User};

#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Creates a network. With `NetworkId(0)` the store assigns the next free number (one
    /// above the highest in use) and returns it; a taken number is `Conflict`.
    async fn insert_network(&self, network: &Network) -> StoreResult<NetworkId>;
    async fn network(&self, id: NetworkId) -> StoreResult<Option<Network>>;
    /// Writes every field of an existing network but `id` and `created`; `Missing` if none.
    async fn update_network(&self, network: &Network) -> StoreResult<()>;
    /// One page of networks by NetworkID, and how many match in all.
    async fn list_networks(
        &self,
        filter: &NetworkFilter,
        page: Page,
    ) -> StoreResult<Paged<Network>>;

    /// The page `list_networks` gives, without counting the whole list: for a caller that
    /// shows no total (the deployed `NetworkList` and `NetworkStatusSummary`), each full
    /// page would otherwise pay a count of every network that matches (O(n)).
    async fn network_page(&self, filter: &NetworkFilter, page: Page) -> StoreResult<Vec<Network>> {
        Ok(self.list_networks(filter, page).await?.items)
    }

    /// Creates a mailbox. With `MailboxId(0)` the store assigns the next free number;
    /// a taken number, or a taken non-empty `unique_id` in the same network
    /// (case-insensitively), is `Conflict`; an unknown network is `Missing`.
    async fn insert_mailbox(&self, mailbox: &Mailbox) -> StoreResult<MailboxId>;
    async fn mailbox(&self, id: MailboxId) -> StoreResult<Option<Mailbox>>;
    /// Writes every field of an existing mailbox but `id`, `network_id` and `created`;
    /// `Conflict` for a taken `unique_id`, `Missing` if none.
    async fn update_mailbox(&self, mailbox: &Mailbox) -> StoreResult<()>;
    /// In one transaction: sets the mailbox's status and, when it becomes `Terminated`,
    /// terminates its trading-partner IDs that are not terminated yet (their pairs become
    /// free to register again). `Missing` if there is no such mailbox.
    async fn set_mailbox_status(
        &self,
        id: MailboxId,
        status: UserStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// One page of mailboxes by MailboxID, and how many match in all.
    async fn list_mailboxes(
        &self,
        filter: &MailboxFilter,
        page: Page,
    ) -> StoreResult<Paged<Mailbox>>;

    /// The page `list_mailboxes` gives, without counting the whole list: for a caller that
    /// shows no total (the deployed `MailboxList`), each full page would otherwise pay a
    /// count of every mailbox that matches (all of a network's: O(n)).
    async fn mailbox_page(&self, filter: &MailboxFilter, page: Page) -> StoreResult<Vec<Mailbox>> {
        Ok(self.list_mailboxes(filter, page).await?.items)
    }

    /// One page of users by UserID, and how many match in all.
    async fn list_users(&self, filter: &UserFilter, page: Page) -> StoreResult<Paged<User>>;

    /// The page `list_users` gives, without counting the whole list: for a caller that shows
    /// no total (the deployed `UserList` and `UserListEx`), each full page would otherwise
    /// pay a count of every user that matches (all of a network's or mailbox's: O(n)).
    async fn user_page(&self, filter: &UserFilter, page: Page) -> StoreResult<Vec<User>> {
        Ok(self.list_users(filter, page).await?.items)
    }

    /// Writes the user's profile fields and `modified`; `Missing` if there is no such user.
    async fn update_user_profile(
        &self,
        id: UserId,
        person: &Person,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn set_auth_level(
        &self,
        id: UserId,
        level: AuthLevel,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Moves a user to another network and mailbox.
    async fn set_user_home(
        &self,
        id: UserId,
        network: NetworkId,
        mailbox: MailboxId,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Sets the recovery question and the Argon2id hash of its answer (`None` clears it).
    async fn set_recovery(
        &self,
        id: UserId,
        question: &str,
        answer_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Registers a trading-partner ID and returns its new ECGridID (from a sequence that
    /// never reuses a number). `Conflict` when the same qualifier and ID (compared as
    /// `PartnerAddress` keys) is already registered and not terminated; `Missing` for an
    /// unknown mailbox. When `is_default` is set, the mailbox's other IDs lose it in the
    /// same transaction.
    async fn insert_partner(&self, partner: &TradingPartner) -> StoreResult<EcGridId>;
    async fn partner(&self, id: EcGridId) -> StoreResult<Option<TradingPartner>>;
    /// Writes every field of an existing ID but `ecgrid_id` and `created`. `Conflict`
    /// when the change would make a second non-terminated registration of its pair;
    /// when `is_default` is set, the mailbox's other IDs lose it in the same transaction.
    async fn update_partner(&self, partner: &TradingPartner) -> StoreResult<()>;
    /// One page of IDs in the filter's order, and how many match in all. A lookup by
    /// `qualifier_key` + `id_key` is served by an index.
    async fn list_partners(
        &self,
        filter: &PartnerFilter,
        page: Page,
    ) -> StoreResult<Paged<TradingPartner>>;
    /// The page `list_partners` gives, each ID with its network's name, its mailbox and its
    /// owner (`None` where there is none) read in the same statement; the count is made only
    /// when the page does not tell it (a first page that is not full does). What a search
    /// describes its results with, in one read.
    async fn list_partner_details(
        &self,
        filter: &PartnerFilter,
        page: Page,
    ) -> StoreResult<Paged<PartnerDetail>>;
    /// The active ID registered for a pair, if any (VAN IDs included: the caller checks
    /// `van`): what routing looks up, served by an index.
    async fn partner_by_address(
        &self,
        qualifier_key: &str,
        id_key: &str,
    ) -> StoreResult<Option<TradingPartner>>;
    /// [`DirectoryStore::partner_by_address`] with the ID's mailbox and that mailbox's
    /// network's delimiters, as `mailbox` and `network` answer: what routing reads of each
    /// receiver. Stores read it in one statement; this default reads each in turn.
    async fn route_by_address(
        &self,
        qualifier_key: &str,
        id_key: &str,
    ) -> StoreResult<Option<PartnerRoute>> {
        let Some(partner) = self.partner_by_address(qualifier_key, id_key).await? else {
            return Ok(None);
        };
        let mailbox = self.mailbox(partner.mailbox_id).await?;
        let network_x12 = match &mailbox {
            Some(m) => self.network(m.network_id).await?.map(|n| n.x12),
            None => None,
        };
        Ok(Some(PartnerRoute {
            partner,
            mailbox,
            network_x12,
        }))
    }
}
