//! The core check's I/O over the Worker's `fetch`: a DNS-over-HTTPS [`Resolver`] (RFC 8484), a
//! [`PolicyFetcher`] that follows no redirect (RFC 8461 §3.3), and a [`Clock`]. Written here
//! because the npm crate's browser adapters are private to it; each is a thin shell.

use futures_util::future::{select, Either};
use futures_util::StreamExt;
use mtasts::check::{
    Clock, FetchError, HttpReply, PolicyFetcher, Resolver, TlsErrorClass, TransportError,
};
use std::pin::pin;
use std::time::Duration;
use worker::{
    AbortController, Delay, Fetch, Headers, Method, Request, RequestInit, RequestRedirect,
    Response, Url,
};

/// The most bytes of a DNS answer read.
const MAX_DNS_ANSWER: usize = 64 * 1024;

/// Milliseconds from `Date.now()` (in Workers it advances only across I/O, which is what the
/// step timings measure).
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkerClock;

impl Clock for WorkerClock {
    fn now_ms(&self) -> u64 {
        let now = js_sys::Date::now();
        if now.is_finite() && now > 0.0 {
            now as u64
        } else {
            0
        }
    }
}

/// DNS over HTTPS with `POST application/dns-message` (RFC 8484 §4.1).
#[derive(Debug, Clone)]
pub struct DohResolver {
    /// The DoH endpoint, e.g. `https://cloudflare-dns.com/dns-query`.
    pub url: String,
    /// The time limit of one exchange.
    pub timeout: Duration,
}

impl Resolver for DohResolver {
    async fn exchange(&self, query: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let headers = Headers::new();
        let other = |e: worker::Error| TransportError::Other(e.to_string());
        headers
            .set("content-type", "application/dns-message")
            .map_err(other)?;
        headers
            .set("accept", "application/dns-message")
            .map_err(other)?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(js_sys::Uint8Array::from(query.as_slice()).into()));
        let request = Request::new_with_init(&self.url, &init).map_err(other)?;
        match timed_fetch(request, self.timeout, MAX_DNS_ANSWER).await {
            Ok((response, body, truncated)) => {
                if response.status_code() != 200 {
                    return Err(TransportError::Http(response.status_code()));
                }
                if truncated {
                    return Err(TransportError::Other("the DNS answer is too large".into()));
                }
                Ok(body)
            }
            Err(Failure::TimedOut) => Err(TransportError::Timeout),
            Err(Failure::Failed(why)) => Err(TransportError::Unreachable(why)),
        }
    }
}

/// The policy fetch: `GET`, no redirect followed, a bounded body and time.
#[derive(Debug, Clone)]
pub struct WorkerFetcher {
    /// The time limit, body included.
    pub timeout: Duration,
    /// The most body bytes read (one more tells "over the limit").
    pub max_body: usize,
    /// The port connected to: 443 but for test stand-ins and staging hosts (the CLI's
    /// `--https-port`). The host name, and so SNI and the certificate check, stay the URL's.
    pub https_port: u16,
}

impl WorkerFetcher {
    /// `url` with this fetcher's port (unchanged on 443, the scheme's default).
    pub fn url_on_port(&self, url: &str) -> String {
        let Ok(mut parsed) = Url::parse(url) else {
            return url.to_string();
        };
        if parsed.port_or_known_default() == Some(self.https_port)
            || parsed.set_port(Some(self.https_port)).is_err()
        {
            return url.to_string();
        }
        parsed.into()
    }
}

impl PolicyFetcher for WorkerFetcher {
    async fn fetch(&self, url: &str) -> Result<HttpReply, FetchError> {
        let url = self.url_on_port(url);
        let url = url.as_str();
        let mut init = RequestInit::new();
        // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed".
        init.with_method(Method::Get)
            .with_redirect(RequestRedirect::Manual);
        let request = Request::new_with_init(url, &init).map_err(|e| FetchError::Other {
            detail: e.to_string(),
        })?;
        match timed_fetch(request, self.timeout, self.max_body).await {
            Ok((response, body, truncated)) => {
                let headers = response
                    .headers()
                    .entries()
                    .map(|(name, value)| (name.to_ascii_lowercase(), value))
                    .collect();
                Ok(HttpReply {
                    status: response.status_code(),
                    headers,
                    body,
                    truncated,
                })
            }
            Err(Failure::TimedOut) => Err(FetchError::Timeout),
            Err(Failure::Failed(why)) => Err(classify(why)),
        }
    }
}

/// Why a fetch gave no answer.
enum Failure {
    TimedOut,
    Failed(String),
}

/// Sends `request` and reads up to `max_body` bytes of the answer within `timeout`; aborts the
/// fetch when the time is up.
async fn timed_fetch(
    request: Request,
    timeout: Duration,
    max_body: usize,
) -> Result<(Response, Vec<u8>, bool), Failure> {
    let controller = AbortController::default();
    let signal = controller.signal();
    let work = async {
        let mut response = Fetch::Request(request)
            .send_with_signal(&signal)
            .await
            .map_err(|e| Failure::Failed(e.to_string()))?;
        let mut body = Vec::new();
        let mut truncated = false;
        if let Ok(mut stream) = response.stream() {
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| Failure::Failed(e.to_string()))?;
                let room = max_body.saturating_sub(body.len());
                if chunk.len() > room {
                    body.extend_from_slice(chunk.get(..room).unwrap_or_default());
                    truncated = true;
                    break;
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok((response, body, truncated))
    };
    let delay = Delay::from(timeout);
    let outcome = match select(pin!(work), pin!(delay)).await {
        Either::Left((result, _)) => result,
        Either::Right(((), _)) => {
            controller.abort();
            Err(Failure::TimedOut)
        }
    };
    outcome
}

/// Maps workerd's fetch error text to the core's classes (and so to TLS-RPT result types).
fn classify(why: String) -> FetchError {
    let lower = why.to_ascii_lowercase();
    if lower.contains("certificate") && lower.contains("expired") {
        FetchError::Tls {
            class: TlsErrorClass::Expired,
            detail: why,
        }
    } else if lower.contains("hostname") && lower.contains("certificate") {
        FetchError::Tls {
            class: TlsErrorClass::WrongName,
            detail: why,
        }
    } else if lower.contains("certificate") {
        FetchError::Tls {
            class: TlsErrorClass::Untrusted,
            detail: why,
        }
    } else if lower.contains("tls") || lower.contains("ssl") || lower.contains("handshake") {
        FetchError::Tls {
            class: TlsErrorClass::Handshake,
            detail: why,
        }
    } else if lower.contains("dns") || lower.contains("resolve") || lower.contains("not found") {
        FetchError::Dns { detail: why }
    } else {
        FetchError::Connect { detail: why }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_url_on_the_configured_port() {
        let url = "https://mta-sts.example.com/.well-known/mta-sts.txt";
        for (port, want) in [
            (443, url),
            (
                8443,
                "https://mta-sts.example.com:8443/.well-known/mta-sts.txt",
            ),
        ] {
            let fetcher = WorkerFetcher {
                timeout: Duration::from_secs(1),
                max_body: 1,
                https_port: port,
            };
            assert_eq!(fetcher.url_on_port(url), want, "{port}");
        }
    }
}
