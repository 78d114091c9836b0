//! Domain tokens: `POST /api/domains/<domain>/tokens` (operator) makes one and shows it once;
//! `GET …/tokens` lists their ids; `DELETE …/tokens/<id>` (operator, or a token of that domain)
//! revokes one. Only the SHA-256 of a token is stored ([`crate::secret::stored_form`]).

use crate::auth::{authorize, Access, Need, DOMAIN_TOKEN_PREFIX};
use crate::config::{now_secs, number};
use crate::counters::Count;
use crate::domain_input::path_domain;
use crate::reply::{finish, json, ApiError};
use crate::secret::{new_secret, random_text, stored_form};
use mtasts::date::UtcDateTime;
use serde::Deserialize;
use serde_json::json;
use worker::{query, D1Database, Request, Response, Result, RouteContext};

/// Tokens one domain may hold when `DOMAIN_TOKENS_MAX` is not set.
const DEFAULT_MAX_TOKENS: u64 = 20;

#[derive(Deserialize)]
struct Listed {
    id: String,
    created_at: f64,
    created_by: String,
}

/// `POST /api/domains/:domain/tokens`.
pub async fn post_token(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    finish(create(&req, &ctx).await)
}

/// `GET /api/domains/:domain/tokens`.
pub async fn get_tokens(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    finish(list(&req, &ctx).await)
}

/// `DELETE /api/domains/:domain/tokens/:id`.
pub async fn delete_token(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    finish(revoke(&req, &ctx).await)
}

async fn create(req: &Request, ctx: &RouteContext<()>) -> std::result::Result<Response, ApiError> {
    let domain = path_domain(ctx.param("domain").map_or("", String::as_str))?;
    let db = ctx.env.d1("DB")?;
    authorize(req, &ctx.env, &db, Need::Operator, Access::Change).await?;
    let max = number(&ctx.env, "DOMAIN_TOKENS_MAX", DEFAULT_MAX_TOKENS);
    let issued = issue(&db, &domain, "operator", max).await?;
    Ok(json(201, &issued)?)
}

/// Makes a token for `domain` (`created_by`: `operator` or `verified`), unless the domain holds
/// `max` already (409): the answer shows the token, once.
pub async fn issue(
    db: &D1Database,
    domain: &str,
    created_by: &str,
    max: u64,
) -> std::result::Result<serde_json::Value, ApiError> {
    let held: Option<Count> = query!(
        db,
        "SELECT COUNT(*) AS n FROM domain_tokens WHERE domain = ?1",
        &domain
    )?
    .first(None)
    .await?;
    if Count::of(held) >= max {
        return Err(ApiError::new(
            409,
            format!("{domain} holds {max} tokens, the most allowed; delete one first"),
        ));
    }
    let token = new_secret(DOMAIN_TOKEN_PREFIX)?;
    let id = random_text(12)?;
    let now = now_secs();
    query!(
        db,
        "INSERT INTO domain_tokens (id, domain, token_sha256, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &id,
        &domain,
        &stored_form(&token),
        &now,
        &created_by
    )?
    .run()
    .await?;
    Ok(json!({
        "domain": domain,
        "id": id,
        "token": token,
        "created_at": UtcDateTime::from_unix_unsigned(now).to_string(),
        "notice": "the token is shown only now; keep it secret. It publishes and removes this domain's policy and reads its reports: Authorization: Bearer <token>",
    }))
}

async fn list(req: &Request, ctx: &RouteContext<()>) -> std::result::Result<Response, ApiError> {
    let domain = path_domain(ctx.param("domain").map_or("", String::as_str))?;
    let db = ctx.env.d1("DB")?;
    authorize(req, &ctx.env, &db, Need::Domain(&domain), Access::Read).await?;
    let rows: Vec<Listed> = query!(
        &db,
        "SELECT id, created_at, created_by FROM domain_tokens WHERE domain = ?1 ORDER BY created_at, id",
        &domain
    )?
    .all()
    .await?
    .results()?;
    let tokens: Vec<_> = rows
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "created_at": UtcDateTime::from_unix_unsigned(t.created_at.max(0.0) as u64).to_string(),
                "created_by": t.created_by,
            })
        })
        .collect();
    Ok(json(200, &json!({ "domain": domain, "tokens": tokens }))?)
}

async fn revoke(req: &Request, ctx: &RouteContext<()>) -> std::result::Result<Response, ApiError> {
    let domain = path_domain(ctx.param("domain").map_or("", String::as_str))?;
    let id = ctx.param("id").cloned().unwrap_or_default();
    let db = ctx.env.d1("DB")?;
    authorize(req, &ctx.env, &db, Need::Domain(&domain), Access::Change).await?;
    let result = query!(
        &db,
        "DELETE FROM domain_tokens WHERE id = ?1 AND domain = ?2",
        &id,
        &domain
    )?
    .run()
    .await?;
    let deleted = result.meta()?.and_then(|m| m.changes).unwrap_or(0);
    if deleted == 0 {
        return Err(ApiError::new(
            404,
            format!("{domain} has no token with this id"),
        ));
    }
    Ok(Response::empty()?.with_status(204))
}
