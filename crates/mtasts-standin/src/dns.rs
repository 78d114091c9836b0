//! Plain DNS (RFC 1035 §4.2) on one port, UDP and TCP, answering from the same zones as the
//! DoH server: for clients that cannot speak DoH, such as real senders run as test oracles
//! (c-ares in postfix-mta-sts-resolver and Node's `dns`, glibc's stub resolver).
//!
//! UDP: one datagram in, one out; an answer larger than the client's EDNS payload size (512
//! bytes without EDNS, RFC 1035 §4.2.1; RFC 6891 §6.2.5) goes back as its header alone with TC
//! set, so the client asks again over TCP. TCP: messages with a two-byte length (RFC 1035
//! §4.2.2, RFC 7766), several per connection. A `$TIMEOUT` name gets no answer; a datagram that
//! is no DNS query is dropped.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

use crate::answer::Reply;
use crate::doh::{read_zones, DohState};

/// The largest UDP answer without EDNS (RFC 1035 §4.2.1).
const PLAIN_UDP_LIMIT: usize = 512;

/// Answers datagrams until the task is aborted.
pub(crate) async fn serve_udp(socket: UdpSocket, state: Arc<DohState>) {
    let mut buffer = vec![0u8; 65535];
    loop {
        let Ok((len, peer)) = socket.recv_from(&mut buffer).await else {
            continue;
        };
        let query = buffer.get(..len).unwrap_or_default();
        let answer = read_zones(&state.zones).answer(query);
        let Reply::Message(message) = answer else {
            continue;
        };
        let reply = fit_udp(message, udp_limit(query));
        let _ = socket.send_to(&reply, peer).await;
    }
}

/// Accepts TCP connections until the task is aborted.
pub(crate) async fn serve_tcp(listener: TcpListener, state: Arc<DohState>) {
    crate::accept_each(listener, move |stream| {
        tcp_connection(stream, Arc::clone(&state))
    })
    .await;
}

async fn tcp_connection(mut stream: TcpStream, state: Arc<DohState>) {
    loop {
        let mut length = [0u8; 2];
        if stream.read_exact(&mut length).await.is_err() {
            return;
        }
        let mut query = vec![0u8; usize::from(u16::from_be_bytes(length))];
        if stream.read_exact(&mut query).await.is_err() {
            return;
        }
        // The lock is let go before any await.
        let answer = read_zones(&state.zones).answer(&query);
        let message = match answer {
            Reply::Message(message) => message,
            // A `$TIMEOUT` name: hold the connection until the client gives up.
            Reply::NoAnswer => {
                let _ = stream.read(&mut [0u8; 1]).await;
                return;
            }
            Reply::Malformed => return,
        };
        let Ok(len) = u16::try_from(message.len()) else {
            return;
        };
        let mut framed = len.to_be_bytes().to_vec();
        framed.extend_from_slice(&message);
        if stream.write_all(&framed).await.is_err() {
            return;
        }
    }
}

/// The UDP payload size the query allows: its OPT record's (RFC 6891 §6.2.5), else 512.
fn udp_limit(query: &[u8]) -> usize {
    // An OPT record ends a query that carries one: root owner (0), TYPE 41, CLASS = the size.
    match query.len().checked_sub(11).and_then(|at| query.get(at..)) {
        Some([0, 0, 41, hi, lo, ..]) => {
            usize::from(u16::from_be_bytes([*hi, *lo])).max(PLAIN_UDP_LIMIT)
        }
        _ => PLAIN_UDP_LIMIT,
    }
}

/// `message`, or its header alone with TC set when it is larger than `limit` (RFC 1035 §4.1.1).
fn fit_udp(mut message: Vec<u8>, limit: usize) -> Vec<u8> {
    if message.len() <= limit || message.len() < 12 {
        return message;
    }
    message.truncate(12);
    if let Some(flags) = message.get_mut(2) {
        *flags |= 0x02;
    }
    if let Some(counts) = message.get_mut(4..12) {
        counts.fill(0);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_payload_size_and_truncates_over_it() {
        let header = [0u8; 12];
        let mut with_opt = header.to_vec();
        with_opt.extend_from_slice(&[0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
        for (query, want) in [(header.to_vec(), 512), (with_opt, 1232)] {
            assert_eq!(udp_limit(&query), want);
        }
        let mut big = vec![0xab; 600];
        big[2] = 0x81;
        let cut = fit_udp(big, 512);
        assert_eq!(
            (cut.len(), cut[2] & 0x02, &cut[4..12]),
            (12, 0x02, &[0u8; 8][..])
        );
        assert_eq!(fit_udp(vec![1; 100], 512).len(), 100);
    }
}
