//! Just enough MIME (RFC 2045, RFC 2046) to take the report out of a TLS-RPT e-mail.
//!
//! RFC 8460 §5.3: a report sent by mail is a `multipart/report; report-type="tlsrpt"` message
//! whose machine-readable part is `application/tlsrpt+gzip` (or `application/tlsrpt+json` when not
//! compressed), usually in base64. This walk reads headers, multipart bodies (nested, and inside a
//! forwarded `message/rfc822`) and the base64 and quoted-printable transfer encodings. It does not
//! decode header words, check signatures or care about charsets: the report is JSON.
//!
//! Why no MIME crate: `mail-parser` (Stalwart's, the model for e-mail reports) parses every
//! header field (addresses, dates, encoded words, charsets) and decodes every part of a message
//! into memory, and has no limit to set, while this reader is held to [`ReportLimits`]: it only
//! decodes the one part it returns, and nests at most [`MAX_DEPTH`] deep. Its 1.x line also needs
//! Rust 1.98, past the toolchain the workspace builds with. Base64 is the `base64` crate's.
//!
//! [`ReportLimits`]: super::ReportLimits

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use crate::media_type::MediaType;

/// How deep multiparts and forwarded messages may nest.
const MAX_DEPTH: usize = 8;

/// How many entities (the message, its parts and forwarded messages) the search for the report
/// part walks. A report e-mail has three (RFC 8460 §5.3: the message, a text part, the report):
/// a message whose report part comes after more than this is no report, and is refused before
/// any part is decoded.
pub(crate) const MAX_PARTS: usize = 32;

/// A message with more than [`MAX_PARTS`] entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooManyParts;

/// Whether `bytes` starts like an Internet message: a header field (RFC 5322 §2.2, its name in
/// letters, digits and `-` as every registered name is), optionally behind an mbox `From ` line.
pub(crate) fn looks_like_message(bytes: &[u8]) -> bool {
    let first = lines(bytes)
        .next()
        .map(|(line, _)| line)
        .unwrap_or_default();
    let first = if first.starts_with(b"From ") {
        lines(bytes)
            .nth(1)
            .map(|(line, _)| line)
            .unwrap_or_default()
    } else {
        first
    };
    match first.iter().position(|&c| c == b':') {
        Some(colon) => {
            colon > 0
                && first.get(..colon).is_some_and(|name| {
                    name.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
                })
        }
        None => false,
    }
}

/// The decoded body of the report part of a message: the first `application/tlsrpt+gzip`,
/// `application/tlsrpt+json` or `application/tlsrpt` part, or failing that the first part that
/// is gzip, zip or JSON by its media type or file name. `None` when there is no such part;
/// [`TooManyParts`] when the message holds more than [`MAX_PARTS`] entities.
pub(crate) fn find_report(message: &[u8]) -> Result<Option<Vec<u8>>, TooManyParts> {
    let message = without_mbox_line(message);
    let mut walk = Walk {
        fallback: None,
        entities: 0,
    };
    let found = walk.entity(message, 0)?;
    Ok(found.or_else(|| walk.fallback.map(|part: Part<'_>| part.decode())))
}

/// The message without the mbox `From ` line in front of it, if any.
fn without_mbox_line(message: &[u8]) -> &[u8] {
    match message.strip_prefix(b"From ") {
        Some(_) => lines(message)
            .next()
            .and_then(|(_, start)| message.get(start..))
            .unwrap_or_default(),
        None => message,
    }
}

/// The header fields of the message itself (not of its parts), unfolded (RFC 5322 §2.2.3), names
/// in lower case, in order.
pub(crate) fn top_headers(message: &[u8]) -> Vec<(String, String)> {
    split_entity(without_mbox_line(message)).0
}

/// One entity: its media type, transfer encoding and raw body.
struct Part<'a> {
    encoding: String,
    body: &'a [u8],
}

impl Part<'_> {
    fn decode(&self) -> Vec<u8> {
        match self.encoding.as_str() {
            "base64" => decode_base64(self.body),
            "quoted-printable" => decode_quoted_printable(self.body),
            // 7bit, 8bit, binary (RFC 2045 §6.2) or none: the body as it is.
            _ => self.body.to_vec(),
        }
    }
}

/// A depth-first search for the report part: a part that is only likely is kept in `fallback`,
/// and the entities seen are counted.
struct Walk<'a> {
    fallback: Option<Part<'a>>,
    entities: usize,
}

impl<'a> Walk<'a> {
    fn entity(&mut self, entity: &'a [u8], depth: usize) -> Result<Option<Vec<u8>>, TooManyParts> {
        if depth > MAX_DEPTH {
            return Ok(None);
        }
        self.entities += 1;
        if self.entities > MAX_PARTS {
            return Err(TooManyParts);
        }
        walk(entity, depth, self)
    }
}

fn walk<'a>(
    entity: &'a [u8],
    depth: usize,
    state: &mut Walk<'a>,
) -> Result<Option<Vec<u8>>, TooManyParts> {
    let (headers, body) = split_entity(entity);
    // RFC 2045 §5.2: without a Content-Type, the part is text/plain.
    let content_type = header(&headers, "content-type").unwrap_or_default();
    let MediaType {
        essence: media_type,
        params,
    } = MediaType::parse(&content_type);
    let encoding = header(&headers, "content-transfer-encoding")
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media_type.starts_with("multipart/") {
        let Some(boundary) = params.iter().find(|(name, _)| name == "boundary") else {
            return Ok(None);
        };
        for part in split_multipart(body, boundary.1.as_bytes()) {
            if let Some(found) = state.entity(part, depth + 1)? {
                return Ok(Some(found));
            }
        }
        return Ok(None);
    }
    if media_type == "message/rfc822" {
        return state.entity(body, depth + 1);
    }
    let part = Part { encoding, body };
    match media_type.as_str() {
        // RFC 8460 §6.4, §6.5; plain `application/tlsrpt` is seen in the wild.
        "application/tlsrpt+gzip" | "application/tlsrpt+json" | "application/tlsrpt" => {
            Ok(Some(part.decode()))
        }
        _ => {
            let disposition = header(&headers, "content-disposition").unwrap_or_default();
            let name = MediaType::parse(&disposition)
                .params
                .into_iter()
                .chain(params)
                .find(|(name, _)| name == "filename" || name == "name")
                .map(|(_, value)| value.to_ascii_lowercase())
                .unwrap_or_default();
            let likely = matches!(
                media_type.as_str(),
                "application/gzip"
                    | "application/x-gzip"
                    | "application/json"
                    | "application/zip"
                    | "application/x-zip-compressed"
            ) || name.ends_with(".json")
                || name.ends_with(".json.gz")
                || name.ends_with(".zip");
            if likely && state.fallback.is_none() {
                state.fallback = Some(part);
            }
            Ok(None)
        }
    }
}

/// Lines of `bytes` without their line break, each with the offset just past its break.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (&[u8], usize)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let rest = bytes.get(at..).filter(|rest| !rest.is_empty())?;
        let (line, next) = match rest.iter().position(|&c| c == b'\n') {
            Some(lf) => (rest.get(..lf).unwrap_or_default(), at + lf + 1),
            None => (rest, bytes.len()),
        };
        at = next;
        Some((line.strip_suffix(b"\r").unwrap_or(line), next))
    })
}

/// The unfolded header fields (RFC 5322 §2.2.3), names in lower case, and the body after the
/// first empty line.
fn split_entity(entity: &[u8]) -> (Vec<(String, String)>, &[u8]) {
    let mut headers: Vec<(String, String)> = Vec::new();
    for (line, next) in lines(entity) {
        if line.is_empty() {
            return (headers, entity.get(next..).unwrap_or_default());
        }
        let text = String::from_utf8_lossy(line);
        if line.first().is_some_and(|&c| c == b' ' || c == b'\t') {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(text.trim());
            }
        } else if let Some((name, value)) = text.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    (headers, &[])
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// The body parts of a multipart body (RFC 2046 §5.1.1): what lies between delimiter lines
/// `--boundary`, up to the close delimiter `--boundary--`. The line break before a delimiter
/// belongs to the delimiter. Without a close delimiter the last part runs to the end.
fn split_multipart<'a>(body: &'a [u8], boundary: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut line_start = 0;
    for (line, next) in lines(body) {
        let after = line
            .strip_prefix(b"--")
            .and_then(|rest| rest.strip_prefix(boundary));
        if let Some(after) = after {
            let closing = after.starts_with(b"--");
            if after
                .get(if closing { 2 } else { 0 }..)
                .is_some_and(|tail| tail.iter().all(|c| c.is_ascii_whitespace()))
            {
                if let Some(from) = start {
                    parts.push(part_before(body, from, line_start));
                }
                if closing {
                    return parts;
                }
                start = Some(next);
            }
        }
        line_start = next;
    }
    if let Some(from) = start {
        parts.push(body.get(from..).unwrap_or_default());
    }
    parts
}

/// `body[from..to]` without the line break that ends it.
fn part_before(body: &[u8], from: usize, to: usize) -> &[u8] {
    let part = body.get(from..to).unwrap_or_default();
    let part = part.strip_suffix(b"\n").unwrap_or(part);
    part.strip_suffix(b"\r").unwrap_or(part)
}

/// Base64 (RFC 2045 §6.8): "any characters outside of the base64 alphabet are to be ignored"
/// (line breaks among them), `=` ends the data, and bits left over at the end are dropped.
fn decode_base64(text: &[u8]) -> Vec<u8> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireNone),
    );
    let mut data: Vec<u8> = text
        .iter()
        .copied()
        .take_while(|&c| c != b'=')
        .filter(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
        .collect();
    // One character left over carries no whole byte.
    if data.len() % 4 == 1 {
        data.pop();
    }
    // What is left is in the alphabet, unpadded and of a decodable length: this cannot fail.
    LENIENT.decode(&data).unwrap_or_default()
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` is a byte, `=` at the end of a line joins lines, and
/// everything else, a broken `=` or 8-bit bytes among them, is kept as it is (§6.7 note (2): "a
/// robust implementation might ... include the "=" character and the following character in
/// the decoded data"). The `quoted_printable` crate's robust mode drops 8-bit bytes (raw UTF-8
/// in a JSON report) and rewrites line breaks, so this short decoder stays.
fn decode_quoted_printable(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some((&c, tail)) = rest.split_first() {
        rest = tail;
        if c != b'=' {
            out.push(c);
            continue;
        }
        if let Some(after) = rest
            .strip_prefix(b"\r\n")
            .or_else(|| rest.strip_prefix(b"\n"))
        {
            rest = after;
            continue;
        }
        let hex = rest.get(..2).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) => {
                out.push(byte);
                rest = rest.get(2..).unwrap_or_default();
            }
            None => out.push(b'='),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        for (text, want) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9v\r\nYmFy", "foobar"),
            ("Zm9v YmE*", "fooba"),
            ("Zm9vYmFy====junk", "foobar"),
        ] {
            assert_eq!(decode_base64(text.as_bytes()), want.as_bytes(), "{text}");
        }
    }

    #[test]
    fn quoted_printable() {
        for (text, want) in [
            ("plain", "plain"),
            ("a=3Db", "a=b"),
            ("soft=\r\nbreak", "softbreak"),
            ("soft=\nbreak", "softbreak"),
            ("bad=ZZ", "bad=ZZ"),
            ("end=", "end="),
            ("=E2=80=93", "\u{2013}"),
        ] {
            assert_eq!(
                decode_quoted_printable(text.as_bytes()),
                want.as_bytes(),
                "{text}"
            );
        }
    }

    #[test]
    fn messages() {
        let gz = "From: a@example.com\r\nContent-Type: multipart/report; boundary=\"XX\"; report-type=tlsrpt\r\n\r\npreamble\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\nZm9v\r\nYmFy\r\n--XX--\r\nepilogue\r\n";
        let json7 = "Subject: x\nContent-Type: multipart/report; boundary=b\n\n--b\nContent-Type: application/tlsrpt\n\n{\"a\":1}\n\n--b--\n";
        let nested = "Content-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: message/rfc822\n\nContent-Type: multipart/report; boundary=inner\n\n--inner\nContent-Type: application/tlsrpt+json\nContent-Transfer-Encoding: quoted-printable\n\n{\"a\":=\n1}\n--inner--\n--outer--\n";
        let by_name = "Content-Type: multipart/mixed; boundary=z\n\n--z\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"google.com!x!1!2.json.gz\"\nContent-Transfer-Encoding: base64\n\nZm9v\n--z--\n";
        let unclosed = "Content-Type: multipart/report; boundary=b\n\n--b\nContent-Type: application/tlsrpt+json\n\n{}";
        let none = "Content-Type: multipart/report; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b--\n";
        let no_boundary = "Content-Type: multipart/report\n\n--b\nContent-Type: application/tlsrpt+json\n\n{}\n--b--\n";
        let mbox =
            "From someone Mon Jan 1 00:00:00 2024\nContent-Type: application/tlsrpt+json\n\n{}";
        let cases: &[(&str, Option<&[u8]>)] = &[
            (gz, Some(b"foobar")),
            (json7, Some(b"{\"a\":1}\n")),
            (nested, Some(b"{\"a\":1}")),
            (by_name, Some(b"foo")),
            (unclosed, Some(b"{}")),
            (none, None),
            (no_boundary, None),
            (mbox, Some(b"{}")),
            ("", None),
        ];
        for (message, want) in cases {
            assert!(
                message.is_empty() || looks_like_message(message.as_bytes()),
                "{message}"
            );
            assert_eq!(
                find_report(message.as_bytes()).unwrap().as_deref(),
                *want,
                "{message}"
            );
        }
    }

    #[test]
    fn parts_are_counted() {
        let message = |parts: usize| {
            let mut m = String::from("Content-Type: multipart/mixed; boundary=b\n\n");
            for _ in 0..parts {
                m.push_str("--b\nContent-Type: text/plain\n\nhi\n");
            }
            m.push_str("--b\nContent-Type: application/tlsrpt+json\n\n{}\n--b--\n");
            m
        };
        // The message itself, the text parts and the report part.
        assert_eq!(
            find_report(message(MAX_PARTS - 2).as_bytes()),
            Ok(Some(b"{}".to_vec()))
        );
        assert_eq!(
            find_report(message(MAX_PARTS - 1).as_bytes()),
            Err(TooManyParts)
        );
        assert_eq!(find_report(message(100).as_bytes()), Err(TooManyParts));
    }

    #[test]
    fn top_level_headers() {
        let message = "From x y\nSubject: a\n b\nTLS-Report-Submitter:  google.com \n\nContent-Type: text/plain\n";
        assert_eq!(
            top_headers(message.as_bytes()),
            vec![
                ("subject".to_string(), "a b".to_string()),
                ("tls-report-submitter".to_string(), "google.com".to_string())
            ]
        );
    }

    #[test]
    fn message_detection() {
        for (text, want) in [
            ("From: a\n\nbody", true),
            ("Return-Path: <x@y>\r\n", true),
            ("From x y\nSubject: s\n", true),
            ("{\"a\": 1}", false),
            (": no name", false),
            ("no colon here", false),
            ("has space: no\n", false),
            ("", false),
        ] {
            assert_eq!(looks_like_message(text.as_bytes()), want, "{text}");
        }
    }
}
