//! TLS-RPT reports by e-mail (RFC 8460 §5.3): the `#[event(email)]` handler. Cloudflare Email
//! Routing hands the Worker the mail of the addresses routed to it (a rule, or a catch-all).
//!
//! What is taken, and what each refusal says (`setReject`, a permanent SMTP failure the sender's
//! MTA bounces; see `docs/interfaces.md`):
//!
//! 1. **The address** ([`accepts_mailbox`], [`rua_points_here`]): the configured mailbox
//!    `TLSRPT_MAILBOX` (or a `+tag` subaddress of it), or an address that a hosted domain's own
//!    `_smtp._tls` record names in its `rua` (one DoH lookup: the owner pointed its reports
//!    here). Anything else is not ours to read.
//! 2. **Bounded reading** ([`read_mail`]): at most `TLSRPT_MAX_EMAIL` bytes (default 4 MiB; Email
//!    Routing itself stops at 25 MiB), the report found by the core's MIME reader (nesting 8 deep,
//!    32 entities, one part decoded: `application/tlsrpt+gzip` or `+json`, else a gzip, zip or
//!    JSON attachment, else inline JSON) and decompressed up to `TLSRPT_MAX_JSON`. Not a report,
//!    too large, too many parts, a bomb: refused.
//! 3. **DKIM** (the core's `tls_rpt::dkim`, keys fetched through the Worker's DoH resolver): a
//!    report is trusted only when the domain in `TLS-Report-Submitter` signed it ([`judge`]). A
//!    key that cannot be fetched is a temporary failure: the handler fails, so Email Routing
//!    answers the sender with a temporary SMTP error and it tries again later (workers-rs 0.8.7
//!    has no other way to say "try later" than a failing handler). Unsigned, failing or not the
//!    submitter's: refused, or with `TLSRPT_UNSIGNED = "quarantine"` stored unverified.
//! 4. **Stored like `POST /tlsrpt`** ([`crate::store`], channel `email`): the same dedupe,
//!    conflicts, hosted domains and quotas, with the evidence kept. No hosted domain in the
//!    report: refused; over the daily quota: temporary.

use crate::config::{doh_url, number, text};
use crate::store::{store, Channel, MailEvidence, Receipt, Submission};
use mtasts::tls_rpt::dkim::{verify_report_dkim, DkimResult, DkimVerdict};
use mtasts::{lint_report_with_limits, report_mail_headers, ReportLimits, ReportMailHeaders};
use mtasts::{Code, Severity};
use mtasts_fetch::DohResolver;
use std::time::Duration;
use wasm_bindgen::{JsCast as _, JsValue};
use worker::{Env, ForwardableEmailMessage};

/// Default message size limit (bytes).
pub const DEFAULT_MAX_EMAIL: u64 = 4 << 20;
/// The most `TLSRPT_MAX_EMAIL` may say: Email Routing's own limit.
pub const MAX_MAX_EMAIL: u64 = 25 << 20;
/// Default decompressed-JSON limit (bytes), as `POST /tlsrpt`.
const DEFAULT_MAX_JSON: u64 = 8 << 20;

/// What to do with a report e-mail DKIM does not prove (`TLSRPT_UNSIGNED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsigned {
    /// Refuse it (the default; RFC 8460 §5.3: "MUST be ignored").
    Reject,
    /// Store it marked unverified, listed apart in the reports view and left out of its totals.
    Quarantine,
}

/// What becomes of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Stored (or a repeat), trusted or in quarantine.
    Stored {
        /// The report's id (SHA-256 of its JSON).
        id: String,
        /// Trusted (`false`: in quarantine).
        verified: bool,
        /// Stored now (`false`: a repeat).
        stored: bool,
    },
    /// A permanent refusal (`setReject`): the reason.
    Reject(String),
    /// A temporary failure (the handler fails, the sender retries): the reason.
    Retry(String),
}

/// A report e-mail that was read: its headers and the report's lint.
#[derive(Debug)]
pub struct ReadMail {
    /// What the message says of itself (nothing authenticated).
    pub headers: ReportMailHeaders,
}

/// Whether `to` is the mailbox `mailbox` or a `+tag` subaddress of it (case-insensitive).
pub fn accepts_mailbox(to: &str, mailbox: &str) -> bool {
    let (to, mailbox) = (
        to.trim().to_ascii_lowercase(),
        mailbox.trim().to_ascii_lowercase(),
    );
    let (Some((local, domain)), Some((box_local, box_domain))) =
        (to.rsplit_once('@'), mailbox.rsplit_once('@'))
    else {
        return false;
    };
    !box_local.is_empty()
        && domain == box_domain
        && (local == box_local
            || local
                .strip_prefix(box_local)
                .is_some_and(|tag| tag.starts_with('+')))
}

/// Reads a report e-mail within `limits` (`max_input` is the message size limit): the report
/// must be there and readable. Refusals name what is wrong.
pub fn read_mail(raw: &[u8], limits: ReportLimits) -> Result<ReadMail, String> {
    if raw.len() > limits.max_input {
        return Err(format!(
            "the message is {} bytes, over this intake's limit of {} bytes",
            raw.len(),
            limits.max_input
        ));
    }
    if mtasts::report_form(raw) != mtasts::ReportForm::Email {
        return Err("this is not an e-mail message".to_string());
    }
    let lint = lint_report_with_limits(raw, limits);
    if !lint.valid {
        let fatal = lint.findings.iter().find(|f| f.severity == Severity::Error);
        let why = fatal.map_or("the report cannot be read".to_string(), |f| {
            if f.code == Code::ReportJson {
                format!("not a TLS-RPT report: {}", f.message)
            } else {
                f.message.clone()
            }
        });
        return Err(why);
    }
    Ok(ReadMail {
        headers: report_mail_headers(raw),
    })
}

/// What the DKIM verdict means for a report: `Ok(verified)` to store it (verified or in
/// quarantine), or the answer that refuses it.
pub fn judge(verdict: &DkimVerdict, unsigned: Unsigned) -> Result<bool, Answer> {
    match (verdict.result, unsigned) {
        (DkimResult::Pass, _) => Ok(true),
        (DkimResult::TempError, _) => Err(Answer::Retry(format!(
            "DKIM could not be checked now: {}",
            verdict.reason
        ))),
        (_, Unsigned::Quarantine) => Ok(false),
        (result, Unsigned::Reject) => Err(Answer::Reject(format!(
            "TLS-RPT report refused: DKIM {}: {}",
            result.as_str(),
            verdict.reason
        ))),
    }
}

/// The settings of the e-mail intake.
struct Settings {
    mailbox: String,
    unsigned: Unsigned,
    limits: ReportLimits,
    time_limit: Duration,
}

impl Settings {
    fn of(env: &Env) -> Settings {
        let unsigned = if text(env, "TLSRPT_UNSIGNED")
            .trim()
            .eq_ignore_ascii_case("quarantine")
        {
            Unsigned::Quarantine
        } else {
            Unsigned::Reject
        };
        Settings {
            mailbox: text(env, "TLSRPT_MAILBOX"),
            unsigned,
            limits: ReportLimits {
                max_input: number(env, "TLSRPT_MAX_EMAIL", DEFAULT_MAX_EMAIL).min(MAX_MAX_EMAIL)
                    as usize,
                max_decompressed: number(env, "TLSRPT_MAX_JSON", DEFAULT_MAX_JSON) as usize,
            },
            time_limit: Duration::from_millis(number(env, "EDGE_TIMEOUT_MS", 10_000)),
        }
    }
}

/// The `#[event(email)]` handler: reads the message (bounded), answers it, and fails on a
/// temporary failure (see the module's documentation).
pub async fn handle(message: ForwardableEmailMessage, env: Env) -> worker::Result<()> {
    let settings = Settings::of(&env);
    let (from, to) = (message.from(), message.to());
    let size = message.raw_size();
    let answer = if size > settings.limits.max_input as f64 {
        Answer::Reject(format!(
            "the message is {size} bytes, over this intake's limit of {} bytes",
            settings.limits.max_input
        ))
    } else {
        let raw = message.raw_bytes().await?;
        receive(&env, &from, &to, &raw).await
    };
    match answer {
        Answer::Stored {
            id,
            verified,
            stored,
        } => {
            worker::console_log!(
                "e-mail report from {from}: {id} ({}, {})",
                if stored { "stored" } else { "repeat" },
                if verified { "verified" } else { "unverified" }
            );
            Ok(())
        }
        Answer::Reject(reason) => {
            worker::console_log!("e-mail from {from} to {to} refused: {reason}");
            reject(&message, &reason).await
        }
        Answer::Retry(reason) => {
            worker::console_error!("e-mail from {from} to {to}: temporary failure: {reason}");
            Err(worker::Error::RustError(reason))
        }
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The message seen only for `setReject`.
    type Rejectable;
    /// `message.setReject(reason)`, answering what it answers (workers-rs's binding drops it).
    #[wasm_bindgen(method, js_name = setReject)]
    fn set_reject_answering(this: &Rejectable, reason: &str) -> JsValue;
}

/// `setReject(reason)`, awaited when it answers something awaitable: wrangler dev hands the
/// handler the message over RPC, where a call answers a thenable and must have arrived before
/// the handler ends; in production it answers nothing.
async fn reject(message: &ForwardableEmailMessage, reason: &str) -> worker::Result<()> {
    let answered = message
        .unchecked_ref::<Rejectable>()
        .set_reject_answering(reason);
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&answered)).await?;
    Ok(())
}

/// Everything but the platform's message object: the address, the reading, DKIM and the store.
/// `POST`ed mail in tests reaches it through wrangler dev's local e-mail endpoint.
pub async fn receive(env: &Env, from: &str, to: &str, raw: &[u8]) -> Answer {
    let settings = Settings::of(env);
    let for_us = accepts_mailbox(to, &settings.mailbox) || {
        match rua_points_here(env, to).await {
            Ok(yes) => yes,
            Err(answer) => return answer,
        }
    };
    if !for_us {
        return Answer::Reject(format!("{to} takes no TLS-RPT reports here"));
    }
    let mail = match read_mail(raw, settings.limits) {
        Ok(mail) => mail,
        Err(why) => return Answer::Reject(format!("TLS-RPT report refused: {why}")),
    };
    let resolver = match DohResolver::new(doh_url(env)) {
        Ok(resolver) => resolver.with_time_limit(settings.time_limit),
        Err(error) => return Answer::Retry(format!("the DoH resolver is misconfigured: {error}")),
    };
    let verdict = verify_report_dkim(&resolver, raw).await;
    let verified = match judge(&verdict, settings.unsigned) {
        Ok(verified) => verified,
        Err(answer) => return answer,
    };
    let evidence = MailEvidence {
        mail_from: from.to_string(),
        dkim: verdict.result.as_str().to_string(),
        dkim_domain: verdict.domain.clone(),
        report_domain: mail.headers.report_domain.clone(),
        report_submitter: mail.headers.report_submitter.clone(),
        verified,
    };
    let stored: Result<Receipt, _> = store(
        env,
        Submission {
            raw,
            media_type: "message/rfc822",
            channel: Channel::Email,
            limits: settings.limits,
            received_at: None,
            mail: Some(evidence),
        },
    )
    .await;
    match stored {
        Ok(receipt) => Answer::Stored {
            id: receipt.id,
            verified: receipt.verified,
            stored: receipt.stored,
        },
        // Over the daily quota, or the store failed: the sender tries again later.
        Err(error) if error.status == 429 || error.status >= 500 => Answer::Retry(error.reason),
        Err(error) => Answer::Reject(format!("TLS-RPT report refused: {}", error.reason)),
    }
}

/// Whether `to` is a `rua` of its own domain's `_smtp._tls` record, that domain hosted here.
/// A DNS failure is temporary.
async fn rua_points_here(env: &Env, to: &str) -> Result<bool, Answer> {
    let to = to.trim().to_ascii_lowercase();
    let Some((_, domain)) = to.rsplit_once('@') else {
        return Ok(false);
    };
    let db = env
        .d1("DB")
        .map_err(|e| Answer::Retry(format!("the database is unavailable: {e}")))?;
    let hosted: Option<serde_json::Value> = worker::query!(
        &db,
        "SELECT domain FROM policies WHERE domain = ?1",
        &domain
    )
    .map_err(|e| Answer::Retry(e.to_string()))?
    .first(None)
    .await
    .map_err(|e| Answer::Retry(e.to_string()))?;
    if hosted.is_none() {
        return Ok(false);
    }
    let name = format!("_smtp._tls.{domain}");
    let seen = crate::signup::txt_records(env, &name)
        .await
        .map_err(|e| Answer::Retry(e.reason))?;
    let records: Vec<Vec<String>> = seen.values.into_iter().map(|v| vec![v]).collect();
    let record = mtasts::lint_tlsrpt_rrset(&records).value;
    Ok(record.is_some_and(|r| {
        r.rua.iter().any(|uri| {
            uri.get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"))
                && uri
                    .get(7..)
                    .is_some_and(|address| address.eq_ignore_ascii_case(&to))
        })
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn mailboxes() {
        for (to, mailbox, want) in [
            (
                "tlsrpt@reports.example.net",
                "tlsrpt@reports.example.net",
                true,
            ),
            (
                "TLSRPT@Reports.Example.Net",
                "tlsrpt@reports.example.net",
                true,
            ),
            (
                "tlsrpt+example.com@reports.example.net",
                "tlsrpt@reports.example.net",
                true,
            ),
            (
                "tlsrptx@reports.example.net",
                "tlsrpt@reports.example.net",
                false,
            ),
            ("tlsrpt@other.example", "tlsrpt@reports.example.net", false),
            ("tlsrpt@reports.example.net", "", false),
            ("", "tlsrpt@reports.example.net", false),
        ] {
            assert_eq!(accepts_mailbox(to, mailbox), want, "{to} {mailbox}");
        }
    }

    const LIMITS: ReportLimits = ReportLimits {
        max_input: DEFAULT_MAX_EMAIL as usize,
        max_decompressed: DEFAULT_MAX_JSON as usize,
    };

    fn message(parts: usize, attachment: &str) -> Vec<u8> {
        let mut m = String::from("From: a@reports.test\r\nMessage-ID: <x@reports.test>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
        for i in 0..parts {
            m.push_str(&format!(
                "--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n"
            ));
        }
        m.push_str(attachment);
        m.push_str("--b--\r\n");
        m.into_bytes()
    }

    fn base64(data: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(data)
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write as _;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    const REPORT: &str = r#"{"organization-name":"o","date-range":{"start-datetime":"2026-12-01T00:00:00Z","end-datetime":"2026-12-01T23:59:59Z"},"contact-info":"c","report-id":"r","policies":[{"policy":{"policy-type":"sts","policy-domain":"policy.example"},"summary":{"total-successful-session-count":1,"total-failure-session-count":0}}]}"#;

    #[test]
    fn bounded_reading() {
        let json_part = format!("--b\r\nContent-Type: application/tlsrpt+json\r\n\r\n{REPORT}\r\n");
        let gz_part = |data: &[u8]| {
            format!("--b\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n", base64(&gzip(data)))
        };
        // A 30 MB message: refused by its size before anything is parsed.
        let huge = message(
            0,
            &format!(
                "--b\r\nContent-Type: text/plain\r\n\r\n{}\r\n",
                "x".repeat(30 << 20)
            ),
        );
        let started = std::time::Instant::now();
        let refused = read_mail(&huge, LIMITS).unwrap_err();
        assert!(
            refused.contains("over this intake's limit of 4194304 bytes"),
            "{refused}"
        );
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
        // Even with a limit that lets it in, 30 MB of text is read in bounded time and found no report.
        let roomy = ReportLimits {
            max_input: 64 << 20,
            ..LIMITS
        };
        assert!(read_mail(&huge, roomy)
            .unwrap_err()
            .contains("not a TLS-RPT report"));
        let gzip_bomb = vec![b' '; 64 << 20];
        for (name, raw, want) in [
            ("report", message(1, &json_part), None),
            ("gzip report", message(1, &gz_part(REPORT.as_bytes())), None),
            (
                "100 parts",
                message(100, &json_part),
                Some("more than 32 MIME parts"),
            ),
            ("32 entities", message(30, &json_part), None),
            (
                "gzip bomb",
                message(1, &gz_part(&gzip_bomb)),
                Some("over the limit of 8388608 bytes once decompressed"),
            ),
            ("no report", message(2, ""), Some("not a TLS-RPT report")),
            (
                "not a message",
                REPORT.as_bytes().to_vec(),
                Some("not an e-mail message"),
            ),
        ] {
            match (read_mail(&raw, LIMITS), want) {
                (Ok(_), None) => {}
                (Err(why), Some(want)) => assert!(why.contains(want), "{name}: {why}"),
                (got, want) => panic!("{name}: {got:?}, want {want:?}"),
            }
        }
    }

    fn verdict(result: DkimResult) -> DkimVerdict {
        DkimVerdict {
            result,
            reason: "why".to_string(),
            domain: None,
            selector: None,
            submitter: None,
            findings: Vec::new(),
        }
    }

    #[test]
    fn judgements() {
        use DkimResult::{Fail, Pass, PermError, TempError};
        let retry = || Err(Answer::Retry(String::new()));
        let reject = || Err(Answer::Reject(String::new()));
        for (result, unsigned, want) in [
            (Pass, Unsigned::Reject, Ok(true)),
            (Pass, Unsigned::Quarantine, Ok(true)),
            (TempError, Unsigned::Quarantine, retry()),
            (TempError, Unsigned::Reject, retry()),
            (Fail, Unsigned::Quarantine, Ok(false)),
            (DkimResult::None, Unsigned::Quarantine, Ok(false)),
            (Fail, Unsigned::Reject, reject()),
            (DkimResult::None, Unsigned::Reject, reject()),
            (PermError, Unsigned::Reject, reject()),
        ] {
            let got = judge(&verdict(result), unsigned);
            let kind = |a: &Result<bool, Answer>| match a {
                Ok(v) => format!("ok {v}"),
                Err(Answer::Retry(_)) => "retry".to_string(),
                Err(Answer::Reject(_)) => "reject".to_string(),
                Err(Answer::Stored { .. }) => "stored".to_string(),
            };
            assert_eq!(kind(&got), kind(&want), "{result:?} {unsigned:?}");
        }
    }
}
