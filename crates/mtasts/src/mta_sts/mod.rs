//! MTA-STS (RFC 8461): the `_mta-sts` TXT record and the policy file.

pub mod policy;
pub mod record;
