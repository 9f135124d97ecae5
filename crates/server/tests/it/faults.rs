//! The fault contract of SPEC section 3: every kind of fault, in SOAP 1.1 and 1.2, with its
//! code, text, HTTP status and the five unqualified detail elements.

use chrono::Duration;
use edigrid_domain::AuthLevel;
use edigrid_testkit::{
    Fault, SOAP11, SOAP12, SoapReply, TEST_PASSWORD, TestApp, envelope11, envelope12, spawn_app,
};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const DETAIL_CHILDREN: [&str; 5] = [
    "ECGridOSSOAPErrorCode",
    "ErrorCode",
    "ErrorString",
    "ErrorItem",
    "ErrorMessage",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Soap {
    V11,
    V12,
}

const BOTH: [Soap; 2] = [Soap::V11, Soap::V12];

/// What a fault must say, besides its human text.
struct Kind {
    /// The caller's error (`Client` / `Sender`) rather than the server's.
    client: bool,
    category: &'static str,
    code: i16,
    string: &'static str,
}

const SESSION_TIMEOUT: Kind = Kind {
    client: true,
    category: "Authentication",
    code: 1,
    string: "SessionTimeout",
};
const LOGIN_REFUSED: Kind = Kind {
    client: true,
    category: "Authentication",
    code: 2,
    string: "AccessDenied",
};
const NOT_AUTHORIZED: Kind = Kind {
    client: true,
    category: "Authorization",
    code: 2,
    string: "AccessDenied",
};
const NOT_FOUND: Kind = Kind {
    client: true,
    category: "ObjectNotFound",
    code: 3,
    string: "NotFound",
};
const INVALID_DATA_TYPE: Kind = Kind {
    client: true,
    category: "InvalidParameter",
    code: 7,
    string: "InvalidDataType",
};
const INVALID_DATA_LENGTH: Kind = Kind {
    client: true,
    category: "InvalidParameter",
    code: 8,
    string: "InvalidDataLength",
};
const DATA_ERROR: Kind = Kind {
    client: true,
    category: "InvalidParameter",
    code: 9,
    string: "DataError",
};
const INTERNAL_ERROR: Kind = Kind {
    client: false,
    category: "SystemError",
    code: 11,
    string: "InternalError",
};

async fn call(app: &TestApp, soap: Soap, op: &str, params: &[(&str, &str)]) -> SoapReply {
    match soap {
        Soap::V11 => app.soap(op, params).await,
        Soap::V12 => app.soap12(op, params).await,
    }
}

/// Posts a raw body as the given SOAP version, without an action.
async fn post_raw(app: &TestApp, soap: Soap, body: &str) -> SoapReply {
    let content_type = match soap {
        Soap::V11 => "text/xml; charset=utf-8",
        Soap::V12 => "application/soap+xml; charset=utf-8",
    };
    app.post(content_type, &[], body.to_string()).await
}

fn element_children<'a, 'i>(node: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    node.children().filter(|n| n.is_element()).collect()
}

fn only_child<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    ns: Option<&str>,
    name: &str,
) -> roxmltree::Node<'a, 'i> {
    let found: Vec<_> = element_children(node)
        .into_iter()
        .filter(|n| n.tag_name().name() == name)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one <{name}> in <{}>",
        node.tag_name().name()
    );
    assert_eq!(found[0].tag_name().namespace(), ns, "namespace of <{name}>");
    found[0]
}

/// A QName value (`soap:Client`) whose prefix must be bound to `ns` where it is written.
fn assert_qname(node: roxmltree::Node, ns: &str, local: &str) {
    let text = node.text().unwrap_or("").trim();
    let (prefix, name) = text
        .split_once(':')
        .unwrap_or_else(|| panic!("{text:?} is not a prefixed QName"));
    assert_eq!(name, local, "fault code {text:?}");
    assert_eq!(
        node.lookup_namespace_uri(Some(prefix)),
        Some(ns),
        "prefix of {text:?} must name the envelope namespace"
    );
}

/// Checks everything section 3 says about a fault's envelope and returns its parts.
fn check_fault(reply: &SoapReply, soap: Soap, kind: &Kind) -> Fault {
    assert_eq!(reply.status, 500, "a fault is HTTP 500: {}", reply.body);
    let (env_ns, content_type) = match soap {
        Soap::V11 => (SOAP11, "text/xml"),
        Soap::V12 => (SOAP12, "application/soap+xml"),
    };
    assert!(
        reply.content_type.starts_with(content_type),
        "content type {:?} for {soap:?}",
        reply.content_type
    );
    let doc = roxmltree::Document::parse(&reply.body)
        .unwrap_or_else(|e| panic!("fault is not XML ({e}): {}", reply.body));
    let envelope = doc.root_element();
    assert_eq!(envelope.tag_name().name(), "Envelope");
    assert_eq!(envelope.tag_name().namespace(), Some(env_ns));
    let body = only_child(envelope, Some(env_ns), "Body");
    let fault = only_child(body, Some(env_ns), "Fault");
    assert_eq!(element_children(body).len(), 1, "Body holds only the Fault");

    let detail = match soap {
        Soap::V11 => {
            let code = only_child(fault, None, "faultcode");
            assert_qname(code, SOAP11, if kind.client { "Client" } else { "Server" });
            let text = only_child(fault, None, "faultstring");
            assert!(!text.text().unwrap_or("").trim().is_empty(), "faultstring");
            only_child(fault, None, "detail")
        }
        Soap::V12 => {
            let code = only_child(fault, Some(SOAP12), "Code");
            let value = only_child(code, Some(SOAP12), "Value");
            assert_qname(
                value,
                SOAP12,
                if kind.client { "Sender" } else { "Receiver" },
            );
            let reason = only_child(fault, Some(SOAP12), "Reason");
            let text = only_child(reason, Some(SOAP12), "Text");
            assert_eq!(text.attribute((XML_NS, "lang")), Some("en"), "xml:lang");
            assert!(!text.text().unwrap_or("").trim().is_empty(), "Reason/Text");
            only_child(fault, Some(SOAP12), "Detail")
        }
    };
    for name in DETAIL_CHILDREN {
        // `only_child` also checks that each is unqualified (no namespace).
        only_child(detail, None, name);
    }

    let fault = reply.expect_fault();
    assert_eq!(fault.category, kind.category, "{fault:?}");
    assert_eq!(
        fault.error_code.trim().parse::<i16>().ok(),
        Some(kind.code),
        "{fault:?}"
    );
    assert_eq!(fault.error_string, kind.string, "{fault:?}");
    assert!(!fault.message.trim().is_empty(), "ErrorMessage: {fault:?}");
    fault
}

/// No SQL, no stack, no file paths in anything a client sees.
fn assert_reveals_nothing(app: &TestApp, reply: &SoapReply, fault: &Fault) {
    let shown = format!(
        "{} {} {} {}",
        fault.text, fault.error_string, fault.item, fault.message
    )
    .to_lowercase();
    for word in [
        "sqlx",
        "sqlite",
        "sql",
        "table",
        "no such",
        "panic",
        "backtrace",
        ".rs",
        ".db",
        "/",
        "\\",
    ] {
        assert!(!shown.contains(word), "fault reveals {word:?}: {fault:?}");
    }
    let dir = app.database_path();
    let dir = dir.parent().unwrap().display().to_string();
    assert!(
        !reply.body.contains(&dir),
        "fault reveals a path: {}",
        reply.body
    );
    assert!(
        !reply.body.to_lowercase().contains("sqlite"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn session_problems_are_session_timeout_faults_mentioning_session_id() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let ended = app.login("alice").await;
    let out = app.soap("Logout", &[("SessionID", &ended)]).await;
    assert_eq!(out.field("LogoutResult").as_deref(), Some("true"));
    let expired = app.login("alice").await;
    app.clock.advance(Duration::minutes(61));

    let cases: [(&str, Option<&str>); 5] = [
        ("unknown", Some("0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9")),
        ("expired", Some(&expired)),
        ("ended", Some(&ended)),
        ("malformed", Some("not-a-session-id")),
        ("missing", None),
    ];
    for soap in BOTH {
        for (case, sid) in cases {
            let params: Vec<(&str, &str)> = sid.map(|s| ("SessionID", s)).into_iter().collect();
            let reply = call(&app, soap, "SessionInfo", &params).await;
            let fault = check_fault(&reply, soap, &SESSION_TIMEOUT);
            assert!(
                fault.text.contains("SessionID"),
                "{case} ({soap:?}): {fault:?}"
            );
            assert_eq!(fault.item, "SessionID", "{case} ({soap:?})");
        }
    }
}

/// Refusals of a login for four different reasons, in one SOAP version.
async fn refused_logins(app: &TestApp, soap: Soap) -> Vec<(&'static str, Fault)> {
    let attempt = |login: &'static str, password: &'static str| async move {
        call(
            app,
            soap,
            "Login",
            &[("UserName", login), ("Password", password)],
        )
        .await
    };
    let mut faults = Vec::new();
    let reply = attempt("nobody-here", TEST_PASSWORD).await;
    faults.push(("unknown user", check_fault(&reply, soap, &LOGIN_REFUSED)));
    let reply = attempt("wrongpw", "Wrong#Pass9").await;
    faults.push(("wrong password", check_fault(&reply, soap, &LOGIN_REFUSED)));
    let reply = attempt("suspended", TEST_PASSWORD).await;
    faults.push(("suspended", check_fault(&reply, soap, &LOGIN_REFUSED)));
    let reply = attempt("locked", TEST_PASSWORD).await;
    faults.push(("locked out", check_fault(&reply, soap, &LOGIN_REFUSED)));
    faults
}

#[tokio::test]
async fn refused_logins_are_access_denied_and_indistinguishable() {
    let app = spawn_app().await;
    app.add_user("wrongpw", AuthLevel::MailboxUser, 100, 200)
        .await;
    let suspended = app
        .add_user("suspended", AuthLevel::MailboxUser, 100, 200)
        .await;
    app.core.suspend_user(suspended).await.unwrap();
    app.add_user("locked", AuthLevel::MailboxUser, 100, 200)
        .await;
    for _ in 0..5 {
        app.soap(
            "Login",
            &[("UserName", "locked"), ("Password", "Wrong#Pass9")],
        )
        .await
        .expect_fault();
    }

    for soap in BOTH {
        let faults = refused_logins(&app, soap).await;
        let (_, first) = &faults[0];
        for (case, fault) in &faults {
            assert_eq!(fault, first, "{case} differs from unknown user ({soap:?})");
            let text = fault.text.to_lowercase();
            for telltale in [
                "unknown",
                "not found",
                "no such",
                "does not exist",
                "exists",
                "suspended",
                "locked",
                "nobody-here",
            ] {
                assert!(
                    !text.contains(telltale),
                    "{case}: the text says {telltale:?}: {fault:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn reading_another_users_log_without_authority_is_authorization() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let bob = app.add_user("bob", AuthLevel::MailboxUser, 100, 200).await;
    let sid = app.login("alice").await;
    let bob = bob.to_string();
    for soap in BOTH {
        let reply = call(
            &app,
            soap,
            "SessionLog",
            &[("SessionID", &sid), ("UserID", &bob), ("MaxRecords", "10")],
        )
        .await;
        check_fault(&reply, soap, &NOT_AUTHORIZED);
    }
}

#[tokio::test]
async fn unknown_user_for_an_operator_is_object_not_found() {
    let app = spawn_app().await;
    app.add_user("root", AuthLevel::Root, 100, 200).await;
    let sid = app.login("root").await;
    for soap in BOTH {
        let reply = call(
            &app,
            soap,
            "SessionLog",
            &[
                ("SessionID", &sid),
                ("UserID", "999999"),
                ("MaxRecords", "10"),
            ],
        )
        .await;
        let fault = check_fault(&reply, soap, &NOT_FOUND);
        assert_eq!(fault.item, "UserID", "{fault:?}");
    }
}

#[tokio::test]
async fn a_non_number_is_invalid_data_type() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let sid = app.login("alice").await;
    for soap in BOTH {
        let reply = call(
            &app,
            soap,
            "SessionLog",
            &[("SessionID", &sid), ("UserID", "abc"), ("MaxRecords", "10")],
        )
        .await;
        let fault = check_fault(&reply, soap, &INVALID_DATA_TYPE);
        assert_eq!(fault.item, "UserID", "{fault:?}");
    }
}

#[tokio::test]
async fn a_too_long_string_is_invalid_data_length() {
    let app = spawn_app().await;
    let long = "a".repeat(300);
    for soap in BOTH {
        let reply = call(
            &app,
            soap,
            "Login",
            &[("UserName", &long), ("Password", TEST_PASSWORD)],
        )
        .await;
        let fault = check_fault(&reply, soap, &INVALID_DATA_LENGTH);
        assert_eq!(fault.item, "UserName", "{fault:?}");
        assert!(!fault.text.contains(&long), "the value is not echoed");
    }
}

#[tokio::test]
async fn out_of_range_missing_or_malformed_input_is_data_error() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let sid = app.login("alice").await;
    for soap in BOTH {
        let out_of_range = call(
            &app,
            soap,
            "SessionLog",
            &[
                ("SessionID", &sid),
                ("UserID", "0"),
                ("MaxRecords", "40000"),
            ],
        )
        .await;
        let fault = check_fault(&out_of_range, soap, &DATA_ERROR);
        assert_eq!(fault.item, "MaxRecords", "{fault:?}");

        let missing = call(
            &app,
            soap,
            "SessionLog",
            &[("SessionID", &sid), ("MaxRecords", "10")],
        )
        .await;
        let fault = check_fault(&missing, soap, &DATA_ERROR);
        assert_eq!(fault.item, "UserID", "{fault:?}");

        let whole = match soap {
            Soap::V11 => envelope11("Version", &[]),
            Soap::V12 => envelope12("Version", &[]),
        };
        let truncated = &whole[..whole.len() - 20];
        let malformed = post_raw(&app, soap, truncated).await;
        check_fault(&malformed, soap, &DATA_ERROR);
    }
    assert!(app.is_alive().await);
}

#[tokio::test]
async fn a_broken_database_is_a_server_fault_that_reveals_nothing() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let sid = app.login("alice").await;

    let url = format!("sqlite://{}", app.database_path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("DROP TABLE sessions")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    for soap in BOTH {
        let reply = call(&app, soap, "SessionInfo", &[("SessionID", &sid)]).await;
        let fault = check_fault(&reply, soap, &INTERNAL_ERROR);
        assert_reveals_nothing(&app, &reply, &fault);
        assert!(
            !fault.text.contains("SessionID"),
            "a server failure is not a session problem: {fault:?}"
        );

        let reply = call(
            &app,
            soap,
            "Login",
            &[("UserName", "alice"), ("Password", TEST_PASSWORD)],
        )
        .await;
        let fault = check_fault(&reply, soap, &INTERNAL_ERROR);
        assert_reveals_nothing(&app, &reply, &fault);
    }
    assert!(app.is_alive().await, "the server stays up");
}
