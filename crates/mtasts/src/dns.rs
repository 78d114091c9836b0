//! DNS messages in wire format (RFC 1035), as DNS-over-HTTPS carries them (RFC 8484).
//!
//! Encoding and decoding only, through NLnet Labs' `domain` codec; the transport is the caller's
//! [`Resolver`](crate::check::Resolver). Every query sets the AD bit: a validating resolver reports
//! whether it validated an answer only when asked (RFC 6840 §5.7).

use domain::base::iana::Rcode as WireRcode;
use domain::base::name::ParsedName;
use domain::base::{Message, MessageBuilder, Name, Rtype};
use domain::rdata::AllRecordData;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The largest DNS message we accept (RFC 8484 §6: DoH messages fit in 65535 octets).
pub const MAX_MESSAGE_LEN: usize = 65_535;

/// The record types the check asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Mail exchanger.
    Mx,
    /// Text.
    Txt,
    /// Canonical name.
    Cname,
    /// TLSA certificate association (RFC 6698).
    Tlsa,
}

impl RecordType {
    fn wire(self) -> Rtype {
        match self {
            RecordType::A => Rtype::A,
            RecordType::Aaaa => Rtype::AAAA,
            RecordType::Mx => Rtype::MX,
            RecordType::Txt => Rtype::TXT,
            RecordType::Cname => Rtype::CNAME,
            RecordType::Tlsa => Rtype::TLSA,
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Mx => "MX",
            RecordType::Txt => "TXT",
            RecordType::Cname => "CNAME",
            RecordType::Tlsa => "TLSA",
        })
    }
}

/// The response code of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rcode {
    /// The name exists (the answer may still be empty: NODATA).
    NoError,
    /// The name does not exist.
    NxDomain,
    /// The resolver could not answer (often a DNSSEC validation failure).
    ServFail,
    /// The resolver refused the query.
    Refused,
    /// Any other code, by number.
    Other(u8),
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rcode::NoError => f.write_str("NOERROR"),
            Rcode::NxDomain => f.write_str("NXDOMAIN"),
            Rcode::ServFail => f.write_str("SERVFAIL"),
            Rcode::Refused => f.write_str("REFUSED"),
            Rcode::Other(n) => write!(f, "RCODE {n}"),
        }
    }
}

/// The data of one answer record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "UPPERCASE")]
pub enum RecordData {
    /// An IPv4 address.
    A {
        /// The address.
        address: Ipv4Addr,
    },
    /// An IPv6 address.
    Aaaa {
        /// The address.
        address: Ipv6Addr,
    },
    /// A mail exchanger; `exchange` is `.` for a null MX (RFC 7505).
    Mx {
        /// Preference (lower first).
        preference: u16,
        /// The host, without the root dot.
        exchange: String,
    },
    /// A TXT record: its character-strings, as text (see `txt_strings`: a character cut across
    /// two strings is kept whole in the later one, invalid UTF-8 is replaced).
    Txt {
        /// The character-strings, in order.
        strings: Vec<String>,
    },
    /// An alias.
    Cname {
        /// The canonical name, without the root dot.
        target: String,
    },
    /// A TLSA record.
    Tlsa {
        /// The record in presentation format, `3 1 1 <hex>`.
        rdata: String,
    },
    /// A record of a type the check does not read.
    Other {
        /// The type number.
        rtype: u16,
    },
}

/// One answer record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The owner name, lower case, without the root dot.
    pub owner: String,
    /// Time to live in seconds.
    pub ttl: u32,
    /// What the record says.
    pub data: RecordData,
}

/// A decoded answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The response code.
    pub rcode: Rcode,
    /// The AD bit: the resolver validated the answer with DNSSEC.
    pub authenticated: bool,
    /// The answer section.
    pub records: Vec<Record>,
}

impl Answer {
    /// The CNAME chain starting at `name` (lower case, no root dot), in order.
    pub fn cname_chain(&self, name: &str) -> Vec<String> {
        let mut chain = Vec::new();
        let mut current = name.to_ascii_lowercase();
        // A chain can be no longer than the answer; the bound also stops loops.
        for _ in 0..self.records.len() {
            let next = self.records.iter().find_map(|r| match &r.data {
                RecordData::Cname { target } if r.owner == current => Some(target.clone()),
                _ => None,
            });
            match next {
                Some(target) if !chain.contains(&target) => {
                    chain.push(target.clone());
                    current = target;
                }
                _ => break,
            }
        }
        chain
    }

    /// The data of the records that answer for `name`: at the end of its CNAME chain.
    pub fn data_for(&self, name: &str) -> Vec<&RecordData> {
        let owner = self
            .cname_chain(name)
            .pop()
            .unwrap_or_else(|| name.to_ascii_lowercase());
        self.records
            .iter()
            .filter(|r| r.owner == owner && !matches!(r.data, RecordData::Cname { .. }))
            .map(|r| &r.data)
            .collect()
    }

    /// The values of the TXT records that answer for `name`, each its character-strings joined
    /// (RFC 7208 §3.3 and RFC 6376 §3.6.2.2 read a TXT record so).
    pub fn txt_values(&self, name: &str) -> Vec<String> {
        self.data_for(name)
            .into_iter()
            .filter_map(|data| match data {
                RecordData::Txt { strings } => Some(strings.concat()),
                _ => None,
            })
            .collect()
    }
}

/// Why a query could not be made or an answer not read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DnsError {
    /// The name cannot be put in a query.
    Name(String),
    /// The answer is not a DNS message.
    Malformed(String),
    /// The answer is larger than a DNS message can be.
    TooLarge(usize),
    /// The answer does not answer our query (other ID, not a response).
    Mismatch(String),
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DnsError::Name(name) => write!(f, "{name:?} cannot be looked up in DNS"),
            DnsError::Malformed(why) => write!(f, "the resolver's answer is not DNS: {why}"),
            DnsError::TooLarge(len) => write!(f, "the resolver's answer is {len} bytes long"),
            DnsError::Mismatch(why) => write!(f, "the resolver answered another query: {why}"),
        }
    }
}

impl std::error::Error for DnsError {}

/// A query for `name` and `rtype` in wire format, with recursion desired and the AD bit set.
/// DoH uses ID 0 (RFC 8484 §4.1) so answers can be cached.
pub fn encode_query(name: &str, rtype: RecordType) -> Result<Vec<u8>, DnsError> {
    let qname = Name::<Vec<u8>>::from_str(name).map_err(|_| DnsError::Name(name.to_string()))?;
    let mut msg = MessageBuilder::new_vec();
    msg.header_mut().set_id(0);
    msg.header_mut().set_rd(true);
    // RFC 6840 §5.7: set AD to learn whether the resolver validated the answer.
    msg.header_mut().set_ad(true);
    let mut question = msg.question();
    question
        .push((qname, rtype.wire()))
        .map_err(|_| DnsError::Name(name.to_string()))?;
    let mut additional = question.additional();
    // EDNS(0) with a payload size that avoids fragmentation (DNS flag day 2020).
    additional
        .opt(|opt| {
            opt.set_udp_payload_size(1232);
            Ok(())
        })
        .map_err(|_| DnsError::Name(name.to_string()))?;
    Ok(additional.finish())
}

/// Decodes an answer in wire format.
pub fn decode_answer(bytes: &[u8]) -> Result<Answer, DnsError> {
    if bytes.len() > MAX_MESSAGE_LEN {
        return Err(DnsError::TooLarge(bytes.len()));
    }
    let msg = Message::from_octets(bytes).map_err(|e| DnsError::Malformed(e.to_string()))?;
    if !msg.header().qr() {
        return Err(DnsError::Mismatch(
            "the message is a query, not a response".into(),
        ));
    }
    let rcode = match msg.header().rcode() {
        WireRcode::NOERROR => Rcode::NoError,
        WireRcode::NXDOMAIN => Rcode::NxDomain,
        WireRcode::SERVFAIL => Rcode::ServFail,
        WireRcode::REFUSED => Rcode::Refused,
        other => Rcode::Other(other.to_int()),
    };
    let section = msg
        .answer()
        .map_err(|e| DnsError::Malformed(e.to_string()))?;
    let mut records = Vec::new();
    for record in section.limit_to::<AllRecordData<_, ParsedName<_>>>() {
        let record = record.map_err(|e| DnsError::Malformed(e.to_string()))?;
        records.push(Record {
            owner: plain_name(&record.owner().to_string()),
            ttl: record.ttl().as_secs(),
            data: record_data(record.data(), record.rtype()),
        });
    }
    Ok(Answer {
        rcode,
        authenticated: msg.header().ad(),
        records,
    })
}

fn record_data<O: AsRef<[u8]>, N: fmt::Display>(
    data: &AllRecordData<O, N>,
    rtype: Rtype,
) -> RecordData {
    match data {
        AllRecordData::A(a) => RecordData::A { address: a.addr() },
        AllRecordData::Aaaa(a) => RecordData::Aaaa { address: a.addr() },
        AllRecordData::Mx(mx) => RecordData::Mx {
            preference: mx.preference(),
            exchange: match plain_name(&mx.exchange().to_string()) {
                root if root.is_empty() => ".".to_string(),
                name => name,
            },
        },
        AllRecordData::Txt(txt) => RecordData::Txt {
            strings: txt_strings(txt.iter()),
        },
        AllRecordData::Cname(cname) => RecordData::Cname {
            target: plain_name(&cname.cname().to_string()),
        },
        AllRecordData::Tlsa(tlsa) => RecordData::Tlsa {
            rdata: format!(
                "{} {} {} {}",
                tlsa.usage().to_int(),
                tlsa.selector().to_int(),
                tlsa.matching_type().to_int(),
                crate::hex::encode(tlsa.data().as_ref())
            ),
        },
        _ => RecordData::Other {
            rtype: rtype.to_int(),
        },
    }
}

/// The character-strings of a TXT record as text. RFC 7208 §3.3, RFC 8461 §3.1 and RFC 8460 §3:
/// the strings are joined without spaces before the record is read, so a UTF-8 character cut
/// where one string ends is one character: its first octets move to the next string, and the
/// strings join into the record decoded as a whole (octets that are not UTF-8 become U+FFFD, as
/// `String::from_utf8_lossy` replaces them). There are as many strings as on the wire.
fn txt_strings<'a>(strings: impl Iterator<Item = &'a [u8]>) -> Vec<String> {
    let mut texts = Vec::new();
    let mut carried = Vec::new();
    for string in strings {
        let mut octets = std::mem::take(&mut carried);
        octets.extend_from_slice(string);
        carried = octets.split_off(octets.len() - unfinished_char(&octets));
        texts.push(String::from_utf8_lossy(&octets).into_owned());
    }
    if let Some(last) = texts.last_mut() {
        last.push_str(&String::from_utf8_lossy(&carried));
    }
    texts
}

/// How many octets at the end of `octets` start a UTF-8 character (RFC 3629 §4) without finishing
/// it. A cut before a lead octet never splits what a UTF-8 decoder reads as one unit, valid or not.
fn unfinished_char(octets: &[u8]) -> usize {
    for (back, &octet) in octets.iter().rev().take(3).enumerate() {
        if octet & 0xC0 == 0x80 {
            continue; // a continuation octet
        }
        let len = match octet {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 1,
        };
        return if len > back + 1 { back + 1 } else { 0 };
    }
    0
}

/// Lower case, without the root dot: how the rest of the crate spells names.
fn plain_name(name: &str) -> String {
    crate::name::without_root_dot(name).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a response to `query` with the given answers, as a resolver would.
    fn respond(query: &[u8], ad: bool, answers: &[(&str, u32, &str)]) -> Vec<u8> {
        use domain::base::{Record as WireRecord, Ttl};
        use domain::rdata::{Cname, Mx, Txt, A};
        let query = Message::from_octets(query.to_vec()).unwrap();
        let mut answer = MessageBuilder::new_vec()
            .start_answer(&query, WireRcode::NOERROR)
            .unwrap();
        answer.header_mut().set_ad(ad);
        for (owner, ttl, data) in answers {
            let owner = Name::<Vec<u8>>::from_str(owner).unwrap();
            let ttl = Ttl::from_secs(*ttl);
            let (kind, value) = data.split_once(' ').unwrap();
            match kind {
                "A" => answer
                    .push(WireRecord::new(
                        owner,
                        domain::base::iana::Class::IN,
                        ttl,
                        A::new(value.parse().unwrap()),
                    ))
                    .unwrap(),
                "CNAME" => answer
                    .push(WireRecord::new(
                        owner,
                        domain::base::iana::Class::IN,
                        ttl,
                        Cname::new(Name::<Vec<u8>>::from_str(value).unwrap()),
                    ))
                    .unwrap(),
                "MX" => {
                    let (pref, host) = value.split_once(' ').unwrap();
                    let mx = Mx::new(
                        pref.parse().unwrap(),
                        Name::<Vec<u8>>::from_str(host).unwrap(),
                    );
                    answer
                        .push(WireRecord::new(
                            owner,
                            domain::base::iana::Class::IN,
                            ttl,
                            mx,
                        ))
                        .unwrap()
                }
                "TXT" => {
                    let mut builder = domain::rdata::rfc1035::TxtBuilder::<Vec<u8>>::new();
                    for part in value.split('|') {
                        builder
                            .append_charstr(
                                domain::base::CharStr::from_slice(part.as_bytes()).unwrap(),
                            )
                            .unwrap();
                    }
                    let txt: Txt<Vec<u8>> = builder.finish().unwrap();
                    answer
                        .push(WireRecord::new(
                            owner,
                            domain::base::iana::Class::IN,
                            ttl,
                            txt,
                        ))
                        .unwrap()
                }
                other => panic!("{other}"),
            }
        }
        answer.finish()
    }

    #[test]
    fn query_sets_rd_and_ad_and_asks_the_question() {
        let bytes = encode_query("_mta-sts.Example.com", RecordType::Txt).unwrap();
        let msg = Message::from_octets(bytes.as_slice()).unwrap();
        assert!(msg.header().rd());
        assert!(msg.header().ad());
        assert_eq!(msg.header().id(), 0);
        let q = msg.first_question().unwrap();
        assert_eq!(q.qtype(), Rtype::TXT);
        assert_eq!(q.qname().to_string(), "_mta-sts.Example.com");
        assert!(msg.opt().is_some(), "EDNS(0)");
    }

    #[test]
    fn answers_decode_with_cname_chains() {
        let query = encode_query("mx.example.com", RecordType::A).unwrap();
        let bytes = respond(
            &query,
            true,
            &[
                ("mx.example.com", 300, "CNAME mail.provider.net"),
                ("mail.provider.net", 60, "A 192.0.2.1"),
            ],
        );
        let answer = decode_answer(&bytes).unwrap();
        assert_eq!(answer.rcode, Rcode::NoError);
        assert!(answer.authenticated);
        assert_eq!(
            answer.cname_chain("MX.example.com"),
            vec!["mail.provider.net"]
        );
        assert_eq!(
            answer.data_for("mx.example.com"),
            vec![&RecordData::A {
                address: Ipv4Addr::new(192, 0, 2, 1)
            }]
        );
    }

    #[test]
    fn txt_keeps_split_strings_and_mx_null() {
        let query = encode_query("example.com", RecordType::Txt).unwrap();
        let bytes = respond(
            &query,
            false,
            &[
                ("_mta-sts.example.com", 300, "TXT v=STSv1; id=|20240101;"),
                ("example.com", 300, "MX 0 ."),
            ],
        );
        let answer = decode_answer(&bytes).unwrap();
        assert!(!answer.authenticated);
        assert_eq!(
            answer.records[0].data,
            RecordData::Txt {
                strings: vec!["v=STSv1; id=".into(), "20240101;".into()]
            }
        );
        assert_eq!(
            answer.records[1].data,
            RecordData::Mx {
                preference: 0,
                exchange: ".".into()
            }
        );
    }

    #[test]
    fn txt_strings_keep_characters_cut_between_strings() {
        for (strings, want) in [
            (
                &[&b"v=STSv1; "[..], b"id=1"][..],
                &["v=STSv1; ", "id=1"][..],
            ),
            (&[&b"caf\xC3"[..], b"\xA9!"], &["caf", "\u{e9}!"]),
            (
                &[&b"\xF0\x9F"[..], b"\x98", b"\x80x"],
                &["", "", "\u{1F600}x"],
            ),
            (&[&b""[..], b"a"], &["", "a"]),
            (&[&b"a\xC3"[..]], &["a\u{FFFD}"]),
            (&[&b"\xFF"[..], b"b"], &["\u{FFFD}", "b"]),
            (&[&b"\xE0\x80"[..], b"x"], &["", "\u{FFFD}\u{FFFD}x"]),
            (&[&b"\xC3\xA9"[..], b"\xA9"], &["\u{e9}", "\u{FFFD}"]),
        ] {
            let got = txt_strings(strings.iter().copied());
            assert_eq!(got, want, "{strings:?}");
            let whole = String::from_utf8_lossy(&strings.concat()).into_owned();
            assert_eq!(got.concat(), whole, "{strings:?}");
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [&b""[..], b"\x00", &[0xff; 12], &[0u8; 40]] {
            assert!(decode_answer(bytes).is_err(), "{bytes:?}");
        }
        let query = encode_query("example.com", RecordType::Mx).unwrap();
        assert!(matches!(decode_answer(&query), Err(DnsError::Mismatch(_))));
        assert!(encode_query("a..b", RecordType::A).is_err());
    }
}
