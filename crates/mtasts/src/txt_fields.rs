//! The field list shared by the `_mta-sts` (RFC 8461 §3.1) and `_smtp._tls` (RFC 8460 §3) TXT
//! records. Both grammars have the same shape:
//!
//! ```text
//! record      = version 1*(field-delim field) [field-delim]
//! field-delim = *WSP ";" *WSP
//! field       = name "=" value
//! ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//! ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)   ; no "=", ";", SP or controls
//! ```
//!
//! This module splits a record into its version and its fields and checks the extension rules;
//! each record module checks its own version string and its own fields.

use std::fmt;

/// RFC 1035 §3.3 / RFC 6891: a TXT RDATA cannot exceed 65535 octets, so neither can the strings
/// of one record joined together.
pub const MAX_RECORD_LEN: usize = 65535;

/// The longest value quoted in a message before it is cut short.
const SHOWN_LEN: usize = 80;

/// Why a field list or one of its fields breaks the ABNF.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldError {
    /// Two `;` with nothing between them.
    EmptyField,
    /// Whitespace after the last field with no `;` following it.
    TrailingWhitespace(String),
    /// A field without `=`.
    NotNameValue(String),
    /// An extension name that is empty, too long or holds a character the ABNF forbids.
    BadName(String),
    /// An empty extension value.
    EmptyValue(String),
    /// An extension value holding a character the ABNF forbids.
    BadValue {
        /// The field name.
        name: String,
        /// The value.
        value: String,
        /// The first forbidden character.
        found: char,
    },
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldError::EmptyField => write!(
                f,
                "two ';' follow each other with no field between them (mox refuses such a record)"
            ),
            FieldError::TrailingWhitespace(field) => write!(
                f,
                "field {} ends with whitespace that no ';' follows; the ABNF allows whitespace \
                 only around ';', so strict parsers refuse the record (lenient ones accept it)",
                shown(field)
            ),
            FieldError::NotNameValue(field) => {
                write!(f, "field {} is not of the form name=value", shown(field))
            }
            FieldError::BadName(name) => write!(
                f,
                "field name {} is not 1 to 32 letters, digits, '_', '-' or '.' starting with a \
                 letter or digit",
                shown(name)
            ),
            FieldError::EmptyValue(name) => write!(f, "field {} has an empty value", shown(name)),
            FieldError::BadValue { name, value, found } => write!(
                f,
                "field {} has the value {}, which holds {found:?}; a value may not hold '=', ';', \
                 spaces, control or non-ASCII characters",
                shown(name),
                shown(value)
            ),
        }
    }
}

impl std::error::Error for FieldError {}

/// Why a record does not open with its version field (`v=STSv1`, `v=TLSRPTv1`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VersionError {
    /// The record is empty or only whitespace.
    Empty {
        /// The version field the record must start with.
        expected: &'static str,
    },
    /// The record starts with a quote: the zone editor kept the quotes as text.
    Quoted {
        /// The version field the record must start with.
        expected: &'static str,
    },
    /// Whitespace before the version field.
    LeadingWhitespace {
        /// The version field the record must start with.
        expected: &'static str,
    },
    /// The version field in the wrong case (`v=stsv1`): the ABNF is case-sensitive.
    Case {
        /// The version field the record must start with.
        expected: &'static str,
        /// What the record starts with.
        found: String,
    },
    /// Another version, or not this kind of record at all.
    Wrong {
        /// The version field the record must start with.
        expected: &'static str,
        /// What the record starts with.
        found: String,
    },
    /// The version field and nothing else.
    StandsAlone {
        /// The version field the record must start with.
        expected: &'static str,
    },
    /// The version field followed by more text without a `;` between.
    NoDelimiter {
        /// The version field the record must start with.
        expected: &'static str,
        /// The text up to the first `;`.
        found: String,
    },
}

impl VersionError {
    /// Whether the version is right and only the delimiter after it is missing: a syntax problem
    /// rather than a version problem.
    pub fn is_syntax(&self) -> bool {
        matches!(
            self,
            VersionError::StandsAlone { .. } | VersionError::NoDelimiter { .. }
        )
    }
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionError::Empty { expected } => {
                write!(f, "the record is empty; it must start with {expected:?}")
            }
            VersionError::Quoted { expected } => write!(
                f,
                "the record starts with a quote, which is part of the text; publish it without \
                 the surrounding quotes so that it starts with {expected:?}"
            ),
            VersionError::LeadingWhitespace { expected } => write!(
                f,
                "the record starts with whitespace; it must start with exactly {expected:?}"
            ),
            VersionError::Case { expected, found } => write!(
                f,
                "the record starts with {}, not {expected:?}: the version is case-sensitive",
                shown(found)
            ),
            VersionError::Wrong { expected, found } => write!(
                f,
                "the record starts with {}, not {expected:?}",
                shown(found)
            ),
            VersionError::StandsAlone { expected } => write!(
                f,
                "the record is only {expected:?}; its fields must follow after a ';'"
            ),
            VersionError::NoDelimiter { expected, found } => {
                write!(f, "{} has no ';' after {expected:?}", shown(found))
            }
        }
    }
}

impl std::error::Error for VersionError {}

/// One `name=value` field, split at its first `=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// The text before the first `=`.
    pub name: &'a str,
    /// The text after the first `=`.
    pub value: &'a str,
}

/// A record split into its leading version text and the fields after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldList<'a> {
    /// The text before the first `;`, without the whitespace before that `;`; the whole record
    /// when it has no `;`.
    pub version: &'a str,
    /// Whether a `;` follows the version.
    pub delimited: bool,
    /// The fields after the version, in order.
    pub fields: Vec<Field<'a>>,
    /// Where the list breaks the ABNF, in order.
    pub errors: Vec<FieldError>,
}

/// `WSP = SP / HTAB` (RFC 5234 appendix B.1).
pub fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Splits `text` at its field delimiters.
pub fn split(text: &str) -> FieldList<'_> {
    let mut pieces = text.split(';');
    let first = pieces.next().unwrap_or_default();
    let rest: Vec<&str> = pieces.collect();
    let delimited = !rest.is_empty();
    let mut list = FieldList {
        version: if delimited {
            first.trim_end_matches(is_wsp)
        } else {
            first
        },
        delimited,
        fields: Vec::new(),
        errors: Vec::new(),
    };
    let last = rest.len().saturating_sub(1);
    for (i, piece) in rest.iter().enumerate() {
        // The WSP on either side of a `;` belongs to the delimiter.
        let field = piece.trim_start_matches(is_wsp);
        if i == last {
            // `[field-delim]`: the record may end with `;` and whitespace.
            if field.is_empty() {
                break;
            }
            if field.ends_with(is_wsp) {
                list.errors
                    .push(FieldError::TrailingWhitespace(field.to_string()));
            }
        }
        let field = field.trim_end_matches(is_wsp);
        if field.is_empty() {
            list.errors.push(FieldError::EmptyField);
            continue;
        }
        match field.split_once('=') {
            Some((name, value)) => list.fields.push(Field { name, value }),
            None => list
                .errors
                .push(FieldError::NotNameValue(field.to_string())),
        }
    }
    list
}

/// Checks that `text`, split into `list`, opens with exactly `expected` followed by a `;`.
pub fn check_version(
    text: &str,
    list: &FieldList<'_>,
    expected: &'static str,
) -> Result<(), VersionError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(VersionError::Empty { expected });
    }
    if trimmed.starts_with(['"', '\'', '\u{201c}']) {
        return Err(VersionError::Quoted { expected });
    }
    if text.starts_with(char::is_whitespace) {
        return Err(VersionError::LeadingWhitespace { expected });
    }
    let version = list.version;
    if let Some(rest) = version.strip_prefix(expected) {
        return if rest.is_empty() && list.delimited {
            Ok(())
        } else if rest.trim_start_matches(is_wsp).is_empty() {
            Err(VersionError::StandsAlone { expected })
        } else if rest.starts_with(is_wsp) {
            Err(VersionError::NoDelimiter {
                expected,
                found: version.to_string(),
            })
        } else {
            Err(VersionError::Wrong {
                expected,
                found: version.to_string(),
            })
        };
    }
    let found = version.to_string();
    let head = version.split(is_wsp).next().unwrap_or_default();
    if head.eq_ignore_ascii_case(expected) {
        Err(VersionError::Case { expected, found })
    } else {
        Err(VersionError::Wrong { expected, found })
    }
}

/// Whether `text` starts with the version `version` followed by a field delimiter: the records
/// that senders keep from an RRset (RFC 8461 §3.1, RFC 8460 §3). Whitespace before the `;` is
/// part of the delimiter in the ABNF, so `v=STSv1 ;` counts too.
pub fn starts_with_version(text: &str, version: &str) -> bool {
    text.strip_prefix(version)
        .is_some_and(|rest| rest.trim_start_matches(is_wsp).starts_with(';'))
}

/// Checks an extension field's name and value (`sts-ext-name`/`sts-ext-value` of RFC 8461 §3.1,
/// `tlsrpt-ext-name`/`tlsrpt-ext-value` of RFC 8460 §3).
pub fn check_extension(field: Field<'_>) -> Result<(), FieldError> {
    let mut chars = field.name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !first_ok || !rest_ok || field.name.len() > 32 {
        return Err(FieldError::BadName(field.name.to_string()));
    }
    if field.value.is_empty() {
        return Err(FieldError::EmptyValue(field.name.to_string()));
    }
    match field
        .value
        .chars()
        .find(|&c| !matches!(c, '\x21'..='\x3a' | '\x3c' | '\x3e'..='\x7e'))
    {
        Some(found) => Err(FieldError::BadValue {
            name: field.name.to_string(),
            value: field.value.to_string(),
            found,
        }),
        None => Ok(()),
    }
}

/// Joins the character-strings of one TXT record. RFC 8461 §3.1 and RFC 8460 §3: strings are
/// concatenated without spaces.
pub fn join(strings: &[String]) -> String {
    strings.concat()
}

/// `value` quoted for a message, cut short when long.
pub fn shown(value: &str) -> String {
    match value.char_indices().nth(SHOWN_LEN) {
        Some((end, _)) => format!("{:?}…", value.get(..end).unwrap_or_default()),
        None => format!("{value:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<(&str, &str)> {
        split(text)
            .fields
            .iter()
            .map(|f| (f.name, f.value))
            .collect()
    }

    #[test]
    fn splits_fields() {
        for (text, version, delimited, want) in [
            ("v=STSv1; id=a", "v=STSv1", true, vec![("id", "a")]),
            ("v=STSv1;id=a;", "v=STSv1", true, vec![("id", "a")]),
            (
                "v=STSv1 \t;\t id=a \t; ",
                "v=STSv1",
                true,
                vec![("id", "a")],
            ),
            ("v=STSv1", "v=STSv1", false, vec![]),
            ("v=STSv1 ", "v=STSv1 ", false, vec![]),
            ("v=STSv1;", "v=STSv1", true, vec![]),
            ("v=1; a=b=c; d=", "v=1", true, vec![("a", "b=c"), ("d", "")]),
            ("", "", false, vec![]),
        ] {
            let list = split(text);
            assert_eq!(list.version, version, "{text:?}");
            assert_eq!(list.delimited, delimited, "{text:?}");
            assert_eq!(fields(text), want, "{text:?}");
            assert!(list.errors.is_empty(), "{text:?}: {:?}", list.errors);
        }
    }

    #[test]
    fn field_list_errors() {
        for (text, want) in [
            ("v=1; a=b;;", vec![FieldError::EmptyField]),
            ("v=1;; a=b", vec![FieldError::EmptyField]),
            (
                "v=1; a=b;;;",
                vec![FieldError::EmptyField, FieldError::EmptyField],
            ),
            (
                "v=1; a=b  ",
                vec![FieldError::TrailingWhitespace("a=b  ".into())],
            ),
            ("v=1; bogus", vec![FieldError::NotNameValue("bogus".into())]),
        ] {
            assert_eq!(split(text).errors, want, "{text:?}");
        }
    }

    #[test]
    fn extensions() {
        let long = "a".repeat(33);
        for (name, value, want) in [
            ("ext", "2", Ok(())),
            ("a1_b-c.d", "!:<>~", Ok(())),
            ("1%", "a", Err(FieldError::BadName("1%".into()))),
            ("_a", "a", Err(FieldError::BadName("_a".into()))),
            ("", "a", Err(FieldError::BadName(String::new()))),
            (long.as_str(), "a", Err(FieldError::BadName(long.clone()))),
            ("more", "", Err(FieldError::EmptyValue("more".into()))),
            (
                "test",
                "=",
                Err(FieldError::BadValue {
                    name: "test".into(),
                    value: "=".into(),
                    found: '=',
                }),
            ),
            (
                "note",
                "café",
                Err(FieldError::BadValue {
                    name: "note".into(),
                    value: "café".into(),
                    found: 'é',
                }),
            ),
        ] {
            assert_eq!(
                check_extension(Field { name, value }),
                want,
                "{name}={value}"
            );
        }
    }

    #[test]
    fn version_prefix() {
        for (text, want) in [
            ("v=STSv1; id=1", true),
            ("v=STSv1 \t; id=1", true),
            ("v=STSv1", false),
            ("v=STSv1 id=1", false),
            ("v=STSv10; id=1", false),
            (" v=STSv1; id=1", false),
        ] {
            assert_eq!(starts_with_version(text, "v=STSv1"), want, "{text:?}");
        }
    }

    #[test]
    fn versions() {
        const V: &str = "v=STSv1";
        let wrong = |found: &str| VersionError::Wrong {
            expected: V,
            found: found.into(),
        };
        for (text, want) in [
            ("v=STSv1; id=1", Ok(())),
            ("v=STSv1 \t; id=1", Ok(())),
            ("v=STSv1;", Ok(())),
            ("", Err(VersionError::Empty { expected: V })),
            ("  ", Err(VersionError::Empty { expected: V })),
            (
                "\"v=STSv1; id=1\"",
                Err(VersionError::Quoted { expected: V }),
            ),
            (
                " v=STSv1; id=1",
                Err(VersionError::LeadingWhitespace { expected: V }),
            ),
            ("v=STSv1", Err(VersionError::StandsAlone { expected: V })),
            ("v=STSv1  ", Err(VersionError::StandsAlone { expected: V })),
            (
                "v=STSv1 id=1",
                Err(VersionError::NoDelimiter {
                    expected: V,
                    found: "v=STSv1 id=1".into(),
                }),
            ),
            (
                "v=stsv1; id=1",
                Err(VersionError::Case {
                    expected: V,
                    found: "v=stsv1".into(),
                }),
            ),
            ("v=STSv10; id=1", Err(wrong("v=STSv10"))),
            ("v=STSv2", Err(wrong("v=STSv2"))),
            ("id=1; v=STSv1", Err(wrong("id=1"))),
            ("v=spf1 -all", Err(wrong("v=spf1 -all"))),
        ] {
            assert_eq!(check_version(text, &split(text), V), want, "{text:?}");
        }
        assert!(VersionError::StandsAlone { expected: V }.is_syntax());
        assert!(!wrong("x").is_syntax());
    }

    #[test]
    fn shortens_long_values() {
        assert_eq!(shown("abc"), "\"abc\"");
        let long = "é".repeat(100);
        assert_eq!(shown(&long), format!("{:?}…", "é".repeat(80)));
    }
}
