//! The check report: what a domain check found, in the JSON shape every surface shares
//! (`docs/interfaces.md`: `{ domain, verdict, findings, steps, records, policy, mx,
//! sender_matrix }`). Types only: the check and the SMTP judgement fill them in, and every
//! module of `check` imports this one, never the other way.

use super::io::{FetchError, HttpReply};
use crate::cert::{CertChainReport, PkixVerdict};
use crate::dane::tlsa::Tlsa;
use crate::dns::Rcode;
use crate::domain_name::DomainName;
use crate::finding::{Finding, LintResult};
use crate::mta_sts::policy::{MtaStsPolicy, MAX_POLICY_SIZE};
use crate::mta_sts::record::StsRecord;
use crate::tls_rpt::record::TlsRptRecord;
use crate::tls_rpt::report::ResultType;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::IpAddr;

/// What a sender does with the domain's mail (docs/findings.md, "Sender profiles").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// MTA-STS validated: the sender delivers over verified TLS.
    Delivers,
    /// Mode `testing`: failures are only reported.
    DeliversTesting,
    /// No usable policy: the sender delivers without MTA-STS protection.
    NoPolicy,
    /// The domain accepts no mail (a null MX, RFC 7505): senders fail its mail at once, as
    /// the domain asks, and MTA-STS does not apply.
    NoMail,
    /// The sender refuses (or defers) the mail.
    Refuses,
}

impl Outcome {
    /// The kebab-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivers => "delivers",
            Outcome::DeliversTesting => "delivers-testing",
            Outcome::NoPolicy => "no-policy",
            Outcome::NoMail => "no-mail",
            Outcome::Refuses => "refuses",
        }
    }
}

/// The whole answer of a domain check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// The domain checked.
    pub domain: DomainName,
    /// The one-word answer: `refuses` when any sender profile refuses some MX host, otherwise
    /// what an RFC-conformant sender does (`no-mail` for a null MX).
    pub verdict: Outcome,
    /// Whether the check passes: no error finding and no sender profile refuses
    /// ([`CheckReport::passes`], kept in step by the check; `mtasts check` exits 0 exactly
    /// when it is true).
    pub ok: bool,
    /// Every finding, errors first.
    pub findings: Vec<Finding>,
    /// Each step as it finished, in order.
    pub steps: Vec<Step>,
    /// The DNS records read.
    pub records: Records,
    /// The policy fetch and what the policy says, when it was fetched.
    pub policy: Option<PolicyCheck>,
    /// Every MX host examined, in preference order: all of them, unless
    /// [`CheckLimits::max_mx_hosts`](super::CheckLimits::max_mx_hosts) left some out (then
    /// the `mx.hosts-skipped` finding says how many).
    pub mx: Vec<MxHost>,
    /// What each sender profile does.
    pub sender_matrix: Vec<SenderVerdict>,
    /// What an SMTP probe saw on port 25 of each MX address, when one ran (the CLI's `--smtp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub smtp: Vec<SmtpResult>,
}

/// One finished step of the check, for progress displays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// What was done: in JSON `dns`, `policy`, `mx mx1.example.com`.
    pub name: StepName,
    /// `ok`, `warning` or `error`: the worst finding of the step.
    pub status: StepStatus,
    /// One line for a person.
    pub summary: String,
    /// When it started and finished, in ms after the check started.
    pub started_ms: u64,
    /// When it finished, in ms after the check started.
    pub finished_ms: u64,
}

/// The steps of the check, as RFC 8461 §3 and §4 order them for a sender.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StepName {
    /// Round one: the `_mta-sts`, `_smtp._tls`, `_smtp-tlsrpt` TXT and MX lookups (`dns`).
    Dns,
    /// Round two: the policy fetch (`policy`).
    Policy,
    /// Round two: one MX host's A, AAAA and TLSA lookups (`mx <host>`).
    Mx(DomainName),
    /// After the check, where an adapter can open port 25: the STARTTLS probe of every MX
    /// address, judged by [`check_smtp`](super::check_smtp) (`smtp`).
    Smtp,
}

impl fmt::Display for StepName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepName::Dns => f.write_str("dns"),
            StepName::Policy => f.write_str("policy"),
            StepName::Mx(host) => write!(f, "mx {host}"),
            StepName::Smtp => f.write_str("smtp"),
        }
    }
}

impl Serialize for StepName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StepName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        match name.as_str() {
            "dns" => Ok(StepName::Dns),
            "policy" => Ok(StepName::Policy),
            "smtp" => Ok(StepName::Smtp),
            other => match other.strip_prefix("mx ") {
                Some(host) => Ok(StepName::Mx(DomainName::from_wire(host))),
                None => Err(serde::de::Error::custom(format!("unknown step {other:?}"))),
            },
        }
    }
}

/// How a step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// Nothing worse than info.
    Ok,
    /// A warning.
    Warning,
    /// An error.
    Error,
}

/// One DNS lookup as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lookup {
    /// The name asked for.
    pub name: DomainName,
    /// The type asked for.
    pub rtype: crate::dns::RecordType,
    /// The response code, or `None` when no answer came.
    pub rcode: Option<Rcode>,
    /// Whether the resolver validated the answer with DNSSEC (AD bit).
    pub validated: bool,
    /// The CNAME chain from `name`, when there is one.
    pub cname: Vec<String>,
    /// Why no answer came, when none did.
    pub error: Option<String>,
}

/// The TXT records and what they say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Records {
    /// `_mta-sts.<domain>`.
    pub mta_sts: TxtLookup<StsRecord>,
    /// `_smtp._tls.<domain>`.
    pub tlsrpt: TxtLookup<TlsRptRecord>,
    /// `_smtp-tlsrpt.<domain>`, the name used before RFC 8460.
    pub tlsrpt_legacy: TxtLookup<TlsRptRecord>,
}

/// A TXT RRset and its lint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TxtLookup<T> {
    /// The lookup.
    pub lookup: Lookup,
    /// Each TXT record's character-strings.
    pub rrset: Vec<Vec<String>>,
    /// The lint of the RRset.
    pub lint: LintResult<T>,
}

/// The policy fetch and the policy (RFC 8461 §3.3).
///
/// In JSON: `{ url, reply, error, tlsrpt_result_type, lint }`, `reply` and `lint` `null` when
/// the fetch failed, `error` `null` when an HTTP answer came, `tlsrpt_result_type` `null` unless
/// a sender would report a failure.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyCheck {
    /// The URL fetched.
    pub url: String,
    /// What came of the fetch.
    pub fetch: PolicyFetch,
}

/// What came of the policy fetch.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyFetch {
    /// No HTTP answer came.
    Failed {
        /// Why.
        error: FetchError,
    },
    /// An HTTP answer came.
    Answered {
        /// The answer.
        reply: HttpReply,
        /// The lint of the body: only a 200 answer carries a policy, whatever its media type.
        lint: Option<LintResult<MtaStsPolicy>>,
    },
}

impl PolicyCheck {
    /// The HTTP answer, when one came.
    pub fn reply(&self) -> Option<&HttpReply> {
        match &self.fetch {
            PolicyFetch::Answered { reply, .. } => Some(reply),
            PolicyFetch::Failed { .. } => None,
        }
    }

    /// Why no HTTP answer came, when none did.
    pub fn error(&self) -> Option<&FetchError> {
        match &self.fetch {
            PolicyFetch::Failed { error } => Some(error),
            PolicyFetch::Answered { .. } => None,
        }
    }

    /// The lint of the body, when there was one to lint.
    pub fn lint(&self) -> Option<&LintResult<MtaStsPolicy>> {
        match &self.fetch {
            PolicyFetch::Answered { lint, .. } => lint.as_ref(),
            PolicyFetch::Failed { .. } => None,
        }
    }

    /// The policy, when it could be read.
    pub fn policy(&self) -> Option<&MtaStsPolicy> {
        self.lint().and_then(|l| l.value.as_ref())
    }

    /// The TLS-RPT result type a sender reports for this fetch (RFC 8460 §4.3), `None` when it
    /// has a policy to apply: the failure's own type, or `sts-policy-fetch-error` for an answer
    /// that carries no policy (not 200, or a body over RFC 8461 §3.3's 64 KiB).
    pub fn tlsrpt_result_type(&self) -> Option<ResultType> {
        match &self.fetch {
            PolicyFetch::Failed { error } => Some(error.tlsrpt_result_type()),
            PolicyFetch::Answered { reply, .. } => {
                (reply.status != 200 || reply.truncated || reply.body.len() > MAX_POLICY_SIZE)
                    .then_some(ResultType::StsPolicyFetchError)
            }
        }
    }
}

/// The JSON form of [`PolicyCheck`], to write.
#[derive(Serialize)]
struct PolicyCheckRef<'a> {
    url: &'a str,
    reply: Option<&'a HttpReply>,
    error: Option<&'a FetchError>,
    tlsrpt_result_type: Option<ResultType>,
    lint: Option<&'a LintResult<MtaStsPolicy>>,
}

/// The JSON form of [`PolicyCheck`], to read (`tlsrpt_result_type` follows from the rest).
#[derive(Deserialize)]
struct PolicyCheckJson {
    url: String,
    reply: Option<HttpReply>,
    error: Option<FetchError>,
    lint: Option<LintResult<MtaStsPolicy>>,
}

impl Serialize for PolicyCheck {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PolicyCheckRef {
            url: &self.url,
            reply: self.reply(),
            error: self.error(),
            tlsrpt_result_type: self.tlsrpt_result_type(),
            lint: self.lint(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PolicyCheck {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = PolicyCheckJson::deserialize(deserializer)?;
        let fetch = match (json.error, json.reply) {
            (Some(error), _) => PolicyFetch::Failed { error },
            (None, Some(reply)) => PolicyFetch::Answered {
                reply,
                lint: json.lint,
            },
            (None, None) => {
                return Err(serde::de::Error::custom(
                    "a policy check has either a reply or an error",
                ))
            }
        };
        Ok(PolicyCheck {
            url: json.url,
            fetch,
        })
    }
}

/// One MX host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MxHost {
    /// The host.
    pub host: DomainName,
    /// Its MX preference (`None` for the implicit MX of the A/AAAA fallback).
    pub preference: Option<u16>,
    /// The CNAME chain of the host, when it is an alias (RFC 5321 §5.1 forbids it).
    pub cname: Vec<String>,
    /// Its addresses.
    pub addresses: Vec<IpAddr>,
    /// The policy pattern that covers it, when one does.
    pub covered_by: Option<String>,
    /// The TLSA lookup at `_25._tcp.<host>`.
    pub tlsa_lookup: Option<Lookup>,
    /// Each TLSA record found, linted.
    pub tlsa: Vec<LintResult<Tlsa>>,
}

/// What one sender profile does with the domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderVerdict {
    /// The profile name, e.g. `exchange-online`.
    pub profile: String,
    /// Overall: `refuses` when it refuses at least one MX host.
    pub outcome: Outcome,
    /// The response it gives when it refuses (where known), e.g. `551 5.4.8 …`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// Why, in one sentence.
    pub reason: String,
    /// Per MX host.
    pub hosts: Vec<HostVerdict>,
}

/// What one sender profile does with one MX host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostVerdict {
    /// The MX host.
    pub mx: DomainName,
    /// The outcome.
    pub outcome: Outcome,
    /// What governs the delivery to this host for this sender.
    pub by: Governance,
    /// The response when it refuses, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
}

/// What governs a sender's delivery to one MX host (RFC 8461 §2: where a sender does both, a
/// DANE-protected host is not judged by MTA-STS, and MTA-STS never overrides a failing DANE
/// validation; RFC 7672 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Governance {
    /// DANE: a DNSSEC-validated, non-empty TLSA RRset makes TLS mandatory, authenticated by a
    /// usable record (without one, TLS without authentication); a bogus TLSA answer defers.
    Dane,
    /// The MTA-STS policy, in mode `enforce` or `testing`.
    MtaSts,
    /// Neither: opportunistic TLS, or no delivery at all.
    None,
}

/// A TLS (or SSL) protocol version as negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TlsVersion {
    /// SSL 3.0 (RFC 6101, prohibited by RFC 7568).
    #[serde(rename = "SSLv3")]
    Ssl3,
    /// TLS 1.0 (RFC 2246, deprecated by RFC 8996).
    #[serde(rename = "TLSv1.0")]
    Tls10,
    /// TLS 1.1 (RFC 4346, deprecated by RFC 8996).
    #[serde(rename = "TLSv1.1")]
    Tls11,
    /// TLS 1.2 (RFC 5246).
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// TLS 1.3 (RFC 8446).
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    /// The name used in JSON and messages, e.g. `TLSv1.2`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::Ssl3 => "SSLv3",
            TlsVersion::Tls10 => "TLSv1.0",
            TlsVersion::Tls11 => "TLSv1.1",
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }
}

/// One connection attempt of a probe: one MX host at one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpProbe {
    /// The MX host, as the check's report names it.
    pub mx: String,
    /// The address and port connected to, e.g. `192.0.2.1:25`.
    pub address: String,
    /// What happened.
    pub result: ProbeResult,
}

/// How far one probe got.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProbeResult {
    /// No connection, or no SMTP greeting, within the time limit.
    Unreachable {
        /// Why, in the adapter's words.
        reason: String,
    },
    /// The EHLO reply does not offer STARTTLS (RFC 3207 §4), or STARTTLS was refused.
    NoStarttls {
        /// The server's greeting.
        banner: Option<String>,
    },
    /// STARTTLS was accepted but the handshake failed.
    HandshakeFailed {
        /// Why, in the adapter's words.
        reason: String,
        /// Whether it failed because the server offers no version the probe speaks (1.2, 1.3).
        version_refused: bool,
    },
    /// The handshake completed.
    Tls {
        /// The version negotiated.
        version: TlsVersion,
        /// The chain as presented, DER, the server's own certificate first.
        chain: Vec<Vec<u8>>,
        /// The adapter's PKIX verdict (RFC 5280 §6), when it ran one.
        pkix: Option<PkixVerdict>,
    },
}

/// What the probe found at one address, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpResult {
    /// The MX host.
    pub mx: String,
    /// The address and port connected to.
    pub address: String,
    /// `unreachable`, `no-starttls`, `handshake-failed` or `tls`.
    pub status: SmtpStatus,
    /// The TLS version negotiated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_version: Option<TlsVersion>,
    /// The server's greeting, when the probe saw no TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Why the probe stopped early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The chain presented, analysed (names against the MX host, the RFC 8461 way).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertChainReport>,
}

/// How far a probe got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmtpStatus {
    /// Not reached.
    Unreachable,
    /// Reached, no STARTTLS.
    NoStarttls,
    /// STARTTLS, then a failed handshake.
    HandshakeFailed,
    /// A completed handshake.
    Tls,
}
