//! `edigrid network list|show|add|terminate`.

use clap::Subcommand;
use edigrid_core::{Caller, Core, NetworkFilter};
use edigrid_domain::{NetworkId, UserStatus};

use super::output::{self, left, right};
use super::views;

#[derive(Debug, Subcommand)]
pub(super) enum NetworkCommand {
    /// List every network, by NetworkID.
    List {
        /// A JSON array of every network, all fields.
        #[arg(long)]
        json: bool,
    },
    /// Show every field of one network.
    Show {
        id: i32,
        #[arg(long)]
        json: bool,
    },
    /// Create a network with the operator's number; prints the NetworkID.
    Add {
        #[arg(long)]
        id: i32,
        #[arg(long)]
        name: String,
    },
    /// Terminate a network: it is kept, and refused as a target from then on.
    Terminate { id: i32 },
}

pub(super) async fn run(core: &Core, command: NetworkCommand) -> anyhow::Result<()> {
    let operator = Caller::operator();
    match command {
        NetworkCommand::List { json } => {
            let networks =
                output::every_page(|page| core.admin_list_networks(NetworkFilter::default(), page))
                    .await?;
            output::list(
                &networks,
                json,
                views::network,
                &[right("NETWORKID"), left("STATUS"), left("NAME")],
                |n| vec![n.id.to_string(), n.status.to_string(), n.name.clone()],
            )
        }
        NetworkCommand::Show { id, json } => {
            let network = core
                .network_info(&operator, NetworkId(id))
                .await
                .map_err(output::not_found(id))?;
            output::show(&views::network(&network), json)
        }
        NetworkCommand::Add { id, name } => {
            core.add_network(NetworkId(id), &name).await?;
            output::line(id)
        }
        NetworkCommand::Terminate { id } => {
            core.network_set_status(&operator, NetworkId(id), UserStatus::Terminated)
                .await
                .map_err(output::not_found(id))?;
            output::line(format_args!("network {id} terminated"))
        }
    }
}
