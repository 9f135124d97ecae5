//! The directory in the documented dialect (`http://www.ecgridos.net/`, ecgrid-docs
//! soap-api/{users,networks,mailboxes,ids}; SPEC-VAN 13, 14, 19) over raw SOAP envelopes:
//! every operation once with an answer whose content is checked and once refused (bad input,
//! no authority or nothing there), lists paged, and the same refusal out of scope whether or
//! not the object exists.
//!
//! The world: `root` (Root, network 1); `netadmin`, NetworkAdmin of network 100 (mailbox
//! 200, and a sibling mailbox 201); network 300 with mailbox 400, its user `faruser` and a
//! trading-partner ID, out of `netadmin`'s scope.

use std::collections::BTreeMap;

use edigrid_domain::{AuthLevel, MailboxId, UserId};
use edigrid_testkit::{Fault, NS, SoapReply, TEST_PASSWORD, TestApp, spawn_app};

const MISSING: &str = "987654";

struct World {
    app: TestApp,
    root: String,
    admin: String,
    admin_id: UserId,
    far_user: UserId,
    far_ecgrid: i32,
}

async fn world() -> World {
    let app = spawn_app().await;
    let users = app
        .directory()
        .user("root", AuthLevel::Root, 1, 10)
        .user("netadmin", AuthLevel::NetworkAdmin, 100, 200)
        .mailbox(100, 201)
        .user("faruser", AuthLevel::MailboxAdmin, 300, 400)
        .build()
        .await;
    let root = app.login("root").await;
    let admin = app.login("netadmin").await;
    let far = app.login("faruser").await;
    let tp = ok(
        &app,
        "TPAdd",
        &[
            ("SessionID", &far),
            ("NetworkID", "300"),
            ("MailboxID", "400"),
            ("Qualifier", "ZZ"),
            ("ID", "FARAWAY"),
            ("Description", "out of scope"),
            ("RoutingGroup", "ProductionA"),
            ("EDIStandard", "X12"),
        ],
    )
    .await;
    let far_ecgrid = record(&tp, "TPAddResult")["ECGridID"].parse().unwrap();
    World {
        app,
        root,
        admin,
        admin_id: users.user("netadmin"),
        far_user: users.user("faruser"),
        far_ecgrid,
    }
}

impl World {
    /// `op` in session `sid`, which must succeed.
    async fn ok(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
        ok(&self.app, op, &with_session(sid, params)).await
    }

    /// `op` in session `sid`, which must fail.
    async fn fault(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> Fault {
        fault(&self.app, op, &with_session(sid, params)).await
    }

    /// `op` in session `sid`, which must succeed: its `{op}Result` record.
    async fn record(&self, sid: &str, op: &str, params: &[(&str, &str)]) -> Record {
        record(&self.ok(sid, op, params).await, &format!("{op}Result"))
    }
}

/// `params` after the `SessionID`.
fn with_session<'a>(sid: &'a str, params: &[(&'a str, &'a str)]) -> Params<'a> {
    let mut all = vec![("SessionID", sid)];
    all.extend_from_slice(params);
    all
}

/// A call that must succeed.
async fn ok(app: &TestApp, op: &str, params: &[(&str, &str)]) -> SoapReply {
    app.soap_ok_in(NS, op, params).await
}

/// A call that must fail.
async fn fault(app: &TestApp, op: &str, params: &[(&str, &str)]) -> Fault {
    let reply = app.soap(op, params).await;
    assert_eq!(reply.status, 500, "{op} {params:?}: {}", reply.body);
    reply.expect_fault()
}

/// The child elements of the first element called `name`, in order.
fn children(reply: &SoapReply, name: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse(&reply.body).unwrap();
    let node = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == name)
        .unwrap_or_else(|| panic!("no <{name}> in {}", reply.body));
    node.children()
        .filter(|n| n.is_element())
        .map(|n| {
            let text = n.text().unwrap_or("").to_string();
            (n.tag_name().name().to_string(), text)
        })
        .collect()
}

/// A record's fields by name.
type Record = BTreeMap<String, String>;

/// The record in the first element called `name`.
fn record(reply: &SoapReply, name: &str) -> Record {
    children(reply, name).into_iter().collect()
}

/// The records of an `ArrayOf...` result, each by field name.
fn records(reply: &SoapReply, result: &str) -> Vec<Record> {
    let doc = roxmltree::Document::parse(&reply.body).unwrap();
    let node = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == result)
        .unwrap_or_else(|| panic!("no <{result}> in {}", reply.body));
    node.children()
        .filter(|n| n.is_element())
        .map(|item| {
            item.children()
                .filter(|n| n.is_element())
                .map(|n| {
                    let text = n.text().unwrap_or("").to_string();
                    (n.tag_name().name().to_string(), text)
                })
                .collect()
        })
        .collect()
}

/// The texts of `fields` of a record, in that order.
fn texts<'a>(r: &'a Record, fields: &[&str]) -> Vec<&'a str> {
    fields.iter().map(|f| r[*f].as_str()).collect()
}

/// The `field` of every record of an `ArrayOf...` result, in order.
fn column(reply: &SoapReply, result: &str, field: &str) -> Vec<String> {
    let all = records(reply, result);
    all.iter().map(|r| r[field].clone()).collect()
}

/// The record leads with the fields the pages document, in their order.
fn leads_with(reply: &SoapReply, name: &str, documented: &[&str]) {
    let names: Vec<String> = children(reply, name).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        &names[..documented.len().min(names.len())],
        documented,
        "{name}: {}",
        reply.body
    );
}

/// Parameters of a call, as `app.soap` takes them.
type Params<'a> = Vec<(&'a str, &'a str)>;

/// Parameters fixed in a table.
type Filters<'a> = &'a [(&'a str, &'a str)];

/// A refusal to check: what it is, the operation, its parameters (the caller's SessionID
/// added), then the fault's category and `ErrorItem`.
type Refusal<'a> = (&'a str, &'a str, Params<'a>, &'a str, &'a str);

/// A refusal by a given caller: what it is, the operation, the SessionID, the other
/// parameters, the category and `ErrorItem`.
type RefusalBy<'a> = (&'a str, &'a str, &'a str, Params<'a>, &'a str, &'a str);

/// Every refusal of a table, in session `sid`.
async fn all_refused(app: &TestApp, sid: &str, cases: Vec<Refusal<'_>>) {
    let by = cases.into_iter();
    let by = by.map(|(what, op, params, category, item)| (what, op, sid, params, category, item));
    all_refused_by(app, by.collect()).await;
}

/// Every refusal of a table, each in its own session.
async fn all_refused_by(app: &TestApp, cases: Vec<RefusalBy<'_>>) {
    for (what, op, sid, params, category, item) in cases {
        let f = fault(app, op, &with_session(sid, &params)).await;
        assert_fault(&format!("{op}: {what}"), &f, category, item);
    }
}

fn assert_fault(what: &str, f: &Fault, category: &str, item: &str) {
    assert_eq!(
        (f.category.as_str(), f.item.as_str()),
        (category, item),
        "{what}: {f:?}"
    );
}

// ---- users ------------------------------------------------------------------------------

async fn add_user(w: &World, login: &str, level: &str) -> Record {
    let reply = w
        .ok(
            &w.admin,
            "UserAdd",
            &[
                ("NetworkID", "100"),
                ("MailboxID", "200"),
                ("Login", login),
                ("Password", TEST_PASSWORD),
                ("FirstName", "Jane"),
                ("LastName", "Doe"),
                ("Email", &format!("{login}@example.com")),
                ("AuthLevel", level),
            ],
        )
        .await;
    leads_with(
        &reply,
        "UserAddResult",
        &["UserID", "Login", "NetworkID", "MailboxID", "AuthLevel"],
    );
    record(&reply, "UserAddResult")
}

#[tokio::test]
async fn users_are_added_read_changed_and_listed() {
    let w = world().await;
    let app = &w.app;
    let u = add_user(&w, "jane", "MailboxUser").await;
    for (field, want) in [
        ("Login", "jane"),
        ("NetworkID", "100"),
        ("MailboxID", "200"),
        ("AuthLevel", "MailboxUser"),
        ("Status", "Active"),
        ("FirstName", "Jane"),
        ("LastName", "Doe"),
        ("Email", "jane@example.com"),
        ("EMail", "jane@example.com"),
    ] {
        assert_eq!(u[field], want, "UserAdd {field}: {u:?}");
    }
    assert!(u["Created"].ends_with('Z'), "{u:?}");
    let id = u["UserID"].clone();

    let info = w.ok(&w.admin, "UserInfo", &[("UserID", &id)]).await;
    assert_eq!(
        record(&info, "UserInfoResult"),
        u,
        "UserInfo is UserAdd's record"
    );
    let me = w.ok(&w.admin, "UserInfo", &[("UserID", "0")]).await;
    assert_eq!(
        me.expect_field("Login"),
        "netadmin",
        "UserID 0 is the caller"
    );
    let who = w.ok(&w.admin, "WhoAmI", &[]).await;
    leads_with(
        &who,
        "WhoAmIResult",
        &["UserID", "Login", "NetworkID", "MailboxID", "AuthLevel"],
    );
    assert_eq!(who.expect_field("Email"), "netadmin@example.com");

    // An absent element leaves its field as it is.
    let updated = w
        .record(
            &w.admin,
            "UserUpdate",
            &[
                ("UserID", &id),
                ("FirstName", "Janet"),
                ("Email", "janet@example.com"),
            ],
        )
        .await;
    assert_eq!(
        texts(&updated, &["FirstName", "LastName", "Email"]),
        ["Janet", "Doe", "janet@example.com"]
    );

    for (network, mailbox) in [("100", "200"), ("0", "0")] {
        let raised = w
            .ok(
                &w.admin,
                "UserSetAuthLevel",
                &[
                    ("UserID", &id),
                    ("NetworkID", network),
                    ("MailboxID", mailbox),
                    ("AuthLevel", "MailboxAdmin"),
                ],
            )
            .await;
        assert_eq!(raised.expect_field("AuthLevel"), "MailboxAdmin");
    }

    let listed = w
        .ok(
            &w.admin,
            "UserList",
            &[
                ("NetworkID", "100"),
                ("MailboxID", "200"),
                ("AuthLevel", "MailboxAdmin"),
                ("Status", "Active"),
            ],
        )
        .await;
    let logins = column(&listed, "UserListResult", "Login");
    assert_eq!(logins, ["jane"], "UserList filters by level and mailbox");
    let everyone = w.ok(&w.admin, "UserList", &[]).await;
    let logins = column(&everyone, "UserListResult", "Login");
    assert_eq!(
        logins,
        ["netadmin", "jane"],
        "no filter: the caller's network, by UserID"
    );

    // A new password works at once; a reset ends the user's sessions.
    let new_password = "Other#Pass2";
    let set = w
        .ok(
            &w.admin,
            "UserPassword",
            &[("UserID", &id), ("NewPassword", new_password)],
        )
        .await;
    assert_eq!(set.expect_field("UserPasswordResult"), "true");
    let login = ok(
        app,
        "Login",
        &[("UserName", "jane"), ("Password", new_password)],
    )
    .await;
    let jane = login.expect_field("LoginResult");
    let reset = w.ok(&w.admin, "UserReset", &[("UserID", &id)]).await;
    assert_eq!(reset.expect_field("UserResetResult"), "true");
    let gone = w.fault(&jane, "WhoAmI", &[]).await;
    assert!(gone.text.contains("SessionID"), "{gone:?}");

    for (op, status) in [
        ("UserSuspend", "Suspended"),
        ("UserTerminate", "Terminated"),
    ] {
        let done = w.ok(&w.admin, op, &[("UserID", &id)]).await;
        assert_eq!(done.expect_field(&format!("{op}Result")), "true");
        let info = w.ok(&w.admin, "UserInfo", &[("UserID", &id)]).await;
        assert_eq!(info.expect_field("Status"), status, "after {op}");
    }
    let refused = fault(
        app,
        "Login",
        &[("UserName", "jane"), ("Password", new_password)],
    )
    .await;
    assert_eq!(refused.category, "Authentication");
}

#[tokio::test]
async fn user_operations_refuse_bad_input_other_scopes_and_unknown_users() {
    let w = world().await;
    let app = &w.app;
    let jane = add_user(&w, "jane", "MailboxUser").await["UserID"].clone();
    let far = w.far_user.0.to_string();
    let me = w.admin_id.0.to_string();
    let user_add = |login: &'static str, password: &'static str, mailbox: &'static str, level| {
        vec![
            ("NetworkID", "100"),
            ("MailboxID", mailbox),
            ("Login", login),
            ("Password", password),
            ("Email", "x@example.com"),
            ("AuthLevel", level),
        ]
    };
    #[rustfmt::skip]
    let cases: Vec<Refusal> = vec![
        ("weak password", "UserAdd", user_add("weak", "password", "200", "MailboxUser"), "InvalidParameter", "Password"),
        ("NoChange is no level", "UserAdd", user_add("nochange", TEST_PASSWORD, "200", "NoChange"), "InvalidParameter", "AuthLevel"),
        ("not a level", "UserAdd", user_add("boss", TEST_PASSWORD, "200", "Boss"), "InvalidParameter", "AuthLevel"),
        ("login taken", "UserAdd", user_add("JANE", TEST_PASSWORD, "200", "MailboxUser"), "InvalidParameter", "Login"),
        ("above the caller's level", "UserAdd", user_add("high", TEST_PASSWORD, "200", "NetOps"), "Authorization", ""),
        ("mailbox of another network", "UserAdd", user_add("far", TEST_PASSWORD, "400", "MailboxUser"), "Authorization", ""),
        ("user of another network", "UserInfo", vec![("UserID", far.as_str())], "Authorization", ""),
        ("not an e-mail address", "UserUpdate", vec![("UserID", jane.as_str()), ("Email", "not-an-address")], "InvalidParameter", "Email"),
        ("not the user's mailbox", "UserSetAuthLevel", vec![("UserID", jane.as_str()), ("NetworkID", "100"), ("MailboxID", "201"), ("AuthLevel", "MailboxAdmin")], "InvalidParameter", "MailboxID"),
        ("weak new password", "UserPassword", vec![("UserID", jane.as_str()), ("NewPassword", "short")], "InvalidParameter", "NewPassword"),
        ("its own status", "UserSuspend", vec![("UserID", me.as_str())], "Authorization", ""),
        ("nonexistent user", "UserTerminate", vec![("UserID", MISSING)], "Authorization", ""),
        ("user of another network", "UserReset", vec![("UserID", far.as_str())], "Authorization", ""),
        ("list of another network", "UserList", vec![("NetworkID", "300")], "Authorization", ""),
    ];
    all_refused(app, &w.admin, cases).await;
    // Inside an operator's reach, a missing user is NotFound naming the parameter.
    let missing = w.fault(&w.root, "UserInfo", &[("UserID", MISSING)]).await;
    assert_fault(
        "UserInfo of a missing user by Root",
        &missing,
        "ObjectNotFound",
        "UserID",
    );
}

// ---- networks ---------------------------------------------------------------------------

#[tokio::test]
async fn networks_are_added_read_changed_listed_and_summarised() {
    let w = world().await;
    let added = w
        .ok(
            &w.root,
            "NetworkAdd",
            &[
                ("UniqueID", "NEWNET"),
                ("CompanyName", "New Network LLC"),
                ("Address1", "1 Main St"),
                ("Address2", ""),
                ("City", "Springfield"),
                ("State", "IL"),
                ("Zip", "62701"),
                ("Phone", "555-0100"),
                ("AdminEmail", "ops@newnet.example"),
            ],
        )
        .await;
    leads_with(
        &added,
        "NetworkAddResult",
        &[
            "NetworkID",
            "UniqueID",
            "CompanyName",
            "Status",
            "Created",
            "Modified",
        ],
    );
    let n = record(&added, "NetworkAddResult");
    assert_eq!(
        texts(
            &n,
            &["UniqueID", "CompanyName", "Status", "City", "AdminEmail"]
        ),
        [
            "NEWNET",
            "New Network LLC",
            "Active",
            "Springfield",
            "ops@newnet.example"
        ]
    );
    assert_eq!(n["Created"], n["Modified"]);
    let id = n["NetworkID"].clone();
    assert!(!["0", "1", "100", "300"].contains(&id.as_str()), "{id}");
    let info = w.ok(&w.root, "NetworkInfo", &[("NetworkID", &id)]).await;
    assert_eq!(record(&info, "NetworkInfoResult"), n);

    let u = w
        .record(
            &w.root,
            "NetworkUpdate",
            &[
                ("NetworkID", &id),
                ("CompanyName", "Renamed LLC"),
                ("City", "Chicago"),
            ],
        )
        .await;
    assert_eq!(
        texts(&u, &["CompanyName", "City", "Address1"]),
        ["Renamed LLC", "Chicago", "1 Main St"],
        "absent elements stay as they were"
    );
    let set = w
        .ok(
            &w.root,
            "NetworkSetStatus",
            &[("NetworkID", &id), ("Status", "Suspended")],
        )
        .await;
    assert_eq!(set.expect_field("NetworkSetStatusResult"), "true");
    let info = w.ok(&w.root, "NetworkInfo", &[("NetworkID", &id)]).await;
    assert_eq!(info.expect_field("Status"), "Suspended");

    // A NetworkAdmin lists only its own network; filters and paging as documented.
    let own = w
        .ok(
            &w.admin,
            "NetworkList",
            &[
                ("NetworkID", "0"),
                ("Status", "Active"),
                ("PageNo", "1"),
                ("RecordsPerPage", "10"),
            ],
        )
        .await;
    let ids = column(&own, "NetworkListResult", "NetworkID");
    assert_eq!(ids, ["100"]);
    let suspended = w
        .ok(&w.root, "NetworkList", &[("Status", "Suspended")])
        .await;
    let ids = column(&suspended, "NetworkListResult", "NetworkID");
    assert_eq!(ids, std::slice::from_ref(&id));

    // The summary counts what the caller may see in the network.
    w.ok(
        &w.admin,
        "MailboxAdd",
        &[
            ("NetworkID", "100"),
            ("UniqueID", "SUMMARY"),
            ("CompanyName", "Summary Co"),
        ],
    )
    .await;
    let summary = w
        .ok(&w.admin, "NetworkStatusSummary", &[("NetworkID", "0")])
        .await;
    let rows = records(&summary, "NetworkStatusSummaryResult");
    assert_eq!(rows.len(), 1, "{}", summary.body);
    let row = &rows[0];
    assert_eq!(
        texts(
            row,
            &[
                "NetworkID",
                "MailboxCount",
                "ActiveMailboxCount",
                "UserCount",
                "ECGridIDCount",
                "CompanyName"
            ]
        ),
        ["100", "3", "3", "1", "0", "Network 100"]
    );
}

#[tokio::test]
async fn network_operations_refuse_bad_input_other_scopes_and_communications() {
    let w = world().await;
    let app = &w.app;
    let add = |name: &'static str| {
        vec![
            ("UniqueID", "X"),
            ("CompanyName", name),
            ("AdminEmail", "a@example.com"),
        ]
    };
    #[rustfmt::skip]
    let cases: Vec<RefusalBy> = vec![
        ("by a NetworkAdmin", "NetworkAdd", w.admin.as_str(), add("Not Allowed"), "Authorization", ""),
        ("without a name", "NetworkAdd", w.root.as_str(), add(" "), "InvalidParameter", "CompanyName"),
        ("missing network, by Root", "NetworkInfo", w.root.as_str(), vec![("NetworkID", MISSING)], "ObjectNotFound", "NetworkID"),
        ("status by a NetworkAdmin", "NetworkSetStatus", w.admin.as_str(), vec![("NetworkID", "100"), ("Status", "Suspended")], "Authorization", ""),
        ("not a status", "NetworkSetStatus", w.root.as_str(), vec![("NetworkID", "100"), ("Status", "Paused")], "InvalidParameter", "Status"),
        ("another network", "NetworkUpdate", w.admin.as_str(), vec![("NetworkID", "300"), ("CompanyName", "Mine")], "Authorization", ""),
        ("another network", "NetworkStatusSummary", w.admin.as_str(), vec![("NetworkID", "300")], "Authorization", ""),
        ("another network", "NetworkList", w.admin.as_str(), vec![("NetworkID", "300")], "Authorization", ""),
    ];
    all_refused_by(app, cases).await;
    for op in ["NetworkGateway", "NetworkVPN"] {
        let f = w.fault(&w.root, op, &[("NetworkID", "100")]).await;
        assert!(
            f.text
                .contains(&format!("{op} is not supported by this server")),
            "{f:?}"
        );
    }
    // NetworkStatusSummary's rows are a type of their own, not a DataSet.
    let wsdl = app.wsdl().await;
    assert!(wsdl.contains(r#"<s:complexType name="ArrayOfNetworkStatusSummary">"#));
    assert!(
        !wsdl.contains("<s:any"),
        "no DataSet in the documented WSDL"
    );
}

// ---- mailboxes --------------------------------------------------------------------------

async fn add_mailbox(w: &World, unique: &str) -> Record {
    let reply = w
        .ok(
            &w.admin,
            "MailboxAdd",
            &[
                ("NetworkID", "100"),
                ("UniqueID", unique),
                ("CompanyName", &format!("{unique} Corp")),
                ("Address1", "789 Commerce Dr"),
                ("Address2", "Suite 400"),
                ("City", "Chicago"),
                ("State", "IL"),
                ("Zip", "60601"),
                ("Phone", "312-555-9000"),
                ("AdminEmail", "admin@example.com"),
            ],
        )
        .await;
    leads_with(
        &reply,
        "MailboxAddResult",
        &[
            "MailboxID",
            "NetworkID",
            "UniqueID",
            "CompanyName",
            "Status",
            "Created",
            "Modified",
        ],
    );
    record(&reply, "MailboxAddResult")
}

#[tokio::test]
async fn mailboxes_are_added_read_configured_and_listed() {
    let w = world().await;
    let app = &w.app;
    let m = add_mailbox(&w, "ACME").await;
    for (field, want) in [
        ("NetworkID", "100"),
        ("UniqueID", "ACME"),
        ("CompanyName", "ACME Corp"),
        ("Status", "Active"),
        ("Address2", "Suite 400"),
        ("Phone", "312-555-9000"),
    ] {
        assert_eq!(m[field], want, "MailboxAdd {field}: {m:?}");
    }
    let id = m["MailboxID"].clone();
    let sid = w.admin.as_str();
    let info = w.ok(sid, "MailboxInfo", &[("MailboxID", &id)]).await;
    assert_eq!(record(&info, "MailboxInfoResult"), m);

    // Each setting, and the record it answers with.
    // (operation, parameters, what the record then shows: None when it is what was sent)
    #[rustfmt::skip]
    let steps: Vec<(&str, Params, Option<Params>)> = vec![
        ("MailboxConfig", vec![("DeleteOnDownload", "true"), ("InBoxTimeout", "30"), ("Managed", "false"), ("NotifyEmail", "notify@example.com"), ("NotifyOnInBox", "true")],
            Some(vec![("DeleteOnDownload", "true"), ("InBoxTimeout", "30"), ("NotifyEmail", "notify@example.com"), ("NotifyOnInBox", "true")])),
        ("MailboxDeleteOnDownload", vec![("DeleteOnDownload", "false")], None),
        ("MailboxDescription", vec![("Description", "Our EDI inbox")], Some(vec![("Description", "Our EDI inbox"), ("CompanyName", "ACME Corp")])),
        ("MailboxInBoxTimeout", vec![("InBoxTimeout", "45")], None),
        ("MailboxInBoxTimeout", vec![("Minutes", "60")], Some(vec![("InBoxTimeout", "60")])),
        ("MailboxX12Delimiters", vec![("ElementDelimiter", "*"), ("SubElementDelimiter", ">"), ("SegmentTerminator", "~")], None),
        ("MailboxX12Delimiters", vec![("ElementDelimiter", "|"), ("SubElementDelimiter", ""), ("SegmentTerminator", "~")], None),
    ];
    let mut modified = m["Modified"].clone();
    for (op, params, want) in steps {
        let mut all = vec![("SessionID", sid), ("MailboxID", id.as_str())];
        all.extend(params.iter().copied());
        let reply = ok(app, op, &all).await;
        let got = record(&reply, &format!("{op}Result"));
        for (field, value) in want.as_ref().unwrap_or(&params) {
            assert_eq!(got[*field], *value, "{op} {params:?}: {field} in {got:?}");
        }
        assert!(got["Modified"] >= modified, "{op}: Modified went back");
        modified = got["Modified"].clone();
    }
    let stored = app
        .core
        .store()
        .mailbox(MailboxId(id.parse().unwrap()))
        .await
        .unwrap()
        .unwrap();
    let x12 = stored.config.x12;
    assert_eq!((x12.element, x12.sub_element, x12.segment), (b'|', 0, b'~'));

    let managed = w
        .ok(
            sid,
            "MailboxManaged",
            &[("MailboxID", &id), ("Managed", "true")],
        )
        .await;
    assert_eq!(managed.expect_field("MailboxManagedResult"), "true");
    let info = w.ok(sid, "MailboxInfo", &[("MailboxID", &id)]).await;
    assert_eq!(info.expect_field("Managed"), "true");

    let listed = w
        .ok(
            sid,
            "MailboxList",
            &[("NetworkID", "100"), ("Status", "Active")],
        )
        .await;
    let ids = column(&listed, "MailboxListResult", "MailboxID");
    assert_eq!(ids, ["200", "201", id.as_str()]);
}

#[tokio::test]
async fn mailbox_operations_refuse_bad_input_and_other_scopes() {
    let w = world().await;
    let app = &w.app;
    let id = add_mailbox(&w, "ACME").await["MailboxID"].clone();
    let m = id.as_str();
    let delimiters = |e: &'static str, s: &'static str, t: &'static str| {
        vec![
            ("MailboxID", m),
            ("ElementDelimiter", e),
            ("SubElementDelimiter", s),
            ("SegmentTerminator", t),
        ]
    };
    #[rustfmt::skip]
    let cases: Vec<Refusal> = vec![
        ("UniqueID taken in the network (other case)", "MailboxAdd", vec![("NetworkID", "100"), ("UniqueID", "acme"), ("CompanyName", "Again")], "InvalidParameter", "UniqueID"),
        ("no name", "MailboxAdd", vec![("NetworkID", "100"), ("UniqueID", "NONAME")], "InvalidParameter", "CompanyName"),
        ("another network", "MailboxAdd", vec![("NetworkID", "300"), ("UniqueID", "FAR"), ("CompanyName", "Far")], "Authorization", ""),
        ("two characters", "MailboxX12Delimiters", delimiters("**", ">", "~"), "InvalidParameter", "ElementDelimiter"),
        ("a letter", "MailboxX12Delimiters", delimiters("*", "A", "~"), "InvalidParameter", "SubElementDelimiter"),
        ("not ASCII", "MailboxX12Delimiters", delimiters("*", ">", "é"), "InvalidParameter", "SegmentTerminator"),
        ("twice the same", "MailboxX12Delimiters", delimiters("*", ">", "*"), "InvalidParameter", "SegmentTerminator"),
        ("negative timeout", "MailboxInBoxTimeout", vec![("MailboxID", m), ("InBoxTimeout", "-1")], "InvalidParameter", "InBoxTimeout"),
        ("not an e-mail address", "MailboxConfig", vec![("MailboxID", m), ("DeleteOnDownload", "false"), ("InBoxTimeout", "0"), ("Managed", "false"), ("NotifyEmail", "nobody"), ("NotifyOnInBox", "true")], "InvalidParameter", "NotifyEmail"),
        ("flags missing", "MailboxConfig", vec![("MailboxID", m)], "InvalidParameter", "DeleteOnDownload"),
        ("another network", "MailboxInfo", vec![("MailboxID", "400")], "Authorization", ""),
        ("another network", "MailboxManaged", vec![("MailboxID", "400"), ("Managed", "true")], "Authorization", ""),
        ("nonexistent mailbox", "MailboxDescription", vec![("MailboxID", MISSING), ("Description", "x")], "Authorization", ""),
        ("nonexistent mailbox", "MailboxDeleteOnDownload", vec![("MailboxID", MISSING), ("DeleteOnDownload", "true")], "Authorization", ""),
        ("another network", "MailboxList", vec![("NetworkID", "300")], "Authorization", ""),
    ];
    all_refused(app, &w.admin, cases).await;
    let long = w
        .fault(
            &w.admin,
            "MailboxX12Delimiters",
            &[("MailboxID", m), ("ElementDelimiter", "**")],
        )
        .await;
    assert_eq!(
        (long.error_code.as_str(), long.error_string.as_str()),
        ("8", "InvalidDataLength")
    );
}

// ---- trading-partner IDs ----------------------------------------------------------------

async fn tp_add(w: &World, mailbox: &str, qualifier: &str, id: &str, standard: &str) -> SoapReply {
    w.app
        .soap(
            "TPAdd",
            &[
                ("SessionID", &w.admin),
                ("NetworkID", "100"),
                ("MailboxID", mailbox),
                ("Qualifier", qualifier),
                ("ID", id),
                ("Description", "Partner"),
                ("RoutingGroup", "ProductionB"),
                ("EDIStandard", standard),
            ],
        )
        .await
}

const ECGRID_ID_FIELDS: [&str; 9] = [
    "ECGridID",
    "MailboxID",
    "NetworkID",
    "Qualifier",
    "ID",
    "Description",
    "Status",
    "RoutingGroup",
    "EDIStandard",
];

#[tokio::test]
async fn trading_partner_ids_are_added_read_searched_moved_and_listed() {
    let w = world().await;
    let sid = w.admin.as_str();
    let added = tp_add(&w, "200", "ZZ", "ACMECORP", "X12").await;
    leads_with(&added, "TPAddResult", &ECGRID_ID_FIELDS);
    let tp = record(&added, "TPAddResult");
    for (field, want) in [
        ("MailboxID", "200"),
        ("NetworkID", "100"),
        ("Qualifier", "ZZ"),
        ("ID", "ACMECORP"),
        ("Description", "Partner"),
        ("Status", "Active"),
        ("RoutingGroup", "ProductionB"),
        ("EDIStandard", "X12"),
        ("MailboxDefault", "true"),
        ("VAN", "false"),
    ] {
        assert_eq!(tp[field], want, "TPAdd {field}: {tp:?}");
    }
    let e = tp["ECGridID"].clone();
    for op in ["TPInfo", "ECGridIDInfo"] {
        let got = w.ok(sid, op, &[("ECGridID", &e)]).await;
        assert_eq!(record(&got, &format!("{op}Result")), tp, "{op}");
    }
    for (q, id) in [("ZZ", "ACMECORP"), ("zz", "acmecorp  "), ("", "AcmeCorp")] {
        let found = w.ok(sid, "TPSearch", &[("Qualifier", q), ("ID", id)]).await;
        assert_eq!(
            records(&found, "TPSearchResult"),
            std::slice::from_ref(&tp),
            "TPSearch({q:?}, {id:?})"
        );
    }

    let edifact = record(
        &tp_add(&w, "200", "14", "5012345678900123", "EDIFACT").await,
        "TPAddResult",
    );
    assert_eq!(
        edifact["EDIStandard"], "EDIFACT",
        "an ID longer than an ISA carries"
    );

    let van = w
        .record(
            sid,
            "TPAddVAN",
            &[
                ("ECGridID", &e),
                ("VANQualifier", "01"),
                ("VANID", "123456789"),
            ],
        )
        .await;
    assert_ne!(van["ECGridID"], e, "a registration of its own");
    assert_eq!(
        texts(
            &van,
            &["MailboxID", "Qualifier", "ID", "VAN", "Description"]
        ),
        ["200", "01", "123456789", "true", "Partner"]
    );

    let moved = w
        .record(sid, "TPMove", &[("ECGridID", &e), ("NewMailboxID", "201")])
        .await;
    assert_eq!(
        texts(&moved, &["MailboxID", "MailboxDefault"]),
        ["201", "false"]
    );

    let listed = w
        .ok(
            sid,
            "TPList",
            &[
                ("NetworkID", "100"),
                ("MailboxID", "200"),
                ("Status", "Active"),
            ],
        )
        .await;
    let ids = column(&listed, "TPListResult", "ECGridID");
    assert_eq!(ids, [edifact["ECGridID"].clone(), van["ECGridID"].clone()]);
}

#[tokio::test]
async fn trading_partner_operations_refuse_bad_input_taken_pairs_and_other_scopes() {
    let w = world().await;
    let app = &w.app;
    let tp = record(
        &tp_add(&w, "200", "ZZ", "ACMECORP", "X12").await,
        "TPAddResult",
    );
    let e = tp["ECGridID"].as_str();
    let far = w.far_ecgrid.to_string();
    let add = |mailbox: &'static str, q: &'static str, id: &'static str, standard: &'static str| {
        vec![
            ("NetworkID", "100"),
            ("MailboxID", mailbox),
            ("Qualifier", q),
            ("ID", id),
            ("RoutingGroup", "ProductionA"),
            ("EDIStandard", standard),
        ]
    };
    #[rustfmt::skip]
    let cases: Vec<Refusal> = vec![
        ("a taken pair (other case, trailing spaces)", "TPAdd", add("201", "zz", "acmecorp  ", "X12"), "InvalidParameter", "ID"),
        ("an X12 qualifier of 3", "TPAdd", add("200", "ZZZ", "LONGQUAL", "X12"), "InvalidParameter", "Qualifier"),
        ("an X12 ID of 16", "TPAdd", add("200", "ZZ", "ABCDEFGHIJKLMNOP", "X12"), "InvalidParameter", "ID"),
        ("a standard edigrid does not route", "TPAdd", add("200", "ZZ", "PDFPARTNER", "PDF"), "InvalidParameter", "EDIStandard"),
        ("a mailbox of another network", "TPAdd", add("400", "ZZ", "FARPARTNER", "X12"), "Authorization", ""),
        ("an ID of another network", "TPInfo", vec![("ECGridID", far.as_str())], "Authorization", ""),
        ("to a mailbox of another network", "TPMove", vec![("ECGridID", e), ("NewMailboxID", "400")], "Authorization", ""),
        ("a taken VAN pair", "TPAddVAN", vec![("ECGridID", e), ("VANQualifier", "ZZ"), ("VANID", "FARAWAY")], "InvalidParameter", "VANID"),
        ("a qualifier of 5", "TPSearch", vec![("Qualifier", "ZZZZZ"), ("ID", "X")], "InvalidParameter", "Qualifier"),
        ("IDs of another network", "TPList", vec![("NetworkID", "300")], "Authorization", ""),
    ];
    all_refused(app, &w.admin, cases).await;
    let taken = fault(app, "TPAdd", &{
        let mut all = vec![("SessionID", w.admin.as_str())];
        all.extend(add("201", "ZZ", "ACMECORP", "X12"));
        all
    })
    .await;
    assert!(
        taken.text.contains("ZZ:ACMECORP"),
        "names the pair: {taken:?}"
    );
    // Outside the caller's reach the search finds nothing, rather than telling.
    let hidden = w
        .ok(
            &w.admin,
            "TPSearch",
            &[("Qualifier", "ZZ"), ("ID", "FARAWAY")],
        )
        .await;
    assert!(
        records(&hidden, "TPSearchResult").is_empty(),
        "{}",
        hidden.body
    );
}

// ---- lists and scope --------------------------------------------------------------------

#[tokio::test]
async fn lists_page_and_refuse_pages_over_500() {
    let w = world().await;
    let app = &w.app;
    add_user(&w, "jane", "MailboxUser").await;
    add_mailbox(&w, "PAGED").await;
    tp_add(&w, "200", "ZZ", "PAGEONE", "X12").await;
    tp_add(&w, "200", "ZZ", "PAGETWO", "X12").await;
    // (operation, extra filters, the ID field, every record in order as the root sees it)
    let lists: [(&str, Filters, &str); 4] = [
        ("UserList", &[("NetworkID", "100")], "UserID"),
        ("NetworkList", &[], "NetworkID"),
        ("MailboxList", &[("NetworkID", "100")], "MailboxID"),
        ("TPList", &[("MailboxID", "200")], "ECGridID"),
    ];
    for (op, filters, id_field) in lists {
        let result = format!("{op}Result");
        let call = |page: &'static str, size: &'static str| {
            let mut all = vec![("SessionID", w.root.as_str())];
            all.extend(filters.iter().copied());
            all.extend([("PageNo", page), ("RecordsPerPage", size)]);
            all
        };
        let whole = ok(app, op, &call("1", "500")).await;
        let all = column(&whole, &result, id_field);
        assert!(all.len() >= 2, "{op}: {all:?}");
        let default = ok(app, op, &call("0", "0")).await;
        assert_eq!(
            records(&default, &result).len(),
            all.len(),
            "{op}: 0 is the first page of 100"
        );
        let second = ok(app, op, &call("2", "1")).await;
        let second = column(&second, &result, id_field);
        assert_eq!(second, [all[1].clone()], "{op}: page 2 of 1 per page");
        let past = ok(app, op, &call("99", "10")).await;
        assert!(records(&past, &result).is_empty(), "{op}: past the end");
        let f = fault(app, op, &call("1", "501")).await;
        assert_fault(
            &format!("{op} 501 per page"),
            &f,
            "InvalidParameter",
            "RecordsPerPage",
        );
        assert!(f.text.contains("RecordsPerPage"), "{f:?}");
        let f = fault(app, op, &call("-1", "10")).await;
        assert_fault(&format!("{op} page -1"), &f, "InvalidParameter", "PageNo");
    }
}

#[tokio::test]
async fn out_of_scope_and_nonexistent_objects_get_the_same_refusal() {
    let w = world().await;
    let app = &w.app;
    let far_user = w.far_user.0.to_string();
    let far_tp = w.far_ecgrid.to_string();
    // (operation, the parameter naming the object, one out of scope, other parameters)
    let cases: [(&str, &str, &str, Filters); 10] = [
        ("NetworkInfo", "NetworkID", "300", &[]),
        (
            "NetworkUpdate",
            "NetworkID",
            "300",
            &[("CompanyName", "Mine")],
        ),
        ("MailboxInfo", "MailboxID", "400", &[]),
        (
            "MailboxDescription",
            "MailboxID",
            "400",
            &[("Description", "Mine")],
        ),
        ("MailboxList", "NetworkID", "300", &[]),
        ("UserInfo", "UserID", &far_user, &[]),
        ("UserSuspend", "UserID", &far_user, &[]),
        ("TPInfo", "ECGridID", &far_tp, &[]),
        ("TPMove", "ECGridID", &far_tp, &[("NewMailboxID", "200")]),
        (
            "TPAddVAN",
            "ECGridID",
            &far_tp,
            &[("VANQualifier", "01"), ("VANID", "1")],
        ),
    ];
    for (op, param, far, extra) in cases {
        let mut answers = Vec::new();
        for id in [far, MISSING] {
            let mut all = vec![("SessionID", w.admin.as_str()), (param, id)];
            all.extend(extra.iter().copied());
            let f = fault(app, op, &all).await;
            assert_eq!(
                (f.category.as_str(), f.error_code.as_str()),
                ("Authorization", "2"),
                "{op} {param}={id}: {f:?}"
            );
            assert!(!f.text.contains(id), "{op}: the refusal names {id}: {f:?}");
            answers.push(f);
        }
        assert_eq!(
            answers[0], answers[1],
            "{op}: out of scope vs nonexistent {param}"
        );
    }
}
