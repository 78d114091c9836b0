//! The HTTPS policy hosts: one TLS listener that picks each host's certificate by SNI, then
//! answers `GET /.well-known/mta-sts.txt` with the bytes of the host's `.http` file and closes.
//!
//! - A host without a `.http` file (or a client without SNI) gets no certificate: rustls ends
//!   the handshake with a fatal `access_denied` alert.
//! - Other paths get 404, other methods 405; a head over 8 KiB gets 413, garbage 400.
//! - The configured delay and the file's `X-Standin-Delay-Ms` are waited out after the request
//!   is read; `X-Standin-Stall: yes` reads the request and then never answers.
//! - HTTP/1.1 only (no ALPN is negotiated, so clients fall back to HTTP/1.1).

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::http1::{error_response, Connection, ReadError};
use crate::policy_host::PolicyHost;
use crate::Counters;

/// The only path that gets a policy (RFC 8461 §3.3).
pub const POLICY_PATH: &str = "/.well-known/mta-sts.txt";

/// How long a client may take to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What every HTTPS connection shares.
pub(crate) struct HttpsState {
    /// Policy hosts by lower-case host name.
    pub(crate) hosts: BTreeMap<String, PolicyHost>,
    pub(crate) delay: Duration,
    pub(crate) counters: Arc<Counters>,
}

/// Picks the certificate by SNI.
#[derive(Debug)]
pub(crate) struct SniResolver {
    /// Certificates by lower-case host name.
    pub(crate) keys: BTreeMap<String, Arc<CertifiedKey>>,
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let name = client_hello.server_name()?.to_ascii_lowercase();
        self.keys.get(&name).cloned()
    }
}

/// The TLS configuration: ring, the safe default protocol versions, certificates by SNI.
pub(crate) fn server_config(
    provider: Arc<CryptoProvider>,
    resolver: SniResolver,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    Ok(Arc::new(config))
}

/// Accepts connections until the task is aborted; aborting it aborts every connection.
pub(crate) async fn serve(listener: TcpListener, acceptor: TlsAcceptor, state: Arc<HttpsState>) {
    crate::accept_each(listener, move |stream| {
        connection(stream, acceptor.clone(), Arc::clone(&state))
    })
    .await;
}

async fn connection(stream: TcpStream, acceptor: TlsAcceptor, state: Arc<HttpsState>) {
    let _ = stream.set_nodelay(true);
    let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await else {
        return;
    };
    let host = tls
        .get_ref()
        .1
        .server_name()
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let mut connection = Connection::new(tls);
    let reply = match connection.read_head().await {
        Ok(head) => {
            state.counters.https.fetch_add(1, Ordering::Relaxed);
            match state.hosts.get(&host) {
                Some(policy) => {
                    let delay = state.delay + policy.delay;
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    if policy.stall {
                        connection.wait_for_close().await;
                        return;
                    }
                    if head.method != "GET" {
                        error_response(405, "Method Not Allowed")
                    } else if head.path() != POLICY_PATH {
                        error_response(404, "Not Found")
                    } else {
                        policy.response.clone()
                    }
                }
                // The resolver hands out certificates for known hosts only, so this does not
                // happen; RFC 9110 §15.5.20 is the answer for a host this server does not serve.
                None => error_response(421, "Misdirected Request"),
            }
        }
        Err(ReadError::Closed | ReadError::Io) => return,
        Err(ReadError::TooLarge) => error_response(413, "Content Too Large"),
        Err(ReadError::Malformed) => error_response(400, "Bad Request"),
    };
    if connection.write(&reply).await.is_ok() {
        // Send close_notify, so the client sees a clean end of the response.
        let _ = connection.stream.shutdown().await;
    }
}
