//! SMTP TLS Reporting (RFC 8460): the `_smtp._tls` TXT record and aggregate reports.

#[cfg(feature = "dkim")]
pub mod dkim;
pub mod record;
pub mod report;
