use std::net::IpAddr;
use std::num::NonZeroU32;

use edigrid_domain::Error;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Login attempts per client address (GCRA via `governor`). Kept in this process's memory.
pub struct LoginThrottle {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl LoginThrottle {
    pub fn new(per_minute: u32, burst: u32) -> Self {
        let limiter = NonZeroU32::new(per_minute).map(|rate| {
            let burst = NonZeroU32::new(burst).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))
        });
        LoginThrottle { limiter }
    }

    /// Takes one attempt from the address's allowance, or says how long to wait.
    pub fn check(&self, client: IpAddr) -> Result<(), Error> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Error::Throttled {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }

    /// Forgets addresses whose allowance is full again; called by the housekeeping task.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
        }
    }
}
