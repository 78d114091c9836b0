//! Zone-file parser tests, table-driven.

use super::*;
use domain::base::iana::{TlsaCertificateUsage, TlsaMatchingType, TlsaSelector};
use domain::base::{Serial, Ttl};
use domain::rdata::{Aaaa, Cname, Mx, Ns, Soa, Tlsa, Txt, A};

fn name(text: &str) -> StoredName {
    StoredName::from_str(text).unwrap()
}

fn txt_data(strings: &[&[u8]]) -> RecordData {
    let mut wire = Vec::new();
    for s in strings {
        wire.push(u8::try_from(s.len()).unwrap());
        wire.extend_from_slice(s);
    }
    Txt::from_octets(wire).unwrap().into()
}

fn parse(text: &str) -> Result<Zone, ZoneError> {
    parse_zone(text, &name("example.test"))
}

/// The (owner, ttl, data) of every record.
fn records(zone: &Zone) -> Vec<(StoredName, u32, RecordData)> {
    zone.records
        .iter()
        .map(|r| (r.owner.clone(), r.ttl, r.data.clone()))
        .collect()
}

#[test]
fn parses_records() {
    let mx = |pref, host: &str| -> RecordData { Mx::new(pref, name(host)).into() };
    for (input, want) in [
        (
            "@ IN MX 10 mx1\n",
            vec![(
                name("example.test"),
                DEFAULT_TTL,
                mx(10, "mx1.example.test"),
            )],
        ),
        (
            "$TTL 300\n@ MX 0 .\n",
            vec![(name("example.test"), 300, mx(0, "."))],
        ),
        (
            "www 60 IN A 192.0.2.1\n IN 120 AAAA 2001:db8::1\n",
            vec![
                (
                    name("www.example.test"),
                    60,
                    A::new([192, 0, 2, 1].into()).into(),
                ),
                (
                    name("www.example.test"),
                    120,
                    Aaaa::new("2001:db8::1".parse().unwrap()).into(),
                ),
            ],
        ),
        (
            "_mta-sts TXT \"v=STSv1; \" \"id=1;\"\n",
            vec![(
                name("_mta-sts.example.test"),
                DEFAULT_TTL,
                txt_data(&[b"v=STSv1; ", b"id=1;"]),
            )],
        ),
        (
            "t TXT \"a\\\"b\\\\c\\059\" bare\n",
            vec![(
                name("t.example.test"),
                DEFAULT_TTL,
                txt_data(&[b"a\"b\\c;", b"bare"]),
            )],
        ),
        (
            "empty TXT \"\"\n",
            vec![(name("empty.example.test"), DEFAULT_TTL, txt_data(&[b""]))],
        ),
        (
            "mx CNAME mail.other.test.\n",
            vec![(
                name("mx.example.test"),
                DEFAULT_TTL,
                Cname::new(name("mail.other.test")).into(),
            )],
        ),
        (
            "$ORIGIN sub.example.test.\nhost A 192.0.2.2\n$ORIGIN deeper\n@ A 192.0.2.3\n",
            vec![
                (
                    name("host.sub.example.test"),
                    DEFAULT_TTL,
                    A::new([192, 0, 2, 2].into()).into(),
                ),
                (
                    name("deeper.sub.example.test"),
                    DEFAULT_TTL,
                    A::new([192, 0, 2, 3].into()).into(),
                ),
            ],
        ),
        (
            "_25._tcp.mx TLSA 3 1 1 0c72ac70 B745AC19\n",
            vec![(
                name("_25._tcp.mx.example.test"),
                DEFAULT_TTL,
                Tlsa::new(
                    TlsaCertificateUsage::DANE_EE,
                    TlsaSelector::SPKI,
                    TlsaMatchingType::SHA2_256,
                    vec![0x0c, 0x72, 0xac, 0x70, 0xb7, 0x45, 0xac, 0x19],
                )
                .into(),
            )],
        ),
        (
            "@ SOA ns1 hostmaster (\n  2024010101 ; serial\n  7200 3600 1209600 300 )\n@ NS ns1\n",
            vec![
                (
                    name("example.test"),
                    DEFAULT_TTL,
                    Soa::new(
                        name("ns1.example.test"),
                        name("hostmaster.example.test"),
                        Serial(2024010101),
                        Ttl::from_secs(7200),
                        Ttl::from_secs(3600),
                        Ttl::from_secs(1209600),
                        Ttl::from_secs(300),
                    )
                    .into(),
                ),
                (
                    name("example.test"),
                    DEFAULT_TTL,
                    Ns::new(name("ns1.example.test")).into(),
                ),
            ],
        ),
        (
            "WWW.Example.TEST. a 192.0.2.9\r\n",
            vec![(
                name("www.example.test"),
                DEFAULT_TTL,
                A::new([192, 0, 2, 9].into()).into(),
            )],
        ),
    ] {
        let zone = parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(records(&zone), want, "{input:?}");
    }
}

#[test]
fn reads_directives() {
    for (input, signed, servfail, timeout) in [
        ("", false, vec![], vec![]),
        ("$SIGNED yes\n", true, vec![], vec![]),
        ("$SIGNED no\n", false, vec![], vec![]),
        (
            "$SERVFAIL _mta-sts\n$TIMEOUT mx1.example.test.\n$TIMEOUT @\n",
            false,
            vec![name("_mta-sts.example.test")],
            vec![name("mx1.example.test"), name("example.test")],
        ),
    ] {
        let zone = parse(input).unwrap();
        assert_eq!(zone.signed, signed, "{input:?}");
        assert_eq!(zone.servfail, servfail, "{input:?}");
        assert_eq!(zone.timeout, timeout, "{input:?}");
    }
}

#[test]
fn refuses_bad_zones() {
    for (input, want) in [
        (
            "$INCLUDE other.zone\n",
            ZoneError::UnknownDirective {
                line: 1,
                directive: "$INCLUDE".into(),
            },
        ),
        (
            "$GENERATE 1-2 a$ A 192.0.2.$\n",
            ZoneError::UnknownDirective {
                line: 1,
                directive: "$GENERATE".into(),
            },
        ),
        (
            "$SIGNED maybe\n",
            ZoneError::BadDirective {
                line: 1,
                directive: "$SIGNED".into(),
            },
        ),
        (
            "$TIMEOUT\n",
            ZoneError::BadDirective {
                line: 1,
                directive: "$TIMEOUT".into(),
            },
        ),
        ("x TLSA 3 1 1\n", ZoneError::MissingTlsaData { line: 1 }),
        (
            "\nwww.other.test. A 192.0.2.1\n",
            ZoneError::OutsideZone {
                line: 2,
                name: "www.other.test".into(),
                apex: "example.test".into(),
            },
        ),
        (
            "$SERVFAIL nope.invalid.\n",
            ZoneError::OutsideZone {
                line: 1,
                name: "nope.invalid".into(),
                apex: "example.test".into(),
            },
        ),
        (
            "$ORIGIN other.test.\n$TIMEOUT x\n",
            ZoneError::OutsideZone {
                line: 2,
                name: "x.other.test".into(),
                apex: "example.test".into(),
            },
        ),
        (
            "a 4294967295 A 192.0.2.1\n",
            ZoneError::BadTtl {
                line: 1,
                value: 4294967295,
            },
        ),
        (
            "a SRV 0 0 25 mx\n",
            ZoneError::UnknownType {
                line: 1,
                rtype: "SRV".into(),
            },
        ),
        (
            "; a comment\nt TXT ( \"x\"\n \"y\" )\n\na A 192.0.2.1\nMX CNAME other.test.\na CNAME other.test.\n",
            ZoneError::CnameAndOtherData {
                line: 7,
                name: "a.example.test".into(),
            },
        ),
        (
            "mx CNAME other.test.\nmx A 192.0.2.1\n",
            ZoneError::CnameAndOtherData {
                line: 2,
                name: "mx.example.test".into(),
            },
        ),
        (
            "mx A 192.0.2.1\nMX CNAME other.test.\n",
            // Names compare case-insensitively and keep the case they were written in.
            ZoneError::CnameAndOtherData {
                line: 2,
                name: "MX.example.test".into(),
            },
        ),
    ] {
        assert_eq!(parse(input), Err(want), "{input:?}");
    }
}

/// What the `domain` crate's reader refuses comes with the line it stopped on.
/// The reader takes an empty label inside a name (`a..b`): it is refused here.
#[test]
fn refuses_empty_labels() {
    for input in [
        "a..b A 192.0.2.1\n",
        "@ MX 10 mx..example.test.\n",
        "$TIMEOUT a..b\n",
    ] {
        assert!(
            matches!(parse(input), Err(ZoneError::BadName { line: 1, .. })),
            "{input:?}: {:?}",
            parse(input)
        );
    }
}

#[test]
fn reports_the_readers_errors_with_their_line() {
    let mut failures = Vec::new();
    let long = format!("t TXT \"{}\"\n", "x".repeat(256));
    for (input, line) in [
        ("$TTL\n", 1),
        ("  A 192.0.2.1\n", 1),
        ("a 300 IN\n", 1),
        ("a CH A 192.0.2.1\n", 1),
        ("a A 192.0.2.1 192.0.2.2\n", 1),
        ("\na A 192.0.2\n", 2),
        ("@ MX 10\n", 1),
        ("@ MX ten mx\n", 1),
        ("t TXT\n", 1),
        (long.as_str(), 1),
        ("t TXT \"\\999\"\n", 1),
        ("x TLSA 3 1 1 abc\n", 1),
        ("x TLSA 3 1 1 zz\n", 1),
        ("x TLSA 300 1 1 00\n", 1),
        ("a TXT \"open\n", 1),
        ("a SOA ( 1 2\n", 1),
        ("a A 1.2.3.4 )\n", 1),
    ] {
        match parse(input) {
            Err(ZoneError::Syntax { line: got, message })
                if got == line && message.contains(": \"") => {}
            other => failures.push(format!("{input:?}: {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn error_messages_name_the_value() {
    for (error, want) in [
        (
            ZoneError::UnknownType {
                line: 4,
                rtype: "SRV".into(),
            },
            "line 4: unsupported record type \"SRV\"",
        ),
        (
            ZoneError::Syntax {
                line: 2,
                message: "expected IPv4 address: \"mx A 192.0.2\"".into(),
            },
            "line 2: expected IPv4 address: \"mx A 192.0.2\"",
        ),
        (
            ZoneError::BadTtl {
                line: 1,
                value: 4294967295,
            },
            "line 1: bad TTL \"4294967295\"",
        ),
    ] {
        assert_eq!(error.to_string(), want);
    }
}

#[test]
fn finds_where_entries_start() {
    for (input, want) in [
        ("", vec![]),
        ("; only a comment\n\n", vec![]),
        ("@ A 192.0.2.1 ; c\n  AAAA ::1\n", vec![1, 2]),
        (
            "@ SOA ns host. (\n 1 ; serial (\n 2 3 4 5 )\nw A 1.2.3.4",
            vec![1, 4],
        ),
        ("t TXT \"semi;colon (paren\"\nu TXT \"\\\"(\"\n", vec![1, 2]),
        (
            "$TTL 60\n$SIGNED yes\n$INCLUDE x\nw A 1.2.3.4\n",
            vec![3, 4],
        ),
    ] {
        let mut zone = parse("").unwrap();
        let prepared = take_directives(input, &mut zone).unwrap();
        assert_eq!(prepared.entry_lines, want, "{input:?}");
        assert_eq!(
            prepared.text.lines().count(),
            input.lines().count(),
            "{input:?}"
        );
    }
}

#[test]
fn refuses_oversized_files() {
    let text = " ".repeat(MAX_ZONE_FILE_LEN + 1);
    assert_eq!(
        parse(&text),
        Err(ZoneError::TooLarge {
            len: MAX_ZONE_FILE_LEN + 1
        })
    );
}

#[test]
fn absolute_names() {
    for (input, want) in [
        ("a.", true),
        ("a", false),
        ("a\\.", false),
        ("a\\\\.", true),
        (".", true),
    ] {
        assert_eq!(is_absolute(input), want, "{input:?}");
    }
}
