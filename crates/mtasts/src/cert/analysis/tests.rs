//! `analyze_cert` over real and generated certificates.

use super::*;
use crate::cert::testing::{generated, RSA_1024_PEM};
use crate::x509::chain::parse_chain;
use rcgen::{PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_ED25519};

/// 2026-11-28T00:00:00Z.
const NOW: i64 = 1_795_824_000;

fn first(path: &str) -> ChainCert {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/vectors/dane-certs/"
    );
    let bytes = std::fs::read(format!("{dir}{path}")).unwrap();
    parse_chain(&bytes).unwrap().remove(0)
}

#[test]
fn reads_real_certificates() {
    let ietf = analyze_cert(
        &first("stalwart/mail.ietf.org.0.cert"),
        Some("mail.ietf.org"),
        NOW,
    );
    assert_eq!(ietf.subject, "CN=*.ietf.org");
    assert_eq!(ietf.common_name.as_deref(), Some("*.ietf.org"));
    assert_eq!(ietf.san_dns, ["*.ietf.org", "ietf.org"]);
    assert_eq!(ietf.not_before, "2022-06-12T15:34:50Z");
    assert_eq!(ietf.not_after, "2023-07-14T15:34:50Z");
    assert_eq!(ietf.validity, Validity::Expired);
    assert!(ietf.days_left < -1000);
    assert_eq!(ietf.key.kind, KeyKind::Rsa);
    assert_eq!(ietf.key.bits, Some(2048));
    assert_eq!(ietf.signature_algorithm, "sha256WithRSAEncryption");
    assert_eq!(ietf.name_matches, Some(true));
    assert_eq!(ietf.name_matches_cn, Some(true));
    assert!(!ietf.ca && !ietf.self_issued);
    // The `3 1 1` record mail.ietf.org published for this key (dane-certs/stalwart/dns.txt).
    assert_eq!(
        ietf.fingerprints.spki_sha256,
        "0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6"
    );
    assert_eq!(ietf.fingerprints.sha256.len(), 64);

    let root = analyze_cert(&first("maddy/rootA.pem"), Some("maddy.test"), 1_606_600_100);
    assert_eq!(root.key.kind, KeyKind::Ed25519);
    assert_eq!(root.signature_algorithm, "Ed25519");
    assert_eq!(root.validity, Validity::Valid);
    assert!(root.self_issued);
    assert_eq!(
        (root.name_matches, root.name_matches_cn),
        (Some(false), Some(false))
    );
    assert_eq!(root.subject, root.issuer);

    let no_host = analyze_cert(&first("maddy/leafA.pem"), None, 0);
    assert_eq!(no_host.validity, Validity::NotYetValid);
    assert_eq!(
        (no_host.name_matches, no_host.name_matches_cn),
        (None, None)
    );
}

#[test]
fn reads_key_kinds() {
    let rsa = parse_chain(RSA_1024_PEM.as_bytes()).unwrap().remove(0);
    let (p256, _) = generated(&PKCS_ECDSA_P256_SHA256, &["mx.example.com"], 2025, 2027);
    let (p384, _) = generated(&PKCS_ECDSA_P384_SHA384, &["mx.example.com"], 2025, 2027);
    let (ed, _) = generated(&PKCS_ED25519, &["mx.example.com"], 2025, 2027);
    for (cert, kind, bits, curve, weak) in [
        (rsa, KeyKind::Rsa, Some(1024), None, true),
        (p256, KeyKind::Ec, Some(256), Some("P-256"), false),
        (p384, KeyKind::Ec, Some(384), Some("P-384"), false),
        (ed, KeyKind::Ed25519, Some(256), None, false),
    ] {
        let key = analyze_cert(&cert, None, NOW).key;
        assert_eq!(
            (key.kind, key.bits, key.curve.as_deref()),
            (kind, bits, curve)
        );
        assert_eq!(key.weakness().is_some(), weak, "{key:?}");
    }
}

#[test]
fn validity_edges() {
    let (cert, _) = generated(&PKCS_ED25519, &["mx.example.com"], 2025, 2027);
    let a = analyze_cert(&cert, None, NOW);
    for (now, want, days) in [
        (a.not_before_unix - 1, Validity::NotYetValid, None),
        (a.not_before_unix, Validity::Valid, None),
        (a.not_after_unix, Validity::Valid, Some(0)),
        (a.not_after_unix - DAY, Validity::Valid, Some(1)),
        (a.not_after_unix + 1, Validity::Expired, Some(-1)),
    ] {
        let got = analyze_cert(&cert, None, now);
        assert_eq!(got.validity, want, "{now}");
        if let Some(days) = days {
            assert_eq!(got.days_left, days, "{now}");
        }
    }
}
