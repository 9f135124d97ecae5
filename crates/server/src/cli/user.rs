//! `edigrid user add|list|show|passwd|suspend|terminate|api-key`.

use std::io::BufRead;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use edigrid_core::store::Person;
use edigrid_core::{Caller, Core, NewUserRequest, UserFilter};
use edigrid_domain::{AuthLevel, Error, MailboxId, NetworkId, UserStatus};

use super::output::{self, left, right};
use super::views;

#[derive(Debug, Subcommand)]
pub(super) enum UserCommand {
    /// Create a user; prints only the new UserID.
    Add(UserAdd),
    /// List users (of a network or mailbox), by UserID.
    List {
        #[arg(long)]
        network: Option<i32>,
        #[arg(long)]
        mailbox: Option<i32>,
        /// A JSON array of every user listed, all fields.
        #[arg(long)]
        json: bool,
    },
    /// Show every field of one user (never a password or recovery answer).
    Show {
        login: String,
        #[arg(long)]
        json: bool,
    },
    /// Set a user's password (read from standard input); ends their sessions.
    Passwd {
        login: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Suspend a user; ends their sessions.
    Suspend { login: String },
    /// Terminate a user: ends their sessions; the user is kept but may never log in again.
    Terminate { login: String },
    /// Issue a new API key for a user (replacing the previous one) and print it; only its
    /// hash is kept, so this is the one time it is shown.
    ApiKey { login: String },
}

#[derive(Debug, Args)]
pub(super) struct UserAdd {
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

pub(super) async fn run(core: &Core, command: UserCommand) -> anyhow::Result<()> {
    let operator = Caller::operator();
    match command {
        UserCommand::Add(add) => {
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
                        ..Person::default()
                    },
                })
                .await?;
            output::line(id)
        }
        UserCommand::List {
            network,
            mailbox,
            json,
        } => {
            let filter = UserFilter {
                network: network.map(NetworkId),
                mailbox: mailbox.map(MailboxId),
                ..UserFilter::default()
            };
            let users = output::every_page(|page| core.admin_list_users(filter.clone(), page))
                .await
                .map_err(|e| match &e {
                    Error::NotFound { item } if item == "MailboxID" => {
                        output::not_found(mailbox.unwrap_or_default())(e)
                    }
                    _ => output::not_found(network.unwrap_or_default())(e),
                })?;
            output::list(
                &users,
                json,
                views::user,
                &[
                    right("USERID"),
                    left("LOGIN"),
                    right("NETWORK"),
                    right("MAILBOX"),
                    left("AUTHLEVEL"),
                    left("STATUS"),
                ],
                |u| {
                    vec![
                        u.id.to_string(),
                        u.login.clone(),
                        u.network_id.to_string(),
                        u.mailbox_id.to_string(),
                        u.auth_level.to_string(),
                        u.status.to_string(),
                    ]
                },
            )
        }
        UserCommand::Show { login, json } => {
            let user = core
                .user_info_by_login(&operator, &login)
                .await
                .map_err(output::not_found(&login))?;
            output::show(&views::user(&user), json)
        }
        UserCommand::Passwd { login, .. } => {
            let user = core.user_by_login(&login).await?;
            let password = read_password()?;
            let ended = core.set_password(user.id, &password, None).await?;
            output::line(format_args!("password changed; {ended} session(s) ended"))
        }
        UserCommand::Suspend { login } => {
            let user = core.user_by_login(&login).await?;
            let ended = core.suspend_user(user.id).await?;
            output::line(format_args!("suspended; {ended} session(s) ended"))
        }
        UserCommand::Terminate { login } => {
            let user = core
                .user_info_by_login(&operator, &login)
                .await
                .map_err(output::not_found(&login))?;
            core.user_set_status(&operator, user.id, UserStatus::Terminated)
                .await?;
            output::line(format_args!("user {} terminated", user.login))
        }
        UserCommand::ApiKey { login } => {
            let user = core.user_by_login(&login).await?;
            let key = core.issue_api_key(user.id).await?;
            output::line(key)
        }
    }
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
