//! TLS-RPT intake over HTTPS (RFC 8460 §5.4): `POST /tlsrpt` with `application/tlsrpt+gzip` or
//! `application/tlsrpt+json` (also `application/gzip`, `application/json`).
//!
//! A body is read as what it is declared: JSON as JSON, gzip as gzip; a body that is something
//! else (gzip declared JSON, an e-mail, HTML) is a 415, never a guess. The body is read up to `TLSRPT_MAX_BODY` bytes (default 1 MiB), decompressed up to
//! `TLSRPT_MAX_JSON` bytes (default 8 MiB) by the core, read leniently by the core, and handed
//! to the report store ([`crate::store`]) before the answer: 201 for a report stored now, 200 for
//! a repeat of a stored one (the same decoded JSON: nothing stored), 404 when none of its policy
//! domains is hosted (closed intake), 429 over the daily quota of every one of them.

use crate::body::read_bounded;
use crate::config::number;
use crate::media_type::report_media_type;
use crate::reply::{finish, json, ApiError};
use crate::store::{store, Channel, Submission};
use mtasts::{ReportForm, ReportLimits};
use worker::{Request, Response, Result, RouteContext};

/// Default body limit (bytes).
const DEFAULT_MAX_BODY: u64 = 1 << 20;
/// Default decompressed-JSON limit (bytes).
const DEFAULT_MAX_JSON: u64 = 8 << 20;
/// The most `TLSRPT_MAX_BODY` may say: R2 holds the body, but the Worker holds it in memory too.
const MAX_MAX_BODY: u64 = 16 << 20;

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
    let max_body = number(&ctx.env, "TLSRPT_MAX_BODY", DEFAULT_MAX_BODY).min(MAX_MAX_BODY) as usize;
    let max_json = number(&ctx.env, "TLSRPT_MAX_JSON", DEFAULT_MAX_JSON) as usize;
    let body = read_bounded(req, max_body).await?;
    if body.is_empty() {
        return Err(ApiError::new(400, "the body is empty"));
    }
    let form = mtasts::report_form(&body);
    if !media_type.declares(form) {
        let what = match form {
            ReportForm::Json => "JSON",
            ReportForm::Gzip => "gzip",
            ReportForm::Email => "an e-mail message",
            _ => "neither JSON nor gzip",
        };
        return Err(ApiError::new(
            415,
            format!("the body is declared {} but is {what}; send it with the media type it is (RFC 8460 §5.4)", media_type.as_str()),
        ));
    }
    let media = media_type.as_str();
    let receipt = store(
        &ctx.env,
        Submission {
            raw: &body,
            media_type: media,
            channel: Channel::Https,
            limits: ReportLimits {
                max_input: max_body,
                max_decompressed: max_json,
            },
            received_at: None,
            mail: None,
        },
    )
    .await?;
    Ok(json(if receipt.stored { 201 } else { 200 }, &receipt)?)
}
