//! Counters in D1 for limits that hold across isolates and locations (the `counters` table of
//! `migrations/0003_tenants.sql`): fixed windows of a UTC minute or a UTC day, one row per scope
//! and window, counted up with one upsert. D1 rather than the Workers Rate Limiting binding: the
//! binding counts per Cloudflare location and only over 10 or 60 seconds, so it can neither hold
//! a daily quota nor say when a window resets (`Retry-After`); D1 does both, in `wrangler dev`
//! exactly as in production. The scheduled event deletes windows older than two days.

use crate::reply::ApiError;
use serde::Deserialize;
use worker::{query, D1Database};

/// A counting window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// A UTC minute.
    Minute,
    /// A UTC day.
    Day,
}

impl Window {
    /// The window's length in seconds.
    pub const fn seconds(self) -> u64 {
        match self {
            Window::Minute => 60,
            Window::Day => 86_400,
        }
    }

    /// The window `now` falls in (windows since the epoch).
    pub const fn slot(self, now: u64) -> u64 {
        now / self.seconds()
    }

    /// Seconds from `now` until the next window starts (at least 1).
    pub const fn retry_after(self, now: u64) -> u64 {
        self.seconds() - now % self.seconds()
    }
}

/// A row of one number `n` (`SELECT COUNT(*) AS n …`, or a counter's value): every count the
/// Worker reads from D1.
#[derive(Deserialize)]
pub struct Count {
    n: f64,
}

impl Count {
    /// The count of a row, 0 without one.
    pub fn of(row: Option<Count>) -> u64 {
        row.map_or(0, |c| c.n.max(0.0) as u64)
    }
}

/// Counts one request of `scope` in the current window; a 429 with `Retry-After` (the window's
/// end) once more than `limit` were counted. `what` names the limit in the reason.
pub async fn take(
    db: &D1Database,
    scope: &str,
    window: Window,
    limit: u64,
    now: u64,
    what: &str,
) -> Result<(), ApiError> {
    let count = add(db, scope, window, now).await?;
    if count > limit {
        return Err(over_limit(what, limit, window, now));
    }
    Ok(())
}

/// Counts one more in `scope`'s current window and answers the new count.
pub async fn add(db: &D1Database, scope: &str, window: Window, now: u64) -> Result<u64, ApiError> {
    let row: Option<Count> = query!(
        db,
        "INSERT INTO counters (scope, slot, n) VALUES (?1, ?2, 1)
         ON CONFLICT (scope, slot) DO UPDATE SET n = n + 1 RETURNING n",
        &scope,
        &window.slot(now)
    )?
    .first(None)
    .await?;
    Ok(Count::of(row).max(1))
}

/// The count of `scope` in the current window, without counting.
pub async fn peek(db: &D1Database, scope: &str, window: Window, now: u64) -> Result<u64, ApiError> {
    let row: Option<Count> = query!(
        db,
        "SELECT n FROM counters WHERE scope = ?1 AND slot = ?2",
        &scope,
        &window.slot(now)
    )?
    .first(None)
    .await?;
    Ok(Count::of(row))
}

/// The 429 of a limit reached: until the window's end.
pub fn over_limit(what: &str, limit: u64, window: Window, now: u64) -> ApiError {
    let per = match window {
        Window::Minute => "minute",
        Window::Day => "UTC day",
    };
    let retry = window.retry_after(now);
    ApiError::new(
        429,
        format!("{what}: the limit is {limit} per {per}; retry in {retry} s"),
    )
    .with_retry_after(retry)
}

/// Deletes the windows that ended more than two days before `now` (the scheduled event).
pub async fn prune(db: &D1Database, now: u64) -> Result<(), ApiError> {
    let before_day = Window::Day.slot(now).saturating_sub(2);
    let before_minute = Window::Minute.slot(now.saturating_sub(2 * 86_400));
    // Day slots are small numbers, minute slots large: each scope has one kind of window.
    query!(
        db,
        "DELETE FROM counters WHERE (scope LIKE 'tlsrpt:%' AND slot < ?1)
           OR (scope NOT LIKE 'tlsrpt:%' AND slot < ?2)",
        &before_day,
        &before_minute
    )?
    .run()
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        for (window, now, slot, retry) in [
            (Window::Minute, 0, 0, 60),
            (Window::Minute, 59, 0, 1),
            (Window::Minute, 60, 1, 60),
            (Window::Day, 86_399, 0, 1),
            (
                Window::Day,
                1_764_334_260,
                20_420,
                86_400 - 1_764_334_260 % 86_400,
            ),
        ] {
            assert_eq!(window.slot(now), slot, "{window:?} {now}");
            assert_eq!(window.retry_after(now), retry, "{window:?} {now}");
        }
    }
}
