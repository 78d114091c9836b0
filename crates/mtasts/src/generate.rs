//! The generator: records and policy file to publish. STUB: helper A replaces this file.

use crate::mta_sts::policy::Mode;
use serde::{Deserialize, Serialize};

/// What to generate for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateOptions {
    /// The mail domain.
    pub domain: String,
    /// Its MX hosts (or patterns).
    pub mx: Vec<String>,
    /// The policy mode.
    pub mode: Mode,
    /// `max_age` in seconds.
    pub max_age: u64,
    /// TLS-RPT `rua` URIs.
    pub rua: Vec<String>,
    /// The policy `id`: the caller makes it fresh (see [`policy_id_from_unix`]).
    pub id: String,
}

/// What to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    /// The policy file body, CRLF line endings.
    pub policy: String,
}

/// Why nothing could be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GenerateError {
    /// The domain is not a host name.
    Domain(String),
}

/// Generates the records and the policy file.
pub fn generate(options: &GenerateOptions) -> Result<Generated, GenerateError> {
    let _ = options;
    Err(GenerateError::Domain(String::new()))
}

/// A fresh policy `id` from a time: `YYYYMMDDThhmmssZ`.
pub fn policy_id_from_unix(secs: u64) -> String {
    secs.to_string()
}
