//! Optional TLS: with a certificate and key, edigrid serves HTTPS only.

use edigrid_domain::AuthLevel;
use edigrid_server::Settings;
use edigrid_testkit::{NS, TestApp, envelope11, spawn_app_with};

/// A server speaking HTTPS with a fresh self-signed certificate for 127.0.0.1; `configure`
/// may change other settings. Also returns the certificate (PEM) for a client to trust, and
/// the directory holding the certificate and key files, which must outlive the server.
pub async fn spawn_https_app(
    configure: impl FnOnce(&mut Settings),
) -> (TestApp, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let cert_pem = certified.cert.pem();
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let app = spawn_app_with(|s| {
        s.tls_cert = Some(cert);
        s.tls_key = Some(key);
        configure(s);
    })
    .await;
    (app, cert_pem, dir)
}

#[tokio::test]
async fn with_a_certificate_the_server_speaks_https_and_the_wsdl_says_so() {
    let (app, cert_pem, _certificates) = spawn_https_app(|_| {}).await;
    app.add_user("secure", AuthLevel::MailboxUser, 100, 200)
        .await;
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let base = format!("https://{}", app.addr);
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let wsdl = client
        .get(format!("{base}/v4.1/prod/ECGridOS.asmx?WSDL"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        wsdl.contains(&format!(
            r#"location="https://{}/v4.1/prod/ECGridOS.asmx""#,
            app.addr
        )),
        "{wsdl}"
    );
    let login = client
        .post(format!("{base}/v4.1/prod/ECGridOS.asmx"))
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", format!("\"{NS}Login\""))
        .body(envelope11(
            "Login",
            &[
                ("UserName", "secure"),
                ("Password", edigrid_testkit::TEST_PASSWORD),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    // Plain HTTP on the TLS port gets no answer.
    let plain = app
        .http
        .get(format!("http://{}/healthz", app.addr))
        .send()
        .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    app.stop().await;
}

#[test]
fn a_certificate_without_its_key_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_edigrid"))
        .args([
            "--database",
            &format!("sqlite://{}", dir.path().join("t.db").display()),
        ])
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            "/nonexistent.pem",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tls_cert and tls_key go together"));
}
