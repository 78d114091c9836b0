//! The `_smtp._tls` TXT record (RFC 8460 §3).
//!
//! ```text
//! tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
//! field-delim   = *WSP ";" *WSP
//! tlsrpt-field  = tlsrpt-rua / tlsrpt-extension
//! tlsrpt-version = %s"v=TLSRPTv1"
//! tlsrpt-rua    = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//! tlsrpt-uri    = URI   ; RFC 3986; commas and exclamation points MUST be encoded
//! ```
//!
//! Only `mailto:` (RFC 6068) and `https:` URIs can receive reports (RFC 8460 §3). Whether the
//! domain has a record at all, or only one at the pre-RFC name `_smtp-tlsrpt`, is for the domain
//! check to say (`tlsrpt-record.missing`, `tlsrpt-record.legacy-name`): an RRset without a
//! TLS-RPT record lints with no findings and no value, and [`is_tlsrpt_record`] tells which
//! records count.

use crate::finding::{Code, Finding, LintResult};
use crate::name::{check_host_name, NameError};
use crate::txt_fields::{self, shown, FieldList};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The version field every TLS-RPT record starts with.
pub const VERSION_FIELD: &str = "v=TLSRPTv1";

/// A parsed TLS-RPT record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsRptRecord {
    /// `v`, `TLSRPTv1`.
    pub version: String,
    /// `rua` URIs in order, as published (every `rua` field, where there are several).
    pub rua: Vec<String>,
    /// Extension fields in order.
    pub extensions: Vec<(String, String)>,
}

/// Why a `rua` URI cannot receive reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuaError {
    /// Nothing between two commas, or after `rua=`.
    Empty,
    /// A template placeholder such as `<your-domain>` or `{domain}` left in.
    Placeholder(String),
    /// A space or tab inside the URI.
    Space,
    /// A character RFC 8460 §3 says must be percent-encoded (`,`, `!`, and `;`).
    MustEncode(char),
    /// A character that a URI cannot hold at that place (RFC 3986 §2).
    ForbiddenChar(char),
    /// A `%` not followed by two hex digits.
    BadPercent(String),
    /// No `scheme:` in front.
    NoScheme,
    /// A scheme other than `mailto` and `https`.
    Scheme(String),
    /// `mailto:` without an address.
    NoAddress,
    /// A `mailto:` address that is not an `addr-spec` (RFC 6068 §2, RFC 5322 §3.4.1).
    Address(String),
    /// The domain of a `mailto:` address is not a host name or address literal.
    AddressDomain(String, NameError),
    /// A `mailto:` header field that is not `name=value`.
    Header(String),
    /// An `https:` URI without `//host`.
    NoHost,
    /// The host of an `https:` URI is not a host name or IP address.
    Host(String, NameError),
    /// A bracketed address literal that is not an IP address.
    IpLiteral(String),
    /// An `https:` URI with user information (RFC 9110 §4.2.4 forbids it).
    UserInfo,
    /// A port that is not a number from 1 to 65535.
    Port(String),
}

impl fmt::Display for RuaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuaError::Empty => write!(f, "the URI is empty"),
            RuaError::Placeholder(p) => write!(
                f,
                "it holds {}, a template placeholder: replace it with the real value",
                shown(p)
            ),
            RuaError::Space => write!(
                f,
                "it holds a space: separate URIs with ',' and write a space inside a URI as %20"
            ),
            RuaError::MustEncode(c) => write!(
                f,
                "it holds {c:?}, which must be percent-encoded as %{:02X} (RFC 8460 §3)",
                u32::from(*c)
            ),
            RuaError::ForbiddenChar(c) => write!(
                f,
                "it holds {c:?}, which a URI cannot hold there; percent-encode it"
            ),
            RuaError::BadPercent(s) => write!(
                f,
                "{} is not a percent-escape: '%' must be followed by two hex digits",
                shown(s)
            ),
            RuaError::NoScheme => write!(
                f,
                "it has no scheme; write mailto:address or https://host/path (a second address \
                 of a mailto: URI is written after %2C, not ',')"
            ),
            RuaError::Scheme(s) if s.eq_ignore_ascii_case("http") => write!(
                f,
                "the scheme http: is not allowed; reports go only to mailto: or https: URIs"
            ),
            RuaError::Scheme(s) => write!(
                f,
                "the scheme {}: is not allowed; reports go only to mailto: or https: URIs",
                shown(s)
            ),
            RuaError::NoAddress => write!(f, "the mailto: URI has no address"),
            RuaError::Address(a) => write!(
                f,
                "{} is not an e-mail address (local-part@domain)",
                shown(a)
            ),
            RuaError::AddressDomain(d, e) => {
                write!(f, "the address domain {} is not valid: {e}", shown(d))
            }
            RuaError::Header(h) => {
                write!(f, "the mailto: header field {} is not name=value", shown(h))
            }
            RuaError::NoHost => write!(f, "the https: URI has no //host"),
            RuaError::Host(h, e) => write!(f, "the host {} is not valid: {e}", shown(h)),
            RuaError::IpLiteral(l) => write!(
                f,
                "{} is not an IP address literal (nor a host name)",
                shown(l)
            ),
            RuaError::UserInfo => write!(
                f,
                "an https: URI must not carry user information before '@' (RFC 9110 §4.2.4)"
            ),
            RuaError::Port(p) => write!(f, "the port {} is not 1 to 65535", shown(p)),
        }
    }
}

impl std::error::Error for RuaError {}

/// Whether senders keep this TXT record from the `_smtp._tls` RRset: it starts with
/// `v=TLSRPTv1` followed by a field delimiter (RFC 8460 §3).
pub fn is_tlsrpt_record(text: &str) -> bool {
    txt_fields::starts_with_version(text, VERSION_FIELD)
}

/// Whether a record that senders discard was evidently meant as the TLS-RPT record
/// (`v=TSLRPTv1`, `v=tlsrptv1`, a leading space, `v=TLSRPTv1` without `;`).
fn looks_like_tlsrpt(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let start = lower.trim_start_matches(|c: char| c.is_whitespace() || c == '"');
    let version = start.split([';', ' ', '\t']).next().unwrap_or_default();
    (version.starts_with("v=") && version.contains("rpt")) || lower.contains("tlsrptv1")
}

/// Lints one TXT record, given as one string, that is meant to be the domain's TLS-RPT record.
pub fn lint_tlsrpt_record(text: &str) -> LintResult<TlsRptRecord> {
    let (findings, value) = lint_text(text);
    LintResult::new(findings, value)
}

/// Lints the whole `_smtp._tls` RRset: one entry per TXT record, each the list of its
/// character-strings. The value is the record senders use, `None` when they use none; an RRset
/// without any TLS-RPT record gives no finding (see the module documentation).
pub fn lint_tlsrpt_rrset(records: &[Vec<String>]) -> LintResult<TlsRptRecord> {
    let mut findings = Vec::new();
    let mut kept = Vec::new();
    for strings in records {
        // RFC 8460 §3: the strings of one record are concatenated without spaces.
        let text = txt_fields::join(strings);
        if is_tlsrpt_record(&text) {
            kept.push(text);
        } else if looks_like_tlsrpt(&text) {
            findings.extend(lint_text(&text).0);
        }
    }
    let mut value = None;
    for text in &kept {
        let (record_findings, record) = lint_text(text);
        findings.extend(record_findings);
        value = record;
    }
    if kept.len() > 1 {
        // RFC 8460 §3: "If the number of resulting records is not one, senders MUST assume
        // the recipient domain does not implement TLSRPT."
        let texts: Vec<String> = kept.iter().map(|text| shown(text)).collect();
        findings.push(Finding::new(
            Code::TlsRptRecordMultiple,
            format!(
                "{} TXT records start with \"v=TLSRPTv1;\" ({}): senders send no reports; keep \
                 only one and list every address in its rua field",
                kept.len(),
                texts.join(", ")
            ),
        ));
        value = None;
    }
    LintResult::new(findings, value)
}

/// The findings for one record, and the record where its version and a `rua` could be read.
fn lint_text(text: &str) -> (Vec<Finding>, Option<TlsRptRecord>) {
    if text.len() > txt_fields::MAX_RECORD_LEN {
        let message = format!(
            "the record is {} bytes long, more than a TXT record can hold ({})",
            text.len(),
            txt_fields::MAX_RECORD_LEN
        );
        return (vec![Finding::new(Code::TlsRptRecordSyntax, message)], None);
    }
    let list = txt_fields::split(text);
    if let Err(error) = txt_fields::check_version(text, &list, VERSION_FIELD) {
        let code = if error.is_syntax() {
            Code::TlsRptRecordSyntax
        } else {
            Code::TlsRptRecordVersion
        };
        return (vec![Finding::new(code, error.to_string())], None);
    }
    let mut findings: Vec<Finding> = list
        .errors
        .iter()
        .map(|e| Finding::new(Code::TlsRptRecordSyntax, e.to_string()))
        .collect();
    let record = read_fields(&list, &mut findings);
    (findings, record)
}

/// Reads the fields after the version: every `rua` and the extensions.
fn read_fields(list: &FieldList<'_>, findings: &mut Vec<Finding>) -> Option<TlsRptRecord> {
    let mut rua: Option<Vec<String>> = None;
    let mut extensions = Vec::new();
    for &field in &list.fields {
        if field.name == "rua" {
            // The ABNF allows `tlsrpt-rua` more than once and has no "first wins" rule, so every
            // `rua` field adds its URIs (as mox does).
            rua.get_or_insert_with(Vec::new)
                .extend(read_rua(field.value, findings));
        } else {
            // RFC 8460 §3: unknown fields SHALL be ignored, but must still match the ABNF.
            if let Err(error) = txt_fields::check_extension(field) {
                findings.push(Finding::new(Code::TlsRptRecordSyntax, error.to_string()));
            }
            extensions.push((field.name.to_string(), field.value.to_string()));
        }
    }
    let Some(rua) = rua else {
        findings.push(Finding::new(
            Code::TlsRptRecordRuaMissing,
            "the record has no rua field, so no report can be sent; add one such as \
             rua=mailto:tlsrpt@example.com",
        ));
        return None;
    };
    Some(TlsRptRecord {
        version: "TLSRPTv1".to_string(),
        rua,
        extensions,
    })
}

/// Splits one `rua` value into its URIs and checks each.
fn read_rua(value: &str, findings: &mut Vec<Finding>) -> Vec<String> {
    if value.starts_with(txt_fields::is_wsp) {
        findings.push(Finding::new(
            Code::TlsRptRecordSyntax,
            format!(
                "the rua value {} starts with whitespace; the first URI must follow \"rua=\" \
                 directly",
                shown(value)
            ),
        ));
    }
    if value.trim_matches(txt_fields::is_wsp).is_empty() {
        findings.push(Finding::new(
            Code::TlsRptRecordRuaInvalid,
            "the rua field is empty; give at least one mailto: or https: URI",
        ));
        return Vec::new();
    }
    let mut uris = Vec::new();
    let mut empty_entries = false;
    for uri in value.split(',') {
        let uri = uri.trim_matches(txt_fields::is_wsp);
        if uri.is_empty() {
            empty_entries = true;
            continue;
        }
        if let Err(error) = check_rua_uri(uri) {
            findings.push(Finding::new(
                Code::TlsRptRecordRuaInvalid,
                format!("the rua URI {} cannot receive reports: {error}", shown(uri)),
            ));
        }
        uris.push(uri.to_string());
    }
    if empty_entries {
        findings.push(Finding::new(
            Code::TlsRptRecordRuaInvalid,
            format!(
                "the rua value {} has an empty entry (two commas in a row, or a comma at an end)",
                shown(value)
            ),
        ));
    }
    uris
}

/// Checks one reporting URI as RFC 8460 §3 wants it: a `mailto:` (RFC 6068) or `https:`
/// (RFC 9110 §4.2.2) URI in RFC 3986 syntax, with `,`, `!` and `;` percent-encoded.
pub fn check_rua_uri(uri: &str) -> Result<(), RuaError> {
    if uri.is_empty() {
        return Err(RuaError::Empty);
    }
    if let Some(placeholder) = find_placeholder(uri) {
        return Err(RuaError::Placeholder(placeholder.to_string()));
    }
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Err(RuaError::NoScheme);
    };
    // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), case-insensitive.
    let mut scheme_chars = scheme.chars();
    let scheme_ok = scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(RuaError::NoScheme);
    }
    let mailto = scheme.eq_ignore_ascii_case("mailto");
    if !mailto && !scheme.eq_ignore_ascii_case("https") {
        return Err(RuaError::Scheme(scheme.to_string()));
    }
    check_uri_chars(uri)?;
    if mailto {
        check_mailto(rest)
    } else {
        check_https(rest)
    }
}

/// A `<…>` or `{…}` span, or a bracketed word that is no address literal: what templates use.
fn find_placeholder(uri: &str) -> Option<&str> {
    for (open, close) in [('<', '>'), ('{', '}'), ('[', ']')] {
        let Some(start) = uri.find(open) else {
            continue;
        };
        let Some(len) = uri.get(start..).and_then(|s| s.find(close)) else {
            continue;
        };
        let span = uri.get(start..=start + len)?;
        let inner = span
            .get(1..span.len().saturating_sub(1))
            .unwrap_or_default();
        let literal = open == '['
            && (inner.starts_with("IPv6:")
                || inner
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.'));
        if !literal {
            return Some(span);
        }
    }
    None
}

/// RFC 3986 §2: the characters a URI may hold, with RFC 8460 §3's encoding rules on top.
fn check_uri_chars(uri: &str) -> Result<(), RuaError> {
    let mut chars = uri.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            ' ' | '\t' => return Err(RuaError::Space),
            ',' | '!' | ';' => return Err(RuaError::MustEncode(c)),
            '%' => {
                let escape = uri
                    .get(at..at + 3)
                    .unwrap_or_else(|| uri.get(at..).unwrap_or("%"));
                let hex = escape.get(1..).unwrap_or_default();
                if hex.len() != 2 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                    return Err(RuaError::BadPercent(escape.to_string()));
                }
                chars.nth(1);
            }
            // unreserved, gen-delims and the sub-delims left.
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '.' | '_' | '~' => {}
            ':' | '/' | '?' | '#' | '[' | ']' | '@' => {}
            '$' | '&' | '\'' | '(' | ')' | '*' | '+' | '=' => {}
            _ => return Err(RuaError::ForbiddenChar(c)),
        }
    }
    Ok(())
}

/// `hier-part` of an `https:` URI: `//authority path-abempty [ "?" query ] [ "#" fragment ]`.
fn check_https(rest: &str) -> Result<(), RuaError> {
    let Some(after) = rest.strip_prefix("//") else {
        return Err(RuaError::NoHost);
    };
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, tail) = after.split_at(end);
    if authority.contains('@') {
        return Err(RuaError::UserInfo);
    }
    // `[` and `]` belong to an IP literal host only; `#` starts the one fragment.
    if let Some(c) = tail.chars().find(|c| matches!(c, '[' | ']')) {
        return Err(RuaError::ForbiddenChar(c));
    }
    if tail.matches('#').count() > 1 {
        return Err(RuaError::ForbiddenChar('#'));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(literal) => {
            let Some((address, port)) = literal.split_once(']') else {
                return Err(RuaError::ForbiddenChar('['));
            };
            if address.parse::<Ipv6Addr>().is_err() {
                return Err(RuaError::IpLiteral(format!("[{address}]")));
            }
            (
                None,
                port.strip_prefix(':')
                    .or(Some(port).filter(|p| !p.is_empty())),
            )
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(authority), None),
        },
    };
    // RFC 3986 §3.2.3: `port = *DIGIT`; an empty port means the default one.
    if let Some(port) = port.filter(|p| !p.is_empty()) {
        let digits = port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
        if !digits || port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(RuaError::Port(port.to_string()));
        }
    }
    match host {
        None => Ok(()),
        Some("") => Err(RuaError::NoHost),
        Some(host) if host.parse::<Ipv4Addr>().is_ok() => Ok(()),
        Some(host) => {
            // A trailing dot (a fully qualified name) is legal in a URI's host.
            let name = crate::name::without_root_dot(host);
            check_host_name(name).map_err(|e| RuaError::Host(host.to_string(), e))
        }
    }
}

/// RFC 6068 §2: `mailtoURI = "mailto:" [ to ] [ hfields ]`, `to = addr-spec *("%2C" addr-spec)`.
fn check_mailto(rest: &str) -> Result<(), RuaError> {
    let (to, hfields) = match rest.split_once('?') {
        Some((to, hfields)) => (to, Some(hfields)),
        None => (rest, None),
    };
    if to.is_empty() {
        return Err(RuaError::NoAddress);
    }
    // RFC 6068 §2: outside `qchar` (unreserved, pct-encoded, some-delims) a character must be
    // percent-encoded; `[` `]` may only enclose a domain literal, which the address check reads.
    if let Some(c) = to.chars().find(|c| matches!(c, '/' | '#' | '=' | '&')) {
        return Err(RuaError::ForbiddenChar(c));
    }
    for address in split_encoded_commas(to) {
        check_addr_spec(&percent_decode(address))?;
    }
    for hfield in hfields.into_iter().flat_map(|h| h.split('&')) {
        let named = hfield
            .split_once('=')
            .is_some_and(|(name, _)| !name.is_empty());
        if !named {
            return Err(RuaError::Header(hfield.to_string()));
        }
    }
    Ok(())
}

/// Splits the `to` part of a `mailto:` URI at `%2C` (RFC 6068 §2).
fn split_encoded_commas(to: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = to;
    while let Some(at) = rest.to_ascii_lowercase().find("%2c") {
        parts.push(rest.get(..at).unwrap_or_default());
        rest = rest.get(at + 3..).unwrap_or_default();
    }
    parts.push(rest);
    parts
}

/// Decodes percent-escapes (already checked to be well-formed) into text; invalid UTF-8
/// becomes U+FFFD, which no address accepts.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = (b == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 5322 §3.4.1 `addr-spec` as RFC 6068 §2 narrows it: `local-part "@" domain`, the local
/// part a dot-atom or quoted string, the domain a host name or an address literal.
fn check_addr_spec(address: &str) -> Result<(), RuaError> {
    let bad = || RuaError::Address(address.to_string());
    let (local, domain) = address.rsplit_once('@').ok_or_else(bad)?;
    let quoted = local.len() >= 2 && local.starts_with('"') && local.ends_with('"');
    // RFC 5322 §3.2.3 atext; RFC 6531 §3.3 adds UTF-8 for internationalized addresses.
    let atext =
        |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii();
    let dot_atom = !local.is_empty()
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(|c| atext(c) && c != '\u{fffd}'));
    if !(quoted || dot_atom) {
        return Err(bad());
    }
    if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        // RFC 5321 §4.1.3 address literals.
        let ok = match literal.strip_prefix("IPv6:") {
            Some(v6) => v6.parse::<Ipv6Addr>().is_ok(),
            None => literal.parse::<Ipv4Addr>().is_ok(),
        };
        return if ok {
            Ok(())
        } else {
            Err(RuaError::IpLiteral(domain.to_string()))
        };
    }
    check_host_name(domain).map_err(|e| RuaError::AddressDomain(domain.to_string(), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Code::*;

    #[test]
    fn single_records() {
        for (text, want) in [
            ("v=TLSRPTv1; rua=mailto:tlsrpt@mox.example;", vec![]),
            (
                "v=TLSRPTv1;rua=mailto:a@example.com,https://r.example.com/v1",
                vec![],
            ),
            (
                "v=TLSRPTv1; rua=mailto:a@example.com , \t https://r.example.com",
                vec![],
            ),
            (
                "v=TLSRPTv1 ; rua=mailto:x@x.example; rua=mailto:y@x.example",
                vec![],
            ),
            ("v=TLSRPTv1; rua=mailto:x@x.example; ext=yes", vec![]),
            (
                "v=TLSRPTv1; rua=mailto:x@x.example  ",
                vec![TlsRptRecordSyntax],
            ),
            (
                "v=TLSRPTv1; rua=mailto:x@x.example;;",
                vec![TlsRptRecordSyntax],
            ),
            (
                "v=TLSRPTv1; rua=mailto:x@x.example; more=",
                vec![TlsRptRecordSyntax],
            ),
            (
                "v=TLSRPTv1; rua=mailto:x@x.example; 1%=a",
                vec![TlsRptRecordSyntax],
            ),
            (
                "v=TLSRPTv1; rua= mailto:x@x.example",
                vec![TlsRptRecordSyntax],
            ),
            ("", vec![TlsRptRecordVersion]),
            (
                "v=TLSRPTv2; rua=mailto:x@x.example",
                vec![TlsRptRecordVersion],
            ),
            (
                "v=TSLRPTv1; rua=mailto:x@x.example",
                vec![TlsRptRecordVersion],
            ),
            ("v=spf1 -all", vec![TlsRptRecordVersion]),
            ("v=TLSRPTv1", vec![TlsRptRecordSyntax]),
            ("v=TLSRPTv1;", vec![TlsRptRecordRuaMissing]),
            ("v=TLSRPTv1; xyz=foo", vec![TlsRptRecordRuaMissing]),
            ("v=TLSRPTv1; rua=", vec![TlsRptRecordRuaInvalid]),
            ("v=TLSRPTv1; rua=,, ,", vec![TlsRptRecordRuaInvalid]),
            (
                "v=TLSRPTv1; rua=mailto:a@x.example,,http://x.example",
                vec![TlsRptRecordRuaInvalid, TlsRptRecordRuaInvalid],
            ),
            ("v=TLSRPTv1; rua=noscheme", vec![TlsRptRecordRuaInvalid]),
            ("v=TLSRPTv1; rua=http://bad/%", vec![TlsRptRecordRuaInvalid]),
            (
                "v=TLSRPTv1; rua=mailto:x@x.example other",
                vec![TlsRptRecordRuaInvalid],
            ),
            (
                "v=TLSRPTv1; rua=mailto:a@x.example,b@x.example",
                vec![TlsRptRecordRuaInvalid],
            ),
        ] {
            assert_eq!(lint_tlsrpt_record(text).codes(), want, "{text:?}");
        }
    }

    #[test]
    fn values() {
        let result =
            lint_tlsrpt_record("v=TLSRPTv1; rua=mailto:x@x.example; ext=1; rua=https://x.example");
        assert_eq!(
            result.value,
            Some(TlsRptRecord {
                version: "TLSRPTv1".into(),
                rua: vec!["mailto:x@x.example".into(), "https://x.example".into()],
                extensions: vec![("ext".into(), "1".into())],
            })
        );
        for text in [
            "v=TLSRPTv2; rua=mailto:x@x.example",
            "v=TLSRPTv1;",
            "v=TLSRPTv1",
        ] {
            assert_eq!(lint_tlsrpt_record(text).value, None, "{text:?}");
        }
    }

    #[test]
    fn uris() {
        use RuaError as E;
        for (uri, want) in [
            ("mailto:reports@example.com", Ok(())),
            ("MAILTO:Reports@Example.COM", Ok(())),
            ("mailto:first.last+tag@example.com", Ok(())),
            ("mailto:a@example.com%2Cb@example.com", Ok(())),
            ("mailto:a@example.com?subject=tls", Ok(())),
            ("mailto:%22a%20b%22@example.com", Ok(())),
            ("mailto:a@[192.0.2.1]", Ok(())),
            ("mailto:a@[IPv6:2001:db8::1]", Ok(())),
            ("https://reporting.example.com/v1/tlsrpt", Ok(())),
            ("https://reportbot.example.com:12345/tlsrpt", Ok(())),
            ("https://tlsrpt.mimecast.com/v1.app?val=1", Ok(())),
            ("https://tlsrpt-mimecast-com/v1", Ok(())),
            ("https://example.com./r", Ok(())),
            ("https://192.0.2.1/r", Ok(())),
            ("https://[2001:db8::1]:443/r", Ok(())),
            ("https://example.com/a%2Cb#frag", Ok(())),
            ("", Err(E::Empty)),
            ("noscheme", Err(E::NoScheme)),
            ("not_a_valid_uri", Err(E::NoScheme)),
            ("b@example.com", Err(E::NoScheme)),
            ("1http://x.example", Err(E::NoScheme)),
            ("http://bad/%", Err(E::Scheme("http".into()))),
            ("ftp://example.com/", Err(E::Scheme("ftp".into()))),
            ("mailto:x@x.example other", Err(E::Space)),
            ("mailto:a!b@example.com", Err(E::MustEncode('!'))),
            ("mailto:a@example.com;x", Err(E::MustEncode(';'))),
            ("https://example.com/a,b", Err(E::MustEncode(','))),
            ("https://example.com/%zz", Err(E::BadPercent("%zz".into()))),
            ("https://example.com/%4", Err(E::BadPercent("%4".into()))),
            ("https://example.com/\"", Err(E::ForbiddenChar('"'))),
            ("https://example.com/é", Err(E::ForbiddenChar('é'))),
            (
                "mailto:tls-rua@mailcheck.<your_domain.tld>",
                Err(E::Placeholder("<your_domain.tld>".into())),
            ),
            ("https://{domain}/r", Err(E::Placeholder("{domain}".into()))),
            (
                "mailto:a@[your-domain]",
                Err(E::Placeholder("[your-domain]".into())),
            ),
            ("mailto:", Err(E::NoAddress)),
            ("mailto:?to=a@example.com", Err(E::NoAddress)),
            (
                "mailto:tlsrpt.mimecast.com",
                Err(E::Address("tlsrpt.mimecast.com".into())),
            ),
            (
                "mailto:@example.com",
                Err(E::Address("@example.com".into())),
            ),
            (
                "mailto:a..b@example.com",
                Err(E::Address("a..b@example.com".into())),
            ),
            (
                "mailto:a@example.com.",
                Err(E::AddressDomain(
                    "example.com.".into(),
                    NameError::TrailingDot,
                )),
            ),
            (
                "mailto:a@ex_ample.com",
                Err(E::AddressDomain(
                    "ex_ample.com".into(),
                    NameError::InvalidChar('_'),
                )),
            ),
            ("mailto:a@[1.2.3]", Err(E::IpLiteral("[1.2.3]".into()))),
            (
                "mailto:a@example.com?subject",
                Err(E::Header("subject".into())),
            ),
            ("mailto:a/b@example.com", Err(E::ForbiddenChar('/'))),
            ("https:/example.com/r", Err(E::NoHost)),
            ("https:///r", Err(E::NoHost)),
            ("https://user@example.com/r", Err(E::UserInfo)),
            ("https://example.com:0/r", Err(E::Port("0".into()))),
            ("https://example.com:99999/r", Err(E::Port("99999".into()))),
            ("https://example.com:/r", Ok(())),
            ("https://example.com:+443/r", Err(E::Port("+443".into()))),
            (
                "https://[2001:db8::zz]/r",
                Err(E::Placeholder("[2001:db8::zz]".into())),
            ),
            (
                "https://[2001:db8:::1]/r",
                Err(E::IpLiteral("[2001:db8:::1]".into())),
            ),
            ("https://example.com/[ab]", Err(E::ForbiddenChar('['))),
            (
                "https://ex_ample.com/r",
                Err(E::Host("ex_ample.com".into(), NameError::InvalidChar('_'))),
            ),
        ] {
            assert_eq!(check_rua_uri(uri), want, "{uri:?}");
        }
    }

    #[test]
    fn rrsets() {
        let rr = |text: &str| vec![text.to_string()];
        for (records, want, rua) in [
            (vec![], vec![], None),
            (vec![rr("v=spf1 -all")], vec![], None),
            (
                vec![rr("v=TLSRPTv1; rua=mailto:a@example.com"), rr("other")],
                vec![],
                Some(1),
            ),
            (
                vec![vec![
                    "v=TLSRPTv1; rua=mailto:a@exa".into(),
                    "mple.com".into(),
                ]],
                vec![],
                Some(1),
            ),
            (
                vec![
                    rr("v=TLSRPTv1; rua=mailto:a@example.com"),
                    rr("v=TLSRPTv1; rua=mailto:b@example.com"),
                ],
                vec![TlsRptRecordMultiple],
                None,
            ),
            (
                vec![rr("v=TSLRPTv1; rua=mailto:a@example.com")],
                vec![TlsRptRecordVersion],
                None,
            ),
        ] {
            let result = lint_tlsrpt_rrset(&records);
            assert_eq!(result.codes(), want, "{records:?}");
            assert_eq!(result.value.map(|v| v.rua.len()), rua, "{records:?}");
        }
    }

    #[test]
    fn messages_name_the_value() {
        for (text, needle) in [
            (
                "v=TLSRPTv1; rua=mailto:tls-rua@mailcheck.<your_domain.tld>",
                "template placeholder",
            ),
            (
                "v=TLSRPTv1; rua=http://example.com/r",
                "\"http://example.com/r\"",
            ),
            ("v=TSLRPTv1; rua=mailto:a@example.com", "\"v=TSLRPTv1\""),
        ] {
            let result = lint_tlsrpt_record(text);
            let message = result.findings.first().map(|f| f.message.as_str());
            assert!(
                message.is_some_and(|m| m.contains(needle)),
                "{text:?}: {message:?}"
            );
        }
    }
}
