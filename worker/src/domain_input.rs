//! Domains from outside: in paths, in the Host header, and in `/api/policy?domain=`. The core's
//! [`DomainName`] reads them, and its public-name rule refuses, before any outbound fetch, what
//! the edge routes must not touch; here they become 400 answers.

use crate::reply::ApiError;
use mtasts::{DomainName, PublicNameError};

/// A domain in an API path or a report: normalized by the core, or a 400.
pub fn path_domain(input: &str) -> Result<String, ApiError> {
    let decoded = percent_decode(input);
    DomainName::from_input(&decoded)
        .map(String::from)
        .map_err(|e| ApiError::new(400, format!("not a domain: {e}")))
}

/// The hosted domain a policy request is for: `mta-sts.<domain>[:port]` → `<domain>`.
pub fn hosted_domain_of_host(host: &str) -> Option<String> {
    let host = host.trim().to_ascii_lowercase();
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name.to_string(),
        _ => host,
    };
    let host = DomainName::from_wire(&host);
    let domain = host.as_str().strip_prefix("mta-sts.")?;
    DomainName::from_input(domain)
        .ok()
        .filter(|d| d == domain)
        .map(String::from)
}

/// A domain the edge routes may fetch from ([`DomainName::from_public_input`]): exactly a
/// syntactically valid, public-looking name, not under `refused_suffixes` (e.g. `local`,
/// `internal`, `localhost`, `home.arpa`).
pub fn public_domain(input: &str, refused_suffixes: &[&str]) -> Result<String, ApiError> {
    DomainName::from_public_input(input, refused_suffixes)
        .map(String::from)
        .map_err(|e| match e {
            PublicNameError::Empty => ApiError::new(400, "a domain parameter is required"),
            e => ApiError::new(400, e.to_string()),
        })
}

/// A domain the edge routes and the ownership proof may look up: [`public_domain`] with the
/// suffixes `EDGE_REFUSED_SUFFIXES` names (comma-separated), or the defaults of
/// `wrangler.toml` when it is not set.
pub fn edge_domain(input: &str, env: &worker::Env) -> Result<String, ApiError> {
    let configured = crate::config::text(env, "EDGE_REFUSED_SUFFIXES");
    let refused = if configured.trim().is_empty() {
        DEFAULT_REFUSED
    } else {
        configured.as_str()
    };
    let refused: Vec<&str> = refused.split(',').map(str::trim).collect();
    public_domain(input, &refused)
}

/// Internal suffixes refused when `EDGE_REFUSED_SUFFIXES` is not set.
const DEFAULT_REFUSED: &str = "localhost,local,localdomain,internal,intranet,lan,home,corp,home.arpa,test,invalid,example,onion,alt";

/// Decodes `%XX` escapes (path parameters arrive encoded); invalid escapes stay as they are.
pub fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFUSED: &[&str] = &["localhost", "local", "internal", "home.arpa", "test"];

    #[test]
    fn public_domains() {
        for (input, ok) in [
            ("example.com", true),
            ("Example.COM.", true),
            ("bücher.example", true),
            ("localhost", false),
            ("foo.localhost", false),
            ("printer.local", false),
            ("db.internal", false),
            ("x.test", false),
            ("router.home.arpa", false),
            ("127.0.0.1", false),
            ("2130706433", false),
            ("0x7f.0x0.0x0.0x1", false),
            ("1.2.3.4.5", false),
            ("[::1]", false),
            ("example.com:8443", false),
            ("user@example.com", false),
            ("https://example.com/", false),
            ("example.com/path", false),
            ("example.com%2f..", false),
            ("exa mple.com", false),
            ("com", false),
            ("", false),
            ("-bad-.example", false),
        ] {
            assert_eq!(public_domain(input, REFUSED).is_ok(), ok, "{input:?}");
        }
        assert!(public_domain("x.test", &["local"]).is_ok());
    }

    #[test]
    fn hosts() {
        for (host, want) in [
            ("mta-sts.example.com", Some("example.com")),
            ("MTA-STS.Example.com:8787", Some("example.com")),
            ("mta-sts.example.com.", Some("example.com")),
            ("example.com", None),
            ("mta-sts.localhost", None),
            ("mta-sts.", None),
        ] {
            assert_eq!(hosted_domain_of_host(host).as_deref(), want, "{host:?}");
        }
    }

    #[test]
    fn path_domains() {
        assert_eq!(
            path_domain("Example.com").ok().as_deref(),
            Some("example.com")
        );
        assert_eq!(
            path_domain("b%C3%BCcher.example").ok().as_deref(),
            Some("xn--bcher-kva.example")
        );
        assert!(path_domain("127.0.0.1").is_err());
        assert!(path_domain("%zz").is_err());
    }
}
