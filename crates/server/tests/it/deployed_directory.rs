//! The directory in the deployed v4.1 dialect (SPEC-VAN 13, 14, 19): every User*, Network*,
//! Mailbox* and TP* operation of the deployed WSDL, raw envelopes over SOAP 1.1, each with its
//! answer checked and refused at least once (bad input, no authority, or nothing there), and
//! the .NET DataSet of NetworkStatusSummary read by zeep.
//!
//! The world: network 100 (mailboxes 200 and 201) with `netadmin` (NetworkAdmin), `mbxadmin`
//! (MailboxAdmin), `mbxuser` (MailboxUser), `general` (General) and `techops` (TechOps), all
//! in mailbox 200; network 300 (mailbox 400) with `faradmin`, out of netadmin's scope.
//!
//! Parameters are written `Name=value|Name=value` (values may hold spaces); the refusal tables
//! are kept one line per case.

use chrono::{Duration, Utc};
use edigrid_core::Caller;
use edigrid_domain::{AuthLevel, EcGridId, NetworkId, UserId, UserStatus};
use edigrid_testkit::{DEPLOYED_NS as DEP, Fault, TEST_PASSWORD, TestApp, spawn_app};

use crate::support::deployed::{Elem, USER_ID_INFO, xsd_time};
use crate::support::python::{python, repo_root};

const MISSING: &str = "987654";

const MAILBOX_CONFIG: [&str; 10] = [
    "InBoxTimeout",
    "SegTerm",
    "ElmSep",
    "SubElmSep",
    "EBCDICFilter",
    "FTPasciiFilter",
    "LowPassFilter",
    "MailbagPassThrough",
    "DeleteOnDownload",
    "StripDirectedEnvelope",
];
/// An owned ID of a readable mailbox has every field of `ECGridIDInfo`.
const ECGRID_ID_INFO: [&str; 15] = [
    "ECGridID",
    "NetworkID",
    "NetworkName",
    "MailboxID",
    "MailboxName",
    "Qualifier",
    "ID",
    "Description",
    "DataEMail",
    "MailboxDefault",
    "Status",
    "UseType",
    "Owner",
    "OwnerInfo",
    "Config",
];
/// `NetworkIDInfo` as edigrid writes it: without LastLog, OwnerInfo and NetOpsInfo.
const NETWORK_ID_INFO: [&str; 25] = [
    "NetworkID",
    "Name",
    "Location",
    "AdminContact",
    "AdminPhone",
    "AdminEMail",
    "LastContact",
    "Type",
    "Status",
    "RunStatus",
    "NetworkStatus",
    "ECGridAccount",
    "OwnerUserID",
    "RoutingUserID",
    "ErrorsUserID",
    "InterconnectsUserID",
    "NoticesUserID",
    "ReportsUserID",
    "AccountingUserID",
    "CustomerServiceUserID",
    "HomeWebsite",
    "SupportWebsite",
    "LoginWebsite",
    "Created",
    "Modified",
];

// ---- the world and its calls ----------------------------------------------------------------

struct World {
    app: TestApp,
    netadmin: UserId,
    mbxuser: UserId,
    faradmin: UserId,
    /// Sessions of netadmin, techops, mbxadmin, mbxuser and general.
    net: String,
    ops: String,
    mbx: String,
    user: String,
    general: String,
}

/// `Name=value|Name=value` as parameters.
fn params(spec: &str) -> Vec<(&str, &str)> {
    spec.split('|')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect()
}

impl World {
    async fn new() -> World {
        let app = spawn_app().await;
        let users = app
            .directory()
            .users_in(
                100,
                200,
                &[
                    ("netadmin", AuthLevel::NetworkAdmin),
                    ("mbxadmin", AuthLevel::MailboxAdmin),
                    ("mbxuser", AuthLevel::MailboxUser),
                    ("general", AuthLevel::General),
                    ("techops", AuthLevel::TechOps),
                ],
            )
            .user("faradmin", AuthLevel::NetworkAdmin, 300, 400)
            .mailbox(100, 201)
            .build()
            .await;
        let mut w = World {
            app,
            netadmin: users.user("netadmin"),
            mbxuser: users.user("mbxuser"),
            faradmin: users.user("faradmin"),
            net: String::new(),
            ops: String::new(),
            mbx: String::new(),
            user: String::new(),
            general: String::new(),
        };
        w.net = w.login("netadmin", TEST_PASSWORD).await;
        w.ops = w.login("techops", TEST_PASSWORD).await;
        w.mbx = w.login("mbxadmin", TEST_PASSWORD).await;
        w.user = w.login("mbxuser", TEST_PASSWORD).await;
        w.general = w.login("general", TEST_PASSWORD).await;
        w
    }

    async fn login(&self, login: &str, password: &str) -> String {
        let spec = format!("LoginName={login}|Password={password}");
        self.call(None, "Login", &spec).await.text
    }

    async fn reply(&self, sid: Option<&str>, op: &str, spec: &str) -> edigrid_testkit::SoapReply {
        let mut p = params(spec);
        if let Some(sid) = sid {
            p.insert(0, ("SessionID", sid));
        }
        self.app.soap_in(DEP, op, &p).await
    }

    async fn call(&self, sid: Option<&str>, op: &str, spec: &str) -> Elem {
        let reply = self.reply(sid, op, spec).await;
        assert!(
            reply.status == 200 && reply.fault().is_none(),
            "{op} {spec}: want a result, got {}: {}",
            reply.status,
            reply.body
        );
        let doc = roxmltree::Document::parse(&reply.body).unwrap();
        let result = doc
            .descendants()
            .find(|n| n.has_tag_name((DEP, format!("{op}Result").as_str())))
            .unwrap_or_else(|| panic!("{op}: no {op}Result in {}", reply.body));
        Elem::of(result)
    }

    /// A call in session `sid` that must succeed: its `{op}Result`.
    async fn ok(&self, sid: &str, op: &str, spec: &str) -> Elem {
        self.call(Some(sid), op, spec).await
    }

    async fn int(&self, sid: &str, op: &str, spec: &str) -> i32 {
        self.ok(sid, op, spec).await.text.parse().unwrap()
    }

    async fn yes(&self, sid: &str, op: &str, spec: &str) {
        assert_eq!(self.ok(sid, op, spec).await.text, "true", "{op} {spec}");
    }

    /// A call that must be refused in `category` (`InvalidParameter`, `Authorization`,
    /// `ObjectNotFound`, `Authentication`) naming `item` (any item when empty).
    async fn no(&self, sid: &str, op: &str, spec: &str, category: &str, item: &str) -> Fault {
        let f = self.reply(Some(sid), op, spec).await.expect_fault();
        let want_item = if item.is_empty() { &f.item } else { item };
        assert_eq!(
            (f.category.as_str(), f.item.as_str()),
            (category, want_item),
            "{op} {spec}: {f:?}"
        );
        f
    }

    /// Every refusal of a table: (session, operation, parameters, category, item).
    async fn all_refused(&self, table: &[(&str, &str, String, &str, &str)]) {
        for (sid, op, spec, category, item) in table {
            self.no(sid, op, spec, category, item).await;
        }
    }

    /// Out of scope and nonexistent get the same fault, word for word (no existence oracle).
    async fn same_denial(&self, sid: &str, op: &str, param: &str, far: &str) {
        let a = self
            .no(sid, op, &format!("{param}={far}"), "Authorization", "")
            .await;
        let b = self
            .no(sid, op, &format!("{param}={MISSING}"), "Authorization", "")
            .await;
        assert_eq!(
            a, b,
            "{op}: {param} {far} (out of scope) and {MISSING} (nonexistent)"
        );
        assert!(!a.text.contains(far), "{a:?}");
    }

    /// Registers `qualifier:id` in `mailbox` as the operator; returns its ECGridID.
    async fn partner(&self, network: i32, mailbox: i32, qualifier: &str, id: &str) -> i32 {
        let added = self.app.add_partner(network, mailbox, qualifier, id, "");
        added.await.0
    }
}

/// A table row whose parameters are given as text.
fn row<'a>(
    sid: &'a str,
    op: &'a str,
    spec: impl Into<String>,
    category: &'a str,
    item: &'a str,
) -> (&'a str, &'a str, String, &'a str, &'a str) {
    (sid, op, spec.into(), category, item)
}

// ---- users ----------------------------------------------------------------------------------

/// UserAdd's parameters (UserAddEx's after its NetworkID).
fn new_user(login: &str, mailbox: &str, level: &str) -> String {
    format!(
        "MailboxID={mailbox}|LoginName={login}|Password={TEST_PASSWORD}|RecoveryQuestion=First pet?|\
         RecoveryAnswer=Rex|FirstName=Dora|LastName=Dir|Company=Dir Co|EMail=dora@example.com|\
         Phone=+1 555 0101|CellPhone=+1 555 0102|CellCarrier=Verizon|AuthLevel={level}"
    )
}

#[tokio::test]
async fn deployed_users_are_created_read_changed_and_listed() {
    let w = &World::new().await;
    let dora = w
        .int(&w.net, "UserAdd", &new_user("dora", "201", "MailboxUser"))
        .await;
    let info = w.ok(&w.net, "UserInfo", &format!("UserID={dora}")).await;
    assert_eq!(info.names(), USER_ID_INFO, "UserIDInfo in WSDL order");
    assert_eq!(
        info.texts(&[
            "LoginName",
            "RecoveryQuestion",
            "CellPhone",
            "CellCarrier",
            "NetworkID",
            "MailboxID",
            "AuthLevel",
            "Status",
            "LockedOut",
            "LastLogin"
        ]),
        [
            "dora",
            "First pet?",
            "+1 555 0102",
            "Verizon",
            "100",
            "201",
            "MailboxUser",
            "Active",
            "false",
            "0001-01-01T00:00:00"
        ]
    );
    let by_login = w.ok(&w.net, "UserInfobyLogin", "LoginName=DORA").await;
    assert_eq!(
        by_login.text_of("UserID"),
        dora.to_string(),
        "login names match in any case"
    );
    let spec = format!("NetworkID=300|{}", new_user("farah", "400", "NetworkUser"));
    let farah = w.int(&w.ops, "UserAddEx", &spec).await;
    let far_info = w.ok(&w.ops, "UserInfo", &format!("UserID={farah}")).await;
    assert_eq!(far_info.texts(&["NetworkID", "MailboxID"]), ["300", "400"]);

    // UserUpdate: absent fields and NoChange stay; a changed level goes through.
    let update = |first: &str, level: &str| {
        format!("UserID={dora}|FirstName={first}|CellCarrier=NoChange|AuthLevel={level}")
    };
    let of_dora = format!("UserID={dora}");
    let info_of_dora = || w.ok(&w.net, "UserInfo", &of_dora);
    w.yes(&w.net, "UserUpdate", &update("Dorothy", "NoChange"))
        .await;
    let info = info_of_dora().await;
    assert_eq!(
        info.texts(&["FirstName", "LastName", "CellCarrier", "AuthLevel"]),
        ["Dorothy", "Dir", "Verizon", "MailboxUser"]
    );
    w.yes(&w.net, "UserUpdate", &update("Dot", "MailboxAdmin"))
        .await;
    assert_eq!(info_of_dora().await.text_of("AuthLevel"), "MailboxAdmin");
    let spec = format!("UserID={dora}|AuthLevel=MailboxUser");
    w.yes(&w.net, "UserSetAuthLevel", &spec).await;
    assert_eq!(info_of_dora().await.text_of("AuthLevel"), "MailboxUser");
    let spec = format!("UserID={dora}|NetworkID=100|MailboxID=200");
    w.yes(&w.net, "UserSetNetworkMailbox", &spec).await;
    assert_eq!(info_of_dora().await.text_of("MailboxID"), "200");

    // Lists: the session's network, by login or name; Ex names network and mailbox.
    let logins = |list: Elem| {
        let mut v = list.column("LoginName");
        v.sort();
        v
    };
    assert_eq!(logins(w.ok(&w.net, "UserList", "Name=DOR").await), ["dora"]);
    let all = logins(w.ok(&w.net, "UserList", "Name=").await);
    assert!(
        all.contains(&"netadmin".into()) && !all.contains(&"faradmin".into()),
        "{all:?}"
    );
    let ex = w
        .ok(&w.ops, "UserListEx", "NetworkID=300|MailboxID=400|Name=")
        .await;
    assert_eq!(logins(ex), ["faradmin", "farah"]);
    let own = w.ok(&w.general, "UserList", "Name=").await;
    assert_eq!(logins(own), ["general"], "a General user lists only itself");

    let (net, mbx, far) = (w.net.as_str(), w.mbx.as_str(), w.faradmin.0);
    let weak = new_user("weak", "201", "MailboxUser").replace(TEST_PASSWORD, "short");
    #[rustfmt::skip]
    w.all_refused(&[
        row(net, "UserAdd", new_user("DORA", "201", "MailboxUser"), "InvalidParameter", "LoginName"),
        row(net, "UserAdd", weak, "InvalidParameter", "Password"),
        row(net, "UserAdd", new_user("netops", "200", "NetOps"), "Authorization", ""),
        row(net, "UserAdd", new_user("wizard", "200", "Wizard"), "InvalidParameter", "AuthLevel"),
        row(net, "UserAddEx", format!("NetworkID=300|{}", new_user("x", "400", "General")), "Authorization", ""),
        row(net, "UserInfobyLogin", "LoginName=", "InvalidParameter", "LoginName"),
        row(net, "UserUpdate", format!("UserID={dora}|EMail=nope|CellCarrier=NoChange|AuthLevel=NoChange"), "InvalidParameter", "EMail"),
        row(net, "UserUpdate", update("Never", "TechOps"), "Authorization", ""),
        row(net, "UserListEx", "NetworkID=300|MailboxID=0|Name=", "Authorization", ""),
        row(net, "UserSetNetworkMailbox", format!("UserID={dora}|NetworkID=300|MailboxID=400"), "Authorization", ""),
        row(net, "UserSetNetworkMailbox", format!("UserID={dora}|NetworkID=300|MailboxID=201"), "InvalidParameter", "MailboxID"),
        row(net, "UserSetAuthLevel", format!("UserID={dora}|AuthLevel=NetOps"), "Authorization", ""),
        row(mbx, "UserSetAuthLevel", format!("UserID={far}|AuthLevel=General"), "Authorization", ""),
    ]).await;
    assert_eq!(
        info_of_dora().await.text_of("FirstName"),
        "Dot",
        "a refused level changes nothing"
    );
    w.same_denial(net, "UserInfo", "UserID", &far.to_string())
        .await;
    w.same_denial(net, "UserInfobyLogin", "LoginName", "faradmin")
        .await;
}

#[tokio::test]
async fn deployed_user_status_and_password() {
    let w = &World::new().await;
    let dora = w
        .int(&w.net, "UserAdd", &new_user("dora", "200", "MailboxUser"))
        .await;
    let dora_sid = w.login("dora", TEST_PASSWORD).await;
    let of_dora = format!("UserID={dora}");
    let status = || async {
        w.ok(&w.net, "UserInfo", &of_dora)
            .await
            .text_of("Status")
            .to_string()
    };

    // UserSuspend ends the user's sessions and refuses their login; UserActivate lets them in.
    w.yes(&w.net, "UserSuspend", &of_dora).await;
    let f = w.reply(Some(&dora_sid), "WhoAmI", "").await.expect_fault();
    assert_eq!(
        (f.error_code.as_str(), f.item.as_str()),
        ("1", "SessionID"),
        "{f:?}"
    );
    let spec = format!("LoginName=dora|Password={TEST_PASSWORD}");
    let f = w.reply(None, "Login", &spec).await.expect_fault();
    assert_eq!(f.category, "Authentication", "{f:?}");
    assert_eq!(status().await, "Suspended");
    w.yes(&w.net, "UserActivate", &of_dora).await;
    assert_eq!(status().await, "Active");
    let dora_sid = w.login("dora", TEST_PASSWORD).await;

    // UserPassword: the user themselves gives the recovery answer; an administrator need not.
    let pw = |answer: &str, password: &str| {
        format!("UserID={dora}|CurrentRecoveryAnswer={answer}|Password={password}")
    };
    let new = "New#Pass22";
    w.no(
        &dora_sid,
        "UserPassword",
        &pw("Fido", new),
        "InvalidParameter",
        "CurrentRecoveryAnswer",
    )
    .await;
    w.no(
        &dora_sid,
        "UserPassword",
        &pw(" rex ", "weak"),
        "InvalidParameter",
        "Password",
    )
    .await;
    w.yes(&dora_sid, "UserPassword", &pw(" rex ", new)).await;
    w.login("dora", new).await;
    w.yes(&w.net, "UserPassword", &pw("", TEST_PASSWORD)).await;
    w.login("dora", TEST_PASSWORD).await;

    // UserTerminate is final.
    w.yes(&w.net, "UserTerminate", &of_dora).await;
    assert_eq!(status().await, "Terminated");
    let (net, me, far) = (w.net.as_str(), w.netadmin.0, w.faradmin.0);
    #[rustfmt::skip]
    w.all_refused(&[
        row(net, "UserActivate", of_dora.clone(), "InvalidParameter", "UserID"),
        row(net, "UserPassword", of_dora.clone(), "InvalidParameter", "Password"),
        row(net, "UserSuspend", format!("UserID={me}"), "Authorization", ""),
        row(net, "UserSuspend", format!("UserID={far}"), "Authorization", ""),
        row(&w.user, "UserTerminate", format!("UserID={me}"), "Authorization", ""),
        row(&w.ops, "UserActivate", format!("UserID={MISSING}"), "ObjectNotFound", "UserID"),
    ]).await;
}

// ---- networks -------------------------------------------------------------------------------

#[tokio::test]
async fn deployed_networks_are_read_listed_and_changed() {
    let w = &World::new().await;
    let net = w.net.as_str();
    let info = w.ok(net, "NetworkInfo", "NetworkID=100").await;
    assert_eq!(info.names(), NETWORK_ID_INFO);
    assert_eq!(
        info.texts(&[
            "Name",
            "Type",
            "Status",
            "RunStatus",
            "NetworkStatus",
            "LastContact",
            "OwnerUserID"
        ]),
        [
            "Network 100",
            "Network",
            "Active",
            "Active",
            "NormalOperation",
            "0001-01-01T00:00:00",
            "0"
        ]
    );

    let user = w.mbxuser.0;
    w.yes(
        net,
        "NetworkUpdate",
        "NetworkID=100|Name=Grid One|Location=Chicago",
    )
    .await;
    w.yes(net, "NetworkUpdate", "NetworkID=100|Location=Denver")
        .await;
    let spec = format!("NetworkID=100|UserID={user}|ContactType=Errors");
    w.yes(net, "NetworkSetContact", &spec).await;
    let spec = "NetworkID=100|URL=https://help.example|WebsiteType=Support";
    w.yes(net, "NetworkSetWebsite", spec).await;
    let spec = "NetworkID=100|SegTerm=126|ElmSep=42|SubElmSep=58";
    w.yes(net, "NetworkX12Delimiters", spec).await;
    w.yes(
        net,
        "NetworkRootDeleteOnDownload",
        "NetworkID=100|DeleteOnDownload=true",
    )
    .await;
    let info = w.ok(net, "NetworkInfoWithLog", "NetworkID=100").await;
    assert_eq!(
        info.names(),
        NETWORK_ID_INFO,
        "no LastLog: edigrid keeps no network log"
    );
    assert_eq!(
        info.texts(&["Name", "Location", "ErrorsUserID", "SupportWebsite"]),
        [
            "Grid One",
            "Denver",
            &user.to_string(),
            "https://help.example"
        ]
    );
    let stored = w
        .app
        .core
        .store()
        .network(NetworkId(100))
        .await
        .unwrap()
        .unwrap();
    let x12 = stored.x12;
    assert_eq!(
        (
            x12.segment,
            x12.element,
            x12.sub_element,
            stored.delete_on_download
        ),
        (b'~', b'*', b':', true)
    );
    let spec = "NetworkID=100|ContactType=Errors";
    let contact = w.ok(net, "NetworkGetContact", spec).await;
    assert_eq!(
        (contact.names(), contact.text_of("LoginName")),
        (USER_ID_INFO.to_vec(), "mbxuser")
    );

    let ids = |e: Elem| e.column("NetworkID");
    assert_eq!(ids(w.ok(net, "NetworkList", "Name=grid").await), ["100"]);
    assert_eq!(ids(w.ok(net, "NetworkList", "Name=").await), ["100"]);
    assert_eq!(
        ids(w.ok(&w.ops, "NetworkList", "Name=").await),
        ["100", "300"]
    );
    let outages = w.ok(net, "NetworkOutageList", "").await;
    assert!(
        outages.children.is_empty(),
        "edigrid has no outages: {outages:?}"
    );

    let far = w.faradmin.0;
    #[rustfmt::skip]
    w.all_refused(&[
        row(&w.ops, "NetworkInfo", format!("NetworkID={MISSING}"), "ObjectNotFound", "NetworkID"),
        row(net, "NetworkInfoWithLog", "NetworkID=300", "Authorization", ""),
        row(&w.general, "NetworkList", "Name=", "Authorization", ""),
        row("not-a-session", "NetworkOutageList", "", "Authentication", "SessionID"),
        row(&w.mbx, "NetworkUpdate", "NetworkID=100|Name=Mine", "Authorization", ""),
        row(net, "NetworkUpdate", "NetworkID=100|Name= ", "InvalidParameter", "Name"),
        row(net, "NetworkSetContact", format!("NetworkID=100|UserID={far}|ContactType=Owner"), "Authorization", ""),
        row(net, "NetworkGetContact", "NetworkID=100|ContactType=Owner", "ObjectNotFound", "ContactType"),
        row(net, "NetworkSetWebsite", "NetworkID=100|URL=x|WebsiteType=Blog", "InvalidParameter", "WebsiteType"),
        row(net, "NetworkX12Delimiters", "NetworkID=100|SegTerm=65|ElmSep=42|SubElmSep=58", "InvalidParameter", "SegTerm"),
        row(net, "NetworkX12Delimiters", "NetworkID=100|SegTerm=126|ElmSep=300|SubElmSep=58", "InvalidParameter", "ElmSep"),
        row(net, "NetworkRootDeleteOnDownload", "NetworkID=300|DeleteOnDownload=true", "Authorization", ""),
    ]).await;
    w.same_denial(net, "NetworkInfo", "NetworkID", "300").await;
}

/// The rows of a DataSet result's diffgram: each row's cells in order.
fn data_set_rows(result: &Elem) -> Vec<Vec<String>> {
    assert_eq!(
        result.names(),
        ["schema", "diffgram"],
        "inline schema, then the diffgram"
    );
    let Some(set) = result.get("diffgram").find("NewDataSet") else {
        return Vec::new();
    };
    set.children
        .iter()
        .map(|row| row.children.iter().map(|c| c.text.clone()).collect())
        .collect()
}

/// zeep, from the deployed WSDL, logs in as `login` and reads NetworkStatusSummary; returns
/// the rows it parsed (typed by the inline schema) as JSON.
async fn zeep_status_summary(app: &TestApp, login: &str) -> serde_json::Value {
    let script = r#"
import json, sys
sys.path.insert(0, "tests/clients/python")
from deployed_flow import BINDINGS, load_client
wsdl, url, login, password = sys.argv[1:5]
client, _, _ = load_client(wsdl, url)
svc = client.create_service(BINDINGS["1.1"], url)
sid = svc.Login(LoginName=login, Password=password)
result = svc.NetworkStatusSummary(SessionID=sid, ShowInactive=True)
rows = [r["Table"] for r in result._value_1._value_1]
print(json.dumps([[t.NetworkID, t.Name, t.Status, t.MailboxCount, t.ECGridIDCount] for t in rows]))
"#;
    let wsdl = repo_root().join("crates/soap/data/ECGridOS-v4.1-deployed.wsdl");
    let wsdl = wsdl.display().to_string();
    let ran = python(&["-c", script, &wsdl, &app.soap_url(), login, TEST_PASSWORD]).await;
    ran.assert_success("zeep reading NetworkStatusSummary");
    serde_json::from_str(ran.stdout.trim()).unwrap()
}

#[tokio::test]
async fn network_status_summary_is_a_data_set_that_zeep_reads() {
    let w = &World::new().await;
    w.partner(100, 200, "ZZ", "AAA").await;
    w.partner(100, 200, "ZZ", "BBB").await;
    let suspended = w.partner(100, 201, "ZZ", "CCC").await;
    w.app
        .core
        .partner_set_status(
            &Caller::operator(),
            EcGridId(suspended),
            UserStatus::Suspended,
        )
        .await
        .unwrap();
    w.partner(300, 400, "ZZ", "DDD").await;

    // (session, ShowInactive, rows of NetworkID, Name, Status, mailboxes and IDs, why)
    #[rustfmt::skip]
    let summaries: [(&str, &str, &[[&str; 5]], &str); 3] = [
        (&w.ops, "false", &[["100", "Network 100", "Active", "2", "2"], ["300", "Network 300", "Active", "1", "1"]],
            "every network, active IDs only, for TechOps"),
        (&w.net, "true", &[["100", "Network 100", "Active", "2", "3"]],
            "a NetworkAdmin sees its own network, inactive IDs too"),
        (&w.mbx, "true", &[["100", "Network 100", "Active", "1", "2"]],
            "a MailboxAdmin counts its own mailbox"),
    ];
    for (sid, inactive, want, why) in summaries {
        let spec = format!("ShowInactive={inactive}");
        let result = w.ok(sid, "NetworkStatusSummary", &spec).await;
        assert_eq!(data_set_rows(&result), want, "{why}");
    }
    assert_eq!(
        zeep_status_summary(&w.app, "techops").await,
        serde_json::json!([
            [100, "Network 100", "Active", 2, 3],
            [300, "Network 300", "Active", 1, 1]
        ]),
        "zeep reads the DataSet, typed by its inline schema"
    );
    #[rustfmt::skip]
    w.all_refused(&[
        row(&w.general, "NetworkStatusSummary", "ShowInactive=true", "Authorization", ""),
        row(&w.net, "NetworkStatusSummary", "ShowInactive=maybe", "InvalidParameter", "ShowInactive"),
    ]).await;
}

// ---- mailboxes ------------------------------------------------------------------------------

#[tokio::test]
async fn deployed_mailboxes_are_created_read_configured_and_listed() {
    let w = &World::new().await;
    let (net, owner, admin) = (w.net.as_str(), w.mbxuser.0, w.netadmin.0);
    let m = w
        .int(net, "MailboxAdd", &format!("Name=Dock|UserID={owner}"))
        .await;
    let of_m = |extra: &str| format!("MailboxID={m}|{extra}");
    let info = w.ok(net, "MailboxInfo", &of_m("")).await;
    #[rustfmt::skip]
    assert_eq!(
        info.names(),
        ["MailboxID", "NetworkID", "Name", "Created", "Modified", "Status", "Description",
            "OwnerUserID", "Managed", "UseType", "Config", "ECGridAccount", "DefaultAS2ID"],
        "MailboxIDInfo in WSDL order, unset contacts omitted"
    );
    assert_eq!(
        info.texts(&["NetworkID", "Name", "ECGridAccount"]),
        ["100", "Dock", "false"]
    );
    assert_eq!(
        info.get("OwnerUserID").names(),
        USER_ID_INFO,
        "contacts are nested UserIDInfo"
    );
    assert_eq!(info.get("OwnerUserID").text_of("UserID"), owner.to_string());
    assert_eq!(info.get("Config").names(), MAILBOX_CONFIG);

    #[rustfmt::skip]
    let settings = [
        ("MailboxName", "Name=Dock Two"),
        ("MailboxDescription", "Description=loading dock"),
        ("MailboxManaged", "Managed=true"),
        ("MailboxDeleteOnDownload", "DeleteOnDownload=1"),
        ("MailboxX12Delimiters", "SegTerm=126|ElmSep=42|SubElmSep=62"),
        ("MailboxInBoxTimeout", "Minutes=30"),
        ("MailboxUse", "UseType=Production"),
    ];
    for (op, spec) in settings {
        w.yes(net, op, &of_m(spec)).await;
    }
    for (kind, user) in [
        ("Accounting", admin),
        ("CustomerService", owner),
        ("Errors", admin),
    ] {
        let spec = of_m(&format!("UserID={user}|ContactType={kind}"));
        w.yes(net, "MailboxSetContact", &spec).await;
    }
    let info = w.ok(net, "MailboxInfo", &of_m("")).await;
    #[rustfmt::skip]
    assert_eq!(
        info.names(),
        ["MailboxID", "NetworkID", "Name", "Created", "Modified", "Status", "Description",
            "OwnerUserID", "ErrorsUserID", "CustomerServiceUserID", "AccountingUserID", "Managed",
            "UseType", "Config", "ECGridAccount", "DefaultAS2ID"],
        "CustomerService comes before Accounting in MailboxIDInfo"
    );
    assert_eq!(
        info.texts(&["Name", "Description", "Managed", "UseType"]),
        ["Dock Two", "loading dock", "true", "Production"]
    );
    assert_eq!(
        info.get("AccountingUserID").text_of("LoginName"),
        "netadmin"
    );
    assert_eq!(
        info.get("Config").texts(&[
            "InBoxTimeout",
            "SegTerm",
            "ElmSep",
            "SubElmSep",
            "DeleteOnDownload"
        ]),
        ["30", "126", "42", "62", "true"],
        "delimiters as character codes"
    );

    let ex = w
        .int(&w.ops, "MailboxAddEx", "NetworkID=100|Name=Dock Ex|UserID=")
        .await;
    let ex_info = w.ok(net, "MailboxInfo", &format!("MailboxID={ex}")).await;
    assert!(
        ex_info.find("OwnerUserID").is_none(),
        "an empty UserID names no owner"
    );
    let spec = format!("NetworkID=100|Name=Dock Three|UserID={admin}");
    let ex2 = w.int(net, "MailboxAddEx", &spec).await;
    let ex2_info = w.ok(net, "MailboxInfo", &format!("MailboxID={ex2}")).await;
    assert_eq!(
        ex2_info.get("OwnerUserID").text_of("UserID"),
        admin.to_string()
    );

    let sorted = |e: Elem| {
        let mut v: Vec<i32> = e
            .column("MailboxID")
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        sorted(w.ok(net, "MailboxList", "Name=dock").await),
        [m, ex, ex2]
    );
    let one = w
        .ok(&w.ops, "MailboxListEx", "NetworkID=100|Name=DOCK TWO")
        .await;
    assert_eq!(sorted(one), [m]);
    let all = w.ok(&w.ops, "MailboxListEx", "NetworkID=0|Name=").await;
    assert!(
        all.column("NetworkID").contains(&"300".into()),
        "NetworkID 0: every network"
    );

    for (op, want) in [
        ("MailboxSuspend", "Suspended"),
        ("MailboxActivate", "Active"),
        ("MailboxTerminate", "Terminated"),
    ] {
        w.yes(net, op, &of_m("")).await;
        assert_eq!(
            w.ok(net, "MailboxInfo", &of_m("")).await.text_of("Status"),
            want,
            "{op}"
        );
    }

    let far = w.faradmin.0;
    let (mbx, user, ops) = (w.mbx.as_str(), w.user.as_str(), w.ops.as_str());
    #[rustfmt::skip]
    w.all_refused(&[
        row(net, "MailboxName", of_m("Name=again"), "InvalidParameter", "MailboxID"),
        row(mbx, "MailboxAdd", "Name=Mine|UserID=0", "Authorization", ""),
        row(net, "MailboxAdd", "Name=|UserID=0", "InvalidParameter", "Name"),
        row(net, "MailboxAddEx", "NetworkID=300|Name=Far|UserID=", "Authorization", ""),
        row(net, "MailboxAddEx", "NetworkID=100|Name=Bad|UserID=abc", "InvalidParameter", "UserID"),
        row(mbx, "MailboxInBoxTimeout", "MailboxID=200|Minutes=-5", "InvalidParameter", "Minutes"),
        row(mbx, "MailboxX12Delimiters", "MailboxID=200|SegTerm=42|ElmSep=42|SubElmSep=0", "InvalidParameter", "SegTerm"),
        row(mbx, "MailboxUse", "MailboxID=200|UseType=Sometimes", "InvalidParameter", "UseType"),
        row(mbx, "MailboxDescription", "MailboxID=201|Description=x", "Authorization", ""),
        row(user, "MailboxManaged", "MailboxID=200|Managed=true", "Authorization", ""),
        row(net, "MailboxDeleteOnDownload", "MailboxID=400|DeleteOnDownload=true", "Authorization", ""),
        row(mbx, "MailboxSuspend", "MailboxID=200", "Authorization", ""),
        row(net, "MailboxSetContact", format!("MailboxID=200|UserID={far}|ContactType=Owner"), "Authorization", ""),
        row(ops, "MailboxActivate", format!("MailboxID={MISSING}"), "ObjectNotFound", "MailboxID"),
        row(mbx, "MailboxTerminate", "MailboxID=200", "Authorization", ""),
        row(net, "MailboxListEx", "NetworkID=300|Name=", "Authorization", ""),
        row(&w.general, "MailboxList", "Name=", "Authorization", ""),
    ]).await;
    w.same_denial(net, "MailboxInfo", "MailboxID", "400").await;
}

// ---- trading-partner IDs --------------------------------------------------------------------

#[tokio::test]
async fn deployed_partner_ids_are_registered_moved_and_changed() {
    let w = &World::new().await;
    let (net, ops) = (w.net.as_str(), w.ops.as_str());
    let tp = |e: i32| async move { w.ok(net, "TPInfo", &format!("ECGridID={e}")).await };
    let acme = w
        .int(net, "TPAdd", "Qualifier=ZZ|ID=ACME|Description=Acme")
        .await;
    let info = tp(acme).await;
    assert_eq!(info.names(), ECGRID_ID_INFO);
    assert_eq!(
        info.texts(&[
            "NetworkID",
            "NetworkName",
            "MailboxID",
            "MailboxName",
            "Qualifier",
            "ID",
            "MailboxDefault",
            "Status",
            "UseType"
        ]),
        [
            "100",
            "Network 100",
            "200",
            "Mailbox 200",
            "ZZ",
            "ACME",
            "true",
            "Active",
            "Undefined"
        ]
    );
    assert_eq!(
        info.get("Owner").text_of("LoginName"),
        "netadmin",
        "TPAdd's caller owns the ID"
    );
    assert_eq!(info.get("OwnerInfo").text_of("RoutingGroup"), "ProductionA");
    assert_eq!(info.get("Config").names(), MAILBOX_CONFIG);
    let spec = "Qualifier=zz|ID=acme  |Description=again";
    let dup = w.no(net, "TPAdd", spec, "InvalidParameter", "ID").await;
    assert!(
        dup.text
            .to_uppercase()
            .contains("ZZ:ACME IS ALREADY REGISTERED"),
        "{dup:?}"
    );

    let spec = "NetworkID=100|MailboxID=201|Qualifier=01|ID=123456789|Description=Nine|RoutingGroup=ProductionB";
    let nine = w.int(net, "TPAddEx", spec).await;
    let info = tp(nine).await;
    assert_eq!(
        info.texts(&["MailboxID", "MailboxDefault"]),
        ["201", "true"]
    );
    assert_eq!(info.get("OwnerInfo").text_of("RoutingGroup"), "ProductionB");
    let van = w
        .int(
            ops,
            "TPAddVAN",
            "NetworkID=300|Qualifier=ZZ|ID=FARVAN|Description=van",
        )
        .await;
    let van_info = w.ok(ops, "TPInfo", &format!("ECGridID={van}")).await;
    assert_eq!(
        van_info.text_of("MailboxID"),
        "400",
        "a VAN ID goes to the network's first mailbox"
    );

    let of = |e: i32, extra: &str| format!("ECGridID={e}|{extra}");
    w.yes(
        net,
        "TPUpdateDescription",
        &of(acme, "Description=Acme Corp"),
    )
    .await;
    let spec = of(
        acme,
        "EMailSystem=smtp|DataEMail=edi@acme.example|PayloadPosition=Body",
    );
    w.yes(net, "TPUpdateDataEMail", &spec).await;
    w.yes(net, "TPSetRoutingGroup", &of(acme, "RoutingGroup=Test"))
        .await;
    let user = w.mbxuser.0;
    w.yes(net, "TPSetOwner", &of(acme, &format!("OwnerUserID={user}")))
        .await;
    w.yes(net, "TPSuspend", &of(acme, "")).await;
    let info = tp(acme).await;
    assert_eq!(
        info.texts(&["Description", "DataEMail", "Status"]),
        ["Acme Corp", "edi@acme.example", "Suspended"]
    );
    assert_eq!(info.get("OwnerInfo").text_of("RoutingGroup"), "Test");
    assert_eq!(info.get("Owner").text_of("UserID"), user.to_string());
    w.yes(net, "TPActivate", &of(acme, "")).await;
    w.yes(net, "TPSetOwner", &of(acme, "OwnerUserID=0")).await;
    let info = tp(acme).await;
    assert_eq!(info.text_of("Status"), "Active");
    assert!(
        info.find("Owner").is_none(),
        "OwnerUserID 0 removes the owner"
    );

    // Moves answer the ECGridID; a time not in the future (the unset date too) moves now.
    let past = xsd_time(Utc::now() - Duration::hours(1));
    let future = xsd_time(Utc::now() + Duration::days(2));
    let mailbox_of = |e: Elem| e.text_of("MailboxID").to_string();
    let spec = of(nine, &format!("MoveDateTime={past}"));
    assert_eq!(w.int(net, "TPMove", &spec).await, nine);
    assert_eq!(
        mailbox_of(tp(nine).await),
        "200",
        "TPMove: into the session's mailbox"
    );
    let spec = of(
        nine,
        "NetworkID=100|MailboxID=201|MoveDateTime=0001-01-01T00:00:00",
    );
    assert_eq!(w.int(net, "TPMoveEx", &spec).await, nine);
    assert_eq!(mailbox_of(tp(nine).await), "201");
    assert_eq!(
        w.int(net, "TPMoveMailbox", &of(nine, "MailboxID=200"))
            .await,
        nine
    );
    assert_eq!(mailbox_of(tp(nine).await), "200");
    let spec = of(nine, &format!("MoveDateTime={future}"));
    let later = w
        .no(net, "TPMove", &spec, "InvalidParameter", "MoveDateTime")
        .await;
    assert!(
        later.text.contains("scheduled moves are not supported"),
        "{later:?}"
    );

    // One default per mailbox.
    w.yes(net, "TPSetMailboxDefault", &of(nine, "")).await;
    let default = w
        .ok(net, "TPGetMailboxDefault", "NetworkID=100|MailboxID=200")
        .await;
    assert_eq!(
        default.texts(&["ECGridID", "MailboxDefault"]),
        [nine.to_string().as_str(), "true"]
    );
    assert_eq!(tp(acme).await.text_of("MailboxDefault"), "false");
    w.yes(net, "TPTerminate", &of(nine, "")).await;
    assert_eq!(tp(nine).await.text_of("Status"), "Terminated");

    let gone = w
        .app
        .add_user("gone", AuthLevel::MailboxUser, 100, 200)
        .await;
    w.app
        .core
        .user_set_status(&Caller::operator(), gone, UserStatus::Terminated)
        .await
        .unwrap();
    w.app.add_mailbox(100, 202).await;
    let gone = gone.0;
    #[rustfmt::skip]
    w.all_refused(&[
        row(net, "TPAdd", "Qualifier=TOOLONG|ID=X", "InvalidParameter", "Qualifier"),
        row(&w.user, "TPAdd", "Qualifier=ZZ|ID=MINE", "Authorization", ""),
        row(net, "TPAddEx", "NetworkID=300|MailboxID=400|Qualifier=ZZ|ID=X1|RoutingGroup=ProductionA", "Authorization", ""),
        row(net, "TPAddEx", "NetworkID=100|MailboxID=200|Qualifier=ZZ|ID=X2|RoutingGroup=NetOpsOnly1", "Authorization", ""),
        row(net, "TPAddVAN", "NetworkID=300|Qualifier=ZZ|ID=X3", "Authorization", ""),
        row(net, "TPMoveEx", of(acme, &format!("NetworkID=300|MailboxID=201|MoveDateTime={past}")), "InvalidParameter", "MailboxID"),
        row(ops, "TPMoveMailbox", of(acme, "MailboxID=400"), "InvalidParameter", "MailboxID"),
        row(net, "TPUpdateDescription", of(van, "Description=mine"), "Authorization", ""),
        row(net, "TPUpdateDataEMail", of(acme, "EMailSystem=x400|DataEMail=a@b.c|PayloadPosition=Body"), "InvalidParameter", "EMailSystem"),
        row(net, "TPUpdateDataEMail", of(acme, "EMailSystem=smtp|DataEMail=not mail|PayloadPosition=Body"), "InvalidParameter", "DataEMail"),
        row(net, "TPActivate", of(nine, ""), "InvalidParameter", "ECGridID"),
        row(net, "TPSuspend", of(van, ""), "Authorization", ""),
        row(ops, "TPTerminate", format!("ECGridID={MISSING}"), "ObjectNotFound", "ECGridID"),
        row(net, "TPSetRoutingGroup", of(acme, "RoutingGroup=NetOpsOnly2"), "Authorization", ""),
        row(net, "TPSetOwner", of(acme, &format!("OwnerUserID={gone}")), "InvalidParameter", "OwnerUserID"),
        row(net, "TPSetMailboxDefault", of(nine, ""), "InvalidParameter", "ECGridID"),
        row(net, "TPGetMailboxDefault", "NetworkID=100|MailboxID=202", "ObjectNotFound", "ECGridID"),
    ]).await;
    w.same_denial(net, "TPInfo", "ECGridID", &van.to_string())
        .await;
}

#[tokio::test]
async fn deployed_partner_ids_are_searched_listed_and_paged() {
    let w = &World::new().await;
    let net = w.net.as_str();
    let mut ids = Vec::new();
    for (q, id, desc) in [
        ("ZZ", "ALPHA", "Zed"),
        ("ZZ", "BETA", "Alpha"),
        ("01", "GAMMA", "Mid"),
    ] {
        let spec = format!("Qualifier={q}|ID={id}|Description={desc}");
        ids.push(w.int(net, "TPAdd", &spec).await.to_string());
    }
    let far = w.partner(300, 400, "ZZ", "ALPHA2").await;
    let (alpha, beta, gamma) = (ids[0].clone(), ids[1].clone(), ids[2].clone());

    // Search: case-insensitive, without trailing spaces; an empty qualifier matches any.
    for spec in [
        "Qualifier=ZZ|ID=ALPHA",
        "Qualifier=zz|ID=alpha  ",
        "Qualifier=Zz|ID=Alpha ",
    ] {
        let hits = w
            .ok(net, "TPSearch", &format!("{spec}|ShowInactive=false"))
            .await;
        assert_eq!(
            (hits.column("ECGridID"), hits.column("ID")),
            (vec![alpha.clone()], vec!["ALPHA".into()]),
            "{spec}"
        );
    }
    let any = w
        .ok(net, "TPSearch", "Qualifier=|ID=gamma|ShowInactive=false")
        .await;
    assert_eq!(any.column("ECGridID"), [gamma.as_str()]);
    let spec = "NetworkID=300|MailboxID=0|Qualifier=ZZ|ID=alpha2|ShowInactive=false";
    let ex = w.ok(&w.ops, "TPSearchEx", spec).await;
    assert_eq!(ex.column("ECGridID"), [far.to_string()]);

    // Lists: active only unless ShowInactive.
    w.yes(net, "TPSuspend", &format!("ECGridID={beta}")).await;
    let sorted = |e: Elem| {
        let mut v = e.column("ECGridID");
        v.sort_by_key(|s| s.parse::<i32>().unwrap());
        v
    };
    assert_eq!(
        sorted(w.ok(net, "TPList", "ShowInactive=false").await),
        [alpha.as_str(), &gamma]
    );
    assert_eq!(
        sorted(w.ok(net, "TPList", "ShowInactive=true").await),
        [alpha.as_str(), &beta, &gamma]
    );
    let ex = w
        .ok(
            net,
            "TPListEx",
            "NetworkID=100|MailboxID=200|ShowInactive=true",
        )
        .await;
    assert_eq!(sorted(ex), [alpha.as_str(), &beta, &gamma]);
    let spec = "NetworkID=100|MailboxID=0|Description=MI|ShowInactive=true";
    assert_eq!(
        w.ok(net, "TPFindEx", spec).await.column("ECGridID"),
        [gamma.as_str()]
    );

    // Paging: PageSize, PageNumber, Count on this page, TotalRecords, TotalPages.
    let page = |size: &str, number: &str| {
        format!("NetworkID=100|MailboxID=200|ShowInactive=true|PageSize={size}|PageNumber={number}")
    };
    let fields = [
        "PageSize",
        "PageNumber",
        "Count",
        "TotalRecords",
        "TotalPages",
    ];
    for (number, count) in [("1", 2), ("2", 1), ("3", 0)] {
        let col = w.ok(net, "TPListExPaged", &page("2", number)).await;
        assert_eq!(
            col.names(),
            [&fields[..], &["ECGridIDInfoList"]].concat(),
            "in WSDL order"
        );
        assert_eq!(
            col.texts(&fields),
            ["2", number, &count.to_string(), "3", "2"],
            "page {number}"
        );
        assert_eq!(col.get("ECGridIDInfoList").children.len(), count);
    }
    let default = w.ok(net, "TPListExPaged", &page("0", "0")).await;
    assert_eq!(
        default.texts(&["PageSize", "PageNumber", "Count"]),
        ["100", "1", "3"]
    );

    let owner = w.netadmin.0;
    let by_owner = |order: &str, size: &str| {
        format!(
            "OwnerUserID={owner}|OrderBy={order}|ShowInactive=true|PageSize={size}|PageNumber=1"
        )
    };
    let listed = |e: &Elem, field| e.get("ECGridIDInfoList").column(field);
    let descs = w
        .ok(net, "TPListByOwner", &by_owner("Description", "10"))
        .await;
    assert_eq!(listed(&descs, "Description"), ["Alpha", "Mid", "Zed"]);
    let qids = w.ok(net, "TPListByOwner", &by_owner("QID", "10")).await;
    assert_eq!(listed(&qids, "ID"), ["GAMMA", "ALPHA", "BETA"]);
    assert_eq!(qids.text_of("TotalRecords"), "3");

    #[rustfmt::skip]
    w.all_refused(&[
        row(net, "TPSearch", "Qualifier=Z Z|ID=ALPHA|ShowInactive=false", "InvalidParameter", "Qualifier"),
        row(net, "TPSearch", "Qualifier=ZZ|ID=  |ShowInactive=false", "InvalidParameter", "ID"),
        row(net, "TPSearchEx", "NetworkID=300|MailboxID=0|Qualifier=ZZ|ID=ALPHA2|ShowInactive=true", "Authorization", ""),
        row(&w.general, "TPList", "ShowInactive=true", "Authorization", ""),
        row(net, "TPListEx", "NetworkID=300|MailboxID=400|ShowInactive=true", "Authorization", ""),
        row(net, "TPListExPaged", page("501", "1"), "InvalidParameter", "PageSize"),
        row(net, "TPListExPaged", page("10", "-1"), "InvalidParameter", "PageNumber"),
        row(net, "TPListByOwner", by_owner("QID", "600"), "InvalidParameter", "PageSize"),
        row(net, "TPListByOwner", by_owner("Name", "10"), "InvalidParameter", "OrderBy"),
        row(net, "TPFindEx", "NetworkID=0|MailboxID=400|Description=a|ShowInactive=true", "Authorization", ""),
    ]).await;
    w.same_denial(&w.mbx, "TPInfo", "ECGridID", &far.to_string())
        .await;
}
