//! Text from strangers, made safe to show on a terminal.
//!
//! Report fields, policy lines, TXT values, MX names and SMTP replies come from whoever runs the
//! domain or sent the report. Printed raw, a control character is an instruction to the reader's
//! terminal: `ESC ] 52 ; c ; … BEL` (OSC 52) writes the clipboard, `ESC [ 2 J` (CSI) clears the
//! screen, and a bidi override (U+202E) makes the text read differently from what it is
//! (CVE-2021-42574, "Trojan Source"). [`printable`] shows each such character as its Rust escape,
//! `\u{1b}`, so it is seen rather than obeyed.
//!
//! What it does not do: escape for JSON, HTML or a shell (serde, the DOM and argument vectors
//! do), or make the escapes reversible (a `\u{…}` already in the text is left as it is).

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: a C0 control (U+0000–U+001F, newline and tab
/// included), DEL (U+007F), a C1 control (U+0080–U+009F; ECMA-48 §5.3: U+009B is CSI by
/// itself), or a bidi formatting character of Unicode UAX #9 §2 (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069).
pub fn is_hazard(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every [`is_hazard`] character written as `\u{…}` ([`char::escape_unicode`]:
/// lower-case hex, no leading zeros; ESC is `\u{1b}`, a newline `\u{a}`); borrowed when there
/// is none.
pub fn printable(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(is_hazard) else {
        return Cow::Borrowed(text);
    };
    let mut shown = String::with_capacity(text.len() + 8);
    shown.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_hazard(c) {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazards_are_shown_as_escapes() {
        for (input, want) in [
            ("mx1.example.com", "mx1.example.com"),
            ("", ""),
            ("Grüße, 東京", "Grüße, 東京"),
            // OSC 52: writes the clipboard.
            ("\x1b]52;c;aGVsbG8=\x07", "\\u{1b}]52;c;aGVsbG8=\\u{7}"),
            // CSI: clears the screen.
            ("a\x1b[2Jb", "a\\u{1b}[2Jb"),
            ("nul\0", "nul\\u{0}"),
            ("two\nlines\r\tx", "two\\u{a}lines\\u{d}\\u{9}x"),
            ("del\x7f", "del\\u{7f}"),
            // C1: U+009B is CSI on terminals that read 8-bit controls.
            ("\u{9b}2J\u{85}", "\\u{9b}2J\\u{85}"),
            ("abc\u{202e}fdp.exe", "abc\\u{202e}fdp.exe"),
            (
                "\u{202a}\u{202b}\u{202c}\u{202d}",
                "\\u{202a}\\u{202b}\\u{202c}\\u{202d}",
            ),
            (
                "\u{2066}\u{2067}\u{2068}\u{2069}",
                "\\u{2066}\\u{2067}\\u{2068}\\u{2069}",
            ),
            ("\u{200e}\u{200f}\u{61c}", "\\u{200e}\\u{200f}\\u{61c}"),
            // Neighbours of the ranges stay as they are.
            (
                "\u{a0}\u{2029}\u{202f}\u{2065}\u{206a}",
                "\u{a0}\u{2029}\u{202f}\u{2065}\u{206a}",
            ),
        ] {
            assert_eq!(printable(input), want, "{input:?}");
            assert!(!printable(input).contains(is_hazard), "{input:?}");
        }
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(printable("v=STSv1; id=1"), Cow::Borrowed(_)));
        assert!(matches!(printable("\x1b"), Cow::Owned(_)));
    }
}
