//! The behaviour every `Store` must have. Each backend's tests call [`run_all`] on a fresh,
//! empty store; a failure names the check.

// A test suite: a failed step panics with its location, which is what a test should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod callbacks;
pub mod directory;
pub mod keys;
pub mod parcels;
pub mod relations;
pub mod reports;
pub mod sandbox;

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use edigrid_core::store::{
    ApiKeyRecord, CreateSessionOutcome, EndReason, LoginFailureOutcome, Mailbox, Network, NewUser,
    Person, SessionCalls, SessionEvent, SessionRecord, User,
};
use edigrid_core::{OverCapPolicy, Store, StoreError};
use edigrid_domain::{AuthLevel, MailboxId, NetworkId, SecretHash, SessionId, UserId, UserStatus};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 7, 10, 0, 0)
        .single()
        .unwrap_or_default()
}

async fn seed_user(store: &dyn Store, login: &str) -> User {
    if store.network(NetworkId(100)).await.unwrap().is_none() {
        store
            .insert_network(&Network::new(NetworkId(100), "N".into(), t0()))
            .await
            .unwrap();
        store
            .insert_mailbox(&Mailbox::new(
                MailboxId(200),
                NetworkId(100),
                "M".into(),
                t0(),
            ))
            .await
            .unwrap();
    }
    let id = store
        .insert_user(&NewUser {
            login: login.into(),
            password_hash: "$argon2id$stub".into(),
            network_id: NetworkId(100),
            mailbox_id: MailboxId(200),
            auth_level: AuthLevel::MailboxUser,
            status: UserStatus::Active,
            person: Person {
                first_name: "Ada".into(),
                ..Person::default()
            },
            recovery_answer_hash: None,
            created: t0(),
        })
        .await
        .unwrap();
    store.user(id).await.unwrap().unwrap()
}

fn session_for(user: &User, created: DateTime<Utc>) -> (SessionId, SessionRecord) {
    let id = SessionId::generate();
    let record = SessionRecord {
        hash: id.hash(),
        prefix: id.prefix(),
        user_id: user.id,
        network_id: user.network_id,
        mailbox_id: user.mailbox_id,
        created,
        expires: created + Duration::minutes(60),
        max_expires: created + Duration::hours(8),
        idle_timeout_secs: 3600,
        last_used: created,
        ended: None,
        end_reason: None,
        client_ip: "127.0.0.1".into(),
        protocol: "soap".into(),
        sender_solution: "suite".into(),
        sender_version: "1".into(),
        sender_company: "c".into(),
        sender_contact: "d".into(),
        sender_email: "e@x".into(),
        token_generation: 0,
    };
    (id, record)
}

pub async fn directory_round_trip(store: Arc<dyn Store>) {
    let user = seed_user(&*store, "Alice").await;
    assert_eq!(user.login, "Alice");
    assert_eq!(user.person.first_name, "Ada");
    let by_login = store.user_by_login("aLICE").await.unwrap().unwrap();
    assert_eq!(by_login.id, user.id, "login names match case-insensitively");
    assert!(store.user_by_login("bob").await.unwrap().is_none());
    assert_eq!(store.count_users().await.unwrap(), 1);
    let dup = store
        .insert_user(&NewUser {
            login: "ALICE".into(),
            password_hash: "x".into(),
            network_id: NetworkId(100),
            mailbox_id: MailboxId(200),
            auth_level: AuthLevel::General,
            status: UserStatus::Active,
            person: Person::default(),
            recovery_answer_hash: None,
            created: t0(),
        })
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "duplicate login: {dup:?}"
    );
    let dup_net = store
        .insert_network(&Network::new(NetworkId(100), "again".into(), t0()))
        .await;
    assert!(matches!(dup_net, Err(StoreError::Conflict(_))));
    store
        .set_status(user.id, UserStatus::Suspended)
        .await
        .unwrap();
    store.set_password_hash(user.id, "new").await.unwrap();
    let user = store.user(user.id).await.unwrap().unwrap();
    assert_eq!(
        (user.status, user.password_hash.as_str()),
        (UserStatus::Suspended, "new")
    );
    assert!(matches!(
        store.set_status(UserId(999_999), UserStatus::Active).await,
        Err(StoreError::Missing(_))
    ));
}

pub async fn lockout_counting(store: Arc<dyn Store>) {
    let user = seed_user(&*store, "locky").await;
    let until = t0() + Duration::minutes(15);
    for _ in 0..4 {
        assert_eq!(
            store.record_login_failure(user.id, 5, until).await.unwrap(),
            LoginFailureOutcome::Counted
        );
    }
    assert_eq!(
        store.record_login_failure(user.id, 5, until).await.unwrap(),
        LoginFailureOutcome::Locked
    );
    let locked = store.user(user.id).await.unwrap().unwrap();
    assert_eq!(locked.locked_until, Some(until));
    assert_eq!(locked.failed_logins, 0);
    store.record_login_success(user.id, t0()).await.unwrap();
    let reset = store.user(user.id).await.unwrap().unwrap();
    assert_eq!(
        (reset.locked_until, reset.failed_logins, reset.last_login),
        (None, 0, Some(t0()))
    );
}

pub async fn session_lifecycle(store: Arc<dyn Store>) {
    let user = seed_user(&*store, "sam").await;
    let (_, s) = session_for(&user, t0());
    let out = store
        .create_session(&s, 10, OverCapPolicy::EvictOldest, t0())
        .await
        .unwrap();
    assert_eq!(out, CreateSessionOutcome::Created { evicted: 0 });
    assert_eq!(
        store.session(&s.hash).await.unwrap().as_ref(),
        Some(&s),
        "stored as given"
    );
    assert_eq!(store.count_open_sessions(user.id, t0()).await.unwrap(), 1);
    assert_eq!(store.count_all_open_sessions(t0()).await.unwrap(), 1);

    let later = t0() + Duration::minutes(10);
    assert!(
        store
            .extend_session(&s.hash, later + Duration::minutes(60), later)
            .await
            .unwrap()
    );
    let got = store.session(&s.hash).await.unwrap().unwrap();
    assert_eq!(
        (got.expires, got.last_used),
        (later + Duration::minutes(60), later)
    );
    // An expiry never moves backwards.
    assert!(store.extend_session(&s.hash, t0(), later).await.unwrap());
    assert_eq!(
        store.session(&s.hash).await.unwrap().unwrap().expires,
        later + Duration::minutes(60)
    );

    assert!(
        store
            .end_session(&s.hash, EndReason::Logout, later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .end_session(&s.hash, EndReason::Logout, later)
            .await
            .unwrap(),
        "ends once"
    );
    assert!(
        !store
            .extend_session(&s.hash, later + Duration::hours(1), later)
            .await
            .unwrap()
    );
    let ended = store.session(&s.hash).await.unwrap().unwrap();
    assert_eq!(
        (ended.ended, ended.end_reason),
        (Some(later), Some(EndReason::Logout))
    );
    assert_eq!(store.count_open_sessions(user.id, later).await.unwrap(), 0);

    // An expired session cannot be ended or extended.
    let (_, e) = session_for(&user, t0());
    store
        .create_session(&e, 10, OverCapPolicy::EvictOldest, t0())
        .await
        .unwrap();
    let after = e.expires + Duration::seconds(1);
    assert!(
        !store
            .end_session(&e.hash, EndReason::Logout, after)
            .await
            .unwrap()
    );
    assert!(
        !store
            .extend_session(&e.hash, after + Duration::hours(1), after)
            .await
            .unwrap()
    );
}

pub async fn cap_policies(store: Arc<dyn Store>) {
    let user = seed_user(&*store, "capped").await;
    let mut made = Vec::new();
    for i in 0..3 {
        let (_, s) = session_for(&user, t0() + Duration::seconds(i));
        let mut s = s;
        s.last_used = t0() + Duration::seconds(i);
        store
            .create_session(&s, 3, OverCapPolicy::EvictOldest, t0())
            .await
            .unwrap();
        made.push(s);
    }
    // The first one is used recently: the second is the least recently used.
    store
        .extend_session(
            &made[0].hash,
            t0() + Duration::minutes(90),
            t0() + Duration::minutes(30),
        )
        .await
        .unwrap();
    let (_, fourth) = session_for(&user, t0() + Duration::minutes(31));
    let now = t0() + Duration::minutes(31);
    let out = store
        .create_session(&fourth, 3, OverCapPolicy::EvictOldest, now)
        .await
        .unwrap();
    assert_eq!(out, CreateSessionOutcome::Created { evicted: 1 });
    let evicted = store.session(&made[1].hash).await.unwrap().unwrap();
    assert_eq!(evicted.end_reason, Some(EndReason::Evicted));
    assert!(
        store
            .session(&made[0].hash)
            .await
            .unwrap()
            .unwrap()
            .ended
            .is_none()
    );
    assert_eq!(store.count_open_sessions(user.id, now).await.unwrap(), 3);

    let (_, fifth) = session_for(&user, now);
    let out = store
        .create_session(&fifth, 3, OverCapPolicy::Reject, now)
        .await
        .unwrap();
    assert_eq!(out, CreateSessionOutcome::LimitReached);
    assert!(
        store.session(&fifth.hash).await.unwrap().is_none(),
        "a refused session is not stored"
    );
    assert_eq!(store.count_open_sessions(user.id, now).await.unwrap(), 3);
}

pub async fn ending_all_and_listing(store: Arc<dyn Store>) {
    let user = seed_user(&*store, "many").await;
    let other = seed_user(&*store, "other").await;
    let mut mine = Vec::new();
    for i in 0..4 {
        let (_, s) = session_for(&user, t0() + Duration::seconds(i));
        store
            .create_session(&s, 10, OverCapPolicy::EvictOldest, t0())
            .await
            .unwrap();
        mine.push(s);
    }
    let (_, theirs) = session_for(&other, t0());
    store
        .create_session(&theirs, 10, OverCapPolicy::EvictOldest, t0())
        .await
        .unwrap();

    let listed = store.user_sessions(user.id, 3).await.unwrap();
    assert_eq!(listed.len(), 3, "limit holds");
    assert_eq!(listed[0].hash, mine[3].hash, "newest first");
    assert_eq!(store.all_sessions(100).await.unwrap().len(), 5);
    let by_prefix = store.sessions_with_prefix(&mine[2].prefix).await.unwrap();
    assert!(by_prefix.iter().any(|s| s.hash == mine[2].hash));

    let now = t0() + Duration::minutes(1);
    let ended = store
        .end_user_sessions(
            user.id,
            Some(&mine[0].hash),
            EndReason::PasswordChanged,
            now,
        )
        .await
        .unwrap();
    assert_eq!(ended, 3);
    assert!(
        store
            .session(&mine[0].hash)
            .await
            .unwrap()
            .unwrap()
            .ended
            .is_none(),
        "kept"
    );
    assert!(
        store
            .session(&theirs.hash)
            .await
            .unwrap()
            .unwrap()
            .ended
            .is_none(),
        "other user untouched"
    );
    assert_eq!(
        store
            .end_user_sessions(user.id, None, EndReason::Suspended, now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.count_open_sessions(user.id, now).await.unwrap(), 0);
}

pub async fn retention_purge(store: Arc<dyn Store>) {
    let user = seed_user(&*store, "old").await;
    let (_, ended_long_ago) = session_for(&user, t0());
    let (_, open) = session_for(&user, t0() + Duration::days(100));
    store
        .create_session(&ended_long_ago, 10, OverCapPolicy::EvictOldest, t0())
        .await
        .unwrap();
    store
        .end_session(&ended_long_ago.hash, EndReason::Logout, t0())
        .await
        .unwrap();
    store
        .create_session(
            &open,
            10,
            OverCapPolicy::EvictOldest,
            t0() + Duration::days(100),
        )
        .await
        .unwrap();
    let purged = store
        .purge_sessions(t0() + Duration::days(90))
        .await
        .unwrap();
    assert_eq!(purged, 1);
    assert!(store.session(&ended_long_ago.hash).await.unwrap().is_none());
    assert!(store.session(&open.hash).await.unwrap().is_some());
}

pub async fn token_generations_and_api_keys(store: Arc<dyn Store>) {
    let user = seed_user(&*store, "keyed").await;
    let (_, s) = session_for(&user, t0());
    store
        .create_session(&s, 10, OverCapPolicy::EvictOldest, t0())
        .await
        .unwrap();
    assert!(
        store
            .rotate_token_generation(&s.hash, 0, t0())
            .await
            .unwrap()
    );
    assert!(
        !store
            .rotate_token_generation(&s.hash, 0, t0())
            .await
            .unwrap(),
        "stale generation"
    );
    assert_eq!(
        store
            .session(&s.hash)
            .await
            .unwrap()
            .unwrap()
            .token_generation,
        1
    );
    store
        .end_session(&s.hash, EndReason::Logout, t0())
        .await
        .unwrap();
    assert!(
        !store
            .rotate_token_generation(&s.hash, 1, t0())
            .await
            .unwrap(),
        "ended session"
    );

    assert!(store.api_key_of(user.id).await.unwrap().is_none());
    let first = ApiKeyRecord {
        hash: SecretHash::of(b"first"),
        prefix: "first".into(),
        created: t0(),
    };
    store.set_api_key(user.id, &first).await.unwrap();
    let (owner, got) = store.api_key_owner(&first.hash).await.unwrap().unwrap();
    assert_eq!((owner.id, &got), (user.id, &first));
    let second = ApiKeyRecord {
        hash: SecretHash::of(b"second"),
        prefix: "second".into(),
        created: t0() + Duration::minutes(1),
    };
    store.set_api_key(user.id, &second).await.unwrap();
    assert!(
        store.api_key_owner(&first.hash).await.unwrap().is_none(),
        "the old key is gone"
    );
    assert_eq!(store.api_key_of(user.id).await.unwrap(), Some(second));

    store
        .record_login_failure(user.id, 1, t0() + Duration::minutes(15))
        .await
        .unwrap();
    store.clear_lockout(user.id).await.unwrap();
    let cleared = store.user(user.id).await.unwrap().unwrap();
    assert_eq!((cleared.failed_logins, cleared.locked_until), (0, None));

    assert_eq!(store.setting("k").await.unwrap(), None);
    assert_eq!(store.init_setting("k", "one").await.unwrap(), "one");
    assert_eq!(
        store.init_setting("k", "two").await.unwrap(),
        "one",
        "first value wins"
    );
    assert_eq!(store.setting("k").await.unwrap().as_deref(), Some("one"));
}

pub async fn login_throttle_steps(store: Arc<dyn Store>) {
    // 1 attempt a second on average, 3 at once.
    let (interval, tolerance) = (1000, 2000);
    for i in 0..3 {
        assert_eq!(
            store
                .take_login_attempt("192.0.2.1", t0(), interval, tolerance)
                .await
                .unwrap(),
            None,
            "attempt {i}"
        );
    }
    let wait = store
        .take_login_attempt("192.0.2.1", t0(), interval, tolerance)
        .await
        .unwrap();
    assert_eq!(wait, Some(1000), "the fourth waits for one interval");
    assert_eq!(
        store
            .take_login_attempt("192.0.2.2", t0(), interval, tolerance)
            .await
            .unwrap(),
        None,
        "other address"
    );
    let later = t0() + Duration::milliseconds(1000);
    assert_eq!(
        store
            .take_login_attempt("192.0.2.1", later, interval, tolerance)
            .await
            .unwrap(),
        None,
        "refilled"
    );
    assert_eq!(
        store
            .forget_login_attempts(t0() + Duration::seconds(10))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .take_login_attempt(
                "192.0.2.1",
                t0() + Duration::seconds(10),
                interval,
                tolerance
            )
            .await
            .unwrap(),
        None
    );
}

fn event(session: &SessionRecord, n: i64, operation: &str) -> SessionEvent {
    SessionEvent {
        session: session.hash,
        at: session.created + Duration::seconds(n),
        operation: operation.into(),
        duration_ms: i32::try_from(n).unwrap(),
        client_ip: "192.0.2.7".into(),
        outcome: if n % 2 == 0 {
            "Success"
        } else {
            "AccessDenied"
        }
        .into(),
        comment: format!("call {n}"),
    }
}

pub async fn session_events_are_batched_counted_and_trimmed(store: Arc<dyn Store>) {
    let user = seed_user(&*store, "eve").await;
    let (_, a) = session_for(&user, t0());
    let (_, b) = session_for(&user, t0() + Duration::seconds(1));
    for s in [&a, &b] {
        store
            .create_session(s, 10, OverCapPolicy::EvictOldest, s.created)
            .await
            .unwrap();
    }
    assert_eq!(store.session_calls(&a.hash).await.unwrap(), 0);
    assert!(store.session_events(&a.hash).await.unwrap().is_empty());

    // One batch for two sessions; each keeps at most 3 events, however many it is handed.
    let calls = |s: &SessionRecord, calls: u64, ns: &[i64], op: &str| SessionCalls {
        session: s.hash,
        calls,
        newest: ns.iter().map(|n| event(s, *n, op)).collect(),
    };
    let batch = [
        calls(&a, 5, &[2, 3, 4, 5], "WhoAmI"),
        calls(&b, 5, &[10, 20, 30, 40, 50], "SessionLog"),
    ];
    store.append_session_calls(&batch, 3).await.unwrap();
    assert_eq!(store.session_calls(&a.hash).await.unwrap(), 5);
    assert_eq!(store.session_calls(&b.hash).await.unwrap(), 5);
    let kept = store.session_events(&a.hash).await.unwrap();
    assert_eq!(
        kept,
        vec![
            event(&a, 3, "WhoAmI"),
            event(&a, 4, "WhoAmI"),
            event(&a, 5, "WhoAmI")
        ]
    );

    // A second batch counts on and still keeps the newest only, oldest first.
    store
        .append_session_calls(&[calls(&a, 1, &[6], "Logout")], 3)
        .await
        .unwrap();
    assert_eq!(store.session_calls(&a.hash).await.unwrap(), 6);
    let ops: Vec<String> = store
        .session_events(&a.hash)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.comment)
        .collect();
    assert_eq!(ops, ["call 4", "call 5", "call 6"]);
    assert_eq!(store.session_events(&b.hash).await.unwrap().len(), 3);

    // Events of an unknown session are kept harmlessly and count nothing.
    let (_, ghost) = session_for(&user, t0());
    store
        .append_session_calls(&[calls(&ghost, 1, &[2], "WhoAmI")], 3)
        .await
        .unwrap();
    assert_eq!(store.session_calls(&ghost.hash).await.unwrap(), 0);

    // Purging a session takes its events with it.
    store
        .end_session(&a.hash, EndReason::Logout, t0() + Duration::seconds(7))
        .await
        .unwrap();
    store
        .purge_sessions(t0() + Duration::days(1))
        .await
        .unwrap();
    assert!(store.session_events(&a.hash).await.unwrap().is_empty());
    assert!(store.session_events(&ghost.hash).await.unwrap().is_empty());
}

pub async fn caps_lockouts_and_ranges(store: Arc<dyn Store>) {
    let ann = seed_user(&*store, "ann").await;
    let bob = seed_user(&*store, "bob").await;
    store.set_max_sessions(ann.id, Some(3)).await.unwrap();
    assert_eq!(
        store.user(ann.id).await.unwrap().unwrap().max_sessions,
        Some(3)
    );
    store.set_max_sessions(ann.id, None).await.unwrap();
    assert_eq!(
        store.user(ann.id).await.unwrap().unwrap().max_sessions,
        None
    );
    assert!(matches!(
        store.set_max_sessions(UserId(9999), Some(2)).await,
        Err(StoreError::Missing(_))
    ));

    assert!(store.locked_out_users(t0()).await.unwrap().is_empty());
    store
        .record_login_failure(bob.id, 1, t0() + Duration::minutes(15))
        .await
        .unwrap();
    let locked: Vec<UserId> = store
        .locked_out_users(t0())
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(locked, [bob.id]);
    assert!(
        store
            .locked_out_users(t0() + Duration::minutes(15))
            .await
            .unwrap()
            .is_empty()
    );

    let mut created = Vec::new();
    for hour in 0..4 {
        let (_, s) = session_for(&ann, t0() + Duration::hours(hour));
        store
            .create_session(&s, 10, OverCapPolicy::EvictOldest, s.created)
            .await
            .unwrap();
        created.push(s.hash);
    }
    let between = store
        .user_sessions_created_between(
            ann.id,
            t0() + Duration::hours(1),
            t0() + Duration::hours(2),
            10,
        )
        .await
        .unwrap();
    let hashes: Vec<SecretHash> = between.iter().map(|s| s.hash).collect();
    assert_eq!(hashes, [created[2], created[1]]);
    let limited = store
        .user_sessions_created_between(ann.id, t0(), t0() + Duration::hours(5), 1)
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);
    assert_eq!(limited[0].hash, created[3]);
    assert!(
        store
            .user_sessions_created_between(bob.id, t0(), t0() + Duration::hours(5), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Runs every check, each on a fresh store from `fresh`.
pub async fn run_all<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Arc<dyn Store>>,
{
    directory_round_trip(fresh().await).await;
    lockout_counting(fresh().await).await;
    session_lifecycle(fresh().await).await;
    cap_policies(fresh().await).await;
    ending_all_and_listing(fresh().await).await;
    retention_purge(fresh().await).await;
    token_generations_and_api_keys(fresh().await).await;
    login_throttle_steps(fresh().await).await;
    session_events_are_batched_counted_and_trimmed(fresh().await).await;
    caps_lockouts_and_ranges(fresh().await).await;
}
