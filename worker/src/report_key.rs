//! What a stored report is known by: its digest (the SHA-256 of its decoded JSON: a repeat is the
//! byte-identical report), its identity (RFC 8460 §4.4: `organization-name`, `report-id` and
//! `date-range`; two different reports with one identity are a conflict, shown to the owner), and
//! the policy domains it is filed under.

use mtasts::ReportSummary;

/// The identity of a report: the reports view marks two stored reports with the same identity and
/// different digests as a conflict (one of them may be a forgery sent first).
pub fn identity(summary: &ReportSummary) -> String {
    let range = summary.date_range.as_ref();
    serde_json::json!([
        summary.organization.as_deref().unwrap_or_default(),
        summary.report_id.as_deref().unwrap_or_default(),
        range
            .and_then(|r| r.start_datetime.as_deref())
            .unwrap_or_default(),
        range
            .and_then(|r| r.end_datetime.as_deref())
            .unwrap_or_default(),
    ])
    .to_string()
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
        let id: Vec<String> = serde_json::from_str(&identity(&summary)).unwrap();
        assert_eq!(id.len(), 4);
        assert_eq!(id[0], "Google Inc.");
        assert!(!id[1].is_empty());
        assert_eq!(policy_domains(&summary), vec!["test.xmox.nl".to_string()]);
    }

    #[test]
    fn domains_normalized() {
        for (input, want) in [("Example.COM.", "example.com"), (" a.b ", "a.b"), ("", "")] {
            assert_eq!(normalize_policy_domain(input), want);
        }
    }
}
