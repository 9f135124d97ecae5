//! An independent load generator beside our own: `wrk` (Debian package `wrk`), run once per
//! round as a child process with a Lua script that sets the method, headers and body. If our
//! generator flattered or penalised edigrid against the ceiling, wrk's ratio would differ.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::load::{PATH, Stats};

/// Threads of every wrk run: one per core here.
const THREADS: usize = 2;

/// Whether `wrk` can be started (it prints its usage and exits when asked its version).
pub fn available() -> bool {
    std::process::Command::new("wrk")
        .arg("-v")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

/// Writes the Lua script that makes wrk POST `body` as SOAP.
pub fn script(work: &Path, name: &str, body: &[u8]) -> anyhow::Result<PathBuf> {
    let body = std::str::from_utf8(body)?;
    anyhow::ensure!(!body.contains("]==]"), "the body ends wrk's Lua string");
    let path = work.join(format!("{name}.lua"));
    std::fs::write(
        &path,
        format!(
            "wrk.method = \"POST\"\n\
             wrk.headers[\"Content-Type\"] = \"text/xml; charset=utf-8\"\n\
             wrk.body = [==[{body}]==]\n"
        ),
    )?;
    Ok(path)
}

/// One wrk run of `time` (whole seconds, at least one: wrk takes no less) against `addr`.
/// Only throughput and errors come back: wrk's latencies of separate runs cannot be summed.
pub async fn run(
    addr: SocketAddr,
    script: &Path,
    connections: usize,
    time: Duration,
) -> anyhow::Result<Stats> {
    let seconds = time.as_secs_f64().round().max(1.0) as u64;
    let out = tokio::process::Command::new("wrk")
        .arg(format!("-t{THREADS}"))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("-s")
        .arg(script)
        .arg(format!("http://{addr}{PATH}"))
        .output()
        .await?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(
        out.status.success(),
        "wrk failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse(&text)
}

/// Reads `N requests in T` and the error lines of wrk's report.
fn parse(text: &str) -> anyhow::Result<Stats> {
    let mut stats = Stats::empty()?;
    let mut found = false;
    for line in text.lines().map(str::trim) {
        if let Some((n, rest)) = line.split_once(" requests in ") {
            stats.requests = n.trim().parse()?;
            let time = rest.split(',').next().unwrap_or_default();
            stats.elapsed = duration(time)
                .ok_or_else(|| anyhow::anyhow!("wrk's run time {time:?} not understood"))?;
            found = true;
        } else if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            stats.errors += n.trim().parse::<u64>()?;
        } else if let Some(list) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            for part in list.split(',') {
                if let Some(n) = part.split_whitespace().nth(1) {
                    stats.errors += n.parse::<u64>()?;
                }
            }
        }
    }
    anyhow::ensure!(found, "no request count in wrk's report: {text}");
    Ok(stats)
}

/// wrk's times: `1.00s`, `999.52ms`, `12.00us`, `1.00m`.
fn duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit {
        "us" => number / 1e6,
        "ms" => number / 1e3,
        "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_wrk_4_reports() {
        let report = "Running 1s test @ http://127.0.0.1:40000/v4.1/prod/ECGridOS.asmx\n  \
            2 threads and 64 connections\n  \
            Thread Stats   Avg      Stdev     Max   +/- Stdev\n    \
            Latency     1.10ms  420.00us   9.00ms   80.00%\n    \
            Req/Sec    29.10k     1.20k   31.00k    70.00%\n  \
            58123 requests in 1.00s, 30.10MB read\n  \
            Socket errors: connect 0, read 2, write 0, timeout 1\n  \
            Non-2xx or 3xx responses: 4\n\
            Requests/sec:  57950.12\n\
            Transfer/sec:     30.01MB\n";
        let s = parse(report).unwrap();
        assert_eq!(s.requests, 58123);
        assert_eq!(s.errors, 7);
        assert_eq!(s.elapsed, Duration::from_secs(1));
        assert_eq!(duration("999.50ms"), Some(Duration::from_micros(999_500)));
    }
}
