//! The rules of callbacks that need no store: secrets, the retry schedule, and which URLs
//! and addresses a callback may reach (SPEC-VAN 20).

use std::net::IpAddr;

use edigrid_domain::{Error, ParamProblem};
use rand::RngExt;
use rand::distr::Alphanumeric;

/// Longest URL accepted.
const MAX_URL_LEN: usize = 2000;

/// A fresh Standard Webhooks secret: `whsec_` and 32 base64 characters (24 random bytes'
/// worth; alphanumerics are base64 digits, so the text decodes as the spec requires).
pub fn new_secret() -> String {
    let body: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    format!("whsec_{body}")
}

/// The delay before attempt `attempt + 1` after `attempt` failures: `base` doubled each
/// time, at most `cap`.
pub fn backoff(base_ms: u64, attempt: i32, cap_ms: u64) -> chrono::Duration {
    let shift = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let ms = base_ms
        .saturating_mul(1u64 << shift)
        .min(cap_ms.max(base_ms));
    chrono::Duration::milliseconds(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// Whether an address is one a callback may reach without `callback_allow_private`:
/// not private, loopback, link-local, unspecified, shared, broadcast or multicast.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// A callback URL: `http` or `https`, with a host; a host that is a private address (or
/// `localhost`) is refused unless `allow_private`. Names are resolved and checked again
/// when sending.
pub fn check_url(raw: &str, allow_private: bool) -> Result<String, Error> {
    let url = raw.trim();
    let bad = |why: &str| Error::invalid("URL", ParamProblem::Value, why.to_string());
    if url.is_empty() {
        return Err(Error::invalid("URL", ParamProblem::Value, "is required"));
    }
    if url.len() > MAX_URL_LEN {
        return Err(Error::invalid(
            "URL",
            ParamProblem::Length,
            format!("is longer than {MAX_URL_LEN} characters"),
        ));
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| bad("must be an http or https URL"))?;
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("must not contain spaces"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.is_empty() {
        return Err(bad("has no host"));
    }
    if !allow_private {
        let private = match host.parse::<IpAddr>() {
            Ok(ip) => !is_public(ip),
            Err(_) => host == "localhost" || host.ends_with(".localhost"),
        };
        if private {
            return Err(bad(
                "names a private, loopback or link-local address, which callbacks may not reach",
            ));
        }
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn urls_are_http_with_a_public_host_unless_allowed() {
        for ok in [
            "https://hooks.example.com/x",
            "http://hooks.example.com:8080/a?b=c",
            "https://8.8.8.8/x",
            "https://[2001:4860::8888]/x",
        ] {
            assert_eq!(check_url(ok, false).unwrap(), ok);
        }
        for bad in [
            "",
            "ftp://example.com/",
            "example.com/x",
            "https:///x",
            "https://exa mple.com/",
            "http://127.0.0.1/",
            "http://10.0.0.1/",
            "http://172.16.3.4/",
            "http://192.168.1.1/",
            "http://169.254.169.254/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://localhost:9/",
            "http://a.localhost/",
            "http://user:pw@127.0.0.1/",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad} was taken");
        }
        assert!(check_url("http://127.0.0.1:9/x", true).is_ok());
        assert!(check_url("ftp://127.0.0.1/", true).is_err());
        assert!(check_url(&format!("https://e.com/{}", "a".repeat(3000)), true).is_err());
    }

    #[test]
    fn retries_double_up_to_the_cap() {
        let ms = |attempt| backoff(5_000, attempt, 60_000).num_milliseconds();
        assert_eq!(
            [ms(1), ms(2), ms(3), ms(4), ms(5), ms(40)],
            [5_000, 10_000, 20_000, 40_000, 60_000, 60_000]
        );
    }

    #[test]
    fn secrets_are_fresh_standard_webhooks_keys() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        let body = a.strip_prefix("whsec_").unwrap();
        assert_eq!(body.len(), 32);
        assert!(body.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
