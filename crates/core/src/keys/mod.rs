//! Keys (SPEC-VAN 20): a small key-value store per object, with optional expiry.
//!
//! Decisions where the contract leaves room:
//! - Keys live on a `System` (number 0), `User`, `Network`, `Mailbox` or `ECGridID` object;
//!   the other `Objects` values are refused by name. Setting and removing need the right to
//!   change the object (operators for `System`); reading needs the right to read it, except
//!   `Public` keys, which every signed-in caller reads.
//! - Visibility is part of a key's address: a `Private` key belongs to the user who set it,
//!   a `Session` key to the session (gone for others and for API keys), `Shared` and
//!   `Public` keys are one per name.
//! - Expired keys are never returned; housekeeping removes them.
//! - Bounded: names of 1 to [`MAX_NAME`] characters, values of at most [`MAX_VALUE`],
//!   meta of [`MAX_META`], at most [`MAX_KEYS_PER_OBJECT`] keys on an object.

pub mod status;
pub mod store;

use std::fmt;
use std::str::FromStr;

use chrono::Duration;
use edigrid_domain::{EcGridId, Error, MailboxId, NetworkId, ParamProblem, UserId};

use self::store::{KeyAddress, KeyEntry};
use crate::directory::access::{Act, Actor};
use crate::service::{Core, internal};
use crate::sessions::Caller;

pub const MAX_NAME: usize = 128;
pub const MAX_VALUE: usize = 8_000;
pub const MAX_META: usize = 1_000;
pub const MAX_KEYS_PER_OBJECT: u32 = 200;
/// The longest life a key is given (100 years), in minutes.
pub const MAX_MINUTES_TO_LIVE: i64 = 100 * 366 * 24 * 60;

macro_rules! names {
    ($ty:ident, $item:literal { $($v:ident),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$v),+];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$v => stringify!($v)),+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self, Error> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
                    .ok_or_else(|| Error::invalid(
                        $item,
                        ParamProblem::Type,
                        format!("{s:?} is not a {} value", $item),
                    ))
            }
        }
    };
}

/// The objects keys are kept on (of the deployed `Objects`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyObject {
    System,
    User,
    Network,
    Mailbox,
    ECGridID,
}

names!(KeyObject, "SystemObject" { System, User, Network, Mailbox, ECGridID });

/// Who sees a key (`KeyVisibility`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyVisibility {
    Private,
    Shared,
    Public,
    Session,
}

names!(KeyVisibility, "Visibility" { Private, Shared, Public, Session });

/// A key as a caller names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRef {
    pub object: KeyObject,
    pub object_id: i64,
    pub visibility: KeyVisibility,
    pub name: String,
}

/// A key to set; `lifetime` `None` never expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySetRequest {
    pub key: KeyRef,
    pub value: String,
    pub meta: String,
    pub lifetime: Option<Duration>,
}

/// An object named by its `Objects` value as the wire spells it; values keys are not kept
/// on are refused with the list of those they are.
pub fn key_object(wire: &str) -> Result<KeyObject, Error> {
    wire.parse().map_err(|_| {
        Error::invalid(
            "SystemObject",
            ParamProblem::Value,
            format!("keys are kept on System, User, Network, Mailbox and ECGridID, not {wire:?}"),
        )
    })
}

/// A lifetime from a count of `unit`s (0: never expires).
pub fn lifetime(n: i64, minutes_per_unit: i64, item: &str) -> Result<Option<Duration>, Error> {
    let minutes = n.checked_mul(minutes_per_unit).unwrap_or(i64::MAX);
    if n < 0 || minutes > MAX_MINUTES_TO_LIVE {
        return Err(Error::invalid(
            item,
            ParamProblem::Value,
            format!(
                "must be 0 (never expires) up to {} days",
                MAX_MINUTES_TO_LIVE / 1440
            ),
        ));
    }
    Ok((n > 0).then(|| Duration::minutes(minutes)))
}

/// A fresh key name for callers that let edigrid name the key (REST `keys/create`):
/// `ek_` and 32 random hex digits.
pub fn generated_key_name() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("ek_{hex}")
}

fn check_len(text: &str, max: usize, item: &str) -> Result<(), Error> {
    if text.chars().count() > max {
        return Err(Error::invalid(
            item,
            ParamProblem::Length,
            format!("is longer than {max} characters"),
        ));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "Key",
            ParamProblem::Value,
            "must be a name without control characters",
        ));
    }
    check_len(name, MAX_NAME, "Key")
}

impl Core {
    /// Checks the caller's right over the object (`write`: to change it) and says whether
    /// it reads every visibility there (false: only `Public` keys).
    async fn key_object_access(
        &self,
        actor: &Actor,
        object: KeyObject,
        id: i64,
        write: bool,
    ) -> Result<(), Error> {
        let act = if write { Act::Change } else { Act::Read };
        let small = |item: &str| {
            i32::try_from(id).ok().filter(|n| *n > 0).ok_or_else(|| {
                Error::invalid(
                    item,
                    ParamProblem::Value,
                    format!("{id} is not a number of one"),
                )
            })
        };
        match object {
            KeyObject::System if id != 0 => Err(Error::invalid(
                "ObjectID",
                ParamProblem::Value,
                "the System object is number 0",
            )),
            KeyObject::System if actor.is_operator() => Ok(()),
            KeyObject::System => Err(Error::AccessDenied(format!(
                "{} may not use the System object's keys",
                actor.level
            ))),
            KeyObject::User => self
                .user_for(actor, UserId(small("ObjectID")?), act)
                .await
                .map(drop),
            KeyObject::Network => self
                .network_for(actor, NetworkId(small("ObjectID")?), act)
                .await
                .map(drop),
            KeyObject::Mailbox => self
                .mailbox_for(actor, MailboxId(small("ObjectID")?), act)
                .await
                .map(drop),
            KeyObject::ECGridID => self
                .partner_for(actor, EcGridId(small("ObjectID")?), act)
                .await
                .map(drop),
        }
    }

    /// The owner part of a key's address for this caller.
    fn key_owner(
        caller: &Caller,
        actor: &Actor,
        visibility: KeyVisibility,
    ) -> Result<String, Error> {
        match visibility {
            KeyVisibility::Private => Ok(actor.user.0.to_string()),
            KeyVisibility::Session => {
                caller
                    .session
                    .as_ref()
                    .map(|s| s.hash.to_hex())
                    .ok_or_else(|| {
                        Error::invalid(
                            "Visibility",
                            ParamProblem::Value,
                            "Session keys need a session, not an API key",
                        )
                    })
            }
            KeyVisibility::Shared | KeyVisibility::Public => Ok(String::new()),
        }
    }

    async fn key_address(
        &self,
        caller: &Caller,
        key: &KeyRef,
        write: bool,
    ) -> Result<KeyAddress, Error> {
        check_name(&key.name)?;
        let actor = self.actor(caller).await?;
        if write || key.visibility != KeyVisibility::Public {
            self.key_object_access(&actor, key.object, key.object_id, write)
                .await?;
        }
        Ok(KeyAddress {
            object: key.object,
            object_id: key.object_id,
            visibility: key.visibility,
            owner: Self::key_owner(caller, &actor, key.visibility)?,
            name: key.name.clone(),
        })
    }

    /// Creates or replaces a key; the stored key.
    pub async fn key_set(&self, caller: &Caller, req: KeySetRequest) -> Result<KeyEntry, Error> {
        check_len(&req.value, MAX_VALUE, "Value")?;
        check_len(&req.meta, MAX_META, "Meta")?;
        let address = self.key_address(caller, &req.key, true).await?;
        let now = self.now();
        let mut entry = KeyEntry {
            id: 0,
            address,
            value: req.value,
            meta: req.meta,
            created: now,
            expires: req.lifetime.map(|d| now + d),
            network_id: caller.network_id,
            mailbox_id: caller.mailbox_id,
            user_id: caller.user_id,
        };
        let store = &self.inner.store;
        match store
            .put_key(&entry, MAX_KEYS_PER_OBJECT, now)
            .await
            .map_err(internal)?
        {
            Some(id) => {
                entry.id = id;
                Ok(entry)
            }
            None => Err(Error::invalid(
                "Key",
                ParamProblem::Value,
                format!(
                    "{} {} already holds {MAX_KEYS_PER_OBJECT} keys",
                    entry.address.object, entry.address.object_id
                ),
            )),
        }
    }

    /// A key; `NotFound` naming `Key` when there is none (or it expired).
    pub async fn key_get(&self, caller: &Caller, key: &KeyRef) -> Result<KeyEntry, Error> {
        let address = self.key_address(caller, key, false).await?;
        self.inner
            .store
            .key(&address, self.now())
            .await
            .map_err(internal)?
            .ok_or_else(|| Error::not_found("Key"))
    }

    /// The keys of an object the caller sees: all of its own and the shared ones where it
    /// may read the object, else the public ones.
    pub async fn key_list(
        &self,
        caller: &Caller,
        object: KeyObject,
        object_id: i64,
    ) -> Result<Vec<KeyEntry>, Error> {
        let actor = self.actor(caller).await?;
        let reads_all = match self
            .key_object_access(&actor, object, object_id, false)
            .await
        {
            Ok(()) => true,
            Err(Error::AccessDenied(_)) => false,
            Err(e) => return Err(e),
        };
        let me = actor.user.0.to_string();
        let session = caller.session.as_ref().map(|s| s.hash.to_hex());
        let all = self
            .inner
            .store
            .object_keys(object, object_id, self.now())
            .await
            .map_err(internal)?;
        Ok(all
            .into_iter()
            .filter(|k| match k.address.visibility {
                KeyVisibility::Public => true,
                _ if !reads_all => false,
                KeyVisibility::Shared => true,
                KeyVisibility::Private => k.address.owner == me,
                KeyVisibility::Session => session.as_deref() == Some(k.address.owner.as_str()),
            })
            .collect())
    }

    /// Removes a key; whether there was one.
    pub async fn key_remove(&self, caller: &Caller, key: &KeyRef) -> Result<bool, Error> {
        let address = self.key_address(caller, key, true).await?;
        self.inner
            .store
            .remove_key(&address, self.now())
            .await
            .map_err(internal)
    }

    /// A key by its number, for the callers that name keys so (REST); out of reach and
    /// missing answer alike.
    pub async fn key_by_id(&self, caller: &Caller, id: i64) -> Result<KeyEntry, Error> {
        let found = self
            .inner
            .store
            .key_by_id(id, self.now())
            .await
            .map_err(internal)?;
        let Some(entry) = found else {
            return Err(Error::not_found("KeyID"));
        };
        let a = &entry.address;
        let key = KeyRef {
            object: a.object,
            object_id: a.object_id,
            visibility: a.visibility,
            name: a.name.clone(),
        };
        match self.key_get(caller, &key).await {
            Ok(mine) if mine.id == entry.id => Ok(entry),
            Ok(_) | Err(Error::NotFound { .. } | Error::AccessDenied(_)) => {
                Err(Error::not_found("KeyID"))
            }
            Err(e) => Err(e),
        }
    }

    /// Removes expired keys (housekeeping); how many.
    pub async fn purge_expired_keys(&self) -> Result<u64, Error> {
        self.inner
            .store
            .purge_expired_keys(self.now())
            .await
            .map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn names_and_bounds() {
        assert_eq!(key_object("mailbox").unwrap(), KeyObject::Mailbox);
        assert!(key_object("Invoice").is_err());
        assert_eq!(
            "Public".parse::<KeyVisibility>().unwrap(),
            KeyVisibility::Public
        );
        assert_eq!(lifetime(0, 1440, "DaysToLive").unwrap(), None);
        assert_eq!(
            lifetime(2, 1440, "DaysToLive").unwrap(),
            Some(Duration::days(2))
        );
        assert!(lifetime(-1, 1, "MinutesToLive").is_err());
        assert!(lifetime(i64::MAX, 1440, "DaysToLive").is_err());
        assert!(check_name("").is_err());
        assert!(check_name("a\u{1}").is_err());
        assert!(check_name(&"k".repeat(MAX_NAME + 1)).is_err());
        assert!(check_name("colour").is_ok());
    }
}
