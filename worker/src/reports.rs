//! `GET /api/domains/<domain>/reports` (bearer token): the core's [`ReportsOverview`] of the
//! domain's stored reports — the view the web page's /reports shows for the files given to it —
//! with `domain`, `since` and `truncated` beside its fields.
//!
//! The reports are the summaries the intake stored (`reports.summary`, the core's
//! [`ReportSummary`]), each cut down by the core to the policies of this domain
//! ([`ReportSummary::for_policy_domain`]) and added up by the core ([`summarize_reports`]).
//! `?days=N` keeps the reports whose range starts in the last N UTC days (1 to 3660), and the
//! undated ones; without it, every stored report counts.
//!
//! One answer reads a bounded amount: at most `REPORTS_MAX_READ` reports (default 1000), the
//! newest by start day first and then the undated ones, and at most [`MAX_SUMMARY_BYTES`] of
//! stored summaries. When the domain has more in the window, `truncated` is `true` and the
//! overview covers the newest ones (a smaller `days` covers fewer).

use crate::auth::require_token;
use crate::config::number;
use crate::domain_input::path_domain;
use crate::reply::{finish, json, ApiError};
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

/// The answer: the core's overview, and what it covers.
#[derive(Serialize)]
struct Answer {
    /// The domain whose policies were added up.
    domain: String,
    /// The first UTC day of the window (`?days=N`), `None` without one.
    since: Option<String>,
    /// Whether some of the domain's reports in the window were left out (over the limits, or a
    /// stored summary that cannot be read).
    truncated: bool,
    #[serde(flatten)]
    overview: ReportsOverview,
}

/// A `report_domains` row: a report filed under the domain.
#[derive(Deserialize)]
struct Filed {
    report_key: String,
    summary_bytes: f64,
}

/// A `reports.summary` value.
#[derive(Deserialize)]
struct Stored {
    summary: String,
}

#[derive(Deserialize)]
struct Params {
    days: Option<String>,
}

/// `GET /api/domains/:domain/reports`.
pub async fn get_reports(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    finish(get(&req, &ctx).await)
}

async fn get(req: &Request, ctx: &RouteContext<()>) -> std::result::Result<Response, ApiError> {
    require_token(req, &ctx.env)?;
    let domain = path_domain(ctx.param("domain").map_or("", String::as_str))?;
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
    let db = ctx.env.d1("DB")?;
    // Dated reports newest first, then undated ones (day ''), each side one more than is read,
    // so that a cut shows; both halves walk the (policy_domain, day) index.
    let filed: Vec<Filed> = query!(
        &db,
        "SELECT report_key, summary_bytes FROM (
             SELECT * FROM (SELECT report_key, summary_bytes, day FROM report_domains
                            WHERE policy_domain = ?1 AND day >= ?2 ORDER BY day DESC LIMIT ?3)
             UNION ALL
             SELECT * FROM (SELECT report_key, summary_bytes, day FROM report_domains
                            WHERE policy_domain = ?1 AND day = '' LIMIT ?3))
         ORDER BY day = '', day DESC, report_key",
        &domain,
        since.as_deref().unwrap_or("0000-00-00"),
        &(max_reports + 1)
    )?
    .all()
    .await?
    .results()?;
    let mut keys = Vec::new();
    let mut bytes = 0u64;
    for row in &filed {
        let size = row.summary_bytes.max(0.0) as u64;
        if keys.len() as u64 >= max_reports
            || (!keys.is_empty() && bytes.saturating_add(size) > MAX_SUMMARY_BYTES)
        {
            break;
        }
        bytes = bytes.saturating_add(size);
        keys.push(row.report_key.as_str());
    }
    let mut truncated = keys.len() < filed.len();
    let keys_json = serde_json::to_string(&keys).unwrap_or_else(|_| "[]".to_string());
    let stored: Vec<Stored> = query!(
        &db,
        "SELECT summary FROM reports WHERE report_key IN (SELECT value FROM json_each(?1))",
        &keys_json
    )?
    .all()
    .await?
    .results()?;
    let mut reports = Vec::with_capacity(stored.len());
    for row in stored {
        match serde_json::from_str::<ReportSummary>(&row.summary) {
            Ok(summary) => reports.extend(summary.for_policy_domain(&domain)),
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
            overview: summarize_reports(&reports),
        },
    )?)
}
