use std::net::IpAddr;

use ipnet::IpNet;

/// The address a request comes from. `X-Forwarded-For` is believed only when the peer is a
/// trusted proxy; then the right-most entry that is not itself a trusted proxy is the client.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let mut client = peer;
    for hop in header.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // A hop we cannot read ends what we can believe.
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_is_the_client_whatever_it_claims() {
        let trusted: Vec<IpNet> = vec!["10.0.0.1/32".parse().unwrap()];
        assert_eq!(
            client_address(ip("192.0.2.7"), Some("1.2.3.4"), &trusted),
            ip("192.0.2.7")
        );
    }

    #[test]
    fn trusted_proxy_chain_is_walked_from_the_right() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_address(
                ip("10.0.0.1"),
                Some("6.6.6.6, 198.51.100.9, 10.0.0.2"),
                &trusted
            ),
            ip("198.51.100.9")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), None, &trusted),
            ip("10.0.0.1")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), Some("garbage"), &trusted),
            ip("10.0.0.1")
        );
    }
}
