//! `serve --demo`: a usable account on an empty database, printed once for scripts. The
//! directory comes from a built-in fixture (`demo.toml`): the demo user's mailbox with an ID,
//! and a simulated partner that acknowledges what the demo user sends it.

use std::io::Write;

use anyhow::Context as _;
use edigrid_core::{Caller, Core, Page, PartnerScope, TradingPartner};
use edigrid_domain::MailboxId;
use edigrid_soap::SOAP_PATH;

use crate::fixture::{Change, Fixture};

const FIXTURE: &str = include_str!("demo.toml");
const LOGIN: &str = "demo";
const MAILBOX: MailboxId = MailboxId(200);
const PARTNER_MAILBOX: MailboxId = MailboxId(201);
const QUALIFIER: &str = "ZZ";
const OWN_ID: &str = "EDIGRIDDEMO";
const PARTNER_ID: &str = "EDIGRIDPARTNER";

/// Seeds the demo directory on a database without users and prints where and how to log
/// in, the demo mailbox, its ECGridID and the simulated partner's. Printing is best effort:
/// a closed standard output (`| head -1`) must not stop the server.
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
        let fixture =
            Fixture::read(FIXTURE, &|_| None).map_err(|e| anyhow::anyhow!("demo fixture, {e}"))?;
        let loaded = fixture
            .load(core)
            .await
            .map_err(|e| anyhow::anyhow!("demo fixture, {e}"))?;
        let password = loaded
            .created
            .into_iter()
            .find_map(|c| match c {
                Change::User {
                    login,
                    generated_password,
                    ..
                } if login == LOGIN => generated_password,
                _ => None,
            })
            .context("the demo fixture made no demo user")?;
        let own = registered(core, MAILBOX, OWN_ID).await?;
        let partner = registered(core, PARTNER_MAILBOX, PARTNER_ID).await?;
        let _ = writeln!(out, "login: {LOGIN}");
        let _ = writeln!(out, "password: {password}");
        let _ = writeln!(out, "mailbox: {MAILBOX}");
        let _ = writeln!(out, "ecgridid: {}", pair(&own));
        let _ = writeln!(out, "partner: {}", pair(&partner));
    }
    let _ = out.flush();
    Ok(())
}

/// `<ECGridID> <qualifier>:<id>`, as the demo prints an ID.
fn pair(p: &TradingPartner) -> String {
    format!("{} {}:{}", p.ecgrid_id, p.qualifier, p.id)
}

/// The active ID `ZZ:<id>` of a mailbox of the demo fixture.
async fn registered(core: &Core, mailbox: MailboxId, id: &str) -> anyhow::Result<TradingPartner> {
    let scope = PartnerScope {
        network: None,
        mailbox: Some(mailbox),
        show_inactive: false,
    };
    let held = core
        .partner_search(&Caller::operator(), scope, QUALIFIER, id, Page::first(1))
        .await?;
    held.items
        .into_iter()
        .next()
        .with_context(|| format!("the demo fixture registered no {QUALIFIER}:{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture reads, and holds the names the demo looks up and prints.
    #[test]
    fn the_fixture_holds_what_the_demo_prints() {
        Fixture::read(FIXTURE, &|_| None).unwrap();
        for needle in [
            format!("login = \"{LOGIN}\""),
            format!("id = {MAILBOX}"),
            format!("id = {PARTNER_MAILBOX}"),
            format!("qualifier = \"{QUALIFIER}\"\nid = \"{OWN_ID}\"\nmailbox = {MAILBOX}\n"),
            format!(
                "qualifier = \"{QUALIFIER}\"\nid = \"{PARTNER_ID}\"\nmailbox = {PARTNER_MAILBOX}\n"
            ),
            "simulated = true".to_string(),
        ] {
            assert!(FIXTURE.contains(&needle), "{needle} not in demo.toml");
        }
    }
}
