//! `edigrid id list|show|add|terminate|simulate`: trading-partner IDs (ECGridIDs).

use clap::Subcommand;
use edigrid_core::{Caller, Core, PartnerAddRequest, PartnerFilter};
use edigrid_domain::{EcGridId, Error, MailboxId, NetworkId, UserStatus};

use super::output::{self, left, right};
use super::views;

#[derive(Debug, Subcommand)]
pub(super) enum IdCommand {
    /// List every ECGridID (or a mailbox's or network's), in every status, by ECGridID.
    List {
        #[arg(long)]
        mailbox: Option<i32>,
        #[arg(long)]
        network: Option<i32>,
        /// A JSON array of every ID listed, all fields.
        #[arg(long)]
        json: bool,
    },
    /// Show every field of one ECGridID.
    Show {
        ecgrid_id: i32,
        #[arg(long)]
        json: bool,
    },
    /// Register a qualifier:ID pair for a mailbox; prints the new ECGridID.
    Add {
        #[arg(long)]
        mailbox: i32,
        /// X12 ISA05/07 code (e.g. ZZ, 01) or EDIFACT partner qualifier.
        #[arg(long)]
        qualifier: String,
        #[arg(long)]
        id: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Terminate an ECGridID: it is kept, and its qualifier:ID pair is free again.
    Terminate { ecgrid_id: i32 },
    /// Mark an ECGridID simulated: it answers what it receives (997/999/TA1, CONTRL) into
    /// the sender's inbox. `--off` stops it.
    Simulate {
        ecgrid_id: i32,
        #[arg(long)]
        off: bool,
    },
}

pub(super) async fn run(core: &Core, command: IdCommand) -> anyhow::Result<()> {
    let operator = Caller::operator();
    match command {
        IdCommand::List {
            mailbox,
            network,
            json,
        } => {
            let filter = PartnerFilter {
                network: network.map(NetworkId),
                mailbox: mailbox.map(MailboxId),
                ..PartnerFilter::default()
            };
            let ids = output::every_page(|page| core.admin_list_partners(filter.clone(), page))
                .await
                .map_err(|e| match &e {
                    Error::NotFound { item } if item == "MailboxID" => {
                        output::not_found(mailbox.unwrap_or_default())(e)
                    }
                    _ => output::not_found(network.unwrap_or_default())(e),
                })?;
            output::list(
                &ids,
                json,
                views::partner,
                &[
                    right("ECGRIDID"),
                    right("NETWORK"),
                    right("MAILBOX"),
                    left("QUALIFIER:ID"),
                    left("STATUS"),
                    left("DEFAULT"),
                    left("DESCRIPTION"),
                ],
                |p| {
                    vec![
                        p.ecgrid_id.to_string(),
                        p.network_id.to_string(),
                        p.mailbox_id.to_string(),
                        format!("{}:{}", p.qualifier, p.id),
                        p.status.to_string(),
                        if p.is_default { "yes" } else { "" }.to_string(),
                        p.description.clone(),
                    ]
                },
            )
        }
        IdCommand::Show { ecgrid_id, json } => {
            let partner = core
                .partner_info(&operator, EcGridId(ecgrid_id))
                .await
                .map_err(output::not_found(ecgrid_id))?;
            output::show(&views::partner(&partner), json)
        }
        IdCommand::Add {
            mailbox,
            qualifier,
            id,
            description,
        } => {
            let found = core
                .mailbox_info(&operator, MailboxId(mailbox))
                .await
                .map_err(output::not_found(mailbox))?;
            let request = PartnerAddRequest {
                network: found.network_id,
                mailbox: found.id,
                qualifier,
                id,
                description,
                ..PartnerAddRequest::default()
            };
            let added = core.partner_add(&operator, request).await?;
            output::line(added.ecgrid_id)
        }
        IdCommand::Terminate { ecgrid_id } => {
            let ended = core
                .partner_set_status(&operator, EcGridId(ecgrid_id), UserStatus::Terminated)
                .await
                .map_err(output::not_found(ecgrid_id))?;
            output::line(format_args!(
                "ECGridID {} ({}:{}) terminated",
                ended.ecgrid_id, ended.qualifier, ended.id
            ))
        }
        IdCommand::Simulate { ecgrid_id, off } => {
            core.set_simulated(&operator, EcGridId(ecgrid_id), !off)
                .await
                .map_err(output::not_found(ecgrid_id))?;
            let state = if off {
                "no longer simulated"
            } else {
                "simulated"
            };
            output::line(format_args!("ECGridID {ecgrid_id} is {state}"))
        }
    }
}
