//! The directory commands of the `edigrid` binary (SPEC-VAN 22): `network`, `mailbox`,
//! `user` and `id` `list|show|add|terminate` against a fresh SQLite file, their `--json`
//! output read as JSON, their one-line failures, and what `serve --demo` registers.
//!
//! The tables of refused commands are kept one line per case.

use std::path::Path;

use serde_json::{Value, json};

use crate::admin_cli::user_add_in;
use crate::cli::{add_user, directory, edigrid, fails_with, ok, serve_demo};
use crate::support::json::pick;

fn run(db: &Path, args: &[&str]) -> String {
    ok(edigrid(db, args, None))
}

fn json(db: &Path, args: &[&str]) -> Value {
    let out = run(db, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {out}"))
}

/// A `--json` list: an array of objects.
fn json_list(db: &Path, args: &[&str]) -> Vec<Value> {
    match json(db, args) {
        Value::Array(items) => {
            assert!(items.iter().all(Value::is_object), "{items:?}");
            items
        }
        other => panic!("{args:?}: not an array: {other}"),
    }
}

/// Each command fails with one line mentioning its needle.
fn all_fail(db: &Path, cases: &[(&[&str], &str)]) {
    for (args, needle) in cases {
        fails_with(edigrid(db, args, None), needle);
    }
}

/// The value on the `name` line of a `show` (names and values separated by spaces; an
/// empty value leaves the name alone on its line).
fn field<'a>(shown: &'a str, name: &str) -> &'a str {
    shown
        .lines()
        .find_map(|l| {
            let (key, value) = l.split_once(' ').unwrap_or((l, ""));
            (key == name).then(|| value.trim())
        })
        .unwrap_or_else(|| panic!("no {name} line in:\n{shown}"))
}

/// A `show` has these `values`, and a line for each of `names` (whatever its value).
fn assert_shown(shown: &str, values: &[(&str, &str)], names: &[&str]) {
    for (name, want) in values {
        assert_eq!(field(shown, name), *want, "{name} in:\n{shown}");
    }
    for name in names {
        field(shown, name);
    }
}

/// `KIND terminate ID` names `what` and says it is terminated, `KIND show ID --json` then
/// says Terminated, and terminating again fails: terminated is final.
fn assert_terminates(db: &Path, kind: &str, id: &str, what: &str) {
    let ended = run(db, &[kind, "terminate", id]);
    assert!(
        ended.contains(what) && ended.contains("terminated"),
        "{ended}"
    );
    assert_eq!(
        json(db, &[kind, "show", id, "--json"])["status"],
        "Terminated"
    );
    fails_with(
        edigrid(db, &[kind, "terminate", id], None),
        "terminated is final",
    );
}

fn fresh(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(name);
    (dir, db)
}

/// Network 100 with mailboxes 200 ("M") and 201 ("B").
fn two_mailboxes(db: &Path) {
    directory(db);
    run(db, &MAILBOX_201);
}

const MAILBOX_201: [&str; 8] = [
    "mailbox",
    "add",
    "--network",
    "100",
    "--id",
    "201",
    "--name",
    "B",
];

/// `id add` of `qualifier:id` in `mailbox`.
fn id_add<'a>(mailbox: &'a str, qualifier: &'a str, id: &'a str) -> [&'a str; 8] {
    [
        "id",
        "add",
        "--mailbox",
        mailbox,
        "--qualifier",
        qualifier,
        "--id",
        id,
    ]
}

#[test]
fn network_commands_list_show_add_and_terminate() {
    let (_dir, db) = fresh("networks.db");
    let added = run(
        &db,
        &["network", "add", "--id", "100", "--name", "Acme Net"],
    );
    assert_eq!(added, "100\n", "add prints only the NetworkID");
    run(&db, &["network", "add", "--id", "101", "--name", "Other"]);

    let table = run(&db, &["network", "list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].contains("NETWORKID") && lines[0].contains("NAME"));
    assert!(lines[1].contains("100") && lines[1].contains("Acme Net"));
    assert!(lines[1].contains("Active"), "{table}");
    assert_eq!(
        lines[1].find("Active"),
        lines[2].find("Active"),
        "columns line up:\n{table}"
    );

    let list = json_list(&db, &["network", "list", "--json"]);
    assert_eq!(list.len(), 2);
    assert_eq!(
        pick(&list[0], &["networkId", "name", "status"]),
        json!([100, "Acme Net", "Active"])
    );
    assert_eq!(list[1]["networkId"], 101);

    let shown = run(&db, &["network", "show", "100"]);
    assert_shown(
        &shown,
        &[
            ("networkId", "100"),
            ("name", "Acme Net"),
            ("status", "Active"),
        ],
        &["address.city", "contacts.owner", "created"],
    );
    let one = json(&db, &["network", "show", "100", "--json"]);
    assert_eq!(one["networkId"], 100);
    assert!(
        one["address"].is_object() && one["x12"].is_object(),
        "{one}"
    );

    assert_terminates(&db, "network", "101", "101");
    #[rustfmt::skip]
    all_fail(&db, &[
        (&["network", "show", "999"], "NetworkID 999 not found"),
        (&["network", "show", "abc"], "invalid value"),
        (&["network", "terminate", "999"], "NetworkID 999 not found"),
        (&["network", "add", "--id", "100", "--name", "Again"], "NetworkID"),
    ]);
    assert_eq!(json_list(&db, &["network", "list", "--json"]).len(), 2);
}

#[test]
fn mailbox_commands_list_show_add_and_terminate() {
    let (_dir, db) = fresh("mailboxes.db");
    directory(&db);
    run(&db, &["network", "add", "--id", "101", "--name", "Other"]);
    let assigned = run(
        &db,
        &["mailbox", "add", "--network", "101", "--name", "Auto Box"],
    );
    let assigned: i64 = assigned.trim().parse().unwrap();
    assert!(assigned > 0 && assigned != 200, "{assigned}");
    let given = run(
        &db,
        &[
            "mailbox",
            "add",
            "--network",
            "100",
            "--id",
            "300",
            "--name",
            "Given",
        ],
    );
    assert_eq!(given, "300\n");

    let table = run(&db, &["mailbox", "list"]);
    assert_eq!(table.lines().count(), 4, "header and three: {table}");
    assert!(table.starts_with("MAILBOXID"), "{table}");
    assert!(table.contains("Auto Box"), "{table}");

    let of_101 = json_list(&db, &["mailbox", "list", "--network", "101", "--json"]);
    assert_eq!(of_101.len(), 1, "{of_101:?}");
    assert_eq!(
        pick(&of_101[0], &["mailboxId", "networkId", "name"]),
        json!([assigned, 101, "Auto Box"])
    );
    let of_100 = json_list(&db, &["mailbox", "list", "--network", "100", "--json"]);
    let ids: Vec<&Value> = of_100.iter().map(|m| &m["mailboxId"]).collect();
    assert_eq!(ids, [200, 300]);

    let shown = run(&db, &["mailbox", "show", "200"]);
    assert_shown(
        &shown,
        &[("mailboxId", "200"), ("networkId", "100"), ("name", "M")],
        &["config.inboxTimeoutMinutes"],
    );
    let one = json(&db, &["mailbox", "show", "200", "--json"]);
    assert_eq!(one["status"], "Active");
    assert!(one["config"]["deleteOnDownload"].is_boolean(), "{one}");

    assert_terminates(&db, "mailbox", "300", "300");
    #[rustfmt::skip]
    all_fail(&db, &[
        (&["mailbox", "show", "999"], "MailboxID 999 not found"),
        (&["mailbox", "terminate", "999"], "MailboxID 999 not found"),
        (&["mailbox", "list", "--network", "999"], "NetworkID 999 not found"),
        (&["mailbox", "add", "--network", "999", "--name", "Nowhere"], "NetworkID"),
        (&["mailbox", "add", "--network", "100", "--id", "200", "--name", "Twice"], "MailboxID"),
        (&["mailbox", "add", "--network", "100"], "--name"),
    ]);
    assert_eq!(json_list(&db, &["mailbox", "list", "--json"]).len(), 3);
}

#[test]
fn user_commands_list_show_and_terminate() {
    let (_dir, db) = fresh("users.db");
    two_mailboxes(&db);
    ok(add_user(&db, "carol"));
    ok(add_user(&db, "dave"));
    let erin = [
        &user_add_in("erin", "201", "MailboxAdmin")[..],
        &["--first-name", "Erin"],
    ]
    .concat();
    ok(edigrid(&db, &erin, Some("Good#Pass1\n")));

    let table = run(&db, &["user", "list", "--mailbox", "201"]);
    assert_eq!(table.lines().count(), 2, "{table}");
    assert!(table.contains("erin") && table.contains("MailboxAdmin"));
    let all = json_list(&db, &["user", "list", "--network", "100", "--json"]);
    let logins: Vec<&Value> = all.iter().map(|u| &u["login"]).collect();
    assert_eq!(logins, ["carol", "dave", "erin"]);
    assert_eq!(
        pick(&all[2], &["mailboxId", "authLevel", "firstName"]),
        json!([201, "MailboxAdmin", "Erin"])
    );
    let text = serde_json::to_string(&all).unwrap();
    assert!(
        !text.to_lowercase().contains("hash") && !text.contains("$argon2"),
        "no secret is shown: {text}"
    );
    let of_200 = json_list(&db, &["user", "list", "--mailbox", "200", "--json"]);
    assert_eq!(of_200.len(), 2);

    let shown = run(&db, &["user", "show", "ERIN"]);
    assert_shown(
        &shown,
        &[
            ("login", "erin"),
            ("authLevel", "MailboxAdmin"),
            ("lastLogin", "-"),
        ],
        &[],
    );
    assert!(!shown.contains("$argon2"), "{shown}");
    let one = json(&db, &["user", "show", "carol", "--json"]);
    assert_eq!(one["status"], "Active");
    assert!(one["lastLogin"].is_null());
    assert!(one["userId"].as_i64().unwrap() > 0);

    assert_terminates(&db, "user", "carol", "carol");
    assert!(run(&db, &["user", "list"]).contains("Terminated"));
    #[rustfmt::skip]
    all_fail(&db, &[
        (&["user", "show", "nobody"], "nobody not found"),
        (&["user", "terminate", "nobody"], "nobody not found"),
        (&["user", "list", "--mailbox", "999"], "MailboxID 999 not found"),
        (&["user", "list", "--network", "999"], "NetworkID 999 not found"),
        (&["user", "list", "--network", "999", "--mailbox", "200"], "MailboxID"),
    ]);
}

#[test]
fn id_commands_list_show_add_and_terminate() {
    let (_dir, db) = fresh("ids.db");
    two_mailboxes(&db);
    let acme = [
        &id_add("200", "ZZ", "ACME")[..],
        &["--description", "Acme Corp"],
    ]
    .concat();
    let acme: i64 = run(&db, &acme).trim().parse().unwrap();
    assert!(acme > 0);
    let other: i64 = run(&db, &id_add("201", "01", "123456789"))
        .trim()
        .parse()
        .unwrap();
    assert_ne!(acme, other);
    let (acme_text, other_text) = (acme.to_string(), other.to_string());

    let table = run(&db, &["id", "list"]);
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(table.starts_with("ECGRIDID"), "{table}");
    assert!(
        table.contains("ZZ:ACME") && table.contains("Acme Corp"),
        "{table}"
    );

    let of_200 = json_list(&db, &["id", "list", "--mailbox", "200", "--json"]);
    assert_eq!(of_200.len(), 1);
    #[rustfmt::skip]
    let keys = ["ecGridId", "networkId", "mailboxId", "qualifier", "id", "description", "status", "isDefault"];
    assert_eq!(
        pick(&of_200[0], &keys),
        json!([acme, 100, 200, "ZZ", "ACME", "Acme Corp", "Active", true])
    );
    assert_eq!(
        json_list(&db, &["id", "list", "--network", "100", "--json"]).len(),
        2
    );

    let shown = run(&db, &["id", "show", &acme_text]);
    assert_shown(
        &shown,
        &[
            ("ecGridId", &acme_text),
            ("qualifier", "ZZ"),
            ("id", "ACME"),
            ("routingGroup", "ProductionA"),
        ],
        &[],
    );
    let one = json(&db, &["id", "show", &other_text, "--json"]);
    assert_eq!(pick(&one, &["qualifier", "mailboxId"]), json!(["01", 201]));

    // A taken pair is refused, however it is spelt, naming the holder.
    #[rustfmt::skip]
    all_fail(&db, &[
        (&id_add("201", "zz", "acme"), "already registered"),
        (&id_add("777", "ZZ", "X"), "MailboxID 777 not found"),
        (&id_add("200", "TOOLONG", "X"), "Qualifier"),
        (&["id", "add", "--mailbox", "200", "--qualifier", "ZZ"], "--id"),
        (&["id", "show", "999"], "ECGridID 999 not found"),
        (&["id", "show", "x"], "invalid value"),
        (&["id", "list", "--mailbox", "777"], "MailboxID 777 not found"),
    ]);

    assert_terminates(&db, "id", &acme_text, "ZZ:ACME");
    all_fail(
        &db,
        &[(&["id", "terminate", "999"], "ECGridID 999 not found")],
    );
    // The terminated registration is kept and its pair is free again.
    run(&db, &id_add("201", "ZZ", "ACME"));
    assert_eq!(json_list(&db, &["id", "list", "--json"]).len(), 3);
    // A terminated mailbox's IDs end with it, and it takes no new ones.
    run(&db, &["mailbox", "terminate", "201"]);
    let of_201 = json_list(&db, &["id", "list", "--mailbox", "201", "--json"]);
    assert!(
        of_201.iter().all(|p| p["status"] == "Terminated"),
        "{of_201:?}"
    );
    all_fail(&db, &[(&id_add("201", "ZZ", "NEW"), "terminated")]);
}

#[test]
fn serve_demo_prints_the_demo_mailbox_and_its_registered_ecgridid() {
    let (_dir, db) = fresh("demo.db");
    let (mut child, _, lines) = serve_demo(&db, 6);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(lines[2], "login: demo", "{lines:?}");
    assert!(lines[3].starts_with("password: "), "{lines:?}");
    assert_eq!(lines[4], "mailbox: 200", "{lines:?}");
    let (ecgrid_id, pair) = lines[5]
        .strip_prefix("ecgridid: ")
        .and_then(|rest| rest.split_once(' '))
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(pair, "ZZ:EDIGRIDDEMO");
    let ecgrid_id: i64 = ecgrid_id.parse().unwrap();

    let held = json_list(&db, &["id", "list", "--mailbox", "200", "--json"]);
    assert_eq!(held.len(), 1, "{held:?}");
    #[rustfmt::skip]
    let keys = ["ecGridId", "networkId", "qualifier", "id", "description", "status"];
    assert_eq!(
        pick(&held[0], &keys),
        json!([
            ecgrid_id,
            100,
            "ZZ",
            "EDIGRIDDEMO",
            "Demo mailbox",
            "Active"
        ])
    );
    let users = json_list(&db, &["user", "list", "--json"]);
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["login"], "demo");

    // Again on the same file: nothing new is made or printed.
    let (mut again, _, lines) = serve_demo(&db, 2);
    assert!(lines[1].starts_with("REST: "), "{lines:?}");
    again.kill().unwrap();
    again.wait().unwrap();
    // The demo's ID and its simulated partner's (SPEC-VAN 21), each made once.
    assert_eq!(json_list(&db, &["id", "list", "--json"]).len(), 2);
}
