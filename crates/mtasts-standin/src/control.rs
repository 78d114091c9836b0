//! The control endpoint on the DoH port: tests add and remove DNS records while the stand-in
//! runs, e.g. the `_mtasts-challenge` TXT record of an ownership proof.
//!
//! - `POST /control/records` with `{"name", "type", "value", "ttl"?}` adds the record to its
//!   name's RRset: 201 (200 when it was there already) with
//!   `{"name", "type", "value", "ttl", "added", "rrset"}`, `rrset` counting the name's records
//!   of that type now.
//! - `DELETE /control/records` with `{"name", "type", "value"?}` removes the record added at run
//!   time with that value, or without `value` every one of that name and type (zone-file records
//!   stay): 200 with `{"name", "type", "removed", "rrset"}`, `removed` possibly 0.
//! - Errors are JSON `{"error": "…"}`: 400 (malformed JSON, unknown field, a missing `value` on
//!   POST, a bad name, type or value, no `Host`), 403 (a peer or `Host` that is not loopback),
//!   404 (another `/control/` path), 405 (another method, `OPTIONS` included), 411 (no
//!   `Content-Length`), 413 (a body over 16 KiB), 415 (not `application/json`), 422 (a name
//!   outside every zone, a `$SERVFAIL`/`$TIMEOUT` name, a CNAME conflict, too many records).
//!
//! Only the machine itself may call it, and no web page: the peer must be a loopback address
//! (the stand-in only listens on one, but this does not rely on it), `Host` must name a loopback
//! address or `localhost` (so a page cannot reach it by DNS rebinding), and no answer carries a
//! CORS header; the preflight that a JSON body or `DELETE` makes a browser send is refused, so a
//! page's request is never sent.

use std::net::{IpAddr, SocketAddr};
use std::sync::{PoisonError, RwLock};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::answer::Zones;
use crate::http1::{response, Connection, ReadError, RequestHead};
use crate::runtime_record::{RecordError, RecordType, RuntimeRecord, RUNTIME_TTL};

/// The path of the record control endpoint.
pub const CONTROL_PATH: &str = "/control/records";

/// The largest request body read, in bytes.
const MAX_BODY_LEN: usize = 16 * 1024;

/// Whether `path` is one of the control endpoint's (and so no DoH request).
pub(crate) fn is_control_path(path: &str) -> bool {
    path == "/control" || path.starts_with("/control/")
}

/// The body of a request, as JSON.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordBody {
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    value: Option<String>,
    ttl: Option<u32>,
}

/// The answer to an added record.
#[derive(Debug, Serialize)]
struct Added<'a> {
    name: String,
    #[serde(rename = "type")]
    rtype: &'static str,
    value: &'a str,
    ttl: u32,
    /// Whether the record is new (false: it was there already).
    added: bool,
    /// How many records of the type the name has now.
    rrset: usize,
}

/// The answer to a removal.
#[derive(Debug, Serialize)]
struct Removed {
    name: String,
    #[serde(rename = "type")]
    rtype: &'static str,
    removed: usize,
    rrset: usize,
}

/// A refused request.
#[derive(Debug, Serialize)]
struct Refused<'a> {
    error: &'a str,
}

/// A response, and whether the connection stays open after it.
pub(crate) struct ControlReply {
    /// The whole HTTP response.
    pub(crate) bytes: Vec<u8>,
    /// Whether the connection stays open (a success, when the client lets it).
    pub(crate) keep_alive: bool,
}

/// Reads the rest of a control request whose head is `head` and returns the response; `Err`
/// when the body could not be read (the connection is then dropped).
pub(crate) async fn handle<S: AsyncRead + AsyncWrite + Unpin>(
    connection: &mut Connection<S>,
    head: &RequestHead,
    peer: Option<SocketAddr>,
    zones: &RwLock<Zones>,
) -> Result<ControlReply, ReadError> {
    let refuse = |status, reason: &str| ControlReply {
        bytes: refused(status, reason),
        keep_alive: false,
    };
    if let Err((status, reason)) = check_caller(peer, head.header("host")) {
        return Ok(refuse(status, &reason));
    }
    if head.path() != CONTROL_PATH {
        return Ok(refuse(404, &format!("no control endpoint {}", head.path())));
    }
    let remove = match head.method.as_str() {
        "POST" => false,
        "DELETE" => true,
        method => return Ok(refuse(405, &format!("method {method} not allowed"))),
    };
    let len = match body_length(head) {
        Ok(len) => len,
        Err((status, reason)) => return Ok(refuse(status, reason)),
    };
    let body = connection.read_body(len).await?;
    let (status, json) = apply(&body, remove, zones);
    let keep_alive = head.keep_alive() && status < 300;
    Ok(ControlReply {
        bytes: json_response(status, &json, keep_alive),
        keep_alive,
    })
}

/// The caller must be this machine: a loopback peer, and a loopback `Host` (RFC 9112 §3.2: a
/// request without one is refused with 400).
fn check_caller(peer: Option<SocketAddr>, host: Option<&str>) -> Result<(), (u16, String)> {
    let peer_ok = peer.is_some_and(|peer| peer.ip().to_canonical().is_loopback());
    if !peer_ok {
        let peer = peer.map_or_else(|| "unknown".to_owned(), |p| p.ip().to_string());
        return Err((403, format!("the peer {peer} is not a loopback address")));
    }
    let Some(host) = host else {
        return Err((400, "no Host header".to_owned()));
    };
    if !is_loopback_host(host) {
        return Err((403, format!("Host \"{host}\" is not a loopback address")));
    }
    Ok(())
}

/// Whether a `Host` value (`host[:port]`, RFC 9110 §7.2) names a loopback address or
/// `localhost` (RFC 6761 §6.3).
fn is_loopback_host(value: &str) -> bool {
    let host = match value.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((host, port)) if port.is_empty() || port.starts_with(':') => host,
            _ => return false,
        },
        None => value.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// The body length, after checking the content type.
fn body_length(head: &RequestHead) -> Result<usize, (u16, &'static str)> {
    let content_type = head.header("content-type").unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err((415, "the body must be application/json"));
    }
    if head.header("transfer-encoding").is_some() {
        return Err((411, "Content-Length is required"));
    }
    let len = head
        .header("content-length")
        .ok_or((411, "Content-Length is required"))?
        .parse::<usize>()
        .map_err(|_| (400, "bad Content-Length"))?;
    if len > MAX_BODY_LEN {
        return Err((413, "the body is over 16 KiB"));
    }
    Ok(len)
}

/// Applies the request body `body` (a removal when `remove`) and returns the status and JSON.
fn apply(body: &[u8], remove: bool, zones: &RwLock<Zones>) -> (u16, String) {
    let request: RecordBody = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(error) => return (400, refused_json(&format!("malformed JSON: {error}"))),
    };
    let rtype = match request.rtype.parse::<RecordType>() {
        Ok(rtype) => rtype,
        Err(error) => return error_json(&error),
    };
    // A reader never sees half a change, and no lock is held across an await.
    let mut zones = zones.write().unwrap_or_else(PoisonError::into_inner);
    if remove {
        return match zones.remove(&request.name, rtype, request.value.as_deref()) {
            Ok(change) => (
                200,
                to_json(&Removed {
                    name: canonical(&request.name),
                    rtype: rtype.as_str(),
                    removed: change.changed,
                    rrset: change.rrset_len,
                }),
            ),
            Err(error) => error_json(&error),
        };
    }
    let Some(value) = request.value else {
        return (400, refused_json("missing field `value`"));
    };
    let record = RuntimeRecord {
        name: request.name,
        rtype,
        value,
        ttl: request.ttl.unwrap_or(RUNTIME_TTL),
    };
    match zones.add(&record) {
        Ok(change) => (
            if change.changed == 0 { 200 } else { 201 },
            to_json(&Added {
                name: canonical(&record.name),
                rtype: rtype.as_str(),
                value: &record.value,
                ttl: record.ttl,
                added: change.changed > 0,
                rrset: change.rrset_len,
            }),
        ),
        Err(error) => error_json(&error),
    }
}

/// A name as answered: without the final dot.
fn canonical(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_owned()
}

/// The status and JSON of a refused change.
fn error_json(error: &RecordError) -> (u16, String) {
    let status = match error {
        RecordError::UnsupportedType(_)
        | RecordError::BadName(_)
        | RecordError::BadValue { .. }
        | RecordError::ValueTooLong { .. }
        | RecordError::BadTtl(_) => 400,
        RecordError::OutsideZones(_)
        | RecordError::FailingName(_)
        | RecordError::CnameConflict(_)
        | RecordError::TooMany => 422,
    };
    (status, refused_json(&error.to_string()))
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn refused_json(reason: &str) -> String {
    to_json(&Refused { error: reason })
}

/// A JSON error response that closes the connection.
fn refused(status: u16, reason: &str) -> Vec<u8> {
    json_response(status, &refused_json(reason), false)
}

/// A JSON response, without CORS headers; 405 says which methods are allowed.
fn json_response(status: u16, json: &str, keep_alive: bool) -> Vec<u8> {
    let mut headers = vec![("Cache-Control", "no-store")];
    if status == 405 {
        headers.push(("Allow", "POST, DELETE"));
    }
    if !keep_alive {
        headers.push(("Connection", "close"));
    }
    response(
        status,
        reason_phrase(status),
        &headers,
        "application/json",
        json.as_bytes(),
    )
}

/// RFC 9110 §15's reason phrases of the statuses used here.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        _ => "Unprocessable Content",
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::zone::{parse_zone, StoredName};

    fn zones() -> RwLock<Zones> {
        let zone = "@ SOA ns hostmaster 1 7200 3600 1209600 300\n\
            @ MX 10 mx1\n\
            mx1 A 192.0.2.1\n\
            alias CNAME mx1\n\
            $SERVFAIL broken\n";
        let apex = StoredName::from_str("example.test").unwrap();
        RwLock::new(Zones::new(vec![parse_zone(zone, &apex).unwrap()]).unwrap())
    }

    #[test]
    fn checks_the_caller() {
        let local: SocketAddr = ([127, 0, 0, 1], 40000).into();
        let other: SocketAddr = ([192, 0, 2, 1], 40000).into();
        let mapped: SocketAddr = ("::ffff:127.0.0.1".parse::<IpAddr>().unwrap(), 1).into();
        for (peer, host, want) in [
            (Some(local), Some("127.0.0.1:8053"), Ok(())),
            (Some(local), Some("127.0.0.2"), Ok(())),
            (Some(local), Some("localhost:1"), Ok(())),
            (Some(local), Some("LOCALHOST"), Ok(())),
            (Some(local), Some("[::1]:8053"), Ok(())),
            (Some(mapped), Some("[::1]"), Ok(())),
            (Some(local), Some("evil.example:8053"), Err(403)),
            (Some(local), Some("localhost.evil.example"), Err(403)),
            (Some(local), Some("[::1]x"), Err(403)),
            (Some(local), Some("192.0.2.1"), Err(403)),
            (Some(local), None, Err(400)),
            (Some(other), Some("127.0.0.1"), Err(403)),
            (None, Some("127.0.0.1"), Err(403)),
        ] {
            assert_eq!(
                check_caller(peer, host).map_err(|(status, _)| status),
                want,
                "{peer:?} {host:?}"
            );
        }
    }

    #[test]
    fn applies_changes() {
        let zones = zones();
        let txt = r#"{"name": "_c.example.test", "type": "TXT", "value": "v=1"}"#;
        for (body, remove, status, want) in [
            (txt, false, 201, r#""added":true,"rrset":1"#),
            (txt, false, 200, r#""added":false,"rrset":1"#),
            (
                r#"{"name": "_c.example.test.", "type": "txt", "value": "v=2", "ttl": 5}"#,
                false,
                201,
                r#"{"name":"_c.example.test","type":"TXT","value":"v=2","ttl":5,"added":true,"rrset":2}"#,
            ),
            (txt, true, 200, r#""removed":1,"rrset":1"#),
            (
                r#"{"name": "_c.example.test", "type": "TXT"}"#,
                true,
                200,
                r#""removed":1,"rrset":0"#,
            ),
            (txt, true, 200, r#""removed":0,"rrset":0"#),
            // The zone file's records stay.
            (
                r#"{"name": "mx1.example.test", "type": "A"}"#,
                true,
                200,
                r#""removed":0,"rrset":1"#,
            ),
            ("{", false, 400, "malformed JSON"),
            ("[]", false, 400, "malformed JSON"),
            (
                r#"{"name": "x.example.test", "type": "TXT", "value": "a", "extra": 1}"#,
                false,
                400,
                "unknown field `extra`",
            ),
            (
                r#"{"name": "x.example.test", "type": "TXT"}"#,
                false,
                400,
                "missing field `value`",
            ),
            (
                r#"{"name": "x.example.test", "type": "SRV", "value": "a"}"#,
                false,
                400,
                "unsupported record type",
            ),
            (
                r#"{"name": "x.example.test", "type": "A", "value": "a"}"#,
                false,
                400,
                "bad A value",
            ),
            (
                r#"{"name": "a..b", "type": "A", "value": "192.0.2.1"}"#,
                false,
                400,
                "bad name",
            ),
            (
                r#"{"name": "x.other.test", "type": "TXT", "value": "a"}"#,
                false,
                422,
                "outside every zone",
            ),
            (
                r#"{"name": "x.other.test", "type": "TXT"}"#,
                true,
                422,
                "outside every zone",
            ),
            (
                r#"{"name": "broken.example.test", "type": "TXT", "value": "a"}"#,
                false,
                422,
                "$SERVFAIL",
            ),
            (
                r#"{"name": "alias.example.test", "type": "TXT", "value": "a"}"#,
                false,
                422,
                "CNAME",
            ),
            (
                r#"{"name": "mx1.example.test", "type": "CNAME", "value": "x.test"}"#,
                false,
                422,
                "CNAME",
            ),
        ] {
            let (got_status, json) = apply(body.as_bytes(), remove, &zones);
            assert_eq!(got_status, status, "{body} {remove}: {json}");
            assert!(json.contains(want), "{body} {remove}: {json}");
            if status >= 400 {
                assert!(json.starts_with(r#"{"error":""#), "{json}");
            }
        }
    }

    #[test]
    fn answers_without_cors() {
        let answer = String::from_utf8(refused(405, "no")).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
            "{answer}"
        );
        assert!(answer.contains("Allow: POST, DELETE\r\n"), "{answer}");
        assert!(answer.contains("Connection: close\r\n"), "{answer}");
        assert!(
            !answer.to_ascii_lowercase().contains("access-control"),
            "{answer}"
        );
    }
}
