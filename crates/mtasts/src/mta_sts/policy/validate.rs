//! The rules for each field's value (RFC 8461 §3.2) and the wording of their findings.
//!
//! Every function gets the value without surrounding whitespace and the 1-based line it is on,
//! and says, in one sentence naming the value, what is wrong and which senders mind.

use super::parse::{NotAField, WSP};
use super::{Mode, MAX_MAX_AGE, SHORT_MAX_AGE};
use crate::finding::{Code, Finding};
use crate::mx::check_pattern;

/// The field names STSv1 defines.
pub(super) const KNOWN: [&str; 4] = ["version", "mode", "max_age", "mx"];

/// RFC 8461 §3.2 `sts-policy-version-value = %s"STSv1"`.
pub(super) fn version(value: &str, line: usize) -> Result<(), Finding> {
    if value == "STSv1" {
        return Ok(());
    }
    let message = if value.is_empty() {
        "The version field is empty, and it must be STSv1; senders refuse the policy.".to_string()
    } else if value.eq_ignore_ascii_case("STSv1") {
        format!("The version \"{value}\" is not STSv1: the RFC's grammar is case-sensitive, so strict senders such as mox refuse the policy; lenient ones such as Stalwart accept it.")
    } else {
        format!(
            "The version \"{value}\" is not STSv1, the only version there is{}; senders refuse the policy.",
            comment_hint(value)
        )
    };
    Err(Finding::new(Code::PolicyVersionInvalid, message).at_line(line))
}

/// RFC 8461 §3.2 `sts-policy-mode-value = %s"testing" / %s"enforce" / %s"none"`; RFC 8461 §5 for
/// what `testing` and `none` mean. The finding is informational for those two modes.
pub(super) fn mode(value: &str, line: usize) -> (Option<Mode>, Option<Finding>) {
    let mode = Mode::from_value(value);
    let finding = match mode {
        Some(Mode::Enforce) => None,
        Some(Mode::Testing) => Some(Finding::new(Code::PolicyModeTesting, "The mode is testing: senders report TLS failures to the TLS-RPT address but still deliver, so the policy does not yet stop a downgrade. Postfix with postfix-mta-sts-resolver applies no MTA-STS at all to it unless its strict_testing setting is turned on (default false).")),
        Some(Mode::None) => Some(Finding::new(Code::PolicyModeNone, "The mode is none: the domain opts out of MTA-STS and senders drop any policy they cached.")),
        None => {
            let hint = if value.is_empty() {
                String::new()
            } else if let Some(mode) = Mode::ALL
                .into_iter()
                .find(|m| m.as_str().eq_ignore_ascii_case(value))
            {
                format!(" (values are case-sensitive: write \"{mode}\")")
            } else if let Some(mode) = Mode::ALL
                .into_iter()
                .find(|m| value.starts_with(m.as_str()) && !value.contains(WSP))
            {
                format!(" (did you mean \"{mode}\"?)")
            } else {
                comment_hint(value)
            };
            Some(Finding::new(
                Code::PolicyModeInvalid,
                format!("The mode \"{value}\" is not enforce, testing or none{hint}; senders refuse the policy."),
            ))
        }
    };
    (mode, finding.map(|f| f.at_line(line)))
}

/// RFC 8461 §3.2 `sts-policy-max-age-value = 1*10(DIGIT)`, "maximum value of 31557600"; and
/// "it is expected that this value typically be in the range of weeks or greater".
/// The number is read whenever the value is all digits.
pub(super) fn max_age(value: &str, line: usize) -> (Option<u64>, Option<Finding>) {
    let Some(max_age) = max_age_digits(value) else {
        let message = if value.is_empty() {
            "The max_age field is empty, and it must be a number of seconds; senders refuse the policy.".to_string()
        } else {
            format!(
                "The max_age \"{value}\" is not a number of seconds written with 1 to 10 digits{}; senders refuse the policy.",
                comment_hint(value)
            )
        };
        let finding = Finding::new(Code::PolicyMaxAgeInvalid, message).at_line(line);
        return (None, Some(finding));
    };
    let finding = if value.len() > 10 {
        Some(Finding::new(Code::PolicyMaxAgeInvalid, format!(
            "The max_age \"{value}\" has {} digits, more than the 10 the RFC's grammar allows; strict senders such as mox refuse the policy.",
            value.len()
        )))
    } else if max_age > MAX_MAX_AGE {
        Some(Finding::new(Code::PolicyMaxAgeTooLarge, format!(
            "The max_age {max_age} is more than the RFC's maximum of {MAX_MAX_AGE} seconds (one year); strict senders such as postfix-mta-sts-resolver refuse the policy, while mox accepts it."
        )))
    } else if max_age == 0 {
        Some(Finding::new(Code::PolicyMaxAgeShort, "The max_age is 0, so senders do not cache the policy at all and it protects nothing between fetches; RFC 8461 expects weeks or more."))
    } else if max_age < SHORT_MAX_AGE {
        let unit = if max_age == 1 { "second" } else { "seconds" };
        Some(Finding::new(Code::PolicyMaxAgeShort, format!(
            "The max_age of {max_age} {unit} is under one day ({SHORT_MAX_AGE} seconds), so senders forget the policy soon after each fetch and it protects little; RFC 8461 expects weeks or more."
        )))
    } else {
        None
    };
    (Some(max_age), finding.map(|f| f.at_line(line)))
}

/// The number in a `max_age` value that is all ASCII digits (any count); `None` otherwise.
fn max_age_digits(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Over 20 digits a u64 overflows: read the largest value, an error finding anyway.
    Some(value.parse().unwrap_or(u64::MAX))
}

/// RFC 8461 §3.2 `sts-policy-mx-value = ["*."] Domain`, A-labels only (see [`check_pattern`]).
pub(super) fn mx(value: &str, line: usize) -> Option<Finding> {
    let error = check_pattern(value).err()?;
    let message = if value.contains(WSP) {
        format!(
            "The mx value \"{value}\" holds whitespace, so it is not a host name{}; strict senders such as mox refuse the policy.",
            comment_hint(value)
        )
    } else {
        format!("The mx value is not a valid pattern: {error}; strict senders such as mox refuse the policy.")
    };
    Some(Finding::new(Code::PolicyMxInvalid, message).at_line(line))
}

/// RFC 8461 §3.2: a field STSv1 does not define is ignored (`policy.unknown-field`), but its value
/// must still be `sts-policy-ext-value` (`policy.syntax` otherwise).
pub(super) fn extension(name: &str, value: &str, line: usize) -> Vec<Finding> {
    let hint = KNOWN
        .into_iter()
        .find(|known| name.replace(['-', '.'], "_").eq_ignore_ascii_case(known))
        .map(|known| format!(" and is not the \"{known}\" field, whose name is case-sensitive and spelled exactly so"))
        .unwrap_or_default();
    let mut findings = vec![Finding::new(
        Code::PolicyUnknownField,
        format!("The field \"{name}\" is not defined by STSv1{hint}; senders ignore it."),
    )
    .at_line(line)];
    findings.extend(value_syntax(name, value, line));
    findings
}

/// RFC 8461 §3.2 `sts-policy-ext-value`: at least one character, and only SP and
/// `sts-policy-vchar` (`%x21-7E` and non-ASCII UTF-8), so no tab, DEL or other control character.
/// A repeated `version`, `mode` or `max_age` line only parses as such a field, so it is held to
/// this rule too.
pub(super) fn value_syntax(name: &str, value: &str, line: usize) -> Option<Finding> {
    let message = if value.is_empty() {
        format!("The field \"{name}\" has an empty value, which the RFC's grammar does not allow; strict senders such as mox refuse the policy.")
    } else {
        let c = value.chars().find(char::is_ascii_control)?;
        format!(
            "The value of \"{name}\" holds the control character {c:?} (U+{:04X}), which the RFC's grammar does not allow in a value; strict senders such as mox refuse the policy.",
            u32::from(c)
        )
    };
    Some(Finding::new(Code::PolicySyntax, message).at_line(line))
}

/// Whether a repeated field's value would pass its rule (the repeat is ignored, but strict
/// parsers still refuse a value that breaks the grammar).
pub(super) fn is_valid(name: &str, value: &str) -> bool {
    match name {
        "version" => version(value, 0).is_ok(),
        "mode" => Mode::from_value(value).is_some(),
        "max_age" => value.len() <= 10 && max_age_digits(value).is_some(),
        "mx" => check_pattern(value).is_ok(),
        _ => value_syntax(name, value, 0).is_none(),
    }
}

/// The message for a line that is not a field.
pub(super) fn not_a_field(why: &NotAField<'_>, text: &str) -> String {
    let line = excerpt(text);
    match why {
        NotAField::Comment => format!("The line \"{line}\" is a comment, but the RFC's grammar has no comments, so strict senders such as mox refuse the policy."),
        NotAField::FrontMatter => format!("The line \"{line}\" is YAML front matter: this looks like a site generator's source file rather than the policy as served, and strict senders such as mox refuse it."),
        NotAField::Html => format!("The line \"{line}\" is HTML: the server answered with a web page, not a policy."),
        NotAField::NoColon => format!("The line \"{line}\" is not a \"key: value\" field, as it has no colon; strict senders such as mox refuse the policy."),
        NotAField::EmptyName => format!("The line \"{line}\" has no field name before its colon; strict senders such as mox refuse the policy."),
        NotAField::BadName(name) => format!("The field name \"{name}\" is not allowed, as a name starts with a letter or digit and has at most 32 letters, digits, \"_\", \"-\" or \".\"; strict senders such as mox refuse the policy."),
    }
}

/// A clause for a value that carries an inline `# comment`.
fn comment_hint(value: &str) -> String {
    if value.contains(" #") || value.contains("\t#") {
        " (the \"#\" part looks like a comment, and the RFC's grammar has none)".to_string()
    } else {
        String::new()
    }
}

/// The text of a line for a message, cut at 60 characters.
fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(60).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Code::*;

    fn code(finding: Option<Finding>) -> Option<Code> {
        finding.map(|f| f.code)
    }

    #[test]
    fn versions() {
        for (value, ok) in [
            ("STSv1", true),
            ("STSv2", false),
            ("stsv1", false),
            ("", false),
            ("STSv1 #x", false),
        ] {
            assert_eq!(version(value, 1).is_ok(), ok, "{value}");
        }
    }

    #[test]
    fn modes() {
        for (value, want_mode, want_code) in [
            ("enforce", Some(Mode::Enforce), None),
            ("testing", Some(Mode::Testing), Some(PolicyModeTesting)),
            ("none", Some(Mode::None), Some(PolicyModeNone)),
            ("Enforce", None, Some(PolicyModeInvalid)),
            ("enforced", None, Some(PolicyModeInvalid)),
            ("report", None, Some(PolicyModeInvalid)),
            ("", None, Some(PolicyModeInvalid)),
        ] {
            let (got_mode, finding) = mode(value, 2);
            assert_eq!((got_mode, code(finding)), (want_mode, want_code), "{value}");
        }
        let hint = |v| mode(v, 1).1.map(|f| f.message).unwrap_or_default();
        assert!(hint("Enforce").contains("case-sensitive"));
        assert!(hint("enforced").contains("did you mean \"enforce\""));
        assert!(hint("[enforce|testing|none] # pick").contains("comment"));
    }

    #[test]
    fn max_ages() {
        for (value, want_value, want_code) in [
            ("604800", Some(604_800), None),
            ("86400", Some(86_400), None),
            ("31557600", Some(31_557_600), None),
            ("0604800", Some(604_800), None),
            ("86399", Some(86_399), Some(PolicyMaxAgeShort)),
            ("0", Some(0), Some(PolicyMaxAgeShort)),
            ("31557601", Some(31_557_601), Some(PolicyMaxAgeTooLarge)),
            (
                "9999999999",
                Some(9_999_999_999),
                Some(PolicyMaxAgeTooLarge),
            ),
            (
                "01234567890",
                Some(1_234_567_890),
                Some(PolicyMaxAgeInvalid),
            ),
            (
                "999999999999999999999999",
                Some(u64::MAX),
                Some(PolicyMaxAgeInvalid),
            ),
            ("", None, Some(PolicyMaxAgeInvalid)),
            ("-1", None, Some(PolicyMaxAgeInvalid)),
            ("+1", None, Some(PolicyMaxAgeInvalid)),
            ("86400.5", None, Some(PolicyMaxAgeInvalid)),
            ("1e6", None, Some(PolicyMaxAgeInvalid)),
            ("８６４００", None, Some(PolicyMaxAgeInvalid)),
        ] {
            let (got, finding) = max_age(value, 3);
            assert_eq!((got, code(finding)), (want_value, want_code), "{value}");
        }
    }

    #[test]
    fn mx_values() {
        for (value, want) in [
            ("mail.example.com", None),
            ("*.example.net", None),
            ("mail.example.com.", Some(PolicyMxInvalid)),
            ("*", Some(PolicyMxInvalid)),
            ("10.0.0.1", Some(PolicyMxInvalid)),
            ("mx1.example.com # main", Some(PolicyMxInvalid)),
        ] {
            assert_eq!(code(mx(value, 4)), want, "{value}");
        }
    }

    #[test]
    fn extensions() {
        for (name, value, want) in [
            ("x-report", "safe-value", vec![PolicyUnknownField]),
            ("comment", "café au lait", vec![PolicyUnknownField]),
            ("comment", "", vec![PolicyUnknownField, PolicySyntax]),
            ("comment", "a\tb", vec![PolicyUnknownField, PolicySyntax]),
            (
                "comment",
                "ok\u{0}bad",
                vec![PolicyUnknownField, PolicySyntax],
            ),
            (
                "comment",
                "ok\u{7f}",
                vec![PolicyUnknownField, PolicySyntax],
            ),
            ("comment", "{café}", vec![PolicyUnknownField]),
            ("Mode", "enforce", vec![PolicyUnknownField]),
        ] {
            let got: Vec<Code> = extension(name, value, 5).iter().map(|f| f.code).collect();
            assert_eq!(got, want, "{name}: {value}");
        }
        let message = extension("max-age", "1", 5)
            .first()
            .map(|f| f.message.clone())
            .unwrap_or_default();
        assert!(message.contains("\"max_age\""), "{message}");
    }

    #[test]
    fn repeated_values() {
        for (name, value, want) in [
            ("mode", "enforced", false),
            ("mode", "testing", true),
            ("version", "STSv1", true),
            ("max_age", "01234567890", false),
            ("max_age", "31557601", true),
            ("mx", "*", false),
            ("x", "", false),
            ("x", "y", true),
        ] {
            assert_eq!(is_valid(name, value), want, "{name}: {value}");
        }
    }

    #[test]
    fn excerpts() {
        assert_eq!(excerpt("short"), "short");
        assert_eq!(excerpt(&"é".repeat(61)), format!("{}…", "é".repeat(60)));
    }
}
