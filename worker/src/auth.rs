//! `Authorization: Bearer <token>` against the `API_TOKEN` secret, compared in constant time.

use crate::reply::ApiError;
use worker::{Env, Request};

/// Refuses the request (401, nothing changed) unless it carries the configured token.
pub fn require_token(req: &Request, env: &Env) -> Result<(), ApiError> {
    let Some(expected) = crate::config::api_token(env) else {
        return Err(ApiError::new(
            401,
            "no API_TOKEN is configured on this Worker; every token is refused",
        ));
    };
    let header = req.headers().get("authorization").ok().flatten();
    match header.as_deref().and_then(bearer_token) {
        Some(given) if tokens_equal(given.as_bytes(), expected.as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::new(401, "the bearer token is wrong")),
        None => Err(ApiError::new(
            401,
            "an Authorization: Bearer <token> header is required",
        )),
    }
}

/// The token of an `Authorization` header value of the `Bearer` scheme (RFC 6750 §2.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Compares two tokens in time that depends only on the length of `expected`.
fn tokens_equal(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != expected.len());
    for (i, e) in expected.iter().enumerate() {
        let g = given.get(i).copied().unwrap_or(0);
        diff |= g ^ e;
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens() {
        for (header, want) in [
            ("Bearer abc", Some("abc")),
            ("bearer   abc ", Some("abc")),
            ("Basic abc", None),
            ("Bearer", None),
            ("Bearer ", None),
            ("", None),
        ] {
            assert_eq!(bearer_token(header), want, "{header:?}");
        }
    }

    #[test]
    fn token_comparison() {
        for (given, expected, want) in [
            ("secret", "secret", true),
            ("secreT", "secret", false),
            ("secret2", "secret", false),
            ("secre", "secret", false),
            ("", "secret", false),
            ("secret\0", "secret", false),
        ] {
            assert_eq!(tokens_equal(given.as_bytes(), expected.as_bytes()), want);
        }
    }
}
