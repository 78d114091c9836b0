//! Self-service onboarding with proof of ownership, off unless `OPEN_SIGNUP = "true"`:
//!
//! 1. `POST /api/domains/<domain>/claim` → 202 with a claim secret (shown once) and a challenge:
//!    the TXT record `_mtasts-challenge.<domain>` with the value `mtasts-verify=<random>`, to be
//!    published before `expires_at` (`CLAIM_TTL_HOURS`, default 72).
//! 2. `POST /api/domains/<domain>/verify` with `{"claim": "<secret>"}` → the Worker asks its DoH
//!    resolver (`DOH_URL`, the core's resolver) for that TXT record: present → 201 with a domain
//!    token; absent, another value, or the claim expired → 422 saying what it saw.
//!
//! Whoever controls the domain's DNS can get a token this way, also for a domain that is hosted
//! already (that is what owning it means). The claim secret binds the proof to the claimant: a
//! stranger who reads the TXT record cannot verify in the claimant's place, and any number of
//! claims can be pending for a domain, so a stranger's claim never blocks the owner's. Both
//! routes count against the client prefix's `SIGNUP_RATE_PER_MINUTE` (default 10), and at most
//! `CLAIMS_MAX` (default 10000) claims are pending at once; expired ones are deleted by the
//! scheduled event. Neither answer says whether the domain is hosted or has tokens.

use crate::auth::require_sound_config;
use crate::body::read_bounded;
use crate::client::client_prefix;
use crate::config::{doh_url, flag, now_secs, number};
use crate::counters::{take, Count, Window};
use crate::domain_input::{edge_domain, percent_decode};
use crate::reply::{finish, json, ApiError};
use crate::secret::{new_secret, random_text, stored_form};
use crate::tokens::issue;
use mtasts::check::Resolver;
use mtasts::date::UtcDateTime;
use mtasts::dns::{decode_answer, encode_query, Rcode, RecordType};
use mtasts_fetch::DohResolver;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;
use worker::{query, D1Database, Env, Request, Response, Result, RouteContext};

/// The label the challenge record is published under.
pub const CHALLENGE_LABEL: &str = "_mtasts-challenge";
/// What the challenge value starts with.
pub const CHALLENGE_PREFIX: &str = "mtasts-verify=";
/// What a claim secret starts with.
const CLAIM_PREFIX: &str = "mtasts_claim_";
/// The largest `verify` body.
const MAX_VERIFY_BODY: usize = 4096;

#[derive(Deserialize)]
struct VerifyBody {
    claim: String,
}

#[derive(Deserialize)]
struct Claim {
    challenge: String,
    expires_at: f64,
}

/// `POST /api/domains/:domain/claim`.
pub async fn post_claim(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    finish(claim(&req, &ctx).await)
}

/// `POST /api/domains/:domain/verify`.
pub async fn post_verify(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    finish(verify(&mut req, &ctx).await)
}

/// Open signup on, a sound configuration, a public domain, and the client's rate limit: the
/// database and the path's domain.
async fn admit(
    req: &Request,
    ctx: &RouteContext<()>,
) -> std::result::Result<(D1Database, String), ApiError> {
    let env = &ctx.env;
    if !flag(env, "OPEN_SIGNUP") {
        return Err(ApiError::new(
            403,
            "self-service signup is off on this Worker (OPEN_SIGNUP); ask its operator for a domain token",
        ));
    }
    require_sound_config(env)?;
    let param = ctx.param("domain").map_or("", String::as_str);
    let domain = edge_domain(&percent_decode(param), env)?;
    let db = env.d1("DB")?;
    let limit = number(env, "SIGNUP_RATE_PER_MINUTE", 10);
    let scope = format!("signup:{}", client_prefix(req));
    take(
        &db,
        &scope,
        Window::Minute,
        limit,
        now_secs(),
        "too many claims and verifications from this client",
    )
    .await?;
    Ok((db, domain))
}

async fn claim(req: &Request, ctx: &RouteContext<()>) -> std::result::Result<Response, ApiError> {
    let (db, domain) = admit(req, ctx).await?;
    let now = now_secs();
    let pending: Option<Count> = query!(
        &db,
        "SELECT COUNT(*) AS n FROM claims WHERE expires_at > ?1",
        &now
    )?
    .first(None)
    .await?;
    let max = number(&ctx.env, "CLAIMS_MAX", 10_000);
    if Count::of(pending) >= max {
        return Err(ApiError::new(
            503,
            "too many claims are pending on this Worker; try again later",
        )
        .with_retry_after(3600));
    }
    let secret = new_secret(CLAIM_PREFIX)?;
    let challenge = format!("{CHALLENGE_PREFIX}{}", random_text(24)?);
    let hours = number(&ctx.env, "CLAIM_TTL_HOURS", 72).clamp(1, 24 * 30);
    let expires = now.saturating_add(hours * 3600);
    query!(
        &db,
        "INSERT INTO claims (claim_sha256, domain, challenge, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &stored_form(&secret),
        &domain,
        &challenge,
        &now,
        &expires
    )?
    .run()
    .await?;
    let name = format!("{CHALLENGE_LABEL}.{domain}");
    Ok(json(
        202,
        &json!({
            "domain": domain,
            "claim": secret,
            "challenge": { "name": name, "type": "TXT", "value": challenge },
            "expires_at": UtcDateTime::from_unix_unsigned(expires).to_string(),
            "notice": format!("publish the TXT record {name} with the value {challenge:?}, then POST /api/domains/{domain}/verify with {{\"claim\": \"<the claim secret above>\"}} before the claim expires; the claim secret is shown only now"),
        }),
    )?)
}

async fn verify(
    req: &mut Request,
    ctx: &RouteContext<()>,
) -> std::result::Result<Response, ApiError> {
    let (db, domain) = admit(req, ctx).await?;
    let body = read_bounded(req, MAX_VERIFY_BODY).await?;
    let given: VerifyBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            400,
            format!("the body is not {{\"claim\": \"<claim secret>\"}}: {e}"),
        )
    })?;
    let hash = stored_form(given.claim.trim());
    let found: Option<Claim> = query!(
        &db,
        "SELECT challenge, expires_at FROM claims WHERE claim_sha256 = ?1 AND domain = ?2",
        &hash,
        &domain
    )?
    .first(None)
    .await?;
    let Some(claim) = found else {
        return Err(ApiError::new(
            422,
            format!("no claim of {domain} has this claim secret; POST /api/domains/{domain}/claim first"),
        ));
    };
    let now = now_secs();
    let expires = claim.expires_at.max(0.0) as u64;
    if now >= expires {
        return Err(ApiError::new(
            422,
            format!(
                "the claim expired at {}; claim again",
                UtcDateTime::from_unix_unsigned(expires)
            ),
        ));
    }
    let name = format!("{CHALLENGE_LABEL}.{domain}");
    let seen = txt_records(&ctx.env, &name).await?;
    if !seen.values.iter().any(|v| v == &claim.challenge) {
        let saw = if seen.values.is_empty() {
            format!("no TXT record at {name} ({})", seen.rcode)
        } else {
            format!(
                "{} TXT record(s) at {name}, none with the claim's value",
                seen.values.len()
            )
        };
        return Err(ApiError::new(
            422,
            format!("{saw}; publish it and verify again before the claim expires"),
        )
        .with_detail(json!({
            "expected": { "name": name, "type": "TXT", "value": claim.challenge },
            "seen": seen.values.iter().map(|v| printable(v)).collect::<Vec<_>>(),
            "rcode": seen.rcode,
        })));
    }
    let max = number(&ctx.env, "DOMAIN_TOKENS_MAX", 20);
    let issued = issue(&db, &domain, "verified", max).await?;
    query!(&db, "DELETE FROM claims WHERE claim_sha256 = ?1", &hash)?
        .run()
        .await?;
    Ok(json(201, &issued)?)
}

/// The TXT values at `name` and the response code, through the Worker's DoH resolver.
pub(crate) struct Seen {
    pub(crate) values: Vec<String>,
    pub(crate) rcode: String,
}

/// The TXT records at `name` (NOERROR or NXDOMAIN); any other answer, or none, is a 502.
pub(crate) async fn txt_records(env: &Env, name: &str) -> std::result::Result<Seen, ApiError> {
    let time_limit = Duration::from_millis(number(env, "EDGE_TIMEOUT_MS", 10_000));
    let resolver = DohResolver::new(doh_url(env))
        .map_err(|e| ApiError::new(502, e.to_string()))?
        .with_time_limit(time_limit);
    let query = encode_query(name, RecordType::Txt)
        .map_err(|e| ApiError::new(400, format!("{name} cannot be looked up: {e:?}")))?;
    let bytes = resolver.exchange(query).await.map_err(|e| {
        ApiError::new(
            502,
            format!("the DNS lookup of {name} failed: {e}; verify again later"),
        )
    })?;
    let answer = decode_answer(&bytes).map_err(|e| {
        ApiError::new(
            502,
            format!("the DNS answer for {name} cannot be read: {e:?}"),
        )
    })?;
    if !matches!(answer.rcode, Rcode::NoError | Rcode::NxDomain) {
        return Err(ApiError::new(
            502,
            format!(
                "the DNS lookup of {name} failed with {}; verify again later",
                answer.rcode
            ),
        ));
    }
    // A TXT record's value is its character-strings joined (RFC 7208 §3.3 reads them so).
    let values = answer.txt_values(name);
    Ok(Seen {
        values,
        rcode: answer.rcode.to_string(),
    })
}

/// A DNS value for the JSON answer: at most 300 characters, control and bidi characters
/// escaped by the core ([`mtasts::text::printable`]).
fn printable(value: &str) -> String {
    let cut: String = value.chars().take(300).collect();
    mtasts::text::printable(&cut).into_owned()
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn printable_values() {
        assert_eq!(printable("mtasts-verify=abc"), "mtasts-verify=abc");
        assert_eq!(printable("a\u{1b}[31mb\u{202e}"), "a\\u{1b}[31mb\\u{202e}");
        assert_eq!(printable(&"x".repeat(400)).len(), 300);
    }
}
