//! Group commit of uploads on SQLite: one fsync for many acknowledged uploads.
//!
//! SQLite has one writer, and with `synchronous=FULL` every commit waits for an fsync of the
//! WAL. One upload per commit caps the upload rate at the disk's fsync rate, however many
//! clients send. Here one task owns the uploads' writing: it takes every upload waiting in
//! its queue (up to [`MAX_BATCH`] or [`MAX_BATCH_BYTES`]), writes each inside its own
//! savepoint of one `BEGIN IMMEDIATE` transaction, commits once, and only then answers each
//! upload. An upload that fails rolls back to its savepoint and is answered with its error;
//! the others of the batch are unaffected. A failed commit answers every upload of the batch
//! with the error, so nothing is acknowledged that is not durable.
//!
//! Large uploads skip the queue (their fsync is a small part of their cost, and the queue
//! would hold a copy of their content).

use edigrid_core::parcels::model::{Accepted, Upload};
use edigrid_core::store::{StoreError, StoreResult};
use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use crate::convert::backend;
use crate::sql::{Conn, Stmt};

/// Uploads written in one transaction at most.
pub(crate) const MAX_BATCH: usize = 256;
/// Content bytes written in one transaction at most (a batch is never smaller than one).
pub(crate) const MAX_BATCH_BYTES: usize = 16 << 20;
/// Uploads whose content (outbound and inbound together) is larger go straight to the pool.
pub(crate) const MAX_QUEUED_UPLOAD_BYTES: usize = 1 << 20;

type Job = (Upload, oneshot::Sender<StoreResult<Accepted>>);

/// The queue to the upload writer task.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the writer task on the current runtime.
    pub fn start(pool: SqlitePool) -> Self {
        let (queue, jobs) = mpsc::channel(MAX_BATCH * 4);
        tokio::spawn(writer(pool, jobs));
        GroupCommit { queue }
    }

    /// Whether an upload goes through the queue (small enough to copy).
    pub fn takes(upload: &Upload) -> bool {
        content_bytes(upload) <= MAX_QUEUED_UPLOAD_BYTES
    }

    /// Writes the upload in the next batch and answers once that batch is committed.
    pub async fn accept(&self, upload: Upload) -> StoreResult<Accepted> {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send((upload, answer))
            .await
            .map_err(|_| StoreError::Backend("the upload writer has stopped".into()))?;
        answered
            .await
            .map_err(|_| StoreError::Backend("the upload writer dropped an upload".into()))?
    }
}

fn content_bytes(upload: &Upload) -> usize {
    upload.outbound.content.len()
        + upload
            .inbound
            .iter()
            .map(|p| p.content.len())
            .sum::<usize>()
}

async fn writer(pool: SqlitePool, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut bytes = content_bytes(&first.0);
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH && bytes < MAX_BATCH_BYTES {
            match jobs.try_recv() {
                Ok(job) => {
                    bytes += content_bytes(&job.0);
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        metrics::histogram!("edigrid_upload_batch_size").record(batch.len() as f64);
        let (uploads, answers): (Vec<Upload>, Vec<_>) = batch.into_iter().unzip();
        match write_batch(&pool, &uploads).await {
            Ok(results) => {
                for (answer, result) in answers.into_iter().zip(results) {
                    let _ = answer.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, uploads = uploads.len(), "upload batch not committed");
                for answer in answers {
                    let failed = format!("upload batch not committed: {e}");
                    let _ = answer.send(Err(StoreError::Backend(failed)));
                }
            }
        }
    }
}

/// Writes every upload of a batch in its own savepoint of one transaction and commits:
/// each upload's own result, or the error that stopped the whole batch.
async fn write_batch(
    pool: &SqlitePool,
    uploads: &[Upload],
) -> StoreResult<Vec<StoreResult<Accepted>>> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    let mut results = Vec::with_capacity(uploads.len());
    for upload in uploads {
        tx.execute(Stmt::new("SAVEPOINT upload")).await?;
        let result = crate::parcels::accept_in(&mut *tx, upload).await;
        if result.is_err() {
            tx.execute(Stmt::new("ROLLBACK TO upload")).await?;
        }
        tx.execute(Stmt::new("RELEASE upload")).await?;
        results.push(result);
    }
    tx.commit().await.map_err(backend)?;
    Ok(results)
}
