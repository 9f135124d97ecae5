//! edigrid's services. They know sessions, users and permissions; they know nothing of
//! HTTP, XML, JSON or SQL. Front ends call them; stores implement [`Store`] for them.

mod accounts;
pub mod callbacks;
mod client_address;
mod clock;
mod directory;
mod events;
pub mod keys;
mod login;
pub mod parcels;
mod passwords;
mod permissions;
mod policy;
pub mod relations;
pub mod reports;
pub mod sandbox;
mod service;
mod session_cache;
mod session_log;
mod sessions;
pub mod store;
mod throttle;

pub use accounts::{LockedOutUser, MAX_SESSIONS_LIMIT, SessionCap};
pub use client_address::client_address;
pub use clock::{Clock, ManualClock, SystemClock};
pub use directory::model::{
    Address, Contacts, MAX_PAGE_SIZE, Mailbox, MailboxConfig, MailboxFilter, Network,
    NetworkFilter, Page, Paged, PartnerDetail, PartnerFilter, PartnerOrder, TradingPartner,
    UserFilter, Websites,
};
pub use directory::{
    AddressChanges, MAX_INBOX_TIMEOUT_MINUTES, MailboxChanges, MailboxCreateRequest,
    NetworkChanges, NetworkCreateRequest, NewUserRequest, PartnerAddRequest, PartnerChanges,
    PartnerScope, SessionRevocation, UserChanges, UserCreateRequest,
};
pub use events::{CallRecord, EVENTS_KEPT_PER_SESSION};
pub use login::{ClientInfo, LoginRequest, Protocol, SenderInfo};
pub use parcels::store::ParcelStore;
pub use parcels::{
    DownloadMode, Downloaded, InterchangeQuery, ParcelDetail, ParcelQuery, ParcelView,
    UploadOutcome, UploadReceipt, UploadRequest,
};
pub use passwords::{PasswordHasher, generate_password};
pub use permissions::may_view_user;
pub use policy::{LoginPolicy, OverCapPolicy, ParcelPolicy, RequireInterconnect, SessionPolicy};
pub use service::Core;
pub use session_log::{
    CreatedBetween, SessionActivity, SessionLogEntry, SessionLogLimit, SessionState,
};
pub use sessions::{
    Caller, Credential, EndedSession, SessionSummary, WhoAmI, api_key_expiry, looks_like_api_key,
};
pub use store::{DirectoryStore, Store, StoreError};
