//! The behaviour every `Store` must have. Each backend's tests call [`run_all`] on a fresh,
//! empty store; a failure names the check.

// A test suite: a failed step panics with its location, which is what a test should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use edigrid_core::store::{
    ApiKeyRecord, CreateSessionOutcome, EndReason, LoginFailureOutcome, Mailbox, Network, NewUser,
    Person, SessionRecord, User,
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
            .insert_network(&Network {
                id: NetworkId(100),
                name: "N".into(),
                status: UserStatus::Active,
            })
            .await
            .unwrap();
        store
            .insert_mailbox(&Mailbox {
                id: MailboxId(200),
                network_id: NetworkId(100),
                name: "M".into(),
                status: UserStatus::Active,
            })
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
            created: t0(),
        })
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "duplicate login: {dup:?}"
    );
    let dup_net = store
        .insert_network(&Network {
            id: NetworkId(100),
            name: "again".into(),
            status: UserStatus::Active,
        })
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
}
