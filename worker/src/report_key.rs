//! What identifies a report (RFC 8460 §4.4 `report-id` within its organization), and the policy
//! domains it is filed under in D1.

use mtasts::ReportSummary;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_of_a_corpus_report() {
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
        assert_eq!(policy_domains(&summary), vec!["test.xmox.nl".to_string()]);
    }

    #[test]
    fn domains_normalized() {
        for (input, want) in [("Example.COM.", "example.com"), (" a.b ", "a.b"), ("", "")] {
            assert_eq!(normalize_policy_domain(input), want);
        }
    }
}
