//! # mtasts-worker
//!
//! The Cloudflare Worker of the project (routes in `docs/interfaces.md`):
//!
//! * **policy hosting**: `GET`/`HEAD /.well-known/mta-sts.txt` on host `mta-sts.<domain>` serves
//!   the policy of every hosted domain (RFC 8461 §3.3) from D1, kept by each isolate for at most
//!   the `Cache-Control` max-age it announces, with `ETag`, `Last-Modified` and `304`s;
//! * **credentials** ([`auth`]): the operator's `API_TOKEN` does everything; domain tokens
//!   (`POST`/`GET /api/domains/<domain>/tokens`, `DELETE …/tokens/<id>`) each do what one domain's
//!   owner needs; with `OPEN_SIGNUP`, `POST …/claim` and `POST …/verify` give a domain token to
//!   whoever proves control of the domain's DNS ([`signup`]);
//! * **publishing**: `PUT`/`DELETE /api/domains/<domain>/policy` lint, store and remove policies
//!   the RFC 8461 §8 way, answering the `_mta-sts` TXT record to publish;
//! * **TLS-RPT intake**: `POST /tlsrpt` (RFC 8460 §5.4) keeps every distinct report (raw body in
//!   R2, rows in D1, [`store`]) before answering 201, and `GET /api/domains/<domain>/reports`
//!   sums them up and lists them, conflicts marked;
//! * **TLS-RPT by e-mail**: the `email` event takes report e-mails routed to the Worker by
//!   Cloudflare Email Routing, checks their DKIM signature and stores them like `POST /tlsrpt`
//!   ([`email`]);
//! * **retention**: the daily scheduled event deletes what is past its time ([`retention`]);
//! * **edge checks**: `GET /api/policy` and `GET /api/check` run the policy fetch and the core's
//!   domain check over the Worker's own `fetch` and DNS-over-HTTPS (`mtasts-fetch`, the I/O of
//!   the npm package and the web page too); `GET /api/config` gives the web page its default DoH
//!   resolver;
//! * everything else is the web page's static assets (`[assets]` in `wrangler.toml`), with a
//!   Content-Security-Policy.
//!
//! Every parse, lint and summary is the core crate's (`mtasts`); this crate only adapts HTTP and
//! D1 to it. What it does **not** do: follow redirects, trust input sizes, or panic — every
//! hostile request gets a 4xx with a JSON reason.

mod auth;
mod body;
mod client;
mod config;
mod counters;
mod domain_input;
mod edge;
mod email;
mod hosting;
mod http_date;
mod intake;
mod media_type;
mod publish;
mod reply;
mod report_key;
mod reports;
mod retention;
mod secret;
mod signup;
mod store;
mod tokens;

pub use reply::ApiError;

use worker::{
    event, Context, Env, ForwardableEmailMessage, Request, Response, Result, Router,
    ScheduleContext, ScheduledEvent,
};

/// The one path a policy is served on (RFC 8461 §3.3).
pub const POLICY_PATH: &str = "/.well-known/mta-sts.txt";

/// The Worker's entry point: policy hosting first (by path and host), then the router.
#[event(fetch)]
pub async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let answer = if req.path() == POLICY_PATH {
        hosting::serve(req, env).await
    } else {
        router().run(req, env).await
    };
    match answer {
        // The router answers a known path with an unknown method itself, in plain text.
        Ok(response) if response.status_code() == 405 => {
            ApiError::new(405, "method not allowed on this path").response()
        }
        Ok(response) => Ok(response),
        Err(error) => {
            worker::console_error!("internal error: {error}");
            ApiError::new(500, "internal error").response()
        }
    }
}

/// The daily scheduled event: retention ([`retention::run`]).
#[event(scheduled)]
pub async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    match retention::run(&env).await {
        Ok(swept) => worker::console_log!(
            "retention: {} reports deleted, {} legacy reports moved",
            swept.reports,
            swept.moved
        ),
        Err(error) => worker::console_error!("retention failed: {}", error.reason),
    }
}

/// Report e-mails (RFC 8460 §5.3): [`email::handle`]. A refusal is a `setReject`; a temporary
/// failure (a DKIM key that cannot be fetched) rejects the handler's promise, so Email Routing
/// answers the sender with a temporary failure and it retries. Exported by hand rather than with
/// `#[event(email)]`: that glue turns an `Err` into a panic, which with `panic = "abort"` kills
/// the instance and leaves the promise unsettled (wrangler dev reports a hung Worker); a rejected
/// promise is the platform's own "failed".
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn email(
    message: ForwardableEmailMessage,
    env: Env,
    _ctx: worker::worker_sys::Context,
) -> std::result::Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    email::handle(message, env)
        .await
        .map(|()| wasm_bindgen::JsValue::UNDEFINED)
        .map_err(|e| js_sys::Error::new(&e.to_string()).into())
}

/// One handler per route.
fn router() -> Router<'static, ()> {
    Router::new()
        .put_async("/api/domains/:domain/policy", publish::put_policy)
        .delete_async("/api/domains/:domain/policy", publish::delete_policy)
        .get_async("/api/domains/:domain/reports", reports::get_reports)
        .get_async("/api/reports/:id/raw", reports::get_raw)
        .post_async("/api/domains/:domain/tokens", tokens::post_token)
        .get_async("/api/domains/:domain/tokens", tokens::get_tokens)
        .delete_async("/api/domains/:domain/tokens/:id", tokens::delete_token)
        .post_async("/api/domains/:domain/claim", signup::post_claim)
        .post_async("/api/domains/:domain/verify", signup::post_verify)
        .post_async("/tlsrpt", intake::post_report)
        .get_async("/api/policy", edge::get_policy)
        .get_async("/api/check", edge::get_check)
        .get("/api/config", edge::get_config)
        .options("/api/policy", edge::preflight)
        .options("/api/check", edge::preflight)
        .options("/api/config", edge::preflight)
        .or_else_any_method("/api/*rest", reply::api_not_found)
        .or_else_any_method_async("/", reply::static_asset)
        .or_else_any_method_async("/*path", reply::static_asset)
}
