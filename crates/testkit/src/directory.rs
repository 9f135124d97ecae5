//! Directory fixtures: networks, mailboxes, users at given levels (all with
//! [`TEST_PASSWORD`](crate::TEST_PASSWORD)) and trading-partner IDs, made through the core
//! before a test's first call. The directory suites each start from a few networks and a user
//! per level; [`TestApp::directory`] says which in one expression and hands back their numbers
//! by login.

use std::collections::BTreeMap;

use edigrid_core::{Caller, PartnerAddRequest};
use edigrid_domain::{AuthLevel, EcGridId, MailboxId, NetworkId, UserId};

use crate::TestApp;

/// What [`TestApp::directory`] is asked to make, in order (numbers are handed out in the order
/// things are made, and some tests compare lists sorted by them).
pub struct DirectoryBuilder<'a> {
    app: &'a TestApp,
    steps: Vec<Step>,
}

enum Step {
    Mailbox(i32, i32),
    User(String, AuthLevel, i32, i32),
}

/// The users a [`DirectoryBuilder`] made, by login.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    users: BTreeMap<String, UserId>,
}

impl Directory {
    /// The UserID of `login`, which the builder made.
    pub fn user(&self, login: &str) -> UserId {
        *self
            .users
            .get(login)
            .unwrap_or_else(|| panic!("no fixture user {login:?}: {:?}", self.users))
    }
}

impl DirectoryBuilder<'_> {
    /// Mailbox `mailbox` of `network` (and the network, when new).
    pub fn mailbox(mut self, network: i32, mailbox: i32) -> Self {
        self.steps.push(Step::Mailbox(network, mailbox));
        self
    }

    /// A user at `level` in `network` / `mailbox` (made when new), as [`TestApp::add_user`].
    pub fn user(mut self, login: &str, level: AuthLevel, network: i32, mailbox: i32) -> Self {
        self.steps
            .push(Step::User(login.to_string(), level, network, mailbox));
        self
    }

    /// Users of one mailbox, made in this order.
    pub fn users_in(mut self, network: i32, mailbox: i32, users: &[(&str, AuthLevel)]) -> Self {
        for (login, level) in users {
            self = self.user(login, *level, network, mailbox);
        }
        self
    }

    pub async fn build(self) -> Directory {
        let mut made = Directory::default();
        for step in self.steps {
            match step {
                Step::Mailbox(network, mailbox) => self.app.add_mailbox(network, mailbox).await,
                Step::User(login, level, network, mailbox) => {
                    let id = self.app.add_user(&login, level, network, mailbox).await;
                    made.users.insert(login, id);
                }
            }
        }
        made
    }
}

impl TestApp {
    /// Describes a directory to make; see [`DirectoryBuilder`].
    pub fn directory(&self) -> DirectoryBuilder<'_> {
        DirectoryBuilder {
            app: self,
            steps: Vec::new(),
        }
    }

    /// Makes sure network `network` ("Network {network}") and its mailbox `mailbox`
    /// ("Mailbox {mailbox}") exist.
    pub async fn add_mailbox(&self, network: i32, mailbox: i32) {
        let store = self.core.store();
        if store.network(NetworkId(network)).await.unwrap().is_none() {
            self.core
                .add_network(NetworkId(network), &format!("Network {network}"))
                .await
                .unwrap();
        }
        if store.mailbox(MailboxId(mailbox)).await.unwrap().is_none() {
            self.core
                .add_mailbox(
                    NetworkId(network),
                    MailboxId(mailbox),
                    &format!("Mailbox {mailbox}"),
                )
                .await
                .unwrap();
        }
    }

    /// A new API key for `user`, which replaces any key it had.
    pub async fn api_key(&self, user: UserId) -> String {
        self.core.issue_api_key(user).await.unwrap()
    }

    /// `qualifier:id` registered in `network` / `mailbox` by the operator; its ECGridID.
    pub async fn add_partner(
        &self,
        network: i32,
        mailbox: i32,
        qualifier: &str,
        id: &str,
        description: &str,
    ) -> EcGridId {
        let request = PartnerAddRequest {
            network: NetworkId(network),
            mailbox: MailboxId(mailbox),
            qualifier: qualifier.into(),
            id: id.into(),
            description: description.into(),
            ..PartnerAddRequest::default()
        };
        let added = self.core.partner_add(&Caller::operator(), request).await;
        added.unwrap().ecgrid_id
    }
}
