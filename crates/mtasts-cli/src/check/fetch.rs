//! The policy fetch of RFC 8461 §3.3 over reqwest: HTTPS only, no redirects followed, the body
//! read up to [`FETCH_READ_LIMIT`], one time limit over everything (the policy host's DNS
//! lookups included). The policy host's address comes from the check's own DoH resolver, so the
//! fetch sees the same DNS as the rest of the check: handed over by the check, which asks it
//! beside its first round ([`PolicyFetcher::fetch_at`]), or asked here when it had none.

use super::body::read_bounded;
use super::doh::{AddressError, DohResolver};
use super::resolve::ResolveOverride;
use super::tls::classify_tls_error;
use super::{error_chain, SetupError};
use mtasts::check::{FetchError, HttpReply, PolicyFetcher, FETCH_READ_LIMIT};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Fetches policies the way RFC 8461 §3.3 says senders do.
#[derive(Debug, Clone)]
pub struct HttpsFetcher {
    client: reqwest::Client,
    limit: Duration,
    given: Given,
}

/// Addresses the check handed over, by host name (lower case, no root dot).
type Given = Arc<Mutex<HashMap<String, Vec<IpAddr>>>>;

impl HttpsFetcher {
    /// A fetcher that looks policy hosts up through `resolver` (unless an `overrides` entry names
    /// the host), connects to `port` (443 but for test stand-ins and staging hosts; SNI and the
    /// certificate check still use the host name), trusts `tls`'s roots, and gives up after
    /// `limit`.
    pub fn new(
        resolver: DohResolver,
        tls: rustls::ClientConfig,
        overrides: Vec<ResolveOverride>,
        port: u16,
        limit: Duration,
    ) -> Result<HttpsFetcher, SetupError> {
        let given = Given::default();
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            // RFC 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed"; the 3xx is the answer.
            .redirect(reqwest::redirect::Policy::none())
            // Senders connect to the policy host directly.
            .no_proxy()
            .https_only(true)
            .connect_timeout(limit)
            .timeout(limit)
            .user_agent(super::USER_AGENT)
            .dns_resolver(Arc::new(PolicyHostResolver {
                doh: resolver,
                overrides,
                given: Arc::clone(&given),
                port,
            }))
            .build()
            .map_err(|e| SetupError::Client(e.to_string()))?;
        Ok(HttpsFetcher {
            client,
            limit,
            given,
        })
    }

    async fn get(&self, url: &str) -> Result<HttpReply, FetchError> {
        let mut response = self.client.get(url).send().await.map_err(fetch_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                // Header names come lower case from the HTTP library.
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_string(), value)
            })
            .collect();
        let body = read_bounded(&mut response, FETCH_READ_LIMIT)
            .await
            .map_err(fetch_error)?;
        Ok(HttpReply {
            status,
            headers,
            body: body.bytes,
            truncated: body.truncated,
        })
    }
}

impl PolicyFetcher for HttpsFetcher {
    async fn fetch(&self, url: &str) -> Result<HttpReply, FetchError> {
        // RFC 8461 §3.3: senders SHOULD time the fetch out; one limit covers it all.
        match tokio::time::timeout(self.limit, self.get(url)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout),
        }
    }

    fn takes_addresses(&self) -> bool {
        true
    }

    /// Connects to `addresses` (a `--resolve` entry still wins), as `--resolve` would: no lookup
    /// of its own, so the fetch starts one round trip sooner. None: [`fetch`](Self::fetch).
    async fn fetch_at(&self, url: &str, addresses: &[IpAddr]) -> Result<HttpReply, FetchError> {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(host_key));
        if let (Some(host), false) = (host, addresses.is_empty()) {
            if let Ok(mut given) = self.given.lock() {
                given.insert(host, addresses.to_vec());
            }
        }
        self.fetch(url).await
    }
}

/// A host name as the addresses handed over are kept under: lower case, no root dot.
fn host_key(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// What went wrong, from the error chain: the address lookup, the TLS handshake, time, the
/// TCP connection, or something else.
fn fetch_error(e: reqwest::Error) -> FetchError {
    let chain = error_chain(&e);
    if let Some(dns) = chain.iter().find_map(|e| e.downcast_ref::<AddressError>()) {
        return FetchError::Dns {
            detail: dns.to_string(),
        };
    }
    if let Some(tls) = chain.iter().find_map(|e| e.downcast_ref::<rustls::Error>()) {
        return FetchError::Tls {
            class: classify_tls_error(tls),
            detail: tls.to_string(),
        };
    }
    if e.is_timeout() {
        return FetchError::Timeout;
    }
    let detail = chain
        .last()
        .map_or_else(|| e.to_string(), |inner| inner.to_string());
    if e.is_connect() {
        FetchError::Connect { detail }
    } else {
        FetchError::Other { detail }
    }
}

/// The policy client's name resolution: a `--resolve` entry, else the addresses the check handed
/// over, else A and AAAA over DoH. Every address gets the fetch's port (hyper keeps it, as the
/// URL names no port).
struct PolicyHostResolver {
    doh: DohResolver,
    overrides: Vec<ResolveOverride>,
    given: Given,
    port: u16,
}

impl Resolve for PolicyHostResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = String::from(mtasts::DomainName::from_wire(name.as_str()));
        let port = self.port;
        let fixed = self
            .overrides
            .iter()
            .find(|o| o.applies_to(&host, port))
            .map(|o| o.addresses.clone())
            .or_else(|| {
                let given = self.given.lock().ok()?;
                given.get(&host_key(&host)).cloned()
            });
        let doh = self.doh.clone();
        Box::pin(async move {
            let addresses = match fixed {
                Some(addresses) => addresses,
                None => doh.addresses(&host).await?,
            };
            let addrs: Addrs = Box::new(
                addresses
                    .into_iter()
                    .map(move |ip| SocketAddr::new(ip, port)),
            );
            Ok(addrs)
        })
    }
}
