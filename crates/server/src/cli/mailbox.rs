//! `edigrid mailbox list|show|add|terminate`.

use clap::Subcommand;
use edigrid_core::{Caller, Core, MailboxCreateRequest, MailboxFilter};
use edigrid_domain::{MailboxId, NetworkId, UserStatus};

use super::output::{self, left, right};
use super::views;

#[derive(Debug, Subcommand)]
pub(super) enum MailboxCommand {
    /// List every mailbox (or a network's), by MailboxID.
    List {
        #[arg(long)]
        network: Option<i32>,
        /// A JSON array of every mailbox listed, all fields.
        #[arg(long)]
        json: bool,
    },
    /// Show every field of one mailbox.
    Show {
        id: i32,
        #[arg(long)]
        json: bool,
    },
    /// Create a mailbox in a network; prints the MailboxID (the next free one without --id).
    Add {
        #[arg(long)]
        network: i32,
        #[arg(long)]
        id: Option<i32>,
        #[arg(long)]
        name: String,
    },
    /// Terminate a mailbox and its trading-partner IDs; they are kept, and refused as
    /// targets from then on.
    Terminate { id: i32 },
}

pub(super) async fn run(core: &Core, command: MailboxCommand) -> anyhow::Result<()> {
    let operator = Caller::operator();
    match command {
        MailboxCommand::List { network, json } => {
            let filter = MailboxFilter {
                network: network.map(NetworkId),
                ..MailboxFilter::default()
            };
            let mailboxes =
                output::every_page(|page| core.admin_list_mailboxes(filter.clone(), page))
                    .await
                    .map_err(output::not_found(network.unwrap_or_default()))?;
            output::list(
                &mailboxes,
                json,
                views::mailbox,
                &[
                    right("MAILBOXID"),
                    right("NETWORK"),
                    left("STATUS"),
                    left("NAME"),
                ],
                |m| {
                    vec![
                        m.id.to_string(),
                        m.network_id.to_string(),
                        m.status.to_string(),
                        m.name.clone(),
                    ]
                },
            )
        }
        MailboxCommand::Show { id, json } => {
            let mailbox = core
                .mailbox_info(&operator, MailboxId(id))
                .await
                .map_err(output::not_found(id))?;
            output::show(&views::mailbox(&mailbox), json)
        }
        MailboxCommand::Add { network, id, name } => {
            let id = match id {
                // The operator's own number: checked as `mailbox add` always has.
                Some(id) => {
                    core.add_mailbox(NetworkId(network), MailboxId(id), &name)
                        .await?;
                    MailboxId(id)
                }
                None => {
                    let request = MailboxCreateRequest {
                        network: NetworkId(network),
                        name,
                        ..MailboxCreateRequest::default()
                    };
                    core.mailbox_create(&operator, request).await?.id
                }
            };
            output::line(id)
        }
        MailboxCommand::Terminate { id } => {
            core.mailbox_set_status(&operator, MailboxId(id), UserStatus::Terminated)
                .await
                .map_err(output::not_found(id))?;
            output::line(format_args!("mailbox {id} terminated"))
        }
    }
}
