//! A parcel's life after its upload (SPEC-VAN 17, 18): download, confirm, reset, cancel,
//! resend, states set by operators, notes, local status, mailbag IDs, its manifest, and
//! the housekeeping that returns stale downloads and removes old content. Every state
//! change is a compare-and-set in the store with its manifest entry.

use edigrid_domain::{
    Direction, Error, InterchangeStatus, ManifestType, ParamProblem, ParcelId, ParcelState,
    UserStatus,
};

use super::access::{Need, works_box};
use super::api::{DownloadMode, Downloaded};
use super::model::{
    Interchange, ManifestEntry, NewParcel, Parcel, ParcelNote, Redelivery, StateChange,
};
use super::routing::{Rewrite, rewrite_for, wanted_delimiters};
use super::upload::sha256;
use crate::directory::access::Actor;
use crate::directory::guard::text;
use crate::service::{Core, internal};
use crate::sessions::Caller;
use crate::store::StoreError;

/// Longest note or subject.
pub const MAX_NOTE_LEN: usize = 4000;

/// A parcel's store failure: a vanished parcel is `NotFound`, anything else internal.
pub(crate) fn parcel_failed(e: StoreError) -> Error {
    match e {
        StoreError::Missing(m) => {
            tracing::warn!(missing = %m, "parcel vanished");
            Error::not_found("ParcelID")
        }
        other => internal(other),
    }
}

fn names(states: &[ParcelState]) -> String {
    states
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

fn inbound_only(parcel: &Parcel, verb: &str) -> Result<(), Error> {
    if parcel.direction != Direction::InBox {
        return Err(Error::invalid(
            "ParcelID",
            ParamProblem::Value,
            format!(
                "parcel {} is outbound; only an inbound parcel can be {verb}",
                parcel.id
            ),
        ));
    }
    Ok(())
}

impl Core {
    /// Reads a parcel again after a change.
    pub(crate) async fn reread(&self, id: ParcelId) -> Result<Parcel, Error> {
        self.inner
            .store
            .parcel(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| Error::not_found("ParcelID"))
    }

    /// Moves a parcel from one of `from` to `to` with a manifest entry; a parcel already in
    /// `to` is left as it is (a repeated call succeeds), any other state is refused.
    pub(crate) async fn transition(
        &self,
        actor: &Actor,
        parcel: &Parcel,
        (from, to): (&[ParcelState], ParcelState),
        message: &str,
        adjust: impl FnOnce(&mut StateChange),
    ) -> Result<Parcel, Error> {
        let mut change = StateChange {
            parcel: parcel.id,
            from: from.to_vec(),
            to,
            at: self.now(),
            by: actor.user,
            message: message.into(),
            mark_downloaded: false,
            remove_content: false,
            interchanges_to: None,
        };
        adjust(&mut change);
        let changed = self
            .inner
            .store
            .change_state(&change)
            .await
            .map_err(parcel_failed)?;
        let now = self.reread(parcel.id).await?;
        if !changed && now.state != to {
            return Err(Error::invalid(
                "ParcelID",
                ParamProblem::Value,
                format!(
                    "parcel {} is {}; this needs it {}",
                    parcel.id,
                    now.state,
                    names(from)
                ),
            ));
        }
        Ok(now)
    }

    /// The stored bytes of a parcel, checked against the SHA-256 kept with it.
    pub(crate) async fn verified_content(&self, parcel: &Parcel) -> Result<Vec<u8>, Error> {
        let removed = || {
            Error::invalid(
                "ParcelID",
                ParamProblem::Value,
                format!(
                    "the content of parcel {} was removed (delete-on-download or retention); \
                     its record remains",
                    parcel.id
                ),
            )
        };
        if parcel.content_removed {
            return Err(removed());
        }
        let Some(content) = self
            .inner
            .store
            .parcel_content(parcel.id)
            .await
            .map_err(internal)?
        else {
            tracing::error!(parcel = %parcel.id, "a parcel's content is missing but not marked removed");
            return Err(removed());
        };
        let actual = sha256(&content.bytes);
        if actual != content.sha256 || actual != parcel.sha256 {
            tracing::error!(
                parcel = %parcel.id,
                bytes = content.bytes.len(),
                "a parcel's content does not match its SHA-256: not served"
            );
            metrics::counter!("edigrid_parcel_content_mismatches_total").increment(1);
            return Err(Error::Internal);
        }
        Ok(content.bytes)
    }

    pub async fn parcel_download(
        &self,
        caller: &Caller,
        id: ParcelId,
        mode: DownloadMode,
    ) -> Result<Downloaded, Error> {
        let actor = self.actor(caller).await?;
        let parcel = self.parcel_as(&actor, id, Need::Content).await?;
        if parcel.state == ParcelState::Cancelled {
            return Err(Error::invalid(
                "ParcelID",
                ParamProblem::Value,
                format!("parcel {id} was cancelled"),
            ));
        }
        let updates = mode == DownloadMode::Update
            && matches!(
                parcel.state,
                ParcelState::InBoxReady | ParcelState::InBoxTransferred
            );
        if updates && !works_box(&actor, parcel.network_id, parcel.mailbox_id) {
            return Err(Error::AccessDenied(format!(
                "{} may only download parcel {id} without changing it (NoUpdate)",
                actor.level
            )));
        }
        let content = self.verified_content(&parcel).await?;
        let parcel = if updates {
            let from = [ParcelState::InBoxReady, ParcelState::InBoxTransferred];
            self.transition(
                &actor,
                &parcel,
                (&from, ParcelState::InBoxTransferred),
                "Downloaded",
                |c| c.mark_downloaded = true,
            )
            .await?
        } else {
            parcel
        };
        metrics::counter!("edigrid_parcel_bytes_out_total").increment(content.len() as u64);
        Ok(Downloaded { parcel, content })
    }

    /// Downloaded (or ready) → confirmed; with delete-on-download the content goes.
    pub async fn parcel_confirm(&self, caller: &Caller, id: ParcelId) -> Result<Parcel, Error> {
        let actor = self.actor(caller).await?;
        let parcel = self.parcel_as(&actor, id, Need::Work).await?;
        inbound_only(&parcel, "confirmed")?;
        let remove = self.deletes_on_download(&parcel).await?;
        let message = if remove {
            "Download confirmed; content removed (delete-on-download)"
        } else {
            "Download confirmed"
        };
        let from = [ParcelState::InBoxTransferred, ParcelState::InBoxReady];
        self.transition(
            &actor,
            &parcel,
            (&from, ParcelState::InBoxArchived),
            message,
            |c| c.remove_content = remove,
        )
        .await
    }

    /// Whether the parcel's mailbox, or failing that its network, deletes on download.
    async fn deletes_on_download(&self, parcel: &Parcel) -> Result<bool, Error> {
        let store = &self.inner.store;
        let mailbox = store.mailbox(parcel.mailbox_id).await.map_err(internal)?;
        if mailbox.is_some_and(|m| m.config.delete_on_download) {
            return Ok(true);
        }
        let network = store.network(parcel.network_id).await.map_err(internal)?;
        Ok(network.is_some_and(|n| n.delete_on_download))
    }

    /// Downloaded or confirmed → ready (`ParcelDownloadReset`, REST `reset-to-inbox`).
    pub async fn parcel_reset(&self, caller: &Caller, id: ParcelId) -> Result<Parcel, Error> {
        let actor = self.actor(caller).await?;
        let parcel = self.parcel_as(&actor, id, Need::Work).await?;
        inbound_only(&parcel, "reset")?;
        let from = [ParcelState::InBoxTransferred, ParcelState::InBoxArchived];
        self.transition(
            &actor,
            &parcel,
            (&from, ParcelState::InBoxReady),
            "Reset to the inbox",
            |_| {},
        )
        .await
    }

    /// Downloaded → ready (`ParcelDownloadCancel`).
    pub async fn parcel_download_cancel(
        &self,
        caller: &Caller,
        id: ParcelId,
    ) -> Result<Parcel, Error> {
        let actor = self.actor(caller).await?;
        let parcel = self.parcel_as(&actor, id, Need::Work).await?;
        inbound_only(&parcel, "returned to the inbox")?;
        self.transition(
            &actor,
            &parcel,
            (&[ParcelState::InBoxTransferred], ParcelState::InBoxReady),
            "Download cancelled; back in the inbox",
            |_| {},
        )
        .await
    }

    /// Withdraws an undownloaded delivery: by the receiver on an inbound parcel, by the
    /// sender on an outbound one (its undownloaded inbound parcels with it).
    pub async fn parcel_cancel(&self, caller: &Caller, id: ParcelId) -> Result<Parcel, Error> {
        let actor = self.actor(caller).await?;
        let parcel = self.parcel_as(&actor, id, Need::Work).await?;
        if parcel.direction == Direction::InBox {
            return self
                .cancel_delivery(&actor, &parcel, "Cancelled by the receiver")
                .await;
        }
        let interchanges = self
            .inner
            .store
            .parcel_interchanges(id)
            .await
            .map_err(internal)?;
        let mut deliveries: Vec<ParcelId> = interchanges
            .iter()
            .filter(|i| i.outbound == id)
            .filter_map(|i| i.inbound)
            .collect();
        deliveries.sort_unstable();
        deliveries.dedup();
        let mut open = Vec::new();
        for delivery in &deliveries {
            let inbound = self.reread(*delivery).await?;
            let after = match inbound.state {
                ParcelState::InBoxReady => {
                    match self
                        .cancel_delivery(&actor, &inbound, "Cancelled by the sender")
                        .await
                    {
                        Ok(p) => p.state,
                        // Downloaded in the meantime: it stays.
                        Err(_) => self.reread(*delivery).await?.state,
                    }
                }
                state => state,
            };
            if after != ParcelState::Cancelled {
                open.push(format!("{delivery} ({after})"));
            }
        }
        if !open.is_empty() {
            return Err(Error::invalid(
                "ParcelID",
                ParamProblem::Value,
                format!(
                    "parcel {id}: the deliveries still ready were cancelled; these were already \
                     downloaded and stay: {}",
                    open.join(", ")
                ),
            ));
        }
        let from = [ParcelState::OutBoxSent, ParcelState::OutBoxDeliveryError];
        self.transition(
            &actor,
            &parcel,
            (&from, ParcelState::Cancelled),
            "Cancelled by the sender",
            |_| {},
        )
        .await
    }

    async fn cancel_delivery(
        &self,
        actor: &Actor,
        parcel: &Parcel,
        message: &str,
    ) -> Result<Parcel, Error> {
        self.transition(
            actor,
            parcel,
            (&[ParcelState::InBoxReady], ParcelState::Cancelled),
            message,
            |c| c.interchanges_to = Some(InterchangeStatus::Cancelled),
        )
        .await
    }

    /// Delivers a parcel's interchanges again as new inbound parcels (NetOps and up).
    pub async fn parcel_resend(
        &self,
        caller: &Caller,
        id: ParcelId,
    ) -> Result<Vec<ParcelId>, Error> {
        let actor = self.actor(caller).await?;
        let parcel = self.parcel_as(&actor, id, Need::Operate).await?;
        let interchanges: Vec<Interchange> = self
            .inner
            .store
            .parcel_interchanges(id)
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|i| match parcel.direction {
                Direction::InBox => i.inbound == Some(id),
                _ => i.outbound == id && i.mailbox_to.0 != 0 && i.inbound.is_some(),
            })
            .collect();
        if interchanges.is_empty() {
            return Err(Error::invalid(
                "ParcelID",
                ParamProblem::Value,
                format!("parcel {id} has no delivered interchange to resend"),
            ));
        }
        self.redeliver(&actor, &interchanges).await
    }

    /// New inbound parcels for interchanges delivered before: rebuilt from their outbound
    /// parcels' bytes (with the receivers' delimiters), one per outbound parcel and
    /// receiving mailbox.
    pub(crate) async fn redeliver(
        &self,
        actor: &Actor,
        interchanges: &[Interchange],
    ) -> Result<Vec<ParcelId>, Error> {
        let now = self.now();
        let store = &self.inner.store;
        let mut inbound: Vec<NewParcel> = Vec::new();
        let mut keys: Vec<(ParcelId, edigrid_domain::MailboxId)> = Vec::new();
        let mut pointed = Vec::with_capacity(interchanges.len());
        let mut sources: Vec<(ParcelId, Parcel, Vec<u8>)> = Vec::new();
        for ic in interchanges {
            if !sources.iter().any(|(id, _, _)| *id == ic.outbound) {
                let source = self.reread(ic.outbound).await?;
                let bytes = self.verified_content(&source).await?;
                sources.push((ic.outbound, source, bytes));
            }
            let Some((_, source, bytes)) = sources.iter().find(|(id, _, _)| *id == ic.outbound)
            else {
                return Err(Error::Internal);
            };
            let mailbox = store
                .mailbox(ic.mailbox_to)
                .await
                .map_err(internal)?
                .filter(|m| m.status == UserStatus::Active)
                .ok_or_else(|| {
                    Error::invalid(
                        "ParcelID",
                        ParamProblem::Value,
                        format!(
                            "interchange {}: mailbox {} does not receive (not active)",
                            ic.id, ic.mailbox_to
                        ),
                    )
                })?;
            let network = store.network(mailbox.network_id).await.map_err(internal)?;
            let start = usize::try_from(ic.offset).unwrap_or(usize::MAX);
            let end = start.saturating_add(usize::try_from(ic.length).unwrap_or(0));
            let slice = bytes.get(start..end).unwrap_or_default();
            let reading = edigrid_edi::read_parcel(slice);
            let partner = store.partner(ic.ecgrid_to).await.map_err(internal)?;
            let wanted = wanted_delimiters(
                partner.map(|p| p.x12).unwrap_or_default(),
                mailbox.config.x12,
                network.map(|n| n.x12).unwrap_or_default(),
            );
            let piece = match reading.interchanges.first() {
                Some(edi) => match rewrite_for(edi, slice, wanted) {
                    Rewrite::Rewritten(new) => new,
                    _ => slice.to_vec(),
                },
                None => slice.to_vec(),
            };
            let key = (ic.outbound, mailbox.id);
            let at = match keys.iter().position(|k| *k == key) {
                Some(at) => at,
                None => {
                    keys.push(key);
                    inbound.push(NewParcel {
                        parcel: Parcel {
                            direction: Direction::InBox,
                            network_id: mailbox.network_id,
                            mailbox_id: mailbox.id,
                            peer_network_id: source.network_id,
                            peer_mailbox_id: source.mailbox_id,
                            ecgrid_from: ic.ecgrid_from,
                            ecgrid_to: ic.ecgrid_to,
                            standard: ic.standard,
                            state: ParcelState::InBoxReady,
                            valid: edigrid_domain::ParcelValid::Valid,
                            problem: String::new(),
                            mailbag_control_id: String::new(),
                            source: Some(source.id),
                            created: now,
                            state_changed: now,
                            downloaded: None,
                            archived: None,
                            content_removed: false,
                            local_status: 0,
                            local_status_changed: None,
                            interchange_count: 0,
                            ..source.clone()
                        },
                        content: Vec::new(),
                    });
                    inbound.len() - 1
                }
            };
            inbound[at].content.extend_from_slice(&piece);
            inbound[at].parcel.interchange_count += 1;
            pointed.push((ic.id, at));
        }
        for new in &mut inbound {
            new.parcel.bytes = new.content.len() as i64;
            new.parcel.declared_bytes = new.parcel.bytes;
            new.parcel.sha256 = sha256(&new.content);
        }
        let made = store
            .redeliver(&Redelivery {
                inbound,
                interchanges: pointed,
                at: now,
                by: actor.user,
            })
            .await
            .map_err(internal)?;
        metrics::counter!("edigrid_parcels_delivered_total").increment(made.len() as u64);
        tracing::info!(parcels = ?made, by = %actor.user, "interchanges resent");
        Ok(made)
    }

    /// Sets a parcel's state as an operator asks (`ParcelUpdateStatus`, REST
    /// `parcels/update`), within its side's states (or `Cancelled`). NetOps and up.
    pub async fn parcel_set_state(
        &self,
        caller: &Caller,
        id: ParcelId,
        state: ParcelState,
    ) -> Result<Parcel, Error> {
        let actor = self.actor(caller).await?;
        let parcel = self.parcel_as(&actor, id, Need::Operate).await?;
        if state != ParcelState::Cancelled && state.direction() != parcel.direction {
            return Err(Error::invalid(
                "Status",
                ParamProblem::Value,
                format!("{state} is not a state of an {} parcel", parcel.direction),
            ));
        }
        if parcel.state == state {
            return Ok(parcel);
        }
        self.transition(
            &actor,
            &parcel,
            (&[parcel.state], state),
            &format!("State set to {state} by an operator"),
            |_| {},
        )
        .await
    }

    pub async fn parcel_set_local_status(
        &self,
        caller: &Caller,
        id: ParcelId,
        status: i16,
    ) -> Result<Parcel, Error> {
        let actor = self.actor(caller).await?;
        self.parcel_as(&actor, id, Need::Work).await?;
        self.inner
            .store
            .set_local_status(id, status, self.now())
            .await
            .map_err(parcel_failed)?;
        self.reread(id).await
    }

    pub async fn parcel_note(
        &self,
        caller: &Caller,
        id: ParcelId,
        subject: &str,
        note: &str,
    ) -> Result<ParcelNote, Error> {
        let actor = self.actor(caller).await?;
        let parcel = self.parcel_as(&actor, id, Need::Work).await?;
        let subject = note_text(subject, "Subject")?;
        let note = note_text(note, "Note")?;
        if note.is_empty() && subject.is_empty() {
            return Err(Error::invalid("Note", ParamProblem::Value, "is empty"));
        }
        let posted_by = match self.inner.store.user(actor.user).await.map_err(internal)? {
            Some(user) => user.login,
            None => "operator".to_string(),
        };
        let mut record = ParcelNote {
            id: 0,
            parcel_id: id,
            interchange_id: None,
            at: self.now(),
            status_code: parcel.state.as_str().into(),
            posted_by,
            user_id: actor.user,
            subject,
            note,
        };
        let store = &self.inner.store;
        record.id = store.add_note(&record).await.map_err(parcel_failed)?;
        let entry = ManifestEntry {
            parcel_id: id,
            interchange_id: None,
            at: record.at,
            network_id: parcel.network_id,
            kind: ManifestType::Manual,
            status_code: "Note".into(),
            message: if record.subject.is_empty() {
                record.note.clone()
            } else {
                format!("{}: {}", record.subject, record.note)
            },
            user_id: actor.user,
        };
        store
            .add_manifest_entry(&entry)
            .await
            .map_err(parcel_failed)?;
        Ok(record)
    }

    pub async fn parcel_notes(
        &self,
        caller: &Caller,
        id: ParcelId,
    ) -> Result<Vec<ParcelNote>, Error> {
        let actor = self.actor(caller).await?;
        self.parcel_as(&actor, id, Need::Record).await?;
        self.inner.store.notes(id).await.map_err(internal)
    }

    pub async fn parcel_manifest(
        &self,
        caller: &Caller,
        id: ParcelId,
    ) -> Result<Vec<ManifestEntry>, Error> {
        let actor = self.actor(caller).await?;
        self.parcel_as(&actor, id, Need::Record).await?;
        self.inner.store.manifest(id).await.map_err(internal)
    }

    pub async fn parcel_set_mailbag_control_id(
        &self,
        caller: &Caller,
        id: ParcelId,
        control_id: &str,
    ) -> Result<Parcel, Error> {
        let actor = self.actor(caller).await?;
        self.parcel_as(&actor, id, Need::Work).await?;
        let control_id = text(control_id, "MailbagControlID")?;
        self.inner
            .store
            .set_mailbag_control_id(id, &control_id)
            .await
            .map_err(parcel_failed)?;
        self.reread(id).await
    }

    /// Returns timed-out downloads to the inbox and removes content past retention.
    pub async fn parcel_housekeeping(&self) -> Result<u64, Error> {
        let now = self.now();
        let store = &self.inner.store;
        let returned = store.return_timed_out(now).await.map_err(internal)?;
        let removed = store
            .remove_content_before(now - self.parcels.retention)
            .await
            .map_err(internal)?;
        if returned > 0 || removed > 0 {
            tracing::info!(returned, removed, "parcel housekeeping");
        }
        Ok(returned + removed)
    }
}

/// A note or subject: trimmed, at most [`MAX_NOTE_LEN`] characters.
fn note_text(raw: &str, item: &str) -> Result<String, Error> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > MAX_NOTE_LEN {
        return Err(Error::invalid(
            item,
            ParamProblem::Length,
            format!("longer than {MAX_NOTE_LEN} characters"),
        ));
    }
    Ok(trimmed.to_string())
}
