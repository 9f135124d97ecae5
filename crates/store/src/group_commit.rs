//! Group commit on SQLite: one fsync for many acknowledged writes of the parcel hot path
//! (uploads, and the state changes of downloads and confirms).
//!
//! SQLite has one writer, and with `synchronous=FULL` every commit waits for an fsync of the
//! WAL. One write per commit caps the rate at the disk's fsync rate, however many clients
//! send; worse, writers on several pool connections queue on SQLite's write lock, whose busy
//! handler sleeps between tries (1 to 100 ms), so a busy node answers in tens of
//! milliseconds what takes one. Here one task owns these writes: it takes every job waiting
//! in its queue (up to [`MAX_BATCH`] or [`MAX_BATCH_BYTES`]), writes each inside its own
//! savepoint of one `BEGIN IMMEDIATE` transaction, commits once, and only then answers each
//! job. A job that fails rolls back to its savepoint and is answered with its error; the
//! others of the batch are unaffected. A failed commit answers every job of the batch with
//! the error, so nothing is acknowledged that is not durable.
//!
//! The writer is a thread of its own with its own rusqlite connection (see `write_conn`):
//! a statement costs no thread switch there, and a group is written as fast as SQLite runs.
//!
//! Large uploads skip the queue (their fsync is a small part of their cost, and the queue
//! would hold a copy of their content).

use edigrid_core::parcels::model::{Accepted, StateChange, Upload};
use edigrid_core::store::{StoreError, StoreResult};
use tokio::sync::{mpsc, oneshot};

use crate::sql::Stmt;
use crate::write_conn::{DirectConn, WriteConn};

/// Uploads written in one transaction at most.
pub(crate) const MAX_BATCH: usize = 256;
/// Content bytes written in one transaction at most (a batch is never smaller than one).
pub(crate) const MAX_BATCH_BYTES: usize = 16 << 20;
/// Uploads whose content (outbound and inbound together) is larger go straight to the pool,
/// in a transaction of their own.
pub(crate) const MAX_QUEUED_UPLOAD_BYTES: usize = 1 << 20;

/// One write the writer makes, and where its answer goes.
enum Job {
    Upload(Box<Upload>, oneshot::Sender<StoreResult<Accepted>>),
    Change(StateChange, oneshot::Sender<StoreResult<bool>>),
}

impl Job {
    fn content_bytes(&self) -> usize {
        match self {
            Job::Upload(upload, _) => content_bytes(upload),
            Job::Change(..) => 0,
        }
    }

    /// Answers with the error that stopped the whole batch.
    fn fail(self, e: &StoreError) {
        let failed = || StoreError::Backend(format!("batch not committed: {e}"));
        match self {
            Job::Upload(_, answer) => {
                let _ = answer.send(Err(failed()));
            }
            Job::Change(_, answer) => {
                let _ = answer.send(Err(failed()));
            }
        }
    }
}

/// A job's result, held until its batch is committed.
enum Outcome {
    Upload(StoreResult<Accepted>),
    Change(StoreResult<bool>),
}

/// The queue to the writer thread.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Opens the writer's connection to the database file and starts its thread, which
    /// ends when the last handle to the queue is dropped.
    pub fn start(path: &std::path::Path) -> StoreResult<Self> {
        let conn = DirectConn::open(path)?;
        let (queue, jobs) = mpsc::channel(MAX_BATCH * 4);
        std::thread::Builder::new()
            .name("edigrid-writer".into())
            .spawn(move || writer(conn, jobs))
            .map_err(|e| StoreError::Backend(format!("cannot start the writer: {e}")))?;
        Ok(GroupCommit { queue })
    }

    /// Whether an upload goes through the queue (small enough to copy).
    pub fn takes(upload: &Upload) -> bool {
        content_bytes(upload) <= MAX_QUEUED_UPLOAD_BYTES
    }

    /// Writes the upload in the next batch and answers once that batch is committed.
    pub async fn accept(&self, upload: Upload) -> StoreResult<Accepted> {
        let (answer, answered) = oneshot::channel();
        self.send(Job::Upload(Box::new(upload), answer)).await?;
        answered
            .await
            .map_err(|_| StoreError::Backend("the writer dropped an upload".into()))?
    }

    /// Applies the state change in the next batch (`ParcelStore::change_state`) and answers
    /// once that batch is committed.
    pub async fn change(&self, change: StateChange) -> StoreResult<bool> {
        let (answer, answered) = oneshot::channel();
        self.send(Job::Change(change, answer)).await?;
        answered
            .await
            .map_err(|_| StoreError::Backend("the writer dropped a state change".into()))?
    }

    async fn send(&self, job: Job) -> StoreResult<()> {
        self.queue
            .send(job)
            .await
            .map_err(|_| StoreError::Backend("the parcel writer has stopped".into()))
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

fn writer(mut conn: DirectConn, mut jobs: mpsc::Receiver<Job>) {
    // The statements never wait (see `DirectConn`); the runtime only drives their futures.
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "the parcel writer cannot start");
            return;
        }
    };
    while let Some(first) = jobs.blocking_recv() {
        let mut bytes = first.content_bytes();
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH && bytes < MAX_BATCH_BYTES {
            match jobs.try_recv() {
                Ok(job) => {
                    bytes += job.content_bytes();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        metrics::histogram!("edigrid_upload_batch_size").record(batch.len() as f64);
        match runtime.block_on(write_batch(&mut conn, &batch)) {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    match (job, outcome) {
                        (Job::Upload(_, answer), Outcome::Upload(result)) => {
                            let _ = answer.send(result);
                        }
                        (Job::Change(_, answer), Outcome::Change(result)) => {
                            let _ = answer.send(result);
                        }
                        // write_batch gives each job the outcome of its own kind.
                        (job, _) => job.fail(&StoreError::Backend("mismatched outcome".into())),
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = batch.len(), "parcel write batch not committed");
                for job in batch {
                    job.fail(&e);
                }
            }
        }
    }
}

/// Writes every job of a batch in one transaction and commits: each job's own result, or
/// the error that stopped the whole batch.
///
/// Jobs rarely fail, and a savepoint around each costs two more statements, each a round
/// trip to SQLite's thread that every waiting upload pays for. So the batch is first written
/// without savepoints; if a job fails, that transaction is rolled back and the batch written
/// again with a savepoint around each job, so that only the failing job is refused.
async fn write_batch(conn: &mut DirectConn, jobs: &[Job]) -> StoreResult<Vec<Outcome>> {
    match write_jobs(conn, jobs, false).await? {
        Written::Committed(outcomes) => Ok(outcomes),
        Written::Failed(outcome) if jobs.len() == 1 => Ok(vec![outcome]),
        Written::Failed(_) => match write_jobs(conn, jobs, true).await? {
            Written::Committed(outcomes) => Ok(outcomes),
            Written::Failed(_) => Err(StoreError::Backend(
                "a job failed outside its savepoint".into(),
            )),
        },
    }
}

enum Written {
    Committed(Vec<Outcome>),
    /// A job failed without a savepoint: nothing was committed (its outcome is given).
    Failed(Outcome),
}

/// One transaction for `jobs`; with `guarded`, each job in its own savepoint (a failing
/// job is rolled back alone), else the first failure abandons the transaction.
async fn write_jobs(conn: &mut DirectConn, jobs: &[Job], guarded: bool) -> StoreResult<Written> {
    conn.batch("BEGIN IMMEDIATE")?;
    let written = write_in_transaction(conn, jobs, guarded).await;
    match &written {
        Ok(Written::Committed(_)) => {
            if let Err(e) = conn.batch("COMMIT") {
                let _ = conn.batch("ROLLBACK");
                return Err(e);
            }
        }
        // A failure outside a savepoint, or an error that stopped the batch: nothing of it
        // stays (the write lock is free again for the retry).
        Ok(Written::Failed(_)) | Err(_) => conn.batch("ROLLBACK")?,
    }
    written
}

async fn write_in_transaction(
    tx: &mut DirectConn,
    jobs: &[Job],
    guarded: bool,
) -> StoreResult<Written> {
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        if guarded {
            tx.write(Stmt::new("SAVEPOINT job")).await?;
        }
        let (outcome, failed) = match job {
            Job::Upload(upload, _) => {
                let result = crate::parcels::accept_in(&mut *tx, upload).await;
                let failed = result.is_err();
                (Outcome::Upload(result), failed)
            }
            Job::Change(change, _) => {
                let result = crate::parcels::apply_change(&mut *tx, change).await;
                let failed = result.is_err();
                (Outcome::Change(result), failed)
            }
        };
        if failed && !guarded {
            return Ok(Written::Failed(outcome));
        }
        if guarded {
            if failed {
                tx.write(Stmt::new("ROLLBACK TO job")).await?;
            }
            tx.write(Stmt::new("RELEASE job")).await?;
        }
        outcomes.push(outcome);
    }
    Ok(Written::Committed(outcomes))
}
