//! Matching TLSA records against the chain a server presented (RFC 6698 §2.1, RFC 7672 §3.1).
//!
//! - **DANE-EE(3)** matches the server's own certificate, the first of the chain. Its names and
//!   dates are not checked (RFC 7672 §3.1.1): a self-signed or expired certificate passes.
//! - **DANE-TA(2)** matches a certificate above it that issues it, directly or through the
//!   chain's other certificates; the TA must be in the chain (RFC 7672 §3.1.2: servers MUST
//!   include it). A TA record that matches the server certificate itself does not count. The
//!   server certificate's names must then cover a reference identifier, the MX host or the
//!   next-hop domain (RFC 7672 §3.2.2: SAN DNS names only, the CN only when there is none; a
//!   wildcard as the whole left-most label), and it and every certificate between it and the TA
//!   must be valid at the time given (PKIX path validation with the TA as the anchor; the TA's own
//!   dates are not checked, RFC 5280 §6.1.1 (d)).
//! - Usages 0 and 1 and unknown parameters are unusable for SMTP (RFC 7672 §3.1.3) and ignored,
//!   as are records whose data does not have the length of their digest.
//!
//! What this module does **not** do: verify signatures. A chain is linked by issuer and subject
//! names; a caller that needs cryptographic proof that the TA issued the chain verifies it with
//! the TA as the only anchor (rustls-webpki does) and reports the result as [`PkixVerdict`]-like
//! data of its own.
//!
//! [`PkixVerdict`]: crate::cert::PkixVerdict

use crate::dane::tlsa::{CertUsage, MatchingType, Selector, Tlsa};
use crate::date::rfc3339;
use crate::x509::chain::ChainCert;
use crate::x509::identity::matches_with_cn_fallback;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};

/// How TLSA records judge a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaneAuthentication {
    /// How many of the records SMTP DANE can use.
    pub usable_records: usize,
    /// Every usable record that matched a certificate, with where and whether it authenticates.
    pub matches: Vec<TlsaMatch>,
    /// Whether a DANE sender authenticates the server (RFC 7672 §3).
    pub authenticated: bool,
    /// One sentence: which record authenticates, or why none does.
    pub reason: String,
}

/// One usable record that matched one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsaMatch {
    /// The record, `2 1 1 e1ae9c3d…`.
    pub record: String,
    /// Its certificate usage: DANE-TA(2) or DANE-EE(3).
    pub usage: CertUsage,
    /// The position of the certificate in the chain (0 is the server's own).
    pub certificate: usize,
    /// Whether the match authenticates the server.
    pub authenticates: bool,
    /// Why it does not, when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Whether SMTP DANE can use a record: usage DANE-TA(2) or DANE-EE(3), a known selector and
/// matching type (RFC 7672 §3.1.3), and data as long as its digest (RFC 6698 §2.1.3).
pub fn is_usable(tlsa: &Tlsa) -> bool {
    tlsa.usable_for_smtp_dane() && tlsa.check_data_len().is_ok()
}

/// Whether the record's association data matches `cert` through its selector and matching
/// type (RFC 6698 §2.1.2, §2.1.3), whatever its usage.
pub fn association_matches(tlsa: &Tlsa, cert: &ChainCert) -> bool {
    let spki;
    let selected: &[u8] = match tlsa.selector {
        Selector::Cert => cert.der(),
        Selector::Spki => {
            spki = cert.spki_der();
            &spki
        }
        Selector::PrivSel | Selector::Unassigned(_) => return false,
    };
    match tlsa.matching_type {
        MatchingType::Full => selected == tlsa.data.as_slice(),
        MatchingType::Sha2_256 => Sha256::digest(selected).as_slice() == tlsa.data.as_slice(),
        MatchingType::Sha2_512 => Sha512::digest(selected).as_slice() == tlsa.data.as_slice(),
        MatchingType::PrivMatch | MatchingType::Unassigned(_) => false,
    }
}

/// Judges `chain` (server certificate first) by `tlsa`. `reference_ids` are the names a
/// DANE-TA(2) match must cover (the MX host, the next-hop domain); `now_unix` the time its
/// dates are checked at.
pub fn authenticate(
    chain: &[ChainCert],
    tlsa: &[Tlsa],
    reference_ids: &[&str],
    now_unix: i64,
) -> DaneAuthentication {
    let usable: Vec<&Tlsa> = tlsa.iter().filter(|t| is_usable(t)).collect();
    let mut matches = Vec::new();
    for record in &usable {
        for (position, cert) in chain.iter().enumerate() {
            if !association_matches(record, cert) {
                continue;
            }
            let problem = match record.usage {
                CertUsage::DaneEe => ee_problem(position),
                _ => ta_problem(chain, position, reference_ids, now_unix),
            };
            matches.push(TlsaMatch {
                record: record.to_presentation(),
                usage: record.usage,
                certificate: position,
                authenticates: problem.is_none(),
                problem,
            });
        }
    }
    let authenticated = matches.iter().any(|m| m.authenticates);
    let reason = reason(&usable, chain.len(), &matches);
    DaneAuthentication {
        usable_records: usable.len(),
        matches,
        authenticated,
        reason,
    }
}

/// RFC 7672 §3.1.1: a DANE-EE(3) record authenticates only the server's own certificate.
fn ee_problem(position: usize) -> Option<String> {
    (position > 0).then(|| {
        format!(
            "DANE-EE(3) must match the server's own certificate, and this one matches \
             certificate {} of the chain (publish DANE-TA(2) for an issuer)",
            position + 1
        )
    })
}

/// RFC 7672 §3.1.2 and §3.2.2: a DANE-TA(2) match needs the TA above the server certificate,
/// a chain of names leading to it, names that cover a reference identifier, and valid dates.
fn ta_problem(
    chain: &[ChainCert],
    position: usize,
    reference_ids: &[&str],
    now_unix: i64,
) -> Option<String> {
    let Some(leaf) = chain.first() else {
        return Some("the chain is empty".to_string());
    };
    if position == 0 {
        return Some(
            "DANE-TA(2) matches the server's own certificate, and must match an issuer above \
             it that is sent in the chain"
                .to_string(),
        );
    }
    let Some(path) = issuer_path(chain, position) else {
        return Some(format!(
            "certificate {} of the chain matches, but it does not issue the server certificate \
             (no chain of issuer names leads from one to the other)",
            position + 1
        ));
    };
    let san = leaf.san_dns_names();
    let cn = leaf.common_name();
    let covered = reference_ids
        .iter()
        .any(|id| matches_with_cn_fallback(&san, cn.as_deref(), id));
    if !covered {
        let names = if san.is_empty() {
            format!("no DNS names (CN {:?})", cn.unwrap_or_default())
        } else {
            san.join(", ")
        };
        return Some(format!(
            "the server certificate names {names}, and none covers {}: DANE-TA(2) checks names \
             (RFC 7672 §3.2.2)",
            reference_ids.join(" or ")
        ));
    }
    // The anchor's own dates do not count; every certificate below it must be valid.
    for &index in path.iter().filter(|&&i| i != position) {
        let Some(cert) = chain.get(index) else {
            continue;
        };
        let validity = cert.certificate().tbs_certificate().validity();
        let from = to_unix(validity.not_before.to_unix_duration().as_secs());
        let until = to_unix(validity.not_after.to_unix_duration().as_secs());
        if now_unix < from || now_unix > until {
            return Some(format!(
                "certificate {} of the chain is valid from {} to {}, not at {}: DANE-TA(2) \
                 checks dates",
                index + 1,
                validity.not_before,
                validity.not_after,
                rfc3339(now_unix)
            ));
        }
    }
    None
}

fn to_unix(secs: u64) -> i64 {
    i64::try_from(secs).unwrap_or(i64::MAX)
}

/// The positions from the server certificate up to `target`, each issued by the next
/// (issuer name equals subject name), in any order the server sent them; `None` when no such
/// path exists. Each certificate is used once, so loops end.
fn issuer_path(chain: &[ChainCert], target: usize) -> Option<Vec<usize>> {
    let subject = |i: usize| {
        chain
            .get(i)
            .map(|c| c.certificate().tbs_certificate().subject())
    };
    let issuer = |i: usize| {
        chain
            .get(i)
            .map(|c| c.certificate().tbs_certificate().issuer())
    };
    let mut path = vec![0];
    let mut current = 0;
    while current != target {
        let wanted = issuer(current)?;
        let next = if subject(target) == Some(wanted) {
            target
        } else {
            (1..chain.len()).find(|i| !path.contains(i) && subject(*i) == Some(wanted))?
        };
        path.push(next);
        current = next;
    }
    Some(path)
}

/// One sentence on the outcome.
fn reason(usable: &[&Tlsa], certificates: usize, matches: &[TlsaMatch]) -> String {
    if usable.is_empty() {
        return "no TLSA record is usable for SMTP DANE".to_string();
    }
    if let Some(good) = matches.iter().find(|m| m.authenticates) {
        let (name, rule) = match good.usage {
            CertUsage::DaneEe => (
                "DANE-EE(3)",
                "names and dates are not checked, RFC 7672 §3.1.1",
            ),
            _ => ("DANE-TA(2)", "names and dates checked, RFC 7672 §3.1.2"),
        };
        return format!(
            "{name} record \"{}\" matches certificate {} of the chain ({rule})",
            short(&good.record),
            good.certificate + 1
        );
    }
    if matches.is_empty() {
        return format!(
            "none of the {} usable TLSA records matches any of the {certificates} certificates \
             presented",
            usable.len()
        );
    }
    let problems: Vec<String> = matches
        .iter()
        .map(|m| {
            format!(
                "\"{}\": {}",
                short(&m.record),
                m.problem.as_deref().unwrap_or_default()
            )
        })
        .collect();
    problems.join("; ")
}

/// `2 1 1 e1ae9c3de848ece1…` for messages.
fn short(record: &str) -> String {
    match record.char_indices().nth(24) {
        Some((at, _)) => format!("{}…", record.get(..at).unwrap_or(record)),
        None => record.to_string(),
    }
}

#[cfg(test)]
mod tests;
