//! MX host patterns (RFC 8461 §3.2, §4.1): their syntax, matching a host against them, and the
//! coverage of a domain's MX hosts by a policy's patterns.
//!
//! ```
//! use mtasts::mx::{check_pattern, matches};
//! assert!(check_pattern("*.mail.protection.outlook.com").is_ok());
//! assert!(matches("*.example.com", "MX1.example.com."));
//! assert!(!matches("*.example.com", "a.b.example.com"));
//! ```

use crate::finding::{Code, Finding};
use crate::name::{check_host_name, without_root_dot, NameError};
use std::fmt;

/// Why an `mx` value is not a pattern (RFC 8461 §3.2: `sts-policy-mx-value = ["*."] Domain`,
/// with `Domain` in A-labels).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PatternError {
    /// The value is empty.
    Empty,
    /// `*` or `*.` alone: a wildcard must be followed by a host name.
    BareWildcard(String),
    /// `*` somewhere other than as the whole left-most label (`*.*.example`, `mx*.example`).
    MisplacedWildcard(String),
    /// An IP address or address literal (`192.0.2.1`, `[192.0.2.1]`, `2001:db8::1`).
    IpAddress(String),
    /// The name part is not a host name (trailing dot, `_`, U-label, over-long label …).
    Name {
        /// The pattern as written.
        pattern: String,
        /// What is wrong with its name part.
        error: NameError,
    },
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::Empty => write!(f, "the mx pattern is empty"),
            PatternError::BareWildcard(p) => write!(
                f,
                "{p:?} is a bare wildcard: write \"*.\" followed by a host name, as in \"*.example.com\""
            ),
            PatternError::MisplacedWildcard(p) => write!(
                f,
                "{p:?} uses \"*\" other than as the whole left-most label (\"*.example.com\")"
            ),
            PatternError::IpAddress(p) => {
                write!(f, "{p:?} is an IP address, and mx patterns must be host names")
            }
            PatternError::Name { pattern, error } => {
                write!(f, "{pattern:?} is not a host name: {error}")
            }
        }
    }
}

impl std::error::Error for PatternError {}

/// Checks that `pattern` is an `mx` value: a host name in A-labels without a trailing dot,
/// optionally preceded by `*.` as the whole left-most label (RFC 8461 §3.2, §4.1).
pub fn check_pattern(pattern: &str) -> Result<(), PatternError> {
    if pattern.is_empty() {
        return Err(PatternError::Empty);
    }
    if pattern == "*" || pattern == "*." {
        return Err(PatternError::BareWildcard(pattern.to_string()));
    }
    if is_ip_literal(pattern) {
        return Err(PatternError::IpAddress(pattern.to_string()));
    }
    let base = pattern.strip_prefix("*.").unwrap_or(pattern);
    if base.contains('*') {
        return Err(PatternError::MisplacedWildcard(pattern.to_string()));
    }
    check_host_name(base).map_err(|error| match error {
        NameError::IpAddress => PatternError::IpAddress(pattern.to_string()),
        error => PatternError::Name {
            pattern: pattern.to_string(),
            error,
        },
    })
}

/// `[192.0.2.1]`, `[IPv6:…]` or a bare IPv4/IPv6 address.
fn is_ip_literal(value: &str) -> bool {
    (value.starts_with('[') && value.ends_with(']')) || value.parse::<std::net::IpAddr>().is_ok()
}

/// Whether `pattern` (an `mx` value of a policy) covers `host` (an MX host name).
///
/// RFC 8461 §4.1: names compare case-insensitively, a trailing dot on the host is ignored, and
/// `*.` matches exactly one whole left-most label (`*.example.com` covers `mx.example.com`, not
/// `example.com` or `a.b.example.com`). Labels with non-ASCII characters, on either side, are
/// lower-cased and Punycode-encoded first, so `x.ñaca.com` matches `x.xn--aca-6ma.com`.
/// The pattern's syntax is not checked here (see [`check_pattern`]): a malformed pattern simply
/// fails to match real host names.
pub fn matches(pattern: &str, host: &str) -> bool {
    let host = without_root_dot(host);
    let (Some(host), false) = (normalize(host), pattern.is_empty()) else {
        return false;
    };
    if host.is_empty() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(base) => match (normalize(base), host.split_once('.')) {
            (Some(base), Some((first, rest))) => !first.is_empty() && rest == base,
            _ => false,
        },
        None => normalize(pattern).is_some_and(|p| p == host),
    }
}

/// The name lower-cased, with every non-ASCII label replaced by its A-label.
fn normalize(name: &str) -> Option<String> {
    let mut labels = Vec::new();
    for label in name.split('.') {
        if label.is_ascii() {
            labels.push(label.to_ascii_lowercase());
        } else {
            // RFC 3492 §6.3 Punycode, the encoding of IDNA A-labels (RFC 5890 §2.3.2.1).
            let lower: String = label.chars().flat_map(char::to_lowercase).collect();
            labels.push(format!("xn--{}", idna::punycode::encode_str(&lower)?));
        }
    }
    Some(labels.join("."))
}

/// The pattern that covers `host`: the first exact one, else the first wildcard one.
/// For an MX table that shows which `mx` line lets each host through.
pub fn covering_pattern<'a>(patterns: &'a [String], host: &str) -> Option<&'a str> {
    let exact = patterns
        .iter()
        .find(|p| !p.starts_with("*.") && matches(p, host));
    exact
        .or_else(|| patterns.iter().find(|p| matches(p, host)))
        .map(String::as_str)
}

/// Compares a policy's `mx` patterns with the domain's MX hosts (RFC 8461 §4.1):
/// - `mx.not-covered` for each host no pattern matches (with `.host`), and beside it
///   `mx.wildcard-depth` for each `*.` pattern that would cover the host if `*` spanned more
///   than one label;
/// - `mx.pattern-unused` for each pattern (once, compared case-insensitively) that matches none
///   of the hosts.
///
/// Hosts may carry a trailing dot; empty names are skipped. With no hosts at all there is nothing
/// to compare and no finding: the caller reports `mx.none` or `mx.null`.
pub fn check_coverage(patterns: &[String], hosts: &[String]) -> Vec<Finding> {
    let hosts: Vec<&str> = hosts
        .iter()
        .map(|h| without_root_dot(h))
        .filter(|h| !h.is_empty())
        .collect();
    let mut findings = Vec::new();
    if hosts.is_empty() {
        return findings;
    }
    for &host in &hosts {
        if patterns.iter().any(|p| matches(p, host)) {
            continue;
        }
        findings.push(
            Finding::new(
                Code::MxNotCovered,
                format!(
                    "MX host {host} matches none of the policy's mx patterns ({}), so senders that enforce the policy refuse to deliver to it (Exchange Online: 551 5.4.8).",
                    list(patterns.iter().map(String::as_str))
                ),
            )
            .for_host(host),
        );
        for pattern in patterns.iter().filter(|p| too_deep(p, host)) {
            findings.push(
                Finding::new(
                    Code::MxWildcardDepth,
                    format!(
                        "{pattern} covers exactly one label in place of \"*\", so it does not cover {host}, which has more labels in front of {} (Postfix with postfix-mta-sts-resolver is the exception: it matches .{} at any depth).",
                        pattern.get(2..).unwrap_or_default(),
                        pattern.get(2..).unwrap_or_default()
                    ),
                )
                .for_host(host),
            );
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for pattern in patterns {
        let key = pattern.to_ascii_lowercase();
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        if !hosts.iter().any(|h| matches(pattern, h)) {
            findings.push(Finding::new(
                Code::MxPatternUnused,
                format!(
                    "The mx pattern {pattern} matches none of the domain's MX hosts ({}); check it for a typo or remove it.",
                    list(hosts.iter().copied())
                ),
            ));
        }
    }
    findings
}

/// Whether `*.base` would cover `host` if `*` could span several labels.
fn too_deep(pattern: &str, host: &str) -> bool {
    let (Some(base), Some(host)) = (
        pattern.strip_prefix("*.").and_then(normalize),
        normalize(host),
    ) else {
        return false;
    };
    host.strip_suffix(&base)
        .and_then(|front| front.strip_suffix('.'))
        .is_some_and(|front| front.contains('.'))
}

/// `a, b and c`, or `none` for an empty list.
fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    match items.split_last() {
        None => "none".to_string(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn pattern_syntax() {
        let long_label = format!("{}.example", "a".repeat(64));
        for (pattern, want) in [
            ("mail.example.com", Ok(())),
            ("*.example.net", Ok(())),
            ("*.com", Ok(())),
            ("SMTP.GOOGLE.COM", Ok(())),
            ("xn--aca-6ma.com", Ok(())),
            ("", Err(PatternError::Empty)),
            ("*", Err(PatternError::BareWildcard("*".into()))),
            ("*.", Err(PatternError::BareWildcard("*.".into()))),
            (
                "*.*.example",
                Err(PatternError::MisplacedWildcard("*.*.example".into())),
            ),
            (
                "**.example",
                Err(PatternError::MisplacedWildcard("**.example".into())),
            ),
            (
                "mx-*.example.com",
                Err(PatternError::MisplacedWildcard("mx-*.example.com".into())),
            ),
            (
                "mail.*.example",
                Err(PatternError::MisplacedWildcard("mail.*.example".into())),
            ),
            (
                "127.0.0.1",
                Err(PatternError::IpAddress("127.0.0.1".into())),
            ),
            (
                "*.1.2.3.4",
                Err(PatternError::IpAddress("*.1.2.3.4".into())),
            ),
            (
                "[192.0.2.1]",
                Err(PatternError::IpAddress("[192.0.2.1]".into())),
            ),
            (
                "2001:db8::1",
                Err(PatternError::IpAddress("2001:db8::1".into())),
            ),
            (
                "mail.example.com.",
                Err(PatternError::Name {
                    pattern: "mail.example.com.".into(),
                    error: NameError::TrailingDot,
                }),
            ),
            (
                "mx1.your_domain.tld",
                Err(PatternError::Name {
                    pattern: "mx1.your_domain.tld".into(),
                    error: NameError::InvalidChar('_'),
                }),
            ),
            (
                "møx.example",
                Err(PatternError::Name {
                    pattern: "møx.example".into(),
                    error: NameError::NotAscii('ø'),
                }),
            ),
            (
                "test.example-",
                Err(PatternError::Name {
                    pattern: "test.example-".into(),
                    error: NameError::HyphenAtEdge("example-".into()),
                }),
            ),
            (
                &long_label,
                Err(PatternError::Name {
                    pattern: long_label.clone(),
                    error: NameError::LabelTooLong("a".repeat(64)),
                }),
            ),
        ] {
            assert_eq!(check_pattern(pattern), want, "{pattern}");
        }
    }

    #[test]
    fn pattern_errors_name_the_value() {
        for pattern in ["*", "*.*.example", "1.2.3.4", "mx_1.example"] {
            let message = check_pattern(pattern).err().map(|e| e.to_string());
            assert!(
                message.as_deref().unwrap_or_default().contains(pattern),
                "{message:?}"
            );
        }
    }

    #[test]
    fn matching() {
        for (pattern, host, want) in [
            ("example.org", "example.org.", true),
            ("example.org", "EXAMPLE.org", true),
            ("*.example.org", "mx0.example.org", true),
            ("*.example.org", "MX0.Example.ORG.", true),
            ("*.example.org", "example.org", false),
            ("*.example.org", "a.b.example.org", false),
            ("*.example.org", "without-dots", false),
            ("*.example.org", ".example.org", false),
            ("*.com", "foo.com", true),
            ("ñaca.com", "Ñaca.com", true),
            ("x.xn--aca-6ma.com", "x.ñaca.com", true),
            ("*.xn--aca-6ma.com", "x.ñaca.com", true),
            ("x.xn--aca-6ma.com", "x.naca.com", false),
            // The labels of RFC 3492 §7.1 and others, encoded by the `idna` crate.
            ("xn--bcher-kva.example", "BÜCHER.example", true),
            ("xn--mnchen-3ya.example", "münchen.example", true),
            ("xn--r8jz45g.example", "例え.example", true),
            (
                "xn--egbpdaj6bu4bxfgehfvwxn.example",
                "\u{644}\u{64a}\u{647}\u{645}\u{627}\u{628}\u{62a}\u{643}\u{644}\u{645}\u{648}\u{634}\u{639}\u{631}\u{628}\u{64a}\u{61f}.example",
                true,
            ),
            ("example.org", "", false),
            ("example.org", ".", false),
            ("", "example.org", false),
            ("*.", "a.", false),
            ("example.org.", "example.org", false),
        ] {
            assert_eq!(matches(pattern, host), want, "{pattern} vs {host}");
        }
    }

    #[test]
    fn covering() {
        let patterns = strings(&["*.example.com", "mx1.example.com", "other.net"]);
        for (host, want) in [
            ("mx1.example.com", Some("mx1.example.com")),
            ("mx2.example.com.", Some("*.example.com")),
            ("other.net", Some("other.net")),
            ("a.b.example.com", None),
        ] {
            assert_eq!(covering_pattern(&patterns, host), want, "{host}");
        }
    }

    #[test]
    fn coverage_findings() {
        for (patterns, hosts, want) in [
            (&["*.example.com"][..], &["mx1.example.com."][..], &[][..]),
            (&["mx1.example.com"], &[], &[]),
            (
                &["mx1.example.com", "MX1.example.com", "old.example.com"],
                &["mx1.example.com"],
                &[(Code::MxPatternUnused, None)],
            ),
            (
                &["*.example.com"],
                &["a.b.example.com", "mx.example.com"],
                &[
                    (Code::MxNotCovered, Some("a.b.example.com")),
                    (Code::MxWildcardDepth, Some("a.b.example.com")),
                ],
            ),
            (
                &["mx.example.com"],
                &["mx.example.com", "backup.example.net."],
                &[(Code::MxNotCovered, Some("backup.example.net"))],
            ),
            (
                &["*.example.com"],
                &["mail.other.org"],
                &[
                    (Code::MxNotCovered, Some("mail.other.org")),
                    (Code::MxPatternUnused, None),
                ],
            ),
        ] {
            let got: Vec<(Code, Option<String>)> =
                check_coverage(&strings(patterns), &strings(hosts))
                    .into_iter()
                    .map(|f| (f.code, f.host))
                    .collect();
            let want: Vec<(Code, Option<String>)> = want
                .iter()
                .map(|(c, h)| (*c, h.map(str::to_string)))
                .collect();
            assert_eq!(got, want, "{patterns:?} vs {hosts:?}");
        }
    }

    #[test]
    fn coverage_messages_name_the_values() {
        let findings = check_coverage(
            &strings(&["*.example.com", "unused.example.org"]),
            &strings(&["a.b.example.com"]),
        );
        for finding in &findings {
            assert!(
                finding.message.contains("a.b.example.com")
                    || finding.message.contains("unused.example.org"),
                "{}",
                finding.message
            );
        }
    }
}
