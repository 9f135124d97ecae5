//! A store in memory for the directory's service tests: the directory and the user methods
//! behave as the trait says; session methods keep just enough to see sessions end.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edigrid_domain::{
    AuthLevel, EcGridId, MailboxId, NetworkId, SecretHash, UserId, UserStatus, partner_id_key,
};

use crate::directory::model::*;
use crate::store::*;

#[derive(Default)]
pub struct MemStore {
    pub state: Mutex<State>,
    /// How many times a user was read by their number.
    pub user_reads: std::sync::atomic::AtomicUsize,
    /// How many network and user lists were read with their total (`list_networks`,
    /// `list_users`); the pages without one (`network_page`, `user_page`) leave it.
    pub counted_lists: std::sync::atomic::AtomicUsize,
}

#[derive(Default)]
pub struct State {
    pub networks: BTreeMap<i32, Network>,
    pub mailboxes: BTreeMap<i32, Mailbox>,
    pub users: BTreeMap<i32, User>,
    pub partners: BTreeMap<i32, TradingPartner>,
    pub sessions: Vec<SessionRecord>,
    next_partner: i32,
}

impl MemStore {
    pub(super) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// An open session of `user`, as a login would store it.
    pub fn open_session(&self, user: UserId, now: DateTime<Utc>) -> SessionRecord {
        let mut state = self.state();
        let u = state.users[&user.0].clone();
        let n = state.sessions.len() as u8;
        let record = SessionRecord {
            hash: SecretHash::of(&[n, 1, 2, 3]),
            prefix: format!("{n:08X}"),
            user_id: user,
            network_id: u.network_id,
            mailbox_id: u.mailbox_id,
            created: now,
            expires: now + chrono::Duration::hours(1),
            max_expires: now + chrono::Duration::hours(8),
            idle_timeout_secs: 3600,
            last_used: now,
            ended: None,
            end_reason: None,
            client_ip: "127.0.0.1".into(),
            protocol: "soap".into(),
            sender_solution: String::new(),
            sender_version: String::new(),
            sender_company: String::new(),
            sender_contact: String::new(),
            sender_email: String::new(),
            token_generation: 0,
        };
        state.sessions.push(record.clone());
        record
    }
}

impl MemStore {
    fn counted(&self) {
        self.counted_lists
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The networks a list under `f` holds, by NetworkID.
    fn networks_matching(&self, f: &NetworkFilter) -> Vec<Network> {
        self.state()
            .networks
            .values()
            .filter(|n| f.network.is_none_or(|id| id == n.id))
            .filter(|n| f.status.is_none_or(|s| s == n.status))
            .filter(|n| contains(&n.name, &f.name_contains))
            .filter(|n| !(f.hide_terminated && n.status == UserStatus::Terminated))
            .cloned()
            .collect()
    }

    /// The users a list under `f` holds, by UserID.
    fn users_matching(&self, f: &UserFilter) -> Vec<User> {
        self.state()
            .users
            .values()
            .filter(|u| f.network.is_none_or(|id| id == u.network_id))
            .filter(|u| f.mailbox.is_none_or(|id| id == u.mailbox_id))
            .filter(|u| f.auth_level.is_none_or(|l| l == u.auth_level))
            .filter(|u| f.status.is_none_or(|s| s == u.status))
            .filter(|u| !(f.hide_terminated && u.status == UserStatus::Terminated))
            .filter(|u| {
                contains(&u.login, &f.name_contains)
                    || contains(&u.person.first_name, &f.name_contains)
                    || contains(&u.person.last_name, &f.name_contains)
            })
            .cloned()
            .collect()
    }
}

fn page_of<T: Clone>(all: Vec<T>, page: Page) -> Paged<T> {
    let total = all.len() as u64;
    let items = all
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.size as usize)
        .collect();
    Paged { items, total }
}

fn contains(hay: &str, needle: &Option<String>) -> bool {
    needle
        .as_ref()
        .is_none_or(|n| hay.to_lowercase().contains(&n.to_lowercase()))
}

fn holds(p: &TradingPartner) -> bool {
    p.status != UserStatus::Terminated
}

fn same_pair(a: &TradingPartner, b: &TradingPartner) -> bool {
    a.qualifier.eq_ignore_ascii_case(&b.qualifier) && partner_id_key(&a.id) == partner_id_key(&b.id)
}

pub(super) fn missing(what: &str) -> StoreError {
    StoreError::Missing(what.into())
}

#[async_trait]
impl DirectoryStore for MemStore {
    async fn insert_network(&self, network: &Network) -> StoreResult<NetworkId> {
        let mut s = self.state();
        let mut n = network.clone();
        if n.id.0 == 0 {
            n.id = NetworkId(s.networks.keys().max().copied().unwrap_or(0) + 1);
        } else if s.networks.contains_key(&n.id.0) {
            return Err(StoreError::Conflict("network".into()));
        }
        s.networks.insert(n.id.0, n.clone());
        Ok(n.id)
    }
    async fn network(&self, id: NetworkId) -> StoreResult<Option<Network>> {
        Ok(self.state().networks.get(&id.0).cloned())
    }
    async fn update_network(&self, network: &Network) -> StoreResult<()> {
        let mut s = self.state();
        let slot = s
            .networks
            .get_mut(&network.id.0)
            .ok_or(missing("network"))?;
        let created = slot.created;
        *slot = network.clone();
        slot.created = created;
        Ok(())
    }
    async fn list_networks(&self, f: &NetworkFilter, page: Page) -> StoreResult<Paged<Network>> {
        self.counted();
        Ok(page_of(self.networks_matching(f), page))
    }

    async fn network_page(&self, f: &NetworkFilter, page: Page) -> StoreResult<Vec<Network>> {
        Ok(page_of(self.networks_matching(f), page).items)
    }

    async fn insert_mailbox(&self, mailbox: &Mailbox) -> StoreResult<MailboxId> {
        let mut s = self.state();
        if !s.networks.contains_key(&mailbox.network_id.0) {
            return Err(missing("network"));
        }
        let mut m = mailbox.clone();
        if m.id.0 == 0 {
            m.id = MailboxId(s.mailboxes.keys().max().copied().unwrap_or(0) + 1);
        }
        let taken_code = !m.unique_id.is_empty()
            && s.mailboxes.values().any(|o| {
                o.network_id == m.network_id && o.unique_id.eq_ignore_ascii_case(&m.unique_id)
            });
        if s.mailboxes.contains_key(&m.id.0) || taken_code {
            return Err(StoreError::Conflict("mailbox".into()));
        }
        s.mailboxes.insert(m.id.0, m.clone());
        Ok(m.id)
    }
    async fn mailbox(&self, id: MailboxId) -> StoreResult<Option<Mailbox>> {
        Ok(self.state().mailboxes.get(&id.0).cloned())
    }
    async fn update_mailbox(&self, mailbox: &Mailbox) -> StoreResult<()> {
        let mut s = self.state();
        let taken_code = !mailbox.unique_id.is_empty()
            && s.mailboxes.values().any(|o| {
                o.id != mailbox.id
                    && o.network_id == mailbox.network_id
                    && o.unique_id.eq_ignore_ascii_case(&mailbox.unique_id)
            });
        if taken_code {
            return Err(StoreError::Conflict("unique id".into()));
        }
        let slot = s
            .mailboxes
            .get_mut(&mailbox.id.0)
            .ok_or(missing("mailbox"))?;
        let (created, network) = (slot.created, slot.network_id);
        *slot = mailbox.clone();
        slot.created = created;
        slot.network_id = network;
        Ok(())
    }
    async fn set_mailbox_status(
        &self,
        id: MailboxId,
        status: UserStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut s = self.state();
        let slot = s.mailboxes.get_mut(&id.0).ok_or(missing("mailbox"))?;
        slot.status = status;
        slot.modified = now;
        if status == UserStatus::Terminated {
            for p in s
                .partners
                .values_mut()
                .filter(|p| p.mailbox_id == id && holds(p))
            {
                p.status = UserStatus::Terminated;
                p.modified = now;
            }
        }
        Ok(())
    }
    async fn list_mailboxes(&self, f: &MailboxFilter, page: Page) -> StoreResult<Paged<Mailbox>> {
        let all = self
            .state()
            .mailboxes
            .values()
            .filter(|m| f.network.is_none_or(|id| id == m.network_id))
            .filter(|m| f.mailbox.is_none_or(|id| id == m.id))
            .filter(|m| f.status.is_none_or(|s| s == m.status))
            .filter(|m| contains(&m.name, &f.name_contains))
            .filter(|m| !(f.hide_terminated && m.status == UserStatus::Terminated))
            .cloned()
            .collect();
        Ok(page_of(all, page))
    }

    async fn list_users(&self, f: &UserFilter, page: Page) -> StoreResult<Paged<User>> {
        self.counted();
        Ok(page_of(self.users_matching(f), page))
    }

    async fn user_page(&self, f: &UserFilter, page: Page) -> StoreResult<Vec<User>> {
        Ok(page_of(self.users_matching(f), page).items)
    }

    async fn update_user_profile(
        &self,
        id: UserId,
        person: &Person,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut s = self.state();
        let u = s.users.get_mut(&id.0).ok_or(missing("user"))?;
        u.person = person.clone();
        u.modified = now;
        Ok(())
    }
    async fn set_auth_level(
        &self,
        id: UserId,
        level: AuthLevel,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut s = self.state();
        let u = s.users.get_mut(&id.0).ok_or(missing("user"))?;
        u.auth_level = level;
        u.modified = now;
        Ok(())
    }
    async fn set_user_home(
        &self,
        id: UserId,
        network: NetworkId,
        mailbox: MailboxId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut s = self.state();
        let u = s.users.get_mut(&id.0).ok_or(missing("user"))?;
        (u.network_id, u.mailbox_id, u.modified) = (network, mailbox, now);
        Ok(())
    }
    async fn set_recovery(
        &self,
        id: UserId,
        question: &str,
        answer_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut s = self.state();
        let u = s.users.get_mut(&id.0).ok_or(missing("user"))?;
        u.person.recovery_question = question.into();
        u.recovery_answer_hash = answer_hash.map(str::to_string);
        u.modified = now;
        Ok(())
    }

    async fn insert_partner(&self, partner: &TradingPartner) -> StoreResult<EcGridId> {
        let mut s = self.state();
        if !s.mailboxes.contains_key(&partner.mailbox_id.0) {
            return Err(missing("mailbox"));
        }
        if s.partners
            .values()
            .any(|o| holds(o) && same_pair(o, partner))
        {
            return Err(StoreError::Conflict("pair".into()));
        }
        s.next_partner += 1;
        let mut p = partner.clone();
        p.ecgrid_id = EcGridId(100_000 + s.next_partner);
        if p.is_default {
            for o in s
                .partners
                .values_mut()
                .filter(|o| o.mailbox_id == p.mailbox_id)
            {
                o.is_default = false;
            }
        }
        s.partners.insert(p.ecgrid_id.0, p.clone());
        Ok(p.ecgrid_id)
    }
    async fn partner(&self, id: EcGridId) -> StoreResult<Option<TradingPartner>> {
        Ok(self.state().partners.get(&id.0).cloned())
    }
    async fn update_partner(&self, partner: &TradingPartner) -> StoreResult<()> {
        let mut s = self.state();
        if holds(partner)
            && s.partners
                .values()
                .any(|o| o.ecgrid_id != partner.ecgrid_id && holds(o) && same_pair(o, partner))
        {
            return Err(StoreError::Conflict("pair".into()));
        }
        if partner.is_default {
            for o in s
                .partners
                .values_mut()
                .filter(|o| o.mailbox_id == partner.mailbox_id)
            {
                o.is_default = false;
            }
        }
        let slot = s
            .partners
            .get_mut(&partner.ecgrid_id.0)
            .ok_or(missing("partner"))?;
        let created = slot.created;
        *slot = partner.clone();
        slot.created = created;
        Ok(())
    }
    async fn list_partners(
        &self,
        f: &PartnerFilter,
        page: Page,
    ) -> StoreResult<Paged<TradingPartner>> {
        let all = self
            .state()
            .partners
            .values()
            .filter(|p| f.network.is_none_or(|id| id == p.network_id))
            .filter(|p| f.mailbox.is_none_or(|id| id == p.mailbox_id))
            .filter(|p| f.owner.is_none_or(|id| id == p.owner))
            .filter(|p| {
                f.qualifier_key
                    .as_ref()
                    .is_none_or(|q| *q == p.qualifier.to_ascii_uppercase())
            })
            .filter(|p| {
                f.id_key
                    .as_ref()
                    .is_none_or(|k| *k == partner_id_key(&p.id))
            })
            .filter(|p| contains(&p.description, &f.description_contains))
            .filter(|p| f.statuses.is_empty() || f.statuses.contains(&p.status))
            .filter(|p| f.simulated.is_none_or(|s| s == p.simulated))
            .cloned()
            .collect();
        Ok(page_of(all, page))
    }
    async fn list_partner_details(
        &self,
        f: &PartnerFilter,
        page: Page,
    ) -> StoreResult<Paged<PartnerDetail>> {
        let found = self.list_partners(f, page).await?;
        let state = self.state();
        Ok(found.map(|p| PartnerDetail {
            network_name: state.networks.get(&p.network_id.0).map(|n| n.name.clone()),
            mailbox: state.mailboxes.get(&p.mailbox_id.0).cloned(),
            owner: state.users.get(&p.owner.0).cloned(),
            partner: p,
        }))
    }
    async fn partner_by_address(
        &self,
        qualifier_key: &str,
        id_key: &str,
    ) -> StoreResult<Option<TradingPartner>> {
        Ok(self
            .state()
            .partners
            .values()
            .find(|p| {
                p.status == UserStatus::Active
                    && p.qualifier.to_ascii_uppercase() == qualifier_key
                    && partner_id_key(&p.id) == id_key
            })
            .cloned())
    }
}

/// The directory's tests never touch parcels; every parcel method says so instead of
/// pretending (the parcel services are tested over the real stores).
mod no_parcels {
    use async_trait::async_trait;
    use chrono::{DateTime, Utc};
    use edigrid_domain::{InterchangeId, ParcelId};

    use super::MemStore;
    use crate::directory::model::{Page, Paged};
    use crate::parcels::model::*;
    use crate::parcels::store::ParcelStore;
    use crate::store::{StoreError, StoreResult};

    fn none<T>() -> StoreResult<T> {
        Err(StoreError::Backend(
            "the directory's test store keeps no parcels".into(),
        ))
    }

    #[async_trait]
    #[allow(unused_variables)]
    impl ParcelStore for MemStore {
        async fn accept_upload(&self, upload: &Upload) -> StoreResult<Accepted> {
            none()
        }
        async fn parcel(&self, id: ParcelId) -> StoreResult<Option<Parcel>> {
            none()
        }
        async fn parcel_content(&self, id: ParcelId) -> StoreResult<Option<Content>> {
            none()
        }
        async fn list_parcels(
            &self,
            filter: &ParcelFilter,
            page: Page,
        ) -> StoreResult<Paged<Parcel>> {
            none()
        }
        async fn interchange(&self, id: InterchangeId) -> StoreResult<Option<Interchange>> {
            none()
        }
        async fn parcel_interchanges(&self, parcel: ParcelId) -> StoreResult<Vec<Interchange>> {
            none()
        }
        async fn list_interchanges(
            &self,
            filter: &InterchangeFilter,
            page: Page,
        ) -> StoreResult<Paged<Interchange>> {
            none()
        }
        async fn change_state(&self, change: &StateChange) -> StoreResult<bool> {
            none()
        }
        async fn return_timed_out(&self, now: DateTime<Utc>) -> StoreResult<u64> {
            none()
        }
        async fn remove_content_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
            none()
        }
        async fn add_manifest_entry(&self, entry: &ManifestEntry) -> StoreResult<()> {
            none()
        }
        async fn manifest(&self, parcel: ParcelId) -> StoreResult<Vec<ManifestEntry>> {
            none()
        }
        async fn add_note(&self, note: &ParcelNote) -> StoreResult<i64> {
            none()
        }
        async fn notes(&self, parcel: ParcelId) -> StoreResult<Vec<ParcelNote>> {
            none()
        }
        async fn set_mailbag_control_id(
            &self,
            parcel: ParcelId,
            control_id: &str,
        ) -> StoreResult<()> {
            none()
        }
        async fn set_local_status(
            &self,
            parcel: ParcelId,
            status: i16,
            at: DateTime<Utc>,
        ) -> StoreResult<()> {
            none()
        }
    }
}

/// The areas after parcels are tested over the real stores only; their traits' methods are
/// written out here as refusals, like the parcels' above, by whoever adds them.
mod no_events {
    use async_trait::async_trait;

    use super::MemStore;
    use crate::store::{CallbackStore, KeyStore, RelationStore, ReportStore, SandboxStore};

    #[async_trait]
    impl CallbackStore for MemStore {}
    #[async_trait]
    #[allow(unused_variables)]
    impl RelationStore for MemStore {
        async fn insert_carbon_copy(&self, rule: &CarbonCopy) -> StoreResult<i32> {
            no_relations()
        }
        async fn carbon_copy(&self, id: i32) -> StoreResult<Option<CarbonCopy>> {
            no_relations()
        }
        async fn set_carbon_copy_status(
            &self,
            id: i32,
            from: &[edigrid_domain::UserStatus],
            to: edigrid_domain::UserStatus,
            at: chrono::DateTime<chrono::Utc>,
        ) -> StoreResult<bool> {
            no_relations()
        }
        async fn list_carbon_copies(
            &self,
            filter: &CarbonCopyFilter,
            page: crate::store::Page,
        ) -> StoreResult<crate::store::Paged<CarbonCopy>> {
            no_relations()
        }
        async fn active_carbon_copies(
            &self,
            mailboxes: &[edigrid_domain::MailboxId],
        ) -> StoreResult<Vec<CarbonCopy>> {
            no_relations()
        }
        async fn insert_interconnect(
            &self,
            interconnect: &Interconnect,
            note: &InterconnectNote,
        ) -> StoreResult<i32> {
            no_relations()
        }
        async fn interconnect(&self, id: i32) -> StoreResult<Option<Interconnect>> {
            no_relations()
        }
        async fn interconnect_by_unique_id(
            &self,
            unique_id: &str,
        ) -> StoreResult<Option<Interconnect>> {
            no_relations()
        }
        async fn change_interconnect(&self, change: &InterconnectChange) -> StoreResult<bool> {
            no_relations()
        }
        async fn add_interconnect_note(&self, note: &InterconnectNote) -> StoreResult<i32> {
            no_relations()
        }
        async fn interconnect_notes(&self, id: i32) -> StoreResult<Vec<InterconnectNote>> {
            no_relations()
        }
        async fn list_interconnects(
            &self,
            filter: &InterconnectFilter,
            page: crate::store::Page,
        ) -> StoreResult<crate::store::Paged<Interconnect>> {
            no_relations()
        }
        async fn count_interconnects(
            &self,
            filter: &InterconnectFilter,
        ) -> StoreResult<Vec<(InterconnectStatus, u64)>> {
            no_relations()
        }
        async fn interconnected(
            &self,
            a: edigrid_domain::EcGridId,
            b: edigrid_domain::EcGridId,
        ) -> StoreResult<bool> {
            no_relations()
        }
    }

    use crate::relations::{
        CarbonCopy, CarbonCopyFilter, Interconnect, InterconnectChange, InterconnectFilter,
        InterconnectNote, InterconnectStatus,
    };
    use crate::store::StoreResult;

    fn no_relations<T>() -> StoreResult<T> {
        Err(crate::store::StoreError::Backend(
            "the directory's test store keeps no carbon copies or interconnects".into(),
        ))
    }
    #[async_trait]
    #[allow(unused_variables)]
    impl ReportStore for MemStore {
        async fn traffic(
            &self,
            scope: crate::reports::store::ReportScope,
            since: chrono::DateTime<chrono::Utc>,
            until: chrono::DateTime<chrono::Utc>,
        ) -> crate::store::StoreResult<crate::reports::store::Traffic> {
            no_reports()
        }
        async fn traffic_by_mailbox(
            &self,
            scope: crate::reports::store::ReportScope,
            since: chrono::DateTime<chrono::Utc>,
            until: chrono::DateTime<chrono::Utc>,
        ) -> crate::store::StoreResult<Vec<crate::reports::store::MailboxTraffic>> {
            no_reports()
        }
    }

    fn no_reports<T>() -> crate::store::StoreResult<T> {
        Err(crate::store::StoreError::Backend(
            "the directory's test store keeps no traffic to report".into(),
        ))
    }
    #[async_trait]
    #[allow(unused_variables)]
    impl KeyStore for MemStore {
        async fn put_key(
            &self,
            entry: &crate::keys::store::KeyEntry,
            limit: u32,
            now: chrono::DateTime<chrono::Utc>,
        ) -> crate::store::StoreResult<Option<i64>> {
            no_keys()
        }
        async fn key(
            &self,
            address: &crate::keys::store::KeyAddress,
            now: chrono::DateTime<chrono::Utc>,
        ) -> crate::store::StoreResult<Option<crate::keys::store::KeyEntry>> {
            no_keys()
        }
        async fn key_by_id(
            &self,
            id: i64,
            now: chrono::DateTime<chrono::Utc>,
        ) -> crate::store::StoreResult<Option<crate::keys::store::KeyEntry>> {
            no_keys()
        }
        async fn object_keys(
            &self,
            object: crate::keys::KeyObject,
            object_id: i64,
            now: chrono::DateTime<chrono::Utc>,
        ) -> crate::store::StoreResult<Vec<crate::keys::store::KeyEntry>> {
            no_keys()
        }
        async fn remove_key(
            &self,
            address: &crate::keys::store::KeyAddress,
            now: chrono::DateTime<chrono::Utc>,
        ) -> crate::store::StoreResult<bool> {
            no_keys()
        }
        async fn purge_expired_keys(
            &self,
            now: chrono::DateTime<chrono::Utc>,
        ) -> crate::store::StoreResult<u64> {
            no_keys()
        }
    }

    fn no_keys<T>() -> crate::store::StoreResult<T> {
        Err(crate::store::StoreError::Backend(
            "the directory's test store keeps no keys".into(),
        ))
    }
    #[async_trait]
    #[allow(unused_variables)]
    impl SandboxStore for MemStore {
        async fn set_simulated(
            &self,
            ecgrid_id: edigrid_domain::EcGridId,
            simulated: bool,
            at: chrono::DateTime<chrono::Utc>,
        ) -> crate::store::StoreResult<()> {
            no_sandbox()
        }
        async fn simulated_partners(
            &self,
            scope: crate::sandbox::SandboxScope,
        ) -> crate::store::StoreResult<Vec<crate::sandbox::SimulatedPartner>> {
            no_sandbox()
        }
        async fn unanswered(
            &self,
            limit: u32,
        ) -> crate::store::StoreResult<Vec<crate::sandbox::Unanswered>> {
            no_sandbox()
        }
        async fn take_control_numbers(
            &self,
            ecgrid_id: edigrid_domain::EcGridId,
            count: u32,
        ) -> crate::store::StoreResult<i64> {
            no_sandbox()
        }
        async fn count_answer(
            &self,
            ecgrid_id: edigrid_domain::EcGridId,
            interchanges: u32,
            acknowledgments: u32,
            at: chrono::DateTime<chrono::Utc>,
        ) -> crate::store::StoreResult<()> {
            no_sandbox()
        }
    }

    fn no_sandbox<T>() -> crate::store::StoreResult<T> {
        Err(crate::store::StoreError::Backend(
            "the directory's test store keeps no sandbox partners".into(),
        ))
    }
}
