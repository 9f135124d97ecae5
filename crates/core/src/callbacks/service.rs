//! The callback services every front end calls: register, read, change, list, test,
//! re-arm (SPEC-VAN 20). A registration is about a network, a mailbox or an ECGridID, and
//! whoever administers that object (`directory::access`, `Act::Change`) registers and
//! changes it; whoever reads it sees the registration and its deliveries. The secret is
//! never in a list: [`Core::callback_add`] returns it once, and operators read it with
//! `edigrid callback show`.

use edigrid_domain::{EcGridId, Error, MailboxId, NetworkId, ParamProblem, ParcelId};

use super::model::{
    Delivery, DeliveryFilter, DeliveryStatus, EventKind, Registration, RegistrationStatus, Scope,
};
use super::rules::{check_url, new_secret};
use super::store::RegistrationFilter;
use crate::directory::access::{Act, Actor, Object, Reach, permits, reach};
use crate::directory::guard::out_of_reach;
use crate::directory::model::{Page, Paged};
use crate::service::{Core, internal};
use crate::sessions::Caller;
use crate::store::StoreError;

/// Longest user or password accepted.
const MAX_CREDENTIAL_LEN: usize = 200;
/// Most retries a registration may ask for.
pub const MAX_RETRIES: i16 = 20;
/// Retries when a request does not say (upstream's default).
pub const DEFAULT_RETRIES: i16 = 3;

/// A new registration as a front end reads it.
#[derive(Debug, Clone, Default)]
pub struct CallbackRequest {
    /// The object it is about: an ECGridID wins over a mailbox, a mailbox over a network;
    /// none = the caller's own mailbox (or network, for network users).
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    pub ecgrid_id: Option<EcGridId>,
    pub event: String,
    pub url: String,
    pub auth_user: String,
    pub auth_password: String,
    pub retries: Option<i16>,
    pub status: Option<RegistrationStatus>,
}

/// Changes to a registration; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CallbackChanges {
    pub event: Option<String>,
    pub url: Option<String>,
    /// New credentials (an empty user removes them).
    pub auth: Option<(String, String)>,
    pub retries: Option<i16>,
    pub status: Option<RegistrationStatus>,
}

/// A list of deliveries as a front end asks for it.
#[derive(Debug, Clone)]
pub struct DeliveryQuery {
    pub filter: DeliveryFilter,
    pub page: Page,
}

fn event_of(raw: &str) -> Result<EventKind, Error> {
    raw.parse().map_err(|()| {
        let names: Vec<&str> = EventKind::ALL.iter().map(|e| e.as_str()).collect();
        Error::invalid(
            "Event",
            ParamProblem::Value,
            format!(
                "{raw:?} is not a callback event here (one of {})",
                names.join(", ")
            ),
        )
    })
}

fn retries_of(n: Option<i16>) -> Result<i16, Error> {
    let n = n.unwrap_or(DEFAULT_RETRIES);
    if !(0..=MAX_RETRIES).contains(&n) {
        return Err(Error::invalid(
            "Retries",
            ParamProblem::Value,
            format!("must be between 0 and {MAX_RETRIES}"),
        ));
    }
    Ok(n)
}

fn credentials(user: &str, password: &str) -> Result<(String, String), Error> {
    if user.len() > MAX_CREDENTIAL_LEN || password.len() > MAX_CREDENTIAL_LEN {
        return Err(Error::invalid(
            "HTTPUser",
            ParamProblem::Length,
            format!("user and password are at most {MAX_CREDENTIAL_LEN} characters"),
        ));
    }
    if user.contains(':') {
        return Err(Error::invalid(
            "HTTPUser",
            ParamProblem::Value,
            "may not contain ':' (HTTP Basic)",
        ));
    }
    if user.trim().is_empty() {
        return Ok((String::new(), String::new()));
    }
    Ok((user.trim().to_string(), password.to_string()))
}

fn object_of(scope: Scope) -> Object {
    match scope {
        Scope::Network(n) => Object::Network(n),
        Scope::Mailbox(n, m) => Object::Mailbox(n, m),
        Scope::EcGridId(n, m, _) => Object::Partner(n, m),
    }
}

fn store_failed(e: StoreError) -> Error {
    match e {
        StoreError::Missing(_) => Error::not_found("CallBackEventID"),
        other => internal(other),
    }
}

impl Core {
    fn allow_private(&self) -> bool {
        self.parcel_policy().callback_allow_private
    }

    /// The scope a request names, loaded with authority to change it.
    async fn scope_for(&self, actor: &Actor, r: &CallbackRequest) -> Result<Scope, Error> {
        if let Some(id) = r.ecgrid_id.filter(|e| e.0 != 0) {
            let p = self.partner_for(actor, id, Act::Change).await?;
            return Ok(Scope::EcGridId(p.network_id, p.mailbox_id, id));
        }
        let mailbox = r.mailbox.filter(|m| m.0 != 0);
        let network = r.network.filter(|n| n.0 != 0);
        if let Some(m) = mailbox {
            let mb = self
                .mailbox_as(actor, m, Act::Change, |mb| {
                    Object::Mailbox(mb.network_id, mb.id)
                })
                .await?;
            return Ok(Scope::Mailbox(mb.network_id, mb.id));
        }
        if let Some(n) = network {
            let net = self.network_for(actor, n, Act::Change).await?;
            return Ok(Scope::Network(net.id));
        }
        let scope = if actor.mailbox.0 != 0 {
            Scope::Mailbox(actor.network, actor.mailbox)
        } else if actor.network.0 != 0 {
            Scope::Network(actor.network)
        } else {
            return Err(Error::invalid(
                "MailboxID",
                ParamProblem::Value,
                "name the network, mailbox or ECGridID the callback is about",
            ));
        };
        self.require_scope(actor, scope, Act::Change)?;
        Ok(scope)
    }

    fn require_scope(&self, actor: &Actor, scope: Scope, act: Act) -> Result<(), Error> {
        if permits(actor, act, object_of(scope)) {
            return Ok(());
        }
        Err(Error::AccessDenied(format!(
            "{} may not manage callbacks of {}",
            actor.level,
            match scope {
                Scope::Network(n) => format!("network {n}"),
                Scope::Mailbox(_, m) => format!("mailbox {m}"),
                Scope::EcGridId(_, _, e) => format!("ECGridID {e}"),
            }
        )))
    }

    /// A registration loaded for `act`; out of reach and missing answer alike.
    async fn registration_as(
        &self,
        actor: &Actor,
        id: i64,
        act: Act,
    ) -> Result<Registration, Error> {
        let found = self.inner.store.registration(id).await.map_err(internal)?;
        let Some(r) = found.filter(|r| permits(actor, Act::Read, object_of(r.scope))) else {
            return Err(if actor.is_operator() {
                Error::not_found("CallBackEventID")
            } else {
                out_of_reach("CallBackEventID", id)
            });
        };
        self.require_scope(actor, r.scope, act)?;
        Ok(r)
    }

    /// Registers a callback; the answer carries the secret, shown this once.
    pub async fn callback_add(
        &self,
        caller: &Caller,
        r: CallbackRequest,
    ) -> Result<Registration, Error> {
        let actor = self.actor(caller).await?;
        let event = event_of(&r.event)?;
        let url = check_url(&r.url, self.allow_private())?;
        let retries = retries_of(r.retries)?;
        let (auth_user, auth_password) = credentials(&r.auth_user, &r.auth_password)?;
        let scope = self.scope_for(&actor, &r).await?;
        let now = self.now();
        let mut reg = Registration {
            id: 0,
            scope,
            event,
            url,
            auth_user,
            auth_password,
            retries,
            secret: new_secret(),
            status: r.status.unwrap_or(RegistrationStatus::Active),
            created_by: actor.user,
            created: now,
            modified: now,
        };
        if reg.status == RegistrationStatus::Terminated {
            return Err(Error::invalid(
                "Status",
                ParamProblem::Value,
                "a new callback cannot be Terminated",
            ));
        }
        reg.id = self
            .inner
            .store
            .insert_registration(&reg)
            .await
            .map_err(internal)?;
        Ok(reg)
    }

    pub async fn callback_get(&self, caller: &Caller, id: i64) -> Result<Registration, Error> {
        let actor = self.actor(caller).await?;
        self.registration_as(&actor, id, Act::Read).await
    }

    /// The registrations the caller sees, in a network or mailbox when named.
    pub async fn callback_list(
        &self,
        caller: &Caller,
        network: Option<NetworkId>,
        mailbox: Option<MailboxId>,
        inactive: bool,
    ) -> Result<Vec<Registration>, Error> {
        let actor = self.actor(caller).await?;
        let filter = RegistrationFilter {
            network: network.filter(|n| n.0 != 0),
            mailbox: mailbox.filter(|m| m.0 != 0),
            inactive,
        };
        let all = self
            .inner
            .store
            .list_registrations(&filter)
            .await
            .map_err(internal)?;
        Ok(all
            .into_iter()
            .filter(|r| permits(&actor, Act::Read, object_of(r.scope)))
            .collect())
    }

    pub async fn callback_update(
        &self,
        caller: &Caller,
        id: i64,
        changes: CallbackChanges,
    ) -> Result<Registration, Error> {
        let actor = self.actor(caller).await?;
        let mut r = self.registration_as(&actor, id, Act::Change).await?;
        if r.status == RegistrationStatus::Terminated {
            return Err(Error::invalid(
                "CallBackEventID",
                ParamProblem::Value,
                "the callback is terminated; terminated is final",
            ));
        }
        if let Some(event) = &changes.event {
            r.event = event_of(event)?;
        }
        if let Some(url) = &changes.url {
            r.url = check_url(url, self.allow_private())?;
        }
        if let Some((user, password)) = &changes.auth {
            (r.auth_user, r.auth_password) = credentials(user, password)?;
        }
        if changes.retries.is_some() {
            r.retries = retries_of(changes.retries)?;
        }
        if let Some(status) = changes.status {
            r.status = status;
        }
        r.modified = self.now();
        self.inner
            .store
            .update_registration(&r)
            .await
            .map_err(store_failed)?;
        Ok(r)
    }

    /// `CallBackEventSetStatus`: `Active` also re-arms the registration's failed deliveries.
    pub async fn callback_set_status(
        &self,
        caller: &Caller,
        id: i64,
        status: RegistrationStatus,
    ) -> Result<Registration, Error> {
        let changes = CallbackChanges {
            status: Some(status),
            ..CallbackChanges::default()
        };
        self.callback_update(caller, id, changes).await
    }

    /// Queues a test event to the registration's URL (sent while it is active).
    pub async fn callback_test(
        &self,
        caller: &Caller,
        id: i64,
        parcel: ParcelId,
    ) -> Result<Delivery, Error> {
        let actor = self.actor(caller).await?;
        let r = self.registration_as(&actor, id, Act::Change).await?;
        self.inner
            .store
            .queue_test(r.id, parcel, self.now())
            .await
            .map_err(store_failed)
    }

    /// One delivery, seen by whoever sees its registration.
    pub async fn callback_delivery(&self, caller: &Caller, id: i64) -> Result<Delivery, Error> {
        let actor = self.actor(caller).await?;
        let found = self.inner.store.delivery(id).await.map_err(internal)?;
        let missing = || {
            if actor.is_operator() {
                Error::not_found("CallBackQueueID")
            } else {
                out_of_reach("CallBackQueueID", id)
            }
        };
        let d = found.ok_or_else(missing)?;
        self.registration_as(&actor, d.registration_id, Act::Read)
            .await
            .map_err(|_| missing())?;
        Ok(d)
    }

    /// The start of a queue list's window of `MaxDays` days back from now (`None` or 0: no
    /// window); a negative count is refused.
    pub fn deliveries_since(
        &self,
        max_days: Option<i32>,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, Error> {
        match max_days {
            Some(d) if d < 0 => Err(Error::invalid(
                "MaxDays",
                ParamProblem::Value,
                "must not be negative",
            )),
            Some(0) | None => Ok(None),
            Some(d) => Ok(Some(self.now() - chrono::Duration::days(i64::from(d)))),
        }
    }

    /// Deliveries in the caller's reach: operators see all; others must name, or default to,
    /// their own network or mailbox.
    pub async fn callback_deliveries(
        &self,
        caller: &Caller,
        mut q: DeliveryQuery,
    ) -> Result<Paged<Delivery>, Error> {
        let actor = self.actor(caller).await?;
        if let Some(reg) = q.filter.registration {
            self.registration_as(&actor, reg, Act::Read).await?;
        } else if !actor.is_operator() {
            match (q.filter.mailbox, reach(&actor)) {
                (Some(m), _) => {
                    let mb = self.mailbox_for(&actor, m, Act::Read).await?;
                    q.filter.network = Some(mb.network_id);
                }
                (None, Reach::Network(own)) => {
                    if let Some(n) = q.filter.network.filter(|n| *n != own) {
                        return Err(out_of_reach("NetworkID", n));
                    }
                    q.filter.network = Some(own);
                }
                (None, Reach::Mailbox(n, m)) => {
                    q.filter.network = Some(n);
                    q.filter.mailbox = Some(m);
                }
                (None, _) => {
                    return Err(Error::AccessDenied(format!(
                        "{} may not read callback deliveries",
                        actor.level
                    )));
                }
            }
            // Below the network's level only the mailbox's own registrations are readable
            // (registration_as): a delivery of a network registration, though made for an
            // event of this mailbox, names a URL the mailbox may not see.
            if let Reach::Mailbox(_, own) = reach(&actor) {
                q.filter.registered_in = Some(own);
            }
        }
        self.inner
            .store
            .list_deliveries(&q.filter, q.page)
            .await
            .map_err(internal)
    }

    /// Sends a failed (or cancelled) delivery again, with its registration's retries.
    pub async fn callback_retry(&self, caller: &Caller, id: i64) -> Result<Delivery, Error> {
        let d = self.callback_delivery(caller, id).await?;
        let actor = self.actor(caller).await?;
        self.registration_as(&actor, d.registration_id, Act::Change)
            .await?;
        if !matches!(d.status, DeliveryStatus::Failed | DeliveryStatus::Canceled) {
            return Err(Error::invalid(
                "CallBackQueueID",
                ParamProblem::Value,
                format!(
                    "delivery {id} is {}; only a failed or cancelled one is sent again",
                    d.status
                ),
            ));
        }
        self.inner
            .store
            .rearm_delivery(id, self.now())
            .await
            .map_err(internal)?;
        self.callback_delivery(caller, id).await
    }
}
