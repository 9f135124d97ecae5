//! The Python clients under `tests/clients/python`, run with the `.venv` that
//! `scripts/install-test-clients.sh` makes (zeep, requests), from the repository's root.

use std::ffi::OsStr;
use std::path::PathBuf;

use tokio::process::Command;

pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `.venv/bin/python`; panics, saying how to install it, when it is not there.
pub(crate) fn venv_python() -> PathBuf {
    let python = repo_root().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "no {}: run scripts/install-test-clients.sh, which installs zeep and requests",
        python.display()
    );
    python
}

/// What a program printed, and whether it exited 0.
pub(crate) struct Ran {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `.venv/bin/python ARGS` in the repository's root (killed if the test drops it).
pub(crate) async fn python<S: AsRef<OsStr>>(args: &[S]) -> Ran {
    let python = venv_python();
    let output = Command::new(&python)
        .args(args)
        .current_dir(repo_root())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    Ran {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl Ran {
    /// Asserts that `what` exited 0.
    #[track_caller]
    pub(crate) fn assert_success(&self, what: &str) {
        assert!(self.success, "{what} failed\n{}", self.both());
    }

    /// Asserts that `what` exited 0 and printed a line starting with `pass` (the client
    /// programs print one as their last step).
    #[track_caller]
    pub(crate) fn assert_passed(&self, what: &str, pass: &str) {
        assert!(
            self.success && self.stdout.lines().any(|l| l.starts_with(pass)),
            "{what} failed or did not reach its end\n{}",
            self.both()
        );
    }

    fn both(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}
