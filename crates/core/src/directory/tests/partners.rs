use edigrid_domain::{
    AuthLevel, EcGridId, Error, MailboxId, NetworkId, RoutingGroup, UserId, UserStatus,
};

use super::{World, denied, invalid, operator};
use crate::directory::model::Page;
use crate::directory::{PartnerAddRequest, PartnerChanges, PartnerScope};
use crate::sessions::Caller;

fn pair(mailbox: i32, qualifier: &str, id: &str) -> PartnerAddRequest {
    PartnerAddRequest {
        network: NetworkId(if mailbox == 20 { 2 } else { 1 }),
        mailbox: MailboxId(mailbox),
        qualifier: qualifier.into(),
        id: id.into(),
        description: format!("{qualifier}:{id}"),
        routing_group: RoutingGroup::ProductionA,
    }
}

async fn add(w: &World, who: &Caller, mailbox: i32, q: &str, id: &str) -> EcGridId {
    w.core
        .partner_add(who, pair(mailbox, q, id))
        .await
        .unwrap()
        .ecgrid_id
}

#[tokio::test]
async fn the_first_id_of_a_mailbox_is_its_default() {
    let w = World::new().await;
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let first = w
        .core
        .partner_add(&ma, pair(10, "ZZ", "ACME"))
        .await
        .unwrap();
    let second = w
        .core
        .partner_add(&ma, pair(10, "01", "123456789"))
        .await
        .unwrap();
    assert!(first.is_default && !second.is_default);
    assert_eq!(first.owner, ma.user_id);
    let default = w
        .core
        .partner_get_mailbox_default(&ma, MailboxId(10))
        .await
        .unwrap();
    assert_eq!(default.ecgrid_id, first.ecgrid_id);
    w.core
        .partner_set_mailbox_default(&ma, second.ecgrid_id)
        .await
        .unwrap();
    let default = w
        .core
        .partner_get_mailbox_default(&ma, MailboxId(10))
        .await
        .unwrap();
    assert_eq!(default.ecgrid_id, second.ecgrid_id);
    let moved = w
        .core
        .partner_move(&operator(), second.ecgrid_id, MailboxId(11))
        .await
        .unwrap();
    assert!(!moved.is_default);
    assert_eq!(
        w.core.partner_get_mailbox_default(&ma, MailboxId(10)).await,
        Err(Error::not_found("ECGridID"))
    );
    denied(w.core.partner_add(&ma, pair(11, "ZZ", "OTHER")).await);
}

#[tokio::test]
async fn a_taken_pair_is_named_with_its_number_only_for_those_who_may_see_it() {
    let w = World::new().await;
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let far = w.user("far", AuthLevel::MailboxAdmin, 20).await;
    let id = add(&w, &ma, 10, "ZZ", "ACME").await;
    let mine = invalid(
        w.core.partner_add(&ma, pair(10, "zz", "Acme  ")).await,
        "ID",
    );
    assert_eq!(
        mine,
        format!("zz:Acme is already registered (ECGridID {id})")
    );
    let theirs = invalid(w.core.partner_add(&far, pair(20, "ZZ", "ACME")).await, "ID");
    assert_eq!(theirs, "ZZ:ACME is already registered");

    // Suspended still holds the pair; terminated frees it and is final.
    w.core
        .partner_set_status(&ma, id, UserStatus::Suspended)
        .await
        .unwrap();
    invalid(w.core.partner_add(&far, pair(20, "ZZ", "ACME")).await, "ID");
    w.core
        .partner_set_status(&ma, id, UserStatus::Terminated)
        .await
        .unwrap();
    let again = add(&w, &far, 20, "ZZ", "ACME").await;
    assert_ne!(again, id);
    invalid(
        w.core.partner_set_status(&ma, id, UserStatus::Active).await,
        "ECGridID",
    );
}

#[tokio::test]
async fn searches_and_lists_show_only_what_the_caller_may_read() {
    let w = World::new().await;
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let na = w.user("na", AuthLevel::NetworkAdmin, 11).await;
    let far = w.user("far", AuthLevel::MailboxAdmin, 20).await;
    let a = add(&w, &ma, 10, "ZZ", "SHARED1").await;
    let b = add(&w, &far, 20, "01", "SHARED2").await;
    let c = add(&w, &na, 11, "12", "5551234567").await;
    w.core
        .partner_set_status(&na, c, UserStatus::Suspended)
        .await
        .unwrap();

    let any = PartnerScope::default();
    let found = w
        .core
        .partner_search(&operator(), any, "", "shared1", Page::first(10))
        .await
        .unwrap();
    assert_eq!(
        found.items.iter().map(|p| p.ecgrid_id).collect::<Vec<_>>(),
        [a]
    );
    let hidden = w
        .core
        .partner_search(&ma, any, "01", "SHARED2", Page::first(10))
        .await
        .unwrap();
    assert_eq!(
        hidden.total, 0,
        "another network's ID is not found by a mailbox admin"
    );
    let seen = w
        .core
        .partner_search(&operator(), any, "01", "SHARED2", Page::first(10))
        .await
        .unwrap();
    assert_eq!(seen.items[0].ecgrid_id, b);

    let active = w
        .core
        .partner_find(&na, any, "", Page::first(10))
        .await
        .unwrap();
    assert_eq!(
        active.items.iter().map(|p| p.ecgrid_id).collect::<Vec<_>>(),
        [a]
    );
    let all = PartnerScope {
        show_inactive: true,
        ..any
    };
    let every = w
        .core
        .partner_find(&na, all, "shared", Page::first(10))
        .await
        .unwrap();
    assert_eq!(every.total, 1);
    let by_mailbox = PartnerScope {
        mailbox: Some(MailboxId(20)),
        ..all
    };
    assert_eq!(
        denied(
            w.core
                .partner_find(&na, by_mailbox, "", Page::first(10))
                .await
        ),
        "no authority over MailboxID 20"
    );
    denied(w.core.partner_info(&ma, c).await);
    invalid(
        w.core
            .partner_search(&ma, any, "ZZZZZ", "X", Page::first(10))
            .await,
        "Qualifier",
    );
}

#[tokio::test]
async fn changes_need_authority_over_the_ids_mailbox() {
    let w = World::new().await;
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let mu = w.user("mu", AuthLevel::MailboxUser, 10).await;
    let id = add(&w, &ma, 10, "ZZ", "ACME").await;
    let changes = PartnerChanges {
        description: Some("Acme Corp".into()),
        data_email: Some("edi@acme.example".into()),
        routing_group: Some(RoutingGroup::ProductionB),
        owner: Some(mu.user_id),
    };
    let p = w.core.partner_update(&ma, id, changes).await.unwrap();
    assert_eq!(
        (p.description.as_str(), p.routing_group, p.owner),
        ("Acme Corp", RoutingGroup::ProductionB, mu.user_id)
    );
    assert_eq!(
        denied(
            w.core
                .partner_update(&mu, id, PartnerChanges::default())
                .await
        ),
        "MailboxUser may not manage the IDs of mailbox 10"
    );
    let netops_only = PartnerChanges {
        routing_group: Some(RoutingGroup::NetOpsOnly1),
        ..Default::default()
    };
    denied(w.core.partner_update(&ma, id, netops_only).await);
    let cleared = PartnerChanges {
        owner: Some(UserId(0)),
        ..Default::default()
    };
    assert_eq!(
        w.core.partner_update(&ma, id, cleared).await.unwrap().owner,
        UserId(0)
    );
    let simulated = w.core.partner_set_simulated(&ma, id, true).await.unwrap();
    assert!(simulated.simulated);
}

#[tokio::test]
async fn van_ids_go_to_the_networks_first_active_mailbox() {
    let w = World::new().await;
    let na = w.user("na2", AuthLevel::NetworkAdmin, 20).await;
    let van = w
        .core
        .partner_add_van(
            &na,
            PartnerAddRequest {
                mailbox: MailboxId(0),
                ..pair(20, "ZZ", "VANPARTNER")
            },
        )
        .await
        .unwrap();
    assert!(van.van);
    assert_eq!(
        (van.network_id, van.mailbox_id),
        (NetworkId(2), MailboxId(20))
    );
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    assert_eq!(
        denied(
            w.core
                .partner_add_van(
                    &ma,
                    PartnerAddRequest {
                        mailbox: MailboxId(0),
                        ..pair(20, "ZZ", "OTHER")
                    },
                )
                .await
        ),
        "no authority over NetworkID 2"
    );
}

#[tokio::test]
async fn reactivating_a_pair_taken_meanwhile_names_the_holder() {
    let w = World::new().await;
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let id = add(&w, &ma, 10, "ZZ", "ACME").await;
    w.core
        .partner_set_status(&ma, id, UserStatus::Suspended)
        .await
        .unwrap();
    // A store that frees suspended pairs lets another registration take it meanwhile.
    let holder = {
        let mut state = w.store.state.lock().unwrap();
        let mut other = state.partners[&id.0].clone();
        other.ecgrid_id = EcGridId(id.0 + 1000);
        other.status = UserStatus::Active;
        other.is_default = false;
        state.partners.insert(other.ecgrid_id.0, other.clone());
        other.ecgrid_id
    };
    let detail = invalid(
        w.core.partner_set_status(&ma, id, UserStatus::Active).await,
        "ID",
    );
    assert_eq!(
        detail,
        format!("ZZ:ACME is already registered (ECGridID {holder})")
    );
}
