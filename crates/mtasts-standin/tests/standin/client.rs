//! Test clients: a raw HTTP/1.1 exchange, DoH queries and answers, a TLS connector.

use std::io;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use domain::base::iana::Rtype;
use domain::base::{Message, MessageBuilder, Name};
use mtasts_standin::{StandIn, StandInConfig};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The client-side timeout for things that should never answer.
pub const SHORT_TIMEOUT: Duration = Duration::from_millis(500);

/// This crate's own test scenarios.
pub fn test_zones() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/zones")
}

/// The project's scenarios, `tests/data/zones/`.
pub fn shared_zones() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/zones")
}

pub async fn start(dir: PathBuf) -> StandIn {
    StandIn::start(StandInConfig::new(dir)).await.unwrap()
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Every byte received.
    pub raw: Vec<u8>,
    /// How many bytes of `raw` this response took.
    pub len: usize,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a response with a Content-Length body (or none, or a body running to the end).
pub fn parse_response(raw: &[u8]) -> HttpResponse {
    let (head_len, sep) = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, 4))
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| (p, 2)))
        .expect("no end of head");
    let head = std::str::from_utf8(&raw[..head_len]).unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (n, v) = line.split_once(':').unwrap();
            (n.to_owned(), v.trim().to_owned())
        })
        .collect();
    let rest = &raw[head_len + sep..];
    let body = match headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        // RFC 9112 §6.3: 204 and 304 have no body, whatever follows.
        _ if status == 204 || status == 304 => Vec::new(),
        Some((_, len)) => rest[..len.parse::<usize>().unwrap()].to_vec(),
        None => rest.to_vec(),
    };
    HttpResponse {
        status,
        len: head_len + sep + body.len(),
        headers,
        body,
        raw: raw.to_vec(),
    }
}

/// Sends `request` and reads until the server closes.
pub async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    request: &[u8],
) -> Vec<u8> {
    stream.write_all(request).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    raw
}

/// One HTTP request to the DoH server on a new connection.
pub async fn doh_raw(standin: &StandIn, request: &[u8]) -> HttpResponse {
    let mut stream = TcpStream::connect(standin.doh_addr()).await.unwrap();
    parse_response(&exchange(&mut stream, request).await)
}

/// A DoH POST request for `query`.
pub fn post_request(query: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST /dns-query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/dns-message\r\nAccept: application/dns-message\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        query.len()
    )
    .into_bytes();
    request.extend_from_slice(query);
    request
}

/// A DoH GET request for `query`.
pub fn get_request(query: &[u8]) -> Vec<u8> {
    format!(
        "GET /dns-query?dns={} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/dns-message\r\nConnection: close\r\n\r\n",
        URL_SAFE_NO_PAD.encode(query)
    )
    .into_bytes()
}

/// How a query asks for the DNSSEC verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Nothing,
    /// The AD bit in the query (RFC 6840 §5.7).
    Ad,
    /// EDNS with the DO bit.
    Do,
}

/// A query message, ID 0 as RFC 8484 §4.1 recommends.
pub fn query(name: &str, rtype: Rtype, ask: Ask) -> Vec<u8> {
    let mut builder = MessageBuilder::new_vec();
    builder.header_mut().set_rd(true);
    builder.header_mut().set_ad(ask == Ask::Ad);
    let mut builder = builder.question();
    builder
        .push((Name::<Vec<u8>>::from_str(name).unwrap(), rtype))
        .unwrap();
    let mut builder = builder.additional();
    if ask == Ask::Do {
        builder
            .opt(|opt| {
                opt.set_udp_payload_size(1232);
                opt.set_dnssec_ok(true);
                Ok(())
            })
            .unwrap();
    }
    builder.finish()
}

/// Resolves over DoH POST and returns the DNS answer.
pub async fn resolve(standin: &StandIn, name: &str, rtype: Rtype, ask: Ask) -> Message<Vec<u8>> {
    let response = doh_raw(standin, &post_request(&query(name, rtype, ask))).await;
    assert_eq!(response.status, 200, "{name} {rtype}");
    assert_eq!(
        response.header("content-type"),
        Some("application/dns-message")
    );
    Message::from_octets(response.body).unwrap()
}

/// A TLS connector that trusts only the stand-in's CA, read from its PEM as a CLI would.
pub fn connector(standin: &StandIn) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(standin.ca_pem().as_bytes()).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

/// Connects to the HTTPS port with SNI `host` and sends `request`.
pub async fn https_raw(standin: &StandIn, host: &str, request: &[u8]) -> io::Result<HttpResponse> {
    let tcp = TcpStream::connect(standin.https_addr()).await?;
    let name = ServerName::try_from(host.to_owned()).unwrap();
    let mut tls = connector(standin).connect(name, tcp).await?;
    Ok(parse_response(&exchange(&mut tls, request).await))
}

/// `GET /.well-known/mta-sts.txt` from `host`.
pub fn policy_request(host: &str) -> Vec<u8> {
    format!("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
        .into_bytes()
}

pub async fn fetch_policy(standin: &StandIn, host: &str) -> io::Result<HttpResponse> {
    https_raw(standin, host, &policy_request(host)).await
}

/// The rustls error inside a connection error.
pub fn tls_error(error: &io::Error) -> Option<&rustls::Error> {
    error.get_ref()?.downcast_ref::<rustls::Error>()
}
