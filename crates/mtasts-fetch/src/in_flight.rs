//! The platform's global `fetch` (browsers, Node 18+, Deno, workerd: never `window`, which only
//! browsers have), with what every request needs around it: a time limit, cancellation of
//! whatever is still in flight when the request is dropped, and a body read up to a limit.

use crate::{classify, timer_ms};
use futures_util::future::{select, Either};
use mtasts::check::FetchError;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Request, Response};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (WHATWG Fetch). `catch`: a runtime without it throws a ReferenceError.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(request: &Request) -> Result<js_sys::Promise, JsValue>;

    /// The global `setTimeout` (a number in browsers, a `Timeout` object in Node).
    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: i32) -> Result<JsValue, JsValue>;

    /// The global `clearTimeout`.
    #[wasm_bindgen(catch, js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue) -> Result<(), JsValue>;
}

/// The message of a thrown JavaScript value: an `Error`'s message, else the value as text.
pub fn describe_error(error: &JsValue) -> String {
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        let message = String::from(error.message());
        if !message.is_empty() {
            return message;
        }
        return String::from(error.name());
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

/// Why a request gave no answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum Failure {
    /// The time limit passed first.
    TimedOut,
    /// `fetch` (or reading the body) failed with this error.
    Failed(JsValue),
}

impl Failure {
    /// The failure of a policy fetch, as the core classes it ([`classify`]).
    pub fn into_fetch_error(self) -> FetchError {
        match self {
            Failure::TimedOut => FetchError::Timeout,
            Failure::Failed(error) => classify(&error),
        }
    }
}

/// What the timer callback shares with the future that waits for it.
#[derive(Debug, Default)]
struct TimerState {
    fired: bool,
    waker: Option<Waker>,
}

/// A `setTimeout` as a future; dropping it clears the timeout (a pending one would keep Node's
/// event loop alive for its whole delay).
struct Timer {
    id: Option<JsValue>,
    state: Rc<RefCell<TimerState>>,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Fires after `ms` milliseconds, aborting `controller` (when given) as it does.
    fn start(ms: i32, controller: Option<AbortController>) -> Timer {
        let state = Rc::new(RefCell::new(TimerState::default()));
        let shared = Rc::clone(&state);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(controller) = &controller {
                controller.abort();
            }
            let waker = {
                let mut state = shared.borrow_mut();
                state.fired = true;
                state.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        // Without a `setTimeout` there is no limit; the request still ends one way or another.
        let id = set_timeout(callback.as_ref().unchecked_ref(), ms).ok();
        Timer {
            id,
            state,
            _callback: callback,
        }
    }
}

impl Future for Timer {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.state.borrow_mut();
        if state.fired {
            Poll::Ready(())
        } else {
            state.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(id) = &self.id {
            let _ = clear_timeout(id);
        }
    }
}

/// One request in flight (the platform's `fetch`, or a function of the caller's such as the npm
/// package's `fetchPolicy`): its `AbortController`, aborted when the time limit passes and when
/// the request is dropped (the check finished with it, or was cancelled), so that nothing keeps
/// running behind the caller's back.
pub struct InFlight {
    controller: AbortController,
    timer: Timer,
}

impl InFlight {
    /// A request that may take `limit`, body included.
    pub fn start(limit: Duration) -> Result<InFlight, JsValue> {
        let controller = AbortController::new()?;
        let timer = Timer::start(timer_ms(limit), Some(controller.clone()));
        Ok(InFlight { controller, timer })
    }

    /// The signal to give `fetch`.
    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Waits for `promise`, unless the time limit passes first.
    pub async fn wait(&mut self, promise: js_sys::Promise) -> Result<JsValue, Failure> {
        if self.timer.state.borrow().fired {
            return Err(Failure::TimedOut);
        }
        let settled = match select(JsFuture::from(promise), &mut self.timer).await {
            Either::Left((settled, _)) => settled,
            Either::Right(((), _)) => return Err(Failure::TimedOut),
        };
        match settled {
            Ok(value) => Ok(value),
            // The abort of the time limit made it fail.
            Err(_) if self.timer.state.borrow().fired => Err(Failure::TimedOut),
            Err(error) => Err(Failure::Failed(error)),
        }
    }

    /// Sends `request` (made with [`InFlight::signal`]) through the global `fetch`.
    pub async fn fetch(&mut self, request: &Request) -> Result<Response, Failure> {
        let promise = global_fetch(request).map_err(Failure::Failed)?;
        let response = self.wait(promise).await?;
        response.dyn_into::<Response>().map_err(Failure::Failed)
    }

    /// Reads `response`'s body, keeping at most `limit` bytes, and says whether it went on past
    /// them (what follows is never read: the request is aborted when this is dropped).
    pub async fn read_body(
        &mut self,
        response: &Response,
        limit: usize,
    ) -> Result<(Vec<u8>, bool), Failure> {
        let mut bytes = Vec::new();
        let Some(stream) = response.body() else {
            return Ok((bytes, false));
        };
        let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
        loop {
            let chunk = self.wait(reader.read()).await?;
            let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))
                .map_err(Failure::Failed)?;
            if done.as_bool() != Some(false) {
                return Ok((bytes, false));
            }
            let value = js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))
                .map_err(Failure::Failed)?;
            let Some(value) = value.dyn_ref::<js_sys::Uint8Array>() else {
                return Err(Failure::Failed(JsValue::from_str(
                    "the response body gave something other than bytes",
                )));
            };
            if append_bounded(&mut bytes, value, limit) {
                return Ok((bytes, true));
            }
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        // After a complete read this does nothing; otherwise it stops the request.
        self.controller.abort();
    }
}

/// Appends `chunk` to `bytes` up to `limit` bytes in all; true when some of it did not fit.
fn append_bounded(bytes: &mut Vec<u8>, chunk: &js_sys::Uint8Array, limit: usize) -> bool {
    let length = chunk.length() as usize;
    let take = limit.saturating_sub(bytes.len()).min(length);
    let start = bytes.len();
    bytes.resize(start + take, 0);
    if let Some(room) = bytes.get_mut(start..) {
        // `take` fits in u32: it is at most `length`, a u32.
        chunk
            .subarray(0, u32::try_from(take).unwrap_or(0))
            .copy_to(room);
    }
    take < length
}
