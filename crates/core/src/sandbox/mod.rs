//! Sandbox partners (SPEC-VAN 21): simulated trading partners that answer what they receive, and test files.
//!
//! A simulated ID's flag is the directory's own (`TradingPartner::simulated`); this area
//! keeps, per simulated ID, its control-number sequence and counts of what it answered.
//! [`Core::answer_simulated`] is one pass of the worker that answers; `ParcelTest` and REST
//! `send-test-file` come through [`Core::send_test_file`].

mod answer;
pub mod store;
mod test_file;

use edigrid_domain::{EcGridId, Error};

pub use edigrid_edi::ack::TestStandard;
pub use store::{AnswerCounts, SandboxScope, SimulatedPartner, Unanswered};
pub use test_file::{TestFileRequest, test_standard};

use crate::directory::access::{Act, Reach, reach};
use crate::directory::guard::not_terminated;
use crate::service::{Core, internal};
use crate::sessions::Caller;

/// Largest interchange control number X12 can carry (ISA13 has nine digits); a partner's
/// sequence wraps into `1..=MAX_CONTROL_NUMBER`.
const MAX_CONTROL_NUMBER: i64 = 999_999_999;

/// A number of a partner's sequence as an envelope can carry it.
fn envelope_number(n: i64) -> u64 {
    u64::try_from((n - 1).rem_euclid(MAX_CONTROL_NUMBER) + 1).unwrap_or(1)
}

impl Core {
    /// Marks an ID simulated (it answers what it receives) or not. The caller needs write
    /// authority over the ID, as for any change of it; a terminated ID is refused.
    pub async fn set_simulated(
        &self,
        caller: &Caller,
        id: EcGridId,
        simulated: bool,
    ) -> Result<(), Error> {
        let actor = self.actor(caller).await?;
        let partner = self.partner_for(&actor, id, Act::Change).await?;
        not_terminated(partner.status, "ECGridID", &format!("ECGridID {id}"))?;
        self.inner
            .store
            .set_simulated(id, simulated, self.now())
            .await
            .map_err(internal)?;
        tracing::info!(ecgrid_id = %id, simulated, by = %actor.user, "simulated flag set");
        Ok(())
    }

    /// The simulated IDs the caller can see (its mailbox's, its network's, or all for
    /// operators), with what each answered.
    pub async fn simulated_partners(
        &self,
        caller: &Caller,
    ) -> Result<Vec<SimulatedPartner>, Error> {
        let actor = self.actor(caller).await?;
        let scope = match reach(&actor) {
            Reach::All => SandboxScope {
                network: None,
                mailbox: None,
            },
            Reach::Network(n) => SandboxScope {
                network: Some(n),
                mailbox: None,
            },
            Reach::Mailbox(n, m) => SandboxScope {
                network: Some(n),
                mailbox: Some(m),
            },
            Reach::OwnUser => {
                return Err(Error::AccessDenied(format!(
                    "{} may not list trading-partner IDs",
                    actor.level
                )));
            }
        };
        self.inner
            .store
            .simulated_partners(scope)
            .await
            .map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::envelope_number;

    #[test]
    fn sequence_numbers_wrap_into_nine_digits() {
        assert_eq!(envelope_number(1), 1);
        assert_eq!(envelope_number(999_999_999), 999_999_999);
        assert_eq!(envelope_number(1_000_000_000), 1);
    }
}
