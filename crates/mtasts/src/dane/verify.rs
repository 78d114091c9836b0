//! What a DANE sender does with one MX host (RFC 7672 §2.2): deliver or not, and why.
//!
//! | TLSA lookup | records | TLS | outcome |
//! |---|---|---|---|
//! | insecure | any | any | DANE does not apply: opportunistic TLS, cleartext allowed |
//! | bogus | any | any | the host is not used |
//! | secure | none (authenticated denial) | any | opportunistic TLS, cleartext allowed |
//! | secure | all unusable | required | TLS without authentication |
//! | secure | some usable | required | one usable record must authenticate the chain |

use super::matching::{authenticate, DaneAuthentication};
use super::tlsa::Tlsa;
use crate::finding::LintResult;
use crate::x509::chain::ChainCert;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The DNSSEC status of the TLSA answer (RFC 4035 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DnssecStatus {
    /// Validated: records, or their authenticated denial.
    Secure,
    /// Provably unsigned.
    Insecure,
    /// Signed but failing validation (or a failed lookup: RFC 7672 §2.2 treats both alike).
    Bogus,
}

impl DnssecStatus {
    /// `secure`, `insecure` or `bogus`, case-insensitively.
    pub fn from_name(name: &str) -> Option<DnssecStatus> {
        [
            ("secure", DnssecStatus::Secure),
            ("insecure", DnssecStatus::Insecure),
            ("bogus", DnssecStatus::Bogus),
        ]
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, status)| status)
    }
}

impl fmt::Display for DnssecStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DnssecStatus::Secure => "secure",
            DnssecStatus::Insecure => "insecure",
            DnssecStatus::Bogus => "bogus",
        })
    }
}

/// One delivery attempt to one MX host, as a DANE sender sees it.
#[derive(Debug, Clone, Copy)]
pub struct DaneSession<'a> {
    /// The DNSSEC status of the TLSA lookup at `_25._tcp.<mx>`.
    pub dnssec: DnssecStatus,
    /// The TLSA RRset, each record as [`crate::lint_tlsa`] read it; one that did not parse
    /// (no value) counts as an unusable record.
    pub tlsa: &'a [LintResult<Tlsa>],
    /// Whether the STARTTLS handshake completed.
    pub tls_handshake_completed: bool,
    /// The chain the server presented, its own certificate first.
    pub chain: &'a [ChainCert],
    /// The MX host name, the first reference identifier (RFC 7672 §3.2.2).
    pub mx_host: &'a str,
    /// The next-hop (recipient) domain, also a reference identifier for DANE-TA(2).
    pub next_hop: Option<&'a str>,
    /// The time, in Unix seconds, DANE-TA(2) dates are checked at.
    pub now_unix: i64,
}

/// Deliver or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DaneResult {
    /// The sender delivers (with or without TLS, as the reason says).
    Pass,
    /// The sender does not deliver to this host.
    Fail,
}

/// A DANE sender's decision for one MX host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaneVerdict {
    /// Deliver or not.
    pub result: DaneResult,
    /// One sentence, naming the rule.
    pub reason: String,
    /// How the usable records judged the chain, where the handshake gave one to judge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<DaneAuthentication>,
}

impl DaneVerdict {
    fn new(result: DaneResult, reason: impl Into<String>) -> DaneVerdict {
        DaneVerdict {
            result,
            reason: reason.into(),
            authentication: None,
        }
    }

    /// Whether the sender delivers.
    pub fn passes(&self) -> bool {
        self.result == DaneResult::Pass
    }
}

/// Decides what a DANE sender does with `session` (RFC 7672 §2.2, §3).
pub fn dane_verdict(session: &DaneSession<'_>) -> DaneVerdict {
    use DaneResult::{Fail, Pass};
    match session.dnssec {
        DnssecStatus::Insecure => {
            return DaneVerdict::new(
                Pass,
                "the TLSA lookup is not DNSSEC-signed: DANE does not apply, and the sender uses \
                 opportunistic TLS (RFC 7672 §2.2)",
            )
        }
        DnssecStatus::Bogus => {
            return DaneVerdict::new(
                Fail,
                "the TLSA lookup failed DNSSEC validation: the sender must not use this host \
                 (RFC 7672 §2.2)",
            )
        }
        DnssecStatus::Secure => {}
    }
    if session.tlsa.is_empty() {
        let tls = if session.tls_handshake_completed {
            "TLS without authentication"
        } else {
            "cleartext"
        };
        return DaneVerdict::new(
            Pass,
            format!(
                "a validated answer denies TLSA records: the sender uses opportunistic TLS, here \
                 {tls} (RFC 7672 §2.2)"
            ),
        );
    }
    if !session.tls_handshake_completed {
        return DaneVerdict::new(
            Fail,
            format!(
                "the host publishes {} validated TLSA record(s), so TLS is mandatory, and the \
                 handshake did not complete (RFC 7672 §2.2)",
                session.tlsa.len()
            ),
        );
    }
    let records: Vec<Tlsa> = session
        .tlsa
        .iter()
        .filter_map(|r| r.value.clone())
        .collect();
    let mut reference_ids = vec![session.mx_host];
    reference_ids.extend(session.next_hop);
    let auth = authenticate(session.chain, &records, &reference_ids, session.now_unix);
    let mut verdict = if auth.usable_records == 0 {
        DaneVerdict::new(
            Pass,
            "every TLSA record is unusable: TLS is required, without authentication \
             (RFC 7672 §2.2, §3.1.3)",
        )
    } else if session.chain.is_empty() {
        DaneVerdict::new(
            Fail,
            "the server presented no certificate to match the usable TLSA records",
        )
    } else if auth.authenticated {
        DaneVerdict::new(Pass, auth.reason.clone())
    } else {
        DaneVerdict::new(Fail, auth.reason.clone())
    };
    verdict.authentication = Some(auth);
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint_tlsa;
    use crate::x509::chain::parse_chain;

    #[test]
    fn follows_rfc_7672_section_2_2() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/vectors/dane-certs/"
        );
        let chain = parse_chain(&std::fs::read(format!("{dir}maddy/leafA.pem")).unwrap()).unwrap();
        let ee = "3 1 1 F5179B6A5D847B9FA221A93956EEC8C49B1AC06A116B0DCF4A71F0E83C4D58A6";
        let stale = "3 1 1 1D6E5F7D206A8C5807050E57E173441FF49E0BD18C7C4F7CC77E65FC13F666A7";
        use DaneResult::{Fail, Pass};
        use DnssecStatus::{Bogus, Insecure, Secure};
        for (dnssec, records, tls, want, needle) in [
            (Insecure, vec![stale], false, Pass, "does not apply"),
            (Bogus, vec![ee], true, Fail, "must not use"),
            (Bogus, vec![], true, Fail, "must not use"),
            (Secure, vec![], false, Pass, "cleartext"),
            (Secure, vec![], true, Pass, "TLS without authentication"),
            (Secure, vec![ee], false, Fail, "mandatory"),
            (Secure, vec!["1 1 1 ab"], false, Fail, "mandatory"),
            (
                Secure,
                vec!["1 1 1 ab", "not a record"],
                true,
                Pass,
                "unusable",
            ),
            (Secure, vec![ee], true, Pass, "DANE-EE(3)"),
            (Secure, vec![stale], true, Fail, "none of the 1"),
            (Secure, vec![stale, ee], true, Pass, "DANE-EE(3)"),
        ] {
            let tlsa: Vec<_> = records.iter().map(|r| lint_tlsa(r)).collect();
            let verdict = dane_verdict(&DaneSession {
                dnssec,
                tlsa: &tlsa,
                tls_handshake_completed: tls,
                chain: if tls { &chain } else { &[] },
                mx_host: "maddy.test",
                next_hop: None,
                now_unix: 1_606_600_100,
            });
            assert_eq!(
                verdict.result, want,
                "{dnssec} {records:?}: {}",
                verdict.reason
            );
            assert!(verdict.reason.contains(needle), "{}", verdict.reason);
        }
        assert_eq!(DnssecStatus::from_name("SECURE"), Some(Secure));
        assert_eq!(DnssecStatus::from_name("indeterminate"), None);
    }
}
