//! The domain as users type it: `Example.COM.`, `user@example.com`, `https://example.com/path`,
//! `bücher.example`. Turned into the A-label name the check queries, or refused before any query.

use crate::name::{check_host_name, NameError};
use std::fmt;

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

/// The mail domain in `input`, lower case, in A-labels, without the root dot.
pub fn normalize_domain(input: &str) -> Result<String, InputError> {
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
    let text = text.strip_suffix('.').unwrap_or(text);
    if text.is_empty() {
        return Err(InputError::Empty);
    }
    if text.parse::<std::net::IpAddr>().is_ok() || text.starts_with('[') {
        return Err(InputError::IpAddress(text.to_string()));
    }
    let ascii = if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(text).map_err(|_| InputError::Idna(text.to_string()))?
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
    Ok(ascii)
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
            let got = normalize_domain(input);
            assert_eq!(got.as_deref().map_err(Clone::clone), want, "{input}");
        }
        for bad in [
            "exa mple.com",
            "under_score.example",
            "a..b",
            "-x.example",
            "1.2.3.4",
        ] {
            assert!(normalize_domain(bad).is_err(), "{bad}");
        }
    }
}
