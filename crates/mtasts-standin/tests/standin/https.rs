//! The HTTPS policy hosts over real TLS, trusting the generated CA.

use std::time::{Duration, Instant};

use rustls::{AlertDescription, CertificateError};
use tokio::net::TcpStream;

use crate::client::*;

#[tokio::test]
async fn serves_the_policy_with_a_valid_certificate() {
    let standin = start(test_zones()).await;
    let response = fetch_policy(&standin, "mta-sts.valid.test").await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("text/plain"));
    assert_eq!(
        response.body,
        b"version: STSv1\r\nmode: enforce\r\nmx: mx1.signed.test\r\nmax_age: 86400\r\n"
    );
    // Control headers never reach the wire.
    assert!(!String::from_utf8_lossy(&response.raw)
        .to_ascii_lowercase()
        .contains("x-standin"));
    // SNI is case-insensitive.
    let upper = fetch_policy(&standin, "MTA-STS.Valid.Test").await.unwrap();
    assert_eq!(upper.body, response.body);
}

#[tokio::test]
async fn sends_the_file_byte_for_byte() {
    let standin = start(test_zones()).await;
    let response = fetch_policy(&standin, "mta-sts.bytes.test").await.unwrap();
    let body = "\u{feff}version: STSv1\n\nmode: testing\r\n";
    let want = format!(
        "HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: {}\n\n{body}",
        body.len()
    );
    assert_eq!(String::from_utf8(response.raw).unwrap(), want);
}

#[tokio::test]
async fn bad_certificates_fail_verification() {
    let standin = start(test_zones()).await;
    for (host, want) in [
        ("mta-sts.expired.test", "expired"),
        ("mta-sts.wrong-name.test", "wrong name"),
        ("mta-sts.untrusted.test", "unknown issuer"),
    ] {
        let error = fetch_policy(&standin, host).await.unwrap_err();
        let got = match tls_error(&error) {
            Some(rustls::Error::InvalidCertificate(
                CertificateError::Expired | CertificateError::ExpiredContext { .. },
            )) => "expired",
            Some(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => "wrong name",
            Some(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {
                "unknown issuer"
            }
            _ => panic!("{host}: unexpected error {error:?}"),
        };
        assert_eq!(got, want, "{host}");
    }
    // No request got through.
    assert_eq!(standin.request_counts().https, 0);
}

#[tokio::test]
async fn hosts_without_a_file_get_a_tls_alert() {
    let standin = start(test_zones()).await;
    let error = fetch_policy(&standin, "mta-sts.signed.test")
        .await
        .unwrap_err();
    assert!(
        matches!(
            tls_error(&error),
            Some(rustls::Error::AlertReceived(AlertDescription::AccessDenied))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn other_paths_and_methods() {
    let standin = start(test_zones()).await;
    for (request, status) in [
        ("GET / HTTP/1.1\r\nHost: mta-sts.valid.test\r\n\r\n", 404),
        ("GET /.well-known/mta-sts.txt.bak HTTP/1.1\r\n\r\n", 404),
        (
            "POST /.well-known/mta-sts.txt HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            405,
        ),
        ("nonsense\r\n\r\n", 400),
    ] {
        let response = https_raw(&standin, "mta-sts.valid.test", request.as_bytes())
            .await
            .unwrap();
        assert_eq!(response.status, status, "{request:?}");
    }
    assert_eq!(standin.request_counts().https, 3);
}

#[tokio::test]
async fn stall_never_answers() {
    let standin = start(test_zones()).await;
    let fetch = fetch_policy(&standin, "mta-sts.stall.test");
    assert!(tokio::time::timeout(SHORT_TIMEOUT, fetch).await.is_err());
    assert_eq!(standin.request_counts().https, 1);
}

#[tokio::test]
async fn delay_is_waited_out() {
    let standin = start(test_zones()).await;
    let started = Instant::now();
    let response = fetch_policy(&standin, "mta-sts.slow.test").await.unwrap();
    assert_eq!(response.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn clients_without_sni_get_no_certificate() {
    let standin = start(test_zones()).await;
    let tcp = TcpStream::connect(standin.https_addr()).await.unwrap();
    // An IP address as server name: rustls sends no SNI.
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    assert!(connector(&standin).connect(name, tcp).await.is_err());
}
