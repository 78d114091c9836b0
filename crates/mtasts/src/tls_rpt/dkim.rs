//! DKIM (RFC 6376) of TLS-RPT report e-mails, judged as RFC 8460 §5.3 asks (feature `dkim`).
//!
//! RFC 8460 §5.3: "reports sent via SMTP MUST contain a valid DKIM signature by the reporting
//! domain. Reports lacking such a signature MUST be ignored by the recipient. DKIM signatures
//! must not use the "l=" attribute to limit the body length used in the signature. The DKIM TXT
//! record SHOULD contain the appropriate service type declaration for [TLSRPT], in this case
//! "s=tlsrpt"". And the `TLS-Report-Submitter` header names that reporting domain. So a report
//! e-mail passes when one signature verifies, has no `l=`, its key's service types include
//! `tlsrpt` or `*`, and its `d=` is the submitter (or a parent of it: `d=google.com` signs for
//! `TLS-Report-Submitter: mail.google.com`).
//!
//! **Where this departs from a SHOULD, and why**: a key without `s=` means `s=*`, every service
//! (RFC 6376 §3.6.1), and Google's and Microsoft's report keys publish no `s=`. Ignoring their
//! reports would ignore nearly every real report, so such a key passes with the warning
//! `report.dkim-service-type`; a key that names other services only (`s=email`) is refused.
//!
//! The signature arithmetic is Stalwart's `mail-auth` (RSA-SHA256, Ed25519-SHA256, RSA-SHA1 as
//! RFC 6376 still allows). **No I/O here**: [`key_names`] says which TXT records are needed,
//! the caller fetches them (through [`Resolver`] with [`verify_report_dkim`], or however it
//! likes) and [`verify_with_keys`] judges with what was found. mail-auth's own resolver is
//! never asked: its cache is pre-loaded with an answer for every name, the missing ones as
//! errors. One exception to "no clock": mail-auth reads the system time itself for the
//! signature's `x=` expiry (natively `SystemTime`, on wasm32 `Date.now()`).
//!
//! Bounded: at most [`MAX_SIGNATURES`] signatures are looked at (each could ask for a body hash
//! of its own); a message with more is a `permerror`. The caller bounds the message's size.

use crate::check::Resolver;
use crate::dns::{decode_answer, encode_query, Rcode, RecordType};
use crate::finding::{Code, Finding};
use crate::tls_rpt::report::{dkim_signature_fields, report_mail_headers};
use futures_util::FutureExt as _;
use mail_auth::common::parse::TxtRecordParser as _;
use mail_auth::common::verify::DomainKey;
use mail_auth::{
    AuthenticatedMessage, DkimResult as MailAuthResult, DnsError, Error as MailAuthError,
    MessageAuthenticator, Parameters, ResolverCache, Txt,
};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;

/// The most `DKIM-Signature` fields looked at; a message with more is a `permerror`.
pub const MAX_SIGNATURES: usize = 4;

/// What the caller found at a key's name (`selector._domainkey.domain`, TXT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLookup {
    /// The TXT records there, each its character-strings joined.
    Found(Vec<String>),
    /// The name does not exist (NXDOMAIN), or has no TXT record (NODATA).
    Missing,
    /// No usable answer: a timeout, SERVFAIL, the resolver unreachable (why). A temporary
    /// failure: the report is neither accepted nor refused for good.
    Failed(String),
}

/// The verdict on a report e-mail's signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DkimResult {
    /// Signed by the submitter: trusted.
    Pass,
    /// A signature does not verify, or verifies for another domain than the submitter.
    Fail,
    /// No signature.
    None,
    /// A key could not be fetched: try again later (never accepted meanwhile).
    TempError,
    /// A signature cannot be checked at all (no key, a broken key or signature).
    PermError,
}

impl DkimResult {
    /// As stored and shown: `pass`, `fail`, `none`, `temperror`, `permerror`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DkimResult::Pass => "pass",
            DkimResult::Fail => "fail",
            DkimResult::None => "none",
            DkimResult::TempError => "temperror",
            DkimResult::PermError => "permerror",
        }
    }
}

/// What [`verify_with_keys`] concluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DkimVerdict {
    /// The result.
    pub result: DkimResult,
    /// One sentence saying why.
    pub reason: String,
    /// `d=` of the signature the verdict rests on (none without signatures).
    pub domain: Option<String>,
    /// `s=` (the selector) of that signature.
    pub selector: Option<String>,
    /// The `TLS-Report-Submitter` header, lower case, as the signer was compared with.
    pub submitter: Option<String>,
    /// The `report.dkim-*` findings.
    pub findings: Vec<Finding>,
}

impl DkimVerdict {
    fn new(
        result: DkimResult,
        code: Code,
        reason: String,
        submitter: Option<String>,
    ) -> DkimVerdict {
        DkimVerdict {
            result,
            findings: vec![Finding::new(code, reason.clone())],
            reason,
            domain: None,
            selector: None,
            submitter,
        }
    }

    fn signed_by(mut self, domain: &str, selector: &str) -> DkimVerdict {
        self.domain = Some(domain.to_ascii_lowercase());
        self.selector = Some(selector.to_string());
        self
    }
}

/// A signature's `d=` and `s=`, read from its tag list (RFC 6376 §3.2, §3.5).
fn signer(field: &str) -> Option<(String, String)> {
    let tag = |name: &str| {
        field.split(';').find_map(|pair| {
            let (tag, value) = pair.split_once('=')?;
            (tag.trim() == name).then(|| value.split_whitespace().collect::<String>())
        })
    };
    Some((tag("d")?.to_ascii_lowercase(), tag("s")?))
}

/// The DNS name of a key: `selector._domainkey.domain` (RFC 6376 §3.6.2.1), lower case, no root dot.
fn key_name(domain: &str, selector: &str) -> String {
    format!("{selector}._domainkey.{domain}")
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The TXT records [`verify_with_keys`] needs: the key of each of the first [`MAX_SIGNATURES`]
/// signatures (each name once). Empty without signatures.
pub fn key_names(message: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for field in dkim_signature_fields(message).iter().take(MAX_SIGNATURES) {
        if let Some((domain, selector)) = signer(field) {
            let name = key_name(&domain, &selector);
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// Fetches the keys [`key_names`] lists through `resolver` (TXT, concurrently) and judges the
/// message with them ([`verify_with_keys`]).
pub async fn verify_report_dkim<R: Resolver>(resolver: &R, message: &[u8]) -> DkimVerdict {
    let names = key_names(message);
    let lookups = futures_util::future::join_all(names.iter().map(|name| lookup(resolver, name)));
    let keys: Vec<(String, KeyLookup)> = names.iter().cloned().zip(lookups.await).collect();
    verify_with_keys(message, &keys)
}

/// One key's TXT records through `resolver`.
async fn lookup<R: Resolver>(resolver: &R, name: &str) -> KeyLookup {
    let Ok(query) = encode_query(name, RecordType::Txt) else {
        // A name that cannot be asked for cannot exist.
        return KeyLookup::Missing;
    };
    let bytes = match resolver.exchange(query).await {
        Ok(bytes) => bytes,
        Err(error) => return KeyLookup::Failed(format!("the lookup of {name} failed: {error}")),
    };
    let answer = match decode_answer(&bytes) {
        Ok(answer) => answer,
        Err(error) => {
            return KeyLookup::Failed(format!("the answer for {name} cannot be read: {error:?}"))
        }
    };
    match answer.rcode {
        Rcode::NxDomain => KeyLookup::Missing,
        Rcode::NoError => {
            let records = answer.txt_values(name);
            if records.is_empty() {
                KeyLookup::Missing
            } else {
                KeyLookup::Found(records)
            }
        }
        rcode => KeyLookup::Failed(format!("the lookup of {name} answered {rcode}")),
    }
}

/// mail-auth's TXT cache, pre-loaded: it answers every name, so its resolver is never asked.
struct Preloaded(RefCell<HashMap<Box<str>, Txt>>);

impl ResolverCache<Box<str>, Txt> for Preloaded {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        Some(self.0.borrow().get(name).cloned().unwrap_or_else(|| {
            Txt::Error(MailAuthError::Dns(DnsError::Resolver(
                "not looked up".to_string(),
            )))
        }))
    }

    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.borrow_mut().remove(name)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn insert(&self, key: Box<str>, value: Txt, _valid_until: std::time::Instant) {
        self.0.borrow_mut().insert(key, value);
    }

    #[cfg(target_arch = "wasm32")]
    fn insert(&self, key: Box<str>, value: Txt, _valid_until: web_time::Instant) {
        self.0.borrow_mut().insert(key, value);
    }
}

/// A mail-auth authenticator whose resolver is never asked (see [`Preloaded`]).
#[cfg(not(target_arch = "wasm32"))]
fn authenticator() -> Option<MessageAuthenticator> {
    use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
    MessageAuthenticator::new(
        ResolverConfig::from_parts(None, Vec::new(), Vec::new()),
        ResolverOpts::default(),
    )
    .ok()
}

/// A mail-auth authenticator whose resolver is never asked (see [`Preloaded`]).
#[cfg(target_arch = "wasm32")]
fn authenticator() -> Option<MessageAuthenticator> {
    Some(MessageAuthenticator::new_doh(
        "https://never-asked.invalid/dns-query",
    ))
}

/// The service types of a key record (RFC 6376 §3.6.1 `s=`, `*` when absent), lower case.
fn service_types(record: &str) -> Vec<String> {
    record
        .split(';')
        .find_map(|pair| {
            let (tag, value) = pair.split_once('=')?;
            (tag.trim() == "s").then(|| {
                value
                    .split(':')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .collect()
            })
        })
        .unwrap_or_else(|| vec!["*".to_string()])
}

/// One key record as judged here: the parsed key for mail-auth and its service types.
struct Key {
    txt: Txt,
    services: Vec<String>,
}

/// The first record at a name that mail-auth can read as a DKIM key (RFC 6376 §3.6.2.2: records
/// that do not parse are ignored).
fn key_from(records: &[String]) -> Result<Key, String> {
    let mut why = "no TXT record there is a DKIM key".to_string();
    for record in records {
        match DomainKey::parse(record.as_bytes()) {
            Ok(key) => {
                return Ok(Key {
                    txt: Txt::from(key),
                    services: service_types(record),
                })
            }
            Err(error) => why = format!("the key record cannot be used: {error}"),
        }
    }
    Err(why)
}

/// How one signature fared, best first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Pass { explicit_service: bool },
    TempError(String),
    NotSubmitter,
    Fail(String),
    PermError(String),
}

/// Whether `submitter` is `domain` or below it (RFC 8460 §5.3: the submitter is the DKIM domain).
fn aligned(domain: &str, submitter: &str) -> bool {
    let domain = domain.trim_end_matches('.');
    submitter == domain || submitter.ends_with(&format!(".{domain}"))
}

/// Judges the report e-mail `message` with the key records `keys` (name as [`key_names`] gives
/// it, and what was found there). A key not in `keys` counts as not looked up: `temperror`.
pub fn verify_with_keys(message: &[u8], keys: &[(String, KeyLookup)]) -> DkimVerdict {
    let headers = report_mail_headers(message);
    let submitter = headers
        .report_submitter
        .as_deref()
        .map(|s| s.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|s| !s.is_empty());
    let verdict =
        |result, code, reason: String| DkimVerdict::new(result, code, reason, submitter.clone());
    if headers.dkim_signatures == 0 {
        return verdict(
            DkimResult::None,
            Code::ReportDkimNone,
            "the report e-mail has no DKIM signature; RFC 8460 §5.3 requires one".to_string(),
        );
    }
    if headers.dkim_signatures > MAX_SIGNATURES {
        return verdict(
            DkimResult::PermError,
            Code::ReportDkimPermError,
            format!(
                "the report e-mail has {} DKIM signatures; at most {MAX_SIGNATURES} are checked",
                headers.dkim_signatures
            ),
        );
    }
    let (Some(parsed), Some(authenticator)) =
        (AuthenticatedMessage::parse(message), authenticator())
    else {
        return verdict(
            DkimResult::PermError,
            Code::ReportDkimPermError,
            "the report e-mail's header cannot be read for DKIM".to_string(),
        );
    };

    let found = |name: &str| {
        keys.iter()
            .find(|(n, _)| n.trim_end_matches('.').eq_ignore_ascii_case(name))
            .map(|(_, lookup)| lookup)
    };
    let mut cache = HashMap::new();
    let mut services: HashMap<String, Vec<String>> = HashMap::new();
    for header in &parsed.dkim_headers {
        let name = key_name(&header.header.d, &header.header.s);
        let txt = match found(&name) {
            Some(KeyLookup::Found(records)) => match key_from(records) {
                Ok(key) => {
                    services.insert(name.clone(), key.services);
                    key.txt
                }
                Err(why) => Txt::Error(MailAuthError::Io(why)),
            },
            Some(KeyLookup::Missing) => {
                Txt::Error(MailAuthError::Io(format!("there is no key at {name}")))
            }
            Some(KeyLookup::Failed(why)) => {
                Txt::Error(MailAuthError::Dns(DnsError::Resolver(why.clone())))
            }
            None => Txt::Error(MailAuthError::Dns(DnsError::Resolver(format!(
                "{name} was not looked up"
            )))),
        };
        cache.insert(format!("{name}.").into_boxed_str(), txt);
    }
    let cache = Preloaded(RefCell::new(cache));
    let outputs = authenticator
        .verify_dkim(Parameters::new(&parsed).with_txt_cache(&cache))
        .now_or_never()
        .unwrap_or_default();

    let mut best: Option<(Outcome, String, String)> = None;
    for output in &outputs {
        let (domain, selector) = output
            .signature()
            .map(|s| (s.d.to_ascii_lowercase(), s.s.clone()))
            .unwrap_or_default();
        let name = key_name(&domain, &selector);
        let outcome = match output.result() {
            MailAuthResult::Pass => {
                let signature_l = output.signature().map_or(0, |s| s.l);
                let key_services = services.get(&name).cloned().unwrap_or_default();
                let for_reports = key_services.iter().any(|s| s == "tlsrpt" || s == "*");
                if signature_l > 0 {
                    Outcome::Fail(format!("the signature of {domain} limits the signed body with l={signature_l}, which RFC 8460 §5.3 forbids"))
                } else if !for_reports {
                    Outcome::PermError(format!(
                        "the key at {name} is for the services {:?}, not tlsrpt (s=, RFC 6376 §3.6.1)",
                        key_services.join(":")
                    ))
                } else if submitter.as_deref().is_some_and(|s| aligned(&domain, s)) {
                    Outcome::Pass {
                        explicit_service: key_services.iter().any(|s| s == "tlsrpt"),
                    }
                } else {
                    Outcome::NotSubmitter
                }
            }
            MailAuthResult::TempError(error) => Outcome::TempError(format!(
                "the key at {name} could not be fetched ({}); try again later",
                describe(error)
            )),
            MailAuthResult::Fail(error) | MailAuthResult::Neutral(error) => Outcome::Fail(format!(
                "the signature of {domain} (selector {selector}) does not verify: {}",
                describe(error)
            )),
            MailAuthResult::PermError(error) => Outcome::PermError(format!(
                "the signature of {domain} (selector {selector}) cannot be checked: {}",
                describe(error)
            )),
            MailAuthResult::None => continue,
        };
        if best.as_ref().is_none_or(|(b, _, _)| outcome < *b) {
            best = Some((outcome, domain, selector));
        }
    }
    let Some((outcome, domain, selector)) = best else {
        return verdict(
            DkimResult::PermError,
            Code::ReportDkimPermError,
            "no DKIM signature of the report e-mail can be read".to_string(),
        );
    };
    let judged = match outcome {
        Outcome::Pass { explicit_service } => {
            let mut v = verdict(
                DkimResult::Pass,
                Code::ReportDkimPass,
                format!("signed by {domain} (selector {selector}), the report's submitter"),
            );
            if !explicit_service {
                v.findings.push(Finding::new(
                    Code::ReportDkimServiceType,
                    format!("the key at {} does not declare s=tlsrpt (RFC 8460 §5.3 SHOULD); its s=* covers it", key_name(&domain, &selector)),
                ));
            }
            v
        }
        Outcome::TempError(why) => verdict(DkimResult::TempError, Code::ReportDkimTempError, why),
        Outcome::NotSubmitter => verdict(
            DkimResult::Fail,
            Code::ReportDkimNotSubmitter,
            match &submitter {
                Some(s) => format!("signed by {domain}, but the TLS-Report-Submitter header names {s}"),
                None => format!("signed by {domain}, but the e-mail has no TLS-Report-Submitter header to match it with"),
            },
        ),
        Outcome::Fail(why) => verdict(DkimResult::Fail, Code::ReportDkimFail, why),
        Outcome::PermError(why) => verdict(DkimResult::PermError, Code::ReportDkimPermError, why),
    };
    judged.signed_by(&domain, &selector)
}

/// mail-auth's error, in lower case as our messages are.
fn describe(error: &MailAuthError) -> String {
    match error {
        MailAuthError::Io(why) => why.clone(),
        MailAuthError::Dns(DnsError::Resolver(why)) => why.clone(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signers_and_names() {
        for (field, want) in [
            (
                "v=1; a=rsa-sha256; d=Google.com; s=20230601; h=from",
                Some(("google.com", "20230601")),
            ),
            (
                "v=1; d = reports.test ;\r\n s = s1 ; b=x",
                Some(("reports.test", "s1")),
            ),
            ("v=1; s=s1", None),
        ] {
            let got = signer(field);
            assert_eq!(
                got.as_ref().map(|(d, s)| (d.as_str(), s.as_str())),
                want,
                "{field}"
            );
        }
        assert_eq!(
            key_name("reports.test.", "S1"),
            "s1._domainkey.reports.test"
        );
        let message = "DKIM-Signature: v=1; d=a.test; s=x; b=1\r\nDKIM-Signature: v=1; d=a.test; s=x; b=2\r\nDKIM-Signature: v=1; d=b.test;\r\n s=y; b=3\r\nSubject: hi\r\n\r\nbody\r\n";
        assert_eq!(
            key_names(message.as_bytes()),
            vec!["x._domainkey.a.test", "y._domainkey.b.test"]
        );
    }

    #[test]
    fn service_types_default_to_all() {
        for (record, want) in [
            ("v=DKIM1; p=abc", vec!["*"]),
            ("v=DKIM1; s=tlsrpt; p=abc", vec!["tlsrpt"]),
            (
                "v=DKIM1; s = email : TLSRPT; p=abc",
                vec!["email", "tlsrpt"],
            ),
            ("v=DKIM1; s=email; p=abc", vec!["email"]),
        ] {
            assert_eq!(service_types(record), want, "{record}");
        }
    }

    #[test]
    fn alignment() {
        for (domain, submitter, want) in [
            ("google.com", "google.com", true),
            ("google.com.", "google.com", true),
            ("google.com", "mail.google.com", true),
            ("mail.google.com", "google.com", false),
            ("oogle.com", "google.com", false),
            ("evil.test", "google.com", false),
        ] {
            assert_eq!(aligned(domain, submitter), want, "{domain} {submitter}");
        }
    }

    #[test]
    fn unsigned_and_overloaded_messages() {
        let unsigned = verify_with_keys(b"Subject: hi\r\n\r\nbody\r\n", &[]);
        assert_eq!(unsigned.result, DkimResult::None);
        assert_eq!(unsigned.findings[0].code, Code::ReportDkimNone);
        let many = "DKIM-Signature: v=1; d=a.test; s=x; b=1\r\n".repeat(MAX_SIGNATURES + 1)
            + "Subject: hi\r\n\r\nbody\r\n";
        let many = verify_with_keys(many.as_bytes(), &[]);
        assert_eq!(many.result, DkimResult::PermError);
    }
}
