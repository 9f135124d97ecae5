//! Issue 13, acceptance item 3: X12 files written by node-x12 and EDIFACT files written by
//! pydifact (independent generators, `tests/clients/{node/x12_corpus.mjs,
//! python/edifact_corpus.py}`), with every delimiter variant they offer, several
//! interchanges per file and mixed X12+EDIFACT files, are uploaded over REST, routed to each
//! receiver's mailbox and downloaded byte-identical (SPEC-VAN 15, 16, 18). Where the
//! receiving mailbox sets X12 delimiters, the delivered X12 is rewritten to them and
//! node-x12 still reads the same segments from it.
//!
//! Also the fixtures the other parcel suites share: a small network with a sender, three
//! receivers and an operator, each with an API key and its trading-partner IDs, and the REST
//! calls the suites make.

use std::collections::BTreeMap;
use std::path::Path;

use edigrid_domain::AuthLevel;
use edigrid_testkit::{TestApp, fresh_postgres_url};
use serde_json::{Value, json};

use crate::rest_auth::{Reply, send};
use crate::support::python::{python, repo_root};

/// The X12 sender ID of the sending mailbox, and its EDIFACT one.
pub(crate) const X12_SENDER: &str = "ZZ:NXSEND01";
pub(crate) const EDIFACT_SENDER: &str = "14:PYDSEND01";
/// Receivers: A (network 100), B and C (network 300, C with X12 delimiters of its own).
pub(crate) const RECEIVER_A: &str = "ZZ:RECVA";
pub(crate) const RECEIVER_B: &str = "ZZ:RECVB";
pub(crate) const RECEIVER_C: &str = "ZZ:RECVC";

/// One mailbox as a REST client sees it: its server, API key and numbers.
#[derive(Clone)]
pub(crate) struct Mbx {
    pub base: String,
    pub key: String,
    pub mailbox: i32,
    pub http: reqwest::Client,
}

impl Mbx {
    pub(crate) async fn post(&self, path: &str, body: &Value) -> Reply {
        let request = self.http.post(format!("{}{path}", self.base)).json(body);
        send(request.header("X-API-Key", &self.key)).await
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        let request = self.http.get(format!("{}{path}", self.base));
        send(request.header("X-API-Key", &self.key)).await
    }

    /// `POST /v2/parcels/upload` with the content in base64 and its size declared.
    pub(crate) async fn upload(&self, file_name: &str, content: &[u8]) -> Reply {
        let body =
            json!({"fileName": file_name, "content": base64(content), "bytes": content.len()});
        self.post("/v2/parcels/upload", &body).await
    }

    /// The same upload as `multipart/form-data`: the bytes as they are, in a `file` part.
    pub(crate) async fn upload_multipart(&self, file_name: &str, content: &[u8]) -> Reply {
        let boundary = "edigrid-corpus-7f3a9c1e5b";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = self
            .http
            .post(format!("{}/v2/parcels/upload", self.base))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        send(request.header("X-API-Key", &self.key)).await
    }

    /// An upload that must be accepted: its outbound ParcelID.
    pub(crate) async fn upload_ok(&self, file_name: &str, content: &[u8]) -> i64 {
        let reply = self.upload(file_name, content).await;
        let id = reply.ok().as_i64();
        id.unwrap_or_else(|| panic!("upload of {file_name}: no ParcelID in {}", reply.body))
    }

    /// Every page of a list endpoint (`inbox-list`, `outbox-list`) with `filter` added.
    pub(crate) async fn list(&self, endpoint: &str, filter: Value) -> Vec<Value> {
        let mut all = Vec::new();
        for page in 1.. {
            let mut body = json!({"pageNo": page, "recordsPerPage": 500});
            for (k, v) in filter.as_object().unwrap() {
                body[k] = v.clone();
            }
            let reply = self.post(&format!("/v2/parcels/{endpoint}"), &body).await;
            let items = reply.ok().as_array().cloned().unwrap_or_else(|| {
                panic!("{endpoint}: not an array: {}", reply.body);
            });
            let n = items.len();
            all.extend(items);
            if n < 500 {
                break;
            }
        }
        all
    }

    /// The ParcelIDs ready in this mailbox's inbox, oldest first.
    pub(crate) async fn inbox(&self) -> Vec<i64> {
        ids(&self.list("inbox-list", json!({})).await)
    }

    /// The ParcelIDs of this mailbox's outbound parcels, in any state.
    pub(crate) async fn outbox(&self) -> Vec<i64> {
        ids(&self.list("outbox-list", json!({})).await)
    }

    /// A status-changing download: the parcel's exact bytes.
    pub(crate) async fn download(&self, id: i64) -> Vec<u8> {
        let reply = self
            .post("/v2/parcels/download", &json!({"parcelId": id}))
            .await;
        let text = reply.ok()["content"].as_str().unwrap_or_else(|| {
            panic!("download of {id}: no content in {}", reply.body);
        });
        unbase64(text)
    }

    pub(crate) async fn confirm(&self, id: i64) {
        let reply = self
            .post("/v2/parcels/confirm", &json!({"parcelId": id}))
            .await;
        assert_eq!(reply.ok(), &json!(true), "confirm of {id}");
    }

    /// `GET /v2/parcels/{id}`, which must succeed.
    pub(crate) async fn parcel(&self, id: i64) -> Value {
        self.get(&format!("/v2/parcels/{id}")).await.ok().clone()
    }

    /// The interchanges of a parcel with what became of each (`GET /v2/parcels/manifest`).
    pub(crate) async fn manifest(&self, id: i64) -> Vec<Value> {
        let reply = self.get(&format!("/v2/parcels/manifest/{id}")).await;
        reply.ok().as_array().cloned().unwrap_or_default()
    }
}

pub(crate) fn ids(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .map(|p| p["parcelId"].as_i64().unwrap_or_else(|| panic!("{p}")))
        .collect()
}

/// A small network: `sender` (100/200) with an X12 and an EDIFACT ID, receivers `a`
/// (100/201), `b` (300/400) and `c` (300/401), each with one ID, and `root`, the operator.
pub(crate) struct Net {
    pub app: TestApp,
    pub sender: Mbx,
    pub a: Mbx,
    pub b: Mbx,
    pub c: Mbx,
    pub root: Mbx,
}

impl Net {
    pub(crate) async fn new(app: TestApp) -> Net {
        let users = app
            .directory()
            .user("root", AuthLevel::Root, 1, 10)
            .user("sender", AuthLevel::MailboxUser, 100, 200)
            .user("recv_a", AuthLevel::MailboxUser, 100, 201)
            .user("recv_b", AuthLevel::MailboxUser, 300, 400)
            .user("recv_c", AuthLevel::MailboxUser, 300, 401)
            .build()
            .await;
        for (network, mailbox, id) in [
            (100, 200, X12_SENDER),
            (100, 200, EDIFACT_SENDER),
            (100, 201, RECEIVER_A),
            (300, 400, RECEIVER_B),
            (300, 401, RECEIVER_C),
        ] {
            let (qualifier, id) = id.split_once(':').unwrap();
            app.add_partner(network, mailbox, qualifier, id, "corpus")
                .await;
        }
        let mbx = async |login: &str, mailbox| Mbx {
            base: app.base_url(),
            key: app.api_key(users.user(login)).await,
            mailbox,
            http: app.http.clone(),
        };
        Net {
            sender: mbx("sender", 200).await,
            a: mbx("recv_a", 201).await,
            b: mbx("recv_b", 400).await,
            c: mbx("recv_c", 401).await,
            root: mbx("root", 10).await,
            app,
        }
    }

    /// The receiving mailbox of an envelope's receiver ID.
    pub(crate) fn receiver(&self, id: &str) -> &Mbx {
        match id {
            RECEIVER_A => &self.a,
            RECEIVER_B => &self.b,
            RECEIVER_C => &self.c,
            other => panic!("no receiver {other}"),
        }
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (the test binary has no base64 crate of its own).
pub(crate) fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn unbase64(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut n, mut bits) = (0u32, 0);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let v = ALPHABET.iter().position(|&a| a == c);
        n = (n << 6) | v.unwrap_or_else(|| panic!("not base64: {c:?}")) as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((n >> bits) as u8);
        }
    }
    out
}

/// One generated file and its interchanges as the generator wrote them.
#[derive(Debug, Clone)]
struct File {
    name: String,
    bytes: Vec<u8>,
    /// (offset, length, receiver ID, control number), in file order.
    interchanges: Vec<(usize, usize, String, String)>,
}

impl File {
    /// What each receiving mailbox should get: its interchanges' bytes in file order.
    fn expected(&self) -> BTreeMap<String, Vec<u8>> {
        let mut out: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for (offset, length, receiver, _) in &self.interchanges {
            let part = &self.bytes[*offset..offset + length];
            out.entry(receiver.clone()).or_default().extend(part);
        }
        out
    }

    /// `self` followed by `separator` and `next`: a file of both.
    fn then(mut self, separator: &[u8], next: &File) -> File {
        self.bytes.extend_from_slice(separator);
        let shift = self.bytes.len();
        self.bytes.extend_from_slice(&next.bytes);
        self.interchanges.extend(
            next.interchanges
                .iter()
                .map(|(o, l, r, c)| (o + shift, *l, r.clone(), c.clone())),
        );
        self
    }
}

fn files_of(dir: &Path, manifest: &str) -> Vec<File> {
    let manifest: Value = serde_json::from_str(manifest.trim())
        .unwrap_or_else(|e| panic!("generator manifest ({e}): {manifest}"));
    let mut files = Vec::new();
    for f in manifest["files"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap().to_string();
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        assert_eq!(bytes.len() as u64, f["bytes"].as_u64().unwrap(), "{name}");
        let interchanges = f["interchanges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["offset"].as_u64().unwrap() as usize,
                    i["length"].as_u64().unwrap() as usize,
                    i["receiver"].as_str().unwrap().to_string(),
                    i["control"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        files.push(File {
            name,
            bytes,
            interchanges,
        });
    }
    files
}

async fn node(args: &[&str]) -> String {
    let script = repo_root().join("tests/clients/node/x12_corpus.mjs");
    let out = tokio::process::Command::new("node")
        .arg(&script)
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run node (scripts/install-test-clients.sh): {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "x12_corpus.mjs {args:?} (node-x12 comes with scripts/install-test-clients.sh): {stderr}"
    );
    String::from_utf8(out.stdout).unwrap()
}

/// node-x12's corpus: one file per delimiter variant, to `receivers` in turn.
async fn x12_files(dir: &Path, seed: u32, receivers: &str) -> Vec<File> {
    let out = dir.join(format!("x12-{seed}"));
    let seed = seed.to_string();
    let manifest = node(&[
        "generate",
        out.to_str().unwrap(),
        &seed,
        X12_SENDER,
        receivers,
    ])
    .await;
    files_of(&out, &manifest)
}

/// pydifact's corpus: one file per service-character variant, to `receivers` in turn.
async fn edifact_files(dir: &Path, seed: u32, receivers: &str) -> Vec<File> {
    let out = dir.join(format!("edifact-{seed}"));
    let script = repo_root().join("tests/clients/python/edifact_corpus.py");
    let args = [
        script.to_str().unwrap(),
        "generate",
        out.to_str().unwrap(),
        &seed.to_string(),
        EDIFACT_SENDER,
        receivers,
    ];
    let ran = python(&args).await;
    ran.assert_success("edifact_corpus.py generate");
    files_of(&out, &ran.stdout)
}

/// Uploads `file` as the sender (as JSON or as a form), checks that every interchange was read and delivered and
/// that exactly the receivers it names got one inbound parcel each; downloads, confirms and
/// returns those parcels' contents by receiver ID.
async fn deliver(net: &Net, file: &File, multipart: bool) -> BTreeMap<String, Vec<u8>> {
    let outbound = if multipart {
        let reply = net.sender.upload_multipart(&file.name, &file.bytes).await;
        let id = reply.ok().as_i64();
        id.unwrap_or_else(|| panic!("upload of {}: no ParcelID in {}", file.name, reply.body))
    } else {
        net.sender.upload_ok(&file.name, &file.bytes).await
    };
    let parcel = net.sender.parcel(outbound).await;
    assert_eq!(parcel["status"], "outboxSent", "{}: {parcel}", file.name);
    let manifest = net.sender.manifest(outbound).await;
    let controls: Vec<&str> = manifest
        .iter()
        .map(|i| i["controlNumber"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = file.interchanges.iter().map(|i| i.3.as_str()).collect();
    assert_eq!(controls, want, "{}: interchanges read", file.name);
    for i in &manifest {
        assert_eq!(i["status"], "Delivered", "{}: {i}", file.name);
    }

    let expected = file.expected();
    let mut got = BTreeMap::new();
    for id in [RECEIVER_A, RECEIVER_B, RECEIVER_C] {
        let receiver = net.receiver(id);
        let inbox = receiver.inbox().await;
        if !expected.contains_key(id) {
            assert!(inbox.is_empty(), "{}: {id} got {inbox:?}", file.name);
            continue;
        }
        assert_eq!(inbox.len(), 1, "{}: one inbound parcel for {id}", file.name);
        let content = receiver.download(inbox[0]).await;
        receiver.confirm(inbox[0]).await;
        got.insert(id.to_string(), content);
    }
    got
}

async fn corpus(app: TestApp, backend: &str) {
    let net = Net::new(app).await;
    let dir = tempfile::tempdir().unwrap();
    let ab = format!("{RECEIVER_A},{RECEIVER_B}");
    let ba = format!("{RECEIVER_B},{RECEIVER_A}");

    // Every variant of each generator, to A and B in turn: byte-identical.
    let x12 = x12_files(dir.path(), 1301, &ab).await;
    let edifact = edifact_files(dir.path(), 1301, &ba).await;
    // Files of both standards: one straight after the other, and with line breaks between.
    let x12_more = x12_files(dir.path(), 1302, &ba).await;
    let edifact_more = edifact_files(dir.path(), 1302, &ab).await;
    let mut mixed = Vec::new();
    for k in 0..3 {
        let mut file = x12_more[k].clone().then(b"", &edifact_more[k]);
        file.name = format!("mixed-{k}.edi");
        mixed.push(file);
    }
    let mut spaced = x12_more[3].clone().then(b"\r\n", &edifact_more[3]);
    spaced = spaced
        .then(b"\n\n", &x12_more[4])
        .then(b"", &edifact_more[4]);
    spaced.name = "mixed-with-line-breaks.edi".into();
    mixed.push(spaced);

    let mut delivered = 0;
    // Every other file as a form, the rest as JSON.
    for (n, file) in x12.iter().chain(&edifact).chain(&mixed).enumerate() {
        let got = deliver(&net, file, n % 2 == 1).await;
        assert_eq!(
            got,
            file.expected(),
            "{backend}: {} as delivered",
            file.name
        );
        delivered += got.len();
    }
    assert!(delivered >= x12.len() + edifact.len() + 2 * mixed.len());

    redelimited(&net, dir.path(), backend).await;
}

/// C sets X12 delimiters of its own: the X12 it receives is rewritten to them, node-x12
/// reads the same segments from it as from what was sent, and EDIFACT goes unchanged. Then
/// C's network sets others: B, which has none of its own, gets those, and C keeps its own.
async fn redelimited(net: &Net, dir: &Path, backend: &str) {
    let set = json!({"mailboxId": net.c.mailbox, "elementDelimiter": "#",
        "subElementDelimiter": "@", "segmentTerminator": "%"});
    net.root
        .post("/v2/mailboxes/x12-delimiters", &set)
        .await
        .ok();
    for file in x12_files(dir, 1303, RECEIVER_C).await {
        let got = deliver(net, &file, false).await;
        rewritten(dir, &file, RECEIVER_C, &got, *b"#@%", backend).await;
    }
    let edifact = edifact_files(dir, 1303, RECEIVER_C).await;
    for file in &edifact[..2] {
        let got = deliver(net, file, true).await;
        assert_eq!(got, file.expected(), "{backend}: EDIFACT to C unchanged");
    }

    let set = json!({"networkId": 300, "elementDelimiter": "+",
        "subElementDelimiter": "<", "segmentTerminator": "!"});
    net.root
        .post("/v2/networks/x12-delimiters", &set)
        .await
        .ok();
    let both = format!("{RECEIVER_B},{RECEIVER_C}");
    for file in &x12_files(dir, 1304, &both).await[..3] {
        let got = deliver(net, file, false).await;
        rewritten(dir, file, RECEIVER_B, &got, *b"+<!", backend).await;
        if got.contains_key(RECEIVER_C) {
            rewritten(dir, file, RECEIVER_C, &got, *b"#@%", backend).await;
        }
    }
}

/// What `receiver` got of `file` is its interchanges with the element separator,
/// sub-element separator and segment terminator `delimiters`, and node-x12 reads from it the
/// segments it reads from what was sent.
async fn rewritten(
    dir: &Path,
    file: &File,
    receiver: &str,
    got: &BTreeMap<String, Vec<u8>>,
    delimiters: [u8; 3],
    backend: &str,
) {
    let sent = &file.expected()[receiver];
    let content = &got[receiver];
    let what = format!("{backend}: {} to {receiver}", file.name);
    assert_ne!(content, sent, "{what}: not rewritten");
    assert_eq!(
        [content[3], content[104], content[105]],
        delimiters,
        "{what}: the ISA: {}",
        String::from_utf8_lossy(&content[..106])
    );
    let name = format!("{}-{}", receiver.replace(':', "-"), file.name);
    let (before, after) = (
        dir.join(format!("sent-{name}")),
        dir.join(format!("got-{name}")),
    );
    std::fs::write(&before, sent).unwrap();
    std::fs::write(&after, content).unwrap();
    let want = node(&["parse", before.to_str().unwrap()]).await;
    let read = node(&["parse", after.to_str().unwrap()]).await;
    assert_eq!(read, want, "{what}: read by node-x12");
}

#[tokio::test]
async fn independent_generators_corpus_round_trips_on_sqlite() {
    corpus(edigrid_testkit::spawn_app_open_routes().await, "SQLite").await;
}

#[tokio::test]
async fn independent_generators_corpus_round_trips_on_postgres() {
    let Some(url) = fresh_postgres_url().await else {
        eprintln!("skipped: EDIGRID_TEST_DATABASE_URL is not set");
        return;
    };
    corpus(
        edigrid_testkit::spawn_app_open_routes_on(url).await,
        "PostgreSQL",
    )
    .await;
}

#[test]
fn base64_round_trips_every_length() {
    let data: Vec<u8> = (0..=255u8).collect();
    for n in 0..10 {
        assert_eq!(unbase64(&base64(&data[..n])), &data[..n]);
    }
    assert_eq!(base64(b"ISA*"), "SVNBKg==");
    assert_eq!(unbase64("SVNBKg=="), b"ISA*");
    assert_eq!(unbase64(&base64(&data)), data);
}
