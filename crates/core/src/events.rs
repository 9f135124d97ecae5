//! The calls made in each session (the deployed dialect's `SessionLogInfo.Events`).
//!
//! Recording a call is a push onto this node's buffer, never a database write; a background
//! task ([`Core::flush_session_events`]) writes the buffer in one transaction per batch.
//! Readers see the stored events plus this node's unwritten ones, so one node's log is
//! always complete; another node's calls appear once that node has flushed (about a second).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use edigrid_domain::{Error, LegacyCode, SecretHash};
use tokio::sync::{Notify, RwLock};

use crate::service::{Core, internal};
use crate::store::{SessionCalls, SessionEvent};

/// Events kept per session; older ones are dropped, the call count goes on.
pub const EVENTS_KEPT_PER_SESSION: u32 = 100;
/// A full buffer wakes the writer before its next tick. Each flush is a transaction (an
/// fsync on SQLite), so this is set above a second's calls at the rates measured here
/// (about 25,000 a second): at 1,000, a busy node flushed 25 times a second and recording
/// cost a fifth of its throughput. 25,000 events are about 3 MB.
const FLUSH_AT: usize = 25_000;
/// Beyond this many unwritten events (the database is failing) new ones are dropped.
const MAX_PENDING: usize = 100_000;

/// A finished call, as the front end saw it.
#[derive(Debug, Clone, Copy)]
pub struct CallRecord<'a> {
    pub session: &'a SecretHash,
    /// The operation's name in its dialect; a `'static` table entry, never request text.
    pub operation: &'static str,
    pub elapsed: StdDuration,
    pub client: IpAddr,
    pub outcome: Result<(), LegacyCode>,
    /// A fixed note, such as the dialect a call came in.
    pub comment: &'static str,
}

#[derive(Debug, Clone)]
struct Pending {
    session: SecretHash,
    at: DateTime<Utc>,
    operation: &'static str,
    elapsed: StdDuration,
    client: IpAddr,
    outcome: Result<(), LegacyCode>,
    comment: &'static str,
}

impl Pending {
    fn to_event(&self) -> SessionEvent {
        SessionEvent {
            session: self.session,
            at: self.at,
            operation: self.operation.to_string(),
            duration_ms: i32::try_from(self.elapsed.as_millis()).unwrap_or(i32::MAX),
            client_ip: self.client.to_string(),
            outcome: match self.outcome {
                Ok(()) => "Success".to_string(),
                Err(code) => code.as_str().to_string(),
            },
            comment: self.comment.to_string(),
        }
    }
}

#[derive(Default)]
struct Buffers {
    /// Recorded, not yet taken by a flush.
    pending: Vec<Pending>,
    /// Taken by the flush under way, not yet committed.
    in_flight: Vec<Pending>,
}

pub(crate) struct SessionEvents {
    enabled: bool,
    buffers: Mutex<Buffers>,
    /// Held for writing while a flush commits and forgets its batch, for reading while a
    /// reader combines the store's events with the buffers: no event is seen twice or missed.
    commit: RwLock<()>,
    backlog: Notify,
}

impl SessionEvents {
    pub(crate) fn new(enabled: bool) -> Self {
        SessionEvents {
            enabled,
            buffers: Mutex::new(Buffers::default()),
            commit: RwLock::new(()),
            backlog: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Buffers> {
        self.buffers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// This node's unwritten events of one session, oldest first.
    fn unwritten(&self, session: &SecretHash) -> Vec<Pending> {
        let b = self.lock();
        b.in_flight
            .iter()
            .chain(b.pending.iter())
            .filter(|p| p.session == *session)
            .cloned()
            .collect()
    }
}

impl Core {
    /// Records a finished call made in a session. Costs a push onto a buffer.
    pub fn record_call(&self, call: CallRecord<'_>) {
        let events = &self.inner.events;
        if !events.enabled {
            return;
        }
        let event = Pending {
            session: *call.session,
            at: self.inner.clock.now(),
            operation: call.operation,
            elapsed: call.elapsed,
            client: call.client,
            outcome: call.outcome,
            comment: call.comment,
        };
        let backlog = {
            let mut b = events.lock();
            if b.pending.len() >= MAX_PENDING {
                metrics::counter!("edigrid_session_events_dropped_total").increment(1);
                return;
            }
            b.pending.push(event);
            b.pending.len()
        };
        if backlog == FLUSH_AT {
            events.backlog.notify_one();
        }
    }

    /// Completes when the buffer has grown enough to be worth writing before the next tick.
    pub async fn session_event_backlog(&self) {
        self.inner.events.backlog.notified().await;
    }

    /// Writes this node's recorded events; returns how many. On a store failure the batch
    /// goes back to the buffer (within its bound) for the next attempt.
    pub async fn flush_session_events(&self) -> Result<usize, Error> {
        let events = &self.inner.events;
        let (batch, count) = {
            let mut b = events.lock();
            if b.pending.is_empty() {
                return Ok(0);
            }
            let taken = std::mem::take(&mut b.pending);
            let batch = by_session(&taken);
            let count = taken.len();
            b.in_flight = taken;
            (batch, count)
        };
        let _commit = events.commit.write().await;
        let written = self
            .inner
            .store
            .append_session_calls(&batch, EVENTS_KEPT_PER_SESSION)
            .await;
        let mut b = events.lock();
        let taken = std::mem::take(&mut b.in_flight);
        match written {
            Ok(()) => Ok(count),
            Err(e) => {
                let room = MAX_PENDING.saturating_sub(b.pending.len());
                let mut retry: Vec<Pending> = taken.into_iter().take(room).collect();
                retry.append(&mut b.pending);
                b.pending = retry;
                Err(internal(e))
            }
        }
    }

    /// A session's kept events, oldest first, the unwritten ones of this node included.
    pub async fn session_events(&self, session: &SecretHash) -> Result<Vec<SessionEvent>, Error> {
        let events = &self.inner.events;
        let _commit = events.commit.read().await;
        let mut all = self
            .inner
            .store
            .session_events(session)
            .await
            .map_err(internal)?;
        all.extend(events.unwritten(session).iter().map(Pending::to_event));
        let keep = EVENTS_KEPT_PER_SESSION as usize;
        if all.len() > keep {
            all.drain(..all.len() - keep);
        }
        Ok(all)
    }

    /// How many calls have been made in a session so far, this node's unwritten ones included.
    pub async fn session_calls(&self, session: &SecretHash) -> Result<u64, Error> {
        let events = &self.inner.events;
        let _commit = events.commit.read().await;
        let stored = self
            .inner
            .store
            .session_calls(session)
            .await
            .map_err(internal)?;
        Ok(stored + events.unwritten(session).len() as u64)
    }
}

/// Groups a batch by session, in order of first appearance: every call counts, but only the
/// newest ones a session keeps are written.
fn by_session(batch: &[Pending]) -> Vec<SessionCalls> {
    let mut index: HashMap<SecretHash, usize> = HashMap::new();
    let mut groups: Vec<(SecretHash, Vec<&Pending>)> = Vec::new();
    for p in batch {
        let i = *index.entry(p.session).or_insert_with(|| {
            groups.push((p.session, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(p);
    }
    groups
        .into_iter()
        .map(|(session, calls)| {
            let skip = calls.len().saturating_sub(EVENTS_KEPT_PER_SESSION as usize);
            SessionCalls {
                session,
                calls: calls.len() as u64,
                newest: calls[skip..].iter().map(|p| p.to_event()).collect(),
            }
        })
        .collect()
}
