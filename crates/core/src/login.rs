use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Duration;
use edigrid_domain::{
    Error, MAX_TEXT_LEN, ParamProblem, SessionId, login_key, parse_required_text,
};
use tracing::instrument;

use crate::service::{Core, internal};
use crate::store::{CreateSessionOutcome, LoginFailureOutcome, SessionRecord, User};

/// Which front end a session was opened through (kept for the audit trail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Soap,
    Rest,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Soap => "soap",
            Protocol::Rest => "rest",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ClientInfo {
    pub address: IpAddr,
    pub protocol: Protocol,
}

/// The integration that logged in, as the caller describes itself.
#[derive(Debug, Clone, Default)]
pub struct SenderInfo {
    pub solution: String,
    pub version: String,
    pub company: String,
    pub contact: String,
    pub email: String,
}

pub struct LoginRequest {
    pub login: String,
    pub password: String,
    pub sender: SenderInfo,
}

/// Running average (microseconds) of how long recording a failed login takes. The write is
/// durable, so under I/O load it can cost several milliseconds: enough, beside a 40 ms
/// password verification, to tell a known login name (wrong password, failure recorded)
/// from an unknown one (nothing to record) by timing. An unknown name waits this long.
static FAILURE_WRITE_MICROS: AtomicU64 = AtomicU64::new(0);

fn note_failure_write(took: std::time::Duration) {
    let sample = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
    // An exponential moving average with weight 1/8: follows the disk, ignores one stall.
    let _ = FAILURE_WRITE_MICROS.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |avg| {
        Some(if avg == 0 {
            sample
        } else {
            avg - avg / 8 + sample / 8
        })
    });
}

fn failure_write_estimate() -> std::time::Duration {
    std::time::Duration::from_micros(FAILURE_WRITE_MICROS.load(Ordering::Relaxed))
}

impl Core {
    /// Checks the credentials and opens a session. Every refusal but the throttle's gives
    /// the same error after the same work, whatever the reason.
    #[instrument(skip_all, fields(client = %client.address))]
    pub async fn login(
        &self,
        request: LoginRequest,
        client: ClientInfo,
    ) -> Result<(SessionId, SessionRecord), Error> {
        let this = &self.inner;
        if let Err(e) = this
            .throttle
            .check(&*this.store, client.address, this.clock.now())
            .await
        {
            metrics::counter!("edigrid_logins_total", "outcome" => "throttled").increment(1);
            return Err(e);
        }
        let login = parse_required_text(&request.login, "UserName")?;
        if request.password.chars().count() > MAX_TEXT_LEN {
            return Err(Error::invalid(
                "Password",
                ParamProblem::Length,
                format!("longer than {MAX_TEXT_LEN} characters"),
            ));
        }
        for (item, value) in [
            ("SenderSolution", &request.sender.solution),
            ("SenderVersion", &request.sender.version),
            ("SenderCompanyName", &request.sender.company),
            ("SenderContact", &request.sender.contact),
            ("SenderContactEmail", &request.sender.email),
        ] {
            if value.chars().count() > MAX_TEXT_LEN {
                return Err(Error::invalid(
                    item,
                    ParamProblem::Length,
                    format!("longer than {MAX_TEXT_LEN} characters"),
                ));
            }
        }

        let user = this
            .store
            .user_by_login(&login_key(&login))
            .await
            .map_err(internal)?;
        let Some(user) = user else {
            this.hasher.verify_dummy(&request.password).await?;
            // A wrong password also pays for recording the failure; wait as long.
            tokio::time::sleep(failure_write_estimate()).await;
            metrics::counter!("edigrid_logins_total", "outcome" => "failed").increment(1);
            tracing::info!("login refused");
            return Err(Error::LoginRefused);
        };
        let password_ok = this
            .hasher
            .verify(&request.password, &user.password_hash)
            .await?;
        let now = this.clock.now();
        let locked = user.locked_until.is_some_and(|until| until > now);
        if locked || !user.status.may_log_in() {
            // Nothing to record either: as long as a wrong password, like an unknown name.
            tokio::time::sleep(failure_write_estimate()).await;
            let outcome = if locked { "locked" } else { "failed" };
            metrics::counter!("edigrid_logins_total", "outcome" => outcome).increment(1);
            tracing::info!(user = %user.id, locked, "login refused");
            return Err(Error::LoginRefused);
        }
        if !password_ok {
            let writing = std::time::Instant::now();
            let outcome = this
                .store
                .record_login_failure(
                    user.id,
                    this.logins.lockout_threshold,
                    now + this.logins.lockout_duration,
                )
                .await
                .map_err(internal)?;
            note_failure_write(writing.elapsed());
            tracing::info!(user = %user.id, locked = outcome == LoginFailureOutcome::Locked, "login refused");
            metrics::counter!("edigrid_logins_total", "outcome" => "failed").increment(1);
            return Err(Error::LoginRefused);
        }
        let opened = self.open_session(&user, &request.sender, client).await?;
        this.store
            .record_login_success(user.id, now)
            .await
            .map_err(internal)?;
        tracing::info!(user = %user.id, session = %opened.1.prefix, "login");
        metrics::counter!("edigrid_logins_total", "outcome" => "ok").increment(1);
        Ok(opened)
    }

    async fn open_session(
        &self,
        user: &User,
        sender: &SenderInfo,
        client: ClientInfo,
    ) -> Result<(SessionId, SessionRecord), Error> {
        let this = &self.inner;
        let now = this.clock.now();
        let idle_secs = user
            .idle_timeout_secs
            .filter(|s| *s > 0)
            .unwrap_or(this.sessions.idle_timeout.num_seconds() as i32);
        let max_expires = now + this.sessions.absolute_lifetime;
        let id = SessionId::generate();
        let record = SessionRecord {
            hash: id.hash(),
            prefix: id.prefix(),
            user_id: user.id,
            network_id: user.network_id,
            mailbox_id: user.mailbox_id,
            created: now,
            expires: (now + Duration::seconds(idle_secs.into())).min(max_expires),
            max_expires,
            idle_timeout_secs: idle_secs,
            last_used: now,
            ended: None,
            end_reason: None,
            client_ip: client.address.to_string(),
            protocol: client.protocol.as_str().to_string(),
            sender_solution: sender.solution.clone(),
            sender_version: sender.version.clone(),
            sender_company: sender.company.clone(),
            sender_contact: sender.contact.clone(),
            sender_email: sender.email.clone(),
            token_generation: 0,
        };
        let cap = user
            .max_sessions
            .filter(|n| *n > 0)
            .map(|n| n as u32)
            .unwrap_or(this.sessions.max_sessions_per_user);
        match this
            .store
            .create_session(&record, cap, this.sessions.over_cap, now)
            .await
            .map_err(internal)?
        {
            CreateSessionOutcome::Created { evicted } => {
                if evicted > 0 {
                    tracing::info!(user = %user.id, evicted, "ended least recently used sessions at the cap");
                    // The evicted sessions stop working everywhere before the new one is
                    // handed out: the cap holds across nodes.
                    self.user_sessions_ended(user.id, evicted.into()).await;
                }
                Ok((id, record))
            }
            CreateSessionOutcome::LimitReached => Err(Error::SessionLimitReached),
        }
    }
}
