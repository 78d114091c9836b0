//! Media types as `Content-Type` (and `Content-Disposition`) values carry them:
//! `type/subtype; name=value; name="quoted value"` (RFC 9110 §8.3.1, RFC 2045 §5.1, RFC 2183).
//!
//! The one reader of such values in the project: the policy fetch's media type and charset
//! (RFC 8461 §3.2), the parts of a TLS-RPT e-mail (RFC 8460 §5.3) and the Worker's report intake
//! (RFC 8460 §5.4).
//!
//! ```
//! use mtasts::media_type::MediaType;
//! let media = MediaType::parse("Text/Plain; Charset=\"UTF-8\"");
//! assert_eq!(media.essence, "text/plain");
//! assert_eq!(media.charset().as_deref(), Some("utf-8"));
//! ```

/// A parsed `Content-Type` value. Reading never fails: what cannot be read is left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaType {
    /// `type/subtype`, trimmed and in lower case (RFC 9110 §8.3.1: both are case-insensitive);
    /// empty when the value was empty. For a `Content-Disposition`, the disposition type.
    pub essence: String,
    /// The parameters in the order given, names in lower case, values unquoted (RFC 9110
    /// §5.6.6); a piece without `=` is dropped.
    pub params: Vec<(String, String)>,
}

impl MediaType {
    /// Reads a header value; `;` inside a quoted string does not end a parameter.
    pub fn parse(value: &str) -> MediaType {
        let mut pieces = split_params(value).into_iter();
        let essence = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let params = pieces
            .filter_map(|piece| {
                let (name, value) = piece.split_once('=')?;
                Some((name.trim().to_ascii_lowercase(), unquote(value.trim())))
            })
            .collect();
        MediaType { essence, params }
    }

    /// The value of the first parameter called `name` (given in lower case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    /// The `charset` parameter in lower case (charset names are case-insensitive, RFC 2978 §2.3).
    pub fn charset(&self) -> Option<String> {
        self.param("charset").map(str::to_ascii_lowercase)
    }
}

/// Splits at `;` outside quoted strings.
fn split_params(value: &str) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if let Some(piece) = pieces.last_mut() {
            if escaped {
                escaped = false;
            } else if quoted && c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = !quoted;
            } else if c == ';' && !quoted {
                pieces.push(String::new());
                continue;
            }
            piece.push(c);
        }
    }
    pieces
}

/// A parameter value without its quotes and quoting backslashes (RFC 9110 §5.6.4, RFC 5322
/// §3.2.4); an unclosed quote runs to the end.
fn unquote(value: &str) -> String {
    match value.strip_prefix('"') {
        Some(inner) => {
            let inner = inner.strip_suffix('"').unwrap_or(inner);
            let mut out = String::with_capacity(inner.len());
            let mut escaped = false;
            for c in inner.chars() {
                if c == '\\' && !escaped {
                    escaped = true;
                } else {
                    out.push(c);
                    escaped = false;
                }
            }
            out
        }
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        for (value, essence, params) in [
            ("text/plain", "text/plain", vec![]),
            ("  TEXT/Plain  ", "text/plain", vec![]),
            (
                "text/plain; charset=utf-8",
                "text/plain",
                vec![("charset", "utf-8")],
            ),
            (
                "multipart/report; report-type=\"tlsrpt\";\n boundary=\"a;b\"",
                "multipart/report",
                vec![("report-type", "tlsrpt"), ("boundary", "a;b")],
            ),
            (
                "Application/TLSRPT+gzip; NAME=\"x\\\"y.json.gz\"",
                "application/tlsrpt+gzip",
                vec![("name", "x\"y.json.gz")],
            ),
            (
                "attachment; filename=\"google.com!x!1!2.json.gz\"",
                "attachment",
                vec![("filename", "google.com!x!1!2.json.gz")],
            ),
            (
                "text/plain; flowed; charset=\"us-ascii",
                "text/plain",
                vec![("charset", "us-ascii")],
            ),
            ("text/plain;", "text/plain", vec![]),
            ("", "", vec![]),
        ] {
            let media = MediaType::parse(value);
            assert_eq!(media.essence, essence, "{value:?}");
            let got: Vec<(&str, &str)> = media
                .params
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            assert_eq!(got, params, "{value:?}");
        }
    }

    #[test]
    fn charsets() {
        for (value, want) in [
            ("text/plain", None),
            ("text/plain; charset=UTF-8", Some("utf-8")),
            ("text/plain;CHARSET=\"ISO-8859-1\"", Some("iso-8859-1")),
            (
                "text/plain; format=flowed; charset=us-ascii",
                Some("us-ascii"),
            ),
            ("text/plain; charset=utf-8; charset=latin1", Some("utf-8")),
            ("text/plain; charset=", Some("")),
        ] {
            assert_eq!(
                MediaType::parse(value).charset().as_deref(),
                want,
                "{value:?}"
            );
        }
    }
}
