//! What identifies a report (RFC 8460 §4.4 `report-id` within its organization), and the rows a
//! report's summary becomes in D1.

use mtasts::ReportSummary;
use std::collections::BTreeMap;

/// The most failure rows stored per report; further MX hosts are folded into `mx = ''`.
const MAX_FAILURE_ROWS: usize = 200;

/// The identity of a report: a repeat of it has the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportIdentity {
    /// `organization-name` (`''` when absent).
    pub organization: String,
    /// `report-id` (`''` when absent).
    pub report_id: String,
    /// The report's policy domains, normalized, sorted, comma-separated.
    pub policy_domains: String,
    /// `date-range.start-datetime` (`''` when absent).
    pub start: String,
    /// `date-range.end-datetime` (`''` when absent).
    pub end: String,
}

impl ReportIdentity {
    /// The identity of a summarized report.
    pub fn of(summary: &ReportSummary) -> Self {
        let range = summary.date_range.as_ref();
        ReportIdentity {
            organization: summary.organization.clone().unwrap_or_default(),
            report_id: summary.report_id.clone().unwrap_or_default(),
            policy_domains: policy_domains(summary).join(","),
            start: range
                .and_then(|r| r.start_datetime.clone())
                .unwrap_or_default(),
            end: range
                .and_then(|r| r.end_datetime.clone())
                .unwrap_or_default(),
        }
    }

    /// The primary key: the five fields as a JSON array (unambiguous whatever they contain).
    pub fn key(&self) -> String {
        serde_json::json!([
            self.organization,
            self.report_id,
            self.policy_domains,
            self.start,
            self.end
        ])
        .to_string()
    }
}

/// A policy domain as stored: lower case, without the root dot.
pub fn normalize_policy_domain(domain: &str) -> String {
    mtasts::DomainName::from_wire(domain.trim()).into()
}

/// The distinct policy domains of a report, sorted.
pub fn policy_domains(summary: &ReportSummary) -> Vec<String> {
    let mut domains: Vec<String> = summary
        .policies
        .iter()
        .filter_map(|p| p.policy_domain.as_deref())
        .map(normalize_policy_domain)
        .filter(|d| !d.is_empty())
        .collect();
    domains.sort();
    domains.dedup();
    domains
}

/// One `report_policies` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    /// The policy domain.
    pub policy_domain: String,
    /// `sts`, `tlsa`, `no-policy-found` or what the report said.
    pub policy_type: String,
    /// Successful sessions.
    pub successful: u64,
    /// Failed sessions.
    pub failed: u64,
}

/// One `report_failures` row: failed sessions by domain, result type and MX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRow {
    /// The policy domain.
    pub policy_domain: String,
    /// The result type (RFC 8460 §4.3), `unknown` when absent.
    pub result_type: String,
    /// The receiving MX host name (`''` when absent).
    pub mx: String,
    /// Failed sessions.
    pub sessions: u64,
}

/// The rows of a report: one per policy, and failures summed per (domain, result type, MX).
pub fn rows(summary: &ReportSummary) -> (Vec<PolicyRow>, Vec<FailureRow>) {
    let mut policies = Vec::new();
    let mut failures: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for policy in &summary.policies {
        let domain = policy
            .policy_domain
            .as_deref()
            .map(normalize_policy_domain)
            .unwrap_or_default();
        policies.push(PolicyRow {
            policy_domain: domain.clone(),
            policy_type: policy
                .policy_type
                .as_ref()
                .map_or_else(|| "unknown".to_string(), |t| t.as_str().to_string()),
            successful: policy.successful,
            failed: policy.failed,
        });
        for failure in &policy.failures {
            let result_type = failure
                .result_type
                .as_ref()
                .map_or_else(|| "unknown".to_string(), |t| t.as_str().to_string());
            let mut mx = failure
                .receiving_mx_hostname
                .as_deref()
                .map(normalize_policy_domain)
                .unwrap_or_default();
            if failures.len() >= MAX_FAILURE_ROWS
                && !failures.contains_key(&(domain.clone(), result_type.clone(), mx.clone()))
            {
                mx = String::new();
            }
            let entry = failures
                .entry((domain.clone(), result_type, mx))
                .or_insert(0);
            *entry = entry.saturating_add(failure.failed_sessions);
        }
    }
    let failures = failures
        .into_iter()
        .map(|((policy_domain, result_type, mx), sessions)| FailureRow {
            policy_domain,
            result_type,
            mx,
            sessions,
        })
        .collect();
    (policies, failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_and_rows_of_a_corpus_report() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/tlsrpt-reports/google-test.xmox.nl-2022-09-15.json"
        ))
        .unwrap();
        let lint = mtasts::lint_report(&bytes);
        let summary = lint.value.unwrap();
        let identity = ReportIdentity::of(&summary);
        assert_eq!(identity.policy_domains, "test.xmox.nl");
        assert!(!identity.report_id.is_empty());
        assert!(identity.key().starts_with('['));
        let (policies, _failures) = rows(&summary);
        assert_eq!(policies.len(), summary.policies.len());
    }

    #[test]
    fn domains_normalized() {
        for (input, want) in [("Example.COM.", "example.com"), (" a.b ", "a.b"), ("", "")] {
            assert_eq!(normalize_policy_domain(input), want);
        }
    }
}
