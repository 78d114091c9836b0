//! The Worker's settings: `[vars]` in `wrangler.toml` (overridable with `--var`) and the
//! `API_TOKEN` secret. Every setting has a safe default when absent or unreadable.

use mtasts::check::{DEFAULT_DOH_URL, POLICY_HTTPS_PORT};
use worker::Env;

/// Reads a boolean var (`true`, `1`, `yes`, `on`).
pub fn flag(env: &Env, name: &str) -> bool {
    env.var(name)
        .map(|v| {
            matches!(
                v.to_string().trim().to_ascii_lowercase().as_str(),
                "true" | "1" | "yes" | "on"
            )
        })
        .unwrap_or(false)
}

/// Reads a number var, or `default` when absent or not a number.
pub fn number(env: &Env, name: &str, default: u64) -> u64 {
    env.var(name)
        .ok()
        .and_then(|v| v.to_string().trim().parse().ok())
        .unwrap_or(default)
}

/// The DoH endpoint (RFC 8484) of `/api/check` and the web page's default resolver: `DOH_URL`,
/// or the core's [`DEFAULT_DOH_URL`].
pub fn doh_url(env: &Env) -> String {
    Some(text(env, "DOH_URL"))
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_DOH_URL.to_string())
}

/// The port of the policy hosts fetched by `/api/policy` and `/api/check`: `EDGE_HTTPS_PORT`,
/// 443 (RFC 8461 §3.3) unless a test stand-in or staging host says otherwise; 443 when absent
/// or not a port.
pub fn https_port(env: &Env) -> u16 {
    u16::try_from(number(env, "EDGE_HTTPS_PORT", POLICY_HTTPS_PORT.into()))
        .ok()
        .filter(|p| *p != 0)
        .unwrap_or(POLICY_HTTPS_PORT)
}

/// Reads a text var, or `""`.
pub fn text(env: &Env, name: &str) -> String {
    env.var(name).map(|v| v.to_string()).unwrap_or_default()
}

/// The bearer token of the API, if configured (secret first, then a var for local use).
pub fn api_token(env: &Env) -> Option<String> {
    env.secret("API_TOKEN")
        .map(|s| s.to_string())
        .or_else(|_| env.var("API_TOKEN").map(|v| v.to_string()))
        .ok()
        .filter(|t| !t.is_empty())
}

/// The current Unix time in seconds, from the Worker's clock.
pub fn now_secs() -> u64 {
    let ms = js_sys::Date::now();
    if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0) as u64
    } else {
        0
    }
}
