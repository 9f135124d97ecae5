//! `edigrid callback list|show|retry` (SPEC-VAN 20, 22): the callback registrations, one
//! with its signing secret and newest deliveries, and sending a failed delivery again.

use clap::Subcommand;
use edigrid_core::callbacks::DeliveryQuery;
use edigrid_core::callbacks::model::{Delivery, DeliveryFilter, Registration};
use edigrid_core::{Caller, Core, Page};
use edigrid_domain::{MailboxId, NetworkId};

use super::output::{self, Record, left, right};

/// Deliveries `show` lists.
const SHOWN_DELIVERIES: u32 = 20;

#[derive(Debug, Subcommand)]
pub(super) enum CallbackCommand {
    /// List callback registrations (active ones unless --inactive), oldest first.
    List {
        #[arg(long)]
        network: Option<i32>,
        #[arg(long)]
        mailbox: Option<i32>,
        /// Also suspended and terminated ones.
        #[arg(long)]
        inactive: bool,
        /// A JSON array of every registration listed, all fields but the secret.
        #[arg(long)]
        json: bool,
    },
    /// Show a registration with its signing secret and its newest deliveries.
    Show {
        callback_id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Send a failed (or cancelled) delivery again, with its registration's retries.
    Retry { delivery_id: i64 },
}

fn registration_record(r: &Registration, with_secret: bool) -> Record {
    let mut rec = Record::new()
        .int("callback_id", r.id)
        .text("event", r.event)
        .int("network_id", r.scope.network().0)
        .int("mailbox_id", r.scope.mailbox().0)
        .int("ecgrid_id", r.scope.ecgrid_id().0)
        .text("url", &r.url)
        .text("http_user", &r.auth_user)
        .int("retries", r.retries)
        .text("status", r.status)
        .int("created_by", r.created_by.0)
        .time("created", Some(&r.created))
        .time("modified", Some(&r.modified));
    if with_secret {
        rec = rec.text("secret", &r.secret);
    }
    rec
}

fn delivery_record(d: &Delivery) -> Record {
    Record::new()
        .int("delivery_id", d.id)
        .text("event", d.event)
        .int("parcel_id", d.parcel_id.0)
        .int("mailbox_id", d.mailbox_id.0)
        .bool("test", d.test)
        .text("status", d.status)
        .int("attempts", d.attempts)
        .time("created", Some(&d.created))
        .time("last_attempt", d.last_attempt.as_ref())
        .time("next_attempt", Some(&d.next_at))
        .int("last_http", d.last_http)
        .text("last_error", &d.last_error)
}

pub(super) async fn run(core: &Core, command: CallbackCommand) -> anyhow::Result<()> {
    let operator = Caller::operator();
    match command {
        CallbackCommand::List {
            network,
            mailbox,
            inactive,
            json,
        } => {
            let found = core
                .callback_list(
                    &operator,
                    network.map(NetworkId),
                    mailbox.map(MailboxId),
                    inactive,
                )
                .await?;
            output::list(
                &found,
                json,
                |r| registration_record(r, false),
                &[
                    right("CALLBACKID"),
                    left("EVENT"),
                    right("NETWORK"),
                    right("MAILBOX"),
                    right("ECGRIDID"),
                    left("STATUS"),
                    left("URL"),
                ],
                |r| {
                    vec![
                        r.id.to_string(),
                        r.event.to_string(),
                        r.scope.network().to_string(),
                        r.scope.mailbox().to_string(),
                        r.scope.ecgrid_id().to_string(),
                        r.status.to_string(),
                        r.url.clone(),
                    ]
                },
            )
        }
        CallbackCommand::Show { callback_id, json } => {
            let r = core
                .callback_get(&operator, callback_id)
                .await
                .map_err(output::not_found(callback_id))?;
            let query = DeliveryQuery {
                filter: DeliveryFilter {
                    registration: Some(r.id),
                    ..DeliveryFilter::default()
                },
                page: Page::first(SHOWN_DELIVERIES),
            };
            let deliveries = core.callback_deliveries(&operator, query).await?;
            let mut record = registration_record(&r, true).int(
                "deliveries",
                i64::try_from(deliveries.total).unwrap_or(i64::MAX),
            );
            for (n, d) in deliveries.items.iter().enumerate() {
                record = record.group(
                    DELIVERY_NAMES[n.min(DELIVERY_NAMES.len() - 1)],
                    delivery_record(d),
                );
            }
            output::show(&record, json)
        }
        CallbackCommand::Retry { delivery_id } => {
            let d = core
                .callback_retry(&operator, delivery_id)
                .await
                .map_err(output::not_found(delivery_id))?;
            output::line(format!("delivery {} is {} again", d.id, d.status))
        }
    }
}

/// Field names of the newest deliveries in `show` (records name their fields statically).
const DELIVERY_NAMES: [&str; SHOWN_DELIVERIES as usize] = [
    "delivery_1",
    "delivery_2",
    "delivery_3",
    "delivery_4",
    "delivery_5",
    "delivery_6",
    "delivery_7",
    "delivery_8",
    "delivery_9",
    "delivery_10",
    "delivery_11",
    "delivery_12",
    "delivery_13",
    "delivery_14",
    "delivery_15",
    "delivery_16",
    "delivery_17",
    "delivery_18",
    "delivery_19",
    "delivery_20",
];
