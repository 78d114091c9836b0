//! The `_mta-sts` TXT record (RFC 8461 §3.1).
//!
//! ```text
//! sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
//! sts-field       = sts-id / sts-extension
//! sts-field-delim = *WSP ";" *WSP
//! sts-version     = %s"v=STSv1"
//! sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
//! ```
//!
//! [`lint_sts_record`] reads one record that is meant to be the domain's STS record;
//! [`lint_sts_rrset`] reads the whole RRset the way a sender does: records not starting with
//! `v=STSv1;` are discarded, and anything but exactly one remaining record means no MTA-STS.

use crate::finding::{Code, Finding, LintResult};
use crate::txt_fields::{self, shown, FieldList};
use serde::{Deserialize, Serialize};

/// The version field every STS record starts with.
pub const VERSION_FIELD: &str = "v=STSv1";

/// The longest `id`: RFC 8461 §3.1 `1*32(ALPHA / DIGIT)`.
pub const MAX_ID_LEN: usize = 32;

/// A parsed `_mta-sts` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StsRecord {
    /// `v`, `STSv1`.
    pub version: String,
    /// `id`: the first `id` field, as published.
    pub id: String,
    /// Extension fields in order.
    pub extensions: Vec<(String, String)>,
}

/// Whether senders keep this TXT record from the `_mta-sts` RRset: it starts with `v=STSv1`
/// followed by a field delimiter (RFC 8461 §3.1).
pub fn is_sts_record(text: &str) -> bool {
    txt_fields::starts_with_version(text, VERSION_FIELD)
}

/// Whether a record that senders discard was evidently meant as the STS record (`v=STSv2`,
/// `v=stsv1`, a leading space, `v=STSv1` without `;`, the fields in the wrong order), so that
/// discarding it deserves a finding rather than silence.
fn looks_like_sts(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let start = lower.trim_start_matches(|c: char| c.is_whitespace() || c == '"');
    start.starts_with("v=sts") || lower.contains("stsv1")
}

/// Lints one TXT record, given as one string, that is meant to be the domain's STS record.
pub fn lint_sts_record(text: &str) -> LintResult<StsRecord> {
    let (findings, value) = lint_text(text);
    LintResult::new(findings, value)
}

/// Lints the whole `_mta-sts` RRset: one entry per TXT record, each the list of its
/// character-strings. The value is the record senders use, `None` when they use none.
pub fn lint_sts_rrset(records: &[Vec<String>]) -> LintResult<StsRecord> {
    let mut findings = Vec::new();
    let mut kept = Vec::new();
    for strings in records {
        let text = txt_fields::join(strings);
        if is_sts_record(&text) {
            kept.push((strings.len(), text));
        } else if looks_like_sts(&text) {
            // RFC 8461 §3.1: senders discard it, but its author meant it as the STS record.
            findings.extend(lint_text(&text).0);
        }
        // Anything else (SPF, site verification tokens) is not ours: RFC 8461 §3.1 discards it.
    }
    let mut value = None;
    for (strings, text) in &kept {
        if *strings > 1 {
            findings.push(Finding::new(
                Code::StsRecordSplitStrings,
                format!(
                    "the record came as {strings} character-strings, which senders join \
                     without spaces into {}",
                    shown(text)
                ),
            ));
        }
        let (record_findings, record) = lint_text(text);
        findings.extend(record_findings);
        value = record;
    }
    match kept.len() {
        0 => findings.push(Finding::new(
            Code::StsRecordMissing,
            "no TXT record at _mta-sts starts with \"v=STSv1;\": senders see no MTA-STS for \
             this domain",
        )),
        1 => {}
        n => {
            // RFC 8461 §3.1: "If the number of resulting records is not one ... senders MUST
            // assume the recipient domain does not have an available MTA-STS policy."
            let texts: Vec<String> = kept.iter().map(|(_, text)| shown(text)).collect();
            findings.push(Finding::new(
                Code::StsRecordMultiple,
                format!(
                    "{n} TXT records start with \"v=STSv1;\" ({}): senders treat the domain as \
                     having no MTA-STS; keep only one",
                    texts.join(", ")
                ),
            ));
            value = None;
        }
    }
    LintResult::new(findings, value)
}

/// The findings for one record, and the record where its version and `id` could be read.
fn lint_text(text: &str) -> (Vec<Finding>, Option<StsRecord>) {
    if text.len() > txt_fields::MAX_RECORD_LEN {
        let message = format!(
            "the record is {} bytes long, more than a TXT record can hold ({})",
            text.len(),
            txt_fields::MAX_RECORD_LEN
        );
        return (vec![Finding::new(Code::StsRecordSyntax, message)], None);
    }
    let list = txt_fields::split(text);
    if let Err(error) = txt_fields::check_version(text, &list, VERSION_FIELD) {
        let code = if error.is_syntax() {
            Code::StsRecordSyntax
        } else {
            Code::StsRecordVersion
        };
        return (vec![Finding::new(code, error.to_string())], None);
    }
    let mut findings: Vec<Finding> = list
        .errors
        .iter()
        .map(|e| Finding::new(Code::StsRecordSyntax, e.to_string()))
        .collect();
    let record = read_fields(&list, &mut findings);
    (findings, record)
}

/// Reads the fields after the version: the first `id`, extensions, duplicates.
fn read_fields(list: &FieldList<'_>, findings: &mut Vec<Finding>) -> Option<StsRecord> {
    let mut id: Option<String> = None;
    let mut extensions: Vec<(String, String)> = Vec::new();
    let mut seen: Vec<&str> = vec!["v"];
    for &field in &list.fields {
        if seen.contains(&field.name) {
            // RFC 8461 §3.1 has no rule for a repeated field; like §3.2 we let the first count.
            findings.push(Finding::new(
                Code::StsRecordDuplicateField,
                format!(
                    "the field {} appears more than once; the first one counts (mox ignores the \
                     whole record)",
                    shown(field.name)
                ),
            ));
            // A repeated field must still match the ABNF (`sts-extension` at least).
            if let Err(error) = txt_fields::check_extension(field) {
                findings.push(Finding::new(Code::StsRecordSyntax, error.to_string()));
            }
            continue;
        }
        seen.push(field.name);
        if field.name == "id" {
            if let Some(message) = id_problem(field.value) {
                findings.push(Finding::new(Code::StsRecordIdInvalid, message));
            }
            id = Some(field.value.to_string());
            continue;
        }
        match txt_fields::check_extension(field) {
            Ok(()) => findings.push(Finding::new(
                Code::StsRecordUnknownField,
                format!(
                    "the field {}={} is an extension that STSv1 does not define; senders ignore it",
                    field.name, field.value
                ),
            )),
            Err(error) => findings.push(Finding::new(Code::StsRecordSyntax, error.to_string())),
        }
        extensions.push((field.name.to_string(), field.value.to_string()));
    }
    let Some(id) = id else {
        findings.push(Finding::new(
            Code::StsRecordIdMissing,
            "the record has no id field; add one such as id=20250101T000000 (letters and digits)",
        ));
        return None;
    };
    Some(StsRecord {
        version: "STSv1".to_string(),
        id,
        extensions,
    })
}

/// What is wrong with an `id` value, if anything (RFC 8461 §3.1: `1*32(ALPHA / DIGIT)`).
fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("the id field is empty; it must be 1 to 32 letters and digits".to_string());
    }
    if let Some(bad) = id.chars().find(|c| !c.is_ascii_alphanumeric()) {
        let hint = if id.contains(['{', '}', '<', '>']) {
            " (it looks like a template placeholder left in)"
        } else if txt_fields::is_wsp(bad) {
            " (separate fields with ';')"
        } else {
            ""
        };
        return Some(format!(
            "the id {} holds {bad:?}; an id is 1 to 32 letters and digits only{hint}",
            shown(id)
        ));
    }
    if id.len() > MAX_ID_LEN {
        return Some(format!(
            "the id {} is {} characters long, more than {MAX_ID_LEN}",
            shown(id),
            id.len()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Code::*;

    fn codes(result: &LintResult<StsRecord>) -> Vec<Code> {
        result.codes()
    }

    #[test]
    fn single_records() {
        for (text, want) in [
            ("v=STSv1; id=20160831085700Z;", vec![]),
            ("v=STSv1;id=a", vec![]),
            ("v=STSv1  ;\tid=foo ;  ", vec![]),
            ("v=STSv1; id=a; ext=2", vec![StsRecordUnknownField]),
            ("", vec![StsRecordVersion]),
            ("v=STSv2; id=1", vec![StsRecordVersion]),
            ("v=stsv1; id=1", vec![StsRecordVersion]),
            (" v=STSv1; id=1", vec![StsRecordVersion]),
            ("\"v=STSv1; id=1\"", vec![StsRecordVersion]),
            ("v=spf1 -all", vec![StsRecordVersion]),
            ("id=1; v=STSv1;", vec![StsRecordVersion]),
            ("v=STSv1", vec![StsRecordSyntax]),
            ("v=STSv1 id=1", vec![StsRecordSyntax]),
            ("v=STSv1;", vec![StsRecordIdMissing]),
            (
                "v=STSv1; ext=1",
                vec![StsRecordUnknownField, StsRecordIdMissing],
            ),
            ("v=STSv1; id=", vec![StsRecordIdInvalid]),
            ("v=STSv1; id=test-123", vec![StsRecordIdInvalid]),
            ("v=STSv1; id=foo include=foo.com", vec![StsRecordIdInvalid]),
            (
                "v=STSv1; id=012345678901234567890123456789012",
                vec![StsRecordIdInvalid],
            ),
            ("v=STSv1; id=a;;", vec![StsRecordSyntax]),
            ("v=STSv1; id=a ", vec![StsRecordSyntax]),
            ("v=STSv1; id=a; bogus", vec![StsRecordSyntax]),
            ("v=STSv1; id=a; more=", vec![StsRecordSyntax]),
            ("v=STSv1; id=a; test==", vec![StsRecordSyntax]),
            ("v=STSv1; id=a; note=café", vec![StsRecordSyntax]),
            ("v=STSv1; id=foo; id=bar", vec![StsRecordDuplicateField]),
            (
                "v=STSv1; id=foo; id=b r",
                vec![StsRecordDuplicateField, StsRecordSyntax],
            ),
            ("v=STSv1; id=foo; v=STSv1", vec![StsRecordDuplicateField]),
        ] {
            assert_eq!(codes(&lint_sts_record(text)), want, "{text:?}");
        }
    }

    #[test]
    fn values() {
        let result = lint_sts_record("v=STSv1; id=foo; more=a; id=bar; ext=2");
        assert_eq!(
            result.value,
            Some(StsRecord {
                version: "STSv1".into(),
                id: "foo".into(),
                extensions: vec![("more".into(), "a".into()), ("ext".into(), "2".into())],
            })
        );
        for text in ["v=STSv2; id=1", "v=STSv1;", "v=STSv1"] {
            assert_eq!(lint_sts_record(text).value, None, "{text:?}");
        }
    }

    #[test]
    fn rrsets() {
        let rr = |strings: &[&str]| strings.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for (records, want, id) in [
            (vec![], vec![StsRecordMissing], None),
            (
                vec![rr(&["bogus"]), rr(&["more"])],
                vec![StsRecordMissing],
                None,
            ),
            (
                vec![rr(&["v=STSv1; id=1"]), rr(&["bogus"])],
                vec![],
                Some("1"),
            ),
            (
                vec![rr(&["verification=abc"]), rr(&["v=STSv1; id=policy1;"])],
                vec![],
                Some("policy1"),
            ),
            (
                vec![rr(&["v=STSv1; id=", "policy1;"])],
                vec![StsRecordSplitStrings],
                Some("policy1"),
            ),
            (
                vec![rr(&["v=STSv1; id=1"]), rr(&["v=STSv1; id=2"])],
                vec![StsRecordMultiple],
                None,
            ),
            (
                vec![rr(&["v=STSv1; bogus"])],
                vec![StsRecordSyntax, StsRecordIdMissing],
                None,
            ),
            (
                vec![rr(&["v=STSv2; id=2"]), rr(&["v=spf1 -all"])],
                vec![StsRecordVersion, StsRecordMissing],
                None,
            ),
            (
                vec![rr(&["v=STSv1 id=2"]), rr(&["v=STSv1; id=1"])],
                vec![StsRecordSyntax],
                Some("1"),
            ),
            (vec![rr(&[])], vec![StsRecordMissing], None),
        ] {
            let result = lint_sts_rrset(&records);
            assert_eq!(codes(&result), want, "{records:?}");
            assert_eq!(result.value.map(|v| v.id).as_deref(), id, "{records:?}");
        }
    }

    #[test]
    fn messages_name_the_value() {
        for (text, needle) in [
            ("v=STSv2; id=1", "\"v=STSv2\""),
            ("v=STSv1; id=test-123", "\"test-123\""),
            ("v=STSv1; id={Choose a String}", "template placeholder"),
            ("v=STSv1; id=a; more=", "\"more\""),
        ] {
            let result = lint_sts_record(text);
            let message = result.findings.first().map(|f| f.message.as_str());
            assert!(
                message.is_some_and(|m| m.contains(needle)),
                "{text:?}: {message:?}"
            );
        }
    }

    #[test]
    fn bounds_the_input() {
        let long = format!(
            "v=STSv1; id=1; x={}",
            "a".repeat(txt_fields::MAX_RECORD_LEN)
        );
        assert_eq!(codes(&lint_sts_record(&long)), vec![StsRecordSyntax]);
    }
}
