//! `edigrid parcel send|inbox|show|download`: what an operator does with parcels without a
//! client (SPEC-VAN 22): upload a file as a mailbox, list a mailbox's boxes, inspect a
//! parcel with its interchanges and manifest, and write a parcel's content to a file.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{ArgGroup, Subcommand};
use edigrid_core::parcels::model::{Interchange, ManifestEntry, Parcel};
use edigrid_core::{Caller, Core, DownloadMode, Page, ParcelQuery, ParcelView, UploadRequest};
use edigrid_domain::{EcGridId, Error, MailboxId, ParcelId};
use serde::Serialize;

use super::output::{self, Record, left, right};

#[derive(Debug, Subcommand)]
pub(super) enum ParcelCommand {
    /// Upload a file as a mailbox: its interchanges are read and routed as an upload by
    /// that mailbox's user would be. Prints the new outbound ParcelID.
    Send {
        /// The uploading mailbox.
        #[arg(long)]
        from_mailbox: i32,
        /// The file to send.
        file: PathBuf,
        /// For a document without envelope: the receiving ECGridID (with --from-id).
        #[arg(long, requires = "from_id")]
        to: Option<i32>,
        /// For a document without envelope: the sending ECGridID (with --to).
        #[arg(long, requires = "to")]
        from_id: Option<i32>,
        /// Print the upload's outcome (parcel, interchanges, inbound parcels) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List a mailbox's inbox: the parcels ready to download, oldest first; or its
    /// archive (confirmed, newest first) or outbox (every upload, newest first).
    #[command(group(ArgGroup::new("view").args(["outbox", "archive"])))]
    Inbox {
        #[arg(long)]
        mailbox: i32,
        /// Every parcel the mailbox uploaded instead, newest first.
        #[arg(long)]
        outbox: bool,
        /// The confirmed inbound parcels instead, newest first.
        #[arg(long)]
        archive: bool,
        /// A JSON array of every parcel listed, all fields.
        #[arg(long)]
        json: bool,
    },
    /// Show a parcel: every field, its interchanges and its manifest.
    Show {
        parcel_id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Write a parcel's content to a file (`-o -`: standard output). Like a client's
    /// download, it moves a ready inbound parcel to downloaded, unless --no-update.
    Download {
        parcel_id: i64,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Change nothing (ParcelDownloadNoUpdate).
        #[arg(long)]
        no_update: bool,
    },
}

pub(super) async fn run(core: &Core, command: ParcelCommand) -> anyhow::Result<()> {
    let operator = Caller::operator();
    match command {
        ParcelCommand::Send {
            from_mailbox,
            file,
            to,
            from_id,
            json,
        } => {
            let mailbox = core
                .mailbox_info(&operator, MailboxId(from_mailbox))
                .await
                .map_err(output::not_found(from_mailbox))?;
            let content =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            if content.is_empty() {
                anyhow::bail!("{} is empty: there is nothing to send", file.display());
            }
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let request = UploadRequest {
                network: Some(mailbox.network_id),
                mailbox: Some(mailbox.id),
                file_name,
                content,
                declared_bytes: None,
                explicit: from_id
                    .zip(to)
                    .map(|(from, to)| (EcGridId(from), EcGridId(to))),
            };
            let outcome = core
                .parcel_upload(&operator, request)
                .await
                .map_err(|e| match &e {
                    Error::NotFound { item } if item == "ECGridID" => anyhow::anyhow!(
                        "ECGridID {} or {} not found",
                        from_id.unwrap_or_default(),
                        to.unwrap_or_default()
                    ),
                    _ => e.into(),
                })?;
            if json {
                return output::json(&Outcome {
                    parcel: parcel_record(&outcome.parcel),
                    interchanges: outcome
                        .interchanges
                        .iter()
                        .map(interchange_record)
                        .collect(),
                    inbound: outcome.inbound.iter().map(|p| p.0).collect(),
                });
            }
            let undelivered: Vec<String> = outcome
                .interchanges
                .iter()
                .filter(|i| i.inbound.is_none())
                .map(|i| {
                    format!(
                        "interchange {} {}: {}",
                        i.control_number, i.status, i.reason
                    )
                })
                .collect();
            if !undelivered.is_empty() {
                // The parcel is stored either way; what was not delivered is said aside, so
                // that standard output stays the ParcelID alone.
                eprintln!(
                    "warning: {} of {} interchanges not delivered ({})",
                    undelivered.len(),
                    outcome.interchanges.len(),
                    undelivered.join("; ")
                );
            }
            output::line(outcome.parcel.id)
        }
        ParcelCommand::Inbox {
            mailbox,
            outbox,
            archive,
            json,
        } => {
            let found = core
                .mailbox_info(&operator, MailboxId(mailbox))
                .await
                .map_err(output::not_found(mailbox))?;
            let view = if outbox {
                ParcelView::OutBoxArchive
            } else if archive {
                ParcelView::InBoxArchive
            } else {
                ParcelView::InBox
            };
            let parcels = output::every_page(|page: Page| {
                let query = ParcelQuery {
                    network: Some(found.network_id),
                    mailbox: Some(found.id),
                    page,
                    ..ParcelQuery::own(view, page.size)
                };
                core.parcel_list(&operator, query)
            })
            .await?;
            output::list(
                &parcels,
                json,
                parcel_record,
                &[
                    right("PARCELID"),
                    left("STATE"),
                    right("FROM"),
                    right("TO"),
                    right("BYTES"),
                    left("CREATED"),
                    left("FILE"),
                ],
                |p| {
                    vec![
                        p.id.to_string(),
                        p.state.to_string(),
                        p.ecgrid_from.to_string(),
                        p.ecgrid_to.to_string(),
                        p.bytes.to_string(),
                        output::timestamp(&p.created),
                        p.file_name.clone(),
                    ]
                },
            )
        }
        ParcelCommand::Show { parcel_id, json } => {
            let detail = core
                .parcel_info(&operator, ParcelId(parcel_id))
                .await
                .map_err(output::not_found(parcel_id))?;
            let interchanges: Vec<Record> =
                detail.interchanges.iter().map(interchange_record).collect();
            let manifest: Vec<Record> = detail.manifest.iter().map(manifest_record).collect();
            if json {
                return output::json(&Detail {
                    parcel: parcel_record(&detail.parcel),
                    interchanges,
                    manifest,
                });
            }
            output::show(&parcel_record(&detail.parcel), false)?;
            output::line("")?;
            output::line("interchanges:")?;
            output::table(
                &[
                    right("INTERCHANGEID"),
                    left("STATUS"),
                    left("CONTROL"),
                    left("SENDER"),
                    left("RECEIVER"),
                    right("INBOUND"),
                    left("REASON"),
                ],
                &detail
                    .interchanges
                    .iter()
                    .map(|i| {
                        vec![
                            i.id.to_string(),
                            i.status.to_string(),
                            i.control_number.clone(),
                            i.sender.clone(),
                            i.receiver.clone(),
                            i.inbound.map_or_else(|| "-".to_string(), |p| p.to_string()),
                            i.reason.clone(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            )?;
            output::line("")?;
            output::line("manifest:")?;
            output::table(
                &[
                    left("AT"),
                    left("TYPE"),
                    left("STATUS"),
                    right("USER"),
                    left("MESSAGE"),
                ],
                &detail
                    .manifest
                    .iter()
                    .map(|m| {
                        vec![
                            output::timestamp(&m.at),
                            m.kind.to_string(),
                            m.status_code.clone(),
                            m.user_id.to_string(),
                            m.message.clone(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            )
        }
        ParcelCommand::Download {
            parcel_id,
            output: path,
            no_update,
        } => {
            let mode = if no_update {
                DownloadMode::NoUpdate
            } else {
                DownloadMode::Update
            };
            let download = || async {
                core.parcel_download(&operator, ParcelId(parcel_id), mode)
                    .await
                    .map_err(output::not_found(parcel_id))
            };
            if path.as_os_str() == "-" {
                use std::io::Write as _;
                let downloaded = download().await?;
                let mut out = std::io::stdout().lock();
                out.write_all(&downloaded.content)?;
                return Ok(out.flush()?);
            }
            // The content goes to a file beside the target, renamed over it once written:
            // a download moves the parcel out of the inbox, so the file must be writable
            // before it is made, and a failure leaves no half-written target.
            let partial = partial_path(&path);
            let mut file = std::fs::File::create(&partial)
                .with_context(|| format!("writing {}", path.display()))?;
            let written = async {
                let downloaded = download().await?;
                std::io::Write::write_all(&mut file, &downloaded.content)
                    .and_then(|()| file.sync_all())
                    .and_then(|()| std::fs::rename(&partial, &path))
                    .with_context(|| format!("writing {}", path.display()))?;
                anyhow::Ok(downloaded)
            }
            .await;
            let downloaded = written.inspect_err(|_| {
                let _ = std::fs::remove_file(&partial);
            })?;
            output::line(format_args!(
                "ParcelID {} ({} bytes) written to {}",
                downloaded.parcel.id,
                downloaded.content.len(),
                path.display()
            ))
        }
    }
}

/// `parcel send --json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    parcel: Record,
    interchanges: Vec<Record>,
    inbound: Vec<i64>,
}

/// `parcel show --json`.
#[derive(Serialize)]
struct Detail {
    parcel: Record,
    interchanges: Vec<Record>,
    manifest: Vec<Record>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A parcel as the commands print it, camelCase as REST names its fields.
fn parcel_record(p: &Parcel) -> Record {
    Record::new()
        .int("parcelId", p.id.0)
        .text("direction", p.direction)
        .text("state", p.state)
        .text("valid", p.valid)
        .int("networkId", p.network_id.0)
        .int("mailboxId", p.mailbox_id.0)
        .text("mailboxName", &p.names.mailbox)
        .int("peerNetworkId", p.peer_network_id.0)
        .int("peerMailboxId", p.peer_mailbox_id.0)
        .text("peerMailboxName", &p.names.peer_mailbox)
        .int("ecGridIdFrom", p.ecgrid_from.0)
        .int("ecGridIdTo", p.ecgrid_to.0)
        .text("fileName", &p.file_name)
        .int("bytes", p.bytes)
        .int("declaredBytes", p.declared_bytes)
        .text("sha256", hex(&p.sha256))
        .text("standard", p.standard)
        .int("interchangeCount", p.interchange_count)
        .text("problem", &p.problem)
        .text("mailbagControlId", &p.mailbag_control_id)
        .opt_int("sourceParcelId", p.source.map(|s| s.0))
        .int("uploadedBy", p.uploaded_by.0)
        .time("created", Some(&p.created))
        .time("stateChanged", Some(&p.state_changed))
        .time("downloaded", p.downloaded.as_ref())
        .time("archived", p.archived.as_ref())
        .bool("contentRemoved", p.content_removed)
        .int("localStatus", p.local_status)
}

fn interchange_record(i: &Interchange) -> Record {
    Record::new()
        .int("interchangeId", i.id.0)
        .int("parcelId", i.outbound.0)
        .int("position", i.position)
        .opt_int("inboundParcelId", i.inbound.map(|p| p.0))
        .text("status", i.status)
        .text("reason", &i.reason)
        .bool("duplicate", i.duplicate)
        .text("standard", i.standard)
        .text("sender", &i.sender)
        .text("receiver", &i.receiver)
        .int("ecGridIdFrom", i.ecgrid_from.0)
        .int("ecGridIdTo", i.ecgrid_to.0)
        .int("mailboxIdFrom", i.mailbox_from.0)
        .int("mailboxIdTo", i.mailbox_to.0)
        .text("controlNumber", &i.control_number)
        .text("documentType", &i.document_type)
        .int("offset", i.offset)
        .int("length", i.length)
        .time("created", Some(&i.created))
}

fn manifest_record(m: &ManifestEntry) -> Record {
    Record::new()
        .time("at", Some(&m.at))
        .opt_int("interchangeId", m.interchange_id.map(|i| i.0))
        .text("type", m.kind)
        .text("statusCode", &m.status_code)
        .text("message", &m.message)
        .int("userId", m.user_id.0)
}

/// `DIR/.NAME.partial` for `DIR/NAME`: where a download is written before it is renamed.
fn partial_path(path: &std::path::Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}
