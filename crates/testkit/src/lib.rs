//! Test helpers: a real edigrid on port 0 with its own fresh database and a clock the test
//! controls, plus small SOAP helpers. Every test gets its own server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use chrono::{SubsecRound, Utc};
use edigrid_core::store::Person;
use edigrid_core::{Core, ManualClock, NewUserRequest};
use edigrid_domain::{AuthLevel, MailboxId, NetworkId, UserId};
use edigrid_server::{Application, Settings};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

mod directory;

pub use directory::{Directory, DirectoryBuilder};
pub use edigrid_soap::SOAP_PATH;

/// The password every test user gets.
pub const TEST_PASSWORD: &str = "Test#Pass1";
/// The documented dialect's namespace.
pub const NS: &str = "http://www.ecgridos.net/";
/// The deployed v4.1 dialect's namespace (the hosted service's WSDL).
pub const DEPLOYED_NS: &str = "https://os.ecgrid.io/";
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

pub struct TestApp {
    pub addr: SocketAddr,
    pub clock: ManualClock,
    pub core: Core,
    pub settings: Settings,
    pub http: reqwest::Client,
    dir: Arc<TempDir>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

/// A stopped server whose database is kept, to start again.
pub struct StoppedApp {
    pub settings: Settings,
    pub clock: ManualClock,
    dir: Arc<TempDir>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Routes between networks without an interconnect (`require_interconnect = "never"`), for
/// the parcel tests, whose mailboxes sit in two networks and which are about parcels, not
/// interconnects (`relations.rs` tests those, and the default, `cross-network`).
pub fn open_routes(settings: &mut Settings) {
    settings.require_interconnect = edigrid_core::RequireInterconnect::Never;
}

/// [`spawn_app`] with [`open_routes`].
pub async fn spawn_app_open_routes() -> TestApp {
    spawn_app_with(open_routes).await
}

/// [`spawn_app`] on another database with [`open_routes`].
pub async fn spawn_app_open_routes_on(database: String) -> TestApp {
    spawn_app_with(|s| {
        s.database = database;
        open_routes(s);
    })
    .await
}

/// Starts a server; `configure` may change any setting. The throttle is off unless set.
/// Password hashing runs at its `nice` only, not in the idle scheduling class: the suite
/// runs many servers and clients at once on a machine it keeps busy, where idle-class
/// logins would wait on everything else (the class itself is tested in `edigrid-core`).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let mut settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: format!("sqlite://{}", dir.path().join("edigrid.db").display()),
        login_throttle_per_minute: 0,
        hash_thread_idle: false,
        ..Settings::default()
    };
    configure(&mut settings);
    let clock = ManualClock::new(Utc::now().trunc_subsecs(0));
    start(settings, clock, dir).await
}

/// A database URL for a fresh, empty PostgreSQL schema, or `None` when
/// `EDIGRID_TEST_DATABASE_URL` is not set (`scripts/test` always sets it).
pub async fn fresh_postgres_url() -> Option<String> {
    let base = std::env::var("EDIGRID_TEST_DATABASE_URL").ok()?;
    let schema = format!("it_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&base)
        .await
        .expect("PostgreSQL is reachable");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
}

/// `n` servers on one database (`database`), sharing one clock: nodes of one service.
pub async fn spawn_nodes(
    n: usize,
    database: &str,
    configure: impl Fn(&mut Settings),
) -> Vec<TestApp> {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let clock = ManualClock::new(Utc::now().trunc_subsecs(0));
    let mut nodes = Vec::new();
    for _ in 0..n {
        let mut settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database: database.to_string(),
            login_throttle_per_minute: 0,
            hash_thread_idle: false,
            ..Settings::default()
        };
        configure(&mut settings);
        nodes.push(start(settings, clock.clone(), dir.clone()).await);
    }
    nodes
}

async fn start(settings: Settings, clock: ManualClock, dir: Arc<TempDir>) -> TestApp {
    let app = Application::build(settings.clone(), Arc::new(clock.clone()))
        .await
        .expect("the server builds");
    let addr = app.local_addr();
    let core = app.core().clone();
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp {
        addr,
        clock,
        core,
        settings,
        http: reqwest::Client::new(),
        dir,
        shutdown: Some(tx),
        task: Some(task),
    }
}

impl StoppedApp {
    /// Starts a new server on the same database file (on a new port).
    pub async fn start(self) -> TestApp {
        let mut settings = self.settings;
        settings.listen = "127.0.0.1:0".parse().unwrap();
        start(settings, self.clock, self.dir).await
    }
}

impl TestApp {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn soap_url(&self) -> String {
        format!("http://{}{SOAP_PATH}", self.addr)
    }

    pub fn wsdl_url(&self) -> String {
        format!("{}?WSDL", self.soap_url())
    }

    /// The documented WSDL as the server serves it (`?WSDL` on the SOAP endpoint).
    pub async fn wsdl(&self) -> String {
        let response = self.http.get(self.wsdl_url()).send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {}", self.wsdl_url());
        response.text().await.unwrap()
    }

    pub fn database_path(&self) -> std::path::PathBuf {
        self.dir.path().join("edigrid.db")
    }

    /// Stops the server (requests under way finish) and keeps its database.
    pub async fn stop(mut self) -> StoppedApp {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
        StoppedApp {
            settings: self.settings.clone(),
            clock: self.clock.clone(),
            dir: self.dir.clone(),
        }
    }

    /// Creates network and mailbox if needed, then a user with [`TEST_PASSWORD`].
    pub async fn add_user(
        &self,
        login: &str,
        level: AuthLevel,
        network: i32,
        mailbox: i32,
    ) -> UserId {
        let person = Person {
            first_name: "Test".into(),
            last_name: login.into(),
            email: format!("{login}@example.com"),
            company: "Test Co".into(),
            phone: String::new(),
            ..Default::default()
        };
        self.add_user_with(login, level, network, mailbox, person)
            .await
    }

    /// Like [`TestApp::add_user`], with the person's names, e-mail, company and phone given.
    pub async fn add_user_with(
        &self,
        login: &str,
        level: AuthLevel,
        network: i32,
        mailbox: i32,
        person: Person,
    ) -> UserId {
        self.add_mailbox(network, mailbox).await;
        self.core
            .add_user(NewUserRequest {
                login: login.into(),
                password: TEST_PASSWORD.into(),
                network_id: NetworkId(network),
                mailbox_id: MailboxId(mailbox),
                auth_level: level,
                person,
            })
            .await
            .unwrap()
    }

    /// A SOAP 1.1 call whose operation element is in namespace `ns`, with the SOAPAction
    /// `"{ns}{op}"`, from 127.0.0.1.
    pub async fn soap_in(&self, ns: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
        self.soap_in_from(&self.http, ns, op, params).await
    }

    /// A SOAP 1.1 call in namespace `ns` that must succeed (HTTP 200, no fault).
    pub async fn soap_ok_in(&self, ns: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
        let reply = self.soap_in(ns, op, params).await;
        assert!(
            reply.status == 200 && reply.fault().is_none(),
            "{op} in {ns} {params:?}: want a result, got {}: {}",
            reply.status,
            reply.body
        );
        reply
    }

    /// A SOAP 1.2 call whose operation element is in namespace `ns`, with the action
    /// `"{ns}{op}"` in the content type.
    pub async fn soap12_in(&self, ns: &str, op: &str, params: &[(&str, &str)]) -> SoapReply {
        let ct = format!("application/soap+xml; charset=utf-8; action=\"{ns}{op}\"");
        self.post_with(&self.http, &ct, &[], envelope12_in(ns, op, params))
            .await
    }

    /// A SOAP 1.1 call with simple parameters, from 127.0.0.1.
    pub async fn soap(&self, op: &str, params: &[(&str, &str)]) -> SoapReply {
        self.soap_from(&self.http, op, params).await
    }

    pub async fn soap_from(
        &self,
        client: &reqwest::Client,
        op: &str,
        params: &[(&str, &str)],
    ) -> SoapReply {
        self.soap_in_from(client, NS, op, params).await
    }

    async fn soap_in_from(
        &self,
        client: &reqwest::Client,
        ns: &str,
        op: &str,
        params: &[(&str, &str)],
    ) -> SoapReply {
        let action = format!("\"{ns}{op}\"");
        self.post_with(
            client,
            "text/xml; charset=utf-8",
            &[("SOAPAction", &action)],
            envelope11_in(ns, op, params),
        )
        .await
    }

    /// A SOAP 1.2 call with simple parameters.
    pub async fn soap12(&self, op: &str, params: &[(&str, &str)]) -> SoapReply {
        self.soap12_in(NS, op, params).await
    }

    /// Posts any body with any content type and headers to the SOAP endpoint.
    pub async fn post(
        &self,
        content_type: &str,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> SoapReply {
        self.post_with(&self.http, content_type, headers, body)
            .await
    }

    pub async fn post_with(
        &self,
        client: &reqwest::Client,
        content_type: &str,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> SoapReply {
        let mut request = client
            .post(self.soap_url())
            .header("Content-Type", content_type);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = request.body(body).send().await.unwrap();
        SoapReply::read(response).await
    }

    /// Logs in over SOAP 1.1 with [`TEST_PASSWORD`]; panics unless a SessionID comes back.
    pub async fn login(&self, login: &str) -> String {
        self.login_from(&self.http, login).await
    }

    pub async fn login_from(&self, client: &reqwest::Client, login: &str) -> String {
        let reply = self
            .soap_from(
                client,
                "Login",
                &[("UserName", login), ("Password", TEST_PASSWORD)],
            )
            .await;
        assert_eq!(reply.status, 200, "login of {login} failed: {}", reply.body);
        reply.field("LoginResult").unwrap()
    }

    /// True when the server still answers a SOAP call (`Version`).
    pub async fn is_alive(&self) -> bool {
        let reply = self.soap("Version", &[]).await;
        reply.status == 200 && reply.field("VersionResult").as_deref() == Some("4.1")
    }
}

/// An HTTP client whose connections come from `ip` (any 127.x.y.z works on loopback).
pub fn client_from(ip: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip)
        .build()
        .unwrap()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn params_xml(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("<{k}>{}</{k}>", escape(v)))
        .collect()
}

pub fn envelope11(op: &str, params: &[(&str, &str)]) -> String {
    envelope11_in(NS, op, params)
}

pub fn envelope12(op: &str, params: &[(&str, &str)]) -> String {
    envelope12_in(NS, op, params)
}

/// A SOAP 1.1 envelope whose operation element is in namespace `ns`.
pub fn envelope11_in(ns: &str, op: &str, params: &[(&str, &str)]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><{op} xmlns="{ns}">{}</{op}></soap:Body></soap:Envelope>"#,
        params_xml(params)
    )
}

/// A SOAP 1.2 envelope whose operation element is in namespace `ns`.
pub fn envelope12_in(ns: &str, op: &str, params: &[(&str, &str)]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap12:Envelope xmlns:soap12="{SOAP12}"><soap12:Body><{op} xmlns="{ns}">{}</{op}></soap12:Body></soap12:Envelope>"#,
        params_xml(params)
    )
}

/// A response from the SOAP endpoint.
#[derive(Debug, Clone)]
pub struct SoapReply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

/// The parts of a fault, read from either SOAP version.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// `soap:Client`, `soap:Server`, `soap12:Sender` or `soap12:Receiver`.
    pub code: String,
    pub text: String,
    pub category: String,
    pub error_code: String,
    pub error_string: String,
    pub item: String,
    pub message: String,
}

impl SoapReply {
    pub async fn read(response: reqwest::Response) -> SoapReply {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = response.text().await.unwrap();
        SoapReply {
            status,
            content_type,
            body,
        }
    }

    /// Text of the first element with this local name.
    pub fn field(&self, name: &str) -> Option<String> {
        self.all(name).into_iter().next()
    }

    /// Text of the first element with this local name; panics, showing the body, if none.
    pub fn expect_field(&self, name: &str) -> String {
        self.field(name)
            .unwrap_or_else(|| panic!("no <{name}> in {}", self.body))
    }

    /// Texts of every element with this local name, in document order.
    pub fn all(&self, name: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(&self.body)
            .unwrap_or_else(|e| panic!("not XML ({e}): {}", self.body));
        doc.descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == name)
            .map(|n| n.text().unwrap_or("").to_string())
            .collect()
    }

    /// The fault, if this is one; checks the envelope shape of its SOAP version.
    pub fn fault(&self) -> Option<Fault> {
        let doc = roxmltree::Document::parse(&self.body).ok()?;
        let fault = doc.descendants().find(|n| n.tag_name().name() == "Fault")?;
        let child = |name: &str| {
            fault
                .descendants()
                .find(|n| n.is_element() && n.tag_name().name() == name)
                .and_then(|n| n.text())
                .unwrap_or("")
                .to_string()
        };
        let (code, text) = if fault.tag_name().namespace() == Some(SOAP12) {
            (child("Value"), child("Text"))
        } else {
            (child("faultcode"), child("faultstring"))
        };
        Some(Fault {
            code,
            text,
            category: child("ECGridOSSOAPErrorCode"),
            error_code: child("ErrorCode"),
            error_string: child("ErrorString"),
            item: child("ErrorItem"),
            message: child("ErrorMessage"),
        })
    }

    /// The fault, or a panic naming what came instead.
    pub fn expect_fault(&self) -> Fault {
        self.fault()
            .unwrap_or_else(|| panic!("expected a fault, got {}: {}", self.status, self.body))
    }
}
