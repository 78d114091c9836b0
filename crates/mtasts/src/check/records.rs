//! Round one of the check: every record that depends on nothing else, asked at once
//! (RFC 8461 §3.1 `_mta-sts` TXT, RFC 8460 §3 `_smtp._tls` TXT and its pre-RFC name
//! `_smtp-tlsrpt`, RFC 5321 §5.1 MX), and what they say.

use super::error::CheckError;
use super::io::{Resolver, TransportError};
use super::lookup::{dns_failure, failed, lookup, Answered};
use super::report::{Outcome, Records, TxtLookup};
use super::senders::MxProblem;
use crate::dns::{RecordData, RecordType};
use crate::domain_name::DomainName;
use crate::finding::{Code, Finding, LintResult};
use crate::mta_sts::record::{is_sts_record, lint_sts_rrset};
use crate::tls_rpt::record::{is_tlsrpt_record, lint_tlsrpt_rrset};
use futures_util::future::join4;

/// An MX host and its preference (`None`: the implicit MX of the A/AAAA fallback).
pub(super) type MxTarget = (DomainName, Option<u16>);

/// What round one found.
pub(super) struct RoundOne {
    /// The TXT records and their lint.
    pub records: Records,
    /// Whether the MX answer was DNSSEC-validated.
    pub mx_validated: bool,
    /// The MX hosts to inspect in round two, in preference order.
    pub targets: Vec<MxTarget>,
    /// The MX hosts past [`CheckLimits::max_mx_hosts`](super::CheckLimits::max_mx_hosts), in
    /// preference order: round two asks nothing about them.
    pub skipped: Vec<MxTarget>,
    /// The findings of the TXT records and the MX lookup.
    pub findings: Vec<Finding>,
    /// Why no sender can deliver at all, when the MX answer already says so.
    pub mx_problem: Option<MxProblem>,
}

impl RoundOne {
    /// Whether the domain publishes an MTA-STS record, readable or not: then senders fetch
    /// the policy (RFC 8461 §3.3).
    pub fn has_sts(&self) -> bool {
        let sts = &self.records.mta_sts;
        sts.rrset.iter().any(|rr| is_sts_record(&rr.concat())) || sts.lint.value.is_some()
    }

    /// One line for the `dns` step.
    pub fn summary(&self) -> String {
        let records = &self.records;
        let sts = match &records.mta_sts.lint.value {
            Some(record) => format!("_mta-sts id {}", record.id),
            None if records.mta_sts.rrset.is_empty() => "no _mta-sts record".to_string(),
            None => "no usable _mta-sts record".to_string(),
        };
        let tlsrpt = if records.tlsrpt.lint.value.is_some() {
            "TLS-RPT record"
        } else {
            "no TLS-RPT record"
        };
        let hosts: Vec<&str> = self.targets.iter().map(|(h, _)| h.as_str()).collect();
        let skipped = match self.skipped.len() {
            0 => String::new(),
            n => format!(" ({n} more not examined)"),
        };
        format!(
            "{sts}; {tlsrpt}; MX {}{skipped}",
            if hosts.is_empty() {
                "none".to_string()
            } else {
                hosts.join(", ")
            }
        )
    }
}

/// Round one: the three TXT lookups and the MX lookup, side by side. At most `max_mx_hosts`
/// MX hosts (`None`: all) are kept for round two, the most preferred.
pub(super) async fn round_one<R: Resolver>(
    resolver: &R,
    domain: &DomainName,
    max_mx_hosts: Option<usize>,
) -> Result<RoundOne, CheckError> {
    let (sts, tlsrpt, legacy, mx) = join4(
        lookup(resolver, &domain.child("_mta-sts"), RecordType::Txt),
        lookup(resolver, &domain.child("_smtp._tls"), RecordType::Txt),
        lookup(resolver, &domain.child("_smtp-tlsrpt"), RecordType::Txt),
        lookup(resolver, domain, RecordType::Mx),
    )
    .await;
    let (sts, tlsrpt, legacy, mx) = (sts?, tlsrpt?, legacy?, mx?);
    if [&sts, &tlsrpt, &legacy, &mx]
        .iter()
        .all(|(l, _)| l.rcode.is_none())
    {
        return Err(CheckError::Resolver(TransportError::Timeout));
    }
    let records = Records {
        mta_sts: txt_lookup(sts, lint_sts_rrset),
        tlsrpt: txt_lookup(tlsrpt, lint_tlsrpt_rrset),
        tlsrpt_legacy: txt_lookup(legacy, lint_tlsrpt_rrset),
    };
    let mut findings = record_findings(&records);
    let (mut targets, mx_findings, mx_problem) = mx_targets(domain, &mx);
    findings.extend(mx_findings);
    let skipped = cap_targets(&mut targets, max_mx_hosts);
    if !skipped.is_empty() {
        findings.push(skipped_finding(domain, &targets, &skipped));
    }
    Ok(RoundOne {
        records,
        mx_validated: mx.0.validated,
        targets,
        skipped,
        findings,
        mx_problem,
    })
}

fn txt_lookup<T>(
    (lookup, answer): Answered,
    lint: impl Fn(&[Vec<String>]) -> LintResult<T>,
) -> TxtLookup<T> {
    let rrset: Vec<Vec<String>> = answer
        .as_ref()
        .map(|a| {
            a.data_for(lookup.name.as_str())
                .into_iter()
                .filter_map(|d| match d {
                    RecordData::Txt { strings } => Some(strings.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let lint = lint(&rrset);
    TxtLookup {
        lookup,
        rrset,
        lint,
    }
}

/// The findings of the three TXT lookups.
fn record_findings(records: &Records) -> Vec<Finding> {
    let mut findings = Vec::new();
    let sts = &records.mta_sts;
    if failed(&sts.lookup) {
        findings.push(dns_failure(&sts.lookup));
    } else {
        findings.extend(sts.lint.findings.iter().cloned());
        if let Some(target) = sts.lookup.cname.last() {
            findings.push(Finding::new(
                Code::StsRecordCname,
                format!(
                    "{} is a CNAME to {target}: the record is delegated (RFC 8461 §8.2); the policy host mta-sts.<domain> must still serve this domain's policy.",
                    sts.lookup.name
                ),
            ));
        }
    }

    let tlsrpt = &records.tlsrpt;
    let has_tlsrpt = tlsrpt.rrset.iter().any(|rr| is_tlsrpt_record(&rr.concat()));
    let has_legacy = records
        .tlsrpt_legacy
        .rrset
        .iter()
        .any(|rr| is_tlsrpt_record(&rr.concat()));
    if failed(&tlsrpt.lookup) {
        findings.push(dns_failure(&tlsrpt.lookup));
    } else if has_tlsrpt || !tlsrpt.lint.findings.is_empty() {
        findings.extend(tlsrpt.lint.findings.iter().cloned());
    } else if has_legacy {
        findings.push(Finding::new(
            Code::TlsRptRecordLegacyName,
            format!(
                "The TLS-RPT record is published only at {}, the name used before RFC 8460; senders look at {}.",
                records.tlsrpt_legacy.lookup.name, tlsrpt.lookup.name
            ),
        ));
    } else {
        findings.push(Finding::new(
            Code::TlsRptRecordMissing,
            format!(
                "No TLS-RPT record at {}: when senders fail to deliver over TLS, nobody tells the domain.",
                tlsrpt.lookup.name
            ),
        ));
    }
    findings
}

/// The MX targets in preference order (`None` preference: the A/AAAA fallback), findings, and
/// the reason no sender can deliver at all, when there is one.
fn mx_targets(
    domain: &DomainName,
    (lookup, answer): &Answered,
) -> (Vec<MxTarget>, Vec<Finding>, Option<MxProblem>) {
    if failed(lookup) {
        let problem = MxProblem {
            reason: format!("the MX lookup of {domain} fails, so senders defer the mail"),
            response: None,
            outcome: Outcome::Refuses,
        };
        return (Vec::new(), vec![dns_failure(lookup)], Some(problem));
    }
    let mut exchanges: Vec<(&str, u16)> = answer
        .as_ref()
        .map(|a| {
            a.data_for(domain.as_str())
                .into_iter()
                .filter_map(|d| match d {
                    RecordData::Mx {
                        preference,
                        exchange,
                    } => Some((exchange.as_str(), *preference)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    // Preference order (RFC 5321 §5.1), and by name among equal preferences (senders pick
    // among those at random; resolvers rotate the answer's order): the report, and which hosts
    // a cap keeps, are the same at every run. A host listed twice counts once, at its best.
    exchanges.sort_by_key(|(host, pref)| (*pref, *host));
    let mut seen = std::collections::BTreeSet::new();
    exchanges.retain(|(host, _)| seen.insert(*host));
    if matches!(exchanges.as_slice(), [(".", _)]) {
        let finding = Finding::new(
            Code::MxNull,
            format!("{domain} publishes a null MX (0 .): it accepts no mail (RFC 7505)."),
        );
        // RFC 7505 §4.1: senders fail such mail at once, with this reply code.
        let problem = MxProblem {
            reason: format!("{domain} publishes a null MX: it accepts no mail"),
            response: Some(format!(
                "556 5.1.10 Recipient address has null MX ({domain})"
            )),
            outcome: Outcome::NoMail,
        };
        return (Vec::new(), vec![finding], Some(problem));
    }
    let mut targets: Vec<MxTarget> = exchanges
        .into_iter()
        .map(|(host, pref)| (DomainName::from_wire(host), Some(pref)))
        .collect();
    if targets.is_empty() {
        // RFC 5321 §5.1: no MX, so the domain itself is the implicit MX.
        targets.push((domain.clone(), None));
    }
    (targets, Vec::new(), None)
}

/// Keeps the first `max` targets (at least one; `None`: all) and returns the others.
fn cap_targets(targets: &mut Vec<MxTarget>, max: Option<usize>) -> Vec<MxTarget> {
    match max {
        Some(max) if targets.len() > max.max(1) => targets.split_off(max.max(1)),
        _ => Vec::new(),
    }
}

/// `mx.hosts-skipped`: how many MX hosts were examined of how many, and which were not.
fn skipped_finding(domain: &DomainName, examined: &[MxTarget], skipped: &[MxTarget]) -> Finding {
    /// Skipped hosts named in the message; the others are counted.
    const NAMED: usize = 5;
    let mut names: Vec<String> = skipped
        .iter()
        .take(NAMED)
        .map(|(host, _)| host.to_string())
        .collect();
    if skipped.len() > NAMED {
        names.push(format!("{} more", skipped.len() - NAMED));
    }
    let (n, total) = (examined.len(), examined.len() + skipped.len());
    Finding::new(
        Code::MxHostsSkipped,
        format!(
            "{domain} lists {total} MX hosts; this check examined only the {n} most preferred and skipped {} ({}) without any lookup: the verdict and the senders' table cover the {n} examined hosts only.",
            skipped.len(),
            names.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::report::Lookup;
    use crate::dns::{Answer, Rcode, Record};

    /// The MX answer of `example.com` listing `hosts` (name, preference) in this order.
    fn mx_answer(hosts: &[(&str, u16)]) -> Answered {
        let domain = DomainName::from_wire("example.com");
        let lookup = Lookup {
            name: domain,
            rtype: RecordType::Mx,
            rcode: Some(Rcode::NoError),
            validated: false,
            cname: Vec::new(),
            error: None,
        };
        let records = hosts
            .iter()
            .map(|(host, preference)| Record {
                owner: "example.com".into(),
                ttl: 300,
                data: RecordData::Mx {
                    preference: *preference,
                    exchange: (*host).into(),
                },
            })
            .collect();
        let answer = Answer {
            rcode: Rcode::NoError,
            authenticated: false,
            records,
        };
        (lookup, Some(answer))
    }

    #[test]
    fn the_most_preferred_hosts_are_kept() {
        // Twelve hosts, listed out of order: mxN has preference 10 × N.
        let twelve: Vec<(String, u16)> = [7, 12, 1, 9, 3, 11, 5, 2, 10, 4, 8, 6]
            .iter()
            .map(|n| (format!("mx{n}.example.com"), 10 * n))
            .collect();
        let twelve: Vec<(&str, u16)> = twelve.iter().map(|(h, p)| (h.as_str(), *p)).collect();
        let names = |range: std::ops::RangeInclusive<u16>| -> Vec<String> {
            range.map(|n| format!("mx{n}.example.com")).collect()
        };
        let tie = [
            ("b.example.com", 10),
            ("a.example.com", 20),
            ("c.example.com", 10),
            ("b.example.com", 5),
        ];
        for (hosts, max, kept, skipped) in [
            (&twelve[..], Some(10), names(1..=10), names(11..=12)),
            (&twelve[..], None, names(1..=12), vec![]),
            (&twelve[..], Some(12), names(1..=12), vec![]),
            (&twelve[..], Some(11), names(1..=11), names(12..=12)),
            (&twelve[..], Some(0), names(1..=1), names(2..=12)),
            // Equal preferences by name; a host listed twice counts once, at its best.
            (
                &tie[..],
                Some(2),
                vec!["b.example.com".into(), "c.example.com".into()],
                vec!["a.example.com".to_string()],
            ),
        ] {
            let domain = DomainName::from_wire("example.com");
            let (mut targets, findings, problem) = mx_targets(&domain, &mx_answer(hosts));
            assert!(findings.is_empty() && problem.is_none());
            let dropped = cap_targets(&mut targets, max);
            let show =
                |t: &[MxTarget]| -> Vec<String> { t.iter().map(|(h, _)| h.to_string()).collect() };
            assert_eq!(
                (show(&targets), show(&dropped)),
                (kept.clone(), skipped.clone()),
                "{max:?}"
            );
            if !dropped.is_empty() {
                let finding = skipped_finding(&domain, &targets, &dropped);
                assert_eq!(finding.code, Code::MxHostsSkipped);
                let says = format!(
                    "lists {} MX hosts; this check examined only the {} most preferred and skipped {} (",
                    kept.len() + skipped.len(),
                    kept.len(),
                    skipped.len()
                );
                assert!(finding.message.contains(&says), "{}", finding.message);
                for (i, host) in skipped.iter().enumerate() {
                    assert_eq!(finding.message.contains(host.as_str()), i < 5, "{host}");
                }
            }
        }
    }
}
