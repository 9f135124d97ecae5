//! A node's short-lived copies of open sessions, so that a busy session is not read from the
//! store on every call.
//!
//! Coherence is kept by a lease, not by messages between nodes:
//! - a copy is served for at most `lease` after the store read that produced it began;
//! - a change that closes or alters sessions (logout, reset, suspension, eviction, token
//!   rotation) forgets this node's copies at once, then waits one `lease` before it returns.
//!
//! Any other node's copy was read before the change committed, so it has lapsed by the time
//! the change is acknowledged: once a logout returns, no node accepts the session. The price
//! is that each such change takes `lease` longer. A lease of zero turns the cache off (every
//! call reads the store and no change waits).
//!
//! Only open sessions are copied. Everything time-based (expiry, the absolute lifetime) is
//! still judged on each call from the copy; a copy that looks expired is read again, since
//! another node may have extended it.
//!
//! Beside a session's copy the node may keep its user's directory identity (level, network,
//! mailbox: what the directory's rules judge by), under the same lease counted from the user
//! read that produced it. A change of a user's level or home forgets this node's copies and
//! waits one lease before it is acknowledged, as the changes that end sessions do; a user who
//! may no longer log in has their sessions ended, which forgets the identity with them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use edigrid_domain::{AuthLevel, MailboxId, NetworkId, SecretHash, UserId};

use crate::store::SessionRecord;

const SHARDS: usize = 16;
/// Copies kept per shard. A copy lives one lease, so this bounds memory without limiting any
/// realistic load (16,384 sessions each called within one lease).
const PER_SHARD: usize = 1024;

pub(crate) struct SessionCache {
    lease: Duration,
    shards: Vec<Mutex<HashMap<SecretHash, CachedSession>>>,
}

struct CachedSession {
    session: SessionRecord,
    /// When the store read that produced it was sent.
    read_at: Instant,
    /// The session user's identity and when the user read that produced it was sent.
    identity: Option<(Identity, Instant)>,
}

/// A user as the directory's rules see them: who, at what level, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Identity {
    pub user: UserId,
    pub level: AuthLevel,
    pub network: NetworkId,
    pub mailbox: MailboxId,
}

impl SessionCache {
    pub fn new(lease: Duration) -> Self {
        SessionCache {
            lease,
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.lease.is_zero()
    }

    fn shard(
        &self,
        hash: &SecretHash,
    ) -> std::sync::MutexGuard<'_, HashMap<SecretHash, CachedSession>> {
        // The hash is a SHA-256 digest: its first byte spreads sessions evenly.
        self.shards[usize::from(hash.0[0]) % SHARDS]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The copy of a session if one is still within its lease.
    pub fn get(&self, hash: &SecretHash) -> Option<SessionRecord> {
        if !self.enabled() {
            return None;
        }
        let shard = self.shard(hash);
        shard
            .get(hash)
            .filter(|copy| copy.read_at.elapsed() < self.lease)
            .map(|copy| copy.session.clone())
    }

    /// Keeps a copy of an open session read by a query sent at `read_at`.
    pub fn put(&self, session: &SessionRecord, read_at: Instant) {
        if !self.enabled() || session.ended.is_some() {
            return;
        }
        let mut shard = self.shard(&session.hash);
        if shard.len() >= PER_SHARD && !shard.contains_key(&session.hash) {
            shard.retain(|_, copy| copy.read_at.elapsed() < self.lease);
            if shard.len() >= PER_SHARD {
                return;
            }
        }
        // The identity has a lease of its own: a fresher session copy keeps it while it lasts.
        let identity = shard
            .get(&session.hash)
            .and_then(|old| old.identity)
            .filter(|(id, at)| id.user == session.user_id && at.elapsed() < self.lease);
        shard.insert(
            session.hash,
            CachedSession {
                session: session.clone(),
                read_at,
                identity,
            },
        );
    }

    /// The identity kept with a session's copy, if it is `user`'s and still within its lease.
    pub fn identity(&self, hash: &SecretHash, user: UserId) -> Option<Identity> {
        if !self.enabled() {
            return None;
        }
        let shard = self.shard(hash);
        shard
            .get(hash)
            .and_then(|copy| copy.identity)
            .filter(|(id, at)| id.user == user && at.elapsed() < self.lease)
            .map(|(id, _)| id)
    }

    /// Keeps the identity of a session's user, read by a query sent at `read_at`, with the
    /// session's copy; nothing is kept for a session this node holds no copy of.
    pub fn put_identity(&self, hash: &SecretHash, identity: Identity, read_at: Instant) {
        if !self.enabled() {
            return;
        }
        if let Some(copy) = self.shard(hash).get_mut(hash)
            && copy.session.user_id == identity.user
        {
            copy.identity = Some((identity, read_at));
        }
    }

    /// Applies this node's own change of a session to its copy (the lease is unchanged: the
    /// copy knows no more than before of other nodes' changes).
    pub fn update(&self, hash: &SecretHash, change: impl FnOnce(&mut SessionRecord)) {
        if let Some(copy) = self.shard(hash).get_mut(hash) {
            change(&mut copy.session);
        }
    }

    pub fn forget(&self, hash: &SecretHash) {
        self.shard(hash).remove(hash);
    }

    pub fn forget_user(&self, user: UserId) {
        for shard in &self.shards {
            shard
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|_, copy| copy.session.user_id != user);
        }
    }

    /// Waits until every copy read before now, on any node, has lapsed. Called after a
    /// change that closes or alters sessions has committed, before it is acknowledged.
    pub async fn settle(&self) {
        if self.enabled() {
            tokio::time::sleep(self.lease).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn session(seed: u8, user: i32) -> SessionRecord {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        SessionRecord {
            hash: SecretHash([seed; 32]),
            prefix: "ABCDEF12".into(),
            user_id: UserId(user),
            network_id: NetworkId(1),
            mailbox_id: MailboxId(1),
            created: t,
            expires: t,
            max_expires: t,
            idle_timeout_secs: 60,
            last_used: t,
            ended: None,
            end_reason: None,
            client_ip: "127.0.0.1".into(),
            protocol: "soap".into(),
            sender_solution: String::new(),
            sender_version: String::new(),
            sender_company: String::new(),
            sender_contact: String::new(),
            sender_email: String::new(),
            token_generation: 0,
        }
    }

    #[test]
    fn a_copy_is_served_only_within_its_lease() {
        let cache = SessionCache::new(Duration::from_millis(50));
        let s = session(1, 1);
        cache.put(&s, Instant::now());
        assert_eq!(cache.get(&s.hash).map(|c| c.hash), Some(s.hash));
        std::thread::sleep(Duration::from_millis(60));
        assert!(
            cache.get(&s.hash).is_none(),
            "a lapsed copy must not be served"
        );
        // A copy whose read began a lease ago is lapsed from the start.
        cache.put(&s, Instant::now() - Duration::from_millis(50));
        assert!(cache.get(&s.hash).is_none());
    }

    #[test]
    fn ended_sessions_and_a_zero_lease_keep_nothing() {
        let cache = SessionCache::new(Duration::from_secs(60));
        let mut s = session(2, 1);
        s.ended = Some(s.created);
        cache.put(&s, Instant::now());
        assert!(cache.get(&s.hash).is_none());

        let off = SessionCache::new(Duration::ZERO);
        let s = session(3, 1);
        off.put(&s, Instant::now());
        assert!(off.get(&s.hash).is_none());
    }

    #[test]
    fn forgetting_drops_one_session_or_all_of_a_user() {
        let cache = SessionCache::new(Duration::from_secs(60));
        let (a1, a2, b) = (session(4, 1), session(5, 1), session(6, 2));
        for s in [&a1, &a2, &b] {
            cache.put(s, Instant::now());
        }
        cache.forget(&a1.hash);
        assert!(cache.get(&a1.hash).is_none());
        assert!(cache.get(&a2.hash).is_some());
        cache.forget_user(UserId(1));
        assert!(cache.get(&a2.hash).is_none());
        assert!(cache.get(&b.hash).is_some(), "another user's copy stays");
    }

    fn identity(user: i32) -> Identity {
        Identity {
            user: UserId(user),
            level: AuthLevel::NetworkAdmin,
            network: NetworkId(1),
            mailbox: MailboxId(1),
        }
    }

    #[test]
    fn an_identity_is_kept_with_its_session_within_its_own_lease() {
        let cache = SessionCache::new(Duration::from_millis(50));
        let s = session(8, 1);
        cache.put_identity(&s.hash, identity(1), Instant::now());
        assert!(
            cache.identity(&s.hash, UserId(1)).is_none(),
            "no identity without the session's copy"
        );
        cache.put(&s, Instant::now());
        cache.put_identity(&s.hash, identity(2), Instant::now());
        assert!(
            cache.identity(&s.hash, UserId(2)).is_none(),
            "only the session user's identity is kept"
        );
        cache.put_identity(&s.hash, identity(1), Instant::now());
        assert_eq!(cache.identity(&s.hash, UserId(1)), Some(identity(1)));
        assert!(cache.identity(&s.hash, UserId(2)).is_none());
        // A fresher copy of the session keeps the identity, whose lease runs on.
        cache.put(&s, Instant::now());
        assert_eq!(cache.identity(&s.hash, UserId(1)), Some(identity(1)));
        std::thread::sleep(Duration::from_millis(60));
        cache.put(&s, Instant::now());
        assert!(
            cache.identity(&s.hash, UserId(1)).is_none(),
            "a lapsed identity is not served, even with a fresh session copy"
        );
        // An identity whose read began a lease ago is lapsed from the start.
        cache.put_identity(
            &s.hash,
            identity(1),
            Instant::now() - Duration::from_millis(50),
        );
        assert!(cache.identity(&s.hash, UserId(1)).is_none());
    }

    #[test]
    fn forgetting_a_user_forgets_their_identity_and_a_zero_lease_keeps_none() {
        let cache = SessionCache::new(Duration::from_secs(60));
        let s = session(9, 1);
        cache.put(&s, Instant::now());
        cache.put_identity(&s.hash, identity(1), Instant::now());
        cache.forget_user(UserId(1));
        assert!(cache.identity(&s.hash, UserId(1)).is_none());
        cache.put(&s, Instant::now());
        assert!(
            cache.identity(&s.hash, UserId(1)).is_none(),
            "a session read again after forgetting has no identity yet"
        );

        let off = SessionCache::new(Duration::ZERO);
        off.put(&s, Instant::now());
        off.put_identity(&s.hash, identity(1), Instant::now());
        assert!(off.identity(&s.hash, UserId(1)).is_none());
    }

    #[test]
    fn updates_apply_to_the_copy() {
        let cache = SessionCache::new(Duration::from_secs(60));
        let s = session(7, 1);
        cache.put(&s, Instant::now());
        let later = s.expires + chrono::Duration::minutes(5);
        cache.update(&s.hash, |c| c.expires = later);
        assert_eq!(cache.get(&s.hash).unwrap().expires, later);
    }

    #[test]
    fn a_full_shard_makes_room_from_lapsed_copies_only() {
        let cache = SessionCache::new(Duration::from_millis(30));
        let old = Instant::now() - Duration::from_millis(40);
        // Every hash below lands in shard 0 (first byte a multiple of SHARDS).
        let hash = |i: usize| {
            let mut h = [0u8; 32];
            h[0] = 0;
            h[1..9].copy_from_slice(&(i as u64).to_le_bytes());
            SecretHash(h)
        };
        let mut s = session(0, 1);
        for i in 0..PER_SHARD {
            s.hash = hash(i);
            cache.put(&s, old);
        }
        s.hash = hash(PER_SHARD);
        cache.put(&s, Instant::now());
        assert!(cache.get(&s.hash).is_some(), "lapsed copies made room");

        let full = SessionCache::new(Duration::from_secs(60));
        for i in 0..PER_SHARD {
            s.hash = hash(i);
            full.put(&s, Instant::now());
        }
        s.hash = hash(PER_SHARD);
        full.put(&s, Instant::now());
        assert!(
            full.get(&s.hash).is_none(),
            "a full shard of live copies takes no more"
        );
        assert!(full.get(&hash(0)).is_some());
    }
}
