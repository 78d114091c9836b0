//! `lint_chain` over generated and real chains.

use super::testing::{generated, pki, RSA_1024_PEM};
use super::*;
use crate::dane::tlsa::parse_tlsa;
use crate::finding::Code::{self, *};
use rcgen::PKCS_ECDSA_P256_SHA256;

/// 2026-06-01T00:00:00Z.
const JUNE_2026: i64 = 1_780_272_000;
/// 2026-11-28T00:00:00Z.
const NOV_2026: i64 = 1_795_824_000;
/// 2027-01-15T00:00:00Z.
const JAN_2027: i64 = 1_799_971_200;
/// 2035-01-01T00:00:00Z.
const JAN_2035: i64 = 2_051_222_400;

fn real(names: &[&str]) -> Vec<ChainCert> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/vectors/dane-certs/"
    );
    names
        .iter()
        .flat_map(|n| parse_chain(&std::fs::read(format!("{dir}{n}")).unwrap()).unwrap())
        .collect()
}

fn ietf() -> Vec<ChainCert> {
    real(&[
        "stalwart/mail.ietf.org.0.cert",
        "stalwart/mail.ietf.org.1.cert",
        "stalwart/mail.ietf.org.2.cert",
        "stalwart/mail.ietf.org.3.cert",
    ])
}

fn spki_record(usage: u8, cert: &ChainCert) -> Tlsa {
    let digest = analyze_cert(cert, None, 0).fingerprints.spki_sha256;
    parse_tlsa(&format!("{usage} 1 1 {digest}")).unwrap()
}

#[test]
fn generated_chains() {
    let good = pki("mx.example.com", &["mx.example.com"], 2025, 2027);
    let wildcard = pki("*.example.com", &["*.example.com"], 2025, 2027);
    let cn_only = pki("mx.example.com", &[], 2025, 2027);
    let expired = pki("mx.example.com", &["mx.example.com"], 2020, 2024);
    let future = pki("mx.example.com", &["mx.example.com"], 2027, 2028);
    let soon = pki("mx.example.com", &["mx.example.com"], 2025, 2026);
    let (weak, _) = (parse_chain(RSA_1024_PEM.as_bytes()).unwrap(), ());
    let (self_signed, _) = generated(&PKCS_ECDSA_P256_SHA256, &["mx.example.com"], 2025, 2027);
    let self_signed = vec![self_signed];
    let untrusted = Some(PkixVerdict {
        trusted: false,
        reason: Some("UnknownIssuer".into()),
    });
    let trusted = Some(PkixVerdict {
        trusted: true,
        reason: None,
    });
    let dec_2025 = 1_767_139_200; // 2025-12-31T00:00:00Z: the `soon` leaf ends 2026-01-01.
    let base = CertCheck {
        host: Some("mx.example.com"),
        now_unix: JUNE_2026,
        ..CertCheck::default()
    };
    let cases: Vec<(&str, &[ChainCert], CertCheck<'_>, Vec<Code>)> = vec![
        ("good", &good, base.clone(), vec![]),
        (
            "trailing dot",
            &good,
            CertCheck {
                host: Some("MX.Example.com."),
                ..base.clone()
            },
            vec![],
        ),
        (
            "no host",
            &good,
            CertCheck {
                host: None,
                ..base.clone()
            },
            vec![],
        ),
        (
            "other host",
            &good,
            CertCheck {
                host: Some("mx2.example.com"),
                ..base.clone()
            },
            vec![CertNameMismatch],
        ),
        ("wildcard", &wildcard, base.clone(), vec![]),
        (
            "wildcard depth",
            &wildcard,
            CertCheck {
                host: Some("a.mx.example.com"),
                ..base.clone()
            },
            vec![CertNameMismatch],
        ),
        ("cn only", &cn_only, base.clone(), vec![CertNameMismatch]),
        (
            "cn accepted",
            &cn_only,
            CertCheck {
                accept_cn: true,
                ..base.clone()
            },
            vec![],
        ),
        ("expired", &expired, base.clone(), vec![CertExpired]),
        ("not yet valid", &future, base.clone(), vec![CertExpired]),
        (
            "expires soon",
            &soon,
            CertCheck {
                now_unix: dec_2025,
                ..base.clone()
            },
            vec![CertExpiresSoon],
        ),
        (
            "weak",
            &weak,
            CertCheck {
                host: Some("weak.example.com"),
                now_unix: JAN_2027,
                ..base.clone()
            },
            vec![CertWeakKey],
        ),
        (
            "untrusted",
            &self_signed,
            CertCheck {
                pkix: untrusted.clone(),
                ..base.clone()
            },
            vec![CertUntrusted],
        ),
        (
            "trusted",
            &good,
            CertCheck {
                pkix: trusted.clone(),
                ..base.clone()
            },
            vec![],
        ),
    ];
    for (name, chain, check, want) in cases {
        let result = lint_chain(chain, &check);
        assert_eq!(result.codes(), want, "{name}: {:#?}", result.findings);
        assert_eq!(
            result.valid,
            !want.iter().any(|c| c.severity() == crate::Severity::Error),
            "{name}"
        );
        if let (Some(host), Some(f)) = (check.host, result.findings.first()) {
            assert_eq!(
                f.host.as_deref(),
                Some(crate::name::without_root_dot(host)),
                "{name}"
            );
        }
    }
}

#[test]
fn tlsa_records() {
    let good = pki("mx.example.com", &["mx.example.com"], 2025, 2027);
    let expired = pki("mx.example.com", &["mx.example.com"], 2020, 2024);
    let other = pki("mx.example.com", &["mx.example.com"], 2025, 2027);
    let ee = [spki_record(3, &good[0])];
    let ta = [spki_record(2, &good[1])];
    let ee_expired = [spki_record(3, &expired[0])];
    let ta_expired = [spki_record(2, &expired[1])];
    let stale = [spki_record(3, &other[0])];
    let pkix_only = [spki_record(1, &good[0])];
    let base = CertCheck {
        host: Some("mx.example.com"),
        now_unix: JUNE_2026,
        ..CertCheck::default()
    };
    for (name, chain, tlsa, host, want, authenticated) in [
        ("ee", &good, &ee[..], "mx.example.com", vec![], Some(true)),
        ("ta", &good, &ta[..], "mx.example.com", vec![], Some(true)),
        (
            "stale",
            &good,
            &stale[..],
            "mx.example.com",
            vec![DaneTlsaMismatch],
            Some(false),
        ),
        (
            "pkix only",
            &good,
            &pkix_only[..],
            "mx.example.com",
            vec![],
            Some(false),
        ),
        (
            "ee, wrong name",
            &good,
            &ee[..],
            "mx2.example.com",
            vec![CertNameMismatch],
            Some(true),
        ),
        (
            "ta, wrong name",
            &good,
            &ta[..],
            "mx2.example.com",
            vec![CertNameMismatch, DaneTlsaMismatch],
            Some(false),
        ),
        (
            "ee, expired",
            &expired,
            &ee_expired[..],
            "mx.example.com",
            vec![CertExpired],
            Some(true),
        ),
        (
            "ta, expired",
            &expired,
            &ta_expired[..],
            "mx.example.com",
            vec![CertExpired, DaneTlsaMismatch],
            Some(false),
        ),
        ("no records", &good, &[][..], "mx.example.com", vec![], None),
    ] {
        let check = CertCheck {
            host: Some(host),
            tlsa,
            ..base.clone()
        };
        let result = lint_chain(chain, &check);
        assert_eq!(result.codes(), want, "{name}: {:#?}", result.findings);
        let report = result.value.unwrap();
        assert_eq!(
            report.dane.as_ref().map(|d| d.authenticated),
            authenticated,
            "{name}"
        );
        if name.starts_with("ee, ") {
            let message = &result.findings[0].message;
            assert!(
                message.contains("DANE-EE(3) senders ignore"),
                "{name}: {message}"
            );
        }
    }
}

#[test]
fn real_chains_at_a_fixed_date() {
    // mail.ietf.org's leaf expired 2023-07-14; its `3 1 1` record still authenticates it.
    let tlsa =
        [
            parse_tlsa("3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6")
                .unwrap(),
        ];
    let check = CertCheck {
        host: Some("mail.ietf.org"),
        now_unix: NOV_2026,
        tlsa: &tlsa,
        ..CertCheck::default()
    };
    let result = lint_chain(&ietf(), &check);
    assert_eq!(result.codes(), [CertExpired]);
    let report = result.value.unwrap();
    assert_eq!(report.checked_at, "2026-11-28T00:00:00Z");
    assert_eq!(report.certificates.len(), 4);
    assert!(report.dane.unwrap().authenticated);

    // In 2035 every certificate has expired; a PKIX verdict of "trusted" silences the others.
    let later = CertCheck {
        now_unix: JAN_2035,
        tlsa: &[],
        ..check.clone()
    };
    assert_eq!(lint_chain(&ietf(), &later).codes(), [CertExpired; 4]);
    let trusted = CertCheck {
        pkix: Some(PkixVerdict {
            trusted: true,
            reason: None,
        }),
        ..later.clone()
    };
    assert_eq!(lint_chain(&ietf(), &trusted).codes(), [CertExpired]);
}

#[test]
fn reads_bytes_and_reports_json() {
    let pem = real(&["maddy/leafA.pem"]);
    let der = pem[0].der().to_vec();
    let check = CertCheck {
        host: Some("maddy.test"),
        now_unix: 1_606_600_100,
        ..CertCheck::default()
    };
    let result = lint_cert_chain(&der, &check).unwrap();
    assert!(result.valid);
    let json = serde_json::to_value(&result).unwrap();
    let leaf = &json["value"]["certificates"][0];
    assert_eq!(leaf["subject"], "CN=Test Leaf A");
    assert_eq!(leaf["key"]["kind"], "ed25519");
    assert_eq!(leaf["validity"], "valid");
    assert_eq!(leaf["name_matches"], true);
    assert_eq!(leaf["not_after"], "2030-11-26T21:21:22Z");
    assert_eq!(
        leaf["fingerprints"]["spki_sha256"],
        "f5179b6a5d847b9fa221a93956eec8c49b1ac06a116b0dcf4a71f0e83c4d58a6"
    );
    assert!(json["value"].get("dane").is_none());
    let back: LintResult<CertChainReport> = serde_json::from_value(json).unwrap();
    assert_eq!(back, result);
    assert_eq!(lint_cert_chain(b"", &check), Err(ChainError::Empty));
}
