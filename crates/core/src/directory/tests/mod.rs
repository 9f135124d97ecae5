//! Service tests of the directory over a store in memory: permissions as the front ends
//! meet them, validation, and the lifecycle rules.

mod detail;
mod mailboxes;
mod mem_store;
mod mem_users;
mod networks;
mod partners;
mod users;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use edigrid_domain::{AuthLevel, Error, MailboxId, NetworkId, UserId};

use crate::directory::NewUserRequest;
use crate::policy::{LoginPolicy, SessionPolicy};
use crate::sessions::{Caller, Credential};
use crate::store::Person;
use crate::{Core, ManualClock};
use mem_store::MemStore;

pub const PASSWORD: &str = "Secret#123";

/// Networks 1 and 2; mailboxes 10 and 11 in network 1, 20 in network 2.
pub struct World {
    pub core: Core,
    pub store: Arc<MemStore>,
    pub clock: ManualClock,
}

impl World {
    pub async fn new() -> World {
        Self::with_cache_lease(std::time::Duration::ZERO).await
    }

    /// With session copies (and the identities kept beside them) served for `lease`.
    pub async fn with_cache_lease(lease: std::time::Duration) -> World {
        let store = Arc::new(MemStore::default());
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
        let sessions = SessionPolicy {
            cache_lease: lease,
            ..SessionPolicy::default()
        };
        let logins = LoginPolicy {
            max_concurrent_hashes: 2,
            hash_thread_idle: false,
            ..LoginPolicy::default()
        };
        let core = Core::new(store.clone(), Arc::new(clock.clone()), sessions, logins).unwrap();
        for n in [1, 2] {
            core.add_network(NetworkId(n), &format!("Network {n}"))
                .await
                .unwrap();
        }
        for (n, m) in [(1, 10), (1, 11), (2, 20)] {
            core.add_mailbox(NetworkId(n), MailboxId(m), &format!("Mailbox {m}"))
                .await
                .unwrap();
        }
        World { core, store, clock }
    }

    /// A user of `level` in mailbox `mailbox`, and a caller signed in as them.
    pub async fn user(&self, login: &str, level: AuthLevel, mailbox: i32) -> Caller {
        let network = if mailbox == 20 { 2 } else { 1 };
        let id = self
            .core
            .add_user(NewUserRequest {
                login: login.into(),
                password: PASSWORD.into(),
                network_id: NetworkId(network),
                mailbox_id: MailboxId(mailbox),
                auth_level: level,
                person: Person::default(),
            })
            .await
            .unwrap();
        caller(id, network, mailbox)
    }
}

pub fn caller(id: UserId, network: i32, mailbox: i32) -> Caller {
    Caller {
        user_id: id,
        network_id: NetworkId(network),
        mailbox_id: MailboxId(mailbox),
        session: None,
        credential: Credential::BearerToken,
    }
}

pub fn operator() -> Caller {
    Caller::operator()
}

/// Asserts an `AccessDenied` and returns its text.
#[track_caller]
pub fn denied<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::AccessDenied(text)) => text,
        other => panic!("expected AccessDenied, got {other:?}"),
    }
}

/// Asserts an `InvalidParameter` on `item` and returns its detail.
#[track_caller]
pub fn invalid<T: std::fmt::Debug>(result: Result<T, Error>, item: &str) -> String {
    match result {
        Err(Error::InvalidParameter {
            item: got, detail, ..
        }) if got == item => detail,
        other => panic!("expected InvalidParameter on {item}, got {other:?}"),
    }
}
