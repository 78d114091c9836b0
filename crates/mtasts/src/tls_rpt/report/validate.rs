//! Strict validation of a report read leniently: the raw structures of [`super::read`] become the
//! [`ReportSummary`] and, separately, one finding per departure from RFC 8460 §4.4, each naming
//! its JSON path (`policies[0].summary.total-failure-session-count`).
//!
//! Required members (RFC 8460 §4.4, the JSON schema and the prose under it):
//! `organization-name`, `date-range` with `start-datetime` and `end-datetime`, `contact-info`,
//! `report-id`, `policies`; in each policy `policy` with `policy-type` and `policy-domain`, and
//! `summary` with both session counts; in each failure detail `result-type` and
//! `failed-session-count`. The RFC's own example omits `receiving-ip`, and senders omit the IP
//! addresses and MX host when there was no connection (`sts-policy-fetch-error`), so those are
//! optional here, like `policy-string`, `mx-host`, `failure-details` and the rest.

use super::read::{
    Count, List, RawDateRange, RawFailure, RawPolicy, RawPolicyEntry, RawReport, Slot, Strings,
};
use super::{
    DateRange, FailureSummary, PolicySummary, PolicyType, ReportError, ReportSummary, ResultType,
};
use crate::finding::{Code, Finding};
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::net::IpAddr;

/// At most this many findings of one code are listed; the rest are counted in one more.
const LISTED_PER_CODE: usize = 100;

/// Validates `raw`, building the summary and the findings.
pub(crate) fn validate(raw: RawReport) -> Result<(ReportSummary, Vec<Finding>), ReportError> {
    let mut findings = Findings::default();
    // RFC 8460 §4.4: "policies" is the array the whole report is about; without it there is
    // nothing to read (docs/findings.md: `report.json`).
    let policies = match raw.policies {
        Slot::Found(List(policies)) => policies,
        Slot::Absent => return Err(ReportError::NoPolicies("no member".to_string())),
        Slot::Coerced(coerced) => return Err(ReportError::NoPolicies(coerced.1.to_string())),
        Slot::Wrong(seen) => return Err(ReportError::NoPolicies(seen.to_string())),
    };
    let top = |member| Path::top(member);
    let mut summary = ReportSummary {
        organization: text(
            raw.organization_name,
            top("organization-name"),
            Need::Required,
            &mut findings,
        ),
        contact_info: text(
            raw.contact_info,
            top("contact-info"),
            Need::Required,
            &mut findings,
        ),
        report_id: text(
            raw.report_id,
            top("report-id"),
            Need::Required,
            &mut findings,
        ),
        date_range: date_range(raw.date_range, &mut findings),
        ..ReportSummary::default()
    };
    summary.policies.reserve_exact(policies.len());
    for (index, entry) in policies.into_iter().enumerate() {
        let Some(policy) = object(entry, Path::policy(index, ""), &mut findings) else {
            continue;
        };
        // Filled in place: a policy summary is large, and moving it costs.
        summary.policies.push(PolicySummary::default());
        if let Some(out) = summary.policies.last_mut() {
            policy_entry(policy, index, out, &mut findings);
        }
        summary.count_last_policy();
    }
    Ok((summary, findings.finish()))
}

/// Where a value sits in the report, formatted only when a finding needs it.
#[derive(Debug, Clone, Copy)]
struct Path<'a> {
    policy: Option<usize>,
    failure: Option<usize>,
    member: &'a str,
    item: Option<usize>,
}

impl<'a> Path<'a> {
    fn top(member: &'a str) -> Path<'a> {
        Path {
            policy: None,
            failure: None,
            member,
            item: None,
        }
    }

    fn policy(index: usize, member: &'a str) -> Path<'a> {
        Path {
            policy: Some(index),
            ..Path::top(member)
        }
    }

    fn failure(policy: usize, index: usize, member: &'a str) -> Path<'a> {
        Path {
            failure: Some(index),
            ..Path::policy(policy, member)
        }
    }

    fn item(self, index: usize) -> Path<'a> {
        Path {
            item: Some(index),
            ..self
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut dot = "";
        if let Some(policy) = self.policy {
            write!(f, "policies[{policy}]")?;
            dot = ".";
        }
        if let Some(failure) = self.failure {
            write!(f, "{dot}failure-details[{failure}]")?;
            dot = ".";
        }
        if !self.member.is_empty() {
            write!(f, "{dot}{}", self.member)?;
        }
        if let Some(item) = self.item {
            write!(f, "[{item}]")?;
        }
        Ok(())
    }
}

/// The findings so far, at most [`LISTED_PER_CODE`] of each code.
#[derive(Default)]
struct Findings {
    list: Vec<Finding>,
    per_code: BTreeMap<Code, usize>,
}

impl Findings {
    /// Adds a finding of `code`; `message` writes its text, into a String sized for most
    /// messages (`format!` would start from nothing and grow it several times).
    fn add(&mut self, code: Code, message: impl FnOnce(&mut String) -> fmt::Result) {
        let seen = self.per_code.entry(code).or_insert(0);
        *seen = seen.saturating_add(1);
        if *seen <= LISTED_PER_CODE {
            let mut text = String::with_capacity(128);
            // Writing into a String cannot fail.
            let _ = message(&mut text);
            self.list.push(Finding::new(code, text));
        }
    }

    fn finish(mut self) -> Vec<Finding> {
        for (code, count) in self.per_code {
            if count > LISTED_PER_CODE {
                let more = count - LISTED_PER_CODE;
                self.list.push(Finding::new(
                    code,
                    format!("{more} more {code} findings are not listed"),
                ));
            }
        }
        self.list
    }
}

/// Whether RFC 8460 §4.4 requires a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
}

/// Reports what keeps `slot` from being present with the right type, and returns what could be
/// read from it.
fn check<T>(
    slot: Slot<T>,
    path: Path<'_>,
    need: Need,
    expected: &str,
    findings: &mut Findings,
) -> Option<T> {
    match slot {
        Slot::Found(value) => Some(value),
        Slot::Absent => {
            if need == Need::Required {
                findings.add(Code::ReportFieldMissing, |m| write!(m, "{path} is missing"));
            }
            None
        }
        Slot::Coerced(coerced) => {
            let (value, seen) = *coerced;
            findings.add(Code::ReportFieldType, |m| {
                write!(
                    m,
                    "{path} is {seen}, not {expected}; it is read all the same"
                )
            });
            Some(value)
        }
        Slot::Wrong(seen) => {
            findings.add(Code::ReportFieldType, |m| {
                write!(m, "{path} is {seen}, not {expected}")
            });
            None
        }
    }
}

fn text(slot: Slot<String>, path: Path<'_>, need: Need, findings: &mut Findings) -> Option<String> {
    check(slot, path, need, "a string", findings)
}

fn count(slot: Slot<Count>, path: Path<'_>, findings: &mut Findings) -> Option<u64> {
    check(
        slot,
        path,
        Need::Required,
        "a non-negative integer",
        findings,
    )
    .map(|Count(n)| n)
}

fn object<T>(slot: Slot<T>, path: Path<'_>, findings: &mut Findings) -> Option<T> {
    check(slot, path, Need::Required, "an object", findings)
}

/// An array of strings; elements of another type are reported and left out.
fn strings(slot: Slot<Strings>, path: Path<'_>, findings: &mut Findings) -> Vec<String> {
    let Some(Strings(items)) = check(slot, path, Need::Optional, "an array of strings", findings)
    else {
        return Vec::new();
    };
    items
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| text(item, path.item(i), Need::Required, findings))
        .collect()
}

/// `date-range`: two RFC 3339 date-times (RFC 8460 §4.4), the start not after the end.
fn date_range(slot: Slot<RawDateRange>, findings: &mut Findings) -> Option<DateRange> {
    let RawDateRange { start, end } = object(slot, Path::top("date-range"), findings)?;
    let start_path = Path::top("date-range.start-datetime");
    let end_path = Path::top("date-range.end-datetime");
    let start = text(start, start_path, Need::Required, findings);
    let end = text(end, end_path, Need::Required, findings);
    let start_at = start
        .as_deref()
        .and_then(|s| instant(s, start_path, findings));
    let end_at = end.as_deref().and_then(|s| instant(s, end_path, findings));
    if let (Some(from), Some(to)) = (start_at, end_at) {
        if to < from {
            findings.add(Code::ReportDatetime, |m| {
                write!(
                    m,
                    "{end_path} {:?} is before start-datetime {:?}",
                    end.as_deref().unwrap_or_default(),
                    start.as_deref().unwrap_or_default()
                )
            });
        }
    }
    Some(DateRange {
        start_datetime: start,
        end_datetime: end,
    })
}

/// An RFC 3339 §5.6 date-time as seconds since the epoch; departures are reported, and a
/// date-time without a zone is read as UTC.
fn instant(text: &str, path: Path<'_>, findings: &mut Findings) -> Option<i64> {
    match crate::date::parse_rfc3339(text) {
        Ok(at) => {
            if let Some(why) = at.deviation {
                findings.add(Code::ReportDatetime, |m| {
                    write!(
                        m,
                        "{path} {text:?} is not an RFC 3339 date-time: {why}; it is read as UTC"
                    )
                });
            }
            Some(at.unix)
        }
        Err(why) => {
            findings.add(Code::ReportDatetime, |m| {
                write!(m, "{path} {text:?} is not an RFC 3339 date-time: {why}")
            });
            None
        }
    }
}

/// One element of `policies`.
fn policy_entry(
    raw: RawPolicyEntry,
    index: usize,
    out: &mut PolicySummary,
    findings: &mut Findings,
) {
    if let Some(policy) = object(raw.policy, Path::policy(index, "policy"), findings) {
        policy_fields(policy, index, out, findings);
    }
    let summary = object(raw.summary, Path::policy(index, "summary"), findings);
    let (successful, total_failed) = match summary {
        Some(s) => (
            count(
                s.successful,
                Path::policy(index, "summary.total-successful-session-count"),
                findings,
            ),
            count(
                s.failed,
                Path::policy(index, "summary.total-failure-session-count"),
                findings,
            ),
        ),
        None => (None, None),
    };
    let details = check(
        raw.failure_details,
        Path::policy(index, "failure-details"),
        Need::Optional,
        "an array",
        findings,
    );
    let details = details.map(|List(d)| d).unwrap_or_default();
    out.failures.reserve_exact(details.len());
    for (i, detail) in details.into_iter().enumerate() {
        if let Some(detail) = object(detail, Path::failure(index, i, ""), findings) {
            out.failures.push(failure(detail, index, i, findings));
        }
    }
    let detailed = out
        .failures
        .iter()
        .fold(0u64, |sum, f| sum.saturating_add(f.failed_sessions));
    // RFC 8460 §4.4: total-failure-session-count is the aggregate of the failures, each detail
    // counting the sessions of one result type. Only compared when details are given: they
    // are optional, and a sender may leave them out.
    if let Some(total) = total_failed {
        if !out.failures.is_empty() && total != detailed {
            findings.add(Code::ReportCountsMismatch, |m| {
                write!(m,
                    "policies[{index}].summary.total-failure-session-count is {total}, but the failed-session-count of its failure-details add up to {detailed}"
                )
            });
        }
    }
    out.successful = successful.unwrap_or(0);
    out.failed = total_failed.unwrap_or(detailed);
}

/// `policy`: its type, domain, policy lines and MX patterns.
fn policy_fields(raw: RawPolicy, index: usize, out: &mut PolicySummary, findings: &mut Findings) {
    let type_path = Path::policy(index, "policy.policy-type");
    out.policy_type = check(
        raw.policy_type,
        type_path,
        Need::Required,
        "a string",
        findings,
    );
    if let Some(PolicyType::Other(name)) = &out.policy_type {
        // RFC 8460 §4.4: "tlsa", "sts" or "no-policy-found".
        findings.add(Code::ReportPolicyTypeUnknown, |m| {
            write!(
                m,
                "{type_path} {name:?} is not \"sts\", \"tlsa\" or \"no-policy-found\""
            )
        });
    }
    out.policy_domain = text(
        raw.policy_domain,
        Path::policy(index, "policy.policy-domain"),
        Need::Required,
        findings,
    );
    out.policy_strings = strings(
        raw.policy_string,
        Path::policy(index, "policy.policy-string"),
        findings,
    );
    // RFC 8460 §4.4 (erratum 6241): mx-host is an array of patterns; its §4.5 example prints
    // a lone string, read here as a list of one.
    out.mx_hosts = strings(raw.mx_host, Path::policy(index, "policy.mx-host"), findings);
}

/// One element of `failure-details`.
fn failure(
    raw: RawFailure,
    policy: usize,
    index: usize,
    findings: &mut Findings,
) -> FailureSummary {
    let at = |member| Path::failure(policy, index, member);
    let result_path = at("result-type");
    let result_type = check(
        raw.result_type,
        result_path,
        Need::Required,
        "a string",
        findings,
    );
    if let Some(ResultType::Unregistered(name)) = &result_type {
        // RFC 8460 §4.3 and §6.6: the IANA "STARTTLS Validation Result Types" registry.
        findings.add(Code::ReportResultTypeUnknown, |m| {
            write!(m, "{result_path} {name:?} is not in IANA's registry of STARTTLS validation result types")
        });
    }
    let receiving_mx_hostname = match raw.receiving_mx_hostname {
        Slot::Absent => text(
            raw.receiving_mx_host_name,
            at("receiving-mx-host-name"),
            Need::Optional,
            findings,
        ),
        slot => text(slot, at("receiving-mx-hostname"), Need::Optional, findings),
    };
    FailureSummary {
        result_type,
        sending_mta_ip: ip_address(raw.sending_mta_ip, at("sending-mta-ip"), findings),
        receiving_mx_hostname,
        receiving_mx_helo: text(
            raw.receiving_mx_helo,
            at("receiving-mx-helo"),
            Need::Optional,
            findings,
        ),
        receiving_ip: ip_address(raw.receiving_ip, at("receiving-ip"), findings),
        failed_sessions: count(raw.failed, at("failed-session-count"), findings).unwrap_or(0),
        additional_information: text(
            raw.additional_information,
            at("additional-information"),
            Need::Optional,
            findings,
        ),
        failure_reason_code: text(
            raw.failure_reason_code,
            at("failure-reason-code"),
            Need::Optional,
            findings,
        ),
    }
}

/// RFC 8460 §4.4: "a string representation of an IPv4 or IPv6 [RFC5952] address in dot-decimal
/// or colon-hexadecimal notation". Anything else (an empty string, `xxx.xxx.xxx.xxx`) is
/// reported and left out.
fn ip_address(slot: Slot<String>, path: Path<'_>, findings: &mut Findings) -> Option<String> {
    let text = text(slot, path, Need::Optional, findings)?;
    if text.parse::<IpAddr>().is_ok() {
        return Some(text);
    }
    findings.add(Code::ReportFieldType, |m| {
        write!(m, "{path} {text:?} is not an IP address")
    });
    None
}

#[cfg(test)]
mod tests {
    use super::super::read::{read, Budget};
    use super::*;

    fn lint(json: &str) -> Result<(ReportSummary, Vec<Finding>), ReportError> {
        match read(json.as_bytes(), &Budget::new(1 << 20)) {
            Ok(Slot::Found(raw)) => validate(raw),
            other => panic!("{json}: {other:?}"),
        }
    }

    fn messages(json: &str) -> Vec<String> {
        let (_, findings) = lint(json).unwrap();
        findings
            .iter()
            .map(|f| format!("{}: {}", f.code, f.message))
            .collect()
    }

    const GOOD: &str = r#"{"organization-name":"Org","date-range":{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"},"contact-info":"a@b.example","report-id":"r1","policies":[
        {"policy":{"policy-type":"sts","policy-string":["version: STSv1"],"policy-domain":"d.example","mx-host":["*.d.example"]},
         "summary":{"total-successful-session-count":10,"total-failure-session-count":3},
         "failure-details":[{"result-type":"validation-failure","sending-mta-ip":"192.0.2.1","receiving-ip":"2001:db8::1","receiving-mx-hostname":"mx.d.example","failed-session-count":2},
                            {"result-type":"certificate-expired","failed-session-count":1}]}]}"#;

    #[test]
    fn a_conformant_report_has_no_findings() {
        let (summary, findings) = lint(GOOD).unwrap();
        assert_eq!(findings, vec![]);
        assert_eq!((summary.successful, summary.failed), (10, 3));
        assert_eq!(summary.result_types.get("validation-failure"), Some(&2));
        assert_eq!(summary.result_types.get("certificate-expired"), Some(&1));
        assert_eq!(summary.organization.as_deref(), Some("Org"));
        let policy = &summary.policies[0];
        assert_eq!(policy.policy_type, Some(PolicyType::Sts));
        assert_eq!(policy.mx_hosts, vec!["*.d.example".to_string()]);
        assert_eq!(
            policy.failures[0].receiving_ip.as_deref(),
            Some("2001:db8::1")
        );
    }

    #[test]
    fn each_departure_is_one_finding_with_its_path() {
        // (replace in GOOD, by, expected findings)
        let cases: &[(&str, &str, &[&str])] = &[
            (r#""organization-name":"Org","#, "", &["report.field-missing: organization-name is missing"]),
            (r#""contact-info":"a@b.example""#, r#""contact-info":null"#, &["report.field-type: contact-info is null, not a string"]),
            (r#""report-id":"r1""#, r#""report-id":7"#, &["report.field-type: report-id is the number 7, not a string"]),
            (
                r#""start-datetime":"2024-01-01T00:00:00Z""#,
                r#""start-datetime":"2024-01-01T00:00:00""#,
                &["report.datetime: date-range.start-datetime \"2024-01-01T00:00:00\" is not an RFC 3339 date-time: no zone designator (\"Z\" or an offset such as \"+00:00\"); it is read as UTC"],
            ),
            (
                r#""end-datetime":"2024-01-01T23:59:59Z""#,
                r#""end-datetime":"2023-12-31T23:59:59Z""#,
                &["report.datetime: date-range.end-datetime \"2023-12-31T23:59:59Z\" is before start-datetime \"2024-01-01T00:00:00Z\""],
            ),
            (r#""end-datetime":"2024-01-01T23:59:59Z""#, r#""end-datetime":"yesterday""#, &["report.datetime: date-range.end-datetime \"yesterday\" is not an RFC 3339 date-time: the date is not YYYY-MM-DD"]),
            (r#""policy-type":"sts""#, r#""policy-type":"tls""#, &["report.policy-type-unknown: policies[0].policy.policy-type \"tls\" is not \"sts\", \"tlsa\" or \"no-policy-found\""]),
            (r#","policy-domain":"d.example""#, "", &["report.field-missing: policies[0].policy.policy-domain is missing"]),
            (
                r#""mx-host":["*.d.example"]"#,
                r#""mx-host":"*.d.example""#,
                &["report.field-type: policies[0].policy.mx-host is the string \"*.d.example\", not an array of strings; it is read all the same"],
            ),
            (r#""policy-string":["version: STSv1"]"#, r#""policy-string":[null]"#, &["report.field-type: policies[0].policy.policy-string[0] is null, not a string"]),
            (
                r#""total-failure-session-count":3"#,
                r#""total-failure-session-count":"3""#,
                &["report.field-type: policies[0].summary.total-failure-session-count is the string \"3\", not a non-negative integer; it is read all the same"],
            ),
            (
                r#""total-failure-session-count":3"#,
                r#""total-failure-session-count":4"#,
                &["report.counts-mismatch: policies[0].summary.total-failure-session-count is 4, but the failed-session-count of its failure-details add up to 3"],
            ),
            (r#","total-failure-session-count":3"#, "", &["report.field-missing: policies[0].summary.total-failure-session-count is missing"]),
            (
                r#""result-type":"certificate-expired""#,
                r#""result-type":"certificate-revoked""#,
                &["report.result-type-unknown: policies[0].failure-details[1].result-type \"certificate-revoked\" is not in IANA's registry of STARTTLS validation result types"],
            ),
            (r#""sending-mta-ip":"192.0.2.1""#, r#""sending-mta-ip":"xxx.xxx.xxx.xxx""#, &["report.field-type: policies[0].failure-details[0].sending-mta-ip \"xxx.xxx.xxx.xxx\" is not an IP address"]),
            (r#""receiving-ip":"2001:db8::1""#, r#""receiving-ip":"""#, &["report.field-type: policies[0].failure-details[0].receiving-ip \"\" is not an IP address"]),
            (
                r#"{"result-type":"certificate-expired","failed-session-count":1}"#,
                r#"{"result-type":"certificate-expired"}, 5"#,
                &[
                    "report.field-missing: policies[0].failure-details[1].failed-session-count is missing",
                    "report.field-type: policies[0].failure-details[2] is the number 5, not an object",
                    "report.counts-mismatch: policies[0].summary.total-failure-session-count is 3, but the failed-session-count of its failure-details add up to 2",
                ],
            ),
            // Optional members may be absent.
            (r#""sending-mta-ip":"192.0.2.1","receiving-ip":"2001:db8::1","receiving-mx-hostname":"mx.d.example","#, "", &[]),
            (r#""receiving-mx-hostname":"mx.d.example""#, r#""receiving-mx-host-name":"mx.d.example""#, &[]),
        ];
        for (from, to, want) in cases {
            assert!(GOOD.contains(from), "{from}");
            let json = GOOD.replacen(from, to, 1);
            assert_eq!(messages(&json), *want, "{json}");
        }
    }

    #[test]
    fn values_survive_departures() {
        let json = GOOD
            .replace(
                r#""total-failure-session-count":3"#,
                r#""total-failure-session-count":"3""#,
            )
            .replace(r#""mx-host":["*.d.example"]"#, r#""mx-host":"*.d.example""#)
            .replace(r#""receiving-mx-hostname""#, r#""receiving-mx-host-name""#)
            .replace(r#""policy-type":"sts""#, r#""policy-type":"tls""#);
        let (summary, _) = lint(&json).unwrap();
        let policy = &summary.policies[0];
        assert_eq!(policy.failed, 3);
        assert_eq!(policy.mx_hosts, vec!["*.d.example".to_string()]);
        assert_eq!(policy.policy_type, Some(PolicyType::Other("tls".into())));
        assert_eq!(
            policy.failures[0].receiving_mx_hostname.as_deref(),
            Some("mx.d.example")
        );
        // Without a total, the details count.
        let json = GOOD.replace(r#","total-failure-session-count":3"#, "");
        assert_eq!(lint(&json).unwrap().0.failed, 3);
    }

    #[test]
    fn policies_are_required() {
        for (json, want) in [
            ("{}", ReportError::NoPolicies("no member".into())),
            (
                r#"{"policies":{}}"#,
                ReportError::NoPolicies("an object".into()),
            ),
            (
                r#"{"policies":null}"#,
                ReportError::NoPolicies("null".into()),
            ),
        ] {
            assert_eq!(lint(json).map(|_| ()), Err(want), "{json}");
        }
        let (summary, findings) = lint(r#"{"policies":[]}"#).unwrap();
        assert_eq!(summary.policies.len(), 0);
        assert_eq!(findings.len(), 4, "{findings:?}");
    }

    #[test]
    fn findings_per_code_are_capped() {
        let many = format!(r#"{{"policies":[{}{{}}]}}"#, "{},".repeat(1_000));
        let (summary, findings) = lint(&many).unwrap();
        assert_eq!(summary.policies.len(), 1_001);
        let missing = findings
            .iter()
            .filter(|f| f.code == Code::ReportFieldMissing)
            .count();
        assert_eq!(missing, LISTED_PER_CODE + 1);
        assert!(findings
            .last()
            .unwrap()
            .message
            .starts_with("1906 more report.field-missing"));
    }

    #[test]
    fn counts_saturate() {
        let json = r#"{"policies":[
            {"summary":{"total-successful-session-count":18446744073709551615,"total-failure-session-count":18446744073709551615}},
            {"summary":{"total-successful-session-count":1,"total-failure-session-count":1}}]}"#;
        let (summary, _) = lint(json).unwrap();
        assert_eq!((summary.successful, summary.failed), (u64::MAX, u64::MAX));
    }
}
