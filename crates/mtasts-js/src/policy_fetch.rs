//! The policy fetch of RFC 8461 §3.3, two ways: through the global `fetch` ([`PlatformFetcher`]),
//! or through the caller's `fetchPolicy` function ([`CallerFetcher`]), which is how a web page
//! routes it through a server of its own (browsers let a page read neither the status of a
//! redirect nor, without CORS headers, any answer of another origin).

use crate::fetch::describe_error;
use crate::fetch::{Failure, InFlight};
use mtasts::check::{FetchError, HttpReply, PolicyFetcher, TlsErrorClass, FETCH_READ_LIMIT};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Request, RequestInit, RequestRedirect, ResponseType};

/// RFC 8461 §3.3: senders give up on a policy fetch after at most 60 seconds (the spec's
/// suggestion); the fetch, body included, is never allowed longer.
pub(crate) const POLICY_FETCH_LIMIT_MS: i32 = 60_000;

/// The policy fetch over the platform's `fetch`, redirects not followed.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlatformFetcher;

impl PolicyFetcher for PlatformFetcher {
    async fn fetch(&self, url: &str) -> Result<HttpReply, FetchError> {
        // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed"; the 3xx is the answer.
        request(
            url,
            RequestRedirect::Manual,
            POLICY_FETCH_LIMIT_MS,
            FETCH_READ_LIMIT,
        )
        .await
    }
}

/// A `GET` of `url` through the platform's `fetch`, redirects followed, bounded in time (`ms`
/// milliseconds, body included) and size (`limit` bytes of body are kept; `truncated` says
/// whether it went on). A relative `url` is fine in a web page. Any HTTP status is `Ok`.
pub async fn get(url: &str, ms: i32, limit: usize) -> Result<HttpReply, FetchError> {
    request(url, RequestRedirect::Follow, ms, limit).await
}

async fn request(
    url: &str,
    redirect: RequestRedirect,
    ms: i32,
    limit: usize,
) -> Result<HttpReply, FetchError> {
    let failed = |failure: Failure| match failure {
        Failure::TimedOut => FetchError::Timeout,
        Failure::Failed(error) => classify_error(&error),
    };
    let mut in_flight = InFlight::start(ms).map_err(|e| other(&e))?;
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_redirect(redirect);
    init.set_signal(Some(&in_flight.signal()));
    let request = Request::new_with_str_and_init(url, &init).map_err(|e| other(&e))?;
    let response = in_flight.fetch(&request).await.map_err(failed)?;
    if response.type_() == ResponseType::Opaqueredirect {
        // Browsers hide a redirect from the page (status 0, no headers): it was a redirect
        // to somewhere unknown. Node, Deno and Workers give the 3xx itself.
        return Ok(HttpReply {
            status: OPAQUE_REDIRECT_STATUS,
            ..HttpReply::default()
        });
    }
    let mut headers = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(response.headers().as_ref()) {
        for entry in entries.flatten() {
            if let Some((name, value)) = header_pair(&entry) {
                headers.push((name.to_ascii_lowercase(), value));
            }
        }
    }
    let (body, truncated) = in_flight
        .read_body(&response, limit)
        .await
        .map_err(failed)?;
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

/// The policy fetch through the caller's `fetchPolicy(url, { signal }) => Promise<PolicyReply>`.
pub struct CallerFetcher {
    function: js_sys::Function,
    /// The first reply that broke the `PolicyReply` contract: the check rejects with it.
    broken: RefCell<Option<String>>,
}

impl CallerFetcher {
    /// Wraps the caller's function.
    pub fn new(function: js_sys::Function) -> CallerFetcher {
        CallerFetcher {
            function,
            broken: RefCell::new(None),
        }
    }

    /// Why a reply broke the contract, if one did.
    pub fn broken(&self) -> Option<String> {
        self.broken.borrow().clone()
    }
}

impl PolicyFetcher for CallerFetcher {
    async fn fetch(&self, url: &str) -> Result<HttpReply, FetchError> {
        let mut in_flight = InFlight::start(POLICY_FETCH_LIMIT_MS).map_err(|e| other(&e))?;
        // `fetchPolicy(url, { signal })`: the signal aborts when the answer is no longer wanted
        // (the time limit passed, or the check was cancelled), for the caller to stop its fetch.
        let init = js_sys::Object::new();
        js_sys::Reflect::set(&init, &JsValue::from_str("signal"), &in_flight.signal())
            .map_err(|e| other(&e))?;
        // A function that throws, or a promise that rejects, is a fetch that failed.
        let returned = self
            .function
            .call2(&JsValue::NULL, &JsValue::from_str(url), &init)
            .map_err(|e| classify_error(&e))?;
        let reply = match in_flight.wait(js_sys::Promise::resolve(&returned)).await {
            Err(Failure::TimedOut) => return Err(FetchError::Timeout),
            Err(Failure::Failed(error)) => return Err(classify_error(&error)),
            Ok(reply) => reply,
        };
        reply_from_js(&reply).unwrap_or_else(|why| {
            let why = format!("fetchPolicy({url:?}) returned {why}");
            self.broken.borrow_mut().get_or_insert_with(|| why.clone());
            Err(FetchError::Other { detail: why })
        })
    }
}

/// A `PolicyReply` as the core's result: `Err(why)` when it is not one.
fn reply_from_js(reply: &JsValue) -> Result<Result<HttpReply, FetchError>, String> {
    if !reply.is_object() {
        return Err(format!(
            "{}, not a PolicyReply object",
            describe_value(reply)
        ));
    }
    let field = |name: &str| js_sys::Reflect::get(reply, &JsValue::from_str(name)).ok();
    if let Some(error) = field("error").filter(|e| !e.is_undefined() && !e.is_null()) {
        return fetch_error_from_js(&error).map(Err);
    }
    let status = field("status")
        .and_then(|s| s.as_f64())
        .filter(|s| s.fract() == 0.0 && (100.0..=599.0).contains(s))
        .ok_or("a reply whose status is not an integer from 100 to 599")?;
    let headers = match field("headers").filter(|h| !h.is_undefined() && !h.is_null()) {
        None => Vec::new(),
        Some(headers) => headers_from_js(&headers)?,
    };
    let (mut body, mut truncated) = match field("body").filter(|b| !b.is_undefined()) {
        None => (Vec::new(), false),
        Some(body) => {
            let bytes = match (body.as_string(), body.dyn_ref::<js_sys::Uint8Array>()) {
                (Some(text), _) => text.into_bytes(),
                (None, Some(bytes)) => bytes.to_vec(),
                (None, None) => {
                    return Err("a reply whose body is neither a Uint8Array nor a string".into())
                }
            };
            (bytes, false)
        }
    };
    if body.len() > FETCH_READ_LIMIT {
        body.truncate(FETCH_READ_LIMIT);
        truncated = true;
    }
    match field("truncated").filter(|t| !t.is_undefined()) {
        None => {}
        Some(flag) => match flag.as_bool() {
            Some(flag) => truncated |= flag,
            None => return Err("a reply whose truncated is not a boolean".into()),
        },
    }
    Ok(Ok(HttpReply {
        status: status as u16,
        headers,
        body,
        truncated,
    }))
}

/// Headers as a `Record<string, string>`, `[name, value]` pairs, or anything iterable over
/// pairs (a `Headers` or a `Map`). Names are lower-cased, as the core expects.
fn headers_from_js(headers: &JsValue) -> Result<Vec<(String, String)>, String> {
    const WRONG: &str =
        "a reply whose headers are neither a Record<string, string> nor [string, string] pairs";
    let pairs: Vec<JsValue> = match js_sys::try_iter(headers) {
        Ok(Some(iter)) => iter.collect::<Result<_, _>>().map_err(|_| WRONG)?,
        Ok(None) => js_sys::Object::entries(headers.unchecked_ref())
            .iter()
            .collect(),
        Err(_) => return Err(WRONG.into()),
    };
    pairs
        .iter()
        .map(|pair| {
            header_pair(pair)
                .map(|(name, value)| (name.to_ascii_lowercase(), value))
                .ok_or_else(|| WRONG.to_string())
        })
        .collect()
}

/// A `[name, value]` pair of strings.
fn header_pair(pair: &JsValue) -> Option<(String, String)> {
    let pair = pair.dyn_ref::<js_sys::Array>()?;
    if pair.length() != 2 {
        return None;
    }
    Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
}

/// A `PolicyReply`'s `error`: `{ kind, class?, detail? }`, the JSON of the core's `FetchError`.
fn fetch_error_from_js(error: &JsValue) -> Result<FetchError, String> {
    let field = |name: &str| {
        js_sys::Reflect::get(error, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    let detail = field("detail").unwrap_or_default();
    let kind = field("kind").unwrap_or_default();
    let class = field("class");
    let error = match kind.as_str() {
        "dns" => FetchError::Dns { detail },
        "tls" => FetchError::Tls {
            class: match class.as_deref() {
                None | Some("handshake") => TlsErrorClass::Handshake,
                Some("expired") => TlsErrorClass::Expired,
                Some("wrong-name") => TlsErrorClass::WrongName,
                Some("untrusted") => TlsErrorClass::Untrusted,
                Some(other) => {
                    return Err(format!(
                        "an error of class {other:?}; the classes are expired, wrong-name, untrusted and handshake"
                    ))
                }
            },
            detail,
        },
        "timeout" => FetchError::Timeout,
        "connect" => FetchError::Connect { detail },
        "refused" => FetchError::Refused { detail },
        "other" => FetchError::Other { detail },
        other => {
            return Err(format!(
                "an error of kind {other:?}; the kinds are dns, tls, timeout, connect, refused and other"
            ))
        }
    };
    Ok(error)
}

fn describe_value(value: &JsValue) -> String {
    if value.is_undefined() {
        "undefined".into()
    } else if value.is_null() {
        "null".into()
    } else {
        format!("a {}", value.js_typeof().as_string().unwrap_or_default())
    }
}

pub(crate) fn other(error: &JsValue) -> FetchError {
    FetchError::Other {
        detail: describe_error(error),
    }
}

/// What a failed `fetch` (or a `fetchPolicy` that threw) means: the error codes Node puts on the
/// error or its `cause` (undici: `TypeError: fetch failed`, cause `ENOTFOUND`,
/// `CERT_HAS_EXPIRED`, …) say which; browsers say nothing (one `TypeError` for DNS, TLS,
/// connection and CORS failures alike), and that stays `other`.
pub(crate) fn classify_error(error: &JsValue) -> FetchError {
    let mut messages = Vec::new();
    let mut current = error.clone();
    // Bounded: a cyclic `cause` chain cannot hang the walk.
    for _ in 0..4 {
        if current.is_undefined() || current.is_null() {
            break;
        }
        let message = describe_error(&current);
        if !messages.contains(&message) {
            messages.push(message);
        }
        let code = js_sys::Reflect::get(&current, &JsValue::from_str("code"))
            .ok()
            .and_then(|c| c.as_string());
        if let Some(kind) = code.as_deref().and_then(ErrorKind::from_code) {
            return kind.with_detail(messages.join(": "));
        }
        if !current.is_object() {
            break;
        }
        current = js_sys::Reflect::get(&current, &JsValue::from_str("cause"))
            .unwrap_or(JsValue::UNDEFINED);
    }
    FetchError::Other {
        detail: messages.join(": "),
    }
}

/// What an error code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorKind {
    Dns,
    Timeout,
    Connect,
    Tls(TlsErrorClass),
}

impl ErrorKind {
    /// The kind of a Node (libuv, OpenSSL, undici) error code; `None` for codes that say
    /// nothing about the network.
    fn from_code(code: &str) -> Option<ErrorKind> {
        let kind = match code {
            "ENOTFOUND" | "EAI_AGAIN" | "EAI_FAIL" | "EAI_NONAME" | "EAI_NODATA" => ErrorKind::Dns,
            "ETIMEDOUT"
            | "UND_ERR_CONNECT_TIMEOUT"
            | "UND_ERR_HEADERS_TIMEOUT"
            | "UND_ERR_BODY_TIMEOUT" => ErrorKind::Timeout,
            "ECONNREFUSED" | "ECONNRESET" | "ECONNABORTED" | "EHOSTUNREACH" | "ENETUNREACH"
            | "EADDRNOTAVAIL" | "EPIPE" | "UND_ERR_SOCKET" => ErrorKind::Connect,
            "CERT_HAS_EXPIRED" | "CERT_NOT_YET_VALID" => ErrorKind::Tls(TlsErrorClass::Expired),
            "ERR_TLS_CERT_ALTNAME_INVALID" | "HOSTNAME_MISMATCH" => {
                ErrorKind::Tls(TlsErrorClass::WrongName)
            }
            "DEPTH_ZERO_SELF_SIGNED_CERT"
            | "SELF_SIGNED_CERT_IN_CHAIN"
            | "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
            | "UNABLE_TO_GET_ISSUER_CERT"
            | "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
            | "CERT_UNTRUSTED"
            | "CERT_REJECTED"
            | "CERT_SIGNATURE_FAILURE" => ErrorKind::Tls(TlsErrorClass::Untrusted),
            "EPROTO" => ErrorKind::Tls(TlsErrorClass::Handshake),
            other if other.starts_with("ERR_SSL_") || other.starts_with("ERR_TLS_") => {
                ErrorKind::Tls(TlsErrorClass::Handshake)
            }
            _ => return None,
        };
        Some(kind)
    }

    fn with_detail(self, detail: String) -> FetchError {
        match self {
            ErrorKind::Dns => FetchError::Dns { detail },
            ErrorKind::Timeout => FetchError::Timeout,
            ErrorKind::Connect => FetchError::Connect { detail },
            ErrorKind::Tls(class) => FetchError::Tls { class, detail },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes() {
        for (code, want) in [
            ("ENOTFOUND", Some(ErrorKind::Dns)),
            ("EAI_AGAIN", Some(ErrorKind::Dns)),
            ("ECONNREFUSED", Some(ErrorKind::Connect)),
            ("UND_ERR_CONNECT_TIMEOUT", Some(ErrorKind::Timeout)),
            (
                "CERT_HAS_EXPIRED",
                Some(ErrorKind::Tls(TlsErrorClass::Expired)),
            ),
            (
                "ERR_TLS_CERT_ALTNAME_INVALID",
                Some(ErrorKind::Tls(TlsErrorClass::WrongName)),
            ),
            (
                "DEPTH_ZERO_SELF_SIGNED_CERT",
                Some(ErrorKind::Tls(TlsErrorClass::Untrusted)),
            ),
            (
                "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                Some(ErrorKind::Tls(TlsErrorClass::Untrusted)),
            ),
            (
                "ERR_SSL_TLSV1_ALERT_ACCESS_DENIED",
                Some(ErrorKind::Tls(TlsErrorClass::Handshake)),
            ),
            ("ERR_INVALID_URL", None),
            ("", None),
        ] {
            assert_eq!(ErrorKind::from_code(code), want, "{code}");
        }
    }
}
