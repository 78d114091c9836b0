//! The policy grammar (RFC 8461 §3.2): valid policies generated from the ABNF lint clean, and
//! one [`Mutation`] at a time gives the finding of the rule it breaks.

use crate::mx::recase;
use mtasts::mta_sts::policy::MAX_MAX_AGE;
use mtasts::{lint_policy, Code, LintResult, Mode, MtaStsPolicy, Severity};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use std::collections::BTreeSet;

/// One line of a generated policy: `name ":" *WSP value *WSP`.
#[derive(Debug, Clone)]
struct FieldLine {
    name: String,
    value: String,
    /// The `*WSP` of `sts-policy-field-delim`.
    after_colon: &'static str,
    /// The `*WSP` the record allows after each field.
    after_value: &'static str,
}

impl FieldLine {
    fn bytes(&self) -> Vec<u8> {
        format!(
            "{}:{}{}{}",
            self.name, self.after_colon, self.value, self.after_value
        )
        .into_bytes()
    }
}

/// A valid policy as generated, and what a reader must take from it.
#[derive(Debug, Clone)]
struct ValidPolicy {
    /// The fields in the order of the body.
    fields: Vec<FieldLine>,
    /// The terminator after each line, `LF` or `CRLF`; the last may be empty
    /// (`[sts-policy-term]`).
    terms: Vec<&'static str>,
    mode: Mode,
    max_age: u64,
}

impl ValidPolicy {
    fn body(&self) -> Body {
        Body {
            prefix: Vec::new(),
            lines: self.fields.iter().map(FieldLine::bytes).collect(),
            terms: self.terms.iter().map(|t| t.as_bytes().to_vec()).collect(),
        }
    }

    /// The policy the RFC reads from it: every `mx` and every extension in order.
    fn reading(&self) -> MtaStsPolicy {
        MtaStsPolicy {
            version: "STSv1".to_string(),
            mode: self.mode,
            max_age: self.max_age,
            mx: self
                .fields
                .iter()
                .filter(|f| f.name == "mx")
                .map(|f| f.value.clone())
                .collect(),
            extensions: self
                .fields
                .iter()
                .filter(|f| !KNOWN.contains(&f.name.as_str()))
                .map(|f| (f.name.clone(), f.value.clone()))
                .collect(),
        }
    }

    fn line_of(&self, name: &str) -> usize {
        self.fields.iter().position(|f| f.name == name).unwrap()
    }
}

/// A body as lines and their terminators, to mutate.
#[derive(Debug, Clone)]
struct Body {
    prefix: Vec<u8>,
    lines: Vec<Vec<u8>>,
    terms: Vec<Vec<u8>>,
}

impl Body {
    /// Inserts a line terminated by LF before line `at` (0-based, or at the end), and returns
    /// its 1-based number.
    fn insert(&mut self, at: usize, line: Vec<u8>) -> usize {
        let at = at.min(self.lines.len());
        if at == self.lines.len() {
            if let Some(last) = self.terms.last_mut().filter(|t| t.is_empty()) {
                *last = b"\n".to_vec();
            }
        }
        self.lines.insert(at, line);
        self.terms.insert(at, b"\n".to_vec());
        at + 1
    }

    fn remove(&mut self, at: usize) {
        self.lines.remove(at);
        let term = self.terms.remove(at);
        if at == self.lines.len() {
            if let Some(last) = self.terms.last_mut() {
                *last = term;
            }
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut body = self.prefix.clone();
        for (line, term) in self.lines.iter().zip(&self.terms) {
            body.extend_from_slice(line);
            body.extend_from_slice(term);
        }
        body
    }
}

const KNOWN: [&str; 4] = ["version", "mode", "max_age", "mx"];

/// The name of the extension lines the mutations add; generated extensions never use it.
const PROBE: &str = "zz-probe";

fn wsp() -> impl Strategy<Value = &'static str> {
    select(vec!["", "", " ", "\t", "  ", " \t"])
}

/// An LDH label (RFC 5321 §4.1.2 `sub-domain`): letters, digits and inner hyphens.
fn ldh_label() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?"
}

/// `sts-policy-mx-value = ["*."] Domain`. The top-level label holds a letter: RFC 3696 §2
/// (a deliberate narrowing in the core, `name::check_host_name`, listed in DEVIATIONS.md).
fn mx_value() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(ldh_label(), 0..=2),
        "[a-zA-Z][a-zA-Z0-9-]{0,6}[a-zA-Z0-9]",
    )
        .prop_map(|(wildcard, mut labels, top)| {
            labels.push(top);
            format!("{}{}", if wildcard { "*." } else { "" }, labels.join("."))
        })
}

/// `sts-policy-ext-value`: `sts-policy-vchar` (`%x21-7E` and non-ASCII UTF-8, C1 controls
/// included) with inner spaces.
fn ext_value() -> impl Strategy<Value = String> {
    "[!-~é€😀\u{85}]([ !-~é€😀\u{85}]{0,10}[!-~é€😀\u{85}])?"
}

/// `sts-policy-ext-name` other than the four STSv1 names (case variants such as `Mode` are
/// extensions too: the names are `%s` literals).
fn ext_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9][a-zA-Z0-9_.-]{0,31}".prop_filter("a defined name", |n| {
        !KNOWN.contains(&n.as_str()) && n != PROBE
    })
}

/// `max_age` as written: 1 to 10 digits, leading zeros allowed by `1*10(DIGIT)`.
fn max_age_value() -> impl Strategy<Value = (u64, String)> {
    (0..=MAX_MAX_AGE, 0usize..=10).prop_map(|(n, width)| (n, format!("{n:0width$}")))
}

fn valid_policy() -> impl Strategy<Value = ValidPolicy> {
    let parts = (
        select(Mode::ALL.to_vec()),
        max_age_value(),
        prop::collection::vec(mx_value(), 0..=4),
        prop::collection::btree_map(ext_name(), ext_value(), 0..=2),
    );
    parts
        .prop_flat_map(|(mode, (max_age, age_text), mut mx, extensions)| {
            // RFC 8461 §3.2: `mx` is "required at least once, except when mode is none".
            if mode != Mode::None && mx.is_empty() {
                mx.push("mx.example.net".to_string());
            }
            let mut fields = vec![
                ("version".to_string(), "STSv1".to_string()),
                ("mode".to_string(), mode.as_str().to_string()),
                ("max_age".to_string(), age_text),
            ];
            fields.extend(mx.into_iter().map(|v| ("mx".to_string(), v)));
            fields.extend(extensions);
            let n = fields.len();
            (
                Just(fields).prop_shuffle(),
                prop::collection::vec((wsp(), wsp()), n),
                prop::collection::vec(select(vec!["\n", "\r\n"]), n),
                any::<bool>(),
                Just((mode, max_age)),
            )
        })
        .prop_map(|(fields, pads, mut terms, final_term, (mode, max_age))| {
            if !final_term {
                if let Some(last) = terms.last_mut() {
                    *last = "";
                }
            }
            let fields = fields
                .into_iter()
                .zip(pads)
                .map(|((name, value), (after_colon, after_value))| FieldLine {
                    name,
                    value,
                    after_colon,
                    after_value,
                })
                .collect();
            ValidPolicy {
                fields,
                terms,
                mode,
                max_age,
            }
        })
}

/// Findings a valid policy may carry: information and the short-`max_age` warning.
const HARMLESS: [Code; 6] = [
    Code::PolicyModeTesting,
    Code::PolicyModeNone,
    Code::PolicyUnknownField,
    Code::PolicyLineEndings,
    Code::PolicyMaxAgeShort,
    Code::PolicyMxDuplicate,
];

fn error_codes<T>(result: &LintResult<T>) -> BTreeSet<Code> {
    result
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code)
        .collect()
}

/// One change to a valid policy that breaks (or, for repeats and mode none, keeps) one rule.
#[derive(Debug, Clone)]
enum Mutation {
    /// Leave out `version`, `mode` or `max_age` ("required once").
    Drop(&'static str),
    /// Leave out every `mx` ("required at least once, except when mode is none").
    DropMx,
    /// A field name in another case: `%s"mode"` is case-sensitive, so it is an extension.
    Recase(&'static str),
    /// `sts-policy-version-value = %s"STSv1"`.
    Version(&'static str),
    /// `sts-policy-mode-value = %s"testing" / %s"enforce" / %s"none"`.
    Mode(String),
    /// Over the "maximum value of 31557600".
    MaxAgeTooLarge(u64),
    /// More than `1*10(DIGIT)`.
    MaxAgeDigits(String),
    /// Not digits at all.
    MaxAgeText(String),
    /// `sts-policy-mx-value = ["*."] Domain` broken.
    Mx(&'static str),
    /// A line of nothing or only WSP: fields are joined by exactly one `sts-policy-term`.
    Blank(Index, &'static str),
    /// "If a field name appears more than once, all but the first instance MUST be ignored."
    Repeat(&'static str, Index),
    /// An `mx` pattern repeated (in another case).
    RepeatMx(Index, Index, u64),
    /// WSP before the field name.
    Indent(Index, &'static str),
    /// WSP between the name and its `:` (`sts-policy-field-delim = ":" *WSP`).
    SpaceBeforeColon(Index),
    /// A line that is not a field: a comment, no colon, a bad name.
    NotAField(Index, &'static str),
    /// A bare CR as a line's end (`sts-policy-term = LF / CRLF`).
    BareCr(Index),
    /// An extension value with a control character, or empty, or not UTF-8.
    ExtValue(Index, Vec<u8>),
    /// A UTF-8 byte-order mark in front.
    Bom,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        select(vec!["version", "mode", "max_age"]).prop_map(Mutation::Drop),
        Just(Mutation::DropMx),
        select(vec!["version", "mode", "max_age"]).prop_map(Mutation::Recase),
        select(vec![
            "STSv2",
            "stsv1",
            "STSV1",
            "STSv1.0",
            "v=STSv1",
            "STSv1 # x"
        ])
        .prop_map(Mutation::Version),
        "[a-zA-Z]{1,9}"
            .prop_filter("a mode", |m| Mode::from_value(m).is_none())
            .prop_map(Mutation::Mode),
        (MAX_MAX_AGE + 1..=9_999_999_999).prop_map(Mutation::MaxAgeTooLarge),
        "[0-9]{11,16}".prop_map(Mutation::MaxAgeDigits),
        "([0-9]{0,4}[-+.ea x,８][0-9]{0,4})?"
            .prop_filter("WSP at an edge is trimmed", |v| v.trim() == v)
            .prop_map(Mutation::MaxAgeText),
        select(vec![
            "*",
            "*.",
            "mx.example.com.",
            "*.*.example.com",
            "mx*.example.com",
            "mx_1.example.com",
            "192.0.2.1",
            "*.192.0.2.1",
            "[192.0.2.1]",
            "2001:db8::1",
            "a..example",
            "-mx.example.com",
            "mx-.example.com",
            "ñ.example.com",
            "mx.example.com # main",
        ])
        .prop_map(Mutation::Mx),
        (any::<Index>(), select(vec!["", " ", "\t", " \t "]))
            .prop_map(|(at, ws)| Mutation::Blank(at, ws)),
        (select(vec!["version", "mode", "max_age"]), any::<Index>())
            .prop_map(|(name, at)| Mutation::Repeat(name, at)),
        (any::<Index>(), any::<Index>(), any::<u64>())
            .prop_map(|(which, at, mask)| Mutation::RepeatMx(which, at, mask)),
        (any::<Index>(), select(vec![" ", "\t", "  "]))
            .prop_map(|(line, ws)| Mutation::Indent(line, ws)),
        any::<Index>().prop_map(Mutation::SpaceBeforeColon),
        (
            any::<Index>(),
            select(vec![
                "# a comment",
                "mode enforce",
                "_mx: a.example",
                "bad name: x",
                "é: x",
                ": 86400",
                "a23456789012345678901234567890123: x",
            ])
        )
            .prop_map(|(at, line)| Mutation::NotAField(at, line)),
        any::<Index>().prop_map(Mutation::BareCr),
        (
            any::<Index>(),
            prop_oneof![
                Just(Vec::new()),
                (select(vec![0u8, 1, 8, 9, 11, 12, 27, 31, 127])).prop_map(|c| vec![b'a', c, b'b']),
                Just(b"a\xFFb".to_vec()),
                Just(b"\xC3".to_vec()),
            ]
        )
            .prop_map(|(at, value)| Mutation::ExtValue(at, value)),
        Just(Mutation::Bom),
    ]
}

/// What a mutation must give: exactly these error codes, this code somewhere (at this line,
/// where the finding is about a line), and the lenient reading.
struct Expected {
    body: Vec<u8>,
    errors: Vec<Code>,
    code: Option<(Code, Option<usize>)>,
    reading: Option<MtaStsPolicy>,
}

fn expected(
    errors: Vec<Code>,
    code: Option<(Code, Option<usize>)>,
    reading: Option<MtaStsPolicy>,
) -> Expected {
    Expected {
        body: Vec::new(),
        errors,
        code,
        reading,
    }
}

fn apply(policy: &ValidPolicy, mutation: &Mutation) -> Expected {
    let mut body = policy.body();
    let n = body.lines.len();
    let reading = policy.reading();
    let replace_value = |body: &mut Body, name: &str, value: &str| -> usize {
        let at = policy.line_of(name);
        let mut field = policy.fields[at].clone();
        field.value = value.to_string();
        body.lines[at] = field.bytes();
        at + 1
    };
    let mut out = match mutation {
        Mutation::Drop(name) => {
            body.remove(policy.line_of(name));
            let code = match *name {
                "version" => Code::PolicyVersionMissing,
                "mode" => Code::PolicyModeMissing,
                _ => Code::PolicyMaxAgeMissing,
            };
            expected(vec![code], Some((code, None)), None)
        }
        Mutation::DropMx => {
            for at in (0..n).rev() {
                if policy.fields[at].name == "mx" {
                    body.remove(at);
                }
            }
            let reading = MtaStsPolicy {
                mx: Vec::new(),
                ..reading
            };
            if policy.mode == Mode::None {
                expected(vec![], None, Some(reading))
            } else {
                let code = Code::PolicyMxMissing;
                expected(vec![code], Some((code, None)), Some(reading))
            }
        }
        Mutation::Recase(name) => {
            let at = policy.line_of(name);
            let mut field = policy.fields[at].clone();
            field.name = field.name.to_ascii_uppercase();
            body.lines[at] = field.bytes();
            let code = match *name {
                "version" => Code::PolicyVersionMissing,
                "mode" => Code::PolicyModeMissing,
                _ => Code::PolicyMaxAgeMissing,
            };
            expected(
                vec![code],
                Some((Code::PolicyUnknownField, Some(at + 1))),
                None,
            )
        }
        Mutation::Version(value) => {
            let line = replace_value(&mut body, "version", value);
            let code = Code::PolicyVersionInvalid;
            expected(vec![code], Some((code, Some(line))), None)
        }
        Mutation::Mode(value) => {
            let line = replace_value(&mut body, "mode", value);
            let code = Code::PolicyModeInvalid;
            expected(vec![code], Some((code, Some(line))), None)
        }
        Mutation::MaxAgeTooLarge(max_age) => {
            let line = replace_value(&mut body, "max_age", &max_age.to_string());
            let code = Code::PolicyMaxAgeTooLarge;
            let reading = MtaStsPolicy {
                max_age: *max_age,
                ..reading
            };
            expected(vec![code], Some((code, Some(line))), Some(reading))
        }
        Mutation::MaxAgeDigits(value) => {
            let line = replace_value(&mut body, "max_age", value);
            let code = Code::PolicyMaxAgeInvalid;
            let max_age = value.parse().unwrap();
            let reading = MtaStsPolicy { max_age, ..reading };
            expected(vec![code], Some((code, Some(line))), Some(reading))
        }
        Mutation::MaxAgeText(value) => {
            let line = replace_value(&mut body, "max_age", value);
            let code = Code::PolicyMaxAgeInvalid;
            expected(vec![code], Some((code, Some(line))), None)
        }
        Mutation::Mx(value) => {
            let at = policy
                .fields
                .iter()
                .position(|f| f.name == "mx")
                .unwrap_or(n);
            let line = body.insert(at, format!("mx: {value}").into_bytes());
            let code = Code::PolicyMxInvalid;
            let mut mx = reading.mx.clone();
            let before = policy.fields[..at]
                .iter()
                .filter(|f| f.name == "mx")
                .count();
            mx.insert(before, value.to_string());
            let reading = MtaStsPolicy { mx, ..reading };
            expected(vec![code], Some((code, Some(line))), Some(reading))
        }
        Mutation::Blank(at, ws) => {
            let line = body.insert(at.index(n + 1), ws.as_bytes().to_vec());
            let code = Code::PolicyBlankLine;
            expected(vec![code], Some((code, Some(line))), Some(reading))
        }
        Mutation::Repeat(name, at) => {
            let first = policy.line_of(name);
            let value = match *name {
                "version" => "STSv1".to_string(),
                "mode" => Mode::ALL[at.index(3)].as_str().to_string(),
                _ => at.index(MAX_MAX_AGE as usize).to_string(),
            };
            let line = body.insert(
                first + 1 + at.index(n - first),
                format!("{name}: {value}").into_bytes(),
            );
            let code = Code::PolicyDuplicateField;
            expected(vec![], Some((code, Some(line))), Some(reading))
        }
        Mutation::RepeatMx(which, at, mask) => {
            if reading.mx.is_empty() {
                // Mode none without mx: nothing to repeat, and the policy stays valid.
                expected(vec![], None, Some(reading))
            } else {
                let value = &reading.mx[which.index(reading.mx.len())];
                let first = policy
                    .fields
                    .iter()
                    .position(|f| f.name == "mx" && f.value == *value)
                    .unwrap();
                let at = first + 1 + at.index(n - first);
                let again = recase(value, *mask);
                let line = body.insert(at, format!("mx: {again}").into_bytes());
                let before = policy.fields[..at]
                    .iter()
                    .filter(|f| f.name == "mx")
                    .count();
                let mut mx = reading.mx.clone();
                mx.insert(before, again);
                let code = Code::PolicyMxDuplicate;
                expected(
                    vec![],
                    Some((code, Some(line))),
                    Some(MtaStsPolicy { mx, ..reading }),
                )
            }
        }
        Mutation::Indent(line, ws) => {
            let at = line.index(n);
            let mut bytes = ws.as_bytes().to_vec();
            bytes.extend_from_slice(&body.lines[at]);
            body.lines[at] = bytes;
            let code = Code::PolicyLeadingWhitespace;
            expected(vec![code], Some((code, Some(at + 1))), Some(reading))
        }
        Mutation::SpaceBeforeColon(line) => {
            let at = line.index(n);
            let mut field = policy.fields[at].clone();
            field.name.push(' ');
            body.lines[at] = field.bytes();
            let code = Code::PolicySyntax;
            expected(vec![code], Some((code, Some(at + 1))), Some(reading))
        }
        Mutation::NotAField(at, text) => {
            let line = body.insert(at.index(n + 1), text.as_bytes().to_vec());
            let code = Code::PolicySyntax;
            expected(vec![code], Some((code, Some(line))), Some(reading))
        }
        Mutation::BareCr(line) => {
            let at = line.index(n);
            body.terms[at] = b"\r".to_vec();
            let code = Code::PolicySyntax;
            expected(vec![code], Some((code, Some(at + 1))), Some(reading))
        }
        Mutation::ExtValue(at, value) => {
            let mut line = format!("{PROBE}: ").into_bytes();
            line.extend_from_slice(value);
            let line = body.insert(at.index(n + 1), line);
            let code = Code::PolicySyntax;
            let before = policy.fields[..line - 1]
                .iter()
                .filter(|f| !KNOWN.contains(&f.name.as_str()))
                .count();
            let mut extensions = reading.extensions.clone();
            let text = String::from_utf8_lossy(value).into_owned();
            extensions.insert(before, (PROBE.to_string(), text));
            let reading = MtaStsPolicy {
                extensions,
                ..reading
            };
            expected(vec![code], Some((code, Some(line))), Some(reading))
        }
        Mutation::Bom => {
            body.prefix = b"\xEF\xBB\xBF".to_vec();
            let code = Code::PolicyBom;
            expected(vec![code], Some((code, Some(1))), Some(reading))
        }
    };
    out.body = body.bytes();
    out
}

proptest! {
    /// A policy the RFC's grammar produces (fields in any order, any WSP it allows, LF or CRLF,
    /// with or without the final terminator, extensions, `max_age` with leading zeros) lints
    /// valid, with nothing worse than information or the short-`max_age` warning, and reads as
    /// written.
    #[test]
    fn generated_policies_lint_clean(policy in valid_policy()) {
        let body = policy.body().bytes();
        let result = lint_policy(&body);
        let text = String::from_utf8_lossy(&body);
        prop_assert!(result.valid, "{:?}: {:?}", text, result.findings);
        for finding in &result.findings {
            prop_assert!(HARMLESS.contains(&finding.code), "{:?}: {:?}", text, finding);
        }
        prop_assert_eq!(result.value, Some(policy.reading()), "{:?}", text);
    }

    /// One mutation of a valid policy gives exactly the errors its rule calls for (none for a
    /// repeat, which is ignored), the finding at the changed line, and the lenient reading.
    #[test]
    fn one_mutation_gives_its_finding(policy in valid_policy(), mutation in mutation()) {
        let expected = apply(&policy, &mutation);
        let text = String::from_utf8_lossy(&expected.body);
        let result = lint_policy(&expected.body);
        let want: BTreeSet<Code> = expected.errors.iter().copied().collect();
        prop_assert_eq!(error_codes(&result), want, "{:?} {:?}: {:?}", mutation, text, result.findings);
        prop_assert_eq!(result.valid, expected.errors.is_empty());
        if let Some((code, line)) = expected.code {
            let line = line.map(|l| u32::try_from(l).unwrap());
            prop_assert!(
                result.findings.iter().any(|f| f.code == code && (line.is_none() || f.line == line)),
                "{:?} {:?}: want {:?} at {:?}, got {:?}", mutation, text, code, line, result.findings
            );
        }
        prop_assert_eq!(result.value, expected.reading, "{:?} {:?}", mutation, text);
    }
}
