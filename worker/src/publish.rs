//! Publishing (RFC 8461 §8): `PUT` lints and stores a policy under a new `id`; `DELETE` starts
//! the §8.3 removal. Both need the operator's token or a token of that domain
//! ([`crate::auth`]), and answer the `_mta-sts` TXT record to publish.
//!
//! `PUT /api/domains/<domain>/policy` takes either the policy file itself (any type but JSON;
//! LF or CRLF) or JSON `{"mode": "enforce"|"testing"|"none", "mx": ["..."], "max_age": N}`,
//! which the core's generator turns into a policy file.

use crate::auth::{authorize, Access, Need};
use crate::body::read_bounded;
use crate::config::now_secs;
use crate::domain_input::path_domain;
use crate::reply::{finish, json, ApiError};
use mtasts::date::UtcDateTime;
use mtasts::generate::{generate, GenerateOptions};
use mtasts::media_type::MediaType;
use mtasts::{lint_policy, Mode, Severity};
use serde::Deserialize;
use serde_json::json;
use worker::{query, D1Database, Request, Response, Result, RouteContext};

/// RFC 8461 §8.3: the short `max_age` of the `mode: none` policy served during removal.
pub const REMOVAL_MAX_AGE: u64 = 86_400;

/// The largest policy body accepted (the core's policy size limit).
const MAX_POLICY_BODY: usize = mtasts::mta_sts::policy::MAX_POLICY_SIZE;

#[derive(Deserialize)]
struct StoredPolicy {
    policy_id: String,
    max_age: f64,
    records_removable_at: Option<f64>,
}

#[derive(Deserialize)]
struct PolicyFields {
    mode: String,
    #[serde(default)]
    mx: Vec<String>,
    max_age: u64,
}

/// `PUT /api/domains/:domain/policy`.
pub async fn put_policy(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    finish(put(&mut req, &ctx).await)
}

/// `DELETE /api/domains/:domain/policy`.
pub async fn delete_policy(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    finish(delete(&req, &ctx).await)
}

async fn put(req: &mut Request, ctx: &RouteContext<()>) -> std::result::Result<Response, ApiError> {
    let domain = path_domain(ctx.param("domain").map_or("", String::as_str))?;
    let db = ctx.env.d1("DB")?;
    authorize(req, &ctx.env, &db, Need::Domain(&domain), Access::Change).await?;
    let is_json = req
        .headers()
        .get("content-type")?
        .is_some_and(|t| MediaType::parse(&t).essence.contains("json"));
    let body = read_bounded(req, MAX_POLICY_BODY).await?;
    let old = stored(&db, &domain).await?;
    let now = now_secs();
    let id = next_policy_id(old.as_ref().map(|o| o.policy_id.as_str()), now);
    let text = if is_json {
        policy_from_fields(&domain, &body, &id)?
    } else {
        policy_from_text(&body)?
    };
    let lint = lint_policy(text.as_bytes());
    if !lint.valid {
        return Err(
            ApiError::new(422, "the policy is not valid; nothing was changed")
                .with_detail(json!({ "findings": lint.findings })),
        );
    }
    let Some(policy) = lint.value else {
        return Err(ApiError::new(422, "the policy could not be read"));
    };
    query!(
        &db,
        "INSERT INTO policies (domain, policy, policy_id, mode, max_age, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (domain) DO UPDATE SET policy = ?2, policy_id = ?3, mode = ?4, max_age = ?5,
           updated_at = ?6, removal_started_at = NULL, records_removable_at = NULL",
        &domain,
        &text,
        &id,
        policy.mode.as_str(),
        &policy.max_age.min(MAX_SAFE),
        &now.min(MAX_SAFE)
    )?
    .run()
    .await?;
    crate::hosting::forget(&domain);
    let warnings: Vec<_> = lint
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Error)
        .collect();
    let body = json!({
        "domain": domain,
        "id": id,
        "mode": policy.mode.as_str(),
        "max_age": policy.max_age,
        "policy": text,
        "policy_url": format!("https://mta-sts.{domain}{}", crate::POLICY_PATH),
        "sts_record": sts_record(&domain, &id),
        "tlsrpt_record": tlsrpt_record(req, &domain),
        "findings": warnings,
        "notice": format!(
            "RFC 8461 §8.1: the new policy is served now; publish the TXT record {:?} at _mta-sts.{domain} only after checking that https://mta-sts.{domain}{} serves it, never before",
            format!("v=STSv1; id={id}"), crate::POLICY_PATH
        ),
    });
    Ok(json(if old.is_some() { 200 } else { 201 }, &body)?)
}

async fn delete(req: &Request, ctx: &RouteContext<()>) -> std::result::Result<Response, ApiError> {
    let domain = path_domain(ctx.param("domain").map_or("", String::as_str))?;
    let db = ctx.env.d1("DB")?;
    authorize(req, &ctx.env, &db, Need::Domain(&domain), Access::Change).await?;
    let Some(old) = stored(&db, &domain).await? else {
        return Err(ApiError::new(404, format!("{domain} has no hosted policy")));
    };
    let now = now_secs();
    if let Some(removable) = old.records_removable_at.map(|t| t.max(0.0) as u64) {
        if now >= removable {
            query!(&db, "DELETE FROM policies WHERE domain = ?1", &domain)?
                .run()
                .await?;
            crate::hosting::forget(&domain);
            return Ok(json(
                200,
                &json!({
                    "domain": domain,
                    "removed": true,
                    "notice": format!("RFC 8461 §8.3: the policy is no longer served; delete the TXT record _mta-sts.{domain} (and the mta-sts.{domain} host) now"),
                }),
            )?);
        }
        return Ok(json(
            200,
            &removal_answer(&domain, &old.policy_id, removable),
        )?);
    }
    let id = next_policy_id(Some(&old.policy_id), now);
    let text = removal_policy();
    // RFC 8461 §8.3: senders may cache the previous policy for its max_age.
    let removable = now.saturating_add(old.max_age.max(0.0) as u64);
    query!(
        &db,
        "UPDATE policies SET policy = ?2, policy_id = ?3, mode = 'none', max_age = ?4,
           updated_at = ?5, removal_started_at = ?5, records_removable_at = ?6 WHERE domain = ?1",
        &domain,
        &text,
        &id,
        &REMOVAL_MAX_AGE,
        &now.min(MAX_SAFE),
        &removable.min(MAX_SAFE)
    )?
    .run()
    .await?;
    crate::hosting::forget(&domain);
    Ok(json(202, &removal_answer(&domain, &id, removable))?)
}

/// The largest integer D1 (a JavaScript number) holds exactly.
const MAX_SAFE: u64 = (1 << 53) - 1;

async fn stored(
    db: &D1Database,
    domain: &str,
) -> std::result::Result<Option<StoredPolicy>, ApiError> {
    Ok(query!(
        db,
        "SELECT policy_id, max_age, records_removable_at FROM policies WHERE domain = ?1",
        &domain
    )?
    .first(None)
    .await?)
}

fn removal_answer(domain: &str, id: &str, removable: u64) -> serde_json::Value {
    json!({
        "domain": domain,
        "id": id,
        "mode": "none",
        "max_age": REMOVAL_MAX_AGE,
        "policy": removal_policy(),
        "sts_record": sts_record(domain, id),
        "removed": false,
        "records_removable_at": UtcDateTime::from_unix_unsigned(removable).to_string(),
        "records_removable_at_unix": removable,
        "notice": format!(
            "RFC 8461 §8.3: mode none is served now; publish the TXT record \"v=STSv1; id={id}\" at _mta-sts.{domain} now, and delete it and the policy host only after {} (the previous policy's max_age); DELETE again after that time to stop serving the policy",
            UtcDateTime::from_unix_unsigned(removable)
        ),
    })
}

/// The policy served during removal (RFC 8461 §8.3).
fn removal_policy() -> String {
    format!("version: STSv1\r\nmode: none\r\nmax_age: {REMOVAL_MAX_AGE}\r\n")
}

fn sts_record(domain: &str, id: &str) -> serde_json::Value {
    json!({ "name": format!("_mta-sts.{domain}"), "type": "TXT", "value": format!("v=STSv1; id={id}") })
}

/// The `_smtp._tls` record pointing reports at this Worker's intake (RFC 8460 §3).
fn tlsrpt_record(req: &Request, domain: &str) -> serde_json::Value {
    let origin = req
        .url()
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    json!({ "name": format!("_smtp._tls.{domain}"), "type": "TXT", "value": format!("v=TLSRPTv1; rua={origin}/tlsrpt") })
}

/// A policy file from a JSON body, through the core's generator.
fn policy_from_fields(
    domain: &str,
    body: &[u8],
    id: &str,
) -> std::result::Result<String, ApiError> {
    let fields: PolicyFields = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            400,
            format!("the JSON body is not {{\"mode\", \"mx\", \"max_age\"}}: {e}"),
        )
    })?;
    let mode = Mode::from_value(&fields.mode).ok_or_else(|| {
        ApiError::new(
            422,
            format!("mode {:?} is not enforce, testing or none", fields.mode),
        )
    })?;
    let generated = generate(&GenerateOptions {
        domain: domain.to_string(),
        mx: fields.mx,
        mode,
        max_age: fields.max_age,
        rua: Vec::new(),
        id: id.to_string(),
    })
    .map_err(|e| ApiError::new(422, format!("the policy cannot be generated: {e}")))?;
    Ok(generated.policy)
}

/// A policy file from a text body: UTF-8, every line ending made CRLF (RFC 8461 §3.2).
fn policy_from_text(body: &[u8]) -> std::result::Result<String, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::new(400, "the policy is not UTF-8 text"))?;
    if text.trim().is_empty() {
        return Err(ApiError::new(
            400,
            "the body is empty; send the policy file or JSON {mode, mx, max_age}",
        ));
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        out.push_str(line.trim_end_matches('\r'));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// A policy `id` that differs from the previous one: the time (`YYYYMMDDThhmmssZ`), with a
/// counter appended when the previous id was made in the same second.
fn next_policy_id(previous: Option<&str>, now: u64) -> String {
    let base = mtasts::policy_id_from_unix(now);
    match previous.and_then(|p| p.strip_prefix(base.as_str())) {
        Some(suffix) => {
            let n: u64 = suffix.parse().unwrap_or(0);
            format!("{base}{}", n.saturating_add(1))
        }
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_always_change() {
        let t = 1_764_334_260;
        let first = next_policy_id(None, t);
        assert_eq!(first, "20251128T125100Z");
        let second = next_policy_id(Some(&first), t);
        assert_eq!(second, "20251128T125100Z1");
        assert_eq!(next_policy_id(Some(&second), t), "20251128T125100Z2");
        assert_eq!(next_policy_id(Some(&second), t + 1), "20251128T125101Z");
    }

    #[test]
    fn removal_policy_lints_clean() {
        let lint = lint_policy(removal_policy().as_bytes());
        assert!(lint.valid, "{:?}", lint.findings);
    }

    #[test]
    fn text_policies_get_crlf() {
        for (input, want) in [
            (
                "version: STSv1\nmode: none\nmax_age: 1\n",
                "version: STSv1\r\nmode: none\r\nmax_age: 1\r\n",
            ),
            (
                "version: STSv1\r\nmode: none",
                "version: STSv1\r\nmode: none\r\n",
            ),
        ] {
            assert_eq!(
                policy_from_text(input.as_bytes()).ok().as_deref(),
                Some(want)
            );
        }
        assert!(policy_from_text(b"\xff").is_err());
        assert!(policy_from_text(b"  ").is_err());
    }
}
