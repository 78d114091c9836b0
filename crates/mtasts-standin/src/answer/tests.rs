//! Resolution tests over small zones, table-driven.

use std::str::FromStr;

use domain::base::Rtype;

use super::*;
use crate::zone::parse_zone;

fn name(text: &str) -> StoredName {
    StoredName::from_str(text).unwrap()
}

fn zones() -> Zones {
    let signed = "$SIGNED yes\n\
        @ SOA ns hostmaster 1 7200 3600 1209600 300\n\
        @ MX 10 mx\n\
        mx A 192.0.2.10\n\
        alias CNAME mx\n\
        out CNAME mx.plain.test.\n\
        away CNAME mx.nowhere.invalid.\n\
        loop1 CNAME loop2\n\
        loop2 CNAME loop1\n\
        a.b.c A 192.0.2.11\n\
        $SERVFAIL broken\n\
        $TIMEOUT slow\n\
        slowalias CNAME slow\n";
    let plain = "@ MX 10 mx\nmx A 192.0.2.20\n";
    Zones::new(vec![
        parse_zone(signed, &name("signed.test")).unwrap(),
        parse_zone(plain, &name("plain.test")).unwrap(),
    ])
    .unwrap()
}

/// (rcode, answer owners and types, authority types, authenticated), or None for a timeout.
type Summary = Option<(Rcode, Vec<(String, Rtype)>, Vec<Rtype>, bool)>;

fn summarize(resolution: Resolution) -> Summary {
    match resolution {
        Resolution::Timeout => None,
        Resolution::Answer {
            rcode,
            answer,
            authority,
            authenticated,
        } => Some((
            rcode,
            answer
                .iter()
                .map(|(owner, _, data)| (owner.to_string(), data.rtype()))
                .collect(),
            authority.iter().map(|(_, _, data)| data.rtype()).collect(),
            authenticated,
        )),
    }
}

#[test]
fn resolves() {
    let zones = zones();
    let s = |owner: &str, rtype| (owner.to_owned(), rtype);
    for (qname, qtype, want) in [
        (
            "signed.test",
            Rtype::MX,
            Some((
                Rcode::NOERROR,
                vec![s("signed.test", Rtype::MX)],
                vec![],
                true,
            )),
        ),
        (
            "MX.Signed.Test",
            Rtype::A,
            // The answer's owner is the name as asked (RFC 4343 §4.1; clients using 0x20 check it).
            Some((
                Rcode::NOERROR,
                vec![s("MX.Signed.Test", Rtype::A)],
                vec![],
                true,
            )),
        ),
        (
            "mx.plain.test",
            Rtype::A,
            Some((
                Rcode::NOERROR,
                vec![s("mx.plain.test", Rtype::A)],
                vec![],
                false,
            )),
        ),
        (
            "alias.signed.test",
            Rtype::A,
            Some((
                Rcode::NOERROR,
                vec![
                    s("alias.signed.test", Rtype::CNAME),
                    s("mx.signed.test", Rtype::A),
                ],
                vec![],
                true,
            )),
        ),
        (
            "alias.signed.test",
            Rtype::CNAME,
            Some((
                Rcode::NOERROR,
                vec![s("alias.signed.test", Rtype::CNAME)],
                vec![],
                true,
            )),
        ),
        (
            // Across zones: authenticated only if every zone is signed.
            "out.signed.test",
            Rtype::A,
            Some((
                Rcode::NOERROR,
                vec![
                    s("out.signed.test", Rtype::CNAME),
                    s("mx.plain.test", Rtype::A),
                ],
                vec![],
                false,
            )),
        ),
        (
            "away.signed.test",
            Rtype::A,
            Some((
                Rcode::NOERROR,
                vec![s("away.signed.test", Rtype::CNAME)],
                vec![],
                false,
            )),
        ),
        (
            "mx.signed.test",
            Rtype::TXT,
            Some((Rcode::NOERROR, vec![], vec![Rtype::SOA], true)),
        ),
        (
            "nope.signed.test",
            Rtype::A,
            Some((Rcode::NXDOMAIN, vec![], vec![Rtype::SOA], true)),
        ),
        (
            "nope.plain.test",
            Rtype::A,
            Some((Rcode::NXDOMAIN, vec![], vec![], false)),
        ),
        (
            // An empty non-terminal exists (RFC 8020).
            "b.c.signed.test",
            Rtype::A,
            Some((Rcode::NOERROR, vec![], vec![Rtype::SOA], true)),
        ),
        (
            "plain.test",
            Rtype::TXT,
            Some((Rcode::NOERROR, vec![], vec![], false)),
        ),
        (
            "example.com",
            Rtype::A,
            Some((Rcode::REFUSED, vec![], vec![], false)),
        ),
        (
            "broken.signed.test",
            Rtype::TXT,
            Some((Rcode::SERVFAIL, vec![], vec![], false)),
        ),
        (
            "loop1.signed.test",
            Rtype::A,
            Some((Rcode::SERVFAIL, vec![], vec![], false)),
        ),
        ("slow.signed.test", Rtype::A, None),
        ("slowalias.signed.test", Rtype::A, None),
        (
            "signed.test",
            Rtype::ANY,
            Some((
                Rcode::NOERROR,
                vec![s("signed.test", Rtype::SOA), s("signed.test", Rtype::MX)],
                vec![],
                true,
            )),
        ),
    ] {
        assert_eq!(
            summarize(zones.resolve(&name(qname), qtype)),
            want,
            "{qname} {qtype}"
        );
    }
}

#[test]
fn negative_answers_use_the_soa_minimum() {
    let Resolution::Answer { authority, .. } = zones().resolve(&name("nope.signed.test"), Rtype::A)
    else {
        panic!("timeout")
    };
    assert_eq!(authority.first().map(|(_, ttl, _)| *ttl), Some(300));
}

#[test]
fn refuses_overlapping_zones() {
    let outer = parse_zone("www.inner A 192.0.2.1\n", &name("outer.test")).unwrap();
    let inner = parse_zone("", &name("inner.outer.test")).unwrap();
    assert_eq!(
        Zones::new(vec![outer.clone(), inner]).err(),
        Some(ZonesError::NameInInnerZone {
            zone: "outer.test".into(),
            line: 1,
            name: "www.inner.outer.test".into(),
            inner: "inner.outer.test".into(),
        })
    );
    assert_eq!(
        Zones::new(vec![outer.clone(), outer]).err(),
        Some(ZonesError::DuplicateZone("outer.test".into()))
    );
}

#[test]
fn malformed_queries() {
    let zones = zones();
    for (query, want) in [
        (&b""[..], Reply::Malformed),
        (&b"\x00\x01"[..], Reply::Malformed),
        // A response (QR set) is not a query.
        (
            &b"\x00\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00"[..],
            Reply::Malformed,
        ),
    ] {
        assert_eq!(zones.answer(query), want, "{query:?}");
    }
    // No question: FORMERR.
    let Reply::Message(bytes) = zones.answer(b"\x12\x34\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00")
    else {
        panic!("no message")
    };
    let message = Message::from_octets(bytes).unwrap();
    assert_eq!(message.header().rcode(), Rcode::FORMERR);
    assert_eq!(message.header().id(), 0x1234);
    assert!(message.header().qr());
}
