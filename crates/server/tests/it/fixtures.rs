//! Acceptance 5 of issue 15: `edigrid fixture load` (SPEC-VAN 21) through the real binary.
//! A load makes what the file describes (passwords from the environment or made up and
//! printed once, simulated partners marked); a second load changes nothing, checked by a dump
//! of the whole directory (every `list --json`) before and after; a broken fixture exits
//! non-zero with one line naming the line of the mistake, and the dump is unchanged.

use std::path::Path;
use std::process::{Command, Output};

use edigrid_core::{ClientInfo, LoginRequest, Protocol, SenderInfo, SystemClock};
use serde_json::{Value, json};

use crate::admin_cli::BIN;
use crate::cli::{fails_with, ok, stderr};

const FIXTURE: &str = r#"# A network with two mailboxes, a user in each, an ID in each; one ID simulated.
[[networks]]
id = 700
name = "Fixture Network"

[[mailboxes]]
id = 701
network = 700
name = "Buyer"

[[mailboxes]]
id = 702
network = 700
name = "Seller"

[[users]]
login = "buyer"
mailbox = 701
auth_level = "MailboxAdmin"
password_env = "H3_FIXTURE_BUYER_PASSWORD"
first_name = "Bea"
email = "bea@example.com"

[[users]]
login = "seller"
mailbox = 702
auth_level = "MailboxUser"

[[ids]]
qualifier = "ZZ"
id = "FIXBUYER"
mailbox = 701
description = "the buyer"

[[ids]]
qualifier = "ZZ"
id = "FIXSELLER"
mailbox = 702
description = "the seller, simulated"
simulated = true
"#;

const BUYER_PASSWORD: &str = "Buyer#Pass1";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Where a test's directory lives: a SQLite file in its own folder, or a fresh PostgreSQL
/// schema; the folder also holds the test's fixture files.
struct Db {
    url: String,
    dir: tempfile::TempDir,
}

impl Db {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("edigrid.db").display());
        Db { url, dir }
    }

    /// `None` (and a note) when `EDIGRID_TEST_DATABASE_URL` is not set.
    async fn postgres() -> Option<Self> {
        let Some(url) = edigrid_testkit::fresh_postgres_url().await else {
            eprintln!("EDIGRID_TEST_DATABASE_URL is not set: PostgreSQL variant not run");
            return None;
        };
        Some(Db {
            url,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    /// `edigrid --database URL ARGS`, with the buyer's password in its environment.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg("--database")
            .arg(&self.url)
            .args(args)
            .env_remove("EDIGRID_DATABASE")
            .env("H3_FIXTURE_BUYER_PASSWORD", BUYER_PASSWORD)
            .output()
            .unwrap()
    }

    /// `edigrid fixture load FILE [--json]`.
    fn load(&self, file: &str, json: bool) -> Output {
        let mut args = vec!["fixture", "load", file];
        if json {
            args.push("--json");
        }
        self.run(&args)
    }

    fn file(&self, name: &str, text: &str) -> String {
        write(self.dir.path(), name, text)
    }

    /// The whole directory as the CLI lists it for scripts.
    fn dump(&self) -> Value {
        let list = |kind: &str| -> Value {
            serde_json::from_str(&ok(self.run(&[kind, "list", "--json"]))).unwrap()
        };
        json!({
            "networks": list("network"),
            "mailboxes": list("mailbox"),
            "users": list("user"),
            "ids": list("id"),
        })
    }

    /// Something that was there before: network 100, mailbox 200 with ZZ:TAKEN.
    fn seeded(self) -> Self {
        ok(self.run(crate::admin_cli::NETWORK_ADD));
        ok(self.run(crate::admin_cli::MAILBOX_ADD));
        #[rustfmt::skip]
        ok(self.run(&["id", "add", "--mailbox", "200", "--qualifier", "ZZ", "--id", "TAKEN"]));
        self
    }
}

async fn logs_in(db: &Db, login: &str, password: &str) -> bool {
    let settings = edigrid_server::Settings {
        database: db.url.clone(),
        ..edigrid_server::Settings::default()
    };
    let core = edigrid_server::build_core(&settings, std::sync::Arc::new(SystemClock))
        .await
        .unwrap();
    let request = LoginRequest {
        login: login.into(),
        password: password.into(),
        sender: SenderInfo::default(),
    };
    let client = ClientInfo {
        address: "127.0.0.1".parse().unwrap(),
        protocol: Protocol::Rest,
    };
    core.login(request, client).await.is_ok()
}

#[tokio::test]
async fn a_fixture_loads_once_and_a_second_load_changes_nothing() {
    loads_once(Db::sqlite().seeded()).await;
}

#[tokio::test]
async fn a_fixture_loads_once_and_a_second_load_changes_nothing_on_postgres() {
    if let Some(db) = Db::postgres().await {
        loads_once(db.seeded()).await;
    }
}

async fn loads_once(db: Db) {
    let file = db.file("fixture.toml", FIXTURE);
    let before = db.dump();

    let first: Value = serde_json::from_str(&ok(db.load(&file, true))).unwrap();
    let created = first["created"].as_array().unwrap();
    let kinds: Vec<&str> = created
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["network", "mailbox", "mailbox", "id", "id", "user", "user"],
        "{first}"
    );
    assert_eq!(first["unchanged"], 0);
    let users: Vec<&Value> = created.iter().filter(|c| c["kind"] == "user").collect();
    assert_eq!(users[0]["login"], "buyer");
    assert_eq!(
        users[0]["generatedPassword"],
        Value::Null,
        "from the environment"
    );
    let generated = users[1]["generatedPassword"].as_str().unwrap().to_string();
    edigrid_domain::check_password_policy(&generated, "password").unwrap();
    assert!(logs_in(&db, "buyer", BUYER_PASSWORD).await);
    assert!(logs_in(&db, "seller", &generated).await);

    let loaded = db.dump();
    assert_ne!(loaded, before);
    let ids = loaded["ids"].as_array().unwrap();
    let of = |id: &str| ids.iter().find(|p| p["id"] == id).unwrap().clone();
    assert_eq!(
        (
            of("FIXBUYER")["mailboxId"].clone(),
            of("FIXBUYER")["simulated"].clone()
        ),
        (json!(701), json!(false))
    );
    assert_eq!(
        (
            of("FIXSELLER")["mailboxId"].clone(),
            of("FIXSELLER")["simulated"].clone()
        ),
        (json!(702), json!(true))
    );
    let buyer = loaded["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "buyer")
        .unwrap();
    assert_eq!(
        (
            &buyer["authLevel"],
            &buyer["firstName"],
            &buyer["email"],
            &buyer["networkId"]
        ),
        (
            &json!("MailboxAdmin"),
            &json!("Bea"),
            &json!("bea@example.com"),
            &json!(700)
        )
    );

    // Again: nothing is written, no password is printed, the dump is the same.
    let again = ok(db.load(&file, false));
    assert_eq!(again.trim(), "0 created, 7 unchanged", "{again}");
    assert_eq!(db.dump(), loaded);
}

#[test]
fn an_existing_id_is_marked_simulated_and_left_alone_after() {
    let db = Db::sqlite().seeded();
    let file = db.file(
        "mark.toml",
        "[[ids]]\nqualifier = \"zz\"\nid = \"taken\"\nmailbox = 200\nsimulated = true\n",
    );
    let first = ok(db.load(&file, false));
    assert!(first.contains("ZZ:TAKEN simulated"), "{first}");
    assert!(first.ends_with("1 created, 0 unchanged\n"), "{first}");
    let marked = db.dump();
    assert_eq!(marked["ids"][0]["simulated"], true);
    assert_eq!(ok(db.load(&file, false)).trim(), "0 created, 1 unchanged");
    assert_eq!(db.dump(), marked);
}

/// Each broken fixture below describes new objects before its mistake: none of them may
/// be written.
#[test]
fn a_broken_fixture_names_the_line_and_changes_nothing() {
    breaks_nothing(Db::sqlite().seeded());
}

#[tokio::test]
async fn a_broken_fixture_names_the_line_and_changes_nothing_on_postgres() {
    if let Some(db) = Db::postgres().await {
        tokio::task::spawn_blocking(move || breaks_nothing(db.seeded()))
            .await
            .unwrap();
    }
}

fn breaks_nothing(db: Db) {
    let before = db.dump();
    let start = "[[networks]]\nid = 800\nname = \"New\"\n\n[[mailboxes]]\nid = 801\nnetwork = 800\nname = \"New box\"\n\n";
    let cases: [(&str, String, &str); 8] = [
        (
            "bad syntax",
            format!("{start}[[ids]\nqualifier = \"ZZ\"\n"),
            "line 10:",
        ),
        (
            "a reference to an unknown mailbox",
            format!(
                "{start}[[users]]\nlogin = \"nobox\"\nmailbox = 999\nauth_level = \"General\"\n"
            ),
            "line 12: mailbox 999 is neither in this file nor in the directory",
        ),
        (
            "an ID twice in the file",
            format!(
                "{start}[[ids]]\nqualifier = \"ZZ\"\nid = \"TWICE\"\nmailbox = 801\n\n[[ids]]\nqualifier = \"ZZ\"\nid = \"twice\"\nmailbox = 801\n"
            ),
            "line 15: ZZ:twice is already described on line 10",
        ),
        (
            "an ID another mailbox holds",
            format!("{start}[[ids]]\nqualifier = \"ZZ\"\nid = \"TAKEN\"\nmailbox = 801\n"),
            "line 10: ZZ:TAKEN is taken",
        ),
        (
            "an existing network under another name",
            format!("{start}[[networks]]\nid = 100\nname = \"Renamed\"\n"),
            "line 10: network 100 exists with the name",
        ),
        (
            "an unknown field",
            format!(
                "{start}[[users]]\nlogin = \"x\"\nmailbox = 801\nauth_level = \"General\"\npasword_env = \"X\"\n"
            ),
            "line 14: unknown field `pasword_env`",
        ),
        (
            "a password variable that is not set",
            format!(
                "{start}[[users]]\nlogin = \"x\"\nmailbox = 801\nauth_level = \"General\"\npassword_env = \"H3_FIXTURE_NEVER_SET\"\n"
            ),
            "line 14: environment variable H3_FIXTURE_NEVER_SET is not set",
        ),
        (
            "a bad qualifier",
            format!("{start}[[ids]]\nqualifier = \"Z Z\"\nid = \"A\"\nmailbox = 801\n"),
            "line 10:",
        ),
    ];
    for (what, text, needle) in cases {
        let file = db.file("broken.toml", &text);
        let out = db.load(&file, false);
        assert!(!out.status.success(), "{what}: loaded");
        assert!(
            stderr(&out).contains("broken.toml, "),
            "{what}: {}",
            stderr(&out)
        );
        fails_with(out, needle);
        assert_eq!(db.dump(), before, "{what}: the directory changed");
    }
    let absent = db.dir.path().join("absent.toml");
    fails_with(db.load(&absent.display().to_string(), false), "cannot read");
}
