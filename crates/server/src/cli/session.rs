//! `edigrid session list|revoke`.

use anyhow::bail;
use clap::Subcommand;
use edigrid_core::{Core, SessionRevocation};

use super::output::{self, left, right};

#[derive(Debug, Subcommand)]
pub(super) enum SessionCommand {
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

pub(super) async fn run(core: &Core, command: SessionCommand) -> anyhow::Result<()> {
    match command {
        SessionCommand::List { user, limit } => {
            let user_id = match user {
                Some(login) => Some(core.user_by_login(&login).await?.id),
                None => None,
            };
            let now = core.clock().now();
            let rows: Vec<Vec<String>> = core
                .list_sessions(user_id, limit)
                .await?
                .into_iter()
                .map(|s| {
                    let state = match (s.ended, s.is_open_at(now)) {
                        (Some(_), _) => s.end_reason.map(|r| r.as_str()).unwrap_or("ended"),
                        (None, true) => "open",
                        (None, false) => "expired",
                    };
                    vec![
                        s.prefix.clone(),
                        s.user_id.to_string(),
                        output::timestamp(&s.created),
                        output::timestamp(&s.end_or_expiry()),
                        state.to_string(),
                        s.client_ip.to_string(),
                    ]
                })
                .collect();
            output::table(
                &[
                    left("SESSION"),
                    right("USERID"),
                    left("CREATED"),
                    left("EXPIRES"),
                    left("STATE"),
                    left("CLIENT"),
                ],
                &rows,
            )
        }
        SessionCommand::Revoke { session, user } => {
            let which = match (session, user) {
                (_, Some(login)) => SessionRevocation::User(login),
                (Some(s), None) => SessionRevocation::Session(s),
                (None, None) => bail!("give a session or --user"),
            };
            let ended = core.revoke(which).await?;
            if ended == 0 {
                bail!("no open session matched");
            }
            output::line(format_args!("{ended} session(s) ended"))
        }
    }
}
