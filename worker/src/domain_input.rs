//! Domains from outside: in paths, in the Host header, and in `/api/policy?domain=`. The core's
//! [`mtasts::check::normalize_domain`] reads them; the edge routes also refuse what is not a
//! public name, before any outbound fetch.

use crate::reply::ApiError;

/// A domain in an API path or a report: normalized by the core, or a 400.
pub fn path_domain(input: &str) -> Result<String, ApiError> {
    let decoded = percent_decode(input);
    mtasts::check::normalize_domain(&decoded)
        .map_err(|e| ApiError::new(400, format!("not a domain: {e}")))
}

/// The hosted domain a policy request is for: `mta-sts.<domain>[:port]` → `<domain>`.
pub fn hosted_domain_of_host(host: &str) -> Option<String> {
    let host = host.trim().to_ascii_lowercase();
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name.to_string(),
        _ => host,
    };
    let host = host.strip_suffix('.').unwrap_or(&host);
    let domain = host.strip_prefix("mta-sts.")?;
    mtasts::check::normalize_domain(domain)
        .ok()
        .filter(|d| d == domain)
}

/// A domain the edge routes may fetch from: exactly a syntactically valid, public-looking name.
/// Refused before any fetch: anything that is not a bare name (a URL, an address, a port,
/// userinfo, a path), IP literals, single labels, and internal names (`localhost`, and the
/// suffixes in `refused_suffixes`, e.g. `local`, `internal`, `localhost`, `home.arpa`).
pub fn public_domain(input: &str, refused_suffixes: &[&str]) -> Result<String, ApiError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(ApiError::new(400, "a domain parameter is required"));
    }
    if text.len() > 253 {
        return Err(ApiError::new(
            400,
            "the domain is longer than 253 characters",
        ));
    }
    if let Some(c) = text.chars().find(|c| {
        matches!(c, '/' | ':' | '@' | '?' | '#' | '[' | ']' | '\\' | '%')
            || c.is_whitespace()
            || c.is_control()
    }) {
        return Err(ApiError::new(
            400,
            format!(
                "give a bare domain name: {c:?} is not allowed (no URL, port, address or userinfo)"
            ),
        ));
    }
    let domain = mtasts::check::normalize_domain(text)
        .map_err(|e| ApiError::new(400, format!("not a public domain: {e}")))?;
    if domain
        .split('.')
        .all(|l| l.bytes().all(|b| b.is_ascii_digit()) || l.starts_with("0x"))
    {
        return Err(ApiError::new(
            400,
            format!("{domain:?} looks like an IP address"),
        ));
    }
    let last = domain.rsplit('.').next().unwrap_or("");
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::new(
            400,
            format!("{domain:?} has a numeric top-level label"),
        ));
    }
    for suffix in refused_suffixes.iter().map(|s| s.trim().trim_matches('.')) {
        if suffix.is_empty() {
            continue;
        }
        if domain == suffix || domain.ends_with(&format!(".{suffix}")) {
            return Err(ApiError::new(
                400,
                format!("{domain:?} is an internal name (.{suffix}), not a public domain"),
            ));
        }
    }
    Ok(domain)
}

/// Decodes `%XX` escapes (path parameters arrive encoded); invalid escapes stay as they are.
fn percent_decode(input: &str) -> String {
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
