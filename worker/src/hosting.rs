//! Policy hosting (RFC 8461 §3.3): `https://mta-sts.<domain>/.well-known/mta-sts.txt` for every
//! hosted domain, from D1. Never a redirect on this path ("HTTP 3xx redirects MUST NOT be
//! followed", so a sender would treat one as no policy).

use crate::domain_input::hosted_domain_of_host;
use crate::reply::ApiError;
use serde::Deserialize;
use worker::{query, Env, Method, Request, Response, Result};

/// How long caches may keep the policy: short, so a change is seen soon (senders cache by
/// `max_age` themselves; this is only for HTTP caches on the way).
const CACHE_CONTROL: &str = "public, max-age=300";

#[derive(Deserialize)]
struct PolicyRow {
    policy: String,
}

/// Serves the policy of the domain named by the `Host` header.
pub async fn serve(req: Request, env: Env) -> Result<Response> {
    let head = match req.method() {
        Method::Get => false,
        Method::Head => true,
        _ => return ApiError::new(405, "only GET and HEAD are served on this path").response(),
    };
    let host = req
        .headers()
        .get("host")
        .ok()
        .flatten()
        .or_else(|| {
            req.url()
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
        })
        .unwrap_or_default();
    let Some(domain) = hosted_domain_of_host(&host) else {
        return not_hosted(head, &format!("no policy is served for host {host:?}"));
    };
    let db = env.d1("DB")?;
    let row: Option<PolicyRow> = query!(
        &db,
        "SELECT policy FROM policies WHERE domain = ?1",
        &domain
    )?
    .first(None)
    .await?;
    let Some(row) = row else {
        return not_hosted(head, &format!("{domain} has no hosted policy"));
    };
    let length = row.policy.len().to_string();
    let mut response = if head {
        Response::empty()?
    } else {
        Response::ok(row.policy)?
    };
    let headers = response.headers_mut();
    headers.set("content-type", "text/plain; charset=utf-8")?;
    headers.set("cache-control", CACHE_CONTROL)?;
    headers.set("x-content-type-options", "nosniff")?;
    if head {
        headers.set("content-length", &length)?;
    }
    Ok(response)
}

/// 404 in plain text (a sender reads this path, not a person).
fn not_hosted(head: bool, reason: &str) -> Result<Response> {
    let mut response = if head {
        Response::empty()?
    } else {
        Response::ok(format!("{reason}\r\n"))?
    }
    .with_status(404);
    let headers = response.headers_mut();
    headers.set("content-type", "text/plain; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    Ok(response)
}
