//! Splitting master-file text into entries and tokens (RFC 1035 §5.1).
//!
//! An entry is one logical line: a physical line, or several joined by parentheses. Tokens keep
//! their escapes (`\.`, `\"`, `\DDD`) undecoded, so that names can be handed to the name parser
//! as written and character-strings decoded by [`decode_character_string`].

use super::ZoneError;

/// One token of an entry, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// The text, escapes kept; for a quoted token, the text between the quotes.
    pub(crate) text: String,
    /// Whether the token was a quoted string.
    pub(crate) quoted: bool,
}

/// One logical line of a master file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The 1-based line on which the entry starts.
    pub(crate) line: usize,
    /// RFC 1035 §5.1: a line that starts with a blank reuses the previous owner.
    pub(crate) starts_blank: bool,
    /// The tokens, in order.
    pub(crate) tokens: Vec<Token>,
}

/// Splits `text` into entries, dropping comments and blank lines.
pub(crate) fn split_entries(text: &str) -> Result<Vec<Entry>, ZoneError> {
    let mut lexer = Lexer::default();
    let mut chars = text.chars();
    lexer.line = 1;
    lexer.at_line_start = true;
    while let Some(c) = chars.next() {
        if lexer.in_quote {
            match c {
                '"' => lexer.end_token(),
                '\\' => {
                    lexer.token.push('\\');
                    match chars.next() {
                        Some('\n') | None => {
                            return Err(ZoneError::UnterminatedQuote { line: lexer.line })
                        }
                        Some(next) => lexer.token.push(next),
                    }
                }
                '\n' => return Err(ZoneError::UnterminatedQuote { line: lexer.line }),
                _ => lexer.token.push(c),
            }
            continue;
        }
        let line_start = std::mem::replace(&mut lexer.at_line_start, false);
        match c {
            '\n' => {
                lexer.end_token();
                if lexer.depth == 0 {
                    lexer.end_entry();
                }
                lexer.line += 1;
                lexer.at_line_start = true;
            }
            ' ' | '\t' | '\r' => {
                if line_start && lexer.depth == 0 && c != '\r' {
                    lexer.blank_start = true;
                }
                lexer.end_token();
            }
            ';' => {
                lexer.end_token();
                // The comment runs to the end of the line; the newline itself still ends the entry.
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        if lexer.depth == 0 {
                            lexer.end_entry();
                        }
                        lexer.line += 1;
                        lexer.at_line_start = true;
                        break;
                    }
                }
            }
            '(' => {
                lexer.end_token();
                lexer.depth += 1;
                lexer.paren_line = lexer.line;
            }
            ')' => {
                lexer.end_token();
                lexer.depth = lexer
                    .depth
                    .checked_sub(1)
                    .ok_or(ZoneError::UnbalancedParenthesis { line: lexer.line })?;
            }
            '"' => {
                if lexer.in_token {
                    return Err(ZoneError::StrayQuote { line: lexer.line });
                }
                lexer.start_token();
                lexer.in_quote = true;
            }
            '\\' => {
                lexer.start_token();
                lexer.token.push('\\');
                if let Some(next) = chars.next() {
                    lexer.token.push(next);
                }
            }
            _ => {
                lexer.start_token();
                lexer.token.push(c);
            }
        }
    }
    if lexer.in_quote {
        return Err(ZoneError::UnterminatedQuote { line: lexer.line });
    }
    if lexer.depth != 0 {
        return Err(ZoneError::UnbalancedParenthesis {
            line: lexer.paren_line,
        });
    }
    lexer.end_token();
    lexer.end_entry();
    Ok(lexer.entries)
}

/// The lexer's state between characters.
#[derive(Default)]
struct Lexer {
    entries: Vec<Entry>,
    tokens: Vec<Token>,
    token: String,
    /// Whether a token is open (a quoted token may be empty).
    in_token: bool,
    in_quote: bool,
    depth: usize,
    line: usize,
    paren_line: usize,
    entry_line: usize,
    at_line_start: bool,
    blank_start: bool,
}

impl Lexer {
    fn start_token(&mut self) {
        if !self.in_token {
            self.in_token = true;
            if self.tokens.is_empty() {
                self.entry_line = self.line;
            }
        }
    }

    fn end_token(&mut self) {
        if self.in_token {
            self.tokens.push(Token {
                text: std::mem::take(&mut self.token),
                quoted: std::mem::replace(&mut self.in_quote, false),
            });
            self.in_token = false;
        }
    }

    fn end_entry(&mut self) {
        let starts_blank = std::mem::replace(&mut self.blank_start, false);
        if !self.tokens.is_empty() {
            self.entries.push(Entry {
                line: self.entry_line,
                starts_blank,
                tokens: std::mem::take(&mut self.tokens),
            });
        }
    }
}

/// Decodes the escapes of a character-string (RFC 1035 §5.1: `\X` is X, `\DDD` is the octet with
/// decimal value DDD). Returns `None` for a `\DDD` above 255 or a dangling backslash.
pub(crate) fn decode_character_string(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut utf8 = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            continue;
        }
        let next = chars.next()?;
        if let Some(first) = next.to_digit(10) {
            let second = chars.next()?.to_digit(10)?;
            let third = chars.next()?.to_digit(10)?;
            out.push(u8::try_from(first * 100 + second * 10 + third).ok()?);
        } else {
            let mut utf8 = [0; 4];
            out.extend_from_slice(next.encode_utf8(&mut utf8).as_bytes());
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bare(text: &str) -> Token {
        Token {
            text: text.to_owned(),
            quoted: false,
        }
    }

    fn quoted(text: &str) -> Token {
        Token {
            text: text.to_owned(),
            quoted: true,
        }
    }

    #[test]
    fn splits_entries() {
        for (input, want) in [
            ("", vec![]),
            ("; only a comment\n\n", vec![]),
            (
                "@ IN A 192.0.2.1 ; trailing comment\n",
                vec![(
                    1,
                    false,
                    vec![bare("@"), bare("IN"), bare("A"), bare("192.0.2.1")],
                )],
            ),
            (
                "\n  TXT \"a b\" \"c\\\"d\"\n",
                vec![(2, true, vec![bare("TXT"), quoted("a b"), quoted("c\\\"d")])],
            ),
            (
                "x TXT \"\"\r\n",
                vec![(1, false, vec![bare("x"), bare("TXT"), quoted("")])],
            ),
            (
                "@ SOA ns host. (\n 1 ; serial\n 2 3 4 5 )\nw A 1.2.3.4",
                vec![
                    (
                        1,
                        false,
                        vec![
                            bare("@"),
                            bare("SOA"),
                            bare("ns"),
                            bare("host."),
                            bare("1"),
                            bare("2"),
                            bare("3"),
                            bare("4"),
                            bare("5"),
                        ],
                    ),
                    (4, false, vec![bare("w"), bare("A"), bare("1.2.3.4")]),
                ],
            ),
            (
                "a\\;b\\ c TXT x;y\n",
                vec![(1, false, vec![bare("a\\;b\\ c"), bare("TXT"), bare("x")])],
            ),
            (
                "t TXT \"semi;colon (paren)\"\n",
                vec![(
                    1,
                    false,
                    vec![bare("t"), bare("TXT"), quoted("semi;colon (paren)")],
                )],
            ),
        ] {
            let want: Vec<Entry> = want
                .into_iter()
                .map(|(line, starts_blank, tokens)| Entry {
                    line,
                    starts_blank,
                    tokens,
                })
                .collect();
            assert_eq!(split_entries(input), Ok(want), "{input:?}");
        }
    }

    #[test]
    fn refuses_broken_lexing() {
        for (input, want) in [
            ("a TXT \"open\n", ZoneError::UnterminatedQuote { line: 1 }),
            ("a TXT \"open", ZoneError::UnterminatedQuote { line: 1 }),
            ("\na TXT x\"y\"\n", ZoneError::StrayQuote { line: 2 }),
            (
                "a SOA ( 1 2\n",
                ZoneError::UnbalancedParenthesis { line: 1 },
            ),
            (
                "a A 1.2.3.4 )\n",
                ZoneError::UnbalancedParenthesis { line: 1 },
            ),
        ] {
            assert_eq!(split_entries(input), Err(want), "{input:?}");
        }
    }

    #[test]
    fn decodes_character_strings() {
        for (input, want) in [
            ("plain", Some(b"plain".to_vec())),
            ("", Some(vec![])),
            ("q\\\"q", Some(b"q\"q".to_vec())),
            ("back\\\\slash", Some(b"back\\slash".to_vec())),
            ("\\059\\000\\255", Some(vec![b';', 0, 255])),
            ("\\256", None),
            ("\\12", None),
            ("dangling\\", None),
            ("é", Some("é".as_bytes().to_vec())),
        ] {
            assert_eq!(decode_character_string(input), want, "{input:?}");
        }
    }
}
