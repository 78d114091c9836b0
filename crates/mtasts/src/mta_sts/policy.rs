//! The MTA-STS policy file (RFC 8461 §3.2). STUB: helper A replaces this file.

use crate::finding::LintResult;
use serde::{Deserialize, Serialize};

/// The policy mode (RFC 8461 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Senders refuse to deliver without a validated TLS connection.
    Enforce,
    /// Senders report failures but deliver anyway.
    Testing,
    /// The domain opts out.
    None,
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MtaStsPolicy {
    /// `version`, `STSv1`.
    pub version: String,
    /// `mode`.
    pub mode: Mode,
    /// `max_age` in seconds.
    pub max_age: u64,
    /// `mx` patterns in order.
    pub mx: Vec<String>,
    /// Fields STSv1 does not define, kept in order.
    pub extensions: Vec<(String, String)>,
}

/// Lints a policy body.
pub fn lint_policy(body: &[u8]) -> LintResult<MtaStsPolicy> {
    let _ = body;
    LintResult::new(vec![], None)
}
