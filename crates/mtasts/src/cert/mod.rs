//! Certificates an SMTP server presents, judged the way MTA-STS and DANE senders judge them.
//!
//! ```
//! # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"),
//! #     "/../../tests/data/vectors/dane-certs/maddy/leafA.pem")).unwrap();
//! use mtasts::cert::{lint_cert_chain, CertCheck};
//! let check = CertCheck { host: Some("maddy.test"), now_unix: 1_606_600_100, ..CertCheck::default() };
//! let result = lint_cert_chain(&pem, &check).unwrap();
//! assert!(result.valid);
//! assert_eq!(result.value.unwrap().certificates[0].san_dns, ["maddy.test"]);
//! ```
//!
//! What this module does **not** do: build or verify a path to a public root (PKIX, RFC 5280
//! §6) or check signatures. That needs a root store and a clock-aware verifier, which live in the
//! adapters (the CLI uses rustls-webpki); their answer comes in as [`PkixVerdict`] data and
//! becomes `cert.untrusted`.

pub mod analysis;
#[cfg(test)]
mod testing;

pub use crate::x509::chain::{parse_chain, ChainCert, ChainError, MAX_CERTIFICATES, MAX_INPUT_LEN};
pub use crate::x509::identity::dns_name_matches;
pub use analysis::{
    analyze_cert, CertAnalysis, Fingerprints, KeyInfo, KeyKind, Validity, EXPIRES_SOON_DAYS,
    MIN_RSA_BITS,
};

use crate::dane::matching::{authenticate, DaneAuthentication};
use crate::dane::tlsa::{CertUsage, Tlsa};
use crate::finding::{Code, Finding, LintResult};
use crate::name::without_root_dot;
use serde::{Deserialize, Serialize};

/// What a chain is checked against. `CertCheck { host: Some(mx), now_unix, ..CertCheck::default() }`.
#[derive(Debug, Clone, Default)]
pub struct CertCheck<'a> {
    /// The MX host the client connected to; names are not checked without one.
    pub host: Option<&'a str>,
    /// The next-hop (recipient) domain, which RFC 7672 §3.2.2 also accepts in DANE-TA(2) name
    /// checks.
    pub next_hop: Option<&'a str>,
    /// The time validity is judged at, in Unix seconds.
    pub now_unix: i64,
    /// The TLSA records of `_25._tcp.<host>`; unusable ones are ignored.
    pub tlsa: &'a [Tlsa],
    /// What an adapter's PKIX verification said, if it ran.
    pub pkix: Option<PkixVerdict>,
    /// Accept a matching CN when no SAN DNS name matches, as some sender profiles do.
    /// RFC 8461 §4.2 senders do not.
    pub accept_cn: bool,
}

/// The answer of a path validation to a public root (RFC 5280 §6), run by an adapter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PkixVerdict {
    /// Whether the chain leads to a trusted root.
    pub trusted: bool,
    /// Why not, in the verifier's words (`UnknownIssuer`, `certificate expired` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A chain, certificate by certificate, with how it fares against TLSA records and PKIX.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertChainReport {
    /// The host names were checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The time the chain was judged at, RFC 3339.
    pub checked_at: String,
    /// The certificates, the server's own first.
    pub certificates: Vec<CertAnalysis>,
    /// How the TLSA records judge the chain, when records were given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dane: Option<DaneAuthentication>,
    /// The adapter's PKIX verdict, when one ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkix: Option<PkixVerdict>,
}

/// Reads a PEM or DER chain and judges it. `Err` only when the input is not a chain.
pub fn lint_cert_chain(
    input: &[u8],
    check: &CertCheck<'_>,
) -> Result<LintResult<CertChainReport>, ChainError> {
    Ok(lint_chain(&parse_chain(input)?, check))
}

/// Judges a parsed chain (server certificate first):
/// - `cert.name-mismatch` when no SAN DNS name of the server certificate covers the host
///   (RFC 8461 §4.2), or, with `accept_cn`, neither does its CN;
/// - `cert.expired` when the server certificate is expired or not yet valid, or another
///   certificate is, unless PKIX verification trusted the chain anyway (another path);
/// - `cert.expires-soon` when the server certificate expires within 14 days;
/// - `cert.weak-key` for each RSA or DSA key under 2048 bits;
/// - `cert.untrusted` when the PKIX verdict says so;
/// - `dane.tlsa-mismatch` when there are usable TLSA records and none authenticates the chain.
pub fn lint_chain(chain: &[ChainCert], check: &CertCheck<'_>) -> LintResult<CertChainReport> {
    let host = check.host.map(without_root_dot);
    let now = check.now_unix;
    let certificates: Vec<CertAnalysis> = chain
        .iter()
        .map(|cert| analyze_cert(cert, host, now))
        .collect();
    let dane = (!check.tlsa.is_empty()).then(|| {
        let mut reference_ids: Vec<&str> = host.into_iter().collect();
        reference_ids.extend(check.next_hop);
        authenticate(chain, check.tlsa, &reference_ids, now)
    });
    let mut findings = Vec::new();
    if let (Some(leaf), Some(host)) = (certificates.first(), host) {
        findings.extend(name_finding(leaf, host, check.accept_cn, dane.as_ref()));
    }
    let pkix_trusted = check.pkix.as_ref().is_some_and(|p| p.trusted);
    for (position, cert) in certificates.iter().enumerate() {
        if position == 0 || !pkix_trusted {
            findings.extend(date_finding(cert, position, now, dane.as_ref()));
        }
        if let Some(weakness) = cert.key.weakness() {
            findings.push(Finding::new(
                Code::CertWeakKey,
                format!("{} has {weakness}.", describe(cert, position)),
            ));
        }
    }
    if let Some(PkixVerdict {
        trusted: false,
        reason,
    }) = &check.pkix
    {
        let why = reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        findings.push(Finding::new(
            Code::CertUntrusted,
            format!("The chain does not lead to a trusted public root{why}."),
        ));
    }
    if let Some(dane) = dane
        .as_ref()
        .filter(|d| d.usable_records > 0 && !d.authenticated && !chain.is_empty())
    {
        findings.push(Finding::new(
            Code::DaneTlsaMismatch,
            format!(
                "No usable TLSA record authenticates this chain, so DANE senders will not \
                 deliver: {}.",
                dane.reason
            ),
        ));
    }
    if let Some(host) = host {
        findings = findings.into_iter().map(|f| f.for_host(host)).collect();
    }
    let report = CertChainReport {
        host: host.map(str::to_string),
        checked_at: crate::date::rfc3339(now),
        certificates,
        dane,
        pkix: check.pkix.clone(),
    };
    LintResult::new(findings, Some(report))
}

/// `The server certificate (CN=mx.example.com)` or `Certificate 2 of the chain (CN=R3)`.
fn describe(cert: &CertAnalysis, position: usize) -> String {
    if position == 0 {
        format!("The server certificate ({})", cert.subject)
    } else {
        format!(
            "Certificate {} of the chain ({})",
            position + 1,
            cert.subject
        )
    }
}

/// RFC 8461 §4.2: a SAN DNS name must cover the MX host (RFC 6125, left-most wildcard only).
fn name_finding(
    leaf: &CertAnalysis,
    host: &str,
    accept_cn: bool,
    dane: Option<&DaneAuthentication>,
) -> Option<Finding> {
    let cn_matches = leaf.name_matches_cn == Some(true);
    if leaf.name_matches == Some(true) || (accept_cn && cn_matches) {
        return None;
    }
    let names = if leaf.san_dns.is_empty() {
        "no DNS names in subjectAltName".to_string()
    } else {
        format!("the DNS names {}", leaf.san_dns.join(", "))
    };
    let mut message = format!("The server certificate has {names}, and none covers {host}");
    if cn_matches {
        message.push_str(
            "; its CN does, but senders that follow RFC 8461 §4.2 read only subjectAltName",
        );
    }
    let ee = dane.is_some_and(|d| {
        d.matches
            .iter()
            .any(|m| m.usage == CertUsage::DaneEe && m.authenticates)
    });
    if ee {
        message.push_str(" (DANE-EE(3) senders ignore names and still deliver)");
    }
    message.push('.');
    Some(Finding::new(Code::CertNameMismatch, message))
}

/// RFC 5280 §4.1.2.5: validity at the time given; and the 14-day warning for the server's own.
fn date_finding(
    cert: &CertAnalysis,
    position: usize,
    now: i64,
    dane: Option<&DaneAuthentication>,
) -> Option<Finding> {
    let who = describe(cert, position);
    let at = crate::date::rfc3339(now);
    let ee = position == 0
        && dane.is_some_and(|d| {
            d.matches
                .iter()
                .any(|m| m.usage == CertUsage::DaneEe && m.authenticates)
        });
    let ee_note = if ee {
        " (DANE-EE(3) senders ignore dates and still deliver)"
    } else {
        ""
    };
    match cert.validity {
        Validity::Expired => Some(Finding::new(
            Code::CertExpired,
            format!(
                "{who} expired on {} (checked at {at}){ee_note}.",
                cert.not_after
            ),
        )),
        Validity::NotYetValid => Some(Finding::new(
            Code::CertExpired,
            format!(
                "{who} is not valid before {} (checked at {at}){ee_note}.",
                cert.not_before
            ),
        )),
        Validity::Valid if position == 0 && cert.days_left < EXPIRES_SOON_DAYS => {
            Some(Finding::new(
                Code::CertExpiresSoon,
                format!(
                    "{who} expires on {}, in {} days: renew it.",
                    cert.not_after, cert.days_left
                ),
            ))
        }
        Validity::Valid => None,
    }
}

#[cfg(test)]
mod tests;
