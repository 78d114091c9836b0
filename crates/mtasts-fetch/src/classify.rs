//! What a failed `fetch` means, as the core's [`FetchError`] (and so as a TLS-RPT result type,
//! RFC 8460 §4.3): one classification for every platform.
//!
//! - Node (undici) throws `TypeError: fetch failed` with the reason as its `cause`, which carries
//!   a libuv, OpenSSL or undici error code (`ENOTFOUND`, `CERT_HAS_EXPIRED`, …): the codes say
//!   precisely what happened.
//! - workerd says it in words only, and few: `Network connection lost.` for a refused
//!   connection, `internal error; reference = …` for DNS and TLS failures (it logs the reason,
//!   `DNS lookup failed.`, `TLS peer's certificate is not trusted; reason = …`, and may one day
//!   say it): the words are matched.
//! - Browsers say nothing (one `TypeError` for DNS, TLS, connection and CORS failures alike):
//!   that stays [`FetchError::Other`], which the core looks into with a DNS lookup of its own.
//!
//! Codes are read before words, on the error and its causes alike.

use crate::in_flight::describe_error;
use mtasts::check::{FetchError, TlsErrorClass};
use wasm_bindgen::JsValue;

/// What a failed `fetch` (or a caller's function that threw) means: its error and up to three
/// `cause`s below it, their codes first, then their messages.
pub fn classify(error: &JsValue) -> FetchError {
    let mut links: Vec<(Option<String>, String)> = Vec::new();
    let mut current = error.clone();
    // Bounded: a cyclic `cause` chain cannot hang the walk.
    for _ in 0..4 {
        if current.is_undefined() || current.is_null() {
            break;
        }
        let code = js_sys::Reflect::get(&current, &JsValue::from_str("code"))
            .ok()
            .and_then(|c| c.as_string());
        links.push((code, describe_error(&current)));
        if !current.is_object() {
            break;
        }
        current = js_sys::Reflect::get(&current, &JsValue::from_str("cause"))
            .unwrap_or(JsValue::UNDEFINED);
    }
    let links: Vec<(Option<&str>, &str)> = links
        .iter()
        .map(|(code, message)| (code.as_deref(), message.as_str()))
        .collect();
    classify_failure(&links)
}

/// [`classify`] over the chain read out: each link's code (if any) and message, outermost first.
/// The detail is the messages, each once, joined by `": "`.
fn classify_failure(links: &[(Option<&str>, &str)]) -> FetchError {
    let mut messages: Vec<&str> = Vec::new();
    for (_, message) in links {
        if !messages.contains(message) {
            messages.push(message);
        }
    }
    let detail = messages.join(": ");
    let by_code = links
        .iter()
        .find_map(|(code, _)| code.and_then(ErrorKind::from_code));
    let by_words = || {
        links
            .iter()
            .find_map(|(_, message)| ErrorKind::from_words(message))
    };
    match by_code.or_else(by_words) {
        Some(kind) => kind.with_detail(detail),
        None => FetchError::Other { detail },
    }
}

/// What an error names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorKind {
    Dns,
    Timeout,
    Connect,
    Tls(TlsErrorClass),
}

/// workerd's words, lower case, and what they name: the first entry whose words all occur in a
/// message wins (so the specific certificate failures come before "certificate" alone).
const WORDS: &[(&[&str], ErrorKind)] = &[
    (
        &["certificate", "expired"],
        ErrorKind::Tls(TlsErrorClass::Expired),
    ),
    (
        &["certificate", "not yet valid"],
        ErrorKind::Tls(TlsErrorClass::Expired),
    ),
    (
        &["certificate", "hostname"],
        ErrorKind::Tls(TlsErrorClass::WrongName),
    ),
    (&["certificate"], ErrorKind::Tls(TlsErrorClass::Untrusted)),
    (&["tls"], ErrorKind::Tls(TlsErrorClass::Handshake)),
    (&["ssl"], ErrorKind::Tls(TlsErrorClass::Handshake)),
    (&["handshake"], ErrorKind::Tls(TlsErrorClass::Handshake)),
    (&["dns"], ErrorKind::Dns),
    (&["resolve"], ErrorKind::Dns),
    (&["not found"], ErrorKind::Dns),
    // workerd: a refused or reset connection.
    (&["connect"], ErrorKind::Connect),
    // workerd hides the DNS and TLS failures of a fetch behind `internal error; reference = …`
    // (and logs the reason): the connection failed, for all it tells; the core asks the
    // resolver whether the host has an address.
    (&["internal error"], ErrorKind::Connect),
];

impl ErrorKind {
    /// The kind of a Node (libuv, OpenSSL, undici) error code; `None` for codes that say
    /// nothing about the network.
    fn from_code(code: &str) -> Option<ErrorKind> {
        let kind = match code {
            "ENOTFOUND" | "EAI_AGAIN" | "EAI_FAIL" | "EAI_NONAME" | "EAI_NODATA" => ErrorKind::Dns,
            "ETIMEDOUT"
            | "UND_ERR_CONNECT_TIMEOUT"
            | "UND_ERR_HEADERS_TIMEOUT"
            | "UND_ERR_BODY_TIMEOUT" => ErrorKind::Timeout,
            "ECONNREFUSED" | "ECONNRESET" | "ECONNABORTED" | "EHOSTUNREACH" | "ENETUNREACH"
            | "EADDRNOTAVAIL" | "EPIPE" | "UND_ERR_SOCKET" => ErrorKind::Connect,
            "CERT_HAS_EXPIRED" | "CERT_NOT_YET_VALID" => ErrorKind::Tls(TlsErrorClass::Expired),
            "ERR_TLS_CERT_ALTNAME_INVALID" | "HOSTNAME_MISMATCH" => {
                ErrorKind::Tls(TlsErrorClass::WrongName)
            }
            "DEPTH_ZERO_SELF_SIGNED_CERT"
            | "SELF_SIGNED_CERT_IN_CHAIN"
            | "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
            | "UNABLE_TO_GET_ISSUER_CERT"
            | "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
            | "CERT_UNTRUSTED"
            | "CERT_REJECTED"
            | "CERT_SIGNATURE_FAILURE" => ErrorKind::Tls(TlsErrorClass::Untrusted),
            "EPROTO" => ErrorKind::Tls(TlsErrorClass::Handshake),
            other if other.starts_with("ERR_SSL_") || other.starts_with("ERR_TLS_") => {
                ErrorKind::Tls(TlsErrorClass::Handshake)
            }
            _ => return None,
        };
        Some(kind)
    }

    /// The kind named by a message's words ([`WORDS`]).
    fn from_words(message: &str) -> Option<ErrorKind> {
        let message = message.to_ascii_lowercase();
        WORDS
            .iter()
            .find(|(words, _)| words.iter().all(|word| message.contains(word)))
            .map(|(_, kind)| *kind)
    }

    fn with_detail(self, detail: String) -> FetchError {
        match self {
            ErrorKind::Dns => FetchError::Dns { detail },
            ErrorKind::Timeout => FetchError::Timeout,
            ErrorKind::Connect => FetchError::Connect { detail },
            ErrorKind::Tls(class) => FetchError::Tls { class, detail },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures() {
        use TlsErrorClass::{Expired, Handshake, Untrusted, WrongName};
        let dns = |detail: &str| FetchError::Dns {
            detail: detail.into(),
        };
        let connect = |detail: &str| FetchError::Connect {
            detail: detail.into(),
        };
        let tls = |class, detail: &str| FetchError::Tls {
            class,
            detail: detail.into(),
        };
        let other = |detail: &str| FetchError::Other {
            detail: detail.into(),
        };
        const FAILED: (Option<&str>, &str) = (None, "fetch failed");
        for (links, want) in [
            // Node: the code on the cause says it.
            (
                &[
                    FAILED,
                    (Some("ENOTFOUND"), "getaddrinfo ENOTFOUND mta-sts.x"),
                ][..],
                dns("fetch failed: getaddrinfo ENOTFOUND mta-sts.x"),
            ),
            (&[(Some("EAI_AGAIN"), "e")][..], dns("e")),
            (&[(Some("ECONNREFUSED"), "e")][..], connect("e")),
            (
                &[(Some("UND_ERR_SOCKET"), "other side closed")][..],
                connect("other side closed"),
            ),
            (
                &[FAILED, (Some("UND_ERR_CONNECT_TIMEOUT"), "e")][..],
                FetchError::Timeout,
            ),
            (
                &[(Some("CERT_HAS_EXPIRED"), "certificate has expired")][..],
                tls(Expired, "certificate has expired"),
            ),
            (
                &[(Some("ERR_TLS_CERT_ALTNAME_INVALID"), "e")][..],
                tls(WrongName, "e"),
            ),
            (
                &[(Some("DEPTH_ZERO_SELF_SIGNED_CERT"), "e")][..],
                tls(Untrusted, "e"),
            ),
            (
                &[(Some("UNABLE_TO_VERIFY_LEAF_SIGNATURE"), "e")][..],
                tls(Untrusted, "e"),
            ),
            (
                &[(Some("ERR_SSL_TLSV1_ALERT_ACCESS_DENIED"), "e")][..],
                tls(Handshake, "e"),
            ),
            // A code that names no network failure leaves it to the words.
            (
                &[(Some("ERR_INVALID_URL"), "Invalid URL")][..],
                other("Invalid URL"),
            ),
            (
                &[(Some(""), "connect ECONNREFUSED")][..],
                connect("connect ECONNREFUSED"),
            ),
            // Codes win over words, whichever link carries them; each message once.
            (
                &[
                    (None, "certificate trouble"),
                    (Some("ECONNRESET"), "reset"),
                    (None, "reset"),
                ][..],
                connect("certificate trouble: reset"),
            ),
            // workerd: the words.
            (
                &[(
                    None,
                    "TLS peer's certificate is not trusted; reason = certificate has expired",
                )][..],
                tls(
                    Expired,
                    "TLS peer's certificate is not trusted; reason = certificate has expired",
                ),
            ),
            (
                &[(None, "certificate is not yet valid")][..],
                tls(Expired, "certificate is not yet valid"),
            ),
            (
                &[(
                    None,
                    "TLS peer's certificate is not trusted; reason = Hostname mismatch",
                )][..],
                tls(
                    WrongName,
                    "TLS peer's certificate is not trusted; reason = Hostname mismatch",
                ),
            ),
            (
                &[(
                    None,
                    "TLS peer's certificate is not trusted; reason = self signed certificate",
                )][..],
                tls(
                    Untrusted,
                    "TLS peer's certificate is not trusted; reason = self signed certificate",
                ),
            ),
            (
                &[(None, "TLS peer provided no certificate")][..],
                tls(Untrusted, "TLS peer provided no certificate"),
            ),
            (
                &[(None, "SSL alert number 40")][..],
                tls(Handshake, "SSL alert number 40"),
            ),
            (
                &[(None, "handshake failure")][..],
                tls(Handshake, "handshake failure"),
            ),
            (
                &[(None, "DNS lookup failed.")][..],
                dns("DNS lookup failed."),
            ),
            (
                &[(None, "could not resolve host")][..],
                dns("could not resolve host"),
            ),
            (&[(None, "host not found")][..], dns("host not found")),
            (
                &[(None, "connect(): Connection refused")][..],
                connect("connect(): Connection refused"),
            ),
            (
                &[(None, "Network connection lost.")][..],
                connect("Network connection lost."),
            ),
            // Browsers: nothing to go by.
            (&[(None, "Failed to fetch")][..], other("Failed to fetch")),
            (
                &[(None, "NetworkError when attempting to fetch resource.")][..],
                other("NetworkError when attempting to fetch resource."),
            ),
            (&[(None, "Load failed")][..], other("Load failed")),
            (&[FAILED][..], other("fetch failed")),
            (&[][..], other("")),
        ] {
            assert_eq!(classify_failure(links), want, "{links:?}");
        }
    }
}
