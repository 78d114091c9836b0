//! Edge checks for the web page: `GET /api/policy?domain=D` (the raw policy fetch a page cannot
//! do itself because of CORS) and `GET /api/check?domain=D` (the core's whole check). Both refuse
//! anything but a public domain name before any outbound request, and count against the client
//! prefix's `EDGE_RATE_PER_MINUTE` in D1 ([`crate::counters`], across isolates). `/api/check`
//! runs under the core's edge limits ([`CheckLimits::EDGE`]): at most 10 MX hosts and a bounded
//! number of DoH queries. `GET /api/config` tells the page its default DoH resolver.

use crate::client::client_prefix;
use crate::config::{doh_url, https_port, now_secs, number, text};
use crate::counters::{take, Window};
use crate::domain_input::edge_domain;
use crate::reply::ApiError;
use mtasts::check::{
    check_domain_with_limits, policy_url, CheckError, CheckLimits, PolicyFetcher, RelayedFetch,
};
use mtasts_fetch::{DateClock, DohResolver, PlatformFetcher};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;
use worker::{Env, Request, Response, Result, RouteContext};

#[derive(Deserialize)]
struct DomainParam {
    domain: Option<String>,
}

/// `OPTIONS` on the edge routes: the CORS preflight.
pub fn preflight(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let mut response = Response::empty()?.with_status(204);
    cors(&mut response, &ctx.env)?;
    response
        .headers_mut()
        .set("access-control-allow-methods", "GET, OPTIONS")?;
    response
        .headers_mut()
        .set("access-control-max-age", "86400")?;
    Ok(response)
}

/// `GET /api/config`: what the web page needs to know of this deployment.
pub fn get_config(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
    with_cors(Ok(json!({ "doh_url": doh_url(&ctx.env) })), &ctx.env)
}

/// `GET /api/policy?domain=D`: the core's [`RelayedFetch`], written through `serde_json::Value`
/// (keys in order, as the page and the tests have always read them).
pub async fn get_policy(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let answer = match admit(&req, &ctx.env).await {
        Err(error) => Err(error),
        Ok(domain) => {
            let fetcher = fetcher(&ctx.env);
            // The URL as fetched: with the port when `EDGE_HTTPS_PORT` is not 443.
            let url = fetcher.url_on_port(&policy_url(&domain));
            let started = js_sys::Date::now();
            let result = fetcher.fetch(&url).await;
            let elapsed_ms = (js_sys::Date::now() - started).max(0.0);
            serde_json::to_value(RelayedFetch::new(&domain, &url, &result, elapsed_ms))
                .map_err(|e| ApiError::new(500, format!("the answer cannot be written: {e}")))
        }
    };
    with_cors(answer, &ctx.env)
}

/// `GET /api/check?domain=D`.
pub async fn get_check(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let answer = match admit(&req, &ctx.env).await {
        Err(error) => Err(error),
        Ok(domain) => check(&domain, &ctx.env).await,
    };
    with_cors(answer, &ctx.env)
}

/// The core's domain check of `domain` over `DOH_URL` and the edge's policy fetch.
async fn check(domain: &str, env: &Env) -> std::result::Result<serde_json::Value, ApiError> {
    let resolver = DohResolver::new(doh_url(env))
        .map_err(|e| ApiError::new(502, e.to_string()))?
        .with_time_limit(time_limit(env));
    let limits = CheckLimits::EDGE;
    match check_domain_with_limits(
        domain,
        &resolver,
        &fetcher(env),
        &DateClock,
        &|_| {},
        &limits,
    )
    .await
    {
        Ok(report) => serde_json::to_value(&report)
            .map_err(|e| ApiError::new(500, format!("the report cannot be written: {e}"))),
        Err(CheckError::Input(e)) => Err(ApiError::new(400, e.to_string())),
        Err(e) => Err(ApiError::new(502, e.to_string())),
    }
}

/// The time limit of every outbound request of the edge routes: `EDGE_TIMEOUT_MS`, 10 s unless
/// set.
fn time_limit(env: &Env) -> Duration {
    Duration::from_millis(number(env, "EDGE_TIMEOUT_MS", 10_000))
}

/// The policy fetch of the edge routes (RFC 8461 §3.3), on `EDGE_HTTPS_PORT`.
fn fetcher(env: &Env) -> PlatformFetcher {
    PlatformFetcher::default()
        .with_time_limit(time_limit(env))
        .with_https_port(https_port(env))
}

/// The domain to check, refused (400) unless public, then the client prefix's rate limit (429).
async fn admit(req: &Request, env: &Env) -> std::result::Result<String, ApiError> {
    let param = req
        .query::<DomainParam>()
        .map_err(|_| ApiError::new(400, "the query string cannot be read"))?;
    let domain = edge_domain(param.domain.as_deref().unwrap_or(""), env)?;
    let db = env.d1("DB")?;
    let scope = format!("edge:{}", client_prefix(req));
    let per_minute = number(env, "EDGE_RATE_PER_MINUTE", 30);
    take(
        &db,
        &scope,
        Window::Minute,
        per_minute,
        now_secs(),
        "too many checks from this client",
    )
    .await?;
    Ok(domain)
}

fn with_cors(
    answer: std::result::Result<serde_json::Value, ApiError>,
    env: &Env,
) -> Result<Response> {
    let mut response = match answer {
        Ok(value) => crate::reply::json(200, &value)?,
        Err(error) => error.response()?,
    };
    cors(&mut response, env)?;
    Ok(response)
}

fn cors(response: &mut Response, env: &Env) -> Result<()> {
    let origin = Some(text(env, "CORS_ORIGIN"))
        .filter(|o| !o.is_empty())
        .unwrap_or_else(|| "*".to_string());
    response
        .headers_mut()
        .set("access-control-allow-origin", &origin)?;
    response.headers_mut().set("vary", "origin")?;
    Ok(())
}
