//! # mtasts-js
//!
//! The npm package `mtasts`: the core crate's lints, generator and domain check for JavaScript
//! (Node 20+, browsers, Deno, Cloudflare Workers), through wasm-bindgen. The API is the one of
//! `docs/interfaces.md`; `npm/mtasts.d.ts` types it, and `xtask` builds the package
//! (`make npm`).
//!
//! Every function is a thin adapter: it checks that its arguments have the JavaScript types the
//! API names, calls the core, and hands the result back as plain objects in the JSON shape the CLI
//! prints with `--json`. A bad argument is a JavaScript `Error` carrying the reason; a broken
//! policy, record or report is not an error but a `LintResult` with error findings.
//!
//! What this crate does **not** do: any checking of its own (that is the core's), or any I/O of
//! its own: [`check_domain`] runs the core's check over `mtasts-fetch` (the platform's `fetch`,
//! shared with the Worker and the web page), or over the caller's `fetchPolicy` function.

mod boundary;
mod caller_fetch;
mod check;

use boundary::{bytes_arg, string_arg, string_list_arg, to_js, ArgError, TEXT_LIMIT};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

pub use check::check_domain;

/// How much of a policy is read: what the CLI reads of a policy file (1 MiB, the most any sender
/// reads).
const POLICY_LIMIT: usize = mtasts::mta_sts::policy::MAX_READ_SIZE;

/// Lints an MTA-STS policy file (RFC 8461 §3.2): `lintPolicy(text)`, a string or the bytes as
/// served (which may not be UTF-8: the lint says so, as the CLI does).
#[wasm_bindgen(js_name = lintPolicy, skip_typescript)]
pub fn lint_policy(text: JsValue) -> Result<JsValue, JsError> {
    let bytes = bytes_arg("lintPolicy", "text", &text, POLICY_LIMIT)?;
    to_js(&mtasts::lint_policy(&bytes))
}

/// Lints the `_mta-sts` TXT RRset (RFC 8461 §3.1), one string per record:
/// `lintStsRecord(records)`.
#[wasm_bindgen(js_name = lintStsRecord, skip_typescript)]
pub fn lint_sts_record(records: JsValue) -> Result<JsValue, JsError> {
    let rrset = string_list_arg("lintStsRecord", "records", &records, TEXT_LIMIT)?;
    to_js(&mtasts::lint_sts_rrset(&one_string_each(rrset)))
}

/// Lints the `_smtp._tls` TXT RRset (RFC 8460 §3), one string per record:
/// `lintTlsRptRecord(records)`.
#[wasm_bindgen(js_name = lintTlsRptRecord, skip_typescript)]
pub fn lint_tlsrpt_record(records: JsValue) -> Result<JsValue, JsError> {
    let rrset = string_list_arg("lintTlsRptRecord", "records", &records, TEXT_LIMIT)?;
    to_js(&mtasts::lint_tlsrpt_rrset(&one_string_each(rrset)))
}

/// Lints one TLSA record in presentation format, `3 1 1 <hex>` (RFC 6698 §2.2):
/// `lintTlsa(rdata)`.
#[wasm_bindgen(js_name = lintTlsa, skip_typescript)]
pub fn lint_tlsa(rdata: JsValue) -> Result<JsValue, JsError> {
    let rdata = string_arg("lintTlsa", "rdata", &rdata, TEXT_LIMIT)?;
    to_js(&mtasts::lint_tlsa(&rdata))
}

/// Lints one TLS-RPT report (RFC 8460 §4), JSON or gzip (told apart by its bytes), or the
/// e-mail that carries it: `lintReport(body)` with a `Uint8Array` or a string.
#[wasm_bindgen(js_name = lintReport, skip_typescript)]
pub fn lint_report(body: JsValue) -> Result<JsValue, JsError> {
    // As the CLI: one byte past what the core accepts, so that it can say the report is too large.
    let limit = mtasts::ReportLimits::default().max_input.saturating_add(1);
    let bytes = bytes_arg("lintReport", "body", &body, limit)?;
    to_js(&mtasts::lint_report(&bytes))
}

/// Whether an `mx` pattern of a policy covers a host (RFC 8461 §4.1): `matchMx(pattern, host)`.
#[wasm_bindgen(js_name = matchMx, skip_typescript)]
pub fn match_mx(pattern: JsValue, host: JsValue) -> Result<bool, JsError> {
    let pattern = string_arg("matchMx", "pattern", &pattern, TEXT_LIMIT)?;
    let host = string_arg("matchMx", "host", &host, TEXT_LIMIT)?;
    Ok(mtasts::mx::matches(&pattern, &host))
}

/// What `generate` takes, as JavaScript spells it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateInput {
    domain: String,
    mx: Vec<String>,
    #[serde(default)]
    mode: Option<mtasts::Mode>,
    #[serde(default)]
    max_age: Option<u64>,
    #[serde(default)]
    rua: Option<Vec<String>>,
}

/// The options `generate` knows.
const GENERATE_OPTIONS: [&str; 5] = ["domain", "mx", "mode", "maxAge", "rua"];

/// The records and policy file to publish for a domain:
/// `generate({ domain, mx, mode?, maxAge?, rua? })`. The policy `id` comes from `Date.now()`
/// (the core reads no clock). What is not given is the core's default
/// (`mtasts::GenerateOptions::default()`: mode `testing`, a week's `max_age`, no report address).
#[wasm_bindgen(skip_typescript)]
pub fn generate(options: JsValue) -> Result<JsValue, JsError> {
    if !options.is_object() || js_sys::Array::is_array(&options) {
        return Err(ArgError::new("generate", "options", "an object", &options).into());
    }
    boundary::known_keys("generate", &options, &GENERATE_OPTIONS).map_err(|e| JsError::new(&e))?;
    let input: GenerateInput = serde_wasm_bindgen::from_value(options).map_err(|e| {
        let why = boundary::describe_error(&JsValue::from(e));
        JsError::new(&format!("generate: options: {why}"))
    })?;
    let unix_seconds = (js_sys::Date::now() / 1000.0).floor();
    // A clock before 1970 or past the year 2^53 s is no clock; 0 keeps the id well-formed.
    let unix_seconds = if unix_seconds.is_finite() && unix_seconds >= 0.0 {
        unix_seconds as u64
    } else {
        0
    };
    let defaults = mtasts::GenerateOptions::default();
    let options = mtasts::GenerateOptions {
        domain: input.domain,
        mx: input.mx,
        mode: input.mode.unwrap_or(defaults.mode),
        max_age: input.max_age.unwrap_or(defaults.max_age),
        rua: input.rua.unwrap_or(defaults.rua),
        id: mtasts::policy_id_from_unix(unix_seconds),
    };
    let generated = mtasts::generate(&options).map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&generated)
}

/// Each TXT record as a single character-string, the way JavaScript callers pass them.
fn one_string_each(records: Vec<String>) -> Vec<Vec<String>> {
    records.into_iter().map(|record| vec![record]).collect()
}

#[cfg(test)]
mod tests {
    /// `FindingCode` in the TypeScript declarations is the catalogue, code for code, in order:
    /// a code added to the core must be added to `npm/mtasts.d.ts` too.
    #[test]
    fn the_declarations_list_every_finding_code() {
        let declarations = include_str!("../npm/mtasts.d.ts");
        let union = declarations
            .split_once("export type FindingCode =")
            .and_then(|(_, rest)| rest.split_once(';'))
            .map(|(union, _)| union)
            .expect("npm/mtasts.d.ts declares FindingCode");
        let declared: Vec<&str> = union
            .split('|')
            .map(|code| code.trim().trim_matches('"'))
            .filter(|code| !code.is_empty())
            .collect();
        let catalogue: Vec<&str> = mtasts::Code::ALL.iter().map(|c| c.as_str()).collect();
        let missing: Vec<&&str> = catalogue.iter().filter(|c| !declared.contains(c)).collect();
        let extra: Vec<&&str> = declared.iter().filter(|c| !catalogue.contains(c)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "crates/mtasts-js/npm/mtasts.d.ts, FindingCode: add {missing:?}, remove {extra:?}"
        );
        assert_eq!(
            declared, catalogue,
            "FindingCode lists the codes in catalogue order"
        );
    }
}
