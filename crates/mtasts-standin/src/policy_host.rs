//! Policy-host files (`NAME.http`): the raw HTTP response that `mta-sts.NAME` sends.
//!
//! The file is a status line, header lines, a blank line and the body, sent byte for byte
//! (line endings, BOM and blank lines included), except:
//! - control headers `X-Standin-Cert`, `X-Standin-Delay-Ms` and `X-Standin-Stall` are removed
//!   before sending (any other `X-Standin-*` header is refused, to catch typos);
//! - when the head has neither `Content-Length` nor `Transfer-Encoding`, a `Content-Length` with
//!   the body's length is added as the last header line (not for 1xx, 204 and 304 responses).

use std::fmt;
use std::time::Duration;

use crate::certs::CertKind;

/// The largest `.http` file read, in bytes (room for a policy over RFC 8461's 64 KiB).
pub const MAX_HTTP_FILE_LEN: usize = 16 * 1024 * 1024;

/// The longest delay a file may ask for, in milliseconds.
pub const MAX_DELAY_MS: u64 = 600_000;

/// What a policy host does, read from its `.http` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyHost {
    /// The certificate the host presents (`X-Standin-Cert`).
    pub cert: CertKind,
    /// How long the host waits before it answers (`X-Standin-Delay-Ms`).
    pub delay: Duration,
    /// `X-Standin-Stall: yes`: the host reads the request and never answers.
    pub stall: bool,
    /// The bytes sent for `GET /.well-known/mta-sts.txt`.
    pub response: Vec<u8>,
}

/// Why a `.http` file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpFileError {
    /// The file is larger than [`MAX_HTTP_FILE_LEN`].
    TooLarge {
        /// The file's length in bytes.
        len: usize,
    },
    /// The file has no blank line ending the head.
    NoBlankLine,
    /// The first line is not `HTTP/1.x NNN reason`.
    BadStatusLine {
        /// The line as written (lossy UTF-8).
        line: String,
    },
    /// A header line without a colon.
    BadHeaderLine {
        /// The 1-based line.
        line: usize,
    },
    /// An `X-Standin-*` header this format does not know.
    UnknownControlHeader {
        /// The 1-based line.
        line: usize,
        /// The header name.
        name: String,
    },
    /// A control header with a value it does not take.
    BadControlValue {
        /// The 1-based line.
        line: usize,
        /// The header name.
        name: String,
        /// The value as written.
        value: String,
    },
}

impl fmt::Display for HttpFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { len } => write!(f, "file of {len} bytes is over {MAX_HTTP_FILE_LEN}"),
            Self::NoBlankLine => f.write_str("no blank line after the headers"),
            Self::BadStatusLine { line } => write!(f, "line 1: bad status line \"{line}\""),
            Self::BadHeaderLine { line } => write!(f, "line {line}: header line without a colon"),
            Self::UnknownControlHeader { line, name } => {
                write!(f, "line {line}: unknown control header \"{name}\"")
            }
            Self::BadControlValue { line, name, value } => {
                write!(f, "line {line}: bad value \"{value}\" for \"{name}\"")
            }
        }
    }
}

impl std::error::Error for HttpFileError {}

/// Parses a `.http` file.
pub fn parse_http_file(file: &[u8]) -> Result<PolicyHost, HttpFileError> {
    if file.len() > MAX_HTTP_FILE_LEN {
        return Err(HttpFileError::TooLarge { len: file.len() });
    }
    let mut host = PolicyHost {
        cert: CertKind::Valid,
        delay: Duration::ZERO,
        stall: false,
        response: Vec::with_capacity(file.len() + 32),
    };
    // Split into lines that keep their ending; the head ends at the first empty line.
    let mut rest = file;
    let mut line_no = 0;
    let mut has_length = false;
    let mut status_ending: &[u8] = b"\r\n";
    let mut bodyless = false;
    loop {
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            return Err(HttpFileError::NoBlankLine);
        };
        let (line, after) = rest.split_at(end + 1);
        rest = after;
        line_no += 1;
        let content = trim_ending(line);
        if line_no == 1 {
            let code = status_code(content).ok_or_else(|| HttpFileError::BadStatusLine {
                line: String::from_utf8_lossy(content).into_owned(),
            })?;
            bodyless = code < 200 || code == 204 || code == 304;
            status_ending = line.get(content.len()..).unwrap_or(b"\r\n");
            host.response.extend_from_slice(line);
            continue;
        }
        if content.is_empty() {
            if !has_length && !bodyless {
                host.response.extend_from_slice(b"Content-Length: ");
                host.response
                    .extend_from_slice(rest.len().to_string().as_bytes());
                host.response.extend_from_slice(status_ending);
            }
            host.response.extend_from_slice(line);
            host.response.extend_from_slice(rest);
            return Ok(host);
        }
        let colon = content
            .iter()
            .position(|&b| b == b':')
            .ok_or(HttpFileError::BadHeaderLine { line: line_no })?;
        let (name, value) = content.split_at(colon);
        let name = String::from_utf8_lossy(name).trim().to_owned();
        let value = String::from_utf8_lossy(value.get(1..).unwrap_or_default())
            .trim()
            .to_owned();
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("x-standin-") {
            control_header(&mut host, line_no, &name, &lower, value)?;
            continue;
        }
        if lower == "content-length" || lower == "transfer-encoding" {
            has_length = true;
        }
        host.response.extend_from_slice(line);
    }
}

fn control_header(
    host: &mut PolicyHost,
    line: usize,
    name: &str,
    lower: &str,
    value: String,
) -> Result<(), HttpFileError> {
    let bad = |value: String| HttpFileError::BadControlValue {
        line,
        name: name.to_owned(),
        value,
    };
    match lower {
        "x-standin-cert" => host.cert = CertKind::from_name(&value).ok_or_else(|| bad(value))?,
        "x-standin-delay-ms" => {
            let ms = value
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms <= MAX_DELAY_MS)
                .ok_or_else(|| bad(value))?;
            host.delay = Duration::from_millis(ms);
        }
        "x-standin-stall" => {
            host.stall = match value.to_ascii_lowercase().as_str() {
                "yes" => true,
                "no" => false,
                _ => return Err(bad(value)),
            }
        }
        _ => {
            return Err(HttpFileError::UnknownControlHeader {
                line,
                name: name.to_owned(),
            })
        }
    }
    Ok(())
}

/// The line without its `\n` or `\r\n`.
fn trim_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The status code of `HTTP/1.x NNN reason`.
fn status_code(line: &[u8]) -> Option<u16> {
    let rest = line
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| line.strip_prefix(b"HTTP/1.0 "))?;
    let code = rest.get(..3)?;
    if !code.iter().all(u8::is_ascii_digit) || rest.get(3).is_some_and(|&b| b != b' ') {
        return None;
    }
    std::str::from_utf8(code).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_response() {
        let policy =
            "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n";
        for (file, want, cert, delay_ms, stall) in [
            (
                format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n{policy}"),
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{policy}",
                    policy.len()
                ),
                CertKind::Valid,
                0,
                false,
            ),
            (
                // Control headers go, the file's own Content-Length stays (even when wrong).
                "HTTP/1.1 200 OK\r\nX-Standin-Cert: expired\r\nContent-Length: 99\r\nx-standin-delay-ms: 250\r\n\r\nbody".into(),
                "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nbody".into(),
                CertKind::Expired,
                250,
                false,
            ),
            (
                // LF line endings and a BOM in the body are kept as written.
                "HTTP/1.1 200 OK\nX-Standin-Stall: yes\n\n\u{feff}version: STSv1\n\nmode: none\n".into(),
                "HTTP/1.1 200 OK\nContent-Length: 30\n\n\u{feff}version: STSv1\n\nmode: none\n".into(),
                CertKind::Valid,
                0,
                true,
            ),
            (
                "HTTP/1.1 301 Moved Permanently\r\nLocation: https://elsewhere.test/\r\n\r\n".into(),
                "HTTP/1.1 301 Moved Permanently\r\nLocation: https://elsewhere.test/\r\nContent-Length: 0\r\n\r\n".into(),
                CertKind::Valid,
                0,
                false,
            ),
            (
                "HTTP/1.1 204 No Content\r\nX-Standin-Cert: Wrong-Name\r\n\r\n".into(),
                "HTTP/1.1 204 No Content\r\n\r\n".into(),
                CertKind::WrongName,
                0,
                false,
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n".into(),
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n".into(),
                CertKind::Valid,
                0,
                false,
            ),
        ] {
            let host = parse_http_file(file.as_bytes()).unwrap();
            assert_eq!(String::from_utf8(host.response).unwrap(), want, "{file:?}");
            assert_eq!(host.cert, cert, "{file:?}");
            assert_eq!(host.delay, Duration::from_millis(delay_ms), "{file:?}");
            assert_eq!(host.stall, stall, "{file:?}");
        }
    }

    #[test]
    fn refuses_bad_files() {
        for (file, want) in [
            ("HTTP/1.1 200 OK\r\n", HttpFileError::NoBlankLine),
            (
                "200 OK\r\n\r\n",
                HttpFileError::BadStatusLine {
                    line: "200 OK".into(),
                },
            ),
            (
                "HTTP/1.1 20 OK\r\n\r\n",
                HttpFileError::BadStatusLine {
                    line: "HTTP/1.1 20 OK".into(),
                },
            ),
            (
                "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
                HttpFileError::BadHeaderLine { line: 2 },
            ),
            (
                "HTTP/1.1 200 OK\r\nX-Standin-Certificate: valid\r\n\r\n",
                HttpFileError::UnknownControlHeader {
                    line: 2,
                    name: "X-Standin-Certificate".into(),
                },
            ),
            (
                "HTTP/1.1 200 OK\r\nX-Standin-Cert: revoked\r\n\r\n",
                HttpFileError::BadControlValue {
                    line: 2,
                    name: "X-Standin-Cert".into(),
                    value: "revoked".into(),
                },
            ),
            (
                "HTTP/1.1 200 OK\r\nX-Standin-Delay-Ms: -5\r\n\r\n",
                HttpFileError::BadControlValue {
                    line: 2,
                    name: "X-Standin-Delay-Ms".into(),
                    value: "-5".into(),
                },
            ),
            (
                "HTTP/1.1 200 OK\r\nX-Standin-Stall: sometimes\r\n\r\n",
                HttpFileError::BadControlValue {
                    line: 2,
                    name: "X-Standin-Stall".into(),
                    value: "sometimes".into(),
                },
            ),
        ] {
            assert_eq!(parse_http_file(file.as_bytes()), Err(want), "{file:?}");
        }
    }
}
