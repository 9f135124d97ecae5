//! The memory budget of uploads (SPEC-VAN 18): the bytes of upload bodies held by all
//! requests together stay under `upload_memory_bytes`. A request reserves what its body
//! declares (or, sent without a length, each piece as it arrives); one that would pass the
//! budget waits a little for others to finish, then is refused, so memory is bounded by
//! design and a burst of uploads is answered `503` rather than taking the process down.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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
            "Bytes of upload bodies reserved by requests under way (at most upload_memory_bytes)"
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
            bytes: 0,
        }
    }

    /// Bytes reserved now, by every request.
    #[cfg(test)]
    pub fn reserved(&self) -> usize {
        self.reserved.load(Ordering::Relaxed)
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

/// Bytes of the budget held by one request.
pub struct Reservation {
    budget: Arc<UploadBudget>,
    permit: Option<OwnedSemaphorePermit>,
    bytes: usize,
}

impl Reservation {
    /// Holds `n` bytes more, waiting up to the budget's wait for them.
    pub async fn grow(&mut self, n: usize) -> Result<(), Busy> {
        if n == 0 {
            return Ok(());
        }
        let budget = &self.budget;
        // More than the whole budget never fits; no point in waiting for it.
        let fits = self.bytes.saturating_add(n) <= budget.total;
        let count = u32::try_from(n).map_err(|_| budget.busy())?;
        if !fits {
            return Err(budget.busy());
        }
        let acquire = budget.bytes.clone().acquire_many_owned(count);
        let permit = match tokio::time::timeout(budget.wait, acquire).await {
            Ok(Ok(permit)) => permit,
            // Timed out, or the semaphore was closed (it never is).
            _ => return Err(budget.busy()),
        };
        match &mut self.permit {
            Some(held) => held.merge(permit),
            None => self.permit = Some(permit),
        }
        self.bytes += n;
        budget.held(n);
        Ok(())
    }

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

    #[tokio::test]
    async fn reservations_wait_for_room_then_give_up() {
        let wait = Duration::from_millis(50);
        let budget = UploadBudget::new(100, wait);
        let mut first = budget.reservation();
        first.grow(60).await.unwrap();
        first.grow(30).await.unwrap();
        assert_eq!((first.bytes(), budget.reserved()), (90, 90));

        // 20 more do not fit while the first holds 90: refused after the wait.
        let mut second = budget.reservation();
        let started = std::time::Instant::now();
        assert_eq!(
            second.grow(20).await,
            Err(Busy {
                retry_after_secs: 1
            })
        );
        assert!(started.elapsed() >= wait);
        assert_eq!(second.bytes(), 0);

        // Room made while waiting is taken (the wait is long enough for this).
        let budget = {
            drop(second);
            drop(first);
            UploadBudget::new(100, Duration::from_secs(60))
        };
        let mut first = budget.reservation();
        first.grow(90).await.unwrap();
        let mut second = budget.reservation();
        // More than the whole budget is refused at once, not after the minute's wait.
        let started = std::time::Instant::now();
        assert!(second.grow(101).await.is_err());
        assert!(started.elapsed() < Duration::from_secs(30));
        let waiting = tokio::spawn(async move { second.grow(20).await.map(|()| second.bytes()) });
        tokio::task::yield_now().await;
        drop(first);
        assert_eq!(waiting.await.unwrap(), Ok(20));
        // ... and given back when that reservation went.
        assert_eq!(budget.reserved(), 0);
        let mut all = budget.reservation();
        all.grow(100).await.unwrap();
        assert_eq!(budget.reserved(), 100);
    }
}
