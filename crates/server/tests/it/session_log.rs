//! SessionLog (SPEC sections 4 and 6): who may read whose log, `UserID` 0, `MaxRecords`
//! bounds, newest-first order, redaction of every SessionID but the caller's current one,
//! and ended sessions listed with their end time.

use chrono::{DateTime, Duration, Utc};
use edigrid_core::store::SessionRecord;
use edigrid_core::{Clock, OverCapPolicy};
use edigrid_domain::{AuthLevel, SessionId, UserId};
use edigrid_testkit::{SoapReply, TestApp, spawn_app};

const FIELDS: [&str; 6] = [
    "SessionID",
    "UserID",
    "NetworkID",
    "MailboxID",
    "Created",
    "Expires",
];

/// One `SessionIDInfo` of a log.
#[derive(Debug, Clone)]
struct Entry {
    session_id: String,
    user_id: i32,
    network_id: i32,
    mailbox_id: i32,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
}

fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .with_timezone(&Utc)
}

/// The records of a successful SessionLog reply; checks each has exactly the six fields
/// in order.
fn entries(reply: &SoapReply) -> Vec<Entry> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let doc = roxmltree::Document::parse(&reply.body).unwrap();
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "SessionIDInfo")
        .map(|info| {
            let children: Vec<_> = info.children().filter(|n| n.is_element()).collect();
            let names: Vec<&str> = children.iter().map(|n| n.tag_name().name()).collect();
            assert_eq!(names, FIELDS, "fields of a record: {}", reply.body);
            let text = |i: usize| children[i].text().unwrap_or("").to_string();
            Entry {
                session_id: text(0),
                user_id: text(1).parse().unwrap(),
                network_id: text(2).parse().unwrap(),
                mailbox_id: text(3).parse().unwrap(),
                created: parse_time(&text(4)),
                expires: parse_time(&text(5)),
            }
        })
        .collect()
}

async fn session_log(app: &TestApp, sid: &str, user: i32, max: i32) -> SoapReply {
    app.soap(
        "SessionLog",
        &[
            ("SessionID", sid),
            ("UserID", &user.to_string()),
            ("MaxRecords", &max.to_string()),
        ],
    )
    .await
}

/// `XXXXXXXX-****-****-****-************` with upper-case hexadecimal digits.
fn is_redacted(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups[0].len() == 8
        && groups[0]
            .chars()
            .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
        && groups[1..]
            .iter()
            .zip([4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c == '*'))
}

fn redacted_form_of(sid: &str) -> String {
    format!("{}-****-****-****-************", &sid[..8])
}

fn assert_newest_first(log: &[Entry]) {
    for pair in log.windows(2) {
        assert!(
            pair[0].created >= pair[1].created,
            "not newest first: {pair:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Permissions

struct Caller {
    login: &'static str,
    level: AuthLevel,
    network: i32,
    mailbox: i32,
    /// May read the log of the target user (network 100, mailbox 200).
    may_view: bool,
    /// Sees every user, so learns that an unknown UserID does not exist.
    sees_all: bool,
}

const fn caller(
    login: &'static str,
    level: AuthLevel,
    network: i32,
    mailbox: i32,
    may_view: bool,
    sees_all: bool,
) -> Caller {
    Caller {
        login,
        level,
        network,
        mailbox,
        may_view,
        sees_all,
    }
}

/// Callers of every rule of section 6, around a target user in network 100, mailbox 200.
const CALLERS: [Caller; 11] = [
    caller("root", AuthLevel::Root, 101, 300, true, true),
    caller("techops", AuthLevel::TechOps, 101, 300, true, true),
    caller("netops", AuthLevel::NetOps, 101, 300, true, true),
    caller(
        "netadmin-same",
        AuthLevel::NetworkAdmin,
        100,
        201,
        true,
        false,
    ),
    caller(
        "netadmin-other",
        AuthLevel::NetworkAdmin,
        101,
        300,
        false,
        false,
    ),
    caller(
        "mbxadmin-same",
        AuthLevel::MailboxAdmin,
        100,
        200,
        true,
        false,
    ),
    caller(
        "mbxadmin-other",
        AuthLevel::MailboxAdmin,
        100,
        201,
        false,
        false,
    ),
    caller("netuser", AuthLevel::NetworkUser, 100, 200, false, false),
    caller("mbxuser", AuthLevel::MailboxUser, 100, 200, false, false),
    caller("tpuser", AuthLevel::TPUser, 100, 200, false, false),
    caller("general", AuthLevel::General, 100, 200, false, false),
];

const MISSING_USER: i32 = 999_999;

#[tokio::test]
async fn each_auth_level_sees_exactly_the_logs_section_6_allows() {
    let app = spawn_app().await;
    let target = app
        .add_user("target", AuthLevel::MailboxUser, 100, 200)
        .await;
    app.login("target").await;

    for c in &CALLERS {
        let me = app.add_user(c.login, c.level, c.network, c.mailbox).await;
        let sid = app.login(c.login).await;
        let who = c.login;

        // Everyone reads their own log, by number and by 0.
        for id in [me.0, 0] {
            let own = entries(&session_log(&app, &sid, id, 10).await);
            assert!(!own.is_empty(), "{who}: own log");
            assert!(own.iter().all(|e| e.user_id == me.0), "{who}: {own:?}");
        }

        let existing = session_log(&app, &sid, target.0, 10).await;
        let missing = session_log(&app, &sid, MISSING_USER, 10).await;
        if c.may_view {
            let log = entries(&existing);
            assert!(!log.is_empty(), "{who} sees the target's sessions");
            assert!(log.iter().all(|e| e.user_id == target.0), "{who}: {log:?}");
        } else {
            let fault = existing.expect_fault();
            assert_eq!(fault.category, "Authorization", "{who}: {fault:?}");
            assert_eq!(fault.error_code, "2", "{who}: {fault:?}");
        }
        let missing = missing.expect_fault();
        if c.sees_all {
            assert_eq!(missing.category, "ObjectNotFound", "{who}: {missing:?}");
            assert_eq!(missing.error_code, "3", "{who}: {missing:?}");
            assert_eq!(missing.item, "UserID", "{who}: {missing:?}");
        } else {
            assert_eq!(missing.category, "Authorization", "{who}: {missing:?}");
            assert_eq!(missing.error_code, "2", "{who}: {missing:?}");
        }
        if !c.may_view {
            // Nothing tells an existing user from a missing one.
            let existing = existing.expect_fault();
            let neutral = |text: &str, id: i32| text.replace(&id.to_string(), "N");
            assert_eq!(
                neutral(&existing.text, target.0),
                neutral(&missing.text, MISSING_USER),
                "{who}"
            );
            assert_eq!(existing.item, missing.item, "{who}");
        }
    }
}

#[tokio::test]
async fn user_id_zero_is_the_caller() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxAdmin, 100, 200)
        .await;
    app.add_user("bob", AuthLevel::MailboxUser, 100, 200).await;
    app.login("bob").await;
    app.login("alice").await;
    app.clock.advance(Duration::seconds(1));
    let sid = app.login("alice").await;

    let log = entries(&session_log(&app, &sid, 0, 10).await);
    assert_eq!(log.len(), 2, "{log:?}");
    for e in &log {
        assert_eq!((e.user_id, e.network_id, e.mailbox_id), (alice.0, 100, 200));
    }
    assert_eq!(log[0].session_id, sid);
}

// ---------------------------------------------------------------------------------------
// MaxRecords

#[tokio::test]
async fn max_records_below_one_is_invalid_parameter() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let sid = app.login("alice").await;
    for max in [0, -1, i32::from(i16::MIN)] {
        let fault = session_log(&app, &sid, 0, max).await.expect_fault();
        assert_eq!(fault.category, "InvalidParameter", "{max}: {fault:?}");
        assert_eq!(fault.item, "MaxRecords", "{max}: {fault:?}");
        assert_eq!(fault.error_code, "9", "{max}: {fault:?}");
    }
}

/// Stores `n` old, expired sessions of a user straight into the store.
async fn insert_old_sessions(app: &TestApp, user: UserId, n: i64) -> Vec<String> {
    let store = app.core.store();
    let user = store.user(user).await.unwrap().unwrap();
    let now = app.clock.now();
    let mut ids = Vec::new();
    for i in 0..n {
        let created = now - Duration::days(1) - Duration::seconds(i);
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
            sender_solution: String::new(),
            sender_version: String::new(),
            sender_company: String::new(),
            sender_contact: String::new(),
            sender_email: String::new(),
            token_generation: 0,
        };
        store
            .create_session(&record, 100_000, OverCapPolicy::EvictOldest, now)
            .await
            .unwrap();
        ids.push(id.to_string());
    }
    ids
}

#[tokio::test]
async fn max_records_above_500_is_capped_at_500() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    insert_old_sessions(&app, alice, 510).await;
    let sid = app.login("alice").await;

    for (max, expected) in [(7, 7), (500, 500), (501, 500), (i32::from(i16::MAX), 500)] {
        let log = entries(&session_log(&app, &sid, 0, max).await);
        assert_eq!(log.len(), expected, "MaxRecords {max}");
        assert_eq!(log[0].session_id, sid, "the current session is the newest");
        assert_newest_first(&log);
    }
}

// ---------------------------------------------------------------------------------------
// Order, redaction, ended sessions

#[tokio::test]
async fn newest_first_and_only_the_current_session_in_full() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let mut sessions = Vec::new();
    for _ in 0..4 {
        sessions.push(app.login("alice").await);
        app.clock.advance(Duration::minutes(1));
    }
    // Ask from the second oldest: the current session is not always the newest.
    let current = &sessions[1];
    let reply = session_log(&app, current, 0, 10).await;
    let log = entries(&reply);

    let newest_first: Vec<&String> = sessions.iter().rev().collect();
    assert_eq!(log.len(), newest_first.len());
    for pair in log.windows(2) {
        assert!(pair[0].created > pair[1].created, "{pair:?}");
    }
    for (entry, sid) in log.iter().zip(newest_first) {
        if sid == current {
            assert_eq!(&entry.session_id, sid, "the current session in full");
        } else {
            assert!(is_redacted(&entry.session_id), "{entry:?}");
            assert_eq!(entry.session_id, redacted_form_of(sid));
            assert!(!reply.body.contains(&sid[8..]), "a full SessionID leaked");
        }
    }
}

#[tokio::test]
async fn an_admin_sees_another_users_sessions_redacted() {
    let app = spawn_app().await;
    let alice = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    app.add_user("root", AuthLevel::Root, 100, 200).await;
    let mut theirs = Vec::new();
    for _ in 0..3 {
        theirs.push(app.login("alice").await);
        app.clock.advance(Duration::seconds(1));
    }
    let root = app.login("root").await;

    let reply = session_log(&app, &root, alice.0, 10).await;
    let log = entries(&reply);
    assert_eq!(log.len(), 3);
    for entry in &log {
        assert!(is_redacted(&entry.session_id), "{entry:?}");
        assert_eq!(entry.user_id, alice.0);
    }
    for sid in &theirs {
        assert!(!reply.body.contains(&sid[8..]), "a full SessionID leaked");
        assert!(log.iter().any(|e| e.session_id == redacted_form_of(sid)));
    }
    assert!(
        !reply.body.contains(&root),
        "the caller's own session is not theirs"
    );
}

#[tokio::test]
async fn ended_and_open_sessions_are_listed_with_when_they_end() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let t0 = app.clock.now();
    let ended = app.login("alice").await;
    app.clock.advance(Duration::minutes(1));
    let open = app.login("alice").await;
    app.clock.advance(Duration::minutes(10));
    let out = app.soap("Logout", &[("SessionID", &ended)]).await;
    assert_eq!(out.field("LogoutResult").as_deref(), Some("true"));
    let ended_at = app.clock.now();
    app.clock.advance(Duration::minutes(5));
    let current = app.login("alice").await;

    let log = entries(&session_log(&app, &current, 0, 10).await);
    assert_eq!(log.len(), 3, "{log:?}");

    assert_eq!(log[0].session_id, current);
    let info = app.soap("SessionInfo", &[("SessionID", &current)]).await;
    assert_eq!(
        log[0].expires,
        parse_time(&info.field("Expires").unwrap()),
        "the current session's Expires is what SessionInfo says"
    );

    assert_eq!(log[1].session_id, redacted_form_of(&open));
    assert_eq!(log[1].created, t0 + Duration::minutes(1));
    assert_eq!(log[1].expires, t0 + Duration::minutes(61), "open: will end");

    assert_eq!(log[2].session_id, redacted_form_of(&ended));
    assert_eq!(log[2].created, t0);
    assert_eq!(log[2].expires, ended_at, "ended: when it ended");
}
