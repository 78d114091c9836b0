//! Findings: the problems the checker reports, with stable codes from `spec/RULES.md`.
//!
//! The catalogue lives in one place, the [`Code`] enum: each code knows its name, its severity and
//! the RFC section it comes from, so a parser only says *which* rule fired, *what* it saw and *where*.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Legal but risky, or refused by some real senders.
    Warning,
    /// The RFC is broken, or a real sender will refuse or defer mail.
    Error,
}

impl Severity {
    /// The lower-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, $severity:ident, $rfc:literal; )*) => {
        /// A finding code from the rule catalogue. Once shipped, a code keeps its meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable name, e.g. `policy.blank-line`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// The severity every finding of this code carries.
            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// The RFC section the rule comes from, as `RFC 8461 §3.2`.
            pub fn rfc(self) -> &'static str {
                match self { $( Code::$variant => $rfc, )* }
            }

            /// The code with this stable name.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $( $code => Some(Code::$variant), )* _ => None }
            }
        }
    };
}

catalogue! {
    // `_mta-sts` TXT record (RFC 8461 §3.1)
    /// No TXT record starting `v=STSv1` at `_mta-sts.<domain>`.
    StsRecordMissing => "sts-record.missing", Info, "RFC 8461 §3.1";
    /// More than one record starts with `v=STSv1;`.
    StsRecordMultiple => "sts-record.multiple", Error, "RFC 8461 §3.1";
    /// The record does not start with exactly `v=STSv1`.
    StsRecordVersion => "sts-record.version", Error, "RFC 8461 §3.1";
    /// A field is not `name=value`, or a value holds forbidden characters.
    StsRecordSyntax => "sts-record.syntax", Error, "RFC 8461 §3.1";
    /// No `id` field.
    StsRecordIdMissing => "sts-record.id-missing", Error, "RFC 8461 §3.1";
    /// `id` is not 1 to 32 letters and digits.
    StsRecordIdInvalid => "sts-record.id-invalid", Error, "RFC 8461 §3.1";
    /// A field appears twice; the first one counts.
    StsRecordDuplicateField => "sts-record.duplicate-field", Warning, "RFC 8461 §3.1";
    /// An extension field that STSv1 does not define.
    StsRecordUnknownField => "sts-record.unknown-field", Info, "RFC 8461 §3.1";
    /// The record came as several character-strings.
    StsRecordSplitStrings => "sts-record.split-strings", Info, "RFC 8461 §3.1";
    /// `_mta-sts` is a CNAME.
    StsRecordCname => "sts-record.cname", Info, "RFC 8461 §8.2";

    // Policy fetch (RFC 8461 §3.3)
    /// `mta-sts.<domain>` does not resolve.
    PolicyFetchDns => "policy-fetch.dns", Error, "RFC 8461 §3.3";
    /// The HTTPS connection or its certificate failed.
    PolicyFetchTls => "policy-fetch.tls", Error, "RFC 8461 §3.3";
    /// A 3xx answer.
    PolicyFetchRedirect => "policy-fetch.redirect", Error, "RFC 8461 §3.3";
    /// Any status other than 200.
    PolicyFetchStatus => "policy-fetch.status", Error, "RFC 8461 §3.3";
    /// No complete answer within 60 s.
    PolicyFetchTimeout => "policy-fetch.timeout", Error, "RFC 8461 §3.3";
    /// Body over 64 KiB.
    PolicyFetchTooLarge => "policy-fetch.too-large", Error, "RFC 8461 §3.3";
    /// Media type is not `text/plain`.
    PolicyFetchContentType => "policy-fetch.content-type", Error, "RFC 8461 §3.2";
    /// A charset other than `utf-8` or `us-ascii`.
    PolicyFetchCharset => "policy-fetch.charset", Info, "RFC 8461 §3.2";
    /// A valid record but no usable policy.
    PolicyFetchNoPolicy => "policy-fetch.no-policy", Error, "RFC 8461 §3.3";

    // Policy file (RFC 8461 §3.2)
    /// Empty body.
    PolicyEmpty => "policy.empty", Error, "RFC 8461 §3.2";
    /// The body starts with a UTF-8 byte-order mark.
    PolicyBom => "policy.bom", Error, "RFC 8461 §3.2";
    /// A line is not `key: value`.
    PolicySyntax => "policy.syntax", Error, "RFC 8461 §3.2";
    /// An empty line between or after fields.
    PolicyBlankLine => "policy.blank-line", Error, "RFC 8461 §3.2";
    /// A line starts with a space or tab.
    PolicyLeadingWhitespace => "policy.leading-whitespace", Error, "RFC 8461 §3.2";
    /// LF endings, or mixed LF and CRLF.
    PolicyLineEndings => "policy.line-endings", Info, "RFC 8461 §3.2";
    /// No `version` field.
    PolicyVersionMissing => "policy.version-missing", Error, "RFC 8461 §3.2";
    /// `version` is not `STSv1`.
    PolicyVersionInvalid => "policy.version-invalid", Error, "RFC 8461 §3.2";
    /// No `mode` field.
    PolicyModeMissing => "policy.mode-missing", Error, "RFC 8461 §3.2";
    /// `mode` is not `enforce`, `testing` or `none`.
    PolicyModeInvalid => "policy.mode-invalid", Error, "RFC 8461 §3.2";
    /// Mode `testing`.
    PolicyModeTesting => "policy.mode-testing", Info, "RFC 8461 §5";
    /// Mode `none`.
    PolicyModeNone => "policy.mode-none", Info, "RFC 8461 §5";
    /// No `max_age` field.
    PolicyMaxAgeMissing => "policy.max-age-missing", Error, "RFC 8461 §3.2";
    /// `max_age` is not 1 to 10 digits.
    PolicyMaxAgeInvalid => "policy.max-age-invalid", Error, "RFC 8461 §3.2";
    /// `max_age` over 31557600.
    PolicyMaxAgeTooLarge => "policy.max-age-too-large", Error, "RFC 8461 §3.2";
    /// `max_age` under one day.
    PolicyMaxAgeShort => "policy.max-age-short", Warning, "RFC 8461 §3.2";
    /// No `mx` line while mode is not `none`.
    PolicyMxMissing => "policy.mx-missing", Error, "RFC 8461 §3.2";
    /// An `mx` value is not a host name or `*.` + host name.
    PolicyMxInvalid => "policy.mx-invalid", Error, "RFC 8461 §3.2";
    /// The same `mx` pattern twice.
    PolicyMxDuplicate => "policy.mx-duplicate", Info, "RFC 8461 §3.2";
    /// A non-`mx` field twice; the first one counts.
    PolicyDuplicateField => "policy.duplicate-field", Warning, "RFC 8461 §3.2";
    /// A field that STSv1 does not define.
    PolicyUnknownField => "policy.unknown-field", Info, "RFC 8461 §3.2";

    // DNS lookups
    /// A lookup failed (SERVFAIL, REFUSED): senders cannot see the records either.
    DnsLookupFailed => "dns.lookup-failed", Error, "RFC 8461 §3.1";

    // MX coverage (RFC 8461 §4, RFC 5321, RFC 7505)
    /// No MX and no A/AAAA to fall back on.
    MxNone => "mx.none", Error, "RFC 5321 §5.1";
    /// Null MX.
    MxNull => "mx.null", Info, "RFC 7505 §3";
    /// An MX host matches no `mx` pattern.
    MxNotCovered => "mx.not-covered", Error, "RFC 8461 §4.1";
    /// An `mx` pattern matches none of today's MX hosts.
    MxPatternUnused => "mx.pattern-unused", Warning, "RFC 8461 §4.1";
    /// `*.` matches one label only, and a host is deeper.
    MxWildcardDepth => "mx.wildcard-depth", Warning, "RFC 8461 §4.1";
    /// An MX host has no A or AAAA record.
    MxNoAddress => "mx.no-address", Error, "RFC 5321 §5.1";
    /// An MX target is a CNAME.
    MxCname => "mx.cname", Error, "RFC 5321 §5.1";

    // `_smtp._tls` TXT record (RFC 8460 §3)
    /// No TLS-RPT record.
    TlsRptRecordMissing => "tlsrpt-record.missing", Warning, "RFC 8460 §3";
    /// More than one record starts with `v=TLSRPTv1;`.
    TlsRptRecordMultiple => "tlsrpt-record.multiple", Error, "RFC 8460 §3";
    /// Does not start with exactly `v=TLSRPTv1`.
    TlsRptRecordVersion => "tlsrpt-record.version", Error, "RFC 8460 §3";
    /// Malformed field list.
    TlsRptRecordSyntax => "tlsrpt-record.syntax", Error, "RFC 8460 §3";
    /// No `rua` field.
    TlsRptRecordRuaMissing => "tlsrpt-record.rua-missing", Error, "RFC 8460 §3";
    /// A `rua` URI is not `mailto:` or `https:`, or is malformed.
    TlsRptRecordRuaInvalid => "tlsrpt-record.rua-invalid", Error, "RFC 8460 §3";
    /// A record exists only at the pre-RFC name `_smtp-tlsrpt`.
    TlsRptRecordLegacyName => "tlsrpt-record.legacy-name", Warning, "RFC 8460 §3";

    // DANE (RFC 7672, RFC 6698)
    /// The MX answer is not DNSSEC-validated.
    DaneNoDnssec => "dane.no-dnssec", Info, "RFC 7672 §2.2";
    /// An MX host with a signed zone has no TLSA.
    DaneTlsaMissing => "dane.tlsa-missing", Info, "RFC 7672 §2.2";
    /// A TLSA record does not parse, or its data length does not fit its matching type.
    DaneTlsaInvalid => "dane.tlsa-invalid", Error, "RFC 6698 §2.2";
    /// Usage 0 or 1, or an unknown usage, selector or matching type.
    DaneTlsaUnusable => "dane.tlsa-unusable", Warning, "RFC 7672 §3.1.3";
    /// A certificate is known and matches no usable TLSA record.
    DaneTlsaMismatch => "dane.tlsa-mismatch", Error, "RFC 7672 §3.1";

    // Certificates and SMTP
    /// No SAN DNS name matches the MX host.
    CertNameMismatch => "cert.name-mismatch", Error, "RFC 8461 §4.2";
    /// Not valid now.
    CertExpired => "cert.expired", Error, "RFC 8461 §4.2";
    /// Expires within 14 days.
    CertExpiresSoon => "cert.expires-soon", Warning, "RFC 8461 §4.2";
    /// Does not chain to a public root.
    CertUntrusted => "cert.untrusted", Error, "RFC 8461 §4.2";
    /// An RSA or DSA key under 2048 bits.
    CertWeakKey => "cert.weak-key", Warning, "RFC 9325 §4.5";
    /// The MX does not offer STARTTLS.
    SmtpStarttlsMissing => "smtp.starttls-missing", Error, "RFC 8461 §4.2";
    /// TLS below 1.2.
    SmtpTlsVersion => "smtp.tls-version", Error, "RFC 8461 §4.2";
    /// Port 25 could not be reached.
    SmtpUnreachable => "smtp.unreachable", Warning, "RFC 5321 §4.5.4";

    // TLS-RPT reports (RFC 8460 §4)
    /// The body claims gzip and is not valid gzip.
    ReportGzip => "report.gzip", Error, "RFC 8460 §5.3";
    /// Over the size limit, compressed or after decompression.
    ReportTooLarge => "report.too-large", Error, "RFC 8460 §5.3";
    /// Not JSON, or not an object with a `policies` array.
    ReportJson => "report.json", Error, "RFC 8460 §4";
    /// A required field is absent.
    ReportFieldMissing => "report.field-missing", Warning, "RFC 8460 §4.4";
    /// A field has the wrong JSON type.
    ReportFieldType => "report.field-type", Warning, "RFC 8460 §4.4";
    /// A date-time is not RFC 3339.
    ReportDatetime => "report.datetime", Warning, "RFC 8460 §4.4";
    /// `total-failure-session-count` differs from the sum of `failed-session-count`.
    ReportCountsMismatch => "report.counts-mismatch", Warning, "RFC 8460 §4.4";
    /// A `result-type` outside the IANA registry.
    ReportResultTypeUnknown => "report.result-type-unknown", Info, "RFC 8460 §4.3";
    /// A `policy-type` other than `sts`, `tlsa`, `no-policy-found`.
    ReportPolicyTypeUnknown => "report.policy-type-unknown", Warning, "RFC 8460 §4.2";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Code::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown finding code {name:?}")))
    }
}

/// One problem found, for a person to read and a program to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The stable code.
    pub code: Code,
    /// How bad it is (always the code's severity).
    pub severity: Severity,
    /// One plain sentence naming the offending value.
    pub message: String,
    /// The RFC section the rule comes from.
    pub rfc: String,
    /// The 1-based line in the policy file, where the finding is about one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The MX host the finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl Finding {
    /// A finding of `code` with a message; severity and RFC section come from the catalogue.
    pub fn new(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            message: message.into(),
            rfc: code.rfc().to_string(),
            line: None,
            host: None,
        }
    }

    /// The same finding, about line `line` (1-based).
    pub fn at_line(mut self, line: usize) -> Finding {
        self.line = Some(u32::try_from(line).unwrap_or(u32::MAX));
        self
    }

    /// The same finding, about MX host `host`.
    pub fn for_host(mut self, host: impl Into<String>) -> Finding {
        self.host = Some(host.into());
        self
    }
}

/// The outcome of linting one object: its findings and, where it could be read, its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LintResult<T> {
    /// True when no finding has severity `error`.
    pub valid: bool,
    /// Every finding, in the order found.
    pub findings: Vec<Finding>,
    /// The parsed object, where enough of it could be read. (A missing `Option` field
    /// deserializes as `None` without `#[serde(default)]`, which would demand `T: Default`.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<T>,
}

impl<T> LintResult<T> {
    /// A result over `findings`; `valid` is derived from them.
    pub fn new(findings: Vec<Finding>, value: Option<T>) -> LintResult<T> {
        let valid = !findings.iter().any(|f| f.severity == Severity::Error);
        LintResult {
            valid,
            findings,
            value,
        }
    }

    /// Whether any finding has this code.
    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// The codes of all findings, in order.
    pub fn codes(&self) -> Vec<Code> {
        self.findings.iter().map(|f| f.code).collect()
    }
}

/// Keeps the first `max` findings of each code, in order, and replaces the rest of each code by
/// one finding that counts them: a file of 60 000 blank lines gets a readable answer.
pub fn limit_per_code(findings: Vec<Finding>, max: usize) -> Vec<Finding> {
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len().min(max.saturating_mul(8)));
    let mut dropped: Vec<(Code, usize, Option<u32>, Option<u32>)> = Vec::new();
    for finding in findings {
        if kept.iter().filter(|f| f.code == finding.code).count() < max {
            kept.push(finding);
            continue;
        }
        match dropped.iter_mut().find(|(code, ..)| *code == finding.code) {
            Some((_, count, _, last)) => {
                *count += 1;
                *last = finding.line.or(*last);
            }
            None => dropped.push((finding.code, 1, finding.line, finding.line)),
        }
    }
    for (code, count, first, last) in dropped {
        let lines = match (first, last) {
            (Some(a), Some(b)) if a != b => format!(" (lines {a} to {b})"),
            (Some(a), _) => format!(" (line {a})"),
            _ => String::new(),
        };
        kept.push(Finding::new(
            code,
            format!("… and {count} more findings like the ones above{lines}."),
        ));
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(Code::from_name(code.as_str()), Some(code));
            assert!(code.rfc().starts_with("RFC "), "{code}");
        }
        assert_eq!(Code::from_name("policy.nope"), None);
    }

    #[test]
    fn validity_follows_error_findings() {
        for (findings, want) in [
            (vec![], true),
            (vec![Finding::new(Code::PolicyModeTesting, "m")], true),
            (vec![Finding::new(Code::PolicyMaxAgeShort, "m")], true),
            (vec![Finding::new(Code::PolicyBlankLine, "m")], false),
        ] {
            assert_eq!(LintResult::<()>::new(findings, None).valid, want);
        }
    }

    #[test]
    fn repeats_are_counted_not_listed() {
        let many: Vec<Finding> = (1..=100)
            .map(|n| Finding::new(Code::PolicyBlankLine, "blank").at_line(n))
            .chain([Finding::new(Code::PolicyModeNone, "none")])
            .collect();
        let limited = limit_per_code(many, 3);
        assert_eq!(limited.len(), 5);
        assert_eq!(limited[3].code, Code::PolicyModeNone);
        assert_eq!(limited[4].code, Code::PolicyBlankLine);
        assert!(
            limited[4].message.contains("97 more"),
            "{}",
            limited[4].message
        );
        assert!(
            limited[4].message.contains("lines 4 to 100"),
            "{}",
            limited[4].message
        );
    }

    #[test]
    fn finding_json_shape() {
        let f = Finding::new(Code::PolicyBlankLine, "line 3 is empty").at_line(3);
        let json = serde_json::to_value(&f).unwrap_or_default();
        assert_eq!(json["code"], "policy.blank-line");
        assert_eq!(json["severity"], "error");
        assert_eq!(json["rfc"], "RFC 8461 §3.2");
        assert_eq!(json["line"], 3);
        assert!(json.get("host").is_none());
    }
}
