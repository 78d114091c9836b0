//! TLS-RPT intake (RFC 8460 §5.4): `POST /tlsrpt` with `application/tlsrpt+gzip` or
//! `application/tlsrpt+json` (also `application/gzip`, `application/json`).
//!
//! The body is read up to `TLSRPT_MAX_BODY` bytes (default 1 MiB: D1 keeps at most 2 MB in one
//! row, and the raw body is kept), decompressed up to `TLSRPT_MAX_JSON` bytes (default 8 MiB) by
//! the core, read leniently by the core, and stored in one D1 batch — the report row (raw body and
//! the core's summary) with `INSERT OR IGNORE` on its unique identity, then one `report_domains`
//! row per policy domain (what `GET /api/domains/D/reports` reads) only if this request stored
//! the report row — before the answer: 201 for a new report, 200 for a repeat (nothing stored).

use crate::body::read_bounded;
use crate::config::{flag, now_secs, number};
use crate::media_type::{report_media_type, ReportMediaType};
use crate::reply::{finish, json, ApiError};
use crate::report_key::{policy_domains, ReportIdentity};
use mtasts::{lint_report_with_limits, Code, ReportLimits, Severity};
use serde::Deserialize;
use serde_json::json;
use wasm_bindgen::JsValue;
use worker::{query, Request, Response, Result, RouteContext};

/// Default body limit (bytes).
const DEFAULT_MAX_BODY: u64 = 1 << 20;
/// Default decompressed-JSON limit (bytes).
const DEFAULT_MAX_JSON: u64 = 8 << 20;
/// D1 keeps at most 2 000 000 bytes in a row: the body limit never goes above this.
const D1_MAX_BODY: u64 = 1_900_000;

#[derive(Deserialize)]
struct Count {
    n: f64,
}

/// `POST /tlsrpt`.
pub async fn post_report(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    finish(post(&mut req, &ctx).await)
}

async fn post(
    req: &mut Request,
    ctx: &RouteContext<()>,
) -> std::result::Result<Response, ApiError> {
    let content_type = req.headers().get("content-type")?.unwrap_or_default();
    let Some(media_type) = report_media_type(&content_type) else {
        return Err(ApiError::new(
            415,
            format!("media type {content_type:?} is not taken; send application/tlsrpt+gzip or application/tlsrpt+json (RFC 8460 §5.4)"),
        ));
    };
    let max_body = number(&ctx.env, "TLSRPT_MAX_BODY", DEFAULT_MAX_BODY).min(D1_MAX_BODY) as usize;
    let max_json = number(&ctx.env, "TLSRPT_MAX_JSON", DEFAULT_MAX_JSON) as usize;
    let body = read_bounded(req, max_body).await?;
    if body.is_empty() {
        return Err(ApiError::new(400, "the body is empty"));
    }
    let limits = ReportLimits {
        max_input: max_body,
        max_decompressed: max_json,
    };
    let lint = lint_report_with_limits(&body, limits);
    let Some(summary) = lint.value.filter(|_| lint.valid) else {
        let fatal = lint.findings.iter().find(|f| f.severity == Severity::Error);
        let status = if fatal.is_some_and(|f| f.code == Code::ReportTooLarge) {
            413
        } else {
            400
        };
        let reason = fatal.map_or_else(
            || "the report cannot be read".to_string(),
            |f| f.message.clone(),
        );
        return Err(ApiError::new(status, reason).with_detail(
            json!({ "findings": lint.findings, "limits": { "body": max_body, "json": max_json } }),
        ));
    };
    let domains = policy_domains(&summary);
    let domains_json = serde_json::to_string(&domains).unwrap_or_else(|_| "[]".to_string());
    let db = ctx.env.d1("DB")?;
    if !flag(&ctx.env, "TLSRPT_OPEN_INTAKE") {
        let hosted: Option<Count> = query!(
            &db,
            "SELECT COUNT(*) AS n FROM policies WHERE domain IN (SELECT value FROM json_each(?1))",
            &domains_json
        )?
        .first(None)
        .await?;
        if hosted.map_or(0.0, |c| c.n) < 1.0 {
            return Err(ApiError::new(
                404,
                format!(
                    "this Worker hosts none of the report's policy domains ({})",
                    if domains.is_empty() {
                        "none named".to_string()
                    } else {
                        domains.join(", ")
                    }
                ),
            ));
        }
    }

    let identity = ReportIdentity::of(&summary);
    let key = identity.key();
    let nonce = format!("{}-{}", js_sys::Date::now(), js_sys::Math::random());
    let summary_json = serde_json::to_string(&summary).unwrap_or_else(|_| "{}".to_string());
    // The UTC day the report's range starts, '' when undated (migrations/0002_report_domains.sql).
    let day = summary
        .date_range
        .as_ref()
        .and_then(|r| r.start_day())
        .unwrap_or_default();
    let media = match media_type {
        ReportMediaType::Json => "application/tlsrpt+json",
        ReportMediaType::Gzip => "application/tlsrpt+gzip",
    };
    let raw: JsValue = js_sys::Uint8Array::from(body.as_slice()).into();
    let report = db
        .prepare(
            "INSERT OR IGNORE INTO reports (report_key, organization, report_id, policy_domains,
               start_datetime, end_datetime, received_at, nonce, media_type, raw, summary)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .bind(&[
            key.as_str().into(),
            identity.organization.as_str().into(),
            identity.report_id.as_str().into(),
            identity.policy_domains.as_str().into(),
            identity.start.as_str().into(),
            identity.end.as_str().into(),
            JsValue::from_f64(now_secs() as f64),
            nonce.as_str().into(),
            media.into(),
            raw,
            summary_json.as_str().into(),
        ])?;
    // The domain rows go in only with the report row this request inserted (same nonce).
    let filed = query!(
        &db,
        "INSERT OR IGNORE INTO report_domains (report_key, policy_domain, day, summary_bytes)
         SELECT ?1, value, ?3, ?4 FROM json_each(?5)
         WHERE EXISTS (SELECT 1 FROM reports WHERE report_key = ?1 AND nonce = ?2)",
        &key,
        &nonce,
        &day,
        &summary_json.len(),
        &domains_json
    )?;
    let statements = vec![report, filed];
    let results = db.batch(statements).await?;
    let stored = results
        .first()
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0)
        > 0;
    let warnings: Vec<_> = lint
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Error)
        .collect();
    Ok(json(
        if stored { 201 } else { 200 },
        &json!({
            "stored": stored,
            "duplicate": !stored,
            "organization": summary.organization,
            "report_id": summary.report_id,
            "policy_domains": domains,
            "date_range": summary.date_range,
            "successful": summary.successful,
            "failed": summary.failed,
            "findings": warnings,
        }),
    )?)
}
