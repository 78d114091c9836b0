//! TLSA records in presentation format (RFC 6698 §2.2). STUB: helper B replaces this file.

use crate::finding::LintResult;
use serde::{Deserialize, Serialize};

/// A parsed TLSA record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tlsa {
    /// Certificate usage.
    pub usage: u8,
    /// Selector.
    pub selector: u8,
    /// Matching type.
    pub matching_type: u8,
    /// Certificate association data, lower-case hex.
    pub data: String,
    /// Whether SMTP DANE can use this record (RFC 7672 §3.1.3).
    pub usable_for_smtp_dane: bool,
}

/// Lints one TLSA RDATA string such as `3 1 1 <hex>`.
pub fn lint_tlsa(rdata: &str) -> LintResult<Tlsa> {
    let _ = rdata;
    LintResult::new(vec![], None)
}
