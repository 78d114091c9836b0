//! Zone files: RFC 1035 §5 master files, read by the `domain` crate's zone-file reader
//! (`domain::zonefile::inplace`), plus the stand-in's own directives, read here.
//!
//! The reader takes `$ORIGIN`, `$TTL`, `@`, relative and absolute names, a TTL and the class in
//! either order, parentheses across lines, `;` comments and quoted or bare character-strings with
//! their escapes (`\"`, `\\`, `\DDD`). A record without a TTL takes `$TTL`, else the last TTL
//! written (RFC 1035 §5.1), else [`DEFAULT_TTL`].
//!
//! This layer around it:
//! - takes out the stand-in's directives before the reader sees them (it refuses directives it
//!   does not know), leaving their lines empty so that its line numbers stay right:
//!   - `$SIGNED yes|no`: answers from this zone carry the AD bit when the query asked for it;
//!   - `$SERVFAIL name`: queries for `name` are answered with SERVFAIL;
//!   - `$TIMEOUT name`: queries for `name` are never answered;
//!
//!   (names relative to the `$ORIGIN` in effect, as in records);
//! - notes the line each record starts on, which the reader does not report, for the errors;
//! - keeps to what the answerer serves: the types A, AAAA, MX (null MX `0 .` included), TXT,
//!   CNAME, TLSA, NS and SOA in class IN, owners at or below the apex, a CNAME alone at its name,
//!   TTLs up to 2^31 - 1.
//!
//! Not supported (refused with an error): `$INCLUDE`, `$GENERATE`, other classes, other types,
//! TTL units (`1h`), wildcards (a `*` label is an ordinary label here).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use domain::base::iana::{Class, Rtype};
use domain::base::name::{FlattenInto as _, ToLabelIter as _, ToName as _};
use domain::base::rdata::RecordData as _;
use domain::base::Name;
use domain::rdata::ZoneRecordData;
use domain::zonefile::inplace::{Entry, Zonefile};

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
    /// The zone-file reader refused the text (RFC 1035 §5: a bad name, field, quote,
    /// parenthesis, class …).
    Syntax {
        /// The line it stopped on.
        line: usize,
        /// The reader's reason, with the column.
        message: String,
    },
    /// A `$` directive this format does not know (`$INCLUDE` among them).
    UnknownDirective {
        /// The entry's line.
        line: usize,
        /// The directive as written.
        directive: String,
    },
    /// A stand-in directive with a missing, extra or unreadable argument.
    BadDirective {
        /// The entry's line.
        line: usize,
        /// The directive as written.
        directive: String,
    },
    /// A name in a stand-in directive that does not parse.
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
    /// A TTL over 2^31 - 1 (RFC 2181 §8).
    BadTtl {
        /// The entry's line.
        line: usize,
        /// The TTL.
        value: u32,
    },
    /// A record type (or class) this format does not support.
    UnknownType {
        /// The entry's line.
        line: usize,
        /// The type as written.
        rtype: String,
    },
    /// A TLSA record without certificate association data (RFC 6698 §2.2: the last field, in
    /// hex; the reader takes an empty one).
    MissingTlsaData {
        /// The entry's line.
        line: usize,
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
            Self::Syntax { line, message } => write!(f, "line {line}: {message}"),
            Self::UnknownDirective { line, directive } => {
                write!(f, "line {line}: unknown directive \"{directive}\"")
            }
            Self::BadDirective { line, directive } => {
                write!(f, "line {line}: bad arguments to \"{directive}\"")
            }
            Self::BadName { line, name } => write!(f, "line {line}: bad name \"{name}\""),
            Self::OutsideZone { line, name, apex } => {
                write!(
                    f,
                    "line {line}: name \"{name}\" is outside the zone \"{apex}\""
                )
            }
            Self::BadTtl { line, value } => write!(f, "line {line}: bad TTL \"{value}\""),
            Self::UnknownType { line, rtype } => {
                write!(f, "line {line}: unsupported record type \"{rtype}\"")
            }
            Self::MissingTlsaData { line } => {
                write!(f, "line {line}: TLSA without certificate association data")
            }
            Self::CnameAndOtherData { line, name } => {
                write!(f, "line {line}: \"{name}\" has a CNAME and other data")
            }
        }
    }
}

impl std::error::Error for ZoneError {}

/// The record types the answerer serves.
const SERVED_TYPES: [Rtype; 8] = [
    Rtype::A,
    Rtype::AAAA,
    Rtype::MX,
    Rtype::TXT,
    Rtype::CNAME,
    Rtype::TLSA,
    Rtype::NS,
    Rtype::SOA,
];

/// RFC 2181 §8: the largest TTL.
const MAX_TTL: u32 = 0x7fff_ffff;

/// Parses the zone file `text` of the zone at `apex` (the initial `$ORIGIN`).
pub fn parse_zone(text: &str, apex: &StoredName) -> Result<Zone, ZoneError> {
    if text.len() > MAX_ZONE_FILE_LEN {
        return Err(ZoneError::TooLarge { len: text.len() });
    }
    let mut zone = Zone {
        apex: apex.clone(),
        signed: false,
        servfail: Vec::new(),
        timeout: Vec::new(),
        records: Vec::new(),
    };
    let prepared = take_directives(text, &mut zone)?;
    let mut reader = Zonefile::from(prepared.text.as_str());
    reader.set_origin(apex.to_name());
    reader.set_default_class(Class::IN);
    let starts = prepared.starts;
    let mut lines = prepared.entry_lines.into_iter();
    while let Some(entry) = reader
        .next_entry()
        .map_err(|error| syntax_error(text, &starts, &error))?
    {
        let line = lines.next().unwrap_or_default();
        let record = match entry {
            Entry::Record(record) => record,
            Entry::Include { .. } => {
                return Err(ZoneError::UnknownDirective {
                    line,
                    directive: "$INCLUDE".to_owned(),
                })
            }
        };
        if !SERVED_TYPES.contains(&record.rtype()) {
            return Err(ZoneError::UnknownType {
                line,
                rtype: record.rtype().to_string(),
            });
        }
        let ttl = record.ttl().as_secs();
        if ttl > MAX_TTL {
            return Err(ZoneError::BadTtl { line, value: ttl });
        }
        let owner: StoredName = record.owner().to_name();
        let data: RecordData = record.into_data().flatten_into();
        for name in std::iter::once(&owner).chain(names_in(&data)) {
            if !has_no_empty_label(name) {
                return Err(ZoneError::BadName {
                    line,
                    name: name.to_string(),
                });
            }
        }
        if matches!(&data, ZoneRecordData::Tlsa(tlsa) if tlsa.data().is_empty()) {
            return Err(ZoneError::MissingTlsaData { line });
        }
        within_apex(&zone.apex, line, &owner)?;
        zone.records.push(ZoneRecord {
            line,
            owner,
            ttl,
            data,
        });
    }
    check_cname_exclusive(&zone.records)?;
    Ok(zone)
}

/// The reader's error, at the entry it stopped in, with that entry's first line quoted. Its
/// text starts `LINE:COLUMN: `; at column 1 it has read the line break that ends the entry.
fn syntax_error(
    text: &str,
    starts: &[usize],
    error: &domain::zonefile::inplace::Error,
) -> ZoneError {
    let error = error.to_string();
    let mut fields = error.splitn(3, ':');
    let (line, column, reason) = (fields.next(), fields.next(), fields.next());
    let mut at: usize = line.and_then(|l| l.parse().ok()).unwrap_or_default();
    if column == Some("1") && at > 1 {
        at -= 1;
    }
    let line = starts
        .iter()
        .rev()
        .find(|&&start| start <= at)
        .copied()
        .unwrap_or(at);
    let written = text
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or_default()
        .trim();
    ZoneError::Syntax {
        line,
        message: format!("{}: {written:?}", reason.unwrap_or_default().trim()),
    }
}

/// The zone file without the stand-in's directives, for the reader.
struct Prepared {
    /// The text, each stand-in directive's line left empty.
    text: String,
    /// The line on which each entry the reader returns (a record or `$INCLUDE`) starts.
    entry_lines: Vec<usize>,
    /// The line on which each entry the reader reads starts (`$ORIGIN` and `$TTL` too).
    starts: Vec<usize>,
}

/// Reads the stand-in's directives into `zone` and notes where entries start. An entry starts
/// on a line that begins outside parentheses and quotes and holds more than blanks and a comment
/// (RFC 1035 §5.1).
fn take_directives(text: &str, zone: &mut Zone) -> Result<Prepared, ZoneError> {
    let mut prepared = Prepared {
        text: String::with_capacity(text.len()),
        entry_lines: Vec::new(),
        starts: Vec::new(),
    };
    let mut origin = zone.apex.clone();
    let mut open = Open::default();
    for (index, physical) in text.split_inclusive('\n').enumerate() {
        let line = index + 1;
        let content = physical.trim_end_matches(['\n', '\r']);
        let starts_entry = open == Open::default()
            && content
                .trim_start()
                .chars()
                .next()
                .is_some_and(|c| c != ';');
        open = open.after(content);
        if !starts_entry {
            prepared.text.push_str(physical);
            continue;
        }
        if !content.starts_with('$') {
            prepared.starts.push(line);
            prepared.entry_lines.push(line);
            prepared.text.push_str(physical);
            continue;
        }
        let words: Vec<&str> = content
            .split(';')
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let (directive, args) = words.split_first().unwrap_or((&"", &[]));
        let bad = || ZoneError::BadDirective {
            line,
            directive: (*directive).to_owned(),
        };
        let keyword = directive.to_ascii_uppercase();
        if matches!(keyword.as_str(), "$SIGNED" | "$SERVFAIL" | "$TIMEOUT") {
            // Only the line break stays.
            prepared
                .text
                .push_str(physical.get(content.len()..).unwrap_or_default());
        } else {
            prepared.starts.push(line);
            prepared.text.push_str(physical);
        }
        match keyword.as_str() {
            // The reader's own: it reads them (and refuses them when broken).
            "$ORIGIN" => {
                if let [name] = args {
                    origin = absolute(line, name, &origin)?;
                }
            }
            "$TTL" => {}
            "$INCLUDE" => prepared.entry_lines.push(line),
            "$SIGNED" => {
                zone.signed = match args {
                    [arg] if arg.eq_ignore_ascii_case("yes") => true,
                    [arg] if arg.eq_ignore_ascii_case("no") => false,
                    _ => return Err(bad()),
                };
            }
            "$SERVFAIL" | "$TIMEOUT" => {
                let [name] = args else { return Err(bad()) };
                let name = absolute(line, name, &origin)?;
                within_apex(&zone.apex, line, &name)?;
                if keyword == "$SERVFAIL" {
                    zone.servfail.push(name);
                } else {
                    zone.timeout.push(name);
                }
            }
            _ => {
                return Err(ZoneError::UnknownDirective {
                    line,
                    directive: (*directive).to_owned(),
                })
            }
        }
    }
    Ok(prepared)
}

/// What is open at the end of a line: parentheses and a quoted string (RFC 1035 §5.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Open {
    parentheses: usize,
    quote: bool,
}

impl Open {
    /// The state after `line`, given this one before it.
    fn after(mut self, line: &str) -> Open {
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => self.quote = !self.quote,
                _ if self.quote => {}
                ';' => break,
                '(' => self.parentheses += 1,
                ')' => self.parentheses = self.parentheses.saturating_sub(1),
                _ => {}
            }
        }
        self
    }
}

/// A name in a stand-in directive, made absolute against `origin` (RFC 1035 §5.1).
fn absolute(line: usize, text: &str, origin: &StoredName) -> Result<StoredName, ZoneError> {
    let bad = || ZoneError::BadName {
        line,
        name: text.to_owned(),
    };
    if text == "@" {
        return Ok(origin.clone());
    }
    let text = if is_absolute(text) || origin.is_root() {
        text.to_owned()
    } else {
        format!("{text}.{origin}")
    };
    StoredName::from_str(&text).map_err(|_| bad())
}

/// Whether a name as written ends with an unescaped dot.
fn is_absolute(text: &str) -> bool {
    let Some(body) = text.strip_suffix('.') else {
        return false;
    };
    let backslashes = body.bytes().rev().take_while(|&b| b == b'\\').count();
    backslashes.is_multiple_of(2)
}

/// The names inside record data.
fn names_in(data: &RecordData) -> Vec<&StoredName> {
    match data {
        ZoneRecordData::Mx(mx) => vec![mx.exchange()],
        ZoneRecordData::Cname(cname) => vec![cname.cname()],
        ZoneRecordData::Ns(ns) => vec![ns.nsdname()],
        ZoneRecordData::Soa(soa) => vec![soa.mname(), soa.rname()],
        _ => Vec::new(),
    }
}

/// RFC 1035 §3.1: only the root label is empty. The reader takes `a..b` as a name with an
/// empty label inside, so this is checked here.
pub(crate) fn has_no_empty_label(name: &StoredName) -> bool {
    name.iter_labels().filter(|label| label.is_empty()).count() == 1
}

/// Every owner lies at or below the apex (a zone file holds one zone).
fn within_apex(apex: &StoredName, line: usize, name: &StoredName) -> Result<(), ZoneError> {
    if name.ends_with(apex) {
        Ok(())
    } else {
        Err(ZoneError::OutsideZone {
            line,
            name: name.to_string(),
            apex: apex.to_string(),
        })
    }
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
