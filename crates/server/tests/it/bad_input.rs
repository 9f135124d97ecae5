//! Section 9 of the spec over SOAP: every kind of bad input gets the exact fault the contract
//! assigns, nothing stored changes, and the server still answers afterwards.
//!
//! Each case runs against one fixture: a user with one open session whose clock has moved on
//! since login, so a call that wrongly counted as activity would move the stored expiry.

use std::future::Future;
use std::time::Duration as StdDuration;

use chrono::Duration;
use edigrid_core::store::{SessionRecord, User};
use edigrid_domain::AuthLevel;
use edigrid_testkit::{NS, SOAP11, SOAP12, SoapReply, TEST_PASSWORD, TestApp, spawn_app_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CT11: &str = "text/xml; charset=utf-8";
const LIMIT: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq)]
enum V {
    S11,
    S12,
}

impl V {
    fn ns(self) -> &'static str {
        match self {
            V::S11 => SOAP11,
            V::S12 => SOAP12,
        }
    }
}

/// The legacy `ErrorCode` / `ErrorString` pairs of section 3, written out here on purpose.
#[derive(Debug, Clone, Copy)]
enum Legacy {
    SessionTimeout,
    InvalidDataType,
    InvalidDataLength,
    DataError,
}

impl Legacy {
    fn pair(self) -> (&'static str, &'static str) {
        match self {
            Legacy::SessionTimeout => ("1", "SessionTimeout"),
            Legacy::InvalidDataType => ("7", "InvalidDataType"),
            Legacy::InvalidDataLength => ("8", "InvalidDataLength"),
            Legacy::DataError => ("9", "DataError"),
        }
    }
}

/// What `ErrorItem` must hold.
#[derive(Debug, Clone, Copy)]
enum Item {
    Is(&'static str),
    /// A problem of the whole document: no parameter is at fault.
    Document,
    /// The spec names no item for this case.
    Unchecked,
}

struct Expect {
    status: u16,
    version: V,
    category: &'static str,
    legacy: Legacy,
    item: Item,
    text_contains: Option<&'static str>,
}

impl Expect {
    fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    fn text(mut self, needle: &'static str) -> Self {
        self.text_contains = Some(needle);
        self
    }
}

fn invalid(version: V, legacy: Legacy, item: Item) -> Expect {
    Expect {
        status: 500,
        version,
        category: "InvalidParameter",
        legacy,
        item,
        text_contains: None,
    }
}

/// Malformed or refused XML: 500, `InvalidParameter`, 9, no parameter at fault.
fn malformed(version: V) -> Expect {
    invalid(version, Legacy::DataError, Item::Document)
}

fn session_fault(version: V) -> Expect {
    Expect {
        status: 500,
        version,
        category: "Authentication",
        legacy: Legacy::SessionTimeout,
        item: Item::Is("SessionID"),
        text_contains: Some("SessionID"),
    }
}

#[derive(Debug, PartialEq)]
struct Snapshot {
    users: Vec<User>,
    sessions: Vec<SessionRecord>,
}

struct Fixture {
    app: TestApp,
    sid: String,
}

impl Fixture {
    async fn new() -> Fixture {
        Fixture::with_limit(LIMIT).await
    }

    async fn with_limit(max_body_bytes: usize) -> Fixture {
        let app = spawn_app_with(|s| s.max_body_bytes = max_body_bytes).await;
        app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
            .await;
        let sid = app.login("alice").await;
        // Later than login by more than the expiry granularity: any activity would show.
        app.clock.advance(Duration::minutes(5));
        Fixture { app, sid }
    }

    async fn snapshot(&self) -> Snapshot {
        Snapshot {
            users: self.app.core.users().await.unwrap(),
            sessions: self.app.core.list_sessions(None, 10_000).await.unwrap(),
        }
    }

    /// Sends the request (futures are lazy: nothing goes out before the first snapshot),
    /// checks the fault, that nothing stored changed, and that the server still answers.
    async fn refused(&self, request: impl Future<Output = SoapReply>, expect: Expect) -> SoapReply {
        let before = self.snapshot().await;
        let reply = request.await;
        check_fault(&reply, &expect, &self.app);
        let after = self.snapshot().await;
        assert_eq!(before, after, "stored state changed; reply: {}", reply.body);
        assert!(self.app.is_alive().await, "the server no longer answers");
        reply
    }

    async fn post11(&self, body: impl Into<reqwest::Body>) -> SoapReply {
        self.app.post(CT11, &[], body).await
    }

    async fn post12(&self, body: impl Into<reqwest::Body>) -> SoapReply {
        self.app
            .post("application/soap+xml; charset=utf-8", &[], body)
            .await
    }
}

fn check_fault(reply: &SoapReply, expect: &Expect, app: &TestApp) {
    let body = &reply.body;
    assert_eq!(reply.status, expect.status, "HTTP status; body: {body}");
    let wanted_ct = match expect.version {
        V::S11 => "text/xml",
        V::S12 => "application/soap+xml",
    };
    assert!(
        reply.content_type.starts_with(wanted_ct),
        "content type {:?}, wanted {wanted_ct}",
        reply.content_type
    );
    let doc = roxmltree::Document::parse(body)
        .unwrap_or_else(|e| panic!("the fault is not XML ({e}): {body}"));
    let root = doc.root_element();
    assert_eq!(
        (root.tag_name().namespace(), root.tag_name().name()),
        (Some(expect.version.ns()), "Envelope"),
        "{body}"
    );
    let fault = doc
        .descendants()
        .find(|n| n.tag_name().name() == "Fault")
        .unwrap_or_else(|| panic!("no Fault: {body}"));
    assert_eq!(fault.tag_name().namespace(), Some(expect.version.ns()));
    let (code_name, wanted_code) = match expect.version {
        V::S11 => ("faultcode", "Client"),
        V::S12 => ("Value", "Sender"),
    };
    let code = fault
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == code_name)
        .unwrap_or_else(|| panic!("no {code_name}: {body}"));
    let (prefix, local) = code.text().unwrap_or("").split_once(':').unwrap();
    assert_eq!(local, wanted_code, "{body}");
    assert_eq!(
        code.lookup_namespace_uri(Some(prefix)),
        Some(expect.version.ns())
    );
    let category = doc
        .descendants()
        .find(|n| n.tag_name().name() == "ECGridOSSOAPErrorCode")
        .unwrap();
    assert_eq!(
        category.tag_name().namespace(),
        None,
        "detail is unqualified"
    );

    let f = reply.expect_fault();
    assert_eq!(f.category, expect.category, "{body}");
    let (number, name) = expect.legacy.pair();
    assert_eq!(
        (f.error_code.as_str(), f.error_string.as_str()),
        (number, name),
        "{body}"
    );
    match expect.item {
        Item::Is(item) => assert_eq!(f.item, item, "{body}"),
        Item::Document => assert!(
            f.item.is_empty() || f.item == "Envelope",
            "no parameter is at fault here, but ErrorItem is {:?}",
            f.item
        ),
        Item::Unchecked => {}
    }
    assert!(
        !f.text.trim().is_empty() && !f.message.trim().is_empty(),
        "{body}"
    );
    if let Some(needle) = expect.text_contains {
        assert!(
            f.text.contains(needle),
            "fault text {:?} lacks {needle}",
            f.text
        );
    }
    let lower = body.to_ascii_lowercase();
    for secret in [
        "sqlx",
        "sqlite",
        "panicked",
        "src/",
        ".rs:",
        "/tmp",
        "backtrace",
    ] {
        assert!(
            !lower.contains(secret),
            "the fault reveals {secret:?}: {body}"
        );
    }
    for secret in ["SELECT", "INSERT", "UPDATE "] {
        assert!(
            !body.contains(secret),
            "the fault reveals {secret:?}: {body}"
        );
    }
    let db = app.database_path().display().to_string();
    assert!(!body.contains(&db), "the fault reveals the database path");
}

fn env11(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>{inner}</soap:Body></soap:Envelope>"#
    )
}

fn env12(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap12:Envelope xmlns:soap12="{SOAP12}"><soap12:Body>{inner}</soap12:Body></soap12:Envelope>"#
    )
}

/// `<Op xmlns="http://www.ecgridos.net/">params</Op>`, params written as given.
fn op(name: &str, params: &str) -> String {
    format!(r#"<{name} xmlns="{NS}">{params}</{name}>"#)
}

fn session_log(sid: &str, user_id: Option<&str>, max: Option<&str>) -> String {
    let mut params = format!("<SessionID>{sid}</SessionID>");
    if let Some(u) = user_id {
        params.push_str(&format!("<UserID>{u}</UserID>"));
    }
    if let Some(m) = max {
        params.push_str(&format!("<MaxRecords>{m}</MaxRecords>"));
    }
    env11(&op("SessionLog", &params))
}

fn action(op: &str) -> String {
    format!("\"{NS}{op}\"")
}

/// A SOAP 1.1 `Version` call padded with a comment to exactly `len` bytes.
fn version_call_of_len(len: usize) -> Vec<u8> {
    let empty = env11(&format!("<!---->{}", op("Version", "")));
    let mut body = env11(&format!(
        "<!--{}-->{}",
        "x".repeat(len - empty.len()),
        op("Version", "")
    ))
    .into_bytes();
    body.truncate(len);
    assert_eq!(body.len(), len);
    body
}

/// Writes a raw HTTP/1.1 request and reads the reply to the end. Write errors are ignored:
/// the server may answer and close before it has read everything.
async fn raw_http(app: &TestApp, head: String, body: Vec<u8>) -> SoapReply {
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let writer = tokio::spawn(async move {
        if wr.write_all(head.as_bytes()).await.is_ok() {
            for chunk in body.chunks(16 * 1024) {
                if wr.write_all(chunk).await.is_err() {
                    break;
                }
            }
        }
        // Kept open (returned) until the reply is read: a half-close could end the exchange.
        wr
    });
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(StdDuration::from_secs(20), rd.read_to_end(&mut buf)).await;
    drop(writer);
    parse_http_reply(&buf)
}

fn parse_http_reply(buf: &[u8]) -> SoapReply {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP reply: {:?}", String::from_utf8_lossy(buf)));
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut rest = buf[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let get = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut out = Vec::new();
        let mut at = 0;
        while let Some(end) = rest[at..].windows(2).position(|w| w == b"\r\n") {
            let size_line = String::from_utf8_lossy(&rest[at..at + end]).to_string();
            let size =
                usize::from_str_radix(size_line.split(';').next().unwrap().trim(), 16).unwrap();
            at += end + 2;
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[at..at + size]);
            at += size + 2;
        }
        rest = out;
    } else if let Some(n) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        rest.truncate(n);
    }
    SoapReply {
        status,
        content_type: get("content-type").cloned().unwrap_or_default(),
        body: String::from_utf8(rest).unwrap(),
    }
}

// ---- malformed XML -------------------------------------------------------------------------

#[tokio::test]
async fn malformed_xml_unclosed_tags_are_refused() {
    let fx = Fixture::new().await;
    let body = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>{}"#,
        op("Version", "")
    );
    fx.refused(fx.post11(body), malformed(V::S11)).await;
}

#[tokio::test]
async fn malformed_xml_garbage_is_refused() {
    let fx = Fixture::new().await;
    fx.refused(fx.post11("this is { not } xml < at all"), malformed(V::S11))
        .await;
}

#[tokio::test]
async fn malformed_xml_mismatched_end_tag_is_refused() {
    let fx = Fixture::new().await;
    let body = env11(&format!(
        r#"<SessionInfo xmlns="{NS}"><SessionID>{}</SessionId></SessionInfo>"#,
        fx.sid
    ));
    fx.refused(fx.post11(body), malformed(V::S11)).await;
}

#[tokio::test]
async fn malformed_xml_over_soap12_gets_a_soap12_fault() {
    let fx = Fixture::new().await;
    fx.refused(fx.post12("<<not xml>>"), malformed(V::S12))
        .await;
}

// ---- DOCTYPE, entities, references ----------------------------------------------------------

#[tokio::test]
async fn doctype_with_billion_laughs_is_refused_unexpanded() {
    let fx = Fixture::new().await;
    let mut dtd = String::from(r#"<!ENTITY lol0 "lol">"#);
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!(r#"<!ENTITY lol{i} "{refs}">"#));
    }
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><!DOCTYPE soap:Envelope [{dtd}]><soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>{}</soap:Body></soap:Envelope>"#,
        op(
            "Login",
            &format!("<UserName>alice&lol9;</UserName><Password>{TEST_PASSWORD}</Password>")
        )
    );
    let reply = fx.refused(fx.post11(body), malformed(V::S11)).await;
    assert!(
        reply.body.len() < 4096,
        "the fault is {} bytes",
        reply.body.len()
    );
    assert!(!reply.body.contains("lollol"), "an entity was expanded");
}

#[tokio::test]
async fn doctype_with_external_entity_is_refused_without_a_fetch() {
    let fx = Fixture::new().await;
    let trap = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/secret", trap.local_addr().unwrap());
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><!DOCTYPE soap:Envelope [<!ENTITY ext SYSTEM "{url}"><!ENTITY file SYSTEM "file:///etc/passwd">]><soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>{}</soap:Body></soap:Envelope>"#,
        op(
            "SessionInfo",
            &format!("<SessionID>{}&ext;&file;</SessionID>", fx.sid)
        )
    );
    let reply = fx.refused(fx.post11(body), malformed(V::S11)).await;
    assert!(
        !reply.body.contains("root:"),
        "a file was read: {}",
        reply.body
    );
    let fetched = tokio::time::timeout(StdDuration::from_millis(300), trap.accept()).await;
    assert!(fetched.is_err(), "the server fetched the external entity");
}

#[tokio::test]
async fn doctype_without_entities_is_refused() {
    let fx = Fixture::new().await;
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><!DOCTYPE soap:Envelope><soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>{}</soap:Body></soap:Envelope>"#,
        op("Version", "")
    );
    fx.refused(fx.post11(body), malformed(V::S11)).await;
}

#[tokio::test]
async fn unknown_entity_reference_is_refused() {
    let fx = Fixture::new().await;
    let body = env11(&op(
        "SessionInfo",
        &format!("<SessionID>{}&foo;</SessionID>", fx.sid),
    ));
    fx.refused(fx.post11(body), malformed(V::S11)).await;
}

#[tokio::test]
async fn invalid_character_reference_is_refused() {
    let fx = Fixture::new().await;
    for reference in ["&#0;", "&#xD800;", "&#x110000;", "&#xZZ;"] {
        let body = env11(&op(
            "Login",
            &format!("<UserName>alice{reference}</UserName><Password>{TEST_PASSWORD}</Password>"),
        ));
        fx.refused(fx.post11(body), malformed(V::S11)).await;
    }
}

#[tokio::test]
async fn undeclared_namespace_prefix_is_refused() {
    let fx = Fixture::new().await;
    let body = env11(&format!(
        "<e:SessionInfo><e:SessionID>{}</e:SessionID></e:SessionInfo>",
        fx.sid
    ));
    fx.refused(fx.post11(body), malformed(V::S11)).await;
}

// ---- nesting and size -----------------------------------------------------------------------

/// Envelope, Body and the operation are levels 1 to 3; `levels` more go inside the operation.
fn nested_version_call(levels: usize) -> String {
    env11(&op(
        "Version",
        &format!("{}{}", "<x>".repeat(levels), "</x>".repeat(levels)),
    ))
}

#[tokio::test]
async fn nesting_deeper_than_64_is_refused() {
    let fx = Fixture::new().await;
    fx.refused(fx.post11(nested_version_call(62)), malformed(V::S11))
        .await;
    fx.refused(fx.post11(nested_version_call(10_000)), malformed(V::S11))
        .await;
    // 64 levels in all is still a request.
    let reply = fx.post11(nested_version_call(61)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

fn too_large(version: V) -> Expect {
    invalid(version, Legacy::InvalidDataLength, Item::Document).status(413)
}

#[tokio::test]
async fn body_over_the_limit_is_413_with_a_fault() {
    let fx = Fixture::new().await;
    let at_limit = fx.post11(version_call_of_len(LIMIT)).await;
    assert_eq!(
        at_limit.status, 200,
        "a body of exactly the limit is accepted"
    );
    fx.refused(fx.post11(version_call_of_len(LIMIT + 1)), too_large(V::S11))
        .await;
}

#[tokio::test]
async fn body_over_the_limit_soap12_gets_a_soap12_413() {
    let fx = Fixture::new().await;
    let mut body = env12(&op("Version", "")).into_bytes();
    body.extend(std::iter::repeat_n(b' ', LIMIT));
    fx.refused(fx.post12(body), too_large(V::S12)).await;
}

#[tokio::test]
async fn declared_content_length_over_the_limit_is_413_before_reading() {
    let fx = Fixture::new().await;
    // Only the head is sent: the answer must not wait for a body that never comes.
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {CT11}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        edigrid_testkit::SOAP_PATH,
        fx.app.addr,
        LIMIT * 64
    );
    fx.refused(raw_http(&fx.app, head, Vec::new()), too_large(V::S11))
        .await;
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_413() {
    let fx = Fixture::new().await;
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {CT11}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        edigrid_testkit::SOAP_PATH,
        fx.app.addr
    );
    let payload = version_call_of_len(LIMIT + 100);
    let mut body = Vec::new();
    for chunk in payload.chunks(8 * 1024) {
        body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    fx.refused(raw_http(&fx.app, head, body), too_large(V::S11))
        .await;
}

// ---- encodings ------------------------------------------------------------------------------

#[tokio::test]
async fn latin1_bytes_are_refused() {
    let fx = Fixture::new().await;
    let body = env11(&op(
        "Login",
        &format!("<UserName>alic\u{e9}</UserName><Password>{TEST_PASSWORD}</Password>"),
    ));
    // é as one ISO-8859-1 byte, which is not UTF-8.
    let latin1: Vec<u8> = body.chars().map(|c| u8::try_from(c).unwrap()).collect();
    fx.refused(fx.post11(latin1), malformed(V::S11)).await;
}

#[tokio::test]
async fn utf16_with_bom_is_refused() {
    let fx = Fixture::new().await;
    let body = env11(&op("Version", "")).replace("utf-8", "utf-16");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(body.encode_utf16().flat_map(u16::to_le_bytes));
    fx.refused(fx.post11(bytes), malformed(V::S11)).await;
}

#[tokio::test]
async fn xml_declaration_naming_another_encoding_is_refused() {
    let fx = Fixture::new().await;
    let body = env11(&op("Version", "")).replace("utf-8", "ISO-8859-1");
    fx.refused(fx.post11(body), malformed(V::S11)).await;
}

// ---- envelope shape -------------------------------------------------------------------------

#[tokio::test]
async fn wrong_envelope_namespace_is_refused() {
    let fx = Fixture::new().await;
    let body = env11(&op("Version", "")).replace(SOAP11, "urn:example:not-soap");
    fx.refused(fx.post11(body), malformed(V::S11)).await;
}

#[tokio::test]
async fn wrong_envelope_namespace_over_soap12_gets_a_soap12_fault() {
    let fx = Fixture::new().await;
    let body = env12(&op("Version", "")).replace(SOAP12, "urn:example:not-soap");
    fx.refused(fx.post12(body), malformed(V::S12)).await;
}

#[tokio::test]
async fn envelope_without_namespace_is_refused() {
    let fx = Fixture::new().await;
    let body = format!("<Envelope><Body>{}</Body></Envelope>", op("Version", ""));
    fx.refused(fx.post11(body), malformed(V::S11)).await;
}

#[tokio::test]
async fn root_other_than_envelope_is_refused() {
    let fx = Fixture::new().await;
    let body = format!(
        r#"<soap:Body xmlns:soap="{SOAP11}">{}</soap:Body>"#,
        op("Version", "")
    );
    fx.refused(fx.post11(body), malformed(V::S11)).await;
    fx.refused(fx.post11(op("Version", "")), malformed(V::S11))
        .await;
}

#[tokio::test]
async fn envelope_without_body_is_refused() {
    let fx = Fixture::new().await;
    let body = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP11}"><soap:Header/>{}</soap:Envelope>"#,
        op("Version", "")
    );
    fx.refused(fx.post11(body), malformed(V::S11)).await;
}

#[tokio::test]
async fn empty_body_is_refused_in_either_version() {
    let fx = Fixture::new().await;
    fx.refused(fx.post11(env11("")), malformed(V::S11)).await;
    fx.refused(fx.post11(env11("<!-- nothing -->  ")), malformed(V::S11))
        .await;
    fx.refused(fx.post12(env12("")), malformed(V::S12)).await;
}

// ---- operation and its namespace --------------------------------------------------------------

#[tokio::test]
async fn unknown_operation_names_the_operation() {
    let fx = Fixture::new().await;
    let body = env11(&op(
        "Frobnicate",
        &format!("<SessionID>{}</SessionID>", fx.sid),
    ));
    let soap_action = action("Frobnicate");
    let headers = [("SOAPAction", soap_action.as_str())];
    fx.refused(
        fx.app.post(CT11, &headers, body),
        invalid(V::S11, Legacy::DataError, Item::Is("Frobnicate")),
    )
    .await;
}

#[tokio::test]
async fn operation_in_an_unknown_namespace_is_refused() {
    let fx = Fixture::new().await;
    let body = env11(&format!(
        r#"<Logout xmlns="urn:example:other"><SessionID>{}</SessionID></Logout>"#,
        fx.sid
    ));
    fx.refused(
        fx.post11(body),
        invalid(V::S11, Legacy::DataError, Item::Is("Logout")),
    )
    .await;
}

#[tokio::test]
async fn unqualified_operation_is_refused() {
    let fx = Fixture::new().await;
    let body = env11(&format!(
        "<Logout><SessionID>{}</SessionID></Logout>",
        fx.sid
    ));
    fx.refused(
        fx.post11(body),
        invalid(V::S11, Legacy::DataError, Item::Is("Logout")),
    )
    .await;
}

// ---- content type and action ----------------------------------------------------------------

fn unsupported_media(version: V) -> Expect {
    invalid(version, Legacy::DataError, Item::Is("Content-Type")).status(415)
}

#[tokio::test]
async fn json_content_type_is_415_with_a_fault() {
    let fx = Fixture::new().await;
    let body = env11(&op("Logout", &format!("<SessionID>{}</SessionID>", fx.sid)));
    fx.refused(
        fx.app.post("application/json", &[], body),
        unsupported_media(V::S11),
    )
    .await;
}

#[tokio::test]
async fn missing_content_type_is_415_with_a_fault() {
    let fx = Fixture::new().await;
    let body = env11(&op("Logout", &format!("<SessionID>{}</SessionID>", fx.sid)));
    let request = async {
        let response = fx
            .app
            .http
            .post(fx.app.soap_url())
            .header("SOAPAction", action("Logout"))
            .body(body)
            .send()
            .await
            .unwrap();
        SoapReply::read(response).await
    };
    fx.refused(request, unsupported_media(V::S11)).await;
}

/// The media type decides how the body is read (as ASP.NET does): the fault is in its version.
fn version_mismatch(version: V) -> Expect {
    invalid(version, Legacy::DataError, Item::Is("Content-Type"))
}

#[tokio::test]
async fn soap12_envelope_sent_as_text_xml_is_refused() {
    let fx = Fixture::new().await;
    let body = env12(&op("Logout", &format!("<SessionID>{}</SessionID>", fx.sid)));
    let soap_action = action("Logout");
    let headers = [("SOAPAction", soap_action.as_str())];
    fx.refused(fx.app.post(CT11, &headers, body), version_mismatch(V::S11))
        .await;
}

#[tokio::test]
async fn soap11_envelope_sent_as_soap_xml_is_refused() {
    let fx = Fixture::new().await;
    let body = env11(&op("Logout", &format!("<SessionID>{}</SessionID>", fx.sid)));
    let ct = format!("application/soap+xml; charset=utf-8; action=\"{NS}Logout\"");
    fx.refused(fx.app.post(&ct, &[], body), version_mismatch(V::S12))
        .await;
}

fn contradiction(version: V) -> Expect {
    invalid(version, Legacy::DataError, Item::Is("SOAPAction"))
}

#[tokio::test]
async fn soapaction_contradicting_the_body_is_refused() {
    let fx = Fixture::new().await;
    // Were the body obeyed, the session would end; were the header, nothing would fail.
    let body = env11(&op("Logout", &format!("<SessionID>{}</SessionID>", fx.sid)));
    let soap_action = action("SessionInfo");
    let headers = [("SOAPAction", soap_action.as_str())];
    fx.refused(fx.app.post(CT11, &headers, body), contradiction(V::S11))
        .await;
}

#[tokio::test]
async fn soap12_action_parameter_contradicting_the_body_is_refused() {
    let fx = Fixture::new().await;
    let body = env12(&op("Logout", &format!("<SessionID>{}</SessionID>", fx.sid)));
    for ct in [
        format!("application/soap+xml; charset=utf-8; action=\"{NS}SessionInfo\""),
        format!("application/soap+xml;charset=utf-8;action={NS}WhoAmI"),
    ] {
        fx.refused(fx.app.post(&ct, &[], body.clone()), contradiction(V::S12))
            .await;
    }
}

#[tokio::test]
async fn soap12_soapaction_header_contradicting_the_body_is_refused() {
    let fx = Fixture::new().await;
    let body = env12(&op("Logout", &format!("<SessionID>{}</SessionID>", fx.sid)));
    let soap_action = action("SessionInfo");
    let headers = [("SOAPAction", soap_action.as_str())];
    let ct = "application/soap+xml; charset=utf-8";
    fx.refused(fx.app.post(ct, &headers, body), contradiction(V::S12))
        .await;
}

// ---- HTTP methods ---------------------------------------------------------------------------

async fn method_refused(method: reqwest::Method) {
    let fx = Fixture::new().await;
    let body = env11(&op("Logout", &format!("<SessionID>{}</SessionID>", fx.sid)));
    let request = async {
        let response = fx
            .app
            .http
            .request(method.clone(), fx.app.soap_url())
            .header("Content-Type", CT11)
            .header("SOAPAction", action("Logout"))
            .body(body)
            .send()
            .await
            .unwrap();
        let allow = response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_uppercase();
        let allowed: Vec<&str> = allow.split(',').map(str::trim).collect();
        assert!(
            allowed.contains(&"GET") && allowed.contains(&"POST"),
            "{method}: Allow is {allow:?}"
        );
        SoapReply::read(response).await
    };
    let expect = invalid(V::S11, Legacy::DataError, Item::Unchecked).status(405);
    fx.refused(request, expect).await;
}

#[tokio::test]
async fn put_is_405_with_allow_and_a_fault() {
    method_refused(reqwest::Method::PUT).await;
}

#[tokio::test]
async fn delete_is_405_with_allow_and_a_fault() {
    method_refused(reqwest::Method::DELETE).await;
}

#[tokio::test]
async fn patch_is_405_with_allow_and_a_fault() {
    method_refused(reqwest::Method::PATCH).await;
}

// ---- parameters ----------------------------------------------------------------------------

fn param(legacy: Legacy, item: &'static str) -> Expect {
    invalid(V::S11, legacy, Item::Is(item))
}

#[tokio::test]
async fn session_log_without_user_id_names_it() {
    let fx = Fixture::new().await;
    let body = session_log(&fx.sid, None, Some("10"));
    fx.refused(fx.post11(body), param(Legacy::DataError, "UserID"))
        .await;
}

#[tokio::test]
async fn session_log_without_max_records_names_it() {
    let fx = Fixture::new().await;
    let body = session_log(&fx.sid, Some("0"), None);
    fx.refused(fx.post11(body), param(Legacy::DataError, "MaxRecords"))
        .await;
}

#[tokio::test]
async fn empty_int_parameter_is_missing() {
    let fx = Fixture::new().await;
    for empty in ["", "   "] {
        let body = session_log(&fx.sid, Some(empty), Some("10"));
        fx.refused(fx.post11(body), param(Legacy::DataError, "UserID"))
            .await;
    }
}

#[tokio::test]
async fn non_numeric_int_is_invalid_data_type() {
    let fx = Fixture::new().await;
    for bad in ["abc", "12abc", "0x10", "1e3", "-", "١٢"] {
        let body = session_log(&fx.sid, Some(bad), Some("10"));
        fx.refused(fx.post11(body), param(Legacy::InvalidDataType, "UserID"))
            .await;
    }
}

#[tokio::test]
async fn non_numeric_int_over_soap12_gets_a_soap12_fault() {
    let fx = Fixture::new().await;
    let params = [
        ("SessionID", fx.sid.as_str()),
        ("UserID", "abc"),
        ("MaxRecords", "10"),
    ];
    fx.refused(
        fx.app.soap12("SessionLog", &params),
        invalid(V::S12, Legacy::InvalidDataType, Item::Is("UserID")),
    )
    .await;
}

#[tokio::test]
async fn fractional_short_is_invalid_data_type() {
    let fx = Fixture::new().await;
    let body = session_log(&fx.sid, Some("0"), Some("1.5"));
    fx.refused(
        fx.post11(body),
        param(Legacy::InvalidDataType, "MaxRecords"),
    )
    .await;
}

#[tokio::test]
async fn int_out_of_range_is_data_error() {
    let fx = Fixture::new().await;
    for bad in ["2147483648", "-2147483649", "99999999999999999999999"] {
        let body = session_log(&fx.sid, Some(bad), Some("10"));
        fx.refused(fx.post11(body), param(Legacy::DataError, "UserID"))
            .await;
    }
}

#[tokio::test]
async fn short_out_of_range_is_data_error() {
    let fx = Fixture::new().await;
    for bad in ["40000", "32768", "-32769"] {
        let body = session_log(&fx.sid, Some("0"), Some(bad));
        fx.refused(fx.post11(body), param(Legacy::DataError, "MaxRecords"))
            .await;
    }
}

#[tokio::test]
async fn max_records_below_one_is_invalid_parameter() {
    let fx = Fixture::new().await;
    for bad in ["0", "-1"] {
        let body = session_log(&fx.sid, Some("0"), Some(bad));
        fx.refused(fx.post11(body), param(Legacy::DataError, "MaxRecords"))
            .await;
    }
}

#[tokio::test]
async fn parameter_holding_elements_is_refused() {
    let fx = Fixture::new().await;
    let body = session_log(&fx.sid, Some("<n>1</n>"), Some("10"));
    fx.refused(fx.post11(body), param(Legacy::InvalidDataType, "UserID"))
        .await;
    let body = env11(&op(
        "Logout",
        &format!("<SessionID><id>{}</id></SessionID>", fx.sid),
    ));
    fx.refused(fx.post11(body), param(Legacy::InvalidDataType, "SessionID"))
        .await;
}

// ---- oversized strings ----------------------------------------------------------------------

#[tokio::test]
async fn login_name_over_256_characters_is_invalid_data_length() {
    let fx = Fixture::new().await;
    for name in ["a".repeat(257), "é".repeat(300), "alice".repeat(1000)] {
        let body = env11(&op(
            "Login",
            &format!("<UserName>{name}</UserName><Password>{TEST_PASSWORD}</Password>"),
        ));
        fx.refused(
            fx.post11(body),
            param(Legacy::InvalidDataLength, "UserName"),
        )
        .await;
    }
}

#[tokio::test]
async fn oversized_password_is_refused_before_hashing() {
    let fx = Fixture::new().await;
    let password = format!("{TEST_PASSWORD}{}", "x".repeat(100_000));
    let body = env11(&op(
        "Login",
        &format!("<UserName>alice</UserName><Password>{password}</Password>"),
    ));
    fx.refused(
        fx.post11(body),
        param(Legacy::InvalidDataLength, "Password"),
    )
    .await;
}

#[tokio::test]
async fn session_id_of_300_characters_is_invalid_data_length() {
    let fx = Fixture::new().await;
    let long = format!("{}{}", fx.sid, "A".repeat(300 - fx.sid.len()));
    let body = env11(&op(
        "SessionInfo",
        &format!("<SessionID>{long}</SessionID>"),
    ));
    fx.refused(
        fx.post11(body),
        param(Legacy::InvalidDataLength, "SessionID").text("SessionID"),
    )
    .await;
}

// ---- SessionID ------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_session_id_is_an_authentication_fault() {
    let fx = Fixture::new().await;
    let truncated = &fx.sid[..35];
    for bad in [
        "not-a-session",
        truncated,
        "{A1B2C3D4-E5F6-4890-ABCD-EF12345678}",
    ] {
        let params = [("SessionID", bad)];
        fx.refused(fx.app.soap("SessionInfo", &params), session_fault(V::S11))
            .await;
    }
    let params = [("SessionID", "zzz")];
    fx.refused(fx.app.soap12("WhoAmI", &params), session_fault(V::S12))
        .await;
}

#[tokio::test]
async fn empty_or_absent_session_id_is_an_authentication_fault() {
    let fx = Fixture::new().await;
    for body in [
        env11(&op("SessionInfo", "<SessionID></SessionID>")),
        env11(&op("SessionInfo", "<SessionID>   </SessionID>")),
        env11(&op("SessionInfo", "<SessionID/>")),
        env11(&op("SessionInfo", "")),
    ] {
        fx.refused(fx.post11(body), session_fault(V::S11)).await;
    }
}
