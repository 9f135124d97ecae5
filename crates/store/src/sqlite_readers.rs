//! Read-only SQLite connections for the hot path (validating a session on every call, and
//! a search of the directory by trading-partner ID).
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every query over a
//! channel; measured here, the two thread switches per query cost far more than the
//! primary-key lookup itself (about 40% of the server's CPU under load went to futex
//! wake-ups). A lookup of a few microseconds is cheaper done inline on the async worker.
//! Writes stay on sqlx; WAL mode lets these readers run beside the writer and see every
//! committed write.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use edigrid_core::StoreError;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::convert::SessionRow;

pub struct SessionReaders {
    connections: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

const SELECT_SESSION: &str = select_sessions!("WHERE hash = ?1");

impl SessionReaders {
    pub fn open(path: &Path, count: usize) -> Result<Self, StoreError> {
        let connections = (0..count.max(1))
            .map(|_| {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(|e| StoreError::Backend(e.to_string()))?;
                conn.busy_timeout(Duration::from_secs(10))
                    .map_err(|e| StoreError::Backend(e.to_string()))?;
                // Plans made without the bound values. Otherwise, once ANALYZE has gathered
                // samples (sqlite_stat4), SQLite prepares a statement again whenever a value
                // its plan was estimated from changes: a search bound to a new ID on every
                // call spent more time re-parsing its statement than running it.
                conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
                    .map_err(|e| StoreError::Backend(e.to_string()))?;
                Ok(Mutex::new(conn))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(SessionReaders {
            connections,
            next: AtomicUsize::new(0),
        })
    }

    /// Runs `read` on the calling thread with one of the connections: only short reads an
    /// index bounds belong here, since the async worker waits for them.
    pub(crate) fn with<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let n = self.connections.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        // A free connection if there is one; else wait for ours (lookups are short).
        let guard = (0..n)
            .find_map(|i| self.connections[(start + i) % n].try_lock().ok())
            .unwrap_or_else(|| {
                self.connections[start]
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
            });
        read(&guard)
    }

    /// The session with this hash, read on the calling thread.
    pub fn session(&self, hash: &[u8]) -> Result<Option<SessionRow>, StoreError> {
        self.with(|conn| read_session(conn, hash))
    }
}

fn read_session(conn: &Connection, hash: &[u8]) -> Result<Option<SessionRow>, StoreError> {
    let backend = |e: rusqlite::Error| StoreError::Backend(e.to_string());
    let mut statement = conn.prepare_cached(SELECT_SESSION).map_err(backend)?;
    statement
        // By position, in the order of `select_sessions!`: looking columns up by name
        // cost more than the lookup itself.
        .query_row([hash], |r| {
            Ok(SessionRow {
                hash: r.get(0)?,
                prefix: r.get(1)?,
                user_id: r.get(2)?,
                network_id: r.get(3)?,
                mailbox_id: r.get(4)?,
                created_ms: r.get(5)?,
                expires_ms: r.get(6)?,
                max_expires_ms: r.get(7)?,
                idle_timeout_secs: r.get(8)?,
                last_used_ms: r.get(9)?,
                ended_ms: r.get(10)?,
                end_reason: r.get(11)?,
                client_ip: r.get(12)?,
                protocol: r.get(13)?,
                sender_solution: r.get(14)?,
                sender_version: r.get(15)?,
                sender_company: r.get(16)?,
                sender_contact: r.get(17)?,
                sender_email: r.get(18)?,
                token_generation: r.get(19)?,
            })
        })
        .optional()
        .map_err(backend)
}
