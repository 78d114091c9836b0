//! The check report: what a domain check found, in the JSON shape every surface shares
//! (`spec/INTERFACES.md`: `{ domain, verdict, findings, steps, records, policy, mx, sender_matrix }`).

use super::io::{FetchError, HttpReply};
use crate::dns::Rcode;
use crate::finding::{Finding, LintResult};
use crate::mta_sts::policy::MtaStsPolicy;
use crate::mta_sts::record::StsRecord;
use crate::tls_rpt::record::TlsRptRecord;
use crate::Tlsa;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// What a sender does with the domain's mail (RULES.md, "Sender matrix").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// MTA-STS validated: the sender delivers over verified TLS.
    Delivers,
    /// Mode `testing`: failures are only reported.
    DeliversTesting,
    /// No usable policy: the sender delivers without MTA-STS protection.
    NoPolicy,
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
            Outcome::Refuses => "refuses",
        }
    }
}

/// The whole answer of a domain check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// The domain checked, in A-labels.
    pub domain: String,
    /// The one-word answer: `refuses` when any sender profile refuses some MX host, otherwise
    /// what an RFC-conformant sender does.
    pub verdict: Outcome,
    /// Every finding, errors first.
    pub findings: Vec<Finding>,
    /// Each step as it finished, in order.
    pub steps: Vec<Step>,
    /// The DNS records read.
    pub records: Records,
    /// The policy fetch and what the policy says, when it was fetched.
    pub policy: Option<PolicyCheck>,
    /// Every MX host, in preference order.
    pub mx: Vec<MxHost>,
    /// What each sender profile does.
    pub sender_matrix: Vec<SenderVerdict>,
    /// What an SMTP probe saw on port 25 of each MX address, when one ran (the CLI's `--smtp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub smtp: Vec<super::smtp::SmtpResult>,
}

impl CheckReport {
    /// Whether senders that enforce MTA-STS deliver (the CLI's exit status 0).
    pub fn delivers(&self) -> bool {
        self.verdict != Outcome::Refuses
    }
}

/// One finished step of the check, for progress displays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// What was done, e.g. `dns`, `policy`, `mx mx1.example.com`.
    pub name: String,
    /// `ok`, `warning` or `error`: the worst finding of the step.
    pub status: StepStatus,
    /// One line for a person.
    pub summary: String,
    /// When it started and finished, in ms after the check started.
    pub started_ms: u64,
    /// When it finished, in ms after the check started.
    pub finished_ms: u64,
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
    pub name: String,
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

/// The policy fetch and the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyCheck {
    /// The URL fetched.
    pub url: String,
    /// The HTTP answer, when one came.
    pub reply: Option<HttpReply>,
    /// Why no HTTP answer came.
    pub error: Option<FetchError>,
    /// The TLS-RPT result type a sender would report for a failed fetch.
    pub tlsrpt_result_type: Option<String>,
    /// The lint of the body, when there was one to lint.
    pub lint: Option<LintResult<MtaStsPolicy>>,
}

/// One MX host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MxHost {
    /// The host, lower case, no root dot.
    pub host: String,
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
    pub mx: String,
    /// The outcome.
    pub outcome: Outcome,
    /// The response when it refuses, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
}
