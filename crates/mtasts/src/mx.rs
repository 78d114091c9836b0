//! MX host patterns (RFC 8461 §3.2, §4.1): syntax and matching.

/// Whether `pattern` (an `mx` value of a policy) covers `host` (an MX host name).
pub fn matches(pattern: &str, host: &str) -> bool {
    let _ = (pattern, host);
    false // STUB: helper A
}
