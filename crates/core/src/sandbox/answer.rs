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
        let Some(partner) = store.partner(w.partner).await.map_err(internal)? else {
            return Err(Error::not_found("ECGridID"));
        };
        let Some(parcel) = store.parcel(w.parcel).await.map_err(internal)? else {
            return Err(Error::not_found("ParcelID"));
        };
        let content = self.verified_content(&parcel).await?;
        let reading = read_parcel(&content);
        let received = reading.interchanges.len();
        let numbers = u32::try_from(received).unwrap_or(u32::MAX).max(1);
        let first = store
            .take_control_numbers(partner.ecgrid_id, numbers)
            .await
            .map_err(internal)?;
        let now = self.now();
        let mut answer = Vec::new();
        let mut summaries = Vec::new();
        for (n, interchange) in (first..).zip(reading.interchanges.iter()) {
            if !interchange.is_valid() {
                continue;
            }
            if let Some(ack) = acknowledge(&content, interchange, envelope_number(n), stamp(now)) {
                answer.extend_from_slice(&ack.bytes);
                summaries.push(ack.summary);
            }
        }
        let acks = u32::try_from(summaries.len()).unwrap_or(u32::MAX);
        let consume = consumed(w.parcel, partner.ecgrid_id, &summaries, now);
        let taken = if answer.is_empty() {
            !store.change_state(&consume).await.map_err(internal)?
        } else {
            let request = UploadRequest {
                network: Some(partner.network_id),
                mailbox: Some(partner.mailbox_id),
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
                    tracing::warn!(parcel = w.parcel.0, partner = %partner.ecgrid_id, error = %e, "a simulated partner may not send its answer; the parcel is consumed unanswered");
                    let unanswered = StateChange {
                        message: format!(
                            "Not answered by simulated partner {}: {e}",
                            partner.ecgrid_id
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
        let interchanges = u32::try_from(received).unwrap_or(u32::MAX);
        if let Err(e) = store
            .count_answer(partner.ecgrid_id, interchanges, acks, now)
            .await
        {
            // The answer is sent and the parcel consumed; only the tally missed it.
            tracing::warn!(partner = %partner.ecgrid_id, error = %e, "a simulated partner's answer was not counted");
        }
        tracing::info!(parcel = w.parcel.0, partner = %partner.ecgrid_id, acks, "simulated partner answered");
        Ok(Answered::Done)
    }
}

/// The received parcel's move from ready to archived, made in the answer's transaction.
fn consumed(
    parcel: ParcelId,
    partner: EcGridId,
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
        message: format!("Answered by simulated partner {partner}: {said}"),
        mark_downloaded: false,
        remove_content: false,
        interchanges_to: None,
    }
}
