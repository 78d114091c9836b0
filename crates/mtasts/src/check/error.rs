//! Why the check could not run, as opposed to what it found (findings are data, not errors).

use super::io::TransportError;
use crate::dns::DnsError;
use crate::domain_name::InputError;
use std::fmt;

/// Why the check could not run (as opposed to what it found).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckError {
    /// The input is not a mail domain.
    Input(InputError),
    /// The DNS resolver could not be used.
    Resolver(TransportError),
    /// The resolver's answer could not be read.
    Dns(DnsError),
    /// The policy fetch was refused on the checker's side before it started (e.g. a proxy's
    /// rate limit or rules): nothing can be said of the domain's policy host.
    PolicyFetchRefused(String),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Input(e) => e.fmt(f),
            CheckError::Resolver(e) => e.fmt(f),
            CheckError::Dns(e) => e.fmt(f),
            CheckError::PolicyFetchRefused(why) => {
                write!(f, "the policy could not be fetched from here: {why}")
            }
        }
    }
}

impl std::error::Error for CheckError {}

impl From<InputError> for CheckError {
    fn from(e: InputError) -> Self {
        CheckError::Input(e)
    }
}
