//! `NAME.smtp` files: the SMTP servers (port 25 stand-ins) of the scenario `NAME`.
//!
//! One server a line, `HOST ADDRESS [OPTION...]`; `;` starts a comment:
//!
//! ```text
//! ; host   address     options
//! mx1      127.0.0.21  cert=valid key=smtp/dane-current.key.pem
//! mx2      127.0.0.22  starttls=no
//! ```
//!
//! `HOST` is relative to `NAME` unless it ends with a dot. `ADDRESS` is an IPv4 address in
//! 127.0.0.0/8 other than 127.0.0.1 (the DoH and HTTPS servers' address), one server each; the
//! zone's A record for the host must give the same address. Options: `starttls=yes|no` (default
//! `yes`), `cert=valid|expired|wrong-name|untrusted` (default `valid`, see [`CertKind`]),
//! `key=PATH` (a PKCS #8 PEM key relative to the scenario directory, so that a TLSA `3 1 1`
//! record can name it; default a fresh key).

use std::fmt;
use std::net::Ipv4Addr;
use std::path::PathBuf;

use crate::certs::CertKind;

/// One SMTP server of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpHost {
    /// The MX host name, lower case, without the root dot.
    pub host: String,
    /// The loopback address it listens on.
    pub address: Ipv4Addr,
    /// Whether EHLO offers STARTTLS (RFC 3207).
    pub starttls: bool,
    /// The certificate presented after STARTTLS.
    pub cert: CertKind,
    /// The key file (relative to the scenario directory), when the key is fixed.
    pub key: Option<PathBuf>,
}

/// Why a `.smtp` file does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SmtpFileError {
    /// A line without a host and an address.
    MissingField {
        /// The 1-based line.
        line: usize,
    },
    /// An address that is not IPv4 loopback, or is 127.0.0.1.
    BadAddress {
        /// The 1-based line.
        line: usize,
        /// The address as written.
        address: String,
    },
    /// An option that is not one of those documented, or a bad value.
    BadOption {
        /// The 1-based line.
        line: usize,
        /// The option as written.
        option: String,
    },
}

impl fmt::Display for SmtpFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingField { line } => {
                write!(f, "line {line}: want \"HOST ADDRESS [OPTION...]\"")
            }
            Self::BadAddress { line, address } => write!(
                f,
                "line {line}: {address:?} is not an IPv4 loopback address other than 127.0.0.1"
            ),
            Self::BadOption { line, option } => write!(f, "line {line}: unknown option {option:?}"),
        }
    }
}

impl std::error::Error for SmtpFileError {}

/// Reads the `.smtp` file of the scenario `origin`.
pub fn parse_smtp_file(text: &str, origin: &str) -> Result<Vec<SmtpHost>, SmtpFileError> {
    let mut hosts = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.split(';').next().unwrap_or("");
        let mut words = content.split_whitespace();
        let Some(host) = words.next() else {
            continue;
        };
        let address = words.next().ok_or(SmtpFileError::MissingField { line })?;
        let address = address
            .parse::<Ipv4Addr>()
            .ok()
            .filter(|a| a.is_loopback() && *a != Ipv4Addr::LOCALHOST)
            .ok_or_else(|| SmtpFileError::BadAddress {
                line,
                address: address.to_string(),
            })?;
        let host = match host.strip_suffix('.') {
            Some(absolute) => absolute.to_ascii_lowercase(),
            None => format!("{host}.{origin}").to_ascii_lowercase(),
        };
        let mut server = SmtpHost {
            host,
            address,
            starttls: true,
            cert: CertKind::Valid,
            key: None,
        };
        for option in words {
            let bad = || SmtpFileError::BadOption {
                line,
                option: option.to_string(),
            };
            match option.split_once('=').ok_or_else(bad)? {
                ("starttls", "yes") => server.starttls = true,
                ("starttls", "no") => server.starttls = false,
                ("cert", kind) => server.cert = CertKind::from_name(kind).ok_or_else(bad)?,
                ("key", path) if !path.is_empty() => server.key = Some(PathBuf::from(path)),
                _ => return Err(bad()),
            }
        }
        hosts.push(server);
    }
    Ok(hosts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let text = "; comment\nmx1 127.0.0.21 cert=expired key=smtp/k.pem\n\nmx.other. 127.0.0.22 starttls=no ; no TLS\n";
        let hosts = parse_smtp_file(text, "s.test").unwrap();
        assert_eq!(hosts.len(), 2);
        assert_eq!(hosts[0].host, "mx1.s.test");
        assert_eq!(hosts[0].cert, CertKind::Expired);
        assert_eq!(hosts[0].key, Some(PathBuf::from("smtp/k.pem")));
        assert_eq!(hosts[1].host, "mx.other");
        assert!(!hosts[1].starttls);
        for (text, want) in [
            ("mx1\n", SmtpFileError::MissingField { line: 1 }),
            (
                "mx1 127.0.0.1\n",
                SmtpFileError::BadAddress {
                    line: 1,
                    address: "127.0.0.1".into(),
                },
            ),
            (
                "mx1 192.0.2.1\n",
                SmtpFileError::BadAddress {
                    line: 1,
                    address: "192.0.2.1".into(),
                },
            ),
            (
                "mx1 127.0.0.2 tls=1.1\n",
                SmtpFileError::BadOption {
                    line: 1,
                    option: "tls=1.1".into(),
                },
            ),
            (
                "mx1 127.0.0.2 cert=odd\n",
                SmtpFileError::BadOption {
                    line: 1,
                    option: "cert=odd".into(),
                },
            ),
        ] {
            assert_eq!(parse_smtp_file(text, "s.test"), Err(want), "{text:?}");
        }
    }
}
