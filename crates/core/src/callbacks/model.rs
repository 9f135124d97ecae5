//! Callback registrations and their deliveries as the core keeps them (SPEC-VAN 20).

use chrono::{DateTime, Utc};
use edigrid_domain::{EcGridId, MailboxId, NetworkId, ParcelId, UserId};

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = ();

            /// Case-insensitive, as clients spell enum values loosely.
            fn from_str(s: &str) -> Result<Self, ()> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
                    .ok_or(())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// What a registration listens for. `Parcel` (the upstream `Objects` value) is every
    /// parcel event at once.
    EventKind {
        /// A parcel was delivered to the mailbox's inbox.
        InBox = "InBox",
        /// An uploaded parcel had every interchange delivered.
        OutBox = "OutBox",
        /// An interchange meant for the mailbox was not delivered to it.
        InBoxError = "InBoxError",
        /// An uploaded parcel had some interchange not delivered.
        OutBoxError = "OutBoxError",
        /// The download of an inbound parcel was confirmed.
        ConfirmDelivery = "ConfirmDelivery",
        Parcel = "Parcel",
    }
);

named_enum!(
    /// A registration's status (the upstream `Status` values that apply).
    RegistrationStatus {
        Active = "Active",
        /// Deliveries wait; setting `Active` again sends them and re-arms failed ones.
        Suspended = "Suspended",
        /// Final: pending deliveries are cancelled and nothing new is queued.
        Terminated = "Terminated",
    }
);

named_enum!(
    /// Where one delivery is.
    DeliveryStatus {
        Pending = "Pending",
        /// Claimed by a node that is sending it; reclaimed when its lease runs out.
        Sending = "Sending",
        Delivered = "Delivered",
        /// Every attempt failed; re-armed by `CallBackEventSetStatus` or `callback retry`.
        Failed = "Failed",
        Canceled = "Canceled",
    }
);

/// What a registration is about: a network, a mailbox or one ECGridID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Network(NetworkId),
    Mailbox(NetworkId, MailboxId),
    EcGridId(NetworkId, MailboxId, EcGridId),
}

impl Scope {
    /// The one indexed column events are matched on.
    pub fn key(self) -> String {
        match self {
            Scope::Network(n) => network_key(n),
            Scope::Mailbox(_, m) => mailbox_key(m),
            Scope::EcGridId(_, _, e) => ecgrid_key(e),
        }
    }

    pub fn network(self) -> NetworkId {
        match self {
            Scope::Network(n) | Scope::Mailbox(n, _) | Scope::EcGridId(n, _, _) => n,
        }
    }

    pub fn mailbox(self) -> MailboxId {
        match self {
            Scope::Network(_) => MailboxId(0),
            Scope::Mailbox(_, m) | Scope::EcGridId(_, m, _) => m,
        }
    }

    pub fn ecgrid_id(self) -> EcGridId {
        match self {
            Scope::EcGridId(_, _, e) => e,
            _ => EcGridId(0),
        }
    }
}

pub fn network_key(n: NetworkId) -> String {
    format!("n:{}", n.0)
}
pub fn mailbox_key(m: MailboxId) -> String {
    format!("m:{}", m.0)
}
pub fn ecgrid_key(e: EcGridId) -> String {
    format!("e:{}", e.0)
}

/// A registration as stored. The password and secret are kept as given: the server needs
/// them in clear to authenticate and sign; they are never listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub id: i64,
    pub scope: Scope,
    pub event: EventKind,
    pub url: String,
    /// HTTP Basic credentials; empty user = none.
    pub auth_user: String,
    pub auth_password: String,
    /// Attempts after the first before a delivery fails.
    pub retries: i16,
    /// `whsec_` and base64: the Standard Webhooks signing key.
    pub secret: String,
    pub status: RegistrationStatus,
    pub created_by: UserId,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
}

/// An event that happened, for the registrations whose scope key is among `keys`.
#[derive(Debug, Clone, PartialEq)]
pub struct Raised {
    pub kind: EventKind,
    pub parcel: ParcelId,
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    pub ecgrid_id: EcGridId,
    pub file_name: String,
    pub at: DateTime<Utc>,
    pub keys: Vec<String>,
}

/// One delivery of one event to one registration.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub registration_id: i64,
    pub event: EventKind,
    pub network_id: NetworkId,
    pub mailbox_id: MailboxId,
    pub ecgrid_id: EcGridId,
    pub parcel_id: ParcelId,
    pub file_name: String,
    pub test: bool,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub calls_remaining: i32,
    /// When it is due (pending) or when its claim runs out (sending).
    pub next_at: DateTime<Utc>,
    pub created: DateTime<Utc>,
    pub last_attempt: Option<DateTime<Utc>>,
    /// The last HTTP status; 0 when no answer came.
    pub last_http: i32,
    pub last_error: String,
    /// The registration's URL, read with the record.
    pub url: String,
}

/// A claimed delivery with what sending it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub delivery: Delivery,
    pub auth_user: String,
    pub auth_password: String,
    pub secret: String,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Delivered,
    RetryAt(DateTime<Utc>),
    Failed,
}

/// The result of one attempt, recorded only if the claim (`attempt`) is still the latest.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempted {
    pub id: i64,
    pub attempt: i32,
    pub at: DateTime<Utc>,
    pub http: i32,
    pub error: String,
    pub next: Next,
}

/// Which deliveries a list shows, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryFilter {
    pub registration: Option<i64>,
    /// Only deliveries of registrations made for this mailbox (for the mailbox itself or
    /// one of its IDs), not those of its network's registrations.
    pub registered_in: Option<MailboxId>,
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    pub statuses: Vec<DeliveryStatus>,
    /// `created` at or after.
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub event: Option<EventKind>,
}
