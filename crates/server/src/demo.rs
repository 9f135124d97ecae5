//! `serve --demo`: a usable account on an empty database, printed once for scripts.

use std::io::Write;

use edigrid_core::store::Person;
use edigrid_core::{Core, NewUserRequest, generate_password};
use edigrid_domain::{AuthLevel, MailboxId, NetworkId};
use edigrid_soap::SOAP_PATH;

/// Seeds the demo account on an empty database and prints where and how to log in. Printing
/// is best effort: a closed standard output (`| head -1`) must not stop the server.
pub async fn seed_and_print(core: &Core, base_url: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "WSDL: {base_url}{SOAP_PATH}?WSDL");
    let _ = writeln!(out, "REST: {base_url}/v2");
    if core
        .store()
        .count_users()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        == 0
    {
        let network = NetworkId(100);
        let mailbox = MailboxId(200);
        if core
            .store()
            .network(network)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .is_none()
        {
            core.add_network(network, "Demo Network").await?;
        }
        if core
            .store()
            .mailbox(mailbox)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .is_none()
        {
            core.add_mailbox(network, mailbox, "Demo Mailbox").await?;
        }
        let password = generate_password(16);
        core.add_user(NewUserRequest {
            login: "demo".into(),
            password: password.clone(),
            network_id: network,
            mailbox_id: mailbox,
            auth_level: AuthLevel::MailboxAdmin,
            person: Person {
                first_name: "Demo".into(),
                last_name: "User".into(),
                email: "demo@example.com".into(),
                company: "Demo Company".into(),
                phone: String::new(),
                ..Default::default()
            },
        })
        .await?;
        let _ = writeln!(out, "login: demo");
        let _ = writeln!(out, "password: {password}");
    }
    let _ = out.flush();
    Ok(())
}
