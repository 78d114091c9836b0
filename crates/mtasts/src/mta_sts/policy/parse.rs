//! Reading a policy body into lines and `key: value` fields, following the ABNF of RFC 8461 §3.2:
//!
//! ```text
//! sts-policy-record      = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP)
//!                          [sts-policy-term]
//! sts-policy-field-delim = ":" *WSP
//! sts-policy-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//! sts-policy-term        = LF / CRLF
//! ```
//!
//! This layer only splits; what a value must look like is checked by the caller.

/// How a line ends (RFC 8461 §3.2 `sts-policy-term = LF / CRLF`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ending {
    /// `\n`.
    Lf,
    /// `\r\n`.
    CrLf,
    /// A `\r` not followed by `\n`: not a terminator in the RFC, read as one to say so once.
    BareCr,
    /// The last line, without a terminator (allowed).
    Eof,
}

/// One line of the body, without its terminator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line<'a> {
    /// 1-based.
    pub number: usize,
    pub bytes: &'a [u8],
    pub ending: Ending,
}

/// Splits `body` at LF, CRLF and bare CR. A final terminator does not start an empty line.
pub(super) fn split_lines(body: &[u8]) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut bytes = body.iter().enumerate().peekable();
    while let Some((i, &byte)) = bytes.next() {
        let ending = match byte {
            b'\n' => Ending::Lf,
            b'\r' if bytes.next_if(|&(_, &next)| next == b'\n').is_some() => Ending::CrLf,
            b'\r' => Ending::BareCr,
            _ => continue,
        };
        lines.push(Line {
            number: lines.len() + 1,
            bytes: body.get(start..i).unwrap_or_default(),
            ending,
        });
        start = i + if ending == Ending::CrLf { 2 } else { 1 };
    }
    if start < body.len() {
        lines.push(Line {
            number: lines.len() + 1,
            bytes: body.get(start..).unwrap_or_default(),
            ending: Ending::Eof,
        });
    }
    lines
}

/// A line that reads as `name: value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Field<'a> {
    /// The field name, without surrounding whitespace.
    pub name: &'a str,
    /// The value, without the delimiter's whitespace and without trailing whitespace.
    pub value: &'a str,
    /// The line starts with whitespace (not allowed: the name must start the line).
    pub indented: bool,
    /// Whitespace between the name and the colon (`key :value`, not allowed).
    pub space_before_colon: bool,
}

/// Why a non-empty line is not a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NotAField<'a> {
    /// `# …`.
    Comment,
    /// `---`: YAML front matter of a static-site source file.
    FrontMatter,
    /// `<…`: an HTML page instead of the policy.
    Html,
    /// No `:` at all.
    NoColon,
    /// Nothing before the `:`.
    EmptyName,
    /// A name outside `sts-policy-ext-name`.
    BadName(&'a str),
}

/// `WSP = SP / HTAB` (RFC 5234 appendix B.1).
pub(super) const WSP: [char; 2] = [' ', '\t'];

/// Reads one line (not blank) as a field, leniently enough to keep reading past a defect that
/// the caller reports (indentation, `key :value`).
pub(super) fn parse_field(text: &str) -> Result<Field<'_>, NotAField<'_>> {
    let content = text.trim_start_matches(WSP);
    let indented = content.len() != text.len();
    let trimmed = content.trim_end_matches(WSP);
    if trimmed.starts_with('#') {
        return Err(NotAField::Comment);
    }
    if trimmed == "---" || trimmed == "..." {
        return Err(NotAField::FrontMatter);
    }
    if trimmed.starts_with('<') {
        return Err(NotAField::Html);
    }
    let (name_part, rest) = content.split_once(':').ok_or(NotAField::NoColon)?;
    let name = name_part.trim_end_matches(WSP);
    if name.is_empty() {
        return Err(NotAField::EmptyName);
    }
    if !is_field_name(name) {
        return Err(NotAField::BadName(name));
    }
    Ok(Field {
        name,
        value: rest.trim_start_matches(WSP).trim_end_matches(WSP),
        indented,
        space_before_colon: name.len() != name_part.len(),
    })
}

/// RFC 8461 §3.2 `sts-policy-ext-name`; the defined names match it too.
fn is_field_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && name.len() <= 32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_endings() {
        use Ending::*;
        for (body, want) in [
            (&b""[..], vec![]),
            (b"a\n", vec![("a", Lf)]),
            (b"a", vec![("a", Eof)]),
            (b"a\r\nb", vec![("a", CrLf), ("b", Eof)]),
            (b"a\n\n", vec![("a", Lf), ("", Lf)]),
            (b"a\rb\r", vec![("a", BareCr), ("b", BareCr)]),
            (b"a\r\r\n", vec![("a", BareCr), ("", CrLf)]),
            (b"\r\n", vec![("", CrLf)]),
        ] {
            let got: Vec<(&str, Ending)> = split_lines(body)
                .iter()
                .map(|l| (std::str::from_utf8(l.bytes).unwrap_or("?"), l.ending))
                .collect();
            assert_eq!(got, want, "{body:?}");
        }
        let numbers: Vec<usize> = split_lines(b"a\nb\nc").iter().map(|l| l.number).collect();
        assert_eq!(numbers, [1, 2, 3]);
    }

    #[test]
    fn fields() {
        let field = |name, value, indented, space_before_colon| {
            Ok(Field {
                name,
                value,
                indented,
                space_before_colon,
            })
        };
        for (line, want) in [
            ("mode: enforce", field("mode", "enforce", false, false)),
            ("mode:enforce", field("mode", "enforce", false, false)),
            (
                "mx:  \t *.example.com \t",
                field("mx", "*.example.com", false, false),
            ),
            (
                "more:ext e  ns ion",
                field("more", "ext e  ns ion", false, false),
            ),
            ("ext:", field("ext", "", false, false)),
            ("  mode: none", field("mode", "none", true, false)),
            ("mode :none", field("mode", "none", false, true)),
            ("url: https://x", field("url", "https://x", false, false)),
            ("# comment: yes", Err(NotAField::Comment)),
            ("   # comment", Err(NotAField::Comment)),
            ("---", Err(NotAField::FrontMatter)),
            ("<!DOCTYPE html>", Err(NotAField::Html)),
            ("mode none", Err(NotAField::NoColon)),
            (": 8600", Err(NotAField::EmptyName)),
            ("_bad: x", Err(NotAField::BadName("_bad"))),
            ("bad name: x", Err(NotAField::BadName("bad name"))),
            ("café: x", Err(NotAField::BadName("café"))),
            (
                "a12345678901234567890123456789012: x",
                Err(NotAField::BadName("a12345678901234567890123456789012")),
            ),
        ] {
            assert_eq!(parse_field(line), want, "{line:?}");
        }
    }
}
