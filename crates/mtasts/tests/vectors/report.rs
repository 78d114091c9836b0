//! `tlsrpt-report-summary.jsonl`: every file of `tests/data/tlsrpt-reports/` against the totals,
//! result types, policy types and strict verdict the corpus gives.
//!
//! The vector's `expected_valid` means "strictly conformant to RFC 8460 §4", where our
//! `valid` only means "could be read". Strict here is: readable, and no finding of severity
//! warning or error other than `report.counts-mismatch` (a total that disagrees with its details
//! breaks no rule of the RFC; the corpus calls it soft). See DEVIATIONS.md, "Decisions".

use mtasts::{lint_report, Code, Severity};
use serde_json::Value;
use std::collections::BTreeSet;

/// Findings that do not make a report strictly non-conformant.
const SOFT: &[Code] = &[Code::ReportCountsMismatch];

#[test]
fn tlsrpt_report_summary() {
    crate::run("tlsrpt-report-summary.jsonl", |v| {
        let file = v.input.as_str().ok_or("input is not a path")?;
        let bytes =
            std::fs::read(crate::data_dir().join(file)).map_err(|e| format!("{file}: {e}"))?;
        let result = lint_report(&bytes);
        let strict = result.valid
            && !result
                .findings
                .iter()
                .any(|f| f.severity >= Severity::Warning && !SOFT.contains(&f.code));
        crate::verdict(v, strict, &result.codes())?;
        let summary = result.value.ok_or("no summary")?;
        let e = &v.expected;
        let mut problems = Vec::new();
        if summary.organization.as_deref() != e["organization"].as_str() {
            problems.push(format!("organization {:?}", summary.organization));
        }
        if Some(summary.successful) != e["total_successful_sessions"].as_u64() {
            problems.push(format!("successful {}", summary.successful));
        }
        if Some(summary.failed) != e["total_failed_sessions"].as_u64() {
            problems.push(format!("failed {}", summary.failed));
        }
        let result_types: BTreeSet<&str> =
            summary.result_types.keys().map(String::as_str).collect();
        if result_types != names(&e["result_types"]) {
            problems.push(format!("result types {result_types:?}"));
        }
        let policy_types: BTreeSet<&str> = summary
            .policies
            .iter()
            .filter_map(|p| p.policy_type.as_ref().map(|t| t.as_str()))
            .collect();
        if policy_types != names(&e["policy_types"]) {
            problems.push(format!("policy types {policy_types:?}"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("we read {}; expected {e}", problems.join(", ")))
        }
    });
}

fn names(list: &Value) -> BTreeSet<&str> {
    list.as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}
