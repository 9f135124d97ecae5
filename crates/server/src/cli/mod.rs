//! The `edigrid` command line: `serve`, and administration against the same database
//! without a running server (SPEC 10, SPEC-VAN 22). One file per command group; each runs
//! through the core's services as the operator at the console.

mod callback;
mod fixture;
mod id;
mod mailbox;
mod network;
mod output;
mod parcel;
mod session;
mod user;
mod views;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use edigrid_core::{Core, SystemClock};

use crate::app::{Application, build_core};
use crate::settings::{FlagOverrides, Settings};
use crate::{demo, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "edigrid",
    version,
    about = "An ECGridOS-compatible EDI network server"
)]
pub struct Cli {
    /// Database URL (sqlite://PATH). Also EDIGRID_DATABASE.
    #[arg(long, global = true)]
    database: Option<String>,
    /// TOML configuration file. Also EDIGRID_CONFIG.
    #[arg(long, global = true, env = "EDIGRID_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the SOAP service.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080). Also EDIGRID_LISTEN.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// On an empty database, create a demo network, mailbox, ECGridID and user and print
        /// the user's password.
        #[arg(long)]
        demo: bool,
        /// PEM certificate chain; with --tls-key, serve HTTPS. Also EDIGRID_TLS_CERT.
        #[arg(long)]
        tls_cert: Option<PathBuf>,
        /// PEM private key for --tls-cert. Also EDIGRID_TLS_KEY.
        #[arg(long)]
        tls_key: Option<PathBuf>,
    },
    /// List, inspect, add and terminate networks.
    #[command(subcommand)]
    Network(network::NetworkCommand),
    /// List, inspect, add and terminate mailboxes.
    #[command(subcommand)]
    Mailbox(mailbox::MailboxCommand),
    /// Manage users.
    #[command(subcommand)]
    User(user::UserCommand),
    /// List, inspect, register and terminate trading-partner IDs (ECGridIDs).
    #[command(subcommand)]
    Id(id::IdCommand),
    /// Inspect and end sessions.
    #[command(subcommand)]
    Session(session::SessionCommand),
    /// Send a file as a mailbox, list a mailbox's parcels, show and download a parcel.
    #[command(subcommand)]
    Parcel(parcel::ParcelCommand),
    /// Load networks, mailboxes, users, IDs and simulated partners from a TOML file.
    #[command(subcommand)]
    Fixture(fixture::FixtureCommand),
    /// List callback registrations, show one with its signing secret, retry a delivery.
    #[command(subcommand)]
    Callback(callback::CallbackCommand),
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let (listen, tls_cert, tls_key) = match &cli.command {
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
            ..
        } => (*listen, tls_cert.clone(), tls_key.clone()),
        _ => (None, None, None),
    };
    let settings = Settings::load(
        cli.config.as_deref(),
        FlagOverrides {
            listen,
            database: cli.database.clone(),
            tls_cert,
            tls_key,
        },
    )
    .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;

    if let Command::Serve {
        demo: with_demo, ..
    } = cli.command
    {
        telemetry::init(&settings.log);
        let app = Application::build(settings, Arc::new(SystemClock)).await?;
        if with_demo {
            demo::seed_and_print(app.core(), &app.base_url()).await?;
        }
        return app.run_until(shutdown_signal()).await;
    }
    telemetry::init("warn");
    let core = build_core(&settings, Arc::new(SystemClock)).await?;
    administer(&core, cli.command).await
}

async fn administer(core: &Core, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve { .. } => anyhow::bail!("serve is not an administration command"),
        Command::Network(c) => network::run(core, c).await,
        Command::Mailbox(c) => mailbox::run(core, c).await,
        Command::User(c) => user::run(core, c).await,
        Command::Id(c) => id::run(core, c).await,
        Command::Session(c) => session::run(core, c).await,
        Command::Parcel(c) => parcel::run(core, c).await,
        Command::Fixture(c) => fixture::run(core, c).await,
        Command::Callback(c) => callback::run(core, c).await,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
