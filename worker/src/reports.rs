//! `GET /api/domains/<domain>/reports` (the operator, or a token of that domain): the core's
//! [`ReportsOverview`] of the domain's stored reports — the view the web page's /reports shows for
//! the files given to it — with `domain`, `since`, `truncated`, `conflicts` and `received` (each
//! report read: its id, channel, arrival time and whether it conflicts) beside its fields.
//! `GET /api/reports/<id>/raw` (the operator) answers a stored report's body from R2.
//!
//! Reports by e-mail carry their evidence (`sender`, `dkim`, `dkim_domain`, `submitter`). Those
//! not proven by DKIM (stored only with `TLSRPT_UNSIGNED = "quarantine"`) are listed apart in
//! `unverified` and left out of the overview's totals.
//!
//! The reports are the summaries the store filed per domain (`tlsrpt_report_domains.summary`,
//! the core's [`ReportSummary`] cut to the domain by [`ReportSummary::for_policy_domain`]),
//! added up by the core ([`summarize_reports`]).
//! `?days=N` keeps the reports whose range starts in the last N UTC days (1 to 3660), and the
//! undated ones; without it, every stored report counts.
//!
//! One answer reads a bounded amount: at most `REPORTS_MAX_READ` reports (default 1000), the
//! newest by start day first and then the undated ones, and at most [`MAX_SUMMARY_BYTES`] of
//! stored summaries. When the domain has more in the window, `truncated` is `true` and the
//! overview covers the newest ones (a smaller `days` covers fewer).

use crate::auth::{authorize, Access, Need};
use crate::config::number;
use crate::domain_input::path_domain;
use crate::reply::{finish, json, ApiError};
use crate::store::RAW_PREFIX;
use mtasts::date::UtcDateTime;
use mtasts::{summarize_reports, ReportSummary, ReportsOverview};
use serde::{Deserialize, Serialize};
use worker::{query, Request, Response, Result, RouteContext};

/// Reports read per answer when `REPORTS_MAX_READ` is not set.
const DEFAULT_MAX_REPORTS: u64 = 1000;
/// The most `REPORTS_MAX_READ` may ask for.
const MAX_MAX_REPORTS: u64 = 10_000;
/// Bytes of stored summaries read per answer (the first report is read whatever its size).
const MAX_SUMMARY_BYTES: u64 = 8 << 20;

/// The answer: the core's overview, what it covers, and each report read.
#[derive(Serialize)]
struct Answer {
    /// The domain whose policies were added up.
    domain: String,
    /// The first UTC day of the window (`?days=N`), `None` without one.
    since: Option<String>,
    /// Whether some of the domain's reports in the window were left out (over the limits, or a
    /// stored summary that cannot be read).
    truncated: bool,
    /// Reports read that share their organization, report-id and range with another stored
    /// report of different content (one of them may be a forgery).
    conflicts: u64,
    /// Each report read, newest first.
    received: Vec<Received>,
    /// Reports by e-mail in quarantine (not proven by DKIM): listed, not counted.
    unverified: Vec<Received>,
    #[serde(flatten)]
    overview: ReportsOverview,
}

/// One stored report, as the owner sees it.
#[derive(Serialize)]
struct Received {
    /// The SHA-256 of its decoded JSON.
    id: String,
    organization: String,
    report_id: String,
    start_datetime: String,
    end_datetime: String,
    /// How it came: `https` or `email`.
    channel: String,
    /// When it was stored (RFC 3339, UTC).
    received_at: String,
    /// Another stored report has the same organization, report-id and range.
    conflict: bool,
    successful: u64,
    failed: u64,
    /// By e-mail: the envelope sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<String>,
    /// By e-mail: the DKIM result (`pass`, or in `unverified` `fail`, `none`, `permerror`).
    #[serde(skip_serializing_if = "Option::is_none")]
    dkim: Option<String>,
    /// By e-mail: the signing domain (`d=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    dkim_domain: Option<String>,
    /// By e-mail: `TLS-Report-Submitter`.
    #[serde(skip_serializing_if = "Option::is_none")]
    submitter: Option<String>,
}

/// A `tlsrpt_report_domains` row: a report filed under the domain.
#[derive(Deserialize)]
struct Filed {
    sha256: String,
    summary_bytes: f64,
}

/// A filed report's summary and metadata.
#[derive(Deserialize)]
struct Stored {
    sha256: String,
    summary: String,
    organization: String,
    report_id: String,
    start_datetime: String,
    end_datetime: String,
    channel: String,
    received_at: f64,
    conflict: f64,
    verified: f64,
    mail_from: Option<String>,
    dkim: Option<String>,
    dkim_domain: Option<String>,
    report_submitter: Option<String>,
}

#[derive(Deserialize)]
struct Params {
    days: Option<String>,
}

/// `GET /api/domains/:domain/reports`.
pub async fn get_reports(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    finish(get(&req, &ctx).await)
}

/// `GET /api/reports/:id/raw` (operator only: a report may speak of several tenants' domains):
/// the body as received, from R2.
pub async fn get_raw(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    finish(raw(&req, &ctx).await)
}

async fn raw(req: &Request, ctx: &RouteContext<()>) -> std::result::Result<Response, ApiError> {
    let db = ctx.env.d1("DB")?;
    authorize(req, &ctx.env, &db, Need::Operator, Access::Read).await?;
    let id = ctx.param("id").cloned().unwrap_or_default();
    if id.len() != 64 || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(ApiError::new(
            400,
            "a report id is 64 lower-case hex digits",
        ));
    }
    let object = ctx
        .env
        .bucket("REPORTS")?
        .get(format!("{RAW_PREFIX}{id}"))
        .execute()
        .await?;
    let Some(object) = object else {
        return Err(ApiError::new(404, "no stored report has this id"));
    };
    let media_type = object
        .http_metadata()
        .content_type
        .unwrap_or_else(|| "application/octet-stream".to_string());
    let bytes = object.body().map(|b| b.bytes());
    let bytes = match bytes {
        Some(future) => future.await?,
        None => Vec::new(),
    };
    let mut response = Response::from_bytes(bytes)?;
    response.headers_mut().set("content-type", &media_type)?;
    response.headers_mut().set("cache-control", "no-store")?;
    response
        .headers_mut()
        .set("x-content-type-options", "nosniff")?;
    Ok(response)
}

async fn get(req: &Request, ctx: &RouteContext<()>) -> std::result::Result<Response, ApiError> {
    let domain = path_domain(ctx.param("domain").map_or("", String::as_str))?;
    let db = ctx.env.d1("DB")?;
    authorize(req, &ctx.env, &db, Need::Domain(&domain), Access::Read).await?;
    let since = match req.query::<Params>().ok().and_then(|p| p.days) {
        None => None,
        Some(d) => {
            let days: u64 = d
                .parse()
                .ok()
                .filter(|d| (1..=3660).contains(d))
                .ok_or_else(|| ApiError::new(400, format!("days {d:?} is not 1 to 3660")))?;
            let since = crate::config::now_secs().saturating_sub(days * 86_400);
            Some(UtcDateTime::from_unix_unsigned(since).date.to_string())
        }
    };
    let max_reports =
        number(&ctx.env, "REPORTS_MAX_READ", DEFAULT_MAX_REPORTS).clamp(1, MAX_MAX_REPORTS);
    // Dated reports newest first, then undated ones (day ''), each side one more than is read,
    // so that a cut shows; both halves walk the (policy_domain, day) index. Complete reports only.
    let filed: Vec<Filed> = query!(
        &db,
        "SELECT sha256, summary_bytes FROM (
             SELECT * FROM (SELECT d.sha256, d.summary_bytes, d.day FROM tlsrpt_report_domains d
                            JOIN tlsrpt_reports r ON r.sha256 = d.sha256 AND r.complete = 1
                            WHERE d.policy_domain = ?1 AND d.day >= ?2 ORDER BY d.day DESC LIMIT ?3)
             UNION ALL
             SELECT * FROM (SELECT d.sha256, d.summary_bytes, d.day FROM tlsrpt_report_domains d
                            JOIN tlsrpt_reports r ON r.sha256 = d.sha256 AND r.complete = 1
                            WHERE d.policy_domain = ?1 AND d.day = '' LIMIT ?3))
         ORDER BY day = '', day DESC, sha256",
        &domain,
        since.as_deref().unwrap_or("0000-00-00"),
        &(max_reports + 1)
    )?
    .all()
    .await?
    .results()?;
    let mut ids = Vec::new();
    let mut bytes = 0u64;
    for row in &filed {
        let size = row.summary_bytes.max(0.0) as u64;
        if ids.len() as u64 >= max_reports
            || (!ids.is_empty() && bytes.saturating_add(size) > MAX_SUMMARY_BYTES)
        {
            break;
        }
        bytes = bytes.saturating_add(size);
        ids.push(row.sha256.as_str());
    }
    let mut truncated = ids.len() < filed.len();
    let ids_json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_string());
    let stored: Vec<Stored> = query!(
        &db,
        "SELECT r.sha256, d.summary, r.organization, r.report_id, r.start_datetime,
                r.end_datetime, r.channel, r.received_at, r.verified, r.mail_from, r.dkim,
                r.dkim_domain, r.report_submitter,
                EXISTS (SELECT 1 FROM tlsrpt_reports o WHERE o.identity = r.identity
                        AND o.sha256 <> r.sha256 AND o.complete = 1) AS conflict
         FROM tlsrpt_report_domains d JOIN tlsrpt_reports r ON r.sha256 = d.sha256
         WHERE d.policy_domain = ?1 AND d.sha256 IN (SELECT value FROM json_each(?2))
         ORDER BY d.day = '', d.day DESC, r.received_at DESC, r.sha256",
        &domain,
        &ids_json
    )?
    .all()
    .await?
    .results()?;
    let mut reports = Vec::with_capacity(stored.len());
    let mut received = Vec::with_capacity(stored.len());
    let mut unverified = Vec::new();
    for row in stored {
        match serde_json::from_str::<ReportSummary>(&row.summary) {
            Ok(summary) => {
                let verified = row.verified >= 1.0;
                let list = if verified {
                    &mut received
                } else {
                    &mut unverified
                };
                list.push(Received {
                    id: row.sha256,
                    organization: row.organization,
                    report_id: row.report_id,
                    start_datetime: row.start_datetime,
                    end_datetime: row.end_datetime,
                    channel: row.channel,
                    received_at: UtcDateTime::from_unix_unsigned(row.received_at.max(0.0) as u64)
                        .to_string(),
                    conflict: row.conflict >= 1.0,
                    successful: summary.successful,
                    failed: summary.failed,
                    sender: row.mail_from,
                    dkim: row.dkim,
                    dkim_domain: row.dkim_domain,
                    submitter: row.report_submitter,
                });
                if verified {
                    reports.push(summary);
                }
            }
            Err(error) => {
                worker::console_error!("a stored summary of {domain} cannot be read: {error}");
                truncated = true;
            }
        }
    }
    Ok(json(
        200,
        &Answer {
            domain,
            since,
            truncated,
            conflicts: received.iter().filter(|r| r.conflict).count() as u64,
            received,
            unverified,
            overview: summarize_reports(&reports),
        },
    )?)
}
