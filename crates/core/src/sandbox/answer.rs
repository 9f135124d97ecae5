//! The simulated partners' answers (SPEC-VAN 21): each ready parcel delivered to a simulated
//! ID is read, acknowledged and consumed in one transaction with the upload of its answer,
//! so that an answer is sent once even when several nodes run the worker.

use chrono::{DateTime, Datelike, Timelike, Utc};
use edigrid_domain::{EcGridId, Error, ParcelId, ParcelState, UserId};
use edigrid_edi::ack::{Stamp, acknowledge};
use edigrid_edi::read_parcel;

use super::envelope_number;
use super::store::Unanswered;
use crate::parcels::UploadRequest;
use crate::parcels::model::StateChange;
use crate::service::{Core, internal};
use crate::sessions::Caller;

/// Parcels one pass answers at most; the next pass takes the rest.
const PASS_LIMIT: u32 = 100;

/// What one parcel's answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answered {
    /// Answered (with `acks` acknowledgments, possibly none) and consumed.
    Done,
    /// Another node (or a download) took the parcel first; nothing was stored.
    Taken,
    /// The partner may not send (its mailbox suspended, say): the parcel was consumed
    /// unanswered, with the reason in its manifest, rather than retried on every pass.
    Refused,
}

/// Whether an upload's failure is a refusal that retrying would only repeat.
fn is_refusal(e: &Error) -> bool {
    matches!(
        e,
        Error::InvalidParameter { .. } | Error::AccessDenied(_) | Error::NotFound { .. }
    )
}

/// An envelope time of `at`.
pub(crate) fn stamp(at: DateTime<Utc>) -> Stamp {
    // Every field below is in range of its type by construction (year 0..=65535 aside,
    // which the clock never reaches).
    Stamp {
        year: u16::try_from(at.year()).unwrap_or(9999),
        month: u8::try_from(at.month()).unwrap_or(1),
        day: u8::try_from(at.day()).unwrap_or(1),
        hour: u8::try_from(at.hour()).unwrap_or(0),
        minute: u8::try_from(at.minute()).unwrap_or(0),
    }
}

impl Core {
    /// One pass of the answering worker: answers the parcels waiting for simulated partners
    /// and returns how many it answered. A parcel that fails is logged and the others are
    /// answered all the same: one the partner may not answer (its mailbox suspended, say)
    /// is consumed with the reason in its manifest; any other failure (the database) leaves
    /// it for the next pass.
    pub async fn answer_simulated(&self) -> Result<usize, Error> {
        let waiting = self
            .inner
            .store
            .unanswered(PASS_LIMIT)
            .await
            .map_err(internal)?;
        let mut answered = 0;
        for w in waiting {
            match self.answer_parcel(w).await {
                Ok(Answered::Done) => answered += 1,
                Ok(Answered::Taken | Answered::Refused) => {}
                Err(e) => tracing::warn!(
                    parcel = w.parcel.0,
                    partner = %w.partner,
                    error = %e,
                    "a simulated partner could not answer a parcel"
                ),
            }
        }
        Ok(answered)
    }

    async fn answer_parcel(&self, w: Unanswered) -> Result<Answered, Error> {
        let store = &self.inner.store;
        let Some(parcel) = store.parcel(w.parcel).await.map_err(internal)? else {
            return Err(Error::not_found("ParcelID"));
        };
        let content = self.verified_content(&parcel).await?;
        let reading = read_parcel(&content);
        let received = reading.interchanges.len();
        // Each interchange is answered by the ID it was delivered to, which need not be the
        // parcel's receiver (the first interchange's): the interchanges delivered in the
        // parcel are stored in the order its content holds them. A parcel delivered without
        // interchange records is its receiver's whole.
        let delivered = store
            .parcel_interchanges(w.parcel)
            .await
            .map_err(internal)?;
        let receivers: Vec<EcGridId> = if delivered.is_empty() {
            vec![parcel.ecgrid_to; received]
        } else if delivered.len() == received {
            delivered.iter().map(|i| i.ecgrid_to).collect()
        } else {
            tracing::error!(
                parcel = w.parcel.0,
                stored = delivered.len(),
                read = received,
                "a parcel's interchanges do not match its content"
            );
            return Err(Error::Internal);
        };
        // The simulated IDs among the receivers, in ECGridID order, with how many
        // interchanges each was sent and the first of as many control numbers of its own.
        let mut ids = receivers.clone();
        ids.sort_unstable();
        ids.dedup();
        let mut answering: Vec<(EcGridId, u32, i64)> = Vec::new();
        for id in ids {
            let partner = store.partner(id).await.map_err(internal)?;
            if !partner.is_some_and(|p| p.simulated) {
                continue;
            }
            let count = receivers.iter().filter(|&&r| r == id).count();
            let count = u32::try_from(count).unwrap_or(u32::MAX);
            let first = store
                .take_control_numbers(id, count)
                .await
                .map_err(internal)?;
            answering.push((id, count, first));
        }
        if answering.is_empty() {
            // Its IDs stopped being simulated since the parcel was found: it is theirs.
            return Ok(Answered::Taken);
        }
        let partners: Vec<EcGridId> = answering.iter().map(|a| a.0).collect();
        let now = self.now();
        let mut answer = Vec::new();
        let mut summaries = Vec::new();
        let mut acks_by = vec![0u32; answering.len()];
        let mut taken = vec![0i64; answering.len()];
        for (interchange, to) in reading.interchanges.iter().zip(&receivers) {
            let Some(k) = answering.iter().position(|a| a.0 == *to) else {
                continue;
            };
            let n = answering[k].2 + taken[k];
            taken[k] += 1;
            if !interchange.is_valid() {
                continue;
            }
            if let Some(ack) = acknowledge(&content, interchange, envelope_number(n), stamp(now)) {
                answer.extend_from_slice(&ack.bytes);
                summaries.push(ack.summary);
                acks_by[k] += 1;
            }
        }
        let consume = consumed(w.parcel, &partners, &summaries, now);
        let taken = if answer.is_empty() {
            !store.change_state(&consume).await.map_err(internal)?
        } else {
            let request = UploadRequest {
                network: Some(parcel.network_id),
                mailbox: Some(parcel.mailbox_id),
                file_name: format!("ack-{}.edi", w.parcel.0),
                content: answer,
                ..UploadRequest::default()
            };
            let uploaded = self
                .parcel_upload_requiring(&Caller::operator(), request, Some(consume.clone()))
                .await;
            match uploaded {
                Ok(outcome) => outcome.is_none(),
                Err(e) if is_refusal(&e) => {
                    tracing::warn!(parcel = w.parcel.0, partners = %list(&partners), error = %e, "a simulated partner may not send its answer; the parcel is consumed unanswered");
                    let unanswered = StateChange {
                        message: format!(
                            "Not answered by simulated partner {}: {e}",
                            list(&partners)
                        ),
                        ..consume
                    };
                    let changed = store.change_state(&unanswered).await.map_err(internal)?;
                    return Ok(if changed {
                        Answered::Refused
                    } else {
                        Answered::Taken
                    });
                }
                Err(e) => return Err(e),
            }
        };
        if taken {
            return Ok(Answered::Taken);
        }
        for ((id, interchanges, _), acks) in answering.iter().zip(&acks_by) {
            if let Err(e) = store.count_answer(*id, *interchanges, *acks, now).await {
                // The answer is sent and the parcel consumed; only the tally missed it.
                tracing::warn!(partner = %id, error = %e, "a simulated partner's answer was not counted");
            }
        }
        let acks = summaries.len();
        tracing::info!(parcel = w.parcel.0, partners = %list(&partners), acks, "simulated partner answered");
        Ok(Answered::Done)
    }
}

/// IDs as a manifest names them: `1, 2`.
fn list(ids: &[EcGridId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The received parcel's move from ready to archived, made in the answer's transaction.
fn consumed(
    parcel: ParcelId,
    partners: &[EcGridId],
    summaries: &[String],
    at: DateTime<Utc>,
) -> StateChange {
    let said = if summaries.is_empty() {
        "nothing asked for an acknowledgment".to_string()
    } else {
        summaries.join("; ")
    };
    StateChange {
        parcel,
        from: vec![ParcelState::InBoxReady],
        to: ParcelState::InBoxArchived,
        at,
        by: UserId(0),
        message: format!("Answered by simulated partner {}: {said}", list(partners)),
        mark_downloaded: false,
        remove_content: false,
        interchanges_to: None,
    }
}
