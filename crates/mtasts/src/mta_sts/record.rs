//! The `_mta-sts` TXT record (RFC 8461 §3.1). STUB: helper B replaces this file.

use crate::finding::LintResult;
use serde::{Deserialize, Serialize};

/// A parsed `_mta-sts` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StsRecord {
    /// `v`, `STSv1`.
    pub version: String,
    /// `id`.
    pub id: String,
    /// Extension fields in order.
    pub extensions: Vec<(String, String)>,
}

/// Lints one TXT record given as one string.
pub fn lint_sts_record(text: &str) -> LintResult<StsRecord> {
    lint_sts_rrset(&[vec![text.to_string()]])
}

/// Lints the whole RRset: one entry per TXT record, each a list of character-strings.
pub fn lint_sts_rrset(records: &[Vec<String>]) -> LintResult<StsRecord> {
    let _ = records;
    LintResult::new(vec![], None)
}
