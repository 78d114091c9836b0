//! Which MX addresses an SMTP probe may connect to, and how many at once: the probe's manners.
//!
//! The MX records are the domain owner's to write, and the probe runs on the user's machine: a
//! hostile domain could list hundreds of hosts, or the user's own router, and turn a check into
//! a port-25 sweep of targets it picks. [`plan_smtp_probes`] refuses addresses in
//! special-purpose blocks (RFC 6890, [`crate::special_address`]) unless allowed, keeps the most
//! preferred hosts and the first addresses of each, and says what it left out as findings. The
//! adapter that connects honours [`SmtpLimits::max_connections`].

use super::report::MxHost;
use crate::domain_name::DomainName;
use crate::finding::{Code, Finding};
use crate::special_address::classify;
use std::net::IpAddr;

/// How much one SMTP probe may do. `Default` is [`SmtpLimits::DEFAULT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmtpLimits {
    /// The most connections open at once (at least one).
    pub max_connections: usize,
    /// The most MX hosts probed, the most preferred first (RFC 5321 §5.1; at least one).
    pub max_hosts: usize,
    /// The most addresses probed per MX host, in the order of its A then AAAA records (at least
    /// one).
    pub max_addresses: usize,
    /// Whether addresses in special-purpose blocks (loopback, private, link-local, ...) are
    /// probed too: for test stand-ins and internal hosts.
    pub allow_special: bool,
}

impl SmtpLimits {
    /// 4 connections at once, 10 hosts, 2 addresses per host, public addresses only.
    pub const DEFAULT: SmtpLimits = SmtpLimits {
        max_connections: 4,
        max_hosts: 10,
        max_addresses: 2,
        allow_special: false,
    };
}

impl Default for SmtpLimits {
    fn default() -> Self {
        SmtpLimits::DEFAULT
    }
}

/// One address to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpTarget {
    /// The MX host, as the report names it.
    pub mx: DomainName,
    /// One of its addresses.
    pub address: IpAddr,
}

/// What to probe, and what was left out and why.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SmtpPlan {
    /// The addresses to connect to, the most preferred host first.
    pub targets: Vec<SmtpTarget>,
    /// `smtp.address-refused`, `smtp.addresses-skipped` and `smtp.hosts-skipped`, each
    /// `for_host` its MX host where it is about one.
    pub findings: Vec<Finding>,
}

/// The addresses of `domain`'s MX hosts `mx` (in preference order, as round two examined them:
/// [`CheckReport::mx`](super::CheckReport::mx)) that a probe within `limits` connects to. Hosts without addresses (the null MX, failed lookups) do
/// not count towards [`SmtpLimits::max_hosts`]; refused addresses do not count towards
/// [`SmtpLimits::max_addresses`].
pub fn plan_smtp_probes(domain: &DomainName, mx: &[MxHost], limits: &SmtpLimits) -> SmtpPlan {
    let mut plan = SmtpPlan::default();
    let hosts: Vec<&MxHost> = mx.iter().filter(|mx| !mx.addresses.is_empty()).collect();
    let max_hosts = limits.max_hosts.max(1);
    for mx in hosts.iter().take(max_hosts) {
        let mut allowed = Vec::new();
        for &address in &mx.addresses {
            match classify(address).filter(|_| !limits.allow_special) {
                Some(range) => plan.findings.push(
                    Finding::new(
                        Code::SmtpAddressRefused,
                        format!(
                            "{} ({address}) is a {range} address (RFC 6890): the probe did not connect to it, and senders on the Internet cannot reach it either.",
                            mx.host
                        ),
                    )
                    .for_host(mx.host.to_string()),
                ),
                None => allowed.push(address),
            }
        }
        let max_addresses = limits.max_addresses.max(1);
        let total = allowed.len();
        if total > max_addresses {
            let skipped: Vec<String> = allowed
                .split_off(max_addresses)
                .iter()
                .map(IpAddr::to_string)
                .collect();
            plan.findings.push(
                Finding::new(
                    Code::SmtpAddressesSkipped,
                    format!(
                        "{} has {} addresses; the probe connected to the first {max_addresses} only and skipped {}.",
                        mx.host,
                        total,
                        skipped.join(", ")
                    ),
                )
                .for_host(mx.host.to_string()),
            );
        }
        plan.targets
            .extend(allowed.into_iter().map(|address| SmtpTarget {
                mx: mx.host.clone(),
                address,
            }));
    }
    if hosts.len() > max_hosts {
        let skipped: Vec<String> = hosts
            .iter()
            .skip(max_hosts)
            .map(|mx| mx.host.to_string())
            .collect();
        plan.findings.push(Finding::new(
            Code::SmtpHostsSkipped,
            format!(
                "{} has {} MX hosts with addresses; the probe connected to the {max_hosts} most preferred only and skipped {}.",
                domain,
                hosts.len(),
                skipped.join(", ")
            ),
        ));
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str, preference: u16, addresses: &[&str]) -> MxHost {
        MxHost {
            host: DomainName::from_wire(name),
            preference: Some(preference),
            cname: Vec::new(),
            addresses: addresses.iter().map(|a| a.parse().unwrap()).collect(),
            covered_by: None,
            tlsa_lookup: None,
            tlsa: Vec::new(),
        }
    }

    fn targets(plan: &SmtpPlan) -> Vec<String> {
        plan.targets
            .iter()
            .map(|t| format!("{} {}", t.mx, t.address))
            .collect()
    }

    fn codes(plan: &SmtpPlan) -> Vec<(&str, Option<&str>)> {
        plan.findings
            .iter()
            .map(|f| (f.code.as_str(), f.host.as_deref()))
            .collect()
    }

    #[test]
    fn special_addresses_are_refused_unless_allowed() {
        let domain = DomainName::from_wire("example.com");
        let mx = [
            host(
                "mx1.example.com",
                10,
                &["127.0.0.1", "93.184.215.14", "::1"],
            ),
            host("mx2.example.com", 20, &["10.1.2.3", "fe80::1"]),
            host("mx3.example.com", 30, &["2a00:1450:4001:81d::200e"]),
        ];
        let plan = plan_smtp_probes(&domain, &mx, &SmtpLimits::DEFAULT);
        assert_eq!(
            targets(&plan),
            [
                "mx1.example.com 93.184.215.14",
                "mx3.example.com 2a00:1450:4001:81d::200e"
            ]
        );
        let refused = ("smtp.address-refused", Some("mx1.example.com"));
        let refused2 = ("smtp.address-refused", Some("mx2.example.com"));
        assert_eq!(codes(&plan), [refused, refused, refused2, refused2]);
        assert!(plan.findings[0]
            .message
            .contains("127.0.0.1) is a loopback address"));
        assert!(plan.findings[2].message.contains("is a private (RFC 1918"));

        let allowed = SmtpLimits {
            allow_special: true,
            ..SmtpLimits::DEFAULT
        };
        let plan = plan_smtp_probes(&domain, &mx, &allowed);
        assert_eq!(
            targets(&plan),
            [
                "mx1.example.com 127.0.0.1",
                "mx1.example.com 93.184.215.14",
                "mx2.example.com 10.1.2.3",
                "mx2.example.com fe80::1",
                "mx3.example.com 2a00:1450:4001:81d::200e",
            ]
        );
        // mx1 has three addresses: the third is over the limit of two.
        assert_eq!(
            codes(&plan),
            [("smtp.addresses-skipped", Some("mx1.example.com"))]
        );
        assert!(plan.findings[0].message.contains("skipped ::1."));
    }

    #[test]
    fn hosts_and_addresses_are_capped() {
        let domain = DomainName::from_wire("example.com");
        let names: Vec<String> = (1..=12).map(|n| format!("mx{n}.example.com")).collect();
        let mut mx: Vec<MxHost> = names
            .iter()
            .zip(1u16..)
            .map(|(name, n)| host(name, n, &[&format!("8.8.8.{n}")]))
            .collect();
        // A host without addresses (its lookups failed) takes no place.
        mx.insert(0, host("broken.example.com", 0, &[]));
        for (limits, want_targets, want_codes) in [
            (SmtpLimits::DEFAULT, 10, vec![("smtp.hosts-skipped", None)]),
            (
                SmtpLimits {
                    max_hosts: 12,
                    ..SmtpLimits::DEFAULT
                },
                12,
                vec![],
            ),
            (
                SmtpLimits {
                    max_hosts: 0,
                    ..SmtpLimits::DEFAULT
                },
                1,
                vec![("smtp.hosts-skipped", None)],
            ),
        ] {
            let plan = plan_smtp_probes(&domain, &mx, &limits);
            assert_eq!(plan.targets.len(), want_targets, "{limits:?}");
            assert_eq!(plan.targets[0].mx.to_string(), "mx1.example.com");
            assert_eq!(codes(&plan), want_codes, "{limits:?}");
        }
        let plan = plan_smtp_probes(&domain, &mx, &SmtpLimits::DEFAULT);
        assert!(plan.findings[0]
            .message
            .contains("12 MX hosts with addresses; the probe connected to the 10 most preferred only and skipped mx11.example.com, mx12.example.com."));

        let one = SmtpLimits {
            max_addresses: 1,
            ..SmtpLimits::DEFAULT
        };
        let mx = [host(
            "mx.example.com",
            10,
            &["8.8.8.8", "8.8.4.4", "2001:4860::8888"],
        )];
        let plan = plan_smtp_probes(&domain, &mx, &one);
        assert_eq!(targets(&plan), ["mx.example.com 8.8.8.8"]);
        assert!(plan.findings[0]
            .message
            .contains("has 3 addresses; the probe connected to the first 1 only and skipped 8.8.4.4, 2001:4860::8888."));
    }
}
