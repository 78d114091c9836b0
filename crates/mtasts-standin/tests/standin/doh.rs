//! The DoH server: real queries in, real answers out.

use std::time::{Duration, Instant};

use domain::base::iana::{Rcode, Rtype};
use domain::base::{Message, ParsedName};
use domain::rdata::{AllRecordData, Txt};
use mtasts_standin::{RequestCounts, StandIn, StandInConfig};
use tokio::net::TcpStream;

use crate::client::*;

/// Every record of a section as `owner TYPE data` in presentation format.
fn section(message: &Message<Vec<u8>>, authority: bool) -> Vec<String> {
    let section = if authority {
        message.authority().unwrap()
    } else {
        message.answer().unwrap()
    };
    section
        .limit_to::<AllRecordData<_, ParsedName<_>>>()
        .map(|record| {
            let record = record.unwrap();
            format!("{} {} {}", record.owner(), record.rtype(), record.data())
        })
        .collect()
}

/// The character-strings of each TXT record in the answer.
fn txt_strings(message: &Message<Vec<u8>>) -> Vec<Vec<Vec<u8>>> {
    message
        .answer()
        .unwrap()
        .limit_to::<Txt<_>>()
        .map(|record| record.unwrap().data().iter().map(<[u8]>::to_vec).collect())
        .collect()
}

#[tokio::test]
async fn txt_records_keep_their_split_strings() {
    let standin = start(test_zones()).await;
    for (name, want) in [
        (
            "_mta-sts.signed.test",
            vec![vec![b"v=STSv1; ".to_vec(), b"id=20260101T000000;".to_vec()]],
        ),
        (
            "quoted.signed.test",
            vec![vec![b"say \"hi\"\\".to_vec(), b";\0end".to_vec()]],
        ),
    ] {
        let answer = resolve(&standin, name, Rtype::TXT, Ask::Nothing).await;
        assert_eq!(answer.header().rcode(), Rcode::NOERROR, "{name}");
        assert_eq!(txt_strings(&answer), want, "{name}");
    }
}

#[tokio::test]
async fn answers_from_the_zones() {
    let standin = start(test_zones()).await;
    for (name, rtype, rcode, answer, authority) in [
        (
            "signed.test",
            Rtype::MX,
            Rcode::NOERROR,
            vec!["signed.test MX 10 mx1.signed.test.", "signed.test MX 20 mx2.plain.test."],
            vec![],
        ),
        // RFC 7505: the null MX.
        ("plain.test", Rtype::MX, Rcode::NOERROR, vec!["plain.test MX 0 ."], vec![]),
        (
            "mx1.signed.test",
            Rtype::AAAA,
            Rcode::NOERROR,
            vec!["mx1.signed.test AAAA 2001:db8::1"],
            vec![],
        ),
        (
            "alias.signed.test",
            Rtype::A,
            Rcode::NOERROR,
            vec![
                "alias.signed.test CNAME mx-alias.signed.test.",
                "mx-alias.signed.test CNAME mx1.signed.test.",
                "mx1.signed.test A 192.0.2.1",
            ],
            vec![],
        ),
        (
            "cross.signed.test",
            Rtype::A,
            Rcode::NOERROR,
            vec!["cross.signed.test CNAME mx1.plain.test.", "mx1.plain.test A 192.0.2.2"],
            vec![],
        ),
        (
            "_25._tcp.mx1.signed.test",
            Rtype::TLSA,
            Rcode::NOERROR,
            vec!["_25._tcp.mx1.signed.test TLSA 3 1 1 ( 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6 )"],
            vec![],
        ),
        // NODATA: the name exists, the type does not.
        (
            "mx1.signed.test",
            Rtype::TXT,
            Rcode::NOERROR,
            vec![],
            vec!["signed.test SOA ns1.signed.test. hostmaster.signed.test. 1 7200 3600 1209600 120"],
        ),
        (
            "nope.signed.test",
            Rtype::A,
            Rcode::NXDOMAIN,
            vec![],
            vec!["signed.test SOA ns1.signed.test. hostmaster.signed.test. 1 7200 3600 1209600 120"],
        ),
        ("nope.plain.test", Rtype::A, Rcode::NXDOMAIN, vec![], vec![]),
        ("broken.signed.test", Rtype::TXT, Rcode::SERVFAIL, vec![], vec![]),
        ("example.com", Rtype::MX, Rcode::REFUSED, vec![], vec![]),
    ] {
        let message = resolve(&standin, name, rtype, Ask::Nothing).await;
        let header = message.header();
        assert!(header.qr() && header.ra() && header.rd() && !header.aa(), "{name} {rtype}");
        assert_eq!(header.rcode(), rcode, "{name} {rtype}");
        assert_eq!(section(&message, false), answer, "{name} {rtype}");
        assert_eq!(section(&message, true), authority, "{name} {rtype}");
        let question = message.sole_question().unwrap();
        assert_eq!(question.qname().to_string(), name);
        assert_eq!(question.qtype(), rtype);
    }
}

#[tokio::test]
async fn ad_only_for_signed_zones_and_only_when_asked() {
    let standin = start(test_zones()).await;
    for (name, ask, want_ad) in [
        ("signed.test", Ask::Nothing, false),
        ("signed.test", Ask::Ad, true),
        ("signed.test", Ask::Do, true),
        ("nope.signed.test", Ask::Ad, true),
        ("alias.signed.test", Ask::Ad, true),
        // A chain through an unsigned zone is not validated.
        ("cross.signed.test", Ask::Ad, false),
        ("plain.test", Ask::Nothing, false),
        ("plain.test", Ask::Ad, false),
        ("plain.test", Ask::Do, false),
        ("broken.signed.test", Ask::Ad, false),
    ] {
        let message = resolve(&standin, name, Rtype::MX, ask).await;
        assert_eq!(message.header().ad(), want_ad, "{name} {ask:?}");
        // An EDNS query gets OPT back with DO copied; a plain one gets none.
        assert_eq!(
            message.opt().map(|opt| opt.dnssec_ok()),
            (ask == Ask::Do).then_some(true),
            "{name} {ask:?}"
        );
    }
}

#[tokio::test]
async fn timeout_names_never_answer() {
    let standin = start(test_zones()).await;
    let mut stream = TcpStream::connect(standin.doh_addr()).await.unwrap();
    let request = post_request(&query("slow.signed.test", Rtype::A, Ask::Nothing));
    let result = tokio::time::timeout(SHORT_TIMEOUT, exchange(&mut stream, &request)).await;
    assert!(result.is_err(), "answered: {result:?}");
    assert_eq!(standin.request_counts().doh, 1);
}

#[tokio::test]
async fn get_and_post_on_one_connection() {
    let standin = start(test_zones()).await;
    let query = query("mx1.signed.test", Rtype::A, Ask::Nothing);
    let get = doh_raw(&standin, &get_request(&query)).await;
    assert_eq!(get.status, 200);
    let post = doh_raw(&standin, &post_request(&query)).await;
    assert_eq!(get.body, post.body);

    // Keep-alive: two requests, then Connection: close ends it.
    let keep = String::from_utf8(get_request(&query))
        .unwrap()
        .replace("Connection: close\r\n", "");
    let mut both = keep.into_bytes();
    both.extend_from_slice(&post_request(&query));
    let mut stream = TcpStream::connect(standin.doh_addr()).await.unwrap();
    let raw = exchange(&mut stream, &both).await;
    let first = parse_response(&raw);
    let second = parse_response(&raw[first.len..]);
    assert_eq!(first.status, 200);
    assert_eq!(second.status, 200);
    assert_eq!(first.body, post.body);
    assert_eq!(standin.request_counts(), RequestCounts { doh: 4, https: 0 });
}

#[tokio::test]
async fn refuses_bad_requests() {
    let standin = start(test_zones()).await;
    let query = query("signed.test", Rtype::MX, Ask::Nothing);
    let oversized_head = format!(
        "GET /dns-query HTTP/1.1\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(9000)
    );
    for (request, status) in [
        (b"GET /other HTTP/1.1\r\n\r\n".to_vec(), 404),
        (b"PUT /dns-query HTTP/1.1\r\nContent-Length: 0\r\n\r\n".to_vec(), 405),
        (b"GET /dns-query HTTP/1.1\r\n\r\n".to_vec(), 400),
        (b"GET /dns-query?dns=%%% HTTP/1.1\r\n\r\n".to_vec(), 400),
        (
            String::from_utf8(post_request(&query))
                .unwrap()
                .replace("application/dns-message\r\nAccept", "text/plain\r\nAccept")
                .into_bytes(),
            415,
        ),
        (
            b"POST /dns-query HTTP/1.1\r\nContent-Type: application/dns-message\r\n\r\n".to_vec(),
            411,
        ),
        (
            b"POST /dns-query HTTP/1.1\r\nContent-Type: application/dns-message\r\nContent-Length: 70000\r\n\r\n".to_vec(),
            413,
        ),
        // Shorter than a DNS header.
        (post_request(b"short"), 400),
        (oversized_head.into_bytes(), 413),
        (b"\x16\x03\x01 garbage\r\n\r\n".to_vec(), 400),
    ] {
        let response = doh_raw(&standin, &request).await;
        assert_eq!(
            response.status,
            status,
            "{}",
            String::from_utf8_lossy(&request[..request.len().min(60)])
        );
    }
}

/// CORS as public resolvers answer it: a page on another origin may POST and read the answer.
#[tokio::test]
async fn cors_for_web_pages() {
    let standin = start(test_zones()).await;
    let query = query("signed.test", Rtype::MX, Ask::Nothing);
    // The preflight of `fetch(url, { method: "POST", headers: { "content-type": ... } })`.
    let preflight = doh_raw(
        &standin,
        b"OPTIONS /dns-query HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1:8787\r\n\
          Access-Control-Request-Method: POST\r\n\
          Access-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    let methods = preflight.header("access-control-allow-methods").unwrap();
    assert!(
        methods.contains("GET") && methods.contains("POST"),
        "{methods}"
    );
    let headers = preflight
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        headers.contains("content-type") && headers.contains("accept"),
        "{headers}"
    );
    assert!(preflight.body.is_empty());
    assert_eq!(
        preflight.header("content-length"),
        None,
        "no Content-Length on a 204"
    );

    // Answers and errors, GET and POST: readable from any origin.
    for (request, status) in [
        (post_request(&query), 200),
        (get_request(&query), 200),
        (b"GET /dns-query HTTP/1.1\r\n\r\n".to_vec(), 400),
        (
            String::from_utf8(post_request(&query))
                .unwrap()
                .replace("application/dns-message\r\nAccept", "text/plain\r\nAccept")
                .into_bytes(),
            415,
        ),
    ] {
        let response = doh_raw(&standin, &request).await;
        assert_eq!(response.status, status);
        assert_eq!(
            response.header("access-control-allow-origin"),
            Some("*"),
            "{status}"
        );
    }

    // The preflight keeps the connection open for the POST that follows it.
    let mut both = b"OPTIONS /dns-query HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec();
    both.extend_from_slice(&post_request(&query));
    let mut stream = TcpStream::connect(standin.doh_addr()).await.unwrap();
    let raw = exchange(&mut stream, &both).await;
    let first = parse_response(&raw);
    let second = parse_response(&raw[first.len..]);
    assert_eq!((first.status, second.status), (204, 200));
    // OPTIONS elsewhere is no preflight of this server's.
    let other = doh_raw(&standin, b"OPTIONS /other HTTP/1.1\r\n\r\n").await;
    assert_eq!(other.status, 404);
}

#[tokio::test]
async fn delay_applies_to_every_request() {
    let mut config = StandInConfig::new(test_zones());
    config.delay_ms = 200;
    let standin = StandIn::start(config).await.unwrap();
    let started = Instant::now();
    resolve(&standin, "signed.test", Rtype::MX, Ask::Nothing).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    standin.stop().await;
}

#[tokio::test]
async fn stop_closes_the_ports() {
    let standin = start(test_zones()).await;
    let (doh, https) = (standin.doh_addr(), standin.https_addr());
    assert!(standin.doh_url().starts_with("http://127.0.0.1:"));
    assert!(standin.doh_url().ends_with("/dns-query"));
    standin.stop().await;
    assert!(TcpStream::connect(doh).await.is_err());
    assert!(TcpStream::connect(https).await.is_err());
}

#[tokio::test]
async fn listens_on_loopback_only() {
    let mut config = StandInConfig::new(test_zones());
    config.ip = std::net::Ipv4Addr::new(127, 0, 0, 2);
    let standin = StandIn::start(config.clone()).await.unwrap();
    assert_eq!(standin.doh_addr().ip().to_string(), "127.0.0.2");
    assert_eq!(standin.https_addr().ip().to_string(), "127.0.0.2");
    resolve(&standin, "signed.test", Rtype::MX, Ask::Nothing).await;
    config.ip = std::net::Ipv4Addr::UNSPECIFIED;
    let error = StandIn::start(config).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

#[tokio::test]
async fn scenario_errors_name_the_file_and_line() {
    let dir = std::env::temp_dir().join(format!("mtasts-standin-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.test.zone"),
        "@ MX 10 mx
mx A 192.0.2
",
    )
    .unwrap();
    let error = StandIn::start(StandInConfig::new(&dir)).await.unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    let message = error.to_string();
    assert!(
        message.contains("bad.test.zone: line 2: ")
            && message.ends_with("expected IPv4 address: \"mx A 192.0.2\""),
        "{message}"
    );
}
