//! The I/O the check needs, as traits each adapter implements once: DNS-over-HTTPS exchanges, the
//! policy fetch, and a clock. Futures are not `Send`: in browsers and Workers they are JS promises.

use crate::tls_rpt::report::ResultType;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::Future;

/// Sends one DNS query in wire format and returns the answer in wire format (RFC 8484).
pub trait Resolver {
    /// Exchanges one message. The adapter bounds the time (and says so with
    /// [`TransportError::Timeout`]) and the size of the answer.
    fn exchange(&self, query: Vec<u8>) -> impl Future<Output = Result<Vec<u8>, TransportError>>;
}

/// Fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt` the way RFC 8461 §3.3 says: no
/// redirects followed, a bounded body, a bounded time.
pub trait PolicyFetcher {
    /// Fetches `url`. An HTTP answer of any status is `Ok`; `Err` means no HTTP answer came.
    fn fetch(&self, url: &str) -> impl Future<Output = Result<HttpReply, FetchError>>;
}

/// The current time, for step timings. The core never reads a clock itself.
pub trait Clock {
    /// Milliseconds since any fixed point (only differences are used).
    fn now_ms(&self) -> u64;
}

/// The most a fetcher needs to read of a policy body: the largest cap of any sender profile
/// (Stalwart reads up to 1 MiB), plus one byte to tell "exactly the cap" from "over it".
pub const FETCH_READ_LIMIT: usize = (1 << 20) + 1;

/// Why a DNS exchange failed below the DNS layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum TransportError {
    /// No answer within the adapter's time limit.
    Timeout,
    /// The resolver could not be reached.
    Unreachable(String),
    /// The resolver answered with an HTTP status other than 200.
    Http(u16),
    /// Anything else.
    Other(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Timeout => write!(f, "the DNS resolver did not answer in time"),
            TransportError::Unreachable(why) => {
                write!(f, "the DNS resolver cannot be reached: {why}")
            }
            TransportError::Http(status) => write!(f, "the DNS resolver answered HTTP {status}"),
            TransportError::Other(why) => write!(f, "the DNS exchange failed: {why}"),
        }
    }
}

/// An HTTP answer to the policy fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpReply {
    /// The status code.
    pub status: u16,
    /// The headers, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body, at most [`FETCH_READ_LIMIT`] bytes.
    #[serde(with = "body_text")]
    pub body: Vec<u8>,
    /// Whether the body went on past what was read.
    pub truncated: bool,
}

impl HttpReply {
    /// The first header of that (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `Location` of a redirect.
    pub fn redirect(&self) -> Option<&str> {
        if (300..400).contains(&self.status) {
            self.header("location")
        } else {
            None
        }
    }
}

/// The class of a TLS failure, as far as the adapter can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsErrorClass {
    /// The certificate has expired or is not yet valid.
    Expired,
    /// The certificate does not name the host.
    WrongName,
    /// The certificate does not chain to a trusted root.
    Untrusted,
    /// The handshake failed for another reason.
    Handshake,
}

/// Why no HTTP answer came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FetchError {
    /// The host name does not resolve.
    Dns {
        /// What the resolver said.
        detail: String,
    },
    /// The TLS connection failed.
    Tls {
        /// What kind of failure.
        class: TlsErrorClass,
        /// The TLS library's words.
        detail: String,
    },
    /// No complete answer in time.
    Timeout,
    /// The TCP connection failed.
    Connect {
        /// Why.
        detail: String,
    },
    /// The fetch was refused before it started (e.g. by a proxy's rules).
    Refused {
        /// Why.
        detail: String,
    },
    /// Anything else.
    Other {
        /// Why.
        detail: String,
    },
}

impl FetchError {
    /// The TLS-RPT result type a sender would report for this failure (RFC 8460 §4.3).
    pub fn tlsrpt_result_type(&self) -> ResultType {
        match self {
            FetchError::Tls {
                class: TlsErrorClass::Expired,
                ..
            } => ResultType::CertificateExpired,
            FetchError::Tls {
                class: TlsErrorClass::WrongName,
                ..
            } => ResultType::CertificateHostMismatch,
            FetchError::Tls {
                class: TlsErrorClass::Untrusted,
                ..
            } => ResultType::CertificateNotTrusted,
            FetchError::Tls { .. } => ResultType::ValidationFailure,
            _ => ResultType::StsPolicyFetchError,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Dns { detail } => write!(f, "the host does not resolve ({detail})"),
            FetchError::Tls { class, detail } => {
                let what = match class {
                    TlsErrorClass::Expired => "the certificate has expired or is not yet valid",
                    TlsErrorClass::WrongName => "the certificate does not name the host",
                    TlsErrorClass::Untrusted => "the certificate does not chain to a trusted root",
                    TlsErrorClass::Handshake => "the TLS handshake failed",
                };
                write!(f, "{what} ({detail})")
            }
            FetchError::Timeout => write!(f, "no complete answer in time"),
            FetchError::Connect { detail } => write!(f, "the connection failed ({detail})"),
            FetchError::Refused { detail } => write!(f, "the fetch was refused ({detail})"),
            FetchError::Other { detail } => write!(f, "{detail}"),
        }
    }
}

/// Bodies cross JSON as text (lossy for invalid UTF-8): the policy is text by definition.
mod body_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(body))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}
