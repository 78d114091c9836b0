//! The daily scheduled event (`[triggers] crons` in `wrangler.toml`; locally `wrangler dev
//! --test-scheduled` and `GET /__scheduled`): every store kept within its retention.
//!
//! * reports received more than `REPORT_RETENTION_DAYS` ago (default 400, 1 to 3660), and
//!   reports whose store was interrupted a day ago or more: their raw bodies in R2 first, then
//!   their D1 rows, so that a failure leaves rows to retry from, never an orphaned object;
//! * expired ownership claims, and counter windows older than two days;
//! * reports stored before migration 0003 (`legacy_reports`, raw body in D1): moved into the
//!   report store, a bounded number per run.
//!
//! Each run does a bounded amount of work ([`ROUNDS`] × [`BATCH`] reports); the next run goes on.

use crate::config::{now_secs, number};
use crate::reply::ApiError;
use crate::store::{store, Channel, Submission};
use mtasts::ReportLimits;
use serde::Deserialize;
use worker::{query, Env};

/// Retention in days when `REPORT_RETENTION_DAYS` is not set.
const DEFAULT_RETENTION_DAYS: u64 = 400;
/// Reports deleted per round (R2 deletes at most 1000 keys at once).
const BATCH: usize = 500;
/// Rounds per run.
const ROUNDS: usize = 20;
/// Legacy reports moved per run.
const LEGACY_PER_RUN: usize = 50;

#[derive(Deserialize)]
struct Expired {
    sha256: String,
    raw_key: String,
}

#[derive(Deserialize)]
struct Legacy {
    report_key: String,
    raw_hex: String,
    media_type: String,
    received_at: f64,
}

/// What one run did.
#[derive(Debug, Default)]
pub struct Swept {
    /// Reports deleted (rows and raw bodies).
    pub reports: usize,
    /// Legacy reports moved into the store.
    pub moved: usize,
}

/// Runs every retention rule once.
pub async fn run(env: &Env) -> Result<Swept, ApiError> {
    let now = now_secs();
    let db = env.d1("DB")?;
    let days = number(env, "REPORT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS).clamp(1, 3660);
    let cutoff = now.saturating_sub(days * 86_400);
    let stale = now.saturating_sub(86_400);
    let bucket = env.bucket("REPORTS")?;
    let mut swept = Swept::default();
    for _ in 0..ROUNDS {
        let expired: Vec<Expired> = query!(
            &db,
            "SELECT sha256, raw_key FROM tlsrpt_reports
             WHERE received_at < ?1 OR (complete = 0 AND received_at < ?2) LIMIT ?3",
            &cutoff,
            &stale,
            &BATCH
        )?
        .all()
        .await?
        .results()?;
        if expired.is_empty() {
            break;
        }
        let keys: Vec<&str> = expired.iter().map(|e| e.raw_key.as_str()).collect();
        bucket.delete_multiple(keys).await?;
        let ids: Vec<&str> = expired.iter().map(|e| e.sha256.as_str()).collect();
        let ids = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_string());
        db.batch(vec![
            query!(
                &db,
                "DELETE FROM tlsrpt_report_domains WHERE sha256 IN (SELECT value FROM json_each(?1))",
                &ids
            )?,
            query!(
                &db,
                "DELETE FROM tlsrpt_reports WHERE sha256 IN (SELECT value FROM json_each(?1))",
                &ids
            )?,
        ])
        .await?;
        swept.reports += expired.len();
        if expired.len() < BATCH {
            break;
        }
    }
    db.batch(vec![query!(
        &db,
        "DELETE FROM claims WHERE expires_at <= ?1",
        &now
    )?])
    .await?;
    crate::counters::prune(&db, now).await?;
    swept.moved = move_legacy(env, cutoff).await?;
    Ok(swept)
}

/// Moves up to [`LEGACY_PER_RUN`] reports of `legacy_reports` into the store (their arrival
/// time kept), deleting each legacy row once stored or unreadable; those older than `cutoff`
/// are deleted without moving.
async fn move_legacy(env: &Env, cutoff: u64) -> Result<usize, ApiError> {
    let db = env.d1("DB")?;
    let legacy: Vec<Legacy> = query!(
        &db,
        "SELECT report_key, hex(raw) AS raw_hex, media_type, received_at FROM legacy_reports LIMIT ?1",
        &LEGACY_PER_RUN
    )?
    .all()
    .await?
    .results()?;
    let mut moved = 0;
    for row in legacy {
        let received_at = row.received_at.max(0.0) as u64;
        let raw = mtasts::hex::decode(&row.raw_hex);
        if let (Some(raw), true) = (raw, received_at >= cutoff) {
            let submission = Submission {
                raw: &raw,
                media_type: &row.media_type,
                channel: Channel::Https,
                limits: ReportLimits::default(),
                received_at: Some(received_at),
                mail: None,
            };
            match store(env, submission).await {
                Ok(_) => moved += 1,
                // Not stored: refused now (no longer hosted, unreadable); dropped with the row.
                Err(error) if error.status < 500 => {
                    worker::console_log!("legacy report not moved: {}", error.reason);
                }
                Err(error) => return Err(error),
            }
        }
        query!(
            &db,
            "DELETE FROM legacy_reports WHERE report_key = ?1",
            &row.report_key
        )?
        .run()
        .await?;
    }
    Ok(moved)
}
