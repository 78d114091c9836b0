//! The DoH server (RFC 8484) over plain HTTP/1.1: `POST /dns-query` with an
//! `application/dns-message` body, or `GET /dns-query?dns=<base64url>`. Connections stay open
//! between requests unless the client says `Connection: close`.
//!
//! HTTP answers: 200 with the DNS message; 400 for a body or `dns` parameter that is not a DNS
//! query; 404 for other paths; 405 for other methods; 411 for a POST without Content-Length;
//! 413 for a head over 8 KiB or a body over 65535 bytes (RFC 8484 §6: a DNS message's limit);
//! 415 for another content type. A `$TIMEOUT` name gets no answer until the client hangs up.
//!
//! CORS (Fetch standard §3.2) as public resolvers answer it, so a web page can query the
//! stand-in directly: every answer carries `Access-Control-Allow-Origin: *`, and the preflight
//! of a `POST` with `Content-Type: application/dns-message` (`OPTIONS /dns-query`) gets 204 with
//! the methods and headers allowed.
//!
//! The same port serves the control endpoint `/control/records` (see `control.rs`), which tests
//! use to add records at run time: loopback callers only, no CORS, not counted as DoH requests.

use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use tokio::net::{TcpListener, TcpStream};

use crate::answer::{Reply, Zones};
use crate::http1::{error_response_with, response, Connection, ReadError};
use crate::Counters;

/// The DoH path.
pub const DOH_PATH: &str = "/dns-query";

/// The largest DNS message accepted (RFC 8484 §6 and RFC 1035 §4.2.2).
const MAX_MESSAGE_LEN: usize = 65535;

/// The CORS header on every answer: any origin may read it, as from public resolvers.
const ALLOW_ANY_ORIGIN: (&str, &str) = ("Access-Control-Allow-Origin", "*");

/// The answer to a CORS preflight of `/dns-query`: 204, no body (RFC 9110 §15.3.5).
const PREFLIGHT: &[u8] = b"HTTP/1.1 204 No Content\r\n\
Access-Control-Allow-Origin: *\r\n\
Access-Control-Allow-Methods: GET, POST\r\n\
Access-Control-Allow-Headers: content-type, accept\r\n\
Access-Control-Max-Age: 86400\r\n\r\n";

/// What every DoH connection shares.
pub(crate) struct DohState {
    /// The zones, with the records added at run time: written by the control endpoint and
    /// [`StandIn::add_record`](crate::StandIn::add_record), read for every answer.
    pub(crate) zones: Arc<RwLock<Zones>>,
    pub(crate) delay: Duration,
    pub(crate) counters: Arc<Counters>,
}

/// Accepts connections until the task is aborted; aborting it aborts every connection.
pub(crate) async fn serve(listener: TcpListener, state: Arc<DohState>) {
    crate::accept_each(listener, move |stream| {
        connection(stream, Arc::clone(&state))
    })
    .await;
}

async fn connection(stream: TcpStream, state: Arc<DohState>) {
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().ok();
    let mut connection = Connection::new(stream);
    loop {
        let head = match connection.read_head().await {
            Ok(head) => head,
            Err(ReadError::Closed | ReadError::Io) => return,
            Err(ReadError::TooLarge) => {
                let _ = connection
                    .write(&cors_error(413, "Content Too Large"))
                    .await;
                return;
            }
            Err(ReadError::Malformed) => {
                let _ = connection.write(&cors_error(400, "Bad Request")).await;
                return;
            }
        };
        if crate::control::is_control_path(head.path()) {
            let Ok(reply) =
                crate::control::handle(&mut connection, &head, peer, &state.zones).await
            else {
                return;
            };
            if connection.write(&reply.bytes).await.is_err() || !reply.keep_alive {
                return;
            }
            continue;
        }
        state.counters.doh.fetch_add(1, Ordering::Relaxed);
        if head.method == "OPTIONS" && head.path() == DOH_PATH {
            if connection.write(PREFLIGHT).await.is_err() || !head.keep_alive() {
                return;
            }
            continue;
        }
        let query = match head.method.as_str() {
            _ if head.path() != DOH_PATH => Err((404, "Not Found")),
            "GET" => get_query(head.query()),
            "POST" => match post_length(&head) {
                Ok(len) => match connection.read_body(len).await {
                    Ok(body) => Ok(body),
                    Err(_) => return,
                },
                Err(status) => Err(status),
            },
            _ => Err((405, "Method Not Allowed")),
        };
        if !state.delay.is_zero() {
            tokio::time::sleep(state.delay).await;
        }
        // The lock is let go before any await.
        let answer = query.map(|query| read_zones(&state.zones).answer(&query));
        let reply = match answer {
            Ok(answer) => match answer {
                Reply::Message(message) => response(
                    200,
                    "OK",
                    &[ALLOW_ANY_ORIGIN],
                    "application/dns-message",
                    &message,
                ),
                Reply::Malformed => cors_error(400, "Bad Request"),
                Reply::NoAnswer => {
                    connection.wait_for_close().await;
                    return;
                }
            },
            Err((status, reason)) => cors_error(status, reason),
        };
        let keep_alive = head.keep_alive() && reply.starts_with(b"HTTP/1.1 200");
        if connection.write(&reply).await.is_err() || !keep_alive {
            return;
        }
    }
}

/// The zones for reading (a panic elsewhere while writing leaves them usable: every change is
/// made whole or not at all).
pub(crate) fn read_zones(zones: &RwLock<Zones>) -> std::sync::RwLockReadGuard<'_, Zones> {
    zones
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An error a page can read too (its status rather than an opaque network error).
fn cors_error(status: u16, reason: &str) -> Vec<u8> {
    error_response_with(status, reason, &[ALLOW_ANY_ORIGIN])
}

/// The query of `GET /dns-query?dns=…` (RFC 8484 §4.1: base64url without padding).
fn get_query(query: Option<&str>) -> Result<Vec<u8>, (u16, &'static str)> {
    let value = query
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("dns="))
        .ok_or((400, "Bad Request"))?;
    if value.len() > MAX_MESSAGE_LEN.div_ceil(3) * 4 {
        return Err((413, "Content Too Large"));
    }
    URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .map_err(|_| (400, "Bad Request"))
}

/// The body length of a POST, after checking its content type.
fn post_length(head: &crate::http1::RequestHead) -> Result<usize, (u16, &'static str)> {
    let content_type = head.header("content-type").unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/dns-message") {
        return Err((415, "Unsupported Media Type"));
    }
    if head.header("transfer-encoding").is_some() {
        return Err((411, "Length Required"));
    }
    let len = head
        .header("content-length")
        .ok_or((411, "Length Required"))?
        .parse::<usize>()
        .map_err(|_| (400, "Bad Request"))?;
    if len > MAX_MESSAGE_LEN {
        return Err((413, "Content Too Large"));
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_get_parameters() {
        for (query, want) in [
            (
                Some("dns=AAABAAABAAAAAAAAA3d3dwdleGFtcGxlA2NvbQAAAQAB"),
                Ok(33),
            ),
            (Some("ct=x&dns=AAAB"), Ok(3)),
            (Some("dns=AAAB=="), Ok(3)),
            (Some("dns=!!!"), Err((400, "Bad Request"))),
            (Some("other=1"), Err((400, "Bad Request"))),
            (None, Err((400, "Bad Request"))),
        ] {
            assert_eq!(get_query(query).map(|q| q.len()), want, "{query:?}");
        }
        let huge = format!("dns={}", "A".repeat(90_000));
        assert_eq!(get_query(Some(&huge)), Err((413, "Content Too Large")));
    }
}
