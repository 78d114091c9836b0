//! DNS over HTTPS (RFC 8484): the core's [`Resolver`] over reqwest, and the address lookups the
//! policy fetch needs.

use super::body::read_bounded;
use super::resolve::ResolveOverride;
use super::{error_chain, SetupError};
use futures_util::future::join;
use mtasts::check::{Resolver, TransportError, DNS_MESSAGE_MEDIA_TYPE};
use mtasts::dns::{decode_answer, encode_query, DnsError, Rcode, RecordData, RecordType};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{StatusCode, Url};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// A DoH client: every exchange is one `POST` (RFC 8484 §4.1), bounded in time and size.
#[derive(Debug, Clone)]
pub struct DohResolver {
    client: reqwest::Client,
    url: Url,
    timeout: Duration,
}

impl DohResolver {
    /// A resolver for the DoH endpoint `url` (`https://`, or `http://` for a local resolver).
    /// `overrides` whose host and port are the endpoint's give its address (as curl's
    /// `--resolve`); `tls` is used for `https://` endpoints.
    pub fn new(
        url: &str,
        timeout: Duration,
        overrides: &[ResolveOverride],
        tls: rustls::ClientConfig,
    ) -> Result<DohResolver, SetupError> {
        let bad = |why: &str| SetupError::DohUrl {
            url: url.to_string(),
            why: why.to_string(),
        };
        let parsed = Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(bad(
                "only https:// (or http:// for a local resolver) is supported",
            ));
        }
        let Some(host) = parsed.host_str() else {
            return Err(bad("the URL has no host"));
        };
        let port = parsed.port_or_known_default().unwrap_or(DEFAULT_PORT);
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(timeout)
            .timeout(timeout)
            .user_agent(super::USER_AGENT);
        for entry in overrides {
            if entry.applies_to(host, port) {
                let addrs: Vec<SocketAddr> = entry
                    .addresses
                    .iter()
                    .map(|ip| SocketAddr::new(*ip, port))
                    .collect();
                builder = builder.resolve_to_addrs(host, &addrs);
            }
        }
        let client = builder
            .build()
            .map_err(|e| SetupError::Client(e.to_string()))?;
        Ok(DohResolver {
            client,
            url: parsed,
            timeout,
        })
    }

    /// The endpoint.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The addresses of `host`: its A and AAAA records, asked at the same time.
    pub async fn addresses(&self, host: &str) -> Result<Vec<IpAddr>, AddressError> {
        let (a, aaaa) = join(
            self.addresses_of_type(host, RecordType::A),
            self.addresses_of_type(host, RecordType::Aaaa),
        )
        .await;
        let mut found = Vec::new();
        let mut errors = Vec::new();
        for result in [a, aaaa] {
            match result {
                Ok(addresses) => found.extend(addresses),
                Err(e) => errors.push(e),
            }
        }
        if !found.is_empty() {
            return Ok(found);
        }
        // The most telling reason: a broken transport or answer first, then the rcode.
        errors.sort_by_key(AddressError::rank);
        Err(errors
            .into_iter()
            .next()
            .unwrap_or_else(|| AddressError::NoAddress(host.to_string())))
    }

    async fn addresses_of_type(
        &self,
        host: &str,
        rtype: RecordType,
    ) -> Result<Vec<IpAddr>, AddressError> {
        let query = encode_query(host, rtype).map_err(AddressError::Dns)?;
        let bytes = self
            .exchange(query)
            .await
            .map_err(AddressError::Transport)?;
        let answer = decode_answer(&bytes).map_err(AddressError::Dns)?;
        match answer.rcode {
            Rcode::NoError => {}
            Rcode::NxDomain => return Err(AddressError::NoSuchHost(host.to_string())),
            rcode => {
                return Err(AddressError::Failed {
                    host: host.to_string(),
                    rcode,
                })
            }
        }
        let addresses: Vec<IpAddr> = answer
            .data_for(host)
            .into_iter()
            .filter_map(|d| match d {
                RecordData::A { address } => Some(IpAddr::V4(*address)),
                RecordData::Aaaa { address } => Some(IpAddr::V6(*address)),
                _ => None,
            })
            .collect();
        if addresses.is_empty() {
            return Err(AddressError::NoAddress(host.to_string()));
        }
        Ok(addresses)
    }

    async fn post(&self, query: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let mut response = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, DNS_MESSAGE_MEDIA_TYPE)
            .header(ACCEPT, DNS_MESSAGE_MEDIA_TYPE)
            .body(query)
            .send()
            .await
            .map_err(|e| self.transport_error(&e))?;
        if response.status() != StatusCode::OK {
            return Err(TransportError::Http(response.status().as_u16()));
        }
        // RFC 8484 §6: a DNS message over HTTPS is at most 65535 octets.
        let body = read_bounded(&mut response, mtasts::dns::MAX_MESSAGE_LEN)
            .await
            .map_err(|e| self.transport_error(&e))?;
        if body.truncated {
            return Err(TransportError::Other(format!(
                "the answer from {} is over {} bytes",
                self.url,
                mtasts::dns::MAX_MESSAGE_LEN
            )));
        }
        Ok(body.bytes)
    }

    fn transport_error(&self, e: &reqwest::Error) -> TransportError {
        let why = format!("{} ({})", self.url, root_cause(e));
        if e.is_timeout() {
            TransportError::Timeout
        } else if e.is_connect() {
            TransportError::Unreachable(why)
        } else {
            TransportError::Other(why)
        }
    }
}

const DEFAULT_PORT: u16 = 443;

impl Resolver for DohResolver {
    async fn exchange(&self, query: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        // The client has the same limit; this one also covers reading the body.
        match tokio::time::timeout(self.timeout, self.post(query)).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::Timeout),
        }
    }
}

/// The innermost message of an error chain: what actually went wrong.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    error_chain(e)
        .last()
        .map_or_else(|| e.to_string(), |inner| inner.to_string())
}

/// Why a host name gave no address.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressError {
    /// NXDOMAIN.
    NoSuchHost(String),
    /// The name exists but has no A or AAAA record.
    NoAddress(String),
    /// The resolver answered with another error code, e.g. SERVFAIL.
    Failed {
        /// The host asked for.
        host: String,
        /// The response code.
        rcode: Rcode,
    },
    /// The resolver could not be used.
    Transport(TransportError),
    /// The query could not be made or the answer not read.
    Dns(DnsError),
}

impl AddressError {
    fn rank(&self) -> u8 {
        match self {
            AddressError::Transport(_) => 0,
            AddressError::Dns(_) => 1,
            AddressError::Failed { .. } => 2,
            AddressError::NoSuchHost(_) => 3,
            AddressError::NoAddress(_) => 4,
        }
    }
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::NoSuchHost(host) => write!(f, "{host} does not exist (NXDOMAIN)"),
            AddressError::NoAddress(host) => write!(f, "{host} has no A or AAAA record"),
            AddressError::Failed { host, rcode } => {
                write!(f, "the address lookup of {host} failed with {rcode}")
            }
            AddressError::Transport(e) => e.fmt(f),
            AddressError::Dns(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for AddressError {}
