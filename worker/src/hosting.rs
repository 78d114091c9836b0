//! Policy hosting (RFC 8461 §3.3): `https://mta-sts.<domain>/.well-known/mta-sts.txt` for every
//! hosted domain. Never a redirect on this path ("HTTP 3xx redirects MUST NOT be followed", so a
//! sender would treat one as no policy).
//!
//! The hot path reads no D1: each isolate keeps the policies it served, keyed by host, for at
//! most the `max-age` it announces ([`max_age`], `POLICY_MAX_AGE`, 300 s by default). A publish
//! or delete forgets the domain in the isolate that ran it ([`forget`]); other isolates cannot be
//! told, so their copy is bounded instead: every answer announces only the freshness its copy has
//! left (`max-age` counted from the D1 read), so no copy anywhere, in an isolate or an HTTP cache
//! on the way, outlives the `max-age` after a change. Answers carry `ETag` (the policy `id`) and
//! `Last-Modified`, and conditional requests get `304 Not Modified` (RFC 9110 §13.1).

use crate::config::number;
use crate::domain_input::hosted_domain_of_host;
use crate::http_date;
use crate::reply::ApiError;
use serde::Deserialize;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use worker::{query, Env, Headers, Method, Request, Response, Result};

/// How long, by default, caches may keep a policy (`Cache-Control: max-age`): short, so a change
/// is seen soon (senders cache by the policy's `max_age` themselves; this is only for HTTP caches
/// on the way and for the isolates' own copies).
const DEFAULT_MAX_AGE: u64 = 300;

/// The most domains one isolate keeps (past it, it starts over): a bound on memory, far above
/// what one isolate serves between restarts.
const MAX_CACHED: usize = 4096;

/// One hosted policy as read from D1.
#[derive(Deserialize)]
struct PolicyRow {
    policy: String,
    policy_id: String,
    updated_at: f64,
}

/// A policy this isolate served, of which domain, and when it read it.
struct Cached {
    domain: String,
    policy: String,
    etag: String,
    last_modified: String,
    updated_at: u64,
    read_at_ms: f64,
}

thread_local! {
    /// The isolate's copies by `Host` header (a Worker isolate runs on one thread).
    static POLICIES: RefCell<HashMap<String, Rc<Cached>>> = RefCell::new(HashMap::new());
    /// `POLICY_MAX_AGE`, once read.
    static MAX_AGE: OnceCell<u64> = const { OnceCell::new() };
}

/// Forgets this isolate's copies of `domain`'s policy (after a publish or a delete).
pub fn forget(domain: &str) {
    POLICIES.with(|p| p.borrow_mut().retain(|_, c| c.domain != domain));
}

/// The `max-age` announced and kept to: `POLICY_MAX_AGE` seconds, 300 when unset (read once per
/// isolate: vars do not change under a running isolate).
fn max_age(env: &Env) -> u64 {
    MAX_AGE.with(|cell| *cell.get_or_init(|| number(env, "POLICY_MAX_AGE", DEFAULT_MAX_AGE)))
}

/// Serves the policy of the domain named by the `Host` header.
pub async fn serve(req: Request, env: Env) -> Result<Response> {
    let head = match req.method() {
        Method::Get => false,
        Method::Head => true,
        _ => return ApiError::new(405, "only GET and HEAD are served on this path").response(),
    };
    let headers = req.headers();
    let host = headers
        .get("host")
        .ok()
        .flatten()
        .or_else(|| {
            req.url()
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
        })
        .unwrap_or_default();
    let max_age = max_age(&env);
    let now_ms = js_sys::Date::now();
    // Keyed by the Host header as received, so a hit does not even read the name again.
    let fresh = POLICIES.with(|p| {
        p.borrow()
            .get(&host)
            .filter(|c| now_ms - c.read_at_ms < max_age as f64 * 1000.0 && now_ms >= c.read_at_ms)
            .cloned()
    });
    let cached = match fresh {
        Some(cached) => cached,
        None => {
            let Some(domain) = hosted_domain_of_host(&host) else {
                return not_hosted(head, &format!("no policy is served for host {host:?}"));
            };
            match read(&env, &host, domain.clone(), now_ms).await? {
                Some(cached) => cached,
                None => return not_hosted(head, &format!("{domain} has no hosted policy")),
            }
        }
    };
    // Freshness left: counted from the D1 read, never past it.
    let age = ((now_ms - cached.read_at_ms).max(0.0) / 1000.0) as u64;
    let left = max_age.saturating_sub(age);
    let not_modified = not_modified(headers, &cached);
    let mut response = if not_modified {
        Response::empty()?.with_status(304)
    } else if head {
        Response::empty()?
    } else {
        Response::ok(cached.policy.clone())?
    };
    let out = response.headers_mut();
    if !not_modified {
        out.set("content-type", "text/plain; charset=utf-8")?;
        if head {
            out.set("content-length", &cached.policy.len().to_string())?;
        }
    }
    out.set("cache-control", &format!("public, max-age={left}"))?;
    out.set("etag", &cached.etag)?;
    out.set("last-modified", &cached.last_modified)?;
    out.set("x-content-type-options", "nosniff")?;
    Ok(response)
}

/// Reads `domain`'s policy from D1 and keeps it under `host`; `None` when it has none (not kept:
/// a policy published in another isolate is served at once).
async fn read(env: &Env, host: &str, domain: String, now_ms: f64) -> Result<Option<Rc<Cached>>> {
    let db = env.d1("DB")?;
    let row: Option<PolicyRow> = query!(
        &db,
        "SELECT policy, policy_id, updated_at FROM policies WHERE domain = ?1",
        &domain
    )?
    .first(None)
    .await?;
    let Some(row) = row else {
        forget(&domain);
        return Ok(None);
    };
    let updated_at = row.updated_at.max(0.0) as u64;
    let cached = Rc::new(Cached {
        etag: format!("\"{}\"", row.policy_id),
        last_modified: http_date::format(updated_at),
        policy: row.policy,
        updated_at,
        read_at_ms: now_ms,
        domain,
    });
    POLICIES.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= MAX_CACHED {
            p.clear();
        }
        p.insert(host.to_string(), Rc::clone(&cached));
    });
    Ok(Some(cached))
}

/// RFC 9110 §13.2.2: `If-None-Match` (weak comparison, `*` matching any) decides when present;
/// otherwise `If-Modified-Since`, when it is a date we can read.
fn not_modified(headers: &Headers, cached: &Cached) -> bool {
    if let Ok(Some(tags)) = headers.get("if-none-match") {
        return etag_matches(&tags, &cached.etag);
    }
    headers
        .get("if-modified-since")
        .ok()
        .flatten()
        .and_then(|since| http_date::parse(&since))
        .is_some_and(|since| cached.updated_at <= since)
}

/// Whether the `If-None-Match` list names `etag` (RFC 9110 §8.8.3.2's weak comparison).
fn etag_matches(list: &str, etag: &str) -> bool {
    list.trim() == "*"
        || list
            .split(',')
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .any(|tag| tag == etag)
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

#[cfg(test)]
mod tests {
    use super::etag_matches;

    #[test]
    fn if_none_match_lists() {
        let etag = "\"20261207T221400\"";
        for (list, want) in [
            ("*", true),
            ("\"20261207T221400\"", true),
            ("W/\"20261207T221400\"", true),
            ("\"a\", W/\"20261207T221400\"", true),
            ("\"a\",\"b\"", false),
            ("20261207T221400", false),
            ("", false),
        ] {
            assert_eq!(etag_matches(list, etag), want, "{list}");
        }
    }
}
