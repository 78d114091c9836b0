//! `mtasts check --smtp`: the STARTTLS probe (RFC 3207) of every MX address, whose results go to
//! the core as [`SmtpProbe`] data ([`mtasts::check::check_smtp`] judges them).
//!
//! Which addresses, and how many at once, is the core's [`mtasts::check::SmtpLimits`]: by
//! default 4 sessions at once, public addresses only, 10 hosts and 2 addresses per host.
//!
//! For each address: connect (to `--smtp-port`, 25 by default), read the greeting, EHLO, and if
//! STARTTLS is offered, STARTTLS and a TLS handshake (rustls, TLS 1.2 and 1.3, SNI = the MX
//! name) that accepts whatever chain the server presents, so that it can be analysed afterwards.
//! The PKIX verdict (RFC 5280 §6) comes from webpki over the public roots and `--ca-file`. Then
//! QUIT: the probe never sends MAIL, RCPT or DATA.
//!
//! What it cannot see: TLS below 1.2. rustls does not speak it, so a server that offers only TLS
//! 1.0 or 1.1 shows up as a handshake that fails for lack of a common version
//! (`smtp.tls-version`), without the version the server would have chosen.

use futures_util::StreamExt;
use mtasts::check::{ProbeResult, SmtpProbe, SmtpTarget, TlsVersion};
use mtasts::PkixVerdict;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The SMTP port (RFC 5321 §4.5.4... and IANA): where senders connect.
pub const DEFAULT_SMTP_PORT: u16 = 25;

/// How long one address's whole probe may take unless `--timeout` says otherwise.
pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(15);

/// The name the probe gives in EHLO (RFC 6761 `.invalid`: it is no mail host).
const EHLO_NAME: &str = "mtasts-probe.invalid";

/// A reply line longer than this ends the probe (RFC 5321 §4.5.3.1.5 allows 512).
const MAX_REPLY_LINE: u64 = 2048;

/// A reply of more lines than this ends the probe.
const MAX_REPLY_LINES: usize = 100;

/// How the probe reaches the MX hosts and what it trusts.
#[derive(Debug, Clone)]
pub struct SmtpProber {
    port: u16,
    timeout: Duration,
    provider: Arc<CryptoProvider>,
    pkix: Arc<WebPkiServerVerifier>,
}

impl SmtpProber {
    /// A prober connecting to `port` with `timeout` per address, judging chains against
    /// `roots`.
    pub fn new(port: u16, timeout: Duration, roots: RootCertStore) -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let pkix =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                .build()
                .map_err(|e| e.to_string())?;
        Ok(SmtpProber {
            port,
            timeout,
            provider,
            pkix,
        })
    }

    /// Probes each of `targets` (as [`mtasts::check::plan_smtp_probes`] chose them), with at
    /// most `max_connections` sessions open at once (at least one); the results come in the
    /// targets' order.
    pub async fn probe_all(
        &self,
        targets: &[SmtpTarget],
        max_connections: usize,
    ) -> Vec<SmtpProbe> {
        futures_util::stream::iter(targets)
            .map(|target| self.probe(target.mx.as_str(), target.address))
            .buffered(max_connections.max(1))
            .collect()
            .await
    }

    /// Probes one address of one MX host.
    pub async fn probe(&self, host: &str, ip: IpAddr) -> SmtpProbe {
        let address = SocketAddr::new(ip, self.port);
        let result = match tokio::time::timeout(self.timeout, self.session(host, address)).await {
            Ok(result) => result,
            Err(_) => ProbeResult::Unreachable {
                reason: format!("no complete answer within {} s", self.timeout.as_secs_f64()),
            },
        };
        SmtpProbe {
            mx: host.to_string(),
            address: address.to_string(),
            result,
        }
    }

    async fn session(&self, host: &str, address: SocketAddr) -> ProbeResult {
        let unreachable = |reason: String| ProbeResult::Unreachable { reason };
        let stream = match TcpStream::connect(address).await {
            Ok(stream) => stream,
            Err(e) => return unreachable(format!("connect: {e}")),
        };
        let mut stream = BufReader::new(stream);
        let banner = match read_reply(&mut stream).await {
            Ok((220, lines)) => lines.join(" "),
            Ok((code, lines)) => {
                return unreachable(format!("the greeting is {code} {}", lines.join(" ")))
            }
            Err(e) => return unreachable(format!("no greeting: {e}")),
        };
        let ehlo = match command(&mut stream, &format!("EHLO {EHLO_NAME}")).await {
            Ok(reply) => reply,
            Err(e) => return unreachable(format!("EHLO: {e}")),
        };
        let offers_starttls = ehlo.0 == 250
            && ehlo.1.iter().any(|line| {
                line.split_whitespace()
                    .next()
                    .is_some_and(|word| word.eq_ignore_ascii_case("STARTTLS"))
            });
        if !offers_starttls {
            let _ = command(&mut stream, "QUIT").await;
            return ProbeResult::NoStarttls {
                banner: Some(banner),
            };
        }
        match command(&mut stream, "STARTTLS").await {
            Ok((220, _)) => {}
            Ok(_) => {
                let _ = command(&mut stream, "QUIT").await;
                return ProbeResult::NoStarttls {
                    banner: Some(banner),
                };
            }
            Err(e) => return unreachable(format!("STARTTLS: {e}")),
        }
        self.handshake(host, stream.into_inner()).await
    }

    async fn handshake(&self, host: &str, stream: TcpStream) -> ProbeResult {
        let Ok(server_name) = ServerName::try_from(host.to_string()) else {
            return ProbeResult::HandshakeFailed {
                reason: format!("{host:?} cannot be sent as SNI"),
                version_refused: false,
            };
        };
        let config = match rustls::ClientConfig::builder_with_provider(Arc::clone(&self.provider))
            .with_safe_default_protocol_versions()
        {
            Ok(builder) => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAny(Arc::clone(&self.provider))))
                .with_no_client_auth(),
            Err(e) => {
                return ProbeResult::HandshakeFailed {
                    reason: e.to_string(),
                    version_refused: false,
                }
            }
        };
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let mut tls = match connector.connect(server_name.clone(), stream).await {
            Ok(tls) => tls,
            Err(e) => {
                let rustls_error = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                    .cloned();
                let version_refused = matches!(
                    rustls_error,
                    Some(rustls::Error::PeerIncompatible(_))
                        | Some(rustls::Error::AlertReceived(
                            rustls::AlertDescription::ProtocolVersion
                        ))
                );
                return ProbeResult::HandshakeFailed {
                    reason: rustls_error.map_or_else(|| e.to_string(), |r| r.to_string()),
                    version_refused,
                };
            }
        };
        let (_, connection) = tls.get_ref();
        let version = match connection.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => TlsVersion::Tls13,
            Some(rustls::ProtocolVersion::TLSv1_2) => TlsVersion::Tls12,
            Some(rustls::ProtocolVersion::TLSv1_1) => TlsVersion::Tls11,
            Some(rustls::ProtocolVersion::TLSv1_0) => TlsVersion::Tls10,
            _ => TlsVersion::Ssl3,
        };
        let chain: Vec<CertificateDer<'static>> = connection
            .peer_certificates()
            .map(|c| c.iter().map(|d| d.clone().into_owned()).collect())
            .unwrap_or_default();
        let pkix = self.pkix_verdict(&chain, &server_name);
        // RFC 5321 §4.1.1.10: end the session; the reply does not matter.
        let _ = tls.write_all(b"QUIT\r\n").await;
        let mut reply = [0u8; 512];
        let _ = tokio::time::timeout(Duration::from_secs(2), tls.read(&mut reply)).await;
        let _ = tls.shutdown().await;
        ProbeResult::Tls {
            version,
            chain: chain.iter().map(|c| c.as_ref().to_vec()).collect(),
            pkix: Some(pkix),
        }
    }

    /// Whether the chain leads to a trusted root. Names and dates are the core's to judge: a
    /// chain that fails only on them is verified again inside the leaf's validity.
    fn pkix_verdict(
        &self,
        chain: &[CertificateDer<'static>],
        name: &ServerName<'static>,
    ) -> PkixVerdict {
        let Some((leaf, intermediates)) = chain.split_first() else {
            return PkixVerdict {
                trusted: false,
                reason: Some("no certificate presented".into()),
            };
        };
        let verify = |at: UnixTime| {
            self.pkix
                .verify_server_cert(leaf, intermediates, name, &[], at)
                .map(|_| ())
        };
        let mut outcome = verify(UnixTime::now());
        if matches!(&outcome, Err(rustls::Error::InvalidCertificate(e)) if is_date(e)) {
            if let Some(inside) = leaf_validity_middle(leaf) {
                outcome = verify(inside);
            }
        }
        match outcome {
            Ok(()) => PkixVerdict {
                trusted: true,
                reason: None,
            },
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => PkixVerdict {
                trusted: true,
                reason: None,
            },
            Err(e) => PkixVerdict {
                trusted: false,
                reason: Some(e.to_string()),
            },
        }
    }
}

fn is_date(e: &CertificateError) -> bool {
    matches!(
        e,
        CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. }
    )
}

/// A time in the middle of the leaf's validity period.
fn leaf_validity_middle(leaf: &CertificateDer<'_>) -> Option<UnixTime> {
    let cert = mtasts::cert::ChainCert::from_der(leaf.as_ref()).ok()?;
    let analysis = mtasts::cert::analyze_cert(&cert, None, 0);
    let middle = analysis.not_before_unix / 2 + analysis.not_after_unix / 2;
    Some(UnixTime::since_unix_epoch(Duration::from_secs(
        u64::try_from(middle).ok()?,
    )))
}

/// Sends one command and reads its reply.
async fn command<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut BufReader<S>,
    line: &str,
) -> std::io::Result<(u16, Vec<String>)> {
    stream
        .get_mut()
        .write_all(format!("{line}\r\n").as_bytes())
        .await?;
    read_reply(stream).await
}

/// Reads one reply (RFC 5321 §4.2.1: `250-…` lines, then `250 …`): its code and the text of
/// each line.
async fn read_reply<S: AsyncRead + Unpin>(
    stream: &mut BufReader<S>,
) -> std::io::Result<(u16, Vec<String>)> {
    let bad = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_string());
    let mut lines = Vec::new();
    loop {
        let mut raw = Vec::new();
        let n = (&mut *stream)
            .take(MAX_REPLY_LINE)
            .read_until(b'\n', &mut raw)
            .await?;
        if n == 0 {
            return Err(bad("the server closed the connection"));
        }
        let text = String::from_utf8_lossy(&raw);
        let text = text.trim_end_matches(['\r', '\n']);
        let code = text
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| bad("not an SMTP reply"))?;
        let separator = text.get(3..4).unwrap_or(" ");
        lines.push(text.get(4..).unwrap_or("").to_string());
        if separator != "-" {
            return Ok((code, lines));
        }
        if lines.len() >= MAX_REPLY_LINES {
            return Err(bad("a reply of too many lines"));
        }
    }
}

/// Accepts any chain (it is judged after the handshake), still checking the handshake
/// signatures with the provider's algorithms.
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
