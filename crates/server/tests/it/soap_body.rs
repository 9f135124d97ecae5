//! WS-I Basic Profile R9981: the SOAP Body holds exactly one element, the operation. A Body
//! with more is a client fault (ErrorCode 9), and none of its elements is executed.

use edigrid_domain::AuthLevel;
use edigrid_testkit::{NS, SOAP11, SOAP12, TestApp, spawn_app};

const DEPLOYED: &str = "https://os.ecgrid.io/";

fn logout(ns: &str, sid: &str) -> String {
    format!(r#"<Logout xmlns="{ns}"><SessionID>{sid}</SessionID></Logout>"#)
}

async fn post(app: &TestApp, soap12: bool, body: &str) -> edigrid_testkit::SoapReply {
    let (env_ns, content_type) = if soap12 {
        (SOAP12, "application/soap+xml; charset=utf-8")
    } else {
        (SOAP11, "text/xml; charset=utf-8")
    };
    let envelope = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{env_ns}"><s:Body>{body}</s:Body></s:Envelope>"#
    );
    app.post(content_type, &[], envelope).await
}

#[tokio::test]
async fn a_body_with_two_elements_is_a_client_fault_and_runs_nothing() {
    let app = spawn_app().await;
    app.add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let sid = app.login("alice").await;
    for (ns, soap12) in [(NS, false), (NS, true), (DEPLOYED, false), (DEPLOYED, true)] {
        // Two Logouts, a Logout and something else, and the other way round: each would end
        // the session if any part of it ran.
        let bodies = [
            format!("{}{}", logout(ns, &sid), logout(ns, &sid)),
            format!("{}<Version xmlns=\"{ns}\"/>", logout(ns, &sid)),
            format!("<Version xmlns=\"{ns}\"/> <!-- c --> {}", logout(ns, &sid)),
        ];
        for body in bodies {
            let reply = post(&app, soap12, &body).await;
            assert_eq!(reply.status, 500, "{body}: {}", reply.body);
            let fault = reply.expect_fault();
            let client = if soap12 { "Sender" } else { "Client" };
            assert!(fault.code.ends_with(client), "{fault:?}");
            assert_eq!(fault.category, "InvalidParameter", "{fault:?}");
            assert_eq!(
                (fault.error_code.as_str(), fault.error_string.as_str()),
                ("9", "DataError"),
                "{fault:?}"
            );
            assert!(
                fault.text.contains("Body must hold exactly one element"),
                "{fault:?}"
            );
        }
    }
    // Nothing ran: the session is still open, and no call was recorded in it.
    let sessions = app.core.list_sessions(None, 10).await.unwrap();
    assert!(
        sessions[0].ended.is_none(),
        "a Logout in the refused bodies ran"
    );
    let who = app.soap("WhoAmI", &[("SessionID", &sid)]).await;
    assert_eq!(who.status, 200, "{}", who.body);
    // One element, with whitespace and comments around it, is fine.
    let reply = post(&app, false, &format!(" <!-- c --> {} ", logout(NS, &sid))).await;
    assert_eq!(
        reply.field("LogoutResult").as_deref(),
        Some("true"),
        "{}",
        reply.body
    );
}
