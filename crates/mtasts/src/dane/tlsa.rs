//! TLSA records in presentation format (RFC 6698 §2.2).
//!
//! ```text
//! usage selector matching-type certificate-association-data
//! 3     1        1             0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6
//! ```
//!
//! Also read: the RFC 7218 mnemonics (`DANE-EE SPKI SHA2-256 …`), the RFC 3597 generic form
//! (`\# 35 030101…`), whitespace and zone-file parentheses inside the data, and a leading
//! `owner [ttl] [class] TLSA` as `dig` prints it. Whether SMTP can use a record follows RFC 7672
//! §3.1.3: usages DANE-TA(2) and DANE-EE(3), selectors 0 and 1, matching types 0 to 2.

use crate::finding::{Code, Finding, LintResult};
use crate::hex;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The longest input read: the hex of the largest RDATA (65535 octets) with room for spacing.
pub const MAX_TEXT_LEN: usize = 4 * 65535;

/// Defines an open registry of one TLSA octet: its assigned values with their RFC 7218 §2.1
/// mnemonics, and `Unassigned(u8)` for every other value, so that no value is lost. Built from
/// the octet with `From<u8>`; serialised as the number.
macro_rules! open_registry {
    (
        $(#[$doc:meta])*
        $name:ident {
            $($(#[$variant_doc:meta])* $variant:ident = $value:literal, $mnemonic:literal;)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$variant_doc])* $variant,)*
            /// A value the registry does not assign (build it with `From<u8>`, which never
            /// makes an assigned value unassigned).
            Unassigned(u8),
        }

        impl $name {
            /// Every assigned value, in numeric order.
            pub const ASSIGNED: &'static [$name] = &[$($name::$variant),*];

            /// The octet as the record carries it.
            pub fn value(self) -> u8 {
                match self {
                    $($name::$variant => $value,)*
                    $name::Unassigned(value) => value,
                }
            }

            /// The RFC 7218 mnemonic of an assigned value.
            pub fn mnemonic(self) -> Option<&'static str> {
                match self {
                    $($name::$variant => Some($mnemonic),)*
                    $name::Unassigned(_) => None,
                }
            }
        }

        impl From<u8> for $name {
            fn from(value: u8) -> Self {
                match value {
                    $($value => $name::$variant,)*
                    other => $name::Unassigned(other),
                }
            }
        }

        impl From<$name> for u8 {
            fn from(field: $name) -> u8 {
                field.value()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.value())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_u8(self.value())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                u8::deserialize(deserializer).map($name::from)
            }
        }
    };
}

open_registry! {
    /// Certificate usage (RFC 6698 §2.1.1), IANA's "TLSA Certificate Usages".
    CertUsage {
        /// `PKIX-TA(0)`: a CA that must also pass PKIX validation.
        PkixTa = 0, "PKIX-TA";
        /// `PKIX-EE(1)`: the server certificate, which must also pass PKIX validation.
        PkixEe = 1, "PKIX-EE";
        /// `DANE-TA(2)`: a trust anchor for the server certificate (RFC 7671 §5.2).
        DaneTa = 2, "DANE-TA";
        /// `DANE-EE(3)`: the server certificate itself (RFC 7671 §5.1).
        DaneEe = 3, "DANE-EE";
        /// `PrivCert(255)`: reserved for private use.
        PrivCert = 255, "PrivCert";
    }
}

open_registry! {
    /// Selector (RFC 6698 §2.1.2), IANA's "TLSA Selectors": which part of the certificate is
    /// matched.
    Selector {
        /// `Cert(0)`: the whole certificate, DER.
        Cert = 0, "Cert";
        /// `SPKI(1)`: the `SubjectPublicKeyInfo`, DER.
        Spki = 1, "SPKI";
        /// `PrivSel(255)`: reserved for private use.
        PrivSel = 255, "PrivSel";
    }
}

open_registry! {
    /// Matching type (RFC 6698 §2.1.3), IANA's "TLSA Matching Types": how the selected bytes are
    /// compared with the association data.
    MatchingType {
        /// `Full(0)`: the selected bytes themselves.
        Full = 0, "Full";
        /// `SHA2-256(1)`: their SHA-256 digest.
        Sha2_256 = 1, "SHA2-256";
        /// `SHA2-512(2)`: their SHA-512 digest.
        Sha2_512 = 2, "SHA2-512";
        /// `PrivMatch(255)`: reserved for private use.
        PrivMatch = 255, "PrivMatch";
    }
}

impl MatchingType {
    /// The length of the digest this matching type compares, in bytes (RFC 6698 §2.1.3); `None`
    /// where any length goes.
    pub fn digest_len(self) -> Option<usize> {
        match self {
            MatchingType::Sha2_256 => Some(32),
            MatchingType::Sha2_512 => Some(64),
            _ => None,
        }
    }
}

/// A parsed TLSA record (RFC 6698 §2.1).
///
/// In JSON: `{ usage, selector, matching_type, data, data_len, usable_for_smtp_dane }`, the three
/// fields as numbers and the data as lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlsa {
    /// Certificate usage.
    pub usage: CertUsage,
    /// Selector.
    pub selector: Selector,
    /// Matching type.
    pub matching_type: MatchingType,
    /// Certificate association data.
    pub data: Vec<u8>,
}

/// The JSON form of [`Tlsa`].
#[derive(Serialize, Deserialize)]
struct TlsaJson {
    usage: CertUsage,
    selector: Selector,
    matching_type: MatchingType,
    data: String,
    data_len: usize,
    usable_for_smtp_dane: bool,
}

impl Serialize for Tlsa {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TlsaJson {
            usage: self.usage,
            selector: self.selector,
            matching_type: self.matching_type,
            data: hex::encode(&self.data),
            data_len: self.data_len(),
            usable_for_smtp_dane: self.usable_for_smtp_dane(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Tlsa {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = TlsaJson::deserialize(deserializer)?;
        let data = hex::decode(&json.data)
            .ok_or_else(|| serde::de::Error::custom("the TLSA data is not hex"))?;
        Ok(Tlsa {
            usage: json.usage,
            selector: json.selector,
            matching_type: json.matching_type,
            data,
        })
    }
}

/// One of the three numeric fields of a TLSA record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsaField {
    /// Certificate usage (RFC 6698 §2.1.1).
    Usage,
    /// Selector (RFC 6698 §2.1.2).
    Selector,
    /// Matching type (RFC 6698 §2.1.3).
    MatchingType,
}

impl TlsaField {
    /// The mnemonic of `value` in this field's registry, where it has one (RFC 7218 §2.1).
    pub fn mnemonic(self, value: u8) -> Option<&'static str> {
        match self {
            TlsaField::Usage => CertUsage::from(value).mnemonic(),
            TlsaField::Selector => Selector::from(value).mnemonic(),
            TlsaField::MatchingType => MatchingType::from(value).mnemonic(),
        }
    }

    /// The value of `mnemonic` (case-insensitive) in this field's registry.
    fn value_of(self, mnemonic: &str) -> Option<u8> {
        (0..=u8::MAX).find(|&value| {
            self.mnemonic(value)
                .is_some_and(|name| name.eq_ignore_ascii_case(mnemonic))
        })
    }
}

impl fmt::Display for TlsaField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsaField::Usage => "usage",
            TlsaField::Selector => "selector",
            TlsaField::MatchingType => "matching type",
        })
    }
}

/// Why a TLSA record is not well-formed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsaError {
    /// Nothing to read.
    Empty,
    /// Longer than [`MAX_TEXT_LEN`].
    TooLong(usize),
    /// Parentheses that do not enclose one part of the record.
    Parentheses,
    /// Fewer than the three numeric fields.
    TooFewFields(usize),
    /// A field that is neither a decimal number nor a mnemonic.
    NotANumber(TlsaField, String),
    /// A number over 255.
    OutOfRange(TlsaField, String),
    /// No certificate association data.
    NoData,
    /// A data part that is not hex digits.
    NotHex(String),
    /// An odd number of hex digits.
    OddHex(usize),
    /// The generic form's length is not a number from 0 to 65535.
    GenericLength(String),
    /// The generic form holds fewer than the four bytes a TLSA record needs at least.
    GenericTooShort(usize),
    /// The generic form's length differs from the bytes given.
    GenericMismatch {
        /// The length the record declares.
        declared: usize,
        /// The bytes it holds.
        actual: usize,
    },
    /// Data of the wrong length for its matching type (RFC 6698 §2.1.3).
    DigestLength {
        /// The matching type.
        matching_type: MatchingType,
        /// The digest length it needs, in bytes.
        expected: usize,
        /// The bytes given.
        actual: usize,
    },
}

impl fmt::Display for TlsaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsaError::Empty => write!(f, "the record is empty"),
            TlsaError::TooLong(len) => write!(
                f,
                "the record is {len} characters long, more than {MAX_TEXT_LEN}"
            ),
            TlsaError::Parentheses => write!(f, "the parentheses are unbalanced"),
            TlsaError::TooFewFields(n) => write!(
                f,
                "the record has {n} of its four parts (usage selector matching-type data)"
            ),
            TlsaError::NotANumber(field, value) => write!(
                f,
                "{field} {value:?} is not a number from 0 to 255 nor a known mnemonic"
            ),
            TlsaError::OutOfRange(field, value) => {
                write!(f, "{field} {value} is not a number from 0 to 255")
            }
            TlsaError::NoData => write!(f, "the certificate association data is missing"),
            TlsaError::NotHex(part) => write!(
                f,
                "the certificate association data holds {part:?}, which is not hex"
            ),
            TlsaError::OddHex(digits) => write!(
                f,
                "the certificate association data has an odd number of hex digits ({digits})"
            ),
            TlsaError::GenericLength(len) => {
                write!(
                    f,
                    "the generic length {len:?} is not a number from 0 to 65535"
                )
            }
            TlsaError::GenericTooShort(n) => write!(
                f,
                "the generic form holds {n} bytes, fewer than the 4 a TLSA record needs"
            ),
            TlsaError::GenericMismatch { declared, actual } => write!(
                f,
                "the generic form declares {declared} bytes but holds {actual}"
            ),
            TlsaError::DigestLength {
                matching_type,
                expected,
                actual,
            } => write!(
                f,
                "matching type {matching_type} ({}) needs {expected} bytes of data ({} hex \
                 digits), not {actual}",
                matching_type.mnemonic().unwrap_or_default(),
                expected * 2
            ),
        }
    }
}

impl std::error::Error for TlsaError {}

impl Tlsa {
    /// The record in presentation format, `3 1 1 <hex>`.
    pub fn to_presentation(&self) -> String {
        format!(
            "{} {} {} {}",
            self.usage,
            self.selector,
            self.matching_type,
            hex::encode(&self.data)
        )
    }

    /// Length of the certificate association data in bytes.
    pub fn data_len(&self) -> usize {
        self.data.len()
    }

    /// Whether SMTP DANE can use this record (RFC 7672 §3.1.3): nothing in
    /// [`Tlsa::unusable_reasons`].
    pub fn usable_for_smtp_dane(&self) -> bool {
        self.unusable_reasons().is_empty()
    }

    /// Checks that the data has the length of its matching type's digest: 32 bytes for
    /// SHA2-256 (1), 64 for SHA2-512 (2) (RFC 6698 §2.1.3).
    pub fn check_data_len(&self) -> Result<(), TlsaError> {
        match self.matching_type.digest_len() {
            Some(expected) if expected != self.data.len() => Err(TlsaError::DigestLength {
                matching_type: self.matching_type,
                expected,
                actual: self.data.len(),
            }),
            _ => Ok(()),
        }
    }

    /// Why SMTP DANE cannot use this record, one phrase per reason (RFC 7672 §3.1.3).
    pub fn unusable_reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        match self.usage {
            CertUsage::DaneTa | CertUsage::DaneEe => {}
            CertUsage::PkixTa | CertUsage::PkixEe => reasons.push(format!(
                "usage {} ({}) is not for SMTP, where PKIX-TA(0) and PKIX-EE(1) records are \
                 unusable; publish DANE-EE(3) or DANE-TA(2)",
                self.usage,
                self.usage.mnemonic().unwrap_or_default()
            )),
            other => reasons.push(unassigned(TlsaField::Usage, other.value())),
        }
        if !matches!(self.selector, Selector::Cert | Selector::Spki) {
            reasons.push(unassigned(TlsaField::Selector, self.selector.value()));
        }
        if !matches!(
            self.matching_type,
            MatchingType::Full | MatchingType::Sha2_256 | MatchingType::Sha2_512
        ) {
            reasons.push(unassigned(
                TlsaField::MatchingType,
                self.matching_type.value(),
            ));
        }
        reasons
    }
}

/// A phrase for a value SMTP DANE does not know (255 is every field's private-use value).
fn unassigned(field: TlsaField, value: u8) -> String {
    if value == u8::MAX {
        format!("{field} 255 is for private use")
    } else {
        format!("{field} {value} is unassigned")
    }
}

/// Parses TLSA RDATA in presentation format. Checks the form only; [`lint_tlsa`] also checks
/// the digest length and whether SMTP can use the record.
pub fn parse_tlsa(rdata: &str) -> Result<Tlsa, TlsaError> {
    if rdata.len() > MAX_TEXT_LEN {
        return Err(TlsaError::TooLong(rdata.len()));
    }
    let text = without_parentheses(rdata)?;
    let mut tokens: Vec<&str> = text.split_whitespace().collect();
    // `_25._tcp.mx.example. 3600 IN TLSA 3 1 1 …` as dig and zone files print it.
    if let Some(at) = tokens
        .iter()
        .take(4)
        .position(|t| t.eq_ignore_ascii_case("TLSA"))
    {
        tokens.drain(..=at);
    }
    let (usage, selector, matching_type, bytes) = match tokens.split_first() {
        None => return Err(TlsaError::Empty),
        Some((&"\\#", rest)) => parse_generic(rest)?,
        Some(_) => parse_fields(&tokens)?,
    };
    Ok(Tlsa {
        usage: CertUsage::from(usage),
        selector: Selector::from(selector),
        matching_type: MatchingType::from(matching_type),
        data: bytes,
    })
}

/// Zone files may wrap a record in one pair of parentheses (RFC 1035 §5.1).
fn without_parentheses(rdata: &str) -> Result<String, TlsaError> {
    let open = rdata.matches('(').count();
    let close = rdata.matches(')').count();
    let ordered = rdata.find('(') < rdata.find(')');
    match (open, close) {
        (0, 0) => Ok(rdata.to_string()),
        (1, 1) if ordered => Ok(rdata.replace(['(', ')'], " ")),
        _ => Err(TlsaError::Parentheses),
    }
}

/// `usage selector matching-type hex…`, each number decimal or an RFC 7218 mnemonic.
fn parse_fields(tokens: &[&str]) -> Result<(u8, u8, u8, Vec<u8>), TlsaError> {
    let [usage, selector, matching_type, data @ ..] = tokens else {
        return Err(TlsaError::TooFewFields(tokens.len()));
    };
    let usage = parse_number(TlsaField::Usage, usage)?;
    let selector = parse_number(TlsaField::Selector, selector)?;
    let matching_type = parse_number(TlsaField::MatchingType, matching_type)?;
    // RFC 6698 §2.2: "Whitespace is allowed within the string of hexadecimal characters."
    let bytes = parse_hex(data)?;
    if bytes.is_empty() {
        return Err(TlsaError::NoData);
    }
    Ok((usage, selector, matching_type, bytes))
}

/// RFC 3597 §5: `\# length hex…`, the RDATA bytes themselves.
fn parse_generic(tokens: &[&str]) -> Result<(u8, u8, u8, Vec<u8>), TlsaError> {
    let Some((length, data)) = tokens.split_first() else {
        return Err(TlsaError::GenericTooShort(0));
    };
    let declared = length
        .parse::<u16>()
        .ok()
        .filter(|_| length.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| TlsaError::GenericLength(length.to_string()))?;
    let bytes = parse_hex(data)?;
    let actual = bytes.len();
    if actual != usize::from(declared) {
        return Err(TlsaError::GenericMismatch {
            declared: usize::from(declared),
            actual,
        });
    }
    let [usage, selector, matching_type, data @ ..] = bytes.as_slice() else {
        return Err(TlsaError::GenericTooShort(actual));
    };
    if data.is_empty() {
        return Err(TlsaError::NoData);
    }
    Ok((*usage, *selector, *matching_type, data.to_vec()))
}

/// One numeric field: decimal 0–255 or a mnemonic (case-insensitive).
fn parse_number(field: TlsaField, token: &str) -> Result<u8, TlsaError> {
    if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
        let digits = token.trim_start_matches('0');
        return match digits.parse::<u8>() {
            Ok(value) => Ok(value),
            Err(_) if digits.is_empty() => Ok(0),
            Err(_) => Err(TlsaError::OutOfRange(field, token.to_string())),
        };
    }
    field
        .value_of(token)
        .ok_or_else(|| TlsaError::NotANumber(field, token.to_string()))
}

/// The bytes of the hex parts joined; an even number of digits in all.
fn parse_hex(parts: &[&str]) -> Result<Vec<u8>, TlsaError> {
    let mut digits = String::new();
    for part in parts {
        if !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(TlsaError::NotHex(part.to_string()));
        }
        digits.push_str(part);
    }
    hex::decode(&digits).ok_or(TlsaError::OddHex(digits.len()))
}

/// Lints one TLSA RDATA string such as `3 1 1 <hex>`.
pub fn lint_tlsa(rdata: &str) -> LintResult<Tlsa> {
    let tlsa = match parse_tlsa(rdata) {
        Ok(tlsa) => tlsa,
        Err(error) => {
            let message = format!("the TLSA record does not parse: {error}");
            return LintResult::new(vec![Finding::new(Code::DaneTlsaInvalid, message)], None);
        }
    };
    let mut findings = Vec::new();
    if let Err(error) = tlsa.check_data_len() {
        findings.push(Finding::new(
            Code::DaneTlsaInvalid,
            format!("the TLSA record {} is malformed: {error}", shortened(&tlsa)),
        ));
    }
    let reasons = tlsa.unusable_reasons();
    if !reasons.is_empty() {
        // RFC 7672 §3.1.3 / RFC 7671 §4: clients ignore records they cannot use.
        findings.push(Finding::new(
            Code::DaneTlsaUnusable,
            format!(
                "the TLSA record {} is unusable for SMTP DANE: {}",
                shortened(&tlsa),
                reasons.join("; ")
            ),
        ));
    }
    LintResult::new(findings, Some(tlsa))
}

/// `3 1 1 0c72ac70…` for messages: the first 8 bytes of the data.
fn shortened(tlsa: &Tlsa) -> String {
    let shown = tlsa.data.get(..8).unwrap_or(&tlsa.data);
    let head = hex::encode(shown);
    let ellipsis = if shown.len() < tlsa.data.len() {
        "…"
    } else {
        ""
    };
    format!(
        "\"{} {} {} {head}{ellipsis}\"",
        tlsa.usage, tlsa.selector, tlsa.matching_type
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use TlsaError as E;
    use TlsaField::*;

    const SHA256: &str = "0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6";

    fn fields(t: &Tlsa) -> (u8, u8, u8, usize, bool) {
        (
            t.usage.into(),
            t.selector.into(),
            t.matching_type.into(),
            t.data_len(),
            t.usable_for_smtp_dane(),
        )
    }

    #[test]
    fn parses() {
        let sha512 = "ab".repeat(64);
        for (rdata, want) in [
            (format!("3 1 1 {SHA256}"), (3, 1, 1, 32, true)),
            (
                "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B566 64C5D3D6".into(),
                (3, 1, 1, 32, true),
            ),
            (format!("  2 0 2 {sha512} \n"), (2, 0, 2, 64, true)),
            ("0 0 0 ABCDEF0123".into(), (0, 0, 0, 5, false)),
            ("1 2 3 abcd".into(), (1, 2, 3, 2, false)),
            ("255 255 255 00".into(), (255, 255, 255, 1, false)),
            ("003 01 1 00".into(), (3, 1, 1, 1, true)),
            (
                format!("DANE-EE SPKI SHA2-256 {SHA256}"),
                (3, 1, 1, 32, true),
            ),
            (
                format!("dane-ta cert sha2-256 {SHA256}"),
                (2, 0, 1, 32, true),
            ),
            ("PKIX-EE Cert Full abcd".into(), (1, 0, 0, 2, false)),
            (
                format!(
                    "3 1 1 ( {} \n {} )",
                    SHA256.split_at(32).0,
                    SHA256.split_at(32).1
                ),
                (3, 1, 1, 32, true),
            ),
            (
                format!("_25._tcp.mx.example.com. 3600 IN TLSA 3 1 1 {SHA256}"),
                (3, 1, 1, 32, true),
            ),
            ("\\# 5 030101abcd".into(), (3, 1, 1, 2, true)),
            ("\\# 4 03 01 00 ff".into(), (3, 1, 0, 1, true)),
        ] {
            let got = parse_tlsa(&rdata).map(|t| fields(&t));
            assert_eq!(got, Ok(want), "{rdata:?}");
        }
        let tlsa = parse_tlsa(&format!("3 1 1 {SHA256}"));
        assert_eq!(
            tlsa.map(|t| t.to_presentation()),
            Ok(format!("3 1 1 {}", SHA256.to_ascii_lowercase()))
        );
    }

    #[test]
    fn refuses() {
        for (rdata, want) in [
            ("", E::Empty),
            ("   ", E::Empty),
            ("nope", E::TooFewFields(1)),
            ("1 2", E::TooFewFields(2)),
            ("1 2 3", E::NoData),
            ("1 2 3 abcd another", E::NotHex("another".into())),
            ("one two three abcd", E::NotANumber(Usage, "one".into())),
            ("-1 0 0 ABCD", E::NotANumber(Usage, "-1".into())),
            ("+1 0 0 ABCD", E::NotANumber(Usage, "+1".into())),
            ("0 bad 0 deadbeef", E::NotANumber(Selector, "bad".into())),
            ("256 0 0 deadbeef", E::OutOfRange(Usage, "256".into())),
            (
                "0 0 300 deadbeef",
                E::OutOfRange(MatchingType, "300".into()),
            ),
            (
                "0 0 99999999999999999999 ab",
                E::OutOfRange(MatchingType, "99999999999999999999".into()),
            ),
            ("0 0 0 notahex", E::NotHex("notahex".into())),
            ("4 0 0 AAAAAAAAAAAAA", E::OddHex(13)),
            ("3 1 1 ( abcd", E::Parentheses),
            ("3 1 1 ) abcd (", E::Parentheses),
            ("\\#", E::GenericTooShort(0)),
            ("\\# x 03", E::GenericLength("x".into())),
            ("\\# 70000 03", E::GenericLength("70000".into())),
            (
                "\\# 5 0301",
                E::GenericMismatch {
                    declared: 5,
                    actual: 2,
                },
            ),
            ("\\# 2 0301", E::GenericTooShort(2)),
            ("\\# 3 030101", E::NoData),
        ] {
            assert_eq!(parse_tlsa(rdata), Err(want), "{rdata:?}");
        }
        let long = format!("3 1 1 {}", "a".repeat(MAX_TEXT_LEN));
        assert_eq!(parse_tlsa(&long), Err(E::TooLong(long.len())));
    }

    #[test]
    fn lints() {
        use Code::*;
        for (rdata, want) in [
            (format!("3 1 1 {SHA256}"), vec![]),
            ("3 1 1 ABCD".into(), vec![DaneTlsaInvalid]),
            (
                "0 0 2 ".to_string() + &"aa".repeat(32),
                vec![DaneTlsaInvalid, DaneTlsaUnusable],
            ),
            ("4 1 1 ABCD".into(), vec![DaneTlsaInvalid, DaneTlsaUnusable]),
            ("1 1 1 ".to_string() + SHA256, vec![DaneTlsaUnusable]),
            ("3 2 5 ABCD".into(), vec![DaneTlsaUnusable]),
            ("3 1 0 deadbeef".into(), vec![]),
            ("nope".into(), vec![DaneTlsaInvalid]),
        ] {
            let result = lint_tlsa(&rdata);
            assert_eq!(result.codes(), want, "{rdata:?}");
            assert_eq!(result.value.is_some(), rdata != "nope", "{rdata:?}");
        }
    }

    #[test]
    fn messages_name_the_value() {
        for (rdata, needle) in [
            ("3 1 1 ABCD".to_string(), "needs 32 bytes"),
            ("1 1 1 ".to_string() + SHA256, "usage 1 (PKIX-EE)"),
            (
                "3 2 255 ABCD".into(),
                "selector 2 is unassigned; matching type 255 is for private use",
            ),
            ("256 0 0 ab".into(), "usage 256"),
        ] {
            let result = lint_tlsa(&rdata);
            let message = result
                .findings
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join(" / ");
            assert!(message.contains(needle), "{rdata:?}: {message}");
        }
    }
}
