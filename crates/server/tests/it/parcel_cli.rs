//! The parcel commands of the `edigrid` binary (SPEC-VAN 22): a file sent as a mailbox
//! reaches the receiving mailbox's inbox, `show` gives its record, interchanges and
//! manifest, `download` writes exactly the bytes sent; and each failure is one line and a
//! non-zero exit. On SQLite, and on PostgreSQL when `EDIGRID_TEST_DATABASE_URL` is set.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::admin_cli::BIN;
use crate::cli::{fails_with, stderr};

/// `edigrid --database URL ARGS`.
fn edigrid(url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--database")
        .arg(url)
        .args(args)
        .env_remove("EDIGRID_DATABASE")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Standard output of a command that must succeed.
#[track_caller]
fn run(url: &str, args: &[&str]) -> String {
    let out = edigrid(url, args);
    assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[track_caller]
fn json(url: &str, args: &[&str]) -> Value {
    let out = run(url, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {out}"))
}

/// The parcel IDs of a `--json` list.
#[track_caller]
fn listed(url: &str, args: &[&str]) -> Vec<i64> {
    let Value::Array(items) = json(url, args) else {
        panic!("{args:?} printed no array");
    };
    items
        .iter()
        .map(|p| p["parcelId"].as_i64().unwrap())
        .collect()
}

/// A valid X12 interchange with one 850, from ZZ:`from` to ZZ:`to`.
fn x12(from: &str, to: &str, control: u32) -> String {
    format!(
        "ISA*00*          *00*          *ZZ*{from:<15}*ZZ*{to:<15}*261201*1200*U*00401*{control:09}*0*P*>~\
         GS*PO*{from}*{to}*20261201*1200*{control}*X*004010~ST*850*0001~BEG*00*SA*PO{control}**20261201~\
         SE*3*0001~GE*1*{control}~IEA*1*{control:09}~"
    )
}

/// The databases the commands are run against: a SQLite file in `dir`, and a fresh
/// PostgreSQL schema when one is configured.
async fn databases(dir: &Path) -> Vec<String> {
    let mut urls = vec![format!("sqlite://{}", dir.join("cli.db").display())];
    urls.extend(edigrid_testkit::fresh_postgres_url().await);
    urls
}

/// Network 100 with mailboxes 200 (ZZ:SENDER) and 201 (ZZ:RECEIVER); their ECGridIDs.
fn directory(url: &str) -> (String, String) {
    run(url, &["network", "add", "--id", "100", "--name", "Net"]);
    for (id, name) in [("200", "Sender box"), ("201", "Receiver box")] {
        run(
            url,
            &[
                "mailbox",
                "add",
                "--network",
                "100",
                "--id",
                id,
                "--name",
                name,
            ],
        );
    }
    let add = |mailbox: &str, id: &str| {
        let out = run(
            url,
            &[
                "id",
                "add",
                "--mailbox",
                mailbox,
                "--qualifier",
                "ZZ",
                "--id",
                id,
            ],
        );
        out.trim().to_string()
    };
    (add("200", "SENDER"), add("201", "RECEIVER"))
}

#[tokio::test]
async fn a_file_sent_as_a_mailbox_is_listed_shown_and_downloaded_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path()).await {
        let url = url.as_str();
        let (sender, receiver) = directory(url);
        let file = dir.path().join("order.edi");
        let sent = x12("SENDER", "RECEIVER", 1);
        std::fs::write(&file, &sent).unwrap();
        let file = file.to_str().unwrap();

        let outbound: i64 = run(url, &["parcel", "send", "--from-mailbox", "200", file])
            .trim()
            .parse()
            .expect("send prints the ParcelID alone");

        // The receiver's inbox holds one ready parcel with what was sent.
        let Value::Array(inbox) = json(url, &["parcel", "inbox", "--mailbox", "201", "--json"])
        else {
            panic!("inbox --json is not an array");
        };
        assert_eq!(inbox.len(), 1, "{inbox:?}");
        let inbound = inbox[0]["parcelId"].as_i64().unwrap();
        assert_ne!(inbound, outbound);
        assert_eq!(
            crate::support::json::pick(
                &inbox[0],
                &[
                    "state",
                    "direction",
                    "mailboxId",
                    "ecGridIdFrom",
                    "ecGridIdTo",
                    "bytes",
                    "fileName",
                    "sourceParcelId"
                ]
            ),
            serde_json::json!([
                "InBoxReady",
                "InBox",
                201,
                sender.parse::<i64>().unwrap(),
                receiver.parse::<i64>().unwrap(),
                sent.len(),
                "order.edi",
                outbound
            ])
        );
        let table = run(url, &["parcel", "inbox", "--mailbox", "201"]);
        assert!(table.starts_with("PARCELID"), "{table}");
        assert!(
            table
                .lines()
                .nth(1)
                .is_some_and(|l| l.trim_start().starts_with(&inbound.to_string())),
            "{table}"
        );
        // The sender's outbox has the upload; its inbox and the receiver's archive nothing.
        assert_eq!(
            listed(
                url,
                &["parcel", "inbox", "--mailbox", "200", "--outbox", "--json"]
            ),
            [outbound]
        );
        assert!(listed(url, &["parcel", "inbox", "--mailbox", "200", "--json"]).is_empty());
        assert!(
            listed(
                url,
                &["parcel", "inbox", "--mailbox", "201", "--archive", "--json"]
            )
            .is_empty()
        );

        // show: the record, its interchange and its manifest.
        let shown = json(url, &["parcel", "show", &outbound.to_string(), "--json"]);
        assert_eq!(shown["parcel"]["state"], "outboxSent", "{shown}");
        let interchanges = shown["interchanges"].as_array().unwrap();
        assert_eq!(interchanges.len(), 1, "{shown}");
        assert_eq!(
            crate::support::json::pick(
                &interchanges[0],
                &[
                    "status",
                    "inboundParcelId",
                    "controlNumber",
                    "sender",
                    "receiver"
                ]
            ),
            serde_json::json!([
                "Delivered",
                inbound,
                "000000001",
                "ZZ:SENDER",
                "ZZ:RECEIVER"
            ])
        );
        assert!(!shown["manifest"].as_array().unwrap().is_empty(), "{shown}");
        let text = run(url, &["parcel", "show", &inbound.to_string()]);
        for needle in [
            "parcelId",
            "InBoxReady",
            "interchanges:",
            "manifest:",
            "Delivered",
        ] {
            assert!(text.contains(needle), "{needle} missing in:\n{text}");
        }

        // download --no-update changes nothing; download moves the parcel out of the inbox.
        let peek = dir.path().join("peek.edi");
        let said = run(
            url,
            &[
                "parcel",
                "download",
                &inbound.to_string(),
                "-o",
                peek.to_str().unwrap(),
                "--no-update",
            ],
        );
        assert!(said.contains(&inbound.to_string()), "{said}");
        assert_eq!(std::fs::read(&peek).unwrap(), sent.as_bytes());
        assert_eq!(
            listed(url, &["parcel", "inbox", "--mailbox", "201", "--json"]),
            [inbound]
        );
        // A file that cannot be written is found out before the parcel is moved.
        let nowhere = dir.path().join("no-such-dir").join("got.edi");
        fails_with(
            edigrid(
                url,
                &[
                    "parcel",
                    "download",
                    &inbound.to_string(),
                    "-o",
                    nowhere.to_str().unwrap(),
                ],
            ),
            "writing",
        );
        assert_eq!(
            listed(url, &["parcel", "inbox", "--mailbox", "201", "--json"]),
            [inbound]
        );
        let got = dir.path().join("got.edi");
        run(
            url,
            &[
                "parcel",
                "download",
                &inbound.to_string(),
                "-o",
                got.to_str().unwrap(),
            ],
        );
        assert_eq!(std::fs::read(&got).unwrap(), sent.as_bytes());
        let to_stdout = edigrid(
            url,
            &["parcel", "download", &inbound.to_string(), "-o", "-"],
        );
        assert!(to_stdout.status.success(), "{}", stderr(&to_stdout));
        assert_eq!(to_stdout.stdout, sent.as_bytes());
        assert!(listed(url, &["parcel", "inbox", "--mailbox", "201", "--json"]).is_empty());
        assert_eq!(
            json(url, &["parcel", "show", &inbound.to_string(), "--json"])["parcel"]["state"],
            "InBoxTransferred"
        );

        // A document without envelope goes between the two IDs named.
        let note = dir.path().join("note.txt");
        std::fs::write(&note, "not EDI, routed by the IDs given").unwrap();
        let sent_note = json(
            url,
            &[
                "parcel",
                "send",
                "--from-mailbox",
                "200",
                note.to_str().unwrap(),
                "--from-id",
                &sender,
                "--to",
                &receiver,
                "--json",
            ],
        );
        let delivered = sent_note["inbound"].as_array().unwrap();
        assert_eq!(delivered.len(), 1, "{sent_note}");
        assert_eq!(
            listed(url, &["parcel", "inbox", "--mailbox", "201", "--json"]),
            [delivered[0].as_i64().unwrap()]
        );
    }
}

#[tokio::test]
async fn parcel_commands_fail_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path()).await {
        let url = url.as_str();
        directory(url);
        let file = dir.path().join("order.edi");
        std::fs::write(&file, x12("SENDER", "RECEIVER", 7)).unwrap();
        let empty = dir.path().join("empty.edi");
        std::fs::write(&empty, "").unwrap();
        let missing = dir.path().join("missing.edi");
        let (file, empty, missing) = (
            file.to_str().unwrap(),
            empty.to_str().unwrap(),
            missing.to_str().unwrap(),
        );
        let out = dir.path().join("out.edi");
        let out = out.to_str().unwrap();
        #[rustfmt::skip]
        let cases: &[(&[&str], &str)] = &[
            (&["parcel", "send", "--from-mailbox", "999", file], "MailboxID 999 not found"),
            (&["parcel", "send", "--from-mailbox", "200", missing], "missing.edi"),
            (&["parcel", "send", "--from-mailbox", "200", empty], "empty.edi is empty"),
            (&["parcel", "inbox", "--mailbox", "999"], "MailboxID 999 not found"),
            (&["parcel", "inbox", "--mailbox", "999", "--json"], "MailboxID 999 not found"),
            (&["parcel", "show", "999999"], "999999 not found"),
            (&["parcel", "download", "999999", "-o", out], "999999 not found"),
            (&["parcel", "send", "--from-mailbox", "200", file, "--to", "1"], "--from-id"),
            (&["parcel", "inbox", "--mailbox", "200", "--outbox", "--archive"], "--archive"),
        ];
        for (args, needle) in cases {
            fails_with(edigrid(url, args), needle);
        }
        // Nothing was stored by the refused sends, and no file written by the download.
        assert!(listed(url, &["parcel", "inbox", "--mailbox", "201", "--json"]).is_empty());
        assert!(
            listed(
                url,
                &["parcel", "inbox", "--mailbox", "200", "--outbox", "--json"]
            )
            .is_empty()
        );
        assert!(!Path::new(out).exists());
        assert!(!dir.path().join(".out.edi.partial").exists());
    }
}
