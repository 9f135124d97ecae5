//! The directory commands of the `edigrid` binary (SPEC-VAN 22): `network`, `mailbox`,
//! `user` and `id` `list|show|add|terminate` against a fresh SQLite file, their `--json`
//! output read as JSON, their one-line failures, and what `serve --demo` registers.

use std::path::Path;

use serde_json::Value;

use crate::cli::{add_user, directory, edigrid, fails_with, ok, serve_demo};

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

fn fails(db: &Path, args: &[&str], needle: &str) {
    fails_with(edigrid(db, args, None), needle);
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

fn fresh(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(name);
    (dir, db)
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
    assert_eq!(list[0]["networkId"], 100);
    assert_eq!(list[0]["name"], "Acme Net");
    assert_eq!(list[0]["status"], "Active");
    assert_eq!(list[1]["networkId"], 101);

    let shown = run(&db, &["network", "show", "100"]);
    assert_eq!(field(&shown, "networkId"), "100");
    assert_eq!(field(&shown, "name"), "Acme Net");
    assert_eq!(field(&shown, "status"), "Active");
    field(&shown, "address.city");
    field(&shown, "contacts.owner");
    field(&shown, "created");
    let one = json(&db, &["network", "show", "100", "--json"]);
    assert_eq!(one["networkId"], 100);
    assert!(
        one["address"].is_object() && one["x12"].is_object(),
        "{one}"
    );

    let ended = run(&db, &["network", "terminate", "101"]);
    assert!(
        ended.contains("101") && ended.contains("terminated"),
        "{ended}"
    );
    assert_eq!(
        json(&db, &["network", "show", "101", "--json"])["status"],
        "Terminated"
    );

    fails(&db, &["network", "show", "999"], "NetworkID 999 not found");
    fails(&db, &["network", "show", "abc"], "invalid value");
    fails(
        &db,
        &["network", "terminate", "999"],
        "NetworkID 999 not found",
    );
    fails(&db, &["network", "terminate", "101"], "terminated is final");
    fails(
        &db,
        &["network", "add", "--id", "100", "--name", "Again"],
        "NetworkID",
    );
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
    assert_eq!(of_101[0]["mailboxId"], assigned);
    assert_eq!(of_101[0]["networkId"], 101);
    assert_eq!(of_101[0]["name"], "Auto Box");
    let of_100 = json_list(&db, &["mailbox", "list", "--network", "100", "--json"]);
    let ids: Vec<&Value> = of_100.iter().map(|m| &m["mailboxId"]).collect();
    assert_eq!(ids, [200, 300]);

    let shown = run(&db, &["mailbox", "show", "200"]);
    assert_eq!(field(&shown, "mailboxId"), "200");
    assert_eq!(field(&shown, "networkId"), "100");
    assert_eq!(field(&shown, "name"), "M");
    field(&shown, "config.inboxTimeoutMinutes");
    let one = json(&db, &["mailbox", "show", "200", "--json"]);
    assert_eq!(one["status"], "Active");
    assert!(one["config"]["deleteOnDownload"].is_boolean(), "{one}");

    let ended = run(&db, &["mailbox", "terminate", "300"]);
    assert!(
        ended.contains("300") && ended.contains("terminated"),
        "{ended}"
    );
    assert_eq!(
        json(&db, &["mailbox", "show", "300", "--json"])["status"],
        "Terminated"
    );

    fails(&db, &["mailbox", "show", "999"], "MailboxID 999 not found");
    fails(&db, &["mailbox", "terminate", "300"], "terminated is final");
    fails(
        &db,
        &["mailbox", "terminate", "999"],
        "MailboxID 999 not found",
    );
    fails(
        &db,
        &["mailbox", "list", "--network", "999"],
        "NetworkID 999 not found",
    );
    fails(
        &db,
        &["mailbox", "add", "--network", "999", "--name", "Nowhere"],
        "NetworkID",
    );
    fails(
        &db,
        &[
            "mailbox",
            "add",
            "--network",
            "100",
            "--id",
            "200",
            "--name",
            "Twice",
        ],
        "MailboxID",
    );
    fails(&db, &["mailbox", "add", "--network", "100"], "--name");
    assert_eq!(json_list(&db, &["mailbox", "list", "--json"]).len(), 3);
}

#[test]
fn user_commands_list_show_and_terminate() {
    let (_dir, db) = fresh("users.db");
    directory(&db);
    run(
        &db,
        &[
            "mailbox",
            "add",
            "--network",
            "100",
            "--id",
            "201",
            "--name",
            "B",
        ],
    );
    ok(add_user(&db, "carol"));
    ok(add_user(&db, "dave"));
    ok(edigrid(
        &db,
        &[
            "user",
            "add",
            "--login",
            "erin",
            "--network",
            "100",
            "--mailbox",
            "201",
            "--auth-level",
            "MailboxAdmin",
            "--password-stdin",
            "--first-name",
            "Erin",
        ],
        Some("Good#Pass1\n"),
    ));

    let table = run(&db, &["user", "list", "--mailbox", "201"]);
    assert_eq!(table.lines().count(), 2, "{table}");
    assert!(table.contains("erin") && table.contains("MailboxAdmin"));
    let all = json_list(&db, &["user", "list", "--network", "100", "--json"]);
    let logins: Vec<&Value> = all.iter().map(|u| &u["login"]).collect();
    assert_eq!(logins, ["carol", "dave", "erin"]);
    assert_eq!(all[2]["mailboxId"], 201);
    assert_eq!(all[2]["authLevel"], "MailboxAdmin");
    assert_eq!(all[2]["firstName"], "Erin");
    let text = serde_json::to_string(&all).unwrap();
    assert!(
        !text.to_lowercase().contains("hash") && !text.contains("$argon2"),
        "no secret is shown: {text}"
    );
    let of_200 = json_list(&db, &["user", "list", "--mailbox", "200", "--json"]);
    assert_eq!(of_200.len(), 2);

    let shown = run(&db, &["user", "show", "ERIN"]);
    assert_eq!(field(&shown, "login"), "erin");
    assert_eq!(field(&shown, "authLevel"), "MailboxAdmin");
    assert_eq!(field(&shown, "lastLogin"), "-");
    assert!(!shown.contains("$argon2"), "{shown}");
    let one = json(&db, &["user", "show", "carol", "--json"]);
    assert_eq!(one["status"], "Active");
    assert!(one["lastLogin"].is_null());
    assert!(one["userId"].as_i64().unwrap() > 0);

    let ended = run(&db, &["user", "terminate", "carol"]);
    assert!(ended.contains("carol") && ended.contains("terminated"));
    assert_eq!(
        json(&db, &["user", "show", "carol", "--json"])["status"],
        "Terminated"
    );
    assert!(run(&db, &["user", "list"]).contains("Terminated"));

    fails(&db, &["user", "show", "nobody"], "nobody not found");
    fails(&db, &["user", "terminate", "nobody"], "nobody not found");
    fails(&db, &["user", "terminate", "carol"], "terminated is final");
    fails(
        &db,
        &["user", "list", "--mailbox", "999"],
        "MailboxID 999 not found",
    );
    fails(
        &db,
        &["user", "list", "--network", "999"],
        "NetworkID 999 not found",
    );
    fails(
        &db,
        &["user", "list", "--network", "999", "--mailbox", "200"],
        "MailboxID",
    );
}

#[test]
fn id_commands_list_show_add_and_terminate() {
    let (_dir, db) = fresh("ids.db");
    directory(&db);
    run(
        &db,
        &[
            "mailbox",
            "add",
            "--network",
            "100",
            "--id",
            "201",
            "--name",
            "B",
        ],
    );
    let acme = run(
        &db,
        &[
            "id",
            "add",
            "--mailbox",
            "200",
            "--qualifier",
            "ZZ",
            "--id",
            "ACME",
            "--description",
            "Acme Corp",
        ],
    );
    let acme: i64 = acme.trim().parse().unwrap();
    assert!(acme > 0);
    let other: i64 = run(
        &db,
        &[
            "id",
            "add",
            "--mailbox",
            "201",
            "--qualifier",
            "01",
            "--id",
            "123456789",
        ],
    )
    .trim()
    .parse()
    .unwrap();
    assert_ne!(acme, other);

    let table = run(&db, &["id", "list"]);
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(table.starts_with("ECGRIDID"), "{table}");
    assert!(
        table.contains("ZZ:ACME") && table.contains("Acme Corp"),
        "{table}"
    );

    let of_200 = json_list(&db, &["id", "list", "--mailbox", "200", "--json"]);
    assert_eq!(of_200.len(), 1);
    let p = &of_200[0];
    assert_eq!(p["ecGridId"], acme);
    assert_eq!(p["networkId"], 100);
    assert_eq!(p["mailboxId"], 200);
    assert_eq!(p["qualifier"], "ZZ");
    assert_eq!(p["id"], "ACME");
    assert_eq!(p["description"], "Acme Corp");
    assert_eq!(p["status"], "Active");
    assert_eq!(p["isDefault"], true);
    assert_eq!(
        json_list(&db, &["id", "list", "--network", "100", "--json"]).len(),
        2
    );

    let shown = run(&db, &["id", "show", &acme.to_string()]);
    assert_eq!(field(&shown, "ecGridId"), acme.to_string());
    assert_eq!(field(&shown, "qualifier"), "ZZ");
    assert_eq!(field(&shown, "id"), "ACME");
    assert_eq!(field(&shown, "routingGroup"), "ProductionA");
    let one = json(&db, &["id", "show", &other.to_string(), "--json"]);
    assert_eq!(one["qualifier"], "01");
    assert_eq!(one["mailboxId"], 201);

    // A taken pair is refused, however it is spelt, naming the holder.
    fails(
        &db,
        &[
            "id",
            "add",
            "--mailbox",
            "201",
            "--qualifier",
            "zz",
            "--id",
            "acme",
        ],
        "already registered",
    );
    fails(
        &db,
        &[
            "id",
            "add",
            "--mailbox",
            "777",
            "--qualifier",
            "ZZ",
            "--id",
            "X",
        ],
        "MailboxID 777 not found",
    );
    fails(
        &db,
        &[
            "id",
            "add",
            "--mailbox",
            "200",
            "--qualifier",
            "TOOLONG",
            "--id",
            "X",
        ],
        "Qualifier",
    );
    fails(
        &db,
        &["id", "add", "--mailbox", "200", "--qualifier", "ZZ"],
        "--id",
    );
    fails(&db, &["id", "show", "999"], "ECGridID 999 not found");
    fails(&db, &["id", "show", "x"], "invalid value");
    fails(
        &db,
        &["id", "list", "--mailbox", "777"],
        "MailboxID 777 not found",
    );

    let ended = run(&db, &["id", "terminate", &acme.to_string()]);
    assert!(
        ended.contains("ZZ:ACME") && ended.contains("terminated"),
        "{ended}"
    );
    assert_eq!(
        json(&db, &["id", "show", &acme.to_string(), "--json"])["status"],
        "Terminated"
    );
    fails(
        &db,
        &["id", "terminate", &acme.to_string()],
        "terminated is final",
    );
    fails(&db, &["id", "terminate", "999"], "ECGridID 999 not found");
    // The terminated registration is kept and its pair is free again.
    run(
        &db,
        &[
            "id",
            "add",
            "--mailbox",
            "201",
            "--qualifier",
            "ZZ",
            "--id",
            "ACME",
        ],
    );
    assert_eq!(json_list(&db, &["id", "list", "--json"]).len(), 3);
    // A terminated mailbox's IDs end with it, and it takes no new ones.
    run(&db, &["mailbox", "terminate", "201"]);
    let of_201 = json_list(&db, &["id", "list", "--mailbox", "201", "--json"]);
    assert!(
        of_201.iter().all(|p| p["status"] == "Terminated"),
        "{of_201:?}"
    );
    fails(
        &db,
        &[
            "id",
            "add",
            "--mailbox",
            "201",
            "--qualifier",
            "ZZ",
            "--id",
            "NEW",
        ],
        "terminated",
    );
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
    assert_eq!(held[0]["ecGridId"], ecgrid_id);
    assert_eq!(held[0]["networkId"], 100);
    assert_eq!(held[0]["qualifier"], "ZZ");
    assert_eq!(held[0]["id"], "EDIGRIDDEMO");
    assert_eq!(held[0]["description"], "Demo mailbox");
    assert_eq!(held[0]["status"], "Active");
    let users = json_list(&db, &["user", "list", "--json"]);
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["login"], "demo");

    // Again on the same file: nothing new is made or printed.
    let (mut again, _, lines) = serve_demo(&db, 2);
    assert!(lines[1].starts_with("REST: "), "{lines:?}");
    again.kill().unwrap();
    again.wait().unwrap();
    assert_eq!(json_list(&db, &["id", "list", "--json"]).len(), 1);
}
