//! Just enough HTTP/1.1 (RFC 9112) for the two servers: read a request head (parsed by
//! `httparse`) and a `Content-Length` body with bounds, write simple, byte-exact responses, and
//! wait for a client to give up.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest request head read, in bytes.
pub(crate) const MAX_HEAD_LEN: usize = 8 * 1024;

/// The most header fields a request head may have.
const MAX_HEADERS: usize = 100;

/// A request line and its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestHead {
    pub(crate) method: String,
    pub(crate) target: String,
    /// `HTTP/1.0` rather than `HTTP/1.1`.
    pub(crate) http10: bool,
    pub(crate) headers: Vec<(String, String)>,
}

impl RequestHead {
    /// The first value of header `name` (ASCII case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path of the target, without the query.
    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The query of the target, if any.
    pub(crate) fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, query)| query)
    }

    /// Whether the client lets the connection stay open (RFC 9112 §9.3).
    pub(crate) fn keep_alive(&self) -> bool {
        let connection = self.header("connection").unwrap_or_default();
        let has = |token: &str| {
            connection
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if self.http10 {
            has("keep-alive")
        } else {
            !has("close")
        }
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The client closed the connection before sending a byte of a new request.
    Closed,
    /// The head or body is over its bound (413).
    TooLarge,
    /// The bytes are not an HTTP/1.x request (400).
    Malformed,
    /// The connection failed.
    Io,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        Self::Io
    }
}

/// A connection with the bytes read past the last request.
pub(crate) struct Connection<S> {
    pub(crate) stream: S,
    buffer: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    pub(crate) fn new(stream: S) -> Self {
        Self {
            stream,
            buffer: Vec::new(),
        }
    }

    /// Reads the next request head, at most [`MAX_HEAD_LEN`] bytes.
    pub(crate) async fn read_head(&mut self) -> Result<RequestHead, ReadError> {
        loop {
            if let Some((head, end)) = parse_head(&self.buffer)? {
                if end > MAX_HEAD_LEN {
                    return Err(ReadError::TooLarge);
                }
                self.buffer.drain(..end);
                return Ok(head);
            }
            if self.buffer.len() > MAX_HEAD_LEN {
                return Err(ReadError::TooLarge);
            }
            let mut chunk = [0; 4096];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(if self.buffer.is_empty() {
                    ReadError::Closed
                } else {
                    ReadError::Malformed
                });
            }
            self.buffer
                .extend_from_slice(chunk.get(..n).unwrap_or_default());
        }
    }

    /// Reads a body of exactly `len` bytes.
    pub(crate) async fn read_body(&mut self, len: usize) -> Result<Vec<u8>, ReadError> {
        while self.buffer.len() < len {
            let mut chunk = [0; 4096];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(ReadError::Malformed);
            }
            self.buffer
                .extend_from_slice(chunk.get(..n).unwrap_or_default());
        }
        Ok(self.buffer.drain(..len).collect())
    }

    /// Writes `bytes` and flushes.
    pub(crate) async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes).await?;
        self.stream.flush().await
    }

    /// Never answers: waits until the client closes the connection (or it fails), discarding
    /// whatever it sends.
    pub(crate) async fn wait_for_close(&mut self) {
        let mut chunk = [0; 4096];
        while let Ok(n) = self.stream.read(&mut chunk).await {
            if n == 0 {
                break;
            }
        }
    }
}

/// The request head at the start of `buffer` and its length with the blank line, once it is
/// complete (RFC 9112 §2.2: a bare LF is accepted as a line terminator; obsolete line folding
/// is refused). Only origin-form targets (`/path?query`) are taken.
fn parse_head(buffer: &[u8]) -> Result<Option<(RequestHead, usize)>, ReadError> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut fields);
    let end = match request.parse(buffer) {
        Ok(httparse::Status::Complete(end)) => end,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(ReadError::Malformed),
    };
    let (Some(method), Some(target), Some(version)) =
        (request.method, request.path, request.version)
    else {
        return Err(ReadError::Malformed);
    };
    if !target.starts_with('/') {
        return Err(ReadError::Malformed);
    }
    let mut headers = Vec::with_capacity(request.headers.len());
    for field in request.headers.iter() {
        let value = std::str::from_utf8(field.value).map_err(|_| ReadError::Malformed)?;
        headers.push((field.name.to_owned(), value.trim().to_owned()));
    }
    let head = RequestHead {
        method: method.to_owned(),
        target: target.to_owned(),
        http10: version == 0,
        headers,
    };
    Ok(Some((head, end)))
}

/// A complete response with a small body.
pub(crate) fn response(
    status: u16,
    reason: &str,
    extra_headers: &[(&str, &str)],
    content_type: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in extra_headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A plain-text error response that closes the connection.
pub(crate) fn error_response(status: u16, reason: &str) -> Vec<u8> {
    error_response_with(status, reason, &[])
}

/// A plain-text error response that closes the connection, with more headers.
pub(crate) fn error_response_with(
    status: u16,
    reason: &str,
    extra_headers: &[(&str, &str)],
) -> Vec<u8> {
    let mut headers = vec![("Connection", "close")];
    headers.extend_from_slice(extra_headers);
    response(
        status,
        reason,
        &headers,
        "text/plain; charset=utf-8",
        format!("{status} {reason}\n").as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_end_of_the_head() {
        for (input, want) in [
            (&b"GET / HTTP/1.1\r\n\r\nrest"[..], Some(18)),
            (&b"GET / HTTP/1.1\n\nrest"[..], Some(16)),
            (&b"GET / HTTP/1.1\r\nHost: x\r\n"[..], None),
            (&b""[..], None),
        ] {
            let end = parse_head(input).ok().flatten().map(|(_, end)| end);
            assert_eq!(end, want, "{input:?}");
        }
    }

    #[test]
    fn parses_heads() {
        let head = |input: &[u8]| parse_head(input).ok().flatten().map(|(head, _)| head);
        let post = head(
            b"POST /dns-query?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type:  application/dns-message \r\nConnection: Close\r\n\r\n",
        )
        .unwrap();
        assert_eq!(post.method, "POST");
        assert_eq!(post.path(), "/dns-query");
        assert_eq!(post.query(), Some("x=1"));
        assert_eq!(post.header("Content-Type"), Some("application/dns-message"));
        assert!(!post.keep_alive());
        for (input, keep_alive) in [
            (&b"GET / HTTP/1.1\r\n\r\n"[..], true),
            (&b"GET / HTTP/1.0\r\n\r\n"[..], false),
            (
                &b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"[..],
                true,
            ),
        ] {
            assert_eq!(head(input).unwrap().keep_alive(), keep_alive);
        }
        for bad in [
            &b"GET / HTTP/2\r\n\r\n"[..],
            &b"GET /\r\n\r\n"[..],
            &b"GET http://x/ HTTP/1.1\r\n\r\n"[..],
            &b"GET / HTTP/1.1\r\nno-colon\r\n\r\n"[..],
            &b"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"[..],
            &b"GET / HTTP/1.1\r\nName : v\r\n\r\n"[..],
            &b"\xff / HTTP/1.1\r\n\r\n"[..],
        ] {
            assert!(
                matches!(parse_head(bad), Err(ReadError::Malformed)),
                "{bad:?}"
            );
        }
    }
}
