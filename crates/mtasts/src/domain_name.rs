//! [`DomainName`]: a domain name in the one spelling the crate uses (A-labels, lower case, no
//! root dot), built from what users type (`Example.COM.`, `user@example.com`,
//! `https://example.com/path`, `bücher.example`) or read from a DNS answer.

use crate::name::{check_host_name, without_root_dot, NameError, MAX_NAME_LEN};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A domain name: A-labels (RFC 5890 §2.3.2.1), lower case, without the root dot.
///
/// Built from user input with [`DomainName::from_input`] (which applies IDNA, RFC 5891, and
/// checks host-name syntax), from a name a DNS answer carries with [`DomainName::from_wire`], or
/// from a name under another with [`DomainName::child`]. Serialised as the string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DomainName(String);

/// Why the input is not a mail domain.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputError {
    /// Nothing was typed.
    Empty,
    /// An IP address, not a domain.
    IpAddress(String),
    /// A single label such as `localhost`: not a public mail domain.
    SingleLabel(String),
    /// Internationalized input that IDNA refuses.
    Idna(String),
    /// Not a host name.
    Name {
        /// What was typed.
        input: String,
        /// What is wrong.
        error: NameError,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Empty => write!(f, "no domain given"),
            InputError::IpAddress(s) => {
                write!(
                    f,
                    "{s:?} is an IP address; give the mail domain, e.g. example.com"
                )
            }
            InputError::SingleLabel(s) => write!(
                f,
                "{s:?} is a single label; give a public mail domain, e.g. example.com"
            ),
            InputError::Idna(s) => write!(f, "{s:?} is not a valid internationalized domain name"),
            InputError::Name { input, error } => write!(f, "{input:?} is not a domain: {error}"),
        }
    }
}

impl std::error::Error for InputError {}

impl DomainName {
    /// The mail domain in `input` as a user typed it: the host of a URL, the domain of an
    /// address, a name with or without the root dot, in any case, with U-labels or A-labels.
    /// Refused: nothing, IP addresses, single labels, and what is not a host name
    /// (RFC 5321 §4.1.2, RFC 1123 §2.1).
    pub fn from_input(input: &str) -> Result<DomainName, InputError> {
        let mut text = input.trim();
        // A URL: keep the authority's host.
        if let Some((scheme, rest)) = text.split_once("://") {
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            {
                text = rest.split(['/', '?', '#']).next().unwrap_or("");
                text = text.rsplit_once('@').map_or(text, |(_, host)| host);
                if !text.starts_with('[') {
                    text = text.split_once(':').map_or(text, |(host, _)| host);
                }
            }
        }
        // An address: keep the domain after the last `@`.
        if let Some((_, domain)) = text.rsplit_once('@') {
            text = domain;
        }
        let text = without_root_dot(text);
        if text.is_empty() {
            return Err(InputError::Empty);
        }
        if text.parse::<std::net::IpAddr>().is_ok() || text.starts_with('[') {
            return Err(InputError::IpAddress(text.to_string()));
        }
        let ascii = if text.is_ascii() {
            text.to_ascii_lowercase()
        } else {
            to_ascii(text)?
        };
        check_host_name(&ascii).map_err(|error| match error {
            NameError::IpAddress => InputError::IpAddress(ascii.clone()),
            error => InputError::Name {
                input: input.trim().to_string(),
                error,
            },
        })?;
        if !ascii.contains('.') {
            return Err(InputError::SingleLabel(ascii));
        }
        Ok(DomainName(ascii))
    }

    /// A name as a DNS answer or a record carries it: lower-cased and without the root dot,
    /// its labels otherwise as they are (a zone may hold any octets, RFC 2181 §11), so that
    /// the report shows what senders see. The root itself stays `.` (an MX of `.` beside
    /// others is shown as such).
    pub fn from_wire(name: &str) -> DomainName {
        if name == "." {
            return DomainName(name.to_string());
        }
        DomainName(without_root_dot(name).to_ascii_lowercase())
    }

    /// The name `label.self`, e.g. `_mta-sts.example.com` or `mta-sts.example.com`.
    pub fn child(&self, label: &str) -> DomainName {
        if self.0 == "." {
            return DomainName::from_wire(label);
        }
        DomainName::from_wire(&format!("{label}.{}", self.0))
    }

    /// A domain that a public service may look up or fetch from: exactly a bare name (no URL,
    /// port, address, userinfo or path), passed through [`DomainName::from_input`], and then
    /// [`DomainName::check_public`].
    pub fn from_public_input(
        input: &str,
        refused_suffixes: &[&str],
    ) -> Result<DomainName, PublicNameError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(PublicNameError::Empty);
        }
        if text.len() > MAX_NAME_LEN {
            return Err(PublicNameError::TooLong);
        }
        if let Some(c) = text.chars().find(|c| {
            matches!(c, '/' | ':' | '@' | '?' | '#' | '[' | ']' | '\\' | '%')
                || c.is_whitespace()
                || c.is_control()
        }) {
            return Err(PublicNameError::NotBare(c));
        }
        let domain = DomainName::from_input(text).map_err(PublicNameError::Input)?;
        domain.check_public(refused_suffixes)?;
        Ok(domain)
    }

    /// Whether the name looks public: not an IP address in any spelling (every label numeric
    /// or `0x…`, as `inet_aton` reads them), no numeric top-level label (RFC 3696 §2), and not
    /// `refused_suffixes` nor under one (e.g. `localhost`, `local`, `internal`, `home.arpa`:
    /// RFC 6761 §6.3, RFC 6762, RFC 8375).
    pub fn check_public(&self, refused_suffixes: &[&str]) -> Result<(), PublicNameError> {
        let name = self.as_str();
        if name
            .split('.')
            .all(|l| l.bytes().all(|b| b.is_ascii_digit()) || l.starts_with("0x"))
        {
            return Err(PublicNameError::IpAddress(self.clone()));
        }
        let last = name.rsplit('.').next().unwrap_or("");
        if last.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PublicNameError::NumericTld(self.clone()));
        }
        for suffix in refused_suffixes.iter().map(|s| s.trim().trim_matches('.')) {
            if suffix.is_empty() {
                continue;
            }
            if self.is_under(suffix) {
                return Err(PublicNameError::Internal {
                    domain: self.clone(),
                    suffix: suffix.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Whether the name is `suffix` or a name under it (label-wise, case-insensitive).
    pub fn is_under(&self, suffix: &str) -> bool {
        let name = self.as_str();
        let suffix = without_root_dot(suffix);
        name.eq_ignore_ascii_case(suffix)
            || name.len() > suffix.len()
                && name
                    .get(name.len() - suffix.len()..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
                && name.as_bytes().get(name.len() - suffix.len() - 1) == Some(&b'.')
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<DomainName> for String {
    fn from(name: DomainName) -> String {
        name.0
    }
}

impl AsRef<str> for DomainName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for DomainName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for DomainName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl Serialize for DomainName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Read back as [`DomainName::from_wire`] reads a name: reports carry names from DNS answers.
impl<'de> Deserialize<'de> for DomainName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(DomainName::from_wire(&String::deserialize(deserializer)?))
    }
}

/// Why a name is not one a public service should touch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicNameError {
    /// Nothing was given.
    Empty,
    /// Longer than a name can be (RFC 1035 §2.3.4).
    TooLong,
    /// A character of a URL, a port, an address or userinfo, whitespace or a control character.
    NotBare(char),
    /// Not a domain at all.
    Input(InputError),
    /// Every label numeric (or hexadecimal): an IP address.
    IpAddress(DomainName),
    /// The top-level label is numeric.
    NumericTld(DomainName),
    /// An internal name: one of the refused suffixes, or under one.
    Internal {
        /// The name.
        domain: DomainName,
        /// The suffix it is under.
        suffix: String,
    },
}

impl fmt::Display for PublicNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicNameError::Empty => write!(f, "no domain given"),
            PublicNameError::TooLong => {
                write!(f, "the domain is longer than {MAX_NAME_LEN} characters")
            }
            PublicNameError::NotBare(c) => write!(
                f,
                "give a bare domain name: {c:?} is not allowed (no URL, port, address or userinfo)"
            ),
            PublicNameError::Input(e) => write!(f, "not a public domain: {e}"),
            PublicNameError::IpAddress(d) => write!(f, "{:?} looks like an IP address", d.as_str()),
            PublicNameError::NumericTld(d) => {
                write!(f, "{:?} has a numeric top-level label", d.as_str())
            }
            PublicNameError::Internal { domain, suffix } => write!(
                f,
                "{:?} is an internal name (.{suffix}), not a public domain",
                domain.as_str()
            ),
        }
    }
}

impl std::error::Error for PublicNameError {}

/// A non-ASCII name in A-labels, by UTS #46 (feature `uts46`).
#[cfg(feature = "uts46")]
fn to_ascii(text: &str) -> Result<String, InputError> {
    idna::domain_to_ascii(text).map_err(|_| InputError::Idna(text.to_string()))
}

/// Without the `uts46` feature, a non-ASCII name is refused: the caller maps it first.
#[cfg(not(feature = "uts46"))]
fn to_ascii(text: &str) -> Result<String, InputError> {
    Err(InputError::Idna(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_as_users_type_them() {
        for (input, want) in [
            ("example.com", Ok("example.com")),
            ("  Example.COM.  ", Ok("example.com")),
            ("user@example.com", Ok("example.com")),
            ("postmaster@Mail.Example.com", Ok("mail.example.com")),
            ("https://example.com/path?q=1", Ok("example.com")),
            ("https://example.com:8443/", Ok("example.com")),
            ("http://user:pw@example.com/", Ok("example.com")),
            ("bücher.example", Ok("xn--bcher-kva.example")),
            ("BÜCHER.example", Ok("xn--bcher-kva.example")),
            ("", Err(InputError::Empty)),
            ("https://", Err(InputError::Empty)),
            ("192.0.2.1", Err(InputError::IpAddress("192.0.2.1".into()))),
            (
                "[2001:db8::1]",
                Err(InputError::IpAddress("[2001:db8::1]".into())),
            ),
            (
                "localhost",
                Err(InputError::SingleLabel("localhost".into())),
            ),
        ] {
            let got = DomainName::from_input(input);
            assert_eq!(
                got.as_ref().map(DomainName::as_str).map_err(Clone::clone),
                want,
                "{input}"
            );
        }
        for bad in [
            "exa mple.com",
            "under_score.example",
            "a..b",
            "-x.example",
            "1.2.3.4",
        ] {
            assert!(DomainName::from_input(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn public_names() {
        const REFUSED: &[&str] = &["localhost", "local", "internal", "home.arpa", "test"];
        let name = |s: &str| DomainName::from_wire(s);
        for (input, want) in [
            ("example.com", Ok("example.com")),
            ("Example.COM.", Ok("example.com")),
            ("bücher.example", Ok("xn--bcher-kva.example")),
            (
                "localhost",
                Err(PublicNameError::Input(InputError::SingleLabel(
                    "localhost".into(),
                ))),
            ),
            (
                "foo.localhost",
                Err(PublicNameError::Internal {
                    domain: name("foo.localhost"),
                    suffix: "localhost".into(),
                }),
            ),
            (
                "router.home.arpa",
                Err(PublicNameError::Internal {
                    domain: name("router.home.arpa"),
                    suffix: "home.arpa".into(),
                }),
            ),
            (
                "2130706433",
                Err(PublicNameError::Input(InputError::IpAddress(
                    "2130706433".into(),
                ))),
            ),
            (
                "0x7f.0x0.0x0.0x1",
                Err(PublicNameError::IpAddress(name("0x7f.0x0.0x0.0x1"))),
            ),
            (
                "1.2.3.4.5",
                Err(PublicNameError::Input(InputError::IpAddress(
                    "1.2.3.4.5".into(),
                ))),
            ),
            (
                "mail.123",
                Err(PublicNameError::Input(InputError::IpAddress(
                    "mail.123".into(),
                ))),
            ),
            ("[::1]", Err(PublicNameError::NotBare('['))),
            ("example.com:8443", Err(PublicNameError::NotBare(':'))),
            ("user@example.com", Err(PublicNameError::NotBare('@'))),
            ("example.com%2f..", Err(PublicNameError::NotBare('%'))),
            ("exa mple.com", Err(PublicNameError::NotBare(' '))),
            ("", Err(PublicNameError::Empty)),
            (&"a".repeat(254), Err(PublicNameError::TooLong)),
        ] {
            let got = DomainName::from_public_input(input, REFUSED);
            assert_eq!(
                got.as_ref().map(DomainName::as_str).map_err(Clone::clone),
                want,
                "{input:?}"
            );
        }
        assert!(DomainName::from_public_input("x.test", &["local"]).is_ok());
        assert_eq!(
            name("Example.COM.").child("_mta-sts"),
            "_mta-sts.example.com"
        );
        assert_eq!(name(".").child("_25._tcp"), "_25._tcp");
        assert!(!name("notlocal").is_under("local"));
        assert!(name("a.Local").is_under("local."));
    }
}
