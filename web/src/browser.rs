//! The few browser APIs the pages use besides the DOM: the clipboard, the document title, the
//! clock, reading a chosen file, a timer, and the site's own configuration (`GET /api/config`).

use mtasts::check::DEFAULT_DOH_URL;
use serde::Deserialize;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Copies `text` to the clipboard; `Err` says why not (no permission, not a secure context).
pub async fn copy_text(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let clipboard = window.navigator().clipboard();
    if clipboard.is_undefined() {
        return Err("this browser gives the page no clipboard".into());
    }
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|e| error_message(&e))
}

/// Sets the document title: `<what> · mtasts`.
pub fn set_title(what: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{what} · mtasts"));
    }
}

/// Seconds since the Unix epoch (`Date.now()`), never negative.
pub fn now_unix() -> u64 {
    let seconds = (js_sys::Date::now() / 1000.0).floor();
    if seconds.is_finite() && seconds >= 0.0 {
        seconds as u64
    } else {
        0
    }
}

/// The first `limit` bytes of a file the user chose (what lies past them is never read).
#[cfg(feature = "tools")]
pub async fn read_file(file: &web_sys::File, limit: usize) -> Result<Vec<u8>, String> {
    let blob: &web_sys::Blob = file.as_ref();
    let end = (limit as f64).min(blob.size());
    let part = blob
        .slice_with_f64_and_f64(0.0, end)
        .map_err(|e| error_message(&e))?;
    let buffer = JsFuture::from(part.array_buffer())
        .await
        .map_err(|e| error_message(&e))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Calls `then` once, after `ms` milliseconds.
pub fn after(ms: i32, then: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(then);
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms);
    }
}

/// The message of a JavaScript error value.
fn error_message(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => error.as_string().unwrap_or_else(|| "unknown error".into()),
    }
}

/// Where the Worker answers the page's policy fetches (`mtasts_fetch::ProxyPolicyFetcher`).
pub const POLICY_ENDPOINT: &str = "/api/policy";

/// The site's configuration, `GET /api/config`.
const CONFIG_ENDPOINT: &str = "/api/config";

/// `GET /api/config`: what the page needs to know of the Worker it runs on.
#[derive(Debug, Deserialize)]
struct SiteConfig {
    doh_url: Option<String>,
}

/// How long the page waits for `/api/config`.
const CONFIG_TIME_LIMIT: Duration = Duration::from_secs(3);

/// How much of `/api/config` the page reads.
const CONFIG_LIMIT: usize = 16 << 10;

/// The DoH resolver the site suggests (`doh_url` of `/api/config`), or the core's default when
/// the site says nothing (a static server, an older Worker).
pub async fn default_doh_url() -> String {
    let fallback = DEFAULT_DOH_URL.to_string();
    let Ok(reply) = mtasts_fetch::get(CONFIG_ENDPOINT, CONFIG_TIME_LIMIT, CONFIG_LIMIT).await
    else {
        return fallback;
    };
    if reply.status != 200 || reply.truncated {
        return fallback;
    }
    serde_json::from_slice::<SiteConfig>(&reply.body)
        .ok()
        .and_then(|c| c.doh_url)
        .filter(|url| !url.trim().is_empty())
        .unwrap_or(fallback)
}

/// What the user typed for a domain, its host mapped to A-labels by the browser's URL parser
/// (UTS #46, the processing the core's `uts46` feature does with idna's tables, which the first
/// module leaves out) when it is not ASCII: `bücher.example`, `user@bücher.example` and
/// `https://bücher.example/` each become `xn--bcher-kva.example`. ASCII input, and input the
/// parser refuses, are handed on as typed: the core says what is wrong with them.
pub fn ascii_input(input: &str) -> String {
    if input.is_ascii() {
        return input.to_string();
    }
    let url = if input.contains("://") {
        input.to_string()
    } else {
        format!("http://{input}")
    };
    web_sys::Url::new(&url)
        .map(|url| url.hostname())
        .ok()
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| input.to_string())
}
