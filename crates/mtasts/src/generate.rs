//! The generator: from a domain, its MX hosts, a mode and a `max_age`, the policy file (RFC 8461
//! §3.2, CRLF line endings), the `_mta-sts` record (§3.1) and, given report addresses, the
//! `_smtp._tls` record (RFC 8460 §3), with the order to publish them in.
//!
//! Inputs are checked so that the output always lints clean; a bad input is a [`GenerateError`].
//! No clock is read: the caller passes the policy `id`, e.g. from [`policy_id_from_unix`].
//!
//! ```
//! use mtasts::generate::{generate, policy_id_from_unix, GenerateOptions};
//! use mtasts::Mode;
//! let generated = generate(&GenerateOptions {
//!     domain: "example.com".into(),
//!     mx: vec!["mx1.example.com.".into(), "*.mail.example.net".into()],
//!     mode: Mode::Testing,
//!     max_age: 604800,
//!     rua: vec!["mailto:tlsrpt@example.com".into()],
//!     id: policy_id_from_unix(1_764_334_260),
//! })?;
//! assert_eq!(generated.sts_record.value, "v=STSv1; id=20251128T125100Z");
//! assert!(mtasts::lint_policy(generated.policy.as_bytes()).valid);
//! # Ok::<(), mtasts::generate::GenerateError>(())
//! ```

use crate::date::{CivilDate, UtcDateTime};
use crate::mta_sts::policy::{Mode, MAX_MAX_AGE, SHORT_MAX_AGE};
use crate::mx::{check_pattern, PatternError};
use crate::name::{check_host_name, NameError, MAX_NAME_LEN};
use serde::{Deserialize, Serialize};
use std::fmt;

mod suggest;

pub use suggest::{suggest, Suggestion, SuggestionKind};

/// The `max_age` of a generated policy unless the caller gives another: one week, the value of
/// RFC 8461's own example policy (§3.2). Long enough to protect, short enough to change.
pub const DEFAULT_MAX_AGE: u64 = 604_800;

/// What to generate for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateOptions {
    /// The mail domain (a trailing dot is dropped, letters are lower-cased).
    pub domain: String,
    /// Its MX hosts, or `*.` patterns (trailing dots dropped, lower-cased, repeats removed).
    pub mx: Vec<String>,
    /// The policy mode.
    pub mode: Mode,
    /// `max_age` in seconds, 1 to 31557600.
    pub max_age: u64,
    /// TLS-RPT `rua` URIs (`mailto:` or `https:`); none means no `_smtp._tls` record.
    pub rua: Vec<String>,
    /// The policy `id`, 1 to 32 letters and digits: the caller makes it fresh for every change
    /// (see [`policy_id_from_unix`]).
    pub id: String,
}

impl Default for GenerateOptions {
    /// The defaults of every front-end: mode `testing`, the mode to start in (RFC 8461 §5:
    /// failures are reported, no mail is refused), and [`DEFAULT_MAX_AGE`]; no domain, MX host,
    /// report address or `id`, which the caller gives.
    fn default() -> Self {
        GenerateOptions {
            domain: String::new(),
            mx: Vec::new(),
            mode: Mode::Testing,
            max_age: DEFAULT_MAX_AGE,
            rua: Vec::new(),
            id: String::new(),
        }
    }
}

/// A TXT record to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxtRecord {
    /// The owner name, without a trailing dot, e.g. `_mta-sts.example.com`.
    pub name: String,
    /// The record's text, e.g. `v=STSv1; id=20261128T125100Z`.
    pub value: String,
}

/// What to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    /// The policy file body, CRLF line endings, ending in CRLF.
    pub policy: String,
    /// Where the policy must be served: `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
    pub policy_url: String,
    /// The `_mta-sts.<domain>` record.
    pub sts_record: TxtRecord,
    /// The `_smtp._tls.<domain>` record, when report addresses were given.
    pub tlsrpt_record: Option<TxtRecord>,
    /// The policy `id` used in the record.
    pub id: String,
    /// The steps to publish, in order: the policy first, the `_mta-sts` record last.
    pub publish_order: Vec<String>,
    /// Advice about the chosen options (mode, `max_age`, wildcards, record length).
    pub notes: Vec<String>,
}

/// Why nothing could be generated: an input that would make the output invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GenerateError {
    /// The domain is not a host name.
    Domain {
        /// The domain as given.
        domain: String,
        /// What is wrong with it.
        error: NameError,
    },
    /// `_smtp._tls.<domain>` or `_mta-sts.<domain>` would be longer than 253 characters.
    DomainTooLong(String),
    /// An MX host or pattern is not a valid `mx` value.
    Mx(PatternError),
    /// Mode `enforce` or `testing` without any MX host.
    MxMissing(Mode),
    /// `max_age` outside 1 to 31557600.
    MaxAge(u64),
    /// A `rua` URI that the TLS-RPT record cannot carry.
    Rua {
        /// The URI as given.
        uri: String,
        /// Why not.
        reason: String,
    },
    /// The `id` is not 1 to 32 letters and digits.
    Id(String),
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerateError::Domain { domain, error } => {
                write!(f, "domain {domain:?} is not a host name: {error}")
            }
            GenerateError::DomainTooLong(domain) => write!(
                f,
                "domain {domain:?} is too long: the names under it would exceed {MAX_NAME_LEN} characters"
            ),
            GenerateError::Mx(error) => write!(f, "mx {error}"),
            GenerateError::MxMissing(mode) => {
                write!(f, "mode {mode} needs at least one mx host")
            }
            GenerateError::MaxAge(max_age) => write!(
                f,
                "max_age {max_age} is outside 1 to {MAX_MAX_AGE} seconds"
            ),
            GenerateError::Rua { uri, reason } => write!(f, "rua {uri:?}: {reason}"),
            GenerateError::Id(id) => {
                write!(f, "id {id:?} is not 1 to 32 letters and digits")
            }
        }
    }
}

impl std::error::Error for GenerateError {}

/// Generates the policy file and the records to publish.
pub fn generate(options: &GenerateOptions) -> Result<Generated, GenerateError> {
    let domain = normalize_name(&options.domain);
    check_host_name(&domain).map_err(|error| GenerateError::Domain {
        domain: options.domain.clone(),
        error,
    })?;
    let longest_owner = if options.rua.is_empty() {
        "_mta-sts."
    } else {
        "_smtp._tls."
    };
    if longest_owner.len() + domain.len() > MAX_NAME_LEN {
        return Err(GenerateError::DomainTooLong(options.domain.clone()));
    }
    let mut mx: Vec<String> = Vec::new();
    for host in &options.mx {
        let pattern = normalize_name(host);
        check_pattern(&pattern).map_err(GenerateError::Mx)?;
        if !mx.contains(&pattern) {
            mx.push(pattern);
        }
    }
    if mx.is_empty() && options.mode != Mode::None {
        return Err(GenerateError::MxMissing(options.mode));
    }
    // RFC 8461 §3.2: at most 31557600; 0 would mean "do not cache", which is no policy at all.
    if !(1..=MAX_MAX_AGE).contains(&options.max_age) {
        return Err(GenerateError::MaxAge(options.max_age));
    }
    // RFC 8461 §3.1: `sts-id-value = 1*32(ALPHA / DIGIT)`.
    let id = options.id.trim();
    if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(GenerateError::Id(options.id.clone()));
    }
    let rua: Vec<&str> = options.rua.iter().map(|u| u.trim()).collect();
    for uri in &rua {
        check_rua(uri).map_err(|reason| GenerateError::Rua {
            uri: (*uri).to_string(),
            reason,
        })?;
    }

    let mut policy = format!("version: STSv1\r\nmode: {}\r\n", options.mode);
    for pattern in &mx {
        policy.push_str(&format!("mx: {pattern}\r\n"));
    }
    policy.push_str(&format!("max_age: {}\r\n", options.max_age));

    let policy_url = format!("https://mta-sts.{domain}/.well-known/mta-sts.txt");
    let sts_record = TxtRecord {
        name: format!("_mta-sts.{domain}"),
        value: format!("v=STSv1; id={id}"),
    };
    let tlsrpt_record = (!rua.is_empty()).then(|| TxtRecord {
        name: format!("_smtp._tls.{domain}"),
        value: format!("v=TLSRPTv1; rua={}", rua.join(",")),
    });

    let mut publish_order = vec![format!(
        "Serve the policy at {policy_url} over HTTPS with a certificate valid for mta-sts.{domain}, as text/plain, with status 200 and no redirect (RFC 8461 §3.3)."
    )];
    if let Some(record) = &tlsrpt_record {
        publish_order.push(format!(
            "Publish the TXT record {} with the text {} so that senders report delivery failures (RFC 8460 §3).",
            record.name, record.value
        ));
    }
    publish_order.push(format!(
        "Publish the TXT record {} with the text {} last, once the policy is served: senders fetch the policy as soon as they see the record (RFC 8461 §3.1).",
        sts_record.name, sts_record.value
    ));
    publish_order.push("Whenever the policy changes later, change the file first and then the record's id, so that senders fetch it again (RFC 8461 §3.1).".to_string());

    Ok(Generated {
        notes: notes(options, &mx, tlsrpt_record.as_ref()),
        policy,
        policy_url,
        sts_record,
        tlsrpt_record,
        id: id.to_string(),
        publish_order,
    })
}

/// Advice about the options.
fn notes(options: &GenerateOptions, mx: &[String], tlsrpt: Option<&TxtRecord>) -> Vec<String> {
    let mut notes = Vec::new();
    match options.mode {
        Mode::Testing => notes.push("Mode testing: senders report TLS failures but still deliver. Move to enforce once the TLS-RPT reports show no failures.".to_string()),
        Mode::None => notes.push("Mode none tells senders to forget the policy. To remove MTA-STS, serve it until the previous max_age has passed, then remove the record and the policy (RFC 8461 §8.3).".to_string()),
        Mode::Enforce if tlsrpt.is_none() => notes.push("Mode enforce without TLS-RPT: when delivery fails because of the policy, nobody tells you. Consider adding a rua address.".to_string()),
        Mode::Enforce => {}
    }
    if options.max_age < SHORT_MAX_AGE {
        notes.push(format!("max_age {} is under one day: senders forget the policy soon after each fetch, so it protects little. Use weeks once the setup works.", options.max_age));
    }
    for pattern in mx.iter().filter(|p| p.starts_with("*.")) {
        notes.push(format!(
            "{pattern} covers exactly one label in place of \"*\": it covers a.{0} but neither {0} nor a.b.{0}.",
            pattern.get(2..).unwrap_or_default()
        ));
    }
    if let Some(record) = tlsrpt.filter(|r| r.value.len() > 255) {
        notes.push(format!("The {} record is {} characters long, more than one TXT string holds (255): publish it as several strings, which are joined without spaces.", record.name, record.value.len()));
    }
    notes
}

/// A name as published: without surrounding whitespace or a trailing dot, lower-cased.
fn normalize_name(name: &str) -> String {
    let name = name.trim();
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// RFC 8460 §3: `rua` holds `mailto:` or `https:` URIs, in which `,` and `!` (and the field
/// delimiter `;`) must be percent-encoded. The TLS-RPT record linter has the last word.
fn check_rua(uri: &str) -> Result<(), String> {
    if let Some(c) = uri.chars().find(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, ',' | '!' | ';' | '<' | '>' | '"')
    }) {
        return Err(format!("{c:?} must be percent-encoded or removed"));
    }
    if !uri.is_ascii() {
        return Err("non-ASCII characters must be percent-encoded".to_string());
    }
    let mut rest = uri;
    while let Some((_, after)) = rest.split_once('%') {
        let hex = after.get(..2).unwrap_or_default();
        if hex.len() != 2 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("\"%\" must start a percent-encoded byte such as %2C".to_string());
        }
        rest = after;
    }
    let host = if let Some(address) = uri.strip_prefix("mailto:") {
        let address = address.split('?').next().unwrap_or_default();
        match address.rsplit_once('@') {
            Some((local, host)) if !local.is_empty() => host,
            _ => {
                return Err(
                    "a mailto: URI needs an address such as mailto:tlsrpt@example.com".to_string(),
                )
            }
        }
    } else if let Some(rest) = uri.strip_prefix("https://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        match host.rsplit_once(':') {
            Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                host
            }
            _ => host,
        }
    } else {
        return Err("the URI must start with mailto: or https://".to_string());
    };
    check_host_name(host).map_err(|e| format!("the host {host:?} is not a host name: {e}"))?;
    let record = crate::tls_rpt::record::lint_tlsrpt_record(&format!("v=TLSRPTv1; rua={uri}"));
    match record
        .findings
        .iter()
        .find(|f| f.severity == crate::Severity::Error)
    {
        Some(finding) => Err(finding.message.clone()),
        None => Ok(()),
    }
}

/// A policy `id` from a Unix time: `YYYYMMDDThhmmssZ` (UTC), letters and digits only, as RFC
/// 8461 §3.1 requires (1 to 32 of them; the form fits every `u64` time).
pub fn policy_id_from_unix(secs: u64) -> String {
    let UtcDateTime {
        date: CivilDate { year, month, day },
        hour,
        minute,
        second,
    } = UtcDateTime::from_unix_unsigned(secs);
    format!("{year:04}{month:02}{day:02}T{hour:02}{minute:02}{second:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Code, Severity};

    fn options(
        domain: &str,
        mx: &[&str],
        mode: Mode,
        max_age: u64,
        rua: &[&str],
    ) -> GenerateOptions {
        GenerateOptions {
            domain: domain.to_string(),
            mx: mx.iter().map(|s| s.to_string()).collect(),
            mode,
            max_age,
            rua: rua.iter().map(|s| s.to_string()).collect(),
            id: "20261128T125100Z".to_string(),
        }
    }

    #[test]
    fn policy_ids() {
        for (secs, want) in [
            (0, "19700101T000000Z"),
            (1_764_334_260, "20251128T125100Z"),
            (951_782_400, "20000229T000000Z"),
            (1_709_208_000, "20240229T120000Z"),
            (4_102_444_799, "20991231T235959Z"),
            (253_402_300_799, "99991231T235959Z"),
        ] {
            assert_eq!(policy_id_from_unix(secs), want, "{secs}");
        }
        let far = policy_id_from_unix(u64::MAX);
        assert!(
            far.len() <= 32 && far.bytes().all(|b| b.is_ascii_alphanumeric()),
            "{far}"
        );
    }

    #[test]
    fn output_shape() {
        let generated = generate(&options(
            "Example.COM.",
            &["mx1.example.com.", "MX1.example.com", "*.mail.example.net"],
            Mode::Enforce,
            604_800,
            &[
                "mailto:tlsrpt@example.com",
                "https://reports.example.com/tlsrpt",
            ],
        ));
        let Ok(generated) = generated else {
            unreachable!("{generated:?}");
        };
        assert_eq!(
            generated.policy,
            "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.mail.example.net\r\nmax_age: 604800\r\n"
        );
        assert_eq!(
            generated.policy_url,
            "https://mta-sts.example.com/.well-known/mta-sts.txt"
        );
        assert_eq!(
            generated.sts_record,
            TxtRecord {
                name: "_mta-sts.example.com".into(),
                value: "v=STSv1; id=20261128T125100Z".into()
            }
        );
        assert_eq!(
            generated.tlsrpt_record,
            Some(TxtRecord {
                name: "_smtp._tls.example.com".into(),
                value:
                    "v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.com/tlsrpt"
                        .into()
            })
        );
        assert_eq!(generated.id, "20261128T125100Z");
        assert!(generated
            .publish_order
            .first()
            .is_some_and(|s| s.contains(&generated.policy_url)));
        assert!(generated
            .publish_order
            .iter()
            .any(|s| s.contains("_mta-sts.example.com") && s.contains("last")));
    }

    /// Every combination generates, and the output lints clean: no error, and only the findings
    /// that the chosen options call for.
    #[test]
    fn output_always_lints_clean() {
        let domains = [
            "example.com",
            "EXAMPLE.org.",
            "xn--bcher-kva.example",
            "a-b.c.d.example",
            "localhost",
        ];
        let mx_sets: [&[&str]; 5] = [
            &[],
            &["mx.example.com"],
            &["*.mail.protection.outlook.com", "MX2.Example.com."],
            &["a.example", "a.example", "*.b.example", "xn--aca-6ma.com"],
            &["zxccgvs7cl2t7zshqka2izde66qz5f72jrfuyzfx3hodhqj6ylra.mx-verification.google.com"],
        ];
        let rua_sets: [&[&str]; 4] = [
            &[],
            &["mailto:tlsrpt@example.com"],
            &[
                "https://report.example.net/v1/tls-rpt?x=1",
                "mailto:a@example.com%2Cb@example.org",
            ],
            &[
                "mailto:tls+rpt@sub.example.com",
                "https://r.example.com:8443/",
            ],
        ];
        let mut generated_count = 0;
        for domain in domains {
            for mx in mx_sets {
                for mode in Mode::ALL {
                    for max_age in [1, 3600, 86_399, 86_400, 604_800, 31_557_600] {
                        for rua in rua_sets {
                            let opts = options(domain, mx, mode, max_age, rua);
                            let generated = match generate(&opts) {
                                Ok(generated) => generated,
                                Err(GenerateError::MxMissing(_)) if mx.is_empty() => continue,
                                Err(e) => unreachable!("{opts:?}: {e}"),
                            };
                            generated_count += 1;
                            let policy = crate::lint_policy(generated.policy.as_bytes());
                            assert!(policy.valid, "{opts:?}: {:?}", policy.findings);
                            for finding in &policy.findings {
                                let expected = match finding.code {
                                    Code::PolicyModeTesting => mode == Mode::Testing,
                                    Code::PolicyModeNone => mode == Mode::None,
                                    Code::PolicyMaxAgeShort => max_age < SHORT_MAX_AGE,
                                    _ => false,
                                };
                                assert!(expected, "{opts:?}: {finding:?}");
                            }
                            let value = policy.value.map(|p| (p.mode, p.max_age, p.mx.len()));
                            let distinct = generated.policy.matches("\r\nmx: ").count();
                            assert_eq!(value, Some((mode, max_age, distinct)), "{opts:?}");
                            let sts = crate::lint_sts_record(&generated.sts_record.value);
                            assert!(sts.valid, "{opts:?}: {:?}", sts.findings);
                            if let Some(record) = &generated.tlsrpt_record {
                                let tlsrpt = crate::lint_tlsrpt_record(&record.value);
                                assert!(tlsrpt.valid, "{opts:?}: {:?}", tlsrpt.findings);
                                assert!(
                                    tlsrpt.findings.iter().all(|f| f.severity == Severity::Info),
                                    "{:?}",
                                    tlsrpt.findings
                                );
                            }
                        }
                    }
                }
            }
        }
        assert!(generated_count > 1000, "{generated_count}");
    }

    #[test]
    fn bad_inputs() {
        let ok = options(
            "example.com",
            &["mx.example.com"],
            Mode::Enforce,
            86_400,
            &[],
        );
        let with = |f: &dyn Fn(&mut GenerateOptions)| {
            let mut o = ok.clone();
            f(&mut o);
            generate(&o).err()
        };
        assert_eq!(generate(&ok).err(), None);
        for (got, want) in [
            (
                with(&|o| o.domain = "exa mple.com".into()),
                GenerateError::Domain {
                    domain: "exa mple.com".into(),
                    error: NameError::InvalidChar(' '),
                },
            ),
            (
                with(&|o| o.domain = "".into()),
                GenerateError::Domain {
                    domain: "".into(),
                    error: NameError::Empty,
                },
            ),
            (
                with(&|o| o.domain = "bücher.example".into()),
                GenerateError::Domain {
                    domain: "bücher.example".into(),
                    error: NameError::NotAscii('ü'),
                },
            ),
            (
                with(&|o| o.domain = "192.0.2.1".into()),
                GenerateError::Domain {
                    domain: "192.0.2.1".into(),
                    error: NameError::IpAddress,
                },
            ),
            (
                with(&|o| o.domain = vec!["a".repeat(61); 4].join(".")),
                GenerateError::DomainTooLong(vec!["a".repeat(61); 4].join(".")),
            ),
            (
                with(&|o| o.mx = vec!["mx_1.example.com".into()]),
                GenerateError::Mx(PatternError::Name {
                    pattern: "mx_1.example.com".into(),
                    error: NameError::InvalidChar('_'),
                }),
            ),
            (
                with(&|o| o.mx = vec!["*".into()]),
                GenerateError::Mx(PatternError::BareWildcard("*".into())),
            ),
            (
                with(&|o| o.mx = vec!["10.0.0.1".into()]),
                GenerateError::Mx(PatternError::IpAddress("10.0.0.1".into())),
            ),
            (
                with(&|o| o.mx = vec![]),
                GenerateError::MxMissing(Mode::Enforce),
            ),
            (
                with(&|o| {
                    o.mx = vec![];
                    o.mode = Mode::Testing
                }),
                GenerateError::MxMissing(Mode::Testing),
            ),
            (with(&|o| o.max_age = 0), GenerateError::MaxAge(0)),
            (
                with(&|o| o.max_age = 31_557_601),
                GenerateError::MaxAge(31_557_601),
            ),
            (with(&|o| o.id = "".into()), GenerateError::Id("".into())),
            (
                with(&|o| o.id = "2026-11-28".into()),
                GenerateError::Id("2026-11-28".into()),
            ),
            (
                with(&|o| o.id = "a".repeat(33)),
                GenerateError::Id("a".repeat(33)),
            ),
        ] {
            assert_eq!(got, Some(want));
        }
        for uri in [
            "tlsrpt@example.com",
            "http://example.com/r",
            "mailto:",
            "mailto:@example.com",
            "mailto:a@<your-domain>",
            "mailto:a,b@example.com",
            "mailto:a!b@example.com",
            "mailto:a@example.com;x",
            "mailto:a b@example.com",
            "mailto:a%2@example.com",
            "mailto:a@exa_mple.com",
            "https://",
            "https://rep orts.example.com/",
        ] {
            let got = with(&|o| o.rua = vec![uri.into()]);
            assert!(
                matches!(&got, Some(GenerateError::Rua { uri: u, .. }) if u == uri),
                "{uri}: {got:?}"
            );
        }
    }

    #[test]
    fn errors_name_the_value() {
        for error in [
            GenerateError::Domain {
                domain: "bad_domain".into(),
                error: NameError::InvalidChar('_'),
            },
            GenerateError::DomainTooLong("long.example".into()),
            GenerateError::Mx(PatternError::BareWildcard("*".into())),
            GenerateError::MaxAge(0),
            GenerateError::Rua {
                uri: "ftp://x".into(),
                reason: "no".into(),
            },
            GenerateError::Id("x-y".into()),
        ] {
            let text = error.to_string();
            assert!(
                ["bad_domain", "long.example", "\"*\"", "0", "ftp://x", "x-y"]
                    .iter()
                    .any(|v| text.contains(v)),
                "{text}"
            );
        }
    }
}
