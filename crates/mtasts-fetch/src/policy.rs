//! The policy fetch of RFC 8461 §3.3 through the global `fetch` ([`PlatformFetcher`]), and a
//! bounded `GET` of any URL ([`get`]).

use crate::in_flight::{describe_error, InFlight};
use mtasts::check::{
    FetchError, HttpReply, PolicyFetcher, FETCH_READ_LIMIT, POLICY_FETCH_TIME_LIMIT,
    POLICY_HTTPS_PORT,
};
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Request, RequestInit, RequestRedirect, ResponseType};

/// The policy fetch over the platform's `fetch`: redirects not followed, at most
/// [`FETCH_READ_LIMIT`] bytes of body, within a time limit ([`POLICY_FETCH_TIME_LIMIT`] unless
/// told otherwise), on port 443 unless told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformFetcher {
    time_limit: Duration,
    https_port: u16,
}

impl Default for PlatformFetcher {
    fn default() -> Self {
        PlatformFetcher {
            time_limit: POLICY_FETCH_TIME_LIMIT,
            https_port: POLICY_HTTPS_PORT,
        }
    }
}

impl PlatformFetcher {
    /// The same fetcher with another time limit, body included (the Worker's `EDGE_TIMEOUT_MS`).
    pub fn with_time_limit(self, time_limit: Duration) -> PlatformFetcher {
        PlatformFetcher { time_limit, ..self }
    }

    /// The same fetcher connecting to `port` instead of 443: for test stand-ins and staging
    /// hosts only (the Worker's `EDGE_HTTPS_PORT`, the CLI's `--https-port`). The host name, and
    /// so SNI and the certificate check, stay the URL's.
    pub fn with_https_port(self, https_port: u16) -> PlatformFetcher {
        PlatformFetcher { https_port, ..self }
    }

    /// `url` as this fetcher fetches it: with its port (unchanged on the scheme's own).
    pub fn url_on_port(&self, url: &str) -> String {
        with_port(url, self.https_port)
    }
}

impl PolicyFetcher for PlatformFetcher {
    async fn fetch(&self, url: &str) -> Result<HttpReply, FetchError> {
        // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed"; the 3xx is the answer.
        request(
            &self.url_on_port(url),
            RequestRedirect::Manual,
            self.time_limit,
            FETCH_READ_LIMIT,
        )
        .await
    }
}

/// A `GET` of `url` through the platform's `fetch`, redirects followed, bounded in time
/// (`time_limit`, body included) and size (`limit` bytes of body are kept; `truncated` says
/// whether it went on). A relative `url` is fine in a web page. Any HTTP status is `Ok`.
pub async fn get(url: &str, time_limit: Duration, limit: usize) -> Result<HttpReply, FetchError> {
    request(url, RequestRedirect::Follow, time_limit, limit).await
}

async fn request(
    url: &str,
    redirect: RequestRedirect,
    time_limit: Duration,
    limit: usize,
) -> Result<HttpReply, FetchError> {
    let other = |error: JsValue| FetchError::Other {
        detail: describe_error(&error),
    };
    let mut in_flight = InFlight::start(time_limit).map_err(other)?;
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_redirect(redirect);
    init.set_signal(Some(&in_flight.signal()));
    let request = Request::new_with_str_and_init(url, &init).map_err(other)?;
    let response = in_flight
        .fetch(&request)
        .await
        .map_err(|f| f.into_fetch_error())?;
    if response.type_() == ResponseType::Opaqueredirect {
        // Browsers hide a redirect from the page (status 0, no headers): it was a redirect
        // to somewhere unknown. Node, Deno and workerd give the 3xx itself.
        return Ok(HttpReply {
            status: OPAQUE_REDIRECT_STATUS,
            ..HttpReply::default()
        });
    }
    let mut headers = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(response.headers().as_ref()) {
        headers.extend(entries.flatten().filter_map(|entry| header_pair(&entry)));
    }
    let (body, truncated) = in_flight
        .read_body(&response, limit)
        .await
        .map_err(|f| f.into_fetch_error())?;
    Ok(HttpReply {
        status: response.status(),
        headers,
        body,
        truncated,
    })
}

/// The status given to a redirect whose real status the browser hides (`302 Found`, the usual
/// one; the report shows no `Location`).
const OPAQUE_REDIRECT_STATUS: u16 = 302;

/// A `[name, value]` pair of strings as the core's header: the name in lower case, as the core
/// expects it. `None` for anything else.
pub fn header_pair(pair: &JsValue) -> Option<(String, String)> {
    let pair = pair.dyn_ref::<js_sys::Array>()?;
    if pair.length() != 2 {
        return None;
    }
    Some((
        pair.get(0).as_string()?.to_ascii_lowercase(),
        pair.get(1).as_string()?,
    ))
}

/// `url` with `port` in its authority, written as a URL parser would: no port when it is the
/// scheme's default. Unchanged when it already names that port, or is not an absolute URL.
fn with_port(url: &str, port: u16) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((userinfo, host_port)) => (Some(userinfo), host_port),
        None => (None, authority),
    };
    // An IPv6 literal has colons of its own: the port, if any, follows its `]`.
    let port_at = match host_port.rfind(']') {
        Some(bracket) => host_port
            .get(bracket..)
            .and_then(|tail| tail.find(':'))
            .map(|colon| bracket + colon),
        None => host_port.rfind(':'),
    };
    let (host, current) = match port_at {
        Some(colon) => (
            host_port.get(..colon).unwrap_or(host_port),
            host_port
                .get(colon + 1..)
                .and_then(|p| p.parse::<u16>().ok()),
        ),
        None => (host_port, None),
    };
    let default = match scheme.to_ascii_lowercase().as_str() {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    };
    if current.or(default) == Some(port) {
        return url.to_string();
    }
    let userinfo = userinfo.map(|u| format!("{u}@")).unwrap_or_default();
    let port = if default == Some(port) {
        String::new()
    } else {
        format!(":{port}")
    };
    format!("{scheme}://{userinfo}{host}{port}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_url_on_the_configured_port() {
        let url = "https://mta-sts.example.com/.well-known/mta-sts.txt";
        for (url, port, want) in [
            (url, 443, url),
            (
                url,
                8443,
                "https://mta-sts.example.com:8443/.well-known/mta-sts.txt",
            ),
            (
                "https://mta-sts.example.com:8443/x",
                8443,
                "https://mta-sts.example.com:8443/x",
            ),
            (
                "https://mta-sts.example.com:8443/x",
                443,
                "https://mta-sts.example.com/x",
            ),
            ("https://[::1]/x?y", 8443, "https://[::1]:8443/x?y"),
            (
                "https://u:p@example.com",
                8443,
                "https://u:p@example.com:8443",
            ),
            ("/api/policy", 8443, "/api/policy"),
        ] {
            let fetcher = PlatformFetcher::default().with_https_port(port);
            assert_eq!(fetcher.url_on_port(url), want, "{url} {port}");
        }
    }
}
