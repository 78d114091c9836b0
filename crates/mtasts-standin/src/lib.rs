//! A local stand-in for the internet, for `mtasts check` in tests and offline: a DoH server
//! (RFC 8484) answering from zone files, HTTPS policy hosts (`mta-sts.<domain>`) with
//! certificates from a test CA generated at start-up, all on 127.0.0.1, and SMTP servers with
//! STARTTLS (RFC 3207) on other loopback addresses, one port for all.
//!
//! A scenario directory (by default `tests/data/zones/`, described in its `README.md`) holds
//! `NAME.zone` files ([`zone`]), `NAME.http` files ([`policy_host`]) and `NAME.smtp` files
//! ([`smtp_host`]). Start the servers on the
//! caller's tokio runtime with [`StandIn::start`]:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use mtasts_standin::{StandIn, StandInConfig};
//! let standin = StandIn::start(StandInConfig::new("tests/data/zones")).await?;
//! println!("{} {} {}", standin.doh_url(), standin.https_port(), standin.ca_pem());
//! standin.stop().await;
//! # Ok(()) }
//! ```
//!
//! Records can be added while it runs, and removed again: A, AAAA, MX, TXT and CNAME records at
//! names inside the zones, which then answer as if the zone file had them (a TXT record added
//! beside another at one name makes an RRset of two). Rust tests call [`StandIn::add_record`] and
//! [`StandIn::remove_records`]; other processes (the Worker's tests) call the control endpoint on
//! the DoH port, [`CONTROL_PATH`], from loopback only:
//!
//! ```text
//! POST   /control/records  {"name": "_mtasts-challenge.healthy-1mx.test", "type": "TXT", "value": "mtasts-verify=abc"}
//!   -> 201 {"name": …, "type": "TXT", "value": …, "ttl": 60, "added": true, "rrset": 1}
//! DELETE /control/records  {"name": "_mtasts-challenge.healthy-1mx.test", "type": "TXT"}
//!   -> 200 {"name": …, "type": "TXT", "removed": 1, "rrset": 0}
//! ```
//!
//! (`value` on DELETE removes only that record; errors are 4xx `{"error": "…"}`, all listed in
//! `tests/data/zones/README.md`.)
//!
//! What it does not do: listen anywhere but loopback, or take control requests from anywhere
//! else or from a web page (no CORS on `/control`); serve DNS over UDP/TCP port 53, DoT or
//! HTTP/2; sign anything (AD is a flag the zone file sets, no RRSIG is ever sent); wildcards or
//! delegations; reload files while running, or remove a zone file's records; keep the CA's
//! private key beyond the process. It is a test fixture, not a resolver: names outside every
//! zone are answered REFUSED.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

pub mod certs;
pub mod policy_host;
pub mod runtime_record;
pub mod scenario;
pub mod smtp_host;
pub mod zone;

mod answer;
mod control;
mod dns;
mod doh;
mod http1;
mod https;
mod smtp;

pub use answer::{RecordSetChange, MAX_ADDED_RECORDS};
pub use certs::{CertKind, WRONG_NAME};
pub use control::CONTROL_PATH;
pub use doh::DOH_PATH;
pub use https::POLICY_PATH;
pub use runtime_record::{RecordError, RecordType, RuntimeRecord, RUNTIME_TTL};
pub use scenario::{load_scenarios, DnsAnswers, LoadError, Scenarios, DEFAULT_ZONES_DIR};
pub use smtp_host::SmtpHost;

/// How to start the stand-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandInConfig {
    /// The scenario directory.
    pub zones_dir: PathBuf,
    /// Milliseconds added before every answer, DoH and HTTPS alike.
    pub delay_ms: u64,
    /// The HTTPS port; `None` for an ephemeral one.
    pub https_port: Option<u16>,
    /// The DoH port; `None` for an ephemeral one.
    pub doh_port: Option<u16>,
    /// The loopback address both servers listen on (127.0.0.1 by default). Another one of
    /// 127.0.0.0/8 lets parallel tests each run a stand-in on port 443; any other address is
    /// refused.
    pub ip: Ipv4Addr,
    /// The port every SMTP server listens on (each on its own address); `None` for a free one.
    pub smtp_port: Option<u16>,
    /// The port of plain DNS, UDP and TCP (`dns.rs`), for clients without DoH: `None` for
    /// none (53 needs the right to bind it).
    pub dns_port: Option<u16>,
}

impl StandInConfig {
    /// Ephemeral ports, no delay, scenarios from `zones_dir`.
    pub fn new(zones_dir: impl Into<PathBuf>) -> Self {
        Self {
            zones_dir: zones_dir.into(),
            delay_ms: 0,
            https_port: None,
            doh_port: None,
            ip: Ipv4Addr::LOCALHOST,
            smtp_port: None,
            dns_port: None,
        }
    }
}

impl Default for StandInConfig {
    fn default() -> Self {
        Self::new(DEFAULT_ZONES_DIR)
    }
}

/// How many requests each server has read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestCounts {
    /// DoH requests (valid or not), counted once the request head is read.
    pub doh: u64,
    /// HTTPS requests after a completed handshake, counted once the request head is read.
    pub https: u64,
}

/// The counters the servers share.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) doh: AtomicU64,
    pub(crate) https: AtomicU64,
}

/// The running stand-in. Dropping it stops the servers too (without waiting for them).
#[derive(Debug)]
pub struct StandIn {
    doh_addr: SocketAddr,
    dns_addr: Option<SocketAddr>,
    https_addr: SocketAddr,
    ca_pem: String,
    ca_der: Vec<u8>,
    zones: Vec<String>,
    answers: Arc<RwLock<answer::Zones>>,
    policy_hosts: Vec<String>,
    named_hosts: Vec<String>,
    smtp_port: u16,
    smtp_hosts: Vec<SmtpHost>,
    counters: Arc<Counters>,
    tasks: Vec<JoinHandle<()>>,
}

impl StandIn {
    /// Loads the scenarios, makes the certificates and starts both servers on the current
    /// tokio runtime. Scenario errors come back as [`io::ErrorKind::InvalidData`] wrapping a
    /// [`LoadError`].
    pub async fn start(config: StandInConfig) -> io::Result<StandIn> {
        if !config.ip.is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a loopback address", config.ip),
            ));
        }
        let scenarios = load_scenarios(&config.zones_dir).map_err(invalid_data)?;
        let zones_index = scenarios.index().map_err(invalid_data)?;
        let now = time::OffsetDateTime::now_utc();
        let ca = certs::TestCa::generate(now).map_err(io::Error::other)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut keys = std::collections::BTreeMap::new();
        for (host, policy) in &scenarios.policy_hosts {
            let key = ca
                .leaf(host, policy.cert, now, &provider)
                .map_err(io::Error::other)?;
            keys.insert(host.clone(), key);
        }
        let tls_config = https::server_config(Arc::clone(&provider), https::SniResolver { keys })
            .map_err(io::Error::other)?;

        let delay = Duration::from_millis(config.delay_ms);
        let counters = Arc::new(Counters::default());
        let doh_listener = bind(config.ip, config.doh_port).await?;
        let https_listener = bind(config.ip, config.https_port).await?;
        let (smtp_port, smtp_listeners) =
            bind_smtp(&scenarios.smtp_hosts, config.smtp_port).await?;
        let mut smtp_servers = Vec::new();
        for host in &scenarios.smtp_hosts {
            let key = match &host.key {
                Some(path) => {
                    let path = config.zones_dir.join(path);
                    let pem = std::fs::read_to_string(&path).map_err(|e| {
                        io::Error::new(e.kind(), format!("{}: {e}", path.display()))
                    })?;
                    rcgen::KeyPair::from_pem(&pem).map_err(|e| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("{}: {e}", path.display()),
                        )
                    })?
                }
                None => rcgen::KeyPair::generate().map_err(io::Error::other)?,
            };
            let certified = ca
                .leaf_with_key(&host.host, host.cert, now, &provider, key)
                .map_err(io::Error::other)?;
            let tls = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
                .with_safe_default_protocol_versions()
                .map_err(io::Error::other)?
                .with_no_client_auth()
                .with_cert_resolver(Arc::new(smtp::OneCert(certified)));
            smtp_servers.push(Arc::new(smtp::SmtpServer {
                host: host.host.clone(),
                starttls: host.starttls,
                tls: Arc::new(tls),
            }));
        }
        let doh_addr = doh_listener.local_addr()?;
        let https_addr = https_listener.local_addr()?;

        let zones = scenarios.zones.iter().map(|z| z.apex.to_string()).collect();
        let policy_hosts = scenarios.policy_hosts.keys().cloned().collect();
        let named_hosts = named_policy_hosts(&scenarios);
        let answers = Arc::new(RwLock::new(zones_index));
        let doh_state = Arc::new(doh::DohState {
            zones: Arc::clone(&answers),
            delay,
            counters: Arc::clone(&counters),
        });
        let https_state = Arc::new(https::HttpsState {
            hosts: scenarios.policy_hosts,
            delay,
            counters: Arc::clone(&counters),
        });
        let mut tasks = vec![
            tokio::spawn(doh::serve(doh_listener, Arc::clone(&doh_state))),
            tokio::spawn(https::serve(
                https_listener,
                TlsAcceptor::from(tls_config),
                https_state,
            )),
        ];
        for (listener, server) in smtp_listeners.into_iter().zip(smtp_servers) {
            tasks.push(tokio::spawn(smtp::serve(listener, server)));
        }
        let mut dns_addr = None;
        if let Some(port) = config.dns_port {
            let tcp = bind(config.ip, Some(port)).await?;
            dns_addr = Some(tcp.local_addr()?);
            let udp = tokio::net::UdpSocket::bind((config.ip, tcp.local_addr()?.port()))
                .await
                .map_err(|e| {
                    io::Error::new(e.kind(), format!("binding udp {}:{port}: {e}", config.ip))
                })?;
            tasks.push(tokio::spawn(dns::serve_udp(udp, Arc::clone(&doh_state))));
            tasks.push(tokio::spawn(dns::serve_tcp(tcp, Arc::clone(&doh_state))));
        }
        Ok(StandIn {
            doh_addr,
            dns_addr,
            https_addr,
            ca_pem: ca.pem().to_owned(),
            ca_der: ca.der().to_vec(),
            zones,
            answers,
            policy_hosts,
            named_hosts,
            smtp_port,
            smtp_hosts: scenarios.smtp_hosts,
            counters,
            tasks,
        })
    }

    /// The DoH endpoint, `http://127.0.0.1:PORT/dns-query` (or the configured loopback address).
    pub fn doh_url(&self) -> String {
        format!("http://{}{DOH_PATH}", self.doh_addr)
    }

    /// The plain DNS server's address (UDP and TCP, one port), when one was asked for.
    pub fn dns_addr(&self) -> Option<SocketAddr> {
        self.dns_addr
    }

    /// The DoH server's address.
    pub fn doh_addr(&self) -> SocketAddr {
        self.doh_addr
    }

    /// The HTTPS server's port.
    pub fn https_port(&self) -> u16 {
        self.https_addr.port()
    }

    /// The HTTPS server's address.
    pub fn https_addr(&self) -> SocketAddr {
        self.https_addr
    }

    /// The test CA's certificate, PEM: what a client trusts to reach the policy hosts.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The test CA's certificate, DER.
    pub fn ca_der(&self) -> &[u8] {
        &self.ca_der
    }

    /// The zones served, in file-name order.
    pub fn zones(&self) -> &[String] {
        &self.zones
    }

    /// Adds `record` to the DNS answers at once: the next query sees it, beside the zone
    /// file's records of its name and type. A record already there is not added twice
    /// (`changed` is 0). Refused for a name outside every zone, a `$SERVFAIL`/`$TIMEOUT` name,
    /// a CNAME beside other data, or after [`MAX_ADDED_RECORDS`].
    pub fn add_record(&self, record: &RuntimeRecord) -> Result<RecordSetChange, RecordError> {
        self.answers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .add(record)
    }

    /// Removes the records of `rtype` at `name` added at run time: the one with `value`, or
    /// all of them (`changed` says how many; 0 is no error). The zone files' records stay.
    pub fn remove_records(
        &self,
        name: &str,
        rtype: RecordType,
        value: Option<&str>,
    ) -> Result<RecordSetChange, RecordError> {
        self.answers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name, rtype, value)
    }

    /// The record control endpoint, `http://127.0.0.1:PORT/control/records` (see the crate docs).
    pub fn control_url(&self) -> String {
        format!("http://{}{CONTROL_PATH}", self.doh_addr)
    }

    /// The policy hosts served (`mta-sts.NAME`), in order.
    pub fn policy_hosts(&self) -> &[String] {
        &self.policy_hosts
    }

    /// An `/etc/hosts` file (hosts(5)) for clients that resolve names with the system's
    /// resolver rather than the stand-in's DoH (workerd's `fetch`, run in a mount namespace
    /// with this file over `/etc/hosts`): `localhost`, then every policy host `mta-sts.NAME`
    /// served or given an address by its zone, at the HTTPS server's address. A host the zone
    /// names without a `.http` file is listed too, so its fetch fails at TLS, as over DoH.
    pub fn hosts_file(&self) -> String {
        let ip = self.https_addr.ip();
        let mut text = format!(
            "# mtasts-standin: the policy hosts of the scenarios, at the HTTPS server ({})\n\
             127.0.0.1 localhost\n::1 localhost\n",
            self.https_addr
        );
        for host in &self.named_hosts {
            text.push_str(&format!("{ip} {host}\n"));
        }
        text
    }

    /// The port every SMTP server listens on (0 when there is none).
    pub fn smtp_port(&self) -> u16 {
        self.smtp_port
    }

    /// The SMTP servers, each on its own loopback address.
    pub fn smtp_hosts(&self) -> &[SmtpHost] {
        &self.smtp_hosts
    }

    /// The requests read so far.
    pub fn request_counts(&self) -> RequestCounts {
        RequestCounts {
            doh: self.counters.doh.load(Ordering::Relaxed),
            https: self.counters.https.load(Ordering::Relaxed),
        }
    }

    /// The requests read so far, DoH and HTTPS together.
    pub fn requests_served(&self) -> u64 {
        let counts = self.request_counts();
        counts.doh + counts.https
    }

    /// Stops both servers and waits until their ports are closed.
    pub async fn stop(mut self) {
        let tasks = std::mem::take(&mut self.tasks);
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn bind(ip: Ipv4Addr, port: Option<u16>) -> io::Result<TcpListener> {
    let port = port.unwrap_or(0);
    TcpListener::bind((ip, port))
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("binding {ip}:{port}: {e}")))
}

/// One listener per SMTP server, each on its own address and all on one port: `port`, or a
/// free port of the first address that the others have free too (a few tries).
async fn bind_smtp(hosts: &[SmtpHost], port: Option<u16>) -> io::Result<(u16, Vec<TcpListener>)> {
    let Some(first) = hosts.first() else {
        return Ok((0, Vec::new()));
    };
    let mut last_error = None;
    for _ in 0..8 {
        let head = bind(first.address, port).await?;
        let chosen = head.local_addr()?.port();
        let mut listeners = vec![head];
        let mut failed = None;
        for host in hosts.iter().skip(1) {
            match bind(host.address, Some(chosen)).await {
                Ok(listener) => listeners.push(listener),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        match failed {
            None => return Ok((chosen, listeners)),
            Some(e) if port.is_some() => return Err(e),
            Some(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no common SMTP port")))
}

/// The policy hosts a client must find: every `.http` file's host, and every `mta-sts.NAME`
/// with an A record in the zone `NAME`; sorted, without repeats.
fn named_policy_hosts(scenarios: &Scenarios) -> Vec<String> {
    let mut hosts: std::collections::BTreeSet<String> =
        scenarios.policy_hosts.keys().cloned().collect();
    for zone in &scenarios.zones {
        let host = format!("mta-sts.{}", zone.apex).to_ascii_lowercase();
        let has_address = zone.records.iter().any(|record| {
            matches!(record.data, zone::RecordData::A(_))
                && record.owner.to_string().eq_ignore_ascii_case(&host)
        });
        if has_address {
            hosts.insert(host);
        }
    }
    hosts.into_iter().collect()
}

fn invalid_data(error: LoadError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}

/// Accepts connections on `listener` until the task is aborted, running `handle` on each one in
/// a set that aborting the task aborts too. Every server of the stand-in runs on this loop.
pub(crate) async fn accept_each<F, Fut>(listener: TcpListener, mut handle: F)
where
    F: FnMut(tokio::net::TcpStream) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors or similar: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        // Reap finished connections so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
        connections.spawn(handle(stream));
    }
}
