use edigrid_domain::{AuthLevel, ContactType, Error, MailboxId, NetworkId, UseType, UserStatus};

use super::{World, denied, invalid, operator};
use crate::directory::model::{MailboxFilter, Page};
use crate::directory::{MailboxChanges, MailboxCreateRequest, PartnerAddRequest};

#[tokio::test]
async fn network_admins_create_mailboxes_in_their_network_only() {
    let w = World::new().await;
    let admin = w.user("na", AuthLevel::NetworkAdmin, 10).await;
    let owner = w.user("owner", AuthLevel::MailboxAdmin, 11).await;
    let request = MailboxCreateRequest {
        network: NetworkId(1),
        name: "Acme".into(),
        unique_id: "ACME".into(),
        owner: Some(owner.user_id),
        ..Default::default()
    };
    let created = w
        .core
        .mailbox_create(&admin, request.clone())
        .await
        .unwrap();
    assert_eq!(created.id, MailboxId(21));
    assert_eq!(created.contacts.owner, owner.user_id);
    let again = MailboxCreateRequest {
        name: "Acme two".into(),
        unique_id: "acme".into(),
        owner: None,
        ..request.clone()
    };
    invalid(w.core.mailbox_create(&admin, again).await, "UniqueID");

    let elsewhere = MailboxCreateRequest {
        network: NetworkId(2),
        ..request.clone()
    };
    assert_eq!(
        denied(w.core.mailbox_create(&admin, elsewhere).await),
        "no authority over NetworkID 2"
    );
    let mailbox_admin = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    assert_eq!(
        denied(w.core.mailbox_create(&mailbox_admin, request).await),
        "MailboxAdmin may not create mailboxes in network 1"
    );
}

#[tokio::test]
async fn mailbox_admins_configure_their_mailbox_but_not_its_status() {
    let w = World::new().await;
    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    let changes = MailboxChanges {
        description: Some("EDI hub".into()),
        use_type: Some(UseType::Production),
        inbox_timeout_minutes: Some(90),
        delete_on_download: Some(true),
        notify_email: Some("edi@example.com".into()),
        ..Default::default()
    };
    let m = w
        .core
        .mailbox_update(&ma, MailboxId(10), changes)
        .await
        .unwrap();
    assert_eq!(m.config.inbox_timeout_minutes, 90);
    assert!(m.config.delete_on_download);
    assert_eq!(m.use_type, UseType::Production);

    let too_long = MailboxChanges {
        description: Some("changed".into()),
        inbox_timeout_minutes: Some(40_000),
        ..Default::default()
    };
    invalid(
        w.core.mailbox_update(&ma, MailboxId(10), too_long).await,
        "InBoxTimeout",
    );
    let stored = w.core.mailbox_info(&ma, MailboxId(10)).await.unwrap();
    assert_eq!(stored.description, "EDI hub");

    denied(
        w.core
            .mailbox_update(&ma, MailboxId(11), MailboxChanges::default())
            .await,
    );
    assert_eq!(
        denied(
            w.core
                .mailbox_set_status(&ma, MailboxId(10), UserStatus::Suspended)
                .await
        ),
        "MailboxAdmin may not change the status of mailbox 10"
    );
}

#[tokio::test]
async fn terminating_a_mailbox_terminates_its_ids_and_is_final() {
    let w = World::new().await;
    let na = w.user("na", AuthLevel::NetworkAdmin, 10).await;
    let id = w
        .core
        .partner_add(
            &na,
            PartnerAddRequest {
                network: NetworkId(1),
                mailbox: MailboxId(10),
                qualifier: "ZZ".into(),
                id: "ACME".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let m = w
        .core
        .mailbox_set_status(&na, MailboxId(10), UserStatus::Terminated)
        .await
        .unwrap();
    assert_eq!(m.status, UserStatus::Terminated);
    let partner = w.core.partner_info(&na, id.ecgrid_id).await.unwrap();
    assert_eq!(partner.status, UserStatus::Terminated);
    invalid(
        w.core
            .mailbox_set_status(&na, MailboxId(10), UserStatus::Active)
            .await,
        "MailboxID",
    );
    invalid(
        w.core
            .mailbox_update(&na, MailboxId(10), MailboxChanges::default())
            .await,
        "MailboxID",
    );
}

#[tokio::test]
async fn lists_and_contacts_stay_in_reach() {
    let w = World::new().await;
    let nu = w.user("nu", AuthLevel::NetworkUser, 10).await;
    let mine = w
        .core
        .mailbox_list(&nu, MailboxFilter::default(), Page::first(10))
        .await
        .unwrap();
    assert_eq!(mine.total, 2);
    let mu = w.user("mu", AuthLevel::MailboxUser, 10).await;
    let one = w
        .core
        .mailbox_list(&mu, MailboxFilter::default(), Page::first(10))
        .await
        .unwrap();
    assert_eq!(
        one.items.iter().map(|m| m.id).collect::<Vec<_>>(),
        [MailboxId(10)]
    );
    let other = MailboxFilter {
        network: Some(NetworkId(2)),
        ..Default::default()
    };
    denied(
        w.core
            .mailbox_list(&nu, other.clone(), Page::first(10))
            .await,
    );
    let missing = MailboxFilter {
        network: Some(NetworkId(9)),
        ..Default::default()
    };
    assert_eq!(
        w.core
            .mailbox_list(&operator(), missing.clone(), Page::first(10))
            .await,
        Err(Error::not_found("NetworkID"))
    );
    // The page without its total keeps the same reach and refusals.
    for (caller, listed) in [(&nu, &mine), (&mu, &one)] {
        let page = w
            .core
            .mailbox_page(caller, MailboxFilter::default(), Page::first(10))
            .await
            .unwrap();
        assert_eq!(&page, &listed.items);
    }
    denied(w.core.mailbox_page(&nu, other, Page::first(10)).await);
    assert_eq!(
        w.core
            .mailbox_page(&operator(), missing, Page::first(10))
            .await,
        Err(Error::not_found("NetworkID"))
    );

    let ma = w.user("ma", AuthLevel::MailboxAdmin, 10).await;
    w.core
        .mailbox_set_contact(&ma, MailboxId(10), ContactType::Reports, mu.user_id)
        .await
        .unwrap();
    let contact = w
        .core
        .mailbox_get_contact(&mu, MailboxId(10), ContactType::Reports)
        .await
        .unwrap();
    assert_eq!(contact.id, mu.user_id);

    // A page's contacts, each read once, for mailboxes the caller reads only.
    let page = w
        .core
        .mailbox_page(&nu, MailboxFilter::default(), Page::first(10))
        .await
        .unwrap();
    let users = w.core.mailbox_contact_users(&nu, &page).await.unwrap();
    assert_eq!(users.keys().copied().collect::<Vec<_>>(), [mu.user_id]);
    assert_eq!(users[&mu.user_id].id, mu.user_id);
    denied(w.core.mailbox_contact_users(&mu, &page).await);
}
