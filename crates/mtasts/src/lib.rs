//! # mtasts
//!
//! Parsers and validators for the objects of SMTP transport security: MTA-STS records and policy
//! files (RFC 8461), TLS-RPT records and aggregate reports (RFC 8460), DANE TLSA records
//! (RFC 6698, RFC 7672), and the certificate chains SMTP servers present ([`cert`]). Every
//! problem is reported as a [`Finding`] with a stable code from the rule catalogue, inside a
//! [`LintResult`] that also carries the parsed value.
//!
//! What this crate does **not** do: any I/O (no DNS, no HTTP, no files), any async runtime, or
//! reading a clock. Callers pass bytes in and, where time matters, the time. That keeps it the
//! same natively and on `wasm32-unknown-unknown`. Nor does it verify certificate signatures or
//! paths to a public root: adapters do that and pass the verdict in.
//!
//! ```
//! let result = mtasts::lint_policy(b"version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n");
//! assert!(result.valid);
//! assert!(mtasts::mx::matches("*.example.com", "mx1.example.com."));
//! ```

pub mod cert;
pub mod check;
pub mod dane;
pub mod date;
pub mod digest;
pub mod dns;
pub mod domain_name;
pub mod finding;
pub mod generate;
pub mod hex;
pub mod media_type;
pub mod mta_sts;
pub mod mx;
pub mod name;
pub mod special_address;
pub mod text;
pub mod tls_rpt;
mod txt_fields;
mod x509;

pub use cert::{lint_cert_chain, CertChainReport, CertCheck, PkixVerdict};
pub use dane::tlsa::{lint_tlsa, Tlsa};
pub use domain_name::{DomainName, InputError, PublicNameError};
pub use finding::{Code, Finding, LintResult, Severity};
pub use generate::{
    generate, policy_id_from_unix, suggest, GenerateError, GenerateOptions, Generated, Suggestion,
    SuggestionKind, TxtRecord, DEFAULT_MAX_AGE,
};
pub use mta_sts::policy::{lint_policy, Mode, MtaStsPolicy};
pub use mta_sts::record::{lint_sts_record, lint_sts_rrset, StsRecord};
pub use tls_rpt::record::{lint_tlsrpt_record, lint_tlsrpt_rrset, TlsRptRecord};
pub use tls_rpt::report::{
    decode_report, lint_report, lint_report_with_limits, report_form, report_mail_headers,
    summarize_reports, ReportError, ReportForm, ReportLimits, ReportMailHeaders, ReportSummary,
    ReportsOverview,
};
