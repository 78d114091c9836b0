//! DNS over HTTPS (RFC 8484) through the global `fetch`: the core's [`Resolver`]. The core builds
//! the queries and reads the answers; this only carries the bytes.

use crate::in_flight::{describe_error, Failure, InFlight};
use mtasts::check::{Resolver, TransportError, DNS_MESSAGE_MEDIA_TYPE, DOH_TIME_LIMIT};
use mtasts::dns::MAX_MESSAGE_LEN;
use std::fmt;
use std::time::Duration;
use web_sys::{Request, RequestInit};

/// A DoH client: every exchange is one `POST` (RFC 8484 §4.1), bounded in time (by default
/// [`DOH_TIME_LIMIT`]) and in size (an answer of at most [`MAX_MESSAGE_LEN`] bytes).
#[derive(Debug, Clone)]
pub struct DohResolver {
    url: String,
    time_limit: Duration,
}

/// A DoH endpoint that is not an `https://` (or `http://`) URL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DohUrlError {
    /// The URL as given.
    pub url: String,
}

impl fmt::Display for DohUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the DoH endpoint {:?} is not an https:// (or http://) URL",
            self.url
        )
    }
}

impl std::error::Error for DohUrlError {}

impl DohResolver {
    /// A resolver for `url`, which must be `https://` (or `http://`, for a local resolver).
    pub fn new(url: String) -> Result<DohResolver, DohUrlError> {
        let scheme = url
            .split_once("://")
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("https" | "http") => Ok(DohResolver {
                url,
                time_limit: DOH_TIME_LIMIT,
            }),
            _ => Err(DohUrlError { url }),
        }
    }

    /// The same resolver with another time limit for each exchange.
    pub fn with_time_limit(self, time_limit: Duration) -> DohResolver {
        DohResolver { time_limit, ..self }
    }

    async fn post(&self, query: &[u8]) -> Result<Vec<u8>, TransportError> {
        let failed = |failure: Failure| match failure {
            Failure::TimedOut => TransportError::Timeout,
            Failure::Failed(error) => {
                TransportError::Unreachable(format!("{} ({})", self.url, describe_error(&error)))
            }
        };
        let mut in_flight = InFlight::start(self.time_limit)
            .map_err(|e| TransportError::Other(describe_error(&e)))?;
        let init = RequestInit::new();
        init.set_method("POST");
        let headers = js_sys::Array::of2(
            &js_sys::Array::of2(&"content-type".into(), &DNS_MESSAGE_MEDIA_TYPE.into()),
            &js_sys::Array::of2(&"accept".into(), &DNS_MESSAGE_MEDIA_TYPE.into()),
        );
        init.set_headers(&headers);
        init.set_body(&js_sys::Uint8Array::from(query));
        init.set_signal(Some(&in_flight.signal()));
        let request = Request::new_with_str_and_init(&self.url, &init)
            .map_err(|e| TransportError::Other(format!("{} ({})", self.url, describe_error(&e))))?;
        let response = in_flight.fetch(&request).await.map_err(failed)?;
        if response.status() != 200 {
            return Err(TransportError::Http(response.status()));
        }
        let (body, truncated) = in_flight
            .read_body(&response, MAX_MESSAGE_LEN)
            .await
            .map_err(failed)?;
        if truncated {
            return Err(TransportError::Other(format!(
                "the answer from {} is over {MAX_MESSAGE_LEN} bytes",
                self.url
            )));
        }
        Ok(body)
    }
}

impl Resolver for DohResolver {
    async fn exchange(&self, query: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.post(&query).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        for (url, ok) in [
            ("https://cloudflare-dns.com/dns-query", true),
            ("HTTPS://dns.example/dns-query", true),
            ("http://127.0.0.1:8053/dns-query", true),
            ("ftp://127.0.0.1/", false),
            ("cloudflare-dns.com/dns-query", false),
            ("", false),
        ] {
            assert_eq!(DohResolver::new(url.to_string()).is_ok(), ok, "{url}");
        }
    }
}
