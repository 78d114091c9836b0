//! # mtasts-fetch
//!
//! The core's I/O traits ([`Resolver`](mtasts::check::Resolver),
//! [`PolicyFetcher`](mtasts::check::PolicyFetcher), [`Clock`](mtasts::check::Clock)) over the
//! global `fetch` of the JavaScript platforms the project runs on: browsers, Node 18+, Deno and
//! Cloudflare's workerd. One implementation of each, used by the npm package (`crates/mtasts-js`),
//! the Worker (`worker/`) and the web page (`web/`):
//!
//! - [`DohResolver`]: DNS over HTTPS (RFC 8484), one `POST` an exchange;
//! - [`PlatformFetcher`]: the policy fetch of RFC 8461 §3.3, `redirect: "manual"`, bounded in
//!   time and size, on another port than 443 for test stand-ins;
//! - [`ProxyPolicyFetcher`]: the policy fetch through the Worker's `GET /api/policy`, for web
//!   pages (whose `fetch` may read neither a redirect nor another origin's answer);
//! - [`DateClock`], the clock of `Date.now()`;
//! - [`get`]: a bounded `GET` of any URL;
//! - [`classify`]: what a failed `fetch` means, as the core's
//!   [`FetchError`](mtasts::check::FetchError);
//! - [`InFlight`]: one request with its time limit and `AbortController`, for fetchers of other
//!   shapes (the npm package's `fetchPolicy` callback).
//!
//! Every request is made through the global `fetch` (never `window.fetch`, which Node and workerd
//! lack), with an `AbortController` that a `setTimeout` aborts when the time limit passes, and that
//! is aborted as well when the future is dropped: nothing keeps running after the check let go of
//! it.
//!
//! What this crate does **not** do: parse DNS messages or policies, or decide anything about what
//! it fetched (that is the core's); follow a redirect of the policy fetch; read a body past its
//! limit. It builds for `wasm32-unknown-unknown` only in use: natively it compiles, and only its
//! pure parts (failure classification, URLs) run in tests.

mod classify;
mod clock;
mod doh;
mod in_flight;
mod policy;
mod relay;

pub use classify::classify;
pub use clock::DateClock;
pub use doh::{DohResolver, DohUrlError};
pub use in_flight::{describe_error, Failure, InFlight};
pub use policy::{get, header_pair, PlatformFetcher};
pub use relay::ProxyPolicyFetcher;

use std::time::Duration;

/// A time limit in the milliseconds `setTimeout` takes (saturating at its `i32`).
fn timer_ms(limit: Duration) -> i32 {
    i32::try_from(limit.as_millis()).unwrap_or(i32::MAX)
}
