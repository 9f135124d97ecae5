use edigrid_domain::{AuthLevel, CellCarrier, Error, MailboxId, NetworkId, UserId, UserStatus};

use super::{PASSWORD, World, caller, denied, invalid, operator};
use crate::Clock;
use crate::directory::model::{Page, UserFilter};
use crate::directory::{UserChanges, UserCreateRequest};
use crate::store::{EndReason, Person};

fn request(login: &str, level: AuthLevel, mailbox: i32) -> UserCreateRequest {
    UserCreateRequest {
        network: NetworkId(if mailbox == 20 { 2 } else { 1 }),
        mailbox: MailboxId(mailbox),
        login: login.into(),
        password: PASSWORD.into(),
        person: Person {
            first_name: "Ann".into(),
            email: "ann@example.com".into(),
            recovery_question: "First pet?".into(),
            ..Person::default()
        },
        recovery_answer: " Rex ".into(),
        auth_level: level,
    }
}

#[tokio::test]
async fn mailbox_admins_create_users_up_to_their_level_in_their_mailbox() {
    let w = World::new().await;
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let u = w
        .core
        .user_create(&ma, request("ann", AuthLevel::MailboxUser, 10))
        .await
        .unwrap();
    assert_eq!(
        (u.auth_level, u.mailbox_id),
        (AuthLevel::MailboxUser, MailboxId(10))
    );
    let hash = u.recovery_answer_hash.clone().unwrap();
    assert!(hash.starts_with("$argon2id$"));
    assert_eq!(
        denied(
            w.core
                .user_create(&ma, request("bob", AuthLevel::NetworkUser, 10))
                .await
        ),
        "MailboxAdmin may not create or make a NetworkUser user in mailbox 10"
    );
    assert_eq!(
        denied(
            w.core
                .user_create(&ma, request("bob", AuthLevel::MailboxUser, 11))
                .await
        ),
        "no authority over MailboxID 11"
    );
    invalid(
        w.core
            .user_create(&ma, request("ANN", AuthLevel::MailboxUser, 10))
            .await,
        "LoginName",
    );
    let weak = UserCreateRequest {
        password: "weak".into(),
        ..request("carl", AuthLevel::MailboxUser, 10)
    };
    invalid(w.core.user_create(&ma, weak).await, "Password");
    let half = UserCreateRequest {
        recovery_answer: String::new(),
        ..request("dora", AuthLevel::MailboxUser, 10)
    };
    invalid(w.core.user_create(&ma, half).await, "RecoveryAnswer");
    assert_eq!(
        w.store.state.lock().unwrap().users.len(),
        2,
        "refused requests add nobody"
    );
}

#[tokio::test]
async fn users_outside_reach_look_the_same_whether_they_exist_or_not() {
    let w = World::new().await;
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let far = w.user("far", AuthLevel::MailboxUser, 20).await;
    assert_eq!(
        denied(w.core.user_info(&ma, far.user_id).await),
        format!("no authority over UserID {}", far.user_id)
    );
    assert_eq!(
        denied(w.core.user_info(&ma, UserId(far.user_id.0 + 50)).await),
        format!("no authority over UserID {}", far.user_id.0 + 50)
    );
    assert_eq!(
        denied(w.core.user_info_by_login(&ma, "FAR").await),
        "no authority over LoginName FAR"
    );
    assert_eq!(
        denied(w.core.user_info_by_login(&ma, "nobody").await),
        "no authority over LoginName nobody"
    );
    assert_eq!(
        w.core.user_info_by_login(&operator(), "nobody").await,
        Err(Error::not_found("LoginName"))
    );
    assert_eq!(
        w.core.user_info_by_login(&ma, "MA").await.unwrap().id,
        ma.user_id
    );
}

#[tokio::test]
async fn suspending_and_terminating_end_sessions_and_terminated_is_final() {
    let w = World::new().await;
    let na = w.user("na", AuthLevel::NetworkAdmin, 10).await;
    let mu = w.user("mu", AuthLevel::MailboxUser, 11).await;
    let now = w.clock.now();
    w.store.open_session(mu.user_id, now);
    w.store.open_session(mu.user_id, now);
    let u = w
        .core
        .user_set_status(&na, mu.user_id, UserStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(u.status, UserStatus::Suspended);
    assert_eq!(
        w.core
            .store()
            .count_open_sessions(mu.user_id, now)
            .await
            .unwrap(),
        0
    );
    w.core
        .user_set_status(&na, mu.user_id, UserStatus::Active)
        .await
        .unwrap();
    w.store.open_session(mu.user_id, now);
    w.core
        .user_set_status(&na, mu.user_id, UserStatus::Terminated)
        .await
        .unwrap();
    let reasons: Vec<_> = w
        .store
        .state
        .lock()
        .unwrap()
        .sessions
        .iter()
        .map(|s| s.end_reason)
        .collect();
    assert_eq!(
        reasons,
        [
            Some(EndReason::Suspended),
            Some(EndReason::Suspended),
            Some(EndReason::Terminated)
        ]
    );
    invalid(
        w.core
            .user_set_status(&na, mu.user_id, UserStatus::Active)
            .await,
        "UserID",
    );
    assert_eq!(
        denied(
            w.core
                .user_set_status(&na, na.user_id, UserStatus::Suspended)
                .await
        ),
        "NetworkAdmin may not change its own status, level or home"
    );
}

#[tokio::test]
async fn levels_and_homes_stay_within_the_callers_authority() {
    let w = World::new().await;
    let na = w.user("na", AuthLevel::NetworkAdmin, 10).await;
    let mu = w.user("mu", AuthLevel::MailboxUser, 10).await;
    let ops = w.user("ops", AuthLevel::NetOps, 10).await;
    let raised = w
        .core
        .user_set_auth_level(&na, mu.user_id, AuthLevel::NetworkAdmin)
        .await
        .unwrap();
    assert_eq!(raised.auth_level, AuthLevel::NetworkAdmin);
    denied(
        w.core
            .user_set_auth_level(&na, mu.user_id, AuthLevel::NetOps)
            .await,
    );
    // NetOps users are Root's and TechOps' to manage.
    denied(
        w.core
            .user_set_status(&na, ops.user_id, UserStatus::Suspended)
            .await,
    );
    let same = w
        .core
        .user_set_auth_level(&na, mu.user_id, AuthLevel::NoChange)
        .await
        .unwrap();
    assert_eq!(same.auth_level, AuthLevel::NetworkAdmin);

    let moved = w
        .core
        .user_set_network_mailbox(&na, mu.user_id, NetworkId(1), MailboxId(11))
        .await
        .unwrap();
    assert_eq!(moved.mailbox_id, MailboxId(11));
    invalid(
        w.core
            .user_set_network_mailbox(&na, mu.user_id, NetworkId(2), MailboxId(11))
            .await,
        "MailboxID",
    );
    denied(
        w.core
            .user_set_network_mailbox(&na, mu.user_id, NetworkId(2), MailboxId(20))
            .await,
    );
}

#[tokio::test]
async fn profiles_change_by_their_owner_or_an_administrator() {
    let w = World::new().await;
    let mu = w.user("mu", AuthLevel::MailboxUser, 10).await;
    let peer = w.user("peer", AuthLevel::MailboxUser, 10).await;
    let changes = UserChanges {
        last_name: Some("Smith".into()),
        cell_carrier: Some(CellCarrier::Verizon),
        ..Default::default()
    };
    let me = w.core.user_update(&mu, mu.user_id, changes).await.unwrap();
    assert_eq!(
        (me.person.last_name.as_str(), me.person.cell_carrier),
        ("Smith", CellCarrier::Verizon)
    );
    let keep = UserChanges {
        cell_carrier: Some(CellCarrier::NoChange),
        ..Default::default()
    };
    let me = w.core.user_update(&mu, mu.user_id, keep).await.unwrap();
    assert_eq!(me.person.cell_carrier, CellCarrier::Verizon);
    assert_eq!(
        denied(
            w.core
                .user_update(&mu, peer.user_id, UserChanges::default())
                .await
        ),
        format!(
            "MailboxUser may not act on user {} (MailboxUser)",
            peer.user_id
        )
    );
    invalid(
        w.core
            .user_update(
                &mu,
                mu.user_id,
                UserChanges {
                    email: Some("nope".into()),
                    ..Default::default()
                },
            )
            .await,
        "EMail",
    );
}

#[tokio::test]
async fn recovery_answers_guard_self_service_passwords() {
    let w = World::new().await;
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let ann = w
        .core
        .user_create(&ma, request("ann", AuthLevel::MailboxUser, 10))
        .await
        .unwrap();
    let me = caller(ann.id, 1, 10);
    let wrong = w
        .core
        .user_password_by_recovery(&me, ann.id, "Fido", "Better#456", "", "")
        .await;
    invalid(wrong, "CurrentRecoveryAnswer");
    let stored = w.core.store().user(ann.id).await.unwrap().unwrap();
    assert_eq!(
        stored.failed_logins, 1,
        "a wrong answer counts as a failed login"
    );
    w.core
        .user_password_by_recovery(&me, ann.id, "REX", "Better#456", "Town?", "Paris")
        .await
        .unwrap();
    let stored = w.core.store().user(ann.id).await.unwrap().unwrap();
    assert_eq!(stored.person.recovery_question, "Town?");
    // An administrator needs no answer; a peer gets nowhere.
    w.core
        .user_password_by_recovery(&ma, ann.id, "", "Third#789", "", "")
        .await
        .unwrap();
    let peer = w.user("peer", AuthLevel::MailboxUser, 10).await;
    denied(
        w.core
            .user_password_by_recovery(&peer, ann.id, "paris", "Fourth#012", "", "")
            .await,
    );
    invalid(
        w.core.user_set_password(&ma, ann.id, "short").await,
        "NewPassword",
    );
    let ended = w
        .core
        .user_set_password(&ma, ann.id, "Fifth#345x")
        .await
        .unwrap();
    assert_eq!(ended, 0);
}

#[tokio::test]
async fn general_users_list_only_themselves() {
    let w = World::new().await;
    let g = w.user("gen", AuthLevel::General, 10).await;
    w.user("other", AuthLevel::MailboxUser, 10).await;
    let mine = w
        .core
        .user_list(&g, UserFilter::default(), Page::first(10))
        .await
        .unwrap();
    assert_eq!(
        mine.items
            .iter()
            .map(|u| u.login.as_str())
            .collect::<Vec<_>>(),
        ["gen"]
    );
    let mu = w.user("mu", AuthLevel::MailboxUser, 10).await;
    let seen = w
        .core
        .user_list(&mu, UserFilter::default(), Page::first(10))
        .await
        .unwrap();
    assert_eq!(seen.total, 3);
}

#[tokio::test]
async fn a_user_page_is_the_list_without_counting_it() {
    use std::sync::atomic::Ordering;
    let w = World::new().await;
    let g = w.user("gen", AuthLevel::General, 10).await;
    let mu = w.user("mu", AuthLevel::MailboxUser, 10).await;
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 11).await;
    let na = w.user("na", AuthLevel::NetworkAdmin, 10).await;
    let far = w.user("far", AuthLevel::MailboxUser, 20).await;
    let op = operator();
    let counted = || w.store.counted_lists.load(Ordering::Relaxed);
    let with = |f: fn(&mut UserFilter)| {
        let mut filter = UserFilter::default();
        f(&mut filter);
        filter
    };
    let filters = [
        UserFilter::default(),
        with(|f| f.network = Some(NetworkId(2))),
        with(|f| f.mailbox = Some(MailboxId(11))),
        with(|f| f.mailbox = Some(MailboxId(20))),
        with(|f| f.mailbox = Some(MailboxId(99))),
        with(|f| (f.network, f.mailbox) = (Some(NetworkId(1)), Some(MailboxId(20)))),
        with(|f| f.name_contains = Some("GEN".into())),
        with(|f| f.name_contains = Some("nobody".into())),
        with(|f| f.auth_level = Some(AuthLevel::MailboxUser)),
    ];
    let pages = [
        Page::first(10),
        Page::first(1),
        Page { number: 2, size: 1 },
        Page { number: 2, size: 2 },
    ];
    // Every caller, filter and page: the same users or the same refusal as the counted
    // list, and no count.
    for who in [&g, &mu, &ma, &na, &far, &op] {
        for filter in &filters {
            for page in pages {
                let before = counted();
                let got = w.core.user_page(who, filter.clone(), page).await;
                assert_eq!(counted(), before, "{who:?} {filter:?} {page:?}");
                let listed = w.core.user_list(who, filter.clone(), page).await;
                assert_eq!(got, listed.map(|l| l.items), "{who:?} {filter:?} {page:?}");
            }
        }
    }
    let logins = |got: Result<Vec<crate::store::User>, Error>| {
        got.unwrap()
            .into_iter()
            .map(|u| u.login)
            .collect::<Vec<_>>()
    };
    let all = UserFilter::default;
    // A General user sees only themselves, on the first page, when they pass the filter.
    assert_eq!(
        logins(w.core.user_page(&g, all(), Page::first(10)).await),
        ["gen"]
    );
    let second = Page { number: 2, size: 1 };
    assert!(logins(w.core.user_page(&g, all(), second).await).is_empty());
    assert!(
        logins(
            w.core
                .user_page(&g, filters[7].clone(), Page::first(10))
                .await
        )
        .is_empty()
    );
    // A mailbox's users for its users; a network's, by UserID and paged, for its admin.
    assert_eq!(
        logins(w.core.user_page(&mu, all(), Page::first(10)).await),
        ["gen", "mu", "na"]
    );
    assert_eq!(
        logins(
            w.core
                .user_page(&na, all(), Page { number: 2, size: 2 })
                .await
        ),
        ["ma", "na"]
    );
    assert_eq!(
        logins(
            w.core
                .user_page(&op, filters[1].clone(), Page::first(10))
                .await
        ),
        ["far"]
    );
    // Out of reach, missing and mismatched are refused as the list refuses them.
    denied(
        w.core
            .user_page(&mu, filters[1].clone(), Page::first(10))
            .await,
    );
    denied(
        w.core
            .user_page(&na, filters[3].clone(), Page::first(10))
            .await,
    );
    assert_eq!(
        w.core
            .user_page(&op, filters[4].clone(), Page::first(10))
            .await,
        Err(Error::not_found("MailboxID"))
    );
    invalid(
        w.core
            .user_page(&op, filters[5].clone(), Page::first(10))
            .await,
        "MailboxID",
    );
    // The counted list does count: the checks above would see the page count.
    let before = counted();
    w.core.user_list(&mu, all(), Page::first(10)).await.unwrap();
    assert_eq!(counted(), before + 1);
}
