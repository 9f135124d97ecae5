//! Properties of the SOAP envelope reader and writer: what a client writes with proper
//! escaping reads back exactly, what the writer writes is XML a strict parser reads back to
//! the same values, and no input at all panics the reader.

use chrono::{DateTime, TimeZone, Utc};
use edigrid_domain::{Error, LegacyCode, ParamProblem};
use edigrid_soap::args::parse_args;
use edigrid_soap::envelope::{SOAP11_NS, SOAP12_NS, SoapVersion, read_request};
use edigrid_soap::operations::{DOCUMENTED, ECGRIDOS_NS, SESSION_ID_INFO};
use edigrid_soap::schema::{Value, XsdType};
use edigrid_soap::{fault_envelope, response_envelope};
use proptest::prelude::*;

/// Login's string parameters, in the order of the operation table.
const LOGIN_FIELDS: [&str; 7] = [
    "UserName",
    "Password",
    "SenderSolution",
    "SenderVersion",
    "SenderCompanyName",
    "SenderContact",
    "SenderContactEmail",
];

/// What a careful client does to text content.
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Any Unicode text without control characters or unassigned code points (the noncharacters
/// U+FFFE and U+FFFF are not XML characters at all), XML's special characters made likely.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\\p{Cc}\\p{Cn}]{0,40}",
        "[<>&\"' a;#x0-9]{0,20}",
        "[ &<]{0,3}(\\]\\]>|&amp;|<!--|-->|<!\\[CDATA\\[)[^\\p{Cc}\\p{Cn}]{0,8}",
    ]
}

fn version() -> impl Strategy<Value = SoapVersion> {
    prop_oneof![Just(SoapVersion::Soap11), Just(SoapVersion::Soap12)]
}

/// How a client may spell the envelope: its prefix, and whether the operation's namespace
/// is the default one or bound to a prefix of its own.
#[derive(Debug, Clone)]
struct Spelling {
    env_prefix: &'static str,
    op_prefix: Option<&'static str>,
    use_cdata: bool,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (
        prop_oneof![Just("soap"), Just("s"), Just("SOAP-ENV"), Just("e")],
        prop_oneof![Just(None), Just(Some("tns")), Just(Some("q1"))],
        any::<bool>(),
    )
        .prop_map(|(env_prefix, op_prefix, use_cdata)| Spelling {
            env_prefix,
            op_prefix,
            use_cdata,
        })
}

fn request_envelope(
    version: SoapVersion,
    spelling: &Spelling,
    op: &str,
    params: &[(&str, &str)],
) -> String {
    let env_ns = match version {
        SoapVersion::Soap11 => SOAP11_NS,
        SoapVersion::Soap12 => SOAP12_NS,
    };
    let p = spelling.env_prefix;
    let (open_op, qual) = match spelling.op_prefix {
        None => (format!(r#"<{op} xmlns="{ECGRIDOS_NS}">"#), String::new()),
        Some(q) => (
            format!(r#"<{q}:{op} xmlns:{q}="{ECGRIDOS_NS}">"#),
            format!("{q}:"),
        ),
    };
    let mut body = open_op;
    for (name, value) in params {
        // CDATA cannot hold "]]>", so such a value is always escaped.
        let content = if spelling.use_cdata && !value.contains("]]>") {
            format!("<![CDATA[{value}]]>")
        } else {
            escape_text(value)
        };
        body.push_str(&format!("<{qual}{name}>{content}</{qual}{name}>"));
    }
    body.push_str(&format!("</{qual}{op}>"));
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><{p}:Envelope xmlns:{p}="{env_ns}"><{p}:Body>{body}</{p}:Body></{p}:Envelope>"#
    )
}

fn strict_parse(xml: &str) -> roxmltree::Document<'_> {
    match roxmltree::Document::parse(xml) {
        Ok(doc) => doc,
        Err(e) => panic!("not well-formed ({e}): {xml:?}"),
    }
}

/// The text of the first element named `name` (any namespace); empty when it has none.
fn text_of(doc: &roxmltree::Document<'_>, name: &str) -> Option<String> {
    doc.descendants()
        .find(|n| n.tag_name().name() == name)
        .map(|n| n.text().unwrap_or("").to_string())
}

fn datetime() -> impl Strategy<Value = DateTime<Utc>> {
    // 1970 to 2100, whole seconds, as the writer writes them.
    (0i64..4_102_444_800).prop_map(|s| {
        Utc.timestamp_opt(s, 0)
            .single()
            .unwrap_or(DateTime::UNIX_EPOCH)
    })
}

/// A valid Login envelope to mutate.
fn valid_envelope() -> String {
    let spelling = Spelling {
        env_prefix: "soap",
        op_prefix: Some("e"),
        use_cdata: false,
    };
    request_envelope(
        SoapVersion::Soap11,
        &spelling,
        "Login",
        &[("UserName", "al<ice>&co"), ("Password", "p\"w'd")],
    )
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (
            any::<usize>(),
            prop::sample::select(b"<>&;/\"'=:#x ![]-?\xff".to_vec())
        )
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Remove),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let at = |i: usize, len: usize| i % len;
    match *m {
        Mutation::Flip(i, b) => {
            let i = at(i, bytes.len());
            bytes[i] ^= b;
        }
        Mutation::Insert(i, b) => {
            let i = at(i, bytes.len() + 1);
            bytes.insert(i, b);
        }
        Mutation::Remove(i) => {
            let i = at(i, bytes.len());
            bytes.remove(i);
        }
        Mutation::Truncate(i) => {
            let i = at(i, bytes.len());
            bytes.truncate(i);
        }
        Mutation::Duplicate(i, n) => {
            let i = at(i, bytes.len());
            let end = (i + n).min(bytes.len());
            let chunk = bytes[i..end].to_vec();
            bytes.splice(i..i, chunk);
        }
    }
}

/// Whatever the reader says about any input: a request, or a malformed-envelope fault
/// (`InvalidParameter`, legacy code 9 `DataError`) that the writer can put in a fault.
fn check_reader_outcome(bytes: &[u8]) {
    match read_request(bytes) {
        Ok(req) => assert!(!req.operation.is_empty()),
        Err(failure) => {
            assert_eq!(failure.error.legacy_code(), LegacyCode::DataError);
            assert_eq!(failure.error.item(), "Envelope");
            let fault = fault_envelope(
                failure.version.unwrap_or(SoapVersion::Soap11),
                &failure.error,
            );
            strict_parse(&fault);
        }
    }
}

/// An XML-looking soup: fragments that steer the reader into its branches.
fn xml_soup() -> impl Strategy<Value = String> {
    let fragment = prop::sample::select(vec![
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">",
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">",
        "</s:Envelope>",
        "<s:Body>",
        "</s:Body>",
        "<s:Header/>",
        "<Login xmlns=\"http://www.ecgridos.net/\">",
        "</Login>",
        "<UserName>",
        "</UserName>",
        "<x:y>",
        "<a>",
        "</a>",
        "<b/>",
        "&amp;",
        "&#x41;",
        "&#0;",
        "&bogus;",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "<?pi x?>",
        "<?xml version=\"1.0\" encoding=\"latin1\"?>",
        "<!DOCTYPE x>",
        "text",
        " ",
        "\"",
        "=",
        "<",
        ">",
        "&",
    ]);
    prop::collection::vec(fragment, 0..30).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// (a) A Login request with arbitrary values, escaped or in CDATA, any prefixes,
    /// either SOAP version: the reader and the argument decoding give back the values.
    #[test]
    fn request_values_round_trip(
        version in version(),
        spelling in spelling(),
        values in prop::collection::vec(text(), LOGIN_FIELDS.len()),
    ) {
        let params: Vec<(&str, &str)> = LOGIN_FIELDS
            .iter()
            .copied()
            .zip(values.iter().map(String::as_str))
            .collect();
        let xml = request_envelope(version, &spelling, "Login", &params);
        let req = match read_request(xml.as_bytes()) {
            Ok(req) => req,
            Err(f) => panic!("refused ({:?}): {xml:?}", f.error),
        };
        prop_assert_eq!(req.version, version);
        prop_assert_eq!(req.ns.as_str(), ECGRIDOS_NS);
        prop_assert_eq!(req.operation.as_str(), "Login");
        prop_assert_eq!(req.params.len(), params.len());
        for (param, (name, value)) in req.params.iter().zip(&params) {
            prop_assert_eq!(param.name.as_str(), *name);
            prop_assert_eq!(param.ns.as_deref(), Some(ECGRIDOS_NS));
            prop_assert_eq!(param.text.as_str(), *value);
            prop_assert!(!param.has_children);
        }
        let login = DOCUMENTED.operation("Login").expect("Login is in the table");
        let args = parse_args(login.params, DOCUMENTED.ns, &req.params)
            .expect("strings of at most 40 characters are accepted");
        for (name, value) in &params {
            prop_assert_eq!(args.str(name), *value);
        }
    }

    /// (a) A string result written by the writer is well-formed and reads back the same,
    /// with a strict parser and with the reader itself.
    #[test]
    fn string_response_round_trips(version in version(), value in text()) {
        let xml = response_envelope(
            version,
            ECGRIDOS_NS,
            "Login",
            &XsdType::String,
            &Value::Str(value.clone()),
        )
        .expect("a string fits a string result");
        let doc = strict_parse(&xml);
        let root = doc.root_element();
        prop_assert_eq!(root.tag_name().namespace(), Some(version.envelope_ns()));
        let response = doc
            .descendants()
            .find(|n| n.has_tag_name((ECGRIDOS_NS, "LoginResponse")));
        prop_assert!(response.is_some(), "no LoginResponse in {}", xml);
        prop_assert_eq!(text_of(&doc, "LoginResult"), Some(value.clone()));

        let back = read_request(xml.as_bytes()).expect("the reader reads the writer's envelopes");
        prop_assert_eq!(back.version, version);
        prop_assert_eq!(back.operation.as_str(), "LoginResponse");
        prop_assert_eq!(back.params.len(), 1);
        prop_assert_eq!(back.params[0].text.as_str(), value.as_str());
    }

    /// (a) A record result (SessionIDInfo): every field reads back, numbers and times too.
    #[test]
    fn record_response_round_trips(
        version in version(),
        session in text(),
        ids in (any::<i32>(), any::<i32>(), any::<i32>()),
        created in datetime(),
        expires in datetime(),
    ) {
        let value = Value::Record(vec![
            ("SessionID", Value::Str(session.clone())),
            ("UserID", Value::Int(ids.0)),
            ("NetworkID", Value::Int(ids.1)),
            ("MailboxID", Value::Int(ids.2)),
            ("Created", Value::DateTime(created)),
            ("Expires", Value::DateTime(expires)),
        ]);
        let xml = response_envelope(
            version,
            ECGRIDOS_NS,
            "SessionInfo",
            &XsdType::Complex(&SESSION_ID_INFO),
            &value,
        )
        .expect("the record fits SessionIDInfo");
        let doc = strict_parse(&xml);
        prop_assert_eq!(text_of(&doc, "SessionID"), Some(session));
        prop_assert_eq!(text_of(&doc, "UserID"), Some(ids.0.to_string()));
        prop_assert_eq!(text_of(&doc, "NetworkID"), Some(ids.1.to_string()));
        prop_assert_eq!(text_of(&doc, "MailboxID"), Some(ids.2.to_string()));
        let read_time = |name| {
            text_of(&doc, name).and_then(|t| edigrid_soap::args::parse_datetime(&t))
        };
        prop_assert_eq!(read_time("Created"), Some(created));
        prop_assert_eq!(read_time("Expires"), Some(expires));
        prop_assert!(text_of(&doc, "Created").is_some_and(|t| t.ends_with('Z')));
    }

    /// (a) A fault about an arbitrary item and detail is well-formed and carries both.
    #[test]
    fn fault_round_trips(version in version(), item in text(), detail in text()) {
        let error = Error::invalid(&item, ParamProblem::Type, detail.clone());
        let xml = fault_envelope(version, &error);
        let doc = strict_parse(&xml);
        prop_assert_eq!(text_of(&doc, "ErrorItem"), Some(item.clone()));
        prop_assert_eq!(text_of(&doc, "ErrorMessage"), Some(error.to_string()));
        prop_assert_eq!(text_of(&doc, "ErrorCode"), Some("7".to_string()));
        prop_assert_eq!(text_of(&doc, "ECGridOSSOAPErrorCode"), Some("InvalidParameter".to_string()));
        let reason = match version {
            SoapVersion::Soap11 => text_of(&doc, "faultstring"),
            SoapVersion::Soap12 => text_of(&doc, "Text"),
        };
        prop_assert!(reason.is_some_and(|r| r.contains(&detail)));
    }

    /// (b) Arbitrary bytes never panic the reader.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_reader_outcome(&bytes);
    }

    /// (b) Nor does XML-looking soup.
    #[test]
    fn xml_soup_never_panics(soup in xml_soup()) {
        check_reader_outcome(soup.as_bytes());
    }

    /// (b) Nor do mutations of a valid envelope.
    #[test]
    fn mutated_envelopes_never_panic(mutations in prop::collection::vec(mutation(), 1..6)) {
        let mut bytes = valid_envelope().into_bytes();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        check_reader_outcome(&bytes);
    }
}

#[test]
fn the_valid_envelope_really_is_valid() {
    // The mutation property starts from this; it must be a real request.
    let req = read_request(valid_envelope().as_bytes()).expect("valid");
    assert_eq!(req.operation, "Login");
    assert_eq!(req.params[0].text, "al<ice>&co");
    assert_eq!(req.params[1].text, "p\"w'd");
}
