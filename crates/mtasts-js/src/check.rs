//! `checkDomain(domain, options?)`: the core's domain check over the platform's `fetch`, with
//! progress through `onStep` and cancellation through an `AbortSignal`.

use crate::boundary::{known_keys, string_arg, to_js, ArgError, TEXT_LIMIT};
use crate::caller_fetch::CallerFetcher;
use futures_util::future::{select, Either};
use mtasts::check::{CheckReport, PolicyFetcher, Step, DEFAULT_DOH_URL};
use mtasts_fetch::{DateClock, DohResolver, PlatformFetcher};
use std::cell::RefCell;
use std::pin::pin;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

/// The options `checkDomain` knows.
const KNOWN_OPTIONS: [&str; 4] = ["doh", "fetchPolicy", "onStep", "signal"];

/// Runs the domain check (DNS over HTTPS, the policy fetch, MX coverage, TLS-RPT, DANE, the
/// sender matrix): `checkDomain(domain, { doh?, fetchPolicy?, onStep?, signal? })`, a promise of
/// the check report. It rejects when the check cannot run (not a mail domain, the resolver
/// unreachable), when `signal` aborts, and when `onStep` throws or `fetchPolicy` breaks its
/// contract.
#[wasm_bindgen(js_name = checkDomain, skip_typescript)]
pub async fn check_domain(domain: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let domain = string_arg("checkDomain", "domain", &domain, TEXT_LIMIT).map_err(JsError::from)?;
    let options = Options::from_js(&options).map_err(|e| JsValue::from(JsError::new(&e)))?;
    let Some(signal) = options.signal.clone() else {
        return run(&domain, &options).await;
    };
    if signal.aborted() {
        return Err(abort_reason(&signal));
    }
    let abort = Abort::watch(&signal);
    let check = pin!(run(&domain, &options));
    match select(check, JsFuture::from(abort.promise.clone())).await {
        Either::Left((result, _)) => result,
        // Dropping the check here aborts every request it has in flight.
        Either::Right(_) => Err(abort_reason(&signal)),
    }
}

/// The check itself, once the arguments are known good.
async fn run(domain: &str, options: &Options) -> Result<JsValue, JsValue> {
    let resolver = DohResolver::new(options.doh.clone())
        .map_err(|e| JsValue::from(JsError::new(&format!("checkDomain: options.doh: {e}"))))?;
    let thrown: RefCell<Option<JsValue>> = RefCell::new(None);
    let on_step = |step: &Step| {
        let Some(callback) = &options.on_step else {
            return;
        };
        let result = to_js(step)
            .map_err(JsValue::from)
            .and_then(|step| callback.call1(&JsValue::NULL, &step));
        if let Err(error) = result {
            thrown.borrow_mut().get_or_insert(error);
        }
    };
    let report = match &options.fetch_policy {
        Some(function) => {
            let fetcher = CallerFetcher::new(function.clone());
            let report = check_with(domain, &resolver, &fetcher, &on_step).await?;
            if let Some(why) = fetcher.broken() {
                return Err(JsError::new(&format!("checkDomain: {why}")).into());
            }
            report
        }
        None => check_with(domain, &resolver, &PlatformFetcher::default(), &on_step).await?,
    };
    if let Some(error) = thrown.into_inner() {
        return Err(error);
    }
    to_js(&report).map_err(JsValue::from)
}

async fn check_with<F: PolicyFetcher>(
    domain: &str,
    resolver: &DohResolver,
    fetcher: &F,
    on_step: &dyn Fn(&Step),
) -> Result<CheckReport, JsValue> {
    mtasts::check::check_domain(domain, resolver, fetcher, &DateClock, on_step)
        .await
        .map_err(|e| JsError::new(&e.to_string()).into())
}

/// `checkDomain`'s options, checked.
struct Options {
    doh: String,
    fetch_policy: Option<js_sys::Function>,
    on_step: Option<js_sys::Function>,
    signal: Option<AbortSignal>,
}

impl Options {
    fn from_js(options: &JsValue) -> Result<Options, String> {
        let mut parsed = Options {
            doh: DEFAULT_DOH_URL.to_string(),
            fetch_policy: None,
            on_step: None,
            signal: None,
        };
        if options.is_undefined() || options.is_null() {
            return Ok(parsed);
        }
        if !options.is_object() || js_sys::Array::is_array(options) {
            return Err(ArgError::new("checkDomain", "options", "an object", options).to_string());
        }
        known_keys("checkDomain", options, &KNOWN_OPTIONS)?;
        let field = |name: &str| {
            js_sys::Reflect::get(options, &JsValue::from_str(name))
                .ok()
                .filter(|v| !v.is_undefined())
        };
        if let Some(doh) = field("doh") {
            parsed.doh = string_arg("checkDomain", "options.doh", &doh, TEXT_LIMIT)
                .map_err(|e| e.to_string())?;
        }
        parsed.fetch_policy = field("fetchPolicy")
            .map(|f| function_arg("options.fetchPolicy", f))
            .transpose()?;
        parsed.on_step = field("onStep")
            .map(|f| function_arg("options.onStep", f))
            .transpose()?;
        if let Some(signal) = field("signal") {
            // Duck-typed: a signal of another realm (or a polyfill) is not `instanceof` ours.
            let looks_right = js_sys::Reflect::get(&signal, &JsValue::from_str("aborted"))
                .is_ok_and(|a| a.as_bool().is_some())
                && js_sys::Reflect::get(&signal, &JsValue::from_str("addEventListener"))
                    .is_ok_and(|f| f.is_function());
            if !looks_right {
                return Err(ArgError::new(
                    "checkDomain",
                    "options.signal",
                    "an AbortSignal",
                    &signal,
                )
                .to_string());
            }
            parsed.signal = Some(signal.unchecked_into());
        }
        Ok(parsed)
    }
}

fn function_arg(name: &'static str, value: JsValue) -> Result<js_sys::Function, String> {
    value
        .dyn_into::<js_sys::Function>()
        .map_err(|value| ArgError::new("checkDomain", name, "a function", &value).to_string())
}

/// A promise that settles when the signal aborts; the listener goes when this is dropped.
struct Abort {
    signal: AbortSignal,
    promise: js_sys::Promise,
    listener: Option<js_sys::Function>,
}

impl Abort {
    fn watch(signal: &AbortSignal) -> Abort {
        let mut listener = None;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            let _ = signal.add_event_listener_with_callback("abort", &resolve);
            listener = Some(resolve);
        });
        Abort {
            signal: signal.clone(),
            promise,
            listener,
        }
    }
}

impl Drop for Abort {
    fn drop(&mut self) {
        if let Some(listener) = &self.listener {
            let _ = self
                .signal
                .remove_event_listener_with_callback("abort", listener);
        }
    }
}

/// What an aborted check rejects with: the signal's reason when it is an `Error` (a
/// `DOMException` named `AbortError` from `controller.abort()`, `TimeoutError` from
/// `AbortSignal.timeout()`), else an `Error` named `AbortError` whose `cause` is the reason.
fn abort_reason(signal: &AbortSignal) -> JsValue {
    let reason = js_sys::Reflect::get(signal, &JsValue::from_str("reason")).unwrap_or_default();
    if reason.is_instance_of::<js_sys::Error>() {
        return reason;
    }
    let error = js_sys::Error::new("checkDomain: the check was aborted");
    error.set_name("AbortError");
    if !reason.is_undefined() {
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str("cause"), &reason);
    }
    error.into()
}
