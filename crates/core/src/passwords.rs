use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use edigrid_domain::{Error, check_password_policy};
use rand::RngExt;
use tokio::sync::Semaphore;

/// Argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1: OWASP's first
/// recommendation), run on the blocking pool and at most `permits` at a time, so a flood of
/// logins queues here instead of occupying the async workers that serve sessions.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A real hash of a random password, verified when the user is unknown, so that an
    /// unknown login name costs the same time as a wrong password.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> Result<Self, Error> {
        let dummy = hash_now(&generate_password(24))?;
        Ok(PasswordHasher {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
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

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        // The permit travels with the work: a caller that gives up (a timeout, a client that
        // hangs up) does not free it while the hash is still running.
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Internal)?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing task failed");
            Error::Internal
        })
    }
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
        let hasher = PasswordHasher::new(2).unwrap();
        let phc = hasher.hash("Secret#123").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(hasher.verify("Secret#123", &phc).await.unwrap());
        assert!(!hasher.verify("Secret#124", &phc).await.unwrap());
        assert!(!hasher.verify("Secret#123", "not a hash").await.unwrap());
        assert!(!hasher.verify_dummy("Secret#123").await.unwrap());
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
