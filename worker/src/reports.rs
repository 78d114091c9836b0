//! `GET /api/domains/<domain>/reports` (bearer token): what the stored reports of a domain say,
//! summed in SQL — totals per UTC day, failed sessions by result type and by receiving MX.
//! `?days=N` keeps the reports whose range starts in the last N days (1 to 3660); without it,
//! every stored report counts.

use crate::auth::require_token;
use crate::domain_input::path_domain;
use crate::reply::{finish, json, ApiError};
use mtasts::date::UtcDateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;
use worker::{query, Request, Response, Result, RouteContext};

/// The most MX rows answered.
const MAX_MX_ROWS: u32 = 200;

#[derive(Deserialize, Serialize)]
struct DayRow {
    day: String,
    reports: u64,
    successful: u64,
    failed: u64,
}

#[derive(Deserialize, Serialize)]
struct ResultTypeRow {
    result_type: String,
    sessions: u64,
}

#[derive(Deserialize, Serialize)]
struct MxRow {
    mx: String,
    result_type: String,
    sessions: u64,
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
    let since_day = match req.query::<Params>().ok().and_then(|p| p.days) {
        None => "0000-00-00".to_string(),
        Some(d) => {
            let days: u64 = d
                .parse()
                .ok()
                .filter(|d| (1..=3660).contains(d))
                .ok_or_else(|| ApiError::new(400, format!("days {d:?} is not 1 to 3660")))?;
            let since = crate::config::now_secs().saturating_sub(days * 86_400);
            UtcDateTime::from_unix_unsigned(since).date.to_string()
        }
    };
    let db = ctx.env.d1("DB")?;
    let day_rows: Vec<DayRow> = query!(
        &db,
        "SELECT day, COUNT(DISTINCT report_key) AS reports, TOTAL(successful) AS successful,
                TOTAL(failed) AS failed
         FROM report_policies WHERE policy_domain = ?1 AND (day >= ?2 OR day = 'undated')
         GROUP BY day ORDER BY day",
        &domain,
        &since_day
    )?
    .all()
    .await?
    .results()?;
    let result_types: Vec<ResultTypeRow> = query!(
        &db,
        "SELECT result_type, SUM(sessions) AS sessions FROM report_failures
         WHERE policy_domain = ?1 AND (day >= ?2 OR day = 'undated')
         GROUP BY result_type ORDER BY sessions DESC",
        &domain,
        &since_day
    )?
    .all()
    .await?
    .results()?;
    let mx_rows: Vec<MxRow> = query!(
        &db,
        "SELECT mx, result_type, SUM(sessions) AS sessions FROM report_failures
         WHERE policy_domain = ?1 AND (day >= ?2 OR day = 'undated')
         GROUP BY mx, result_type ORDER BY sessions DESC LIMIT ?3",
        &domain,
        &since_day,
        &MAX_MX_ROWS
    )?
    .all()
    .await?
    .results()?;
    let reports: u64 = day_rows.iter().map(|d| d.reports).sum();
    let successful: u64 = day_rows.iter().map(|d| d.successful).sum();
    let failed: u64 = day_rows.iter().map(|d| d.failed).sum();
    Ok(json(
        200,
        &json!({
            "domain": domain,
            "since": since_day,
            "reports": reports,
            "successful": successful,
            "failed": failed,
            "days": day_rows,
            "result_types": result_types,
            "mx_hosts": mx_rows,
        }),
    )?)
}
