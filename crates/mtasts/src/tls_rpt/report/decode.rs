//! From the bytes received to the report's JSON text: plain JSON, gzip (RFC 8460 §5.2, one or
//! more members), or a whole report e-mail (RFC 8460 §5.3) holding either. Detected from the
//! bytes, never from a name or a media type, and bounded: the input by `max_input`, the JSON text
//! by `max_decompressed`, read through a reader that stops one byte past the limit.

use super::{mime, ReportError, ReportLimits};
use flate2::read::{DeflateDecoder, MultiGzDecoder};
use std::borrow::Cow;
use std::io::{ErrorKind, Read};

/// The gzip magic number (RFC 1952 §2.3.1).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The signature of a zip archive's local file header (APPNOTE.TXT §4.3.7).
const ZIP_MAGIC: [u8; 4] = *b"PK\x03\x04";

/// How much is read from the decompressor at a time.
const CHUNK: usize = 64 * 1024;

/// What a report body is, by its bytes: what [`decode`] will read it as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportForm {
    /// JSON text (RFC 8460 §5.1, `application/tlsrpt+json`).
    Json,
    /// Gzip (RFC 8460 §5.2, `application/tlsrpt+gzip`).
    Gzip,
    /// A report e-mail (RFC 8460 §5.3) holding either.
    Email,
    /// None of these.
    Unknown,
}

/// What `bytes` are, by their content (the same rules [`decode`] follows). A receiver that was
/// told a media type compares it with this before reading, and refuses a mismatch rather than
/// guess (an intake never stores a gzip body as `application/tlsrpt+json`).
pub fn report_form(bytes: &[u8]) -> ReportForm {
    if bytes.starts_with(&GZIP_MAGIC) {
        ReportForm::Gzip
    } else if looks_like_json(bytes) {
        ReportForm::Json
    } else if mime::looks_like_message(bytes) {
        ReportForm::Email
    } else {
        ReportForm::Unknown
    }
}

/// The report's JSON text, decompressed and taken out of an e-mail as needed.
pub(crate) fn decode(bytes: &[u8], limits: ReportLimits) -> Result<Cow<'_, [u8]>, ReportError> {
    if bytes.len() > limits.max_input {
        return Err(ReportError::InputTooLarge {
            size: bytes.len(),
            limit: limits.max_input,
        });
    }
    if bytes.starts_with(&GZIP_MAGIC) {
        return inflate(bytes, limits.max_decompressed).map(Cow::Owned);
    }
    if looks_like_json(bytes) {
        return within(bytes, limits).map(Cow::Borrowed);
    }
    if mime::looks_like_message(bytes) {
        let part = mime::find_report(bytes)
            .map_err(|_| ReportError::TooManyParts {
                limit: mime::MAX_PARTS,
            })?
            .ok_or(ReportError::NoReportPart)?;
        if part.starts_with(&GZIP_MAGIC) {
            return inflate(&part, limits.max_decompressed).map(Cow::Owned);
        }
        if part.starts_with(&ZIP_MAGIC) {
            return unzip_first(&part, limits.max_decompressed).map(Cow::Owned);
        }
        within(&part, limits)?;
        return Ok(Cow::Owned(part));
    }
    Err(ReportError::NotJson(describe_start(bytes)))
}

/// Plain JSON must fit `max_decompressed` too: it is the same text a gzip body would inflate to.
fn within(json: &[u8], limits: ReportLimits) -> Result<&[u8], ReportError> {
    if json.len() > limits.max_decompressed {
        return Err(ReportError::DecompressedTooLarge {
            limit: limits.max_decompressed,
        });
    }
    Ok(json)
}

/// Whether the first byte after white space (and a byte-order mark) can start a JSON value.
fn looks_like_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .is_some_and(|c| matches!(c, b'{' | b'[' | b'"' | b'0'..=b'9' | b'-'))
}

/// Gunzips every member, refusing to produce more than `limit` bytes. The output buffer grows
/// by doubling but never past `limit`, so a bomb costs at most 1.5 × `limit` while it is read.
fn inflate(gz: &[u8], limit: usize) -> Result<Vec<u8>, ReportError> {
    read_limited(MultiGzDecoder::new(gz), gz.len(), limit, ReportError::Gzip)
}

/// The first member of a zip archive (APPNOTE.TXT §4.3.7: its local file header and data),
/// stored or deflated, within `limit` bytes: some senders attach `report.json` zipped. Only
/// what a report needs is read: no encryption, no ZIP64, no other member.
fn unzip_first(zip: &[u8], limit: usize) -> Result<Vec<u8>, ReportError> {
    let field = |at: usize, len: usize| -> Result<u64, ReportError> {
        let bytes = zip
            .get(at..at + len)
            .ok_or_else(|| ReportError::Zip("the local file header is cut short".to_string()))?;
        Ok(bytes
            .iter()
            .rev()
            .fold(0u64, |n, &b| (n << 8) | u64::from(b)))
    };
    let flags = field(6, 2)?;
    let method = field(8, 2)?;
    let compressed = field(18, 4)? as usize;
    let data_at = 30 + field(26, 2)? as usize + field(28, 2)? as usize;
    if flags & 1 != 0 {
        return Err(ReportError::Zip("the member is encrypted".to_string()));
    }
    let data = zip
        .get(data_at..)
        .ok_or_else(|| ReportError::Zip("the member's data is missing".to_string()))?;
    // Bit 3: the sizes follow the data; a deflate stream ends by itself.
    let data = if flags & 8 == 0 {
        data.get(..compressed)
            .ok_or_else(|| ReportError::Zip("the member's data is cut short".to_string()))?
    } else {
        data
    };
    match method {
        0 if flags & 8 == 0 => {
            if data.len() > limit {
                return Err(ReportError::DecompressedTooLarge { limit });
            }
            Ok(data.to_vec())
        }
        8 => read_limited(
            DeflateDecoder::new(data),
            data.len(),
            limit,
            ReportError::Zip,
        ),
        _ => Err(ReportError::Zip(format!(
            "compression method {method} is not read (only stored and deflate)"
        ))),
    }
}

/// Reads a decompressor to its end, refusing to produce more than `limit` bytes; `input` is the
/// compressed size (to guess the output's), `broken` makes the error of bad data.
fn read_limited(
    reader: impl Read,
    input: usize,
    limit: usize,
    broken: fn(String) -> ReportError,
) -> Result<Vec<u8>, ReportError> {
    let too_large = ReportError::DecompressedTooLarge { limit };
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut reader = reader.take(cap);
    // Reports compress about tenfold; start there and let the buffer grow.
    let mut out: Vec<u8> = Vec::with_capacity(input.saturating_mul(8).max(CHUNK).min(limit));
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(broken(e.to_string())),
        };
        let total = out.len().saturating_add(n);
        if total > limit {
            return Err(too_large);
        }
        if total > out.capacity() {
            // Double, but go straight to the limit once doubling twice would pass it: the last
            // step then copies at most limit / 2 bytes into a buffer of limit bytes.
            let doubled = out.capacity().saturating_mul(2).max(total);
            let grown = if doubled.saturating_mul(2) > limit {
                limit
            } else {
                doubled
            };
            out.reserve_exact(grown - out.len());
        }
        out.extend_from_slice(chunk.get(..n).unwrap_or_default());
    }
    Ok(out)
}

/// The first bytes, for a message about input that is not a report.
fn describe_start(bytes: &[u8]) -> String {
    let head = bytes.get(..16).unwrap_or(bytes);
    if head.is_empty() {
        return "the input is empty".to_string();
    }
    match std::str::from_utf8(head) {
        Ok(text) if text.chars().all(|c| !c.is_control() || c.is_whitespace()) => {
            format!("it starts with {:?}", text.trim_end())
        }
        _ => {
            let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
            format!("it starts with the bytes {}", hex.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    /// Input, limits, and the JSON or the finding code.
    type Case<'a> = (&'a [u8], ReportLimits, Result<&'a [u8], &'static str>);

    fn limits(max_input: usize, max_decompressed: usize) -> ReportLimits {
        ReportLimits {
            max_input,
            max_decompressed,
        }
    }

    #[test]
    fn forms() {
        use super::{report_form, ReportForm};
        for (bytes, want) in [
            (&b"{\"policies\": []}"[..], ReportForm::Json),
            (b"\xEF\xBB\xBF  {}", ReportForm::Json),
            (&gzip(b"{}")[..], ReportForm::Gzip),
            (b"\x1f\x8b broken", ReportForm::Gzip),
            (
                b"From: a@b.example\r\nContent-Type: multipart/report; boundary=x\r\n\r\n--x--\r\n",
                ReportForm::Email,
            ),
            (b"<html>", ReportForm::Unknown),
            (b"", ReportForm::Unknown),
        ] {
            assert_eq!(
                report_form(bytes),
                want,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn decodes_by_content() {
        let json = br#"{"policies":[]}"#.to_vec();
        let gz = gzip(&json);
        let mut two_members = gzip(b"{\"policies\":");
        two_members.extend(gzip(b"[]}"));
        let mut truncated = gz.clone();
        truncated.truncate(gz.len() - 6);
        let mut bad_crc = gz.clone();
        let at = bad_crc.len() - 6;
        bad_crc[at] ^= 0xff;
        let mut trailing = gz.clone();
        trailing.extend_from_slice(b"junk");
        let mail = format!(
            "Content-Type: multipart/report; boundary=b\r\n\r\n--b\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
            encode_base64(&gz)
        );
        let big = limits(1 << 20, 1 << 20);
        let cases: Vec<Case<'_>> = vec![
            (&json, big, Ok(&json)),
            (b" \r\n\t[1]", big, Ok(b" \r\n\t[1]")),
            (b"\xEF\xBB\xBF{}", big, Ok(b"\xEF\xBB\xBF{}")),
            (&gz, big, Ok(&json)),
            (&two_members, big, Ok(&json)),
            (mail.as_bytes(), big, Ok(&json)),
            (&truncated, big, Err("report.gzip")),
            (&bad_crc, big, Err("report.gzip")),
            (&trailing, big, Err("report.gzip")),
            (b"\x1f\x8bnot gzip at all", big, Err("report.gzip")),
            (&json, limits(4, 100), Err("report.too-large")),
            (&json, limits(100, 4), Err("report.too-large")),
            (&gz, limits(100, json.len() - 1), Err("report.too-large")),
            (&gz, limits(100, json.len()), Ok(&json)),
            (b"hello", big, Err("report.json")),
            (b"", big, Err("report.json")),
            (b"\x00\x01", big, Err("report.json")),
            (b"Subject: hi\n\nno report here", big, Err("report.json")),
        ];
        for (input, limits, want) in cases {
            let got = decode(input, limits);
            let got = got.as_deref().map_err(|e| e.code().as_str());
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(input));
        }
    }

    /// A one-member zip archive (APPNOTE.TXT §4.3.7), stored or deflated, sizes in the header
    /// or (`descriptor`) after the data.
    fn zip(data: &[u8], deflate: bool, descriptor: bool) -> Vec<u8> {
        let body = if deflate {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        } else {
            data.to_vec()
        };
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let (flags, method): (u16, u16) =
            (if descriptor { 8 } else { 0 }, if deflate { 8 } else { 0 });
        let sizes = if descriptor {
            [0, 0]
        } else {
            [body.len() as u32, data.len() as u32]
        };
        let mut out = b"PK\x03\x04".to_vec();
        out.extend(20u16.to_le_bytes());
        out.extend(flags.to_le_bytes());
        out.extend(method.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend(if descriptor { 0 } else { crc.sum() }.to_le_bytes());
        out.extend(sizes[0].to_le_bytes());
        out.extend(sizes[1].to_le_bytes());
        out.extend(11u16.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(b"report.json");
        out.extend(body);
        out
    }

    fn mail_with_attachment(name: &str, data: &[u8]) -> String {
        format!(
            "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
            encode_base64(data)
        )
    }

    /// An archive and the JSON or the finding code.
    type ZipCase = (Vec<u8>, Result<&'static [u8], &'static str>);

    #[test]
    fn zip_attachments() {
        let json = br#"{"policies":[]}"#;
        let big = limits(1 << 20, 1 << 20);
        let mut encrypted = zip(json, false, false);
        encrypted[6] = 1;
        let mut bzip2 = zip(json, false, false);
        bzip2[8] = 12;
        let bomb = zip(&vec![b' '; 4 << 20], true, false);
        let cases: Vec<ZipCase> = vec![
            (zip(json, false, false), Ok(json)),
            (zip(json, true, false), Ok(json)),
            (zip(json, true, true), Ok(json)),
            (zip(json, false, false)[..20].to_vec(), Err("report.gzip")),
            (encrypted, Err("report.gzip")),
            (bzip2, Err("report.gzip")),
            (bomb, Err("report.too-large")),
        ];
        for (archive, want) in cases {
            let mail = mail_with_attachment("google.com!example.com!1!2.zip", &archive);
            let got = decode(mail.as_bytes(), big);
            let got = got.as_deref().map_err(|e| e.code().as_str());
            assert_eq!(got, want, "{mail}");
        }
    }

    #[test]
    fn bomb_stops_at_the_limit() {
        let gz = gzip(&vec![0u8; 8 << 20]);
        let got = decode(&gz, limits(1 << 20, 1 << 20));
        assert_eq!(
            got.map(|j| j.len()),
            Err(ReportError::DecompressedTooLarge { limit: 1 << 20 })
        );
    }

    #[test]
    fn messages_name_the_input() {
        for (input, want) in [
            (&b"hello world"[..], "it starts with \"hello world\""),
            (b"", "the input is empty"),
            (b"\x00\xff", "it starts with the bytes 00 ff"),
        ] {
            assert_eq!(describe_start(input), want);
        }
    }

    fn encode_base64(data: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
            if out.len() % 76 == 0 {
                out.push_str("\r\n");
            }
        }
        out
    }
}
