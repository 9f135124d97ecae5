use std::sync::{Arc, Mutex, mpsc};

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use edigrid_domain::{Error, check_password_policy};
use rand::RngExt;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1: OWASP's first
/// recommendation), run on threads of its own, at most `threads` hashes at a time, so a
/// flood of logins queues here instead of occupying the async workers that serve sessions.
/// The threads run at a lower CPU priority: by default in Linux's idle scheduling class
/// (`SCHED_IDLE`), so a hash gets only CPU time no other thread wants and yields the core
/// the moment a session call's worker wakes; else, or where that class is refused, at a
/// `nice` value. A `nice` thread still ran for most of a scheduler slice after a worker
/// woke, and a Login flood took a third of the cores' time from session calls.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
    /// A real hash of a random password, verified when the user is unknown, so that an
    /// unknown login name costs the same time as a wrong password.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    /// `threads` hashing threads (at least one) at `nice` (clamped to 0–19), in the idle
    /// scheduling class when `idle_class`. The threads end when the last clone of the
    /// hasher is dropped.
    pub fn new(threads: usize, nice: i32, idle_class: bool) -> Result<Self, Error> {
        let dummy = hash_now(&generate_password(24))?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let nice = nice.clamp(0, 19);
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("edigrid-hash-{n}"))
                .spawn(move || hashing_thread(&queue, nice, idle_class))
                .map_err(|e| {
                    tracing::error!(error = %e, "could not start a password hashing thread");
                    Error::Internal
                })?;
        }
        Ok(PasswordHasher {
            jobs,
            dummy_hash: dummy.into(),
        })
    }

    pub async fn hash(&self, password: &str) -> Result<String, Error> {
        let password = password.to_string();
        self.run(move || hash_now(&password)).await?
    }

    /// True when `password` matches `phc`; a malformed stored hash never matches.
    pub async fn verify(&self, password: &str, phc: &str) -> Result<bool, Error> {
        let password = password.to_string();
        let phc = phc.to_string();
        self.run(move || {
            Argon2::default()
                .verify_password(password.as_bytes(), phc.as_str())
                .is_ok()
        })
        .await
    }

    /// Spends the time of a verification and always answers false.
    pub async fn verify_dummy(&self, password: &str) -> Result<bool, Error> {
        let dummy = self.dummy_hash.clone();
        self.verify(password, &dummy).await.map(|_| false)
    }

    /// Queues `work` for a hashing thread. A caller that gives up (a timeout, a client that
    /// hangs up) does not stop it: the thread stays busy until the hash is done, so the
    /// bound on concurrent hashes holds.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        let (done, result) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = done.send(work());
            }))
            .map_err(|_| Error::Internal)?;
        result.await.map_err(|_| {
            tracing::error!("a password hashing job was lost");
            Error::Internal
        })
    }
}

fn hashing_thread(queue: &Mutex<mpsc::Receiver<Job>>, nice: i32, idle_class: bool) {
    // Lowering one's own priority needs no privilege; on failure the thread runs as is.
    if idle_class && !enter_idle_class() {
        tracing::warn!(
            "could not put the password hashing thread in the idle scheduling class; it runs at nice {nice}"
        );
    }
    if let Err(e) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), nice) {
        tracing::warn!(error = %e, nice, "could not lower the password hashing thread's priority");
    }
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            // A panic in one hash must not take the thread (and its share of logins) away.
            Ok(job) => {
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                    tracing::error!("password hashing panicked");
                }
            }
            Err(_) => return,
        }
    }
}

/// Moves the calling thread to `SCHED_IDLE`; true when it is there. The crate also tries to
/// reset the thread's nice value to 0 after changing the class, which a process already
/// niced may not do, so success is judged by reading the class back.
fn enter_idle_class() -> bool {
    use thread_priority::unix::{
        NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
        thread_native_id, thread_schedule_policy,
    };
    let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
    let _ = set_thread_priority_and_policy(
        thread_native_id(),
        thread_priority::ThreadPriority::Min,
        idle,
    );
    thread_schedule_policy().is_ok_and(|policy| policy == idle)
}

fn hash_now(password: &str) -> Result<String, Error> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            Error::Internal
        })
}

/// A random password of `len` characters (at least 8) that meets the password policy.
pub fn generate_password(len: usize) -> String {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    const OTHER: &[u8] = b"!#%*+-=?@_";
    let len = len.max(8);
    let mut rng = rand::rng();
    loop {
        let all: Vec<u8> = [LOWER, UPPER, DIGIT, OTHER].concat();
        let candidate: String = (0..len)
            .map(|_| all[rng.random_range(0..all.len())] as char)
            .collect();
        if check_password_policy(&candidate, "Password").is_ok() {
            return candidate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_phc_and_verify() {
        let hasher = PasswordHasher::new(2, 10, false).unwrap();
        let phc = hasher.hash("Secret#123").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(hasher.verify("Secret#123", &phc).await.unwrap());
        assert!(!hasher.verify("Secret#124", &phc).await.unwrap());
        assert!(!hasher.verify("Secret#123", "not a hash").await.unwrap());
        assert!(!hasher.verify_dummy("Secret#123").await.unwrap());
    }

    /// The nice value (field 19) and scheduling policy (field 41) of a hashing thread,
    /// read back from /proc; fields are counted after the parenthesised name.
    async fn hashing_thread_priority(hasher: &PasswordHasher) -> (i32, u32) {
        let tid = hasher
            .run(|| rustix::thread::gettid().as_raw_nonzero().get())
            .await
            .unwrap();
        assert_ne!(tid, rustix::thread::gettid().as_raw_nonzero().get());
        let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).unwrap();
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
        (fields[16].parse().unwrap(), fields[38].parse().unwrap())
    }

    const SCHED_OTHER: u32 = 0;
    const SCHED_IDLE: u32 = 5;

    #[tokio::test]
    async fn hashing_threads_run_at_the_configured_nice_without_the_idle_class() {
        let hasher = PasswordHasher::new(1, 7, false).unwrap();
        let (nice, policy) = hashing_thread_priority(&hasher).await;
        // A process already nicer than 7 cannot raise a thread back (no privilege needed
        // only to lower priority).
        let base = rustix::process::getpriority_process(None).unwrap();
        assert_eq!(nice, 7.max(base));
        assert_eq!(policy, SCHED_OTHER);
    }

    #[tokio::test]
    async fn hashing_threads_run_in_the_idle_class_when_asked_and_still_hash() {
        let hasher = PasswordHasher::new(1, 7, true).unwrap();
        let (nice, policy) = hashing_thread_priority(&hasher).await;
        assert_eq!(policy, SCHED_IDLE);
        let base = rustix::process::getpriority_process(None).unwrap();
        assert_eq!(nice, 7.max(base), "the nice value is kept as the fallback");
        let phc = hasher.hash("Secret#123").await.unwrap();
        assert!(hasher.verify("Secret#123", &phc).await.unwrap());
    }

    #[test]
    fn generated_passwords_meet_the_policy() {
        for _ in 0..50 {
            let p = generate_password(12);
            assert_eq!(p.len(), 12);
            check_password_policy(&p, "p").unwrap();
        }
    }
}
