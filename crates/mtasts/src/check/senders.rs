//! The sender matrix: what real senders do with a domain today (docs/findings.md, "Sender profiles").
//!
//! Each profile is data: a small set of documented deviations from RFC 8461. The `rfc8461`
//! profile follows every MUST and SHOULD. Where a sender's behaviour is not documented, its
//! profile follows the RFC. Where it depends on the sender's configuration, the profile is the
//! default configuration and names the setting. The profiles of senders whose code can be run
//! here (postfix-mta-sts-resolver, mailauth) are checked against that code on every scenario
//! (`tests/senders/`).

mod dane;
mod readers;

use super::io::HttpReply;
use super::report::{Governance, HostVerdict, MxHost, Outcome, SenderVerdict};
use crate::domain_name::DomainName;
use crate::finding::{Code, Finding, Severity};
use crate::mta_sts::policy::{Mode, MtaStsPolicy};
use crate::mx::covering_pattern;
pub use dane::DaneResponses;
use readers::Served;

/// How one sender deviates from RFC 8461.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderProfile {
    /// The stable name used in JSON, e.g. `exchange-online`.
    pub name: &'static str,
    /// Who this is and where its behaviour is documented.
    pub description: &'static str,
    /// Error findings this sender accepts anyway: its parser is more lenient than the RFC.
    pub tolerates: &'static [Code],
    /// Findings the RFC lets pass but that make this sender ignore the record or policy.
    pub also_rejects: &'static [Code],
    /// Whether it refuses a policy whose media type is not `text/plain` (RFC 8461 §3.2 SHOULD).
    pub checks_content_type: bool,
    /// Whether an MX host that is a CNAME is matched by its final target instead of its name.
    /// Exchange Online does this and so refuses CNAME'd hosts that the policy lists by name.
    pub matches_cname_target: bool,
    /// The response when an MX host is not covered, with `{domain}` in place of the domain.
    pub not_covered_response: Option<&'static str>,
    /// How it reads the policy file.
    pub reading: Reading,
    /// How it matches an MX host against the policy's `mx` patterns.
    pub matching: Matching,
    /// What it does with a policy in mode `testing`.
    pub testing: Testing,
    /// What it checks on port 25 and how it answers when that fails (RFC 8461 §4.2).
    pub smtp: SmtpResponses,
    /// Whether it does DANE (RFC 7672), and its responses when DANE fails; `None` for a sender
    /// that does only MTA-STS.
    pub dane: Option<DaneResponses>,
}

/// A sender's port-25 checks: which certificate names it accepts, and the response it gives for
/// each failure (where documented). `{version}` and `{reason}` are filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmtpResponses {
    /// Whether a CN that names the host is enough when no subjectAltName does (RFC 8461 §4.2
    /// reads subjectAltName only; Exchange Online also accepts the CN).
    pub accepts_cn: bool,
    /// The response when the host offers no (usable) STARTTLS.
    pub starttls_missing: Option<&'static str>,
    /// The response when TLS is below 1.2, with `{version}`.
    pub tls_version: Option<&'static str>,
    /// The response when no certificate name covers the host.
    pub name_mismatch: Option<&'static str>,
    /// The response when the certificate is expired or untrusted, with `{reason}`.
    pub cert_invalid: Option<&'static str>,
}

/// A sender that follows RFC 8461 §4.2 and whose responses are not documented.
const RFC_SMTP: SmtpResponses = SmtpResponses {
    accepts_cn: false,
    starttls_missing: None,
    tls_version: None,
    name_mismatch: None,
    cert_invalid: None,
};

/// Exchange Online, as its MTA-STS announcement documents it (`reference/`, "MTA-STS Failures").
const EXCHANGE_SMTP: SmtpResponses = SmtpResponses {
    accepts_cn: true,
    starttls_missing: Some("551 5.7.4 STARTTLS is required by recipient domain's MTA-STS policy"),
    tls_version: Some("551 5.7.6 MTA-STS requires TLS 1.2 or higher. TLS Version: {version}"),
    name_mismatch: Some(
        "551 5.7.5 Remote certificate MUST have a subject alternative name matching the hostname (MTA-STS)",
    ),
    cert_invalid: Some("551 5.7.5 Remote certificate failed MTA-STS validation. Reason: {reason}"),
};

/// How a sender reads the policy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// As the RFC's grammar says (the first of a repeated field counts); error findings not in
    /// `tolerates` make the policy unusable.
    Rfc,
    /// Stalwart's line reader, as its source reads (stalwartlabs/mail-server,
    /// `crates/smtp/src/outbound/mta_sts/parse.rs`): `key: value` pairs trimmed, lines without a
    /// colon and unknown keys skipped, the LAST `mode` and `max_age` win, a bad `max_age` keeps
    /// 86400, `version` compared without case, no `mode` means `none`, at least one `mx` needed.
    Stalwart,
    /// postfix-mta-sts-resolver 1.5.1's record and policy readers and fetch checks
    /// (`resolver.py`, `utils.py`): see `readers::postfix_mta_sts_resolver`.
    PostfixMtaStsResolver,
    /// mailauth 7.1.0's `getPolicy` in its default lax mode (`lib/mta-sts.js`): see
    /// `readers::mailauth`.
    Mailauth,
}

/// How a sender matches an MX host against a policy's `mx` patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    /// RFC 8461 §4.1: `*.` stands for exactly one label.
    Rfc,
    /// Postfix: postfix-mta-sts-resolver strips the `*` (`responder.py`: `mx.lstrip('*')`) and
    /// hands Postfix `match=.example.com`, which matches a name at any depth below
    /// `example.com` (postconf(5), `smtp_tls_secure_cert_match`).
    AnyDepth,
}

/// What a sender does with a policy in mode `testing` (RFC 8461 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Testing {
    /// As the RFC says: it delivers and reports failures.
    Reports,
    /// It applies no MTA-STS at all unless `setting` (off by default) is turned on.
    Ignored {
        /// The setting and its default, e.g. `strict_testing (default false)`.
        setting: &'static str,
    },
}

/// Every profile, `rfc8461` first.
pub const PROFILES: &[SenderProfile] = &[
    SenderProfile {
        name: "rfc8461",
        description: "RFC 8461 as written: strict ABNF, text/plain required, 64 KiB, 200 only, no redirects.",
        tolerates: &[],
        also_rejects: &[],
        checks_content_type: true,
        matches_cname_target: false,
        not_covered_response: None,
        reading: Reading::Rfc,
        matching: Matching::Rfc,
        testing: Testing::Reports,
        smtp: RFC_SMTP,
        dane: None,
    },
    SenderProfile {
        name: "exchange-online",
        description: "Microsoft Exchange Online (announcement of MTA-STS for outbound mail): refuses MX \
            hosts that are CNAMEs unless the policy names the final target; also accepts a CN match; \
            responses 551 5.4.8, 5.7.4, 5.7.5, 5.7.6. Validates DANE outbound (\"How SMTP DANE works\"): \
            a host with DNSSEC-validated TLSA records is judged by DANE, refusals 5.7.321, 5.7.323, \
            450 4.7.324.",
        tolerates: &[],
        also_rejects: &[],
        checks_content_type: true,
        matches_cname_target: true,
        not_covered_response: Some("551 5.4.8 MX hosts of '{domain}' failed MTA-STS validation."),
        reading: Reading::Rfc,
        matching: Matching::Rfc,
        testing: Testing::Reports,
        smtp: EXCHANGE_SMTP,
        dane: Some(dane::EXCHANGE),
    },
    SenderProfile {
        name: "postfix-mta-sts-resolver",
        description: "Postfix with postfix-mta-sts-resolver 1.5.1 and its defaults (checked against its \
            code): requires text/plain and 200, follows no redirects, enforces the max_age range, reads \
            on past blank lines and unknown lines, the last of a repeated field wins; a policy in mode \
            testing gets NOTFOUND unless strict_testing is set (default false), so Postfix applies no \
            MTA-STS; `*.example.com` becomes Postfix's `match=.example.com`, which covers any depth. \
            No DANE: Postfix's smtp_tls_security_level is not `dane` by default.",
        tolerates: &[],
        also_rejects: &[],
        checks_content_type: true,
        matches_cname_target: false,
        not_covered_response: None,
        reading: Reading::PostfixMtaStsResolver,
        matching: Matching::AnyDepth,
        testing: Testing::Ignored {
            setting: "strict_testing (default false)",
        },
        smtp: RFC_SMTP,
        dane: None,
    },
    SenderProfile {
        name: "mox",
        description: "The mox mail server: strict ABNF (blank lines, BOM refused), does not check the \
            Content-Type, 64 KiB cap, ignores a _mta-sts record with a repeated field, accepts \
            max_age above 31557600. Does DANE: a host with DNSSEC-validated TLSA records is judged \
            by DANE.",
        tolerates: &[Code::PolicyMaxAgeTooLarge],
        also_rejects: &[Code::StsRecordDuplicateField, Code::PolicyDuplicateField],
        checks_content_type: false,
        matches_cname_target: false,
        not_covered_response: None,
        reading: Reading::Rfc,
        matching: Matching::Rfc,
        testing: Testing::Reports,
        smtp: RFC_SMTP,
        dane: Some(dane::SILENT),
    },
    SenderProfile {
        name: "stalwart",
        description: "The Stalwart mail server: its own lenient line reader (see `Reading::Stalwart`), \
            1 MiB cap, does not check the Content-Type. Does DANE (`queue.outbound.tls.dane`, default \
            `optional`): a host with DNSSEC-validated TLSA records is judged by DANE.",
        tolerates: &[Code::PolicyFetchTooLarge],
        also_rejects: &[],
        checks_content_type: false,
        matches_cname_target: false,
        not_covered_response: None,
        reading: Reading::Stalwart,
        matching: Matching::Rfc,
        testing: Testing::Reports,
        smtp: RFC_SMTP,
        dane: Some(dane::SILENT),
    },
    SenderProfile {
        name: "mailauth",
        description: "Node.js senders with mailauth 7.1.0 (getPolicy and validateMx, default lax mode; \
            checked against its code): accepts any media type and any 2xx with a warning, skips blank \
            and unknown lines, reads keys and the mode in any case, the first of a repeated field wins, \
            accepts any non-empty id, 64 KiB cap. Its `strict: true` option follows RFC 8461 instead.",
        tolerates: &[],
        also_rejects: &[],
        checks_content_type: false,
        matches_cname_target: false,
        not_covered_response: None,
        reading: Reading::Mailauth,
        matching: Matching::Rfc,
        testing: Testing::Reports,
        smtp: RFC_SMTP,
        dane: None,
    },
];

/// What the check learned that decides the senders' outcomes.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The domain.
    pub domain: &'a DomainName,
    /// The findings of the `_mta-sts` RRset, or `None` when there is no STS record.
    pub record: Option<&'a [Finding]>,
    /// Why the policy could not be had at all (fetch failed, non-200, redirect, too large).
    pub fetch_failure: Option<Code>,
    /// Whether the media type was `text/plain`.
    pub content_type_ok: bool,
    /// The policy's findings and the lenient reading, when a body was linted.
    pub policy: Option<(&'a [Finding], Option<&'a MtaStsPolicy>)>,
    /// The MX hosts examined.
    pub mx: &'a [MxHost],
    /// How many more MX hosts the domain lists that the check did not examine
    /// ([`CheckLimits::max_mx_hosts`](super::CheckLimits::max_mx_hosts)): the outcomes speak
    /// only of [`mx`](Facts::mx).
    pub mx_skipped: usize,
    /// Why no mail can be delivered at all (null MX, no mail host, MX lookup failing).
    pub mx_problem: Option<&'a MxProblem>,
    /// The `_mta-sts` TXT RRset as served, each record's character-strings, for senders with
    /// their own reader.
    pub sts_rrset: &'a [Vec<String>],
    /// The policy host's HTTP answer, for senders with their own reader.
    pub reply: Option<&'a HttpReply>,
    /// Whether the MX answer was DNSSEC-validated (a TLSA lookup that then fails is bogus,
    /// RFC 7672 §2.2).
    pub mx_validated: bool,
}

/// Why no sender can deliver, whatever the policy says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxProblem {
    /// One sentence.
    pub reason: String,
    /// The reply senders give, where one is defined.
    pub response: Option<String>,
    /// What every sender does: `refuses` (defers or bounces a domain that should take mail),
    /// or `no-mail` for a domain that asks for none (a null MX, RFC 7505).
    pub outcome: Outcome,
}

/// The parts of a policy a sender applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Applied {
    mode: Mode,
    mx: Vec<String>,
}

/// The sender matrix over every profile.
pub fn sender_matrix(facts: &Facts<'_>) -> Vec<SenderVerdict> {
    PROFILES.iter().map(|p| judge(p, facts)).collect()
}

fn judge(profile: &SenderProfile, facts: &Facts<'_>) -> SenderVerdict {
    let mut verdict = judge_mta_sts(profile, facts);
    if let Some(responses) = &profile.dane {
        dane::apply(responses, facts, &mut verdict);
    }
    verdict
}

/// What the sender does by MTA-STS alone.
fn judge_mta_sts(profile: &SenderProfile, facts: &Facts<'_>) -> SenderVerdict {
    if let Some(problem) = facts.mx_problem {
        let mut verdict = uniform(facts, profile, problem.outcome, problem.reason.clone());
        verdict.response = problem.response.clone();
        return verdict;
    }
    match usable_policy(profile, facts) {
        Err(reason) => uniform(facts, profile, Outcome::NoPolicy, reason),
        Ok(policy) => match policy.mode {
            Mode::None => uniform(
                facts,
                profile,
                Outcome::NoPolicy,
                "the policy's mode is none: the domain opts out".into(),
            ),
            Mode::Testing => match profile.testing {
                Testing::Reports => uniform(
                    facts,
                    profile,
                    Outcome::DeliversTesting,
                    "mode testing: failures are reported, mail is delivered".into(),
                ),
                Testing::Ignored { setting } => uniform(
                    facts,
                    profile,
                    Outcome::NoPolicy,
                    format!("mode testing: this sender applies no MTA-STS to it unless {setting} is turned on"),
                ),
            },
            Mode::Enforce => enforce(profile, facts, &policy.mx),
        },
    }
}

/// The policy this sender would apply, or why it applies none.
fn usable_policy(profile: &SenderProfile, facts: &Facts<'_>) -> Result<Applied, String> {
    let served = Served {
        rrset: facts.sts_rrset,
        fetch_failure: facts.fetch_failure,
        reply: facts.reply,
    };
    match profile.reading {
        Reading::PostfixMtaStsResolver => readers::postfix_mta_sts_resolver(&served),
        Reading::Mailauth => readers::mailauth(&served),
        Reading::Rfc | Reading::Stalwart => by_findings(profile, facts),
    }
}

/// The policy a sender that follows the lint's findings (with its own tolerances) applies.
fn by_findings(profile: &SenderProfile, facts: &Facts<'_>) -> Result<Applied, String> {
    let fatal = |f: &&Finding| {
        (f.severity == Severity::Error && !profile.tolerates.contains(&f.code))
            || profile.also_rejects.contains(&f.code)
    };
    let Some(record) = facts.record else {
        return Err("no _mta-sts record: the domain has no MTA-STS".into());
    };
    if let Some(f) = record.iter().find(fatal) {
        return Err(format!("the _mta-sts record is not usable ({})", f.code));
    }
    if let Some(code) = facts.fetch_failure {
        return Err(format!("the policy cannot be fetched ({code})"));
    }
    if profile.checks_content_type && !facts.content_type_ok {
        return Err(format!(
            "the policy is not served as text/plain ({})",
            Code::PolicyFetchContentType
        ));
    }
    let Some((findings, value)) = facts.policy else {
        return Err("no policy was fetched".into());
    };
    if profile.reading == Reading::Stalwart {
        if let Some(f) = findings
            .iter()
            .find(|f| f.code == Code::PolicyFetchTooLarge && !profile.tolerates.contains(&f.code))
        {
            return Err(format!("the policy is too large ({})", f.code));
        }
        return stalwart_reading(facts.reply.map(|r| r.body.as_slice()).unwrap_or_default());
    }
    if let Some(f) = findings.iter().find(fatal) {
        return Err(format!(
            "the policy is not valid for this sender ({})",
            f.code
        ));
    }
    value
        .map(|p| Applied {
            mode: p.mode,
            mx: p.mx.clone(),
        })
        .ok_or_else(|| "the policy cannot be read".to_string())
}

/// What Stalwart's reader takes from a policy body (see [`Reading::Stalwart`]); an
/// approximation line by line.
fn stalwart_reading(body: &[u8]) -> Result<Applied, String> {
    let text = String::from_utf8_lossy(body);
    let mut mode = Mode::None;
    let mut mx = Vec::new();
    for line in text.split('\n') {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "mx" if !value.is_empty() && value != "*." => mx.push(value.to_ascii_lowercase()),
            "mode" => {
                mode = Mode::from_value(value)
                    .ok_or_else(|| format!("Stalwart refuses the mode {value:?}"))?;
            }
            "version" if !value.eq_ignore_ascii_case("STSv1") => {
                return Err(format!("Stalwart refuses the version {value:?}"));
            }
            _ => {}
        }
    }
    if mx.is_empty() {
        return Err("Stalwart needs at least one mx line".into());
    }
    Ok(Applied { mode, mx })
}

fn enforce(profile: &SenderProfile, facts: &Facts<'_>, patterns: &[String]) -> SenderVerdict {
    let hosts: Vec<HostVerdict> = facts
        .mx
        .iter()
        .map(|mx| {
            let name = match mx.cname.last() {
                Some(target) if profile.matches_cname_target => target.as_str(),
                _ => mx.host.as_str(),
            };
            if covers(profile.matching, patterns, name) {
                HostVerdict {
                    mx: mx.host.clone(),
                    outcome: Outcome::Delivers,
                    by: Governance::MtaSts,
                    response: None,
                }
            } else {
                HostVerdict {
                    mx: mx.host.clone(),
                    outcome: Outcome::Refuses,
                    by: Governance::MtaSts,
                    response: profile
                        .not_covered_response
                        .map(|r| r.replace("{domain}", facts.domain.as_str())),
                }
            }
        })
        .collect();
    let refused: Vec<&HostVerdict> = hosts
        .iter()
        .filter(|h| h.outcome == Outcome::Refuses)
        .collect();
    let (outcome, reason) = match refused.as_slice() {
        [] if facts.mx_skipped > 0 => (
            Outcome::Delivers,
            format!(
                "every examined MX host is covered by the policy ({} examined, {} more not examined: {})",
                facts.mx.len(),
                facts.mx_skipped,
                Code::MxHostsSkipped
            ),
        ),
        [] => (Outcome::Delivers, "every MX host is covered by the policy".to_string()),
        [first, ..] if profile.matches_cname_target && facts.mx.iter().any(|m| m.host == first.mx && !m.cname.is_empty()) => (
            Outcome::Refuses,
            format!(
                "{} is a CNAME and this sender matches the policy against its target, which no pattern covers",
                first.mx
            ),
        ),
        hosts => (
            Outcome::Refuses,
            format!(
                "no policy pattern covers {}",
                hosts.iter().map(|h| h.mx.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ),
    };
    SenderVerdict {
        profile: profile.name.to_string(),
        outcome,
        response: refused.first().and_then(|h| h.response.clone()),
        reason,
        hosts,
    }
}

/// Whether a pattern covers `host` the way this sender matches.
fn covers(matching: Matching, patterns: &[String], host: &str) -> bool {
    match matching {
        Matching::Rfc => covering_pattern(patterns, host).is_some(),
        // Postfix's match list: `.example.com` (from `*.example.com`) matches every name
        // ending in `.example.com`; other names match exactly, without case.
        Matching::AnyDepth => {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            patterns.iter().any(|p| {
                let p = p
                    .trim_start_matches('*')
                    .trim_end_matches('.')
                    .to_ascii_lowercase();
                if p.starts_with('.') {
                    host.ends_with(&p)
                } else {
                    host == p
                }
            })
        }
    }
}

fn uniform(
    facts: &Facts<'_>,
    profile: &SenderProfile,
    outcome: Outcome,
    reason: String,
) -> SenderVerdict {
    SenderVerdict {
        profile: profile.name.to_string(),
        outcome,
        response: None,
        reason,
        hosts: facts
            .mx
            .iter()
            .map(|mx| HostVerdict {
                mx: mx.host.clone(),
                outcome,
                // Mode testing is MTA-STS at work (it reports); anything else leaves TLS as it was.
                by: if outcome == Outcome::DeliversTesting {
                    Governance::MtaSts
                } else {
                    Governance::None
                },
                response: None,
            })
            .collect(),
    }
}
