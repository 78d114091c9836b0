//! The domain check: will senders that enforce MTA-STS deliver this domain's mail, and if not,
//! exactly why?
//!
//! The check runs over three traits ([`Resolver`], [`PolicyFetcher`], [`Clock`]) that each adapter
//! implements once; it never waits for one lookup before starting an independent one:
//!
//! 1. DNS, all at once: `_mta-sts` TXT, `_smtp._tls` TXT, `_smtp-tlsrpt` TXT (legacy), MX.
//! 2. Then, side by side: the policy fetch, and for every MX host its A, AAAA and
//!    `_25._tcp.<host>` TLSA records.
//!
//! Two network round trips on the critical path. Each step is reported as it finishes.

mod input;
mod io;
mod report;
pub mod senders;
mod smtp;
mod verdict;

pub use input::{normalize_domain, InputError};
pub use io::{
    Clock, FetchError, HttpReply, PolicyFetcher, Resolver, TlsErrorClass, TransportError,
    FETCH_READ_LIMIT,
};
pub use report::{
    CheckReport, HostVerdict, Lookup, MxHost, Outcome, PolicyCheck, Records, SenderVerdict, Step,
    StepStatus, TxtLookup,
};
pub use smtp::{check_smtp, ProbeResult, SmtpProbe, SmtpResult, SmtpStatus, TlsVersion};
pub use verdict::{headline, Headline};

use crate::dns::{decode_answer, encode_query, Answer, DnsError, Rcode, RecordData, RecordType};
use crate::finding::{Code, Finding, LintResult, Severity};
use crate::media_type::MediaType;
use crate::mta_sts::policy::{lint_policy, Mode, MAX_POLICY_SIZE};
use crate::mta_sts::record::{is_sts_record, lint_sts_rrset};
use crate::mx::{check_coverage, covering_pattern};
use crate::tls_rpt::record::{is_tlsrpt_record, lint_tlsrpt_rrset};
use futures_util::future::{join, join3, join4, join_all};
use std::cell::RefCell;
use std::fmt;
use std::net::IpAddr;

/// Why the check could not run (as opposed to what it found).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckError {
    /// The input is not a mail domain.
    Input(InputError),
    /// The DNS resolver could not be used.
    Resolver(TransportError),
    /// The resolver's answer could not be read.
    Dns(DnsError),
    /// The policy fetch was refused on the checker's side before it started (e.g. a proxy's
    /// rate limit or rules): nothing can be said of the domain's policy host.
    PolicyFetchRefused(String),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Input(e) => e.fmt(f),
            CheckError::Resolver(e) => e.fmt(f),
            CheckError::Dns(e) => e.fmt(f),
            CheckError::PolicyFetchRefused(why) => {
                write!(f, "the policy could not be fetched from here: {why}")
            }
        }
    }
}

impl std::error::Error for CheckError {}

impl From<InputError> for CheckError {
    fn from(e: InputError) -> Self {
        CheckError::Input(e)
    }
}

/// Runs the check for `input` (a domain as a user typed it). `on_step` sees each step as it
/// finishes.
pub async fn check_domain<R: Resolver, F: PolicyFetcher, C: Clock>(
    input: &str,
    resolver: &R,
    fetcher: &F,
    clock: &C,
    on_step: &dyn Fn(&Step),
) -> Result<CheckReport, CheckError> {
    let domain = normalize_domain(input)?;
    let steps = Steps {
        clock,
        start: clock.now_ms(),
        done: RefCell::new(Vec::new()),
        on_step,
    };

    // Round 1: every record that depends on nothing else.
    let started = steps.now();
    let (sts, tlsrpt, legacy, mx) = join4(
        lookup(resolver, &format!("_mta-sts.{domain}"), RecordType::Txt),
        lookup(resolver, &format!("_smtp._tls.{domain}"), RecordType::Txt),
        lookup(resolver, &format!("_smtp-tlsrpt.{domain}"), RecordType::Txt),
        lookup(resolver, &domain, RecordType::Mx),
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
    let (mx_targets, mx_findings, mut mx_problem) = mx_targets(&domain, &mx);
    findings.extend(mx_findings);
    steps.finish(
        "dns",
        started,
        &findings,
        dns_summary(&records, &mx_targets),
    );

    // Round 2: the policy beside every MX host's addresses and TLSA records.
    let has_sts = records
        .mta_sts
        .rrset
        .iter()
        .any(|rr| is_sts_record(&rr.concat()))
        || records.mta_sts.lint.value.is_some();
    let policy_future = async {
        if !has_sts {
            return Ok::<_, CheckError>(None);
        }
        let started = steps.now();
        let policy = fetch_policy(resolver, fetcher, &domain).await?;
        let found = policy_findings(&policy);
        steps.finish("policy", started, &found, policy_summary(&policy));
        Ok(Some((policy, found)))
    };
    let hosts_future = join_all(mx_targets.iter().map(|(host, preference)| {
        let steps = &steps;
        async move {
            let started = steps.now();
            let host = inspect_host(resolver, host, *preference).await;
            if let Ok((mx, found)) = &host {
                steps.finish(&format!("mx {}", mx.host), started, found, host_summary(mx));
            }
            host
        }
    }));
    let (policy, hosts) = join(policy_future, hosts_future).await;
    let policy: Option<(PolicyCheck, Vec<Finding>)> = policy?;

    let mut mx_hosts = Vec::new();
    for host in hosts {
        let (host, found) = host?;
        findings.extend(found);
        mx_hosts.push(host);
    }
    if mx_problem.is_none()
        && mx_hosts
            .iter()
            .all(|h| h.preference.is_none() && h.addresses.is_empty())
    {
        findings.push(Finding::new(
            Code::MxNone,
            format!("{domain} has no MX record and no A or AAAA record to fall back on: it cannot receive mail."),
        ));
        mx_hosts.clear();
        mx_problem = Some(senders::MxProblem {
            reason: format!("{domain} has no mail host"),
            response: None,
        });
    }
    if !mx_hosts.is_empty() && !mx.0.validated {
        findings.push(Finding::new(
            Code::DaneNoDnssec,
            format!("The MX answer for {domain} is not DNSSEC-validated, so DANE cannot apply; MTA-STS is what protects this domain."),
        ));
    }

    let policy = policy.map(|(policy, found)| {
        findings.extend(found);
        policy
    });
    let policy_value = policy
        .as_ref()
        .and_then(|p| p.lint.as_ref())
        .and_then(|l| l.value.as_ref());
    if let Some(value) = policy_value {
        for host in &mut mx_hosts {
            host.covered_by = covering_pattern(&value.mx, &host.host).map(str::to_string);
        }
        if value.mode != Mode::None {
            let hosts: Vec<String> = mx_hosts.iter().map(|h| h.host.clone()).collect();
            // A pattern that covers only a CNAME target is in use: Exchange matches targets.
            let with_targets: Vec<String> = mx_hosts
                .iter()
                .flat_map(|h| std::iter::once(&h.host).chain(h.cname.last()))
                .cloned()
                .collect();
            let unused = check_coverage(&value.mx, &with_targets)
                .into_iter()
                .filter(|f| f.code == Code::MxPatternUnused);
            findings.extend(
                check_coverage(&value.mx, &hosts)
                    .into_iter()
                    .filter(|f| f.code != Code::MxPatternUnused)
                    .chain(unused),
            );
        }
    }

    let facts = senders::Facts {
        domain: &domain,
        record: records
            .mta_sts
            .lint
            .value
            .as_ref()
            .map(|_| records.mta_sts.lint.findings.as_slice()),
        fetch_failure: policy.as_ref().and_then(fetch_failure),
        content_type_ok: policy.as_ref().is_some_and(content_type_ok),
        policy: policy
            .as_ref()
            .and_then(|p| p.lint.as_ref())
            .map(|l| (l.findings.as_slice(), l.value.as_ref())),
        mx: &mx_hosts,
        mx_problem: mx_problem.as_ref(),
        policy_body: policy
            .as_ref()
            .and_then(|p| p.reply.as_ref())
            .map(|r| r.body.as_slice()),
    };
    let sender_matrix = senders::sender_matrix(&facts);
    let rfc = sender_matrix.first().map(|s| s.outcome);
    if records.mta_sts.lint.valid
        && records.mta_sts.lint.value.is_some()
        && rfc == Some(Outcome::NoPolicy)
        && policy_value.is_none_or(|p| p.mode != Mode::None)
    {
        findings.push(Finding::new(
            Code::PolicyFetchNoPolicy,
            format!("{domain} publishes a valid _mta-sts record but no usable policy: senders behave as if it had no MTA-STS."),
        ));
    }
    let verdict = if sender_matrix.iter().any(|s| s.outcome == Outcome::Refuses) {
        Outcome::Refuses
    } else {
        rfc.unwrap_or(Outcome::NoPolicy)
    };
    // Errors first, then warnings, then info; stable within a severity.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));

    Ok(CheckReport {
        domain,
        verdict,
        findings,
        steps: steps.done.into_inner(),
        records,
        policy,
        mx: mx_hosts,
        sender_matrix,
        smtp: Vec::new(),
    })
}

/// The steps finished so far, and the progress callback.
struct Steps<'a, C> {
    clock: &'a C,
    start: u64,
    done: RefCell<Vec<Step>>,
    on_step: &'a dyn Fn(&Step),
}

impl<C: Clock> Steps<'_, C> {
    fn now(&self) -> u64 {
        self.clock.now_ms().saturating_sub(self.start)
    }

    fn finish(&self, name: &str, started_ms: u64, findings: &[Finding], summary: String) {
        let status = match findings.iter().map(|f| f.severity).max() {
            Some(Severity::Error) => StepStatus::Error,
            Some(Severity::Warning) => StepStatus::Warning,
            _ => StepStatus::Ok,
        };
        let step = Step {
            name: name.to_string(),
            status,
            summary,
            started_ms,
            finished_ms: self.now(),
        };
        (self.on_step)(&step);
        self.done.borrow_mut().push(step);
    }
}

/// One query and its answer.
async fn lookup<R: Resolver>(
    resolver: &R,
    name: &str,
    rtype: RecordType,
) -> Result<(Lookup, Option<Answer>), CheckError> {
    let query = encode_query(name, rtype).map_err(CheckError::Dns)?;
    let bytes = match resolver.exchange(query).await {
        Ok(bytes) => bytes,
        // One name that never answers is that lookup's failure, not the whole check's
        // (round 1 turns "every lookup timed out" back into a resolver failure).
        Err(TransportError::Timeout) => {
            let lookup = Lookup {
                name: name.to_string(),
                rtype,
                rcode: None,
                validated: false,
                cname: Vec::new(),
                error: Some(TransportError::Timeout.to_string()),
            };
            return Ok((lookup, None));
        }
        Err(e) => return Err(CheckError::Resolver(e)),
    };
    let answer = decode_answer(&bytes).map_err(CheckError::Dns)?;
    let lookup = Lookup {
        name: name.to_string(),
        rtype,
        rcode: Some(answer.rcode),
        validated: answer.authenticated,
        cname: answer.cname_chain(name),
        error: None,
    };
    Ok((lookup, Some(answer)))
}

/// Whether the lookup failed at the resolver (not "no such record").
fn failed(lookup: &Lookup) -> bool {
    !matches!(lookup.rcode, Some(Rcode::NoError | Rcode::NxDomain))
}

fn dns_failure(lookup: &Lookup) -> Finding {
    let rcode = lookup
        .rcode
        .map_or("no answer".to_string(), |r| r.to_string());
    Finding::new(
        Code::DnsLookupFailed,
        format!(
            "The {} lookup of {} failed with {rcode}: senders cannot read it either (a DNSSEC failure often looks like this).",
            lookup.rtype, lookup.name
        ),
    )
}

fn txt_lookup<T>(
    (lookup, answer): (Lookup, Option<Answer>),
    lint: impl Fn(&[Vec<String>]) -> LintResult<T>,
) -> TxtLookup<T> {
    let rrset: Vec<Vec<String>> = answer
        .as_ref()
        .map(|a| {
            a.data_for(&lookup.name)
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

/// An MX host and its preference (`None`: the implicit MX of the A/AAAA fallback).
type MxTarget = (String, Option<u16>);

/// The MX targets in preference order (`None` preference: the A/AAAA fallback), findings, and
/// the reason no sender can deliver at all, when there is one.
fn mx_targets(
    domain: &str,
    (lookup, answer): &(Lookup, Option<Answer>),
) -> (Vec<MxTarget>, Vec<Finding>, Option<senders::MxProblem>) {
    if failed(lookup) {
        let problem = senders::MxProblem {
            reason: format!("the MX lookup of {domain} fails, so senders defer the mail"),
            response: None,
        };
        return (Vec::new(), vec![dns_failure(lookup)], Some(problem));
    }
    let mut targets: Vec<MxTarget> = answer
        .as_ref()
        .map(|a| {
            a.data_for(domain)
                .into_iter()
                .filter_map(|d| match d {
                    RecordData::Mx {
                        preference,
                        exchange,
                    } => Some((exchange.clone(), Some(*preference))),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    targets.sort_by_key(|(host, pref)| (*pref, host.clone()));
    targets.dedup_by(|a, b| a.0 == b.0);
    if matches!(targets.as_slice(), [(host, _)] if host == ".") {
        let finding = Finding::new(
            Code::MxNull,
            format!("{domain} publishes a null MX (0 .): it accepts no mail (RFC 7505)."),
        );
        // RFC 7505 §4.1: senders fail such mail at once, with this reply code.
        let problem = senders::MxProblem {
            reason: format!("{domain} publishes a null MX: it accepts no mail"),
            response: Some(format!(
                "556 5.1.10 Recipient address has null MX ({domain})"
            )),
        };
        return (Vec::new(), vec![finding], Some(problem));
    }
    if targets.is_empty() {
        // RFC 5321 §5.1: no MX, so the domain itself is the implicit MX.
        targets.push((domain.to_string(), None));
    }
    (targets, Vec::new(), None)
}

/// One MX host's addresses (noting a CNAME) and TLSA records.
async fn inspect_host<R: Resolver>(
    resolver: &R,
    host: &str,
    preference: Option<u16>,
) -> Result<(MxHost, Vec<Finding>), CheckError> {
    let tlsa_name = format!("_25._tcp.{host}");
    let (a, aaaa, tlsa) = join3(
        lookup(resolver, host, RecordType::A),
        lookup(resolver, host, RecordType::Aaaa),
        lookup(resolver, &tlsa_name, RecordType::Tlsa),
    )
    .await;
    let ((a, a_answer), (aaaa, aaaa_answer), (tlsa, tlsa_answer)) = (a?, aaaa?, tlsa?);
    let mut findings = Vec::new();
    let mut addresses = Vec::new();
    for (lookup, answer) in [(&a, &a_answer), (&aaaa, &aaaa_answer)] {
        if failed(lookup) {
            findings.push(dns_failure(lookup).for_host(host));
        }
        for data in answer.iter().flat_map(|a| a.data_for(host)) {
            match data {
                RecordData::A { address } => addresses.push(IpAddr::V4(*address)),
                RecordData::Aaaa { address } => addresses.push(IpAddr::V6(*address)),
                _ => {}
            }
        }
    }
    if addresses.is_empty() && !failed(&a) && !failed(&aaaa) && preference.is_some() {
        findings.push(
            Finding::new(
                Code::MxNoAddress,
                format!(
                    "The MX host {host} has no A or AAAA record: senders cannot connect to it."
                ),
            )
            .for_host(host),
        );
    }
    let cname = if a.cname.is_empty() {
        aaaa.cname.clone()
    } else {
        a.cname.clone()
    };
    if let Some(target) = cname.last() {
        if preference.is_some() {
            findings.push(
                Finding::new(
                    Code::MxCname,
                    format!(
                        "The MX host {host} is a CNAME to {target}: RFC 5321 §5.1 forbids it, and Exchange Online refuses such hosts under MTA-STS unless the policy also lists {target}."
                    ),
                )
                .for_host(host),
            );
        }
    }
    let tlsa_records: Vec<LintResult<crate::Tlsa>> = tlsa_answer
        .iter()
        .flat_map(|a| a.data_for(&tlsa_name))
        .filter_map(|d| match d {
            RecordData::Tlsa { rdata } => Some(crate::lint_tlsa(rdata)),
            _ => None,
        })
        .collect();
    for lint in &tlsa_records {
        findings.extend(lint.findings.iter().map(|f| f.clone().for_host(host)));
    }
    if failed(&tlsa) {
        findings.push(dns_failure(&tlsa).for_host(host));
    } else if tlsa_records.is_empty() && tlsa.validated {
        findings.push(
            Finding::new(
                Code::DaneTlsaMissing,
                format!("{host} is in a DNSSEC-signed zone but has no TLSA record at {tlsa_name}: senders that use DANE fall back to unauthenticated TLS."),
            )
            .for_host(host),
        );
    }
    let mx = MxHost {
        host: host.to_string(),
        preference,
        cname,
        addresses,
        covered_by: None,
        tlsa_lookup: Some(tlsa),
        tlsa: tlsa_records,
    };
    Ok((mx, findings))
}

/// Fetches and lints the policy (RFC 8461 §3.3). A fetch refused on the checker's side ends the
/// check: it says nothing of the domain.
async fn fetch_policy<R: Resolver, F: PolicyFetcher>(
    resolver: &R,
    fetcher: &F,
    domain: &str,
) -> Result<PolicyCheck, CheckError> {
    let host = format!("mta-sts.{domain}");
    let url = format!("https://{host}/.well-known/mta-sts.txt");
    let fetched = match fetcher.fetch(&url).await {
        Err(FetchError::Refused { detail }) => return Err(CheckError::PolicyFetchRefused(detail)),
        // Some platforms (workerd) say only that the fetch failed: ask the resolver whether the
        // host exists before calling it a connection failure.
        Err(error @ (FetchError::Connect { .. } | FetchError::Other { .. })) => {
            Err(unresolved_as_dns(resolver, &host, error).await)
        }
        other => other,
    };
    Ok(match fetched {
        Err(error) => PolicyCheck {
            url,
            reply: None,
            tlsrpt_result_type: Some(error.tlsrpt_result_type().to_string()),
            error: Some(error),
            lint: None,
        },
        Ok(reply) => {
            // Only a 200 answer carries a policy; its body is linted whatever its media type,
            // so the admin sees every problem at once.
            let lint = (reply.status == 200).then(|| lint_policy(&reply.body));
            let failed =
                reply.status != 200 || reply.truncated || reply.body.len() > MAX_POLICY_SIZE;
            PolicyCheck {
                url,
                tlsrpt_result_type: failed.then(|| "sts-policy-fetch-error".to_string()),
                reply: Some(reply),
                error: None,
                lint,
            }
        }
    })
}

/// `error` as a DNS failure when the resolver says `host` has no address (NXDOMAIN, or no A and
/// no AAAA record); as it is when the host has one or the lookups tell nothing.
async fn unresolved_as_dns<R: Resolver>(resolver: &R, host: &str, error: FetchError) -> FetchError {
    let (a, aaaa) = join(
        lookup(resolver, host, RecordType::A),
        lookup(resolver, host, RecordType::Aaaa),
    )
    .await;
    let mut rcodes = Vec::new();
    for result in [a, aaaa] {
        let Ok((lookup, Some(answer))) = result else {
            return error;
        };
        let has_address = answer
            .data_for(host)
            .iter()
            .any(|d| matches!(d, RecordData::A { .. } | RecordData::Aaaa { .. }));
        match lookup.rcode {
            Some(rcode @ (Rcode::NxDomain | Rcode::NoError)) if !has_address => {
                rcodes.push(rcode);
            }
            _ => return error,
        }
    }
    let why = if rcodes.contains(&Rcode::NxDomain) {
        "NXDOMAIN".to_string()
    } else {
        "no A or AAAA record".to_string()
    };
    FetchError::Dns {
        detail: format!("{host}: {why} (the fetch said: {error})"),
    }
}

/// The media type of the reply, lower case, without parameters.
fn media_type(reply: &HttpReply) -> Option<String> {
    reply
        .header("content-type")
        .map(|v| MediaType::parse(v).essence)
}

fn content_type_ok(policy: &PolicyCheck) -> bool {
    policy
        .reply
        .as_ref()
        .is_some_and(|r| media_type(r).as_deref() == Some("text/plain"))
}

/// The fetch problem that leaves a sender without any policy.
fn fetch_failure(policy: &PolicyCheck) -> Option<Code> {
    match (&policy.error, &policy.reply) {
        (Some(error), _) => Some(fetch_error_code(error)),
        (None, Some(reply)) if reply.redirect().is_some() || (300..400).contains(&reply.status) => {
            Some(Code::PolicyFetchRedirect)
        }
        (None, Some(reply)) if reply.status != 200 => Some(Code::PolicyFetchStatus),
        // Over 64 KiB but readable: the policy's own `policy-fetch.too-large` finding decides,
        // per sender (Stalwart reads up to 1 MiB). Past what was read, nobody has a policy.
        (None, Some(reply)) if reply.truncated => Some(Code::PolicyFetchTooLarge),
        _ => None,
    }
}

fn fetch_error_code(error: &FetchError) -> Code {
    match error {
        FetchError::Dns { .. } => Code::PolicyFetchDns,
        FetchError::Tls { .. } => Code::PolicyFetchTls,
        FetchError::Timeout => Code::PolicyFetchTimeout,
        _ => Code::PolicyFetchTls,
    }
}

/// The findings of the policy fetch and of the policy itself.
fn policy_findings(policy: &PolicyCheck) -> Vec<Finding> {
    let host = policy
        .url
        .strip_prefix("https://")
        .and_then(|u| u.split('/').next())
        .unwrap_or("");
    let mut findings = Vec::new();
    if let Some(error) = &policy.error {
        let code = fetch_error_code(error);
        let message = match error {
            FetchError::Dns { .. } => format!("{host} does not resolve, so senders cannot fetch the policy: {error}."),
            FetchError::Timeout => format!("{} gave no complete answer in time; senders give up after 60 s at most.", policy.url),
            _ => format!("The HTTPS connection to {host} failed: {error}. Senders report {} and use no policy.", error.tlsrpt_result_type()),
        };
        findings.push(Finding::new(code, message));
        return findings;
    }
    let Some(reply) = &policy.reply else {
        return findings;
    };
    if (300..400).contains(&reply.status) {
        let to = reply.redirect().unwrap_or("nowhere");
        findings.push(Finding::new(
            Code::PolicyFetchRedirect,
            format!("{} answers {} with a redirect to {to}: senders must not follow redirects (RFC 8461 §3.3), so they see no policy. Serve the file at this exact URL.", policy.url, reply.status),
        ));
    } else if reply.status != 200 {
        findings.push(Finding::new(
            Code::PolicyFetchStatus,
            format!(
                "{} answers HTTP {}; only 200 carries a policy.",
                policy.url, reply.status
            ),
        ));
    }
    if reply.status == 200 {
        match media_type(reply) {
            Some(t) if t == "text/plain" => {}
            other => findings.push(Finding::new(
                Code::PolicyFetchContentType,
                format!(
                    "The policy is served as {}, not text/plain: RFC 8461 §3.2 says senders SHOULD refuse it, and Postfix's resolver and Exchange do; mox and Stalwart do not check.",
                    other.as_deref().unwrap_or("no media type")
                ),
            )),
        }
        if let Some(charset) = reply
            .header("content-type")
            .and_then(|v| MediaType::parse(v).charset())
        {
            if !matches!(charset.as_str(), "utf-8" | "us-ascii") {
                findings.push(Finding::new(
                    Code::PolicyFetchCharset,
                    format!("The policy is served with charset {charset}; the policy is ASCII, so utf-8 or us-ascii is what senders expect."),
                ));
            }
        }
        let lint_says_so = policy
            .lint
            .as_ref()
            .is_some_and(|l| l.has(Code::PolicyFetchTooLarge));
        if reply.truncated && !lint_says_so {
            findings.push(Finding::new(
                Code::PolicyFetchTooLarge,
                format!(
                    "The policy body goes on past {} bytes; RFC 8461 §3.3 caps it at 64 KiB.",
                    reply.body.len()
                ),
            ));
        }
    }
    if let Some(lint) = &policy.lint {
        findings.extend(lint.findings.iter().cloned());
    }
    findings
}

fn dns_summary(records: &Records, mx: &[MxTarget]) -> String {
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
    let hosts: Vec<&str> = mx.iter().map(|(h, _)| h.as_str()).collect();
    format!(
        "{sts}; {tlsrpt}; MX {}",
        if hosts.is_empty() {
            "none".to_string()
        } else {
            hosts.join(", ")
        }
    )
}

fn policy_summary(policy: &PolicyCheck) -> String {
    match (&policy.error, &policy.reply, &policy.lint) {
        (Some(error), _, _) => format!("{}: {error}", policy.url),
        (None, Some(_), Some(lint)) => match &lint.value {
            Some(p) => format!(
                "mode {}, max_age {}, {} mx pattern(s)",
                p.mode,
                p.max_age,
                p.mx.len()
            ),
            None => "the policy cannot be read".to_string(),
        },
        (None, Some(reply), None) => format!("HTTP {}", reply.status),
        (None, None, _) => "not fetched".to_string(),
    }
}

fn host_summary(mx: &MxHost) -> String {
    let mut parts = vec![format!("{} address(es)", mx.addresses.len())];
    if let Some(target) = mx.cname.last() {
        parts.push(format!("CNAME to {target}"));
    }
    match &mx.tlsa_lookup {
        Some(l) if !mx.tlsa.is_empty() => parts.push(format!(
            "{} TLSA record(s){}",
            mx.tlsa.len(),
            if l.validated {
                ", DNSSEC-validated"
            } else {
                ", not validated"
            }
        )),
        _ => parts.push("no TLSA".to_string()),
    }
    parts.join(", ")
}
