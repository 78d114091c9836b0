//! TLS-RPT aggregate reports (RFC 8460 §4): read leniently, validated strictly.
//!
//! [`lint_report`] takes the bytes as received: the JSON itself, gzip (RFC 8460 §5.2, one or more
//! members) or a whole report e-mail (RFC 8460 §5.3, `multipart/report` with an
//! `application/tlsrpt+gzip` or `+json` part), told apart by their bytes. It answers a
//! [`LintResult`] whose value is a [`ReportSummary`]: totals, failures per result type, each
//! policy and each failure, whatever the report got wrong. What it got wrong comes as findings
//! (`report.field-missing`, `report.field-type`, `report.datetime`, `report.counts-mismatch`,
//! `report.result-type-unknown`, `report.policy-type-unknown`), each naming the JSON path, such
//! as `policies[0].summary.total-failure-session-count`. Only a report that cannot be read at all
//! (`report.too-large`, `report.gzip`, `report.json`) is not valid.
//!
//! Reading is bounded: input over [`ReportLimits::max_input`] is refused before any work;
//! decompression stops one byte past [`ReportLimits::max_decompressed`] (a 1 GiB gzip bomb costs
//! about 50 MB at the default limits, see `tests/report_bomb.rs`); the parsed report may take a
//! bounded multiple of its JSON's size (at most 96 MiB at the default limits), so a document of
//! millions of `{}` is refused too; nesting below the report's own schema is skipped without
//! recursion. Nothing panics, and nothing reads a clock or does I/O.
//!
//! [`summarize_reports`] folds many summaries into a [`ReportsOverview`]: totals per UTC day,
//! failures per result type, per MX host and per reporting organization.

mod decode;
mod mime;
mod overview;
mod read;
mod summary;
mod validate;

pub use decode::{report_form, ReportForm};
pub use overview::{summarize_reports, DayTotals, MxFailures, OrganizationTotals, ReportsOverview};
pub use summary::{
    DateRange, FailureSummary, PolicySummary, PolicyType, ReportSummary, ResultType,
};

use crate::finding::{Code, Finding, LintResult};
use std::borrow::Cow;
use std::fmt;

/// Size bounds for reading a report. Peak memory is about 1.5 × `max_decompressed` while
/// decompressing, and at most about 4 × `max_decompressed` (the JSON and the parsed report)
/// while reading: a platform with little memory passes smaller limits (a Worker with 128 MB
/// might pass 4 MiB and 8 MiB; RFC 8460 §5.2 mentions 10 MB as a common receiver limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLimits {
    /// Largest input accepted, compressed or not, in bytes (default 16 MiB).
    pub max_input: usize,
    /// Largest JSON document accepted after decompression, in bytes (default 32 MiB).
    pub max_decompressed: usize,
}

impl Default for ReportLimits {
    fn default() -> Self {
        ReportLimits {
            max_input: 16 << 20,
            max_decompressed: 32 << 20,
        }
    }
}

/// Why a report could not be read at all. Each maps to one finding code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportError {
    /// The input is larger than [`ReportLimits::max_input`].
    InputTooLarge {
        /// Bytes received.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The JSON text is, or inflates to, more than [`ReportLimits::max_decompressed`] bytes.
    DecompressedTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The parsed report would take more memory than its size allows (many tiny elements).
    TooManyElements,
    /// The input starts like gzip and is not valid gzip.
    Gzip(String),
    /// The report part of an e-mail is a zip archive that cannot be read (why).
    Zip(String),
    /// An e-mail whose report part comes after more than `limit` MIME entities.
    TooManyParts {
        /// The limit.
        limit: usize,
    },
    /// An e-mail without an `application/tlsrpt+gzip` or `+json` part.
    NoReportPart,
    /// Neither JSON, gzip nor an e-mail (what it starts with).
    NotJson(String),
    /// Not valid JSON (the parser's message, with line and column).
    JsonSyntax(String),
    /// Valid JSON, but not an object (what it is instead).
    NotAnObject(String),
    /// An object without a `policies` array (what stands there instead).
    NoPolicies(String),
}

impl ReportError {
    /// The finding code for this error.
    pub fn code(&self) -> Code {
        match self {
            ReportError::InputTooLarge { .. }
            | ReportError::DecompressedTooLarge { .. }
            | ReportError::TooManyElements
            | ReportError::TooManyParts { .. } => Code::ReportTooLarge,
            ReportError::Gzip(_) | ReportError::Zip(_) => Code::ReportGzip,
            ReportError::NoReportPart
            | ReportError::NotJson(_)
            | ReportError::JsonSyntax(_)
            | ReportError::NotAnObject(_)
            | ReportError::NoPolicies(_) => Code::ReportJson,
        }
    }

    /// The error as a finding.
    pub fn finding(&self) -> Finding {
        Finding::new(self.code(), self.to_string())
    }
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::InputTooLarge { size, limit } => {
                write!(f, "the report is {size} bytes, over the limit of {limit} bytes")
            }
            ReportError::DecompressedTooLarge { limit } => write!(
                f,
                "the report's JSON is over the limit of {limit} bytes once decompressed"
            ),
            ReportError::TooManyElements => f.write_str(
                "the report holds so many tiny elements that reading them would take more memory than its size allows",
            ),
            ReportError::Gzip(why) => write!(f, "the report starts like gzip but is not valid gzip: {why}"),
            ReportError::Zip(why) => write!(f, "the report is a zip archive that cannot be read: {why}"),
            ReportError::TooManyParts { limit } => write!(
                f,
                "the e-mail holds more than {limit} MIME parts before its report part; it is not read"
            ),
            ReportError::NoReportPart => f.write_str(
                "the e-mail has no application/tlsrpt+gzip or application/tlsrpt+json part (RFC 8460 §5.3)",
            ),
            ReportError::NotJson(start) => {
                write!(f, "the report is neither JSON, gzip nor a report e-mail: {start}")
            }
            ReportError::JsonSyntax(why) => write!(f, "the report is not valid JSON: {why}"),
            ReportError::NotAnObject(what) => {
                write!(f, "the report is {what}, not a JSON object")
            }
            ReportError::NoPolicies(what) => {
                write!(f, "the report has {what} where a \"policies\" array is required")
            }
        }
    }
}

impl std::error::Error for ReportError {}

/// Lints a report with the default limits.
pub fn lint_report(bytes: &[u8]) -> LintResult<ReportSummary> {
    lint_report_with_limits(bytes, ReportLimits::default())
}

/// Lints a report: JSON, gzip or a report e-mail, detected from the bytes.
pub fn lint_report_with_limits(bytes: &[u8], limits: ReportLimits) -> LintResult<ReportSummary> {
    match read_report(bytes, limits) {
        Ok((summary, findings)) => LintResult::new(findings, Some(summary)),
        Err(error) => LintResult::new(vec![error.finding()], None),
    }
}

/// The report's JSON text from the bytes received: decompressed and taken out of an e-mail as
/// needed, within `limits`. For callers that store reports.
pub fn decode_report(bytes: &[u8], limits: ReportLimits) -> Result<Cow<'_, [u8]>, ReportError> {
    decode::decode(bytes, limits)
}

/// The header fields of a report e-mail that say what it is and who sent it (RFC 8460 §5.3),
/// as written (unfolded, trimmed), `None` when absent. Nothing here is authenticated: DKIM
/// (`tls_rpt::dkim`, feature `dkim`) tells whether the submitter signed the message.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReportMailHeaders {
    /// `From`.
    pub from: Option<String>,
    /// `TLS-Report-Domain`: the policy domain the report is about.
    pub report_domain: Option<String>,
    /// `TLS-Report-Submitter`: the domain of the sender, which its DKIM signature must match.
    pub report_submitter: Option<String>,
    /// `Subject`.
    pub subject: Option<String>,
    /// `Message-ID`.
    pub message_id: Option<String>,
    /// How many `DKIM-Signature` fields it carries.
    pub dkim_signatures: usize,
}

/// The header fields of the report e-mail `message` that say what it is (its first occurrence
/// of each); the body is not read.
pub fn report_mail_headers(message: &[u8]) -> ReportMailHeaders {
    let headers = mime::top_headers(message);
    let first = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    ReportMailHeaders {
        from: first("from"),
        report_domain: first("tls-report-domain"),
        report_submitter: first("tls-report-submitter"),
        subject: first("subject"),
        message_id: first("message-id"),
        dkim_signatures: headers
            .iter()
            .filter(|(n, _)| n == "dkim-signature")
            .count(),
    }
}

/// The `DKIM-Signature` header fields of `message`, unfolded, in order.
#[cfg(feature = "dkim")]
pub(crate) fn dkim_signature_fields(message: &[u8]) -> Vec<String> {
    mime::top_headers(message)
        .into_iter()
        .filter(|(n, _)| n == "dkim-signature")
        .map(|(_, v)| v)
        .collect()
}

/// A small report may take this many bytes of memory per byte of JSON once read. Real reports
/// take 2 to 3 (up to twice that while a list has spare capacity); the densest real-looking one
/// (nothing but minimal failure details) about 4; a crafted document of tiny elements
/// (`[{},{},…]`) would take a hundred and is refused at this bound.
const MEMORY_PER_JSON_BYTE: usize = 12;

/// The memory a report of `json_len` bytes may take once read: 12 bytes per byte for small
/// reports, but no more than twice `max_decompressed` or 3 bytes per byte, whichever is more.
/// A 10 MB real report reads within the default limits; no document can make the parsed report
/// take more than 3 × `max_decompressed` (96 MiB at the defaults).
fn memory_budget(json_len: usize, limits: ReportLimits) -> usize {
    let small = json_len.saturating_mul(MEMORY_PER_JSON_BYTE);
    let large = json_len
        .saturating_mul(3)
        .max(limits.max_decompressed.saturating_mul(2));
    small.min(large).saturating_add(64 << 10)
}

fn read_report(
    bytes: &[u8],
    limits: ReportLimits,
) -> Result<(ReportSummary, Vec<Finding>), ReportError> {
    let json = decode::decode(bytes, limits)?;
    let budget = read::Budget::new(memory_budget(json.len(), limits));
    let raw = match read::read(&json, &budget) {
        Ok(read::Slot::Found(raw)) => raw,
        Ok(read::Slot::Coerced(coerced)) => {
            return Err(ReportError::NotAnObject(coerced.1.to_string()))
        }
        Ok(read::Slot::Wrong(seen)) => return Err(ReportError::NotAnObject(seen.to_string())),
        Ok(read::Slot::Absent) => return Err(ReportError::NotAnObject("empty".to_string())),
        Err(read::ReadError::Budget) => return Err(ReportError::TooManyElements),
        Err(read::ReadError::Syntax(why)) => return Err(ReportError::JsonSyntax(why)),
    };
    drop(json);
    validate::validate(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    const REPORT: &str = r#"{"organization-name":"Org","date-range":{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"},"contact-info":"a@b.example","report-id":"r1","policies":[{"policy":{"policy-type":"no-policy-found","policy-domain":"d.example"},"summary":{"total-successful-session-count":4,"total-failure-session-count":0}}]}"#;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn lints_every_form_of_input() {
        let gz = gzip(REPORT.as_bytes());
        let mail = format!(
            "From: r@example\r\nContent-Type: multipart/report; report-type=tlsrpt; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: application/tlsrpt+json\r\n\r\n{REPORT}\r\n--b--\r\n"
        );
        let small = ReportLimits {
            max_input: 100,
            max_decompressed: 1000,
        };
        let cases: Vec<(&[u8], ReportLimits, bool, Vec<&str>)> = vec![
            (REPORT.as_bytes(), ReportLimits::default(), true, vec![]),
            (&gz, ReportLimits::default(), true, vec![]),
            (mail.as_bytes(), ReportLimits::default(), true, vec![]),
            (REPORT.as_bytes(), small, false, vec!["report.too-large"]),
            (
                &gz,
                ReportLimits {
                    max_input: 1000,
                    max_decompressed: 100,
                },
                false,
                vec!["report.too-large"],
            ),
            (
                b"\x1f\x8b\x08\x00",
                ReportLimits::default(),
                false,
                vec!["report.gzip"],
            ),
            (b"{", ReportLimits::default(), false, vec!["report.json"]),
            (b"[]", ReportLimits::default(), false, vec!["report.json"]),
            (
                b"{\"policies\": 1}",
                ReportLimits::default(),
                false,
                vec!["report.json"],
            ),
            (
                b"Subject: x\n\nhello",
                ReportLimits::default(),
                false,
                vec!["report.json"],
            ),
            (
                b"{\"policies\": []}",
                ReportLimits::default(),
                true,
                vec!["report.field-missing"; 4],
            ),
        ];
        for (input, limits, valid, codes) in cases {
            let result = lint_report_with_limits(input, limits);
            let got: Vec<&str> = result.findings.iter().map(|f| f.code.as_str()).collect();
            assert_eq!(
                (result.valid, got),
                (valid, codes),
                "{:?}",
                String::from_utf8_lossy(input)
            );
            assert_eq!(result.value.is_some(), valid);
        }
        let summary = lint_report(&gz).value.unwrap();
        assert_eq!((summary.successful, summary.failed), (4, 0));
        assert_eq!(
            summary.policies[0].policy_type,
            Some(PolicyType::NoPolicyFound)
        );
    }

    #[test]
    fn dense_real_reports_fit_the_memory_budget() {
        // The smallest elements a real report has, many times over, read without the budget's
        // fixed allowance and with a third of it to spare.
        let detail = r#"{"result-type":"tlsa-invalid","failed-session-count":1}"#;
        let policy = r#"{"policy":{"policy-type":"sts","policy-domain":"a.b"},"summary":{"total-successful-session-count":0,"total-failure-session-count":0}}"#;
        let lines = r#""mx: a.b""#;
        for doc in [
            format!(
                r#"{{"policies":[{{"failure-details":[{}]}}]}}"#,
                [detail; 20_000].join(",")
            ),
            format!(r#"{{"policies":[{}]}}"#, [policy; 20_000].join(",")),
            format!(
                r#"{{"policies":[{{"policy":{{"policy-string":[{}]}}}}]}}"#,
                [lines; 20_000].join(",")
            ),
        ] {
            let budget = read::Budget::new(doc.len() * MEMORY_PER_JSON_BYTE * 2 / 3);
            assert!(
                read::read(doc.as_bytes(), &budget).is_ok(),
                "{}",
                &doc[..200]
            );
        }
    }

    #[test]
    fn tiny_elements_cannot_blow_up_memory() {
        let json = format!(r#"{{"policies":[{}{{}}]}}"#, "{},".repeat(100_000));
        let result = lint_report(json.as_bytes());
        assert_eq!(result.codes(), vec![Code::ReportTooLarge]);
    }

    #[test]
    fn error_messages_name_the_problem() {
        for (error, want) in [
            (
                ReportError::InputTooLarge {
                    size: 20,
                    limit: 10,
                },
                "the report is 20 bytes, over the limit of 10 bytes",
            ),
            (
                ReportError::NotAnObject("an array".into()),
                "the report is an array, not a JSON object",
            ),
            (
                ReportError::NoPolicies("null".into()),
                "the report has null where a \"policies\" array is required",
            ),
        ] {
            assert_eq!(error.to_string(), want);
        }
    }

    #[test]
    fn summary_json_shape() {
        let summary = lint_report(REPORT.as_bytes()).value.unwrap();
        let json = serde_json::to_value(&summary).unwrap();
        for key in [
            "successful",
            "failed",
            "result_types",
            "policies",
            "organization",
            "report_id",
            "date_range",
            "contact_info",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        assert_eq!(json["policies"][0]["policy_type"], "no-policy-found");
        assert_eq!(json["date_range"]["start_datetime"], "2024-01-01T00:00:00Z");
        let back: ReportSummary = serde_json::from_value(json).unwrap();
        assert_eq!(back, summary);
        assert_eq!(
            summary.date_range.unwrap().start_day().as_deref(),
            Some("2024-01-01")
        );
    }
}
