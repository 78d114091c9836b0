//! TLS-RPT aggregate reports (RFC 8460 §4). STUB: helper C replaces this file.

use crate::finding::LintResult;
use serde::{Deserialize, Serialize};

/// Size bounds for reading a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLimits {
    /// Largest input accepted, compressed or not.
    pub max_input: usize,
    /// Largest JSON document accepted after decompression.
    pub max_decompressed: usize,
}

impl Default for ReportLimits {
    fn default() -> Self {
        ReportLimits {
            max_input: 16 << 20,
            max_decompressed: 32 << 20,
        }
    }
}

/// What a report says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSummary {
    /// Total successful sessions.
    pub successful: u64,
    /// Total failed sessions.
    pub failed: u64,
}

/// Lints a report with the default limits.
pub fn lint_report(bytes: &[u8]) -> LintResult<ReportSummary> {
    lint_report_with_limits(bytes, ReportLimits::default())
}

/// Lints a report.
pub fn lint_report_with_limits(bytes: &[u8], limits: ReportLimits) -> LintResult<ReportSummary> {
    let _ = (bytes, limits);
    LintResult::new(vec![], None)
}
