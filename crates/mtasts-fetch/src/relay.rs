//! The policy fetch through the Worker's `GET /api/policy?domain=D` ([`ProxyPolicyFetcher`]): how
//! the web page fetches a policy. A browser lets a page read neither a redirect's status nor,
//! without CORS headers, any answer of another origin, so the Worker fetches
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt` the way RFC 8461 §3.3 says and answers the
//! raw result as JSON, the core's [`RelayedFetch`]; this reads it back into what the check
//! expects.
//!
//! The Worker answers 200 with a [`RelayedFetch`] (an HTTP answer of any status, or why none
//! came), and 4xx or 5xx with `{ error: "<reason>", status }` when it refuses to fetch at all (not
//! a public name, too many checks from this client).

use crate::policy::get;
use mtasts::check::{
    policy_domain, FetchError, HttpReply, PolicyFetcher, RelayedFetch, FETCH_READ_LIMIT,
    POLICY_FETCH_TIME_LIMIT,
};
use serde::Deserialize;
use serde_json::Value;

/// The largest answer read from the proxy: a policy body of [`FETCH_READ_LIMIT`] bytes as a JSON
/// string (up to six bytes a byte, `\u0000`), and room for the headers.
const ANSWER_LIMIT: usize = FETCH_READ_LIMIT * 6 + (64 << 10);

/// The policy fetch through a proxy that speaks the Worker's `/api/policy` JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyPolicyFetcher {
    endpoint: String,
}

impl ProxyPolicyFetcher {
    /// A fetcher asking `endpoint` (e.g. `/api/policy`, relative to the page, or an absolute
    /// URL) with `?domain=<domain>`.
    pub fn new(endpoint: impl Into<String>) -> ProxyPolicyFetcher {
        ProxyPolicyFetcher {
            endpoint: endpoint.into(),
        }
    }

    /// The URL asked for the policy of `domain`.
    fn query_url(&self, domain: &str) -> String {
        let separator = if self.endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        let domain = String::from(js_sys::encode_uri_component(domain));
        format!("{}{separator}domain={domain}", self.endpoint)
    }
}

impl PolicyFetcher for ProxyPolicyFetcher {
    async fn fetch(&self, url: &str) -> Result<HttpReply, FetchError> {
        let domain = policy_domain(url).ok_or_else(|| FetchError::Refused {
            detail: format!("{url} is not an MTA-STS policy URL"),
        })?;
        let answer = get(
            &self.query_url(domain),
            POLICY_FETCH_TIME_LIMIT,
            ANSWER_LIMIT,
        )
        .await?;
        if answer.truncated {
            return Err(FetchError::Other {
                detail: format!(
                    "the answer of {} is over {ANSWER_LIMIT} bytes",
                    self.endpoint
                ),
            });
        }
        reply_from_answer(&self.endpoint, answer.status, &answer.body)
    }
}

/// What the proxy's answer (HTTP `status`, JSON `body`) says the policy host did.
fn reply_from_answer(endpoint: &str, status: u16, body: &[u8]) -> Result<HttpReply, FetchError> {
    let not_json = || FetchError::Other {
        detail: format!("{endpoint} answered HTTP {status} without the JSON of a policy fetch"),
    };
    let answer: Value = serde_json::from_slice(body).map_err(|_| not_json())?;
    // The proxy refused: not a public name (400), too many checks (429), or it failed.
    if let Some(Value::String(reason)) = answer.get("error") {
        let detail = format!("{endpoint}: {reason}");
        return Err(if (400..500).contains(&status) {
            FetchError::Refused { detail }
        } else {
            FetchError::Other { detail }
        });
    }
    let has_error = answer.get("error").is_some();
    let relayed = RelayedFetch::deserialize(answer).map_err(|e| {
        if has_error {
            FetchError::Other {
                detail: format!("{endpoint} answered an error that is not a fetch error: {e}"),
            }
        } else {
            not_json()
        }
    })?;
    // A failure relayed is the failure, whatever the status; an HTTP answer only comes with 200.
    if !has_error && status != 200 {
        return Err(not_json());
    }
    relayed.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mtasts::check::TlsErrorClass;

    const ENDPOINT: &str = "/api/policy";

    #[test]
    fn answers() {
        let ok = HttpReply {
            status: 200,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: b"version: STSv1\r\n".to_vec(),
            truncated: false,
        };
        let redirect = HttpReply {
            status: 301,
            headers: vec![("location".into(), "https://example.com/".into())],
            body: Vec::new(),
            truncated: false,
        };
        let refused = |detail: &str| FetchError::Refused {
            detail: detail.into(),
        };
        let other = |detail: &str| FetchError::Other {
            detail: detail.into(),
        };
        for (status, body, want) in [
            (
                200,
                r#"{"domain":"example.com","url":"https://mta-sts.example.com/.well-known/mta-sts.txt","status":200,"content_type":"text/plain","redirect":null,"headers":[["Content-Type","text/plain"]],"body":"version: STSv1\r\n","truncated":false,"elapsed_ms":12.5}"#,
                Ok(ok),
            ),
            (
                200,
                r#"{"status":301,"headers":[["location","https://example.com/"]],"body":"","truncated":false}"#,
                Ok(redirect),
            ),
            (
                200,
                r#"{"domain":"example.com","error":{"kind":"dns","detail":"NXDOMAIN"},"message":"…","tlsrpt_result_type":"sts-policy-fetch-error"}"#,
                Err(FetchError::Dns {
                    detail: "NXDOMAIN".into(),
                }),
            ),
            (
                200,
                r#"{"error":{"kind":"tls","class":"expired","detail":"x"}}"#,
                Err(FetchError::Tls {
                    class: TlsErrorClass::Expired,
                    detail: "x".into(),
                }),
            ),
            (200, r#"{"error":{"kind":"timeout"}}"#, Err(FetchError::Timeout)),
            (
                400,
                r#"{"error":"\"localhost\" is not a public domain name","status":400}"#,
                Err(refused(
                    "/api/policy: \"localhost\" is not a public domain name",
                )),
            ),
            (
                429,
                r#"{"error":"too many checks from this client; retry in 20 s","status":429,"detail":{"retry_after":20}}"#,
                Err(refused(
                    "/api/policy: too many checks from this client; retry in 20 s",
                )),
            ),
            (
                500,
                r#"{"error":"internal error","status":500}"#,
                Err(other("/api/policy: internal error")),
            ),
            (
                200,
                "<!doctype html><title>mtasts</title>",
                Err(other(
                    "/api/policy answered HTTP 200 without the JSON of a policy fetch",
                )),
            ),
            (
                404,
                r#"{"status":200,"body":""}"#,
                Err(other(
                    "/api/policy answered HTTP 404 without the JSON of a policy fetch",
                )),
            ),
            (
                200,
                r#"{"error":{"kind":"gremlins"}}"#,
                Err(other("/api/policy answered an error that is not a fetch error: unknown variant `gremlins`, expected one of `dns`, `tls`, `timeout`, `connect`, `refused`, `other`")),
            ),
        ] {
            assert_eq!(
                reply_from_answer(ENDPOINT, status, body.as_bytes()),
                want,
                "{body}"
            );
        }
    }

    #[test]
    fn a_body_past_the_read_limit_is_cut() {
        let body = "a".repeat(FETCH_READ_LIMIT + 10);
        let json = format!(r#"{{"status":200,"headers":[],"body":"{body}","truncated":false}}"#);
        let reply = reply_from_answer(ENDPOINT, 200, json.as_bytes());
        assert!(matches!(reply, Ok(r) if r.truncated && r.body.len() == FETCH_READ_LIMIT));
    }
}
