//! Who may do what. Two kinds of credential, both `Authorization: Bearer <token>` (RFC 6750 §2.1):
//!
//! * the **operator's** `API_TOKEN` secret: everything, on every domain. It must be at least
//!   [`MIN_OPERATOR_TOKEN`] characters and not the example's value; otherwise every route that
//!   changes something answers 500 saying so, and the weak token opens nothing;
//! * **domain tokens** (`mtasts_…`, [`DOMAIN_TOKEN_PREFIX`]): random, shown once, stored as their
//!   SHA-256 in `domain_tokens`, each for one domain: publish and remove its policy, read its
//!   reports, list and delete its tokens. On another domain's route: 403.
//!
//! A wrong token is a 401, and more than `AUTH_FAILURES_PER_MINUTE` (default 10) wrong tokens from
//! one client prefix in a minute make every authenticated request of that prefix a 429 until the
//! minute ends, whatever token it carries.

use crate::client::client_prefix;
use crate::config::{api_token, now_secs, number};
use crate::counters::{add, over_limit, peek, Window};
use crate::reply::ApiError;
use crate::secret::stored_form;
use serde::Deserialize;
use worker::{query, D1Database, Env, Request};

/// The shortest operator token accepted.
pub const MIN_OPERATOR_TOKEN: usize = 32;
/// The placeholder of `.dev.vars.example`, never accepted as a token.
pub const EXAMPLE_OPERATOR_TOKEN: &str = "replace-me-with-at-least-32-random-characters";
/// The example token of earlier versions of `.dev.vars.example`.
const OLD_EXAMPLE_OPERATOR_TOKEN: &str = "dev-token-change-me";
/// What every domain token starts with.
pub const DOMAIN_TOKEN_PREFIX: &str = "mtasts_";
/// Wrong tokens per client prefix and minute before the prefix is refused.
const DEFAULT_AUTH_FAILURES: u64 = 10;

/// Who made the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The operator (`API_TOKEN`).
    Operator,
    /// A domain token.
    Domain {
        /// The domain it is for.
        domain: String,
        /// Its id (`domain_tokens.id`).
        id: String,
    },
}

/// What a route needs.
#[derive(Debug, Clone, Copy)]
pub enum Need<'a> {
    /// The operator.
    Operator,
    /// The operator, or a token of this domain.
    Domain(&'a str),
}

/// Whether the route changes something (refused outright while the operator token is weak).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads only.
    Read,
    /// Changes a policy, a token or anything else stored.
    Change,
}

#[derive(Deserialize)]
struct TokenRow {
    id: String,
    domain: String,
}

/// Checks the request's credential against what the route needs.
pub async fn authorize(
    req: &Request,
    env: &Env,
    db: &D1Database,
    need: Need<'_>,
    access: Access,
) -> Result<Credential, ApiError> {
    let operator = api_token(env);
    let weak = operator.as_deref().and_then(weakness);
    if let (Some(why), Access::Change) = (weak, access) {
        return Err(misconfigured(why));
    }
    let header = req.headers().get("authorization").ok().flatten();
    let Some(given) = header.as_deref().and_then(bearer_token) else {
        return Err(ApiError::new(
            401,
            "an Authorization: Bearer <token> header is required",
        ));
    };
    let now = now_secs();
    let scope = format!("auth:{}", client_prefix(req));
    let limit = number(env, "AUTH_FAILURES_PER_MINUTE", DEFAULT_AUTH_FAILURES);
    if peek(db, &scope, Window::Minute, now).await? >= limit {
        return Err(over_limit(
            "too many wrong tokens from this client",
            limit,
            Window::Minute,
            now,
        ));
    }
    if let Some(expected) = operator.as_deref() {
        if tokens_equal(given.as_bytes(), expected.as_bytes()) {
            return match weak {
                Some(why) => Err(misconfigured(why)),
                None => Ok(Credential::Operator),
            };
        }
    }
    let found: Option<TokenRow> = if given.starts_with(DOMAIN_TOKEN_PREFIX) {
        query!(
            db,
            "SELECT id, domain FROM domain_tokens WHERE token_sha256 = ?1",
            &stored_form(given)
        )?
        .first(None)
        .await?
    } else {
        None
    };
    let Some(row) = found else {
        add(db, &scope, Window::Minute, now).await?;
        return Err(ApiError::new(401, "the bearer token is wrong"));
    };
    match need {
        Need::Domain(domain) if domain == row.domain => Ok(Credential::Domain {
            domain: row.domain,
            id: row.id,
        }),
        Need::Domain(_) => Err(ApiError::new(
            403,
            "this token is for another domain; each domain token works on its own domain only",
        )),
        Need::Operator => Err(ApiError::new(
            403,
            "only the operator's API_TOKEN may do this",
        )),
    }
}

/// Why an operator token is too weak to accept, if it is.
pub fn weakness(token: &str) -> Option<&'static str> {
    if token == EXAMPLE_OPERATOR_TOKEN || token == OLD_EXAMPLE_OPERATOR_TOKEN {
        Some("API_TOKEN is the example's value")
    } else if token.chars().count() < MIN_OPERATOR_TOKEN {
        Some("API_TOKEN is shorter than 32 characters")
    } else {
        None
    }
}

/// The 500 of a route refused while the operator token is missing or weak.
fn misconfigured(why: &str) -> ApiError {
    ApiError::new(
        500,
        format!("{why}: this Worker refuses every change until its operator sets a random API_TOKEN of at least {MIN_OPERATOR_TOKEN} characters (`wrangler secret put API_TOKEN`; locally `make dev` writes one into .dev.vars)"),
    )
}

/// Refuses a change (500) while no sound operator token is configured: the routes a domain
/// owner reaches without any token (claim, verify) check this too.
pub fn require_sound_config(env: &Env) -> Result<(), ApiError> {
    match api_token(env) {
        None => Err(misconfigured("no API_TOKEN is configured")),
        Some(token) => weakness(&token).map_or(Ok(()), |why| Err(misconfigured(why))),
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

    #[test]
    fn weak_operator_tokens() {
        for (token, weak) in [
            (EXAMPLE_OPERATOR_TOKEN, true),
            ("dev-token-change-me", true),
            ("x".repeat(31).as_str(), true),
            ("x".repeat(32).as_str(), false),
            ("0123456789abcdef0123456789abcdef0123", false),
        ] {
            assert_eq!(weakness(token).is_some(), weak, "{token}");
        }
    }

    #[test]
    fn the_example_file_holds_the_refused_value() {
        let example =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../.dev.vars.example"))
                .unwrap();
        assert!(
            example.contains(&format!("API_TOKEN={EXAMPLE_OPERATOR_TOKEN}\n")),
            ".dev.vars.example must hold the value the Worker refuses"
        );
    }
}
