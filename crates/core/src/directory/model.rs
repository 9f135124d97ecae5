//! The directory's records as the services see them (SPEC-VAN 13). One record per object
//! serves all three wire shapes; each front end picks and names its fields.

use chrono::{DateTime, Utc};
use edigrid_domain::{
    ContactType, EcGridId, Error, MailboxId, NetworkId, ParamProblem, RoutingGroup, UseType,
    UserId, UserStatus, X12Delimiters,
};

/// A postal address, as the documented dialect and REST carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
}

/// The seven contact users of a network or mailbox; `UserId(0)` where none is set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Contacts {
    pub owner: UserId,
    pub errors: UserId,
    pub interconnects: UserId,
    pub notices: UserId,
    pub reports: UserId,
    pub accounting: UserId,
    pub customer_service: UserId,
}

impl Contacts {
    pub fn get(&self, kind: ContactType) -> UserId {
        match kind {
            ContactType::Owner => self.owner,
            ContactType::Errors => self.errors,
            ContactType::Interconnects => self.interconnects,
            ContactType::Notices => self.notices,
            ContactType::Reports => self.reports,
            ContactType::Accounting => self.accounting,
            ContactType::CustomerService => self.customer_service,
        }
    }

    pub fn set(&mut self, kind: ContactType, user: UserId) {
        let slot = match kind {
            ContactType::Owner => &mut self.owner,
            ContactType::Errors => &mut self.errors,
            ContactType::Interconnects => &mut self.interconnects,
            ContactType::Notices => &mut self.notices,
            ContactType::Reports => &mut self.reports,
            ContactType::Accounting => &mut self.accounting,
            ContactType::CustomerService => &mut self.customer_service,
        };
        *slot = user;
    }
}

/// A network's home, support and login websites.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Websites {
    pub home: String,
    pub support: String,
    pub login: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// Given by the operator, or assigned by the store when created as `NetworkId(0)`.
    pub id: NetworkId,
    pub name: String,
    /// The documented dialect's `UniqueID` (a short code); empty when not given.
    pub unique_id: String,
    /// The deployed dialect's free-text `Location`.
    pub location: String,
    pub address: Address,
    pub phone: String,
    pub admin_email: String,
    pub websites: Websites,
    pub status: UserStatus,
    pub contacts: Contacts,
    pub x12: X12Delimiters,
    /// Delete parcel content once its download is confirmed (mailboxes may also ask).
    pub delete_on_download: bool,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
}

impl Network {
    /// A new active network with every optional field empty.
    pub fn new(id: NetworkId, name: String, now: DateTime<Utc>) -> Self {
        Network {
            id,
            name,
            unique_id: String::new(),
            location: String::new(),
            address: Address::default(),
            phone: String::new(),
            admin_email: String::new(),
            websites: Websites::default(),
            status: UserStatus::Active,
            contacts: Contacts::default(),
            x12: X12Delimiters::default(),
            delete_on_download: false,
            created: now,
            modified: now,
        }
    }
}

/// A mailbox's configuration (the deployed `MailboxConfig`, plus the documented
/// dialect's notification settings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailboxConfig {
    /// Minutes a downloaded, unconfirmed parcel waits before it is ready again; 0 = never.
    pub inbox_timeout_minutes: i16,
    /// Delimiters imposed on X12 received here; unset ones fall back to the network's.
    pub x12: X12Delimiters,
    pub ebcdic_filter: i16,
    pub ftp_ascii_filter: bool,
    pub low_pass_filter: bool,
    pub mailbag_pass_through: bool,
    pub delete_on_download: bool,
    pub strip_directed_envelope: bool,
    pub notify_email: String,
    pub notify_on_inbox: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mailbox {
    /// Unique in the whole service; assigned by the store when created as `MailboxId(0)`.
    pub id: MailboxId,
    pub network_id: NetworkId,
    pub name: String,
    /// The documented dialect's `UniqueID`: unique (case-insensitively) in its network when
    /// not empty.
    pub unique_id: String,
    pub description: String,
    pub address: Address,
    pub phone: String,
    pub admin_email: String,
    pub status: UserStatus,
    pub contacts: Contacts,
    pub managed: bool,
    pub use_type: UseType,
    pub config: MailboxConfig,
    pub default_as2_id: String,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
}

impl Mailbox {
    /// A new active mailbox with every optional field empty.
    pub fn new(id: MailboxId, network_id: NetworkId, name: String, now: DateTime<Utc>) -> Self {
        Mailbox {
            id,
            network_id,
            name,
            unique_id: String::new(),
            description: String::new(),
            address: Address::default(),
            phone: String::new(),
            admin_email: String::new(),
            status: UserStatus::Active,
            contacts: Contacts::default(),
            managed: false,
            use_type: UseType::Undefined,
            config: MailboxConfig::default(),
            default_as2_id: String::new(),
            created: now,
            modified: now,
        }
    }
}

/// A registered trading-partner ID (ECGridID): a `qualifier:ID` pair owned by a mailbox.
#[derive(Debug, Clone, PartialEq)]
pub struct TradingPartner {
    /// Assigned by the store from a sequence when created as `EcGridId(0)`.
    pub ecgrid_id: EcGridId,
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    /// As given (compared upper-case).
    pub qualifier: String,
    /// As given, trailing spaces dropped (compared upper-case).
    pub id: String,
    pub description: String,
    pub status: UserStatus,
    pub data_email: String,
    pub routing_group: RoutingGroup,
    /// The mailbox's default ID (at most one per mailbox).
    pub is_default: bool,
    /// The user who owns the registration; `UserId(0)` if none.
    pub owner: UserId,
    /// Registered with `TPAddVAN`: the pair lives on another network, reachable only
    /// through an interconnect.
    pub van: bool,
    /// A sandbox partner that answers what it receives (SPEC-VAN 21).
    pub simulated: bool,
    /// Delimiters imposed on X12 this ID receives; unset ones fall back to its mailbox's,
    /// then its network's.
    pub x12: X12Delimiters,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
}

/// A trading-partner ID with what describing it takes: its network's name, its mailbox and
/// its owner, each `None` where there is none. From the core, each is also `None` where the
/// caller may not read it.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerDetail {
    pub partner: TradingPartner,
    pub network_name: Option<String>,
    pub mailbox: Option<Mailbox>,
    pub owner: Option<crate::store::User>,
}

/// What routing reads of an ID at once: the active ID, its mailbox and that mailbox's
/// network's X12 delimiters (`None` where there is no such mailbox or network).
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerRoute {
    pub partner: TradingPartner,
    pub mailbox: Option<Mailbox>,
    pub network_x12: Option<edigrid_domain::X12Delimiters>,
}

/// Which page of a list: `number` from 1, `size` from 1 to [`MAX_PAGE_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: u32,
    pub size: u32,
}

/// Largest page any list serves (SPEC-VAN 19).
pub const MAX_PAGE_SIZE: u32 = 500;

impl Page {
    pub fn first(size: u32) -> Self {
        Page { number: 1, size }
    }

    /// Checks a page as the wire gives it: `page_no` 0 (not given) is the first page and
    /// `per_page` 0 is `default_size`; a negative number, or more than [`MAX_PAGE_SIZE`]
    /// per page, is `InvalidParameter` naming `PageNo` or `RecordsPerPage`.
    pub fn parse(page_no: i32, per_page: i32, default_size: u32) -> Result<Self, Error> {
        let number = match u32::try_from(page_no) {
            Ok(0) => 1,
            Ok(n) => n,
            Err(_) => {
                return Err(Error::invalid(
                    "PageNo",
                    ParamProblem::Value,
                    "must be 1 or more",
                ));
            }
        };
        let size = match u32::try_from(per_page) {
            Ok(0) => default_size.clamp(1, MAX_PAGE_SIZE),
            Ok(n) if n <= MAX_PAGE_SIZE => n,
            _ => {
                return Err(Error::invalid(
                    "RecordsPerPage",
                    ParamProblem::Value,
                    format!("must be between 1 and {MAX_PAGE_SIZE}"),
                ));
            }
        };
        Ok(Page { number, size })
    }

    /// Rows to skip before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.number.saturating_sub(1)) * u64::from(self.size)
    }
}

/// One page of a list and the number of records in the whole list.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
}

impl<T> Paged<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
        }
    }

    /// Pages needed for the whole list at `size` per page.
    pub fn pages(&self, size: u32) -> u64 {
        self.total.div_ceil(u64::from(size.max(1)))
    }
}

/// Which networks a list shows, ordered by NetworkID.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkFilter {
    /// Only this network (the caller's own, for network-scoped callers).
    pub network: Option<NetworkId>,
    pub status: Option<UserStatus>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
    /// Leave out terminated networks.
    pub hide_terminated: bool,
}

/// Which mailboxes a list shows, ordered by MailboxID.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MailboxFilter {
    pub network: Option<NetworkId>,
    /// Only this mailbox (for mailbox-scoped callers).
    pub mailbox: Option<MailboxId>,
    pub status: Option<UserStatus>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
    pub hide_terminated: bool,
}

/// Which users a list shows, ordered by UserID.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserFilter {
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    pub auth_level: Option<edigrid_domain::AuthLevel>,
    pub status: Option<UserStatus>,
    /// Case-insensitive substring of the login name, first or last name.
    pub name_contains: Option<String>,
    pub hide_terminated: bool,
}

/// How a list of trading-partner IDs is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PartnerOrder {
    /// By ECGridID (the default).
    #[default]
    EcGridId,
    /// By description, then ECGridID (`OrderBy.Description`).
    Description,
    /// By qualifier and ID, then ECGridID (`OrderBy.QID`).
    QualifierId,
}

/// Which trading-partner IDs a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartnerFilter {
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    pub owner: Option<UserId>,
    /// Upper-case qualifier to match exactly (`None`: any qualifier).
    pub qualifier_key: Option<String>,
    /// ID key (see `edigrid_domain::partner_id_key`) to match exactly.
    pub id_key: Option<String>,
    /// Case-insensitive substring of the description.
    pub description_contains: Option<String>,
    /// Only these statuses; empty = every status.
    pub statuses: Vec<UserStatus>,
    pub simulated: Option<bool>,
    pub order: PartnerOrder,
}
