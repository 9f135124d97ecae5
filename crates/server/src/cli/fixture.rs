//! `edigrid fixture load FILE`: networks, mailboxes, users, IDs and simulated partners from a
//! TOML file (SPEC-VAN 21), applied idempotently; see `crate::fixture` for the format.

use std::path::PathBuf;

use clap::Subcommand;
use edigrid_core::Core;

use super::output;
use crate::fixture::Fixture;

#[derive(Debug, Subcommand)]
pub(super) enum FixtureCommand {
    /// Create what a fixture file describes and is missing; prints each object created
    /// (and each password made up, this once). A second load of the same file changes
    /// nothing; a file with a mistake changes nothing and names the line.
    Load {
        file: PathBuf,
        /// One JSON object: `created` (what was written, in order) and `unchanged`.
        #[arg(long)]
        json: bool,
    },
}

pub(super) async fn run(core: &Core, command: FixtureCommand) -> anyhow::Result<()> {
    match command {
        FixtureCommand::Load { file, json } => {
            let shown = file.display();
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
            let env = |name: &str| std::env::var(name).ok();
            let fixture =
                Fixture::read(&text, &env).map_err(|e| anyhow::anyhow!("{shown}, {e}"))?;
            let loaded = fixture
                .load(core)
                .await
                .map_err(|e| anyhow::anyhow!("{shown}, {e}"))?;
            if json {
                return output::json(&loaded);
            }
            for change in &loaded.created {
                output::line(change)?;
            }
            output::line(format_args!(
                "{} created, {} unchanged",
                loaded.created.len(),
                loaded.unchanged
            ))
        }
    }
}
