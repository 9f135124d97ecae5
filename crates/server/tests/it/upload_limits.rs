//! SPEC-VAN 18 at the HTTP layer: uploads get a body limit that follows from
//! `max_parcel_bytes` while every other request keeps `max_body_bytes`; a refused body is
//! read to its end before the answer, so real clients read the 413 instead of failing on a
//! broken pipe; and the memory of uploads is bounded by `upload_memory_bytes`, each upload
//! counting a multiple of its body, the request past it answered 503 with `Retry-After`.

use edigrid_core::{Caller, ParcelQuery, ParcelView};
use edigrid_domain::{AuthLevel, MailboxId, NetworkId};
use edigrid_server::Settings;
use edigrid_testkit::{DEPLOYED_NS, NS, SOAP11, SOAP12, TestApp, spawn_app_with};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;

use crate::support::python::python;

const MAX_BODY: usize = 4096;
/// In base64 with line breaks: 4106 characters; the upload limit is that plus `MAX_BODY`.
const MAX_PARCEL: usize = 3000;
const UPLOAD_LIMIT: usize = 4000 + 106 + MAX_BODY;
/// What an upload counts in the memory budget per byte of its body.
const M: usize = Settings::UPLOAD_MEMORY_PER_BODY_BYTE;

/// Small limits; an upload waits `wait_ms` for room in `budget`.
async fn small_limits(budget: usize, wait_ms: u64) -> TestApp {
    let app = spawn_app_with(|s| {
        s.max_body_bytes = MAX_BODY;
        s.max_parcel_bytes = MAX_PARCEL;
        s.upload_memory_bytes = budget;
        s.upload_wait_ms = wait_ms;
    })
    .await;
    assert_eq!(app.settings.upload_body_bytes(), UPLOAD_LIMIT);
    app
}

/// A SOAP envelope calling `op` in `ns` without a session, padded with a comment to
/// exactly `len` bytes.
fn envelope_of_len(soap12: bool, ns: &str, op: &str, len: usize) -> String {
    upload_of_len(soap12, ns, op, "not-a-session", len)
}

/// An upload of a small file in session `sid`, padded with a comment to exactly `len` bytes.
fn upload_of_len(soap12: bool, ns: &str, op: &str, sid: &str, len: usize) -> String {
    let env_ns = if soap12 { SOAP12 } else { SOAP11 };
    let head = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{env_ns}"><s:Body><{op} xmlns="{ns}"><SessionID>{sid}</SessionID><FileName>a.edi</FileName><Content>SVNB</Content></{op}><!--"#
    );
    let tail = "--></s:Body></s:Envelope>";
    let pad = len
        .checked_sub(head.len() + tail.len())
        .expect("the envelope is longer than asked");
    format!("{head}{}{tail}", "p".repeat(pad))
}

/// A JSON upload body of exactly `len` bytes.
fn json_upload_of_len(len: usize) -> String {
    let head = r#"{"fileName":"a.edi","content":""#;
    let tail = r#""}"#;
    format!("{head}{}{tail}", "A".repeat(len - head.len() - tail.len()))
}

fn soap_headers(soap12: bool, action: Option<&str>) -> (String, Vec<(String, String)>) {
    match (soap12, action) {
        (false, Some(a)) => (
            "text/xml; charset=utf-8".into(),
            vec![("SOAPAction".into(), format!("\"{a}\""))],
        ),
        (false, None) => ("text/xml; charset=utf-8".into(), Vec::new()),
        (true, Some(a)) => (
            format!("application/soap+xml; charset=utf-8; action=\"{a}\""),
            Vec::new(),
        ),
        (true, None) => ("application/soap+xml; charset=utf-8".into(), Vec::new()),
    }
}

async fn post_soap(
    app: &TestApp,
    soap12: bool,
    action: Option<&str>,
    body: String,
) -> (u16, String) {
    let (content_type, headers) = soap_headers(soap12, action);
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let reply = app.post(&content_type, &headers, body).await;
    (reply.status, reply.body)
}

async fn post_rest(app: &TestApp, path: &str, body: String) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}{path}", app.base_url()))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The fault of a body refused for its size: 413, ErrorCode 8, item Envelope.
#[track_caller]
fn assert_too_large(what: &str, status: u16, body: &str) {
    assert_eq!(status, 413, "{what}: {body}");
    let reply = edigrid_testkit::SoapReply {
        status,
        content_type: String::new(),
        body: body.to_string(),
    };
    let fault = reply.expect_fault();
    assert_eq!(
        (fault.error_code.as_str(), fault.item.as_str()),
        ("8", "Envelope"),
        "{what}: {fault:?}"
    );
}

/// A body read whole and passed on: whatever the operation answers, it is not about size.
#[track_caller]
fn assert_read(what: &str, status: u16, body: &str) {
    assert_ne!(status, 413, "{what}: {body}");
    assert!(
        !body.contains("<ErrorItem>Envelope</ErrorItem>"),
        "{what}: {body}"
    );
}

#[tokio::test]
async fn uploads_get_the_parcel_limit_and_every_other_request_keeps_its_own() {
    let app = small_limits(64 * 1024, 200).await;
    let between = MAX_BODY + 2000;
    let upload = |ns: &str, op: &str| format!("{ns}{op}");

    // An upload's body may pass the small limit, up to the upload limit, in both dialects
    // and both SOAP versions (SOAP 1.2 names its action in the content type only).
    for (soap12, ns, op) in [
        (false, NS, "ParcelUpload"),
        (true, NS, "ParcelUpload"),
        (false, DEPLOYED_NS, "ParcelUploadA"),
        (true, DEPLOYED_NS, "ParcelUploadMft"),
    ] {
        let what = format!("{op} in {ns}, SOAP 1.2 {soap12}");
        for len in [between, UPLOAD_LIMIT] {
            let (status, body) = post_soap(
                &app,
                soap12,
                Some(&upload(ns, op)),
                envelope_of_len(soap12, ns, op, len),
            )
            .await;
            assert_read(&format!("{what}, {len} bytes"), status, &body);
        }
        let (status, body) = post_soap(
            &app,
            soap12,
            Some(&upload(ns, op)),
            envelope_of_len(soap12, ns, op, UPLOAD_LIMIT + 1),
        )
        .await;
        assert_too_large(&format!("{what}, one byte past the limit"), status, &body);
    }

    // Without an action, or with another operation's, the small limit holds, whatever
    // the body calls.
    for (action, op) in [
        (None, "ParcelUpload"),
        (Some(upload(NS, "Version")), "Version"),
        (Some(upload(NS, "ParcelInBox")), "ParcelInBox"),
    ] {
        let (status, body) = post_soap(
            &app,
            false,
            action.as_deref(),
            envelope_of_len(false, NS, op, between),
        )
        .await;
        assert_too_large(&format!("{op} with action {action:?}"), status, &body);
    }

    // An upload's action does not lend its limit to another operation: the body is read,
    // then refused for contradicting the action.
    let (status, body) = post_soap(
        &app,
        false,
        Some(&upload(NS, "ParcelUpload")),
        envelope_of_len(false, NS, "Version", between),
    )
    .await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("<ErrorItem>SOAPAction</ErrorItem>"), "{body}");

    // REST: the upload route takes the upload limit, every other route the small one.
    let (status, body) = post_rest(&app, "/v2/parcels/upload", json_upload_of_len(between)).await;
    assert_ne!(status, 413, "{body}");
    for (path, len) in [
        ("/v2/parcels/upload", UPLOAD_LIMIT + 1),
        ("/v2/auth/login", between),
        ("/v2/parcels/inbox-list", between),
    ] {
        let (status, body) = post_rest(&app, path, json_upload_of_len(len)).await;
        assert_eq!(status, 413, "{path}: {body}");
        assert_eq!(
            (&body["success"], &body["errorCode"]),
            (&Value::Bool(false), &Value::from("InvalidParameter")),
            "{path}: {body}"
        );
    }

    // A real upload of a parcel of max_parcel_bytes: its body is past the small limit and
    // it is stored; one byte more is refused by the parcel limit (decoded), not the body's.
    let sid = uploader(&app).await;
    let upload_of = |size: usize| {
        let content = crate::parcel_corpus::base64(&vec![b'I'; size]);
        let params = [
            ("SessionID", sid.as_str()),
            ("FileName", "max.edi"),
            ("Content", content.as_str()),
        ];
        edigrid_testkit::envelope11("ParcelUpload", &params)
    };
    let action = [("SOAPAction", "\"http://www.ecgridos.net/ParcelUpload\"")];
    let largest = upload_of(MAX_PARCEL);
    assert!(largest.len() > MAX_BODY);
    let reply = app.post("text/xml", &action, largest).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.expect_field("ParcelUploadResult");
    let reply = app
        .post("text/xml", &action, upload_of(MAX_PARCEL + 1))
        .await;
    assert_read("one byte past max_parcel_bytes", reply.status, &reply.body);
    assert_eq!(reply.expect_fault().error_code, "8", "{}", reply.body);
    assert_eq!(uploaded(&app).await, 1);
    assert!(app.is_alive().await);
}

/// Python's `requests`, urllib and zeep send the whole body before they read the answer;
/// each must read the 413 of a body over its limit (declared or chunked, SOAP and REST, JSON
/// and multipart), where a server that closes early makes them fail on a broken pipe.
#[tokio::test]
async fn python_clients_read_the_413_of_a_body_over_the_limit() {
    let app = spawn_app_with(|s| s.max_parcel_bytes = 1024 * 1024).await;
    let script = r#"
import json, sys, urllib.request, urllib.error
import requests

base = sys.argv[1]
soap = base + "/v4.1/prod/ECGridOS.asmx"
MiB = 1024 * 1024

def envelope(op, size):
    head = ('<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
            '<s:Body><%s xmlns="http://www.ecgridos.net/"><SessionID>x</SessionID><Content>' % op)
    tail = '</Content></%s></s:Body></s:Envelope>' % op
    return (head + "A" * (size - len(head) - len(tail)) + tail).encode()

def soap_headers(op):
    return {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"http://www.ecgridos.net/%s"' % op}

def json_upload(size):
    head, tail = '{"fileName":"a.edi","content":"', '"}'
    return (head + "A" * (size - len(head) - len(tail)) + tail).encode()

def chunks(data):
    for i in range(0, len(data), 64 * 1024):
        yield data[i:i + 64 * 1024]

cases = [
    ("soap-version-2MiB", soap, soap_headers("Version"), envelope("Version", 2 * MiB)),
    ("soap-upload-4MiB", soap, soap_headers("ParcelUpload"), envelope("ParcelUpload", 4 * MiB)),
    ("rest-login-2MiB", base + "/v2/auth/login", {"Content-Type": "application/json"}, json_upload(2 * MiB)),
    ("rest-upload-4MiB", base + "/v2/parcels/upload", {"Content-Type": "application/json"}, json_upload(4 * MiB)),
]

def report(client, case, status, body):
    print(json.dumps({"client": client, "case": case, "status": status, "body": body[:2000]}))

def failed(client, case, e):
    print(json.dumps({"client": client, "case": case, "status": 0, "body": repr(e)}))

for case, url, headers, data in cases:
    for chunked in (False, True):
        name = case + ("-chunked" if chunked else "")
        try:
            r = requests.post(url, data=chunks(data) if chunked else data, headers=headers, timeout=60)
            report("requests", name, r.status_code, r.text)
        except Exception as e:
            failed("requests", name, e)
        try:
            req = urllib.request.Request(url, data=chunks(data) if chunked else data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    report("urllib", name, r.status, r.read().decode())
            except urllib.error.HTTPError as e:
                report("urllib", name, e.code, e.read().decode())
        except Exception as e:
            failed("urllib", name, e)

try:
    files = {"file": ("big.edi", b"I" * (4 * MiB), "application/octet-stream")}
    r = requests.post(base + "/v2/parcels/upload", files=files, data={"mailboxId": "200"}, timeout=60)
    report("requests", "rest-upload-multipart-4MiB", r.status_code, r.text)
except Exception as e:
    failed("requests", "rest-upload-multipart-4MiB", e)

# zeep, from our WSDL: 2 MiB of content is over 2.4 MiB in base64, past the upload limit.
import zeep
from lxml import etree
try:
    client = zeep.Client(soap + "?WSDL")
    client.service.ParcelUpload(SessionID="x", FileName="big.edi", Content=b"I" * (2 * MiB))
    report("zeep", "soap-upload-2MiB-content", 200, "no fault")
except zeep.exceptions.Fault as f:
    detail = etree.tostring(f.detail).decode() if f.detail is not None else ""
    report("zeep", "soap-upload-2MiB-content", 413, f.message + " " + detail)
except Exception as e:
    failed("zeep", "soap-upload-2MiB-content", e)
"#;
    let ran = python(&["-c", script, &app.base_url()]).await;
    ran.assert_success("the python clients");
    let answers: Vec<Value> = ran
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 18, "{}", ran.stdout);
    for answer in &answers {
        let what = format!("{} {}", answer["client"], answer["case"]);
        let body = answer["body"].as_str().unwrap();
        assert_eq!(answer["status"], 413, "{what}: {body}");
        if answer["client"] == "zeep" {
            // zeep raises the fault it read (it does not show the status).
            assert!(
                body.contains("larger than") && body.contains("<ErrorCode>8</ErrorCode>"),
                "{what}: {body}"
            );
        } else if answer["case"].as_str().unwrap().starts_with("soap") {
            assert!(
                body.contains("<ErrorCode>8</ErrorCode>") && body.contains("Envelope"),
                "{what}: {body}"
            );
        } else {
            let json: Value = serde_json::from_str(body).unwrap();
            assert_eq!(json["errorCode"], "InvalidParameter", "{what}: {body}");
        }
    }
    assert!(app.is_alive().await);
}

// ---- the upload memory budget -----------------------------------------------------------

/// A request sent by hand: its head, then its body in parts, so that a test can hold an
/// upload's reservation open while it sends others.
struct Raw {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

/// A reply read by hand.
struct RawReply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl RawReply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Raw {
    /// Sends the head of a POST to `path`; `length` `None` sends the body chunked.
    async fn start(
        app: &TestApp,
        path: &str,
        headers: &[(&str, &str)],
        length: Option<usize>,
    ) -> Raw {
        let stream = TcpStream::connect(app.addr).await.unwrap();
        let (reader, writer) = stream.into_split();
        let mut raw = Raw {
            reader: BufReader::new(reader),
            writer,
        };
        let mut head = format!("POST {path} HTTP/1.1\r\nHost: {}\r\n", app.addr);
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        match length {
            Some(n) => head.push_str(&format!("Content-Length: {n}\r\n")),
            None => head.push_str("Transfer-Encoding: chunked\r\n"),
        }
        head.push_str("\r\n");
        raw.writer.write_all(head.as_bytes()).await.unwrap();
        raw
    }

    /// Sends the head with `Expect: 100-continue` and waits for the `100 Continue`: the
    /// server asks for the body only once the upload's reservation is held.
    async fn holding(app: &TestApp, path: &str, headers: &[(&str, &str)], length: usize) -> Raw {
        let mut with = headers.to_vec();
        with.push(("Expect", "100-continue"));
        let mut raw = Raw::start(app, path, &with, Some(length)).await;
        let reply = raw.read_head().await;
        assert_eq!(reply.status, 100, "no 100 Continue");
        raw
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
    }

    async fn send_chunk(&mut self, bytes: &[u8]) {
        let mut chunk = format!("{:x}\r\n", bytes.len()).into_bytes();
        chunk.extend_from_slice(bytes);
        chunk.extend_from_slice(b"\r\n");
        self.send(&chunk).await;
    }

    async fn read_head(&mut self) -> RawReply {
        let mut line = String::new();
        self.reader.read_line(&mut line).await.unwrap();
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP status line: {line:?}"));
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).await.unwrap();
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            let (k, v) = trimmed.split_once(':').unwrap();
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        RawReply {
            status,
            headers,
            body: String::new(),
        }
    }

    /// The final reply (a `100 Continue` before it is skipped).
    async fn reply(mut self) -> RawReply {
        let mut reply = self.read_head().await;
        if reply.status == 100 {
            reply = self.read_head().await;
        }
        let length: usize = reply
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .expect("replies here carry a length");
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await.unwrap();
        reply.body = String::from_utf8(body).unwrap();
        reply
    }
}

const SOAP_UPLOAD: &[(&str, &str)] = &[
    ("Content-Type", "text/xml; charset=utf-8"),
    ("SOAPAction", "\"http://www.ecgridos.net/ParcelUpload\""),
];
const REST_UPLOAD: &[(&str, &str)] = &[("Content-Type", "application/json")];
const SOAP_PATH: &str = "/v4.1/prod/ECGridOS.asmx";
const REST_PATH: &str = "/v2/parcels/upload";

/// A user of mailbox 200, logged in.
async fn uploader(app: &TestApp) -> String {
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    app.login("alice").await
}

/// How many parcels mailbox 200 uploaded, as stored.
async fn uploaded(app: &TestApp) -> usize {
    let query = ParcelQuery {
        network: Some(NetworkId(100)),
        mailbox: Some(MailboxId(200)),
        ..ParcelQuery::own(ParcelView::OutBoxArchive, 100)
    };
    let listed = app.core.parcel_list(&Caller::operator(), query).await;
    listed.unwrap().items.len()
}

/// An upload accepted: `200` with the new ParcelID.
#[track_caller]
fn assert_stored(reply: &RawReply) {
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.body.contains("<ParcelUploadResult>"),
        "{}",
        reply.body
    );
}

/// What `/metrics` says is reserved now.
async fn reserved(app: &TestApp) -> f64 {
    let text = app
        .http
        .get(format!("{}/metrics", app.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("edigrid_upload_bytes_reserved "))
        .unwrap_or_else(|| panic!("no reserved-bytes gauge in:\n{text}"))
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn uploads_past_the_memory_budget_wait_then_get_503_with_retry_after() {
    // Room for one upload of the largest size and the memory of 1000 bytes of body more.
    let app = small_limits(M * (UPLOAD_LIMIT + 1000), 200).await;
    let sid = uploader(&app).await;
    let soap_body = upload_of_len(false, NS, "ParcelUpload", &sid, UPLOAD_LIMIT);
    // Past the room left, though its body alone would fit many times over.
    let rest_body = json_upload_of_len(1001);

    // A holds M times UPLOAD_LIMIT of the budget while it sends its body slowly.
    let mut held = Raw::holding(&app, SOAP_PATH, SOAP_UPLOAD, UPLOAD_LIMIT).await;
    held.send(&soap_body.as_bytes()[..100]).await;
    // At least: under `cargo test` other tests' servers share the gauge.
    assert!(reserved(&app).await >= (M * UPLOAD_LIMIT) as f64);

    // Uploads past what is left wait, then are refused, declared or chunked, SOAP or REST.
    let mut refused = Vec::new();
    let mut soap = Raw::start(&app, SOAP_PATH, SOAP_UPLOAD, Some(soap_body.len())).await;
    soap.send(soap_body.as_bytes()).await;
    refused.push(("SOAP, declared", soap.reply().await));
    let mut rest = Raw::start(&app, REST_PATH, REST_UPLOAD, Some(rest_body.len())).await;
    rest.send(rest_body.as_bytes()).await;
    refused.push(("REST, declared", rest.reply().await));
    // Chunked: the first two pieces fit (1000 bytes of body), the third does not.
    let mut chunked = Raw::start(&app, REST_PATH, REST_UPLOAD, None).await;
    for part in rest_body.as_bytes().chunks(500) {
        chunked.send_chunk(part).await;
    }
    chunked.send(b"0\r\n\r\n").await;
    refused.push(("REST, chunked", chunked.reply().await));
    for (what, reply) in &refused {
        assert_eq!(reply.status, 503, "{what}: {}", reply.body);
        assert_eq!(reply.header("retry-after"), Some("1"), "{what}");
    }
    let fault = edigrid_testkit::SoapReply {
        status: 503,
        content_type: String::new(),
        body: refused[0].1.body.clone(),
    }
    .expect_fault();
    assert_eq!(fault.code, "soap:Server", "{fault:?}");
    assert!(fault.text.contains("retry in 1 s"), "{fault:?}");
    let envelope: Value = serde_json::from_str(&refused[1].1.body).unwrap();
    assert_eq!(
        (&envelope["success"], &envelope["errorCode"]),
        (&Value::Bool(false), &Value::from("ServiceUnavailable")),
        "{envelope}"
    );

    // Other requests do not use the budget: a call with a body is served meanwhile.
    let version = edigrid_testkit::envelope11("Version", &[]);
    let reply = app
        .post(
            "text/xml",
            &[("SOAPAction", "\"http://www.ecgridos.net/Version\"")],
            version,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // A small upload fits beside A, and is stored.
    let token = crate::rest_auth::rest_login(&app, "alice").await.token;
    let bearer = format!("Bearer {token}");
    let small = serde_json::json!({"fileName": "small.edi", "content": "SVNBKjAw"}).to_string();
    let headers = [
        ("Content-Type", "application/json"),
        ("Authorization", bearer.as_str()),
    ];
    let mut fits = Raw::start(&app, REST_PATH, &headers, Some(small.len())).await;
    fits.send(small.as_bytes()).await;
    let reply = fits.reply().await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // A finishes and is answered; its reservation is given back before its answer goes
    // out, so the refused upload now passes.
    held.send(&soap_body.as_bytes()[100..]).await;
    assert_stored(&held.reply().await);
    let mut again = Raw::start(&app, SOAP_PATH, SOAP_UPLOAD, Some(soap_body.len())).await;
    again.send(soap_body.as_bytes()).await;
    assert_stored(&again.reply().await);
    // A's, the small one and the one after A are stored; the refused ones are not.
    assert_eq!(uploaded(&app).await, 3);
    assert!(app.is_alive().await);
}

/// An upload whose multiple is more than the whole budget (here: of the largest size, with
/// the smallest budget the settings allow) is admitted, holding all of the budget: it runs
/// alone, and the budget is whole again once it is answered.
#[tokio::test]
async fn an_upload_counting_more_than_the_budget_takes_all_of_it_and_runs_alone() {
    let app = small_limits(UPLOAD_LIMIT, 200).await;
    let sid = uploader(&app).await;
    let body = upload_of_len(false, NS, "ParcelUpload", &sid, UPLOAD_LIMIT);
    let token = crate::rest_auth::rest_login(&app, "alice").await.token;
    let bearer = format!("Bearer {token}");
    let small = serde_json::json!({"fileName": "small.edi", "content": "SVNBKjAw"}).to_string();
    let headers = [
        ("Content-Type", "application/json"),
        ("Authorization", bearer.as_str()),
    ];
    let send_small = async || {
        let mut raw = Raw::start(&app, REST_PATH, &headers, Some(small.len())).await;
        raw.send(small.as_bytes()).await;
        raw.reply().await
    };

    let mut alone = Raw::holding(&app, SOAP_PATH, SOAP_UPLOAD, UPLOAD_LIMIT).await;
    alone.send(&body.as_bytes()[..100]).await;
    assert!(reserved(&app).await >= UPLOAD_LIMIT as f64);
    // Even the smallest upload finds no room beside it.
    let reply = send_small().await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.header("retry-after"), Some("1"));

    alone.send(&body.as_bytes()[100..]).await;
    assert_stored(&alone.reply().await);
    let reply = send_small().await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(uploaded(&app).await, 2);
}

#[tokio::test]
async fn a_client_that_goes_away_gives_its_reservation_back() {
    // The next upload waits as long as it takes the server to see the client gone.
    let app = small_limits(UPLOAD_LIMIT + 1000, 60_000).await;
    let sid = uploader(&app).await;
    let body = upload_of_len(false, NS, "ParcelUpload", &sid, UPLOAD_LIMIT);
    let mut gone = Raw::holding(&app, SOAP_PATH, SOAP_UPLOAD, UPLOAD_LIMIT).await;
    gone.send(&body.as_bytes()[..100]).await;
    // Closed mid-body: the server's read fails and the reservation goes with the request.
    drop(gone);
    let mut next = Raw::holding(&app, SOAP_PATH, SOAP_UPLOAD, UPLOAD_LIMIT).await;
    next.send(body.as_bytes()).await;
    assert_stored(&next.reply().await);
    assert_eq!(
        uploaded(&app).await,
        1,
        "the broken-off upload stored nothing"
    );
}

/// A refusal that the rest of the body cannot usefully precede is answered at once: the
/// client waits for `100 Continue` before sending (nothing is on the way), or it declared
/// more than the drain bound (twice the limit, at least 8 MiB past it). The connection is
/// closed after the answer only in the second case, where the body may still be coming.
#[tokio::test]
async fn refusals_that_cannot_be_drained_are_answered_at_once() {
    let app = small_limits(64 * 1024, 200).await;
    let version = [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("SOAPAction", "\"http://www.ecgridos.net/Version\""),
    ];
    // Neither sends a byte of its body: a reply proves that none was waited for.
    let mut expecting = version.to_vec();
    expecting.push(("Expect", "100-continue"));
    let reply = Raw::start(&app, SOAP_PATH, &expecting, Some(MAX_BODY + 1))
        .await
        .reply()
        .await;
    assert_too_large("waiting for 100 Continue", reply.status, &reply.body);
    let past_bound = MAX_BODY + 8 * 1024 * 1024 + 1;
    let reply = Raw::start(&app, SOAP_PATH, &version, Some(past_bound))
        .await
        .reply()
        .await;
    assert_too_large("declared past the drain bound", reply.status, &reply.body);
    assert_eq!(reply.header("connection"), Some("close"));
    assert!(app.is_alive().await);
}
