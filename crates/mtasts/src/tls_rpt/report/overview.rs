//! Many reports at once: totals per UTC day, failures per result type, per MX host and per
//! reporting organization, for a domain's report history (the Worker's report view and the web
//! page's charts).
//!
//! Sessions are added up as the reports state them. A report with both an `sts` and a `tlsa`
//! policy counts the same sessions under each (RFC 8460 §4.4 reports per policy), so totals can
//! count such sessions twice, as every reader of these reports does.

use super::ReportSummary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a set of reports says, added up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportsOverview {
    /// Reports read.
    pub reports: u64,
    /// Successful sessions, over all reports.
    pub successful: u64,
    /// Failed sessions, over all reports.
    pub failed: u64,
    /// Per UTC day of each report's `start-datetime`, oldest first.
    pub days: Vec<DayTotals>,
    /// Reports whose start could not be read as a date-time (counted in the totals only).
    pub undated_reports: u64,
    /// Failed sessions per result type, from the failure details.
    pub result_types: BTreeMap<String, u64>,
    /// Failed sessions per receiving MX host, most failures first.
    pub mx_hosts: Vec<MxFailures>,
    /// Per reporting organization (`organization-name`), by name.
    pub organizations: Vec<OrganizationTotals>,
}

/// The reports of one UTC day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotals {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Reports starting that day.
    pub reports: u64,
    /// Successful sessions.
    pub successful: u64,
    /// Failed sessions.
    pub failed: u64,
    /// Failed sessions per result type.
    pub result_types: BTreeMap<String, u64>,
}

/// The failures at one receiving MX host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxFailures {
    /// `receiving-mx-hostname` in lower case without a final dot; `None` for failures that
    /// name no host (a policy fetch error has none).
    pub mx: Option<String>,
    /// Failed sessions.
    pub failed: u64,
    /// Failed sessions per result type.
    pub result_types: BTreeMap<String, u64>,
}

/// The reports of one sending organization.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationTotals {
    /// `organization-name`, `None` when the reports did not say.
    pub organization: Option<String>,
    /// Reports sent.
    pub reports: u64,
    /// Successful sessions.
    pub successful: u64,
    /// Failed sessions.
    pub failed: u64,
}

/// Adds up `reports`. Sums saturate; nothing here fails.
pub fn summarize_reports(reports: &[ReportSummary]) -> ReportsOverview {
    let mut overview = ReportsOverview::default();
    let mut days: BTreeMap<String, DayTotals> = BTreeMap::new();
    let mut mx_hosts: BTreeMap<Option<String>, MxFailures> = BTreeMap::new();
    let mut organizations: BTreeMap<Option<String>, OrganizationTotals> = BTreeMap::new();
    for report in reports {
        overview.reports = overview.reports.saturating_add(1);
        overview.successful = overview.successful.saturating_add(report.successful);
        overview.failed = overview.failed.saturating_add(report.failed);
        add_all(&mut overview.result_types, &report.result_types);

        match report
            .date_range
            .as_ref()
            .and_then(|range| range.start_day())
        {
            Some(day) => {
                let totals = days.entry(day.clone()).or_insert_with(|| DayTotals {
                    day,
                    ..DayTotals::default()
                });
                totals.reports = totals.reports.saturating_add(1);
                totals.successful = totals.successful.saturating_add(report.successful);
                totals.failed = totals.failed.saturating_add(report.failed);
                add_all(&mut totals.result_types, &report.result_types);
            }
            None => overview.undated_reports = overview.undated_reports.saturating_add(1),
        }

        let organization = organizations
            .entry(report.organization.clone())
            .or_insert_with(|| OrganizationTotals {
                organization: report.organization.clone(),
                ..OrganizationTotals::default()
            });
        organization.reports = organization.reports.saturating_add(1);
        organization.successful = organization.successful.saturating_add(report.successful);
        organization.failed = organization.failed.saturating_add(report.failed);

        for failure in report.policies.iter().flat_map(|p| &p.failures) {
            let mx = failure.receiving_mx_hostname.as_deref().map(normalize_host);
            let entry = mx_hosts.entry(mx.clone()).or_insert_with(|| MxFailures {
                mx,
                ..MxFailures::default()
            });
            entry.failed = entry.failed.saturating_add(failure.failed_sessions);
            if let Some(result_type) = &failure.result_type {
                add(
                    &mut entry.result_types,
                    result_type.as_str(),
                    failure.failed_sessions,
                );
            }
        }
    }
    overview.days = days.into_values().collect();
    let mut mx_hosts: Vec<MxFailures> = mx_hosts.into_values().collect();
    // Most failures first; equal counts by name, for a stable order.
    mx_hosts.sort_by(|a, b| b.failed.cmp(&a.failed).then_with(|| a.mx.cmp(&b.mx)));
    overview.mx_hosts = mx_hosts;
    overview.organizations = organizations.into_values().collect();
    overview
}

impl ReportSummary {
    /// This report as far as it speaks of `policy_domain` (RFC 8460 §4.4 `policy-domain`,
    /// compared without case and without the final dot): only those policies, with the totals
    /// and the failures per result type added up again from them. `None` when no policy names
    /// that domain. A view of one domain's reports hands these to [`summarize_reports`].
    pub fn for_policy_domain(&self, policy_domain: &str) -> Option<ReportSummary> {
        let wanted = normalize_host(policy_domain);
        let mut summary = ReportSummary {
            organization: self.organization.clone(),
            report_id: self.report_id.clone(),
            date_range: self.date_range.clone(),
            contact_info: self.contact_info.clone(),
            ..ReportSummary::default()
        };
        for policy in &self.policies {
            if policy
                .policy_domain
                .as_deref()
                .is_some_and(|d| normalize_host(d) == wanted)
            {
                summary.push_policy(policy.clone());
            }
        }
        (!summary.policies.is_empty()).then_some(summary)
    }
}

fn add(totals: &mut BTreeMap<String, u64>, key: &str, sessions: u64) {
    match totals.get_mut(key) {
        Some(total) => *total = total.saturating_add(sessions),
        None => {
            totals.insert(key.to_string(), sessions);
        }
    }
}

fn add_all(totals: &mut BTreeMap<String, u64>, more: &BTreeMap<String, u64>) {
    for (key, sessions) in more {
        add(totals, key, *sessions);
    }
}

/// Host names compare without case and without the final dot (RFC 4343, RFC 1034 §3.1).
fn normalize_host(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::super::{DateRange, FailureSummary, PolicySummary, ResultType};
    use super::*;

    fn report(org: &str, start: &str, ok: u64, failures: &[(&str, &str, u64)]) -> ReportSummary {
        let failures: Vec<FailureSummary> = failures
            .iter()
            .map(|(result, mx, n)| FailureSummary {
                result_type: Some(ResultType::from_name(result)),
                receiving_mx_hostname: (!mx.is_empty()).then(|| mx.to_string()),
                failed_sessions: *n,
                ..FailureSummary::default()
            })
            .collect();
        let failed = failures.iter().map(|f| f.failed_sessions).sum();
        let mut result_types = BTreeMap::new();
        for f in &failures {
            if let Some(r) = &f.result_type {
                *result_types.entry(r.to_string()).or_insert(0) += f.failed_sessions;
            }
        }
        ReportSummary {
            successful: ok,
            failed,
            result_types,
            policies: vec![PolicySummary {
                successful: ok,
                failed,
                failures,
                ..PolicySummary::default()
            }],
            organization: Some(org.to_string()),
            date_range: Some(DateRange {
                start_datetime: Some(start.to_string()),
                end_datetime: None,
            }),
            ..ReportSummary::default()
        }
    }

    #[test]
    fn adds_up_by_day_type_mx_and_organization() {
        let reports = vec![
            report(
                "Google Inc.",
                "2024-01-02T00:00:00Z",
                10,
                &[("validation-failure", "MX1.example.", 2)],
            ),
            report(
                "Microsoft Corporation",
                "2024-01-01T00:00:00",
                5,
                &[("sts-policy-fetch-error", "", 3)],
            ),
            report(
                "Google Inc.",
                "2024-01-01T20:00:00-05:00",
                1,
                &[
                    ("validation-failure", "mx1.example", 1),
                    ("certificate-expired", "mx2.example", 1),
                ],
            ),
            report("Google Inc.", "not a date", 7, &[]),
        ];
        let overview = summarize_reports(&reports);
        assert_eq!(
            (overview.reports, overview.successful, overview.failed),
            (4, 23, 7)
        );
        assert_eq!(overview.undated_reports, 1);
        let days: Vec<(&str, u64, u64, u64)> = overview
            .days
            .iter()
            .map(|d| (d.day.as_str(), d.reports, d.successful, d.failed))
            .collect();
        assert_eq!(
            days,
            vec![("2024-01-01", 1, 5, 3), ("2024-01-02", 2, 11, 4)]
        );
        assert_eq!(
            overview.days[1].result_types.get("validation-failure"),
            Some(&3)
        );
        let types: Vec<(&str, u64)> = overview
            .result_types
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(
            types,
            vec![
                ("certificate-expired", 1),
                ("sts-policy-fetch-error", 3),
                ("validation-failure", 3)
            ]
        );
        let mx: Vec<(Option<&str>, u64)> = overview
            .mx_hosts
            .iter()
            .map(|m| (m.mx.as_deref(), m.failed))
            .collect();
        assert_eq!(
            mx,
            vec![
                (None, 3),
                (Some("mx1.example"), 3),
                (Some("mx2.example"), 1)
            ]
        );
        let orgs: Vec<(Option<&str>, u64, u64)> = overview
            .organizations
            .iter()
            .map(|o| (o.organization.as_deref(), o.reports, o.successful))
            .collect();
        assert_eq!(
            orgs,
            vec![
                (Some("Google Inc."), 3, 18),
                (Some("Microsoft Corporation"), 1, 5)
            ]
        );
    }

    #[test]
    fn one_policy_domain_of_a_report() {
        let policy = |domain: &str, ok: u64, failures: &[(&str, u64)]| PolicySummary {
            policy_domain: Some(domain.to_string()),
            successful: ok,
            failed: failures.iter().map(|f| f.1).sum(),
            failures: failures
                .iter()
                .map(|(result, n)| FailureSummary {
                    result_type: Some(ResultType::from_name(result)),
                    failed_sessions: *n,
                    ..FailureSummary::default()
                })
                .collect(),
            ..PolicySummary::default()
        };
        let mut both = report("Org", "2024-01-01T00:00:00Z", 0, &[]);
        both.policies = vec![
            policy("a.example", 5, &[("validation-failure", 2)]),
            policy(
                "B.example.",
                7,
                &[("dane-required", 1), ("tlsa-invalid", 3)],
            ),
            policy("a.example", 1, &[("validation-failure", 1)]),
        ];
        // (domain asked for, policies kept, successful, failed, result types)
        for (domain, policies, successful, failed, types) in [
            ("a.example", 2, 6, 3, vec![("validation-failure", 3)]),
            (
                "b.example",
                1,
                7,
                4,
                vec![("dane-required", 1), ("tlsa-invalid", 3)],
            ),
            ("A.EXAMPLE.", 2, 6, 3, vec![("validation-failure", 3)]),
        ] {
            let one = both.for_policy_domain(domain).unwrap();
            let got: Vec<(&str, u64)> = one
                .result_types
                .iter()
                .map(|(k, v)| (k.as_str(), *v))
                .collect();
            assert_eq!(
                (one.policies.len(), one.successful, one.failed, got),
                (policies, successful, failed, types),
                "{domain}"
            );
            assert_eq!(
                (one.organization.as_deref(), one.date_range.as_ref()),
                (Some("Org"), both.date_range.as_ref())
            );
        }
        assert_eq!(both.for_policy_domain("c.example"), None);
    }

    #[test]
    fn nothing_and_overflow() {
        assert_eq!(summarize_reports(&[]), ReportsOverview::default());
        let big = report(
            "o",
            "2024-01-01T00:00:00Z",
            u64::MAX,
            &[("validation-failure", "mx", u64::MAX)],
        );
        let overview = summarize_reports(&[big.clone(), big]);
        assert_eq!((overview.successful, overview.failed), (u64::MAX, u64::MAX));
        assert_eq!(overview.mx_hosts[0].failed, u64::MAX);
    }
}
