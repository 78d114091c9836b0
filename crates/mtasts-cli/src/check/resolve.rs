//! `--resolve HOST:PORT:ADDR[,ADDR]...`, as curl has it: connections to HOST on PORT go to ADDR
//! instead of the address DNS gives. This is how an admin tests a policy host before the DNS
//! change goes live.

use super::SetupError;
use mtasts::name::without_root_dot;
use reqwest::Url;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// One `--resolve` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOverride {
    /// The host name, lower case, without a root dot.
    pub host: String,
    /// The port the entry applies to.
    pub port: u16,
    /// The addresses to connect to instead.
    pub addresses: Vec<IpAddr>,
}

impl ResolveOverride {
    /// Whether the entry applies to a connection to `host` on `port`.
    pub fn applies_to(&self, host: &str, port: u16) -> bool {
        self.port == port && self.host.eq_ignore_ascii_case(without_root_dot(host))
    }
}

impl fmt::Display for ResolveOverride {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addresses: Vec<String> = self
            .addresses
            .iter()
            .map(|ip| match ip {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => format!("[{v6}]"),
            })
            .collect();
        write!(f, "{}:{}:{}", self.host, self.port, addresses.join(","))
    }
}

/// Why a `--resolve` argument is not `HOST:PORT:ADDR`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolveParseError {
    /// Not three `:`-separated parts.
    Shape(String),
    /// The host part is empty or holds characters no host name has.
    Host(String),
    /// The port is not a number from 1 to 65535.
    Port(String),
    /// An address is not an IPv4 or IPv6 address.
    Address(String),
}

impl fmt::Display for ResolveParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveParseError::Shape(s) => write!(f, "{s:?} is not HOST:PORT:ADDR"),
            ResolveParseError::Host(s) => write!(f, "{s:?} is not a host name"),
            ResolveParseError::Port(s) => write!(f, "{s:?} is not a port number"),
            ResolveParseError::Address(s) => write!(f, "{s:?} is not an IP address"),
        }
    }
}

impl std::error::Error for ResolveParseError {}

impl FromStr for ResolveOverride {
    type Err = ResolveParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let shape = || ResolveParseError::Shape(s.to_string());
        let (host, rest) = s.split_once(':').ok_or_else(shape)?;
        let (port, addresses) = rest.split_once(':').ok_or_else(shape)?;
        let host = without_root_dot(host).to_ascii_lowercase();
        if host.is_empty()
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        {
            return Err(ResolveParseError::Host(host));
        }
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| ResolveParseError::Port(port.to_string()))?;
        let addresses = addresses
            .split(',')
            .map(|a| {
                let bare = a
                    .strip_prefix('[')
                    .and_then(|a| a.strip_suffix(']'))
                    .unwrap_or(a);
                bare.parse::<IpAddr>()
                    .map_err(|_| ResolveParseError::Address(a.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ResolveOverride {
            host,
            port,
            addresses,
        })
    }
}

/// The entries for the policy fetch (those on `https_port`). An entry for neither that port nor
/// the DoH endpoint would silently do nothing, so it is refused.
pub(crate) fn for_policy_fetch(
    entries: &[ResolveOverride],
    https_port: u16,
    doh: &Url,
) -> Result<Vec<ResolveOverride>, SetupError> {
    let doh_host = doh.host_str().unwrap_or("");
    let doh_port = doh.port_or_known_default().unwrap_or(0);
    let mut policy = Vec::new();
    for entry in entries {
        if entry.port == https_port {
            policy.push(entry.clone());
        } else if !entry.applies_to(doh_host, doh_port) {
            return Err(SetupError::Resolve {
                entry: entry.to_string(),
                why: format!(
                    "port {} is neither the policy fetch's ({https_port}, see --https-port) nor the DoH resolver's ({doh_host}:{doh_port})",
                    entry.port
                ),
            });
        }
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn parse() {
        let v4 = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
        let v6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
        for (input, want) in [
            (
                "mta-sts.example.com:443:192.0.2.7",
                Ok(("mta-sts.example.com", 443, vec![v4])),
            ),
            (
                "MTA-STS.Example.COM.:8443:[::1],192.0.2.7",
                Ok(("mta-sts.example.com", 8443, vec![v6, v4])),
            ),
            ("h.example:443:::1", Ok(("h.example", 443, vec![v6]))),
            (
                "h.example:443",
                Err(ResolveParseError::Shape("h.example:443".into())),
            ),
            (
                ":443:192.0.2.7",
                Err(ResolveParseError::Host(String::new())),
            ),
            (
                "h x:443:192.0.2.7",
                Err(ResolveParseError::Host("h x".into())),
            ),
            (
                "h.example:0:192.0.2.7",
                Err(ResolveParseError::Port("0".into())),
            ),
            (
                "h.example:https:192.0.2.7",
                Err(ResolveParseError::Port("https".into())),
            ),
            (
                "h.example:443:mx.example",
                Err(ResolveParseError::Address("mx.example".into())),
            ),
            (
                "h.example:443:",
                Err(ResolveParseError::Address(String::new())),
            ),
        ] {
            let got = input
                .parse::<ResolveOverride>()
                .map(|r| (r.host, r.port, r.addresses));
            let want = want.map(|(h, p, a)| (h.to_string(), p, a));
            assert_eq!(got, want, "{input}");
        }
    }

    #[test]
    fn display_round_trips() {
        for input in ["h.example:443:192.0.2.7", "h.example:8443:[::1],192.0.2.7"] {
            let parsed: ResolveOverride = input.parse().unwrap();
            assert_eq!(parsed.to_string(), input);
        }
    }

    #[test]
    fn which_entries_the_policy_fetch_uses() {
        let doh = Url::parse("https://dns.example/dns-query").unwrap();
        let local = Url::parse("http://127.0.0.1:8053/dns-query").unwrap();
        for (entries, https_port, doh, want) in [
            (vec!["mta-sts.a.example:443:192.0.2.1"], 443, &doh, Ok(1)),
            (vec!["mta-sts.a.example:8443:192.0.2.1"], 8443, &doh, Ok(1)),
            (vec!["dns.example:443:192.0.2.9"], 8443, &doh, Ok(0)),
            (vec!["mta-sts.a.example:8443:192.0.2.1"], 443, &doh, Err(())),
            (
                vec!["mta-sts.a.example:8053:192.0.2.1"],
                443,
                &local,
                Err(()),
            ),
        ] {
            let parsed: Vec<ResolveOverride> = entries.iter().map(|e| e.parse().unwrap()).collect();
            let got = for_policy_fetch(&parsed, https_port, doh)
                .map(|v| v.len())
                .map_err(|_| ());
            assert_eq!(got, want, "{entries:?} {https_port}");
        }
    }
}
