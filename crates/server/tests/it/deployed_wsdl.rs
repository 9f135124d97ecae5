//! The deployed WSDL served by edigrid (SPEC-VAN section 12): `GET
//! /v4.1/prod/ECGridOS-deployed.wsdl` is the project's copy of the hosted service's WSDL with
//! only its addresses rewritten to this server's endpoint, built as the documented WSDL's
//! address is (public URL, else Host, forwarded headers only from trusted proxies). A zeep
//! client built from that URL alone calls the server.

use edigrid_domain::AuthLevel;
use edigrid_testkit::{SoapReply, TEST_PASSWORD, TestApp, spawn_app, spawn_app_with};

use crate::support::python::{python, repo_root};

const PATH: &str = "/v4.1/prod/ECGridOS-deployed.wsdl";
const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
const SOAP_PORT_TYPE: &str = "ECGridOS_x0020_API_x0020_v4Soap";
/// The addresses as the file holds them.
const ORIGINAL_ADDRESS: &str = "http://os.ecgrid.io/v4.1/prod/ECGridOS.asmx";

fn data_file() -> String {
    std::fs::read_to_string(repo_root().join("crates/soap/data/ECGridOS-v4.1-deployed.wsdl"))
        .unwrap()
}

fn wsdl_url(app: &TestApp) -> String {
    format!("{}{PATH}", app.base_url())
}

async fn fetch(app: &TestApp, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut request = reqwest::Client::new().get(wsdl_url(app));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let reply = SoapReply::read(request.send().await.unwrap()).await;
    (reply.status, reply.content_type, reply.body)
}

/// The `location` of every service address (SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST).
fn addresses(wsdl: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(wsdl).unwrap();
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "address")
        .map(|n| n.attribute("location").unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_deployed_wsdl_is_served_with_only_its_addresses_rewritten() {
    let app = spawn_app().await;
    let (status, content_type, body) = fetch(&app, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(content_type.starts_with("text/xml"), "{content_type}");

    let doc = roxmltree::Document::parse(&body).expect("the served WSDL parses");
    let root = doc.root_element();
    assert_eq!(
        root.attribute("targetNamespace"),
        Some("https://os.ecgrid.io/")
    );
    let operations = doc
        .descendants()
        .filter(|n| n.has_tag_name((WSDL_NS, "portType")))
        .find(|n| n.attribute("name") == Some(SOAP_PORT_TYPE))
        .expect("the SOAP port type")
        .children()
        .filter(|n| n.has_tag_name((WSDL_NS, "operation")))
        .count();
    assert_eq!(operations, 221);

    assert_eq!(addresses(&body), vec![app.soap_url(); 4]);
    assert_eq!(
        body.replace(&app.soap_url(), ORIGINAL_ADDRESS),
        data_file(),
        "nothing but the addresses differs from the data file"
    );

    // `?WSDL` on the endpoint stays the documented dialect's.
    let documented = app.wsdl().await;
    let doc = roxmltree::Document::parse(&documented).unwrap();
    assert_eq!(
        doc.root_element().attribute("targetNamespace"),
        Some("http://www.ecgridos.net/")
    );
}

#[tokio::test]
async fn the_addresses_follow_host_and_trusted_forwarded_headers_only() {
    // From an untrusted peer: the Host header, never the forwarded ones.
    let app = spawn_app().await;
    let forwarded = [
        ("Host", "edi.example.com:8443"),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "proxy.example.net"),
    ];
    let (_, _, body) = fetch(&app, &forwarded).await;
    assert_eq!(
        addresses(&body),
        vec!["http://edi.example.com:8443/v4.1/prod/ECGridOS.asmx"; 4]
    );

    // Behind a trusted proxy: the forwarded scheme and host.
    let proxied = spawn_app_with(|s| {
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let (_, _, body) = fetch(&proxied, &forwarded).await;
    assert_eq!(
        addresses(&body),
        vec!["https://proxy.example.net/v4.1/prod/ECGridOS.asmx"; 4]
    );

    // A configured public URL wins over both.
    let public = spawn_app_with(|s| {
        s.public_url = Some("https://edi.example.org/".into());
    })
    .await;
    let (_, _, body) = fetch(&public, &forwarded).await;
    assert_eq!(
        addresses(&body),
        vec!["https://edi.example.org/v4.1/prod/ECGridOS.asmx"; 4]
    );
    // The documented WSDL's address is built the same way.
    let documented = public.wsdl().await;
    assert_eq!(
        addresses(&documented),
        vec!["https://edi.example.org/v4.1/prod/ECGridOS.asmx"; 2]
    );
}

/// Builds a zeep client from the served URL only (no local copy of the WSDL), with the
/// offline transport of `deployed_flow.py` (the SOAP encoding schema from a local file), and
/// calls Login and WhoAmI on the port of the given SOAP version. The transport refuses to
/// post anywhere but `endpoint`, so the call proves the rewritten address is used.
const ZEEP_FROM_URL: &str = r#"
import sys
sys.path.insert(0, "tests/clients/python")
from deployed_flow import OfflineTransport
from zeep import Client, Settings
from zeep.transports import Transport

wsdl_url, endpoint, soap, login, password = sys.argv[1:6]

class ServedTransport(OfflineTransport):
    def load(self, url):
        if url == wsdl_url:
            return Transport.load(self, url)
        return super().load(url)

transport = ServedTransport(endpoint)
client = Client(wsdl_url, transport=transport, settings=Settings(strict=True))
assert transport.served, "the SOAP encoding schema came from the local file"
port = "ECGridOS_x0020_API_x0020_v4Soap" + ("12" if soap == "1.2" else "")
service = client.bind("ECGridOS_x0020_API_x0020_v4", port)
assert service._binding_options["address"] == endpoint, service._binding_options
sid = service.Login(LoginName=login, Password=password)
me = service.WhoAmI(SessionID=sid)
assert me.SessionID == sid and me.LoginName == login, me
print("WhoAmI", me.LoginName, me.AuthLevel)
print("PASS")
"#;

async fn zeep_from_served_url(soap: &str) {
    let app = spawn_app().await;
    app.add_user("integrator", AuthLevel::MailboxAdmin, 100, 200)
        .await;
    let ran = python(&[
        "-c",
        ZEEP_FROM_URL,
        &wsdl_url(&app),
        &app.soap_url(),
        soap,
        "integrator",
        TEST_PASSWORD,
    ])
    .await;
    ran.assert_passed(&format!("zeep from the served WSDL, SOAP {soap}"), "PASS");
    let stdout = ran.stdout;
    assert!(
        stdout.contains("WhoAmI integrator MailboxAdmin"),
        "{stdout}"
    );
    let sessions = app.core.list_sessions(None, 10).await.unwrap();
    assert_eq!(sessions.len(), 1, "zeep's Login opened one session");
}

#[tokio::test]
async fn zeep_built_from_the_served_wsdl_calls_login_and_who_am_i_over_soap_11() {
    zeep_from_served_url("1.1").await;
}

#[tokio::test]
async fn zeep_built_from_the_served_wsdl_calls_login_and_who_am_i_over_soap_12() {
    zeep_from_served_url("1.2").await;
}
