//! What an SMTP probe saw on port 25, judged: `smtp.*`, `cert.*` and `dane.tlsa-mismatch` per
//! MX host, and the sender matrix updated with the responses senders give (docs/findings.md,
//! "Certificates and SMTP").
//!
//! The probe itself is I/O and lives in an adapter (the CLI's `--smtp`; browsers and Workers
//! cannot open port 25). Its results come in as [`SmtpProbe`] data, so this module, like the
//! rest of the core, does no I/O and reads no clock: the caller passes the time.

use super::report::{
    CheckReport, Governance, HostVerdict, MxHost, Outcome, ProbeResult, SenderVerdict, SmtpProbe,
    SmtpResult, SmtpStatus, TlsVersion,
};
use super::senders::{SenderProfile, PROFILES};
use super::verdict::overall;
use crate::cert::{lint_chain, CertChainReport, CertCheck, ChainCert, PkixVerdict, Validity};
use crate::dane::tlsa::Tlsa;
use crate::date::rfc3339;
use crate::domain_name::DomainName;
use crate::finding::{Code, Finding};

/// Why an MTA-STS sender would not deliver to one address (RFC 8461 §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    StarttlsMissing,
    TlsVersion(String),
    Invalid(String),
    NameMismatch {
        cn_matches: bool,
    },
    /// DANE (RFC 7672 §3.1): no usable TLSA record matches the chain presented.
    TlsaMismatch,
}

/// What one probe means for each kind of sender: MTA-STS's checks, and DANE's (STARTTLS, and
/// a chain that a usable TLSA record matches).
struct Seen {
    host: DomainName,
    mta_sts: Option<Failure>,
    dane: Option<Failure>,
}

/// Adds what `probes` saw to `report`: one [`SmtpResult`] per probe, the findings (each
/// `for_host` its MX host), and, for senders that enforce a policy, a refusal of every MX host
/// where no reachable address passes (RFC 8461 §4.2: STARTTLS, TLS 1.2 or later per RFC 8996
/// and the profile, a certificate that chains to a trusted root, is valid now and names the
/// host). Unreachable addresses only warn. `now_unix` is the time certificates are judged at.
pub fn check_smtp(report: &mut CheckReport, probes: &[SmtpProbe], now_unix: i64) {
    let mut failures: Vec<Seen> = Vec::new();
    for probe in probes {
        let host = DomainName::from_wire(&probe.mx);
        let mx = report.mx.iter().find(|h| h.host == host);
        let tlsa = dane_records(mx);
        let (result, findings, failure) = judge_probe(probe, &report.domain, &tlsa, now_unix);
        let dane = match result.status {
            SmtpStatus::NoStarttls | SmtpStatus::HandshakeFailed => Some(Failure::StarttlsMissing),
            _ if findings.iter().any(|f| f.code == Code::DaneTlsaMismatch) => {
                Some(Failure::TlsaMismatch)
            }
            _ => None,
        };
        for finding in findings {
            if !report.findings.contains(&finding) {
                report.findings.push(finding);
            }
        }
        if result.status != SmtpStatus::Unreachable {
            failures.push(Seen {
                host,
                mta_sts: failure,
                dane,
            });
        }
        report.smtp.push(result);
    }
    for verdict in &mut report.sender_matrix {
        let Some(profile) = PROFILES.iter().find(|p| p.name == verdict.profile) else {
            continue;
        };
        apply(profile, verdict, &failures);
    }
    report.verdict = overall(&report.sender_matrix);
    report
        .findings
        .sort_by_key(|f| std::cmp::Reverse(f.severity));
    report.ok = report.passes();
}

/// The TLSA records DANE senders use for a host: only a DNSSEC-validated RRset counts
/// (RFC 7672 §2.2).
fn dane_records(mx: Option<&MxHost>) -> Vec<Tlsa> {
    let Some(mx) = mx else {
        return Vec::new();
    };
    if !mx.tlsa_lookup.as_ref().is_some_and(|l| l.validated) {
        return Vec::new();
    }
    mx.tlsa.iter().filter_map(|l| l.value.clone()).collect()
}

fn judge_probe(
    probe: &SmtpProbe,
    domain: &DomainName,
    tlsa: &[Tlsa],
    now_unix: i64,
) -> (SmtpResult, Vec<Finding>, Option<Failure>) {
    let host = DomainName::from_wire(&probe.mx);
    let at = format!("{host} ({})", probe.address);
    let mut result = SmtpResult {
        mx: host.to_string(),
        address: probe.address.clone(),
        status: SmtpStatus::Unreachable,
        tls_version: None,
        banner: None,
        error: None,
        certificate: None,
    };
    let mut findings = Vec::new();
    let failure = match &probe.result {
        ProbeResult::Unreachable { reason } => {
            result.error = Some(reason.clone());
            findings.push(Finding::new(
                Code::SmtpUnreachable,
                format!("{at} could not be reached on the SMTP port from where the check ran ({reason}); its STARTTLS and certificate were not checked."),
            ));
            None
        }
        ProbeResult::NoStarttls { banner } => {
            result.status = SmtpStatus::NoStarttls;
            result.banner = banner.clone();
            findings.push(Finding::new(
                Code::SmtpStarttlsMissing,
                format!("{at} does not offer STARTTLS (RFC 3207): senders that enforce MTA-STS refuse to deliver without TLS."),
            ));
            Some(Failure::StarttlsMissing)
        }
        ProbeResult::HandshakeFailed {
            reason,
            version_refused,
        } => {
            result.status = SmtpStatus::HandshakeFailed;
            result.error = Some(reason.clone());
            if *version_refused {
                findings.push(Finding::new(
                    Code::SmtpTlsVersion,
                    format!("{at} offers STARTTLS but no TLS version from 1.2 up ({reason}): RFC 8996 deprecates TLS 1.0 and 1.1, and MTA-STS senders refuse them."),
                ));
                Some(Failure::TlsVersion("below TLSv1.2".into()))
            } else {
                // No dedicated code: a handshake that never completes is STARTTLS that cannot
                // be used, which is how senders treat it.
                findings.push(Finding::new(
                    Code::SmtpStarttlsMissing,
                    format!("{at} offers STARTTLS but the TLS handshake fails ({reason}): senders that enforce MTA-STS cannot use it."),
                ));
                Some(Failure::StarttlsMissing)
            }
        }
        ProbeResult::Tls {
            version,
            chain,
            pkix,
        } => {
            result.status = SmtpStatus::Tls;
            result.tls_version = Some(*version);
            let mut failure = None;
            if *version < TlsVersion::Tls12 {
                findings.push(Finding::new(
                    Code::SmtpTlsVersion,
                    format!("{at} negotiated {}: RFC 8996 deprecates TLS below 1.2, and MTA-STS senders refuse it.", version.as_str()),
                ));
                failure = Some(Failure::TlsVersion(version.as_str().to_string()));
            }
            let (certificate, cert_findings, cert_failure) =
                judge_chain(chain, pkix.clone(), &host, domain, tlsa, now_unix);
            result.certificate = certificate;
            findings.extend(cert_findings);
            failure.or(cert_failure)
        }
    };
    let findings = findings
        .into_iter()
        .map(|f| f.for_host(host.clone()))
        .collect();
    (result, findings, failure)
}

/// The certificate findings of one presented chain, and why an MTA-STS sender refuses it.
fn judge_chain(
    chain: &[Vec<u8>],
    pkix: Option<PkixVerdict>,
    host: &DomainName,
    domain: &DomainName,
    tlsa: &[Tlsa],
    now_unix: i64,
) -> (Option<CertChainReport>, Vec<Finding>, Option<Failure>) {
    let parsed: Result<Vec<ChainCert>, _> =
        chain.iter().map(|der| ChainCert::from_der(der)).collect();
    let parsed = match parsed {
        Ok(parsed) if !parsed.is_empty() => parsed,
        Ok(_) => {
            let why = "the server presented no certificate".to_string();
            return (
                None,
                vec![Finding::new(Code::CertUntrusted, format!("{host}: {why}."))],
                Some(Failure::Invalid(why)),
            );
        }
        Err(e) => {
            let why = format!("the presented certificate cannot be read: {e}");
            return (
                None,
                vec![Finding::new(Code::CertUntrusted, format!("{host}: {why}."))],
                Some(Failure::Invalid(why)),
            );
        }
    };
    let check = CertCheck {
        host: Some(host.as_str()),
        next_hop: Some(domain.as_str()),
        now_unix,
        tlsa,
        pkix: pkix.clone(),
        accept_cn: false,
    };
    let lint = lint_chain(&parsed, &check);
    let failure = lint.value.as_ref().and_then(|report| {
        let leaf = report.certificates.first()?;
        if let Some(PkixVerdict {
            trusted: false,
            reason,
        }) = &pkix
        {
            return Some(Failure::Invalid(
                reason.clone().unwrap_or_else(|| "untrusted".into()),
            ));
        }
        match leaf.validity {
            Validity::Expired => {
                return Some(Failure::Invalid(format!(
                    "certificate expired on {} (checked at {})",
                    leaf.not_after,
                    rfc3339(now_unix)
                )))
            }
            Validity::NotYetValid => {
                return Some(Failure::Invalid(format!(
                    "certificate not valid before {}",
                    leaf.not_before
                )))
            }
            Validity::Valid => {}
        }
        (leaf.name_matches == Some(false)).then_some(Failure::NameMismatch {
            cn_matches: leaf.name_matches_cn == Some(true),
        })
    });
    (lint.value, lint.findings, failure)
}

/// Refuses, for one profile, every MX host it would deliver to where every reachable address
/// fails.
fn apply(profile: &SenderProfile, verdict: &mut SenderVerdict, failures: &[Seen]) {
    let mut first_reason = None;
    for host in &mut verdict.hosts {
        if host.outcome != Outcome::Delivers {
            continue;
        }
        // A DANE-governed host is judged by DANE alone (RFC 8461 §2, RFC 7672 §2.2).
        let by_dane = host.by == Governance::Dane;
        let seen: Vec<&Option<Failure>> = failures
            .iter()
            .filter(|s| host.mx == s.host)
            .map(|s| if by_dane { &s.dane } else { &s.mta_sts })
            .collect();
        // Senders try the next address (RFC 5321 §5.1): one that passes is enough.
        let refused: Vec<&Failure> = seen
            .iter()
            .filter_map(|f| f.as_ref())
            .filter(|f| !matches!(f, Failure::NameMismatch { cn_matches: true } if profile.smtp.accepts_cn))
            .collect();
        let Some(failure) = refused.first().filter(|_| refused.len() == seen.len()) else {
            continue;
        };
        refuse(profile, host, failure);
        if first_reason.is_none() {
            first_reason = Some(format!("{}: {}", host.mx, describe(failure)));
        }
    }
    if let Some(reason) = first_reason {
        if verdict.outcome != Outcome::Refuses {
            verdict.outcome = Outcome::Refuses;
            verdict.reason = reason;
            verdict.response = verdict
                .hosts
                .iter()
                .find(|h| h.outcome == Outcome::Refuses)
                .and_then(|h| h.response.clone());
        }
    }
}

fn refuse(profile: &SenderProfile, host: &mut HostVerdict, failure: &Failure) {
    let responses = &profile.smtp;
    host.outcome = Outcome::Refuses;
    if host.by == Governance::Dane {
        let dane = profile.dane.as_ref();
        host.response = match failure {
            Failure::StarttlsMissing => dane.and_then(|d| d.starttls_missing),
            _ => dane.and_then(|d| d.tlsa_invalid),
        }
        .map(str::to_string);
        return;
    }
    host.response = match failure {
        Failure::TlsaMismatch => None,
        Failure::StarttlsMissing => responses.starttls_missing.map(str::to_string),
        Failure::TlsVersion(v) => responses.tls_version.map(|r| r.replace("{version}", v)),
        Failure::Invalid(why) => responses.cert_invalid.map(|r| r.replace("{reason}", why)),
        Failure::NameMismatch { .. } => responses.name_mismatch.map(str::to_string),
    };
}

fn describe(failure: &Failure) -> String {
    match failure {
        Failure::StarttlsMissing => "no usable STARTTLS".into(),
        Failure::TlsVersion(v) => format!("TLS version {v}, below 1.2"),
        Failure::Invalid(why) => format!("the certificate fails validation ({why})"),
        Failure::NameMismatch { .. } => {
            "no subjectAltName of the certificate names the host".into()
        }
        Failure::TlsaMismatch => {
            "no usable TLSA record matches the certificate, and DANE governs this host".into()
        }
    }
}
