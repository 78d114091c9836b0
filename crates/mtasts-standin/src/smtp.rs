//! The SMTP servers: port-25 stand-ins that speak just enough ESMTP for a STARTTLS probe
//! (RFC 5321 greeting, EHLO/HELO, NOOP, RSET, QUIT; RFC 3207 STARTTLS) and never take mail.
//!
//! Each server of a `NAME.smtp` file listens on its own loopback address; all share one port, so
//! a client reaches each MX host through its A record and one `--smtp-port`.
//!
//! - The greeting is `220 HOST ESMTP mtasts-standin`.
//! - EHLO lists `PIPELINING`, `8BITMIME` and, for servers with `starttls=yes` before TLS,
//!   `STARTTLS`. STARTTLS otherwise gets `502 5.5.1`.
//! - After `220 2.0.0 Ready to start TLS` the server presents its certificate (no SNI needed:
//!   one certificate per address); TLS 1.2 and 1.3 only, because rustls speaks nothing older
//!   (so no stand-in offers TLS 1.1: `smtp.tls-version` is tested with probe results as data).
//! - MAIL, RCPT and DATA get `554 5.7.1 this stand-in takes no mail`; anything else `500 5.5.2`.
//! - A command line over 1000 octets (RFC 5321 §4.5.3.1.4) gets `500 5.5.6` and the connection
//!   closes; so does a client silent for 30 seconds.

use std::sync::Arc;
use std::time::Duration;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets; the server takes up to 1000.
const MAX_LINE: u64 = 1000;

/// How long a client may stay silent.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// One server's identity and behaviour.
pub(crate) struct SmtpServer {
    pub(crate) host: String,
    pub(crate) starttls: bool,
    pub(crate) tls: Arc<ServerConfig>,
}

/// The one certificate of a server, whatever the client's SNI says.
#[derive(Debug)]
pub(crate) struct OneCert(pub(crate) Arc<CertifiedKey>);

impl ResolvesServerCert for OneCert {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

/// What the command loop ended with.
enum Next {
    StartTls,
    Close,
}

/// Accepts connections until the task is aborted; aborting it aborts every connection.
pub(crate) async fn serve(listener: TcpListener, server: Arc<SmtpServer>) {
    crate::accept_each(listener, move |stream| {
        connection(stream, Arc::clone(&server))
    })
    .await;
}

async fn connection(stream: TcpStream, server: Arc<SmtpServer>) {
    let _ = stream.set_nodelay(true);
    let mut plain = BufReader::new(stream);
    let greeting = format!("220 {} ESMTP mtasts-standin\r\n", server.host);
    if plain
        .get_mut()
        .write_all(greeting.as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let Ok(Next::StartTls) = commands(&mut plain, &server, server.starttls).await else {
        return;
    };
    // RFC 3207 §4.2: anything the client pipelined after STARTTLS is discarded.
    let stream = plain.into_inner();
    let acceptor = TlsAcceptor::from(Arc::clone(&server.tls));
    let Ok(Ok(tls)) = tokio::time::timeout(IDLE_TIMEOUT, acceptor.accept(stream)).await else {
        return;
    };
    let mut tls = BufReader::new(tls);
    if let Ok(Next::Close) = commands(&mut tls, &server, false).await {
        let _ = tls.get_mut().shutdown().await;
    }
}

/// Answers commands until QUIT, STARTTLS (when `offer_starttls`), an error or silence.
async fn commands<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut BufReader<S>,
    server: &SmtpServer,
    offer_starttls: bool,
) -> std::io::Result<Next> {
    loop {
        let mut line = Vec::new();
        let read = tokio::time::timeout(
            IDLE_TIMEOUT,
            (&mut *stream)
                .take(MAX_LINE + 1)
                .read_until(b'\n', &mut line),
        )
        .await;
        let Ok(Ok(n)) = read else {
            return Ok(Next::Close);
        };
        if n == 0 {
            return Ok(Next::Close);
        }
        if !line.ends_with(b"\n") {
            stream
                .get_mut()
                .write_all(b"500 5.5.6 line too long\r\n")
                .await?;
            return Ok(Next::Close);
        }
        let text = String::from_utf8_lossy(&line);
        let verb = text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => {
                let mut reply = format!("250-{}\r\n250-PIPELINING\r\n", server.host);
                if offer_starttls {
                    reply.push_str("250-STARTTLS\r\n");
                }
                reply.push_str("250 8BITMIME\r\n");
                reply
            }
            "HELO" => format!("250 {}\r\n", server.host),
            "NOOP" | "RSET" => "250 2.0.0 OK\r\n".to_string(),
            "STARTTLS" if offer_starttls => {
                stream
                    .get_mut()
                    .write_all(b"220 2.0.0 Ready to start TLS\r\n")
                    .await?;
                return Ok(Next::StartTls);
            }
            "STARTTLS" => "502 5.5.1 STARTTLS not offered\r\n".to_string(),
            "QUIT" => {
                stream.get_mut().write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(Next::Close);
            }
            "MAIL" | "RCPT" | "DATA" => "554 5.7.1 this stand-in takes no mail\r\n".to_string(),
            _ => "500 5.5.2 command not recognized\r\n".to_string(),
        };
        stream.get_mut().write_all(reply.as_bytes()).await?;
    }
}
