//! The `edigrid` command line: `serve`, and administration against the same database
//! without a running server.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use clap::{Args, Parser, Subcommand};
use edigrid_core::store::Person;
use edigrid_core::{Core, NewUserRequest, SessionRevocation, SystemClock};
use edigrid_domain::{AuthLevel, MailboxId, NetworkId};

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
        /// On an empty database, create a demo network, mailbox and user and print its password.
        #[arg(long)]
        demo: bool,
        /// PEM certificate chain; with --tls-key, serve HTTPS. Also EDIGRID_TLS_CERT.
        #[arg(long)]
        tls_cert: Option<PathBuf>,
        /// PEM private key for --tls-cert. Also EDIGRID_TLS_KEY.
        #[arg(long)]
        tls_key: Option<PathBuf>,
    },
    /// Manage networks.
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Manage mailboxes.
    #[command(subcommand)]
    Mailbox(MailboxCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Inspect and end sessions.
    #[command(subcommand)]
    Session(SessionCommand),
}

#[derive(Debug, Subcommand)]
enum NetworkCommand {
    Add {
        #[arg(long)]
        id: i32,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum MailboxCommand {
    Add {
        #[arg(long)]
        network: i32,
        #[arg(long)]
        id: i32,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user; prints only the new UserID.
    Add(UserAdd),
    /// List users.
    List,
    /// Set a user's password (read from standard input); ends their sessions.
    Passwd {
        login: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Suspend a user; ends their sessions.
    Suspend { login: String },
    /// Issue a new API key for a user (replacing the previous one) and print it; only its
    /// hash is kept, so this is the one time it is shown.
    ApiKey { login: String },
}

#[derive(Debug, Args)]
struct UserAdd {
    #[arg(long)]
    login: String,
    #[arg(long)]
    network: i32,
    #[arg(long)]
    mailbox: i32,
    /// Root, TechOps, NetOps, NetworkAdmin, NetworkUser, MailboxAdmin, MailboxUser, TPUser or General.
    #[arg(long)]
    auth_level: String,
    /// Read the password from the first line of standard input.
    #[arg(long, required = true)]
    password_stdin: bool,
    #[arg(long, default_value = "")]
    first_name: String,
    #[arg(long, default_value = "")]
    last_name: String,
    #[arg(long, default_value = "")]
    email: String,
    #[arg(long, default_value = "")]
    company: String,
}

#[derive(Debug, Subcommand)]
enum SessionCommand {
    /// List sessions, newest first.
    List {
        #[arg(long)]
        user: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// End a session (by SessionID or its first group) or all of a user's sessions.
    Revoke {
        #[arg(required_unless_present = "user", conflicts_with = "user")]
        session: Option<String>,
        #[arg(long)]
        user: Option<String>,
    },
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
    let mut out = std::io::stdout().lock();
    match command {
        Command::Serve { .. } => bail!("serve is not an administration command"),
        Command::Network(NetworkCommand::Add { id, name }) => {
            core.add_network(NetworkId(id), &name).await?;
        }
        Command::Mailbox(MailboxCommand::Add { network, id, name }) => {
            core.add_mailbox(NetworkId(network), MailboxId(id), &name)
                .await?;
        }
        Command::User(UserCommand::Add(add)) => {
            let auth_level: AuthLevel = add.auth_level.parse().map_err(anyhow::Error::msg)?;
            let password = read_password()?;
            let id = core
                .add_user(NewUserRequest {
                    login: add.login,
                    password,
                    network_id: NetworkId(add.network),
                    mailbox_id: MailboxId(add.mailbox),
                    auth_level,
                    person: Person {
                        first_name: add.first_name,
                        last_name: add.last_name,
                        email: add.email,
                        company: add.company,
                        phone: String::new(),
                    },
                })
                .await?;
            writeln!(out, "{id}")?;
        }
        Command::User(UserCommand::List) => {
            writeln!(
                out,
                "{:>8}  {:<24} {:>8} {:>8}  {:<13} {:<10}",
                "USERID", "LOGIN", "NETWORK", "MAILBOX", "AUTHLEVEL", "STATUS"
            )?;
            for u in core.users().await? {
                writeln!(
                    out,
                    "{:>8}  {:<24} {:>8} {:>8}  {:<13} {:<10}",
                    u.id, u.login, u.network_id, u.mailbox_id, u.auth_level, u.status
                )?;
            }
        }
        Command::User(UserCommand::Passwd { login, .. }) => {
            let user = core.user_by_login(&login).await?;
            let password = read_password()?;
            let ended = core.set_password(user.id, &password, None).await?;
            writeln!(out, "password changed; {ended} session(s) ended")?;
        }
        Command::User(UserCommand::Suspend { login }) => {
            let user = core.user_by_login(&login).await?;
            let ended = core.suspend_user(user.id).await?;
            writeln!(out, "suspended; {ended} session(s) ended")?;
        }
        Command::User(UserCommand::ApiKey { login }) => {
            let user = core.user_by_login(&login).await?;
            let key = core.issue_api_key(user.id).await?;
            writeln!(out, "{key}")?;
        }
        Command::Session(SessionCommand::List { user, limit }) => {
            let user_id = match user {
                Some(login) => Some(core.user_by_login(&login).await?.id),
                None => None,
            };
            let now = core.clock().now();
            writeln!(
                out,
                "{:<10} {:>8}  {:<20} {:<20} {:<8} {:<16}",
                "SESSION", "USERID", "CREATED", "EXPIRES", "STATE", "CLIENT"
            )?;
            for s in core.list_sessions(user_id, limit).await? {
                let state = match (s.ended, s.is_open_at(now)) {
                    (Some(_), _) => s.end_reason.map(|r| r.as_str()).unwrap_or("ended"),
                    (None, true) => "open",
                    (None, false) => "expired",
                };
                writeln!(
                    out,
                    "{:<10} {:>8}  {:<20} {:<20} {:<8} {:<16}",
                    s.prefix,
                    s.user_id,
                    s.created.format("%Y-%m-%dT%H:%M:%SZ"),
                    s.end_or_expiry().format("%Y-%m-%dT%H:%M:%SZ"),
                    state,
                    s.client_ip
                )?;
            }
        }
        Command::Session(SessionCommand::Revoke { session, user }) => {
            let which = match (session, user) {
                (_, Some(login)) => SessionRevocation::User(login),
                (Some(s), None) => SessionRevocation::Session(s),
                (None, None) => bail!("give a session or --user"),
            };
            let ended = core.revoke(which).await?;
            if ended == 0 {
                bail!("no open session matched");
            }
            writeln!(out, "{ended} session(s) ended")?;
        }
    }
    Ok(())
}

/// The first line of standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(password)
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
