//! The I/O the check needs, as traits each adapter implements once: DNS-over-HTTPS exchanges, the
//! policy fetch, and a clock. Futures are not `Send`: in browsers and Workers they are JS promises.
//!
//! Beside the traits, the contracts every adapter keeps: the default resolver
//! ([`DEFAULT_DOH_URL`]) and its media type ([`DNS_MESSAGE_MEDIA_TYPE`]), the time limits ([`DOH_TIME_LIMIT`], [`POLICY_FETCH_TIME_LIMIT`]), the
//! size limits ([`FETCH_READ_LIMIT`], and [`MAX_MESSAGE_LEN`](crate::dns::MAX_MESSAGE_LEN) for a
//! DNS answer), the policy URL ([`policy_url`]) and the JSON of a policy fetch relayed for a web
//! page ([`RelayedFetch`], the Worker's `GET /api/policy`).

use crate::tls_rpt::report::ResultType;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

/// The DoH resolver (RFC 8484) used when the caller names none: Cloudflare's public endpoint. It
/// answers CORS preflights, so it works from web pages too.
pub const DEFAULT_DOH_URL: &str = "https://cloudflare-dns.com/dns-query";

/// RFC 8484 §6: the media type of DNS messages over HTTPS, of the query and of the answer.
pub const DNS_MESSAGE_MEDIA_TYPE: &str = "application/dns-message";

/// How long one DNS-over-HTTPS exchange may take unless the caller says otherwise.
pub const DOH_TIME_LIMIT: Duration = Duration::from_secs(5);

/// RFC 8461 §3.3: senders give up on a policy fetch after at most 60 seconds (the RFC's
/// suggestion); a policy fetch, body included, is never allowed longer.
pub const POLICY_FETCH_TIME_LIMIT: Duration = Duration::from_secs(60);

/// The port policy hosts serve HTTPS on (RFC 8461 §3.3: an `https://` URL without a port).
pub const POLICY_HTTPS_PORT: u16 = 443;

/// Where RFC 8461 §3.3 puts the policy of `domain`: `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
pub fn policy_url(domain: &str) -> String {
    format!("{POLICY_URL_PREFIX}{domain}{POLICY_URL_PATH}")
}

/// The domain whose policy `url` is ([`policy_url`] read back); `None` for any other URL.
pub fn policy_domain(url: &str) -> Option<&str> {
    url.strip_prefix(POLICY_URL_PREFIX)
        .and_then(|rest| rest.strip_suffix(POLICY_URL_PATH))
        .filter(|domain| !domain.is_empty() && !domain.contains(['/', '?', '#']))
}

/// The policy URL around the domain.
const POLICY_URL_PREFIX: &str = "https://mta-sts.";
const POLICY_URL_PATH: &str = "/.well-known/mta-sts.txt";

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

    /// Whether [`fetch_at`](PolicyFetcher::fetch_at) connects to the addresses it is given. When
    /// it does, the check asks the policy host's A and AAAA records in its first round, beside
    /// the `_mta-sts` TXT and MX lookups, so the fetch needs no lookup of its own once the TXT
    /// record allows it: one round trip less on the critical path. An adapter whose platform
    /// resolves names itself (a browser's or a Worker's `fetch`) says no, the default, and the
    /// check asks nothing extra.
    fn takes_addresses(&self) -> bool {
        false
    }

    /// Fetches `url` from one of `addresses`, the policy host's as the check's own resolver
    /// answered them (empty when it had none: then the fetcher resolves the host itself, and
    /// says why it cannot). The host name still goes into SNI, the certificate check and `Host`.
    /// By default, [`fetch`](PolicyFetcher::fetch).
    fn fetch_at(
        &self,
        url: &str,
        addresses: &[IpAddr],
    ) -> impl Future<Output = Result<HttpReply, FetchError>> {
        let _ = addresses;
        self.fetch(url)
    }
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
    /// The query was not sent: the check's budget of this many DNS queries is spent
    /// ([`CheckLimits::max_dns_queries`](super::CheckLimits::max_dns_queries)).
    Budget(usize),
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
            TransportError::Budget(budget) => write!(
                f,
                "not sent: this check's budget of {budget} DNS queries is spent (a limit of the checker, not a fault of the domain)"
            ),
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

/// A policy fetch made on someone else's behalf, as JSON: what the Worker's `GET
/// /api/policy?domain=D` answers and what the web page reads back (a browser lets a page read
/// neither a redirect's status nor, without CORS headers, another origin's answer). One type on
/// both sides of that contract; the JSON names are the contract's (`docs/interfaces.md`).
///
/// ```json
/// {"body":"version: STSv1\r\n…","content_type":"text/plain","domain":"example.com",
///  "elapsed_ms":12.0,"headers":[["content-type","text/plain"]],"redirect":null,"status":200,
///  "truncated":false,"url":"https://mta-sts.example.com/.well-known/mta-sts.txt"}
/// {"domain":"example.com","elapsed_ms":3.0,"error":{"detail":"…","kind":"dns"},
///  "message":"the host does not resolve (…)","tlsrpt_result_type":"sts-policy-fetch-error",
///  "url":"https://mta-sts.example.com/.well-known/mta-sts.txt"}
/// ```
///
/// Reading is lenient about what only informs people (`domain`, `url`, `elapsed_ms`, `message`,
/// …): a missing one is empty. An answer carries `error` or it carries `status` and `body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelayedFetch {
    /// The domain whose policy was fetched.
    #[serde(default)]
    pub domain: String,
    /// The URL as fetched (with the port, when the relay fetches on another than 443).
    #[serde(default)]
    pub url: String,
    /// The HTTP answer, or why none came.
    #[serde(flatten)]
    pub outcome: RelayedOutcome,
    /// How long the fetch took, in milliseconds.
    #[serde(default)]
    pub elapsed_ms: f64,
}

/// What a relayed policy fetch came to: an HTTP answer of any status, or a failure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RelayedOutcome {
    /// The policy host answered.
    Answered(RelayedReply),
    /// No HTTP answer came.
    Failed(RelayedFailure),
}

/// The HTTP answer of a relayed policy fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayedReply {
    /// The status code, redirects included (they are never followed).
    pub status: u16,
    /// The `Content-Type` header, if any.
    #[serde(default)]
    pub content_type: Option<String>,
    /// The `Location` of a 3xx answer, if any.
    #[serde(default)]
    pub redirect: Option<String>,
    /// Every header, as `[name, value]` pairs.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced), at most [`FETCH_READ_LIMIT`] bytes of it.
    pub body: String,
    /// Whether the body went on past what was read.
    #[serde(default)]
    pub truncated: bool,
}

/// Why a relayed policy fetch got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayedFailure {
    /// The failure, as the core classes it.
    pub error: FetchError,
    /// The failure in words ([`FetchError`]'s `Display`).
    #[serde(default)]
    pub message: String,
    /// The TLS-RPT result type a sender would report (RFC 8460 §4.3).
    #[serde(default)]
    pub tlsrpt_result_type: String,
}

impl RelayedFetch {
    /// The relay's answer for the fetch of `url`, the policy of `domain`, that came to `result`
    /// in `elapsed_ms` milliseconds.
    pub fn new(
        domain: &str,
        url: &str,
        result: &Result<HttpReply, FetchError>,
        elapsed_ms: f64,
    ) -> RelayedFetch {
        let outcome = match result {
            Ok(reply) => RelayedOutcome::Answered(RelayedReply {
                status: reply.status,
                content_type: reply.header("content-type").map(str::to_string),
                redirect: reply.redirect().map(str::to_string),
                headers: reply.headers.clone(),
                body: String::from_utf8_lossy(&reply.body).into_owned(),
                truncated: reply.truncated,
            }),
            Err(error) => RelayedOutcome::Failed(RelayedFailure {
                error: error.clone(),
                message: error.to_string(),
                tlsrpt_result_type: error.tlsrpt_result_type().to_string(),
            }),
        };
        RelayedFetch {
            domain: domain.to_string(),
            url: url.to_string(),
            outcome,
            elapsed_ms,
        }
    }

    /// The fetch as the check sees it, bounded as a fetcher of its own would bound it: header
    /// names in lower case, at most [`FETCH_READ_LIMIT`] bytes of body (`truncated` past them).
    pub fn into_result(self) -> Result<HttpReply, FetchError> {
        match self.outcome {
            RelayedOutcome::Failed(failure) => Err(failure.error),
            RelayedOutcome::Answered(reply) => {
                let mut body = reply.body.into_bytes();
                let mut truncated = reply.truncated;
                if body.len() > FETCH_READ_LIMIT {
                    body.truncate(FETCH_READ_LIMIT);
                    truncated = true;
                }
                let headers = reply
                    .headers
                    .into_iter()
                    .map(|(name, value)| (name.to_ascii_lowercase(), value))
                    .collect();
                Ok(HttpReply {
                    status: reply.status,
                    headers,
                    body,
                    truncated,
                })
            }
        }
    }
}

/// Told apart by `error`: an answer that has one is a failure (an untagged enum would lose the
/// reason an `error` is not a [`FetchError`]).
impl<'de> Deserialize<'de> for RelayedOutcome {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = serde_json::Map::deserialize(deserializer)?;
        let fields = serde_json::Value::Object(fields);
        if fields.get("error").is_some() {
            RelayedFailure::deserialize(fields)
                .map(RelayedOutcome::Failed)
                .map_err(de::Error::custom)
        } else {
            RelayedReply::deserialize(fields)
                .map(RelayedOutcome::Answered)
                .map_err(de::Error::custom)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_urls() {
        for (url, want) in [
            (
                "https://mta-sts.example.com/.well-known/mta-sts.txt",
                Some("example.com"),
            ),
            ("https://mta-sts./.well-known/mta-sts.txt", None),
            ("https://mta-sts.a/b/.well-known/mta-sts.txt", None),
            ("https://mta-sts.a?b/.well-known/mta-sts.txt", None),
            ("http://mta-sts.example.com/.well-known/mta-sts.txt", None),
            ("https://example.com/.well-known/mta-sts.txt", None),
            ("https://mta-sts.example.com/", None),
        ] {
            assert_eq!(policy_domain(url), want, "{url}");
            if let Some(domain) = want {
                assert_eq!(policy_url(domain), url);
            }
        }
    }

    /// The relay's JSON, as the Worker writes it (through `serde_json::Value`, keys sorted), for
    /// both outcomes; and read back.
    #[test]
    fn relayed_fetches_as_json() {
        let url = "https://mta-sts.example.com/.well-known/mta-sts.txt";
        let answered = Ok(HttpReply {
            status: 301,
            headers: vec![
                ("content-type".into(), "text/plain".into()),
                ("location".into(), "https://example.com/".into()),
            ],
            body: b"moved\xff".to_vec(),
            truncated: false,
        });
        let failed = Err(FetchError::Tls {
            class: TlsErrorClass::Expired,
            detail: "x".into(),
        });
        for (result, json) in [
            (
                answered,
                concat!(
                    r#"{"body":"moved�","content_type":"text/plain","domain":"example.com","#,
                    r#""elapsed_ms":12.5,"headers":[["content-type","text/plain"],["location","https://example.com/"]],"#,
                    r#""redirect":"https://example.com/","status":301,"truncated":false,"#,
                    r#""url":"https://mta-sts.example.com/.well-known/mta-sts.txt"}"#
                ),
            ),
            (
                failed,
                concat!(
                    r#"{"domain":"example.com","elapsed_ms":12.5,"#,
                    r#""error":{"class":"expired","detail":"x","kind":"tls"},"#,
                    r#""message":"the certificate has expired or is not yet valid (x)","#,
                    r#""tlsrpt_result_type":"certificate-expired","#,
                    r#""url":"https://mta-sts.example.com/.well-known/mta-sts.txt"}"#
                ),
            ),
        ] {
            let relayed = RelayedFetch::new("example.com", url, &result, 12.5);
            let value = serde_json::to_value(&relayed).expect("serialisable");
            assert_eq!(value.to_string(), json);
            let read: RelayedFetch = serde_json::from_str(json).expect("readable");
            assert_eq!(read, relayed);
            let result = result.map(|mut reply| {
                reply.body = String::from_utf8_lossy(&reply.body)
                    .into_owned()
                    .into_bytes();
                reply
            });
            assert_eq!(read.into_result(), result);
        }
    }

    #[test]
    fn relayed_fetches_read_leniently() {
        let reply = |status, body: &str, truncated| {
            Ok(HttpReply {
                status,
                headers: Vec::new(),
                body: body.as_bytes().to_vec(),
                truncated,
            })
        };
        let long = "a".repeat(FETCH_READ_LIMIT + 10);
        let long_json = format!(r#"{{"status":200,"body":"{long}"}}"#);
        for (json, want) in [
            (r#"{"status":404,"body":""}"#, Ok(reply(404, "", false))),
            (
                r#"{"status":200,"headers":[["Content-Type","text/plain"]],"body":"v"}"#,
                Ok(Ok(HttpReply {
                    status: 200,
                    headers: vec![("content-type".into(), "text/plain".into())],
                    body: b"v".to_vec(),
                    truncated: false,
                })),
            ),
            (
                long_json.as_str(),
                Ok(reply(200, &long[..FETCH_READ_LIMIT], true)),
            ),
            (r#"{"error":{"kind":"timeout"}}"#, Ok(Err(FetchError::Timeout))),
            (
                r#"{"error":{"kind":"gremlins"}}"#,
                Err("unknown variant `gremlins`, expected one of `dns`, `tls`, `timeout`, `connect`, `refused`, `other`"),
            ),
            (r#"{"status":200}"#, Err("missing field `body`")),
            (r#"{"body":""}"#, Err("missing field `status`")),
        ] {
            let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
            let got = RelayedFetch::deserialize(value)
                .map(RelayedFetch::into_result)
                .map_err(|e| e.to_string());
            assert_eq!(got, want.map_err(str::to_string), "{json}");
        }
    }
}
