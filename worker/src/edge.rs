//! Edge checks for the web page: `GET /api/policy?domain=D` (the raw policy fetch a page cannot
//! do itself because of CORS) and `GET /api/check?domain=D` (the core's whole check). Both refuse
//! anything but a public domain name before any outbound request, and rate-limit per client
//! (per isolate, see [`crate::rate_limit`]). `GET /api/config` tells the page its default DoH
//! resolver.

use crate::config::{doh_url, https_port, number, text};
use crate::domain_input::public_domain;
use crate::edge_io::{DohResolver, WorkerClock, WorkerFetcher};
use crate::rate_limit::LIMITER;
use crate::reply::ApiError;
use mtasts::check::{check_domain, CheckError, PolicyFetcher, FETCH_READ_LIMIT};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;
use worker::{Env, Request, Response, Result, RouteContext};

/// Internal suffixes refused when `EDGE_REFUSED_SUFFIXES` is not set.
const DEFAULT_REFUSED: &str = "localhost,local,localdomain,internal,intranet,lan,home,corp,home.arpa,test,invalid,example,onion,alt";

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

/// `GET /api/policy?domain=D`.
pub async fn get_policy(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let answer = match admit(&req, &ctx.env) {
        Err(error) => Err(error),
        Ok(domain) => {
            let fetcher = fetcher(&ctx.env);
            // The URL as fetched: with the port when `EDGE_HTTPS_PORT` is not 443.
            let url =
                fetcher.url_on_port(&format!("https://mta-sts.{domain}{}", crate::POLICY_PATH));
            let started = js_sys::Date::now();
            let result = fetcher.fetch(&url).await;
            let elapsed_ms = (js_sys::Date::now() - started).max(0.0);
            Ok(match result {
                Ok(reply) => json!({
                    "domain": domain,
                    "url": url,
                    "status": reply.status,
                    "content_type": reply.header("content-type"),
                    "redirect": reply.redirect(),
                    "headers": reply.headers,
                    "body": String::from_utf8_lossy(&reply.body),
                    "truncated": reply.truncated,
                    "elapsed_ms": elapsed_ms,
                }),
                Err(error) => json!({
                    "domain": domain,
                    "url": url,
                    "error": error,
                    "message": error.to_string(),
                    "tlsrpt_result_type": error.tlsrpt_result_type(),
                    "elapsed_ms": elapsed_ms,
                }),
            })
        }
    };
    with_cors(answer, &ctx.env)
}

/// `GET /api/check?domain=D`.
pub async fn get_check(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let answer = match admit(&req, &ctx.env) {
        Err(error) => Err(error),
        Ok(domain) => {
            let resolver = DohResolver {
                url: doh_url(&ctx.env),
                timeout: Duration::from_millis(number(&ctx.env, "EDGE_TIMEOUT_MS", 10_000)),
            };
            match check_domain(
                &domain,
                &resolver,
                &fetcher(&ctx.env),
                &WorkerClock,
                &|_| {},
            )
            .await
            {
                Ok(report) => serde_json::to_value(&report)
                    .map_err(|e| ApiError::new(500, format!("the report cannot be written: {e}"))),
                Err(CheckError::Input(e)) => Err(ApiError::new(400, e.to_string())),
                Err(e) => Err(ApiError::new(502, e.to_string())),
            }
        }
    };
    with_cors(answer, &ctx.env)
}

fn fetcher(env: &Env) -> WorkerFetcher {
    WorkerFetcher {
        timeout: Duration::from_millis(number(env, "EDGE_TIMEOUT_MS", 10_000)),
        max_body: FETCH_READ_LIMIT,
        https_port: https_port(env),
    }
}

/// The domain to check, refused (400) unless public, then the client's rate limit (429).
fn admit(req: &Request, env: &Env) -> std::result::Result<String, ApiError> {
    let param = req
        .query::<DomainParam>()
        .map_err(|_| ApiError::new(400, "the query string cannot be read"))?;
    let refused = Some(text(env, "EDGE_REFUSED_SUFFIXES"))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_REFUSED.to_string());
    let refused: Vec<&str> = refused.split(',').collect();
    let domain = public_domain(param.domain.as_deref().unwrap_or(""), &refused)?;
    let client = req
        .headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .unwrap_or_else(|| "local".to_string());
    let per_minute = number(env, "EDGE_RATE_PER_MINUTE", 30);
    let now = js_sys::Date::now();
    LIMITER
        .with(|l| l.borrow_mut().take(&client, now, per_minute))
        .map_err(|retry| {
            ApiError::new(
                429,
                format!("too many checks from this client; retry in {retry} s"),
            )
            .with_detail(json!({ "retry_after": retry }))
        })?;
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
