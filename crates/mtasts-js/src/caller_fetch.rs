//! The policy fetch through the caller's `fetchPolicy` function ([`CallerFetcher`]): how a web
//! page that runs the npm package routes the fetch through a server of its own (browsers let a
//! page read neither the status of a redirect nor, without CORS headers, any answer of another
//! origin). The npm API's own contract (`fetchPolicy` and `PolicyReply` in `npm/mtasts.d.ts`),
//! over `mtasts-fetch`'s time limit, cancellation and failure classification.

use mtasts::check::{
    FetchError, HttpReply, PolicyFetcher, TlsErrorClass, FETCH_READ_LIMIT, POLICY_FETCH_TIME_LIMIT,
};
use mtasts_fetch::{classify, describe_error, header_pair, InFlight};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

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
        let mut in_flight = InFlight::start(POLICY_FETCH_TIME_LIMIT).map_err(|e| other(&e))?;
        // `fetchPolicy(url, { signal })`: the signal aborts when the answer is no longer wanted
        // (the time limit passed, or the check was cancelled), for the caller to stop its fetch.
        let init = js_sys::Object::new();
        js_sys::Reflect::set(&init, &JsValue::from_str("signal"), &in_flight.signal())
            .map_err(|e| other(&e))?;
        // A function that throws, or a promise that rejects, is a fetch that failed.
        let returned = self
            .function
            .call2(&JsValue::NULL, &JsValue::from_str(url), &init)
            .map_err(|e| classify(&e))?;
        let reply = in_flight
            .wait(js_sys::Promise::resolve(&returned))
            .await
            .map_err(|f| f.into_fetch_error())?;
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
        .map(|pair| header_pair(pair).ok_or_else(|| WRONG.to_string()))
        .collect()
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

fn other(error: &JsValue) -> FetchError {
    FetchError::Other {
        detail: describe_error(error),
    }
}
