//! Zone files: a subset of the RFC 1035 §5 master-file format, plus the stand-in's directives.
//!
//! Supported: `$ORIGIN`, `$TTL`, `@`, relative and absolute names, an optional TTL and class `IN`
//! in either order, parentheses across lines, `;` comments, and the types A, AAAA, MX (null MX
//! `0 .` included), TXT (quoted or bare character-strings, several per record, escapes `\"` `\\`
//! `\DDD`), CNAME, TLSA (`usage selector matching-type hex`), NS and SOA.
//!
//! The stand-in's own directives:
//! - `$SIGNED yes|no`: answers from this zone carry the AD bit when the query asked for it.
//! - `$SERVFAIL name`: queries for `name` are answered with SERVFAIL.
//! - `$TIMEOUT name`: queries for `name` are never answered.
//!
//! Not supported (refused with an error): `$INCLUDE`, `$GENERATE`, other classes, other types,
//! TTL units (`1h`), wildcards (a `*` label is an ordinary label here).

mod lexer;

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use domain::base::iana::{TlsaCertificateUsage, TlsaMatchingType, TlsaSelector};
use domain::base::rdata::RecordData as _;
use domain::base::{Name, Rtype, Serial, Ttl};
use domain::rdata::{Aaaa, Cname, Mx, Ns, Soa, Tlsa, Txt, ZoneRecordData, A};

use lexer::{decode_character_string, split_entries, Entry, Token};

/// A domain name as the stand-in stores it (absolute, compared case-insensitively).
pub type StoredName = Name<Vec<u8>>;

/// Record data as the stand-in stores it, in the `domain` crate's types.
pub type RecordData = ZoneRecordData<Vec<u8>, StoredName>;

/// The largest zone file read, in bytes.
pub const MAX_ZONE_FILE_LEN: usize = 4 * 1024 * 1024;

/// The TTL of records when the file sets none with `$TTL` or on the record.
pub const DEFAULT_TTL: u32 = 3600;

/// A parsed zone file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// The zone's apex: the file's name without `.zone`. Every owner lies at or below it.
    pub apex: StoredName,
    /// `$SIGNED yes`: answers from this zone get the AD bit when the query set AD or DO.
    pub signed: bool,
    /// `$SERVFAIL` names: queries for them are answered with SERVFAIL.
    pub servfail: Vec<StoredName>,
    /// `$TIMEOUT` names: queries for them are never answered.
    pub timeout: Vec<StoredName>,
    /// The records, in file order.
    pub records: Vec<ZoneRecord>,
}

/// One resource record of a zone file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneRecord {
    /// The 1-based line on which the record starts.
    pub line: usize,
    /// The owner name.
    pub owner: StoredName,
    /// The TTL in seconds.
    pub ttl: u32,
    /// The record data.
    pub data: RecordData,
}

/// Why a zone file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZoneError {
    /// The file is larger than [`MAX_ZONE_FILE_LEN`].
    TooLarge {
        /// The file's length in bytes.
        len: usize,
    },
    /// A quoted string runs to the end of its line or of the file.
    UnterminatedQuote {
        /// The line of the quote.
        line: usize,
    },
    /// A `"` in the middle of a bare token.
    StrayQuote {
        /// The line of the quote.
        line: usize,
    },
    /// A `(` without `)`, or a `)` without `(`.
    UnbalancedParenthesis {
        /// The line of the parenthesis.
        line: usize,
    },
    /// A `$` directive this format does not know (`$INCLUDE` among them).
    UnknownDirective {
        /// The entry's line.
        line: usize,
        /// The directive as written.
        directive: String,
    },
    /// A directive with a missing, extra or unreadable argument.
    BadDirective {
        /// The entry's line.
        line: usize,
        /// The directive as written.
        directive: String,
    },
    /// The first record starts with a blank, so it has no owner to reuse.
    MissingOwner {
        /// The entry's line.
        line: usize,
    },
    /// A name that does not parse (empty label, label over 63 octets, name over 255 octets).
    BadName {
        /// The entry's line.
        line: usize,
        /// The name as written.
        name: String,
    },
    /// An owner or directive name outside the zone's apex.
    OutsideZone {
        /// The entry's line.
        line: usize,
        /// The name.
        name: String,
        /// The zone's apex.
        apex: String,
    },
    /// A TTL that is not a number up to 2^31 - 1 (RFC 2181 §8).
    BadTtl {
        /// The entry's line.
        line: usize,
        /// The TTL as written.
        value: String,
    },
    /// A record line without a type.
    MissingType {
        /// The entry's line.
        line: usize,
    },
    /// A record type this format does not support.
    UnknownType {
        /// The entry's line.
        line: usize,
        /// The type as written.
        rtype: String,
    },
    /// A record with the wrong number of fields.
    FieldCount {
        /// The entry's line.
        line: usize,
        /// The record type.
        rtype: Rtype,
        /// How many fields the type takes, in words.
        want: &'static str,
        /// How many fields the record has.
        found: usize,
    },
    /// A field that does not parse.
    BadField {
        /// The entry's line.
        line: usize,
        /// The record type.
        rtype: Rtype,
        /// Which field.
        field: &'static str,
        /// The field as written.
        value: String,
    },
    /// A TXT character-string over 255 octets (RFC 1035 §3.3).
    LongCharacterString {
        /// The entry's line.
        line: usize,
        /// Its length in octets.
        len: usize,
    },
    /// A CNAME beside other data at the same name (RFC 1034 §3.6.2, RFC 2181 §10.1).
    CnameAndOtherData {
        /// The line of the later of the two records.
        line: usize,
        /// The owner name.
        name: String,
    },
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { len } => {
                write!(f, "zone file of {len} bytes is over {MAX_ZONE_FILE_LEN}")
            }
            Self::UnterminatedQuote { line } => write!(f, "line {line}: unterminated quote"),
            Self::StrayQuote { line } => write!(f, "line {line}: quote inside a bare token"),
            Self::UnbalancedParenthesis { line } => {
                write!(f, "line {line}: unbalanced parenthesis")
            }
            Self::UnknownDirective { line, directive } => {
                write!(f, "line {line}: unknown directive \"{directive}\"")
            }
            Self::BadDirective { line, directive } => {
                write!(f, "line {line}: bad arguments to \"{directive}\"")
            }
            Self::MissingOwner { line } => {
                write!(
                    f,
                    "line {line}: record starts with a blank but has no previous owner"
                )
            }
            Self::BadName { line, name } => write!(f, "line {line}: bad name \"{name}\""),
            Self::OutsideZone { line, name, apex } => {
                write!(
                    f,
                    "line {line}: name \"{name}\" is outside the zone \"{apex}\""
                )
            }
            Self::BadTtl { line, value } => write!(f, "line {line}: bad TTL \"{value}\""),
            Self::MissingType { line } => write!(f, "line {line}: record without a type"),
            Self::UnknownType { line, rtype } => {
                write!(f, "line {line}: unsupported record type \"{rtype}\"")
            }
            Self::FieldCount {
                line,
                rtype,
                want,
                found,
            } => write!(f, "line {line}: {rtype} takes {want} fields, found {found}"),
            Self::BadField {
                line,
                rtype,
                field,
                value,
            } => write!(f, "line {line}: bad {rtype} {field} \"{value}\""),
            Self::LongCharacterString { line, len } => {
                write!(
                    f,
                    "line {line}: character-string of {len} octets is over 255"
                )
            }
            Self::CnameAndOtherData { line, name } => {
                write!(f, "line {line}: \"{name}\" has a CNAME and other data")
            }
        }
    }
}

impl std::error::Error for ZoneError {}

/// Parses the zone file `text` of the zone at `apex` (the initial `$ORIGIN`).
pub fn parse_zone(text: &str, apex: &StoredName) -> Result<Zone, ZoneError> {
    if text.len() > MAX_ZONE_FILE_LEN {
        return Err(ZoneError::TooLarge { len: text.len() });
    }
    let mut parser = Parser {
        origin: apex.clone(),
        default_ttl: DEFAULT_TTL,
        last_owner: None,
        zone: Zone {
            apex: apex.clone(),
            signed: false,
            servfail: Vec::new(),
            timeout: Vec::new(),
            records: Vec::new(),
        },
    };
    for entry in split_entries(text)? {
        parser.entry(&entry)?;
    }
    check_cname_exclusive(&parser.zone.records)?;
    Ok(parser.zone)
}

/// The parser's state between entries.
struct Parser {
    origin: StoredName,
    default_ttl: u32,
    last_owner: Option<StoredName>,
    zone: Zone,
}

impl Parser {
    fn entry(&mut self, entry: &Entry) -> Result<(), ZoneError> {
        let line = entry.line;
        let mut tokens = entry.tokens.iter();
        let first = tokens.next();
        match first {
            Some(token) if !entry.starts_blank && !token.quoted && token.text.starts_with('$') => {
                self.directive(line, &token.text, tokens.as_slice())
            }
            _ => self.record(entry),
        }
    }

    fn directive(&mut self, line: usize, name: &str, args: &[Token]) -> Result<(), ZoneError> {
        let bad = || ZoneError::BadDirective {
            line,
            directive: name.to_owned(),
        };
        let [arg] = args else { return Err(bad()) };
        match name.to_ascii_uppercase().as_str() {
            "$ORIGIN" => self.origin = self.name(line, arg)?,
            "$TTL" => self.default_ttl = parse_ttl(line, arg)?,
            "$SIGNED" => {
                self.zone.signed = match arg.text.to_ascii_lowercase().as_str() {
                    "yes" => true,
                    "no" => false,
                    _ => return Err(bad()),
                }
            }
            "$SERVFAIL" => {
                let target = self.name_in_zone(line, arg)?;
                self.zone.servfail.push(target);
            }
            "$TIMEOUT" => {
                let target = self.name_in_zone(line, arg)?;
                self.zone.timeout.push(target);
            }
            _ => {
                return Err(ZoneError::UnknownDirective {
                    line,
                    directive: name.to_owned(),
                })
            }
        }
        Ok(())
    }

    fn record(&mut self, entry: &Entry) -> Result<(), ZoneError> {
        let line = entry.line;
        let mut tokens = entry.tokens.iter();
        let owner = if entry.starts_blank {
            self.last_owner
                .clone()
                .ok_or(ZoneError::MissingOwner { line })?
        } else {
            let token = tokens.next().ok_or(ZoneError::MissingType { line })?;
            self.name_in_zone(line, token)?
        };
        let mut ttl = None;
        let mut class_seen = false;
        let rtype = loop {
            let token = tokens.next().ok_or(ZoneError::MissingType { line })?;
            if ttl.is_none() && !token.quoted && token.text.bytes().all(|b| b.is_ascii_digit()) {
                ttl = Some(parse_ttl(line, token)?);
            } else if !class_seen && !token.quoted && token.text.eq_ignore_ascii_case("IN") {
                class_seen = true;
            } else {
                break token;
            }
        };
        let data = self.record_data(line, rtype, tokens.as_slice())?;
        self.last_owner = Some(owner.clone());
        self.zone.records.push(ZoneRecord {
            line,
            owner,
            ttl: ttl.unwrap_or(self.default_ttl),
            data,
        });
        Ok(())
    }

    fn record_data(
        &self,
        line: usize,
        rtype: &Token,
        fields: &[Token],
    ) -> Result<RecordData, ZoneError> {
        let unknown = || ZoneError::UnknownType {
            line,
            rtype: rtype.text.clone(),
        };
        if rtype.quoted {
            return Err(unknown());
        }
        let count = |rtype: Rtype, want: &'static str| ZoneError::FieldCount {
            line,
            rtype,
            want,
            found: fields.len(),
        };
        Ok(match rtype.text.to_ascii_uppercase().as_str() {
            "A" => {
                let [addr] = fields else {
                    return Err(count(Rtype::A, "1"));
                };
                A::new(parse_field::<Ipv4Addr>(line, Rtype::A, "address", addr)?).into()
            }
            "AAAA" => {
                let [addr] = fields else {
                    return Err(count(Rtype::AAAA, "1"));
                };
                Aaaa::new(parse_field::<Ipv6Addr>(line, Rtype::AAAA, "address", addr)?).into()
            }
            "MX" => {
                // RFC 7505 §3: a null MX is preference 0 and exchange "." (the root).
                let [preference, exchange] = fields else {
                    return Err(count(Rtype::MX, "2"));
                };
                let preference = parse_field::<u16>(line, Rtype::MX, "preference", preference)?;
                Mx::new(preference, self.name(line, exchange)?).into()
            }
            "CNAME" => {
                let [target] = fields else {
                    return Err(count(Rtype::CNAME, "1"));
                };
                Cname::new(self.name(line, target)?).into()
            }
            "NS" => {
                let [target] = fields else {
                    return Err(count(Rtype::NS, "1"));
                };
                Ns::new(self.name(line, target)?).into()
            }
            "TXT" => txt(line, fields)?.into(),
            "TLSA" => tlsa(line, fields)?.into(),
            "SOA" => {
                let [mname, rname, serial, refresh, retry, expire, minimum] = fields else {
                    return Err(count(Rtype::SOA, "7"));
                };
                let seconds = |field: &'static str, token: &Token| {
                    parse_field::<u32>(line, Rtype::SOA, field, token).map(Ttl::from_secs)
                };
                Soa::new(
                    self.name(line, mname)?,
                    self.name(line, rname)?,
                    Serial(parse_field::<u32>(line, Rtype::SOA, "serial", serial)?),
                    seconds("refresh", refresh)?,
                    seconds("retry", retry)?,
                    seconds("expire", expire)?,
                    seconds("minimum", minimum)?,
                )
                .into()
            }
            _ => return Err(unknown()),
        })
    }

    /// A name as written, made absolute against the current origin (RFC 1035 §5.1).
    fn name(&self, line: usize, token: &Token) -> Result<StoredName, ZoneError> {
        let bad = || ZoneError::BadName {
            line,
            name: token.text.clone(),
        };
        if token.quoted || token.text.is_empty() {
            return Err(bad());
        }
        if token.text == "@" {
            return Ok(self.origin.clone());
        }
        let text = if is_absolute(&token.text) || self.origin.is_root() {
            token.text.clone()
        } else {
            format!("{}.{}", token.text, self.origin)
        };
        StoredName::from_str(&text).map_err(|_| bad())
    }

    /// Like [`Parser::name`], and the name must lie at or below the apex.
    fn name_in_zone(&self, line: usize, token: &Token) -> Result<StoredName, ZoneError> {
        let name = self.name(line, token)?;
        if !name.ends_with(&self.zone.apex) {
            return Err(ZoneError::OutsideZone {
                line,
                name: name.to_string(),
                apex: self.zone.apex.to_string(),
            });
        }
        Ok(name)
    }
}

/// Whether a name as written ends with an unescaped dot.
fn is_absolute(text: &str) -> bool {
    let Some(body) = text.strip_suffix('.') else {
        return false;
    };
    let backslashes = body.bytes().rev().take_while(|&b| b == b'\\').count();
    backslashes.is_multiple_of(2)
}

fn parse_ttl(line: usize, token: &Token) -> Result<u32, ZoneError> {
    token
        .text
        .parse::<u32>()
        .ok()
        .filter(|ttl| !token.quoted && *ttl <= 0x7fff_ffff)
        .ok_or_else(|| ZoneError::BadTtl {
            line,
            value: token.text.clone(),
        })
}

fn parse_field<T: FromStr>(
    line: usize,
    rtype: Rtype,
    field: &'static str,
    token: &Token,
) -> Result<T, ZoneError> {
    let bad = || ZoneError::BadField {
        line,
        rtype,
        field,
        value: token.text.clone(),
    };
    if token.quoted {
        return Err(bad());
    }
    token.text.parse().map_err(|_| bad())
}

/// TXT: one or more character-strings, kept apart (RFC 1035 §3.3.14; RFC 7208 §3.3 and RFC 8461
/// §3.1 readers join them).
fn txt(line: usize, fields: &[Token]) -> Result<Txt<Vec<u8>>, ZoneError> {
    if fields.is_empty() {
        return Err(ZoneError::FieldCount {
            line,
            rtype: Rtype::TXT,
            want: "at least 1",
            found: 0,
        });
    }
    let mut wire = Vec::new();
    for field in fields {
        let bytes = decode_character_string(&field.text).ok_or_else(|| ZoneError::BadField {
            line,
            rtype: Rtype::TXT,
            field: "character-string",
            value: field.text.clone(),
        })?;
        let len = u8::try_from(bytes.len()).map_err(|_| ZoneError::LongCharacterString {
            line,
            len: bytes.len(),
        })?;
        wire.push(len);
        wire.extend_from_slice(&bytes);
    }
    Txt::from_octets(wire).map_err(|_| ZoneError::FieldCount {
        line,
        rtype: Rtype::TXT,
        want: "at most 65535 octets of",
        found: fields.len(),
    })
}

/// TLSA: `usage selector matching-type hex` (RFC 6698 §2.2; the hex may contain blanks).
fn tlsa(line: usize, fields: &[Token]) -> Result<Tlsa<Vec<u8>>, ZoneError> {
    let [usage, selector, matching, hex @ ..] = fields else {
        return Err(ZoneError::FieldCount {
            line,
            rtype: Rtype::TLSA,
            want: "4 or more",
            found: fields.len(),
        });
    };
    if hex.is_empty() {
        return Err(ZoneError::FieldCount {
            line,
            rtype: Rtype::TLSA,
            want: "4 or more",
            found: fields.len(),
        });
    }
    let usage = parse_field::<u8>(line, Rtype::TLSA, "usage", usage)?;
    let selector = parse_field::<u8>(line, Rtype::TLSA, "selector", selector)?;
    let matching = parse_field::<u8>(line, Rtype::TLSA, "matching type", matching)?;
    let text: String = hex.iter().map(|token| token.text.as_str()).collect();
    let bad_hex = || ZoneError::BadField {
        line,
        rtype: Rtype::TLSA,
        field: "certificate association data",
        value: text.clone(),
    };
    let data = decode_hex(&text).ok_or_else(bad_hex)?;
    Tlsa::try_new(
        TlsaCertificateUsage::from_int(usage),
        TlsaSelector::from_int(selector),
        TlsaMatchingType::from_int(matching),
        data,
    )
    .map_err(|_| bad_hex())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digits: Option<Vec<u8>> = text
        .chars()
        .map(|c| c.to_digit(16).and_then(|d| u8::try_from(d).ok()))
        .collect();
    Some(
        digits?
            .chunks_exact(2)
            .map(|pair| pair.iter().fold(0u8, |acc, d| (acc << 4) | d))
            .collect(),
    )
}

/// RFC 1034 §3.6.2: a name with a CNAME has no other data.
fn check_cname_exclusive(records: &[ZoneRecord]) -> Result<(), ZoneError> {
    // Per name: (has a CNAME, has other data).
    let mut seen: BTreeMap<&StoredName, (bool, bool)> = BTreeMap::new();
    for record in records {
        let is_cname = record.data.rtype() == Rtype::CNAME;
        let (cname, other) = seen.entry(&record.owner).or_default();
        if *cname || (is_cname && *other) {
            return Err(ZoneError::CnameAndOtherData {
                line: record.line,
                name: record.owner.to_string(),
            });
        }
        if is_cname {
            *cname = true;
        } else {
            *other = true;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
