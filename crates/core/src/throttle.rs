//! The per-client-address login throttle: GCRA (the generic cell rate algorithm), with its
//! one number per address, the theoretical arrival time, kept in the store. Every node of
//! a service therefore takes the same decision, and time comes from the service's clock.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use edigrid_domain::Error;

use crate::service::internal;
use crate::store::Store;

/// `per_minute` attempts a minute on average, `burst` at once.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    /// Milliseconds between attempts at the sustained rate; `None`: the throttle is off.
    interval_ms: Option<i64>,
    /// How far ahead of now the arrival time may run before attempts are refused.
    tolerance_ms: i64,
}

impl LoginThrottle {
    pub fn new(per_minute: u32, burst: u32) -> Self {
        if per_minute == 0 {
            return LoginThrottle {
                interval_ms: None,
                tolerance_ms: 0,
            };
        }
        let interval = 60_000 / i64::from(per_minute);
        LoginThrottle {
            interval_ms: Some(interval.max(1)),
            tolerance_ms: interval * i64::from(burst.max(1) - 1),
        }
    }

    /// Takes one attempt from the address's allowance, or says how long to wait.
    pub async fn check(
        &self,
        store: &dyn Store,
        client: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let Some(interval_ms) = self.interval_ms else {
            return Ok(());
        };
        let refused = store
            .take_login_attempt(&client.to_string(), now, interval_ms, self.tolerance_ms)
            .await
            .map_err(internal)?;
        match refused {
            None => Ok(()),
            Some(wait_ms) => Err(Error::Throttled {
                retry_after_secs: (wait_ms.max(0) as u64).div_ceil(1000).max(1),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_follow_rate_and_burst() {
        let t = LoginThrottle::new(120, 60);
        assert_eq!((t.interval_ms, t.tolerance_ms), (Some(500), 500 * 59));
        assert_eq!(LoginThrottle::new(0, 60).interval_ms, None);
        assert_eq!(LoginThrottle::new(3, 1).tolerance_ms, 0);
    }
}
