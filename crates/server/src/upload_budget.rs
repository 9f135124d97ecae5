//! The memory budget of uploads (SPEC-VAN 18): the memory held by all uploads under way
//! together stays under `upload_memory_bytes`. An upload holds much more than its body
//! while it is processed, so it reserves [`HELD_PER_BODY_BYTE`] times its body: what it
//! declares, or (sent without a length) each piece as it arrives. One that would pass the
//! budget waits a little for others to finish, then is refused, so memory is bounded by
//! design and a burst of uploads is answered `503` rather than taking the process down.
//!
//! A reservation never asks for more than the whole budget: an upload whose multiple is
//! larger takes all of it and runs alone. So an upload of the largest size allowed (whose
//! body the settings require to fit the budget) is always admitted once the others are
//! done; only a body that is itself larger than the budget is refused outright.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bytes an upload holds in memory at its peak, per byte of its request body, rounded up.
/// Measured with `edigrid-bench upload-memory --clients 1` (a deployed SOAP `ParcelUpload`
/// of a 50 MiB X12 parcel, one interchange delivered, SQLite): about 383 MiB for a body of
/// 66.7 MiB, 5.75 times. The peak is while the parcel is written, and holds the body
/// (base64, 4/3 of the content), the text of `Content` taken from the XML (as large), the
/// decoded content, the inbound parcel made from it, the store's copy of the content bound
/// to the statement, SQLite's own copy of that binding and the record it builds from it.
pub const HELD_PER_BODY_BYTE: usize = 6;
// An upload holds at least its body.
const _: () = assert!(HELD_PER_BODY_BYTE >= 1);

/// The gauge of bytes reserved by uploads under way.
const RESERVED_GAUGE: &str = "edigrid_upload_bytes_reserved";

pub struct UploadBudget {
    /// One permit per byte.
    bytes: Arc<Semaphore>,
    total: usize,
    reserved: AtomicUsize,
    /// How long a reservation waits for room.
    wait: Duration,
}

/// No room came in time: the request is refused, asked to come back after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub retry_after_secs: u64,
}

impl UploadBudget {
    pub fn new(total: usize, wait: Duration) -> Arc<Self> {
        let total = total.min(Semaphore::MAX_PERMITS);
        metrics::describe_gauge!(
            RESERVED_GAUGE,
            metrics::Unit::Bytes,
            "Memory reserved by uploads under way: each reserves a multiple of its body, at \
             most upload_memory_bytes"
        );
        Arc::new(UploadBudget {
            bytes: Arc::new(Semaphore::new(total)),
            total,
            reserved: AtomicUsize::new(0),
            wait,
        })
    }

    /// An empty reservation, grown with [`Reservation::grow`]; what it holds is given back
    /// when it is dropped.
    pub fn reservation(self: &Arc<Self>) -> Reservation {
        Reservation {
            budget: self.clone(),
            permit: None,
            body: 0,
            bytes: 0,
        }
    }

    /// Bytes reserved now, by every request.
    #[cfg(test)]
    pub fn reserved(&self) -> usize {
        self.reserved.load(Ordering::Relaxed)
    }

    /// `n` permits, taken a semaphore's largest request (`u32::MAX`) at a time, so that a
    /// budget of more than 4 GiB can be reserved whole; `None` if the semaphore closed.
    async fn acquire(&self, n: usize) -> Option<OwnedSemaphorePermit> {
        let mut taken: Option<OwnedSemaphorePermit> = None;
        let mut left = n;
        while left > 0 {
            let piece = u32::try_from(left).unwrap_or(u32::MAX);
            let permit = self.bytes.clone().acquire_many_owned(piece).await.ok()?;
            match &mut taken {
                Some(held) => held.merge(permit),
                None => taken = Some(permit),
            }
            left -= usize::try_from(piece).unwrap_or(left);
        }
        taken
    }

    fn busy(&self) -> Busy {
        // At least a second, and about as long as the wait that was just spent.
        Busy {
            retry_after_secs: self.wait.as_secs().max(1),
        }
    }

    fn held(&self, n: usize) {
        let now = self.reserved.fetch_add(n, Ordering::Relaxed) + n;
        metrics::gauge!(RESERVED_GAUGE).set(now as f64);
    }

    fn released(&self, n: usize) {
        let now = self.reserved.fetch_sub(n, Ordering::Relaxed) - n;
        metrics::gauge!(RESERVED_GAUGE).set(now as f64);
    }
}

/// The memory reserved for one request's upload.
pub struct Reservation {
    budget: Arc<UploadBudget>,
    permit: Option<OwnedSemaphorePermit>,
    /// Body bytes counted so far.
    body: usize,
    /// Bytes of the budget held for them: [`HELD_PER_BODY_BYTE`] times `body`, at most the
    /// whole budget.
    bytes: usize,
}

impl Reservation {
    /// Counts `n` more bytes of the body, holding [`HELD_PER_BODY_BYTE`] times them (up to
    /// the whole budget) and waiting up to the budget's wait for room.
    pub async fn grow(&mut self, n: usize) -> Result<(), Busy> {
        if n == 0 {
            return Ok(());
        }
        let budget = &self.budget;
        let body = self.body.saturating_add(n);
        // A body larger than the whole budget never fits; no point in waiting for it.
        if body > budget.total {
            return Err(budget.busy());
        }
        let wanted = body.saturating_mul(HELD_PER_BODY_BYTE).min(budget.total);
        let more = wanted - self.bytes;
        if more > 0 {
            let Ok(Some(permit)) = tokio::time::timeout(budget.wait, budget.acquire(more)).await
            else {
                // Timed out (what was taken meanwhile goes back), or the semaphore was
                // closed (it never is).
                return Err(budget.busy());
            };
            match &mut self.permit {
                Some(held) => held.merge(permit),
                None => self.permit = Some(permit),
            }
            self.bytes = wanted;
            budget.held(more);
        }
        self.body = body;
        Ok(())
    }

    /// Bytes of the budget held.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if self.bytes > 0 {
            self.budget.released(self.bytes);
        }
        // The permit, dropped after this, returns the bytes to the semaphore.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: usize = HELD_PER_BODY_BYTE;

    #[tokio::test]
    async fn reservations_hold_a_multiple_of_the_body_wait_for_room_then_give_up() {
        let wait = Duration::from_millis(50);
        let budget = UploadBudget::new(100 * M, wait);
        let mut first = budget.reservation();
        first.grow(60).await.unwrap();
        first.grow(30).await.unwrap();
        assert_eq!((first.bytes(), budget.reserved()), (90 * M, 90 * M));

        // 20 more bytes of body do not fit while the first holds 90 (counted as bodies
        // alone they would, with room to spare): refused after the wait.
        let mut second = budget.reservation();
        let started = std::time::Instant::now();
        assert_eq!(
            second.grow(20).await,
            Err(Busy {
                retry_after_secs: 1
            })
        );
        assert!(started.elapsed() >= wait);
        assert_eq!((second.bytes(), budget.reserved()), (0, 90 * M));
        // 10 fit exactly.
        second.grow(10).await.unwrap();
        assert_eq!((second.bytes(), budget.reserved()), (10 * M, 100 * M));
        drop(first);
        assert_eq!(budget.reserved(), 10 * M);
        drop(second);
        assert_eq!(budget.reserved(), 0);

        // Room made while waiting is taken (the wait is long enough for this).
        let budget = UploadBudget::new(100 * M, Duration::from_secs(60));
        let mut first = budget.reservation();
        first.grow(90).await.unwrap();
        let mut second = budget.reservation();
        let waiting = tokio::spawn(async move { second.grow(20).await.map(|()| second.bytes()) });
        tokio::task::yield_now().await;
        drop(first);
        assert_eq!(waiting.await.unwrap(), Ok(20 * M));
        // ... and given back when that reservation went.
        assert_eq!(budget.reserved(), 0);
    }

    #[tokio::test]
    async fn a_body_whose_multiple_passes_the_budget_takes_all_of_it_and_runs_alone() {
        let total = 1000;
        let budget = UploadBudget::new(total, Duration::from_secs(60));
        let short = UploadBudget::new(total, Duration::from_millis(20));

        // A body as large as the budget (the largest the settings allow) is admitted: it
        // holds the whole budget, not M times itself.
        let mut largest = short.reservation();
        largest.grow(total).await.unwrap();
        assert_eq!((largest.bytes(), short.reserved()), (total, total));
        // Nothing else fits beside it, however small.
        assert!(short.reservation().grow(1).await.is_err());
        drop(largest);
        let mut small = short.reservation();
        small.grow(1).await.unwrap();
        assert_eq!(small.bytes(), M);
        drop(small);

        // Sent in pieces (chunked), each piece holds M times itself until the cap; pieces
        // past it hold nothing more.
        let mut chunked = budget.reservation();
        chunked.grow(100).await.unwrap();
        assert_eq!(chunked.bytes(), 100 * M);
        chunked.grow(100).await.unwrap();
        assert_eq!(chunked.bytes(), (200 * M).min(total));
        chunked.grow(total - 200).await.unwrap();
        assert_eq!((chunked.bytes(), budget.reserved()), (total, total));

        // A body larger than the budget itself is refused at once, not after the minute's
        // wait, whether it is declared or reached piece by piece; nothing more is held.
        let started = std::time::Instant::now();
        assert!(chunked.grow(1).await.is_err());
        assert_eq!((chunked.bytes(), budget.reserved()), (total, total));
        drop(chunked);
        assert!(budget.reservation().grow(total + 1).await.is_err());
        assert!(started.elapsed() < Duration::from_secs(30));
        assert_eq!(budget.reserved(), 0);
    }

    #[tokio::test]
    async fn a_budget_past_four_gib_is_reserved_whole() {
        // A semaphore hands out at most u32::MAX permits at once; 5 GiB takes two requests.
        let total = 5usize << 30;
        let budget = UploadBudget::new(total, Duration::from_millis(20));
        let mut largest = budget.reservation();
        largest.grow(1 << 30).await.unwrap();
        assert_eq!((largest.bytes(), budget.reserved()), (total, total));
        assert!(budget.reservation().grow(1).await.is_err());
        drop(largest);
        assert_eq!(budget.bytes.available_permits(), total);
    }
}
