//! Host-name syntax: the `Domain` of RFC 5321 §4.1.2 in A-label form, as MTA-STS `mx` patterns,
//! TLS-RPT `rua` hosts and the generator's inputs need it.
//!
//! Only syntax is checked here; nothing is looked up.

use std::fmt;

/// RFC 1035 §2.3.4: a label holds at most 63 octets.
pub const MAX_LABEL_LEN: usize = 63;
/// RFC 1035 §2.3.4: a name (in text, without the root dot) holds at most 253 octets.
pub const MAX_NAME_LEN: usize = 253;

/// Why a string is not a host name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty.
    Empty,
    /// The name ends with a dot (a fully qualified zone-file spelling).
    TrailingDot,
    /// Two dots in a row, or a leading dot.
    EmptyLabel,
    /// A label over 63 octets.
    LabelTooLong(String),
    /// The whole name over 253 octets.
    TooLong(usize),
    /// A character outside letters, digits and `-` (e.g. `_`, `*`, a space).
    InvalidChar(char),
    /// A non-ASCII character: the name must be written as A-labels (`xn--…`).
    NotAscii(char),
    /// A label that starts or ends with `-`.
    HyphenAtEdge(String),
    /// The top-level label is all digits: an IP address, not a host name.
    IpAddress,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => write!(f, "the name is empty"),
            NameError::TrailingDot => write!(f, "the name ends with a dot"),
            NameError::EmptyLabel => write!(f, "the name has an empty label"),
            NameError::LabelTooLong(label) => {
                write!(
                    f,
                    "label {label:?} is longer than {MAX_LABEL_LEN} characters"
                )
            }
            NameError::TooLong(len) => {
                write!(
                    f,
                    "the name is {len} characters long, more than {MAX_NAME_LEN}"
                )
            }
            NameError::InvalidChar(c) => write!(f, "{c:?} is not allowed in a host name"),
            NameError::NotAscii(c) => write!(
                f,
                "{c:?} is not ASCII: write internationalized names as A-labels (xn--…)"
            ),
            NameError::HyphenAtEdge(label) => {
                write!(f, "label {label:?} starts or ends with a hyphen")
            }
            NameError::IpAddress => write!(f, "an IP address is not a host name"),
        }
    }
}

impl std::error::Error for NameError {}

/// `name` without the root dot of its fully qualified spelling: `example.com.` → `example.com`,
/// `.` → the empty root. The one place the crate drops it (RFC 1034 §3.1: names in the DNS end
/// with the root's empty label; the crate spells them without it).
pub fn without_root_dot(name: &str) -> &str {
    name.strip_suffix('.').unwrap_or(name)
}

/// Checks that `name` is a host name: dot-separated labels of letters, digits and inner hyphens
/// (RFC 5321 §4.1.2 `Domain`, RFC 1123 §2.1), A-labels for internationalized names, no trailing
/// dot, and not an IP address.
pub fn check_host_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong(name.len()));
    }
    if name.ends_with('.') && name.len() > 1 {
        return Err(NameError::TrailingDot);
    }
    let mut last = "";
    for label in name.split('.') {
        check_label(label)?;
        last = label;
    }
    // RFC 3696 §2: a top-level domain is never all-numeric, so `1.2.3.4` is an address.
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NameError::IpAddress);
    }
    Ok(())
}

/// Checks one label of a host name.
pub fn check_label(label: &str) -> Result<(), NameError> {
    if label.is_empty() {
        return Err(NameError::EmptyLabel);
    }
    if label.len() > MAX_LABEL_LEN {
        return Err(NameError::LabelTooLong(label.to_string()));
    }
    if let Some(c) = label.chars().find(|c| !c.is_ascii()) {
        return Err(NameError::NotAscii(c));
    }
    if let Some(c) = label
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(NameError::InvalidChar(c));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(NameError::HyphenAtEdge(label.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        let long_label = "a".repeat(64);
        let long_name = ["abcdefghi"; 26].join(".");
        for (name, want) in [
            ("mail.example.com", Ok(())),
            ("MX1.Example.COM", Ok(())),
            ("xn--bcher-kva.example", Ok(())),
            ("localhost", Ok(())),
            ("a-b.example", Ok(())),
            ("3com.example", Ok(())),
            ("", Err(NameError::Empty)),
            ("mail.example.com.", Err(NameError::TrailingDot)),
            ("mail..example.com", Err(NameError::EmptyLabel)),
            (".example.com", Err(NameError::EmptyLabel)),
            ("mx_1.example.com", Err(NameError::InvalidChar('_'))),
            ("*.example.com", Err(NameError::InvalidChar('*'))),
            ("bücher.example", Err(NameError::NotAscii('ü'))),
            ("-a.example", Err(NameError::HyphenAtEdge("-a".into()))),
            ("1.2.3.4", Err(NameError::IpAddress)),
            ("[1.2.3.4]", Err(NameError::InvalidChar('['))),
            (
                &long_label,
                Err(NameError::LabelTooLong(long_label.clone())),
            ),
            (&long_name, Err(NameError::TooLong(long_name.len()))),
        ] {
            assert_eq!(check_host_name(name), want, "{name}");
        }
    }
}
