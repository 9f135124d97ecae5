//! `serve --demo`: a usable account on an empty database, printed once for scripts.

use std::io::Write;

use edigrid_core::store::Person;
use edigrid_core::{
    Caller, Core, NewUserRequest, Page, PartnerAddRequest, PartnerScope, TradingPartner,
    generate_password,
};
use edigrid_domain::{AuthLevel, MailboxId, NetworkId};
use edigrid_soap::SOAP_PATH;

const NETWORK: NetworkId = NetworkId(100);
const MAILBOX: MailboxId = MailboxId(200);
const QUALIFIER: &str = "ZZ";
const PARTNER_ID: &str = "EDIGRIDDEMO";

/// Seeds the demo account on an empty database and prints where and how to log in, the
/// demo mailbox and its ECGridID. Printing is best effort: a closed standard output
/// (`| head -1`) must not stop the server.
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
        if core
            .store()
            .network(NETWORK)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .is_none()
        {
            core.add_network(NETWORK, "Demo Network").await?;
        }
        if core
            .store()
            .mailbox(MAILBOX)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .is_none()
        {
            core.add_mailbox(NETWORK, MAILBOX, "Demo Mailbox").await?;
        }
        let partner = demo_partner(core).await?;
        let password = generate_password(16);
        core.add_user(NewUserRequest {
            login: "demo".into(),
            password: password.clone(),
            network_id: NETWORK,
            mailbox_id: MAILBOX,
            auth_level: AuthLevel::MailboxAdmin,
            person: Person {
                first_name: "Demo".into(),
                last_name: "User".into(),
                email: "demo@example.com".into(),
                company: "Demo Company".into(),
                ..Person::default()
            },
        })
        .await?;
        let _ = writeln!(out, "login: demo");
        let _ = writeln!(out, "password: {password}");
        let _ = writeln!(out, "mailbox: {MAILBOX}");
        let _ = writeln!(
            out,
            "ecgridid: {} {}:{}",
            partner.ecgrid_id, partner.qualifier, partner.id
        );
    }
    let _ = out.flush();
    Ok(())
}

/// The demo mailbox's ID `ZZ:EDIGRIDDEMO`: the one it holds already (a seed interrupted
/// before the user was made), or a new one.
async fn demo_partner(core: &Core) -> anyhow::Result<TradingPartner> {
    let operator = Caller::operator();
    let scope = PartnerScope {
        network: Some(NETWORK),
        mailbox: Some(MAILBOX),
        show_inactive: false,
    };
    let held = core
        .partner_search(&operator, scope, QUALIFIER, PARTNER_ID, Page::first(1))
        .await?;
    if let Some(partner) = held.items.into_iter().next() {
        return Ok(partner);
    }
    let request = PartnerAddRequest {
        network: NETWORK,
        mailbox: MAILBOX,
        qualifier: QUALIFIER.into(),
        id: PARTNER_ID.into(),
        description: "Demo mailbox".into(),
        ..PartnerAddRequest::default()
    };
    Ok(core.partner_add(&operator, request).await?)
}
