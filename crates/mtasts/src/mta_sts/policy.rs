//! The MTA-STS policy file (RFC 8461 §3.2), served at
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
//!
//! [`lint_policy`] gives the strict verdict of the RFC's ABNF and, beside it, the policy a lenient
//! reader would take, so that a person learns both what is wrong and what senders will do:
//!
//! ```
//! let result = mtasts::lint_policy(b"version: STSv1\r\nmode: enforce\r\nmx: *.example.net\r\nmax_age: 604800\r\n");
//! assert!(result.valid && result.findings.is_empty());
//! assert_eq!(result.value.map(|p| p.mx), Some(vec!["*.example.net".to_string()]));
//!
//! let result = mtasts::lint_policy(b"version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n\n");
//! assert!(!result.valid); // policy.blank-line on line 5
//! assert!(result.value.is_some()); // lenient senders still read it
//! ```

mod parse;
mod validate;

use crate::finding::{limit_per_code, Code, Finding, LintResult};
use parse::Ending;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// RFC 8461 §3.3: "a suggested maximum policy size is 64 kilobytes" (mox's limit too).
pub const MAX_POLICY_SIZE: usize = 64 * 1024;

/// How many findings of one code are listed before the rest are only counted.
pub const MAX_FINDINGS_PER_CODE: usize = 20;

/// The largest body read at all: Stalwart accepts policies up to 1 MiB, so a body between
/// [`MAX_POLICY_SIZE`] and this is still parsed (after its `policy-fetch.too-large` finding).
pub const MAX_READ_SIZE: usize = 1024 * 1024;
/// RFC 8461 §3.2: `max_age` has a "maximum value of 31557600" (one year).
pub const MAX_MAX_AGE: u64 = 31_557_600;
/// Under one day, a policy protects little between fetches (`policy.max-age-short`).
pub const SHORT_MAX_AGE: u64 = 86_400;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The policy mode (RFC 8461 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Senders refuse to deliver without a validated TLS connection.
    Enforce,
    /// Senders report failures but deliver anyway.
    Testing,
    /// The domain opts out.
    None,
}

impl Mode {
    /// Every mode, in the order the RFC lists them.
    pub const ALL: [Mode; 3] = [Mode::Enforce, Mode::Testing, Mode::None];

    /// The value as written in a policy: `enforce`, `testing` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Testing => "testing",
            Mode::None => "none",
        }
    }

    /// The mode spelled exactly `value` (the ABNF is case-sensitive).
    pub fn from_value(value: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == value)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy as a lenient reader takes it: for a repeated field the first one counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MtaStsPolicy {
    /// `version`, always `STSv1`.
    pub version: String,
    /// `mode`.
    pub mode: Mode,
    /// `max_age` in seconds, as written (even above [`MAX_MAX_AGE`], which is an error finding).
    pub max_age: u64,
    /// `mx` patterns in order, as written (duplicates and invalid ones included: they have
    /// their findings).
    pub mx: Vec<String>,
    /// Fields STSv1 does not define, in order, the first of each name.
    pub extensions: Vec<(String, String)>,
}

/// Lints a policy body: every finding about a line carries its 1-based line number.
///
/// A body over [`MAX_POLICY_SIZE`] gets `policy-fetch.too-large` and is still read, so that what
/// lenient senders with a larger cap see is known; over [`MAX_READ_SIZE`] nothing more is read.
/// The `value` is `None` when the body is over [`MAX_READ_SIZE`], when it is empty, or when `version`, `mode`
/// or `max_age` is missing or unreadable (a `version` other than `STSv1`, a `mode` other than the
/// three, a `max_age` that is not all digits). Otherwise it holds what a lenient sender reads:
/// indented lines, `key :value` and lines around blank lines or a BOM still count.
pub fn lint_policy(body: &[u8]) -> LintResult<MtaStsPolicy> {
    let too_large = (body.len() > MAX_POLICY_SIZE).then(|| {
        let message = format!(
            "The policy is {} bytes, more than the 64 KiB ({MAX_POLICY_SIZE} bytes) that RFC 8461 §3.3 suggests as a limit, so strict senders such as mox refuse it; Stalwart reads up to 1 MiB.",
            body.len()
        );
        Finding::new(Code::PolicyFetchTooLarge, message)
    });
    if body.len() > MAX_READ_SIZE {
        return LintResult::new(too_large.into_iter().collect(), None);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        let message = if body.is_empty() {
            "The policy body is empty.".to_string()
        } else {
            format!(
                "The policy body holds only whitespace ({} bytes).",
                body.len()
            )
        };
        let empty = Finding::new(Code::PolicyEmpty, message);
        return LintResult::new(too_large.into_iter().chain([empty]).collect(), None);
    }
    let mut reader = Reader::default();
    if let Some(finding) = too_large {
        reader.push(finding);
    }
    let body = match body.strip_prefix(BOM) {
        Some(rest) => {
            reader.push(Finding::new(Code::PolicyBom, "The body starts with a UTF-8 byte-order mark (EF BB BF); the RFC's grammar has no room for it, so strict senders such as mox refuse the policy.").at_line(1));
            rest
        }
        None => body,
    };
    let lines = parse::split_lines(body);
    reader.last_content_line = lines
        .iter()
        .rev()
        .find(|l| !is_blank(l.bytes))
        .map_or(0, |l| l.number);
    for line in &lines {
        reader.line(line);
    }
    reader.line_endings(&lines);
    reader.finish()
}

/// A field seen on a line.
#[derive(Debug, Clone)]
struct Seen {
    line: usize,
    value: String,
}

/// What has been read so far.
#[derive(Debug, Default)]
struct Reader {
    findings: Vec<Finding>,
    /// The last line that is not blank: blank lines after it are "after the last field".
    last_content_line: usize,
    version: Option<(Seen, bool)>,
    mode: Option<(Seen, Option<Mode>)>,
    max_age: Option<(Seen, Option<u64>)>,
    mx: Vec<Seen>,
    extensions: Vec<(String, Seen)>,
}

impl Reader {
    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Reads one line: blank, not a field, or a field.
    fn line(&mut self, line: &parse::Line<'_>) {
        let n = line.number;
        let text = match std::str::from_utf8(line.bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(e) => {
                let byte = line.bytes.get(e.valid_up_to()).copied().unwrap_or_default();
                self.push(Finding::new(Code::PolicySyntax, format!(
                    "The line holds the byte 0x{byte:02X}, which is not UTF-8, after {} bytes; the RFC requires UTF-8, so strict senders such as mox refuse the policy.",
                    e.valid_up_to()
                )).at_line(n));
                String::from_utf8_lossy(line.bytes)
            }
        };
        if is_blank(line.bytes) {
            let what = if text.is_empty() {
                "An empty line"
            } else {
                "A line of only whitespace"
            };
            let place = if n > self.last_content_line {
                "after the last field (only one final line break is allowed)"
            } else {
                "between fields"
            };
            self.push(Finding::new(Code::PolicyBlankLine, format!(
                "{what} {place}: the RFC's grammar forbids it and strict senders such as mox refuse the policy; lenient ones such as Stalwart, mailauth and postfix-mta-sts-resolver read on past it."
            )).at_line(n));
            return;
        }
        match parse::parse_field(&text) {
            Ok(field) => self.field(n, &field),
            Err(why) => {
                let message = validate::not_a_field(&why, &text);
                self.push(Finding::new(Code::PolicySyntax, message).at_line(n));
            }
        }
    }

    /// Reads one `name: value` field.
    fn field(&mut self, n: usize, field: &parse::Field<'_>) {
        let name = field.name;
        if field.indented {
            self.push(Finding::new(Code::PolicyLeadingWhitespace, format!(
                "The line starts with whitespace before \"{name}\", but the RFC's grammar wants the field name at the start of the line, so strict senders such as mox refuse the policy; lenient ones such as Stalwart trim it."
            )).at_line(n));
        }
        if field.space_before_colon {
            self.push(Finding::new(Code::PolicySyntax, format!(
                "Whitespace stands between the field name \"{name}\" and its colon, but the RFC's grammar wants \"{name}:\", so strict senders such as mox refuse the policy; lenient ones such as Stalwart trim it."
            )).at_line(n));
        }
        let seen = Seen {
            line: n,
            value: field.value.to_string(),
        };
        let first = match name {
            "version" => self.version.as_ref().map(|(first, _)| first),
            "mode" => self.mode.as_ref().map(|(first, _)| first),
            "max_age" => self.max_age.as_ref().map(|(first, _)| first),
            "mx" => None,
            _ => self
                .extensions
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, first)| first),
        };
        if let Some(first) = first.cloned() {
            if validate::KNOWN.contains(&name) {
                self.findings
                    .extend(validate::value_syntax(name, &seen.value, n));
            } else {
                self.findings
                    .extend(validate::extension(name, &seen.value, n));
            }
            self.duplicate(name, &first, &seen);
            return;
        }
        match name {
            "version" => {
                let ok = match validate::version(&seen.value, n) {
                    Ok(()) => true,
                    Err(finding) => {
                        self.push(finding);
                        false
                    }
                };
                self.version = Some((seen, ok));
            }
            "mode" => {
                let (mode, finding) = validate::mode(&seen.value, n);
                self.findings.extend(finding);
                self.mode = Some((seen, mode));
            }
            "max_age" => {
                let (max_age, finding) = validate::max_age(&seen.value, n);
                self.findings.extend(finding);
                self.max_age = Some((seen, max_age));
            }
            "mx" => {
                self.findings.extend(validate::mx(&seen.value, n));
                // Host names compare case-insensitively (RFC 8461 §4.1).
                if let Some(first) = self
                    .mx
                    .iter()
                    .find(|m| m.value.eq_ignore_ascii_case(&seen.value))
                {
                    let message = format!(
                        "The mx pattern {} repeats line {}, which changes nothing, so the repeat can go.",
                        seen.value, first.line
                    );
                    self.push(Finding::new(Code::PolicyMxDuplicate, message).at_line(n));
                }
                self.mx.push(seen);
            }
            _ => {
                self.findings
                    .extend(validate::extension(name, &seen.value, n));
                self.extensions.push((name.to_string(), seen));
            }
        }
    }

    /// RFC 8461 §3.2: "If a field name appears more than once, all but the first instance
    /// MUST be ignored" (`mx` aside, which repeats by design).
    fn duplicate(&mut self, name: &str, first: &Seen, seen: &Seen) {
        let again = &seen.value;
        let message = if !validate::is_valid(name, again) {
            format!(
                "The field \"{name}\" appears again after line {}, and although only the first value \"{}\" counts, strict senders such as mox refuse the whole policy because the repeat \"{again}\" is not a valid {name} value.",
                first.line, first.value
            )
        } else if *again == first.value {
            format!(
                "The field \"{name}\" appears again with the same value \"{again}\" as on line {}, so the repeat changes nothing and can go.",
                first.line
            )
        } else {
            format!(
                "The field \"{name}\" appears again after line {}: the first value \"{}\" counts and \"{again}\" is ignored, though some senders, such as Stalwart, take the last value instead.",
                first.line, first.value
            )
        };
        self.push(Finding::new(Code::PolicyDuplicateField, message).at_line(seen.line));
    }

    /// `policy.line-endings` (LF only, or mixed) and the `policy.syntax` error for bare CRs.
    fn line_endings(&mut self, lines: &[parse::Line<'_>]) {
        let with = |ending: Ending| -> Vec<usize> {
            lines
                .iter()
                .filter(|l| l.ending == ending)
                .map(|l| l.number)
                .collect()
        };
        let (lf, crlf, cr) = (with(Ending::Lf), with(Ending::CrLf), with(Ending::BareCr));
        if let Some(&first) = cr.first() {
            self.push(Finding::new(Code::PolicySyntax, format!(
                "The policy ends {} with a bare carriage return (CR without LF), but the RFC allows only LF or CRLF line endings, so strict senders such as mox refuse the policy.",
                line_list(&cr)
            )).at_line(first));
        }
        if crlf.is_empty() && !lf.is_empty() {
            self.push(Finding::new(
                Code::PolicyLineEndings,
                "The lines end with LF alone, which the RFC allows (LF or CRLF), so there is nothing to fix.",
            ));
        } else if !crlf.is_empty() && !lf.is_empty() {
            let (few, few_name, many_name) = if crlf.len() <= lf.len() {
                (&crlf, "CRLF", "LF")
            } else {
                (&lf, "LF", "CRLF")
            };
            let first = few.first().copied().unwrap_or(1);
            self.push(Finding::new(Code::PolicyLineEndings, format!(
                "The line endings are mixed, {} with {few_name} and the others with {many_name}, which the RFC allows, though one kind throughout is easier to keep right.",
                line_list(few)
            )).at_line(first));
        }
    }

    /// The findings about missing fields, and the result.
    fn finish(mut self) -> LintResult<MtaStsPolicy> {
        if self.version.is_none() {
            self.push(Finding::new(
                Code::PolicyVersionMissing,
                "There is no \"version: STSv1\" line, so senders refuse the policy.",
            ));
        }
        if self.mode.is_none() {
            self.push(Finding::new(
                Code::PolicyModeMissing,
                "There is no \"mode\" line (enforce, testing or none), so senders refuse the policy.",
            ));
        }
        if self.max_age.is_none() {
            self.push(Finding::new(Code::PolicyMaxAgeMissing, "There is no \"max_age\" line giving the policy's lifetime in seconds, so senders refuse the policy."));
        }
        let mode = self.mode.as_ref().and_then(|(_, mode)| *mode);
        if let (Some(mode @ (Mode::Enforce | Mode::Testing)), true) = (mode, self.mx.is_empty()) {
            self.push(Finding::new(Code::PolicyMxMissing, format!(
                "There is no \"mx\" line, which mode {mode} requires, so no MX host can match and senders refuse the policy."
            )));
        }
        // In line order; findings about the whole file last.
        self.findings.sort_by_key(|f| (f.line.is_none(), f.line));
        let value = match (&self.version, mode, &self.max_age) {
            (Some((_, true)), Some(mode), Some((_, Some(max_age)))) => Some(MtaStsPolicy {
                version: "STSv1".to_string(),
                mode,
                max_age: *max_age,
                mx: self.mx.iter().map(|m| m.value.clone()).collect(),
                extensions: self
                    .extensions
                    .iter()
                    .map(|(k, seen)| (k.clone(), seen.value.clone()))
                    .collect(),
            }),
            _ => None,
        };
        LintResult::new(limit_per_code(self.findings, MAX_FINDINGS_PER_CODE), value)
    }
}

/// Empty, or only spaces and tabs.
fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| matches!(b, b' ' | b'\t'))
}

/// `line 3` or `lines 2, 4 and 7` (at most ten numbers, then `and N more`).
fn line_list(numbers: &[usize]) -> String {
    const SHOWN: usize = 10;
    let mut shown: Vec<String> = numbers.iter().take(SHOWN).map(usize::to_string).collect();
    let rest = numbers.len().saturating_sub(SHOWN);
    match (shown.len(), rest) {
        (1, _) => format!("line {}", shown.concat()),
        (_, 0) => {
            let last = shown.pop().unwrap_or_default();
            format!("lines {} and {last}", shown.join(", "))
        }
        _ => format!("lines {} and {rest} more", shown.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Code::*;

    /// `(code, line)` of every finding.
    fn found(body: &[u8]) -> Vec<(Code, Option<u32>)> {
        lint_policy(body)
            .findings
            .iter()
            .map(|f| (f.code, f.line))
            .collect()
    }

    #[test]
    fn findings_and_lines() {
        for (body, want) in [
            (&b"version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\nmax_age: 604800\r\n"[..], vec![]),
            (b"version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\nmax_age: 604800", vec![]),
            (b"version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n", vec![(PolicyLineEndings, None)]),
            (b"version: STSv1\r\nmode: enforce\nmx: mx.example.com\r\nmax_age: 604800\r\n", vec![(PolicyLineEndings, Some(2))]),
            (b"", vec![(PolicyEmpty, None)]),
            (b" \r\n\n", vec![(PolicyEmpty, None)]),
            (b"\xEF\xBB\xBFversion: STSv1\r\nmode: none\r\nmax_age: 86400\r\n", vec![(PolicyBom, Some(1)), (PolicyModeNone, Some(2))]),
            (b"version: STSv1\r\n\r\nmode: enforce\r\nmx: a.example\r\nmax_age: 86400\r\n\r\n", vec![(PolicyBlankLine, Some(2)), (PolicyBlankLine, Some(6))]),
            (b"version: STSv1\r\n  mode: enforce\r\nmx :a.example\r\nmax_age: 86400", vec![(PolicyLeadingWhitespace, Some(2)), (PolicySyntax, Some(3))]),
            (b"# policy\r\nversion: STSv1\r\nmode: none\r\nmax_age: 86400", vec![(PolicySyntax, Some(1)), (PolicyModeNone, Some(3))]),
            (b"version: STSv1\rmode: none\rmax_age: 86400\r", vec![(PolicySyntax, Some(1)), (PolicyModeNone, Some(2))]),
            (b"version: STSv2\r\nmode: Enforce\r\nmax_age: 1e6\r\n", vec![(PolicyVersionInvalid, Some(1)), (PolicyModeInvalid, Some(2)), (PolicyMaxAgeInvalid, Some(3))]),
            (b"mode: testing\r\nmax_age: 31557601\r\n", vec![(PolicyModeTesting, Some(1)), (PolicyMaxAgeTooLarge, Some(2)), (PolicyVersionMissing, None), (PolicyMxMissing, None)]),
            (b"version: STSv1\r\nmode: none\r\nmax_age: 012345678901\r\n", vec![(PolicyModeNone, Some(2)), (PolicyMaxAgeInvalid, Some(3))]),
            (b"version: STSv1\r\nmode: none\r\nmax_age: 0\r\n", vec![(PolicyModeNone, Some(2)), (PolicyMaxAgeShort, Some(3))]),
            (b"version: STSv1\r\n", vec![(PolicyModeMissing, None), (PolicyMaxAgeMissing, None)]),
            (b"version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\nmx: a.example.\r\nmx: A.example.\r\nmx: *.*.example\r\n", vec![(PolicyMxInvalid, Some(4)), (PolicyMxInvalid, Some(5)), (PolicyMxDuplicate, Some(5)), (PolicyMxInvalid, Some(6))]),
            (b"version: STSv1\r\nmode: testing\r\nmode: enforced\r\nmx: a.example\r\nmax_age: 86400\r\nmax_age: 86400\r\n", vec![(PolicyModeTesting, Some(2)), (PolicyDuplicateField, Some(3)), (PolicyDuplicateField, Some(6))]),
            (b"version: STSv1\r\nmode: enforce\r\nmx: a.example\r\nmax_age: 86400\r\nx: 1\r\nx: 2\r\nMode: none\r\ny:\r\nz: a\tb\r\n", vec![(PolicyUnknownField, Some(5)), (PolicyUnknownField, Some(6)), (PolicyDuplicateField, Some(6)), (PolicyUnknownField, Some(7)), (PolicyUnknownField, Some(8)), (PolicySyntax, Some(8)), (PolicyUnknownField, Some(9)), (PolicySyntax, Some(9))]),
            (b"version: STSv1\r\nmode: none\r\nmode:\r\nmax_age: 86400\r\n", vec![(PolicyModeNone, Some(2)), (PolicySyntax, Some(3)), (PolicyDuplicateField, Some(3))]),
            (b"version: STSv1\r\nmode: none\r\nmax_age: 86400\r\nx: ok\xFFbad\r\n", vec![(PolicyModeNone, Some(2)), (PolicySyntax, Some(4)), (PolicyUnknownField, Some(4))]),
            (b"<!DOCTYPE html>\n", vec![(PolicySyntax, Some(1)), (PolicyLineEndings, None), (PolicyVersionMissing, None), (PolicyModeMissing, None), (PolicyMaxAgeMissing, None)]),
        ] {
            assert_eq!(found(body), want, "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn too_large_is_still_read_with_findings_counted() {
        let mut body = b"version: STSv1\nmode: none\nmax_age: 86400\n".to_vec();
        body.resize(MAX_POLICY_SIZE, b'\n');
        assert!(!lint_policy(&body).has(PolicyFetchTooLarge));
        body.push(b'\n');
        let result = lint_policy(&body);
        assert!(result.has(PolicyFetchTooLarge));
        assert_eq!(
            result.value.map(|p| p.mode),
            Some(Mode::None),
            "Stalwart reads it"
        );
        assert!(
            result.findings.len() <= MAX_FINDINGS_PER_CODE + 4,
            "{}",
            result.findings.len()
        );
        body.resize(MAX_READ_SIZE + 1, b'x');
        let result = lint_policy(&body);
        assert_eq!(result.codes(), [PolicyFetchTooLarge]);
        assert_eq!(result.value, None);
    }

    #[test]
    fn value_is_the_lenient_reading() {
        let value = |body: &[u8]| {
            lint_policy(body)
                .value
                .map(|p| (p.mode, p.max_age, p.mx, p.extensions))
        };
        let ext = |k: &str, v: &str| (k.to_string(), v.to_string());
        for (body, want) in [
            (&b"version: STSv1\nmode: testing\nmode: enforce\nmx: a.example\nmx: *.b.example\nmax_age: 1\nmax_age: 2\nx: 1\nx: 2\n"[..],
             Some((Mode::Testing, 1, vec!["a.example".to_string(), "*.b.example".to_string()], vec![ext("x", "1")]))),
            (b"  version: STSv1\n\nmode :none\nmax_age: 99999999 \n", Some((Mode::None, 99_999_999, vec![], vec![]))),
            (b"version: STSv1\nmode: enforced\nmx: a.example\nmax_age: 1\n", None),
            (b"version: stsv1\nmode: enforce\nmx: a.example\nmax_age: 1\n", None),
            (b"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", None),
            (b"mode: enforce\nmx: a.example\nmax_age: 1\n", None),
        ] {
            assert_eq!(value(body), want, "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn every_line_finding_has_a_line() {
        let body = b"\xEF\xBB\xBF  version: STSv2\r\n\r\n# c\nmode :x\rmax_age: 1e3\nmx: _x\nmx: _x\nq:\tv\t\nq: \x01\n---\n<p>\nbad name: 1\n: 2\nversion: STSv1\n";
        let result = lint_policy(body);
        for finding in &result.findings {
            let about_file = matches!(
                finding.code,
                PolicyVersionMissing
                    | PolicyModeMissing
                    | PolicyMaxAgeMissing
                    | PolicyMxMissing
                    | PolicyLineEndings
            );
            assert!(about_file || finding.line.is_some(), "{finding:?}");
            assert!(
                finding.message.ends_with('.') || finding.message.ends_with('?'),
                "{finding:?}"
            );
        }
    }

    #[test]
    fn messages_name_the_value() {
        for (body, needle) in [
            (&b"version: STSv1\nmode: enforced\nmx: a.example\nmax_age: 1\n"[..], "enforced"),
            (b"version: STSv1\nmode: none\nmax_age: 86400.5\n", "86400.5"),
            (b"version: STSv1\nmode: enforce\nmax_age: 86400\nmx: mx1.your_domain.tld  # primary\n", "mx1.your_domain.tld"),
            (b"version: STSv1\nmode: none\nmax_age: 86400\nmode none\n", "mode none"),
            (b"version: STSv1\nmode: none\nmax_age: 86400\n\n", "Stalwart"),
        ] {
            let result = lint_policy(body);
            assert!(
                result.findings.iter().any(|f| f.severity == crate::Severity::Error && f.message.contains(needle)),
                "{needle}: {:?}",
                result.findings
            );
        }
    }

    #[test]
    fn no_panic_on_odd_bytes() {
        for body in [
            &b"\xff\xfe"[..],
            b"\r",
            b"\n\r\n\r",
            b":",
            b"a:",
            b"\xEF\xBB\xBF",
            b"\xEF\xBB",
            b"mx: *\x00",
            b"max_age: 99999999999999999999999999",
        ] {
            let _ = lint_policy(body);
        }
    }
}
