//! The senders with a reader of their own: what each takes from the `_mta-sts` RRset and the
//! policy fetch, step by step as its source reads. Each is checked against the real code, run
//! unchanged against every stand-in scenario (`tests/senders/`).

use super::Applied;
use crate::check::io::HttpReply;
use crate::finding::Code;
use crate::media_type::MediaType;
use crate::mta_sts::policy::{Mode, MAX_POLICY_SIZE};

/// What a sender is served: the `_mta-sts` RRset and the policy fetch.
#[derive(Debug, Clone, Copy)]
pub(super) struct Served<'a> {
    /// Each TXT record of `_mta-sts`, as its character-strings.
    pub rrset: &'a [Vec<String>],
    /// Why no HTTP answer came (DNS, TLS, timeout), when none did.
    pub fetch_failure: Option<Code>,
    /// The HTTP answer.
    pub reply: Option<&'a HttpReply>,
}

impl Served<'_> {
    /// Each TXT record, its character-strings joined (RFC 7208 §3.3 style, as c-ares and
    /// Node's `dns` hand them over).
    fn records(&self) -> Vec<String> {
        self.rrset.iter().map(|strings| strings.concat()).collect()
    }

    /// The media type's essence, lower case, `""` without a Content-Type.
    fn media_type(&self) -> (String, Option<String>) {
        let header = self
            .reply
            .and_then(|r| r.header("content-type"))
            .unwrap_or_default();
        let parsed = MediaType::parse(header);
        let charset = parsed.charset();
        (parsed.essence, charset)
    }
}

/// postfix-mta-sts-resolver 1.5.1 (`postfix_mta_sts_resolver/resolver.py`, `utils.py`), with
/// its defaults. Record: the TXT records that start with `v=STSv1` (case as written), exactly
/// one, fields `name=value` split at `;` with the last of a name winning, `v=STSv1` and an `id`
/// of any form. Fetch: status 200, media type `text/plain`, at most 64 KiB, the body decoded
/// with the `charset` parameter or else as ASCII. Policy: `str.splitlines()`, each line
/// `key:value` with the key exactly as written (a blank line is stored as the key `""` and read
/// on), the last of a key winning but every `mx` kept, `version` exactly `STSv1`, `max_age` an
/// integer from 0 to 31557600, a `mode` of `none`, `testing` or `enforce`, and an `mx` unless
/// the mode is `none`.
pub(super) fn postfix_mta_sts_resolver(served: &Served<'_>) -> Result<Applied, String> {
    // resolver.py 85-96: `txt.startswith('v=STSv1')`, `len(txt_records) != 1`, `'id' not in`.
    let records: Vec<String> = served
        .records()
        .into_iter()
        .filter(|r| r.starts_with("v=STSv1"))
        .collect();
    let [record] = records.as_slice() else {
        return Err(format!(
            "{} TXT records start with v=STSv1, and the resolver needs exactly one",
            records.len()
        ));
    };
    let mut version = None;
    let mut has_id = false;
    for field in record.split(';').map(str::trim).filter(|f| !f.is_empty()) {
        let (name, value) = field.split_once('=').unwrap_or((field, ""));
        match name {
            "v" => version = Some(value),
            "id" => has_id = true,
            _ => {}
        }
    }
    if version != Some("STSv1") || !has_id {
        return Err("the _mta-sts record has no v=STSv1 or no id for the resolver".into());
    }
    let reply = fetched(served)?;
    // resolver.py 119-125: only 200, only text/plain, at most HARD_RESP_LIMIT (64 KiB).
    if reply.status != 200 {
        return Err(format!("the policy answer is {}, not 200", reply.status));
    }
    let (essence, charset) = served.media_type();
    if essence != "text/plain" {
        return Err(format!(
            "the policy is not served as text/plain ({})",
            Code::PolicyFetchContentType
        ));
    }
    if reply.truncated || reply.body.len() > MAX_POLICY_SIZE {
        return Err(format!(
            "the policy is over 64 KiB ({})",
            Code::PolicyFetchTooLarge
        ));
    }
    // resolver.py 134-136: `decode(resp.charset or 'ascii')`; an error is a fetch error.
    let text = decode(&reply.body, charset.as_deref())?;
    let mut fields: Vec<(&str, &str)> = Vec::new();
    let mut mx = Vec::new();
    for line in python_lines(&text) {
        // utils.py 147-159: rstrip, partition(':'), lstrip the value, mx appended, others set.
        let line = line.trim_end();
        let (key, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.trim_start();
        if key == "mx" {
            mx.push(value.to_string());
        } else {
            fields.retain(|(k, _)| *k != key);
            fields.push((key, value));
        }
    }
    let field = |name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    // resolver.py 148-171.
    if field("version") != Some("STSv1") {
        return Err("the resolver needs `version: STSv1` exactly".into());
    }
    let max_age = field("max_age").and_then(python_int);
    if !max_age.is_some_and(|age| (0..=31_557_600).contains(&age)) {
        return Err("the resolver needs a max_age from 0 to 31557600".into());
    }
    let mode = match field("mode") {
        Some("none") => {
            return Ok(Applied {
                mode: Mode::None,
                mx,
            })
        }
        Some("testing") => Mode::Testing,
        Some("enforce") => Mode::Enforce,
        other => return Err(format!("the resolver refuses the mode {other:?}")),
    };
    if mx.is_empty() {
        return Err("the resolver needs at least one mx line".into());
    }
    Ok(Applied { mode, mx })
}

/// mailauth 7.1.0 `getPolicy` in its default lax mode (`lib/mta-sts.js`). Record: the records
/// matching `/^v=STSv1[ \t]*;/i` once trimmed, more than one an error, the first field named
/// `id` (any case) with a value. Fetch: the host's A (else AAAA) record, port 443, any 2xx
/// (another than 200 with a warning), any media type (with a warning), at most 64 KiB. Policy:
/// lines split at `\r?\n`, lines without `:` skipped (blank lines included), keys lower-cased
/// and trimmed, the first of a key winning but every `mx` kept, `version` exactly `STSv1`,
/// `mode` lower-cased, `max_age` read by `Number()` from 0 to 31557600, an `mx` unless `none`.
pub(super) fn mailauth(served: &Served<'_>) -> Result<Applied, String> {
    // mta-sts.js 153-177: discoverPolicyId.
    let records: Vec<String> = served
        .records()
        .into_iter()
        .filter(|r| lax_sts_prefix(r.trim()))
        .collect();
    let record = match records.as_slice() {
        [] => return Err("no TXT record starts with v=STSv1; for mailauth".into()),
        [one] => one,
        _ => return Err("mailauth refuses more than one v=STSv1 record".into()),
    };
    let parts: Vec<&str> = record.trim().split(';').collect();
    let Some((version, fields)) = parts.split_first() else {
        return Err("mailauth finds no v=STSv1 in the record".into());
    };
    if fields.is_empty() || !version.trim().eq_ignore_ascii_case("v=STSv1") {
        return Err("mailauth finds no v=STSv1 in the record".into());
    }
    let has_id = fields.iter().any(|field| {
        field.trim().split_once('=').is_some_and(|(name, value)| {
            !name.is_empty() && name.trim().eq_ignore_ascii_case("id") && !value.trim().is_empty()
        })
    });
    if !has_id {
        return Err("mailauth finds no id in the _mta-sts record".into());
    }
    let reply = fetched(served)?;
    // mta-sts.js 494-509: any 2xx in lax mode, any media type, Content-Length and body capped.
    if !(200..300).contains(&reply.status) {
        return Err(format!("the policy answer is {}", reply.status));
    }
    let declared = reply
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if reply.truncated
        || reply.body.len() > MAX_POLICY_SIZE
        || declared.is_some_and(|n| n > MAX_POLICY_SIZE as u64)
    {
        return Err(format!(
            "the policy is over 64 KiB ({})",
            Code::PolicyFetchTooLarge
        ));
    }
    let text = String::from_utf8_lossy(&reply.body);
    let mut fields: Vec<(String, &str)> = Vec::new();
    let mut mx: Vec<String> = Vec::new();
    // mta-sts.js 208-275: parsePolicyFile, lax.
    for line in text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)) {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().to_lowercase();
        let value = value.trim();
        if key == "mx" {
            let pattern = value.to_lowercase();
            if !mx.contains(&pattern) {
                mx.push(pattern);
            }
        } else if !fields.iter().any(|(k, _)| *k == key) {
            fields.push((key, value));
        }
    }
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
    // mta-sts.js 277-295.
    if field("version") != Some("STSv1") {
        return Err("mailauth needs `version: STSv1` exactly".into());
    }
    let mode = match field("mode").map(str::to_lowercase).as_deref() {
        Some("none") => Mode::None,
        Some("testing") => Mode::Testing,
        Some("enforce") => Mode::Enforce,
        other => return Err(format!("mailauth refuses the mode {other:?}")),
    };
    let max_age = field("max_age").map_or(f64::NAN, js_number);
    if !(0.0..=31_557_600.0).contains(&max_age) {
        return Err("mailauth needs a max_age from 0 to 31557600".into());
    }
    if mode != Mode::None && mx.is_empty() {
        return Err("mailauth needs at least one mx line".into());
    }
    Ok(Applied { mode, mx })
}

/// The HTTP answer, or why the sender has none.
fn fetched<'a>(served: &Served<'a>) -> Result<&'a HttpReply, String> {
    match (served.fetch_failure, served.reply) {
        (Some(code), _) => Err(format!("the policy cannot be fetched ({code})")),
        (None, Some(reply)) => Ok(reply),
        (None, None) => Err("no policy was fetched".into()),
    }
}

/// `/^v=STSv1[ \t]*;/i`.
fn lax_sts_prefix(record: &str) -> bool {
    match (record.get(..7), record.get(7..)) {
        (Some(version), Some(rest)) => {
            version.eq_ignore_ascii_case("v=STSv1")
                && rest.trim_start_matches([' ', '\t']).starts_with(';')
        }
        _ => false,
    }
}

/// The body decoded as Python's `bytes.decode(charset or 'ascii')` would, for the charsets
/// seen on policy hosts; another charset is an error, as Python's `LookupError` is there.
fn decode(body: &[u8], charset: Option<&str>) -> Result<String, String> {
    let charset = charset.map(str::to_ascii_lowercase);
    match charset.as_deref() {
        None | Some("ascii" | "us-ascii") if body.is_ascii() => {
            Ok(String::from_utf8_lossy(body).into_owned())
        }
        Some("utf-8" | "utf8") => std::str::from_utf8(body)
            .map(str::to_string)
            .map_err(|_| "the policy is not UTF-8 as its charset says".into()),
        Some("iso-8859-1" | "latin-1" | "latin1") => {
            Ok(body.iter().map(|&b| char::from(b)).collect())
        }
        None | Some("ascii" | "us-ascii") => Err(
            "the policy is not ASCII and names no charset: the resolver cannot decode it".into(),
        ),
        Some(other) => Err(format!(
            "the resolver does not decode the charset {other:?}"
        )),
    }
}

/// Python's `str.splitlines()`: `\n`, `\r\n`, `\r`, `\v`, `\f`, `\x1c`-`\x1e`, `\x85`,
/// U+2028 and U+2029 end a line; a final line break adds no empty line.
fn python_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let ends = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !ends {
            continue;
        }
        lines.push(&text[start..at]);
        start = at + c.len_utf8();
        if c == '\r' {
            if let Some((next, '\n')) = chars.peek().copied() {
                chars.next();
                start = next + 1;
            }
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Python's `int(str)` for the values a policy carries: optional whitespace, an optional sign,
/// digits with single underscores between them.
fn python_int(value: &str) -> Option<i64> {
    let value = value.trim();
    let (sign, digits) = match value.as_bytes().first() {
        Some(b'-') => (-1, &value[1..]),
        Some(b'+') => (1, &value[1..]),
        _ => (1, value),
    };
    if digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().map(|n| sign * n)
}

/// JavaScript's `Number(string)` for decimal and hexadecimal values: trimmed, `""` is 0,
/// anything unreadable NaN.
fn js_number(value: &str) -> f64 {
    let value = value.trim();
    if value.is_empty() {
        return 0.0;
    }
    if let Some(hex) = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        return u64::from_str_radix(hex, 16).map_or(f64::NAN, |n| n as f64);
    }
    let finite = value
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if finite {
        value.parse::<f64>().unwrap_or(f64::NAN)
    } else if matches!(value, "Infinity" | "+Infinity") {
        f64::INFINITY
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served<'a>(rrset: &'a [Vec<String>], reply: &'a HttpReply) -> Served<'a> {
        Served {
            rrset,
            fetch_failure: None,
            reply: Some(reply),
        }
    }

    fn reply(media_type: &str, body: &str) -> HttpReply {
        HttpReply {
            status: 200,
            headers: vec![("content-type".into(), media_type.into())],
            body: body.as_bytes().to_vec(),
            truncated: false,
        }
    }

    const GOOD: &str = "version: STSv1\r\nmode: enforce\r\nmx: *.example.com\r\nmax_age: 86400\r\n";

    #[test]
    fn both_readers_follow_their_source() {
        let record = vec![vec!["v=STSv1; id=1".to_string()]];
        let odd_id = vec![vec!["v=STSv1; id=2026-01-01".to_string()]];
        let two = vec![record[0].clone(), vec!["v=STSv1; id=2".to_string()]];
        let blank = format!("{GOOD}\r\n");
        let testing = GOOD.replace("enforce", "testing");
        let upper = GOOD.replace("mode: enforce", "Mode: ENFORCE");
        type Reader = fn(&Served<'_>) -> Result<Applied, String>;
        let (postfix, node): (Reader, Reader) = (postfix_mta_sts_resolver, mailauth);
        for (rrset, media_type, body, want_postfix, want_node) in [
            (
                &record,
                "text/plain",
                GOOD,
                Some(Mode::Enforce),
                Some(Mode::Enforce),
            ),
            (
                &record,
                "text/plain",
                blank.as_str(),
                Some(Mode::Enforce),
                Some(Mode::Enforce),
            ),
            (&record, "text/html", GOOD, None, Some(Mode::Enforce)),
            (
                &record,
                "text/plain",
                testing.as_str(),
                Some(Mode::Testing),
                Some(Mode::Testing),
            ),
            (
                &record,
                "text/plain",
                upper.as_str(),
                None,
                Some(Mode::Enforce),
            ),
            (
                &odd_id,
                "text/plain",
                GOOD,
                Some(Mode::Enforce),
                Some(Mode::Enforce),
            ),
            (&two, "text/plain", GOOD, None, None),
        ] {
            let reply = reply(media_type, body);
            let served = served(rrset, &reply);
            for (reader, want, name) in [
                (postfix, want_postfix, "postfix"),
                (node, want_node, "mailauth"),
            ] {
                let got = reader(&served).ok().map(|a| a.mode);
                assert_eq!(got, want, "{name}: {rrset:?} {media_type} {body:?}");
            }
        }
    }

    #[test]
    fn python_and_javascript_primitives() {
        assert_eq!(python_lines("a\r\nb\rc\n\nd"), ["a", "b", "c", "", "d"]);
        assert_eq!(python_lines("a\n"), ["a"]);
        for (text, want) in [
            ("86400", Some(86400)),
            (" +1_0 ", Some(10)),
            ("1__0", None),
            ("x", None),
            ("", None),
        ] {
            assert_eq!(python_int(text), want, "{text:?}");
        }
        for (text, want) in [
            ("86400", 86400.0),
            ("", 0.0),
            ("0x10", 16.0),
            ("1e3", 1000.0),
        ] {
            assert_eq!(js_number(text), want, "{text:?}");
        }
        assert!(js_number("12abc").is_nan());
        assert!(lax_sts_prefix("V=stsv1 \t; id=1") && !lax_sts_prefix("v=STSv10; id=1"));
    }
}
