//! Mailboxes: their records, configuration, contacts and status (SPEC-VAN 13).

use std::collections::{HashMap, HashSet};

use edigrid_domain::{
    ContactType, Error, MailboxId, NetworkId, ParamProblem, UseType, UserId, UserStatus,
    X12Delimiters, parse_required_text,
};

use super::access::{Act, Object};
use super::guard::{
    change_email, change_text, email, given_or_assigned, not_terminated, store_failed, text,
};
use super::model::{Address, Mailbox, MailboxFilter, Page, Paged};
use super::network::{AddressChanges, checked_address};
use crate::service::{Core, internal};
use crate::sessions::Caller;
use crate::store::User;

const UNIQUE_ID_TAKEN: (&str, &str) = ("UniqueID", "this UniqueID is taken in the network");

/// Longest inbox timeout, in minutes (the wire's `short`).
pub const MAX_INBOX_TIMEOUT_MINUTES: i32 = i16::MAX as i32;

/// A new mailbox (deployed `MailboxAdd`/`MailboxAddEx`, documented `MailboxAdd`, REST
/// `POST /v2/mailboxes/create`, CLI `mailbox add`).
#[derive(Debug, Clone, Default)]
pub struct MailboxCreateRequest {
    pub network: NetworkId,
    /// A number of the operator's choosing, or `MailboxId(0)` to have one assigned.
    pub id: MailboxId,
    pub name: String,
    /// Unique in the network when not empty.
    pub unique_id: String,
    pub description: String,
    pub address: Address,
    pub phone: String,
    pub admin_email: String,
    /// The user made its Owner contact.
    pub owner: Option<UserId>,
}

/// Changes of a mailbox's record and configuration; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct MailboxChanges {
    pub name: Option<String>,
    pub unique_id: Option<String>,
    pub description: Option<String>,
    pub address: AddressChanges,
    pub phone: Option<String>,
    pub admin_email: Option<String>,
    pub managed: Option<bool>,
    pub use_type: Option<UseType>,
    pub default_as2_id: Option<String>,
    /// Minutes, 0 to [`MAX_INBOX_TIMEOUT_MINUTES`]; 0 = never.
    pub inbox_timeout_minutes: Option<i32>,
    pub x12: Option<X12Delimiters>,
    pub delete_on_download: Option<bool>,
    pub ebcdic_filter: Option<i16>,
    pub ftp_ascii_filter: Option<bool>,
    pub low_pass_filter: Option<bool>,
    pub mailbag_pass_through: Option<bool>,
    pub strip_directed_envelope: Option<bool>,
    pub notify_email: Option<String>,
    pub notify_on_inbox: Option<bool>,
}

impl MailboxChanges {
    fn apply(&self, m: &mut Mailbox) -> Result<(), Error> {
        if let Some(name) = &self.name {
            m.name = parse_required_text(name, "Name")?;
        }
        change_text(&mut m.unique_id, self.unique_id.as_deref(), "UniqueID")?;
        change_text(
            &mut m.description,
            self.description.as_deref(),
            "Description",
        )?;
        self.address.apply(&mut m.address)?;
        change_text(&mut m.phone, self.phone.as_deref(), "Phone")?;
        change_email(
            &mut m.admin_email,
            self.admin_email.as_deref(),
            "AdminEmail",
        )?;
        change_text(
            &mut m.default_as2_id,
            self.default_as2_id.as_deref(),
            "DefaultAS2ID",
        )?;
        let c = &mut m.config;
        change_email(
            &mut c.notify_email,
            self.notify_email.as_deref(),
            "NotifyEmail",
        )?;
        if let Some(minutes) = self.inbox_timeout_minutes {
            c.inbox_timeout_minutes =
                i16::try_from(minutes)
                    .ok()
                    .filter(|m| *m >= 0)
                    .ok_or_else(|| {
                        Error::invalid(
                            "InBoxTimeout",
                            ParamProblem::Value,
                            format!(
                                "must be between 0 (never) and {MAX_INBOX_TIMEOUT_MINUTES} minutes"
                            ),
                        )
                    })?;
        }
        set(&mut m.managed, self.managed);
        set(&mut m.use_type, self.use_type);
        set(&mut c.x12, self.x12);
        set(&mut c.delete_on_download, self.delete_on_download);
        set(&mut c.ebcdic_filter, self.ebcdic_filter);
        set(&mut c.ftp_ascii_filter, self.ftp_ascii_filter);
        set(&mut c.low_pass_filter, self.low_pass_filter);
        set(&mut c.mailbag_pass_through, self.mailbag_pass_through);
        set(&mut c.strip_directed_envelope, self.strip_directed_envelope);
        set(&mut c.notify_on_inbox, self.notify_on_inbox);
        Ok(())
    }
}

fn set<T>(slot: &mut T, new: Option<T>) {
    if let Some(value) = new {
        *slot = value;
    }
}

impl Core {
    /// One mailbox's record.
    pub async fn mailbox_info(
        &self,
        caller: &Caller,
        mailbox: MailboxId,
    ) -> Result<Mailbox, Error> {
        let actor = self.actor(caller).await?;
        self.mailbox_for(&actor, mailbox, Act::Read).await
    }

    /// One page of the mailboxes the caller may read, by MailboxID.
    pub async fn mailbox_list(
        &self,
        caller: &Caller,
        filter: MailboxFilter,
        page: Page,
    ) -> Result<Paged<Mailbox>, Error> {
        let filter = self.mailbox_scope(caller, filter).await?;
        self.inner
            .store
            .list_mailboxes(&filter, page)
            .await
            .map_err(internal)
    }

    /// The page [`Core::mailbox_list`] gives, without the total: for an answer that shows
    /// none, so that the store does not count every mailbox that matches.
    pub async fn mailbox_page(
        &self,
        caller: &Caller,
        filter: MailboxFilter,
        page: Page,
    ) -> Result<Vec<Mailbox>, Error> {
        let filter = self.mailbox_scope(caller, filter).await?;
        self.inner
            .store
            .mailbox_page(&filter, page)
            .await
            .map_err(internal)
    }

    /// The users named as contacts of these mailboxes, each read once: what an answer
    /// shows beside its mailboxes (a contact is shown to whoever may read its mailbox,
    /// as [`Core::mailbox_get_contact`] does). Each mailbox must be one the caller reads;
    /// a contact that no longer exists is left out.
    pub async fn mailbox_contact_users(
        &self,
        caller: &Caller,
        mailboxes: &[Mailbox],
    ) -> Result<HashMap<UserId, User>, Error> {
        let actor = self.actor(caller).await?;
        let mut users = HashMap::new();
        let mut gone = HashSet::new();
        for m in mailboxes {
            super::guard::require(&actor, Act::Read, Object::Mailbox(m.network_id, m.id))?;
            for &kind in ContactType::ALL {
                let id = m.contacts.get(kind);
                if id.0 == 0 || users.contains_key(&id) || gone.contains(&id) {
                    continue;
                }
                match self.contact_user(id).await {
                    Ok(user) => {
                        users.insert(id, user);
                    }
                    Err(Error::NotFound { .. }) => {
                        gone.insert(id);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(users)
    }

    /// The filter narrowed to what the caller may read (refused when it names a network or
    /// mailbox out of reach).
    async fn mailbox_scope(
        &self,
        caller: &Caller,
        mut filter: MailboxFilter,
    ) -> Result<MailboxFilter, Error> {
        let actor = self.actor(caller).await?;
        (filter.network, filter.mailbox) = self
            .list_scope(&actor, filter.network, filter.mailbox)
            .await?;
        Ok(filter)
    }

    /// Creates a mailbox in a network (NetworkAdmin of it, or an operator).
    pub async fn mailbox_create(
        &self,
        caller: &Caller,
        request: MailboxCreateRequest,
    ) -> Result<Mailbox, Error> {
        given_or_assigned(request.id.0, "MailboxID")?;
        let mut mailbox = Mailbox::new(
            request.id,
            request.network,
            parse_required_text(&request.name, "Name")?,
            self.inner.clock.now(),
        );
        mailbox.unique_id = text(&request.unique_id, "UniqueID")?;
        mailbox.description = text(&request.description, "Description")?;
        mailbox.address = checked_address(&request.address)?;
        mailbox.phone = text(&request.phone, "Phone")?;
        mailbox.admin_email = email(&request.admin_email, "AdminEmail")?;

        let actor = self.actor(caller).await?;
        let network = self.network_for(&actor, request.network, Act::Read).await?;
        super::guard::require(&actor, Act::Create, Object::Mailbox(network.id, request.id))?;
        not_terminated(
            network.status,
            "NetworkID",
            &format!("network {}", network.id),
        )?;
        if let Some(owner) = request.owner {
            mailbox.contacts.owner = self.assignable_user(&actor, network.id, owner).await?;
        }
        let store = &self.inner.store;
        if request.id.0 != 0 && store.mailbox(request.id).await.map_err(internal)?.is_some() {
            return Err(Error::invalid(
                "MailboxID",
                ParamProblem::Value,
                "a mailbox with this number exists",
            ));
        }
        mailbox.id = store
            .insert_mailbox(&mailbox)
            .await
            .map_err(|e| store_failed(e, "NetworkID", UNIQUE_ID_TAKEN))?;
        tracing::info!(mailbox = %mailbox.id, network = %mailbox.network_id, by = %actor.user, "mailbox created");
        Ok(mailbox)
    }

    /// Changes a mailbox's record and configuration (MailboxAdmin of it and above).
    pub async fn mailbox_update(
        &self,
        caller: &Caller,
        mailbox: MailboxId,
        changes: MailboxChanges,
    ) -> Result<Mailbox, Error> {
        let actor = self.actor(caller).await?;
        let mut found = self.mailbox_for(&actor, mailbox, Act::Change).await?;
        not_terminated(found.status, "MailboxID", &format!("mailbox {mailbox}"))?;
        changes.apply(&mut found)?;
        self.save_mailbox(found).await
    }

    /// Names one of a mailbox's seven contacts; `UserId(0)` clears it. The user must be of
    /// the mailbox's network, unless the caller is an operator.
    pub async fn mailbox_set_contact(
        &self,
        caller: &Caller,
        mailbox: MailboxId,
        kind: ContactType,
        user: UserId,
    ) -> Result<Mailbox, Error> {
        let actor = self.actor(caller).await?;
        let mut found = self.mailbox_for(&actor, mailbox, Act::Change).await?;
        not_terminated(found.status, "MailboxID", &format!("mailbox {mailbox}"))?;
        let user = self.assignable_user(&actor, found.network_id, user).await?;
        found.contacts.set(kind, user);
        self.save_mailbox(found).await
    }

    /// The user named as one of a mailbox's contacts; `NotFound` on `ContactType` if unset.
    pub async fn mailbox_get_contact(
        &self,
        caller: &Caller,
        mailbox: MailboxId,
        kind: ContactType,
    ) -> Result<User, Error> {
        let found = self.mailbox_info(caller, mailbox).await?;
        self.contact_user(found.contacts.get(kind)).await
    }

    /// Activates, suspends or terminates a mailbox (NetworkAdmin of its network and above).
    /// Terminating it terminates its trading-partner IDs too; terminated is final.
    pub async fn mailbox_set_status(
        &self,
        caller: &Caller,
        mailbox: MailboxId,
        status: UserStatus,
    ) -> Result<Mailbox, Error> {
        let actor = self.actor(caller).await?;
        let found = self.mailbox_for(&actor, mailbox, Act::SetStatus).await?;
        not_terminated(found.status, "MailboxID", &format!("mailbox {mailbox}"))?;
        let this = &self.inner;
        this.store
            .set_mailbox_status(mailbox, status, this.clock.now())
            .await
            .map_err(|e| store_failed(e, "MailboxID", UNIQUE_ID_TAKEN))?;
        tracing::info!(mailbox = %mailbox, %status, by = %actor.user, "mailbox status set");
        this.store
            .mailbox(mailbox)
            .await
            .map_err(internal)?
            .ok_or_else(|| Error::not_found("MailboxID"))
    }

    async fn save_mailbox(&self, mut mailbox: Mailbox) -> Result<Mailbox, Error> {
        mailbox.modified = self.inner.clock.now();
        self.inner
            .store
            .update_mailbox(&mailbox)
            .await
            .map_err(|e| store_failed(e, "MailboxID", UNIQUE_ID_TAKEN))?;
        Ok(mailbox)
    }
}
