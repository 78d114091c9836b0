//! Plain DNS (`--dns-port`): the same answers as DoH, over UDP and over TCP.

use domain::base::iana::{Rcode, Rtype};
use domain::base::Message;
use domain::rdata::Txt;
use mtasts_standin::{StandIn, StandInConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::client::*;

fn txt(message: &Message<Vec<u8>>) -> Vec<Vec<u8>> {
    message
        .answer()
        .unwrap()
        .limit_to::<Txt<_>>()
        .map(|r| r.unwrap().data().iter().flatten().copied().collect())
        .collect()
}

#[tokio::test]
async fn answers_over_udp_and_tcp_as_over_doh() {
    let standin = StandIn::start(StandInConfig {
        dns_port: Some(0),
        ..StandInConfig::new(shared_zones())
    })
    .await
    .unwrap();
    let addr = standin.dns_addr().expect("a DNS address");
    for (name, rcode, want) in [
        (
            "_mta-sts.healthy-1mx.test",
            Rcode::NOERROR,
            vec![b"v=STSv1; id=20260101T000000;".to_vec()],
        ),
        (
            "_mta-sts.nothing-here.healthy-1mx.test",
            Rcode::NXDOMAIN,
            vec![],
        ),
        ("_mta-sts.dns-lookup-failed.test", Rcode::SERVFAIL, vec![]),
    ] {
        let question = query(name, Rtype::TXT, Ask::Nothing);
        let doh = resolve(&standin, name, Rtype::TXT, Ask::Nothing).await;

        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        socket.send_to(&question, addr).await.unwrap();
        let mut buffer = vec![0u8; 4096];
        let len = socket.recv(&mut buffer).await.unwrap();
        buffer.truncate(len);
        let udp = Message::from_octets(buffer).unwrap();

        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut framed = u16::try_from(question.len())
            .unwrap()
            .to_be_bytes()
            .to_vec();
        framed.extend_from_slice(&question);
        stream.write_all(&framed).await.unwrap();
        let mut length = [0u8; 2];
        stream.read_exact(&mut length).await.unwrap();
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(length))];
        stream.read_exact(&mut body).await.unwrap();
        let tcp = Message::from_octets(body).unwrap();

        for (transport, answer) in [("udp", &udp), ("tcp", &tcp)] {
            assert_eq!(answer.header().rcode(), rcode, "{name} over {transport}");
            assert_eq!(
                answer.header().id(),
                doh.header().id(),
                "{name} over {transport}"
            );
            assert_eq!(txt(answer), want, "{name} over {transport}");
            assert_eq!(txt(answer), txt(&doh), "{name}: {transport} and DoH agree");
        }
    }
}
