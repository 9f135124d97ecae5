use edigrid_domain::AuthLevel;
use edigrid_testkit::spawn_app;

#[tokio::test]
async fn login_session_info_logout_over_soap_11_and_12() {
    let app = spawn_app().await;
    let user = app
        .add_user("alice", AuthLevel::MailboxUser, 100, 200)
        .await;
    let sid = app.login("ALICE").await;
    let info = app.soap12("SessionInfo", &[("SessionID", &sid)]).await;
    assert_eq!(info.status, 200, "{}", info.body);
    assert_eq!(info.field("SessionID").unwrap(), sid);
    assert_eq!(info.field("UserID").unwrap(), user.to_string());
    let out = app.soap("Logout", &[("SessionID", &sid)]).await;
    assert_eq!(out.field("LogoutResult").as_deref(), Some("true"));
    let fault = app
        .soap("SessionInfo", &[("SessionID", &sid)])
        .await
        .expect_fault();
    assert!(fault.text.contains("SessionID"), "{fault:?}");
}
