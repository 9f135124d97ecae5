//! The directory (SPEC-VAN 13, 14, 19) through the clients integrators use, against the real
//! server: zeep on the deployed WSDL, zeep on edigrid's own WSDL and `requests` on REST v2
//! (`tests/clients/python/directory_*.py`, installed into `.venv` by
//! `scripts/install-test-clients.sh`), then what each flow left in the store; and one directory
//! read alike through all three front ends (plain HTTP, no Python).
//!
//! Every test here runs as `netadmin`, a NetworkAdmin of network 100 (mailbox 200); network 300
//! with mailbox 400 is the scope it must not see.

use std::path::PathBuf;
use std::time::Duration;

use edigrid_core::store::Mailbox;
use edigrid_domain::{AuthLevel, EcGridId, MailboxId, NetworkId, UserId, UserStatus};
use edigrid_testkit::{DEPLOYED_NS, NS, SoapReply, TEST_PASSWORD, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

use crate::rest_auth::{Auth, call, call_json};
use crate::support::python::{python, repo_root};

const ADMIN: &str = "netadmin";

/// A server with `netadmin` (NetworkAdmin of network 100, mailbox 200, named "Network 100" and
/// "Mailbox 200") and, out of its scope, network 300 with mailbox 400.
async fn directory_app() -> (TestApp, UserId) {
    let app = spawn_app().await;
    let users = app
        .directory()
        .user(ADMIN, AuthLevel::NetworkAdmin, 100, 200)
        .mailbox(300, 400)
        .build()
        .await;
    (app, users.user(ADMIN))
}

/// The deployed WSDL the project keeps as a data file, else the shared upstream copy.
fn deployed_wsdl() -> PathBuf {
    let root = repo_root();
    [
        root.join("crates/soap/data/ECGridOS-v4.1-deployed.wsdl"),
        root.join("../shared/upstream/ECGridOS-v4.1-deployed.wsdl"),
    ]
    .into_iter()
    .find(|p| p.is_file())
    .expect("the deployed WSDL is neither in crates/soap/data nor in ../shared/upstream")
}

/// Runs `tests/clients/python/{script}`; panics with its output unless it exits 0 and prints
/// PASS. Returns the JSON of its `CREATED` line: what it made, for the checks that follow.
async fn run_flow(script: &str, args: &[String]) -> Value {
    let mut all = vec![repo_root().join("tests/clients/python").join(script)];
    all.extend(args.iter().map(PathBuf::from));
    let ran = tokio::time::timeout(Duration::from_secs(120), python(&all))
        .await
        .unwrap_or_else(|_| panic!("{script} ran for over 2 minutes"));
    ran.assert_passed(script, "PASS ");
    let line = ran
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("CREATED "))
        .unwrap_or_else(|| panic!("{script} printed no CREATED line:\n{}", ran.stdout));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("CREATED is not JSON ({e}): {line}"))
}

fn args(pairs: &[(&str, String)]) -> Vec<String> {
    pairs
        .iter()
        .flat_map(|(k, v)| [(*k).to_string(), v.clone()])
        .collect()
}

fn int(v: &Value, key: &str) -> i32 {
    v[key]
        .as_i64()
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or_else(|| panic!("{key} is not an int in {v}"))
}

fn ints(v: &Value, key: &str) -> Vec<i32> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array in {v}"))
        .iter()
        .map(|n| i32::try_from(n.as_i64().unwrap()).unwrap())
        .collect()
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

/// `pairs` of a CREATED line: `[[qualifier, id], ...]`.
fn pairs(v: &Value) -> Vec<(String, String)> {
    v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
        .collect()
}

// ---- the store ------------------------------------------------------------------------------

async fn stored_mailbox(app: &TestApp, id: i32) -> Mailbox {
    app.core
        .store()
        .mailbox(MailboxId(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("mailbox {id} is not stored"))
}

/// (network, mailbox, qualifier, ID, status) of a stored trading-partner ID.
async fn stored_partner(app: &TestApp, id: i32) -> (i32, i32, String, String, UserStatus) {
    let p = app
        .core
        .store()
        .partner(EcGridId(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("ECGridID {id} is not stored"));
    (p.network_id.0, p.mailbox_id.0, p.qualifier, p.id, p.status)
}

async fn stored_user(app: &TestApp, id: i32) -> edigrid_core::store::User {
    app.core
        .store()
        .user(UserId(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("user {id} is not stored"))
}

/// Every session the user ever had is over.
async fn all_sessions_ended(app: &TestApp, user: i32, why: &str) {
    let sessions = app
        .core
        .list_sessions(Some(UserId(user)), 100)
        .await
        .unwrap();
    assert!(
        !sessions.is_empty() && sessions.iter().all(|s| s.ended.is_some()),
        "{why}: user {user} has an open session or none at all: {sessions:#?}"
    );
}

/// `ecgrid_ids` and `pairs` of a CREATED line together: (ECGridID, (qualifier, ID)).
fn created_ids(created: &Value) -> Vec<(i32, (String, String))> {
    ints(created, "ecgrid_ids")
        .into_iter()
        .zip(pairs(created))
        .collect()
}

/// Every ID the flow registered is stored as given, in mailbox `m` of network 100, `status`.
async fn assert_ids_stored(app: &TestApp, created: &Value, m: i32, status: UserStatus, why: &str) {
    for (e, (q, id)) in created_ids(created) {
        let want = (100, m, q, id, status);
        assert_eq!(stored_partner(app, e).await, want, "ECGridID {e}: {why}");
    }
}

/// The delimiters every flow sets on its mailbox: `~`, `*` and `>`.
fn assert_delimiters(mailbox: &Mailbox, why: &str) {
    let x12 = mailbox.config.x12;
    assert_eq!(
        (x12.segment, x12.element, x12.sub_element),
        (b'~', b'*', b'>'),
        "{why}"
    );
}

/// The user a flow made, as its last step left it: a MailboxAdmin of `mailbox` in network
/// 100 with `status` (`stored` says which calls did that) whose sessions have ended
/// (`ended` says why).
struct FlowUser {
    mailbox: i32,
    status: UserStatus,
    stored: &'static str,
    ended: &'static str,
}

impl FlowUser {
    /// Checks the CREATED line's `user`, and that the flow, as `admin`, logged out.
    async fn assert_stored(&self, app: &TestApp, admin: UserId, created: &Value) {
        let user = stored_user(app, int(created, "user")).await;
        assert_eq!(
            (
                user.login.as_str(),
                user.network_id,
                user.mailbox_id,
                user.auth_level,
                user.status
            ),
            (
                text(created, "login"),
                NetworkId(100),
                MailboxId(self.mailbox),
                AuthLevel::MailboxAdmin,
                self.status
            ),
            "{}",
            self.stored
        );
        all_sessions_ended(app, user.id.0, self.ended).await;
        all_sessions_ended(app, admin.0, "the flow logs out").await;
    }
}

// ---- raw calls to the three front ends ------------------------------------------------------

async fn deployed_login(app: &TestApp) -> String {
    let params = [("LoginName", ADMIN), ("Password", TEST_PASSWORD)];
    let reply = app.soap_ok_in(DEPLOYED_NS, "Login", &params).await;
    reply.expect_field("LoginResult")
}

/// A REST call with `X-API-Key` that must succeed; returns the envelope's `data`.
async fn rest(app: &TestApp, key: &str, method: Method, path: &str, body: Option<Value>) -> Value {
    let reply = match body {
        Some(body) => call_json(app, method, path, Auth::Key(key), &body).await,
        None => call(app, method, path, Auth::Key(key)).await,
    };
    reply.ok().clone()
}

/// What reads the directory through the three front ends as `netadmin`: a deployed session,
/// a documented session and an API key, made once (each login counts towards the user's cap).
struct Fronts {
    deployed: String,
    documented: String,
    key: String,
}

impl Fronts {
    async fn open(app: &TestApp, admin: UserId) -> Fronts {
        Fronts {
            deployed: deployed_login(app).await,
            documented: app.login(ADMIN).await,
            key: app.api_key(admin).await,
        }
    }

    /// `op` on the object `param`=`id` in both SOAP dialects: (dialect, reply).
    async fn soap_views(
        &self,
        app: &TestApp,
        op: &str,
        param: &str,
        id: i32,
    ) -> Vec<(&'static str, SoapReply)> {
        let id = id.to_string();
        let mut views = Vec::new();
        for (dialect, ns, sid) in [
            ("deployed", DEPLOYED_NS, &self.deployed),
            ("documented", NS, &self.documented),
        ] {
            let params = [("SessionID", sid.as_str()), (param, id.as_str())];
            views.push((dialect, app.soap_ok_in(ns, op, &params).await));
        }
        views
    }

    /// One mailbox as each front end shows it: the deployed `Name`, the documented
    /// `CompanyName` and REST's `companyName` are `name`; status and network agree too.
    async fn mailbox_alike(&self, app: &TestApp, m: i32, name: &str, status: &str) {
        let want = [name, status, "100"];
        for (dialect, reply) in self.soap_views(app, "MailboxInfo", "MailboxID", m).await {
            let name_field = if dialect == "deployed" {
                "Name"
            } else {
                "CompanyName"
            };
            assert_eq!(
                fields(&reply, &[name_field, "Status", "NetworkID"]),
                want,
                "{dialect} MailboxInfo of mailbox {m}: ({name_field}, Status, NetworkID)"
            );
        }
        let path = format!("/v2/mailboxes/{m}");
        let json = rest(app, &self.key, Method::GET, &path, None).await;
        assert_eq!(
            [
                text(&json, "companyName"),
                text(&json, "status"),
                &json["networkId"].to_string(),
            ],
            want,
            "REST GET {path}: (companyName, status, networkId)"
        );
    }

    /// One trading-partner ID as each front end shows it: qualifier and ID as registered over
    /// SOAP, the ID padded to 15 over REST (X12, as upstream), the same status and mailbox.
    async fn partner_alike(&self, app: &TestApp, e: i32, pair: (&str, &str), m: i32, status: &str) {
        let m = m.to_string();
        for (dialect, reply) in self.soap_views(app, "TPInfo", "ECGridID", e).await {
            assert_eq!(
                fields(&reply, &["Qualifier", "ID", "Status", "MailboxID"]),
                [pair.0, pair.1, status, &m],
                "{dialect} TPInfo of ECGridID {e}: (Qualifier, ID, Status, MailboxID)"
            );
        }
        let path = format!("/v2/ids/{e}");
        let json = rest(app, &self.key, Method::GET, &path, None).await;
        assert_eq!(
            [
                text(&json, "qualifier"),
                text(&json, "id"),
                text(&json, "status"),
                &json["mailboxId"].to_string(),
            ],
            [pair.0, &format!("{:<15}", pair.1), status, &m],
            "REST GET {path}: (qualifier, id padded to 15, status, mailboxId)"
        );
    }
}

/// The texts of the first elements called `names` (a record's own fields come before any
/// nested record's).
fn fields(reply: &SoapReply, names: &[&str]) -> Vec<String> {
    names.iter().map(|n| reply.expect_field(n)).collect()
}

// ---- the client flows -----------------------------------------------------------------------

#[tokio::test]
async fn zeep_on_the_deployed_wsdl_runs_the_directory_flow() {
    let (app, admin) = directory_app().await;
    let created = run_flow(
        "directory_deployed_flow.py",
        &args(&[
            ("--wsdl", deployed_wsdl().display().to_string()),
            ("--url", app.soap_url()),
            ("--login", ADMIN.into()),
            ("--password", TEST_PASSWORD.into()),
            ("--far-network", "300".into()),
            ("--far-mailbox", "400".into()),
            ("--missing-mailbox", "987654".into()),
        ]),
    )
    .await;

    let m = int(&created, "mailbox");
    let mailbox = stored_mailbox(&app, m).await;
    assert_eq!(mailbox.name, text(&created, "name"));
    assert_eq!(mailbox.network_id, NetworkId(100));
    assert_eq!(mailbox.status, UserStatus::Terminated, "MailboxTerminate");
    assert_delimiters(&mailbox, "MailboxX12Delimiters(126, 42, 62) is stored");
    assert_ids_stored(
        &app,
        &created,
        m,
        UserStatus::Terminated,
        "went with its mailbox",
    )
    .await;
    assert_eq!(
        stored_partner(&app, int(&created, "own_ecgrid_id")).await,
        (
            100,
            200,
            "ZZ".into(),
            text(&created, "own_id").into(),
            UserStatus::Active
        ),
        "TPAdd registers in the caller's own mailbox, untouched by the other's termination"
    );
    let user = FlowUser {
        mailbox: m,
        status: UserStatus::Suspended,
        stored: "UserAddEx, UserSetAuthLevel(MailboxAdmin) and UserSuspend are stored",
        ended: "UserSuspend ends the user's sessions",
    };
    user.assert_stored(&app, admin, &created).await;

    // The terminated mailbox and its IDs, as the other two front ends show them.
    let fronts = Fronts::open(&app, admin).await;
    fronts
        .mailbox_alike(&app, m, text(&created, "name"), "Terminated")
        .await;
    for (e, (q, id)) in created_ids(&created) {
        fronts
            .partner_alike(&app, e, (&q, &id), m, "Terminated")
            .await;
    }
}

#[tokio::test]
async fn zeep_on_edigrids_wsdl_runs_the_documented_directory_flow() {
    let (app, admin) = directory_app().await;
    let created = run_flow(
        "directory_documented_flow.py",
        &args(&[
            ("--wsdl", app.wsdl_url()),
            ("--login", ADMIN.into()),
            ("--password", TEST_PASSWORD.into()),
            ("--network-name", "Network 100".into()),
            ("--far-network", "300".into()),
            ("--missing-network", "987654".into()),
        ]),
    )
    .await;

    let boxes = ints(&created, "mailboxes");
    let uniques = created["unique_ids"].as_array().unwrap();
    for (m, unique) in boxes.iter().zip(uniques) {
        let mailbox = stored_mailbox(&app, *m).await;
        assert_eq!(
            (
                mailbox.network_id,
                mailbox.unique_id.as_str(),
                mailbox.status
            ),
            (NetworkId(100), unique.as_str().unwrap(), UserStatus::Active),
            "MailboxAdd stored mailbox {m}"
        );
        let a = &mailbox.address;
        assert_eq!(
            (
                a.address1.as_str(),
                a.address2.as_str(),
                a.city.as_str(),
                a.state.as_str(),
                a.zip.as_str()
            ),
            ("789 Commerce Dr", "Suite 400", "Chicago", "IL", "60601"),
            "MailboxAdd's address is stored"
        );
        assert_eq!(mailbox.phone, "312-555-9000");
        assert!(
            mailbox.admin_email.starts_with("admin."),
            "{}",
            mailbox.admin_email
        );
    }
    let first = stored_mailbox(&app, boxes[0]).await;
    assert_eq!(
        first.name,
        text(&created, "company"),
        "CompanyName is the mailbox's name"
    );
    assert_delimiters(
        &first,
        "MailboxX12Delimiters(\"*\", \">\", \"~\") is stored as bytes",
    );
    assert_eq!(
        (
            first.config.notify_email.as_str(),
            first.config.notify_on_inbox
        ),
        (text(&created, "notify_email"), true),
        "MailboxConfig's notification settings are stored"
    );
    assert_ids_stored(&app, &created, boxes[0], UserStatus::Active, "TPAdd").await;
    let user = FlowUser {
        mailbox: boxes[0],
        status: UserStatus::Suspended,
        stored: "UserAdd, UserSetAuthLevel(MailboxAdmin) and UserSuspend are stored",
        ended: "UserSuspend ends the user's sessions",
    };
    user.assert_stored(&app, admin, &created).await;
}

#[tokio::test]
async fn python_requests_runs_the_rest_directory_flow() {
    let (app, admin) = directory_app().await;
    let key = app.api_key(admin).await;
    let created = run_flow(
        "directory_rest_flow.py",
        &args(&[
            ("--base", app.base_url()),
            ("--login", ADMIN.into()),
            ("--password", TEST_PASSWORD.into()),
            ("--api-key", key.clone()),
            ("--far-mailbox", "400".into()),
            ("--missing-mailbox", "987654".into()),
        ]),
    )
    .await;

    let m = int(&created, "mailbox");
    let mailbox = stored_mailbox(&app, m).await;
    assert_eq!(
        (mailbox.name.as_str(), mailbox.status),
        (text(&created, "company"), UserStatus::Terminated),
        "DELETE /v2/mailboxes/{{id}} terminates, and deletes nothing"
    );
    assert_delimiters(&mailbox, "the flow's X12 delimiters are stored");
    let why = "stored as given (not padded), terminated with its mailbox";
    assert_ids_stored(&app, &created, m, UserStatus::Terminated, why).await;
    let alias = stored_mailbox(&app, int(&created, "alias_mailbox")).await;
    assert_eq!(
        alias.status,
        UserStatus::Active,
        "POST /v2/mailboxes made a mailbox"
    );
    let user = FlowUser {
        mailbox: m,
        status: UserStatus::Terminated,
        stored: "POST /v2/users, /v2/users/role and DELETE /v2/users/{id} are stored",
        ended: "terminating a user ends their sessions",
    };
    user.assert_stored(&app, admin, &created).await;
}

// ---- one directory, three shapes ------------------------------------------------------------

#[tokio::test]
async fn what_one_front_end_creates_the_other_two_read_alike() {
    let (app, admin) = directory_app().await;
    let fronts = Fronts::open(&app, admin).await;
    let (sid, key) = (fronts.deployed.clone(), fronts.key.clone());
    let admin_id = admin.0.to_string();

    // Created in the deployed dialect, read through the documented one and REST.
    let added = app
        .soap_ok_in(
            DEPLOYED_NS,
            "MailboxAdd",
            &[
                ("SessionID", &sid),
                ("Name", "Cross Deployed"),
                ("UserID", &admin_id),
            ],
        )
        .await;
    let m: i32 = added.expect_field("MailboxAddResult").parse().unwrap();
    let m_text = m.to_string();
    let tp = app
        .soap_ok_in(
            DEPLOYED_NS,
            "TPAddEx",
            &[
                ("SessionID", &sid),
                ("NetworkID", "100"),
                ("MailboxID", &m_text),
                ("Qualifier", "ZZ"),
                ("ID", "CROSSDEP1"),
                ("Description", "made in the deployed dialect"),
                ("RoutingGroup", "ProductionA"),
            ],
        )
        .await;
    let e: i32 = tp.expect_field("TPAddExResult").parse().unwrap();
    fronts
        .mailbox_alike(&app, m, "Cross Deployed", "Active")
        .await;
    fronts
        .partner_alike(&app, e, ("ZZ", "CROSSDEP1"), m, "Active")
        .await;

    // Created over REST, read through both SOAP dialects.
    let made = rest(
        &app,
        &key,
        Method::POST,
        "/v2/mailboxes/create",
        Some(json!({"networkId": 100, "uniqueId": "CROSSREST", "companyName": "Cross Rest"})),
    )
    .await;
    let r = int(&made, "mailboxId");
    let made = rest(
        &app,
        &key,
        Method::POST,
        "/v2/ids",
        Some(json!({"mailboxId": r, "qualifier": "01", "id": "123456789", "description": "made over REST"})),
    )
    .await;
    let f = int(&made, "ecGridId");
    fronts.mailbox_alike(&app, r, "Cross Rest", "Active").await;
    fronts
        .partner_alike(&app, f, ("01", "123456789"), r, "Active")
        .await;
    let doc = app
        .soap_ok_in(
            NS,
            "MailboxInfo",
            &[
                ("SessionID", &fronts.documented),
                ("MailboxID", &r.to_string()),
            ],
        )
        .await;
    assert_eq!(
        doc.expect_field("UniqueID"),
        "CROSSREST",
        "REST's uniqueId is the documented UniqueID"
    );

    // Terminated in one, terminated in all: the deployed MailboxTerminate and REST's DELETE.
    app.soap_ok_in(
        DEPLOYED_NS,
        "MailboxTerminate",
        &[("SessionID", &sid), ("MailboxID", &m_text)],
    )
    .await;
    rest(
        &app,
        &key,
        Method::DELETE,
        &format!("/v2/mailboxes/{r}"),
        None,
    )
    .await;
    for (m, name) in [(m, "Cross Deployed"), (r, "Cross Rest")] {
        fronts.mailbox_alike(&app, m, name, "Terminated").await;
    }
    for (e, pair, m) in [(e, ("ZZ", "CROSSDEP1"), m), (f, ("01", "123456789"), r)] {
        fronts.partner_alike(&app, e, pair, m, "Terminated").await;
    }
    assert_eq!(
        stored_partner(&app, f).await,
        (
            100,
            r,
            "01".into(),
            "123456789".into(),
            UserStatus::Terminated
        )
    );
}
