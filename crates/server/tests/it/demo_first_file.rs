//! Acceptance 4 of issue 15: a fresh `serve --demo` (the real binary, as a newcomer starts
//! it), then the README's "Send your first file" as written: the zeep program and the curl
//! script it shows are the files under `tests/first_file/`, checked here to be the README's
//! text exactly, and run here against that server. Each ends with the simulated partner's 997
//! downloaded from the demo user's inbox.

use std::path::PathBuf;
use std::time::Duration;

use tokio::process::Command;

use crate::cli::serve_demo;
use crate::support::python::{repo_root, venv_python};

/// Longest a program of the README may take: it waits at most ten seconds for the answer.
const RUN_LIMIT: Duration = Duration::from_secs(60);

fn first_file(name: &str) -> String {
    let path: PathBuf = repo_root().join("tests/first_file").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The README's section, from its heading to the next one of its level.
fn readme_section() -> String {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let start = readme
        .find("\n## Send your first file\n")
        .expect("README.md has a section \"Send your first file\"");
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 4);
    rest[..end].to_string()
}

#[test]
fn the_readme_shows_the_first_file_programs_verbatim() {
    let section = readme_section();
    for (fence, name) in [
        ("```\n", "po.x12"),
        ("```python\n", "first_file.py"),
        ("```sh\n", "first_file.sh"),
    ] {
        let block = format!("{fence}{}```\n", first_file(name));
        assert!(
            section.contains(&block),
            "README.md's \"Send your first file\" does not show tests/first_file/{name} as it is"
        );
    }
}

/// What a program of the README printed, and whether it exited 0.
struct Ran {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs a program of the README from the repository's root, as the README says, with the
/// demo's address and password in the variables the README sets.
async fn run(program: &str, args: &[&str], url: &str, password: &str) -> Ran {
    let ran = tokio::time::timeout(
        RUN_LIMIT,
        Command::new(program)
            .args(args)
            .current_dir(repo_root())
            .env("EDIGRID_URL", url)
            .env("EDIGRID_PASSWORD", password)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("{args:?} did not end within {RUN_LIMIT:?}"))
    .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    Ran {
        success: ran.status.success(),
        stdout: String::from_utf8_lossy(&ran.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&ran.stderr).into_owned(),
    }
}

/// [`run`], which must succeed; its standard output.
async fn run_ok(program: &str, args: &[&str], url: &str, password: &str) -> String {
    let ran = run(program, args, url, password).await;
    assert!(
        ran.success,
        "{args:?} failed\n--- stdout\n{}\n--- stderr\n{}",
        ran.stdout, ran.stderr
    );
    ran.stdout
}

/// A 997 from the partner to the demo mailbox that accepts the README's one 850 group.
#[track_caller]
fn assert_accepting_997(out: &str, what: &str) {
    let isa = out
        .lines()
        .find(|l| l.starts_with("ISA"))
        .unwrap_or_else(|| panic!("{what}: no interchange downloaded:\n{out}"));
    let elements: Vec<&str> = isa.split('*').collect();
    assert_eq!(
        (elements[6].trim_end(), elements[8].trim_end()),
        ("EDIGRIDPARTNER", "EDIGRIDDEMO"),
        "{what}: the answer goes from the partner to the demo mailbox:\n{out}"
    );
    let flat: String = out.split_whitespace().collect::<Vec<_>>().join("");
    for needle in ["ST*997*", "AK1*PO*1", "AK9*A*1*1*1"] {
        assert!(flat.contains(needle), "{what}: no {needle} in\n{out}");
    }
}

#[tokio::test]
async fn a_fresh_demo_acknowledges_the_readme_first_file_with_zeep_and_with_curl() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("edigrid.db");
    let (mut child, _reader, lines) = serve_demo(&db, 7);
    let url = lines[1]
        .strip_prefix("REST: ")
        .and_then(|r| r.strip_suffix("/v2"))
        .unwrap_or_else(|| panic!("{lines:?}"))
        .to_string();
    let password = lines[3].strip_prefix("password: ").unwrap().to_string();
    assert_eq!(lines[4], "mailbox: 200", "{lines:?}");
    let pair = |line: &str, prefix: &str| {
        let (id, pair) = line
            .strip_prefix(prefix)
            .and_then(|r| r.split_once(' '))
            .unwrap_or_else(|| panic!("{lines:?}"));
        (id.parse::<i64>().unwrap(), pair.to_string())
    };
    let (own, own_pair) = pair(&lines[5], "ecgridid: ");
    let (partner, partner_pair) = pair(&lines[6], "partner: ");
    assert_eq!(
        (own_pair.as_str(), partner_pair.as_str()),
        ("ZZ:EDIGRIDDEMO", "ZZ:EDIGRIDPARTNER")
    );
    assert_ne!(own, partner);

    let python = venv_python().display().to_string();
    let zeep = run_ok(
        &python,
        &["tests/first_file/first_file.py"],
        &url,
        &password,
    )
    .await;
    assert!(zeep.contains("sent parcel "), "{zeep}");
    assert_accepting_997(&zeep, "zeep");

    // The same file again, over REST: a second answer, downloaded and confirmed.
    let curl = run_ok("sh", &["tests/first_file/first_file.sh"], &url, &password).await;
    assert_accepting_997(&curl, "curl");
    assert!(curl.trim_end().ends_with("true"), "the confirm: {curl}");

    child.kill().unwrap();
    child.wait().unwrap();
}
