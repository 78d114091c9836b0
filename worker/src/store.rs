//! The report store, whatever channel a report came by (`POST /tlsrpt`, e-mail): the raw
//! body in R2 (binding `REPORTS`, key `tlsrpt/<sha256>`), and in D1 one `tlsrpt_reports` row
//! of metadata and one `tlsrpt_report_domains` row per filed policy domain holding the core's
//! summary cut to that domain (`migrations/0003_tenants.sql`).
//!
//! * **Every distinct report is kept.** A repeat is the byte-identical report, by the SHA-256 of
//!   its decoded JSON: nothing is stored again. A different report with the same organization,
//!   report-id and range (a forgery sent first, or a sender's correction) is stored as well, and
//!   the reports view marks both as a conflict: nobody can suppress a report by naming its
//!   identity first.
//! * **Only what the Worker is for.** Unless `TLSRPT_OPEN_INTAKE` is on, only hosted policy
//!   domains are filed; the others in the same report are dropped and counted. Each policy domain
//!   takes at most `TLSRPT_DOMAIN_DAILY_QUOTA` reports a UTC day (default 2000); a domain over it
//!   is dropped too, and when nothing is left the answer is 429 until the next UTC day.
//! * **Within the platform's limits.** No D1 row above [`MAX_ROW_SUMMARY`] bytes (D1 allows
//!   2 MB); the rows of a large report go in statements of at most [`MAX_STATEMENT_DATA`] bytes,
//!   a few statements per batch. The report row is written first and marked `complete` last, so
//!   readers see complete reports only and a repeat of an interrupted store completes it.
//! * **Stored before answered**: `Ok` only once R2 and every D1 batch succeeded.
//! * **E-mail keeps its evidence** (`migrations/0004_email_reports.sql`): the envelope sender, the
//!   DKIM result and domain, and the `TLS-Report-Domain` / `TLS-Report-Submitter` headers. A
//!   report not proven by DKIM is stored only when the operator quarantines such reports, marked
//!   unverified; a verified copy of the same report arriving later makes the stored one verified.

use crate::config::{flag, now_secs, number};
use crate::counters::{over_limit, Count, Window};
use crate::reply::ApiError;
use crate::report_key::{identity, policy_domains};
use mtasts::{lint_report_with_limits, Code, Finding, ReportLimits, ReportSummary, Severity};
use serde::{Deserialize, Serialize};
use serde_json::json;
use wasm_bindgen::JsValue;
use worker::{query, D1Database, Env, HttpMetadata};

/// Reports per policy domain and UTC day when `TLSRPT_DOMAIN_DAILY_QUOTA` is not set.
const DEFAULT_DAILY_QUOTA: u64 = 2000;
/// The largest summary one `tlsrpt_report_domains` row holds (D1 rows are at most 2 MB).
pub const MAX_ROW_SUMMARY: usize = 1_000_000;
/// The most data bound to one statement (a JSON array of rows).
const MAX_STATEMENT_DATA: usize = 900_000;
/// Statements per D1 batch (one batch is one transaction and one round trip).
const STATEMENTS_PER_BATCH: usize = 4;
/// The R2 key prefix of raw bodies.
pub const RAW_PREFIX: &str = "tlsrpt/";

/// How a report arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// `POST /tlsrpt` (RFC 8460 §5.4).
    Https,
    /// By e-mail (RFC 8460 §5.3, [`crate::email`]).
    Email,
}

impl Channel {
    /// As stored and shown.
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Https => "https",
            Channel::Email => "email",
        }
    }
}

/// What a report e-mail said of itself and what its signature proved.
#[derive(Debug, Clone, Default)]
pub struct MailEvidence {
    /// The envelope sender (MAIL FROM).
    pub mail_from: String,
    /// The DKIM result (`pass`, `fail`, `none`, `permerror`).
    pub dkim: String,
    /// `d=` of the signature judged.
    pub dkim_domain: Option<String>,
    /// `TLS-Report-Domain`.
    pub report_domain: Option<String>,
    /// `TLS-Report-Submitter`.
    pub report_submitter: Option<String>,
    /// DKIM proved the submitter; `false`: stored in quarantine, shown apart.
    pub verified: bool,
}

/// A report to store.
pub struct Submission<'a> {
    /// The body as received.
    pub raw: &'a [u8],
    /// Its media type (`application/tlsrpt+json` or `+gzip`).
    pub media_type: &'a str,
    /// How it came.
    pub channel: Channel,
    /// The limits of reading it.
    pub limits: ReportLimits,
    /// When it arrived, for a report moved from an older store (not counted against the daily
    /// quota); `None`: now.
    pub received_at: Option<u64>,
    /// For a report by e-mail: its evidence.
    pub mail: Option<MailEvidence>,
}

/// What became of a report that was read.
#[derive(Debug, Serialize)]
pub struct Receipt {
    /// The SHA-256 of the decoded JSON: the report's id.
    pub id: String,
    /// This request stored it (`false`: a repeat of a stored report, or of one being stored by
    /// another request at the same time; it is complete before either answers).
    pub stored: bool,
    /// A repeat: nothing new was stored.
    pub duplicate: bool,
    /// Other stored reports with this report's organization, report-id and range.
    pub conflicts_with: u64,
    /// Stored as trusted (`false`: in quarantine, not proven by DKIM).
    pub verified: bool,
    /// `organization-name`.
    pub organization: Option<String>,
    /// `report-id`.
    pub report_id: Option<String>,
    /// The policy domains filed.
    pub policy_domains: Vec<String>,
    /// The policy domains not filed, and why.
    pub dropped: Dropped,
    /// `date-range`.
    pub date_range: Option<mtasts::tls_rpt::report::DateRange>,
    /// Successful sessions (all policies).
    pub successful: u64,
    /// Failed sessions (all policies).
    pub failed: u64,
    /// The core's warnings.
    pub findings: Vec<Finding>,
}

/// Policy domains of a report that were not filed.
#[derive(Debug, Default, Serialize)]
pub struct Dropped {
    /// Not hosted here (closed intake).
    pub not_hosted: u64,
    /// Over the domain's daily quota.
    pub over_quota: u64,
}

#[derive(Deserialize)]
struct Existing {
    complete: f64,
    verified: f64,
}

#[derive(Deserialize)]
struct Hosted {
    domain: String,
}

#[derive(Deserialize)]
struct Counted {
    scope: String,
    n: f64,
}

/// Reads, deduplicates, files and stores one report (see the module's documentation).
pub async fn store(env: &Env, submission: Submission<'_>) -> Result<Receipt, ApiError> {
    let lint = lint_report_with_limits(submission.raw, submission.limits);
    let Some(summary) = lint.value.clone().filter(|_| lint.valid) else {
        return Err(refusal(&lint.findings, submission.limits));
    };
    let decoded = mtasts::decode_report(submission.raw, submission.limits)
        .map_err(|e| ApiError::new(400, format!("the report cannot be decoded: {e}")))?;
    let id = mtasts::digest::sha256_hex(&decoded);
    drop(decoded);
    let findings: Vec<Finding> = lint
        .findings
        .into_iter()
        .filter(|f| f.severity != Severity::Error)
        .collect();
    let identity = identity(&summary);
    let db = env.d1("DB")?;
    let verified = submission.mail.as_ref().is_none_or(|m| m.verified);
    let existing: Option<Existing> = query!(
        &db,
        "SELECT complete, verified FROM tlsrpt_reports WHERE sha256 = ?1",
        &id
    )?
    .first(None)
    .await?;
    if let Some(existing) = existing.filter(|e| e.complete >= 1.0) {
        // The same report, now proven: the stored copy becomes verified (and takes this
        // copy's evidence); an unproven copy changes nothing.
        let upgraded = verified && existing.verified < 1.0;
        if upgraded {
            let mail = submission.mail.clone().unwrap_or_default();
            query!(
                &db,
                "UPDATE tlsrpt_reports SET verified = 1, dkim = ?2, dkim_domain = ?3, mail_from = ?4,
                   report_domain_header = ?5, report_submitter = ?6 WHERE sha256 = ?1",
                &id,
                &mail.dkim,
                &mail.dkim_domain,
                &mail.mail_from,
                &mail.report_domain,
                &mail.report_submitter
            )?
            .run()
            .await?;
        }
        let conflicts_with = conflicts(&db, &identity, &id).await?;
        let mut receipt = receipt(id, &summary, Vec::new(), Dropped::default(), findings);
        receipt.stored = false;
        receipt.duplicate = true;
        receipt.conflicts_with = conflicts_with;
        receipt.verified = verified || existing.verified >= 1.0;
        return Ok(receipt);
    }

    let now = submission.received_at.unwrap_or_else(now_secs);
    let all = policy_domains(&summary);
    let (mut filed, mut dropped) = hosted_only(env, &db, &all).await?;
    if filed.is_empty() {
        return Err(ApiError::new(
            404,
            format!(
                "this Worker hosts none of the report's policy domains ({})",
                if all.is_empty() {
                    "none named".to_string()
                } else {
                    all.join(", ")
                }
            ),
        ));
    }
    let quota = number(env, "TLSRPT_DOMAIN_DAILY_QUOTA", DEFAULT_DAILY_QUOTA);
    let over = match submission.received_at {
        None => over_quota(&db, &filed, quota, now).await?,
        Some(_) => Vec::new(),
    };
    if !over.is_empty() {
        dropped.over_quota = over.len() as u64;
        filed.retain(|d| !over.contains(d));
        if filed.is_empty() {
            return Err(over_limit(
                "this Worker takes no more reports for the report's policy domains today",
                quota,
                Window::Day,
                now,
            ));
        }
    }
    let rows = domain_rows(&summary, &filed)?;

    let bucket = env.bucket("REPORTS")?;
    let raw_key = format!("{RAW_PREFIX}{id}");
    bucket
        .put(raw_key.as_str(), submission.raw.to_vec())
        .http_metadata(HttpMetadata {
            content_type: Some(submission.media_type.to_string()),
            ..HttpMetadata::default()
        })
        .execute()
        .await?;

    let range = summary.date_range.as_ref();
    let day = range.and_then(|r| r.start_day()).unwrap_or_default();
    let mail = submission.mail.clone().unwrap_or_default();
    let text = |value: &Option<String>| value.as_deref().map_or(JsValue::NULL, JsValue::from);
    let mut statements = vec![db
        .prepare(
            "INSERT OR IGNORE INTO tlsrpt_reports (sha256, organization, report_id, start_datetime,
               end_datetime, identity, channel, received_at, media_type, body_bytes, raw_key,
               domains_stored, domains_dropped, complete, verified, mail_from, dkim, dkim_domain,
               report_domain_header, report_submitter)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, ?14, ?15, ?16, ?17,
               ?18, ?19)",
        )
        .bind(&[
            id.as_str().into(),
            summary.organization.as_deref().unwrap_or_default().into(),
            summary.report_id.as_deref().unwrap_or_default().into(),
            range
                .and_then(|r| r.start_datetime.as_deref())
                .unwrap_or_default()
                .into(),
            range
                .and_then(|r| r.end_datetime.as_deref())
                .unwrap_or_default()
                .into(),
            identity.as_str().into(),
            submission.channel.as_str().into(),
            JsValue::from_f64(now as f64),
            submission.media_type.into(),
            JsValue::from_f64(submission.raw.len() as f64),
            raw_key.as_str().into(),
            JsValue::from_f64(filed.len() as f64),
            JsValue::from_f64((dropped.not_hosted + dropped.over_quota) as f64),
            JsValue::from_f64(if verified { 1.0 } else { 0.0 }),
            text(&submission.mail.as_ref().map(|m| m.mail_from.clone())),
            text(&submission.mail.as_ref().map(|m| m.dkim.clone())),
            text(&mail.dkim_domain),
            text(&mail.report_domain),
            text(&mail.report_submitter),
        ])?];
    for chunk in chunks(&rows) {
        statements.push(query!(
            &db,
            "INSERT OR REPLACE INTO tlsrpt_report_domains (sha256, policy_domain, day, summary, summary_bytes)
             SELECT ?1, json_extract(value, '$[0]'), ?2, json_extract(value, '$[1]'),
                    length(CAST(json_extract(value, '$[1]') AS BLOB))
             FROM json_each(?3)",
            &id,
            &day,
            &chunk
        )?);
    }
    statements.push(query!(
        &db,
        "UPDATE tlsrpt_reports SET complete = 1 WHERE sha256 = ?1",
        &id
    )?);
    // Whether this request wrote the report row: a request racing with the same report (or
    // completing an interrupted store) writes the same rows and answers it as a repeat.
    let mut created = None;
    while !statements.is_empty() {
        let rest = statements.split_off(statements.len().min(STATEMENTS_PER_BATCH));
        let results = db.batch(statements).await?;
        if created.is_none() {
            created = Some(
                results
                    .first()
                    .and_then(|r| r.meta().ok().flatten())
                    .and_then(|m| m.changes)
                    .unwrap_or(0)
                    > 0,
            );
        }
        statements = rest;
    }
    let conflicts_with = conflicts(&db, &identity, &id).await?;
    let mut receipt = receipt(id, &summary, filed, dropped, findings);
    receipt.conflicts_with = conflicts_with;
    receipt.verified = verified;
    receipt.stored = created.unwrap_or(false);
    receipt.duplicate = !receipt.stored;
    Ok(receipt)
}

/// The answer of a report that cannot be read: 413 over a limit, 400 otherwise.
fn refusal(findings: &[Finding], limits: ReportLimits) -> ApiError {
    let fatal = findings.iter().find(|f| f.severity == Severity::Error);
    let status = if fatal.is_some_and(|f| f.code == Code::ReportTooLarge) {
        413
    } else {
        400
    };
    let reason = fatal.map_or_else(
        || "the report cannot be read".to_string(),
        |f| f.message.clone(),
    );
    ApiError::new(status, reason).with_detail(json!({
        "findings": findings,
        "limits": { "body": limits.max_input, "json": limits.max_decompressed },
    }))
}

fn receipt(
    id: String,
    summary: &ReportSummary,
    filed: Vec<String>,
    dropped: Dropped,
    findings: Vec<Finding>,
) -> Receipt {
    Receipt {
        id,
        stored: true,
        duplicate: false,
        conflicts_with: 0,
        verified: true,
        organization: summary.organization.clone(),
        report_id: summary.report_id.clone(),
        policy_domains: filed,
        dropped,
        date_range: summary.date_range.clone(),
        successful: summary.successful,
        failed: summary.failed,
        findings,
    }
}

/// The policy domains to file: all of them with open intake, else the hosted ones.
async fn hosted_only(
    env: &Env,
    db: &D1Database,
    all: &[String],
) -> Result<(Vec<String>, Dropped), ApiError> {
    if flag(env, "TLSRPT_OPEN_INTAKE") {
        return Ok((all.to_vec(), Dropped::default()));
    }
    let listed = serde_json::to_string(all).unwrap_or_else(|_| "[]".to_string());
    let hosted: Vec<Hosted> = query!(
        db,
        "SELECT domain FROM policies WHERE domain IN (SELECT value FROM json_each(?1))",
        &listed
    )?
    .all()
    .await?
    .results()?;
    let filed: Vec<String> = all
        .iter()
        .filter(|d| hosted.iter().any(|h| &h.domain == *d))
        .cloned()
        .collect();
    let not_hosted = (all.len() - filed.len()) as u64;
    Ok((
        filed,
        Dropped {
            not_hosted,
            over_quota: 0,
        },
    ))
}

/// Counts one report for each domain today and answers the domains over `quota`.
async fn over_quota(
    db: &D1Database,
    domains: &[String],
    quota: u64,
    now: u64,
) -> Result<Vec<String>, ApiError> {
    let scopes: Vec<String> = domains.iter().map(|d| format!("tlsrpt:{d}")).collect();
    let listed = serde_json::to_string(&scopes).unwrap_or_else(|_| "[]".to_string());
    let counted: Vec<Counted> = query!(
        db,
        "INSERT INTO counters (scope, slot, n) SELECT value, ?1, 1 FROM json_each(?2) WHERE true
         ON CONFLICT (scope, slot) DO UPDATE SET n = n + 1 RETURNING scope, n",
        &Window::Day.slot(now),
        &listed
    )?
    .all()
    .await?
    .results()?;
    Ok(counted
        .into_iter()
        .filter(|c| c.n > quota as f64)
        .filter_map(|c| c.scope.strip_prefix("tlsrpt:").map(str::to_string))
        .collect())
}

/// `[domain, summary JSON]` per filed domain; a 413 when one summary is over [`MAX_ROW_SUMMARY`].
fn domain_rows(
    summary: &ReportSummary,
    filed: &[String],
) -> Result<Vec<(String, String)>, ApiError> {
    filed
        .iter()
        .map(|domain| {
            let cut = summary.for_policy_domain(domain).unwrap_or_default();
            let text = serde_json::to_string(&cut)
                .map_err(|e| ApiError::new(500, format!("a summary cannot be written: {e}")))?;
            if text.len() > MAX_ROW_SUMMARY {
                return Err(ApiError::new(
                    413,
                    format!("the report's summary for {domain} is {} bytes, over the {MAX_ROW_SUMMARY} one stored row holds; nothing was stored", text.len()),
                ));
            }
            Ok((domain.clone(), text))
        })
        .collect()
}

/// The rows as JSON arrays of `[domain, summary]`, each at most [`MAX_STATEMENT_DATA`] bytes
/// (or one row, when a single row is larger).
fn chunks(rows: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&(String, String)> = Vec::new();
    let mut size = 0;
    for row in rows {
        let row_size = row.0.len() + row.1.len() * 2 + 16;
        if !current.is_empty() && size + row_size > MAX_STATEMENT_DATA {
            out.push(serde_json::to_string(&current).unwrap_or_default());
            current.clear();
            size = 0;
        }
        size += row_size;
        current.push(row);
    }
    if !current.is_empty() {
        out.push(serde_json::to_string(&current).unwrap_or_default());
    }
    out
}

/// Other complete reports with the same identity.
async fn conflicts(db: &D1Database, identity: &str, id: &str) -> Result<u64, ApiError> {
    let row: Option<Count> = query!(
        db,
        "SELECT COUNT(*) AS n FROM tlsrpt_reports WHERE identity = ?1 AND sha256 <> ?2 AND complete = 1",
        &identity,
        &id
    )?
    .first(None)
    .await?;
    Ok(Count::of(row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_stay_small() {
        let rows: Vec<(String, String)> = (0..500)
            .map(|i| (format!("d{i}.example"), "x".repeat(10_000)))
            .collect();
        let parts = chunks(&rows);
        assert!(parts.len() > 1);
        let mut back = Vec::new();
        for chunk in &parts {
            assert!(chunk.len() <= MAX_STATEMENT_DATA, "{}", chunk.len());
            let part: Vec<(String, String)> = serde_json::from_str(chunk).unwrap();
            back.extend(part);
        }
        assert_eq!(back, rows);
        assert!(chunks(&[]).is_empty());
    }
}
