//! Who a request comes from, for rate limits: the client's address (`CF-Connecting-IP`) cut to
//! the prefix one subscriber usually holds, a /64 for IPv6 (RFC 6177: an end site gets at least a
//! /64, often a /56 or /48) and the address itself for IPv4. A client cannot escape its limit by
//! walking the addresses of its own /64.

use std::net::IpAddr;
use worker::Request;

/// The rate-limit key of the request's client: `203.0.113.7`, `2001:db8:1:2::/64`, or `local`
/// when the platform gives no address (`wrangler dev` without a client address).
pub fn client_prefix(req: &Request) -> String {
    let address = req.headers().get("cf-connecting-ip").ok().flatten();
    prefix_of(address.as_deref())
}

/// The prefix of an address as text (see [`client_prefix`]).
fn prefix_of(address: Option<&str>) -> String {
    match address.and_then(|a| a.trim().parse::<IpAddr>().ok()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        None => "local".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        for (address, want) in [
            (Some("203.0.113.7"), "203.0.113.7"),
            (Some(" 203.0.113.7 "), "203.0.113.7"),
            (Some("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64"),
            (Some("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64"),
            (Some("2001:DB8::1"), "2001:db8:0:0::/64"),
            (Some("::ffff:198.51.100.1"), "198.51.100.1"),
            (Some("not an address"), "local"),
            (None, "local"),
        ] {
            assert_eq!(prefix_of(address), want, "{address:?}");
        }
    }
}
