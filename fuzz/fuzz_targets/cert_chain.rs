//! `lint_cert_chain` on any bytes, PEM or DER, against a host, a time and a TLSA record.
//! Invariant: a chain that parses reads the same from its DER and from its PEM, and lints the
//! same from both.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts::cert::parse_chain;
use mtasts::{lint_cert_chain, CertCheck, Tlsa};

/// The chain as PEM (RFC 7468 §2), 64 characters a line.
fn pem(ders: &[&[u8]]) -> String {
    use base64::Engine as _;
    let mut text = String::new();
    for der in ders {
        let encoded = base64::engine::general_purpose::STANDARD.encode(der);
        text.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in encoded.as_bytes().chunks(64) {
            text.push_str(&String::from_utf8_lossy(line));
            text.push('\n');
        }
        text.push_str("-----END CERTIFICATE-----\n");
    }
    text
}

fuzz_target!(|data: &[u8]| {
    let tlsa: Vec<Tlsa> =
        mtasts::lint_tlsa("3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6")
            .value
            .into_iter()
            .collect();
    let check = CertCheck {
        host: Some("mail.example.com"),
        next_hop: Some("example.com"),
        now_unix: 1_767_225_600,
        tlsa: &tlsa,
        pkix: None,
        accept_cn: false,
    };
    let linted = lint_cert_chain(data, &check);
    let Ok(chain) = parse_chain(data) else {
        assert!(
            linted.is_err(),
            "lint_cert_chain read what parse_chain refused"
        );
        return;
    };
    let linted = linted.expect("parse_chain read it");
    let ders: Vec<&[u8]> = chain.iter().map(|c| c.der()).collect();
    let pem = pem(&ders);
    assert_eq!(parse_chain(pem.as_bytes()).as_ref(), Ok(&chain), "{pem}");
    assert_eq!(
        lint_cert_chain(pem.as_bytes(), &check).as_ref(),
        Ok(&linted)
    );
    let der = ders.concat();
    if !der.windows(11).any(|w| w == b"-----BEGIN ") {
        assert_eq!(parse_chain(&der).as_ref(), Ok(&chain));
    }
});
