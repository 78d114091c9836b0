//! The assessment: what the two rounds mean together. Which policy pattern covers which MX host
//! (RFC 8461 §4.1), whether the domain can receive mail at all, what each sender profile does,
//! and the verdict.

use super::policy::{content_type_ok, fetch_failure};
use super::records::{MxTarget, RoundOne};
use super::report::{CheckReport, MxHost, Outcome, PolicyCheck, Step};
use super::senders::{sender_matrix, Facts, MxProblem};
use super::verdict::{overall, passes};
use crate::domain_name::DomainName;
use crate::finding::{Code, Finding};
use crate::mta_sts::policy::{Mode, MtaStsPolicy};
use crate::mx::{check_coverage, covering_pattern};

/// What round two found: the policy fetch (when there is an `_mta-sts` record) and each MX
/// host, each with its findings.
pub(super) struct RoundTwo {
    /// The policy fetch and its findings.
    pub policy: Option<(PolicyCheck, Vec<Finding>)>,
    /// Each MX host inspected, in preference order, and its findings.
    pub hosts: Vec<(MxHost, Vec<Finding>)>,
}

/// The report of the check of `domain` from its two rounds and the steps taken.
pub(super) fn assess(
    domain: DomainName,
    one: RoundOne,
    two: RoundTwo,
    steps: Vec<Step>,
) -> CheckReport {
    let RoundOne {
        records,
        mx_validated,
        skipped,
        mut findings,
        mut mx_problem,
        ..
    } = one;
    let mut mx_hosts = Vec::new();
    for (host, found) in two.hosts {
        findings.extend(found);
        mx_hosts.push(host);
    }
    findings.extend(mail_host_findings(
        &domain,
        &mut mx_hosts,
        &mut mx_problem,
        mx_validated,
    ));
    let policy = two.policy.map(|(policy, found)| {
        findings.extend(found);
        policy
    });
    let policy_value = policy.as_ref().and_then(PolicyCheck::policy);
    if let Some(value) = policy_value {
        findings.extend(coverage(value, &mut mx_hosts, &skipped));
    }

    let facts = Facts {
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
            .and_then(PolicyCheck::lint)
            .map(|l| (l.findings.as_slice(), l.value.as_ref())),
        mx: &mx_hosts,
        mx_skipped: skipped.len(),
        mx_problem: mx_problem.as_ref(),
        sts_rrset: &records.mta_sts.rrset,
        mx_validated,
        reply: policy.as_ref().and_then(PolicyCheck::reply),
    };
    let sender_matrix = sender_matrix(&facts);
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
    let verdict = overall(&sender_matrix);
    // Errors first, then warnings, then info; stable within a severity.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));

    CheckReport {
        ok: passes(&findings, sender_matrix.iter().map(|s| s.outcome)),
        domain,
        verdict,
        findings,
        steps,
        records,
        policy,
        mx: mx_hosts,
        sender_matrix,
        smtp: Vec::new(),
    }
}

/// `mx.none` when there is no mail host at all (RFC 5321 §5.1: no MX and no address to fall
/// back on), then `dane.no-dnssec` when the MX answer is not validated (RFC 7672 §2.2.1).
fn mail_host_findings(
    domain: &DomainName,
    mx_hosts: &mut Vec<MxHost>,
    mx_problem: &mut Option<MxProblem>,
    mx_validated: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
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
        *mx_problem = Some(MxProblem {
            reason: format!("{domain} has no mail host"),
            response: None,
            outcome: Outcome::Refuses,
        });
    }
    if !mx_hosts.is_empty() && !mx_validated {
        findings.push(Finding::new(
            Code::DaneNoDnssec,
            format!("The MX answer for {domain} is not DNSSEC-validated, so DANE cannot apply; MTA-STS is what protects this domain."),
        ));
    }
    findings
}

/// Notes the pattern that covers each MX host, and, unless the mode is `none`, the coverage
/// findings (RFC 8461 §4.1). A pattern that matches only a host the check `skipped` is in use
/// all the same (its name is known without a lookup); whether a skipped host is covered is not
/// judged.
fn coverage(policy: &MtaStsPolicy, mx_hosts: &mut [MxHost], skipped: &[MxTarget]) -> Vec<Finding> {
    for host in mx_hosts.iter_mut() {
        host.covered_by = covering_pattern(&policy.mx, host.host.as_str()).map(str::to_string);
    }
    if policy.mode == Mode::None {
        return Vec::new();
    }
    let hosts: Vec<String> = mx_hosts.iter().map(|h| h.host.to_string()).collect();
    // A pattern that covers only a CNAME target is in use: Exchange matches targets.
    let with_targets: Vec<String> = mx_hosts
        .iter()
        .flat_map(|h| std::iter::once(h.host.as_str()).chain(h.cname.last().map(String::as_str)))
        .chain(skipped.iter().map(|(host, _)| host.as_str()))
        .map(str::to_string)
        .collect();
    let unused = check_coverage(&policy.mx, &with_targets)
        .into_iter()
        .filter(|f| f.code == Code::MxPatternUnused);
    check_coverage(&policy.mx, &hosts)
        .into_iter()
        .filter(|f| f.code != Code::MxPatternUnused)
        .chain(unused)
        .collect()
}
