//! The `_smtp._tls` TXT record (RFC 8460 §3). STUB: helper B replaces this file.

use crate::finding::LintResult;
use serde::{Deserialize, Serialize};

/// A parsed TLS-RPT record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsRptRecord {
    /// `v`, `TLSRPTv1`.
    pub version: String,
    /// `rua` URIs in order.
    pub rua: Vec<String>,
    /// Extension fields in order.
    pub extensions: Vec<(String, String)>,
}

/// Lints one TXT record given as one string.
pub fn lint_tlsrpt_record(text: &str) -> LintResult<TlsRptRecord> {
    lint_tlsrpt_rrset(&[vec![text.to_string()]])
}

/// Lints the whole RRset: one entry per TXT record, each a list of character-strings.
pub fn lint_tlsrpt_rrset(records: &[Vec<String>]) -> LintResult<TlsRptRecord> {
    let _ = records;
    LintResult::new(vec![], None)
}
