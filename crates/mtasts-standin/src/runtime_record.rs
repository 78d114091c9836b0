//! Records added while the stand-in runs (through `POST /control/records` or
//! [`StandIn::add_record`](crate::StandIn::add_record)): what a test writes, checked and turned
//! into the record data the answerer serves. No I/O.
//!
//! A value is the record's data in the form a DNS provider's web form takes it, not zone-file
//! syntax: a TXT value is the text itself (no quotes, no escapes), split into character-strings
//! of 255 octets as RFC 7208 §3.3 describes for long TXT records; names inside values (MX, CNAME)
//! are absolute whether or not they end with a dot.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use domain::rdata::{Aaaa, Cname, Mx, Txt, ZoneRecordData, A};

use crate::zone::{has_no_empty_label, RecordData, StoredName};

/// The TTL of an added record when none is given: short, as for a record that changes.
pub const RUNTIME_TTL: u32 = 60;

/// The longest value taken, in octets.
pub const MAX_VALUE_LEN: usize = 4096;

/// RFC 2181 §8: the largest TTL.
const MAX_TTL: u32 = 0x7fff_ffff;

/// The record types that can be added at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordType {
    /// An IPv4 address (RFC 1035 §3.4.1).
    A,
    /// An IPv6 address (RFC 3596 §2.2).
    Aaaa,
    /// A mail exchange, `PREFERENCE HOST` (RFC 1035 §3.3.9).
    Mx,
    /// Text (RFC 1035 §3.3.14).
    Txt,
    /// An alias (RFC 1035 §3.3.1); alone at its name (RFC 1034 §3.6.2).
    Cname,
}

impl RecordType {
    /// The type's mnemonic, upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::Aaaa => "AAAA",
            Self::Mx => "MX",
            Self::Txt => "TXT",
            Self::Cname => "CNAME",
        }
    }

    /// The type's code point.
    pub(crate) fn rtype(self) -> domain::base::Rtype {
        use domain::base::Rtype;
        match self {
            Self::A => Rtype::A,
            Self::Aaaa => Rtype::AAAA,
            Self::Mx => Rtype::MX,
            Self::Txt => Rtype::TXT,
            Self::Cname => Rtype::CNAME,
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecordType {
    type Err = RecordError;

    /// The mnemonic, in any case (RFC 1035 §5.1 writes types case-insensitively).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [Self::A, Self::Aaaa, Self::Mx, Self::Txt, Self::Cname]
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| RecordError::UnsupportedType(text.to_owned()))
    }
}

/// A record to add (or, for removal, to match), as a test writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeRecord {
    /// The owner name, absolute with or without the final dot; inside one of the zones.
    pub name: String,
    /// The type.
    pub rtype: RecordType,
    /// The data (see the module docs): `192.0.2.1`, `10 mx1.example.test`, any text for TXT.
    pub value: String,
    /// The TTL in seconds, at most 2^31 - 1.
    pub ttl: u32,
}

impl RuntimeRecord {
    /// A record with the default TTL, [`RUNTIME_TTL`].
    pub fn new(name: impl Into<String>, rtype: RecordType, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            rtype,
            value: value.into(),
            ttl: RUNTIME_TTL,
        }
    }
}

/// Why a record cannot be added or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    /// A type that cannot be added at run time.
    UnsupportedType(String),
    /// An owner name that is not a domain name (or is the root).
    BadName(String),
    /// A value that is not data of its type.
    BadValue {
        /// The type.
        rtype: RecordType,
        /// The value (cut at 64 characters).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A value over [`MAX_VALUE_LEN`] octets.
    ValueTooLong {
        /// Its length.
        len: usize,
    },
    /// A TTL over 2^31 - 1 (RFC 2181 §8).
    BadTtl(u32),
    /// A name outside every zone served.
    OutsideZones(String),
    /// A name whose queries are answered `$SERVFAIL` or `$TIMEOUT`: a record there is never seen.
    FailingName(String),
    /// A CNAME beside other data, or a second CNAME (RFC 1034 §3.6.2, RFC 2181 §10.1).
    CnameConflict(String),
    /// Already [`MAX_ADDED_RECORDS`](crate::MAX_ADDED_RECORDS) records added.
    TooMany,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedType(rtype) => write!(
                f,
                "unsupported record type \"{rtype}\" (A, AAAA, MX, TXT and CNAME can be added)"
            ),
            Self::BadName(name) => write!(f, "bad name \"{name}\""),
            Self::BadValue {
                rtype,
                value,
                reason,
            } => write!(f, "bad {rtype} value \"{value}\": {reason}"),
            Self::ValueTooLong { len } => {
                write!(f, "value of {len} octets is over {MAX_VALUE_LEN}")
            }
            Self::BadTtl(ttl) => write!(f, "bad TTL {ttl}: over 2147483647"),
            Self::OutsideZones(name) => write!(f, "\"{name}\" is outside every zone served"),
            Self::FailingName(name) => {
                write!(f, "\"{name}\" is a $SERVFAIL or $TIMEOUT name")
            }
            Self::CnameConflict(name) => write!(
                f,
                "\"{name}\" would have a CNAME and other data (or two CNAMEs)"
            ),
            Self::TooMany => write!(
                f,
                "already {} records added at run time",
                crate::answer::MAX_ADDED_RECORDS
            ),
        }
    }
}

impl std::error::Error for RecordError {}

/// The owner name of `text`: absolute, no empty label, not the root.
pub(crate) fn parse_owner(text: &str) -> Result<StoredName, RecordError> {
    parse_name(text).ok_or_else(|| RecordError::BadName(text.to_owned()))
}

fn parse_name(text: &str) -> Option<StoredName> {
    StoredName::from_str(text)
        .ok()
        .filter(|name| !name.is_root() && has_no_empty_label(name))
}

/// The record data of `value` as a `rtype` record.
pub(crate) fn parse_value(rtype: RecordType, value: &str) -> Result<RecordData, RecordError> {
    if value.len() > MAX_VALUE_LEN {
        return Err(RecordError::ValueTooLong { len: value.len() });
    }
    let bad = |reason| RecordError::BadValue {
        rtype,
        value: value.chars().take(64).collect(),
        reason,
    };
    Ok(match rtype {
        RecordType::A => {
            A::new(Ipv4Addr::from_str(value).map_err(|_| bad("not an IPv4 address"))?).into()
        }
        RecordType::Aaaa => {
            Aaaa::new(Ipv6Addr::from_str(value).map_err(|_| bad("not an IPv6 address"))?).into()
        }
        RecordType::Mx => {
            let mut words = value.split_whitespace();
            let (Some(preference), Some(exchange), None) =
                (words.next(), words.next(), words.next())
            else {
                return Err(bad("not \"PREFERENCE HOST\""));
            };
            let preference = preference
                .parse::<u16>()
                .map_err(|_| bad("the preference is not a number from 0 to 65535"))?;
            // RFC 7505: the null MX's host is the root, `.`.
            let exchange = match exchange {
                "." => StoredName::root_vec(),
                host => parse_name(host).ok_or_else(|| bad("the host is not a domain name"))?,
            };
            Mx::new(preference, exchange).into()
        }
        RecordType::Cname => {
            Cname::new(parse_name(value.trim()).ok_or_else(|| bad("not a domain name"))?).into()
        }
        RecordType::Txt => {
            let txt = Txt::<Vec<u8>>::build_from_slice(value.as_bytes())
                .map_err(|_| bad("too long for a TXT record"))?;
            ZoneRecordData::Txt(txt)
        }
    })
}

/// The owner, TTL and data of `record`.
pub(crate) fn parse_record(
    record: &RuntimeRecord,
) -> Result<(StoredName, u32, RecordData), RecordError> {
    if record.ttl > MAX_TTL {
        return Err(RecordError::BadTtl(record.ttl));
    }
    let owner = parse_owner(&record.name)?;
    let data = parse_value(record.rtype, &record.value)?;
    Ok((owner, record.ttl, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_types() {
        for (text, want) in [
            ("TXT", Ok(RecordType::Txt)),
            ("txt", Ok(RecordType::Txt)),
            ("Aaaa", Ok(RecordType::Aaaa)),
            ("MX", Ok(RecordType::Mx)),
            ("CNAME", Ok(RecordType::Cname)),
            ("A", Ok(RecordType::A)),
            ("SRV", Err(RecordError::UnsupportedType("SRV".to_owned()))),
            ("SOA", Err(RecordError::UnsupportedType("SOA".to_owned()))),
            ("", Err(RecordError::UnsupportedType(String::new()))),
        ] {
            assert_eq!(RecordType::from_str(text), want, "{text:?}");
        }
    }

    #[test]
    fn parses_owners() {
        for (text, ok) in [
            ("_mtasts-challenge.healthy-1mx.test", true),
            ("_mtasts-challenge.healthy-1mx.test.", true),
            ("x", true),
            ("", false),
            (".", false),
            ("a..b", false),
            (&"a".repeat(64), false),
        ] {
            assert_eq!(parse_owner(text).is_ok(), ok, "{text:?}");
        }
    }

    /// The data of a value is what the zone file's presentation format (`zone_text`) gives.
    #[test]
    fn parses_values() {
        let apex = StoredName::from_str("example.test").unwrap();
        for (rtype, value, zone_text) in [
            (RecordType::A, "192.0.2.1", Some("192.0.2.1")),
            (RecordType::A, "192.0.2", None),
            (RecordType::A, "2001:db8::1", None),
            (RecordType::Aaaa, "2001:db8::1", Some("2001:db8::1")),
            (RecordType::Aaaa, "192.0.2.1", None),
            (
                RecordType::Mx,
                "10 mx1.example.test",
                Some("10 mx1.example.test."),
            ),
            (
                RecordType::Mx,
                "10 mx1.example.test.",
                Some("10 mx1.example.test."),
            ),
            (RecordType::Mx, "0 .", Some("0 .")),
            (RecordType::Mx, "mx1.example.test", None),
            (RecordType::Mx, "70000 mx1.example.test", None),
            (RecordType::Mx, "10 mx1 extra", None),
            (
                RecordType::Cname,
                "mx1.example.test",
                Some("mx1.example.test."),
            ),
            (RecordType::Cname, "a..b", None),
            (
                RecordType::Txt,
                "mtasts-verify=abc",
                Some("\"mtasts-verify=abc\""),
            ),
            (RecordType::Txt, "a \"b\"; c", Some("\"a \\\"b\\\"; c\"")),
            (RecordType::Txt, "", Some("\"\"")),
        ] {
            let want = zone_text.map(|text| {
                let zone = crate::zone::parse_zone(&format!("@ {rtype} {text}\n"), &apex).unwrap();
                zone.records[0].data.clone()
            });
            let got = parse_value(rtype, value);
            assert_eq!(
                got.as_ref().ok(),
                want.as_ref(),
                "{rtype} {value:?}: {got:?}"
            );
        }
    }

    #[test]
    fn splits_long_txt_values() {
        let value = "a".repeat(300);
        let Ok(ZoneRecordData::Txt(txt)) = parse_value(RecordType::Txt, &value) else {
            panic!("not TXT");
        };
        let lengths: Vec<usize> = txt.iter().map(<[u8]>::len).collect();
        assert_eq!(lengths, [255, 45]);
        assert_eq!(
            parse_value(RecordType::Txt, &"a".repeat(MAX_VALUE_LEN + 1)),
            Err(RecordError::ValueTooLong {
                len: MAX_VALUE_LEN + 1
            })
        );
    }

    #[test]
    fn refuses_long_ttls() {
        let mut record = RuntimeRecord::new("x.test", RecordType::A, "192.0.2.1");
        record.ttl = MAX_TTL + 1;
        assert_eq!(parse_record(&record), Err(RecordError::BadTtl(MAX_TTL + 1)));
        record.ttl = MAX_TTL;
        assert!(parse_record(&record).is_ok());
    }
}
